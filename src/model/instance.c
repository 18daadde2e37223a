/* Instances.
 *
 * The model keeps only what the control plane needs: placement, state and the primary ENI.
 * Addresses come from eni_create like every other interface, so RunInstances inherits the
 * subnet's rules (reserved addresses, in-use checks, AvailableIpAddressCount). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/dns.h"
#include "lib/xalloc.h"
#include "model/classes.h"
#include "model/resources.h"

/* Terminated instances stay visible this long, as on AWS. */
#define INST_LINGER_SECONDS 3600

const char *instance_state_name(enum inst_state st)
{
    switch (st) {
    case INST_PENDING:
        return "pending";
    case INST_RUNNING:
        return "running";
    case INST_SHUTTING_DOWN:
        return "shutting-down";
    case INST_TERMINATED:
        return "terminated";
    case INST_STOPPING:
        return "stopping";
    case INST_STOPPED:
        return "stopped";
    }
    return "pending";
}

struct instance *instance_find(const struct model *m, const struct scope *s, const char *id)
{
    return (struct instance *)res_find(m, s, RES_INSTANCE, id);
}

void instance_private_dns(const struct scope *s, uint32_t ip, char buf[96])
{
    dns_private_name(s->region, ip, buf, 96);
}

void instance_public_dns(const struct model *m, const struct scope *s, const char *vpc_id,
                         uint32_t public_ip, char buf[96])
{
    const struct vpc *v = vpc_find(m, s, vpc_id);
    buf[0] = 0;
    if (public_ip && v && v->dns_support && v->dns_hostnames)
        dns_public_name(s->region, public_ip, buf, 96);
}

void instance_settle(struct model *m, struct scope *s)
{
    time_t now = model_now(m);
    for (size_t i = s->lists[RES_INSTANCE].n; i-- > 0;) {
        struct instance *in = (struct instance *)s->lists[RES_INSTANCE].items[i];
        enum inst_state next = in->state;
        if (in->state == INST_PENDING)
            next = INST_RUNNING;
        else if (in->state == INST_STOPPING)
            next = INST_STOPPED;
        else if (in->state == INST_SHUTTING_DOWN)
            next = INST_TERMINATED;
        else if (in->state == INST_TERMINATED && now - in->state_time >= INST_LINGER_SECONDS) {
            res_delete(m, &in->hdr);
            continue;
        }
        if (next != in->state) {
            in->state = next;
            res_touch(m, &in->hdr);
        }
    }
}

static bool type_valid(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n >= 32 || !strchr(t, '.') || t[0] == '.' || t[n - 1] == '.')
        return false;
    for (const char *p = t; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
            return false;
    return true;
}

/* The default subnet of the default VPC: in zone `az` if given, else the first zone's. */
static struct subnet *default_subnet(const struct model *m, const struct scope *s, const char *az,
                                     struct merr *err)
{
    const struct vpc *v, *def = NULL;
    SCOPE_FOREACH(v, s, RES_VPC)
    if (v->is_default)
        def = v;
    if (!def) {
        merr_set(err, "VPCIdNotSpecified", "No default VPC for this user");
        return NULL;
    }
    struct subnet *sn, *best = NULL;
    SCOPE_FOREACH(sn, s, RES_SUBNET)
    {
        if (strcmp(sn->vpc_id, def->hdr.id) != 0 || !sn->default_for_az)
            continue;
        if (az && *az) {
            if (strcmp(sn->az, az) == 0)
                return sn;
        } else if (!best ||
                   region_zone_index(s->region, sn->az) < region_zone_index(s->region, best->az)) {
            best = sn;
        }
    }
    (void)m;
    if (!best)
        merr_set(err, "MissingInput",
                 "No subnets found for the default VPC '%s'. Please specify a subnet.",
                 def->hdr.id);
    return best;
}

/* Existing launch with the same ClientToken: its instances, in launch order. */
static size_t launched_with_token(const struct scope *s, const char *token, struct instance ***out)
{
    size_t n = 0, cap = 0;
    struct instance **list = NULL, *in;
    SCOPE_FOREACH(in, s, RES_INSTANCE)
    {
        if (strcmp(in->client_token, token) != 0)
            continue;
        list = xgrow(list, &cap, n, sizeof *list);
        list[n++] = in;
    }
    *out = list;
    return n;
}

