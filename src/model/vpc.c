/* VPCs: creation with their default objects, CIDR blocks, attributes, deletion. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/xalloc.h"
#include "model/cidr_rules.h"
#include "model/classes.h"
#include "model/jsontext.h"
#include "model/resources.h"

struct vpc *vpc_find(const struct model *m, const struct scope *s, const char *id)
{
    return (struct vpc *)res_find(m, s, RES_VPC, id);
}

bool vpc_has_ipv6(const struct vpc *v)
{
    return v->n_ipv6 > 0;
}

static size_t count_in_scope(const struct scope *s, enum res_type t)
{
    return s->lists[t].n;
}

static void vpc_add_cidr(struct vpc *v, const struct prefix4 *p)
{
    v->cidrs = xgrow(v->cidrs, &v->cap_cidrs, v->n_cidrs, sizeof *v->cidrs);
    struct vpc_cidr *c = &v->cidrs[v->n_cidrs++];
    memset(c, 0, sizeof *c);
    id_new(c->assoc_id, "vpc-cidr-assoc");
    c->cidr = *p;
}

/* Amazon hands out /56 blocks from its own space; vpcd draws them from 2600:1f00::/24 too,
 * never reusing a block that any VPC of the model already holds. */
static void vpc_pick_ipv6(const struct model *m, struct prefix6 *out)
{
    for (;;) {
        memset(out, 0, sizeof *out);
        out->addr[0] = 0x26;
        out->addr[1] = 0x00;
        out->addr[2] = 0x1f;
        id_random_bytes(&out->addr[3], 4);
        out->len = 56;
        bool clash = false;
        for (size_t i = 0; i < m->scopes.n && !clash; i++) {
            const struct scope *s = (const struct scope *)m->scopes.items[i];
            const struct vpc *v;
            SCOPE_FOREACH(v, s, RES_VPC)
            for (size_t k = 0; k < v->n_ipv6; k++)
                if (prefix6_overlaps(&v->ipv6[k].cidr, out))
                    clash = true;
        }
        if (!clash)
            return;
    }
}

static void vpc_add_ipv6(const struct model *m, struct vpc *v)
{
    /* Pick before appending: the clash check walks this VPC's own blocks too. */
    struct prefix6 block;
    vpc_pick_ipv6(m, &block);
    v->ipv6 = xgrow(v->ipv6, &v->cap_ipv6, v->n_ipv6, sizeof *v->ipv6);
    struct vpc_ipv6_cidr *c = &v->ipv6[v->n_ipv6++];
    memset(c, 0, sizeof *c);
    id_new(c->assoc_id, "vpc-cidr-assoc");
    c->cidr = block;
}

static int check_vpc_cidr(const char *text, struct prefix4 *p, struct merr *err)
{
    if (prefix4_parse(text, p) != 0)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR "
                        "block.",
                        text);
    if (!vpc_cidr_size_valid(p) || vpc_cidr_reserved(p)) {
        char c[PREFIX4_STRLEN];
        prefix4_format(p, c);
        return merr_set(err, "InvalidVpc.Range", "The CIDR '%s' is invalid.", c);
    }
    return 0;
}

/* Builds a VPC after its checks passed: default route table, NACL and security group. */
static int vpc_build(struct model *m, struct scope *s, const struct prefix4 *cidr,
                     bool amazon_ipv6, const char *tenancy, const struct tag_list *tags,
                     bool is_default, struct vpc **out, struct merr *err)
{
    struct vpc *v = (struct vpc *)res_new(m, s, RES_VPC);
    vpc_add_cidr(v, cidr);
    if (amazon_ipv6)
        vpc_add_ipv6(m, v);
    snprintf(v->tenancy, sizeof v->tenancy, "%s", tenancy ? tenancy : "default");
    v->is_default = is_default;
    v->dns_support = true;
    v->dns_hostnames = is_default;
    tags_copy(&v->hdr.tags, tags);
    struct network_acl *acl;
    if (rtb_create_main(m, s, v, err) || nacl_create(m, s, v->hdr.id, true, NULL, &acl, err) ||
        sg_create_default(m, s, v, err))
        return -1; /* cannot happen for a fresh VPC: these only fail on bad input */
    snprintf(v->default_acl_id, sizeof v->default_acl_id, "%s", acl->hdr.id);
    *out = v;
    return 0;
}

