/* SigV4 verification: AWS's published test-suite vectors, requests signed by botocore, and
 * every error the verifier can answer with. */
#include "unit.h"

#include "api/sigv4.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SUITE_NOW ((time_t)1440938160) /* 2015-08-30T12:36:00Z, the suite's signing time */
#define BOTO_NOW                                                                                   \
    ((time_t)1705314030) /* 2024-01-15T10:20:30Z, when the botocore vectors were made */

#define SUITE_SCOPE                                                                                \
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
#define SUITE_HOST                                                                                 \
    {                                                                                              \
        "Host", "example.amazonaws.com"                                                            \
    }
#define SUITE_DATE                                                                                 \
    {                                                                                              \
        "X-Amz-Date", "20150830T123600Z"                                                           \
    }
#define MAX_HEADERS 8

struct vec {
    const char *method;
    const char *path;
    const char *query;
    struct sigv4_header headers[MAX_HEADERS];
    const char *body;
    time_t now;
    const char *region; /* expected credential scope */
    const char *service;
};

static const char *lookup_secret(const char *access_key, void *ctx)
{
    (void)ctx;
    if (strcmp(access_key, "AKIDEXAMPLE") == 0)
        return "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    if (strcmp(access_key, "test") == 0)
        return "test";
    if (strcmp(access_key, "AKIAVPCDTEST") == 0)
        return "secretkey/with+chars";
    return NULL;
}

static size_t count_headers(const struct vec *v)
{
    size_t n = 0;
    while (n < MAX_HEADERS && v->headers[n].name != NULL)
        n++;
    return n;
}

static struct sigv4_request to_request(const struct vec *v)
{
    struct sigv4_request r = {
        .method = v->method,
        .path = v->path,
        .query = v->query ? v->query : "",
        .headers = v->headers,
        .n_headers = count_headers(v),
        .body = (const unsigned char *)(v->body ? v->body : ""),
        .body_len = v->body ? strlen(v->body) : 0,
    };
    return r;
}

static int verify_at(const struct sigv4_request *r, time_t now, struct sigv4_result *res)
{
    return sigv4_verify(r, now, lookup_secret, NULL, res);
}

static void expect_ok(const struct sigv4_request *r, time_t now)
{
    struct sigv4_result res;
    int rc = verify_at(r, now, &res);
    if (rc != 0)
        print_error("unexpected %s: %s\n", res.error_code, res.message);
    assert_int_equal(rc, 0);
    assert_null(res.error_code);
    assert_string_equal(res.message, "");
    assert_int_equal(res.http_status, 200);
    assert_int_equal(res.cred_valid, 1);
}

/* Checks the code and that the message begins with msg_prefix (NULL: don't care). */
static void expect_error(const struct sigv4_request *r, time_t now, const char *code,
                         const char *msg_prefix)
{
    struct sigv4_result res;
    assert_int_equal(verify_at(r, now, &res), -1);
    assert_non_null(res.error_code);
    assert_string_equal(res.error_code, code);
    if (msg_prefix != NULL && strncmp(res.message, msg_prefix, strlen(msg_prefix)) != 0) {
        print_error("message: %s\nwanted prefix: %s\n", res.message, msg_prefix);
        fail();
    }
}

static const char *const mismatch_msg =
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details.";

/* Flips the last hex digit of the signature, wherever it is. */
static void flip_last(char *s)
{
    size_t n = strlen(s);
    s[n - 1] = s[n - 1] == '0' ? '1' : '0';
}

/* A vector must verify, and must stop verifying once its signature, a signed header or its
 * body changes by one character. */
static void test_vector(void **state)
{
    const struct vec *v = *state;
    struct sigv4_request r = to_request(v);
    expect_ok(&r, v->now);

    struct sigv4_result res;
    assert_int_equal(sigv4_parse_credential(&r, &res), 0);
    assert_string_equal(res.cred.region, v->region);
    assert_string_equal(res.cred.service, v->service);

    struct sigv4_header h[MAX_HEADERS];
    memcpy(h, v->headers, sizeof(h));
    r.headers = h;
    char buf[2048];
    const char *authz = NULL;
    for (size_t i = 0; i < r.n_headers; i++)
        if (strcasecmp(h[i].name, "authorization") == 0) {
            authz = h[i].value;
            snprintf(buf, sizeof(buf), "%s", authz);
            flip_last(buf);
            h[i].value = buf;
        }
    if (authz == NULL) {
        /* presigned: X-Amz-Signature is the last query parameter in these vectors */
        snprintf(buf, sizeof(buf), "%s", r.query);
        flip_last(buf);
        r.query = buf;
    }
    expect_error(&r, v->now, SIGV4_ERR_SIGNATURE, mismatch_msg);

    r = to_request(v);
    memcpy(h, v->headers, sizeof(h));
    r.headers = h;
    char host[256];
    for (size_t i = 0; i < r.n_headers; i++)
        if (strcasecmp(h[i].name, "host") == 0) {
            snprintf(host, sizeof(host), "%s.evil", h[i].value);
            h[i].value = host;
        }
    expect_error(&r, v->now, SIGV4_ERR_SIGNATURE, mismatch_msg);

    if (v->body != NULL && v->body[0] != '\0') {
        r = to_request(v);
        char body[512];
        snprintf(body, sizeof(body), "%s", v->body);
        body[0] ^= 1;
        r.body = (const unsigned char *)body;
        expect_error(&r, v->now, SIGV4_ERR_SIGNATURE, NULL);
    }
}

