/* EC2 actions for Elastic IP addresses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "lib/xalloc.h"
#include "model/resources.h"

static void settle(struct api_ctx *c)
{
    instance_settle(c->model, c->scope);
    nat_settle(c->model, c->scope);
}

static void eip_xml(struct api_ctx *c, const struct res *r)
{
    const struct eip *e = (const struct eip *)r;
    struct strbuf *sb = c->out;
    char text[IP4_STRLEN];
    ip4_format(e->public_ip, text);
    xml_str(sb, "publicIp", text);
    xml_str(sb, "allocationId", e->hdr.id);
    xml_str(sb, "domain", "vpc");
    const struct eni *eni = e->assoc_id[0] ? eni_find(c->model, c->scope, e->eni_id) : NULL;
    if (eni) {
        if (eni->attached && eni->att.instance_id[0])
            xml_str(sb, "instanceId", eni->att.instance_id);
        xml_str(sb, "associationId", e->assoc_id);
        xml_str(sb, "networkInterfaceId", eni->hdr.id);
        xml_str(sb, "networkInterfaceOwnerId", eni->hdr.scope->account);
        ip4_format(e->private_ip, text);
        xml_str(sb, "privateIpAddress", text);
    }
    xml_tags(sb, &e->hdr.tags);
    xml_str(sb, "publicIpv4Pool", "amazon");
    xml_str(sb, "networkBorderGroup", e->hdr.scope->region);
}

static int allocate_address(struct api_ctx *c)
{
    struct tag_list *tags;
    if (api_tag_specs(c, "elastic-ip", &tags))
        return -1;
    if (api_str(c, "Address"))
        return merr_set(&c->err, "InvalidParameterValue",
                        "Allocating a specific address (Address) is not supported: addresses "
                        "come from the vpcd pool.");
    struct eip *e;
    if (eip_allocate(c->model, c->scope, api_str(c, "Domain"), tags, &e, &c->err))
        return -1;
    char text[IP4_STRLEN];
    ip4_format(e->public_ip, text);
    xml_str(c->out, "publicIp", text);
    xml_str(c->out, "domain", "vpc");
    xml_str(c->out, "allocationId", e->hdr.id);
    xml_str(c->out, "publicIpv4Pool", "amazon");
    xml_str(c->out, "networkBorderGroup", c->scope->region);
    return 0;
}

static int associate_address(struct api_ctx *c)
{
    settle(c);
    struct eip_assoc_args a = {
        .allocation_id = api_str(c, "AllocationId"),
        .public_ip = api_str(c, "PublicIp"),
        .instance_id = api_str(c, "InstanceId"),
        .eni_id = api_str(c, "NetworkInterfaceId"),
        .private_ip = api_str(c, "PrivateIpAddress"),
    };
    if (api_bool(c, "AllowReassociation", false, &a.allow_reassociation))
        return -1;
    struct eip *e;
    if (eip_associate(c->model, c->scope, &a, &e, &c->err))
        return -1;
    xml_bool(c->out, "return", true);
    xml_str(c->out, "associationId", e->assoc_id);
    return 0;
}

static int disassociate_address(struct api_ctx *c)
{
    if (eip_disassociate(c->model, c->scope, api_str(c, "AssociationId"), api_str(c, "PublicIp"),
                         &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int release_address(struct api_ctx *c)
{
    if (eip_release(c->model, c->scope, api_str(c, "AllocationId"), api_str(c, "PublicIp"),
                    &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int describe_addresses(struct api_ctx *c)
{
    settle(c);
    struct describe_query dq;
    if (api_describe_query(c, "AllocationId", "allocationIds", 5, 1000, &dq))
        return -1;
    /* PublicIp.N narrows like a public-ip filter, after checking each address exists. */
    const char **ips;
    size_t n_ips;
    if (api_strlist(c, "PublicIp", &ips, &n_ips))
        return -1;
    for (size_t i = 0; i < n_ips; i++) {
        uint32_t ip;
        if (ip4_parse(ips[i], &ip) != 0)
            return merr_set(&c->err, "InvalidAddress.Malformed", "Invalid address: '%s'", ips[i]);
        if (!eip_by_public_ip(c->scope, ip))
            return merr_set(&c->err, "InvalidAddress.NotFound", "Address '%s' not found.", ips[i]);
    }
    if (n_ips) {
        struct filter *f = api_scratch(c, (dq.n_filters + 1) * sizeof *f);
        memcpy(f, dq.filters, dq.n_filters * sizeof *f);
        f[dq.n_filters] = (struct filter){.name = "public-ip", .values = ips, .n_values = n_ips};
        dq.filters = f;
        dq.n_filters++;
    }
    dq.max_results = 0; /* DescribeAddresses does not page */
    struct res **found;
    size_t n;
    char next[32];
    if (model_describe(c->model, c->scope, RES_EIP, &dq, &found, &n, next, &c->err))
        return -1;
    xml_open(c->out, "addressesSet");
    for (size_t i = 0; i < n; i++) {
        xml_open(c->out, "item");
        eip_xml(c, found[i]);
        xml_close(c->out, "item");
    }
    xml_close(c->out, "addressesSet");
    free(found);
    return 0;
}

const struct api_action eip_actions[] = {
    {"AllocateAddress", allocate_address},         {"AssociateAddress", associate_address},
    {"DisassociateAddress", disassociate_address}, {"ReleaseAddress", release_address},
    {"DescribeAddresses", describe_addresses},     {NULL, NULL},
};
