/* VPC peering connections: one object in the requester's scope, shared with the accepter's
 * scope when that is another account or region, so both sides see the same id.
 *
 * Time-driven transitions (a pending request expires after 7 days; ended connections stay
 * describable for 2 hours or 2 days) are evaluated lazily against model_now(): reads use
 * pcx_state_now() and pcx_visible(), and pcx_sweep() makes the outcome durable after a
 * successful peering action. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "model/classes.h"
#include "model/resources.h"

#define PCX_EXPIRY_SECONDS (7 * 86400)
#define PCX_SHORT_WINDOW (2 * 3600)
#define PCX_LONG_WINDOW (2 * 86400)
#define PCX_OUTSTANDING_LIMIT 25
#define PCX_ACTIVE_LIMIT_MAX 125 /* AWS's ceiling for the adjustable per-VPC quota */

static const char *const state_names[] = {
    [PCX_INITIATING] = "initiating-request",
    [PCX_PENDING] = "pending-acceptance",
    [PCX_PROVISIONING] = "provisioning",
    [PCX_ACTIVE] = "active",
    [PCX_FAILED] = "failed",
    [PCX_EXPIRED] = "expired",
    [PCX_REJECTED] = "rejected",
    [PCX_DELETING] = "deleting",
    [PCX_DELETED] = "deleted",
};

const char *pcx_state_name(enum pcx_state st)
{
    return st <= PCX_DELETED ? state_names[st] : "failed";
}

static int state_parse(const char *s, enum pcx_state *out)
{
    for (int i = 0; i <= PCX_DELETED; i++)
        if (s && strcmp(s, state_names[i]) == 0) {
            *out = (enum pcx_state)i;
            return 0;
        }
    return -EINVAL;
}

static bool state_terminal(enum pcx_state st)
{
    return st == PCX_FAILED || st == PCX_EXPIRED || st == PCX_REJECTED || st == PCX_DELETED;
}

/* Counts toward "one connection per VPC pair" and the quotas. */
static bool state_live(enum pcx_state st)
{
    return st == PCX_INITIATING || st == PCX_PENDING || st == PCX_PROVISIONING || st == PCX_ACTIVE;
}

enum pcx_state pcx_state_now(const struct model *m, const struct pcx *p)
{
    if ((p->state == PCX_PENDING || p->state == PCX_INITIATING) && model_now(m) >= p->expires)
        return PCX_EXPIRED;
    return p->state;
}

static time_t ended_at(const struct model *m, const struct pcx *p)
{
    if (p->state != PCX_EXPIRED && pcx_state_now(m, p) == PCX_EXPIRED)
        return p->expires;
    return p->ended;
}

void pcx_status_message(const struct model *m, const struct pcx *p, char buf[160])
{
    enum pcx_state st = pcx_state_now(m, p);
    switch (st) {
    case PCX_INITIATING:
        snprintf(buf, 160, "Initiating Request to %s", p->acc.account);
        break;
    case PCX_PENDING:
        snprintf(buf, 160, "Pending Acceptance by %s", p->acc.account);
        break;
    case PCX_PROVISIONING:
        snprintf(buf, 160, "Provisioning");
        break;
    case PCX_ACTIVE:
        snprintf(buf, 160, "Active");
        break;
    case PCX_FAILED:
        snprintf(buf, 160, "Failed due to incorrect VPC-ID, Account ID, or overlapping CIDR range");
        break;
    case PCX_EXPIRED:
        snprintf(buf, 160, "Expired");
        break;
    case PCX_REJECTED:
        snprintf(buf, 160, "Rejected by %s", p->ended_by);
        break;
    case PCX_DELETING:
        snprintf(buf, 160, "Deleting");
        break;
    case PCX_DELETED:
        snprintf(buf, 160, "Deleted by %s", p->ended_by);
        break;
    }
}

