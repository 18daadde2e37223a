/* libcurl POST and GET for vpcctl. */
#include "ctl/ctl_http.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "lib/strbuf.h"
#include "lib/xalloc.h"

__attribute__((format(printf, 3, 4))) static int ctl_http_fail(char *err, size_t err_size,
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

int ctl_http_split_url(const char *url, char **host, char **path, char *err, size_t err_size)
{
    *host = NULL;
    *path = NULL;
    CURLU *u = curl_url();
    if (u == NULL)
        return ctl_http_fail(err, err_size, "out of memory");
    char *scheme = NULL, *h = NULL, *port = NULL, *p = NULL;
    int rc = -1;
    if (url == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        ctl_http_fail(err, err_size, "Invalid endpoint: %s", url ? url : "(none)");
        goto done;
    }
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)) {
        ctl_http_fail(err, err_size, "Invalid endpoint: %s (http or https only)", url);
        goto done;
    }
    if (curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK || *h == '\0') {
        ctl_http_fail(err, err_size, "Invalid endpoint: %s (no host)", url);
        goto done;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, h);
    /* curl sends ":port" only when the URL has one; the signed Host must match byte for byte. */
    if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK)
        strbuf_printf(&sb, ":%s", port);
    *host = strbuf_steal(&sb);
    if (curl_url_get(u, CURLUPART_PATH, &p, 0) == CURLUE_OK && *p)
        *path = xstrdup(p);
    else
        *path = xstrdup("/");
    rc = 0;
done:
    curl_free(scheme);
    curl_free(h);
    curl_free(port);
    curl_free(p);
    curl_url_cleanup(u);
    return rc;
}

int ctl_http_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void ctl_http_global_cleanup(void)
{
    curl_global_cleanup();
}

struct ctl_http_sink {
    struct strbuf body;
    bool too_big;
};

static size_t ctl_http_write(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct ctl_http_sink *sink = ctx;
    size_t n = size * nmemb;
    if (sink->body.len + n > CTL_HTTP_MAX_REPLY) {
        sink->too_big = true;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    strbuf_append(&sink->body, data, n);
    return n;
}

/* The header list, with "Expect:" last: without it curl waits for "100 Continue" on larger
 * bodies, which vpcd never sends. Returns NULL when out of memory. */
static struct curl_slist *ctl_http_headers(const char *const *headers, size_t n_headers)
{
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < n_headers; i++) {
        struct curl_slist *next = curl_slist_append(list, headers[i]);
        if (next == NULL) {
            curl_slist_free_all(list);
            return NULL;
        }
        list = next;
    }
    struct curl_slist *next = curl_slist_append(list, "Expect:");
    if (next == NULL)
        curl_slist_free_all(list);
    return next;
}

/* Runs the request set up on c (method and body already set) and fills out. Frees c and list. */
static int ctl_http_perform(CURL *c, struct curl_slist *list, const char *url, long timeout_ms,
                            struct ctl_http_reply *out, char *err, size_t err_size)
{
    struct ctl_http_sink sink = {.too_big = false};
    strbuf_init(&sink.body);
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ctl_http_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 60000L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "vpcctl/1");

    CURLcode res = curl_easy_perform(c);
    int rc = -1;
    if (sink.too_big) {
        ctl_http_fail(err, err_size, "the reply from %s is larger than %u bytes", url,
                      CTL_HTTP_MAX_REPLY);
    } else if (res != CURLE_OK) {
        ctl_http_fail(err, err_size, "Could not connect to the endpoint URL: \"%s\" (%s)", url,
                      curl_err[0] ? curl_err : curl_easy_strerror(res));
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
        out->body_len = sink.body.len;
        out->body = sink.body.data ? strbuf_steal(&sink.body) : xstrdup("");
        rc = 0;
    }
    strbuf_destroy(&sink.body);
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    return rc;
}

int ctl_http_post(const char *url, const char *const *headers, size_t n_headers, const char *body,
                  size_t body_len, long timeout_ms, struct ctl_http_reply *out, char *err,
                  size_t err_size)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    if (c == NULL)
        return ctl_http_fail(err, err_size, "could not start an HTTP request");
    struct curl_slist *list = ctl_http_headers(headers, n_headers);
    if (list == NULL) {
        curl_easy_cleanup(c);
        return ctl_http_fail(err, err_size, "out of memory");
    }
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    return ctl_http_perform(c, list, url, timeout_ms, out, err, err_size);
}

int ctl_http_get(const char *url, const char *const *headers, size_t n_headers, long timeout_ms,
                 struct ctl_http_reply *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    if (c == NULL)
        return ctl_http_fail(err, err_size, "could not start an HTTP request");
    struct curl_slist *list = ctl_http_headers(headers, n_headers);
    if (list == NULL) {
        curl_easy_cleanup(c);
        return ctl_http_fail(err, err_size, "out of memory");
    }
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    return ctl_http_perform(c, list, url, timeout_ms, out, err, err_size);
}

void ctl_http_reply_destroy(struct ctl_http_reply *r)
{
    if (r == NULL)
        return;
    free(r->body);
    memset(r, 0, sizeof *r);
}
