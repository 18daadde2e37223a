/* EC2 actions for security groups and their rules. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "lib/glob.h"
#include "model/resources.h"

/* ---- lookups ---- */

static const struct vpc *default_vpc(const struct scope *s)
{
    const struct vpc *v;
    SCOPE_FOREACH(v, s, RES_VPC)
    if (v->is_default)
        return v;
    return NULL;
}

/* A group named in the default VPC: AWS resolves GroupName parameters there. */
static struct security_group *group_by_default_name(struct api_ctx *c, const char *name)
{
    const struct vpc *v = default_vpc(c->scope);
    if (!v) {
        merr_set(&c->err, "VPCIdNotSpecified", "No default VPC for this user");
        return NULL;
    }
    struct security_group *g = sg_find_by_name(c->model, c->scope, v->hdr.id, name);
    if (!g)
        merr_set(&c->err, "InvalidGroup.NotFound",
                 "The security group '%s' does not exist in default VPC '%s'", name, v->hdr.id);
    return g;
}

/* The group a rule action works on: GroupId, or GroupName where AWS allows it. */
static struct security_group *target_group(struct api_ctx *c, bool allow_name)
{
    const char *id = api_str(c, "GroupId");
    if (id && *id)
        return (struct security_group *)res_lookup(c->model, c->scope, RES_SG, id, &c->err);
    const char *name = allow_name ? api_str(c, "GroupName") : NULL;
    if (name && *name)
        return group_by_default_name(c, name);
    merr_set(&c->err, "MissingParameter",
             allow_name ? "The request must contain the parameter groupName or groupId"
                        : "The request must contain the parameter groupId");
    return NULL;
}

/* ---- rule specs from the request ---- */

static int parse_port(struct api_ctx *c, const char *key, int *out)
{
    const char *v = api_str(c, key);
    *out = SG_PORT_ABSENT;
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (end == v || *end)
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value (%s) for parameter %s is invalid. Expected an integer.", v, key);
    if (errno || n > INT_MAX || n <= INT_MIN)
        n = n < 0 ? INT_MIN + 1 : INT_MAX;
    *out = (int)n;
    return 0;
}

static int fill_spec(struct api_ctx *c, struct sg_rule_spec *sp, const char *proto, int from,
                     int to, enum sg_peer kind, const char *peer, const char *owner,
                     const char *desc)
{
    memset(sp, 0, sizeof *sp);
    if (strlen(proto) >= sizeof sp->protocol)
        return merr_set(&c->err, "InvalidParameterValue",
                        "Invalid value '%s' for IP protocol. Unknown protocol.", proto);
    str_copy(sp->protocol, sizeof sp->protocol, proto);
    sp->from_port = from;
    sp->to_port = to;
    sp->peer_kind = kind;
    if (strlen(peer) >= sizeof sp->peer) {
        if (kind == SG_PEER_PL)
            return merr_set(&c->err, "InvalidPrefixListId.Malformed", "Invalid id: \"%s\"", peer);
        if (kind == SG_PEER_GROUP)
            return merr_set(&c->err, "InvalidGroupId.Malformed", "Invalid id: \"%s\"", peer);
        return merr_set(&c->err, "InvalidParameterValue", "CIDR block %s is malformed", peer);
    }
    snprintf(sp->peer, sizeof sp->peer, "%s", peer);
    if (owner && strlen(owner) >= sizeof sp->peer_owner)
        return merr_set(&c->err, "InvalidGroup.NotFound",
                        "The security group '%s' does not exist (user id '%s')", peer, owner);
    snprintf(sp->peer_owner, sizeof sp->peer_owner, "%s", owner ? owner : "");
    if (desc && strlen(desc) >= sizeof sp->description)
        return merr_set(&c->err, "InvalidParameterValue",
                        "Invalid rule description. Valid descriptions are strings less than 256 "
                        "characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*");
    snprintf(sp->description, sizeof sp->description, "%s", desc ? desc : "");
    return 0;
}

