/* Network interfaces and the private IPv4 addresses of subnets.
 *
 * A subnet's address pool is the set of its ENIs' addresses: there is no separate bitmap to
 * keep in step, and subnet->used_ipv4 is only the count that AvailableIpAddressCount and
 * DeleteSubnet read. Allocation scans the subnet's ENIs, which is linear in the interfaces of
 * the scope; that is cheap at AWS's quotas and keeps one source of truth. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "model/classes.h"
#include "model/resources.h"

const char *eni_status(const struct eni *e)
{
    /* A NAT gateway's or TGW attachment's interface is in use by that service from the start. */
    return e->attached || e->requester_managed ? "in-use" : "available";
}

struct eni *eni_find(const struct model *m, const struct scope *s, const char *id)
{
    return (struct eni *)res_find(m, s, RES_ENI, id);
}

struct eni *eni_by_private_ip(const struct scope *s, const char *vpc_id, uint32_t addr)
{
    struct eni *e;
    SCOPE_FOREACH(e, s, RES_ENI)
    {
        if (strcmp(e->vpc_id, vpc_id) != 0)
            continue;
        for (size_t i = 0; i < e->n_private_ips; i++)
            if (e->private_ips[i] == addr)
                return e;
    }
    return NULL;
}

int eni_check_address(const struct scope *s, const struct subnet *sn, uint32_t addr,
                      struct merr *err)
{
    char text[IP4_STRLEN];
    ip4_format(addr, text);
    if (!sn->has_ipv4 || !prefix4_has_addr(&sn->cidr, addr))
        return merr_set(err, "InvalidParameterValue",
                        "Address %s does not fall within the subnet's address range", text);
    uint32_t first = prefix4_first(&sn->cidr), last = prefix4_last(&sn->cidr);
    if (addr - first < 4 || addr == last)
        return merr_set(err, "InvalidParameterValue",
                        "Address %s is in subnet's reserved address range", text);
    if (eni_by_private_ip(s, sn->vpc_id, addr))
        return merr_set(err, "InvalidIPAddress.InUse", "Address %s is in use.", text);
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The `want` lowest addresses of sn that no ENI holds and that are not among also[0, n_also),
 * skipping the reserved five, in order, into out[]. */
static int ipv4_pick(const struct scope *s, const struct subnet *sn, const uint32_t *also,
                     size_t n_also, size_t want, uint32_t *out)
{
    size_t n = 0, cap = 0, got = 0;
    uint32_t *used = NULL;
    const struct eni *e;
    SCOPE_FOREACH(e, s, RES_ENI)
    {
        if (strcmp(e->subnet_id, sn->hdr.id) != 0)
            continue;
        for (size_t i = 0; i < e->n_private_ips; i++) {
            used = xgrow(used, &cap, n, sizeof *used);
            used[n++] = e->private_ips[i];
        }
    }
    for (size_t i = 0; i < n_also; i++) {
        used = xgrow(used, &cap, n, sizeof *used);
        used[n++] = also[i];
    }
    if (n)
        qsort(used, n, sizeof *used, cmp_u32);
    uint32_t candidate = prefix4_first(&sn->cidr) + 4, last = prefix4_last(&sn->cidr);
    size_t u = 0;
    while (got < want && candidate < last) {
        while (u < n && used[u] < candidate)
            u++;
        if (u >= n || used[u] != candidate)
            out[got++] = candidate;
        candidate++;
    }
    free(used);
    return got == want ? 0 : -ENOSPC;
}

/* ---- Secondary private IPv4 addresses ---- */

/* Checks request r for an interface of sn holding `have` addresses, `primary` among them (0:
 * not decided yet). Explicit addresses are parsed into parsed[] (r->n_addrs entries,
 * caller-sized). With `reassign`, an explicit address another interface `self` is not holds as
 * a secondary passes the in-use check (the caller moves it). Nothing changes. */
static int ipv4_validate(const struct scope *s, const struct subnet *sn, const struct eni *self,
                         size_t have, uint32_t primary, const struct eni_ipv4_request *r,
                         bool reassign, uint32_t *parsed, struct merr *err)
{
    if (r->has_count && r->n_addrs)
        return merr_set(err, "InvalidParameterCombination",
                        "Only one of secondaryPrivateIpAddressCount and privateIpAddresses may be "
                        "specified.");
    if (r->has_count && r->count < 0)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%ld) for parameter secondaryPrivateIpAddressCount is invalid. "
                        "Expected a non-negative integer.",
                        r->count);
    size_t want = r->n_addrs ? r->n_addrs : (r->has_count ? (size_t)r->count : 0);
    if (want == 0)
        return 0;
    if (want > ENI_IPV4_MAX || have + want > ENI_IPV4_MAX)
        return merr_set(err, "PrivateIpAddressLimitExceeded",
                        "Number of private addresses will exceed limit of %d per network "
                        "interface.",
                        ENI_IPV4_MAX);
    for (size_t i = 0; i < r->n_addrs; i++) {
        if (!r->addrs[i] || ip4_parse(r->addrs[i], &parsed[i]) != 0)
            return merr_set(err, "InvalidParameterValue",
                            "Invalid value '%s' for privateIpAddresses: not an IPv4 address.",
                            r->addrs[i] ? r->addrs[i] : "");
        const struct eni *holder = eni_by_private_ip(s, sn->vpc_id, parsed[i]);
        if (reassign && holder && holder != self && holder->private_ips[0] != parsed[i] &&
            !holder->requester_managed) {
            /* Held as a secondary elsewhere in this VPC, so inside this subnet's CIDR (subnets
             * do not overlap) and not reserved: it may move. */
        } else if (eni_check_address(s, sn, parsed[i], err)) {
            return -1;
        }
        if (parsed[i] == primary)
            return merr_set(err, "InvalidParameterValue", "Address %s is specified more than once.",
                            r->addrs[i]);
        for (size_t k = 0; k < i; k++)
            if (parsed[k] == parsed[i])
                return merr_set(err, "InvalidParameterValue",
                                "Address %s is specified more than once.", r->addrs[i]);
    }
    return 0;
}

int eni_check_ipv4_request(const struct scope *s, const struct subnet *sn, uint32_t primary,
                           const struct eni_ipv4_request *r, struct merr *err)
{
    uint32_t *parsed = xcalloc(r->n_addrs ? r->n_addrs : 1, sizeof *parsed);
    int rc = ipv4_validate(s, sn, NULL, 1, primary, r, false, parsed, err);
    free(parsed);
    return rc;
}

