/* vpcctl's HTTP transport: one POST of a form body (the EC2 API) or one GET (vpcd's own
 * /_vpcd/ pages) with libcurl, no redirects, http and https only, a bounded reply.
 *
 * Ownership: arguments are borrowed for the call. struct ctl_http_reply owns its body;
 * ctl_http_reply_destroy() frees it (and accepts a zeroed or already destroyed one).
 * ctl_http_global_init() / ctl_http_global_cleanup() bracket all use, once per process. */
#ifndef VPCD_CTL_HTTP_H
#define VPCD_CTL_HTTP_H

#include <stddef.h>

/* A reply larger than this is an error: no analysis reply comes close. */
#define CTL_HTTP_MAX_REPLY (64u << 20)

struct ctl_http_reply {
    long status;
    char *body; /* NUL-terminated; body_len excludes the NUL */
    size_t body_len;
};

/* The parts of an endpoint URL a request needs: the Host header value exactly as it will be
 * sent (host, plus :port when the URL names one) and the path ("/" when the URL has none).
 * Caller owns both strings. Returns 0, or -1 with err for a URL that is not http(s). */
int ctl_http_split_url(const char *url, char **host, char **path, char *err, size_t err_size);

int ctl_http_global_init(void);
void ctl_http_global_cleanup(void);

/* POSTs body to url with headers ("Name: value" lines). timeout_ms bounds the whole
 * exchange. Returns 0 once a reply arrived (any status), or -1 with err when none did. */
int ctl_http_post(const char *url, const char *const *headers, size_t n_headers, const char *body,
                  size_t body_len, long timeout_ms, struct ctl_http_reply *out, char *err,
                  size_t err_size);
/* GETs url with headers; same rules and results as ctl_http_post(). */
int ctl_http_get(const char *url, const char *const *headers, size_t n_headers, long timeout_ms,
                 struct ctl_http_reply *out, char *err, size_t err_size);
void ctl_http_reply_destroy(struct ctl_http_reply *r);

#endif
