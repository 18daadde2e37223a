/* EC2 actions of the Reachability Analyzer (Network Insights paths and analyses) and the vendor
 * action DescribeVpcdReachabilityMatrix.
 *
 * StartNetworkInsightsAnalysis runs the analyzer within the request, on a snapshot of the
 * model, and turns its answer into AWS's PathComponent and Explanation shapes at once: the
 * details (NACL rule contents, SG rule peers, route origins) are read from the model as it is
 * when the analysis runs, and the analysis keeps them as they were, as on AWS. Those shapes are
 * JSON objects whose member names are the EC2 XML element names, so the store keeps them
 * verbatim and json_xml() prints them without knowing the shapes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/analyzer.h"
#include "api/actions_eni.h"
#include "lib/xalloc.h"
#include "model/insights.h"
#include "model/resources.h"

/* ---- JSON (AWS-shaped) to EC2 XML ---- */

/* Objects become elements named by their keys, arrays <tag><item>...</item></tag>. */
static void json_xml(struct strbuf *sb, const char *tag, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *child;
        xml_open(sb, tag);
        json_object_foreach((json_t *)v, k, child) json_xml(sb, k, child);
        xml_close(sb, tag);
        break;
    }
    case JSON_ARRAY:
        xml_open(sb, tag);
        for (size_t i = 0; i < json_array_size(v); i++)
            json_xml(sb, "item", json_array_get(v, i));
        xml_close(sb, tag);
        break;
    case JSON_STRING:
        xml_str(sb, tag, json_string_value(v));
        break;
    case JSON_INTEGER:
        xml_int(sb, tag, (long long)json_integer_value(v));
        break;
    case JSON_TRUE:
        xml_bool(sb, tag, true);
        break;
    case JSON_FALSE:
        xml_bool(sb, tag, false);
        break;
    case JSON_REAL:
    case JSON_NULL:
        break;
    }
}

/* ---- ARNs and components ---- */

static const char *arn_partition(const char *region)
{
    if (strncmp(region, "cn-", 3) == 0)
        return "aws-cn";
    if (strncmp(region, "us-gov-", 7) == 0)
        return "aws-us-gov";
    return "aws";
}

/* The resource-type part of an ARN, by the id's prefix. */
static const char *arn_type_of(const char *id)
{
    static const struct {
        const char *prefix, *type;
    } map[] = {
        {"i", "instance"},
        {"eni", "network-interface"},
        {"sg", "security-group"},
        {"sgr", "security-group-rule"},
        {"acl", "network-acl"},
        {"rtb", "route-table"},
        {"vpc", "vpc"},
        {"subnet", "subnet"},
        {"igw", "internet-gateway"},
        {"eigw", "egress-only-internet-gateway"},
        {"nat", "natgateway"},
        {"pcx", "vpc-peering-connection"},
        {"tgw", "transit-gateway"},
        {"tgw-attach", "transit-gateway-attachment"},
        {"tgw-rtb", "transit-gateway-route-table"},
        {"pl", "prefix-list"},
        {"vgw", "vpn-gateway"},
        {"vpce", "vpc-endpoint"},
        {"nip", "network-insights-path"},
        {"nia", "network-insights-analysis"},
    };
    const char *dash = strrchr(id, '-');
    size_t n = dash ? (size_t)(dash - id) : 0;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].prefix) == n && strncmp(map[i].prefix, id, n) == 0)
            return map[i].type;
    return NULL;
}

/* The object's ARN in its owner's account and region (the caller's when it is unknown). */
static void arn_of(const struct model *m, const struct scope *fallback, const char *id,
                   char buf[256])
{
    const struct res *r = res_find_any(m, id);
    const struct scope *s = r && r->type != RES_SCOPE ? r->scope : fallback;
    const char *type = arn_type_of(id);
    snprintf(buf, 256, "arn:%s:ec2:%s:%s:%s/%s", arn_partition(s->region), s->region, s->account,
             type ? type : "resource", id);
}

struct conv {
    const struct model *m;
    const struct scope *caller;
};

/* AnalysisComponent {id, arn, name}; name is the Name tag, as the console shows it. */
static json_t *component(const struct conv *cv, const char *id)
{
    char arn[256];
    arn_of(cv->m, cv->caller, id, arn);
    json_t *o = json_pack("{s:s,s:s}", "id", id, "arn", arn);
    const struct res *r = res_find_any(cv->m, id);
    const char *name = r && r->type != RES_SCOPE ? tags_get(&r->tags, "Name") : NULL;
    if (name)
        json_object_set_new(o, "name", json_string(name));
    return o;
}

static void set_component(const struct conv *cv, json_t *o, const char *key, const char *id)
{
    if (id && id[0])
        json_object_set_new(o, key, component(cv, id));
}

static const void *find_typed(const struct model *m, const char *id, enum res_type type)
{
    const struct res *r = res_find_any(m, id);
    return r && r->type == type ? r : NULL;
}

/* ---- packet headers ---- */

static void addr_text(const struct flow *f, const uint8_t *a, char buf[PREFIX6_STRLEN])
{
    if (f->family == 6) {
        char ip[IP6_STRLEN];
        ip6_format(a, ip);
        snprintf(buf, PREFIX6_STRLEN, "%s/128", ip);
    } else {
        char ip[IP4_STRLEN];
        uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
        ip4_format(v, ip);
        snprintf(buf, PREFIX6_STRLEN, "%s/32", ip);
    }
}

static json_t *port_range(int from, int to)
{
    return json_pack("{s:i,s:i}", "from", from, "to", to);
}

