#include "unit.h"

#include <errno.h>
#include <string.h>

#include "lib/addr.h"
#include "model/cidr_rules.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct prefix4 p4(const char *s)
{
    struct prefix4 p = {0};

    if (prefix4_parse(s, &p) != 0)
        fail_msg("bad test prefix \"%s\"", s);
    return p;
}

static struct prefix6 p6(const char *s)
{
    struct prefix6 p = {{0}, 0};

    if (prefix6_parse(s, &p) != 0)
        fail_msg("bad test prefix \"%s\"", s);
    return p;
}

static uint32_t a4(const char *s)
{
    uint32_t a = 0;

    if (ip4_parse(s, &a) != 0)
        fail_msg("bad test address \"%s\"", s);
    return a;
}

static void a6(const char *s, uint8_t out[16])
{
    if (ip6_parse(s, out) != 0)
        fail_msg("bad test address \"%s\"", s);
}

/* ---- 1. VPC block size ---- */

static void test_vpc_cidr_size_valid(void **state)
{
    (void)state;
    for (unsigned len = 0; len <= 32; len++) {
        struct prefix4 p = prefix4_make(IP4(10, 0, 0, 0), (uint8_t)len);
        assert_int_equal(vpc_cidr_size_valid(&p), len >= 16 && len <= 28);
    }
    struct prefix4 a = p4("10.0.0.0/16"), b = p4("10.0.0.0/28"), c = p4("10.0.0.0/15");
    struct prefix4 d = p4("10.0.0.0/29");
    assert_true(vpc_cidr_size_valid(&a));
    assert_true(vpc_cidr_size_valid(&b));
    assert_false(vpc_cidr_size_valid(&c));
    assert_false(vpc_cidr_size_valid(&d));
}

/* ---- 2. never-assignable ranges ---- */

static void test_vpc_cidr_reserved(void **state)
{
    static const struct {
        const char *cidr;
        bool want;
    } cases[] = {
        {"169.254.0.0/16", true}, {"169.254.169.0/24", true},   {"169.254.255.240/28", true},
        {"169.0.0.0/8", true},    {"169.255.0.0/16", false},    {"169.253.0.0/16", false},
        {"0.0.0.0/16", true},     {"0.255.255.240/28", true},   {"1.0.0.0/16", false},
        {"127.0.0.0/16", true},   {"127.255.0.0/16", true},     {"126.255.0.0/16", false},
        {"128.0.0.0/16", false},  {"224.0.0.0/16", true},       {"239.255.0.0/16", true},
        {"240.0.0.0/16", true},   {"255.255.255.240/28", true}, {"223.255.0.0/16", false},
        {"10.0.0.0/16", false},   {"172.16.0.0/16", false},     {"192.168.0.0/16", false},
        {"100.64.0.0/16", false}, {"198.19.0.0/16", false},     {"52.0.0.0/16", false},
        {"0.0.0.0/0", true},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct prefix4 p = p4(cases[i].cidr);
        if (vpc_cidr_reserved(&p) != cases[i].want)
            fail_msg("vpc_cidr_reserved(%s) != %d", cases[i].cidr, cases[i].want);
    }
}

/* ---- 3. range family ---- */

static void test_vpc_range_family_of(void **state)
{
    static const struct {
        const char *cidr;
        enum vpc_range_family want;
    } cases[] = {
        {"10.0.0.0/16", VPC_RANGE_10},
        {"10.255.255.240/28", VPC_RANGE_10},
        {"10.0.0.0/8", VPC_RANGE_10},
        {"9.255.0.0/16", VPC_RANGE_PUBLIC},
        {"11.0.0.0/16", VPC_RANGE_PUBLIC},
        {"172.16.0.0/16", VPC_RANGE_172},
        {"172.31.0.0/16", VPC_RANGE_172},
        {"172.15.0.0/16", VPC_RANGE_PUBLIC},
        {"172.32.0.0/16", VPC_RANGE_PUBLIC},
        {"192.168.0.0/16", VPC_RANGE_192_168},
        {"192.168.255.0/24", VPC_RANGE_192_168},
        {"192.169.0.0/16", VPC_RANGE_PUBLIC},
        {"198.19.0.0/16", VPC_RANGE_198_19},
        {"198.19.7.0/24", VPC_RANGE_198_19},
        {"198.18.0.0/16", VPC_RANGE_PUBLIC},
        {"100.64.0.0/16", VPC_RANGE_PUBLIC},
        {"100.64.0.0/10", VPC_RANGE_PUBLIC},
        {"52.95.0.0/16", VPC_RANGE_PUBLIC},
        {"0.0.0.0/0", VPC_RANGE_PUBLIC},
        {"8.0.0.0/6", VPC_RANGE_PUBLIC},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct prefix4 p = p4(cases[i].cidr);
        if (vpc_range_family_of(&p) != cases[i].want)
            fail_msg("vpc_range_family_of(%s) = %d, want %d", cases[i].cidr,
                     (int)vpc_range_family_of(&p), (int)cases[i].want);
    }
}

