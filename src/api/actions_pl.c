/* EC2 actions for managed prefix lists (customer-managed) and DescribePrefixLists
 * (AWS-managed service lists, of which vpcd has none). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "model/resources.h"

static const char *arn_partition(const char *region)
{
    if (strncmp(region, "cn-", 3) == 0)
        return "aws-cn";
    if (strncmp(region, "us-gov-", 7) == 0)
        return "aws-us-gov";
    return "aws";
}

static void pl_xml_state(struct api_ctx *c, const struct prefix_list *pl, const char *state)
{
    struct strbuf *sb = c->out;
    const struct scope *s = pl->hdr.scope;
    char arn[256];
    snprintf(arn, sizeof arn, "arn:%s:ec2:%s:%s:prefix-list/%s", arn_partition(s->region),
             s->region, s->account, pl->hdr.id);
    xml_str(sb, "prefixListId", pl->hdr.id);
    xml_str(sb, "addressFamily", pl->family);
    xml_str(sb, "state", state);
    xml_str(sb, "prefixListArn", arn);
    xml_str(sb, "prefixListName", pl->name);
    xml_int(sb, "maxEntries", pl->max_entries);
    xml_int(sb, "version", pl->version);
    xml_tags(sb, &pl->hdr.tags);
    xml_str(sb, "ownerId", s->account);
}

static void pl_xml(struct api_ctx *c, const struct res *r)
{
    const struct prefix_list *pl = (const struct prefix_list *)r;
    pl_xml_state(c, pl, pl->state);
}

static void pl_reply(struct api_ctx *c, const struct prefix_list *pl, const char *state)
{
    xml_open(c->out, "prefixList");
    pl_xml_state(c, pl, state ? state : pl->state);
    xml_close(c->out, "prefixList");
}

/* "<prefix>.N.Cidr" / "<prefix>.N.Description" into a scratch array. */
static int parse_entries(struct api_ctx *c, const char *prefix, struct pl_entry **out,
                         size_t *n_out)
{
    size_t n = query_list_len(c->q, prefix);
    struct pl_entry *e = api_scratch(c, (n ? n : 1) * sizeof *e);
    for (size_t i = 0; i < n; i++) {
        const char *cidr = query_getf(c->q, "%s.%zu.Cidr", prefix, i + 1);
        const char *desc = query_getf(c->q, "%s.%zu.Description", prefix, i + 1);
        if (!cidr || !*cidr)
            return merr_set(&c->err, "MissingParameter",
                            "The request must contain the parameter %s.%zu.Cidr", prefix, i + 1);
        /* Checked here because the entry buffers are fixed-size: a truncated string could
         * otherwise turn into a different, valid CIDR. */
        if (strlen(cidr) >= sizeof e[i].cidr)
            return merr_set(&c->err, "InvalidParameterValue",
                            "The CIDR '%s' is not a valid CIDR block.", cidr);
        if (desc && strlen(desc) >= sizeof e[i].description)
            return merr_set(&c->err, "InvalidParameterValue",
                            "The description of %s.%zu must be at most 255 characters long.",
                            prefix, i + 1);
        snprintf(e[i].cidr, sizeof e[i].cidr, "%s", cidr);
        snprintf(e[i].description, sizeof e[i].description, "%s", desc ? desc : "");
    }
    *out = e;
    *n_out = n;
    return 0;
}

/* An optional non-negative Long parameter; *out is -1 when absent. */
static int opt_version(struct api_ctx *c, const char *name, long *out)
{
    if (api_int(c, name, -1, out))
        return -1;
    if (api_str(c, name) && *out < 0)
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value (%ld) for parameter %s is invalid. It must be a positive "
                        "number.",
                        *out, name);
    return 0;
}

static int create_managed_prefix_list(struct api_ctx *c)
{
    const char *max_s;
    long max;
    struct tag_list *tags;
    struct pl_entry *entries;
    size_t n;
    if (api_req(c, "MaxEntries", &max_s) || api_int(c, "MaxEntries", 0, &max) ||
        parse_entries(c, "Entry", &entries, &n) || api_tag_specs(c, "prefix-list", &tags))
        return -1;
    if (max < 0 || max > PL_MAX_ENTRIES)
        max = 0; /* out of range either way: let the model word the error */
    struct prefix_list *pl;
    if (pl_create(c->model, c->scope, api_str(c, "PrefixListName"), api_str(c, "AddressFamily"),
                  (unsigned)max, entries, n, tags, &pl, &c->err))
        return -1;
    pl_reply(c, pl, NULL);
    return 0;
}

static int describe_managed_prefix_lists(struct api_ctx *c)
{
    return api_describe(c, RES_PL, "PrefixListId", "prefixListIds", 1, 100, "prefixListSet",
                        pl_xml);
}

