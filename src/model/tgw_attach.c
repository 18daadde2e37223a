/* Transit gateway attachments: VPC attachments (with one requester-managed ENI per chosen
 * subnet) and peering attachments (two objects, one per side). States are stored as they will
 * read after AWS's short transitions: Create answers "pending" while the object already is
 * "available"; the API layer prints the transitional state. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "model/classes.h"
#include "model/resources.h"

bool tgw_attach_live(const struct tgw_attach *a)
{
    return strcmp(a->state, "deleted") != 0 && strcmp(a->state, "rejected") != 0 &&
           strcmp(a->state, "failed") != 0;
}

const char *tgw_attach_state(const struct tgw_attach *a)
{
    return a->state;
}

const char *tgw_attach_resource_type(const struct tgw_attach *a)
{
    return a->kind == TGW_ATTACH_VPC ? "vpc" : "peering";
}

const char *tgw_attach_resource_id(const struct tgw_attach *a)
{
    if (a->kind == TGW_ATTACH_VPC)
        return a->vpc_id;
    return a->requester ? a->acc_tgw : a->req_tgw;
}

const char *tgw_attach_resource_owner(const struct tgw_attach *a)
{
    if (a->kind == TGW_ATTACH_VPC)
        return a->hdr.scope->account;
    return a->requester ? a->acc_owner : a->req_owner;
}

static const char *kind_noun(int kind)
{
    return kind == TGW_ATTACH_VPC       ? "Transit Gateway VPC Attachment"
           : kind == TGW_ATTACH_PEERING ? "Transit Gateway Peering Attachment"
                                        : "Transit Gateway Attachment";
}

static int attach_not_found(const char *id, int kind, struct merr *err)
{
    return merr_set(err, "InvalidTransitGatewayAttachmentID.NotFound",
                    "%s %s was deleted or does not exist.", kind_noun(kind), id);
}

struct tgw_attach *tgw_attach_lookup(const struct model *m, const struct scope *s,
                                     const char *attach_id, int kind, struct merr *err)
{
    struct tgw_attach *a = (struct tgw_attach *)res_lookup(m, s, RES_TGW_ATTACH, attach_id, err);
    if (!a) {
        if (strcmp(err->code, "InvalidTransitGatewayAttachmentID.NotFound") == 0)
            attach_not_found(attach_id, kind, err);
        return NULL;
    }
    if (kind >= 0 && (int)a->kind != kind) {
        attach_not_found(attach_id, kind, err);
        return NULL;
    }
    return a;
}

static void set_state(struct model *m, struct tgw_attach *a, const char *state)
{
    snprintf(a->state, sizeof a->state, "%s", state);
    if (!tgw_attach_live(a))
        a->state_time = model_now(m);
    res_touch(m, &a->hdr);
}

/* The scope that holds the attachment's TGW (and its route tables). */
static struct scope *tgw_scope_of(const struct model *m, const struct tgw_attach *a)
{
    return model_scope_find(m, a->tgw_owner, a->hdr.scope->region);
}

void tgw_attach_apply_defaults(struct model *m, struct tgw_attach *a)
{
    struct tgw *t = tgw_by_id(m, a->tgw_id);
    if (!t)
        return;
    struct scope *ts = t->hdr.scope;
    if (t->default_assoc && t->assoc_rtb[0] && !a->assoc_rtb[0] &&
        res_find(m, ts, RES_TGW_RTB, t->assoc_rtb)) {
        snprintf(a->assoc_rtb, sizeof a->assoc_rtb, "%s", t->assoc_rtb);
        res_touch(m, &a->hdr);
    }
    /* Peering attachments carry static routes only: they never propagate. */
    struct tgw_rtb *rt = (struct tgw_rtb *)res_find(m, ts, RES_TGW_RTB, t->prop_rtb);
    if (a->kind == TGW_ATTACH_VPC && t->default_prop && rt &&
        !tgw_rtb_propagates(rt, a->hdr.id)) {
        rt->props = xgrow(rt->props, &rt->cap_props, rt->n_props, sizeof *rt->props);
        snprintf(rt->props[rt->n_props++], ID_MAX, "%s", a->hdr.id);
        res_touch(m, &rt->hdr);
    }
}

