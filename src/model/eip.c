/* Elastic IP addresses.
 *
 * Addresses come from one pool shared by every account and region of this vpcd, so a public
 * address names exactly one allocation however many tenants there are. An association maps
 * the address to one private address of one ENI; NAT gateways bind theirs with eip_bind(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/classes.h"
#include "model/resources.h"

#define EIP_DEFAULT_POOL 0xcb007100u /* 203.0.113.0/24 (TEST-NET-3) */

static struct prefix4 eip_pool(const struct model *m)
{
    if (m->cfg.eip_pool_len == 0)
        return prefix4_make(EIP_DEFAULT_POOL, 24);
    return prefix4_make(m->cfg.eip_pool_addr, m->cfg.eip_pool_len);
}

static unsigned eip_quota(const struct model *m)
{
    return m->cfg.eips_per_region ? m->cfg.eips_per_region : 5;
}

static bool public_ip_taken(const struct model *m, uint32_t ip)
{
    for (size_t i = 0; i < m->scopes.n; i++) {
        const struct scope *s = (const struct scope *)m->scopes.items[i];
        const struct eip *e;
        SCOPE_FOREACH(e, s, RES_EIP)
        if (e->public_ip == ip)
            return true;
    }
    return false;
}

struct eip *eip_by_public_ip(const struct scope *s, uint32_t ip)
{
    struct eip *e;
    SCOPE_FOREACH(e, s, RES_EIP)
    if (e->public_ip == ip)
        return e;
    return NULL;
}

struct eip *eip_for_eni(const struct scope *s, const char *eni_id, uint32_t private_ip)
{
    struct eip *e;
    SCOPE_FOREACH(e, s, RES_EIP)
    {
        if (e->assoc_id[0] && strcmp(e->eni_id, eni_id) == 0 &&
            (private_ip == 0 || e->private_ip == private_ip))
            return e;
    }
    return NULL;
}

int eip_allocate(struct model *m, struct scope *s, const char *domain, const struct tag_list *tags,
                 struct eip **out, struct merr *err)
{
    if (domain && strcmp(domain, "vpc") != 0 && strcmp(domain, "standard") != 0)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter domain is invalid. Expecting 'vpc' or "
                        "'standard'.",
                        domain);
    if (s->lists[RES_EIP].n >= eip_quota(m))
        return merr_set(err, "AddressLimitExceeded",
                        "The maximum number of addresses has been reached.");
    if (tags_validate(NULL, tags, err))
        return -1;
    /* The network and broadcast addresses of the pool are never handed out, so that the
     * pool can be routed as an ordinary subnet in the internet namespace. */
    struct prefix4 pool = eip_pool(m);
    uint32_t first = prefix4_first(&pool) + 1, last = prefix4_last(&pool) - 1, ip = 0;
    for (uint32_t a = first; a <= last && a != 0; a++) {
        if (!public_ip_taken(m, a)) {
            ip = a;
            break;
        }
    }
    if (!ip)
        return merr_set(err, "InsufficientAddressCapacity",
                        "There are no more Elastic IP addresses available in the pool.");
    struct eip *e = (struct eip *)res_new(m, s, RES_EIP);
    e->public_ip = ip;
    tags_copy(&e->hdr.tags, tags);
    *out = e;
    return 0;
}

void eip_bind(struct model *m, struct eip *e, const struct eni *eni, uint32_t private_ip)
{
    if (!e->assoc_id[0])
        id_new(e->assoc_id, "eipassoc");
    snprintf(e->eni_id, sizeof e->eni_id, "%s", eni->hdr.id);
    e->private_ip = private_ip;
    res_touch(m, &e->hdr);
}

void eip_unbind(struct model *m, struct eip *e)
{
    e->assoc_id[0] = '\0';
    e->eni_id[0] = '\0';
    e->private_ip = 0;
    res_touch(m, &e->hdr);
}

void eip_eni_released(struct model *m, struct scope *s, const char *eni_id)
{
    struct eip *e;
    SCOPE_FOREACH(e, s, RES_EIP)
    if (e->assoc_id[0] && strcmp(e->eni_id, eni_id) == 0)
        eip_unbind(m, e);
}

bool eip_vpc_has_mapped(const struct model *m, const struct scope *s, const char *vpc_id)
{
    const struct eip *e;
    SCOPE_FOREACH(e, s, RES_EIP)
    {
        if (!e->assoc_id[0])
            continue;
        const struct eni *eni = eni_find(m, s, e->eni_id);
        if (eni && strcmp(eni->vpc_id, vpc_id) == 0)
            return true;
    }
    return false;
}

