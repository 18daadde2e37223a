/* DescribeRegions and DescribeAvailabilityZones: every region, three zones each. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "lib/glob.h"
#include "model/resources.h"

static bool name_wanted(struct api_ctx *c, const char *list_prefix, const char *filter_name,
                        const char *value)
{
    const char **names;
    size_t n;
    if (api_strlist(c, list_prefix, &names, &n) == 0 && n) {
        bool hit = false;
        for (size_t i = 0; i < n; i++)
            hit |= strcmp(names[i], value) == 0;
        if (!hit)
            return false;
    }
    size_t n_filters = query_list_len(c->q, "Filter");
    for (size_t f = 1; f <= n_filters; f++) {
        const char *fname = query_getf(c->q, "Filter.%zu.Name", f);
        if (!fname || strcmp(fname, filter_name) != 0)
            continue;
        char prefix[48];
        snprintf(prefix, sizeof prefix, "Filter.%zu.Value", f);
        const char **vals;
        size_t nv;
        if (api_strlist(c, prefix, &vals, &nv))
            return false;
        bool hit = false;
        for (size_t i = 0; i < nv; i++)
            hit |= glob_match(vals[i], value);
        if (!hit)
            return false;
    }
    return true;
}

static int describe_regions(struct api_ctx *c)
{
    xml_open(c->out, "regionInfo");
    for (size_t i = 0; region_names[i]; i++) {
        if (!name_wanted(c, "RegionName", "region-name", region_names[i]))
            continue;
        char endpoint[96];
        snprintf(endpoint, sizeof endpoint, "ec2.%s.amazonaws.com", region_names[i]);
        xml_open(c->out, "item");
        xml_str(c->out, "regionName", region_names[i]);
        xml_str(c->out, "regionEndpoint", endpoint);
        xml_str(c->out, "optInStatus", "opt-in-not-required");
        xml_close(c->out, "item");
    }
    xml_close(c->out, "regionInfo");
    return 0;
}

static int describe_availability_zones(struct api_ctx *c)
{
    const char *region = c->scope->region;
    xml_open(c->out, "availabilityZoneInfo");
    for (int i = 0; i < 3; i++) {
        char zone[40], zone_id[40];
        region_zone_name(region, i, zone);
        region_zone_id(region, i, zone_id);
        if (!name_wanted(c, "ZoneName", "zone-name", zone) ||
            !name_wanted(c, "ZoneId", "zone-id", zone_id) ||
            !name_wanted(c, "ZoneName", "region-name", region) ||
            !name_wanted(c, "ZoneName", "state", "available"))
            continue;
        xml_open(c->out, "item");
        xml_str(c->out, "zoneName", zone);
        xml_str(c->out, "zoneState", "available");
        xml_str(c->out, "regionName", region);
        xml_str(c->out, "zoneId", zone_id);
        xml_str(c->out, "zoneType", "availability-zone");
        xml_str(c->out, "groupName", region);
        xml_str(c->out, "networkBorderGroup", region);
        xml_str(c->out, "optInStatus", "opt-in-not-required");
        xml_empty(c->out, "messageSet");
        xml_close(c->out, "item");
    }
    xml_close(c->out, "availabilityZoneInfo");
    return 0;
}

const struct api_action region_actions[] = {
    {"DescribeRegions", describe_regions},
    {"DescribeAvailabilityZones", describe_availability_zones},
    {NULL, NULL},
};
