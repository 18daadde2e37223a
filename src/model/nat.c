/* NAT gateways.
 *
 * A gateway's private address is an ENI like any other (eni_create is the only allocator);
 * a public gateway binds its EIP to that ENI. Deleting releases the ENI at once and keeps the
 * EIP allocated; routes to the gateway turn into blackholes through nat_route_active(). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/classes.h"
#include "model/resources.h"

/* Deleted and failed gateways stay visible this long, as on AWS. */
#define NAT_LINGER_SECONDS 3600
/* Pending, available and deleting gateways per zone. */
#define NAT_PER_AZ 5

static const char *const state_names[] = {
    [NAT_PENDING] = "pending",   [NAT_FAILED] = "failed",   [NAT_AVAILABLE] = "available",
    [NAT_DELETING] = "deleting", [NAT_DELETED] = "deleted",
};

const char *nat_state_name(enum nat_state st)
{
    return (unsigned)st <= NAT_DELETED ? state_names[st] : "failed";
}

static bool nat_live(const struct nat *n)
{
    return n->state == NAT_PENDING || n->state == NAT_AVAILABLE;
}

void nat_settle(struct model *m, struct scope *s)
{
    time_t now = model_now(m);
    for (size_t i = s->lists[RES_NAT].n; i-- > 0;) {
        struct nat *n = (struct nat *)s->lists[RES_NAT].items[i];
        if (n->hdr.scope != s)
            continue;
        if (n->state == NAT_PENDING) {
            n->state = n->failure_code[0] ? NAT_FAILED : NAT_AVAILABLE;
            if (n->state == NAT_FAILED)
                n->delete_time = now;
            res_touch(m, &n->hdr);
        } else if (n->state == NAT_DELETING) {
            n->state = NAT_DELETED;
            res_touch(m, &n->hdr);
        } else if ((n->state == NAT_DELETED || n->state == NAT_FAILED) &&
                   now - n->delete_time >= NAT_LINGER_SECONDS) {
            res_delete(m, &n->hdr);
        }
    }
}

static int nat_same_request(const struct nat *n, const struct nat_create_args *a, bool is_private)
{
    return strcmp(n->subnet_id, a->subnet_id ? a->subnet_id : "") == 0 &&
           n->is_private == is_private &&
           strcmp(n->allocation_id, a->allocation_id ? a->allocation_id : "") == 0;
}