/* AnalysisPacketHeader, as AWS writes it: /32 addresses and the protocol's number. */
static json_t *header_json(const struct flow *f)
{
    char src[PREFIX6_STRLEN], dst[PREFIX6_STRLEN], proto[8];
    addr_text(f, f->dst, dst);
    addr_text(f, f->src, src);
    snprintf(proto, sizeof proto, "%u", f->proto);
    json_t *h = json_object();
    json_object_set_new(h, "destinationAddressSet", json_pack("[s]", dst));
    if (f->proto == FLOW_PROTO_TCP || f->proto == FLOW_PROTO_UDP)
        json_object_set_new(h, "destinationPortRangeSet",
                            json_pack("[o]", port_range(f->dport, f->dport)));
    json_object_set_new(h, "protocol", json_string(proto));
    json_object_set_new(h, "sourceAddressSet", json_pack("[s]", src));
    if (f->proto == FLOW_PROTO_TCP || f->proto == FLOW_PROTO_UDP)
        json_object_set_new(h, "sourcePortRangeSet",
                            json_pack("[o]", port_range(f->sport, f->sport)));
    return h;
}

/* ---- rules and routes, looked up in the model ---- */

static void nacl_protocol_text(int proto, char buf[16])
{
    if (proto < 0)
        snprintf(buf, 16, "all");
    else
        snprintf(buf, 16, "%d", proto);
}

/* AnalysisAclRule of rule `number` in direction `egress` of NACL acl_id. */
static json_t *acl_rule_json(const struct conv *cv, const char *acl_id, int number, bool egress)
{
    const struct network_acl *a = find_typed(cv->m, acl_id, RES_NACL);
    struct nacl_entry *list = NULL;
    size_t n = a ? nacl_entries_listed(cv->m, a, &list) : 0;
    const struct nacl_entry *e = NULL;
    for (size_t i = 0; i < n && !e; i++)
        if (list[i].rule_number == number && list[i].egress == egress)
            e = &list[i];
    char cidr[PREFIX6_STRLEN], proto[16];
    json_t *o;
    if (e) {
        if (e->ipv6)
            prefix6_format(&e->cidr6, cidr);
        else
            prefix4_format(&e->cidr4, cidr);
        nacl_protocol_text(e->protocol, proto);
        o = json_pack("{s:s,s:b}", "cidr", cidr, "egress", egress);
        if (e->has_ports)
            json_object_set_new(o, "portRange", port_range(e->port_from, e->port_to));
        json_object_set_new(o, "protocol", json_string(proto));
        json_object_set_new(o, "ruleAction", json_string(e->allow ? "allow" : "deny"));
    } else {
        /* The "*" rules: 32767 denies IPv4, 32768 IPv6; anything else is gone from the NACL. */
        o = json_pack("{s:s,s:b,s:s,s:s}", "cidr", number == 32768 ? "::/0" : "0.0.0.0/0", "egress",
                      egress, "protocol", "all", "ruleAction", "deny");
    }
    json_object_set_new(o, "ruleNumber", json_integer(number));
    free(list);
    return o;
}

/* AnalysisSecurityGroupRule of rule rule_id in group sg_id, or NULL when it is gone. */
static json_t *sg_rule_json(const struct conv *cv, const char *sg_id, const char *rule_id)
{
    const struct security_group *g = find_typed(cv->m, sg_id, RES_SG);
    const struct sg_rule *r = NULL;
    for (size_t i = 0; g && i < g->n_rules && !r; i++)
        if (strcmp(g->rules[i].id, rule_id) == 0)
            r = &g->rules[i];
    if (!r)
        return NULL;
    json_t *o = json_object();
    if (r->peer_kind == SG_PEER_CIDR4 || r->peer_kind == SG_PEER_CIDR6)
        json_object_set_new(o, "cidr", json_string(r->peer));
    json_object_set_new(o, "direction", json_string(r->egress ? "egress" : "ingress"));
    /* securityGroupId is the peer when the rule names a group (cidr and prefixListId are the
     * other peer kinds); the rule's own group is the path component. */
    if (r->peer_kind == SG_PEER_GROUP)
        json_object_set_new(o, "securityGroupId", json_string(r->peer));
    bool ports = strcmp(r->protocol, "tcp") == 0 || strcmp(r->protocol, "udp") == 0 ||
                 strcmp(r->protocol, "6") == 0 || strcmp(r->protocol, "17") == 0;
    if (ports && r->from_port >= 0)
        json_object_set_new(o, "portRange", port_range(r->from_port, r->to_port));
    if (r->peer_kind == SG_PEER_PL)
        json_object_set_new(o, "prefixListId", json_string(r->peer));
    json_object_set_new(o, "protocol",
                        json_string(strcmp(r->protocol, "-1") == 0 ? "all" : r->protocol));
    /* vpcd's addition (SDKs skip unknown members): which rule it was. */
    json_object_set_new(o, "securityGroupRuleId", json_string(r->id));
    return o;
}

static const char *route_target_member(enum route_target kind)
{
    switch (kind) {
    case RT_LOCAL:
    case RT_GATEWAY:
    case RT_VPCE:
        return "gatewayId";
    case RT_EIGW:
        return "egressOnlyInternetGatewayId";
    case RT_NAT:
        return "natGatewayId";
    case RT_INSTANCE:
        return "instanceId";
    case RT_ENI:
        return "networkInterfaceId";
    case RT_PCX:
        return "vpcPeeringConnectionId";
    case RT_TGW:
        return "transitGatewayId";
    case RT_LGW:
        return "localGatewayId";
    case RT_CARRIER:
        return "carrierGatewayId";
    case RT_CORE_NETWORK:
        return "coreNetworkArn";
    }
    return "gatewayId";
}

