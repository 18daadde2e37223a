/* Route tables: routes under AWS's destination and target rules, the local routes that follow
 * the VPC's CIDR blocks, and subnet / gateway / main associations. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lib/xalloc.h"
#include "model/cidr_rules.h"
#include "model/classes.h"
#include "model/jsontext.h"
#include "model/resources.h"

#define ORIGIN_TABLE "CreateRouteTable"
#define ORIGIN_ROUTE "CreateRoute"
#define ORIGIN_VGW "EnableVgwRoutePropagation"
/* A destination as text: a CIDR or a prefix list id. */
#define DEST_STRLEN ID_MAX

struct route_table *rtb_find(const struct model *m, const struct scope *s, const char *id)
{
    return (struct route_table *)res_find(m, s, RES_RTB, id);
}

/* ---- routes: helpers ---- */

static bool route_is_local_dest(const struct route *r)
{
    return strcmp(r->origin, ORIGIN_TABLE) == 0;
}

static bool route_same_dest(const struct route *a, const struct route *b)
{
    if (a->family != b->family)
        return false;
    if (a->family == 4)
        return prefix4_equal(&a->dst4, &b->dst4);
    if (a->family == 6)
        return prefix6_equal(&a->dst6, &b->dst6);
    return strcmp(a->dst_pl, b->dst_pl) == 0;
}

static void route_dest_text(const struct route *r, char buf[DEST_STRLEN])
{
    if (r->family == 4)
        prefix4_format(&r->dst4, buf);
    else if (r->family == 6)
        prefix6_format(&r->dst6, buf);
    else
        snprintf(buf, DEST_STRLEN, "%s", r->dst_pl);
}

static const char *route_dest_param(const struct route *r)
{
    return r->family == 4   ? "destination-cidr-block"
           : r->family == 6 ? "destination-ipv6-cidr-block"
                            : "destination-prefix-list-id";
}

static struct route *route_find_dest(const struct route_table *rt, const struct route *dst)
{
    for (size_t i = 0; i < rt->n_routes; i++)
        if (route_same_dest(&rt->routes[i], dst))
            return &rt->routes[i];
    return NULL;
}

static int parse_dest(const struct route_dest_args *d, struct route *out, struct merr *err)
{
    memset(out, 0, sizeof *out);
    int n = (d->cidr != NULL) + (d->ipv6_cidr != NULL) + (d->prefix_list_id != NULL);
    if (n == 0)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter destinationCidrBlock or "
                        "destinationIpv6CidrBlock or destinationPrefixListId");
    if (n > 1)
        return merr_set(err, "InvalidParameterCombination",
                        "Only one of destinationCidrBlock, destinationIpv6CidrBlock or "
                        "destinationPrefixListId may be specified");
    if (d->cidr) {
        out->family = 4;
        if (prefix4_parse(d->cidr, &out->dst4))
            return merr_set(err, "InvalidParameterValue",
                            "Value (%s) for parameter destinationCidrBlock is invalid. This is "
                            "not a valid CIDR block.",
                            d->cidr);
    } else if (d->ipv6_cidr) {
        out->family = 6;
        if (prefix6_parse(d->ipv6_cidr, &out->dst6))
            return merr_set(err, "InvalidParameterValue",
                            "Value (%s) for parameter destinationIpv6CidrBlock is invalid. This "
                            "is not a valid IPv6 CIDR block.",
                            d->ipv6_cidr);
    } else {
        out->family = 0;
        if (strlen(d->prefix_list_id) >= sizeof out->dst_pl)
            return merr_set(err, "InvalidPrefixListId.Malformed", "Invalid id: \"%.64s...\"",
                            d->prefix_list_id);
        snprintf(out->dst_pl, sizeof out->dst_pl, "%s", d->prefix_list_id);
    }
    return 0;
}

struct target_param {
    const char *name; /* wire name, for messages */
    enum route_target kind;
    const char *value;
};

/* Exactly one target (LocalTarget=true counts as one) or the AWS error. */
static int parse_target(const struct route_target_args *t, enum route_target *kind, const char **id,
                        struct merr *err)
{
    const struct target_param all[] = {
        {"gatewayId", RT_GATEWAY, t->gateway_id},
        {"egressOnlyInternetGatewayId", RT_EIGW, t->eigw_id},
        {"natGatewayId", RT_NAT, t->nat_id},
        {"instanceId", RT_INSTANCE, t->instance_id},
        {"networkInterfaceId", RT_ENI, t->eni_id},
        {"vpcPeeringConnectionId", RT_PCX, t->pcx_id},
        {"transitGatewayId", RT_TGW, t->tgw_id},
        {"vpcEndpointId", RT_VPCE, t->vpce_id},
        {"localGatewayId", RT_LGW, t->lgw_id},
        {"carrierGatewayId", RT_CARRIER, t->carrier_id},
        {"coreNetworkArn", RT_CORE_NETWORK, t->core_network_arn},
        {"localTarget", RT_LOCAL, t->local_target ? "local" : NULL},
    };
    const struct target_param *first = NULL;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (!all[i].value)
            continue;
        if (first)
            return merr_set(err, "InvalidParameterCombination",
                            "The parameter %s cannot be used with the parameter %s", all[i].name,
                            first->name);
        first = &all[i];
    }
    if (!first)
        return merr_set(err, "MissingParameter",
                        "The request must contain exactly one of gatewayId, "
                        "egressOnlyInternetGatewayId, natGatewayId, instanceId, "
                        "networkInterfaceId, vpcPeeringConnectionId, transitGatewayId, "
                        "vpcEndpointId, localGatewayId, carrierGatewayId or coreNetworkArn");
    *kind = first->kind;
    *id = first->value;
    /* Tools pass GatewayId=local to mean the local target. */
    if (*kind == RT_GATEWAY && strcmp(*id, "local") == 0)
        *kind = RT_LOCAL;
    if (strlen(*id) >= sizeof((struct route *)0)->target)
        return merr_set(err, "InvalidParameterValue", "Value for parameter %s is too long",
                        first->name);
    return 0;
}

/* Target kinds whose resources vpcd may not model (yet): the id prefix and AWS's codes. When a
 * family adds the type, res_type_of_id finds it and existence is checked for real. */