/* The number of addresses r asks for (valid r). */
static size_t ipv4_wanted(const struct eni_ipv4_request *r)
{
    return r->n_addrs ? r->n_addrs : (r->has_count && r->count > 0 ? (size_t)r->count : 0);
}

/* Decides the secondary addresses r gives an interface of sn that holds `have` addresses
 * (have[0, n_have)): explicit ones as given (validated already into parsed[]), else the lowest
 * free ones. *out (malloc'd, at least one slot; caller frees) holds ipv4_wanted(r). */
static int ipv4_decide(const struct scope *s, const struct subnet *sn, const uint32_t *have,
                       size_t n_have, const struct eni_ipv4_request *r, const uint32_t *parsed,
                       uint32_t **out, struct merr *err)
{
    size_t want = ipv4_wanted(r);
    uint32_t *addrs = xcalloc(want ? want : 1, sizeof *addrs);
    if (r->n_addrs) {
        memcpy(addrs, parsed, want * sizeof *addrs);
    } else if (want && ipv4_pick(s, sn, have, n_have, want, addrs) != 0) {
        free(addrs);
        return merr_set(err, "InsufficientFreeAddressesInSubnet",
                        "There are not enough free addresses in subnet '%s' to satisfy the "
                        "requested number of secondary private IP addresses.",
                        sn->hdr.id);
    }
    *out = addrs;
    return 0;
}

int eni_assign_ipv4(struct model *m, struct scope *s, const char *eni_id,
                    const struct eni_ipv4_request *r, bool allow_reassignment, struct eni **out,
                    size_t *first_new, struct merr *err)
{
    struct eni *e = (struct eni *)res_lookup(m, s, RES_ENI, eni_id, err);
    if (!e)
        return -1;
    if (!r->has_count && !r->n_addrs)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter secondaryPrivateIpAddressCount "
                        "or privateIpAddress");
    if (r->has_count && !r->n_addrs && r->count == 0)
        return merr_set(err, "InvalidParameterValue",
                        "Value (0) for parameter secondaryPrivateIpAddressCount is invalid. "
                        "Expected a positive integer.");
    if (e->requester_managed)
        return merr_set(err, "OperationNotPermitted",
                        "The addresses of network interface %s are managed by AWS.", e->hdr.id);
    struct subnet *sn = subnet_find(m, s, e->subnet_id);
    if (!sn)
        return merr_set(err, "InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist",
                        e->subnet_id);
    uint32_t *parsed = xcalloc(r->n_addrs ? r->n_addrs : 1, sizeof *parsed), *addrs;
    int rc = ipv4_validate(s, sn, e, e->n_private_ips, e->private_ips[0], r, allow_reassignment,
                           parsed, err);
    if (rc == 0)
        rc = ipv4_decide(s, sn, NULL, 0, r, parsed, &addrs, err);
    free(parsed);
    if (rc)
        return -1;
    size_t n = ipv4_wanted(r), moved = 0;
    for (size_t i = 0; i < n; i++) {
        /* An address another interface holds (validated: a secondary, AllowReassignment) leaves
         * it; AWS moves the Elastic IP associated with it along. */
        struct eni *o = eni_by_private_ip(s, e->vpc_id, addrs[i]);
        if (!o)
            continue;
        size_t kept = 0;
        for (size_t k = 0; k < o->n_private_ips; k++)
            if (o->private_ips[k] != addrs[i])
                o->private_ips[kept++] = o->private_ips[k];
        o->n_private_ips = kept;
        res_touch(m, &o->hdr);
        struct eip *ip = eip_for_eni(s, o->hdr.id, addrs[i]);
        if (ip)
            eip_bind(m, ip, e, addrs[i]);
        moved++;
    }
    e->private_ips = xrealloc(e->private_ips, (e->n_private_ips + n) * sizeof *e->private_ips);
    memcpy(&e->private_ips[e->n_private_ips], addrs, n * sizeof *addrs);
    *first_new = e->n_private_ips;
    e->n_private_ips += n;
    free(addrs);
    sn->used_ipv4 += (unsigned)(n - moved);
    res_touch(m, &sn->hdr);
    res_touch(m, &e->hdr);
    *out = e;
    return 0;
}

/* The interface whose addresses an Unassign call removes: it exists, the call names some
 * addresses (in parameter `param`), and AWS does not manage them. NULL with err otherwise. */
static struct eni *eni_for_unassign(const struct model *m, const struct scope *s,
                                    const char *eni_id, size_t n, const char *param,
                                    struct merr *err)
{
    struct eni *e = (struct eni *)res_lookup(m, s, RES_ENI, eni_id, err);
    if (!e)
        return NULL;
    if (n == 0) {
        merr_set(err, "MissingParameter", "The request must contain the parameter %s", param);
        return NULL;
    }
    if (e->requester_managed) {
        merr_set(err, "OperationNotPermitted",
                 "The addresses of network interface %s are managed by AWS.", e->hdr.id);
        return NULL;
    }
    return e;
}

int eni_unassign_ipv4(struct model *m, struct scope *s, const char *eni_id,
                      const char *const *addrs, size_t n, struct eni **out, struct merr *err)
{
    struct eni *e = eni_for_unassign(m, s, eni_id, n, "privateIpAddress", err);
    if (!e)
        return -1;
    uint32_t *gone = xcalloc(n, sizeof *gone);
    for (size_t i = 0; i < n; i++) {
        bool held = false;
        if (ip4_parse(addrs[i], &gone[i]) != 0) {
            free(gone);
            return merr_set(err, "InvalidParameterValue",
                            "Invalid value '%s' for privateIpAddress: not an IPv4 address.",
                            addrs[i]);
        }
        /* AWS's code for the primary address [?]: it can only go with the interface. */
        if (gone[i] == e->private_ips[0]) {
            free(gone);
            return merr_set(err, "InvalidParameterValue",
                            "The primary private IP address %s of interface %s cannot be "
                            "unassigned.",
                            addrs[i], e->hdr.id);
        }
        for (size_t k = 1; k < e->n_private_ips && !held; k++)
            held = e->private_ips[k] == gone[i];
        if (!held) {
            free(gone);
            return merr_set(err, "InvalidParameterValue",
                            "Some of the specified addresses are not assigned to interface %s",
                            e->hdr.id);
        }
    }
    size_t kept = 0;
    for (size_t k = 0; k < e->n_private_ips; k++) {
        bool drop = false;
        for (size_t i = 0; i < n && !drop; i++)
            drop = e->private_ips[k] == gone[i];
        if (!drop) {
            e->private_ips[kept++] = e->private_ips[k];
            continue;
        }
        /* The EC2 User Guide: unassigning a secondary address also disassociates the Elastic
         * IP mapped to it (the EIP stays allocated). */
        struct eip *ip = eip_for_eni(s, e->hdr.id, e->private_ips[k]);
        if (ip)
            eip_unbind(m, ip);
    }
    size_t removed = e->n_private_ips - kept;
    e->n_private_ips = kept;
    free(gone);
    struct subnet *sn = subnet_find(m, s, e->subnet_id);
    if (sn) {
        sn->used_ipv4 -= sn->used_ipv4 >= removed ? (unsigned)removed : sn->used_ipv4;
        res_touch(m, &sn->hdr);
    }
    res_touch(m, &e->hdr);
    *out = e;
    return 0;
}

