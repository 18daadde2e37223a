/* Security groups: creation with their default rules, rules (authorize, revoke, modify),
 * references between groups, quotas, deletion. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "model/classes.h"
#include "model/jsontext.h"
#include "model/resources.h"

/* Characters AWS accepts in group names, group descriptions and rule descriptions. */
static const char sg_charset_extra[] = " ._-:/()#,@[]+=&;{}!$*";

static bool sg_text_valid(const char *t)
{
    for (const char *p = t; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr(sg_charset_extra, *p))
            return false;
    return true;
}

struct security_group *sg_find(const struct model *m, const struct scope *s, const char *id)
{
    return (struct security_group *)res_find(m, s, RES_SG, id);
}

struct security_group *sg_find_by_name(const struct model *m, const struct scope *s,
                                       const char *vpc_id, const char *name)
{
    struct res *v = res_find(m, s, RES_VPC, vpc_id);
    if (!v)
        return NULL;
    const struct res_list *groups = &((struct vpc *)v)->groups;
    for (size_t i = 0; i < groups->n; i++) {
        struct security_group *g = (struct security_group *)groups->items[i];
        if (strcmp(g->name, name) == 0)
            return g;
    }
    return NULL;
}



struct sg_rule *sg_rule_find(const struct model *m, const struct scope *s, const char *rule_id,
                             struct security_group **sg_out)
{
    (void)m;
    struct security_group *g;
    SCOPE_FOREACH(g, s, RES_SG)
    for (size_t i = 0; i < g->n_rules; i++)
        if (strcmp(g->rules[i].id, rule_id) == 0) {
            if (sg_out)
                *sg_out = g;
            return &g->rules[i];
        }
    return NULL;
}

const struct sg_rule *sg_rule_of(const struct security_group *g, const char *rule_id)
{
    for (size_t i = 0; i < g->n_rules; i++)
        if (strcmp(g->rules[i].id, rule_id) == 0)
            return &g->rules[i];
    return NULL;
}

bool sg_references_pl(const struct scope *s, const char *pl_id)
{
    const struct security_group *g;
    SCOPE_FOREACH(g, s, RES_SG)
    for (size_t i = 0; i < g->n_rules; i++)
        if (g->rules[i].peer_kind == SG_PEER_PL && strcmp(g->rules[i].peer, pl_id) == 0)
            return true;
    return false;
}

static bool proto_has_ports(const char *p)
{
    return strcmp(p, "tcp") == 0 || strcmp(p, "udp") == 0 || strcmp(p, "icmp") == 0 ||
           strcmp(p, "icmpv6") == 0;
}

/* ---- rule specs ---- */

static int check_protocol(struct sg_rule_spec *spec, struct merr *err)
{
    char p[sizeof spec->protocol];
    size_t i;
    for (i = 0; spec->protocol[i] && i + 1 < sizeof p; i++)
        p[i] = (char)tolower((unsigned char)spec->protocol[i]);
    p[i] = '\0';
    const char *canon = NULL;
    char num[12];
    if (strcmp(p, "-1") == 0 || strcmp(p, "all") == 0) {
        canon = "-1";
    } else if (strcmp(p, "tcp") == 0 || strcmp(p, "udp") == 0 || strcmp(p, "icmp") == 0 ||
               strcmp(p, "icmpv6") == 0) {
        canon = p;
    } else if (p[0] && strspn(p, "0123456789") == strlen(p) && strlen(p) <= 3) {
        int n = atoi(p);
        if (n <= 255) {
            static const char *const names[256] = {
                [1] = "icmp", [6] = "tcp", [17] = "udp", [58] = "icmpv6"};
            if (names[n]) {
                canon = names[n];
            } else {
                snprintf(num, sizeof num, "%d", n);
                canon = num;
            }
        }
    }
    if (!canon)
        return merr_set(err, "InvalidParameterValue",
                        "Invalid value '%s' for IP protocol. Unknown protocol.", spec->protocol);
    memmove(spec->protocol, canon, strlen(canon) + 1);
    return 0;
}