struct target_kind_info {
    enum route_target kind;
    const char *prefix;
    const char *not_found;
    const char *malformed;
    const char *noun; /* for the NotFound message */
};

static const struct target_kind_info target_kinds[] = {
    {RT_NAT, "nat", "InvalidNatGatewayID.NotFound", "InvalidNatGatewayID.Malformed", "natGateway"},
    {RT_INSTANCE, "i", "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed", "instance"},
    {RT_ENI, "eni", "InvalidNetworkInterfaceID.NotFound", "InvalidNetworkInterfaceID.Malformed",
     "networkInterface"},
    {RT_PCX, "pcx", "InvalidVpcPeeringConnectionID.NotFound",
     "InvalidVpcPeeringConnectionId.Malformed", "vpcPeeringConnection"},
    {RT_TGW, "tgw", "InvalidTransitGatewayID.NotFound", "InvalidTransitGatewayID.Malformed",
     "transitGateway"},
    {RT_VPCE, "vpce", "InvalidVpcEndpointId.NotFound", "InvalidVpcEndpointId.Malformed",
     "vpcEndpoint"},
    {RT_LGW, "lgw", "InvalidLocalGatewayID.NotFound", "InvalidLocalGatewayID.Malformed",
     "localGateway"},
    {RT_CARRIER, "cagw", "InvalidCarrierGatewayID.NotFound", "InvalidCarrierGatewayID.Malformed",
     "carrierGateway"},
};

static const struct target_kind_info *target_kind_info(enum route_target kind)
{
    for (size_t i = 0; i < sizeof target_kinds / sizeof target_kinds[0]; i++)
        if (target_kinds[i].kind == kind)
            return &target_kinds[i];
    return NULL;
}

/* The resource a target id names, if vpcd models that type and it lives in the scope. */
static const struct res *target_res(const struct model *m, const struct scope *s, const char *id)
{
    enum res_type t = res_type_of_id(id);
    return t == RES__COUNT ? NULL : res_find(m, s, t, id);
}

static bool has_prefix(const char *id, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(id, prefix, n) == 0 && id[n] == '-';
}

static int different_networks(const struct route_table *rt, const char *gw, struct merr *err)
{
    return merr_set(err, "InvalidParameterValue",
                    "route table %s and network gateway %s belong to different networks",
                    rt->hdr.id, gw);
}

/* The target exists in the caller's scope and may serve this table's VPC. */
static int check_target(const struct model *m, const struct scope *s, const struct route_table *rt,
                        enum route_target kind, const char *id, struct merr *err)
{
    switch (kind) {
    case RT_LOCAL:
        return 0;
    case RT_GATEWAY: {
        if (has_prefix(id, "igw")) {
            const struct igw *g = (const struct igw *)res_lookup(m, s, RES_IGW, id, err);
            if (!g)
                return -1;
            if (strcmp(g->vpc_id, rt->vpc_id) != 0)
                return different_networks(rt, id, err);
            return 0;
        }
        if (has_prefix(id, "vgw") && id_well_formed(id, "vgw") && target_res(m, s, id))
            return 0;
        return merr_set(err, "InvalidGatewayID.NotFound", "The gateway ID '%s' does not exist", id);
    }
    case RT_EIGW: {
        const struct eigw *g = (const struct eigw *)res_lookup(m, s, RES_EIGW, id, err);
        if (!g)
            return -1;
        if (strcmp(g->vpc_id, rt->vpc_id) != 0)
            return different_networks(rt, id, err);
        return 0;
    }
    case RT_PCX: /* must involve this table's VPC; see model/peering.c */
        return pcx_route_check(m, s, rt->hdr.id, rt->vpc_id, id, err);
    case RT_TGW: /* needs an attachment of this VPC on the TGW; see model/tgw.c */
        return tgw_vpc_route_check(m, s, rt, id, err);
    case RT_CORE_NETWORK:
        if (strncmp(id, "arn:aws:networkmanager::", 24) != 0 || !strstr(id, ":core-network/"))
            return merr_set(err, "InvalidParameterValue",
                            "Value (%s) for parameter coreNetworkArn is invalid.", id);
        return merr_set(err, "InvalidParameterValue", "The core network '%s' does not exist", id);
    case RT_NAT:
        return nat_route_check(m, s, rt->vpc_id, id, err);
    case RT_INSTANCE:
        return instance_route_check(m, s, rt->vpc_id, id, err);
    case RT_ENI:
        return eni_route_check(m, s, rt->vpc_id, id, err);
    default:
        break;
    }
    const struct target_kind_info *ki = target_kind_info(kind);
    if (!id_well_formed(id, ki->prefix))
        return merr_set(err, ki->malformed, "Invalid id: \"%s\" (expecting \"%s-...\")", id,
                        ki->prefix);
    if (!target_res(m, s, id))
        return merr_set(err, ki->not_found, "The %s ID '%s' does not exist", ki->noun, id);
    return 0;
}

/* Targets that may take a route more specific than (or replacing) a local route. */
static bool middlebox_target(enum route_target kind)
{
    return kind == RT_NAT || kind == RT_ENI || kind == RT_VPCE;
}

static bool subnet_cidr_in_vpc(const struct scope *s, const char *vpc_id, const struct route *r)
{
    const struct subnet *sn;
    SCOPE_FOREACH(sn, s, RES_SUBNET)
    {
        if (strcmp(sn->vpc_id, vpc_id) != 0)
            continue;
        if (r->family == 4 && sn->has_ipv4 && prefix4_equal(&sn->cidr, &r->dst4))
            return true;
        if (r->family == 6)
            for (size_t k = 0; k < sn->n_ipv6; k++)
                if (prefix6_equal(&sn->ipv6[k].cidr, &r->dst6))
                    return true;
    }
    return false;
}

/* A destination inside a local route is only allowed for a whole subnet CIDR routed to a
 * middlebox (NAT gateway, network interface, Gateway Load Balancer endpoint). */
