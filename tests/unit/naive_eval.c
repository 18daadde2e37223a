/* The naive reference evaluator (see naive_eval.h). Every rule here is taken from the
 * reference's text and implemented in the most literal way: linear scans over the model's
 * objects, no compiled tables, no indices. Choices the reference does not make are marked
 * "Choice:" and listed in the lead's report. */
#include "naive_eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Router hops before a path is declared a loop (CANNOT_ROUTE). Far more than any loop-free
 * path of the random topologies needs (sender, TGW, peer TGW, VPC, NAT, IGW). */
#define NV_MAX_DEPTH 24
/* Work bound for paths that branch at every TGW of a loop. */
#define NV_MAX_STEPS 4000

/* Diagnosis only (PROPERTY_LENIENT=1 in the property test): NAT gateway and TGW interfaces
 * route a packet for their own subnet instead of switching it, which is what the pipeline does
 * today. Off by default: in the reference a packet for another host of the same subnet is
 * switched, bypassing routes (4.5: "hosts in the same subnet cannot be forced through an
 * appliance") and NACLs (6: "not between hosts in the same subnet"; 10.9: TGW-to-instance
 * traffic in the TGW interface's subnet is not checked by that NACL). */
bool naive_service_enis_route_own_subnet;

struct nv_ctx {
    const struct model *m;
    bool tracked;
    struct naive_set *out;
};

/* The packet as it travels. */
struct nv_pkt {
    struct flow f;
    bool refs_ok;    /* SG rules naming groups still apply (not after a TGW or a NAT) */
    bool via_tgw;    /* it came out of a transit gateway (a NAT gateway accepts foreign sources) */
    bool translated; /* a NAT gateway rewrote the source */
    unsigned via;    /* NAIVE_VIA_* */
    const struct subnet *no_nacl_in; /* diagnosis mode: a subnet whose inbound NACL is skipped */
};

/* ---- small helpers ---- */

