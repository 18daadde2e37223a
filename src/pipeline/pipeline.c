/* The hop sequence of AWS's packet path (reference section 7), one function per kind of hop.
 * Each function either hands the packet to the next hop or ends the run (delivered, to the
 * internet, or dropped with a code). Recording is separate from deciding: with no trace, rec()
 * returns NULL and every decision is the same. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "pipeline/pipeline.h"

/* Route lookups one packet may make before it is declared looping (routing loops through
 * appliances or back and forth between a VPC and a TGW). */
#define PL_MAX_ROUTED 16

#define PIPELINE_CODE_NAME(name_, text_) [PL_##name_] = text_,
static const char *const code_names[PL__CODE_COUNT] = {PIPELINE_CODES(PIPELINE_CODE_NAME)};
#undef PIPELINE_CODE_NAME

const char *pipeline_code_name(enum pl_code c)
{
    return (unsigned)c < PL__CODE_COUNT ? code_names[c] : "";
}

struct run {
    const struct fib_snapshot *s;
    const struct pipeline_hooks *h;
    struct pl_trace *tr;
    struct pl_result *out;
    struct flow f; /* the header as it is now */
    unsigned ttl;
    bool refs_ok; /* SG group references still describe the sender */
    bool via_tgw; /* the packet crossed a transit gateway */
    bool done;
    uint32_t tgw_in_eni; /* the TGW ENI the next TGW leg enters by */
};

/* ---- recording ---- */

static void hop_fill(const struct run *r, struct pl_hop *h, enum pl_hop_kind kind, const char *id,
                     uint32_t vpc, uint32_t subnet)
{
    memset(h, 0, sizeof *h);
    h->kind = kind;
    snprintf(h->id, sizeof h->id, "%s", id);
    if (vpc != FIB_NONE)
        snprintf(h->vpc_id, sizeof h->vpc_id, "%s", r->s->vpcs[vpc].id);
    if (subnet != FIB_NONE)
        snprintf(h->subnet_id, sizeof h->subnet_id, "%s", r->s->subnets[subnet].id);
    h->in = h->out = r->f;
    h->allow = true;
}

static struct pl_hop *rec(struct run *r, enum pl_hop_kind kind, const char *id, uint32_t vpc,
                          uint32_t subnet)
{
    if (!r->tr || r->tr->n_hops >= PL_MAX_HOPS)
        return NULL;
    struct pl_hop *h = &r->tr->hops[r->tr->n_hops++];
    hop_fill(r, h, kind, id, vpc, subnet);
    return h;
}

/* Ends the run with a drop at the component described by h (or by kind/id when h is NULL
 * because nothing is recorded). Returns the drop record so callers can add detail. */
static struct pl_hop *fail(struct run *r, enum pl_code code, struct pl_hop *h,
                           enum pl_hop_kind kind, const char *id, uint32_t vpc, uint32_t subnet)
{
    struct pl_hop *w = &r->out->where;
    if (h) {
        h->allow = false;
        *w = *h;
    } else {
        hop_fill(r, w, kind, id, vpc, subnet);
        w->allow = false;
        if (r->tr && r->tr->n_hops < PL_MAX_HOPS)
            r->tr->hops[r->tr->n_hops++] = *w;
    }
    r->out->outcome = PL_DROPPED;
    r->out->code = code;
    r->done = true;
    return w;
}

/* A detail set after fail() must also reach the recorded hop (the last one recorded). */
static void sync_drop(struct run *r, struct pl_hop *h)
{
    if (!h && r->tr && r->tr->n_hops)
        h = &r->tr->hops[r->tr->n_hops - 1];
    if (h)
        *h = r->out->where;
}

static void path_mtu(struct run *r, uint16_t mtu, bool silent)
{
    if (mtu < r->out->mtu) {
        r->out->mtu = mtu;
        r->out->mtu_silent = silent;
    }
}

/* ---- addresses ---- */

static uint32_t addr4(const uint8_t *a)
{
    uint32_t v;
    memcpy(&v, a, 4);
    return ntohl(v);
}

static void set_addr4(uint8_t *a, uint32_t host)
{
    uint32_t be = htonl(host);
    memcpy(a, &be, 4);
}

static bool in_prefix(const uint8_t *net, uint8_t len, const uint8_t *addr)
{
    unsigned full = len / 8, rest = len % 8;
    if (memcmp(net, addr, full) != 0)
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xff00u >> rest);
    return (net[full] & mask) == (addr[full] & mask);
}

static bool is_rfc1918(uint32_t a)
{
    return (a >> 24) == 10 || (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168);
}

static bool is_rfc6598(uint32_t a)
{
    return (a >> 22) == ((100u << 2) | 1); /* 100.64.0.0/10 */
}

static bool subnet_has(const struct fib_subnet *sn, const struct flow *f, const uint8_t *addr)
{
    if (f->family == 4)
        return sn->has_ipv4 && prefix4_has_addr(&sn->cidr, addr4(addr));
    for (size_t i = 0; i < sn->n_cidrs6; i++)
        if (in_prefix(sn->cidrs6[i].addr, sn->cidrs6[i].len, addr))
            return true;
    return false;
}

