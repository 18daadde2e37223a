/* AWS's CIDR rules for VPCs, subnets and routes, as stated in the AWS VPC User Guide.
 *
 * Pure functions over lib/addr prefixes: no state, no allocation, no error reporting beyond the
 * boolean or errno result, so the API layer decides which AWS error code a refusal maps to.
 */
#ifndef VPCD_MODEL_CIDR_RULES_H
#define VPCD_MODEL_CIDR_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

#define VPC_CIDR_MIN_LEN 16
#define VPC_CIDR_MAX_LEN 28
#define SUBNET_IPV4_RESERVED_COUNT 5
#define SUBNET_IPV6_LEN 64

/* An IPv4 VPC (or subnet) block is between /16 and /28 inclusive. */
bool vpc_cidr_size_valid(const struct prefix4 *p);

/* p overlaps a range that can never be a VPC block: 169.254.0.0/16 (link-local, where the
 * instance metadata service lives), 0.0.0.0/8, 127.0.0.0/8 and 224.0.0.0/3 (multicast and
 * class E). */
bool vpc_cidr_reserved(const struct prefix4 *p);

enum vpc_range_family {
    VPC_RANGE_10,      /* 10.0.0.0/8 */
    VPC_RANGE_172,     /* 172.16.0.0/12 */
    VPC_RANGE_192_168, /* 192.168.0.0/16 */
    VPC_RANGE_198_19,  /* 198.19.0.0/16 */
    VPC_RANGE_PUBLIC,  /* everything else, including 100.64.0.0/10 */
};

/* Family of a block lying inside one of the ranges above; a block straddling or covering a
 * range (only possible for lengths shorter than a VPC may have) is classed as public. */
enum vpc_range_family vpc_range_family_of(const struct prefix4 *p);

/* Range-family table for associating an additional IPv4 block: existing[0] is the primary
 * block, which decides the family; existing[1..] are the other associated blocks. Size and
 * overlap with the existing blocks are the caller's checks. Returns false when n_existing is 0
 * (a VPC always has a primary block). */
bool vpc_secondary_cidr_allowed(const struct prefix4 *existing, size_t n_existing,
                                const struct prefix4 *candidate);

/* Usable IPv4 addresses in a subnet: AWS keeps the network address, +1 (VPC router), +2 (DNS),
 * +3 (future use) and the broadcast address. 0 for blocks of 4 or fewer addresses. */
uint64_t subnet_available_ipv4(const struct prefix4 *subnet);
/* addr is one of the five reserved addresses of subnet (false when addr is outside it). */
bool subnet_ipv4_reserved(const struct prefix4 *subnet, uint32_t addr);
/* addr is one of the first four or the last address of an IPv6 subnet. */
bool subnet_ipv6_reserved(const struct prefix6 *subnet, const uint8_t addr[16]);

/* Route destinations equal to or inside 169.254.168.0/22 (IPv4) or fd00:ec2::/32 (IPv6) are
 * refused because they shadow AWS-provided services; a larger block containing them is fine. */
bool route_destination_forbidden4(const struct prefix4 *dst);
bool route_destination_forbidden6(const struct prefix6 *dst);

/* A new VPC block "must not be equal to or larger than the destination of any existing route":
 * true when candidate contains route_dst. */
bool vpc_secondary_cidr_conflicts_route(const struct prefix4 *candidate,
                                        const struct prefix4 *route_dst);

/* IPv6 subnets are /64s carved out of the VPC's block (a /56 for Amazon-provided blocks).
 * Returns 0 when sub is a /64 inside vpc56, else -EINVAL. */
int ipv6_subnet_in_vpc_block(const struct prefix6 *vpc56, const struct prefix6 *sub);

#endif