static uint32_t nv_get4(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void nv_put4(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

static bool nv_in(uint32_t addr, uint32_t net, unsigned len)
{
    struct prefix4 p = prefix4_make(net, (uint8_t)len);
    return prefix4_has_addr(&p, addr);
}

static bool nv_rfc1918(uint32_t a)
{
    return nv_in(a, 0x0a000000u, 8) || nv_in(a, 0xac100000u, 12) || nv_in(a, 0xc0a80000u, 16);
}

static bool nv_rfc6598(uint32_t a)
{
    return nv_in(a, 0x64400000u, 10);
}

static const struct res *nv_any(const struct model *m, const char *id, enum res_type t)
{
    const struct res *r = res_find_any(m, id);
    return r && r->type == t ? r : NULL;
}

static const struct vpc *nv_vpc(const struct model *m, const char *id)
{
    return (const struct vpc *)nv_any(m, id, RES_VPC);
}

static bool nv_vpc_has(const struct vpc *v, uint32_t addr)
{
    for (size_t i = 0; i < v->n_cidrs; i++)
        if (prefix4_has_addr(&v->cidrs[i].cidr, addr))
            return true;
    return false;
}

static const struct subnet *nv_subnet_of_addr(const struct vpc *v, uint32_t addr)
{
    const struct subnet *sn;
    SCOPE_FOREACH(sn, v->hdr.scope, RES_SUBNET)
    {
        if (strcmp(sn->vpc_id, v->hdr.id) == 0 && sn->has_ipv4 && prefix4_has_addr(&sn->cidr, addr))
            return sn;
    }
    return NULL;
}

static bool nv_eni_owns(const struct eni *e, uint32_t addr)
{
    for (size_t i = 0; i < e->n_private_ips; i++)
        if (e->private_ips[i] == addr)
            return true;
    return false;
}

/* An interface can send and receive when a running instance holds it; service-managed ones
 * (NAT gateway, TGW attachment) always can. */
static bool nv_eni_up(const struct model *m, const struct eni *e)
{
    if (e->requester_managed)
        return true;
    if (!e->attached || !e->att.instance_id[0])
        return false;
    const struct instance *in = instance_find(m, e->hdr.scope, e->att.instance_id);
    return in && in->state == INST_RUNNING;
}

/* ---- results ---- */

static bool nv_same(const struct naive_result *a, const struct naive_result *b)
{
    if (a->outcome != b->outcome)
        return false;
    if (a->outcome == NAIVE_DELIVERED)
        return strcmp(a->eni_id, b->eni_id) == 0;
    if (a->outcome == NAIVE_TO_INTERNET)
        return strcmp(a->igw_id, b->igw_id) == 0;
    return strcmp(a->code, b->code) == 0 && strcmp(a->component, b->component) == 0 &&
           a->rule_number == b->rule_number;
}

static void nv_emit(struct nv_ctx *c, const struct naive_result *r)
{
    for (size_t i = 0; i < c->out->n; i++)
        if (nv_same(&c->out->r[i], r)) {
            c->out->r[i].via |= r->via; /* some path to this answer crossed these */
            return;
        }
    if (c->out->n == NAIVE_MAX_RESULTS) {
        c->out->overflow = true;
        return;
    }
    c->out->r[c->out->n++] = *r;
}

static void nv_drop(struct nv_ctx *c, const struct nv_pkt *p, const char *code,
                    const char *component, int rule)
{
    struct naive_result r;
    memset(&r, 0, sizeof r);
    r.outcome = NAIVE_DROPPED;
    r.code = code;
    snprintf(r.component, sizeof r.component, "%s", component ? component : "");
    r.rule_number = rule;
    r.translated = p->translated;
    r.via = p->via;
    r.f = p->f;
    nv_emit(c, &r);
}

static void nv_loop(struct nv_ctx *c, const struct nv_pkt *p)
{
    struct naive_result r;
    memset(&r, 0, sizeof r);
    r.outcome = NAIVE_DROPPED;
    r.code = "CANNOT_ROUTE";
    r.loop = true;
    r.translated = p->translated;
    r.via = p->via;
    r.f = p->f;
    nv_emit(c, &r);
}

/* ---- security groups (reference 5.2) ---- */

/* A rule of group `own` naming group sg_id matches the private addresses of the ENIs holding
 * sg_id, when sg_id is in own's VPC or in a VPC peered with it, in the same region, by an
 * active connection (reference 5.2, 9.3; a rule whose peering went away is stale). */
static bool nv_group_has_addr(const struct model *m, const struct security_group *own,
                              const char *sg_id, uint32_t addr)
{
    const struct security_group *g = (const struct security_group *)nv_any(m, sg_id, RES_SG);
    if (!g)
        return false;
    if (strcmp(g->vpc_id, own->vpc_id) != 0) {
        bool peered = false;
        const struct pcx *p;
        SCOPE_FOREACH(p, own->hdr.scope, RES_PCX)
        {
            peered |= pcx_state_now(m, p) == PCX_ACTIVE &&
                      strcmp(p->req.region, p->acc.region) == 0 &&
                      ((strcmp(p->req.vpc_id, own->vpc_id) == 0 &&
                        strcmp(p->acc.vpc_id, g->vpc_id) == 0) ||
                       (strcmp(p->acc.vpc_id, own->vpc_id) == 0 &&
                        strcmp(p->req.vpc_id, g->vpc_id) == 0));
        }
        if (!peered)
            return false;
    }
    const struct eni *e;
    SCOPE_FOREACH(e, g->hdr.scope, RES_ENI)
    {
        for (size_t k = 0; k < e->n_groups; k++)
            if (strcmp(e->groups[k], sg_id) == 0 && nv_eni_owns(e, addr))
                return true;
    }
    return false;
}

static bool nv_sg_rule_matches(const struct model *m, const struct security_group *g,
                               const struct sg_rule *r, const struct flow *f, uint32_t remote,
                               bool refs_ok)
{
    const char *p = r->protocol;
    if (strcmp(p, "-1") == 0) {
        /* every protocol, every port */
    } else if (strcmp(p, "tcp") == 0 || strcmp(p, "udp") == 0) {
        int want = p[0] == 't' ? FLOW_PROTO_TCP : FLOW_PROTO_UDP;
        if (f->proto != want || f->dport < r->from_port || f->dport > r->to_port)
            return false;
    } else if (strcmp(p, "icmp") == 0 || strcmp(p, "icmpv6") == 0) {
        int want = p[4] ? FLOW_PROTO_ICMPV6 : FLOW_PROTO_ICMP;
        /* FromPort is the type, ToPort the code; -1 means all. */
        if (f->proto != want || (r->from_port != -1 && r->from_port != f->sport) ||
            (r->to_port != -1 && r->to_port != f->dport))
            return false;
    } else if (atoi(p) != f->proto) {
        return false;
    }
    switch (r->peer_kind) {
    case SG_PEER_CIDR4: {
        struct prefix4 c;
        return prefix4_parse(r->peer, &c) == 0 && prefix4_has_addr(&c, remote);
    }
    case SG_PEER_CIDR6:
        return false; /* IPv4 packets only */
    case SG_PEER_PL: {
        const struct prefix_list *pl = pl_find(m, g->hdr.scope, r->peer);
        for (size_t i = 0; pl && i < pl->n_entries; i++) {
            struct prefix4 c;
            if (prefix4_parse(pl->entries[i].cidr, &c) == 0 && prefix4_has_addr(&c, remote))
                return true;
        }
        return false;
    }
    case SG_PEER_GROUP:
        return refs_ok && nv_group_has_addr(m, g, r->peer, remote);
    }
    return false;
}

/* Allow-only, order-free: one rule of one group of the interface admitting the packet. */
static bool nv_sg_allows(const struct model *m, const struct eni *e, bool egress,
                         const struct flow *f, bool refs_ok)
{
    uint32_t remote = nv_get4(egress ? f->dst : f->src);
    for (size_t k = 0; k < e->n_groups; k++) {
        const struct security_group *g = sg_find(m, e->hdr.scope, e->groups[k]);
        for (size_t i = 0; g && i < g->n_rules; i++)
            if (g->rules[i].egress == egress &&
                nv_sg_rule_matches(m, g, &g->rules[i], f, remote, refs_ok))
                return true;
    }
    return false;
}

/* ---- network ACLs (reference 6) ---- */

/* The deciding entry: ascending rule number (the listed order), first match; the listing ends
 * with the "*" deny, so some entry always decides. Ingress judges the source, egress the
 * destination; port ranges are the destination port, ICMP type/code the flow's. */
static struct nacl_entry nv_nacl(const struct model *m, const struct network_acl *a, bool egress,
                                 const struct flow *f)
{
    struct nacl_entry *list;
    size_t n = nacl_entries_listed(m, a, &list);
    uint32_t remote = nv_get4(egress ? f->dst : f->src);
    struct nacl_entry decided = {.rule_number = 32767, .allow = false};
    for (size_t i = 0; i < n; i++) {
        const struct nacl_entry *e = &list[i];
        if (e->egress != egress || e->ipv6 || !prefix4_has_addr(&e->cidr4, remote))
            continue;
        if (e->protocol != -1 && e->protocol != f->proto)
            continue;
        if ((e->protocol == FLOW_PROTO_TCP || e->protocol == FLOW_PROTO_UDP) && e->has_ports &&
            (f->dport < e->port_from || f->dport > e->port_to))
            continue;
        if (e->protocol == FLOW_PROTO_ICMP && e->has_icmp &&
            ((e->icmp_type != -1 && e->icmp_type != f->sport) ||
             (e->icmp_code != -1 && e->icmp_code != f->dport)))
            continue;
        decided = *e;
        break;
    }
    free(list);
    return decided;
}

/* True if the subnet's NACL lets the packet cross its edge; drops it otherwise. */
static bool nv_nacl_pass(struct nv_ctx *c, const struct nv_pkt *p, const struct subnet *sn,
                         bool egress)
{
    const struct network_acl *a = nacl_for_subnet(c->m, sn->hdr.scope, sn->hdr.id);
    if (!a) {
        nv_drop(c, p, "SUBNET_ACL_RESTRICTION", "", 32767);
        return false;
    }
    struct nacl_entry e = nv_nacl(c->m, a, egress, &p->f);
    if (e.allow)
        return true;
    nv_drop(c, p, "SUBNET_ACL_RESTRICTION", a->hdr.id, e.rule_number);
    return false;
}

/* ---- VPC route tables (reference 4.5) ---- */

/* Same prefix: local, then a static CIDR route, then a prefix-list route, then propagated. */
static int nv_route_rank(const struct route *r)
{
    if (strcmp(r->origin, "CreateRouteTable") == 0)
        return 0;
    if (strcmp(r->origin, "EnableVgwRoutePropagation") == 0)
        return 3;
    return r->family == 0 ? 2 : 1;
}

/* Longest prefix wins whatever its kind; ties by rank. */
static const struct route *nv_route_lookup(const struct model *m, const struct route_table *rt,
                                           uint32_t dst)
{
    const struct route *best = NULL;
    int best_len = -1, best_rank = 99;
    for (size_t i = 0; i < rt->n_routes; i++) {
        const struct route *r = &rt->routes[i];
        int rank = nv_route_rank(r);
        if (r->family == 4) {
            if (!prefix4_has_addr(&r->dst4, dst))
                continue;
            if (r->dst4.len > best_len || (r->dst4.len == best_len && rank < best_rank)) {
                best = r;
                best_len = r->dst4.len;
                best_rank = rank;
            }
        } else if (r->family == 0) {
            const struct prefix_list *pl = pl_find(m, rt->hdr.scope, r->dst_pl);
            for (size_t k = 0; pl && k < pl->n_entries; k++) {
                struct prefix4 c;
                if (prefix4_parse(pl->entries[k].cidr, &c) != 0 || !prefix4_has_addr(&c, dst))
                    continue;
                if (c.len > best_len || (c.len == best_len && rank < best_rank)) {
                    best = r;
                    best_len = c.len;
                    best_rank = rank;
                }
            }
        }
    }
    return best;
}

/* ---- the hops ---- */

static void nv_leave_subnet(struct nv_ctx *c, struct nv_pkt p, const struct subnet *sn,
                            const char *self_eni, int depth);

/* The packet reaches interface x (reference 7 steps 6 and 8). nacl_in: it was routed into x's
 * subnet (not switched inside it). */
static void nv_arrive_eni(struct nv_ctx *c, const struct nv_pkt *p, const struct eni *x,
                          bool nacl_in)
{
    if (nacl_in) {
        const struct subnet *sn = subnet_find(c->m, x->hdr.scope, x->subnet_id);
        if (sn && !nv_nacl_pass(c, p, sn, false))
            return;
    }
    /* Choice: the receiver's state is judged on arrival, after the subnet's NACL and before its
     * source/destination check and security groups. */
    if (!nv_eni_up(c->m, x)) {
        nv_drop(c, p, "BAD_STATE", x->hdr.id, 0);
        return;
    }
    if (x->source_dest_check && !nv_eni_owns(x, nv_get4(p->f.dst))) {
        nv_drop(c, p, "ENI_SOURCE_DEST_CHECK_RESTRICTION", x->hdr.id, 0);
        return;
    }
    if (!c->tracked && !nv_sg_allows(c->m, x, false, &p->f, p->refs_ok)) {
        nv_drop(c, p, "ENI_SG_RULES_MISMATCH", x->hdr.id, 0);
        return;
    }
    struct naive_result r;
    memset(&r, 0, sizeof r);
    r.outcome = NAIVE_DELIVERED;
    snprintf(r.eni_id, sizeof r.eni_id, "%s", x->hdr.id);
    r.translated = p->translated;
    r.via = p->via;
    r.f = p->f;
    nv_emit(c, &r);
}

/* Delivered by the local route of VPC v (or arriving over a peering into v): the subnet and
 * the interface that hold the destination. */
static void nv_local(struct nv_ctx *c, const struct nv_pkt *p, const struct vpc *v)
{
    uint32_t dst = nv_get4(p->f.dst);
    const struct subnet *sn = nv_subnet_of_addr(v, dst);
    if (!sn) {
        nv_drop(c, p, "NO_POSSIBLE_DESTINATION", "", 0);
        return;
    }
    /* Choice (the pipeline's): the destination subnet's NACL judges the packet entering it
     * before the interface holding the address is looked up. */
    if (p->no_nacl_in != sn && !nv_nacl_pass(c, p, sn, false))
        return;
    const struct eni *x = eni_by_private_ip(v->hdr.scope, v->hdr.id, dst);
    if (!x) {
        nv_drop(c, p, "NO_POSSIBLE_DESTINATION", "", 0);
        return;
    }
    nv_arrive_eni(c, p, x, false);
}

/* Internet gateway egress (reference 7, 8.1): a public address for the source, and never a
 * private destination. */
static void nv_igw_out(struct nv_ctx *c, const struct nv_pkt *p, const struct vpc *v,
                       const char *igw_id)
{
    uint32_t src = nv_get4(p->f.src), dst = nv_get4(p->f.dst);
    /* The gateway maps the packet's private source to the public address associated with it
     * (whichever interface of the VPC holds that private address). */
    const struct eni *holder = eni_by_private_ip(v->hdr.scope, v->hdr.id, src);
    const struct eip *pub = holder ? eip_for_eni(v->hdr.scope, holder->hdr.id, src) : NULL;
    /* Choice (the pipeline's): the destination ranges are checked before the source's public
     * address. */
    if (nv_rfc1918(dst)) {
        nv_drop(c, p, "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", igw_id, 0);
        return;
    }
    if (nv_rfc6598(dst)) {
        nv_drop(c, p, "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS", igw_id, 0);
        return;
    }
    if (!pub) {
        nv_drop(c, p, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", igw_id, 0);
        return;
    }
    struct naive_result r;
    memset(&r, 0, sizeof r);
    r.outcome = NAIVE_TO_INTERNET;
    snprintf(r.igw_id, sizeof r.igw_id, "%s", igw_id);
    r.translated = p->translated;
    r.via = p->via;
    r.f = p->f;
    nv_put4(r.f.src, pub->public_ip);
    nv_emit(c, &r);
}

/* NAT gateway (reference 7, 8.3): its subnet's NACL judges the packet entering, only sources of
 * its own VPC (or packets out of a TGW) are translated, then the gateway sends the translated
 * packet on from its own subnet like any interface. */
static void nv_nat(struct nv_ctx *c, const struct nv_pkt *p, const struct subnet *from,
                   const char *nat_id, int depth)
{
    const struct nat *n = (const struct nat *)nv_any(c->m, nat_id, RES_NAT);
    if (!n) {
        nv_drop(c, p, "BAD_STATE_ROUTE", "", 0);
        return;
    }
    const struct subnet *sn = subnet_find(c->m, n->hdr.scope, n->subnet_id);
    if (!sn) {
        nv_drop(c, p, "BAD_STATE", n->hdr.id, 0);
        return;
    }
    /* Routed into the gateway's subnet, whose inbound NACL judges it. Choice (the pipeline's,
     * as for an appliance interface): not when the packet leaves that same subnet. */
    if (strcmp(from->hdr.id, sn->hdr.id) != 0 && !nv_nacl_pass(c, p, sn, false))
        return;
    const struct vpc *v = nv_vpc(c->m, n->vpc_id);
    if (!p->via_tgw && (!v || !nv_vpc_has(v, nv_get4(p->f.src)))) {
        nv_drop(c, p, "NGW_REQUIRES_SOURCE_IN_VPC", n->hdr.id, 0);
        return;
    }
    if (n->state != NAT_AVAILABLE) {
        nv_drop(c, p, "BAD_STATE", n->hdr.id, 0);
        return;
    }
    struct nv_pkt q = *p;
    nv_put4(q.f.src, n->private_ip);
    q.translated = true;
    q.via |= NAIVE_VIA_NAT;
    q.refs_ok = false;
    q.via_tgw = false;
    nv_leave_subnet(c, q, sn, n->eni_id, depth + 1);
}

/* VPC peering (reference 9.2): no transit and no edge to edge. */
static void nv_pcx(struct nv_ctx *c, const struct nv_pkt *p, const struct vpc *v,
                   const char *pcx_id)
{
    const struct pcx *x = (const struct pcx *)nv_any(c->m, pcx_id, RES_PCX);
    if (!x) {
        nv_drop(c, p, "BAD_STATE_ROUTE", "", 0);
        return;
    }
    const struct pcx_side *other = strcmp(x->req.vpc_id, v->hdr.id) == 0 ? &x->acc : &x->req;
    const struct vpc *peer = nv_vpc(c->m, other->vpc_id);
    if (!peer || !nv_vpc_has(peer, nv_get4(p->f.dst))) {
        nv_drop(c, p, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", x->hdr.id, 0);
        return;
    }
    /* Traffic that reached v from an edge (a TGW) cannot go on to the peer (reference 9.2: "traffic
     * from those edges cannot reach the peer either"): its source is not one of v's. */
    if (!nv_vpc_has(v, nv_get4(p->f.src))) {
        nv_drop(c, p, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR", x->hdr.id, 0);
        return;
    }
    /* The peer delivers by its local route; it never re-routes (no transit). */
    struct nv_pkt q = *p;
    q.via |= NAIVE_VIA_PCX;
    if (strcmp(peer->hdr.scope->region, v->hdr.scope->region) != 0)
        q.via |= NAIVE_VIA_PCX_REGION;
    nv_local(c, &q, peer);
}

static void nv_tgw_route(struct nv_ctx *c, struct nv_pkt p, const struct tgw_attach *in,
                         const char *az, int depth);

/* Into a transit gateway through v's attachment (reference 10.5, 10.9): the attachment's
 * interface in the packet's zone, whose subnet NACL judges the packet entering. */
static void nv_tgw_enter(struct nv_ctx *c, const struct nv_pkt *p, const struct vpc *v,
                         const char *az, const char *tgw_id, int depth)
{
    const struct tgw_attach *a, *att = NULL;
    SCOPE_FOREACH(a, v->hdr.scope, RES_TGW_ATTACH)
    {
        if (a->kind == TGW_ATTACH_VPC && a->hdr.scope == v->hdr.scope && tgw_attach_live(a) &&
            strcmp(a->vpc_id, v->hdr.id) == 0 && strcmp(a->tgw_id, tgw_id) == 0) {
            att = a;
            break;
        }
    }
    if (!att) {
        nv_drop(c, p, "BAD_STATE_ROUTE", "", 0);
        return;
    }
    const struct subnet *in = NULL;
    for (size_t i = 0; i < att->n_subnets && !in; i++) {
        const struct subnet *sn = subnet_find(c->m, att->hdr.scope, att->subnets[i]);
        if (sn && strcmp(sn->az, az) == 0)
            in = sn;
    }
    if (!in) {
        nv_drop(c, p, "TGW_ROUTE_AZ_RESTRICTION", "", 0);
        return;
    }
    if (!nv_nacl_pass(c, p, in, false))
        return;
    nv_tgw_route(c, *p, att, az, depth + 1);
}

/* The route table associated with the attachment the packet entered by picks the attachment
 * it leaves through (reference 10.3, 10.4). */
static void nv_tgw_route(struct nv_ctx *c, struct nv_pkt p, const struct tgw_attach *in,
                         const char *az, int depth)
{
    if (++c->out->steps > NV_MAX_STEPS) {
        c->out->overflow = true;
        return;
    }
    if (depth >= NV_MAX_DEPTH) {
        nv_loop(c, &p);
        return;
    }
    const struct tgw_rtb *rt =
        in->assoc_rtb[0] ? (const struct tgw_rtb *)nv_any(c->m, in->assoc_rtb, RES_TGW_RTB) : NULL;
    if (!rt) {
        nv_drop(c, &p, "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION", in->hdr.id, 0);
        return;
    }
    struct tgw_route_view *v;
    size_t n = tgw_rtb_routes(c->m, rt, &v);
    uint32_t dst = nv_get4(p.f.dst);
    const struct tgw_route_view *best = NULL;
    for (size_t i = 0; i < n; i++)
        if (v[i].r.family == 4 && prefix4_has_addr(&v[i].r.dst4, dst) &&
            (!best || v[i].r.dst4.len > best->r.dst4.len))
            best = &v[i];
    if (!best) {
        free(v);
        nv_drop(c, &p, "TGW_RTB_CANNOT_ROUTE", rt->hdr.id, 0);
        return;
    }
    if (best->r.blackhole || strcmp(best->state, "blackhole") == 0) {
        free(v);
        nv_drop(c, &p, "TGW_RTB_BAD_STATE_ROUTE", rt->hdr.id, 0);
        return;
    }
    const struct tgw_attach *out =
        (const struct tgw_attach *)nv_any(c->m, best->r.attach_id, RES_TGW_ATTACH);
    free(v);
    if (!out) {
        nv_drop(c, &p, "TGW_RTB_BAD_STATE_ROUTE", rt->hdr.id, 0);
        return;
    }
    if (out->kind == TGW_ATTACH_PEERING) {
        /* Handed to the peer TGW, which routes it with its side's associated table. */
        const struct tgw_attach *peer =
            (const struct tgw_attach *)nv_any(c->m, out->peer_attach_id, RES_TGW_ATTACH);
        if (!peer) {
            nv_drop(c, &p, "TGW_RTB_BAD_STATE_ROUTE", rt->hdr.id, 0);
            return;
        }
        p.via |= NAIVE_VIA_TGW_PEERING;
        nv_tgw_route(c, p, peer, NULL, depth + 1);
        return;
    }
    p.via_tgw = true;
    p.via |= NAIVE_VIA_TGW;
    p.refs_ok = false; /* group references do not cross a TGW */
    /* The interface in the packet's zone when the attachment has one and appliance mode is
     * off. Choice: otherwise (another zone, or appliance mode's flow hash) any interface of
     * the attachment may be taken; every one is followed. */
    bool same_az = false;
    if (!out->appliance_mode && az)
        for (size_t i = 0; i < out->n_subnets; i++) {
            const struct subnet *sn = subnet_find(c->m, out->hdr.scope, out->subnets[i]);
            same_az |= sn && strcmp(sn->az, az) == 0;
        }
    for (size_t i = 0; i < out->n_subnets; i++) {
        const struct subnet *sn = subnet_find(c->m, out->hdr.scope, out->subnets[i]);
        if (!sn || (same_az && strcmp(sn->az, az) != 0))
            continue;
        nv_leave_subnet(c, p, sn, out->enis[i], depth + 1);
    }
}

/* A packet leaving subnet sn from interface self_eni (an instance, a NAT gateway or a TGW
 * interface): switched to another interface of the subnet, or judged by the subnet's outbound
 * NACL and routed by its route table (reference 7 steps 3-6). */
static void nv_leave_subnet(struct nv_ctx *c, struct nv_pkt p, const struct subnet *sn,
                            const char *self_eni, int depth)
{
    if (++c->out->steps > NV_MAX_STEPS) {
        c->out->overflow = true;
        return;
    }
    const struct model *m = c->m;
    const struct scope *s = sn->hdr.scope;
    uint32_t dst = nv_get4(p.f.dst);
    const struct eni *self = eni_find(m, s, self_eni);
    bool switched = !(naive_service_enis_route_own_subnet && self && self->requester_managed);
    if (self && self->requester_managed && sn->has_ipv4 && prefix4_has_addr(&sn->cidr, dst))
        p.via |= NAIVE_VIA_SERVICE_OWN;
    if (switched && sn->has_ipv4 && prefix4_has_addr(&sn->cidr, dst)) {
        /* Same subnet: switched to the interface, no NACL, no route (reference 7 step 3). */
        const struct eni *x = eni_by_private_ip(s, sn->vpc_id, dst);
        if (x && strcmp(x->hdr.id, self_eni) != 0) {
            p.via |= NAIVE_VIA_L2;
            nv_arrive_eni(c, &p, x, false);
            return;
        }
        /* Choice (the pipeline's): nobody holds the address in the sender's own subnet, so the
         * packet has no next hop at all; decided before the subnet's NACL and routes. */
        if (!x) {
            nv_drop(c, &p, "NO_POSSIBLE_DESTINATION", "", 0);
            return;
        }
    }
    /* Diagnosis mode: a TGW interface's packet for its own subnet skips both NACLs but is
     * still routed. */
    bool own = sn->has_ipv4 && prefix4_has_addr(&sn->cidr, dst);
    bool tgw_own = !switched && own && strcmp(self->interface_type, "transit_gateway") == 0;
    p.no_nacl_in = tgw_own ? sn : NULL;
    if (!tgw_own && !nv_nacl_pass(c, &p, sn, true))
        return;
    const struct route_table *rt = rtb_for_subnet(m, s, sn);
    const struct route *r = rt ? nv_route_lookup(m, rt, dst) : NULL;
    if (!r) {
        nv_drop(c, &p, "NO_ROUTE_TO_DESTINATION", rt ? rt->hdr.id : "", 0);
        return;
    }
    if (strcmp(rtb_route_state(m, rt, r), "blackhole") == 0) {
        nv_drop(c, &p, "BAD_STATE_ROUTE", rt->hdr.id, 0);
        return;
    }
    if (depth >= NV_MAX_DEPTH) {
        nv_loop(c, &p);
        return;
    }
    const struct vpc *v = nv_vpc(m, sn->vpc_id);
    if (!v) {
        nv_drop(c, &p, "NO_POSSIBLE_DESTINATION", "", 0);
        return;
    }
    switch (r->kind) {
    case RT_LOCAL:
        nv_local(c, &p, v);
        return;
    case RT_GATEWAY:
        if (strncmp(r->target, "igw-", 4) == 0) {
            nv_igw_out(c, &p, v, r->target);
            return;
        }
        break;
    case RT_NAT:
        nv_nat(c, &p, sn, r->target, depth);
        return;
    case RT_INSTANCE:
    case RT_ENI:
        p.via |= NAIVE_VIA_ROUTED_ENI;
        break;
    default:
        break;
    }
    switch (r->kind) {
    case RT_INSTANCE: {
        const struct instance *in = instance_find(m, s, r->target);
        const struct eni *x = in ? eni_find(m, s, in->eni_id) : NULL;
        if (!x) {
            nv_drop(c, &p, "BAD_STATE_ROUTE", rt->hdr.id, 0);
            return;
        }
        nv_arrive_eni(c, &p, x, strcmp(x->subnet_id, sn->hdr.id) != 0);
        return;
    }
    case RT_ENI: {
        const struct eni *x = eni_find(m, s, r->target);
        if (!x) {
            nv_drop(c, &p, "BAD_STATE_ROUTE", rt->hdr.id, 0);
            return;
        }
        /* An appliance: routed into its subnet, whose inbound NACL judges the packet. Choice
         * (the pipeline's): not when the appliance sits in the subnet the packet is leaving. */
        nv_arrive_eni(c, &p, x, strcmp(x->subnet_id, sn->hdr.id) != 0);
        return;
    }
    case RT_PCX:
        nv_pcx(c, &p, v, r->target);
        return;
    case RT_TGW:
        nv_tgw_enter(c, &p, v, sn->az, r->target, depth);
        return;
    default:
        break;
    }
    nv_drop(c, &p, "CANNOT_ROUTE", rt->hdr.id, 0);
}

/* ---- entry points ---- */

void naive_from_eni(const struct model *m, const struct eni *sender, const struct flow *f,
                    bool tracked, struct naive_set *out)
{
    memset(out, 0, sizeof *out);
    struct nv_ctx c = {.m = m, .tracked = tracked, .out = out};
    /* A packet whose source is not the sender's own address is traffic an appliance forwards,
     * and group references do not match forwarded traffic (reference 4.8). */
    struct nv_pkt p = {.f = *f, .refs_ok = nv_eni_owns(sender, nv_get4(f->src))};
    /* Choice: a stopped sender is reported before its source/destination check. */
    if (!nv_eni_up(m, sender)) {
        nv_drop(&c, &p, "BAD_STATE", sender->hdr.id, 0);
        return;
    }
    if (sender->source_dest_check && !nv_eni_owns(sender, nv_get4(f->src))) {
        nv_drop(&c, &p, "ENI_SOURCE_DEST_CHECK_RESTRICTION", sender->hdr.id, 0);
        return;
    }
    if (!tracked && !nv_sg_allows(m, sender, true, f, p.refs_ok)) {
        nv_drop(&c, &p, "ENI_SG_RULES_MISMATCH", sender->hdr.id, 0);
        return;
    }
    const struct subnet *sn = subnet_find(m, sender->hdr.scope, sender->subnet_id);
    if (!sn) {
        nv_drop(&c, &p, "BAD_STATE", sender->hdr.id, 0);
        return;
    }
    nv_leave_subnet(&c, p, sn, sender->hdr.id, 0);
}

void naive_from_internet(const struct model *m, const struct flow *f, bool tracked,
                         struct naive_set *out)
{
    memset(out, 0, sizeof *out);
    struct nv_ctx c = {.m = m, .tracked = tracked, .out = out};
    struct nv_pkt p = {.f = *f, .refs_ok = true};
    uint32_t dst = nv_get4(f->dst), src = nv_get4(f->src);
    const struct eip *pub = NULL;
    for (size_t i = 0; i < m->scopes.n && !pub; i++) {
        const struct eip *e = eip_by_public_ip((const struct scope *)m->scopes.items[i], dst);
        if (e && e->assoc_id[0])
            pub = e;
    }
    const struct eni *x = pub ? eni_find(m, pub->hdr.scope, pub->eni_id) : NULL;
    /* Choice (the pipeline's): a private source is refused before the destination is looked
     * up, so no particular gateway is named for it. */
    if (nv_rfc1918(src)) {
        nv_drop(&c, &p, "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS", "", 0);
        return;
    }
    if (nv_rfc6598(src)) {
        nv_drop(&c, &p, "IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS", "", 0);
        return;
    }
    const struct igw *g, *gw = NULL;
    if (x)
        SCOPE_FOREACH(g, x->hdr.scope, RES_IGW)
        {
            if (strcmp(g->vpc_id, x->vpc_id) == 0)
                gw = g;
        }
    if (!x || !gw) {
        nv_drop(&c, &p, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", "", 0);
        return;
    }
    nv_put4(p.f.dst, pub->private_ip);
    nv_arrive_eni(&c, &p, x, true);
}

void naive_result_format(const struct naive_result *r, char *buf, size_t n)
{
    char src[IP4_STRLEN], dst[IP4_STRLEN];
    ip4_format(nv_get4(r->f.src), src);
    ip4_format(nv_get4(r->f.dst), dst);
    switch (r->outcome) {
    case NAIVE_DELIVERED:
        snprintf(buf, n, "delivered to %s (as %s -> %s%s%s)", r->eni_id, src, dst,
                 r->translated ? ", NATed" : "",
                 r->via & NAIVE_VIA_SERVICE_OWN ? ", NAT/TGW into its own subnet" : "");
        break;
    case NAIVE_TO_INTERNET:
        snprintf(buf, n, "to the internet via %s (as %s -> %s)", r->igw_id, src, dst);
        break;
    case NAIVE_DROPPED:
        snprintf(buf, n, "dropped %s at %s%s rule %d (as %s -> %s%s)", r->code,
                 r->component[0] ? r->component : "-", r->loop ? " (loop)" : "", r->rule_number,
                 src, dst, r->via & NAIVE_VIA_SERVICE_OWN ? ", NAT/TGW into its own subnet" : "");
        break;
    }
}
