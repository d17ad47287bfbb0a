/* test_outfile.c: the write sandbox, atomic writes and the SHA-256 record (runtime/outfile.c). */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "outfile.h"

static char root[PATH_MAX];

static int exists(const char *rel)
{
    char p[PATH_MAX * 2];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", root, rel);
    return lstat(p, &st) == 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

/* Number of entries in a folder whose name contains ".tmp." */
static int count_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d) return -1;
    for (struct dirent *e; (e = readdir(d));)
        if (strstr(e->d_name, ".tmp.")) n++;
    closedir(d);
    return n;
}

static int write_file(RdnOut *o, const char *path, const char *text, RdnErr *err)
{
    RdnWriter w;
    if (rdn_out_open(o, path, &w, err) != RDN_OK) return -1;
    fputs(text, w.f);
    return rdn_out_commit(o, &w, err);
}

static void test_sha256(void)
{
    char hex[65];
    rdn_sha256_buf("abc", 3, hex);
    CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
          "sha256(abc) = %s", hex);
    rdn_sha256_buf("", 0, hex);
    CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0,
          "sha256('') = %s", hex);
    /* the file version agrees with the buffer version on a file larger than one read buffer */
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/big.bin", root);
    FILE *f = fopen(path, "wb");
    size_t n = 200000;
    unsigned char *b = malloc(n);
    for (size_t i = 0; i < n; i++) b[i] = (unsigned char)(i * 7 + 3);
    fwrite(b, 1, n, f);
    fclose(f);
    char h1[65], h2[65];
    RdnErr err = {0};
    CHECK(rdn_sha256_file(path, h1, &err) == 0, "%s", err.msg);
    rdn_sha256_buf(b, n, h2);
    CHECK(strcmp(h1, h2) == 0, "file %s vs buf %s", h1, h2);
    free(b);
    unlink(path);
    CHECK(rdn_sha256_file("/nonexistent/x", h1, &err) == RDN_ERROR, "missing file");
    CHECK(strstr(err.msg, "/nonexistent/x") != NULL, "%s", err.msg);
}