int vpc_create(struct model *m, struct scope *s, const struct vpc_create_args *a,
               struct vpc **out, struct merr *err)
{
    struct prefix4 p;
    if (!a->cidr)
        return merr_set(err, "MissingParameter",
                        "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.");
    if (check_vpc_cidr(a->cidr, &p, err))
        return -1;
    if (a->tenancy && strcmp(a->tenancy, "default") != 0 && strcmp(a->tenancy, "dedicated") != 0)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter instanceTenancy is invalid. Valid values are "
                        "'default' and 'dedicated'.",
                        a->tenancy);
    if (count_in_scope(s, RES_VPC) >= m->cfg.vpcs_per_region)
        return merr_set(err, "VpcLimitExceeded", "The maximum number of VPCs has been reached.");
    if (tags_validate(NULL, a->tags, err))
        return -1;
    return vpc_build(m, s, &p, a->amazon_ipv6, a->tenancy, a->tags, false, out, err);
}

int vpc_create_default(struct model *m, struct scope *s, struct vpc **out, struct merr *err)
{
    const struct vpc *existing;
    SCOPE_FOREACH(existing, s, RES_VPC)
    if (existing->is_default)
        return merr_set(err, "DefaultVpcAlreadyExists",
                        "A Default VPC already exists for this account in this region.");
    if (count_in_scope(s, RES_VPC) >= m->cfg.vpcs_per_region)
        return merr_set(err, "VpcLimitExceeded", "The maximum number of VPCs has been reached.");
    struct prefix4 p;
    prefix4_parse("172.31.0.0/16", &p);
    struct vpc *v;
    if (vpc_build(m, s, &p, false, NULL, NULL, true, &v, err))
        return -1;
    /* One /20 default subnet per zone, public by default, and an attached gateway routed
     * from the main table, exactly as AWS lays a default VPC out. */
    for (int i = 0; i < 3; i++) {
        char cidr[PREFIX4_STRLEN], az[40];
        struct prefix4 sp = {.addr = p.addr + ((uint32_t)i << 12), .len = 20};
        prefix4_format(&sp, cidr);
        region_zone_name(s->region, i, az);
        struct subnet_create_args sa = {.vpc_id = v->hdr.id, .cidr = cidr, .az = az};
        struct subnet *sn;
        if (subnet_create(m, s, &sa, &sn, err))
            return -1;
        sn->default_for_az = true;
        sn->map_public_ip = true;
    }
    struct igw *g;
    if (igw_create(m, s, NULL, &g, err) || igw_attach(m, s, g->hdr.id, v->hdr.id, err))
        return -1;
    struct route_dest_args d = {.cidr = "0.0.0.0/0"};
    struct route_target_args t = {.gateway_id = g->hdr.id};
    if (route_create(m, s, v->main_rtb_id, &d, &t, err))
        return -1;
    *out = v;
    return 0;
}

int vpc_delete(struct model *m, struct scope *s, const char *vpc_id, struct merr *err)
{
    struct vpc *v = (struct vpc *)res_lookup(m, s, RES_VPC, vpc_id, err);
    if (!v)
        return -1;
    /* AWS refuses while anything the user created still lives in the VPC. */
    bool busy = false;
    const struct subnet *sn;
    SCOPE_FOREACH(sn, s, RES_SUBNET)
    busy |= strcmp(sn->vpc_id, vpc_id) == 0;
    const struct igw *g;
    SCOPE_FOREACH(g, s, RES_IGW)
    busy |= strcmp(g->vpc_id, vpc_id) == 0;
    const struct eigw *eg;
    SCOPE_FOREACH(eg, s, RES_EIGW)
    busy |= strcmp(eg->vpc_id, vpc_id) == 0;
    const struct route_table *rt;
    SCOPE_FOREACH(rt, s, RES_RTB)
    busy |= strcmp(rt->vpc_id, vpc_id) == 0 && strcmp(rt->hdr.id, v->main_rtb_id) != 0;
    const struct security_group *g2;
    SCOPE_FOREACH(g2, s, RES_SG)
    busy |= strcmp(g2->vpc_id, vpc_id) == 0 && strcmp(g2->hdr.id, v->default_sg_id) != 0;
    const struct network_acl *a;
    SCOPE_FOREACH(a, s, RES_NACL)
    busy |= strcmp(a->vpc_id, vpc_id) == 0 && !a->is_default;
    busy |= pcx_vpc_blocks_delete(m, v); /* another account's request is pending */
    if (busy)
        return merr_set(err, "DependencyViolation",
                        "The vpc '%s' has dependencies and cannot be deleted.", vpc_id);
    pcx_vpc_deleted(m, v); /* its peering connections end with it */
    struct res *r;
    if ((r = res_find(m, s, RES_RTB, v->main_rtb_id)))
        res_delete(m, r);
    if ((r = res_find(m, s, RES_NACL, v->default_acl_id)))
        res_delete(m, r);
    if ((r = res_find(m, s, RES_SG, v->default_sg_id)))
        res_delete(m, r);
    res_delete(m, &v->hdr);
    return 0;
}