static int check_ports(struct sg_rule_spec *spec, struct merr *err)
{
    const char *p = spec->protocol;
    bool tcp_udp = strcmp(p, "tcp") == 0 || strcmp(p, "udp") == 0;
    bool icmp = strcmp(p, "icmp") == 0, icmp6 = strcmp(p, "icmpv6") == 0;
    int *from = &spec->from_port, *to = &spec->to_port;
    if (!tcp_udp && !icmp && !icmp6) {
        /* AWS: other protocols (and -1) allow every port, whatever ports were given. */
        *from = *to = -1;
        return 0;
    }
    if (tcp_udp) {
        if (*from == SG_PORT_ABSENT && *to == SG_PORT_ABSENT)
            return merr_set(err, "InvalidParameterValue",
                            "Invalid value 'Must specify both from and to ports with TCP/UDP.' "
                            "for portRange.");
        if (*from == SG_PORT_ABSENT)
            *from = -1;
        if (*to == SG_PORT_ABSENT)
            *to = -1;
        if (*from < 0 || *from > 65535)
            return merr_set(err, "InvalidParameterValue", "TCP/UDP port (%d) out of range", *from);
        if (*to < 0 || *to > 65535)
            return merr_set(err, "InvalidParameterValue", "TCP/UDP port (%d) out of range", *to);
        if (*from > *to)
            return merr_set(err, "InvalidParameterValue",
                            "Invalid TCP/UDP port range: the from port (%d) is greater than the "
                            "to port (%d).",
                            *from, *to);
        return 0;
    }
    if (*from == SG_PORT_ABSENT && *to == SG_PORT_ABSENT && icmp6) {
        *from = *to = -1; /* optional for ICMPv6: every type and code */
        return 0;
    }
    if (*from == SG_PORT_ABSENT || *to == SG_PORT_ABSENT)
        return merr_set(err, "InvalidParameterValue",
                        "Invalid value 'Must specify both from and to ports with %s.' for "
                        "portRange.",
                        icmp ? "ICMP" : "ICMPv6");
    if (*from < -1 || *from > 255)
        return merr_set(err, "InvalidParameterValue", "ICMP type (%d) out of range", *from);
    if (*to < -1 || *to > 255)
        return merr_set(err, "InvalidParameterValue", "ICMP code (%d) out of range", *to);
    if (*from == -1 && *to != -1)
        return merr_set(err, "InvalidParameterValue",
                        "Invalid value '%d' for ICMP code. The code must be -1 when the ICMP "
                        "type is -1 (all types).",
                        *to);
    return 0;
}

static int check_description(const char *d, struct merr *err)
{
    if (strlen(d) > 255 || !sg_text_valid(d))
        return merr_set(err, "InvalidParameterValue",
                        "Invalid rule description. Valid descriptions are strings less than 256 "
                        "characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*");
    return 0;
}

int sg_rule_spec_check(struct sg_rule_spec *spec, bool egress, struct merr *err)
{
    (void)egress;
    if (check_protocol(spec, err) || check_ports(spec, err) ||
        check_description(spec->description, err))
        return -1;
    switch (spec->peer_kind) {
    case SG_PEER_CIDR4: {
        struct prefix4 p;
        if (prefix4_parse(spec->peer, &p))
            return merr_set(err, "InvalidParameterValue", "CIDR block %s is malformed", spec->peer);
        prefix4_format(&p, spec->peer);
        break;
    }
    case SG_PEER_CIDR6: {
        struct prefix6 p;
        if (prefix6_parse(spec->peer, &p))
            return merr_set(err, "InvalidParameterValue", "CIDR block %s is malformed", spec->peer);
        prefix6_format(&p, spec->peer);
        break;
    }
    case SG_PEER_PL:
        if (!id_well_formed(spec->peer, "pl"))
            return merr_set(err, "InvalidPrefixListId.Malformed",
                            "Invalid id: \"%s\" (expecting \"pl-...\")", spec->peer);
        break;
    case SG_PEER_GROUP:
        if (!id_well_formed(spec->peer, "sg"))
            return merr_set(err, "InvalidGroupId.Malformed",
                            "Invalid id: \"%s\" (expecting \"sg-...\")", spec->peer);
        break;
    default:
        return merr_set(err, "InvalidParameterValue", "Unknown rule peer");
    }
    return 0;
}

/* ---- rule sets ---- */

static bool rule_same(const struct sg_rule *a, const struct sg_rule *b)
{
    return a->egress == b->egress && strcmp(a->protocol, b->protocol) == 0 &&
           a->from_port == b->from_port && a->to_port == b->to_port &&
           a->peer_kind == b->peer_kind && strcmp(a->peer, b->peer) == 0;
}

/* The rule text AWS quotes in InvalidPermission.Duplicate. */
static void rule_describe(const struct sg_rule *r, char *buf, size_t n)
{
    char proto[16];
    size_t i;
    for (i = 0; r->protocol[i] && i + 1 < sizeof proto; i++)
        proto[i] = (char)toupper((unsigned char)r->protocol[i]);
    proto[i] = '\0';
    if (strcmp(r->protocol, "-1") == 0)
        snprintf(proto, sizeof proto, "ALL");
    if (strcmp(r->protocol, "tcp") == 0 || strcmp(r->protocol, "udp") == 0)
        snprintf(buf, n, "peer: %s, %s, from port: %d, to port: %d, ALLOW", r->peer, proto,
                 r->from_port, r->to_port);
    else if (proto_has_ports(r->protocol))
        snprintf(buf, n, "peer: %s, %s, type: %d, code: %d, ALLOW", r->peer,
                 strcmp(r->protocol, "icmp") == 0 ? "ICMP" : "ICMPv6", r->from_port, r->to_port);
    else
        snprintf(buf, n, "peer: %s, %s, ALLOW", r->peer, proto);
}

