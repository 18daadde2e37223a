/* What dp.c (ports, views, the worker loop) and dp_forward.c (one frame's fate) share. */
#ifndef VPCD_DP_INTERNAL_H
#define VPCD_DP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "dp/dp.h"
#include "fib/snapshot.h"
#include "lib/pkt.h"
#include "pipeline/conntrack.h"
#include "pipeline/fastpath.h"
#include "pipeline/nat_table.h"
#include "pipeline/pipeline.h"

#define DP_MAX_PORTS 4096

/* Why the data plane dropped a frame: every pipeline code, then the data plane's own. */
enum dp_drop_extra {
    DP_DROP_MALFORMED = PL__CODE_COUNT, /* the frame did not parse */
    DP_DROP_BROADCAST,                  /* broadcast or multicast that is not ARP/NDP */
    DP_DROP_NOT_IP,                     /* another ethertype */
    DP_DROP_NO_PORT,                    /* delivered to an interface without a port */
    DP_DROP_TX,                         /* the receiving port did not take it */
    DP_DROP_CT_FULL,                    /* conntrack_allowance_exceeded */
    DP_DROP_NO_INTERNET,                /* left for the internet, which this data plane lacks */
    DP_DROP_FRAGMENT,                   /* IP fragments (not reassembled) */
    DP_DROP_NOT_OURS,                   /* to the router's address, but not a ping */
    DP_DROP_MTU,                        /* larger than the path MTU (after any ICMP error) */
    DP_DROP_NAT_FULL,                   /* the NAT binding table is full */
    DP_DROP__COUNT
};

struct dp_port {
    char eni_id[ID_MAX];
    char instance_id[ID_MAX];
    struct io_port *io;
    uint32_t slot;
    /* The port's name in the conntrack table: unique for the life of the data plane (slot in
     * the low bits, a creation count above), so entries never outlive or change owner with
     * snapshot indices, which shift between snapshots, or with slots, which are reused. */
    uint32_t ct_key;
    bool retiring; /* no new view names it; closed when the last view that did is freed */
};

/* What the worker reads: immutable once published. */
struct dp_view {
    struct fib_snapshot *snap; /* one reference */
    uint32_t fast_gen;      /* nonzero, unique per view: tags the fast path's memos (fastpath.h) */
    uint32_t *slot_of_eni;  /* snap->n_enis entries: port slot or FIB_NONE */
    uint32_t internet_slot; /* the internet's port, or FIB_NONE */
    uint32_t eni_of_slot[DP_MAX_PORTS];  /* FIB_NONE for a free slot */
    struct dp_port *ports[DP_MAX_PORTS]; /* borrowed from the data plane while the view lives */
    /* Retirement: freed once the worker's epoch passed retired_at; ports only this view named
     * are closed with it. */
    uint64_t retired_at;
    struct dp_port **closing;
    size_t n_closing;
    struct dp_view *next;
};

struct dp_counters {
    _Atomic uint64_t rx, tx, arp_replies, nd_replies, pings, forwarded;
    _Atomic uint64_t to_internet, from_internet, nat_resets, dns_answers;
    _Atomic uint64_t fast_path;        /* packets forwarded by the conntrack hit path */
    _Atomic uint64_t mss_clamped;      /* SYNs whose MSS a transit gateway lowered */
    _Atomic uint64_t nat_bindings;     /* a gauge the worker refreshes each pass */
    _Atomic uint64_t flow_log_records; /* delivered */
    _Atomic uint64_t drops[DP_DROP__COUNT];
    _Atomic uint64_t malformed[PKT__ERR_COUNT]; /* DP_DROP_MALFORMED by what was wrong */
};

/* The worker's private state. */
struct dp_worker {
    struct ct_table *ct;
    struct nat_table *nat; /* NAT gateways' bindings */
    struct io_buf *bufs[IO_BATCH];
    struct io_buf *pool; /* IO_BATCH buffers */
    /* dp_forward_burst's per-vector scratch */
    struct pkt_meta metas[IO_BATCH];
    int parse_rc[IO_BATCH];
    bool done[IO_BATCH];
    struct pl_fast_pkt fast[IO_BATCH];
    int fast_at[IO_BATCH];
    uint64_t now_ns; /* read once per vector: the clock is not read per packet */
    int64_t wall_s;  /* the same moment in unix seconds (flow log records) */
};

