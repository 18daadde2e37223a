/* The forwarding decisions. Every verdict about a packet is made here, from the compiled tables
 * of src/fib/, so the analyzer and the data plane (which both call these functions) cannot
 * disagree. */
#ifndef VPCD_PIPELINE_PIPELINE_H
#define VPCD_PIPELINE_PIPELINE_H

#include <stdbool.h>

#include "fib/fib.h"
#include "lib/flow.h"

struct nacl_verdict {
    bool allow;
    int rule_number; /* the rule that decided: 32767 / 32768 for the implicit denies */
};

/* A packet crossing a subnet's edge through NACL a: rules in ascending number, first match
 * decides. Ingress judges the packet's source, egress its destination; TCP/UDP port ranges
 * apply to the destination port, ICMP type and code to the flow's type and code. */
struct nacl_verdict pipeline_nacl_decide(const struct fib_acl *a, bool egress,
                                         const struct flow *f);

#endif
