/* Property test: on random small topologies the pipeline's verdict equals a separately written,
 * deliberately naive reference evaluator (naive_eval.c, which reads only the model) on
 * thousands of random 5-tuples.
 *
 * Each seed builds one account with one or two regions through the pure model API: 1-4 VPCs
 * with random /16-/24 blocks (sometimes overlapping, sometimes with a secondary block), 1-4
 * subnets each in random zones, the default VPC now and then; custom route tables with sensible
 * routes (internet gateway, NAT egress, peers, TGWs) plus random ones (NAT gateways, interfaces,
 * instances, whole-subnet middlebox routes, prefix lists); peerings, same- and inter-region,
 * accepted or left pending; transit gateways with VPC attachments (appliance mode on some) and
 * an inter-region TGW peering, extra route tables, associations, propagations, static and
 * blackhole routes; random NACL entries and SG rules (CIDRs, prefix lists, the VPC's own
 * groups); instances with random groups, second interfaces, Elastic IPs, source/destination
 * check off; then some targets go away (NAT deleted, peering deleted, attachment deleted,
 * gateway detached, instance stopped or terminated) so routes naming them read blackhole.
 *
 * Packets: from random interfaces (own or spoofed source) to interface addresses, addresses
 * inside VPCs and public addresses; from the internet to Elastic IPs and unmapped addresses;
 * the same packet again with every SG lookup answering "tracked"; and the reply of every packet
 * delivered untranslated, with every SG lookup answering "tracked" (struct pipeline_hooks), so
 * SG rules are skipped on both ends and only NACLs and routes judge it.
 *
 * On a disagreement the seed, the packet, both answers and the pipeline's trace are printed.
 * By hand: PROPERTY_SEED=n runs only seed n, PROPERTY_DUMP=1 prints its topology,
 * PROPERTY_SEEDS=n runs seeds 1..n, PROPERTY_LENIENT=1 lets NAT gateway and TGW interfaces
 * route packets for their own subnet (the pipeline's behaviour today, see naive_eval.c). */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "fib/snapshot.h"
#include "model/resources.h"
#include "pipeline/pipeline.h"

#include "naive_eval.c"

#define ACCOUNT "000000000000"
#define N_SEEDS 1500
#define FLOWS_PER_SEED 50
#define MAX_VPCS 6
#define MAX_REPORTS 20

static const char *const region_of[2] = {"us-east-1", "us-west-2"};

/* ---- randomness (xorshift, reproducible per seed) ---- */

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
    return n ? rnd() % n : 0;
}

static bool chance(unsigned pct)
{
    return below(100) < pct;
}

/* ---- the random topology ---- */

struct gen {
    struct model *m;
    struct scope *sc[2];
    size_t n_sc;
    char vpc[MAX_VPCS][ID_MAX];
    size_t n_vpcs;
    int sg_counter;
};

static struct vpc *gvpc(const struct gen *g, size_t i)
{
    return (struct vpc *)res_find_any(g->m, g->vpc[i]);
}

static struct scope *gscope(const struct gen *g, size_t i)
{
    return gvpc(g, i)->hdr.scope;
}

static bool overlaps_any(const struct gen *g, const struct prefix4 *p)
{
    for (size_t i = 0; i < g->n_sc; i++) {
        const struct vpc *v;
        SCOPE_FOREACH(v, g->sc[i], RES_VPC)
        {
            for (size_t k = 0; k < v->n_cidrs; k++)
                if (prefix4_overlaps(&v->cidrs[k].cidr, p))
                    return true;
        }
    }
    return false;
}

/* /16-/24 from the private ranges and the shared address space (RFC 6598, which an internet
 * gateway refuses as a destination); sometimes on top of an existing VPC. */
static struct prefix4 random_vpc_cidr(const struct gen *g)
{
    for (int attempt = 0; attempt < 40; attempt++) {
        unsigned len = 16 + below(9);
        uint32_t base;
        if (g->n_vpcs && chance(15)) {
            const struct vpc *o = gvpc(g, below((uint32_t)g->n_vpcs));
            base =
                o->cidrs[0].cidr.addr | (rnd() & ~prefix4_mask(o->cidrs[0].cidr.len) & 0xffffff00u);
            return prefix4_make(base, (uint8_t)len); /* overlapping on purpose */
        }
        switch (below(4)) {
        case 0:
            base = 0x0a000000u | (below(256) << 16) | (below(256) << 8);
            break;
        case 1:
            base = 0xac100000u | (below(16) << 16) | (below(256) << 8);
            break;
        case 2:
            base = 0xc0a80000u | (below(256) << 8);
            break;
        default:
            base = 0x64400000u | (below(64) << 16) | (below(256) << 8);
            break;
        }
        struct prefix4 p = prefix4_make(base, (uint8_t)len);
        if (!overlaps_any(g, &p))
            return p;
    }
    return prefix4_make(0x0a000000u | (below(256) << 16), 16);
}

static size_t vpc_subnets(const struct gen *g, size_t vi, struct subnet **out, size_t max)
{
    size_t n = 0;
    struct subnet *sn;
    SCOPE_FOREACH(sn, gscope(g, vi), RES_SUBNET)
    {
        if (strcmp(sn->vpc_id, g->vpc[vi]) == 0 && n < max)
            out[n++] = sn;
    }
    return n;
}

static size_t vpc_groups(const struct gen *g, size_t vi, struct security_group **out, size_t max)
{
    size_t n = 0;
    struct security_group *sg;
    SCOPE_FOREACH(sg, gscope(g, vi), RES_SG)
    {
        if (strcmp(sg->vpc_id, g->vpc[vi]) == 0 && n < max)
            out[n++] = sg;
    }
    return n;
}

/* User interfaces of instances (never the NAT or TGW ones). */
static size_t vpc_instance_enis(const struct gen *g, size_t vi, struct eni **out, size_t max)
{
    size_t n = 0;
    struct eni *e;
    SCOPE_FOREACH(e, gscope(g, vi), RES_ENI)
    {
        if (strcmp(e->vpc_id, g->vpc[vi]) == 0 && !e->requester_managed && n < max)
            out[n++] = e;
    }
    return n;
}

static const char *vpc_igw(const struct gen *g, size_t vi)
{
    const struct igw *gw;
    SCOPE_FOREACH(gw, gscope(g, vi), RES_IGW)
    {
        if (strcmp(gw->vpc_id, g->vpc[vi]) == 0)
            return gw->hdr.id;
    }
    return NULL;
}

/* A random address near something of the topology, as a prefix of random length. */
static struct prefix4 random_prefix_near(const struct gen *g, unsigned min_len, unsigned max_len)
{
    uint32_t a;
    unsigned pick = below(10);
    if (pick < 6 && g->n_vpcs) {
        const struct vpc *v = gvpc(g, below((uint32_t)g->n_vpcs));
        const struct prefix4 *c = &v->cidrs[0].cidr;
        a = c->addr | (rnd() & ~prefix4_mask(c->len));
    } else if (pick < 8) {
        a = 0xc6336400u | below(256); /* 198.51.100.0/24 */
    } else {
        a = rnd();
    }
    return prefix4_make(a, (uint8_t)(min_len + below(max_len - min_len + 1)));
}

static void add_subnets(struct gen *g, size_t vi)
{
    struct vpc *v = gvpc(g, vi);
    struct merr err = {0};
    const struct prefix4 *vc = &v->cidrs[0].cidr;
    unsigned n = 1 + below(4);
    for (unsigned k = 0; k < n; k++) {
        unsigned len = vc->len + 1 + below(3);
        if (len > 28)
            len = 28;
        uint32_t slots = 1u << (len - vc->len);
        struct prefix4 p = prefix4_make(vc->addr + (below(slots) << (32 - len)), (uint8_t)len);
        char cidr[PREFIX4_STRLEN], az[40];
        prefix4_format(&p, cidr);
        region_zone_name(v->hdr.scope->region, (int)below(3), az);
        struct subnet_create_args sa = {.vpc_id = v->hdr.id, .cidr = cidr, .az = az};
        struct subnet *sn;
        subnet_create(g->m, v->hdr.scope, &sa, &sn, &err); /* overlaps are refused */
    }
}

/* A secondary block (refused when the range family does not allow it) with one subnet. */
static void add_secondary_cidr(struct gen *g, size_t vi)
{
    struct vpc *v = gvpc(g, vi);
    struct merr err = {0};
    struct prefix4 p = random_vpc_cidr(g);
    char cidr[PREFIX4_STRLEN];
    prefix4_format(&p, cidr);
    const char *assoc;
    char vpc_id[ID_MAX];
    snprintf(vpc_id, sizeof vpc_id, "%s", v->hdr.id);
    if (vpc_associate_cidr(g->m, v->hdr.scope, vpc_id, cidr, false, &assoc, &err))
        return;
    struct prefix4 sp = prefix4_make(p.addr, (uint8_t)(p.len + 1 > 28 ? 28 : p.len + 1));
    char scidr[PREFIX4_STRLEN], az[40];
    prefix4_format(&sp, scidr);
    region_zone_name(v->hdr.scope->region, (int)below(3), az);
    struct subnet_create_args sa = {.vpc_id = vpc_id, .cidr = scidr, .az = az};
    struct subnet *sn;
    subnet_create(g->m, v->hdr.scope, &sa, &sn, &err);
}

