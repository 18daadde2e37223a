/* Flow logs from real packets. The worker counts what each watched interface sent and
 * received into an aggregation table (one record per interface, direction, 5-tuple and
 * action); every capture window a writer thread takes the full table in exchange for an empty
 * one, turns its records into each flow log's lines and delivers them (src/flowlog/). The
 * worker never waits, locks, allocates or writes: the exchange is two atomic pointers.
 *
 * The capture window is 60 s (AWS aggregates Nitro instances' flows over at most 60 s whatever
 * MaxAggregationInterval says), or what vpcd's --flow-log-interval sets for tests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dp/dp_internal.h"
#include "lib/xalloc.h"

#define FL_TABLE_CAPACITY 8192u /* a power of two */
#define FL_PROBES 16

/* What a record is of: an interface, or one transit gateway attachment a packet crossed. */
enum dp_fl_kind { DP_FL_ENI, DP_FL_TGW };

/* A transit gateway record's leg, by id (indices do not outlive the snapshot). */
struct dp_fl_tgw {
    char in[ID_MAX], out[ID_MAX];         /* attachments: entered by, left by ("" dropped) */
    char in_eni[ID_MAX], out_eni[ID_MAX]; /* their TGW ENIs ("" over a peering attachment) */
    uint64_t lost[DP_FL_LOST__COUNT];
};

struct dp_fl_entry {
    uint64_t hash;       /* 0: free */
    uint64_t eni_key;    /* the interface's, or the attachment's key */
    uint8_t kind;        /* enum dp_fl_kind */
    char eni_id[ID_MAX]; /* the interface, or the attachment the record is at */
    struct dp_fl_tgw tgw;
    struct flow f;
    bool egress, accept;
    uint8_t tcp_flags;
    uint8_t traffic_path;
    uint64_t packets, bytes;
    int64_t start, end;
};

struct dp_fl_table {
    struct dp_fl_entry *e; /* FL_TABLE_CAPACITY */
    uint32_t n;
    uint64_t skipped; /* records that found no room: AWS's SKIPDATA */
};

static struct dp_fl_table *table_new(void)
{
    struct dp_fl_table *t = xcalloc(1, sizeof *t);
    t->e = xcalloc(FL_TABLE_CAPACITY, sizeof *t->e);
    return t;
}

static void table_free(struct dp_fl_table *t)
{
    if (!t)
        return;
    free(t->e);
    free(t);
}

static void table_clear(struct dp_fl_table *t)
{
    for (uint32_t i = 0; i < FL_TABLE_CAPACITY && t->n; i++)
        if (t->e[i].hash) {
            t->e[i].hash = 0;
            t->n--;
        }
    t->n = 0;
    t->skipped = 0;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}

static uint64_t flow_hash(uint64_t eni_key, const struct flow *f, bool egress, bool accept)
{
    uint64_t h = mix(eni_key, (uint64_t)f->family << 40 | (uint64_t)f->proto << 32 |
                                  (uint64_t)f->sport << 16 | f->dport);
    uint64_t a, b;
    memcpy(&a, f->src, 8);
    memcpy(&b, f->src + 8, 8);
    h = mix(mix(h, a), b);
    memcpy(&a, f->dst, 8);
    memcpy(&b, f->dst + 8, 8);
    h = mix(mix(h, a), b);
    h = mix(h, (uint64_t)egress << 1 | accept);
    return h ? h : 1;
}

