/* The exposition-format parser, vpcd's counters as a report, and the stats command. */
#include "ctl/ctl_stats.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "ctl/ctl_cmd.h"
#include "ctl/ctl_http.h"
#include "lib/xalloc.h"

/* ---- the exposition format -------------------------------------------------------------- */

/* A position in one line; end is the line's end (its '\n' excluded). */
struct ctl_prom_cursor {
    const char *p;
    const char *end;
};

static bool ctl_prom_at_end(const struct ctl_prom_cursor *c)
{
    return c->p >= c->end;
}

static bool ctl_prom_is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Skips blanks; returns whether there were any. */
static bool ctl_prom_skip_blanks(struct ctl_prom_cursor *c)
{
    const char *start = c->p;
    while (!ctl_prom_at_end(c) && ctl_prom_is_blank(*c->p))
        c->p++;
    return c->p != start;
}

static bool ctl_prom_is_alpha(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool ctl_prom_is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* A metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) or, without colons, a label name. Returns a copy
 * (caller frees) or NULL when there is none at the cursor. */
static char *ctl_prom_name(struct ctl_prom_cursor *c, bool colons)
{
    const char *start = c->p;
    while (!ctl_prom_at_end(c)) {
        char ch = *c->p;
        bool ok = ctl_prom_is_alpha(ch) || (colons && ch == ':') ||
                  (c->p != start && ctl_prom_is_digit(ch));
        if (!ok)
            break;
        c->p++;
    }
    return c->p == start ? NULL : xstrndup(start, (size_t)(c->p - start));
}

/* Whether s[0..n) is well-formed UTF-8 (no overlong forms, surrogates or values past
 * U+10FFFF): label values and HELP texts must be, and jansson refuses strings that are not. */
