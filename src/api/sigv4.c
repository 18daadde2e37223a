/* AWS Signature Version 4 verification (server side). See sigv4.h for the contract.
 *
 * Input is attacker-controlled, so everything here works on (pointer, length) slices that
 * never step outside the caller's strings, and the only buffers are heap buffers sized from
 * the input lengths with overflow checks. Nothing is global, so calls may run concurrently.
 */
#include "api/sigv4.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR "aws4_request"
#define SIGV4_HEX_LEN (2 * SHA256_DIGEST_LENGTH)
/* Query strings and secrets far beyond anything real are refused outright, which keeps the
 * arena size computations (4x the query length) comfortably away from overflow. */
#define SIGV4_MAX_INPUT (16u * 1024u * 1024u)

struct sigv4_slice {
    const char *p; /* NULL means absent, as opposed to present and empty */
    size_t n;
};

struct sigv4_buf {
    char *p;
    size_t len;
    size_t cap;
    int failed; /* an allocation failed; the contents are incomplete */
};

struct sigv4_param {
    struct sigv4_slice name; /* percent-decoded */
    struct sigv4_slice value;
    struct sigv4_slice enc_name; /* re-encoded with the RFC 3986 unreserved set */
    struct sigv4_slice enc_value;
};

struct sigv4_query {
    struct sigv4_param *params;
    size_t n;
    char *arena; /* backing store of every slice in params */
};

/* The authentication parameters of one request, whichever form carried them. */
struct sigv4_auth {
    int presigned;
    struct sigv4_slice header; /* header form: the whole Authorization value */
    struct sigv4_slice credential;
    struct sigv4_slice signed_headers;
    struct sigv4_slice signature;
    struct sigv4_slice expires; /* presigned form only */
    struct sigv4_slice date;    /* X-Amz-Date (query or header) or Date header */
    int date_is_http;           /* date came from the RFC 1123 Date header */
    struct sigv4_query query;
};

struct sigv4_time {
    time_t t;
    char iso[17]; /* YYYYMMDDTHHMMSSZ */
};

/* Signatures are lower-case hex; URI escapes are upper-case, as the spec demands. */
static const char sigv4_hex[] = "0123456789abcdef";
static const char sigv4_hex_upper[] = "0123456789ABCDEF";

/* ---- small string helpers ------------------------------------------------------------- */

static struct sigv4_slice sigv4_cstr(const char *s)
{
    struct sigv4_slice r = {s, s ? strlen(s) : 0};
    return r;
}

static int sigv4_is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static struct sigv4_slice sigv4_trim(struct sigv4_slice s)
{
    while (s.n > 0 && sigv4_is_ws(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && sigv4_is_ws(s.p[s.n - 1]))
        s.n--;
    return s;
}

static int sigv4_eq(struct sigv4_slice s, const char *lit)
{
    size_t n = strlen(lit);
    return s.p != NULL && s.n == n && memcmp(s.p, lit, n) == 0;
}

static char sigv4_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int sigv4_ieq(struct sigv4_slice a, struct sigv4_slice b)
{
    if (a.n != b.n)
        return 0;
    for (size_t i = 0; i < a.n; i++)
        if (sigv4_lower(a.p[i]) != sigv4_lower(b.p[i]))
            return 0;
    return 1;
}

static int sigv4_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int sigv4_is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

static void sigv4_to_hex(const unsigned char *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = sigv4_hex[in[i] >> 4];
        out[2 * i + 1] = sigv4_hex[in[i] & 0xf];
    }
    out[2 * n] = '\0';
}

/* First header with this name (any case), or an absent slice. */
static struct sigv4_slice sigv4_header(const struct sigv4_request *req, const char *name)
{
    struct sigv4_slice want = sigv4_cstr(name);
    for (size_t i = 0; i < req->n_headers; i++) {
        const struct sigv4_header *h = &req->headers[i];
        if (h->name != NULL && h->value != NULL && sigv4_ieq(sigv4_cstr(h->name), want))
            return sigv4_cstr(h->value);
    }
    return (struct sigv4_slice){NULL, 0};
}

/* ---- results ---------------------------------------------------------------------------- */

static int sigv4_status_for(const char *code)
{
    /* The statuses EC2 pairs with these codes. */
    if (strcmp(code, SIGV4_ERR_SIGNATURE) == 0)
        return 403;
    if (strcmp(code, SIGV4_ERR_AUTH_FAILURE) == 0 || strcmp(code, SIGV4_ERR_MISSING_TOKEN) == 0)
        return 401;
    if (strcmp(code, SIGV4_ERR_INTERNAL) == 0)
        return 500;
    return 400;
}

/* Messages quote client input and end up in XML bodies and logs, so anything outside
 * printable ASCII is replaced rather than passed on. */
static void sigv4_sanitize(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            *s = '?';
}

__attribute__((format(printf, 2, 3))) static void sigv4_msg_append(struct sigv4_result *out,
                                                                   const char *fmt, ...)
{
    size_t used = strnlen(out->message, sizeof(out->message));
    if (used + 1 >= sizeof(out->message))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->message + used, sizeof(out->message) - used, fmt, ap);
    va_end(ap);
}

static int sigv4_fail_code(struct sigv4_result *out, const char *code)
{
    out->error_code = code;
    out->http_status = sigv4_status_for(code);
    sigv4_sanitize(out->message);
    return -1;
}

__attribute__((format(printf, 3, 4))) static int sigv4_fail(struct sigv4_result *out,
                                                            const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof(out->message), fmt, ap);
    va_end(ap);
    return sigv4_fail_code(out, code);
}