static int group_check(const struct model *m, const struct scope *s, const char *vpc_id,
                       const char *subnet_id, const char *const *ids, size_t n, struct merr *err)
{
    if (n > 5)
        return merr_set(err, "SecurityGroupsPerInterfaceLimitExceeded",
                        "The maximum number of security groups per interface (5) has been "
                        "reached.");
    for (size_t i = 0; i < n; i++) {
        const struct security_group *g =
            (const struct security_group *)res_lookup(m, s, RES_SG, ids[i], err);
        if (!g)
            return -1;
        if (strcmp(g->vpc_id, vpc_id) != 0)
            return merr_set(err, "InvalidParameter",
                            "Security group %s and subnet %s belong to different networks.",
                            g->hdr.id, subnet_id);
    }
    return 0;
}

/* The IPv6 request of one interface that each instance of a launch creates in sn. */
static int ipv6_check(const struct scope *s, const struct subnet *sn,
                      const struct eni_ipv6_request *r, long max_count, struct merr *err)
{
    if (r->n_addrs && max_count > 1)
        return merr_set(err, "InvalidParameterCombination",
                        "IPv6 addresses cannot be specified when launching more than one "
                        "instance");
    return eni_check_ipv6_request(s, sn, r, err);
}

/* An explicit IPv6 address given for two interfaces of one launch: each alone is free, so
 * only the whole request shows the clash. */
static int ipv6_unique(const struct inst_run_args *a, struct merr *err)
{
    /* Device indexes are unique and 0..31 (checked before), so a launch has at most 32. */
    const struct eni_ipv6_request *reqs[32];
    size_t n_reqs = 0, total = 0;
    if (!a->n_enis)
        reqs[n_reqs++] = &a->ipv6;
    for (size_t i = 0; i < a->n_enis && n_reqs < 32; i++)
        reqs[n_reqs++] = &a->enis[i].ipv6;
    for (size_t i = 0; i < n_reqs; i++)
        total += reqs[i]->n_addrs;
    if (total < 2)
        return 0;
    uint8_t(*all)[16] = xcalloc(total, sizeof *all);
    const char **text = xcalloc(total, sizeof *text);
    size_t n = 0;
    for (size_t i = 0; i < n_reqs; i++)
        for (size_t k = 0; k < reqs[i]->n_addrs; k++) {
            /* Every address parsed in ipv6_check already. */
            if (ip6_parse(reqs[i]->addrs[k], all[n]) == 0)
                text[n++] = reqs[i]->addrs[k];
        }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        for (size_t k = 0; k < i && rc == 0; k++)
            if (memcmp(all[i], all[k], 16) == 0)
                rc = merr_set(err, "InvalidParameterValue",
                              "Address %s is specified more than once.", text[i]);
    free(all);
    free(text);
    return rc;
}

/* The secondary IPv4 addresses one interface spec asks for (count or list). */
static uint64_t ipv4_count(const struct eni_ipv4_request *r)
{
    return r->n_addrs ? r->n_addrs : (r->has_count && r->count > 0 ? (uint64_t)r->count : 0);
}

/* The secondary IPv4 request of one interface spec that creates an interface in sn. */
static int ipv4_check(const struct scope *s, const struct subnet *sn,
                      const struct inst_eni_spec *sp, struct merr *err)
{
    uint32_t primary = 0;
    if (!sp->secondary.has_count && !sp->secondary.n_addrs)
        return 0;
    if (sp->private_ip && ip4_parse(sp->private_ip, &primary) != 0)
        return merr_set(err, "InvalidParameterValue",
                        "Invalid value '%s' for privateIpAddress: not an IPv4 address.",
                        sp->private_ip);
    return eni_check_ipv4_request(s, sn, primary, &sp->secondary, err);
}

/* An explicit IPv4 address given twice in one launch (as the primary of one interface and a
 * secondary of another, or for two interfaces): each alone is free. */