static bool ctl_prom_utf8(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char b = u[i];
        size_t len;
        uint32_t cp;
        if (b < 0x80) {
            i++;
            continue;
        } else if (b >= 0xc2 && b <= 0xdf) {
            len = 2;
            cp = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
            len = 3;
            cp = b & 0x0f;
        } else if (b >= 0xf0 && b <= 0xf4) {
            len = 4;
            cp = b & 0x07;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((u[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (u[i + k] & 0x3f);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

/* A quoted label value after its opening '"': \\, \" and \n are its only escapes. Returns the
 * unescaped copy (caller frees), or NULL for an unknown escape, a missing closing quote or
 * bytes that are not UTF-8. */
static char *ctl_prom_label_value(struct ctl_prom_cursor *c)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_append(&sb, "", 0);
    while (!ctl_prom_at_end(c) && *c->p != '"') {
        char ch = *c->p++;
        if (ch == '\\') {
            if (ctl_prom_at_end(c))
                break;
            char e = *c->p++;
            if (e == 'n')
                ch = '\n';
            else if (e == '\\' || e == '"')
                ch = e;
            else
                goto bad;
        }
        strbuf_append(&sb, &ch, 1);
    }
    if (ctl_prom_at_end(c) || !ctl_prom_utf8(sb.data, sb.len))
        goto bad;
    c->p++; /* the closing quote */
    return strbuf_steal(&sb);
bad:
    strbuf_destroy(&sb);
    return NULL;
}

/* The next run of non-blank characters, or an empty token at the end. */
static struct ctl_prom_cursor ctl_prom_token(struct ctl_prom_cursor *c)
{
    struct ctl_prom_cursor t = {c->p, c->p};
    while (!ctl_prom_at_end(c) && !ctl_prom_is_blank(*c->p))
        c->p++;
    t.end = c->p;
    return t;
}

static bool ctl_prom_token_is(const struct ctl_prom_cursor *t, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(t->end - t->p) == n && memcmp(t->p, word, n) == 0;
}

/* A sample value: a float as Go's strconv.ParseFloat reads it (which includes NaN, +Inf and
 * -Inf), and when it is a plain unsigned integer also its exact value. */
static bool ctl_prom_value(const struct ctl_prom_cursor *t, struct ctl_prom_sample *s)
{
    char buf[128];
    size_t n = (size_t)(t->end - t->p);
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, t->p, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    s->value = strtod(buf, &end);
    /* ERANGE on underflow still gives a usable (tiny) value; on overflow strtod gives ±HUGE_VAL,
     * which is what ParseFloat answers as well (with an error Prometheus treats as fatal). */
    if (end != buf + n || (errno == ERANGE && isinf(s->value)))
        return false;
    bool digits = true;
    for (size_t i = 0; i < n && digits; i++)
        digits = ctl_prom_is_digit(buf[i]);
    if (digits) {
        errno = 0;
        unsigned long long v = strtoull(buf, &end, 10);
        if (errno == 0 && end == buf + n) {
            s->is_count = true;
            s->count = (uint64_t)v;
        }
    }
    return true;
}

static bool ctl_prom_timestamp(const struct ctl_prom_cursor *t, struct ctl_prom_sample *s)
{
    char buf[32];
    size_t n = (size_t)(t->end - t->p);
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, t->p, n);
    buf[n] = '\0';
    size_t first = buf[0] == '-' ? 1 : 0;
    if (first == n)
        return false;
    for (size_t i = first; i < n; i++)
        if (!ctl_prom_is_digit(buf[i]))
            return false;
    errno = 0;
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (errno != 0)
        return false;
    s->has_timestamp = true;
    s->timestamp_ms = (int64_t)v;
    return true;
}

static void ctl_prom_sample_destroy(struct ctl_prom_sample *s)
{
    free(s->name);
    for (size_t i = 0; i < s->n_labels; i++) {
        free(s->labels[i].name);
        free(s->labels[i].value);
    }
    free(s->labels);
    memset(s, 0, sizeof *s);
}

/* "{name="value",...}" after the '{', a trailing comma allowed, blanks around every token. */
static bool ctl_prom_labels(struct ctl_prom_cursor *c, struct ctl_prom_sample *s)
{
    size_t cap = 0;
    for (;;) {
        ctl_prom_skip_blanks(c);
        if (!ctl_prom_at_end(c) && *c->p == '}') {
            c->p++;
            return true;
        }
        char *name = ctl_prom_name(c, false);
        if (name == NULL)
            return false;
        for (size_t i = 0; i < s->n_labels; i++) {
            if (strcmp(s->labels[i].name, name) == 0) {
                free(name);
                return false; /* a label given twice */
            }
        }
        ctl_prom_skip_blanks(c);
        bool has_eq = !ctl_prom_at_end(c) && *c->p == '=';
        if (has_eq) {
            c->p++;
            ctl_prom_skip_blanks(c);
        }
        if (!has_eq || ctl_prom_at_end(c) || *c->p != '"') {
            free(name);
            return false;
        }
        c->p++;
        char *value = ctl_prom_label_value(c);
        if (value == NULL) {
            free(name);
            return false;
        }
        s->labels = xgrow(s->labels, &cap, s->n_labels, sizeof *s->labels);
        s->labels[s->n_labels++] = (struct ctl_prom_label){name, value};
        ctl_prom_skip_blanks(c);
        if (ctl_prom_at_end(c))
            return false;
        if (*c->p == ',')
            c->p++;
        else if (*c->p != '}')
            return false;
    }
}

/* A sample line: name [labels] value [timestamp]. Fills s (which the caller destroys either
 * way) and returns whether the line is one. */
static bool ctl_prom_sample_line(struct ctl_prom_cursor *c, struct ctl_prom_sample *s)
{
    s->name = ctl_prom_name(c, true);
    if (s->name == NULL)
        return false;
    /* Blanks may stand before the labels (as Prometheus's own parser allows) and must stand
     * before a value that follows the name directly. */
    bool blank = ctl_prom_skip_blanks(c);
    if (!ctl_prom_at_end(c) && *c->p == '{') {
        c->p++;
        if (!ctl_prom_labels(c, s))
            return false;
        ctl_prom_skip_blanks(c);
    } else if (!blank) {
        return false; /* "name-1 2", or a name with no value */
    }
    struct ctl_prom_cursor t = ctl_prom_token(c);
    if (!ctl_prom_value(&t, s))
        return false;
    ctl_prom_skip_blanks(c);
    if (ctl_prom_at_end(c))
        return true;
    t = ctl_prom_token(c);
    if (!ctl_prom_timestamp(&t, s))
        return false;
    ctl_prom_skip_blanks(c);
    return ctl_prom_at_end(c);
}

/* A HELP text: \\ and \n are its only escapes, and it must be UTF-8. */
static bool ctl_prom_help_text(const struct ctl_prom_cursor *c)
{
    for (const char *p = c->p; p < c->end; p++) {
        if (*p != '\\')
            continue;
        if (p + 1 >= c->end || (p[1] != '\\' && p[1] != 'n'))
            return false;
        p++;
    }
    return ctl_prom_utf8(c->p, (size_t)(c->end - c->p));
}

/* A line starting with '#', after it: "HELP name text" and "TYPE name type" must be
 * well-formed; any other comment is free text. */
static bool ctl_prom_comment(struct ctl_prom_cursor *c)
{
    ctl_prom_skip_blanks(c);
    struct ctl_prom_cursor word = ctl_prom_token(c);
    bool help = ctl_prom_token_is(&word, "HELP"), type = ctl_prom_token_is(&word, "TYPE");
    if (!help && !type)
        return true;
    if (!ctl_prom_skip_blanks(c))
        return false;
    char *name = ctl_prom_name(c, true);
    if (name == NULL)
        return false;
    free(name);
    if (ctl_prom_at_end(c))
        return help; /* an empty HELP text is allowed, a TYPE needs its type */
    if (!ctl_prom_skip_blanks(c))
        return false; /* the name ran into something */
    if (help)
        return ctl_prom_help_text(c);
    struct ctl_prom_cursor t = ctl_prom_token(c);
    static const char *const types[] = {"counter", "gauge", "histogram", "summary", "untyped"};
    bool known = false;
    for (size_t i = 0; i < sizeof types / sizeof types[0] && !known; i++)
        known = ctl_prom_token_is(&t, types[i]);
    ctl_prom_skip_blanks(c);
    return known && ctl_prom_at_end(c);
}

void ctl_prom_parse(const char *text, size_t len, struct ctl_prom *out)
{
    memset(out, 0, sizeof *out);
    const char *p = text, *stop = text + len;
    for (size_t line = 1; p < stop; line++) {
        const char *nl = memchr(p, '\n', (size_t)(stop - p));
        const char *end = nl ? nl : stop;
        struct ctl_prom_cursor c = {p, end};
        p = nl ? nl + 1 : stop;
        /* A proxy may turn "\n" into "\r\n"; nothing else is lost by taking that back. */
        if (c.end > c.p && c.end[-1] == '\r')
            c.end--;
        bool ok;
        ctl_prom_skip_blanks(&c);
        if (memchr(c.p, '\0', (size_t)(c.end - c.p)) != NULL) {
            ok = false;
        } else if (ctl_prom_at_end(&c)) {
            ok = true;
        } else if (*c.p == '#') {
            c.p++;
            ok = ctl_prom_comment(&c);
        } else {
            struct ctl_prom_sample s;
            memset(&s, 0, sizeof s);
            ok = ctl_prom_sample_line(&c, &s);
            if (ok) {
                out->samples = xgrow(out->samples, &out->cap, out->n_samples, sizeof s);
                out->samples[out->n_samples++] = s;
            } else {
                ctl_prom_sample_destroy(&s);
            }
        }
        if (!ok && out->n_bad++ == 0)
            out->first_bad_line = line;
    }
}

void ctl_prom_destroy(struct ctl_prom *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n_samples; i++)
        ctl_prom_sample_destroy(&p->samples[i]);
    free(p->samples);
    memset(p, 0, sizeof *p);
}

const char *ctl_prom_label(const struct ctl_prom_sample *s, const char *name)
{
    for (size_t i = 0; i < s->n_labels; i++)
        if (strcmp(s->labels[i].name, name) == 0)
            return s->labels[i].value;
    return NULL;
}

/* ---- vpcd's counters -------------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static int ctl_stats_fail(char *err, size_t err_size,
                                                                const char *fmt, ...)
{
    if (err != NULL && err_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* The sample as a count: an exact integer, or a float with an integral value in range (a Go
 * client writes large counters as 1.2345678e+07). */
static bool ctl_stats_count_of(const struct ctl_prom_sample *s, uint64_t *out)
{
    if (s->is_count) {
        *out = s->count;
        return true;
    }
    double v = s->value;
    if (!isfinite(v) || v < 0 || v != floor(v) || v >= 18446744073709551616.0)
        return false;
    *out = (uint64_t)v;
    return true;
}

/* A list of rows being filled. */
struct ctl_stats_list {
    struct ctl_stats_row *rows;
    size_t n;
    size_t cap;
};

/* Adds a row unless one with the same name and instance is there already. */
static bool ctl_stats_add(struct ctl_stats_list *l, const char *name, const char *instance,
                          uint64_t count)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct ctl_stats_row *r = &l->rows[i];
        if (strcmp(r->name, name) == 0 &&
            (r->instance == instance ||
             (r->instance && instance && strcmp(r->instance, instance) == 0)))
            return false;
    }
    l->rows = xgrow(l->rows, &l->cap, l->n, sizeof *l->rows);
    l->rows[l->n++] = (struct ctl_stats_row){name, instance, count};
    return true;
}

