/* Network ACLs: numbered stateless rules per direction, the implicit "*" denies, and the one
 * association every subnet has. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/xalloc.h"
#include "model/classes.h"
#include "model/jsontext.h"
#include "model/resources.h"

#define NACL_RULE_MIN 1
#define NACL_RULE_MAX 32766
#define NACL_DENY4_RULE 32767
#define NACL_DENY6_RULE 32768

struct network_acl *nacl_find(const struct model *m, const struct scope *s, const char *id)
{
    return (struct network_acl *)res_find(m, s, RES_NACL, id);
}

/* Egress entries first, the order in which DescribeNetworkAcls lists them. */
static int entry_cmp(const struct nacl_entry *a, const struct nacl_entry *b)
{
    if (a->egress != b->egress)
        return a->egress ? -1 : 1;
    return (a->rule_number > b->rule_number) - (a->rule_number < b->rule_number);
}

static void entry_insert(struct network_acl *a, const struct nacl_entry *e)
{
    a->entries = xgrow(a->entries, &a->cap_entries, a->n_entries, sizeof *a->entries);
    size_t i = a->n_entries;
    while (i > 0 && entry_cmp(&a->entries[i - 1], e) > 0) {
        a->entries[i] = a->entries[i - 1];
        i--;
    }
    a->entries[i] = *e;
    a->n_entries++;
}

static void entry_remove(struct network_acl *a, size_t i)
{
    memmove(&a->entries[i], &a->entries[i + 1], (a->n_entries - i - 1) * sizeof *a->entries);
    a->n_entries--;
}

/* Index of the entry (rule_number, egress), or a->n_entries. */
static size_t entry_index(const struct network_acl *a, int rule_number, bool egress)
{
    for (size_t i = 0; i < a->n_entries; i++)
        if (a->entries[i].rule_number == rule_number && a->entries[i].egress == egress)
            return i;
    return a->n_entries;
}

static size_t entry_count(const struct network_acl *a, bool egress, bool ipv6)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n_entries; i++)
        n += a->entries[i].egress == egress && a->entries[i].ipv6 == ipv6;
    return n;
}

/* "all traffic" from 0.0.0.0/0 or ::/0: a zeroed prefix of length 0 is exactly that. */
static struct nacl_entry entry_all(int rule_number, bool egress, bool ipv6, bool allow)
{
    struct nacl_entry e;
    memset(&e, 0, sizeof e);
    e.rule_number = rule_number;
    e.egress = egress;
    e.protocol = -1;
    e.allow = allow;
    e.ipv6 = ipv6;
    return e;
}

static void assoc_add(struct network_acl *a, const char *subnet_id, const char *id)
{
    a->assocs = xgrow(a->assocs, &a->cap_assocs, a->n_assocs, sizeof *a->assocs);
    struct nacl_assoc *as = &a->assocs[a->n_assocs++];
    memset(as, 0, sizeof *as);
    if (id)
        snprintf(as->id, sizeof as->id, "%s", id);
    else
        id_new(as->id, "aclassoc");
    snprintf(as->subnet_id, sizeof as->subnet_id, "%s", subnet_id);
}

static void assoc_remove(struct network_acl *a, size_t i)
{
    memmove(&a->assocs[i], &a->assocs[i + 1], (a->n_assocs - i - 1) * sizeof *a->assocs);
    a->n_assocs--;
}

static struct network_acl *default_acl_of(const struct model *m, const struct scope *s,
                                          const char *vpc_id)
{
    const struct vpc *v = vpc_find(m, s, vpc_id);
    struct network_acl *a = v ? nacl_find(m, s, v->default_acl_id) : NULL;
    if (a)
        return a;
    /* The VPC records its default ACL only once vpc_build has it back; search meanwhile. */
    SCOPE_FOREACH(a, s, RES_NACL)
    if (a->is_default && strcmp(a->vpc_id, vpc_id) == 0)
        return a;
    return NULL;
}