struct dp_inst;
struct dp_fl_table;

struct dp {
    struct dp_port_ops ops;
    _Atomic(struct dp_view *) view;
    struct dp_view *retired;   /* oldest last */
    _Atomic uint64_t epoch;    /* bumped by the worker at each pass */
    struct fib_snapshot *last; /* the control plane's last snapshot (for incremental builds) */
    struct dp_inst *insts;
    size_t n_insts, cap_insts;
    struct dp_port *slots[DP_MAX_PORTS]; /* control plane's ports by slot */
    struct dp_port *internet;            /* NULL without ops.internet_up */
    uint32_t ports_made;
    uint32_t views_made; /* for dp_view.fast_gen */
    /* Conntrack names of closed ports, for the worker to flush (the table is the worker's):
     * a single-producer (control plane) single-consumer (worker) ring. */
    uint32_t dead_keys[1024];
    _Atomic uint32_t dead_head, dead_tail;
    int epfd;
    struct dp_worker w;
    struct dp_counters c;
    _Atomic uint64_t *port_drops; /* DP_MAX_PORTS entries: drops by the sending port */
    _Atomic bool running;
    pthread_t thread;
    bool thread_started;
    /* dp->last as other threads (the flow log writer) take a reference to it. */
    pthread_mutex_t snap_lock;
    /* Flow logs (dp_flowlog.c): the worker's aggregation table, and the exchange. */
    struct dp_fl_table *fl_active;
    _Atomic(struct dp_fl_table *) fl_ready, fl_spare;
    _Atomic bool fl_want;
    char fl_root[512];
    unsigned fl_interval_s;
    pthread_t fl_thread;
    bool fl_started, fl_stop;
    pthread_mutex_t fl_lock;
    pthread_cond_t fl_cond;
};

/* One frame from port slot `in`: rewritten in place, and its output port in *out (which may be
 * `in` for an ARP or ping answer). False when dropped (counted). */
bool dp_forward(struct dp *dp, const struct dp_view *v, uint32_t in, struct io_buf *b,
                uint32_t *out);

/* dp_forward() for n frames received together on port `in` (sent[i], to[i] as its return
 * value and *out): established flows between instances through the conntrack hit path
 * (pipeline/fastpath.h) as one vector, the others one by one, conntrack seeing each flow's
 * packets in their order. */
void dp_forward_burst(struct dp *dp, const struct dp_view *v, uint32_t in, struct io_buf **bufs,
                      int n, bool *sent, uint32_t *to);

/* Why a transit gateway lost a packet (its flow logs' packets-lost-* counters). */
enum dp_fl_lost {
    DP_FL_LOST_NONE,
    DP_FL_LOST_NO_ROUTE,
    DP_FL_LOST_BLACKHOLE,
    DP_FL_LOST_MTU,
    DP_FL_LOST_TTL,
    DP_FL_LOST__COUNT
};

/* What one frame is on the wire: a TCP super-packet from a TAP with offloads stands for
 * `packets` segments of at most seg_len bytes each (IP header on), `bytes` in all. */
struct dp_wire {
    unsigned packets, bytes, seg_len;
};

/* Flow logs (dp_flowlog.c). note: one frame at interface eni (worker only; a no-op for
 * interfaces no flow log watches). pass: the worker's side of the table exchange, once per
 * pass. flush: ends a capture window and delivers it (the writer thread, or dp_stop). */
void dp_flowlog_note(struct dp *dp, const struct fib_snapshot *s, uint32_t eni,
                     const struct flow *f, bool egress, bool accept, const struct dp_wire *w,
                     uint8_t tcp_flags, uint8_t traffic_path);
/* One frame crossing a TGW leg, at the attachment it entered by (egress false) or left by:
 * counted as delivered, or as lost for `lost`. */
void dp_flowlog_note_tgw(struct dp *dp, const struct fib_snapshot *s, const struct pl_tgw_leg *l,
                         bool egress, const struct flow *f, const struct dp_wire *w,
                         uint8_t tcp_flags, enum dp_fl_lost lost);
void dp_flowlog_pass(struct dp *dp);
void dp_flowlog_flush(struct dp *dp);
int dp_flowlog_start(struct dp *dp);
void dp_flowlog_stop(struct dp *dp);
void dp_flowlog_free(struct dp *dp);

#endif