static int ctl_stats_row_cmp(const void *a, const void *b)
{
    const struct ctl_stats_row *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    int c = strcmp(x->name, y->name);
    if (c != 0)
        return c;
    return strcmp(x->instance ? x->instance : "", y->instance ? y->instance : "");
}

static uint64_t ctl_stats_sum(const struct ctl_stats_list *l)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < l->n; i++)
        sum = l->rows[i].count > UINT64_MAX - sum ? UINT64_MAX : sum + l->rows[i].count;
    return sum;
}

int ctl_stats_read(const struct ctl_prom *p, struct ctl_stats *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    struct ctl_stats_list answers = {0}, drops = {0}, enis = {0};
    bool any = false;
    for (size_t i = 0; i < p->n_samples; i++) {
        const struct ctl_prom_sample *s = &p->samples[i];
        if (strncmp(s->name, "vpcd_", 5) == 0)
            any = true;
        if (strncmp(s->name, "vpcd_dp_", 8) == 0)
            out->dataplane = true;
        uint64_t n;
        if (!ctl_stats_count_of(s, &n))
            continue;
        if (strcmp(s->name, "vpcd_api_requests_total") == 0) {
            if (!out->have_api)
                out->api_requests = n;
            out->have_api = true;
        } else if (strcmp(s->name, "vpcd_dp_frames_total") == 0) {
            const char *dir = ctl_prom_label(s, "direction");
            if (dir && strcmp(dir, "rx") == 0 && !out->have_rx) {
                out->have_rx = true;
                out->rx = n;
            } else if (dir && strcmp(dir, "tx") == 0 && !out->have_tx) {
                out->have_tx = true;
                out->tx = n;
            }
        } else if (strcmp(s->name, "vpcd_dp_answers_total") == 0) {
            const char *kind = ctl_prom_label(s, "kind");
            if (kind)
                ctl_stats_add(&answers, kind, NULL, n);
        } else if (strcmp(s->name, "vpcd_dp_drops_total") == 0) {
            const char *reason = ctl_prom_label(s, "reason");
            if (reason)
                ctl_stats_add(&drops, reason, NULL, n);
        } else if (strcmp(s->name, "vpcd_dp_eni_drops_total") == 0) {
            const char *eni = ctl_prom_label(s, "eni");
            const char *instance = ctl_prom_label(s, "instance");
            if (eni)
                ctl_stats_add(&enis, eni, instance ? instance : "", n);
        }
    }
    if (!any)
        return ctl_stats_fail(err, err_size, "no vpcd counters (vpcd_*) in the reply");
    if (drops.n)
        qsort(drops.rows, drops.n, sizeof *drops.rows, ctl_stats_row_cmp);
    if (enis.n)
        qsort(enis.rows, enis.n, sizeof *enis.rows, ctl_stats_row_cmp);
    out->answers = answers.rows;
    out->n_answers = answers.n;
    out->drops = drops.rows;
    out->n_drops = drops.n;
    out->eni_drops = enis.rows;
    out->n_eni_drops = enis.n;
    out->total_drops = ctl_stats_sum(&drops);
    out->total_eni_drops = ctl_stats_sum(&enis);
    return 0;
}