static void sigv4_result_init(struct sigv4_result *out)
{
    memset(out, 0, sizeof(*out));
    out->http_status = 200;
}

/* ---- growable output buffer ------------------------------------------------------------- */

static void sigv4_buf_put(struct sigv4_buf *b, const void *data, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (n > SIZE_MAX / 2 - b->len) {
        b->failed = 1;
        return;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

static void sigv4_buf_putc(struct sigv4_buf *b, char c)
{
    sigv4_buf_put(b, &c, 1);
}

static void sigv4_buf_str(struct sigv4_buf *b, const char *s)
{
    sigv4_buf_put(b, s, strlen(s));
}

static void sigv4_buf_encode(struct sigv4_buf *b, struct sigv4_slice s)
{
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (sigv4_is_unreserved(c)) {
            sigv4_buf_putc(b, (char)c);
        } else {
            char esc[3] = {'%', sigv4_hex_upper[c >> 4], sigv4_hex_upper[c & 0xf]};
            sigv4_buf_put(b, esc, 3);
        }
    }
}

/* ---- query string ----------------------------------------------------------------------- */

/* Form decoding: '+' is a space and a malformed escape stays literal, as AWS front ends do. */
static struct sigv4_slice sigv4_decode_into(struct sigv4_slice in, char **arena)
{
    char *start = *arena, *o = start;
    for (size_t i = 0; i < in.n; i++) {
        char c = in.p[i];
        if (c == '+') {
            *o++ = ' ';
        } else if (c == '%' && i + 2 < in.n && sigv4_hexval(in.p[i + 1]) >= 0 &&
                   sigv4_hexval(in.p[i + 2]) >= 0) {
            *o++ = (char)(sigv4_hexval(in.p[i + 1]) * 16 + sigv4_hexval(in.p[i + 2]));
            i += 2;
        } else {
            *o++ = c;
        }
    }
    *arena = o;
    return (struct sigv4_slice){start, (size_t)(o - start)};
}

static struct sigv4_slice sigv4_encode_into(struct sigv4_slice in, char **arena)
{
    char *start = *arena, *o = start;
    for (size_t i = 0; i < in.n; i++) {
        unsigned char c = (unsigned char)in.p[i];
        if (sigv4_is_unreserved(c)) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = sigv4_hex_upper[c >> 4];
            *o++ = sigv4_hex_upper[c & 0xf];
        }
    }
    *arena = o;
    return (struct sigv4_slice){start, (size_t)(o - start)};
}

static void sigv4_query_free(struct sigv4_query *q)
{
    free(q->params);
    free(q->arena);
    q->params = NULL;
    q->arena = NULL;
    q->n = 0;
}

/* Splits the raw query into decoded and canonically re-encoded pairs. Every decoded pair is no
 * longer than its raw text and every encoding at most three times the decoded length, so one
 * arena of 4 * len bytes holds everything. */
static int sigv4_query_parse(const char *raw, struct sigv4_query *q)
{
    memset(q, 0, sizeof(*q));
    size_t len = raw ? strlen(raw) : 0;
    if (len > SIGV4_MAX_INPUT)
        return -1;
    size_t max_params = 1;
    for (size_t i = 0; i < len; i++)
        if (raw[i] == '&')
            max_params++;
    q->params = calloc(max_params, sizeof(*q->params));
    q->arena = malloc(4 * len + 1);
    if (q->params == NULL || q->arena == NULL) {
        sigv4_query_free(q);
        return -1;
    }
    char *arena = q->arena;
    size_t pos = 0;
    while (pos < len) {
        size_t end = pos;
        while (end < len && raw[end] != '&')
            end++;
        if (end > pos) {
            struct sigv4_slice part = {raw + pos, end - pos};
            const char *eq = memchr(part.p, '=', part.n);
            struct sigv4_slice name = {part.p, eq ? (size_t)(eq - part.p) : part.n};
            struct sigv4_slice value = {eq ? eq + 1 : part.p + part.n,
                                        eq ? part.n - name.n - 1 : 0};
            struct sigv4_param *pr = &q->params[q->n++];
            pr->name = sigv4_decode_into(name, &arena);
            pr->value = sigv4_decode_into(value, &arena);
            pr->enc_name = sigv4_encode_into(pr->name, &arena);
            pr->enc_value = sigv4_encode_into(pr->value, &arena);
        }
        pos = end + 1;
    }
    return 0;
}

static struct sigv4_slice sigv4_query_get(const struct sigv4_query *q, const char *name)
{
    for (size_t i = 0; i < q->n; i++)
        if (sigv4_eq(q->params[i].name, name))
            return q->params[i].value;
    return (struct sigv4_slice){NULL, 0};
}

static int sigv4_slice_cmp(struct sigv4_slice a, struct sigv4_slice b)
{
    size_t n = a.n < b.n ? a.n : b.n;
    int c = n ? memcmp(a.p, b.p, n) : 0;
    if (c != 0)
        return c;
    return (a.n > b.n) - (a.n < b.n);
}

static int sigv4_param_cmp(const void *a, const void *b)
{
    const struct sigv4_param *pa = a, *pb = b;
    int c = sigv4_slice_cmp(pa->enc_name, pb->enc_name);
    return c != 0 ? c : sigv4_slice_cmp(pa->enc_value, pb->enc_value);
}

/* ---- dates -------------------------------------------------------------------------------- */

