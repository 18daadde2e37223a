/* A deliberately naive reference evaluator for one IPv4 packet, written from the AWS rules of
 * the reference (sections 4.5, 5, 6, 7, 9 and 10) and reading only the model's structures with
 * linear scans. It never looks at src/fib/ or src/pipeline/: the property test compares the two
 * on random topologies, so a rule misread in one place shows up as a disagreement.
 *
 * Where the path has a choice the reference leaves open (the TGW interface a packet leaves
 * through when the destination attachment has no subnet in the packet's zone, and the one
 * appliance mode picks by flow hash), the evaluator follows every choice and returns the set of
 * possible answers; the pipeline's answer must be one of them.
 *
 * Ownership: everything in a naive_set is a copy; the model is only read. */
#ifndef VPCD_TESTS_NAIVE_EVAL_H
#define VPCD_TESTS_NAIVE_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/flow.h"
#include "model/resources.h"

enum naive_outcome { NAIVE_DELIVERED, NAIVE_TO_INTERNET, NAIVE_DROPPED };

struct naive_result {
    enum naive_outcome outcome;
    char eni_id[ID_MAX];    /* NAIVE_DELIVERED: the receiving interface */
    char igw_id[ID_MAX];    /* NAIVE_TO_INTERNET: the gateway it left through */
    const char *code;       /* NAIVE_DROPPED: the AWS explanation code (static string) */
    char component[ID_MAX]; /* NAIVE_DROPPED: the object that dropped it, "" when not pinned */
    int rule_number;        /* SUBNET_ACL_RESTRICTION: the deciding rule */
    bool loop;              /* dropped because the path never ended (CANNOT_ROUTE) */
    bool translated;        /* the packet passed a NAT gateway */
    unsigned via;           /* NAIVE_VIA_* bits: what the path crossed (for coverage counts) */
    struct flow f;          /* the header as it arrived */
};

enum {
    NAIVE_VIA_PCX = 1,           /* a VPC peering */
    NAIVE_VIA_PCX_REGION = 2,    /* an inter-region VPC peering */
    NAIVE_VIA_TGW = 4,           /* a transit gateway */
    NAIVE_VIA_TGW_PEERING = 8,   /* a TGW peering attachment */
    NAIVE_VIA_NAT = 16,          /* a NAT gateway */
    NAIVE_VIA_ROUTED_ENI = 32,   /* a route to an interface or instance */
    NAIVE_VIA_L2 = 64,           /* switched inside a subnet */
    NAIVE_VIA_SERVICE_OWN = 128, /* a NAT gateway or TGW interface sent into its own subnet */
    NAIVE_VIA__COUNT = 8
};

#define NAIVE_MAX_RESULTS 24

struct naive_set {
    struct naive_result r[NAIVE_MAX_RESULTS];
    size_t n;
    bool overflow; /* too many branches: the answer is unknown */
    unsigned steps;
};

/* The packet f sent by interface `sender`. tracked: every security-group lookup answers "part
 * of a tracked flow", so SG rules are skipped on both ends (NACLs still judge the packet). */
void naive_from_eni(const struct model *m, const struct eni *sender, const struct flow *f,
                    bool tracked, struct naive_set *out);
/* The packet f arriving from the internet at whichever internet gateway owns f->dst. */
void naive_from_internet(const struct model *m, const struct flow *f, bool tracked,
                         struct naive_set *out);
/* Diagnosis switch, see naive_eval.c. */
extern bool naive_service_enis_route_own_subnet;

/* One answer as text, for failure messages. */
void naive_result_format(const struct naive_result *r, char *buf, size_t n);

#endif