/* A group referenced by name in a rule: AWS looks it up in the target group's VPC. */
static const char *peer_group_by_name(struct api_ctx *c, const struct security_group *target,
                                      const char *name)
{
    const struct security_group *g = sg_find_by_name(c->model, c->scope, target->vpc_id, name);
    if (!g) {
        merr_set(&c->err, "InvalidGroup.NotFound",
                 "The security group '%s' does not exist in VPC '%s'", name, target->vpc_id);
        return NULL;
    }
    return g->hdr.id;
}

static size_t count_ip_permission_peers(struct api_ctx *c)
{
    size_t total = 0, n_perm = query_list_len(c->q, "IpPermissions");
    static const char *const lists[] = {"IpRanges", "Ipv6Ranges", "PrefixListIds", "Groups"};
    char prefix[96];
    for (size_t i = 1; i <= n_perm; i++)
        for (size_t l = 0; l < 4; l++) {
            snprintf(prefix, sizeof prefix, "IpPermissions.%zu.%s", i, lists[l]);
            total += query_list_len(c->q, prefix);
        }
    return total;
}

/* IpPermissions.N.* plus the legacy flat CidrIp / SourceSecurityGroupName form, one spec per
 * peer. `tags` (may be NULL) goes to every spec. */
static int parse_specs(struct api_ctx *c, const struct security_group *target,
                       const struct tag_list *tags, struct sg_rule_spec **out, size_t *n_out)
{
    size_t cap = count_ip_permission_peers(c) + 2;
    struct sg_rule_spec *specs = api_scratch(c, cap * sizeof *specs);
    size_t n = 0, n_perm = query_list_len(c->q, "IpPermissions");
    char key[160];
    for (size_t i = 1; i <= n_perm; i++) {
        const char *proto = query_getf(c->q, "IpPermissions.%zu.IpProtocol", i);
        if (!proto)
            return merr_set(&c->err, "MissingParameter",
                            "The request must contain the parameter IpPermissions.%zu.IpProtocol",
                            i);
        int from, to;
        snprintf(key, sizeof key, "IpPermissions.%zu.FromPort", i);
        if (parse_port(c, key, &from))
            return -1;
        snprintf(key, sizeof key, "IpPermissions.%zu.ToPort", i);
        if (parse_port(c, key, &to))
            return -1;
        static const struct {
            const char *list, *field;
            enum sg_peer kind;
        } peers[] = {{"IpRanges", "CidrIp", SG_PEER_CIDR4},
                     {"Ipv6Ranges", "CidrIpv6", SG_PEER_CIDR6},
                     {"PrefixListIds", "PrefixListId", SG_PEER_PL},
                     {"Groups", "GroupId", SG_PEER_GROUP}};
        for (size_t l = 0; l < 4; l++) {
            snprintf(key, sizeof key, "IpPermissions.%zu.%s", i, peers[l].list);
            size_t m = query_list_len(c->q, key);
            for (size_t k = 1; k <= m; k++) {
                const char *peer = query_getf(c->q, "IpPermissions.%zu.%s.%zu.%s", i, peers[l].list,
                                              k, peers[l].field);
                const char *desc =
                    query_getf(c->q, "IpPermissions.%zu.%s.%zu.Description", i, peers[l].list, k);
                const char *owner = NULL;
                if (peers[l].kind == SG_PEER_GROUP) {
                    owner = query_getf(c->q, "IpPermissions.%zu.Groups.%zu.UserId", i, k);
                    const char *name =
                        query_getf(c->q, "IpPermissions.%zu.Groups.%zu.GroupName", i, k);
                    if ((!peer || !*peer) && name && *name &&
                        !(peer = peer_group_by_name(c, target, name)))
                        return -1;
                }
                if (!peer || !*peer)
                    return merr_set(&c->err, "MissingParameter",
                                    "The request must contain the parameter "
                                    "IpPermissions.%zu.%s.%zu.%s",
                                    i, peers[l].list, k, peers[l].field);
                if (fill_spec(c, &specs[n], proto, from, to, peers[l].kind, peer, owner, desc))
                    return -1;
                specs[n++].tags = tags;
            }
        }
    }
    /* The legacy flat form: one CIDR or one source group for the whole request. */
    const char *cidr = api_str(c, "CidrIp"), *src = api_str(c, "SourceSecurityGroupName");
    const char *flat_proto = api_str(c, "IpProtocol");
    if (cidr || src) {
        int from, to;
        if (parse_port(c, "FromPort", &from) || parse_port(c, "ToPort", &to))
            return -1;
        if (cidr) {
            if (!flat_proto)
                return merr_set(&c->err, "MissingParameter",
                                "The request must contain the parameter ipProtocol");
            if (fill_spec(c, &specs[n], flat_proto, from, to, SG_PEER_CIDR4, cidr, NULL, NULL))
                return -1;
            specs[n++].tags = tags;
        }
        if (src) {
            const char *id = peer_group_by_name(c, target, src);
            if (!id || fill_spec(c, &specs[n], flat_proto ? flat_proto : "-1", from, to,
                                 SG_PEER_GROUP, id, api_str(c, "SourceSecurityGroupOwnerId"), NULL))
                return -1;
            specs[n++].tags = tags;
        }
    }
    *out = specs;
    *n_out = n;
    return 0;
}

