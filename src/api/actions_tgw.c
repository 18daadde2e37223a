/* EC2 actions of the transit gateway family: TGWs, VPC and peering attachments, TGW route
 * tables with their associations, propagations and routes. The model stores the state an
 * object settles in; Create/Delete/Accept answers print AWS's transitional state instead
 * ("pending", "deleting", "associating" ...), which a client's next read sees settled. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "lib/xalloc.h"
#include "model/resources.h"

static void xml_time(struct strbuf *sb, const char *tag, time_t t)
{
    struct tm tm;
    char buf[40];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    xml_str(sb, tag, buf);
}

static const char *endis(bool b)
{
    return b ? "enable" : "disable";
}

/* An enable/disable option: -1 when absent. */
static int opt_endis(struct api_ctx *c, const char *name, int *out)
{
    const char *v = api_str(c, name);
    *out = -1;
    if (!v)
        return 0;
    if (strcmp(v, "enable") == 0)
        *out = 1;
    else if (strcmp(v, "disable") == 0)
        *out = 0;
    else
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value (%s) for parameter %s is invalid. Expected: 'enable' or "
                        "'disable'.",
                        v, name);
    return 0;
}

static int opt_asn(struct api_ctx *c, const char *name, long long *out)
{
    long v;
    if (api_int(c, name, 0, &v))
        return -1;
    *out = v;
    return 0;
}

/* ---- transit gateways ---- */

static void tgw_body(struct api_ctx *c, const struct tgw *t, const char *state)
{
    struct strbuf *sb = c->out;
    char arn[256];
    tgw_arn_format(t, arn);
    xml_str(sb, "transitGatewayId", t->hdr.id);
    xml_str(sb, "transitGatewayArn", arn);
    xml_str(sb, "state", state ? state : t->state);
    xml_str(sb, "ownerId", t->hdr.scope->account);
    xml_str(sb, "description", t->description);
    xml_time(sb, "creationTime", t->created);
    xml_open(sb, "options");
    xml_int(sb, "amazonSideAsn", t->asn);
    xml_open(sb, "transitGatewayCidrBlocks");
    for (size_t i = 0; i < t->n_cidrs; i++)
        xml_str(sb, "item", t->cidrs[i]);
    xml_close(sb, "transitGatewayCidrBlocks");
    xml_str(sb, "autoAcceptSharedAttachments", endis(t->auto_accept));
    xml_str(sb, "defaultRouteTableAssociation", endis(t->default_assoc));
    if (t->assoc_rtb[0])
        xml_str(sb, "associationDefaultRouteTableId", t->assoc_rtb);
    xml_str(sb, "defaultRouteTablePropagation", endis(t->default_prop));
    if (t->prop_rtb[0])
        xml_str(sb, "propagationDefaultRouteTableId", t->prop_rtb);
    xml_str(sb, "vpnEcmpSupport", endis(t->vpn_ecmp));
    xml_str(sb, "dnsSupport", endis(t->dns));
    xml_str(sb, "securityGroupReferencingSupport", endis(t->sg_ref));
    xml_str(sb, "multicastSupport", endis(t->multicast));
    xml_close(sb, "options");
    xml_tags(sb, &t->hdr.tags);
}

static void tgw_item(struct api_ctx *c, const struct res *r)
{
    tgw_body(c, (const struct tgw *)r, NULL);
}

static void tgw_wrapped(struct api_ctx *c, const struct tgw *t, const char *state)
{
    xml_open(c->out, "transitGateway");
    tgw_body(c, t, state);
    xml_close(c->out, "transitGateway");
}

static int create_transit_gateway(struct api_ctx *c)
{
    struct tgw_opts o = {0};
    struct tag_list *tags;
    if (opt_endis(c, "Options.AutoAcceptSharedAttachments", &o.auto_accept) ||
        opt_endis(c, "Options.DefaultRouteTableAssociation", &o.default_assoc) ||
        opt_endis(c, "Options.DefaultRouteTablePropagation", &o.default_prop) ||
        opt_endis(c, "Options.VpnEcmpSupport", &o.vpn_ecmp) ||
        opt_endis(c, "Options.DnsSupport", &o.dns) ||
        opt_endis(c, "Options.MulticastSupport", &o.multicast) ||
        opt_endis(c, "Options.SecurityGroupReferencingSupport", &o.sg_ref) ||
        opt_asn(c, "Options.AmazonSideAsn", &o.asn) ||
        api_strlist(c, "Options.TransitGatewayCidrBlocks", &o.cidrs, &o.n_cidrs) ||
        api_tag_specs(c, "transit-gateway", &tags))
        return -1;
    struct tgw *t;
    if (tgw_create(c->model, c->scope, api_str(c, "Description"), &o, tags, &t, &c->err))
        return -1;
    tgw_wrapped(c, t, "pending");
    return 0;
}

