/* The analyzer on small hand-built networks: the hop sequence of a found path, and the code and
 * component of a blocked one. Each test builds its network through the model's own calls. */
#include "unit.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/analyzer.h"
#include "model/resources.h"

struct net {
    struct model *m;
    struct scope *s;
    struct merr err;
};

static void net_init(struct net *n)
{
    memset(n, 0, sizeof *n);
    n->m = model_new(NULL);
    n->s = model_scope(n->m, "000000000000", "us-east-1");
}

static void net_destroy(struct net *n)
{
    analyzer_snapshot_release();
    model_free(n->m);
}

static struct vpc *mk_vpc(struct net *n, const char *cidr)
{
    struct vpc_create_args a = {.cidr = cidr};
    struct vpc *v;
    assert_int_equal(vpc_create(n->m, n->s, &a, &v, &n->err), 0);
    return v;
}

static struct subnet *mk_subnet(struct net *n, const struct vpc *v, const char *cidr,
                                const char *az)
{
    struct subnet_create_args a = {.vpc_id = v->hdr.id, .cidr = cidr, .az = az};
    struct subnet *sn;
    assert_int_equal(subnet_create(n->m, n->s, &a, &sn, &n->err), 0);
    return sn;
}

/* One instance at ip in sn with group sg (NULL: the VPC's default group); returns its id. */
static const char *mk_instance(struct net *n, const struct subnet *sn, const char *ip,
                               const char *sg)
{
    const char *groups[1] = {sg};
    struct inst_run_args a = {.image_id = "ami-12345678",
                              .subnet_id = sn->hdr.id,
                              .private_ip = ip,
                              .group_ids = sg ? groups : NULL,
                              .n_group_ids = sg ? 1 : 0,
                              .min_count = 1,
                              .max_count = 1};
    struct instance **out;
    size_t n_out;
    assert_int_equal(instance_run(n->m, n->s, &a, &out, &n_out, &n->err), 0);
    const char *id = out[0]->hdr.id;
    free(out);
    return id;
}

static void route(struct net *n, const char *rtb, const char *cidr, struct route_target_args t)
{
    struct route_dest_args d = {.cidr = cidr};
    if (route_create(n->m, n->s, rtb, &d, &t, &n->err) != 0)
        fail_msg("route %s: %s %s", cidr, n->err.code, n->err.message);
}

static void analyze(struct net *n, const char *src, const char *dst, int proto, int port,
                    struct an_result *r)
{
    struct an_request rq = {.source = src,
                            .destination = dst,
                            .protocol = proto,
                            .destination_port = port,
                            .source_port = -1};
    assert_int_equal(analyzer_check(n->m, n->s, &rq, &n->err), 0);
    struct fib_snapshot *s = analyzer_snapshot(n->m);
    assert_int_equal(analyzer_run(s, &rq, r, &n->err), 0);
    fib_snapshot_unref(s);
}

static size_t count_kind(const struct an_path *p, enum pl_hop_kind k)
{
    size_t c = 0;
    for (size_t i = 0; i < p->trace.n_hops; i++)
        c += p->trace.hops[i].kind == k;
    return c;
}

static void same_subnet_default_sg(void **state)
{
    (void)state;
    struct net n;
    net_init(&n);
    struct vpc *v = mk_vpc(&n, "10.0.0.0/16");
    struct subnet *sn = mk_subnet(&n, v, "10.0.1.0/24", "us-east-1a");
    char a[ID_MAX], b[ID_MAX];
    snprintf(a, sizeof a, "%s", mk_instance(&n, sn, "10.0.1.10", NULL));
    snprintf(b, sizeof b, "%s", mk_instance(&n, sn, "10.0.1.11", NULL));
    struct an_result *r = calloc(1, sizeof *r);
    analyze(&n, a, b, 6, 22, r);
    assert_true(r->path_found);
    /* Same subnet: no NACL, no route table, on either path. */
    assert_int_equal(count_kind(&r->forward, PL_HOP_ACL), 0);
    assert_int_equal(count_kind(&r->forward, PL_HOP_RTB), 0);
    assert_int_equal(count_kind(&r->forward, PL_HOP_SG), 2);
    assert_int_equal(count_kind(&r->ret, PL_HOP_SG), 2);
    assert_true(r->ret.trace.hops[1].tracked);
    /* A group without ingress rules at the destination blocks the flow. */
    struct security_group *g;
    assert_int_equal(sg_create(n.m, n.s, v->hdr.id, "closed", "closed", NULL, &g, &n.err), 0);
    char c[ID_MAX];
    snprintf(c, sizeof c, "%s", mk_instance(&n, sn, "10.0.1.12", g->hdr.id));
    analyze(&n, a, c, 6, 22, r);
    assert_false(r->path_found);
    assert_string_equal(pipeline_code_name(r->code), "ENI_SG_RULES_MISMATCH");
    assert_false(r->where.egress);
    assert_string_equal(r->where.sg_id, g->hdr.id);
    free(r);
    net_destroy(&n);
}

