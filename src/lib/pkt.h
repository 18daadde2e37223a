/* Ethernet frames as a TAP device (IFF_TAP | IFF_NO_PI) delivers them: parsing into the fields
 * the data plane decides on, building the frames vpcd answers with itself (ARP, neighbour
 * advertisements, pings to the subnet router, ICMP errors), and in-place rewrites with
 * incremental checksum updates (RFC 1624) for NAT, TTL and MAC changes.
 *
 * OS-free: no allocation, no global state, no syscalls, so every function may run per packet.
 * Frames are borrowed for the duration of a call; a struct pkt_meta describes the frame it was
 * parsed from and holds offsets into it, not pointers, so it stays valid when the frame is
 * copied. Builders write into a caller-owned buffer and return the frame length or a negative
 * errno (-ENOSPC when the buffer is too small, -EINVAL when the packet is not of the kind the
 * builder answers, -EPERM when the RFCs forbid an answer, -EBADMSG when the packet fails the
 * validation the answer requires, such as a bad ICMP checksum).
 *
 * Multi-byte values in struct pkt_meta are host order, except addresses, which are
 * network-order bytes as in struct flow. */
#ifndef VPCD_LIB_PKT_H
#define VPCD_LIB_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/flow.h"

#define PKT_ETH_HLEN 14
#define PKT_ETHERTYPE_IPV4 0x0800
#define PKT_ETHERTYPE_ARP 0x0806
#define PKT_ETHERTYPE_IPV6 0x86dd
#define PKT_ETHERTYPE_VLAN 0x8100
/* Larger frames are refused, so every offset and length in struct pkt_meta fits in 16 bits.
 * A TAP without IFF_VNET_HDR never delivers more than the MTU (9001) plus the Ethernet header. */
#define PKT_FRAME_MAX 65535
/* IPv6 extension headers followed before giving up (RFC 8200 recommends a small bound). */
#define PKT_MAX_EXT_HDRS 8
/* ICMPv6 errors must fit the minimum IPv6 MTU (RFC 4443 2.4(c)). */
#define PKT_IPV6_MIN_MTU 1280

#define PKT_ARP_REQUEST 1
#define PKT_ARP_REPLY 2

#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_PSH 0x08
#define PKT_TCP_ACK 0x10
#define PKT_TCP_URG 0x20
#define PKT_TCP_ECE 0x40
#define PKT_TCP_CWR 0x80

#define PKT_ICMP_ECHO_REPLY 0
#define PKT_ICMP_UNREACH 3
#define PKT_ICMP_ECHO_REQUEST 8
#define PKT_ICMP_TIME_EXCEEDED 11
#define PKT_ICMP_PARAM_PROBLEM 12
#define PKT_ICMP_UNREACH_HOST 1
#define PKT_ICMP_UNREACH_FRAG_NEEDED 4
#define PKT_ICMP_UNREACH_ADMIN 13

#define PKT_ICMP6_UNREACH 1
#define PKT_ICMP6_PACKET_TOO_BIG 2
#define PKT_ICMP6_TIME_EXCEEDED 3
#define PKT_ICMP6_PARAM_PROBLEM 4
#define PKT_ICMP6_ECHO_REQUEST 128
#define PKT_ICMP6_ECHO_REPLY 129
#define PKT_ICMP6_NS 135
#define PKT_ICMP6_NA 136

enum pkt_kind {
    PKT_OTHER, /* an ethertype vpcd does not handle, or an 802.3 length field */
    PKT_ARP,
    PKT_IPV4,
    PKT_IPV6,
};

/* Why a frame was refused: the data plane counts drops per reason, so each names one defect. */
#define PKT_ERRORS(X)                                                                              \
    X(NONE, "none")                                                                                \
    X(TOO_LONG, "frame_too_long")          /* more than PKT_FRAME_MAX bytes */                     \
    X(SHORT_ETH, "truncated_ethernet")     /* fewer than 14 bytes */                               \
    X(VLAN, "vlan_tagged")                 /* 802.1Q/802.1ad tag: VPCs have no VLANs */            \
    X(BAD_SRC_MAC, "multicast_source_mac") /* group bit set in the source address */               \
    X(SHORT_ARP, "truncated_arp")                                                                  \
    X(BAD_ARP, "bad_arp")                   /* not Ethernet/IPv4 (htype 1, ptype 0x800) */         \
    X(SHORT_IP, "truncated_ip_header")      /* the fixed or IPv4 option header is cut */           \
    X(BAD_VERSION, "bad_ip_version")        /* version does not match the ethertype */             \
    X(BAD_HDR_LEN, "bad_ip_header_length")  /* IPv4 IHL below 5 */                                 \
    X(BAD_TOTAL_LEN, "bad_ip_total_length") /* IPv4 total length below the header */               \
    X(TRUNCATED, "truncated_ip_packet")     /* IP length runs past the frame */                    \
    X(BAD_FRAG, "bad_fragment")             /* fragment ends past 65535 */                         \
    X(BAD_EXT, "bad_ipv6_extension_header") /* misplaced, overlong chain or past payload */        \
    X(SHORT_L4, "truncated_transport_header")                                                      \
    X(BAD_TCP_OFF, "bad_tcp_data_offset") /* data offset below 5 */                                \
    X(BAD_UDP_LEN, "bad_udp_length")      /* UDP length below 8 or past the IP payload */

