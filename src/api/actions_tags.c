/* EC2 tag actions: CreateTags, DeleteTags and DescribeTags over every resource type. */
#include <stdio.h>
#include <stdlib.h>

#include "api/api.h"
#include "model/resources.h"

static int resource_ids(struct api_ctx *c, const char ***ids, size_t *n)
{
    if (api_strlist(c, "ResourceId", ids, n))
        return -1;
    if (*n == 0)
        return merr_set(&c->err, "MissingParameter",
                        "The request must contain the parameter ResourceId");
    return 0;
}

static int create_tags(struct api_ctx *c)
{
    const char **ids;
    size_t n_ids;
    if (resource_ids(c, &ids, &n_ids))
        return -1;
    size_t n = query_list_len(c->q, "Tag");
    if (n == 0)
        return merr_set(&c->err, "MissingParameter", "The request must contain the parameter Tag");
    for (size_t i = 1; i <= n; i++) {
        const char *key = query_getf(c->q, "Tag.%zu.Key", i);
        const char *value = query_getf(c->q, "Tag.%zu.Value", i);
        if (!key)
            return merr_set(&c->err, "MissingParameter",
                            "The request must contain the parameter Tag.%zu.Key", i);
        tags_set(&c->req_tags, key, value ? value : "");
    }
    if (tags_create(c->model, c->scope, ids, n_ids, &c->req_tags, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int delete_tags(struct api_ctx *c)
{
    const char **ids;
    size_t n_ids;
    if (resource_ids(c, &ids, &n_ids))
        return -1;
    size_t n = query_list_len(c->q, "Tag");
    const char **keys = api_scratch(c, (n ? n : 1) * sizeof *keys);
    const char **values = api_scratch(c, (n ? n : 1) * sizeof *values);
    for (size_t i = 0; i < n; i++) {
        keys[i] = query_getf(c->q, "Tag.%zu.Key", i + 1);
        /* Absent value: any value; an empty value only matches an empty value. */
        values[i] = query_getf(c->q, "Tag.%zu.Value", i + 1);
        if (!keys[i])
            return merr_set(&c->err, "MissingParameter",
                            "The request must contain the parameter Tag.%zu.Key", i + 1);
    }
    if (tags_delete(c->model, c->scope, ids, n_ids, keys, values, n, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int describe_tags(struct api_ctx *c)
{
    struct describe_query dq;
    if (api_describe_query(c, NULL, NULL, 5, 1000, &dq))
        return -1;
    struct tag_desc *found;
    size_t n;
    char next[32];
    if (tags_describe(c->model, c->scope, dq.filters, dq.n_filters, dq.max_results, dq.next_token,
                      &found, &n, next, &c->err))
        return -1;
    xml_open(c->out, "tagSet");
    for (size_t i = 0; i < n; i++) {
        xml_open(c->out, "item");
        xml_str(c->out, "resourceId", found[i].r->id);
        xml_str(c->out, "resourceType", res_class_of(found[i].r->type)->tag_resource_type);
        xml_str(c->out, "key", found[i].tag->key);
        xml_str(c->out, "value", found[i].tag->value);
        xml_close(c->out, "item");
    }
    xml_close(c->out, "tagSet");
    free(found);
    if (next[0])
        xml_str(c->out, "nextToken", next);
    return 0;
}

const struct api_action tag_actions[] = {
    {"CreateTags", create_tags},
    {"DeleteTags", delete_tags},
    {"DescribeTags", describe_tags},
    {NULL, NULL},
};