static int describe_transit_gateways(struct api_ctx *c)
{
    tgw_gc(c->model, c->scope);
    return api_describe(c, RES_TGW, "TransitGatewayIds", "transitGatewayIds", 5, 1000,
                        "transitGatewaySet", tgw_item);
}

static int modify_transit_gateway(struct api_ctx *c)
{
    const char *id;
    struct tgw_opts o = {0};
    if (api_req(c, "TransitGatewayId", &id) ||
        opt_endis(c, "Options.AutoAcceptSharedAttachments", &o.auto_accept) ||
        opt_endis(c, "Options.DefaultRouteTableAssociation", &o.default_assoc) ||
        opt_endis(c, "Options.DefaultRouteTablePropagation", &o.default_prop) ||
        opt_endis(c, "Options.VpnEcmpSupport", &o.vpn_ecmp) ||
        opt_endis(c, "Options.DnsSupport", &o.dns) ||
        opt_endis(c, "Options.SecurityGroupReferencingSupport", &o.sg_ref) ||
        opt_asn(c, "Options.AmazonSideAsn", &o.asn) ||
        api_strlist(c, "Options.AddTransitGatewayCidrBlocks", &o.cidrs, &o.n_cidrs) ||
        api_strlist(c, "Options.RemoveTransitGatewayCidrBlocks", &o.remove_cidrs,
                    &o.n_remove_cidrs))
        return -1;
    o.multicast = -1;
    o.assoc_rtb = api_str(c, "Options.AssociationDefaultRouteTableId");
    o.prop_rtb = api_str(c, "Options.PropagationDefaultRouteTableId");
    struct tgw *t;
    if (tgw_modify(c->model, c->scope, id, api_str(c, "Description"), &o, &t, &c->err))
        return -1;
    tgw_wrapped(c, t, "modifying");
    return 0;
}

static int delete_transit_gateway(struct api_ctx *c)
{
    const char *id;
    struct tgw *t;
    if (api_req(c, "TransitGatewayId", &id) || tgw_delete(c->model, c->scope, id, &t, &c->err))
        return -1;
    tgw_wrapped(c, t, "deleting");
    return 0;
}

/* ---- attachments ---- */

static void attach_ref(struct strbuf *sb, const struct tgw_attach *a)
{
    xml_str(sb, "transitGatewayAttachmentId", a->hdr.id);
    xml_str(sb, "resourceId", tgw_attach_resource_id(a));
    xml_str(sb, "resourceType", tgw_attach_resource_type(a));
}

static void vpc_attach_body(struct api_ctx *c, const struct tgw_attach *a, const char *state)
{
    struct strbuf *sb = c->out;
    xml_str(sb, "transitGatewayAttachmentId", a->hdr.id);
    xml_str(sb, "transitGatewayId", a->tgw_id);
    xml_str(sb, "vpcId", a->vpc_id);
    xml_str(sb, "vpcOwnerId", a->hdr.scope->account);
    xml_str(sb, "state", state ? state : tgw_attach_state(a));
    xml_open(sb, "subnetIds");
    for (size_t i = 0; i < a->n_subnets; i++)
        xml_str(sb, "item", a->subnets[i]);
    xml_close(sb, "subnetIds");
    xml_time(sb, "creationTime", a->created);
    xml_open(sb, "options");
    xml_str(sb, "dnsSupport", endis(a->dns_support));
    xml_str(sb, "securityGroupReferencingSupport", endis(a->sg_ref));
    xml_str(sb, "ipv6Support", endis(a->ipv6_support));
    xml_str(sb, "applianceModeSupport", endis(a->appliance_mode));
    xml_close(sb, "options");
    xml_tags(sb, &a->hdr.tags);
}

