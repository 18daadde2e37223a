/* VPC flow logs: CreateFlowLogs' rules, the stored form, and the look-ups the data plane uses.
 *
 * CreateFlowLogs is a batch: request-level checks (parameters, destination, format) fail the
 * whole call before anything changes; after them each resource succeeds or fails on its own
 * (unknown resource, duplicate, quota), as AWS reports it in "unsuccessful". */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "model/classes.h"
#include "model/resources.h"

/* ResourceId.N: AWS's constraint, 25 for transit gateway resource types, 1000 otherwise. */
#define FLOW_LOG_MAX_RESOURCES 1000
#define FLOW_LOG_MAX_TGW_RESOURCES 25

static const char *const resource_names[] = {
    [FLOW_LOG_RES_VPC] = "VPC",
    [FLOW_LOG_RES_SUBNET] = "Subnet",
    [FLOW_LOG_RES_ENI] = "NetworkInterface",
    [FLOW_LOG_RES_TGW] = "TransitGateway",
    [FLOW_LOG_RES_TGW_ATTACH] = "TransitGatewayAttachment",
};

static const char *const traffic_names[] = {
    [FLOW_LOG_ACCEPT] = "ACCEPT",
    [FLOW_LOG_REJECT] = "REJECT",
    [FLOW_LOG_ALL] = "ALL",
};

const char *flow_log_resource_name(enum flow_log_resource t)
{
    return (unsigned)t <= FLOW_LOG_RES_TGW_ATTACH ? resource_names[t] : "VPC";
}

const char *flow_log_traffic_name(enum flow_log_traffic t)
{
    return (unsigned)t <= FLOW_LOG_ALL ? traffic_names[t] : "ALL";
}

const char *flow_log_dest_type_name(enum flowlog_dest_type t)
{
    return t == FLOWLOG_DEST_S3 ? "s3" : "cloud-watch-logs";
}

static int resource_parse(const char *name, enum flow_log_resource *out)
{
    for (unsigned i = 0; i <= FLOW_LOG_RES_TGW_ATTACH; i++) {
        if (strcmp(resource_names[i], name) == 0) {
            *out = (enum flow_log_resource)i;
            return 0;
        }
    }
    return -1;
}

static int traffic_parse(const char *name, enum flow_log_traffic *out)
{
    for (unsigned i = 0; i <= FLOW_LOG_ALL; i++) {
        if (strcmp(traffic_names[i], name) == 0) {
            *out = (enum flow_log_traffic)i;
            return 0;
        }
    }
    return -1;
}

static bool is_tgw_type(enum flow_log_resource t)
{
    return t == FLOW_LOG_RES_TGW || t == FLOW_LOG_RES_TGW_ATTACH;
}

struct flow_log *flow_log_find(const struct model *m, const struct scope *s, const char *id)
{
    return (struct flow_log *)res_find(m, s, RES_FLOW_LOG, id);
}

bool flow_log_wants(const struct flow_log *fl, bool accepted)
{
    return fl->traffic == FLOW_LOG_ALL || (fl->traffic == FLOW_LOG_ACCEPT) == accepted;
}

size_t flow_logs_of_eni(const struct scope *s, const struct eni *e, const struct flow_log **out,
                        size_t max)
{
    size_t n = 0;
    const struct flow_log *fl;
    SCOPE_FOREACH(fl, s, RES_FLOW_LOG)
    {
        const char *want = fl->resource_type == FLOW_LOG_RES_VPC      ? e->vpc_id
                           : fl->resource_type == FLOW_LOG_RES_SUBNET ? e->subnet_id
                           : fl->resource_type == FLOW_LOG_RES_ENI    ? e->hdr.id
                                                                      : NULL;
        if (!want || strcmp(want, fl->resource_id) != 0)
            continue;
        if (n < max)
            out[n] = fl;
        n++;
    }
    return n;
}

