/* Transit gateway route tables. */
#include "model/classes.h"
#include "model/resources.h"

const struct res_class tgw_rtb_class = {
    .name = "transit gateway route table",
    .id_prefix = "tgw-rtb",
    .size = sizeof(struct tgw_rtb),
    .not_found_code = "InvalidRouteTableID.NotFound",
    .malformed_code = "InvalidRouteTableId.Malformed",
    .tag_resource_type = "transit-gateway-route-table",
};
