/* Transit gateway attachments. */
#include "model/classes.h"
#include "model/resources.h"

const struct res_class tgw_attach_class = {
    .name = "transit gateway attachment",
    .id_prefix = "tgw-attach",
    .size = sizeof(struct tgw_attach),
    .not_found_code = "InvalidTransitGatewayAttachmentID.NotFound",
    .malformed_code = "InvalidTransitGatewayAttachmentID.Malformed",
    .tag_resource_type = "transit-gateway-attachment",
};