/* The member for a target known only by its id (the route left the table since). */
static const char *target_member_by_id(const char *target)
{
    static const struct {
        const char *prefix, *member;
    } map[] = {
        {"eigw-", "egressOnlyInternetGatewayId"},
        {"nat-", "natGatewayId"},
        {"i-", "instanceId"},
        {"eni-", "networkInterfaceId"},
        {"pcx-", "vpcPeeringConnectionId"},
        {"tgw-", "transitGatewayId"},
        {"lgw-", "localGatewayId"},
        {"cagw-", "carrierGatewayId"},
        {"arn:", "coreNetworkArn"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strncmp(target, map[i].prefix, strlen(map[i].prefix)) == 0)
            return map[i].member;
    return "gatewayId";
}

/* AnalysisRouteTableRoute of the route (dst, target) of table rtb_id. */
static json_t *rtb_route_json(const struct conv *cv, const char *rtb_id, const char *dst,
                              const char *target)
{
    const struct route_table *rt = find_typed(cv->m, rtb_id, RES_RTB);
    const struct route *found = NULL, *by_pl = NULL;
    for (size_t i = 0; rt && i < rt->n_routes && !found; i++) {
        const struct route *r = &rt->routes[i];
        /* The snapshot cuts long targets (core network ARNs) to its field: compare that much. */
        if (strncmp(r->target, target, strlen(target)) != 0)
            continue;
        char text[PREFIX6_STRLEN] = "";
        if (r->family == 4)
            prefix4_format(&r->dst4, text);
        else if (r->family == 6)
            prefix6_format(&r->dst6, text);
        else if (!by_pl)
            by_pl = r; /* a prefix-list route: the hop names one of the list's CIDRs */
        if (text[0] && strcmp(text, dst) == 0)
            found = r;
    }
    if (!found)
        found = by_pl;
    json_t *o = json_object();
    if (found && found->family == 0)
        json_object_set_new(o, "destinationPrefixListId", json_string(found->dst_pl));
    else
        json_object_set_new(o, "destinationCidr", json_string(dst));
    if (found) {
        json_object_set_new(o, route_target_member(found->kind), json_string(found->target));
        json_object_set_new(o, "origin", json_string(found->origin));
        json_object_set_new(o, "state", json_string(rtb_route_state(cv->m, rt, found)));
    } else {
        json_object_set_new(o, target_member_by_id(target), json_string(target));
    }
    return o;
}

/* TransitGatewayRouteTableRoute of the route to dst in TGW route table rtb_id. */
static json_t *tgw_route_json(const struct conv *cv, const struct pl_hop *h)
{
    const struct tgw_rtb *rt = find_typed(cv->m, h->id, RES_TGW_RTB);
    struct tgw_route_view *views = NULL;
    size_t n = rt ? tgw_rtb_routes(cv->m, rt, &views) : 0;
    const struct tgw_route_view *v = NULL;
    for (size_t i = 0; i < n && !v; i++) {
        char text[PREFIX6_STRLEN];
        if (views[i].r.family == 4)
            prefix4_format(&views[i].r.dst4, text);
        else
            prefix6_format(&views[i].r.dst6, text);
        if (strcmp(text, h->route_dst) == 0)
            v = &views[i];
    }
    bool is_attach = strncmp(h->route_target, "tgw-attach-", 11) == 0;
    const char *attach = v ? v->r.attach_id : is_attach ? h->route_target : "";
    const char *state = v ? v->state : is_attach ? "active" : "blackhole";
    const char *origin = v ? (v->propagated ? "propagated" : "static")
                           : (strcmp(h->route_type, "propagated") == 0 ? "propagated" : "static");
    json_t *o = json_pack("{s:s,s:s,s:s}", "destinationCidr", h->route_dst, "state", state,
                          "routeOrigin", origin);
    if (attach[0]) {
        json_object_set_new(o, "attachmentId", json_string(attach));
        const struct tgw_attach *a = find_typed(cv->m, attach, RES_TGW_ATTACH);
        if (a) {
            json_object_set_new(o, "resourceId", json_string(tgw_attach_resource_id(a)));
            json_object_set_new(o, "resourceType", json_string(tgw_attach_resource_type(a)));
        }
    }
    free(views);
    return o;
}

/* The TGW of a TGW route table or attachment hop. */
static const char *tgw_of(const struct conv *cv, const struct pl_hop *h)
{
    if (h->kind == PL_HOP_TGW)
        return h->id;
    const struct tgw_rtb *rt = find_typed(cv->m, h->id, RES_TGW_RTB);
    if (rt)
        return rt->tgw_id;
    const struct tgw_attach *a = find_typed(cv->m, h->id, RES_TGW_ATTACH);
    return a ? a->tgw_id : NULL;
}

/* sourceVpc / destinationVpc of a peering crossed from hop.vpc_id. */
static void pcx_vpcs(const struct conv *cv, json_t *o, const struct pl_hop *h)
{
    const struct pcx *p = find_typed(cv->m, h->id, RES_PCX);
    if (!p)
        return;
    const char *from = h->vpc_id, *to = NULL;
    if (strcmp(from, p->req.vpc_id) == 0)
        to = p->acc.vpc_id;
    else if (strcmp(from, p->acc.vpc_id) == 0)
        to = p->req.vpc_id;
    if (!to)
        return;
    set_component(cv, o, "sourceVpc", from);
    set_component(cv, o, "destinationVpc", to);
}

/* The ENI's first security group (a tracked reply names no rule, so no group). */
static const char *eni_first_group(const struct conv *cv, const char *eni_id)
{
    const struct eni *e = find_typed(cv->m, eni_id, RES_ENI);
    return e && e->n_groups ? e->groups[0] : NULL;
}

/* ---- path components ---- */

static json_t *path_component(const struct conv *cv, const struct pl_hop *h, const char *id,
                              const struct flow *in, const struct flow *out)
{
    json_t *o = json_object();
    json_object_set_new(o, "component", component(cv, id));
    set_component(cv, o, "vpc", h->vpc_id);
    set_component(cv, o, "subnet", h->subnet_id);
    if (in && in->family)
        json_object_set_new(o, "inboundHeader", header_json(in));
    if (out && out->family)
        json_object_set_new(o, "outboundHeader", header_json(out));
    return o;
}

static void append(json_t *list, json_t *item)
{
    json_object_set_new(item, "sequenceNumber",
                        json_integer((json_int_t)json_array_size(list) + 1));
    json_array_append_new(list, item);
}

/* Every hop records the header entering and leaving it; a list that repeated the same header
 * at each component would bury the changes. The first component keeps the header it sends,
 * the last the header it receives, and one in between keeps both only where they differ (a
 * NAT gateway's translation). */
static void trim_headers(json_t *list)
{
    size_t n = json_array_size(list);
    for (size_t k = 0; k < n; k++) {
        json_t *o = json_array_get(list, k);
        json_t *in = json_object_get(o, "inboundHeader");
        json_t *out = json_object_get(o, "outboundHeader");
        if (!in || !out || !json_equal(in, out))
            continue;
        bool first = k == 0, last = k + 1 == n;
        if (!first)
            json_object_del(o, "outboundHeader");
        if (first || !last)
            json_object_del(o, "inboundHeader");
    }
}

/* One direction's PathComponent list. The component that dropped the packet is not part of
 * the path: the explanation names it. */
static json_t *components_json(const struct conv *cv, const struct an_path *p)
{
    json_t *list = json_array();
    size_t n = p->trace.n_hops;
    if (n && p->result.outcome == PL_DROPPED && !p->trace.hops[n - 1].allow)
        n--;
    for (size_t i = 0; i < n; i++) {
        const struct pl_hop *h = &p->trace.hops[i];
        const struct flow *out = &h->out;
        size_t start = i;
        /* An appliance receives and sends the packet: one ENI component, in and out. */
        if (h->kind == PL_HOP_ENI && i + 1 < n && p->trace.hops[i + 1].kind == PL_HOP_ENI &&
            strcmp(p->trace.hops[i + 1].id, h->id) == 0)
            out = &p->trace.hops[++i].out;
        json_t *o;
        switch (h->kind) {
        case PL_HOP_INTERNET:
            continue; /* not an AWS component: the path ends (or starts) at the gateway */
        case PL_HOP_ENI: {
            bool first = start == 0;
            bool last = i + 1 == n && p->arrived;
            bool inst = h->instance_id[0] != '\0';
            /* AWS shows an instance endpoint as the instance, then its interface (reversed
             * at the far end); an instance in between is where its interface is attached. */
            if (inst && first)
                append(list, path_component(cv, h, h->instance_id, &h->in, out));
            o = path_component(cv, h, h->id, &h->in, out);
            if (inst && !first && !last)
                set_component(cv, o, "attachedTo", h->instance_id);
            append(list, o);
            if (inst && last && !first)
                append(list, path_component(cv, h, h->instance_id, &h->in, out));
            continue;
        }
        case PL_HOP_SG: {
            const char *sg = h->sg_id[0] ? h->sg_id : eni_first_group(cv, h->id);
            o = path_component(cv, h, sg ? sg : h->id, &h->in, out);
            json_t *rule = !h->tracked && h->sg_id[0] && h->sg_rule_id[0]
                               ? sg_rule_json(cv, h->sg_id, h->sg_rule_id)
                               : NULL;
            if (rule)
                json_object_set_new(o, "securityGroupRule", rule);
            break;
        }
        case PL_HOP_ACL:
            o = path_component(cv, h, h->id, &h->in, out);
            json_object_set_new(o, "aclRule", acl_rule_json(cv, h->id, h->rule_number, h->egress));
            break;
        case PL_HOP_RTB:
            o = path_component(cv, h, h->id, &h->in, out);
            json_object_set_new(o, "routeTableRoute",
                                rtb_route_json(cv, h->id, h->route_dst, h->route_target));
            break;
        case PL_HOP_TGW_RTB:
            o = path_component(cv, h, h->id, &h->in, out);
            json_object_set_new(o, "transitGatewayRouteTableRoute", tgw_route_json(cv, h));
            set_component(cv, o, "transitGateway", tgw_of(cv, h));
            break;
        case PL_HOP_TGW_ATTACH:
            o = path_component(cv, h, h->id, &h->in, out);
            set_component(cv, o, "transitGateway", tgw_of(cv, h));
            break;
        case PL_HOP_PCX:
            o = path_component(cv, h, h->id, &h->in, out);
            pcx_vpcs(cv, o, h);
            break;
        case PL_HOP_TGW:
        case PL_HOP_IGW:
        case PL_HOP_EIGW:
        case PL_HOP_NAT:
        default:
            o = path_component(cv, h, h->id, &h->in, out);
            break;
        }
        append(list, o);
    }
    trim_headers(list);
    return list;
}

/* ---- explanations ---- */

static json_t *security_groups_json(const struct conv *cv, const char *eni_id)
{
    json_t *arr = json_array();
    const struct eni *e = find_typed(cv->m, eni_id, RES_ENI);
    for (size_t i = 0; e && i < e->n_groups; i++)
        json_array_append_new(arr, component(cv, e->groups[i]));
    return arr;
}

static void set_state(const struct conv *cv, json_t *o, const struct pl_hop *w)
{
    const struct instance *in =
        w->instance_id[0] ? find_typed(cv->m, w->instance_id, RES_INSTANCE) : NULL;
    const struct nat *nat = w->kind == PL_HOP_NAT ? find_typed(cv->m, w->id, RES_NAT) : NULL;
    if (in)
        json_object_set_new(o, "state", json_string(instance_state_name(in->state)));
    else if (nat)
        json_object_set_new(o, "state", json_string(nat_state_name(nat->state)));
}

/* The one Explanation of a blocked path: the code, the component and its details. */
static json_t *explanation_json(const struct conv *cv, const struct an_result *r)
{
    const struct pl_hop *w = &r->where;
    json_t *o = json_pack("{s:s}", "explanationCode", pipeline_code_name(r->code));
    const char *comp = w->id;
    if (r->code == PL_BAD_STATE && w->kind == PL_HOP_ENI && w->instance_id[0])
        comp = w->instance_id; /* a stopped instance is the component in a bad state */
    if (w->kind == PL_HOP_SG || w->kind == PL_HOP_ACL)
        json_object_set_new(o, "direction", json_string(w->egress ? "egress" : "ingress"));
    switch (w->kind) {
    case PL_HOP_ACL:
        set_component(cv, o, "acl", w->id);
        json_object_set_new(o, "aclRule", acl_rule_json(cv, w->id, w->rule_number, w->egress));
        break;
    case PL_HOP_SG:
        set_component(cv, o, "networkInterface", w->id);
        json_object_set_new(o, "securityGroupSet", security_groups_json(cv, w->id));
        set_component(cv, o, "attachedTo", w->instance_id);
        break;
    case PL_HOP_RTB:
        set_component(cv, o, "routeTable", w->id);
        if (w->route_dst[0])
            json_object_set_new(o, "routeTableRoute",
                                rtb_route_json(cv, w->id, w->route_dst, w->route_target));
        break;
    case PL_HOP_TGW_RTB:
        set_component(cv, o, "transitGatewayRouteTable", w->id);
        set_component(cv, o, "transitGateway", tgw_of(cv, w));
        if (w->route_dst[0])
            json_object_set_new(o, "transitGatewayRouteTableRoute", tgw_route_json(cv, w));
        break;
    case PL_HOP_TGW_ATTACH:
        set_component(cv, o, "transitGatewayAttachment", w->id);
        set_component(cv, o, "transitGateway", tgw_of(cv, w));
        break;
    case PL_HOP_TGW:
        set_component(cv, o, "transitGateway", w->id);
        break;
    case PL_HOP_PCX:
        set_component(cv, o, "vpcPeeringConnection", w->id);
        pcx_vpcs(cv, o, w);
        break;
    case PL_HOP_IGW:
        set_component(cv, o, "internetGateway", w->id);
        break;
    case PL_HOP_NAT:
        set_component(cv, o, "natGateway", w->id);
        set_state(cv, o, w);
        break;
    case PL_HOP_ENI:
        set_component(cv, o, "networkInterface", w->id);
        if (comp != w->instance_id)
            set_component(cv, o, "attachedTo", w->instance_id);
        if (r->code == PL_BAD_STATE)
            set_state(cv, o, w);
        break;
    case PL_HOP_EIGW:
    case PL_HOP_INTERNET:
        break;
    }
    if (comp[0])
        json_object_set_new(o, "component", component(cv, comp));
    set_component(cv, o, "vpc", w->vpc_id);
    set_component(cv, o, "subnet", w->subnet_id);
    /* The address nothing answers for, or that a peering would not carry. */
    if ((r->code == PL_NO_POSSIBLE_DESTINATION || r->code == PL_NO_ROUTE_TO_DESTINATION ||
         r->code == PL_PCX_REQUIRES_ADDRESS_IN_VPC_CIDR) &&
        w->in.family) {
        char a[PREFIX6_STRLEN];
        addr_text(&w->in, w->in.dst, a);
        json_object_set_new(o, "address", json_string(a));
    }
    json_t *list = json_array();
    json_array_append_new(list, o);
    return list;
}

/* ---- paths ---- */

static void filter_xml(struct strbuf *sb, const char *tag, const struct nip_filter *f)
{
    if (!f->set)
        return;
    xml_open(sb, tag);
    if (f->source_address[0])
        xml_str(sb, "sourceAddress", f->source_address);
    if (f->source_ports.from != NIP_PORT_NONE) {
        xml_open(sb, "sourcePortRange");
        xml_int(sb, "fromPort", f->source_ports.from);
        xml_int(sb, "toPort", f->source_ports.to);
        xml_close(sb, "sourcePortRange");
    }
    if (f->destination_address[0])
        xml_str(sb, "destinationAddress", f->destination_address);
    if (f->destination_ports.from != NIP_PORT_NONE) {
        xml_open(sb, "destinationPortRange");
        xml_int(sb, "fromPort", f->destination_ports.from);
        xml_int(sb, "toPort", f->destination_ports.to);
        xml_close(sb, "destinationPortRange");
    }
    xml_close(sb, tag);
}

static void nip_xml(struct api_ctx *c, const struct res *r)
{
    const struct nip *p = (const struct nip *)r;
    struct strbuf *sb = c->out;
    char arn[256], when[32];
    xml_str(sb, "networkInsightsPathId", p->hdr.id);
    arn_of(c->model, p->hdr.scope, p->hdr.id, arn);
    xml_str(sb, "networkInsightsPathArn", arn);
    api_iso_time(p->created, when);
    xml_str(sb, "createdDate", when);
    xml_str(sb, "source", p->source);
    if (p->destination[0])
        xml_str(sb, "destination", p->destination);
    arn_of(c->model, p->hdr.scope, p->source, arn);
    xml_str(sb, "sourceArn", arn);
    if (p->destination[0]) {
        arn_of(c->model, p->hdr.scope, p->destination, arn);
        xml_str(sb, "destinationArn", arn);
    }
    if (p->source_ip[0])
        xml_str(sb, "sourceIp", p->source_ip);
    if (p->destination_ip[0])
        xml_str(sb, "destinationIp", p->destination_ip);
    xml_str(sb, "protocol", p->protocol);
    if (p->destination_port != NIP_PORT_NONE)
        xml_int(sb, "destinationPort", p->destination_port);
    xml_tags(sb, &p->hdr.tags);
    filter_xml(sb, "filterAtSource", &p->at_source);
    filter_xml(sb, "filterAtDestination", &p->at_destination);
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

/* The analyzer's question for a path: port ranges reduce to their first port, the one packet
 * the analyzer imagines (NIP_PORT_NONE is the request's -1, "not given"). */
static void request_of(const struct nip *p, struct an_request *rq)
{
    memset(rq, 0, sizeof *rq);
    rq->source = p->source;
    rq->destination = nonempty(p->destination);
    rq->source_ip = nonempty(p->source_ip);
    if (!rq->source_ip && p->at_source.set)
        rq->source_ip = nonempty(p->at_source.source_address);
    rq->destination_ip = nonempty(p->destination_ip);
    if (!rq->destination_ip && p->at_destination.set)
        rq->destination_ip = nonempty(p->at_destination.destination_address);
    if (!rq->destination_ip && p->at_source.set)
        rq->destination_ip = nonempty(p->at_source.destination_address);
    rq->protocol = nip_protocol_number(p->protocol);
    rq->destination_port = p->destination_port;
    if (rq->destination_port == NIP_PORT_NONE && p->at_source.set)
        rq->destination_port = p->at_source.destination_ports.from;
    if (rq->destination_port == NIP_PORT_NONE && p->at_destination.set)
        rq->destination_port = p->at_destination.destination_ports.from;
    rq->source_port = NIP_PORT_NONE;
    if (p->at_source.set)
        rq->source_port = p->at_source.source_ports.from;
    if (rq->source_port == NIP_PORT_NONE && p->at_destination.set)
        rq->source_port = p->at_destination.source_ports.from;
}

/* A port parameter: absent gives NIP_PORT_NONE. */
static int port_param(struct api_ctx *c, const char *name, int *out)
{
    long v;
    *out = NIP_PORT_NONE;
    if (!api_str(c, name))
        return 0;
    if (api_int(c, name, 0, &v))
        return -1;
    if (v < 0 || v > 65535)
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value (%ld) for parameter %s is invalid. Expecting a port between 0 and "
                        "65535.",
                        v, name);
    *out = (int)v;
    return 0;
}

static int address_param(struct api_ctx *c, const char *name, char *dst, size_t n)
{
    const char *v = api_str(c, name);
    dst[0] = '\0';
    if (!v || !*v)
        return 0;
    if (strlen(v) >= n)
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value (%s) for parameter %s is invalid. Expecting an IPv4 address.", v,
                        name);
    snprintf(dst, n, "%s", v);
    return 0;
}