/* How long an ended connection stays describable for the viewer (AWS's lifecycle table). */
static time_t window_for(const struct pcx *p, enum pcx_state st, bool requester,
                         const char *viewer_account)
{
    bool same_account = strcmp(p->req.account, p->acc.account) == 0;
    switch (st) {
    case PCX_FAILED:
        return PCX_SHORT_WINDOW;
    case PCX_EXPIRED:
        return PCX_LONG_WINDOW;
    case PCX_REJECTED:
        return same_account || !requester ? PCX_SHORT_WINDOW : PCX_LONG_WINDOW;
    case PCX_DELETED:
        return same_account || strcmp(viewer_account, p->ended_by) == 0 ? PCX_SHORT_WINDOW
                                                                        : PCX_LONG_WINDOW;
    default:
        return 0;
    }
}

bool pcx_visible(const struct model *m, const struct pcx *p, const struct scope *s)
{
    enum pcx_state st = pcx_state_now(m, p);
    if (!state_terminal(st))
        return true;
    bool requester = s == p->hdr.scope;
    return model_now(m) < ended_at(m, p) + window_for(p, st, requester, s->account);
}

struct pcx *pcx_lookup(const struct model *m, const struct scope *s, const char *id,
                       struct merr *err)
{
    if (!id || !id_well_formed(id, "pcx")) {
        merr_set(err, pcx_class.malformed_code, "Invalid id: \"%s\" (expecting \"pcx-...\")",
                 id ? id : "");
        return NULL;
    }
    struct pcx *p = (struct pcx *)res_find(m, s, RES_PCX, id);
    if (!p || !pcx_visible(m, p, s)) {
        merr_set(err, pcx_class.not_found_code, "The vpcPeeringConnection ID '%s' does not exist",
                 id);
        return NULL;
    }
    return p;
}

void pcx_sweep(struct model *m)
{
    time_t now = model_now(m);
    for (size_t i = 0; i < m->scopes.n; i++) {
        struct scope *s = (struct scope *)m->scopes.items[i];
        struct res_list *l = &s->lists[RES_PCX];
        for (size_t j = 0; j < l->n;) {
            struct pcx *p = (struct pcx *)l->items[j];
            if (p->hdr.scope != s) { /* shared: swept with its owner */
                j++;
                continue;
            }
            enum pcx_state st = pcx_state_now(m, p);
            if (st == PCX_EXPIRED && p->state != PCX_EXPIRED) {
                p->state = PCX_EXPIRED;
                p->ended = p->expires;
                res_touch(m, &p->hdr);
            }
            if (state_terminal(st) && now >= p->ended + PCX_LONG_WINDOW) {
                res_delete(m, &p->hdr); /* removes l->items[j]; do not advance */
                continue;
            }
            j++;
        }
    }
}

/* ---- CIDRs ---- */

static const struct vpc *side_vpc(const struct model *m, const struct pcx_side *side)
{
    const struct scope *s = model_scope_find(m, side->account, side->region);
    return s ? vpc_find(m, s, side->vpc_id) : NULL;
}

void pcx_side_cidrs(const struct model *m, const struct pcx_side *side, struct prefix4 **c4,
                    size_t *n4, struct prefix6 **c6, size_t *n6)
{
    const struct vpc *v = side_vpc(m, side);
    if (v) {
        *n4 = v->n_cidrs;
        *n6 = v->n_ipv6;
        *c4 = xmalloc((*n4 ? *n4 : 1) * sizeof **c4);
        *c6 = xmalloc((*n6 ? *n6 : 1) * sizeof **c6);
        for (size_t i = 0; i < *n4; i++)
            (*c4)[i] = v->cidrs[i].cidr;
        for (size_t i = 0; i < *n6; i++)
            (*c6)[i] = v->ipv6[i].cidr;
        return;
    }
    *n4 = side->n_cidrs;
    *n6 = side->n_ipv6;
    *c4 = xmalloc((*n4 ? *n4 : 1) * sizeof **c4);
    *c6 = xmalloc((*n6 ? *n6 : 1) * sizeof **c6);
    if (*n4)
        memcpy(*c4, side->cidrs, *n4 * sizeof **c4);
    if (*n6)
        memcpy(*c6, side->ipv6, *n6 * sizeof **c6);
}

