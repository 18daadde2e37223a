/* vpcctl's client side: SigV4 signing (AWS's published vectors and vpcd's own verifier),
 * settings resolution with the aws CLI's precedence, reply parsing, trace and matrix reports
 * (golden text), and whole commands against a local fake EC2 endpoint that checks every
 * signature; for `stats`, the exposition-format parser, the counters report (golden text and
 * JSON) and the command against a fake /_vpcd/metrics. */
#include "unit.h"

#include <jansson.h>
#include <arpa/inet.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/sigv4.h"
#include "ctl/ctl_client.h"
#include "ctl/ctl_cmd.h"
#include "ctl/ctl_config.h"
#include "ctl/ctl_http.h"
#include "ctl/ctl_sign.h"
#include "ctl/ctl_stats.h"
#include "ctl/ctl_trace.h"
#include "ctl/ctl_xml.h"

#define SUITE_NOW ((time_t)1440938160) /* 20150830T123600Z */
#define SUITE_KEY "AKIDEXAMPLE"
#define SUITE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
/* The suite's host is example.amazonaws.com; its signatures are computed over that name. */
#define SUITE_HOST "example.amazonaws.com"

static struct ctl_sign_input suite_input(const char *method, const char *query)
{
    struct ctl_sign_input in = {
        .method = method,
        .host = SUITE_HOST,
        .path = "/",
        .query = query,
        .access_key = SUITE_KEY,
        .secret_key = SUITE_SECRET,
        .region = "us-east-1",
        .service = "service",
        .now = SUITE_NOW,
    };
    return in;
}

/* ---- SigV4: the aws-sig-v4-test-suite vectors ------------------------------------------- */

