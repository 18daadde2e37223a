/* XML of network interfaces, shared by the ENI and instance actions. */
#ifndef VPCD_API_ACTIONS_ENI_H
#define VPCD_API_ACTIONS_ENI_H

#include <time.h>

#include "api/api.h"
#include "model/resources.h"

/* The members of a NetworkInterface (for_instance false) or of an InstanceNetworkInterface. */
void eni_xml_members(struct api_ctx *c, const struct eni *e, bool for_instance);
/* <groupSet> with groupId and groupName of each id. */
void eni_xml_groups(struct api_ctx *c, char (*groups)[ID_MAX], size_t n);
/* An IPv6 request from the query: the integer parameter count_name and the list list_prefix.N
 * (list_prefix.N.Ipv6Address when structured). Strings are borrowed from the query. */
int eni_api_ipv6_request(struct api_ctx *c, const char *count_name, const char *list_prefix,
                         bool structured, struct eni_ipv6_request *out);
/* ISO 8601 with milliseconds, as EC2 writes timestamps. */
void api_iso_time(time_t t, char buf[32]);

#endif