static void side_snapshot(struct pcx_side *side, const struct vpc *v)
{
    free(side->cidrs);
    free(side->ipv6);
    side->n_cidrs = v->n_cidrs;
    side->n_ipv6 = v->n_ipv6;
    side->cidrs = side->n_cidrs ? xmalloc(side->n_cidrs * sizeof *side->cidrs) : NULL;
    side->ipv6 = side->n_ipv6 ? xmalloc(side->n_ipv6 * sizeof *side->ipv6) : NULL;
    for (size_t i = 0; i < side->n_cidrs; i++)
        side->cidrs[i] = v->cidrs[i].cidr;
    for (size_t i = 0; i < side->n_ipv6; i++)
        side->ipv6[i] = v->ipv6[i].cidr;
}

/* AWS refuses a peering when any IPv4 block of one VPC overlaps any of the other's, and the
 * same for IPv6 blocks. */
static bool vpcs_overlap(const struct vpc *a, const struct vpc *b)
{
    for (size_t i = 0; i < a->n_cidrs; i++)
        for (size_t j = 0; j < b->n_cidrs; j++)
            if (prefix4_overlaps(&a->cidrs[i].cidr, &b->cidrs[j].cidr))
                return true;
    for (size_t i = 0; i < a->n_ipv6; i++)
        for (size_t j = 0; j < b->n_ipv6; j++)
            if (prefix6_overlaps(&a->ipv6[i].cidr, &b->ipv6[j].cidr))
                return true;
    return false;
}

static bool involves(const struct pcx *p, const char *vpc_id)
{
    return strcmp(p->req.vpc_id, vpc_id) == 0 || strcmp(p->acc.vpc_id, vpc_id) == 0;
}

/* The other side of p as seen from vpc_id. */
static const struct pcx_side *other_side(const struct pcx *p, const char *vpc_id)
{
    return strcmp(p->req.vpc_id, vpc_id) == 0 ? &p->acc : &p->req;
}

static unsigned active_limit(const struct model *m)
{
    unsigned q = m->cfg.peerings_per_vpc;
    return q > PCX_ACTIVE_LIMIT_MAX ? PCX_ACTIVE_LIMIT_MAX : q;
}

static unsigned active_count(const struct model *m, const struct vpc *v)
{
    unsigned n = 0;
    const struct pcx *p;
    SCOPE_FOREACH(p, v->hdr.scope, RES_PCX)
    n += involves(p, v->hdr.id) && pcx_state_now(m, p) == PCX_ACTIVE;
    return n;
}

static bool account_id_valid(const char *a)
{
    if (strlen(a) != 12)
        return false;
    for (const char *c = a; *c; c++)
        if (*c < '0' || *c > '9')
            return false;
    return true;
}

/* ---- actions ---- */

