/* Analyzer benchmark: single-path analyses per second and the all-pairs reachability matrix on
 * a large network built through the model's own calls (no API in the way, so the figures are
 * the analyzer's):
 *   100 VPCs (10.<v>.0.0/16), 20 subnets each (2,000, over three zones), one route table per
 *   subnet with 10 routes (10.0.0.0/8 to the TGW, nine public blocks to the VPC's IGW: 20,000
 *   routes), one TGW with 10 route tables (VPC v associated with table v % 10, every VPC
 *   propagating into every table), and 1,000 instances (10 per VPC).
 * Prints key=value lines; RESULT is the summary line scripts/bench-all.sh reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/analyzer.h"
#include "model/resources.h"

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void must(int rc, const struct merr *err, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "anbench: %s: %s %s\n", what, err->code, err->message);
        exit(1);
    }
}

struct net {
    struct model *m;
    struct scope *s;
    char (*instances)[ID_MAX];
    size_t n_instances;
    size_t n_routes;
};

static void build(struct net *n, int n_vpcs, int subnets_per_vpc, int routes_per_table,
                  int instances_per_vpc, int n_tgw_tables)
{
    struct model_config cfg;
    model_config_defaults(&cfg);
    cfg.vpcs_per_region = 100000;
    cfg.subnets_per_vpc = 100000;
    cfg.rtbs_per_vpc = 100000;
    cfg.routes_per_rtb = 100000;
    cfg.igws_per_region = 100000;
    cfg.rules_per_sg = 1000;
    n->m = model_new(&cfg);
    n->s = model_scope(n->m, "000000000000", "us-east-1");
    struct merr err = {0};
    struct tgw_opts o = {-1, 0, 0, -1, -1, -1, -1, 0, NULL, NULL, NULL, 0, NULL, 0};
    struct tgw *t;
    must(tgw_create(n->m, n->s, "bench", &o, NULL, &t, &err), &err, "tgw");
    char tgw_id[ID_MAX];
    snprintf(tgw_id, sizeof tgw_id, "%s", t->hdr.id);
    char(*tables)[ID_MAX] = calloc((size_t)n_tgw_tables, ID_MAX);
    for (int i = 0; i < n_tgw_tables; i++) {
        struct tgw_rtb *rt;
        must(tgw_rtb_create(n->m, n->s, tgw_id, NULL, &rt, &err), &err, "tgw rtb");
        snprintf(tables[i], ID_MAX, "%s", rt->hdr.id);
    }
    n->instances = calloc((size_t)(n_vpcs * instances_per_vpc), ID_MAX);
    char(*attaches)[ID_MAX] = calloc((size_t)n_vpcs, ID_MAX);
    for (int v = 0; v < n_vpcs; v++) {
        char cidr[32];
        snprintf(cidr, sizeof cidr, "10.%d.0.0/16", v);
        struct vpc_create_args va = {.cidr = cidr};
        struct vpc *vpc;
        must(vpc_create(n->m, n->s, &va, &vpc, &err), &err, "vpc");
        char vpc_id[ID_MAX], sg_id[ID_MAX];
        snprintf(vpc_id, sizeof vpc_id, "%s", vpc->hdr.id);
        snprintf(sg_id, sizeof sg_id, "%s", vpc->default_sg_id);
        struct sg_rule_spec spec = {.protocol = "-1",
                                    .from_port = SG_PORT_ABSENT,
                                    .to_port = SG_PORT_ABSENT,
                                    .peer_kind = SG_PEER_CIDR4,
                                    .peer = "10.0.0.0/8"};
        char ids[1][ID_MAX];
        must(sg_rule_spec_check(&spec, false, &err), &err, "rule");
        must(sg_authorize(n->m, n->s, sg_id, false, &spec, 1, ids, &err), &err, "authorize");
        struct igw *g;
        must(igw_create(n->m, n->s, NULL, &g, &err), &err, "igw");
        must(igw_attach(n->m, n->s, g->hdr.id, vpc_id, &err), &err, "igw attach");
        char igw_id[ID_MAX];
        snprintf(igw_id, sizeof igw_id, "%s", g->hdr.id);
        char subnets[64][ID_MAX];
        for (int k = 0; k < subnets_per_vpc; k++) {
            char sc[32], az[40];
            snprintf(sc, sizeof sc, "10.%d.%d.0/24", v, k);
            region_zone_name("us-east-1", k % 3, az);
            struct subnet_create_args sa = {.vpc_id = vpc_id, .cidr = sc, .az = az};
            struct subnet *sn;
            must(subnet_create(n->m, n->s, &sa, &sn, &err), &err, "subnet");
            snprintf(subnets[k], ID_MAX, "%s", sn->hdr.id);
        }
        const char *att_subnets[3] = {subnets[0], subnets[1], subnets[2]};
        struct tgw_vpc_attach_args aa = {.tgw_id = tgw_id,
                                         .vpc_id = vpc_id,
                                         .subnet_ids = att_subnets,
                                         .n_subnets = 3,
                                         .dns_support = -1,
                                         .ipv6_support = -1,
                                         .appliance_mode = -1,
                                         .sg_ref = -1};
        struct tgw_attach *at;
        must(tgw_vpc_attach_create(n->m, n->s, &aa, &at, &err), &err, "attach");
        snprintf(attaches[v], ID_MAX, "%s", at->hdr.id);
        for (int k = 0; k < subnets_per_vpc; k++) {
            struct route_table *rt;
            must(rtb_create(n->m, n->s, vpc_id, NULL, &rt, &err), &err, "rtb");
            char rt_id[ID_MAX];
            snprintf(rt_id, sizeof rt_id, "%s", rt->hdr.id);
            const char *assoc;
            must(rtb_associate(n->m, n->s, rt_id, subnets[k], NULL, &assoc, &err), &err, "assoc");
            struct route_dest_args d = {.cidr = "10.0.0.0/8"};
            struct route_target_args tt = {.tgw_id = tgw_id};
            must(route_create(n->m, n->s, rt_id, &d, &tt, &err), &err, "route tgw");
            n->n_routes++;
            for (int r = 1; r < routes_per_table; r++) {
                char dc[32];
                snprintf(dc, sizeof dc, "%u.%u.%u.0/24", 100 + rnd() % 100, rnd() % 256,
                         rnd() % 256);
                struct prefix4 p;
                prefix4_parse(dc, &p);
                prefix4_format(&p, dc);
                struct route_dest_args dd = {.cidr = dc};
                struct route_target_args gt = {.gateway_id = igw_id};
                if (route_create(n->m, n->s, rt_id, &dd, &gt, &err) == 0)
                    n->n_routes++;
            }
        }
        for (int i = 0; i < instances_per_vpc; i++) {
            int k = (int)(rnd() % (unsigned)subnets_per_vpc);
            struct inst_run_args ia = {.image_id = "ami-12345678",
                                       .subnet_id = subnets[k],
                                       .min_count = 1,
                                       .max_count = 1};
            struct instance **out;
            size_t n_out;
            must(instance_run(n->m, n->s, &ia, &out, &n_out, &err), &err, "instance");
            snprintf(n->instances[n->n_instances++], ID_MAX, "%s", out[0]->hdr.id);
            free(out);
        }
    }
    for (int v = 0; v < n_vpcs; v++) {
        struct tgw_attach *ao;
        must(tgw_rtb_associate(n->m, n->s, tables[v % n_tgw_tables], attaches[v], true, &ao, &err),
             &err, "tgw associate");
        for (int i = 0; i < n_tgw_tables; i++)
            must(tgw_rtb_propagation(n->m, n->s, tables[i], attaches[v], true, &ao, &err), &err,
                 "tgw propagate");
    }
    instance_settle(n->m, n->s);
    free(tables);
    free(attaches);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 3.0;
    size_t matrix_n = argc > 2 ? (size_t)atol(argv[2]) : 1000;
    struct net n = {0};
    double t0 = now();
    build(&n, 100, 20, 10, 10, 10);
    double t1 = now();
    struct fib_snapshot *s = analyzer_snapshot(n.m);
    double t2 = now();
    printf("network vpcs=100 subnets=%zu routes=%zu tgw_tables=10 instances=%zu model_build_s=%.2f "
           "snapshot_compile_ms=%.1f\n",
           s->n_subnets, n.n_routes, n.n_instances, t1 - t0, (t2 - t1) * 1e3);

    /* Single-path analyses with full traces, as StartNetworkInsightsAnalysis runs them. */
    struct an_result *res = malloc(sizeof *res);
    size_t done = 0, found = 0;
    struct merr err;
    double start = now(), end = start + seconds;
    while (now() < end) {
        for (int k = 0; k < 1000; k++) {
            const char *a = n.instances[rnd() % n.n_instances];
            const char *b = n.instances[rnd() % n.n_instances];
            if (a == b)
                continue;
            struct an_request rq = {.source = a,
                                    .destination = b,
                                    .protocol = 6,
                                    .destination_port = 443,
                                    .source_port = -1};
            if (analyzer_run(s, &rq, res, &err) != 0) {
                fprintf(stderr, "anbench: %s\n", err.message);
                return 1;
            }
            done++;
            found += res->path_found;
        }
    }
    double per_s = (double)done / (now() - start);
    printf("single_path analyses=%zu found=%zu per_second=%.0f\n", done, found, per_s);

    /* The reachability matrix over the first matrix_n instances. */
    if (matrix_n > n.n_instances)
        matrix_n = n.n_instances;
    uint32_t *enis = malloc(matrix_n * sizeof *enis);
    for (size_t i = 0; i < matrix_n; i++)
        enis[i] = fib_find(s, FIB_OBJ_INSTANCE, n.instances[i]);
    uint8_t *matrix = malloc(matrix_n * matrix_n);
    double m0 = now();
    analyzer_matrix(s, enis, matrix_n, 6, 443, matrix);
    double m1 = now();
    size_t reachable = 0;
    for (size_t i = 0; i < matrix_n * matrix_n; i++)
        reachable += matrix[i];
    printf("matrix instances=%zu pairs=%zu reachable=%zu seconds=%.2f\n", matrix_n,
           matrix_n * matrix_n, reachable, m1 - m0);
    printf("RESULT analyses_per_s=%.0f matrix_s=%.2f snapshot_ms=%.1f\n", per_s, m1 - m0,
           (t2 - t1) * 1e3);
    free(matrix);
    free(enis);
    free(res);
    free(n.instances);
    fib_snapshot_unref(s);
    analyzer_snapshot_release();
    model_free(n.m);
    return 0;
}