static void rule_from_spec(struct sg_rule *r, const struct sg_rule_spec *sp, bool egress,
                           const char *account)
{
    r->egress = egress;
    snprintf(r->protocol, sizeof r->protocol, "%s", sp->protocol);
    r->from_port = sp->from_port;
    r->to_port = sp->to_port;
    r->peer_kind = sp->peer_kind;
    snprintf(r->peer, sizeof r->peer, "%s", sp->peer);
    r->peer_owner[0] = '\0';
    if (sp->peer_kind == SG_PEER_GROUP)
        snprintf(r->peer_owner, sizeof r->peer_owner, "%s",
                 sp->peer_owner[0] ? sp->peer_owner : account);
    snprintf(r->description, sizeof r->description, "%s", sp->description);
}

/* Rule weights for the per-family quota: a CIDR counts once in its family, a group
 * reference once in each family, a prefix list as its max entries in its family. */
static void rule_weight(const struct model *m, const struct scope *s, const struct sg_rule *r,
                        unsigned *v4, unsigned *v6)
{
    switch (r->peer_kind) {
    case SG_PEER_CIDR4:
        (*v4)++;
        break;
    case SG_PEER_CIDR6:
        (*v6)++;
        break;
    case SG_PEER_GROUP:
        (*v4)++;
        (*v6)++;
        break;
    case SG_PEER_PL: {
        const struct prefix_list *pl = (const struct prefix_list *)res_find(m, s, RES_PL, r->peer);
        unsigned w = pl && pl->max_entries ? pl->max_entries : 1;
        if (pl && strcmp(pl->family, "IPv6") == 0)
            *v6 += w;
        else
            *v4 += w;
        break;
    }
    }
}

static int check_quota(const struct model *m, const struct scope *s, const struct sg_rule *rules,
                       size_t n, struct merr *err)
{
    unsigned v4[2] = {0, 0}, v6[2] = {0, 0};
    for (size_t i = 0; i < n; i++)
        rule_weight(m, s, &rules[i], &v4[rules[i].egress], &v6[rules[i].egress]);
    for (int d = 0; d < 2; d++)
        if (v4[d] > m->cfg.rules_per_sg || v6[d] > m->cfg.rules_per_sg)
            return merr_set(err, "RulesPerSecurityGroupLimitExceeded",
                            "The maximum number of rules per security group has been reached.");
    return 0;
}

/* A rule's peer must exist: a group of this account in the same VPC, or a prefix list. */
static int check_peer(const struct model *m, const struct scope *s, const struct security_group *g,
                      const struct sg_rule_spec *sp, struct merr *err)
{
    if (sp->peer_kind == SG_PEER_PL)
        return res_lookup(m, s, RES_PL, sp->peer, err) ? 0 : -1;
    if (sp->peer_kind != SG_PEER_GROUP)
        return 0;
    if (pcx_peer_group_ok(m, s, g->vpc_id, sp->peer, sp->peer_owner))
        return 0; /* a group of a VPC peered with this one (active, same region) */
    const struct security_group *ref = sg_find(m, s, sp->peer);
    if (!ref || (sp->peer_owner[0] && strcmp(sp->peer_owner, s->account) != 0))
        return merr_set(err, "InvalidGroup.NotFound", "The security group '%s' does not exist",
                        sp->peer);
    if (strcmp(ref->vpc_id, g->vpc_id) != 0)
        return merr_set(err, "InvalidGroup.NotFound",
                        "You have specified two resources that belong to different networks.");
    return 0;
}

static void rule_free(struct sg_rule *r)
{
    tags_clear(&r->tags);
}

static struct sg_rule *rule_append(struct security_group *g)
{
    g->rules = xgrow(g->rules, &g->cap_rules, g->n_rules, sizeof *g->rules);
    struct sg_rule *r = &g->rules[g->n_rules++];
    memset(r, 0, sizeof *r);
    return r;
}

static void rule_add_simple(struct security_group *g, bool egress, enum sg_peer kind,
                            const char *peer, const char *owner)
{
    struct sg_rule *r = rule_append(g);
    id_new(r->id, "sgr");
    r->egress = egress;
    snprintf(r->protocol, sizeof r->protocol, "-1");
    r->from_port = r->to_port = -1;
    r->peer_kind = kind;
    snprintf(r->peer, sizeof r->peer, "%s", peer);
    if (owner)
        snprintf(r->peer_owner, sizeof r->peer_owner, "%s", owner);
}