int pcx_create(struct model *m, struct scope *s, const struct pcx_create_args *a, struct pcx **out,
               struct merr *err)
{
    if (!a->vpc_id || !*a->vpc_id)
        return merr_set(err, "MissingParameter", "The request must contain the parameter vpcId");
    struct vpc *v = (struct vpc *)res_lookup(m, s, RES_VPC, a->vpc_id, err);
    if (!v)
        return -1;
    if (!a->peer_vpc_id || !*a->peer_vpc_id)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter peerVpcId");
    if (!id_well_formed(a->peer_vpc_id, "vpc"))
        return merr_set(err, "InvalidVpcID.Malformed", "Invalid id: \"%s\" (expecting \"vpc-...\")",
                        a->peer_vpc_id);
    const char *peer_account =
        a->peer_owner_id && *a->peer_owner_id ? a->peer_owner_id : s->account;
    if (!account_id_valid(peer_account))
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter peerOwnerId is invalid. Expected a 12-digit "
                        "AWS account ID.",
                        peer_account);
    const char *peer_region = a->peer_region && *a->peer_region ? a->peer_region : s->region;
    if (!region_valid(peer_region))
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter peerRegion is invalid. The region does not "
                        "exist.",
                        peer_region);
    if (tags_validate(NULL, a->tags, err))
        return -1;
    const struct pcx *o;
    SCOPE_FOREACH(o, s, RES_PCX)
    {
        if (!state_live(pcx_state_now(m, o)) || !involves(o, v->hdr.id) ||
            !involves(o, a->peer_vpc_id) || strcmp(v->hdr.id, a->peer_vpc_id) == 0)
            continue;
        return merr_set(err, "VpcPeeringConnectionAlreadyExists",
                        "A VPC peering connection %s already exists between %s and %s.", o->hdr.id,
                        v->hdr.id, a->peer_vpc_id);
    }
    unsigned outstanding = 0;
    SCOPE_FOREACH(o, s, RES_PCX)
    outstanding += o->hdr.scope == s && pcx_state_now(m, o) == PCX_PENDING;
    if (outstanding >= PCX_OUTSTANDING_LIMIT)
        return merr_set(err, "OutstandingVpcPeeringConnectionLimitExceeded",
                        "You have reached the limit of %u outstanding VPC peering connection "
                        "requests.",
                        PCX_OUTSTANDING_LIMIT);
    if (active_count(m, v) >= active_limit(m))
        return merr_set(err, "ActiveVpcPeeringConnectionPerVpcLimitExceeded",
                        "The VPC %s has reached the limit of %u active VPC peering connections.",
                        v->hdr.id, active_limit(m));

    struct scope *ps = model_scope_find(m, peer_account, peer_region);
    const struct vpc *pv = ps ? vpc_find(m, ps, a->peer_vpc_id) : NULL;
    /* A wrong VPC id or account and overlapping blocks all end in "failed", as on AWS. */
    bool failed = !pv || vpcs_overlap(v, pv);

    struct pcx *p = (struct pcx *)res_new(m, s, RES_PCX);
    tags_copy(&p->hdr.tags, a->tags);
    snprintf(p->req.vpc_id, sizeof p->req.vpc_id, "%s", v->hdr.id);
    snprintf(p->req.account, sizeof p->req.account, "%s", s->account);
    snprintf(p->req.region, sizeof p->req.region, "%s", s->region);
    side_snapshot(&p->req, v);
    snprintf(p->acc.vpc_id, sizeof p->acc.vpc_id, "%s", a->peer_vpc_id);
    snprintf(p->acc.account, sizeof p->acc.account, "%s", peer_account);
    snprintf(p->acc.region, sizeof p->acc.region, "%s", peer_region);
    if (pv)
        side_snapshot(&p->acc, pv);
    p->created = model_now(m);
    p->expires = p->created + PCX_EXPIRY_SECONDS;
    if (failed) {
        p->state = PCX_FAILED;
        p->ended = p->created;
    } else {
        p->state = PCX_PENDING;
        res_share(m, &p->hdr, ps); /* no-op when the accepter is the caller's own scope */
    }
    *out = p;
    return 0;
}

/* Accept and reject: only the accepter account, and only in the accepter's region. */
static struct pcx *accepter_lookup(const struct model *m, const struct scope *s, const char *id,
                                   const char *verb, const char *target, struct merr *err)
{
    struct pcx *p = pcx_lookup(m, s, id, err);
    if (!p)
        return NULL;
    if (strcmp(s->account, p->acc.account) != 0) {
        merr_set(err, "OperationNotPermitted", "User (%s) cannot %s peering %s", s->account, verb,
                 p->hdr.id);
        return NULL;
    }
    if (strcmp(s->region, p->acc.region) != 0) {
        merr_set(err, "OperationNotPermitted",
                 "Incorrect region (%s) specified for this request. VPC peering connection %s "
                 "must be %s in region %s",
                 s->region, p->hdr.id,
                 strcmp(verb, "accept") == 0 ? "accepted" : "accepted or rejected", p->acc.region);
        return NULL;
    }
    enum pcx_state st = pcx_state_now(m, p);
    if (st != PCX_PENDING) {
        merr_set(err, "InvalidStateTransition",
                 "Invalid state transition for %s, attempted to transition from %s to %s",
                 p->hdr.id, pcx_state_name(st), target);
        return NULL;
    }
    return p;
}

