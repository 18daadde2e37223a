/* EC2 actions for route tables, routes and route table associations. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "model/resources.h"

/* Optional string parameter; AWS treats an empty value as not given. */
static const char *opt_str(struct api_ctx *c, const char *name)
{
    const char *v = api_str(c, name);
    return v && *v ? v : NULL;
}

static void route_xml(struct strbuf *sb, const struct model *m, const struct route_table *rt,
                      const struct route *r)
{
    char dst[PREFIX6_STRLEN];
    if (r->family == 4) {
        prefix4_format(&r->dst4, dst);
        xml_str(sb, "destinationCidrBlock", dst);
    } else if (r->family == 6) {
        prefix6_format(&r->dst6, dst);
        xml_str(sb, "destinationIpv6CidrBlock", dst);
    } else {
        xml_str(sb, "destinationPrefixListId", r->dst_pl);
    }
    static const char *const target_tags[] = {
        [RT_LOCAL] = "gatewayId",
        [RT_GATEWAY] = "gatewayId",
        [RT_EIGW] = "egressOnlyInternetGatewayId",
        [RT_NAT] = "natGatewayId",
        [RT_INSTANCE] = "instanceId",
        [RT_ENI] = "networkInterfaceId",
        [RT_PCX] = "vpcPeeringConnectionId",
        [RT_TGW] = "transitGatewayId",
        /* Route has no vpcEndpointId member: AWS reports endpoint targets as gatewayId. */
        [RT_VPCE] = "gatewayId",
        [RT_LGW] = "localGatewayId",
        [RT_CARRIER] = "carrierGatewayId",
        [RT_CORE_NETWORK] = "coreNetworkArn",
    };
    xml_str(sb, target_tags[r->kind], r->target);
    if (r->kind == RT_INSTANCE)
        xml_str(sb, "instanceOwnerId", rt->hdr.scope->account);
    xml_str(sb, "origin", r->origin);
    xml_str(sb, "state", rtb_route_state(m, rt, r));
}

static void assoc_state_xml(struct strbuf *sb, const char *state)
{
    xml_open(sb, "associationState");
    xml_str(sb, "state", state);
    xml_close(sb, "associationState");
}

static void rtb_xml(struct api_ctx *c, const struct res *r)
{
    const struct route_table *rt = (const struct route_table *)r;
    struct strbuf *sb = c->out;
    xml_str(sb, "routeTableId", rt->hdr.id);
    xml_str(sb, "vpcId", rt->vpc_id);
    xml_str(sb, "ownerId", rt->hdr.scope->account);
    xml_open(sb, "routeSet");
    for (size_t i = 0; i < rt->n_routes; i++) {
        xml_open(sb, "item");
        route_xml(sb, c->model, rt, &rt->routes[i]);
        xml_close(sb, "item");
    }
    xml_close(sb, "routeSet");
    xml_open(sb, "associationSet");
    for (size_t i = 0; i < rt->n_assocs; i++) {
        const struct rtb_assoc *a = &rt->assocs[i];
        xml_open(sb, "item");
        xml_bool(sb, "main", a->main);
        xml_str(sb, "routeTableAssociationId", a->id);
        xml_str(sb, "routeTableId", rt->hdr.id);
        if (a->subnet_id[0])
            xml_str(sb, "subnetId", a->subnet_id);
        if (a->gateway_id[0])
            xml_str(sb, "gatewayId", a->gateway_id);
        assoc_state_xml(sb, "associated");
        xml_close(sb, "item");
    }
    xml_close(sb, "associationSet");
    xml_open(sb, "propagatingVgwSet");
    for (size_t i = 0; i < rt->n_vgws; i++) {
        xml_open(sb, "item");
        xml_str(sb, "gatewayId", rt->vgws[i]);
        xml_close(sb, "item");
    }
    xml_close(sb, "propagatingVgwSet");
    xml_tags(sb, &rt->hdr.tags);
}

static int create_route_table(struct api_ctx *c)
{
    const char *vpc_id;
    struct tag_list *tags;
    if (api_req(c, "VpcId", &vpc_id) || api_tag_specs(c, "route-table", &tags))
        return -1;
    const char *token = opt_str(c, "ClientToken");
    if (token && strlen(token) > 64)
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value for parameter clientToken is too long: at most 64 characters");
    struct route_table *rt = NULL;
    if (token) {
        /* A retried request with the same token gets the table the first one created. */
        struct route_table *old;
        SCOPE_FOREACH(old, c->scope, RES_RTB)
        if (strcmp(old->client_token, token) == 0)
            rt = old;
        if (rt && strcmp(rt->vpc_id, vpc_id) != 0)
            return merr_set(&c->err, "IdempotentParameterMismatch",
                            "The client token %s was already used with different parameters.",
                            token);
    }
    if (!rt) {
        if (rtb_create(c->model, c->scope, vpc_id, tags, &rt, &c->err))
            return -1;
        if (token) {
            snprintf(rt->client_token, sizeof rt->client_token, "%s", token);
            res_touch(c->model, &rt->hdr);
        }
    }
    xml_open(c->out, "routeTable");
    rtb_xml(c, &rt->hdr);
    xml_close(c->out, "routeTable");
    if (token)
        xml_str(c->out, "clientToken", token);
    return 0;
}