static void test_sign_get_vanilla(void **state)
{
    (void)state;
    struct ctl_sign_input in = suite_input("GET", NULL);
    struct ctl_signature sig;
    assert_int_equal(ctl_sign(&in, &sig), 0);
    assert_string_equal(sig.amz_date, "20150830T123600Z");
    assert_string_equal(sig.payload_hash,
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_string_equal(sig.signature,
                        "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    assert_string_equal(
        sig.authorization,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
        "aws4_request, SignedHeaders=host;x-amz-date, "
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

static void test_sign_suite_more(void **state)
{
    (void)state;
    struct ctl_signature sig;
    /* get-vanilla-query-order-key-case: parameters are sorted before signing. */
    struct ctl_sign_input in = suite_input("GET", "Param2=value2&Param1=value1");
    assert_int_equal(ctl_sign(&in, &sig), 0);
    assert_string_equal(sig.signature,
                        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
    /* get-vanilla-query-order-value: equal names sort by value. */
    in = suite_input("GET", "Param1=value2&Param1=value1");
    assert_int_equal(ctl_sign(&in, &sig), 0);
    assert_string_equal(sig.signature,
                        "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694");
    /* post-vanilla. */
    in = suite_input("POST", NULL);
    assert_int_equal(ctl_sign(&in, &sig), 0);
    assert_string_equal(sig.signature,
                        "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
    /* A different time gives a different date and signature. */
    in = suite_input("GET", NULL);
    in.now = SUITE_NOW + 86400;
    assert_int_equal(ctl_sign(&in, &sig), 0);
    assert_string_equal(sig.amz_date, "20150831T123600Z");
    assert_string_not_equal(sig.signature,
                            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

static void test_sign_rejects_bad_input(void **state)
{
    (void)state;
    struct ctl_signature sig;
    struct ctl_sign_input in = suite_input("GET", NULL);
    in.secret_key = NULL;
    assert_int_equal(ctl_sign(&in, &sig), -1);
    in = suite_input("GET", NULL);
    struct ctl_sign_header dup[] = {{"Host", "other"}};
    in.headers = dup;
    in.n_headers = 1;
    assert_int_equal(ctl_sign(&in, &sig), -1); /* host is always signed already */
    in = suite_input("POST", NULL);
    in.body_len = 3; /* with no body */
    assert_int_equal(ctl_sign(&in, &sig), -1);
}

static void test_uri_encode(void **state)
{
    (void)state;
    struct strbuf sb;
    strbuf_init(&sb);
    ctl_sign_uri_encode(&sb, "a b/c~d*-_.+=&\xc3\xa9");
    assert_string_equal(sb.data, "a%20b%2Fc~d%2A-_.%2B%3D%26%C3%A9");
    strbuf_destroy(&sb);

    strbuf_init(&sb);
    struct ctl_param p[] = {{"Source", "i-0a"},
                            {"DestinationIp", "10.0.0.1"},
                            {"Skipped", NULL},
                            {"Tag.1.Value", "a b"}};
    ctl_client_form(&sb, "CreateNetworkInsightsPath", p, 4);
    assert_string_equal(sb.data, "Action=CreateNetworkInsightsPath&Version=2016-11-15&"
                                 "Source=i-0a&DestinationIp=10.0.0.1&Tag.1.Value=a%20b");
    strbuf_destroy(&sb);

    char t1[40], t2[40];
    ctl_client_token(t1, sizeof t1);
    ctl_client_token(t2, sizeof t2);
    assert_int_equal(strlen(t1), 36);
    assert_int_equal(t1[14], '4');
    assert_string_not_equal(t1, t2);
}

/* ---- SigV4: what vpcctl sends, checked by vpcd's verifier ------------------------------- */

static const char *verifier_secret(const char *access_key, void *ctx)
{
    (void)ctx;
    return strcmp(access_key, "test") == 0 ? "test/secret+key" : NULL;
}

struct signed_post {
    struct strbuf body;
    struct ctl_signature sig;
    struct sigv4_header headers[6];
    size_t n_headers;
};

static void make_signed_post(struct signed_post *p, const char *token, time_t now)
{
    strbuf_init(&p->body);
    struct ctl_param params[] = {{"NetworkInsightsAnalysisId.1", "nia-0123456789abcdef0"}};
    ctl_client_form(&p->body, "DescribeNetworkInsightsAnalyses", params, 1);
    struct ctl_sign_header extra[] = {
        {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
        {"X-Amz-Security-Token", token},
    };
    struct ctl_sign_input in = {
        .method = "POST",
        .host = "127.0.0.1:4566",
        .path = "/",
        .body = p->body.data,
        .body_len = p->body.len,
        .headers = extra,
        .n_headers = token ? 2 : 1,
        .access_key = "test",
        .secret_key = "test/secret+key",
        .region = "eu-west-1",
        .service = "ec2",
        .now = now,
    };
    assert_int_equal(ctl_sign(&in, &p->sig), 0);
    p->n_headers = 0;
    p->headers[p->n_headers++] = (struct sigv4_header){"Host", "127.0.0.1:4566"};
    p->headers[p->n_headers++] = (struct sigv4_header){"Content-Type", extra[0].value};
    p->headers[p->n_headers++] = (struct sigv4_header){"X-Amz-Date", p->sig.amz_date};
    p->headers[p->n_headers++] = (struct sigv4_header){"Authorization", p->sig.authorization};
    if (token)
        p->headers[p->n_headers++] = (struct sigv4_header){"X-Amz-Security-Token", token};
}

static int verify_post(const struct signed_post *p, const char *body, time_t now,
                       struct sigv4_result *res)
{
    struct sigv4_request r = {
        .method = "POST",
        .path = "/",
        .query = "",
        .headers = p->headers,
        .n_headers = p->n_headers,
        .body = (const unsigned char *)body,
        .body_len = strlen(body),
    };
    return sigv4_verify(&r, now, verifier_secret, NULL, res);
}

static void test_sign_verified_by_vpcd(void **state)
{
    (void)state;
    time_t now = 1717243200; /* 2024-06-01T12:00:00Z */
    struct sigv4_result res;
    struct signed_post p;
    make_signed_post(&p, NULL, now);
    assert_int_equal(verify_post(&p, p.body.data, now, &res), 0);
    assert_string_equal(res.cred.access_key, "test");
    assert_string_equal(res.cred.region, "eu-west-1");
    assert_string_equal(res.cred.service, "ec2");
    assert_string_equal(res.cred.date, "20240601");

    /* The body is signed: one changed byte is caught. */
    char *tampered = strdup(p.body.data);
    tampered[strlen(tampered) - 1] = '1';
    assert_int_equal(verify_post(&p, tampered, now, &res), -1);
    assert_string_equal(res.error_code, SIGV4_ERR_SIGNATURE);
    free(tampered);

    /* So is the time: twenty minutes later the request has expired. */
    assert_int_equal(verify_post(&p, p.body.data, now + 1200, &res), -1);
    assert_string_equal(res.error_code, SIGV4_ERR_EXPIRED);
    strbuf_destroy(&p.body);

    /* A session token is sent and signed. */
    make_signed_post(&p, "FwoGZXIvYXdzEJr//token==", now);
    assert_non_null(strstr(p.sig.authorization,
                           "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,"));
    assert_int_equal(verify_post(&p, p.body.data, now, &res), 0);
    p.headers[4].value = "another-token";
    assert_int_equal(verify_post(&p, p.body.data, now, &res), -1);
    assert_string_equal(res.error_code, SIGV4_ERR_SIGNATURE);
    strbuf_destroy(&p.body);
}

/* ---- settings resolution ---------------------------------------------------------------- */

struct cfg_fixture {
    char dir[64];
    char creds[128];
    char config[128];
};

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void cfg_fixture_init(struct cfg_fixture *fx)
{
    snprintf(fx->dir, sizeof fx->dir, "/tmp/vpcctl-test.XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->creds, sizeof fx->creds, "%s/credentials", fx->dir);
    snprintf(fx->config, sizeof fx->config, "%s/config", fx->dir);
    write_file(fx->creds, "# comment\n"
                          "[default]\n"
                          "aws_access_key_id = AKIDDEFAULT\n"
                          "aws_secret_access_key = secret-default\n"
                          "\n"
                          "[dev]\n"
                          "aws_access_key_id=AKIDDEV\n"
                          "aws_secret_access_key=secret-dev\n"
                          "aws_session_token = token-dev\n");
    write_file(fx->config, "[default]\n"
                           "region = eu-west-1\n"
                           "endpoint_url = http://127.0.0.1:5000\n"
                           "s3 =\n"
                           "  endpoint_url = http://nested.invalid\n"
                           "[profile dev]\n"
                           "region = ap-south-1\n"
                           "[profile   cfgonly]\n"
                           "aws_access_key_id = AKIDCFG\n"
                           "aws_secret_access_key = secret-cfg\n"
                           "[notaprofile]\n"
                           "region = sa-east-1\n");
}

static void cfg_fixture_destroy(struct cfg_fixture *fx)
{
    unlink(fx->creds);
    unlink(fx->config);
    rmdir(fx->dir);
}

/* Resolves with env (NULL-terminated) plus the fixture's two files. */
static int resolve(const struct cfg_fixture *fx, const struct ctl_flags *flags,
                   const char *const *env_in, struct ctl_config *out, char *err)
{
    const char *env[24];
    size_t n = 0;
    char creds_var[160], config_var[160];
    snprintf(creds_var, sizeof creds_var, "AWS_SHARED_CREDENTIALS_FILE=%s", fx->creds);
    snprintf(config_var, sizeof config_var, "AWS_CONFIG_FILE=%s", fx->config);
    env[n++] = creds_var;
    env[n++] = config_var;
    for (size_t i = 0; env_in && env_in[i] && n < 23; i++)
        env[n++] = env_in[i];
    env[n] = NULL;
    return ctl_config_resolve(flags, env, out, err, 256);
}

static void test_config_defaults_and_env(void **state)
{
    (void)state;
    struct ctl_config c;
    char err[256];
    /* No files, keys from the environment: the built-in region and endpoint. */
    const char *env1[] = {"HOME=/nonexistent", "AWS_ACCESS_KEY_ID=AKIDENV",
                          "AWS_SECRET_ACCESS_KEY=secret-env", NULL};
    assert_int_equal(ctl_config_resolve(NULL, env1, &c, err, sizeof err), 0);
    assert_string_equal(c.access_key, "AKIDENV");
    assert_string_equal(c.secret_key, "secret-env");
    assert_null(c.session_token);
    assert_string_equal(c.region, "us-east-1");
    assert_string_equal(c.endpoint, "http://127.0.0.1:4566");
    assert_string_equal(c.profile, "default");
    assert_string_equal(c.credential_source, "env");
    ctl_config_destroy(&c);
    ctl_config_destroy(&c); /* twice is fine */

    /* Session token; AWS_REGION outranks AWS_DEFAULT_REGION; the EC2 endpoint outranks the
     * global one; empty variables count as unset. */
    const char *env2[] = {"AWS_ACCESS_KEY_ID=AKIDENV",
                          "AWS_SECRET_ACCESS_KEY=secret-env",
                          "AWS_SESSION_TOKEN=tok",
                          "AWS_DEFAULT_REGION=us-west-2",
                          "AWS_REGION=ca-central-1",
                          "AWS_ENDPOINT_URL=http://global:1",
                          "AWS_ENDPOINT_URL_EC2=http://ec2:2",
                          "AWS_PROFILE=",
                          NULL};
    assert_int_equal(ctl_config_resolve(NULL, env2, &c, err, sizeof err), 0);
    assert_string_equal(c.session_token, "tok");
    assert_string_equal(c.region, "ca-central-1");
    assert_string_equal(c.endpoint, "http://ec2:2");
    assert_string_equal(c.profile, "default");
    ctl_config_destroy(&c);

    /* Flags outrank everything. */
    struct ctl_flags flags = {.endpoint_url = "http://flag:3", .region = "eu-north-1"};
    assert_int_equal(ctl_config_resolve(&flags, env2, &c, err, sizeof err), 0);
    assert_string_equal(c.region, "eu-north-1");
    assert_string_equal(c.endpoint, "http://flag:3");
    ctl_config_destroy(&c);

    /* No credentials anywhere. */
    const char *env3[] = {"HOME=/nonexistent", "AWS_ACCESS_KEY_ID=only-half", NULL};
    assert_int_equal(ctl_config_resolve(NULL, env3, &c, err, sizeof err), -1);
    assert_non_null(strstr(err, "Unable to locate credentials"));
    assert_null(c.access_key);
}

static void test_config_files_and_profiles(void **state)
{
    (void)state;
    struct cfg_fixture fx = {.dir = ""};
    cfg_fixture_init(&fx);
    struct ctl_config c;
    char err[256];

    /* Default profile from the files: region and endpoint_url from [default]. */
    assert_int_equal(resolve(&fx, NULL, NULL, &c, err), 0);
    assert_string_equal(c.access_key, "AKIDDEFAULT");
    assert_string_equal(c.secret_key, "secret-default");
    assert_string_equal(c.region, "eu-west-1");
    assert_string_equal(c.endpoint, "http://127.0.0.1:5000");
    assert_string_equal(c.credential_source, "shared-credentials-file");
    ctl_config_destroy(&c);

    /* AWS_PROFILE picks the profile, but keys in the environment still win (as in botocore);
     * the region still comes from [profile dev]. */
    const char *env1[] = {"AWS_PROFILE=dev", "AWS_ACCESS_KEY_ID=AKIDENV",
                          "AWS_SECRET_ACCESS_KEY=secret-env", NULL};
    assert_int_equal(resolve(&fx, NULL, env1, &c, err), 0);
    assert_string_equal(c.profile, "dev");
    assert_string_equal(c.access_key, "AKIDENV");
    assert_null(c.session_token);
    assert_string_equal(c.region, "ap-south-1");
    assert_string_equal(c.endpoint, "http://127.0.0.1:4566"); /* dev has no endpoint_url */
    ctl_config_destroy(&c);

    /* --profile outranks keys in the environment. */
    struct ctl_flags flags = {.profile = "dev"};
    assert_int_equal(resolve(&fx, &flags, env1, &c, err), 0);
    assert_string_equal(c.access_key, "AKIDDEV");
    assert_string_equal(c.secret_key, "secret-dev");
    assert_string_equal(c.session_token, "token-dev");
    ctl_config_destroy(&c);

    /* AWS_DEFAULT_REGION outranks the profile's region. */
    const char *env2[] = {"AWS_PROFILE=dev", "AWS_DEFAULT_REGION=us-west-1", NULL};
    assert_int_equal(resolve(&fx, NULL, env2, &c, err), 0);
    assert_string_equal(c.region, "us-west-1");
    assert_string_equal(c.access_key, "AKIDDEV");
    ctl_config_destroy(&c);

    /* Keys only in the config file ("[profile   cfgonly]", spacing as written). */
    flags.profile = "cfgonly";
    assert_int_equal(resolve(&fx, &flags, NULL, &c, err), 0);
    assert_string_equal(c.access_key, "AKIDCFG");
    assert_string_equal(c.credential_source, "config-file");
    assert_string_equal(c.region, "us-east-1");
    ctl_config_destroy(&c);

    /* A config section without "profile " is not a profile. */
    flags.profile = "notaprofile";
    assert_int_equal(resolve(&fx, &flags, NULL, &c, err), -1);
    assert_string_equal(err, "The config profile (notaprofile) could not be found");
    flags.profile = "missing";
    assert_int_equal(resolve(&fx, &flags, NULL, &c, err), -1);
    assert_string_equal(err, "The config profile (missing) could not be found");

    /* "~/" in a file variable is the home directory. */
    char home[96];
    snprintf(home, sizeof home, "HOME=%s", fx.dir);
    const char *env3[] = {home, "AWS_SHARED_CREDENTIALS_FILE=~/credentials",
                          "AWS_CONFIG_FILE=~/nothing-here", NULL};
    assert_int_equal(ctl_config_resolve(NULL, env3, &c, err, sizeof err), 0);
    assert_string_equal(c.access_key, "AKIDDEFAULT");
    assert_string_equal(c.region, "us-east-1");
    ctl_config_destroy(&c);
    cfg_fixture_destroy(&fx);
}

static void test_split_url(void **state)
{
    (void)state;
    char *host, *path, err[256];
    assert_int_equal(ctl_http_split_url("http://127.0.0.1:4566", &host, &path, err, 256), 0);
    assert_string_equal(host, "127.0.0.1:4566");
    assert_string_equal(path, "/");
    free(host);
    free(path);
    assert_int_equal(
        ctl_http_split_url("https://ec2.us-east-1.amazonaws.com", &host, &path, err, 256), 0);
    assert_string_equal(host, "ec2.us-east-1.amazonaws.com");
    free(host);
    free(path);
    assert_int_equal(ctl_http_split_url("http://[::1]:8080/base/", &host, &path, err, 256), 0);
    assert_string_equal(host, "[::1]:8080");
    assert_string_equal(path, "/base/");
    free(host);
    free(path);
    assert_int_equal(ctl_http_split_url("file:///etc/passwd", &host, &path, err, 256), -1);
    assert_null(host);
    assert_int_equal(ctl_http_split_url("not a url", &host, &path, err, 256), -1);
    assert_int_equal(ctl_http_split_url(NULL, &host, &path, err, 256), -1);
}

/* ---- replies ---------------------------------------------------------------------------- */

/* Sample replies, AWS-shaped: a flow over a VPC peering from i-0aaa (10.1.1.10, vpc-0aaa) to
 * i-0bbb (10.2.1.20, vpc-0bbb), once found and once blocked on the way back because the
 * destination subnet's NACL has no rule for ephemeral ports. Kept one element per line. */
/* clang-format off */
#define HDR_AB                                                                                     \
    "<destinationAddressSet><item>10.2.1.20/32</item></destinationAddressSet>"                     \
    "<destinationPortRangeSet><item><from>22</from><to>22</to></item></destinationPortRangeSet>"   \
    "<protocol>6</protocol>"                                                                       \
    "<sourceAddressSet><item>10.1.1.10/32</item></sourceAddressSet>"                               \
    "<sourcePortRangeSet><item><from>49152</from><to>49152</to></item></sourcePortRangeSet>"
#define HDR_BA                                                                                     \
    "<destinationAddressSet><item>10.1.1.10/32</item></destinationAddressSet>"                     \
    "<destinationPortRangeSet><item><from>49152</from><to>49152</to></item>"                       \
    "</destinationPortRangeSet>"                                                                   \
    "<protocol>6</protocol>"                                                                       \
    "<sourceAddressSet><item>10.2.1.20/32</item></sourceAddressSet>"                               \
    "<sourcePortRangeSet><item><from>22</from><to>22</to></item></sourcePortRangeSet>"

#define FORWARD_PATH                                                                               \
    "<forwardPathComponentSet>\n"                                                                  \
    "<item><sequenceNumber>1</sequenceNumber><component><id>i-0aaa</id></component>"               \
    "  <outboundHeader>" HDR_AB "</outboundHeader></item>\n"                                       \
    "<item><sequenceNumber>2</sequenceNumber><component><id>eni-0aaa</id></component>"             \
    "  <subnet><id>subnet-0aaa</id></subnet><vpc><id>vpc-0aaa</id></vpc></item>\n"                 \
    "<item><sequenceNumber>3</sequenceNumber><component><id>sg-0aaa</id><name>app</name>"          \
    "  </component><securityGroupRule><cidr>10.2.0.0/16</cidr><direction>egress</direction>"       \
    "  <portRange><from>22</from><to>22</to></portRange><protocol>tcp</protocol>"                  \
    "  <securityGroupRuleId>sgr-0aaa</securityGroupRuleId></securityGroupRule></item>\n"           \
    "<item><sequenceNumber>4</sequenceNumber><component><id>acl-0aaa</id></component>"             \
    "  <aclRule><cidr>0.0.0.0/0</cidr><egress>true</egress><protocol>all</protocol>"               \
    "  <ruleAction>allow</ruleAction><ruleNumber>100</ruleNumber></aclRule></item>\n"              \
    "<item><sequenceNumber>5</sequenceNumber><component><id>rtb-0aaa</id></component>"             \
    "  <routeTableRoute><destinationCidr>10.2.0.0/16</destinationCidr>"                            \
    "  <origin>CreateRoute</origin><state>active</state>"                                          \
    "  <vpcPeeringConnectionId>pcx-0abc</vpcPeeringConnectionId></routeTableRoute></item>\n"       \
    "<item><sequenceNumber>6</sequenceNumber><component><id>pcx-0abc</id></component>"             \
    "  <sourceVpc><id>vpc-0aaa</id></sourceVpc>"                                                   \
    "  <destinationVpc><id>vpc-0bbb</id></destinationVpc></item>\n"                                \
    "<item><sequenceNumber>7</sequenceNumber><component><id>acl-0bbb</id></component>"             \
    "  <aclRule><cidr>10.1.0.0/16</cidr><egress>false</egress>"                                    \
    "  <portRange><from>22</from><to>22</to></portRange><protocol>6</protocol>"                    \
    "  <ruleAction>allow</ruleAction><ruleNumber>100</ruleNumber></aclRule></item>\n"              \
    "<item><sequenceNumber>8</sequenceNumber><component><id>sg-0bbb</id></component>"             \
    "  <securityGroupRule><direction>ingress</direction>"                                          \
    "  <portRange><from>22</from><to>22</to></portRange><protocol>tcp</protocol>"                  \
    "  <securityGroupId>sg-0aaa</securityGroupId></securityGroupRule></item>\n"                    \
    "<item><sequenceNumber>9</sequenceNumber><component><id>eni-0bbb</id></component></item>\n"    \
    "<item><sequenceNumber>10</sequenceNumber><component><id>i-0bbb</id></component>"              \
    "  <inboundHeader>" HDR_AB "</inboundHeader></item>\n"                                         \
    "</forwardPathComponentSet>\n"

#define RETURN_START                                                                               \
    "<item><sequenceNumber>1</sequenceNumber><component><id>i-0bbb</id></component>"               \
    "  <outboundHeader>" HDR_BA "</outboundHeader></item>\n"                                       \
    "<item><sequenceNumber>2</sequenceNumber><component><id>eni-0bbb</id></component></item>\n"    \
    "<item><sequenceNumber>3</sequenceNumber><component><id>sg-0bbb</id></component></item>\n"

#define ANALYSIS_REPLY_START(found)                                                                \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                 \
    "<DescribeNetworkInsightsAnalysesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\n" \
    "<requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>\n"                                 \
    "<networkInsightsAnalysisSet><item>\n"                                                         \
    "<networkInsightsAnalysisId>nia-0123456789abcdef0</networkInsightsAnalysisId>\n"               \
    "<networkInsightsPathId>nip-0123456789abcdef0</networkInsightsPathId>\n"                       \
    "<status>succeeded</status><networkPathFound>" found "</networkPathFound>\n"
#define ANALYSIS_REPLY_END                                                                         \
    "<tagSet/></item></networkInsightsAnalysisSet>\n"                                              \
    "</DescribeNetworkInsightsAnalysesResponse>\n"

static const char reply_found[] =
    ANALYSIS_REPLY_START("true")
    FORWARD_PATH
    "<returnPathComponentSet>\n"
    RETURN_START
    "<item><sequenceNumber>4</sequenceNumber><component><id>acl-0bbb</id></component>"
    "  <aclRule><cidr>10.1.0.0/16</cidr><egress>true</egress>"
    "  <portRange><from>1024</from><to>65535</to></portRange><protocol>6</protocol>"
    "  <ruleAction>allow</ruleAction><ruleNumber>110</ruleNumber></aclRule></item>\n"
    "<item><sequenceNumber>5</sequenceNumber><component><id>rtb-0bbb</id></component>"
    "  <routeTableRoute><destinationCidr>10.1.0.0/16</destinationCidr><state>active</state>"
    "  <vpcPeeringConnectionId>pcx-0abc</vpcPeeringConnectionId></routeTableRoute></item>\n"
    "<item><sequenceNumber>6</sequenceNumber><component><id>pcx-0abc</id></component></item>\n"
    "<item><sequenceNumber>7</sequenceNumber><component><id>acl-0aaa</id></component>"
    "  <aclRule><egress>false</egress><ruleNumber>100</ruleNumber><ruleAction>allow</ruleAction>"
    "  <protocol>all</protocol><cidr>0.0.0.0/0</cidr></aclRule></item>\n"
    "<item><sequenceNumber>8</sequenceNumber><component><id>sg-0aaa</id></component></item>\n"
    "<item><sequenceNumber>9</sequenceNumber><component><id>eni-0aaa</id></component></item>\n"
    "<item><sequenceNumber>10</sequenceNumber><component><id>i-0aaa</id></component></item>\n"
    "</returnPathComponentSet>\n"
    "<explanationSet/>\n"
    ANALYSIS_REPLY_END;

static const char reply_blocked[] =
    ANALYSIS_REPLY_START("false")
    FORWARD_PATH
    "<returnPathComponentSet>\n"
    RETURN_START
    "</returnPathComponentSet>\n"
    "<explanationSet><item>\n"
    "  <acl><id>acl-0bbb</id></acl>\n"
    "  <aclRule><cidr>0.0.0.0/0</cidr><egress>true</egress><protocol>all</protocol>"
    "  <ruleAction>deny</ruleAction><ruleNumber>32767</ruleNumber></aclRule>\n"
    "  <component><id>acl-0bbb</id></component><direction>egress</direction>\n"
    "  <explanationCode>SUBNET_ACL_RESTRICTION</explanationCode>\n"
    "  <subnet><id>subnet-0bbb</id></subnet><vpc><id>vpc-0bbb</id></vpc>\n"
    "</item></explanationSet>\n"
    ANALYSIS_REPLY_END;
/* clang-format on */

#define FORWARD_TEXT                                                                               \
    "forward path: tcp 10.1.1.10:49152 \xe2\x86\x92 10.2.1.20:22\n"                                \
    "    1  i-0aaa\n"                                                                              \
    "    2  eni-0aaa\n"                                                                            \
    "    3  sg-0aaa (app) egress rule sgr-0aaa tcp 22 to 10.2.0.0/16 allow\n"                      \
    "    4  acl-0aaa egress rule 100 allow\n"                                                      \
    "    5  rtb-0aaa route 10.2.0.0/16 \xe2\x86\x92 pcx-0abc\n"                                    \
    "    6  pcx-0abc\n"                                                                            \
    "    7  acl-0bbb ingress rule 100 allow\n"                                                     \
    "    8  sg-0bbb ingress rule tcp 22 from sg-0aaa allow\n"                                      \
    "    9  eni-0bbb\n"                                                                            \
    "   10  i-0bbb\n"
#define RETURN_TEXT_START                                                                          \
    "return path: tcp 10.2.1.20:22 \xe2\x86\x92 10.1.1.10:49152\n"                                 \
    "    1  i-0bbb\n"                                                                              \
    "    2  eni-0bbb\n"                                                                            \
    "    3  sg-0bbb allow (reply of a tracked flow)\n"

static const char golden_found[] =
    "i-0aaa \xe2\x86\x92 i-0bbb tcp port 22: path found\n" FORWARD_TEXT RETURN_TEXT_START
    "    4  acl-0bbb egress rule 110 allow\n"
    "    5  rtb-0bbb route 10.1.0.0/16 \xe2\x86\x92 pcx-0abc\n"
    "    6  pcx-0abc\n"
    "    7  acl-0aaa ingress rule 100 allow\n"
    "    8  sg-0aaa allow (reply of a tracked flow)\n"
    "    9  eni-0aaa\n"
    "   10  i-0aaa\n";

static const char golden_blocked[] =
    "i-0aaa \xe2\x86\x92 i-0bbb tcp port 22: not reachable\n" FORWARD_TEXT RETURN_TEXT_START
    "blocked at acl-0bbb: SUBNET_ACL_RESTRICTION\n"
    "    direction           egress\n"
    "    acl rule            egress rule * deny (all traffic to 0.0.0.0/0)\n"
    "    subnet              subnet-0bbb\n"
    "    vpc                 vpc-0bbb\n";

static const struct ctl_trace_query sample_query = {"i-0aaa", "i-0bbb", "tcp", 22};

static struct ctl_xml_node *parse_str(const char *s)
{
    return ctl_xml_parse(s, strlen(s));
}

static void test_xml_parse_analysis(void **state)
{
    (void)state;
    struct ctl_xml_node *root = parse_str(reply_blocked);
    assert_non_null(root);
    assert_string_equal(root->name, "DescribeNetworkInsightsAnalysesResponse");
    assert_string_equal(ctl_xml_text(root, "requestId"), "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE");
    const struct ctl_xml_node *a =
        ctl_xml_item(ctl_xml_child(root, "networkInsightsAnalysisSet"), 0);
    assert_non_null(a);
    assert_string_equal(ctl_xml_text(a, "networkInsightsAnalysisId"), "nia-0123456789abcdef0");
    assert_string_equal(ctl_xml_text(a, "status"), "succeeded");
    bool found = true;
    assert_true(ctl_xml_bool(a, "networkPathFound", &found));
    assert_false(found);
    const struct ctl_xml_node *fwd = ctl_xml_child(a, "forwardPathComponentSet");
    assert_int_equal(ctl_xml_n_items(fwd), 10);
    assert_int_equal(ctl_xml_n_items(ctl_xml_child(a, "returnPathComponentSet")), 3);
    int v = 0;
    assert_true(ctl_xml_int(ctl_xml_item(fwd, 3), "aclRule/ruleNumber", &v));
    assert_int_equal(v, 100);
    assert_true(ctl_xml_bool(ctl_xml_item(fwd, 3), "aclRule/egress", &found));
    assert_true(found);
    assert_string_equal(
        ctl_xml_text(ctl_xml_item(fwd, 4), "routeTableRoute/vpcPeeringConnectionId"), "pcx-0abc");
    assert_string_equal(
        ctl_xml_text(
            ctl_xml_item(ctl_xml_path(ctl_xml_item(fwd, 0), "outboundHeader/sourceAddressSet"), 0),
            ""),
        "10.1.1.10/32");
    const struct ctl_xml_node *e = ctl_xml_item(ctl_xml_child(a, "explanationSet"), 0);
    assert_string_equal(ctl_xml_text(e, "explanationCode"), "SUBNET_ACL_RESTRICTION");
    assert_true(ctl_xml_int(e, "aclRule/ruleNumber", &v));
    assert_int_equal(v, 32767);
    /* Missing things are NULL all the way down. */
    assert_null(ctl_xml_item(fwd, 10));
    assert_null(ctl_xml_text(a, "no/such/path"));
    assert_null(ctl_xml_text(NULL, "status"));
    assert_null(ctl_xml_text(a, "tagSet")); /* present but empty */
    assert_false(ctl_xml_int(a, "status", &v));
    assert_false(ctl_xml_bool(a, "status", &found));
    const char *code, *msg;
    assert_false(ctl_xml_error(root, &code, &msg));
    ctl_xml_free(root);
}

static void test_xml_errors_and_garbage(void **state)
{
    (void)state;
    struct ctl_xml_node *root = parse_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error>"
        "<Code>InvalidInstanceID.NotFound</Code><Message>The instance ID &apos;i-1&apos; does "
        "not exist</Message></Error></Errors><RequestID>ea96</RequestID></Response>");
    const char *code = NULL, *msg = NULL;
    assert_true(ctl_xml_error(root, &code, &msg));
    assert_string_equal(code, "InvalidInstanceID.NotFound");
    assert_string_equal(msg, "The instance ID 'i-1' does not exist");
    ctl_xml_free(root);

    assert_null(parse_str("<html><body>502 Bad Gateway"));
    assert_null(parse_str("not xml at all"));
    assert_null(ctl_xml_parse("", 0));
    assert_null(parse_str("<a></b>"));
    /* An external entity is neither fetched nor expanded. */
    root = parse_str("<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/hostname\">]><a>&x;</a>");
    if (root)
        assert_string_equal(root->text, "");
    ctl_xml_free(root);
    ctl_xml_free(NULL);
}

static void expect_text(const char *reply, const char *golden)
{
    struct ctl_xml_node *root = parse_str(reply);
    assert_non_null(root);
    const struct ctl_xml_node *a =
        ctl_xml_item(ctl_xml_child(root, "networkInsightsAnalysisSet"), 0);
    struct strbuf out;
    strbuf_init(&out);
    ctl_trace_text(a, &sample_query, &out);
    assert_string_equal(out.data, golden);
    strbuf_destroy(&out);
    ctl_xml_free(root);
}

static void test_trace_text_golden(void **state)
{
    (void)state;
    expect_text(reply_found, golden_found);
    expect_text(reply_blocked, golden_blocked);
}

static void test_trace_text_details(void **state)
{
    (void)state;
    /* A NAT gateway's translation, a TGW route, an SG mismatch as vpcd and as AWS name the
     * groups, a blackhole route. */
    static const char reply[] =
        "<R><networkInsightsAnalysisSet><item><networkPathFound>false</networkPathFound>"
        "<forwardPathComponentSet>"
        "<item><sequenceNumber>1</sequenceNumber><component><id>nat-0n</id></component>"
        "<inboundHeader><protocol>17</protocol><sourceAddressSet><item>10.0.2.5/32</item>"
        "</sourceAddressSet><destinationAddressSet><item>198.51.100.1/32</item>"
        "</destinationAddressSet></inboundHeader>"
        "<outboundHeader><protocol>17</protocol><sourceAddressSet><item>203.0.113.7/32</item>"
        "</sourceAddressSet><sourcePortRangeSet><item><from>1024</from><to>1024</to></item>"
        "</sourcePortRangeSet><destinationAddressSet><item>198.51.100.1/32</item>"
        "</destinationAddressSet></outboundHeader></item>"
        "<item><component><id>tgw-rtb-0t</id></component><transitGatewayRouteTableRoute>"
        "<destinationCidr>10.9.0.0/16</destinationCidr><state>active</state>"
        "<routeOrigin>propagated</routeOrigin><attachmentId>tgw-attach-0a</attachmentId>"
        "</transitGatewayRouteTableRoute></item>"
        "<item><component><id>rtb-0b</id></component><routeTableRoute><destinationCidr>"
        "0.0.0.0/0</destinationCidr><natGatewayId>nat-0gone</natGatewayId><state>blackhole"
        "</state></routeTableRoute></item>"
        "<item><component><id>eni-0x</id></component><attachedTo><id>i-0x</id></attachedTo>"
        "</item>"
        "</forwardPathComponentSet>"
        "<explanationSet>"
        "<item><explanationCode>ENI_SG_RULES_MISMATCH</explanationCode><direction>ingress"
        "</direction><component><id>eni-0d</id></component><networkInterface><id>eni-0d</id>"
        "</networkInterface><securityGroups><item><id>sg-01</id></item><item><id>sg-02</id>"
        "</item></securityGroups><attachedTo><id>i-0d</id></attachedTo></item>"
        "<item><explanationCode>ENI_SG_RULES_MISMATCH</explanationCode><networkInterface><id>"
        "eni-0e</id></networkInterface><securityGroupSet><item><id>sg-03</id></item>"
        "</securityGroupSet></item>"
        "<item><explanationCode>TGW_RTB_CANNOT_ROUTE</explanationCode>"
        "<transitGatewayRouteTable><id>tgw-rtb-0t</id></transitGatewayRouteTable>"
        "<transitGateway><id>tgw-0t</id></transitGateway><address>10.8.0.1</address></item>"
        "</explanationSet></item></networkInsightsAnalysisSet></R>";
    static const char golden[] =
        "eni-0s \xe2\x86\x92 10.8.0.1 udp: not reachable\n"
        "forward path: udp 203.0.113.7:1024 \xe2\x86\x92 198.51.100.1\n"
        "    1  nat-0n, sends udp 203.0.113.7:1024 \xe2\x86\x92 198.51.100.1\n"
        "    2  tgw-rtb-0t route 10.9.0.0/16 \xe2\x86\x92 tgw-attach-0a (propagated)\n"
        "    3  rtb-0b route 0.0.0.0/0 \xe2\x86\x92 nat-0gone (blackhole)\n"
        "    4  eni-0x on i-0x\n"
        "blocked at eni-0d: ENI_SG_RULES_MISMATCH\n"
        "    direction           ingress\n"
        "    security groups     sg-01, sg-02\n"
        "    attached to         i-0d\n"
        "blocked at eni-0e: ENI_SG_RULES_MISMATCH\n"
        "    security groups     sg-03\n"
        "blocked at tgw-rtb-0t: TGW_RTB_CANNOT_ROUTE\n"
        "    address             10.8.0.1\n"
        "    transit gateway     tgw-0t\n";
    struct ctl_xml_node *root = parse_str(reply);
    const struct ctl_xml_node *a =
        ctl_xml_item(ctl_xml_child(root, "networkInsightsAnalysisSet"), 0);
    struct strbuf out;
    strbuf_init(&out);
    struct ctl_trace_query q = {"eni-0s", "10.8.0.1", "udp", -1};
    ctl_trace_text(a, &q, &out);
    assert_string_equal(out.data, golden);
    strbuf_destroy(&out);
    ctl_xml_free(root);
}

static void test_trace_text_hostile(void **state)
{
    (void)state;
    /* Whatever a server sends, the report is produced and marks what is missing. */
    static const char reply[] =
        "<x><networkPathFound>maybe</networkPathFound><forwardPathComponentSet><item/>"
        "<item><sequenceNumber>99999999999</sequenceNumber><component/><aclRule/>"
        "<securityGroupRule/><routeTableRoute/><transitGatewayRouteTableRoute/><inboundHeader/>"
        "<outboundHeader><sourceAddressSet><item/></sourceAddressSet></outboundHeader></item>"
        "<notAnItem/></forwardPathComponentSet><explanationSet><item/><item><component><id/>"
        "</component><aclRule><portRange><from>x</from></portRange></aclRule></item>"
        "</explanationSet></x>";
    struct ctl_xml_node *root = parse_str(reply);
    assert_non_null(root);
    struct strbuf out;
    strbuf_init(&out);
    ctl_trace_text(root, NULL, &out);
    assert_string_equal(out.data, "? \xe2\x86\x92 ? tcp: unknown\n"
                                  "forward path: ? \xe2\x86\x92 ?\n"
                                  "    1  ?\n"
                                  "    2  ? rule ? allow rule ? ? route ? \xe2\x86\x92 ? route ? "
                                  "\xe2\x86\x92 ?\n"
                                  "blocked at ?: (no explanation code)\n"
                                  "blocked at ?: (no explanation code)\n"
                                  "    acl rule            rule ? ? (?)\n");
    strbuf_reset(&out);
    ctl_trace_json(root, &out);
    json_error_t jerr;
    json_t *doc = json_loads(out.data, 0, &jerr);
    assert_non_null(doc);
    assert_true(json_is_null(json_object_get(doc, "networkPathFound")));
    assert_int_equal(json_array_size(json_object_get(doc, "forward")), 3);
    assert_int_equal(json_array_size(json_object_get(doc, "return")), 0);
    json_decref(doc);
    strbuf_destroy(&out);
    ctl_xml_free(root);
}

static void test_trace_json(void **state)
{
    (void)state;
    struct ctl_xml_node *root = parse_str(reply_blocked);
    const struct ctl_xml_node *a =
        ctl_xml_item(ctl_xml_child(root, "networkInsightsAnalysisSet"), 0);
    struct strbuf out;
    strbuf_init(&out);
    ctl_trace_json(a, &out);
    json_error_t jerr;
    json_t *doc = json_loads(out.data, 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_object_size(doc), 4);
    assert_true(json_is_false(json_object_get(doc, "networkPathFound")));
    json_t *fwd = json_object_get(doc, "forward");
    assert_int_equal(json_array_size(fwd), 10);
    json_t *acl = json_array_get(fwd, 3);
    assert_int_equal(json_integer_value(json_object_get(acl, "sequenceNumber")), 4);
    assert_string_equal(json_string_value(json_object_get(json_object_get(acl, "component"), "id")),
                        "acl-0aaa");
    json_t *rule = json_object_get(acl, "aclRule");
    assert_int_equal(json_integer_value(json_object_get(rule, "ruleNumber")), 100);
    assert_true(json_is_true(json_object_get(rule, "egress")));
    json_t *hdr = json_object_get(json_array_get(fwd, 0), "outboundHeader");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(hdr, "sourceAddresses"), 0)),
        "10.1.1.10/32");
    json_t *ports = json_array_get(json_object_get(hdr, "destinationPortRanges"), 0);
    assert_int_equal(json_integer_value(json_object_get(ports, "from")), 22);
    assert_int_equal(json_array_size(json_object_get(doc, "return")), 3);
    json_t *exp = json_array_get(json_object_get(doc, "explanations"), 0);
    assert_string_equal(json_string_value(json_object_get(exp, "explanationCode")),
                        "SUBNET_ACL_RESTRICTION");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(exp, "aclRule"), "ruleNumber")), 32767);
    json_decref(doc);
    strbuf_destroy(&out);
    ctl_xml_free(root);
}

static const char reach_reply[] =
    "<DescribeVpcdReachabilityMatrixResponse><requestId>r</requestId><instanceSet>"
    "<item><instanceId>i-0aaa</instanceId><region>us-east-1</region>"
    "<privateIpAddress>10.1.1.10</privateIpAddress></item>"
    "<item><instanceId>i-0bbb</instanceId><region>us-east-1</region>"
    "<privateIpAddress>10.2.1.20</privateIpAddress></item>"
    "<item><instanceId>i-0ccc</instanceId><region>eu-west-1</region>"
    "<privateIpAddress>10.3.1.30</privateIpAddress></item></instanceSet><rowSet>"
    "<item><instanceId>i-0aaa</instanceId><reachable>110</reachable></item>"
    "<item><instanceId>i-0bbb</instanceId><reachable>111</reachable></item>"
    "<item><instanceId>i-0ccc</instanceId><reachable>001</reachable></item>"
    "</rowSet></DescribeVpcdReachabilityMatrixResponse>";

static const char reach_golden[] =
    "reachability, tcp port 22: 3 instances (rows: sources, columns: destinations; "
    "+ reachable, . not)\n"
    " #  instance  region     private ip  1 2 3\n"
    " 1  i-0aaa    us-east-1  10.1.1.10   + + .\n"
    " 2  i-0bbb    us-east-1  10.2.1.20   + + +\n"
    " 3  i-0ccc    eu-west-1  10.3.1.30   . . +\n";

static void test_reach(void **state)
{
    (void)state;
    struct ctl_xml_node *root = parse_str(reach_reply);
    struct ctl_reach r;
    char err[256];
    assert_int_equal(ctl_reach_parse(root, &r, err, sizeof err), 0);
    assert_int_equal(r.n_instances, 3);
    assert_int_equal(r.n_rows, 3);
    assert_string_equal(r.rows[1].reachable, "111");
    struct strbuf out;
    strbuf_init(&out);
    ctl_reach_text(&r, "tcp", 22, &out);
    assert_string_equal(out.data, reach_golden);
    strbuf_reset(&out);
    ctl_reach_json(&r, "udp", -1, &out);
    json_error_t jerr;
    json_t *doc = json_loads(out.data, 0, &jerr);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "protocol")), "udp");
    assert_true(json_is_null(json_object_get(doc, "destinationPort")));
    json_t *row = json_array_get(json_object_get(doc, "rows"), 0);
    assert_string_equal(json_string_value(json_object_get(row, "instanceId")), "i-0aaa");
    json_t *bits = json_object_get(row, "reachable");
    assert_int_equal(json_array_size(bits), 3);
    assert_true(json_is_true(json_array_get(bits, 1)));
    assert_true(json_is_false(json_array_get(bits, 2)));
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(doc, "instances"), 2), "region")),
                        "eu-west-1");
    json_decref(doc);
    strbuf_destroy(&out);
    ctl_reach_destroy(&r);
    ctl_xml_free(root);

    /* Rows of the wrong length or with other characters are refused. */
    static const char *const bad[] = {
        "<X><instanceSet><item><instanceId>i-1</instanceId></item></instanceSet><rowSet><item>"
        "<instanceId>i-1</instanceId><reachable>10</reachable></item></rowSet></X>",
        "<X><instanceSet><item><instanceId>i-1</instanceId></item></instanceSet><rowSet><item>"
        "<instanceId>i-1</instanceId><reachable>x</reachable></item></rowSet></X>",
        "<X><instanceSet><item><region>r</region></item></instanceSet><rowSet/></X>",
        "<X><instanceSet/></X>",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        root = parse_str(bad[i]);
        assert_int_equal(ctl_reach_parse(root, &r, err, sizeof err), -1);
        assert_null(r.instances);
        ctl_xml_free(root);
    }
    /* No instances at all is a valid, empty matrix. */
    root = parse_str("<X><instanceSet/><rowSet/></X>");
    assert_int_equal(ctl_reach_parse(root, &r, err, sizeof err), 0);
    strbuf_init(&out);
    ctl_reach_text(&r, "icmp", -1, &out);
    assert_string_equal(out.data, "reachability, icmp: 0 instances (rows: sources, columns: "
                                  "destinations; + reachable, . not)\n");
    strbuf_destroy(&out);
    ctl_reach_destroy(&r);
    ctl_xml_free(root);
}

