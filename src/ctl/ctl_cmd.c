/* The trace and reach commands. */
#include "ctl/ctl_cmd.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl/ctl_trace.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"

/* StartNetworkInsightsAnalysis may answer "running"; vpcd finishes in microseconds, AWS in
 * seconds to minutes, so poll briefly and give up after a bound. */
#define CTL_POLL_INTERVAL_MS 100
#define CTL_POLL_MAX_TRIES 600

static void ctl_cmd_report(FILE *err, const struct ctl_error *e, const char *action)
{
    struct strbuf sb;
    strbuf_init(&sb);
    ctl_client_describe_error(e, action, &sb);
    fprintf(err, "vpcctl: %s\n", sb.data ? sb.data : "error");
    strbuf_destroy(&sb);
}

/* Calls action and reports a failure on err. Returns the reply or NULL. */
static struct ctl_xml_node *ctl_cmd_call(struct ctl_client *c, const char *action,
                                         const struct ctl_param *params, size_t n, FILE *err)
{
    struct ctl_xml_node *reply = NULL;
    struct ctl_error e;
    if (ctl_client_call(c, action, params, n, &reply, &e) != 0) {
        ctl_cmd_report(err, &e, action);
        return NULL;
    }
    return reply;
}

static void ctl_cmd_sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static bool ctl_cmd_is_ipv4(const char *s)
{
    struct in_addr a;
    return s != NULL && inet_pton(AF_INET, s, &a) == 1;
}

/* Creates the path; returns its id (caller frees) or NULL. */
static char *ctl_cmd_create_path(struct ctl_client *c, const struct ctl_trace_opts *o, FILE *err)
{
    char token[40], port[16];
    ctl_client_token(token, sizeof token);
    snprintf(port, sizeof port, "%d", o->port);
    struct ctl_param params[5];
    size_t n = 0;
    params[n++] = (struct ctl_param){"Source", o->source};
    if (ctl_cmd_is_ipv4(o->destination))
        params[n++] = (struct ctl_param){"DestinationIp", o->destination};
    else
        params[n++] = (struct ctl_param){"Destination", o->destination};
    params[n++] = (struct ctl_param){"Protocol", o->protocol ? o->protocol : "tcp"};
    if (o->port >= 0)
        params[n++] = (struct ctl_param){"DestinationPort", port};
    params[n++] = (struct ctl_param){"ClientToken", token};
    struct ctl_xml_node *reply = ctl_cmd_call(c, "CreateNetworkInsightsPath", params, n, err);
    if (reply == NULL)
        return NULL;
    const char *id = ctl_xml_text(reply, "networkInsightsPath/networkInsightsPathId");
    char *path_id = id ? xstrdup(id) : NULL;
    if (path_id == NULL)
        fprintf(err, "vpcctl: the CreateNetworkInsightsPath reply has no networkInsightsPathId\n");
    ctl_xml_free(reply);
    return path_id;
}

static char *ctl_cmd_start(struct ctl_client *c, const char *path_id, FILE *err)
{
    char token[40];
    ctl_client_token(token, sizeof token);
    struct ctl_param params[] = {{"NetworkInsightsPathId", path_id}, {"ClientToken", token}};
    struct ctl_xml_node *reply = ctl_cmd_call(c, "StartNetworkInsightsAnalysis", params, 2, err);
    if (reply == NULL)
        return NULL;
    const char *id = ctl_xml_text(reply, "networkInsightsAnalysis/networkInsightsAnalysisId");
    char *analysis_id = id ? xstrdup(id) : NULL;
    if (analysis_id == NULL)
        fprintf(err, "vpcctl: the StartNetworkInsightsAnalysis reply has no "
                     "networkInsightsAnalysisId\n");
    ctl_xml_free(reply);
    return analysis_id;
}

/* Reads the analysis back until it is no longer running. Returns the reply (whose first
 * networkInsightsAnalysisSet item is the analysis, in *analysis) or NULL. */
static struct ctl_xml_node *ctl_cmd_wait(struct ctl_client *c, const char *analysis_id,
                                         const struct ctl_xml_node **analysis, FILE *err)
{
    struct ctl_param params[] = {{"NetworkInsightsAnalysisId.1", analysis_id}};
    for (int tries = 0; tries < CTL_POLL_MAX_TRIES; tries++) {
        struct ctl_xml_node *reply =
            ctl_cmd_call(c, "DescribeNetworkInsightsAnalyses", params, 1, err);
        if (reply == NULL)
            return NULL;
        const struct ctl_xml_node *a = NULL;
        const struct ctl_xml_node *set = ctl_xml_child(reply, "networkInsightsAnalysisSet");
        for (size_t i = 0; (a = ctl_xml_item(set, i)) != NULL; i++) {
            const char *id = ctl_xml_text(a, "networkInsightsAnalysisId");
            if (id && strcmp(id, analysis_id) == 0)
                break;
        }
        if (a == NULL) {
            fprintf(err, "vpcctl: DescribeNetworkInsightsAnalyses did not return %s\n",
                    analysis_id);
            ctl_xml_free(reply);
            return NULL;
        }
        const char *status = ctl_xml_text(a, "status");
        if (status == NULL || strcmp(status, "running") != 0) {
            *analysis = a;
            return reply;
        }
        ctl_xml_free(reply);
        ctl_cmd_sleep_ms(CTL_POLL_INTERVAL_MS);
    }
    fprintf(err, "vpcctl: analysis %s is still running after %d s\n", analysis_id,
            CTL_POLL_INTERVAL_MS * CTL_POLL_MAX_TRIES / 1000);
    return NULL;
}

