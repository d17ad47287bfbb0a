/* kernel.c: `rdn kernel CONNECTION_FILE`, a Jupyter kernel (messaging protocol 5.3) on the same
 * interpreter as the REPL. Five ZeroMQ sockets from the connection file: shell (requests, handled
 * on this thread, the interpreter's), control (interrupt and shutdown, on a thread of its own so
 * they arrive while a cell runs), iopub (status, outputs), stdin (bound, unused: rdn reads no
 * input) and heartbeat (echoed by zmq_proxy on a thread). Every message is signed with
 * HMAC-SHA256; one that is malformed or wrongly signed is logged to stderr and dropped.
 * Interrupts come as SIGINT (interrupt_mode "signal") or interrupt_request: both only set
 * rdn_interrupt, so a cell stops like Ctrl-C in the REPL and every variable stays. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <nettle/hmac.h>
#include <zmq.h>
#include "kernel.h"
#include "repl.h"
#include "tensor.h"
#include "version.h"

static const char DELIM[] = "<IDS|MSG>";

static void klog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void klog(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("rdn kernel: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fflush(stderr);
    va_end(ap);
}

/* ---- ids, dates, signatures ---- */

static void new_uuid(char out[37])
{
    unsigned char b[16];
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(b, 1, sizeof b, f) != sizeof b) {
        struct timeval tv;
        gettimeofday(&tv, NULL);
        uint64_t x = (uint64_t)tv.tv_sec * 1000003u ^ (uint64_t)tv.tv_usec ^ (uint64_t)getpid() << 20;
        for (int i = 0; i < 16; i++) { x = x * 6364136223846793005ull + 1442695040888963407ull; b[i] = (unsigned char)(x >> 56); }
    }
    if (f) fclose(f);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

static void now_iso(char out[40])
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char d[32];
    strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 40, "%s.%06ldZ", d, (long)tv.tv_usec);
}

