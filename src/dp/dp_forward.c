/* One frame's fate. What an instance's interface sends is either answered here (ARP, neighbour
 * solicitations, ping to the subnet router: AWS's hypervisor answers those, there is no
 * broadcast domain) or is an IP packet that pipeline_run() decides on. Connection tracking is
 * the only state: the pipeline asks it through sg_tracked(), and a packet the SG rules let
 * through creates the entries at the ENIs whose rules judged it. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "dns/resolver.h"
#include "dp/dp_internal.h"
#include "lib/pkt.h"
#include "pipeline/fastpath.h"

struct fwd_ctx {
    struct dp *dp;
    const struct dp_view *v;
    const struct pkt_meta *m;
    const struct dp_wire *w;
    uint64_t now_ns;
    /* ENIs whose SG rules judged the packet (not a tracked flow there): they get entries. */
    uint32_t judged[2];
    int n_judged;
    /* A NAT gateway translated the ICMP echo identifier to icmp_id. */
    bool icmp_id_set;
    uint16_t icmp_id;
    /* What the hooks answered, for the fast path to learn from. */
    struct pl_fast_notes notes;
};

/* The echo identifier the packet carries at this point of its path. */
static uint16_t cur_icmp_id(const struct fwd_ctx *c)
{
    return c->icmp_id_set ? c->icmp_id : c->m->icmp_id;
}

static void count(struct dp *dp, unsigned reason)
{
    atomic_fetch_add_explicit(&dp->c.drops[reason], 1, memory_order_relaxed);
}

/* The conntrack name of the ENI's port, or 0 (no port: nothing is tracked there). */
static uint32_t ct_key(const struct dp_view *v, uint32_t eni)
{
    uint32_t slot = v->slot_of_eni[eni];
    return slot == FIB_NONE || !v->ports[slot] ? 0 : v->ports[slot]->ct_key;
}

static bool sg_tracked(void *ctx, uint32_t eni, bool egress, const struct flow *f)
{
    (void)egress;
    struct fwd_ctx *c = ctx;
    struct ct_table *ct = c->dp->w.ct;
    uint32_t key = ct_key(c->v, eni);
    uint32_t slot;
    if (key && !(c->m->flags & PKT_F_ICMP_ERR) &&
        ct_lookup_slot(ct, key, f, c->m->tcp_flags, cur_icmp_id(c), c->now_ns, NULL, &slot)) {
        pl_fast_note(&c->notes, eni, egress, key, slot);
        return true;
    }
    pl_fast_spoil(&c->notes);
    if (!key)
        return false;
    if (c->m->flags & PKT_F_ICMP_ERR)
        return (c->m->flags & PKT_F_INNER) &&
               ct_related(ct, key, f, &c->m->inner, c->m->inner_icmp_id, c->now_ns);
    if (c->n_judged < 2)
        c->judged[c->n_judged++] = eni;
    return false;
}

static uint32_t addr4_of(const uint8_t *a)
{
    uint32_t be;
    memcpy(&be, a, 4);
    return ntohl(be);
}

/* NAT gateways (reference 8.3): the binding table is the worker's. ICMP is translated on the
 * echo identifier; ICMP errors are not translated (the quoted header would need it too). */
static int nat_out(void *ctx, uint32_t nat, const struct flow *f, const uint8_t nat_ip[4],
                   struct flow *out)
{
    struct fwd_ctx *c = ctx;
    pl_fast_spoil(&c->notes);
    bool icmp = f->proto == FLOW_PROTO_ICMP;
    if (icmp && !(c->m->flags & PKT_F_ICMP_ECHO))
        return PL_PROTOCOL_RESTRICTION;
    struct nat_flow nf = {
        .proto = f->proto,
        .inside_ip = addr4_of(f->src),
        .inside_port = icmp ? c->m->icmp_id : f->sport,
        .remote_ip = addr4_of(f->dst),
        .remote_port = icmp ? 0 : f->dport,
    };
    uint16_t port;
    switch (nat_table_out(c->dp->w.nat, c->v->snap->nats[nat].key, &nf, c->m->tcp_flags, c->now_ns,
                          &port)) {
    case NAT_OK:
        break;
    case NAT_EXPIRED:
        return PL_NGW_IDLE_TIMEOUT;
    case NAT_FULL:
        count(c->dp, DP_DROP_NAT_FULL);
        return PL_NGW_PORT_ALLOCATION;
    case NAT_NO_PORT:
    default:
        return PL_NGW_PORT_ALLOCATION;
    }
    *out = *f;
    memcpy(out->src, nat_ip, 4);
    if (icmp) {
        c->icmp_id_set = true;
        c->icmp_id = port;
    } else {
        out->sport = port;
    }
    return 0;
}

