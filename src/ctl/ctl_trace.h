/* How vpcctl shows analyzer results: a Network Insights analysis (the forward and return path
 * hop by hop, or where and why the packet is blocked) and the reachability matrix, as text for
 * people or as JSON (jansson) for scripts. Only AWS's vocabulary is used: component ids,
 * explanation codes, rule numbers, routes.
 *
 * Ownership: analysis trees and queries are borrowed for each call. Output goes to a
 * caller-owned strbuf. struct ctl_reach borrows its strings from the reply tree it was parsed
 * from (which must outlive it) and owns its arrays; ctl_reach_destroy() frees them. */
#ifndef VPCD_CTL_TRACE_H
#define VPCD_CTL_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "ctl/ctl_xml.h"
#include "lib/strbuf.h"

/* What was asked, for the headline. port < 0: none given. */
struct ctl_trace_query {
    const char *source;
    const char *destination;
    const char *protocol;
    int port;
};

/* analysis: one <item> of networkInsightsAnalysisSet. Appends the text report. */
void ctl_trace_text(const struct ctl_xml_node *analysis, const struct ctl_trace_query *q,
                    struct strbuf *out);
/* Appends one JSON object {networkPathFound, forward, return, explanations} and a newline.
 * Components keep AWS's member names, camelCase, lists named by their plural
 * (explanationSet -> explanations), numbers and booleans typed. */
void ctl_trace_json(const struct ctl_xml_node *analysis, struct strbuf *out);

struct ctl_reach_instance {
    const char *instance_id;
    const char *region;     /* may be NULL */
    const char *private_ip; /* may be NULL */
};

struct ctl_reach_row {
    const char *instance_id;
    const char *reachable; /* one '0'/'1' per instance, in instances[] order */
};

struct ctl_reach {
    struct ctl_reach_instance *instances;
    size_t n_instances;
    struct ctl_reach_row *rows;
    size_t n_rows;
};

/* Reads a DescribeVpcdReachabilityMatrix reply. Returns 0, or -1 with err when the reply is
 * malformed (a row of the wrong length, characters other than 0/1, missing ids). */
int ctl_reach_parse(const struct ctl_xml_node *reply, struct ctl_reach *out, char *err,
                    size_t err_size);
void ctl_reach_destroy(struct ctl_reach *r);
void ctl_reach_text(const struct ctl_reach *r, const char *protocol, int port, struct strbuf *out);
void ctl_reach_json(const struct ctl_reach *r, const char *protocol, int port, struct strbuf *out);

#endif
