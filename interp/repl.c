/* repl.c: the interactive loop. readline with persistent history (~/.rdn_history), completion
 * (builtins and names in scope; keywords inside a call's parentheses; members after '.'),
 * continuation lines while a statement is incomplete, every expression's value echoed.
 * Ctrl-C only sets rdn_interrupt (and wakes the prompt's select through a pipe, whichever thread
 * the signal landed on): while typing it cancels the line, while running the evaluator and the
 * runtime stop at their next check and the prompt returns with every variable intact; it never
 * exits. SIGTERM ends the session as Ctrl-D does, after stopping what runs. Ctrl-D exits. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>
#include <readline/history.h>
#include <readline/readline.h>
#include "core.h"
#include "repl.h"
#include "version.h"

enum { HISTORY_MAX = 2000 };

static Interp *repl_I;            /* for the readline callbacks, which take no context */
static char *history_path;

/* ---- completion ---- */

static char **cands;
static int ncands, capcands, cand_next;

static void cand_add(const char *prefix, const char *word, const char *suffix)
{
    size_t pl = strlen(prefix);
    if (strncmp(word, prefix, pl) != 0) return;
    char *w = malloc(strlen(word) + strlen(suffix) + 1);
    if (!w) return;                            /* out of memory: one candidate fewer */
    strcpy(w, word);
    strcat(w, suffix);
    for (int i = 0; i < ncands; i++)
        if (strcmp(cands[i], w) == 0) { free(w); return; }
    if (ncands == capcands) {
        int cap = capcands ? 2 * capcands : 64;
        char **c = realloc(cands, sizeof *c * (size_t)cap);
        if (!c) { free(w); return; }
        cands = c;
        capcands = cap;
    }
    cands[ncands++] = w;
}

static void cand_words(const char *prefix, const char *words, const char *suffix)
{
    char w[128];
    for (const char *p = words; p && *p;) {
        while (*p == ' ') p++;
        const char *q = p;
        while (*q && *q != ' ') q++;
        size_t n = (size_t)(q - p);
        if (n > 0 && n < sizeof w) {
            memcpy(w, p, n);
            w[n] = 0;
            cand_add(prefix, w, suffix);
        }
        p = q;
    }
}

static void cands_clear(void)
{
    for (int i = 0; i < ncands; i++) free(cands[i]);
    ncands = 0;
    cand_next = 0;
}

static char *cand_gen(const char *text, int state)
{
    (void)text;
    if (cand_next < ncands) return strdup(cands[cand_next++]);
    return NULL;
}

static const char *const LANG_WORDS =
    "if else while for in fn return break continue param import true false nil and or not";

