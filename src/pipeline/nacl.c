#include <string.h>

#include "pipeline/pipeline.h"

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

struct nacl_verdict pipeline_nacl_decide(const struct fib_acl *a, bool egress,
                                         const struct flow *f)
{
    int dir = egress ? 1 : 0;
    for (size_t i = 0; i < a->n_rules[dir]; i++) {
        const struct fib_acl_rule *r = &a->rules[dir][i];
        if (rule_matches(r, egress, f))
            return (struct nacl_verdict){.allow = r->allow, .rule_number = r->rule_number};
    }
    /* The compiled list always ends with the "*" denies; this only covers a family it lacks. */
    return (struct nacl_verdict){.allow = false, .rule_number = f->family == 6 ? 32768 : 32767};
}