static void cross_subnet_nacl_ephemeral(void **state)
{
    (void)state;
    struct net n;
    net_init(&n);
    struct vpc *v = mk_vpc(&n, "10.0.0.0/16");
    struct subnet *s1 = mk_subnet(&n, v, "10.0.1.0/24", "us-east-1a");
    struct subnet *s2 = mk_subnet(&n, v, "10.0.2.0/24", "us-east-1a");
    char a[ID_MAX], b[ID_MAX];
    snprintf(a, sizeof a, "%s", mk_instance(&n, s1, "10.0.1.10", NULL));
    snprintf(b, sizeof b, "%s", mk_instance(&n, s2, "10.0.2.10", NULL));
    struct an_result *r = calloc(1, sizeof *r);
    analyze(&n, a, b, 6, 80, r);
    assert_true(r->path_found);
    assert_int_equal(count_kind(&r->forward, PL_HOP_ACL), 2);
    assert_int_equal(count_kind(&r->forward, PL_HOP_RTB), 1);
    /* A custom NACL on s2 allowing only tcp 80 both ways: forward passes, the reply to the
     * client's ephemeral port is denied by the "*" rule going out of s2. */
    struct network_acl *acl;
    assert_int_equal(nacl_create(n.m, n.s, v->hdr.id, false, NULL, &acl, &n.err), 0);
    for (int eg = 0; eg < 2; eg++) {
        struct nacl_entry e = {.rule_number = 100,
                               .egress = eg,
                               .protocol = 6,
                               .allow = true,
                               .has_ports = true,
                               .port_from = 80,
                               .port_to = 80};
        prefix4_parse("10.0.0.0/16", &e.cidr4);
        assert_int_equal(nacl_entry_put(n.m, n.s, acl->hdr.id, &e, false, &n.err), 0);
    }
    struct network_acl *cur = nacl_for_subnet(n.m, n.s, s2->hdr.id);
    const char *assoc = NULL;
    for (size_t i = 0; i < cur->n_assocs; i++)
        if (strcmp(cur->assocs[i].subnet_id, s2->hdr.id) == 0)
            assoc = cur->assocs[i].id;
    const char *new_assoc;
    assert_int_equal(nacl_replace_association(n.m, n.s, assoc, acl->hdr.id, &new_assoc, &n.err), 0);
    analyze(&n, a, b, 6, 80, r);
    assert_false(r->path_found);
    assert_true(r->forward.arrived);
    assert_true(r->on_return_path);
    assert_string_equal(pipeline_code_name(r->code), "SUBNET_ACL_RESTRICTION");
    assert_string_equal(r->where.id, acl->hdr.id);
    assert_true(r->where.egress);
    assert_int_equal(r->where.rule_number, 32767);
    free(r);
    net_destroy(&n);
}