int nat_create(struct model *m, struct scope *s, const struct nat_create_args *a, struct nat **out,
               bool *created, struct merr *err)
{
    *created = false;
    const char *conn = a->connectivity && *a->connectivity ? a->connectivity : "public";
    if (strcmp(conn, "public") != 0 && strcmp(conn, "private") != 0)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter connectivityType is invalid. Expecting "
                        "'public' or 'private'.",
                        conn);
    bool is_private = strcmp(conn, "private") == 0;
    const char *token = a->client_token && *a->client_token ? a->client_token : NULL;
    if (token) {
        if (strlen(token) > 64)
            return merr_set(err, "InvalidParameterValue",
                            "Value (%s) for parameter clientToken is invalid. The client token "
                            "must be at most 64 characters.",
                            token);
        struct nat *n;
        SCOPE_FOREACH(n, s, RES_NAT)
        {
            if (strcmp(n->client_token, token) != 0)
                continue;
            if (!nat_same_request(n, a, is_private))
                return merr_set(err, "IdempotentParameterMismatch",
                                "The client token '%s' was already used with different "
                                "parameters.",
                                token);
            *out = n;
            return 0;
        }
    }
    if (!a->subnet_id || !*a->subnet_id)
        return merr_set(err, "MissingParameter", "The request must contain the parameter SubnetId");
    const struct subnet *sn =
        (const struct subnet *)res_lookup(m, s, RES_SUBNET, a->subnet_id, err);
    if (!sn)
        return -1;
    bool has_alloc = a->allocation_id && *a->allocation_id;
    struct eip *eip = NULL;
    if (is_private && has_alloc)
        return merr_set(err, "InvalidParameterCombination",
                        "A private NAT gateway cannot have an Elastic IP address (allocationId).");
    if (!is_private) {
        if (!has_alloc)
            return merr_set(err, "MissingParameter",
                            "The request must contain the parameter AllocationId for a public "
                            "NAT gateway");
        eip = (struct eip *)res_lookup(m, s, RES_EIP, a->allocation_id, err);
        if (!eip)
            return -1;
        if (eip->assoc_id[0])
            return merr_set(err, "Resource.AlreadyAssociated",
                            "Elastic IP address [%s] is already associated", eip->hdr.id);
    }
    unsigned in_az = 0;
    const struct nat *o;
    SCOPE_FOREACH(o, s, RES_NAT)
    {
        const struct subnet *osn = subnet_find(m, s, o->subnet_id);
        if ((nat_live(o) || o->state == NAT_DELETING) && osn && strcmp(osn->az, sn->az) == 0)
            in_az++;
    }
    if (in_az >= NAT_PER_AZ)
        return merr_set(err, "NatGatewayLimitExceeded",
                        "The maximum number of NAT gateways (%d) in availability zone %s has "
                        "been reached.",
                        NAT_PER_AZ, sn->az);
    if (tags_validate(NULL, a->tags, err))
        return -1;
    /* A public gateway in a VPC without an internet gateway is created and then fails, as
     * on AWS; it takes no address. */
    bool igw = false;
    const struct igw *g;
    SCOPE_FOREACH(g, s, RES_IGW)
    igw |= strcmp(g->vpc_id, sn->vpc_id) == 0;
    bool will_fail = !is_private && !igw;

    struct eni *eni = NULL;
    if (!will_fail) {
        struct eni_create_args ea = {
            .subnet_id = sn->hdr.id,
            .private_ip = a->private_ip && *a->private_ip ? a->private_ip : NULL,
            .interface_type = "nat_gateway",
            .requester_managed = true,
            .requester_id = "amazon-aws",
        };
        if (eni_create(m, s, &ea, &eni, err))
            return -1;
    }
    struct nat *n = (struct nat *)res_new(m, s, RES_NAT);
    if (eni)
        snprintf(eni->description, sizeof eni->description, "Interface for NAT Gateway %s",
                 n->hdr.id);
    snprintf(n->subnet_id, sizeof n->subnet_id, "%s", sn->hdr.id);
    snprintf(n->vpc_id, sizeof n->vpc_id, "%s", sn->vpc_id);
    n->is_private = is_private;
    n->state = NAT_PENDING;
    n->create_time = model_now(m);
    snprintf(n->client_token, sizeof n->client_token, "%s", token ? token : "");
    if (eip) {
        snprintf(n->allocation_id, sizeof n->allocation_id, "%s", eip->hdr.id);
        n->public_ip = eip->public_ip;
    }
    if (will_fail) {
        snprintf(n->failure_code, sizeof n->failure_code, "Gateway.NotAttached");
        snprintf(n->failure_message, sizeof n->failure_message,
                 "Network %s has no Internet gateway attached", sn->vpc_id);
    } else {
        snprintf(n->eni_id, sizeof n->eni_id, "%s", eni->hdr.id);
        n->private_ip = eni->private_ips[0];
        eni_attach_raw(m, eni, NULL, 1, false);
        id_new(eni->att.id, "ela-attach");
        if (eip) {
            eip_bind(m, eip, eni, eni->private_ips[0]);
            snprintf(n->assoc_id, sizeof n->assoc_id, "%s", eip->assoc_id);
        }
    }
    tags_copy(&n->hdr.tags, a->tags);
    *out = n;
    *created = true;
    return 0;
}

int nat_delete(struct model *m, struct scope *s, const char *nat_id, struct merr *err)
{
    struct nat *n = (struct nat *)res_lookup(m, s, RES_NAT, nat_id, err);
    if (n && (n->state == NAT_DELETED || n->state == NAT_DELETING))
        n = NULL;
    if (!n) {
        if (id_well_formed(nat_id, "nat")) /* AWS's own wording for this one */
            merr_set(err, "NatGatewayNotFound", "NAT gateway %s was not found", nat_id);
        return -1;
    }
    struct eni *eni = n->eni_id[0] ? eni_find(m, s, n->eni_id) : NULL;
    if (eni)
        eni_release(m, eni); /* also disassociates the EIP, which stays allocated */
    n->state = NAT_DELETING;
    n->delete_time = model_now(m);
    res_touch(m, &n->hdr);
    return 0;
}

