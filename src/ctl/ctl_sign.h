/* SigV4 signing for vpcctl's requests (client side; the server's verifier is src/api/sigv4.c).
 *
 * The signer always signs `host` and `x-amz-date`, plus the extra headers the caller lists
 * (content-type, x-amz-security-token ...). It covers what vpcctl sends: a path without dot
 * segments, a query string the caller has already percent-encoded the RFC 3986 way, and a
 * body of any bytes.
 *
 * Ownership: every pointer in struct ctl_sign_input is borrowed for the call only. struct
 * ctl_signature is caller storage and holds copies. No state is kept between calls. */
#ifndef VPCD_CTL_SIGN_H
#define VPCD_CTL_SIGN_H

#include <stddef.h>
#include <time.h>

#include "lib/strbuf.h"

#define CTL_SIGN_MAX_HEADERS 8

struct ctl_sign_header {
    const char *name; /* any case; signed in lower case */
    const char *value;
};

struct ctl_sign_input {
    const char *method; /* "GET" or "POST" */
    const char *host;   /* the Host header exactly as sent: "127.0.0.1:4566" */
    const char *path;   /* "/" when NULL or empty */
    const char *query;  /* percent-encoded "a=1&b=2", unsorted is fine; NULL: none */
    const void *body;   /* NULL when body_len is 0 */
    size_t body_len;
    const struct ctl_sign_header *headers; /* extra headers to sign, at most CTL_SIGN_MAX_HEADERS */
    size_t n_headers;
    const char *access_key;
    const char *secret_key;
    const char *region;  /* credential scope region */
    const char *service; /* credential scope service ("ec2") */
    time_t now;
};

struct ctl_signature {
    char amz_date[17];        /* X-Amz-Date value, YYYYMMDDTHHMMSSZ */
    char payload_hash[65];    /* hex SHA-256 of the body */
    char signature[65];       /* hex */
    char authorization[1024]; /* the Authorization header value */
};

/* Returns 0, or -1 when an input is missing, too long or the crypto fails. */
int ctl_sign(const struct ctl_sign_input *in, struct ctl_signature *out);

/* Appends s percent-encoded the SigV4 way (RFC 3986 unreserved characters kept, everything
 * else %XX upper case), which is also a valid form-body encoding. */
void ctl_sign_uri_encode(struct strbuf *sb, const char *s);

#endif
