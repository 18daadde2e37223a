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
