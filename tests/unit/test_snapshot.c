/* Incremental snapshots: after every change, a snapshot built from the previous one prints
 * exactly like one built from scratch, and only the tables the change touched were compiled. */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "fib/snapshot.h"
#include "lib/strbuf.h"
#include "model/resources.h"

static uint64_t rng = 0x853c49e6748fea9bull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

struct world {
    struct model *m;
    struct scope *s;
    struct merr err;
    char vpcs[3][ID_MAX];
    char rtbs[6][ID_MAX];
    char acls[3][ID_MAX];
    char subnets[6][ID_MAX];
    char igws[3][ID_MAX];
    char pcx[ID_MAX];
    char tgw[ID_MAX];
    char tgw_rtb[ID_MAX];
    char attach[3][ID_MAX];
};

static void world_init(struct world *w)
{
    memset(w, 0, sizeof *w);
    struct model_config cfg;
    model_config_defaults(&cfg);
    cfg.routes_per_rtb = 1000;
    w->m = model_new(&cfg);
    w->s = model_scope(w->m, "000000000000", "us-east-1");
    struct tgw_opts o = {-1, -1, -1, -1, -1, -1, -1, 0, NULL, NULL, NULL, 0, NULL, 0};
    struct tgw *t;
    assert_int_equal(tgw_create(w->m, w->s, "t", &o, NULL, &t, &w->err), 0);
    snprintf(w->tgw, ID_MAX, "%s", t->hdr.id);
    snprintf(w->tgw_rtb, ID_MAX, "%s", t->assoc_rtb);
    for (int v = 0; v < 3; v++) {
        char cidr[32];
        snprintf(cidr, sizeof cidr, "10.%d.0.0/16", v);
        struct vpc_create_args va = {.cidr = cidr};
        struct vpc *vpc;
        assert_int_equal(vpc_create(w->m, w->s, &va, &vpc, &w->err), 0);
        snprintf(w->vpcs[v], ID_MAX, "%s", vpc->hdr.id);
        snprintf(w->acls[v], ID_MAX, "%s", vpc->default_acl_id);
        struct igw *g;
        assert_int_equal(igw_create(w->m, w->s, NULL, &g, &w->err), 0);
        assert_int_equal(igw_attach(w->m, w->s, g->hdr.id, w->vpcs[v], &w->err), 0);
        snprintf(w->igws[v], ID_MAX, "%s", g->hdr.id);
        for (int k = 0; k < 2; k++) {
            snprintf(cidr, sizeof cidr, "10.%d.%d.0/24", v, k);
            struct subnet_create_args sa = {.vpc_id = w->vpcs[v], .cidr = cidr, .az = "us-east-1a"};
            struct subnet *sn;
            assert_int_equal(subnet_create(w->m, w->s, &sa, &sn, &w->err), 0);
            snprintf(w->subnets[v * 2 + k], ID_MAX, "%s", sn->hdr.id);
            struct route_table *rt;
            assert_int_equal(rtb_create(w->m, w->s, w->vpcs[v], NULL, &rt, &w->err), 0);
            snprintf(w->rtbs[v * 2 + k], ID_MAX, "%s", rt->hdr.id);
            const char *assoc;
            assert_int_equal(
                rtb_associate(w->m, w->s, rt->hdr.id, sn->hdr.id, NULL, &assoc, &w->err), 0);
        }
        const char *subs[1] = {w->subnets[v * 2]};
        struct tgw_vpc_attach_args aa = {.tgw_id = w->tgw,
                                         .vpc_id = w->vpcs[v],
                                         .subnet_ids = subs,
                                         .n_subnets = 1,
                                         .dns_support = -1,
                                         .ipv6_support = -1,
                                         .appliance_mode = -1,
                                         .sg_ref = -1};
        struct tgw_attach *at;
        assert_int_equal(tgw_vpc_attach_create(w->m, w->s, &aa, &at, &w->err), 0);
        snprintf(w->attach[v], ID_MAX, "%s", at->hdr.id);
    }
    struct pcx *p;
    struct pcx_create_args ca = {.vpc_id = w->vpcs[0], .peer_vpc_id = w->vpcs[1]};
    assert_int_equal(pcx_create(w->m, w->s, &ca, &p, &w->err), 0);
    snprintf(w->pcx, ID_MAX, "%s", p->hdr.id);
}

static char *printed(const struct fib_snapshot *s)
{
    struct strbuf sb;
    strbuf_init(&sb);
    fib_snapshot_print(s, &sb);
    return strbuf_steal(&sb);
}

