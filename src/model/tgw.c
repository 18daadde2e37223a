/* Transit gateways: the object, its options and its default route table, and the hooks VPC
 * route tables use for routes that name a TGW. Attachments and TGW route tables have their own
 * files; this one decides what a TGW is and when it may go away. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/classes.h"
#include "model/resources.h"

/* AWS's default quota: transit gateways per account per Region. */
#define TGW_PER_REGION 5

static bool tgw_live(const struct tgw *t)
{
    return strcmp(t->state, "deleted") != 0;
}

struct tgw *tgw_lookup(const struct model *m, const struct scope *s, const char *tgw_id,
                       struct merr *err)
{
    struct tgw *t = (struct tgw *)res_lookup(m, s, RES_TGW, tgw_id, err);
    if (t && !tgw_live(t)) {
        merr_set(err, "InvalidTransitGatewayID.NotFound",
                 "Transit Gateway %s was deleted or does not exist.", tgw_id);
        return NULL;
    }
    if (!t && err->code && strcmp(err->code, "InvalidTransitGatewayID.NotFound") == 0)
        merr_set(err, "InvalidTransitGatewayID.NotFound",
                 "Transit Gateway %s was deleted or does not exist.", tgw_id);
    return t;
}

struct tgw *tgw_by_id(const struct model *m, const char *tgw_id)
{
    struct res *r = res_find_any(m, tgw_id);
    return r && r->type == RES_TGW ? (struct tgw *)r : NULL;
}

void tgw_arn_format(const struct tgw *t, char buf[256])
{
    const char *region = t->hdr.scope->region;
    const char *partition = strncmp(region, "cn-", 3) == 0        ? "aws-cn"
                            : strncmp(region, "us-gov-", 7) == 0 ? "aws-us-gov"
                                                                 : "aws";
    snprintf(buf, 256, "arn:%s:ec2:%s:%s:transit-gateway/%s", partition, region,
             t->hdr.scope->account, t->hdr.id);
}

static bool asn_valid(long long asn)
{
    return (asn >= 64512 && asn <= 65534) || (asn >= 4200000000LL && asn <= 4294967294LL);
}

/* A TGW CIDR block: IPv4 /24 or shorter, IPv6 /64 or shorter, never link-local. */
static int cidr_check(const char *text, char canon[PREFIX6_STRLEN], struct merr *err)
{
    struct prefix4 p4;
    struct prefix6 p6;
    if (prefix4_parse(text, &p4) == 0) {
        struct prefix4 ll = {.addr = 0xa9fe0000u, .len = 16};
        if (p4.len > 24 || prefix4_overlaps(&p4, &ll))
            return merr_set(err, "InvalidParameterValue",
                            "The transit gateway CIDR block %s is invalid: IPv4 blocks must be "
                            "/24 or larger and outside 169.254.0.0/16.",
                            text);
        prefix4_format(&p4, canon);
        return 0;
    }
    if (prefix6_parse(text, &p6) == 0) {
        if (p6.len > 64)
            return merr_set(err, "InvalidParameterValue",
                            "The transit gateway CIDR block %s is invalid: IPv6 blocks must be "
                            "/64 or larger.",
                            text);
        prefix6_format(&p6, canon);
        return 0;
    }
    return merr_set(err, "InvalidParameterValue",
                    "The transit gateway CIDR block %s is not a valid CIDR.", text);
}

static int set_flag(bool *dst, int v)
{
    if (v >= 0)
        *dst = v != 0;
    return 0;
}