void flow_log_dest(const struct flow_log *fl, struct flowlog_dest *out)
{
    memset(out, 0, sizeof *out);
    out->type = fl->dest_type;
    snprintf(out->flow_log_id, sizeof out->flow_log_id, "%s", fl->hdr.id);
    snprintf(out->account, sizeof out->account, "%s", fl->hdr.scope->account);
    snprintf(out->region, sizeof out->region, "%s", fl->hdr.scope->region);
    snprintf(out->bucket, sizeof out->bucket, "%s", fl->bucket);
    snprintf(out->prefix, sizeof out->prefix, "%s", fl->prefix);
    snprintf(out->group, sizeof out->group, "%s", fl->group);
}

/* ---- destination parsing ---- */

static bool partition_valid(const char *p, size_t n)
{
    static const char *const parts[] = {"aws", "aws-cn", "aws-us-gov", "aws-eusc"};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (strlen(parts[i]) == n && strncmp(parts[i], p, n) == 0)
            return true;
    return false;
}

/* "arn:<partition>:<service>:" at the start of s: returns what follows, or NULL. */
static const char *arn_service(const char *s, const char *service)
{
    if (strncmp(s, "arn:", 4) != 0)
        return NULL;
    const char *p = s + 4, *colon = strchr(p, ':');
    if (!colon || !partition_valid(p, (size_t)(colon - p)))
        return NULL;
    size_t sl = strlen(service);
    if (strncmp(colon + 1, service, sl) != 0 || colon[1 + sl] != ':')
        return NULL;
    return colon + 2 + sl;
}

static bool all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return n > 0;
}

/* S3's bucket naming rules (general purpose buckets). */
static bool bucket_name_valid(const char *b, size_t n)
{
    if (n < 3 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!islower((unsigned char)b[i]) && !isdigit((unsigned char)b[i]) && b[i] != '.' &&
            b[i] != '-')
            return false;
    if (!isalnum((unsigned char)b[0]) || !isalnum((unsigned char)b[n - 1]))
        return false;
    if (memmem(b, n, "..", 2) || (n >= 4 && strncmp(b, "xn--", 4) == 0) ||
        (n >= 8 && strncmp(b + n - 8, "-s3alias", 8) == 0))
        return false;
    /* Not formatted like an IPv4 address. */
    unsigned dots = 0;
    bool digits_and_dots = true;
    for (size_t i = 0; i < n; i++) {
        if (b[i] == '.')
            dots++;
        else if (!isdigit((unsigned char)b[i]))
            digits_and_dots = false;
    }
    return !(digits_and_dots && dots == 3);
}

static int parse_s3_destination(const char *dest, struct flow_log *fl, struct merr *err)
{
    const char *rest = arn_service(dest, "s3");
    if (!rest || strncmp(rest, "::", 2) != 0)
        return merr_set(err, "InvalidParameter",
                        "LogDestination '%s' is not an S3 bucket ARN: expecting "
                        "arn:aws:s3:::bucket or arn:aws:s3:::bucket/folder",
                        dest);
    rest += 2;
    size_t blen = strcspn(rest, "/");
    if (!bucket_name_valid(rest, blen))
        return merr_set(err, "InvalidParameter",
                        "LogDestination '%s' does not name a valid S3 bucket: a bucket name is 3 "
                        "to 63 lowercase letters, digits, dots and hyphens, starting and ending "
                        "with a letter or digit",
                        dest);
    const char *prefix = rest[blen] == '/' ? rest + blen + 1 : "";
    size_t plen = strlen(prefix);
    while (plen > 0 && prefix[plen - 1] == '/') /* "bucket/folder/" is the documented form */
        plen--;
    if (plen >= sizeof fl->prefix)
        return merr_set(err, "InvalidParameter",
                        "The folder of LogDestination '%s' is longer than %zu characters", dest,
                        sizeof fl->prefix - 1);
    /* Components of the folder: none empty, none "AWSLogs" (AWS reserves it), and none that
     * would leave the bucket's directory where vpcd writes the files. */
    for (size_t i = 0; i < plen;) {
        size_t clen = strcspn(prefix + i, "/");
        if (clen > plen - i)
            clen = plen - i;
        const char *comp = prefix + i;
        if (clen == 0 || (clen == 1 && comp[0] == '.') || (clen == 2 && !strncmp(comp, "..", 2)))
            return merr_set(err, "InvalidParameter",
                            "The folder of LogDestination '%s' has an empty, '.' or '..' part",
                            dest);
        if (clen == 7 && strncmp(comp, "AWSLogs", 7) == 0)
            return merr_set(err, "InvalidParameter",
                            "LogDestination '%s' uses AWSLogs as a folder name, which is "
                            "reserved",
                            dest);
        i += clen + 1;
    }
    snprintf(fl->bucket, sizeof fl->bucket, "%.*s", (int)blen, rest);
    snprintf(fl->prefix, sizeof fl->prefix, "%.*s", (int)plen, prefix);
    return 0;
}