static int check_local_overlap(const struct scope *s, const struct route_table *rt,
                               const struct route *nr, enum route_target kind, struct merr *err)
{
    for (size_t i = 0; i < rt->n_routes; i++) {
        const struct route *l = &rt->routes[i];
        if (!route_is_local_dest(l) || l->family != nr->family || nr->family == 0)
            continue;
        bool inside = nr->family == 4 ? prefix4_contains(&l->dst4, &nr->dst4)
                                      : prefix6_contains(&l->dst6, &nr->dst6);
        if (!inside)
            continue;
        if (middlebox_target(kind) && subnet_cidr_in_vpc(s, rt->vpc_id, nr))
            return 0;
        char dst[DEST_STRLEN];
        route_dest_text(nr, dst);
        return merr_set(err, "InvalidParameterValue",
                        "The destination CIDR block %s is equal to or more specific than one of "
                        "this VPC's CIDR blocks. This route can target only a network "
                        "interface, a NAT gateway or a Gateway Load Balancer endpoint, and only "
                        "for the CIDR block of an entire subnet.",
                        dst);
    }
    return 0;
}

static int check_forbidden(const struct route *r, struct merr *err)
{
    if ((r->family == 4 && route_destination_forbidden4(&r->dst4)) ||
        (r->family == 6 && route_destination_forbidden6(&r->dst6))) {
        char dst[DEST_STRLEN];
        route_dest_text(r, dst);
        return merr_set(err, "InvalidParameterValue",
                        "The destination CIDR block %s is within a range reserved by AWS "
                        "(169.254.168.0/22, fd00:ec2::/32) and cannot be routed.",
                        dst);
    }
    return 0;
}

/* Address family a route counts against for the per-table quota. */
static int route_quota_family(const struct model *m, const struct scope *s, const struct route *r)
{
    if (r->family)
        return r->family;
    const struct prefix_list *pl = (const struct prefix_list *)res_find(m, s, RES_PL, r->dst_pl);
    return pl && strcmp(pl->family, "IPv6") == 0 ? 6 : 4;
}

/* Routes a route counts as: AWS counts a prefix-list route as the list's max entries. */
static unsigned route_quota_weight(const struct model *m, const struct scope *s,
                                   const struct route *r)
{
    if (r->family)
        return 1;
    const struct prefix_list *pl = (const struct prefix_list *)res_find(m, s, RES_PL, r->dst_pl);
    return pl && pl->max_entries ? pl->max_entries : 1;
}

static int check_quota(const struct model *m, const struct scope *s, const struct route_table *rt,
                       const struct route *nr, struct merr *err)
{
    int fam = route_quota_family(m, s, nr);
    unsigned n = 0;
    for (size_t i = 0; i < rt->n_routes; i++) {
        const struct route *r = &rt->routes[i];
        if (strcmp(r->origin, ORIGIN_ROUTE) == 0 && route_quota_family(m, s, r) == fam)
            n += route_quota_weight(m, s, r);
    }
    if (n + route_quota_weight(m, s, nr) > m->cfg.routes_per_rtb)
        return merr_set(err, "RouteLimitExceeded",
                        "The maximum number of routes (%u) has been reached for route table %s.",
                        m->cfg.routes_per_rtb, rt->hdr.id);
    return 0;
}

static struct route *route_append(struct route_table *rt)
{
    rt->routes = xgrow(rt->routes, &rt->cap_routes, rt->n_routes, sizeof *rt->routes);
    struct route *r = &rt->routes[rt->n_routes++];
    memset(r, 0, sizeof *r);
    return r;
}

/* Local routes stay grouped at the top of the table, in the VPC's CIDR order. */
static struct route *route_insert_local(struct route_table *rt)
{
    size_t at = 0;
    while (at < rt->n_routes && route_is_local_dest(&rt->routes[at]))
        at++;
    route_append(rt);
    memmove(&rt->routes[at + 1], &rt->routes[at], (rt->n_routes - at - 1) * sizeof *rt->routes);
    struct route *r = &rt->routes[at];
    memset(r, 0, sizeof *r);
    return r;
}

static void route_set_local(struct route *r)
{
    r->kind = RT_LOCAL;
    snprintf(r->target, sizeof r->target, "local");
    snprintf(r->origin, sizeof r->origin, ORIGIN_TABLE);
}

static void add_local4(struct route_table *rt, const struct prefix4 *p)
{
    struct route *r = route_insert_local(rt);
    r->family = 4;
    r->dst4 = *p;
    route_set_local(r);
}

static void add_local6(struct route_table *rt, const struct prefix6 *p)
{
    struct route *r = route_insert_local(rt);
    r->family = 6;
    r->dst6 = *p;
    route_set_local(r);
}

/* ---- tables ---- */

static struct route_table *rtb_build(struct model *m, struct scope *s, struct vpc *v,
                                     const struct tag_list *tags)
{
    struct route_table *rt = (struct route_table *)res_new(m, s, RES_RTB);
    snprintf(rt->vpc_id, sizeof rt->vpc_id, "%s", v->hdr.id);
    res_list_add(&v->route_tables, &rt->hdr);
    for (size_t i = 0; i < v->n_cidrs; i++)
        add_local4(rt, &v->cidrs[i].cidr);
    for (size_t i = 0; i < v->n_ipv6; i++)
        add_local6(rt, &v->ipv6[i].cidr);
    tags_copy(&rt->hdr.tags, tags);
    return rt;
}

static struct rtb_assoc *assoc_append(struct route_table *rt)
{
    rt->assocs = xgrow(rt->assocs, &rt->cap_assocs, rt->n_assocs, sizeof *rt->assocs);
    struct rtb_assoc *a = &rt->assocs[rt->n_assocs++];
    memset(a, 0, sizeof *a);
    id_new(a->id, "rtbassoc");
    return a;
}

static void assoc_remove(struct route_table *rt, size_t i)
{
    memmove(&rt->assocs[i], &rt->assocs[i + 1], (rt->n_assocs - i - 1) * sizeof *rt->assocs);
    rt->n_assocs--;
}

int rtb_create(struct model *m, struct scope *s, const char *vpc_id, const struct tag_list *tags,
               struct route_table **out, struct merr *err)
{
    struct vpc *v = (struct vpc *)res_lookup(m, s, RES_VPC, vpc_id, err);
    if (!v)
        return -1;
    if (v->route_tables.n >= m->cfg.rtbs_per_vpc)
        return merr_set(err, "RouteTableLimitExceeded",
                        "The maximum number of route tables (%u) has been reached for %s.",
                        m->cfg.rtbs_per_vpc, vpc_id);
    if (tags_validate(NULL, tags, err))
        return -1;
    *out = rtb_build(m, s, v, tags);
    return 0;
}

