/* Transit gateway route tables: associations, propagations and static routes.
 *
 * Only static routes are stored. Propagated routes are computed on every read from the
 * propagating attachments' VPCs as they are now, so they follow propagation changes, VPC CIDR
 * changes and attachment states without any bookkeeping. The selection rules of reference
 * 10.3 sit in one place (tgw_rtb_routes): a static route hides a propagated one with the same
 * prefix, and among propagations of the same prefix the first enabled wins. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/glob.h"
#include "lib/xalloc.h"
#include "model/classes.h"
#include "model/resources.h"

#define TGW_RTBS_PER_TGW 20
#define TGW_STATIC_ROUTES_PER_TGW 10000

struct tgw_rtb *tgw_rtb_lookup(const struct model *m, const struct scope *s, const char *rtb_id,
                               struct merr *err)
{
    struct tgw_rtb *rt = (struct tgw_rtb *)res_lookup(m, s, RES_TGW_RTB, rtb_id, err);
    if (!rt && strcmp(err->code, "InvalidRouteTableID.NotFound") == 0)
        merr_set(err, "InvalidRouteTableID.NotFound",
                 "Transit Gateway Route Table %s was deleted or does not exist.", rtb_id);
    return rt;
}

bool tgw_rtb_is_default_assoc(const struct model *m, const struct tgw_rtb *rt)
{
    const struct tgw *t = tgw_by_id(m, rt->tgw_id);
    return t && strcmp(t->assoc_rtb, rt->hdr.id) == 0;
}

bool tgw_rtb_is_default_prop(const struct model *m, const struct tgw_rtb *rt)
{
    const struct tgw *t = tgw_by_id(m, rt->tgw_id);
    return t && strcmp(t->prop_rtb, rt->hdr.id) == 0;
}

bool tgw_rtb_propagates(const struct tgw_rtb *rt, const char *attach_id)
{
    for (size_t i = 0; i < rt->n_props; i++)
        if (strcmp(rt->props[i], attach_id) == 0)
            return true;
    return false;
}

struct tgw_rtb *tgw_rtb_new_default(struct model *m, struct scope *s, const struct tgw *t)
{
    struct tgw_rtb *rt = (struct tgw_rtb *)res_new(m, s, RES_TGW_RTB);
    snprintf(rt->tgw_id, sizeof rt->tgw_id, "%s", t->hdr.id);
    rt->created = model_now(m);
    return rt;
}

int tgw_rtb_create(struct model *m, struct scope *s, const char *tgw_id,
                   const struct tag_list *tags, struct tgw_rtb **out, struct merr *err)
{
    struct tgw *t = tgw_lookup(m, s, tgw_id, err);
    if (!t)
        return -1;
    if (t->hdr.scope != s)
        return merr_set(err, "OperationNotPermitted",
                        "Only the owner of transit gateway %s can create route tables.", tgw_id);
    size_t n = 0;
    const struct tgw_rtb *o;
    SCOPE_FOREACH(o, s, RES_TGW_RTB)
    n += strcmp(o->tgw_id, t->hdr.id) == 0;
    if (n >= TGW_RTBS_PER_TGW)
        return merr_set(err, "TransitGatewayRouteTableLimitExceeded",
                        "Transit gateway %s already has %d route tables.", tgw_id,
                        TGW_RTBS_PER_TGW);
    if (tags_validate(NULL, tags, err))
        return -1;
    struct tgw_rtb *rt = tgw_rtb_new_default(m, s, t);
    tags_copy(&rt->hdr.tags, tags);
    *out = rt;
    return 0;
}

int tgw_rtb_delete(struct model *m, struct scope *s, const char *rtb_id, struct merr *err)
{
    struct tgw_rtb *rt = tgw_rtb_lookup(m, s, rtb_id, err);
    if (!rt)
        return -1;
    if (tgw_rtb_is_default_assoc(m, rt) || tgw_rtb_is_default_prop(m, rt))
        return merr_set(err, "IncorrectState",
                        "%s is the default route table of transit gateway %s and cannot be "
                        "deleted.",
                        rt->hdr.id, rt->tgw_id);
    const struct tgw_attach *a;
    SCOPE_FOREACH(a, s, RES_TGW_ATTACH)
    {
        if (strcmp(a->assoc_rtb, rt->hdr.id) == 0)
            return merr_set(err, "IncorrectState",
                            "%s has associated Transit Gateway Attachments: %s.", rt->hdr.id,
                            a->hdr.id);
    }
    res_delete(m, &rt->hdr);
    return 0;
}

/* The attachment `attach_id` of rt's TGW as the table's owner sees it. */
static struct tgw_attach *rtb_attachment(const struct model *m, const struct scope *s,
                                         const struct tgw_rtb *rt, const char *attach_id,
                                         struct merr *err)
{
    struct tgw_attach *a = tgw_attach_lookup(m, s, attach_id, -1, err);
    if (!a)
        return NULL;
    if (strcmp(a->tgw_id, rt->tgw_id) != 0 || !tgw_attach_live(a)) {
        merr_set(err, "InvalidTransitGatewayAttachmentID.NotFound",
                 "Transit Gateway Attachment %s was deleted or does not exist.", attach_id);
        return NULL;
    }
    return a;
}