/* ---- AWS SigV4 test suite (aws-sig-v4-test-suite, 2015-08-30) ---------------------------- */

#define SUITE_VEC(method_, path_, query_, body_, ...)                                              \
    {                                                                                              \
        .method = method_, .path = path_, .query = query_, .headers = {__VA_ARGS__},               \
        .body = body_, .now = SUITE_NOW, .region = "us-east-1", .service = "service"               \
    }
#define AUTHZ(signed_headers, sig)                                                                 \
    {                                                                                              \
        "Authorization", SUITE_SCOPE ", SignedHeaders=" signed_headers ", Signature=" sig          \
    }
#define SIG_GET_VANILLA "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
#define SIG_POST_VANILLA "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"
#define UNRESERVED "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

static const struct vec v_get_vanilla = SUITE_VEC("GET", "/", "", NULL, SUITE_HOST, SUITE_DATE,
                                                  AUTHZ("host;x-amz-date", SIG_GET_VANILLA));

static const struct vec v_get_vanilla_empty_query_key = SUITE_VEC(
    "GET", "/", "Param1=value1", NULL, SUITE_HOST, SUITE_DATE,
    AUTHZ("host;x-amz-date", "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"));

static const struct vec v_get_vanilla_query_order_key = SUITE_VEC(
    "GET", "/", "Param1=value2&Param1=Value1", NULL, SUITE_HOST, SUITE_DATE,
    AUTHZ("host;x-amz-date", "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"));

