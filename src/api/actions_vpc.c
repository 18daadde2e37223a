/* EC2 actions for VPCs. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "model/resources.h"

static void vpc_ipv6_assoc_xml(struct strbuf *sb, const struct vpc_ipv6_cidr *c,
                               const char *region, const char *state)
{
    char text[PREFIX6_STRLEN];
    prefix6_format(&c->cidr, text);
    xml_str(sb, "associationId", c->assoc_id);
    xml_str(sb, "ipv6CidrBlock", text);
    xml_open(sb, "ipv6CidrBlockState");
    xml_str(sb, "state", state);
    xml_close(sb, "ipv6CidrBlockState");
    xml_str(sb, "networkBorderGroup", region);
    xml_str(sb, "ipv6Pool", "Amazon");
}

static void vpc_cidr_assoc_xml(struct strbuf *sb, const struct vpc_cidr *c, const char *state)
{
    char text[PREFIX4_STRLEN];
    prefix4_format(&c->cidr, text);
    xml_str(sb, "associationId", c->assoc_id);
    xml_str(sb, "cidrBlock", text);
    xml_open(sb, "cidrBlockState");
    xml_str(sb, "state", state);
    xml_close(sb, "cidrBlockState");
}

static void vpc_xml(struct api_ctx *c, const struct res *r)
{
    const struct vpc *v = (const struct vpc *)r;
    struct strbuf *sb = c->out;
    char text[PREFIX4_STRLEN], dopt[ID_MAX];
    prefix4_format(&v->cidrs[0].cidr, text);
    xml_str(sb, "vpcId", v->hdr.id);
    xml_str(sb, "ownerId", v->hdr.scope->account);
    xml_str(sb, "state", "available");
    xml_str(sb, "cidrBlock", text);
    xml_open(sb, "cidrBlockAssociationSet");
    for (size_t i = 0; i < v->n_cidrs; i++) {
        xml_open(sb, "item");
        vpc_cidr_assoc_xml(sb, &v->cidrs[i], "associated");
        xml_close(sb, "item");
    }
    xml_close(sb, "cidrBlockAssociationSet");
    xml_open(sb, "ipv6CidrBlockAssociationSet");
    for (size_t i = 0; i < v->n_ipv6; i++) {
        xml_open(sb, "item");
        vpc_ipv6_assoc_xml(sb, &v->ipv6[i], v->hdr.scope->region, "associated");
        xml_close(sb, "item");
    }
    xml_close(sb, "ipv6CidrBlockAssociationSet");
    api_dhcp_options_id(v->hdr.scope, dopt);
    xml_str(sb, "dhcpOptionsId", dopt);
    xml_str(sb, "instanceTenancy", v->tenancy);
    xml_bool(sb, "isDefault", v->is_default);
    xml_tags(sb, &v->hdr.tags);
}

static int create_vpc(struct api_ctx *c)
{
    struct vpc_create_args a = {.cidr = api_str(c, "CidrBlock"),
                                .tenancy = api_str(c, "InstanceTenancy")};
    struct tag_list *tags;
    if (api_bool(c, "AmazonProvidedIpv6CidrBlock", false, &a.amazon_ipv6) ||
        api_tag_specs(c, "vpc", &tags))
        return -1;
    a.tags = tags;
    struct vpc *v;
    if (vpc_create(c->model, c->scope, &a, &v, &c->err))
        return -1;
    xml_open(c->out, "vpc");
    vpc_xml(c, &v->hdr);
    xml_close(c->out, "vpc");
    return 0;
}

static int create_default_vpc(struct api_ctx *c)
{
    struct vpc *v;
    if (vpc_create_default(c->model, c->scope, &v, &c->err))
        return -1;
    xml_open(c->out, "vpc");
    vpc_xml(c, &v->hdr);
    xml_close(c->out, "vpc");
    return 0;
}

static int describe_vpcs(struct api_ctx *c)
{
    return api_describe(c, RES_VPC, "VpcId", "vpcIds", 5, 1000, "vpcSet", vpc_xml);
}

static int delete_vpc(struct api_ctx *c)
{
    const char *id;
    if (api_req(c, "VpcId", &id) || vpc_delete(c->model, c->scope, id, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static const char *const vpc_attributes[] = {"enableDnsSupport", "enableDnsHostnames",
                                             "enableNetworkAddressUsageMetrics"};

static int modify_vpc_attribute(struct api_ctx *c)
{
    const char *id, *which = NULL;
    bool value = false;
    if (api_req(c, "VpcId", &id))
        return -1;
    for (size_t i = 0; i < 3; i++) {
        char param[64];
        snprintf(param, sizeof param, "%c%s", 'E', vpc_attributes[i] + 1);
        bool present, v;
        if (api_bool_value(c, param, &present, &v))
            return -1;
        if (!present)
            continue;
        if (which)
            return merr_set(&c->err, "InvalidParameterCombination",
                            "Fields for multiple attribute types specified: %s, %s", which,
                            vpc_attributes[i]);
        which = vpc_attributes[i];
        value = v;
    }
    if (!which)
        return merr_set(&c->err, "MissingParameter",
                        "The request must contain one of EnableDnsSupport, EnableDnsHostnames "
                        "or EnableNetworkAddressUsageMetrics");
    if (vpc_set_attribute(c->model, c->scope, id, which, value, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int describe_vpc_attribute(struct api_ctx *c)
{
    const char *id, *attr;
    if (api_req(c, "VpcId", &id) || api_req(c, "Attribute", &attr))
        return -1;
    struct vpc *v = (struct vpc *)res_lookup(c->model, c->scope, RES_VPC, id, &c->err);
    if (!v)
        return -1;
    bool value;
    if (strcmp(attr, "enableDnsSupport") == 0)
        value = v->dns_support;
    else if (strcmp(attr, "enableDnsHostnames") == 0)
        value = v->dns_hostnames;
    else if (strcmp(attr, "enableNetworkAddressUsageMetrics") == 0)
        value = v->nau_metrics;
    else
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value (%s) for parameter attribute is invalid. Unknown attribute.", attr);
    xml_str(c->out, "vpcId", v->hdr.id);
    xml_open(c->out, attr);
    xml_bool(c->out, "value", value);
    xml_close(c->out, attr);
    return 0;
}

static int associate_vpc_cidr_block(struct api_ctx *c)
{
    const char *id, *assoc;
    bool ipv6;
    if (api_req(c, "VpcId", &id) || api_bool(c, "AmazonProvidedIpv6CidrBlock", false, &ipv6))
        return -1;
    const char *cidr = api_str(c, "CidrBlock");
    if (vpc_associate_cidr(c->model, c->scope, id, cidr, ipv6, &assoc, &c->err))
        return -1;
    const struct vpc *v = vpc_find(c->model, c->scope, id);
    if (ipv6) {
        xml_open(c->out, "ipv6CidrBlockAssociation");
        vpc_ipv6_assoc_xml(c->out, &v->ipv6[v->n_ipv6 - 1], c->scope->region, "associated");
        xml_close(c->out, "ipv6CidrBlockAssociation");
    } else {
        xml_open(c->out, "cidrBlockAssociation");
        vpc_cidr_assoc_xml(c->out, &v->cidrs[v->n_cidrs - 1], "associated");
        xml_close(c->out, "cidrBlockAssociation");
    }
    xml_str(c->out, "vpcId", id);
    return 0;
}

static int disassociate_vpc_cidr_block(struct api_ctx *c)
{
    const char *assoc;
    if (api_req(c, "AssociationId", &assoc))
        return -1;
    /* Capture the block before it goes, for the reply. */
    const struct vpc *v;
    struct vpc_cidr gone4 = {.assoc_id = ""};
    struct vpc_ipv6_cidr gone6 = {.assoc_id = ""};
    SCOPE_FOREACH(v, c->scope, RES_VPC)
    {
        for (size_t i = 0; i < v->n_cidrs; i++)
            if (strcmp(v->cidrs[i].assoc_id, assoc) == 0)
                gone4 = v->cidrs[i];
        for (size_t i = 0; i < v->n_ipv6; i++)
            if (strcmp(v->ipv6[i].assoc_id, assoc) == 0)
                gone6 = v->ipv6[i];
    }
    struct vpc *owner;
    if (vpc_disassociate_cidr(c->model, c->scope, assoc, &owner, &c->err))
        return -1;
    if (gone6.assoc_id[0]) {
        xml_open(c->out, "ipv6CidrBlockAssociation");
        vpc_ipv6_assoc_xml(c->out, &gone6, c->scope->region, "disassociating");
        xml_close(c->out, "ipv6CidrBlockAssociation");
    } else {
        xml_open(c->out, "cidrBlockAssociation");
        vpc_cidr_assoc_xml(c->out, &gone4, "disassociating");
        xml_close(c->out, "cidrBlockAssociation");
    }
    xml_str(c->out, "vpcId", owner->hdr.id);
    return 0;
}

