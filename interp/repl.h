/* repl.h: what the terminal REPL and the Jupyter kernel share (interp/repl.c): the rule that
 * tells a complete input from one that needs more lines, and completion. */
#ifndef RDN_REPL_H
#define RDN_REPL_H
#include "core.h"

int repl_run(Interp *I);

enum { INPUT_COMPLETE, INPUT_INCOMPLETE, INPUT_INVALID };
/* Parses src quietly: complete (runs as it is), incomplete (a statement cut short: more lines
 * are needed) or invalid (a syntax error more lines cannot fix). src stays unparsed. */
int repl_input_state(Interp *I, Source *src);
/* Completion of the word ending at line[cursor] (a byte offset): builtins and names in scope,
 * the callee's keywords ("name: ") inside a call, members after '.'. *start is where the word
 * begins; *matches a NULL-terminated array the caller frees (and every string in it). Returns
 * the number of matches. */
int repl_complete(Interp *I, const char *line, int cursor, int *start, char ***matches);

#endif