void ctl_stats_destroy(struct ctl_stats *s)
{
    if (s == NULL)
        return;
    free(s->answers);
    free(s->drops);
    free(s->eni_drops);
    memset(s, 0, sizeof *s);
}

/* A name from the server, with control characters shown as '?' so that no label value can
 * start a line of its own or move the cursor. */
static void ctl_stats_put(struct strbuf *out, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        char c = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
        strbuf_append(out, &c, 1);
    }
}

static void ctl_stats_put_count(struct strbuf *out, bool have, uint64_t n)
{
    if (have)
        strbuf_printf(out, "%llu", (unsigned long long)n);
    else
        strbuf_puts(out, "?");
}

static int ctl_stats_digits(uint64_t n)
{
    int d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

/* "title: total" and one line per row shown: the count right-aligned, then the name. */
static void ctl_stats_rows_text(const char *title, const struct ctl_stats_row *rows, size_t n,
                                uint64_t total, bool all, struct strbuf *out)
{
    strbuf_printf(out, "%s: %llu\n", title, (unsigned long long)total);
    int width = 1;
    for (size_t i = 0; i < n; i++)
        if ((all || rows[i].count) && ctl_stats_digits(rows[i].count) > width)
            width = ctl_stats_digits(rows[i].count);
    for (size_t i = 0; i < n; i++) {
        if (!all && rows[i].count == 0)
            continue;
        strbuf_printf(out, "  %*llu  ", width, (unsigned long long)rows[i].count);
        ctl_stats_put(out, rows[i].name);
        if (rows[i].instance) {
            strbuf_puts(out, "  ");
            ctl_stats_put(out, rows[i].instance[0] ? rows[i].instance : "-");
        }
        strbuf_puts(out, "\n");
    }
}

void ctl_stats_text(const struct ctl_stats *s, bool all, struct strbuf *out)
{
    strbuf_puts(out, "api requests: ");
    ctl_stats_put_count(out, s->have_api, s->api_requests);
    strbuf_puts(out, "\n");
    if (!s->dataplane) {
        strbuf_puts(out, "data plane: off (no counters)\n");
        return;
    }
    strbuf_puts(out, "frames: rx ");
    ctl_stats_put_count(out, s->have_rx, s->rx);
    strbuf_puts(out, ", tx ");
    ctl_stats_put_count(out, s->have_tx, s->tx);
    strbuf_puts(out, "\nanswers:");
    for (size_t i = 0; i < s->n_answers; i++) {
        strbuf_puts(out, i ? ", " : " ");
        ctl_stats_put(out, s->answers[i].name);
        strbuf_printf(out, " %llu", (unsigned long long)s->answers[i].count);
    }
    strbuf_puts(out, s->n_answers ? "\n" : " none\n");
    ctl_stats_rows_text("drops by reason", s->drops, s->n_drops, s->total_drops, all, out);
    ctl_stats_rows_text("drops by interface", s->eni_drops, s->n_eni_drops, s->total_eni_drops, all,
                        out);
}

_Static_assert(sizeof(json_int_t) >= sizeof(int64_t), "counts need a 64-bit json_int_t");

/* A count as a JSON number: exact up to 2^63-1, a (rounded) real beyond. */
static json_t *ctl_stats_json_count(uint64_t n)
{
    if (n <= (uint64_t)INT64_MAX)
        return json_integer((json_int_t)n);
    return json_real((double)n);
}

static json_t *ctl_stats_json_have(bool have, uint64_t n)
{
    return have ? ctl_stats_json_count(n) : json_null();
}

void ctl_stats_json(const struct ctl_stats *s, bool all, struct strbuf *out)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "apiRequests", ctl_stats_json_have(s->have_api, s->api_requests));
    json_object_set_new(doc, "dataPlane", json_boolean(s->dataplane));
    if (!s->dataplane) {
        json_object_set_new(doc, "frames", json_null());
        json_object_set_new(doc, "answers", json_null());
        json_object_set_new(doc, "drops", json_null());
    } else {
        json_t *frames = json_object();
        json_object_set_new(frames, "rx", ctl_stats_json_have(s->have_rx, s->rx));
        json_object_set_new(frames, "tx", ctl_stats_json_have(s->have_tx, s->tx));
        json_object_set_new(doc, "frames", frames);
        json_t *answers = json_object();
        for (size_t i = 0; i < s->n_answers; i++)
            json_object_set_new(answers, s->answers[i].name,
                                ctl_stats_json_count(s->answers[i].count));
        json_object_set_new(doc, "answers", answers);
        json_t *drops = json_object();
        json_object_set_new(drops, "total", ctl_stats_json_count(s->total_drops));
        json_t *by_reason = json_array();
        for (size_t i = 0; i < s->n_drops; i++) {
            if (!all && s->drops[i].count == 0)
                continue;
            json_t *o = json_object();
            json_object_set_new(o, "reason", json_string(s->drops[i].name));
            json_object_set_new(o, "count", ctl_stats_json_count(s->drops[i].count));
            json_array_append_new(by_reason, o);
        }
        json_object_set_new(drops, "byReason", by_reason);
        json_t *by_eni = json_array();
        for (size_t i = 0; i < s->n_eni_drops; i++) {
            const struct ctl_stats_row *r = &s->eni_drops[i];
            if (!all && r->count == 0)
                continue;
            json_t *o = json_object();
            json_object_set_new(o, "networkInterfaceId", json_string(r->name));
            json_object_set_new(o, "instanceId",
                                r->instance[0] ? json_string(r->instance) : json_null());
            json_object_set_new(o, "count", ctl_stats_json_count(r->count));
            json_array_append_new(by_eni, o);
        }
        json_object_set_new(drops, "byInterface", by_eni);
        json_object_set_new(doc, "drops", drops);
    }
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text) {
        strbuf_puts(out, text);
        strbuf_puts(out, "\n");
        free(text);
    }
    json_decref(doc);
}