static int nat_in(void *ctx, uint32_t nat, const struct flow *f, struct flow *out)
{
    struct fwd_ctx *c = ctx;
    pl_fast_spoil(&c->notes);
    bool icmp = f->proto == FLOW_PROTO_ICMP;
    if (icmp && !(c->m->flags & PKT_F_ICMP_ECHO))
        return -1;
    struct nat_flow inside;
    if (!nat_table_in(c->dp->w.nat, c->v->snap->nats[nat].key, f->proto, addr4_of(f->src),
                      icmp ? 0 : f->sport, icmp ? cur_icmp_id(c) : f->dport, c->now_ns, &inside))
        return -1;
    *out = *f;
    uint32_t be = htonl(inside.inside_ip);
    memcpy(out->dst, &be, 4);
    if (icmp) {
        c->icmp_id_set = true;
        c->icmp_id = inside.inside_port;
    } else {
        out->dport = inside.inside_port;
    }
    return 0;
}

/* Egress-only internet gateways track what left through them in the conntrack table, under
 * the gateway's own name. */
static bool eigw_tracked(void *ctx, uint32_t eigw, const struct flow *f)
{
    struct fwd_ctx *c = ctx;
    pl_fast_spoil(&c->notes);
    uint32_t key = c->v->snap->eigws[eigw].ct_key;
    if (c->m->flags & PKT_F_ICMP_ERR)
        return (c->m->flags & PKT_F_INNER) &&
               ct_related(c->dp->w.ct, key, f, &c->m->inner, c->m->inner_icmp_id, c->now_ns);
    return ct_lookup(c->dp->w.ct, key, f, c->m->tcp_flags, c->m->icmp_id, c->now_ns, NULL);
}

/* Builders write into scratch and the answer replaces the frame. */
static bool answer(struct io_buf *b, const uint8_t *scratch, int len)
{
    if (len <= 0 || len > IO_FRAME_MAX)
        return false;
    memcpy(b->data, scratch, (size_t)len);
    b->len = (uint16_t)len;
    memset(&b->off, 0, sizeof b->off); /* a frame of vpcd's own, checksums complete */
    return true;
}

static bool eni_owns4(const struct fib_eni *e, const uint8_t *addr)
{
    return fib_eni_has_addr(e, 4, addr);
}

/* own: the asked address is the asker's. */
static bool handle_arp(struct dp *dp, bool own, struct io_buf *b, const struct pkt_meta *m)
{
    static _Thread_local uint8_t scratch[128];
    /* The instance asking for its own address is duplicate address detection: nobody else
     * holds it, so no answer. Every other address is answered with the router's MAC. */
    if (m->arp.op != PKT_ARP_REQUEST || own) {
        count(dp, DP_DROP_BROADCAST);
        return false;
    }
    if (!answer(b, scratch, pkt_build_arp_reply(scratch, sizeof scratch, m, dp_router_mac))) {
        count(dp, DP_DROP_BROADCAST);
        return false;
    }
    atomic_fetch_add_explicit(&dp->c.arp_replies, 1, memory_order_relaxed);
    return true;
}

static bool handle_nd(struct dp *dp, struct io_buf *b, const struct pkt_meta *m)
{
    static _Thread_local uint8_t scratch[256];
    if (m->flow.proto != FLOW_PROTO_ICMPV6 || m->flow.sport != PKT_ICMP6_NS)
        return false;
    static const uint8_t unspecified[16];
    /* A solicitation from :: is duplicate address detection: the address is the instance's
     * own, so it must not be claimed by anyone. */
    if (memcmp(m->flow.src, unspecified, 16) == 0)
        return false;
    int len = pkt_build_icmp6_na(scratch, sizeof scratch, b->data, m, dp_router_mac, true);
    if (!answer(b, scratch, len))
        return false;
    atomic_fetch_add_explicit(&dp->c.nd_replies, 1, memory_order_relaxed);
    return true;
}

/* The subnet router (base + 1) answers ping; nothing else is addressed to it yet. */
static bool handle_router(struct dp *dp, const struct fib_subnet *sn, struct io_buf *b,
                          const struct pkt_meta *m, bool *handled)
{
    static _Thread_local uint8_t scratch[IO_FRAME_MAX];
    uint32_t dst;
    memcpy(&dst, m->flow.dst, 4);
    *handled = sn->has_ipv4 && ntohl(dst) == sn->cidr.addr + 1;
    if (!*handled)
        return false;
    if (m->flow.proto == FLOW_PROTO_ICMP && m->flow.sport == PKT_ICMP_ECHO_REQUEST &&
        answer(b, scratch,
               pkt_build_icmp4_echo_reply(scratch, sizeof scratch, b->data, m, dp_router_mac))) {
        atomic_fetch_add_explicit(&dp->c.pings, 1, memory_order_relaxed);
        return true;
    }
    count(dp, DP_DROP_NOT_OURS);
    return false;
}