static int64_t sigv4_days_from_civil(int64_t y, int m, int d)
{
    /* Howard Hinnant's days_from_civil: proleptic Gregorian, no libc time zone state. */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int sigv4_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[m - 1] + (m == 2 && leap);
}

static int sigv4_digits(const char *p, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 0;
}

static int sigv4_make_time(int y, int mo, int d, int h, int mi, int s, struct sigv4_time *out)
{
    if (y < 0 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > sigv4_days_in_month(y, mo) ||
        h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
        return -1;
    int64_t days = sigv4_days_from_civil(y, mo, d);
    out->t = (time_t)(days * 86400 + h * 3600 + mi * 60 + s);
    /* Fields are range-checked (the year has at most 4 digits), so fixed widths always fit. */
    const int fields[6] = {y, mo, d, h, mi, s};
    const int widths[6] = {4, 2, 2, 2, 2, 2};
    char *o = out->iso;
    for (int i = 0; i < 6; i++) {
        if (i == 3)
            *o++ = 'T';
        for (int w = widths[i] - 1, v = fields[i]; w >= 0; w--, v /= 10)
            o[w] = (char)('0' + v % 10);
        o += widths[i];
    }
    *o++ = 'Z';
    *o = '\0';
    return 0;
}

/* YYYYMMDD'T'HHMMSS'Z' exactly. */
static int sigv4_parse_iso(struct sigv4_slice s, struct sigv4_time *out)
{
    int y, mo, d, h, mi, sec;
    if (s.n != 16 || s.p[8] != 'T' || s.p[15] != 'Z')
        return -1;
    if (sigv4_digits(s.p, 4, &y) || sigv4_digits(s.p + 4, 2, &mo) || sigv4_digits(s.p + 6, 2, &d) ||
        sigv4_digits(s.p + 9, 2, &h) || sigv4_digits(s.p + 11, 2, &mi) ||
        sigv4_digits(s.p + 13, 2, &sec))
        return -1;
    return sigv4_make_time(y, mo, d, h, mi, sec, out);
}

/* RFC 1123, e.g. "Sun, 30 Aug 2015 12:36:00 GMT"; the weekday is optional and not checked. */
static int sigv4_parse_http_date(struct sigv4_slice s, struct sigv4_time *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    s = sigv4_trim(s);
    const char *comma = memchr(s.p, ',', s.n);
    if (comma != NULL) {
        size_t skip = (size_t)(comma - s.p) + 1;
        s.p += skip;
        s.n -= skip;
        s = sigv4_trim(s);
    }
    /* D[D] Mon YYYY HH:MM:SS GMT */
    size_t dlen = (s.n > 1 && s.p[1] >= '0' && s.p[1] <= '9') ? 2 : 1;
    int y, mo = 0, d, h, mi, sec;
    if (s.n != dlen + 22 || sigv4_digits(s.p, dlen, &d))
        return -1;
    const char *p = s.p + dlen;
    if (p[0] != ' ' || p[4] != ' ' || p[9] != ' ' || p[12] != ':' || p[15] != ':' || p[18] != ' ' ||
        memcmp(p + 19, "GMT", 3) != 0)
        return -1;
    for (int i = 0; i < 12; i++)
        if (memcmp(p + 1, months + 3 * i, 3) == 0)
            mo = i + 1;
    if (mo == 0 || sigv4_digits(p + 5, 4, &y) || sigv4_digits(p + 10, 2, &h) ||
        sigv4_digits(p + 13, 2, &mi) || sigv4_digits(p + 16, 2, &sec))
        return -1;
    return sigv4_make_time(y, mo, d, h, mi, sec, out);
}

/* ---- authentication parameters ---------------------------------------------------------- */

/* printf arguments for "%.*s" that are safe for absent slices and keep messages short. */
#define SIGV4_MSG_MAX 200
#define SIGV4_ARG(s) (int)((s).n > SIGV4_MSG_MAX ? SIGV4_MSG_MAX : (s).n), ((s).p ? (s).p : "")

/* Parses "<key>/<YYYYMMDD>/<region>/<service>/aws4_request" into out->cred. */
static int sigv4_parse_scope(struct sigv4_slice cred, struct sigv4_result *out)
{
    struct sigv4_slice part[5];
    size_t count = 0, start = 0;
    for (size_t i = 0; i <= cred.n; i++) {
        if (i < cred.n && cred.p[i] != '/')
            continue;
        if (count == 5) {
            count++;
            break;
        }
        part[count++] = (struct sigv4_slice){cred.p + start, i - start};
        start = i + 1;
    }
    if (count != 5)
        return sigv4_fail(out, SIGV4_ERR_INCOMPLETE,
                          "Credential must have exactly 5 slash-delimited elements, e.g. "
                          "keyid/date/region/service/term, got '%.*s'",
                          SIGV4_ARG(cred));
    if (!sigv4_eq(part[4], SIGV4_TERMINATOR))
        return sigv4_fail(out, SIGV4_ERR_INCOMPLETE,
                          "Credential should be scoped with a valid terminator: 'aws4_request', "
                          "not '%.*s'.",
                          SIGV4_ARG(part[4]));
    int ignored;
    if (part[1].n != 8 || sigv4_digits(part[1].p, 8, &ignored) != 0)
        return sigv4_fail(out, SIGV4_ERR_INCOMPLETE,
                          "Credential date must be in YYYYMMDD format, got '%.*s'.",
                          SIGV4_ARG(part[1]));
    static const size_t max_len[4] = {sizeof(out->cred.access_key) - 1, 8,
                                      sizeof(out->cred.region) - 1, sizeof(out->cred.service) - 1};
    static const char *const what[4] = {"access key", "date", "region", "service"};
    for (int i = 0; i < 4; i++) {
        int printable = 1;
        for (size_t j = 0; j < part[i].n; j++)
            if ((unsigned char)part[i].p[j] <= 0x20 || (unsigned char)part[i].p[j] >= 0x7f)
                printable = 0;
        if (part[i].n == 0 || part[i].n > max_len[i] || !printable)
            return sigv4_fail(out, SIGV4_ERR_INCOMPLETE,
                              "Credential %s '%.*s' is empty, longer than %zu characters or not "
                              "printable ASCII.",
                              what[i], SIGV4_ARG(part[i]), max_len[i]);
    }
    memcpy(out->cred.access_key, part[0].p, part[0].n);
    out->cred.access_key[part[0].n] = '\0';
    memcpy(out->cred.date, part[1].p, 8);
    out->cred.date[8] = '\0';
    memcpy(out->cred.region, part[2].p, part[2].n);
    out->cred.region[part[2].n] = '\0';
    memcpy(out->cred.service, part[3].p, part[3].n);
    out->cred.service[part[3].n] = '\0';
    out->cred_valid = 1;
    return 0;
}

/* Header form. With need_all unset only the Credential parameter is required. */
static int sigv4_parse_authorization(struct sigv4_auth *a, int need_all, struct sigv4_result *out)
{
    struct sigv4_slice v = sigv4_trim(a->header);
    size_t i = 0;
    while (i < v.n && !sigv4_is_ws(v.p[i]))
        i++;
    struct sigv4_slice alg = {v.p, i};
    if (sigv4_eq(alg, SIGV4_ALGORITHM)) {
        struct sigv4_slice rest = {v.p + i, v.n - i};
        size_t pos = 0;
        while (pos < rest.n) {
            size_t end = pos;
            while (end < rest.n && rest.p[end] != ',')
                end++;
            struct sigv4_slice comp = sigv4_trim((struct sigv4_slice){rest.p + pos, end - pos});
            pos = end + 1;
            if (comp.n == 0)
                continue;
            const char *eq = memchr(comp.p, '=', comp.n);
            if (eq == NULL)
                return sigv4_fail(out, SIGV4_ERR_INCOMPLETE,
                                  "'%.*s' not a valid key=value pair (missing equal-sign) in "
                                  "Authorization header: '%.*s'.",
                                  SIGV4_ARG(comp), SIGV4_ARG(v));
            struct sigv4_slice key =
                sigv4_trim((struct sigv4_slice){comp.p, (size_t)(eq - comp.p)});
            struct sigv4_slice val =
                sigv4_trim((struct sigv4_slice){eq + 1, comp.n - (size_t)(eq - comp.p) - 1});
            /* The first occurrence of a parameter wins. */
            if (sigv4_eq(key, "Credential") && a->credential.p == NULL)
                a->credential = val;
            else if (sigv4_eq(key, "SignedHeaders") && a->signed_headers.p == NULL)
                a->signed_headers = val;
            else if (sigv4_eq(key, "Signature") && a->signature.p == NULL)
                a->signature = val;
        }
    } else if (alg.n > 5 && memcmp(alg.p, "AWS4-", 5) == 0) {
        return sigv4_fail(out, SIGV4_ERR_INCOMPLETE, "Unsupported AWS 'algorithm': '%.*s'.",
                          SIGV4_ARG(alg));
    }
    /* Anything else (SigV2 "AWS key:sig", bearer tokens, garbage) lacks every parameter, and
     * AWS answers it with the same list of what is missing. */
    int miss_cred = a->credential.p == NULL;
    int miss_sig = need_all && a->signature.p == NULL;
    int miss_sh = need_all && a->signed_headers.p == NULL;
    int miss_date = need_all && a->date.p == NULL;
    if (miss_cred || miss_sig || miss_sh || miss_date) {
        out->message[0] = '\0';
        if (miss_cred)
            sigv4_msg_append(out, "Authorization header requires 'Credential' parameter. ");
        if (miss_sig)
            sigv4_msg_append(out, "Authorization header requires 'Signature' parameter. ");
        if (miss_sh)
            sigv4_msg_append(out, "Authorization header requires 'SignedHeaders' parameter. ");
        if (miss_date)
            sigv4_msg_append(out, "Authorization header requires existence of either a "
                                  "'X-Amz-Date' or a 'Date' header. ");
        sigv4_msg_append(out, "Authorization=%.*s", SIGV4_ARG(v));
        return sigv4_fail_code(out, SIGV4_ERR_INCOMPLETE);
    }
    return 0;
}

/* Query form (presigned URL). */
static int sigv4_parse_presigned(struct sigv4_auth *a, int need_all, struct sigv4_result *out)
{
    struct sigv4_slice alg = sigv4_query_get(&a->query, "X-Amz-Algorithm");
    if (!sigv4_eq(alg, SIGV4_ALGORITHM))
        return sigv4_fail(out, SIGV4_ERR_INCOMPLETE,
                          "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\", got '%.*s'.",
                          SIGV4_ARG(alg));
    a->credential = sigv4_query_get(&a->query, "X-Amz-Credential");
    a->signed_headers = sigv4_query_get(&a->query, "X-Amz-SignedHeaders");
    a->signature = sigv4_query_get(&a->query, "X-Amz-Signature");
    a->expires = sigv4_query_get(&a->query, "X-Amz-Expires");
    a->date = sigv4_query_get(&a->query, "X-Amz-Date");
    a->date_is_http = 0;
    if (a->credential.p == NULL ||
        (need_all && (a->signed_headers.p == NULL || a->signature.p == NULL ||
                      a->expires.p == NULL || a->date.p == NULL)))
        return sigv4_fail(out, SIGV4_ERR_INCOMPLETE,
                          "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                          "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
                          "and X-Amz-Expires parameters.");
    return 0;
}

static void sigv4_auth_free(struct sigv4_auth *a)
{
    sigv4_query_free(&a->query);
}

/* Finds which form the request uses, pulls out its parameters and parses the credential
 * scope. On success the caller must sigv4_auth_free(a); on failure it is already freed. */
static int sigv4_auth_extract(const struct sigv4_request *req, int need_all, struct sigv4_auth *a,
                              struct sigv4_result *out)
{
    memset(a, 0, sizeof(*a));
    if (req == NULL)
        return sigv4_fail(out, SIGV4_ERR_MISSING_TOKEN, "Request is missing Authentication Token");
    if (req->n_headers > 0 && req->headers == NULL)
        return sigv4_fail(out, SIGV4_ERR_INTERNAL, "Request headers are missing.");
    if (sigv4_query_parse(req->query, &a->query) != 0)
        return sigv4_fail(out, SIGV4_ERR_INTERNAL, "Query string could not be processed.");

    int rc;
    a->header = sigv4_header(req, "authorization");
    if (a->header.p != NULL) {
        /* The header wins over query parameters, so a signed request whose URL happens to
         * carry X-Amz-* parameters is still checked as one. */
        a->date = sigv4_header(req, "x-amz-date");
        if (a->date.p == NULL) {
            a->date = sigv4_header(req, "date");
            a->date_is_http = a->date.p != NULL;
        }
        rc = sigv4_parse_authorization(a, need_all, out);
    } else if (sigv4_query_get(&a->query, "X-Amz-Algorithm").p != NULL) {
        a->presigned = 1;
        rc = sigv4_parse_presigned(a, need_all, out);
    } else {
        rc = sigv4_fail(out, SIGV4_ERR_MISSING_TOKEN, "Request is missing Authentication Token");
    }
    if (rc == 0)
        rc = sigv4_parse_scope(a->credential, out);
    if (rc != 0)
        sigv4_auth_free(a);
    return rc;
}

/* ---- canonical request ------------------------------------------------------------------ */

/* Non-S3 services sign the path with dot segments and empty segments removed and every segment
 * URI-encoded once more on top of the encoding it arrived with. */
static void sigv4_put_uri(struct sigv4_buf *b, const char *path)
{
    struct sigv4_slice s = sigv4_cstr(path && *path ? path : "/");
    size_t base = b->len, pos = 0;
    while (pos < s.n) {
        size_t end = pos;
        while (end < s.n && s.p[end] != '/')
            end++;
        struct sigv4_slice seg = {s.p + pos, end - pos};
        if (sigv4_eq(seg, "..")) {
            /* Encoded segments never contain '/', so the last one starts at the last '/'. */
            while (!b->failed && b->len > base && b->p[b->len - 1] != '/')
                b->len--;
            if (b->len > base)
                b->len--;
        } else if (seg.n > 0 && !sigv4_eq(seg, ".")) {
            sigv4_buf_putc(b, '/');
            sigv4_buf_encode(b, seg);
        }
        pos = end + 1;
    }
    if (b->len == base || s.p[s.n - 1] == '/')
        sigv4_buf_putc(b, '/');
}

static void sigv4_put_query(struct sigv4_buf *b, struct sigv4_auth *a)
{
    struct sigv4_query *q = &a->query;
    if (q->n > 1)
        qsort(q->params, q->n, sizeof(*q->params), sigv4_param_cmp);
    int first = 1;
    for (size_t i = 0; i < q->n; i++) {
        if (a->presigned && sigv4_eq(q->params[i].name, "X-Amz-Signature"))
            continue;
        if (!first)
            sigv4_buf_putc(b, '&');
        first = 0;
        sigv4_buf_put(b, q->params[i].enc_name.p, q->params[i].enc_name.n);
        sigv4_buf_putc(b, '=');
        sigv4_buf_put(b, q->params[i].enc_value.p, q->params[i].enc_value.n);
    }
}

/* Header value with surrounding whitespace dropped and inner runs collapsed to one space. */
static void sigv4_put_header_value(struct sigv4_buf *b, const char *value)
{
    struct sigv4_slice v = sigv4_trim(sigv4_cstr(value));
    for (size_t i = 0; i < v.n; i++) {
        if (sigv4_is_ws(v.p[i])) {
            if (!sigv4_is_ws(v.p[i - 1]))
                sigv4_buf_putc(b, ' ');
        } else {
            sigv4_buf_putc(b, v.p[i]);
        }
    }
}

static void sigv4_put_lower(struct sigv4_buf *b, struct sigv4_slice s)
{
    for (size_t i = 0; i < s.n; i++)
        sigv4_buf_putc(b, sigv4_lower(s.p[i]));
}

/* One "name:value\n" line per signed header, in the order the client listed them; repeated
 * headers are joined with ',' in the order received. */
static void sigv4_put_headers(struct sigv4_buf *b, const struct sigv4_request *req,
                              struct sigv4_slice signed_headers)
{
    size_t pos = 0;
    while (pos < signed_headers.n) {
        size_t end = pos;
        while (end < signed_headers.n && signed_headers.p[end] != ';')
            end++;
        struct sigv4_slice name = {signed_headers.p + pos, end - pos};
        pos = end + 1;
        sigv4_put_lower(b, name);
        sigv4_buf_putc(b, ':');
        int first = 1;
        for (size_t i = 0; i < req->n_headers; i++) {
            const struct sigv4_header *h = &req->headers[i];
            if (h->name == NULL || h->value == NULL || !sigv4_ieq(sigv4_cstr(h->name), name))
                continue;
            if (!first)
                sigv4_buf_putc(b, ',');
            first = 0;
            sigv4_put_header_value(b, h->value);
        }
        sigv4_buf_putc(b, '\n');
    }
}

static int sigv4_is_signed(struct sigv4_slice signed_headers, const char *name)
{
    struct sigv4_slice want = sigv4_cstr(name);
    size_t pos = 0;
    while (pos < signed_headers.n) {
        size_t end = pos;
        while (end < signed_headers.n && signed_headers.p[end] != ';')
            end++;
        if (sigv4_ieq((struct sigv4_slice){signed_headers.p + pos, end - pos}, want))
            return 1;
        pos = end + 1;
    }
    return 0;
}

static void sigv4_canonical_request(struct sigv4_buf *b, const struct sigv4_request *req,
                                    struct sigv4_auth *a, struct sigv4_slice payload_hash)
{
    sigv4_buf_str(b, req->method ? req->method : "");
    sigv4_buf_putc(b, '\n');
    sigv4_put_uri(b, req->path);
    sigv4_buf_putc(b, '\n');
    sigv4_put_query(b, a);
    sigv4_buf_putc(b, '\n');
    sigv4_put_headers(b, req, a->signed_headers);
    sigv4_buf_putc(b, '\n');
    sigv4_put_lower(b, a->signed_headers);
    sigv4_buf_putc(b, '\n');
    sigv4_buf_put(b, payload_hash.p, payload_hash.n);
}

/* ---- signing ---------------------------------------------------------------------------- */

/* SHA-256 through an algorithm fetched once and one digest context per thread: OpenSSL 3's
 * one-shot SHA256() and HMAC() look the algorithm up and allocate a context on every call,
 * which costs more than hashing a request's few hundred bytes. The context is freed when its
 * thread exits. */
static pthread_once_t sigv4_md_once = PTHREAD_ONCE_INIT;
static EVP_MD *sigv4_md;            /* fetched once; lives as long as the process */
static pthread_key_t sigv4_ctx_key; /* this thread's EVP_MD_CTX */

static void sigv4_ctx_free(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void sigv4_md_init(void)
{
    sigv4_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (pthread_key_create(&sigv4_ctx_key, sigv4_ctx_free) != 0) {
        EVP_MD_free(sigv4_md);
        sigv4_md = NULL;
    }
}

/* SHA-256 of a then b (b may be empty). */
static int sigv4_sha256_2(const void *a, size_t a_len, const void *b, size_t b_len,
                          unsigned char out[SHA256_DIGEST_LENGTH])
{
    pthread_once(&sigv4_md_once, sigv4_md_init);
    if (!sigv4_md)
        return -1;
    EVP_MD_CTX *ctx = pthread_getspecific(sigv4_ctx_key);
    if (!ctx) {
        ctx = EVP_MD_CTX_new();
        if (!ctx || pthread_setspecific(sigv4_ctx_key, ctx) != 0) {
            EVP_MD_CTX_free(ctx);
            return -1;
        }
    }
    unsigned int len = 0;
    if (EVP_DigestInit_ex2(ctx, sigv4_md, NULL) != 1 || EVP_DigestUpdate(ctx, a, a_len) != 1 ||
        (b_len && EVP_DigestUpdate(ctx, b, b_len) != 1) ||
        EVP_DigestFinal_ex(ctx, out, &len) != 1 || len != SHA256_DIGEST_LENGTH)
        return -1;
    return 0;
}

static int sigv4_sha256(const void *data, size_t len, unsigned char out[SHA256_DIGEST_LENGTH])
{
    return sigv4_sha256_2(data, len, NULL, 0, out);
}

/* HMAC-SHA256 (RFC 2104) over sigv4_sha256_2(). */
static int sigv4_hmac(const void *key, size_t key_len, const char *msg, size_t msg_len,
                      unsigned char out[SHA256_DIGEST_LENGTH])
{
    enum { BLOCK = 64 };
    unsigned char k[BLOCK], pad[BLOCK], inner[SHA256_DIGEST_LENGTH];
    memset(k, 0, sizeof k);
    if (key_len > BLOCK) {
        if (sigv4_sha256(key, key_len, k) != 0)
            return -1;
    } else if (key_len) {
        memcpy(k, key, key_len);
    }
    for (size_t i = 0; i < BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    int rc = sigv4_sha256_2(pad, BLOCK, msg, msg_len, inner);
    for (size_t i = 0; i < BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    if (rc == 0)
        rc = sigv4_sha256_2(pad, BLOCK, inner, sizeof inner, out);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(pad, sizeof pad);
    OPENSSL_cleanse(inner, sizeof inner);
    return rc;
}

/* The signing key depends only on (secret, date, region, service), which a client repeats on
 * every request of a day, so each server thread keeps the last one it derived: that turns five
 * HMACs per request into one. The secret is compared in constant time before reuse. */
struct sigv4_key_cache {
    bool valid;
    unsigned char secret_digest[SHA256_DIGEST_LENGTH];
    char scope[sizeof(((struct sigv4_credential *)0)->date) +
               sizeof(((struct sigv4_credential *)0)->region) +
               sizeof(((struct sigv4_credential *)0)->service) + 3];
    unsigned char key[SHA256_DIGEST_LENGTH];
};
static _Thread_local struct sigv4_key_cache sigv4_cache;

/* Appends s and then sep (unless NUL) at out[*len], if it fits in size with a final NUL;
 * snprintf did this on every request at ten times the cost. */
static bool sigv4_put_part(char *out, size_t size, size_t *len, const char *s, char sep)
{
    size_t n = strlen(s);
    if (*len + n + (sep ? 1 : 0) >= size)
        return false;
    memcpy(out + *len, s, n);
    *len += n;
    if (sep)
        out[(*len)++] = sep;
    out[*len] = '\0';
    return true;
}

static int sigv4_derive_key(const char *secret, size_t secret_len,
                            const struct sigv4_credential *c,
                            unsigned char key[SHA256_DIGEST_LENGTH])
{
    unsigned char digest[SHA256_DIGEST_LENGTH];
    if (sigv4_sha256(secret, secret_len, digest) != 0)
        return -1;
    char scope[sizeof sigv4_cache.scope];
    size_t scope_len = 0;
    /* The fields' sizes make it fit (the scope buffer holds all three and two slashes). */
    sigv4_put_part(scope, sizeof scope, &scope_len, c->date, '/');
    sigv4_put_part(scope, sizeof scope, &scope_len, c->region, '/');
    sigv4_put_part(scope, sizeof scope, &scope_len, c->service, '\0');
    if (sigv4_cache.valid && strcmp(scope, sigv4_cache.scope) == 0 &&
        CRYPTO_memcmp(digest, sigv4_cache.secret_digest, sizeof digest) == 0) {
        memcpy(key, sigv4_cache.key, SHA256_DIGEST_LENGTH);
        return 0;
    }
    char *k_secret = malloc(secret_len + 5);
    if (k_secret == NULL)
        return -1;
    memcpy(k_secret, "AWS4", 4);
    memcpy(k_secret + 4, secret, secret_len + 1);
    unsigned char k1[SHA256_DIGEST_LENGTH], k2[SHA256_DIGEST_LENGTH];
    int rc = -1;
    if (sigv4_hmac(k_secret, secret_len + 4, c->date, strlen(c->date), k1) == 0 &&
        sigv4_hmac(k1, sizeof(k1), c->region, strlen(c->region), k2) == 0 &&
        sigv4_hmac(k2, sizeof(k2), c->service, strlen(c->service), k1) == 0 &&
        sigv4_hmac(k1, sizeof(k1), SIGV4_TERMINATOR, strlen(SIGV4_TERMINATOR), key) == 0) {
        sigv4_cache.valid = true;
        memcpy(sigv4_cache.secret_digest, digest, sizeof digest);
        memcpy(sigv4_cache.scope, scope, sizeof scope);
        memcpy(sigv4_cache.key, key, SHA256_DIGEST_LENGTH);
        rc = 0;
    }
    OPENSSL_cleanse(k_secret, secret_len + 4);
    OPENSSL_cleanse(k1, sizeof(k1));
    OPENSSL_cleanse(k2, sizeof(k2));
    free(k_secret);
    return rc;
}

/* hex(HMAC(signing key, string to sign)). */
static int sigv4_signature(const char *secret, const struct sigv4_credential *c, const char *iso,
                           const char *creq_hex, char out[SIGV4_HEX_LEN + 1])
{
    size_t secret_len = strlen(secret);
    if (secret_len > SIGV4_MAX_INPUT)
        return -1;
    char sts[sizeof(SIGV4_ALGORITHM) + 17 + sizeof(*c) + sizeof(SIGV4_TERMINATOR) + 8 +
             SIGV4_HEX_LEN];
    size_t n = 0;
    bool fits = sigv4_put_part(sts, sizeof sts, &n, SIGV4_ALGORITHM, '\n') &&
                sigv4_put_part(sts, sizeof sts, &n, iso, '\n') &&
                sigv4_put_part(sts, sizeof sts, &n, c->date, '/') &&
                sigv4_put_part(sts, sizeof sts, &n, c->region, '/') &&
                sigv4_put_part(sts, sizeof sts, &n, c->service, '/') &&
                sigv4_put_part(sts, sizeof sts, &n, SIGV4_TERMINATOR, '\n') &&
                sigv4_put_part(sts, sizeof sts, &n, creq_hex, '\0');
    int sts_len = fits ? (int)n : -1;
    unsigned char key[SHA256_DIGEST_LENGTH], sig[SHA256_DIGEST_LENGTH];
    int rc = -1;
    if (sts_len > 0 && (size_t)sts_len < sizeof(sts) &&
        sigv4_derive_key(secret, secret_len, c, key) == 0 &&
        sigv4_hmac(key, sizeof(key), sts, (size_t)sts_len, sig) == 0) {
        sigv4_to_hex(sig, sizeof(sig), out);
        rc = 0;
    }
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

/* ---- public entry points ---------------------------------------------------------------- */

static int sigv4_parse_expires(struct sigv4_slice s, long *out)
{
    int v = 0;
    if (s.n == 0 || s.n > 7 || sigv4_digits(s.p, s.n, &v) != 0 || v < 1 ||
        v > SIGV4_MAX_EXPIRES_SECONDS)
        return -1;
    *out = v;
    return 0;
}

/* Request time, scope date and clock checks. */
static int sigv4_check_time(const struct sigv4_auth *a, time_t now, struct sigv4_time *t,
                            struct sigv4_result *out)
{
    int bad = a->date_is_http ? sigv4_parse_http_date(a->date, t) : sigv4_parse_iso(a->date, t);
    if (bad)
        return sigv4_fail(out, SIGV4_ERR_INCOMPLETE,
                          a->date_is_http ? "Date header '%.*s' is not an RFC 1123 date."
                                          : "X-Amz-Date must be in the ISO8601 Long Format "
                                            "\"yyyyMMdd'T'HHmmss'Z'\", got '%.*s'.",
                          SIGV4_ARG(a->date));
    if (memcmp(out->cred.date, t->iso, 8) != 0)
        return sigv4_fail(out, SIGV4_ERR_SIGNATURE,
                          "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                          "version of date from HTTP: '%s' != '%.8s', from '%s'.",
                          out->cred.date, t->iso, t->iso);
    long expires = 0;
    if (a->presigned && sigv4_parse_expires(a->expires, &expires) != 0)
        return sigv4_fail(out, SIGV4_ERR_INCOMPLETE,
                          "X-Amz-Expires must be a whole number of seconds from 1 to %d (one "
                          "week), got '%.*s'.",
                          SIGV4_MAX_EXPIRES_SECONDS, SIGV4_ARG(a->expires));
    /* Written as comparisons against t so that no arbitrary `now` can overflow. */
    int too_new = now < t->t - SIGV4_MAX_SKEW_SECONDS;
    int too_old = a->presigned ? now > t->t + expires : now > t->t + SIGV4_MAX_SKEW_SECONDS;
    if (too_new || too_old)
        return sigv4_fail(out, SIGV4_ERR_EXPIRED, "Request has expired.");
    return 0;
}

int sigv4_verify(const struct sigv4_request *req, time_t now, sigv4_secret_fn lookup, void *ctx,
                 struct sigv4_result *out)
{
    if (out == NULL)
        return -1;
    sigv4_result_init(out);
    struct sigv4_auth a;
    if (sigv4_auth_extract(req, 1, &a, out) != 0)
        return -1;

    int rc = -1;
    struct sigv4_buf creq = {0};
    struct sigv4_time t;
    if (sigv4_check_time(&a, now, &t, out) != 0)
        goto done;

    const char *secret = lookup ? lookup(out->cred.access_key, ctx) : NULL;
    if (secret == NULL) {
        sigv4_fail(out, SIGV4_ERR_AUTH_FAILURE,
                   "AWS was not able to validate the provided access credentials");
        goto done;
    }

    unsigned char digest[SHA256_DIGEST_LENGTH];
    char body_hex[SIGV4_HEX_LEN + 1];
    if (sigv4_sha256(req->body && req->body_len ? req->body : (const unsigned char *)"",
                     req->body ? req->body_len : 0, digest) != 0) {
        sigv4_fail(out, SIGV4_ERR_INTERNAL, "The signature could not be computed.");
        goto done;
    }
    sigv4_to_hex(digest, sizeof(digest), body_hex);
    /* A signed x-amz-content-sha256 stands in for the body in the canonical request; it is
     * checked against the real body below so the body cannot be swapped under it. */
    struct sigv4_slice payload = {body_hex, SIGV4_HEX_LEN};
    struct sigv4_slice declared = {NULL, 0};
    if (sigv4_is_signed(a.signed_headers, "x-amz-content-sha256")) {
        declared = sigv4_header(req, "x-amz-content-sha256");
        if (declared.p != NULL)
            payload = sigv4_trim(declared);
    }

    sigv4_canonical_request(&creq, req, &a, payload);
    if (creq.failed) {
        sigv4_fail(out, SIGV4_ERR_INTERNAL, "Out of memory while checking the signature.");
        goto done;
    }
    char creq_hex[SIGV4_HEX_LEN + 1], expected[SIGV4_HEX_LEN + 1];
    int src = sigv4_sha256(creq.p ? creq.p : "", creq.len, digest);
    if (src == 0) {
        sigv4_to_hex(digest, sizeof(digest), creq_hex);
        src = sigv4_signature(secret, &out->cred, t.iso, creq_hex, expected);
    }
    if (src != 0) {
        sigv4_fail(out, SIGV4_ERR_INTERNAL, "The signature could not be computed.");
        goto done;
    }
    if (a.signature.n != SIGV4_HEX_LEN ||
        CRYPTO_memcmp(a.signature.p, expected, SIGV4_HEX_LEN) != 0) {
        sigv4_fail(out, SIGV4_ERR_SIGNATURE,
                   "The request signature we calculated does not match the signature you "
                   "provided. Check your AWS Secret Access Key and signing method. Consult the "
                   "service documentation for details.");
        goto done;
    }
    if (declared.p != NULL && !sigv4_ieq(payload, (struct sigv4_slice){body_hex, SIGV4_HEX_LEN})) {
        sigv4_fail(out, SIGV4_ERR_SIGNATURE,
                   "The provided 'x-amz-content-sha256' header does not match what was "
                   "computed.");
        goto done;
    }
    rc = 0;
done:
    free(creq.p);
    sigv4_auth_free(&a);
    return rc;
}

int sigv4_parse_credential(const struct sigv4_request *req, struct sigv4_result *out)
{
    if (out == NULL)
        return -1;
    sigv4_result_init(out);
    struct sigv4_auth a;
    if (sigv4_auth_extract(req, 0, &a, out) != 0)
        return -1;
    sigv4_auth_free(&a);
    return 0;
}