static int modify_managed_prefix_list(struct api_ctx *c)
{
    const char *id;
    long version, max;
    struct pl_entry *add;
    size_t n_add;
    if (api_req(c, "PrefixListId", &id) || opt_version(c, "CurrentVersion", &version) ||
        api_int(c, "MaxEntries", -1, &max) || parse_entries(c, "AddEntry", &add, &n_add))
        return -1;
    if (api_str(c, "MaxEntries") && (max < 0 || max > PL_MAX_ENTRIES))
        max = 0;
    size_t n_rm = query_list_len(c->q, "RemoveEntry");
    const char **rm = api_scratch(c, (n_rm ? n_rm : 1) * sizeof *rm);
    for (size_t i = 0; i < n_rm; i++) {
        rm[i] = query_getf(c->q, "RemoveEntry.%zu.Cidr", i + 1);
        if (!rm[i] || !*rm[i])
            return merr_set(&c->err, "MissingParameter",
                            "The request must contain the parameter RemoveEntry.%zu.Cidr", i + 1);
    }
    if (pl_modify(c->model, c->scope, id, version, api_str(c, "PrefixListName"), add, n_add, rm,
                  n_rm, max, &c->err))
        return -1;
    pl_reply(c, pl_find(c->model, c->scope, id), NULL);
    return 0;
}

static int delete_managed_prefix_list(struct api_ctx *c)
{
    const char *id;
    if (api_req(c, "PrefixListId", &id))
        return -1;
    const struct prefix_list *pl =
        (const struct prefix_list *)res_lookup(c->model, c->scope, RES_PL, id, &c->err);
    if (!pl)
        return -1;
    /* The reply describes the list as it goes; a failed delete discards the reply. */
    pl_reply(c, pl, "delete-complete");
    return pl_delete(c->model, c->scope, id, &c->err);
}

static int restore_managed_prefix_list_version(struct api_ctx *c)
{
    const char *id, *s;
    long previous, current;
    if (api_req(c, "PrefixListId", &id) || api_req(c, "PreviousVersion", &s) ||
        api_req(c, "CurrentVersion", &s) || opt_version(c, "PreviousVersion", &previous) ||
        opt_version(c, "CurrentVersion", &current))
        return -1;
    if (pl_restore(c->model, c->scope, id, previous, current, &c->err))
        return -1;
    pl_reply(c, pl_find(c->model, c->scope, id), NULL);
    return 0;
}

static int max_results(struct api_ctx *c, long lo, long hi, long *out)
{
    if (api_int(c, "MaxResults", 0, out))
        return -1;
    if (api_str(c, "MaxResults") && (*out < lo || *out > hi))
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value ( %ld ) for parameter maxResults is invalid. Expecting a value "
                        "between %ld and %ld.",
                        *out, lo, hi);
    return 0;
}

/* NextToken of the paged Get* actions: 16 hex digits, the first 8 a version (or 0), the rest
 * the offset of the next item. */
static int parse_offset_token(struct api_ctx *c, unsigned long *version, size_t *offset)
{
    const char *t = api_str(c, "NextToken");
    *version = 0;
    *offset = 0;
    if (!t || !*t)
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(t, &end, 16);
    if (errno || *end || strlen(t) != 16 || strspn(t, "0123456789abcdef") != 16)
        return merr_set(&c->err, "InvalidPaginationToken", "Invalid pagination token '%s'", t);
    *version = (unsigned long)(v >> 32);
    *offset = (size_t)(v & 0xffffffffu);
    return 0;
}

static int get_managed_prefix_list_entries(struct api_ctx *c)
{
    const char *id;
    long target, limit;
    unsigned long token_version;
    size_t offset;
    if (api_req(c, "PrefixListId", &id) || opt_version(c, "TargetVersion", &target) ||
        max_results(c, 1, 100, &limit) || parse_offset_token(c, &token_version, &offset))
        return -1;
    const struct prefix_list *pl =
        (const struct prefix_list *)res_lookup(c->model, c->scope, RES_PL, id, &c->err);
    if (!pl)
        return -1;
    /* Later pages stay on the version the first page showed, even if the list changed. */
    if (token_version && target >= 0 && (unsigned long)target != token_version)
        return merr_set(&c->err, "InvalidPaginationToken",
                        "The pagination token does not belong to version %ld", target);
    long version = token_version ? (long)token_version : target >= 0 ? target : pl->version;
    struct pl_entry *entries;
    size_t n;
    if (pl_entries_at(pl, version, &entries, &n, &c->err))
        return -1;
    xml_open(c->out, "entrySet");
    size_t i = offset;
    for (; i < n && (!limit || (long)(i - offset) < limit); i++) {
        xml_open(c->out, "item");
        xml_str(c->out, "cidr", entries[i].cidr);
        if (entries[i].description[0])
            xml_str(c->out, "description", entries[i].description);
        xml_close(c->out, "item");
    }
    xml_close(c->out, "entrySet");
    if (i < n) {
        char next[32];
        snprintf(next, sizeof next, "%08lx%08zx", (unsigned long)version, i);
        xml_str(c->out, "nextToken", next);
    }
    free(entries);
    return 0;
}

