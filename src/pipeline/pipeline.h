/* The forwarding decisions. Every verdict about a packet is made here, from the compiled
 * snapshot of src/fib/, so the analyzer and the data plane (which both call these functions)
 * cannot disagree.
 *
 * pipeline_run() carries one packet from where it enters the network (an ENI sending it, or the
 * internet arriving at an internet gateway) through the hops of AWS's packet path (reference
 * section 7): source/destination check, SG egress, same-subnet delivery, NACL out, route lookup
 * and the target (local, peering, transit gateway, internet gateway, NAT gateway, ENI,
 * egress-only IGW), then NACL in and SG in at the receiving ENI. It ends when the packet is
 * delivered to an ENI, leaves for the internet, or is dropped with an AWS explanation code.
 * A packet delivered to an appliance's ENI ends there: the appliance itself sends it on (a
 * real program in the data plane; the analyzer re-injects it from that ENI).
 *
 * State the pipeline does not own (connection tracking, NAT bindings) is reached through
 * struct pipeline_hooks, so the data plane plugs in its tables and the analyzer its own
 * one-flow view. With trace NULL nothing is recorded and nothing is copied. */
#ifndef VPCD_PIPELINE_PIPELINE_H
#define VPCD_PIPELINE_PIPELINE_H

#include <stdbool.h>

#include "fib/fib.h"
#include "fib/snapshot.h"
#include "lib/flow.h"

struct nacl_verdict {
    bool allow;
    int rule_number; /* the rule that decided: 32767 / 32768 for the implicit denies */
};

/* A packet crossing a subnet's edge through NACL a: rules in ascending number, first match
 * decides. Ingress judges the packet's source, egress its destination; TCP/UDP port ranges
 * apply to the destination port, ICMP type and code to the flow's type and code. */
struct nacl_verdict pipeline_nacl_decide(const struct fib_acl *a, bool egress,
                                         const struct flow *f);

/* Why a packet was dropped: the AWS Reachability Analyzer explanation codes (reference 14.1),
 * plus a few for conditions the analyzer never meets but the data plane does. */
#define PIPELINE_CODES(X)                                                                          \
    X(NONE, "")                                                                                    \
    X(ENI_SOURCE_DEST_CHECK_RESTRICTION, "ENI_SOURCE_DEST_CHECK_RESTRICTION")                      \
    X(ENI_SG_RULES_MISMATCH, "ENI_SG_RULES_MISMATCH")                                              \
    X(SUBNET_ACL_RESTRICTION, "SUBNET_ACL_RESTRICTION")                                            \
    X(NO_ROUTE_TO_DESTINATION, "NO_ROUTE_TO_DESTINATION")                                          \
    X(BAD_STATE_ROUTE, "BAD_STATE_ROUTE")                                                          \
    X(BAD_STATE, "BAD_STATE")                                                                      \
    X(CANNOT_ROUTE, "CANNOT_ROUTE")                                                                \
    X(NO_POSSIBLE_DESTINATION, "NO_POSSIBLE_DESTINATION")                                          \
    X(PCX_REQUIRES_ADDRESS_IN_VPC_CIDR, "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR")                        \
    X(TGW_ROUTE_AZ_RESTRICTION, "TGW_ROUTE_AZ_RESTRICTION")                                        \
    X(TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION, "TGW_ATTACH_MISSING_TGW_RTB_ASSOCIATION")            \
    X(TGW_RTB_CANNOT_ROUTE, "TGW_RTB_CANNOT_ROUTE")                                                \
    X(TGW_RTB_BAD_STATE_ROUTE, "TGW_RTB_BAD_STATE_ROUTE")                                          \
    X(BAD_STATE_ATTACHMENT, "BAD_STATE_ATTACHMENT")                                                \
    X(IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS")                \
    X(IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS,                                               \
      "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS")                                             \
    X(IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS,                                               \
      "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS")                                             \
    X(IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS")            \
    X(IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS, "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS")      \
    X(IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS, "IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS")      \
    X(NGW_REQUIRES_SOURCE_IN_VPC, "NGW_REQUIRES_SOURCE_IN_VPC")                                    \
    X(NGW_PORT_ALLOCATION, "NGW_PORT_ALLOCATION")                                                  \
    X(PROTOCOL_RESTRICTION, "PROTOCOL_RESTRICTION")                                                \
    X(EIGW_INBOUND_NOT_TRACKED, "EIGW_INBOUND_NOT_TRACKED")                                        \
    X(TTL_EXPIRED, "TTL_EXPIRED")                                                                  \
    X(NGW_IDLE_TIMEOUT, "NGW_IDLE_TIMEOUT")

