#include "unit.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "flowlog/flowlog.h"
#include "lib/strbuf.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char default_text[] =
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
    "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}";

static const char all_text[] =
    "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
    "${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} "
    "${subnet-id} ${instance-id} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} "
    "${az-id} ${sublocation-type} ${sublocation-id} ${pkt-src-aws-service} "
    "${pkt-dst-aws-service} ${flow-direction} ${traffic-path}";

/* AWS's transit gateway field list, in its order: the TGW default. */
static const char tgw_default_text[] =
    "${version} ${resource-type} ${account-id} ${tgw-id} ${tgw-attachment-id} "
    "${tgw-src-vpc-account-id} ${tgw-dst-vpc-account-id} ${tgw-src-vpc-id} ${tgw-dst-vpc-id} "
    "${tgw-src-subnet-id} ${tgw-dst-subnet-id} ${tgw-src-eni} ${tgw-dst-eni} ${tgw-src-az-id} "
    "${tgw-dst-az-id} ${tgw-pair-attachment-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} "
    "${protocol} ${packets} ${bytes} ${start} ${end} ${log-status} ${type} "
    "${packets-lost-no-route} ${packets-lost-blackhole} ${packets-lost-mtu-exceeded} "
    "${packets-lost-ttl-expired} ${tcp-flags} ${region} ${flow-direction} "
    "${pkt-src-aws-service} ${pkt-dst-aws-service}";

static const char tgw_default_names[] =
    "version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id "
    "tgw-dst-vpc-account-id tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id "
    "tgw-src-eni tgw-dst-eni tgw-src-az-id tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr "
    "srcport dstport protocol packets bytes start end log-status type packets-lost-no-route "
    "packets-lost-blackhole packets-lost-mtu-exceeded packets-lost-ttl-expired tcp-flags region "
    "flow-direction pkt-src-aws-service pkt-dst-aws-service";

/* The fields only transit gateway flow logs have, and the VPC ones they lack. */
static const char *const tgw_only[] = {
    "resource-type",
    "tgw-id",
    "tgw-attachment-id",
    "tgw-src-vpc-account-id",
    "tgw-dst-vpc-account-id",
    "tgw-src-vpc-id",
    "tgw-dst-vpc-id",
    "tgw-src-subnet-id",
    "tgw-dst-subnet-id",
    "tgw-src-eni",
    "tgw-dst-eni",
    "tgw-src-az-id",
    "tgw-dst-az-id",
    "tgw-pair-attachment-id",
    "packets-lost-no-route",
    "packets-lost-blackhole",
    "packets-lost-mtu-exceeded",
    "packets-lost-ttl-expired",
};
static const char *const vpc_only[] = {
    "interface-id", "action", "vpc-id",           "subnet-id",      "instance-id",  "pkt-srcaddr",
    "pkt-dstaddr",  "az-id",  "sublocation-type", "sublocation-id", "traffic-path",
};

static struct flowlog_format parse_tgw_ok(const char *text)
{
    struct flowlog_format f;
    char err[256] = "";