#define PKT_ERROR_ENUM(name_, text_) PKT_ERR_##name_,
enum pkt_error { PKT_ERRORS(PKT_ERROR_ENUM) PKT__ERR_COUNT };
#undef PKT_ERROR_ENUM

/* Snake-case name of a reason, for counters and metrics ("?" when out of range). */
const char *pkt_error_name(enum pkt_error e);

/* struct pkt_meta flags. */
#define PKT_F_BCAST 0x0001      /* destination MAC ff:ff:ff:ff:ff:ff (PKT_F_MCAST is set too) */
#define PKT_F_MCAST 0x0002      /* destination MAC has the group bit: multicast or broadcast */
#define PKT_F_DF 0x0004         /* IPv4 don't fragment */
#define PKT_F_MF 0x0008         /* more fragments (IPv4 flag or IPv6 fragment header M) */
#define PKT_F_FRAG 0x0010       /* a fragment: MF or an offset (IPv6: any fragment header) */
#define PKT_F_LATER_FRAG 0x0020 /* offset above 0: no transport header, ports stay 0 */
#define PKT_F_IP_OPTS 0x0040    /* IPv4 options present (ip_hlen > 20) */
#define PKT_F_EXT_HDRS 0x0080   /* IPv6 extension headers skipped before l4_off */
#define PKT_F_L4 0x0100         /* TCP/UDP/ICMP/ICMPv6 header complete at l4_off: ports valid */
#define PKT_F_ICMP_ECHO 0x0200  /* ICMP(v6) echo request or reply: icmp_id valid */
#define PKT_F_ICMP_ERR 0x0400   /* ICMP 3/11/12 or ICMPv6 1-4 */
#define PKT_F_INNER 0x0800      /* ICMP error whose quoted header parsed: inner valid */
/* Set by the caller, not by pkt_parse: the L4 checksum field holds only the pseudo-header sum
 * (a TAP's unfinished checksum, completed by whoever receives the frame), so rewrites update
 * it for address changes only. */
#define PKT_F_CSUM_PARTIAL 0x1000

struct pkt_arp {
    uint16_t op;
    uint8_t sha[6]; /* sender hardware and protocol address */
    uint8_t spa[4];
    uint8_t tha[6]; /* target */
    uint8_t tpa[4];
};

/* One parsed frame. Fields a kind does not have are zero (pkt_parse clears the whole struct,
 * so two metas of the same frame compare equal with memcmp). */
struct pkt_meta {
    struct flow flow; /* IPv4/IPv6: the 5-tuple; ports 0 without PKT_F_L4 */
    union {
        /* PKT_F_INNER: the quoted original packet's 5-tuple exactly as quoted (its source is
         * the host the error is sent to), so conntrack matches it against the flow it answers */
        struct flow inner;
        struct pkt_arp arp; /* PKT_ARP */
    };
    uint8_t dst_mac[6];
    uint8_t src_mac[6];
    uint16_t ethertype;
    uint16_t flags;    /* PKT_F_* */
    uint16_t l3_off;   /* start of the ARP or IP header (14) */
    uint16_t l4_off;   /* IP: after the IPv4 options or IPv6 extension headers */
    uint16_t l3_len;   /* IP: bytes of the packet (the frame may carry Ethernet padding after) */
    uint16_t l4_len;   /* IP: bytes from l4_off to the end of the packet */
    uint16_t frag_off; /* fragment offset in bytes */
    uint16_t icmp_id;  /* PKT_F_ICMP_ECHO: echo identifier */
    uint16_t inner_icmp_id; /* PKT_F_INNER with an ICMP echo quoted */
    uint8_t kind;           /* enum pkt_kind */
    uint8_t error;          /* enum pkt_error: why pkt_parse refused the frame */
    uint8_t ttl;            /* TTL or hop limit */
    uint8_t ip_hlen;        /* IPv4 header bytes with options (20-60); IPv6: 40 */
    uint8_t tcp_flags;      /* PKT_TCP_* */
};
_Static_assert(sizeof(struct pkt_meta) <= 128, "pkt_meta is per packet in every vector slot");