static void vpc_attach_item(struct api_ctx *c, const struct res *r)
{
    vpc_attach_body(c, (const struct tgw_attach *)r, NULL);
}

static void vpc_attach_wrapped(struct api_ctx *c, const struct tgw_attach *a, const char *state)
{
    xml_open(c->out, "transitGatewayVpcAttachment");
    vpc_attach_body(c, a, state);
    xml_close(c->out, "transitGatewayVpcAttachment");
}

static void peering_info(struct strbuf *sb, const char *tag, const char *tgw, const char *owner,
                         const char *region)
{
    xml_open(sb, tag);
    xml_str(sb, "transitGatewayId", tgw);
    xml_str(sb, "ownerId", owner);
    xml_str(sb, "region", region);
    xml_close(sb, tag);
}

static void peering_body(struct api_ctx *c, const struct tgw_attach *a, const char *state)
{
    struct strbuf *sb = c->out;
    const char *st = state ? state : tgw_attach_state(a);
    xml_str(sb, "transitGatewayAttachmentId", a->hdr.id);
    xml_str(sb, "accepterTransitGatewayAttachmentId",
            a->requester ? a->peer_attach_id : a->hdr.id);
    peering_info(sb, "requesterTgwInfo", a->req_tgw, a->req_owner, a->req_region);
    peering_info(sb, "accepterTgwInfo", a->acc_tgw, a->acc_owner, a->acc_region);
    xml_open(sb, "options");
    xml_str(sb, "dynamicRouting", endis(a->dynamic_routing));
    xml_close(sb, "options");
    xml_open(sb, "status");
    xml_str(sb, "code", st);
    char msg[96];
    if (strcmp(st, "pendingAcceptance") == 0)
        snprintf(msg, sizeof msg, "Pending Acceptance by %s", a->acc_owner);
    else
        snprintf(msg, sizeof msg, "%c%s", st[0] - ('a' - 'A'), st + 1);
    xml_str(sb, "message", msg);
    xml_close(sb, "status");
    xml_str(sb, "state", st);
    xml_time(sb, "creationTime", a->created);
    xml_tags(sb, &a->hdr.tags);
}

static void peering_item(struct api_ctx *c, const struct res *r)
{
    peering_body(c, (const struct tgw_attach *)r, NULL);
}

static void peering_wrapped(struct api_ctx *c, const struct tgw_attach *a, const char *state)
{
    xml_open(c->out, "transitGatewayPeeringAttachment");
    peering_body(c, a, state);
    xml_close(c->out, "transitGatewayPeeringAttachment");
}

static void attach_item(struct api_ctx *c, const struct res *r)
{
    const struct tgw_attach *a = (const struct tgw_attach *)r;
    struct strbuf *sb = c->out;
    xml_str(sb, "transitGatewayAttachmentId", a->hdr.id);
    xml_str(sb, "transitGatewayId", a->tgw_id);
    xml_str(sb, "transitGatewayOwnerId", a->tgw_owner);
    xml_str(sb, "resourceOwnerId", tgw_attach_resource_owner(a));
    xml_str(sb, "resourceType", tgw_attach_resource_type(a));
    xml_str(sb, "resourceId", tgw_attach_resource_id(a));
    xml_str(sb, "state", tgw_attach_state(a));
    if (a->assoc_rtb[0]) {
        xml_open(sb, "association");
        xml_str(sb, "transitGatewayRouteTableId", a->assoc_rtb);
        xml_str(sb, "state", "associated");
        xml_close(sb, "association");
    }
    xml_time(sb, "creationTime", a->created);
    xml_tags(sb, &a->hdr.tags);
}