/* ---- the command ------------------------------------------------------------------------ */

int ctl_stats_url(const char *endpoint, char **url, char *err, size_t err_size)
{
    *url = NULL;
    char *host = NULL, *path = NULL;
    /* The same checks, and words, as for the API calls. */
    if (ctl_http_split_url(endpoint, &host, &path, err, err_size) != 0)
        return -1;
    free(host);
    struct strbuf p;
    strbuf_init(&p);
    size_t n = strlen(path);
    while (n > 0 && path[n - 1] == '/')
        n--;
    strbuf_append(&p, path, n);
    strbuf_puts(&p, "/_vpcd/metrics");
    free(path);
    int rc = -1;
    char *joined = NULL;
    CURLU *u = curl_url();
    if (u == NULL) {
        ctl_stats_fail(err, err_size, "out of memory");
    } else if (curl_url_set(u, CURLUPART_URL, endpoint, 0) != CURLUE_OK ||
               curl_url_set(u, CURLUPART_PATH, p.data, 0) != CURLUE_OK ||
               curl_url_set(u, CURLUPART_QUERY, NULL, 0) != CURLUE_OK ||
               curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK ||
               curl_url_get(u, CURLUPART_URL, &joined, 0) != CURLUE_OK) {
        ctl_stats_fail(err, err_size, "Invalid endpoint: %s", endpoint);
    } else {
        *url = xstrdup(joined);
        rc = 0;
    }
    curl_free(joined);
    curl_url_cleanup(u);
    strbuf_destroy(&p);
    return rc;
}

