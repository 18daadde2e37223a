/* EC2 actions of the peering family. */
#include "api/api.h"

const struct api_action peering_actions[] = {
    {NULL, NULL},
};
