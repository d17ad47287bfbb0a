/* test_net_io.c: model files: bit-for-bit round trip; every flipped byte, every truncation and
 * lying header fields (with a valid CRC) are clear errors, never a crash. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "check.h"
#include "net.h"

static uint8_t *image(const Net *net, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    RdnErr err;
    CHECK(rdn_net_write(net, f, &err) == 0, "%s", err.msg);
    fclose(f);
    return (uint8_t *)buf;
}

static void fix_crc(uint8_t *b, size_t len)
{
    uint32_t c = (uint32_t)crc32_z(crc32(0L, Z_NULL, 0), b, len - 4);
    for (int i = 0; i < 4; i++) b[len - 4 + i] = (uint8_t)(c >> (8 * i));
}

static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }

static void roundtrip(const NetSpec *sp, const char *prov)
{
    RdnErr err;
    Net *net = rdn_net_new(sp, &err);
    for (int64_t i = 0; i < net->nparams; i++) net->params[i] *= 1.0f + 1e-3f * (float)i; /* not just the init */
    if (prov) net->provenance = strdup(prov);
    size_t len;
    uint8_t *b = image(net, &len);
    Net *back = rdn_net_read(b, len, &err);
    CHECK(back != NULL, "%s", err.msg);
    if (back) {
        CHECK(back->kind == net->kind && back->act == net->act && back->in == net->in && back->width == net->width &&
              back->depth == net->depth && back->classes == net->classes && back->shared == net->shared &&
              back->embed == net->embed && back->step == net->step && back->init_seed == net->init_seed, "sizes");
        CHECK(back->nparams == net->nparams && memcmp(back->params, net->params, sizeof(float) * net->nparams) == 0, "params bit for bit");
        CHECK((!prov && !back->provenance) || (prov && back->provenance && strcmp(prov, back->provenance) == 0), "provenance");
        size_t len2;
        uint8_t *b2 = image(back, &len2);
        CHECK(len2 == len && memcmp(b, b2, len) == 0, "rewritten file identical");
        free(b2);
        rdn_net_free(back);
    }
    /* every single flipped byte is refused */
    int refused = 0, crcmsg = 0;
    for (size_t i = 0; i < len; i++) {
        b[i] ^= 0x5a;
        Net *x = rdn_net_read(b, len, &err);
        if (!x) refused++, crcmsg += strstr(err.msg, "corrupted") != NULL || strstr(err.msg, "magic") != NULL ||
                               (i >= 8 && i < 12 && strstr(err.msg, "version") != NULL);
        rdn_net_free(x);
        b[i] ^= 0x5a;
    }
    CHECK(refused == (int)len && crcmsg == (int)len, "flipped bytes: %d of %zu refused, %d with a CRC/magic message", refused, len, crcmsg);
    /* every truncation is refused */
    refused = 0;
    for (size_t l = 0; l < len; l++) {
        uint8_t *t = malloc(l ? l : 1);
        memcpy(t, b, l);
        Net *x = rdn_net_read(t, l, &err);
        refused += x == NULL;
        rdn_net_free(x);
        free(t);
    }
    CHECK(refused == (int)len, "truncations: %d of %zu refused", refused, len);
    free(b);
    rdn_net_free(net);
}

static void lies(void)
{
    NetSpec sp = {NET_RESNET, 4, 6, 3, 3, ACT_TANH, 1, 0.5f, 9};
    RdnErr err;
    Net *net = rdn_net_new(&sp, &err);
    size_t len;
    uint8_t *b = image(net, &len);
    struct { int off; uint32_t val; const char *msg; } cases[] = {
        {8, 3, "version"}, {12, 7, "kind"}, {16, 9, "activation"}, {20, 8, "flags"},
        {20, 0, "embedding"}, {24, 0, "in"}, {28, 0x7fffffff, "width"}, {32, 0, "depth"},
        {36, 1, "classes"}, {28, 5, "parameters"}, {32, 2000000, "depth"},
        {52, 0xffffffff, "parameters"}, {56, 0xffffffff, "parameters"}, {60, 5, "length"}, {64, 0x80000000, "length"},
        {40, 0x7fc00000, "step"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        uint8_t *t = malloc(len);
        memcpy(t, b, len);
        put32(t + cases[c].off, cases[c].val);
        fix_crc(t, len);
        Net *x = rdn_net_read(t, len, &err);
        CHECK(x == NULL && strstr(err.msg, cases[c].msg), "lie %zu (offset %d): %s", c, cases[c].off, x ? "accepted" : err.msg);
        rdn_net_free(x);
        free(t);
    }
    /* an MLP claiming shared layers */
    NetSpec ms = {NET_MLP, 4, 4, 2, 3, ACT_TANH, 0, 1.0f, 9};
    Net *m = rdn_net_new(&ms, &err);
    size_t ml;
    uint8_t *mb = image(m, &ml);
    put32(mb + 20, 1);
    fix_crc(mb, ml);
    Net *x = rdn_net_read(mb, ml, &err);
    CHECK(x == NULL && strstr(err.msg, "MLP"), "shared mlp: %s", x ? "accepted" : err.msg);
    rdn_net_free(x);
    put32(mb + 20, 0);
    put32(mb + 32, 5); /* an unshared depth needing more layers than stored */
    fix_crc(mb, ml);
    x = rdn_net_read(mb, ml, &err);
    CHECK(x == NULL && strstr(err.msg, "parameters"), "unshared depth lie: %s", x ? "accepted" : err.msg);
    rdn_net_free(x);
    CHECK(rdn_net_read((const uint8_t *)"hello", 5, &err) == NULL && strstr(err.msg, "not an rdn model"), "%s", err.msg);
    free(mb); free(b);
    rdn_net_free(m); rdn_net_free(net);
}

int main(void)
{
    NetSpec a = {NET_RESNET, 5, 5, 4, 3, ACT_LOGISTIC, 1, 1.0f, 1};
    NetSpec b = {NET_RESNET, 3, 7, 3, 4, ACT_RELU, 0, 0.25f, 2};
    NetSpec c = {NET_MLP, 6, 4, 2, 2, ACT_TANH, 0, 1.0f, 3};
    roundtrip(&a, "{\"script\": \"x.rdn\", \"seed\": 1}");
    roundtrip(&b, NULL);
    roundtrip(&c, "{}");
    lies();
    return DONE();
}