int tgw_create(struct model *m, struct scope *s, const char *description,
               const struct tgw_opts *o, const struct tag_list *tags, struct tgw **out,
               struct merr *err)
{
    size_t live = 0;
    const struct tgw *other;
    SCOPE_FOREACH(other, s, RES_TGW)
    live += other->hdr.scope == s && tgw_live(other);
    if (live >= TGW_PER_REGION)
        return merr_set(err, "TransitGatewayLimitExceeded",
                        "You've reached the limit on the number of transit gateways (%d).",
                        TGW_PER_REGION);
    if (description && strlen(description) > 255)
        return merr_set(err, "InvalidParameterValue",
                        "The description is too long: at most 255 characters.");
    if (o->asn && !asn_valid(o->asn))
        return merr_set(err, "InvalidParameterValue",
                        "The Amazon side ASN %lld is invalid. Expecting 64512-65534 or "
                        "4200000000-4294967294.",
                        o->asn);
    if (o->n_cidrs > TGW_MAX_CIDRS)
        return merr_set(err, "InvalidParameterValue",
                        "A transit gateway can have at most %d CIDR blocks.", TGW_MAX_CIDRS);
    char canon[TGW_MAX_CIDRS][PREFIX6_STRLEN];
    for (size_t i = 0; i < o->n_cidrs; i++) {
        if (cidr_check(o->cidrs[i], canon[i], err))
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(canon[i], canon[j]) == 0)
                return merr_set(err, "InvalidParameterValue",
                                "The transit gateway CIDR block %s is duplicated.", canon[i]);
    }
    if (tags_validate(NULL, tags, err))
        return -1;

    struct tgw *t = (struct tgw *)res_new(m, s, RES_TGW);
    snprintf(t->description, sizeof t->description, "%s", description ? description : "");
    snprintf(t->state, sizeof t->state, "available");
    t->created = model_now(m);
    t->asn = o->asn ? o->asn : 64512;
    /* AWS's defaults (reference 10.1). */
    t->auto_accept = false;
    t->default_assoc = t->default_prop = t->vpn_ecmp = t->dns = true;
    t->multicast = t->sg_ref = false;
    set_flag(&t->auto_accept, o->auto_accept);
    set_flag(&t->default_assoc, o->default_assoc);
    set_flag(&t->default_prop, o->default_prop);
    set_flag(&t->vpn_ecmp, o->vpn_ecmp);
    set_flag(&t->dns, o->dns);
    set_flag(&t->multicast, o->multicast);
    set_flag(&t->sg_ref, o->sg_ref);
    for (size_t i = 0; i < o->n_cidrs; i++)
        memcpy(t->cidrs[i], canon[i], PREFIX6_STRLEN);
    t->n_cidrs = o->n_cidrs;
    tags_copy(&t->hdr.tags, tags);
    /* One default table serves both defaults, created only when one of them is enabled. */
    if (t->default_assoc || t->default_prop) {
        struct tgw_rtb *rt = tgw_rtb_new_default(m, s, t);
        if (t->default_assoc)
            snprintf(t->assoc_rtb, sizeof t->assoc_rtb, "%s", rt->hdr.id);
        if (t->default_prop)
            snprintf(t->prop_rtb, sizeof t->prop_rtb, "%s", rt->hdr.id);
    }
    *out = t;
    return 0;
}

/* A route table of this TGW named by Modify's AssociationDefaultRouteTableId & co. */
static int own_rtb(const struct model *m, const struct scope *s, const struct tgw *t,
                   const char *rtb_id, struct merr *err)
{
    struct tgw_rtb *rt = tgw_rtb_lookup(m, s, rtb_id, err);
    if (!rt)
        return -1;
    if (strcmp(rt->tgw_id, t->hdr.id) != 0)
        return merr_set(err, "InvalidRouteTableID.NotFound",
                        "Transit Gateway Route Table %s does not belong to %s.", rtb_id,
                        t->hdr.id);
    return 0;
}

