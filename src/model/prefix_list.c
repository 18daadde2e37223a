/* Customer-managed prefix lists: named sets of CIDRs that security-group rules and routes
 * refer to by id. Every change of the entries makes a new version; the entries of older
 * versions stay readable (GetManagedPrefixListEntries TargetVersion, restore) because each
 * entry records the versions it lived in, which costs one record per change instead of a
 * copy of the list per version. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/xalloc.h"
#include "model/classes.h"
#include "model/resources.h"

/* AWS takes at most this many entries to add or remove in one request. */
#define PL_ENTRIES_PER_REQUEST 100

struct prefix_list *pl_find(const struct model *m, const struct scope *s, const char *id)
{
    return (struct prefix_list *)res_find(m, s, RES_PL, id);
}

unsigned pl_oldest_version(const struct prefix_list *pl)
{
    return pl->version > PL_MAX_VERSIONS ? pl->version - PL_MAX_VERSIONS + 1 : 1;
}

static bool hist_alive_at(const struct pl_hist_entry *h, unsigned v)
{
    return h->from <= v && (h->to == 0 || h->to > v);
}

/* Rebuilds the current entries from the history, dropping what no retained version holds. */
static void pl_sync(struct prefix_list *pl)
{
    unsigned oldest = pl_oldest_version(pl);
    size_t k = 0;
    for (size_t i = 0; i < pl->n_hist; i++)
        if (pl->hist[i].to == 0 || pl->hist[i].to > oldest)
            pl->hist[k++] = pl->hist[i];
    pl->n_hist = k;
    pl->n_entries = 0;
    for (size_t i = 0; i < pl->n_hist; i++) {
        if (pl->hist[i].to != 0)
            continue;
        pl->entries = xgrow(pl->entries, &pl->cap_entries, pl->n_entries, sizeof *pl->entries);
        pl->entries[pl->n_entries++] = pl->hist[i].e;
    }
}

static void hist_add(struct prefix_list *pl, const struct pl_entry *e, unsigned from)
{
    pl->hist = xgrow(pl->hist, &pl->cap_hist, pl->n_hist, sizeof *pl->hist);
    struct pl_hist_entry *h = &pl->hist[pl->n_hist++];
    memset(h, 0, sizeof *h);
    h->e = *e;
    h->from = from;
}

/* The current record of cidr, or NULL. */
static struct pl_hist_entry *hist_current(struct prefix_list *pl, const char *cidr)
{
    for (size_t i = 0; i < pl->n_hist; i++)
        if (pl->hist[i].to == 0 && strcmp(pl->hist[i].e.cidr, cidr) == 0)
            return &pl->hist[i];
    return NULL;
}

int pl_entries_at(const struct prefix_list *pl, long version, struct pl_entry **out, size_t *n,
                  struct merr *err)
{
    *out = NULL;
    *n = 0;
    if (version < (long)pl_oldest_version(pl) || version > (long)pl->version)
        return merr_set(err, "InvalidParameterValue",
                        "The specified value for version (%ld) is not valid. Valid versions of "
                        "prefix list %s are %u to %u.",
                        version, pl->hdr.id, pl_oldest_version(pl), pl->version);
    size_t cap = 0;
    for (size_t i = 0; i < pl->n_hist; i++) {
        if (!hist_alive_at(&pl->hist[i], (unsigned)version))
            continue;
        *out = xgrow(*out, &cap, *n, sizeof **out);
        (*out)[(*n)++] = pl->hist[i].e;
    }
    return 0;
}

static int check_name(const char *name, struct merr *err)
{
    if (!name || !*name)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter PrefixListName");
    if (strlen(name) > 255)
        return merr_set(err, "InvalidParameterValue",
                        "The prefix list name must be at most 255 characters long.");
    if (strncmp(name, "com.amazonaws", 13) == 0)
        return merr_set(err, "InvalidParameterValue",
                        "The prefix list name cannot start with com.amazonaws.");
    return 0;
}

static int check_max_entries(long max, struct merr *err)
{
    if (max < 1 || max > PL_MAX_ENTRIES)
        return merr_set(err, "InvalidParameterValue", "Must specify a max size between 1 and %d",
                        PL_MAX_ENTRIES);
    return 0;
}

