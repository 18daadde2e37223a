/* Instances. */
#include "model/classes.h"
#include "model/resources.h"

const struct res_class instance_class = {
    .name = "instance",
    .id_prefix = "i",
    .size = sizeof(struct instance),
    .not_found_code = "InvalidInstanceID.NotFound",
    .malformed_code = "InvalidInstanceID.Malformed",
    .tag_resource_type = "instance",
};