/* ---- 4. secondary-block family table ---- */

struct secondary_case {
    const char *existing[3];
    const char *candidate;
    bool want;
};

static void run_secondary_cases(const struct secondary_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct prefix4 existing[3];
        size_t n_existing = 0;
        while (n_existing < 3 && cases[i].existing[n_existing] != NULL) {
            existing[n_existing] = p4(cases[i].existing[n_existing]);
            n_existing++;
        }
        struct prefix4 cand = p4(cases[i].candidate);
        if (vpc_secondary_cidr_allowed(existing, n_existing, &cand) != cases[i].want)
            fail_msg("primary %s (+%zu more) candidate %s: want %s", cases[i].existing[0],
                     n_existing - 1, cases[i].candidate, cases[i].want ? "allowed" : "refused");
    }
}

static void test_secondary_primary_10(void **state)
{
    static const struct secondary_case cases[] = {
        {{"10.0.0.0/16"}, "192.168.0.0/16", false},
        {{"10.0.0.0/16"}, "192.168.10.0/24", false},
        {{"10.0.0.0/16"}, "172.16.0.0/16", false},
        {{"10.0.0.0/16"}, "172.31.255.0/24", false},
        {{"10.0.0.0/16"}, "198.19.0.0/16", false},
        {{"10.0.0.0/16"}, "198.19.128.0/20", false},
        {{"10.0.0.0/16"}, "10.1.0.0/16", true},
        {{"10.0.0.0/16"}, "10.255.0.0/16", true},
        {{"10.0.0.0/16"}, "100.64.0.0/16", true},
        {{"10.0.0.0/16"}, "100.127.255.0/24", true},
        {{"10.0.0.0/16"}, "52.10.0.0/16", true},
        {{"10.0.0.0/16"}, "198.18.0.0/16", true},  /* neighbour of 198.19/16 */
        {{"10.0.0.0/16"}, "172.32.0.0/16", true},  /* just past 172.16/12 */
        {{"10.0.0.0/16"}, "192.169.0.0/16", true}, /* just past 192.168/16 */
        /* ClassicLink: 10.0.0.0/16 is refused while any block sits in 10.0.0.0/15. */
        {{"10.1.0.0/16"}, "10.0.0.0/16", false},
        {{"10.1.0.0/16"}, "10.0.5.0/24", false},
        {{"10.1.0.0/16"}, "10.0.255.240/28", false},
        {{"10.1.0.0/16"}, "10.2.0.0/16", true},
        {{"10.2.0.0/16"}, "10.0.0.0/16", true},
        {{"10.2.0.0/16"}, "10.0.7.0/24", true},
        {{"10.2.0.0/16", "10.1.128.0/20"}, "10.0.0.0/16", false}, /* a secondary in /15 */
        {{"10.2.0.0/16", "10.3.0.0/16"}, "10.0.0.0/16", true},
        {{"10.2.0.0/16", "100.64.0.0/16"}, "10.0.0.0/16", true},
        {{"10.1.0.0/16"}, "10.1.0.0/16", true}, /* overlap is the caller's check */
    };
    (void)state;
    run_secondary_cases(cases, ARRAY_LEN(cases));
}