/* hex HMAC-SHA256 of the four JSON parts */
static void sign(const Kernel *K, const char *const part[4], const size_t len[4], char hex[65])
{
    struct hmac_sha256_ctx h;
    uint8_t d[SHA256_DIGEST_SIZE];
    hmac_sha256_set_key(&h, K->keylen, (const uint8_t *)K->key);
    for (int i = 0; i < 4; i++) hmac_sha256_update(&h, len[i], (const uint8_t *)part[i]);
    hmac_sha256_digest(&h, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

/* ---- receiving ---- */

static void msg_free(Msg *m)
{
    for (int i = 0; i < m->nids; i++) free(m->ids[i]);
    free(m->ids);
    free(m->idlens);
    json_decref(m->header);
    json_decref(m->parent);
    json_decref(m->metadata);
    json_decref(m->content);
    memset(m, 0, sizeof *m);
}

typedef struct Frames { char **b; size_t *n; int k, cap; } Frames;

static void frames_free(Frames *f)
{
    for (int i = 0; i < f->k; i++) free(f->b[i]);
    free(f->b);
    free(f->n);
}

/* Every frame of one multipart message; -1 on a socket error. */
static int recv_frames(void *sock, Frames *f)
{
    memset(f, 0, sizeof *f);
    int more = 1;
    while (more) {
        zmq_msg_t z;
        zmq_msg_init(&z);
        if (zmq_msg_recv(&z, sock, 0) < 0) {
            zmq_msg_close(&z);
            if (errno == EINTR && f->k > 0) continue;
            frames_free(f);
            return -1;
        }
        if (f->k == f->cap) {
            f->cap = f->cap ? 2 * f->cap : 8;
            f->b = realloc(f->b, sizeof *f->b * (size_t)f->cap);
            f->n = realloc(f->n, sizeof *f->n * (size_t)f->cap);
            if (!f->b || !f->n) abort();
        }
        size_t n = zmq_msg_size(&z);
        char *b = malloc(n + 1);
        if (!b) abort();
        memcpy(b, zmq_msg_data(&z), n);
        b[n] = 0;
        f->b[f->k] = b;
        f->n[f->k++] = n;
        more = zmq_msg_more(&z);
        zmq_msg_close(&z);
    }
    return 0;
}

static json_t *parse_part(const char *b, size_t n)
{
    json_t *j = json_loadb(b, n, 0, NULL);
    if (j && !json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* One message from sock: 0 ok, 1 dropped (logged: malformed or wrongly signed), -1 no message. */
static int msg_recv(Kernel *K, void *sock, const char *chan, Msg *m)
{
    memset(m, 0, sizeof *m);
    Frames f;
    if (recv_frames(sock, &f)) return -1;
    int d = 0;
    while (d < f.k && !(f.n[d] == sizeof DELIM - 1 && memcmp(f.b[d], DELIM, f.n[d]) == 0)) d++;
    const char *why = NULL;
    if (d == f.k || f.k < d + 6) why = "not a Jupyter message (too few parts)";
    if (!why && K->keylen) {
        char hex[65];
        const char *part[4] = {f.b[d + 2], f.b[d + 3], f.b[d + 4], f.b[d + 5]};
        size_t len[4] = {f.n[d + 2], f.n[d + 3], f.n[d + 4], f.n[d + 5]};
        sign(K, part, len, hex);
        int diff = f.n[d + 1] != 64;
        for (int i = 0; i < 64 && !diff; i++) diff |= hex[i] != f.b[d + 1][i];
        if (diff) why = "wrong signature";
    }
    if (!why) {
        m->header = parse_part(f.b[d + 2], f.n[d + 2]);
        m->parent = parse_part(f.b[d + 3], f.n[d + 3]);
        m->metadata = parse_part(f.b[d + 4], f.n[d + 4]);
        m->content = parse_part(f.b[d + 5], f.n[d + 5]);
        m->type = m->header ? json_string_value(json_object_get(m->header, "msg_type")) : NULL;
        if (!m->header || !m->parent || !m->metadata || !m->content || !m->type) why = "malformed JSON";
    }
    if (why) {
        klog("dropped a message on %s: %s", chan, why);
        msg_free(m);
        frames_free(&f);
        return 1;
    }
    m->nids = d;
    m->ids = calloc((size_t)d + 1, sizeof *m->ids);
    m->idlens = calloc((size_t)d + 1, sizeof *m->idlens);
    if (!m->ids || !m->idlens) abort();
    for (int i = 0; i < d; i++) {
        m->ids[i] = f.b[i];
        m->idlens[i] = f.n[i];
        f.b[i] = NULL;
    }
    frames_free(&f);
    return 0;
}

/* ---- sending ---- */

/* Sends type with content (stolen) on sock: to req's identities (or the topic), as its reply. */
static void msg_send(Kernel *K, void *sock, const Msg *req, const json_t *parent, const char *topic,
                     const char *type, json_t *content)
{
    char id[37], date[40];
    new_uuid(id);
    now_iso(date);
    json_t *h = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "msg_id", id, "session", K->session,
                          "username", "rdn", "date", date, "msg_type", type, "version", "5.3");
    char *part[4];
    part[0] = json_dumps(h, JSON_COMPACT);
    part[1] = json_dumps(parent ? parent : json_object(), JSON_COMPACT);
    part[2] = strdup("{}");
    part[3] = json_dumps(content, JSON_COMPACT);
    json_decref(h);
    json_decref(content);
    if (!part[0] || !part[1] || !part[2] || !part[3]) {
        klog("cannot encode a %s message", type);
        for (int i = 0; i < 4; i++) free(part[i]);
        return;
    }
    size_t len[4];
    for (int i = 0; i < 4; i++) len[i] = strlen(part[i]);
    char hex[65] = "";
    if (K->keylen) sign(K, (const char *const *)part, len, hex);
    if (req)
        for (int i = 0; i < req->nids; i++) zmq_send(sock, req->ids[i], req->idlens[i], ZMQ_SNDMORE);
    else if (topic)
        zmq_send(sock, topic, strlen(topic), ZMQ_SNDMORE);
    zmq_send(sock, DELIM, sizeof DELIM - 1, ZMQ_SNDMORE);
    zmq_send(sock, hex, strlen(hex), ZMQ_SNDMORE);
    for (int i = 0; i < 4; i++) {
        zmq_send(sock, part[i], len[i], i < 3 ? ZMQ_SNDMORE : 0);
        free(part[i]);
    }
}

void kernel_publish(Kernel *K, const json_t *parent, const char *type, json_t *content)
{
    char topic[64];
    snprintf(topic, sizeof topic, "kernel.%.8s.%s", K->session, type);
    pthread_mutex_lock(&K->iopub_lock);
    msg_send(K, K->iopub, NULL, parent, topic, type, content);
    pthread_mutex_unlock(&K->iopub_lock);
}

static void status(Kernel *K, const json_t *parent, const char *state)
{
    kernel_publish(K, parent, "status", json_pack("{s:s}", "execution_state", state));
}

static void reply(Kernel *K, void *sock, const Msg *req, const char *type, json_t *content)
{
    msg_send(K, sock, req, req->header, NULL, type, content);
}

/* ---- requests ---- */

static json_t *kernel_info(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:s, s:[]}", "status", "ok",
                     "protocol_version", "5.3", "implementation", "rdn", "implementation_version",
                     RDN_VERSION, "language_info", "name", "rdn", "version", RDN_VERSION, "mimetype",
                     "text/x-rdn", "file_extension", ".rdn", "banner",
                     "rdn " RDN_VERSION ": help() lists the builtins, help(name) shows one "
                     "(Shift-Tab on a name in a notebook).",
                     "help_links");
}

/* byte offset of code point cp in s (UTF-8), and back */
static size_t byte_at(const char *s, long cp)
{
    size_t i = 0;
    for (long c = 0; s[i] && c < cp; c++) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80) i++;
    }
    return i;
}