/* A few managed prefix lists of the region (used by routes and SG rules). */
static void add_prefix_lists(struct gen *g)
{
    struct merr err = {0};
    for (size_t si = 0; si < g->n_sc; si++) {
        unsigned n = below(3);
        for (unsigned k = 0; k < n; k++) {
            struct pl_entry entries[4];
            size_t ne = 1 + below(4);
            for (size_t i = 0; i < ne; i++) {
                memset(&entries[i], 0, sizeof entries[i]);
                struct prefix4 p = chance(30) && g->n_vpcs
                                       ? gvpc(g, below((uint32_t)g->n_vpcs))->cidrs[0].cidr
                                       : random_prefix_near(g, 8, 28);
                prefix4_format(&p, entries[i].cidr);
            }
            char name[32];
            snprintf(name, sizeof name, "pl%u", k);
            struct prefix_list *pl;
            pl_create(g->m, g->sc[si], name, "IPv4", 10, entries, ne, NULL, &pl, &err);
        }
    }
}

static const char *random_pl(const struct gen *g, const struct scope *s)
{
    (void)g;
    const struct prefix_list *pl, *pick = NULL;
    SCOPE_FOREACH(pl, s, RES_PL)
    {
        if (!pick || chance(50))
            pick = pl;
    }
    return pick ? pick->hdr.id : NULL;
}

static void random_sg_spec(struct gen *g, size_t vi, struct sg_rule_spec *sp)
{
    memset(sp, 0, sizeof *sp);
    static const char *const protos[] = {"tcp", "tcp", "tcp", "udp", "icmp", "-1"};
    snprintf(sp->protocol, sizeof sp->protocol, "%s", protos[below(6)]);
    sp->from_port = sp->to_port = SG_PORT_ABSENT;
    if (strcmp(sp->protocol, "tcp") == 0 || strcmp(sp->protocol, "udp") == 0) {
        static const int starts[] = {0, 22, 53, 80, 443, 1024, 3389, 8080};
        sp->from_port = chance(70) ? starts[below(8)] : (int)below(65536);
        int span = chance(40) ? 0 : chance(50) ? (int)below(2000) : 65535;
        sp->to_port = sp->from_port + span > 65535 ? 65535 : sp->from_port + span;
    } else if (strcmp(sp->protocol, "icmp") == 0) {
        static const int types[] = {-1, 0, 3, 8, 8, 11};
        sp->from_port = types[below(6)];
        sp->to_port = sp->from_port == -1 || chance(60) ? -1 : (int)below(2);
    }
    struct security_group *groups[8];
    size_t ng = vpc_groups(g, vi, groups, 8);
    if (ng && chance(25)) {
        sp->peer_kind = SG_PEER_GROUP;
        snprintf(sp->peer, sizeof sp->peer, "%s", groups[below((uint32_t)ng)]->hdr.id);
        return;
    }
    const char *pl = random_pl(g, gscope(g, vi));
    if (pl && chance(12)) {
        sp->peer_kind = SG_PEER_PL;
        snprintf(sp->peer, sizeof sp->peer, "%s", pl);
        return;
    }
    sp->peer_kind = SG_PEER_CIDR4;
    struct prefix4 p;
    unsigned pick = below(10);
    if (pick < 3) {
        p = prefix4_make(0, 0);
    } else if (pick < 5) {
        p = gvpc(g, below((uint32_t)g->n_vpcs))->cidrs[0].cidr;
    } else {
        p = random_prefix_near(g, 8, 32);
    }
    prefix4_format(&p, sp->peer);
}

static void add_groups(struct gen *g, size_t vi)
{
    struct vpc *v = gvpc(g, vi);
    struct scope *s = v->hdr.scope;
    struct merr err = {0};
    unsigned n = 1 + below(3);
    for (unsigned k = 0; k < n; k++) {
        char name[32];
        snprintf(name, sizeof name, "g%d", g->sg_counter++);
        struct security_group *sg;
        sg_create(g->m, s, v->hdr.id, name, "random", NULL, &sg, &err);
    }
    struct security_group *groups[8];
    size_t ng = vpc_groups(g, vi, groups, 8);
    char ids[1][ID_MAX];
    for (size_t k = 0; k < ng; k++) {
        char sg_id[ID_MAX];
        snprintf(sg_id, sizeof sg_id, "%s", groups[k]->hdr.id);
        if (chance(30)) { /* drop the allow-all egress rule */
            struct sg_rule_spec all = {.protocol = "-1",
                                       .from_port = SG_PORT_ABSENT,
                                       .to_port = SG_PORT_ABSENT,
                                       .peer_kind = SG_PEER_CIDR4,
                                       .peer = "0.0.0.0/0"};
            sg_revoke(g->m, s, sg_id, true, &all, 1, NULL, 0, &err);
        }
        if (chance(45)) { /* open to the private ranges, so packets reach deep hops */
            static const char *const open[] = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                                               "100.64.0.0/10"};
            for (int r = 0; r < 4; r++) {
                struct sg_rule_spec sp = {.protocol = "-1",
                                          .from_port = SG_PORT_ABSENT,
                                          .to_port = SG_PORT_ABSENT,
                                          .peer_kind = SG_PEER_CIDR4};
                snprintf(sp.peer, sizeof sp.peer, "%s", open[r]);
                sg_authorize(g->m, s, sg_id, false, &sp, 1, ids, &err);
            }
        }
        unsigned n_in = below(5), n_out = below(3);
        for (unsigned r = 0; r < n_in + n_out; r++) {
            struct sg_rule_spec sp;
            random_sg_spec(g, vi, &sp);
            sg_authorize(g->m, s, sg_id, r >= n_in, &sp, 1, ids, &err); /* duplicates refused */
        }
    }
}

static struct nacl_entry random_nacl_entry(struct gen *g)
{
    struct nacl_entry e;
    memset(&e, 0, sizeof e);
    e.rule_number = 1 + (int)below(200);
    e.egress = chance(50);
    e.allow = chance(65);
    static const int protos[] = {-1, -1, 6, 6, 17, 1};
    e.protocol = protos[below(6)];
    e.cidr4 = chance(40) ? prefix4_make(0, 0) : random_prefix_near(g, 8, 28);
    if (e.protocol == 6 || e.protocol == 17) {
        e.has_ports = true;
        if (chance(30)) {
            e.port_from = 1024;
            e.port_to = 65535;
        } else {
            e.port_from = (int)below(2000);
            e.port_to = e.port_from + (int)below(3000);
        }
    } else if (e.protocol == 1) {
        e.has_icmp = true;
        static const int types[] = {-1, -1, 0, 3, 8};
        e.icmp_type = types[below(5)];
        e.icmp_code = chance(70) ? -1 : (int)below(2);
    }
    return e;
}

static const char *nacl_assoc_of(struct scope *s, const char *subnet_id)
{
    const struct network_acl *a;
    SCOPE_FOREACH(a, s, RES_NACL)
    {
        for (size_t i = 0; i < a->n_assocs; i++)
            if (strcmp(a->assocs[i].subnet_id, subnet_id) == 0)
                return a->assocs[i].id;
    }
    return NULL;
}

static void add_nacls(struct gen *g, size_t vi)
{
    struct vpc *v = gvpc(g, vi);
    struct scope *s = v->hdr.scope;
    struct merr err = {0};
    char def[ID_MAX];
    snprintf(def, sizeof def, "%s", v->default_acl_id);
    /* The default NACL (allow all at 100) gets lower-numbered rules, sometimes loses 100. */
    if (chance(45)) {
        unsigned n = 1 + below(4);
        for (unsigned k = 0; k < n; k++) {
            struct nacl_entry e = random_nacl_entry(g);
            e.rule_number = 1 + (int)below(99);
            nacl_entry_put(g->m, s, def, &e, false, &err);
        }
    }
    if (chance(10))
        nacl_entry_delete(g->m, s, def, 100, chance(50), &err);
    struct subnet *subnets[8];
    size_t ns = vpc_subnets(g, vi, subnets, 8);
    unsigned n_custom = below(3);
    for (unsigned k = 0; k < n_custom; k++) {
        struct network_acl *a;
        if (nacl_create(g->m, s, v->hdr.id, false, NULL, &a, &err))
            continue;
        char acl[ID_MAX];
        snprintf(acl, sizeof acl, "%s", a->hdr.id);
        unsigned n = below(9);
        for (unsigned r = 0; r < n; r++) {
            struct nacl_entry e = random_nacl_entry(g);
            nacl_entry_put(g->m, s, acl, &e, false, &err);
        }
        if (chance(60)) { /* mostly open, so packets get past it to the later hops */
            struct nacl_entry e = {.rule_number = 300, .protocol = -1, .allow = true};
            e.egress = false;
            nacl_entry_put(g->m, s, acl, &e, false, &err);
            e.egress = true;
            nacl_entry_put(g->m, s, acl, &e, false, &err);
        }
        for (size_t i = 0; i < ns; i++) {
            if (!chance(40))
                continue;
            const char *as = nacl_assoc_of(s, subnets[i]->hdr.id);
            const char *nid;
            if (as)
                nacl_replace_association(g->m, s, as, acl, &nid, &err);
        }
    }
}

