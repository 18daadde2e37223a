/* Elastic IP addresses. */
#include "model/classes.h"
#include "model/resources.h"

const struct res_class eip_class = {
    .name = "allocation",
    .id_prefix = "eipalloc",
    .size = sizeof(struct eip),
    .not_found_code = "InvalidAllocationID.NotFound",
    .malformed_code = "InvalidAllocationID.Malformed",
    .tag_resource_type = "elastic-ip",
};