static long cp_at(const char *s, size_t b)
{
    long c = 0;
    for (size_t i = 0; i < b && s[i]; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static int is_word(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }

static const char *content_str(const Msg *m, const char *key)
{
    const char *s = json_string_value(json_object_get(m->content, key));
    return s ? s : "";
}

/* The located message of a failed cell, split into lines (the traceback), its first line's
 * message (evalue), and ename from the exit status. */
static json_t *error_content(int rc, const char *text, int count)
{
    const char *ename = rc == ERR_INTERRUPT ? "Interrupted" : rc == ERR_USAGE ? "SyntaxError" : "Error";
    json_t *tb = json_array();
    char *evalue = NULL;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = kout_utf8(p, n);
        if (!evalue) {
            const char *e = strstr(line, "error: ");
            evalue = strdup(e ? e + 7 : line);
        }
        json_array_append_new(tb, json_string(line));
        free(line);
        p += n + (nl ? 1 : 0);
    }
    json_t *c = json_pack("{s:s, s:s, s:s, s:o}", "status", "error", "ename", ename, "evalue",
                          evalue ? evalue : ename, "traceback", tb);
    if (count >= 0) json_object_set_new(c, "execution_count", json_integer(count));
    free(evalue);
    return c;
}

static void do_execute(Kernel *K, const Msg *m)
{
    Interp *I = K->I;
    Core *C = core_of(I);
    const char *code = content_str(m, "code");
    int silent = json_is_true(json_object_get(m->content, "silent"));
    json_t *sh = json_object_get(m->content, "store_history");
    int store = !silent && (sh ? json_is_true(sh) : 1);
    if (store) K->count++;
    int count = K->count;
    if (!silent)
        kernel_publish(K, m->header, "execute_input", json_pack("{s:s, s:i}", "code", code, "execution_count", count));
    char name[48];
    snprintf(name, sizeof name, "cell[%d]", count);
    Source *src = source_new(I, name, code, strlen(code));
    char *etext = NULL;
    size_t elen = 0;
    FILE *errs = open_memstream(&etext, &elen);
    FILE *saved = C->errf;
    if (errs) C->errf = errs;
    K->parent = m->header;
    Value last = VNIL;
    rdn_interrupt = 0;
    int rc = core_run(I, src, C->globals, &last);
    rdn_interrupt = 0;
    kout_flush(K);
    C->errf = saved;
    if (errs) fclose(errs);
    if (rc == 0 && last.type != VAL_NIL && !silent) {
        json_t *data = kout_value_data(last);
        if (data)
            kernel_publish(K, m->header, "execute_result",
                           json_pack("{s:i, s:o, s:{}}", "execution_count", count, "data", data, "metadata"));
    }
    val_decref(last);
    K->parent = NULL;
    if (rc != 0) {
        const char *t = etext && *etext ? etext : "error\n";
        kernel_publish(K, m->header, "error", error_content(rc, t, -1));
        reply(K, K->shell, m, "execute_reply", error_content(rc, t, count));
    } else {
        reply(K, K->shell, m, "execute_reply",
              json_pack("{s:s, s:i, s:[], s:{}}", "status", "ok", "execution_count", count, "payload",
                        "user_expressions"));
    }
    free(etext);
}

static void do_is_complete(Kernel *K, const Msg *m)
{
    const char *code = content_str(m, "code");
    Source *src = source_new(K->I, "<cell>", code, strlen(code));
    int st = repl_input_state(K->I, src);
    json_t *c = json_pack("{s:s}", "status", st == INPUT_COMPLETE ? "complete" : st == INPUT_INCOMPLETE ? "incomplete" : "invalid");
    if (st == INPUT_INCOMPLETE) json_object_set_new(c, "indent", json_string(""));
    reply(K, K->shell, m, "is_complete_reply", c);
}

static void do_complete(Kernel *K, const Msg *m)
{
    const char *code = content_str(m, "code");
    json_int_t cp = json_integer_value(json_object_get(m->content, "cursor_pos"));
    size_t cur = cp < 0 ? 0 : byte_at(code, (long)cp);
    char **matches;
    int start;
    int n = repl_complete(K->I, code, (int)cur, &start, &matches);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        json_array_append_new(arr, json_string(matches[i]));
        free(matches[i]);
    }
    free(matches);
    reply(K, K->shell, m, "complete_reply",
          json_pack("{s:o, s:i, s:i, s:{}, s:s}", "matches", arr, "cursor_start", (json_int_t)cp_at(code, (size_t)start),
                    "cursor_end", (json_int_t)cp_at(code, cur), "metadata", "status", "ok"));
}