    memset(&f, 0xa5, sizeof(f));
    assert_int_equal(flowlog_format_parse_for(text, FLOWLOG_SCOPE_TGW, &f, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    return f;
}

static struct flowlog_format parse_ok(const char *text)
{
    struct flowlog_format f;
    char err[256] = "";

    memset(&f, 0xa5, sizeof(f));
    assert_int_equal(flowlog_format_parse(text, &f, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    return f;
}

static char *format_text(const struct flowlog_format *f)
{
    struct strbuf sb;
    strbuf_init(&sb);
    flowlog_format_text(f, &sb);
    strbuf_append(&sb, "", 0);
    return strbuf_steal(&sb);
}

/* ---- flowlog_format_parse / flowlog_format_text ---- */

static void test_parse_default(void **state)
{
    static const char *const inputs[] = {NULL, ""};
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(inputs); i++) {
        struct flowlog_format f = parse_ok(inputs[i]);
        assert_int_equal(f.n_fields, 14);
        assert_int_equal(f.version, 2);
        for (size_t j = 0; j < 14; j++)
            assert_int_equal(f.fields[j], (int)j);
        assert_int_equal(f.fields[0], FLOWLOG_F_VERSION);
        assert_int_equal(f.fields[13], FLOWLOG_F_LOG_STATUS);
        char *text = format_text(&f);
        assert_string_equal(text, default_text);
        free(text);
    }
    /* The default written out parses to the same format. */
    struct flowlog_format a = parse_ok(NULL), b = parse_ok(default_text);
    assert_int_equal(b.n_fields, a.n_fields);
    assert_int_equal(b.version, 2);
    assert_memory_equal(a.fields, b.fields, a.n_fields * sizeof(a.fields[0]));
}

static void test_parse_custom_versions(void **state)
{
    static const struct {
        const char *text;
        int version;
        size_t n;
        enum flowlog_field first, last;
    } cases[] = {
        {"${srcaddr}", 2, 1, FLOWLOG_F_SRCADDR, FLOWLOG_F_SRCADDR},
        {"${tcp-flags} ${srcaddr} ${dstaddr}", 3, 3, FLOWLOG_F_TCP_FLAGS, FLOWLOG_F_DSTADDR},
        {"${az-id} ${pkt-srcaddr}", 4, 2, FLOWLOG_F_AZ_ID, FLOWLOG_F_PKT_SRCADDR},
        {"${version} ${vpc-id} ${srcaddr} ${region} ${flow-direction} ${traffic-path}", 5, 6,
         FLOWLOG_F_VERSION, FLOWLOG_F_TRAFFIC_PATH},
        {"${traffic-path} ${version}", 5, 2, FLOWLOG_F_TRAFFIC_PATH, FLOWLOG_F_VERSION},
        {"${log-status} ${sublocation-id} ${instance-id}", 4, 3, FLOWLOG_F_LOG_STATUS,
         FLOWLOG_F_INSTANCE_ID},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct flowlog_format f = parse_ok(cases[i].text);
        assert_int_equal(f.version, cases[i].version);
        assert_int_equal(f.n_fields, cases[i].n);
        assert_int_equal(f.fields[0], cases[i].first);
        assert_int_equal(f.fields[f.n_fields - 1], cases[i].last);
        char *text = format_text(&f);
        assert_string_equal(text, cases[i].text); /* round trip */
        free(text);
    }
    struct flowlog_format f =
        parse_ok("${version} ${vpc-id} ${srcaddr} ${region} ${flow-direction} ${traffic-path}");
    static const enum flowlog_field want[] = {FLOWLOG_F_VERSION,        FLOWLOG_F_VPC_ID,
                                              FLOWLOG_F_SRCADDR,        FLOWLOG_F_REGION,
                                              FLOWLOG_F_FLOW_DIRECTION, FLOWLOG_F_TRAFFIC_PATH};
    for (size_t i = 0; i < ARRAY_LEN(want); i++)
        assert_int_equal(f.fields[i], want[i]);

    f = parse_ok(all_text);
    assert_int_equal(f.n_fields, FLOWLOG_F_TRAFFIC_PATH + 1); /* every VPC field */
    assert_int_equal(f.version, 5);
    for (size_t i = 0; i < f.n_fields; i++)
        assert_int_equal(f.fields[i], (int)i);
    char *text = format_text(&f);
    assert_string_equal(text, all_text);
    free(text);
}

static void test_parse_errors(void **state)
{
    static const struct {
        const char *text;
        const char *message;
    } cases[] = {
        {"${version} ${foo}", "LogFormat has an unknown field: ${foo}"},
        {"${Version}", "LogFormat has an unknown field: ${Version}"},
        {"${src addr}", "LogFormat has an invalid format: \"${src\" is not a ${field-id}"},
        {"${version} ${}", "LogFormat has an invalid format: empty field \"${}\""},
        {"${version} srcaddr", "LogFormat has an invalid format: \"srcaddr\" is not a ${field-id}"},
        {"${version}x", "LogFormat has an invalid format: \"${version}x\" is not a ${field-id}"},
        {"x${version}", "LogFormat has an invalid format: \"x${version}\" is not a ${field-id}"},
        {"${version}${srcaddr}",
         "LogFormat has an invalid format: \"${version}${srcaddr}\" is not a ${field-id}"},
        {"${srcaddr", "LogFormat has an invalid format: \"${srcaddr\" is not a ${field-id}"},
        {"$srcaddr", "LogFormat has an invalid format: \"$srcaddr\" is not a ${field-id}"},
        {"${version}\t${srcaddr}",
         "LogFormat has an invalid format: \"${version}?${srcaddr}\" is not a ${field-id}"},
        {"${version},${srcaddr}",
         "LogFormat has an invalid format: \"${version},${srcaddr}\" is not a ${field-id}"},
        {"${srcaddr} ${dstaddr} ${srcaddr}", "LogFormat has a duplicate field: ${srcaddr}"},
        {" ${version}", "LogFormat has an invalid format: leading space before \"${version}\""},
        {"${version} ", "LogFormat has an invalid format: trailing space after \"${version}\""},
        {"${version}   ", "LogFormat has an invalid format: trailing space after \"${version}\""},
        {"${version}  ${srcaddr}",
         "LogFormat has an invalid format: more than one space before \"${srcaddr}\""},
        {"   ", "LogFormat has an invalid format: \"   \" has no fields"},
        {"${aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}",
         "LogFormat has an unknown field: ${aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa..."},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct flowlog_format f, before;
        char err[256] = "";
        memset(&f, 0x5a, sizeof(f));
        before = f;
        assert_int_equal(flowlog_format_parse(cases[i].text, &f, err, sizeof(err)), -1);
        assert_string_equal(err, cases[i].message);
        assert_memory_equal(&f, &before, sizeof(f)); /* out untouched on failure */
        /* No message buffer is allowed too. */
        assert_int_equal(flowlog_format_parse(cases[i].text, &f, NULL, 0), -1);
    }
    /* A small buffer truncates the message, NUL-terminated. */
    struct flowlog_format f;
    char small[12];
    assert_int_equal(flowlog_format_parse("${nope}", &f, small, sizeof(small)), -1);
    assert_string_equal(small, "LogFormat h");
}

static void test_parse_too_many_fields(void **state)
{
    struct strbuf sb;
    struct flowlog_format f;
    char err[256];
    (void)state;

    strbuf_init(&sb);
    for (int i = 0; i < FLOWLOG_MAX_FIELDS + 1; i++)
        strbuf_printf(&sb, "%s${version}", i ? " " : "");
    assert_int_equal(flowlog_format_parse(sb.data, &f, err, sizeof(err)), -1);
    assert_string_equal(err, "LogFormat has 65 fields; at most 64 are allowed");
    /* 64 of them get past the count, to the duplicate. */
    strbuf_reset(&sb);
    for (int i = 0; i < FLOWLOG_MAX_FIELDS; i++)
        strbuf_printf(&sb, "%s${version}", i ? " " : "");
    assert_int_equal(flowlog_format_parse(sb.data, &f, err, sizeof(err)), -1);
    assert_string_equal(err, "LogFormat has a duplicate field: ${version}");
    strbuf_destroy(&sb);
}

static void test_parse_tgw_default(void **state)
{
    static const char *const inputs[] = {NULL, ""};
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(inputs); i++) {
        struct flowlog_format f = parse_tgw_ok(inputs[i]);
        assert_int_equal(f.n_fields, 36);
        assert_int_equal(f.version, 6);
        assert_int_equal(f.fields[0], FLOWLOG_F_VERSION);
        assert_int_equal(f.fields[1], FLOWLOG_F_RESOURCE_TYPE);
        assert_int_equal(f.fields[15], FLOWLOG_F_TGW_PAIR_ATTACHMENT_ID);
        assert_int_equal(f.fields[16], FLOWLOG_F_SRCADDR);
        assert_int_equal(f.fields[27], FLOWLOG_F_PACKETS_LOST_NO_ROUTE);
        assert_int_equal(f.fields[35], FLOWLOG_F_PKT_DST_AWS_SERVICE);
        char *text = format_text(&f);
        assert_string_equal(text, tgw_default_text);
        free(text);
    }
    /* Written out, it parses back to the same format, in TGW scope only. */
    struct flowlog_format a = parse_tgw_ok(NULL), b = parse_tgw_ok(tgw_default_text);
    assert_int_equal(b.n_fields, a.n_fields);
    assert_int_equal(b.version, 6);
    assert_memory_equal(a.fields, b.fields, a.n_fields * sizeof(a.fields[0]));
    char err[256];
    assert_int_equal(flowlog_format_parse(tgw_default_text, &b, err, sizeof(err)), -1);
    assert_string_equal(err, "LogFormat has the field ${resource-type}, which only transit "
                             "gateway flow logs (ResourceType TransitGateway or "
                             "TransitGatewayAttachment) have");
    /* The VPC default is unchanged by the scope call, and differs from the TGW one. */
    struct flowlog_format v = parse_ok(NULL), w;
    assert_int_equal(flowlog_format_parse_for(NULL, FLOWLOG_SCOPE_VPC, &w, err, sizeof(err)), 0);
    assert_int_equal(w.n_fields, 14);
    assert_int_equal(w.version, 2);
    assert_memory_equal(v.fields, w.fields, v.n_fields * sizeof(v.fields[0]));
}

static void test_parse_scopes(void **state)
{
    char err[512], want[512], text[128];
    struct flowlog_format f, before;
    (void)state;

    memset(&f, 0x5a, sizeof(f));
    before = f;
    for (size_t i = 0; i < ARRAY_LEN(tgw_only); i++) {
        /* Alone, and after a field both scopes have. */
        snprintf(text, sizeof(text), "${srcaddr} ${%s}", tgw_only[i]);
        snprintf(want, sizeof(want),
                 "LogFormat has the field ${%s}, which only transit gateway flow logs "
                 "(ResourceType TransitGateway or TransitGatewayAttachment) have",
                 tgw_only[i]);
        assert_int_equal(flowlog_format_parse_for(text, FLOWLOG_SCOPE_VPC, &f, err, sizeof(err)),
                         -1);
        assert_string_equal(err, want);
        assert_int_equal(flowlog_format_parse(text + 11, &f, err, sizeof(err)), -1);
        assert_string_equal(err, want);
        assert_memory_equal(&f, &before, sizeof(f));
        /* The same text is a TGW format, version 6. */
        struct flowlog_format t = parse_tgw_ok(text);
        assert_int_equal(t.n_fields, 2);
        assert_int_equal(t.version, 6);
        assert_int_equal(t.fields[0], FLOWLOG_F_SRCADDR);
        assert_int_equal(t.fields[1], FLOWLOG_F_RESOURCE_TYPE + (int)i);
    }
    for (size_t i = 0; i < ARRAY_LEN(vpc_only); i++) {
        snprintf(text, sizeof(text), "${version} ${%s}", vpc_only[i]);
        snprintf(want, sizeof(want),
                 "LogFormat has the field ${%s}, which transit gateway flow logs do not have",
                 vpc_only[i]);
        assert_int_equal(flowlog_format_parse_for(text, FLOWLOG_SCOPE_TGW, &f, err, sizeof(err)),
                         -1);
        assert_string_equal(err, want);
        assert_memory_equal(&f, &before, sizeof(f));
        struct flowlog_format v = parse_ok(text);
        assert_int_equal(v.n_fields, 2);
    }
    /* 18 + 11 fields split the two scopes; the other 18 are shared: 36 TGW, 29 VPC. */
    assert_int_equal(ARRAY_LEN(tgw_only), 18);
    assert_int_equal(ARRAY_LEN(vpc_only), 11);
    assert_int_equal(FLOWLOG_F__COUNT, 47);

    /* Fields both scopes have: same parse, same version (the field's own, not 6). */
    static const struct {
        const char *text;
        int version;
    } shared[] = {
        {"${srcaddr} ${dstaddr} ${bytes}", 2},
        {"${tcp-flags} ${srcaddr}", 3},
        {"${region} ${version}", 4},
        {"${flow-direction} ${pkt-dst-aws-service} ${log-status}", 5},
    };
    for (size_t i = 0; i < ARRAY_LEN(shared); i++) {
        struct flowlog_format v = parse_ok(shared[i].text), t = parse_tgw_ok(shared[i].text);
        assert_int_equal(v.version, shared[i].version);
        assert_int_equal(t.version, shared[i].version);
        assert_int_equal(t.n_fields, v.n_fields);
        assert_memory_equal(t.fields, v.fields, v.n_fields * sizeof(v.fields[0]));
    }

    /* A reordered TGW subset round-trips as text. */
    static const char sub[] = "${tgw-dst-eni} ${packets-lost-ttl-expired} ${srcport} ${tgw-id}";
    struct flowlog_format t = parse_tgw_ok(sub);
    static const enum flowlog_field want_fields[] = {FLOWLOG_F_TGW_DST_ENI,
                                                     FLOWLOG_F_PACKETS_LOST_TTL_EXPIRED,
                                                     FLOWLOG_F_SRCPORT, FLOWLOG_F_TGW_ID};
    assert_int_equal(t.n_fields, ARRAY_LEN(want_fields));
    for (size_t i = 0; i < ARRAY_LEN(want_fields); i++)
        assert_int_equal(t.fields[i], want_fields[i]);
    char *round = format_text(&t);
    assert_string_equal(round, sub);
    free(round);

    /* Fields are checked left to right, each for syntax, then known, then scope, then repeat:
     * the first bad field names the error. */
    assert_int_equal(
        flowlog_format_parse_for("${tgw-id} ${nope}", FLOWLOG_SCOPE_VPC, &f, err, sizeof(err)), -1);
    assert_string_equal(err, "LogFormat has the field ${tgw-id}, which only transit gateway flow "
                             "logs (ResourceType TransitGateway or TransitGatewayAttachment) have");
    assert_int_equal(
        flowlog_format_parse_for("${nope} ${action}", FLOWLOG_SCOPE_TGW, &f, err, sizeof(err)), -1);
    assert_string_equal(err, "LogFormat has an unknown field: ${nope}");
    assert_int_equal(flowlog_format_parse_for("${tgw-id} ${tgw-id} ${action}", FLOWLOG_SCOPE_TGW,
                                              &f, err, sizeof(err)),
                     -1);
    assert_string_equal(err, "LogFormat has a duplicate field: ${tgw-id}");
    assert_int_equal(
        flowlog_format_parse_for("${tgw-id}  ${srcaddr}", FLOWLOG_SCOPE_TGW, &f, err, sizeof(err)),
        -1);
    assert_string_equal(
        err, "LogFormat has an invalid format: more than one space before \"${srcaddr}\"");
    assert_int_equal(flowlog_format_parse_for("${interface-id}", FLOWLOG_SCOPE_TGW, &f, NULL, 0),
                     -1);
    assert_memory_equal(&f, &before, sizeof(f));

    /* An out-of-range scope is VPC scope. */
    assert_int_equal(
        flowlog_format_parse_for("${tgw-id}", (enum flowlog_scope)7, &f, err, sizeof(err)), -1);
    assert_int_equal(flowlog_format_parse_for(NULL, (enum flowlog_scope)7, &f, err, sizeof(err)),
                     0);
    assert_int_equal(f.n_fields, 14);
}

/* ---- flowlog_format_record ---- */

static void set_addr(struct flowlog_record *r, const char *src, const char *dst)
{
    int af = r->family == 6 ? AF_INET6 : AF_INET;
    assert_int_equal(inet_pton(af, src, r->srcaddr), 1);
    assert_int_equal(inet_pton(af, dst, r->dstaddr), 1);
    memcpy(r->pkt_srcaddr, r->srcaddr, 16);
    memcpy(r->pkt_dstaddr, r->dstaddr, 16);
}

static struct flowlog_record rec4(const char *src, const char *dst, uint8_t proto, uint16_t sport,
                                  uint16_t dport, uint64_t packets, uint64_t bytes, int64_t start,
                                  int64_t end, bool accept)
{
    struct flowlog_record r;
    memset(&r, 0, sizeof(r));
    strcpy(r.account, "123456789010");
    strcpy(r.region, "us-east-1");
    strcpy(r.interface_id, "eni-1235b8ca123456789");
    strcpy(r.vpc_id, "vpc-0a1b2c3d4e5f67890");
    strcpy(r.subnet_id, "subnet-0a1b2c3d4e5f67890");
    r.family = 4;
    set_addr(&r, src, dst);
    r.proto = proto;
    r.sport = sport;
    r.dport = dport;
    r.packets = packets;
    r.bytes = bytes;
    r.start = start;
    r.end = end;
    r.accept = accept;
    r.status = FLOWLOG_OK;
    return r;
}

static void assert_line(const struct flowlog_format *f, const struct flowlog_record *r,
                        const char *want)
{
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_puts(&sb, "");
    flowlog_format_record(f, r, &sb);
    assert_string_equal(sb.data, want);
    assert_int_equal(sb.len, strlen(want));
    strbuf_destroy(&sb);
}

static void test_record_aws_examples(void **state)
{
    struct flowlog_format f = parse_ok(NULL);
    struct flowlog_record r;
    (void)state;

    r = rec4("172.31.16.139", "172.31.16.21", 6, 20641, 22, 20, 4249, 1418530010, 1418530070, true);
    assert_line(&f, &r,
                "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 "
                "4249 1418530010 1418530070 ACCEPT OK");

    r = rec4("172.31.9.69", "172.31.9.12", 6, 49761, 3389, 20, 4249, 1418530010, 1418530070, false);
    assert_line(&f, &r,
                "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 "
                "4249 1418530010 1418530070 REJECT OK");

    /* ICMP: AWS writes the ports as 0. */
    r = rec4("203.0.113.12", "172.31.16.139", 1, 0, 0, 4, 336, 1432917027, 1432917142, true);
    assert_line(&f, &r,
                "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 "
                "1432917027 1432917142 ACCEPT OK");
    r.accept = false;
    assert_line(&f, &r,
                "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 "
                "1432917027 1432917142 REJECT OK");

    /* Large counters and addresses at the ends of the range. */
    r = rec4("0.0.0.0", "255.255.255.255", 17, 65535, 1, UINT64_MAX, UINT64_MAX - 1, 0,
             4102444800LL, true);
    assert_line(&f, &r,
                "2 123456789010 eni-1235b8ca123456789 0.0.0.0 255.255.255.255 65535 1 17 "
                "18446744073709551615 18446744073709551614 0 4102444800 ACCEPT OK");
}

static void test_record_ipv6(void **state)
{
    struct flowlog_format f = parse_ok(NULL);
    struct flowlog_record r =
        rec4("0.0.0.0", "0.0.0.0", 6, 34892, 22, 54, 8855, 1477913708, 1477913820, true);
    (void)state;

    r.family = 6;
    set_addr(&r, "2001:db8:1234:a100:8d6e:3477:df66:f105",
             "2001:db8:1234:a102:3304:8879:34cf:4071");
    assert_line(&f, &r,
                "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 "
                "2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 "
                "ACCEPT OK");

    /* RFC 5952: lower case, the longest zero run compressed (the first on a tie), a lone zero
     * group not compressed, leading zeros dropped. */
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"2001:0DB8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"},
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
        {"2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::"},
        {"fe80:0:0:0:0:0:0:1", "fe80::1"},
        {"::", "::"},
    };
    struct flowlog_format g = parse_ok("${type} ${srcaddr} ${pkt-dstaddr}");
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char want[128];
        set_addr(&r, cases[i].in, cases[i].in);
        snprintf(want, sizeof(want), "IPv6 %s %s", cases[i].out, cases[i].out);
        assert_line(&g, &r, want);
    }
}