static void test_secondary_primary_172(void **state)
{
    static const struct secondary_case cases[] = {
        {{"172.16.0.0/16"}, "172.31.0.0/16", false},
        {{"172.16.0.0/16"}, "172.31.16.0/20", false},
        {{"172.16.0.0/16"}, "172.31.255.240/28", false},
        {{"172.16.0.0/16"}, "10.0.0.0/16", false},
        {{"172.16.0.0/16"}, "10.200.0.0/16", false},
        {{"172.16.0.0/16"}, "192.168.0.0/16", false},
        {{"172.16.0.0/16"}, "198.19.0.0/16", false},
        {{"172.16.0.0/16"}, "172.17.0.0/16", true},
        {{"172.16.0.0/16"}, "172.30.0.0/16", true},
        {{"172.16.0.0/16"}, "100.64.0.0/16", true},
        {{"172.16.0.0/16"}, "52.0.0.0/16", true},
        {{"172.20.0.0/16"}, "172.16.0.0/16", true},
        {{"172.16.0.0/16"}, "198.18.0.0/16", true},
    };
    (void)state;
    run_secondary_cases(cases, ARRAY_LEN(cases));
}

static void test_secondary_primary_192_168(void **state)
{
    static const struct secondary_case cases[] = {
        {{"192.168.0.0/20"}, "10.0.0.0/16", false},
        {{"192.168.0.0/20"}, "172.16.0.0/16", false},
        {{"192.168.0.0/20"}, "172.31.0.0/16", false},
        {{"192.168.0.0/20"}, "198.19.0.0/16", false},
        {{"192.168.0.0/20"}, "192.168.16.0/20", true},
        {{"192.168.0.0/20"}, "192.168.255.240/28", true},
        {{"192.168.0.0/20"}, "100.64.0.0/16", true},
        {{"192.168.0.0/20"}, "203.0.113.0/24", true},
    };
    (void)state;
    run_secondary_cases(cases, ARRAY_LEN(cases));
}

static void test_secondary_primary_198_19(void **state)
{
    static const struct secondary_case cases[] = {
        {{"198.19.0.0/16"}, "10.0.0.0/16", false},   {{"198.19.0.0/16"}, "172.16.0.0/16", false},
        {{"198.19.0.0/16"}, "172.31.0.0/16", false}, {{"198.19.0.0/16"}, "192.168.0.0/16", false},
        {{"198.19.0.0/16"}, "100.64.0.0/16", true},  {{"198.19.0.0/16"}, "52.0.0.0/16", true},
        {{"198.19.0.0/16"}, "198.18.0.0/16", true},
    };
    (void)state;
    run_secondary_cases(cases, ARRAY_LEN(cases));
}

static void test_secondary_primary_public(void **state)
{
    static const struct secondary_case cases[] = {
        {{"100.64.0.0/16"}, "10.0.0.0/16", false},    {{"100.64.0.0/16"}, "172.16.0.0/16", false},
        {{"100.64.0.0/16"}, "192.168.0.0/16", false}, {{"100.64.0.0/16"}, "198.19.0.0/16", false},
        {{"100.64.0.0/16"}, "100.65.0.0/16", true},   {{"100.64.0.0/16"}, "52.0.0.0/16", true},
        {{"52.0.0.0/16"}, "10.0.0.0/16", false},      {{"52.0.0.0/16"}, "172.31.0.0/16", false},
        {{"52.0.0.0/16"}, "192.168.100.0/24", false}, {{"52.0.0.0/16"}, "198.19.0.0/24", false},
        {{"52.0.0.0/16"}, "53.0.0.0/16", true},       {{"52.0.0.0/16"}, "100.64.0.0/16", true},
        {{"52.0.0.0/16"}, "198.18.0.0/16", true},     {{"52.0.0.0/16"}, "11.0.0.0/16", true},
    };
    (void)state;
    run_secondary_cases(cases, ARRAY_LEN(cases));
}

