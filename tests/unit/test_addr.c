#include "unit.h"

#include <errno.h>
#include <string.h>

#include "lib/addr.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct prefix4 p4(const char *s)
{
    struct prefix4 p = {0};

    assert_int_equal(prefix4_parse(s, &p), 0);
    return p;
}

static struct prefix6 p6(const char *s)
{
    struct prefix6 p = {{0}, 0};

    assert_int_equal(prefix6_parse(s, &p), 0);
    return p;
}

static void a6(const char *s, uint8_t out[16])
{
    assert_int_equal(ip6_parse(s, out), 0);
}

/* ---- ip4_parse / ip4_format ---- */

static void test_ip4_parse_valid(void **state)
{
    static const struct {
        const char *text;
        uint32_t addr;
    } cases[] = {
        {"0.0.0.0", 0},
        {"255.255.255.255", UINT32_MAX},
        {"10.0.0.1", IP4(10, 0, 0, 1)},
        {"192.168.1.254", IP4(192, 168, 1, 254)},
        {"1.2.3.4", 0x01020304},
        {"100.64.0.0", IP4(100, 64, 0, 0)},
        {"169.254.169.254", IP4(169, 254, 169, 254)},
        {"0.0.0.10", 10},
        {"199.9.99.0", IP4(199, 9, 99, 0)},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint32_t out = 0xdeadbeef;
        assert_int_equal(ip4_parse(cases[i].text, &out), 0);
        assert_int_equal(out, cases[i].addr);
    }
}

static void test_ip4_parse_invalid(void **state)
{
    static const char *const cases[] = {
        "",           "1",          "1.2",       "1.2.3",
        "1.2.3.4.5",  "256.0.0.0",  "1.2.3.256", "1.2.3.999",
        "1.2.3.1000", "010.0.0.1",  "10.00.0.1", "10.0.0.01",
        "00.0.0.0",   "+1.2.3.4",   "-1.2.3.4",  " 1.2.3.4",
        "1.2.3.4 ",   "1.2.3.4\n",  "1..3.4",    ".1.2.3.4",
        "1.2.3.4.",   "1.2.3.4x",   "a.b.c.d",   "1.2.3.0x4",
        "1.2.3.4/8",  "1,2,3,4",    "1.2.3. 4",  "4294967296.0.0.0",
        "1.2.3.-0",   "1.2.3.4:80", "::1",       "1.2.3.99999999999999999999",
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint32_t out = 0x5a5a5a5a;
        int rc = ip4_parse(cases[i], &out);
        if (rc != -EINVAL)
            fail_msg("ip4_parse(\"%s\") = %d, want -EINVAL", cases[i], rc);
        assert_int_equal(out, 0x5a5a5a5a); /* untouched on error */
    }
}

static void test_ip4_format(void **state)
{
    char buf[IP4_STRLEN];
    (void)state;

    ip4_format(0, buf);
    assert_string_equal(buf, "0.0.0.0");
    ip4_format(UINT32_MAX, buf);
    assert_string_equal(buf, "255.255.255.255");
    assert_int_equal(strlen(buf), IP4_STRLEN - 1);
    ip4_format(IP4(10, 1, 20, 254), buf);
    assert_string_equal(buf, "10.1.20.254");
    ip4_format(IP4(172, 31, 0, 2), buf);
    assert_string_equal(buf, "172.31.0.2");
}

static void test_ip4_roundtrip(void **state)
{
    char buf[IP4_STRLEN];
    uint32_t seed = 12345;
    (void)state;

    for (int i = 0; i < 10000; i++) {
        uint32_t addr, back = 0;
        seed = seed * 1103515245u + 12345u;
        addr = seed ^ (seed >> 7) ^ (seed << 13);
        ip4_format(addr, buf);
        assert_int_equal(ip4_parse(buf, &back), 0);
        assert_int_equal(back, addr);
    }
}

/* ---- ip6_parse / ip6_format ---- */