static void test_record_nodata_skipdata(void **state)
{
    struct flowlog_format f = parse_ok(NULL);
    struct flowlog_record r =
        rec4("10.0.0.1", "10.0.0.2", 6, 1, 2, 3, 4, 1431280876, 1431280934, true);
    (void)state;

    r.status = FLOWLOG_NODATA;
    assert_line(&f, &r,
                "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - "
                "NODATA");
    r.status = FLOWLOG_SKIPDATA;
    strcpy(r.interface_id, "eni-11111111aaaaaaaaa");
    assert_line(&f, &r,
                "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - "
                "SKIPDATA");
}

static void test_record_custom(void **state)
{
    struct flowlog_format all = parse_ok(all_text);
    struct flowlog_record r =
        rec4("10.0.1.5", "198.51.100.7", 6, 40000, 443, 12, 3456, 1700000000, 1700000060, true);
    (void)state;

    strcpy(r.instance_id, "i-0123456789abcdef0");
    strcpy(r.az_id, "use1-az1");
    assert_int_equal(inet_pton(AF_INET, "203.0.113.9", r.pkt_srcaddr), 1);
    r.tcp_flags = 19; /* SYN-ACK + FIN */
    r.egress = true;
    r.traffic_path = 8;
    assert_line(&all, &r,
                "5 123456789010 eni-1235b8ca123456789 10.0.1.5 198.51.100.7 40000 443 6 12 3456 "
                "1700000000 1700000060 ACCEPT OK vpc-0a1b2c3d4e5f67890 subnet-0a1b2c3d4e5f67890 "
                "i-0123456789abcdef0 19 IPv4 203.0.113.9 198.51.100.7 us-east-1 use1-az1 - - - - "
                "egress 8");

    /* Ingress never has a traffic path; empty instance and AZ print "-". */
    r.egress = false;
    r.instance_id[0] = '\0';
    r.az_id[0] = '\0';
    r.accept = false;
    r.tcp_flags = 2;
    assert_line(&all, &r,
                "5 123456789010 eni-1235b8ca123456789 10.0.1.5 198.51.100.7 40000 443 6 12 3456 "
                "1700000000 1700000060 REJECT OK vpc-0a1b2c3d4e5f67890 subnet-0a1b2c3d4e5f67890 - "
                "2 IPv4 203.0.113.9 198.51.100.7 us-east-1 - - - - - ingress -");

    /* Egress with no known path. */
    r.egress = true;
    r.traffic_path = 0;
    struct flowlog_format tail = parse_ok("${flow-direction} ${traffic-path} ${version}");
    assert_line(&tail, &r, "egress - 5");
    r.traffic_path = 9;
    assert_line(&tail, &r, "egress - 5");
    r.traffic_path = 1;
    assert_line(&tail, &r, "egress 1 5");

    /* Only the bits tcp-flags reports. */
    struct flowlog_format flags = parse_ok("${tcp-flags}");
    r.tcp_flags = 0xff;
    assert_line(&flags, &r, "23");

    /* A NODATA record in a custom format: flow fields "-", interface fields kept. */
    r.status = FLOWLOG_NODATA;
    strcpy(r.instance_id, "i-0123456789abcdef0");
    assert_line(&all, &r,
                "5 123456789010 eni-1235b8ca123456789 - - - - - - - 1700000000 1700000060 - "
                "NODATA vpc-0a1b2c3d4e5f67890 subnet-0a1b2c3d4e5f67890 i-0123456789abcdef0 - - - "
                "- us-east-1 - - - - - - -");

    /* A reordered subset, version 3; no field can split the line. */
    struct flowlog_format sub = parse_ok("${dstport} ${instance-id} ${version} ${srcaddr}");
    r.status = FLOWLOG_OK;
    strcpy(r.instance_id, "i-1 2\n");
    assert_line(&sub, &r, "443 i-1?2? 3 10.0.1.5");
}

