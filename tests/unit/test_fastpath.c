/* The conntrack hit path (pipeline/fastpath.h) against the slow path it claims to reproduce.
 *
 * The slow path here is the data plane's (dp_forward.c): pipeline_run() with a conntrack hook
 * that answers sg_tracked() from ct_lookup_slot() and records pl_fast_note() / pl_fast_spoil(),
 * then, when the pipeline delivers, ct_commit() at every ENI whose SG rules judged the packet
 * (the sender with the packet's header, the receiver with the header as delivered), and a
 * packet larger than the path MTU is not forwarded. Conntrack names are the snapshot's ENI
 * indices, as in bench/pipeline/plbench.c.
 *
 * The network: VPC A 10.0.0.0/16 (instances a1 10.0.1.10 and a2 10.0.1.11 in one subnet)
 * peered with VPC B 10.1.0.0/16 (instance b1 10.1.1.10). A's group admits everything from A,
 * TCP 22 and UDP 5000 from B; B's group admits TCP 80-89, UDP 53 and ICMP from A. Both allow
 * all egress (a new group's default). fw (10.0.1.20, A's group) has source/destination check
 * off: it sends both directions of flows between a1 and b1, as an appliance does.
 *
 * The main test (twin_tables_agree) runs one long random packet sequence through two tables:
 * Y by the slow path only, X by pl_fast_run() first and the slow path (plus pl_fast_learn())
 * for what it did not forward. Every packet's fate and every entry must agree. Some packets
 * are sent by fw, and a few by the wrong end of their flow (a source that is not the
 * sender's own, which the slow path drops).
 *
 * Time is a parameter of every call here (nanoseconds from T0); the fixed seed makes the
 * sequence the same on every run. */
#include "unit.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fib/snapshot.h"
#include "model/resources.h"
#include "pipeline/conntrack.h"
#include "pipeline/ct_inline.h"
#include "pipeline/fastpath.h"
#include "pipeline/pipeline.h"

#define S_NS 1000000000ull
#define T0 (1000 * S_NS)
#define DROP UINT32_MAX

#define SYN CT_TCP_SYN
#define ACK CT_TCP_ACK
#define FIN CT_TCP_FIN
#define RST CT_TCP_RST
#define PSH 0x08u

#define IP_A1 "10.0.1.10"
#define IP_A2 "10.0.1.11"
#define IP_B1 "10.1.1.10"
#define IP_FW "10.0.1.20"

/* ---- the network ---- */

struct net {
    struct model *m;
    struct scope *sc;
    struct fib_snapshot *snap;
    char vpc_b[ID_MAX];
    /* snapshot ENI indices, which are also the conntrack names; fw: an instance in a1's subnet
     * with source/destination check off, which sends packets of other hosts' flows */
    uint32_t a1, a2, b1, fw;
    char a1_id[ID_MAX], a2_id[ID_MAX], b1_id[ID_MAX], fw_id[ID_MAX];
};

static void must(int rc, const struct merr *err, const char *what)
{
    if (rc)
        fail_msg("%s: %s %s", what, err->code, err->message);
}

static void add_rule(struct net *n, const char *sg, const char *proto, int from, int to,
                     const char *cidr)
{
    struct merr err = {0};
    struct sg_rule_spec spec = {.from_port = from, .to_port = to, .peer_kind = SG_PEER_CIDR4};
    snprintf(spec.protocol, sizeof spec.protocol, "%s", proto);
    snprintf(spec.peer, sizeof spec.peer, "%s", cidr);
    char ids[1][ID_MAX];
    must(sg_rule_spec_check(&spec, false, &err), &err, "rule");
    must(sg_authorize(n->m, n->sc, sg, false, &spec, 1, ids, &err), &err, "authorize");
}

static void launch(struct net *n, const char *subnet, const char *ip, const char *sg,
                   char eni_id[ID_MAX])
{
    struct merr err = {0};
    const char *groups[1] = {sg};
    struct inst_run_args ia = {.image_id = "ami-12345678",
                               .subnet_id = subnet,
                               .private_ip = ip,
                               .group_ids = groups,
                               .n_group_ids = 1,
                               .min_count = 1,
                               .max_count = 1};
    struct instance **out;
    size_t n_out;
    must(instance_run(n->m, n->sc, &ia, &out, &n_out, &err), &err, "instance");
    assert_int_equal(n_out, 1);
    snprintf(eni_id, ID_MAX, "%s", out[0]->eni_id);
    free(out);
}

static void net_build(struct net *n)
{
    memset(n, 0, sizeof *n);
    struct model_config cfg;
    model_config_defaults(&cfg);
    n->m = model_new(&cfg);
    n->sc = model_scope(n->m, "000000000000", "us-east-1");
    struct merr err = {0};
    struct vpc_create_args va = {.cidr = "10.0.0.0/16"};
    struct vpc *a, *b;
    must(vpc_create(n->m, n->sc, &va, &a, &err), &err, "vpc a");
    char a_id[ID_MAX], a_rtb[ID_MAX], b_rtb[ID_MAX];
    snprintf(a_id, ID_MAX, "%s", a->hdr.id);
    snprintf(a_rtb, ID_MAX, "%s", a->main_rtb_id);
    va.cidr = "10.1.0.0/16";
    must(vpc_create(n->m, n->sc, &va, &b, &err), &err, "vpc b");
    snprintf(n->vpc_b, ID_MAX, "%s", b->hdr.id);
    snprintf(b_rtb, ID_MAX, "%s", b->main_rtb_id);
    struct subnet *sa, *sb;
    struct subnet_create_args sca = {.vpc_id = a_id, .cidr = "10.0.1.0/24"};
    must(subnet_create(n->m, n->sc, &sca, &sa, &err), &err, "subnet a");
    char sa_id[ID_MAX], sb_id[ID_MAX];
    snprintf(sa_id, ID_MAX, "%s", sa->hdr.id);
    sca.vpc_id = n->vpc_b;
    sca.cidr = "10.1.1.0/24";
    must(subnet_create(n->m, n->sc, &sca, &sb, &err), &err, "subnet b");
    snprintf(sb_id, ID_MAX, "%s", sb->hdr.id);
    struct pcx *p;
    struct pcx_create_args pa = {.vpc_id = a_id, .peer_vpc_id = n->vpc_b};
    must(pcx_create(n->m, n->sc, &pa, &p, &err), &err, "pcx");
    char pcx[ID_MAX];
    snprintf(pcx, ID_MAX, "%s", p->hdr.id);
    must(pcx_accept(n->m, n->sc, pcx, &p, &err), &err, "accept");
    struct route_dest_args d = {.cidr = "10.1.0.0/16"};
    struct route_target_args t = {.pcx_id = pcx};
    must(route_create(n->m, n->sc, a_rtb, &d, &t, &err), &err, "route to b");
    d.cidr = "10.0.0.0/16";
    must(route_create(n->m, n->sc, b_rtb, &d, &t, &err), &err, "route to a");
    struct security_group *g;
    char sg_a[ID_MAX], sg_b[ID_MAX];
    must(sg_create(n->m, n->sc, a_id, "fa", "fa", NULL, &g, &err), &err, "sg a");
    snprintf(sg_a, ID_MAX, "%s", g->hdr.id);
    must(sg_create(n->m, n->sc, n->vpc_b, "fb", "fb", NULL, &g, &err), &err, "sg b");
    snprintf(sg_b, ID_MAX, "%s", g->hdr.id);
    add_rule(n, sg_a, "-1", SG_PORT_ABSENT, SG_PORT_ABSENT, "10.0.0.0/16");
    add_rule(n, sg_a, "tcp", 22, 22, "10.1.0.0/16");
    add_rule(n, sg_a, "udp", 5000, 5000, "10.1.0.0/16");
    add_rule(n, sg_b, "tcp", 80, 89, "10.0.0.0/16");
    add_rule(n, sg_b, "udp", 53, 53, "10.0.0.0/16");
    add_rule(n, sg_b, "icmp", -1, -1, "10.0.0.0/16");
    launch(n, sa_id, IP_A1, sg_a, n->a1_id);
    launch(n, sa_id, IP_A2, sg_a, n->a2_id);
    launch(n, sb_id, IP_B1, sg_b, n->b1_id);
    launch(n, sa_id, IP_FW, sg_a, n->fw_id);
    struct eni_modify_args ma = {.has_sdc = true, .sdc = false};
    must(eni_modify(n->m, n->sc, n->fw_id, &ma, &err), &err, "source/dest check");
    n->snap = fib_snapshot_build(n->m);
    assert_non_null(n->snap);
    n->a1 = fib_find(n->snap, FIB_OBJ_ENI, n->a1_id);
    n->a2 = fib_find(n->snap, FIB_OBJ_ENI, n->a2_id);
    n->b1 = fib_find(n->snap, FIB_OBJ_ENI, n->b1_id);
    n->fw = fib_find(n->snap, FIB_OBJ_ENI, n->fw_id);
    assert_true(n->a1 != FIB_NONE && n->a2 != FIB_NONE && n->b1 != FIB_NONE && n->fw != FIB_NONE);
    assert_false(n->snap->enis[n->fw].source_dest_check);
}