/* ---- security groups ---- */

static bool eni_in_group(const struct fib_eni *e, uint32_t g)
{
    for (size_t i = 0; i < e->n_sgs; i++)
        if (e->sgs[i] == g)
            return true;
    return false;
}

static bool sg_rule_matches(const struct fib_snapshot *s, const struct fib_sg_rule *r,
                            const struct flow *f, const uint8_t *peer_addr, bool refs_ok)
{
    if (r->proto != -1 && r->proto != f->proto)
        return false;
    if (r->proto == FLOW_PROTO_TCP || r->proto == FLOW_PROTO_UDP) {
        if (r->from_port >= 0 && (f->dport < r->from_port || f->dport > r->to_port))
            return false;
    } else if (r->proto == FLOW_PROTO_ICMP || r->proto == FLOW_PROTO_ICMPV6) {
        if (r->from_port >= 0 && f->sport != r->from_port)
            return false;
        if (r->to_port >= 0 && f->dport != r->to_port)
            return false;
    }
    if (r->peer == FIB_SG_PEER_CIDR)
        return r->family == f->family && in_prefix(r->net, r->len, peer_addr);
    if (!refs_ok || r->group == FIB_NONE)
        return false;
    uint32_t other = fib_eni_at(s, s->sgs[r->group].vpc, f->family, peer_addr);
    return other != FIB_NONE && eni_in_group(&s->enis[other], r->group);
}

bool pipeline_sg_allows(const struct fib_snapshot *s, uint32_t eni, bool egress,
                        const struct flow *f, bool refs_ok, uint32_t *sg, size_t *rule)
{
    const struct fib_eni *e = &s->enis[eni];
    const uint8_t *peer = egress ? f->dst : f->src;
    int d = egress ? 1 : 0;
    for (size_t g = 0; g < e->n_sgs; g++) {
        const struct fib_sg *grp = &s->sgs[e->sgs[g]];
        for (size_t i = 0; i < grp->n_rules[d]; i++) {
            if (sg_rule_matches(s, &grp->rules[d][i], f, peer, refs_ok)) {
                if (sg)
                    *sg = e->sgs[g];
                if (rule)
                    *rule = i;
                return true;
            }
        }
    }
    return false;
}

uint32_t pipeline_flow_hash(const struct flow *f)
{
    /* Order the two endpoints so a packet and its reply hash alike. */
    size_t n = f->family == 4 ? 4 : 16;
    const uint8_t *a = f->src, *b = f->dst;
    uint16_t pa = f->sport, pb = f->dport;
    int c = memcmp(a, b, n);
    if (c > 0 || (c == 0 && pa > pb)) {
        const uint8_t *t = a;
        a = b;
        b = t;
        uint16_t tp = pa;
        pa = pb;
        pb = tp;
    }
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ a[i]) * 16777619u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    h = (h ^ f->proto) * 16777619u;
    if (f->proto == FLOW_PROTO_TCP || f->proto == FLOW_PROTO_UDP) {
        h = (h ^ pa) * 16777619u;
        h = (h ^ pb) * 16777619u;
    }
    h ^= h >> 15;
    h *= 0x2c1b3c6dU;
    h ^= h >> 12;
    return h;
}

/* The SGs of ENI eni judge the packet in one direction. */
static bool sg_stage(struct run *r, uint32_t eni, bool egress)
{
    const struct fib_snapshot *s = r->s;
    const struct fib_eni *e = &s->enis[eni];
    struct pl_hop *h = rec(r, PL_HOP_SG, e->id, e->vpc, e->subnet);
    if (h) {
        h->egress = egress;
        snprintf(h->instance_id, sizeof h->instance_id, "%s", e->instance_id);
    }
    if (r->h && r->h->sg_tracked && r->h->sg_tracked(r->h->ctx, eni, egress, &r->f)) {
        if (h)
            h->tracked = true;
        return true;
    }
    uint32_t g;
    size_t i;
    if (pipeline_sg_allows(s, eni, egress, &r->f, r->refs_ok, &g, &i)) {
        if (h) {
            snprintf(h->sg_id, sizeof h->sg_id, "%s", s->sgs[g].id);
            snprintf(h->sg_rule_id, sizeof h->sg_rule_id, "%s", s->sgs[g].rules[egress][i].id);
        }
        return true;
    }
    struct pl_hop *w = fail(r, PL_ENI_SG_RULES_MISMATCH, h, PL_HOP_SG, e->id, e->vpc, e->subnet);
    w->egress = egress;
    r->out->reject_eni = eni;
    r->out->reject_egress = egress;
    snprintf(w->instance_id, sizeof w->instance_id, "%s", e->instance_id);
    if (e->n_sgs)
        snprintf(w->sg_id, sizeof w->sg_id, "%s", s->sgs[e->sgs[0]].id);
    sync_drop(r, h);
    return false;
}

/* ---- network ACLs ---- */

/* eni: the interface whose traffic this is (the sender leaving, the receiver entering), or
 * FIB_NONE; a drop names it for flow logs. */