static int is_word(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

/* The value named by a chain like `a` or `m.x` ending at line[end), borrowed-then-owned. */
static int chain_value(Interp *I, const char *line, int end, Value *out)
{
    Core *C = core_of(I);
    int b = end;
    while (b > 0 && (is_word(line[b - 1]) || line[b - 1] == '.')) b--;
    if (b == end) return 0;
    char buf[512];
    int n = end - b;
    if (n >= (int)sizeof buf) return 0;
    memcpy(buf, line + b, (size_t)n);
    buf[n] = 0;
    char *save = NULL, *tok = strtok_r(buf, ".", &save);
    if (!tok) return 0;
    Value *slot = env_find(C->globals, core_intern(C, tok, strlen(tok)));
    if (!slot) return 0;
    Value v = *slot;
    val_incref(v);
    while ((tok = strtok_r(NULL, ".", &save))) {
        Value next = VNIL;
        int ok = 0;
        if (v.type == VAL_MODULE) {
            Value *s = env_find_local(((ObjModule *)v.as.obj)->env, core_intern(C, tok, strlen(tok)));
            if (s) { next = *s; val_incref(next); ok = 1; }
        } else {
            const TypeOps *ops = typeops_for(v.type);
            if (ops && ops->get) {
                ok = ops->get(I, v, tok, NULL, &next) == 0;
                diag_clear(I);
            }
        }
        val_decref(v);
        if (!ok) return 0;
        v = next;
    }
    *out = v;
    return 1;
}

static void complete_members(Interp *I, const char *line, const char *text, int dot)
{
    Value v;
    if (!chain_value(I, line, dot, &v)) return;
    if (v.type == VAL_MODULE) {
        Env *e = ((ObjModule *)v.as.obj)->env;
        for (int i = 0; i < e->n; i++) cand_add(text, e->names[i], "");
    } else {
        const TypeOps *ops = typeops_for(v.type);
        if (ops && ops->members) cand_words(text, ops->members, "");
    }
    val_decref(v);
}

/* Inside an unclosed '(' of a call: the callee's keywords, as "name: ". */
static void complete_keywords(Interp *I, const char *line, const char *text, int start)
{
    int depth = 0;
    for (int i = start - 1; i >= 0; i--) {
        char c = line[i];
        if (c == ')' || c == ']') depth++;
        else if (c == '(' || c == '[') {
            if (depth > 0) { depth--; continue; }
            if (c != '(') return;
            int e = i;
            while (e > 0 && line[e - 1] == ' ') e--;
            int b = e;
            while (b > 0 && is_word(line[b - 1])) b--;
            if (b == e) return;
            char name[128];
            if (e - b >= (int)sizeof name) return;
            memcpy(name, line + b, (size_t)(e - b));
            name[e - b] = 0;
            Core *C = core_of(I);
            Value *slot = env_find(C->globals, core_intern(C, name, strlen(name)));
            if (slot && slot->type == VAL_FUNC) {
                Ast *d = ((ObjFunc *)slot->as.obj)->def;
                for (int k = 0; k < d->nitems; k++) cand_add(text, d->items[k]->str, ": ");
            } else if (!slot) {
                const Builtin *bi = builtin_find(name);
                if (bi) cand_words(text, bi->keywords, ": ");
            }
            return;
        }
    }
}

/* Fills cands for the word text that starts at line[start]. */
static void gather(Interp *I, const char *line, const char *text, int start)
{
    cands_clear();
    if (start > 0 && line[start - 1] == '.') {
        complete_members(I, line, text, start - 1);
        return;
    }
    complete_keywords(I, line, text, start);
    if (ncands > 0) return;                 /* inside a call: its keywords come first */
    Core *C = core_of(I);
    for (Env *e = C->globals; e; e = e->parent)
        for (int i = 0; i < e->n; i++) cand_add(text, e->names[i], "");
    for (int i = 0; builtin_at(i); i++) cand_add(text, builtin_at(i)->name, "");
    cand_words(text, LANG_WORDS, "");
}

int repl_complete(Interp *I, const char *line, int cursor, int *start, char ***matches)
{
    int b = cursor;
    while (b > 0 && is_word(line[b - 1])) b--;
    char *text = strndup(line + b, (size_t)(cursor - b));
    char *head = strndup(line, (size_t)cursor);
    if (!text || !head) abort();
    gather(I, head, text, b);
    free(text);
    free(head);
    *start = b;
    *matches = calloc((size_t)ncands + 1, sizeof **matches);
    if (!*matches) abort();
    for (int i = 0; i < ncands; i++) (*matches)[i] = cands[i];
    int n = ncands;
    ncands = 0;                            /* the caller owns the strings now */
    return n;
}

int repl_input_state(Interp *I, Source *src)
{
    int incomplete = 0;
    int r = parse_source(I, src, NULL, &incomplete);
    src->root = NULL;                      /* parsed again, errors shown, when it runs */
    return r == 0 ? INPUT_COMPLETE : incomplete ? INPUT_INCOMPLETE : INPUT_INVALID;
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    rl_attempted_completion_over = 1;
    gather(repl_I, rl_line_buffer, text, start);
    if (ncands == 0) return NULL;
    /* names are usually followed by '(' or '.', and keywords end in ": " already */
    rl_completion_append_character = '\0';
    return rl_completion_matches(text, cand_gen);
}

/* ---- reading lines with Ctrl-C cancelling the one being typed ---- */

/* The signal handler writes a byte here (repl_wake) so the select below returns whichever thread
 * took the signal; -1 outside the REPL. */
static int wake_pipe[2] = {-1, -1};
static volatile sig_atomic_t term_requested;

void repl_wake(int sig)
{
    if (sig == SIGTERM) term_requested = 1;
    int fd = wake_pipe[1];
    if (fd >= 0) {
        ssize_t w = write(fd, "!", 1);
        (void)w;
    }
}

static void wake_drain(void)
{
    char b[64];
    while (wake_pipe[0] >= 0 && read(wake_pipe[0], b, sizeof b) > 0) {}
}

static char *got_line;
static int got;

static void on_line(char *line)
{
    got_line = line;
    got = 1;
    rl_callback_handler_remove();
}

enum { READ_LINE, READ_EOF, READ_CANCEL };

static int read_line(const char *prompt, char **line)
{
    got = 0;
    got_line = NULL;
    rl_callback_handler_install(prompt, on_line);
    while (!got) {
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(0, &fds);
        int nfd = 1;
        if (wake_pipe[0] >= 0) {
            FD_SET(wake_pipe[0], &fds);
            nfd = wake_pipe[0] + 1;
        }
        int r = select(nfd, &fds, NULL, NULL, NULL);
        if (r > 0 && wake_pipe[0] >= 0 && FD_ISSET(wake_pipe[0], &fds)) wake_drain();
        if (rdn_interrupt) {
            rdn_interrupt = 0;
            rl_point = rl_end;                  /* show ^C after what was typed, then a new line */
            rl_redisplay();
            fputs("^C\n", stdout);
            fflush(stdout);
            rl_free_line_state();
            rl_callback_sigcleanup();
            rl_callback_handler_remove();
            return READ_CANCEL;
        }
        if (r < 0) {
            if (errno == EINTR) continue;
            rl_callback_handler_remove();
            return READ_EOF;
        }
        if (!FD_ISSET(0, &fds)) continue;
        rl_callback_read_char();
    }
    if (!got_line) {
        fputs("\n", stdout);
        return READ_EOF;
    }
    *line = got_line;
    return READ_LINE;
}

static void remember(const char *text)
{
    if (!*text) return;
    HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
    if (last && strcmp(last->line, text) == 0) return;
    add_history(text);
    /* a timestamp line before each entry keeps a multi-line statement one entry when the file
     * is read back (history_multiline_entries) */
    add_history_time("#0");
    if (history_path) append_history(1, history_path);
}

/* ---- statements from lines (no terminal: the fuzz harness drives this part) ---- */

void repl_input_reset(ReplInput *in)
{
    free(in->buf);
    in->buf = NULL;
    in->len = 0;
}

/* Does the parsed input end with an `if` whose last branch has no `else`? */
static int ends_with_if(const Source *src)
{
    if (!src->root || src->root->nitems == 0) return 0;
    const Ast *n = src->root->items[src->root->nitems - 1];
    if (n->kind != AST_IF) return 0;
    while (n->c && n->c->kind == AST_IF) n = n->c;
    return n->c == NULL;
}

int repl_starts_with_else(const char *line)
{
    while (*line == ' ' || *line == '\t') line++;
    return strncmp(line, "else", 4) == 0 && !is_word(line[4]);
}

/* The statement typed so far, as a Source to run; the buffer is emptied. */
int repl_take(Interp *I, ReplInput *in, Source **src, char **text)
{
    *src = NULL;
    if (text) *text = NULL;
    if (!in->buf) return REPL_MORE;
    Source *s = source_new(I, "<repl>", in->buf, in->len);
    if (!s) {
        mem_clear();
        fprintf(core_of(I)->errf, "<repl>: error: out of memory: the statement needs %zu bytes\n", in->len);
        repl_input_reset(in);
        return REPL_FAILED;
    }
    if (text) *text = strndup(in->buf, in->len - 1);
    repl_input_reset(in);
    *src = s;
    return REPL_READY;
}

int repl_accept(Interp *I, ReplInput *in, const char *line, size_t ll, Source **src, char **text)
{
    *src = NULL;
    if (text) *text = NULL;
    if (ll > RDN_MAX_STR || in->len > RDN_MAX_STR - ll) {
        fprintf(core_of(I)->errf, "<repl>: error: the statement is longer than %zu bytes\n", (size_t)RDN_MAX_STR);
        repl_input_reset(in);
        return REPL_FAILED;
    }
    char *nb = mem_realloc(in->buf, in->len + ll + 2, 1, "the statement typed");
    if (!nb) {
        mem_clear();
        fprintf(core_of(I)->errf, "<repl>: error: out of memory: the statement needs %zu bytes\n", in->len + ll + 2);
        repl_input_reset(in);
        return REPL_FAILED;
    }
    in->buf = nb;
    memcpy(in->buf + in->len, line, ll);
    in->len += ll;
    in->buf[in->len++] = '\n';
    in->buf[in->len] = 0;
    /* complete? (parse quietly first; a statement cut short asks for more lines) */
    Source *s = source_new(I, "<repl>", in->buf, in->len);
    if (!s) {
        mem_clear();
        fprintf(core_of(I)->errf, "<repl>: error: out of memory: the statement needs %zu bytes\n", in->len);
        repl_input_reset(in);
        return REPL_FAILED;
    }
    int incomplete = 0;
    if (parse_source(I, s, NULL, &incomplete) != 0 && incomplete) return REPL_MORE;
    /* `else` may stand on the next line, as in a script: the caller looks at it first */
    if (ends_with_if(s)) return REPL_IF;
    return repl_take(I, in, src, text);       /* core_run parses again, reporting what is wrong */
}

int repl_run(Interp *I)
{
    repl_I = I;
    I->in_repl = 1;
    Core *C = core_of(I);
    rl_readline_name = "rdn";
    rl_catch_signals = 0;
    rl_attempted_completion_function = complete;
    rl_basic_word_break_characters = " \t\n()[]{},.:;+-*/%@^=<>!\"";
    const char *home = getenv("HOME");
    if (home && *home) {
        if (asprintf(&history_path, "%s/.rdn_history", home) < 0) history_path = NULL;
        if (history_path) {
            using_history();
            history_write_timestamps = 1;     /* timestamps delimit multi-line entries */
            history_multiline_entries = 1;
            if (read_history(history_path) != 0) {
                FILE *f = fopen(history_path, "a");   /* create it so append_history works */
                if (f) fclose(f);
            }
        }
    }
    if (!I->quiet)
        printf("rdn %s: help() lists the builtins, help(name) shows one; Ctrl-D exits.\n",
               RDN_VERSION);
    ReplInput in = {0};
    int status = 0;
    if (pipe(wake_pipe) == 0) {
        for (int k = 0; k < 2; k++) {
            fcntl(wake_pipe[k], F_SETFL, fcntl(wake_pipe[k], F_GETFL) | O_NONBLOCK);
            fcntl(wake_pipe[k], F_SETFD, FD_CLOEXEC);
        }
    } else {
        wake_pipe[0] = wake_pipe[1] = -1;
    }
    term_requested = 0;
    char *carry = NULL;      /* a line read to see whether it continues an `if` with `else` */
    for (;;) {
        char *line = carry;
        int r = READ_LINE;
        carry = NULL;
        if (!line) r = read_line(in.buf ? "...> " : "rdn> ", &line);
        if (term_requested) {
            free(line);
            status = 128 + SIGTERM;
            break;
        }
        if (r == READ_EOF) break;
        if (r == READ_CANCEL) {
            repl_input_reset(&in);
            continue;
        }
        Source *src;
        char *h;
        r = repl_accept(I, &in, line, strlen(line), &src, &h);
        free(line);
        if (r == REPL_IF) {
            /* an `if` without `else`: look at the next line before running it */
            char *next = NULL;
            int r2 = read_line("...> ", &next);
            if (r2 == READ_CANCEL) {
                repl_input_reset(&in);
                continue;
            }
            if (r2 == READ_LINE && repl_starts_with_else(next)) {
                carry = next;
                continue;
            }
            if (r2 == READ_LINE) carry = next;
            r = repl_take(I, &in, &src, &h);
        }
        if (r != REPL_READY) continue;
        if (h) remember(h);
        free(h);
        Value last = VNIL;
        rdn_interrupt = 0;
        wake_drain();
        int rc = core_run(I, src, C->globals, &last);
        if (rc == 0 && last.type != VAL_NIL) {
            char *s = val_repr(last);
            if (s) printf("%s\n", s);
            else fprintf(stderr, "<repl>: error: out of memory: the value is too large to show\n");
            free(s);
            mem_clear();
        }
        val_decref(last);
        fflush(stdout);
        fflush(stderr);
        if (term_requested) {
            status = 128 + SIGTERM;
            break;
        }
        status = 0;
    }
    repl_input_reset(&in);
    for (int k = 0; k < 2; k++) {
        int fd = wake_pipe[k];
        wake_pipe[k] = -1;
        if (fd >= 0) close(fd);
    }
    cands_clear();
    free(cands);
    cands = NULL;
    capcands = 0;
    if (history_path) {
        history_truncate_file(history_path, HISTORY_MAX);
        free(history_path);
        history_path = NULL;
    }
    clear_history();
    return status;
}
