#include "model/model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/glob.h"
#include "lib/xalloc.h"
#include "model/classes.h"
#include "model/resources.h"

int merr_set(struct merr *e, const char *code, const char *fmt, ...)
{
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return -1;
}

void fv_reset(struct fvals *fv)
{
    for (size_t i = 0; i < fv->n; i++)
        free(fv->items[i]);
    fv->n = 0;
}

void fv_destroy(struct fvals *fv)
{
    fv_reset(fv);
    free(fv->items);
    fv->items = NULL;
    fv->cap = 0;
}

void fv_add(struct fvals *fv, const char *value)
{
    fv->items = xgrow(fv->items, &fv->cap, fv->n, sizeof *fv->items);
    fv->items[fv->n++] = xstrdup(value);
}

void fv_addf(struct fvals *fv, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    fv_add(fv, tmp);
}

void fv_bool(struct fvals *fv, bool b)
{
    fv_add(fv, b ? "true" : "false");
}

static const struct res_class *const classes[RES__COUNT] = {
    [RES_SCOPE] = &scope_class, [RES_VPC] = &vpc_class,   [RES_SUBNET] = &subnet_class,
    [RES_RTB] = &rtb_class,     [RES_SG] = &sg_class,     [RES_NACL] = &nacl_class,
    [RES_IGW] = &igw_class,     [RES_EIGW] = &eigw_class, [RES_PL] = &pl_class,
    [RES_PCX] = &pcx_class,     [RES_TGW] = &tgw_class,   [RES_TGW_ATTACH] = &tgw_attach_class,
    [RES_TGW_RTB] = &tgw_rtb_class, [RES_EIP] = &eip_class, [RES_NAT] = &nat_class,
    [RES_ENI] = &eni_class,     [RES_INSTANCE] = &instance_class,
    [RES_NIP] = &nip_class,     [RES_NIA] = &nia_class,
    [RES_FLOW_LOG] = &flow_log_class,
};

const struct res_class *res_class_of(enum res_type type)
{
    return type < RES__COUNT ? classes[type] : NULL;
}

enum res_type res_type_of_id(const char *id)
{
    const char *dash = strrchr(id, '-');
    if (!dash)
        return RES__COUNT;
    size_t plen = (size_t)(dash - id);
    for (int t = RES_VPC; t < RES__COUNT; t++) {
        const char *p = classes[t]->id_prefix;
        if (strlen(p) == plen && strncmp(p, id, plen) == 0)
            return (enum res_type)t;
    }
    return RES__COUNT;
}

void model_config_defaults(struct model_config *c)
{
    c->vpcs_per_region = 5;
    c->subnets_per_vpc = 200;
    c->ipv4_cidrs_per_vpc = 5;
    c->ipv6_cidrs_per_vpc = 5;
    c->rtbs_per_vpc = 200;
    c->routes_per_rtb = 50;
    c->sgs_per_region = 2500;
    c->rules_per_sg = 60;
    c->nacls_per_vpc = 200;
    c->nacl_rules_per_direction = 20;
    c->igws_per_region = 5;
    c->prefix_lists_per_region = 100;
    c->peerings_per_vpc = 50;
}

static time_t model_system_clock(void *ctx)
{
    (void)ctx;
    return time(NULL);
}

struct model *model_new(const struct model_config *cfg)
{
    struct model *m = xcalloc(1, sizeof *m);
    hmap_init(&m->by_id);
    m->next_seq = 1;
    if (cfg)
        m->cfg = *cfg;
    else
        model_config_defaults(&m->cfg);
    m->clock = model_system_clock;
    /* Each model starts its generations in its own range, so a compiled snapshot of a freed
     * model is never mistaken for one of a new model allocated at the same address. */
    static _Atomic uint64_t models_made;
    m->generation = (models_made++) << 40;
    return m;
}

time_t model_now(const struct model *m)
{
    return m->clock(m->clock_ctx) + m->clock_offset;
}

void res_list_add(struct res_list *l, struct res *r)
{
    l->items = xgrow(l->items, &l->cap, l->n, sizeof *l->items);
    /* Keep seq order even when the store hands resources back in another order. */
    size_t i = l->n;
    while (i > 0 && l->items[i - 1]->seq > r->seq) {
        l->items[i] = l->items[i - 1];
        i--;
    }
    l->items[i] = r;
    l->n++;
}

void res_list_remove(struct res_list *l, const struct res *r)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->items[i] == r) {
            memmove(&l->items[i], &l->items[i + 1], (l->n - i - 1) * sizeof *l->items);
            l->n--;
            return;
        }
    }
}

static void res_free(struct res *r)
{
    const struct res_class *c = res_class_of(r->type);
    if (c->destroy)
        c->destroy(r);
    tags_clear(&r->tags);
    free(r);
}