/* help(name) for the name at the cursor (or the call the cursor is in). */
static void do_inspect(Kernel *K, const Msg *m)
{
    Interp *I = K->I;
    Core *C = core_of(I);
    const char *code = content_str(m, "code");
    json_int_t cp = json_integer_value(json_object_get(m->content, "cursor_pos"));
    size_t cur = cp < 0 ? 0 : byte_at(code, (long)cp), b = cur, e = cur;
    while (b > 0 && is_word(code[b - 1])) b--;
    while (code[e] && is_word(code[e])) e++;
    if (b == e) {                                /* just after "name(": the callee */
        size_t k = cur;
        while (k > 0 && code[k - 1] == ' ') k--;
        if (k > 0 && code[k - 1] == '(') {
            e = k - 1;
            b = e;
            while (b > 0 && is_word(code[b - 1])) b--;
        }
    }
    char *text = NULL;
    size_t tlen = 0;
    int found = 0;
    if (b < e && e - b < 128 && !(code[b] >= '0' && code[b] <= '9')) {
        char call[160];
        snprintf(call, sizeof call, "help(%.*s)\n", (int)(e - b), code + b);
        Source *src = source_new(I, "<inspect>", call, strlen(call));
        char *junk = NULL;
        size_t jlen = 0;
        FILE *out = open_memstream(&text, &tlen), *errs = open_memstream(&junk, &jlen);
        if (out && errs) {
            FILE *saved_out = I->out_print, *saved_err = C->errf;
            I->out_print = out;
            C->errf = errs;
            Value last = VNIL;
            found = core_run(I, src, C->globals, &last) == 0;
            val_decref(last);
            I->out_print = saved_out;
            C->errf = saved_err;
        }
        if (out) fclose(out);
        if (errs) fclose(errs);
        free(junk);
    }
    json_t *data = json_object();
    if (found && text) {
        char *t = kout_utf8(text, tlen);
        json_object_set_new(data, "text/plain", json_string(t));
        free(t);
    }
    free(text);
    reply(K, K->shell, m, "inspect_reply",
          json_pack("{s:s, s:b, s:o, s:{}}", "status", "ok", "found", found, "data", data, "metadata"));
}

static void do_shutdown(Kernel *K, void *sock, const Msg *m)
{
    int restart = json_is_true(json_object_get(m->content, "restart"));
    reply(K, sock, m, "shutdown_reply", json_pack("{s:s, s:b}", "status", "ok", "restart", restart));
    K->stop = 1;
    rdn_interrupt = 1;                           /* a cell still running stops */
}

static void handle_shell(Kernel *K, const Msg *m)
{
    status(K, m->header, "busy");
    const char *t = m->type;
    if (strcmp(t, "kernel_info_request") == 0) reply(K, K->shell, m, "kernel_info_reply", kernel_info());
    else if (strcmp(t, "execute_request") == 0) do_execute(K, m);
    else if (strcmp(t, "is_complete_request") == 0) do_is_complete(K, m);
    else if (strcmp(t, "complete_request") == 0) do_complete(K, m);
    else if (strcmp(t, "inspect_request") == 0) do_inspect(K, m);
    else if (strcmp(t, "history_request") == 0)
        reply(K, K->shell, m, "history_reply", json_pack("{s:s, s:[]}", "status", "ok", "history"));
    else if (strcmp(t, "comm_info_request") == 0)
        reply(K, K->shell, m, "comm_info_reply", json_pack("{s:s, s:{}}", "status", "ok", "comms"));
    else if (strcmp(t, "shutdown_request") == 0) do_shutdown(K, K->shell, m);
    else klog("ignored a %s on shell (not supported)", t);
    status(K, m->header, "idle");
}