static const struct vec v_get_vanilla_query_order_key_case = SUITE_VEC(
    "GET", "/", "Param2=value2&Param1=value1", NULL, SUITE_HOST, SUITE_DATE,
    AUTHZ("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));

static const struct vec v_get_vanilla_query_order_value = SUITE_VEC(
    "GET", "/", "Param1=value2&Param1=value1", NULL, SUITE_HOST, SUITE_DATE,
    AUTHZ("host;x-amz-date", "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"));

static const struct vec v_get_vanilla_query_unreserved = SUITE_VEC(
    "GET", "/", UNRESERVED "=" UNRESERVED, NULL, SUITE_HOST, SUITE_DATE,
    AUTHZ("host;x-amz-date", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"));

static const struct vec v_get_vanilla_utf8_query = SUITE_VEC(
    "GET", "/", "\xe1\x88\xb4=bar", NULL, SUITE_HOST, SUITE_DATE,
    AUTHZ("host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"));

static const struct vec v_get_unreserved = SUITE_VEC(
    "GET", "/" UNRESERVED, "", NULL, SUITE_HOST, SUITE_DATE,
    AUTHZ("host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"));

static const struct vec v_get_utf8 = SUITE_VEC(
    "GET", "/\xe1\x88\xb4", "", NULL, SUITE_HOST, SUITE_DATE,
    AUTHZ("host;x-amz-date", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"));

static const struct vec v_get_header_key_duplicate =
    SUITE_VEC("GET", "/", "", NULL, SUITE_HOST, {"My-Header1", "value2"}, {"My-Header1", "value2"},
              {"My-Header1", "value1"}, SUITE_DATE,
              AUTHZ("host;my-header1;x-amz-date",
                    "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"));

static const struct vec v_get_header_value_order =
    SUITE_VEC("GET", "/", "", NULL, SUITE_HOST, {"My-Header1", "value4"}, {"My-Header1", "value1"},
              {"My-Header1", "value3"}, {"My-Header1", "value2"}, SUITE_DATE,
              AUTHZ("host;my-header1;x-amz-date",
                    "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"));

static const struct vec v_get_header_value_trim =
    SUITE_VEC("GET", "/", "", NULL, SUITE_HOST, {"My-Header1", " value1"},
              {"My-Header2", " \"a   b   c\""}, SUITE_DATE,
              AUTHZ("host;my-header1;my-header2;x-amz-date",
                    "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));

static const struct vec v_post_vanilla = SUITE_VEC("POST", "/", "", NULL, SUITE_HOST, SUITE_DATE,
                                                   AUTHZ("host;x-amz-date", SIG_POST_VANILLA));

static const struct vec v_post_vanilla_query = SUITE_VEC(
    "POST", "/", "Param1=value1", NULL, SUITE_HOST, SUITE_DATE,
    AUTHZ("host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"));

/* Header names arrive in any case; the Authorization header's own name too. */
static const struct vec v_post_header_key_case = SUITE_VEC(
    "POST", "/", "", NULL, {"HOST", "example.amazonaws.com"}, {"x-AMZ-date", "20150830T123600Z"},
    {"authorization", SUITE_SCOPE ", SignedHeaders=host;x-amz-date, Signature=" SIG_POST_VANILLA});

static const struct vec v_post_header_key_sort =
    SUITE_VEC("POST", "/", "", NULL, SUITE_HOST, {"My-Header1", "value1"}, SUITE_DATE,
              AUTHZ("host;my-header1;x-amz-date",
                    "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"));

static const struct vec v_post_header_value_case =
    SUITE_VEC("POST", "/", "", NULL, SUITE_HOST, {"My-Header1", "VALUE1"}, SUITE_DATE,
              AUTHZ("host;my-header1;x-amz-date",
                    "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"));

/* Content-Length is sent but not signed, so it must not enter the canonical request. */
static const struct vec v_post_x_www_form_urlencoded = SUITE_VEC(
    "POST", "/", "", "Param1=value1", {"Content-Type", "application/x-www-form-urlencoded"},
    SUITE_HOST, SUITE_DATE, {"Content-Length", "13"},
    AUTHZ("content-type;host;x-amz-date",
          "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));

static const struct vec v_post_x_www_form_urlencoded_parameters =
    SUITE_VEC("POST", "/", "", "Param1=value1",
              {"Content-Type", "application/x-www-form-urlencoded; charset=utf8"}, SUITE_HOST,
              SUITE_DATE, {"Content-Length", "13"},
              AUTHZ("content-type;host;x-amz-date",
                    "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"));

#define STS_TOKEN                                                                                  \
    "AQoDYXdzEPT//////////"                                                                        \
    "wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPf"                     \
    "IeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/"                                                         \
    "kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7W"                                    \
    "Z0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+"          \
    "scqKmlzm8F"                                                                                   \
    "DrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

static const struct vec v_post_sts_header_before =
    SUITE_VEC("POST", "/", "", NULL, SUITE_HOST, SUITE_DATE, {"X-Amz-Security-Token", STS_TOKEN},
              AUTHZ("host;x-amz-date;x-amz-security-token",
                    "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"));

static const struct vec v_post_sts_header_after =
    SUITE_VEC("POST", "/", "", NULL, SUITE_HOST, SUITE_DATE, {"X-Amz-Security-Token", STS_TOKEN},
              AUTHZ("host;x-amz-date", SIG_POST_VANILLA));

/* normalize-path group */
static const struct vec v_get_relative =
    SUITE_VEC("GET", "/example/..", "", NULL, SUITE_HOST, SUITE_DATE,
              AUTHZ("host;x-amz-date", SIG_GET_VANILLA));

static const struct vec v_get_relative_relative =
    SUITE_VEC("GET", "/example1/example2/../..", "", NULL, SUITE_HOST, SUITE_DATE,
              AUTHZ("host;x-amz-date", SIG_GET_VANILLA));

static const struct vec v_get_slash = SUITE_VEC("GET", "//", "", NULL, SUITE_HOST, SUITE_DATE,
                                                AUTHZ("host;x-amz-date", SIG_GET_VANILLA));

static const struct vec v_get_slash_dot_slash = SUITE_VEC(
    "GET", "/./", "", NULL, SUITE_HOST, SUITE_DATE, AUTHZ("host;x-amz-date", SIG_GET_VANILLA));

static const struct vec v_get_slash_pointless_dot = SUITE_VEC(
    "GET", "/./example", "", NULL, SUITE_HOST, SUITE_DATE,
    AUTHZ("host;x-amz-date", "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"));

static const struct vec v_get_slashes = SUITE_VEC(
    "GET", "//example//", "", NULL, SUITE_HOST, SUITE_DATE,
    AUTHZ("host;x-amz-date", "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"));

static const struct vec v_get_space = SUITE_VEC(
    "GET", "/example space/", "", NULL, SUITE_HOST, SUITE_DATE,
    AUTHZ("host;x-amz-date", "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"));

/* From awslabs/aws-c-auth's copy of the suite: the body hash travels in a signed
 * x-amz-content-sha256 header. */
static const struct vec v_post_content_sha256 = SUITE_VEC(
    "POST", "/", "", "Param1=value1",
    {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}, SUITE_HOST,
    {"Content-Length", "13"},
    {"x-amz-content-sha256", "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"},
    AUTHZ("content-length;content-type;host;x-amz-content-sha256;x-amz-date",
          "328d1b9eaadca9f5818ef05e8392801e091653bafec24fcab71e7344e7f51422"),
    SUITE_DATE);

/* No X-Amz-Date: the RFC 1123 Date header dates the request (signature computed with an
 * independent implementation of the spec). */
static const struct vec v_get_date_header = SUITE_VEC(
    "GET", "/", "", NULL, SUITE_HOST, {"Date", "Sun, 30 Aug 2015 12:36:00 GMT"},
    AUTHZ("date;host", "1262aceaf1a79c7f0b69fda81cd744572fcbe2e4c23b647b4de183cd5a0f1075"));

/* ---- botocore-signed requests (python3-botocore 1.43, clock fixed at BOTO_NOW) ----------- */

#define BOTO_VEC(method_, path_, query_, body_, region_, ...)                                      \
    {                                                                                              \
        .method = method_, .path = path_, .query = query_, .headers = {__VA_ARGS__},               \
        .body = body_, .now = BOTO_NOW, .region = region_, .service = "ec2"                        \
    }
#define FORM_CONTENT_TYPE                                                                          \
    {                                                                                              \
        "Content-Type", "application/x-www-form-urlencoded; charset=utf-8"                         \
    }
#define BOTO_DATE                                                                                  \
    {                                                                                              \
        "X-Amz-Date", "20240115T102030Z"                                                           \
    }

/* SigV4Auth(Credentials('test', 'test'), 'ec2', 'us-east-1') on POST https://127.0.0.1:4566/ */
static const struct vec v_boto_describe_vpcs = BOTO_VEC(
    "POST", "/", "", "Action=DescribeVpcs&Version=2016-11-15", "us-east-1",
    {"Host", "127.0.0.1:4566"}, FORM_CONTENT_TYPE, BOTO_DATE,
    {"Authorization", "AWS4-HMAC-SHA256 Credential=test/20240115/us-east-1/ec2/aws4_request, "
                      "SignedHeaders=content-type;host;x-amz-date, "
                      "Signature=69be34d338fb48a9b11bc4c2d0fa9102539a1f0c06a4b9a12a928bf0dae20c13"},
    {"User-Agent", "aws-cli/2 botocore/1.43"}, {"Content-Length", "38"});

/* Session credentials: the token header is signed. */
static const struct vec v_boto_create_tags_session = BOTO_VEC(
    "POST", "/", "",
    "Action=CreateTags&ResourceId.1=vpc-0a1b2c3d&Tag.1.Key=Name&Tag.1.Value=my%20vpc%2Fprod&"
    "Version=2016-11-15",
    "eu-west-1", {"Host", "localhost:8080"}, FORM_CONTENT_TYPE, BOTO_DATE,
    {"X-Amz-Security-Token", "session-token-xyz"},
    {"Authorization",
     "AWS4-HMAC-SHA256 Credential=AKIAVPCDTEST/20240115/eu-west-1/ec2/"
     "aws4_request, SignedHeaders=content-type;host;x-amz-date;"
     "x-amz-security-token, "
     "Signature=337ebafe08a83ac330934bc08ca5e9777e940fd377fb8f762a3c5e522d721075"});

/* SigV4QueryAuth presigned GETs; X-Amz-Signature comes last as botocore appends it. */
#define BOTO_PRESIGN_PREFIX                                                                        \
    "Action=DescribeVpcs&Version=2016-11-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="    \
    "test%2F20240115%2Fus-east-1%2Fec2%2Faws4_request&X-Amz-Date=20240115T102030Z"
#define BOTO_FILTER_PREFIX                                                                         \
    "Action=DescribeVpcs&Filter.1.Name=tag%3AName&Filter.1.Value.1=my%20vpc%2Fprod%2A&Version="    \
    "2016-11-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20240115%2Fus-east-1%"    \
    "2Fec2%2Faws4_request&X-Amz-Date=20240115T102030Z"

static const struct vec v_boto_presigned =
    BOTO_VEC("GET", "/",
             BOTO_PRESIGN_PREFIX "&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature="
                                 "4c1263a9fe8d1f0101ac18bee422afea4520e5d76651c8d220ac2b07964b4fbe",
             NULL, "us-east-1", {"Host", "127.0.0.1:4566"});

static const struct vec v_boto_presigned_filter =
    BOTO_VEC("GET", "/",
             BOTO_FILTER_PREFIX "&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature="
                                "11314b16066af7359774f7a13d675a3c63a06e07e81ff388a040d2ae7bd631d9",
             NULL, "us-east-1", {"Host", "localhost:8080"});

static const struct vec v_boto_presigned_week =
    BOTO_VEC("GET", "/",
             BOTO_FILTER_PREFIX "&X-Amz-Expires=604800&X-Amz-SignedHeaders=host&X-Amz-Signature="
                                "e2b0176fe85f07a3856b718d35ec4375646c309f22e3454ccbf7f0d9b8577c8e",
             NULL, "us-east-1", {"Host", "localhost:8080"});

/* ---- targeted checks ---------------------------------------------------------------------- */

/* A copy of a vector whose header `name` is replaced by `value` (NULL removes it). */
static struct vec with_header(const struct vec *base, const char *name, const char *value)
{
    struct vec v = *base;
    size_t n = count_headers(&v), o = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(v.headers[i].name, name) == 0) {
            if (value == NULL)
                continue;
            v.headers[o].name = v.headers[i].name;
            v.headers[o++].value = value;
        } else {
            v.headers[o++] = v.headers[i];
        }
    }
    for (; o < MAX_HEADERS; o++)
        v.headers[o] = (struct sigv4_header){NULL, NULL};
    return v;
}

static void expect_vec_error(const struct vec *v, time_t now, const char *code, const char *msg)
{
    struct sigv4_request r = to_request(v);
    expect_error(&r, now, code, msg);
}

static void test_missing_token(void **state)
{
    (void)state;
    struct vec v = with_header(&v_get_vanilla, "Authorization", NULL);
    struct sigv4_result res;
    struct sigv4_request r = to_request(&v);
    assert_int_equal(verify_at(&r, SUITE_NOW, &res), -1);
    assert_string_equal(res.error_code, "MissingAuthenticationToken");
    assert_string_equal(res.message, "Request is missing Authentication Token");
    assert_int_equal(res.http_status, 401);
    assert_int_equal(res.cred_valid, 0);
    /* Query parameters that are not X-Amz-Algorithm do not make a request presigned. */
    v.query =
        "Action=DescribeVpcs&X-Amz-Credential=test%2F20240115%2Fus-east-1%2Fec2%2Faws4_request";
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_MISSING_TOKEN, NULL);
    assert_int_equal(sigv4_verify(NULL, SUITE_NOW, lookup_secret, NULL, &res), -1);
    assert_string_equal(res.error_code, SIGV4_ERR_MISSING_TOKEN);
    assert_int_equal(sigv4_parse_credential(&r, &res), -1);
    assert_string_equal(res.error_code, SIGV4_ERR_MISSING_TOKEN);
}

static void test_incomplete_missing_signature(void **state)
{
    (void)state;
    struct vec v =
        with_header(&v_get_vanilla, "Authorization", SUITE_SCOPE ", SignedHeaders=host;x-amz-date");
    struct sigv4_request r = to_request(&v);
    struct sigv4_result res;
    assert_int_equal(verify_at(&r, SUITE_NOW, &res), -1);
    assert_string_equal(res.error_code, "IncompleteSignature");
    assert_int_equal(res.http_status, 400);
    assert_string_equal(res.message,
                        "Authorization header requires 'Signature' parameter. Authorization="
                        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                        "aws4_request, SignedHeaders=host;x-amz-date");
    /* dev mode only needs the credential */
    assert_int_equal(sigv4_parse_credential(&r, &res), 0);
    assert_string_equal(res.cred.access_key, "AKIDEXAMPLE");
}

static void test_incomplete_missing_credential_and_signed_headers(void **state)
{
    (void)state;
    struct vec v = with_header(&v_get_vanilla, "Authorization", "AWS4-HMAC-SHA256 Signature=abc");
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_INCOMPLETE,
                     "Authorization header requires 'Credential' parameter. Authorization header "
                     "requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 "
                     "Signature=abc");
}

static void test_incomplete_missing_date(void **state)
{
    (void)state;
    struct vec v = with_header(&v_get_vanilla, "X-Amz-Date", NULL);
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_INCOMPLETE,
                     "Authorization header requires existence of either a 'X-Amz-Date' or a "
                     "'Date' header. Authorization=AWS4-HMAC-SHA256 Credential=");
}

static void test_incomplete_bad_scope(void **state)
{
    (void)state;
    struct vec v = with_header(&v_get_vanilla, "Authorization",
                               "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
                               "aws4_request, SignedHeaders=host;x-amz-date, Signature=00");
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_INCOMPLETE,
                     "Credential must have exactly 5 slash-delimited elements, e.g. "
                     "keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/us-east-1/"
                     "aws4_request'");
    v = with_header(&v_get_vanilla, "Authorization",
                    "AWS4-HMAC-SHA256 Credential=a/b/20150830/us-east-1/service/aws4_request, "
                    "SignedHeaders=host;x-amz-date, Signature=00");
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_INCOMPLETE, "Credential must have exactly 5");
    v = with_header(&v_get_vanilla, "Authorization",
                    SUITE_SCOPE "x, SignedHeaders=host;x-amz-date, Signature=00");
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_INCOMPLETE,
                     "Credential should be scoped with a valid terminator: 'aws4_request', not "
                     "'aws4_requestx'.");
    v = with_header(&v_get_vanilla, "Authorization",
                    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2015-08-30/us-east-1/service/"
                    "aws4_request, SignedHeaders=host;x-amz-date, Signature=00");
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_INCOMPLETE, "Credential date must be in YYYYMMDD");
    v = with_header(&v_get_vanilla, "Authorization",
                    "AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/service/aws4_request, "
                    "SignedHeaders=host;x-amz-date, Signature=00");
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_INCOMPLETE, "Credential access key '' is empty");
}