static bool acl_stage(struct run *r, uint32_t subnet, bool egress, uint32_t eni)
{
    const struct fib_snapshot *s = r->s;
    const struct fib_subnet *sn = &s->subnets[subnet];
    if (sn->acl == FIB_NONE)
        return true;
    const struct fib_acl *a = s->acls[sn->acl].t;
    struct nacl_verdict v = pipeline_nacl_decide(a, egress, &r->f);
    struct pl_hop *h = rec(r, PL_HOP_ACL, a->id, sn->vpc, subnet);
    if (h) {
        h->egress = egress;
        h->rule_number = v.rule_number;
    }
    if (v.allow)
        return true;
    struct pl_hop *w = fail(r, PL_SUBNET_ACL_RESTRICTION, h, PL_HOP_ACL, a->id, sn->vpc, subnet);
    w->egress = egress;
    w->rule_number = v.rule_number;
    r->out->reject_eni = eni;
    r->out->reject_egress = egress;
    sync_drop(r, h);
    return false;
}

/* ---- delivery ---- */

static void send_from_subnet(struct run *r, uint32_t subnet, uint32_t sender);
static void tgw_route(struct run *r, uint32_t attach, const char *az);

static void delivered(struct run *r, uint32_t eni)
{
    const struct fib_eni *e = &r->s->enis[eni];
    struct pl_hop *h = rec(r, PL_HOP_ENI, e->id, e->vpc, e->subnet);
    if (h)
        snprintf(h->instance_id, sizeof h->instance_id, "%s", e->instance_id);
    r->out->outcome = PL_DELIVERED;
    r->out->eni = eni;
    r->done = true;
}

static void nat_reply(struct run *r, uint32_t nat);

/* The packet reaches ENI eni (its subnet's inbound NACL already passed). */
static void deliver_to_eni(struct run *r, uint32_t eni)
{
    const struct fib_snapshot *s = r->s;
    const struct fib_eni *e = &s->enis[eni];
    if (!e->up) {
        struct pl_hop *w = fail(r, PL_BAD_STATE, NULL, PL_HOP_ENI, e->id, e->vpc, e->subnet);
        snprintf(w->instance_id, sizeof w->instance_id, "%s", e->instance_id);
        sync_drop(r, NULL);
        return;
    }
    if (e->kind == FIB_ENI_NAT) {
        nat_reply(r, e->owner);
        return;
    }
    if (e->kind == FIB_ENI_TGW) {
        /* A TGW interface forwards for its attachment; nothing listens on its address. */
        fail(r, PL_NO_POSSIBLE_DESTINATION, rec(r, PL_HOP_ENI, e->id, e->vpc, e->subnet),
             PL_HOP_ENI, e->id, e->vpc, e->subnet);
        return;
    }
    if (!fib_eni_has_addr(e, r->f.family, r->f.dst) && e->source_dest_check) {
        struct pl_hop *h = rec(r, PL_HOP_ENI, e->id, e->vpc, e->subnet);
        struct pl_hop *w =
            fail(r, PL_ENI_SOURCE_DEST_CHECK_RESTRICTION, h, PL_HOP_ENI, e->id, e->vpc, e->subnet);
        snprintf(w->instance_id, sizeof w->instance_id, "%s", e->instance_id);
        sync_drop(r, h);
        return;
    }
    if (!sg_stage(r, eni, false))
        return;
    delivered(r, eni);
}

/* Local delivery inside VPC vpc to the packet's destination, the packet leaving subnet `from`
 * (FIB_NONE when it came from outside the VPC: a peering, the internet). */
static void deliver_in_vpc(struct run *r, uint32_t vpc, uint32_t from)
{
    const struct fib_snapshot *s = r->s;
    uint32_t dsn = fib_subnet_for_addr(s, vpc, r->f.family, r->f.dst);
    if (dsn == FIB_NONE) {
        fail(r, PL_NO_POSSIBLE_DESTINATION, NULL, PL_HOP_RTB, "", vpc, FIB_NONE);
        return;
    }
    uint32_t eni = fib_eni_at(s, vpc, r->f.family, r->f.dst);
    if (dsn != from && !acl_stage(r, dsn, false, eni))
        return;
    if (eni == FIB_NONE) {
        fail(r, PL_NO_POSSIBLE_DESTINATION, NULL, PL_HOP_ENI, "", vpc, dsn);
        return;
    }
    deliver_to_eni(r, eni);
}

/* ---- targets ---- */

static void via_peering(struct run *r, uint32_t vpc, const struct fib_route *route, uint32_t target)
{
    const struct fib_snapshot *s = r->s;
    const char *pcx_id = route->target;
    uint32_t pi = target;
    struct pl_hop *h = rec(r, PL_HOP_PCX, pcx_id, vpc, FIB_NONE);
    if (pi == FIB_NONE || !s->pcxs[pi].active) {
        fail(r, PL_BAD_STATE_ROUTE, h, PL_HOP_PCX, pcx_id, vpc, FIB_NONE);
        return;
    }
    const struct fib_pcx *p = &s->pcxs[pi];
    r->out->via_pcx = true;
    uint32_t peer = p->vpc[0] == vpc ? p->vpc[1] : p->vpc[0];
    /* No transit and no edge-to-edge in either direction: both ends of the packet must be
     * inside the two peered VPCs. */
    if (!fib_vpc_has_addr(s, peer, r->f.family, r->f.dst) ||
        !fib_vpc_has_addr(s, vpc, r->f.family, r->f.src)) {
        fail(r, PL_PCX_REQUIRES_ADDRESS_IN_VPC_CIDR, h, PL_HOP_PCX, pcx_id, vpc, FIB_NONE);
        return;
    }
    if (strcmp(s->vpcs[peer].region, s->vpcs[vpc].region) != 0) {
        r->refs_ok = false;
        path_mtu(r, 1500, false);
    }
    deliver_in_vpc(r, peer, FIB_NONE);
}