static void add_default_egress(struct security_group *g, const struct vpc *v)
{
    rule_add_simple(g, true, SG_PEER_CIDR4, "0.0.0.0/0", NULL);
    if (vpc_has_ipv6(v))
        rule_add_simple(g, true, SG_PEER_CIDR6, "::/0", NULL);
}

/* ---- groups ---- */

static struct vpc *default_vpc(const struct scope *s)
{
    struct vpc *v;
    SCOPE_FOREACH(v, s, RES_VPC)
    if (v->is_default)
        return v;
    return NULL;
}

static int check_group_text(const char *param, const char *text, struct merr *err)
{
    if (strlen(text) > 255)
        return merr_set(err, "InvalidParameterValue",
                        "Value for parameter %s is invalid. Length exceeds maximum of 255 "
                        "characters.",
                        param);
    if (!sg_text_valid(text))
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter %s is invalid. Valid characters are a-z, A-Z, "
                        "0-9, spaces, and ._-:/()#,@[]+=&;{}!$*",
                        text, param);
    return 0;
}

/* AWS drops trailing spaces of names and descriptions. */
static void copy_trimmed(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src);
    size_t len = strlen(dst);
    while (len > 0 && dst[len - 1] == ' ')
        dst[--len] = '\0';
}

int sg_create(struct model *m, struct scope *s, const char *vpc_id, const char *name,
              const char *description, const struct tag_list *tags, struct security_group **out,
              struct merr *err)
{
    if (!name || !*name)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter GroupName");
    if (!description || !*description)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter GroupDescription");
    if (check_group_text("GroupName", name, err) ||
        check_group_text("GroupDescription", description, err))
        return -1;
    char nm[256], desc[256];
    copy_trimmed(nm, sizeof nm, name);
    copy_trimmed(desc, sizeof desc, description);
    if (!nm[0])
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter GroupName");
    if (!desc[0])
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter GroupDescription");
    if (strncmp(nm, "sg-", 3) == 0)
        return merr_set(err, "InvalidParameterValue", "Group names may not be in the format sg-*.");
    struct vpc *v;
    if (vpc_id && *vpc_id) {
        v = (struct vpc *)res_lookup(m, s, RES_VPC, vpc_id, err);
        if (!v)
            return -1;
    } else {
        v = default_vpc(s);
        if (!v)
            return merr_set(err, "VPCIdNotSpecified", "No default VPC for this user");
    }
    if (strcmp(nm, "default") == 0)
        return merr_set(err, "InvalidGroup.Reserved",
                        "The security group 'default' is reserved for the default security "
                        "group of VPC '%s'.",
                        v->hdr.id);
    if (sg_find_by_name(m, s, v->hdr.id, nm))
        return merr_set(err, "InvalidGroup.Duplicate",
                        "The security group '%s' already exists for VPC '%s'", nm, v->hdr.id);
    if (s->lists[RES_SG].n >= m->cfg.sgs_per_region)
        return merr_set(err, "SecurityGroupLimitExceeded",
                        "The maximum number of security groups for the region has been reached.");
    if (tags_validate(NULL, tags, err))
        return -1;
    struct security_group *g = (struct security_group *)res_new(m, s, RES_SG);
    snprintf(g->vpc_id, sizeof g->vpc_id, "%s", v->hdr.id);
    snprintf(g->name, sizeof g->name, "%s", nm);
    snprintf(g->description, sizeof g->description, "%s", desc);
    tags_copy(&g->hdr.tags, tags);
    add_default_egress(g, v);
    res_list_add(&v->groups, &g->hdr);
    *out = g;
    return 0;
}

int sg_create_default(struct model *m, struct scope *s, struct vpc *v, struct merr *err)
{
    (void)err;
    struct security_group *g = (struct security_group *)res_new(m, s, RES_SG);
    snprintf(g->vpc_id, sizeof g->vpc_id, "%s", v->hdr.id);
    snprintf(g->name, sizeof g->name, "default");
    snprintf(g->description, sizeof g->description, "default VPC security group");
    rule_add_simple(g, false, SG_PEER_GROUP, g->hdr.id, s->account);
    add_default_egress(g, v);
    res_list_add(&v->groups, &g->hdr);
    snprintf(v->default_sg_id, sizeof v->default_sg_id, "%s", g->hdr.id);
    res_touch(m, &v->hdr);
    return 0;
}