static void test_incomplete_bad_syntax(void **state)
{
    (void)state;
    struct vec v =
        with_header(&v_get_vanilla, "Authorization", SUITE_SCOPE ", SignedHeaders, Signature=00");
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_INCOMPLETE,
                     "'SignedHeaders' not a valid key=value pair (missing equal-sign) in "
                     "Authorization header: 'AWS4-HMAC-SHA256 Credential=");
    v = with_header(&v_get_vanilla, "X-Amz-Date", "2015-08-30T12:36:00Z");
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_INCOMPLETE, "X-Amz-Date must be in the ISO8601");
    v = with_header(&v_get_vanilla, "X-Amz-Date", "20150830T123660Z");
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_INCOMPLETE, "X-Amz-Date must be in the ISO8601");
    v = with_header(&v_get_date_header, "Date", "Sun, 30 Aug 2015 12:36:00");
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_INCOMPLETE, "Date header 'Sun, 30 Aug 2015");
}

static void test_incomplete_unsupported_algorithm(void **state)
{
    (void)state;
    struct vec v = with_header(&v_get_vanilla, "Authorization",
                               "AWS4-HMAC-SHA512 Credential=AKIDEXAMPLE/20150830/us-east-1/"
                               "service/aws4_request, SignedHeaders=host, Signature=00");
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_INCOMPLETE,
                     "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'.");
    /* SigV2 and anything else: AWS lists every missing parameter */
    v = with_header(&v_get_vanilla, "Authorization",
                    "AWS AKIDEXAMPLE:qaNdqGsI6bq4Hi+9Gzovwyjbh0E=");
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_INCOMPLETE,
                     "Authorization header requires 'Credential' parameter. Authorization header "
                     "requires 'Signature' parameter. Authorization header requires "
                     "'SignedHeaders' parameter. Authorization=AWS AKIDEXAMPLE:");
    v = with_header(&v_get_vanilla, "Authorization", "");
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_INCOMPLETE,
                     "Authorization header requires 'Credential' parameter.");
}