static uint32_t tgw_vpc_attachment(const struct fib_snapshot *s, uint32_t tgw, uint32_t vpc)
{
    const struct fib_vpc *v = &s->vpcs[vpc];
    for (size_t i = 0; i < v->n_tgw_attaches; i++)
        if (s->tgw_attaches[v->tgw_attaches[i]].tgw == tgw)
            return v->tgw_attaches[i];
    return FIB_NONE;
}

/* Into a TGW from subnet `from` of VPC vpc: through the attachment's interface in the
 * sender's zone (reference 10.5), whose subnet's inbound NACL judges it (10.9). */
static void via_tgw(struct run *r, uint32_t vpc, uint32_t from, const struct fib_route *route,
                    uint32_t target)
{
    const struct fib_snapshot *s = r->s;
    const char *tgw_id = route->target;
    uint32_t tgw = target;
    uint32_t ai = tgw == FIB_NONE ? FIB_NONE : tgw_vpc_attachment(s, tgw, vpc);
    if (ai == FIB_NONE) {
        fail(r, PL_BAD_STATE_ROUTE, NULL, PL_HOP_TGW, tgw_id, vpc, from);
        return;
    }
    const struct fib_tgw_attach *a = &s->tgw_attaches[ai];
    const char *az = s->subnets[from].az;
    size_t k = 0;
    while (k < a->n_subnets && strcmp(s->subnets[a->subnets[k]].az, az) != 0)
        k++;
    struct pl_hop *h = rec(r, PL_HOP_TGW_ATTACH, a->id, vpc, FIB_NONE);
    if (k == a->n_subnets) {
        fail(r, PL_TGW_ROUTE_AZ_RESTRICTION, h, PL_HOP_TGW_ATTACH, a->id, vpc, from);
        return;
    }
    if (h)
        snprintf(h->subnet_id, sizeof h->subnet_id, "%s", s->subnets[a->subnets[k]].id);
    if (!acl_stage(r, a->subnets[k], false, a->enis[k]))
        return;
    r->via_tgw = true;
    r->refs_ok = false;
    path_mtu(r, 8500, true);
    /* The TGW's MTU less the IP and TCP headers. */
    r->out->tcp_mss_max = (uint16_t)(8500 - (r->f.family == 4 ? 20 : 40) - 20);
    r->tgw_in_eni = a->enis[k];
    tgw_route(r, ai, az);
}

/* The TGW leg that starts now (flow logs); NULL past PL_MAX_TGW_LEGS. */
static struct pl_tgw_leg *leg_begin(struct run *r, uint32_t in)
{
    uint32_t in_eni = r->tgw_in_eni;
    r->tgw_in_eni = FIB_NONE;
    if (r->out->n_tgw_legs == PL_MAX_TGW_LEGS)
        return NULL;
    struct pl_tgw_leg *l = &r->out->tgw_legs[r->out->n_tgw_legs++];
    *l = (struct pl_tgw_leg){
        .in = in, .out = FIB_NONE, .in_eni = in_eni, .out_eni = FIB_NONE, .f = r->f};
    return l;
}