static int ipv4_unique(const struct inst_run_args *a, struct merr *err)
{
    size_t total = 0;
    for (size_t i = 0; i < a->n_enis; i++)
        total += (a->enis[i].private_ip != NULL) + a->enis[i].secondary.n_addrs;
    if (total < 2)
        return 0;
    uint32_t *all = xcalloc(total, sizeof *all);
    const char **text = xcalloc(total, sizeof *text);
    size_t n = 0;
    for (size_t i = 0; i < a->n_enis; i++) {
        const struct inst_eni_spec *sp = &a->enis[i];
        if (sp->private_ip && ip4_parse(sp->private_ip, &all[n]) == 0)
            text[n++] = sp->private_ip;
        for (size_t k = 0; k < sp->secondary.n_addrs; k++)
            if (ip4_parse(sp->secondary.addrs[k], &all[n]) == 0)
                text[n++] = sp->secondary.addrs[k];
    }
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        for (size_t k = 0; k < i && rc == 0; k++)
            if (all[i] == all[k])
                rc = merr_set(err, "InvalidParameterValue",
                              "Address %s is specified more than once.", text[i]);
    free(all);
    free(text);
    return rc;
}

int instance_run(struct model *m, struct scope *s, const struct inst_run_args *a,
                 struct instance ***out, size_t *n_out, struct merr *err)
{
    *out = NULL;
    *n_out = 0;
    const char *token = a->client_token && *a->client_token ? a->client_token : NULL;
    if (token) {
        if (strlen(token) > 64)
            return merr_set(err, "InvalidParameterValue",
                            "Value (%s) for parameter clientToken is invalid. The client token "
                            "must be at most 64 characters.",
                            token);
        struct instance **prev;
        size_t n = launched_with_token(s, token, &prev);
        if (n) {
            *out = prev;
            *n_out = n;
            return 0;
        }
        free(prev);
    }
    if (!a->image_id || !*a->image_id)
        return merr_set(err, "MissingParameter", "The request must contain the parameter ImageId");
    if (!id_well_formed(a->image_id, "ami"))
        return merr_set(err, "InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")",
                        a->image_id);
    const char *type = a->instance_type && *a->instance_type ? a->instance_type : "m1.small";
    if (!type_valid(type))
        return merr_set(err, "InvalidParameterValue", "Invalid value '%s' for InstanceType.", type);
    if (a->min_count < 1)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%ld) for parameter minCount is invalid. Expected a positive "
                        "integer.",
                        a->min_count);
    if (a->max_count < a->min_count)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%ld) for parameter maxCount is invalid. Expected a value greater "
                        "than or equal to minCount (%ld).",
                        a->max_count, a->min_count);
    if (a->max_count > 1000)
        return merr_set(err, "InstanceLimitExceeded",
                        "You have requested more instances (%ld) than your current instance "
                        "limit of 1000 allows.",
                        a->max_count);

    /* Network: either instance-level parameters or NetworkInterface.N, never both. */
    const struct inst_eni_spec *primary = NULL;
    if (a->n_enis) {
        if (a->subnet_id)
            return merr_set(err, "InvalidParameterCombination",
                            "Network interfaces and an instance-level subnet ID may not be "
                            "specified on the same request");
        if (a->private_ip)
            return merr_set(err, "InvalidParameterCombination",
                            "Network interfaces and an instance-level private IP address may "
                            "not be specified on the same request");
        if (a->n_group_ids || a->n_group_names)
            return merr_set(err, "InvalidParameterCombination",
                            "Network interfaces and an instance-level security groups may not "
                            "be specified on the same request");
        if (a->ipv6.has_count || a->ipv6.n_addrs)
            return merr_set(err, "InvalidParameterCombination",
                            "Network interfaces and an instance-level IPv6 addresses may not be "
                            "specified on the same request");
        for (size_t i = 0; i < a->n_enis; i++) {
            for (size_t k = 0; k < i; k++)
                if (a->enis[k].device_index == a->enis[i].device_index)
                    return merr_set(err, "InvalidParameterValue",
                                    "Each network interface requires a unique device index.");
            if (a->enis[i].device_index < 0 || a->enis[i].device_index > 31)
                return merr_set(err, "InvalidParameterValue",
                                "Value (%d) for parameter deviceIndex is invalid.",
                                a->enis[i].device_index);
            if (a->enis[i].device_index == 0)
                primary = &a->enis[i];
            if (a->enis[i].eni_id && a->max_count > 1)
                return merr_set(err, "InvalidParameterCombination",
                                "An existing network interface cannot be used when launching "
                                "more than one instance");
            if (a->enis[i].eni_id && a->enis[i].subnet_id)
                return merr_set(err, "InvalidParameterCombination",
                                "A network interface ID and a subnet ID may not both be "
                                "specified");
            if (a->enis[i].eni_id && (a->enis[i].ipv6.has_count || a->enis[i].ipv6.n_addrs))
                return merr_set(err, "InvalidParameterCombination",
                                "A network interface ID and IPv6 addresses may not both be "
                                "specified");
            const struct eni_ipv4_request *v4 = &a->enis[i].secondary;
            if (a->enis[i].eni_id && (v4->has_count || v4->n_addrs))
                return merr_set(err, "InvalidParameterCombination",
                                "A network interface ID and secondary private IP addresses may "
                                "not both be specified");
            /* botocore's documentation of both members: not with more than one instance. */
            if ((v4->has_count || v4->n_addrs) && a->max_count > 1)
                return merr_set(err, "InvalidParameterCombination",
                                "Secondary private IP addresses cannot be specified when "
                                "launching more than one instance");
        }
        if (!primary)
            return merr_set(err, "InvalidParameterValue",
                            "A network interface at device index 0 is required.");
    }
    /* Every interface lands in one subnet: the primary's. */
    struct subnet *sn = NULL;
    const char *subnet_id = primary ? primary->subnet_id : a->subnet_id;
    if (primary && primary->eni_id) {
        const struct eni *pe = (const struct eni *)res_lookup(m, s, RES_ENI, primary->eni_id, err);
        if (!pe)
            return -1;
        subnet_id = pe->subnet_id;
    }
    if (subnet_id) {
        if (!(sn = (struct subnet *)res_lookup(m, s, RES_SUBNET, subnet_id, err)))
            return -1;
    } else if (primary) {
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter NetworkInterface.1.SubnetId");
    } else if (!(sn = default_subnet(m, s, a->az, err))) {
        return -1;
    }
    if (a->az && *a->az && strcmp(a->az, sn->az) != 0)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%s) for parameter availabilityZone is invalid. Subnet '%s' is in "
                        "the availability zone %s",
                        a->az, sn->hdr.id, sn->az);

    /* Security groups of the instance-level primary interface: ids and names. */
    size_t n_groups = a->n_group_ids + a->n_group_names;
    const char **groups = xcalloc(n_groups + 1, sizeof *groups);
    for (size_t i = 0; i < a->n_group_ids; i++)
        groups[i] = a->group_ids[i];
    for (size_t i = 0; i < a->n_group_names; i++) {
        const struct security_group *g = sg_find_by_name(m, s, sn->vpc_id, a->group_names[i]);
        if (!g) {
            free(groups);
            return merr_set(err, "InvalidGroup.NotFound",
                            "The security group '%s' does not exist in VPC '%s'", a->group_names[i],
                            sn->vpc_id);
        }
        groups[a->n_group_ids + i] = g->hdr.id;
    }
    int rc = group_check(m, s, sn->vpc_id, sn->hdr.id, groups, n_groups, err);
    /* Interfaces each instance creates in sn, and existing interfaces it takes over. */
    uint64_t per_instance = a->n_enis ? 0 : 1;
    for (size_t i = 0; rc == 0 && i < a->n_enis; i++) {
        const struct inst_eni_spec *sp = &a->enis[i];
        if (sp->eni_id) {
            const struct eni *e = (const struct eni *)res_lookup(m, s, RES_ENI, sp->eni_id, err);
            if (!e)
                rc = -1;
            else if (e->attached)
                rc = merr_set(err, "InvalidNetworkInterface.InUse", "Interface: [%s] in use.",
                              e->hdr.id);
            else if (e->requester_managed)
                rc = merr_set(err, "OperationNotPermitted",
                              "The network interface %s is managed by AWS and cannot be "
                              "attached.",
                              e->hdr.id);
            else if (strcmp(e->az, sn->az) != 0 || strcmp(e->vpc_id, sn->vpc_id) != 0)
                rc = merr_set(err, "InvalidParameterValue",
                              "Network interface %s is not in the availability zone and VPC of "
                              "subnet %s.",
                              e->hdr.id, sn->hdr.id);
            continue;
        }
        const struct subnet *osn = sn;
        if (sp->subnet_id &&
            !(osn = (const struct subnet *)res_lookup(m, s, RES_SUBNET, sp->subnet_id, err))) {
            rc = -1;
            break;
        }
        if (strcmp(osn->az, sn->az) != 0 || strcmp(osn->vpc_id, sn->vpc_id) != 0)
            rc = merr_set(err, "InvalidParameterValue",
                          "The network interfaces of an instance must be in one availability "
                          "zone and VPC.");
        else
            rc = group_check(m, s, osn->vpc_id, osn->hdr.id, sp->group_ids, sp->n_group_ids, err);
        if (rc == 0)
            rc = ipv6_check(s, osn, &sp->ipv6, a->max_count, err);
        if (rc == 0)
            rc = ipv4_check(s, osn, sp, err);
        if (osn == sn)
            per_instance += 1 + ipv4_count(&sp->secondary);
    }
    if (rc == 0 && !a->n_enis)
        rc = ipv6_check(s, sn, &a->ipv6, a->max_count, err);
    if (rc == 0)
        rc = ipv6_unique(a, err);
    if (rc == 0)
        rc = ipv4_unique(a, err);
    const char *fixed_ip = primary ? primary->private_ip : a->private_ip;
    if (rc == 0 && fixed_ip && a->max_count > 1)
        rc = merr_set(err, "InvalidParameterCombination",
                      "A private IP address cannot be specified when launching more than one "
                      "instance");
    if (rc == 0 && fixed_ip) {
        uint32_t addr;
        if (ip4_parse(fixed_ip, &addr) != 0)
            rc =
                merr_set(err, "InvalidParameterValue",
                         "Invalid value '%s' for privateIpAddress: not an IPv4 address.", fixed_ip);
        else
            rc = eni_check_address(s, sn, addr, err);
    }
    uint64_t count = (uint64_t)a->max_count;
    if (rc == 0 && per_instance) {
        uint64_t room = sn->has_ipv4 ? subnet_available_count(sn) / per_instance : 0;
        if (room < (uint64_t)a->min_count)
            rc = merr_set(err, "InsufficientFreeAddressesInSubnet",
                          "There are not enough free addresses in subnet '%s' to satisfy the "
                          "requested number of instances.",
                          sn->hdr.id);
        if (room < count)
            count = room;
    }
    if (rc == 0 && (tags_validate(NULL, a->tags, err) || tags_validate(NULL, a->eni_tags, err)))
        rc = -1;
    if (rc) {
        free(groups);
        return -1;
    }

    /* Everything checked: launch. */
    char reservation[ID_MAX];
    id_new(reservation, "r");
    struct instance **list = xcalloc(count, sizeof *list);
    time_t now = model_now(m);
    for (uint64_t i = 0; i < count; i++) {
        struct instance *in = (struct instance *)res_new(m, s, RES_INSTANCE);
        list[i] = in;
        snprintf(in->reservation_id, sizeof in->reservation_id, "%s", reservation);
        snprintf(in->image_id, sizeof in->image_id, "%s", a->image_id);
        snprintf(in->instance_type, sizeof in->instance_type, "%s", type);
        snprintf(in->key_name, sizeof in->key_name, "%s", a->key_name ? a->key_name : "");
        snprintf(in->subnet_id, sizeof in->subnet_id, "%s", sn->hdr.id);
        snprintf(in->vpc_id, sizeof in->vpc_id, "%s", sn->vpc_id);
        snprintf(in->az, sizeof in->az, "%s", sn->az);
        snprintf(in->client_token, sizeof in->client_token, "%s", token ? token : "");
        in->state = INST_PENDING;
        in->launch_index = (int)i;
        in->launch_time = now;
        tags_copy(&in->hdr.tags, a->tags);
        struct inst_eni_spec implicit = {
            .device_index = 0,
            .private_ip = a->private_ip,
            .group_ids = groups,
            .n_group_ids = n_groups,
            .delete_on_termination = true,
            .ipv6 = a->ipv6,
        };
        const struct inst_eni_spec *specs = a->n_enis ? a->enis : &implicit;
        size_t n_specs = a->n_enis ? a->n_enis : 1;
        for (size_t k = 0; k < n_specs; k++) {
            const struct inst_eni_spec *sp = &specs[k];
            struct eni *e;
            if (sp->eni_id) {
                e = eni_find(m, s, sp->eni_id);
            } else {
                struct eni_create_args ea = {
                    .subnet_id = sp->subnet_id ? sp->subnet_id : sn->hdr.id,
                    .private_ip = sp->private_ip,
                    .group_ids = sp->group_ids,
                    .n_group_ids = sp->n_group_ids,
                    .description = sp->description,
                    .tags = a->eni_tags,
                    .ipv6 = sp->ipv6,
                    .secondary = sp->secondary,
                };
                if (eni_create(m, s, &ea, &e, err)) {
                    free(groups);
                    free(list);
                    return -1; /* not reached after the checks above; the service rolls back */
                }
            }
            eni_attach_raw(m, e, in->hdr.id, sp->device_index, sp->delete_on_termination);
            if (sp->device_index == 0) {
                snprintf(in->eni_id, sizeof in->eni_id, "%s", e->hdr.id);
                in->private_ip = e->private_ips[0];
            }
        }
    }
    free(groups);
    *out = list;
    *n_out = count;
    return 0;
}

