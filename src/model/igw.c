/* Internet gateways (attach to one VPC at a time) and egress-only internet gateways (created
 * inside one VPC). Routes name gateways by id only: a route to a detached or deleted gateway
 * turns into a blackhole through route_state(), so nothing here edits route tables. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/classes.h"
#include "model/resources.h"

int igw_create(struct model *m, struct scope *s, const struct tag_list *tags, struct igw **out,
               struct merr *err)
{
    if (s->lists[RES_IGW].n >= m->cfg.igws_per_region)
        return merr_set(err, "InternetGatewayLimitExceeded",
                        "The maximum number of internet gateways (%u) has been reached.",
                        m->cfg.igws_per_region);
    if (tags_validate(NULL, tags, err))
        return -1;
    struct igw *g = (struct igw *)res_new(m, s, RES_IGW);
    tags_copy(&g->hdr.tags, tags);
    *out = g;
    return 0;
}

int igw_delete(struct model *m, struct scope *s, const char *igw_id, struct merr *err)
{
    struct igw *g = (struct igw *)res_lookup(m, s, RES_IGW, igw_id, err);
    if (!g)
        return -1;
    if (g->vpc_id[0])
        return merr_set(err, "DependencyViolation",
                        "The internetGateway '%s' has dependencies and cannot be deleted.",
                        g->hdr.id);
    res_delete(m, &g->hdr);
    return 0;
}

int igw_attach(struct model *m, struct scope *s, const char *igw_id, const char *vpc_id,
               struct merr *err)
{
    struct igw *g = (struct igw *)res_lookup(m, s, RES_IGW, igw_id, err);
    if (!g)
        return -1;
    struct vpc *v = (struct vpc *)res_lookup(m, s, RES_VPC, vpc_id, err);
    if (!v)
        return -1;
    if (g->vpc_id[0])
        return merr_set(err, "Resource.AlreadyAssociated",
                        "resource %s is already attached to network %s", g->hdr.id, g->vpc_id);
    const struct igw *other;
    SCOPE_FOREACH(other, s, RES_IGW)
    if (strcmp(other->vpc_id, v->hdr.id) == 0)
        return merr_set(err, "Resource.AlreadyAssociated",
                        "resource %s is already attached to network %s", other->hdr.id, v->hdr.id);
    snprintf(g->vpc_id, sizeof g->vpc_id, "%s", v->hdr.id);
    res_touch(m, &g->hdr);
    return 0;
}

int igw_detach(struct model *m, struct scope *s, const char *igw_id, const char *vpc_id,
               struct merr *err)
{
    struct igw *g = (struct igw *)res_lookup(m, s, RES_IGW, igw_id, err);
    if (!g)
        return -1;
    struct vpc *v = (struct vpc *)res_lookup(m, s, RES_VPC, vpc_id, err);
    if (!v)
        return -1;
    if (strcmp(g->vpc_id, v->hdr.id) != 0)
        return merr_set(err, "Gateway.NotAttached", "resource %s is not attached to network %s",
                        g->hdr.id, v->hdr.id);
    if (eip_vpc_has_mapped(m, s, v->hdr.id))
        return merr_set(err, "DependencyViolation",
                        "Network %s has some mapped public address(es). Please unmap those "
                        "public address(es) before detaching the gateway.",
                        v->hdr.id);
    g->vpc_id[0] = '\0';
    res_touch(m, &g->hdr);
    return 0;
}

int eigw_create_idempotent(struct model *m, struct scope *s, const char *vpc_id,
                           const char *client_token, const struct tag_list *tags, struct eigw **out,
                           bool *created, struct merr *err)
{
    *created = false;
    if (!vpc_id || !*vpc_id)
        return merr_set(err, "MissingParameter", "The request must contain the parameter VpcId");
    const char *token = client_token && *client_token ? client_token : NULL;
    struct eigw *e;
    if (token) {
        if (strlen(token) > 64)
            return merr_set(err, "InvalidParameterValue",
                            "Value (%s) for parameter clientToken is invalid. The client token "
                            "must be at most 64 characters.",
                            token);
        SCOPE_FOREACH(e, s, RES_EIGW)
        {
            if (strcmp(e->client_token, token) != 0)
                continue;
            if (strcmp(e->vpc_id, vpc_id) != 0)
                return merr_set(err, "IdempotentParameterMismatch",
                                "The client token '%s' was already used with different "
                                "parameters.",
                                token);
            *out = e;
            return 0;
        }
    }
    struct vpc *v = (struct vpc *)res_lookup(m, s, RES_VPC, vpc_id, err);
    if (!v)
        return -1;
    SCOPE_FOREACH(e, s, RES_EIGW)
    if (strcmp(e->vpc_id, v->hdr.id) == 0)
        return merr_set(err, "Resource.AlreadyAssociated",
                        "resource %s is already attached to network %s", e->hdr.id, v->hdr.id);
    if (tags_validate(NULL, tags, err))
        return -1;
    e = (struct eigw *)res_new(m, s, RES_EIGW);
    snprintf(e->vpc_id, sizeof e->vpc_id, "%s", v->hdr.id);
    snprintf(e->client_token, sizeof e->client_token, "%s", token ? token : "");
    tags_copy(&e->hdr.tags, tags);
    *out = e;
    *created = true;
    return 0;
}

int eigw_create(struct model *m, struct scope *s, const char *vpc_id, const struct tag_list *tags,
                struct eigw **out, struct merr *err)
{
    bool created;
    return eigw_create_idempotent(m, s, vpc_id, NULL, tags, out, &created, err);
}

int eigw_delete(struct model *m, struct scope *s, const char *eigw_id, struct merr *err)
{
    struct eigw *e = (struct eigw *)res_lookup(m, s, RES_EIGW, eigw_id, err);
    if (!e)
        return -1;
    res_delete(m, &e->hdr);
    return 0;
}

/* ---- classes ---- */