/* One random change; returns how many compiled tables it may touch at most (-1: no bound). */
static int mutate(struct world *w)
{
    char cidr[32];
    snprintf(cidr, sizeof cidr, "%u.%u.%u.0/24", 100 + rnd() % 50, rnd() % 256, rnd() % 256);
    int v = (int)(rnd() % 3);
    switch (rnd() % 8) {
    case 0: { /* a route to the IGW: one table */
        struct route_dest_args d = {.cidr = cidr};
        struct route_target_args t = {.gateway_id = w->igws[v]};
        return route_create(w->m, w->s, w->rtbs[v * 2 + rnd() % 2], &d, &t, &w->err) == 0 ? 1 : 0;
    }
    case 1: { /* a route to the TGW */
        struct route_dest_args d = {.cidr = cidr};
        struct route_target_args t = {.tgw_id = w->tgw};
        return route_create(w->m, w->s, w->rtbs[v * 2 + rnd() % 2], &d, &t, &w->err) == 0 ? 1 : 0;
    }
    case 2: { /* a NACL entry: one ACL */
        struct nacl_entry e = {.rule_number = 1 + (int)(rnd() % 300),
                               .egress = rnd() % 2,
                               .protocol = 6,
                               .allow = rnd() % 2,
                               .has_ports = true,
                               .port_from = 80,
                               .port_to = 443};
        prefix4_parse(cidr, &e.cidr4);
        return nacl_entry_put(w->m, w->s, w->acls[v], &e, false, &w->err) == 0 ? 1 : 0;
    }
    case 3: { /* a TGW static route: the TGW table */
        struct tgw_route_view rv;
        return tgw_route_put(w->m, w->s, w->tgw_rtb, cidr, rnd() % 2 ? w->attach[v] : NULL, true,
                             false, &rv, &w->err) == 0
                   ? 1
                   : 0;
    }
    case 4: /* the peering becomes active: tables routing to it change state */
        if (rnd() % 4 == 0) {
            struct pcx *p;
            pcx_accept(w->m, w->s, w->pcx, &p, &w->err);
        }
        return -1;
    case 5: { /* a route to the peering */
        struct route_dest_args d = {.cidr = v == 0 ? "10.1.0.0/16" : "10.0.0.0/16"};
        struct route_target_args t = {.pcx_id = w->pcx};
        int t_i = (v == 0 ? 0 : 1) * 2 + (int)(rnd() % 2);
        return route_create(w->m, w->s, w->rtbs[t_i], &d, &t, &w->err) == 0 ? 1 : 0;
    }
    case 6: /* an IGW detached and attached again: tables routing to it */
        if (igw_detach(w->m, w->s, w->igws[v], w->vpcs[v], &w->err) == 0)
            igw_attach(w->m, w->s, w->igws[v], w->vpcs[v], &w->err);
        return -1;
    default: { /* a route deleted */
        struct route_table *rt = rtb_find(w->m, w->s, w->rtbs[v * 2 + rnd() % 2]);
        for (size_t i = 0; i < rt->n_routes; i++)
            if (rt->routes[i].family == 4 && strcmp(rt->routes[i].origin, "CreateRoute") == 0) {
                char dst[PREFIX4_STRLEN];
                prefix4_format(&rt->routes[i].dst4, dst);
                struct route_dest_args d = {.cidr = dst};
                return route_delete(w->m, w->s, rt->hdr.id, &d, &w->err) == 0 ? 1 : 0;
            }
        return 0;
    }
    }
}

static void incremental_equals_full(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    struct fib_snapshot *prev = fib_snapshot_build(w.m);
    size_t reused_total = 0;
    for (int step = 0; step < 400; step++) {
        int bound = mutate(&w);
        struct fib_snapshot *inc = fib_snapshot_build_from(w.m, prev);
        struct fib_snapshot *full = fib_snapshot_build(w.m);
        char *a = printed(inc), *b = printed(full);
        if (strcmp(a, b) != 0)
            fail_msg("step %d: incremental snapshot differs from a full build:\n%s\n----\n%s", step,
                     a, b);
        if (bound >= 0 && inc->n_compiled > (size_t)bound)
            fail_msg("step %d: %zu tables compiled for a change that touches %d", step,
                     inc->n_compiled, bound);
        reused_total += inc->n_reused;
        free(a);
        free(b);
        fib_snapshot_unref(full);
        fib_snapshot_unref(prev);
        prev = inc;
    }
    assert_true(reused_total > 400 * 5);
    fib_snapshot_unref(prev);
    model_free(w.m);
}

static void assert_same_as_full(const struct model *m, const struct fib_snapshot *inc)
{
    struct fib_snapshot *full = fib_snapshot_build(m);
    char *a = printed(inc), *b = printed(full);
    if (strcmp(a, b) != 0)
        fail_msg("the snapshot differs from a full build:\n%s\n----\n%s", a, b);
    free(a);
    free(b);
    fib_snapshot_unref(full);
}