/* ---- IPv6 addresses ----
 * Like IPv4, the pool of a subnet's IPv6 block is the set of its VPC's ENIs' addresses. The
 * lowest free address is handed out first (AWS picks at random; "lowest" makes tests and
 * traces repeatable and is as valid a choice). Addresses are compared as 16 network-order
 * bytes, for which memcmp is numeric order. */

/* AWS's largest per-interface IPv6 quota (the biggest instance types); vpcd has no per-type
 * table, so every interface gets it. It also bounds what one request can allocate. */
#define ENI_IPV6_MAX 50

static int cmp_ip6(const void *a, const void *b)
{
    return memcmp(a, b, 16);
}

static void ip6_inc(uint8_t a[16])
{
    for (int i = 15; i >= 0 && ++a[i] == 0; i--)
        ;
}

/* The first four addresses of a block (network, router, DNS, future use) and its last. */
static bool ip6_reserved(const struct prefix6 *p, const uint8_t addr[16])
{
    uint8_t first[16], last[16];
    memcpy(first, p->addr, 16);
    prefix6_mask_addr(first, p->len);
    prefix6_last(p, last);
    /* Blocks are /64s, so the first address ends in a zero byte and first+3 cannot carry. */
    return (memcmp(addr, first, 15) == 0 && addr[15] >= first[15] && addr[15] - first[15] < 4) ||
           memcmp(addr, last, 16) == 0;
}

struct eni *eni_by_ipv6(const struct scope *s, const char *vpc_id, const uint8_t addr[16])
{
    struct eni *e;
    SCOPE_FOREACH(e, s, RES_ENI)
    {
        if (strcmp(e->vpc_id, vpc_id) != 0)
            continue;
        for (size_t i = 0; i < e->n_ipv6_addrs; i++)
            if (memcmp(e->ipv6_addrs[i], addr, 16) == 0)
                return e;
    }
    return NULL;
}

bool eni_holds_ipv6_in(const struct scope *s, const char *vpc_id, const struct prefix6 *p)
{
    const struct eni *e;
    SCOPE_FOREACH(e, s, RES_ENI)
    {
        if (strcmp(e->vpc_id, vpc_id) != 0)
            continue;
        for (size_t i = 0; i < e->n_ipv6_addrs; i++)
            if (prefix6_has_addr(p, e->ipv6_addrs[i]))
                return true;
    }
    return false;
}

int eni_check_ipv6(const struct scope *s, const struct subnet *sn, const uint8_t addr[16],
                   struct merr *err)
{
    char text[IP6_STRLEN];
    ip6_format(addr, text);
    const struct prefix6 *block = NULL;
    for (size_t i = 0; i < sn->n_ipv6 && !block; i++)
        if (prefix6_has_addr(&sn->ipv6[i].cidr, addr))
            block = &sn->ipv6[i].cidr;
    /* Codes and texts as for IPv4 addresses, which AWS uses for both families [?]. */
    if (!block)
        return merr_set(err, "InvalidParameterValue",
                        "Address %s does not fall within the subnet's address range", text);
    if (ip6_reserved(block, addr))
        return merr_set(err, "InvalidParameterValue",
                        "Address %s is in subnet's reserved address range", text);
    if (eni_by_ipv6(s, sn->vpc_id, addr))
        return merr_set(err, "InvalidIPAddress.InUse", "Address %s is in use.", text);
    return 0;
}

/* Checks request r for an interface of sn already holding `have` addresses. Explicit addresses
 * are parsed into parsed[] (r->n_addrs entries, caller-sized); nothing changes. */
static int ipv6_validate(const struct scope *s, const struct subnet *sn, size_t have,
                         const struct eni_ipv6_request *r, uint8_t (*parsed)[16], struct merr *err)
{
    if (r->has_count && r->n_addrs)
        return merr_set(err, "InvalidParameterCombination",
                        "Only one of ipv6AddressCount and ipv6Addresses may be specified.");
    if (r->has_count && r->count < 0)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%ld) for parameter ipv6AddressCount is invalid. Expected a "
                        "non-negative integer.",
                        r->count);
    size_t want = r->n_addrs ? r->n_addrs : (r->has_count ? (size_t)r->count : 0);
    if (want == 0)
        return 0;
    /* AWS's code for asking IPv6 addresses of a subnet without an IPv6 block [?]. */
    if (sn->n_ipv6 == 0)
        return merr_set(err, "InvalidParameterValue",
                        "The subnet '%s' has no IPv6 CIDR block: IPv6 addresses cannot be "
                        "assigned in it.",
                        sn->hdr.id);
    /* The code AWS documents for exceeding an interface's address quota [?]. */
    if (want > ENI_IPV6_MAX || have + want > ENI_IPV6_MAX)
        return merr_set(err, "PrivateIpAddressLimitExceeded",
                        "Number of IPv6 addresses exceeds the limit of %d per network "
                        "interface.",
                        ENI_IPV6_MAX);
    for (size_t i = 0; i < r->n_addrs; i++) {
        if (!r->addrs[i] || ip6_parse(r->addrs[i], parsed[i]) != 0)
            return merr_set(err, "InvalidParameterValue",
                            "Invalid value '%s' for ipv6Addresses: not an IPv6 address.",
                            r->addrs[i] ? r->addrs[i] : "");
        if (eni_check_ipv6(s, sn, parsed[i], err))
            return -1;
        for (size_t k = 0; k < i; k++)
            if (memcmp(parsed[k], parsed[i], 16) == 0)
                return merr_set(err, "InvalidParameterValue",
                                "Address %s is specified more than once.", r->addrs[i]);
    }
    return 0;
}