int nat_route_check(const struct model *m, const struct scope *s, const char *vpc_id,
                    const char *nat_id, struct merr *err)
{
    if (!id_well_formed(nat_id, "nat"))
        return merr_set(err, "InvalidNatGatewayID.Malformed",
                        "Invalid id: \"%s\" (expecting \"nat-...\")", nat_id);
    const struct nat *n = (const struct nat *)res_find(m, s, RES_NAT, nat_id);
    if (!n || !nat_live(n))
        return merr_set(err, "InvalidNatGatewayID.NotFound",
                        "The natGateway ID '%s' does not exist", nat_id);
    if (strcmp(n->vpc_id, vpc_id) != 0)
        return merr_set(err, "InvalidParameterValue",
                        "route table and NAT gateway %s belong to different networks", nat_id);
    return 0;
}

bool nat_route_active(const struct model *m, const struct scope *s, const char *nat_id)
{
    const struct nat *n = (const struct nat *)res_find(m, s, RES_NAT, nat_id);
    return n && nat_live(n);
}

/* ---- class ---- */

static json_t *nat_encode(const struct res *r)
{
    const struct nat *n = (const struct nat *)r;
    return json_pack("{s:s, s:s, s:b, s:i, s:s, s:s, s:I, s:I, s:s, s:I, s:I, s:s, s:s, s:s}",
                     "subnet", n->subnet_id, "vpc", n->vpc_id, "private", n->is_private, "state",
                     (int)n->state, "alloc", n->allocation_id, "eni", n->eni_id, "priv",
                     (json_int_t)n->private_ip, "pub", (json_int_t)n->public_ip, "assoc",
                     n->assoc_id, "created", (json_int_t)n->create_time, "deleted",
                     (json_int_t)n->delete_time, "fcode", n->failure_code, "fmsg",
                     n->failure_message, "token", n->client_token);
}

static int nat_decode(struct res *r, json_t *b)
{
    struct nat *n = (struct nat *)r;
    json_copy_str(n->subnet_id, sizeof n->subnet_id, b, "subnet");
    json_copy_str(n->vpc_id, sizeof n->vpc_id, b, "vpc");
    json_copy_str(n->allocation_id, sizeof n->allocation_id, b, "alloc");
    json_copy_str(n->eni_id, sizeof n->eni_id, b, "eni");
    json_copy_str(n->assoc_id, sizeof n->assoc_id, b, "assoc");
    json_copy_str(n->failure_code, sizeof n->failure_code, b, "fcode");
    json_copy_str(n->failure_message, sizeof n->failure_message, b, "fmsg");
    json_copy_str(n->client_token, sizeof n->client_token, b, "token");
    n->is_private = json_is_true(json_object_get(b, "private"));
    n->state = (enum nat_state)json_integer_value(json_object_get(b, "state"));
    n->private_ip = (uint32_t)json_integer_value(json_object_get(b, "priv"));
    n->public_ip = (uint32_t)json_integer_value(json_object_get(b, "pub"));
    n->create_time = (time_t)json_integer_value(json_object_get(b, "created"));
    n->delete_time = (time_t)json_integer_value(json_object_get(b, "deleted"));
    return n->subnet_id[0] && n->state <= NAT_DELETED ? 0 : -EINVAL;
}

static int nat_filter(const struct model *m, const struct res *r, const char *name,
                      struct fvals *out)
{
    (void)m;
    const struct nat *n = (const struct nat *)r;
    if (strcmp(name, "nat-gateway-id") == 0)
        fv_add(out, n->hdr.id);
    else if (strcmp(name, "state") == 0)
        fv_add(out, nat_state_name(n->state));
    else if (strcmp(name, "subnet-id") == 0)
        fv_add(out, n->subnet_id);
    else if (strcmp(name, "vpc-id") == 0)
        fv_add(out, n->vpc_id);
    else
        return -ENOENT;
    return 0;
}

const struct res_class nat_class = {
    .name = "NAT gateway",
    .id_prefix = "nat",
    .size = sizeof(struct nat),
    .not_found_code = "NatGatewayNotFound",
    .malformed_code = "NatGatewayMalformed",
    .tag_resource_type = "natgateway",
    .encode = nat_encode,
    .decode = nat_decode,
    .filter = nat_filter,
};