static bool attach_usable(const struct tgw_attach *a)
{
    return strcmp(a->state, "available") == 0 || strcmp(a->state, "modifying") == 0;
}

int tgw_rtb_associate(struct model *m, struct scope *s, const char *rtb_id,
                      const char *attach_id, bool associate, struct tgw_attach **att_out,
                      struct merr *err)
{
    struct tgw_rtb *rt = tgw_rtb_lookup(m, s, rtb_id, err);
    if (!rt)
        return -1;
    struct tgw_attach *a = rtb_attachment(m, s, rt, attach_id, err);
    if (!a)
        return -1;
    if (associate) {
        if (a->assoc_rtb[0])
            return merr_set(err, "Resource.AlreadyAssociated",
                            "Transit Gateway Attachment %s is already associated to a route "
                            "table.",
                            a->hdr.id);
        if (!attach_usable(a))
            return merr_set(err, "IncorrectState", "%s is in invalid state %s.", a->hdr.id,
                            a->state);
        snprintf(a->assoc_rtb, sizeof a->assoc_rtb, "%s", rt->hdr.id);
    } else {
        if (strcmp(a->assoc_rtb, rt->hdr.id) != 0)
            return merr_set(err, "InvalidAssociation.NotFound",
                            "Transit Gateway Attachment %s is not associated with %s.",
                            a->hdr.id, rt->hdr.id);
        a->assoc_rtb[0] = '\0';
    }
    res_touch(m, &a->hdr);
    *att_out = a;
    return 0;
}

int tgw_rtb_propagation(struct model *m, struct scope *s, const char *rtb_id,
                        const char *attach_id, bool enable, struct tgw_attach **att_out,
                        struct merr *err)
{
    struct tgw_rtb *rt = tgw_rtb_lookup(m, s, rtb_id, err);
    if (!rt)
        return -1;
    struct tgw_attach *a = rtb_attachment(m, s, rt, attach_id, err);
    if (!a)
        return -1;
    bool on = tgw_rtb_propagates(rt, a->hdr.id);
    if (enable) {
        if (a->kind == TGW_ATTACH_PEERING)
            return merr_set(err, "InvalidParameterValue",
                            "Route propagation is not supported for Transit Gateway Peering "
                            "Attachment %s; add static routes instead.",
                            a->hdr.id);
        if (on)
            return merr_set(err, "TransitGatewayRouteTablePropagation.Duplicate",
                            "Propagation of %s to %s is already enabled.", a->hdr.id,
                            rt->hdr.id);
        if (!attach_usable(a))
            return merr_set(err, "IncorrectState", "%s is in invalid state %s.", a->hdr.id,
                            a->state);
        rt->props = xgrow(rt->props, &rt->cap_props, rt->n_props, sizeof *rt->props);
        snprintf(rt->props[rt->n_props++], ID_MAX, "%s", a->hdr.id);
    } else {
        if (!on)
            return merr_set(err, "TransitGatewayRouteTablePropagation.NotFound",
                            "Propagation of %s to %s is not enabled.", a->hdr.id, rt->hdr.id);
        for (size_t i = 0; i < rt->n_props; i++) {
            if (strcmp(rt->props[i], a->hdr.id) == 0) {
                memmove(&rt->props[i], &rt->props[i + 1], (rt->n_props - i - 1) * ID_MAX);
                rt->n_props--;
                break;
            }
        }
    }
    res_touch(m, &rt->hdr);
    *att_out = a;
    return 0;
}