/* A Describe of one attachment kind: the kind is an extra internal filter. */
static int describe_attachments(struct api_ctx *c, const char *kind, const char *set_name,
                                void (*item)(struct api_ctx *c, const struct res *r))
{
    tgw_gc(c->model, c->scope);
    struct describe_query dq;
    if (api_describe_query(c, "TransitGatewayAttachmentIds", "transitGatewayAttachmentIds", 5,
                           1000, &dq))
        return -1;
    struct filter *f = api_scratch(c, (dq.n_filters + 1) * sizeof *f);
    memcpy(f, dq.filters, dq.n_filters * sizeof *f);
    static const char *vpc_vals[] = {"vpc"}, *peering_vals[] = {"peering"};
    if (kind) {
        f[dq.n_filters].name = "resource-type";
        f[dq.n_filters].values = strcmp(kind, "vpc") == 0 ? vpc_vals : peering_vals;
        f[dq.n_filters].n_values = 1;
        dq.n_filters++;
    }
    dq.filters = f;
    return api_describe_run(c, RES_TGW_ATTACH, &dq, set_name, item);
}

static int create_transit_gateway_vpc_attachment(struct api_ctx *c)
{
    struct tgw_vpc_attach_args a = {0};
    struct tag_list *tags;
    if (api_req(c, "TransitGatewayId", &a.tgw_id) || api_req(c, "VpcId", &a.vpc_id) ||
        api_strlist(c, "SubnetIds", &a.subnet_ids, &a.n_subnets) ||
        opt_endis(c, "Options.DnsSupport", &a.dns_support) ||
        opt_endis(c, "Options.Ipv6Support", &a.ipv6_support) ||
        opt_endis(c, "Options.ApplianceModeSupport", &a.appliance_mode) ||
        opt_endis(c, "Options.SecurityGroupReferencingSupport", &a.sg_ref) ||
        api_tag_specs(c, "transit-gateway-attachment", &tags))
        return -1;
    a.tags = tags;
    struct tgw_attach *at;
    if (tgw_vpc_attach_create(c->model, c->scope, &a, &at, &c->err))
        return -1;
    const char *st = tgw_attach_state(at);
    vpc_attach_wrapped(c, at, strcmp(st, "available") == 0 ? "pending" : st);
    return 0;
}

static int describe_transit_gateway_vpc_attachments(struct api_ctx *c)
{
    return describe_attachments(c, "vpc", "transitGatewayVpcAttachments", vpc_attach_item);
}

static int describe_transit_gateway_attachments(struct api_ctx *c)
{
    return describe_attachments(c, NULL, "transitGatewayAttachments", attach_item);
}

static int describe_transit_gateway_peering_attachments(struct api_ctx *c)
{
    return describe_attachments(c, "peering", "transitGatewayPeeringAttachments", peering_item);
}

static int modify_transit_gateway_vpc_attachment(struct api_ctx *c)
{
    const char *id;
    const char **add, **remove;
    size_t n_add, n_remove;
    int dns, ipv6, appliance, sg_ref;
    if (api_req(c, "TransitGatewayAttachmentId", &id) ||
        api_strlist(c, "AddSubnetIds", &add, &n_add) ||
        api_strlist(c, "RemoveSubnetIds", &remove, &n_remove) ||
        opt_endis(c, "Options.DnsSupport", &dns) ||
        opt_endis(c, "Options.Ipv6Support", &ipv6) ||
        opt_endis(c, "Options.ApplianceModeSupport", &appliance) ||
        opt_endis(c, "Options.SecurityGroupReferencingSupport", &sg_ref))
        return -1;
    struct tgw_attach *a;
    if (tgw_vpc_attach_modify(c->model, c->scope, id, add, n_add, remove, n_remove, dns, ipv6,
                              appliance, sg_ref, &a, &c->err))
        return -1;
    vpc_attach_wrapped(c, a, "modifying");
    return 0;
}

static int delete_transit_gateway_vpc_attachment(struct api_ctx *c)
{
    const char *id;
    struct tgw_attach *a;
    if (api_req(c, "TransitGatewayAttachmentId", &id) ||
        tgw_attach_delete(c->model, c->scope, id, TGW_ATTACH_VPC, &a, &c->err))
        return -1;
    vpc_attach_wrapped(c, a, "deleting");
    return 0;
}

static int accept_or_reject(struct api_ctx *c, enum tgw_attach_kind kind, bool accept)
{
    const char *id;
    struct tgw_attach *a;
    if (api_req(c, "TransitGatewayAttachmentId", &id) ||
        tgw_attach_accept(c->model, c->scope, id, kind, accept, &a, &c->err))
        return -1;
    const char *st = accept ? "pending" : "rejecting";
    if (kind == TGW_ATTACH_VPC)
        vpc_attach_wrapped(c, a, st);
    else
        peering_wrapped(c, a, st);
    return 0;
}