/* The TGW routes a packet that arrived by attachment `in` (zone az, or NULL from a peering). */
static void tgw_route(struct run *r, uint32_t in, const char *az)
{
    const struct fib_snapshot *s = r->s;
    const struct fib_tgw_attach *a = &s->tgw_attaches[in];
    const char *tgw_id = a->tgw != FIB_NONE ? s->tgws[a->tgw].id : "";
    struct pl_tgw_leg *leg = leg_begin(r, in);
    if (++r->out->routed_hops > PL_MAX_ROUTED) {
        fail(r, PL_CANNOT_ROUTE, NULL, PL_HOP_TGW, tgw_id, FIB_NONE, FIB_NONE);
        return;
    }
    if (r->out->routed_hops >= r->ttl) {
        fail(r, PL_TTL_EXPIRED, NULL, PL_HOP_TGW, tgw_id, FIB_NONE, FIB_NONE);
        return;
    }
    rec(r, PL_HOP_TGW, tgw_id, FIB_NONE, FIB_NONE);
    if (a->rtb == FIB_NONE) {
        fail(r, PL_TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION, NULL, PL_HOP_TGW_ATTACH, a->id, a->vpc,
             FIB_NONE);
        return;
    }
    const struct fib_tgw_rtb_ref *ref = &s->tgw_rtbs[a->rtb];
    const struct fib_tgw_rtb *rt = ref->t;
    uint32_t ri;
    struct pl_hop *h = rec(r, PL_HOP_TGW_RTB, rt->id, FIB_NONE, FIB_NONE);
    if (!lpm_lookup(r->f.family == 4 ? rt->lpm4 : rt->lpm6, r->f.dst, &ri, NULL)) {
        fail(r, PL_TGW_RTB_CANNOT_ROUTE, h, PL_HOP_TGW_RTB, rt->id, FIB_NONE, FIB_NONE);
        return;
    }
    const struct fib_tgw_route *route = &rt->routes[ri];
    if (h) {
        snprintf(h->route_dst, sizeof h->route_dst, "%s", route->dst_text);
        snprintf(h->route_target, sizeof h->route_target, "%s",
                 route->attach_id[0] ? route->attach_id : "blackhole");
        snprintf(h->route_type, sizeof h->route_type, "%s",
                 route->propagated ? "propagated" : "static");
    }
    if (route->blackhole) {
        struct pl_hop *w =
            fail(r, PL_TGW_RTB_BAD_STATE_ROUTE, h, PL_HOP_TGW_RTB, rt->id, FIB_NONE, FIB_NONE);
        snprintf(w->route_dst, sizeof w->route_dst, "%s", route->dst_text);
        snprintf(w->route_target, sizeof w->route_target, "%s",
                 route->attach_id[0] ? route->attach_id : "blackhole");
        sync_drop(r, h);
        return;
    }
    if (ref->attach[ri] == FIB_NONE) {
        fail(r, PL_TGW_RTB_BAD_STATE_ROUTE, h, PL_HOP_TGW_RTB, rt->id, FIB_NONE, FIB_NONE);
        return;
    }
    const struct fib_tgw_attach *out = &s->tgw_attaches[ref->attach[ri]];
    struct pl_hop *ho = rec(r, PL_HOP_TGW_ATTACH, out->id, out->vpc, FIB_NONE);
    if (out->kind == TGW_ATTACH_PEERING) {
        if (out->peer == FIB_NONE || !s->tgw_attaches[out->peer].available) {
            fail(r, PL_BAD_STATE_ATTACHMENT, ho, PL_HOP_TGW_ATTACH, out->id, FIB_NONE, FIB_NONE);
            return;
        }
        if (leg)
            leg->out = ref->attach[ri];
        tgw_route(r, out->peer, NULL);
        return;
    }
    if (out->n_subnets == 0) {
        fail(r, PL_BAD_STATE_ATTACHMENT, ho, PL_HOP_TGW_ATTACH, out->id, out->vpc, FIB_NONE);
        return;
    }
    /* Which interface the packet leaves by: appliance mode pins a flow (both directions) to
     * one by hash; otherwise the TGW stays in the zone it arrived in when it can. */
    size_t k = 0;
    if (out->appliance_mode) {
        k = pipeline_flow_hash(&r->f) % out->n_subnets;
    } else if (az) {
        for (size_t i = 0; i < out->n_subnets; i++)
            if (strcmp(s->subnets[out->subnets[i]].az, az) == 0) {
                k = i;
                break;
            }
    }
    uint32_t sn = out->subnets[k];
    if (ho)
        snprintf(ho->subnet_id, sizeof ho->subnet_id, "%s", s->subnets[sn].id);
    if (leg) {
        leg->out = ref->attach[ri];
        leg->out_eni = out->enis[k];
    }
    send_from_subnet(r, sn, out->enis[k]);
}

static void to_internet(struct run *r, uint32_t gw, bool eigw)
{
    path_mtu(r, 1500, false);
    rec(r, PL_HOP_INTERNET, "internet", FIB_NONE, FIB_NONE);
    r->out->outcome = PL_TO_INTERNET;
    r->out->gateway = gw;
    r->out->via_eigw = eigw;
    r->done = true;
}

static void via_igw(struct run *r, uint32_t vpc, uint32_t from, const struct fib_route *route,
                    uint32_t target)
{
    const struct fib_snapshot *s = r->s;
    const char *igw_id = route->target;
    uint32_t gi = target;
    struct pl_hop *h = rec(r, PL_HOP_IGW, igw_id, vpc, FIB_NONE);
    if (gi == FIB_NONE || s->igws[gi].vpc != vpc) {
        fail(r, PL_BAD_STATE_ROUTE, h, PL_HOP_IGW, igw_id, vpc, from);
        return;
    }
    if (r->f.family == 4) {
        uint32_t dst = addr4(r->f.dst);
        if (is_rfc1918(dst)) {
            fail(r, PL_IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS, h, PL_HOP_IGW, igw_id, vpc,
                 from);
            return;
        }
        if (is_rfc6598(dst)) {
            fail(r, PL_IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS, h, PL_HOP_IGW, igw_id, vpc,
                 from);
            return;
        }
        uint32_t src = addr4(r->f.src);
        uint32_t eni = fib_eni_by_addr(s, vpc, src);
        uint32_t pub = eni == FIB_NONE ? 0 : fib_public_of(s, eni, src);
        if (!pub) {
            fail(r, PL_IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS, h, PL_HOP_IGW, igw_id, vpc, from);
            return;
        }
        set_addr4(r->f.src, pub); /* 1:1 NAT: private source to its public address */
        if (h)
            h->out = r->f;
    } else if (!fib_vpc_has_addr(s, vpc, 6, r->f.src)) {
        fail(r, PL_IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS, h, PL_HOP_IGW, igw_id, vpc, from);
        return;
    }
    to_internet(r, gi, false);
}

