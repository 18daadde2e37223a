/* Compiled VPC route tables against a naive walk over the model's routes: random static and
 * prefix-list routes, overlapping on purpose, and random destinations. */
#include "unit.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "fib/fib.h"
#include "model/resources.h"

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

struct env {
    struct model *m;
    struct scope *s;
    struct vpc *vpc;
    struct route_table *rt;
    char igw[ID_MAX];
};

static void env_init(struct env *e)
{
    struct model_config cfg;
    model_config_defaults(&cfg);
    cfg.routes_per_rtb = 100000;
    cfg.prefix_lists_per_region = 1000;
    e->m = model_new(&cfg);
    e->s = model_scope(e->m, "000000000000", "us-east-1");
    struct merr err = {0};
    struct vpc_create_args va = {.cidr = "10.0.0.0/16"};
    assert_int_equal(vpc_create(e->m, e->s, &va, &e->vpc, &err), 0);
    struct igw *g;
    assert_int_equal(igw_create(e->m, e->s, NULL, &g, &err), 0);
    assert_int_equal(igw_attach(e->m, e->s, g->hdr.id, e->vpc->hdr.id, &err), 0);
    snprintf(e->igw, sizeof e->igw, "%s", g->hdr.id);
    assert_int_equal(rtb_create(e->m, e->s, e->vpc->hdr.id, NULL, &e->rt, &err), 0);
}

/* Random IPv4 prefix outside the VPC, clustered so routes overlap. */
static void random_cidr(char buf[32])
{
    static const char *const bases[] = {"172.16", "172.17", "192.168", "10.1", "10.0"};
    unsigned b = rnd() % 5, len = 8 + rnd() % 25;
    if (b == 4 && len > 15)
        len = 8 + rnd() % 8; /* only supersets of the VPC's 10.0.0.0/16 */
    snprintf(buf, 32, "%s.%u.%u/%u", bases[b], rnd() % 4, rnd() % 256, len);
    struct prefix4 p;
    prefix4_parse(buf, &p);
    prefix4_format(&p, buf);
}

struct pick {
    char dst[PREFIX4_STRLEN];
    unsigned len;
    int rank;
    const char *target;
    bool blackhole;
};

/* The naive answer: every route (prefix lists expanded) that contains addr; longest wins, then
 * local, then a CIDR route, then a prefix-list route. */
static bool oracle(const struct env *e, uint32_t addr, struct pick *out)
{
    bool found = false;
    for (size_t i = 0; i < e->rt->n_routes; i++) {
        const struct route *r = &e->rt->routes[i];
        struct prefix4 cand[1000];
        size_t n = 0;
        int rank;
        if (r->family == 4) {
            cand[n++] = r->dst4;
            rank = strcmp(r->origin, "CreateRouteTable") == 0 ? 0 : 1;
        } else if (r->family == 0) {
            const struct prefix_list *pl = pl_find(e->m, e->s, r->dst_pl);
            for (size_t k = 0; pl && k < pl->n_entries; k++)
                if (prefix4_parse(pl->entries[k].cidr, &cand[n]) == 0)
                    n++;
            rank = 2;
        } else {
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            if (!prefix4_has_addr(&cand[k], addr))
                continue;
            if (!found || cand[k].len > out->len || (cand[k].len == out->len && rank < out->rank)) {
                found = true;
                out->len = cand[k].len;
                prefix4_format(&cand[k], out->dst);
                out->rank = rank;
                out->target = r->target;
                out->blackhole = strcmp(rtb_route_state(e->m, e->rt, r), "blackhole") == 0;
            }
        }
    }
    return found;
}

