/* EC2 actions of the peering family. Every successful action ends with pcx_sweep() so that
 * expiries and the end of the describable windows become durable; a failing one changes
 * nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "model/resources.h"

static void options_xml(struct strbuf *sb, const char *tag, bool dns)
{
    xml_open(sb, tag);
    xml_bool(sb, "allowDnsResolutionFromRemoteVpc", dns);
    /* ClassicLink is retired: AWS still reports both flags as false. */
    xml_bool(sb, "allowEgressFromLocalClassicLinkToRemoteVpc", false);
    xml_bool(sb, "allowEgressFromLocalVpcToRemoteClassicLink", false);
    xml_close(sb, tag);
}

static void vpc_info_xml(struct api_ctx *c, const char *tag, const struct pcx_side *side,
                         bool show_cidrs, bool show_options)
{
    struct strbuf *sb = c->out;
    xml_open(sb, tag);
    if (show_cidrs) {
        struct prefix4 *c4;
        struct prefix6 *c6;
        size_t n4, n6;
        pcx_side_cidrs(c->model, side, &c4, &n4, &c6, &n6);
        char buf[PREFIX6_STRLEN];
        if (n4) {
            prefix4_format(&c4[0], buf);
            xml_str(sb, "cidrBlock", buf);
        }
        xml_open(sb, "ipv6CidrBlockSet");
        for (size_t i = 0; i < n6; i++) {
            prefix6_format(&c6[i], buf);
            xml_open(sb, "item");
            xml_str(sb, "ipv6CidrBlock", buf);
            xml_close(sb, "item");
        }
        xml_close(sb, "ipv6CidrBlockSet");
        xml_open(sb, "cidrBlockSet");
        for (size_t i = 0; i < n4; i++) {
            prefix4_format(&c4[i], buf);
            xml_open(sb, "item");
            xml_str(sb, "cidrBlock", buf);
            xml_close(sb, "item");
        }
        xml_close(sb, "cidrBlockSet");
        free(c4);
        free(c6);
    }
    xml_str(sb, "ownerId", side->account);
    if (show_options)
        options_xml(sb, "peeringOptions", side->allow_dns);
    xml_str(sb, "vpcId", side->vpc_id);
    xml_str(sb, "region", side->region);
    xml_close(sb, tag);
}

/* status_override: the code shown instead of the stored one (Create and Accept replies show
 * the transitional states AWS shows), or NULL. */
static void pcx_xml_status(struct api_ctx *c, const struct pcx *p, const char *status_override)
{
    struct strbuf *sb = c->out;
    enum pcx_state st = pcx_state_now(c->model, p);
    bool active = st == PCX_ACTIVE;
    /* AWS returns the accepter's blocks only once the connection was accepted. */
    vpc_info_xml(c, "accepterVpcInfo", &p->acc, p->accepted, active);
    if (!p->accepted) {
        char t[32];
        pcx_format_time(p->expires, t);
        xml_str(sb, "expirationTime", t);
    }
    vpc_info_xml(c, "requesterVpcInfo", &p->req, true, active);
    xml_open(sb, "status");
    if (status_override) {
        xml_str(sb, "code", status_override);
        if (strcmp(status_override, "initiating-request") == 0) {
            char msg[160];
            snprintf(msg, sizeof msg, "Initiating Request to %s", p->acc.account);
            xml_str(sb, "message", msg);
        } else {
            xml_str(sb, "message", "Provisioning");
        }
    } else {
        char msg[160];
        pcx_status_message(c->model, p, msg);
        xml_str(sb, "code", pcx_state_name(st));
        xml_str(sb, "message", msg);
    }
    xml_close(sb, "status");
    xml_tags(sb, &p->hdr.tags);
    xml_str(sb, "vpcPeeringConnectionId", p->hdr.id);
}

static void pcx_xml(struct api_ctx *c, const struct res *r)
{
    pcx_xml_status(c, (const struct pcx *)r, NULL);
}

static int create_vpc_peering_connection(struct api_ctx *c)
{
    struct pcx_create_args a = {
        .vpc_id = api_str(c, "VpcId"),
        .peer_vpc_id = api_str(c, "PeerVpcId"),
        .peer_owner_id = api_str(c, "PeerOwnerId"),
        .peer_region = api_str(c, "PeerRegion"),
    };
    struct tag_list *tags;
    if (api_tag_specs(c, "vpc-peering-connection", &tags))
        return -1;
    a.tags = tags;
    struct pcx *p;
    if (pcx_create(c->model, c->scope, &a, &p, &c->err))
        return -1;
    /* The request is asynchronous on AWS: an inter-Region request (and one that is about to
     * fail) is still "initiating-request" in the reply. */
    bool cross_region = strcmp(p->req.region, p->acc.region) != 0;
    xml_open(c->out, "vpcPeeringConnection");
    pcx_xml_status(c, p, cross_region || p->state == PCX_FAILED ? "initiating-request" : NULL);
    xml_close(c->out, "vpcPeeringConnection");
    pcx_sweep(c->model);
    return 0;
}

