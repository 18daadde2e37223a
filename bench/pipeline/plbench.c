/* Pipeline benchmark (issue 7, acceptance 1): the forwarding decision for packets of
 * established flows, in memory, one core. The network: VPC A 10.0.0.0/16 peered with VPC B
 * 10.1.0.0/16; A's route table holds 10,000 routes (9,999 public /24s to A's IGW and B's block
 * to the peering); B's instance has a group of 200 rules; 1,000,000 flows from A's instance to
 * B's are tracked at both ENIs.
 * Two figures: "slow" is one pipeline_run() per packet with the conntrack hook answering
 * sg_tracked() (route lookup, peering, NACLs out and in, delivery, SGs skipped as tracked);
 * "fast" is the data plane's conntrack hit path, pl_fast_run() over vectors of 256 packets,
 * after every flow's first packet went through pipeline_run() and pl_fast_learn(). Every
 * packet of the fast run must hit and be delivered to B's ENI, or the benchmark fails.
 * Prints key=value lines; RESULT is the summary. Frames are not parsed or rewritten here. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fib/snapshot.h"
#include "model/resources.h"
#include "pipeline/conntrack.h"
#include "pipeline/fastpath.h"
#include "pipeline/pipeline.h"

#define N_FLOWS 1000000u

static uint64_t rng = 0x243f6a8885a308d3ull;

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
    if (rc) {
        fprintf(stderr, "plbench: %s: %s %s\n", what, err->code, err->message);
        exit(1);
    }
}

struct bench_ctx {
    struct ct_table *ct;
    uint64_t now_ns;
    struct pl_fast_notes notes;
};

/* The conntrack names are the snapshot's ENI indices here (the data plane uses its ports'). */
static bool tracked(void *ctx, uint32_t eni, bool egress, const struct flow *f)
{
    struct bench_ctx *c = ctx;
    uint32_t slot;
    if (ct_lookup_slot(c->ct, eni, f, CT_TCP_ACK, 0, c->now_ns, NULL, &slot)) {
        pl_fast_note(&c->notes, eni, egress, eni, slot);
        return true;
    }
    pl_fast_spoil(&c->notes);
    return false;
}

#define VECTOR 256u