static bool sg_is_default(const struct model *m, const struct scope *s,
                          const struct security_group *g)
{
    const struct vpc *v = vpc_find(m, s, g->vpc_id);
    return v ? strcmp(v->default_sg_id, g->hdr.id) == 0 : strcmp(g->name, "default") == 0;
}

int sg_delete(struct model *m, struct scope *s, const char *sg_id, struct merr *err)
{
    struct security_group *g = (struct security_group *)res_lookup(m, s, RES_SG, sg_id, err);
    if (!g)
        return -1;
    if (sg_is_default(m, s, g))
        return merr_set(err, "CannotDelete",
                        "the specified group: \"%s\" name: \"default\" cannot be deleted by a "
                        "user",
                        g->hdr.id);
    const struct security_group *o;
    SCOPE_FOREACH(o, s, RES_SG)
    {
        if (o == g)
            continue;
        for (size_t i = 0; i < o->n_rules; i++)
            if (o->rules[i].peer_kind == SG_PEER_GROUP && strcmp(o->rules[i].peer, sg_id) == 0)
                return merr_set(err, "DependencyViolation", "resource %s has a dependent object",
                                sg_id);
    }
    if (eni_uses_group(s, g->hdr.id))
        return merr_set(err, "DependencyViolation", "resource %s has a dependent object", sg_id);
    struct res *v = res_find(m, s, RES_VPC, g->vpc_id);
    if (v)
        res_list_remove(&((struct vpc *)v)->groups, &g->hdr);
    res_delete(m, &g->hdr);
    return 0;
}

/* Normalised copies of specs, checked one by one (caller frees). */
static struct sg_rule_spec *specs_checked(const struct sg_rule_spec *specs, size_t n, bool egress,
                                          struct merr *err)
{
    struct sg_rule_spec *norm = xcalloc(n ? n : 1, sizeof *norm);
    for (size_t i = 0; i < n; i++) {
        norm[i] = specs[i];
        if (sg_rule_spec_check(&norm[i], egress, err)) {
            free(norm);
            return NULL;
        }
    }
    return norm;
}

int sg_authorize(struct model *m, struct scope *s, const char *sg_id, bool egress,
                 const struct sg_rule_spec *specs, size_t n, char (*ids_out)[ID_MAX],
                 struct merr *err)
{
    struct security_group *g = (struct security_group *)res_lookup(m, s, RES_SG, sg_id, err);
    if (!g)
        return -1;
    if (n == 0)
        return merr_set(err, "MissingParameter",
                        "Missing source specification: include source security group or CIDR "
                        "information");
    struct sg_rule_spec *norm = specs_checked(specs, n, egress, err);
    if (!norm)
        return -1;
    /* The group's rules as they would be, checked as a whole before anything changes. */
    size_t total = g->n_rules + n;
    struct sg_rule *all = xcalloc(total, sizeof *all);
    memcpy(all, g->rules, g->n_rules * sizeof *all);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct sg_rule *r = &all[g->n_rules + i];
        rule_from_spec(r, &norm[i], egress, s->account);
        if (check_peer(m, s, g, &norm[i], err) || tags_validate(NULL, norm[i].tags, err)) {
            rc = -1;
            break;
        }
        for (size_t k = g->n_rules; k < g->n_rules + i; k++)
            if (rule_same(&all[k], r)) {
                rc = merr_set(err, "InvalidParameterValue",
                              "The same permission must not appear multiple times");
                break;
            }
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct sg_rule *r = &all[g->n_rules + i];
        for (size_t k = 0; k < g->n_rules; k++)
            if (rule_same(&all[k], r)) {
                char text[160];
                rule_describe(r, text, sizeof text);
                rc = merr_set(err, "InvalidPermission.Duplicate",
                              "the specified rule \"%s\" already exists", text);
                break;
            }
    }
    if (rc == 0)
        rc = check_quota(m, s, all, total, err);
    if (rc == 0) {
        for (size_t i = 0; i < n; i++) {
            struct sg_rule *r = rule_append(g);
            *r = all[total - n + i];
            memset(&r->tags, 0, sizeof r->tags);
            tags_copy(&r->tags, norm[i].tags);
            id_new(r->id, "sgr");
            memcpy(ids_out[i], r->id, ID_MAX);
        }
        res_touch(m, &g->hdr);
    }
    free(all);
    free(norm);
    return rc;
}

/* Index of g's rule `id` in the given direction, or -1 with the AWS error. */
static long rule_index_by_id(const struct security_group *g, const char *id, bool egress,
                             bool any_direction, struct merr *err)
{
    if (!id_well_formed(id, "sgr")) {
        merr_set(err, "InvalidSecurityGroupRuleId.Malformed",
                 "Invalid id: \"%s\" (expecting \"sgr-...\")", id);
        return -1;
    }
    for (size_t i = 0; i < g->n_rules; i++)
        if (strcmp(g->rules[i].id, id) == 0 && (any_direction || g->rules[i].egress == egress))
            return (long)i;
    merr_set(err, "InvalidSecurityGroupRuleId.NotFound",
             "The security group rule ID '%s' does not exist", id);
    return -1;
}