/* ---- XML ---- */

static bool proto_has_ports(const char *p)
{
    return strcmp(p, "tcp") == 0 || strcmp(p, "udp") == 0 || strcmp(p, "icmp") == 0 ||
           strcmp(p, "icmpv6") == 0;
}

static void sg_arn(const struct security_group *g, char *buf, size_t n)
{
    snprintf(buf, n, "arn:aws:ec2:%s:%s:security-group/%s", g->hdr.scope->region,
             g->hdr.scope->account, g->hdr.id);
}

static void rule_xml(struct strbuf *sb, const struct security_group *g, const struct sg_rule *r)
{
    char arn[160];
    xml_str(sb, "securityGroupRuleId", r->id);
    xml_str(sb, "groupId", g->hdr.id);
    xml_str(sb, "groupOwnerId", g->hdr.scope->account);
    xml_bool(sb, "isEgress", r->egress);
    xml_str(sb, "ipProtocol", r->protocol);
    xml_int(sb, "fromPort", r->from_port);
    xml_int(sb, "toPort", r->to_port);
    switch (r->peer_kind) {
    case SG_PEER_CIDR4:
        xml_str(sb, "cidrIpv4", r->peer);
        break;
    case SG_PEER_CIDR6:
        xml_str(sb, "cidrIpv6", r->peer);
        break;
    case SG_PEER_PL:
        xml_str(sb, "prefixListId", r->peer);
        break;
    case SG_PEER_GROUP:
        xml_open(sb, "referencedGroupInfo");
        xml_str(sb, "groupId", r->peer);
        xml_str(sb, "userId", r->peer_owner);
        xml_close(sb, "referencedGroupInfo");
        break;
    }
    if (r->description[0])
        xml_str(sb, "description", r->description);
    xml_tags(sb, &r->tags);
    snprintf(arn, sizeof arn, "arn:aws:ec2:%s:%s:security-group-rule/%s", g->hdr.scope->region,
             g->hdr.scope->account, r->id);
    xml_str(sb, "securityGroupRuleArn", arn);
}

static bool same_permission(const struct sg_rule *a, const struct sg_rule *b)
{
    return a->egress == b->egress && strcmp(a->protocol, b->protocol) == 0 &&
           a->from_port == b->from_port && a->to_port == b->to_port;
}

