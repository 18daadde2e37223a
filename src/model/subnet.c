/* Subnets: IPv4 and IPv6 blocks carved from their VPC, zones, attributes, default subnets. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/xalloc.h"
#include "model/cidr_rules.h"
#include "model/classes.h"
#include "model/jsontext.h"
#include "model/resources.h"

struct subnet *subnet_find(const struct model *m, const struct scope *s, const char *id)
{
    return (struct subnet *)res_find(m, s, RES_SUBNET, id);
}

uint64_t subnet_available_count(const struct subnet *sn)
{
    if (!sn->has_ipv4)
        return 0;
    uint64_t total = subnet_available_ipv4(&sn->cidr);
    return total > sn->used_ipv4 ? total - sn->used_ipv4 : 0;
}

static void subnet_add_ipv6(struct subnet *sn, const struct prefix6 *p)
{
    sn->ipv6 = xgrow(sn->ipv6, &sn->cap_ipv6, sn->n_ipv6, sizeof *sn->ipv6);
    struct subnet_ipv6_cidr *c = &sn->ipv6[sn->n_ipv6++];
    memset(c, 0, sizeof *c);
    id_new(c->assoc_id, "subnet-cidr-assoc");
    c->cidr = *p;
}

static int zone_error(const struct scope *s, const char *param, const char *value, struct merr *err)
{
    char z[3][40];
    for (int i = 0; i < 3; i++)
        region_zone_name(s->region, i, z[i]);
    return merr_set(err, "InvalidParameterValue",
                    "Value (%s) for parameter %s is invalid. Subnets can currently only be "
                    "created in the following availability zones: %s, %s, %s.",
                    value, param, z[0], z[1], z[2]);
}

/* Zone index from a name or an id; no zone at all means the region's first zone. */
static int pick_zone(const struct scope *s, const char *az, const char *az_id, int *idx,
                     struct merr *err)
{
    if (az && *az && az_id && *az_id)
        return merr_set(err, "InvalidParameterCombination",
                        "Only one of availabilityZone or availabilityZoneId may be specified.");
    *idx = 0;
    if (az && *az) {
        if ((*idx = region_zone_index(s->region, az)) < 0)
            return zone_error(s, "availabilityZone", az, err);
    } else if (az_id && *az_id) {
        if ((*idx = region_zone_index(s->region, az_id)) < 0)
            return zone_error(s, "availabilityZoneId", az_id, err);
    }
    return 0;
}

static bool ipv6_in_vpc(const struct vpc *v, const struct prefix6 *p)
{
    for (size_t i = 0; i < v->n_ipv6; i++)
        if (ipv6_subnet_in_vpc_block(&v->ipv6[i].cidr, p) == 0)
            return true;
    return false;
}

/* Parses and checks an IPv6 subnet block against the VPC and its other subnets. */
static int check_ipv6_block(const struct scope *s, const struct vpc *v, const char *skip_id,
                            const char *text, struct prefix6 *p, struct merr *err)
{
    if (prefix6_parse(text, p) != 0)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter ipv6CidrBlock is invalid. This is not a valid "
                        "IPv6 CIDR block.",
                        text);
    char c[PREFIX6_STRLEN];
    prefix6_format(p, c);
    if (!vpc_has_ipv6(v))
        return merr_set(err, "InvalidParameterValue",
                        "The IPv6 CIDR '%s' is invalid: the vpc '%s' has no IPv6 CIDR block.", c,
                        v->hdr.id);
    if (!ipv6_in_vpc(v, p))
        return merr_set(err, "InvalidSubnet.Range", "The IPv6 CIDR '%s' is invalid.", c);
    const struct subnet *o;
    SCOPE_FOREACH(o, s, RES_SUBNET)
    {
        if (strcmp(o->vpc_id, v->hdr.id) != 0 || (skip_id && strcmp(o->hdr.id, skip_id) == 0))
            continue;
        for (size_t k = 0; k < o->n_ipv6; k++)
            if (prefix6_overlaps(&o->ipv6[k].cidr, p))
                return merr_set(err, "InvalidSubnet.Conflict",
                                "The CIDR '%s' conflicts with another subnet", c);
    }
    return 0;
}