void tgw_rtb_forget_attachment(struct model *m, struct scope *tgw_scope, const char *attach_id)
{
    struct tgw_rtb *rt;
    SCOPE_FOREACH(rt, tgw_scope, RES_TGW_RTB)
    {
        for (size_t i = 0; i < rt->n_props; i++) {
            if (strcmp(rt->props[i], attach_id) == 0) {
                memmove(&rt->props[i], &rt->props[i + 1], (rt->n_props - i - 1) * ID_MAX);
                rt->n_props--;
                res_touch(m, &rt->hdr);
                break;
            }
        }
    }
}

/* ---- routes ---- */

static int parse_cidr(const char *text, struct tgw_route *r)
{
    memset(r, 0, sizeof *r);
    if (prefix4_parse(text, &r->dst4) == 0) {
        r->family = 4;
        return 0;
    }
    if (prefix6_parse(text, &r->dst6) == 0) {
        r->family = 6;
        return 0;
    }
    return -1;
}

static bool same_dest(const struct tgw_route *a, const struct tgw_route *b)
{
    if (a->family != b->family)
        return false;
    return a->family == 4 ? prefix4_equal(&a->dst4, &b->dst4) : prefix6_equal(&a->dst6, &b->dst6);
}

/* outer contains inner (same family; equal counts) */
static bool dest_contains(const struct tgw_route *outer, const struct tgw_route *inner)
{
    if (outer->family != inner->family)
        return false;
    return outer->family == 4 ? prefix4_contains(&outer->dst4, &inner->dst4)
                              : prefix6_contains(&outer->dst6, &inner->dst6);
}

static int dest_len(const struct tgw_route *r)
{
    return r->family == 4 ? r->dst4.len : r->dst6.len;
}

static int cmp_view(const void *pa, const void *pb)
{
    const struct tgw_route *a = &((const struct tgw_route_view *)pa)->r;
    const struct tgw_route *b = &((const struct tgw_route_view *)pb)->r;
    if (a->family != b->family)
        return a->family - b->family;
    if (a->family == 4) {
        if (a->dst4.addr != b->dst4.addr)
            return a->dst4.addr < b->dst4.addr ? -1 : 1;
        return (int)a->dst4.len - (int)b->dst4.len;
    }
    int c = memcmp(a->dst6.addr, b->dst6.addr, 16);
    return c ? c : (int)a->dst6.len - (int)b->dst6.len;
}

static const char *static_state(const struct model *m, const struct tgw_route *r)
{
    if (r->blackhole)
        return "blackhole";
    struct res *x = res_find_any(m, r->attach_id);
    if (!x || x->type != RES_TGW_ATTACH)
        return "blackhole";
    return attach_usable((const struct tgw_attach *)x) ? "active" : "blackhole";
}

static struct tgw_route_view *view_add(struct tgw_route_view **v, size_t *n, size_t *cap)
{
    *v = xgrow(*v, cap, *n, sizeof **v);
    struct tgw_route_view *x = &(*v)[(*n)++];
    memset(x, 0, sizeof *x);
    return x;
}