int nacl_create(struct model *m, struct scope *s, const char *vpc_id, bool is_default,
                const struct tag_list *tags, struct network_acl **out, struct merr *err)
{
    const struct vpc *v = (const struct vpc *)res_lookup(m, s, RES_VPC, vpc_id, err);
    if (!v)
        return -1;
    /* The default ACL always comes with its new VPC, so only custom ACLs are counted (the
     * default one still counts against the quota): a new VPC need not walk every ACL. */
    if (!is_default) {
        size_t n = 0;
        const struct network_acl *other;
        SCOPE_FOREACH(other, s, RES_NACL)
        n += strcmp(other->vpc_id, vpc_id) == 0;
        if (n >= m->cfg.nacls_per_vpc)
            return merr_set(err, "NetworkAclLimitExceeded",
                            "The maximum number of network ACLs (%u) has been reached for VPC %s.",
                            m->cfg.nacls_per_vpc, vpc_id);
    }
    if (tags_validate(NULL, tags, err))
        return -1;
    struct network_acl *a = (struct network_acl *)res_new(m, s, RES_NACL);
    snprintf(a->vpc_id, sizeof a->vpc_id, "%s", vpc_id);
    a->is_default = is_default;
    tags_copy(&a->hdr.tags, tags);
    if (is_default) {
        /* AWS's default ACL lets everything through; a custom one starts closed. */
        for (int egress = 0; egress < 2; egress++) {
            struct nacl_entry e = entry_all(100, egress, false, true);
            entry_insert(a, &e);
            if (vpc_has_ipv6(v)) {
                e = entry_all(101, egress, true, true);
                entry_insert(a, &e);
            }
        }
    }
    *out = a;
    return 0;
}

int nacl_delete(struct model *m, struct scope *s, const char *acl_id, struct merr *err)
{
    struct network_acl *a = (struct network_acl *)res_lookup(m, s, RES_NACL, acl_id, err);
    if (!a)
        return -1;
    if (a->is_default)
        return merr_set(err, "InvalidParameterValue", "cannot delete default network ACL %s",
                        acl_id);
    if (a->n_assocs)
        return merr_set(err, "DependencyViolation",
                        "The networkAcl '%s' has dependencies and cannot be deleted.", acl_id);
    res_delete(m, &a->hdr);
    return 0;
}

static int check_rule_number(int rule_number, struct merr *err)
{
    if (rule_number < NACL_RULE_MIN || rule_number > NACL_RULE_MAX)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%d) for parameter ruleNumber is invalid. Rulenumber must be in "
                        "range %d..%d",
                        rule_number, NACL_RULE_MIN, NACL_RULE_MAX);
    return 0;
}

/* Validates e and brings it to the form AWS stores: canonical CIDR, ports only for TCP/UDP,
 * ICMP type/code only where they mean something. */