static void test_unknown_access_key(void **state)
{
    (void)state;
    struct vec v = with_header(&v_get_vanilla, "Authorization",
                               "AWS4-HMAC-SHA256 Credential=AKIDUNKNOWN/20150830/us-east-1/service/"
                               "aws4_request, SignedHeaders=host;x-amz-date, "
                               "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d"
                               "763fbf31");
    struct sigv4_request r = to_request(&v);
    struct sigv4_result res;
    assert_int_equal(verify_at(&r, SUITE_NOW, &res), -1);
    assert_string_equal(res.error_code, "AuthFailure");
    assert_string_equal(res.message,
                        "AWS was not able to validate the provided access credentials");
    assert_int_equal(res.http_status, 401);
    /* the scope is still reported so the caller can log who tried */
    assert_int_equal(res.cred_valid, 1);
    assert_string_equal(res.cred.access_key, "AKIDUNKNOWN");
    assert_int_equal(sigv4_verify(&r, SUITE_NOW, NULL, NULL, &res), -1);
    assert_string_equal(res.error_code, SIGV4_ERR_AUTH_FAILURE);
}

static const char *wrong_secret(const char *access_key, void *ctx)
{
    (void)access_key;
    return ctx;
}

static void test_signature_mismatch(void **state)
{
    (void)state;
    struct sigv4_request r = to_request(&v_boto_describe_vpcs);
    struct sigv4_result res;
    assert_int_equal(sigv4_verify(&r, BOTO_NOW, wrong_secret, "tesT", &res), -1);
    assert_string_equal(res.error_code, "SignatureDoesNotMatch");
    assert_string_equal(res.message, mismatch_msg);
    assert_int_equal(res.http_status, 403);
    assert_int_equal(sigv4_verify(&r, BOTO_NOW, wrong_secret, "test", &res), 0);
    /* The derived key of "test" is cached for this scope now: another secret must not reuse it. */
    assert_int_equal(sigv4_verify(&r, BOTO_NOW, wrong_secret, "tesT", &res), -1);
    assert_string_equal(res.error_code, "SignatureDoesNotMatch");
    assert_int_equal(sigv4_verify(&r, BOTO_NOW, wrong_secret, "test", &res), 0);
    /* the signed Content-Type changed */
    struct vec v = with_header(&v_boto_describe_vpcs, "Content-Type", "application/json");
    expect_vec_error(&v, BOTO_NOW, SIGV4_ERR_SIGNATURE, mismatch_msg);
    /* an unsigned header may change freely */
    v = with_header(&v_boto_describe_vpcs, "User-Agent", "curl/8");
    struct sigv4_request r2 = to_request(&v);
    expect_ok(&r2, BOTO_NOW);
    /* the method and path are signed */
    r2 = to_request(&v_boto_describe_vpcs);
    r2.method = "PUT";
    expect_error(&r2, BOTO_NOW, SIGV4_ERR_SIGNATURE, mismatch_msg);
    r2 = to_request(&v_boto_describe_vpcs);
    r2.path = "/x";
    expect_error(&r2, BOTO_NOW, SIGV4_ERR_SIGNATURE, mismatch_msg);
    /* an added query parameter is signed too */
    r2 = to_request(&v_boto_describe_vpcs);
    r2.query = "DryRun=true";
    expect_error(&r2, BOTO_NOW, SIGV4_ERR_SIGNATURE, mismatch_msg);
    /* upper-case hex is not what AWS sends */
    v = with_header(&v_get_vanilla, "Authorization",
                    SUITE_SCOPE
                    ", SignedHeaders=host;x-amz-date, Signature=5FA00FA31553B73EBF1942676E8"
                    "6291E8372FF2A2260956D9B8AAE1D763FBF31");
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_SIGNATURE, mismatch_msg);
}

