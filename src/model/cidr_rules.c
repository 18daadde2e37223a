#include "model/cidr_rules.h"

#include <errno.h>
#include <string.h>

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

static const struct prefix4 range_10 = {IP4(10, 0, 0, 0), 8};
static const struct prefix4 range_172 = {IP4(172, 16, 0, 0), 12};
static const struct prefix4 range_192_168 = {IP4(192, 168, 0, 0), 16};
static const struct prefix4 range_198_19 = {IP4(198, 19, 0, 0), 16};
static const struct prefix4 range_172_31 = {IP4(172, 31, 0, 0), 16};
static const struct prefix4 range_10_0_16 = {IP4(10, 0, 0, 0), 16};
static const struct prefix4 range_10_0_15 = {IP4(10, 0, 0, 0), 15};

static const struct prefix4 never_assignable[] = {
    {IP4(169, 254, 0, 0), 16},
    {IP4(0, 0, 0, 0), 8},
    {IP4(127, 0, 0, 0), 8},
    {IP4(224, 0, 0, 0), 3},
};

static const struct prefix4 route_forbidden4 = {IP4(169, 254, 168, 0), 22};
static const struct prefix6 route_forbidden6 = {{0xfd, 0x00, 0x0e, 0xc2}, 32};

bool vpc_cidr_size_valid(const struct prefix4 *p)
{
    return p->len >= VPC_CIDR_MIN_LEN && p->len <= VPC_CIDR_MAX_LEN;
}

bool vpc_cidr_reserved(const struct prefix4 *p)
{
    for (size_t i = 0; i < sizeof(never_assignable) / sizeof(never_assignable[0]); i++)
        if (prefix4_overlaps(p, &never_assignable[i]))
            return true;
    return false;
}

enum vpc_range_family vpc_range_family_of(const struct prefix4 *p)
{
    if (prefix4_contains(&range_10, p))
        return VPC_RANGE_10;
    if (prefix4_contains(&range_172, p))
        return VPC_RANGE_172;
    if (prefix4_contains(&range_192_168, p))
        return VPC_RANGE_192_168;
    if (prefix4_contains(&range_198_19, p))
        return VPC_RANGE_198_19;
    return VPC_RANGE_PUBLIC;
}

static bool overlaps_rfc1918(const struct prefix4 *p)
{
    return prefix4_overlaps(p, &range_10) || prefix4_overlaps(p, &range_172) ||
           prefix4_overlaps(p, &range_192_168);
}

bool vpc_secondary_cidr_allowed(const struct prefix4 *existing, size_t n_existing,
                                const struct prefix4 *candidate)
{
    const struct prefix4 *c = candidate;

    if (n_existing == 0)
        return false;

    switch (vpc_range_family_of(&existing[0])) {
    case VPC_RANGE_10:
        if (prefix4_overlaps(c, &range_172) || prefix4_overlaps(c, &range_192_168) ||
            prefix4_overlaps(c, &range_198_19))
            return false;
        /* 10.0.0.0/16 is held back for EC2-Classic ClassicLink whenever the VPC already uses
         * part of 10.0.0.0/15. */
        if (prefix4_overlaps(c, &range_10_0_16))
            for (size_t i = 0; i < n_existing; i++)
                if (prefix4_contains(&range_10_0_15, &existing[i]))
                    return false;
        return true;
    case VPC_RANGE_172:
        /* 172.31.0.0/16 is the default VPC's block, so it is kept out of custom 172 VPCs. */
        return !(prefix4_overlaps(c, &range_10) || prefix4_overlaps(c, &range_192_168) ||
                 prefix4_overlaps(c, &range_172_31) || prefix4_overlaps(c, &range_198_19));
    case VPC_RANGE_192_168:
        return !(prefix4_overlaps(c, &range_10) || prefix4_overlaps(c, &range_172) ||
                 prefix4_overlaps(c, &range_198_19));
    case VPC_RANGE_198_19:
        return !overlaps_rfc1918(c);
    case VPC_RANGE_PUBLIC:
        return !(overlaps_rfc1918(c) || prefix4_overlaps(c, &range_198_19));
    }
    return false;
}

uint64_t subnet_available_ipv4(const struct prefix4 *subnet)
{
    uint64_t size = prefix4_size(subnet);

    return size > SUBNET_IPV4_RESERVED_COUNT ? size - SUBNET_IPV4_RESERVED_COUNT : 0;
}

bool subnet_ipv4_reserved(const struct prefix4 *subnet, uint32_t addr)
{
    if (!prefix4_has_addr(subnet, addr))
        return false;
    return addr - prefix4_first(subnet) <= 3 || addr == prefix4_last(subnet);
}

bool subnet_ipv6_reserved(const struct prefix6 *subnet, const uint8_t addr[16])
{
    uint8_t base[16];
    uint8_t last[16];

    if (!prefix6_has_addr(subnet, addr))
        return false;
    prefix6_last(subnet, last);
    if (memcmp(addr, last, sizeof(last)) == 0)
        return true;
    /* addr is inside the subnet, so addr ^ network is its offset; the first four are the
     * offsets 0..3. */
    memcpy(base, subnet->addr, sizeof(base));
    prefix6_mask_addr(base, subnet->len);
    for (unsigned i = 0; i < 15; i++)
        if (addr[i] != base[i])
            return false;
    return (addr[15] ^ base[15]) <= 3;
}

bool route_destination_forbidden4(const struct prefix4 *dst)
{
    return prefix4_contains(&route_forbidden4, dst);
}

bool route_destination_forbidden6(const struct prefix6 *dst)
{
    return prefix6_contains(&route_forbidden6, dst);
}

bool vpc_secondary_cidr_conflicts_route(const struct prefix4 *candidate,
                                        const struct prefix4 *route_dst)
{
    return prefix4_contains(candidate, route_dst);
}

int ipv6_subnet_in_vpc_block(const struct prefix6 *vpc56, const struct prefix6 *sub)
{
    if (sub->len != SUBNET_IPV6_LEN || !prefix6_contains(vpc56, sub))
        return -EINVAL;
    return 0;
}