/* Index of the rule of g matching a normalised spec, or -1. */
static long rule_index_by_spec(const struct security_group *g, const struct sg_rule_spec *sp,
                               bool egress, const char *account)
{
    struct sg_rule want;
    memset(&want, 0, sizeof want);
    rule_from_spec(&want, sp, egress, account);
    for (size_t i = 0; i < g->n_rules; i++)
        if (rule_same(&g->rules[i], &want))
            return (long)i;
    return -1;
}

int sg_revoke(struct model *m, struct scope *s, const char *sg_id, bool egress,
              const struct sg_rule_spec *specs, size_t n, const char **rule_ids, size_t n_ids,
              struct merr *err)
{
    struct security_group *g = (struct security_group *)res_lookup(m, s, RES_SG, sg_id, err);
    if (!g)
        return -1;
    if (n == 0 && n_ids == 0)
        return merr_set(err, "MissingParameter",
                        "Missing source specification: include source security group or CIDR "
                        "information");
    struct sg_rule_spec *norm = specs_checked(specs, n, egress, err);
    if (!norm)
        return -1;
    bool *gone = xcalloc(g->n_rules ? g->n_rules : 1, sizeof *gone);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        long k = rule_index_by_spec(g, &norm[i], egress, s->account);
        if (k < 0)
            rc = merr_set(err, "InvalidPermission.NotFound",
                          "The specified rule does not exist in this security group.");
        else
            gone[k] = true;
    }
    for (size_t i = 0; i < n_ids && rc == 0; i++) {
        long k = rule_index_by_id(g, rule_ids[i], egress, false, err);
        if (k < 0)
            rc = -1;
        else
            gone[k] = true;
    }
    if (rc == 0) {
        size_t w = 0;
        for (size_t i = 0; i < g->n_rules; i++) {
            if (gone[i])
                rule_free(&g->rules[i]);
            else
                g->rules[w++] = g->rules[i];
        }
        g->n_rules = w;
        res_touch(m, &g->hdr);
    }
    free(gone);
    free(norm);
    return rc;
}

int sg_modify_rules(struct model *m, struct scope *s, const char *sg_id, const char **rule_ids,
                    const struct sg_rule_spec *specs, size_t n, struct merr *err)
{
    struct security_group *g = (struct security_group *)res_lookup(m, s, RES_SG, sg_id, err);
    if (!g)
        return -1;
    if (n == 0)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter SecurityGroupRule");
    struct sg_rule *all = xcalloc(g->n_rules ? g->n_rules : 1, sizeof *all);
    memcpy(all, g->rules, g->n_rules * sizeof *all);
    long *idx = xcalloc(n, sizeof *idx);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        idx[i] = rule_index_by_id(g, rule_ids[i], false, true, err);
        if (idx[i] < 0) {
            rc = -1;
            break;
        }
        struct sg_rule_spec sp = specs[i];
        bool eg = g->rules[idx[i]].egress;
        if (sg_rule_spec_check(&sp, eg, err) || check_peer(m, s, g, &sp, err)) {
            rc = -1;
            break;
        }
        rule_from_spec(&all[idx[i]], &sp, eg, s->account);
    }
    for (size_t i = 0; i < g->n_rules && rc == 0; i++)
        for (size_t k = i + 1; k < g->n_rules && rc == 0; k++)
            if (rule_same(&all[i], &all[k])) {
                char text[160];
                rule_describe(&all[k], text, sizeof text);
                rc = merr_set(err, "InvalidPermission.Duplicate",
                              "the specified rule \"%s\" already exists", text);
            }
    if (rc == 0)
        rc = check_quota(m, s, all, g->n_rules, err);
    if (rc == 0) {
        /* Struct copies share the tag arrays, so only the tag-free fields move. */
        memcpy(g->rules, all, g->n_rules * sizeof *all);
        res_touch(m, &g->hdr);
    }
    free(idx);
    free(all);
    return rc;
}