int tgw_modify(struct model *m, struct scope *s, const char *tgw_id, const char *description,
               const struct tgw_opts *o, struct tgw **out, struct merr *err)
{
    struct tgw *t = tgw_lookup(m, s, tgw_id, err);
    if (!t)
        return -1;
    if (t->hdr.scope != s)
        return merr_set(err, "OperationNotPermitted",
                        "Only the owner of transit gateway %s can modify it.", tgw_id);
    if (description && strlen(description) > 255)
        return merr_set(err, "InvalidParameterValue",
                        "The description is too long: at most 255 characters.");
    if (o->asn && !asn_valid(o->asn))
        return merr_set(err, "InvalidParameterValue",
                        "The Amazon side ASN %lld is invalid. Expecting 64512-65534 or "
                        "4200000000-4294967294.",
                        o->asn);
    if (o->assoc_rtb && *o->assoc_rtb && own_rtb(m, s, t, o->assoc_rtb, err))
        return -1;
    if (o->prop_rtb && *o->prop_rtb && own_rtb(m, s, t, o->prop_rtb, err))
        return -1;
    /* The CIDR list after the change, validated before anything moves. */
    char cidrs[TGW_MAX_CIDRS * 2][PREFIX6_STRLEN];
    size_t n = 0;
    for (size_t i = 0; i < t->n_cidrs; i++) {
        bool removed = false;
        for (size_t k = 0; k < o->n_remove_cidrs && !removed; k++) {
            char canon[PREFIX6_STRLEN];
            if (cidr_check(o->remove_cidrs[k], canon, err))
                return -1;
            removed = strcmp(canon, t->cidrs[i]) == 0;
        }
        if (!removed)
            memcpy(cidrs[n++], t->cidrs[i], PREFIX6_STRLEN);
    }
    for (size_t k = 0; k < o->n_cidrs; k++) {
        char canon[PREFIX6_STRLEN];
        if (cidr_check(o->cidrs[k], canon, err))
            return -1;
        bool dup = false;
        for (size_t i = 0; i < n; i++)
            dup |= strcmp(cidrs[i], canon) == 0;
        if (dup)
            continue;
        if (n >= TGW_MAX_CIDRS)
            return merr_set(err, "InvalidParameterValue",
                            "A transit gateway can have at most %d CIDR blocks.", TGW_MAX_CIDRS);
        memcpy(cidrs[n++], canon, PREFIX6_STRLEN);
    }

    if (description)
        snprintf(t->description, sizeof t->description, "%s", description);
    if (o->asn)
        t->asn = o->asn;
    set_flag(&t->auto_accept, o->auto_accept);
    set_flag(&t->vpn_ecmp, o->vpn_ecmp);
    set_flag(&t->dns, o->dns);
    set_flag(&t->sg_ref, o->sg_ref);
    memcpy(t->cidrs, cidrs, n * sizeof cidrs[0]);
    t->n_cidrs = n;
    if (o->assoc_rtb && *o->assoc_rtb)
        snprintf(t->assoc_rtb, sizeof t->assoc_rtb, "%s", o->assoc_rtb);
    if (o->prop_rtb && *o->prop_rtb)
        snprintf(t->prop_rtb, sizeof t->prop_rtb, "%s", o->prop_rtb);
    set_flag(&t->default_assoc, o->default_assoc);
    set_flag(&t->default_prop, o->default_prop);
    if (!t->default_assoc)
        t->assoc_rtb[0] = '\0';
    if (!t->default_prop)
        t->prop_rtb[0] = '\0';
    /* Re-enabling a default without naming a table uses the other default table if there is
     * one, else a new one, as CreateTransitGateway would have made. */
    if ((t->default_assoc && !t->assoc_rtb[0]) || (t->default_prop && !t->prop_rtb[0])) {
        const char *reuse = t->assoc_rtb[0] ? t->assoc_rtb : t->prop_rtb[0] ? t->prop_rtb : NULL;
        char id[ID_MAX];
        if (reuse) {
            snprintf(id, sizeof id, "%s", reuse);
        } else {
            struct tgw_rtb *rt = tgw_rtb_new_default(m, s, t);
            snprintf(id, sizeof id, "%s", rt->hdr.id);
        }
        if (t->default_assoc && !t->assoc_rtb[0])
            snprintf(t->assoc_rtb, sizeof t->assoc_rtb, "%s", id);
        if (t->default_prop && !t->prop_rtb[0])
            snprintf(t->prop_rtb, sizeof t->prop_rtb, "%s", id);
    }
    res_touch(m, &t->hdr);
    *out = t;
    return 0;
}

int tgw_delete(struct model *m, struct scope *s, const char *tgw_id, struct tgw **out,
               struct merr *err)
{
    struct tgw *t = tgw_lookup(m, s, tgw_id, err);
    if (!t)
        return -1;
    if (t->hdr.scope != s)
        return merr_set(err, "OperationNotPermitted",
                        "Only the owner of transit gateway %s can delete it.", tgw_id);
    /* AWS names the first blocking attachment, by kind. */
    const struct tgw_attach *a;
    SCOPE_FOREACH(a, s, RES_TGW_ATTACH)
    {
        if (strcmp(a->tgw_id, t->hdr.id) != 0 || !tgw_attach_live(a))
            continue;
        if (a->kind == TGW_ATTACH_PEERING)
            return merr_set(err, "IncorrectState",
                            "%s has non-deleted Transit Gateway Cross Region Peering "
                            "Attachments: %s.",
                            t->hdr.id, a->hdr.id);
        return merr_set(err, "IncorrectState",
                        "%s has non-deleted Transit Gateway Attachments: %s.", t->hdr.id,
                        a->hdr.id);
    }
    /* Its route tables go with it. */
    for (size_t i = s->lists[RES_TGW_RTB].n; i-- > 0;) {
        struct tgw_rtb *rt = (struct tgw_rtb *)s->lists[RES_TGW_RTB].items[i];
        if (strcmp(rt->tgw_id, t->hdr.id) == 0)
            res_delete(m, &rt->hdr);
    }
    snprintf(t->state, sizeof t->state, "deleted");
    t->deleted_at = model_now(m);
    t->assoc_rtb[0] = t->prop_rtb[0] = '\0';
    res_touch(m, &t->hdr);
    *out = t;
    return 0;
}

