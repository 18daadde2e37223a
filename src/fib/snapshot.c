/* Compiling the model into a forwarding snapshot. Two passes: the first gives every object its
 * index (registering its id), the second resolves the ids objects use to name each other into
 * indices, so the pipeline never looks anything up by string. */
#include "fib/snapshot.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"
#include "lib/hmap.h"
#include "lib/xalloc.h"

/* Growable arrays of the snapshot under construction. */
struct build {
    const struct model *m;
    struct fib_snapshot *s;
    size_t cap[FIB_OBJ__COUNT];
    size_t cap_refs, cap_addr, cap_public, cap_addr6;
    struct hmap subnet_rtb; /* subnet id -> route table id (explicit associations) */
};

static void ref_add(struct build *b, const char *id, enum fib_obj type, uint32_t index)
{
    struct fib_snapshot *s = b->s;
    s->refs_arr = xgrow(s->refs_arr, &b->cap_refs, s->n_refs, sizeof *s->refs_arr);
    struct fib_ref *r = &s->refs_arr[s->n_refs++];
    snprintf(r->id, sizeof r->id, "%s", id);
    r->type = type;
    r->index = index;
}

/* The hmap borrows keys, so it is filled once refs_arr no longer moves. */
static void refs_index(struct fib_snapshot *s)
{
    hmap_init(&s->ids);
    /* Ids are unique across types (their prefix names the type), so one map serves all. */
    for (size_t i = 0; i < s->n_refs; i++)
        hmap_put(&s->ids, s->refs_arr[i].id, &s->refs_arr[i]);
}

uint32_t fib_find(const struct fib_snapshot *s, enum fib_obj type, const char *id)
{
    if (!id || !*id)
        return FIB_NONE;
    const struct fib_ref *r = hmap_get(&s->ids, id);
    return r && r->type == type ? r->index : FIB_NONE;
}

/* Only the owner's scope lists an object once; a scope it is shared with lists it again. */
#define OWN_FOREACH(var_, scope_, type_)                                                           \
    SCOPE_FOREACH(var_, scope_, type_)                                                             \
    if (((struct res *)(var_))->scope == (scope_))

#define GROW(b_, field_, n_field_, obj_)                                                           \
    ((b_)->s->field_ =                                                                             \
         xgrow((b_)->s->field_, &(b_)->cap[obj_], (b_)->s->n_field_, sizeof *(b_)->s->field_),     \
     memset(&(b_)->s->field_[(b_)->s->n_field_], 0, sizeof *(b_)->s->field_),                      \
     &(b_)->s->field_[(b_)->s->n_field_++])

static void v4_bytes(uint32_t host, uint8_t out[16])
{
    uint32_t be = htonl(host);
    memset(out, 0, 16);
    memcpy(out, &be, 4);
}

/* ---- pass 1: objects and their indices ---- */

static void collect_scope(struct build *b, const struct scope *sc)
{
    struct fib_snapshot *s = b->s;
    const struct vpc *v;
    OWN_FOREACH(v, sc, RES_VPC)
    {
        struct fib_vpc *f = GROW(b, vpcs, n_vpcs, FIB_OBJ_VPC);
        snprintf(f->id, sizeof f->id, "%s", v->hdr.id);
        snprintf(f->account, sizeof f->account, "%s", sc->account);
        snprintf(f->region, sizeof f->region, "%s", sc->region);
        f->n_cidrs4 = v->n_cidrs;
        f->cidrs4 = xcalloc(v->n_cidrs ? v->n_cidrs : 1, sizeof *f->cidrs4);
        for (size_t i = 0; i < v->n_cidrs; i++)
            f->cidrs4[i] = v->cidrs[i].cidr;
        f->n_cidrs6 = v->n_ipv6;
        f->cidrs6 = xcalloc(v->n_ipv6 ? v->n_ipv6 : 1, sizeof *f->cidrs6);
        for (size_t i = 0; i < v->n_ipv6; i++)
            f->cidrs6[i] = v->ipv6[i].cidr;
        f->igw = f->eigw = FIB_NONE;
        f->dns_support = v->dns_support;
        f->dns_hostnames = v->dns_hostnames;
        f->subnets4 = lpm_new(4);
        f->subnets6 = lpm_new(6);
        ref_add(b, v->hdr.id, FIB_OBJ_VPC, (uint32_t)(s->n_vpcs - 1));
    }
    const struct subnet *sn;
    OWN_FOREACH(sn, sc, RES_SUBNET)
    {
        struct fib_subnet *f = GROW(b, subnets, n_subnets, FIB_OBJ_SUBNET);
        snprintf(f->id, sizeof f->id, "%s", sn->hdr.id);
        snprintf(f->az, sizeof f->az, "%s", sn->az);
        int zone = region_zone_index(sc->region, sn->az);
        if (zone >= 0)
            region_zone_id(sc->region, zone, f->az_id);
        f->has_ipv4 = sn->has_ipv4;
        f->cidr = sn->cidr;
        f->n_cidrs6 = sn->n_ipv6;
        f->cidrs6 = xcalloc(sn->n_ipv6 ? sn->n_ipv6 : 1, sizeof *f->cidrs6);
        for (size_t i = 0; i < sn->n_ipv6; i++)
            f->cidrs6[i] = sn->ipv6[i].cidr;
        ref_add(b, sn->hdr.id, FIB_OBJ_SUBNET, (uint32_t)(s->n_subnets - 1));
    }
    const struct route_table *rt;
    OWN_FOREACH(rt, sc, RES_RTB)
    {
        GROW(b, rtbs, n_rtbs, FIB_OBJ_RTB);
        ref_add(b, rt->hdr.id, FIB_OBJ_RTB, (uint32_t)(s->n_rtbs - 1));
        for (size_t i = 0; i < rt->n_assocs; i++)
            if (rt->assocs[i].subnet_id[0])
                hmap_put(&b->subnet_rtb, rt->assocs[i].subnet_id, (void *)rt->hdr.id);
    }
    const struct network_acl *a;
    OWN_FOREACH(a, sc, RES_NACL)
    {
        GROW(b, acls, n_acls, FIB_OBJ_ACL);
        ref_add(b, a->hdr.id, FIB_OBJ_ACL, (uint32_t)(s->n_acls - 1));
    }
    const struct security_group *g;
    OWN_FOREACH(g, sc, RES_SG)
    {
        struct fib_sg *f = GROW(b, sgs, n_sgs, FIB_OBJ_SG);
        snprintf(f->id, sizeof f->id, "%s", g->hdr.id);
        snprintf(f->name, sizeof f->name, "%s", g->name);
        ref_add(b, g->hdr.id, FIB_OBJ_SG, (uint32_t)(s->n_sgs - 1));
    }
    const struct eni *e;
    OWN_FOREACH(e, sc, RES_ENI)
    {
        struct fib_eni *f = GROW(b, enis, n_enis, FIB_OBJ_ENI);
        snprintf(f->id, sizeof f->id, "%s", e->hdr.id);
        ref_add(b, e->hdr.id, FIB_OBJ_ENI, (uint32_t)(s->n_enis - 1));
    }
    const struct pcx *p;
    OWN_FOREACH(p, sc, RES_PCX)
    {
        struct fib_pcx *f = GROW(b, pcxs, n_pcxs, FIB_OBJ_PCX);
        snprintf(f->id, sizeof f->id, "%s", p->hdr.id);
        ref_add(b, p->hdr.id, FIB_OBJ_PCX, (uint32_t)(s->n_pcxs - 1));
    }
    const struct tgw *t;
    OWN_FOREACH(t, sc, RES_TGW)
    {
        if (strcmp(t->state, "deleted") == 0)
            continue;
        struct fib_tgw *f = GROW(b, tgws, n_tgws, FIB_OBJ_TGW);
        snprintf(f->id, sizeof f->id, "%s", t->hdr.id);
        snprintf(f->account, sizeof f->account, "%s", sc->account);
        snprintf(f->region, sizeof f->region, "%s", sc->region);
        ref_add(b, t->hdr.id, FIB_OBJ_TGW, (uint32_t)(s->n_tgws - 1));
    }
    const struct tgw_attach *ta;
    OWN_FOREACH(ta, sc, RES_TGW_ATTACH)
    {
        struct fib_tgw_attach *f = GROW(b, tgw_attaches, n_tgw_attaches, FIB_OBJ_TGW_ATTACH);
        snprintf(f->id, sizeof f->id, "%s", ta->hdr.id);
        f->key = hmap_hash_str(ta->hdr.id);
        ref_add(b, ta->hdr.id, FIB_OBJ_TGW_ATTACH, (uint32_t)(s->n_tgw_attaches - 1));
    }
    const struct tgw_rtb *tr;
    OWN_FOREACH(tr, sc, RES_TGW_RTB)
    {
        GROW(b, tgw_rtbs, n_tgw_rtbs, FIB_OBJ_TGW_RTB);
        ref_add(b, tr->hdr.id, FIB_OBJ_TGW_RTB, (uint32_t)(s->n_tgw_rtbs - 1));
    }
    const struct nat *n;
    OWN_FOREACH(n, sc, RES_NAT)
    {
        struct fib_nat *f = GROW(b, nats, n_nats, FIB_OBJ_NAT);
        snprintf(f->id, sizeof f->id, "%s", n->hdr.id);
        f->key = hmap_hash_str(n->hdr.id);
        ref_add(b, n->hdr.id, FIB_OBJ_NAT, (uint32_t)(s->n_nats - 1));
    }
    const struct igw *ig;
    OWN_FOREACH(ig, sc, RES_IGW)
    {
        struct fib_igw *f = GROW(b, igws, n_igws, FIB_OBJ_IGW);
        snprintf(f->id, sizeof f->id, "%s", ig->hdr.id);
        ref_add(b, ig->hdr.id, FIB_OBJ_IGW, (uint32_t)(s->n_igws - 1));
    }
    const struct eigw *eg;
    OWN_FOREACH(eg, sc, RES_EIGW)
    {
        struct fib_eigw *f = GROW(b, eigws, n_eigws, FIB_OBJ_EIGW);
        snprintf(f->id, sizeof f->id, "%s", eg->hdr.id);
        f->ct_key = FIB_EIGW_CT_KEY_BIT | (uint32_t)hmap_hash_str(eg->hdr.id);
        ref_add(b, eg->hdr.id, FIB_OBJ_EIGW, (uint32_t)(s->n_eigws - 1));
    }
    const struct instance *in;
    OWN_FOREACH(in, sc, RES_INSTANCE)
    {
        if (in->eni_id[0])
            ref_add(b, in->hdr.id, FIB_OBJ_INSTANCE, FIB_NONE); /* resolved in pass 2 */
    }
}

