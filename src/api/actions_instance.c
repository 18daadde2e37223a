/* EC2 actions for instances: RunInstances, DescribeInstances and the state changes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/actions_eni.h"
#include "lib/xalloc.h"

static void state_xml(struct strbuf *sb, const char *tag, enum inst_state st)
{
    xml_open(sb, tag);
    xml_int(sb, "code", (int)st);
    xml_str(sb, "name", instance_state_name(st));
    xml_close(sb, tag);
}

static void instance_xml(struct api_ctx *c, const struct instance *in)
{
    struct strbuf *sb = c->out;
    const struct scope *s = in->hdr.scope;
    char text[IP4_STRLEN], dns[96], when[32];
    bool gone = in->state == INST_TERMINATED;
    struct eni **enis;
    size_t n_enis = eni_of_instance(s, in->hdr.id, &enis);
    const struct eni *primary = n_enis && enis[0]->att.device_index == 0 ? enis[0] : NULL;
    const struct eip *pub =
        primary ? eip_for_eni(s, primary->hdr.id, primary->private_ips[0]) : NULL;

    xml_str(sb, "instanceId", in->hdr.id);
    xml_str(sb, "imageId", in->image_id);
    state_xml(sb, "instanceState", in->state);
    instance_private_dns(s, in->private_ip, dns);
    xml_str(sb, "privateDnsName", gone ? "" : dns);
    instance_public_dns(c->model, s, in->vpc_id, pub && !gone ? pub->public_ip : 0, dns);
    xml_str(sb, "dnsName", dns);
    if (in->state == INST_STOPPED || in->state == INST_STOPPING || gone ||
        in->state == INST_SHUTTING_DOWN) {
        api_iso_time(in->state_time, when);
        char reason[96];
        snprintf(reason, sizeof reason, "User initiated (%.10s %.8s GMT)", when, when + 11);
        xml_str(sb, "reason", reason);
    } else {
        xml_str(sb, "reason", "");
    }
    if (in->key_name[0])
        xml_str(sb, "keyName", in->key_name);
    xml_int(sb, "amiLaunchIndex", in->launch_index);
    xml_empty(sb, "productCodes");
    xml_str(sb, "instanceType", in->instance_type);
    api_iso_time(in->launch_time, when);
    xml_str(sb, "launchTime", when);
    xml_open(sb, "placement");
    xml_str(sb, "availabilityZone", in->az);
    xml_str(sb, "groupName", "");
    xml_str(sb, "tenancy", "default");
    xml_close(sb, "placement");
    xml_open(sb, "monitoring");
    xml_str(sb, "state", "disabled");
    xml_close(sb, "monitoring");
    if (!gone) {
        xml_str(sb, "subnetId", in->subnet_id);
        xml_str(sb, "vpcId", in->vpc_id);
        ip4_format(in->private_ip, text);
        xml_str(sb, "privateIpAddress", text);
    }
    if (pub) {
        ip4_format(pub->public_ip, text);
        xml_str(sb, "ipAddress", text);
    }
    if (primary && primary->n_ipv6_addrs) {
        /* The first IPv6 address of the primary interface, as newer AWS shows it. */
        char text6[IP6_STRLEN];
        ip6_format(primary->ipv6_addrs[0], text6);
        xml_str(sb, "ipv6Address", text6);
    }
    xml_bool(sb, "sourceDestCheck", primary ? primary->source_dest_check : true);
    if (primary)
        eni_xml_groups(c, primary->groups, primary->n_groups);
    else
        xml_empty(sb, "groupSet");
    if (in->state == INST_STOPPED || in->state == INST_STOPPING || gone ||
        in->state == INST_SHUTTING_DOWN) {
        const char *code = gone || in->state == INST_SHUTTING_DOWN ? "Client.UserInitiatedShutdown"
                                                                   : "Client.UserInitiatedShutdown";
        xml_open(sb, "stateReason");
        xml_str(sb, "code", code);
        xml_str(sb, "message", "Client.UserInitiatedShutdown: User initiated shutdown");
        xml_close(sb, "stateReason");
    }
    xml_str(sb, "architecture", "x86_64");
    xml_str(sb, "rootDeviceType", "ebs");
    xml_str(sb, "rootDeviceName", "/dev/xvda");
    xml_empty(sb, "blockDeviceMapping");
    xml_str(sb, "virtualizationType", "hvm");
    if (in->client_token[0])
        xml_str(sb, "clientToken", in->client_token);
    xml_tags(sb, &in->hdr.tags);
    xml_str(sb, "hypervisor", "xen");
    xml_open(sb, "networkInterfaceSet");
    for (size_t i = 0; i < n_enis; i++) {
        xml_open(sb, "item");
        eni_xml_members(c, enis[i], true);
        xml_close(sb, "item");
    }
    xml_close(sb, "networkInterfaceSet");
    free(enis);
    xml_bool(sb, "ebsOptimized", false);
    xml_bool(sb, "enaSupport", true);
    xml_open(sb, "cpuOptions");
    xml_int(sb, "coreCount", 1);
    xml_int(sb, "threadsPerCore", 2);
    xml_close(sb, "cpuOptions");
    xml_open(sb, "capacityReservationSpecification");
    xml_str(sb, "capacityReservationPreference", "open");
    xml_close(sb, "capacityReservationSpecification");
    xml_open(sb, "hibernationOptions");
    xml_bool(sb, "configured", false);
    xml_close(sb, "hibernationOptions");
    xml_open(sb, "metadataOptions");
    xml_str(sb, "state", gone ? "pending" : "applied");
    xml_str(sb, "httpTokens", "optional");
    xml_int(sb, "httpPutResponseHopLimit", 1);
    xml_str(sb, "httpEndpoint", "enabled");
    xml_str(sb, "httpProtocolIpv6", "disabled");
    xml_str(sb, "instanceMetadataTags", "disabled");
    xml_close(sb, "metadataOptions");
    xml_open(sb, "enclaveOptions");
    xml_bool(sb, "enabled", false);
    xml_close(sb, "enclaveOptions");
    xml_str(sb, "platformDetails", "Linux/UNIX");
    xml_str(sb, "usageOperation", "RunInstances");
    xml_open(sb, "privateDnsNameOptions");
    xml_str(sb, "hostnameType", "ip-name");
    xml_bool(sb, "enableResourceNameDnsARecord", false);
    xml_bool(sb, "enableResourceNameDnsAAAARecord", false);
    xml_close(sb, "privateDnsNameOptions");
    xml_open(sb, "maintenanceOptions");
    xml_str(sb, "autoRecovery", "default");
    xml_close(sb, "maintenanceOptions");
}