int eni_check_ipv6_request(const struct scope *s, const struct subnet *sn,
                           const struct eni_ipv6_request *r, struct merr *err)
{
    uint8_t(*parsed)[16] = xcalloc(r->n_addrs ? r->n_addrs : 1, sizeof *parsed);
    int rc = ipv6_validate(s, sn, 0, r, parsed, err);
    free(parsed);
    return rc;
}

/* The `want` lowest free addresses of sn's IPv6 blocks, in order, into out[]. */
static int ipv6_pick(const struct scope *s, const struct subnet *sn, size_t want,
                     uint8_t (*out)[16])
{
    size_t n = 0, cap = 0, got = 0;
    uint8_t(*used)[16] = NULL;
    const struct eni *e;
    SCOPE_FOREACH(e, s, RES_ENI)
    {
        if (strcmp(e->vpc_id, sn->vpc_id) != 0)
            continue;
        for (size_t i = 0; i < e->n_ipv6_addrs; i++) {
            used = xgrow(used, &cap, n, sizeof *used);
            memcpy(used[n++], e->ipv6_addrs[i], 16);
        }
    }
    if (n)
        qsort(used, n, sizeof *used, cmp_ip6);
    for (size_t b = 0; b < sn->n_ipv6 && got < want; b++) {
        const struct prefix6 *p = &sn->ipv6[b].cidr;
        uint8_t cand[16], last[16];
        memcpy(cand, p->addr, 16);
        prefix6_mask_addr(cand, p->len);
        prefix6_last(p, last);
        for (int k = 0; k < 4; k++)
            ip6_inc(cand);
        size_t u = 0;
        while (got < want && memcmp(cand, last, 16) < 0) {
            while (u < n && memcmp(used[u], cand, 16) < 0)
                u++;
            if (u < n && memcmp(used[u], cand, 16) == 0) {
                ip6_inc(cand);
                continue;
            }
            memcpy(out[got++], cand, 16);
            ip6_inc(cand);
        }
    }
    free(used);
    return got == want ? 0 : -ENOSPC;
}

/* Validates r for an interface of sn holding `have` addresses and decides the addresses it
 * gets: *out (malloc'd, at least one slot; caller frees) holds *n_out of them. */
static int ipv6_prepare(const struct scope *s, const struct subnet *sn, size_t have,
                        const struct eni_ipv6_request *r, uint8_t (**out)[16], size_t *n_out,
                        struct merr *err)
{
    size_t want = r->n_addrs ? r->n_addrs : (r->has_count && r->count > 0 ? (size_t)r->count : 0);
    uint8_t(*addrs)[16] = xcalloc(r->n_addrs ? r->n_addrs : 1, sizeof *addrs);
    if (ipv6_validate(s, sn, have, r, addrs, err)) {
        free(addrs);
        return -1;
    }
    if (!r->n_addrs && want) {
        /* want <= ENI_IPV6_MAX after validation. */
        free(addrs);
        addrs = xcalloc(want, sizeof *addrs);
        if (ipv6_pick(s, sn, want, addrs) != 0) {
            free(addrs);
            return merr_set(err, "InsufficientFreeAddressesInSubnet",
                            "There are not enough free IPv6 addresses in subnet '%s' to satisfy "
                            "the request.",
                            sn->hdr.id);
        }
    }
    *out = addrs;
    *n_out = want;
    return 0;
}

int eni_assign_ipv6(struct model *m, struct scope *s, const char *eni_id,
                    const struct eni_ipv6_request *r, struct eni **out, size_t *first_new,
                    struct merr *err)
{
    struct eni *e = (struct eni *)res_lookup(m, s, RES_ENI, eni_id, err);
    if (!e)
        return -1;
    if (!r->has_count && !r->n_addrs)
        return merr_set(err, "MissingParameter",
                        "The request must contain the parameter ipv6AddressCount or "
                        "ipv6Addresses");
    if (r->has_count && !r->n_addrs && r->count == 0)
        return merr_set(err, "InvalidParameterValue",
                        "Value (0) for parameter ipv6AddressCount is invalid. Expected a "
                        "positive integer.");
    if (e->requester_managed)
        return merr_set(err, "OperationNotPermitted",
                        "The addresses of network interface %s are managed by AWS.", e->hdr.id);
    const struct subnet *sn = subnet_find(m, s, e->subnet_id);
    if (!sn)
        return merr_set(err, "InvalidSubnetID.NotFound", "The subnet ID '%s' does not exist",
                        e->subnet_id);
    uint8_t(*addrs)[16];
    size_t n;
    if (ipv6_prepare(s, sn, e->n_ipv6_addrs, r, &addrs, &n, err))
        return -1;
    e->ipv6_addrs = xrealloc(e->ipv6_addrs, (e->n_ipv6_addrs + n) * sizeof *e->ipv6_addrs);
    memcpy(e->ipv6_addrs[e->n_ipv6_addrs], addrs, n * sizeof *addrs);
    *first_new = e->n_ipv6_addrs;
    e->n_ipv6_addrs += n;
    free(addrs);
    res_touch(m, &e->hdr);
    *out = e;
    return 0;
}