static int accept_transit_gateway_vpc_attachment(struct api_ctx *c)
{
    return accept_or_reject(c, TGW_ATTACH_VPC, true);
}

static int reject_transit_gateway_vpc_attachment(struct api_ctx *c)
{
    return accept_or_reject(c, TGW_ATTACH_VPC, false);
}

static int accept_transit_gateway_peering_attachment(struct api_ctx *c)
{
    return accept_or_reject(c, TGW_ATTACH_PEERING, true);
}

static int reject_transit_gateway_peering_attachment(struct api_ctx *c)
{
    return accept_or_reject(c, TGW_ATTACH_PEERING, false);
}

static int create_transit_gateway_peering_attachment(struct api_ctx *c)
{
    const char *tgw, *peer, *account, *region;
    int dynamic;
    struct tag_list *tags;
    if (api_req(c, "TransitGatewayId", &tgw) || api_req(c, "PeerTransitGatewayId", &peer) ||
        api_req(c, "PeerAccountId", &account) || api_req(c, "PeerRegion", &region) ||
        opt_endis(c, "Options.DynamicRouting", &dynamic) ||
        api_tag_specs(c, "transit-gateway-attachment", &tags))
        return -1;
    struct tgw_attach *a;
    if (tgw_peering_create(c->model, c->scope, tgw, peer, account, region, dynamic, tags, &a,
                           &c->err))
        return -1;
    peering_wrapped(c, a, "initiatingRequest");
    return 0;
}

static int delete_transit_gateway_peering_attachment(struct api_ctx *c)
{
    const char *id;
    struct tgw_attach *a;
    if (api_req(c, "TransitGatewayAttachmentId", &id) ||
        tgw_attach_delete(c->model, c->scope, id, TGW_ATTACH_PEERING, &a, &c->err))
        return -1;
    peering_wrapped(c, a, "deleting");
    return 0;
}

/* ---- route tables ---- */

static void rtb_body(struct api_ctx *c, const struct tgw_rtb *rt, const char *state)
{
    struct strbuf *sb = c->out;
    xml_str(sb, "transitGatewayRouteTableId", rt->hdr.id);
    xml_str(sb, "transitGatewayId", rt->tgw_id);
    xml_str(sb, "state", state ? state : "available");
    xml_bool(sb, "defaultAssociationRouteTable", tgw_rtb_is_default_assoc(c->model, rt));
    xml_bool(sb, "defaultPropagationRouteTable", tgw_rtb_is_default_prop(c->model, rt));
    xml_time(sb, "creationTime", rt->created);
    xml_tags(sb, &rt->hdr.tags);
}

static void rtb_item(struct api_ctx *c, const struct res *r)
{
    rtb_body(c, (const struct tgw_rtb *)r, NULL);
}

static int create_transit_gateway_route_table(struct api_ctx *c)
{
    const char *tgw;
    struct tag_list *tags;
    if (api_req(c, "TransitGatewayId", &tgw) ||
        api_tag_specs(c, "transit-gateway-route-table", &tags))
        return -1;
    struct tgw_rtb *rt;
    if (tgw_rtb_create(c->model, c->scope, tgw, tags, &rt, &c->err))
        return -1;
    xml_open(c->out, "transitGatewayRouteTable");
    rtb_body(c, rt, "pending");
    xml_close(c->out, "transitGatewayRouteTable");
    return 0;
}

static int describe_transit_gateway_route_tables(struct api_ctx *c)
{
    return api_describe(c, RES_TGW_RTB, "TransitGatewayRouteTableIds",
                        "transitGatewayRouteTableIds", 5, 1000, "transitGatewayRouteTables",
                        rtb_item);
}

static int delete_transit_gateway_route_table(struct api_ctx *c)
{
    const char *id;
    if (api_req(c, "TransitGatewayRouteTableId", &id))
        return -1;
    struct tgw_rtb *rt = tgw_rtb_lookup(c->model, c->scope, id, &c->err);
    if (!rt)
        return -1;
    /* Printed before the table goes; on error the reply is discarded. */
    xml_open(c->out, "transitGatewayRouteTable");
    rtb_body(c, rt, "deleting");
    xml_close(c->out, "transitGatewayRouteTable");
    return tgw_rtb_delete(c->model, c->scope, id, &c->err);
}