static void test_secondary_family_from_primary_only(void **state)
{
    /* The primary decides the family: a 10/8 VPC that already carries a 100.64 secondary is
     * still a 10/8 VPC, and a public VPC with a 100.64 secondary still refuses RFC 1918. */
    static const struct secondary_case cases[] = {
        {{"10.0.0.0/16", "100.64.0.0/16"}, "10.5.0.0/16", true},
        {{"10.0.0.0/16", "100.64.0.0/16"}, "192.168.0.0/16", false},
        {{"100.64.0.0/16", "100.65.0.0/16"}, "10.5.0.0/16", false},
    };
    struct prefix4 c = p4("10.1.0.0/16");
    (void)state;

    run_secondary_cases(cases, ARRAY_LEN(cases));
    assert_false(vpc_secondary_cidr_allowed(NULL, 0, &c));
}

/* ---- 5/6. IPv4 reserved subnet addresses ---- */

static void test_subnet_available_ipv4(void **state)
{
    static const struct {
        const char *cidr;
        uint64_t want;
    } cases[] = {
        {"10.0.0.0/28", 11},    {"10.0.0.0/27", 27},
        {"10.0.0.0/24", 251},   {"10.0.0.0/20", 4091},
        {"10.0.0.0/16", 65531}, {"10.0.0.0/29", 3},
        {"10.0.0.0/30", 0},     {"10.0.0.0/31", 0},
        {"10.0.0.0/32", 0},     {"0.0.0.0/0", UINT64_C(4294967291)},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct prefix4 p = p4(cases[i].cidr);
        if (subnet_available_ipv4(&p) != cases[i].want)
            fail_msg("subnet_available_ipv4(%s) = %llu, want %llu", cases[i].cidr,
                     (unsigned long long)subnet_available_ipv4(&p),
                     (unsigned long long)cases[i].want);
    }
}

static void test_subnet_ipv4_reserved_members(void **state)
{
    struct prefix4 s = p4("10.0.1.0/24");
    (void)state;

    assert_true(subnet_ipv4_reserved(&s, a4("10.0.1.0")));
    assert_true(subnet_ipv4_reserved(&s, a4("10.0.1.1")));
    assert_true(subnet_ipv4_reserved(&s, a4("10.0.1.2")));
    assert_true(subnet_ipv4_reserved(&s, a4("10.0.1.3")));
    assert_false(subnet_ipv4_reserved(&s, a4("10.0.1.4")));
    assert_false(subnet_ipv4_reserved(&s, a4("10.0.1.128")));
    assert_false(subnet_ipv4_reserved(&s, a4("10.0.1.254")));
    assert_true(subnet_ipv4_reserved(&s, a4("10.0.1.255")));
    /* Outside the subnet: not this subnet's reservation. */
    assert_false(subnet_ipv4_reserved(&s, a4("10.0.0.255")));
    assert_false(subnet_ipv4_reserved(&s, a4("10.0.2.0")));
    assert_false(subnet_ipv4_reserved(&s, a4("10.0.2.1")));

    struct prefix4 s16 = p4("10.0.0.0/16");
    assert_true(subnet_ipv4_reserved(&s16, a4("10.0.0.3")));
    assert_false(subnet_ipv4_reserved(&s16, a4("10.0.0.255")));
    assert_false(subnet_ipv4_reserved(&s16, a4("10.0.1.0")));
    assert_true(subnet_ipv4_reserved(&s16, a4("10.0.255.255")));
}

/* The reserved predicate and the available count must agree for every VPC-legal size. */
static void test_subnet_ipv4_reserved_counts(void **state)
{
    (void)state;
    for (unsigned len = 16; len <= 28; len++) {
        struct prefix4 s = prefix4_make(IP4(172, 31, 0, 0), (uint8_t)len);
        uint64_t free_count = 0, reserved = 0;
        for (uint32_t a = prefix4_first(&s);; a++) {
            if (subnet_ipv4_reserved(&s, a))
                reserved++;
            else
                free_count++;
            if (a == prefix4_last(&s))
                break;
        }
        assert_int_equal(reserved, 5);
        assert_int_equal(free_count, subnet_available_ipv4(&s));
        assert_false(subnet_ipv4_reserved(&s, prefix4_last(&s) + 1));
        assert_false(subnet_ipv4_reserved(&s, prefix4_first(&s) - 1));
    }
}

/* ---- 7. IPv6 reserved subnet addresses ---- */