/* The subnet router's IPv6 address is <block>::1 (vpcd's choice: AWS's router answers on its
 * link-local address), answering ping6 like the IPv4 router. */
static bool handle_router6(struct dp *dp, const struct fib_subnet *sn, struct io_buf *b,
                           const struct pkt_meta *m, bool *handled)
{
    static _Thread_local uint8_t scratch[IO_FRAME_MAX];
    *handled = false;
    for (size_t i = 0; i < sn->n_cidrs6 && !*handled; i++) {
        uint8_t router[16];
        memcpy(router, sn->cidrs6[i].addr, 16);
        router[15] |= 1;
        *handled = memcmp(m->flow.dst, router, 16) == 0;
    }
    if (!*handled)
        return false;
    if (m->flow.proto == FLOW_PROTO_ICMPV6 && m->flow.sport == PKT_ICMP6_ECHO_REQUEST &&
        answer(b, scratch,
               pkt_build_icmp6_echo_reply(scratch, sizeof scratch, b->data, m, dp_router_mac))) {
        atomic_fetch_add_explicit(&dp->c.pings, 1, memory_order_relaxed);
        return true;
    }
    count(dp, DP_DROP_NOT_OURS);
    return false;
}

/* The Amazon DNS server: UDP port 53 at the VPC's base + 2 or at 169.254.169.253 (reference
 * 2.3). Neither SGs nor NACLs filter it, so it is answered before the pipeline. */
#define DNS_LINK_LOCAL 0xa9fea9fdu /* 169.254.169.253 */

static bool handle_dns(struct dp *dp, const struct fib_snapshot *s, uint32_t eni, struct io_buf *b,
                       const struct pkt_meta *m, bool *handled)
{
    static _Thread_local uint8_t answer_buf[1024];
    static _Thread_local uint8_t scratch[IO_FRAME_MAX];
    *handled = false;
    const struct fib_vpc *v = &s->vpcs[s->enis[eni].vpc];
    if (m->kind != PKT_IPV4 || m->flow.proto != FLOW_PROTO_UDP || m->flow.dport != 53 ||
        !(m->flags & PKT_F_L4) || !v->n_cidrs4)
        return false;
    uint32_t dst = addr4_of(m->flow.dst);
    if (dst != DNS_LINK_LOCAL && dst != v->cidrs4[0].addr + 2)
        return false;
    *handled = true;
    if (m->l4_len < 8)
        return false;
    int n =
        dns_resolve(s, eni, b->data + m->l4_off + 8, m->l4_len - 8u, answer_buf, sizeof answer_buf);
    if (n < 0 || !answer(b, scratch,
                         pkt_build_udp4_reply(scratch, sizeof scratch, m, dp_router_mac, answer_buf,
                                              (size_t)n)))
        return false;
    atomic_fetch_add_explicit(&dp->c.dns_answers, 1, memory_order_relaxed);
    return true;
}

/* The pipeline may have translated the header (NAT): carry its answer into the frame. */
static void apply_header(uint8_t *frame, struct pkt_meta *m, const struct flow *want)
{
    size_t alen = want->family == 4 ? 4 : 16;
    if (memcmp(m->flow.src, want->src, alen) != 0)
        pkt_set_addr(frame, m, false, want->src);
    if (memcmp(m->flow.dst, want->dst, alen) != 0)
        pkt_set_addr(frame, m, true, want->dst);
    if (m->flow.proto == FLOW_PROTO_TCP || m->flow.proto == FLOW_PROTO_UDP) {
        if (m->flow.sport != want->sport)
            pkt_set_port(frame, m, false, want->sport);
        if (m->flow.dport != want->dport)
            pkt_set_port(frame, m, true, want->dport);
    }
}

/* A packet larger than its path's MTU (reference 17): where AWS answers, the sender gets
 * "fragmentation needed" (IPv4 with DF) or "packet too big" (IPv6) from its subnet router, so
 * path MTU discovery works; a transit gateway drops silently, and vpcd does not fragment. The
 * error goes straight back to the sender's interface. */
