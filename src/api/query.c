#include "api/query.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

void query_init(struct query *q)
{
    q->params = NULL;
    q->n = 0;
    q->cap = 0;
}

void query_destroy(struct query *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->n; i++) {
        free(q->params[i].key);
        free(q->params[i].value);
    }
    free(q->params);
    query_init(q);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long query_decode_component(const char *in, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '+') {
            out[o++] = ' ';
        } else if (c == '%') {
            if (i + 2 >= len)
                return -1;
            int hi = hexval(in[i + 1]), lo = hexval(in[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = c;
        }
    }
    out[o] = '\0';
    /* An embedded NUL would silently truncate a value; treat it as malformed. */
    if (memchr(out, '\0', o))
        return -1;
    return (long)o;
}

int query_parse(struct query *q, const char *data, size_t len)
{
    size_t i = 0;
    while (i < len) {
        const char *amp = memchr(data + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - data) : len;
        if (end > i) {
            const char *eq = memchr(data + i, '=', end - i);
            size_t klen = eq ? (size_t)(eq - (data + i)) : end - i;
            const char *vstart = eq ? eq + 1 : data + end;
            size_t vlen = (size_t)(data + end - vstart);
            char *k = xmalloc(klen + 1), *v = xmalloc(vlen + 1);
            if (klen == 0 || query_decode_component(data + i, klen, k) <= 0 ||
                query_decode_component(vstart, vlen, v) < 0) {
                free(k);
                free(v);
                return -EINVAL;
            }
            q->params = xgrow(q->params, &q->cap, q->n, sizeof *q->params);
            q->params[q->n].key = k;
            q->params[q->n].value = v;
            q->n++;
        }
        i = end + 1;
    }
    return 0;
}

static int param_cmp(const void *a, const void *b)
{
    const struct query_param *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    /* Stable order for duplicates: keep the earlier pointer first. */
    return (x < y) ? -1 : (x > y);
}

void query_finish(struct query *q)
{
    if (q->n > 1)
        qsort(q->params, q->n, sizeof *q->params, param_cmp);
}

/* First index whose key is >= key. */
static size_t lower_bound(const struct query *q, const char *key)
{
    size_t lo = 0, hi = q->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(q->params[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const char *query_get(const struct query *q, const char *key)
{
    size_t i = lower_bound(q, key);
    if (i < q->n && strcmp(q->params[i].key, key) == 0)
        return q->params[i].value;
    return NULL;
}

const char *query_getf(const struct query *q, const char *fmt, ...)
{
    char key[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(key, sizeof key, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof key)
        return NULL;
    return query_get(q, key);
}

bool query_has_prefix(const struct query *q, const char *prefix)
{
    size_t plen = strlen(prefix);
    size_t i = lower_bound(q, prefix);
    for (; i < q->n && strncmp(q->params[i].key, prefix, plen) == 0; i++) {
        char next = q->params[i].key[plen];
        if (next == '\0' || next == '.')
            return true;
    }
    return false;
}

size_t query_list_len(const struct query *q, const char *prefix)
{
    size_t n = 0;
    char member[256];
    size_t plen = strlen(prefix);
    if (plen + 22 > sizeof member)
        return 0;
    memcpy(member, prefix, plen);
    member[plen] = '.';
    for (;;) {
        /* "<prefix>.<n+1>", written without snprintf: lists are counted on every request. */
        char digits[21];
        size_t k = 0;
        for (size_t v = n + 1; v; v /= 10)
            digits[k++] = (char)('0' + v % 10);
        for (size_t i = 0; i < k; i++)
            member[plen + 1 + i] = digits[k - 1 - i];
        member[plen + 1 + k] = '\0';
        if (!query_has_prefix(q, member))
            return n;
        n++;
    }
}