static struct flowlog_record tgw_record(void)
{
    struct flowlog_record r =
        rec4("10.0.1.5", "10.1.2.7", 6, 40000, 443, 12, 3456, 1700000000, 1700000060, true);
    /* A TGW record has no interface, VPC or subnet of its own: those are tgw-src/dst-*. */
    r.interface_id[0] = '\0';
    r.vpc_id[0] = '\0';
    r.subnet_id[0] = '\0';
    strcpy(r.resource_type, "TransitGatewayAttachment");
    strcpy(r.tgw_id, "tgw-0123456789abcdef0");
    strcpy(r.tgw_attachment_id, "tgw-attach-0a1b2c3d4e5f67890");
    strcpy(r.tgw_src_vpc_account_id, "123456789010");
    strcpy(r.tgw_dst_vpc_account_id, "210987654321");
    strcpy(r.tgw_src_vpc_id, "vpc-0a1b2c3d4e5f67890");
    strcpy(r.tgw_dst_vpc_id, "vpc-0f9e8d7c6b5a43210");
    strcpy(r.tgw_src_subnet_id, "subnet-0a1b2c3d4e5f67890");
    strcpy(r.tgw_dst_subnet_id, "subnet-0f9e8d7c6b5a43210");
    strcpy(r.tgw_src_eni, "eni-0a1b2c3d4e5f67890");
    strcpy(r.tgw_dst_eni, "eni-0f9e8d7c6b5a43210");
    strcpy(r.tgw_src_az_id, "use1-az1");
    strcpy(r.tgw_dst_az_id, "use1-az2");
    strcpy(r.tgw_pair_attachment_id, "tgw-attach-0f9e8d7c6b5a43210");
    r.packets_lost_no_route = 1;
    r.packets_lost_blackhole = 2;
    r.packets_lost_mtu_exceeded = 3;
    r.packets_lost_ttl_expired = UINT64_MAX;
    r.tcp_flags = 19;
    r.egress = false;
    return r;
}