#define PIPELINE_CODE_ENUM(name_, text_) PL_##name_,
enum pl_code { PIPELINE_CODES(PIPELINE_CODE_ENUM) PL__CODE_COUNT };
#undef PIPELINE_CODE_ENUM

/* The code's AWS spelling ("" for PL_NONE). */
const char *pipeline_code_name(enum pl_code c);

/* One component a packet passed (or was stopped at), in AWS vocabulary. Ids are copies. */
enum pl_hop_kind {
    PL_HOP_ENI,        /* id: eni-...; instance_id set for an instance's interface */
    PL_HOP_SG,         /* security groups of an ENI judged the packet: id eni-..., sg/rule */
    PL_HOP_ACL,        /* id: acl-...; rule_number, rule_allow, egress */
    PL_HOP_RTB,        /* id: rtb-...; route_dst, route_target */
    PL_HOP_PCX,        /* id: pcx-... */
    PL_HOP_TGW_ATTACH, /* id: tgw-attach-... */
    PL_HOP_TGW,        /* id: tgw-... */
    PL_HOP_TGW_RTB,    /* id: tgw-rtb-...; route_dst, route_target (attachment or blackhole) */
    PL_HOP_IGW,        /* id: igw-... */
    PL_HOP_EIGW,       /* id: eigw-... */
    PL_HOP_NAT,        /* id: nat-...; header out is the translated one */
    PL_HOP_INTERNET,   /* the packet left for (or came from) the internet */
};

struct pl_hop {
    enum pl_hop_kind kind;
    char id[ID_MAX];
    char vpc_id[ID_MAX];
    char subnet_id[ID_MAX];
    char instance_id[ID_MAX];
    bool egress;        /* SG and ACL hops: the direction judged */
    bool allow;         /* the component let the packet through */
    int rule_number;    /* ACL hops */
    char sg_id[ID_MAX]; /* SG hops: the group whose rule matched (empty: none matched,
                         * or a tracked reply) */
    char sg_rule_id[ID_MAX];
    bool tracked;                   /* SG hops: admitted as the reply of a tracked flow */
    char route_dst[PREFIX6_STRLEN]; /* RTB / TGW_RTB hops */
    char route_target[128];
    char route_type[16]; /* TGW_RTB: static | propagated; RTB: the route's origin class */
    struct flow in, out; /* headers entering and leaving the component */
};

#define PL_MAX_HOPS 64

struct pl_trace {
    struct pl_hop hops[PL_MAX_HOPS];
    size_t n_hops;
};

/* Where a packet enters. */
enum pl_origin {
    PL_FROM_ENI,      /* sent by ENI `eni` (an instance or an appliance forwarding it) */
    PL_FROM_INTERNET, /* arrives from the internet at internet gateway `igw` (or EIGW) */
};

struct pl_packet {
    struct flow f;
    enum pl_origin origin;
    uint32_t eni; /* PL_FROM_ENI */
    uint32_t igw; /* PL_FROM_INTERNET: fib igws[] index, FIB_NONE: any gateway that owns the
                   * destination address (the internet does not choose a gateway) */
    uint8_t ttl;  /* 0: 64 */
};

enum pl_outcome {
    PL_DELIVERED,   /* to ENI result.eni */
    PL_TO_INTERNET, /* left through gateway result.gateway (igws[] or eigws[]) */
    PL_DROPPED,
};

/* One crossing of a transit gateway, for its flow logs: in by attachment `in` (through TGW ENI
 * in_eni), out by attachment `out` (TGW ENI out_eni); out is FIB_NONE when the TGW dropped the
 * packet, ENIs FIB_NONE over a peering attachment. */
struct pl_tgw_leg {
    uint32_t in, out;
    uint32_t in_eni, out_eni;
    struct flow f; /* the header as the TGW saw it */
};

#define PL_MAX_TGW_LEGS 2 /* a TGW peering: through two transit gateways */

