/* The model: every account's and region's resources, with AWS's rules. It does no I/O.
 *
 * Every resource starts with a struct res header. The model owns all resources; callers
 * borrow pointers until the next mutation. A mutation validates first and changes state
 * only after every check passed, so a failed call (-1 with a struct merr filled) leaves the
 * model exactly as it was. Each successful change marks what it touched (res_touch) so
 * that store/ can make it durable before the API replies. */
#ifndef VPCD_MODEL_MODEL_H
#define VPCD_MODEL_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lib/hmap.h"
#include "lib/ids.h"

enum res_type {
    RES_SCOPE, /* marks that an (account, region) exists and got its default VPC */
    RES_VPC,
    RES_SUBNET,
    RES_RTB,
    RES_SG,
    RES_NACL,
    RES_IGW,
    RES_EIGW,
    RES_PL,
    RES_PCX,        /* VPC peering connection: shared with the accepter's scope */
    RES_TGW,        /* transit gateway */
    RES_TGW_ATTACH, /* transit gateway attachment (VPC or peering; peering ones are shared) */
    RES_TGW_RTB,    /* transit gateway route table */
    RES_EIP,        /* Elastic IP address (id eipalloc-...) */
    RES_NAT,        /* NAT gateway */
    RES_ENI,        /* network interface */
    RES_INSTANCE,   /* instance */
    RES_NIP,        /* network insights path (Reachability Analyzer) */
    RES_NIA,        /* network insights analysis: one run of a path, with its result */
    RES_FLOW_LOG,   /* VPC flow log (id fl-...) */
    RES__COUNT
};

struct tag {
    char *key;   /* owned */
    char *value; /* owned */
};

struct tag_list {
    struct tag *items;
    size_t n;
    size_t cap;
};

struct scope;

struct res {
    enum res_type type;
    char id[ID_MAX];
    struct scope *scope; /* borrowed; scopes live as long as the model; the owner's scope */
    /* A second scope that sees (and may act on) this object, or NULL: the accepter of a
     * cross-account or cross-region peering. Set with res_share(); borrowed. */
    struct scope *peer_scope;
    uint64_t seq;        /* creation order: Describe answers in this order */
    uint64_t version;    /* the model generation of its last change (compiled tables compare
                          * it to know whether they are still current); not stored */
    struct tag_list tags;
    bool dirty; /* changed since the last store commit */
};

struct res_list {
    struct res **items; /* borrowed pointers, in seq order */
    size_t n;
    size_t cap;
};
/* Inserts r at its seq position (appending, for a new resource); removes r if present. */
void res_list_add(struct res_list *l, struct res *r);
void res_list_remove(struct res_list *l, const struct res *r);

struct scope {
    struct res hdr; /* id "scope:<account>:<region>" */
    char account[13];
    char region[32];
    struct res_list lists[RES__COUNT];
};