static void net_free(struct net *n)
{
    fib_snapshot_unref(n->snap);
    model_free(n->m);
}

/* ---- packets ---- */

struct tpkt {
    struct flow f;
    uint32_t eni; /* the sender */
    uint8_t tcp_flags;
    uint16_t icmp_id;
    uint8_t ttl; /* 0: 64 */
    uint16_t l3_len;
};

static struct flow flow4(uint8_t proto, const char *src, uint16_t sport, const char *dst,
                         uint16_t dport)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    f.family = 4;
    f.proto = proto;
    f.sport = sport;
    f.dport = dport;
    assert_int_equal(inet_pton(AF_INET, src, f.src), 1);
    assert_int_equal(inet_pton(AF_INET, dst, f.dst), 1);
    return f;
}

/* The reply's header: addresses swapped, and ports, or an echo request's type for a reply's. */
static struct flow reverse(const struct flow *f)
{
    struct flow r = *f;
    memcpy(r.src, f->dst, 16);
    memcpy(r.dst, f->src, 16);
    if (f->proto == FLOW_PROTO_ICMP) {
        r.sport = f->sport == 8 ? 0 : 8;
    } else {
        r.sport = f->dport;
        r.dport = f->sport;
    }
    return r;
}

static struct tpkt pkt(const struct flow *f, uint32_t eni, uint8_t flags)
{
    return (struct tpkt){.f = *f, .eni = eni, .tcp_flags = flags, .l3_len = 60};
}

/* ---- the slow path ---- */

struct slow_ctx {
    struct ct_table *ct;
    uint64_t now_ns;
    uint8_t tcp_flags;
    uint16_t icmp_id;
    struct pl_fast_notes notes;
    uint32_t judged[2]; /* ENIs whose SG rules judged the packet: they get entries */
    int n_judged;
};

static bool hook_tracked(void *ctx, uint32_t eni, bool egress, const struct flow *f)
{
    struct slow_ctx *c = ctx;
    uint32_t slot;
    if (ct_lookup_slot(c->ct, eni, f, c->tcp_flags, c->icmp_id, c->now_ns, NULL, &slot)) {
        pl_fast_note(&c->notes, eni, egress, eni, slot);
        return true;
    }
    pl_fast_spoil(&c->notes);
    if (c->n_judged < 2)
        c->judged[c->n_judged++] = eni;
    return false;
}

struct slow_out {
    struct pl_result res;
    struct pl_fast_notes notes;
    bool learned;
    uint32_t to; /* the ENI the packet reached, or DROP */
};

/* One packet the slow way at now; learn: then pl_fast_learn() under gen. */
static void slow(const struct fib_snapshot *s, struct ct_table *ct, uint32_t gen,
                 const struct tpkt *p, uint64_t now, bool learn, struct slow_out *o)
{
    struct slow_ctx c = {.ct = ct, .now_ns = now, .tcp_flags = p->tcp_flags, .icmp_id = p->icmp_id};
    struct pipeline_hooks hooks = {.ctx = &c, .sg_tracked = hook_tracked};
    struct pl_packet pk = {.f = p->f, .origin = PL_FROM_ENI, .eni = p->eni, .ttl = p->ttl};
    pipeline_run(s, &pk, &hooks, NULL, &o->res);
    o->notes = c.notes;
    o->learned = learn && pl_fast_learn(ct, gen, s, p->eni, &p->f, p->tcp_flags, &c.notes, &o->res);
    o->to = DROP;
    if (o->res.outcome != PL_DELIVERED)
        return;
    for (int i = 0; i < c.n_judged; i++) {
        uint32_t at = c.judged[i];
        const struct flow *f = at == p->eni ? &p->f : &o->res.f;
        assert_int_equal(ct_commit(ct, at, f, p->tcp_flags, p->icmp_id, now), 0);
    }
    if (p->l3_len <= o->res.mtu)
        o->to = o->res.eni;
}

/* pl_fast_run() over the one packet p. */
static bool fast1(struct ct_table *ct, uint32_t gen, const struct tpkt *p, uint64_t now,
                  struct pl_fast_verdict *v)
{
    struct pl_fast_pkt fp = {.f = &p->f,
                             .ct_name = p->eni,
                             .tcp_flags = p->tcp_flags,
                             .ttl = p->ttl,
                             .l3_len = p->l3_len};
    pl_fast_run(ct, gen, &fp, 1, now);
    if (fp.hit && v)
        *v = fp.v;
    return fp.hit;
}

static struct ct_info peek(const struct ct_table *ct, uint32_t eni, const struct flow *f,
                           uint64_t now)
{
    struct ct_info i;
    if (!ct_peek(ct, eni, f, 0, now, &i))
        fail_msg("no live entry at ENI %u", eni);
    return i;
}

static void assert_info_equal(struct ct_info a, struct ct_info b)
{
    assert_int_equal(a.state, b.state);
    assert_int_equal(a.deadline_ns, b.deadline_ns);
    assert_int_equal(a.is_reply, b.is_reply);
}

/* A TCP connection client -> server opened through the slow path at now: SYN, SYN-ACK, ACK.
 * Returns the ACK's result (learned by gen). */
static struct slow_out handshake(const struct net *n, struct ct_table *ct, uint32_t gen,
                                 const struct flow *f, uint32_t client, uint32_t server,
                                 uint64_t now)
{
    struct slow_out o;
    struct flow r = reverse(f);
    struct tpkt p = pkt(f, client, SYN);
    slow(n->snap, ct, gen, &p, now, true, &o);
    assert_int_equal(o.to, server);
    assert_false(o.learned);
    p = pkt(&r, server, SYN | ACK);
    slow(n->snap, ct, gen, &p, now, true, &o);
    assert_int_equal(o.to, client);
    assert_false(o.learned);
    p = pkt(f, client, ACK);
    slow(n->snap, ct, gen, &p, now, true, &o);
    assert_int_equal(o.to, server);
    return o;
}

/* ---- 1: learn, then hit ---- */