static void peering_and_transit(void **state)
{
    (void)state;
    struct net n;
    net_init(&n);
    struct vpc *va = mk_vpc(&n, "10.0.0.0/16");
    struct vpc *vb = mk_vpc(&n, "10.1.0.0/16");
    struct vpc *vc = mk_vpc(&n, "10.2.0.0/16");
    char a[ID_MAX], b[ID_MAX], c[ID_MAX], pab[ID_MAX], pac[ID_MAX];
    snprintf(a, sizeof a, "%s",
             mk_instance(&n, mk_subnet(&n, va, "10.0.1.0/24", NULL), "10.0.1.5", NULL));
    snprintf(b, sizeof b, "%s",
             mk_instance(&n, mk_subnet(&n, vb, "10.1.1.0/24", NULL), "10.1.1.5", NULL));
    snprintf(c, sizeof c, "%s",
             mk_instance(&n, mk_subnet(&n, vc, "10.2.1.0/24", NULL), "10.2.1.5", NULL));
    /* The default groups admit only their own members: open them to 10.0.0.0/8. */
    const struct vpc *vs[3] = {va, vb, vc};
    for (int i = 0; i < 3; i++) {
        struct sg_rule_spec spec = {.protocol = "-1",
                                    .from_port = SG_PORT_ABSENT,
                                    .to_port = SG_PORT_ABSENT,
                                    .peer_kind = SG_PEER_CIDR4,
                                    .peer = "10.0.0.0/8"};
        char ids[1][ID_MAX];
        assert_int_equal(sg_rule_spec_check(&spec, false, &n.err), 0);
        assert_int_equal(sg_authorize(n.m, n.s, vs[i]->default_sg_id, false, &spec, 1, ids, &n.err),
                         0);
    }
    struct pcx *p;
    struct pcx_create_args ca = {.vpc_id = va->hdr.id, .peer_vpc_id = vb->hdr.id};
    assert_int_equal(pcx_create(n.m, n.s, &ca, &p, &n.err), 0);
    snprintf(pab, sizeof pab, "%s", p->hdr.id);
    assert_int_equal(pcx_accept(n.m, n.s, pab, &p, &n.err), 0);
    ca.peer_vpc_id = vc->hdr.id;
    assert_int_equal(pcx_create(n.m, n.s, &ca, &p, &n.err), 0);
    snprintf(pac, sizeof pac, "%s", p->hdr.id);
    assert_int_equal(pcx_accept(n.m, n.s, pac, &p, &n.err), 0);
    route(&n, va->main_rtb_id, "10.1.0.0/16", (struct route_target_args){.pcx_id = pab});
    route(&n, va->main_rtb_id, "10.2.0.0/16", (struct route_target_args){.pcx_id = pac});
    route(&n, vb->main_rtb_id, "10.0.0.0/16", (struct route_target_args){.pcx_id = pab});
    struct an_result *r = calloc(1, sizeof *r);
    analyze(&n, a, b, 6, 443, r);
    assert_true(r->path_found);
    assert_int_equal(count_kind(&r->forward, PL_HOP_PCX), 1);
    assert_int_equal(count_kind(&r->ret, PL_HOP_PCX), 1);
    /* C has no route back to A: the forward path arrives, the reply finds no route. */
    analyze(&n, a, c, 6, 443, r);
    assert_false(r->path_found);
    assert_true(r->on_return_path);
    assert_string_equal(pipeline_code_name(r->code), "NO_ROUTE_TO_DESTINATION");
    assert_string_equal(r->where.id, vc->main_rtb_id);
    /* A path may end at the peering itself (with the address sent through it). */
    struct an_request via = {.source = b,
                             .destination = pab,
                             .destination_ip = "10.0.1.5",
                             .protocol = 6,
                             .destination_port = 443,
                             .source_port = -1};
    assert_int_equal(analyzer_check(n.m, n.s, &via, &n.err), 0);
    struct fib_snapshot *snap = analyzer_snapshot(n.m);
    assert_int_equal(analyzer_run(snap, &via, r, &n.err), 0);
    assert_true(r->path_found);
    assert_false(r->ret.run);
    via.destination_ip = NULL;
    assert_int_equal(analyzer_check(n.m, n.s, &via, &n.err), -1);
    assert_string_equal(n.err.code, "InvalidParameterValue");
    fib_snapshot_unref(snap);
    /* Transitive: B sends C's addresses to A over pab; A never forwards them on. */
    route(&n, vb->main_rtb_id, "10.2.0.0/16", (struct route_target_args){.pcx_id = pab});
    analyze(&n, b, c, 6, 443, r);
    assert_false(r->path_found);
    assert_false(r->on_return_path);
    assert_string_equal(pipeline_code_name(r->code), "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR");
    assert_string_equal(r->where.id, pab);
    free(r);
    net_destroy(&n);
}