/* CloudWatch Logs' log group name rules, plus what vpcd needs to map the name to directories. */
static int check_group_name(const char *g, const char *param, struct merr *err)
{
    /* AWS allows 512 characters; struct flow_log and struct flowlog_dest hold 511. */
    size_t n = strlen(g);
    if (n == 0 || n > 511)
        return merr_set(err, "InvalidParameter",
                        "The log group name in %s must be 1 to 511 characters long", param);
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)g[i]) && !strchr("._-/#", g[i]))
            return merr_set(err, "InvalidParameter",
                            "The log group name '%s' in %s has the character '%c': allowed are "
                            "letters, digits and . _ - / #",
                            g, param, g[i]);
    for (const char *p = g; *p;) {
        size_t clen = strcspn(p, "/");
        if ((clen == 1 && p[0] == '.') || (clen == 2 && strncmp(p, "..", 2) == 0))
            return merr_set(err, "InvalidParameter",
                            "The log group name '%s' in %s has a '.' or '..' path part, which "
                            "vpcd cannot map to a directory",
                            g, param);
        p += clen;
        if (*p == '/')
            p++;
    }
    return 0;
}

/* arn:<partition>:logs:<region>:<account>:log-group:<name>[:*] */
static int parse_cwl_destination(const char *dest, struct flow_log *fl, struct merr *err)
{
    const char *rest = arn_service(dest, "logs");
    const char *acct = rest ? strchr(rest, ':') : NULL;
    const char *after = acct ? strchr(acct + 1, ':') : NULL;
    char region[32] = "";
    if (acct && (size_t)(acct - rest) < sizeof region)
        snprintf(region, sizeof region, "%.*s", (int)(acct - rest), rest);
    if (!rest || !acct || !region_valid(region) || !after ||
        !all_digits(acct + 1, (size_t)(after - acct - 1)) || after - acct - 1 != 12 ||
        strncmp(after, ":log-group:", 11) != 0)
        return merr_set(err, "InvalidParameter",
                        "LogDestination '%s' is not a CloudWatch Logs log group ARN: expecting "
                        "arn:aws:logs:region:account-id:log-group:name",
                        dest);
    const char *name = after + 11;
    size_t n = strlen(name);
    if (n >= 2 && strcmp(name + n - 2, ":*") == 0) /* the form the CloudWatch console copies */
        n -= 2;
    if (n >= sizeof fl->group)
        return merr_set(err, "InvalidParameter",
                        "The log group name in LogDestination is longer than %zu characters",
                        sizeof fl->group - 1);
    memcpy(fl->group, name, n);
    fl->group[n] = '\0';
    return check_group_name(fl->group, "LogDestination", err);
}

/* arn:<partition>:iam::<account>:role/<name> */
static int check_role_arn(const char *arn, struct merr *err)
{
    const char *rest = arn_service(arn, "iam");
    const char *colon = rest && rest[0] == ':' ? strchr(rest + 1, ':') : NULL;
    if (!colon || colon - rest - 1 != 12 || !all_digits(rest + 1, 12) ||
        strncmp(colon, ":role/", 6) != 0 || !colon[6] || strlen(arn) >= 256)
        return merr_set(err, "InvalidParameter",
                        "DeliverLogsPermissionArn '%s' is not an IAM role ARN: expecting "
                        "arn:aws:iam::account-id:role/name",
                        arn);
    return 0;
}