size_t tgw_rtb_routes(const struct model *m, const struct tgw_rtb *rt,
                      struct tgw_route_view **out)
{
    struct tgw_route_view *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < rt->n_routes; i++) {
        struct tgw_route_view *x = view_add(&v, &n, &cap);
        x->r = rt->routes[i];
        x->state = static_state(m, &rt->routes[i]);
    }
    size_t n_static = n;
    for (size_t p = 0; p < rt->n_props; p++) {
        struct res *x = res_find_any(m, rt->props[p]);
        if (!x || x->type != RES_TGW_ATTACH)
            continue;
        const struct tgw_attach *a = (const struct tgw_attach *)x;
        if (a->kind != TGW_ATTACH_VPC || !attach_usable(a))
            continue;
        const struct vpc *vpc = vpc_find(m, a->hdr.scope, a->vpc_id);
        if (!vpc)
            continue;
        size_t n_cands = vpc->n_cidrs + (a->ipv6_support ? vpc->n_ipv6 : 0);
        for (size_t c = 0; c < n_cands; c++) {
            struct tgw_route r = {0};
            if (c < vpc->n_cidrs) {
                r.family = 4;
                r.dst4 = vpc->cidrs[c].cidr;
            } else {
                r.family = 6;
                r.dst6 = vpc->ipv6[c - vpc->n_cidrs].cidr;
            }
            snprintf(r.attach_id, sizeof r.attach_id, "%s", a->hdr.id);
            bool hidden = false;
            for (size_t k = 0; k < n && !hidden; k++)
                hidden = same_dest(&v[k].r, &r); /* static wins; first propagation wins */
            if (hidden)
                continue;
            struct tgw_route_view *y = view_add(&v, &n, &cap);
            y->r = r;
            y->propagated = true;
            y->state = "active";
        }
    }
    (void)n_static;
    if (n)
        qsort(v, n, sizeof *v, cmp_view);
    *out = v;
    return n;
}

static size_t static_count(const struct model *m, const struct scope *s, const char *tgw_id)
{
    (void)m;
    size_t n = 0;
    const struct tgw_rtb *rt;
    SCOPE_FOREACH(rt, s, RES_TGW_RTB)
    if (strcmp(rt->tgw_id, tgw_id) == 0)
        n += rt->n_routes;
    return n;
}

int tgw_route_put(struct model *m, struct scope *s, const char *rtb_id, const char *cidr,
                  const char *attach_id, bool blackhole, bool replace,
                  struct tgw_route_view *out, struct merr *err)
{
    struct tgw_rtb *rt = tgw_rtb_lookup(m, s, rtb_id, err);
    if (!rt)
        return -1;
    struct tgw_route r;
    if (parse_cidr(cidr, &r))
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter destinationCidrBlock is invalid. This is not a "
                        "valid CIDR block.",
                        cidr);
    if (attach_id && *attach_id && blackhole)
        return merr_set(err, "InvalidParameterCombination",
                        "The parameters TransitGatewayAttachmentId and Blackhole cannot be used "
                        "together.");
    if ((!attach_id || !*attach_id) && !blackhole)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter TransitGatewayAttachmentId or "
                        "Blackhole.");
    if (!blackhole) {
        if (!rtb_attachment(m, s, rt, attach_id, err))
            return -1;
        snprintf(r.attach_id, sizeof r.attach_id, "%s", attach_id);
    }
    r.blackhole = blackhole;
    size_t idx = rt->n_routes;
    for (size_t i = 0; i < rt->n_routes; i++)
        if (same_dest(&rt->routes[i], &r))
            idx = i;
    char text[PREFIX6_STRLEN];
    if (r.family == 4)
        prefix4_format(&r.dst4, text);
    else
        prefix6_format(&r.dst6, text);
    if (!replace && idx < rt->n_routes)
        return merr_set(err, "RouteAlreadyExists",
                        "Route %s already exists in Transit Gateway Route Table %s.", text,
                        rt->hdr.id);
    if (replace && idx == rt->n_routes) {
        /* A propagated route may be replaced too: it becomes static. */
        struct tgw_route_view *v;
        size_t n = tgw_rtb_routes(m, rt, &v);
        bool found = false;
        for (size_t i = 0; i < n; i++)
            found |= same_dest(&v[i].r, &r);
        free(v);
        if (!found)
            return merr_set(err, "InvalidRoute.NotFound",
                            "No route with destination-cidr-block %s in Transit Gateway Route "
                            "Table %s.",
                            text, rt->hdr.id);
    }
    if (idx == rt->n_routes &&
        static_count(m, rt->hdr.scope, rt->tgw_id) >= TGW_STATIC_ROUTES_PER_TGW)
        return merr_set(err, "RouteLimitExceeded",
                        "Transit gateway %s already has %d static routes.", rt->tgw_id,
                        TGW_STATIC_ROUTES_PER_TGW);
    if (idx == rt->n_routes) {
        rt->routes = xgrow(rt->routes, &rt->cap_routes, rt->n_routes, sizeof *rt->routes);
        rt->n_routes++;
    }
    rt->routes[idx] = r;
    res_touch(m, &rt->hdr);
    out->r = r;
    out->propagated = false;
    out->state = static_state(m, &r);
    return 0;
}

