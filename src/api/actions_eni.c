/* EC2 actions for network interfaces. */
#include <stdio.h>
#include <string.h>

#include "api/actions_eni.h"

void api_iso_time(time_t t, char buf[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

void eni_xml_groups(struct api_ctx *c, char (*groups)[ID_MAX], size_t n)
{
    xml_open(c->out, "groupSet");
    for (size_t i = 0; i < n; i++) {
        const struct security_group *g =
            (const struct security_group *)res_find(c->model, c->scope, RES_SG, groups[i]);
        xml_open(c->out, "item");
        xml_str(c->out, "groupId", groups[i]);
        xml_str(c->out, "groupName", g ? g->name : NULL);
        xml_close(c->out, "item");
    }
    xml_close(c->out, "groupSet");
}

static void association_xml(struct api_ctx *c, const struct eip *ip, bool for_instance)
{
    struct strbuf *sb = c->out;
    char text[IP4_STRLEN];
    ip4_format(ip->public_ip, text);
    xml_open(sb, "association");
    xml_str(sb, "publicIp", text);
    xml_str(sb, "publicDnsName", "");
    xml_str(sb, "ipOwnerId", ip->hdr.scope->account);
    if (!for_instance) {
        xml_str(sb, "allocationId", ip->hdr.id);
        xml_str(sb, "associationId", ip->assoc_id);
    }
    xml_close(sb, "association");
}

void eni_xml_members(struct api_ctx *c, const struct eni *e, bool for_instance)
{
    struct strbuf *sb = c->out;
    const struct scope *s = e->hdr.scope;
    char text[IP4_STRLEN], dns[96], when[32], mac[18];
    const struct eip *primary_eip = eip_for_eni(s, e->hdr.id, e->private_ips[0]);
    if (primary_eip)
        association_xml(c, primary_eip, for_instance);
    if (e->attached) {
        xml_open(sb, "attachment");
        xml_str(sb, "attachmentId", e->att.id);
        if (!for_instance) {
            if (e->att.instance_id[0])
                xml_str(sb, "instanceId", e->att.instance_id);
            xml_str(sb, "instanceOwnerId", e->att.instance_id[0] ? s->account : "amazon-aws");
        }
        xml_int(sb, "deviceIndex", e->att.device_index);
        xml_int(sb, "networkCardIndex", 0);
        xml_str(sb, "status", "attached");
        api_iso_time(e->att.attach_time, when);
        xml_str(sb, "attachTime", when);
        xml_bool(sb, "deleteOnTermination", e->att.delete_on_termination);
        xml_close(sb, "attachment");
    }
    if (!for_instance)
        xml_str(sb, "availabilityZone", e->az);
    xml_str(sb, "description", e->description);
    eni_xml_groups(c, e->groups, e->n_groups);
    xml_str(sb, "interfaceType", e->interface_type);
    xml_empty(sb, "ipv6AddressesSet");
    snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", e->mac[0], e->mac[1], e->mac[2],
             e->mac[3], e->mac[4], e->mac[5]);
    xml_str(sb, "macAddress", mac);
    xml_str(sb, "networkInterfaceId", e->hdr.id);
    xml_str(sb, "ownerId", s->account);
    ip4_format(e->private_ips[0], text);
    instance_private_dns(s, e->private_ips[0], dns);
    xml_str(sb, "privateDnsName", dns);
    xml_str(sb, "privateIpAddress", text);
    xml_open(sb, "privateIpAddressesSet");
    for (size_t i = 0; i < e->n_private_ips; i++) {
        const struct eip *ip = eip_for_eni(s, e->hdr.id, e->private_ips[i]);
        xml_open(sb, "item");
        if (ip)
            association_xml(c, ip, for_instance);
        xml_bool(sb, "primary", i == 0);
        instance_private_dns(s, e->private_ips[i], dns);
        xml_str(sb, "privateDnsName", dns);
        ip4_format(e->private_ips[i], text);
        xml_str(sb, "privateIpAddress", text);
        xml_close(sb, "item");
    }
    xml_close(sb, "privateIpAddressesSet");
    if (!for_instance) {
        if (e->requester_managed)
            xml_str(sb, "requesterId", e->requester_id);
        xml_bool(sb, "requesterManaged", e->requester_managed);
    }
    xml_bool(sb, "sourceDestCheck", e->source_dest_check);
    xml_str(sb, "status", eni_status(e));
    xml_str(sb, "subnetId", e->subnet_id);
    if (!for_instance)
        xml_tags(sb, &e->hdr.tags);
    xml_str(sb, "vpcId", e->vpc_id);
}

static void eni_item(struct api_ctx *c, const struct res *r)
{
    eni_xml_members(c, (const struct eni *)r, false);
}

static void settle(struct api_ctx *c)
{
    instance_settle(c->model, c->scope);
    nat_settle(c->model, c->scope);
}

static int create_network_interface(struct api_ctx *c)
{
    struct tag_list *tags;
    const char *subnet;
    struct eni_create_args a = {0};
    if (api_req(c, "SubnetId", &subnet) || api_tag_specs(c, "network-interface", &tags) ||
        api_strlist(c, "SecurityGroupId", (const char ***)&a.group_ids, &a.n_group_ids))
        return -1;
    const char *type = api_str(c, "InterfaceType");
    if (type && strcmp(type, "interface") != 0)
        return merr_set(&c->err, "InvalidParameterValue",
                        "Value (%s) for parameter interfaceType is invalid. vpcd supports only "
                        "'interface'.",
                        type);
    a.subnet_id = subnet;
    a.private_ip = api_str(c, "PrivateIpAddress");
    a.description = api_str(c, "Description");
    a.tags = tags;
    if (a.description && strlen(a.description) > 255)
        return merr_set(&c->err, "InvalidParameterValue",
                        "Description must be at most 255 characters");
    struct eni *e;
    if (eni_create(c->model, c->scope, &a, &e, &c->err))
        return -1;
    xml_open(c->out, "networkInterface");
    eni_item(c, &e->hdr);
    xml_close(c->out, "networkInterface");
    const char *token = api_str(c, "ClientToken");
    if (token && *token)
        xml_str(c->out, "clientToken", token);
    return 0;
}

static int delete_network_interface(struct api_ctx *c)
{
    const char *id;
    if (api_req(c, "NetworkInterfaceId", &id) || eni_delete(c->model, c->scope, id, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int describe_network_interfaces(struct api_ctx *c)
{
    settle(c);
    return api_describe(c, RES_ENI, "NetworkInterfaceId", "networkInterfaceIds", 5, 1000,
                        "networkInterfaceSet", eni_item);
}

static int modify_network_interface_attribute(struct api_ctx *c)
{
    const char *id;
    struct eni_modify_args a = {0};
    if (api_req(c, "NetworkInterfaceId", &id) ||
        api_bool_value(c, "SourceDestCheck", &a.has_sdc, &a.sdc) ||
        api_strlist(c, "SecurityGroupId", &a.group_ids, &a.n_group_ids))
        return -1;
    a.has_groups = a.n_group_ids > 0;
    a.description = api_str(c, "Description.Value");
    a.attachment_id = api_str(c, "Attachment.AttachmentId");
    if (api_str(c, "Attachment.DeleteOnTermination")) {
        a.has_dot = true;
        if (api_bool(c, "Attachment.DeleteOnTermination", false, &a.dot))
            return -1;
        if (!a.attachment_id)
            return merr_set(&c->err, "MissingParameter",
                            "The request must contain the parameter attachment.attachmentId");
    }
    if (eni_modify(c->model, c->scope, id, &a, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int attach_network_interface(struct api_ctx *c)
{
    settle(c);
    const char *eni, *inst, *idx;
    long index;
    if (api_req(c, "NetworkInterfaceId", &eni) || api_req(c, "InstanceId", &inst) ||
        api_req(c, "DeviceIndex", &idx) || api_int(c, "DeviceIndex", 0, &index))
        return -1;
    const char *attach_id;
    if (eni_attach(c->model, c->scope, eni, inst, index, &attach_id, &c->err))
        return -1;
    xml_str(c->out, "attachmentId", attach_id);
    xml_int(c->out, "networkCardIndex", 0);
    return 0;
}

static int detach_network_interface(struct api_ctx *c)
{
    const char *id;
    if (api_req(c, "AttachmentId", &id) || eni_detach(c->model, c->scope, id, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

const struct api_action eni_actions[] = {
    {"CreateNetworkInterface", create_network_interface},
    {"DeleteNetworkInterface", delete_network_interface},
    {"DescribeNetworkInterfaces", describe_network_interfaces},
    {"ModifyNetworkInterfaceAttribute", modify_network_interface_attribute},
    {"AttachNetworkInterface", attach_network_interface},
    {"DetachNetworkInterface", detach_network_interface},
    {NULL, NULL},
};