/* The EIP named by allocation id or, failing that, public IP. */
static struct eip *eip_lookup(const struct model *m, const struct scope *s, const char *alloc_id,
                              const char *public_ip, struct merr *err)
{
    if (alloc_id && *alloc_id)
        return (struct eip *)res_lookup(m, s, RES_EIP, alloc_id, err);
    if (!public_ip || !*public_ip) {
        merr_set(err, "MissingParameter", "Either public IP or allocation id must be specified");
        return NULL;
    }
    uint32_t ip;
    if (ip4_parse(public_ip, &ip) != 0) {
        merr_set(err, "InvalidAddress.Malformed", "Invalid address: '%s'", public_ip);
        return NULL;
    }
    struct eip *e = eip_by_public_ip(s, ip);
    if (!e)
        merr_set(err, "InvalidAddress.NotFound", "Address '%s' not found.", public_ip);
    return e;
}

/* The EIP of the scope whose association is assoc_id. */
static struct eip *eip_by_assoc(const struct scope *s, const char *assoc_id)
{
    struct eip *e;
    SCOPE_FOREACH(e, s, RES_EIP)
    if (e->assoc_id[0] && strcmp(e->assoc_id, assoc_id) == 0)
        return e;
    return NULL;
}

static bool eip_held_by_nat(const struct model *m, const struct scope *s, const struct eip *e)
{
    const struct eni *eni = e->assoc_id[0] ? eni_find(m, s, e->eni_id) : NULL;
    return eni && eni->requester_managed;
}

int eip_associate(struct model *m, struct scope *s, const struct eip_assoc_args *a,
                  struct eip **out, struct merr *err)
{
    struct eip *e = eip_lookup(m, s, a->allocation_id, a->public_ip, err);
    if (!e)
        return -1;
    bool has_inst = a->instance_id && *a->instance_id, has_eni = a->eni_id && *a->eni_id;
    if (!has_inst && !has_eni)
        return merr_set(err, "MissingParameter",
                        "Either instance ID or network interface ID must be specified");
    if (has_inst && has_eni)
        return merr_set(err, "InvalidParameterCombination",
                        "You may specify only one of instance ID or network interface ID");
    struct eni *eni;
    if (has_inst) {
        const struct instance *in =
            (const struct instance *)res_lookup(m, s, RES_INSTANCE, a->instance_id, err);
        if (!in)
            return -1;
        if (in->state != INST_RUNNING && in->state != INST_STOPPED && in->state != INST_PENDING)
            return merr_set(err, "IncorrectInstanceState",
                            "The instance '%s' is not in a valid state for this operation.",
                            in->hdr.id);
        struct eni **list;
        size_t n = eni_of_instance(s, in->hdr.id, &list);
        eni = n ? list[0] : NULL;
        free(list);
        if (n > 1)
            return merr_set(err, "InvalidInstanceID",
                            "There are multiple interfaces attached to instance '%s'. Please "
                            "specify an interface ID for the operation instead.",
                            in->hdr.id);
        if (!eni)
            return merr_set(err, "InvalidInstanceID", "The instance '%s' has no network interface.",
                            in->hdr.id);
    } else {
        eni = (struct eni *)res_lookup(m, s, RES_ENI, a->eni_id, err);
        if (!eni)
            return -1;
    }
    if (eni->requester_managed)
        return merr_set(err, "OperationNotPermitted",
                        "The network interface %s is managed by AWS; its addresses cannot be "
                        "changed.",
                        eni->hdr.id);
    uint32_t priv = eni->private_ips[0];
    if (a->private_ip && *a->private_ip) {
        bool found = false;
        if (ip4_parse(a->private_ip, &priv) == 0)
            for (size_t i = 0; i < eni->n_private_ips; i++)
                found |= eni->private_ips[i] == priv;
        if (!found)
            return merr_set(err, "InvalidParameterValue",
                            "The private IP address %s is not assigned to network interface %s.",
                            a->private_ip, eni->hdr.id);
    }
    /* An address needs a way to the internet: the VPC must have an internet gateway. */
    bool igw = false;
    const struct igw *g;
    SCOPE_FOREACH(g, s, RES_IGW)
    igw |= strcmp(g->vpc_id, eni->vpc_id) == 0;
    if (!igw)
        return merr_set(err, "Gateway.NotAttached",
                        "Network %s is not attached to any internet gateway", eni->vpc_id);
    bool same_target =
        e->assoc_id[0] && strcmp(e->eni_id, eni->hdr.id) == 0 && e->private_ip == priv;
    if (e->assoc_id[0] && !same_target) {
        if (eip_held_by_nat(m, s, e) || !a->allow_reassociation)
            return merr_set(err, "Resource.AlreadyAssociated",
                            "resource %s is already associated with associate-id %s", e->hdr.id,
                            e->assoc_id);
    }
    /* The target address may hold another EIP: that one is disassociated, as on AWS. */
    struct eip *old = eip_for_eni(s, eni->hdr.id, priv);
    if (old && old != e)
        eip_unbind(m, old);
    if (!same_target) {
        e->assoc_id[0] = '\0';
        eip_bind(m, e, eni, priv);
    }
    *out = e;
    return 0;
}