void dp_flowlog_note(struct dp *dp, const struct fib_snapshot *s, uint32_t eni,
                     const struct flow *f, bool egress, bool accept, const struct dp_wire *w,
                     uint8_t tcp_flags, uint8_t traffic_path)
{
    struct dp_fl_table *t = dp->fl_active;
    const struct fib_eni *e = &s->enis[eni];
    if (!t || !e->n_flow_logs)
        return;
    uint64_t h = flow_hash(e->key, f, egress, accept);
    for (uint32_t k = 0; k < FL_PROBES; k++) {
        struct dp_fl_entry *x = &t->e[(h + k) & (FL_TABLE_CAPACITY - 1)];
        if (x->hash == h && x->kind == DP_FL_ENI && x->eni_key == e->key && x->egress == egress &&
            x->accept == accept && memcmp(&x->f, f, sizeof *f) == 0) {
            x->packets += w->packets;
            x->bytes += w->bytes;
            x->tcp_flags |= flowlog_tcp_flags(tcp_flags);
            x->end = dp->w.wall_s;
            return;
        }
        if (!x->hash) {
            *x = (struct dp_fl_entry){.hash = h,
                                      .eni_key = e->key,
                                      .kind = DP_FL_ENI,
                                      .f = *f,
                                      .egress = egress,
                                      .accept = accept,
                                      .tcp_flags = flowlog_tcp_flags(tcp_flags),
                                      .traffic_path = traffic_path,
                                      .packets = w->packets,
                                      .bytes = w->bytes,
                                      .start = dp->w.wall_s,
                                      .end = dp->w.wall_s};
            memcpy(x->eni_id, e->id, sizeof x->eni_id);
            t->n++;
            return;
        }
    }
    t->skipped++;
}

static void copy_id(char *dst, const char *src)
{
    memcpy(dst, src, ID_MAX);
}

void dp_flowlog_note_tgw(struct dp *dp, const struct fib_snapshot *s, const struct pl_tgw_leg *l,
                         bool egress, const struct flow *f, const struct dp_wire *w,
                         uint8_t tcp_flags, enum dp_fl_lost lost)
{
    struct dp_fl_table *t = dp->fl_active;
    uint32_t at = egress ? l->out : l->in;
    if (!t || at == FIB_NONE)
        return;
    const struct fib_tgw_attach *a = &s->tgw_attaches[at];
    uint64_t pair = l->out == FIB_NONE ? 0 : s->tgw_attaches[egress ? l->in : l->out].key;
    uint64_t h = mix(flow_hash(a->key, f, egress, true), pair);
    h = h ? h : 1;
    for (uint32_t k = 0; k < FL_PROBES; k++) {
        struct dp_fl_entry *x = &t->e[(h + k) & (FL_TABLE_CAPACITY - 1)];
        if (x->hash == h && x->kind == DP_FL_TGW && x->eni_key == a->key && x->egress == egress &&
            memcmp(&x->f, f, sizeof *f) == 0) {
            if (lost == DP_FL_LOST_NONE) {
                x->packets += w->packets;
                x->bytes += w->bytes;
            } else {
                x->tgw.lost[lost] += w->packets;
            }
            x->tcp_flags |= flowlog_tcp_flags(tcp_flags);
            x->end = dp->w.wall_s;
            return;
        }
        if (!x->hash) {
            memset(x, 0, sizeof *x);
            *x = (struct dp_fl_entry){.hash = h,
                                      .eni_key = a->key,
                                      .kind = DP_FL_TGW,
                                      .f = *f,
                                      .egress = egress,
                                      .accept = true,
                                      .tcp_flags = flowlog_tcp_flags(tcp_flags),
                                      .start = dp->w.wall_s,
                                      .end = dp->w.wall_s};
            if (lost == DP_FL_LOST_NONE) {
                x->packets = w->packets;
                x->bytes = w->bytes;
            } else {
                x->tgw.lost[lost] = w->packets;
            }
            copy_id(x->eni_id, a->id);
            copy_id(x->tgw.in, s->tgw_attaches[l->in].id);
            if (l->out != FIB_NONE)
                copy_id(x->tgw.out, s->tgw_attaches[l->out].id);
            if (l->in_eni != FIB_NONE)
                copy_id(x->tgw.in_eni, s->enis[l->in_eni].id);
            if (l->out_eni != FIB_NONE)
                copy_id(x->tgw.out_eni, s->enis[l->out_eni].id);
            t->n++;
            return;
        }
    }
    t->skipped++;
}

/* Worker side of the exchange, once per pass: hands the full table over when asked. */
void dp_flowlog_pass(struct dp *dp)
{
    if (!atomic_load_explicit(&dp->fl_want, memory_order_acquire) ||
        atomic_load_explicit(&dp->fl_ready, memory_order_acquire))
        return;
    struct dp_fl_table *spare = atomic_exchange(&dp->fl_spare, NULL);
    if (!spare)
        return;
    atomic_store_explicit(&dp->fl_ready, dp->fl_active, memory_order_release);
    dp->fl_active = spare;
    atomic_store_explicit(&dp->fl_want, false, memory_order_release);
}