/* AWS folds rules with the same protocol and ports into one IpPermission. */
static void permissions_xml(struct strbuf *sb, const struct security_group *g, bool egress)
{
    static const struct {
        const char *set, *field;
        enum sg_peer kind;
    } lists[] = {{"groups", "groupId", SG_PEER_GROUP},
                 {"ipRanges", "cidrIp", SG_PEER_CIDR4},
                 {"ipv6Ranges", "cidrIpv6", SG_PEER_CIDR6},
                 {"prefixListIds", "prefixListId", SG_PEER_PL}};
    xml_open(sb, egress ? "ipPermissionsEgress" : "ipPermissions");
    bool *done = calloc(g->n_rules ? g->n_rules : 1, sizeof *done);
    for (size_t i = 0; done && i < g->n_rules; i++) {
        const struct sg_rule *r = &g->rules[i];
        if (r->egress != egress || done[i])
            continue;
        xml_open(sb, "item");
        xml_str(sb, "ipProtocol", r->protocol);
        if (proto_has_ports(r->protocol)) {
            xml_int(sb, "fromPort", r->from_port);
            xml_int(sb, "toPort", r->to_port);
        }
        for (size_t l = 0; l < 4; l++) {
            xml_open(sb, lists[l].set);
            for (size_t k = i; k < g->n_rules; k++) {
                const struct sg_rule *o = &g->rules[k];
                if (done[k] || o->peer_kind != lists[l].kind || !same_permission(r, o))
                    continue;
                xml_open(sb, "item");
                if (o->description[0])
                    xml_str(sb, "description", o->description);
                xml_str(sb, lists[l].field, o->peer);
                if (o->peer_kind == SG_PEER_GROUP)
                    xml_str(sb, "userId", o->peer_owner);
                xml_close(sb, "item");
            }
            xml_close(sb, lists[l].set);
        }
        for (size_t k = i; k < g->n_rules; k++)
            if (same_permission(r, &g->rules[k]))
                done[k] = true;
        xml_close(sb, "item");
    }
    free(done);
    xml_close(sb, egress ? "ipPermissionsEgress" : "ipPermissions");
}

static void sg_xml(struct api_ctx *c, const struct res *r)
{
    const struct security_group *g = (const struct security_group *)r;
    struct strbuf *sb = c->out;
    char arn[160];
    sg_arn(g, arn, sizeof arn);
    xml_str(sb, "ownerId", g->hdr.scope->account);
    xml_str(sb, "groupId", g->hdr.id);
    xml_str(sb, "groupName", g->name);
    xml_str(sb, "groupDescription", g->description);
    xml_str(sb, "vpcId", g->vpc_id);
    xml_str(sb, "securityGroupArn", arn);
    permissions_xml(sb, g, false);
    permissions_xml(sb, g, true);
    xml_tags(sb, &g->hdr.tags);
}

/* ---- groups ---- */

static int create_security_group(struct api_ctx *c)
{
    const char *name, *desc;
    struct tag_list *tags;
    if (api_req(c, "GroupName", &name) || api_req(c, "GroupDescription", &desc) ||
        api_tag_specs(c, "security-group", &tags))
        return -1;
    struct security_group *g;
    if (sg_create(c->model, c->scope, api_str(c, "VpcId"), name, desc, tags, &g, &c->err))
        return -1;
    char arn[160];
    sg_arn(g, arn, sizeof arn);
    xml_return_true(c->out);
    xml_str(c->out, "groupId", g->hdr.id);
    if (g->hdr.tags.n) /* AWS leaves tagSet out of the reply when no tags were given */
        xml_tags(c->out, &g->hdr.tags);
    xml_str(c->out, "securityGroupArn", arn);
    return 0;
}

static int describe_security_groups(struct api_ctx *c)
{
    struct describe_query dq;
    const char **names;
    size_t n_names;
    if (api_describe_query(c, "GroupId", "groupIds", 5, 1000, &dq) ||
        api_strlist(c, "GroupName", &names, &n_names))
        return -1;
    if (n_names) {
        const char **ids = api_scratch(c, (dq.n_ids + n_names + 1) * sizeof *ids);
        memcpy(ids, dq.ids, dq.n_ids * sizeof *ids);
        for (size_t i = 0; i < n_names; i++) {
            const struct security_group *g = group_by_default_name(c, names[i]);
            if (!g)
                return -1;
            ids[dq.n_ids + i] = g->hdr.id;
        }
        dq.ids = ids;
        dq.n_ids += n_names;
    }
    struct res **found;
    size_t n;
    char next[32];
    if (model_describe(c->model, c->scope, RES_SG, &dq, &found, &n, next, &c->err))
        return -1;
    xml_open(c->out, "securityGroupInfo");
    for (size_t i = 0; i < n; i++) {
        xml_open(c->out, "item");
        sg_xml(c, found[i]);
        xml_close(c->out, "item");
    }
    xml_close(c->out, "securityGroupInfo");
    free(found);
    if (next[0])
        xml_str(c->out, "nextToken", next);
    return 0;
}