static void learn_then_hit(void **state)
{
    (void)state;
    struct net n;
    net_build(&n);
    struct ct_table *ct = ct_table_new(1024);
    assert_non_null(ct);
    const uint32_t gen = 1;
    struct flow f = flow4(FLOW_PROTO_TCP, IP_A1, 40000, IP_B1, 80), r = reverse(&f);
    struct tpkt ack = pkt(&f, n.a1, ACK), rack = pkt(&r, n.b1, ACK);
    struct slow_out o;
    struct pl_fast_verdict v;

    /* Before the handshake completes nothing is memoized: the SYN's entry alone gives no
     * hit. */
    struct tpkt syn = pkt(&f, n.a1, SYN);
    slow(n.snap, ct, gen, &syn, T0, true, &o);
    assert_int_equal(o.to, n.b1);
    assert_false(o.learned);
    assert_false(fast1(ct, gen, &ack, T0, NULL));
    assert_int_equal(peek(ct, n.a1, &f, T0).state, CT_TCP_SYN_SENT);

    struct tpkt synack = pkt(&r, n.b1, SYN | ACK);
    slow(n.snap, ct, gen, &synack, T0, true, &o);
    assert_int_equal(o.to, n.a1);
    assert_false(o.learned);

    /* The handshake's ACK is the first ACK-only packet both ENIs admit as tracked. */
    slow(n.snap, ct, gen, &ack, T0, true, &o);
    assert_int_equal(o.res.outcome, PL_DELIVERED);
    assert_int_equal(o.res.eni, n.b1);
    assert_true(o.learned);
    assert_int_equal(o.notes.n, 2);
    assert_false(o.notes.spoiled);
    assert_true(o.res.via_pcx);
    assert_int_equal(o.res.mtu, 9001);
    assert_int_equal(o.res.routed_hops, 1); /* A's subnet router; the peering delivers */
    assert_int_equal(peek(ct, n.a1, &f, T0).state, CT_TCP_ESTABLISHED);
    assert_int_equal(peek(ct, n.b1, &f, T0).state, CT_TCP_ESTABLISHED);

    uint64_t t1 = T0 + 5 * S_NS;
    assert_true(fast1(ct, gen, &ack, t1, &v));
    assert_int_equal(v.eni, n.b1);
    assert_true(v.via_pcx);
    assert_int_equal(v.mtu, 9001);
    assert_false(v.mtu_silent);
    assert_int_equal(v.routed_hops, o.res.routed_hops);
    /* Both entries refreshed as ct_lookup() would have. */
    uint64_t want = t1 + (uint64_t)CT_TIMEOUT_TCP_ESTABLISHED_S * S_NS;
    assert_int_equal(peek(ct, n.a1, &f, t1).deadline_ns, want);
    assert_int_equal(peek(ct, n.b1, &f, t1).deadline_ns, want);

    /* The reply direction is memoized on B's entry, separately: not yet learned. */
    uint64_t t2 = T0 + 6 * S_NS;
    assert_false(fast1(ct, gen, &rack, t2, NULL));
    slow(n.snap, ct, gen, &rack, t2, true, &o);
    assert_int_equal(o.to, n.a1);
    assert_true(o.learned);
    assert_true(fast1(ct, gen, &rack, t2 + S_NS, &v));
    assert_int_equal(v.eni, n.a1);
    assert_true(v.via_pcx);
    assert_int_equal(v.mtu, 9001);
    assert_false(v.mtu_silent);
    assert_int_equal(v.routed_hops, o.res.routed_hops);
    assert_int_equal(o.res.routed_hops, 1);
    /* And the first direction still hits. */
    assert_true(fast1(ct, gen, &ack, t2 + S_NS, &v));
    assert_int_equal(v.eni, n.b1);

    /* Same subnet: switched, no router, no peering. */
    struct flow g = flow4(FLOW_PROTO_TCP, IP_A1, 40001, IP_A2, 8080);
    o = handshake(&n, ct, gen, &g, n.a1, n.a2, T0);
    assert_true(o.learned);
    assert_int_equal(o.res.routed_hops, 0);
    assert_false(o.res.via_pcx);
    struct tpkt gack = pkt(&g, n.a1, ACK);
    assert_true(fast1(ct, gen, &gack, T0 + S_NS, &v));
    assert_int_equal(v.eni, n.a2);
    assert_int_equal(v.routed_hops, 0);
    assert_false(v.via_pcx);
    assert_int_equal(v.mtu, 9001);
    assert_false(v.mtu_silent);

    /* UDP is eligible too: the second packet of a flow is learned (the first one's SG rules
     * made the entries). */
    struct flow u = flow4(FLOW_PROTO_UDP, IP_A1, 33333, IP_B1, 53);
    struct tpkt up = pkt(&u, n.a1, 0);
    slow(n.snap, ct, gen, &up, T0, true, &o);
    assert_int_equal(o.to, n.b1);
    assert_false(o.learned);
    slow(n.snap, ct, gen, &up, T0, true, &o);
    assert_true(o.learned);
    assert_true(fast1(ct, gen, &up, T0 + S_NS, &v));
    assert_int_equal(v.eni, n.b1);
    assert_int_equal(peek(ct, n.b1, &u, T0 + S_NS).deadline_ns,
                     T0 + S_NS + (uint64_t)CT_TIMEOUT_UDP_S * S_NS);
    ct_table_free(ct);
    net_free(&n);
}

/* A hit steps both entries with the packet's own flags, as the two ct_lookup()s of the slow
 * path would: an ACK-less segment leaves SYN_RECV alone, an ACK completes the handshake, and
 * the first closer's ACK of the second FIN ends the close. */
static void hit_steps_state_machine(void **state)
{
    (void)state;
    struct net n;
    net_build(&n);
    struct ct_table *ct = ct_table_new(1024);
    struct flow f = flow4(FLOW_PROTO_TCP, IP_A1, 40000, IP_B1, 80), r = reverse(&f);
    struct slow_out o;
    struct tpkt p = pkt(&f, n.a1, SYN);
    slow(n.snap, ct, 1, &p, T0, true, &o);
    p = pkt(&r, n.b1, SYN | ACK);
    slow(n.snap, ct, 1, &p, T0, true, &o);
    struct tpkt data = pkt(&f, n.a1, PSH);
    slow(n.snap, ct, 1, &data, T0, true, &o);
    assert_int_equal(o.to, n.b1);
    assert_true(o.learned);
    assert_int_equal(peek(ct, n.a1, &f, T0).state, CT_TCP_SYN_RECV);
    uint64_t t = T0 + S_NS;
    assert_true(fast1(ct, 1, &data, t, NULL));
    for (int side = 0; side < 2; side++) {
        struct ct_info i = peek(ct, side ? n.b1 : n.a1, &f, t);
        assert_int_equal(i.state, CT_TCP_SYN_RECV);
        assert_int_equal(i.deadline_ns, t + (uint64_t)CT_TIMEOUT_TCP_SYN_RECV_S * S_NS);
        assert_false(i.is_reply);
    }
    struct tpkt ack = pkt(&f, n.a1, ACK);
    assert_true(fast1(ct, 1, &ack, t, NULL));
    assert_int_equal(peek(ct, n.a1, &f, t).state, CT_TCP_ESTABLISHED);
    assert_int_equal(peek(ct, n.b1, &f, t).state, CT_TCP_ESTABLISHED);

    /* A closes first, then B; A's ACK of B's FIN comes by the fast path. */
    p = pkt(&f, n.a1, FIN | ACK);
    slow(n.snap, ct, 1, &p, t, true, &o);
    p = pkt(&r, n.b1, FIN | ACK);
    slow(n.snap, ct, 1, &p, t, true, &o);
    assert_int_equal(peek(ct, n.a1, &f, t).state, CT_TCP_LAST_ACK);
    /* B's ACK-less segment and B's ACK are not the first closer's: nothing moves. */
    struct tpkt rdata = pkt(&r, n.b1, PSH);
    slow(n.snap, ct, 1, &rdata, t, true, &o);
    assert_true(o.learned);
    assert_true(fast1(ct, 1, &rdata, t, NULL));
    assert_int_equal(peek(ct, n.b1, &f, t).state, CT_TCP_LAST_ACK);
    struct tpkt rack = pkt(&r, n.b1, ACK);
    assert_true(fast1(ct, 1, &rack, t, NULL));
    assert_int_equal(peek(ct, n.a1, &f, t).state, CT_TCP_LAST_ACK);
    struct tpkt adata = pkt(&f, n.a1, PSH);
    assert_true(fast1(ct, 1, &adata, t, NULL));
    assert_int_equal(peek(ct, n.a1, &f, t).state, CT_TCP_LAST_ACK);
    uint64_t t2 = t + S_NS;
    assert_true(fast1(ct, 1, &ack, t2, NULL));
    for (int side = 0; side < 2; side++) {
        struct ct_info i = peek(ct, side ? n.b1 : n.a1, &f, t2);
        assert_int_equal(i.state, CT_TCP_TIME_WAIT);
        assert_int_equal(i.deadline_ns, t2 + (uint64_t)CT_TIMEOUT_TCP_TIME_WAIT_S * S_NS);
    }
    /* A reply's packet reads as a reply at both ENIs. */
    assert_true(peek(ct, n.a1, &r, t2).is_reply);
    assert_true(peek(ct, n.b1, &r, t2).is_reply);
    ct_table_free(ct);
    net_free(&n);
}

/* ---- 2: twin tables ---- */

#define TWIN_PACKETS 24000u
#define MAX_CONNS 64
#define MAX_VEC 64

struct conn {
    uint32_t c_eni, s_eni;
    uint32_t relay;  /* an appliance that also sends both directions, or FIB_NONE */
    struct flow fwd; /* client -> server */
    uint16_t icmp_id;
};