int eip_disassociate(struct model *m, struct scope *s, const char *assoc_id, const char *public_ip,
                     struct merr *err)
{
    struct eip *e;
    if (assoc_id && *assoc_id) {
        if (!id_well_formed(assoc_id, "eipassoc"))
            return merr_set(err, "InvalidAssociationID.Malformed",
                            "Invalid id: \"%s\" (expecting \"eipassoc-...\")", assoc_id);
        e = eip_by_assoc(s, assoc_id);
        if (!e)
            return merr_set(err, "InvalidAssociationID.NotFound",
                            "The association ID '%s' does not exist", assoc_id);
    } else {
        if (!(e = eip_lookup(m, s, NULL, public_ip, err)))
            return -1;
        if (!e->assoc_id[0])
            return merr_set(err, "InvalidAssociationID.NotFound",
                            "The address '%s' is not associated", public_ip);
    }
    if (eip_held_by_nat(m, s, e))
        return merr_set(err, "OperationNotPermitted",
                        "The address %s is in use by a NAT gateway and cannot be disassociated.",
                        e->hdr.id);
    eip_unbind(m, e);
    return 0;
}

int eip_release(struct model *m, struct scope *s, const char *alloc_id, const char *public_ip,
                struct merr *err)
{
    struct eip *e = eip_lookup(m, s, alloc_id, public_ip, err);
    if (!e)
        return -1;
    if (e->assoc_id[0])
        return merr_set(err, "InvalidIPAddress.InUse", "Address %s is in use.", e->hdr.id);
    res_delete(m, &e->hdr);
    return 0;
}

/* ---- class ---- */

static json_t *eip_encode(const struct res *r)
{
    const struct eip *e = (const struct eip *)r;
    return json_pack("{s:I, s:s, s:s, s:I}", "ip", (json_int_t)e->public_ip, "assoc", e->assoc_id,
                     "eni", e->eni_id, "priv", (json_int_t)e->private_ip);
}

static int eip_decode(struct res *r, json_t *b)
{
    struct eip *e = (struct eip *)r;
    e->public_ip = (uint32_t)json_integer_value(json_object_get(b, "ip"));
    e->private_ip = (uint32_t)json_integer_value(json_object_get(b, "priv"));
    json_copy_str(e->assoc_id, sizeof e->assoc_id, b, "assoc");
    json_copy_str(e->eni_id, sizeof e->eni_id, b, "eni");
    return e->public_ip ? 0 : -EINVAL;
}

static int eip_filter(const struct model *m, const struct res *r, const char *name,
                      struct fvals *out)
{
    const struct eip *e = (const struct eip *)r;
    const struct eni *eni = e->assoc_id[0] ? eni_find(m, r->scope, e->eni_id) : NULL;
    char text[IP4_STRLEN];
    if (strcmp(name, "allocation-id") == 0) {
        fv_add(out, e->hdr.id);
    } else if (strcmp(name, "association-id") == 0) {
        if (e->assoc_id[0])
            fv_add(out, e->assoc_id);
    } else if (strcmp(name, "domain") == 0) {
        fv_add(out, "vpc");
    } else if (strcmp(name, "instance-id") == 0) {
        if (eni && eni->attached && eni->att.instance_id[0])
            fv_add(out, eni->att.instance_id);
    } else if (strcmp(name, "network-interface-id") == 0) {
        if (eni)
            fv_add(out, eni->hdr.id);
    } else if (strcmp(name, "network-interface-owner-id") == 0) {
        if (eni)
            fv_add(out, r->scope->account);
    } else if (strcmp(name, "private-ip-address") == 0) {
        if (eni) {
            ip4_format(e->private_ip, text);
            fv_add(out, text);
        }
    } else if (strcmp(name, "public-ip") == 0) {
        ip4_format(e->public_ip, text);
        fv_add(out, text);
    } else if (strcmp(name, "network-border-group") == 0) {
        fv_add(out, r->scope->region);
    } else if (strcmp(name, "public-ipv4-pool") == 0) {
        fv_add(out, "amazon");
    } else {
        return -ENOENT;
    }
    return 0;
}

const struct res_class eip_class = {
    .name = "allocation",
    .id_prefix = "eipalloc",
    .size = sizeof(struct eip),
    .not_found_code = "InvalidAllocationID.NotFound",
    .malformed_code = "InvalidAllocationID.Malformed",
    .tag_resource_type = "elastic-ip",
    .encode = eip_encode,
    .decode = eip_decode,
    .filter = eip_filter,
};
