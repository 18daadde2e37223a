/* Text and JSON reports of analyses and reachability matrices. */
#include "ctl/ctl_trace.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/xalloc.h"

#define ARROW "\xe2\x86\x92" /* U+2192, as in AWS's console and the brief's examples */

/* ---- small pieces ----------------------------------------------------------------------- */

static const char *ctl_trace_proto(const char *p)
{
    if (p == NULL)
        return NULL;
    if (strcmp(p, "-1") == 0 || strcmp(p, "all") == 0)
        return "all traffic";
    if (strcmp(p, "6") == 0)
        return "tcp";
    if (strcmp(p, "17") == 0)
        return "udp";
    if (strcmp(p, "1") == 0)
        return "icmp";
    return p;
}

/* "22" or "1024-65535" from a node with <from> and <to>; false when it has neither. */
static bool ctl_trace_range(const struct ctl_xml_node *r, struct strbuf *out)
{
    int from, to;
    bool has_from = ctl_xml_int(r, "from", &from), has_to = ctl_xml_int(r, "to", &to);
    if (!has_from && !has_to)
        return false;
    if (!has_from)
        from = to;
    if (!has_to)
        to = from;
    if (from == to)
        strbuf_printf(out, "%d", from);
    else
        strbuf_printf(out, "%d-%d", from, to);
    return true;
}

/* Items of a set of strings joined with ","; false when the set is missing or empty. */
static bool ctl_trace_join(const struct ctl_xml_node *set, struct strbuf *out)
{
    size_t shown = 0;
    const struct ctl_xml_node *it;
    for (size_t i = 0; (it = ctl_xml_item(set, i)) != NULL; i++)
        if (it->text[0])
            strbuf_printf(out, "%s%s", shown++ ? "," : "", it->text);
    return shown > 0;
}

static bool ctl_trace_join_ranges(const struct ctl_xml_node *set, struct strbuf *out)
{
    size_t n = 0, shown = 0;
    for (const struct ctl_xml_node *it; (it = ctl_xml_item(set, n)) != NULL; n++) {
        struct strbuf one;
        strbuf_init(&one);
        if (ctl_trace_range(it, &one)) {
            strbuf_printf(out, "%s%s", shown ? "," : "", one.data);
            shown++;
        }
        strbuf_destroy(&one);
    }
    return shown > 0;
}

/* A header's addresses without the host prefix length AWS writes ("10.0.1.10/32"). */
static bool ctl_trace_join_hosts(const struct ctl_xml_node *set, struct strbuf *out)
{
    size_t shown = 0;
    const struct ctl_xml_node *it;
    for (size_t i = 0; (it = ctl_xml_item(set, i)) != NULL; i++) {
        size_t len = strlen(it->text);
        const char *slash = strrchr(it->text, '/');
        if (slash && (strcmp(slash, "/32") == 0 || strcmp(slash, "/128") == 0))
            len = (size_t)(slash - it->text);
        if (len == 0)
            continue;
        if (shown++)
            strbuf_puts(out, ",");
        strbuf_append(out, it->text, len);
    }
    return shown > 0;
}

/* "tcp 10.0.1.10:49152 → 10.0.1.20:22" from an AnalysisPacketHeader. */
static void ctl_trace_header(const struct ctl_xml_node *h, struct strbuf *out)
{
    const char *proto = ctl_trace_proto(ctl_xml_text(h, "protocol"));
    if (proto)
        strbuf_printf(out, "%s ", proto);
    if (!ctl_trace_join_hosts(ctl_xml_child(h, "sourceAddressSet"), out))
        strbuf_puts(out, "?");
    struct strbuf ports;
    strbuf_init(&ports);
    if (ctl_trace_join_ranges(ctl_xml_child(h, "sourcePortRangeSet"), &ports))
        strbuf_printf(out, ":%s", ports.data);
    strbuf_puts(out, " " ARROW " ");
    if (!ctl_trace_join_hosts(ctl_xml_child(h, "destinationAddressSet"), out))
        strbuf_puts(out, "?");
    strbuf_reset(&ports);
    if (ctl_trace_join_ranges(ctl_xml_child(h, "destinationPortRangeSet"), &ports))
        strbuf_printf(out, ":%s", ports.data);
    strbuf_destroy(&ports);
}