static struct vpc *vpc_of_assoc(const struct scope *s, const char *assoc_id, size_t *idx,
                                bool *ipv6)
{
    struct vpc *v;
    SCOPE_FOREACH(v, s, RES_VPC)
    {
        for (size_t i = 0; i < v->n_cidrs; i++)
            if (strcmp(v->cidrs[i].assoc_id, assoc_id) == 0) {
                *idx = i;
                *ipv6 = false;
                return v;
            }
        for (size_t i = 0; i < v->n_ipv6; i++)
            if (strcmp(v->ipv6[i].assoc_id, assoc_id) == 0) {
                *idx = i;
                *ipv6 = true;
                return v;
            }
    }
    return NULL;
}

int vpc_associate_cidr(struct model *m, struct scope *s, const char *vpc_id, const char *cidr,
                       bool amazon_ipv6, const char **assoc_id_out, struct merr *err)
{
    struct vpc *v = (struct vpc *)res_lookup(m, s, RES_VPC, vpc_id, err);
    if (!v)
        return -1;
    if (amazon_ipv6 == (cidr != NULL))
        return merr_set(err, "InvalidParameterCombination",
                        "Exactly one of CidrBlock or AmazonProvidedIpv6CidrBlock must be given");
    if (pcx_vpc_cidr_check(m, v, NULL, err)) /* no block while its peering request is pending */
        return -1;
    if (amazon_ipv6) {
        if (v->n_ipv6 >= m->cfg.ipv6_cidrs_per_vpc)
            return merr_set(err, "CidrLimitExceeded",
                            "This network '%s' has met its maximum number of allowed CIDRs: %u",
                            vpc_id, m->cfg.ipv6_cidrs_per_vpc);
        vpc_add_ipv6(m, v);
        *assoc_id_out = v->ipv6[v->n_ipv6 - 1].assoc_id;
        res_touch(m, &v->hdr);
        rtb_sync_local_routes(m, s, v);
        /* AWS adds the ::/0 allow rules to an unmodified default NACL with the first block. */
        if (v->n_ipv6 == 1)
            nacl_vpc_ipv6_added(m, s, v);
        return 0;
    }
    struct prefix4 p;
    if (check_vpc_cidr(cidr, &p, err))
        return -1;
    char text[PREFIX4_STRLEN];
    prefix4_format(&p, text);
    if (v->n_cidrs >= m->cfg.ipv4_cidrs_per_vpc)
        return merr_set(err, "CidrLimitExceeded",
                        "This network '%s' has met its maximum number of allowed CIDRs: %u",
                        vpc_id, m->cfg.ipv4_cidrs_per_vpc);
    for (size_t i = 0; i < v->n_cidrs; i++) {
        if (prefix4_overlaps(&v->cidrs[i].cidr, &p)) {
            char other[PREFIX4_STRLEN];
            prefix4_format(&v->cidrs[i].cidr, other);
            return merr_set(err, "InvalidVpc.Range",
                            "The CIDR '%s' conflicts with another CIDR block '%s' of the VPC.",
                            text, other);
        }
    }
    struct prefix4 *existing = xmalloc(v->n_cidrs * sizeof *existing);
    for (size_t i = 0; i < v->n_cidrs; i++)
        existing[i] = v->cidrs[i].cidr;
    bool allowed = vpc_secondary_cidr_allowed(existing, v->n_cidrs, &p);
    free(existing);
    if (!allowed)
        return merr_set(err, "InvalidVpc.Range",
                        "The CIDR '%s' is restricted. Use a CIDR from the same private address "
                        "range as the current VPC CIDR, or use a publicly-routable CIDR.",
                        text);
    const struct route_table *rt;
    SCOPE_FOREACH(rt, s, RES_RTB)
    {
        if (strcmp(rt->vpc_id, vpc_id) != 0)
            continue;
        for (size_t i = 0; i < rt->n_routes; i++) {
            const struct route *r = &rt->routes[i];
            if (r->family == 4 && r->kind != RT_LOCAL &&
                vpc_secondary_cidr_conflicts_route(&p, &r->dst4)) {
                char dst[PREFIX4_STRLEN];
                prefix4_format(&r->dst4, dst);
                return merr_set(err, "InvalidVpc.Range",
                                "The CIDR '%s' conflicts with the route %s in route table %s.",
                                text, dst, rt->hdr.id);
            }
        }
    }
    if (pcx_vpc_cidr_check(m, v, &p, err)) /* nor one overlapping an active peer */
        return -1;
    vpc_add_cidr(v, &p);
    pcx_vpc_cidrs_changed(m, v);
    *assoc_id_out = v->cidrs[v->n_cidrs - 1].assoc_id;
    res_touch(m, &v->hdr);
    rtb_sync_local_routes(m, s, v);
    return 0;
}