static void test_scope_date_mismatch(void **state)
{
    (void)state;
    struct vec v = with_header(&v_get_vanilla, "Authorization",
                               "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150829/us-east-1/service/"
                               "aws4_request, SignedHeaders=host;x-amz-date, Signature=00");
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_SIGNATURE,
                     "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                     "date from HTTP: '20150829' != '20150830', from '20150830T123600Z'.");
}

static void test_content_sha256_mismatch(void **state)
{
    (void)state;
    /* The header is signed, so the signature still holds for a swapped body; the body must
     * be caught by comparing it with the header. */
    struct sigv4_request r = to_request(&v_post_content_sha256);
    r.body = (const unsigned char *)"Param1=value2";
    expect_error(&r, SUITE_NOW, SIGV4_ERR_SIGNATURE,
                 "The provided 'x-amz-content-sha256' header does not match what was computed.");
}

static void test_expired(void **state)
{
    (void)state;
    struct sigv4_request r = to_request(&v_boto_describe_vpcs);
    expect_ok(&r, BOTO_NOW + 900);
    expect_ok(&r, BOTO_NOW - 900);
    expect_error(&r, BOTO_NOW + 901, "RequestExpired", "Request has expired.");
    expect_error(&r, BOTO_NOW - 901, "RequestExpired", "Request has expired.");
    expect_error(&r, BOTO_NOW + 86400 * 365, SIGV4_ERR_EXPIRED, NULL);
    struct sigv4_result res;
    assert_int_equal(verify_at(&r, 0, &res), -1);
    assert_string_equal(res.error_code, SIGV4_ERR_EXPIRED);
    assert_int_equal(res.http_status, 400);
    /* the Date header is held to the same window */
    r = to_request(&v_get_date_header);
    expect_ok(&r, SUITE_NOW + 600);
    expect_error(&r, SUITE_NOW + 901, SIGV4_ERR_EXPIRED, NULL);
}