/* "tcp 22" / "all traffic" / "udp" for a rule's protocol and port range. */
static void ctl_trace_proto_ports(const struct ctl_xml_node *rule, struct strbuf *out)
{
    const char *proto = ctl_trace_proto(ctl_xml_text(rule, "protocol"));
    strbuf_puts(out, proto ? proto : "?");
    if (proto && strcmp(proto, "all traffic") == 0)
        return;
    struct strbuf ports;
    strbuf_init(&ports);
    if (ctl_trace_range(ctl_xml_child(rule, "portRange"), &ports))
        strbuf_printf(out, " %s", ports.data);
    strbuf_destroy(&ports);
}

/* "egress rule 100 allow" ("*" for the implicit deny); with_match adds what the rule matches. */
static void ctl_trace_acl_rule(const struct ctl_xml_node *rule, bool with_match, struct strbuf *out)
{
    bool egress = false;
    int number;
    bool has_dir = ctl_xml_bool(rule, "egress", &egress);
    strbuf_printf(out, "%srule ", has_dir ? (egress ? "egress " : "ingress ") : "");
    if (ctl_xml_int(rule, "ruleNumber", &number)) {
        if (number == 32767)
            strbuf_puts(out, "*");
        else
            strbuf_printf(out, "%d", number);
    } else {
        strbuf_puts(out, "?");
    }
    const char *action = ctl_xml_text(rule, "ruleAction");
    strbuf_printf(out, " %s", action ? action : "?");
    if (with_match) {
        strbuf_puts(out, " (");
        ctl_trace_proto_ports(rule, out);
        const char *cidr = ctl_xml_text(rule, "cidr");
        if (cidr)
            strbuf_printf(out, " %s %s", egress ? "to" : "from", cidr);
        strbuf_puts(out, ")");
    }
}

/* "egress rule sgr-... tcp 22 to 0.0.0.0/0 allow". The rule's securityGroupId is its peer (a
 * referenced group), as are cidr and prefixListId; the group holding it is the component. */
static void ctl_trace_sg_rule(const struct ctl_xml_node *rule, struct strbuf *out)
{
    const char *dir = ctl_xml_text(rule, "direction");
    if (dir)
        strbuf_printf(out, "%s ", dir);
    strbuf_puts(out, "rule ");
    /* Not in AWS's shape, but vpcd adds the rule id; show it when it is there. */
    const char *rule_id = ctl_xml_text(rule, "securityGroupRuleId");
    if (rule_id)
        strbuf_printf(out, "%s ", rule_id);
    ctl_trace_proto_ports(rule, out);
    const char *peer = ctl_xml_text(rule, "cidr");
    if (peer == NULL)
        peer = ctl_xml_text(rule, "prefixListId");
    if (peer == NULL)
        peer = ctl_xml_text(rule, "securityGroupId");
    if (peer)
        strbuf_printf(out, " %s %s", dir && strcmp(dir, "ingress") == 0 ? "from" : "to", peer);
    strbuf_puts(out, " allow");
}

/* "10.1.0.0/16 → pcx-..." (state shown unless active). */
static void ctl_trace_route(const struct ctl_xml_node *r, struct strbuf *out)
{
    static const char *const targets[] = {
        "gatewayId",
        "natGatewayId",
        "transitGatewayId",
        "vpcPeeringConnectionId",
        "networkInterfaceId",
        "instanceId",
        "egressOnlyInternetGatewayId",
    };
    const char *dst = ctl_xml_text(r, "destinationCidr");
    if (dst == NULL)
        dst = ctl_xml_text(r, "destinationPrefixListId");
    const char *target = NULL;
    for (size_t i = 0; i < sizeof targets / sizeof targets[0] && target == NULL; i++)
        target = ctl_xml_text(r, targets[i]);
    strbuf_printf(out, "%s " ARROW " %s", dst ? dst : "?", target ? target : "?");
    const char *state = ctl_xml_text(r, "state");
    if (state && strcmp(state, "active") != 0)
        strbuf_printf(out, " (%s)", state);
}

/* "10.2.0.0/16 → tgw-attach-... (propagated)" or "... → blackhole (static)". */
static void ctl_trace_tgw_route(const struct ctl_xml_node *r, struct strbuf *out)
{
    const char *dst = ctl_xml_text(r, "destinationCidr");
    if (dst == NULL)
        dst = ctl_xml_text(r, "prefixListId");
    const char *state = ctl_xml_text(r, "state");
    const char *target = ctl_xml_text(r, "attachmentId");
    if (target == NULL)
        target = ctl_xml_text(r, "resourceId");
    if (state && strcmp(state, "blackhole") == 0)
        target = "blackhole";
    strbuf_printf(out, "%s " ARROW " %s", dst ? dst : "?", target ? target : "?");
    const char *origin = ctl_xml_text(r, "routeOrigin");
    if (origin)
        strbuf_printf(out, " (%s)", origin);
    if (state && strcmp(state, "active") != 0 && strcmp(state, "blackhole") != 0)
        strbuf_printf(out, " (%s)", state);
}