static void add_instances(struct gen *g, size_t vi, unsigned *budget)
{
    struct vpc *v = gvpc(g, vi);
    struct scope *s = v->hdr.scope;
    struct merr err = {0};
    struct subnet *subnets[8];
    size_t ns = vpc_subnets(g, vi, subnets, 8);
    for (size_t i = 0; i < ns; i++) {
        unsigned n = below(4);
        for (unsigned k = 0; k < n && *budget; k++) {
            struct security_group *groups[8];
            size_t ng = vpc_groups(g, vi, groups, 8);
            const char *ids[2];
            size_t n_ids = 1 + below(2);
            for (size_t j = 0; j < n_ids; j++)
                ids[j] = groups[below((uint32_t)ng)]->hdr.id;
            if (n_ids == 2 && strcmp(ids[0], ids[1]) == 0)
                n_ids = 1;
            struct inst_run_args ra = {.image_id = "ami-0123456789abcdef0",
                                       .subnet_id = subnets[i]->hdr.id,
                                       .group_ids = ids,
                                       .n_group_ids = n_ids,
                                       .min_count = 1,
                                       .max_count = 1};
            struct instance **list;
            size_t n_out;
            if (instance_run(g->m, s, &ra, &list, &n_out, &err))
                continue;
            (*budget)--;
            char eni_id[ID_MAX];
            snprintf(eni_id, sizeof eni_id, "%s", list[0]->eni_id);
            free(list);
            if (chance(20)) {
                struct eni_modify_args ma = {.has_sdc = true, .sdc = false};
                eni_modify(g->m, s, eni_id, &ma, &err);
            }
            if (chance(15)) { /* a second interface, in a subnet of the same zone */
                const char *inst = NULL;
                const struct eni *pe = eni_find(g->m, s, eni_id);
                if (pe)
                    inst = pe->att.instance_id;
                const struct subnet *other = NULL;
                for (size_t j = 0; j < ns; j++)
                    if (strcmp(subnets[j]->az, subnets[i]->az) == 0 && (!other || chance(50)))
                        other = subnets[j];
                struct security_group *gs[8];
                size_t ngs = vpc_groups(g, vi, gs, 8);
                const char *gid[1] = {gs[below((uint32_t)ngs)]->hdr.id};
                struct eni_create_args ea = {
                    .subnet_id = other->hdr.id, .group_ids = gid, .n_group_ids = 1};
                struct eni *e2;
                char inst_id[ID_MAX];
                snprintf(inst_id, sizeof inst_id, "%s", inst ? inst : "");
                if (eni_create(g->m, s, &ea, &e2, &err) == 0 && inst_id[0] && chance(80)) {
                    const char *att;
                    char e2_id[ID_MAX];
                    snprintf(e2_id, sizeof e2_id, "%s", e2->hdr.id);
                    eni_attach(g->m, s, e2_id, inst_id, 1, &att, &err);
                }
            }
            if (vpc_igw(g, vi) && chance(35)) {
                struct eip *e;
                if (eip_allocate(g->m, s, "vpc", NULL, &e, &err) == 0) {
                    char alloc[ID_MAX];
                    snprintf(alloc, sizeof alloc, "%s", e->hdr.id);
                    struct eip_assoc_args aa = {.allocation_id = alloc, .eni_id = eni_id};
                    eip_associate(g->m, s, &aa, &e, &err);
                }
            }
        }
    }
}

static void add_nat(struct gen *g, size_t vi)
{
    struct vpc *v = gvpc(g, vi);
    struct scope *s = v->hdr.scope;
    struct merr err = {0};
    struct subnet *subnets[8];
    size_t ns = vpc_subnets(g, vi, subnets, 8);
    if (!ns)
        return;
    struct nat_create_args na = {.subnet_id = subnets[below((uint32_t)ns)]->hdr.id};
    char alloc[ID_MAX];
    if (chance(35)) {
        na.connectivity = "private";
    } else {
        struct eip *e;
        if (eip_allocate(g->m, s, "vpc", NULL, &e, &err))
            return;
        snprintf(alloc, sizeof alloc, "%s", e->hdr.id);
        na.allocation_id = alloc;
    }
    struct nat *n;
    bool created;
    nat_create(g->m, s, &na, &n, &created, &err);
}

static void add_peerings(struct gen *g)
{
    struct merr err = {0};
    for (size_t i = 0; i < g->n_vpcs; i++)
        for (size_t j = i + 1; j < g->n_vpcs; j++) {
            if (!chance(35))
                continue;
            struct pcx_create_args pa = {
                .vpc_id = g->vpc[i], .peer_vpc_id = g->vpc[j], .peer_region = gscope(g, j)->region};
            struct pcx *p;
            if (pcx_create(g->m, gscope(g, i), &pa, &p, &err))
                continue;
            if (p->state == PCX_PENDING && chance(85)) {
                char id[ID_MAX];
                snprintf(id, sizeof id, "%s", p->hdr.id);
                pcx_accept(g->m, gscope(g, j), id, &p, &err);
            }
        }
}

/* Rules naming a group of a peer VPC (allowed for an active peering in one region): they match
 * over the peering, never through a TGW. */
static void add_peer_group_rules(struct gen *g)
{
    struct merr err = {0};
    char ids[1][ID_MAX];
    for (size_t i = 0; i < g->n_vpcs; i++)
        for (size_t j = 0; j < g->n_vpcs; j++) {
            if (i == j || gscope(g, i) != gscope(g, j) || !chance(50))
                continue;
            const struct pcx *p;
            bool peered = false;
            SCOPE_FOREACH(p, gscope(g, i), RES_PCX)
            {
                peered |= p->state == PCX_ACTIVE && ((strcmp(p->req.vpc_id, g->vpc[i]) == 0 &&
                                                      strcmp(p->acc.vpc_id, g->vpc[j]) == 0) ||
                                                     (strcmp(p->req.vpc_id, g->vpc[j]) == 0 &&
                                                      strcmp(p->acc.vpc_id, g->vpc[i]) == 0));
            }
            if (!peered)
                continue;
            struct security_group *mine[8], *theirs[8];
            size_t nm = vpc_groups(g, i, mine, 8), nt = vpc_groups(g, j, theirs, 8);
            struct sg_rule_spec sp = {.protocol = "-1",
                                      .from_port = SG_PORT_ABSENT,
                                      .to_port = SG_PORT_ABSENT,
                                      .peer_kind = SG_PEER_GROUP,
                                      .peer_owner = ACCOUNT};
            if (chance(40)) {
                snprintf(sp.protocol, sizeof sp.protocol, "tcp");
                sp.from_port = 0;
                sp.to_port = 1024;
            }
            snprintf(sp.peer, sizeof sp.peer, "%s", theirs[below((uint32_t)nt)]->hdr.id);
            char sg_id[ID_MAX];
            snprintf(sg_id, sizeof sg_id, "%s", mine[below((uint32_t)nm)]->hdr.id);
            sg_authorize(g->m, gscope(g, i), sg_id, chance(20), &sp, 1, ids, &err);
        }
}