static bool too_big(struct dp *dp, const struct fib_snapshot *s, const struct fib_eni *e,
                    struct io_buf *b, const struct pkt_meta *m, const struct pl_result *res)
{
    static _Thread_local uint8_t scratch[IO_FRAME_MAX];
    count(dp, DP_DROP_MTU);
    if (res->mtu_silent || e->subnet == FIB_NONE)
        return false;
    const struct fib_subnet *sn = &s->subnets[e->subnet];
    int len = -EINVAL;
    if (m->kind == PKT_IPV4 && (m->flags & PKT_F_DF) && sn->has_ipv4) {
        uint8_t router[4];
        uint32_t be = htonl(sn->cidr.addr + 1);
        memcpy(router, &be, 4);
        len = pkt_build_icmp4_frag_needed(scratch, sizeof scratch, b->data, m, dp_router_mac,
                                          router, res->mtu);
    } else if (m->kind == PKT_IPV6 && sn->n_cidrs6) {
        uint8_t router[16];
        memcpy(router, sn->cidrs6[0].addr, 16);
        router[15] |= 1;
        len = pkt_build_icmp6_ptb(scratch, sizeof scratch, b->data, m, dp_router_mac, router,
                                  res->mtu);
    }
    return answer(b, scratch, len);
}

/* Flow logs' traffic-path of a packet the sender's interface let out (reference 13): 1 within
 * the VPC, 2 through an internet gateway, 4 / 5 over an intra- / inter-region peering; "-"
 * (0) for the rest. */
static uint8_t traffic_path(const struct fib_snapshot *s, uint32_t from,
                            const struct pl_result *res)
{
    if (res->outcome == PL_TO_INTERNET)
        return 2;
    if (res->outcome != PL_DELIVERED)
        return 0;
    uint32_t a = s->enis[from].vpc, b = s->enis[res->eni].vpc;
    if (a == b)
        return 1;
    if (res->via_pcx && a != FIB_NONE && b != FIB_NONE)
        return strcmp(s->vpcs[a].region, s->vpcs[b].region) == 0 ? 4 : 5;
    return 0;
}

/* What the sending interface's flow logs see: ACCEPT unless its own SG or its subnet's NACL
 * refused the packet on the way out. */
static void log_sent(struct dp *dp, const struct fib_snapshot *s, uint32_t eni,
                     const struct pkt_meta *m, const struct dp_wire *w, const struct pl_result *res)
{
    if (!s->enis[eni].n_flow_logs)
        return;
    bool refused = res->outcome == PL_DROPPED && res->reject_eni == eni && res->reject_egress;
    dp_flowlog_note(dp, s, eni, &m->flow, true, !refused, w, m->tcp_flags,
                    traffic_path(s, eni, res));
}

/* A REJECT at the receiving interface: its SG or its subnet's NACL refused the packet. */
static void log_refused_in(struct dp *dp, const struct fib_snapshot *s, const struct pkt_meta *m,
                           const struct dp_wire *w, const struct pl_result *res)
{
    if (res->outcome == PL_DROPPED && res->reject_eni != FIB_NONE && !res->reject_egress &&
        s->enis[res->reject_eni].n_flow_logs)
        dp_flowlog_note(dp, s, res->reject_eni, &res->f, false, false, w, m->tcp_flags, 0);
}

/* The transit gateway legs of a packet, for the TGWs' and attachments' flow logs: a record at
 * the attachment it entered by and at the one it left by, or a packets-lost count at the
 * first when the TGW dropped it (no route, blackhole, TTL; a packet over 8500 bytes). */
static void log_tgw(struct dp *dp, const struct fib_snapshot *s, const struct pkt_meta *m,
                    const struct dp_wire *w, const struct pl_result *res)
{
    bool too_big_here = res->outcome != PL_DROPPED && res->mtu_silent && w->seg_len > res->mtu;
    for (uint8_t i = 0; i < res->n_tgw_legs; i++) {
        const struct pl_tgw_leg *l = &res->tgw_legs[i];
        const struct fib_tgw_attach *in = &s->tgw_attaches[l->in];
        bool watched = in->n_flow_logs || (in->tgw != FIB_NONE && s->tgws[in->tgw].n_flow_logs) ||
                       (l->out != FIB_NONE && s->tgw_attaches[l->out].n_flow_logs);
        if (!watched)
            continue;
        enum dp_fl_lost lost = DP_FL_LOST_NONE;
        if (l->out == FIB_NONE) {
            switch (res->code) {
            case PL_TGW_RTB_CANNOT_ROUTE:
            case PL_TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION:
                lost = DP_FL_LOST_NO_ROUTE;
                break;
            case PL_TGW_RTB_BAD_STATE_ROUTE:
            case PL_BAD_STATE_ATTACHMENT:
                lost = DP_FL_LOST_BLACKHOLE;
                break;
            case PL_TTL_EXPIRED:
                lost = DP_FL_LOST_TTL;
                break;
            default:
                break;
            }
        } else if (too_big_here && i + 1 == res->n_tgw_legs) {
            lost = DP_FL_LOST_MTU;
        }
        const struct flow *f = &l->f;
        dp_flowlog_note_tgw(dp, s, l, false, f, w, m->tcp_flags, lost);
        if (l->out != FIB_NONE && lost == DP_FL_LOST_NONE)
            dp_flowlog_note_tgw(dp, s, l, true, f, w, m->tcp_flags, DP_FL_LOST_NONE);
    }
}

