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

static void association_xml(struct api_ctx *c, const struct eni *e, const struct eip *ip,
                            bool for_instance)
{
    struct strbuf *sb = c->out;
    char text[IP4_STRLEN], dns[96];
    ip4_format(ip->public_ip, text);
    xml_open(sb, "association");
    xml_str(sb, "publicIp", text);
    instance_public_dns(c->model, e->hdr.scope, e->vpc_id, ip->public_ip, dns);
    xml_str(sb, "publicDnsName", dns);
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
        association_xml(c, e, primary_eip, for_instance);
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
    xml_open(sb, "ipv6AddressesSet");
    for (size_t i = 0; i < e->n_ipv6_addrs; i++) {
        char text6[IP6_STRLEN];
        ip6_format(e->ipv6_addrs[i], text6);
        xml_open(sb, "item");
        xml_str(sb, "ipv6Address", text6);
        /* AWS marks an address primary only when asked to (EnablePrimaryIpv6, which vpcd
         * does not take), so none is. */
        xml_bool(sb, "isPrimaryIpv6", false);
        xml_close(sb, "item");
    }
    xml_close(sb, "ipv6AddressesSet");
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
            association_xml(c, e, ip, for_instance);
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

int eni_api_ipv6_request(struct api_ctx *c, const char *count_name, const char *list_prefix,
                         bool structured, struct eni_ipv6_request *out)
{
    memset(out, 0, sizeof *out);
    if (query_get(c->q, count_name)) {
        out->has_count = true;
        if (api_int(c, count_name, 0, &out->count))
            return -1;
    }
    size_t n = query_list_len(c->q, list_prefix);
    const char **addrs = api_scratch(c, (n + 1) * sizeof *addrs);
    for (size_t i = 0; i < n; i++) {
        addrs[i] = structured ? query_getf(c->q, "%s.%zu.Ipv6Address", list_prefix, i + 1)
                              : query_getf(c->q, "%s.%zu", list_prefix, i + 1);
        if (!addrs[i])
            return merr_set(&c->err, "MissingParameter",
                            "The request must contain the parameter %s.%zu%s", list_prefix, i + 1,
                            structured ? ".Ipv6Address" : "");
    }
    out->addrs = addrs;
    out->n_addrs = n;
    return 0;
}

int eni_api_ipv4_request(struct api_ctx *c, const char *count_name, const char *list_prefix,
                         const char **primary, struct eni_ipv4_request *out)
{
    memset(out, 0, sizeof *out);
    if (query_get(c->q, count_name)) {
        out->has_count = true;
        if (api_int(c, count_name, 0, &out->count))
            return -1;
    }
    size_t n = query_list_len(c->q, list_prefix);
    const char **addrs = api_scratch(c, (n + 1) * sizeof *addrs);
    size_t n_addrs = 0;
    bool marked = false;
    for (size_t i = 0; i < n; i++) {
        const char *a = primary ? query_getf(c->q, "%s.%zu.PrivateIpAddress", list_prefix, i + 1)
                                : query_getf(c->q, "%s.%zu", list_prefix, i + 1);
        if (!a)
            return merr_set(&c->err, "MissingParameter",
                            "The request must contain the parameter %s.%zu%s", list_prefix, i + 1,
                            primary ? ".PrivateIpAddress" : "");
        bool is_primary = false;
        if (primary) {
            char name[96];
            snprintf(name, sizeof name, "%s.%zu.Primary", list_prefix, i + 1);
            if (api_bool(c, name, false, &is_primary))
                return -1;
        }
        if (is_primary && *primary && !marked)
            return merr_set(&c->err, "InvalidParameterCombination",
                            "The primary IP address is specified twice: by privateIpAddress and "
                            "as primary in privateIpAddresses.");
        if (is_primary && marked)
            return merr_set(&c->err, "InvalidParameterValue",
                            "Only one private IP address can be designated as primary.");
        if (is_primary) {
            marked = true;
            *primary = a;
            continue;
        }
        addrs[n_addrs++] = a;
    }
    /* No item marked and no PrivateIpAddress: the first listed address is the primary [I]. */
    if (primary && !*primary && n_addrs) {
        *primary = addrs[0];
        memmove(addrs, addrs + 1, (n_addrs - 1) * sizeof *addrs);
        n_addrs--;
    }
    out->addrs = addrs;
    out->n_addrs = n_addrs;
    return 0;
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
    if (eni_api_ipv6_request(c, "Ipv6AddressCount", "Ipv6Addresses", true, &a.ipv6) ||
        eni_api_ipv4_request(c, "SecondaryPrivateIpAddressCount", "PrivateIpAddresses",
                             &a.private_ip, &a.secondary))
        return -1;
    if (query_has_prefix(c->q, "Ipv4Prefix") || query_get(c->q, "Ipv4PrefixCount"))
        return merr_set(&c->err, "InvalidParameterValue",
                        "IPv4 prefix delegation (Ipv4Prefix, Ipv4PrefixCount) is not supported "
                        "by vpcd.");
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

/* The addresses [from, n) of e as an Ipv6AddressList. */
static void ipv6_list_xml(struct strbuf *sb, const char *tag, uint8_t (*addrs)[16], size_t from,
                          size_t n)
{
    xml_open(sb, tag);
    for (size_t i = from; i < n; i++) {
        char text[IP6_STRLEN];
        ip6_format(addrs[i], text);
        xml_str(sb, "item", text);
    }
    xml_close(sb, tag);
}

/* Prefix delegation (Ipv4Prefix.N / Ipv6Prefix.N and their counts) is refused, for family
 * "Ipv4" or "Ipv6". */
static int refuse_prefixes(struct api_ctx *c, const char *family)
{
    char list[32], count[32];
    snprintf(list, sizeof list, "%sPrefix", family);
    snprintf(count, sizeof count, "%sPrefixCount", family);
    if (query_has_prefix(c->q, list) || query_get(c->q, count))
        return merr_set(&c->err, "InvalidParameterValue",
                        "%s prefix delegation (%s, %s) is not supported by vpcd.",
                        strcmp(family, "Ipv4") == 0 ? "IPv4" : "IPv6", list, count);
    return 0;
}

/* Unassign*: the interface and the addresses named in `list_param`. */
static int unassign_request(struct api_ctx *c, const char *list_param, const char *family,
                            const char **id, const char ***addrs, size_t *n)
{
    if (api_req(c, "NetworkInterfaceId", id) || api_strlist(c, list_param, addrs, n))
        return -1;
    return refuse_prefixes(c, family);
}

static int assign_ipv6_addresses(struct api_ctx *c)
{
    const char *id;
    struct eni_ipv6_request r;
    if (api_req(c, "NetworkInterfaceId", &id) ||
        eni_api_ipv6_request(c, "Ipv6AddressCount", "Ipv6Addresses", false, &r))
        return -1;
    if (refuse_prefixes(c, "Ipv6"))
        return -1;
    struct eni *e;
    size_t first;
    if (eni_assign_ipv6(c->model, c->scope, id, &r, &e, &first, &c->err))
        return -1;
    ipv6_list_xml(c->out, "assignedIpv6Addresses", e->ipv6_addrs, first, e->n_ipv6_addrs);
    xml_str(c->out, "networkInterfaceId", e->hdr.id);
    return 0;
}

static int unassign_ipv6_addresses(struct api_ctx *c)
{
    const char *id;
    const char **addrs;
    size_t n;
    if (unassign_request(c, "Ipv6Addresses", "Ipv6", &id, &addrs, &n))
        return -1;
    struct eni *e;
    if (eni_unassign_ipv6(c->model, c->scope, id, addrs, n, &e, &c->err))
        return -1;
    /* Echoed in canonical form; the model parsed every one of them. */
    uint8_t(*gone)[16] = api_scratch(c, (n + 1) * sizeof *gone);
    size_t n_gone = 0;
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        if (ip6_parse(addrs[i], gone[n_gone]) != 0)
            continue;
        for (size_t k = 0; k < n_gone; k++)
            dup |= memcmp(gone[k], gone[n_gone], 16) == 0;
        n_gone += !dup;
    }
    xml_str(c->out, "networkInterfaceId", e->hdr.id);
    ipv6_list_xml(c->out, "unassignedIpv6Addresses", gone, 0, n_gone);
    return 0;
}

static int assign_private_ip_addresses(struct api_ctx *c)
{
    const char *id;
    struct eni_ipv4_request r;
    bool reassign;
    if (api_req(c, "NetworkInterfaceId", &id) ||
        eni_api_ipv4_request(c, "SecondaryPrivateIpAddressCount", "PrivateIpAddress", NULL, &r) ||
        api_bool(c, "AllowReassignment", false, &reassign))
        return -1;
    if (refuse_prefixes(c, "Ipv4"))
        return -1;
    struct eni *e;
    size_t first;
    if (eni_assign_ipv4(c->model, c->scope, id, &r, reassign, &e, &first, &c->err))
        return -1;
    xml_str(c->out, "networkInterfaceId", e->hdr.id);
    xml_open(c->out, "assignedPrivateIpAddressesSet");
    for (size_t i = first; i < e->n_private_ips; i++) {
        char text[IP4_STRLEN];
        ip4_format(e->private_ips[i], text);
        xml_open(c->out, "item");
        xml_str(c->out, "privateIpAddress", text);
        xml_close(c->out, "item");
    }
    xml_close(c->out, "assignedPrivateIpAddressesSet");
    return 0;
}

static int unassign_private_ip_addresses(struct api_ctx *c)
{
    const char *id;
    const char **addrs;
    size_t n;
    if (unassign_request(c, "PrivateIpAddress", "Ipv4", &id, &addrs, &n))
        return -1;
    struct eni *e;
    if (eni_unassign_ipv4(c->model, c->scope, id, addrs, n, &e, &c->err))
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
    {"AssignIpv6Addresses", assign_ipv6_addresses},
    {"UnassignIpv6Addresses", unassign_ipv6_addresses},
    {"AssignPrivateIpAddresses", assign_private_ip_addresses},
    {"UnassignPrivateIpAddresses", unassign_private_ip_addresses},
    {NULL, NULL},
};
