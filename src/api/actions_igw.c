/* EC2 actions for internet gateways and egress-only internet gateways. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "model/resources.h"

static void igw_xml(struct api_ctx *c, const struct res *r)
{
    const struct igw *g = (const struct igw *)r;
    struct strbuf *sb = c->out;
    xml_open(sb, "attachmentSet");
    if (g->vpc_id[0]) {
        xml_open(sb, "item");
        xml_str(sb, "vpcId", g->vpc_id);
        /* AWS shows an attached gateway's attachment as "available", not "attached". */
        xml_str(sb, "state", "available");
        xml_close(sb, "item");
    }
    xml_close(sb, "attachmentSet");
    xml_str(sb, "internetGatewayId", g->hdr.id);
    xml_str(sb, "ownerId", g->hdr.scope->account);
    xml_tags(sb, &g->hdr.tags);
}

static int create_internet_gateway(struct api_ctx *c)
{
    struct tag_list *tags;
    if (api_tag_specs(c, "internet-gateway", &tags))
        return -1;
    struct igw *g;
    if (igw_create(c->model, c->scope, tags, &g, &c->err))
        return -1;
    xml_open(c->out, "internetGateway");
    igw_xml(c, &g->hdr);
    xml_close(c->out, "internetGateway");
    return 0;
}

static int attach_internet_gateway(struct api_ctx *c)
{
    const char *igw, *vpc;
    if (api_req(c, "InternetGatewayId", &igw) || api_req(c, "VpcId", &vpc) ||
        igw_attach(c->model, c->scope, igw, vpc, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int detach_internet_gateway(struct api_ctx *c)
{
    const char *igw, *vpc;
    if (api_req(c, "InternetGatewayId", &igw) || api_req(c, "VpcId", &vpc) ||
        igw_detach(c->model, c->scope, igw, vpc, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int delete_internet_gateway(struct api_ctx *c)
{
    const char *igw;
    if (api_req(c, "InternetGatewayId", &igw) || igw_delete(c->model, c->scope, igw, &c->err))
        return -1;
    xml_return_true(c->out);
    return 0;
}

static int describe_internet_gateways(struct api_ctx *c)
{
    return api_describe(c, RES_IGW, "InternetGatewayId", "internetGatewayIds", 5, 1000,
                        "internetGatewaySet", igw_xml);
}

static void eigw_xml(struct api_ctx *c, const struct res *r)
{
    const struct eigw *e = (const struct eigw *)r;
    struct strbuf *sb = c->out;
    xml_open(sb, "attachmentSet");
    xml_open(sb, "item");
    xml_str(sb, "state", "attached");
    xml_str(sb, "vpcId", e->vpc_id);
    xml_close(sb, "item");
    xml_close(sb, "attachmentSet");
    xml_str(sb, "egressOnlyInternetGatewayId", e->hdr.id);
    xml_tags(sb, &e->hdr.tags);
}

static int create_egress_only_internet_gateway(struct api_ctx *c)
{
    const char *vpc, *token = api_str(c, "ClientToken");
    struct tag_list *tags;
    if (api_req(c, "VpcId", &vpc) || api_tag_specs(c, "egress-only-internet-gateway", &tags))
        return -1;
    struct eigw *e;
    bool created;
    if (eigw_create_idempotent(c->model, c->scope, vpc, token, tags, &e, &created, &c->err))
        return -1;
    if (token && *token)
        xml_str(c->out, "clientToken", token);
    xml_open(c->out, "egressOnlyInternetGateway");
    eigw_xml(c, &e->hdr);
    xml_close(c->out, "egressOnlyInternetGateway");
    return 0;
}

static int delete_egress_only_internet_gateway(struct api_ctx *c)
{
    const char *id;
    if (api_req(c, "EgressOnlyInternetGatewayId", &id) ||
        eigw_delete(c->model, c->scope, id, &c->err))
        return -1;
    xml_bool(c->out, "returnCode", true);
    return 0;
}

static int describe_egress_only_internet_gateways(struct api_ctx *c)
{
    return api_describe(c, RES_EIGW, "EgressOnlyInternetGatewayId", "egressOnlyInternetGatewayIds",
                        5, 255, "egressOnlyInternetGatewaySet", eigw_xml);
}

const struct api_action igw_actions[] = {
    {"CreateInternetGateway", create_internet_gateway},
    {"AttachInternetGateway", attach_internet_gateway},
    {"DetachInternetGateway", detach_internet_gateway},
    {"DeleteInternetGateway", delete_internet_gateway},
    {"DescribeInternetGateways", describe_internet_gateways},
    {"CreateEgressOnlyInternetGateway", create_egress_only_internet_gateway},
    {"DeleteEgressOnlyInternetGateway", delete_egress_only_internet_gateway},
    {"DescribeEgressOnlyInternetGateways", describe_egress_only_internet_gateways},
    {NULL, NULL},
};
