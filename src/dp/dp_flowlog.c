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

struct dp_fl_entry {
    uint64_t hash; /* 0: free */
    uint64_t eni_key;
    char eni_id[ID_MAX];
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
                     const struct flow *f, bool egress, bool accept, unsigned bytes,
                     uint8_t tcp_flags, uint8_t traffic_path)
{
    struct dp_fl_table *t = dp->fl_active;
    const struct fib_eni *e = &s->enis[eni];
    if (!t || !e->n_flow_logs)
        return;
    uint64_t h = flow_hash(e->key, f, egress, accept);
    for (uint32_t k = 0; k < FL_PROBES; k++) {
        struct dp_fl_entry *x = &t->e[(h + k) & (FL_TABLE_CAPACITY - 1)];
        if (x->hash == h && x->eni_key == e->key && x->egress == egress &&
            x->accept == accept && memcmp(&x->f, f, sizeof *f) == 0) {
            x->packets++;
            x->bytes += bytes;
            x->tcp_flags |= flowlog_tcp_flags(tcp_flags);
            x->end = dp->w.wall_s;
            return;
        }
        if (!x->hash) {
            *x = (struct dp_fl_entry){.hash = h, .eni_key = e->key, .f = *f, .egress = egress,
                                      .accept = accept, .tcp_flags = flowlog_tcp_flags(tcp_flags),
                                      .traffic_path = traffic_path, .packets = 1, .bytes = bytes,
                                      .start = dp->w.wall_s, .end = dp->w.wall_s};
            memcpy(x->eni_id, e->id, sizeof x->eni_id);
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
    if (e->subnet != FIB_NONE)
        snprintf(r->subnet_id, sizeof r->subnet_id, "%s", s->subnets[e->subnet].id);
    snprintf(r->instance_id, sizeof r->instance_id, "%s", e->instance_id);
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
    r->egress = x->egress;
    r->traffic_path = x->egress ? x->traffic_path : 0;
    r->status = FLOWLOG_OK;
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
    return strcmp(x->interface_id, y->interface_id);
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
        eni_of[i] = t->e[i].hash ? fib_find(s, FIB_OBJ_ENI, t->e[i].eni_id) : FIB_NONE;
    struct flowlog_record *recs = xmalloc(t->n * sizeof *recs);
    for (size_t k = 0; k < s->n_flow_logs; k++) {
        const struct fib_flow_log *fl = &s->flow_logs[k];
        size_t n = 0;
        for (uint32_t i = 0; i < FL_TABLE_CAPACITY && n < t->n; i++) {
            if (eni_of[i] == FIB_NONE || !wants(fl, t->e[i].accept))
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
