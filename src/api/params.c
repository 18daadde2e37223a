/* Decoding of EC2 Query parameters into model arguments, and the generic Describe. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "lib/xalloc.h"

void *api_scratch(struct api_ctx *c, size_t size)
{
    c->scratch = xgrow(c->scratch, &c->cap_scratch, c->n_scratch, sizeof *c->scratch);
    void *p = xcalloc(1, size);
    c->scratch[c->n_scratch++] = p;
    return p;
}

void api_ctx_release(struct api_ctx *c)
{
    for (size_t i = 0; i < c->n_scratch; i++)
        free(c->scratch[i]);
    free(c->scratch);
    tags_clear(&c->req_tags);
    c->scratch = NULL;
    c->n_scratch = c->cap_scratch = 0;
}

const char *api_str(struct api_ctx *c, const char *name)
{
    return query_get(c->q, name);
}

int api_req(struct api_ctx *c, const char *name, const char **out)
{
    *out = query_get(c->q, name);
    if (!*out || !**out)
        return merr_set(&c->err, "MissingParameter",
                        "The request must contain the parameter %s", name);
    return 0;
}

static int parse_bool(const char *v, bool *out)
{
    if (strcasecmp(v, "true") == 0)
        *out = true;
    else if (strcasecmp(v, "false") == 0)
        *out = false;
    else
        return -1;
    return 0;
}

int api_bool(struct api_ctx *c, const char *name, bool dflt, bool *out)
{
    const char *v = query_get(c->q, name);
    *out = dflt;
    if (!v)
        return 0;
    if (parse_bool(v, out))
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value (%s) for parameter %s is invalid. Expected: 'true' or 'false'.", v,
                        name);
    return 0;
}

int api_bool_value(struct api_ctx *c, const char *name, bool *present, bool *out)
{
    const char *v = query_getf(c->q, "%s.Value", name);
    if (!v)
        v = query_get(c->q, name);
    *present = v != NULL;
    *out = false;
    if (v && parse_bool(v, out))
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value (%s) for parameter %s is invalid. Expected: 'true' or 'false'.", v,
                        name);
    return 0;
}

int api_int(struct api_ctx *c, const char *name, long dflt, long *out)
{
    const char *v = query_get(c->q, name);
    *out = dflt;
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end)
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value (%s) for parameter %s is invalid. Expected an integer.", v, name);
    *out = n;
    return 0;
}

int api_strlist(struct api_ctx *c, const char *prefix, const char ***out, size_t *n)
{
    size_t len = query_list_len(c->q, prefix);
    const char **items = api_scratch(c, (len + 1) * sizeof *items);
    for (size_t i = 0; i < len; i++) {
        items[i] = query_getf(c->q, "%s.%zu", prefix, i + 1);
        if (!items[i])
            return merr_set(&c->err, "InvalidParameterValue",
                            "Parameter %s.%zu must be a value, not a structure", prefix, i + 1);
    }
    *out = items;
    *n = len;
    return 0;
}

int api_tag_specs(struct api_ctx *c, const char *resource_type, struct tag_list **out)
{
    *out = NULL;
    const char *base = query_has_prefix(c->q, "TagSpecifications") ? "TagSpecifications"
                                                                   : "TagSpecification";
    size_t n_specs = query_list_len(c->q, base);
    if (n_specs == 0)
        return 0;
    struct tag_list *t = &c->req_tags;
    for (size_t i = 1; i <= n_specs; i++) {
        const char *rt = query_getf(c->q, "%s.%zu.ResourceType", base, i);
        if (!rt)
            return merr_set(&c->err, "InvalidParameterValue",
                            "TagSpecification %zu is missing ResourceType", i);
        if (strcmp(rt, resource_type) != 0)
            return merr_set(&c->err, "InvalidParameterValue",
                            "'%s' is not a valid taggable resource type for this operation.",
                            rt);
        char prefix[96];
        snprintf(prefix, sizeof prefix, "%s.%zu.Tag", base, i);
        size_t n_tags = query_list_len(c->q, prefix);
        for (size_t k = 1; k <= n_tags; k++) {
            const char *key = query_getf(c->q, "%s.%zu.Key", prefix, k);
            const char *value = query_getf(c->q, "%s.%zu.Value", prefix, k);
            if (!key)
                return merr_set(&c->err, "InvalidParameterValue", "Tag %zu has no key", k);
            tags_set(t, key, value ? value : "");
        }
    }
    *out = t;
    return tags_validate(NULL, t, &c->err);
}

int api_describe_query(struct api_ctx *c, const char *ids_prefix, const char *ids_param,
                       long max_min, long max_max, struct describe_query *dq)
{
    memset(dq, 0, sizeof *dq);
    if (ids_prefix && api_strlist(c, ids_prefix, &dq->ids, &dq->n_ids))
        return -1;
    dq->ids_param = ids_param;
    size_t n_filters = query_list_len(c->q, "Filter");
    if (n_filters > 200)
        return merr_set(&c->err, "FilterLimitExceeded",
                        "The number of filters exceeds the limit of 200");
    struct filter *f = api_scratch(c, (n_filters + 1) * sizeof *f);
    for (size_t i = 0; i < n_filters; i++) {
        f[i].name = query_getf(c->q, "Filter.%zu.Name", i + 1);
        if (!f[i].name)
            return merr_set(&c->err, "InvalidParameterValue",
                            "The filter 'null' is invalid: Filter.%zu.Name is missing", i + 1);
        char prefix[64];
        snprintf(prefix, sizeof prefix, "Filter.%zu.Value", i + 1);
        if (api_strlist(c, prefix, &f[i].values, &f[i].n_values))
            return -1;
    }
    dq->filters = f;
    dq->n_filters = n_filters;
    if (api_int(c, "MaxResults", 0, &dq->max_results))
        return -1;
    dq->max_results_min = max_min;
    dq->max_results_max = max_max;
    dq->next_token = query_get(c->q, "NextToken");
    if (dq->next_token && !*dq->next_token)
        dq->next_token = NULL;
    return 0;
}

int api_describe(struct api_ctx *c, enum res_type type, const char *ids_prefix,
                 const char *ids_param, long max_min, long max_max, const char *set_name,
                 void (*item)(struct api_ctx *c, const struct res *r))
{
    struct describe_query dq;
    if (api_describe_query(c, ids_prefix, ids_param, max_min, max_max, &dq))
        return -1;
    return api_describe_run(c, type, &dq, set_name, item);
}

int api_describe_run(struct api_ctx *c, enum res_type type, const struct describe_query *dq,
                     const char *set_name, void (*item)(struct api_ctx *c, const struct res *r))
{
    struct res **found;
    size_t n;
    char next[32];
    if (model_describe(c->model, c->scope, type, dq, &found, &n, next, &c->err))
        return -1;
    xml_open(c->out, set_name);
    for (size_t i = 0; i < n; i++) {
        xml_open(c->out, "item");
        item(c, found[i]);
        xml_close(c->out, "item");
    }
    xml_close(c->out, set_name);
    free(found);
    if (next[0])
        xml_str(c->out, "nextToken", next);
    return 0;
}

void api_dhcp_options_id(const struct scope *s, char buf[ID_MAX])
{
    /* A stable id per scope, derived from the scope so it never needs storing. */
    uint64_t h = hmap_hash_str(s->hdr.id);
    snprintf(buf, ID_MAX, "dopt-0%016llx", (unsigned long long)h);
}