/* ---- paths ------------------------------------------------------------------------------ */

static void ctl_trace_component(const struct ctl_xml_node *c, size_t index, struct strbuf *out)
{
    int seq;
    if (!ctl_xml_int(c, "sequenceNumber", &seq))
        seq = (int)index + 1;
    const char *id = ctl_xml_text(c, "component/id");
    strbuf_printf(out, "  %3d  %s", seq, id ? id : "?");
    const char *name = ctl_xml_text(c, "component/name");
    if (name)
        strbuf_printf(out, " (%s)", name);
    const char *attached = ctl_xml_text(c, "attachedTo/id");
    if (attached)
        strbuf_printf(out, " on %s", attached);
    const struct ctl_xml_node *n;
    if ((n = ctl_xml_child(c, "securityGroupRule")) != NULL) {
        strbuf_puts(out, " ");
        ctl_trace_sg_rule(n, out);
    } else if (id && strncmp(id, "sg-", 3) == 0) {
        /* A group on the path that names no rule admitted the packet as a tracked reply. */
        strbuf_puts(out, " allow (reply of a tracked flow)");
    }
    if ((n = ctl_xml_child(c, "aclRule")) != NULL) {
        strbuf_puts(out, " ");
        ctl_trace_acl_rule(n, false, out);
    }
    if ((n = ctl_xml_child(c, "routeTableRoute")) != NULL) {
        strbuf_puts(out, " route ");
        ctl_trace_route(n, out);
    }
    if ((n = ctl_xml_child(c, "transitGatewayRouteTableRoute")) != NULL) {
        strbuf_puts(out, " route ");
        ctl_trace_tgw_route(n, out);
    }
    /* A component that rewrites the header (a NAT gateway) shows what leaves it. */
    const struct ctl_xml_node *in = ctl_xml_child(c, "inboundHeader");
    const struct ctl_xml_node *outh = ctl_xml_child(c, "outboundHeader");
    if (in && outh) {
        struct strbuf a, b;
        strbuf_init(&a);
        strbuf_init(&b);
        ctl_trace_header(in, &a);
        ctl_trace_header(outh, &b);
        if (strcmp(a.data, b.data) != 0)
            strbuf_printf(out, ", sends %s", b.data);
        strbuf_destroy(&a);
        strbuf_destroy(&b);
    }
    strbuf_puts(out, "\n");
}

static void ctl_trace_path(const char *label, const struct ctl_xml_node *set, struct strbuf *out)
{
    strbuf_printf(out, "%s path", label);
    const struct ctl_xml_node *first_header = NULL;
    for (size_t i = 0; first_header == NULL && ctl_xml_item(set, i); i++) {
        first_header = ctl_xml_child(ctl_xml_item(set, i), "outboundHeader");
        if (first_header == NULL)
            first_header = ctl_xml_child(ctl_xml_item(set, i), "inboundHeader");
    }
    if (first_header) {
        strbuf_puts(out, ": ");
        ctl_trace_header(first_header, out);
    }
    strbuf_puts(out, "\n");
    size_t n = ctl_xml_n_items(set);
    if (n == 0)
        strbuf_puts(out, "  (no components)\n");
    for (size_t i = 0; i < n; i++)
        ctl_trace_component(ctl_xml_item(set, i), i, out);
}

/* ---- explanations ----------------------------------------------------------------------- */

enum ctl_detail_kind {
    CTL_D_TEXT,
    CTL_D_COMPONENT,
    CTL_D_COMPONENTS,
    CTL_D_STRINGS,
    CTL_D_PORTS,
    CTL_D_ACL_RULE,
    CTL_D_SG_RULE,
    CTL_D_ROUTE,
    CTL_D_TGW_ROUTE,
};