/* ---- stats: the exposition format, vpcd's counters, the report -------------------------- */

static void test_prom_parse(void **state)
{
    (void)state;
    static const char text[] = "# HELP vpcd_x A \\\\ help\\n text.\n"
                               "# TYPE vpcd_x counter\n"
                               "# any other comment, even # TYPE vpcd_x bogus inside it\n"
                               "#\n"
                               "\n"
                               "   \t\n"
                               "vpcd_x 42\n"
                               "vpcd_y{a=\"1\",b=\"q\\\"uo\\\\te\\nnl\",} 7 1700000000000\n"
                               "  vpcd_y { a = \"2\" ,\tb=\"\" }\t8\n"
                               "vpcd:z{l=\"\xc3\xa9\xe2\x86\x92\xf0\x9f\x98\x80\"} 1.5e3 -5\n"
                               "nan_metric NaN\n"
                               "inf_metric{s=\"+\"} +Inf\n"
                               "neg -Inf\n"
                               "big 18446744073709551615\n"
                               "bigger 18446744073709551616\n"
                               "crlf 3\r\n"
                               "# TYPE last untyped";
    struct ctl_prom p;
    ctl_prom_parse(text, sizeof text - 1, &p);
    assert_int_equal(p.n_bad, 0);
    assert_int_equal(p.first_bad_line, 0);
    assert_int_equal(p.n_samples, 10);
    const struct ctl_prom_sample *s = p.samples;
    assert_string_equal(s[0].name, "vpcd_x");
    assert_int_equal(s[0].n_labels, 0);
    assert_true(s[0].is_count);
    assert_int_equal(s[0].count, 42);
    assert_true(s[0].value == 42.0);
    assert_false(s[0].has_timestamp);

    assert_string_equal(s[1].name, "vpcd_y");
    assert_int_equal(s[1].n_labels, 2);
    assert_string_equal(s[1].labels[0].name, "a");
    assert_string_equal(s[1].labels[0].value, "1");
    assert_string_equal(s[1].labels[1].name, "b");
    assert_string_equal(s[1].labels[1].value, "q\"uo\\te\nnl");
    assert_string_equal(ctl_prom_label(&s[1], "b"), "q\"uo\\te\nnl");
    assert_null(ctl_prom_label(&s[1], "c"));
    assert_int_equal(s[1].count, 7);
    assert_true(s[1].has_timestamp);
    assert_true(s[1].timestamp_ms == 1700000000000LL);

    assert_int_equal(s[2].n_labels, 2);
    assert_string_equal(ctl_prom_label(&s[2], "a"), "2");
    assert_string_equal(ctl_prom_label(&s[2], "b"), "");
    assert_int_equal(s[2].count, 8);

    assert_string_equal(s[3].name, "vpcd:z");
    assert_string_equal(ctl_prom_label(&s[3], "l"), "\xc3\xa9\xe2\x86\x92\xf0\x9f\x98\x80");
    assert_false(s[3].is_count);
    assert_true(s[3].value == 1500.0);
    assert_true(s[3].timestamp_ms == -5);

    assert_true(isnan(s[4].value));
    assert_false(s[4].is_count);
    assert_true(isinf(s[5].value) && s[5].value > 0);
    assert_string_equal(ctl_prom_label(&s[5], "s"), "+");
    assert_true(isinf(s[6].value) && s[6].value < 0);
    assert_true(s[7].is_count);
    assert_true(s[7].count == UINT64_MAX);
    assert_false(s[8].is_count); /* past 2^64: a float only */
    assert_true(s[8].value == 18446744073709551616.0);
    assert_string_equal(s[9].name, "crlf");
    assert_int_equal(s[9].count, 3);
    ctl_prom_destroy(&p);
    ctl_prom_destroy(&p); /* twice is fine */

    ctl_prom_parse("", 0, &p);
    assert_int_equal(p.n_samples + p.n_bad, 0);
    ctl_prom_destroy(&p);
}