int rtb_create_main(struct model *m, struct scope *s, struct vpc *v, struct merr *err)
{
    (void)err;
    struct route_table *rt = rtb_build(m, s, v, NULL);
    assoc_append(rt)->main = true;
    snprintf(v->main_rtb_id, sizeof v->main_rtb_id, "%s", rt->hdr.id);
    res_touch(m, &v->hdr);
    return 0;
}

static bool rtb_is_main(const struct route_table *rt)
{
    for (size_t i = 0; i < rt->n_assocs; i++)
        if (rt->assocs[i].main)
            return true;
    return false;
}

static bool rtb_has_gateway_assoc(const struct route_table *rt)
{
    for (size_t i = 0; i < rt->n_assocs; i++)
        if (rt->assocs[i].gateway_id[0])
            return true;
    return false;
}

int rtb_delete(struct model *m, struct scope *s, const char *rtb_id, struct merr *err)
{
    struct route_table *rt = (struct route_table *)res_lookup(m, s, RES_RTB, rtb_id, err);
    if (!rt)
        return -1;
    const struct vpc *v = vpc_find(m, s, rt->vpc_id);
    if (rt->n_assocs > 0 || (v && strcmp(v->main_rtb_id, rtb_id) == 0))
        return merr_set(err, "DependencyViolation",
                        "The routeTable '%s' has dependencies and cannot be deleted.", rtb_id);
    if (v)
        res_list_remove(&((struct vpc *)v)->route_tables, &rt->hdr);
    res_delete(m, &rt->hdr);
    return 0;
}

/* ---- routes ---- */

int route_create(struct model *m, struct scope *s, const char *rtb_id,
                 const struct route_dest_args *d, const struct route_target_args *t,
                 struct merr *err)
{
    struct route_table *rt = (struct route_table *)res_lookup(m, s, RES_RTB, rtb_id, err);
    if (!rt)
        return -1;
    struct route nr;
    enum route_target kind;
    const char *target;
    if (parse_dest(d, &nr, err) || parse_target(t, &kind, &target, err) ||
        check_forbidden(&nr, err))
        return -1;
    if (nr.family == 0 && !res_lookup(m, s, RES_PL, nr.dst_pl, err))
        return -1;
    if (check_target(m, s, rt, kind, target, err))
        return -1;
    char dst[DEST_STRLEN];
    route_dest_text(&nr, dst);
    if (route_find_dest(rt, &nr))
        return merr_set(err, "RouteAlreadyExists", "The route identified by %s already exists.",
                        dst);
    if (kind == RT_LOCAL)
        return merr_set(err, "InvalidParameterValue",
                        "The local target can only be used for a route to one of the VPC's CIDR "
                        "blocks, and those routes already exist.");
    if (check_local_overlap(s, rt, &nr, kind, err) || check_quota(m, s, rt, &nr, err))
        return -1;
    if (rtb_has_gateway_assoc(rt) && !middlebox_target(kind))
        return merr_set(err, "InvalidParameterValue",
                        "Route table %s is associated with a gateway: its routes can only target "
                        "a network interface or a Gateway Load Balancer endpoint.",
                        rt->hdr.id);
    struct route *r = route_append(rt);
    *r = nr;
    r->kind = kind;
    snprintf(r->target, sizeof r->target, "%s", target);
    snprintf(r->origin, sizeof r->origin, ORIGIN_ROUTE);
    res_touch(m, &rt->hdr);
    return 0;
}

int route_replace(struct model *m, struct scope *s, const char *rtb_id,
                  const struct route_dest_args *d, const struct route_target_args *t,
                  struct merr *err)
{
    struct route_table *rt = (struct route_table *)res_lookup(m, s, RES_RTB, rtb_id, err);
    if (!rt)
        return -1;
    struct route nr;
    enum route_target kind;
    const char *target;
    if (parse_dest(d, &nr, err) || parse_target(t, &kind, &target, err))
        return -1;
    if (nr.family == 0 && !res_lookup(m, s, RES_PL, nr.dst_pl, err))
        return -1;
    if (check_target(m, s, rt, kind, target, err))
        return -1;
    char dst[DEST_STRLEN];
    route_dest_text(&nr, dst);
    struct route *r = route_find_dest(rt, &nr);
    if (!r)
        return merr_set(err, "InvalidParameterValue",
                        "There is no route defined for '%s' in the route table. Use CreateRoute "
                        "instead.",
                        dst);
    if (strcmp(r->origin, ORIGIN_VGW) == 0)
        return merr_set(err, "InvalidParameterValue",
                        "The route %s in route table %s is propagated and cannot be replaced.", dst,
                        rt->hdr.id);
    if (route_is_local_dest(r)) {
        if (kind != RT_LOCAL && !middlebox_target(kind))
            return merr_set(err, "InvalidParameterValue",
                            "The local route %s in route table %s can only target a network "
                            "interface, a NAT gateway or a Gateway Load Balancer endpoint.",
                            dst, rt->hdr.id);
    } else {
        if (kind == RT_LOCAL)
            return merr_set(err, "InvalidParameterValue",
                            "The local target can only be restored on a route to one of the "
                            "VPC's CIDR blocks; %s is not one.",
                            dst);
        if (check_local_overlap(s, rt, &nr, kind, err))
            return -1;
        if (rtb_has_gateway_assoc(rt) && !middlebox_target(kind))
            return merr_set(err, "InvalidParameterValue",
                            "Route table %s is associated with a gateway: its routes can only "
                            "target a network interface or a Gateway Load Balancer endpoint.",
                            rt->hdr.id);
    }
    r->kind = kind;
    snprintf(r->target, sizeof r->target, "%s", target);
    res_touch(m, &rt->hdr);
    return 0;
}

