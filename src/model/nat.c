/* NAT gateways. */
#include "model/classes.h"
#include "model/resources.h"

const struct res_class nat_class = {
    .name = "nat gateway",
    .id_prefix = "nat",
    .size = sizeof(struct nat),
    .not_found_code = "NatGatewayNotFound",
    .malformed_code = "NatGatewayMalformed",
    .tag_resource_type = "natgateway",
};
