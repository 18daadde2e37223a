/* Signed EC2 Query API calls for vpcctl. */
#include "ctl/ctl_client.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "ctl/ctl_http.h"
#include "ctl/ctl_sign.h"
#include "lib/xalloc.h"

#define CTL_CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"

__attribute__((format(printf, 3, 4))) static int
ctl_client_fail(struct ctl_error *err, const char *code, const char *fmt, ...)
{
    snprintf(err->code, sizeof err->code, "%s", code ? code : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

static time_t ctl_client_now(void)
{
    return time(NULL);
}

int ctl_client_init(struct ctl_client *c, const struct ctl_config *cfg, struct ctl_error *err)
{
    memset(c, 0, sizeof *c);
    memset(err, 0, sizeof *err);
    c->cfg = cfg;
    c->timeout_ms = 60000;
    c->clock = ctl_client_now;
    if (ctl_http_split_url(cfg->endpoint, &c->host, &c->path, err->message, sizeof err->message) !=
        0)
        return -1;
    c->url = xstrdup(cfg->endpoint);
    return 0;
}

void ctl_client_destroy(struct ctl_client *c)
{
    if (c == NULL)
        return;
    free(c->url);
    free(c->host);
    free(c->path);
    memset(c, 0, sizeof *c);
}

void ctl_client_form(struct strbuf *sb, const char *action, const struct ctl_param *params,
                     size_t n_params)
{
    strbuf_puts(sb, "Action=");
    ctl_sign_uri_encode(sb, action);
    strbuf_puts(sb, "&Version=" CTL_EC2_VERSION);
    for (size_t i = 0; i < n_params; i++) {
        if (params[i].name == NULL || params[i].value == NULL)
            continue;
        strbuf_puts(sb, "&");
        ctl_sign_uri_encode(sb, params[i].name);
        strbuf_puts(sb, "=");
        ctl_sign_uri_encode(sb, params[i].value);
    }
}

void ctl_client_token(char *buf, size_t buf_size)
{
    unsigned char r[16];
    if (RAND_bytes(r, sizeof r) != 1) {
        /* Uniqueness, not secrecy, is what a client token needs. */
        for (size_t i = 0; i < sizeof r; i++)
            r[i] = (unsigned char)(rand() & 0xff);
    }
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    snprintf(buf, buf_size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13],
             r[14], r[15]);
}

void ctl_client_describe_error(const struct ctl_error *err, const char *action, struct strbuf *sb)
{
    if (err->code[0])
        strbuf_printf(sb, "An error occurred (%s) when calling the %s operation: %s", err->code,
                      action, err->message);
    else
        strbuf_puts(sb, err->message);
}

int ctl_client_call(struct ctl_client *c, const char *action, const struct ctl_param *params,
                    size_t n_params, struct ctl_xml_node **reply, struct ctl_error *err)
{
    *reply = NULL;
    memset(err, 0, sizeof *err);
    struct strbuf body;
    strbuf_init(&body);
    ctl_client_form(&body, action, params, n_params);

    const struct ctl_config *cfg = c->cfg;
    struct ctl_sign_header extra[2] = {{"Content-Type", CTL_CONTENT_TYPE}};
    size_t n_extra = 1;
    if (cfg->session_token)
        extra[n_extra++] = (struct ctl_sign_header){"X-Amz-Security-Token", cfg->session_token};
    struct ctl_sign_input in = {
        .method = "POST",
        .host = c->host,
        .path = c->path,
        .body = body.data,
        .body_len = body.len,
        .headers = extra,
        .n_headers = n_extra,
        .access_key = cfg->access_key,
        .secret_key = cfg->secret_key,
        .region = cfg->region,
        .service = "ec2",
        .now = c->clock(),
    };
    struct ctl_signature sig;
    if (ctl_sign(&in, &sig) != 0) {
        strbuf_destroy(&body);
        return ctl_client_fail(err, NULL, "could not sign the %s request", action);
    }

    struct strbuf hdr[5];
    for (size_t i = 0; i < 5; i++)
        strbuf_init(&hdr[i]);
    strbuf_printf(&hdr[0], "Host: %s", c->host);
    strbuf_printf(&hdr[1], "Content-Type: %s", CTL_CONTENT_TYPE);
    strbuf_printf(&hdr[2], "X-Amz-Date: %s", sig.amz_date);
    strbuf_printf(&hdr[3], "Authorization: %s", sig.authorization);
    size_t n_hdr = 4;
    if (cfg->session_token)
        strbuf_printf(&hdr[n_hdr++], "X-Amz-Security-Token: %s", cfg->session_token);
    const char *lines[5];
    for (size_t i = 0; i < n_hdr; i++)
        lines[i] = hdr[i].data;

    struct ctl_http_reply r;
    char http_err[512];
    int rc = ctl_http_post(c->url, lines, n_hdr, body.data, body.len, c->timeout_ms, &r, http_err,
                           sizeof http_err);
    for (size_t i = 0; i < 5; i++)
        strbuf_destroy(&hdr[i]);
    strbuf_destroy(&body);
    if (rc != 0)
        return ctl_client_fail(err, NULL, "%s", http_err);

    err->http_status = r.status;
    struct ctl_xml_node *root = ctl_xml_parse(r.body, r.body_len);
    ctl_http_reply_destroy(&r);
    const char *code = NULL, *message = NULL;
    if (root != NULL && ctl_xml_error(root, &code, &message)) {
        ctl_client_fail(err, code ? code : "Unknown", "%s", message ? message : "(no message)");
        ctl_xml_free(root);
        return -1;
    }
    if (root == NULL || err->http_status != 200) {
        ctl_xml_free(root);
        return ctl_client_fail(err, NULL, "the reply to %s (HTTP %ld) is not an EC2 reply", action,
                               err->http_status);
    }
    *reply = root;
    return 0;
}