static void open_default_sg(struct net *n, const struct vpc *v, const char *cidr)
{
    struct sg_rule_spec spec = {.protocol = "-1",
                                .from_port = SG_PORT_ABSENT,
                                .to_port = SG_PORT_ABSENT,
                                .peer_kind = SG_PEER_CIDR4};
    snprintf(spec.peer, sizeof spec.peer, "%s", cidr);
    char ids[1][ID_MAX];
    assert_int_equal(sg_rule_spec_check(&spec, false, &n->err), 0);
    assert_int_equal(sg_authorize(n->m, n->s, v->default_sg_id, false, &spec, 1, ids, &n->err), 0);
}

static const char *attach(struct net *n, const struct tgw *t, const struct vpc *v,
                          const struct subnet *sn)
{
    const char *subnets[1] = {sn->hdr.id};
    struct tgw_vpc_attach_args a = {.tgw_id = t->hdr.id,
                                    .vpc_id = v->hdr.id,
                                    .subnet_ids = subnets,
                                    .n_subnets = 1,
                                    .dns_support = -1,
                                    .ipv6_support = -1,
                                    .appliance_mode = -1,
                                    .sg_ref = -1};
    struct tgw_attach *at;
    if (tgw_vpc_attach_create(n->m, n->s, &a, &at, &n->err))
        fail_msg("attach: %s %s", n->err.code, n->err.message);
    return at->hdr.id;
}

static void transit_gateway_and_az(void **state)
{
    (void)state;
    struct net n;
    net_init(&n);
    struct vpc *va = mk_vpc(&n, "10.0.0.0/16");
    struct vpc *vb = mk_vpc(&n, "10.1.0.0/16");
    struct subnet *sa = mk_subnet(&n, va, "10.0.1.0/24", "us-east-1a");
    struct subnet *sa2 = mk_subnet(&n, va, "10.0.2.0/24", "us-east-1b");
    struct subnet *sb = mk_subnet(&n, vb, "10.1.1.0/24", "us-east-1a");
    char a[ID_MAX], a2[ID_MAX], b[ID_MAX];
    snprintf(a, sizeof a, "%s", mk_instance(&n, sa, "10.0.1.5", NULL));
    snprintf(a2, sizeof a2, "%s", mk_instance(&n, sa2, "10.0.2.5", NULL));
    snprintf(b, sizeof b, "%s", mk_instance(&n, sb, "10.1.1.5", NULL));
    open_default_sg(&n, va, "10.0.0.0/8");
    open_default_sg(&n, vb, "10.0.0.0/8");
    struct tgw_opts o = {-1, -1, -1, -1, -1, -1, -1, 0, NULL, NULL, NULL, 0, NULL, 0};
    struct tgw *t;
    assert_int_equal(tgw_create(n.m, n.s, "hub", &o, NULL, &t, &n.err), 0);
    attach(&n, t, va, sa);
    attach(&n, t, vb, sb);
    route(&n, va->main_rtb_id, "10.1.0.0/16", (struct route_target_args){.tgw_id = t->hdr.id});
    route(&n, vb->main_rtb_id, "10.0.0.0/16", (struct route_target_args){.tgw_id = t->hdr.id});
    struct an_result *r = calloc(1, sizeof *r);
    analyze(&n, a, b, 6, 22, r);
    if (!r->path_found)
        fail_msg("tgw path: %s at %s", pipeline_code_name(r->code), r->where.id);
    assert_int_equal(count_kind(&r->forward, PL_HOP_TGW_RTB), 1);
    assert_int_equal(count_kind(&r->ret, PL_HOP_TGW_RTB), 1);
    /* 10.0.2.0/24 is in us-east-1b, where A's attachment has no subnet. */
    analyze(&n, a2, b, 6, 22, r);
    assert_false(r->path_found);
    assert_string_equal(pipeline_code_name(r->code), "TGW_ROUTE_AZ_RESTRICTION");
    /* A blackhole for B's block in the default table. */
    struct tgw_route_view rv;
    assert_int_equal(
        tgw_route_put(n.m, n.s, t->assoc_rtb, "10.1.1.0/24", NULL, true, false, &rv, &n.err), 0);
    analyze(&n, a, b, 6, 22, r);
    assert_false(r->path_found);
    assert_string_equal(pipeline_code_name(r->code), "TGW_RTB_BAD_STATE_ROUTE");
    assert_string_equal(r->where.id, t->assoc_rtb);
    assert_string_equal(r->where.route_dst, "10.1.1.0/24");
    free(r);
    net_destroy(&n);
}