static int entry_normalise(struct nacl_entry *e, struct merr *err)
{
    if (check_rule_number(e->rule_number, err))
        return -1;
    if (e->protocol < -1 || e->protocol > 255)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%d) for parameter protocol is invalid. Expected -1 (all) or a "
                        "protocol number 0..255.",
                        e->protocol);
    if (e->ipv6) {
        if (e->cidr6.len > 128)
            return merr_set(err, "InvalidParameterValue", "IPv6 CIDR block is malformed");
        prefix6_mask_addr(e->cidr6.addr, e->cidr6.len);
        memset(&e->cidr4, 0, sizeof e->cidr4);
    } else {
        if (e->cidr4.len > 32)
            return merr_set(err, "InvalidParameterValue", "CIDR block is malformed");
        e->cidr4 = prefix4_make(e->cidr4.addr, e->cidr4.len);
        memset(&e->cidr6, 0, sizeof e->cidr6);
    }
    if (e->protocol == 6 || e->protocol == 17) {
        if (!e->has_ports)
            return merr_set(err, "MissingParameter",
                            "The request must contain the parameter portRange");
        if (e->port_from < 0 || e->port_from > 65535)
            return merr_set(err, "InvalidParameterValue",
                            "Value (%d) for parameter portRange.from is invalid. Expected a port "
                            "number 0..65535.",
                            e->port_from);
        if (e->port_to < 0 || e->port_to > 65535)
            return merr_set(err, "InvalidParameterValue",
                            "Value (%d) for parameter portRange.to is invalid. Expected a port "
                            "number 0..65535.",
                            e->port_to);
        if (e->port_from > e->port_to)
            return merr_set(err, "InvalidParameterValue",
                            "The port range %d-%d is invalid: portRange.from must not exceed "
                            "portRange.to.",
                            e->port_from, e->port_to);
    } else {
        /* Any other protocol covers every port, whatever was sent (Terraform sends 0-0). */
        e->has_ports = false;
        e->port_from = e->port_to = 0;
    }
    /* ICMPv6 with an IPv4 block means all ICMPv6 traffic, so only IPv6 needs a type. */
    if (e->protocol == 1 || (e->protocol == 58 && e->ipv6)) {
        if (!e->has_icmp)
            return merr_set(err, "MissingParameter",
                            "The request must contain the parameter icmpTypeCode.type");
        if (e->icmp_type < -1 || e->icmp_type > 255)
            return merr_set(err, "InvalidParameterValue",
                            "Value (%d) for parameter icmpTypeCode.type is invalid. Expected -1 "
                            "(all) or 0..255.",
                            e->icmp_type);
        if (e->icmp_code < -1 || e->icmp_code > 255)
            return merr_set(err, "InvalidParameterValue",
                            "Value (%d) for parameter icmpTypeCode.code is invalid. Expected -1 "
                            "(all) or 0..255.",
                            e->icmp_code);
    } else {
        e->has_icmp = false;
        e->icmp_type = e->icmp_code = 0;
    }
    return 0;
}

int nacl_entry_put(struct model *m, struct scope *s, const char *acl_id, const struct nacl_entry *e,
                   bool replace, struct merr *err)
{
    struct network_acl *a = (struct network_acl *)res_lookup(m, s, RES_NACL, acl_id, err);
    if (!a)
        return -1;
    struct nacl_entry n = *e;
    if (entry_normalise(&n, err))
        return -1;
    size_t idx = entry_index(a, n.rule_number, n.egress);
    bool exists = idx < a->n_entries;
    if (!replace && exists)
        return merr_set(err, "NetworkAclEntryAlreadyExists",
                        "The network acl entry identified by %d already exists.", n.rule_number);
    if (replace && !exists)
        return merr_set(err, "InvalidNetworkAclEntry.NotFound",
                        "The network acl entry identified by %d does not exist.", n.rule_number);
    /* The quota counts the implicit "*" deny of the direction and family, hence the + 1. */
    size_t used = entry_count(a, n.egress, n.ipv6);
    if (exists && a->entries[idx].ipv6 == n.ipv6)
        used--;
    if (used + 1 >= m->cfg.nacl_rules_per_direction)
        return merr_set(err, "NetworkAclEntryLimitExceeded",
                        "The maximum number of %s %s entries (%u, including the default deny) "
                        "has been reached for network ACL %s.",
                        n.egress ? "egress" : "ingress", n.ipv6 ? "IPv6" : "IPv4",
                        m->cfg.nacl_rules_per_direction, acl_id);
    if (exists)
        entry_remove(a, idx);
    entry_insert(a, &n);
    res_touch(m, &a->hdr);
    return 0;
}

