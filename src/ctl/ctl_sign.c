/* SigV4 signing, client side: canonical request, string to sign, derived key, signature. */
#include "ctl/ctl_sign.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "lib/xalloc.h"

#define CTL_SIGN_ALGORITHM "AWS4-HMAC-SHA256"
#define CTL_SIGN_TERMINATOR "aws4_request"

static void ctl_sign_hex(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int ctl_sign_hmac(const void *key, size_t key_len, const char *msg, size_t msg_len,
                         unsigned char out[SHA256_DIGEST_LENGTH])
{
    unsigned int len = 0;
    if (key_len > 4096)
        return -1;
    if (HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg, msg_len, out, &len) ==
            NULL ||
        len != SHA256_DIGEST_LENGTH)
        return -1;
    return 0;
}

static int ctl_sign_unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

void ctl_sign_uri_encode(struct strbuf *sb, const char *s)
{
    static const char digits[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (ctl_sign_unreserved(*p)) {
            strbuf_append(sb, (const char *)p, 1);
        } else {
            char esc[3] = {'%', digits[*p >> 4], digits[*p & 15]};
            strbuf_append(sb, esc, 3);
        }
    }
}

/* Non-S3 services sign each path segment encoded once more on top of how it was sent. */
static void ctl_sign_put_path(struct strbuf *b, const char *path)
{
    if (path == NULL || *path == '\0') {
        strbuf_puts(b, "/");
        return;
    }
    const char *p = path;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        char *seg = xstrndup(p, n);
        ctl_sign_uri_encode(b, seg);
        free(seg);
        if (!slash)
            break;
        strbuf_puts(b, "/");
        p = slash + 1;
    }
}

struct ctl_sign_pair {
    const char *name, *value;
    size_t name_len, value_len;
};

static int ctl_sign_pair_cmp(const void *a, const void *b)
{
    const struct ctl_sign_pair *x = a, *y = b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, n);
    if (c == 0 && x->name_len != y->name_len)
        c = x->name_len < y->name_len ? -1 : 1;
    if (c != 0)
        return c;
    n = x->value_len < y->value_len ? x->value_len : y->value_len;
    c = memcmp(x->value, y->value, n);
    if (c == 0 && x->value_len != y->value_len)
        c = x->value_len < y->value_len ? -1 : 1;
    return c;
}

/* The query's parameters sorted by name, then value, as the canonical request wants. */
static void ctl_sign_put_query(struct strbuf *b, const char *query)
{
    if (query == NULL || *query == '\0')
        return;
    size_t n = 1;
    for (const char *p = query; *p; p++)
        n += *p == '&';
    struct ctl_sign_pair *pairs = xcalloc(n, sizeof *pairs);
    size_t k = 0;
    const char *p = query;
    for (;;) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0) {
            const char *eq = memchr(p, '=', len);
            pairs[k].name = p;
            pairs[k].name_len = eq ? (size_t)(eq - p) : len;
            pairs[k].value = eq ? eq + 1 : p + len;
            pairs[k].value_len = eq ? len - pairs[k].name_len - 1 : 0;
            k++;
        }
        if (!end)
            break;
        p = end + 1;
    }
    qsort(pairs, k, sizeof *pairs, ctl_sign_pair_cmp);
    for (size_t i = 0; i < k; i++) {
        if (i > 0)
            strbuf_puts(b, "&");
        strbuf_append(b, pairs[i].name, pairs[i].name_len);
        strbuf_puts(b, "=");
        strbuf_append(b, pairs[i].value, pairs[i].value_len);
    }
    free(pairs);
}

struct ctl_sign_hdr {
    char name[64];
    const char *value;
};

static int ctl_sign_hdr_cmp(const void *a, const void *b)
{
    return strcmp(((const struct ctl_sign_hdr *)a)->name, ((const struct ctl_sign_hdr *)b)->name);
}

static int ctl_sign_add_hdr(struct ctl_sign_hdr *h, size_t *n, const char *name, const char *value)
{
    size_t len = strlen(name);
    if (len == 0 || len >= sizeof h[0].name || value == NULL)
        return -1;
    for (size_t i = 0; i < len; i++)
        h[*n].name[i] = (char)tolower((unsigned char)name[i]);
    h[*n].name[len] = '\0';
    h[*n].value = value;
    (*n)++;
    return 0;
}

/* Header value with surrounding blanks dropped and inner runs of blanks collapsed. */
static void ctl_sign_put_value(struct strbuf *b, const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    int pending_space = 0;
    for (; *v; v++) {
        if (*v == ' ' || *v == '\t') {
            pending_space = 1;
            continue;
        }
        if (pending_space)
            strbuf_puts(b, " ");
        pending_space = 0;
        strbuf_append(b, v, 1);
    }
}