/* A TCP segment of a NAT binding that timed out: the gateway answers the inside host with a
 * RST (reference 8.3), which goes straight back to the sender's interface. */
static bool nat_reset(struct dp *dp, struct io_buf *b, const struct pkt_meta *m)
{
    static _Thread_local uint8_t scratch[128];
    if (!answer(b, scratch, pkt_build_tcp4_rst(scratch, sizeof scratch, b->data, m, dp_router_mac)))
        return false;
    atomic_fetch_add_explicit(&dp->c.nat_resets, 1, memory_order_relaxed);
    return true;
}

/* The routed hops' TTL decrements; false (counted) when the TTL runs out. */
static bool pass_routers(struct dp *dp, struct io_buf *b, struct pkt_meta *m, unsigned hops)
{
    if (hops && pkt_dec_ttl(b->data, m, hops) != 0) {
        count(dp, PL_TTL_EXPIRED);
        return false;
    }
    return true;
}

/* The frame leaves the subnet router for dst_mac. */
static void from_router(struct dp *dp, struct io_buf *b, struct pkt_meta *m, const uint8_t *dst_mac)
{
    pkt_set_eth_src(b->data, m, dp_router_mac);
    pkt_set_eth_dst(b->data, m, dst_mac);
    atomic_fetch_add_explicit(&dp->c.forwarded, 1, memory_order_relaxed);
}

/* The pipeline delivered the packet to an ENI or sent it to the internet: state is committed
 * and the frame rewritten for its output port. in_eni: the sending ENI (FIB_NONE when the
 * packet came from the internet). */
static bool emit(struct fwd_ctx *ctx, uint32_t in_eni, struct io_buf *b, struct pkt_meta *m,
                 const struct pl_result *res, uint32_t *out)
{
    struct dp *dp = ctx->dp;
    const struct dp_view *v = ctx->v;
    const struct fib_snapshot *s = v->snap;
    uint32_t to;
    const uint8_t *dst_mac;
    if (res->outcome == PL_DELIVERED) {
        to = v->slot_of_eni[res->eni];
        dst_mac = s->enis[res->eni].mac;
        if (to == FIB_NONE) {
            count(dp, DP_DROP_NO_PORT);
            return false;
        }
    } else {
        to = v->internet_slot;
        dst_mac = dp_internet_mac;
        if (to == FIB_NONE) {
            count(dp, DP_DROP_NO_INTERNET);
            return false;
        }
    }
    /* The SG rules of the judged ENIs let the flow's first packet through: from now on it is
     * tracked there. The sender saw the packet before any NAT, the receiver after. */
    for (int i = 0; i < ctx->n_judged; i++) {
        uint32_t at = ctx->judged[i];
        bool sender = at == in_eni;
        if (ct_commit(dp->w.ct, ct_key(v, at), sender ? &m->flow : &res->f, m->tcp_flags,
                      sender ? m->icmp_id : cur_icmp_id(ctx), ctx->now_ns) == -ENOSPC) {
            count(dp, DP_DROP_CT_FULL);
            return false;
        }
    }
    if (res->outcome == PL_TO_INTERNET && res->via_eigw) {
        uint32_t key = s->eigws[res->gateway].ct_key;
        if (!ct_lookup(dp->w.ct, key, &res->f, m->tcp_flags, m->icmp_id, ctx->now_ns, NULL) &&
            ct_commit(dp->w.ct, key, &res->f, m->tcp_flags, m->icmp_id, ctx->now_ns) == -ENOSPC) {
            count(dp, DP_DROP_CT_FULL);
            return false;
        }
    }
    if (ctx->w->seg_len > res->mtu) {
        if (in_eni == FIB_NONE) {
            count(dp, DP_DROP_MTU);
            return false;
        }
        return too_big(dp, s, &s->enis[in_eni], b, m, res);
    }
    if (!pass_routers(dp, b, m, res->routed_hops))
        return false;
    if (res->tcp_mss_max && (m->tcp_flags & PKT_TCP_SYN) &&
        pkt_clamp_tcp_mss(b->data, m, res->tcp_mss_max) > 0)
        atomic_fetch_add_explicit(&dp->c.mss_clamped, 1, memory_order_relaxed);
    if (res->outcome == PL_DELIVERED && s->enis[res->eni].n_flow_logs)
        dp_flowlog_note(dp, s, res->eni, &res->f, false, true, ctx->w, m->tcp_flags, 0);
    apply_header(b->data, m, &res->f);
    if (ctx->icmp_id_set && ctx->icmp_id != m->icmp_id)
        pkt_set_icmp_echo_id(b->data, m, ctx->icmp_id);
    from_router(dp, b, m, dst_mac);
    if (res->outcome == PL_TO_INTERNET)
        atomic_fetch_add_explicit(&dp->c.to_internet, 1, memory_order_relaxed);
    else if (in_eni == FIB_NONE)
        atomic_fetch_add_explicit(&dp->c.from_internet, 1, memory_order_relaxed);
    *out = to;
    return true;
}