static void add_tgws(struct gen *g)
{
    struct merr err = {0};
    char tgw[2][ID_MAX] = {"", ""};
    for (size_t si = 0; si < g->n_sc; si++) {
        if (!chance(g->n_sc == 2 ? 75 : 55))
            continue;
        struct tgw_opts o = {.auto_accept = -1,
                             .default_assoc = chance(75) ? -1 : 0,
                             .default_prop = chance(75) ? -1 : 0,
                             .vpn_ecmp = -1,
                             .dns = -1,
                             .multicast = -1,
                             .sg_ref = -1};
        struct tgw *t;
        if (tgw_create(g->m, g->sc[si], "random", &o, NULL, &t, &err))
            continue;
        snprintf(tgw[si], ID_MAX, "%s", t->hdr.id);
        for (size_t vi = 0; vi < g->n_vpcs; vi++) {
            if (gscope(g, vi) != g->sc[si] || !chance(75))
                continue;
            struct subnet *subnets[8];
            size_t ns = vpc_subnets(g, vi, subnets, 8);
            const char *pick[3];
            size_t n_pick = 0;
            for (int z = 0; z < 3; z++) {
                char az[40];
                region_zone_name(g->sc[si]->region, z, az);
                const char *cand[8];
                size_t nc = 0;
                for (size_t k = 0; k < ns; k++)
                    if (strcmp(subnets[k]->az, az) == 0)
                        cand[nc++] = subnets[k]->hdr.id;
                if (nc && chance(70))
                    pick[n_pick++] = cand[below((uint32_t)nc)];
            }
            if (!n_pick && ns)
                pick[n_pick++] = subnets[below((uint32_t)ns)]->hdr.id;
            if (!n_pick)
                continue;
            struct tgw_vpc_attach_args aa = {.tgw_id = tgw[si],
                                             .vpc_id = g->vpc[vi],
                                             .subnet_ids = pick,
                                             .n_subnets = n_pick,
                                             .dns_support = -1,
                                             .ipv6_support = -1,
                                             .appliance_mode = chance(30) ? 1 : 0,
                                             .sg_ref = -1};
            struct tgw_attach *a;
            tgw_vpc_attach_create(g->m, g->sc[si], &aa, &a, &err);
        }
        unsigned extra = below(3);
        for (unsigned k = 0; k < extra; k++) {
            struct tgw_rtb *rt;
            tgw_rtb_create(g->m, g->sc[si], tgw[si], NULL, &rt, &err);
        }
    }
    /* An inter-region TGW peering, accepted on the other side (most of the time). */
    if (g->n_sc == 2 && tgw[0][0] && tgw[1][0] && chance(70)) {
        struct tgw_attach *a;
        if (tgw_peering_create(g->m, g->sc[0], tgw[0], tgw[1], ACCOUNT, region_of[1], -1, NULL, &a,
                               &err) == 0 &&
            chance(85)) {
            char peer[ID_MAX];
            snprintf(peer, sizeof peer, "%s", a->peer_attach_id);
            tgw_attach_accept(g->m, g->sc[1], peer, TGW_ATTACH_PEERING, true, &a, &err);
        }
    }
    /* Associations, propagations and static routes in every TGW route table. */
    for (size_t si = 0; si < g->n_sc; si++) {
        if (!tgw[si][0])
            continue;
        struct scope *s = g->sc[si];
        char rtbs[4][ID_MAX], atts[8][ID_MAX];
        size_t n_rtbs = 0, n_atts = 0;
        const struct tgw_rtb *rt;
        SCOPE_FOREACH(rt, s, RES_TGW_RTB)
        {
            if (strcmp(rt->tgw_id, tgw[si]) == 0 && n_rtbs < 4)
                snprintf(rtbs[n_rtbs++], ID_MAX, "%s", rt->hdr.id);
        }
        const struct tgw_attach *a;
        SCOPE_FOREACH(a, s, RES_TGW_ATTACH)
        {
            if (strcmp(a->tgw_id, tgw[si]) == 0 && tgw_attach_live(a) && n_atts < 8)
                snprintf(atts[n_atts++], ID_MAX, "%s", a->hdr.id);
        }
        if (!n_rtbs)
            continue;
        for (size_t k = 0; k < n_atts; k++) {
            struct tgw_attach *out;
            const struct tgw_attach *at = (const struct tgw_attach *)res_find_any(g->m, atts[k]);
            if (at->assoc_rtb[0] && chance(30)) {
                char cur[ID_MAX];
                snprintf(cur, sizeof cur, "%s", at->assoc_rtb);
                tgw_rtb_associate(g->m, s, cur, atts[k], false, &out, &err);
            }
            at = (const struct tgw_attach *)res_find_any(g->m, atts[k]);
            if (!at->assoc_rtb[0] && chance(60))
                tgw_rtb_associate(g->m, s, rtbs[below((uint32_t)n_rtbs)], atts[k], true, &out,
                                  &err);
            for (size_t r = 0; r < n_rtbs; r++)
                if (at->kind == TGW_ATTACH_VPC && chance(30))
                    tgw_rtb_propagation(g->m, s, rtbs[r], atts[k], true, &out, &err);
        }
        /* Over a TGW peering: the other region's VPC blocks to the peering attachment. */
        for (size_t k = 0; k < n_atts; k++) {
            const struct tgw_attach *at = (const struct tgw_attach *)res_find_any(g->m, atts[k]);
            if (at->kind != TGW_ATTACH_PEERING)
                continue;
            for (size_t vi = 0; vi < g->n_vpcs; vi++) {
                if (gscope(g, vi) == s)
                    continue;
                for (size_t r = 0; r < n_rtbs; r++) {
                    if (!chance(60))
                        continue;
                    char cidr[PREFIX4_STRLEN];
                    prefix4_format(&gvpc(g, vi)->cidrs[0].cidr, cidr);
                    struct tgw_route_view view;
                    tgw_route_put(g->m, s, rtbs[r], cidr, atts[k], false, false, &view, &err);
                }
            }
        }
        for (size_t r = 0; r < n_rtbs; r++) {
            unsigned n = below(4);
            for (unsigned k = 0; k < n; k++) {
                struct prefix4 p = chance(25)   ? prefix4_make(0, 0)
                                   : chance(40) ? gvpc(g, below((uint32_t)g->n_vpcs))->cidrs[0].cidr
                                                : random_prefix_near(g, 8, 28);
                char cidr[PREFIX4_STRLEN];
                prefix4_format(&p, cidr);
                bool blackhole = !n_atts || chance(20);
                struct tgw_route_view view;
                tgw_route_put(g->m, s, rtbs[r], cidr,
                              blackhole ? NULL : atts[below((uint32_t)n_atts)], blackhole, false,
                              &view, &err);
            }
        }
    }
}

/* A random route target that vpc vi may use; *is_middlebox for NAT and interface targets. */
static bool random_target(struct gen *g, size_t vi, struct route_target_args *t, char *buf,
                          bool *middlebox)
{
    struct scope *s = gscope(g, vi);
    memset(t, 0, sizeof *t);
    *middlebox = false;
    for (int attempt = 0; attempt < 6; attempt++) {
        switch (below(6)) {
        case 0: {
            const char *igw = vpc_igw(g, vi);
            if (!igw)
                break;
            snprintf(buf, ID_MAX, "%s", igw);
            t->gateway_id = buf;
            return true;
        }
        case 1: {
            const struct nat *n, *pick = NULL;
            SCOPE_FOREACH(n, s, RES_NAT)
            {
                if (strcmp(n->vpc_id, g->vpc[vi]) == 0 &&
                    (n->state == NAT_PENDING || n->state == NAT_AVAILABLE))
                    pick = n;
            }
            if (!pick)
                break;
            snprintf(buf, ID_MAX, "%s", pick->hdr.id);
            t->nat_id = buf;
            *middlebox = true;
            return true;
        }
        case 2: {
            struct eni *enis[32];
            size_t n = vpc_instance_enis(g, vi, enis, 32);
            if (!n)
                break;
            const struct eni *e = enis[below((uint32_t)n)];
            if (chance(50)) {
                snprintf(buf, ID_MAX, "%s", e->hdr.id);
                t->eni_id = buf;
                *middlebox = true;
            } else {
                snprintf(buf, ID_MAX, "%s", e->att.instance_id);
                t->instance_id = buf;
            }
            return true;
        }
        case 3: {
            const struct pcx *p;
            const char *pick = NULL;
            SCOPE_FOREACH(p, s, RES_PCX)
            {
                if ((strcmp(p->req.vpc_id, g->vpc[vi]) == 0 ||
                     strcmp(p->acc.vpc_id, g->vpc[vi]) == 0) &&
                    (p->state == PCX_PENDING || p->state == PCX_ACTIVE) && chance(60))
                    pick = p->hdr.id;
            }
            if (!pick)
                break;
            snprintf(buf, ID_MAX, "%s", pick);
            t->pcx_id = buf;
            return true;
        }
        default: {
            const struct tgw_attach *a;
            const char *pick = NULL;
            SCOPE_FOREACH(a, s, RES_TGW_ATTACH)
            {
                if (a->kind == TGW_ATTACH_VPC && tgw_attach_live(a) &&
                    strcmp(a->vpc_id, g->vpc[vi]) == 0)
                    pick = a->tgw_id;
            }
            if (!pick)
                break;
            snprintf(buf, ID_MAX, "%s", pick);
            t->tgw_id = buf;
            return true;
        }
        }
    }
    return false;
}

static void try_route(struct gen *g, struct scope *s, const char *rtb, struct prefix4 p,
                      const struct route_target_args *t)
{
    struct merr err = {0};
    char cidr[PREFIX4_STRLEN];
    prefix4_format(&p, cidr);
    struct route_dest_args d = {.cidr = cidr};
    route_create(g->m, s, rtb, &d, t, &err); /* invalid or duplicate ones are refused */
}