static void test_prom_bad_lines(void **state)
{
    (void)state;
    /* Each line from the second to the last but one is malformed in one way; the two good ones
     * around them survive. */
    static const char text[] = "vpcd_ok 1\n"
                               "vpcd_bad{a=\"\\t\"} 1\n"
                               "vpcd_bad{a=\"open} 1\n"
                               "vpcd_bad{a=\"1\",a=\"2\"} 1\n"
                               "vpcd_bad{a=\"1\"}\n"
                               "vpcd_bad\n"
                               "1vpcd 2\n"
                               "vpcd_bad one\n"
                               "vpcd_bad 1 2 3\n"
                               "vpcd_bad 1 1.5\n"
                               "vpcd_bad{a=b} 1\n"
                               "vpcd_bad{a=\"\xff\"} 1\n"
                               "vpcd_bad{a=\"\xc0\xaf\"} 1\n"
                               "vpcd_bad{a=\"\xed\xa0\x80\"} 1\n"
                               "vpcd_bad 1e999\n"
                               "vpcd-bad 1\n"
                               "# TYPE vpcd_ok bogus\n"
                               "# TYPE vpcd_ok\n"
                               "# TYPE vpcd_ok counter extra\n"
                               "# HELP\n"
                               "# HELP vpcd_ok bad \\t escape\n"
                               "vpcd_bad{=\"x\"} 1\n"
                               "vpcd_bad{a=\"1\" b=\"2\"} 1\n"
                               "vpcd_bad{a=\"1\"\n"
                               "vpcd_nul 1\0x\n"
                               "vpcd_bad{a:b=\"1\"} 1\n"
                               "vpcd_ok2{a=\"x\"} 2";
    struct ctl_prom p;
    ctl_prom_parse(text, sizeof text - 1, &p);
    assert_int_equal(p.n_bad, 25);
    assert_int_equal(p.first_bad_line, 2);
    assert_int_equal(p.n_samples, 2);
    assert_string_equal(p.samples[0].name, "vpcd_ok");
    assert_int_equal(p.samples[0].count, 1);
    assert_string_equal(p.samples[1].name, "vpcd_ok2");
    assert_string_equal(ctl_prom_label(&p.samples[1], "a"), "x");
    assert_int_equal(p.samples[1].count, 2);
    ctl_prom_destroy(&p);
}