static uint64_t rng;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static uint32_t below(uint32_t n)
{
    return rnd() % n;
}

static void add_conns(struct conn *cs, size_t *n, size_t count, uint8_t proto, uint32_t c_eni,
                      const char *c_ip, uint32_t s_eni, const char *s_ip, uint16_t s_port)
{
    for (size_t i = 0; i < count; i++) {
        assert_true(*n < MAX_CONNS);
        struct conn *c = &cs[(*n)++];
        uint16_t cport = (uint16_t)(41000 + *n);
        if (proto == FLOW_PROTO_ICMP)
            c->fwd = flow4(proto, c_ip, 8, s_ip, 0);
        else
            c->fwd = flow4(proto, c_ip, cport, s_ip, s_port);
        c->c_eni = c_eni;
        c->s_eni = s_eni;
        c->relay = FIB_NONE;
        c->icmp_id = proto == FLOW_PROTO_ICMP ? (uint16_t)(700 + *n) : 0;
    }
}

static struct tpkt conn_pkt(const struct conn *c, bool rev, uint8_t flags)
{
    struct tpkt p = {.f = rev ? reverse(&c->fwd) : c->fwd,
                     .eni = rev ? c->s_eni : c->c_eni,
                     .tcp_flags = c->fwd.proto == FLOW_PROTO_TCP ? flags : 0,
                     .icmp_id = c->icmp_id,
                     .l3_len = (uint16_t)(40 + below(1461))};
    return p;
}

static uint8_t random_flags(void)
{
    uint32_t r = below(100);
    if (r < 80)
        return ACK;
    if (r < 83)
        return ACK | PSH;
    if (r < 85)
        return PSH; /* no ACK: moves no handshake on */
    if (r < 90)
        return SYN;
    if (r < 95)
        return SYN | ACK;
    if (r < 98)
        return FIN | ACK;
    return RST;
}

static uint64_t random_step(void)
{
    uint32_t r = below(1000);
    if (r < 700)
        return below(500) * (S_NS / 1000);
    if (r < 900)
        return (uint64_t)below(5000) * (S_NS / 1000);
    if (r < 960)
        return (CT_TIMEOUT_UDP_S + 1) * S_NS;
    if (r < 985)
        return (CT_TIMEOUT_TCP_SYN_RECV_S + 1) * S_NS;
    if (r < 995)
        return (CT_TIMEOUT_TCP_SYN_SENT_S + 1) * S_NS;
    return (CT_TIMEOUT_UDP_STREAM_S + 1) * S_NS;
}

static void compare_entries(const struct ct_table *x, const struct ct_table *y, uint32_t eni,
                            const struct conn *c, size_t ci, uint64_t now, size_t sent)
{
    struct ct_info ix, iy;
    bool px = ct_peek(x, eni, &c->fwd, c->icmp_id, now, &ix);
    bool py = ct_peek(y, eni, &c->fwd, c->icmp_id, now, &iy);
    if (px != py)
        fail_msg("after packet %zu: conn %zu at ENI %u: present %d (fast) vs %d (slow)", sent, ci,
                 eni, px, py);
    if (px &&
        (ix.state != iy.state || ix.deadline_ns != iy.deadline_ns || ix.is_reply != iy.is_reply))
        fail_msg("after packet %zu: conn %zu at ENI %u: fast %s deadline %llu reply %d, "
                 "slow %s deadline %llu reply %d",
                 sent, ci, eni, ct_state_name(ix.state), (unsigned long long)ix.deadline_ns,
                 ix.is_reply, ct_state_name(iy.state), (unsigned long long)iy.deadline_ns,
                 iy.is_reply);
}

static void twin_tables_agree(void **state)
{
    (void)state;
    struct net n;
    net_build(&n);
    struct conn cs[MAX_CONNS];
    size_t nc = 0;
    add_conns(cs, &nc, 12, FLOW_PROTO_TCP, n.a1, IP_A1, n.b1, IP_B1, 80);
    add_conns(cs, &nc, 2, FLOW_PROTO_TCP, n.a1, IP_A1, n.b1, IP_B1, 9999); /* B refuses */
    add_conns(cs, &nc, 4, FLOW_PROTO_TCP, n.b1, IP_B1, n.a1, IP_A1, 22);
    add_conns(cs, &nc, 2, FLOW_PROTO_TCP, n.b1, IP_B1, n.a1, IP_A1, 23); /* A refuses */
    add_conns(cs, &nc, 6, FLOW_PROTO_UDP, n.a1, IP_A1, n.b1, IP_B1, 53);
    add_conns(cs, &nc, 2, FLOW_PROTO_UDP, n.a1, IP_A1, n.b1, IP_B1, 60); /* B refuses */
    add_conns(cs, &nc, 4, FLOW_PROTO_UDP, n.b1, IP_B1, n.a1, IP_A1, 5000);
    add_conns(cs, &nc, 5, FLOW_PROTO_TCP, n.a1, IP_A1, n.a2, IP_A2, 8080);
    add_conns(cs, &nc, 3, FLOW_PROTO_UDP, n.a2, IP_A2, n.a1, IP_A1, 7000);
    add_conns(cs, &nc, 4, FLOW_PROTO_TCP, n.a2, IP_A2, n.b1, IP_B1, 85);
    add_conns(cs, &nc, 2, FLOW_PROTO_ICMP, n.a1, IP_A1, n.b1, IP_B1, 0);
    add_conns(cs, &nc, 1, FLOW_PROTO_ICMP, n.a2, IP_A2, n.a1, IP_A1, 0);
    add_conns(cs, &nc, 1, FLOW_PROTO_ICMP, n.b1, IP_B1, n.a1, IP_A1, 0); /* A refuses */
    size_t relayed = nc;
    add_conns(cs, &nc, 4, FLOW_PROTO_TCP, n.a1, IP_A1, n.b1, IP_B1, 80);
    add_conns(cs, &nc, 2, FLOW_PROTO_UDP, n.a1, IP_A1, n.b1, IP_B1, 53);
    for (size_t c = relayed; c < nc; c++)
        cs[c].relay = n.fw;
    assert_int_equal(nc, 54);

    struct ct_table *x = ct_table_new(4096), *y = ct_table_new(4096);
    assert_non_null(x);
    assert_non_null(y);
    rng = 0x9e3779b97f4a7c15ull;
    uint64_t now = T0;
    uint32_t gen = 1;
    size_t sent = 0, hits = 0, ack_sent = 0, ack_hits = 0, udp_hits = 0, learned = 0;
    size_t delivered = 0, vectors = 0, relay_hits = 0;
    static struct tpkt pk[MAX_VEC];
    static struct pl_fast_pkt fp[MAX_VEC];
    while (sent < TWIN_PACKETS) {
        /* A new view of the same network halfway: every memo must be relearned. */
        if (sent >= TWIN_PACKETS / 2)
            gen = 2;
        size_t want = 1 + below(MAX_VEC);
        if (want > nc)
            want = nc;
        bool used[MAX_CONNS] = {0};
        size_t ci[MAX_VEC];
        /* Different connections only: a miss goes the slow way after the whole vector, so two
         * packets of one connection in a vector could be decided in another order than Y's. */
        for (size_t k = 0; k < want; k++) {
            size_t c;
            do
                c = below((uint32_t)nc);
            while (used[c]);
            used[c] = true;
            ci[k] = c;
            bool rev = below(100) < 45;
            pk[k] = conn_pkt(&cs[c], rev, random_flags());
            uint32_t who = below(100);
            if (cs[c].relay != FIB_NONE && who < 50)
                pk[k].eni = cs[c].relay;
            else if (who >= 98) /* the other end, with a source that is not its own */
                pk[k].eni = rev ? cs[c].c_eni : cs[c].s_eni;
            uint32_t r = below(100);
            if (r < 2)
                pk[k].ttl = 1;
            else if (r < 4)
                pk[k].l3_len = 9100;
            else if (r < 6)
                pk[k].l3_len = 9001;
            fp[k] = (struct pl_fast_pkt){.f = &pk[k].f,
                                         .ct_name = pk[k].eni,
                                         .tcp_flags = pk[k].tcp_flags,
                                         .ttl = pk[k].ttl,
                                         .l3_len = pk[k].l3_len};
        }
        pl_fast_run(x, gen, fp, want, now);
        for (size_t k = 0; k < want; k++, sent++) {
            const struct tpkt *p = &pk[k];
            bool ack_only = p->f.proto == FLOW_PROTO_TCP && p->tcp_flags == ACK;
            struct slow_out oy, ox;
            slow(n.snap, y, gen, p, now, false, &oy);
            uint32_t to_x;
            if (fp[k].hit) {
                const struct pl_fast_verdict *v = &fp[k].v;
                if (oy.res.outcome != PL_DELIVERED || v->eni != oy.res.eni ||
                    v->routed_hops != oy.res.routed_hops || v->mtu != oy.res.mtu ||
                    v->mtu_silent != oy.res.mtu_silent || v->via_pcx != oy.res.via_pcx)
                    fail_msg("packet %zu (conn %zu, flags %#x): fast verdict eni %u hops %u "
                             "mtu %u pcx %d; slow outcome %d eni %u hops %u mtu %u pcx %d",
                             sent, ci[k], p->tcp_flags, v->eni, v->routed_hops, v->mtu, v->via_pcx,
                             oy.res.outcome, oy.res.eni, oy.res.routed_hops, oy.res.mtu,
                             oy.res.via_pcx);
                to_x = v->eni;
                hits++;
                ack_hits += ack_only;
                udp_hits += p->f.proto == FLOW_PROTO_UDP;
                relay_hits += p->eni == n.fw;
            } else {
                slow(n.snap, x, gen, p, now, true, &ox);
                to_x = ox.to;
                learned += ox.learned;
            }
            if (to_x != oy.to)
                fail_msg("packet %zu (conn %zu, flags %#x, ttl %u, len %u, t %llu): fast path "
                         "table gives %d, slow gives %d",
                         sent, ci[k], p->tcp_flags, p->ttl, p->l3_len, (unsigned long long)now,
                         to_x == DROP ? -1 : (int)to_x, oy.to == DROP ? -1 : (int)oy.to);
            ack_sent += ack_only;
            delivered += oy.to != DROP;
        }
        for (size_t c = 0; c < nc; c++) {
            compare_entries(x, y, cs[c].c_eni, &cs[c], c, now, sent);
            compare_entries(x, y, cs[c].s_eni, &cs[c], c, now, sent);
            if (cs[c].relay != FIB_NONE)
                compare_entries(x, y, cs[c].relay, &cs[c], c, now, sent);
        }
        /* Expiry moves entries (and memos) back over reclaimed slots. */
        ct_expire(x, now, 16);
        ct_expire(y, now, 16);
        now += random_step();
        vectors++;
    }
    print_message("twin: %zu packets in %zu vectors, %zu delivered, %zu hits (%zu of %zu "
                  "ACK-only, %zu UDP, %zu sent by the appliance), %zu learned\n",
                  sent, vectors, delivered, hits, ack_hits, ack_sent, udp_hits, relay_hits,
                  learned);
    assert_true(ack_hits * 2 > ack_sent);
    assert_true(udp_hits > 0);
    assert_true(relay_hits > 0);
    assert_true(learned > 0);
    /* The sequence is not all drops nor all hits: both paths were exercised. */
    assert_true(delivered > sent / 2);
    assert_true(hits < sent);
    ct_table_free(x);
    ct_table_free(y);
    net_free(&n);
}

