/* VPC peering connections. */
#include "model/classes.h"
#include "model/resources.h"

const struct res_class pcx_class = {
    .name = "vpc peering connection",
    .id_prefix = "pcx",
    .size = sizeof(struct pcx),
    .not_found_code = "InvalidVpcPeeringConnectionID.NotFound",
    .malformed_code = "InvalidVpcPeeringConnectionId.Malformed",
    .tag_resource_type = "vpc-peering-connection",
};