void model_free(struct model *m)
{
    if (!m)
        return;
    /* A shared object sits in two scopes' lists: drop the peer entries while every object is
     * still alive, so that no freed object is read below and each is freed once. */
    for (size_t i = 0; i < m->scopes.n; i++) {
        struct scope *s = (struct scope *)m->scopes.items[i];
        for (int t = RES_VPC; t < RES__COUNT; t++) {
            size_t k = 0;
            for (size_t j = 0; j < s->lists[t].n; j++)
                if (s->lists[t].items[j]->scope == s)
                    s->lists[t].items[k++] = s->lists[t].items[j];
            s->lists[t].n = k;
        }
    }
    for (size_t i = 0; i < m->scopes.n; i++) {
        struct scope *s = (struct scope *)m->scopes.items[i];
        for (int t = RES_VPC; t < RES__COUNT; t++) {
            for (size_t j = 0; j < s->lists[t].n; j++)
                if (s->lists[t].items[j]->scope == s) /* shared objects: freed by the owner */
                    res_free(s->lists[t].items[j]);
            free(s->lists[t].items);
            s->lists[t].items = NULL;
        }
        res_free(&s->hdr);
    }
    free(m->scopes.items);
    free(m->dirty.items);
    free(m->deleted);
    hmap_destroy(&m->by_id);
    free(m);
}

static void res_changed(struct model *m, struct res *r)
{
    /* Network Insights paths and analyses never reach the forwarding tables, so creating one
     * must not make the compiled snapshot look stale. */
    if (r->type == RES_NIP || r->type == RES_NIA) {
        r->version = m->generation;
        return;
    }
    r->version = ++m->generation;
    m->type_generation[r->type] = m->generation;
}

void res_touch(struct model *m, struct res *r)
{
    res_changed(m, r);
    if (r->dirty)
        return;
    r->dirty = true;
    m->dirty.items = xgrow(m->dirty.items, &m->dirty.cap, m->dirty.n, sizeof *m->dirty.items);
    m->dirty.items[m->dirty.n++] = r;
}

void model_clear_dirty(struct model *m)
{
    for (size_t i = 0; i < m->dirty.n; i++)
        m->dirty.items[i]->dirty = false;
    m->dirty.n = 0;
    m->n_deleted = 0;
}

bool model_has_changes(const struct model *m)
{
    return m->dirty.n > 0 || m->n_deleted > 0;
}

static void scope_register(struct model *m, struct scope *s)
{
    hmap_put(&m->by_id, s->hdr.id, s);
    res_list_add(&m->scopes, &s->hdr);
}

struct scope *model_scope_find(const struct model *m, const char *account, const char *region)
{
    char id[ID_MAX];
    snprintf(id, sizeof id, "scope:%s:%s", account, region);
    struct res *r = hmap_get(&m->by_id, id);
    return r && r->type == RES_SCOPE ? (struct scope *)r : NULL;
}

struct scope *model_scope(struct model *m, const char *account, const char *region)
{
    struct scope *s = model_scope_find(m, account, region);
    if (s)
        return s;
    s = xcalloc(1, sizeof *s);
    s->hdr.type = RES_SCOPE;
    snprintf(s->hdr.id, sizeof s->hdr.id, "scope:%s:%s", account, region);
    snprintf(s->account, sizeof s->account, "%s", account);
    snprintf(s->region, sizeof s->region, "%s", region);
    s->hdr.scope = s;
    s->hdr.seq = m->next_seq++;
    scope_register(m, s);
    res_touch(m, &s->hdr);
    /* AWS gives every account a default VPC in every region the first time it is used. */
    struct merr err;
    struct vpc *v;
    vpc_create_default(m, s, &v, &err);
    return s;
}

struct res *res_new(struct model *m, struct scope *scope, enum res_type type)
{
    const struct res_class *c = res_class_of(type);
    struct res *r = xcalloc(1, c->size);
    r->type = type;
    do {
        id_new(r->id, c->id_prefix);
    } while (hmap_get(&m->by_id, r->id));
    r->scope = scope;
    r->seq = m->next_seq++;
    hmap_put(&m->by_id, r->id, r);
    res_list_add(&scope->lists[type], r);
    res_touch(m, r);
    return r;
}

void res_adopt(struct model *m, struct res *r)
{
    res_changed(m, r);
    if (r->type == RES_SCOPE) {
        scope_register(m, (struct scope *)r);
    } else {
        hmap_put(&m->by_id, r->id, r);
        res_list_add(&r->scope->lists[r->type], r);
    }
    if (r->seq >= m->next_seq)
        m->next_seq = r->seq + 1;
    const struct res_class *c = res_class_of(r->type);
    if (c->adopted)
        c->adopted(m, r);
}