/* ARP, neighbour discovery and the checks every IP frame passes first. True when the frame is
 * done with (answered into b, or dropped: *keep says which). */
static bool link_layer(struct dp *dp, bool own_arp, struct io_buf *b, const struct pkt_meta *m,
                       bool *keep)
{
    *keep = false;
    if (m->kind == PKT_ARP) {
        *keep = handle_arp(dp, own_arp, b, m);
        return true;
    }
    if (m->kind != PKT_IPV4 && m->kind != PKT_IPV6) {
        count(dp, DP_DROP_NOT_IP);
        return true;
    }
    if (m->kind == PKT_IPV6 && handle_nd(dp, b, m)) {
        *keep = true;
        return true;
    }
    if (m->flags & PKT_F_MCAST) {
        count(dp, DP_DROP_BROADCAST);
        return true;
    }
    if (m->flags & PKT_F_FRAG) {
        count(dp, DP_DROP_FRAGMENT);
        return true;
    }
    return false;
}

/* A frame from the internet host: ARP/ND for its gateway, else a packet the internet sends to
 * some public address, entering through whichever internet gateway owns it. */
static bool from_internet(struct dp *dp, const struct dp_view *v, struct io_buf *b,
                          struct pkt_meta *m, const struct dp_wire *w, uint32_t *out)
{
    bool keep;
    if (link_layer(dp, m->kind == PKT_ARP && addr4_of(m->arp.tpa) == DP_INTERNET_ADDR4, b, m,
                   &keep))
        return keep;
    struct fwd_ctx ctx = {.dp = dp, .v = v, .m = m, .w = w, .now_ns = dp->w.now_ns};
    struct pipeline_hooks hooks = {
        .ctx = &ctx, .sg_tracked = sg_tracked, .nat_in = nat_in, .eigw_tracked = eigw_tracked};
    struct pl_packet pkt = {
        .f = m->flow, .origin = PL_FROM_INTERNET, .igw = FIB_NONE, .ttl = m->ttl};
    struct pl_result res;
    pipeline_run(v->snap, &pkt, &hooks, NULL, &res);
    if (res.outcome != PL_DELIVERED) {
        count(dp, res.outcome == PL_DROPPED ? res.code : (unsigned)PL_NO_POSSIBLE_DESTINATION);
        log_refused_in(dp, v->snap, m, w, &res);
        if (res.n_tgw_legs && v->snap->n_flow_logs)
            log_tgw(dp, v->snap, m, w, &res);
        return false;
    }
    if (res.n_tgw_legs && v->snap->n_flow_logs)
        log_tgw(dp, v->snap, m, w, &res);
    return emit(&ctx, FIB_NONE, b, m, &res, out);
}

/* What frame b stands for on the wire (m parsed from it). */
static struct dp_wire wire_of(const struct io_buf *b, const struct pkt_meta *m)
{
    struct dp_wire w = {.packets = 1, .bytes = m->l3_len, .seg_len = m->l3_len};
    const struct io_offload *o = &b->off;
    if (o->gso_type == IO_GSO_NONE || !o->gso_size || m->flow.proto != FLOW_PROTO_TCP ||
        !(m->flags & PKT_F_L4))
        return w;
    unsigned hdrs =
        (unsigned)(m->l4_off - m->l3_off) + (unsigned)(b->data[m->l4_off + 12] >> 4) * 4;
    if (hdrs >= m->l3_len)
        return w;
    unsigned payload = m->l3_len - hdrs;
    w.packets = (payload + o->gso_size - 1) / o->gso_size;
    w.bytes = m->l3_len + (w.packets - 1) * hdrs;
    w.seg_len = hdrs + (payload < o->gso_size ? payload : o->gso_size);
    return w;
}