static void test_ip6_parse_and_format(void **state)
{
    static const struct {
        const char *in;
        const char *canon;
    } cases[] = {
        {"2001:db8:0:0:0:0:0:1", "2001:db8::1"},
        {"2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
        {"::", "::"},
        {"0:0:0:0:0:0:0:0", "::"},
        {"::1", "::1"},
        {"0:0:0:0:0:0:0:1", "::1"},
        {"fd00:ec2::254", "fd00:ec2::254"},
        {"FD00:EC2:0:0::254", "fd00:ec2::254"},
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, /* single zero group is not "::" */
        {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},          /* longest run wins */
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},    /* first of equal runs wins */
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
        {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
        {"2600:1f18:abc:de00::", "2600:1f18:abc:de00::"},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint8_t addr[16];
        char buf[IP6_STRLEN];
        assert_int_equal(ip6_parse(cases[i].in, addr), 0);
        ip6_format(addr, buf);
        assert_string_equal(buf, cases[i].canon);
    }
}

static void test_ip6_parse_bytes(void **state)
{
    static const uint8_t want[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    uint8_t addr[16];
    (void)state;

    assert_int_equal(ip6_parse("2001:db8::1", addr), 0);
    assert_memory_equal(addr, want, 16);
}

static void test_ip6_parse_invalid(void **state)
{
    static const char *const cases[] = {
        "",
        ":",
        ":::",
        "1::2::3",
        "2001:db8::g",
        "12345::",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7",
        "2001:db8::1/64",
        " ::1",
        "::1 ",
        "fe80::1%eth0",
        "1.2.3.4",
        "::ffff:256.0.0.1",
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint8_t out[16];
        memset(out, 0xa5, sizeof(out));
        int rc = ip6_parse(cases[i], out);
        if (rc != -EINVAL)
            fail_msg("ip6_parse(\"%s\") = %d, want -EINVAL", cases[i], rc);
        for (size_t j = 0; j < 16; j++)
            assert_int_equal(out[j], 0xa5);
    }
}

/* ---- prefix4_mask / make / size / first / last ---- */

static void test_prefix4_mask(void **state)
{
    (void)state;
    assert_int_equal(prefix4_mask(0), 0);
    assert_int_equal(prefix4_mask(1), 0x80000000u);
    assert_int_equal(prefix4_mask(8), 0xff000000u);
    assert_int_equal(prefix4_mask(12), 0xfff00000u);
    assert_int_equal(prefix4_mask(16), 0xffff0000u);
    assert_int_equal(prefix4_mask(24), 0xffffff00u);
    assert_int_equal(prefix4_mask(31), 0xfffffffeu);
    assert_int_equal(prefix4_mask(32), 0xffffffffu);
    assert_int_equal(prefix4_mask(33), 0xffffffffu);
    assert_int_equal(prefix4_mask(255), 0xffffffffu);
    for (unsigned len = 0; len <= 32; len++) {
        uint32_t m = prefix4_mask((uint8_t)len);
        assert_int_equal(__builtin_popcount(m), len);
        assert_true((~m & (~m + 1)) == 0); /* host part is a contiguous low run */
    }
}

static void test_prefix4_make(void **state)
{
    struct prefix4 p;
    (void)state;

    p = prefix4_make(IP4(10, 1, 2, 3), 16);
    assert_int_equal(p.addr, IP4(10, 1, 0, 0));
    assert_int_equal(p.len, 16);
    p = prefix4_make(IP4(10, 1, 2, 3), 0);
    assert_int_equal(p.addr, 0);
    assert_int_equal(p.len, 0);
    p = prefix4_make(IP4(10, 1, 2, 3), 40);
    assert_int_equal(p.addr, IP4(10, 1, 2, 3));
    assert_int_equal(p.len, 32);
}

static void test_prefix4_size_first_last(void **state)
{
    struct prefix4 p;
    (void)state;

    p = p4("0.0.0.0/0");
    assert_true(prefix4_size(&p) == UINT64_C(4294967296));
    assert_int_equal(prefix4_first(&p), 0);
    assert_int_equal(prefix4_last(&p), UINT32_MAX);

    p = p4("10.0.0.0/8");
    assert_true(prefix4_size(&p) == 16777216);
    assert_int_equal(prefix4_last(&p), IP4(10, 255, 255, 255));

    p = p4("10.0.0.0/16");
    assert_true(prefix4_size(&p) == 65536);
    assert_int_equal(prefix4_last(&p), IP4(10, 0, 255, 255));

    p = p4("192.168.1.0/24");
    assert_true(prefix4_size(&p) == 256);
    assert_int_equal(prefix4_first(&p), IP4(192, 168, 1, 0));
    assert_int_equal(prefix4_last(&p), IP4(192, 168, 1, 255));

    p = p4("10.0.0.16/28");
    assert_true(prefix4_size(&p) == 16);
    assert_int_equal(prefix4_last(&p), IP4(10, 0, 0, 31));

    p = p4("10.0.0.6/31");
    assert_true(prefix4_size(&p) == 2);
    assert_int_equal(prefix4_last(&p), IP4(10, 0, 0, 7));

    p = p4("255.255.255.255/32");
    assert_true(prefix4_size(&p) == 1);
    assert_int_equal(prefix4_first(&p), UINT32_MAX);
    assert_int_equal(prefix4_last(&p), UINT32_MAX);

    /* Hand-built non-canonical prefix still reports its block. */
    p = (struct prefix4){IP4(10, 0, 0, 77), 24};
    assert_int_equal(prefix4_first(&p), IP4(10, 0, 0, 0));
    assert_int_equal(prefix4_last(&p), IP4(10, 0, 0, 255));
    p = (struct prefix4){0, 200};
    assert_true(prefix4_size(&p) == 1);
}

/* ---- prefix4_parse / prefix4_format ---- */

static void test_prefix4_parse_valid(void **state)
{
    static const struct {
        const char *text;
        uint32_t addr;
        uint8_t len;
    } cases[] = {
        {"10.0.0.0/16", IP4(10, 0, 0, 0), 16},       {"0.0.0.0/0", 0, 0},
        {"255.255.255.255/32", UINT32_MAX, 32},      {"172.31.0.0/16", IP4(172, 31, 0, 0), 16},
        {"192.168.0.0/28", IP4(192, 168, 0, 0), 28}, {"1.2.3.4/32", IP4(1, 2, 3, 4), 32},
        {"10.0.0.0/8", IP4(10, 0, 0, 0), 8},         {"10.0.0.0/9", IP4(10, 0, 0, 0), 9},
        {"100.64.0.0/10", IP4(100, 64, 0, 0), 10},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct prefix4 p = {0xdeadbeef, 99};
        assert_int_equal(prefix4_parse(cases[i].text, &p), 0);
        assert_int_equal(p.addr, cases[i].addr);
        assert_int_equal(p.len, cases[i].len);
    }
}

static void test_prefix4_parse_canonicalises(void **state)
{
    static const struct {
        const char *in;
        const char *canon;
    } cases[] = {
        {"100.68.0.18/18", "100.68.0.0/18"},    {"10.0.0.1/0", "0.0.0.0/0"},
        {"10.0.0.1/32", "10.0.0.1/32"},         {"10.0.0.1/31", "10.0.0.0/31"},
        {"10.1.2.3/8", "10.0.0.0/8"},           {"172.16.255.255/12", "172.16.0.0/12"},
        {"172.31.255.255/12", "172.16.0.0/12"}, {"192.168.1.130/25", "192.168.1.128/25"},
        {"255.255.255.255/1", "128.0.0.0/1"},   {"10.0.0.17/28", "10.0.0.16/28"},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct prefix4 p;
        char buf[PREFIX4_STRLEN];
        assert_int_equal(prefix4_parse(cases[i].in, &p), 0);
        prefix4_format(&p, buf);
        assert_string_equal(buf, cases[i].canon);
    }
}

static void test_prefix4_parse_invalid(void **state)
{
    static const char *const cases[] = {
        "",
        "/",
        "/8",
        "10.0.0.0",
        "10.0.0.0/",
        "256.0.0.0/8",
        "1.2.3/8",
        "1.2.3.4/33",
        "1.2.3.4/-1",
        "1.2.3.4/+8",
        "1.2.3.4/08",
        "1.2.3.4/00",
        "1.2.3.4/032",
        "1.2.3.4/ 8",
        "1.2.3.4 /8",
        "1.2.3.4/8 ",
        "1.2.3.4/8x",
        "1.2.3.4/8/8",
        "1.2.3.4//8",
        "1.2.3.4/100",
        "1.2.3.4/4294967304", /* 2^32 + 8: must not wrap to /8 */
        "1.2.3.4/99999999999999999999",
        "1.2.3.4/0x8",
        "1.2.3.4/8.0",
        "010.0.0.0/8",
        "10.0.0.0.0/8",
        "10.0.0/16",
        "a.b.c.d/8",
        "::/0",
        "10.0.0.0\n/8",
        "1.2.3.4/255.0.0.0",
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct prefix4 p = {0x5a5a5a5a, 77};
        int rc = prefix4_parse(cases[i], &p);
        if (rc != -EINVAL)
            fail_msg("prefix4_parse(\"%s\") = %d, want -EINVAL", cases[i], rc);
        assert_int_equal(p.addr, 0x5a5a5a5a);
        assert_int_equal(p.len, 77);
    }
}

static void test_prefix4_format_widest(void **state)
{
    char buf[PREFIX4_STRLEN];
    struct prefix4 p = {UINT32_MAX, 32};
    (void)state;

    prefix4_format(&p, buf);
    assert_string_equal(buf, "255.255.255.255/32");
    assert_int_equal(strlen(buf), PREFIX4_STRLEN - 1);
}

static void test_prefix4_roundtrip_all_lengths(void **state)
{
    (void)state;
    for (unsigned len = 0; len <= 32; len++) {
        char text[32], buf[PREFIX4_STRLEN];
        struct prefix4 p;
        snprintf(text, sizeof(text), "203.0.113.77/%u", len);
        assert_int_equal(prefix4_parse(text, &p), 0);
        assert_int_equal(p.len, len);
        assert_int_equal(p.addr, IP4(203, 0, 113, 77) & prefix4_mask((uint8_t)len));
        prefix4_format(&p, buf);
        struct prefix4 q;
        assert_int_equal(prefix4_parse(buf, &q), 0);
        assert_true(prefix4_equal(&p, &q));
        assert_int_equal(q.addr, p.addr);
    }
}

/* ---- prefix4 relations ---- */

static void test_prefix4_contains(void **state)
{
    static const struct {
        const char *outer, *inner;
        bool want;
    } cases[] = {
        {"10.0.0.0/16", "10.0.0.0/16", true},         {"10.0.0.0/16", "10.0.1.0/24", true},
        {"10.0.0.0/16", "10.0.255.240/28", true},     {"10.0.0.0/16", "10.1.0.0/24", false},
        {"10.0.0.0/24", "10.0.0.0/16", false},        {"10.0.0.0/8", "10.255.0.0/16", true},
        {"0.0.0.0/0", "255.255.255.255/32", true},    {"0.0.0.0/0", "0.0.0.0/0", true},
        {"10.0.0.0/32", "10.0.0.0/32", true},         {"10.0.0.0/32", "10.0.0.1/32", false},
        {"10.0.0.0/15", "10.1.0.0/16", true},         {"10.0.0.0/15", "10.2.0.0/16", false},
        {"172.16.0.0/12", "172.31.0.0/16", true},     {"172.16.0.0/12", "172.32.0.0/16", false},
        {"128.0.0.0/1", "127.255.255.255/32", false}, {"128.0.0.0/1", "128.0.0.0/32", true},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct prefix4 o = p4(cases[i].outer), n = p4(cases[i].inner);
        if (prefix4_contains(&o, &n) != cases[i].want)
            fail_msg("contains(%s, %s) != %d", cases[i].outer, cases[i].inner, cases[i].want);
    }
}

static void test_prefix4_overlaps(void **state)
{
    static const struct {
        const char *a, *b;
        bool want;
    } cases[] = {
        {"10.0.0.0/16", "10.0.0.0/16", true},        {"10.0.0.0/16", "10.0.128.0/17", true},
        {"10.0.0.0/16", "10.1.0.0/16", false},       {"10.0.0.0/8", "10.200.0.0/16", true},
        {"10.0.0.0/24", "10.0.1.0/24", false},       {"0.0.0.0/0", "192.168.0.0/16", true},
        {"192.168.0.0/16", "192.169.0.0/16", false}, {"10.0.0.0/32", "10.0.0.0/31", true},
        {"10.0.0.1/32", "10.0.0.0/32", false},       {"169.254.0.0/16", "169.254.169.0/24", true},
        {"100.64.0.0/10", "100.128.0.0/16", false},  {"100.64.0.0/10", "100.127.0.0/16", true},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct prefix4 a = p4(cases[i].a), b = p4(cases[i].b);
        if (prefix4_overlaps(&a, &b) != cases[i].want || prefix4_overlaps(&b, &a) != cases[i].want)
            fail_msg("overlaps(%s, %s) != %d", cases[i].a, cases[i].b, cases[i].want);
    }
}

static void test_prefix4_has_addr(void **state)
{
    struct prefix4 p = p4("10.0.1.0/24");
    struct prefix4 all = p4("0.0.0.0/0");
    struct prefix4 host = p4("10.0.0.5/32");
    (void)state;

    assert_true(prefix4_has_addr(&p, IP4(10, 0, 1, 0)));
    assert_true(prefix4_has_addr(&p, IP4(10, 0, 1, 255)));
    assert_true(prefix4_has_addr(&p, IP4(10, 0, 1, 128)));
    assert_false(prefix4_has_addr(&p, IP4(10, 0, 0, 255)));
    assert_false(prefix4_has_addr(&p, IP4(10, 0, 2, 0)));
    assert_true(prefix4_has_addr(&all, 0));
    assert_true(prefix4_has_addr(&all, UINT32_MAX));
    assert_true(prefix4_has_addr(&host, IP4(10, 0, 0, 5)));
    assert_false(prefix4_has_addr(&host, IP4(10, 0, 0, 4)));
    assert_false(prefix4_has_addr(&host, IP4(10, 0, 0, 6)));
}

static void test_prefix4_equal(void **state)
{
    struct prefix4 a = p4("10.0.0.0/16"), b = p4("10.0.9.9/16"), c = p4("10.0.0.0/17");
    struct prefix4 d = p4("10.1.0.0/16");
    struct prefix4 raw = {IP4(10, 0, 3, 3), 16}; /* non-canonical, same block */
    (void)state;

    assert_true(prefix4_equal(&a, &b));
    assert_false(prefix4_equal(&a, &c));
    assert_false(prefix4_equal(&a, &d));
    assert_true(prefix4_equal(&a, &raw));
    assert_true(prefix4_equal(&raw, &a));
}

/* Brute-force oracle: expand both blocks into address ranges inside a small universe. */
static bool oracle_overlaps(uint32_t a, unsigned alen, uint32_t b, unsigned blen)
{
    uint64_t a0 = a, a1 = a0 + (UINT64_C(1) << (32 - alen)) - 1;
    uint64_t b0 = b, b1 = b0 + (UINT64_C(1) << (32 - blen)) - 1;

    for (uint64_t x = a0; x <= a1; x++)
        if (x >= b0 && x <= b1)
            return true;
    return false;
}

static bool oracle_contains(uint32_t outer, unsigned olen, uint32_t inner, unsigned ilen)
{
    uint64_t o0 = outer, o1 = o0 + (UINT64_C(1) << (32 - olen)) - 1;
    uint64_t i0 = inner, i1 = i0 + (UINT64_C(1) << (32 - ilen)) - 1;

    for (uint64_t x = i0; x <= i1; x++)
        if (x < o0 || x > o1)
            return false;
    return true;
}

static void test_prefix4_differential(void **state)
{
    /* Prefixes of length 24..32 inside 10.0.0.0/23 keep the oracle cheap but hit every
     * nesting/disjoint/adjacent combination. Fixed seed for reproducibility. */
    uint32_t seed = 0xc0ffee;
    unsigned n_overlap = 0, n_contain = 0;
    (void)state;

    for (int i = 0; i < 20000; i++) {
        uint32_t r[4];
        for (int k = 0; k < 4; k++) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            r[k] = seed;
        }
        uint8_t alen = (uint8_t)(23 + r[0] % 10), blen = (uint8_t)(23 + r[1] % 10);
        struct prefix4 a = prefix4_make(IP4(10, 0, 0, 0) | (r[2] & 0x1ff), alen);
        struct prefix4 b = prefix4_make(IP4(10, 0, 0, 0) | (r[3] & 0x1ff), blen);
        bool ov = oracle_overlaps(a.addr, a.len, b.addr, b.len);
        bool ct = oracle_contains(a.addr, a.len, b.addr, b.len);

        assert_int_equal(prefix4_overlaps(&a, &b), ov);
        assert_int_equal(prefix4_overlaps(&b, &a), ov);
        assert_int_equal(prefix4_contains(&a, &b), ct);
        /* Containment is the subset relation, and mutual containment is equality. */
        assert_int_equal(prefix4_contains(&a, &b) && prefix4_contains(&b, &a),
                         prefix4_equal(&a, &b));
        for (uint32_t x = prefix4_first(&a); x <= prefix4_last(&a); x++)
            assert_true(prefix4_has_addr(&a, x));
        assert_false(prefix4_has_addr(&a, prefix4_last(&a) + 1));
        n_overlap += ov;
        n_contain += ct;
    }
    /* Guard against a degenerate generator that never exercises the true branches. */
    assert_true(n_overlap > 1000 && n_overlap < 19000);
    assert_true(n_contain > 500);
}

/* ---- prefix6 ---- */

static void test_prefix6_parse_and_format(void **state)
{
    static const struct {
        const char *in;
        const char *canon;
    } cases[] = {
        {"2001:db8::/32", "2001:db8::/32"},
        {"2001:db8:1234:5600::/56", "2001:db8:1234:5600::/56"},
        {"2001:db8:1234:56ff::1/56", "2001:db8:1234:5600::/56"},
        {"2001:db8:1234:5601:aaaa::1/64", "2001:db8:1234:5601::/64"},
        {"::/0", "::/0"},
        {"ffff::1/0", "::/0"},
        {"::1/128", "::1/128"},
        {"2001:DB8:0:0:0:0:0:1/128", "2001:db8::1/128"},
        {"fd00:ec2::/32", "fd00:ec2::/32"},
        {"fd00:ec2:ffff::/32", "fd00:ec2::/32"},
        {"2001:db8::ff/121", "2001:db8::80/121"},
        {"2001:db8::ff/127", "2001:db8::fe/127"},
        {"2001:db8:ffff::/33", "2001:db8:8000::/33"},
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/1", "8000::/1"},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct prefix6 p;
        char buf[PREFIX6_STRLEN];
        assert_int_equal(prefix6_parse(cases[i].in, &p), 0);
        prefix6_format(&p, buf);
        assert_string_equal(buf, cases[i].canon);
    }
}

static void test_prefix6_parse_invalid(void **state)
{
    static const char *const cases[] = {
        "",
        "/64",
        "2001:db8::",
        "2001:db8::/",
        "2001:db8::/129",
        "2001:db8::/-1",
        "2001:db8::/+64",
        "2001:db8::/064",
        "2001:db8::/64 ",
        "2001:db8:: /64",
        "2001:db8::/64/64",
        "2001:db8::/6x",
        "2001:db8::g/64",
        "10.0.0.0/8",
        "0000:0000:0000:0000:0000:0000:0000:0000:0000/64",
        "0000:0000:0000:0000:0000:ffff:255.255.255.255:0/64", /* longer than any valid form */
        "fe80::1%eth0/64",
        "2001:db8::/4294967360",
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct prefix6 p;
        memset(&p, 0xa5, sizeof(p));
        int rc = prefix6_parse(cases[i], &p);
        if (rc != -EINVAL)
            fail_msg("prefix6_parse(\"%s\") = %d, want -EINVAL", cases[i], rc);
        assert_int_equal(p.len, 0xa5);
        assert_int_equal(p.addr[0], 0xa5);
    }
}

static void test_prefix6_longest_text(void **state)
{
    /* 45-character address part: the longest text inet_pton accepts must still fit. */
    struct prefix6 p;
    char buf[PREFIX6_STRLEN];
    (void)state;

    assert_int_equal(prefix6_parse("0000:0000:0000:0000:0000:ffff:255.255.255.255/128", &p), 0);
    prefix6_format(&p, buf);
    assert_string_equal(buf, "::ffff:255.255.255.255/128");

    assert_int_equal(prefix6_parse("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128", &p), 0);
    prefix6_format(&p, buf);
    assert_string_equal(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
    assert_int_equal(strlen(buf), 43);
    assert_true(strlen(buf) < PREFIX6_STRLEN);
}

static void test_prefix6_relations(void **state)
{
    struct prefix6 v56 = p6("2001:db8:1234:5600::/56");
    struct prefix6 s0 = p6("2001:db8:1234:5600::/64");
    struct prefix6 sff = p6("2001:db8:1234:56ff::/64");
    struct prefix6 out = p6("2001:db8:1234:5700::/64");
    struct prefix6 all = p6("::/0");
    struct prefix6 v56b = p6("2001:db8:1234:56ab::/56");
    struct prefix6 odd = p6("2001:db8::/33");
    struct prefix6 odd_in = p6("2001:db8:7fff::/48");
    struct prefix6 odd_out = p6("2001:db8:8000::/48");
    (void)state;

    assert_true(prefix6_contains(&v56, &s0));
    assert_true(prefix6_contains(&v56, &sff));
    assert_false(prefix6_contains(&v56, &out));
    assert_false(prefix6_contains(&s0, &v56));
    assert_true(prefix6_contains(&v56, &v56));
    assert_true(prefix6_contains(&all, &v56));
    assert_true(prefix6_contains(&odd, &odd_in));
    assert_false(prefix6_contains(&odd, &odd_out));

    assert_true(prefix6_overlaps(&v56, &s0));
    assert_true(prefix6_overlaps(&s0, &v56));
    assert_false(prefix6_overlaps(&v56, &out));
    assert_false(prefix6_overlaps(&s0, &sff));
    assert_true(prefix6_overlaps(&all, &out));

    assert_true(prefix6_equal(&v56, &v56b));
    assert_false(prefix6_equal(&v56, &s0));
    assert_false(prefix6_equal(&s0, &sff));
}

static void test_prefix6_has_addr_and_last(void **state)
{
    struct prefix6 s = p6("2001:db8:1234:5601::/64");
    struct prefix6 h = p6("2001:db8::1/128");
    uint8_t a[16], last[16];
    char buf[IP6_STRLEN];
    (void)state;

    a6("2001:db8:1234:5601::", a);
    assert_true(prefix6_has_addr(&s, a));
    a6("2001:db8:1234:5601:ffff:ffff:ffff:ffff", a);
    assert_true(prefix6_has_addr(&s, a));
    a6("2001:db8:1234:5602::", a);
    assert_false(prefix6_has_addr(&s, a));
    a6("2001:db8:1234:5600:ffff:ffff:ffff:ffff", a);
    assert_false(prefix6_has_addr(&s, a));

    prefix6_last(&s, last);
    ip6_format(last, buf);
    assert_string_equal(buf, "2001:db8:1234:5601:ffff:ffff:ffff:ffff");

    a6("2001:db8::1", a);
    assert_true(prefix6_has_addr(&h, a));
    a6("2001:db8::2", a);
    assert_false(prefix6_has_addr(&h, a));
    prefix6_last(&h, last);
    ip6_format(last, buf);
    assert_string_equal(buf, "2001:db8::1");

    struct prefix6 p33 = p6("2001:db8::/33");
    prefix6_last(&p33, last);
    ip6_format(last, buf);
    assert_string_equal(buf, "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff");
}

static void test_prefix6_mask_addr_all_lengths(void **state)
{
    (void)state;
    for (unsigned len = 0; len <= 130; len++) {
        uint8_t a[16];
        unsigned ones = 0;
        memset(a, 0xff, sizeof(a));
        prefix6_mask_addr(a, (uint8_t)len);
        for (int i = 0; i < 16; i++)
            ones += (unsigned)__builtin_popcount(a[i]);
        assert_int_equal(ones, len > 128 ? 128 : len);
    }
}

/* Differential check of the IPv6 relations against the IPv4 ones: a /96-shifted embedding of
 * an IPv4 prefix must relate exactly as the original does. */
static void test_prefix6_differential_vs_v4(void **state)
{
    uint32_t seed = 0x1234567;
    (void)state;

    for (int i = 0; i < 20000; i++) {
        uint32_t r[4];
        for (int k = 0; k < 4; k++) {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            r[k] = seed;
        }
        struct prefix4 a4 =
            prefix4_make(IP4(10, 0, 0, 0) | (r[2] & 0x3ff), (uint8_t)(22 + r[0] % 11));
        struct prefix4 b4 =
            prefix4_make(IP4(10, 0, 0, 0) | (r[3] & 0x3ff), (uint8_t)(22 + r[1] % 11));
        struct prefix6 a6p = {{0x20, 0x01, 0x0d, 0xb8}, (uint8_t)(96 + a4.len)};
        struct prefix6 b6p = {{0x20, 0x01, 0x0d, 0xb8}, (uint8_t)(96 + b4.len)};
        for (int k = 0; k < 4; k++) {
            a6p.addr[12 + k] = (uint8_t)(a4.addr >> (24 - 8 * k));
            b6p.addr[12 + k] = (uint8_t)(b4.addr >> (24 - 8 * k));
        }
        assert_int_equal(prefix6_overlaps(&a6p, &b6p), prefix4_overlaps(&a4, &b4));
        assert_int_equal(prefix6_contains(&a6p, &b6p), prefix4_contains(&a4, &b4));
        assert_int_equal(prefix6_equal(&a6p, &b6p), prefix4_equal(&a4, &b4));
        assert_int_equal(prefix6_has_addr(&a6p, b6p.addr), prefix4_has_addr(&a4, b4.addr));
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_ip4_parse_valid),
    cmocka_unit_test(test_ip4_parse_invalid),
    cmocka_unit_test(test_ip4_format),
    cmocka_unit_test(test_ip4_roundtrip),
    cmocka_unit_test(test_ip6_parse_and_format),
    cmocka_unit_test(test_ip6_parse_bytes),
    cmocka_unit_test(test_ip6_parse_invalid),
    cmocka_unit_test(test_prefix4_mask),
    cmocka_unit_test(test_prefix4_make),
    cmocka_unit_test(test_prefix4_size_first_last),
    cmocka_unit_test(test_prefix4_parse_valid),
    cmocka_unit_test(test_prefix4_parse_canonicalises),
    cmocka_unit_test(test_prefix4_parse_invalid),
    cmocka_unit_test(test_prefix4_format_widest),
    cmocka_unit_test(test_prefix4_roundtrip_all_lengths),
    cmocka_unit_test(test_prefix4_contains),
    cmocka_unit_test(test_prefix4_overlaps),
    cmocka_unit_test(test_prefix4_has_addr),
    cmocka_unit_test(test_prefix4_equal),
    cmocka_unit_test(test_prefix4_differential),
    cmocka_unit_test(test_prefix6_parse_and_format),
    cmocka_unit_test(test_prefix6_parse_invalid),
    cmocka_unit_test(test_prefix6_longest_text),
    cmocka_unit_test(test_prefix6_relations),
    cmocka_unit_test(test_prefix6_has_addr_and_last),
    cmocka_unit_test(test_prefix6_mask_addr_all_lengths),
    cmocka_unit_test(test_prefix6_differential_vs_v4),
};

UNIT_MAIN(tests)