static void via_eigw(struct run *r, uint32_t vpc, uint32_t from, const struct fib_route *route,
                     uint32_t target)
{
    const struct fib_snapshot *s = r->s;
    const char *eigw_id = route->target;
    uint32_t gi = target;
    struct pl_hop *h = rec(r, PL_HOP_EIGW, eigw_id, vpc, FIB_NONE);
    if (gi == FIB_NONE || s->eigws[gi].vpc != vpc) {
        fail(r, PL_BAD_STATE_ROUTE, h, PL_HOP_EIGW, eigw_id, vpc, from);
        return;
    }
    if (r->f.family != 6) {
        fail(r, PL_PROTOCOL_RESTRICTION, h, PL_HOP_EIGW, eigw_id, vpc, from);
        return;
    }
    to_internet(r, gi, true);
}

/* Routed to NAT gateway nat from subnet `from`: the gateway's subnet NACL in, the source
 * check, the translation, then its own subnet's route table decides (reference 8.3). */
static void via_nat(struct run *r, uint32_t vpc, uint32_t from, const struct fib_route *route,
                    uint32_t target)
{
    const struct fib_snapshot *s = r->s;
    const char *nat_id = route->target;
    uint32_t ni = target;
    if (ni == FIB_NONE || !s->nats[ni].available) {
        fail(r, PL_BAD_STATE_ROUTE, NULL, PL_HOP_NAT, nat_id, vpc, from);
        return;
    }
    const struct fib_nat *n = &s->nats[ni];
    if (n->subnet != from && !acl_stage(r, n->subnet, false, n->eni))
        return;
    struct pl_hop *h = rec(r, PL_HOP_NAT, n->id, n->vpc, n->subnet);
    if (!fib_vpc_has_addr(s, n->vpc, r->f.family, r->f.src) && !r->via_tgw) {
        fail(r, PL_NGW_REQUIRES_SOURCE_IN_VPC, h, PL_HOP_NAT, n->id, n->vpc, n->subnet);
        return;
    }
    if (r->f.family != 4 || (r->f.proto != FLOW_PROTO_TCP && r->f.proto != FLOW_PROTO_UDP &&
                             r->f.proto != FLOW_PROTO_ICMP)) {
        fail(r, PL_PROTOCOL_RESTRICTION, h, PL_HOP_NAT, n->id, n->vpc, n->subnet);
        return;
    }
    /* A public gateway translates to its private address too: the IGW then maps that
     * address to the gateway's EIP, exactly as for any ENI with an EIP. */
    uint8_t ip[4];
    set_addr4(ip, n->private_ip);
    struct flow t = r->f;
    if (r->h && r->h->nat_out) {
        int rc = r->h->nat_out(r->h->ctx, ni, &r->f, ip, &t);
        if (rc != 0) {
            enum pl_code why =
                rc > 0 && rc < PL__CODE_COUNT ? (enum pl_code)rc : PL_NGW_PORT_ALLOCATION;
            fail(r, why, h, PL_HOP_NAT, n->id, n->vpc, n->subnet);
            return;
        }
    } else {
        memcpy(t.src, ip, 4);
        if (r->f.proto != FLOW_PROTO_ICMP && t.sport < 1024)
            t.sport = (uint16_t)(1024 + t.sport);
    }
    r->f = t;
    if (h)
        h->out = t;
    r->refs_ok = false;
    r->via_tgw = false;
    send_from_subnet(r, n->subnet, n->eni);
}

/* A packet addressed to a NAT gateway's own address: the reply of one of its bindings. */
static void nat_reply(struct run *r, uint32_t nat)
{
    const struct fib_snapshot *s = r->s;
    const struct fib_nat *n = &s->nats[nat];
    struct pl_hop *h = rec(r, PL_HOP_NAT, n->id, n->vpc, n->subnet);
    struct flow t;
    if (!r->h || !r->h->nat_in || r->h->nat_in(r->h->ctx, nat, &r->f, &t) != 0) {
        fail(r, PL_NO_POSSIBLE_DESTINATION, h, PL_HOP_NAT, n->id, n->vpc, n->subnet);
        return;
    }
    r->f = t;
    if (h)
        h->out = t;
    send_from_subnet(r, n->subnet, n->eni);
}

/* An ENI as a route target (appliance): its subnet's NACL in, then delivery, which ends this
 * run; the appliance forwards the packet itself. */
static void via_eni(struct run *r, uint32_t from, uint32_t eni, const char *id)
{
    const struct fib_snapshot *s = r->s;
    if (eni == FIB_NONE) {
        fail(r, PL_BAD_STATE_ROUTE, NULL, PL_HOP_ENI, id, FIB_NONE, from);
        return;
    }
    if (s->enis[eni].subnet != from && !acl_stage(r, s->enis[eni].subnet, false, eni))
        return;
    deliver_to_eni(r, eni);
}