/* ---- pass 2: cross references ---- */

static int sg_protocol(const char *p)
{
    if (strcmp(p, "tcp") == 0)
        return 6;
    if (strcmp(p, "udp") == 0)
        return 17;
    if (strcmp(p, "icmp") == 0)
        return 1;
    if (strcmp(p, "icmpv6") == 0)
        return 58;
    if (strcmp(p, "-1") == 0 || strcmp(p, "all") == 0)
        return -1;
    return atoi(p);
}

/* A rule may only name a group of its own VPC or of a VPC peered with it in the same region;
 * a reference that lost that (peering deleted) is stale and matches nothing, as on AWS. */
static bool pcx_joins(const struct fib_snapshot *s, uint32_t a, uint32_t b)
{
    for (size_t i = 0; i < s->n_pcxs; i++) {
        const struct fib_pcx *p = &s->pcxs[i];
        if (p->active && ((p->vpc[0] == a && p->vpc[1] == b) || (p->vpc[0] == b && p->vpc[1] == a)))
            return strcmp(s->vpcs[a].region, s->vpcs[b].region) == 0;
    }
    return false;
}

static void sg_rule_add(struct fib_sg *f, size_t *cap, const struct fib_sg_rule *r, bool egress)
{
    int d = egress ? 1 : 0;
    f->rules[d] = xgrow(f->rules[d], &cap[d], f->n_rules[d], sizeof *f->rules[d]);
    f->rules[d][f->n_rules[d]++] = *r;
}

static void resolve_sg(struct build *b, const struct security_group *g, struct fib_sg *f)
{
    const struct fib_snapshot *s = b->s;
    size_t cap[2] = {0, 0};
    for (size_t i = 0; i < g->n_rules; i++) {
        const struct sg_rule *r = &g->rules[i];
        struct fib_sg_rule fr;
        memset(&fr, 0, sizeof fr);
        snprintf(fr.id, sizeof fr.id, "%s", r->id);
        snprintf(fr.peer_text, sizeof fr.peer_text, "%s", r->peer);
        fr.proto = sg_protocol(r->protocol);
        fr.from_port = r->from_port;
        fr.to_port = r->to_port;
        fr.group = FIB_NONE;
        struct prefix4 p4;
        struct prefix6 p6;
        switch (r->peer_kind) {
        case SG_PEER_CIDR4:
            if (prefix4_parse(r->peer, &p4) != 0)
                continue;
            fr.peer = FIB_SG_PEER_CIDR;
            fr.family = 4;
            v4_bytes(p4.addr, fr.net);
            fr.len = p4.len;
            sg_rule_add(f, cap, &fr, r->egress);
            break;
        case SG_PEER_CIDR6:
            if (prefix6_parse(r->peer, &p6) != 0)
                continue;
            fr.peer = FIB_SG_PEER_CIDR;
            fr.family = 6;
            memcpy(fr.net, p6.addr, 16);
            fr.len = p6.len;
            sg_rule_add(f, cap, &fr, r->egress);
            break;
        case SG_PEER_PL: {
            const struct prefix_list *pl = pl_find(b->m, g->hdr.scope, r->peer);
            for (size_t e = 0; pl && e < pl->n_entries; e++) {
                fr.peer = FIB_SG_PEER_CIDR;
                if (prefix4_parse(pl->entries[e].cidr, &p4) == 0) {
                    fr.family = 4;
                    v4_bytes(p4.addr, fr.net);
                    fr.len = p4.len;
                } else if (prefix6_parse(pl->entries[e].cidr, &p6) == 0) {
                    fr.family = 6;
                    memcpy(fr.net, p6.addr, 16);
                    fr.len = p6.len;
                } else {
                    continue;
                }
                sg_rule_add(f, cap, &fr, r->egress);
            }
            break;
        }
        case SG_PEER_GROUP: {
            fr.peer = FIB_SG_PEER_GROUP;
            uint32_t gi = fib_find(s, FIB_OBJ_SG, r->peer);
            if (gi != FIB_NONE && f->vpc != FIB_NONE) {
                uint32_t gv = s->sgs[gi].vpc;
                if (gv == f->vpc || (gv != FIB_NONE && pcx_joins(s, f->vpc, gv)))
                    fr.group = gi;
            }
            sg_rule_add(f, cap, &fr, r->egress);
            break;
        }
        }
    }
}

static void addr_add(struct build *b, bool public_map, const struct fib_addr *a)
{
    struct fib_snapshot *s = b->s;
    if (public_map) {
        s->by_public = xgrow(s->by_public, &b->cap_public, s->n_by_public, sizeof *s->by_public);
        s->by_public[s->n_by_public++] = *a;
    } else {
        s->by_addr = xgrow(s->by_addr, &b->cap_addr, s->n_by_addr, sizeof *s->by_addr);
        s->by_addr[s->n_by_addr++] = *a;
    }
}

static int addr_cmp(const void *pa, const void *pb)
{
    const struct fib_addr *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->addr != b->addr)
        return a->addr < b->addr ? -1 : 1;
    return 0;
}

static int addr6_cmp(const void *pa, const void *pb)
{
    const struct fib_addr6 *a = pa, *b = pb;
    if (a->vpc != b->vpc)
        return a->vpc < b->vpc ? -1 : 1;
    return memcmp(a->addr, b->addr, 16);
}

