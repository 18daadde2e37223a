#include "store/record.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "model/model.h"

/* The smallest op: kind, seq and index, and nine empty or absent strings. A count that
 * would need more bytes than the record has is damage, not a big group. */
#define RECORD_MIN_OP (4 + 8 + 8 + 9 * 4)

void store_op_free(struct store_op *op)
{
    free(op->tags);
    free(op->body);
}

static void put_u32(struct strbuf *b, uint32_t v)
{
    strbuf_append(b, (const char *)&v, sizeof v);
}

static void put_u64(struct strbuf *b, uint64_t v)
{
    strbuf_append(b, (const char *)&v, sizeof v);
}

static void put_str(struct strbuf *b, const char *s)
{
    if (!s) {
        put_u32(b, UINT32_MAX);
        return;
    }
    size_t n = strlen(s);
    put_u32(b, (uint32_t)n);
    strbuf_append(b, s, n);
}

void store_record_encode(struct strbuf *b, const struct store_op *ops, size_t n)
{
    strbuf_reset(b);
    put_u32(b, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        const struct store_op *op = &ops[i];
        put_u32(b, (uint32_t)op->kind);
        put_u64(b, op->seq);
        put_u64(b, (uint64_t)op->idx);
        put_str(b, op->id);
        put_str(b, op->type);
        put_str(b, op->field);
        put_str(b, op->account);
        put_str(b, op->region);
        put_str(b, op->peer_account);
        put_str(b, op->peer_region);
        put_str(b, op->tags);
        put_str(b, op->body);
    }
}

struct record_reader {
    const unsigned char *p, *end;
    bool bad;
};

static uint64_t get_bytes(struct record_reader *r, size_t n)
{
    uint64_t v = 0;
    if ((size_t)(r->end - r->p) < n) {
        r->bad = true;
        return 0;
    }
    memcpy(&v, r->p, n);
    r->p += n;
    return v;
}

/* The string at the cursor: NULL for an absent one, else a copy owned by the caller. */
static char *get_str(struct record_reader *r, bool *absent)
{
    uint32_t n = (uint32_t)get_bytes(r, 4);
    *absent = n == UINT32_MAX;
    if (r->bad || *absent)
        return NULL;
    if ((size_t)(r->end - r->p) < n) {
        r->bad = true;
        return NULL;
    }
    char *s = xmalloc((size_t)n + 1);
    memcpy(s, r->p, n);
    s[n] = '\0';
    r->p += n;
    return s;
}

static void get_fixed(struct record_reader *r, char *out, size_t size)
{
    bool absent;
    char *s = get_str(r, &absent);
    if (s && strlen(s) < size)
        memcpy(out, s, strlen(s) + 1);
    else if (!absent)
        r->bad = true;
    free(s);
}

/* Class and field names are static strings of the class table: find the one named. */
static const char *static_name(struct record_reader *r, bool field)
{
    bool absent;
    char *s = get_str(r, &absent);
    const char *found = NULL;
    for (int t = 0; s && !found && t < RES__COUNT; t++) {
        const struct res_class *c = res_class_of((enum res_type)t);
        if (!field && strcmp(c->name, s) == 0)
            found = c->name;
        for (int f = 0; field && !found && f < STORE_MAX_SPLIT && c->split[f]; f++)
            if (strcmp(c->split[f], s) == 0)
                found = c->split[f];
    }
    if (!absent && !found)
        r->bad = true;
    free(s);
    return found;
}

int store_record_decode(const unsigned char *p, size_t len, struct store_op **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!p)
        return -EIO;
    struct record_reader r = {.p = p, .end = p + len};
    uint32_t n = (uint32_t)get_bytes(&r, 4);
    if (r.bad || n > len / RECORD_MIN_OP)
        return -EIO;
    struct store_op *ops = xcalloc(n ? n : 1, sizeof *ops);
    size_t got = 0;
    for (uint32_t i = 0; i < n && !r.bad; i++) {
        struct store_op *op = &ops[got++];
        uint32_t kind = (uint32_t)get_bytes(&r, 4);
        op->kind = (enum store_op_kind)kind;
        if (kind > STORE_OP_WIPE)
            r.bad = true;
        op->seq = get_bytes(&r, 8);
        op->idx = (long)get_bytes(&r, 8);
        get_fixed(&r, op->id, sizeof op->id);
        op->type = static_name(&r, false);
        op->field = static_name(&r, true);
        get_fixed(&r, op->account, sizeof op->account);
        get_fixed(&r, op->region, sizeof op->region);
        get_fixed(&r, op->peer_account, sizeof op->peer_account);
        get_fixed(&r, op->peer_region, sizeof op->peer_region);
        bool absent;
        op->tags = get_str(&r, &absent);
        op->body = get_str(&r, &absent);
        if ((op->kind == STORE_OP_ROW && !op->type) ||
            ((op->kind == STORE_OP_PART || op->kind == STORE_OP_PART_TRIM) && !op->field))
            r.bad = true;
    }
    if (r.bad || r.p != r.end) {
        for (size_t i = 0; i < got; i++)
            store_op_free(&ops[i]);
        free(ops);
        return -EIO;
    }
    *out = ops;
    *n_out = got;
    return 0;
}