/* ---- the control and heartbeat threads ---- */

static void *control_main(void *p)
{
    Kernel *K = p;
    while (!K->stop) {
        zmq_pollitem_t it = {K->control, 0, ZMQ_POLLIN, 0};
        int r = zmq_poll(&it, 1, 200);
        if (r <= 0 || !(it.revents & ZMQ_POLLIN)) continue;
        Msg m;
        if (msg_recv(K, K->control, "control", &m) != 0) continue;
        status(K, m.header, "busy");
        if (strcmp(m.type, "interrupt_request") == 0) {
            rdn_interrupt = 1;
            reply(K, K->control, &m, "interrupt_reply", json_pack("{s:s}", "status", "ok"));
        } else if (strcmp(m.type, "shutdown_request") == 0) {
            do_shutdown(K, K->control, &m);
        } else if (strcmp(m.type, "kernel_info_request") == 0) {
            reply(K, K->control, &m, "kernel_info_reply", kernel_info());
        } else {
            klog("ignored a %s on control (not supported)", m.type);
        }
        status(K, m.header, "idle");
        msg_free(&m);
    }
    return NULL;
}

static void *heartbeat_main(void *p)
{
    Kernel *K = p;
    zmq_proxy(K->hb, K->hb, NULL);               /* returns when the context shuts down */
    zmq_close(K->hb);
    return NULL;
}

/* SIGINT (interrupt_mode "signal") only asks the running cell to stop: the kernel never exits
 * on it, however often it comes. */
static void on_sigint(int sig)
{
    (void)sig;
    rdn_interrupt = 1;
}

/* ---- the connection file ---- */

static int conn_error(const char *path, const char *what)
{
    fprintf(stderr, "rdn: error: kernel: connection file '%s': %s\n", path, what);
    return ERR_USAGE;
}

static void *bind_socket(Kernel *K, int type, const char *transport, const char *ip, json_t *conn,
                         const char *key, const char *path, int *rc)
{
    if (*rc) return NULL;
    json_t *pj = json_object_get(conn, key);
    char msg[600];
    if (!json_is_integer(pj) || json_integer_value(pj) <= 0 || json_integer_value(pj) > 65535) {
        snprintf(msg, sizeof msg, "'%s' must be a port number from 1 to 65535", key);
        *rc = conn_error(path, msg);
        return NULL;
    }
    char ep[300];
    if (strcmp(transport, "ipc") == 0) snprintf(ep, sizeof ep, "ipc://%s-%lld", ip, (long long)json_integer_value(pj));
    else snprintf(ep, sizeof ep, "tcp://%s:%lld", ip, (long long)json_integer_value(pj));
    void *s = zmq_socket(K->ctx, type);
    int linger = 1000;
    if (s) zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (!s || zmq_bind(s, ep) != 0) {
        snprintf(msg, sizeof msg, "cannot listen on %s (%s): %s", ep, key, zmq_strerror(errno));
        if (s) zmq_close(s);
        *rc = conn_error(path, msg);
        return NULL;
    }
    return s;
}