static int check_ipv4_block(const struct vpc *v, const char *text,
                            struct prefix4 *p, struct merr *err)
{
    if (prefix4_parse(text, p) != 0)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR "
                        "block.",
                        text);
    char c[PREFIX4_STRLEN];
    prefix4_format(p, c);
    bool inside = false;
    for (size_t i = 0; i < v->n_cidrs && !inside; i++)
        inside = prefix4_contains(&v->cidrs[i].cidr, p);
    if (!vpc_cidr_size_valid(p) || !inside)
        return merr_set(err, "InvalidSubnet.Range", "The CIDR '%s' is invalid.", c);
    for (size_t i = 0; i < v->subnets.n; i++) {
        const struct subnet *o = (const struct subnet *)v->subnets.items[i];
        if (o->has_ipv4 && prefix4_overlaps(&o->cidr, p))
            return merr_set(err, "InvalidSubnet.Conflict",
                            "The CIDR '%s' conflicts with another subnet", c);
    }
    return 0;
}

int subnet_create(struct model *m, struct scope *s, const struct subnet_create_args *a,
                  struct subnet **out, struct merr *err)
{
    if (!a->vpc_id || !*a->vpc_id)
        return merr_set(err, "MissingParameter", "The request must contain the parameter VpcId");
    struct vpc *v = (struct vpc *)res_lookup(m, s, RES_VPC, a->vpc_id, err);
    if (!v)
        return -1;
    const char *cidr = a->cidr && *a->cidr ? a->cidr : NULL;
    const char *cidr6 = a->ipv6_cidr && *a->ipv6_cidr ? a->ipv6_cidr : NULL;
    if (a->ipv6_native && cidr)
        return merr_set(err, "InvalidParameterCombination",
                        "The parameter cidrBlock cannot be used with ipv6Native: an IPv6-only "
                        "subnet has no IPv4 CIDR block.");
    if (a->ipv6_native && !cidr6)
        return merr_set(err, "InvalidParameterCombination",
                        "An IPv6-only subnet (ipv6Native) requires the parameter ipv6CidrBlock.");
    if (!a->ipv6_native && !cidr)
        return merr_set(err, "MissingParameter",
                        "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.");
    struct prefix4 p4 = {0};
    if (cidr && check_ipv4_block(v, cidr, &p4, err))
        return -1;
    int zone = 0;
    if (pick_zone(s, a->az, a->az_id, &zone, err))
        return -1;
    struct prefix6 p6 = {0};
    if (cidr6 && check_ipv6_block(s, v, NULL, cidr6, &p6, err))
        return -1;
    if (v->subnets.n >= m->cfg.subnets_per_vpc)
        return merr_set(err, "SubnetLimitExceeded",
                        "The maximum number of subnets (%u) for vpc '%s' has been reached.",
                        m->cfg.subnets_per_vpc, v->hdr.id);
    if (tags_validate(NULL, a->tags, err))
        return -1;

    struct subnet *sn = (struct subnet *)res_new(m, s, RES_SUBNET);
    snprintf(sn->vpc_id, sizeof sn->vpc_id, "%s", v->hdr.id);
    sn->has_ipv4 = cidr != NULL;
    sn->cidr = p4;
    if (cidr6)
        subnet_add_ipv6(sn, &p6);
    region_zone_name(s->region, zone, sn->az);
    sn->ipv6_native = a->ipv6_native;
    /* IPv6-only subnets can only name instances by id and must hand out IPv6 addresses. */
    sn->assign_ipv6 = a->ipv6_native;
    snprintf(sn->hostname_type, sizeof sn->hostname_type, "%s",
             a->ipv6_native ? "resource-name" : "ip-name");
    tags_copy(&sn->hdr.tags, a->tags);
    res_list_add(&v->subnets, &sn->hdr);
    nacl_associate_default(m, s, sn);
    *out = sn;
    return 0;
}