static bool ids_contain(char (*ids)[ID_MAX], size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0)
            return true;
    return false;
}

static int get_managed_prefix_list_associations(struct api_ctx *c)
{
    const char *id;
    long limit;
    unsigned long unused;
    size_t offset;
    if (api_req(c, "PrefixListId", &id) || max_results(c, 5, 255, &limit) ||
        parse_offset_token(c, &unused, &offset))
        return -1;
    if (!res_lookup(c->model, c->scope, RES_PL, id, &c->err))
        return -1;
    size_t cap = c->scope->lists[RES_SG].n + c->scope->lists[RES_RTB].n;
    char(*users)[ID_MAX] = api_scratch(c, (cap ? cap : 1) * sizeof *users);
    size_t n = 0;
    const struct security_group *g;
    SCOPE_FOREACH(g, c->scope, RES_SG)
    for (size_t i = 0; i < g->n_rules; i++)
        if (g->rules[i].peer_kind == SG_PEER_PL && strcmp(g->rules[i].peer, id) == 0 &&
            !ids_contain(users, n, g->hdr.id))
            snprintf(users[n++], ID_MAX, "%s", g->hdr.id);
    const struct route_table *rt;
    SCOPE_FOREACH(rt, c->scope, RES_RTB)
    for (size_t i = 0; i < rt->n_routes; i++)
        if (strcmp(rt->routes[i].dst_pl, id) == 0 && !ids_contain(users, n, rt->hdr.id))
            snprintf(users[n++], ID_MAX, "%s", rt->hdr.id);
    xml_open(c->out, "prefixListAssociationSet");
    size_t i = offset;
    for (; i < n && (!limit || (long)(i - offset) < limit); i++) {
        xml_open(c->out, "item");
        xml_str(c->out, "resourceId", users[i]);
        xml_str(c->out, "resourceOwner", c->scope->account);
        xml_close(c->out, "item");
    }
    xml_close(c->out, "prefixListAssociationSet");
    if (i < n) {
        char next[32];
        snprintf(next, sizeof next, "%016zx", i);
        xml_str(c->out, "nextToken", next);
    }
    return 0;
}

/* AWS-managed service lists (com.amazonaws.<region>.s3 ...): vpcd runs no AWS services, so
 * the set is empty, but ids and filters are still checked as AWS does. */
static int describe_prefix_lists(struct api_ctx *c)
{
    struct describe_query dq;
    if (api_describe_query(c, "PrefixListId", "prefixListIds", 5, 1000, &dq))
        return -1;
    for (size_t i = 0; i < dq.n_filters; i++)
        if (strcmp(dq.filters[i].name, "prefix-list-id") != 0 &&
            strcmp(dq.filters[i].name, "prefix-list-name") != 0)
            return merr_set(&c->err, "InvalidParameterValue", "The filter '%s' is invalid",
                            dq.filters[i].name);
    for (size_t i = 0; i < dq.n_ids; i++) {
        if (!id_well_formed(dq.ids[i], "pl"))
            return merr_set(&c->err, "InvalidPrefixListId.Malformed",
                            "Invalid id: \"%s\" (expecting \"pl-...\")", dq.ids[i]);
        return merr_set(&c->err, "InvalidPrefixListID.NotFound",
                        "The prefix list ID '%s' does not exist", dq.ids[i]);
    }
    xml_open(c->out, "prefixListSet");
    xml_close(c->out, "prefixListSet");
    return 0;
}

const struct api_action pl_actions[] = {
    {"CreateManagedPrefixList", create_managed_prefix_list},
    {"DescribeManagedPrefixLists", describe_managed_prefix_lists},
    {"ModifyManagedPrefixList", modify_managed_prefix_list},
    {"DeleteManagedPrefixList", delete_managed_prefix_list},
    {"GetManagedPrefixListEntries", get_managed_prefix_list_entries},
    {"GetManagedPrefixListAssociations", get_managed_prefix_list_associations},
    {"RestoreManagedPrefixListVersion", restore_managed_prefix_list_version},
    {"DescribePrefixLists", describe_prefix_lists},
    {NULL, NULL},
};