int pcx_accept(struct model *m, struct scope *s, const char *pcx_id, struct pcx **out,
               struct merr *err)
{
    struct pcx *p = accepter_lookup(m, s, pcx_id, "accept", "provisioning", err);
    if (!p)
        return -1;
    const struct vpc *rv = side_vpc(m, &p->req), *av = side_vpc(m, &p->acc);
    if (!rv || !av)
        return merr_set(err, "InvalidStateTransition",
                        "Invalid state transition for %s, attempted to transition from %s to "
                        "provisioning",
                        p->hdr.id, pcx_state_name(PCX_FAILED));
    const struct vpc *sides[2] = {rv, av};
    for (int i = 0; i < 2; i++)
        if (active_count(m, sides[i]) >= active_limit(m))
            return merr_set(err, "ActiveVpcPeeringConnectionPerVpcLimitExceeded",
                            "The VPC %s has reached the limit of %u active VPC peering "
                            "connections.",
                            sides[i]->hdr.id, active_limit(m));
    /* AWS shows "provisioning" in the reply and is active moments later; vpcd is active at
     * once so routes and the data plane follow the reply. */
    p->state = PCX_ACTIVE;
    p->accepted = true;
    side_snapshot(&p->req, rv);
    side_snapshot(&p->acc, av);
    res_touch(m, &p->hdr);
    *out = p;
    return 0;
}

int pcx_reject(struct model *m, struct scope *s, const char *pcx_id, struct merr *err)
{
    struct pcx *p = accepter_lookup(m, s, pcx_id, "reject", "rejected", err);
    if (!p)
        return -1;
    p->state = PCX_REJECTED;
    p->ended = model_now(m);
    snprintf(p->ended_by, sizeof p->ended_by, "%s", s->account);
    res_touch(m, &p->hdr);
    return 0;
}

static void end_deleted(struct model *m, struct pcx *p, const char *by)
{
    const struct vpc *rv = side_vpc(m, &p->req), *av = side_vpc(m, &p->acc);
    if (rv)
        side_snapshot(&p->req, rv);
    if (av && p->accepted)
        side_snapshot(&p->acc, av);
    p->state = PCX_DELETED;
    p->ended = model_now(m);
    snprintf(p->ended_by, sizeof p->ended_by, "%s", by);
    res_touch(m, &p->hdr);
}

int pcx_delete(struct model *m, struct scope *s, const char *pcx_id, struct merr *err)
{
    struct pcx *p = pcx_lookup(m, s, pcx_id, err);
    if (!p)
        return -1;
    enum pcx_state st = pcx_state_now(m, p);
    bool requester = s == p->hdr.scope;
    if (st == PCX_PENDING && !requester)
        return merr_set(err, "OperationNotPermitted",
                        "User (%s) cannot delete peering %s: a pending request can only be "
                        "deleted by the requester; reject it instead",
                        s->account, p->hdr.id);
    if (st != PCX_ACTIVE && st != PCX_PENDING && st != PCX_PROVISIONING)
        return merr_set(err, "InvalidStateTransition",
                        "Invalid state transition for %s, attempted to transition from %s to "
                        "deleting",
                        p->hdr.id, pcx_state_name(st));
    end_deleted(m, p, s->account);
    return 0;
}

static int dns_check(const struct model *m, const struct pcx *p, struct merr *err)
{
    const struct pcx_side *sides[2] = {&p->req, &p->acc};
    for (int i = 0; i < 2; i++) {
        const struct vpc *v = side_vpc(m, sides[i]);
        if (v && (!v->dns_hostnames || !v->dns_support))
            return merr_set(err, "InvalidVpcPeeringConnectionState.DnsHostnamesDisabled",
                            "DNS hostnames and DNS resolution must be enabled for VPC %s to "
                            "allow DNS resolution from the remote VPC.",
                            v->hdr.id);
    }
    return 0;
}

static int side_may_modify(const struct scope *s, const struct pcx *p, bool requester,
                           struct merr *err)
{
    const struct pcx_side *side = requester ? &p->req : &p->acc;
    const char *which = requester ? "requester" : "accepter";
    if (strcmp(s->account, side->account) != 0)
        return merr_set(err, "OperationNotPermitted",
                        "User %s does not have permission to modify the %s side peering options",
                        s->account, which);
    if (strcmp(s->region, side->region) != 0)
        return merr_set(err, "OperationNotPermitted",
                        "%s's VPC Peering connection options cannot be modified for a different "
                        "region",
                        requester ? "Requester" : "Accepter");
    return 0;
}