struct pl_result {
    enum pl_outcome outcome;
    uint32_t eni;     /* PL_DELIVERED */
    uint32_t gateway; /* PL_TO_INTERNET: the IGW (or EIGW when via_eigw) */
    bool via_eigw;
    bool via_pcx;         /* crossed a VPC peering (flow logs' traffic-path) */
    struct flow f;        /* the header as it arrives (after any NAT) */
    unsigned routed_hops; /* router hops passed: the data plane decrements TTL by this */
    /* The path's MTU (reference 17): 9001 within a region, 1500 over an inter-region peering
     * or an internet gateway, 8500 through a transit gateway. mtu_silent: the smallest link
     * is a TGW's, which drops larger packets without an ICMP error. */
    uint16_t mtu;
    bool mtu_silent;
    /* Nonzero: the largest TCP MSS a SYN may announce on this path (a transit gateway clamps
     * the MSS option to fit its 8500-byte MTU, reference 10.8), which the data plane writes. */
    uint16_t tcp_mss_max;
    enum pl_code code; /* PL_DROPPED: why */
    /* PL_DROPPED by a security group or NACL: the interface whose traffic was refused (the
     * sender's on the way out, the receiver's on the way in; FIB_NONE if none holds the
     * address), and the direction. */
    uint32_t reject_eni;
    bool reject_egress;
    struct pl_tgw_leg tgw_legs[PL_MAX_TGW_LEGS];
    uint8_t n_tgw_legs;
    struct pl_hop where; /* PL_DROPPED: the component that dropped it (kind/id/details) */
};

/* State owned outside the pipeline. Every hook may be NULL (meaning: nothing tracked, no NAT
 * bindings, port 1024 + original port remapping). Hooks are called with indices into the
 * snapshot the pipeline runs on. */
struct pipeline_hooks {
    void *ctx;
    /* True if f is admitted at ENI eni in direction `egress` as part of a tracked flow (the
     * reply of a flow SG rules allowed earlier), so SG rules are not evaluated. */
    bool (*sg_tracked)(void *ctx, uint32_t eni, bool egress, const struct flow *f);
    /* A packet leaves through NAT gateway nat: its binding's translated header (source address
     * nat_ip, a source port in 1024-65535) into *out, made now for a new flow. Returns 0, or
     * the enum pl_code that drops the packet: PL_NGW_PORT_ALLOCATION when no port is free,
     * PL_NGW_IDLE_TIMEOUT for a TCP segment of a binding that timed out (the gateway answers
     * it with a RST), PL_PROTOCOL_RESTRICTION for what the gateway cannot translate. */
    int (*nat_out)(void *ctx, uint32_t nat, const struct flow *f, const uint8_t nat_ip[4],
                   struct flow *out);
    /* A packet addressed to NAT gateway nat: the original-side header for a reply of a
     * binding into *out. Returns 0, or -1 when no binding matches. */
    int (*nat_in)(void *ctx, uint32_t nat, const struct flow *f, struct flow *out);
    /* True if f (from the internet, IPv6) is the reply of a flow that left through EIGW eigw. */
    bool (*eigw_tracked)(void *ctx, uint32_t eigw, const struct flow *f);
};

/* Runs one packet through the network. Never allocates; trace may be NULL. */
void pipeline_run(const struct fib_snapshot *s, const struct pl_packet *p,
                  const struct pipeline_hooks *hooks, struct pl_trace *trace,
                  struct pl_result *out);

/* The security-group decision at one ENI, exposed for the data plane's conntrack (which
 * creates an entry when the answer is yes): true if some rule of the ENI's groups admits f in
 * direction `egress`; *sg and *rule (may be NULL) get the matching group and rule indices.
 * A rule naming a group matches the private addresses of ENIs in that group (in the same VPC,
 * or a peered VPC of the same region), and only when refs_ok: traffic that crossed a
 * middlebox or a transit gateway no longer carries its group references. */
bool pipeline_sg_allows(const struct fib_snapshot *s, uint32_t eni, bool egress,
                        const struct flow *f, bool refs_ok, uint32_t *sg, size_t *rule);

/* A symmetric hash of the flow (the same for a packet and its reply), as the TGW's appliance
 * mode uses to pick an interface. */
uint32_t pipeline_flow_hash(const struct flow *f);

#endif