/* Parses text as a CIDR of the list's family into its canonical form. */
static int canon_cidr(const char *family, const char *text, char out[PREFIX6_STRLEN],
                      struct merr *err)
{
    struct prefix4 p4;
    struct prefix6 p6;
    bool v6 = strcmp(family, "IPv6") == 0;
    if (!text || !*text)
        return merr_set(err, "MissingParameter", "Each prefix list entry must specify a Cidr.");
    if (!v6 && prefix4_parse(text, &p4) == 0) {
        prefix4_format(&p4, out);
        return 0;
    }
    if (v6 && prefix6_parse(text, &p6) == 0) {
        prefix6_format(&p6, out);
        return 0;
    }
    if (v6 ? prefix4_parse(text, &p4) == 0 : prefix6_parse(text, &p6) == 0)
        return merr_set(err, "InvalidParameterValue",
                        "The CIDR '%s' does not match the address family %s of the prefix list.",
                        text, family);
    return merr_set(err, "InvalidParameterValue", "The CIDR '%s' is not a valid %s CIDR block.",
                    text, family);
}

static bool cidr_in(const struct pl_entry *list, size_t n, const char *cidr)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].cidr, cidr) == 0)
            return true;
    return false;
}

static int check_request_size(size_t n, struct merr *err)
{
    if (n > PL_ENTRIES_PER_REQUEST)
        return merr_set(err, "InvalidParameterValue",
                        "The number of entries per request cannot exceeds limit (%d).",
                        PL_ENTRIES_PER_REQUEST);
    return 0;
}

/* Canonicalises entries into a new array (caller frees), refusing duplicates. */
static int canon_entries(const char *family, const struct pl_entry *in, size_t n,
                         struct pl_entry **out, struct merr *err)
{
    struct pl_entry *c = xcalloc(n ? n : 1, sizeof *c);
    for (size_t i = 0; i < n; i++) {
        if (canon_cidr(family, in[i].cidr, c[i].cidr, err))
            goto fail;
        if (cidr_in(c, i, c[i].cidr)) {
            merr_set(err, "InvalidParameterValue",
                     "The request contains the CIDR %s more than once.", c[i].cidr);
            goto fail;
        }
        snprintf(c[i].description, sizeof c[i].description, "%s", in[i].description);
    }
    *out = c;
    return 0;
fail:
    free(c);
    return -1;
}

/* A security-group rule that references a list weighs the list's max entries (section 5.3), so
 * growing a list must keep every referencing group within its rule quota. */
static int check_resize_fits(const struct model *m, const struct scope *s,
                             const struct prefix_list *pl, unsigned new_max, struct merr *err)
{
    const struct security_group *g;
    SCOPE_FOREACH(g, s, RES_SG)
    {
        bool uses = false;
        for (size_t i = 0; i < g->n_rules && !uses; i++)
            uses = g->rules[i].peer_kind == SG_PEER_PL && strcmp(g->rules[i].peer, pl->hdr.id) == 0;
        if (!uses)
            continue;
        unsigned n[2][2] = {{0, 0}, {0, 0}}; /* [egress][ipv6] */
        for (size_t i = 0; i < g->n_rules; i++) {
            const struct sg_rule *r = &g->rules[i];
            unsigned *d = n[r->egress ? 1 : 0];
            if (r->peer_kind == SG_PEER_CIDR4) {
                d[0]++;
            } else if (r->peer_kind == SG_PEER_CIDR6) {
                d[1]++;
            } else if (r->peer_kind == SG_PEER_GROUP) {
                d[0]++;
                d[1]++;
            } else {
                const struct prefix_list *p =
                    strcmp(r->peer, pl->hdr.id) == 0 ? pl : pl_find(m, s, r->peer);
                unsigned w = p == pl ? new_max : p && p->max_entries ? p->max_entries : 1;
                d[p && strcmp(p->family, "IPv6") == 0] += w;
            }
        }
        for (int e = 0; e < 2; e++)
            for (int f = 0; f < 2; f++)
                if (n[e][f] > m->cfg.rules_per_sg)
                    return merr_set(err, "InvalidParameterValue",
                                    "The prefix list %s is referenced by security group %s, "
                                    "which cannot hold a prefix list of %u entries within its "
                                    "quota of %u rules.",
                                    pl->hdr.id, g->hdr.id, new_max, m->cfg.rules_per_sg);
    }
    /* Route tables weigh a prefix-list route as the list's max entries, per family. */
    const struct route_table *rt;
    SCOPE_FOREACH(rt, s, RES_RTB)
    {
        bool uses = false;
        for (size_t i = 0; i < rt->n_routes && !uses; i++)
            uses = rt->routes[i].family == 0 && strcmp(rt->routes[i].dst_pl, pl->hdr.id) == 0;
        if (!uses)
            continue;
        unsigned n[2] = {0, 0}; /* [ipv6] */
        for (size_t i = 0; i < rt->n_routes; i++) {
            const struct route *r = &rt->routes[i];
            if (strcmp(r->origin, "CreateRoute") != 0)
                continue;
            if (r->family) {
                n[r->family == 6]++;
                continue;
            }
            const struct prefix_list *p =
                strcmp(r->dst_pl, pl->hdr.id) == 0 ? pl : pl_find(m, s, r->dst_pl);
            unsigned w = p == pl ? new_max : p && p->max_entries ? p->max_entries : 1;
            n[p && strcmp(p->family, "IPv6") == 0] += w;
        }
        for (int f = 0; f < 2; f++)
            if (n[f] > m->cfg.routes_per_rtb)
                return merr_set(err, "InvalidParameterValue",
                                "The prefix list %s is referenced by route table %s, which cannot "
                                "hold a prefix list of %u entries within its quota of %u routes.",
                                pl->hdr.id, rt->hdr.id, new_max, m->cfg.routes_per_rtb);
    }
    return 0;
}