static int delete_security_group(struct api_ctx *c)
{
    struct security_group *g = target_group(c, true);
    if (!g)
        return -1;
    char id[ID_MAX];
    memcpy(id, g->hdr.id, ID_MAX);
    if (sg_delete(c->model, c->scope, id, &c->err))
        return -1;
    xml_return_true(c->out);
    xml_str(c->out, "groupId", id);
    return 0;
}

/* ---- rules ---- */

static int authorize(struct api_ctx *c, bool egress)
{
    struct security_group *g = target_group(c, !egress);
    struct tag_list *tags;
    struct sg_rule_spec *specs;
    size_t n;
    if (!g || api_tag_specs(c, "security-group-rule", &tags) || parse_specs(c, g, tags, &specs, &n))
        return -1;
    char(*ids)[ID_MAX] = api_scratch(c, (n ? n : 1) * sizeof *ids);
    if (sg_authorize(c->model, c->scope, g->hdr.id, egress, specs, n, ids, &c->err))
        return -1;
    xml_return_true(c->out);
    xml_open(c->out, "securityGroupRuleSet");
    for (size_t i = 0; i < n; i++) {
        const struct sg_rule *r = sg_rule_of(g, ids[i]); /* the rules were added to g */
        if (!r)
            continue;
        xml_open(c->out, "item");
        rule_xml(c->out, g, r);
        xml_close(c->out, "item");
    }
    xml_close(c->out, "securityGroupRuleSet");
    return 0;
}

static int authorize_ingress(struct api_ctx *c)
{
    return authorize(c, false);
}

static int authorize_egress(struct api_ctx *c)
{
    return authorize(c, true);
}