static void test_subnet_ipv6_reserved(void **state)
{
    static const struct {
        const char *addr;
        bool want;
    } cases[] = {
        {"2001:db8:1234:5601::", true},
        {"2001:db8:1234:5601::1", true},
        {"2001:db8:1234:5601::2", true},
        {"2001:db8:1234:5601::3", true},
        {"2001:db8:1234:5601::4", false},
        {"2001:db8:1234:5601::100", false},
        {"2001:db8:1234:5601:0:0:1:1", false},
        {"2001:db8:1234:5601:1::", false},
        {"2001:db8:1234:5601:ffff:ffff:ffff:fffe", false},
        {"2001:db8:1234:5601:ffff:ffff:ffff:ffff", true},
        {"2001:db8:1234:5600::1", false}, /* neighbour subnet */
        {"2001:db8:1234:5602::", false},
        {"2001:db8:1234:5600:ffff:ffff:ffff:ffff", false},
    };
    struct prefix6 s = p6("2001:db8:1234:5601::/64");
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint8_t a[16];
        a6(cases[i].addr, a);
        if (subnet_ipv6_reserved(&s, a) != cases[i].want)
            fail_msg("subnet_ipv6_reserved(%s) != %d", cases[i].addr, cases[i].want);
    }
}

static void test_subnet_ipv6_reserved_small_blocks(void **state)
{
    /* Tiny blocks exercise the byte-15 arithmetic: every address in a /126 is one of the first
     * four, and in a /121 exactly five of 128 are reserved. */
    struct prefix6 s126 = p6("2001:db8::8/126");
    struct prefix6 s121 = p6("2001:db8::80/121");
    uint8_t a[16];
    unsigned reserved = 0;
    (void)state;

    a6("2001:db8::8", a);
    for (unsigned i = 0; i < 4; i++) {
        a[15] = (uint8_t)(8 + i);
        assert_true(subnet_ipv6_reserved(&s126, a));
    }
    a[15] = 12;
    assert_false(subnet_ipv6_reserved(&s126, a));

    for (unsigned i = 0; i < 256; i++) {
        a[15] = (uint8_t)i;
        if (subnet_ipv6_reserved(&s121, a)) {
            reserved++;
            assert_true(i == 0x80 || i == 0x81 || i == 0x82 || i == 0x83 || i == 0xff);
        }
    }
    assert_int_equal(reserved, 5);

    /* A /127 whose network address has bit 1 set: both members are reserved, neighbours not. */
    struct prefix6 s127 = p6("2001:db8::6/127");
    struct prefix6 s128 = p6("2001:db8::7/128");
    for (unsigned i = 4; i < 10; i++) {
        a[15] = (uint8_t)i;
        assert_int_equal(subnet_ipv6_reserved(&s127, a), i == 6 || i == 7);
        assert_int_equal(subnet_ipv6_reserved(&s128, a), i == 7);
    }
}

/* ---- 8. forbidden route destinations ---- */

static void test_route_destination_forbidden4(void **state)
{
    static const struct {
        const char *cidr;
        bool want;
    } cases[] = {
        {"169.254.168.0/22", true},  {"169.254.169.0/24", true},    {"169.254.169.254/32", true},
        {"169.254.168.0/23", true},  {"169.254.171.255/32", true},  {"169.254.170.0/24", true},
        {"169.254.0.0/16", false},   {"169.254.168.0/21", false},   {"0.0.0.0/0", false},
        {"169.254.172.0/24", false}, {"169.254.167.255/32", false}, {"10.0.0.0/16", false},
        {"169.254.164.0/22", false},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct prefix4 p = p4(cases[i].cidr);
        if (route_destination_forbidden4(&p) != cases[i].want)
            fail_msg("route_destination_forbidden4(%s) != %d", cases[i].cidr, cases[i].want);
    }
}

