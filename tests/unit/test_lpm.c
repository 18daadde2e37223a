/* LPM against a linear-scan oracle on random IPv4 and IPv6 tables, with deletes; the IPv4
 * batch lookup against the single lookup and the oracle; the top-level resizes, the pool
 * compaction and the "no route" value moving when a route takes it. */
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lpm.h"

struct oracle_route {
    uint8_t addr[16];
    uint8_t len;
    uint32_t value;
    bool live;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static bool prefix_has(const uint8_t *p, uint8_t len, const uint8_t *addr)
{
    for (unsigned bit = 0; bit < len; bit++) {
        uint8_t m = (uint8_t)(0x80u >> (bit % 8));
        if ((p[bit / 8] & m) != (addr[bit / 8] & m))
            return false;
    }
    return true;
}

static bool same_prefix(const uint8_t *a, const uint8_t *b, uint8_t len)
{
    return prefix_has(a, len, b);
}

/* Longest live route containing addr, by scanning everything. */
static const struct oracle_route *oracle_lookup(const struct oracle_route *r, size_t n,
                                                const uint8_t *addr)
{
    const struct oracle_route *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (r[i].live && prefix_has(r[i].addr, r[i].len, addr) && (!best || r[i].len > best->len))
            best = &r[i];
    return best;
}

/* Addresses clustered like VPC space (a few /16s) so routes nest and overlap often. */
static void random_addr(uint8_t *a, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        a[i] = (uint8_t)rnd();
    a[0] = (uint8_t)(10 + rnd() % 3);
    a[1] = (uint8_t)(rnd() % 4);
}

static uint8_t random_len(unsigned max_len)
{
    static const uint8_t common4[] = {0, 8, 16, 20, 24, 28, 32};
    static const uint8_t common6[] = {0, 32, 48, 56, 64, 128};
    if (rnd() % 2)
        return max_len == 32 ? common4[rnd() % sizeof common4] : common6[rnd() % sizeof common6];
    return (uint8_t)(rnd() % (max_len + 1));
}

static void check_family(int family, size_t n_routes, size_t n_queries)
{
    unsigned bytes = family == 4 ? 4 : 16, max_len = family == 4 ? 32 : 128;
    struct lpm *t = lpm_new(family);
    assert_non_null(t);
    struct oracle_route *routes = calloc(n_routes, sizeof *routes);
    size_t n = 0, live = 0;
    for (size_t round = 0; round < 3 * n_routes; round++) {
        unsigned action = rnd() % 10;
        if (action < 6 && n < n_routes) {
            struct oracle_route *r = &routes[n];
            random_addr(r->addr, bytes);
            r->len = random_len(max_len);
            r->value = (uint32_t)round;
            /* The oracle keeps one live entry per prefix, like the table. */
            struct oracle_route *dup = NULL;
            for (size_t i = 0; i < n; i++)
                if (routes[i].live && routes[i].len == r->len &&
                    same_prefix(routes[i].addr, r->addr, r->len))
                    dup = &routes[i];
            int rc = lpm_insert(t, r->addr, r->len, r->value);
            assert_int_equal(rc, dup ? 1 : 0);
            if (dup)
                dup->live = false;
            else
                live++;
            r->live = true;
            n++;
        } else if (action < 9 && n > 0) {
            /* Deleting works on the prefix: it removes whichever entry holds it now. */
            const struct oracle_route *pick = &routes[rnd() % n];
            struct oracle_route *holder = NULL;
            for (size_t i = 0; i < n; i++)
                if (routes[i].live && routes[i].len == pick->len &&
                    same_prefix(routes[i].addr, pick->addr, pick->len))
                    holder = &routes[i];
            int rc = lpm_delete(t, pick->addr, pick->len);
            assert_int_equal(rc, holder ? 0 : -ENOENT);
            if (holder) {
                holder->live = false;
                live--;
            }
        }
        assert_int_equal(lpm_count(t), live);
        /* Query both random addresses and addresses inside live routes. */
        for (size_t q = 0; q < n_queries / (3 * n_routes) + 1; q++) {
            uint8_t addr[16];
            random_addr(addr, bytes);
            if (n && rnd() % 2) {
                const struct oracle_route *r = &routes[rnd() % n];
                memcpy(addr, r->addr, bytes);
                addr[bytes - 1] ^= (uint8_t)(rnd() % 4);
            }
            const struct oracle_route *want = oracle_lookup(routes, n, addr);
            uint32_t got = 0;
            uint8_t got_len = 0;
            bool found = lpm_lookup(t, addr, &got, &got_len);
            assert_int_equal(found, want != NULL);
            if (want) {
                assert_int_equal(got_len, want->len);
                assert_int_equal(got, want->value);
            }
        }
    }
    free(routes);
    lpm_free(t);
}

static void test_random_ipv4(void **state)
{
    (void)state;
    for (int table = 0; table < 20; table++)
        check_family(4, 300, 20000);
}

static void test_random_ipv6(void **state)
{
    (void)state;
    for (int table = 0; table < 20; table++)
        check_family(6, 300, 20000);
}

static void test_edges(void **state)
{
    (void)state;
    struct lpm *t = lpm_new(4);
    uint8_t any[4] = {0}, host[4] = {10, 0, 1, 5}, net[4] = {10, 0, 1, 77};
    uint32_t v = 0;
    uint8_t len = 0;
    assert_false(lpm_lookup(t, host, &v, &len));
    assert_int_equal(lpm_insert(t, any, 0, 7), 0);
    assert_true(lpm_lookup(t, host, &v, &len));
    assert_int_equal(v, 7);
    assert_int_equal(len, 0);
    /* Host bits are ignored: 10.0.1.77/24 is 10.0.1.0/24. */
    assert_int_equal(lpm_insert(t, net, 24, 8), 0);
    assert_int_equal(lpm_insert(t, host, 24, 9), 1);
    assert_true(lpm_get(t, (const uint8_t[]){10, 0, 1, 0}, 24, &v));
    assert_int_equal(v, 9);
    assert_int_equal(lpm_insert(t, host, 32, 10), 0);
    assert_true(lpm_lookup(t, host, &v, &len));
    assert_int_equal(len, 32);
    assert_true(lpm_lookup(t, net, &v, &len));
    assert_int_equal(len, 24);
    assert_int_equal(lpm_insert(t, host, 33, 1), -EINVAL);
    assert_int_equal(lpm_delete(t, host, 33), -ENOENT);
    assert_int_equal(lpm_delete(t, host, 31), -ENOENT);
    assert_int_equal(lpm_delete(t, host, 32), 0);
    assert_int_equal(lpm_delete(t, host, 32), -ENOENT);
    assert_true(lpm_lookup(t, host, &v, &len));
    assert_int_equal(len, 24);
    assert_int_equal(lpm_count(t), 2);
    assert_true(lpm_memory(t) > 0);
    assert_null(lpm_new(5));
    lpm_free(t);
    lpm_free(NULL);
}

static void test_many_deletes_keep_probing_right(void **state)
{
    (void)state;
    /* Fill and empty one length repeatedly: tombstones must not hide live keys. */
    struct lpm *t = lpm_new(4);
    for (int round = 0; round < 5; round++) {
        for (uint32_t i = 0; i < 2000; i++) {
            uint8_t a[4] = {10, (uint8_t)(i >> 8), (uint8_t)i, 0};
            assert_int_equal(lpm_insert(t, a, 24, i), 0);
        }
        for (uint32_t i = 0; i < 2000; i += 2) {
            uint8_t a[4] = {10, (uint8_t)(i >> 8), (uint8_t)i, 0};
            assert_int_equal(lpm_delete(t, a, 24), 0);
        }
        for (uint32_t i = 0; i < 2000; i++) {
            uint8_t a[4] = {10, (uint8_t)(i >> 8), (uint8_t)i, 9};
            uint32_t v;
            assert_int_equal(lpm_lookup(t, a, &v, NULL), i % 2 == 1);
            if (i % 2)
                assert_int_equal(v, i);
        }
        for (uint32_t i = 1; i < 2000; i += 2) {
            uint8_t a[4] = {10, (uint8_t)(i >> 8), (uint8_t)i, 0};
            assert_int_equal(lpm_delete(t, a, 24), 0);
        }
        assert_int_equal(lpm_count(t), 0);
    }
    lpm_free(t);
}

/* Every address in addrs: single lookup, batch lookup and oracle agree. */
static void check_batch(const struct lpm *t, const struct oracle_route *routes, size_t n,
                        const uint32_t *addrs_be, size_t n_addrs)
{
    uint32_t *vals = calloc(n_addrs, sizeof *vals);
    bool *found = calloc(n_addrs, sizeof *found);
    lpm_lookup4_batch(t, addrs_be, n_addrs, vals, found);
    for (size_t i = 0; i < n_addrs; i++) {
        const struct oracle_route *want = oracle_lookup(routes, n, (const uint8_t *)&addrs_be[i]);
        uint32_t one = 0;
        bool f = lpm_lookup(t, (const uint8_t *)&addrs_be[i], &one, NULL);
        assert_int_equal(found[i], want != NULL);
        assert_int_equal(f, want != NULL);
        assert_int_equal(vals[i], want ? want->value : 0);
        if (want)
            assert_int_equal(one, want->value);
    }
    free(vals);
    free(found);
}

/* Random addresses (in and out of the VPC-like space) and addresses next to route ends. */
static size_t batch_addrs(const struct oracle_route *routes, size_t n, uint32_t *out, size_t max)
{
    size_t k = 0;
    while (k < max) {
        uint8_t a[4];
        random_addr(a, 4);
        if (rnd() % 4 == 0) {
            uint32_t r = rnd();
            memcpy(a, &r, 4);
        } else if (n && rnd() % 2) {
            const struct oracle_route *r = &routes[rnd() % n];
            memcpy(a, r->addr, 4);
            a[3] ^= (uint8_t)(rnd() % 4);
        }
        memcpy(&out[k++], a, 4);
    }
    return k;
}

/* A table big enough for the 2^16 top level, churned: batch == single == oracle after every
 * phase, including odd batch sizes (the vector path's tail). */
static void test_batch_matches_oracle(void **state)
{
    (void)state;
    enum { N = 2500, Q = 3001 };
    struct oracle_route *routes = calloc(N, sizeof *routes);
    uint32_t *addrs = calloc(Q, sizeof *addrs);
    struct lpm *t = lpm_new(4);
    size_t n = 0;
    for (; n < N; n++) {
        struct oracle_route *r = &routes[n];
        random_addr(r->addr, 4);
        r->len = random_len(32);
        r->value = (uint32_t)n * 7u;
        for (size_t i = 0; i < n; i++)
            if (routes[i].live && routes[i].len == r->len &&
                same_prefix(routes[i].addr, r->addr, r->len))
                routes[i].live = false;
        lpm_insert(t, r->addr, r->len, r->value);
        r->live = true;
    }
    batch_addrs(routes, n, addrs, Q);
    check_batch(t, routes, n, addrs, Q);
    for (size_t q = 1; q < 40; q++)
        check_batch(t, routes, n, addrs + q, q);
    /* Delete two thirds (including whatever /0 and /32s there are), then re-add some. */
    for (size_t i = 0; i < n; i++)
        if (routes[i].live && rnd() % 3) {
            assert_int_equal(lpm_delete(t, routes[i].addr, routes[i].len), 0);
            routes[i].live = false;
        }
    check_batch(t, routes, n, addrs, Q);
    for (size_t i = 0; i < n; i += 5) {
        if (routes[i].live)
            continue;
        bool shadowed = false;
        for (size_t j = 0; j < n; j++)
            shadowed |= routes[j].live && routes[j].len == routes[i].len &&
                        same_prefix(routes[j].addr, routes[i].addr, routes[i].len);
        if (shadowed)
            continue;
        routes[i].value ^= 0x5a5a;
        assert_int_equal(lpm_insert(t, routes[i].addr, routes[i].len, routes[i].value), 0);
        routes[i].live = true;
    }
    check_batch(t, routes, n, addrs, Q);
    lpm_free(t);
    free(addrs);
    free(routes);
}

/* Replacing a route's value must reach every copy: top-level leaves and node leaves, for a
 * short route (covering many top-level entries) and a long one. */
static void test_replace_updates_all_leaves(void **state)
{
    (void)state;
    struct lpm *t = lpm_new(4);
    /* Enough routes for the 2^16 top level; 10.0.0.0/8 holds nodes under 10.0-10.255. */
    for (uint32_t i = 0; i < 1200; i++) {
        uint8_t a[4] = {10, (uint8_t)(i % 256), (uint8_t)(i / 256 * 16), 0};
        assert_int_equal(lpm_insert(t, a, 28, i), 0);
    }
    uint8_t net8[4] = {10, 0, 0, 0}, any[4] = {0};
    assert_int_equal(lpm_insert(t, net8, 8, 5000), 0);
    assert_int_equal(lpm_insert(t, any, 0, 6000), 0);
    uint8_t in8[4] = {10, 3, 200, 1}, out[4] = {11, 0, 0, 1}, in28[4] = {10, 7, 0, 9};
    uint32_t v = 0, be[3];
    memcpy(&be[0], in8, 4);
    memcpy(&be[1], out, 4);
    memcpy(&be[2], in28, 4);
    uint32_t vals[3];
    bool found[3];
    assert_int_equal(lpm_insert(t, net8, 8, 5001), 1);
    assert_int_equal(lpm_insert(t, any, 0, 6001), 1);
    assert_int_equal(lpm_insert(t, in28, 28, 7), 1);
    lpm_lookup4_batch(t, be, 3, vals, found);
    assert_true(found[0] && found[1] && found[2]);
    assert_int_equal(vals[0], 5001);
    assert_int_equal(vals[1], 6001);
    assert_int_equal(vals[2], 7);
    assert_true(lpm_lookup(t, in8, &v, NULL));
    assert_int_equal(v, 5001);
    lpm_free(t);
}

/* UINT32_MAX is a legal value even though the table uses one value internally for "no
 * route": taking it moves the internal one, and misses stay misses. */
static void test_value_uint32_max(void **state)
{
    (void)state;
    struct lpm *t = lpm_new(4);
    uint8_t a[4] = {10, 1, 0, 0}, b[4] = {10, 2, 0, 0}, miss[4] = {192, 0, 2, 1};
    assert_int_equal(lpm_insert(t, a, 16, UINT32_MAX), 0);
    assert_int_equal(lpm_insert(t, b, 16, UINT32_MAX - 1), 0);
    uint32_t be[3], vals[3], v = 0;
    bool found[3];
    memcpy(&be[0], a, 4);
    memcpy(&be[1], b, 4);
    memcpy(&be[2], miss, 4);
    lpm_lookup4_batch(t, be, 3, vals, found);
    assert_true(found[0]);
    assert_int_equal(vals[0], UINT32_MAX);
    assert_true(found[1]);
    assert_int_equal(vals[1], UINT32_MAX - 1);
    assert_false(found[2]);
    assert_int_equal(vals[2], 0);
    assert_false(lpm_lookup(t, miss, &v, NULL));
    /* A replace can take the new internal value too. */
    uint8_t c[4] = {10, 3, 0, 0};
    assert_int_equal(lpm_insert(t, c, 16, 1), 0);
    assert_int_equal(lpm_insert(t, c, 16, UINT32_MAX - 2), 1);
    memcpy(&be[2], c, 4);
    lpm_lookup4_batch(t, be, 3, vals, found);
    assert_true(found[2]);
    assert_int_equal(vals[2], UINT32_MAX - 2);
    assert_true(lpm_lookup(t, c, &v, NULL));
    assert_int_equal(v, UINT32_MAX - 2);
    assert_false(lpm_lookup(t, miss, &v, NULL));
    lpm_free(t);
}

/* Memory follows the table: a 1,000-route VPC-like table stays under 1 MiB, the top level
 * grows with the table and shrinks back, and heavy churn does not grow the pools without
 * bound (compaction). Lookups stay exact throughout. */
static void test_memory_follows_table(void **state)
{
    (void)state;
    struct lpm *t = lpm_new(4);
    size_t empty = lpm_memory(t);
    assert_true(empty < 4096);
    for (uint32_t i = 0; i < 1000; i++) {
        uint8_t a[4] = {10, (uint8_t)(i % 64), (uint8_t)(i / 64 * 8), 0};
        assert_int_equal(lpm_insert(t, a, (uint8_t)(20 + i % 9), i), 0);
    }
    size_t k1 = lpm_memory(t);
    assert_true(k1 < 1024 * 1024);
    assert_true(k1 > empty);
    for (uint32_t i = 0; i < 1000; i++) {
        uint8_t a[4] = {10, (uint8_t)(i % 64), (uint8_t)(i / 64 * 8), 0};
        if (i >= 8)
            assert_int_equal(lpm_delete(t, a, (uint8_t)(20 + i % 9)), 0);
    }
    assert_int_equal(lpm_count(t), 8);
    assert_true(lpm_memory(t) < k1 / 4);
    for (uint32_t i = 0; i < 8; i++) {
        uint8_t a[4] = {10, (uint8_t)i, (uint8_t)(i / 64 * 8), 1};
        uint32_t v;
        uint8_t len;
        assert_true(lpm_lookup(t, a, &v, &len));
        assert_int_equal(v, i);
        assert_int_equal(len, 20 + i % 9);
    }
    /* Churn one big table: insert and delete 20,000 /24s in waves of 4,000. */
    for (int wave = 0; wave < 5; wave++) {
        for (uint32_t i = 0; i < 4000; i++) {
            uint8_t a[4] = {(uint8_t)(20 + wave), (uint8_t)(i >> 4), (uint8_t)(i * 16), 0};
            assert_int_equal(lpm_insert(t, a, 24, i), 0);
        }
        for (uint32_t i = 0; i < 4000; i++) {
            uint8_t a[4] = {(uint8_t)(20 + wave), (uint8_t)(i >> 4), (uint8_t)(i * 16), 0};
            if (i % 4)
                assert_int_equal(lpm_delete(t, a, 24), 0);
        }
    }
    for (int wave = 0; wave < 5; wave++)
        for (uint32_t i = 0; i < 4000; i++) {
            uint8_t a[4] = {(uint8_t)(20 + wave), (uint8_t)(i >> 4), (uint8_t)(i * 16), 7};
            uint32_t v = 0;
            assert_int_equal(lpm_lookup(t, a, &v, NULL), i % 4 == 0);
            if (i % 4 == 0)
                assert_int_equal(v, i);
        }
    assert_int_equal(lpm_count(t), 8 + 5 * 1000);
    assert_true(lpm_memory(t) < 4 * 1024 * 1024);
    lpm_free(t);
}

/* /0 and /128 in IPv6, and a /0 removed from under longer routes. */
static void test_ipv6_edges(void **state)
{
    (void)state;
    struct lpm *t = lpm_new(6);
    uint8_t any[16] = {0}, host[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    uint8_t net[16] = {0x20, 0x01, 0x0d, 0xb8}, other[16] = {0x20, 0x01, 0x0d, 0xb9, [15] = 1};
    uint32_t v = 0;
    uint8_t len = 0;
    assert_int_equal(lpm_insert(t, host, 128, 1), 0);
    assert_int_equal(lpm_insert(t, net, 32, 2), 0);
    assert_int_equal(lpm_insert(t, any, 0, 3), 0);
    assert_true(lpm_lookup(t, host, &v, &len));
    assert_int_equal(v, 1);
    assert_int_equal(len, 128);
    host[15] = 2;
    assert_true(lpm_lookup(t, host, &v, &len));
    assert_int_equal(v, 2);
    assert_int_equal(len, 32);
    assert_true(lpm_lookup(t, other, &v, &len));
    assert_int_equal(v, 3);
    assert_int_equal(len, 0);
    assert_int_equal(lpm_delete(t, any, 0), 0);
    assert_false(lpm_lookup(t, other, &v, &len));
    assert_true(lpm_lookup(t, host, &v, &len));
    assert_int_equal(v, 2);
    assert_int_equal(lpm_insert(t, any, 129, 1), -EINVAL);
    lpm_free(t);
}

static void test_random_ipv4_large(void **state)
{
    (void)state;
    for (int table = 0; table < 2; table++)
        check_family(4, 3000, 30000);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_edges),
    cmocka_unit_test(test_random_ipv4),
    cmocka_unit_test(test_random_ipv6),
    cmocka_unit_test(test_many_deletes_keep_probing_right),
    cmocka_unit_test(test_batch_matches_oracle),
    cmocka_unit_test(test_replace_updates_all_leaves),
    cmocka_unit_test(test_value_uint32_max),
    cmocka_unit_test(test_memory_follows_table),
    cmocka_unit_test(test_ipv6_edges),
    cmocka_unit_test(test_random_ipv4_large),
};

UNIT_MAIN(tests)