/* pkt_parse, plus what the TAP's header said about the checksum. */
static int parse_frame(const struct io_buf *b, struct pkt_meta *m)
{
    int rc = pkt_parse(b->data, b->len, m);
    if (rc == 0 && b->off.csum_partial)
        m->flags |= PKT_F_CSUM_PARTIAL;
    return rc;
}

/* The slow path: one parsed frame (parse_rc: pkt_parse's result) through everything. */
static bool forward_one(struct dp *dp, const struct dp_view *v, uint32_t in, struct io_buf *b,
                        int parse_rc, struct pkt_meta *mp, uint32_t *out)
{
    const struct fib_snapshot *s = v->snap;
    struct pkt_meta m = *mp;
    if (parse_rc != 0) {
        count(dp, DP_DROP_MALFORMED);
        if (m.error < PKT__ERR_COUNT)
            atomic_fetch_add_explicit(&dp->c.malformed[m.error], 1, memory_order_relaxed);
        return false;
    }
    *out = in;
    struct dp_wire w = wire_of(b, &m);
    if (in == v->internet_slot)
        return from_internet(dp, v, b, &m, &w, out);
    uint32_t in_eni = v->eni_of_slot[in];
    if (in_eni == FIB_NONE) {
        count(dp, DP_DROP_NO_PORT);
        return false;
    }
    const struct fib_eni *e = &s->enis[in_eni];
    bool keep;
    if (link_layer(dp, m.kind == PKT_ARP && eni_owns4(e, m.arp.tpa), b, &m, &keep))
        return keep;
    if (e->subnet != FIB_NONE) {
        bool handled;
        bool answered = m.kind == PKT_IPV4
                            ? handle_router(dp, &s->subnets[e->subnet], b, &m, &handled)
                            : handle_router6(dp, &s->subnets[e->subnet], b, &m, &handled);
        if (handled)
            return answered;
        answered = handle_dns(dp, s, in_eni, b, &m, &handled);
        if (handled)
            return answered;
    }
    struct fwd_ctx ctx = {.dp = dp, .v = v, .m = &m, .w = &w, .now_ns = dp->w.now_ns};
    struct pipeline_hooks hooks = {.ctx = &ctx,
                                   .sg_tracked = sg_tracked,
                                   .nat_out = nat_out,
                                   .nat_in = nat_in,
                                   .eigw_tracked = eigw_tracked};
    struct pl_packet pkt = {.f = m.flow, .origin = PL_FROM_ENI, .eni = in_eni, .ttl = m.ttl};
    struct pl_result res;
    pipeline_run(s, &pkt, &hooks, NULL, &res);
    /* To a public address of this network: out through one internet gateway and in through
     * another (or the same), as on AWS, without leaving for the internet host. */
    uint32_t priv;
    bool hairpin = res.outcome == PL_TO_INTERNET && res.f.family == 4 &&
                   fib_eni_by_public(s, addr4_of(res.f.dst), &priv) != FIB_NONE;
    if (hairpin) {
        struct pl_packet again = {.f = res.f,
                                  .origin = PL_FROM_INTERNET,
                                  .igw = FIB_NONE,
                                  .ttl = (uint8_t)(m.ttl - res.routed_hops)};
        struct pl_result first = res;
        pipeline_run(s, &again, &hooks, NULL, &res);
        res.routed_hops += first.routed_hops;
        if (first.mtu < res.mtu) {
            res.mtu = first.mtu;
            res.mtu_silent = first.mtu_silent;
        }
    }
    log_sent(dp, s, in_eni, &m, &w, &res);
    if (res.n_tgw_legs && s->n_flow_logs)
        log_tgw(dp, s, &m, &w, &res);
    if (res.outcome == PL_DROPPED) {
        count(dp, res.code);
        log_refused_in(dp, s, &m, &w, &res);
        if (res.code == PL_NGW_IDLE_TIMEOUT && m.kind == PKT_IPV4 && !(m.tcp_flags & PKT_TCP_RST))
            return nat_reset(dp, b, &m);
        return false;
    }
    if (!emit(&ctx, in_eni, b, &m, &res, out))
        return false;
    if (!hairpin)
        pl_fast_learn(dp->w.ct, v->fast_gen, s, in_eni, &m.flow, m.tcp_flags, &ctx.notes, &res);
    return true;
}

