/* The data plane on memory ports: frames an "instance" sends are injected into its port, and
 * what arrives at the other ports is read back, byte for byte. Covers the ARP and router
 * answers, forwarding within and across subnets (TTL, MACs), SG drops, connection tracking
 * (a tracked flow survives the rule's removal, a new one does not) and stateless NACLs. */
#include "unit.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dp/dp.h"
#include "lib/pkt.h"
#include "model/resources.h"

/* ---- a small frame builder (independent of the code under test) ---- */

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        sum += (uint32_t)(p[n - 1] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static const uint8_t any_mac[6] = {0x02, 0, 0, 0, 0, 0x99};

/* Payload bytes and the DF bit of the next ip4_frame() (the MTU test changes them). */
static size_t frame_payload = 4;
static bool frame_df = true;

/* An IPv4 frame from src to dst (host order) with proto and an L4 header of l4len bytes
 * (TCP: sport, dport, flags; UDP: ports; ICMP: echo request id=sport). */
static size_t ip4_frame(uint8_t *f, const uint8_t src_mac[6], uint32_t src, uint32_t dst,
                        uint8_t proto, uint16_t sport, uint16_t dport, uint8_t tcp_flags,
                        uint8_t ttl)
{
    memset(f, 0, 14 + 20 + 20 + frame_payload);
    memcpy(f, any_mac, 6);
    memcpy(f + 6, src_mac, 6);
    f[12] = 0x08;
    uint8_t *ip = f + 14;
    size_t l4 = proto == 6 ? 20 : 8;
    size_t tot = 20 + l4 + frame_payload;
    ip[0] = 0x45;
    ip[2] = (uint8_t)(tot >> 8);
    ip[3] = (uint8_t)tot;
    ip[6] = frame_df ? 0x40 : 0; /* DF */
    ip[8] = ttl;
    ip[9] = proto;
    uint32_t s = htonl(src), d = htonl(dst);
    memcpy(ip + 12, &s, 4);
    memcpy(ip + 16, &d, 4);
    uint16_t c = csum(ip, 20, 0);
    ip[10] = (uint8_t)(c >> 8);
    ip[11] = (uint8_t)c;
    uint8_t *t = ip + 20;
    if (proto == 1) {
        t[0] = 8;
        t[4] = (uint8_t)(sport >> 8);
        t[5] = (uint8_t)sport;
        t[7] = 1;
    } else {
        t[0] = (uint8_t)(sport >> 8);
        t[1] = (uint8_t)sport;
        t[2] = (uint8_t)(dport >> 8);
        t[3] = (uint8_t)dport;
        if (proto == 6) {
            t[12] = 0x50;
            t[13] = tcp_flags;
            t[14] = 0xff;
        } else {
            t[4] = (uint8_t)((l4 + frame_payload) >> 8);
            t[5] = (uint8_t)(l4 + frame_payload);
        }
    }
    for (size_t i = 0; i < frame_payload; i++)
        t[l4 + i] = (uint8_t) "data"[i % 4];
    /* L4 checksum over the pseudo-header. */
    uint8_t ph[12];
    memcpy(ph, ip + 12, 8);
    ph[8] = 0;
    ph[9] = proto;
    ph[10] = (uint8_t)((l4 + frame_payload) >> 8);
    ph[11] = (uint8_t)(l4 + frame_payload);
    uint32_t sum = 0;
    for (int i = 0; i < 12; i += 2)
        sum += (uint32_t)(ph[i] << 8 | ph[i + 1]);
    uint16_t lc = csum(t, l4 + frame_payload, proto == 1 ? 0 : sum);
    size_t at = proto == 6 ? 16 : proto == 17 ? 6 : 2;
    t[at] = (uint8_t)(lc >> 8);
    t[at + 1] = (uint8_t)lc;
    return 14 + tot;
}

static size_t arp_request(uint8_t *f, const uint8_t mac[6], uint32_t spa, uint32_t tpa)
{
    memset(f, 0, 60);
    memset(f, 0xff, 6);
    memcpy(f + 6, mac, 6);
    f[12] = 0x08;
    f[13] = 0x06;
    uint8_t *a = f + 14;
    a[1] = 1;
    a[2] = 0x08;
    a[4] = 6;
    a[5] = 4;
    a[7] = 1;
    memcpy(a + 8, mac, 6);
    uint32_t s = htonl(spa), t = htonl(tpa);
    memcpy(a + 14, &s, 4);
    memcpy(a + 24, &t, 4);
    return 60;
}

/* ---- the network ---- */

static int mem_up(void *ctx, const struct dp_instance *in, struct io_port **ports)
{
    (void)ctx;
    for (size_t i = 0; i < in->n_ifs; i++)
        ports[i] = io_mem_port();
    return 0;
}

struct net {
    struct model *m;
    struct scope *s;
    struct merr err;
    struct dp *dp;
    struct vpc *v;
    char a[ID_MAX], b[ID_MAX], c[ID_MAX];    /* instances */
    char ea[ID_MAX], eb[ID_MAX], ec[ID_MAX]; /* their ENIs */
    uint8_t mac_a[6], mac_b[6], mac_c[6];
    char sg_b[ID_MAX];
    char sn2[ID_MAX];
};

static void launch(struct net *n, const char *subnet, const char *ip, const char *sg,
                   char id[ID_MAX], char eni[ID_MAX], uint8_t mac[6])
{
    const char *groups[1] = {sg};
    struct inst_run_args a = {.image_id = "ami-12345678",
                              .subnet_id = subnet,
                              .private_ip = ip,
                              .group_ids = sg ? groups : NULL,
                              .n_group_ids = sg ? 1 : 0,
                              .min_count = 1,
                              .max_count = 1};
    struct instance **out;
    size_t n_out;
    assert_int_equal(instance_run(n->m, n->s, &a, &out, &n_out, &n->err), 0);
    snprintf(id, ID_MAX, "%s", out[0]->hdr.id);
    snprintf(eni, ID_MAX, "%s", out[0]->eni_id);
    struct eni *e = eni_find(n->m, n->s, eni);
    memcpy(mac, e->mac, 6);
    free(out);
}

static void net_init(struct net *n)
{
    memset(n, 0, sizeof *n);
    n->m = model_new(NULL);
    n->s = model_scope(n->m, "000000000000", "us-east-1");
    struct vpc_create_args va = {.cidr = "10.0.0.0/16"};
    assert_int_equal(vpc_create(n->m, n->s, &va, &n->v, &n->err), 0);
    struct subnet *s1, *s2;
    struct subnet_create_args sa = {.vpc_id = n->v->hdr.id, .cidr = "10.0.1.0/24"};
    assert_int_equal(subnet_create(n->m, n->s, &sa, &s1, &n->err), 0);
    sa.cidr = "10.0.2.0/24";
    assert_int_equal(subnet_create(n->m, n->s, &sa, &s2, &n->err), 0);
    snprintf(n->sn2, ID_MAX, "%s", s2->hdr.id);
    /* B's group admits tcp 80 from the VPC; A and C keep the default group. */
    struct security_group *g;
    assert_int_equal(sg_create(n->m, n->s, n->v->hdr.id, "web", "web", NULL, &g, &n->err), 0);
    snprintf(n->sg_b, ID_MAX, "%s", g->hdr.id);
    struct sg_rule_spec spec = {.protocol = "tcp",
                                .from_port = 80,
                                .to_port = 80,
                                .peer_kind = SG_PEER_CIDR4,
                                .peer = "10.0.0.0/16"};
    char ids[1][ID_MAX];
    assert_int_equal(sg_rule_spec_check(&spec, false, &n->err), 0);
    assert_int_equal(sg_authorize(n->m, n->s, n->sg_b, false, &spec, 1, ids, &n->err), 0);
    launch(n, s1->hdr.id, "10.0.1.10", NULL, n->a, n->ea, n->mac_a);
    launch(n, s2->hdr.id, "10.0.2.20", n->sg_b, n->b, n->eb, n->mac_b);
    launch(n, s1->hdr.id, "10.0.1.30", NULL, n->c, n->ec, n->mac_c);
    struct dp_port_ops ops = {.instance_up = mem_up};
    n->dp = dp_new(&ops);
    dp_sync(n->dp, n->m);
}

static void net_destroy(struct net *n)
{
    dp_free(n->dp);
    model_free(n->m);
}

/* Sends frame f from eni, runs the data plane, and returns what arrived at `to` (length, or
 * -1 if nothing). */
static int send_recv(struct net *n, const char *from, const uint8_t *f, size_t len, const char *to,
                     uint8_t *got)
{
    assert_true(io_mem_inject(dp_port_of(n->dp, from), f, len));
    dp_poll(n->dp, 0);
    return io_mem_take(dp_port_of(n->dp, to), got, IO_FRAME_MAX);
}

static uint32_t ip(const char *s)
{
    uint32_t a;
    assert_int_equal(ip4_parse(s, &a), 0);
    return a;
}

static void arp_and_router(void **state)
{
    (void)state;
    struct net n;
    net_init(&n);
    uint8_t f[128], got[IO_FRAME_MAX];
    /* ARP for another instance of the subnet: answered by vpcd with the router's MAC. */
    size_t len = arp_request(f, n.mac_a, ip("10.0.1.10"), ip("10.0.1.30"));
    int r = send_recv(&n, n.ea, f, len, n.ea, got);
    assert_true(r >= 42);
    struct pkt_meta m;
    assert_int_equal(pkt_parse(got, (size_t)r, &m), 0);
    assert_int_equal(m.kind, PKT_ARP);
    assert_int_equal(m.arp.op, PKT_ARP_REPLY);
    assert_memory_equal(m.arp.sha, dp_router_mac, 6);
    assert_memory_equal(got, n.mac_a, 6);
    /* Nothing was broadcast to C. */
    assert_int_equal(io_mem_pending_tx(dp_port_of(n.dp, n.ec)), 0);
    /* ARP for its own address (duplicate detection): no answer. */
    len = arp_request(f, n.mac_a, ip("10.0.1.10"), ip("10.0.1.10"));
    assert_int_equal(send_recv(&n, n.ea, f, len, n.ea, got), -1);
    /* Ping the subnet router. */
    len = ip4_frame(f, n.mac_a, ip("10.0.1.10"), ip("10.0.1.1"), 1, 7, 0, 0, 64);
    r = send_recv(&n, n.ea, f, len, n.ea, got);
    assert_true(r > 0);
    assert_int_equal(pkt_parse(got, (size_t)r, &m), 0);
    assert_int_equal(m.flow.sport, 0); /* echo reply */
    assert_int_equal(m.icmp_id, 7);
    /* A frame cut inside its IPv4 header is dropped and counted by what was wrong with it. */
    len = ip4_frame(f, n.mac_a, ip("10.0.1.10"), ip("10.0.1.30"), 17, 1, 2, 0, 64);
    assert_int_equal(send_recv(&n, n.ea, f, 14 + 12, n.ec, got), -1);
    struct strbuf sb;
    strbuf_init(&sb);
    dp_metrics(n.dp, &sb);
    assert_non_null(strstr(sb.data, "vpcd_dp_drops_total{reason=\"malformed\"} 1\n"));
    assert_non_null(strstr(sb.data, "vpcd_dp_malformed_total{reason=\"truncated_ip_header\"} 1\n"));
    strbuf_destroy(&sb);
    net_destroy(&n);
}

static void forwarding_and_tracking(void **state)
{
    (void)state;
    struct net n;
    net_init(&n);
    uint8_t f[128], got[IO_FRAME_MAX];
    struct pkt_meta m;
    /* Same subnet, default group admits its own members: switched, TTL untouched. */
    size_t len = ip4_frame(f, n.mac_a, ip("10.0.1.10"), ip("10.0.1.30"), 17, 5000, 53, 0, 64);
    int r = send_recv(&n, n.ea, f, len, n.ec, got);
    assert_int_equal(r, (int)len);
    assert_int_equal(pkt_parse(got, (size_t)r, &m), 0);
    assert_int_equal(m.ttl, 64);
    assert_memory_equal(m.dst_mac, n.mac_c, 6);
    assert_true(pkt_ipv4_csum_ok(got, &m));
    /* Across subnets to B on tcp 80: routed once (TTL 63), checksums still right. */
    len = ip4_frame(f, n.mac_a, ip("10.0.1.10"), ip("10.0.2.20"), 6, 40000, 80, PKT_TCP_SYN, 64);
    r = send_recv(&n, n.ea, f, len, n.eb, got);
    assert_int_equal(r, (int)len);
    assert_int_equal(pkt_parse(got, (size_t)r, &m), 0);
    assert_int_equal(m.ttl, 63);
    assert_memory_equal(m.src_mac, dp_router_mac, 6);
    assert_memory_equal(m.dst_mac, n.mac_b, 6);
    assert_true(pkt_ipv4_csum_ok(got, &m));
    assert_true(pkt_l4_csum_ok(got, &m));
    /* B's reply (SYN-ACK) passes B's egress and A's ingress as a tracked flow, although A's
     * default group admits nothing from 10.0.2.20. */
    len = ip4_frame(f, n.mac_b, ip("10.0.2.20"), ip("10.0.1.10"), 6, 80, 40000,
                    PKT_TCP_SYN | PKT_TCP_ACK, 64);
    assert_int_equal(send_recv(&n, n.eb, f, len, n.ea, got), (int)len);
    /* B starting its own connection to A is not tracked: A's group drops it. */
    len = ip4_frame(f, n.mac_b, ip("10.0.2.20"), ip("10.0.1.10"), 6, 41000, 22, PKT_TCP_SYN, 64);
    assert_int_equal(send_recv(&n, n.eb, f, len, n.ea, got), -1);
    /* tcp 81 is not in B's group. */
    len = ip4_frame(f, n.mac_a, ip("10.0.1.10"), ip("10.0.2.20"), 6, 40001, 81, PKT_TCP_SYN, 64);
    assert_int_equal(send_recv(&n, n.ea, f, len, n.eb, got), -1);
    struct strbuf sb;
    strbuf_init(&sb);
    dp_metrics(n.dp, &sb);
    assert_non_null(strstr(sb.data, "vpcd_dp_drops_total{reason=\"ENI_SG_RULES_MISMATCH\"} 2\n"));
    strbuf_destroy(&sb);
    /* Revoke B's rule: the tracked connection on port 80 keeps working, a new one does not. */
    struct sg_rule_spec spec = {.protocol = "tcp",
                                .from_port = 80,
                                .to_port = 80,
                                .peer_kind = SG_PEER_CIDR4,
                                .peer = "10.0.0.0/16"};
    assert_int_equal(sg_rule_spec_check(&spec, false, &n.err), 0);
    assert_int_equal(sg_revoke(n.m, n.s, n.sg_b, false, &spec, 1, NULL, 0, &n.err), 0);
    dp_sync(n.dp, n.m);
    len = ip4_frame(f, n.mac_a, ip("10.0.1.10"), ip("10.0.2.20"), 6, 40000, 80, PKT_TCP_ACK, 64);
    assert_int_equal(send_recv(&n, n.ea, f, len, n.eb, got), (int)len);
    len = ip4_frame(f, n.mac_a, ip("10.0.1.10"), ip("10.0.2.20"), 6, 40002, 80, PKT_TCP_SYN, 64);
    assert_int_equal(send_recv(&n, n.ea, f, len, n.eb, got), -1);
    /* A NACL deny on B's subnet stops even the tracked connection: NACLs are stateless. */
    struct network_acl *acl = nacl_for_subnet(n.m, n.s, n.sn2);
    struct nacl_entry deny = {.rule_number = 50, .egress = false, .protocol = -1, .allow = false};
    prefix4_parse("10.0.1.0/24", &deny.cidr4);
    assert_int_equal(nacl_entry_put(n.m, n.s, acl->hdr.id, &deny, false, &n.err), 0);
    dp_sync(n.dp, n.m);
    len = ip4_frame(f, n.mac_a, ip("10.0.1.10"), ip("10.0.2.20"), 6, 40000, 80, PKT_TCP_ACK, 64);
    assert_int_equal(send_recv(&n, n.ea, f, len, n.eb, got), -1);
    net_destroy(&n);
}

static void stop_and_terminate(void **state)
{
    (void)state;
    struct net n;
    net_init(&n);
    assert_non_null(dp_port_of(n.dp, n.ec));
    assert_true(dp_has_instance(n.dp, n.c));
    const char *ids[1] = {n.c};
    struct inst_change *ch;
    assert_int_equal(instance_terminate(n.m, n.s, ids, 1, &ch, &n.err), 0);
    free(ch);
    instance_settle(n.m, n.s);
    dp_sync(n.dp, n.m);
    dp_poll(n.dp, 0); /* the worker moves past the old view: its ports may close */
    dp_sync(n.dp, n.m);
    assert_false(dp_has_instance(n.dp, n.c));
    assert_null(dp_port_of(n.dp, n.ec));
    assert_true(dp_has_instance(n.dp, n.a));
    net_destroy(&n);
}

/* An inter-region peering has a 1500-byte MTU: a larger packet with DF gets "fragmentation
 * needed" (next-hop MTU 1500) from the sender's subnet router, without DF it is dropped and
 * counted, and a 1500-byte packet passes. */
static void path_mtu_over_inter_region_peering(void **state)
{
    (void)state;
    struct model *m = model_new(NULL);
    struct merr err;
    struct scope *us = model_scope(m, "000000000000", "us-east-1");
    struct scope *eu = model_scope(m, "000000000000", "eu-west-1");
    struct vpc_create_args va = {.cidr = "10.0.0.0/16"};
    struct vpc *a, *b;
    assert_int_equal(vpc_create(m, us, &va, &a, &err), 0);
    va.cidr = "10.1.0.0/16";
    assert_int_equal(vpc_create(m, eu, &va, &b, &err), 0);
    char a_id[ID_MAX], b_id[ID_MAX], a_rtb[ID_MAX], b_rtb[ID_MAX], a_sg[ID_MAX], b_sg[ID_MAX];
    snprintf(a_id, ID_MAX, "%s", a->hdr.id);
    snprintf(b_id, ID_MAX, "%s", b->hdr.id);
    snprintf(a_rtb, ID_MAX, "%s", a->main_rtb_id);
    snprintf(b_rtb, ID_MAX, "%s", b->main_rtb_id);
    snprintf(a_sg, ID_MAX, "%s", a->default_sg_id);
    snprintf(b_sg, ID_MAX, "%s", b->default_sg_id);
    struct subnet *sa, *sb;
    struct subnet_create_args ca = {.vpc_id = a_id, .cidr = "10.0.1.0/24"};
    assert_int_equal(subnet_create(m, us, &ca, &sa, &err), 0);
    ca.vpc_id = b_id;
    ca.cidr = "10.1.1.0/24";
    assert_int_equal(subnet_create(m, eu, &ca, &sb, &err), 0);
    struct pcx *p;
    struct pcx_create_args pa = {.vpc_id = a_id, .peer_vpc_id = b_id, .peer_region = "eu-west-1"};
    assert_int_equal(pcx_create(m, us, &pa, &p, &err), 0);
    char pcx[ID_MAX];
    snprintf(pcx, ID_MAX, "%s", p->hdr.id);
    assert_int_equal(pcx_accept(m, eu, pcx, &p, &err), 0);
    struct route_dest_args d = {.cidr = "10.1.0.0/16"};
    struct route_target_args t = {.pcx_id = pcx};
    assert_int_equal(route_create(m, us, a_rtb, &d, &t, &err), 0);
    d.cidr = "10.0.0.0/16";
    assert_int_equal(route_create(m, eu, b_rtb, &d, &t, &err), 0);
    struct sg_rule_spec spec = {.protocol = "-1",
                                .from_port = SG_PORT_ABSENT,
                                .to_port = SG_PORT_ABSENT,
                                .peer_kind = SG_PEER_CIDR4,
                                .peer = "10.0.0.0/8"};
    char ids[1][ID_MAX];
    assert_int_equal(sg_rule_spec_check(&spec, false, &err), 0);
    assert_int_equal(sg_authorize(m, us, a_sg, false, &spec, 1, ids, &err), 0);
    assert_int_equal(sg_authorize(m, eu, b_sg, false, &spec, 1, ids, &err), 0);
    struct inst_run_args ia = {.image_id = "ami-12345678",
                               .subnet_id = sa->hdr.id,
                               .private_ip = "10.0.1.10",
                               .min_count = 1,
                               .max_count = 1};
    struct instance **out;
    size_t n_out;
    assert_int_equal(instance_run(m, us, &ia, &out, &n_out, &err), 0);
    char ea[ID_MAX];
    snprintf(ea, ID_MAX, "%s", out[0]->eni_id);
    uint8_t mac_a[6];
    memcpy(mac_a, eni_find(m, us, ea)->mac, 6);
    free(out);
    ia.subnet_id = sb->hdr.id;
    ia.private_ip = "10.1.1.10";
    assert_int_equal(instance_run(m, eu, &ia, &out, &n_out, &err), 0);
    char eb[ID_MAX];
    snprintf(eb, ID_MAX, "%s", out[0]->eni_id);
    free(out);
    struct dp_port_ops ops = {.instance_up = mem_up};
    struct dp *dp = dp_new(&ops);
    dp_sync(dp, m);
    static uint8_t f[IO_FRAME_MAX], got[IO_FRAME_MAX];
    struct io_port *pa_ = dp_port_of(dp, ea), *pb_ = dp_port_of(dp, eb);
    frame_payload = 1500 - 28; /* exactly 1500 bytes of IP */
    size_t len = ip4_frame(f, mac_a, ip("10.0.1.10"), ip("10.1.1.10"), 17, 5000, 53, 0, 64);
    assert_true(io_mem_inject(pa_, f, len));
    dp_poll(dp, 0);
    assert_int_equal(io_mem_take(pb_, got, sizeof got), (int)len);
    frame_payload = 2000;
    len = ip4_frame(f, mac_a, ip("10.0.1.10"), ip("10.1.1.10"), 17, 5000, 53, 0, 64);
    assert_true(io_mem_inject(pa_, f, len));
    dp_poll(dp, 0);
    assert_int_equal(io_mem_take(pb_, got, sizeof got), -1);
    int r = io_mem_take(pa_, got, sizeof got);
    assert_true(r > 0);
    struct pkt_meta pm;
    assert_int_equal(pkt_parse(got, (size_t)r, &pm), 0);
    assert_int_equal(pm.flow.proto, FLOW_PROTO_ICMP);
    assert_int_equal(pm.flow.sport, 3);                               /* destination unreachable */
    assert_int_equal(pm.flow.dport, 4);                               /* fragmentation needed */
    assert_int_equal(got[14 + 20 + 6] << 8 | got[14 + 20 + 7], 1500); /* next-hop MTU */
    uint32_t router = htonl(ip("10.0.1.1"));
    assert_memory_equal(pm.flow.src, &router, 4);
    frame_df = false;
    len = ip4_frame(f, mac_a, ip("10.0.1.10"), ip("10.1.1.10"), 17, 5000, 53, 0, 64);
    assert_true(io_mem_inject(pa_, f, len));
    dp_poll(dp, 0);
    assert_int_equal(io_mem_take(pb_, got, sizeof got), -1);
    assert_int_equal(io_mem_take(pa_, got, sizeof got), -1);
    struct strbuf metrics;
    strbuf_init(&metrics);
    dp_metrics(dp, &metrics);
    assert_non_null(strstr(metrics.data, "vpcd_dp_drops_total{reason=\"mtu_exceeded\"} 2\n"));
    strbuf_destroy(&metrics);
    frame_payload = 4;
    frame_df = true;
    dp_free(dp);
    model_free(m);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(arp_and_router),
    cmocka_unit_test(forwarding_and_tracking),
    cmocka_unit_test(stop_and_terminate),
    cmocka_unit_test(path_mtu_over_inter_region_peering),
};

UNIT_MAIN(tests)
