/* EC2 actions for subnets. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "model/resources.h"

static void subnet_ipv6_assoc_xml(struct strbuf *sb, const struct subnet_ipv6_cidr *c,
                                  const char *state)
{
    char text[PREFIX6_STRLEN];
    prefix6_format(&c->cidr, text);
    xml_str(sb, "associationId", c->assoc_id);
    xml_str(sb, "ipv6CidrBlock", text);
    xml_open(sb, "ipv6CidrBlockState");
    xml_str(sb, "state", state);
    xml_close(sb, "ipv6CidrBlockState");
}

static void subnet_xml(struct api_ctx *c, const struct res *r)
{
    const struct subnet *sn = (const struct subnet *)r;
    struct strbuf *sb = c->out;
    const char *region = sn->hdr.scope->region;
    char buf[256];
    xml_str(sb, "subnetId", sn->hdr.id);
    subnet_arn_format(sn, buf);
    xml_str(sb, "subnetArn", buf);
    xml_str(sb, "state", "available");
    xml_str(sb, "vpcId", sn->vpc_id);
    xml_str(sb, "ownerId", sn->hdr.scope->account);
    if (sn->has_ipv4) {
        prefix4_format(&sn->cidr, buf);
        xml_str(sb, "cidrBlock", buf);
    }
    xml_int(sb, "availableIpAddressCount", (long long)subnet_available_count(sn));
    xml_str(sb, "availabilityZone", sn->az);
    region_zone_id(region, region_zone_index(region, sn->az), buf);
    xml_str(sb, "availabilityZoneId", buf);
    xml_bool(sb, "defaultForAz", sn->default_for_az);
    xml_bool(sb, "mapPublicIpOnLaunch", sn->map_public_ip);
    xml_bool(sb, "mapCustomerOwnedIpOnLaunch", sn->map_coip);
    if (sn->coip_pool[0])
        xml_str(sb, "customerOwnedIpv4Pool", sn->coip_pool);
    if (sn->lni_device_index)
        xml_int(sb, "enableLniAtDeviceIndex", sn->lni_device_index);
    xml_bool(sb, "assignIpv6AddressOnCreation", sn->assign_ipv6);
    xml_open(sb, "ipv6CidrBlockAssociationSet");
    for (size_t i = 0; i < sn->n_ipv6; i++) {
        xml_open(sb, "item");
        subnet_ipv6_assoc_xml(sb, &sn->ipv6[i], "associated");
        xml_close(sb, "item");
    }
    xml_close(sb, "ipv6CidrBlockAssociationSet");
    xml_tags(sb, &sn->hdr.tags);
    xml_bool(sb, "enableDns64", sn->enable_dns64);
    xml_bool(sb, "ipv6Native", sn->ipv6_native);
    xml_open(sb, "privateDnsNameOptionsOnLaunch");
    xml_str(sb, "hostnameType", sn->hostname_type);
    xml_bool(sb, "enableResourceNameDnsARecord", sn->rn_dns_a);
    xml_bool(sb, "enableResourceNameDnsAAAARecord", sn->rn_dns_aaaa);
    xml_close(sb, "privateDnsNameOptionsOnLaunch");
}

static void subnet_reply(struct api_ctx *c, const struct subnet *sn)
{
    xml_open(c->out, "subnet");
    subnet_xml(c, &sn->hdr);
    xml_close(c->out, "subnet");
}

static int create_subnet(struct api_ctx *c)
{
    struct subnet_create_args a = {
        .cidr = api_str(c, "CidrBlock"),
        .ipv6_cidr = api_str(c, "Ipv6CidrBlock"),
        .az = api_str(c, "AvailabilityZone"),
        .az_id = api_str(c, "AvailabilityZoneId"),
    };
    struct tag_list *tags;
    if (api_req(c, "VpcId", &a.vpc_id) || api_bool(c, "Ipv6Native", false, &a.ipv6_native) ||
        api_tag_specs(c, "subnet", &tags))
        return -1;
    a.tags = tags;
    struct subnet *sn;
    if (subnet_create(c->model, c->scope, &a, &sn, &c->err))
        return -1;
    subnet_reply(c, sn);
    return 0;
}

static int create_default_subnet(struct api_ctx *c)
{
    const char *az;
    bool native;
    if (api_req(c, "AvailabilityZone", &az) || api_bool(c, "Ipv6Native", false, &native))
        return -1;
    struct subnet *sn;
    if (subnet_create_default(c->model, c->scope, az, native, &sn, &c->err))
        return -1;
    subnet_reply(c, sn);
    return 0;
}

static int describe_subnets(struct api_ctx *c)
{
    return api_describe(c, RES_SUBNET, "SubnetId", "subnetIds", 5, 1000, "subnetSet", subnet_xml);
}

static int delete_subnet(struct api_ctx *c)
{
    const char *id;
    if (api_req(c, "SubnetId", &id) || subnet_delete(c->model, c->scope, id, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

/* The boolean attributes of ModifySubnetAttribute, each an AttributeBooleanValue. */
static const struct {
    const char *param;
    enum subnet_attr attr;
} bool_attrs[] = {
    {"MapPublicIpOnLaunch", SUBNET_ATTR_MAP_PUBLIC_IP},
    {"AssignIpv6AddressOnCreation", SUBNET_ATTR_ASSIGN_IPV6},
    {"EnableDns64", SUBNET_ATTR_DNS64},
    {"EnableResourceNameDnsARecordOnLaunch", SUBNET_ATTR_RN_DNS_A},
    {"EnableResourceNameDnsAAAARecordOnLaunch", SUBNET_ATTR_RN_DNS_AAAA},
    {"DisableLniAtDeviceIndex", SUBNET_ATTR_DISABLE_LNI},
    {"MapCustomerOwnedIpOnLaunch", SUBNET_ATTR_MAP_COIP},
};