int pcx_modify_options(struct model *m, struct scope *s, const char *pcx_id,
                       const bool *requester_dns, const bool *accepter_dns, struct pcx **out,
                       struct merr *err)
{
    struct pcx *p = pcx_lookup(m, s, pcx_id, err);
    if (!p)
        return -1;
    if (pcx_state_now(m, p) != PCX_ACTIVE)
        return merr_set(err, "OperationNotPermitted",
                        "Peering %s is not active. Peering options can be added only to active "
                        "peerings.",
                        p->hdr.id);
    if (requester_dns && side_may_modify(s, p, true, err))
        return -1;
    if (accepter_dns && side_may_modify(s, p, false, err))
        return -1;
    if (((requester_dns && *requester_dns) || (accepter_dns && *accepter_dns)) &&
        dns_check(m, p, err))
        return -1;
    if (requester_dns)
        p->req.allow_dns = *requester_dns;
    if (accepter_dns)
        p->acc.allow_dns = *accepter_dns;
    res_touch(m, &p->hdr);
    *out = p;
    return 0;
}

/* ---- hooks for route tables, security groups and VPCs ---- */

int pcx_route_check(const struct model *m, const struct scope *s, const char *rtb_id,
                    const char *vpc_id, const char *pcx_id, struct merr *err)
{
    const struct pcx *p = pcx_lookup(m, s, pcx_id, err);
    if (!p)
        return -1;
    enum pcx_state st = pcx_state_now(m, p);
    if (state_terminal(st))
        return merr_set(err, pcx_class.not_found_code,
                        "The vpcPeeringConnection ID '%s' does not exist", pcx_id);
    if (!involves(p, vpc_id))
        return merr_set(err, "InvalidParameterValue",
                        "route table %s and network gateway %s belong to different networks",
                        rtb_id, pcx_id);
    return 0;
}

const char *pcx_route_state(const struct model *m, const struct scope *s, const char *vpc_id,
                            const char *pcx_id)
{
    const struct pcx *p = (const struct pcx *)res_find(m, s, RES_PCX, pcx_id);
    return p && involves(p, vpc_id) && pcx_state_now(m, p) == PCX_ACTIVE ? "active" : "blackhole";
}

bool pcx_peer_group_ok(const struct model *m, const struct scope *s, const char *vpc_id,
                       const char *sg_id, const char *owner)
{
    const struct res *r = res_find_any(m, sg_id);
    if (!r || r->type != RES_SG)
        return false;
    const struct security_group *g = (const struct security_group *)r;
    const char *want = owner && *owner ? owner : s->account;
    /* Groups can be referenced across a peering only within one region. */
    if (strcmp(r->scope->account, want) != 0 || strcmp(r->scope->region, s->region) != 0 ||
        strcmp(g->vpc_id, vpc_id) == 0)
        return false;
    const struct pcx *p;
    SCOPE_FOREACH(p, s, RES_PCX)
    {
        if (pcx_state_now(m, p) != PCX_ACTIVE || !involves(p, vpc_id) || !involves(p, g->vpc_id))
            continue;
        const struct pcx_side *other = other_side(p, vpc_id);
        if (strcmp(other->account, r->scope->account) == 0 &&
            strcmp(other->region, r->scope->region) == 0)
            return true;
    }
    return false;
}

bool pcx_vpc_blocks_delete(const struct model *m, const struct vpc *v)
{
    const struct pcx *p;
    SCOPE_FOREACH(p, v->hdr.scope, RES_PCX)
    {
        if (strcmp(p->acc.vpc_id, v->hdr.id) == 0 && pcx_state_now(m, p) == PCX_PENDING &&
            strcmp(p->req.account, p->acc.account) != 0)
            return true;
    }
    return false;
}

void pcx_vpc_deleted(struct model *m, const struct vpc *v)
{
    struct pcx *p;
    SCOPE_FOREACH(p, v->hdr.scope, RES_PCX)
    {
        if (involves(p, v->hdr.id) && state_live(pcx_state_now(m, p)))
            end_deleted(m, p, v->hdr.scope->account);
    }
}