int ctl_sign(const struct ctl_sign_input *in, struct ctl_signature *out)
{
    memset(out, 0, sizeof *out);
    if (in->method == NULL || in->host == NULL || in->access_key == NULL ||
        in->secret_key == NULL || in->region == NULL || in->service == NULL ||
        in->n_headers > CTL_SIGN_MAX_HEADERS || (in->body_len > 0 && in->body == NULL) ||
        strlen(in->region) > 64 || strlen(in->service) > 64 || strlen(in->access_key) > 128 ||
        strlen(in->secret_key) > 1024)
        return -1;

    struct tm tm;
    if (gmtime_r(&in->now, &tm) == NULL || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
        return -1;
    strftime(out->amz_date, sizeof out->amz_date, "%Y%m%dT%H%M%SZ", &tm);
    char date[9];
    memcpy(date, out->amz_date, 8);
    date[8] = '\0';

    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)(in->body_len ? in->body : ""), in->body_len, digest);
    ctl_sign_hex(digest, sizeof digest, out->payload_hash);

    struct ctl_sign_hdr hdrs[CTL_SIGN_MAX_HEADERS + 2];
    size_t n_hdrs = 0;
    if (ctl_sign_add_hdr(hdrs, &n_hdrs, "host", in->host) != 0 ||
        ctl_sign_add_hdr(hdrs, &n_hdrs, "x-amz-date", out->amz_date) != 0)
        return -1;
    for (size_t i = 0; i < in->n_headers; i++)
        if (ctl_sign_add_hdr(hdrs, &n_hdrs, in->headers[i].name, in->headers[i].value) != 0)
            return -1;
    qsort(hdrs, n_hdrs, sizeof hdrs[0], ctl_sign_hdr_cmp);
    for (size_t i = 1; i < n_hdrs; i++)
        if (strcmp(hdrs[i - 1].name, hdrs[i].name) == 0)
            return -1; /* the caller listed host or x-amz-date, or one header twice */

    struct strbuf signed_names;
    strbuf_init(&signed_names);
    struct strbuf creq;
    strbuf_init(&creq);
    strbuf_puts(&creq, in->method);
    strbuf_puts(&creq, "\n");
    ctl_sign_put_path(&creq, in->path);
    strbuf_puts(&creq, "\n");
    ctl_sign_put_query(&creq, in->query);
    strbuf_puts(&creq, "\n");
    for (size_t i = 0; i < n_hdrs; i++) {
        strbuf_puts(&creq, hdrs[i].name);
        strbuf_puts(&creq, ":");
        ctl_sign_put_value(&creq, hdrs[i].value);
        strbuf_puts(&creq, "\n");
        if (i > 0)
            strbuf_puts(&signed_names, ";");
        strbuf_puts(&signed_names, hdrs[i].name);
    }
    strbuf_puts(&creq, "\n");
    strbuf_puts(&creq, signed_names.data);
    strbuf_puts(&creq, "\n");
    strbuf_puts(&creq, out->payload_hash);

    char creq_hex[2 * SHA256_DIGEST_LENGTH + 1];
    SHA256((const unsigned char *)creq.data, creq.len, digest);
    ctl_sign_hex(digest, sizeof digest, creq_hex);
    strbuf_destroy(&creq);

    struct strbuf sts;
    strbuf_init(&sts);
    strbuf_printf(&sts, "%s\n%s\n%s/%s/%s/%s\n%s", CTL_SIGN_ALGORITHM, out->amz_date, date,
                  in->region, in->service, CTL_SIGN_TERMINATOR, creq_hex);

    size_t secret_len = strlen(in->secret_key);
    char *k_secret = xmalloc(secret_len + 5);
    memcpy(k_secret, "AWS4", 4);
    memcpy(k_secret + 4, in->secret_key, secret_len + 1);
    unsigned char k1[SHA256_DIGEST_LENGTH], k2[SHA256_DIGEST_LENGTH];
    int rc = -1;
    if (ctl_sign_hmac(k_secret, secret_len + 4, date, strlen(date), k1) == 0 &&
        ctl_sign_hmac(k1, sizeof k1, in->region, strlen(in->region), k2) == 0 &&
        ctl_sign_hmac(k2, sizeof k2, in->service, strlen(in->service), k1) == 0 &&
        ctl_sign_hmac(k1, sizeof k1, CTL_SIGN_TERMINATOR, strlen(CTL_SIGN_TERMINATOR), k2) == 0 &&
        ctl_sign_hmac(k2, sizeof k2, sts.data, sts.len, digest) == 0) {
        ctl_sign_hex(digest, sizeof digest, out->signature);
        int len = snprintf(out->authorization, sizeof out->authorization,
                           "%s Credential=%s/%s/%s/%s/%s, SignedHeaders=%s, Signature=%s",
                           CTL_SIGN_ALGORITHM, in->access_key, date, in->region, in->service,
                           CTL_SIGN_TERMINATOR, signed_names.data, out->signature);
        if (len > 0 && (size_t)len < sizeof out->authorization)
            rc = 0;
    }
    OPENSSL_cleanse(k_secret, secret_len + 4);
    OPENSSL_cleanse(k1, sizeof k1);
    OPENSSL_cleanse(k2, sizeof k2);
    free(k_secret);
    strbuf_destroy(&sts);
    strbuf_destroy(&signed_names);
    if (rc != 0)
        memset(out, 0, sizeof *out);
    return rc;
}
