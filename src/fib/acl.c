#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fib/fib.h"
#include "lib/xalloc.h"

int fib_acl_compile(const struct model *m, const struct network_acl *a, struct fib_acl *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->id, sizeof out->id, "%s", a->hdr.id);
    struct nacl_entry *listed;
    /* The listing already has AWS's order, implicit denies included: evaluate it as shown. */
    size_t n = nacl_entries_listed(m, a, &listed);
    for (int dir = 0; dir < 2; dir++)
        out->rules[dir] = xcalloc(n ? n : 1, sizeof *out->rules[dir]);
    for (size_t i = 0; i < n; i++) {
        const struct nacl_entry *e = &listed[i];
        int dir = e->egress ? 1 : 0;
        struct fib_acl_rule *r = &out->rules[dir][out->n_rules[dir]++];
        r->rule_number = e->rule_number;
        r->allow = e->allow;
        r->protocol = e->protocol;
        r->family = e->ipv6 ? 6 : 4;
        if (e->ipv6) {
            memcpy(r->net, e->cidr6.addr, 16);
            r->len = e->cidr6.len;
        } else {
            uint32_t be = htonl(e->cidr4.addr);
            memcpy(r->net, &be, 4);
            r->len = e->cidr4.len;
        }
        r->has_ports = e->has_ports;
        r->port_from = (uint16_t)e->port_from;
        r->port_to = (uint16_t)e->port_to;
        r->has_icmp = e->has_icmp;
        r->icmp_type = e->icmp_type;
        r->icmp_code = e->icmp_code;
    }
    free(listed);
    return 0;
}

void fib_acl_destroy(struct fib_acl *a)
{
    if (!a)
        return;
    free(a->rules[0]);
    free(a->rules[1]);
    memset(a, 0, sizeof *a);
}

static bool prefix_has(const uint8_t *net, uint8_t len, const uint8_t *addr)
{
    unsigned full = len / 8, rest = len % 8;
    if (memcmp(net, addr, full) != 0)
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xff00u >> rest);
    return (net[full] & mask) == (addr[full] & mask);
}

static bool rule_matches(const struct fib_acl_rule *r, bool egress, const struct flow *f)
{
    if (r->family != f->family)
        return false;
    if (!prefix_has(r->net, r->len, egress ? f->dst : f->src))
        return false;
    if (r->protocol != -1 && r->protocol != f->proto)
        return false;
    if (r->protocol == FLOW_PROTO_TCP || r->protocol == FLOW_PROTO_UDP) {
        if (r->has_ports && (f->dport < r->port_from || f->dport > r->port_to))
            return false;
    } else if (r->protocol == FLOW_PROTO_ICMP || r->protocol == FLOW_PROTO_ICMPV6) {
        if (r->has_icmp && r->icmp_type != -1 && r->icmp_type != f->sport)
            return false;
        if (r->has_icmp && r->icmp_code != -1 && r->icmp_code != f->dport)
            return false;
    }
    return true;
}

struct fib_acl_verdict fib_acl_decide(const struct fib_acl *a, bool egress, const struct flow *f)
{
    int dir = egress ? 1 : 0;
    for (size_t i = 0; i < a->n_rules[dir]; i++) {
        const struct fib_acl_rule *r = &a->rules[dir][i];
        if (rule_matches(r, egress, f))
            return (struct fib_acl_verdict){.allow = r->allow, .rule_number = r->rule_number};
    }
    /* The listing always ends with the "*" denies; this only covers a family it lacks. */
    return (struct fib_acl_verdict){.allow = false, .rule_number = f->family == 6 ? 32768 : 32767};
}