int vpc_disassociate_cidr(struct model *m, struct scope *s, const char *assoc_id,
                          struct vpc **vpc_out, struct merr *err)
{
    size_t idx;
    bool ipv6;
    struct vpc *v = vpc_of_assoc(s, assoc_id, &idx, &ipv6);
    if (!v)
        return merr_set(err, "InvalidVpcCidrBlockAssociationID.NotFound",
                        "The vpc CIDR block association ID '%s' does not exist", assoc_id);
    const struct subnet *sn;
    if (!ipv6) {
        if (idx == 0)
            return merr_set(err, "OperationNotPermitted",
                            "The vpc CIDR block with association ID %s may not be disassociated. "
                            "It is the primary IPv4 CIDR block of the VPC",
                            assoc_id);
        SCOPE_FOREACH(sn, s, RES_SUBNET)
        if (strcmp(sn->vpc_id, v->hdr.id) == 0 && sn->has_ipv4 &&
            prefix4_contains(&v->cidrs[idx].cidr, &sn->cidr))
            return merr_set(err, "InvalidCidrBlock.InUse",
                            "The vpc CIDR block with association ID %s is in use by subnet %s",
                            assoc_id, sn->hdr.id);
        memmove(&v->cidrs[idx], &v->cidrs[idx + 1], (v->n_cidrs - idx - 1) * sizeof *v->cidrs);
        v->n_cidrs--;
    } else {
        SCOPE_FOREACH(sn, s, RES_SUBNET)
        for (size_t k = 0; k < sn->n_ipv6; k++)
            if (strcmp(sn->vpc_id, v->hdr.id) == 0 &&
                prefix6_contains(&v->ipv6[idx].cidr, &sn->ipv6[k].cidr))
                return merr_set(err, "InvalidCidrBlock.InUse",
                                "The vpc CIDR block with association ID %s is in use by subnet %s",
                                assoc_id, sn->hdr.id);
        memmove(&v->ipv6[idx], &v->ipv6[idx + 1], (v->n_ipv6 - idx - 1) * sizeof *v->ipv6);
        v->n_ipv6--;
    }
    res_touch(m, &v->hdr);
    rtb_sync_local_routes(m, s, v);
    *vpc_out = v;
    return 0;
}

int vpc_set_attribute(struct model *m, struct scope *s, const char *vpc_id,
                      const char *attribute, bool value, struct merr *err)
{
    struct vpc *v = (struct vpc *)res_lookup(m, s, RES_VPC, vpc_id, err);
    if (!v)
        return -1;
    if (strcmp(attribute, "enableDnsSupport") == 0) {
        if (!value && v->dns_hostnames)
            return merr_set(err, "InvalidParameterValue",
                            "DNS support cannot be disabled while DNS hostnames are enabled.");
        v->dns_support = value;
    } else if (strcmp(attribute, "enableDnsHostnames") == 0) {
        if (value && !v->dns_support)
            return merr_set(err, "InvalidParameterValue",
                            "DNS hostnames can only be enabled when DNS support is enabled.");
        v->dns_hostnames = value;
    } else if (strcmp(attribute, "enableNetworkAddressUsageMetrics") == 0) {
        v->nau_metrics = value;
    } else {
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter attribute is invalid.", attribute);
    }
    res_touch(m, &v->hdr);
    return 0;
}