static int range_param(struct api_ctx *c, const char *base, struct nip_port_range *r)
{
    char from[128], to[128];
    snprintf(from, sizeof from, "%s.FromPort", base);
    snprintf(to, sizeof to, "%s.ToPort", base);
    if (port_param(c, from, &r->from) || port_param(c, to, &r->to))
        return -1;
    /* One end given: a single port. */
    if (r->from == NIP_PORT_NONE)
        r->from = r->to;
    if (r->to == NIP_PORT_NONE)
        r->to = r->from;
    return 0;
}

static int filter_param(struct api_ctx *c, const char *base, struct nip_filter *f)
{
    memset(f, 0, sizeof *f);
    f->source_ports.from = f->source_ports.to = NIP_PORT_NONE;
    f->destination_ports.from = f->destination_ports.to = NIP_PORT_NONE;
    f->set = query_has_prefix(c->q, base);
    if (!f->set)
        return 0;
    char name[128];
    snprintf(name, sizeof name, "%s.SourceAddress", base);
    if (address_param(c, name, f->source_address, sizeof f->source_address))
        return -1;
    snprintf(name, sizeof name, "%s.DestinationAddress", base);
    if (address_param(c, name, f->destination_address, sizeof f->destination_address))
        return -1;
    snprintf(name, sizeof name, "%s.SourcePortRange", base);
    if (range_param(c, name, &f->source_ports))
        return -1;
    snprintf(name, sizeof name, "%s.DestinationPortRange", base);
    return range_param(c, name, &f->destination_ports);
}