int nacl_entry_delete(struct model *m, struct scope *s, const char *acl_id, int rule_number,
                      bool egress, struct merr *err)
{
    struct network_acl *a = (struct network_acl *)res_lookup(m, s, RES_NACL, acl_id, err);
    if (!a)
        return -1;
    if (check_rule_number(rule_number, err))
        return -1;
    size_t idx = entry_index(a, rule_number, egress);
    if (idx == a->n_entries)
        return merr_set(err, "InvalidNetworkAclEntry.NotFound",
                        "The network acl entry identified by %d does not exist.", rule_number);
    entry_remove(a, idx);
    res_touch(m, &a->hdr);
    return 0;
}

static struct network_acl *acl_of_assoc(const struct scope *s, const char *assoc_id, size_t *idx)
{
    struct network_acl *a;
    SCOPE_FOREACH(a, s, RES_NACL)
    for (size_t i = 0; i < a->n_assocs; i++)
        if (strcmp(a->assocs[i].id, assoc_id) == 0) {
            *idx = i;
            return a;
        }
    return NULL;
}

int nacl_replace_association(struct model *m, struct scope *s, const char *assoc_id,
                             const char *acl_id, const char **new_assoc_id_out, struct merr *err)
{
    struct network_acl *to = (struct network_acl *)res_lookup(m, s, RES_NACL, acl_id, err);
    if (!to)
        return -1;
    size_t idx;
    struct network_acl *from = acl_of_assoc(s, assoc_id, &idx);
    if (!from)
        return merr_set(err, "InvalidAssociationID.NotFound",
                        "The association ID '%s' does not exist", assoc_id);
    char subnet_id[ID_MAX];
    snprintf(subnet_id, sizeof subnet_id, "%s", from->assocs[idx].subnet_id);
    if (strcmp(from->vpc_id, to->vpc_id) != 0)
        return merr_set(err, "InvalidParameterValue",
                        "Network ACL %s and subnet %s belong to different networks (%s, %s).",
                        acl_id, subnet_id, to->vpc_id, from->vpc_id);
    /* Even a move to the same ACL hands out a fresh association id, as AWS does. */
    assoc_remove(from, idx);
    res_touch(m, &from->hdr);
    assoc_add(to, subnet_id, NULL);
    res_touch(m, &to->hdr);
    *new_assoc_id_out = to->assocs[to->n_assocs - 1].id;
    return 0;
}

struct network_acl *nacl_for_subnet(const struct model *m, const struct scope *s,
                                    const char *subnet_id)
{
    (void)m;
    struct network_acl *a;
    SCOPE_FOREACH(a, s, RES_NACL)
    for (size_t i = 0; i < a->n_assocs; i++)
        if (strcmp(a->assocs[i].subnet_id, subnet_id) == 0)
            return a;
    return NULL;
}

void nacl_associate_default(struct model *m, struct scope *s, const struct subnet *sn)
{
    /* sn is new, so no NACL holds it yet: asking nacl_for_subnet would walk every NACL of the
     * region for nothing on every CreateSubnet. */
    struct network_acl *a = default_acl_of(m, s, sn->vpc_id);
    if (!a)
        return;
    assoc_add(a, sn->hdr.id, NULL);
    res_touch(m, &a->hdr);
}

void nacl_forget_subnet(struct model *m, struct scope *s, const char *subnet_id)
{
    struct network_acl *a;
    SCOPE_FOREACH(a, s, RES_NACL)
    for (size_t i = 0; i < a->n_assocs; i++)
        if (strcmp(a->assocs[i].subnet_id, subnet_id) == 0) {
            assoc_remove(a, i);
            res_touch(m, &a->hdr);
            return;
        }
}

/* A direction is untouched while it holds exactly the "100 allow all 0.0.0.0/0" it began with. */
static bool direction_pristine(const struct network_acl *a, bool egress)
{
    size_t n = 0;
    const struct nacl_entry *only = NULL;
    for (size_t i = 0; i < a->n_entries; i++)
        if (a->entries[i].egress == egress) {
            only = &a->entries[i];
            n++;
        }
    return n == 1 && only->rule_number == 100 && only->allow && only->protocol == -1 &&
           !only->ipv6 && only->cidr4.len == 0;
}

