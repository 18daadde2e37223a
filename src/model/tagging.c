/* Tag actions that work on any resource of a scope: CreateTags, DeleteTags, DescribeTags. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/glob.h"
#include "lib/xalloc.h"
#include "model/resources.h"

struct res *tag_target_lookup(const struct model *m, const struct scope *s, const char *id,
                              struct merr *err)
{
    enum res_type t = id ? res_type_of_id(id) : RES__COUNT;
    const struct res_class *c = t < RES__COUNT ? res_class_of(t) : NULL;
    if (!c || !id_well_formed(id, c->id_prefix)) {
        merr_set(err, "InvalidID", "The ID '%s' is not valid", id ? id : "");
        return NULL;
    }
    struct res *r = res_find(m, s, t, id);
    if (!r)
        merr_set(err, c->not_found_code, "The %s ID '%s' does not exist", c->name, id);
    return r;
}

static int lookup_all(const struct model *m, const struct scope *s, const char *const *ids,
                      size_t n_ids, struct res ***out, struct merr *err)
{
    if (n_ids == 0)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter "
                        "ResourceId");
    struct res **rs = xcalloc(n_ids, sizeof *rs);
    for (size_t i = 0; i < n_ids; i++) {
        rs[i] = tag_target_lookup(m, s, ids[i], err);
        if (!rs[i]) {
            free(rs);
            return -1;
        }
    }
    *out = rs;
    return 0;
}

int tags_create(struct model *m, struct scope *s, const char *const *ids, size_t n_ids,
                const struct tag_list *tags, struct merr *err)
{
    if (!tags || tags->n == 0)
        return merr_set(err, "MissingParameter", "The request must contain the parameter Tag");
    struct res **rs;
    if (lookup_all(m, s, ids, n_ids, &rs, err))
        return -1;
    for (size_t i = 0; i < n_ids; i++) {
        if (tags_validate(&rs[i]->tags, tags, err)) {
            free(rs);
            return -1;
        }
    }
    for (size_t i = 0; i < n_ids; i++) {
        tags_copy(&rs[i]->tags, tags);
        res_touch(m, rs[i]);
    }
    free(rs);
    return 0;
}

int tags_delete(struct model *m, struct scope *s, const char *const *ids, size_t n_ids,
                const char *const *keys, const char *const *values, size_t n_keys, struct merr *err)
{
    for (size_t k = 0; k < n_keys; k++)
        if (!keys[k] || !*keys[k])
            return merr_set(err, "InvalidParameterValue",
                            "Tag %zu must have a key of 1 to 128 characters", k + 1);
    struct res **rs;
    if (lookup_all(m, s, ids, n_ids, &rs, err))
        return -1;
    for (size_t i = 0; i < n_ids; i++) {
        struct res *r = rs[i];
        bool changed = false;
        if (n_keys == 0) {
            changed = r->tags.n > 0;
            tags_clear(&r->tags);
        }
        for (size_t k = 0; k < n_keys; k++)
            changed |= tags_remove(&r->tags, keys[k], values ? values[k] : NULL);
        if (changed)
            res_touch(m, r);
    }
    free(rs);
    return 0;
}

/* ---- DescribeTags ---- */

static bool any_glob(const struct filter *f, const char *text)
{
    for (size_t i = 0; i < f->n_values; i++)
        if (glob_match(f->values[i], text))
            return true;
    return false;
}

static bool tag_matches(const struct res *r, const struct tag *t, const struct filter *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *name = f[i].name;
        bool ok;
        if (strcmp(name, "key") == 0) {
            ok = any_glob(&f[i], t->key);
        } else if (strcmp(name, "value") == 0) {
            ok = any_glob(&f[i], t->value);
        } else if (strcmp(name, "resource-id") == 0) {
            ok = any_glob(&f[i], r->id);
        } else if (strcmp(name, "resource-type") == 0) {
            const char *rt = res_class_of(r->type)->tag_resource_type;
            ok = rt && any_glob(&f[i], rt);
        } else { /* tag:<key>: resources carrying that tag with a matching value */
            const char *v = tags_get(&r->tags, name + 4);
            ok = v && any_glob(&f[i], v);
        }
        if (!ok)
            return false;
    }
    return true;
}

static bool filter_known(const char *name)
{
    return strcmp(name, "key") == 0 || strcmp(name, "value") == 0 ||
           strcmp(name, "resource-id") == 0 || strcmp(name, "resource-type") == 0 ||
           (strncmp(name, "tag:", 4) == 0 && name[4]);
}

/* A page position: resource type, resource creation order, tag index. */
struct tag_pos {
    unsigned type;
    unsigned long long seq;
    unsigned idx;
};

static int pos_cmp(const struct tag_pos *a, const struct tag_pos *b)
{
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    if (a->seq != b->seq)
        return a->seq < b->seq ? -1 : 1;
    if (a->idx != b->idx)
        return a->idx < b->idx ? -1 : 1;
    return 0;
}

static int pos_parse(const char *token, struct tag_pos *p)
{
    if (strlen(token) != 24)
        return -1;
    for (const char *c = token; *c; c++)
        if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
            return -1;
    char part[17];
    memcpy(part, token, 2);
    part[2] = '\0';
    p->type = (unsigned)strtoul(part, NULL, 16);
    memcpy(part, token + 2, 16);
    part[16] = '\0';
    p->seq = strtoull(part, NULL, 16);
    p->idx = (unsigned)strtoul(token + 18, NULL, 16);
    return 0;
}

int tags_describe(const struct model *m, const struct scope *s, const struct filter *f,
                  size_t n_filters, long max_results, const char *next_token, struct tag_desc **out,
                  size_t *n_out, char next_token_out[32], struct merr *err)
{
    (void)m;
    *out = NULL;
    *n_out = 0;
    next_token_out[0] = '\0';
    for (size_t i = 0; i < n_filters; i++)
        if (!filter_known(f[i].name))
            return merr_set(err, "InvalidParameterValue", "The filter '%s' is invalid", f[i].name);
    if (max_results && (max_results < 5 || max_results > 1000))
        return merr_set(err, "InvalidParameterValue",
                        "Value ( %ld ) for parameter maxResults is invalid. Expecting a value "
                        "between 5 and 1000.",
                        max_results);
    struct tag_pos start = {0, 0, 0};
    if (next_token && pos_parse(next_token, &start))
        return merr_set(err, "InvalidPaginationToken", "Invalid pagination token '%s'", next_token);
    struct tag_desc *res = NULL;
    size_t n = 0, cap = 0;
    for (unsigned t = RES_VPC; t < RES__COUNT; t++) {
        const struct res_list *l = &s->lists[t];
        for (size_t i = 0; i < l->n; i++) {
            const struct res *r = l->items[i];
            for (size_t k = 0; k < r->tags.n; k++) {
                struct tag_pos here = {t, (unsigned long long)r->seq, (unsigned)k};
                if (pos_cmp(&here, &start) < 0 || !tag_matches(r, &r->tags.items[k], f, n_filters))
                    continue;
                if (max_results && (long)n == max_results) {
                    snprintf(next_token_out, 32, "%02x%016llx%06x", here.type, here.seq, here.idx);
                    goto done;
                }
                res = xgrow(res, &cap, n, sizeof *res);
                res[n].r = r;
                res[n].tag = &r->tags.items[k];
                n++;
            }
        }
    }
done:
    *out = res;
    *n_out = n;
    return 0;
}