/* vpcd answers in microseconds; a bound keeps a wedged endpoint from hanging a script. */
#define CTL_STATS_TIMEOUT_MS 30000L

int ctl_cmd_stats(const char *endpoint, const struct ctl_stats_opts *o, FILE *out, FILE *err)
{
    char msg[1024];
    char *url = NULL;
    if (ctl_stats_url(endpoint, &url, msg, sizeof msg) != 0) {
        fprintf(err, "vpcctl: %s\n", msg);
        return CTL_EXIT_ERROR;
    }
    static const char *const headers[] = {"Accept: text/plain; version=0.0.4"};
    struct ctl_http_reply r;
    if (ctl_http_get(url, headers, 1, CTL_STATS_TIMEOUT_MS, &r, msg, sizeof msg) != 0) {
        fprintf(err, "vpcctl: %s\n", msg);
        free(url);
        return CTL_EXIT_ERROR;
    }
    int rc = CTL_EXIT_ERROR;
    struct ctl_prom prom;
    struct ctl_stats stats;
    memset(&prom, 0, sizeof prom);
    memset(&stats, 0, sizeof stats);
    if (r.status != 200) {
        fprintf(err, "vpcctl: %s answered HTTP %ld (is the endpoint a vpcd?)\n", url, r.status);
        goto done;
    }
    ctl_prom_parse(r.body, r.body_len, &prom);
    if (ctl_stats_read(&prom, &stats, msg, sizeof msg) != 0) {
        fprintf(err, "vpcctl: %s: %s (is the endpoint a vpcd?)\n", url, msg);
        goto done;
    }
    if (prom.n_bad)
        fprintf(err, "vpcctl: ignored %zu malformed line%s of %s (the first is line %zu)\n",
                prom.n_bad, prom.n_bad == 1 ? "" : "s", url, prom.first_bad_line);
    struct strbuf sb;
    strbuf_init(&sb);
    if (o->json)
        ctl_stats_json(&stats, o->all, &sb);
    else
        ctl_stats_text(&stats, o->all, &sb);
    if (sb.len)
        fputs(sb.data, out);
    strbuf_destroy(&sb);
    rc = CTL_EXIT_OK;
done:
    ctl_stats_destroy(&stats);
    ctl_prom_destroy(&prom);
    ctl_http_reply_destroy(&r);
    free(url);
    return rc;
}