int eni_unassign_ipv6(struct model *m, struct scope *s, const char *eni_id,
                      const char *const *addrs, size_t n, struct eni **out, struct merr *err)
{
    struct eni *e = eni_for_unassign(m, s, eni_id, n, "ipv6Addresses", err);
    if (!e)
        return -1;
    uint8_t(*gone)[16] = xcalloc(n, sizeof *gone);
    for (size_t i = 0; i < n; i++) {
        bool held = false;
        if (ip6_parse(addrs[i], gone[i]) != 0) {
            free(gone);
            return merr_set(err, "InvalidParameterValue",
                            "Invalid value '%s' for ipv6Addresses: not an IPv6 address.", addrs[i]);
        }
        for (size_t k = 0; k < e->n_ipv6_addrs && !held; k++)
            held = memcmp(e->ipv6_addrs[k], gone[i], 16) == 0;
        /* AWS's answer for an address the interface does not hold [?]: as for IPv4. */
        if (!held) {
            free(gone);
            return merr_set(err, "InvalidParameterValue",
                            "Some of the specified addresses are not assigned to interface %s",
                            e->hdr.id);
        }
    }
    size_t kept = 0;
    for (size_t k = 0; k < e->n_ipv6_addrs; k++) {
        bool drop = false;
        for (size_t i = 0; i < n && !drop; i++)
            drop = memcmp(e->ipv6_addrs[k], gone[i], 16) == 0;
        if (!drop)
            memmove(e->ipv6_addrs[kept++], e->ipv6_addrs[k], 16);
    }
    e->n_ipv6_addrs = kept;
    free(gone);
    res_touch(m, &e->hdr);
    *out = e;
    return 0;
}

static void eni_make_mac(const struct eni *e, uint8_t mac[6])
{
    /* Locally administered unicast (0x02 first octet), derived from the id so it is stable
     * across restarts without being stored separately. */
    uint32_t h = 2166136261u;
    for (const char *p = e->hdr.id; *p; p++)
        h = (h ^ (uint8_t)*p) * 16777619u;
    mac[0] = 0x02;
    mac[1] = (uint8_t)(h >> 24);
    mac[2] = (uint8_t)(h >> 16);
    mac[3] = (uint8_t)(h >> 8);
    mac[4] = (uint8_t)h;
    mac[5] = (uint8_t)(h >> 5 ^ h >> 19);
}

/* The checks of eni_create that decide no address: VPC, groups, tags. */
static int eni_create_check(const struct model *m, const struct scope *s, const struct subnet *sn,
                            const struct eni_create_args *a, struct merr *err)
{
    const struct vpc *v = vpc_find(m, s, sn->vpc_id);
    if (!v)
        return merr_set(err, "InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", sn->vpc_id);
    if (!a->requester_managed) {
        for (size_t i = 0; i < a->n_group_ids; i++) {
            const struct security_group *g =
                (const struct security_group *)res_lookup(m, s, RES_SG, a->group_ids[i], err);
            if (!g)
                return -1;
            if (strcmp(g->vpc_id, v->hdr.id) != 0)
                return merr_set(err, "InvalidParameter",
                                "Security group %s and subnet %s belong to different networks.",
                                g->hdr.id, sn->hdr.id);
        }
        if (a->n_group_ids > 5)
            return merr_set(err, "SecurityGroupsPerInterfaceLimitExceeded",
                            "The maximum number of security groups per interface (5) has been "
                            "reached.");
    }
    return tags_validate(NULL, a->tags, err) ? -1 : 0;
}

int eni_create(struct model *m, struct scope *s, const struct eni_create_args *a, struct eni **out,
               struct merr *err)
{
    struct subnet *sn = (struct subnet *)res_lookup(m, s, RES_SUBNET, a->subnet_id, err);
    if (!sn)
        return -1;
    if (!sn->has_ipv4)
        return merr_set(err, "InvalidParameterValue",
                        "Subnet %s has no IPv4 CIDR block; IPv6-only interfaces are not supported.",
                        sn->hdr.id);
    uint32_t addr = 0;
    if (a->private_ip) {
        if (ip4_parse(a->private_ip, &addr) != 0)
            return merr_set(err, "InvalidParameterValue",
                            "Invalid value '%s' for privateIpAddress: not an IPv4 address.",
                            a->private_ip);
        if (eni_check_address(s, sn, addr, err))
            return -1;
    }
    /* Explicit secondary addresses are checked before a primary is picked, so that the pick
     * avoids them. */
    const struct eni_ipv4_request *v4 = &a->secondary;
    uint32_t *v4_parsed = xcalloc(v4->n_addrs ? v4->n_addrs : 1, sizeof *v4_parsed);
    if (ipv4_validate(s, sn, NULL, 1, addr, v4, false, v4_parsed, err)) {
        free(v4_parsed);
        return -1;
    }
    if (!a->private_ip && ipv4_pick(s, sn, v4_parsed, v4->n_addrs, 1, &addr) != 0) {
        free(v4_parsed);
        return merr_set(err, "InsufficientFreeAddressesInSubnet",
                        "There are not enough free addresses in subnet '%s' to satisfy the "
                        "requested number of instances.",
                        sn->hdr.id);
    }
    uint32_t *secondary;
    int v4_rc = ipv4_decide(s, sn, &addr, 1, v4, v4_parsed, &secondary, err);
    free(v4_parsed);
    if (v4_rc)
        return -1;
    size_t n_secondary = ipv4_wanted(v4);
    int rc = eni_create_check(m, s, sn, a, err);
    if (rc) {
        free(secondary);
        return -1;
    }
    const struct vpc *v = vpc_find(m, s, sn->vpc_id);
    /* Last of the checks: it allocates the addresses it decides. */
    struct eni_ipv6_request v6 = a->ipv6;
    if (!v6.has_count && !v6.n_addrs && sn->assign_ipv6 && !a->requester_managed) {
        v6.has_count = true;
        v6.count = 1;
    }
    uint8_t(*ipv6)[16];
    size_t n_ipv6;
    if (ipv6_prepare(s, sn, 0, &v6, &ipv6, &n_ipv6, err)) {
        free(secondary);
        return -1;
    }

    struct eni *e = (struct eni *)res_new(m, s, RES_ENI);
    e->ipv6_addrs = ipv6;
    e->n_ipv6_addrs = n_ipv6;
    snprintf(e->subnet_id, sizeof e->subnet_id, "%s", sn->hdr.id);
    snprintf(e->vpc_id, sizeof e->vpc_id, "%s", v->hdr.id);
    snprintf(e->az, sizeof e->az, "%s", sn->az);
    snprintf(e->description, sizeof e->description, "%s", a->description ? a->description : "");
    snprintf(e->interface_type, sizeof e->interface_type, "%s",
             a->interface_type ? a->interface_type : "interface");
    e->requester_managed = a->requester_managed;
    snprintf(e->requester_id, sizeof e->requester_id, "%s", a->requester_id ? a->requester_id : "");
    eni_make_mac(e, e->mac);
    e->private_ips = xcalloc(1 + n_secondary, sizeof *e->private_ips);
    e->private_ips[0] = addr;
    memcpy(&e->private_ips[1], secondary, n_secondary * sizeof *secondary);
    e->n_private_ips = 1 + n_secondary;
    free(secondary);
    if (!a->requester_managed) {
        size_t n = a->n_group_ids ? a->n_group_ids : 1;
        e->groups = xcalloc(n, sizeof *e->groups);
        for (size_t i = 0; i < a->n_group_ids; i++)
            snprintf(e->groups[i], sizeof e->groups[i], "%s", a->group_ids[i]);
        if (!a->n_group_ids)
            snprintf(e->groups[0], sizeof e->groups[0], "%s", v->default_sg_id);
        e->n_groups = n;
    }
    e->source_dest_check = true;
    tags_copy(&e->hdr.tags, a->tags);
    sn->used_ipv4 += (unsigned)e->n_private_ips;
    res_touch(m, &sn->hdr);
    *out = e;
    return 0;
}