/* Explanation members in the order a reader wants them: why first, then where. */
static const struct {
    const char *member;
    const char *label;
    enum ctl_detail_kind kind;
} ctl_details[] = {
    {"direction", "direction", CTL_D_TEXT},
    {"aclRule", "acl rule", CTL_D_ACL_RULE},
    {"securityGroupRule", "sg rule", CTL_D_SG_RULE},
    {"routeTableRoute", "route", CTL_D_ROUTE},
    {"transitGatewayRouteTableRoute", "tgw route", CTL_D_TGW_ROUTE},
    {"address", "address", CTL_D_TEXT},
    {"addressSet", "addresses", CTL_D_STRINGS},
    {"cidrSet", "cidrs", CTL_D_STRINGS},
    {"port", "port", CTL_D_TEXT},
    {"portRangeSet", "port ranges", CTL_D_PORTS},
    {"protocolSet", "protocols", CTL_D_STRINGS},
    {"availabilityZoneSet", "availability zones", CTL_D_STRINGS},
    {"state", "state", CTL_D_TEXT},
    {"missingComponent", "missing component", CTL_D_TEXT},
    {"packetField", "packet field", CTL_D_TEXT},
    {"networkInterface", "network interface", CTL_D_COMPONENT},
    {"securityGroupSet", "security groups", CTL_D_COMPONENTS},
    {"securityGroups", "security groups", CTL_D_COMPONENTS}, /* vpcd before it used the Set name */
    {"securityGroup", "security group", CTL_D_COMPONENT},
    {"acl", "network acl", CTL_D_COMPONENT},
    {"routeTable", "route table", CTL_D_COMPONENT},
    {"subnetRouteTable", "subnet route table", CTL_D_COMPONENT},
    {"ingressRouteTable", "ingress route table", CTL_D_COMPONENT},
    {"vpcPeeringConnection", "peering connection", CTL_D_COMPONENT},
    {"transitGateway", "transit gateway", CTL_D_COMPONENT},
    {"transitGatewayAttachment", "tgw attachment", CTL_D_COMPONENT},
    {"transitGatewayRouteTable", "tgw route table", CTL_D_COMPONENT},
    {"internetGateway", "internet gateway", CTL_D_COMPONENT},
    {"natGateway", "nat gateway", CTL_D_COMPONENT},
    {"vpcEndpoint", "vpc endpoint", CTL_D_COMPONENT},
    {"vpnGateway", "vpn gateway", CTL_D_COMPONENT},
    {"vpnConnection", "vpn connection", CTL_D_COMPONENT},
    {"customerGateway", "customer gateway", CTL_D_COMPONENT},
    {"prefixList", "prefix list", CTL_D_COMPONENT},
    {"attachedTo", "attached to", CTL_D_COMPONENT},
    {"destination", "destination", CTL_D_COMPONENT},
    {"subnet", "subnet", CTL_D_COMPONENT},
    {"vpc", "vpc", CTL_D_COMPONENT},
    {"sourceVpc", "source vpc", CTL_D_COMPONENT},
    {"destinationVpc", "destination vpc", CTL_D_COMPONENT},
    {"componentRegion", "region", CTL_D_TEXT},
    {"componentAccount", "account", CTL_D_TEXT},
};

/* Where an explanation points: its component, else the most specific object it names. */
static const char *ctl_trace_blocker(const struct ctl_xml_node *e)
{
    static const char *const where[] = {
        "component/id",
        "acl/id",
        "routeTable/id",
        "networkInterface/id",
        "securityGroup/id",
        "vpcPeeringConnection/id",
        "internetGateway/id",
        "natGateway/id",
        "transitGatewayRouteTable/id",
        "transitGatewayAttachment/id",
        "transitGateway/id",
        "subnet/id",
        "vpc/id",
    };
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        const char *id = ctl_xml_text(e, where[i]);
        if (id)
            return id;
    }
    return "?";
}