/* ---- 3: what must not hit ---- */

/* A peered TCP flow a1:sport -> b1:80 established at now and learned by gen on a1's entry. */
static struct tpkt learned_flow(const struct net *n, struct ct_table *ct, uint32_t gen,
                                uint16_t sport, uint64_t now)
{
    struct flow f = flow4(FLOW_PROTO_TCP, IP_A1, sport, IP_B1, 80);
    struct slow_out o = handshake(n, ct, gen, &f, n->a1, n->b1, now);
    assert_true(o.learned);
    return pkt(&f, n->a1, ACK);
}

static void miss_changes_nothing(const struct net *n, struct ct_table *ct, uint32_t gen,
                                 const struct tpkt *p, uint64_t now)
{
    struct ct_info a = peek(ct, n->a1, &p->f, now), b = peek(ct, n->b1, &p->f, now);
    assert_false(fast1(ct, gen, p, now, NULL));
    assert_info_equal(peek(ct, n->a1, &p->f, now), a);
    assert_info_equal(peek(ct, n->b1, &p->f, now), b);
}

static void invalid_gen(void **state)
{
    (void)state;
    struct net n;
    net_build(&n);
    struct ct_table *ct = ct_table_new(1024);
    struct tpkt p = learned_flow(&n, ct, 1, 40000, T0);
    assert_true(fast1(ct, 1, &p, T0, NULL));
    miss_changes_nothing(&n, ct, 2, &p, T0);
    struct slow_out o;
    slow(n.snap, ct, 2, &p, T0, true, &o);
    assert_int_equal(o.to, n.b1);
    assert_true(o.learned);
    assert_true(fast1(ct, 2, &p, T0, NULL));
    /* The memo holds one decision: the older view's is gone. */
    assert_false(fast1(ct, 1, &p, T0, NULL));
    ct_table_free(ct);
    net_free(&n);
}

static void invalid_receiver_flushed(void **state)
{
    (void)state;
    struct net n;
    net_build(&n);
    struct ct_table *ct = ct_table_new(1024);
    struct pl_fast_verdict v;
    struct slow_out o;
    struct tpkt p = learned_flow(&n, ct, 1, 40000, T0);
    struct ct_info before = peek(ct, n.a1, &p.f, T0);
    ct_flush_eni(ct, n.b1);
    assert_false(fast1(ct, 1, &p, T0, NULL));
    assert_info_equal(peek(ct, n.a1, &p.f, T0), before);
    /* B's rules admit TCP 80 from A: the slow path delivers and B tracks the flow again. */
    slow(n.snap, ct, 1, &p, T0, true, &o);
    assert_int_equal(o.to, n.b1);
    assert_false(o.learned);
    assert_int_equal(peek(ct, n.b1, &p.f, T0).state, CT_TCP_ESTABLISHED);
    slow(n.snap, ct, 1, &p, T0, true, &o);
    assert_true(o.learned);
    assert_true(fast1(ct, 1, &p, T0, &v));
    assert_int_equal(v.eni, n.b1);

    /* The reply direction, learned on B's entry; A's entry flushed: A's rules do not admit
     * TCP from B's port 80, so the slow path drops, and the fast path must not deliver. */
    struct flow r = reverse(&p.f);
    struct tpkt rp = pkt(&r, n.b1, ACK);
    slow(n.snap, ct, 1, &rp, T0, true, &o);
    assert_true(o.learned);
    assert_true(fast1(ct, 1, &rp, T0, NULL));
    ct_flush_eni(ct, n.a1);
    assert_false(fast1(ct, 1, &rp, T0, NULL));
    slow(n.snap, ct, 1, &rp, T0, true, &o);
    assert_int_equal(o.to, DROP);
    assert_int_equal(o.res.code, PL_ENI_SG_RULES_MISMATCH);
    assert_int_equal(o.res.reject_eni, n.a1);
    assert_false(fast1(ct, 1, &rp, T0, NULL));
    ct_table_free(ct);
    net_free(&n);
}

/* The entry of one side idles out while the other's was refreshed (a lookup at that ENI
 * only). at_deadline: look exactly at the deadline (dead), else 1 ns before it (live). */