int route_delete(struct model *m, struct scope *s, const char *rtb_id,
                 const struct route_dest_args *d, struct merr *err)
{
    struct route_table *rt = (struct route_table *)res_lookup(m, s, RES_RTB, rtb_id, err);
    if (!rt)
        return -1;
    struct route nr;
    if (parse_dest(d, &nr, err))
        return -1;
    char dst[DEST_STRLEN];
    route_dest_text(&nr, dst);
    struct route *r = route_find_dest(rt, &nr);
    if (!r)
        return merr_set(err, "InvalidRoute.NotFound", "no route with %s %s in route table %s",
                        route_dest_param(&nr), dst, rt->hdr.id);
    if (route_is_local_dest(r))
        return merr_set(err, "InvalidParameterValue",
                        "cannot remove local route %s in route "
                        "table %s",
                        dst, rt->hdr.id);
    if (strcmp(r->origin, ORIGIN_VGW) == 0)
        return merr_set(err, "InvalidParameterValue",
                        "The route %s in route table %s is propagated and cannot be deleted.", dst,
                        rt->hdr.id);
    size_t i = (size_t)(r - rt->routes);
    memmove(&rt->routes[i], &rt->routes[i + 1], (rt->n_routes - i - 1) * sizeof *rt->routes);
    rt->n_routes--;
    res_touch(m, &rt->hdr);
    return 0;
}

const char *rtb_route_state(const struct model *m, const struct route_table *rt,
                            const struct route *r)
{
    const struct scope *s = rt->hdr.scope;
    switch (r->kind) {
    case RT_LOCAL:
        return "active";
    case RT_GATEWAY:
        if (has_prefix(r->target, "igw")) {
            const struct igw *g = (const struct igw *)res_find(m, s, RES_IGW, r->target);
            return g && strcmp(g->vpc_id, rt->vpc_id) == 0 ? "active" : "blackhole";
        }
        return target_res(m, s, r->target) ? "active" : "blackhole";
    case RT_EIGW:
        return res_find(m, s, RES_EIGW, r->target) ? "active" : "blackhole";
    case RT_CORE_NETWORK:
        return "blackhole";
    case RT_PCX: /* active only while the connection is */
        return pcx_route_state(m, s, rt->vpc_id, r->target);
    case RT_TGW: /* active while this VPC's attachment is */
        return tgw_vpc_route_state(m, rt, r->target);
    case RT_NAT:
        return nat_route_active(m, s, r->target) ? "active" : "blackhole";
    case RT_INSTANCE:
        return instance_route_active(m, s, r->target) ? "active" : "blackhole";
    case RT_ENI:
        return eni_route_active(m, s, r->target) ? "active" : "blackhole";
    default:
        return target_res(m, s, r->target) ? "active" : "blackhole";
    }
}

const char *route_state(const struct model *m, const struct scope *s, const struct route *r)
{
    /* Compare addresses as integers: the route is inside exactly one table's array. */
    uintptr_t p = (uintptr_t)r;
    const struct route_table *rt;
    SCOPE_FOREACH(rt, s, RES_RTB)
    {
        if (rt->n_routes && p >= (uintptr_t)rt->routes &&
            p < (uintptr_t)(rt->routes + rt->n_routes))
            return rtb_route_state(m, rt, r);
    }
    return r->kind == RT_LOCAL ? "active" : "blackhole";
}

/* ---- associations ---- */

static struct route_table *assoc_find(const struct scope *s, const char *assoc_id, size_t *idx)
{
    struct route_table *rt;
    SCOPE_FOREACH(rt, s, RES_RTB)
    {
        for (size_t i = 0; i < rt->n_assocs; i++)
            if (strcmp(rt->assocs[i].id, assoc_id) == 0) {
                *idx = i;
                return rt;
            }
    }
    return NULL;
}

/* A gateway (edge) table: not main, no propagation, and only routes AWS allows there: the
 * local routes and whole-VPC or subnet CIDRs sent to a middlebox. */
static int check_gateway_table(const struct route_table *rt, struct merr *err)
{
    if (rtb_is_main(rt))
        return merr_set(err, "InvalidParameterValue",
                        "The main route table %s cannot be associated with a gateway.", rt->hdr.id);
    if (rt->n_vgws)
        return merr_set(err, "InvalidParameterValue",
                        "Route table %s has route propagation enabled and cannot be associated "
                        "with a gateway.",
                        rt->hdr.id);
    for (size_t i = 0; i < rt->n_routes; i++) {
        const struct route *r = &rt->routes[i];
        if (route_is_local_dest(r))
            continue;
        if (!middlebox_target(r->kind) || r->family == 0) {
            char dst[DEST_STRLEN];
            route_dest_text(r, dst);
            return merr_set(err, "InvalidParameterValue",
                            "Route table %s contains unsupported route destination %s for a "
                            "gateway association.",
                            rt->hdr.id, dst);
        }
    }
    return 0;
}

static int assoc_conflict(const struct route_table *rt, struct merr *err)
{
    return merr_set(err, "Resource.AlreadyAssociated",
                    "the specified association for route table %s conflicts with an existing "
                    "association",
                    rt->hdr.id);
}

int rtb_associate(struct model *m, struct scope *s, const char *rtb_id, const char *subnet_id,
                  const char *gateway_id, const char **assoc_id_out, struct merr *err)
{
    struct route_table *rt = (struct route_table *)res_lookup(m, s, RES_RTB, rtb_id, err);
    if (!rt)
        return -1;
    if (!subnet_id && !gateway_id)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter subnetId or gatewayId");
    if (subnet_id && gateway_id)
        return merr_set(err, "InvalidParameterCombination",
                        "The parameter subnetId cannot be used with the parameter gatewayId");
    const struct route_table *other;
    if (subnet_id) {
        const struct subnet *sn =
            (const struct subnet *)res_lookup(m, s, RES_SUBNET, subnet_id, err);
        if (!sn)
            return -1;
        if (strcmp(sn->vpc_id, rt->vpc_id) != 0)
            return merr_set(err, "InvalidParameterValue",
                            "route table %s and subnet %s belong to different networks", rtb_id,
                            subnet_id);
        if (rtb_has_gateway_assoc(rt))
            return merr_set(err, "InvalidParameterValue",
                            "Route table %s is associated with a gateway and cannot be "
                            "associated with a subnet.",
                            rtb_id);
        SCOPE_FOREACH(other, s, RES_RTB)
        {
            for (size_t i = 0; i < other->n_assocs; i++)
                if (strcmp(other->assocs[i].subnet_id, subnet_id) == 0)
                    return assoc_conflict(rt, err);
        }
    } else {
        if (has_prefix(gateway_id, "igw")) {
            const struct igw *g = (const struct igw *)res_lookup(m, s, RES_IGW, gateway_id, err);
            if (!g)
                return -1;
            if (strcmp(g->vpc_id, rt->vpc_id) != 0)
                return different_networks(rt, gateway_id, err);
        } else if (!(has_prefix(gateway_id, "vgw") && target_res(m, s, gateway_id))) {
            return merr_set(err, "InvalidGatewayID.NotFound", "The gateway ID '%s' does not exist",
                            gateway_id);
        }
        SCOPE_FOREACH(other, s, RES_RTB)
        {
            for (size_t i = 0; i < other->n_assocs; i++)
                if (strcmp(other->assocs[i].gateway_id, gateway_id) == 0)
                    return assoc_conflict(rt, err);
        }
        for (size_t i = 0; i < rt->n_assocs; i++)
            if (rt->assocs[i].subnet_id[0])
                return merr_set(err, "InvalidParameterValue",
                                "Route table %s is associated with subnets and cannot be "
                                "associated with a gateway.",
                                rtb_id);
        if (check_gateway_table(rt, err))
            return -1;
    }
    struct rtb_assoc *a = assoc_append(rt);
    if (subnet_id)
        snprintf(a->subnet_id, sizeof a->subnet_id, "%s", subnet_id);
    else
        snprintf(a->gateway_id, sizeof a->gateway_id, "%s", gateway_id);
    res_touch(m, &rt->hdr);
    *assoc_id_out = a->id;
    return 0;
}

