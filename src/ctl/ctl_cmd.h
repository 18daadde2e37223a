/* vpcctl's commands, as API call sequences: `trace` (create a Network Insights path, start an
 * analysis, read it back, delete both, report) and `reach` (the vendor action
 * DescribeVpcdReachabilityMatrix). main() in src/cmd/vpcctl.c only parses arguments.
 *
 * Each returns the process exit status: 0 reachable / done, 1 blocked, 2 an API or reply error
 * (reported on err as the aws CLI words it). Options and streams are borrowed. */
#ifndef VPCD_CTL_CMD_H
#define VPCD_CTL_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "ctl/ctl_client.h"

#define CTL_EXIT_OK 0
#define CTL_EXIT_BLOCKED 1
#define CTL_EXIT_ERROR 2

struct ctl_trace_opts {
    const char *source;      /* i-, eni- or igw- id */
    const char *destination; /* an id, or an IPv4 address (sent as DestinationIp) */
    const char *protocol;    /* tcp, udp or icmp */
    int port;                /* < 0: not sent */
    bool json;
};

struct ctl_reach_opts {
    const char *protocol;
    int port; /* < 0: not sent */
    bool json;
};

int ctl_cmd_trace(struct ctl_client *c, const struct ctl_trace_opts *o, FILE *out, FILE *err);
int ctl_cmd_reach(struct ctl_client *c, const struct ctl_reach_opts *o, FILE *out, FILE *err);

#endif