int subnet_delete(struct model *m, struct scope *s, const char *subnet_id, struct merr *err)
{
    struct subnet *sn = (struct subnet *)res_lookup(m, s, RES_SUBNET, subnet_id, err);
    if (!sn)
        return -1;
    if (sn->used_ipv4 > 0)
        return merr_set(err, "DependencyViolation",
                        "The subnet '%s' has dependencies and cannot be deleted.", subnet_id);
    /* The id may point into the resource being freed: keep a copy for the hooks. */
    char id[ID_MAX];
    snprintf(id, sizeof id, "%s", sn->hdr.id);
    rtb_forget_subnet(m, s, id);
    nacl_forget_subnet(m, s, id);
    struct vpc *v = vpc_find(m, s, sn->vpc_id);
    if (v)
        res_list_remove(&v->subnets, &sn->hdr);
    res_delete(m, &sn->hdr);
    return 0;
}

int subnet_associate_ipv6(struct model *m, struct scope *s, const char *subnet_id,
                          const char *ipv6_cidr, const struct subnet_ipv6_cidr **out,
                          struct merr *err)
{
    struct subnet *sn = (struct subnet *)res_lookup(m, s, RES_SUBNET, subnet_id, err);
    if (!sn)
        return -1;
    if (!ipv6_cidr || !*ipv6_cidr)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter ipv6CidrBlock");
    const struct vpc *v = vpc_find(m, s, sn->vpc_id);
    if (!v)
        return merr_set(err, "InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", sn->vpc_id);
    struct prefix6 p;
    if (check_ipv6_block(s, v, NULL, ipv6_cidr, &p, err))
        return -1;
    if (sn->n_ipv6 > 0) {
        char have[PREFIX6_STRLEN];
        prefix6_format(&sn->ipv6[0].cidr, have);
        return merr_set(err, "CidrLimitExceeded",
                        "The subnet '%s' already has the IPv6 CIDR block '%s' associated: a "
                        "subnet can have only one IPv6 CIDR block.",
                        subnet_id, have);
    }
    subnet_add_ipv6(sn, &p);
    res_touch(m, &sn->hdr);
    *out = &sn->ipv6[sn->n_ipv6 - 1];
    return 0;
}

int subnet_disassociate_ipv6(struct model *m, struct scope *s, const char *assoc_id,
                             struct subnet **sn_out, struct subnet_ipv6_cidr *gone,
                             struct merr *err)
{
    if (!assoc_id || !*assoc_id)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter associationId");
    if (!id_well_formed(assoc_id, "subnet-cidr-assoc"))
        return merr_set(err, "InvalidSubnetCidrBlockAssociationId.Malformed",
                        "The subnet CIDR block with association ID %s is malformed", assoc_id);
    struct subnet *sn;
    SCOPE_FOREACH(sn, s, RES_SUBNET)
    {
        for (size_t i = 0; i < sn->n_ipv6; i++) {
            if (strcmp(sn->ipv6[i].assoc_id, assoc_id) != 0)
                continue;
            if (sn->assign_ipv6)
                return merr_set(err, "InvalidCidrBlock.InUse",
                                "The subnet IPv6 CIDR block with association ID %s may not be "
                                "disassociated, because its subnet has "
                                "assign-ipv6-address-on-creation set to true.",
                                assoc_id);
            *gone = sn->ipv6[i];
            memmove(&sn->ipv6[i], &sn->ipv6[i + 1], (sn->n_ipv6 - i - 1) * sizeof *sn->ipv6);
            sn->n_ipv6--;
            /* These only mean something while the subnet has IPv6. */
            sn->enable_dns64 = false;
            sn->rn_dns_aaaa = false;
            res_touch(m, &sn->hdr);
            *sn_out = sn;
            return 0;
        }
    }
    return merr_set(err, "InvalidSubnetCidrBlockAssociationID.NotFound",
                    "The subnet CIDR block with association ID '%s' does not exist", assoc_id);
}