static int create_network_insights_path(struct api_ctx *c)
{
    struct tag_list *tags;
    struct nip_create_args a = {
        .source = api_str(c, "Source"),
        .destination = api_str(c, "Destination"),
        .source_ip = api_str(c, "SourceIp"),
        .destination_ip = api_str(c, "DestinationIp"),
        .protocol = api_str(c, "Protocol"),
        .client_token = api_str(c, "ClientToken"),
    };
    if (api_tag_specs(c, "network-insights-path", &tags) ||
        port_param(c, "DestinationPort", &a.destination_port) ||
        filter_param(c, "FilterAtSource", &a.at_source) ||
        filter_param(c, "FilterAtDestination", &a.at_destination))
        return -1;
    a.tags = tags;
    struct nip *p;
    if (nip_prepare(c->model, c->scope, &a, &p, &c->err))
        return -1;
    if (!p) {
        /* The ids must name objects the caller sees: the question as the path will keep it. */
        struct nip probe;
        memset(&probe, 0, sizeof probe);
        nip_resource_id(a.source, probe.source);
        nip_resource_id(a.destination, probe.destination);
        snprintf(probe.source_ip, sizeof probe.source_ip, "%s", a.source_ip ? a.source_ip : "");
        snprintf(probe.destination_ip, sizeof probe.destination_ip, "%s",
                 a.destination_ip ? a.destination_ip : "");
        snprintf(probe.protocol, sizeof probe.protocol, "%s", a.protocol);
        probe.destination_port = a.destination_port;
        probe.at_source = a.at_source;
        probe.at_destination = a.at_destination;
        struct an_request rq;
        request_of(&probe, &rq);
        if (analyzer_check(c->model, c->scope, &rq, &c->err) ||
            nip_create(c->model, c->scope, &a, &p, &c->err))
            return -1;
    }
    xml_open(c->out, "networkInsightsPath");
    nip_xml(c, &p->hdr);
    xml_close(c->out, "networkInsightsPath");
    return 0;
}