int tgw_route_delete(struct model *m, struct scope *s, const char *rtb_id, const char *cidr,
                     struct tgw_route_view *out, struct merr *err)
{
    struct tgw_rtb *rt = tgw_rtb_lookup(m, s, rtb_id, err);
    if (!rt)
        return -1;
    struct tgw_route r;
    if (parse_cidr(cidr, &r))
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter destinationCidrBlock is invalid. This is not a "
                        "valid CIDR block.",
                        cidr);
    for (size_t i = 0; i < rt->n_routes; i++) {
        if (!same_dest(&rt->routes[i], &r))
            continue;
        out->r = rt->routes[i];
        out->propagated = false;
        out->state = "deleted";
        memmove(&rt->routes[i], &rt->routes[i + 1], (rt->n_routes - i - 1) * sizeof r);
        rt->n_routes--;
        res_touch(m, &rt->hdr);
        return 0;
    }
    char text[PREFIX6_STRLEN];
    if (r.family == 4)
        prefix4_format(&r.dst4, text);
    else
        prefix6_format(&r.dst6, text);
    return merr_set(err, "InvalidRoute.NotFound",
                    "No route with destination-cidr-block %s in Transit Gateway Route Table %s.",
                    text, rt->hdr.id);
}

/* ---- SearchTransitGatewayRoutes ---- */

enum search_kind { SK_EXACT, SK_LPM, SK_SUBNET, SK_SUPERNET, SK_OTHER };

static enum search_kind search_kind(const char *name)
{
    if (strcmp(name, "route-search.exact-match") == 0)
        return SK_EXACT;
    if (strcmp(name, "route-search.longest-prefix-match") == 0)
        return SK_LPM;
    if (strcmp(name, "route-search.subnet-of-match") == 0)
        return SK_SUBNET;
    if (strcmp(name, "route-search.supernet-of-match") == 0)
        return SK_SUPERNET;
    return SK_OTHER;
}

static bool any_glob(const struct filter *f, const char *value)
{
    if (!value)
        return false;
    for (size_t i = 0; i < f->n_values; i++)
        if (glob_match(f->values[i], value))
            return true;
    return false;
}

/* Non-prefix filters and the three set-free prefix relations. */
static bool view_matches(const struct model *m, const struct tgw_route_view *v,
                         const struct filter *f, const struct tgw_route *vals)
{
    enum search_kind k = search_kind(f->name);
    if (k != SK_OTHER) {
        for (size_t i = 0; i < f->n_values; i++) {
            const struct tgw_route *q = &vals[i];
            if ((k == SK_EXACT && same_dest(&v->r, q)) ||
                (k == SK_SUBNET && dest_contains(q, &v->r)) ||
                (k == SK_SUPERNET && dest_contains(&v->r, q)) ||
                (k == SK_LPM && dest_contains(&v->r, q)))
                return true;
        }
        return false;
    }
    if (strcmp(f->name, "type") == 0)
        return any_glob(f, v->propagated ? "propagated" : "static");
    if (strcmp(f->name, "state") == 0)
        return any_glob(f, v->state);
    if (strcmp(f->name, "prefix-list-id") == 0)
        return false; /* vpcd has no prefix-list references in TGW tables */
    if (v->r.blackhole)
        return false; /* the attachment.* filters need an attachment */
    struct res *x = res_find_any(m, v->r.attach_id);
    const struct tgw_attach *a =
        x && x->type == RES_TGW_ATTACH ? (const struct tgw_attach *)x : NULL;
    if (strcmp(f->name, "attachment.transit-gateway-attachment-id") == 0)
        return any_glob(f, v->r.attach_id);
    if (strcmp(f->name, "attachment.resource-id") == 0)
        return a && any_glob(f, tgw_attach_resource_id(a));
    if (strcmp(f->name, "attachment.resource-type") == 0)
        return a && any_glob(f, tgw_attach_resource_type(a));
    return false;
}