static void test_sandbox(void)
{
    RdnOut o;
    RdnErr err = {0};
    char dir[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/out/deeper", root);
    CHECK(rdn_out_init(&o, dir, &err) == 0, "init: %s", err.msg);
    CHECK(exists("out/deeper"), "init creates the folder and its parents");
    CHECK(o.dir && o.dir[0] == '/', "dir is absolute");

    char *abs = NULL;
    CHECK(rdn_out_resolve(&o, "/etc/x", 1, &abs, &err) == RDN_ERROR && !abs, "absolute refused");
    CHECK(strstr(err.msg, "refusing to write '/etc/x': absolute paths are not allowed") != NULL,
          "%s", err.msg);
    CHECK(rdn_out_resolve(&o, "../x", 1, &abs, &err) == RDN_ERROR, "'..' refused");
    CHECK(strstr(err.msg, "'..' leaves the output folder") != NULL, "%s", err.msg);
    CHECK(rdn_out_resolve(&o, "new/../../x", 1, &abs, &err) == RDN_ERROR, "nested '..' refused");
    CHECK(!exists("out/deeper/new"), "refused path created nothing");
    CHECK(!exists("out/x"), "refused path created nothing");
    CHECK(rdn_out_resolve(&o, "", 1, &abs, &err) == RDN_ERROR, "empty refused");
    CHECK(rdn_out_resolve(&o, ".", 1, &abs, &err) == RDN_ERROR, "folder itself refused");

    /* '..' that stays inside is fine and normalised */
    CHECK(rdn_out_resolve(&o, "a/../b.csv", 0, &abs, &err) == 0, "%s", err.msg);
    char want[PATH_MAX * 2];
    snprintf(want, sizeof want, "%s/b.csv", o.dir);
    CHECK(abs && strcmp(abs, want) == 0, "abs %s", abs ? abs : "(null)");
    free(abs);
    CHECK(!exists("out/deeper/a"), "a/.. did not create a");

    /* missing parents: refused without mkdirs, created with it */
    CHECK(rdn_out_resolve(&o, "p/q/r.txt", 0, &abs, &err) == RDN_ERROR, "no mkdirs");
    CHECK(!exists("out/deeper/p"), "nothing created without mkdirs");
    CHECK(rdn_out_resolve(&o, "p/q/r.txt", 1, &abs, &err) == 0, "%s", err.msg);
    free(abs);
    CHECK(exists("out/deeper/p/q") && !exists("out/deeper/p/q/r.txt"), "parents only");

    /* symbolic links: out is refused (intermediate and final), in is followed */
    char outside[PATH_MAX + 16], link[PATH_MAX + 32];
    snprintf(outside, sizeof outside, "%s/outside", root);
    mkdir(outside, 0755);
    snprintf(link, sizeof link, "%s/link", o.dir);
    CHECK(symlink(outside, link) == 0, "symlink");
    CHECK(rdn_out_resolve(&o, "link/x.csv", 1, &abs, &err) == RDN_ERROR, "link out refused");
    CHECK(strstr(err.msg, "symbolic link 'link' leads to") != NULL, "%s", err.msg);
    CHECK(rdn_out_resolve(&o, "link/sub/x.csv", 1, &abs, &err) == RDN_ERROR, "link out refused");
    CHECK(!exists("outside/sub"), "nothing created outside");
    snprintf(link, sizeof link, "%s/flink", o.dir);
    char target[PATH_MAX + 16];
    snprintf(target, sizeof target, "%s/outside/f.txt", root);
    CHECK(symlink(target, link) == 0, "symlink");
    CHECK(rdn_out_resolve(&o, "flink", 1, &abs, &err) == RDN_ERROR, "dangling link refused");
    FILE *tf = fopen(target, "w");
    fputs("precious", tf);
    fclose(tf);
    CHECK(write_file(&o, "flink", "overwritten", &err) == RDN_ERROR, "final link out refused");
    CHECK(strcmp(slurp(target), "precious") == 0, "outside file untouched");
    snprintf(link, sizeof link, "%s/inlink", o.dir);
    CHECK(symlink("p", link) == 0, "symlink");
    CHECK(write_file(&o, "inlink/y.txt", "in", &err) == 0, "link inside followed: %s", err.msg);
    CHECK(exists("out/deeper/p/y.txt"), "written through the inside link");
    CHECK(o.nwritten == 1 && strcmp(o.written[0].rel, "p/y.txt") == 0, "recorded resolved name");
    CHECK(rdn_out_resolve(&o, "p", 1, &abs, &err) == RDN_ERROR, "a folder is not a file");
    CHECK(rdn_out_resolve(&o, "p/y.txt/z", 1, &abs, &err) == RDN_ERROR, "a file is not a folder");
    rdn_out_free(&o);
}

static void test_atomic(void)
{
    RdnOut o;
    RdnErr err = {0};
    char dir[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/atomic", root);
    CHECK(rdn_out_init(&o, dir, &err) == 0, "%s", err.msg);

    RdnWriter w;
    CHECK(rdn_out_open(&o, "r.csv", &w, &err) == 0, "%s", err.msg);
    CHECK(strstr(w.tmp, "/.r.csv.tmp.") != NULL, "temporary name %s", w.tmp);
    struct stat st;
    mode_t mask = umask(0);
    umask(mask);
    CHECK(stat(w.tmp, &st) == 0 && (st.st_mode & 0777) == (0644 & ~mask), "mode %o",
          (unsigned)(st.st_mode & 0777));
    fputs("a,b\n1,2\n", w.f);
    CHECK(!exists("atomic/r.csv"), "final name absent before commit");
    CHECK(rdn_out_commit(&o, &w, &err) == 0, "%s", err.msg);
    CHECK(exists("atomic/r.csv"), "final name present after commit");
    CHECK(count_tmp(dir) == 0, "no temporary left");
    char hex[65];
    rdn_sha256_buf("a,b\n1,2\n", 8, hex);
    CHECK(o.nwritten == 1 && strcmp(o.written[0].rel, "r.csv") == 0 &&
          strcmp(o.written[0].sha256, hex) == 0, "recorded hash");

    /* abort keeps the previous file and removes the temporary */
    CHECK(rdn_out_open(&o, "r.csv", &w, &err) == 0, "%s", err.msg);
    fputs("partial", w.f);
    rdn_out_abort(&w);
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/r.csv", dir);
    CHECK(strcmp(slurp(p), "a,b\n1,2\n") == 0, "previous file intact");
    CHECK(count_tmp(dir) == 0, "abort removed the temporary");
    CHECK(o.nwritten == 1, "abort records nothing");

    /* rewriting the same name replaces the record; another name adds one */
    CHECK(write_file(&o, "./r.csv", "x\n", &err) == 0, "%s", err.msg);
    rdn_sha256_buf("x\n", 2, hex);
    CHECK(o.nwritten == 1 && strcmp(o.written[0].sha256, hex) == 0, "replaced record");
    CHECK(write_file(&o, "sub/s.txt", "s", &err) == 0, "%s", err.msg);
    CHECK(o.nwritten == 2 && strcmp(o.written[1].rel, "sub/s.txt") == 0, "second record");

    /* a hash computed by the caller while writing is recorded as given (no read-back) */
    CHECK(rdn_out_open(&o, "streamed.bin", &w, &err) == 0, "%s", err.msg);
    fputs("stream", w.f);
    rdn_sha256_buf("stream", 6, hex);
    CHECK(rdn_out_commit_sha(&o, &w, hex, &err) == 0, "%s", err.msg);
    CHECK(o.nwritten == 3 && strcmp(o.written[2].rel, "streamed.bin") == 0 &&
          strcmp(o.written[2].sha256, hex) == 0, "commit_sha record");
    CHECK(count_tmp(dir) == 0, "no temporary left");
    rdn_sha256_buf("x\n", 2, hex);

    /* reads: recorded with their hash, deduplicated */
    CHECK(rdn_out_note_read(&o, p, &err) == 0, "%s", err.msg);
    CHECK(rdn_out_note_read(&o, p, &err) == 0, "%s", err.msg);
    CHECK(o.nread == 1 && strcmp(o.read[0].sha256, hex) == 0 && strcmp(o.read[0].rel, p) == 0,
          "read record");
    CHECK(rdn_out_note_read(&o, "/nonexistent", &err) == RDN_ERROR, "missing read");

    /* many writers at once get distinct temporaries */
    RdnWriter ws[20];
    int ok = 1;
    for (int i = 0; i < 20; i++) ok &= rdn_out_open(&o, "many.txt", &ws[i], &err) == 0;
    CHECK(ok, "20 open writers");
    for (int i = 0; i < 20; i++) {
        fprintf(ws[i].f, "%d", i);
        ok &= rdn_out_commit(&o, &ws[i], &err) == 0;
    }
    CHECK(ok, "20 commits");
    snprintf(p, sizeof p, "%s/many.txt", dir);
    CHECK(strcmp(slurp(p), "19") == 0, "last commit wins");
    CHECK(count_tmp(dir) == 0, "no temporary left");
    rdn_out_free(&o);

    /* the output folder must be a folder */
    snprintf(dir, sizeof dir, "%s/atomic/r.csv", root);
    CHECK(rdn_out_init(&o, dir, &err) == RDN_ERROR, "a file as output folder");
    rdn_out_free(&o);
}

int main(void)
{
    char tmpl[] = "/tmp/rdn-test-outfile-XXXXXX";
    if (!mkdtemp(tmpl)) return 1;
    if (!realpath(tmpl, root)) return 1;
    test_sha256();
    test_sandbox();
    test_atomic();
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
    return DONE();
}
