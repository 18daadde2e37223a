/* Per-ENI connection tracking for security groups (reference section 5.4).
 *
 * AWS tracks connections at each ENI: when an ENI's security groups allow a flow's first packet
 * (in either direction), later packets of that flow in both directions pass that ENI's groups
 * without rule evaluation, even after the rule is removed, until the entry idles out. NACLs are
 * stateless and never consult this table.
 *
 * One struct ct_table per data-plane worker serves every ENI: entries carry the ENI index.
 * The table is a fixed-capacity open-addressing hash (linear probing over a side array of
 * 16-bit tags, backward-shift deletion, one 64-byte entry per slot for IPv4 and IPv6 alike
 * and a 16-byte memo beside it: 102.5 bytes per flow at full capacity) allocated once by
 * ct_table_new(); nothing allocates afterwards, nothing takes a lock, logs or makes a syscall, and
 * time is a parameter (nanoseconds on any monotonic clock the caller chooses). A table is used by
 * one thread.
 *
 * What a flow is, per protocol (the key always includes the ENI, the family and the protocol):
 * - TCP, UDP: addresses and ports.
 * - ICMP/ICMPv6 echo (v4 types 8/0, v6 128/129): addresses and the echo identifier (the "port";
 *   struct flow carries type/code, so the identifier is a separate parameter). The host that
 *   sent the request is part of the key: an echo request from the other side is another flow.
 * - Other ICMP messages that are not errors: addresses only.
 * - ICMP errors (v4 types 3, 11, 12; v6 types 1-4) are never flows of their own; they are
 *   admitted when they quote a tracked flow (ct_related()).
 * - Any other protocol: addresses only (AWS tracks (IP, protocol) for those).
 * IPv4 flows use the first 4 bytes of the addresses; the other 12 are ignored.
 *
 * Idle timeouts (an entry lives while now < last packet + timeout):
 * - TCP established 432000 s: AWS's TcpEstablishedTimeout default. AWS does not document the
 *   other TCP states; we use values like Linux's nf_conntrack defaults: SYN_SENT 120 s,
 *   SYN_RECV 60 s, FIN_WAIT (one side closed, Linux's FIN_WAIT and CLOSE_WAIT) 60 s, LAST_ACK
 *   (both closed, last ACK pending) 30 s, TIME_WAIT 120 s, CLOSE (after an RST) 10 s.
 * - UDP 30 s (AWS UdpTimeout default, one-direction or single exchange), 180 s once a packet
 *   follows a reply (AWS UdpStreamTimeout default, "more than one request/response").
 * - ICMP 30 s: AWS does not document an ICMP timeout; 30 s is Linux's.
 * - Other protocols 600 s (documented by AWS).
 * AWS lets these be configured per ENI; this table uses the defaults for every ENI. */
#ifndef VPCD_PIPELINE_CONNTRACK_H
#define VPCD_PIPELINE_CONNTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/flow.h"

#define CT_NS_PER_S 1000000000ull

#define CT_TIMEOUT_TCP_SYN_SENT_S 120u
#define CT_TIMEOUT_TCP_SYN_RECV_S 60u
#define CT_TIMEOUT_TCP_ESTABLISHED_S 432000u
#define CT_TIMEOUT_TCP_FIN_WAIT_S 60u
#define CT_TIMEOUT_TCP_LAST_ACK_S 30u
#define CT_TIMEOUT_TCP_TIME_WAIT_S 120u
#define CT_TIMEOUT_TCP_CLOSE_S 10u
#define CT_TIMEOUT_UDP_S 30u
#define CT_TIMEOUT_UDP_STREAM_S 180u
#define CT_TIMEOUT_ICMP_S 30u
#define CT_TIMEOUT_OTHER_S 600u

/* TCP header flag bits as they appear on the wire (byte 13 of the TCP header). */
#define CT_TCP_FIN 0x01u
#define CT_TCP_SYN 0x02u
#define CT_TCP_RST 0x04u
#define CT_TCP_ACK 0x10u