void tgw_gc(struct model *m, struct scope *s)
{
    time_t now = model_now(m);
    for (size_t i = s->lists[RES_TGW].n; i-- > 0;) {
        struct tgw *t = (struct tgw *)s->lists[RES_TGW].items[i];
        if (t->hdr.scope == s && !tgw_live(t) && now - t->deleted_at >= TGW_DELETED_TTL)
            res_delete(m, &t->hdr);
    }
    for (size_t i = s->lists[RES_TGW_ATTACH].n; i-- > 0;) {
        struct tgw_attach *a = (struct tgw_attach *)s->lists[RES_TGW_ATTACH].items[i];
        if (a->hdr.scope == s && !tgw_attach_live(a) && now - a->state_time >= TGW_DELETED_TTL)
            res_delete(m, &a->hdr);
    }
}

/* ---- VPC route table hooks ---- */

/* The live attachment of vpc_id on tgw_id, seen from the VPC owner's scope. */
static const struct tgw_attach *vpc_attachment(const struct scope *s, const char *vpc_id,
                                               const char *tgw_id)
{
    const struct tgw_attach *a;
    SCOPE_FOREACH(a, s, RES_TGW_ATTACH)
    {
        if (a->kind == TGW_ATTACH_VPC && a->hdr.scope == s && tgw_attach_live(a) &&
            strcmp(a->vpc_id, vpc_id) == 0 && strcmp(a->tgw_id, tgw_id) == 0)
            return a;
    }
    return NULL;
}

int tgw_vpc_route_check(const struct model *m, const struct scope *s,
                        const struct route_table *rt, const char *tgw_id, struct merr *err)
{
    (void)m;
    if (!id_well_formed(tgw_id, "tgw"))
        return merr_set(err, "InvalidTransitGatewayID.Malformed",
                        "Invalid id: \"%s\" (expecting \"tgw-...\")", tgw_id);
    /* AWS answers NotFound until the VPC has an attachment on that TGW (Terraform retries
     * CreateRoute on this code while an attachment is being created). */
    if (!vpc_attachment(s, rt->vpc_id, tgw_id))
        return merr_set(err, "InvalidTransitGatewayID.NotFound",
                        "The transitGateway ID '%s' does not exist.", tgw_id);
    return 0;
}

const char *tgw_vpc_route_state(const struct model *m, const struct route_table *rt,
                                const char *tgw_id)
{
    (void)m;
    const struct tgw_attach *a = vpc_attachment(rt->hdr.scope, rt->vpc_id, tgw_id);
    if (!a)
        return "blackhole";
    const char *st = tgw_attach_state(a);
    return strcmp(st, "available") == 0 || strcmp(st, "modifying") == 0 ? "active" : "blackhole";
}

/* ---- class ---- */

static json_t *tgw_encode(const struct res *r)
{
    const struct tgw *t = (const struct tgw *)r;
    json_t *cidrs = json_array();
    for (size_t i = 0; i < t->n_cidrs; i++)
        json_array_append_new(cidrs, json_string(t->cidrs[i]));
    return json_pack("{s:s,s:s,s:I,s:I,s:I,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:s,s:s,s:o}", "desc",
                     t->description, "state", t->state, "created", (json_int_t)t->created,
                     "deleted_at", (json_int_t)t->deleted_at, "asn", (json_int_t)t->asn,
                     "auto_accept", t->auto_accept, "default_assoc", t->default_assoc,
                     "default_prop", t->default_prop, "vpn_ecmp", t->vpn_ecmp, "dns", t->dns,
                     "multicast", t->multicast, "sg_ref", t->sg_ref, "assoc_rtb", t->assoc_rtb,
                     "prop_rtb", t->prop_rtb, "cidrs", cidrs);
}