static json_t *igw_encode(const struct res *r)
{
    const struct igw *g = (const struct igw *)r;
    return json_pack("{s:s}", "vpc", g->vpc_id);
}

static int igw_decode(struct res *r, json_t *b)
{
    struct igw *g = (struct igw *)r;
    const char *v = json_string_value(json_object_get(b, "vpc"));
    snprintf(g->vpc_id, sizeof g->vpc_id, "%s", v ? v : "");
    return 0;
}

static int igw_filter(const struct model *m, const struct res *r, const char *name,
                      struct fvals *out)
{
    (void)m;
    const struct igw *g = (const struct igw *)r;
    if (strcmp(name, "internet-gateway-id") == 0) {
        fv_add(out, g->hdr.id);
    } else if (strcmp(name, "attachment.vpc-id") == 0) {
        if (g->vpc_id[0])
            fv_add(out, g->vpc_id);
    } else if (strcmp(name, "attachment.state") == 0) {
        /* AWS reports an attached gateway as "available" and omits detached ones. */
        if (g->vpc_id[0])
            fv_add(out, "available");
    } else if (strcmp(name, "owner-id") == 0) {
        fv_add(out, g->hdr.scope->account);
    } else {
        return -ENOENT;
    }
    return 0;
}

const struct res_class igw_class = {
    .name = "internet gateway",
    .id_prefix = "igw",
    .size = sizeof(struct igw),
    .not_found_code = "InvalidInternetGatewayID.NotFound",
    .malformed_code = "InvalidInternetGatewayId.Malformed",
    .tag_resource_type = "internet-gateway",
    .encode = igw_encode,
    .decode = igw_decode,
    .filter = igw_filter,
};

static json_t *eigw_encode(const struct res *r)
{
    const struct eigw *e = (const struct eigw *)r;
    return json_pack("{s:s,s:s}", "vpc", e->vpc_id, "token", e->client_token);
}

static int eigw_decode(struct res *r, json_t *b)
{
    struct eigw *e = (struct eigw *)r;
    const char *v = json_string_value(json_object_get(b, "vpc"));
    const char *t = json_string_value(json_object_get(b, "token"));
    snprintf(e->vpc_id, sizeof e->vpc_id, "%s", v ? v : "");
    snprintf(e->client_token, sizeof e->client_token, "%s", t ? t : "");
    return e->vpc_id[0] ? 0 : -EINVAL;
}

static int eigw_filter(const struct model *m, const struct res *r, const char *name,
                       struct fvals *out)
{
    (void)m;
    const struct eigw *e = (const struct eigw *)r;
    if (strcmp(name, "egress-only-internet-gateway-id") == 0) {
        fv_add(out, e->hdr.id);
    } else if (strcmp(name, "attachment.vpc-id") == 0) {
        fv_add(out, e->vpc_id);
    } else if (strcmp(name, "attachment.state") == 0) {
        fv_add(out, "attached");
    } else if (strcmp(name, "owner-id") == 0) {
        fv_add(out, e->hdr.scope->account);
    } else {
        return -ENOENT;
    }
    return 0;
}

const struct res_class eigw_class = {
    .name = "egress-only internet gateway",
    .id_prefix = "eigw",
    .size = sizeof(struct eigw),
    .not_found_code = "InvalidEgressOnlyInternetGatewayId.NotFound",
    .malformed_code = "InvalidEgressOnlyInternetGatewayId.Malformed",
    .tag_resource_type = "egress-only-internet-gateway",
    .encode = eigw_encode,
    .decode = eigw_decode,
    .filter = eigw_filter,
};