static void test_route_destination_forbidden6(void **state)
{
    static const struct {
        const char *cidr;
        bool want;
    } cases[] = {
        {"fd00:ec2::/32", true},    {"fd00:ec2::254/128", true},
        {"fd00:ec2::23/128", true}, {"fd00:ec2:ffff::/48", true},
        {"fd00:ec2::/64", true},    {"fd00::/16", false},
        {"fd00:ec2::/31", false},   {"fd00:ec3::/32", false},
        {"fd00:ec2::/8", false},    {"::/0", false},
        {"2001:db8::/32", false},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct prefix6 p = p6(cases[i].cidr);
        if (route_destination_forbidden6(&p) != cases[i].want)
            fail_msg("route_destination_forbidden6(%s) != %d", cases[i].cidr, cases[i].want);
    }
}

/* ---- 9. new block vs existing routes ---- */

static void test_secondary_conflicts_route(void **state)
{
    static const struct {
        const char *candidate, *route;
        bool want;
    } cases[] = {
        {"10.0.0.0/24", "10.0.0.0/24", true},      {"10.0.0.0/16", "10.0.0.0/24", true},
        {"10.0.0.0/25", "10.0.0.0/24", false},     {"10.0.0.128/25", "10.0.0.0/24", false},
        {"10.1.0.0/16", "10.0.0.0/24", false},     {"10.0.0.0/16", "10.0.255.0/24", true},
        {"10.0.0.0/16", "10.0.0.7/32", true},      {"10.0.0.0/16", "0.0.0.0/0", false},
        {"100.64.0.0/16", "100.64.0.0/10", false}, {"100.64.0.0/16", "100.64.1.0/24", true},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct prefix4 c = p4(cases[i].candidate), r = p4(cases[i].route);
        if (vpc_secondary_cidr_conflicts_route(&c, &r) != cases[i].want)
            fail_msg("conflicts_route(%s, %s) != %d", cases[i].candidate, cases[i].route,
                     cases[i].want);
    }
}

/* ---- 10. IPv6 subnet within VPC block ---- */

static void test_ipv6_subnet_in_vpc_block(void **state)
{
    static const struct {
        const char *sub;
        int want;
    } cases[] = {
        {"2600:1f18:abc:de00::/64", 0},
        {"2600:1f18:abc:de01::/64", 0},
        {"2600:1f18:abc:deff::/64", 0},
        {"2600:1f18:abc:df00::/64", -EINVAL},
        {"2600:1f18:abc:ddff::/64", -EINVAL},
        {"2600:1f18:abc:de00::/56", -EINVAL},
        {"2600:1f18:abc:de00::/60", -EINVAL},
        {"2600:1f18:abc:de00::/65", -EINVAL},
        {"2600:1f18:abc:de00::/128", -EINVAL},
        {"2600:1f18:abc::/48", -EINVAL},
        {"2001:db8::/64", -EINVAL},
    };
    struct prefix6 vpc = p6("2600:1f18:abc:de00::/56");
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct prefix6 s = p6(cases[i].sub);
        int rc = ipv6_subnet_in_vpc_block(&vpc, &s);
        if (rc != cases[i].want)
            fail_msg("ipv6_subnet_in_vpc_block(%s) = %d, want %d", cases[i].sub, rc, cases[i].want);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_vpc_cidr_size_valid),
    cmocka_unit_test(test_vpc_cidr_reserved),
    cmocka_unit_test(test_vpc_range_family_of),
    cmocka_unit_test(test_secondary_primary_10),
    cmocka_unit_test(test_secondary_primary_172),
    cmocka_unit_test(test_secondary_primary_192_168),
    cmocka_unit_test(test_secondary_primary_198_19),
    cmocka_unit_test(test_secondary_primary_public),
    cmocka_unit_test(test_secondary_family_from_primary_only),
    cmocka_unit_test(test_subnet_available_ipv4),
    cmocka_unit_test(test_subnet_ipv4_reserved_members),
    cmocka_unit_test(test_subnet_ipv4_reserved_counts),
    cmocka_unit_test(test_subnet_ipv6_reserved),
    cmocka_unit_test(test_subnet_ipv6_reserved_small_blocks),
    cmocka_unit_test(test_route_destination_forbidden4),
    cmocka_unit_test(test_route_destination_forbidden6),
    cmocka_unit_test(test_secondary_conflicts_route),
    cmocka_unit_test(test_ipv6_subnet_in_vpc_block),
};

UNIT_MAIN(tests)