void eni_release(struct model *m, struct eni *e)
{
    eip_eni_released(m, e->hdr.scope, e->hdr.id);
    struct subnet *sn = subnet_find(m, e->hdr.scope, e->subnet_id);
    if (sn) {
        sn->used_ipv4 -=
            sn->used_ipv4 >= e->n_private_ips ? (unsigned)e->n_private_ips : sn->used_ipv4;
        res_touch(m, &sn->hdr);
    }
    res_delete(m, &e->hdr);
}

int eni_delete(struct model *m, struct scope *s, const char *eni_id, struct merr *err)
{
    struct eni *e = (struct eni *)res_lookup(m, s, RES_ENI, eni_id, err);
    if (!e)
        return -1;
    if (e->attached)
        return merr_set(err, "InvalidNetworkInterface.InUse", "Interface: [%s] in use.", e->hdr.id);
    if (e->requester_managed)
        return merr_set(err, "OperationNotPermitted",
                        "The network interface %s is managed by AWS and cannot be deleted by the "
                        "user.",
                        e->hdr.id);
    eni_release(m, e);
    return 0;
}

bool eni_uses_group(const struct scope *s, const char *sg_id)
{
    const struct eni *e;
    SCOPE_FOREACH(e, s, RES_ENI)
    {
        for (size_t i = 0; i < e->n_groups; i++)
            if (strcmp(e->groups[i], sg_id) == 0)
                return true;
    }
    return false;
}

static int cmp_device_index(const void *a, const void *b)
{
    const struct eni *x = *(const struct eni *const *)a, *y = *(const struct eni *const *)b;
    return x->att.device_index - y->att.device_index;
}

size_t eni_of_instance(const struct scope *s, const char *instance_id, struct eni ***out)
{
    size_t n = 0, cap = 0;
    struct eni **list = NULL, *e;
    SCOPE_FOREACH(e, s, RES_ENI)
    {
        if (!e->attached || strcmp(e->att.instance_id, instance_id) != 0)
            continue;
        list = xgrow(list, &cap, n, sizeof *list);
        list[n++] = e;
    }
    if (n > 1)
        qsort(list, n, sizeof *list, cmp_device_index);
    *out = list;
    return n;
}

struct eni *eni_by_attachment(const struct scope *s, const char *attach_id)
{
    struct eni *e;
    SCOPE_FOREACH(e, s, RES_ENI)
    if (e->attached && strcmp(e->att.id, attach_id) == 0)
        return e;
    return NULL;
}

void eni_attach_raw(struct model *m, struct eni *e, const char *instance_id, int device_index,
                    bool delete_on_termination)
{
    e->attached = true;
    id_new(e->att.id, "eni-attach");
    snprintf(e->att.instance_id, sizeof e->att.instance_id, "%s", instance_id ? instance_id : "");
    e->att.device_index = device_index;
    e->att.delete_on_termination = delete_on_termination;
    e->att.attach_time = model_now(m);
    res_touch(m, &e->hdr);
}

int eni_attach(struct model *m, struct scope *s, const char *eni_id, const char *instance_id,
               long device_index, const char **attach_id_out, struct merr *err)
{
    struct eni *e = (struct eni *)res_lookup(m, s, RES_ENI, eni_id, err);
    if (!e)
        return -1;
    const struct instance *in =
        (const struct instance *)res_lookup(m, s, RES_INSTANCE, instance_id, err);
    if (!in)
        return -1;
    if (device_index < 0 || device_index > 31)
        return merr_set(err, "InvalidParameterValue",
                        "Value (%ld) for parameter deviceIndex is invalid. Expecting a value "
                        "between 0 and 31.",
                        device_index);
    if (in->state != INST_RUNNING && in->state != INST_STOPPED && in->state != INST_PENDING)
        return merr_set(err, "IncorrectInstanceState",
                        "The instance '%s' is not in a valid state for this operation.",
                        in->hdr.id);
    if (e->attached)
        return merr_set(err, "InvalidNetworkInterface.InUse", "Interface: [%s] in use.", e->hdr.id);
    if (e->requester_managed)
        return merr_set(err, "OperationNotPermitted",
                        "The network interface %s is managed by AWS and cannot be attached.",
                        e->hdr.id);
    if (strcmp(e->vpc_id, in->vpc_id) != 0)
        return merr_set(err, "InvalidParameterValue",
                        "Network interface %s and instance %s belong to different networks.",
                        e->hdr.id, in->hdr.id);
    if (strcmp(e->az, in->az) != 0)
        return merr_set(err, "InvalidParameterValue",
                        "Network interface %s and instance %s are in different availability "
                        "zones.",
                        e->hdr.id, in->hdr.id);
    struct eni **list;
    size_t n = eni_of_instance(s, in->hdr.id, &list);
    bool taken = false;
    for (size_t i = 0; i < n; i++)
        taken |= list[i]->att.device_index == device_index;
    free(list);
    if (taken)
        return merr_set(err, "InvalidParameterValue",
                        "Instance '%s' already has an interface attached at device index '%ld'.",
                        in->hdr.id, device_index);
    eni_attach_raw(m, e, in->hdr.id, (int)device_index, false);
    *attach_id_out = e->att.id;
    return 0;
}

