#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fib/fib.h"
#include "lib/xalloc.h"

static int source_rank(enum fib_route_source s)
{
    switch (s) {
    case FIB_SRC_LOCAL:
        return 0;
    case FIB_SRC_STATIC:
        return 1;
    case FIB_SRC_PREFIX_LIST:
        return 2;
    case FIB_SRC_PROPAGATED:
        return 3;
    }
    return 4;
}

bool fib_route_outranks(const struct fib_route *a, const struct fib_route *b)
{
    if (a->len != b->len)
        return a->len > b->len;
    return source_rank(a->source) < source_rank(b->source);
}

static enum fib_route_source route_source(const struct route *r)
{
    if (strcmp(r->origin, "CreateRouteTable") == 0)
        return FIB_SRC_LOCAL;
    if (strcmp(r->origin, "EnableVgwRoutePropagation") == 0)
        return FIB_SRC_PROPAGATED;
    return r->family ? FIB_SRC_STATIC : FIB_SRC_PREFIX_LIST;
}

static struct fib_route *route_add(struct fib_rtb *t, size_t *cap)
{
    t->routes = xgrow(t->routes, cap, t->n_routes, sizeof *t->routes);
    struct fib_route *fr = &t->routes[t->n_routes++];
    memset(fr, 0, sizeof *fr);
    return fr;
}

/* Puts the route at index i into its family's LPM unless an equal prefix outranks it. */
static void route_install(struct fib_rtb *t, size_t i)
{
    const struct fib_route *fr = &t->routes[i];
    struct lpm *lpm = fr->family == 4 ? t->lpm4 : t->lpm6;
    uint32_t held;
    if (lpm_get(lpm, fr->dst, fr->len, &held) && !fib_route_outranks(fr, &t->routes[held]))
        return;
    lpm_insert(lpm, fr->dst, fr->len, (uint32_t)i);
}

static void fill_common(struct fib_route *fr, const struct model *m, const struct route_table *rt,
                        const struct route *r)
{
    fr->source = route_source(r);
    fr->kind = r->kind;
    fr->blackhole = strcmp(rtb_route_state(m, rt, r), "blackhole") == 0;
    snprintf(fr->target, sizeof fr->target, "%.*s", (int)sizeof fr->target - 1, r->target);
}

int fib_rtb_compile(const struct model *m, const struct route_table *rt, struct fib_rtb *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", rt->hdr.id);
    snprintf(out->vpc_id, sizeof out->vpc_id, "%s", rt->vpc_id);
    out->lpm4 = lpm_new(4);
    out->lpm6 = lpm_new(6);
    size_t cap = 0;
    for (size_t i = 0; i < rt->n_routes; i++) {
        const struct route *r = &rt->routes[i];
        if (r->family == 4 || r->family == 6) {
            struct fib_route *fr = route_add(out, &cap);
            fill_common(fr, m, rt, r);
            fr->family = r->family;
            if (r->family == 4) {
                uint32_t be = htonl(r->dst4.addr);
                memcpy(fr->dst, &be, 4);
                fr->len = r->dst4.len;
                prefix4_format(&r->dst4, fr->dst_text);
            } else {
                memcpy(fr->dst, r->dst6.addr, 16);
                fr->len = r->dst6.len;
                prefix6_format(&r->dst6, fr->dst_text);
            }
            continue;
        }
        /* A prefix-list route stands for each entry of the list's current version. */
        const struct prefix_list *pl = pl_find(m, rt->hdr.scope, r->dst_pl);
        for (size_t e = 0; pl && e < pl->n_entries; e++) {
            struct prefix4 p4;
            struct prefix6 p6;
            struct fib_route *fr = route_add(out, &cap);
            fill_common(fr, m, rt, r);
            snprintf(fr->pl_id, sizeof fr->pl_id, "%s", pl->hdr.id);
            snprintf(fr->dst_text, sizeof fr->dst_text, "%s", pl->entries[e].cidr);
            if (prefix4_parse(pl->entries[e].cidr, &p4) == 0) {
                uint32_t be = htonl(p4.addr);
                fr->family = 4;
                memcpy(fr->dst, &be, 4);
                fr->len = p4.len;
            } else if (prefix6_parse(pl->entries[e].cidr, &p6) == 0) {
                fr->family = 6;
                memcpy(fr->dst, p6.addr, 16);
                fr->len = p6.len;
            } else {
                out->n_routes--; /* the list only holds valid CIDRs; be safe anyway */
            }
        }
    }
    for (size_t i = 0; i < out->n_routes; i++)
        route_install(out, i);
    return 0;
}

void fib_rtb_destroy(struct fib_rtb *t)
{
    if (!t)
        return;
    lpm_free(t->lpm4);
    lpm_free(t->lpm6);
    free(t->routes);
    memset(t, 0, sizeof *t);
}

const struct fib_route *fib_rtb_lookup(const struct fib_rtb *t, int family, const uint8_t *addr)
{
    uint32_t i;
    if (!lpm_lookup(family == 4 ? t->lpm4 : t->lpm6, addr, &i, NULL))
        return NULL;
    return &t->routes[i];
}
