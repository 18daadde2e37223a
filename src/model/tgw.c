/* Transit gateways. */
#include "model/classes.h"
#include "model/resources.h"

const struct res_class tgw_class = {
    .name = "transit gateway",
    .id_prefix = "tgw",
    .size = sizeof(struct tgw),
    .not_found_code = "InvalidTransitGatewayID.NotFound",
    .malformed_code = "InvalidTransitGatewayID.Malformed",
    .tag_resource_type = "transit-gateway",
};