static void test_presigned_expiry(void **state)
{
    (void)state;
    struct sigv4_request r = to_request(&v_boto_presigned);
    expect_ok(&r, BOTO_NOW + 300);
    expect_error(&r, BOTO_NOW + 301, SIGV4_ERR_EXPIRED, "Request has expired.");
    expect_ok(&r, BOTO_NOW - 900);
    expect_error(&r, BOTO_NOW - 901, SIGV4_ERR_EXPIRED, "Request has expired.");
    /* X-Amz-Expires, not the 15-minute skew, bounds how long a presigned URL lives */
    r = to_request(&v_boto_presigned_filter);
    expect_ok(&r, BOTO_NOW + 3600);
    expect_error(&r, BOTO_NOW + 3601, SIGV4_ERR_EXPIRED, NULL);
    r = to_request(&v_boto_presigned_week);
    expect_ok(&r, BOTO_NOW + 604800);
    expect_error(&r, BOTO_NOW + 604801, SIGV4_ERR_EXPIRED, NULL);
}

static void test_presigned_bad_expires(void **state)
{
    (void)state;
    static const char *const bad[] = {"0",    "604801", "-5", "abc", "", "99999999999999999999",
                                      "3600x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char q[1024];
        snprintf(q, sizeof(q),
                 "%s&X-Amz-Expires=%s&X-Amz-SignedHeaders=host&X-Amz-Signature="
                 "4c1263a9fe8d1f0101ac18bee422afea4520e5d76651c8d220ac2b07964b4fbe",
                 BOTO_PRESIGN_PREFIX, bad[i]);
        struct sigv4_request r = to_request(&v_boto_presigned);
        r.query = q;
        expect_error(&r, BOTO_NOW, SIGV4_ERR_INCOMPLETE, "X-Amz-Expires must be a whole number");
    }
}

static void test_presigned_incomplete(void **state)
{
    (void)state;
    struct sigv4_request r = to_request(&v_boto_presigned);
    r.query = BOTO_PRESIGN_PREFIX "&X-Amz-Expires=300&X-Amz-SignedHeaders=host";
    expect_error(&r, BOTO_NOW, SIGV4_ERR_INCOMPLETE,
                 "Query-string authentication version 4 requires the X-Amz-Algorithm, "
                 "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
                 "X-Amz-Expires parameters.");
    /* dev mode is satisfied by the credential alone */
    struct sigv4_result res;
    assert_int_equal(sigv4_parse_credential(&r, &res), 0);
    assert_string_equal(res.cred.service, "ec2");
    r.query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240115T102030Z";
    expect_error(&r, BOTO_NOW, SIGV4_ERR_INCOMPLETE, "Query-string authentication version 4");
    assert_int_equal(sigv4_parse_credential(&r, &res), -1);
    assert_string_equal(res.error_code, SIGV4_ERR_INCOMPLETE);
    r.query = "X-Amz-Algorithm=AWS4-HMAC-SHA1&X-Amz-Credential=test%2F20240115%2Fus-east-1%2Fec2"
              "%2Faws4_request";
    expect_error(&r, BOTO_NOW, SIGV4_ERR_INCOMPLETE,
                 "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\", got 'AWS4-HMAC-SHA1'.");
}

static void test_parse_credential_header(void **state)
{
    (void)state;
    struct sigv4_request r = to_request(&v_boto_create_tags_session);
    struct sigv4_result res;
    assert_int_equal(sigv4_parse_credential(&r, &res), 0);
    assert_null(res.error_code);
    assert_int_equal(res.cred_valid, 1);
    assert_string_equal(res.cred.access_key, "AKIAVPCDTEST");
    assert_string_equal(res.cred.date, "20240115");
    assert_string_equal(res.cred.region, "eu-west-1");
    assert_string_equal(res.cred.service, "ec2");
    /* nothing is verified: a garbage signature and a stale date are fine */
    struct vec v = with_header(&v_boto_create_tags_session, "Authorization",
                               "AWS4-HMAC-SHA256 Credential=someone/20200101/ap-south-2/ec2/"
                               "aws4_request,SignedHeaders=host,Signature=zz");
    r = to_request(&v);
    assert_int_equal(sigv4_parse_credential(&r, &res), 0);
    assert_string_equal(res.cred.access_key, "someone");
    assert_string_equal(res.cred.region, "ap-south-2");
    v = with_header(&v_boto_create_tags_session, "Authorization",
                    "AWS4-HMAC-SHA256 Credential=someone/20200101/ap-south-2/ec2");
    r = to_request(&v);
    assert_int_equal(sigv4_parse_credential(&r, &res), -1);
    assert_string_equal(res.error_code, SIGV4_ERR_INCOMPLETE);
    assert_int_equal(res.cred_valid, 0);
}

static void test_parse_credential_presigned(void **state)
{
    (void)state;
    struct sigv4_request r = to_request(&v_boto_presigned_filter);
    struct sigv4_result res;
    assert_int_equal(sigv4_parse_credential(&r, &res), 0);
    assert_string_equal(res.cred.access_key, "test");
    assert_string_equal(res.cred.date, "20240115");
    assert_string_equal(res.cred.region, "us-east-1");
    assert_string_equal(res.cred.service, "ec2");
}