/* Everything a departing attachment leaves behind in the TGW's tables. */
static void detach_everywhere(struct model *m, struct tgw_attach *a)
{
    struct scope *ts = tgw_scope_of(m, a);
    if (ts)
        tgw_rtb_forget_attachment(m, ts, a->hdr.id);
    a->assoc_rtb[0] = '\0';
    for (size_t i = 0; i < a->n_subnets; i++) {
        struct eni *e = eni_find(m, a->hdr.scope, a->enis[i]);
        if (e)
            eni_release(m, e);
    }
    free(a->subnets);
    free(a->enis);
    a->subnets = NULL;
    a->enis = NULL;
    a->n_subnets = 0;
    res_touch(m, &a->hdr);
}

/* A TGW that a VPC of scope s may attach to: its own, or another account's in the same
 * Region (vpcd has no RAM, so every TGW of the Region counts as shared). */
static struct tgw *attachable_tgw(const struct model *m, const struct scope *s, const char *id,
                                  struct merr *err)
{
    if (!id_well_formed(id, "tgw")) {
        merr_set(err, "InvalidTransitGatewayID.Malformed",
                 "Invalid id: \"%s\" (expecting \"tgw-...\")", id);
        return NULL;
    }
    struct tgw *t = tgw_by_id(m, id);
    if (!t || strcmp(t->state, "deleted") == 0 || strcmp(t->hdr.scope->region, s->region) != 0) {
        merr_set(err, "InvalidTransitGatewayID.NotFound",
                 "Transit Gateway %s was deleted or does not exist.", id);
        return NULL;
    }
    return t;
}

/* Subnets for an attachment of vpc: in the VPC, IPv4-capable, one per zone (counting the
 * zones in `keep`), each with a free address. */
static int check_subnets(const struct model *m, const struct scope *s, const char *vpc_id,
                         const char **ids, size_t n, const char (*keep)[ID_MAX], size_t n_keep,
                         struct merr *err)
{
    for (size_t i = 0; i < n; i++) {
        const struct subnet *sn =
            (const struct subnet *)res_lookup(m, s, RES_SUBNET, ids[i], err);
        if (!sn)
            return -1;
        if (strcmp(sn->vpc_id, vpc_id) != 0)
            return merr_set(err, "InvalidParameterValue",
                            "Subnet %s does not belong to VPC %s.", sn->hdr.id, vpc_id);
        if (!sn->has_ipv4)
            return merr_set(err, "InvalidParameterValue",
                            "Subnet %s is IPv6-only; transit gateway attachments need an IPv4 "
                            "subnet.",
                            sn->hdr.id);
        for (size_t j = 0; j < i; j++) {
            const struct subnet *o = subnet_find(m, s, ids[j]);
            if (o && strcmp(o->az, sn->az) == 0)
                return merr_set(err, "DuplicateSubnetsInSameZone",
                                "Duplicate Subnets for same AZ");
        }
        for (size_t j = 0; j < n_keep; j++) {
            const struct subnet *o = subnet_find(m, s, keep[j]);
            if (o && strcmp(o->az, sn->az) == 0)
                return merr_set(err, "DuplicateSubnetsInSameZone",
                                "Duplicate Subnets for same AZ");
        }
        if (subnet_available_count(sn) == 0)
            return merr_set(err, "InsufficientFreeAddressesInSubnet",
                            "There are not enough free addresses in subnet '%s'.", sn->hdr.id);
    }
    return 0;
}

/* Gives a its interface in subnet_id; the checks above make this succeed. */
static int add_subnet(struct model *m, struct tgw_attach *a, const char *subnet_id,
                      struct merr *err)
{
    char desc[128];
    snprintf(desc, sizeof desc, "Network Interface for Transit Gateway Attachment %s",
             a->hdr.id);
    struct eni_create_args ea = {
        .subnet_id = subnet_id,
        .description = desc,
        .interface_type = "transit_gateway",
        .requester_managed = true,
    };
    struct eni *e;
    if (eni_create(m, a->hdr.scope, &ea, &e, err))
        return -1;
    a->subnets = xrealloc(a->subnets, (a->n_subnets + 1) * sizeof *a->subnets);
    a->enis = xrealloc(a->enis, (a->n_subnets + 1) * sizeof *a->enis);
    snprintf(a->subnets[a->n_subnets], ID_MAX, "%s", subnet_id);
    snprintf(a->enis[a->n_subnets], ID_MAX, "%s", e->hdr.id);
    a->n_subnets++;
    res_touch(m, &a->hdr);
    return 0;
}