/* One <item> of a reservationSet/RunInstances reply holding instances [0, n). */
static void reservation_xml(struct api_ctx *c, struct instance *const *list, size_t n)
{
    struct strbuf *sb = c->out;
    xml_str(sb, "reservationId", list[0]->reservation_id);
    xml_str(sb, "ownerId", c->scope->account);
    xml_empty(sb, "groupSet");
    xml_open(sb, "instancesSet");
    for (size_t i = 0; i < n; i++) {
        xml_open(sb, "item");
        instance_xml(c, list[i]);
        xml_close(sb, "item");
    }
    xml_close(sb, "instancesSet");
}

static void settle(struct api_ctx *c)
{
    instance_settle(c->model, c->scope);
    nat_settle(c->model, c->scope);
}

/* NetworkInterface.N: its members, with the indexes of the query. */
static int eni_specs(struct api_ctx *c, struct inst_eni_spec **out, size_t *n_out)
{
    size_t n = query_list_len(c->q, "NetworkInterface");
    struct inst_eni_spec *sp = api_scratch(c, (n + 1) * sizeof *sp);
    for (size_t i = 0; i < n; i++) {
        char name[96];
        long idx;
        snprintf(name, sizeof name, "NetworkInterface.%zu.DeviceIndex", i + 1);
        if (!api_str(c, name))
            return merr_set(&c->err, "MissingParameter",
                            "The request must contain the parameter %s", name);
        if (api_int(c, name, 0, &idx))
            return -1;
        sp[i].device_index = (int)idx;
        snprintf(name, sizeof name, "NetworkInterface.%zu.NetworkInterfaceId", i + 1);
        sp[i].eni_id = api_str(c, name);
        snprintf(name, sizeof name, "NetworkInterface.%zu.SubnetId", i + 1);
        sp[i].subnet_id = api_str(c, name);
        snprintf(name, sizeof name, "NetworkInterface.%zu.PrivateIpAddress", i + 1);
        sp[i].private_ip = api_str(c, name);
        snprintf(name, sizeof name, "NetworkInterface.%zu.Description", i + 1);
        sp[i].description = api_str(c, name);
        snprintf(name, sizeof name, "NetworkInterface.%zu.DeleteOnTermination", i + 1);
        if (api_bool(c, name, sp[i].eni_id == NULL, &sp[i].delete_on_termination))
            return -1;
        snprintf(name, sizeof name, "NetworkInterface.%zu.SecurityGroupId", i + 1);
        if (api_strlist(c, name, &sp[i].group_ids, &sp[i].n_group_ids))
            return -1;
        char count[96];
        snprintf(count, sizeof count, "NetworkInterface.%zu.Ipv6AddressCount", i + 1);
        snprintf(name, sizeof name, "NetworkInterface.%zu.Ipv6Addresses", i + 1);
        if (eni_api_ipv6_request(c, count, name, true, &sp[i].ipv6))
            return -1;
        snprintf(count, sizeof count, "NetworkInterface.%zu.SecondaryPrivateIpAddressCount", i + 1);
        snprintf(name, sizeof name, "NetworkInterface.%zu.PrivateIpAddresses", i + 1);
        if (eni_api_ipv4_request(c, count, name, &sp[i].private_ip, &sp[i].secondary))
            return -1;
    }
    *out = sp;
    *n_out = n;
    return 0;
}

