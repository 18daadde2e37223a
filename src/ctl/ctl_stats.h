/* `vpcctl stats`: vpcd's counters from GET /_vpcd/metrics. Three layers, each testable alone:
 *   ctl_prom_*   the Prometheus text exposition format (version 0.0.4) parsed into samples:
 *                comments (# HELP, # TYPE, others), label values with their escapes, float
 *                values (NaN, +Inf, -Inf), optional timestamps; a line that is none of these is
 *                counted and skipped, as one bad line must not hide every other counter;
 *   ctl_stats_*  the samples vpcd writes (src/dp/dp.c dp_metrics(), src/api/service.c) read
 *                into a report: API requests, frames, answers, drops by reason and by ENI,
 *                and printed as text for people or one JSON object (jansson) for scripts;
 *   ctl_cmd_stats the command: endpoint URL -> metrics URL, GET, parse, print.
 *
 * Ownership: struct ctl_prom owns every sample and string in it; ctl_prom_destroy() frees them
 * (and accepts a zeroed or already destroyed one). struct ctl_stats borrows its strings from the
 * struct ctl_prom it was read from (which must outlive it) and owns its arrays;
 * ctl_stats_destroy() frees them. Input text, options and streams are borrowed for each call;
 * output goes to a caller-owned strbuf, or *url (caller frees). */
#ifndef VPCD_CTL_STATS_H
#define VPCD_CTL_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/strbuf.h"

/* ---- the exposition format -------------------------------------------------------------- */

struct ctl_prom_label {
    char *name;
    char *value; /* unescaped, valid UTF-8 */
};

struct ctl_prom_sample {
    char *name;
    struct ctl_prom_label *labels; /* in the order written; names are unique */
    size_t n_labels;
    double value;
    /* The value was written as a plain unsigned integer (as vpcd writes counters): count holds
     * it exactly, where value rounds above 2^53. */
    bool is_count;
    uint64_t count;
    bool has_timestamp;
    int64_t timestamp_ms;
};

struct ctl_prom {
    struct ctl_prom_sample *samples; /* in the order written */
    size_t n_samples;
    size_t cap;
    size_t n_bad;          /* lines that are neither blank, a comment nor a sample */
    size_t first_bad_line; /* 1-based; 0 when n_bad is 0 */
};

/* Parses len bytes of text (a NUL inside a line makes that line bad). Never fails: bad lines
 * are counted in out->n_bad and skipped. */
void ctl_prom_parse(const char *text, size_t len, struct ctl_prom *out);
void ctl_prom_destroy(struct ctl_prom *p);

/* The value of label name on s, or NULL when s has no such label. */
const char *ctl_prom_label(const struct ctl_prom_sample *s, const char *name);

/* ---- vpcd's counters -------------------------------------------------------------------- */

struct ctl_stats_row {
    const char *name;     /* drop reason, answer kind, or ENI id */
    const char *instance; /* an ENI's instance id ("" when the label is empty); else NULL */
    uint64_t count;
};

struct ctl_stats {
    bool have_api;
    uint64_t api_requests;
    bool dataplane; /* any vpcd_dp_ sample: vpcd runs its data plane */
    bool have_rx, have_tx;
    uint64_t rx, tx;
    struct ctl_stats_row *answers; /* in the order written */
    size_t n_answers;
    struct ctl_stats_row *drops; /* every reason, zeros too: count descending, then name */
    size_t n_drops;
    struct ctl_stats_row *eni_drops; /* every ENI, same order */
    size_t n_eni_drops;
    uint64_t total_drops, total_eni_drops;
};

/* Reads vpcd's samples. A series written twice keeps its first value; samples that are not
 * counts (negative, fractional, NaN, infinite) and unknown metrics are ignored. Returns 0, or
 * -1 with err when p has no vpcd sample at all (the endpoint is not vpcd). */
int ctl_stats_read(const struct ctl_prom *p, struct ctl_stats *out, char *err, size_t err_size);
void ctl_stats_destroy(struct ctl_stats *s);

/* The report. all: list the drop reasons and ENIs whose count is 0 as well. */
void ctl_stats_text(const struct ctl_stats *s, bool all, struct strbuf *out);
/* One JSON object and a newline: apiRequests, dataPlane, frames {rx, tx}, answers {kind: n},
 * drops {total, byReason [{reason, count}], byInterface [{networkInterfaceId, instanceId,
 * count}]}; frames, answers and drops are null without a data plane. */
void ctl_stats_json(const struct ctl_stats *s, bool all, struct strbuf *out);

/* ---- the command ------------------------------------------------------------------------ */

/* The metrics URL of an EC2 endpoint: its path with "/_vpcd/metrics" appended (so a vpcd behind
 * a path prefix is found too), without query or fragment. Returns 0 with *url (caller frees),
 * or -1 with err for an endpoint that is not an http(s) URL. */
int ctl_stats_url(const char *endpoint, char **url, char *err, size_t err_size);

struct ctl_stats_opts {
    bool json;
    bool all;
};

/* GETs the metrics of endpoint (no signature: vpcd serves them to anyone) and prints the
 * report on out; problems go to err. Returns CTL_EXIT_OK, or CTL_EXIT_ERROR when there is no
 * reply, the reply is not HTTP 200, or it holds no vpcd counters. Bad lines are reported on
 * err but do not change the exit status. */
int ctl_cmd_stats(const char *endpoint, const struct ctl_stats_opts *o, FILE *out, FILE *err);

#endif