bool dp_forward(struct dp *dp, const struct dp_view *v, uint32_t in, struct io_buf *b,
                uint32_t *out)
{
    struct pkt_meta m;
    int rc = parse_frame(b, &m);
    return forward_one(dp, v, in, b, rc, &m, out);
}

/* ---- vectors ---- */

/* A frame the fast path may take: an IP unicast TCP or UDP packet, not a fragment. Its
 * decision needs nothing the pipeline's memo does not cover (see pipeline/fastpath.h). */
static bool fast_candidate(int parse_rc, const struct pkt_meta *m)
{
    return parse_rc == 0 && (m->kind == PKT_IPV4 || m->kind == PKT_IPV6) &&
           !(m->flags & (PKT_F_MCAST | PKT_F_FRAG | PKT_F_ICMP_ERR)) && (m->flags & PKT_F_L4) &&
           (m->flow.proto == FLOW_PROTO_TCP || m->flow.proto == FLOW_PROTO_UDP);
}

/* A TCP segment that changes its connection's state: the packets after it in the vector must
 * not be decided before it. Other packets' conntrack steps commute with one another. */
static bool state_barrier(int parse_rc, const struct pkt_meta *m)
{
    return parse_rc == 0 && m->flow.proto == FLOW_PROTO_TCP &&
           (m->tcp_flags & (PKT_TCP_SYN | PKT_TCP_FIN | PKT_TCP_RST));
}

/* What emit() does for a fast-path verdict: no NAT, no new state, no flow log (the memo is
 * never made for packets with any of those). */
static bool fast_emit(struct dp *dp, const struct dp_view *v, struct io_buf *b, struct pkt_meta *m,
                      const struct pl_fast_verdict *fv, uint32_t *out)
{
    uint32_t to = v->slot_of_eni[fv->eni];
    if (to == FIB_NONE) {
        count(dp, DP_DROP_NO_PORT);
        return false;
    }
    if (!pass_routers(dp, b, m, fv->routed_hops))
        return false;
    from_router(dp, b, m, v->snap->enis[fv->eni].mac);
    *out = to;
    return true;
}

void dp_forward_burst(struct dp *dp, const struct dp_view *v, uint32_t in, struct io_buf **bufs,
                      int n, bool *sent, uint32_t *to)
{
    struct dp_worker *w = &dp->w;
    const struct fib_snapshot *s = v->snap;
    uint32_t in_eni = in == v->internet_slot ? FIB_NONE : v->eni_of_slot[in];
    uint32_t name = in_eni == FIB_NONE ? 0 : ct_key(v, in_eni);
    bool fast_port = name && v->fast_gen && s->enis[in_eni].subnet != FIB_NONE &&
                     s->enis[in_eni].kind == FIB_ENI_INSTANCE;
    uint64_t hits = 0;
    for (int start = 0; start < n;) {
        /* A segment ends after a state barrier (which goes the slow way, after the rest). */
        int end = start, k = 0;
        while (end < n) {
            int i = end++;
            w->parse_rc[i] = parse_frame(bufs[i], &w->metas[i]);
            w->done[i] = false;
            if (state_barrier(w->parse_rc[i], &w->metas[i]))
                break;
            if (fast_port && fast_candidate(w->parse_rc[i], &w->metas[i])) {
                const struct pkt_meta *m = &w->metas[i];
                w->fast[k] = (struct pl_fast_pkt){.f = &m->flow,
                                                  .ct_name = name,
                                                  .tcp_flags = m->tcp_flags,
                                                  .ttl = m->ttl,
                                                  .l3_len = (uint16_t)wire_of(bufs[i], m).seg_len};
                w->fast_at[k++] = i;
            }
        }
        pl_fast_run(w->ct, v->fast_gen, w->fast, (size_t)k, w->now_ns);
        for (int j = 0; j < k; j++) {
            if (!w->fast[j].hit)
                continue;
            int i = w->fast_at[j];
            w->done[i] = true;
            sent[i] = fast_emit(dp, v, bufs[i], &w->metas[i], &w->fast[j].v, &to[i]);
            hits++;
        }
        for (int i = start; i < end; i++)
            if (!w->done[i])
                sent[i] = forward_one(dp, v, in, bufs[i], w->parse_rc[i], &w->metas[i], &to[i]);
        start = end;
    }
    if (hits)
        atomic_fetch_add_explicit(&dp->c.fast_path, hits, memory_order_relaxed);
}
