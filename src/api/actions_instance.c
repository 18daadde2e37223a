/* EC2 actions of the instance family. */
#include "api/api.h"

const struct api_action instance_actions[] = {
    {NULL, NULL},
};