/* How many slots a full ct_commit() examines for a timed-out entry to reclaim before it gives
 * up with -ENOSPC, so a full table costs a bounded amount of work per new flow. */
#define CT_COMMIT_RECLAIM_SLOTS 64u

enum ct_state {
    CT_TCP_SYN_SENT,    /* the originator's SYN seen */
    CT_TCP_SYN_RECV,    /* the responder's SYN (or SYN-ACK) seen */
    CT_TCP_ESTABLISHED, /* an ACK completed the handshake, or the flow was picked up mid-stream */
    CT_TCP_FIN_WAIT,    /* one side sent FIN */
    CT_TCP_LAST_ACK,    /* both sides sent FIN; the first closer's ACK of the second FIN pending */
    CT_TCP_TIME_WAIT,   /* both FINs acknowledged */
    CT_TCP_CLOSE,       /* an RST was seen */
    CT_UDP_NEW,         /* packets from the originator only */
    CT_UDP_REPLIED,     /* one reply seen */
    CT_UDP_STREAM,      /* a packet followed a reply */
    CT_ICMP,
    CT_OTHER,
    CT__STATE_COUNT
};

/* A flow's canonical key at one ENI (built by ct_probe_start; its layout is public only so a
 * probe can live on the caller's stack). Endpoint a sorts before endpoint b (address, then
 * port), so a packet and its reply build the same key. */
struct ct_key {
    uint64_t a[2]; /* big-endian words: IPv4 in a[0], a[1] = 0 */
    uint64_t b[2];
    uint32_t eni;
    uint16_t pa, pb; /* ports of a and b; echo: the identifier in pa, 0 in pb */
    uint8_t family;  /* 4 or 6 (0 in an empty slot) */
    uint8_t proto;
    uint8_t kind;
    uint8_t req_is_b; /* echo: the requester is endpoint b */
    uint32_t zero;
};

/* A lookup in parts, for the fast path (ct_inline.h). */
struct ct_probe {
    struct ct_key k;
    uint64_t hash;
    bool from_b; /* the packet's source is endpoint b */
    bool ok;     /* false: nothing to look up (an ICMP error, an unknown family) */
    /* ct_probe_scan's findings, valid until an entry is added or removed: the slots whose tag
     * matches; all of them when scan_complete. */
    uint8_t n_cand;
    bool scan_complete;
    uint32_t cand[2];
};

#define CT_NO_SLOT UINT32_MAX

/* What the data plane's fast path (pipeline/fastpath.h) remembers about an entry: opaque to
 * the table, which keeps it with the entry when entries move and clears it when the entry is
 * made or replaced. */
struct ct_memo {
    uint32_t w[4];
};

/* The state's name ("SYN_SENT", "UDP_STREAM", ...), for stats and tests. */
const char *ct_state_name(enum ct_state s);

struct ct_table;

/* A table that holds up to `capacity` entries (1 .. 3,000,000,000). Caller owns the result
 * (ct_table_free). NULL with errno EINVAL (bad capacity) or ENOMEM. */
struct ct_table *ct_table_new(size_t capacity);
void ct_table_free(struct ct_table *t); /* NULL is fine */

/* f is a packet at ENI eni (either direction). True if it belongs to a live entry there: the
 * entry's state advances on tcp_flags (TCP only; CT_TCP_* bits) and its idle deadline restarts
 * from now_ns. *is_reply (may be NULL) tells whether f goes against the direction of the packet
 * that created the entry. icmp_id is the echo identifier of an ICMP/ICMPv6 echo request or
 * reply and is ignored for every other packet. False for ICMP errors (see ct_related()), for
 * unknown flows, for timed-out entries, and for a SYN (without ACK) on a closed TCP connection
 * (TIME_WAIT or CLOSE), from either side: that is a new connection, which the SG rules must
 * judge. */