/* Tags for "instance" (lists[0]) and "network-interface" (lists[1]) from TagSpecification.N;
 * other resource types are refused. The caller clears both lists. */
static int run_tags(struct api_ctx *c, struct tag_list lists[2])
{
    size_t n = query_list_len(c->q, "TagSpecification");
    for (size_t i = 1; i <= n; i++) {
        const char *rt = query_getf(c->q, "TagSpecification.%zu.ResourceType", i);
        struct tag_list *t;
        if (rt && strcmp(rt, "instance") == 0)
            t = &lists[0];
        else if (rt && strcmp(rt, "network-interface") == 0)
            t = &lists[1];
        else if (rt && strcmp(rt, "volume") == 0)
            continue; /* vpcd has no volumes: nothing to tag */
        else
            return merr_set(&c->err, "InvalidParameterValue",
                            "'%s' is not a valid taggable resource type for this operation.",
                            rt ? rt : "");
        char prefix[64];
        snprintf(prefix, sizeof prefix, "TagSpecification.%zu.Tag", i);
        size_t n_tags = query_list_len(c->q, prefix);
        for (size_t k = 1; k <= n_tags; k++) {
            const char *key = query_getf(c->q, "%s.%zu.Key", prefix, k);
            const char *value = query_getf(c->q, "%s.%zu.Value", prefix, k);
            if (!key)
                return merr_set(&c->err, "InvalidParameterValue", "Tag %zu has no key", k);
            tags_set(t, key, value ? value : "");
        }
    }
    return 0;
}