int subnet_create_default(struct model *m, struct scope *s, const char *az, bool ipv6_native,
                          struct subnet **out, struct merr *err)
{
    if (!az || !*az)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter availabilityZone");
    struct vpc *v = NULL, *it;
    SCOPE_FOREACH(it, s, RES_VPC)
    if (it->is_default)
        v = it;
    if (!v)
        return merr_set(err, "DefaultVpcDoesNotExist", "No default VPC for this user in region %s.",
                        s->region);
    int zone = region_zone_index(s->region, az);
    if (zone < 0)
        return zone_error(s, "availabilityZone", az, err);
    char zname[40];
    region_zone_name(s->region, zone, zname);
    const struct subnet *o;
    SCOPE_FOREACH(o, s, RES_SUBNET)
    if (strcmp(o->vpc_id, v->hdr.id) == 0 && o->default_for_az && strcmp(o->az, zname) == 0)
        return merr_set(err, "DefaultSubnetAlreadyExistsInAvailabilityZone",
                        "A default subnet already exists in availability zone %s: %s", zname,
                        o->hdr.id);
    struct subnet_create_args a = {.vpc_id = v->hdr.id, .az = zname, .ipv6_native = ipv6_native};
    char text[PREFIX6_STRLEN];
    if (ipv6_native) {
        if (!vpc_has_ipv6(v))
            return merr_set(err, "InvalidParameterValue",
                            "The default VPC '%s' has no IPv6 CIDR block for an IPv6-only "
                            "subnet.",
                            v->hdr.id);
        /* The first /64 of the VPC's first IPv6 block that no subnet holds. */
        bool found = false;
        for (unsigned i = 0; i < 256 && !found; i++) {
            struct prefix6 p = v->ipv6[0].cidr;
            p.addr[7] = (uint8_t)(p.addr[7] | i);
            p.len = 64;
            found = true;
            SCOPE_FOREACH(o, s, RES_SUBNET)
            for (size_t k = 0; k < o->n_ipv6; k++)
                if (prefix6_overlaps(&o->ipv6[k].cidr, &p))
                    found = false;
            if (found)
                prefix6_format(&p, text);
        }
        if (!found)
            return merr_set(err, "InsufficientFreeAddressesInSubnet",
                            "The default VPC '%s' has no free IPv6 /64 left.", v->hdr.id);
        a.ipv6_cidr = text;
    } else {
        /* Default subnets are the /20s of 172.31.0.0/16, lowest free one first. */
        bool found = false;
        for (uint32_t i = 0; i < 16 && !found; i++) {
            struct prefix4 p = {.addr = v->cidrs[0].cidr.addr + (i << 12), .len = 20};
            if (!prefix4_contains(&v->cidrs[0].cidr, &p))
                break;
            found = true;
            SCOPE_FOREACH(o, s, RES_SUBNET)
            if (strcmp(o->vpc_id, v->hdr.id) == 0 && o->has_ipv4 && prefix4_overlaps(&o->cidr, &p))
                found = false;
            if (found)
                prefix4_format(&p, text);
        }
        if (!found)
            return merr_set(err, "InvalidSubnet.Conflict",
                            "No free /20 CIDR block is left in the default VPC '%s'.", v->hdr.id);
        a.cidr = text;
    }
    struct subnet *sn;
    if (subnet_create(m, s, &a, &sn, err))
        return -1;
    sn->default_for_az = true;
    sn->map_public_ip = !ipv6_native;
    *out = sn;
    return 0;
}

static int attr_needs_ipv6(const struct subnet *sn, const char *name, struct merr *err)
{
    return merr_set(err, "InvalidParameterValue",
                    "Invalid value 'true' for %s. Cannot set %s to true unless the subnet (%s) "
                    "has an IPv6 CIDR block associated with it.",
                    name, name, sn->hdr.id);
}