static int associate_common(struct api_ctx *c, bool associate)
{
    const char *rtb, *att;
    struct tgw_attach *a;
    if (api_req(c, "TransitGatewayRouteTableId", &rtb) ||
        api_req(c, "TransitGatewayAttachmentId", &att) ||
        tgw_rtb_associate(c->model, c->scope, rtb, att, associate, &a, &c->err))
        return -1;
    xml_open(c->out, "association");
    xml_str(c->out, "transitGatewayRouteTableId", rtb);
    attach_ref(c->out, a);
    xml_str(c->out, "state", associate ? "associating" : "disassociating");
    xml_close(c->out, "association");
    return 0;
}

static int associate_transit_gateway_route_table(struct api_ctx *c)
{
    return associate_common(c, true);
}

static int disassociate_transit_gateway_route_table(struct api_ctx *c)
{
    return associate_common(c, false);
}

static int propagation_common(struct api_ctx *c, bool enable)
{
    const char *rtb, *att;
    struct tgw_attach *a;
    if (api_req(c, "TransitGatewayRouteTableId", &rtb) ||
        api_req(c, "TransitGatewayAttachmentId", &att) ||
        tgw_rtb_propagation(c->model, c->scope, rtb, att, enable, &a, &c->err))
        return -1;
    xml_open(c->out, "propagation");
    attach_ref(c->out, a);
    xml_str(c->out, "transitGatewayRouteTableId", rtb);
    xml_str(c->out, "state", enable ? "enabling" : "disabling");
    xml_close(c->out, "propagation");
    return 0;
}

static int enable_transit_gateway_route_table_propagation(struct api_ctx *c)
{
    return propagation_common(c, true);
}

static int disable_transit_gateway_route_table_propagation(struct api_ctx *c)
{
    return propagation_common(c, false);
}

/* Filters, MaxResults and a seq-based NextToken over a candidate list, as model_describe. */
static int page_filter(struct api_ctx *c, struct res **cands, size_t n, struct res ***out,
                       size_t *n_out, char next[32])
{
    struct describe_query dq;
    next[0] = '\0';
    if (api_describe_query(c, NULL, NULL, 5, 1000, &dq))
        return -1;
    if (dq.max_results && (dq.max_results < 5 || dq.max_results > 1000))
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value ( %ld ) for parameter maxResults is invalid. Expecting a value "
                        "between 5 and 1000.",
                        dq.max_results);
    unsigned long long start = 0;
    if (dq.next_token) {
        char *end;
        start = strtoull(dq.next_token, &end, 16);
        if (*end || strlen(dq.next_token) != 16)
            return merr_set(&c->err, "InvalidPaginationToken", "Invalid pagination token '%s'",
                            dq.next_token);
    }
    struct res **res = api_scratch(c, (n + 1) * sizeof *res);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (cands[i]->seq < start)
            continue;
        int ok = model_filter_match(c->model, cands[i], dq.filters, dq.n_filters, &c->err);
        if (ok < 0)
            return -1;
        if (!ok)
            continue;
        if (dq.max_results && (long)w == dq.max_results) {
            snprintf(next, 32, "%016llx", (unsigned long long)cands[i]->seq);
            break;
        }
        res[w++] = cands[i];
    }
    *out = res;
    *n_out = w;
    return 0;
}

static int get_rtb_links(struct api_ctx *c, bool associations)
{
    const char *id;
    if (api_req(c, "TransitGatewayRouteTableId", &id))
        return -1;
    struct tgw_rtb *rt = tgw_rtb_lookup(c->model, c->scope, id, &c->err);
    if (!rt)
        return -1;
    const struct res_list *l = &c->scope->lists[RES_TGW_ATTACH];
    struct res **cands = api_scratch(c, (l->n + 1) * sizeof *cands);
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct tgw_attach *a = (const struct tgw_attach *)l->items[i];
        if (associations ? strcmp(a->assoc_rtb, rt->hdr.id) == 0
                         : tgw_rtb_propagates(rt, a->hdr.id))
            cands[n++] = l->items[i];
    }
    struct res **found;
    size_t n_found;
    char next[32];
    if (page_filter(c, cands, n, &found, &n_found, next))
        return -1;
    const char *set = associations ? "associations" : "transitGatewayRouteTablePropagations";
    xml_open(c->out, set);
    for (size_t i = 0; i < n_found; i++) {
        xml_open(c->out, "item");
        attach_ref(c->out, (const struct tgw_attach *)found[i]);
        xml_str(c->out, "state", associations ? "associated" : "enabled");
        xml_close(c->out, "item");
    }
    xml_close(c->out, set);
    if (next[0])
        xml_str(c->out, "nextToken", next);
    return 0;
}