/* Looks every id up before anything changes (all or nothing). */
static int lookup_all(const struct model *m, const struct scope *s, const char *const *ids,
                      size_t n, struct inst_change **out, struct merr *err)
{
    if (n == 0)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter InstanceId");
    struct inst_change *ch = xcalloc(n, sizeof *ch);
    for (size_t i = 0; i < n; i++) {
        ch[i].inst = (struct instance *)res_lookup(m, s, RES_INSTANCE, ids[i], err);
        if (!ch[i].inst) {
            free(ch);
            return -1;
        }
    }
    *out = ch;
    return 0;
}

int instance_terminate(struct model *m, struct scope *s, const char *const *ids, size_t n,
                       struct inst_change **out, struct merr *err)
{
    struct inst_change *ch;
    if (lookup_all(m, s, ids, n, &ch, err))
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct instance *in = ch[i].inst;
        ch[i].previous = in->state;
        if (in->state != INST_TERMINATED && in->state != INST_SHUTTING_DOWN) {
            /* Interfaces marked delete-on-termination go (with their addresses); the others
             * are detached and stay. */
            struct eni **list;
            size_t k = eni_of_instance(s, in->hdr.id, &list);
            for (size_t j = 0; j < k; j++) {
                if (list[j]->att.delete_on_termination) {
                    eni_release(m, list[j]);
                } else {
                    list[j]->attached = false;
                    memset(&list[j]->att, 0, sizeof list[j]->att);
                    res_touch(m, &list[j]->hdr);
                }
            }
            free(list);
            in->eni_id[0] = '\0';
            in->state = INST_SHUTTING_DOWN;
            in->state_time = model_now(m);
            res_touch(m, &in->hdr);
        }
        ch[i].current = in->state;
    }
    *out = ch;
    return 0;
}