static int run_instances(struct api_ctx *c)
{
    settle(c);
    struct inst_run_args a = {0};
    struct inst_eni_spec *specs = NULL;
    if (api_int(c, "MinCount", 1, &a.min_count) || api_int(c, "MaxCount", 1, &a.max_count))
        return -1;
    if (!api_str(c, "MinCount") || !api_str(c, "MaxCount"))
        return merr_set(&c->err, "MissingParameter", "The request must contain the parameter %s",
                        api_str(c, "MinCount") ? "MaxCount" : "MinCount");
    if (api_strlist(c, "SecurityGroupId", &a.group_ids, &a.n_group_ids) ||
        api_strlist(c, "SecurityGroup", &a.group_names, &a.n_group_names) ||
        eni_specs(c, &specs, &a.n_enis) ||
        eni_api_ipv6_request(c, "Ipv6AddressCount", "Ipv6Address", true, &a.ipv6))
        return -1;
    a.enis = specs;
    a.image_id = api_str(c, "ImageId");
    a.instance_type = api_str(c, "InstanceType");
    a.key_name = api_str(c, "KeyName");
    a.subnet_id = api_str(c, "SubnetId");
    a.az = api_str(c, "Placement.AvailabilityZone");
    a.private_ip = api_str(c, "PrivateIpAddress");
    a.client_token = api_str(c, "ClientToken");
    struct tag_list tags[2] = {{0}};
    struct instance **list = NULL;
    size_t n = 0;
    int rc = run_tags(c, tags);
    if (rc == 0) {
        a.tags = tags[0].n ? &tags[0] : NULL;
        a.eni_tags = tags[1].n ? &tags[1] : NULL;
        rc = instance_run(c->model, c->scope, &a, &list, &n, &c->err);
    }
    tags_clear(&tags[0]);
    tags_clear(&tags[1]);
    if (rc)
        return -1;
    reservation_xml(c, list, n);
    free(list);
    return 0;
}

static int describe_instances(struct api_ctx *c)
{
    settle(c);
    struct describe_query dq;
    if (api_describe_query(c, "InstanceId", "instanceIds", 5, 1000, &dq))
        return -1;
    struct res **found;
    size_t n;
    char next[32];
    if (model_describe(c->model, c->scope, RES_INSTANCE, &dq, &found, &n, next, &c->err))
        return -1;
    xml_open(c->out, "reservationSet");
    /* Instances of one launch are created together, so a reservation is a run of them. */
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && strcmp(((struct instance *)found[j])->reservation_id,
                               ((struct instance *)found[i])->reservation_id) == 0)
            j++;
        xml_open(c->out, "item");
        reservation_xml(c, (struct instance *const *)&found[i], j - i);
        xml_close(c->out, "item");
        i = j;
    }
    xml_close(c->out, "reservationSet");
    free(found);
    if (next[0])
        xml_str(c->out, "nextToken", next);
    return 0;
}

typedef int (*change_fn)(struct model *, struct scope *, const char *const *, size_t,
                         struct inst_change **, struct merr *);

static int state_change(struct api_ctx *c, change_fn fn)
{
    settle(c);
    const char **ids;
    size_t n;
    if (api_strlist(c, "InstanceId", &ids, &n))
        return -1;
    struct inst_change *ch;
    if (fn(c->model, c->scope, ids, n, &ch, &c->err))
        return -1;
    xml_open(c->out, "instancesSet");
    for (size_t i = 0; i < n; i++) {
        xml_open(c->out, "item");
        xml_str(c->out, "instanceId", ch[i].inst->hdr.id);
        state_xml(c->out, "currentState", ch[i].current);
        state_xml(c->out, "previousState", ch[i].previous);
        xml_close(c->out, "item");
    }
    xml_close(c->out, "instancesSet");
    free(ch);
    return 0;
}

static int terminate_instances(struct api_ctx *c)
{
    return state_change(c, instance_terminate);
}

static int stop_instances(struct api_ctx *c)
{
    return state_change(c, instance_stop);
}

static int start_instances(struct api_ctx *c)
{
    return state_change(c, instance_start);
}

const struct api_action instance_actions[] = {
    {"RunInstances", run_instances},
    {"DescribeInstances", describe_instances},
    {"TerminateInstances", terminate_instances},
    {"StopInstances", stop_instances},
    {"StartInstances", start_instances},
    {NULL, NULL},
};