static bool given(const char *s)
{
    return s && *s;
}

/* Validates the request-level parameters into a template flow log (everything but the id,
 * resource and tags). */
static int parse_config(const struct model *m, const struct flow_log_create_args *a,
                        struct flow_log *t, struct merr *err)
{
    if (!given(a->resource_type))
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter ResourceType");
    if (resource_parse(a->resource_type, &t->resource_type))
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter ResourceType is invalid. Expecting one of VPC, "
                        "Subnet, NetworkInterface, TransitGateway, TransitGatewayAttachment.",
                        a->resource_type);
    bool tgw = is_tgw_type(t->resource_type);
    if (a->n_resource_ids == 0)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter ResourceId");
    size_t max_ids = tgw ? FLOW_LOG_MAX_TGW_RESOURCES : FLOW_LOG_MAX_RESOURCES;
    if (a->n_resource_ids > max_ids)
        return merr_set(err, "InvalidParameterValue",
                        "At most %zu resource ids can be given for ResourceType %s, not %zu",
                        max_ids, a->resource_type, a->n_resource_ids);

    if (tgw) {
        if (given(a->traffic_type))
            return merr_set(err, "InvalidParameter",
                            "TrafficType is not supported for ResourceType %s: transit gateway "
                            "flow logs capture all traffic",
                            a->resource_type);
        t->traffic = FLOW_LOG_ALL;
    } else {
        if (!given(a->traffic_type))
            return merr_set(err, "MissingParameter",
                            "The request must contain the parameter TrafficType for "
                            "ResourceType %s",
                            a->resource_type);
        if (traffic_parse(a->traffic_type, &t->traffic))
            return merr_set(err, "InvalidParameterValue",
                            "Value (%s) for parameter TrafficType is invalid. Expecting ACCEPT, "
                            "REJECT or ALL.",
                            a->traffic_type);
    }

    const char *dt = given(a->dest_type) ? a->dest_type : "cloud-watch-logs";
    if (strcmp(dt, "kinesis-data-firehose") == 0)
        return merr_set(err, "InvalidParameter",
                        "LogDestinationType kinesis-data-firehose is not supported: vpcd has no "
                        "Kinesis Data Firehose. Use s3 or cloud-watch-logs.");
    if (strcmp(dt, "s3") == 0) {
        t->dest_type = FLOWLOG_DEST_S3;
    } else if (strcmp(dt, "cloud-watch-logs") == 0) {
        t->dest_type = FLOWLOG_DEST_CWL;
    } else {
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter LogDestinationType is invalid. Expecting "
                        "cloud-watch-logs, s3 or kinesis-data-firehose.",
                        dt);
    }

    if (given(a->log_destination) && strlen(a->log_destination) >= sizeof t->log_destination)
        return merr_set(err, "InvalidParameter", "LogDestination is longer than %zu characters",
                        sizeof t->log_destination - 1);
    if (t->dest_type == FLOWLOG_DEST_S3) {
        if (given(a->log_group_name))
            return merr_set(err, "InvalidParameter",
                            "LogGroupName is only valid with LogDestinationType "
                            "cloud-watch-logs; an s3 flow log takes LogDestination");
        if (given(a->deliver_logs_permission_arn))
            return merr_set(err, "InvalidParameter",
                            "DeliverLogsPermissionArn is only supported with LogDestinationType "
                            "cloud-watch-logs");
        if (!given(a->log_destination))
            return merr_set(err, "InvalidParameter",
                            "LogDestination is required when LogDestinationType is s3");
        if (parse_s3_destination(a->log_destination, t, err))
            return -1;
        snprintf(t->log_destination, sizeof t->log_destination, "%s", a->log_destination);
    } else {
        if (given(a->log_group_name) && given(a->log_destination))
            return merr_set(err, "InvalidParameter",
                            "Give either LogDestination or LogGroupName for a cloud-watch-logs "
                            "flow log, not both");
        if (!given(a->log_group_name) && !given(a->log_destination))
            return merr_set(err, "InvalidParameter",
                            "A cloud-watch-logs flow log needs LogDestination (a log group ARN) "
                            "or LogGroupName");
        if (given(a->log_group_name)) {
            if (check_group_name(a->log_group_name, "LogGroupName", err))
                return -1;
            snprintf(t->group, sizeof t->group, "%s", a->log_group_name);
        } else {
            if (parse_cwl_destination(a->log_destination, t, err))
                return -1;
            snprintf(t->log_destination, sizeof t->log_destination, "%s", a->log_destination);
        }
        if (!given(a->deliver_logs_permission_arn))
            return merr_set(err, "InvalidParameter",
                            "DeliverLogsPermissionArn is required when LogDestinationType is "
                            "cloud-watch-logs");
        if (check_role_arn(a->deliver_logs_permission_arn, err))
            return -1;
        snprintf(t->deliver_logs_permission_arn, sizeof t->deliver_logs_permission_arn, "%s",
                 a->deliver_logs_permission_arn);
    }

    /* vpcd writes plain-text files in AWS's default layout; the other options would need
     * another writer, so they are refused rather than silently ignored. */
    bool has_options = a->file_format || a->hive_partitions >= 0 || a->per_hour_partition >= 0;
    if (has_options && t->dest_type != FLOWLOG_DEST_S3)
        return merr_set(err, "InvalidParameter",
                        "DestinationOptions are only supported with LogDestinationType s3");
    if (a->file_format && strcmp(a->file_format, "plain-text") != 0) {
        if (strcmp(a->file_format, "parquet") == 0)
            return merr_set(err, "InvalidParameterValue",
                            "DestinationOptions.FileFormat parquet is not supported by vpcd; use "
                            "plain-text");
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter DestinationOptions.FileFormat is invalid. "
                        "Expecting plain-text or parquet.",
                        a->file_format);
    }
    if (a->hive_partitions > 0 || a->per_hour_partition > 0)
        return merr_set(err, "InvalidParameterValue",
                        "DestinationOptions HiveCompatiblePartitions and PerHourPartition are "
                        "not supported by vpcd");

    if (a->log_format && !*a->log_format)
        return merr_set(err, "InvalidParameter", "LogFormat must include at least one field");
    /* Transit gateway flow logs have their own fields and, without LogFormat, all of them. */
    char msg[256];
    if (flowlog_format_parse_for(a->log_format, tgw ? FLOWLOG_SCOPE_TGW : FLOWLOG_SCOPE_VPC,
                                 &t->format, msg, sizeof msg))
        return merr_set(err, "InvalidParameter", "%s", msg);
    struct strbuf text;
    strbuf_init(&text);
    flowlog_format_text(&t->format, &text);
    bool fits = text.len < sizeof t->log_format;
    if (fits)
        snprintf(t->log_format, sizeof t->log_format, "%s", text.data ? text.data : "");
    strbuf_destroy(&text);
    if (!fits)
        return merr_set(err, "InvalidParameter", "LogFormat is longer than %zu characters",
                        sizeof t->log_format - 1);

    long mai = a->has_max_aggregation_interval ? a->max_aggregation_interval : tgw ? 60 : 600;
    if (mai != 60 && mai != 600)
        return merr_set(err, "InvalidParameter",
                        "Value (%ld) for parameter MaxAggregationInterval is invalid. Expecting "
                        "60 or 600.",
                        mai);
    if (tgw && mai != 60)
        return merr_set(err, "InvalidParameter",
                        "MaxAggregationInterval must be 60 for ResourceType %s", a->resource_type);
    t->max_aggregation_interval = (int)mai;
    t->created = model_now(m);
    return 0;
}