static void internet_and_nat(void **state)
{
    (void)state;
    struct net n;
    net_init(&n);
    struct vpc *v = mk_vpc(&n, "10.0.0.0/16");
    struct subnet *pub = mk_subnet(&n, v, "10.0.0.0/24", "us-east-1a");
    struct subnet *priv = mk_subnet(&n, v, "10.0.1.0/24", "us-east-1a");
    struct igw *g;
    assert_int_equal(igw_create(n.m, n.s, NULL, &g, &n.err), 0);
    assert_int_equal(igw_attach(n.m, n.s, g->hdr.id, v->hdr.id, &n.err), 0);
    struct route_table *prt;
    assert_int_equal(rtb_create(n.m, n.s, v->hdr.id, NULL, &prt, &n.err), 0);
    const char *assoc;
    assert_int_equal(rtb_associate(n.m, n.s, prt->hdr.id, pub->hdr.id, NULL, &assoc, &n.err), 0);
    route(&n, prt->hdr.id, "0.0.0.0/0", (struct route_target_args){.gateway_id = g->hdr.id});
    char web[ID_MAX], app[ID_MAX];
    snprintf(web, sizeof web, "%s", mk_instance(&n, pub, "10.0.0.10", NULL));
    snprintf(app, sizeof app, "%s", mk_instance(&n, priv, "10.0.1.10", NULL));
    struct an_request rq = {.source = web,
                            .destination_ip = "198.51.100.1",
                            .protocol = 6,
                            .destination_port = 443,
                            .source_port = -1};
    struct an_result *r = calloc(1, sizeof *r);
    struct fib_snapshot *s = analyzer_snapshot(n.m);
    assert_int_equal(analyzer_run(s, &rq, r, &n.err), 0);
    fib_snapshot_unref(s);
    assert_false(r->path_found);
    assert_string_equal(pipeline_code_name(r->code), "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS");
    struct eip *e;
    assert_int_equal(eip_allocate(n.m, n.s, "vpc", NULL, &e, &n.err), 0);
    struct eip_assoc_args ea = {.allocation_id = e->hdr.id, .instance_id = web};
    assert_int_equal(eip_associate(n.m, n.s, &ea, &e, &n.err), 0);
    s = analyzer_snapshot(n.m);
    assert_int_equal(analyzer_run(s, &rq, r, &n.err), 0);
    if (!r->path_found)
        fail_msg("igw path: %s at %s", pipeline_code_name(r->code), r->where.id);
    /* The internet sees the EIP; the reply comes back to it and is mapped to the instance. */
    assert_int_equal(r->forward.result.outcome, PL_TO_INTERNET);
    uint8_t want[4];
    uint32_t be = htonl(e->public_ip);
    memcpy(want, &be, 4);
    assert_memory_equal(r->forward.result.f.src, want, 4);
    fib_snapshot_unref(s);
    /* The private subnet goes out through a NAT gateway in the public subnet. */
    struct eip *ne;
    assert_int_equal(eip_allocate(n.m, n.s, "vpc", NULL, &ne, &n.err), 0);
    struct nat_create_args na = {.subnet_id = pub->hdr.id, .allocation_id = ne->hdr.id};
    struct nat *nat;
    bool created;
    assert_int_equal(nat_create(n.m, n.s, &na, &nat, &created, &n.err), 0);
    nat_settle(n.m, n.s);
    route(&n, v->main_rtb_id, "0.0.0.0/0", (struct route_target_args){.nat_id = nat->hdr.id});
    rq.source = app;
    s = analyzer_snapshot(n.m);
    assert_int_equal(analyzer_run(s, &rq, r, &n.err), 0);
    if (!r->path_found)
        fail_msg("nat path: %s at %s", pipeline_code_name(r->code), r->where.id);
    be = htonl(ne->public_ip);
    memcpy(want, &be, 4);
    assert_memory_equal(r->forward.result.f.src, want, 4);
    assert_int_equal(count_kind(&r->forward, PL_HOP_NAT), 1);
    assert_int_equal(count_kind(&r->ret, PL_HOP_NAT), 1);
    fib_snapshot_unref(s);
    free(r);
    net_destroy(&n);
}