void res_delete(struct model *m, struct res *r)
{
    res_changed(m, r);
    if (r->dirty)
        res_list_remove(&m->dirty, r);
    m->deleted = xgrow(m->deleted, &m->cap_deleted, m->n_deleted, sizeof *m->deleted);
    memcpy(m->deleted[m->n_deleted].id, r->id, ID_MAX);
    m->deleted[m->n_deleted++].seq = r->seq;
    hmap_remove(&m->by_id, r->id);
    res_list_remove(&r->scope->lists[r->type], r);
    if (r->peer_scope)
        res_list_remove(&r->peer_scope->lists[r->type], r);
    res_free(r);
}

void res_share(struct model *m, struct res *r, struct scope *peer)
{
    res_changed(m, r);
    if (!peer || peer == r->scope || r->peer_scope == peer)
        return;
    if (r->peer_scope)
        res_list_remove(&r->peer_scope->lists[r->type], r);
    r->peer_scope = peer;
    res_list_add(&peer->lists[r->type], r);
    res_touch(m, r);
}

struct res *res_find(const struct model *m, const struct scope *scope, enum res_type type,
                     const char *id)
{
    if (!id)
        return NULL;
    struct res *r = hmap_get(&m->by_id, id);
    if (!r || r->type != type || (r->scope != scope && r->peer_scope != scope))
        return NULL;
    return r;
}

struct res *res_find_any(const struct model *m, const char *id)
{
    return id ? hmap_get(&m->by_id, id) : NULL;
}

struct res *res_lookup(const struct model *m, const struct scope *scope, enum res_type type,
                       const char *id, struct merr *err)
{
    const struct res_class *c = res_class_of(type);
    if (!id_well_formed(id, c->id_prefix)) {
        merr_set(err, c->malformed_code, "Invalid id: \"%s\" (expecting \"%s-...\")", id,
                 c->id_prefix);
        return NULL;
    }
    struct res *r = res_find(m, scope, type, id);
    if (!r)
        merr_set(err, c->not_found_code, "The %s ID '%s' does not exist", c->name, id);
    return r;
}

/* ---- tags ---- */

void tags_set(struct tag_list *t, const char *key, const char *value)
{
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->items[i].key, key) == 0) {
            free(t->items[i].value);
            t->items[i].value = xstrdup(value ? value : "");
            return;
        }
    }
    t->items = xgrow(t->items, &t->cap, t->n, sizeof *t->items);
    t->items[t->n].key = xstrdup(key);
    t->items[t->n].value = xstrdup(value ? value : "");
    t->n++;
}

bool tags_remove(struct tag_list *t, const char *key, const char *value)
{
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->items[i].key, key) != 0)
            continue;
        if (value && strcmp(t->items[i].value, value) != 0)
            return false;
        free(t->items[i].key);
        free(t->items[i].value);
        memmove(&t->items[i], &t->items[i + 1], (t->n - i - 1) * sizeof *t->items);
        t->n--;
        return true;
    }
    return false;
}

const char *tags_get(const struct tag_list *t, const char *key)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->items[i].key, key) == 0)
            return t->items[i].value;
    return NULL;
}

void tags_clear(struct tag_list *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->items[i].key);
        free(t->items[i].value);
    }
    free(t->items);
    t->items = NULL;
    t->n = t->cap = 0;
}

void tags_copy(struct tag_list *dst, const struct tag_list *src)
{
    if (!src)
        return;
    for (size_t i = 0; i < src->n; i++)
        tags_set(dst, src->items[i].key, src->items[i].value);
}

int tags_validate(const struct tag_list *existing, const struct tag_list *adding,
                  struct merr *err)
{
    if (!adding)
        return 0;
    size_t total = existing ? existing->n : 0;
    for (size_t i = 0; i < adding->n; i++) {
        const char *k = adding->items[i].key, *v = adding->items[i].value;
        size_t klen = strlen(k);
        if (klen == 0 || klen > 128)
            return merr_set(err, "InvalidParameterValue",
                            "Tag key must be between 1 and 128 characters long");
        if (strncmp(k, "aws:", 4) == 0)
            return merr_set(err, "InvalidParameterValue",
                            "Tag keys starting with 'aws:' are reserved for internal use");
        if (strlen(v) > 256)
            return merr_set(err, "InvalidParameterValue",
                            "Tag value exceeds the maximum length of 256 characters");
        if (!existing || !tags_get(existing, k))
            total++;
    }
    if (total > 50)
        return merr_set(err, "TagLimitExceeded",
                        "The maximum number of tags (50) for a resource has been exceeded");
    return 0;
}

void json_copy_str(char *dst, size_t n, json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    snprintf(dst, n, "%s", v ? v : "");
}