static int get_transit_gateway_route_table_associations(struct api_ctx *c)
{
    return get_rtb_links(c, true);
}

static int get_transit_gateway_route_table_propagations(struct api_ctx *c)
{
    return get_rtb_links(c, false);
}

static int get_transit_gateway_attachment_propagations(struct api_ctx *c)
{
    const char *id;
    if (api_req(c, "TransitGatewayAttachmentId", &id))
        return -1;
    struct tgw_attach *a = tgw_attach_lookup(c->model, c->scope, id, -1, &c->err);
    if (!a)
        return -1;
    const struct res_list *l = &c->scope->lists[RES_TGW_RTB];
    struct res **cands = api_scratch(c, (l->n + 1) * sizeof *cands);
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++)
        if (tgw_rtb_propagates((const struct tgw_rtb *)l->items[i], a->hdr.id))
            cands[n++] = l->items[i];
    struct res **found;
    size_t n_found;
    char next[32];
    if (page_filter(c, cands, n, &found, &n_found, next))
        return -1;
    xml_open(c->out, "transitGatewayAttachmentPropagations");
    for (size_t i = 0; i < n_found; i++) {
        xml_open(c->out, "item");
        xml_str(c->out, "transitGatewayRouteTableId", found[i]->id);
        xml_str(c->out, "state", "enabled");
        xml_close(c->out, "item");
    }
    xml_close(c->out, "transitGatewayAttachmentPropagations");
    if (next[0])
        xml_str(c->out, "nextToken", next);
    return 0;
}

/* ---- routes ---- */

static void route_body(struct api_ctx *c, const struct tgw_route_view *v)
{
    struct strbuf *sb = c->out;
    char text[PREFIX6_STRLEN];
    if (v->r.family == 4)
        prefix4_format(&v->r.dst4, text);
    else
        prefix6_format(&v->r.dst6, text);
    xml_str(sb, "destinationCidrBlock", text);
    if (!v->r.blackhole && v->r.attach_id[0]) {
        struct res *x = res_find_any(c->model, v->r.attach_id);
        xml_open(sb, "transitGatewayAttachments");
        xml_open(sb, "item");
        if (x && x->type == RES_TGW_ATTACH) {
            attach_ref(sb, (const struct tgw_attach *)x);
        } else {
            xml_str(sb, "transitGatewayAttachmentId", v->r.attach_id);
        }
        xml_close(sb, "item");
        xml_close(sb, "transitGatewayAttachments");
    }
    xml_str(sb, "type", v->propagated ? "propagated" : "static");
    xml_str(sb, "state", v->state);
}

static int route_common(struct api_ctx *c, bool replace)
{
    const char *rtb, *cidr;
    bool blackhole;
    if (api_req(c, "TransitGatewayRouteTableId", &rtb) ||
        api_req(c, "DestinationCidrBlock", &cidr) || api_bool(c, "Blackhole", false, &blackhole))
        return -1;
    struct tgw_route_view v;
    if (tgw_route_put(c->model, c->scope, rtb, cidr, api_str(c, "TransitGatewayAttachmentId"),
                      blackhole, replace, &v, &c->err))
        return -1;
    xml_open(c->out, "route");
    route_body(c, &v);
    xml_close(c->out, "route");
    return 0;
}

static int create_transit_gateway_route(struct api_ctx *c)
{
    return route_common(c, false);
}

static int replace_transit_gateway_route(struct api_ctx *c)
{
    return route_common(c, true);
}