/* What every record says of its flow and counters (TGW entries are always "accepted"). */
static void flow_fields(const struct dp_fl_entry *x, struct flowlog_record *r)
{
    r->family = x->f.family;
    r->proto = x->f.proto;
    /* ICMP's type and code are not ports: AWS's records show 0 0 for them. */
    bool ports = x->f.proto == FLOW_PROTO_TCP || x->f.proto == FLOW_PROTO_UDP;
    r->sport = ports ? x->f.sport : 0;
    r->dport = ports ? x->f.dport : 0;
    memcpy(r->srcaddr, x->f.src, 16);
    memcpy(r->dstaddr, x->f.dst, 16);
    memcpy(r->pkt_srcaddr, x->f.src, 16);
    memcpy(r->pkt_dstaddr, x->f.dst, 16);
    r->packets = x->packets;
    r->bytes = x->bytes;
    r->start = x->start;
    r->end = x->end;
    r->accept = x->accept;
    r->tcp_flags = x->tcp_flags;
}

static void record_of(const struct fib_snapshot *s, const struct fib_eni *e,
                      const struct dp_fl_entry *x, struct flowlog_record *r)
{
    memset(r, 0, sizeof *r);
    const struct fib_vpc *v = e->vpc != FIB_NONE ? &s->vpcs[e->vpc] : NULL;
    if (v) {
        snprintf(r->account, sizeof r->account, "%s", v->account);
        snprintf(r->region, sizeof r->region, "%s", v->region);
        snprintf(r->vpc_id, sizeof r->vpc_id, "%s", v->id);
    }
    snprintf(r->interface_id, sizeof r->interface_id, "%s", e->id);
    if (e->subnet != FIB_NONE) {
        snprintf(r->subnet_id, sizeof r->subnet_id, "%s", s->subnets[e->subnet].id);
        snprintf(r->az_id, sizeof r->az_id, "%.15s", s->subnets[e->subnet].az_id);
    }
    snprintf(r->instance_id, sizeof r->instance_id, "%s", e->instance_id);
    flow_fields(x, r);
    r->egress = x->egress;
    r->traffic_path = x->egress ? x->traffic_path : 0;
    r->status = FLOWLOG_OK;
}

/* One side of a TGW leg: the attachment's VPC and account, its TGW ENI's subnet and zone. */
static void tgw_side(const struct fib_snapshot *s, const char *attach_id, const char *eni_id,
                     char *account, char *vpc_id, char *subnet_id, char *eni_out, char *az_id)
{
    uint32_t a = attach_id[0] ? fib_find(s, FIB_OBJ_TGW_ATTACH, attach_id) : FIB_NONE;
    uint32_t v = a != FIB_NONE ? s->tgw_attaches[a].vpc : FIB_NONE;
    if (v != FIB_NONE) {
        snprintf(account, 13, "%s", s->vpcs[v].account);
        snprintf(vpc_id, ID_MAX, "%s", s->vpcs[v].id);
    }
    uint32_t e = eni_id[0] ? fib_find(s, FIB_OBJ_ENI, eni_id) : FIB_NONE;
    if (e != FIB_NONE && s->enis[e].subnet != FIB_NONE) {
        const struct fib_subnet *sn = &s->subnets[s->enis[e].subnet];
        snprintf(subnet_id, ID_MAX, "%s", sn->id);
        snprintf(az_id, 16, "%.15s", sn->az_id);
        snprintf(eni_out, ID_MAX, "%s", eni_id);
    }
}

