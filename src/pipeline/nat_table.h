/* A NAT gateway's translations (reference 8.3), as the data plane keeps them: one binding per
 * inside flow, from (inside address, inside port) to a port of the gateway's address for one
 * destination (address, port, protocol). Ports come from 1024-65535 and each destination takes
 * at most NAT_PORTS_PER_DEST of them at once; the 55,001st flow to one destination fails
 * (ErrorPortAllocation). A binding idle for the idle timeout (350 s) is gone: a later TCP
 * packet of that flow from the inside is answered with a RST by the caller, as AWS does.
 *
 * ICMP echo flows are translated on the echo identifier (the "port" of ICMP); the destination's
 * port is 0 for them.
 *
 * Gateways are named by a 64-bit key that stays the same for the gateway's whole life (snapshot
 * indices shift). The table belongs to one worker: no locks, nothing allocated after
 * nat_table_new(), every operation bounded. */
#ifndef VPCD_PIPELINE_NAT_TABLE_H
#define VPCD_PIPELINE_NAT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NAT_PORT_FIRST 1024u
#define NAT_PORT_LAST 65535u
#define NAT_PORTS_PER_DEST 55000u
#define NAT_IDLE_TIMEOUT_S 350u

enum nat_verdict {
    NAT_OK,
    NAT_NO_PORT, /* the destination has NAT_PORTS_PER_DEST bindings (ErrorPortAllocation) */
    NAT_EXPIRED, /* TCP without SYN and no live binding: the gateway answers with a RST */
    NAT_FULL,    /* the table holds `capacity` bindings */
};

/* The inside side of a flow through a gateway: addresses host order. */
struct nat_flow {
    uint8_t proto;
    uint32_t inside_ip;
    uint16_t inside_port; /* TCP/UDP source port, or the ICMP echo identifier */
    uint32_t remote_ip;
    uint16_t remote_port; /* 0 for ICMP */
};

struct nat_table;

/* Up to `capacity` bindings (1 .. 2^31). NULL with errno EINVAL or ENOMEM. Caller owns it. */
struct nat_table *nat_table_new(size_t capacity);
void nat_table_free(struct nat_table *t); /* NULL is fine */

/* The idle timeout, in seconds (NAT_IDLE_TIMEOUT_S unless a test shortens it). */
void nat_table_set_idle_timeout(struct nat_table *t, uint32_t seconds);

/* A packet of f leaves through gateway `gw`: its binding's port into *port (refreshed), or a
 * new binding when f has none and may start one (anything but TCP without SYN). */
enum nat_verdict nat_table_out(struct nat_table *t, uint64_t gw, const struct nat_flow *f,
                               uint8_t tcp_flags, uint64_t now_ns, uint16_t *port);

/* A packet from remote (address, port) of protocol proto to the gateway's port `port`: the
 * inside side of the binding into *out (refreshed). False when no live binding matches. */
bool nat_table_in(struct nat_table *t, uint64_t gw, uint8_t proto, uint32_t remote_ip,
                  uint16_t remote_port, uint16_t port, uint64_t now_ns, struct nat_flow *out);

/* Removes bindings idle past the timeout, examining at most `budget` of them from where the
 * last call stopped (a worker calls it with a small budget every pass). */
void nat_table_expire(struct nat_table *t, uint64_t now_ns, size_t budget);

/* Removes every binding of gateway gw (a deleted gateway). Walks the whole table. */
void nat_table_flush_gateway(struct nat_table *t, uint64_t gw);

size_t nat_table_count(const struct nat_table *t);

#endif