int eni_detach(struct model *m, struct scope *s, const char *attach_id, struct merr *err)
{
    if (!id_well_formed(attach_id, "eni-attach"))
        return merr_set(err, "InvalidAttachmentID.Malformed",
                        "Invalid id: \"%s\" (expecting \"eni-attach-...\")", attach_id);
    struct eni *e = eni_by_attachment(s, attach_id);
    if (!e)
        return merr_set(err, "InvalidAttachmentID.NotFound",
                        "The attachment ID '%s' does not exist", attach_id);
    if (e->requester_managed || !e->att.instance_id[0])
        return merr_set(err, "OperationNotPermitted",
                        "The network interface %s is managed by AWS and cannot be detached.",
                        e->hdr.id);
    if (e->att.device_index == 0)
        return merr_set(err, "OperationNotPermitted",
                        "The network interface at device index 0 cannot be detached.");
    e->attached = false;
    memset(&e->att, 0, sizeof e->att);
    res_touch(m, &e->hdr);
    return 0;
}

int eni_modify(struct model *m, struct scope *s, const char *eni_id,
               const struct eni_modify_args *a, struct merr *err)
{
    struct eni *e = (struct eni *)res_lookup(m, s, RES_ENI, eni_id, err);
    if (!e)
        return -1;
    int n = (a->description != NULL) + a->has_sdc + a->has_groups + (a->attachment_id != NULL);
    if (n == 0)
        return merr_set(err, "MissingParameter",
                        "The request must contain one attribute to modify: description, "
                        "sourceDestCheck, groupSet or attachment");
    if (n > 1)
        return merr_set(err, "InvalidParameterCombination",
                        "Fields for multiple attribute types specified: only one attribute can "
                        "be modified per call");
    if (a->has_groups) {
        if (e->requester_managed)
            return merr_set(err, "OperationNotPermitted",
                            "The security groups of network interface %s are managed by AWS.",
                            e->hdr.id);
        if (a->n_group_ids == 0)
            return merr_set(err, "MissingParameter",
                            "The request must contain the parameter groupId");
        if (a->n_group_ids > 5)
            return merr_set(err, "SecurityGroupsPerInterfaceLimitExceeded",
                            "The maximum number of security groups per interface (5) has been "
                            "reached.");
        for (size_t i = 0; i < a->n_group_ids; i++) {
            const struct security_group *g =
                (const struct security_group *)res_lookup(m, s, RES_SG, a->group_ids[i], err);
            if (!g)
                return -1;
            if (strcmp(g->vpc_id, e->vpc_id) != 0)
                return merr_set(err, "InvalidParameter",
                                "Security group %s and interface %s belong to different "
                                "networks.",
                                g->hdr.id, e->hdr.id);
        }
        free(e->groups);
        e->groups = xcalloc(a->n_group_ids, sizeof *e->groups);
        e->n_groups = 0;
        for (size_t i = 0; i < a->n_group_ids; i++) {
            bool dup = false;
            for (size_t k = 0; k < e->n_groups; k++)
                dup |= strcmp(e->groups[k], a->group_ids[i]) == 0;
            if (!dup)
                snprintf(e->groups[e->n_groups++], sizeof e->groups[0], "%s", a->group_ids[i]);
        }
    } else if (a->attachment_id) {
        if (!e->attached || strcmp(e->att.id, a->attachment_id) != 0)
            return merr_set(err, "InvalidAttachmentID.NotFound",
                            "The attachment ID '%s' does not exist", a->attachment_id);
        if (!a->has_dot)
            return merr_set(err, "MissingParameter",
                            "The request must contain the parameter deleteOnTermination");
        e->att.delete_on_termination = a->dot;
    } else if (a->description) {
        if (strlen(a->description) > 255)
            return merr_set(err, "InvalidParameterValue",
                            "Description must be at most 255 characters");
        snprintf(e->description, sizeof e->description, "%s", a->description);
    } else {
        e->source_dest_check = a->sdc;
    }
    res_touch(m, &e->hdr);
    return 0;
}

int eni_route_check(const struct model *m, const struct scope *s, const char *vpc_id,
                    const char *eni_id, struct merr *err)
{
    const struct eni *e = (const struct eni *)res_lookup(m, s, RES_ENI, eni_id, err);
    if (!e)
        return -1;
    if (strcmp(e->vpc_id, vpc_id) != 0)
        return merr_set(err, "InvalidParameterValue",
                        "route table and network interface %s belong to different networks",
                        eni_id);
    return 0;
}

bool eni_route_active(const struct model *m, const struct scope *s, const char *eni_id)
{
    const struct eni *e = eni_find(m, s, eni_id);
    return e && e->attached;
}

static void eni_destroy(struct res *r)
{
    struct eni *e = (struct eni *)r;
    free(e->private_ips);
    free(e->ipv6_addrs);
    free(e->groups);
}

static json_t *eni_encode(const struct res *r)
{
    const struct eni *e = (const struct eni *)r;
    json_t *ips = json_array(), *groups = json_array();
    for (size_t i = 0; i < e->n_private_ips; i++)
        json_array_append_new(ips, json_integer(e->private_ips[i]));
    for (size_t i = 0; i < e->n_groups; i++)
        json_array_append_new(groups, json_string(e->groups[i]));
    json_t *ipv6 = json_array();
    for (size_t i = 0; i < e->n_ipv6_addrs; i++) {
        char text[IP6_STRLEN];
        ip6_format(e->ipv6_addrs[i], text);
        json_array_append_new(ipv6, json_string(text));
    }
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:o, s:o, s:b, s:b}", "subnet",
                          e->subnet_id, "vpc", e->vpc_id, "az", e->az, "description",
                          e->description, "type", e->interface_type, "managed",
                          e->requester_managed, "requester", e->requester_id, "ips", ips, "groups",
                          groups, "sdc", e->source_dest_check, "attached", e->attached);
    json_object_set_new(o, "ipv6", ipv6);
    if (e->attached)
        json_object_set_new(o, "att",
                            json_pack("{s:s, s:s, s:i, s:b, s:I}", "id", e->att.id, "instance",
                                      e->att.instance_id, "index", e->att.device_index, "dot",
                                      e->att.delete_on_termination, "time",
                                      (json_int_t)e->att.attach_time));
    return o;
}