static const struct fib_addr *addr_search(const struct fib_addr *arr, size_t n, uint32_t key,
                                          uint32_t addr, bool any_addr)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct fib_addr *x = &arr[mid];
        int c = x->key != key     ? (x->key < key ? -1 : 1)
                : any_addr        ? 0
                : x->addr != addr ? (x->addr < addr ? -1 : 1)
                                  : 0;
        if (c == 0)
            return x;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void resolve_eni(struct build *b, const struct eni *e, struct fib_eni *f)
{
    struct fib_snapshot *s = b->s;
    const struct model *m = b->m;
    f->subnet = fib_find(s, FIB_OBJ_SUBNET, e->subnet_id);
    f->vpc = fib_find(s, FIB_OBJ_VPC, e->vpc_id);
    f->source_dest_check = e->source_dest_check;
    f->owner = FIB_NONE;
    memcpy(f->mac, e->mac, sizeof f->mac);
    f->device_index = e->attached && e->att.instance_id[0] ? e->att.device_index : -1;
    f->n_ips4 = e->n_private_ips;
    f->ips4 = xcalloc(e->n_private_ips ? e->n_private_ips : 1, sizeof *f->ips4);
    memcpy(f->ips4, e->private_ips, e->n_private_ips * sizeof *f->ips4);
    f->n_ips6 = e->n_ipv6_addrs;
    f->ips6 = xcalloc(e->n_ipv6_addrs ? e->n_ipv6_addrs : 1, sizeof *f->ips6);
    memcpy(f->ips6, e->ipv6_addrs, e->n_ipv6_addrs * sizeof *f->ips6);
    f->sgs = xcalloc(e->n_groups ? e->n_groups : 1, sizeof *f->sgs);
    for (size_t i = 0; i < e->n_groups; i++) {
        uint32_t g = fib_find(s, FIB_OBJ_SG, e->groups[i]);
        if (g != FIB_NONE)
            f->sgs[f->n_sgs++] = g;
    }
    if (strcmp(e->interface_type, "nat_gateway") == 0) {
        f->kind = FIB_ENI_NAT;
    } else if (strcmp(e->interface_type, "transit_gateway") == 0) {
        f->kind = FIB_ENI_TGW;
    } else {
        f->kind = FIB_ENI_INSTANCE;
        if (e->attached && e->att.instance_id[0]) {
            snprintf(f->instance_id, sizeof f->instance_id, "%s", e->att.instance_id);
            const struct instance *in = instance_find(m, e->hdr.scope, e->att.instance_id);
            /* pending becomes running at the next request; its interface is already wired */
            f->up = in && (in->state == INST_RUNNING || in->state == INST_PENDING);
        }
    }
    uint32_t ei = (uint32_t)(f - s->enis);
    for (size_t i = 0; i < e->n_ipv6_addrs && f->vpc != FIB_NONE; i++) {
        s->by_addr6 = xgrow(s->by_addr6, &b->cap_addr6, s->n_by_addr6, sizeof *s->by_addr6);
        struct fib_addr6 *a6 = &s->by_addr6[s->n_by_addr6++];
        a6->vpc = f->vpc;
        memcpy(a6->addr, e->ipv6_addrs[i], 16);
        a6->eni = ei;
    }
    for (size_t i = 0; i < e->n_private_ips && f->vpc != FIB_NONE; i++) {
        struct fib_addr a = {.key = f->vpc, .addr = e->private_ips[i], .eni = ei};
        const struct eip *x = eip_for_eni(e->hdr.scope, e->hdr.id, e->private_ips[i]);
        a.public_ip = x ? x->public_ip : 0;
        addr_add(b, false, &a);
        if (x) {
            struct fib_addr p = {.key = x->public_ip,
                                 .addr = e->private_ips[i],
                                 .eni = ei,
                                 .public_ip = x->public_ip};
            addr_add(b, true, &p);
        }
    }
}

static void resolve_tgw_attach(struct build *b, const struct tgw_attach *a,
                               struct fib_tgw_attach *f)
{
    struct fib_snapshot *s = b->s;
    f->kind = a->kind;
    f->tgw = fib_find(s, FIB_OBJ_TGW, a->tgw_id);
    f->rtb = fib_find(s, FIB_OBJ_TGW_RTB, a->assoc_rtb);
    f->available = strcmp(tgw_attach_state(a), "available") == 0 ||
                   strcmp(tgw_attach_state(a), "modifying") == 0;
    f->vpc = FIB_NONE;
    f->peer = FIB_NONE;
    if (a->kind == TGW_ATTACH_VPC) {
        f->vpc = fib_find(s, FIB_OBJ_VPC, a->vpc_id);
        if (f->vpc != FIB_NONE && f->available) {
            struct fib_vpc *v = &s->vpcs[f->vpc];
            v->tgw_attaches =
                xrealloc(v->tgw_attaches, (v->n_tgw_attaches + 1) * sizeof *v->tgw_attaches);
            v->tgw_attaches[v->n_tgw_attaches++] = (uint32_t)(f - s->tgw_attaches);
        }
        f->appliance_mode = a->appliance_mode;
        f->subnets = xcalloc(a->n_subnets ? a->n_subnets : 1, sizeof *f->subnets);
        f->enis = xcalloc(a->n_subnets ? a->n_subnets : 1, sizeof *f->enis);
        for (size_t i = 0; i < a->n_subnets; i++) {
            uint32_t sn = fib_find(s, FIB_OBJ_SUBNET, a->subnets[i]);
            uint32_t en = fib_find(s, FIB_OBJ_ENI, a->enis[i]);
            if (sn == FIB_NONE || en == FIB_NONE)
                continue;
            f->subnets[f->n_subnets] = sn;
            f->enis[f->n_subnets++] = en;
            s->enis[en].kind = FIB_ENI_TGW;
            s->enis[en].owner = (uint32_t)(f - s->tgw_attaches);
            s->enis[en].up = f->available;
        }
    } else {
        f->peer = fib_find(s, FIB_OBJ_TGW_ATTACH, a->peer_attach_id);
    }
}

static void compile_tgw_rtb(const struct model *m, const struct tgw_rtb *rt, struct fib_tgw_rtb *f)
{
    snprintf(f->id, sizeof f->id, "%s", rt->hdr.id);
    f->lpm4 = lpm_new(4);
    f->lpm6 = lpm_new(6);
    struct tgw_route_view *v;
    size_t n = tgw_rtb_routes(m, rt, &v);
    f->routes = xcalloc(n ? n : 1, sizeof *f->routes);
    for (size_t i = 0; i < n; i++) {
        struct fib_tgw_route *r = &f->routes[f->n_routes];
        r->family = v[i].r.family;
        if (r->family == 4) {
            v4_bytes(v[i].r.dst4.addr, r->dst);
            r->len = v[i].r.dst4.len;
            prefix4_format(&v[i].r.dst4, r->dst_text);
        } else {
            memcpy(r->dst, v[i].r.dst6.addr, 16);
            r->len = v[i].r.dst6.len;
            prefix6_format(&v[i].r.dst6, r->dst_text);
        }
        r->propagated = v[i].propagated;
        r->blackhole = v[i].r.blackhole || strcmp(v[i].state, "active") != 0;
        if (!v[i].r.blackhole)
            snprintf(r->attach_id, sizeof r->attach_id, "%s", v[i].r.attach_id);
        /* The table shows one route per destination (static hides propagated), so the first
         * holder of a prefix is the one the TGW uses. */
        struct lpm *lpm = r->family == 4 ? f->lpm4 : f->lpm6;
        uint32_t held;
        if (!lpm_get(lpm, r->dst, r->len, &held))
            lpm_insert(lpm, r->dst, r->len, (uint32_t)f->n_routes);
        f->n_routes++;
    }
    free(v);
}

/* ---- shared compiled tables ---- */

enum shared_kind { SHARED_RTB, SHARED_ACL, SHARED_TGW_RTB };

struct fib_shared {
    atomic_uint refs;
    uint64_t stamp; /* digest of the versions of everything the table was compiled from */
    enum shared_kind kind;
    union {
        struct fib_rtb rtb;
        struct fib_acl acl;
        struct fib_tgw_rtb tgw_rtb;
    } u;
};