/* Routes that make sense (internet, NAT egress, peers, TGWs), then random noise. */
static void add_routes(struct gen *g, size_t vi)
{
    struct vpc *v = gvpc(g, vi);
    struct scope *s = v->hdr.scope;
    struct merr err = {0};
    char tables[4][ID_MAX];
    size_t nt = 0;
    snprintf(tables[nt++], ID_MAX, "%s", v->main_rtb_id);
    unsigned n_custom = below(3);
    for (unsigned k = 0; k < n_custom; k++) {
        struct route_table *rt;
        if (rtb_create(g->m, s, v->hdr.id, NULL, &rt, &err) == 0)
            snprintf(tables[nt++], ID_MAX, "%s", rt->hdr.id);
    }
    struct subnet *subnets[8];
    size_t ns = vpc_subnets(g, vi, subnets, 8);
    for (size_t i = 0; i < ns && nt > 1; i++) {
        const char *assoc;
        if (chance(60))
            rtb_associate(g->m, s, tables[1 + below((uint32_t)(nt - 1))], subnets[i]->hdr.id, NULL,
                          &assoc, &err);
    }
    const char *igw = vpc_igw(g, vi);
    char igw_id[ID_MAX] = "", nat_id[ID_MAX] = "", nat_rtb[ID_MAX] = "";
    if (igw)
        snprintf(igw_id, sizeof igw_id, "%s", igw);
    const struct nat *n;
    SCOPE_FOREACH(n, s, RES_NAT)
    {
        if (strcmp(n->vpc_id, v->hdr.id) == 0 &&
            (n->state == NAT_PENDING || n->state == NAT_AVAILABLE)) {
            snprintf(nat_id, sizeof nat_id, "%s", n->hdr.id);
            const struct subnet *nsn = subnet_find(g->m, s, n->subnet_id);
            const struct route_table *nrt = nsn ? rtb_for_subnet(g->m, s, nsn) : NULL;
            if (nrt)
                snprintf(nat_rtb, sizeof nat_rtb, "%s", nrt->hdr.id);
        }
    }
    for (size_t k = 0; k < nt; k++) {
        bool serves_nat = strcmp(tables[k], nat_rtb) == 0;
        struct route_target_args t;
        /* The NAT gateway's table goes to the internet gateway; the others to the NAT. */
        if (nat_id[0] && !serves_nat && chance(60)) {
            memset(&t, 0, sizeof t);
            t.nat_id = nat_id;
            try_route(g, s, tables[k], prefix4_make(0, 0), &t);
        } else if (igw_id[0] && chance(serves_nat ? 85 : 50)) {
            memset(&t, 0, sizeof t);
            t.gateway_id = igw_id;
            try_route(g, s, tables[k], prefix4_make(0, 0), &t);
        }
        /* Peers: their blocks to the connection (a pending one reads blackhole). */
        const struct pcx *p;
        SCOPE_FOREACH(p, s, RES_PCX)
        {
            bool req = strcmp(p->req.vpc_id, v->hdr.id) == 0;
            if ((!req && strcmp(p->acc.vpc_id, v->hdr.id) != 0) ||
                (p->state != PCX_ACTIVE && p->state != PCX_PENDING) || !chance(75))
                continue;
            const struct vpc *peer =
                (const struct vpc *)res_find_any(g->m, req ? p->acc.vpc_id : p->req.vpc_id);
            if (!peer)
                continue;
            char pcx_id[ID_MAX];
            snprintf(pcx_id, sizeof pcx_id, "%s", p->hdr.id);
            memset(&t, 0, sizeof t);
            t.pcx_id = pcx_id;
            struct prefix4 dst = peer->cidrs[0].cidr;
            if (chance(25) && dst.len < 28) /* part of the peer only */
                dst = prefix4_make(dst.addr | (rnd() & ~prefix4_mask(dst.len)),
                                   (uint8_t)(dst.len + 1 + below(4)));
            try_route(g, s, tables[k], dst, &t);
        }
        /* TGWs the VPC is attached to: the other VPCs' blocks, or everything. */
        const struct tgw_attach *a;
        SCOPE_FOREACH(a, s, RES_TGW_ATTACH)
        {
            if (a->kind != TGW_ATTACH_VPC || !tgw_attach_live(a) ||
                strcmp(a->vpc_id, v->hdr.id) != 0)
                continue;
            char tgw_id[ID_MAX];
            snprintf(tgw_id, sizeof tgw_id, "%s", a->tgw_id);
            memset(&t, 0, sizeof t);
            t.tgw_id = tgw_id;
            if (chance(25))
                try_route(g, s, tables[k], prefix4_make(0, 0), &t);
            for (size_t o = 0; o < g->n_vpcs; o++)
                if (o != vi && chance(55))
                    try_route(g, s, tables[k], gvpc(g, o)->cidrs[0].cidr, &t);
        }
    }
    for (size_t k = 0; k < nt; k++) {
        unsigned nr = below(4);
        for (unsigned r = 0; r < nr; r++) {
            struct route_target_args t;
            char target[ID_MAX];
            bool middlebox;
            if (!random_target(g, vi, &t, target, &middlebox))
                break;
            struct prefix4 p;
            unsigned pick = below(10);
            if (middlebox && ns && chance(40))
                p = subnets[below((uint32_t)ns)]->cidr; /* a whole subnet to an appliance */
            else if (pick < 3)
                p = prefix4_make(0, 0);
            else if (pick < 6 && g->n_vpcs > 1)
                p = gvpc(g, below((uint32_t)g->n_vpcs))->cidrs[0].cidr;
            else
                p = random_prefix_near(g, 8, 28);
            const char *pl = random_pl(g, s);
            if (pl && !middlebox && chance(15)) {
                struct route_dest_args d = {.prefix_list_id = pl};
                route_create(g->m, s, tables[k], &d, &t, &err);
                continue;
            }
            try_route(g, s, tables[k], p, &t);
        }
    }
}

/* Targets going away after the routes exist, so those routes read blackhole. */
static void delete_some(struct gen *g)
{
    struct merr err = {0};
    for (size_t si = 0; si < g->n_sc; si++) {
        struct scope *s = g->sc[si];
        char ids[64][ID_MAX];
        size_t n = 0;
        const struct nat *nt;
        SCOPE_FOREACH(nt, s, RES_NAT)
        {
            if (n < 64 && chance(15))
                snprintf(ids[n++], ID_MAX, "%s", nt->hdr.id);
        }
        for (size_t i = 0; i < n; i++)
            nat_delete(g->m, s, ids[i], &err);
        n = 0;
        const struct pcx *p;
        SCOPE_FOREACH(p, s, RES_PCX)
        {
            if (n < 64 && p->hdr.scope == s && chance(10))
                snprintf(ids[n++], ID_MAX, "%s", p->hdr.id);
        }
        for (size_t i = 0; i < n; i++)
            pcx_delete(g->m, s, ids[i], &err);
        n = 0;
        const struct tgw_attach *a;
        SCOPE_FOREACH(a, s, RES_TGW_ATTACH)
        {
            if (n < 64 && a->hdr.scope == s && a->kind == TGW_ATTACH_VPC && tgw_attach_live(a) &&
                chance(10))
                snprintf(ids[n++], ID_MAX, "%s", a->hdr.id);
        }
        for (size_t i = 0; i < n; i++) {
            struct tgw_attach *out;
            tgw_attach_delete(g->m, s, ids[i], TGW_ATTACH_VPC, &out, &err);
        }
        for (size_t vi = 0; vi < g->n_vpcs; vi++) {
            const char *igw = vpc_igw(g, vi);
            if (gscope(g, vi) == s && igw && chance(10)) {
                char id[ID_MAX];
                snprintf(id, sizeof id, "%s", igw);
                igw_detach(g->m, s, id, g->vpc[vi], &err); /* refused while EIPs are mapped */
            }
        }
        char stop[64][ID_MAX], term[64][ID_MAX];
        size_t n_stop = 0, n_term = 0;
        const struct instance *in;
        SCOPE_FOREACH(in, s, RES_INSTANCE)
        {
            if (n_stop < 64 && chance(6))
                snprintf(stop[n_stop++], ID_MAX, "%s", in->hdr.id);
            else if (n_term < 64 && chance(6))
                snprintf(term[n_term++], ID_MAX, "%s", in->hdr.id);
        }
        struct inst_change *ch;
        for (size_t i = 0; i < n_stop; i++) {
            const char *one[1] = {stop[i]};
            if (instance_stop(g->m, s, one, 1, &ch, &err) == 0)
                free(ch);
        }
        for (size_t i = 0; i < n_term; i++) {
            const char *one[1] = {term[i]};
            if (instance_terminate(g->m, s, one, 1, &ch, &err) == 0)
                free(ch);
        }
    }
}