static void ctl_trace_explanation(const struct ctl_xml_node *e, bool found, struct strbuf *out)
{
    const char *code = ctl_xml_text(e, "explanationCode");
    const char *at = ctl_trace_blocker(e);
    strbuf_printf(out, "%s %s: %s\n", found ? "note at" : "blocked at", at,
                  code ? code : "(no explanation code)");
    for (size_t i = 0; i < sizeof ctl_details / sizeof ctl_details[0]; i++) {
        const struct ctl_xml_node *n = ctl_xml_child(e, ctl_details[i].member);
        if (n == NULL)
            continue;
        struct strbuf v;
        strbuf_init(&v);
        switch (ctl_details[i].kind) {
        case CTL_D_TEXT:
            strbuf_puts(&v, n->text);
            break;
        case CTL_D_COMPONENT: {
            const char *id = ctl_xml_text(n, "id");
            if (id && strcmp(id, at) != 0)
                strbuf_puts(&v, id);
            break;
        }
        case CTL_D_COMPONENTS:
            for (size_t k = 0; ctl_xml_item(n, k); k++) {
                const char *id = ctl_xml_text(ctl_xml_item(n, k), "id");
                if (id)
                    strbuf_printf(&v, "%s%s", v.len ? ", " : "", id);
            }
            break;
        case CTL_D_STRINGS:
            ctl_trace_join(n, &v);
            break;
        case CTL_D_PORTS:
            ctl_trace_join_ranges(n, &v);
            break;
        case CTL_D_ACL_RULE:
            ctl_trace_acl_rule(n, true, &v);
            break;
        case CTL_D_SG_RULE:
            ctl_trace_sg_rule(n, &v);
            break;
        case CTL_D_ROUTE:
            ctl_trace_route(n, &v);
            break;
        case CTL_D_TGW_ROUTE:
            ctl_trace_tgw_route(n, &v);
            break;
        }
        if (v.len > 0)
            strbuf_printf(out, "    %-19s %s\n", ctl_details[i].label, v.data);
        strbuf_destroy(&v);
    }
}

void ctl_trace_text(const struct ctl_xml_node *analysis, const struct ctl_trace_query *q,
                    struct strbuf *out)
{
    bool found = false;
    bool known = ctl_xml_bool(analysis, "networkPathFound", &found);
    strbuf_printf(out, "%s %s %s %s", q && q->source ? q->source : "?", ARROW,
                  q && q->destination ? q->destination : "?",
                  q && q->protocol ? q->protocol : "tcp");
    if (q && q->port >= 0)
        strbuf_printf(out, " port %d", q->port);
    strbuf_printf(out, ": %s\n", !known ? "unknown" : found ? "path found" : "not reachable");

    ctl_trace_path("forward", ctl_xml_child(analysis, "forwardPathComponentSet"), out);
    const struct ctl_xml_node *ret = ctl_xml_child(analysis, "returnPathComponentSet");
    if (ctl_xml_n_items(ret) > 0 || found)
        ctl_trace_path("return", ret, out);

    const struct ctl_xml_node *exps = ctl_xml_child(analysis, "explanationSet");
    size_t n = ctl_xml_n_items(exps);
    for (size_t i = 0; i < n; i++)
        ctl_trace_explanation(ctl_xml_item(exps, i), found, out);
    if (!found && n == 0)
        strbuf_puts(out, "blocked: the analysis gave no explanation\n");
}

/* ---- JSON ------------------------------------------------------------------------------- */

static bool ctl_trace_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

/* "explanationSet" -> "explanations", "addressSet" -> "addresses", "vpc" -> "vpc". */
static char *ctl_trace_json_key(const char *name)
{
    if (!ctl_trace_ends_with(name, "Set"))
        return xstrdup(name);
    size_t n = strlen(name) - 3;
    struct strbuf sb;
    strbuf_init(&sb);
    strbuf_append(&sb, name, n);
    strbuf_puts(&sb, name[n - 1] == 's' ? "es" : "s");
    return strbuf_steal(&sb);
}

static bool ctl_trace_is_int_member(const char *name)
{
    static const char *const ints[] = {
        "sequenceNumber",
        "ruleNumber",
        "from",
        "to",
        "port",
        "destinationPort",
        "loadBalancerListenerPort",
        "loadBalancerTargetPort",
        "loadBalancerPort",
        "instancePort",
    };
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (strcmp(name, ints[i]) == 0)
            return true;
    return false;
}

static json_t *ctl_trace_to_json(const struct ctl_xml_node *n);

static json_t *ctl_trace_leaf(const struct ctl_xml_node *n)
{
    int v;
    bool b;
    if (ctl_trace_is_int_member(n->name) && ctl_xml_int(n, "", &v))
        return json_integer(v);
    if ((strcmp(n->name, "egress") == 0 || strcmp(n->name, "networkPathFound") == 0) &&
        ctl_xml_bool(n, "", &b))
        return json_boolean(b);
    return json_string(n->text);
}