static int assoc_not_found(const char *assoc_id, struct merr *err)
{
    return merr_set(err, "InvalidAssociationID.NotFound", "The association ID '%s' does not exist",
                    assoc_id);
}

int rtb_disassociate(struct model *m, struct scope *s, const char *assoc_id, struct merr *err)
{
    size_t i;
    struct route_table *rt = assoc_find(s, assoc_id, &i);
    if (!rt)
        return assoc_not_found(assoc_id, err);
    if (rt->assocs[i].main)
        return merr_set(err, "InvalidParameterValue",
                        "cannot disassociate the main route table association %s", assoc_id);
    assoc_remove(rt, i);
    res_touch(m, &rt->hdr);
    return 0;
}

int rtb_replace_association(struct model *m, struct scope *s, const char *assoc_id,
                            const char *rtb_id, const char **new_assoc_id_out, struct merr *err)
{
    struct route_table *to = (struct route_table *)res_lookup(m, s, RES_RTB, rtb_id, err);
    if (!to)
        return -1;
    size_t i;
    struct route_table *from = assoc_find(s, assoc_id, &i);
    if (!from)
        return assoc_not_found(assoc_id, err);
    if (strcmp(from->vpc_id, to->vpc_id) != 0)
        return merr_set(err, "InvalidParameterValue",
                        "route table %s and association %s belong to different networks", rtb_id,
                        assoc_id);
    struct rtb_assoc old = from->assocs[i];
    struct vpc *v = NULL;
    if (old.main) {
        if (rtb_has_gateway_assoc(to))
            return merr_set(err, "InvalidParameterValue",
                            "Route table %s is associated with a gateway and cannot be the main "
                            "route table.",
                            rtb_id);
        v = vpc_find(m, s, to->vpc_id);
    } else if (old.gateway_id[0] && to != from) {
        if (check_gateway_table(to, err))
            return -1;
        for (size_t k = 0; k < to->n_assocs; k++)
            if (to->assocs[k].subnet_id[0])
                return merr_set(err, "InvalidParameterValue",
                                "Route table %s is associated with subnets and cannot be "
                                "associated with a gateway.",
                                rtb_id);
    } else if (old.subnet_id[0] && rtb_has_gateway_assoc(to)) {
        return merr_set(err, "InvalidParameterValue",
                        "Route table %s is associated with a gateway and cannot be associated "
                        "with a subnet.",
                        rtb_id);
    }
    assoc_remove(from, i);
    struct rtb_assoc *a = assoc_append(to);
    char fresh[ID_MAX];
    memcpy(fresh, a->id, ID_MAX);
    *a = old;
    memcpy(a->id, fresh, ID_MAX);
    if (v) {
        snprintf(v->main_rtb_id, sizeof v->main_rtb_id, "%s", to->hdr.id);
        res_touch(m, &v->hdr);
    }
    res_touch(m, &from->hdr);
    res_touch(m, &to->hdr);
    *new_assoc_id_out = a->id;
    return 0;
}

struct route_table *rtb_for_subnet(const struct model *m, const struct scope *s,
                                   const struct subnet *sn)
{
    struct route_table *rt;
    SCOPE_FOREACH(rt, s, RES_RTB)
    {
        for (size_t i = 0; i < rt->n_assocs; i++)
            if (strcmp(rt->assocs[i].subnet_id, sn->hdr.id) == 0)
                return rt;
    }
    const struct vpc *v = vpc_find(m, s, sn->vpc_id);
    return v ? rtb_find(m, s, v->main_rtb_id) : NULL;
}

void rtb_forget_subnet(struct model *m, struct scope *s, const char *subnet_id)
{
    struct route_table *rt;
    SCOPE_FOREACH(rt, s, RES_RTB)
    {
        for (size_t i = 0; i < rt->n_assocs; i++)
            if (strcmp(rt->assocs[i].subnet_id, subnet_id) == 0) {
                assoc_remove(rt, i);
                res_touch(m, &rt->hdr);
                return;
            }
    }
}

static bool vpc_has_cidr4(const struct vpc *v, const struct prefix4 *p)
{
    for (size_t i = 0; i < v->n_cidrs; i++)
        if (prefix4_equal(&v->cidrs[i].cidr, p))
            return true;
    return false;
}

static bool vpc_has_cidr6(const struct vpc *v, const struct prefix6 *p)
{
    for (size_t i = 0; i < v->n_ipv6; i++)
        if (prefix6_equal(&v->ipv6[i].cidr, p))
            return true;
    return false;
}