static int eni_decode(struct res *r, json_t *b)
{
    struct eni *e = (struct eni *)r;
    json_copy_str(e->subnet_id, sizeof e->subnet_id, b, "subnet");
    json_copy_str(e->vpc_id, sizeof e->vpc_id, b, "vpc");
    json_copy_str(e->az, sizeof e->az, b, "az");
    json_copy_str(e->description, sizeof e->description, b, "description");
    json_copy_str(e->interface_type, sizeof e->interface_type, b, "type");
    json_copy_str(e->requester_id, sizeof e->requester_id, b, "requester");
    e->requester_managed = json_is_true(json_object_get(b, "managed"));
    e->source_dest_check = json_is_true(json_object_get(b, "sdc"));
    e->attached = json_is_true(json_object_get(b, "attached"));
    json_t *ips = json_object_get(b, "ips"), *groups = json_object_get(b, "groups"), *v;
    size_t i;
    e->n_private_ips = json_array_size(ips);
    e->private_ips = xcalloc(e->n_private_ips ? e->n_private_ips : 1, sizeof *e->private_ips);
    json_array_foreach(ips, i, v) e->private_ips[i] = (uint32_t)json_integer_value(v);
    e->n_groups = json_array_size(groups);
    e->groups = xcalloc(e->n_groups ? e->n_groups : 1, sizeof *e->groups);
    json_array_foreach(groups, i, v) snprintf(e->groups[i], sizeof e->groups[i], "%s",
                                              json_is_string(v) ? json_string_value(v) : "");
    json_t *ipv6 = json_object_get(b, "ipv6");
    e->ipv6_addrs =
        xcalloc(json_array_size(ipv6) ? json_array_size(ipv6) : 1, sizeof *e->ipv6_addrs);
    json_array_foreach(ipv6, i, v)
    {
        if (!json_is_string(v) || ip6_parse(json_string_value(v), e->ipv6_addrs[i]) != 0)
            return -EINVAL;
        e->n_ipv6_addrs = i + 1;
    }
    json_t *att = json_object_get(b, "att");
    if (att) {
        json_copy_str(e->att.id, sizeof e->att.id, att, "id");
        json_copy_str(e->att.instance_id, sizeof e->att.instance_id, att, "instance");
        e->att.device_index = (int)json_integer_value(json_object_get(att, "index"));
        e->att.delete_on_termination = json_is_true(json_object_get(att, "dot"));
        e->att.attach_time = (time_t)json_integer_value(json_object_get(att, "time"));
    }
    eni_make_mac(e, e->mac);
    return 0;
}

static int eni_filter(const struct model *m, const struct res *r, const char *name,
                      struct fvals *out)
{
    (void)m;
    const struct eni *e = (const struct eni *)r;
    char text[IP4_STRLEN];
    if (strcmp(name, "network-interface-id") == 0) {
        fv_add(out, e->hdr.id);
    } else if (strcmp(name, "subnet-id") == 0) {
        fv_add(out, e->subnet_id);
    } else if (strcmp(name, "vpc-id") == 0) {
        fv_add(out, e->vpc_id);
    } else if (strcmp(name, "availability-zone") == 0) {
        fv_add(out, e->az);
    } else if (strcmp(name, "group-id") == 0) {
        for (size_t i = 0; i < e->n_groups; i++)
            fv_add(out, e->groups[i]);
    } else if (strcmp(name, "private-ip-address") == 0 ||
               strcmp(name, "addresses.private-ip-address") == 0) {
        for (size_t i = 0; i < e->n_private_ips; i++) {
            ip4_format(e->private_ips[i], text);
            fv_add(out, text);
        }
    } else if (strcmp(name, "ipv6-addresses.ipv6-address") == 0) {
        for (size_t i = 0; i < e->n_ipv6_addrs; i++) {
            char text6[IP6_STRLEN];
            ip6_format(e->ipv6_addrs[i], text6);
            fv_add(out, text6);
        }
    } else if (strcmp(name, "attachment.instance-id") == 0) {
        if (e->attached && e->att.instance_id[0])
            fv_add(out, e->att.instance_id);
    } else if (strcmp(name, "attachment.attachment-id") == 0) {
        if (e->attached)
            fv_add(out, e->att.id);
    } else if (strcmp(name, "status") == 0) {
        fv_add(out, eni_status(e));
    } else if (strcmp(name, "interface-type") == 0) {
        fv_add(out, e->interface_type);
    } else if (strcmp(name, "requester-managed") == 0) {
        fv_bool(out, e->requester_managed);
    } else if (strcmp(name, "source-dest-check") == 0) {
        fv_bool(out, e->source_dest_check);
    } else if (strcmp(name, "description") == 0) {
        fv_add(out, e->description);
    } else if (strcmp(name, "owner-id") == 0) {
        fv_add(out, e->hdr.scope->account);
    } else if (strcmp(name, "attachment.status") == 0) {
        if (e->attached)
            fv_add(out, "attached");
    } else if (strcmp(name, "attachment.device-index") == 0) {
        if (e->attached)
            fv_addf(out, "%d", e->att.device_index);
    } else if (strcmp(name, "attachment.delete-on-termination") == 0) {
        if (e->attached)
            fv_bool(out, e->att.delete_on_termination);
    } else if (strcmp(name, "mac-address") == 0) {
        fv_addf(out, "%02x:%02x:%02x:%02x:%02x:%02x", e->mac[0], e->mac[1], e->mac[2], e->mac[3],
                e->mac[4], e->mac[5]);
    } else if (strcmp(name, "association.public-ip") == 0 ||
               strcmp(name, "association.allocation-id") == 0 ||
               strcmp(name, "association.association-id") == 0) {
        const struct eip *ip = eip_for_eni(e->hdr.scope, e->hdr.id, 0);
        if (ip && strcmp(name, "association.public-ip") == 0) {
            ip4_format(ip->public_ip, text);
            fv_add(out, text);
        } else if (ip && strcmp(name, "association.allocation-id") == 0) {
            fv_add(out, ip->hdr.id);
        } else if (ip) {
            fv_add(out, ip->assoc_id);
        }
    } else {
        return -ENOENT;
    }
    return 0;
}

const struct res_class eni_class = {
    .name = "network interface",
    .id_prefix = "eni",
    .size = sizeof(struct eni),
    .not_found_code = "InvalidNetworkInterfaceID.NotFound",
    .malformed_code = "InvalidNetworkInterfaceID.Malformed",
    .tag_resource_type = "network-interface",
    .destroy = eni_destroy,
    .encode = eni_encode,
    .decode = eni_decode,
    .filter = eni_filter,
};