static int describe_network_insights_paths(struct api_ctx *c)
{
    return api_describe(c, RES_NIP, "NetworkInsightsPathId", "networkInsightsPathIds", 1, 100,
                        "networkInsightsPathSet", nip_xml);
}

static int delete_network_insights_path(struct api_ctx *c)
{
    const char *id;
    if (api_req(c, "NetworkInsightsPathId", &id) || nip_delete(c->model, c->scope, id, &c->err))
        return -1;
    xml_str(c->out, "networkInsightsPathId", id);
    return 0;
}

/* ---- analyses ---- */

static void strings_xml(struct strbuf *sb, const char *tag, const json_t *arr)
{
    if (json_array_size(arr))
        json_xml(sb, tag, arr);
}

static void nia_members(struct api_ctx *c, const struct nia *n, bool as_started)
{
    struct strbuf *sb = c->out;
    char arn[256], when[32];
    xml_str(sb, "networkInsightsAnalysisId", n->hdr.id);
    arn_of(c->model, n->hdr.scope, n->hdr.id, arn);
    xml_str(sb, "networkInsightsAnalysisArn", arn);
    xml_str(sb, "networkInsightsPathId", n->path_id);
    strings_xml(sb, "additionalAccountSet", n->additional_accounts);
    strings_xml(sb, "filterInArnSet", n->filter_in_arns);
    api_iso_time(n->start, when);
    xml_str(sb, "startDate", when);
    /* AWS answers StartNetworkInsightsAnalysis with "running" however quickly it finishes:
     * clients poll DescribeNetworkInsightsAnalyses for the result. */
    enum nia_status st = as_started ? NIA_RUNNING : n->status;
    xml_str(sb, "status", nia_status_name(st));
    if (st == NIA_FAILED)
        xml_str(sb, "statusMessage", n->status_message);
    if (st == NIA_SUCCEEDED) {
        xml_bool(sb, "networkPathFound", n->path_found);
        if (n->forward)
            json_xml(sb, "forwardPathComponentSet", n->forward);
        if (n->ret)
            json_xml(sb, "returnPathComponentSet", n->ret);
        if (n->explanations)
            json_xml(sb, "explanationSet", n->explanations);
    }
    /* Not a member of AWS's NetworkInsightsAnalysis (SDKs skip it): when the answer was
     * ready, for clients of vpcd that time analyses. */
    if (st != NIA_RUNNING) {
        api_iso_time(n->end, when);
        xml_str(sb, "endDate", when);
    }
    xml_tags(sb, &n->hdr.tags);
}