static void gen_build(struct gen *g)
{
    memset(g, 0, sizeof *g);
    struct model_config cfg;
    model_config_defaults(&cfg);
    cfg.eips_per_region = 64;
    g->m = model_new(&cfg);
    g->n_sc = chance(40) ? 2 : 1;
    for (size_t i = 0; i < g->n_sc; i++)
        g->sc[i] = model_scope(g->m, ACCOUNT, region_of[i]);
    struct merr err = {0};
    /* The default VPC of the first region takes part sometimes (172.31.0.0/16, three /20
     * subnets, an attached gateway and 0.0.0.0/0 to it in the main table). */
    if (chance(35)) {
        const struct vpc *v;
        SCOPE_FOREACH(v, g->sc[0], RES_VPC)
        {
            if (v->is_default)
                snprintf(g->vpc[g->n_vpcs++], ID_MAX, "%s", v->hdr.id);
        }
    }
    unsigned n_new = 1 + below(4);
    for (unsigned k = 0; k < n_new && g->n_vpcs < MAX_VPCS; k++) {
        struct scope *s = g->sc[g->n_sc == 2 && chance(40) ? 1 : 0];
        struct prefix4 p = random_vpc_cidr(g);
        char cidr[PREFIX4_STRLEN];
        prefix4_format(&p, cidr);
        struct vpc_create_args va = {.cidr = cidr};
        struct vpc *v;
        if (vpc_create(g->m, s, &va, &v, &err))
            continue;
        snprintf(g->vpc[g->n_vpcs++], ID_MAX, "%s", v->hdr.id);
        add_subnets(g, g->n_vpcs - 1);
        if (chance(25))
            add_secondary_cidr(g, g->n_vpcs - 1);
        if (chance(70)) {
            struct igw *gw;
            if (igw_create(g->m, s, NULL, &gw, &err) == 0) {
                char id[ID_MAX];
                snprintf(id, sizeof id, "%s", gw->hdr.id);
                igw_attach(g->m, s, id, v->hdr.id, &err);
            }
        }
    }
    add_prefix_lists(g);
    unsigned budget = 14;
    for (size_t vi = 0; vi < g->n_vpcs; vi++) {
        add_groups(g, vi);
        add_nacls(g, vi);
        add_instances(g, vi, &budget);
        if (chance(45))
            add_nat(g, vi);
    }
    add_peerings(g);
    add_peer_group_rules(g);
    add_tgws(g);
    for (size_t vi = 0; vi < g->n_vpcs; vi++)
        add_routes(g, vi);
    delete_some(g);
    for (size_t i = 0; i < g->n_sc; i++) {
        instance_settle(g->m, g->sc[i]);
        nat_settle(g->m, g->sc[i]);
    }
}

/* ---- PROPERTY_DUMP: the topology of one seed, to reproduce a disagreement by hand ---- */

static void dump_topology(const struct model *m)
{
    char a[ID_MAX + PREFIX4_STRLEN], b[IP4_STRLEN];
    for (size_t si = 0; si < m->scopes.n; si++) {
        const struct scope *s = (const struct scope *)m->scopes.items[si];
        printf("== %s\n", s->hdr.id);
        const struct vpc *v;
        SCOPE_FOREACH(v, s, RES_VPC)
        {
            prefix4_format(&v->cidrs[0].cidr, a);
            printf("vpc %s %s main %s\n", v->hdr.id, a, v->main_rtb_id);
        }
        const struct igw *gw;
        SCOPE_FOREACH(gw, s, RES_IGW)
        printf("igw %s vpc %s\n", gw->hdr.id, gw->vpc_id[0] ? gw->vpc_id : "-");
        const struct subnet *sn;
        SCOPE_FOREACH(sn, s, RES_SUBNET)
        {
            prefix4_format(&sn->cidr, a);
            const struct route_table *rt = rtb_for_subnet(m, s, sn);
            const struct network_acl *acl = nacl_for_subnet(m, s, sn->hdr.id);
            printf("subnet %s %s %s vpc %s rtb %s acl %s\n", sn->hdr.id, a, sn->az, sn->vpc_id,
                   rt ? rt->hdr.id : "-", acl ? acl->hdr.id : "-");
        }
        const struct route_table *rt;
        SCOPE_FOREACH(rt, s, RES_RTB)
        {
            printf("rtb %s vpc %s\n", rt->hdr.id, rt->vpc_id);
            for (size_t i = 0; i < rt->n_routes; i++) {
                const struct route *r = &rt->routes[i];
                if (r->family == 4)
                    prefix4_format(&r->dst4, a);
                else
                    snprintf(a, sizeof a, "%s", r->dst_pl);
                printf("  %s -> %s (%s)\n", a, r->target, rtb_route_state(m, rt, r));
            }
        }
        const struct network_acl *acl;
        SCOPE_FOREACH(acl, s, RES_NACL)
        {
            struct nacl_entry *list;
            size_t n = nacl_entries_listed(m, acl, &list);
            printf("acl %s vpc %s\n", acl->hdr.id, acl->vpc_id);
            for (size_t i = 0; i < n; i++) {
                const struct nacl_entry *e = &list[i];
                prefix4_format(&e->cidr4, a);
                printf("  %s %d %s proto %d %s ports %d-%d icmp %d/%d\n", e->egress ? "out" : "in ",
                       e->rule_number, e->allow ? "allow" : "deny ", e->protocol,
                       e->ipv6 ? "::/0" : a, e->has_ports ? e->port_from : -1,
                       e->has_ports ? e->port_to : -1, e->has_icmp ? e->icmp_type : -9,
                       e->has_icmp ? e->icmp_code : -9);
            }
            free(list);
        }
        const struct security_group *g;
        SCOPE_FOREACH(g, s, RES_SG)
        {
            printf("sg %s vpc %s\n", g->hdr.id, g->vpc_id);
            for (size_t i = 0; i < g->n_rules; i++) {
                const struct sg_rule *r = &g->rules[i];
                printf("  %s %s %d-%d %s\n", r->egress ? "out" : "in ", r->protocol, r->from_port,
                       r->to_port, r->peer);
            }
        }
        const struct eni *e;
        SCOPE_FOREACH(e, s, RES_ENI)
        {
            ip4_format(e->private_ips[0], b);
            const struct eip *pub = eip_for_eni(s, e->hdr.id, 0);
            char pb[IP4_STRLEN] = "-";
            if (pub)
                ip4_format(pub->public_ip, pb);
            printf("eni %s %s subnet %s %s sdc %d up %d eip %s groups", e->hdr.id, b, e->subnet_id,
                   e->interface_type, e->source_dest_check, nv_eni_up(m, e), pb);
            for (size_t i = 0; i < e->n_groups; i++)
                printf(" %s", e->groups[i]);
            printf("\n");
        }
        const struct nat *n;
        SCOPE_FOREACH(n, s, RES_NAT)
        {
            ip4_format(n->private_ip, b);
            printf("nat %s %s subnet %s %s %s\n", n->hdr.id, b, n->subnet_id,
                   nat_state_name(n->state), n->is_private ? "private" : "public");
        }
        const struct pcx *p;
        SCOPE_FOREACH(p, s, RES_PCX)
        printf("pcx %s %s %s <-> %s\n", p->hdr.id, pcx_state_name(pcx_state_now(m, p)),
               p->req.vpc_id, p->acc.vpc_id);
        const struct tgw_attach *at;
        SCOPE_FOREACH(at, s, RES_TGW_ATTACH)
        {
            printf("tgw-attach %s %s tgw %s %s assoc %s appliance %d peer %s vpc %s:", at->hdr.id,
                   at->kind == TGW_ATTACH_VPC ? "vpc" : "peering", at->tgw_id, at->state,
                   at->assoc_rtb[0] ? at->assoc_rtb : "-", at->appliance_mode,
                   at->peer_attach_id[0] ? at->peer_attach_id : "-", at->vpc_id);
            for (size_t i = 0; i < at->n_subnets; i++)
                printf(" %s/%s", at->subnets[i], at->enis[i]);
            printf("\n");
        }
        const struct tgw_rtb *trt;
        SCOPE_FOREACH(trt, s, RES_TGW_RTB)
        {
            struct tgw_route_view *rv;
            size_t nr = tgw_rtb_routes(m, trt, &rv);
            printf("tgw-rtb %s tgw %s\n", trt->hdr.id, trt->tgw_id);
            for (size_t i = 0; i < nr; i++) {
                if (rv[i].r.family != 4)
                    continue;
                prefix4_format(&rv[i].r.dst4, a);
                printf("  %s -> %s %s %s\n", a, rv[i].r.blackhole ? "blackhole" : rv[i].r.attach_id,
                       rv[i].propagated ? "propagated" : "static", rv[i].state);
            }
            free(rv);
        }
    }
}

/* ---- the packets ---- */

static void put4(uint8_t *b, uint32_t v)
{
    nv_put4(b, v);
}

static uint32_t get4(const uint8_t *b)
{
    return nv_get4(b);
}

struct world {
    struct model *m;
    const struct eni *senders[64]; /* instance interfaces, any state */
    size_t n_senders;
    uint32_t managed[64]; /* addresses of NAT and TGW interfaces: never destinations */
    size_t n_managed;
    uint32_t eip_pub[64]; /* Elastic IPs of instance interfaces */
    size_t n_eip;
    uint32_t nat_pub[64]; /* public addresses of NAT gateways: never destinations */
    size_t n_nat_pub;
    const struct vpc *vpcs[16];
    size_t n_vpcs;
};

static void world_scan(struct world *w, struct model *m)
{
    memset(w, 0, sizeof *w);
    w->m = m;
    for (size_t i = 0; i < m->scopes.n; i++) {
        const struct scope *s = (const struct scope *)m->scopes.items[i];
        const struct eni *e;
        SCOPE_FOREACH(e, s, RES_ENI)
        {
            if (e->hdr.scope != s)
                continue;
            if (e->requester_managed) {
                if (w->n_managed < 64)
                    w->managed[w->n_managed++] = e->private_ips[0];
            } else if (w->n_senders < 64) {
                w->senders[w->n_senders++] = e;
            }
        }
        const struct eip *p;
        SCOPE_FOREACH(p, s, RES_EIP)
        {
            const struct eni *holder = p->assoc_id[0] ? eni_find(m, s, p->eni_id) : NULL;
            if (holder && !holder->requester_managed && w->n_eip < 64)
                w->eip_pub[w->n_eip++] = p->public_ip;
        }
        const struct nat *n;
        SCOPE_FOREACH(n, s, RES_NAT)
        {
            if (n->public_ip && w->n_nat_pub < 64)
                w->nat_pub[w->n_nat_pub++] = n->public_ip;
        }
        const struct vpc *v;
        SCOPE_FOREACH(v, s, RES_VPC)
        {
            if (w->n_vpcs < 16)
                w->vpcs[w->n_vpcs++] = v;
        }
    }
}

