/* The header fields forwarding decisions look at: one packet's 5-tuple (ICMP type and code in
 * place of ports). Addresses are network-order bytes; IPv4 uses the first 4. */
#ifndef VPCD_LIB_FLOW_H
#define VPCD_LIB_FLOW_H

#include <stdint.h>

#define FLOW_PROTO_ICMP 1
#define FLOW_PROTO_TCP 6
#define FLOW_PROTO_UDP 17
#define FLOW_PROTO_ICMPV6 58

struct flow {
    uint8_t family; /* 4 or 6 */
    uint8_t proto;
    uint16_t sport; /* TCP/UDP source port; ICMP type */
    uint16_t dport; /* TCP/UDP destination port; ICMP code */
    uint8_t src[16];
    uint8_t dst[16];
};

#endif