static void nia_xml(struct api_ctx *c, const struct res *r)
{
    nia_members(c, (const struct nia *)r, false);
}

/* Lets pending instances and NAT gateways of every scope reach their state, as the next
 * Describe would, so the analysis sees what a client would see. */
static void settle_all(struct model *m, const char *account)
{
    for (size_t i = 0; i < m->scopes.n; i++) {
        struct scope *s = (struct scope *)m->scopes.items[i];
        if (account && strcmp(s->account, account) != 0)
            continue;
        instance_settle(m, s);
        nat_settle(m, s);
    }
}

static void run_analysis(struct api_ctx *c, const struct nip *p, struct nia_outcome *o)
{
    memset(o, 0, sizeof *o);
    struct an_request rq;
    request_of(p, &rq);
    struct an_result *res = api_scratch(c, sizeof *res);
    struct merr err = {0};
    struct fib_snapshot *snap = analyzer_snapshot(c->model);
    int rc = analyzer_run(snap, &rq, res, &err);
    fib_snapshot_unref(snap);
    if (rc != 0) {
        /* The path outlived an endpoint: the analysis fails, as on AWS, with the reason. */
        o->failed = true;
        o->status_message = api_scratch(c, sizeof err.message);
        memcpy((char *)o->status_message, err.message, sizeof err.message);
        return;
    }
    struct conv cv = {.m = c->model, .caller = c->scope};
    o->path_found = res->path_found;
    o->forward = components_json(&cv, &res->forward);
    if (res->ret.run)
        o->ret = components_json(&cv, &res->ret);
    if (!res->path_found)
        o->explanations = explanation_json(&cv, res);
}

static int start_network_insights_analysis(struct api_ctx *c)
{
    struct tag_list *tags;
    struct nia_start_args a = {
        .path_id = api_str(c, "NetworkInsightsPathId"),
        .client_token = api_str(c, "ClientToken"),
    };
    if (api_tag_specs(c, "network-insights-analysis", &tags) ||
        api_strlist(c, "FilterInArn", &a.filter_in_arns, &a.n_filter_in_arns) ||
        api_strlist(c, "AdditionalAccount", &a.additional_accounts, &a.n_additional_accounts))
        return -1;
    a.tags = tags;
    struct nip *p;
    struct nia *n;
    if (nia_prepare(c->model, c->scope, &a, &p, &n, &c->err))
        return -1;
    if (!n) {
        settle_all(c->model, NULL);
        struct nia_outcome o;
        run_analysis(c, p, &o);
        n = nia_create(c->model, c->scope, &a, &o);
    }
    xml_open(c->out, "networkInsightsAnalysis");
    nia_members(c, n, true);
    xml_close(c->out, "networkInsightsAnalysis");
    return 0;
}

/* "2024-05-01T10:00:00Z", with optional fractional seconds, as SDKs send timestamps. */
static int time_param(struct api_ctx *c, const char *name, bool *present, time_t *out)
{
    const char *v = api_str(c, name);
    *present = v && *v;
    if (!*present)
        return 0;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm);
    if (end && *end == '.') {
        end++;
        while (*end >= '0' && *end <= '9')
            end++;
    }
    if (end && (strcmp(end, "Z") == 0 || strcmp(end, "+00:00") == 0 || *end == '\0')) {
        *out = timegm(&tm);
        return 0;
    }
    return merr_set(&c->err, "InvalidParameterValue",
                    "Value (%s) for parameter %s is invalid. Expecting an ISO 8601 time.", v, name);
}

/* DescribeNetworkInsightsAnalyses narrows by path and time besides ids and filters; paging
 * runs after that narrowing, with the generic token (the next item's creation order). */
static int describe_network_insights_analyses(struct api_ctx *c)
{
    struct describe_query dq;
    if (api_describe_query(c, "NetworkInsightsAnalysisId", "networkInsightsAnalysisIds", 1, 100,
                           &dq))
        return -1;
    const char *path_id = api_str(c, "NetworkInsightsPathId");
    bool has_from, has_to;
    time_t from = 0, to = 0;
    if (time_param(c, "AnalysisStartTime", &has_from, &from) ||
        time_param(c, "AnalysisEndTime", &has_to, &to))
        return -1;
    if (path_id && *path_id && !res_lookup(c->model, c->scope, RES_NIP, path_id, &c->err))
        return -1;
    if (!(path_id && *path_id) && !has_from && !has_to)
        return api_describe_run(c, RES_NIA, &dq, "networkInsightsAnalysisSet", nia_xml);

    long limit = dq.max_results;
    if (limit && dq.n_ids)
        return merr_set(&c->err, "InvalidParameterCombination",
                        "The parameter networkInsightsAnalysisIds cannot be used with the "
                        "parameter maxResults");
    if (limit && (limit < dq.max_results_min || limit > dq.max_results_max))
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value ( %ld ) for parameter maxResults is invalid. Expecting a value "
                        "between %ld and %ld.",
                        limit, dq.max_results_min, dq.max_results_max);
    uint64_t start_seq = 0;
    if (dq.next_token) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(dq.next_token, &end, 16);
        if (errno || *end || strlen(dq.next_token) != 16)
            return merr_set(&c->err, "InvalidPaginationToken", "Invalid pagination token '%s'",
                            dq.next_token);
        start_seq = v;
    }
    struct describe_query all = dq;
    all.max_results = 0;
    all.next_token = NULL;
    struct res **found;
    size_t n;
    char next[32];
    if (model_describe(c->model, c->scope, RES_NIA, &all, &found, &n, next, &c->err))
        return -1;
    xml_open(c->out, "networkInsightsAnalysisSet");
    long shown = 0;
    for (size_t i = 0; i < n; i++) {
        const struct nia *a = (const struct nia *)found[i];
        if (a->hdr.seq < start_seq || (path_id && *path_id && strcmp(a->path_id, path_id) != 0) ||
            (has_from && a->start < from) || (has_to && a->end > to))
            continue;
        if (limit && shown == limit) {
            snprintf(next, sizeof next, "%016llx", (unsigned long long)a->hdr.seq);
            break;
        }
        xml_open(c->out, "item");
        nia_xml(c, &a->hdr);
        xml_close(c->out, "item");
        shown++;
    }
    xml_close(c->out, "networkInsightsAnalysisSet");
    free(found);
    if (next[0])
        xml_str(c->out, "nextToken", next);
    return 0;
}