json_t *tags_encode(const struct tag_list *t)
{
    json_t *o = json_object();
    for (size_t i = 0; i < t->n; i++)
        json_object_set_new(o, t->items[i].key, json_string(t->items[i].value));
    return o;
}

void tags_decode(struct tag_list *t, json_t *obj)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) tags_set(t, k, json_string_value(v));
}

/* ---- describe ---- */

static int match_values(const struct fvals *fv, const struct filter *f)
{
    for (size_t i = 0; i < fv->n; i++)
        for (size_t j = 0; j < f->n_values; j++)
            if (glob_match(f->values[j], fv->items[i]))
                return 1;
    return 0;
}

int model_filter_match(const struct model *m, const struct res *r, const struct filter *f,
                       size_t n, struct merr *err)
{
    struct fvals fvs = {0}, *fv = &fvs;
    int result = 1;
    for (size_t i = 0; i < n && result == 1; i++) {
        fv_reset(fv);
        if (strncmp(f[i].name, "tag:", 4) == 0) {
            const char *v = tags_get(&r->tags, f[i].name + 4);
            if (v)
                fv_add(fv, v);
        } else if (strcmp(f[i].name, "tag-key") == 0) {
            for (size_t t = 0; t < r->tags.n; t++)
                fv_add(fv, r->tags.items[t].key);
        } else if (strcmp(f[i].name, "tag-value") == 0) {
            for (size_t t = 0; t < r->tags.n; t++)
                fv_add(fv, r->tags.items[t].value);
        } else {
            const struct res_class *c = res_class_of(r->type);
            if (!c->filter || c->filter(m, r, f[i].name, fv) != 0) {
                merr_set(err, "InvalidParameterValue", "The filter '%s' is invalid",
                         f[i].name);
                result = -1;
                break;
            }
        }
        result = match_values(fv, &f[i]);
    }
    fv_destroy(fv);
    return result;
}

int model_describe(const struct model *m, const struct scope *scope, enum res_type type,
                   const struct describe_query *q, struct res ***out, size_t *n_out,
                   char next_token[32], struct merr *err)
{
    const struct res_class *c = res_class_of(type);
    next_token[0] = '\0';
    *out = NULL;
    *n_out = 0;
    if (q->max_results && q->n_ids)
        return merr_set(err, "InvalidParameterCombination",
                        "The parameter %s cannot be used with the parameter maxResults",
                        q->ids_param ? q->ids_param : "ids");
    if (q->max_results &&
        (q->max_results < q->max_results_min || q->max_results > q->max_results_max))
        return merr_set(err, "InvalidParameterValue",
                        "Value ( %ld ) for parameter maxResults is invalid. Expecting a value "
                        "between %ld and %ld.",
                        q->max_results, q->max_results_min, q->max_results_max);
    uint64_t start_seq = 0;
    if (q->next_token) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(q->next_token, &end, 16);
        if (errno || *end || end == q->next_token || strlen(q->next_token) != 16)
            return merr_set(err, "InvalidPaginationToken",
                            "Invalid pagination token '%s'", q->next_token);
        start_seq = v;
    }
    for (size_t i = 0; i < q->n_ids; i++) {
        if (!id_well_formed(q->ids[i], c->id_prefix))
            return merr_set(err, c->malformed_code, "Invalid id: \"%s\"", q->ids[i]);
        if (!res_find(m, scope, type, q->ids[i]))
            return merr_set(err, c->not_found_code, "The %s ID '%s' does not exist", c->name,
                            q->ids[i]);
    }
    /* With ids the candidates are those objects (each once, in creation order), found by id
     * rather than by walking every object of the type in the region. */
    struct res_list wanted = {0};
    for (size_t i = 0; i < q->n_ids; i++) {
        struct res *r = res_find(m, scope, type, q->ids[i]);
        bool seen = false;
        for (size_t k = 0; k < wanted.n && !seen; k++)
            seen = wanted.items[k] == r;
        if (!seen)
            res_list_add(&wanted, r);
    }
    const struct res_list *l = q->n_ids ? &wanted : &scope->lists[type];
    struct res **res = xmalloc((l->n ? l->n : 1) * sizeof *res);
    size_t n = 0;
    long limit = q->max_results ? q->max_results : 0;
    for (size_t i = 0; i < l->n; i++) {
        struct res *r = l->items[i];
        if (r->seq < start_seq)
            continue;
        int ok = model_filter_match(m, r, q->filters, q->n_filters, err);
        if (ok < 0) {
            free(wanted.items);
            free(res);
            return -1;
        }
        if (!ok)
            continue;
        if (limit && (long)n == limit) {
            snprintf(next_token, 32, "%016llx", (unsigned long long)r->seq);
            break;
        }
        res[n++] = r;
    }
    free(wanted.items);
    *out = res;
    *n_out = n;
    return 0;
}