/* Shaped as src/dp/dp.c writes it, plus what a report must cope with: a repeated series, values
 * that are not counts, a float count, a sample without its label, labels in another order, and
 * metrics that are not vpcd's. */
static const char stats_metrics[] =
    "# HELP vpcd_api_requests_total API requests served.\n"
    "# TYPE vpcd_api_requests_total counter\n"
    "vpcd_api_requests_total 1234\n"
    "# TYPE vpcd_dp_frames_total counter\n"
    "vpcd_dp_frames_total{direction=\"rx\"} 5210\n"
    "vpcd_dp_frames_total{direction=\"tx\"} 5187\n"
    "vpcd_dp_answers_total{kind=\"arp\"} 12\n"
    "vpcd_dp_answers_total{kind=\"nd\"} 0\n"
    "vpcd_dp_answers_total{kind=\"router_ping\"} 3\n"
    "vpcd_dp_drops_total{reason=\"ENI_SG_RULES_MISMATCH\"} 2\n"
    "vpcd_dp_drops_total{reason=\"SUBNET_ACL_RESTRICTION\"} 0\n"
    "vpcd_dp_drops_total{reason=\"broadcast\"} 17\n"
    "vpcd_dp_drops_total{reason=\"NO_ROUTE_TO_DESTINATION\"} 2\n"
    "vpcd_dp_drops_total{reason=\"malformed\"} 1.0e1\n"
    "vpcd_dp_drops_total{reason=\"broadcast\"} 99\n"
    "vpcd_dp_drops_total{reason=\"no_port\"} -1\n"
    "vpcd_dp_drops_total{reason=\"fragment\"} 0.5\n"
    "vpcd_dp_drops_total{reason=\"tx_failed\"} NaN\n"
    "vpcd_dp_drops_total 5\n"
    "# TYPE vpcd_dp_eni_drops_total counter\n"
    "vpcd_dp_eni_drops_total{eni=\"eni-0aaa\",instance=\"i-0aaa\"} 19\n"
    "vpcd_dp_eni_drops_total{eni=\"eni-0bbb\",instance=\"i-0bbb\"} 0\n"
    "vpcd_dp_eni_drops_total{instance=\"i-0ccc\",eni=\"eni-0ccc\"} 12\n"
    "vpcd_dp_future_total 7\n"
    "process_cpu_seconds_total 3.5\n"
    "vpcd_api_requests_total 1\n";