static bool filter_known(const char *name)
{
    static const char *const names[] = {
        "attachment.transit-gateway-attachment-id", "attachment.resource-id",
        "attachment.resource-type", "prefix-list-id", "type", "state", NULL};
    if (search_kind(name) != SK_OTHER)
        return true;
    for (size_t i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

int tgw_routes_search(const struct model *m, const struct tgw_rtb *rt, const struct filter *f,
                      size_t n_filters, long max_results, struct tgw_route_view **out,
                      size_t *n_out, bool *more, struct merr *err)
{
    *out = NULL;
    *n_out = 0;
    *more = false;
    if (n_filters == 0)
        return merr_set(err, "MissingParameter", "The request must contain the parameter Filters");
    if (max_results == 0)
        max_results = 1000;
    if (max_results < 5 || max_results > 1000)
        return merr_set(err, "InvalidParameterValue",
                        "Value ( %ld ) for parameter maxResults is invalid. Expecting a value "
                        "between 5 and 1000.",
                        max_results);
    /* Parse every prefix value up front: one array per filter. */
    struct tgw_route **vals = xcalloc(n_filters, sizeof *vals);
    int rc = 0;
    for (size_t i = 0; i < n_filters && rc == 0; i++) {
        if (!filter_known(f[i].name)) {
            rc = merr_set(err, "InvalidParameterValue", "The filter '%s' is invalid", f[i].name);
            break;
        }
        if (search_kind(f[i].name) == SK_OTHER)
            continue;
        vals[i] = xcalloc(f[i].n_values + 1, sizeof **vals);
        for (size_t k = 0; k < f[i].n_values && rc == 0; k++)
            if (parse_cidr(f[i].values[k], &vals[i][k]))
                rc = merr_set(err, "InvalidParameterValue",
                              "The value '%s' for filter %s is not a valid CIDR block.",
                              f[i].values[k], f[i].name);
    }
    struct tgw_route_view *v = NULL;
    size_t n = 0;
    if (rc == 0)
        n = tgw_rtb_routes(m, rt, &v);
    /* Pass 1: every filter, longest-prefix-match reading as "contains". */
    bool *keep = xcalloc(n + 1, sizeof *keep);
    for (size_t r = 0; r < n; r++) {
        keep[r] = true;
        for (size_t i = 0; i < n_filters && keep[r]; i++)
            keep[r] = view_matches(m, &v[r], &f[i], vals[i]);
    }
    /* Pass 2: longest-prefix-match keeps, for each value, only the most specific survivor. */
    for (size_t i = 0; i < n_filters && rc == 0; i++) {
        if (search_kind(f[i].name) != SK_LPM)
            continue;
        bool *best = xcalloc(n + 1, sizeof *best);
        for (size_t k = 0; k < f[i].n_values; k++) {
            long pick = -1;
            for (size_t r = 0; r < n; r++)
                if (keep[r] && dest_contains(&v[r].r, &vals[i][k]) &&
                    (pick < 0 || dest_len(&v[r].r) > dest_len(&v[pick].r)))
                    pick = (long)r;
            if (pick >= 0)
                best[pick] = true;
        }
        for (size_t r = 0; r < n; r++)
            keep[r] = keep[r] && best[r];
        free(best);
    }
    size_t w = 0;
    for (size_t r = 0; r < n; r++) {
        if (!keep[r])
            continue;
        if ((long)w == max_results) {
            *more = true;
            break;
        }
        v[w++] = v[r];
    }
    free(keep);
    for (size_t i = 0; i < n_filters; i++)
        free(vals[i]);
    free(vals);
    if (rc) {
        free(v);
        return -1;
    }
    *out = v;
    *n_out = w;
    return 0;
}

/* ---- class ---- */

static void rtb_destroy(struct res *r)
{
    struct tgw_rtb *rt = (struct tgw_rtb *)r;
    free(rt->routes);
    free(rt->props);
}

static json_t *rtb_encode(const struct res *r)
{
    const struct tgw_rtb *rt = (const struct tgw_rtb *)r;
    json_t *routes = json_array(), *props = json_array();
    for (size_t i = 0; i < rt->n_routes; i++) {
        const struct tgw_route *ro = &rt->routes[i];
        char text[PREFIX6_STRLEN];
        if (ro->family == 4)
            prefix4_format(&ro->dst4, text);
        else
            prefix6_format(&ro->dst6, text);
        json_array_append_new(routes, json_pack("{s:s,s:b,s:s}", "dst", text, "blackhole",
                                                ro->blackhole, "attach", ro->attach_id));
    }
    for (size_t i = 0; i < rt->n_props; i++)
        json_array_append_new(props, json_string(rt->props[i]));
    return json_pack("{s:s,s:I,s:o,s:o}", "tgw", rt->tgw_id, "created", (json_int_t)rt->created,
                     "routes", routes, "props", props);
}

static int rtb_decode(struct res *r, json_t *b)
{
    struct tgw_rtb *rt = (struct tgw_rtb *)r;
    const char *tgw = json_string_value(json_object_get(b, "tgw"));
    if (!tgw)
        return -EINVAL;
    snprintf(rt->tgw_id, sizeof rt->tgw_id, "%s", tgw);
    rt->created = (time_t)json_integer_value(json_object_get(b, "created"));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(b, "routes"), i, it)
    {
        struct tgw_route ro;
        const char *dst = json_string_value(json_object_get(it, "dst"));
        const char *att = json_string_value(json_object_get(it, "attach"));
        if (!dst || parse_cidr(dst, &ro))
            return -EINVAL;
        ro.blackhole = json_is_true(json_object_get(it, "blackhole"));
        snprintf(ro.attach_id, sizeof ro.attach_id, "%s", att ? att : "");
        rt->routes = xgrow(rt->routes, &rt->cap_routes, rt->n_routes, sizeof *rt->routes);
        rt->routes[rt->n_routes++] = ro;
    }
    json_array_foreach(json_object_get(b, "props"), i, it)
    {
        const char *id = json_string_value(it);
        if (!id)
            return -EINVAL;
        rt->props = xgrow(rt->props, &rt->cap_props, rt->n_props, sizeof *rt->props);
        snprintf(rt->props[rt->n_props++], ID_MAX, "%s", id);
    }
    return 0;
}

static int rtb_filter(const struct model *m, const struct res *r, const char *name,
                      struct fvals *out)
{
    const struct tgw_rtb *rt = (const struct tgw_rtb *)r;
    if (strcmp(name, "transit-gateway-route-table-id") == 0)
        fv_add(out, rt->hdr.id);
    else if (strcmp(name, "transit-gateway-id") == 0)
        fv_add(out, rt->tgw_id);
    else if (strcmp(name, "state") == 0)
        fv_add(out, "available");
    else if (strcmp(name, "default-association-route-table") == 0)
        fv_bool(out, tgw_rtb_is_default_assoc(m, rt));
    else if (strcmp(name, "default-propagation-route-table") == 0)
        fv_bool(out, tgw_rtb_is_default_prop(m, rt));
    else
        return -ENOENT;
    return 0;
}

const struct res_class tgw_rtb_class = {
    .name = "transit gateway route table",
    .id_prefix = "tgw-rtb",
    .size = sizeof(struct tgw_rtb),
    .not_found_code = "InvalidRouteTableID.NotFound",
    .malformed_code = "InvalidRouteTableId.Malformed",
    .tag_resource_type = "transit-gateway-route-table",
    .destroy = rtb_destroy,
    .encode = rtb_encode,
    .split = {"routes"},
    .decode = rtb_decode,
    .filter = rtb_filter,
};
