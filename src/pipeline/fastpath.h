/* The conntrack hit path (issue 7): packets of an established flow between two instances are
 * forwarded without running the pipeline again.
 *
 * Why this is the pipeline's own decision and not a second one: pipeline_run() is a function
 * of the snapshot, the packet's header, the sending ENI, the TTL and the answers of its hooks.
 * For a packet that only conntrack hooks answered (the sender's SGs admitting it as tracked,
 * the receiver's SGs admitting it as tracked: no NAT binding, no egress-only gateway, no SG
 * rule consulted), the decision is the same for every later packet of the flow while
 *   - the snapshot (and the data plane's view of it) is the same: the caller's `gen` tags it,
 *   - both entries are still live and would admit the packet,
 *   - the packet's TTL and size pass what the decision recorded (hops, path MTU).
 * So the first such packet's result is memoized on the sender's conntrack entry, and later
 * packets check exactly those conditions: one hash and one probe sequence (conntrack does
 * not hash the ENI, so the receiver's entry of the flow is beside the sender's), and both
 * entries stepped and refreshed exactly as ct_lookup() would. Anything else
 * (a new snapshot, an entry that moved or idled out, a SYN/FIN/RST, ICMP, a NAT) goes the slow
 * way, through pipeline_run(), which learns again.
 *
 * Packets come in vectors, in three stages a few packets apart (hash and load the tags; read
 * the tags and load the entries; decide), so the cache misses of a vector overlap. */
#ifndef VPCD_PIPELINE_FASTPATH_H
#define VPCD_PIPELINE_FASTPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/flow.h"
#include "pipeline/conntrack.h"
#include "pipeline/pipeline.h"

/* The part of a pl_result the fast path reproduces (outcome PL_DELIVERED to `eni`, header
 * unchanged, no TGW leg recorded). */
struct pl_fast_verdict {
    uint32_t eni;
    uint16_t mtu;
    uint8_t routed_hops;
    bool mtu_silent;
    bool via_pcx;
};

struct pl_fast_pkt {
    /* in */
    const struct flow *f;
    uint32_t ct_name; /* the sender's conntrack name */
    uint8_t tcp_flags;
    uint8_t ttl; /* 0: 64 */
    uint16_t l3_len;
    /* out */
    bool hit;
    struct pl_fast_verdict v;
    /* the fast path's own */
    struct ct_probe probe;
    bool candidate;
};

/* gen: nonzero, different for every snapshot (or data-plane view) the decisions were made
 * on. Sets hit (and v) for every packet the fast path forwarded; the caller sends the others
 * through pipeline_run() and pl_fast_learn(). */
void pl_fast_run(struct ct_table *ct, uint32_t gen, struct pl_fast_pkt *pkts, size_t n,
                 uint64_t now_ns);

/* What a slow-path run's conntrack hooks saw: the tracked answers in call order. The hook
 * calls pl_fast_note() for each tracked answer and pl_fast_spoil() for anything else that made
 * the decision depend on state (a rule evaluated, a NAT binding, an EIGW entry, an ICMP
 * error's relation). */
struct pl_fast_notes {
    uint32_t eni[2], name[2], slot[2];
    bool egress[2];
    uint8_t n;
    bool spoiled;
};

void pl_fast_note(struct pl_fast_notes *n, uint32_t eni, bool egress, uint32_t ct_name,
                  uint32_t slot);
void pl_fast_spoil(struct pl_fast_notes *n);

/* After pipeline_run() of packet f (sent by ENI sender, tcp_flags) gave *res with hooks that
 * recorded *notes: memoizes the decision on the sender's entry if it may be reused. True if
 * it did. The snapshot s decides whether flow logs want to see every packet (then nothing is
 * memoized). */
bool pl_fast_learn(struct ct_table *ct, uint32_t gen, const struct fib_snapshot *s, uint32_t sender,
                   const struct flow *f, uint8_t tcp_flags, const struct pl_fast_notes *notes,
                   const struct pl_result *res);

#endif