static void get_str(char *dst, size_t n, json_t *b, const char *key)
{
    const char *v = json_string_value(json_object_get(b, key));
    snprintf(dst, n, "%s", v ? v : "");
}

static int tgw_decode(struct res *r, json_t *b)
{
    struct tgw *t = (struct tgw *)r;
    get_str(t->description, sizeof t->description, b, "desc");
    get_str(t->state, sizeof t->state, b, "state");
    t->created = (time_t)json_integer_value(json_object_get(b, "created"));
    t->deleted_at = (time_t)json_integer_value(json_object_get(b, "deleted_at"));
    t->asn = json_integer_value(json_object_get(b, "asn"));
    t->auto_accept = json_is_true(json_object_get(b, "auto_accept"));
    t->default_assoc = json_is_true(json_object_get(b, "default_assoc"));
    t->default_prop = json_is_true(json_object_get(b, "default_prop"));
    t->vpn_ecmp = json_is_true(json_object_get(b, "vpn_ecmp"));
    t->dns = json_is_true(json_object_get(b, "dns"));
    t->multicast = json_is_true(json_object_get(b, "multicast"));
    t->sg_ref = json_is_true(json_object_get(b, "sg_ref"));
    get_str(t->assoc_rtb, sizeof t->assoc_rtb, b, "assoc_rtb");
    get_str(t->prop_rtb, sizeof t->prop_rtb, b, "prop_rtb");
    json_t *cidrs = json_object_get(b, "cidrs");
    size_t i;
    json_t *v;
    t->n_cidrs = 0;
    json_array_foreach(cidrs, i, v)
    {
        if (t->n_cidrs < TGW_MAX_CIDRS && json_is_string(v))
            snprintf(t->cidrs[t->n_cidrs++], PREFIX6_STRLEN, "%s", json_string_value(v));
    }
    return t->state[0] ? 0 : -EINVAL;
}

static const char *endis(bool b)
{
    return b ? "enable" : "disable";
}

static int tgw_filter(const struct model *m, const struct res *r, const char *name,
                      struct fvals *out)
{
    (void)m;
    const struct tgw *t = (const struct tgw *)r;
    if (strcmp(name, "transit-gateway-id") == 0)
        fv_add(out, t->hdr.id);
    else if (strcmp(name, "state") == 0)
        fv_add(out, t->state);
    else if (strcmp(name, "owner-id") == 0)
        fv_add(out, t->hdr.scope->account);
    else if (strcmp(name, "options.amazon-side-asn") == 0)
        fv_addf(out, "%lld", t->asn);
    else if (strcmp(name, "options.association-default-route-table-id") == 0) {
        if (t->assoc_rtb[0])
            fv_add(out, t->assoc_rtb);
    } else if (strcmp(name, "options.propagation-default-route-table-id") == 0) {
        if (t->prop_rtb[0])
            fv_add(out, t->prop_rtb);
    } else if (strcmp(name, "options.auto-accept-shared-attachments") == 0)
        fv_add(out, endis(t->auto_accept));
    else if (strcmp(name, "options.default-route-table-association") == 0)
        fv_add(out, endis(t->default_assoc));
    else if (strcmp(name, "options.default-route-table-propagation") == 0)
        fv_add(out, endis(t->default_prop));
    else if (strcmp(name, "options.dns-support") == 0)
        fv_add(out, endis(t->dns));
    else if (strcmp(name, "options.vpn-ecmp-support") == 0)
        fv_add(out, endis(t->vpn_ecmp));
    else if (strcmp(name, "options.multicast-support") == 0)
        fv_add(out, endis(t->multicast));
    else if (strcmp(name, "options.transit-gateway-cidr-blocks") == 0) {
        for (size_t i = 0; i < t->n_cidrs; i++)
            fv_add(out, t->cidrs[i]);
    } else
        return -ENOENT;
    return 0;
}

const struct res_class tgw_class = {
    .name = "transit gateway",
    .id_prefix = "tgw",
    .size = sizeof(struct tgw),
    .not_found_code = "InvalidTransitGatewayID.NotFound",
    .malformed_code = "InvalidTransitGatewayID.Malformed",
    .tag_resource_type = "transit-gateway",
    .encode = tgw_encode,
    .decode = tgw_decode,
    .filter = tgw_filter,
};