static int revoke(struct api_ctx *c, bool egress)
{
    struct security_group *g = target_group(c, !egress);
    struct sg_rule_spec *specs;
    size_t n, n_ids;
    const char **ids;
    if (!g || parse_specs(c, g, NULL, &specs, &n) ||
        api_strlist(c, "SecurityGroupRuleId", &ids, &n_ids))
        return -1;
    if (sg_revoke(c->model, c->scope, g->hdr.id, egress, specs, n, ids, n_ids, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int revoke_ingress(struct api_ctx *c)
{
    return revoke(c, false);
}

static int revoke_egress(struct api_ctx *c)
{
    return revoke(c, true);
}

static int rule_filter_values(const struct security_group *g, const struct sg_rule *r,
                              const char *name, struct fvals *fv)
{
    if (strcmp(name, "group-id") == 0) {
        fv_add(fv, g->hdr.id);
    } else if (strcmp(name, "security-group-rule-id") == 0) {
        fv_add(fv, r->id);
    } else if (strncmp(name, "tag:", 4) == 0) {
        const char *v = tags_get(&r->tags, name + 4);
        if (v)
            fv_add(fv, v);
    } else if (strcmp(name, "tag-key") == 0) {
        for (size_t t = 0; t < r->tags.n; t++)
            fv_add(fv, r->tags.items[t].key);
    } else if (strcmp(name, "tag-value") == 0) {
        for (size_t t = 0; t < r->tags.n; t++)
            fv_add(fv, r->tags.items[t].value);
    } else {
        return -ENOENT;
    }
    return 0;
}

static int rule_matches(struct api_ctx *c, const struct security_group *g, const struct sg_rule *r,
                        const struct describe_query *dq, struct fvals *fv)
{
    for (size_t i = 0; i < dq->n_ids; i++)
        if (strcmp(dq->ids[i], r->id) == 0)
            break;
        else if (i + 1 == dq->n_ids)
            return 0;
    for (size_t f = 0; f < dq->n_filters; f++) {
        fv_reset(fv);
        if (rule_filter_values(g, r, dq->filters[f].name, fv))
            return merr_set(&c->err, "InvalidParameterValue", "The filter '%s' is invalid",
                            dq->filters[f].name);
        bool hit = false;
        for (size_t i = 0; i < fv->n && !hit; i++)
            for (size_t k = 0; k < dq->filters[f].n_values && !hit; k++)
                hit = glob_match(dq->filters[f].values[k], fv->items[i]);
        if (!hit)
            return 0;
    }
    return 1;
}

static int describe_security_group_rules(struct api_ctx *c)
{
    struct describe_query dq;
    if (api_describe_query(c, "SecurityGroupRuleId", "securityGroupRuleIds", 5, 1000, &dq))
        return -1;
    if (dq.max_results && dq.n_ids)
        return merr_set(&c->err, "InvalidParameterCombination",
                        "The parameter securityGroupRuleIds cannot be used with the parameter "
                        "maxResults");
    if (dq.max_results && (dq.max_results < 5 || dq.max_results > 1000))
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value ( %ld ) for parameter maxResults is invalid. Expecting a value "
                        "between 5 and 1000.",
                        dq.max_results);
    unsigned long long start = 0;
    if (dq.next_token) {
        char *end;
        errno = 0;
        start = strtoull(dq.next_token, &end, 16);
        if (errno || *end || strlen(dq.next_token) != 16)
            return merr_set(&c->err, "InvalidPaginationToken", "Invalid pagination token '%s'",
                            dq.next_token);
    }
    for (size_t i = 0; i < dq.n_ids; i++) {
        if (!id_well_formed(dq.ids[i], "sgr"))
            return merr_set(&c->err, "InvalidSecurityGroupRuleId.Malformed",
                            "Invalid id: \"%s\" (expecting \"sgr-...\")", dq.ids[i]);
        if (!sg_rule_find(c->model, c->scope, dq.ids[i], NULL))
            return merr_set(&c->err, "InvalidSecurityGroupRuleId.NotFound",
                            "The security group rule ID '%s' does not exist", dq.ids[i]);
    }
    struct fvals fvs = {0}, *fv = &fvs;
    unsigned long long pos = 0, shown = 0;
    char next[32] = "";
    const struct security_group *g;
    xml_open(c->out, "securityGroupRuleSet");
    SCOPE_FOREACH(g, c->scope, RES_SG)
    {
        for (size_t i = 0; i < g->n_rules && !next[0]; i++) {
            int ok = rule_matches(c, g, &g->rules[i], &dq, fv);
            if (ok < 0) {
                fv_destroy(fv);
                return -1;
            }
            if (!ok || pos++ < start)
                continue;
            if (dq.max_results && shown == (unsigned long long)dq.max_results) {
                snprintf(next, sizeof next, "%016llx", pos - 1);
                break;
            }
            xml_open(c->out, "item");
            rule_xml(c->out, g, &g->rules[i]);
            xml_close(c->out, "item");
            shown++;
        }
    }
    fv_destroy(fv);
    xml_close(c->out, "securityGroupRuleSet");
    if (next[0])
        xml_str(c->out, "nextToken", next);
    return 0;
}

static int modify_security_group_rules(struct api_ctx *c)
{
    const char *gid;
    if (api_req(c, "GroupId", &gid))
        return -1;
    size_t n = query_list_len(c->q, "SecurityGroupRule");
    if (n == 0)
        return merr_set(&c->err, "MissingParameter",
                        "The request must contain the parameter SecurityGroupRule");
    const char **ids = api_scratch(c, n * sizeof *ids);
    struct sg_rule_spec *specs = api_scratch(c, n * sizeof *specs);
    char key[128];
    for (size_t i = 0; i < n; i++) {
        ids[i] = query_getf(c->q, "SecurityGroupRule.%zu.SecurityGroupRuleId", i + 1);
        if (!ids[i])
            return merr_set(&c->err, "MissingParameter",
                            "The request must contain the parameter "
                            "SecurityGroupRule.%zu.SecurityGroupRuleId",
                            i + 1);
        const char *proto =
            query_getf(c->q, "SecurityGroupRule.%zu.SecurityGroupRule.IpProtocol", i + 1);
        if (!proto)
            return merr_set(&c->err, "MissingParameter",
                            "The request must contain the parameter "
                            "SecurityGroupRule.%zu.SecurityGroupRule.IpProtocol",
                            i + 1);
        int from, to;
        snprintf(key, sizeof key, "SecurityGroupRule.%zu.SecurityGroupRule.FromPort", i + 1);
        if (parse_port(c, key, &from))
            return -1;
        snprintf(key, sizeof key, "SecurityGroupRule.%zu.SecurityGroupRule.ToPort", i + 1);
        if (parse_port(c, key, &to))
            return -1;
        static const struct {
            const char *field;
            enum sg_peer kind;
        } peers[] = {{"CidrIpv4", SG_PEER_CIDR4},
                     {"CidrIpv6", SG_PEER_CIDR6},
                     {"PrefixListId", SG_PEER_PL},
                     {"ReferencedGroupId", SG_PEER_GROUP}};
        const char *peer = NULL;
        enum sg_peer kind = SG_PEER_CIDR4;
        for (size_t l = 0; l < 4; l++) {
            const char *v = query_getf(c->q, "SecurityGroupRule.%zu.SecurityGroupRule.%s", i + 1,
                                       peers[l].field);
            if (!v || !*v)
                continue;
            if (peer)
                return merr_set(&c->err, "InvalidParameterCombination",
                                "Exactly one of CidrIpv4, CidrIpv6, PrefixListId or "
                                "ReferencedGroupId must be specified");
            peer = v;
            kind = peers[l].kind;
        }
        if (!peer)
            return merr_set(&c->err, "MissingParameter",
                            "One of CidrIpv4, CidrIpv6, PrefixListId or ReferencedGroupId must "
                            "be specified");
        const char *desc =
            query_getf(c->q, "SecurityGroupRule.%zu.SecurityGroupRule.Description", i + 1);
        if (fill_spec(c, &specs[i], proto, from, to, kind, peer, NULL, desc))
            return -1;
    }
    if (sg_modify_rules(c->model, c->scope, gid, ids, specs, n, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int update_descriptions(struct api_ctx *c, bool egress)
{
    struct security_group *g = target_group(c, true);
    struct sg_rule_spec *specs;
    size_t n;
    if (!g || parse_specs(c, g, NULL, &specs, &n))
        return -1;
    size_t n_ids = query_list_len(c->q, "SecurityGroupRuleDescription");
    const char **ids = api_scratch(c, (n_ids + 1) * sizeof *ids);
    const char **descs = api_scratch(c, (n_ids + 1) * sizeof *descs);
    for (size_t i = 0; i < n_ids; i++) {
        ids[i] = query_getf(c->q, "SecurityGroupRuleDescription.%zu.SecurityGroupRuleId", i + 1);
        descs[i] = query_getf(c->q, "SecurityGroupRuleDescription.%zu.Description", i + 1);
        if (!ids[i])
            return merr_set(&c->err, "MissingParameter",
                            "The request must contain the parameter "
                            "SecurityGroupRuleDescription.%zu.SecurityGroupRuleId",
                            i + 1);
    }
    if (sg_update_descriptions(c->model, c->scope, g->hdr.id, egress, specs, n, ids, descs, n_ids,
                               &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int update_descriptions_ingress(struct api_ctx *c)
{
    return update_descriptions(c, false);
}

static int update_descriptions_egress(struct api_ctx *c)
{
    return update_descriptions(c, true);
}

const struct api_action sg_actions[] = {
    {"CreateSecurityGroup", create_security_group},
    {"DescribeSecurityGroups", describe_security_groups},
    {"DeleteSecurityGroup", delete_security_group},
    {"AuthorizeSecurityGroupIngress", authorize_ingress},
    {"AuthorizeSecurityGroupEgress", authorize_egress},
    {"RevokeSecurityGroupIngress", revoke_ingress},
    {"RevokeSecurityGroupEgress", revoke_egress},
    {"DescribeSecurityGroupRules", describe_security_group_rules},
    {"ModifySecurityGroupRules", modify_security_group_rules},
    {"UpdateSecurityGroupRuleDescriptionsIngress", update_descriptions_ingress},
    {"UpdateSecurityGroupRuleDescriptionsEgress", update_descriptions_egress},
    {NULL, NULL},
};