/* A list: named ...Set, as AWS names every list, or holding nothing but <item>s. */
static bool ctl_trace_is_list(const struct ctl_xml_node *n)
{
    if (ctl_trace_ends_with(n->name, "Set"))
        return true;
    for (size_t i = 0; i < n->n_kids; i++)
        if (strcmp(n->kids[i].name, "item") != 0)
            return false;
    return n->n_kids > 0;
}

static json_t *ctl_trace_to_json(const struct ctl_xml_node *n)
{
    if (ctl_trace_is_list(n)) {
        json_t *a = json_array();
        for (size_t i = 0; i < n->n_kids; i++) {
            const struct ctl_xml_node *it = &n->kids[i];
            json_array_append_new(a, it->n_kids ? ctl_trace_to_json(it) : json_string(it->text));
        }
        return a;
    }
    if (n->n_kids == 0)
        return ctl_trace_leaf(n);
    json_t *o = json_object();
    for (size_t i = 0; i < n->n_kids; i++) {
        char *key = ctl_trace_json_key(n->kids[i].name);
        json_object_set_new(o, key, ctl_trace_to_json(&n->kids[i]));
        free(key);
    }
    return o;
}

static json_t *ctl_trace_json_set(const struct ctl_xml_node *analysis, const char *member)
{
    const struct ctl_xml_node *set = ctl_xml_child(analysis, member);
    return set ? ctl_trace_to_json(set) : json_array();
}

static void ctl_trace_dump(json_t *doc, struct strbuf *out)
{
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s) {
        strbuf_puts(out, s);
        strbuf_puts(out, "\n");
        free(s);
    }
    json_decref(doc);
}

void ctl_trace_json(const struct ctl_xml_node *analysis, struct strbuf *out)
{
    bool found = false;
    bool known = ctl_xml_bool(analysis, "networkPathFound", &found);
    json_t *doc = json_object();
    json_object_set_new(doc, "networkPathFound", known ? json_boolean(found) : json_null());
    json_object_set_new(doc, "forward", ctl_trace_json_set(analysis, "forwardPathComponentSet"));
    json_object_set_new(doc, "return", ctl_trace_json_set(analysis, "returnPathComponentSet"));
    json_object_set_new(doc, "explanations", ctl_trace_json_set(analysis, "explanationSet"));
    ctl_trace_dump(doc, out);
}