static void tgw_record_of(const struct fib_snapshot *s, const struct fib_flow_log *fl,
                          const struct fib_tgw *tgw, const struct dp_fl_entry *x,
                          struct flowlog_record *r)
{
    memset(r, 0, sizeof *r);
    snprintf(r->account, sizeof r->account, "%s", tgw->account);
    snprintf(r->region, sizeof r->region, "%s", tgw->region);
    snprintf(r->resource_type, sizeof r->resource_type, "%s", fl->resource_type);
    snprintf(r->tgw_id, sizeof r->tgw_id, "%s", tgw->id);
    snprintf(r->tgw_attachment_id, sizeof r->tgw_attachment_id, "%s", x->eni_id);
    const char *pair = x->egress ? x->tgw.in : x->tgw.out;
    snprintf(r->tgw_pair_attachment_id, sizeof r->tgw_pair_attachment_id, "%s", pair);
    tgw_side(s, x->tgw.in, x->tgw.in_eni, r->tgw_src_vpc_account_id, r->tgw_src_vpc_id,
             r->tgw_src_subnet_id, r->tgw_src_eni, r->tgw_src_az_id);
    tgw_side(s, x->tgw.out, x->tgw.out_eni, r->tgw_dst_vpc_account_id, r->tgw_dst_vpc_id,
             r->tgw_dst_subnet_id, r->tgw_dst_eni, r->tgw_dst_az_id);
    flow_fields(x, r);
    r->egress = x->egress;
    r->packets_lost_no_route = x->tgw.lost[DP_FL_LOST_NO_ROUTE];
    r->packets_lost_blackhole = x->tgw.lost[DP_FL_LOST_BLACKHOLE];
    r->packets_lost_mtu_exceeded = x->tgw.lost[DP_FL_LOST_MTU];
    r->packets_lost_ttl_expired = x->tgw.lost[DP_FL_LOST_TTL];
    r->status = FLOWLOG_OK;
}

/* Whether TGW flow log k watches the attachment a record is at (its own, or its TGW's). */
static const struct fib_tgw *tgw_watched(const struct fib_snapshot *s, uint32_t attach, uint32_t k)
{
    const struct fib_tgw_attach *a = &s->tgw_attaches[attach];
    const struct fib_tgw *t = a->tgw != FIB_NONE ? &s->tgws[a->tgw] : NULL;
    for (uint8_t j = 0; j < a->n_flow_logs; j++)
        if (a->flow_logs[j] == k)
            return t;
    for (uint8_t j = 0; t && j < t->n_flow_logs; j++)
        if (t->flow_logs[j] == k)
            return t;
    return NULL;
}

static bool wants(const struct fib_flow_log *fl, bool accept)
{
    return fl->traffic == FLOW_LOG_ALL || (fl->traffic == FLOW_LOG_ACCEPT) == accept;
}

static int record_cmp(const void *a, const void *b)
{
    const struct flowlog_record *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    int c = strcmp(x->interface_id, y->interface_id);
    return c ? c : strcmp(x->tgw_attachment_id, y->tgw_attachment_id);
}

/* Delivers a table's records: each flow log gets those of the interfaces it watches that its
 * traffic type keeps. Interfaces gone since are skipped (their flow logs went with them). */
static void deliver(struct dp *dp, struct dp_fl_table *t, time_t when)
{
    pthread_mutex_lock(&dp->snap_lock);
    struct fib_snapshot *s = fib_snapshot_ref(dp->last);
    pthread_mutex_unlock(&dp->snap_lock);
    if (!s || !t->n || !s->n_flow_logs) {
        fib_snapshot_unref(s);
        return;
    }
    uint32_t *eni_of = xmalloc(FL_TABLE_CAPACITY * sizeof *eni_of);
    for (uint32_t i = 0; i < FL_TABLE_CAPACITY; i++)
        eni_of[i] = !t->e[i].hash
                        ? FIB_NONE
                        : fib_find(s, t->e[i].kind == DP_FL_TGW ? FIB_OBJ_TGW_ATTACH : FIB_OBJ_ENI,
                                   t->e[i].eni_id);
    struct flowlog_record *recs = xmalloc(t->n * sizeof *recs);
    for (size_t k = 0; k < s->n_flow_logs; k++) {
        const struct fib_flow_log *fl = &s->flow_logs[k];
        size_t n = 0;
        for (uint32_t i = 0; i < FL_TABLE_CAPACITY && n < t->n; i++) {
            if (eni_of[i] == FIB_NONE || (t->e[i].kind == DP_FL_TGW) != fl->tgw)
                continue;
            if (fl->tgw) {
                const struct fib_tgw *tgw = tgw_watched(s, eni_of[i], (uint32_t)k);
                if (tgw)
                    tgw_record_of(s, fl, tgw, &t->e[i], &recs[n++]);
                continue;
            }
            if (!wants(fl, t->e[i].accept))
                continue;
            const struct fib_eni *e = &s->enis[eni_of[i]];
            bool watched = false;
            for (uint8_t j = 0; j < e->n_flow_logs && !watched; j++)
                watched = e->flow_logs[j] == k;
            if (watched)
                record_of(s, e, &t->e[i], &recs[n++]);
        }
        qsort(recs, n, sizeof *recs, record_cmp);
        int rc = flowlog_deliver(dp->fl_root, &fl->dest, &fl->format, recs, n, when);
        if (rc != 0)
            fprintf(stderr, "vpcd: flow log %s: delivery failed: %s\n", fl->id, strerror(-rc));
        else if (n)
            atomic_fetch_add_explicit(&dp->c.flow_log_records, n, memory_order_relaxed);
    }
    free(recs);
    free(eni_of);
    fib_snapshot_unref(s);
}

