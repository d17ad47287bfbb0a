/* keywords.c: what each word of the language does, for help("for") in the REPL and the
 * "Statements and operators" part of docs/reference.md. One row per word. */
#include <stddef.h>
#include <string.h>
#include "builtin.h"

const KeywordDoc KEYWORD_DOCS[] = {
    {"if", "if COND { ... } else if COND { ... } else { ... }",
     "Runs the first block whose condition is true. `else` may stand on the line after `}`. A "
     "condition must be a bool, number, string, list or record (empty is false); a tensor is an "
     "error (use all(...) or any(...)).\n\nExample: `if acc > 0.9 { print(\"good\") } else { print(\"again\") }`"},
    {"else", "if COND { ... } else { ... }", "The branch of an `if` taken when no condition held; see `if`."},
    {"while", "while COND { ... }",
     "Runs the block as long as the condition is true (checked before each pass); `break` leaves "
     "it, `continue` starts the next pass.\n\nExample: `while n > 1 { n = n / 2 }`"},
    {"for", "for NAME in EXPR { ... }",
     "Runs the block once per item: the items of a list, the numbers of a range (`0..10`), the "
     "characters of a string, the rows of a tensor, the rows of a table (as records). NAME is "
     "bound in the block only.\n\nExample: `for k in keys(cfg) { print(k, cfg[k]) }`"},
    {"in", "for NAME in EXPR { ... }", "Separates a `for` loop's name from what it runs over; see `for`."},
    {"fn", "fn NAME(a, b, scale: 1.0) { ... }",
     "Defines a function. Parameters with a default are also keywords; `fn (x) { ... }` without a "
     "name is a function value. A function sees the names of the scope it was defined in.\n\n"
     "Example: `fn square(x) { return x * x }`"},
    {"return", "return EXPR", "Leaves the function with a value (nil without one).\n\nExample: `return a + b`"},
    {"break", "break", "Leaves the innermost `for` or `while` loop."},
    {"continue", "continue", "Starts the next pass of the innermost `for` or `while` loop."},
    {"param", "param NAME = EXPR",
     "Declares an experiment parameter at the top level of the main script: `--set NAME=VALUE` on "
     "the command line replaces its default, and its value goes into the run's manifest.\n\n"
     "Example: `param depth = 30`"},
    {"import", "import NAME, import \"path.rdn\" as NAME",
     "Runs a file once and binds its names under a module name: the file's base name, or NAME "
     "after `as`. `import stats` loads the standard library module stats.\n\n"
     "Example: `import \"lib/my-helpers.rdn\" as helpers`"},
    {"and", "A and B", "B if A is true, else A (B is not evaluated then)."},
    {"or", "A or B", "A if A is true, else B (B is not evaluated then)."},
    {"not", "not A", "true if A is false, else false."},
    {"true", "true", "The bool true."},
    {"false", "false", "The bool false."},
    {"nil", "nil", "The value of nothing: what a function without `return` gives; equal only to nil."},
    {NULL, NULL, NULL},
};

const KeywordDoc *keyword_doc(const char *word)
{
    for (const KeywordDoc *k = KEYWORD_DOCS; k->word; k++)
        if (strcmp(k->word, word) == 0) return k;
    return NULL;
}