int tgw_vpc_attach_create(struct model *m, struct scope *s, const struct tgw_vpc_attach_args *a,
                          struct tgw_attach **out, struct merr *err)
{
    if (!a->n_subnets)
        return merr_set(err, "MissingParameter", "The request must contain the parameter SubnetIds");
    struct tgw *t = attachable_tgw(m, s, a->tgw_id, err);
    if (!t)
        return -1;
    struct vpc *v = (struct vpc *)res_lookup(m, s, RES_VPC, a->vpc_id, err);
    if (!v)
        return -1;
    if (check_subnets(m, s, v->hdr.id, a->subnet_ids, a->n_subnets, NULL, 0, err))
        return -1;
    const struct tgw_attach *o;
    size_t tgws_of_vpc = 0;
    SCOPE_FOREACH(o, s, RES_TGW_ATTACH)
    {
        if (o->kind != TGW_ATTACH_VPC || o->hdr.scope != s || !tgw_attach_live(o) ||
            strcmp(o->vpc_id, v->hdr.id) != 0)
            continue;
        if (strcmp(o->tgw_id, t->hdr.id) == 0)
            return merr_set(err, "DuplicateTransitGatewayAttachment",
                            "%s has non-deleted Transit Gateway Attachments with same VPC ID.",
                            t->hdr.id);
        tgws_of_vpc++;
    }
    if (tgws_of_vpc >= 5)
        return merr_set(err, "TransitGatewayAttachmentLimitExceeded",
                        "VPC %s is already attached to 5 transit gateways.", v->hdr.id);
    if (tags_validate(NULL, a->tags, err))
        return -1;

    struct tgw_attach *at = (struct tgw_attach *)res_new(m, s, RES_TGW_ATTACH);
    at->kind = TGW_ATTACH_VPC;
    snprintf(at->tgw_id, sizeof at->tgw_id, "%s", t->hdr.id);
    snprintf(at->tgw_owner, sizeof at->tgw_owner, "%s", t->hdr.scope->account);
    snprintf(at->vpc_id, sizeof at->vpc_id, "%s", v->hdr.id);
    at->created = model_now(m);
    at->dns_support = a->dns_support != 0; /* -1 (not given): enable */
    at->ipv6_support = a->ipv6_support > 0;
    at->appliance_mode = a->appliance_mode > 0;
    at->sg_ref = a->sg_ref > 0;
    tags_copy(&at->hdr.tags, a->tags);
    for (size_t i = 0; i < a->n_subnets; i++) {
        if (add_subnet(m, at, a->subnet_ids[i], err)) {
            detach_everywhere(m, at); /* not reached after check_subnets; keeps all-or-nothing */
            res_delete(m, &at->hdr);
            return -1;
        }
    }
    bool foreign = t->hdr.scope != s;
    if (foreign) {
        res_share(m, &at->hdr, t->hdr.scope);
        snprintf(at->state, sizeof at->state, "%s",
                 t->auto_accept ? "available" : "pendingAcceptance");
    } else {
        snprintf(at->state, sizeof at->state, "available");
    }
    if (strcmp(at->state, "available") == 0)
        tgw_attach_apply_defaults(m, at);
    *out = at;
    return 0;
}