/* One capture window ends: the table changes hands (the worker gives it up at its next pass;
 * without a running worker, nobody else touches it) and is delivered. */
void dp_flowlog_flush(struct dp *dp)
{
    if (!dp->fl_active && !atomic_load(&dp->fl_ready))
        return;
    atomic_store_explicit(&dp->fl_want, true, memory_order_release);
    for (int i = 0; i < 2000 && atomic_load(&dp->running) &&
                    !atomic_load_explicit(&dp->fl_ready, memory_order_acquire);
         i++) {
        struct timespec ts = {.tv_nsec = 1000000};
        nanosleep(&ts, NULL);
    }
    if (!atomic_load(&dp->running))
        dp_flowlog_pass(dp);
    struct dp_fl_table *t = atomic_exchange(&dp->fl_ready, NULL);
    if (!t)
        return;
    deliver(dp, t, time(NULL));
    table_clear(t);
    atomic_store_explicit(&dp->fl_spare, t, memory_order_release);
}

static void *writer_main(void *arg)
{
    struct dp *dp = arg;
    pthread_mutex_lock(&dp->fl_lock);
    while (!dp->fl_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += dp->fl_interval_s;
        while (!dp->fl_stop &&
               pthread_cond_timedwait(&dp->fl_cond, &dp->fl_lock, &until) != ETIMEDOUT)
            ;
        pthread_mutex_unlock(&dp->fl_lock);
        dp_flowlog_flush(dp);
        pthread_mutex_lock(&dp->fl_lock);
    }
    pthread_mutex_unlock(&dp->fl_lock);
    return NULL;
}

void dp_set_flow_logs(struct dp *dp, const char *root, unsigned interval_s)
{
    snprintf(dp->fl_root, sizeof dp->fl_root, "%s", root);
    dp->fl_interval_s = interval_s ? interval_s : 60;
    if (!dp->fl_active) {
        dp->fl_active = table_new();
        atomic_store(&dp->fl_spare, table_new());
    }
}

int dp_flowlog_start(struct dp *dp)
{
    if (!dp->fl_active || dp->fl_started)
        return 0;
    dp->fl_stop = false;
    int rc = pthread_create(&dp->fl_thread, NULL, writer_main, dp);
    if (rc != 0)
        return -rc;
    dp->fl_started = true;
    return 0;
}

void dp_flowlog_stop(struct dp *dp)
{
    if (!dp->fl_started)
        return;
    pthread_mutex_lock(&dp->fl_lock);
    dp->fl_stop = true;
    pthread_cond_signal(&dp->fl_cond);
    pthread_mutex_unlock(&dp->fl_lock);
    pthread_join(dp->fl_thread, NULL);
    dp->fl_started = false;
}

void dp_flowlog_free(struct dp *dp)
{
    table_free(dp->fl_active);
    table_free(atomic_exchange(&dp->fl_ready, NULL));
    table_free(atomic_exchange(&dp->fl_spare, NULL));
    dp->fl_active = NULL;
}
