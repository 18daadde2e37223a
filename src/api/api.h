/* The EC2 action layer. Each action is one row: a name and a handler that decodes the
 * query parameters, calls the model and writes the response members as XML. Handlers
 * return 0, or -1 with c->err holding the AWS error code and message. */
#ifndef VPCD_API_API_H
#define VPCD_API_API_H

#include <stdbool.h>
#include <stddef.h>

#include "api/query.h"
#include "lib/strbuf.h"
#include "model/model.h"

struct api_ctx {
    struct model *model;
    struct scope *scope; /* the caller's (account, region) */
    const struct query *q;
    const char *action;
    struct strbuf *out; /* response members, inside <ActionResponse> after <requestId> */
    struct merr err;
    void **scratch; /* per-request allocations, freed after the reply */
    size_t n_scratch, cap_scratch;
    struct tag_list req_tags; /* tags decoded from this request, cleared after the reply */
};

struct api_action {
    const char *name;
    int (*handler)(struct api_ctx *c);
};

/* Action tables, one per family file, each ending with {NULL, NULL}. */
extern const struct api_action vpc_actions[], subnet_actions[], rtb_actions[], sg_actions[],
    nacl_actions[], igw_actions[], pl_actions[], tag_actions[], region_actions[], peering_actions[],
    tgw_actions[], eip_actions[], nat_actions[], instance_actions[], eni_actions[],
    insights_actions[], flowlog_actions[];

const struct api_action *api_find_action(const char *name);

/* Zeroed memory that lives until the request ends. */
void *api_scratch(struct api_ctx *c, size_t size);
void api_ctx_release(struct api_ctx *c);

/* Parameters. Names are the wire names ("VpcId", "TagSpecification"). */
const char *api_str(struct api_ctx *c, const char *name);
int api_req(struct api_ctx *c, const char *name, const char **out);
int api_bool(struct api_ctx *c, const char *name, bool dflt, bool *out);
/* Also accepts the structure form "<name>.Value" (ModifyVpcAttribute's AttributeBooleanValue). */
int api_bool_value(struct api_ctx *c, const char *name, bool *present, bool *out);
int api_int(struct api_ctx *c, const char *name, long dflt, long *out);
/* "<prefix>.1" .. "<prefix>.N" as a scratch array of borrowed strings. */
int api_strlist(struct api_ctx *c, const char *prefix, const char ***out, size_t *n);
/* Tags for resource_type from "TagSpecification.N" (or "TagSpecifications.N"). The list is
 * c->req_tags; *out is NULL when no tags were given. Tags for other resource types are
 * refused with InvalidParameterValue, as AWS does. */
int api_tag_specs(struct api_ctx *c, const char *resource_type, struct tag_list **out);
/* Filters ("Filter.N.Name", "Filter.N.Value.M"), ids ("<ids_prefix>.N"), MaxResults and
 * NextToken for a Describe. */
int api_describe_query(struct api_ctx *c, const char *ids_prefix, const char *ids_param,
                       long max_min, long max_max, struct describe_query *dq);
/* Runs a whole Describe: query decode, model_describe, then `item` for each result inside
 * <set_name><item>...</item></set_name>, then <nextToken>. */
int api_describe(struct api_ctx *c, enum res_type type, const char *ids_prefix,
                 const char *ids_param, long max_min, long max_max, const char *set_name,
                 void (*item)(struct api_ctx *c, const struct res *r));
/* The second half of api_describe, for a caller that adjusted the decoded query first. */
int api_describe_run(struct api_ctx *c, enum res_type type, const struct describe_query *dq,
                     const char *set_name, void (*item)(struct api_ctx *c, const struct res *r));

/* XML output. */
void xml_open(struct strbuf *sb, const char *tag);
void xml_close(struct strbuf *sb, const char *tag);
void xml_str(struct strbuf *sb, const char *tag, const char *value); /* NULL: omitted */
void xml_bool(struct strbuf *sb, const char *tag, bool value);
void xml_int(struct strbuf *sb, const char *tag, long long value);
void xml_empty(struct strbuf *sb, const char *tag);
void xml_tags(struct strbuf *sb, const struct tag_list *tags); /* <tagSet>...</tagSet> */
void xml_return_true(struct strbuf *sb);

/* DHCP options id that every VPC of a scope reports (AWS's per-account default set). */
void api_dhcp_options_id(const struct scope *s, char buf[ID_MAX]);

#endif