/* ---- create / delete ---- */

static bool same_config(const struct flow_log *a, const struct flow_log *b)
{
    return a->resource_type == b->resource_type && a->traffic == b->traffic &&
           a->dest_type == b->dest_type && strcmp(a->bucket, b->bucket) == 0 &&
           strcmp(a->prefix, b->prefix) == 0 && strcmp(a->group, b->group) == 0 &&
           strcmp(a->deliver_logs_permission_arn, b->deliver_logs_permission_arn) == 0 &&
           strcmp(a->log_format, b->log_format) == 0 &&
           a->max_aggregation_interval == b->max_aggregation_interval;
}

/* The resource must exist, in the scope, and (TGW ones) not be deleted. */
static int resource_check(const struct model *m, const struct scope *s, enum flow_log_resource type,
                          const char *id, struct merr *err)
{
    switch (type) {
    case FLOW_LOG_RES_VPC:
        return res_lookup(m, s, RES_VPC, id, err) ? 0 : -1;
    case FLOW_LOG_RES_SUBNET:
        return res_lookup(m, s, RES_SUBNET, id, err) ? 0 : -1;
    case FLOW_LOG_RES_ENI:
        return res_lookup(m, s, RES_ENI, id, err) ? 0 : -1;
    case FLOW_LOG_RES_TGW:
        return tgw_lookup(m, s, id, err) ? 0 : -1;
    case FLOW_LOG_RES_TGW_ATTACH: {
        const struct tgw_attach *at = tgw_attach_lookup(m, s, id, -1, err);
        if (at && !tgw_attach_live(at))
            return merr_set(err, "InvalidTransitGatewayAttachmentID.NotFound",
                            "Transit Gateway Attachment %s was deleted or does not exist.", id);
        return at ? 0 : -1;
    }
    }
    return merr_set(err, "InvalidParameterValue", "Unknown resource type");
}

