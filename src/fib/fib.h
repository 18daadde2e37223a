/* Compiled forwarding tables: the model's route tables turned into lookup structures the
 * pipeline reads. A compiled table is immutable; a change compiles a new one (full recompile of
 * the table is the always-correct fallback) and the caller swaps it in.
 *
 * Route selection for one VPC route table follows AWS (reference 4.5), decided in exactly one
 * place, fib_route_outranks(): the longest prefix wins whatever its source; for the same prefix
 * local beats a static route, which beats a prefix-list route, which beats a propagated one. */
#ifndef VPCD_FIB_FIB_H
#define VPCD_FIB_FIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/flow.h"
#include "lib/lpm.h"
#include "model/resources.h"

enum fib_route_source {
    FIB_SRC_LOCAL,       /* the VPC's own blocks (origin CreateRouteTable) */
    FIB_SRC_STATIC,      /* CreateRoute with a CIDR destination */
    FIB_SRC_PREFIX_LIST, /* CreateRoute with a prefix-list destination, one per list entry */
    FIB_SRC_PROPAGATED,  /* EnableVgwRoutePropagation */
};

struct fib_route {
    enum fib_route_source source;
    enum route_target kind;
    bool blackhole;       /* route state at compile time */
    int family;           /* 4 or 6 */
    uint8_t dst[16];      /* network order; 4 bytes used for IPv4 */
    uint8_t len;
    char target[128];     /* target id ("local", igw-..., pcx-...); ARNs cut to fit */
    char dst_text[PREFIX6_STRLEN]; /* the route's destination as DescribeRouteTables shows it */
    char pl_id[ID_MAX];   /* the prefix list, for FIB_SRC_PREFIX_LIST */
};

struct fib_rtb {
    char id[ID_MAX];
    char vpc_id[ID_MAX];
    struct lpm *lpm4, *lpm6; /* values index routes[] */
    struct fib_route *routes;
    size_t n_routes;
};

/* True if a should be chosen over b for the same destination prefix. */
bool fib_route_outranks(const struct fib_route *a, const struct fib_route *b);
/* Compiles rt as the model has it now (targets' states included). out is initialised by the
 * call and owned by the caller; release it with fib_rtb_destroy(). Returns 0 or -ENOMEM. */
int fib_rtb_compile(const struct model *m, const struct route_table *rt, struct fib_rtb *out);
void fib_rtb_destroy(struct fib_rtb *t);
/* The selected route for a destination address (4 or 16 network-order bytes), or NULL. */
const struct fib_route *fib_rtb_lookup(const struct fib_rtb *t, int family, const uint8_t *addr);

/* ---- Network ACLs ----
 * A compiled NACL keeps each direction's rules in evaluation order, the implicit "*" denies
 * (32767 for IPv4, 32768 for IPv6) last. The decision is the pipeline's (pipeline_nacl_decide). */

struct fib_acl_rule {
    int rule_number;
    bool allow;
    int protocol; /* -1: all */
    int family;   /* 4 or 6 */
    uint8_t net[16];
    uint8_t len;
    bool has_ports;
    uint16_t port_from, port_to;
    bool has_icmp;
    int icmp_type, icmp_code; /* -1: any */
};

struct fib_acl {
    char id[ID_MAX];
    struct fib_acl_rule *rules[2]; /* [0] ingress, [1] egress */
    size_t n_rules[2];
};

int fib_acl_compile(const struct model *m, const struct network_acl *a, struct fib_acl *out);
void fib_acl_destroy(struct fib_acl *a);

#endif