static const char stats_golden[] = "api requests: 1234\n"
                                   "frames: rx 5210, tx 5187\n"
                                   "answers: arp 12, nd 0, router_ping 3\n"
                                   "drops by reason: 31\n"
                                   "  17  broadcast\n"
                                   "  10  malformed\n"
                                   "   2  ENI_SG_RULES_MISMATCH\n"
                                   "   2  NO_ROUTE_TO_DESTINATION\n"
                                   "drops by interface: 31\n"
                                   "  19  eni-0aaa  i-0aaa\n"
                                   "  12  eni-0ccc  i-0ccc\n";

static const char stats_golden_all[] = "api requests: 1234\n"
                                       "frames: rx 5210, tx 5187\n"
                                       "answers: arp 12, nd 0, router_ping 3\n"
                                       "drops by reason: 31\n"
                                       "  17  broadcast\n"
                                       "  10  malformed\n"
                                       "   2  ENI_SG_RULES_MISMATCH\n"
                                       "   2  NO_ROUTE_TO_DESTINATION\n"
                                       "   0  SUBNET_ACL_RESTRICTION\n"
                                       "drops by interface: 31\n"
                                       "  19  eni-0aaa  i-0aaa\n"
                                       "  12  eni-0ccc  i-0ccc\n"
                                       "   0  eni-0bbb  i-0bbb\n";

/* The text report of metrics text, all or not. */
static void expect_stats_text(const char *metrics, bool all, const char *golden)
{
    struct ctl_prom p;
    ctl_prom_parse(metrics, strlen(metrics), &p);
    struct ctl_stats st;
    char err[256];
    assert_int_equal(ctl_stats_read(&p, &st, err, sizeof err), 0);
    struct strbuf out;
    strbuf_init(&out);
    ctl_stats_text(&st, all, &out);
    assert_string_equal(out.data, golden);
    strbuf_destroy(&out);
    ctl_stats_destroy(&st);
    ctl_prom_destroy(&p);
}

static void test_stats_text_golden(void **state)
{
    (void)state;
    expect_stats_text(stats_metrics, false, stats_golden);
    expect_stats_text(stats_metrics, true, stats_golden_all);
    /* Without a data plane vpcd writes the request count only. */
    expect_stats_text("# TYPE vpcd_api_requests_total counter\nvpcd_api_requests_total 7\n", true,
                      "api requests: 7\ndata plane: off (no counters)\n");
    /* A data plane with nothing yet, and counters that are missing. */
    expect_stats_text("vpcd_dp_frames_total{direction=\"tx\"} 0\n"
                      "vpcd_dp_drops_total{reason=\"broadcast\"} 0\n",
                      false,
                      "api requests: ?\nframes: rx ?, tx 0\nanswers: none\n"
                      "drops by reason: 0\ndrops by interface: 0\n");
    /* Names from the server cannot forge lines or move the cursor; an empty instance shows. */
    expect_stats_text("vpcd_dp_drops_total{reason=\"a\\nb\x1b[2J\x7f\"} 1000\n"
                      "vpcd_dp_drops_total{reason=\"ok\"} 1\n"
                      "vpcd_dp_eni_drops_total{eni=\"eni-0ddd\",instance=\"\"} 3\n"
                      "vpcd_dp_eni_drops_total{eni=\"eni-0eee\"} 4\n",
                      false,
                      "api requests: ?\nframes: rx ?, tx ?\nanswers: none\n"
                      "drops by reason: 1001\n"
                      "  1000  a?b?[2J?\n"
                      "     1  ok\n"
                      "drops by interface: 7\n"
                      "  4  eni-0eee  -\n"
                      "  3  eni-0ddd  -\n");
}

static void test_stats_read(void **state)
{
    (void)state;
    struct ctl_prom p;
    ctl_prom_parse(stats_metrics, strlen(stats_metrics), &p);
    assert_int_equal(p.n_bad, 0);
    struct ctl_stats st;
    char err[256];
    assert_int_equal(ctl_stats_read(&p, &st, err, sizeof err), 0);
    assert_true(st.have_api && st.dataplane && st.have_rx && st.have_tx);
    assert_int_equal(st.api_requests, 1234);
    assert_int_equal(st.rx, 5210);
    assert_int_equal(st.tx, 5187);
    assert_int_equal(st.n_answers, 3);
    assert_string_equal(st.answers[2].name, "router_ping");
    assert_int_equal(st.n_drops, 5); /* the repeat and the values that are not counts dropped */
    assert_int_equal(st.total_drops, 31);
    assert_string_equal(st.drops[0].name, "broadcast");
    assert_int_equal(st.drops[0].count, 17); /* the first of the two */
    assert_null(st.drops[0].instance);
    assert_int_equal(st.n_eni_drops, 3);
    assert_string_equal(st.eni_drops[1].instance, "i-0ccc");
    assert_int_equal(st.total_eni_drops, 31);
    ctl_stats_destroy(&st);
    ctl_stats_destroy(&st);
    ctl_prom_destroy(&p);

    /* Not vpcd: someone else's metrics, an HTML page, nothing. */
    static const char *const others[] = {"process_cpu_seconds_total 3\n", "<html>hi</html>", ""};
    for (size_t i = 0; i < 3; i++) {
        ctl_prom_parse(others[i], strlen(others[i]), &p);
        err[0] = '\0';
        assert_int_equal(ctl_stats_read(&p, &st, err, sizeof err), -1);
        assert_string_equal(err, "no vpcd counters (vpcd_*) in the reply");
        ctl_stats_destroy(&st);
        ctl_prom_destroy(&p);
    }
}

static json_t *stats_json(const char *metrics, bool all)
{
    struct ctl_prom p;
    ctl_prom_parse(metrics, strlen(metrics), &p);
    struct ctl_stats st;
    char err[256];
    assert_int_equal(ctl_stats_read(&p, &st, err, sizeof err), 0);
    struct strbuf out;
    strbuf_init(&out);
    ctl_stats_json(&st, all, &out);
    assert_int_equal(out.data[out.len - 1], '\n');
    json_error_t jerr;
    json_t *doc = json_loads(out.data, 0, &jerr);
    assert_non_null(doc);
    strbuf_destroy(&out);
    ctl_stats_destroy(&st);
    ctl_prom_destroy(&p);
    return doc;
}

static void test_stats_json(void **state)
{
    (void)state;
    json_t *doc = stats_json(stats_metrics, false);
    assert_int_equal(json_object_size(doc), 5);
    assert_int_equal(json_integer_value(json_object_get(doc, "apiRequests")), 1234);
    assert_true(json_is_true(json_object_get(doc, "dataPlane")));
    json_t *frames = json_object_get(doc, "frames");
    assert_int_equal(json_integer_value(json_object_get(frames, "rx")), 5210);
    assert_int_equal(json_integer_value(json_object_get(frames, "tx")), 5187);
    json_t *answers = json_object_get(doc, "answers");
    assert_int_equal(json_object_size(answers), 3);
    assert_int_equal(json_integer_value(json_object_get(answers, "arp")), 12);
    assert_int_equal(json_integer_value(json_object_get(answers, "router_ping")), 3);
    json_t *drops = json_object_get(doc, "drops");
    assert_int_equal(json_integer_value(json_object_get(drops, "total")), 31);
    json_t *by_reason = json_object_get(drops, "byReason");
    assert_int_equal(json_array_size(by_reason), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(by_reason, 0), "reason")),
                        "broadcast");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(by_reason, 1), "count")),
                     10);
    json_t *by_eni = json_object_get(drops, "byInterface");
    assert_int_equal(json_array_size(by_eni), 2);
    json_t *e = json_array_get(by_eni, 1);
    assert_string_equal(json_string_value(json_object_get(e, "networkInterfaceId")), "eni-0ccc");
    assert_string_equal(json_string_value(json_object_get(e, "instanceId")), "i-0ccc");
    assert_int_equal(json_integer_value(json_object_get(e, "count")), 12);
    json_decref(doc);

    doc = stats_json(stats_metrics, true);
    drops = json_object_get(doc, "drops");
    assert_int_equal(json_array_size(json_object_get(drops, "byReason")), 5);
    by_eni = json_object_get(drops, "byInterface");
    assert_int_equal(json_array_size(by_eni), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(by_eni, 2), "count")), 0);
    json_decref(doc);

    doc = stats_json("vpcd_api_requests_total 18446744073709551615\n", false);
    assert_true(json_is_false(json_object_get(doc, "dataPlane")));
    assert_true(json_is_null(json_object_get(doc, "frames")));
    assert_true(json_is_null(json_object_get(doc, "answers")));
    assert_true(json_is_null(json_object_get(doc, "drops")));
    /* Past what a JSON integer holds: a number still, rounded. */
    assert_true(json_real_value(json_object_get(doc, "apiRequests")) == 18446744073709551615.0);
    json_decref(doc);

    doc = stats_json("vpcd_dp_eni_drops_total{eni=\"eni-0ddd\",instance=\"\"} 3\n"
                     "vpcd_dp_frames_total{direction=\"rx\"} 1\n",
                     false);
    assert_true(json_is_null(json_object_get(doc, "apiRequests")));
    assert_true(json_is_null(json_object_get(json_object_get(doc, "frames"), "tx")));
    e = json_array_get(json_object_get(json_object_get(doc, "drops"), "byInterface"), 0);
    assert_true(json_is_null(json_object_get(e, "instanceId")));
    json_decref(doc);
}

static void test_stats_url(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"http://127.0.0.1:4566", "http://127.0.0.1:4566/_vpcd/metrics"},
        {"http://127.0.0.1:4566/", "http://127.0.0.1:4566/_vpcd/metrics"},
        {"https://h.example/base//?Action=x#frag", "https://h.example/base/_vpcd/metrics"},
        {"http://[::1]:8080/base", "http://[::1]:8080/base/_vpcd/metrics"},
    };
    char *url, err[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(ctl_stats_url(cases[i][0], &url, err, sizeof err), 0);
        assert_string_equal(url, cases[i][1]);
        free(url);
    }
    assert_int_equal(ctl_stats_url("file:///etc/passwd", &url, err, sizeof err), -1);
    assert_null(url);
    assert_string_equal(err, "Invalid endpoint: file:///etc/passwd (http or https only)");
    assert_int_equal(ctl_stats_url(NULL, &url, err, sizeof err), -1);
}

/* ---- whole commands against a fake EC2 endpoint ----------------------------------------- */

struct canned {
    const char *action; /* expected Action */
    unsigned status;
    const char *body;
};

struct fake {
    struct MHD_Daemon *d;
    unsigned port;
    const struct canned *script;
    size_t n_script, next;
    int bad_signatures;
    int wrong_actions;
    char last_body[2048];
};

struct fake_req {
    struct strbuf body;
};

struct fake_headers {
    struct sigv4_header h[32];
    size_t n;
};

static enum MHD_Result fake_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    struct fake_headers *hs = cls;
    if (hs->n < 32)
        hs->h[hs->n++] = (struct sigv4_header){key, value ? value : ""};
    return MHD_YES;
}

