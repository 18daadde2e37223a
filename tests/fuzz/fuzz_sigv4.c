/* libFuzzer target for SigV4 verification.
 *
 * Input layout (text-friendly, so seeds can be written by hand):
 *   byte 0      flags: bit 0 POST instead of GET, bit 1 send the date as an RFC 1123 Date
 *               header instead of X-Amz-Date, bit 2 unknown access key, bit 3 clock one hour
 *               later than the suite's signing time
 *   then up to five '\n'-terminated fields: Authorization value (empty: no header, which
 *   exercises the presigned form), raw query string, date value, raw path, a value used for
 *   x-amz-content-sha256 and a repeated My-Header1; whatever follows is the body.
 */
#include "../../src/api/sigv4.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_NOW ((time_t)1440938160) /* 2015-08-30T12:36:00Z */
#define FUZZ_FIELDS 5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_lookup(const char *access_key, void *ctx)
{
    (void)access_key;
    return *(const int *)ctx ? NULL : "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
}

/* Results must be self-consistent whatever the input. */
static void fuzz_check(int rc, const struct sigv4_result *res)
{
    size_t len = strnlen(res->message, sizeof(res->message));
    if (len == sizeof(res->message))
        abort();
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)res->message[i] < 0x20 || (unsigned char)res->message[i] >= 0x7f)
            abort();
    if (rc == 0 && (res->error_code != NULL || !res->cred_valid || res->http_status != 200))
        abort();
    if (rc != 0 && (res->error_code == NULL || res->http_status < 400))
        abort();
    if (res->cred_valid &&
        (strnlen(res->cred.date, sizeof(res->cred.date)) != 8 || res->cred.access_key[0] == '\0'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    unsigned flags = data[0];
    data++;
    size--;

    char *field[FUZZ_FIELDS];
    for (int i = 0; i < FUZZ_FIELDS; i++) {
        const uint8_t *nl = memchr(data, '\n', size);
        size_t n = nl ? (size_t)(nl - data) : size;
        field[i] = strndup((const char *)data, n);
        if (field[i] == NULL)
            abort();
        data += nl ? n + 1 : n;
        size -= nl ? n + 1 : n;
    }
    /* The body keeps embedded NULs: it is passed by length. */
    unsigned char *body = malloc(size ? size : 1);
    if (body == NULL)
        abort();
    memcpy(body, data, size);

    struct sigv4_header headers[6];
    size_t n = 0;
    headers[n++] = (struct sigv4_header){"Host", "example.amazonaws.com"};
    headers[n++] = (struct sigv4_header){(flags & 2) ? "Date" : "X-Amz-Date", field[2]};
    headers[n++] = (struct sigv4_header){"My-Header1", field[4]};
    headers[n++] = (struct sigv4_header){"x-amz-content-sha256", field[4]};
    headers[n++] = (struct sigv4_header){"my-header1", "  second   value "};
    if (field[0][0] != '\0')
        headers[n++] = (struct sigv4_header){"Authorization", field[0]};

    struct sigv4_request req = {
        .method = (flags & 1) ? "POST" : "GET",
        .path = field[3],
        .query = field[1],
        .headers = headers,
        .n_headers = n,
        .body = body,
        .body_len = size,
    };
    int unknown = (flags & 4) != 0;
    time_t now = FUZZ_NOW + ((flags & 8) ? 3600 : 0);

    struct sigv4_result res;
    int rc = sigv4_verify(&req, now, fuzz_lookup, &unknown, &res);
    fuzz_check(rc, &res);
    if (getenv("FUZZ_SIGV4_VERBOSE") != NULL) /* to see what a seed or crash input reaches */
        fprintf(stderr, "verify: %s %s\n", res.error_code ? res.error_code : "OK", res.message);
    rc = sigv4_parse_credential(&req, &res);
    fuzz_check(rc, &res);

    for (int i = 0; i < FUZZ_FIELDS; i++)
        free(field[i]);
    free(body);
    return 0;
}