static void test_record_tgw_default(void **state)
{
    struct flowlog_format f = parse_tgw_ok(NULL);
    struct flowlog_record r = tgw_record();
    (void)state;

    assert_line(&f, &r,
                "6 TransitGatewayAttachment 123456789010 tgw-0123456789abcdef0 "
                "tgw-attach-0a1b2c3d4e5f67890 123456789010 210987654321 vpc-0a1b2c3d4e5f67890 "
                "vpc-0f9e8d7c6b5a43210 subnet-0a1b2c3d4e5f67890 subnet-0f9e8d7c6b5a43210 "
                "eni-0a1b2c3d4e5f67890 eni-0f9e8d7c6b5a43210 use1-az1 use1-az2 "
                "tgw-attach-0f9e8d7c6b5a43210 10.0.1.5 10.1.2.7 40000 443 6 12 3456 1700000000 "
                "1700000060 OK IPv4 1 2 3 18446744073709551615 19 us-east-1 ingress - -");

    /* Empty TGW strings print "-" (a flow from a VPN attachment has no source VPC, subnet,
     * ENI or AZ); egress IPv6; zero losses print 0. */
    r.tgw_src_vpc_account_id[0] = '\0';
    r.tgw_src_vpc_id[0] = '\0';
    r.tgw_src_subnet_id[0] = '\0';
    r.tgw_src_eni[0] = '\0';
    r.tgw_src_az_id[0] = '\0';
    r.tgw_pair_attachment_id[0] = '\0';
    strcpy(r.resource_type, "TransitGateway");
    r.packets_lost_no_route = r.packets_lost_blackhole = 0;
    r.packets_lost_mtu_exceeded = r.packets_lost_ttl_expired = 0;
    r.family = 6;
    set_addr(&r, "2001:db8::5", "2001:db8:1::7");
    r.egress = true;
    r.tcp_flags = flowlog_tcp_flags(0x10); /* ACK only: 0, as AWS's TGW logs report it */
    r.proto = 17;
    assert_line(&f, &r,
                "6 TransitGateway 123456789010 tgw-0123456789abcdef0 tgw-attach-0a1b2c3d4e5f67890 "
                "- 210987654321 - vpc-0f9e8d7c6b5a43210 - subnet-0f9e8d7c6b5a43210 - "
                "eni-0f9e8d7c6b5a43210 - use1-az2 - 2001:db8::5 2001:db8:1::7 40000 443 17 12 "
                "3456 1700000000 1700000060 OK IPv6 0 0 0 0 0 us-east-1 egress - -");

    /* Without a flow: what is counted from packets is "-", what names the resource stays. */
    r.status = FLOWLOG_NODATA;
    assert_line(&f, &r,
                "6 TransitGateway 123456789010 tgw-0123456789abcdef0 tgw-attach-0a1b2c3d4e5f67890 "
                "- 210987654321 - vpc-0f9e8d7c6b5a43210 - subnet-0f9e8d7c6b5a43210 - "
                "eni-0f9e8d7c6b5a43210 - use1-az2 - - - - - - - - 1700000000 1700000060 NODATA - "
                "- - - - - us-east-1 - - -");

    /* A custom TGW subset; its version is the highest of its fields. */
    r.status = FLOWLOG_OK;
    r.packets_lost_blackhole = 7;
    struct flowlog_format sub = parse_tgw_ok("${packets-lost-blackhole} ${version} ${tgw-id}");
    assert_line(&sub, &r, "7 6 tgw-0123456789abcdef0");
    struct flowlog_format old = parse_tgw_ok("${srcaddr} ${version}");
    assert_line(&old, &r, "2001:db8::5 2");
    /* Bytes that would split a line or a field become '?' in TGW strings too. */
    strcpy(r.tgw_dst_az_id, "a z\n");
    struct flowlog_format az = parse_tgw_ok("${tgw-dst-az-id}");
    assert_line(&az, &r, "a?z?");
}

static void test_tcp_flags_helper(void **state)
{
    static const struct {
        uint8_t th, logged;
    } cases[] = {
        {0x02, 2},  /* SYN */
        {0x12, 18}, /* SYN-ACK */
        {0x10, 0},  /* ACK */
        {0x18, 0},  /* PSH-ACK */
        {0x08, 0},  /* PSH */
        {0x11, 1},  /* FIN-ACK */
        {0x14, 4},  /* RST-ACK */
        {0x01, 1},  /* FIN */
        {0x03, 3},  /* SYN+FIN */
        {0xff, 23}, /* everything */
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        assert_int_equal(flowlog_tcp_flags(cases[i].th), cases[i].logged);
    /* An interval's OR: SYN-ACK then FIN-ACK gives 19 as in AWS's examples. */
    assert_int_equal(flowlog_tcp_flags(0x12) | flowlog_tcp_flags(0x11) | flowlog_tcp_flags(0x10),
                     19);
}

/* ---- flowlog_deliver ---- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/test_flowlog.XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static void rm_tmpdir(char *dir)
{
    assert_int_equal(nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
    free(dir);
}

/* The names in dir, sorted, joined by '\n'. */
static char *list_dir(const char *dir)
{
    struct dirent **names;
    struct strbuf sb;
    int n = scandir(dir, &names, NULL, alphasort);

    assert_true(n >= 0);
    strbuf_init(&sb);
    strbuf_puts(&sb, "");
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0)
            strbuf_printf(&sb, "%s%s", sb.len ? "\n" : "", names[i]->d_name);
        free(names[i]);
    }
    free(names);
    return strbuf_steal(&sb);
}