static int delete_network_insights_analysis(struct api_ctx *c)
{
    const char *id;
    if (api_req(c, "NetworkInsightsAnalysisId", &id) || nia_delete(c->model, c->scope, id, &c->err))
        return -1;
    xml_str(c->out, "networkInsightsAnalysisId", id);
    return 0;
}

/* ---- DescribeVpcdReachabilityMatrix (vendor) ---- */

struct matrix_inst {
    const struct instance *in;
    uint32_t eni;
};

static int matrix_inst_cmp(const void *a, const void *b)
{
    const struct instance *x = ((const struct matrix_inst *)a)->in;
    const struct instance *y = ((const struct matrix_inst *)b)->in;
    int c = strcmp(x->hdr.scope->region, y->hdr.scope->region);
    return c ? c : strcmp(x->hdr.id, y->hdr.id);
}

/* Every running instance of the caller's account in every region, and for each ordered pair
 * whether a flow (Protocol, DestinationPort) gets there and back: row i, character j. */
static int describe_vpcd_reachability_matrix(struct api_ctx *c)
{
    const char *proto_name = api_str(c, "Protocol");
    if (!proto_name || !*proto_name)
        proto_name = "tcp";
    int proto = nip_protocol_number(proto_name);
    if (proto < 0)
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value (%s) for parameter protocol is invalid. Valid values: tcp, udp, "
                        "icmp.",
                        proto_name);
    int port;
    if (port_param(c, "DestinationPort", &port))
        return -1;
    if (port == NIP_PORT_NONE)
        port = -1;
    const char *account = c->scope->account;
    settle_all(c->model, account);

    size_t cap = 0, n = 0;
    for (size_t i = 0; i < c->model->scopes.n; i++) {
        const struct scope *s = (const struct scope *)c->model->scopes.items[i];
        if (strcmp(s->account, account) == 0)
            cap += s->lists[RES_INSTANCE].n;
    }
    struct matrix_inst *list = xcalloc(cap ? cap : 1, sizeof *list);
    struct fib_snapshot *snap = analyzer_snapshot(c->model);
    for (size_t i = 0; i < c->model->scopes.n; i++) {
        const struct scope *s = (const struct scope *)c->model->scopes.items[i];
        if (strcmp(s->account, account) != 0)
            continue;
        const struct instance *in;
        SCOPE_FOREACH(in, s, RES_INSTANCE)
        {
            if (in->hdr.scope != s || in->state != INST_RUNNING)
                continue;
            uint32_t e = fib_find(snap, FIB_OBJ_INSTANCE, in->hdr.id);
            if (e != FIB_NONE)
                list[n++] = (struct matrix_inst){.in = in, .eni = e};
        }
    }
    qsort(list, n, sizeof *list, matrix_inst_cmp);
    uint32_t *enis = xcalloc(n ? n : 1, sizeof *enis);
    for (size_t i = 0; i < n; i++)
        enis[i] = list[i].eni;
    uint8_t *matrix = xcalloc(n ? n * n : 1, 1);
    if (n)
        analyzer_matrix(snap, enis, n, proto, port, matrix);
    fib_snapshot_unref(snap);

    struct strbuf *sb = c->out;
    char ip[IP4_STRLEN];
    xml_open(sb, "instanceSet");
    for (size_t i = 0; i < n; i++) {
        xml_open(sb, "item");
        xml_str(sb, "instanceId", list[i].in->hdr.id);
        xml_str(sb, "region", list[i].in->hdr.scope->region);
        ip4_format(list[i].in->private_ip, ip);
        xml_str(sb, "privateIpAddress", ip);
        xml_close(sb, "item");
    }
    xml_close(sb, "instanceSet");
    char *row = xmalloc(n + 1);
    xml_open(sb, "rowSet");
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++)
            row[j] = matrix[i * n + j] ? '1' : '0';
        xml_open(sb, "item");
        xml_str(sb, "instanceId", list[i].in->hdr.id);
        xml_open(sb, "reachable");
        strbuf_append(sb, row, n);
        xml_close(sb, "reachable");
        xml_close(sb, "item");
    }
    xml_close(sb, "rowSet");
    free(row);
    free(matrix);
    free(enis);
    free(list);
    return 0;
}

const struct api_action insights_actions[] = {
    {"CreateNetworkInsightsPath", create_network_insights_path},
    {"DescribeNetworkInsightsPaths", describe_network_insights_paths},
    {"DeleteNetworkInsightsPath", delete_network_insights_path},
    {"StartNetworkInsightsAnalysis", start_network_insights_analysis},
    {"DescribeNetworkInsightsAnalyses", describe_network_insights_analyses},
    {"DeleteNetworkInsightsAnalysis", delete_network_insights_analysis},
    {"DescribeVpcdReachabilityMatrix", describe_vpcd_reachability_matrix},
    {NULL, NULL},
};