int instance_stop(struct model *m, struct scope *s, const char *const *ids, size_t n,
                  struct inst_change **out, struct merr *err)
{
    struct inst_change *ch;
    if (lookup_all(m, s, ids, n, &ch, err))
        return -1;
    for (size_t i = 0; i < n; i++) {
        enum inst_state st = ch[i].inst->state;
        if (st == INST_TERMINATED || st == INST_SHUTTING_DOWN) {
            free(ch);
            return merr_set(err, "IncorrectInstanceState",
                            "This instance '%s' is not in a state from which it can be stopped.",
                            ids[i]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct instance *in = ch[i].inst;
        ch[i].previous = in->state;
        if (in->state == INST_RUNNING || in->state == INST_PENDING) {
            in->state = INST_STOPPING;
            in->state_time = model_now(m);
            res_touch(m, &in->hdr);
        }
        ch[i].current = in->state;
    }
    *out = ch;
    return 0;
}

int instance_start(struct model *m, struct scope *s, const char *const *ids, size_t n,
                   struct inst_change **out, struct merr *err)
{
    struct inst_change *ch;
    if (lookup_all(m, s, ids, n, &ch, err))
        return -1;
    for (size_t i = 0; i < n; i++) {
        enum inst_state st = ch[i].inst->state;
        if (st != INST_STOPPED && st != INST_RUNNING && st != INST_PENDING) {
            free(ch);
            return merr_set(err, "IncorrectInstanceState",
                            "The instance '%s' is not in a state from which it can be started.",
                            ids[i]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        struct instance *in = ch[i].inst;
        ch[i].previous = in->state;
        if (in->state == INST_STOPPED) {
            in->state = INST_PENDING;
            res_touch(m, &in->hdr);
        }
        ch[i].current = in->state;
    }
    *out = ch;
    return 0;
}

int instance_route_check(const struct model *m, const struct scope *s, const char *vpc_id,
                         const char *instance_id, struct merr *err)
{
    const struct instance *in =
        (const struct instance *)res_lookup(m, s, RES_INSTANCE, instance_id, err);
    if (!in)
        return -1;
    if (in->state == INST_TERMINATED || in->state == INST_SHUTTING_DOWN)
        return merr_set(err, "IncorrectInstanceState",
                        "The instance '%s' is not in a valid state for this operation.",
                        instance_id);
    if (strcmp(in->vpc_id, vpc_id) != 0)
        return merr_set(err, "InvalidParameterValue",
                        "route table and instance %s belong to different networks", instance_id);
    struct eni **list;
    size_t n = eni_of_instance(s, instance_id, &list);
    free(list);
    if (n > 1)
        return merr_set(err, "InvalidInstanceID",
                        "There are multiple interfaces attached to instance '%s'. Please specify "
                        "an interface ID for the operation instead.",
                        instance_id);
    return 0;
}

bool instance_route_active(const struct model *m, const struct scope *s, const char *instance_id)
{
    const struct instance *in = instance_find(m, s, instance_id);
    return in && (in->state == INST_RUNNING || in->state == INST_PENDING);
}

/* ---- class ---- */

static json_t *instance_encode(const struct res *r)
{
    const struct instance *in = (const struct instance *)r;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:i, s:i, s:I, s:I}",
                     "reservation", in->reservation_id, "image", in->image_id, "type",
                     in->instance_type, "key", in->key_name, "subnet", in->subnet_id, "vpc",
                     in->vpc_id, "az", in->az, "token", in->client_token, "eni", in->eni_id, "ip",
                     (json_int_t)in->private_ip, "state", (int)in->state, "index", in->launch_index,
                     "launched", (json_int_t)in->launch_time, "changed",
                     (json_int_t)in->state_time);
}

static int instance_decode(struct res *r, json_t *b)
{
    struct instance *in = (struct instance *)r;
    json_copy_str(in->reservation_id, sizeof in->reservation_id, b, "reservation");
    json_copy_str(in->image_id, sizeof in->image_id, b, "image");
    json_copy_str(in->instance_type, sizeof in->instance_type, b, "type");
    json_copy_str(in->key_name, sizeof in->key_name, b, "key");
    json_copy_str(in->subnet_id, sizeof in->subnet_id, b, "subnet");
    json_copy_str(in->vpc_id, sizeof in->vpc_id, b, "vpc");
    json_copy_str(in->az, sizeof in->az, b, "az");
    json_copy_str(in->client_token, sizeof in->client_token, b, "token");
    json_copy_str(in->eni_id, sizeof in->eni_id, b, "eni");
    in->private_ip = (uint32_t)json_integer_value(json_object_get(b, "ip"));
    in->state = (enum inst_state)json_integer_value(json_object_get(b, "state"));
    in->launch_index = (int)json_integer_value(json_object_get(b, "index"));
    in->launch_time = (time_t)json_integer_value(json_object_get(b, "launched"));
    in->state_time = (time_t)json_integer_value(json_object_get(b, "changed"));
    return in->reservation_id[0] ? 0 : -EINVAL;
}

/* Filter values read from the instance's interfaces. */
static void instance_eni_values(const struct scope *s, const struct instance *in, const char *name,
                                struct fvals *out)
{
    char text[IP4_STRLEN];
    struct eni **list;
    size_t n = eni_of_instance(s, in->hdr.id, &list);
    for (size_t i = 0; i < n; i++) {
        const struct eni *e = list[i];
        bool primary = e->att.device_index == 0;
        if (strcmp(name, "ip-address") == 0) {
            const struct eip *ip = primary ? eip_for_eni(s, e->hdr.id, 0) : NULL;
            if (ip) {
                ip4_format(ip->public_ip, text);
                fv_add(out, text);
            }
        } else if (strcmp(name, "instance.group-id") == 0 ||
                   strcmp(name, "network-interface.group-id") == 0) {
            for (size_t g = 0; g < e->n_groups; g++)
                if (primary || name[0] == 'n')
                    fv_add(out, e->groups[g]);
        } else if (strcmp(name, "network-interface.network-interface-id") == 0) {
            fv_add(out, e->hdr.id);
        } else if (strcmp(name, "network-interface.subnet-id") == 0) {
            fv_add(out, e->subnet_id);
        } else if (strcmp(name, "network-interface.vpc-id") == 0) {
            fv_add(out, e->vpc_id);
        } else if (strcmp(name, "network-interface.attachment.attachment-id") == 0) {
            fv_add(out, e->att.id);
        } else if (strcmp(name, "network-interface.ipv6-addresses.ipv6-address") == 0 ||
                   strcmp(name, "ipv6-address") == 0) {
            /* ipv6-address is the instance's ipv6Address: the primary's first address. */
            bool all = name[0] == 'n';
            for (size_t k = 0; k < e->n_ipv6_addrs && (all || (primary && k == 0)); k++) {
                char text6[IP6_STRLEN];
                ip6_format(e->ipv6_addrs[k], text6);
                fv_add(out, text6);
            }
        } else {
            for (size_t k = 0; k < e->n_private_ips; k++) {
                ip4_format(e->private_ips[k], text);
                fv_add(out, text);
            }
        }
    }
    free(list);
}

static int instance_filter(const struct model *m, const struct res *r, const char *name,
                           struct fvals *out)
{
    (void)m;
    const struct instance *in = (const struct instance *)r;
    const struct scope *s = r->scope;
    char text[96];
    if (strcmp(name, "instance-id") == 0) {
        fv_add(out, in->hdr.id);
    } else if (strcmp(name, "instance-state-name") == 0) {
        fv_add(out, instance_state_name(in->state));
    } else if (strcmp(name, "instance-state-code") == 0) {
        fv_addf(out, "%d", (int)in->state);
    } else if (strcmp(name, "instance-type") == 0) {
        fv_add(out, in->instance_type);
    } else if (strcmp(name, "image-id") == 0) {
        fv_add(out, in->image_id);
    } else if (strcmp(name, "subnet-id") == 0) {
        fv_add(out, in->subnet_id);
    } else if (strcmp(name, "vpc-id") == 0) {
        fv_add(out, in->vpc_id);
    } else if (strcmp(name, "availability-zone") == 0) {
        fv_add(out, in->az);
    } else if (strcmp(name, "reservation-id") == 0) {
        fv_add(out, in->reservation_id);
    } else if (strcmp(name, "owner-id") == 0) {
        fv_add(out, s->account);
    } else if (strcmp(name, "key-name") == 0) {
        if (in->key_name[0])
            fv_add(out, in->key_name);
    } else if (strcmp(name, "client-token") == 0) {
        if (in->client_token[0])
            fv_add(out, in->client_token);
    } else if (strcmp(name, "launch-index") == 0) {
        fv_addf(out, "%d", in->launch_index);
    } else if (strcmp(name, "private-ip-address") == 0) {
        if (in->state != INST_TERMINATED) {
            ip4_format(in->private_ip, text);
            fv_add(out, text);
        }
    } else if (strcmp(name, "private-dns-name") == 0) {
        if (in->state != INST_TERMINATED) {
            instance_private_dns(s, in->private_ip, text);
            fv_add(out, text);
        }
    } else if (strcmp(name, "network-interface.network-interface-id") == 0 ||
               strcmp(name, "network-interface.subnet-id") == 0 ||
               strcmp(name, "network-interface.vpc-id") == 0 ||
               strcmp(name, "network-interface.attachment.attachment-id") == 0 ||
               strcmp(name, "network-interface.addresses.private-ip-address") == 0 ||
               strcmp(name, "network-interface.private-ip-address") == 0 ||
               strcmp(name, "network-interface.group-id") == 0 ||
               strcmp(name, "network-interface.ipv6-addresses.ipv6-address") == 0 ||
               strcmp(name, "ipv6-address") == 0 || strcmp(name, "instance.group-id") == 0 ||
               strcmp(name, "ip-address") == 0) {
        instance_eni_values(s, in, name, out);
    } else {
        return -ENOENT;
    }
    return 0;
}

const struct res_class instance_class = {
    .name = "instance",
    .id_prefix = "i",
    .size = sizeof(struct instance),
    .not_found_code = "InvalidInstanceID.NotFound",
    .malformed_code = "InvalidInstanceID.Malformed",
    .tag_resource_type = "instance",
    .encode = instance_encode,
    .decode = instance_decode,
    .filter = instance_filter,
};
