/* reference.c: `rdn --reference`, the markdown of every builtin row in table order (what
 * docs/reference.md holds; `make check-docs` diffs the two so they cannot drift). */
#include <stdio.h>
#include "builtin.h"

int reference_print(FILE *f)
{
    fprintf(f, "# rdn builtin reference\n\n"
               "Generated from the builtin table by `rdn --reference` (run `make docs` to refresh it; "
               "`make check-docs` fails when it is out of date). In the REPL, `help(name)` shows the "
               "same text.\n");
    for (int i = 0; builtin_at(i); i++) {
        const Builtin *b = builtin_at(i);
        if (builtin_find(b->name) != b) continue;   /* an overload: shown under the first row */
        fprintf(f, "\n## %s\n", b->name);
        for (const Builtin *r = b; r; r = builtin_next_same(r))
            fprintf(f, "\n`%s`\n\n%s\n", r->signature ? r->signature : r->name, r->doc ? r->doc : "(undocumented)");
    }
    fprintf(f, "\n# Statements and words of the language\n\nIn the REPL, `help(\"for\")` shows the same text.\n");
    for (const KeywordDoc *k = KEYWORD_DOCS; k->word; k++)
        fprintf(f, "\n## %s\n\n`%s`\n\n%s\n", k->word, k->syntax, k->doc);
    return 0;
}