static int accept_vpc_peering_connection(struct api_ctx *c)
{
    const char *id;
    struct pcx *p;
    if (api_req(c, "VpcPeeringConnectionId", &id) ||
        pcx_accept(c->model, c->scope, id, &p, &c->err))
        return -1;
    xml_open(c->out, "vpcPeeringConnection");
    pcx_xml_status(c, p, "provisioning");
    xml_close(c->out, "vpcPeeringConnection");
    pcx_sweep(c->model);
    return 0;
}

static int reject_vpc_peering_connection(struct api_ctx *c)
{
    const char *id;
    if (api_req(c, "VpcPeeringConnectionId", &id) || pcx_reject(c->model, c->scope, id, &c->err))
        return -1;
    xml_return_true(c->out);
    pcx_sweep(c->model);
    return 0;
}

static int delete_vpc_peering_connection(struct api_ctx *c)
{
    const char *id;
    if (api_req(c, "VpcPeeringConnectionId", &id) || pcx_delete(c->model, c->scope, id, &c->err))
        return -1;
    xml_return_true(c->out);
    pcx_sweep(c->model);
    return 0;
}

static int describe_vpc_peering_connections(struct api_ctx *c)
{
    struct describe_query dq;
    if (api_describe_query(c, "VpcPeeringConnectionId", "vpcPeeringConnectionIds", 5, 1000, &dq))
        return -1;
    if (dq.max_results && dq.n_ids)
        return merr_set(&c->err, "InvalidParameterCombination",
                        "The parameter vpcPeeringConnectionIds cannot be used with the parameter "
                        "maxResults");
    /* Connections past their describable window are gone for this side. */
    for (size_t i = 0; i < dq.n_ids; i++)
        if (!pcx_lookup(c->model, c->scope, dq.ids[i], &c->err))
            return -1;
    struct res **found;
    size_t n;
    char next[32];
    if (model_describe(c->model, c->scope, RES_PCX, &dq, &found, &n, next, &c->err))
        return -1;
    xml_open(c->out, "vpcPeeringConnectionSet");
    for (size_t i = 0; i < n; i++) {
        if (!pcx_visible(c->model, (const struct pcx *)found[i], c->scope))
            continue;
        xml_open(c->out, "item");
        pcx_xml(c, found[i]);
        xml_close(c->out, "item");
    }
    xml_close(c->out, "vpcPeeringConnectionSet");
    free(found);
    if (next[0])
        xml_str(c->out, "nextToken", next);
    pcx_sweep(c->model);
    return 0;
}

/* "<prefix>.AllowDnsResolutionFromRemoteVpc": *out points at v when given. */
static int option_param(struct api_ctx *c, const char *prefix, bool *v, const bool **out)
{
    char name[96];
    snprintf(name, sizeof name, "%s.AllowDnsResolutionFromRemoteVpc", prefix);
    *out = NULL;
    if (!api_str(c, name))
        return 0;
    if (api_bool(c, name, false, v))
        return -1;
    *out = v;
    return 0;
}

static int modify_vpc_peering_connection_options(struct api_ctx *c)
{
    const char *id;
    bool req_v, acc_v;
    const bool *req, *acc;
    struct pcx *p;
    if (api_req(c, "VpcPeeringConnectionId", &id) ||
        option_param(c, "RequesterPeeringConnectionOptions", &req_v, &req) ||
        option_param(c, "AccepterPeeringConnectionOptions", &acc_v, &acc) ||
        pcx_modify_options(c->model, c->scope, id, req, acc, &p, &c->err))
        return -1;
    if (acc)
        options_xml(c->out, "accepterPeeringConnectionOptions", p->acc.allow_dns);
    if (req)
        options_xml(c->out, "requesterPeeringConnectionOptions", p->req.allow_dns);
    pcx_sweep(c->model);
    return 0;
}

const struct api_action peering_actions[] = {
    {"CreateVpcPeeringConnection", create_vpc_peering_connection},
    {"AcceptVpcPeeringConnection", accept_vpc_peering_connection},
    {"RejectVpcPeeringConnection", reject_vpc_peering_connection},
    {"DeleteVpcPeeringConnection", delete_vpc_peering_connection},
    {"DescribeVpcPeeringConnections", describe_vpc_peering_connections},
    {"ModifyVpcPeeringConnectionOptions", modify_vpc_peering_connection_options},
    {NULL, NULL},
};