int sg_update_descriptions(struct model *m, struct scope *s, const char *sg_id, bool egress,
                           const struct sg_rule_spec *specs, size_t n, const char **rule_ids,
                           const char **descs, size_t n_ids, struct merr *err)
{
    struct security_group *g = (struct security_group *)res_lookup(m, s, RES_SG, sg_id, err);
    if (!g)
        return -1;
    if (n == 0 && n_ids == 0)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter IpPermissions or "
                        "SecurityGroupRuleDescriptions");
    struct sg_rule_spec *norm = specs_checked(specs, n, egress, err);
    if (!norm)
        return -1;
    long *idx = xcalloc(n + n_ids + 1, sizeof *idx);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        idx[i] = rule_index_by_spec(g, &norm[i], egress, s->account);
        if (idx[i] < 0)
            rc = merr_set(err, "InvalidPermission.NotFound",
                          "The specified rule does not exist in this security group.");
    }
    for (size_t i = 0; i < n_ids && rc == 0; i++) {
        idx[n + i] = rule_index_by_id(g, rule_ids[i], egress, false, err);
        if (idx[n + i] < 0 || check_description(descs[i] ? descs[i] : "", err))
            rc = -1;
    }
    if (rc == 0) {
        for (size_t i = 0; i < n; i++)
            snprintf(g->rules[idx[i]].description, sizeof g->rules[0].description, "%s",
                     norm[i].description);
        for (size_t i = 0; i < n_ids; i++)
            snprintf(g->rules[idx[n + i]].description, sizeof g->rules[0].description, "%s",
                     descs[i] ? descs[i] : "");
        res_touch(m, &g->hdr);
    }
    free(idx);
    free(norm);
    return rc;
}

/* ---- class ---- */

static void sg_destroy(struct res *r)
{
    struct security_group *g = (struct security_group *)r;
    for (size_t i = 0; i < g->n_rules; i++)
        rule_free(&g->rules[i]);
    free(g->rules);
}

static const char *const peer_kind_names[] = {[SG_PEER_CIDR4] = "cidr4",
                                              [SG_PEER_CIDR6] = "cidr6",
                                              [SG_PEER_PL] = "pl",
                                              [SG_PEER_GROUP] = "group"};

static json_t *sg_encode(const struct res *r)
{
    const struct security_group *g = (const struct security_group *)r;
    json_t *rules = json_array();
    for (size_t i = 0; i < g->n_rules; i++) {
        const struct sg_rule *u = &g->rules[i];
        json_array_append_new(rules, json_pack("{s:s,s:b,s:s,s:i,s:i,s:s,s:s,s:s,s:s,s:o}", "id",
                                               u->id, "egress", u->egress, "proto", u->protocol,
                                               "from", u->from_port, "to", u->to_port, "kind",
                                               peer_kind_names[u->peer_kind], "peer", u->peer,
                                               "owner", u->peer_owner, "desc", u->description,
                                               "tags", tags_encode(&u->tags)));
    }
    return json_pack("{s:s,s:s,s:s,s:o}", "vpc", g->vpc_id, "name", g->name, "desc", g->description,
                     "rules", rules);
}

/* sg_encode() as text for the store (model/jsontext.h). */
static void sg_encode_text(const struct res *r, struct res_text *t)
{
    const struct security_group *g = (const struct security_group *)r;
    struct jt o;
    for (size_t i = 0; i < g->n_rules; i++) {
        const struct sg_rule *u = &g->rules[i];
        /* A rule without tags is its bytes up to the tag list (which holds pointers). */
        if (u->tags.n == 0 && res_text_unchanged(t, 0, u, offsetof(struct sg_rule, tags)))
            continue;
        jt_begin(&o, t);
        jt_str(&o, "id", u->id);
        jt_bool(&o, "egress", u->egress);
        jt_str(&o, "proto", u->protocol);
        jt_int(&o, "from", u->from_port);
        jt_int(&o, "to", u->to_port);
        jt_str(&o, "kind", peer_kind_names[u->peer_kind]);
        jt_str(&o, "peer", u->peer);
        jt_str(&o, "owner", u->peer_owner);
        jt_str(&o, "desc", u->description);
        jt_member_tags(&o, "tags", &u->tags);
        jt_end(&o);
        res_text_elem(t, 0);
    }
    jt_begin(&o, t);
    jt_str(&o, "vpc", g->vpc_id);
    jt_str(&o, "name", g->name);
    jt_str(&o, "desc", g->description);
    jt_end(&o);
}