static int kernel_run(const char *path, int small_stack)
{
    json_error_t jerr;
    json_t *conn = json_load_file(path, 0, &jerr);
    if (!conn) {
        if (access(path, R_OK) != 0) return conn_error(path, strerror(errno));
        char msg[300];
        snprintf(msg, sizeof msg, "not JSON (line %d: %s)", jerr.line, jerr.text);
        return conn_error(path, msg);
    }
    if (!json_is_object(conn)) { json_decref(conn); return conn_error(path, "not a JSON object"); }
    const char *transport = json_string_value(json_object_get(conn, "transport"));
    const char *ip = json_string_value(json_object_get(conn, "ip"));
    const char *key = json_string_value(json_object_get(conn, "key"));
    const char *scheme = json_string_value(json_object_get(conn, "signature_scheme"));
    if (!transport) transport = "tcp";
    int rc = 0;
    if (strcmp(transport, "tcp") != 0 && strcmp(transport, "ipc") != 0) rc = conn_error(path, "transport must be \"tcp\" or \"ipc\"");
    else if (!ip || !*ip) rc = conn_error(path, "no \"ip\"");
    else if (!key) rc = conn_error(path, "no \"key\" (a string; empty for unsigned messages)");
    else if (scheme && strcmp(scheme, "hmac-sha256") != 0) rc = conn_error(path, "signature_scheme must be \"hmac-sha256\"");
    if (rc) { json_decref(conn); return rc; }

    Kernel K = {0};
    K.key = strdup(key);
    K.keylen = strlen(key);
    new_uuid(K.session);
    pthread_mutex_init(&K.iopub_lock, NULL);
    K.ctx = zmq_ctx_new();
    K.shell = bind_socket(&K, ZMQ_ROUTER, transport, ip, conn, "shell_port", path, &rc);
    K.control = bind_socket(&K, ZMQ_ROUTER, transport, ip, conn, "control_port", path, &rc);
    K.iopub = bind_socket(&K, ZMQ_PUB, transport, ip, conn, "iopub_port", path, &rc);
    K.stdin_sock = bind_socket(&K, ZMQ_ROUTER, transport, ip, conn, "stdin_port", path, &rc);
    K.hb = bind_socket(&K, ZMQ_REP, transport, ip, conn, "hb_port", path, &rc);
    json_decref(conn);
    if (rc) {
        void *socks[] = {K.shell, K.control, K.iopub, K.stdin_sock, K.hb};
        for (int i = 0; i < 5; i++) if (socks[i]) zmq_close(socks[i]);
        zmq_ctx_term(K.ctx);
        free(K.key);
        return rc;
    }

    Interp I = {0};
    if (core_init(&I)) return ERR_RUNTIME;
    if (small_stack) {
        core_of(&I)->max_depth = 3000;
        core_of(&I)->max_calls = 300;
    }
    I.progress_tty = 1;                          /* the notebook redraws a line on '\r' */
    rdn_blas_set_threads(0);
    I.threads = rdn_blas_threads();
    if (I.threads < 1) I.threads = 1;
    RdnErr err = {0};
    if (rdn_out_init(&I.out, ".", &err) != RDN_OK) {
        fprintf(stderr, "rdn: error: kernel: the working folder: %s\n", err.msg);
        return ERR_USAGE;
    }
    K.I = &I;
    kout_init(&K);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    /* the helper threads never take SIGINT: it interrupts the interpreter's thread */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    pthread_t hb_th, ctl_th;
    int hb_ok = pthread_create(&hb_th, NULL, heartbeat_main, &K) == 0;
    int ctl_ok = pthread_create(&ctl_th, NULL, control_main, &K) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!hb_ok || !ctl_ok) {
        klog("cannot start the heartbeat or control thread");
        K.stop = 1;
    }
    status(&K, NULL, "starting");
    klog("ready (pid %d)", (int)getpid());

    while (!K.stop) {
        zmq_pollitem_t it = {K.shell, 0, ZMQ_POLLIN, 0};
        int r = zmq_poll(&it, 1, 200);
        if (r <= 0 || !(it.revents & ZMQ_POLLIN)) continue;
        Msg m;
        if (msg_recv(&K, K.shell, "shell", &m) != 0) continue;
        handle_shell(&K, &m);
        msg_free(&m);
    }

    if (ctl_ok) pthread_join(ctl_th, NULL);
    zmq_close(K.shell);
    zmq_close(K.control);
    zmq_close(K.stdin_sock);
    pthread_mutex_lock(&K.iopub_lock);
    zmq_close(K.iopub);
    K.iopub = NULL;
    pthread_mutex_unlock(&K.iopub_lock);
    zmq_ctx_shutdown(K.ctx);                     /* ends the heartbeat's proxy */
    if (hb_ok) pthread_join(hb_th, NULL);
    else zmq_close(K.hb);
    zmq_ctx_term(K.ctx);
    kout_init(NULL);
    rdn_out_free(&I.out);
    core_free(&I);
    free(K.key);
    pthread_mutex_destroy(&K.iopub_lock);
    klog("shut down");
    return 0;
}

int kernel_main(int argc, char **argv, int small_stack)
{
    if (argc >= 2 && strcmp(argv[1], "--install") == 0) return kernel_install(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "--export") == 0) {
        if (argc != 3) {
            fprintf(stderr, "rdn: error: usage: rdn kernel --export NOTEBOOK.ipynb > FILE.rdn\n");
            return ERR_USAGE;
        }
        return kernel_export(argv[2], stdout);
    }
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "rdn: error: usage: rdn kernel CONNECTION_FILE | --install [--user | --prefix DIR] | "
                        "--export NOTEBOOK.ipynb\n");
        return ERR_USAGE;
    }
    return kernel_run(argv[1], small_stack);
}