void rtb_sync_local_routes(struct model *m, struct scope *s, const struct vpc *v)
{
    struct route_table *rt;
    SCOPE_FOREACH(rt, s, RES_RTB)
    {
        if (strcmp(rt->vpc_id, v->hdr.id) != 0)
            continue;
        bool changed = false;
        for (size_t i = rt->n_routes; i-- > 0;) {
            const struct route *r = &rt->routes[i];
            if (!route_is_local_dest(r))
                continue;
            if ((r->family == 4 && vpc_has_cidr4(v, &r->dst4)) ||
                (r->family == 6 && vpc_has_cidr6(v, &r->dst6)))
                continue;
            memmove(&rt->routes[i], &rt->routes[i + 1],
                    (rt->n_routes - i - 1) * sizeof *rt->routes);
            rt->n_routes--;
            changed = true;
        }
        for (size_t i = 0; i < v->n_cidrs; i++) {
            struct route probe = {.family = 4, .dst4 = v->cidrs[i].cidr};
            if (!route_find_dest(rt, &probe)) {
                add_local4(rt, &probe.dst4);
                changed = true;
            }
        }
        for (size_t i = 0; i < v->n_ipv6; i++) {
            struct route probe = {.family = 6, .dst6 = v->ipv6[i].cidr};
            if (!route_find_dest(rt, &probe)) {
                add_local6(rt, &probe.dst6);
                changed = true;
            }
        }
        if (changed)
            res_touch(m, &rt->hdr);
    }
}

/* ---- class ---- */

static const char *const kind_names[] = {
    [RT_LOCAL] = "local", [RT_GATEWAY] = "gateway",   [RT_EIGW] = "eigw",
    [RT_NAT] = "nat",     [RT_INSTANCE] = "instance", [RT_ENI] = "eni",
    [RT_PCX] = "pcx",     [RT_TGW] = "tgw",           [RT_VPCE] = "vpce",
    [RT_LGW] = "lgw",     [RT_CARRIER] = "carrier",   [RT_CORE_NETWORK] = "core-network",
};

static void rtb_destroy(struct res *r)
{
    struct route_table *rt = (struct route_table *)r;
    free(rt->routes);
    free(rt->assocs);
    free(rt->vgws);
}

static json_t *rtb_encode(const struct res *r)
{
    const struct route_table *rt = (const struct route_table *)r;
    json_t *routes = json_array(), *assocs = json_array(), *vgws = json_array();
    for (size_t i = 0; i < rt->n_routes; i++) {
        const struct route *ro = &rt->routes[i];
        char dst[DEST_STRLEN];
        route_dest_text(ro, dst);
        json_array_append_new(routes, json_pack("{s:i,s:s,s:s,s:s,s:s}", "family", ro->family,
                                                "dst", dst, "kind", kind_names[ro->kind], "target",
                                                ro->target, "origin", ro->origin));
    }
    for (size_t i = 0; i < rt->n_assocs; i++) {
        const struct rtb_assoc *a = &rt->assocs[i];
        json_array_append_new(assocs, json_pack("{s:s,s:b,s:s,s:s}", "id", a->id, "main", a->main,
                                                "subnet", a->subnet_id, "gateway", a->gateway_id));
    }
    for (size_t i = 0; i < rt->n_vgws; i++)
        json_array_append_new(vgws, json_string(rt->vgws[i]));
    return json_pack("{s:s,s:s,s:o,s:o,s:o}", "vpc", rt->vpc_id, "token", rt->client_token,
                     "routes", routes, "assocs", assocs, "vgws", vgws);
}

/* rtb_encode() as text for the store (model/jsontext.h). */
static void rtb_encode_text(const struct res *r, struct res_text *t)
{
    const struct route_table *rt = (const struct route_table *)r;
    struct jt o;
    for (size_t i = 0; i < rt->n_routes; i++) {
        const struct route *ro = &rt->routes[i];
        if (res_text_unchanged(t, 0, ro, sizeof *ro))
            continue;
        char dst[DEST_STRLEN];
        route_dest_text(ro, dst);
        jt_begin(&o, t);
        jt_int(&o, "family", ro->family);
        jt_str(&o, "dst", dst);
        jt_str(&o, "kind", kind_names[ro->kind]);
        jt_str(&o, "target", ro->target);
        jt_str(&o, "origin", ro->origin);
        jt_end(&o);
        res_text_elem(t, 0);
    }
    for (size_t i = 0; i < rt->n_assocs; i++) {
        const struct rtb_assoc *a = &rt->assocs[i];
        if (res_text_unchanged(t, 1, a, sizeof *a))
            continue;
        jt_begin(&o, t);
        jt_str(&o, "id", a->id);
        jt_bool(&o, "main", a->main);
        jt_str(&o, "subnet", a->subnet_id);
        jt_str(&o, "gateway", a->gateway_id);
        jt_end(&o);
        res_text_elem(t, 1);
    }
    jt_begin(&o, t);
    jt_str(&o, "vpc", rt->vpc_id);
    jt_str(&o, "token", rt->client_token);
    jt_array_begin(&o, "vgws");
    for (size_t i = 0; i < rt->n_vgws; i++)
        jt_array_str(t, i, rt->vgws[i]);
    jt_array_end(t);
    jt_end(&o);
}

static int decode_route(struct route *ro, json_t *it)
{
    const char *dst = json_string_value(json_object_get(it, "dst"));
    const char *kind = json_string_value(json_object_get(it, "kind"));
    if (!dst || !kind)
        return -EINVAL;
    ro->family = (int)json_integer_value(json_object_get(it, "family"));
    if (ro->family == 4 && prefix4_parse(dst, &ro->dst4))
        return -EINVAL;
    if (ro->family == 6 && prefix6_parse(dst, &ro->dst6))
        return -EINVAL;
    if (ro->family == 0)
        snprintf(ro->dst_pl, sizeof ro->dst_pl, "%s", dst);
    else if (ro->family != 4 && ro->family != 6)
        return -EINVAL;
    size_t k = 0;
    while (k < sizeof kind_names / sizeof kind_names[0] && strcmp(kind_names[k], kind) != 0)
        k++;
    if (k == sizeof kind_names / sizeof kind_names[0])
        return -EINVAL;
    ro->kind = (enum route_target)k;
    json_copy_str(ro->target, sizeof ro->target, it, "target");
    json_copy_str(ro->origin, sizeof ro->origin, it, "origin");
    return 0;
}