int subnet_set_attribute(struct model *m, struct scope *s, const char *subnet_id,
                         enum subnet_attr attr, const struct subnet_attr_value *v, struct merr *err)
{
    struct subnet *sn = (struct subnet *)res_lookup(m, s, RES_SUBNET, subnet_id, err);
    if (!sn)
        return -1;
    switch (attr) {
    case SUBNET_ATTR_MAP_PUBLIC_IP:
        if (v->flag && !sn->has_ipv4)
            return merr_set(err, "InvalidParameterValue",
                            "Invalid value 'true' for map-public-ip-on-launch. The subnet (%s) "
                            "is IPv6-only.",
                            sn->hdr.id);
        sn->map_public_ip = v->flag;
        break;
    case SUBNET_ATTR_ASSIGN_IPV6:
        if (v->flag && sn->n_ipv6 == 0)
            return attr_needs_ipv6(sn, "assign-ipv6-address-on-creation", err);
        if (!v->flag && sn->ipv6_native)
            return merr_set(err, "InvalidParameterValue",
                            "Invalid value 'false' for assign-ipv6-address-on-creation. The "
                            "subnet (%s) is IPv6-only.",
                            sn->hdr.id);
        sn->assign_ipv6 = v->flag;
        break;
    case SUBNET_ATTR_DNS64:
        if (v->flag && sn->n_ipv6 == 0)
            return attr_needs_ipv6(sn, "enable-dns64", err);
        sn->enable_dns64 = v->flag;
        break;
    case SUBNET_ATTR_HOSTNAME_TYPE:
        if (!v->text || (strcmp(v->text, "ip-name") != 0 && strcmp(v->text, "resource-name") != 0))
            return merr_set(err, "InvalidParameterValue",
                            "Value (%s) for parameter privateDnsHostnameTypeOnLaunch is invalid. "
                            "Valid values are 'ip-name' and 'resource-name'.",
                            v->text ? v->text : "");
        if (sn->ipv6_native && strcmp(v->text, "ip-name") == 0)
            return merr_set(err, "InvalidParameterValue",
                            "Invalid value 'ip-name' for private-dns-hostname-type-on-launch. "
                            "IPv6-only subnet (%s) supports only 'resource-name'.",
                            sn->hdr.id);
        snprintf(sn->hostname_type, sizeof sn->hostname_type, "%s", v->text);
        break;
    case SUBNET_ATTR_RN_DNS_A:
        if (v->flag && !sn->has_ipv4)
            return merr_set(err, "InvalidParameterValue",
                            "Invalid value 'true' for enable-resource-name-dns-a-record. The "
                            "subnet (%s) is IPv6-only.",
                            sn->hdr.id);
        sn->rn_dns_a = v->flag;
        break;
    case SUBNET_ATTR_RN_DNS_AAAA:
        if (v->flag && sn->n_ipv6 == 0)
            return attr_needs_ipv6(sn, "enable-resource-name-dns-aaaa-record", err);
        sn->rn_dns_aaaa = v->flag;
        break;
    case SUBNET_ATTR_LNI_INDEX:
        if (v->number < 1 || v->number > 31)
            return merr_set(err, "InvalidParameterValue",
                            "Value (%ld) for parameter enableLniAtDeviceIndex is invalid. A "
                            "local network interface cannot be the primary network interface; "
                            "expecting a device index between 1 and 31.",
                            v->number);
        sn->lni_device_index = (int)v->number;
        break;
    case SUBNET_ATTR_DISABLE_LNI:
        if (v->flag)
            sn->lni_device_index = 0;
        break;
    case SUBNET_ATTR_MAP_COIP:
        if (v->flag && (!v->text || !*v->text))
            return merr_set(err, "MissingParameter",
                            "The request must contain the parameter customerOwnedIpv4Pool when "
                            "mapCustomerOwnedIpOnLaunch is true");
        if (v->flag && strlen(v->text) >= sizeof sn->coip_pool)
            return merr_set(err, "InvalidParameterValue",
                            "Value (%s) for parameter customerOwnedIpv4Pool is invalid.", v->text);
        sn->map_coip = v->flag;
        snprintf(sn->coip_pool, sizeof sn->coip_pool, "%s", v->flag ? v->text : "");
        break;
    default:
        return merr_set(err, "InvalidParameterValue", "Unknown subnet attribute.");
    }
    res_touch(m, &sn->hdr);
    return 0;
}