static bool is_managed(const struct world *w, uint32_t a)
{
    for (size_t i = 0; i < w->n_managed; i++)
        if (w->managed[i] == a)
            return true;
    return false;
}

static bool is_eip(const struct world *w, uint32_t a)
{
    for (size_t i = 0; i < w->n_eip; i++)
        if (w->eip_pub[i] == a)
            return true;
    return false;
}

static bool is_nat_pub(const struct world *w, uint32_t a)
{
    for (size_t i = 0; i < w->n_nat_pub; i++)
        if (w->nat_pub[i] == a)
            return true;
    return false;
}

static void random_ports(struct flow *f)
{
    static const uint8_t protos[] = {FLOW_PROTO_TCP, FLOW_PROTO_TCP, FLOW_PROTO_TCP,
                                     FLOW_PROTO_UDP, FLOW_PROTO_UDP, FLOW_PROTO_ICMP,
                                     FLOW_PROTO_ICMP};
    f->proto = protos[below(7)];
    if (f->proto == FLOW_PROTO_ICMP) {
        static const uint16_t types[] = {8, 8, 0, 3, 11};
        f->sport = types[below(5)];
        f->dport = f->sport == 3 ? (uint16_t)below(5) : chance(85) ? 0 : (uint16_t)below(2);
        return;
    }
    static const uint16_t ports[] = {22, 53, 80, 443, 3389, 8080, 1023, 1024};
    f->sport = chance(85) ? (uint16_t)(1024 + below(64512)) : (uint16_t)below(1024);
    f->dport = chance(60)   ? ports[below(8)]
               : chance(50) ? (uint16_t)(1024 + below(64512))
                            : (uint16_t)below(65536);
}

/* A destination: some interface's address, an address inside some VPC, or a public one. */
static uint32_t random_dst(const struct world *w, const struct eni *sender)
{
    for (int attempt = 0; attempt < 20; attempt++) {
        uint32_t a;
        unsigned pick = below(100);
        if (pick < 45 && w->n_senders) {
            const struct eni *e = w->senders[below((uint32_t)w->n_senders)];
            a = e->private_ips[0];
        } else if (pick < 58) {
            const struct subnet *sn = subnet_find(w->m, sender->hdr.scope, sender->subnet_id);
            a = sn->cidr.addr | (rnd() & ~prefix4_mask(sn->cidr.len));
        } else if (pick < 80 && w->n_vpcs) {
            const struct vpc *v = w->vpcs[below((uint32_t)w->n_vpcs)];
            const struct prefix4 *c = &v->cidrs[0].cidr;
            a = c->addr | (rnd() & ~prefix4_mask(c->len));
        } else {
            a = chance(80) ? 0xc6336400u | below(256) : 0xc0000200u | below(256);
        }
        /* Choice: addresses of NAT gateway and TGW interfaces, the sender's own address and
         * Elastic IPs are never destinations (the reference gives them no semantics here). */
        if (!is_managed(w, a) && !nv_eni_owns(sender, a) && !is_eip(w, a))
            return a;
    }
    return 0xc6336401u;
}

static uint32_t random_src(const struct world *w, const struct eni *sender)
{
    if (chance(90) || !w->n_vpcs)
        return sender->private_ips[0];
    if (chance(50) && w->n_senders)
        return w->senders[below((uint32_t)w->n_senders)]->private_ips[0];
    const struct vpc *v = w->vpcs[below((uint32_t)w->n_vpcs)];
    return v->cidrs[0].cidr.addr | (rnd() & ~prefix4_mask(v->cidrs[0].cidr.len));
}

/* ---- comparison ---- */

struct stats {
    unsigned long compared, mismatches, overflow, by_outcome[3], loops, multi;
    unsigned long own_subnet_mismatches; /* the naive path had NAIVE_VIA_SERVICE_OWN */
    unsigned long by_code[PL__CODE_COUNT];
    unsigned long via[NAIVE_VIA__COUNT][3]; /* paths crossing each kind, by outcome */
};

static struct stats st;
static unsigned long current_seed;

static bool always_tracked(void *ctx, uint32_t eni, bool egress, const struct flow *f)
{
    (void)ctx;
    (void)eni;
    (void)egress;
    (void)f;
    return true;
}

static const char *const hop_kinds[] = {"eni", "sg",      "acl", "rtb",  "pcx", "tgw-attach",
                                        "tgw", "tgw-rtb", "igw", "eigw", "nat", "internet"};

static void flow_text(const struct flow *f, char *buf, size_t n)
{
    char src[IP4_STRLEN], dst[IP4_STRLEN];
    ip4_format(get4(f->src), src);
    ip4_format(get4(f->dst), dst);
    const char *p = f->proto == FLOW_PROTO_TCP   ? "tcp"
                    : f->proto == FLOW_PROTO_UDP ? "udp"
                                                 : "icmp";
    if (f->proto == FLOW_PROTO_ICMP)
        snprintf(buf, n, "%s %s -> %s type %u code %u", p, src, dst, f->sport, f->dport);
    else
        snprintf(buf, n, "%s %s:%u -> %s:%u", p, src, f->sport, dst, f->dport);
}

static void result_text(const struct fib_snapshot *s, const struct pl_result *r, char *buf,
                        size_t n)
{
    switch (r->outcome) {
    case PL_DELIVERED:
        snprintf(buf, n, "delivered to %s", r->eni < s->n_enis ? s->enis[r->eni].id : "?");
        break;
    case PL_TO_INTERNET:
        snprintf(buf, n, "to the internet via %s%s",
                 r->via_eigw              ? "eigw"
                 : r->gateway < s->n_igws ? s->igws[r->gateway].id
                                          : "?",
                 r->via_eigw ? " (eigw)" : "");
        break;
    default:
        snprintf(buf, n, "dropped %s at %s %s rule %d", pipeline_code_name(r->code),
                 (unsigned)r->where.kind < 12 ? hop_kinds[r->where.kind] : "?",
                 r->where.id[0] ? r->where.id : "-", r->where.rule_number);
        break;
    }
}

static bool same_answer(const struct fib_snapshot *s, const struct pl_result *r,
                        const struct naive_result *n)
{
    switch (r->outcome) {
    case PL_DELIVERED:
        return n->outcome == NAIVE_DELIVERED && r->eni < s->n_enis &&
               strcmp(s->enis[r->eni].id, n->eni_id) == 0;
    case PL_TO_INTERNET:
        return n->outcome == NAIVE_TO_INTERNET && !r->via_eigw && r->gateway < s->n_igws &&
               strcmp(s->igws[r->gateway].id, n->igw_id) == 0;
    default:
        if (n->outcome != NAIVE_DROPPED || strcmp(pipeline_code_name(r->code), n->code) != 0)
            return false;
        /* The component that dropped it, where the naive evaluator pins one. */
        if (n->component[0] && strcmp(r->where.id, n->component) != 0)
            return false;
        if (r->code == PL_SUBNET_ACL_RESTRICTION && r->where.rule_number != n->rule_number)
            return false;
        return true;
    }
}

