/* AWS Signature Version 4 verification, server side.
 *
 * Checks requests signed either in the Authorization header or in the query string
 * (presigned URLs) the way EC2 does, and reports failures with the error codes and messages
 * EC2 returns, so SDKs and the CLI show their usual errors.
 *
 * Ownership: every pointer in struct sigv4_request is borrowed from the caller and only read
 * during the call. struct sigv4_result is caller-owned storage; its error_code points to a
 * string literal (static storage, never freed). The functions keep no state between calls and
 * are safe to call from several threads at once.
 */
#ifndef VPCD_API_SIGV4_H
#define VPCD_API_SIGV4_H

#include <stddef.h>
#include <time.h>

/* Error codes as EC2 spells them; sigv4_result.error_code is one of these pointers. */
#define SIGV4_ERR_MISSING_TOKEN "MissingAuthenticationToken"
#define SIGV4_ERR_INCOMPLETE "IncompleteSignature"
#define SIGV4_ERR_AUTH_FAILURE "AuthFailure"
#define SIGV4_ERR_SIGNATURE "SignatureDoesNotMatch"
#define SIGV4_ERR_EXPIRED "RequestExpired"
/* Not the client's fault (out of memory, crypto failure): answer 500. */
#define SIGV4_ERR_INTERNAL "InternalError"

/* How far the request time may be from the server clock, either way. */
#define SIGV4_MAX_SKEW_SECONDS 900
/* Bounds of X-Amz-Expires on presigned requests (one week at most). */
#define SIGV4_MAX_EXPIRES_SECONDS 604800

struct sigv4_header {
    const char *name;  /* as received; names in any case */
    const char *value; /* as received, NUL-terminated */
};

struct sigv4_request {
    const char *method; /* "GET" or "POST" */
    const char *path;   /* raw request path as received (still percent-encoded), e.g. "/" */
    const char *query;  /* raw query string without '?', percent-encoded as received; "" if none */
    const struct sigv4_header *headers; /* every request header, repeats included, in order */
    size_t n_headers;
    const unsigned char *body; /* exact body bytes; may be NULL when body_len is 0 */
    size_t body_len;
};

struct sigv4_credential {
    char access_key[129];
    char date[9]; /* YYYYMMDD */
    char region[64];
    char service[64];
};

struct sigv4_result {
    struct sigv4_credential cred; /* filled whenever the credential scope could be parsed */
    const char *error_code;       /* NULL on success, else one of SIGV4_ERR_* */
    char message[320];            /* human message for the error; "" on success */
    int http_status;              /* status EC2 answers this error with; 200 on success */
    int cred_valid;               /* 1 when cred holds a parsed scope */
};

/* Returns the secret key for access_key, or NULL if the key is unknown. The returned string
 * must stay valid until sigv4_verify returns. */
typedef const char *(*sigv4_secret_fn)(const char *access_key, void *ctx);

/* Verifies a header-form (Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
 * Signature=...) or query-form/presigned (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date,
 * X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Signature in the query) request.
 * now = current unix time. Returns 0 on success, -1 with out->error_code set.
 * An Authorization header takes precedence over X-Amz-Algorithm in the query. Header-form
 * requests must be dated within SIGV4_MAX_SKEW_SECONDS of now either way; presigned ones may be
 * at most that far in the future and live until X-Amz-Date + X-Amz-Expires.
 * The caller still decides whether cred.region and cred.service are acceptable. */
int sigv4_verify(const struct sigv4_request *req, time_t now, sigv4_secret_fn lookup, void *ctx,
                 struct sigv4_result *out);

/* Extracts only the credential scope (access key, date, region, service) from either form
 * without verifying anything (used by --dev mode). Returns 0 if found, -1 otherwise with
 * out->error_code set. */
int sigv4_parse_credential(const struct sigv4_request *req, struct sigv4_result *out);

#endif