int tgw_vpc_attach_modify(struct model *m, struct scope *s, const char *attach_id,
                          const char **add, size_t n_add, const char **remove, size_t n_remove,
                          int dns_support, int ipv6_support, int appliance_mode, int sg_ref,
                          struct tgw_attach **out, struct merr *err)
{
    struct tgw_attach *a = tgw_attach_lookup(m, s, attach_id, TGW_ATTACH_VPC, err);
    if (!a)
        return -1;
    if (!tgw_attach_live(a))
        return attach_not_found(attach_id, TGW_ATTACH_VPC, err);
    if (a->hdr.scope != s)
        return merr_set(err, "OperationNotPermitted",
                        "Only the owner of VPC %s can modify attachment %s.", a->vpc_id,
                        a->hdr.id);
    if (strcmp(a->state, "available") != 0 && strcmp(a->state, "pendingAcceptance") != 0)
        return merr_set(err, "IncorrectState", "%s is in invalid state %s.", a->hdr.id,
                        a->state);
    /* The subnets that stay, then the added ones checked against them. */
    char(*keep)[ID_MAX] = xcalloc(a->n_subnets + 1, sizeof *keep);
    size_t n_keep = 0;
    for (size_t k = 0; k < n_remove; k++) {
        bool found = false;
        for (size_t i = 0; i < a->n_subnets; i++)
            found |= strcmp(a->subnets[i], remove[k]) == 0;
        if (!found) {
            free(keep);
            return merr_set(err, "InvalidParameterValue",
                            "Subnet %s is not part of transit gateway attachment %s.", remove[k],
                            a->hdr.id);
        }
    }
    for (size_t i = 0; i < a->n_subnets; i++) {
        bool removed = false;
        for (size_t k = 0; k < n_remove; k++)
            removed |= strcmp(a->subnets[i], remove[k]) == 0;
        if (!removed)
            snprintf(keep[n_keep++], ID_MAX, "%s", a->subnets[i]);
    }
    for (size_t k = 0; k < n_add; k++) {
        for (size_t i = 0; i < n_keep; i++) {
            if (strcmp(keep[i], add[k]) == 0) {
                free(keep);
                return merr_set(err, "DuplicateSubnetsInSameZone",
                                "Duplicate Subnets for same AZ");
            }
        }
    }
    int rc = check_subnets(m, s, a->vpc_id, add, n_add, keep, n_keep, err);
    free(keep);
    if (rc)
        return -1;
    if (n_keep + n_add == 0)
        return merr_set(err, "InvalidParameterValue",
                        "A transit gateway VPC attachment needs at least one subnet.");

    for (size_t k = 0; k < n_remove; k++) {
        for (size_t i = 0; i < a->n_subnets; i++) {
            if (strcmp(a->subnets[i], remove[k]) != 0)
                continue;
            struct eni *e = eni_find(m, s, a->enis[i]);
            if (e)
                eni_release(m, e);
            memmove(&a->subnets[i], &a->subnets[i + 1], (a->n_subnets - i - 1) * ID_MAX);
            memmove(&a->enis[i], &a->enis[i + 1], (a->n_subnets - i - 1) * ID_MAX);
            a->n_subnets--;
            break;
        }
    }
    for (size_t k = 0; k < n_add; k++)
        if (add_subnet(m, a, add[k], err))
            return -1; /* not reached: check_subnets saw a free address in each */
    if (dns_support >= 0)
        a->dns_support = dns_support;
    if (ipv6_support >= 0)
        a->ipv6_support = ipv6_support;
    if (appliance_mode >= 0)
        a->appliance_mode = appliance_mode;
    if (sg_ref >= 0)
        a->sg_ref = sg_ref;
    res_touch(m, &a->hdr);
    *out = a;
    return 0;
}

static struct tgw_attach *peer_side(const struct model *m, const struct tgw_attach *a)
{
    struct res *r = res_find_any(m, a->peer_attach_id);
    return r && r->type == RES_TGW_ATTACH ? (struct tgw_attach *)r : NULL;
}

int tgw_attach_delete(struct model *m, struct scope *s, const char *attach_id,
                      enum tgw_attach_kind kind, struct tgw_attach **out, struct merr *err)
{
    struct tgw_attach *a = tgw_attach_lookup(m, s, attach_id, (int)kind, err);
    if (!a)
        return -1;
    if (!tgw_attach_live(a))
        return attach_not_found(attach_id, (int)kind, err);
    detach_everywhere(m, a);
    set_state(m, a, "deleted");
    if (kind == TGW_ATTACH_PEERING) {
        /* Either owner may delete; the other side goes too. */
        struct tgw_attach *p = peer_side(m, a);
        if (p && tgw_attach_live(p)) {
            detach_everywhere(m, p);
            set_state(m, p, "deleted");
        }
    }
    *out = a;
    return 0;
}

