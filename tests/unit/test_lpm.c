/* LPM against a linear-scan oracle on random IPv4 and IPv6 tables, with deletes. */
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

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_edges),
    cmocka_unit_test(test_random_ipv4),
    cmocka_unit_test(test_random_ipv6),
    cmocka_unit_test(test_many_deletes_keep_probing_right),
};

UNIT_MAIN(tests)
