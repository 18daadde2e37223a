/* The EC2 query decoder: percent-decoding, '+', list flattening, malformed input. */
#include <errno.h>
#include <string.h>

#include "unit.h"

#include "api/query.h"

static void parse(struct query *q, const char *s)
{
    query_init(q);
    assert_int_equal(query_parse(q, s, strlen(s)), 0);
    query_finish(q);
}

static void test_basic_pairs(void **state)
{
    (void)state;
    struct query q;
    parse(&q, "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16");
    assert_int_equal(q.n, 3);
    assert_string_equal(query_get(&q, "Action"), "CreateVpc");
    assert_string_equal(query_get(&q, "CidrBlock"), "10.0.0.0/16");
    assert_null(query_get(&q, "Missing"));
    query_destroy(&q);
}

static void test_plus_and_escapes(void **state)
{
    (void)state;
    struct query q;
    parse(&q, "Description=hello+world%21&Key%2E1=%41%62&Empty=&Flag");
    assert_string_equal(query_get(&q, "Description"), "hello world!");
    assert_string_equal(query_get(&q, "Key.1"), "Ab");
    assert_string_equal(query_get(&q, "Empty"), "");
    assert_string_equal(query_get(&q, "Flag"), "");
    query_destroy(&q);
}

static void test_lists(void **state)
{
    (void)state;
    struct query q;
    parse(&q, "Filter.1.Name=vpc-id&Filter.1.Value.1=a&Filter.1.Value.2=b&Filter.2.Name=state&"
              "Filter.2.Value.1=available&VpcId.1=vpc-1&VpcId.2=vpc-2&VpcId.4=vpc-4");
    assert_int_equal(query_list_len(&q, "Filter"), 2);
    assert_int_equal(query_list_len(&q, "Filter.1.Value"), 2);
    /* A gap ends the list: VpcId.3 is missing. */
    assert_int_equal(query_list_len(&q, "VpcId"), 2);
    assert_string_equal(query_getf(&q, "Filter.%d.Value.%d", 1, 2), "b");
    assert_true(query_has_prefix(&q, "Filter.2"));
    assert_false(query_has_prefix(&q, "Filter.3"));
    /* "Filter.1" must not match "Filter.10" style keys by accident. */
    assert_false(query_has_prefix(&q, "Filter.1.Val"));
    query_destroy(&q);
}

static void test_nested_structures(void **state)
{
    (void)state;
    struct query q;
    parse(&q, "IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22"
              "&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0%2F8&TagSpecification.1.ResourceType=vpc"
              "&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=x");
    assert_int_equal(query_list_len(&q, "IpPermissions"), 1);
    assert_int_equal(query_list_len(&q, "IpPermissions.1.IpRanges"), 1);
    assert_string_equal(query_get(&q, "IpPermissions.1.IpRanges.1.CidrIp"), "10.0.0.0/8");
    assert_int_equal(query_list_len(&q, "TagSpecification.1.Tag"), 1);
    query_destroy(&q);
}

static void test_duplicates_keep_first(void **state)
{
    (void)state;
    struct query q;
    parse(&q, "A=1&B=2&A=3");
    assert_string_equal(query_get(&q, "A"), "1");
    query_destroy(&q);
}

static void test_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {"A=%", "A=%4", "A=%zz", "%=1", "=1", "A=%00", "%41%=x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct query q;
        query_init(&q);
        assert_int_equal(query_parse(&q, bad[i], strlen(bad[i])), -EINVAL);
        query_destroy(&q);
    }
}

static void test_empty_segments(void **state)
{
    (void)state;
    struct query q;
    parse(&q, "&&A=1&&");
    assert_int_equal(q.n, 1);
    query_destroy(&q);
    parse(&q, "");
    assert_int_equal(q.n, 0);
    assert_null(query_get(&q, "A"));
    assert_int_equal(query_list_len(&q, "A"), 0);
    query_destroy(&q);
}

static void test_not_nul_terminated(void **state)
{
    (void)state;
    /* The body is a byte range, not a C string: parsing must stop at len. */
    const char body[] = "A=1&B=2XXXXXX";
    struct query q;
    query_init(&q);
    assert_int_equal(query_parse(&q, body, 7), 0);
    query_finish(&q);
    assert_string_equal(query_get(&q, "B"), "2");
    query_destroy(&q);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_basic_pairs),       cmocka_unit_test(test_plus_and_escapes),
    cmocka_unit_test(test_lists),             cmocka_unit_test(test_nested_structures),
    cmocka_unit_test(test_duplicates_keep_first), cmocka_unit_test(test_malformed),
    cmocka_unit_test(test_empty_segments),    cmocka_unit_test(test_not_nul_terminated),
};

UNIT_MAIN(tests)