static int pick_attr(struct api_ctx *c, const char **which, const char *param)
{
    if (*which)
        return merr_set(&c->err, "InvalidParameterCombination",
                        "Fields for multiple attribute types specified: %s, %s", *which, param);
    *which = param;
    return 0;
}

static int modify_subnet_attribute(struct api_ctx *c)
{
    const char *id, *which = NULL;
    enum subnet_attr attr = SUBNET_ATTR_MAP_PUBLIC_IP;
    struct subnet_attr_value v = {0};
    if (api_req(c, "SubnetId", &id))
        return -1;
    for (size_t i = 0; i < sizeof bool_attrs / sizeof bool_attrs[0]; i++) {
        bool present, b;
        if (api_bool_value(c, bool_attrs[i].param, &present, &b))
            return -1;
        if (!present)
            continue;
        if (pick_attr(c, &which, bool_attrs[i].param))
            return -1;
        attr = bool_attrs[i].attr;
        v.flag = b;
    }
    const char *hostname = api_str(c, "PrivateDnsHostnameTypeOnLaunch");
    if (hostname) {
        if (pick_attr(c, &which, "PrivateDnsHostnameTypeOnLaunch"))
            return -1;
        attr = SUBNET_ATTR_HOSTNAME_TYPE;
        v.text = hostname;
    }
    if (api_str(c, "EnableLniAtDeviceIndex")) {
        if (pick_attr(c, &which, "EnableLniAtDeviceIndex") ||
            api_int(c, "EnableLniAtDeviceIndex", 0, &v.number))
            return -1;
        attr = SUBNET_ATTR_LNI_INDEX;
    }
    if (!which)
        return merr_set(&c->err, "MissingParameter",
                        "The request must contain exactly one subnet attribute to modify, e.g. "
                        "MapPublicIpOnLaunch");
    if (attr == SUBNET_ATTR_MAP_COIP)
        v.text = api_str(c, "CustomerOwnedIpv4Pool");
    if (subnet_set_attribute(c->model, c->scope, id, attr, &v, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int associate_subnet_cidr_block(struct api_ctx *c)
{
    const char *id, *cidr;
    if (api_req(c, "SubnetId", &id) || api_req(c, "Ipv6CidrBlock", &cidr))
        return -1;
    const struct subnet_ipv6_cidr *assoc;
    if (subnet_associate_ipv6(c->model, c->scope, id, cidr, &assoc, &c->err))
        return -1;
    xml_open(c->out, "ipv6CidrBlockAssociation");
    subnet_ipv6_assoc_xml(c->out, assoc, "associated");
    xml_close(c->out, "ipv6CidrBlockAssociation");
    xml_str(c->out, "subnetId", id);
    return 0;
}

static int disassociate_subnet_cidr_block(struct api_ctx *c)
{
    const char *assoc;
    if (api_req(c, "AssociationId", &assoc))
        return -1;
    struct subnet *sn;
    struct subnet_ipv6_cidr gone;
    if (subnet_disassociate_ipv6(c->model, c->scope, assoc, &sn, &gone, &c->err))
        return -1;
    xml_open(c->out, "ipv6CidrBlockAssociation");
    subnet_ipv6_assoc_xml(c->out, &gone, "disassociating");
    xml_close(c->out, "ipv6CidrBlockAssociation");
    xml_str(c->out, "subnetId", sn->hdr.id);
    return 0;
}

const struct api_action subnet_actions[] = {
    {"CreateSubnet", create_subnet},
    {"CreateDefaultSubnet", create_default_subnet},
    {"DescribeSubnets", describe_subnets},
    {"DeleteSubnet", delete_subnet},
    {"ModifySubnetAttribute", modify_subnet_attribute},
    {"AssociateSubnetCidrBlock", associate_subnet_cidr_block},
    {"DisassociateSubnetCidrBlock", disassociate_subnet_cidr_block},
    {NULL, NULL},
};