/* Error of a model call: an AWS error code and a message a user can act on. */
struct merr {
    const char *code; /* static string */
    char message[512];
};
int merr_set(struct merr *e, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Values of one filter name for one object, gathered for glob matching. Unbounded: an object
 * with many rules or routes must not lose a match. Start zeroed; fv_reset() empties it for the
 * next filter, fv_destroy() frees it. */
struct fvals {
    char **items; /* owned strings */
    size_t n, cap;
};
void fv_reset(struct fvals *fv);
void fv_destroy(struct fvals *fv);
void fv_add(struct fvals *fv, const char *value);
void fv_addf(struct fvals *fv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fv_bool(struct fvals *fv, bool b);

struct model;
struct res_text;

/* What every resource type provides. Classes are static tables in the family files. */
struct res_class {
    const char *name;      /* "vpc": used in messages and the store */
    const char *id_prefix; /* "vpc" */
    size_t size;           /* sizeof the full struct */
    const char *not_found_code; /* "InvalidVpcID.NotFound" */
    const char *malformed_code; /* "InvalidVpcID.Malformed" */
    const char *tag_resource_type; /* TagSpecification ResourceType, e.g. "vpc" */
    /* Frees what the resource owns beyond the struct itself (not the tags). May be NULL. */
    void (*destroy)(struct res *r);
    /* Body for the store (caller owns the result); header fields are stored separately. */
    json_t *(*encode)(const struct res *r);
    /* Top-level arrays of that body the store keeps as one row per element, so a change to
     * one route or rule rewrites one small row (at most two names; the rest NULL). */
    const char *split[2];
    /* Optional fast path for the store (model/jsontext.h): writes what encode() builds as
     * JSON text, each element of split[f] ended by res_text_elem(t, f), then the body
     * without the split arrays. Sets t->bad when it cannot; the store then uses encode(). */
    void (*encode_text)(const struct res *r, struct res_text *t);
    int (*decode)(struct res *r, json_t *body);
    /* Called by res_adopt() once a resource read from the store is registered, to put it in
     * the indexes its parent keeps (a VPC's subnets). Resources load in creation order, so
     * the parent is already there. May be NULL. */
    void (*adopted)(struct model *m, struct res *r);
    /* Adds the values of filter `name` for r; returns -ENOENT for an unknown filter name. */
    int (*filter)(const struct model *m, const struct res *r, const char *name,
                  struct fvals *out);
};

const struct res_class *res_class_of(enum res_type type);
/* Type of a resource id by its prefix ("subnet-..."), or RES__COUNT. */
enum res_type res_type_of_id(const char *id);

/* Quotas and other knobs; defaults are AWS's defaults. */
struct model_config {
    unsigned vpcs_per_region;
    unsigned subnets_per_vpc;
    unsigned ipv4_cidrs_per_vpc;
    unsigned ipv6_cidrs_per_vpc;
    unsigned rtbs_per_vpc;
    unsigned routes_per_rtb;
    unsigned sgs_per_region;
    unsigned rules_per_sg;
    unsigned nacls_per_vpc;
    unsigned nacl_rules_per_direction;
    unsigned igws_per_region;
    unsigned prefix_lists_per_region;
    unsigned peerings_per_vpc; /* active VPC peering connections per VPC (AWS: 50, up to 125) */
    /* Elastic IPs: the pool (--eip-pool; host-order base and length, 0/0 meaning the default
     * 203.0.113.0/24) and the per-region quota (0 meaning AWS's 5). */
    uint32_t eip_pool_addr;
    uint8_t eip_pool_len;
    unsigned eips_per_region;
};
void model_config_defaults(struct model_config *c);

/* A resource deleted since the last commit: the store finds its rows by seq. */
struct res_deleted {
    char id[ID_MAX];
    uint64_t seq;
};

struct model {
    struct hmap by_id;  /* id -> struct res* for every resource, scopes included */
    struct res_list scopes;
    uint64_t next_seq;
    struct model_config cfg;
    /* Injectable clock so tests can move time (peering expiry, flow logs ...). */
    time_t (*clock)(void *ctx);
    void *clock_ctx;
    time_t clock_offset; /* seconds added to the clock (dev mode's POST /_vpcd/clock) */
    /* Since the last commit: touched resources and ids of deleted ones. */
    struct res_list dirty;
    /* Bumped by every change (res_touch, res_new, res_delete ...), so compiled forwarding
     * tables can tell whether they are still current. */
    uint64_t generation;
    /* The generation of the last change to any resource of each type (objects whose compiled
     * form depends on every object of a type, such as a TGW route table on attachments). */
    uint64_t type_generation[RES__COUNT];
    struct res_deleted *deleted;
    size_t n_deleted;
    size_t cap_deleted;
};

/* The model owns everything it creates; model_free() frees it all. */
struct model *model_new(const struct model_config *cfg);
void model_free(struct model *m);
time_t model_now(const struct model *m);

/* The scope of (account, region), creating it (and its default VPC) on first use. */
struct scope *model_scope(struct model *m, const char *account, const char *region);
/* Existing scope or NULL; never creates. */
struct scope *model_scope_find(const struct model *m, const char *account, const char *region);

/* Creates a zeroed resource of `type` with a fresh id in `scope`, marked dirty. */
struct res *res_new(struct model *m, struct scope *scope, enum res_type type);
/* Registers a resource read from the store (id, seq, scope already set). */
void res_adopt(struct model *m, struct res *r);
/* Removes and frees a resource, recording its id for the store. */
void res_delete(struct model *m, struct res *r);
void res_touch(struct model *m, struct res *r);
/* Makes r visible in a second scope too (its Describe lists and res_find); the object still
 * belongs to r->scope and is stored and freed once. */
void res_share(struct model *m, struct res *r, struct scope *peer);
/* The resource `id` of `type` in `scope` (its own or shared with it), or NULL: other accounts'
 * and regions' objects are invisible, exactly as on AWS. */
struct res *res_find(const struct model *m, const struct scope *scope, enum res_type type,
                     const char *id);
/* Any resource by id, across scopes (for cross-account and cross-region objects). */
struct res *res_find_any(const struct model *m, const char *id);
/* Finds `id` in scope or fails with the class's Malformed / NotFound error. */
struct res *res_lookup(const struct model *m, const struct scope *scope, enum res_type type,
                       const char *id, struct merr *err);
void model_clear_dirty(struct model *m);
bool model_has_changes(const struct model *m);

/* Tags. */
void tags_set(struct tag_list *t, const char *key, const char *value);
bool tags_remove(struct tag_list *t, const char *key, const char *value /* NULL: any */);
const char *tags_get(const struct tag_list *t, const char *key);
void tags_clear(struct tag_list *t);
void tags_copy(struct tag_list *dst, const struct tag_list *src);
/* Validates AWS's tag rules (key 1..128 chars, not "aws:", value <= 256, <= 50 tags). */
int tags_validate(const struct tag_list *existing, const struct tag_list *adding,
                  struct merr *err);
json_t *tags_encode(const struct tag_list *t);
/* Decoding helper: copies obj[key] if it is a string, else "", truncating to n bytes. */
void json_copy_str(char *dst, size_t n, json_t *obj, const char *key);
void tags_decode(struct tag_list *t, json_t *arr);

/* Generic Describe: ids, filters, paging. */
struct filter {
    const char *name;
    const char **values; /* borrowed */
    size_t n_values;
};

struct describe_query {
    const char **ids; /* borrowed */
    size_t n_ids;
    const struct filter *filters;
    size_t n_filters;
    long max_results; /* 0: not given */
    long max_results_min, max_results_max; /* AWS's bounds for this action */
    const char *next_token; /* NULL: first page */
    const char *ids_param;  /* parameter name for messages, e.g. "vpcIds" */
};

/* Results are borrowed pointers (caller frees the array). next_token is empty on the last page. */
int model_describe(const struct model *m, const struct scope *scope, enum res_type type,
                   const struct describe_query *q, struct res ***out, size_t *n_out,
                   char next_token[32], struct merr *err);
/* True if r matches every filter (tag filters handled here, others by the class). Returns
 * -1 with InvalidParameterValue for an unknown filter name. */
int model_filter_match(const struct model *m, const struct res *r, const struct filter *f,
                       size_t n, struct merr *err);

/* Convenience: iterate a scope's resources of one type. */
#define SCOPE_FOREACH(var_, scope_, type_)                                                         \
    for (size_t var_##_i_ = 0;                                                                     \
         var_##_i_ < (scope_)->lists[type_].n && ((var_) = (void *)(scope_)->lists[type_].items[var_##_i_], 1); \
         var_##_i_++)

#endif