static char *gunzip_file(const char *path)
{
    gzFile gz = gzopen(path, "rb");
    struct strbuf sb;
    char buf[4096];
    int n;

    assert_non_null(gz);
    /* The file must be gzip, not passed through as plain text. */
    assert_int_equal(gzdirect(gz), 0);
    strbuf_init(&sb);
    strbuf_puts(&sb, "");
    while ((n = gzread(gz, buf, sizeof(buf))) > 0)
        strbuf_append(&sb, buf, (size_t)n);
    assert_int_equal(n, 0);
    assert_int_equal(gzclose(gz), Z_OK);
    return strbuf_steal(&sb);
}

static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    struct strbuf sb;
    char buf[4096];
    size_t n;

    assert_non_null(fp);
    strbuf_init(&sb);
    strbuf_puts(&sb, "");
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
        strbuf_append(&sb, buf, n);
    fclose(fp);
    return strbuf_steal(&sb);
}

static int mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (int)(st.st_mode & 07777);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static struct flowlog_dest s3_dest(const char *prefix)
{
    struct flowlog_dest d;
    memset(&d, 0, sizeof(d));
    d.type = FLOWLOG_DEST_S3;
    strcpy(d.flow_log_id, "fl-1234567890abcdef0");
    strcpy(d.account, "123456789012");
    strcpy(d.region, "us-east-1");
    strcpy(d.bucket, "my-flow-log-bucket");
    strcpy(d.prefix, prefix);
    return d;
}

static void sample_records(struct flowlog_record recs[3])
{
    recs[0] =
        rec4("172.31.16.139", "172.31.16.21", 6, 20641, 22, 20, 4249, 1418530010, 1418530070, true);
    recs[1] =
        rec4("172.31.9.69", "172.31.9.12", 6, 49761, 3389, 20, 4249, 1418530010, 1418530070, false);
    strcpy(recs[1].interface_id, "eni-0000000000000000b");
    recs[2] = rec4("203.0.113.12", "172.31.16.139", 1, 0, 0, 4, 336, 1432917027, 1432917142, true);
}

static const char sample_lines[] =
    "2 123456789012 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 "
    "1418530010 1418530070 ACCEPT OK\n"
    "2 123456789012 eni-0000000000000000b 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 "
    "1418530010 1418530070 REJECT OK\n"
    "2 123456789012 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 "
    "1432917142 ACCEPT OK\n";

static void s3_names(const char *dir, char names[2][256], size_t n_expected, const char *stamp)
{
    char pattern[256];
    regex_t re;
    char *list = list_dir(dir);
    char *save = NULL;
    size_t n = 0;

    snprintf(pattern, sizeof(pattern),
             "^123456789012_vpcflowlogs_us-east-1_fl-1234567890abcdef0_%s_[0-9a-f]{8}\\.log\\.gz$",
             stamp);
    assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
    for (char *tok = strtok_r(list, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
        assert_true(n < n_expected);
        if (regexec(&re, tok, 0, NULL, 0) != 0)
            fail_msg("unexpected file name %s", tok);
        snprintf(names[n++], 256, "%s", tok);
    }
    assert_int_equal(n, n_expected); /* no temporary file left behind either */
    regfree(&re);
    free(list);
}

static void test_deliver_s3(void **state)
{
    char *root = make_tmpdir();
    struct flowlog_dest d = s3_dest("logs/vpc");
    struct flowlog_format f = parse_ok(NULL);
    struct flowlog_record recs[3];
    char path[2048], dir[1024], names[2][256];
    (void)state;

    umask(022);
    /* Local time far from UTC: the path must still use UTC. */
    setenv("TZ", "Pacific/Kiritimati", 1);
    sample_records(recs);
    for (size_t i = 0; i < 3; i++)
        strcpy(recs[i].account, "123456789012");

    /* 2018-06-20T16:20:00Z, AWS's own example of the layout. */
    assert_int_equal(flowlog_deliver(root, &d, &f, recs, 3, 1529511600), 0);
    /* Every component, walked one level at a time. */
    static const char *const components[] = {
        "s3",          "my-flow-log-bucket", "logs", "vpc", "AWSLogs", "123456789012",
        "vpcflowlogs", "us-east-1",          "2018", "06",  "20",
    };
    snprintf(dir, sizeof(dir), "%s", root);
    for (size_t i = 0; i < ARRAY_LEN(components); i++) {
        char *list = list_dir(dir);
        assert_string_equal(list, components[i]);
        free(list);
        strncat(dir, "/", sizeof(dir) - strlen(dir) - 1);
        strncat(dir, components[i], sizeof(dir) - strlen(dir) - 1);
        assert_int_equal(mode_of(dir), 0755);
    }
    s3_names(dir, names, 1, "20180620T1620Z");
    snprintf(path, sizeof(path), "%s/%s", dir, names[0]);
    assert_int_equal(mode_of(path), 0644);
    char *content = gunzip_file(path);
    char want[2048];
    snprintf(want, sizeof(want), "%s\n%s",
             "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
             "bytes start end action log-status",
             sample_lines);
    assert_string_equal(content, want);
    free(content);

    /* The same batch again in the same minute: a second file, the first unchanged. */
    char first[256];
    snprintf(first, sizeof(first), "%s", names[0]);
    assert_int_equal(flowlog_deliver(root, &d, &f, recs, 3, 1529511600), 0);
    s3_names(dir, names, 2, "20180620T1620Z");
    assert_string_not_equal(names[0], names[1]);
    assert_true(strcmp(names[0], first) == 0 || strcmp(names[1], first) == 0);
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        content = gunzip_file(path);
        assert_string_equal(content, want);
        free(content);
    }

    /* A different window: another day directory, the minute truncated, not rounded. */
    assert_int_equal(flowlog_deliver(root, &d, &f, recs, 1, 1546300799), 0);
    snprintf(dir, sizeof(dir),
             "%s/s3/my-flow-log-bucket/logs/vpc/AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/"
             "12/31",
             root);
    s3_names(dir, names, 1, "20181231T2359Z");
    unsetenv("TZ");
    rm_tmpdir(root);
}

