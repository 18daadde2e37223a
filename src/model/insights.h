/* Network Insights (Reachability Analyzer) resources: paths (nip-...) and analyses (nia-...).
 *
 * A path is only a question (from where, to where, which packet); an analysis is one answer to
 * it, computed by src/analyzer/ when it starts and kept as it was then, so a later change to the
 * network never rewrites an old answer (as on AWS). The model cannot run the analyzer (the
 * analyzer sits above the model), so the result arrives already shaped as AWS's PathComponent
 * and Explanation lists: JSON objects whose member names are the EC2 XML names, which the store
 * keeps verbatim and the API prints back. Every function taking a struct merr returns 0, or -1
 * with the AWS error and nothing changed. */
#ifndef VPCD_MODEL_INSIGHTS_H
#define VPCD_MODEL_INSIGHTS_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "lib/addr.h"
#include "model/model.h"

/* ---- paths ---- */

/* A port or port range that was not given. */
#define NIP_PORT_NONE (-1)

struct nip_port_range {
    int from, to; /* NIP_PORT_NONE/NIP_PORT_NONE when not given */
};

/* FilterAtSource / FilterAtDestination (PathRequestFilter). Empty strings: not given. */
struct nip_filter {
    bool set;
    char source_address[IP4_STRLEN];
    char destination_address[IP4_STRLEN];
    struct nip_port_range source_ports, destination_ports;
};

struct nip {
    struct res hdr;
    char source[ID_MAX];             /* an id: an ARN given at creation is reduced to its id */
    char destination[ID_MAX];        /* empty when the path names only an address */
    char source_ip[IP4_STRLEN];      /* empty: not given */
    char destination_ip[IP4_STRLEN]; /* empty: not given */
    char protocol[8];                /* tcp | udp | icmp (icmp: a vpcd extension) */
    int destination_port;            /* NIP_PORT_NONE: not given */
    struct nip_filter at_source, at_destination;
    time_t created;
    char client_token[72];
};

/* Strings are borrowed for the call. */
struct nip_create_args {
    const char *source;      /* id or ARN (required) */
    const char *destination; /* id or ARN; NULL when an address names the destination */
    const char *source_ip, *destination_ip;
    const char *protocol; /* required */
    int destination_port; /* NIP_PORT_NONE: not given */
    struct nip_filter at_source, at_destination;
    const char *client_token;
    const struct tag_list *tags; /* may be NULL */
};

/* Checks the request's own shape (required members, protocol, ports, addresses, combinations
 * AWS refuses) and its ClientToken: a retry with the same token and the same request sets
 * *existing to the path that call created (AWS's idempotency); the same token with another
 * request is IdempotentParameterMismatch. Names of other objects are not resolved here: the
 * caller checks them (analyzer_check) before nip_create. */
int nip_prepare(const struct model *m, const struct scope *s, const struct nip_create_args *a,
                struct nip **existing, struct merr *err);
int nip_create(struct model *m, struct scope *s, const struct nip_create_args *a, struct nip **out,
               struct merr *err);
/* Refused while analyses of the path exist (AnalysisExistsForNetworkInsightsPath). */
int nip_delete(struct model *m, struct scope *s, const char *nip_id, struct merr *err);
/* "source" or "destination" reduced to an id: "arn:...:<type>/<id>" gives <id>. */
void nip_resource_id(const char *id_or_arn, char out[ID_MAX]);
/* IANA number of a path protocol (tcp 6, udp 17, icmp 1), or -1. */
int nip_protocol_number(const char *protocol);

/* ---- analyses ---- */

enum nia_status { NIA_RUNNING, NIA_SUCCEEDED, NIA_FAILED };

struct nia {
    struct res hdr;
    char path_id[ID_MAX];
    enum nia_status status;
    char status_message[512]; /* failed analyses: why */
    time_t start, end;
    bool path_found;
    /* AWS-shaped lists (arrays of objects named as the EC2 XML members), owned; NULL when the
     * analysis has none (the return path of a blocked forward path, the explanations of a
     * path that was found). */
    json_t *forward, *ret, *explanations;
    json_t *filter_in_arns;      /* owned array of strings, never NULL */
    json_t *additional_accounts; /* owned array of strings, never NULL */
    char client_token[72];
};

struct nia_start_args {
    const char *path_id; /* required */
    const char **filter_in_arns;
    size_t n_filter_in_arns;
    const char **additional_accounts;
    size_t n_additional_accounts;
    const char *client_token;
    const struct tag_list *tags;
};

/* The outcome the analyzer produced; the json lists pass to the analysis (NULL: none). */
struct nia_outcome {
    bool failed;
    const char *status_message; /* failed: why */
    bool path_found;
    json_t *forward, *ret, *explanations;
};

/* Validates a StartNetworkInsightsAnalysis: the path must exist in the scope (*path), and a
 * retry with a used ClientToken and the same path returns that call's analysis (*existing). */
int nia_prepare(const struct model *m, const struct scope *s, const struct nia_start_args *a,
                struct nip **path, struct nia **existing, struct merr *err);
/* Records a finished analysis (validated with nia_prepare). Takes ownership of o's lists. */
struct nia *nia_create(struct model *m, struct scope *s, const struct nia_start_args *a,
                       struct nia_outcome *o);
int nia_delete(struct model *m, struct scope *s, const char *nia_id, struct merr *err);
const char *nia_status_name(enum nia_status st);

#endif
