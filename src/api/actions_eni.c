/* EC2 actions of the eni family. */
#include "api/api.h"

const struct api_action eni_actions[] = {
    {NULL, NULL},
};