int pcx_vpc_cidr_check(const struct model *m, const struct vpc *v, const struct prefix4 *cidr,
                       struct merr *err)
{
    const struct pcx *p;
    SCOPE_FOREACH(p, v->hdr.scope, RES_PCX)
    {
        if (!involves(p, v->hdr.id))
            continue;
        enum pcx_state st = pcx_state_now(m, p);
        if (st == PCX_PENDING && strcmp(p->req.vpc_id, v->hdr.id) == 0)
            return merr_set(err, "OperationNotPermitted",
                            "The VPC %s has a pending VPC peering connection request %s: no CIDR "
                            "block can be added to it until the request is accepted, rejected "
                            "or deleted.",
                            v->hdr.id, p->hdr.id);
        if (st != PCX_ACTIVE || !cidr)
            continue;
        struct prefix4 *c4;
        struct prefix6 *c6;
        size_t n4, n6;
        pcx_side_cidrs(m, other_side(p, v->hdr.id), &c4, &n4, &c6, &n6);
        int rc = 0;
        for (size_t i = 0; i < n4 && !rc; i++) {
            if (!prefix4_overlaps(&c4[i], cidr))
                continue;
            char a[PREFIX4_STRLEN], b[PREFIX4_STRLEN];
            prefix4_format(cidr, a);
            prefix4_format(&c4[i], b);
            rc = merr_set(err, "InvalidVpc.Range",
                          "The CIDR '%s' overlaps the CIDR '%s' of the VPC peered with %s "
                          "through %s.",
                          a, b, v->hdr.id, p->hdr.id);
        }
        free(c4);
        free(c6);
        if (rc)
            return rc;
    }
    return 0;
}

void pcx_vpc_cidrs_changed(struct model *m, const struct vpc *v)
{
    struct pcx *p;
    SCOPE_FOREACH(p, v->hdr.scope, RES_PCX)
    {
        if (strcmp(p->acc.vpc_id, v->hdr.id) != 0 || pcx_state_now(m, p) != PCX_PENDING)
            continue;
        const struct vpc *rv = side_vpc(m, &p->req);
        if (rv && vpcs_overlap(rv, v)) {
            /* An overlapping accepter block makes the request fail: it can no longer be
             * accepted. */
            p->state = PCX_FAILED;
            p->ended = model_now(m);
            res_touch(m, &p->hdr);
        }
    }
}

/* ---- class ---- */

static void pcx_destroy(struct res *r)
{
    struct pcx *p = (struct pcx *)r;
    free(p->req.cidrs);
    free(p->req.ipv6);
    free(p->acc.cidrs);
    free(p->acc.ipv6);
}

static json_t *side_encode(const struct pcx_side *side)
{
    json_t *c4 = json_array(), *c6 = json_array();
    for (size_t i = 0; i < side->n_cidrs; i++) {
        char buf[PREFIX4_STRLEN];
        prefix4_format(&side->cidrs[i], buf);
        json_array_append_new(c4, json_string(buf));
    }
    for (size_t i = 0; i < side->n_ipv6; i++) {
        char buf[PREFIX6_STRLEN];
        prefix6_format(&side->ipv6[i], buf);
        json_array_append_new(c6, json_string(buf));
    }
    return json_pack("{s:s,s:s,s:s,s:b,s:o,s:o}", "vpc", side->vpc_id, "account", side->account,
                     "region", side->region, "dns", side->allow_dns, "cidrs", c4, "ipv6", c6);
}

static int copy_field(char *dst, size_t size, json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    if (!v || strlen(v) >= size)
        return -EINVAL;
    snprintf(dst, size, "%s", v);
    return 0;
}

static const char *str_or_empty(const json_t *j)
{
    const char *v = json_string_value(j);
    return v ? v : "";
}

static int side_decode(struct pcx_side *side, json_t *o)
{
    if (!json_is_object(o) || copy_field(side->vpc_id, sizeof side->vpc_id, o, "vpc") ||
        copy_field(side->account, sizeof side->account, o, "account") ||
        copy_field(side->region, sizeof side->region, o, "region"))
        return -EINVAL;
    side->allow_dns = json_is_true(json_object_get(o, "dns"));
    json_t *c4 = json_object_get(o, "cidrs"), *c6 = json_object_get(o, "ipv6");
    size_t n4 = json_array_size(c4), n6 = json_array_size(c6);
    side->cidrs = n4 ? xmalloc(n4 * sizeof *side->cidrs) : NULL;
    side->ipv6 = n6 ? xmalloc(n6 * sizeof *side->ipv6) : NULL;
    for (size_t i = 0; i < n4; i++)
        if (prefix4_parse(str_or_empty(json_array_get(c4, i)), &side->cidrs[side->n_cidrs++]))
            return -EINVAL;
    for (size_t i = 0; i < n6; i++)
        if (prefix6_parse(str_or_empty(json_array_get(c6, i)), &side->ipv6[side->n_ipv6++]))
            return -EINVAL;
    return 0;
}