/* A route to the internet gateway of VPC v (the table's VPC). */
static int add_route(struct world *w, const char *rtb, int v, int k)
{
    char cidr[32];
    snprintf(cidr, sizeof cidr, "203.0.%d.%d/32", k / 256, k % 256);
    struct route_dest_args d = {.cidr = cidr};
    struct route_target_args t = {.gateway_id = w->igws[v]};
    return route_create(w->m, w->s, rtb, &d, &t, &w->err);
}

/* A change of routes only: the new snapshot shares everything else with the old one (base) and
 * compiles one table; a change of associations, or of anything else, is a full build. Each
 * snapshot outlives the one it came from, as the data plane's do. */
static void route_only_changes_share_the_rest(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    struct fib_snapshot *prev = fib_snapshot_build(w.m);
    assert_null(prev->base);

    assert_int_equal(add_route(&w, w.rtbs[0], 0, 1), 0);
    struct fib_snapshot *inc = fib_snapshot_build_from(w.m, prev);
    assert_ptr_equal(inc->base, prev);
    assert_int_equal(inc->n_compiled, 1);
    assert_int_equal(inc->n_owned_rtbs, 1);
    assert_same_as_full(w.m, inc);
    fib_snapshot_unref(prev);
    prev = inc;

    /* The same table again and another: both owned, still one base. */
    assert_int_equal(add_route(&w, w.rtbs[0], 0, 2), 0);
    assert_int_equal(add_route(&w, w.rtbs[3], 1, 3), 0);
    inc = fib_snapshot_build_from(w.m, prev);
    assert_ptr_equal(inc->base, prev->base);
    assert_int_equal(inc->n_compiled, 2);
    assert_int_equal(inc->n_owned_rtbs, 2);
    assert_same_as_full(w.m, inc);
    fib_snapshot_unref(prev);
    prev = inc;

    /* A subnet leaves its table: the subnets' array changes, so a full build. */
    struct route_table *rt = rtb_find(w.m, w.s, w.rtbs[1]);
    char assoc[ID_MAX];
    snprintf(assoc, sizeof assoc, "%s", rt->assocs[0].id);
    assert_int_equal(rtb_disassociate(w.m, w.s, assoc, &w.err), 0);
    inc = fib_snapshot_build_from(w.m, prev);
    assert_null(inc->base);
    assert_same_as_full(w.m, inc);
    fib_snapshot_unref(prev);
    prev = inc;

    /* More tables changed than an update may own: the update past the limit is a full build,
     * which flattens the sharing; every step equals a full build. */
    char extra[70][ID_MAX];
    for (int k = 0; k < 70; k++) {
        struct route_table *t;
        assert_int_equal(rtb_create(w.m, w.s, w.vpcs[0], NULL, &t, &w.err), 0);
        snprintf(extra[k], ID_MAX, "%s", t->hdr.id);
    }
    inc = fib_snapshot_build_from(w.m, prev); /* tables added: full */
    assert_null(inc->base);
    fib_snapshot_unref(prev);
    prev = inc;
    int full_builds = 0;
    for (int k = 0; k < 70; k++) {
        assert_int_equal(add_route(&w, extra[k], 0, 100 + k), 0);
        inc = fib_snapshot_build_from(w.m, prev);
        if (!inc->base)
            full_builds++;
        else
            assert_int_equal(inc->n_owned_rtbs, (size_t)(full_builds ? k - 64 : k + 1));
        assert_same_as_full(w.m, inc);
        fib_snapshot_unref(prev);
        prev = inc;
    }
    assert_int_equal(full_builds, 1);

    /* Anything but routes (an SG): full. */
    struct security_group *g;
    assert_int_equal(sg_create(w.m, w.s, w.vpcs[0], "x", "x", NULL, &g, &w.err), 0);
    inc = fib_snapshot_build_from(w.m, prev);
    assert_null(inc->base);
    assert_same_as_full(w.m, inc);
    fib_snapshot_unref(prev);
    fib_snapshot_unref(inc);
    model_free(w.m);
}

/* An empty network (vpcd before its first request) compiles incrementally too. */
static void empty_network(void **state)
{
    (void)state;
    struct model *m = model_new(NULL);
    struct fib_snapshot *a = fib_snapshot_build(m);
    struct fib_snapshot *b = fib_snapshot_build_from(m, a);
    assert_int_equal(b->n_rtbs, 0);
    assert_same_as_full(m, b);
    fib_snapshot_unref(a);
    fib_snapshot_unref(b);
    model_free(m);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(incremental_equals_full),
    cmocka_unit_test(empty_network),
    cmocka_unit_test(route_only_changes_share_the_rest),
};

UNIT_MAIN(tests)