int pl_create(struct model *m, struct scope *s, const char *name, const char *family,
              unsigned max_entries, const struct pl_entry *entries, size_t n,
              const struct tag_list *tags, struct prefix_list **out, struct merr *err)
{
    if (check_name(name, err))
        return -1;
    if (!family || !*family)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter AddressFamily");
    if (strcmp(family, "IPv4") != 0 && strcmp(family, "IPv6") != 0)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter addressFamily is invalid. Valid values are "
                        "IPv4 and IPv6.",
                        family);
    if (check_max_entries(max_entries, err) || check_request_size(n, err))
        return -1;
    if (n > max_entries)
        return merr_set(err, "InvalidParameterValue",
                        "The number of entries (%zu) exceeds the maximum entries (%u) of the "
                        "prefix list.",
                        n, max_entries);
    if (s->lists[RES_PL].n >= m->cfg.prefix_lists_per_region)
        return merr_set(err, "ResourceLimitExceeded",
                        "You have reached the maximum number of prefix lists (%u) in this "
                        "Region.",
                        m->cfg.prefix_lists_per_region);
    if (tags_validate(NULL, tags, err))
        return -1;
    struct pl_entry *canon;
    if (canon_entries(family, entries, n, &canon, err))
        return -1;

    struct prefix_list *pl = (struct prefix_list *)res_new(m, s, RES_PL);
    snprintf(pl->name, sizeof pl->name, "%s", name);
    snprintf(pl->family, sizeof pl->family, "%s", family);
    snprintf(pl->state, sizeof pl->state, "create-complete");
    pl->max_entries = max_entries;
    pl->version = 1;
    for (size_t i = 0; i < n; i++)
        hist_add(pl, &canon[i], 1);
    free(canon);
    pl_sync(pl);
    tags_copy(&pl->hdr.tags, tags);
    *out = pl;
    return 0;
}