int tgw_attach_accept(struct model *m, struct scope *s, const char *attach_id,
                      enum tgw_attach_kind kind, bool accept, struct tgw_attach **out,
                      struct merr *err)
{
    struct tgw_attach *a = tgw_attach_lookup(m, s, attach_id, (int)kind, err);
    if (!a)
        return -1;
    if (!tgw_attach_live(a))
        return attach_not_found(attach_id, (int)kind, err);
    if (kind == TGW_ATTACH_PEERING && a->requester)
        return merr_set(err, "InvalidParameterValue",
                        "Cannot %s %s as the source of the peering request.",
                        accept ? "accept" : "reject", a->hdr.id);
    if (kind == TGW_ATTACH_VPC && strcmp(s->account, a->tgw_owner) != 0)
        return merr_set(err, "InvalidParameterValue",
                        "Cannot %s %s as the source of the attachment request.",
                        accept ? "accept" : "reject", a->hdr.id);
    if (strcmp(a->state, "pendingAcceptance") != 0)
        return merr_set(err, "IncorrectState",
                        "%s is in invalid state %s; only pendingAcceptance attachments can be "
                        "%s.",
                        a->hdr.id, a->state, accept ? "accepted" : "rejected");
    struct tgw_attach *p = kind == TGW_ATTACH_PEERING ? peer_side(m, a) : NULL;
    if (accept) {
        set_state(m, a, "available");
        tgw_attach_apply_defaults(m, a);
        if (p) {
            set_state(m, p, "available");
            tgw_attach_apply_defaults(m, p);
        }
    } else {
        detach_everywhere(m, a);
        set_state(m, a, "rejected");
        if (p) {
            detach_everywhere(m, p);
            set_state(m, p, "rejected");
        }
    }
    *out = a;
    return 0;
}

int tgw_peering_create(struct model *m, struct scope *s, const char *tgw_id,
                       const char *peer_tgw_id, const char *peer_account, const char *peer_region,
                       int dynamic_routing, const struct tag_list *tags, struct tgw_attach **out,
                       struct merr *err)
{
    struct tgw *t = tgw_lookup(m, s, tgw_id, err);
    if (!t)
        return -1;
    if (strlen(peer_account) != 12 || strspn(peer_account, "0123456789") != 12)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter peerAccountId is invalid.", peer_account);
    if (!region_valid(peer_region))
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter peerRegion is invalid.", peer_region);
    if (!id_well_formed(peer_tgw_id, "tgw"))
        return merr_set(err, "InvalidTransitGatewayID.Malformed",
                        "Invalid id: \"%s\" (expecting \"tgw-...\")", peer_tgw_id);
    struct tgw *pt = tgw_by_id(m, peer_tgw_id);
    if (!pt || strcmp(pt->state, "deleted") == 0 ||
        strcmp(pt->hdr.scope->account, peer_account) != 0 ||
        strcmp(pt->hdr.scope->region, peer_region) != 0)
        return merr_set(err, "InvalidTransitGatewayID.NotFound",
                        "Transit Gateway %s was deleted or does not exist.", peer_tgw_id);
    if (pt == t)
        return merr_set(err, "InvalidParameterValue",
                        "A transit gateway cannot peer with itself (%s).", tgw_id);
    const struct tgw_attach *o;
    SCOPE_FOREACH(o, s, RES_TGW_ATTACH)
    {
        if (o->kind == TGW_ATTACH_PEERING && tgw_attach_live(o) &&
            strcmp(o->tgw_id, t->hdr.id) == 0 && strcmp(tgw_attach_resource_id(o), pt->hdr.id) == 0)
            return merr_set(err, "DuplicateTransitGatewayAttachment",
                            "%s has non-deleted Transit Gateway Peering Attachments with %s.",
                            t->hdr.id, pt->hdr.id);
    }
    if (tags_validate(NULL, tags, err))
        return -1;