static void test_deliver_s3_custom_no_prefix(void **state)
{
    char *root = make_tmpdir();
    struct flowlog_dest d = s3_dest("");
    struct flowlog_format f = parse_ok("${srcaddr} ${version} ${flow-direction} ${tcp-flags}");
    struct flowlog_record recs[3];
    char dir[1024], path[1400], names[2][256];
    (void)state;

    sample_records(recs);
    recs[0].tcp_flags = 3;
    assert_int_equal(flowlog_deliver(root, &d, &f, recs, 2, 1529511600), 0);
    snprintf(dir, sizeof(dir),
             "%s/s3/my-flow-log-bucket/AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20",
             root);
    s3_names(dir, names, 1, "20180620T1620Z");
    snprintf(path, sizeof(path), "%s/%s", dir, names[0]);
    char *content = gunzip_file(path);
    assert_string_equal(content, "srcaddr version flow-direction tcp-flags\n"
                                 "172.31.16.139 5 ingress 3\n"
                                 "172.31.9.69 5 ingress 0\n");
    free(content);
    rm_tmpdir(root);
}

static void test_deliver_s3_refused(void **state)
{
    char *root = make_tmpdir();
    struct flowlog_format f = parse_ok(NULL);
    struct flowlog_record recs[3];
    char path[1024];
    (void)state;

    sample_records(recs);
    static const char *const bad_prefixes[] = {"..", "a/../b", "a//b", "/a", "a/", "./a", "a/."};
    for (size_t i = 0; i < ARRAY_LEN(bad_prefixes); i++) {
        struct flowlog_dest d = s3_dest(bad_prefixes[i]);
        assert_int_equal(flowlog_deliver(root, &d, &f, recs, 1, 1529511600), -EINVAL);
    }
    static const char *const bad_names[] = {"..", ".", "a/b", ""};
    for (size_t i = 0; i < ARRAY_LEN(bad_names); i++) {
        struct flowlog_dest d = s3_dest("p");
        strcpy(d.bucket, bad_names[i]);
        assert_int_equal(flowlog_deliver(root, &d, &f, recs, 1, 1529511600), -EINVAL);
        d = s3_dest("p");
        strcpy(d.flow_log_id, bad_names[i]);
        assert_int_equal(flowlog_deliver(root, &d, &f, recs, 1, 1529511600), -EINVAL);
        d = s3_dest("p");
        strcpy(d.region, bad_names[i]);
        assert_int_equal(flowlog_deliver(root, &d, &f, recs, 1, 1529511600), -EINVAL);
    }
    /* Nothing was created by any refused call, and n == 0 writes nothing. */
    struct flowlog_dest d = s3_dest("p");
    assert_int_equal(flowlog_deliver(root, &d, &f, recs, 0, 1529511600), 0);
    assert_int_equal(flowlog_deliver(root, &d, &f, NULL, 0, 1529511600), 0);
    char *list = list_dir(root);
    assert_string_equal(list, "");
    free(list);

    /* A root that is a file: a negative errno, not a crash. */
    snprintf(path, sizeof(path), "%s/file", root);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(flowlog_deliver(path, &d, &f, recs, 1, 1529511600), -ENOTDIR);
    d.type = FLOWLOG_DEST_CWL;
    strcpy(d.group, "g");
    assert_int_equal(flowlog_deliver(path, &d, &f, recs, 1, 1529511600), -ENOTDIR);
    d.type = (enum flowlog_dest_type)7;
    assert_int_equal(flowlog_deliver(root, &d, &f, recs, 1, 1529511600), -EINVAL);
    assert_int_equal(flowlog_deliver(NULL, &d, &f, recs, 1, 1529511600), -EINVAL);
    rm_tmpdir(root);
}

static void test_deliver_cwl(void **state)
{
    char *root = make_tmpdir();
    struct flowlog_dest d;
    struct flowlog_format f = parse_ok(NULL);
    struct flowlog_record recs[3];
    char path[1024];
    (void)state;

    umask(022);
    memset(&d, 0, sizeof(d));
    d.type = FLOWLOG_DEST_CWL;
    strcpy(d.flow_log_id, "fl-1234567890abcdef0");
    strcpy(d.account, "123456789012");
    strcpy(d.region, "us-east-1");
    strcpy(d.group, "/vpc/flow");
    sample_records(recs);
    for (size_t i = 0; i < 3; i++)
        strcpy(recs[i].account, "123456789012");

    assert_int_equal(flowlog_deliver(root, &d, &f, recs, 3, 1529511600), 0);
    recs[0].packets = 1;
    recs[2].bytes = 99;
    assert_int_equal(flowlog_deliver(root, &d, &f, recs, 3, 1529511660), 0);

    snprintf(path, sizeof(path), "%s/logs/vpc/flow", root);
    assert_int_equal(mode_of(path), 0755);
    char *list = list_dir(path);
    assert_string_equal(list, "eni-0000000000000000b\neni-1235b8ca123456789");
    free(list);

    snprintf(path, sizeof(path), "%s/logs/vpc/flow/eni-1235b8ca123456789", root);
    assert_int_equal(mode_of(path), 0644);
    char *content = read_file(path);
    assert_string_equal(content,
                        "2 123456789012 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 "
                        "6 20 4249 1418530010 1418530070 ACCEPT OK\n"
                        "2 123456789012 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 "
                        "336 1432917027 1432917142 ACCEPT OK\n"
                        "2 123456789012 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 "
                        "6 1 4249 1418530010 1418530070 ACCEPT OK\n"
                        "2 123456789012 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 "
                        "99 1432917027 1432917142 ACCEPT OK\n");
    free(content);
    snprintf(path, sizeof(path), "%s/logs/vpc/flow/eni-0000000000000000b", root);
    content = read_file(path);
    assert_string_equal(content,
                        "2 123456789012 eni-0000000000000000b 172.31.9.69 172.31.9.12 49761 3389 6 "
                        "20 4249 1418530010 1418530070 REJECT OK\n"
                        "2 123456789012 eni-0000000000000000b 172.31.9.69 172.31.9.12 49761 3389 6 "
                        "20 4249 1418530010 1418530070 REJECT OK\n");
    free(content);

    /* A group without a slash, and one with a '#' and dots inside names. */
    strcpy(d.group, "flowlogs");
    assert_int_equal(flowlog_deliver(root, &d, &f, recs, 1, 1529511600), 0);
    snprintf(path, sizeof(path), "%s/logs/flowlogs/eni-1235b8ca123456789", root);
    assert_true(exists(path));
    strcpy(d.group, "//team#1/..x/v.p.c");
    assert_int_equal(flowlog_deliver(root, &d, &f, recs, 1, 1529511600), 0);
    snprintf(path, sizeof(path), "%s/logs/team#1/..x/v.p.c/eni-1235b8ca123456789", root);
    assert_true(exists(path));
    rm_tmpdir(root);
}