/* ---- reachability matrix ---------------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static int ctl_reach_fail(char *err, size_t err_size,
                                                                const char *fmt, ...)
{
    if (err != NULL && err_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int ctl_reach_parse(const struct ctl_xml_node *reply, struct ctl_reach *out, char *err,
                    size_t err_size)
{
    memset(out, 0, sizeof *out);
    const struct ctl_xml_node *iset = ctl_xml_child(reply, "instanceSet");
    const struct ctl_xml_node *rset = ctl_xml_child(reply, "rowSet");
    if (iset == NULL || rset == NULL)
        return ctl_reach_fail(err, err_size, "the reply has no instanceSet or rowSet");
    size_t n = ctl_xml_n_items(iset), n_rows = ctl_xml_n_items(rset);
    out->instances = n ? xcalloc(n, sizeof *out->instances) : NULL;
    out->rows = n_rows ? xcalloc(n_rows, sizeof *out->rows) : NULL;
    for (size_t i = 0; i < n; i++) {
        const struct ctl_xml_node *it = ctl_xml_item(iset, i);
        struct ctl_reach_instance *ri = &out->instances[i];
        ri->instance_id = ctl_xml_text(it, "instanceId");
        ri->region = ctl_xml_text(it, "region");
        ri->private_ip = ctl_xml_text(it, "privateIpAddress");
        if (ri->instance_id == NULL) {
            ctl_reach_destroy(out);
            return ctl_reach_fail(err, err_size, "instance %zu of the reply has no instanceId",
                                  i + 1);
        }
    }
    out->n_instances = n;
    for (size_t i = 0; i < n_rows; i++) {
        const struct ctl_xml_node *it = ctl_xml_item(rset, i);
        struct ctl_reach_row *row = &out->rows[i];
        row->instance_id = ctl_xml_text(it, "instanceId");
        const struct ctl_xml_node *bits = ctl_xml_child(it, "reachable");
        row->reachable = bits ? bits->text : NULL;
        if (row->instance_id == NULL || row->reachable == NULL || strlen(row->reachable) != n ||
            strspn(row->reachable, "01") != n) {
            ctl_reach_destroy(out);
            return ctl_reach_fail(err, err_size,
                                  "row %zu of the reply is malformed (need an instanceId and "
                                  "%zu characters 0 or 1)",
                                  i + 1, n);
        }
    }
    out->n_rows = n_rows;
    return 0;
}

void ctl_reach_destroy(struct ctl_reach *r)
{
    if (r == NULL)
        return;
    free(r->instances);
    free(r->rows);
    memset(r, 0, sizeof *r);
}

static size_t ctl_reach_index(const struct ctl_reach *r, const char *id)
{
    for (size_t i = 0; i < r->n_instances; i++)
        if (strcmp(r->instances[i].instance_id, id) == 0)
            return i;
    return r->n_instances;
}

static size_t ctl_reach_width(const struct ctl_reach *r, size_t field, size_t min)
{
    size_t w = min;
    for (size_t i = 0; i < r->n_instances; i++) {
        const struct ctl_reach_instance *ri = &r->instances[i];
        const char *s = field == 0 ? ri->instance_id : field == 1 ? ri->region : ri->private_ip;
        if (s && strlen(s) > w)
            w = strlen(s);
    }
    return w;
}

void ctl_reach_text(const struct ctl_reach *r, const char *protocol, int port, struct strbuf *out)
{
    strbuf_printf(out, "reachability, %s", protocol ? protocol : "tcp");
    if (port >= 0)
        strbuf_printf(out, " port %d", port);
    strbuf_printf(out,
                  ": %zu instances (rows: sources, columns: destinations; + reachable, . not)\n",
                  r->n_instances);
    if (r->n_instances == 0)
        return;
    int wid = (int)ctl_reach_width(r, 0, 8), wreg = (int)ctl_reach_width(r, 1, 6),
        wip = (int)ctl_reach_width(r, 2, 10);
    int wnum = r->n_instances >= 100 ? 4 : r->n_instances >= 10 ? 3 : 2;
    strbuf_printf(out, "%*s  %-*s  %-*s  %-*s ", wnum, "#", wid, "instance", wreg, "region", wip,
                  "private ip");
    for (size_t j = 0; j < r->n_instances; j++)
        strbuf_printf(out, " %zu", (j + 1) % 10);
    strbuf_puts(out, "\n");
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct ctl_reach_row *row = &r->rows[i];
        size_t k = ctl_reach_index(r, row->instance_id);
        const struct ctl_reach_instance *ri = k < r->n_instances ? &r->instances[k] : NULL;
        if (ri)
            strbuf_printf(out, "%*zu", wnum, k + 1);
        else
            strbuf_printf(out, "%*s", wnum, "?");
        strbuf_printf(out, "  %-*s  %-*s  %-*s ", wid, row->instance_id, wreg,
                      ri && ri->region ? ri->region : "-", wip,
                      ri && ri->private_ip ? ri->private_ip : "-");
        for (size_t j = 0; j < r->n_instances; j++)
            strbuf_puts(out, row->reachable[j] == '1' ? " +" : " .");
        strbuf_puts(out, "\n");
    }
}

void ctl_reach_json(const struct ctl_reach *r, const char *protocol, int port, struct strbuf *out)
{
    json_t *doc = json_object();
    json_object_set_new(doc, "protocol", json_string(protocol ? protocol : "tcp"));
    json_object_set_new(doc, "destinationPort", port >= 0 ? json_integer(port) : json_null());
    json_t *insts = json_array();
    for (size_t i = 0; i < r->n_instances; i++) {
        const struct ctl_reach_instance *ri = &r->instances[i];
        json_t *o = json_object();
        json_object_set_new(o, "instanceId", json_string(ri->instance_id));
        json_object_set_new(o, "region", ri->region ? json_string(ri->region) : json_null());
        json_object_set_new(o, "privateIpAddress",
                            ri->private_ip ? json_string(ri->private_ip) : json_null());
        json_array_append_new(insts, o);
    }
    json_object_set_new(doc, "instances", insts);
    json_t *rows = json_array();
    for (size_t i = 0; i < r->n_rows; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "instanceId", json_string(r->rows[i].instance_id));
        json_t *bits = json_array();
        for (size_t j = 0; j < r->n_instances; j++)
            json_array_append_new(bits, json_boolean(r->rows[i].reachable[j] == '1'));
        json_object_set_new(o, "reachable", bits);
        json_array_append_new(rows, o);
    }
    json_object_set_new(doc, "rows", rows);
    ctl_trace_dump(doc, out);
}