static int sg_decode(struct res *r, json_t *b)
{
    struct security_group *g = (struct security_group *)r;
    json_copy_str(g->vpc_id, sizeof g->vpc_id, b, "vpc");
    json_copy_str(g->name, sizeof g->name, b, "name");
    json_copy_str(g->description, sizeof g->description, b, "desc");
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(b, "rules"), i, it)
    {
        struct sg_rule *u = rule_append(g);
        json_copy_str(u->id, sizeof u->id, it, "id");
        u->egress = json_is_true(json_object_get(it, "egress"));
        json_copy_str(u->protocol, sizeof u->protocol, it, "proto");
        u->from_port = (int)json_integer_value(json_object_get(it, "from"));
        u->to_port = (int)json_integer_value(json_object_get(it, "to"));
        const char *kind = json_string_value(json_object_get(it, "kind"));
        bool known = false;
        for (int k = 0; k <= SG_PEER_GROUP && kind; k++)
            if (strcmp(kind, peer_kind_names[k]) == 0) {
                u->peer_kind = (enum sg_peer)k;
                known = true;
            }
        if (!known)
            return -EINVAL;
        json_copy_str(u->peer, sizeof u->peer, it, "peer");
        json_copy_str(u->peer_owner, sizeof u->peer_owner, it, "owner");
        json_copy_str(u->description, sizeof u->description, it, "desc");
        tags_decode(&u->tags, json_object_get(it, "tags"));
    }
    return g->vpc_id[0] ? 0 : -EINVAL;
}

/* Adds v unless already present: many rules of a group often share a value. */
static void fv_add_unique(struct fvals *fv, const char *v)
{
    for (size_t i = 0; i < fv->n; i++)
        if (strcmp(fv->items[i], v) == 0)
            return;
    fv_add(fv, v);
}

static int sg_filter_rules(const struct model *m, const struct security_group *g, bool egress,
                           const char *field, struct fvals *out)
{
    static const char *const fields[] = {"protocol", "from-port", "to-port",
                                         "cidr",     "ipv6-cidr", "prefix-list-id",
                                         "group-id", "user-id",   "group-name"};
    size_t f = 0, n_fields = sizeof fields / sizeof fields[0];
    while (f < n_fields && strcmp(field, fields[f]) != 0)
        f++;
    if (f == n_fields)
        return -ENOENT;
    char num[16];
    for (size_t i = 0; i < g->n_rules; i++) {
        const struct sg_rule *r = &g->rules[i];
        if (r->egress != egress)
            continue;
        const char *v = NULL;
        switch (f) {
        case 0:
            v = r->protocol;
            break;
        case 1:
        case 2:
            snprintf(num, sizeof num, "%d", f == 1 ? r->from_port : r->to_port);
            v = num;
            break;
        case 3:
            v = r->peer_kind == SG_PEER_CIDR4 ? r->peer : NULL;
            break;
        case 4:
            v = r->peer_kind == SG_PEER_CIDR6 ? r->peer : NULL;
            break;
        case 5:
            v = r->peer_kind == SG_PEER_PL ? r->peer : NULL;
            break;
        case 6:
            v = r->peer_kind == SG_PEER_GROUP ? r->peer : NULL;
            break;
        case 7:
            v = r->peer_kind == SG_PEER_GROUP ? r->peer_owner : NULL;
            break;
        default: {
            const struct security_group *ref =
                r->peer_kind == SG_PEER_GROUP ? sg_find(m, g->hdr.scope, r->peer) : NULL;
            v = ref ? ref->name : NULL;
        }
        }
        if (v)
            fv_add_unique(out, v);
    }
    return 0;
}

static int sg_filter(const struct model *m, const struct res *r, const char *name,
                     struct fvals *out)
{
    const struct security_group *g = (const struct security_group *)r;
    if (strcmp(name, "group-id") == 0)
        fv_add(out, g->hdr.id);
    else if (strcmp(name, "group-name") == 0)
        fv_add(out, g->name);
    else if (strcmp(name, "description") == 0)
        fv_add(out, g->description);
    else if (strcmp(name, "vpc-id") == 0)
        fv_add(out, g->vpc_id);
    else if (strcmp(name, "owner-id") == 0)
        fv_add(out, g->hdr.scope->account);
    else if (strncmp(name, "ip-permission.", 14) == 0)
        return sg_filter_rules(m, g, false, name + 14, out);
    else if (strncmp(name, "egress.ip-permission.", 21) == 0)
        return sg_filter_rules(m, g, true, name + 21, out);
    else
        return -ENOENT;
    return 0;
}

static void sg_adopted(struct model *m, struct res *r)
{
    struct res *v = res_find_any(m, ((struct security_group *)r)->vpc_id);
    if (v && v->type == RES_VPC)
        res_list_add(&((struct vpc *)v)->groups, r);
}

const struct res_class sg_class = {
    .name = "security group",
    .id_prefix = "sg",
    .size = sizeof(struct security_group),
    .not_found_code = "InvalidGroup.NotFound",
    .malformed_code = "InvalidGroupId.Malformed",
    .tag_resource_type = "security-group",
    .destroy = sg_destroy,
    .encode = sg_encode,
    .split = {"rules"},
    .encode_text = sg_encode_text,
    .decode = sg_decode,
    .adopted = sg_adopted,
    .filter = sg_filter,
};
