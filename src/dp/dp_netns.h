/* Instances as named network namespaces with TAP interfaces: the data plane's port operations
 * when vpcd runs as root. */
#ifndef VPCD_DP_NETNS_OPS_H
#define VPCD_DP_NETNS_OPS_H

#include "dp/dp.h"

extern const struct dp_port_ops dp_netns_ops;
/* Removes the namespaces of this state's instances that the data plane does not bring up
 * (terminated while vpcd was down, or left by a crash). Namespaces of instances this state does
 * not know are left alone: they may be another vpcd's. Call after the first dp_sync(). */
void dp_netns_sweep(struct dp *dp, const struct model *m);

#endif