static void shared_unref(struct fib_shared *p)
{
    if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
        return;
    switch (p->kind) {
    case SHARED_RTB:
        fib_rtb_destroy(&p->u.rtb);
        break;
    case SHARED_ACL:
        fib_acl_destroy(&p->u.acl);
        break;
    case SHARED_TGW_RTB:
        lpm_free(p->u.tgw_rtb.lpm4);
        lpm_free(p->u.tgw_rtb.lpm6);
        free(p->u.tgw_rtb.routes);
        break;
    }
    free(p);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

static uint64_t version_of(const struct model *m, const char *id)
{
    const struct res *r = res_find_any(m, id);
    return r ? r->version : UINT64_MAX; /* gone: differs from any version it had */
}

/* What a compiled VPC route table depends on: the table, its VPC (local routes), each
 * target (its state makes the route active or blackhole) and each prefix list. A TGW route's
 * state follows the VPC's attachments, and an ENI or instance route's state follows
 * attachments and instance states, so those count every change of their type. */
static uint64_t rtb_stamp(const struct model *m, const struct route_table *rt)
{
    uint64_t h = mix(0, rt->hdr.version);
    h = mix(h, version_of(m, rt->vpc_id));
    for (size_t i = 0; i < rt->n_routes; i++) {
        const struct route *r = &rt->routes[i];
        if (!r->family)
            h = mix(h, version_of(m, r->dst_pl));
        switch (r->kind) {
        case RT_LOCAL:
            break;
        case RT_TGW:
            h = mix(h, m->type_generation[RES_TGW_ATTACH]);
            h = mix(h, version_of(m, r->target));
            break;
        case RT_ENI:
        case RT_INSTANCE:
            h = mix(h, m->type_generation[RES_ENI]);
            h = mix(h, m->type_generation[RES_INSTANCE]);
            break;
        default:
            h = mix(h, version_of(m, r->target));
            break;
        }
    }
    return h;
}

/* What of a route table, besides its routes, the snapshot takes into other arrays: which
 * subnets (and gateways) use it, and which gateways propagate into it. */
static uint64_t rtb_assoc_sig(const struct route_table *rt)
{
    uint64_t h = mix(0, rt->n_assocs);
    for (size_t i = 0; i < rt->n_assocs; i++) {
        h = mix(h, hmap_hash_str(rt->assocs[i].subnet_id));
        h = mix(h, hmap_hash_str(rt->assocs[i].gateway_id));
        h = mix(h, rt->assocs[i].main);
    }
    h = mix(h, rt->n_vgws);
    for (size_t i = 0; i < rt->n_vgws; i++)
        h = mix(h, hmap_hash_str(rt->vgws[i]));
    return h;
}

static uint64_t acl_stamp(const struct model *m, const struct network_acl *a)
{
    return mix(mix(0, a->hdr.version), version_of(m, a->vpc_id)); /* IPv6 adds the 32768 deny */
}

static uint64_t tgw_rtb_stamp(const struct model *m, const struct tgw_rtb *rt)
{
    uint64_t h = mix(0, rt->hdr.version);
    h = mix(h, m->type_generation[RES_TGW_ATTACH]); /* propagations and route states */
    return mix(h, m->type_generation[RES_VPC]);     /* propagated blocks */
}

/* The previous snapshot's table for id, if it was compiled from the same inputs. */
static struct fib_shared *reusable(const struct fib_snapshot *prev, enum fib_obj type,
                                   const char *id, uint64_t stamp)
{
    if (!prev)
        return NULL;
    uint32_t i = fib_find(prev, type, id);
    if (i == FIB_NONE)
        return NULL;
    struct fib_shared *p = type == FIB_OBJ_RTB   ? prev->rtbs[i].shared
                           : type == FIB_OBJ_ACL ? prev->acls[i].shared
                                                 : prev->tgw_rtbs[i].shared;
    if (!p || p->stamp != stamp)
        return NULL;
    atomic_fetch_add(&p->refs, 1);
    return p;
}

static struct fib_shared *shared_new(enum shared_kind kind, uint64_t stamp)
{
    struct fib_shared *p = xcalloc(1, sizeof *p);
    atomic_init(&p->refs, 1);
    p->stamp = stamp;
    p->kind = kind;
    return p;
}

static void compile_rtb(const struct model *m, const struct res *r, struct fib_shared *p)
{
    fib_rtb_compile(m, (const struct route_table *)r, &p->u.rtb);
}

static void compile_acl(const struct model *m, const struct res *r, struct fib_shared *p)
{
    fib_acl_compile(m, (const struct network_acl *)r, &p->u.acl);
}

static void compile_tgw(const struct model *m, const struct res *r, struct fib_shared *p)
{
    compile_tgw_rtb(m, (const struct tgw_rtb *)r, &p->u.tgw_rtb);
}

/* The previous snapshot's compiled table for r when its stamp still holds, else a new one. */
static struct fib_shared *
table_for(struct build *b, const struct fib_snapshot *prev, enum fib_obj type,
          enum shared_kind kind, const struct res *r, uint64_t stamp,
          void (*compile)(const struct model *, const struct res *, struct fib_shared *))
{
    struct fib_shared *p = reusable(prev, type, r->id, stamp);
    if (p) {
        b->s->n_reused++;
        return p;
    }
    p = shared_new(kind, stamp);
    compile(b->m, r, p);
    b->s->n_compiled++;
    return p;
}

static void compile_tables(struct build *b, const struct scope *sc, const struct fib_snapshot *prev)
{
    struct fib_snapshot *s = b->s;
    const struct model *m = b->m;
    const struct route_table *rt;
    OWN_FOREACH(rt, sc, RES_RTB)
    {
        struct fib_rtb_ref *ref = &s->rtbs[fib_find(s, FIB_OBJ_RTB, rt->hdr.id)];
        ref->shared =
            table_for(b, prev, FIB_OBJ_RTB, SHARED_RTB, &rt->hdr, rtb_stamp(m, rt), compile_rtb);
        ref->t = &ref->shared->u.rtb;
        ref->assoc_sig = rtb_assoc_sig(rt);
    }
    const struct network_acl *a;
    OWN_FOREACH(a, sc, RES_NACL)
    {
        struct fib_acl_ref *ref = &s->acls[fib_find(s, FIB_OBJ_ACL, a->hdr.id)];
        ref->shared =
            table_for(b, prev, FIB_OBJ_ACL, SHARED_ACL, &a->hdr, acl_stamp(m, a), compile_acl);
        ref->t = &ref->shared->u.acl;
    }
    const struct tgw_rtb *tr;
    OWN_FOREACH(tr, sc, RES_TGW_RTB)
    {
        struct fib_tgw_rtb_ref *ref = &s->tgw_rtbs[fib_find(s, FIB_OBJ_TGW_RTB, tr->hdr.id)];
        ref->shared = table_for(b, prev, FIB_OBJ_TGW_RTB, SHARED_TGW_RTB, &tr->hdr,
                                tgw_rtb_stamp(m, tr), compile_tgw);
        ref->t = &ref->shared->u.tgw_rtb;
        ref->tgw = fib_find(s, FIB_OBJ_TGW, tr->tgw_id);
    }
}

/* The snapshot's own indices for the ids inside the shared tables. */
static void resolve_table_indices(struct fib_snapshot *s)
{
    for (size_t i = 0; i < s->n_tgw_rtbs; i++) {
        struct fib_tgw_rtb_ref *ref = &s->tgw_rtbs[i];
        ref->attach = xcalloc(ref->t->n_routes ? ref->t->n_routes : 1, sizeof *ref->attach);
        for (size_t k = 0; k < ref->t->n_routes; k++)
            ref->attach[k] = fib_find(s, FIB_OBJ_TGW_ATTACH, ref->t->routes[k].attach_id);
    }
}

static void resolve_scope(struct build *b, const struct scope *sc)
{
    struct fib_snapshot *s = b->s;
    const struct model *m = b->m;
    const struct security_group *g;
    OWN_FOREACH(g, sc, RES_SG)
    s->sgs[fib_find(s, FIB_OBJ_SG, g->hdr.id)].vpc = fib_find(s, FIB_OBJ_VPC, g->vpc_id);
    const struct subnet *sn;
    OWN_FOREACH(sn, sc, RES_SUBNET)
    {
        uint32_t si = fib_find(s, FIB_OBJ_SUBNET, sn->hdr.id);
        struct fib_subnet *f = &s->subnets[si];
        f->vpc = fib_find(s, FIB_OBJ_VPC, sn->vpc_id);
        if (f->vpc != FIB_NONE) {
            uint8_t net[16];
            if (f->has_ipv4) {
                v4_bytes(f->cidr.addr, net);
                lpm_insert(s->vpcs[f->vpc].subnets4, net, f->cidr.len, si);
            }
            for (size_t k = 0; k < f->n_cidrs6; k++)
                lpm_insert(s->vpcs[f->vpc].subnets6, f->cidrs6[k].addr, f->cidrs6[k].len, si);
        }
        const char *rtb_id = hmap_get(&b->subnet_rtb, sn->hdr.id);
        if (!rtb_id) {
            const struct vpc *vv = vpc_find(m, sc, sn->vpc_id);
            rtb_id = vv ? vv->main_rtb_id : NULL;
        }
        f->rtb = fib_find(s, FIB_OBJ_RTB, rtb_id);
        f->acl = FIB_NONE;
    }
    /* Each subnet's NACL from the NACLs' associations: one pass, where asking per subnet
     * (nacl_for_subnet) would walk every NACL for every subnet. */
    const struct network_acl *acl;
    OWN_FOREACH(acl, sc, RES_NACL)
    {
        uint32_t ai = fib_find(s, FIB_OBJ_ACL, acl->hdr.id);
        for (size_t i = 0; i < acl->n_assocs; i++) {
            uint32_t si = fib_find(s, FIB_OBJ_SUBNET, acl->assocs[i].subnet_id);
            if (si != FIB_NONE && s->subnets[si].acl == FIB_NONE)
                s->subnets[si].acl = ai;
        }
    }
    const struct pcx *p;
    OWN_FOREACH(p, sc, RES_PCX)
    {
        struct fib_pcx *f = &s->pcxs[fib_find(s, FIB_OBJ_PCX, p->hdr.id)];
        f->active = pcx_state_now(m, p) == PCX_ACTIVE;
        f->vpc[0] = fib_find(s, FIB_OBJ_VPC, p->req.vpc_id);
        f->vpc[1] = fib_find(s, FIB_OBJ_VPC, p->acc.vpc_id);
        f->allow_dns[0] = p->req.allow_dns;
        f->allow_dns[1] = p->acc.allow_dns;
        if (f->vpc[0] == FIB_NONE || f->vpc[1] == FIB_NONE)
            f->active = false;
    }
    const struct igw *ig;
    OWN_FOREACH(ig, sc, RES_IGW)
    {
        uint32_t i = fib_find(s, FIB_OBJ_IGW, ig->hdr.id);
        s->igws[i].vpc = fib_find(s, FIB_OBJ_VPC, ig->vpc_id);
        if (s->igws[i].vpc != FIB_NONE)
            s->vpcs[s->igws[i].vpc].igw = i;
    }
    const struct eigw *eg;
    OWN_FOREACH(eg, sc, RES_EIGW)
    {
        uint32_t i = fib_find(s, FIB_OBJ_EIGW, eg->hdr.id);
        s->eigws[i].vpc = fib_find(s, FIB_OBJ_VPC, eg->vpc_id);
        if (s->eigws[i].vpc != FIB_NONE)
            s->vpcs[s->eigws[i].vpc].eigw = i;
    }
}

/* Flow logs, and the transit gateways and attachments they watch. */
static void collect_flow_logs(struct fib_snapshot *s, const struct scope *sc)
{
    const struct flow_log *fl;
    OWN_FOREACH(fl, sc, RES_FLOW_LOG)
    {
        bool tgw = fl->resource_type == FLOW_LOG_RES_TGW;
        bool attach = fl->resource_type == FLOW_LOG_RES_TGW_ATTACH;
        s->flow_logs = xrealloc(s->flow_logs, (s->n_flow_logs + 1) * sizeof *s->flow_logs);
        uint32_t k = (uint32_t)s->n_flow_logs++;
        struct fib_flow_log *f = &s->flow_logs[k];
        memset(f, 0, sizeof *f);
        snprintf(f->id, sizeof f->id, "%s", fl->hdr.id);
        f->tgw = tgw || attach;
        snprintf(f->resource_type, sizeof f->resource_type, "%s",
                 flow_log_resource_name(fl->resource_type));
        f->traffic = fl->traffic;
        f->format = fl->format;
        flow_log_dest(fl, &f->dest);
        uint32_t i = fib_find(s, tgw ? FIB_OBJ_TGW : FIB_OBJ_TGW_ATTACH, fl->resource_id);
        if (tgw && i != FIB_NONE && s->tgws[i].n_flow_logs < FIB_TGW_FLOW_LOGS)
            s->tgws[i].flow_logs[s->tgws[i].n_flow_logs++] = k;
        if (attach && i != FIB_NONE && s->tgw_attaches[i].n_flow_logs < FIB_TGW_FLOW_LOGS)
            s->tgw_attaches[i].flow_logs[s->tgw_attaches[i].n_flow_logs++] = k;
    }
}

static void resolve_eni_flow_logs(struct fib_snapshot *s, const struct scope *sc,
                                  const struct eni *e, struct fib_eni *f)
{
    const struct flow_log *logs[FIB_ENI_FLOW_LOGS];
    size_t n = flow_logs_of_eni(sc, e, logs, FIB_ENI_FLOW_LOGS);
    for (size_t i = 0; i < n && i < FIB_ENI_FLOW_LOGS; i++)
        for (size_t k = 0; k < s->n_flow_logs; k++)
            if (strcmp(s->flow_logs[k].id, logs[i]->hdr.id) == 0)
                f->flow_logs[f->n_flow_logs++] = (uint32_t)k;
}

/* Groups first (rules name groups of other scopes), then ENIs, then what names ENIs. */
static void resolve_scope_late(struct build *b, const struct scope *sc)
{
    struct fib_snapshot *s = b->s;
    collect_flow_logs(s, sc);
    const struct eni *e;
    OWN_FOREACH(e, sc, RES_ENI)
    {
        struct fib_eni *f = &s->enis[fib_find(s, FIB_OBJ_ENI, e->hdr.id)];
        resolve_eni(b, e, f);
        f->key = hmap_hash_str(e->hdr.id);
        resolve_eni_flow_logs(s, sc, e, f);
    }
    const struct nat *n;
    OWN_FOREACH(n, sc, RES_NAT)
    {
        struct fib_nat *f = &s->nats[fib_find(s, FIB_OBJ_NAT, n->hdr.id)];
        f->subnet = fib_find(s, FIB_OBJ_SUBNET, n->subnet_id);
        f->vpc = fib_find(s, FIB_OBJ_VPC, n->vpc_id);
        /* A pending gateway becomes available at the next request unless it is set to fail;
         * routes to it are already active (nat_route_active), so it forwards. */
        bool usable = n->state == NAT_AVAILABLE || (n->state == NAT_PENDING && !n->failure_code[0]);
        f->eni = usable ? fib_find(s, FIB_OBJ_ENI, n->eni_id) : FIB_NONE;
        f->is_private = n->is_private;
        f->available = usable && f->eni != FIB_NONE;
        f->private_ip = n->private_ip;
        f->public_ip = n->is_private ? 0 : n->public_ip;
        if (f->eni != FIB_NONE) {
            s->enis[f->eni].kind = FIB_ENI_NAT;
            s->enis[f->eni].owner = (uint32_t)(f - s->nats);
            s->enis[f->eni].up = f->available;
        }
    }
}

static enum fib_obj target_type(enum route_target k)
{
    switch (k) {
    case RT_PCX:
        return FIB_OBJ_PCX;
    case RT_TGW:
        return FIB_OBJ_TGW;
    case RT_GATEWAY:
        return FIB_OBJ_IGW;
    case RT_EIGW:
        return FIB_OBJ_EIGW;
    case RT_NAT:
        return FIB_OBJ_NAT;
    case RT_ENI:
        return FIB_OBJ_ENI;
    case RT_INSTANCE:
        return FIB_OBJ_INSTANCE;
    default:
        return FIB_OBJ__COUNT;
    }
}

static void resolve_rtb_targets(const struct fib_snapshot *s, struct fib_rtb_ref *ref)
{
    ref->targets = xcalloc(ref->t->n_routes ? ref->t->n_routes : 1, sizeof *ref->targets);
    for (size_t k = 0; k < ref->t->n_routes; k++) {
        const struct fib_route *r = &ref->t->routes[k];
        enum fib_obj t = target_type(r->kind);
        ref->targets[k] = t == FIB_OBJ__COUNT ? FIB_NONE : fib_find(s, t, r->target);
    }
}

static void resolve_route_targets(struct fib_snapshot *s)
{
    for (size_t i = 0; i < s->n_rtbs; i++)
        resolve_rtb_targets(s, &s->rtbs[i]);
}

static void resolve_instances(struct build *b)
{
    struct fib_snapshot *s = b->s;
    for (size_t i = 0; i < s->n_refs; i++) {
        struct fib_ref *r = &s->refs_arr[i];
        if (r->type != FIB_OBJ_INSTANCE)
            continue;
        const struct instance *in = (const struct instance *)res_find_any(b->m, r->id);
        r->index = in ? fib_find(s, FIB_OBJ_ENI, in->eni_id) : FIB_NONE;
    }
}

struct fib_snapshot *fib_snapshot_build(const struct model *m)
{
    return fib_snapshot_build_from(m, NULL);
}

/* At most this many route tables owned by a route-only update (changed now or earlier since
 * the last full build): each is copied by the next update, so past it a full build is cheaper
 * and flattens the sharing again. */
#define ROUTES_ONLY_MAX_OWNED 64u

static bool owned_by(const struct fib_snapshot *s, uint32_t i)
{
    for (size_t k = 0; k < s->n_owned_rtbs; k++)
        if (s->owned_rtbs[k] == i)
            return true;
    return false;
}

/* The snapshot of m when nothing but routes of route tables changed since prev (no table made,
 * deleted or re-associated, nothing of any other type changed), or NULL when that does not
 * hold. Everything but rtbs[] is prev's (its base's) as it is: only those arrays' route
 * tables read routes. */
static struct fib_snapshot *routes_only_update(const struct model *m,
                                               const struct fib_snapshot *prev)
{
    if (!prev)
        return NULL;
    for (int t = 0; t < RES__COUNT; t++)
        if (t != RES_RTB && m->type_generation[t] != prev->type_generation[t])
            return NULL;
    uint32_t changed[ROUTES_ONLY_MAX_OWNED];
    const struct route_table *changed_rt[ROUTES_ONLY_MAX_OWNED];
    size_t n_changed = 0, n_rtbs = 0;
    for (size_t i = 0; i < m->scopes.n; i++) {
        const struct scope *sc = (const struct scope *)m->scopes.items[i];
        const struct route_table *rt;
        OWN_FOREACH(rt, sc, RES_RTB)
        {
            n_rtbs++;
            if (rt->hdr.version <= prev->generation)
                continue;
            uint32_t at = fib_find(prev, FIB_OBJ_RTB, rt->hdr.id);
            if (at == FIB_NONE || n_changed == ROUTES_ONLY_MAX_OWNED ||
                prev->rtbs[at].assoc_sig != rtb_assoc_sig(rt))
                return NULL;
            changed[n_changed] = at;
            changed_rt[n_changed++] = rt;
        }
    }
    if (n_rtbs != prev->n_rtbs)
        return NULL;
    size_t n_owned = n_changed;
    for (size_t k = 0; k < prev->n_owned_rtbs; k++) {
        bool again = false;
        for (size_t c = 0; c < n_changed; c++)
            again |= changed[c] == prev->owned_rtbs[k];
        n_owned += !again;
    }
    if (n_owned > ROUTES_ONLY_MAX_OWNED)
        return NULL;

    struct fib_snapshot *s = xmalloc(sizeof *s);
    *s = *prev;
    atomic_init(&s->refs, 1);
    s->generation = m->generation;
    memcpy(s->type_generation, m->type_generation, sizeof s->type_generation);
    s->base = fib_snapshot_ref(prev->base ? prev->base : (struct fib_snapshot *)prev);
    s->rtbs = xmalloc((prev->n_rtbs ? prev->n_rtbs : 1) * sizeof *s->rtbs);
    if (prev->n_rtbs)
        memcpy(s->rtbs, prev->rtbs, prev->n_rtbs * sizeof *s->rtbs);
    s->owned_rtbs = xcalloc(ROUTES_ONLY_MAX_OWNED, sizeof *s->owned_rtbs);
    s->n_owned_rtbs = 0;
    s->n_compiled = s->n_reused = 0;
    struct build b = {.m = m, .s = s};
    for (size_t c = 0; c < n_changed; c++) {
        struct fib_rtb_ref *ref = &s->rtbs[changed[c]];
        const struct route_table *rt = changed_rt[c];
        ref->shared =
            table_for(&b, prev, FIB_OBJ_RTB, SHARED_RTB, &rt->hdr, rtb_stamp(m, rt), compile_rtb);
        ref->t = &ref->shared->u.rtb;
        resolve_rtb_targets(s, ref);
        s->owned_rtbs[s->n_owned_rtbs++] = changed[c];
    }
    /* Tables an earlier update owned: this snapshot must not depend on prev, which may go. */
    for (size_t k = 0; k < prev->n_owned_rtbs; k++) {
        uint32_t at = prev->owned_rtbs[k];
        if (owned_by(s, at))
            continue;
        struct fib_rtb_ref *ref = &s->rtbs[at];
        size_t n = ref->t->n_routes ? ref->t->n_routes : 1;
        ref->targets = xmalloc(n * sizeof *ref->targets);
        memcpy(ref->targets, prev->rtbs[at].targets, n * sizeof *ref->targets);
        atomic_fetch_add(&ref->shared->refs, 1);
        s->owned_rtbs[s->n_owned_rtbs++] = at;
    }
    s->n_reused += s->n_rtbs - n_changed + s->n_acls + s->n_tgw_rtbs;
    return s;
}

struct fib_snapshot *fib_snapshot_build_from(const struct model *m, const struct fib_snapshot *prev)
{
    struct fib_snapshot *quick = routes_only_update(m, prev);
    if (quick)
        return quick;
    struct build b;
    memset(&b, 0, sizeof b);
    b.m = m;
    b.s = xcalloc(1, sizeof *b.s);
    atomic_init(&b.s->refs, 1);
    b.s->generation = m->generation;
    memcpy(b.s->type_generation, m->type_generation, sizeof b.s->type_generation);
    hmap_init(&b.subnet_rtb);
    for (size_t i = 0; i < m->scopes.n; i++)
        collect_scope(&b, (const struct scope *)m->scopes.items[i]);
    refs_index(b.s);
    for (size_t i = 0; i < m->scopes.n; i++)
        resolve_scope(&b, (const struct scope *)m->scopes.items[i]);
    for (size_t i = 0; i < m->scopes.n; i++) {
        const struct scope *sc = (const struct scope *)m->scopes.items[i];
        const struct security_group *g;
        OWN_FOREACH(g, sc, RES_SG)
        resolve_sg(&b, g, &b.s->sgs[fib_find(b.s, FIB_OBJ_SG, g->hdr.id)]);
    }
    for (size_t i = 0; i < m->scopes.n; i++)
        resolve_scope_late(&b, (const struct scope *)m->scopes.items[i]);
    for (size_t i = 0; i < m->scopes.n; i++) {
        const struct scope *sc = (const struct scope *)m->scopes.items[i];
        const struct tgw_attach *ta;
        OWN_FOREACH(ta, sc, RES_TGW_ATTACH)
        resolve_tgw_attach(&b, ta,
                           &b.s->tgw_attaches[fib_find(b.s, FIB_OBJ_TGW_ATTACH, ta->hdr.id)]);
        compile_tables(&b, sc, prev);
    }
    resolve_table_indices(b.s);
    resolve_instances(&b);
    resolve_route_targets(b.s);
    if (b.s->n_by_addr)
        qsort(b.s->by_addr, b.s->n_by_addr, sizeof *b.s->by_addr, addr_cmp);
    if (b.s->n_by_public)
        qsort(b.s->by_public, b.s->n_by_public, sizeof *b.s->by_public, addr_cmp);
    if (b.s->n_by_addr6)
        qsort(b.s->by_addr6, b.s->n_by_addr6, sizeof *b.s->by_addr6, addr6_cmp);
    hmap_destroy(&b.subnet_rtb);
    return b.s;
}

struct fib_snapshot *fib_snapshot_ref(struct fib_snapshot *s)
{
    if (s)
        atomic_fetch_add(&s->refs, 1);
    return s;
}

void fib_snapshot_unref(struct fib_snapshot *s)
{
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    if (s->base) {
        for (size_t k = 0; k < s->n_owned_rtbs; k++) {
            free(s->rtbs[s->owned_rtbs[k]].targets);
            shared_unref(s->rtbs[s->owned_rtbs[k]].shared);
        }
        free(s->rtbs);
        free(s->owned_rtbs);
        fib_snapshot_unref(s->base);
        free(s);
        return;
    }
    for (size_t i = 0; i < s->n_vpcs; i++) {
        free(s->vpcs[i].cidrs4);
        free(s->vpcs[i].cidrs6);
        lpm_free(s->vpcs[i].subnets4);
        lpm_free(s->vpcs[i].subnets6);
        free(s->vpcs[i].tgw_attaches);
    }
    for (size_t i = 0; i < s->n_subnets; i++)
        free(s->subnets[i].cidrs6);
    for (size_t i = 0; i < s->n_rtbs; i++) {
        free(s->rtbs[i].targets);
        shared_unref(s->rtbs[i].shared);
    }
    for (size_t i = 0; i < s->n_acls; i++)
        shared_unref(s->acls[i].shared);
    for (size_t i = 0; i < s->n_sgs; i++) {
        free(s->sgs[i].rules[0]);
        free(s->sgs[i].rules[1]);
    }
    for (size_t i = 0; i < s->n_enis; i++) {
        free(s->enis[i].ips4);
        free(s->enis[i].ips6);
        free(s->enis[i].sgs);
    }
    free(s->by_addr6);
    for (size_t i = 0; i < s->n_tgw_attaches; i++) {
        free(s->tgw_attaches[i].subnets);
        free(s->tgw_attaches[i].enis);
    }
    for (size_t i = 0; i < s->n_tgw_rtbs; i++) {
        free(s->tgw_rtbs[i].attach);
        shared_unref(s->tgw_rtbs[i].shared);
    }
    free(s->vpcs);
    free(s->subnets);
    free(s->rtbs);
    free(s->acls);
    free(s->sgs);
    free(s->enis);
    free(s->pcxs);
    free(s->tgws);
    free(s->tgw_attaches);
    free(s->tgw_rtbs);
    free(s->nats);
    free(s->igws);
    free(s->eigws);
    free(s->flow_logs);
    free(s->by_addr);
    free(s->by_public);
    hmap_destroy(&s->ids);
    free(s->refs_arr);
    free(s);
}

uint32_t fib_eni_by_addr(const struct fib_snapshot *s, uint32_t vpc, uint32_t addr)
{
    const struct fib_addr *a = addr_search(s->by_addr, s->n_by_addr, vpc, addr, false);
    return a ? a->eni : FIB_NONE;
}

uint32_t fib_eni_by_addr6(const struct fib_snapshot *s, uint32_t vpc, const uint8_t *addr)
{
    size_t lo = 0, hi = s->n_by_addr6;
    struct fib_addr6 key = {.vpc = vpc};
    memcpy(key.addr, addr, 16);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = addr6_cmp(&s->by_addr6[mid], &key);
        if (c == 0)
            return s->by_addr6[mid].eni;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return FIB_NONE;
}

uint32_t fib_eni_at(const struct fib_snapshot *s, uint32_t vpc, int family, const uint8_t *addr)
{
    if (family == 6)
        return fib_eni_by_addr6(s, vpc, addr);
    uint32_t a4;
    memcpy(&a4, addr, 4);
    return fib_eni_by_addr(s, vpc, ntohl(a4));
}

uint32_t fib_public_of(const struct fib_snapshot *s, uint32_t eni, uint32_t addr)
{
    const struct fib_eni *e = &s->enis[eni];
    if (e->vpc == FIB_NONE)
        return 0;
    const struct fib_addr *a = addr_search(s->by_addr, s->n_by_addr, e->vpc, addr, false);
    return a && a->eni == eni ? a->public_ip : 0;
}

uint32_t fib_eni_by_public(const struct fib_snapshot *s, uint32_t public_ip, uint32_t *private_ip)
{
    const struct fib_addr *a = addr_search(s->by_public, s->n_by_public, public_ip, 0, true);
    if (!a)
        return FIB_NONE;
    if (private_ip)
        *private_ip = a->addr;
    return a->eni;
}

static bool bytes_in_prefix(const uint8_t *net, uint8_t len, const uint8_t *addr)
{
    unsigned full = len / 8, rest = len % 8;
    if (memcmp(net, addr, full) != 0)
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xff00u >> rest);
    return (net[full] & mask) == (addr[full] & mask);
}