static void timeout_case(const struct net *n, struct ct_table *ct, uint16_t sport, bool sender_dies,
                         bool at_deadline)
{
    struct tpkt p = learned_flow(n, ct, 1, sport, T0);
    uint32_t dying = sender_dies ? n->a1 : n->b1, other = sender_dies ? n->b1 : n->a1;
    assert_true(ct_lookup(ct, other, &p.f, ACK, 0, T0 + 10 * S_NS, NULL));
    uint64_t d = peek(ct, dying, &p.f, T0).deadline_ns;
    assert_int_equal(d, T0 + (uint64_t)CT_TIMEOUT_TCP_ESTABLISHED_S * S_NS);
    struct pl_fast_verdict v;
    if (!at_deadline) {
        assert_true(fast1(ct, 1, &p, d - 1, &v));
        assert_int_equal(v.eni, n->b1);
        return;
    }
    struct ct_info o_before = peek(ct, other, &p.f, d);
    assert_false(fast1(ct, 1, &p, d, NULL));
    assert_info_equal(peek(ct, other, &p.f, d), o_before);
    struct ct_info dead;
    assert_false(ct_peek(ct, dying, &p.f, 0, d, &dead));
    /* The slow path: the dead side's rules judge the ACK (both admit this flow's direction),
     * a new entry is made there, nothing is learned this time. */
    struct slow_out o;
    slow(n->snap, ct, 1, &p, d, true, &o);
    assert_int_equal(o.to, n->b1);
    assert_false(o.learned);
    assert_int_equal(peek(ct, dying, &p.f, d).state, CT_TCP_ESTABLISHED);
    if (sender_dies) {
        /* The new entry carries no memo: learned again by the next packet. */
        assert_false(fast1(ct, 1, &p, d, NULL));
        slow(n->snap, ct, 1, &p, d, true, &o);
        assert_true(o.learned);
    }
    /* A receiver's new entry leaves the sender's memo standing (it names the receiver, not
     * an entry), and the decision is again the slow path's: both ends track the flow. */
    assert_true(fast1(ct, 1, &p, d, &v));
    assert_int_equal(v.eni, n->b1);
}

static void invalid_timeouts(void **state)
{
    (void)state;
    struct net n;
    net_build(&n);
    struct ct_table *ct = ct_table_new(1024);
    timeout_case(&n, ct, 40001, true, true);
    timeout_case(&n, ct, 40002, true, false);
    timeout_case(&n, ct, 40003, false, true);
    timeout_case(&n, ct, 40004, false, false);

    /* UDP, both entries together: CT_TIMEOUT_UDP_S after the last packet. */
    struct flow u = flow4(FLOW_PROTO_UDP, IP_A1, 33333, IP_B1, 53);
    struct tpkt up = pkt(&u, n.a1, 0);
    struct slow_out o;
    slow(n.snap, ct, 1, &up, T0, true, &o);
    slow(n.snap, ct, 1, &up, T0, true, &o);
    assert_true(o.learned);
    uint64_t d = T0 + (uint64_t)CT_TIMEOUT_UDP_S * S_NS;
    assert_int_equal(peek(ct, n.a1, &u, T0).deadline_ns, d);
    assert_false(fast1(ct, 1, &up, d, NULL));
    assert_true(fast1(ct, 1, &up, d - 1, NULL));
    d = d - 1 + (uint64_t)CT_TIMEOUT_UDP_S * S_NS;
    assert_false(fast1(ct, 1, &up, d, NULL));
    slow(n.snap, ct, 1, &up, d, true, &o);
    assert_int_equal(o.to, n.b1);
    assert_false(o.learned); /* both sides' rules judged it again */
    assert_int_equal(peek(ct, n.a1, &u, d).state, CT_UDP_NEW);

    /* TCP SYN_SENT: a SYN, then an ACK-only packet in the same direction before any reply
     * (tracked at both ends without a state change, so it is learned): the fast path keeps
     * the SYN_SENT timeout. */
    struct flow s = flow4(FLOW_PROTO_TCP, IP_A1, 40010, IP_B1, 81);
    struct tpkt sp = pkt(&s, n.a1, SYN);
    slow(n.snap, ct, 1, &sp, T0, true, &o);
    sp.tcp_flags = ACK;
    slow(n.snap, ct, 1, &sp, T0, true, &o);
    assert_true(o.learned);
    assert_int_equal(peek(ct, n.b1, &s, T0).state, CT_TCP_SYN_SENT);
    d = T0 + (uint64_t)CT_TIMEOUT_TCP_SYN_SENT_S * S_NS;
    assert_int_equal(peek(ct, n.a1, &s, T0).deadline_ns, d);
    assert_false(fast1(ct, 1, &sp, d, NULL));
    assert_true(fast1(ct, 1, &sp, d - 1, NULL));
    assert_int_equal(peek(ct, n.b1, &s, d - 1).state, CT_TCP_SYN_SENT);
    assert_int_equal(peek(ct, n.b1, &s, d - 1).deadline_ns,
                     d - 1 + (uint64_t)CT_TIMEOUT_TCP_SYN_SENT_S * S_NS);
    ct_table_free(ct);
    net_free(&n);
}

static void invalid_ttl(void **state)
{
    (void)state;
    struct net n;
    net_build(&n);
    struct ct_table *ct = ct_table_new(1024);
    struct tpkt p = learned_flow(&n, ct, 1, 40000, T0);
    struct slow_out o;
    p.ttl = 1; /* one router hop across the peering */
    miss_changes_nothing(&n, ct, 1, &p, T0);
    slow(n.snap, ct, 1, &p, T0, true, &o);
    assert_int_equal(o.res.outcome, PL_DROPPED);
    assert_int_equal(o.res.code, PL_TTL_EXPIRED);
    assert_int_equal(o.to, DROP);
    assert_false(o.learned);
    assert_int_equal(o.notes.n, 1); /* only the sender's egress was asked */
    p.ttl = 2;
    assert_true(fast1(ct, 1, &p, T0, NULL));
    slow(n.snap, ct, 1, &p, T0, false, &o);
    assert_int_equal(o.to, n.b1);

    /* Within a subnet no router decrements: TTL 1 hits. */
    struct flow g = flow4(FLOW_PROTO_TCP, IP_A1, 40001, IP_A2, 8080);
    o = handshake(&n, ct, 1, &g, n.a1, n.a2, T0);
    assert_true(o.learned);
    struct tpkt gp = pkt(&g, n.a1, ACK);
    gp.ttl = 1;
    assert_true(fast1(ct, 1, &gp, T0, NULL));
    slow(n.snap, ct, 1, &gp, T0, false, &o);
    assert_int_equal(o.to, n.a2);
    ct_table_free(ct);
    net_free(&n);
}

static void invalid_mtu(void **state)
{
    (void)state;
    struct net n;
    net_build(&n);
    struct ct_table *ct = ct_table_new(1024);
    struct tpkt p = learned_flow(&n, ct, 1, 40000, T0);
    struct slow_out o;
    p.l3_len = 9002;
    miss_changes_nothing(&n, ct, 1, &p, T0);
    slow(n.snap, ct, 1, &p, T0, true, &o);
    assert_int_equal(o.res.outcome, PL_DELIVERED);
    assert_int_equal(o.res.mtu, 9001);
    assert_int_equal(o.to, DROP); /* too big: the data plane answers it instead */
    p.l3_len = 9001;
    assert_true(fast1(ct, 1, &p, T0, NULL));
    ct_table_free(ct);
    net_free(&n);
}

static void invalid_flags(void **state)
{
    (void)state;
    struct net n;
    net_build(&n);
    struct ct_table *ct = ct_table_new(1024);
    struct tpkt p = learned_flow(&n, ct, 1, 40000, T0);
    struct slow_out o;
    static const uint8_t slow_flags[] = {SYN, SYN | ACK, FIN, FIN | ACK, RST, RST | ACK};
    for (size_t i = 0; i < sizeof slow_flags; i++) {
        p.tcp_flags = slow_flags[i];
        miss_changes_nothing(&n, ct, 1, &p, T0);
    }
    /* The slow path then decides and steps the entries: a SYN on an established connection
     * is tracked, a FIN starts the close, an RST ends it. */
    p.tcp_flags = SYN;
    slow(n.snap, ct, 1, &p, T0, true, &o);
    assert_int_equal(o.to, n.b1);
    assert_false(o.learned);
    assert_int_equal(peek(ct, n.b1, &p.f, T0).state, CT_TCP_ESTABLISHED);
    p.tcp_flags = FIN | ACK;
    slow(n.snap, ct, 1, &p, T0, true, &o);
    assert_int_equal(o.to, n.b1);
    assert_false(o.learned);
    assert_int_equal(peek(ct, n.a1, &p.f, T0).state, CT_TCP_FIN_WAIT);
    assert_int_equal(peek(ct, n.b1, &p.f, T0).state, CT_TCP_FIN_WAIT);
    p.tcp_flags = RST;
    slow(n.snap, ct, 1, &p, T0, true, &o);
    assert_int_equal(o.to, n.b1);
    assert_false(o.learned);
    assert_int_equal(peek(ct, n.a1, &p.f, T0).state, CT_TCP_CLOSE);
    assert_int_equal(peek(ct, n.b1, &p.f, T0).state, CT_TCP_CLOSE);
    /* The memo outlives the close: an ACK after it is admitted by both entries (as
     * ct_lookup admits it), so the fast path may forward it, stepping nothing but time. */
    p.tcp_flags = ACK;
    assert_true(fast1(ct, 1, &p, T0 + S_NS, NULL));
    assert_int_equal(peek(ct, n.b1, &p.f, T0 + S_NS).deadline_ns,
                     T0 + S_NS + (uint64_t)CT_TIMEOUT_TCP_CLOSE_S * S_NS);
    ct_table_free(ct);
    net_free(&n);
}