/* Deletes what trace created; a failure is reported, but does not change the verdict. */
static void ctl_cmd_cleanup(struct ctl_client *c, const char *path_id, const char *analysis_id,
                            FILE *err)
{
    if (analysis_id) {
        struct ctl_param p[] = {{"NetworkInsightsAnalysisId", analysis_id}};
        ctl_xml_free(ctl_cmd_call(c, "DeleteNetworkInsightsAnalysis", p, 1, err));
    }
    if (path_id) {
        struct ctl_param p[] = {{"NetworkInsightsPathId", path_id}};
        ctl_xml_free(ctl_cmd_call(c, "DeleteNetworkInsightsPath", p, 1, err));
    }
}

int ctl_cmd_trace(struct ctl_client *c, const struct ctl_trace_opts *o, FILE *out, FILE *err)
{
    int rc = CTL_EXIT_ERROR;
    char *analysis_id = NULL;
    struct ctl_xml_node *reply = NULL;
    struct strbuf report;
    strbuf_init(&report);
    char *path_id = ctl_cmd_create_path(c, o, err);
    if (path_id == NULL)
        goto done;
    analysis_id = ctl_cmd_start(c, path_id, err);
    if (analysis_id == NULL)
        goto done;
    const struct ctl_xml_node *analysis = NULL;
    reply = ctl_cmd_wait(c, analysis_id, &analysis, err);
    if (reply == NULL)
        goto done;

    const char *status = ctl_xml_text(analysis, "status");
    bool found;
    if (status == NULL || strcmp(status, "succeeded") != 0) {
        const char *msg = ctl_xml_text(analysis, "statusMessage");
        fprintf(err, "vpcctl: analysis %s %s%s%s\n", analysis_id, status ? status : "has no status",
                msg ? ": " : "", msg ? msg : "");
        goto done;
    }
    if (!ctl_xml_bool(analysis, "networkPathFound", &found)) {
        fprintf(err, "vpcctl: analysis %s has no networkPathFound\n", analysis_id);
        goto done;
    }
    struct ctl_trace_query q = {
        .source = o->source,
        .destination = o->destination,
        .protocol = o->protocol ? o->protocol : "tcp",
        .port = o->port,
    };
    if (o->json)
        ctl_trace_json(analysis, &report);
    else
        ctl_trace_text(analysis, &q, &report);
    rc = found ? CTL_EXIT_OK : CTL_EXIT_BLOCKED;
done:
    ctl_xml_free(reply);
    ctl_cmd_cleanup(c, path_id, analysis_id, err);
    if (report.len)
        fputs(report.data, out);
    strbuf_destroy(&report);
    free(analysis_id);
    free(path_id);
    return rc;
}

int ctl_cmd_reach(struct ctl_client *c, const struct ctl_reach_opts *o, FILE *out, FILE *err)
{
    char port[16];
    snprintf(port, sizeof port, "%d", o->port);
    struct ctl_param params[2];
    size_t n = 0;
    const char *protocol = o->protocol ? o->protocol : "tcp";
    params[n++] = (struct ctl_param){"Protocol", protocol};
    if (o->port >= 0)
        params[n++] = (struct ctl_param){"DestinationPort", port};
    struct ctl_xml_node *reply = ctl_cmd_call(c, "DescribeVpcdReachabilityMatrix", params, n, err);
    if (reply == NULL)
        return CTL_EXIT_ERROR;
    struct ctl_reach r;
    char msg[256];
    if (ctl_reach_parse(reply, &r, msg, sizeof msg) != 0) {
        fprintf(err, "vpcctl: DescribeVpcdReachabilityMatrix: %s\n", msg);
        ctl_xml_free(reply);
        return CTL_EXIT_ERROR;
    }
    struct strbuf sb;
    strbuf_init(&sb);
    if (o->json)
        ctl_reach_json(&r, protocol, o->port, &sb);
    else
        ctl_reach_text(&r, protocol, o->port, &sb);
    if (sb.len)
        fputs(sb.data, out);
    strbuf_destroy(&sb);
    ctl_reach_destroy(&r);
    ctl_xml_free(reply);
    return CTL_EXIT_OK;
}
