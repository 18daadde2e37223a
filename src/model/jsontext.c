#include "model/jsontext.h"

#include "model/model.h"

#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4, within avail bytes), or 0 when it is not
 * one; the rules are jansson's (no overlongs, no surrogates, nothing above U+10FFFF), so text
 * it would refuse is refused here too. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
    unsigned char c = s[0];
    size_t n;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n > avail)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

static void jt_string_n(struct res_text *t, const char *s, size_t n)
{
    static const char hexd[] = "0123456789abcdef";
    struct strbuf *sb = &t->sb;
    /* Most values (ids, CIDRs, names) are plain ASCII with nothing to escape: one append. */
    size_t plain = 0;
    while (plain < n && (unsigned char)s[plain] >= 0x20 && (unsigned char)s[plain] < 0x80 &&
           s[plain] != '"' && s[plain] != '\\')
        plain++;
    if (plain == n && n < 256) {
        char q[258];
        q[0] = '"';
        memcpy(q + 1, s, n);
        q[n + 1] = '"';
        strbuf_append(sb, q, n + 2);
        return;
    }
    size_t run = 0;
    strbuf_append(sb, "\"", 1);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            size_t k = utf8_seq((const unsigned char *)s + i, n - i);
            if (!k) {
                t->bad = true;
                return;
            }
            i += k;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        strbuf_append(sb, s + run, i - run);
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            strbuf_append(sb, esc, 2);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hexd[c >> 4], hexd[c & 15]};
            strbuf_append(sb, esc, 6);
        }
        run = ++i;
    }
    strbuf_append(sb, s + run, n - run);
    strbuf_append(sb, "\"", 1);
}

void jt_string(struct res_text *t, const char *s)
{
    jt_string_n(t, s, strlen(s));
}

static void jt_key(struct jt *o, const char *key)
{
    /* Keys are the encoders' own short literals: plain ASCII, nothing to escape. */
    char buf[64];
    size_t n = strlen(key), k = 0;
    if (n > sizeof buf - 4) {
        if (!o->first)
            strbuf_append(&o->t->sb, ",", 1);
        o->first = false;
        jt_string_n(o->t, key, n);
        strbuf_append(&o->t->sb, ":", 1);
        return;
    }
    if (!o->first)
        buf[k++] = ',';
    o->first = false;
    buf[k++] = '"';
    memcpy(buf + k, key, n);
    k += n;
    buf[k++] = '"';
    buf[k++] = ':';
    strbuf_append(&o->t->sb, buf, k);
}

void jt_begin(struct jt *o, struct res_text *t)
{
    o->t = t;
    o->first = true;
    strbuf_append(&t->sb, "{", 1);
}

void jt_end(struct jt *o)
{
    strbuf_append(&o->t->sb, "}", 1);
}

void jt_str(struct jt *o, const char *key, const char *value)
{
    jt_key(o, key);
    jt_string(o->t, value);
}

void jt_int(struct jt *o, const char *key, long long value)
{
    jt_key(o, key);
    char buf[24], *e = buf + sizeof buf, *p = e;
    /* Through unsigned, so the most negative value does not overflow. */
    unsigned long long u = value < 0 ? 0ULL - (unsigned long long)value : (unsigned long long)value;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (value < 0)
        *--p = '-';
    strbuf_append(&o->t->sb, p, (size_t)(e - p));
}

void jt_bool(struct jt *o, const char *key, bool value)
{
    jt_key(o, key);
    strbuf_puts(&o->t->sb, value ? "true" : "false");
}

void jt_json(struct jt *o, const char *key, json_t *value)
{
    jt_key(o, key);
    if (!value) {
        /* What json_pack() does with a value it could not build: the whole object fails. */
        o->t->bad = true;
        return;
    }
    jt_value(o->t, value);
    json_decref(value);
}

void jt_array_begin(struct jt *o, const char *key)
{
    jt_key(o, key);
    strbuf_append(&o->t->sb, "[", 1);
}

void jt_array_str(struct res_text *t, size_t index, const char *value)
{
    if (index)
        strbuf_append(&t->sb, ",", 1);
    jt_string(t, value);
}

void jt_array_end(struct res_text *t)
{
    strbuf_append(&t->sb, "]", 1);
}

void jt_tags(struct res_text *t, const struct tag_list *tags)
{
    strbuf_append(&t->sb, "{", 1);
    for (size_t i = 0; i < tags->n; i++) {
        if (i)
            strbuf_append(&t->sb, ",", 1);
        jt_string(t, tags->items[i].key);
        strbuf_append(&t->sb, ":", 1);
        jt_string(t, tags->items[i].value);
    }
    strbuf_append(&t->sb, "}", 1);
}

void jt_member_tags(struct jt *o, const char *key, const struct tag_list *tags)
{
    jt_key(o, key);
    jt_tags(o->t, tags);
}

void res_text_elem(struct res_text *t, int field)
{
    t->elem_done(t, field);
}

bool res_text_unchanged(struct res_text *t, int field, const void *raw, size_t len)
{
    return t->elem_unchanged && t->elem_unchanged(t, field, raw, len);
}

void jt_value(struct res_text *t, const json_t *v)
{
    struct strbuf *sb = &t->sb;
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *val;
        bool first = true;
        strbuf_append(sb, "{", 1);
        json_object_foreach((json_t *)v, key, val)
        {
            if (!first)
                strbuf_append(sb, ",", 1);
            first = false;
            jt_string(t, key);
            strbuf_append(sb, ":", 1);
            jt_value(t, val);
        }
        strbuf_append(sb, "}", 1);
        break;
    }
    case JSON_ARRAY:
        strbuf_append(sb, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                strbuf_append(sb, ",", 1);
            jt_value(t, json_array_get(v, i));
        }
        strbuf_append(sb, "]", 1);
        break;
    case JSON_STRING:
        jt_string_n(t, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER: {
        char num[32];
        int n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        strbuf_append(sb, num, (size_t)n);
        break;
    }
    case JSON_REAL: {
        /* %.17g round-trips a double; keep a '.' or exponent so it reads back as a real. */
        char num[40];
        int n = snprintf(num, sizeof num, "%.17g", json_real_value(v));
        strbuf_append(sb, num, (size_t)n);
        if (!strpbrk(num, ".eEn"))
            strbuf_append(sb, ".0", 2);
        break;
    }
    case JSON_TRUE:
        strbuf_append(sb, "true", 4);
        break;
    case JSON_FALSE:
        strbuf_append(sb, "false", 5);
        break;
    case JSON_NULL:
        strbuf_append(sb, "null", 4);
        break;
    }
}
