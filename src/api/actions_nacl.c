/* EC2 actions for network ACLs. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "model/resources.h"

#define CLIENT_TOKEN_MAX 64

static void entry_xml(struct strbuf *sb, const struct nacl_entry *e)
{
    char text[PREFIX6_STRLEN];
    xml_int(sb, "ruleNumber", e->rule_number);
    snprintf(text, sizeof text, "%d", e->protocol);
    xml_str(sb, "protocol", text);
    xml_str(sb, "ruleAction", e->allow ? "allow" : "deny");
    xml_bool(sb, "egress", e->egress);
    if (e->ipv6) {
        prefix6_format(&e->cidr6, text);
        xml_str(sb, "ipv6CidrBlock", text);
    } else {
        prefix4_format(&e->cidr4, text);
        xml_str(sb, "cidrBlock", text);
    }
    if (e->has_icmp) {
        xml_open(sb, "icmpTypeCode");
        xml_int(sb, "code", e->icmp_code);
        xml_int(sb, "type", e->icmp_type);
        xml_close(sb, "icmpTypeCode");
    }
    if (e->has_ports) {
        xml_open(sb, "portRange");
        xml_int(sb, "from", e->port_from);
        xml_int(sb, "to", e->port_to);
        xml_close(sb, "portRange");
    }
}

static void nacl_xml(struct api_ctx *c, const struct res *r)
{
    const struct network_acl *a = (const struct network_acl *)r;
    struct strbuf *sb = c->out;
    xml_str(sb, "networkAclId", a->hdr.id);
    xml_str(sb, "vpcId", a->vpc_id);
    /* botocore's NetworkAcl.IsDefault travels as <default>, not <isDefault>. */
    xml_bool(sb, "default", a->is_default);
    xml_open(sb, "entrySet");
    struct nacl_entry *list;
    size_t n = nacl_entries_listed(c->model, a, &list);
    for (size_t i = 0; i < n; i++) {
        xml_open(sb, "item");
        entry_xml(sb, &list[i]);
        xml_close(sb, "item");
    }
    free(list);
    xml_close(sb, "entrySet");
    xml_open(sb, "associationSet");
    for (size_t i = 0; i < a->n_assocs; i++) {
        xml_open(sb, "item");
        xml_str(sb, "networkAclAssociationId", a->assocs[i].id);
        xml_str(sb, "networkAclId", a->hdr.id);
        xml_str(sb, "subnetId", a->assocs[i].subnet_id);
        xml_close(sb, "item");
    }
    xml_close(sb, "associationSet");
    xml_tags(sb, &a->hdr.tags);
    xml_str(sb, "ownerId", a->hdr.scope->account);
}

/* A retry with the same ClientToken gets the ACL the first call made. */
static struct network_acl *nacl_by_token(struct api_ctx *c, const char *token)
{
    struct network_acl *a;
    SCOPE_FOREACH(a, c->scope, RES_NACL)
    if (strcmp(a->client_token, token) == 0)
        return a;
    return NULL;
}

static int create_network_acl(struct api_ctx *c)
{
    const char *vpc_id;
    struct tag_list *tags;
    if (api_req(c, "VpcId", &vpc_id) || api_tag_specs(c, "network-acl", &tags))
        return -1;
    const char *token = api_str(c, "ClientToken");
    if (token && !*token)
        token = NULL;
    if (token && strlen(token) > CLIENT_TOKEN_MAX)
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value (%s) for parameter clientToken is invalid. It must be at most %d "
                        "characters long.",
                        token, CLIENT_TOKEN_MAX);
    struct network_acl *a = token ? nacl_by_token(c, token) : NULL;
    if (a && strcmp(a->vpc_id, vpc_id) != 0)
        return merr_set(&c->err, "IdempotentParameterMismatch",
                        "The client token %s was already used with different parameters.", token);
    if (!a) {
        if (nacl_create(c->model, c->scope, vpc_id, false, tags, &a, &c->err))
            return -1;
        if (token) {
            snprintf(a->client_token, sizeof a->client_token, "%s", token);
            res_touch(c->model, &a->hdr);
        }
    }
    xml_open(c->out, "networkAcl");
    nacl_xml(c, &a->hdr);
    xml_close(c->out, "networkAcl");
    xml_str(c->out, "clientToken", token);
    return 0;
}

static int describe_network_acls(struct api_ctx *c)
{
    return api_describe(c, RES_NACL, "NetworkAclId", "networkAclIds", 5, 1000, "networkAclSet",
                        nacl_xml);
}