static void invalid_icmp(void **state)
{
    (void)state;
    struct net n;
    net_build(&n);
    struct ct_table *ct = ct_table_new(1024);
    struct flow e = flow4(FLOW_PROTO_ICMP, IP_A1, 8, IP_B1, 0);
    struct tpkt p = pkt(&e, n.a1, 0);
    p.icmp_id = 77;
    struct slow_out o;
    slow(n.snap, ct, 1, &p, T0, true, &o);
    assert_int_equal(o.to, n.b1);
    slow(n.snap, ct, 1, &p, T0, true, &o);
    /* Tracked at both ends, delivered, and still not memoized. */
    assert_int_equal(o.to, n.b1);
    assert_int_equal(o.notes.n, 2);
    assert_false(o.notes.spoiled);
    assert_false(o.learned);
    assert_false(fast1(ct, 1, &p, T0, NULL));
    /* Even with a memo on the echo's entry (written here through pl_fast_learn() with the
     * header relabelled UDP, which passes its protocol check), an ICMP packet is not
     * eligible. */
    struct flow as_udp = e;
    as_udp.proto = FLOW_PROTO_UDP;
    struct pl_result res = o.res;
    res.f = as_udp;
    assert_true(pl_fast_learn(ct, 1, n.snap, n.a1, &as_udp, 0, &o.notes, &res));
    assert_false(fast1(ct, 1, &p, T0, NULL));
    ct_table_free(ct);
    net_free(&n);
}

static void learn_refusals(void **state)
{
    (void)state;
    struct net n;
    net_build(&n);
    struct ct_table *ct = ct_table_new(1024);
    struct flow f = flow4(FLOW_PROTO_TCP, IP_A1, 40000, IP_B1, 80);
    struct slow_out o;
    /* The first packet: rules judged it at both ends. */
    struct tpkt p = pkt(&f, n.a1, ACK);
    slow(n.snap, ct, 1, &p, T0, true, &o);
    assert_int_equal(o.to, n.b1);
    assert_true(o.notes.spoiled);
    assert_false(o.learned);
    /* A packet the pipeline drops after the sender's egress: one note, not delivered. */
    p.ttl = 1;
    slow(n.snap, ct, 1, &p, T0, true, &o);
    assert_int_equal(o.res.outcome, PL_DROPPED);
    assert_int_equal(o.notes.n, 1);
    assert_false(o.notes.spoiled);
    assert_false(o.learned);
    /* A learnable run, taken apart: each condition alone refuses. */
    p.ttl = 0;
    slow(n.snap, ct, 1, &p, T0, false, &o);
    assert_int_equal(o.to, n.b1);
    assert_int_equal(o.notes.n, 2);
    assert_false(o.notes.spoiled);
    struct pl_fast_notes bad = o.notes;
    bad.spoiled = true;
    assert_false(pl_fast_learn(ct, 1, n.snap, n.a1, &f, ACK, &bad, &o.res));
    bad = o.notes;
    bad.n = 1;
    assert_false(pl_fast_learn(ct, 1, n.snap, n.a1, &f, ACK, &bad, &o.res));
    bad = o.notes;
    bad.n = 0;
    assert_false(pl_fast_learn(ct, 1, n.snap, n.a1, &f, ACK, &bad, &o.res));
    struct pl_result res = o.res;
    res.outcome = PL_DROPPED;
    assert_false(pl_fast_learn(ct, 1, n.snap, n.a1, &f, ACK, &o.notes, &res));
    res = o.res;
    res.outcome = PL_TO_INTERNET;
    assert_false(pl_fast_learn(ct, 1, n.snap, n.a1, &f, ACK, &o.notes, &res));
    assert_false(pl_fast_learn(ct, 0, n.snap, n.a1, &f, ACK, &o.notes, &o.res));
    assert_false(pl_fast_learn(ct, 1, n.snap, n.a1, &f, ACK | FIN, &o.notes, &o.res));
    assert_false(pl_fast_learn(ct, 1, n.snap, n.a2, &f, ACK, &o.notes, &o.res));
    /* Nothing was memoized by any of them. */
    assert_false(fast1(ct, 1, &p, T0, NULL));
    assert_true(pl_fast_learn(ct, 1, n.snap, n.a1, &f, ACK, &o.notes, &o.res));
    assert_true(fast1(ct, 1, &p, T0, NULL));
    ct_table_free(ct);
    net_free(&n);
}

static void learn_refused_with_flow_log(void **state)
{
    (void)state;
    struct net n;
    net_build(&n);
    const char *ids[1] = {n.vpc_b};
    struct flow_log_create_args a = {.resource_ids = ids,
                                     .n_resource_ids = 1,
                                     .resource_type = "VPC",
                                     .traffic_type = "ALL",
                                     .dest_type = "s3",
                                     .log_destination = "arn:aws:s3:::fastpath-test-logs",
                                     .hive_partitions = -1,
                                     .per_hour_partition = -1};
    struct flow_log **made;
    struct flow_log_failure *failed;
    size_t n_made, n_failed;
    struct merr err = {0};
    must(flow_log_create(n.m, n.sc, &a, &made, &n_made, &failed, &n_failed, &err), &err,
         "flow log");
    assert_int_equal(n_made, 1);
    assert_int_equal(n_failed, 0);
    free(made);
    free(failed);
    fib_snapshot_unref(n.snap);
    n.snap = fib_snapshot_build(n.m);
    assert_non_null(n.snap);
    assert_int_equal(fib_find(n.snap, FIB_OBJ_ENI, n.a1_id), n.a1);
    assert_int_equal(fib_find(n.snap, FIB_OBJ_ENI, n.b1_id), n.b1);
    assert_int_equal(n.snap->enis[n.b1].n_flow_logs, 1);
    assert_int_equal(n.snap->enis[n.a1].n_flow_logs, 0);

    struct ct_table *ct = ct_table_new(1024);
    struct flow f = flow4(FLOW_PROTO_TCP, IP_A1, 40000, IP_B1, 80), r = reverse(&f);
    /* To a logged ENI: tracked at both ends and delivered, but not memoized. */
    struct slow_out o = handshake(&n, ct, 1, &f, n.a1, n.b1, T0);
    assert_int_equal(o.notes.n, 2);
    assert_false(o.notes.spoiled);
    assert_false(o.learned);
    struct tpkt p = pkt(&f, n.a1, ACK);
    assert_false(fast1(ct, 1, &p, T0, NULL));
    /* From a logged ENI. */
    struct tpkt rp = pkt(&r, n.b1, ACK);
    slow(n.snap, ct, 1, &rp, T0, true, &o);
    assert_int_equal(o.to, n.a1);
    assert_int_equal(o.notes.n, 2);
    assert_false(o.learned);
    assert_false(fast1(ct, 1, &rp, T0, NULL));
    /* Between ENIs no flow log watches, the same snapshot memoizes. */
    struct flow g = flow4(FLOW_PROTO_TCP, IP_A1, 40001, IP_A2, 8080);
    o = handshake(&n, ct, 1, &g, n.a1, n.a2, T0);
    assert_true(o.learned);
    ct_table_free(ct);
    net_free(&n);
}

/* Conntrack keys are direction-free, so the sender's entry also matches the reverse header
 * sent by the same ENI: the memo must not answer for it. a1 learned a1:40000 -> b1:80 and
 * now sends b1:80 -> a1:40000 (B's address as its source, with source/destination check on);
 * the slow path drops it at a1, so the fast path must not forward it (a memo without the
 * direction forwarded it to b1, which it is not even addressed to). Likewise from b1. */