/* ---- class ---- */

static void subnet_destroy(struct res *r)
{
    free(((struct subnet *)r)->ipv6);
}

static json_t *subnet_encode(const struct res *r)
{
    const struct subnet *sn = (const struct subnet *)r;
    json_t *ipv6 = json_array();
    for (size_t i = 0; i < sn->n_ipv6; i++) {
        char c[PREFIX6_STRLEN];
        prefix6_format(&sn->ipv6[i].cidr, c);
        json_array_append_new(ipv6, json_pack("{s:s,s:s}", "id", sn->ipv6[i].assoc_id, "cidr", c));
    }
    json_t *o =
        json_pack("{s:s,s:o,s:s,s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:s,s:I,s:i,s:b,s:s}", "vpc",
                  sn->vpc_id, "ipv6", ipv6, "az", sn->az, "default", sn->default_for_az,
                  "public_ip", sn->map_public_ip, "assign_ipv6", sn->assign_ipv6, "native",
                  sn->ipv6_native, "dns64", sn->enable_dns64, "rn_a", sn->rn_dns_a, "rn_aaaa",
                  sn->rn_dns_aaaa, "hostname", sn->hostname_type, "used", (json_int_t)sn->used_ipv4,
                  "lni", sn->lni_device_index, "coip", sn->map_coip, "coip_pool", sn->coip_pool);
    if (sn->has_ipv4) {
        char c[PREFIX4_STRLEN];
        prefix4_format(&sn->cidr, c);
        json_object_set_new(o, "cidr", json_string(c));
    }
    return o;
}

/* subnet_encode() as text for the store (model/jsontext.h). */
static void subnet_encode_text(const struct res *r, struct res_text *t)
{
    const struct subnet *sn = (const struct subnet *)r;
    struct jt o, e;
    jt_begin(&o, t);
    jt_str(&o, "vpc", sn->vpc_id);
    jt_array_begin(&o, "ipv6");
    for (size_t i = 0; i < sn->n_ipv6; i++) {
        char c[PREFIX6_STRLEN];
        prefix6_format(&sn->ipv6[i].cidr, c);
        if (i)
            strbuf_puts(&t->sb, ",");
        jt_begin(&e, t);
        jt_str(&e, "id", sn->ipv6[i].assoc_id);
        jt_str(&e, "cidr", c);
        jt_end(&e);
    }
    jt_array_end(t);
    jt_str(&o, "az", sn->az);
    jt_bool(&o, "default", sn->default_for_az);
    jt_bool(&o, "public_ip", sn->map_public_ip);
    jt_bool(&o, "assign_ipv6", sn->assign_ipv6);
    jt_bool(&o, "native", sn->ipv6_native);
    jt_bool(&o, "dns64", sn->enable_dns64);
    jt_bool(&o, "rn_a", sn->rn_dns_a);
    jt_bool(&o, "rn_aaaa", sn->rn_dns_aaaa);
    jt_str(&o, "hostname", sn->hostname_type);
    jt_int(&o, "used", (long long)sn->used_ipv4);
    jt_int(&o, "lni", sn->lni_device_index);
    jt_bool(&o, "coip", sn->map_coip);
    jt_str(&o, "coip_pool", sn->coip_pool);
    if (sn->has_ipv4) {
        char c[PREFIX4_STRLEN];
        prefix4_format(&sn->cidr, c);
        jt_str(&o, "cidr", c);
    }
    jt_end(&o);
}