static int delete_network_acl(struct api_ctx *c)
{
    const char *id;
    if (api_req(c, "NetworkAclId", &id) || nacl_delete(c->model, c->scope, id, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int parse_protocol(struct api_ctx *c, const char *text, int *out)
{
    static const struct {
        const char *name;
        int number;
    } names[] = {{"all", -1}, {"icmp", 1}, {"tcp", 6}, {"udp", 17}, {"icmpv6", 58}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(text, names[i].name) == 0) {
            *out = names[i].number;
            return 0;
        }
    char *end;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (errno || end == text || *end || n < -1 || n > 255)
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value (%s) for parameter protocol is invalid. Expected tcp, udp, icmp, "
                        "icmpv6, all, -1 or a protocol number 0..255.",
                        text);
    *out = (int)n;
    return 0;
}

/* Keeps a parsed long inside int; anything clamped is out of every valid range anyway. */
static int clamp_int(long v)
{
    return v < INT_MIN ? INT_MIN : v > INT_MAX ? INT_MAX : (int)v;
}

/* An optional pair of integers (PortRange.From/To, Icmp.Type/Code): present only when both
 * are; the model decides which protocols need it and what range is valid. */
static int parse_pair(struct api_ctx *c, const char *first, const char *second, bool *has, int *a,
                      int *b)
{
    long va, vb;
    if (api_int(c, first, 0, &va) || api_int(c, second, 0, &vb))
        return -1;
    *has = api_str(c, first) && api_str(c, second);
    *a = clamp_int(va);
    *b = clamp_int(vb);
    return 0;
}

/* The parameters shared by Create/Replace/DeleteNetworkAclEntry; `full` adds the rule body. */
static int parse_entry(struct api_ctx *c, bool full, const char **acl_id, struct nacl_entry *e)
{
    memset(e, 0, sizeof *e);
    const char *rule, *egress;
    long number;
    if (api_req(c, "NetworkAclId", acl_id) || api_req(c, "RuleNumber", &rule) ||
        api_int(c, "RuleNumber", 0, &number) || api_req(c, "Egress", &egress) ||
        api_bool(c, "Egress", false, &e->egress))
        return -1;
    e->rule_number = clamp_int(number);
    if (!full)
        return 0;
    const char *proto, *action;
    if (api_req(c, "Protocol", &proto) || parse_protocol(c, proto, &e->protocol) ||
        api_req(c, "RuleAction", &action))
        return -1;
    if (strcmp(action, "allow") == 0)
        e->allow = true;
    else if (strcmp(action, "deny") != 0)
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value (%s) for parameter ruleAction is invalid. Expected allow or deny.",
                        action);
    const char *cidr = api_str(c, "CidrBlock"), *cidr6 = api_str(c, "Ipv6CidrBlock");
    if (cidr && cidr6)
        return merr_set(&c->err, "InvalidParameterCombination",
                        "Only one of cidrBlock and ipv6CidrBlock may be specified.");
    if (!cidr && !cidr6)
        return merr_set(&c->err, "MissingParameter",
                        "The request must contain the parameter cidrBlock or ipv6CidrBlock");
    if (cidr && prefix4_parse(cidr, &e->cidr4))
        return merr_set(&c->err, "InvalidParameterValue", "CIDR block %s is malformed", cidr);
    if (cidr6) {
        e->ipv6 = true;
        if (prefix6_parse(cidr6, &e->cidr6))
            return merr_set(&c->err, "InvalidParameterValue", "IPv6 CIDR block %s is malformed",
                            cidr6);
    }
    return parse_pair(c, "PortRange.From", "PortRange.To", &e->has_ports, &e->port_from,
                      &e->port_to) ||
           parse_pair(c, "Icmp.Type", "Icmp.Code", &e->has_icmp, &e->icmp_type, &e->icmp_code);
}

static int put_entry(struct api_ctx *c, bool replace)
{
    const char *acl_id;
    struct nacl_entry e;
    if (parse_entry(c, true, &acl_id, &e) ||
        nacl_entry_put(c->model, c->scope, acl_id, &e, replace, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int create_network_acl_entry(struct api_ctx *c)
{
    return put_entry(c, false);
}

static int replace_network_acl_entry(struct api_ctx *c)
{
    return put_entry(c, true);
}

static int delete_network_acl_entry(struct api_ctx *c)
{
    const char *acl_id;
    struct nacl_entry e;
    if (parse_entry(c, false, &acl_id, &e) ||
        nacl_entry_delete(c->model, c->scope, acl_id, e.rule_number, e.egress, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int replace_network_acl_association(struct api_ctx *c)
{
    const char *assoc, *acl_id, *new_id;
    if (api_req(c, "AssociationId", &assoc) || api_req(c, "NetworkAclId", &acl_id) ||
        nacl_replace_association(c->model, c->scope, assoc, acl_id, &new_id, &c->err))
        return -1;
    xml_str(c->out, "newAssociationId", new_id);
    return 0;
}

const struct api_action nacl_actions[] = {
    {"CreateNetworkAcl", create_network_acl},
    {"DescribeNetworkAcls", describe_network_acls},
    {"DeleteNetworkAcl", delete_network_acl},
    {"CreateNetworkAclEntry", create_network_acl_entry},
    {"ReplaceNetworkAclEntry", replace_network_acl_entry},
    {"DeleteNetworkAclEntry", delete_network_acl_entry},
    {"ReplaceNetworkAclAssociation", replace_network_acl_association},
    {NULL, NULL},
};