static void flow_of(uint32_t i, struct flow *f)
{
    memset(f, 0, sizeof *f);
    f->family = 4;
    f->proto = FLOW_PROTO_TCP;
    /* Flow i: 10.0.1.10 -> 10.1.1.10, source port 1024 + i % 60000, destination port
     * 80 + i / 60000 (17 destination ports for 1,000,000 flows). */
    uint32_t src = (10u << 24) | (0u << 16) | (1u << 8) | 10u;
    uint32_t dst = (10u << 24) | (1u << 16) | (1u << 8) | 10u;
    f->sport = (uint16_t)(1024 + i % 60000);
    f->dport = (uint16_t)(80 + i / 60000);
    src = htonl(src);
    dst = htonl(dst);
    memcpy(f->src, &src, 4);
    memcpy(f->dst, &dst, 4);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 3.0;
    struct model_config cfg;
    model_config_defaults(&cfg);
    cfg.routes_per_rtb = 20000;
    cfg.rules_per_sg = 1000;
    struct model *m = model_new(&cfg);
    struct scope *s = model_scope(m, "000000000000", "us-east-1");
    struct merr err = {0};
    struct vpc_create_args va = {.cidr = "10.0.0.0/16"};
    struct vpc *a, *b;
    must(vpc_create(m, s, &va, &a, &err), &err, "vpc a");
    va.cidr = "10.1.0.0/16";
    must(vpc_create(m, s, &va, &b, &err), &err, "vpc b");
    char a_id[ID_MAX], b_id[ID_MAX], a_rtb[ID_MAX], b_rtb[ID_MAX];
    snprintf(a_id, ID_MAX, "%s", a->hdr.id);
    snprintf(b_id, ID_MAX, "%s", b->hdr.id);
    snprintf(a_rtb, ID_MAX, "%s", a->main_rtb_id);
    snprintf(b_rtb, ID_MAX, "%s", b->main_rtb_id);
    struct subnet *sa, *sb;
    struct subnet_create_args sca = {.vpc_id = a_id, .cidr = "10.0.1.0/24"};
    must(subnet_create(m, s, &sca, &sa, &err), &err, "subnet a");
    sca.vpc_id = b_id;
    sca.cidr = "10.1.1.0/24";
    must(subnet_create(m, s, &sca, &sb, &err), &err, "subnet b");
    struct pcx *p;
    struct pcx_create_args pa = {.vpc_id = a_id, .peer_vpc_id = b_id};
    must(pcx_create(m, s, &pa, &p, &err), &err, "pcx");
    char pcx[ID_MAX];
    snprintf(pcx, ID_MAX, "%s", p->hdr.id);
    must(pcx_accept(m, s, pcx, &p, &err), &err, "accept");
    struct igw *g;
    must(igw_create(m, s, NULL, &g, &err), &err, "igw");
    must(igw_attach(m, s, g->hdr.id, a_id, &err), &err, "igw attach");
    char igw[ID_MAX];
    snprintf(igw, ID_MAX, "%s", g->hdr.id);
    struct route_dest_args d = {.cidr = "10.1.0.0/16"};
    struct route_target_args t = {.pcx_id = pcx};
    must(route_create(m, s, a_rtb, &d, &t, &err), &err, "route pcx");
    d.cidr = "10.0.0.0/16";
    must(route_create(m, s, b_rtb, &d, &t, &err), &err, "route back");
    size_t n_routes = 1;
    while (n_routes < 10000) {
        char c[32];
        snprintf(c, sizeof c, "%u.%u.%u.0/24", 100 + rnd() % 100, rnd() % 256, rnd() % 256);
        struct route_dest_args dd = {.cidr = c};
        struct route_target_args gt = {.gateway_id = igw};
        if (route_create(m, s, a_rtb, &dd, &gt, &err) == 0)
            n_routes++;
    }
    struct security_group *grp;
    must(sg_create(m, s, b_id, "svc", "svc", NULL, &grp, &err), &err, "sg");
    char sg_id[ID_MAX];
    snprintf(sg_id, ID_MAX, "%s", grp->hdr.id);
    for (int r = 0; r < 200; r++) {
        struct sg_rule_spec spec = {.protocol = "tcp",
                                    .from_port = 1000 + r,
                                    .to_port = 1000 + r,
                                    .peer_kind = SG_PEER_CIDR4};
        snprintf(spec.peer, sizeof spec.peer, "10.0.%d.0/24", r);
        char ids[1][ID_MAX];
        must(sg_rule_spec_check(&spec, false, &err), &err, "rule");
        must(sg_authorize(m, s, sg_id, false, &spec, 1, ids, &err), &err, "authorize");
    }
    const char *groups[1] = {sg_id};
    struct inst_run_args ia = {.image_id = "ami-12345678",
                               .subnet_id = sa->hdr.id,
                               .private_ip = "10.0.1.10",
                               .min_count = 1,
                               .max_count = 1};
    struct instance **out;
    size_t n_out;
    must(instance_run(m, s, &ia, &out, &n_out, &err), &err, "instance a");
    char ea[ID_MAX];
    snprintf(ea, ID_MAX, "%s", out[0]->eni_id);
    free(out);
    ia.subnet_id = sb->hdr.id;
    ia.private_ip = "10.1.1.10";
    ia.group_ids = groups;
    ia.n_group_ids = 1;
    must(instance_run(m, s, &ia, &out, &n_out, &err), &err, "instance b");
    char eb[ID_MAX];
    snprintf(eb, ID_MAX, "%s", out[0]->eni_id);
    free(out);
    struct fib_snapshot *snap = fib_snapshot_build(m);
    uint32_t eni_a = fib_find(snap, FIB_OBJ_ENI, ea), eni_b = fib_find(snap, FIB_OBJ_ENI, eb);
    struct bench_ctx ctx = {.ct = ct_table_new(2 * N_FLOWS), .now_ns = 1000000000ull};
    for (uint32_t i = 0; i < N_FLOWS; i++) {
        struct flow f;
        flow_of(i, &f);
        if (ct_commit(ctx.ct, eni_a, &f, CT_TCP_ACK, 0, ctx.now_ns) ||
            ct_commit(ctx.ct, eni_b, &f, CT_TCP_ACK, 0, ctx.now_ns)) {
            fprintf(stderr, "plbench: conntrack full\n");
            return 1;
        }
    }
    struct pipeline_hooks hooks = {.ctx = &ctx, .sg_tracked = tracked};
    struct pl_result res;
    size_t done = 0, delivered = 0;
    /* "plbench S fast": the slow path only briefly (for profiling the fast one). */
    double slow_seconds = argc > 2 && strcmp(argv[2], "fast") == 0 ? 0.1 : seconds;
    double t0 = now(), end = t0 + slow_seconds;
    while (now() < end) {
        for (int k = 0; k < 4096; k++) {
            struct pl_packet pkt = {.origin = PL_FROM_ENI, .eni = eni_a};
            flow_of(rnd() % N_FLOWS, &pkt.f);
            pipeline_run(snap, &pkt, &hooks, NULL, &res);
            delivered += res.outcome == PL_DELIVERED && res.eni == eni_b;
            done++;
        }
    }
    double slow_s = now() - t0;
    double slow_mpps = (double)done / slow_s / 1e6;
    if (delivered != done) {
        fprintf(stderr, "plbench: slow path: %zu packets not delivered\n", done - delivered);
        return 1;
    }
    /* Every flow's first packet takes the slow path and is learned. */
    const uint32_t gen = 1;
    size_t learned = 0;
    for (uint32_t i = 0; i < N_FLOWS; i++) {
        struct pl_packet pkt = {.origin = PL_FROM_ENI, .eni = eni_a};
        flow_of(i, &pkt.f);
        memset(&ctx.notes, 0, sizeof ctx.notes);
        pipeline_run(snap, &pkt, &hooks, NULL, &res);
        learned += pl_fast_learn(ctx.ct, gen, snap, eni_a, &pkt.f, CT_TCP_ACK, &ctx.notes, &res);
    }
    static struct flow flows[VECTOR];
    static struct pl_fast_pkt pkts[VECTOR];
    size_t fast_done = 0, fast_hits = 0;
    t0 = now();
    end = t0 + seconds;
    while (now() < end) {
        for (int k = 0; k < 64; k++) {
            for (uint32_t i = 0; i < VECTOR; i++) {
                flow_of(rnd() % N_FLOWS, &flows[i]);
                pkts[i] = (struct pl_fast_pkt){
                    .f = &flows[i], .ct_name = eni_a, .tcp_flags = CT_TCP_ACK, .l3_len = 64};
            }
            pl_fast_run(ctx.ct, gen, pkts, VECTOR, ctx.now_ns);
            for (uint32_t i = 0; i < VECTOR; i++)
                fast_hits += pkts[i].hit && pkts[i].v.eni == eni_b;
            fast_done += VECTOR;
        }
    }
    double fast_s = now() - t0;
    double fast_mpps = (double)fast_done / fast_s / 1e6;
    printf("network routes=%zu sg_rules=200 tracked_flows=%u conntrack_bytes=%zu\n", n_routes,
           2 * N_FLOWS, ct_table_size(ctx.ct));
    printf("slow packets=%zu delivered=%zu seconds=%.2f mpps=%.2f\n", done, delivered, slow_s,
           slow_mpps);
    printf("fast learned=%zu packets=%zu hits=%zu seconds=%.2f mpps=%.2f\n", learned, fast_done,
           fast_hits, fast_s, fast_mpps);
    printf("RESULT mpps=%.2f ns_per_packet=%.1f slow_mpps=%.2f bytes_per_flow=%.1f\n", fast_mpps,
           1e3 / fast_mpps, slow_mpps, (double)ct_table_size(ctx.ct) / (2.0 * N_FLOWS));
    if (learned != N_FLOWS || fast_hits != fast_done) {
        fprintf(stderr, "plbench: fast path: %zu of %u flows learned, %zu of %zu packets hit\n",
                learned, N_FLOWS, fast_hits, fast_done);
        return 1;
    }
    ct_table_free(ctx.ct);
    fib_snapshot_unref(snap);
    model_free(m);
    return 0;
}
