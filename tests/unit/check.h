/* check.h: a minimal unit-test harness: CHECK(cond, fmt, ...) counts failures; DONE() reports
 * "N passed, N failed" and returns the exit status. */
#ifndef RDN_CHECK_H
#define RDN_CHECK_H
#include <math.h>
#include <stdio.h>

static int check_pass, check_fail;
#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        if (cond) check_pass++;                                                 \
        else {                                                                  \
            check_fail++;                                                       \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
        }                                                                       \
    } while (0)
#define CHECK_CLOSE(a, b, tol, what)                                            \
    CHECK(fabs((double)(a) - (double)(b)) <= (tol), "%s: %.9g vs %.9g (tol %g)", what, \
          (double)(a), (double)(b), (double)(tol))
#define DONE()                                                                  \
    (printf("%s: %d passed, %d failed\n", __FILE__, check_pass, check_fail), check_fail ? 1 : 0)
#endif