static int modify_vpc_tenancy(struct api_ctx *c)
{
    const char *id, *tenancy;
    if (api_req(c, "VpcId", &id) || api_req(c, "InstanceTenancy", &tenancy))
        return -1;
    struct vpc *v = (struct vpc *)res_lookup(c->model, c->scope, RES_VPC, id, &c->err);
    if (!v)
        return -1;
    if (strcmp(tenancy, "default") != 0)
        return merr_set(&c->err, "UnsupportedTenancy",
                        "You can change the tenancy of a VPC to default only");
    snprintf(v->tenancy, sizeof v->tenancy, "default");
    res_touch(c->model, &v->hdr);
    xml_return_true(c->out);
    return 0;
}

const struct api_action vpc_actions[] = {
    {"CreateVpc", create_vpc},
    {"CreateDefaultVpc", create_default_vpc},
    {"DescribeVpcs", describe_vpcs},
    {"DeleteVpc", delete_vpc},
    {"ModifyVpcAttribute", modify_vpc_attribute},
    {"DescribeVpcAttribute", describe_vpc_attribute},
    {"AssociateVpcCidrBlock", associate_vpc_cidr_block},
    {"DisassociateVpcCidrBlock", disassociate_vpc_cidr_block},
    {"ModifyVpcTenancy", modify_vpc_tenancy},
    {NULL, NULL},
};
