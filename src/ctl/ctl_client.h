/* One EC2 Query API call from vpcctl: form body (Action, Version, parameters), SigV4 with the
 * resolved credentials, POST, and the reply as an XML tree or an AWS error.
 *
 * Ownership: struct ctl_client borrows its config (which must outlive it) and owns the rest;
 * ctl_client_destroy() frees it. A successful ctl_client_call() hands the reply tree to the
 * caller (ctl_xml_free). Parameter strings are borrowed for the call. */
#ifndef VPCD_CTL_CLIENT_H
#define VPCD_CTL_CLIENT_H

#include <stddef.h>
#include <time.h>

#include "ctl/ctl_config.h"
#include "ctl/ctl_xml.h"
#include "lib/strbuf.h"

#define CTL_EC2_VERSION "2016-11-15"

struct ctl_param {
    const char *name; /* "NetworkInsightsAnalysisId.1" */
    const char *value;
};

struct ctl_error {
    char code[128];     /* the AWS error code; "" when the failure is local (no reply ...) */
    char message[1024]; /* always set on failure */
    long http_status;   /* 0 when no reply arrived */
};

struct ctl_client {
    const struct ctl_config *cfg;
    char *url;  /* the endpoint as configured */
    char *host; /* Host header value */
    char *path;
    long timeout_ms;
    time_t (*clock)(void); /* signing time; time() unless a test sets it */
};

/* Returns 0, or -1 with err when the endpoint URL is not usable. */
int ctl_client_init(struct ctl_client *c, const struct ctl_config *cfg, struct ctl_error *err);
void ctl_client_destroy(struct ctl_client *c);

/* Calls action with params. Returns 0 with *reply (the <ActionResponse> root), or -1 with err:
 * an AWS error (code and message from the reply's envelope), or a local one (no connection,
 * a reply that is not EC2 XML). */
int ctl_client_call(struct ctl_client *c, const char *action, const struct ctl_param *params,
                    size_t n_params, struct ctl_xml_node **reply, struct ctl_error *err);

/* The form body of a call: "Action=...&Version=2016-11-15&name=value..." (encoded). */
void ctl_client_form(struct strbuf *sb, const char *action, const struct ctl_param *params,
                     size_t n_params);

/* A fresh random idempotency token (UUID form) in buf of at least 37 bytes. */
void ctl_client_token(char *buf, size_t buf_size);

/* "An error occurred (Code) when calling the Action operation: message", as the aws CLI
 * words it, or just the message for a local failure. */
void ctl_client_describe_error(const struct ctl_error *err, const char *action, struct strbuf *sb);

#endif