static void test_limits_and_hostile_input(void **state)
{
    (void)state;
    struct sigv4_result res;
    char key[200];
    memset(key, 'K', sizeof(key));
    key[sizeof(key) - 1] = '\0';
    char authz[512];
    snprintf(authz, sizeof(authz),
             "AWS4-HMAC-SHA256 Credential=%s/20150830/us-east-1/service/aws4_request, "
             "SignedHeaders=host, Signature=00",
             key);
    struct vec v = with_header(&v_get_vanilla, "Authorization", authz);
    expect_vec_error(&v, SUITE_NOW, SIGV4_ERR_INCOMPLETE, "Credential access key 'KKKK");
    /* control bytes never reach the message */
    v = with_header(&v_get_vanilla, "Authorization", "Bearer \x01\x7f\xc3\xa9<x>");
    struct sigv4_request r = to_request(&v);
    assert_int_equal(verify_at(&r, SUITE_NOW, &res), -1);
    assert_non_null(strstr(res.message, "Authorization=Bearer \?\?\?\?<x>"));
    /* a long Authorization value is cut to fit, not overflowed */
    char big[4096];
    memset(big, 'a', sizeof(big));
    big[sizeof(big) - 1] = '\0';
    v = with_header(&v_get_vanilla, "Authorization", big);
    r = to_request(&v);
    assert_int_equal(verify_at(&r, SUITE_NOW, &res), -1);
    assert_true(strlen(res.message) < sizeof(res.message));
    /* NULL path/method/body and a NULL-named header are tolerated */
    r = to_request(&v_get_vanilla);
    struct sigv4_header h[4] = {{NULL, "x"}, {"Host", NULL}, SUITE_HOST, SUITE_DATE};
    struct sigv4_header all[5];
    memcpy(all, h, sizeof(h));
    all[4] = v_get_vanilla.headers[2];
    r.headers = all;
    r.n_headers = 5;
    r.path = NULL;
    r.body = NULL;
    r.body_len = 0;
    expect_ok(&r, SUITE_NOW);
    r.method = NULL;
    expect_error(&r, SUITE_NOW, SIGV4_ERR_SIGNATURE, NULL);
    /* malformed escapes in the query are kept literally */
    r = to_request(&v_get_vanilla);
    r.query = "a=%zz&b=%4&%=&&=&c";
    expect_error(&r, SUITE_NOW, SIGV4_ERR_SIGNATURE, NULL);
}

#define VECTOR(v)                                                                                  \
    {                                                                                              \
#v, test_vector, NULL, NULL, (void *)&v                                                    \
    }

static const struct CMUnitTest tests[] = {
    VECTOR(v_get_vanilla),
    VECTOR(v_get_vanilla_empty_query_key),
    VECTOR(v_get_vanilla_query_order_key),
    VECTOR(v_get_vanilla_query_order_key_case),
    VECTOR(v_get_vanilla_query_order_value),
    VECTOR(v_get_vanilla_query_unreserved),
    VECTOR(v_get_vanilla_utf8_query),
    VECTOR(v_get_unreserved),
    VECTOR(v_get_utf8),
    VECTOR(v_get_header_key_duplicate),
    VECTOR(v_get_header_value_order),
    VECTOR(v_get_header_value_trim),
    VECTOR(v_post_vanilla),
    VECTOR(v_post_vanilla_query),
    VECTOR(v_post_header_key_case),
    VECTOR(v_post_header_key_sort),
    VECTOR(v_post_header_value_case),
    VECTOR(v_post_x_www_form_urlencoded),
    VECTOR(v_post_x_www_form_urlencoded_parameters),
    VECTOR(v_post_sts_header_before),
    VECTOR(v_post_sts_header_after),
    VECTOR(v_get_relative),
    VECTOR(v_get_relative_relative),
    VECTOR(v_get_slash),
    VECTOR(v_get_slash_dot_slash),
    VECTOR(v_get_slash_pointless_dot),
    VECTOR(v_get_slashes),
    VECTOR(v_get_space),
    VECTOR(v_post_content_sha256),
    VECTOR(v_get_date_header),
    VECTOR(v_boto_describe_vpcs),
    VECTOR(v_boto_create_tags_session),
    VECTOR(v_boto_presigned),
    VECTOR(v_boto_presigned_filter),
    VECTOR(v_boto_presigned_week),
    cmocka_unit_test(test_missing_token),
    cmocka_unit_test(test_incomplete_missing_signature),
    cmocka_unit_test(test_incomplete_missing_credential_and_signed_headers),
    cmocka_unit_test(test_incomplete_missing_date),
    cmocka_unit_test(test_incomplete_bad_scope),
    cmocka_unit_test(test_incomplete_bad_syntax),
    cmocka_unit_test(test_incomplete_unsupported_algorithm),
    cmocka_unit_test(test_unknown_access_key),
    cmocka_unit_test(test_signature_mismatch),
    cmocka_unit_test(test_scope_date_mismatch),
    cmocka_unit_test(test_content_sha256_mismatch),
    cmocka_unit_test(test_expired),
    cmocka_unit_test(test_presigned_expiry),
    cmocka_unit_test(test_presigned_bad_expires),
    cmocka_unit_test(test_presigned_incomplete),
    cmocka_unit_test(test_parse_credential_header),
    cmocka_unit_test(test_parse_credential_presigned),
    cmocka_unit_test(test_limits_and_hostile_input),
};

UNIT_MAIN(tests)