/* Route lookup in the table of subnet `subnet` (its outbound NACL passed) and the target. */
static void route_from_subnet(struct run *r, uint32_t subnet)
{
    const struct fib_snapshot *s = r->s;
    const struct fib_subnet *sn = &s->subnets[subnet];
    if (++r->out->routed_hops > PL_MAX_ROUTED) {
        fail(r, PL_CANNOT_ROUTE, NULL, PL_HOP_RTB, "", sn->vpc, subnet);
        return;
    }
    if (r->out->routed_hops >= r->ttl) {
        fail(r, PL_TTL_EXPIRED, NULL, PL_HOP_RTB, "", sn->vpc, subnet);
        return;
    }
    if (sn->rtb == FIB_NONE) {
        fail(r, PL_NO_ROUTE_TO_DESTINATION, NULL, PL_HOP_RTB, "", sn->vpc, subnet);
        return;
    }
    const struct fib_rtb_ref *ref = &s->rtbs[sn->rtb];
    const struct fib_rtb *rt = ref->t;
    const struct fib_route *route = fib_rtb_lookup(rt, r->f.family, r->f.dst);
    struct pl_hop *h = rec(r, PL_HOP_RTB, rt->id, sn->vpc, subnet);
    if (!route) {
        fail(r, PL_NO_ROUTE_TO_DESTINATION, h, PL_HOP_RTB, rt->id, sn->vpc, subnet);
        return;
    }
    if (h) {
        snprintf(h->route_dst, sizeof h->route_dst, "%s", route->dst_text);
        snprintf(h->route_target, sizeof h->route_target, "%s", route->target);
    }
    if (route->blackhole) {
        struct pl_hop *w = fail(r, PL_BAD_STATE_ROUTE, h, PL_HOP_RTB, rt->id, sn->vpc, subnet);
        snprintf(w->route_dst, sizeof w->route_dst, "%s", route->dst_text);
        snprintf(w->route_target, sizeof w->route_target, "%s", route->target);
        sync_drop(r, h);
        return;
    }
    uint32_t target = ref->targets[route - rt->routes];
    switch (route->kind) {
    case RT_LOCAL:
        deliver_in_vpc(r, sn->vpc, subnet);
        return;
    case RT_PCX:
        via_peering(r, sn->vpc, route, target);
        return;
    case RT_TGW:
        via_tgw(r, sn->vpc, subnet, route, target);
        return;
    case RT_GATEWAY:
        if (strncmp(route->target, "igw-", 4) == 0) {
            via_igw(r, sn->vpc, subnet, route, target);
            return;
        }
        break; /* virtual private gateways have no VPN behind them yet */
    case RT_EIGW:
        via_eigw(r, sn->vpc, subnet, route, target);
        return;
    case RT_NAT:
        via_nat(r, sn->vpc, subnet, route, target);
        return;
    case RT_ENI:
    case RT_INSTANCE:
        via_eni(r, subnet, target, route->target);
        return;
    default:
        break;
    }
    struct pl_hop *w = fail(r, PL_CANNOT_ROUTE, h, PL_HOP_RTB, rt->id, sn->vpc, subnet);
    snprintf(w->route_dst, sizeof w->route_dst, "%s", route->dst_text);
    snprintf(w->route_target, sizeof w->route_target, "%s", route->target);
    sync_drop(r, h);
}

/* ---- where packets enter ---- */

static void from_eni(struct run *r, uint32_t eni)
{
    const struct fib_snapshot *s = r->s;
    const struct fib_eni *e = &s->enis[eni];
    struct pl_hop *h = rec(r, PL_HOP_ENI, e->id, e->vpc, e->subnet);
    if (h)
        snprintf(h->instance_id, sizeof h->instance_id, "%s", e->instance_id);
    if (!e->up || e->subnet == FIB_NONE) {
        struct pl_hop *w = fail(r, PL_BAD_STATE, h, PL_HOP_ENI, e->id, e->vpc, e->subnet);
        snprintf(w->instance_id, sizeof w->instance_id, "%s", e->instance_id);
        sync_drop(r, h);
        return;
    }
    if (!fib_eni_has_addr(e, r->f.family, r->f.src)) {
        if (e->source_dest_check) {
            struct pl_hop *w = fail(r, PL_ENI_SOURCE_DEST_CHECK_RESTRICTION, h, PL_HOP_ENI, e->id,
                                    e->vpc, e->subnet);
            snprintf(w->instance_id, sizeof w->instance_id, "%s", e->instance_id);
            sync_drop(r, h);
            return;
        }
        r->refs_ok = false; /* forwarded by an appliance */
    }
    if (e->kind == FIB_ENI_INSTANCE && !sg_stage(r, eni, true))
        return;
    send_from_subnet(r, e->subnet, eni);
}

/* An interface of `subnet` (an instance's, or a NAT gateway's or TGW attachment's) sends the
 * packet. Within the subnet it is switched straight to the other interface: no router, no
 * NACL (reference 4.5, 6, 10.9). Otherwise it leaves the subnet through its outbound NACL to
 * the subnet router. */
