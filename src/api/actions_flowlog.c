/* EC2 actions for VPC flow logs: CreateFlowLogs, DescribeFlowLogs, DeleteFlowLogs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/actions_eni.h"
#include "model/resources.h"

/* DescribeFlowLogs' MaxResults: AWS documents 5..1000 and answers 1000 for more. */
#define FLOW_LOG_DESCRIBE_MIN 5
#define FLOW_LOG_DESCRIBE_MAX 1000
/* FlowLogId.N of DeleteFlowLogs: AWS's maximum. */
#define FLOW_LOG_DELETE_MAX 1000

static void flow_log_xml(struct api_ctx *c, const struct res *r)
{
    const struct flow_log *fl = (const struct flow_log *)r;
    struct strbuf *sb = c->out;
    char when[32];
    api_iso_time(fl->created, when);
    xml_str(sb, "creationTime", when);
    if (fl->deliver_logs_permission_arn[0])
        xml_str(sb, "deliverLogsPermissionArn", fl->deliver_logs_permission_arn);
    xml_str(sb, "deliverLogsStatus", "SUCCESS");
    xml_str(sb, "flowLogId", fl->hdr.id);
    xml_str(sb, "flowLogStatus", "ACTIVE");
    if (fl->dest_type == FLOWLOG_DEST_CWL)
        xml_str(sb, "logGroupName", fl->group);
    xml_str(sb, "resourceId", fl->resource_id);
    xml_str(sb, "trafficType", flow_log_traffic_name(fl->traffic));
    xml_str(sb, "logDestinationType", flow_log_dest_type_name(fl->dest_type));
    if (fl->log_destination[0])
        xml_str(sb, "logDestination", fl->log_destination);
    xml_str(sb, "logFormat", fl->log_format);
    xml_tags(sb, &fl->hdr.tags);
    xml_int(sb, "maxAggregationInterval", fl->max_aggregation_interval);
    if (fl->dest_type == FLOWLOG_DEST_S3) {
        xml_open(sb, "destinationOptions");
        xml_str(sb, "fileFormat", "plain-text");
        xml_bool(sb, "hiveCompatiblePartitions", false);
        xml_bool(sb, "perHourPartition", false);
        xml_close(sb, "destinationOptions");
    }
}

static void unsuccessful_item(struct strbuf *sb, const char *resource_id, const char *code,
                              const char *message)
{
    xml_open(sb, "item");
    xml_open(sb, "error");
    xml_str(sb, "code", code);
    xml_str(sb, "message", message);
    xml_close(sb, "error");
    xml_str(sb, "resourceId", resource_id);
    xml_close(sb, "item");
}

/* A DestinationOptions boolean: -1 when absent. */
static int option_flag(struct api_ctx *c, const char *name, int *out)
{
    *out = -1;
    if (!api_str(c, name))
        return 0;
    bool v;
    if (api_bool(c, name, false, &v))
        return -1;
    *out = v;
    return 0;
}

static int create_flow_logs(struct api_ctx *c)
{
    struct flow_log_create_args a = {
        .resource_type = api_str(c, "ResourceType"),
        .traffic_type = api_str(c, "TrafficType"),
        .dest_type = api_str(c, "LogDestinationType"),
        .log_destination = api_str(c, "LogDestination"),
        .log_group_name = api_str(c, "LogGroupName"),
        .deliver_logs_permission_arn = api_str(c, "DeliverLogsPermissionArn"),
        .log_format = api_str(c, "LogFormat"),
        .file_format = api_str(c, "DestinationOptions.FileFormat"),
        .client_token = api_str(c, "ClientToken"),
    };
    const char **ids;
    struct tag_list *tags;
    if (api_strlist(c, "ResourceId", &ids, &a.n_resource_ids) ||
        option_flag(c, "DestinationOptions.HiveCompatiblePartitions", &a.hive_partitions) ||
        option_flag(c, "DestinationOptions.PerHourPartition", &a.per_hour_partition) ||
        api_tag_specs(c, "vpc-flow-log", &tags))
        return -1;
    a.resource_ids = ids;
    a.tags = tags;
    if (api_str(c, "MaxAggregationInterval")) {
        a.has_max_aggregation_interval = true;
        if (api_int(c, "MaxAggregationInterval", 0, &a.max_aggregation_interval))
            return -1;
    }
    struct flow_log **made;
    struct flow_log_failure *failed;
    size_t n_made, n_failed;
    if (flow_log_create(c->model, c->scope, &a, &made, &n_made, &failed, &n_failed, &c->err))
        return -1;
    if (a.client_token && *a.client_token)
        xml_str(c->out, "clientToken", a.client_token);
    xml_open(c->out, "flowLogIdSet");
    for (size_t i = 0; i < n_made; i++)
        xml_str(c->out, "item", made[i]->hdr.id);
    xml_close(c->out, "flowLogIdSet");
    xml_open(c->out, "unsuccessful");
    for (size_t i = 0; i < n_failed; i++)
        unsuccessful_item(c->out, failed[i].resource_id, failed[i].code, failed[i].message);
    xml_close(c->out, "unsuccessful");
    free(made);
    free(failed);
    return 0;
}

