/* EC2 actions of the tgw family. */
#include "api/api.h"

const struct api_action tgw_actions[] = {
    {NULL, NULL},
};