static void test_differential(void **state)
{
    (void)state;
    for (int round = 0; round < 15; round++) {
        struct env e;
        env_init(&e);
        struct merr err = {0};
        for (int i = 0; i < 60; i++) {
            char cidr[32];
            if (rnd() % 4 == 0) {
                struct pl_entry entries[6];
                size_t n = 1 + rnd() % 6;
                for (size_t k = 0; k < n; k++) {
                    memset(&entries[k], 0, sizeof entries[k]);
                    random_cidr(entries[k].cidr);
                }
                struct prefix_list *pl;
                char name[32];
                snprintf(name, sizeof name, "pl-%d-%d", round, i);
                if (pl_create(e.m, e.s, name, "IPv4", 10, entries, n, NULL, &pl, &err) != 0)
                    continue; /* duplicate entries in one list */
                struct route_dest_args d = {.prefix_list_id = pl->hdr.id};
                struct route_target_args t = {.gateway_id = e.igw};
                route_create(e.m, e.s, e.rt->hdr.id, &d, &t, &err);
            } else {
                random_cidr(cidr);
                struct route_dest_args d = {.cidr = cidr};
                struct route_target_args t = {.gateway_id = e.igw};
                route_create(e.m, e.s, e.rt->hdr.id, &d, &t, &err); /* duplicates are refused */
            }
        }
        assert_true(e.rt->n_routes >= 30); /* the random table is not trivially small */
        /* Every other round the gateway goes away: its routes turn blackhole. */
        if (round % 2)
            assert_int_equal(igw_detach(e.m, e.s, e.igw, e.vpc->hdr.id, &err), 0);
        struct fib_rtb fib;
        assert_int_equal(fib_rtb_compile(e.m, e.rt, &fib), 0);
        for (int q = 0; q < 5000; q++) {
            static const uint32_t bases[] = {0xac100000u, 0xac110000u, 0xc0a80000u, 0x0a010000u,
                                             0x0a000000u, 0x08080808u};
            uint32_t addr = bases[rnd() % 6] | (rnd() & 0x3ffff);
            uint32_t be = htonl(addr);
            struct pick want;
            bool has = oracle(&e, addr, &want);
            const struct fib_route *got = fib_rtb_lookup(&fib, 4, (const uint8_t *)&be);
            assert_int_equal(got != NULL, has);
            if (!has)
                continue;
            assert_int_equal(got->len, want.len);
            assert_string_equal(got->dst_text, want.dst);
            assert_string_equal(got->target, want.target);
            assert_int_equal(got->blackhole, want.blackhole);
            assert_int_equal(got->source == FIB_SRC_LOCAL ? 0
                             : got->source == FIB_SRC_STATIC ? 1
                                                             : 2,
                             want.rank);
        }
        fib_rtb_destroy(&fib);
        model_free(e.m);
    }
}

static void test_priorities(void **state)
{
    (void)state;
    struct env e;
    env_init(&e);
    struct merr err = {0};
    /* A prefix list and a static route with the same prefix: the static route wins. */
    struct pl_entry entries[1] = {{.cidr = "172.16.0.0/16"}};
    struct prefix_list *pl;
    assert_int_equal(pl_create(e.m, e.s, "same", "IPv4", 5, entries, 1, NULL, &pl, &err), 0);
    struct route_dest_args dpl = {.prefix_list_id = pl->hdr.id};
    struct route_target_args igw = {.gateway_id = e.igw};
    assert_int_equal(route_create(e.m, e.s, e.rt->hdr.id, &dpl, &igw, &err), 0);
    struct route_dest_args d16 = {.cidr = "172.16.0.0/16"};
    assert_int_equal(route_create(e.m, e.s, e.rt->hdr.id, &d16, &igw, &err), 0);
    struct fib_rtb fib;
    fib_rtb_compile(e.m, e.rt, &fib);
    uint8_t a[4] = {172, 16, 9, 9}, local[4] = {10, 0, 3, 4}, none[4] = {8, 8, 8, 8};
    const struct fib_route *r = fib_rtb_lookup(&fib, 4, a);
    assert_non_null(r);
    assert_int_equal(r->source, FIB_SRC_STATIC);
    assert_string_equal(r->target, e.igw);
    assert_false(r->blackhole);
    r = fib_rtb_lookup(&fib, 4, local);
    assert_int_equal(r->source, FIB_SRC_LOCAL);
    assert_string_equal(r->target, "local");
    assert_string_equal(r->dst_text, "10.0.0.0/16");
    assert_null(fib_rtb_lookup(&fib, 4, none));
    fib_rtb_destroy(&fib);
    /* Without the static route the list's entry serves, and its detached gateway blackholes. */
    assert_int_equal(route_delete(e.m, e.s, e.rt->hdr.id, &d16, &err), 0);
    assert_int_equal(igw_detach(e.m, e.s, e.igw, e.vpc->hdr.id, &err), 0);
    fib_rtb_compile(e.m, e.rt, &fib);
    r = fib_rtb_lookup(&fib, 4, a);
    assert_int_equal(r->source, FIB_SRC_PREFIX_LIST);
    assert_string_equal(r->pl_id, pl->hdr.id);
    assert_true(r->blackhole);
    fib_rtb_destroy(&fib);
    model_free(e.m);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_priorities),
    cmocka_unit_test(test_differential),
};

UNIT_MAIN(tests)