static int subnet_decode(struct res *r, json_t *b)
{
    struct subnet *sn = (struct subnet *)r;
    json_copy_str(sn->vpc_id, sizeof sn->vpc_id, b, "vpc");
    const char *cidr = json_string_value(json_object_get(b, "cidr"));
    if (cidr) {
        if (prefix4_parse(cidr, &sn->cidr))
            return -EINVAL;
        sn->has_ipv4 = true;
    }
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(b, "ipv6"), i, it)
    {
        struct prefix6 p;
        if (prefix6_parse(json_string_value(json_object_get(it, "cidr")), &p))
            return -EINVAL;
        subnet_add_ipv6(sn, &p);
        json_copy_str(sn->ipv6[sn->n_ipv6 - 1].assoc_id, ID_MAX, it, "id");
    }
    json_copy_str(sn->az, sizeof sn->az, b, "az");
    sn->default_for_az = json_is_true(json_object_get(b, "default"));
    sn->map_public_ip = json_is_true(json_object_get(b, "public_ip"));
    sn->assign_ipv6 = json_is_true(json_object_get(b, "assign_ipv6"));
    sn->ipv6_native = json_is_true(json_object_get(b, "native"));
    sn->enable_dns64 = json_is_true(json_object_get(b, "dns64"));
    sn->rn_dns_a = json_is_true(json_object_get(b, "rn_a"));
    sn->rn_dns_aaaa = json_is_true(json_object_get(b, "rn_aaaa"));
    json_copy_str(sn->hostname_type, sizeof sn->hostname_type, b, "hostname");
    sn->used_ipv4 = (unsigned)json_integer_value(json_object_get(b, "used"));
    sn->lni_device_index = (int)json_integer_value(json_object_get(b, "lni"));
    sn->map_coip = json_is_true(json_object_get(b, "coip"));
    json_copy_str(sn->coip_pool, sizeof sn->coip_pool, b, "coip_pool");
    return sn->has_ipv4 || sn->n_ipv6 ? 0 : -EINVAL;
}

/* arn:<partition>:ec2:<region>:<account>:subnet/<id>, with AWS's partition per region. */
static void subnet_arn(const struct subnet *sn, char *buf, size_t n)
{
    const char *region = sn->hdr.scope->region;
    const char *partition = "aws";
    if (strncmp(region, "cn-", 3) == 0)
        partition = "aws-cn";
    else if (strncmp(region, "us-gov-", 7) == 0)
        partition = "aws-us-gov";
    else if (strncmp(region, "eusc-", 5) == 0)
        partition = "aws-eusc";
    snprintf(buf, n, "arn:%s:ec2:%s:%s:subnet/%s", partition, region, sn->hdr.scope->account,
             sn->hdr.id);
}

void subnet_arn_format(const struct subnet *sn, char buf[256])
{
    subnet_arn(sn, buf, 256);
}

static bool name_is(const char *name, const char *a, const char *b)
{
    return strcmp(name, a) == 0 || (b && strcmp(name, b) == 0);
}

