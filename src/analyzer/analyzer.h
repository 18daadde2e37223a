/* The path analyzer: Network Insights (Reachability Analyzer) on top of the pipeline.
 *
 * An analysis imagines the first packet of a flow from the source to the destination and runs
 * it through pipeline_run() with a trace recorder; when it arrives, the reply is run back the
 * same way, with the SGs of both ENIs admitting it as a tracked flow (NACLs still judge it).
 * A packet delivered to an appliance (an ENI that is not the packet's destination and has its
 * source/destination check off) is sent on from that ENI, as the appliance would. Unlike AWS,
 * paths across regions (inter-region peering, TGW peering) are analyzed.
 *
 * Nothing here decides what happens to a packet: every verdict comes from src/pipeline/. */
#ifndef VPCD_ANALYZER_ANALYZER_H
#define VPCD_ANALYZER_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fib/snapshot.h"
#include "model/model.h"
#include "pipeline/pipeline.h"

/* What CreateNetworkInsightsPath stores. Strings are borrowed for the call. */
struct an_request {
    const char *source;         /* i-..., eni-..., igw-... (required) */
    const char *destination;    /* i-..., eni-..., igw-..., or NULL when destination_ip is given;
                                 * or a component the packet passes (tgw-attach-, tgw-, pcx-,
                                 * nat-; needs destination_ip; no return path is analyzed) */
    const char *source_ip;      /* SourceIp / FilterAtSource.SourceAddress; NULL: the source's */
    const char *destination_ip; /* DestinationIp / FilterAtDestination...; NULL: the dest's */
    int protocol;               /* 6 tcp, 17 udp, 1 icmp */
    int destination_port;       /* -1: not given (the analyzer uses 1 as a representative) */
    int source_port;            /* -1: not given (the analyzer uses an ephemeral 49152) */
};

/* One analyzed direction. */
struct an_path {
    bool run; /* false: not analyzed (the return path of a blocked forward path) */
    bool arrived;
    struct pl_trace trace;
    struct pl_result result; /* the last pipeline_run of this direction */
    /* The pieces: the pipeline runs of this direction (more than one through appliances). */
    unsigned n_legs;
};

struct an_result {
    bool path_found;
    struct an_path forward, ret;
    /* When !path_found: the drop that decided it, and on which direction. */
    enum pl_code code;
    struct pl_hop where;
    bool on_return_path;
};

/* Validates and resolves the request in the caller's scope: ids must name objects the caller
 * sees (InvalidInstanceID.NotFound etc.), an IP must parse. Returns 0 or -1 with err. */
int analyzer_check(const struct model *m, const struct scope *caller, const struct an_request *rq,
                   struct merr *err);
/* Runs the analysis on snapshot s. Returns 0, or -1 with err when an endpoint no longer
 * exists (the path was created, then its source was deleted). out is caller storage. */
int analyzer_run(const struct fib_snapshot *s, const struct an_request *rq, struct an_result *out,
                 struct merr *err);

/* Reachability matrix: for each ordered pair of the n instance ENIs (fib enis[] indices),
 * matrix[i * n + j] = 1 when a flow from i to j (proto, port) is reachable, forward and
 * return, else 0; the diagonal is 1. No trace is recorded. matrix is caller storage (n * n). */
void analyzer_matrix(const struct fib_snapshot *s, const uint32_t *enis, size_t n, int protocol,
                     int port, uint8_t *matrix);

/* The snapshot of model m, rebuilt when the model changed since the cached one (caller holds
 * the model lock). The returned reference is the caller's (fib_snapshot_unref). */
struct fib_snapshot *analyzer_snapshot(const struct model *m);
/* Drops the cached snapshot (at shutdown, so nothing is left allocated). */
void analyzer_snapshot_release(void);

#endif