/* Parses frame[0..len). Returns 0, or a negative errno with m->error set: -EPROTONOSUPPORT for
 * a VLAN tag, -EMSGSIZE above PKT_FRAME_MAX, -EBADMSG for every other defect. Never reads
 * outside frame[0..len). Checksums are not verified here (the kernel filled them; callers that
 * need them use pkt_ipv4_csum_ok / pkt_l4_csum_ok). Non-IP, non-ARP ethertypes parse as
 * PKT_OTHER, not as errors. */
int pkt_parse(const uint8_t *frame, size_t len, struct pkt_meta *m);

/* NS/NA target address (16 bytes inside frame), or NULL if m is not a complete NS or NA. */
const uint8_t *pkt_nd_target(const uint8_t *frame, const struct pkt_meta *m);

/* ---- checksums ---------------------------------------------------------------------------
 * A partial sum is the one's complement sum of the data as big-endian 16-bit words, folded to
 * 16 bits (0..0xffff). Chunks may be summed separately only if every chunk but the last has an
 * even length. */
uint32_t pkt_csum_add(uint32_t sum, const void *data, size_t len);
/* The checksum to store for a partial sum: its complement. */
uint16_t pkt_csum_finish(uint32_t sum);
/* Internet checksum of one buffer (RFC 1071). */
uint16_t pkt_csum(const void *data, size_t len);
/* Pseudo-header partial sums (RFC 793/768 for IPv4, RFC 8200 8.1 for IPv6). */
uint32_t pkt_pseudo4(const uint8_t src[4], const uint8_t dst[4], uint8_t proto, uint16_t len);
uint32_t pkt_pseudo6(const uint8_t src[16], const uint8_t dst[16], uint8_t proto, uint32_t len);
/* RFC 1624 eqn. 3: checksum csum after the even-length field old_data becomes new_data. */
uint16_t pkt_csum_update(uint16_t csum, const void *old_data, const void *new_data, size_t len);
/* True if the IPv4 header checksum verifies. */
bool pkt_ipv4_csum_ok(const uint8_t *frame, const struct pkt_meta *m);
/* True if the TCP, UDP, ICMP or ICMPv6 checksum of an unfragmented packet verifies (an IPv4
 * UDP checksum of 0 means none and verifies). False for fragments and other protocols. */
bool pkt_l4_csum_ok(const uint8_t *frame, const struct pkt_meta *m);

/* ---- builders ----------------------------------------------------------------------------
 * Each answers the parsed packet (frame, m) with a frame from MAC `mac` to the packet's
 * Ethernet source. */

/* ARP reply to a request: `mac` claims the request's target address. -EPERM for a
 * gratuitous ARP (sender address == target address), which announces rather than asks. */
int pkt_build_arp_reply(uint8_t *out, size_t cap, const struct pkt_meta *m, const uint8_t mac[6]);

/* ICMPv4 echo reply from the request's destination (the subnet router answering ping): same
 * identifier, sequence and data, TTL 64. The request must be unfragmented with a valid ICMP
 * checksum and a unicast destination. IP options are not echoed. */
int pkt_build_icmp4_echo_reply(uint8_t *out, size_t cap, const uint8_t *frame,
                               const struct pkt_meta *m, const uint8_t mac[6]);

/* ICMPv4 error (type 3 destination unreachable or 11 time exceeded) from src_ip, quoting the
 * offending packet's IP header and first 8 data bytes (RFC 792). next_hop_mtu goes in for
 * type 3 code 4 (RFC 1191) and is ignored otherwise. -EPERM where RFC 1122 3.2.2 / RFC 1812
 * 4.3.2.7 forbid an error: about an ICMP error, a non-first fragment, a link-layer or IP
 * broadcast/multicast, or a source that is not a unicast host. */
int pkt_build_icmp4_error(uint8_t *out, size_t cap, const uint8_t *frame, const struct pkt_meta *m,
                          const uint8_t mac[6], const uint8_t src_ip[4], uint8_t type, uint8_t code,
                          uint16_t next_hop_mtu);
/* Type 3 code 4, "fragmentation needed and DF set". */
int pkt_build_icmp4_frag_needed(uint8_t *out, size_t cap, const uint8_t *frame,
                                const struct pkt_meta *m, const uint8_t mac[6],
                                const uint8_t src_ip[4], uint16_t next_hop_mtu);

