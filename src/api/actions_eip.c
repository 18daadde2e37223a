/* EC2 actions of the eip family. */
#include "api/api.h"

const struct api_action eip_actions[] = {
    {NULL, NULL},
};