bool ct_lookup(struct ct_table *t, uint32_t eni, const struct flow *f, uint8_t tcp_flags,
               uint16_t icmp_id, uint64_t now_ns, bool *is_reply);

/* Starts loading the slots ct_lookup(t, eni, f, ..., icmp_id, ...) will read, without
 * changing anything. A worker calls it for every packet of a vector before looking any of
 * them up, so the lookups' cache misses overlap instead of following one another. */
void ct_prefetch(const struct ct_table *t, uint32_t eni, const struct flow *f, uint16_t icmp_id);

/* Creates the entry for f at eni, f being the first packet of a flow the SGs allowed (f's
 * source is the originator). An entry already present for the same flow (live or timed out) is
 * replaced. Returns 0; 0 and no entry for packets that start nothing (ICMP errors, a TCP RST);
 * -EINVAL for a family other than 4 or 6; -ENOSPC when `capacity` entries are held and none of
 * the CT_COMMIT_RECLAIM_SLOTS slots examined held a timed-out one (the data plane counts
 * conntrack_allowance_exceeded and drops, as AWS does). Initial TCP state from the flags: SYN
 * -> SYN_SENT, SYN+ACK -> SYN_RECV, FIN -> FIN_WAIT, anything else -> ESTABLISHED (a flow
 * picked up mid-stream, as Linux's default nf_conntrack_tcp_loose does). */
int ct_commit(struct ct_table *t, uint32_t eni, const struct flow *f, uint8_t tcp_flags,
              uint16_t icmp_id, uint64_t now_ns);

/* err is an ICMP/ICMPv6 error at eni and inner the header it quotes (the packet that caused
 * it, as its sender sent it; inner_icmp_id its echo identifier if it is an echo). True if
 * inner belongs to a live entry at eni (either direction) and err is addressed to inner's
 * sender: the error is admitted as related to the flow. The entry is not refreshed (Linux does
 * not refresh a connection on related packets either). */
bool ct_related(const struct ct_table *t, uint32_t eni, const struct flow *err,
                const struct flow *inner, uint16_t inner_icmp_id, uint64_t now_ns);

/* Reclaims timed-out entries, continuing a sweep over the slots where the previous call (or a
 * full ct_commit()) stopped. budget bounds the work: one unit per slot examined or entry
 * removed; a call never sweeps more than one pass over the table, so budget SIZE_MAX (or
 * 2.5 * capacity + 2) reclaims every entry timed out at now_ns. A timed-out entry keeps its
 * slot until then (it lengthens probes and counts against capacity), so a worker calls this
 * with a small budget for every vector of packets it processes. */
void ct_expire(struct ct_table *t, uint64_t now_ns, size_t budget);

/* Removes every entry of ENI eni (a deleted ENI). Walks the whole table: control plane only. */
void ct_flush_eni(struct ct_table *t, uint32_t eni);

/* ct_lookup() that also tells where the entry is (*slot, CT_NO_SLOT when false). */
bool ct_lookup_slot(struct ct_table *t, uint32_t eni, const struct flow *f, uint8_t tcp_flags,
                    uint16_t icmp_id, uint64_t now_ns, bool *is_reply, uint32_t *slot);
/* What the table knows about a flow, without changing anything. */
struct ct_info {
    enum ct_state state;
    uint64_t deadline_ns; /* the entry lives while now < deadline_ns */
    bool is_reply;        /* the flow asked about goes against the entry's direction */
};

/* True (and *out filled) if f belongs to a live entry at eni; see ct_lookup(). */
bool ct_peek(const struct ct_table *t, uint32_t eni, const struct flow *f, uint16_t icmp_id,
             uint64_t now_ns, struct ct_info *out);

size_t ct_count(const struct ct_table *t);      /* entries held, timed out or not yet reclaimed */
size_t ct_capacity(const struct ct_table *t);   /* as created */
size_t ct_table_size(const struct ct_table *t); /* bytes allocated, the table header included */

#endif