static int subnet_filter(const struct model *m, const struct res *r, const char *name,
                         struct fvals *out)
{
    (void)m;
    const struct subnet *sn = (const struct subnet *)r;
    char c[256];
    if (name_is(name, "subnet-id", "subnetId")) {
        fv_add(out, sn->hdr.id);
    } else if (name_is(name, "vpc-id", "vpcId")) {
        fv_add(out, sn->vpc_id);
    } else if (name_is(name, "cidr-block", "cidrBlock") || strcmp(name, "cidr") == 0) {
        if (sn->has_ipv4) {
            prefix4_format(&sn->cidr, c);
            fv_add(out, c);
        }
    } else if (name_is(name, "availability-zone", "availabilityZone")) {
        fv_add(out, sn->az);
    } else if (name_is(name, "availability-zone-id", "availabilityZoneId")) {
        region_zone_id(sn->hdr.scope->region, region_zone_index(sn->hdr.scope->region, sn->az), c);
        fv_add(out, c);
    } else if (name_is(name, "default-for-az", "defaultForAz")) {
        fv_bool(out, sn->default_for_az);
    } else if (name_is(name, "map-public-ip-on-launch", "mapPublicIpOnLaunch")) {
        fv_bool(out, sn->map_public_ip);
    } else if (strcmp(name, "map-customer-owned-ip-on-launch") == 0) {
        fv_bool(out, sn->map_coip);
    } else if (strcmp(name, "customer-owned-ipv4-pool") == 0) {
        if (sn->coip_pool[0])
            fv_add(out, sn->coip_pool);
    } else if (strcmp(name, "assign-ipv6-address-on-creation") == 0) {
        fv_bool(out, sn->assign_ipv6);
    } else if (strcmp(name, "enable-dns64") == 0) {
        fv_bool(out, sn->enable_dns64);
    } else if (strcmp(name, "enable-lni-at-device-index") == 0) {
        if (sn->lni_device_index)
            fv_addf(out, "%d", sn->lni_device_index);
    } else if (strcmp(name, "private-dns-name-options-on-launch.hostname-type") == 0) {
        fv_add(out, sn->hostname_type);
    } else if (strcmp(name,
                      "private-dns-name-options-on-launch.enable-resource-name-dns-a-record") ==
               0) {
        fv_bool(out, sn->rn_dns_a);
    } else if (strcmp(name,
                      "private-dns-name-options-on-launch.enable-resource-name-dns-aaaa-record") ==
               0) {
        fv_bool(out, sn->rn_dns_aaaa);
    } else if (strcmp(name, "state") == 0) {
        fv_add(out, "available");
    } else if (strcmp(name, "owner-id") == 0) {
        fv_add(out, sn->hdr.scope->account);
    } else if (strcmp(name, "ipv6-cidr-block-association.ipv6-cidr-block") == 0) {
        for (size_t i = 0; i < sn->n_ipv6; i++) {
            prefix6_format(&sn->ipv6[i].cidr, c);
            fv_add(out, c);
        }
    } else if (strcmp(name, "ipv6-cidr-block-association.association-id") == 0) {
        for (size_t i = 0; i < sn->n_ipv6; i++)
            fv_add(out, sn->ipv6[i].assoc_id);
    } else if (strcmp(name, "ipv6-cidr-block-association.state") == 0) {
        if (sn->n_ipv6)
            fv_add(out, "associated");
    } else if (strcmp(name, "ipv6-native") == 0) {
        fv_bool(out, sn->ipv6_native);
    } else if (name_is(name, "available-ip-address-count", "availableIpAddressCount")) {
        fv_addf(out, "%llu", (unsigned long long)subnet_available_count(sn));
    } else if (strcmp(name, "subnet-arn") == 0) {
        subnet_arn(sn, c, sizeof c);
        fv_add(out, c);
    } else {
        return -ENOENT;
    }
    return 0;
}

static void subnet_adopted(struct model *m, struct res *r)
{
    struct subnet *sn = (struct subnet *)r;
    struct res *v = res_find_any(m, sn->vpc_id);
    if (v && v->type == RES_VPC)
        res_list_add(&((struct vpc *)v)->subnets, r);
}

const struct res_class subnet_class = {
    .name = "subnet",
    .id_prefix = "subnet",
    .size = sizeof(struct subnet),
    .not_found_code = "InvalidSubnetID.NotFound",
    .malformed_code = "InvalidSubnetID.Malformed",
    .tag_resource_type = "subnet",
    .destroy = subnet_destroy,
    .encode = subnet_encode,
    .encode_text = subnet_encode_text,
    .decode = subnet_decode,
    .adopted = subnet_adopted,
    .filter = subnet_filter,
};