int pl_modify(struct model *m, struct scope *s, const char *pl_id, long current_version,
              const char *new_name, const struct pl_entry *add, size_t n_add, const char **remove,
              size_t n_remove, long max_entries, struct merr *err)
{
    struct prefix_list *pl = (struct prefix_list *)res_lookup(m, s, RES_PL, pl_id, err);
    if (!pl)
        return -1;
    if (current_version >= 0 && current_version != (long)pl->version)
        return merr_set(err, "PrefixListVersionMismatch",
                        "The prefix list has the incorrect version number.");
    if (new_name && check_name(new_name, err))
        return -1;
    if (max_entries >= 0) {
        if (n_add || n_remove)
            return merr_set(err, "InvalidParameterCombination",
                            "You cannot modify the entries and the maximum entries for the "
                            "prefix list in the same request.");
        if (check_max_entries(max_entries, err))
            return -1;
        if ((size_t)max_entries < pl->n_entries)
            return merr_set(err, "InvalidParameterValue",
                            "The maximum entries (%ld) cannot be less than the number of "
                            "entries (%zu) in the prefix list.",
                            max_entries, pl->n_entries);
        if ((unsigned)max_entries > pl->max_entries &&
            check_resize_fits(m, s, pl, (unsigned)max_entries, err))
            return -1;
    }
    if (check_request_size(n_add, err) || check_request_size(n_remove, err))
        return -1;

    struct pl_entry *rm = xcalloc(n_remove ? n_remove : 1, sizeof *rm);
    struct pl_entry *ad = NULL;
    for (size_t i = 0; i < n_remove; i++) {
        if (canon_cidr(pl->family, remove[i], rm[i].cidr, err))
            goto fail;
        if (cidr_in(rm, i, rm[i].cidr)) {
            merr_set(err, "InvalidParameterValue",
                     "The request contains the CIDR %s more than once.", rm[i].cidr);
            goto fail;
        }
        if (!cidr_in(pl->entries, pl->n_entries, rm[i].cidr)) {
            merr_set(err, "InvalidParameterValue",
                     "The CIDR %s is not an entry of the prefix list %s.", rm[i].cidr, pl->hdr.id);
            goto fail;
        }
    }
    if (canon_entries(pl->family, add, n_add, &ad, err))
        goto fail;
    for (size_t i = 0; i < n_add; i++) {
        if (cidr_in(rm, n_remove, ad[i].cidr)) {
            merr_set(err, "InvalidParameterValue",
                     "Request cannot contain Cidr %s in both AddPrefixListEntries and "
                     "RemovePrefixListEntries",
                     ad[i].cidr);
            goto fail;
        }
        if (cidr_in(pl->entries, pl->n_entries, ad[i].cidr)) {
            merr_set(err, "InvalidParameterValue",
                     "The prefix list %s already has an entry for CIDR %s.", pl->hdr.id,
                     ad[i].cidr);
            goto fail;
        }
    }
    size_t after = pl->n_entries - n_remove + n_add;
    if (after > pl->max_entries) {
        merr_set(err, "InvalidParameterValue",
                 "The number of entries (%zu) would exceed the maximum entries (%u) of the "
                 "prefix list.",
                 after, pl->max_entries);
        goto fail;
    }

    if (new_name)
        snprintf(pl->name, sizeof pl->name, "%s", new_name);
    if (max_entries >= 0)
        pl->max_entries = (unsigned)max_entries;
    if (n_add || n_remove) {
        unsigned v = ++pl->version;
        for (size_t i = 0; i < n_remove; i++)
            hist_current(pl, rm[i].cidr)->to = v;
        for (size_t i = 0; i < n_add; i++)
            hist_add(pl, &ad[i], v);
        pl_sync(pl);
    }
    snprintf(pl->state, sizeof pl->state, "modify-complete");
    res_touch(m, &pl->hdr);
    free(rm);
    free(ad);
    return 0;
fail:
    free(rm);
    free(ad);
    return -1;
}

int pl_restore(struct model *m, struct scope *s, const char *pl_id, long previous_version,
               long current_version, struct merr *err)
{
    struct prefix_list *pl = (struct prefix_list *)res_lookup(m, s, RES_PL, pl_id, err);
    if (!pl)
        return -1;
    if (current_version != (long)pl->version)
        return merr_set(err, "PrefixListVersionMismatch",
                        "The prefix list has the incorrect version number.");
    if (previous_version == (long)pl->version)
        return merr_set(err, "InvalidParameterValue",
                        "The version to restore (%ld) is already the current version.",
                        previous_version);
    struct pl_entry *target;
    size_t n;
    if (pl_entries_at(pl, previous_version, &target, &n, err))
        return -1;
    if (n > pl->max_entries) {
        free(target);
        return merr_set(err, "InvalidParameterValue",
                        "Version %ld has %zu entries, more than the maximum entries (%u) of the "
                        "prefix list.",
                        previous_version, n, pl->max_entries);
    }
    unsigned v = ++pl->version;
    /* Entries that are identical in both versions carry on; the rest end or start here. */
    size_t n_hist = pl->n_hist;
    for (size_t i = 0; i < n_hist; i++) {
        struct pl_hist_entry *h = &pl->hist[i];
        if (h->to != 0)
            continue;
        bool keep = false;
        for (size_t k = 0; k < n && !keep; k++)
            keep = strcmp(target[k].cidr, h->e.cidr) == 0 &&
                   strcmp(target[k].description, h->e.description) == 0;
        if (!keep)
            h->to = v;
    }
    for (size_t k = 0; k < n; k++)
        if (!hist_current(pl, target[k].cidr))
            hist_add(pl, &target[k], v);
    free(target);
    pl_sync(pl);
    snprintf(pl->state, sizeof pl->state, "restore-complete");
    res_touch(m, &pl->hdr);
    return 0;
}

