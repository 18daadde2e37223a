/* EC2 actions for NAT gateways. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/actions_eni.h"
#include "model/resources.h"

static void nat_xml(struct api_ctx *c, const struct res *r)
{
    const struct nat *n = (const struct nat *)r;
    struct strbuf *sb = c->out;
    char text[IP4_STRLEN], when[32];
    api_iso_time(n->create_time, when);
    xml_str(sb, "createTime", when);
    if (n->state == NAT_DELETING || n->state == NAT_DELETED) {
        api_iso_time(n->delete_time, when);
        xml_str(sb, "deleteTime", when);
    }
    if (n->state == NAT_FAILED) {
        xml_str(sb, "failureCode", n->failure_code);
        xml_str(sb, "failureMessage", n->failure_message);
    }
    xml_open(sb, "natGatewayAddressSet");
    if (n->private_ip || n->allocation_id[0]) {
        xml_open(sb, "item");
        if (n->allocation_id[0])
            xml_str(sb, "allocationId", n->allocation_id);
        if (n->private_ip) {
            xml_str(sb, "networkInterfaceId", n->eni_id);
            ip4_format(n->private_ip, text);
            xml_str(sb, "privateIp", text);
        }
        if (n->public_ip) {
            ip4_format(n->public_ip, text);
            xml_str(sb, "publicIp", text);
        }
        if (n->assoc_id[0] && n->state != NAT_DELETED)
            xml_str(sb, "associationId", n->assoc_id);
        xml_bool(sb, "isPrimary", true);
        xml_str(sb, "status",
                n->state == NAT_DELETING  ? "disassociating"
                : n->state == NAT_DELETED ? "succeeded"
                : n->state == NAT_PENDING ? "associating"
                                          : "succeeded");
        xml_close(sb, "item");
    }
    xml_close(sb, "natGatewayAddressSet");
    xml_str(sb, "natGatewayId", n->hdr.id);
    xml_str(sb, "state", nat_state_name(n->state));
    xml_str(sb, "subnetId", n->subnet_id);
    xml_str(sb, "vpcId", n->vpc_id);
    xml_tags(sb, &n->hdr.tags);
    xml_str(sb, "connectivityType", n->is_private ? "private" : "public");
}

static int create_nat_gateway(struct api_ctx *c)
{
    nat_settle(c->model, c->scope);
    struct tag_list *tags;
    if (api_tag_specs(c, "natgateway", &tags))
        return -1;
    struct nat_create_args a = {
        .subnet_id = api_str(c, "SubnetId"),
        .allocation_id = api_str(c, "AllocationId"),
        .connectivity = api_str(c, "ConnectivityType"),
        .private_ip = api_str(c, "PrivateIpAddress"),
        .client_token = api_str(c, "ClientToken"),
        .tags = tags,
    };
    struct nat *n;
    bool created;
    if (nat_create(c->model, c->scope, &a, &n, &created, &c->err))
        return -1;
    if (a.client_token && *a.client_token)
        xml_str(c->out, "clientToken", a.client_token);
    xml_open(c->out, "natGateway");
    nat_xml(c, &n->hdr);
    xml_close(c->out, "natGateway");
    return 0;
}

static int delete_nat_gateway(struct api_ctx *c)
{
    nat_settle(c->model, c->scope);
    const char *id;
    if (api_req(c, "NatGatewayId", &id) || nat_delete(c->model, c->scope, id, &c->err))
        return -1;
    xml_str(c->out, "natGatewayId", id);
    return 0;
}

static int describe_nat_gateways(struct api_ctx *c)
{
    nat_settle(c->model, c->scope);
    return api_describe(c, RES_NAT, "NatGatewayId", "natGatewayIds", 5, 1000, "natGatewaySet",
                        nat_xml);
}

const struct api_action nat_actions[] = {
    {"CreateNatGateway", create_nat_gateway},
    {"DeleteNatGateway", delete_nat_gateway},
    {"DescribeNatGateways", describe_nat_gateways},
    {NULL, NULL},
};