static void reverse_direction_from_same_eni(void **state)
{
    (void)state;
    struct net n;
    net_build(&n);
    struct ct_table *ct = ct_table_new(1024);
    struct slow_out o;
    struct pl_fast_verdict v1 = {0}, v2 = {0};
    struct tpkt p = learned_flow(&n, ct, 1, 40000, T0);
    struct flow r = reverse(&p.f);
    /* b1's reply direction learned as well, on b1's entry. */
    struct tpkt rp = pkt(&r, n.b1, ACK);
    slow(n.snap, ct, 1, &rp, T0, true, &o);
    assert_true(o.learned);

    /* a1 sends b1:80 -> a1:40000; b1 sends a1:40000 -> b1:80. */
    struct tpkt spoof_a = pkt(&r, n.a1, ACK), spoof_b = pkt(&p.f, n.b1, ACK);
    slow(n.snap, ct, 1, &spoof_a, T0, true, &o);
    assert_int_equal(o.res.outcome, PL_DROPPED);
    assert_int_equal(o.res.code, PL_ENI_SOURCE_DEST_CHECK_RESTRICTION);
    assert_int_equal(o.notes.n, 0); /* dropped before any SG was asked */
    slow(n.snap, ct, 1, &spoof_b, T0, true, &o);
    assert_int_equal(o.res.outcome, PL_DROPPED);
    assert_int_equal(o.res.code, PL_ENI_SOURCE_DEST_CHECK_RESTRICTION);
    bool hit_a = fast1(ct, 1, &spoof_a, T0, &v1);
    bool hit_b = fast1(ct, 1, &spoof_b, T0, &v2);
    uint32_t a1 = n.a1, b1 = n.b1;
    /* Freed before the verdict: a failure jumps out of the test. */
    ct_table_free(ct);
    net_free(&n);
    if (hit_a || hit_b)
        fail_msg("spoofed reverse-direction packets, which the slow path drops with %s: "
                 "a1 sending %s:80 -> %s:40000 %s (to ENI %u; b1 is %u); "
                 "b1 sending %s:40000 -> %s:80 %s (to ENI %u; a1 is %u)",
                 pipeline_code_name(PL_ENI_SOURCE_DEST_CHECK_RESTRICTION), IP_B1, IP_A1,
                 hit_a ? "HIT" : "missed", v1.eni, b1, IP_A1, IP_B1, hit_b ? "HIT" : "missed",
                 v2.eni, a1);
}

/* ---- 4: the receiver's entry beside the sender's ---- */

static struct flow numbered_flow(uint32_t i)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    f.family = 4;
    f.proto = i % 3 == 0 ? FLOW_PROTO_UDP : FLOW_PROTO_TCP;
    uint32_t src = htonl(0x0a000000u | (i % 251) << 8 | 10), dst = htonl(0x0a010000u | 10);
    memcpy(f.src, &src, 4);
    memcpy(f.dst, &dst, 4);
    f.sport = (uint16_t)(1024 + i);
    f.dport = (uint16_t)(80 + i % 7);
    return f;
}

#define HS_FLOWS 2000u
#define HS_A 11u
#define HS_B 22u
#define HS_C 33u

static uint32_t slot_at(struct ct_table *ct, uint32_t eni, const struct flow *f, uint64_t now)
{
    uint32_t slot;
    bool live = ct_lookup_slot(ct, eni, f, ACK, 0, now, NULL, &slot);
    assert_true(live == (slot != CT_NO_SLOT));
    return slot;
}

static void hash_sharing(void **state)
{
    (void)state;
    /* 4,096 entries in a table of 4,096: load 0.8, long clusters, tag collisions. */
    struct ct_table *ct = ct_table_new(2 * HS_FLOWS + 96);
    assert_non_null(ct);
    static struct flow fs[HS_FLOWS];
    for (uint32_t i = 0; i < HS_FLOWS; i++) {
        fs[i] = numbered_flow(i);
        /* Every flow at A; most at B (from the other side); every 7th at a third ENI, so
         * some flows have more entries than the scan keeps candidates for. */
        assert_int_equal(ct_commit(ct, HS_A, &fs[i], ACK, 0, T0), 0);
        if (i % 10 != 0) {
            struct flow r = reverse(&fs[i]);
            assert_int_equal(ct_commit(ct, HS_B, &r, ACK, 0, T0), 0);
        }
        if (i % 7 == 0)
            assert_int_equal(ct_commit(ct, HS_C, &fs[i], ACK, 0, T0), 0);
    }
    assert_true(ct_count(ct) <= ct_capacity(ct));
    /* The staged way the fast path uses them: all starts, then all scans, then the finds. */
    static struct ct_probe pr[HS_FLOWS], rv[HS_FLOWS];
    for (uint32_t i = 0; i < HS_FLOWS; i++) {
        ct_probe_start(ct, &pr[i], HS_A, &fs[i], 0);
        struct flow r = reverse(&fs[i]);
        ct_probe_start(ct, &rv[i], HS_B, &r, 0);
    }
    for (uint32_t i = 0; i < HS_FLOWS; i++) {
        ct_probe_scan(ct, &pr[i]);
        ct_probe_scan(ct, &rv[i]);
    }
    uint64_t now = T0 + S_NS;
    size_t more_than_two = 0, long_scans = 0;
    for (uint32_t i = 0; i < HS_FLOWS; i++) {
        assert_true(pr[i].ok);
        assert_int_equal(pr[i].hash, rv[i].hash); /* the ENI is not hashed */
        uint32_t a = ct_probe_find(ct, &pr[i], now);
        uint32_t b = ct_probe_find_at(ct, &pr[i], HS_B, now);
        uint32_t c = ct_probe_find_at(ct, &pr[i], HS_C, now);
        uint32_t b2 = ct_probe_find(ct, &rv[i], now);
        uint32_t a2 = ct_probe_find_at(ct, &rv[i], HS_A, now);
        uint32_t none = ct_probe_find_at(ct, &pr[i], 44, now);
        assert_int_equal(none, CT_NO_SLOT);
        assert_int_not_equal(a, CT_NO_SLOT);
        assert_int_equal(a, a2);
        assert_int_equal(b, b2);
        assert_int_equal(a, slot_at(ct, HS_A, &fs[i], now));
        assert_int_equal(b, slot_at(ct, HS_B, &fs[i], now));
        assert_int_equal(c, slot_at(ct, HS_C, &fs[i], now));
        assert_true((b == CT_NO_SLOT) == (i % 10 == 0));
        assert_true((c == CT_NO_SLOT) == (i % 7 != 0));
        more_than_two += i % 7 == 0 && i % 10 != 0;
        long_scans += !pr[i].scan_complete && pr[i].n_cand < 2;
    }
    print_message("hash_sharing: %zu flows with three entries, %zu scans past %u slots\n",
                  more_than_two, long_scans, CT_SCAN_SLOTS);
    /* Timed out: the probes find the entries but report none live, as ct_lookup_slot. */
    uint64_t late = now + (uint64_t)CT_TIMEOUT_TCP_ESTABLISHED_S * S_NS;
    for (uint32_t i = 0; i < HS_FLOWS; i += 97) {
        assert_int_equal(ct_probe_find(ct, &pr[i], late), CT_NO_SLOT);
        assert_int_equal(ct_probe_find_at(ct, &pr[i], HS_B, late), CT_NO_SLOT);
        assert_int_equal(slot_at(ct, HS_A, &fs[i], late), CT_NO_SLOT);
    }
    ct_table_free(ct);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(learn_then_hit),
    cmocka_unit_test(hit_steps_state_machine),
    cmocka_unit_test(twin_tables_agree),
    cmocka_unit_test(invalid_gen),
    cmocka_unit_test(invalid_receiver_flushed),
    cmocka_unit_test(invalid_timeouts),
    cmocka_unit_test(invalid_ttl),
    cmocka_unit_test(invalid_mtu),
    cmocka_unit_test(invalid_flags),
    cmocka_unit_test(invalid_icmp),
    cmocka_unit_test(learn_refusals),
    cmocka_unit_test(learn_refused_with_flow_log),
    cmocka_unit_test(reverse_direction_from_same_eni),
    cmocka_unit_test(hash_sharing),
};

UNIT_MAIN(tests)