static const char *fake_secret(const char *key, void *ctx)
{
    (void)ctx;
    return strcmp(key, "AKIDFAKE") == 0 ? "fake-secret" : NULL;
}

static enum MHD_Result fake_access(void *cls, struct MHD_Connection *con, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **req_cls)
{
    (void)version;
    struct fake *f = cls;
    struct fake_req *r = *req_cls;
    if (r == NULL) {
        r = calloc(1, sizeof *r);
        strbuf_init(&r->body);
        *req_cls = r;
        return MHD_YES;
    }
    if (*upload_data_size) {
        strbuf_append(&r->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct fake_headers hs = {.n = 0};
    MHD_get_connection_values(con, MHD_HEADER_KIND, fake_header, &hs);
    const char *body = r->body.data ? r->body.data : "";
    struct sigv4_request sr = {
        .method = method,
        .path = url,
        .query = "",
        .headers = hs.h,
        .n_headers = hs.n,
        .body = (const unsigned char *)body,
        .body_len = r->body.len,
    };
    struct sigv4_result res;
    if (sigv4_verify(&sr, time(NULL), fake_secret, NULL, &res) != 0 ||
        strcmp(res.cred.region, "us-east-1") != 0 || strcmp(res.cred.service, "ec2") != 0)
        f->bad_signatures++;
    snprintf(f->last_body, sizeof f->last_body, "%s", body);
    const char *status_body = "<Response><Errors><Error><Code>InvalidAction</Code><Message>"
                              "unexpected call</Message></Error></Errors></Response>";
    unsigned status = 400;
    if (f->next < f->n_script) {
        const struct canned *c = &f->script[f->next++];
        char want[128];
        snprintf(want, sizeof want, "Action=%s&", c->action);
        if (strncmp(body, want, strlen(want)) != 0)
            f->wrong_actions++;
        status = c->status;
        status_body = c->body;
    } else {
        f->wrong_actions++;
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(status_body), (void *)status_body, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result rc = MHD_queue_response(con, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static void fake_done(void *cls, struct MHD_Connection *con, void **req_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)con;
    (void)toe;
    struct fake_req *r = *req_cls;
    if (r) {
        strbuf_destroy(&r->body);
        free(r);
    }
    *req_cls = NULL;
}

static void fake_start(struct fake *f, const struct canned *script, size_t n)
{
    memset(f, 0, sizeof *f);
    f->script = script;
    f->n_script = n;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    f->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, fake_access, f,
                            MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, fake_done, NULL,
                            MHD_OPTION_END);
    assert_non_null(f->d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    f->port = info->port;
}

/* Runs a command against the fake; returns its exit status, with its stdout and stderr. */
struct run_out {
    int rc;
    char *out, *err;
    size_t out_len, err_len;
};

/* Either command: exactly one of t and ro is set. */
static void run_cmd(struct fake *f, const struct ctl_trace_opts *t, const struct ctl_reach_opts *ro,
                    struct run_out *ro_out)
{
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u", f->port);
    struct ctl_config cfg = {
        .access_key = "AKIDFAKE",
        .secret_key = "fake-secret",
        .region = "us-east-1",
        .endpoint = endpoint,
    };
    struct ctl_client c;
    struct ctl_error e;
    assert_int_equal(ctl_client_init(&c, &cfg, &e), 0);
    FILE *out = open_memstream(&ro_out->out, &ro_out->out_len);
    FILE *err = open_memstream(&ro_out->err, &ro_out->err_len);
    if (t != NULL)
        ro_out->rc = ctl_cmd_trace(&c, t, out, err);
    else if (ro != NULL)
        ro_out->rc = ctl_cmd_reach(&c, ro, out, err);
    fclose(out);
    fclose(err);
    ctl_client_destroy(&c);
}

static void run_out_free(struct run_out *r)
{
    free(r->out);
    free(r->err);
}

#define PATH_REPLY                                                                                 \
    "<CreateNetworkInsightsPathResponse><requestId>1</requestId><networkInsightsPath>"             \
    "<networkInsightsPathId>nip-0123456789abcdef0</networkInsightsPathId>"                         \
    "</networkInsightsPath></CreateNetworkInsightsPathResponse>"
#define START_REPLY                                                                                \
    "<StartNetworkInsightsAnalysisResponse><requestId>2</requestId><networkInsightsAnalysis>"      \
    "<networkInsightsAnalysisId>nia-0123456789abcdef0</networkInsightsAnalysisId>"                 \
    "<status>running</status></networkInsightsAnalysis></StartNetworkInsightsAnalysisResponse>"
#define RUNNING_REPLY                                                                              \
    "<DescribeNetworkInsightsAnalysesResponse><networkInsightsAnalysisSet><item>"                  \
    "<networkInsightsAnalysisId>nia-0123456789abcdef0</networkInsightsAnalysisId>"                 \
    "<status>running</status></item></networkInsightsAnalysisSet>"                                 \
    "</DescribeNetworkInsightsAnalysesResponse>"
#define FAILED_REPLY                                                                               \
    "<DescribeNetworkInsightsAnalysesResponse><networkInsightsAnalysisSet><item>"                  \
    "<networkInsightsAnalysisId>nia-0123456789abcdef0</networkInsightsAnalysisId>"                 \
    "<status>failed</status><statusMessage>The instance i-0bbb does not exist</statusMessage>"     \
    "</item></networkInsightsAnalysisSet></DescribeNetworkInsightsAnalysesResponse>"
#define DELETE_NIA_REPLY                                                                           \
    "<DeleteNetworkInsightsAnalysisResponse><networkInsightsAnalysisId>nia-0123456789abcdef0"      \
    "</networkInsightsAnalysisId></DeleteNetworkInsightsAnalysisResponse>"
#define DELETE_NIP_REPLY                                                                           \
    "<DeleteNetworkInsightsPathResponse><networkInsightsPathId>nip-0123456789abcdef0"              \
    "</networkInsightsPathId></DeleteNetworkInsightsPathResponse>"

static void test_cmd_trace_found_and_blocked(void **state)
{
    (void)state;
    const struct canned found[] = {
        {"CreateNetworkInsightsPath", 200, PATH_REPLY},
        {"StartNetworkInsightsAnalysis", 200, START_REPLY},
        {"DescribeNetworkInsightsAnalyses", 200, RUNNING_REPLY},
        {"DescribeNetworkInsightsAnalyses", 200, reply_found},
        {"DeleteNetworkInsightsAnalysis", 200, DELETE_NIA_REPLY},
        {"DeleteNetworkInsightsPath", 200, DELETE_NIP_REPLY},
    };
    struct fake f;
    fake_start(&f, found, 6);
    struct ctl_trace_opts o = {"i-0aaa", "i-0bbb", "tcp", 22, false};
    struct run_out r;
    run_cmd(&f, &o, NULL, &r);
    assert_int_equal(r.rc, CTL_EXIT_OK);
    assert_string_equal(r.out, golden_found);
    assert_string_equal(r.err, "");
    assert_int_equal(f.next, 6);
    assert_int_equal(f.wrong_actions, 0);
    assert_int_equal(f.bad_signatures, 0);
    assert_string_equal(f.last_body, "Action=DeleteNetworkInsightsPath&Version=2016-11-15&"
                                     "NetworkInsightsPathId=nip-0123456789abcdef0");
    run_out_free(&r);
    MHD_stop_daemon(f.d);

    const struct canned blocked[] = {
        {"CreateNetworkInsightsPath", 200, PATH_REPLY},
        {"StartNetworkInsightsAnalysis", 200, START_REPLY},
        {"DescribeNetworkInsightsAnalyses", 200, reply_blocked},
        {"DeleteNetworkInsightsAnalysis", 200, DELETE_NIA_REPLY},
        {"DeleteNetworkInsightsPath", 200, DELETE_NIP_REPLY},
    };
    fake_start(&f, blocked, 5);
    run_cmd(&f, &o, NULL, &r);
    assert_int_equal(r.rc, CTL_EXIT_BLOCKED);
    assert_string_equal(r.out, golden_blocked);
    assert_int_equal(f.next, 5);
    assert_int_equal(f.wrong_actions + f.bad_signatures, 0);
    run_out_free(&r);
    MHD_stop_daemon(f.d);
}

static void test_cmd_trace_destination_ip(void **state)
{
    (void)state;
    /* An address destination is sent as DestinationIp, without Destination. */
    const struct canned script[] = {
        {"CreateNetworkInsightsPath", 400,
         "<Response><Errors><Error><Code>InvalidParameterValue</Code><Message>no</Message>"
         "</Error></Errors></Response>"},
    };
    struct fake f;
    fake_start(&f, script, 1);
    struct ctl_trace_opts o = {"i-0aaa", "10.2.1.20", "udp", 53, true};
    struct run_out r;
    run_cmd(&f, &o, NULL, &r);
    assert_int_equal(r.rc, CTL_EXIT_ERROR);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "vpcctl: An error occurred (InvalidParameterValue) when calling "
                               "the CreateNetworkInsightsPath operation: no\n");
    assert_non_null(strstr(f.last_body, "&Source=i-0aaa&DestinationIp=10.2.1.20&Protocol=udp&"
                                        "DestinationPort=53&ClientToken="));
    assert_null(strstr(f.last_body, "Destination="));
    assert_int_equal(f.bad_signatures, 0);
    run_out_free(&r);
    MHD_stop_daemon(f.d);
}

static void test_cmd_trace_errors(void **state)
{
    (void)state;
    struct ctl_trace_opts o = {"i-0aaa", "i-0bbb", "tcp", -1, false};
    struct run_out r;
    struct fake f;

    /* Not EC2 XML: a proxy's error page. Nothing was created, nothing is deleted. */
    const struct canned html[] = {{"CreateNetworkInsightsPath", 502, "<html>Bad Gateway"}};
    fake_start(&f, html, 1);
    run_cmd(&f, &o, NULL, &r);
    assert_int_equal(r.rc, CTL_EXIT_ERROR);
    assert_string_equal(r.err, "vpcctl: the reply to CreateNetworkInsightsPath (HTTP 502) is "
                               "not an EC2 reply\n");
    assert_int_equal(f.next, 1);
    assert_int_equal(f.wrong_actions, 0);
    run_out_free(&r);
    MHD_stop_daemon(f.d);

    /* The analysis failed: reported, and the path and analysis are still deleted. */
    const struct canned failed[] = {
        {"CreateNetworkInsightsPath", 200, PATH_REPLY},
        {"StartNetworkInsightsAnalysis", 200, START_REPLY},
        {"DescribeNetworkInsightsAnalyses", 200, FAILED_REPLY},
        {"DeleteNetworkInsightsAnalysis", 200, DELETE_NIA_REPLY},
        {"DeleteNetworkInsightsPath", 200, DELETE_NIP_REPLY},
    };
    fake_start(&f, failed, 5);
    run_cmd(&f, &o, NULL, &r);
    assert_int_equal(r.rc, CTL_EXIT_ERROR);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "vpcctl: analysis nia-0123456789abcdef0 failed: The instance "
                               "i-0bbb does not exist\n");
    assert_int_equal(f.next, 5);
    assert_int_equal(f.wrong_actions, 0);
    run_out_free(&r);
    MHD_stop_daemon(f.d);

    /* A Start reply without an id: the path is deleted, the error named. */
    const struct canned noid[] = {
        {"CreateNetworkInsightsPath", 200, PATH_REPLY},
        {"StartNetworkInsightsAnalysis", 200, "<StartNetworkInsightsAnalysisResponse/>"},
        {"DeleteNetworkInsightsPath", 200, DELETE_NIP_REPLY},
    };
    fake_start(&f, noid, 3);
    run_cmd(&f, &o, NULL, &r);
    assert_int_equal(r.rc, CTL_EXIT_ERROR);
    assert_string_equal(r.err, "vpcctl: the StartNetworkInsightsAnalysis reply has no "
                               "networkInsightsAnalysisId\n");
    assert_int_equal(f.next, 3);
    assert_int_equal(f.wrong_actions, 0);
    run_out_free(&r);
    MHD_stop_daemon(f.d);

    /* Nobody listening. */
    fake_start(&f, NULL, 0);
    unsigned port = f.port;
    MHD_stop_daemon(f.d);
    f.port = port;
    run_cmd(&f, &o, NULL, &r);
    assert_int_equal(r.rc, CTL_EXIT_ERROR);
    assert_non_null(strstr(r.err, "vpcctl: Could not connect to the endpoint URL"));
    run_out_free(&r);
}

static void test_cmd_reach(void **state)
{
    (void)state;
    const struct canned script[] = {{"DescribeVpcdReachabilityMatrix", 200, reach_reply}};
    struct fake f;
    fake_start(&f, script, 1);
    struct ctl_reach_opts o = {"tcp", 22, false};
    struct run_out r;
    run_cmd(&f, NULL, &o, &r);
    assert_int_equal(r.rc, CTL_EXIT_OK);
    assert_string_equal(r.out, reach_golden);
    assert_string_equal(f.last_body, "Action=DescribeVpcdReachabilityMatrix&Version=2016-11-15&"
                                     "Protocol=tcp&DestinationPort=22");
    assert_int_equal(f.bad_signatures, 0);
    run_out_free(&r);
    MHD_stop_daemon(f.d);

    const struct canned bad[] = {{"DescribeVpcdReachabilityMatrix", 200,
                                  "<X><instanceSet><item><instanceId>i-1</instanceId></item>"
                                  "</instanceSet><rowSet><item><instanceId>i-1</instanceId>"
                                  "<reachable>11</reachable></item></rowSet></X>"}};
    fake_start(&f, bad, 1);
    run_cmd(&f, NULL, &o, &r);
    assert_int_equal(r.rc, CTL_EXIT_ERROR);
    assert_string_equal(r.err, "vpcctl: DescribeVpcdReachabilityMatrix: row 1 of the reply is "
                               "malformed (need an instanceId and 1 characters 0 or 1)\n");
    run_out_free(&r);
    MHD_stop_daemon(f.d);
}

/* A fake /_vpcd/metrics: answers every request with one canned status and body, and records
 * what it was asked. */
struct metrics_fake {
    struct MHD_Daemon *d;
    unsigned port;
    unsigned status;
    const char *body;
    int n_requests;
    char method[16];
    char path[256];
    char accept[128];
    char authorization[16];
};

static enum MHD_Result metrics_access(void *cls, struct MHD_Connection *con, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **req_cls)
{
    (void)version;
    (void)upload_data;
    static int first_call;
    struct metrics_fake *f = cls;
    if (*req_cls == NULL) {
        *req_cls = &first_call;
        return MHD_YES;
    }
    *upload_data_size = 0;
    f->n_requests++;
    snprintf(f->method, sizeof f->method, "%s", method);
    snprintf(f->path, sizeof f->path, "%s", url);
    const char *accept = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Accept");
    snprintf(f->accept, sizeof f->accept, "%s", accept ? accept : "");
    const char *auth = MHD_lookup_connection_value(con, MHD_HEADER_KIND, "Authorization");
    snprintf(f->authorization, sizeof f->authorization, "%s", auth ? auth : "");
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(f->body), (void *)f->body, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result rc = MHD_queue_response(con, f->status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static void metrics_fake_start(struct metrics_fake *f, unsigned status, const char *body)
{
    memset(f, 0, sizeof *f);
    f->status = status;
    f->body = body;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    f->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, metrics_access, f,
                            MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
    assert_non_null(f->d);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    f->port = info->port;
}

/* `vpcctl stats` against endpoint (printf format with the fake's port). */
static void run_stats(const char *endpoint, bool json, bool all, struct run_out *r)
{
    struct ctl_stats_opts o = {.json = json, .all = all};
    FILE *out = open_memstream(&r->out, &r->out_len);
    FILE *err = open_memstream(&r->err, &r->err_len);
    r->rc = ctl_cmd_stats(endpoint, &o, out, err);
    fclose(out);
    fclose(err);
}

static void test_cmd_stats(void **state)
{
    (void)state;
    struct metrics_fake f;
    struct run_out r;
    char endpoint[128], want[512];

    metrics_fake_start(&f, 200, stats_metrics);
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u", f.port);
    run_stats(endpoint, false, false, &r);
    assert_int_equal(r.rc, CTL_EXIT_OK);
    assert_string_equal(r.out, stats_golden);
    assert_string_equal(r.err, "");
    assert_int_equal(f.n_requests, 1);
    assert_string_equal(f.method, "GET");
    assert_string_equal(f.path, "/_vpcd/metrics");
    assert_string_equal(f.accept, "text/plain; version=0.0.4");
    assert_string_equal(f.authorization, ""); /* nothing to sign, no credentials sent */
    run_out_free(&r);

    /* Behind a path prefix; --all; --json. */
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u/vpcd/?x=1", f.port);
    run_stats(endpoint, false, true, &r);
    assert_int_equal(r.rc, CTL_EXIT_OK);
    assert_string_equal(r.out, stats_golden_all);
    assert_string_equal(f.path, "/vpcd/_vpcd/metrics");
    run_out_free(&r);
    run_stats(endpoint, true, false, &r);
    assert_int_equal(r.rc, CTL_EXIT_OK);
    json_error_t jerr;
    json_t *doc = json_loads(r.out, 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_integer_value(json_object_get(doc, "apiRequests")), 1234);
    json_decref(doc);
    assert_int_equal(f.n_requests, 3);
    run_out_free(&r);
    MHD_stop_daemon(f.d);

    /* Malformed lines are skipped and named; the rest is reported. */
    metrics_fake_start(&f, 200,
                       "vpcd_api_requests_total 5\nvpcd_api_requests_total{ 6\n"
                       "# TYPE x nonsense\n");
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u", f.port);
    run_stats(endpoint, false, false, &r);
    assert_int_equal(r.rc, CTL_EXIT_OK);
    assert_string_equal(r.out, "api requests: 5\ndata plane: off (no counters)\n");
    snprintf(want, sizeof want,
             "vpcctl: ignored 2 malformed lines of http://127.0.0.1:%u/_vpcd/metrics (the first "
             "is line 2)\n",
             f.port);
    assert_string_equal(r.err, want);
    run_out_free(&r);
    MHD_stop_daemon(f.d);

    /* Not a vpcd: an error status, or a page without vpcd's counters. */
    metrics_fake_start(&f, 404, "not found\n");
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u", f.port);
    run_stats(endpoint, false, false, &r);
    assert_int_equal(r.rc, CTL_EXIT_ERROR);
    assert_string_equal(r.out, "");
    snprintf(want, sizeof want,
             "vpcctl: http://127.0.0.1:%u/_vpcd/metrics answered HTTP 404 (is the endpoint a "
             "vpcd?)\n",
             f.port);
    assert_string_equal(r.err, want);
    run_out_free(&r);
    MHD_stop_daemon(f.d);
    metrics_fake_start(&f, 200, "<html><body>Welcome</body></html>");
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u", f.port);
    run_stats(endpoint, true, false, &r);
    assert_int_equal(r.rc, CTL_EXIT_ERROR);
    assert_string_equal(r.out, "");
    snprintf(want, sizeof want,
             "vpcctl: http://127.0.0.1:%u/_vpcd/metrics: no vpcd counters (vpcd_*) in the reply "
             "(is the endpoint a vpcd?)\n",
             f.port);
    assert_string_equal(r.err, want);
    run_out_free(&r);
    unsigned port = f.port;
    MHD_stop_daemon(f.d);

    /* Nobody listening any more; an endpoint that is not http. */
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%u", port);
    run_stats(endpoint, false, false, &r);
    assert_int_equal(r.rc, CTL_EXIT_ERROR);
    assert_string_equal(r.out, "");
    snprintf(want, sizeof want,
             "vpcctl: Could not connect to the endpoint URL: \"http://127.0.0.1:%u/_vpcd/metrics\"",
             port);
    assert_non_null(strstr(r.err, want));
    run_out_free(&r);
    run_stats("ftp://127.0.0.1/", false, false, &r);
    assert_int_equal(r.rc, CTL_EXIT_ERROR);
    assert_string_equal(r.err, "vpcctl: Invalid endpoint: ftp://127.0.0.1/ (http or https only)\n");
    run_out_free(&r);
}

static int group_setup(void **state)
{
    (void)state;
    return ctl_http_global_init();
}

static int group_teardown(void **state)
{
    (void)state;
    ctl_http_global_cleanup();
    ctl_xml_global_cleanup();
    return 0;
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sign_get_vanilla),
    cmocka_unit_test(test_sign_suite_more),
    cmocka_unit_test(test_sign_rejects_bad_input),
    cmocka_unit_test(test_uri_encode),
    cmocka_unit_test(test_sign_verified_by_vpcd),
    cmocka_unit_test(test_config_defaults_and_env),
    cmocka_unit_test(test_config_files_and_profiles),
    cmocka_unit_test(test_split_url),
    cmocka_unit_test(test_xml_parse_analysis),
    cmocka_unit_test(test_xml_errors_and_garbage),
    cmocka_unit_test(test_trace_text_golden),
    cmocka_unit_test(test_trace_text_details),
    cmocka_unit_test(test_trace_text_hostile),
    cmocka_unit_test(test_trace_json),
    cmocka_unit_test(test_reach),
    cmocka_unit_test(test_cmd_trace_found_and_blocked),
    cmocka_unit_test(test_cmd_trace_destination_ip),
    cmocka_unit_test(test_cmd_trace_errors),
    cmocka_unit_test(test_cmd_reach),
    cmocka_unit_test(test_prom_parse),
    cmocka_unit_test(test_prom_bad_lines),
    cmocka_unit_test(test_stats_text_golden),
    cmocka_unit_test(test_stats_read),
    cmocka_unit_test(test_stats_json),
    cmocka_unit_test(test_stats_url),
    cmocka_unit_test(test_cmd_stats),
};

int main(void)
{
    size_t n_tests = sizeof tests / sizeof tests[0];
    int n_failed = cmocka_run_group_tests(tests, group_setup, group_teardown);
    printf("%zu passed, %d failed\n", n_tests - (size_t)n_failed, n_failed);
    return n_failed == 0 ? 0 : 1;
}