static int rtb_decode(struct res *r, json_t *b)
{
    struct route_table *rt = (struct route_table *)r;
    json_copy_str(rt->vpc_id, sizeof rt->vpc_id, b, "vpc");
    json_copy_str(rt->client_token, sizeof rt->client_token, b, "token");
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(b, "routes"), i, it)
    {
        if (decode_route(route_append(rt), it))
            return -EINVAL;
    }
    json_array_foreach(json_object_get(b, "assocs"), i, it)
    {
        struct rtb_assoc *a = assoc_append(rt);
        json_copy_str(a->id, sizeof a->id, it, "id");
        a->main = json_is_true(json_object_get(it, "main"));
        json_copy_str(a->subnet_id, sizeof a->subnet_id, it, "subnet");
        json_copy_str(a->gateway_id, sizeof a->gateway_id, it, "gateway");
    }
    json_array_foreach(json_object_get(b, "vgws"), i, it)
    {
        rt->vgws = xgrow(rt->vgws, &rt->cap_vgws, rt->n_vgws, sizeof *rt->vgws);
        const char *g = json_string_value(it);
        snprintf(rt->vgws[rt->n_vgws++], ID_MAX, "%s", g ? g : "");
    }
    return rt->vpc_id[0] ? 0 : -EINVAL;
}

/* Route filters that match the id of one target kind. */
static const struct {
    const char *name;
    int kind;
} route_target_filters[] = {
    {"route.egress-only-internet-gateway-id", RT_EIGW},
    {"route.nat-gateway-id", RT_NAT},
    {"route.transit-gateway-id", RT_TGW},
    {"route.vpc-peering-connection-id", RT_PCX},
    {"route.instance-id", RT_INSTANCE},
};

/* Repeated values (many routes to one target) are matched once. */
static void fv_add_once(struct fvals *fv, const char *value)
{
    for (size_t i = 0; i < fv->n; i++)
        if (strcmp(fv->items[i], value) == 0)
            return;
    fv_add(fv, value);
}

static int rtb_filter(const struct model *m, const struct res *r, const char *name,
                      struct fvals *out)
{
    const struct route_table *rt = (const struct route_table *)r;
    if (strcmp(name, "route-table-id") == 0) {
        fv_add(out, rt->hdr.id);
    } else if (strcmp(name, "vpc-id") == 0) {
        fv_add(out, rt->vpc_id);
    } else if (strcmp(name, "owner-id") == 0) {
        fv_add(out, rt->hdr.scope->account);
    } else if (strncmp(name, "association.", 12) == 0) {
        const char *what = name + 12;
        bool known = strcmp(what, "route-table-association-id") == 0 ||
                     strcmp(what, "route-table-id") == 0 || strcmp(what, "subnet-id") == 0 ||
                     strcmp(what, "gateway-id") == 0 || strcmp(what, "main") == 0;
        if (!known)
            return -ENOENT;
        for (size_t i = 0; i < rt->n_assocs; i++) {
            const struct rtb_assoc *a = &rt->assocs[i];
            if (strcmp(what, "route-table-association-id") == 0)
                fv_add(out, a->id);
            else if (strcmp(what, "route-table-id") == 0)
                fv_add_once(out, rt->hdr.id);
            else if (strcmp(what, "subnet-id") == 0 && a->subnet_id[0])
                fv_add(out, a->subnet_id);
            else if (strcmp(what, "gateway-id") == 0 && a->gateway_id[0])
                fv_add(out, a->gateway_id);
            else if (strcmp(what, "main") == 0)
                fv_add_once(out, a->main ? "true" : "false");
        }
    } else if (strncmp(name, "route.", 6) == 0) {
        const char *what = name + 6;
        int kind = -1; /* not a target filter */
        for (size_t k = 0; k < sizeof route_target_filters / sizeof route_target_filters[0]; k++)
            if (strcmp(name, route_target_filters[k].name) == 0)
                kind = route_target_filters[k].kind;
        bool known = kind >= 0 || strcmp(what, "destination-cidr-block") == 0 ||
                     strcmp(what, "destination-ipv6-cidr-block") == 0 ||
                     strcmp(what, "destination-prefix-list-id") == 0 ||
                     strcmp(what, "gateway-id") == 0 || strcmp(what, "origin") == 0 ||
                     strcmp(what, "state") == 0;
        if (!known)
            return -ENOENT;
        for (size_t i = 0; i < rt->n_routes; i++) {
            const struct route *ro = &rt->routes[i];
            char dst[DEST_STRLEN];
            route_dest_text(ro, dst);
            if (kind >= 0) {
                if ((int)ro->kind == kind)
                    fv_add_once(out, ro->target);
            } else if (strcmp(what, "destination-cidr-block") == 0) {
                if (ro->family == 4)
                    fv_add_once(out, dst);
            } else if (strcmp(what, "destination-ipv6-cidr-block") == 0) {
                if (ro->family == 6)
                    fv_add_once(out, dst);
            } else if (strcmp(what, "destination-prefix-list-id") == 0) {
                if (ro->family == 0)
                    fv_add_once(out, dst);
            } else if (strcmp(what, "gateway-id") == 0) {
                if (ro->kind == RT_LOCAL || ro->kind == RT_GATEWAY || ro->kind == RT_VPCE)
                    fv_add_once(out, ro->target);
            } else if (strcmp(what, "origin") == 0) {
                fv_add_once(out, ro->origin);
            } else {
                fv_add_once(out, rtb_route_state(m, rt, ro));
            }
        }
    } else {
        return -ENOENT;
    }
    return 0;
}

static void rtb_adopted(struct model *m, struct res *r)
{
    struct res *v = res_find_any(m, ((struct route_table *)r)->vpc_id);
    if (v && v->type == RES_VPC)
        res_list_add(&((struct vpc *)v)->route_tables, r);
}

const struct res_class rtb_class = {
    .name = "route table",
    .id_prefix = "rtb",
    .size = sizeof(struct route_table),
    .not_found_code = "InvalidRouteTableID.NotFound",
    .malformed_code = "InvalidRouteTableId.Malformed",
    .tag_resource_type = "route-table",
    .destroy = rtb_destroy,
    .encode = rtb_encode,
    .split = {"routes", "assocs"},
    .encode_text = rtb_encode_text,
    .decode = rtb_decode,
    .adopted = rtb_adopted,
    .filter = rtb_filter,
};