static int describe_flow_logs(struct api_ctx *c)
{
    struct describe_query dq;
    if (api_describe_query(c, "FlowLogId", "flowLogIds", FLOW_LOG_DESCRIBE_MIN,
                           FLOW_LOG_DESCRIBE_MAX, &dq))
        return -1;
    if (dq.max_results > FLOW_LOG_DESCRIBE_MAX)
        dq.max_results = FLOW_LOG_DESCRIBE_MAX;
    if (dq.n_ids) {
        if (dq.max_results)
            return merr_set(&c->err, "InvalidParameterCombination",
                            "The parameter flowLogIds cannot be used with the parameter "
                            "maxResults");
        /* AWS answers unknown flow log ids with an empty set, not NotFound: the ids act as a
         * flow-log-id filter. Only well-formed ids can match, so that an id never acts as a
         * wildcard pattern; none at all matches nothing (the empty pattern). */
        struct filter *f = api_scratch(c, (dq.n_filters + 1) * sizeof *f);
        memcpy(f, dq.filters, dq.n_filters * sizeof *f);
        const char **vals = api_scratch(c, dq.n_ids * sizeof *vals);
        size_t n_vals = 0;
        for (size_t i = 0; i < dq.n_ids; i++)
            if (id_well_formed(dq.ids[i], "fl"))
                vals[n_vals++] = dq.ids[i];
        static const char *nothing[] = {""};
        f[dq.n_filters] = (struct filter){
            .name = "flow-log-id",
            .values = n_vals ? vals : nothing,
            .n_values = n_vals ? n_vals : 1,
        };
        dq.filters = f;
        dq.n_filters++;
        dq.ids = NULL;
        dq.n_ids = 0;
    }
    /* The sweep may delete flow logs, and a failing request must leave the model unchanged:
     * the query is checked first (model_describe only reads). */
    struct res **found;
    size_t n;
    char next[32];
    if (model_describe(c->model, c->scope, RES_FLOW_LOG, &dq, &found, &n, next, &c->err))
        return -1;
    free(found);
    flow_log_sweep(c->model, c->scope);
    return api_describe_run(c, RES_FLOW_LOG, &dq, "flowLogSet", flow_log_xml);
}

static int delete_flow_logs(struct api_ctx *c)
{
    const char **ids;
    size_t n;
    if (api_strlist(c, "FlowLogId", &ids, &n))
        return -1;
    if (n == 0)
        return merr_set(&c->err, "MissingParameter",
                        "The request must contain the parameter FlowLogId");
    if (n > FLOW_LOG_DELETE_MAX)
        return merr_set(&c->err, "InvalidParameterValue",
                        "At most %d flow log ids can be deleted in one request, not %zu",
                        FLOW_LOG_DELETE_MAX, n);
    flow_log_sweep(c->model, c->scope); /* nothing below fails the call */
    xml_open(c->out, "unsuccessful");
    for (size_t i = 0; i < n; i++) {
        struct merr e = {0};
        if (flow_log_delete(c->model, c->scope, ids[i], &e))
            unsuccessful_item(c->out, ids[i], e.code, e.message);
    }
    xml_close(c->out, "unsuccessful");
    return 0;
}

const struct api_action flowlog_actions[] = {
    {"CreateFlowLogs", create_flow_logs},
    {"DescribeFlowLogs", describe_flow_logs},
    {"DeleteFlowLogs", delete_flow_logs},
    {NULL, NULL},
};
