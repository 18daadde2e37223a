/* EC2 actions of the nat family. */
#include "api/api.h"

const struct api_action nat_actions[] = {
    {NULL, NULL},
};