uint32_t fib_subnet_for_addr(const struct fib_snapshot *s, uint32_t vpc, int family,
                             const uint8_t *addr)
{
    if (vpc >= s->n_vpcs)
        return FIB_NONE;
    uint32_t si;
    const struct fib_vpc *v = &s->vpcs[vpc];
    return lpm_lookup(family == 4 ? v->subnets4 : v->subnets6, addr, &si, NULL) ? si : FIB_NONE;
}

bool fib_vpc_has_addr(const struct fib_snapshot *s, uint32_t vpc, int family, const uint8_t *addr)
{
    const struct fib_vpc *v = &s->vpcs[vpc];
    if (family == 4) {
        uint32_t a4;
        memcpy(&a4, addr, 4);
        a4 = ntohl(a4);
        for (size_t i = 0; i < v->n_cidrs4; i++)
            if (prefix4_has_addr(&v->cidrs4[i], a4))
                return true;
        return false;
    }
    for (size_t i = 0; i < v->n_cidrs6; i++)
        if (bytes_in_prefix(v->cidrs6[i].addr, v->cidrs6[i].len, addr))
            return true;
    return false;
}

bool fib_eni_has_addr(const struct fib_eni *e, int family, const uint8_t *addr)
{
    if (family == 6) {
        for (size_t i = 0; i < e->n_ips6; i++)
            if (memcmp(e->ips6[i], addr, 16) == 0)
                return true;
        return false;
    }
    if (family != 4)
        return false;
    uint32_t a4;
    memcpy(&a4, addr, 4);
    a4 = ntohl(a4);
    for (size_t i = 0; i < e->n_ips4; i++)
        if (e->ips4[i] == a4)
            return true;
    return false;
}