/* Runs one packet both ways; returns the naive answer that matched (NULL if none). */
static const struct naive_result *compare(const struct fib_snapshot *s, const struct pl_packet *pkt,
                                          const struct naive_set *ns, bool tracked,
                                          const char *what, struct pl_result *res)
{
    struct pipeline_hooks hooks = {.sg_tracked = always_tracked};
    pipeline_run(s, pkt, tracked ? &hooks : NULL, NULL, res);
    if (ns->overflow) {
        st.overflow++;
        return NULL;
    }
    st.compared++;
    if (ns->n > 1)
        st.multi++;
    for (size_t i = 0; i < ns->n; i++) {
        if (same_answer(s, res, &ns->r[i])) {
            st.by_outcome[ns->r[i].outcome]++;
            if (res->outcome == PL_DROPPED && (unsigned)res->code < PL__CODE_COUNT)
                st.by_code[res->code]++;
            st.loops += ns->r[i].loop;
            for (int b = 0; b < NAIVE_VIA__COUNT; b++)
                if (ns->r[i].via & (1u << b))
                    st.via[b][ns->r[i].outcome]++;
            return &ns->r[i];
        }
    }
    for (size_t i = 0; i < ns->n; i++)
        if (ns->r[i].via & NAIVE_VIA_SERVICE_OWN) {
            st.own_subnet_mismatches++;
            break;
        }
    if (++st.mismatches <= MAX_REPORTS) {
        char fl[128], got[256], want[256];
        flow_text(&pkt->f, fl, sizeof fl);
        result_text(s, res, got, sizeof got);
        printf("MISMATCH seed %lu (%s%s): %s from %s\n", current_seed, what,
               tracked ? ", tracked" : "", fl,
               pkt->origin == PL_FROM_ENI ? s->enis[pkt->eni].id : "the internet");
        printf("  pipeline: %s\n", got);
        for (size_t i = 0; i < ns->n; i++) {
            naive_result_format(&ns->r[i], want, sizeof want);
            printf("  naive:    %s\n", want);
        }
        struct pl_trace *tr = calloc(1, sizeof *tr);
        struct pl_result again;
        pipeline_run(s, pkt, tracked ? &hooks : NULL, tr, &again);
        for (size_t i = 0; i < tr->n_hops && i < 16; i++) {
            const struct pl_hop *h = &tr->hops[i];
            printf("    hop %zu %s %s%s%s allow=%d rule=%d %s %s\n", i,
                   (unsigned)h->kind < 12 ? hop_kinds[h->kind] : "?", h->id,
                   h->egress ? " egress" : "", h->tracked ? " tracked" : "", h->allow,
                   h->rule_number, h->route_dst, h->route_target);
        }
        if (tr->n_hops > 16)
            printf("    ... %zu hops in all\n", tr->n_hops);
        free(tr);
    }
    return NULL;
}

static void run_seed(unsigned long seed)
{
    current_seed = seed;
    rng = 0x9e3779b97f4a7c15ull ^ (seed * 0x2545f4914f6cdd1dull + 1);
    for (int i = 0; i < 4; i++)
        rnd();
    struct gen g;
    gen_build(&g);
    if (getenv("PROPERTY_DUMP"))
        dump_topology(g.m);
    struct fib_snapshot *s = fib_snapshot_build(g.m);
    assert_non_null(s);
    struct world w;
    world_scan(&w, g.m);
    for (int q = 0; q < FLOWS_PER_SEED; q++) {
        struct naive_set ns;
        struct pl_packet pkt;
        struct pl_result res;
        memset(&pkt, 0, sizeof pkt);
        pkt.f.family = 4;
        random_ports(&pkt.f);
        if (chance(12) || !w.n_senders) {
            /* From the internet, to an Elastic IP (or an unmapped public address). */
            pkt.origin = PL_FROM_INTERNET;
            pkt.igw = FIB_NONE;
            uint32_t dst = w.n_eip && chance(75) ? w.eip_pub[below((uint32_t)w.n_eip)]
                                                 : 0xcb007100u | below(256);
            /* Choice: a NAT gateway's public address is never a destination (without a
             * binding the reference gives it no meaning). */
            if (is_nat_pub(&w, dst))
                continue;
            uint32_t src = chance(85)   ? 0xc6336400u | below(256)
                           : chance(50) ? 0x0a000000u | below(1u << 24)
                                        : 0x64400000u | below(1u << 22);
            put4(pkt.f.src, src);
            put4(pkt.f.dst, dst);
            naive_from_internet(g.m, &pkt.f, false, &ns);
            const struct naive_result *hit = compare(s, &pkt, &ns, false, "from internet", &res);
            if (hit && hit->outcome == NAIVE_DELIVERED) {
                /* The reply leaves the instance for the internet source. */
                const struct eni *x = (const struct eni *)nv_any(g.m, hit->eni_id, RES_ENI);
                if (!x)
                    continue;
                struct pl_packet rp = pkt;
                rp.origin = PL_FROM_ENI;
                rp.eni = fib_find(s, FIB_OBJ_ENI, x->hdr.id);
                memcpy(rp.f.src, hit->f.dst, 4);
                memcpy(rp.f.dst, hit->f.src, 4);
                rp.f.sport = pkt.f.proto == FLOW_PROTO_ICMP ? 0 : pkt.f.dport;
                rp.f.dport = pkt.f.proto == FLOW_PROTO_ICMP ? 0 : pkt.f.sport;
                naive_from_eni(g.m, x, &rp.f, true, &ns);
                compare(s, &rp, &ns, true, "reply to internet", &res);
            }
            continue;
        }
        const struct eni *sender = w.senders[below((uint32_t)w.n_senders)];
        if (!nv_eni_up(g.m, sender) && chance(70)) /* stopped or detached: fewer of those */
            sender = w.senders[below((uint32_t)w.n_senders)];
        pkt.origin = PL_FROM_ENI;
        pkt.eni = fib_find(s, FIB_OBJ_ENI, sender->hdr.id);
        assert_int_not_equal(pkt.eni, FIB_NONE);
        put4(pkt.f.src, random_src(&w, sender));
        put4(pkt.f.dst, random_dst(&w, sender));
        naive_from_eni(g.m, sender, &pkt.f, false, &ns);
        const struct naive_result *hit = compare(s, &pkt, &ns, false, "forward", &res);
        /* The same packet as part of a tracked flow: past every SG, deeper into the path. */
        if (q % 3 == 0) {
            struct naive_set ts;
            struct pl_result tres;
            naive_from_eni(g.m, sender, &pkt.f, true, &ts);
            compare(s, &pkt, &ts, true, "forward", &tres);
        }
        if (!hit || hit->translated || hit->outcome == NAIVE_DROPPED)
            continue;
        /* The reply, every SG lookup answering "tracked". */
        struct pl_packet rp = pkt;
        if (pkt.f.proto == FLOW_PROTO_ICMP) {
            rp.f.sport = pkt.f.sport == 8 ? 0 : pkt.f.sport;
            rp.f.dport = 0;
        } else {
            rp.f.sport = pkt.f.dport;
            rp.f.dport = pkt.f.sport;
        }
        if (hit->outcome == NAIVE_DELIVERED) {
            const struct eni *x = (const struct eni *)nv_any(g.m, hit->eni_id, RES_ENI);
            /* Choice: a reply to the replier's own address (a packet an appliance routed
             * back to itself) has no meaning here. */
            if (!x || nv_eni_owns(x, get4(hit->f.src)))
                continue;
            rp.eni = fib_find(s, FIB_OBJ_ENI, x->hdr.id);
            memcpy(rp.f.src, hit->f.dst, 4);
            memcpy(rp.f.dst, hit->f.src, 4);
            naive_from_eni(g.m, x, &rp.f, true, &ns);
        } else {
            /* Left for the internet: the reply comes back to the public address. */
            rp.origin = PL_FROM_INTERNET;
            rp.igw = FIB_NONE;
            memcpy(rp.f.src, hit->f.dst, 4);
            memcpy(rp.f.dst, hit->f.src, 4);
            naive_from_internet(g.m, &rp.f, true, &ns);
        }
        compare(s, &rp, &ns, true, "reply", &res);
    }
    fib_snapshot_unref(s);
    model_free(g.m);
}

static void test_property(void **state)
{
    (void)state;
    memset(&st, 0, sizeof st);
    naive_service_enis_route_own_subnet = getenv("PROPERTY_LENIENT") != NULL;
    const char *only = getenv("PROPERTY_SEED");
    unsigned long first = only ? strtoul(only, NULL, 10) : 1;
    const char *many = getenv("PROPERTY_SEEDS"); /* a longer run, by hand */
    unsigned long last = only ? first : many ? strtoul(many, NULL, 10) : N_SEEDS;
    for (unsigned long seed = first; seed <= last; seed++)
        run_seed(seed);
    printf("property: %lu packets compared (%lu delivered, %lu to the internet, %lu dropped; "
           "%lu with several allowed answers, %lu loops), %lu skipped, %lu mismatches\n",
           st.compared, st.by_outcome[NAIVE_DELIVERED], st.by_outcome[NAIVE_TO_INTERNET],
           st.by_outcome[NAIVE_DROPPED], st.multi, st.loops, st.overflow, st.mismatches);
    static const char *const via_names[NAIVE_VIA__COUNT] = {
        "VPC peering", "inter-region peering",  "transit gateway",       "TGW peering",
        "NAT gateway", "route to an interface", "same-subnet switching", "NAT/TGW into own subnet"};
    for (int b = 0; b < NAIVE_VIA__COUNT; b++)
        printf("  via %-24s %6lu delivered %6lu to the internet %6lu dropped\n", via_names[b],
               st.via[b][NAIVE_DELIVERED], st.via[b][NAIVE_TO_INTERNET], st.via[b][NAIVE_DROPPED]);
    for (int c = 1; c < PL__CODE_COUNT; c++)
        if (st.by_code[c])
            printf("  %-48s %lu\n", pipeline_code_name((enum pl_code)c), st.by_code[c]);
    fflush(stdout);
    if (st.mismatches)
        printf("property: %lu of the %lu mismatches are a NAT gateway or TGW interface sending "
               "into its own subnet\n",
               st.own_subnet_mismatches, st.mismatches);
    fflush(stdout);
    assert_true(st.compared >= (only ? 1 : 60000));
    assert_int_equal(st.mismatches, 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_property),
};

UNIT_MAIN(tests)