/* ---- class ---- */

static void vpc_destroy(struct res *r)
{
    struct vpc *v = (struct vpc *)r;
    free(v->cidrs);
    free(v->ipv6);
    free(v->subnets.items);
    free(v->groups.items);
    free(v->route_tables.items);
}

static json_t *vpc_encode(const struct res *r)
{
    const struct vpc *v = (const struct vpc *)r;
    json_t *cidrs = json_array(), *ipv6 = json_array();
    for (size_t i = 0; i < v->n_cidrs; i++) {
        char c[PREFIX4_STRLEN];
        prefix4_format(&v->cidrs[i].cidr, c);
        json_array_append_new(cidrs, json_pack("{s:s,s:s}", "id", v->cidrs[i].assoc_id, "cidr", c));
    }
    for (size_t i = 0; i < v->n_ipv6; i++) {
        char c[PREFIX6_STRLEN];
        prefix6_format(&v->ipv6[i].cidr, c);
        json_array_append_new(ipv6, json_pack("{s:s,s:s}", "id", v->ipv6[i].assoc_id, "cidr", c));
    }
    return json_pack("{s:o,s:o,s:b,s:s,s:b,s:b,s:b,s:s,s:s,s:s}", "cidrs", cidrs, "ipv6", ipv6,
                     "default", v->is_default, "tenancy", v->tenancy, "dns", v->dns_support,
                     "hostnames", v->dns_hostnames, "nau", v->nau_metrics, "rtb", v->main_rtb_id,
                     "acl", v->default_acl_id, "sg", v->default_sg_id);
}

/* vpc_encode() as text for the store (model/jsontext.h). */
static void vpc_encode_text(const struct res *r, struct res_text *t)
{
    const struct vpc *v = (const struct vpc *)r;
    struct jt o, e;
    jt_begin(&o, t);
    jt_array_begin(&o, "cidrs");
    for (size_t i = 0; i < v->n_cidrs; i++) {
        char c[PREFIX4_STRLEN];
        prefix4_format(&v->cidrs[i].cidr, c);
        if (i)
            strbuf_puts(&t->sb, ",");
        jt_begin(&e, t);
        jt_str(&e, "id", v->cidrs[i].assoc_id);
        jt_str(&e, "cidr", c);
        jt_end(&e);
    }
    jt_array_end(t);
    jt_array_begin(&o, "ipv6");
    for (size_t i = 0; i < v->n_ipv6; i++) {
        char c[PREFIX6_STRLEN];
        prefix6_format(&v->ipv6[i].cidr, c);
        if (i)
            strbuf_puts(&t->sb, ",");
        jt_begin(&e, t);
        jt_str(&e, "id", v->ipv6[i].assoc_id);
        jt_str(&e, "cidr", c);
        jt_end(&e);
    }
    jt_array_end(t);
    jt_bool(&o, "default", v->is_default);
    jt_str(&o, "tenancy", v->tenancy);
    jt_bool(&o, "dns", v->dns_support);
    jt_bool(&o, "hostnames", v->dns_hostnames);
    jt_bool(&o, "nau", v->nau_metrics);
    jt_str(&o, "rtb", v->main_rtb_id);
    jt_str(&o, "acl", v->default_acl_id);
    jt_str(&o, "sg", v->default_sg_id);
    jt_end(&o);
}