/* ---- printable form ---- */

static const char *id_or_none(const char *id)
{
    return id && *id ? id : "-";
}

static void print_flow_prefix(struct strbuf *out, int family, const uint8_t *net, uint8_t len)
{
    char buf[IP6_STRLEN];
    if (family == 4) {
        uint32_t a;
        memcpy(&a, net, 4);
        ip4_format(ntohl(a), buf);
    } else {
        ip6_format(net, buf);
    }
    strbuf_printf(out, "%s/%u", buf, len);
}

static const char *target_id(const struct fib_snapshot *s, enum route_target kind, uint32_t i)
{
    if (i == FIB_NONE)
        return "-";
    switch (target_type(kind)) {
    case FIB_OBJ_PCX:
        return s->pcxs[i].id;
    case FIB_OBJ_TGW:
        return s->tgws[i].id;
    case FIB_OBJ_IGW:
        return s->igws[i].id;
    case FIB_OBJ_EIGW:
        return s->eigws[i].id;
    case FIB_OBJ_NAT:
        return s->nats[i].id;
    case FIB_OBJ_ENI:
    case FIB_OBJ_INSTANCE:
        return s->enis[i].id;
    default:
        return "-";
    }
}

void fib_snapshot_print(const struct fib_snapshot *s, struct strbuf *out)
{
    char a[IP4_STRLEN], pfx[PREFIX6_STRLEN];
    for (size_t i = 0; i < s->n_vpcs; i++) {
        const struct fib_vpc *v = &s->vpcs[i];
        strbuf_printf(out, "vpc %s %s/%s igw %s eigw %s", v->id, v->account, v->region,
                      v->igw == FIB_NONE ? "-" : s->igws[v->igw].id,
                      v->eigw == FIB_NONE ? "-" : s->eigws[v->eigw].id);
        for (size_t k = 0; k < v->n_cidrs4; k++) {
            prefix4_format(&v->cidrs4[k], pfx);
            strbuf_printf(out, " %s", pfx);
        }
        strbuf_puts(out, "\n");
    }
    for (size_t i = 0; i < s->n_subnets; i++) {
        const struct fib_subnet *sn = &s->subnets[i];
        prefix4_format(&sn->cidr, pfx);
        strbuf_printf(out, "subnet %s %s %s rtb %s acl %s\n", sn->id, sn->az, pfx,
                      sn->rtb == FIB_NONE ? "-" : s->rtbs[sn->rtb].t->id,
                      sn->acl == FIB_NONE ? "-" : s->acls[sn->acl].t->id);
    }
    for (size_t i = 0; i < s->n_rtbs; i++) {
        const struct fib_rtb_ref *r = &s->rtbs[i];
        strbuf_printf(out, "rtb %s\n", r->t->id);
        for (size_t k = 0; k < r->t->n_routes; k++) {
            const struct fib_route *fr = &r->t->routes[k];
            uint32_t held;
            const struct lpm *lpm = fr->family == 4 ? r->t->lpm4 : r->t->lpm6;
            bool selected = lpm_get(lpm, fr->dst, fr->len, &held) && held == k;
            strbuf_printf(out, "  %s %s -> %s [%s]%s%s\n", selected ? "*" : " ", fr->dst_text,
                          fr->target, target_id(s, fr->kind, r->targets[k]),
                          fr->blackhole ? " blackhole" : "", fr->pl_id[0] ? " pl" : "");
        }
    }
    for (size_t i = 0; i < s->n_acls; i++) {
        const struct fib_acl *acl = s->acls[i].t;
        strbuf_printf(out, "acl %s\n", acl->id);
        for (int d = 0; d < 2; d++)
            for (size_t k = 0; k < acl->n_rules[d]; k++) {
                const struct fib_acl_rule *ru = &acl->rules[d][k];
                strbuf_printf(out, "  %s %d %s proto %d ", d ? "egress" : "ingress",
                              ru->rule_number, ru->allow ? "allow" : "deny", ru->protocol);
                print_flow_prefix(out, ru->family, ru->net, ru->len);
                strbuf_printf(out, " ports %d-%d icmp %d/%d\n", ru->has_ports ? ru->port_from : -1,
                              ru->has_ports ? ru->port_to : -1, ru->icmp_type, ru->icmp_code);
            }
    }
    for (size_t i = 0; i < s->n_sgs; i++) {
        const struct fib_sg *g = &s->sgs[i];
        strbuf_printf(out, "sg %s vpc %s\n", g->id, g->vpc == FIB_NONE ? "-" : s->vpcs[g->vpc].id);
        for (int d = 0; d < 2; d++)
            for (size_t k = 0; k < g->n_rules[d]; k++) {
                const struct fib_sg_rule *ru = &g->rules[d][k];
                strbuf_printf(out, "  %s %s proto %d ports %d-%d ", d ? "egress" : "ingress",
                              ru->id, ru->proto, ru->from_port, ru->to_port);
                if (ru->peer == FIB_SG_PEER_CIDR)
                    print_flow_prefix(out, ru->family, ru->net, ru->len);
                else
                    strbuf_printf(out, "group %s",
                                  ru->group == FIB_NONE ? "stale" : s->sgs[ru->group].id);
                strbuf_puts(out, "\n");
            }
    }
    for (size_t i = 0; i < s->n_enis; i++) {
        const struct fib_eni *e = &s->enis[i];
        strbuf_printf(out, "eni %s kind %d up %d sdc %d subnet %s instance %s", e->id, e->kind,
                      e->up, e->source_dest_check,
                      e->subnet == FIB_NONE ? "-" : s->subnets[e->subnet].id,
                      id_or_none(e->instance_id));
        for (size_t k = 0; k < e->n_ips4; k++) {
            ip4_format(e->ips4[k], a);
            strbuf_printf(out, " %s", a);
            uint32_t pub = fib_public_of(s, (uint32_t)i, e->ips4[k]);
            if (pub) {
                ip4_format(pub, a);
                strbuf_printf(out, "=%s", a);
            }
        }
        for (size_t k = 0; k < e->n_ips6; k++) {
            char a6[IP6_STRLEN];
            ip6_format(e->ips6[k], a6);
            strbuf_printf(out, " %s", a6);
        }
        for (size_t k = 0; k < e->n_sgs; k++)
            strbuf_printf(out, " %s", s->sgs[e->sgs[k]].id);
        strbuf_puts(out, "\n");
    }
    for (size_t i = 0; i < s->n_pcxs; i++) {
        const struct fib_pcx *p = &s->pcxs[i];
        strbuf_printf(out, "pcx %s active %d %s %s\n", p->id, p->active,
                      p->vpc[0] == FIB_NONE ? "-" : s->vpcs[p->vpc[0]].id,
                      p->vpc[1] == FIB_NONE ? "-" : s->vpcs[p->vpc[1]].id);
    }
    for (size_t i = 0; i < s->n_tgw_attaches; i++) {
        const struct fib_tgw_attach *t = &s->tgw_attaches[i];
        strbuf_printf(out, "tgw-attach %s tgw %s rtb %s available %d appliance %d", t->id,
                      t->tgw == FIB_NONE ? "-" : s->tgws[t->tgw].id,
                      t->rtb == FIB_NONE ? "-" : s->tgw_rtbs[t->rtb].t->id, t->available,
                      t->appliance_mode);
        for (size_t k = 0; k < t->n_subnets; k++)
            strbuf_printf(out, " %s/%s", s->subnets[t->subnets[k]].id, s->enis[t->enis[k]].id);
        if (t->peer != FIB_NONE)
            strbuf_printf(out, " peer %s", s->tgw_attaches[t->peer].id);
        strbuf_puts(out, "\n");
    }
    for (size_t i = 0; i < s->n_tgw_rtbs; i++) {
        const struct fib_tgw_rtb_ref *r = &s->tgw_rtbs[i];
        strbuf_printf(out, "tgw-rtb %s\n", r->t->id);
        for (size_t k = 0; k < r->t->n_routes; k++) {
            const struct fib_tgw_route *tr = &r->t->routes[k];
            strbuf_printf(out, "  %s -> %s [%s] %s%s\n", tr->dst_text, id_or_none(tr->attach_id),
                          r->attach[k] == FIB_NONE ? "-" : s->tgw_attaches[r->attach[k]].id,
                          tr->propagated ? "propagated" : "static",
                          tr->blackhole ? " blackhole" : "");
        }
    }
    for (size_t i = 0; i < s->n_nats; i++) {
        const struct fib_nat *n = &s->nats[i];
        ip4_format(n->private_ip, a);
        strbuf_printf(out, "nat %s available %d private %d %s\n", n->id, n->available,
                      n->is_private, a);
    }
}