static json_t *pcx_encode(const struct res *r)
{
    const struct pcx *p = (const struct pcx *)r;
    return json_pack("{s:s,s:o,s:o,s:b,s:I,s:I,s:I,s:s}", "state", pcx_state_name(p->state), "req",
                     side_encode(&p->req), "acc", side_encode(&p->acc), "accepted", p->accepted,
                     "created", (json_int_t)p->created, "expires", (json_int_t)p->expires, "ended",
                     (json_int_t)p->ended, "ended_by", p->ended_by);
}

static int pcx_decode(struct res *r, json_t *b)
{
    struct pcx *p = (struct pcx *)r;
    if (state_parse(json_string_value(json_object_get(b, "state")), &p->state))
        return -EINVAL;
    if (side_decode(&p->req, json_object_get(b, "req")) ||
        side_decode(&p->acc, json_object_get(b, "acc")))
        return -EINVAL;
    p->accepted = json_is_true(json_object_get(b, "accepted"));
    p->created = (time_t)json_integer_value(json_object_get(b, "created"));
    p->expires = (time_t)json_integer_value(json_object_get(b, "expires"));
    p->ended = (time_t)json_integer_value(json_object_get(b, "ended"));
    const char *by = json_string_value(json_object_get(b, "ended_by"));
    snprintf(p->ended_by, sizeof p->ended_by, "%s", by ? by : "");
    return 0;
}

static void add_side_cidrs(const struct model *m, const struct pcx_side *side, struct fvals *out)
{
    struct prefix4 *c4;
    struct prefix6 *c6;
    size_t n4, n6;
    pcx_side_cidrs(m, side, &c4, &n4, &c6, &n6);
    for (size_t i = 0; i < n4; i++) {
        char buf[PREFIX4_STRLEN];
        prefix4_format(&c4[i], buf);
        fv_add(out, buf);
    }
    free(c4);
    free(c6);
}

void pcx_format_time(time_t t, char buf[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

static int pcx_filter(const struct model *m, const struct res *r, const char *name,
                      struct fvals *out)
{
    const struct pcx *p = (const struct pcx *)r;
    if (strcmp(name, "vpc-peering-connection-id") == 0) {
        fv_add(out, p->hdr.id);
    } else if (strcmp(name, "status-code") == 0) {
        fv_add(out, pcx_state_name(pcx_state_now(m, p)));
    } else if (strcmp(name, "status-message") == 0) {
        char buf[160];
        pcx_status_message(m, p, buf);
        fv_add(out, buf);
    } else if (strcmp(name, "expiration-time") == 0) {
        if (!p->accepted) {
            char buf[32];
            pcx_format_time(p->expires, buf);
            fv_add(out, buf);
        }
    } else if (strncmp(name, "requester-vpc-info.", 19) == 0 ||
               strncmp(name, "accepter-vpc-info.", 18) == 0) {
        bool req = name[0] == 'r';
        const struct pcx_side *side = req ? &p->req : &p->acc;
        const char *field = strchr(name, '.') + 1;
        if (strcmp(field, "vpc-id") == 0)
            fv_add(out, side->vpc_id);
        else if (strcmp(field, "owner-id") == 0)
            fv_add(out, side->account);
        else if (strcmp(field, "cidr-block") == 0) {
            if (req || p->accepted)
                add_side_cidrs(m, side, out);
        } else
            return -ENOENT;
    } else {
        return -ENOENT;
    }
    return 0;
}

const struct res_class pcx_class = {
    .name = "vpc peering connection",
    .id_prefix = "pcx",
    .size = sizeof(struct pcx),
    .not_found_code = "InvalidVpcPeeringConnectionID.NotFound",
    .malformed_code = "InvalidVpcPeeringConnectionId.Malformed",
    .tag_resource_type = "vpc-peering-connection",
    .destroy = pcx_destroy,
    .encode = pcx_encode,
    .decode = pcx_decode,
    .filter = pcx_filter,
};