void nacl_vpc_ipv6_added(struct model *m, struct scope *s, const struct vpc *v)
{
    struct network_acl *a = default_acl_of(m, s, v->hdr.id);
    if (!a)
        return;
    for (int egress = 0; egress < 2; egress++) {
        if (!direction_pristine(a, egress))
            continue;
        struct nacl_entry e = entry_all(101, egress, true, true);
        entry_insert(a, &e);
        res_touch(m, &a->hdr);
    }
}

size_t nacl_entries_listed(const struct model *m, const struct network_acl *a,
                           struct nacl_entry **out)
{
    const struct vpc *v = vpc_find(m, a->hdr.scope, a->vpc_id);
    bool ipv6 = v && vpc_has_ipv6(v);
    struct nacl_entry *list = xmalloc((a->n_entries + 4) * sizeof *list);
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        bool egress = pass == 0;
        for (size_t i = 0; i < a->n_entries; i++)
            if (a->entries[i].egress == egress)
                list[n++] = a->entries[i];
        list[n++] = entry_all(NACL_DENY4_RULE, egress, false, false);
        if (ipv6)
            list[n++] = entry_all(NACL_DENY6_RULE, egress, true, false);
    }
    *out = list;
    return n;
}

/* ---- class ---- */

static void nacl_destroy(struct res *r)
{
    struct network_acl *a = (struct network_acl *)r;
    free(a->entries);
    free(a->assocs);
}

static json_t *entry_encode(const struct nacl_entry *e)
{
    char c[PREFIX6_STRLEN];
    if (e->ipv6)
        prefix6_format(&e->cidr6, c);
    else
        prefix4_format(&e->cidr4, c);
    json_t *o = json_pack("{s:i,s:b,s:i,s:b,s:s}", "n", e->rule_number, "egress", e->egress,
                          "proto", e->protocol, "allow", e->allow, e->ipv6 ? "ipv6" : "cidr", c);
    if (e->has_ports) {
        json_object_set_new(o, "from", json_integer(e->port_from));
        json_object_set_new(o, "to", json_integer(e->port_to));
    }
    if (e->has_icmp) {
        json_object_set_new(o, "type", json_integer(e->icmp_type));
        json_object_set_new(o, "code", json_integer(e->icmp_code));
    }
    return o;
}

static json_t *nacl_encode(const struct res *r)
{
    const struct network_acl *a = (const struct network_acl *)r;
    json_t *entries = json_array(), *assocs = json_array();
    for (size_t i = 0; i < a->n_entries; i++)
        json_array_append_new(entries, entry_encode(&a->entries[i]));
    for (size_t i = 0; i < a->n_assocs; i++)
        json_array_append_new(assocs, json_pack("{s:s,s:s}", "id", a->assocs[i].id, "subnet",
                                                a->assocs[i].subnet_id));
    return json_pack("{s:s,s:b,s:s,s:o,s:o}", "vpc", a->vpc_id, "default", a->is_default, "token",
                     a->client_token, "entries", entries, "assocs", assocs);
}