static int vpc_decode(struct res *r, json_t *b)
{
    struct vpc *v = (struct vpc *)r;
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(b, "cidrs"), i, it)
    {
        struct prefix4 p;
        if (prefix4_parse(json_string_value(json_object_get(it, "cidr")), &p))
            return -EINVAL;
        vpc_add_cidr(v, &p);
        json_copy_str(v->cidrs[v->n_cidrs - 1].assoc_id, ID_MAX, it, "id");
    }
    json_array_foreach(json_object_get(b, "ipv6"), i, it)
    {
        v->ipv6 = xgrow(v->ipv6, &v->cap_ipv6, v->n_ipv6, sizeof *v->ipv6);
        struct vpc_ipv6_cidr *c = &v->ipv6[v->n_ipv6++];
        if (prefix6_parse(json_string_value(json_object_get(it, "cidr")), &c->cidr))
            return -EINVAL;
        json_copy_str(c->assoc_id, ID_MAX, it, "id");
    }
    v->is_default = json_is_true(json_object_get(b, "default"));
    json_copy_str(v->tenancy, sizeof v->tenancy, b, "tenancy");
    v->dns_support = json_is_true(json_object_get(b, "dns"));
    v->dns_hostnames = json_is_true(json_object_get(b, "hostnames"));
    v->nau_metrics = json_is_true(json_object_get(b, "nau"));
    json_copy_str(v->main_rtb_id, ID_MAX, b, "rtb");
    json_copy_str(v->default_acl_id, ID_MAX, b, "acl");
    json_copy_str(v->default_sg_id, ID_MAX, b, "sg");
    return v->n_cidrs ? 0 : -EINVAL;
}

static int vpc_filter(const struct model *m, const struct res *r, const char *name,
                      struct fvals *out)
{
    (void)m;
    const struct vpc *v = (const struct vpc *)r;
    char c[PREFIX6_STRLEN];
    if (strcmp(name, "vpc-id") == 0) {
        fv_add(out, v->hdr.id);
    } else if (strcmp(name, "cidr") == 0 || strcmp(name, "cidr-block") == 0) {
        prefix4_format(&v->cidrs[0].cidr, c);
        fv_add(out, c);
    } else if (strcmp(name, "cidr-block-association.cidr-block") == 0) {
        for (size_t i = 0; i < v->n_cidrs; i++) {
            prefix4_format(&v->cidrs[i].cidr, c);
            fv_add(out, c);
        }
    } else if (strcmp(name, "cidr-block-association.association-id") == 0) {
        for (size_t i = 0; i < v->n_cidrs; i++)
            fv_add(out, v->cidrs[i].assoc_id);
    } else if (strcmp(name, "cidr-block-association.state") == 0 ||
               strcmp(name, "ipv6-cidr-block-association.state") == 0) {
        fv_add(out, "associated");
    } else if (strcmp(name, "ipv6-cidr-block-association.ipv6-cidr-block") == 0) {
        for (size_t i = 0; i < v->n_ipv6; i++) {
            prefix6_format(&v->ipv6[i].cidr, c);
            fv_add(out, c);
        }
    } else if (strcmp(name, "ipv6-cidr-block-association.association-id") == 0) {
        for (size_t i = 0; i < v->n_ipv6; i++)
            fv_add(out, v->ipv6[i].assoc_id);
    } else if (strcmp(name, "ipv6-cidr-block-association.ipv6-pool") == 0) {
        if (v->n_ipv6)
            fv_add(out, "Amazon");
    } else if (strcmp(name, "dhcp-options-id") == 0) {
        fv_add(out, "default");
    } else if (strcmp(name, "is-default") == 0 || strcmp(name, "isDefault") == 0) {
        fv_bool(out, v->is_default);
    } else if (strcmp(name, "owner-id") == 0) {
        fv_add(out, v->hdr.scope->account);
    } else if (strcmp(name, "state") == 0) {
        fv_add(out, "available");
    } else {
        return -ENOENT;
    }
    return 0;
}

const struct res_class vpc_class = {
    .name = "vpc",
    .id_prefix = "vpc",
    .size = sizeof(struct vpc),
    .not_found_code = "InvalidVpcID.NotFound",
    .malformed_code = "InvalidVpcID.Malformed",
    .tag_resource_type = "vpc",
    .destroy = vpc_destroy,
    .encode = vpc_encode,
    .encode_text = vpc_encode_text,
    .decode = vpc_decode,
    .filter = vpc_filter,
};

const struct res_class scope_class = {
    .name = "scope",
    .id_prefix = "scope",
    .size = sizeof(struct scope),
    .not_found_code = "InvalidParameterValue",
    .malformed_code = "InvalidParameterValue",
};