/* ICMPv6 error (types 1-4) from src_ip, quoting as much of the offending packet as keeps the
 * error within PKT_IPV6_MIN_MTU (RFC 4443 2.4(c)). param is the MTU for type 2, the pointer
 * for type 4, unused (0) otherwise. -EPERM where RFC 4443 2.4(e) forbids it: about an ICMPv6
 * error or redirect, to a multicast destination (except packet too big and parameter problem
 * code 2), or from an unspecified or multicast source. */
int pkt_build_icmp6_error(uint8_t *out, size_t cap, const uint8_t *frame, const struct pkt_meta *m,
                          const uint8_t mac[6], const uint8_t src_ip[16], uint8_t type,
                          uint8_t code, uint32_t param);
/* Type 2, packet too big. */
int pkt_build_icmp6_ptb(uint8_t *out, size_t cap, const uint8_t *frame, const struct pkt_meta *m,
                        const uint8_t mac[6], const uint8_t src_ip[16], uint32_t mtu);

/* ICMPv6 echo reply from the request's destination: same identifier, sequence and data, hop
 * limit 64, no extension headers. Same conditions as the IPv4 one. */
int pkt_build_icmp6_echo_reply(uint8_t *out, size_t cap, const uint8_t *frame,
                               const struct pkt_meta *m, const uint8_t mac[6]);

/* Neighbour advertisement answering a solicitation that passes RFC 4861 7.1.1 (hop limit
 * 255, code 0, valid checksum, non-multicast target, options well formed, no source link-layer
 * option from the unspecified address): from the target address, override set, solicited set
 * unless the solicitation came from :: (duplicate address detection: then to ff02::1), router
 * flag as given, target link-layer address option = mac. Answering a DAD probe declares the
 * address taken: whether to answer is the caller's decision. */
int pkt_build_icmp6_na(uint8_t *out, size_t cap, const uint8_t *frame, const struct pkt_meta *m,
                       const uint8_t mac[6], bool router);

/* TCP RST answering an IPv4 TCP segment as its destination would (RFC 793 "reset
 * generation"): from the segment's destination to its source, ports swapped; with the
 * segment's ACK set the RST carries seq = its ack number, else seq 0 with ACK = its sequence
 * number plus its length. -EPERM for a segment that is itself a RST (never answered). */
int pkt_build_tcp4_rst(uint8_t *out, size_t cap, const uint8_t *frame, const struct pkt_meta *m,
                       const uint8_t mac[6]);

/* IPv4 UDP datagram answering m (a UDP datagram): from its destination address and port to
 * its source, carrying payload[0..len), TTL 64, checksum set. */
int pkt_build_udp4_reply(uint8_t *out, size_t cap, const struct pkt_meta *m, const uint8_t mac[6],
                         const uint8_t *payload, size_t len);

/* ---- in-place rewrites ---------------------------------------------------------------------
 * frame is the buffer m was parsed from; m is updated to match, so parsing the frame again
 * yields the same meta. */
void pkt_set_eth_src(uint8_t *frame, struct pkt_meta *m, const uint8_t mac[6]);
void pkt_set_eth_dst(uint8_t *frame, struct pkt_meta *m, const uint8_t mac[6]);
/* Decrements TTL / hop limit by n (the pipeline's routed hops). -ETIMEDOUT, frame untouched,
 * if that would leave it at 0 or below (a router drops a packet arriving with TTL 1);
 * -EINVAL if not IP. */
int pkt_dec_ttl(uint8_t *frame, struct pkt_meta *m, unsigned n);
/* Rewrites the source (dst false) or destination address (4 bytes for IPv4, 16 for IPv6),
 * updating the IPv4 header checksum and the TCP/UDP/ICMPv6 pseudo-header checksum (an IPv4 UDP
 * checksum of 0 stays 0). Non-first fragments carry no transport header, so only the IP
 * checksum changes; the first fragment's update covers the datagram. -EINVAL if not IP. */
int pkt_set_addr(uint8_t *frame, struct pkt_meta *m, bool dst, const uint8_t *addr);
/* Rewrites the TCP/UDP source or destination port with its checksum. -EINVAL without a
 * TCP/UDP header (other protocols, non-first fragments). */
int pkt_set_port(uint8_t *frame, struct pkt_meta *m, bool dst, uint16_t port);
/* Rewrites the ICMP(v6) echo identifier (NAT of pings). -EINVAL unless PKT_F_ICMP_ECHO. */
int pkt_set_icmp_echo_id(uint8_t *frame, struct pkt_meta *m, uint16_t id);
/* Lowers the MSS option of a TCP segment to max if it is larger (the TCP checksum follows).
 * Returns 1 if it changed the option, 0 if there is none or it was no larger, -EINVAL for a
 * segment that is not TCP or whose options are malformed. */
int pkt_clamp_tcp_mss(uint8_t *frame, struct pkt_meta *m, uint16_t max);

#endif