static void inter_region_peering_by_id(void **state)
{
    (void)state;
    struct net n;
    net_init(&n);
    struct vpc *va = mk_vpc(&n, "10.0.0.0/16");
    char a[ID_MAX], b[ID_MAX], pcx_id[ID_MAX], va_rtb[ID_MAX];
    snprintf(a, sizeof a, "%s",
             mk_instance(&n, mk_subnet(&n, va, "10.0.1.0/24", NULL), "10.0.1.5", NULL));
    open_default_sg(&n, va, "10.0.0.0/8");
    snprintf(va_rtb, sizeof va_rtb, "%s", va->main_rtb_id);
    char va_id[ID_MAX];
    snprintf(va_id, sizeof va_id, "%s", va->hdr.id);
    struct scope *us = n.s;
    n.s = model_scope(n.m, "000000000000", "eu-west-1");
    struct vpc *vb = mk_vpc(&n, "10.1.0.0/16");
    snprintf(b, sizeof b, "%s",
             mk_instance(&n, mk_subnet(&n, vb, "10.1.1.0/24", NULL), "10.1.1.5", NULL));
    open_default_sg(&n, vb, "10.0.0.0/8");
    char vb_id[ID_MAX], vb_rtb[ID_MAX];
    snprintf(vb_id, sizeof vb_id, "%s", vb->hdr.id);
    snprintf(vb_rtb, sizeof vb_rtb, "%s", vb->main_rtb_id);
    n.s = us;
    struct pcx *p;
    struct pcx_create_args ca = {.vpc_id = va_id, .peer_vpc_id = vb_id, .peer_region = "eu-west-1"};
    assert_int_equal(pcx_create(n.m, n.s, &ca, &p, &n.err), 0);
    snprintf(pcx_id, sizeof pcx_id, "%s", p->hdr.id);
    struct scope *eu = model_scope(n.m, "000000000000", "eu-west-1");
    assert_int_equal(pcx_accept(n.m, eu, pcx_id, &p, &n.err), 0);
    route(&n, va_rtb, "10.1.0.0/16", (struct route_target_args){.pcx_id = pcx_id});
    n.s = eu;
    route(&n, vb_rtb, "10.0.0.0/16", (struct route_target_args){.pcx_id = pcx_id});
    n.s = us;
    struct an_result *r = calloc(1, sizeof *r);
    analyze(&n, a, b, 6, 443, r); /* the destination is named by id from us-east-1 */
    if (!r->path_found)
        fail_msg("inter-region: %s at %s", pipeline_code_name(r->code), r->where.id);
    assert_int_equal(count_kind(&r->forward, PL_HOP_PCX), 1);
    /* Another account's instance stays invisible. */
    struct scope *other = model_scope(n.m, "111111111111", "us-east-1");
    struct an_request rq = {
        .source = a, .destination = b, .protocol = 6, .destination_port = 1, .source_port = -1};
    assert_int_equal(analyzer_check(n.m, other, &rq, &n.err), -1);
    assert_string_equal(n.err.code, "InvalidInstanceID.NotFound");
    free(r);
    net_destroy(&n);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(same_subnet_default_sg), cmocka_unit_test(cross_subnet_nacl_ephemeral),
    cmocka_unit_test(peering_and_transit),    cmocka_unit_test(transit_gateway_and_az),
    cmocka_unit_test(internet_and_nat),       cmocka_unit_test(inter_region_peering_by_id),
};

UNIT_MAIN(tests)