/* nacl_encode() as text for the store (model/jsontext.h). */
static void nacl_encode_text(const struct res *r, struct res_text *t)
{
    const struct network_acl *a = (const struct network_acl *)r;
    struct jt o;
    for (size_t i = 0; i < a->n_entries; i++) {
        const struct nacl_entry *e = &a->entries[i];
        char c[PREFIX6_STRLEN];
        if (e->ipv6)
            prefix6_format(&e->cidr6, c);
        else
            prefix4_format(&e->cidr4, c);
        jt_begin(&o, t);
        jt_int(&o, "n", e->rule_number);
        jt_bool(&o, "egress", e->egress);
        jt_int(&o, "proto", e->protocol);
        jt_bool(&o, "allow", e->allow);
        jt_str(&o, e->ipv6 ? "ipv6" : "cidr", c);
        if (e->has_ports) {
            jt_int(&o, "from", e->port_from);
            jt_int(&o, "to", e->port_to);
        }
        if (e->has_icmp) {
            jt_int(&o, "type", e->icmp_type);
            jt_int(&o, "code", e->icmp_code);
        }
        jt_end(&o);
        res_text_elem(t, 0);
    }
    for (size_t i = 0; i < a->n_assocs; i++) {
        if (res_text_unchanged(t, 1, &a->assocs[i], sizeof a->assocs[i]))
            continue;
        jt_begin(&o, t);
        jt_str(&o, "id", a->assocs[i].id);
        jt_str(&o, "subnet", a->assocs[i].subnet_id);
        jt_end(&o);
        res_text_elem(t, 1);
    }
    jt_begin(&o, t);
    jt_str(&o, "vpc", a->vpc_id);
    jt_bool(&o, "default", a->is_default);
    jt_str(&o, "token", a->client_token);
    jt_end(&o);
}

static int entry_decode(json_t *o, struct nacl_entry *e)
{
    memset(e, 0, sizeof *e);
    e->rule_number = (int)json_integer_value(json_object_get(o, "n"));
    e->egress = json_is_true(json_object_get(o, "egress"));
    e->protocol = (int)json_integer_value(json_object_get(o, "proto"));
    e->allow = json_is_true(json_object_get(o, "allow"));
    const char *c6 = json_string_value(json_object_get(o, "ipv6"));
    const char *c4 = json_string_value(json_object_get(o, "cidr"));
    if (c6) {
        e->ipv6 = true;
        if (prefix6_parse(c6, &e->cidr6))
            return -EINVAL;
    } else if (!c4 || prefix4_parse(c4, &e->cidr4)) {
        return -EINVAL;
    }
    json_t *from = json_object_get(o, "from"), *type = json_object_get(o, "type");
    if (from) {
        e->has_ports = true;
        e->port_from = (int)json_integer_value(from);
        e->port_to = (int)json_integer_value(json_object_get(o, "to"));
    }
    if (type) {
        e->has_icmp = true;
        e->icmp_type = (int)json_integer_value(type);
        e->icmp_code = (int)json_integer_value(json_object_get(o, "code"));
    }
    return 0;
}

static int nacl_decode(struct res *r, json_t *b)
{
    struct network_acl *a = (struct network_acl *)r;
    json_copy_str(a->vpc_id, sizeof a->vpc_id, b, "vpc");
    json_copy_str(a->client_token, sizeof a->client_token, b, "token");
    a->is_default = json_is_true(json_object_get(b, "default"));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(b, "entries"), i, it)
    {
        struct nacl_entry e;
        if (entry_decode(it, &e))
            return -EINVAL;
        entry_insert(a, &e);
    }
    json_array_foreach(json_object_get(b, "assocs"), i, it)
    {
        const char *id = json_string_value(json_object_get(it, "id"));
        const char *sn = json_string_value(json_object_get(it, "subnet"));
        if (!id || !sn)
            return -EINVAL;
        assoc_add(a, sn, id);
    }
    return a->vpc_id[0] ? 0 : -EINVAL;
}

static const char *proto_name(int p)
{
    switch (p) {
    case -1:
        return "all";
    case 1:
        return "icmp";
    case 6:
        return "tcp";
    case 17:
        return "udp";
    case 58:
        return "icmpv6";
    default:
        return NULL;
    }
}

/* fvals holds a bounded number of values; an ACL repeats many (0.0.0.0/0, -1, allow ...). */
static void fv_add_unique(struct fvals *fv, const char *value)
{
    for (size_t i = 0; i < fv->n; i++)
        if (strcmp(fv->items[i], value) == 0)
            return;
    fv_add(fv, value);
}

