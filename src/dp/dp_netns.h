/* Instances as named network namespaces with TAP interfaces: the data plane's port operations
 * when vpcd runs as root. */
#ifndef VPCD_DP_NETNS_OPS_H
#define VPCD_DP_NETNS_OPS_H

#include "dp/dp.h"

extern const struct dp_port_ops dp_netns_ops;
/* Removes the instance namespaces the data plane does not know (left by an earlier run for
 * instances that have since gone). Call after the first dp_sync(). */
void dp_netns_sweep(struct dp *dp);

#endif