bool pl_in_use(const struct scope *s, const char *pl_id)
{
    const struct security_group *g;
    SCOPE_FOREACH(g, s, RES_SG)
    for (size_t i = 0; i < g->n_rules; i++)
        if (g->rules[i].peer_kind == SG_PEER_PL && strcmp(g->rules[i].peer, pl_id) == 0)
            return true;
    const struct route_table *rt;
    SCOPE_FOREACH(rt, s, RES_RTB)
    for (size_t i = 0; i < rt->n_routes; i++)
        if (strcmp(rt->routes[i].dst_pl, pl_id) == 0)
            return true;
    return false;
}

int pl_delete(struct model *m, struct scope *s, const char *pl_id, struct merr *err)
{
    struct prefix_list *pl = (struct prefix_list *)res_lookup(m, s, RES_PL, pl_id, err);
    if (!pl)
        return -1;
    if (pl_in_use(s, pl_id))
        return merr_set(err, "DependencyViolation",
                        "The prefix list %s is referenced by a security group rule or a route "
                        "and cannot be deleted.",
                        pl_id);
    res_delete(m, &pl->hdr);
    return 0;
}

/* ---- class ---- */

static void pl_destroy(struct res *r)
{
    struct prefix_list *pl = (struct prefix_list *)r;
    free(pl->entries);
    free(pl->hist);
}

static json_t *pl_encode(const struct res *r)
{
    const struct prefix_list *pl = (const struct prefix_list *)r;
    json_t *hist = json_array();
    for (size_t i = 0; i < pl->n_hist; i++) {
        const struct pl_hist_entry *h = &pl->hist[i];
        json_array_append_new(hist, json_pack("{s:s,s:s,s:I,s:I}", "cidr", h->e.cidr, "desc",
                                              h->e.description, "from", (json_int_t)h->from, "to",
                                              (json_int_t)h->to));
    }
    return json_pack("{s:s,s:s,s:I,s:I,s:s,s:o}", "name", pl->name, "family", pl->family, "max",
                     (json_int_t)pl->max_entries, "version", (json_int_t)pl->version, "state",
                     pl->state, "hist", hist);
}

static int pl_decode(struct res *r, json_t *b)
{
    struct prefix_list *pl = (struct prefix_list *)r;
    json_copy_str(pl->name, sizeof pl->name, b, "name");
    json_copy_str(pl->family, sizeof pl->family, b, "family");
    json_copy_str(pl->state, sizeof pl->state, b, "state");
    pl->max_entries = (unsigned)json_integer_value(json_object_get(b, "max"));
    pl->version = (unsigned)json_integer_value(json_object_get(b, "version"));
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(b, "hist"), i, it)
    {
        struct pl_entry e;
        json_copy_str(e.cidr, sizeof e.cidr, it, "cidr");
        json_copy_str(e.description, sizeof e.description, it, "desc");
        hist_add(pl, &e, (unsigned)json_integer_value(json_object_get(it, "from")));
        pl->hist[pl->n_hist - 1].to = (unsigned)json_integer_value(json_object_get(it, "to"));
    }
    pl_sync(pl);
    if (pl->version < 1 || !pl->max_entries || !pl->name[0])
        return -EINVAL;
    return 0;
}

static int pl_filter(const struct model *m, const struct res *r, const char *name,
                     struct fvals *out)
{
    (void)m;
    const struct prefix_list *pl = (const struct prefix_list *)r;
    if (strcmp(name, "prefix-list-id") == 0)
        fv_add(out, pl->hdr.id);
    else if (strcmp(name, "prefix-list-name") == 0)
        fv_add(out, pl->name);
    else if (strcmp(name, "owner-id") == 0)
        fv_add(out, pl->hdr.scope->account);
    else
        return -ENOENT;
    return 0;
}

const struct res_class pl_class = {
    .name = "prefix list",
    .id_prefix = "pl",
    .size = sizeof(struct prefix_list),
    .not_found_code = "InvalidPrefixListID.NotFound",
    .malformed_code = "InvalidPrefixListId.Malformed",
    .tag_resource_type = "prefix-list",
    .destroy = pl_destroy,
    .encode = pl_encode,
    .split = {"hist"},
    .decode = pl_decode,
    .filter = pl_filter,
};