/* Why resource `id` cannot get flow log t, or 0. */
static int resource_refusal(const struct model *m, const struct scope *s, const char *id,
                            const struct flow_log *t, struct merr *err)
{
    if (resource_check(m, s, t->resource_type, id, err))
        return -1;
    unsigned existing = 0;
    const struct flow_log *fl;
    SCOPE_FOREACH(fl, s, RES_FLOW_LOG)
    {
        if (strcmp(fl->resource_id, id) != 0)
            continue;
        existing++;
        if (fl->traffic == t->traffic && fl->dest_type == t->dest_type &&
            strcmp(fl->bucket, t->bucket) == 0 && strcmp(fl->prefix, t->prefix) == 0 &&
            strcmp(fl->group, t->group) == 0)
            return merr_set(err, "FlowLogAlreadyExists",
                            "There is already flow log %s for %s with the same traffic type and "
                            "log destination",
                            fl->hdr.id, id);
    }
    if (existing >= FLOW_LOGS_PER_RESOURCE)
        return merr_set(err, "FlowLogsLimitExceeded",
                        "Resource %s already has %u flow logs, the most a resource can have", id,
                        existing);
    return 0;
}

static void add_failure(struct flow_log_failure **failed, size_t *n_failed, size_t *cap,
                        const char *id, const struct merr *e)
{
    *failed = xgrow(*failed, cap, *n_failed, sizeof **failed);
    struct flow_log_failure *f = &(*failed)[(*n_failed)++];
    f->resource_id = id;
    f->code = e->code;
    snprintf(f->message, sizeof f->message, "%s", e->message);
}

static void add_created(struct flow_log ***out, size_t *n_out, size_t *cap, struct flow_log *fl)
{
    *out = xgrow(*out, cap, *n_out, sizeof **out);
    (*out)[(*n_out)++] = fl;
}

/* Whether the ClientToken was used before: -1 when with other parameters, else the number of
 * flow logs that call created (appended to *out unless out is NULL). */