    struct tgw_attach *sides[2];
    struct scope *scopes[2] = {s, pt->hdr.scope};
    for (int i = 0; i < 2; i++) {
        struct tgw_attach *a = (struct tgw_attach *)res_new(m, scopes[i], RES_TGW_ATTACH);
        a->kind = TGW_ATTACH_PEERING;
        a->requester = i == 0;
        const struct tgw *own = i == 0 ? t : pt;
        snprintf(a->tgw_id, sizeof a->tgw_id, "%s", own->hdr.id);
        snprintf(a->tgw_owner, sizeof a->tgw_owner, "%s", own->hdr.scope->account);
        snprintf(a->state, sizeof a->state, "pendingAcceptance");
        a->created = model_now(m);
        snprintf(a->req_tgw, sizeof a->req_tgw, "%s", t->hdr.id);
        snprintf(a->req_owner, sizeof a->req_owner, "%s", s->account);
        snprintf(a->req_region, sizeof a->req_region, "%s", s->region);
        snprintf(a->acc_tgw, sizeof a->acc_tgw, "%s", pt->hdr.id);
        snprintf(a->acc_owner, sizeof a->acc_owner, "%s", pt->hdr.scope->account);
        snprintf(a->acc_region, sizeof a->acc_region, "%s", pt->hdr.scope->region);
        a->dynamic_routing = dynamic_routing > 0;
        sides[i] = a;
    }
    snprintf(sides[0]->peer_attach_id, ID_MAX, "%s", sides[1]->hdr.id);
    snprintf(sides[1]->peer_attach_id, ID_MAX, "%s", sides[0]->hdr.id);
    tags_copy(&sides[0]->hdr.tags, tags);
    *out = sides[0];
    return 0;
}

/* ---- class ---- */

static void attach_destroy(struct res *r)
{
    struct tgw_attach *a = (struct tgw_attach *)r;
    free(a->subnets);
    free(a->enis);
}

static json_t *attach_encode(const struct res *r)
{
    const struct tgw_attach *a = (const struct tgw_attach *)r;
    json_t *subnets = json_array(), *enis = json_array();
    for (size_t i = 0; i < a->n_subnets; i++) {
        json_array_append_new(subnets, json_string(a->subnets[i]));
        json_array_append_new(enis, json_string(a->enis[i]));
    }
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:o,s:o,s:b,s:b,s:b,s:b}", "kind",
                          a->kind == TGW_ATTACH_VPC ? "vpc" : "peering", "tgw", a->tgw_id,
                          "tgw_owner", a->tgw_owner, "state", a->state, "created",
                          (json_int_t)a->created, "state_time", (json_int_t)a->state_time,
                          "assoc", a->assoc_rtb, "vpc", a->vpc_id, "subnets", subnets, "enis",
                          enis, "dns", a->dns_support, "ipv6", a->ipv6_support, "appliance",
                          a->appliance_mode, "sg_ref", a->sg_ref);
    if (a->kind == TGW_ATTACH_PEERING) {
        json_t *p = json_pack("{s:b,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b}", "requester", a->requester,
                              "peer", a->peer_attach_id, "req_tgw", a->req_tgw, "req_owner",
                              a->req_owner, "req_region", a->req_region, "acc_tgw", a->acc_tgw,
                              "acc_owner", a->acc_owner, "acc_region", a->acc_region, "dynamic",
                              a->dynamic_routing);
        json_object_set_new(o, "peering", p);
    }
    return o;
}

static void get_str(char *dst, size_t n, json_t *b, const char *key)
{
    const char *v = json_string_value(json_object_get(b, key));
    snprintf(dst, n, "%s", v ? v : "");
}