static void fv_add_int_unique(struct fvals *fv, int value)
{
    char buf[16];
    snprintf(buf, sizeof buf, "%d", value);
    fv_add_unique(fv, buf);
}

static int entry_filter(const struct nacl_entry *e, const char *name, struct fvals *out)
{
    char c[PREFIX6_STRLEN];
    if (strcmp(name, "cidr") == 0) {
        if (!e->ipv6) {
            prefix4_format(&e->cidr4, c);
            fv_add_unique(out, c);
        }
    } else if (strcmp(name, "ipv6-cidr") == 0) {
        if (e->ipv6) {
            prefix6_format(&e->cidr6, c);
            fv_add_unique(out, c);
        }
    } else if (strcmp(name, "egress") == 0) {
        fv_add_unique(out, e->egress ? "true" : "false");
    } else if (strcmp(name, "icmp.code") == 0) {
        if (e->has_icmp)
            fv_add_int_unique(out, e->icmp_code);
    } else if (strcmp(name, "icmp.type") == 0) {
        if (e->has_icmp)
            fv_add_int_unique(out, e->icmp_type);
    } else if (strcmp(name, "port-range.from") == 0) {
        if (e->has_ports)
            fv_add_int_unique(out, e->port_from);
    } else if (strcmp(name, "port-range.to") == 0) {
        if (e->has_ports)
            fv_add_int_unique(out, e->port_to);
    } else if (strcmp(name, "protocol") == 0) {
        /* The docs allow both "tcp" and "6" as the filter value. */
        fv_add_int_unique(out, e->protocol);
        if (proto_name(e->protocol))
            fv_add_unique(out, proto_name(e->protocol));
    } else if (strcmp(name, "rule-action") == 0) {
        fv_add_unique(out, e->allow ? "allow" : "deny");
    } else if (strcmp(name, "rule-number") == 0) {
        fv_add_int_unique(out, e->rule_number);
    } else {
        return -ENOENT;
    }
    return 0;
}

static int nacl_filter(const struct model *m, const struct res *r, const char *name,
                       struct fvals *out)
{
    const struct network_acl *a = (const struct network_acl *)r;
    if (strcmp(name, "network-acl-id") == 0) {
        fv_add(out, a->hdr.id);
    } else if (strcmp(name, "vpc-id") == 0) {
        fv_add(out, a->vpc_id);
    } else if (strcmp(name, "default") == 0) {
        fv_bool(out, a->is_default);
    } else if (strcmp(name, "owner-id") == 0) {
        fv_add(out, a->hdr.scope->account);
    } else if (strcmp(name, "association.association-id") == 0) {
        for (size_t i = 0; i < a->n_assocs; i++)
            fv_add(out, a->assocs[i].id);
    } else if (strcmp(name, "association.network-acl-id") == 0) {
        if (a->n_assocs)
            fv_add(out, a->hdr.id);
    } else if (strcmp(name, "association.subnet-id") == 0) {
        for (size_t i = 0; i < a->n_assocs; i++)
            fv_add(out, a->assocs[i].subnet_id);
    } else if (strncmp(name, "entry.", 6) == 0) {
        struct nacl_entry *list;
        size_t n = nacl_entries_listed(m, a, &list);
        int rc = 0;
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = entry_filter(&list[i], name + 6, out);
        free(list);
        return rc;
    } else {
        return -ENOENT;
    }
    return 0;
}

const struct res_class nacl_class = {
    .name = "networkAcl",
    .id_prefix = "acl",
    .size = sizeof(struct network_acl),
    .not_found_code = "InvalidNetworkAclID.NotFound",
    .malformed_code = "InvalidNetworkAclId.Malformed",
    .tag_resource_type = "network-acl",
    .destroy = nacl_destroy,
    .encode = nacl_encode,
    .split = {"entries", "assocs"},
    .encode_text = nacl_encode_text,
    .decode = nacl_decode,
    .filter = nacl_filter,
};