static int describe_route_tables(struct api_ctx *c)
{
    return api_describe(c, RES_RTB, "RouteTableId", "routeTableIds", 5, 100, "routeTableSet",
                        rtb_xml);
}

static int delete_route_table(struct api_ctx *c)
{
    const char *id;
    if (api_req(c, "RouteTableId", &id) || rtb_delete(c->model, c->scope, id, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int route_params(struct api_ctx *c, const char **rtb_id, struct route_dest_args *d,
                        struct route_target_args *t, bool local_target_allowed)
{
    if (api_req(c, "RouteTableId", rtb_id))
        return -1;
    d->cidr = opt_str(c, "DestinationCidrBlock");
    d->ipv6_cidr = opt_str(c, "DestinationIpv6CidrBlock");
    d->prefix_list_id = opt_str(c, "DestinationPrefixListId");
    if (!t)
        return 0;
    memset(t, 0, sizeof *t);
    t->gateway_id = opt_str(c, "GatewayId");
    t->eigw_id = opt_str(c, "EgressOnlyInternetGatewayId");
    t->nat_id = opt_str(c, "NatGatewayId");
    t->instance_id = opt_str(c, "InstanceId");
    t->eni_id = opt_str(c, "NetworkInterfaceId");
    t->pcx_id = opt_str(c, "VpcPeeringConnectionId");
    t->tgw_id = opt_str(c, "TransitGatewayId");
    t->vpce_id = opt_str(c, "VpcEndpointId");
    t->lgw_id = opt_str(c, "LocalGatewayId");
    t->carrier_id = opt_str(c, "CarrierGatewayId");
    t->core_network_arn = opt_str(c, "CoreNetworkArn");
    if (local_target_allowed && api_bool(c, "LocalTarget", false, &t->local_target))
        return -1;
    return 0;
}

static int create_route(struct api_ctx *c)
{
    const char *rtb_id;
    struct route_dest_args d;
    struct route_target_args t;
    if (route_params(c, &rtb_id, &d, &t, false) ||
        route_create(c->model, c->scope, rtb_id, &d, &t, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int replace_route(struct api_ctx *c)
{
    const char *rtb_id;
    struct route_dest_args d;
    struct route_target_args t;
    if (route_params(c, &rtb_id, &d, &t, true) ||
        route_replace(c->model, c->scope, rtb_id, &d, &t, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int delete_route(struct api_ctx *c)
{
    const char *rtb_id;
    struct route_dest_args d;
    if (route_params(c, &rtb_id, &d, NULL, false) ||
        route_delete(c->model, c->scope, rtb_id, &d, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int associate_route_table(struct api_ctx *c)
{
    const char *rtb_id, *assoc;
    if (api_req(c, "RouteTableId", &rtb_id) ||
        rtb_associate(c->model, c->scope, rtb_id, opt_str(c, "SubnetId"), opt_str(c, "GatewayId"),
                      &assoc, &c->err))
        return -1;
    xml_str(c->out, "associationId", assoc);
    assoc_state_xml(c->out, "associated");
    return 0;
}

static int disassociate_route_table(struct api_ctx *c)
{
    const char *assoc;
    if (api_req(c, "AssociationId", &assoc) || rtb_disassociate(c->model, c->scope, assoc, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int replace_route_table_association(struct api_ctx *c)
{
    const char *assoc, *rtb_id, *fresh;
    if (api_req(c, "AssociationId", &assoc) || api_req(c, "RouteTableId", &rtb_id) ||
        rtb_replace_association(c->model, c->scope, assoc, rtb_id, &fresh, &c->err))
        return -1;
    xml_str(c->out, "newAssociationId", fresh);
    assoc_state_xml(c->out, "associated");
    return 0;
}

/* vpcd has no virtual private gateways yet: after the table checks, every gateway id is
 * unknown, exactly as AWS answers for a VGW that does not exist. */
static int vgw_propagation(struct api_ctx *c)
{
    const char *rtb_id, *gw;
    if (api_req(c, "RouteTableId", &rtb_id) || api_req(c, "GatewayId", &gw))
        return -1;
    if (!res_lookup(c->model, c->scope, RES_RTB, rtb_id, &c->err))
        return -1;
    return merr_set(&c->err, "InvalidVpnGatewayID.NotFound",
                    "The vpnGateway ID '%s' does not exist", gw);
}

const struct api_action rtb_actions[] = {
    {"CreateRouteTable", create_route_table},
    {"DescribeRouteTables", describe_route_tables},
    {"DeleteRouteTable", delete_route_table},
    {"CreateRoute", create_route},
    {"ReplaceRoute", replace_route},
    {"DeleteRoute", delete_route},
    {"AssociateRouteTable", associate_route_table},
    {"DisassociateRouteTable", disassociate_route_table},
    {"ReplaceRouteTableAssociation", replace_route_table_association},
    {"EnableVgwRoutePropagation", vgw_propagation},
    {"DisableVgwRoutePropagation", vgw_propagation},
    {NULL, NULL},
};