static void test_deliver_cwl_refused(void **state)
{
    char *root = make_tmpdir();
    struct flowlog_dest d;
    struct flowlog_format f = parse_ok(NULL);
    struct flowlog_record recs[3];
    (void)state;

    memset(&d, 0, sizeof(d));
    d.type = FLOWLOG_DEST_CWL;
    strcpy(d.flow_log_id, "fl-1234567890abcdef0");
    sample_records(recs);
    static const char *const bad_groups[] = {
        "..", "../etc", "/vpc/../../x", "vpc/..", "a//b", "vpc/", "/", "", ".", "/./vpc", "a/./b",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad_groups); i++) {
        strcpy(d.group, bad_groups[i]);
        assert_int_equal(flowlog_deliver(root, &d, &f, recs, 3, 1529511600), -EINVAL);
    }
    /* A group name filling the whole field has no NUL: refused, not read past. */
    memset(d.group, 'g', sizeof(d.group));
    assert_int_equal(flowlog_deliver(root, &d, &f, recs, 3, 1529511600), -EINVAL);

    /* A bad stream name in any record refuses the batch before anything is written. */
    strcpy(d.group, "/vpc/flow");
    strcpy(recs[2].interface_id, "../../escape");
    assert_int_equal(flowlog_deliver(root, &d, &f, recs, 3, 1529511600), -EINVAL);
    strcpy(recs[2].interface_id, "..");
    assert_int_equal(flowlog_deliver(root, &d, &f, recs, 3, 1529511600), -EINVAL);
    recs[2].interface_id[0] = '\0';
    assert_int_equal(flowlog_deliver(root, &d, &f, recs, 3, 1529511600), -EINVAL);
    char *list = list_dir(root);
    assert_string_equal(list, "");
    free(list);
    rm_tmpdir(root);
}

static void test_deliver_tgw(void **state)
{
    char *root = make_tmpdir();
    struct flowlog_dest d = s3_dest("");
    struct flowlog_format f = parse_tgw_ok(NULL);
    struct flowlog_record recs[3];
    char dir[1024], path[1400], names[2][256], want[4096];
    (void)state;

    recs[0] = tgw_record();
    recs[1] = tgw_record();
    strcpy(recs[1].tgw_id, "tgw-0000000000000000b");
    recs[1].packets = 1;
    recs[2] = tgw_record();
    recs[2].bytes = 99;

    /* s3: the vpcflowlogs layout, with the TGW field names as the header. */
    assert_int_equal(flowlog_deliver(root, &d, &f, recs, 1, 1529511600), 0);
    snprintf(dir, sizeof(dir),
             "%s/s3/my-flow-log-bucket/AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20",
             root);
    s3_names(dir, names, 1, "20180620T1620Z");
    snprintf(path, sizeof(path), "%s/%s", dir, names[0]);
    char *content = gunzip_file(path);
    struct strbuf line;
    strbuf_init(&line);
    flowlog_format_record(&f, &recs[0], &line);
    snprintf(want, sizeof(want), "%s\n%s\n", tgw_default_names, line.data);
    assert_string_equal(content, want);
    assert_int_equal(strncmp(content, "version resource-type account-id tgw-id ", 40), 0);
    free(content);

    /* cloud-watch-logs: one stream per transit gateway, beside ENI streams of VPC records. */
    d.type = FLOWLOG_DEST_CWL;
    strcpy(d.group, "tgw-logs");
    struct flowlog_record mixed[4] = {recs[0], recs[1], recs[2], recs[0]};
    mixed[3] = rec4("10.0.0.1", "10.0.0.2", 6, 1, 2, 3, 4, 1431280876, 1431280934, true);
    strcpy(mixed[3].tgw_id, "tgw-ffffffffffffffff0"); /* an interface id wins */
    assert_int_equal(flowlog_deliver(root, &d, &f, mixed, 4, 1529511600), 0);
    snprintf(path, sizeof(path), "%s/logs/tgw-logs", root);
    char *list = list_dir(path);
    assert_string_equal(list,
                        "eni-1235b8ca123456789\ntgw-0000000000000000b\ntgw-0123456789abcdef0");
    free(list);
    snprintf(path, sizeof(path), "%s/logs/tgw-logs/tgw-0123456789abcdef0", root);
    content = read_file(path);
    strbuf_reset(&line);
    flowlog_format_record(&f, &recs[0], &line);
    strbuf_append(&line, "\n", 1);
    flowlog_format_record(&f, &recs[2], &line);
    strbuf_append(&line, "\n", 1);
    assert_string_equal(content, line.data);
    assert_non_null(strstr(content, " 12 99 1700000000 "));
    free(content);
    snprintf(path, sizeof(path), "%s/logs/tgw-logs/tgw-0000000000000000b", root);
    content = read_file(path);
    assert_non_null(strstr(content, " tgw-0000000000000000b tgw-attach-"));
    assert_non_null(strstr(content, " 6 1 3456 "));
    assert_int_equal(strchr(content, '\n') - content + 1, (long)strlen(content)); /* one line */
    free(content);

    /* A record with neither an interface nor a transit gateway, or an unsafe TGW id, refuses
     * the batch before anything is written. */
    char *root2 = make_tmpdir();
    recs[2].tgw_id[0] = '\0';
    assert_int_equal(flowlog_deliver(root2, &d, &f, recs, 3, 1529511600), -EINVAL);
    strcpy(recs[2].tgw_id, "..");
    assert_int_equal(flowlog_deliver(root2, &d, &f, recs, 3, 1529511600), -EINVAL);
    memset(recs[2].tgw_id, 't', sizeof(recs[2].tgw_id));
    assert_int_equal(flowlog_deliver(root2, &d, &f, recs, 3, 1529511600), -EINVAL);
    list = list_dir(root2);
    assert_string_equal(list, "");
    free(list);
    strbuf_destroy(&line);
    rm_tmpdir(root2);
    rm_tmpdir(root);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_parse_default),
    cmocka_unit_test(test_parse_custom_versions),
    cmocka_unit_test(test_parse_errors),
    cmocka_unit_test(test_parse_too_many_fields),
    cmocka_unit_test(test_parse_tgw_default),
    cmocka_unit_test(test_parse_scopes),
    cmocka_unit_test(test_record_aws_examples),
    cmocka_unit_test(test_record_ipv6),
    cmocka_unit_test(test_record_nodata_skipdata),
    cmocka_unit_test(test_record_custom),
    cmocka_unit_test(test_record_tgw_default),
    cmocka_unit_test(test_tcp_flags_helper),
    cmocka_unit_test(test_deliver_s3),
    cmocka_unit_test(test_deliver_s3_custom_no_prefix),
    cmocka_unit_test(test_deliver_s3_refused),
    cmocka_unit_test(test_deliver_cwl),
    cmocka_unit_test(test_deliver_cwl_refused),
    cmocka_unit_test(test_deliver_tgw),
};

UNIT_MAIN(tests)