static int delete_transit_gateway_route(struct api_ctx *c)
{
    const char *rtb, *cidr;
    struct tgw_route_view v;
    if (api_req(c, "TransitGatewayRouteTableId", &rtb) ||
        api_req(c, "DestinationCidrBlock", &cidr) ||
        tgw_route_delete(c->model, c->scope, rtb, cidr, &v, &c->err))
        return -1;
    xml_open(c->out, "route");
    route_body(c, &v);
    xml_close(c->out, "route");
    return 0;
}

static int search_transit_gateway_routes(struct api_ctx *c)
{
    const char *id;
    struct describe_query dq;
    if (api_req(c, "TransitGatewayRouteTableId", &id) ||
        api_describe_query(c, NULL, NULL, 5, 1000, &dq))
        return -1;
    struct tgw_rtb *rt = tgw_rtb_lookup(c->model, c->scope, id, &c->err);
    if (!rt)
        return -1;
    struct tgw_route_view *v;
    size_t n;
    bool more;
    if (tgw_routes_search(c->model, rt, dq.filters, dq.n_filters, dq.max_results, &v, &n, &more,
                          &c->err))
        return -1;
    xml_open(c->out, "routeSet");
    for (size_t i = 0; i < n; i++) {
        xml_open(c->out, "item");
        route_body(c, &v[i]);
        xml_close(c->out, "item");
    }
    xml_close(c->out, "routeSet");
    xml_bool(c->out, "additionalRoutesAvailable", more);
    free(v);
    return 0;
}

const struct api_action tgw_actions[] = {
    {"CreateTransitGateway", create_transit_gateway},
    {"DescribeTransitGateways", describe_transit_gateways},
    {"ModifyTransitGateway", modify_transit_gateway},
    {"DeleteTransitGateway", delete_transit_gateway},
    {"CreateTransitGatewayVpcAttachment", create_transit_gateway_vpc_attachment},
    {"DescribeTransitGatewayVpcAttachments", describe_transit_gateway_vpc_attachments},
    {"ModifyTransitGatewayVpcAttachment", modify_transit_gateway_vpc_attachment},
    {"DeleteTransitGatewayVpcAttachment", delete_transit_gateway_vpc_attachment},
    {"AcceptTransitGatewayVpcAttachment", accept_transit_gateway_vpc_attachment},
    {"RejectTransitGatewayVpcAttachment", reject_transit_gateway_vpc_attachment},
    {"DescribeTransitGatewayAttachments", describe_transit_gateway_attachments},
    {"CreateTransitGatewayPeeringAttachment", create_transit_gateway_peering_attachment},
    {"AcceptTransitGatewayPeeringAttachment", accept_transit_gateway_peering_attachment},
    {"RejectTransitGatewayPeeringAttachment", reject_transit_gateway_peering_attachment},
    {"DeleteTransitGatewayPeeringAttachment", delete_transit_gateway_peering_attachment},
    {"DescribeTransitGatewayPeeringAttachments", describe_transit_gateway_peering_attachments},
    {"CreateTransitGatewayRouteTable", create_transit_gateway_route_table},
    {"DescribeTransitGatewayRouteTables", describe_transit_gateway_route_tables},
    {"DeleteTransitGatewayRouteTable", delete_transit_gateway_route_table},
    {"AssociateTransitGatewayRouteTable", associate_transit_gateway_route_table},
    {"DisassociateTransitGatewayRouteTable", disassociate_transit_gateway_route_table},
    {"EnableTransitGatewayRouteTablePropagation", enable_transit_gateway_route_table_propagation},
    {"DisableTransitGatewayRouteTablePropagation",
     disable_transit_gateway_route_table_propagation},
    {"GetTransitGatewayRouteTableAssociations", get_transit_gateway_route_table_associations},
    {"GetTransitGatewayRouteTablePropagations", get_transit_gateway_route_table_propagations},
    {"GetTransitGatewayAttachmentPropagations", get_transit_gateway_attachment_propagations},
    {"CreateTransitGatewayRoute", create_transit_gateway_route},
    {"ReplaceTransitGatewayRoute", replace_transit_gateway_route},
    {"DeleteTransitGatewayRoute", delete_transit_gateway_route},
    {"SearchTransitGatewayRoutes", search_transit_gateway_routes},
    {NULL, NULL},
};