static void send_from_subnet(struct run *r, uint32_t subnet, uint32_t sender)
{
    const struct fib_snapshot *s = r->s;
    const struct fib_subnet *sn = &s->subnets[subnet];
    if (subnet_has(sn, &r->f, r->f.dst)) {
        uint32_t peer = fib_eni_at(s, sn->vpc, r->f.family, r->f.dst);
        if (peer == FIB_NONE || peer == sender) {
            fail(r, PL_NO_POSSIBLE_DESTINATION, NULL, PL_HOP_ENI, "", sn->vpc, subnet);
            return;
        }
        deliver_to_eni(r, peer);
        return;
    }
    if (!acl_stage(r, subnet, true, sender))
        return;
    route_from_subnet(r, subnet);
}

static uint32_t vpc_of_ipv6(const struct fib_snapshot *s, const uint8_t *addr)
{
    for (size_t i = 0; i < s->n_vpcs; i++)
        if (fib_vpc_has_addr(s, (uint32_t)i, 6, addr))
            return (uint32_t)i;
    return FIB_NONE;
}

static void from_internet(struct run *r, uint32_t igw_hint)
{
    const struct fib_snapshot *s = r->s;
    path_mtu(r, 1500, false);
    rec(r, PL_HOP_INTERNET, "internet", FIB_NONE, FIB_NONE);
    const char *hint_id = igw_hint != FIB_NONE ? s->igws[igw_hint].id : "internet";
    if (r->f.family == 6) {
        uint32_t vpc = vpc_of_ipv6(s, r->f.dst);
        uint32_t igw = vpc == FIB_NONE ? FIB_NONE : s->vpcs[vpc].igw;
        if (vpc != FIB_NONE && igw == FIB_NONE && s->vpcs[vpc].eigw != FIB_NONE) {
            uint32_t eg = s->vpcs[vpc].eigw;
            struct pl_hop *h = rec(r, PL_HOP_EIGW, s->eigws[eg].id, vpc, FIB_NONE);
            if (!r->h || !r->h->eigw_tracked || !r->h->eigw_tracked(r->h->ctx, eg, &r->f)) {
                fail(r, PL_EIGW_INBOUND_NOT_TRACKED, h, PL_HOP_EIGW, s->eigws[eg].id, vpc,
                     FIB_NONE);
                return;
            }
        } else if (igw == FIB_NONE || (igw_hint != FIB_NONE && igw != igw_hint)) {
            fail(r, PL_IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS, NULL, PL_HOP_IGW, hint_id, vpc,
                 FIB_NONE);
            return;
        } else {
            rec(r, PL_HOP_IGW, s->igws[igw].id, vpc, FIB_NONE);
        }
        deliver_in_vpc(r, vpc, FIB_NONE);
        return;
    }
    uint32_t src = addr4(r->f.src);
    if (is_rfc1918(src)) {
        fail(r, PL_IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS, NULL, PL_HOP_IGW, hint_id, FIB_NONE,
             FIB_NONE);
        return;
    }
    if (is_rfc6598(src)) {
        fail(r, PL_IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS, NULL, PL_HOP_IGW, hint_id, FIB_NONE,
             FIB_NONE);
        return;
    }
    uint32_t priv = 0;
    uint32_t eni = fib_eni_by_public(s, addr4(r->f.dst), &priv);
    uint32_t vpc = eni == FIB_NONE ? FIB_NONE : s->enis[eni].vpc;
    uint32_t igw = vpc == FIB_NONE ? FIB_NONE : s->vpcs[vpc].igw;
    if (igw == FIB_NONE || (igw_hint != FIB_NONE && igw != igw_hint)) {
        fail(r, PL_IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS, NULL, PL_HOP_IGW, hint_id, vpc,
             FIB_NONE);
        return;
    }
    struct pl_hop *h = rec(r, PL_HOP_IGW, s->igws[igw].id, vpc, FIB_NONE);
    set_addr4(r->f.dst, priv); /* 1:1 NAT: public destination to the private address */
    if (h)
        h->out = r->f;
    if (!acl_stage(r, s->enis[eni].subnet, false, eni))
        return;
    deliver_to_eni(r, eni);
}

void pipeline_run(const struct fib_snapshot *s, const struct pl_packet *p,
                  const struct pipeline_hooks *hooks, struct pl_trace *trace, struct pl_result *out)
{
    memset(out, 0, sizeof *out);
    out->eni = out->gateway = out->reject_eni = FIB_NONE;
    out->mtu = 9001;
    struct run r = {
        .s = s,
        .h = hooks,
        .tr = trace,
        .out = out,
        .f = p->f,
        .ttl = p->ttl ? p->ttl : 64,
        .refs_ok = true,
        .tgw_in_eni = FIB_NONE,
    };
    if (p->origin == PL_FROM_ENI && p->eni < s->n_enis)
        from_eni(&r, p->eni);
    else if (p->origin == PL_FROM_INTERNET)
        from_internet(&r, p->igw < s->n_igws ? p->igw : FIB_NONE);
    else
        fail(&r, PL_BAD_STATE, NULL, PL_HOP_ENI, "", FIB_NONE, FIB_NONE);
    out->f = r.f;
    if (!r.done)
        fail(&r, PL_CANNOT_ROUTE, NULL, PL_HOP_RTB, "", FIB_NONE, FIB_NONE);
}