static int attach_decode(struct res *r, json_t *b)
{
    struct tgw_attach *a = (struct tgw_attach *)r;
    const char *kind = json_string_value(json_object_get(b, "kind"));
    if (!kind)
        return -EINVAL;
    a->kind = strcmp(kind, "vpc") == 0 ? TGW_ATTACH_VPC : TGW_ATTACH_PEERING;
    get_str(a->tgw_id, sizeof a->tgw_id, b, "tgw");
    get_str(a->tgw_owner, sizeof a->tgw_owner, b, "tgw_owner");
    get_str(a->state, sizeof a->state, b, "state");
    a->created = (time_t)json_integer_value(json_object_get(b, "created"));
    a->state_time = (time_t)json_integer_value(json_object_get(b, "state_time"));
    get_str(a->assoc_rtb, sizeof a->assoc_rtb, b, "assoc");
    get_str(a->vpc_id, sizeof a->vpc_id, b, "vpc");
    json_t *subnets = json_object_get(b, "subnets"), *enis = json_object_get(b, "enis");
    size_t n = json_array_size(subnets);
    if (n != json_array_size(enis))
        return -EINVAL;
    if (n) {
        a->subnets = xcalloc(n, sizeof *a->subnets);
        a->enis = xcalloc(n, sizeof *a->enis);
    }
    for (size_t i = 0; i < n; i++) {
        const char *sv = json_string_value(json_array_get(subnets, i));
        const char *ev = json_string_value(json_array_get(enis, i));
        snprintf(a->subnets[i], ID_MAX, "%s", sv ? sv : "");
        snprintf(a->enis[i], ID_MAX, "%s", ev ? ev : "");
    }
    a->n_subnets = n;
    a->dns_support = json_is_true(json_object_get(b, "dns"));
    a->ipv6_support = json_is_true(json_object_get(b, "ipv6"));
    a->appliance_mode = json_is_true(json_object_get(b, "appliance"));
    a->sg_ref = json_is_true(json_object_get(b, "sg_ref"));
    json_t *p = json_object_get(b, "peering");
    if (p) {
        a->requester = json_is_true(json_object_get(p, "requester"));
        get_str(a->peer_attach_id, sizeof a->peer_attach_id, p, "peer");
        get_str(a->req_tgw, sizeof a->req_tgw, p, "req_tgw");
        get_str(a->req_owner, sizeof a->req_owner, p, "req_owner");
        get_str(a->req_region, sizeof a->req_region, p, "req_region");
        get_str(a->acc_tgw, sizeof a->acc_tgw, p, "acc_tgw");
        get_str(a->acc_owner, sizeof a->acc_owner, p, "acc_owner");
        get_str(a->acc_region, sizeof a->acc_region, p, "acc_region");
        a->dynamic_routing = json_is_true(json_object_get(p, "dynamic"));
    }
    return a->state[0] && a->tgw_id[0] ? 0 : -EINVAL;
}

static int attach_filter(const struct model *m, const struct res *r, const char *name,
                         struct fvals *out)
{
    const struct tgw_attach *a = (const struct tgw_attach *)r;
    if (strcmp(name, "transit-gateway-attachment-id") == 0) {
        fv_add(out, a->hdr.id);
    } else if (strcmp(name, "transit-gateway-id") == 0) {
        fv_add(out, a->tgw_id);
    } else if (strcmp(name, "state") == 0) {
        fv_add(out, tgw_attach_state(a));
    } else if (strcmp(name, "vpc-id") == 0) {
        if (a->kind == TGW_ATTACH_VPC)
            fv_add(out, a->vpc_id);
    } else if (strcmp(name, "resource-id") == 0) {
        fv_add(out, tgw_attach_resource_id(a));
    } else if (strcmp(name, "resource-type") == 0) {
        fv_add(out, tgw_attach_resource_type(a));
    } else if (strcmp(name, "resource-owner-id") == 0) {
        fv_add(out, tgw_attach_resource_owner(a));
    } else if (strcmp(name, "transit-gateway-owner-id") == 0) {
        fv_add(out, a->tgw_owner);
    } else if (strcmp(name, "association.transit-gateway-route-table-id") == 0) {
        if (a->assoc_rtb[0])
            fv_add(out, a->assoc_rtb);
    } else if (strcmp(name, "association.state") == 0) {
        if (a->assoc_rtb[0])
            fv_add(out, "associated");
    } else if (strcmp(name, "local-owner-id") == 0) {
        if (a->kind == TGW_ATTACH_PEERING)
            fv_add(out, a->tgw_owner);
    } else if (strcmp(name, "remote-owner-id") == 0) {
        if (a->kind == TGW_ATTACH_PEERING)
            fv_add(out, tgw_attach_resource_owner(a));
    } else {
        return -ENOENT;
    }
    (void)m;
    return 0;
}

const struct res_class tgw_attach_class = {
    .name = "transit gateway attachment",
    .id_prefix = "tgw-attach",
    .size = sizeof(struct tgw_attach),
    .not_found_code = "InvalidTransitGatewayAttachmentID.NotFound",
    .malformed_code = "InvalidTransitGatewayAttachmentID.Malformed",
    .tag_resource_type = "transit-gateway-attachment",
    .destroy = attach_destroy,
    .encode = attach_encode,
    .decode = attach_decode,
    .filter = attach_filter,
};