static int token_replay(const struct scope *s, const char *token, const struct flow_log *t,
                        const struct flow_log_create_args *a, struct flow_log ***out, size_t *n_out,
                        struct merr *err)
{
    size_t cap = 0;
    int n = 0;
    struct flow_log *fl;
    SCOPE_FOREACH(fl, s, RES_FLOW_LOG)
    {
        if (strcmp(fl->client_token, token) != 0)
            continue;
        bool listed = false;
        for (size_t i = 0; i < a->n_resource_ids && !listed; i++)
            listed = strcmp(a->resource_ids[i], fl->resource_id) == 0;
        if (!listed || !same_config(fl, t))
            return merr_set(err, "IdempotentParameterMismatch",
                            "The client token '%s' was already used with different parameters.",
                            token);
        if (out)
            add_created(out, n_out, &cap, fl);
        n++;
    }
    return n;
}

int flow_log_create(struct model *m, struct scope *s, const struct flow_log_create_args *a,
                    struct flow_log ***out, size_t *n_out, struct flow_log_failure **failed,
                    size_t *n_failed, struct merr *err)
{
    *out = NULL;
    *n_out = 0;
    *failed = NULL;
    *n_failed = 0;
    const char *token = given(a->client_token) ? a->client_token : NULL;
    if (token && strlen(token) > 64)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter clientToken is invalid. The client token must "
                        "be at most 64 characters.",
                        token);
    struct flow_log *t = xcalloc(1, sizeof *t);
    if (parse_config(m, a, t, err) || tags_validate(NULL, a->tags, err) ||
        (token && token_replay(s, token, t, a, NULL, NULL, err) < 0)) {
        free(t);
        return -1;
    }
    /* Every check that can fail the call is behind us: only now may the sweep change the
     * model, and the duplicate and quota checks below see no flow log of a deleted resource. */
    flow_log_sweep(m, s);
    if (token && token_replay(s, token, t, a, out, n_out, err) > 0) {
        free(t);
        return 0;
    }
    size_t cap_out = 0, cap_failed = 0;
    for (size_t i = 0; i < a->n_resource_ids; i++) {
        const char *id = a->resource_ids[i];
        struct merr e = {0};
        if (resource_refusal(m, s, id, t, &e)) {
            add_failure(failed, n_failed, &cap_failed, id, &e);
            continue;
        }
        struct flow_log *fl = (struct flow_log *)res_new(m, s, RES_FLOW_LOG);
        struct res hdr = fl->hdr;
        *fl = *t;
        fl->hdr = hdr;
        snprintf(fl->resource_id, sizeof fl->resource_id, "%s", id);
        snprintf(fl->client_token, sizeof fl->client_token, "%s", token ? token : "");
        tags_copy(&fl->hdr.tags, a->tags);
        add_created(out, n_out, &cap_out, fl);
    }
    free(t);
    return 0;
}

int flow_log_delete(struct model *m, struct scope *s, const char *flow_log_id, struct merr *err)
{
    struct flow_log *fl = flow_log_find(m, s, flow_log_id);
    if (!fl)
        return merr_set(err, "InvalidFlowLogId.NotFound", "Flow log %s does not exist",
                        flow_log_id);
    res_delete(m, &fl->hdr);
    return 0;
}

void flow_log_sweep(struct model *m, struct scope *s)
{
    for (size_t i = s->lists[RES_FLOW_LOG].n; i-- > 0;) {
        struct flow_log *fl = (struct flow_log *)s->lists[RES_FLOW_LOG].items[i];
        struct merr e;
        if (fl->hdr.scope == s && resource_check(m, s, fl->resource_type, fl->resource_id, &e))
            res_delete(m, &fl->hdr);
    }
}

/* ---- class ---- */

static json_t *flow_log_encode(const struct res *r)
{
    const struct flow_log *fl = (const struct flow_log *)r;
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:s}", "resource",
        fl->resource_id, "rtype", flow_log_resource_name(fl->resource_type), "traffic",
        flow_log_traffic_name(fl->traffic), "dtype", flow_log_dest_type_name(fl->dest_type),
        "bucket", fl->bucket, "prefix", fl->prefix, "group", fl->group, "dest", fl->log_destination,
        "role", fl->deliver_logs_permission_arn, "format", fl->log_format, "interval",
        fl->max_aggregation_interval, "created", (json_int_t)fl->created, "token",
        fl->client_token);
}

