#include <stdio.h>
#include <string.h>

#include "model/resources.h"

const char *const region_names[] = {
    "us-east-1",      "us-east-2",      "us-west-1",      "us-west-2",      "af-south-1",
    "ap-east-1",      "ap-east-2",      "ap-south-1",     "ap-south-2",     "ap-southeast-1",
    "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6",
    "ap-southeast-7", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ca-central-1",
    "ca-west-1",      "eu-central-1",   "eu-central-2",   "eu-west-1",      "eu-west-2",
    "eu-west-3",      "eu-south-1",     "eu-south-2",     "eu-north-1",     "il-central-1",
    "me-south-1",     "me-central-1",   "mx-central-1",   "sa-east-1",      "us-gov-east-1",
    "us-gov-west-1",  "cn-north-1",     "cn-northwest-1", "eusc-de-east-1", NULL,
};

bool region_valid(const char *name)
{
    for (size_t i = 0; region_names[i]; i++)
        if (strcmp(region_names[i], name) == 0)
            return true;
    return false;
}

void region_zone_name(const char *region, int i, char buf[40])
{
    snprintf(buf, 40, "%s%c", region, 'a' + i);
}

/* AWS's zone ids abbreviate the region: us-east-1 -> use1, ap-southeast-2 -> apse2. */
void region_zone_id(const char *region, int i, char buf[40])
{
    static const struct {
        const char *word, *abbrev;
    } words[] = {{"northeast", "ne"}, {"southeast", "se"}, {"northwest", "nw"},
                 {"southwest", "sw"}, {"central", "c"},    {"north", "n"},
                 {"south", "s"},      {"east", "e"},       {"west", "w"},
                 {"gov", "g"},        {"de", "de"}};
    char out[40] = "";
    char copy[40];
    snprintf(copy, sizeof copy, "%s", region);
    char *save = NULL;
    int part = 0;
    for (char *tok = strtok_r(copy, "-", &save); tok; tok = strtok_r(NULL, "-", &save), part++) {
        const char *piece = tok;
        if (part > 0) {
            for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
                if (strcmp(tok, words[w].word) == 0) {
                    piece = words[w].abbrev;
                    break;
                }
            }
        }
        strncat(out, piece, sizeof out - strlen(out) - 1);
    }
    snprintf(buf, 40, "%.30s-az%d", out, (i & 7) + 1);
}

int region_zone_index(const char *region, const char *zone_or_id)
{
    char buf[40];
    for (int i = 0; i < 3; i++) {
        region_zone_name(region, i, buf);
        if (strcmp(buf, zone_or_id) == 0)
            return i;
        region_zone_id(region, i, buf);
        if (strcmp(buf, zone_or_id) == 0)
            return i;
    }
    return -1;
}
