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
/* A secondary IPv4 request from the query: the integer parameter count_name and a list. With
 * primary NULL the list is list_prefix.N of plain addresses (AssignPrivateIpAddresses).
 * Otherwise it is list_prefix.N.PrivateIpAddress with .Primary, and *primary (on entry the
 * separate PrivateIpAddress parameter, or NULL) receives the primary address: the item marked
 * primary, else the first item when no PrivateIpAddress was given. Strings are borrowed from
 * the query. */
int eni_api_ipv4_request(struct api_ctx *c, const char *count_name, const char *list_prefix,
                         const char **primary, struct eni_ipv4_request *out);
/* ISO 8601 with milliseconds, as EC2 writes timestamps. */
void api_iso_time(time_t t, char buf[32]);

#endif