static int flow_log_decode(struct res *r, json_t *b)
{
    struct flow_log *fl = (struct flow_log *)r;
    json_copy_str(fl->resource_id, sizeof fl->resource_id, b, "resource");
    json_copy_str(fl->bucket, sizeof fl->bucket, b, "bucket");
    json_copy_str(fl->prefix, sizeof fl->prefix, b, "prefix");
    json_copy_str(fl->group, sizeof fl->group, b, "group");
    json_copy_str(fl->log_destination, sizeof fl->log_destination, b, "dest");
    json_copy_str(fl->deliver_logs_permission_arn, sizeof fl->deliver_logs_permission_arn, b,
                  "role");
    json_copy_str(fl->log_format, sizeof fl->log_format, b, "format");
    json_copy_str(fl->client_token, sizeof fl->client_token, b, "token");
    fl->max_aggregation_interval = (int)json_integer_value(json_object_get(b, "interval"));
    fl->created = (time_t)json_integer_value(json_object_get(b, "created"));
    const char *rtype = json_string_value(json_object_get(b, "rtype"));
    const char *traffic = json_string_value(json_object_get(b, "traffic"));
    const char *dtype = json_string_value(json_object_get(b, "dtype"));
    if (!rtype || resource_parse(rtype, &fl->resource_type) || !traffic ||
        traffic_parse(traffic, &fl->traffic) || !dtype || !fl->resource_id[0])
        return -EINVAL;
    if (strcmp(dtype, "s3") == 0)
        fl->dest_type = FLOWLOG_DEST_S3;
    else if (strcmp(dtype, "cloud-watch-logs") == 0)
        fl->dest_type = FLOWLOG_DEST_CWL;
    else
        return -EINVAL;
    char msg[256];
    if (flowlog_format_parse_for(
            fl->log_format, is_tgw_type(fl->resource_type) ? FLOWLOG_SCOPE_TGW : FLOWLOG_SCOPE_VPC,
            &fl->format, msg, sizeof msg) == 0)
        return 0;
    /* A transit gateway flow log stored before formats had scopes holds a VPC format (the VPC
     * default when none was given): it still loads, as it was created, rather than stopping
     * the daemon on its own state. */
    if (is_tgw_type(fl->resource_type) &&
        flowlog_format_parse(fl->log_format, &fl->format, msg, sizeof msg) == 0)
        return 0;
    return -EINVAL;
}

static int flow_log_filter(const struct model *m, const struct res *r, const char *name,
                           struct fvals *out)
{
    (void)m;
    const struct flow_log *fl = (const struct flow_log *)r;
    if (strcmp(name, "deliver-log-status") == 0) {
        fv_add(out, "SUCCESS"); /* delivery is to local files, which has no failure state */
    } else if (strcmp(name, "log-destination-type") == 0) {
        fv_add(out, flow_log_dest_type_name(fl->dest_type));
    } else if (strcmp(name, "flow-log-id") == 0) {
        fv_add(out, fl->hdr.id);
    } else if (strcmp(name, "log-group-name") == 0) {
        if (fl->dest_type == FLOWLOG_DEST_CWL)
            fv_add(out, fl->group);
    } else if (strcmp(name, "resource-id") == 0) {
        fv_add(out, fl->resource_id);
    } else if (strcmp(name, "traffic-type") == 0) {
        fv_add(out, flow_log_traffic_name(fl->traffic));
    } else {
        return -ENOENT;
    }
    return 0;
}

const struct res_class flow_log_class = {
    .name = "flow log",
    .id_prefix = "fl",
    .size = sizeof(struct flow_log),
    .not_found_code = "InvalidFlowLogId.NotFound",
    .malformed_code = "InvalidFlowLogId.Malformed",
    .tag_resource_type = "vpc-flow-log",
    .encode = flow_log_encode,
    .decode = flow_log_decode,
    .filter = flow_log_filter,
};
