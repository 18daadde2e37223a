/* Ports, views and the worker loop. dp_sync() runs on the control plane (API threads, model
 * lock held); dp_poll() on the one worker. They share only the published view pointer, the
 * worker's epoch and the counters. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "dp/dp_internal.h"
#include "lib/xalloc.h"

const uint8_t dp_router_mac[6] = {0x02, 0x76, 0x70, 0x63, 0x64, 0x01}; /* 02:76:70:63:64:01 */
const uint8_t dp_internet_mac[6] = {0x02, 0x76, 0x70, 0x63, 0x64, 0xfe};

/* Conntrack entries per worker: AWS's allowance is per instance size; this is the total. */
#define DP_CT_CAPACITY (1u << 18)
/* NAT bindings per worker: room for every gateway's port space to a few destinations. */
#define DP_NAT_CAPACITY (1u << 18)
#define DP_MTU 9001

struct dp_inst {
    struct dp_instance spec;
    struct dp_port *ports[DP_MAX_IFACES];
    bool seen; /* still wanted by the model (reconcile mark) */
};

static const char *const extra_names[DP_DROP__COUNT - PL__CODE_COUNT] = {
    "malformed",    "broadcast",      "not_ip",
    "no_port",      "tx_failed",      "conntrack_allowance_exceeded",
    "no_internet",  "fragment",       "router_address",
    "mtu_exceeded", "nat_table_full",
};

static const char *drop_name(unsigned reason)
{
    if (reason < PL__CODE_COUNT)
        return pipeline_code_name((enum pl_code)reason);
    return extra_names[reason - PL__CODE_COUNT];
}

struct dp *dp_new(const struct dp_port_ops *ops)
{
    struct dp *dp = xcalloc(1, sizeof *dp);
    dp->ops = *ops;
    dp->epfd = epoll_create1(EPOLL_CLOEXEC);
    dp->w.ct = ct_table_new(DP_CT_CAPACITY);
    dp->w.nat = nat_table_new(DP_NAT_CAPACITY);
    dp->w.pool = xcalloc(IO_BATCH, sizeof *dp->w.pool);
    for (int i = 0; i < IO_BATCH; i++)
        dp->w.bufs[i] = &dp->w.pool[i];
    dp->port_drops = xcalloc(DP_MAX_PORTS, sizeof *dp->port_drops);
    pthread_mutex_init(&dp->snap_lock, NULL);
    pthread_mutex_init(&dp->fl_lock, NULL);
    pthread_cond_init(&dp->fl_cond, NULL);
    return dp;
}

static void port_close(struct dp *dp, struct dp_port *p)
{
    if (!p)
        return;
    int fd = io_port_fd(p->io);
    if (fd >= 0 && dp->epfd >= 0)
        epoll_ctl(dp->epfd, EPOLL_CTL_DEL, fd, NULL);
    io_port_close(p->io);
    atomic_store_explicit(&dp->port_drops[p->slot], 0, memory_order_relaxed);
    uint32_t head = atomic_load_explicit(&dp->dead_head, memory_order_relaxed);
    uint32_t n_keys = sizeof dp->dead_keys / sizeof dp->dead_keys[0];
    /* A full ring only leaves entries to time out: they can never match a later port. */
    if (head - atomic_load_explicit(&dp->dead_tail, memory_order_acquire) < n_keys) {
        dp->dead_keys[head % n_keys] = p->ct_key;
        atomic_store_explicit(&dp->dead_head, head + 1, memory_order_release);
    }
    dp->slots[p->slot] = NULL;
    free(p);
}

static void view_free(struct dp *dp, struct dp_view *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_closing; i++)
        port_close(dp, v->closing[i]);
    free(v->closing);
    free(v->slot_of_eni);
    fib_snapshot_unref(v->snap);
    free(v);
}

/* Frees the retired views the worker can no longer be reading: it has started a pass since
 * each was retired (or it is not running at all). */
static void reap(struct dp *dp, bool all)
{
    uint64_t now = atomic_load(&dp->epoch);
    bool worker = atomic_load(&dp->running);
    struct dp_view **pp = &dp->retired;
    while (*pp) {
        struct dp_view *v = *pp;
        if (all || !worker || now >= v->retired_at + 2) {
            *pp = v->next;
            view_free(dp, v);
        } else {
            pp = &v->next;
        }
    }
}

void dp_free(struct dp *dp)
{
    if (!dp)
        return;
    dp_stop(dp);
    struct dp_view *v = atomic_exchange(&dp->view, NULL);
    view_free(dp, v);
    reap(dp, true);
    for (size_t i = 0; i < dp->n_insts; i++)
        for (size_t k = 0; k < dp->insts[i].spec.n_ifs; k++)
            port_close(dp, dp->insts[i].ports[k]);
    free(dp->insts);
    if (dp->internet) {
        port_close(dp, dp->internet);
        if (dp->ops.internet_remove)
            dp->ops.internet_remove(dp->ops.ctx);
    }
    fib_snapshot_unref(dp->last);
    ct_table_free(dp->w.ct);
    nat_table_free(dp->w.nat);
    free(dp->w.pool);
    free(dp->port_drops);
    dp_flowlog_free(dp);
    pthread_mutex_destroy(&dp->snap_lock);
    pthread_mutex_destroy(&dp->fl_lock);
    pthread_cond_destroy(&dp->fl_cond);
    if (dp->epfd >= 0)
        close(dp->epfd);
    free(dp);
}

/* ---- reconcile: the instances the model wants ---- */

static void instances_wanted(const struct fib_snapshot *s, struct dp_instance **out, size_t *n)
{
    struct dp_instance *v = NULL;
    size_t cnt = 0, cap = 0;
    for (size_t i = 0; i < s->n_enis; i++) {
        const struct fib_eni *e = &s->enis[i];
        if (e->kind != FIB_ENI_INSTANCE || !e->instance_id[0] || e->device_index < 0 ||
            e->subnet == FIB_NONE || !e->n_ips4)
            continue;
        struct dp_instance *in = NULL;
        for (size_t k = 0; k < cnt && !in; k++)
            if (strcmp(v[k].id, e->instance_id) == 0)
                in = &v[k];
        if (!in) {
            v = xgrow(v, &cap, cnt, sizeof *v);
            in = &v[cnt++];
            memset(in, 0, sizeof *in);
            snprintf(in->id, sizeof in->id, "%s", e->instance_id);
            const struct fib_vpc *vpc = &s->vpcs[e->vpc];
            in->dns_server = vpc->n_cidrs4 ? vpc->cidrs4[0].addr + 2 : 0;
            if (strcmp(vpc->region, "us-east-1") == 0)
                snprintf(in->dns_search, sizeof in->dns_search, "ec2.internal");
            else
                snprintf(in->dns_search, sizeof in->dns_search, "%s.compute.internal", vpc->region);
        }
        if (in->n_ifs == DP_MAX_IFACES)
            continue;
        in->running = in->running || e->up;
        struct dp_iface *f = &in->ifs[in->n_ifs++];
        memset(f, 0, sizeof *f);
        snprintf(f->eni_id, sizeof f->eni_id, "%s", e->id);
        f->device_index = e->device_index;
        memcpy(f->mac, e->mac, 6);
        for (size_t a = 0; a < e->n_ips4 && a < DP_MAX_ADDRS; a++)
            f->addrs[f->n_addrs++] = e->ips4[a];
        const struct fib_subnet *sn = &s->subnets[e->subnet];
        f->prefix_len = sn->cidr.len;
        f->gateway = sn->cidr.addr + 1;
        for (size_t a = 0; a < e->n_ips6 && a < DP_MAX_ADDRS; a++)
            memcpy(f->addrs6[f->n_addrs6++], e->ips6[a], 16);
        if (f->n_addrs6 && sn->n_cidrs6) {
            f->prefix6_len = sn->cidrs6[0].len;
            memcpy(f->gateway6, sn->cidrs6[0].addr, 16);
            f->gateway6[15] |= 1;
        }
        f->mtu = DP_MTU;
    }
    /* Interfaces in device order, so eth0 comes first. */
    for (size_t k = 0; k < cnt; k++)
        for (size_t a = 1; a < v[k].n_ifs; a++)
            for (size_t b = a; b > 0 && v[k].ifs[b - 1].device_index > v[k].ifs[b].device_index;
                 b--) {
                struct dp_iface t = v[k].ifs[b];
                v[k].ifs[b] = v[k].ifs[b - 1];
                v[k].ifs[b - 1] = t;
            }
    *out = v;
    *n = cnt;
}

static bool same_interfaces(const struct dp_instance *a, const struct dp_instance *b)
{
    if (a->n_ifs != b->n_ifs)
        return false;
    for (size_t i = 0; i < a->n_ifs; i++) {
        const struct dp_iface *x = &a->ifs[i], *y = &b->ifs[i];
        if (strcmp(x->eni_id, y->eni_id) != 0 || x->device_index != y->device_index ||
            memcmp(x->mac, y->mac, 6) != 0 || x->n_addrs != y->n_addrs ||
            memcmp(x->addrs, y->addrs, x->n_addrs * sizeof x->addrs[0]) != 0 ||
            x->prefix_len != y->prefix_len || x->n_addrs6 != y->n_addrs6 ||
            memcmp(x->addrs6, y->addrs6, x->n_addrs6 * 16) != 0)
            return false;
    }
    return true;
}

static int slot_alloc(struct dp *dp)
{
    for (int i = 0; i < DP_MAX_PORTS; i++)
        if (!dp->slots[i])
            return i;
    return -1;
}

/* Ports retired by this sync: closed when the view that still names them is freed. */
struct retiring {
    struct dp_port **ports;
    size_t n, cap;
};

static void retire_ports(struct dp_inst *in, struct retiring *r)
{
    for (size_t k = 0; k < in->spec.n_ifs; k++) {
        if (!in->ports[k])
            continue;
        r->ports = xgrow(r->ports, &r->cap, r->n, sizeof *r->ports);
        r->ports[r->n++] = in->ports[k];
        in->ports[k]->retiring = true;
        in->ports[k] = NULL;
    }
}

/* Takes io (closed if there is no free slot) as a port in a free slot, polled from now on. */
static struct dp_port *port_add(struct dp *dp, struct io_port *io, const char *eni_id,
                                const char *instance_id)
{
    int slot = slot_alloc(dp);
    if (slot < 0 || !io) {
        io_port_close(io);
        return NULL;
    }
    struct dp_port *p = xcalloc(1, sizeof *p);
    snprintf(p->eni_id, sizeof p->eni_id, "%s", eni_id);
    snprintf(p->instance_id, sizeof p->instance_id, "%s", instance_id);
    p->io = io;
    p->slot = (uint32_t)slot;
    _Static_assert(DP_MAX_PORTS == 1 << 12, "ct_key keeps the slot in 12 bits");
    /* Bit 31 stays clear: egress-only gateways' names have it (FIB_EIGW_CT_KEY_BIT). */
    p->ct_key = ((++dp->ports_made & 0x7ffffu) << 12) | (uint32_t)slot;
    dp->slots[slot] = p;
    int fd = io_port_fd(p->io);
    if (fd >= 0 && dp->epfd >= 0) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)slot};
        epoll_ctl(dp->epfd, EPOLL_CTL_ADD, fd, &ev);
    }
    return p;
}

static void internet_up(struct dp *dp)
{
    if (dp->internet || !dp->ops.internet_up)
        return;
    struct io_port *io = NULL;
    int rc = dp->ops.internet_up(dp->ops.ctx, &io);
    if (rc != 0) {
        fprintf(stderr, "vpcd: data plane: cannot create the internet: %s\n", strerror(-rc));
        return;
    }
    dp->internet = port_add(dp, io, "", "");
}

static void inst_up(struct dp *dp, struct dp_inst *in)
{
    struct io_port *io[DP_MAX_IFACES] = {0};
    int rc = dp->ops.instance_up(dp->ops.ctx, &in->spec, io);
    if (rc != 0) {
        fprintf(stderr, "vpcd: data plane: cannot bring up %s: %s\n", in->spec.id, strerror(-rc));
        return;
    }
    for (size_t k = 0; k < in->spec.n_ifs; k++)
        in->ports[k] = port_add(dp, io[k], in->spec.ifs[k].eni_id, in->spec.id);
    if (!in->spec.running && dp->ops.instance_link)
        dp->ops.instance_link(dp->ops.ctx, &in->spec, false);
}

static void reconcile(struct dp *dp, const struct fib_snapshot *s, struct retiring *r)
{
    struct dp_instance *want;
    size_t n_want;
    instances_wanted(s, &want, &n_want);
    for (size_t i = 0; i < dp->n_insts; i++)
        dp->insts[i].seen = false;
    for (size_t w = 0; w < n_want; w++) {
        struct dp_inst *in = NULL;
        for (size_t i = 0; i < dp->n_insts && !in; i++)
            if (strcmp(dp->insts[i].spec.id, want[w].id) == 0)
                in = &dp->insts[i];
        if (!in) {
            dp->insts = xgrow(dp->insts, &dp->cap_insts, dp->n_insts, sizeof *dp->insts);
            in = &dp->insts[dp->n_insts++];
            memset(in, 0, sizeof *in);
            in->spec = want[w];
            inst_up(dp, in);
        } else if (!same_interfaces(&in->spec, &want[w])) {
            retire_ports(in, r);
            in->spec = want[w];
            inst_up(dp, in);
        } else if (in->spec.running != want[w].running) {
            in->spec.running = want[w].running;
            if (dp->ops.instance_link)
                dp->ops.instance_link(dp->ops.ctx, &in->spec, in->spec.running);
        }
        in->seen = true;
    }
    for (size_t i = 0; i < dp->n_insts;) {
        if (dp->insts[i].seen) {
            i++;
            continue;
        }
        retire_ports(&dp->insts[i], r);
        if (dp->ops.instance_remove)
            dp->ops.instance_remove(dp->ops.ctx, dp->insts[i].spec.id);
        dp->insts[i] = dp->insts[--dp->n_insts];
    }
    free(want);
}

static struct dp_view *view_build(struct dp *dp, struct fib_snapshot *s)
{
    struct dp_view *v = xcalloc(1, sizeof *v);
    v->snap = fib_snapshot_ref(s);
    /* Memos made under an older view never match a newer one (0 is never used). */
    if (++dp->views_made == 0)
        dp->views_made = 1;
    v->fast_gen = dp->views_made;
    v->internet_slot = dp->internet ? dp->internet->slot : FIB_NONE;
    v->slot_of_eni = xmalloc((s->n_enis ? s->n_enis : 1) * sizeof *v->slot_of_eni);
    for (size_t i = 0; i < s->n_enis; i++)
        v->slot_of_eni[i] = FIB_NONE;
    for (int slot = 0; slot < DP_MAX_PORTS; slot++) {
        struct dp_port *p = dp->slots[slot];
        if (p && p->retiring)
            p = NULL;
        v->ports[slot] = p;
        v->eni_of_slot[slot] = p && p->eni_id[0] ? fib_find(s, FIB_OBJ_ENI, p->eni_id) : FIB_NONE;
        if (v->eni_of_slot[slot] != FIB_NONE)
            v->slot_of_eni[v->eni_of_slot[slot]] = (uint32_t)slot;
    }
    return v;
}

void dp_sync(struct dp *dp, const struct model *m)
{
    if (dp->last && dp->last->generation == m->generation) {
        reap(dp, false);
        return;
    }
    struct fib_snapshot *s = fib_snapshot_build_from(m, dp->last);
    pthread_mutex_lock(&dp->snap_lock);
    struct fib_snapshot *prev = dp->last;
    dp->last = s;
    pthread_mutex_unlock(&dp->snap_lock);
    fib_snapshot_unref(prev);
    struct retiring r = {0};
    internet_up(dp);
    reconcile(dp, s, &r);
    struct dp_view *v = view_build(dp, s);
    struct dp_view *old = atomic_exchange(&dp->view, v);
    if (old) {
        old->closing = r.ports;
        old->n_closing = r.n;
        old->retired_at = atomic_load(&dp->epoch);
        old->next = dp->retired;
        dp->retired = old;
        /* Interfaces that went (a detached ENI, a terminated instance) must vanish now, not at
         * some later change: closing their TAPs is what removes them. The worker passes at
         * least every 10 ms, so this wait is short, and only changes that retire ports pay. */
        for (int i = 0; r.n && atomic_load(&dp->running) && i < 1000 &&
                        atomic_load(&dp->epoch) < old->retired_at + 2;
             i++) {
            struct timespec ts = {.tv_nsec = 1000000};
            nanosleep(&ts, NULL);
        }
    } else {
        for (size_t i = 0; i < r.n; i++)
            port_close(dp, r.ports[i]);
        free(r.ports);
    }
    reap(dp, false);
}

/* ---- the worker ---- */

struct out_frame {
    uint32_t slot;
    struct io_buf *b;
};

static void flush(struct dp *dp, const struct dp_view *v, struct out_frame *outs, int n)
{
    struct io_buf *batch[IO_BATCH];
    for (int i = 0; i < n; i++) {
        if (!outs[i].b)
            continue;
        uint32_t slot = outs[i].slot;
        int k = 0;
        for (int j = i; j < n; j++)
            if (outs[j].b && outs[j].slot == slot) {
                batch[k++] = outs[j].b;
                outs[j].b = NULL;
            }
        struct dp_port *p = v->ports[slot];
        int sent = p ? io_tx_burst(p->io, batch, k) : 0;
        atomic_fetch_add_explicit(&dp->c.tx, (uint64_t)sent, memory_order_relaxed);
        if (sent < k)
            atomic_fetch_add_explicit(&dp->c.drops[DP_DROP_TX], (uint64_t)(k - sent),
                                      memory_order_relaxed);
    }
}

static int poll_port(struct dp *dp, const struct dp_view *v, uint32_t slot)
{
    struct dp_port *p = v->ports[slot];
    if (!p)
        return 0;
    int n = io_rx_burst(p->io, dp->w.bufs, IO_BATCH);
    if (n <= 0)
        return 0;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    dp->w.now_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    if (dp->fl_active) {
        clock_gettime(CLOCK_REALTIME, &ts);
        dp->w.wall_s = ts.tv_sec;
    }
    atomic_fetch_add_explicit(&dp->c.rx, (uint64_t)n, memory_order_relaxed);
    struct out_frame outs[IO_BATCH];
    bool sent[IO_BATCH];
    uint32_t to[IO_BATCH];
    dp_forward_burst(dp, v, slot, dp->w.bufs, n, sent, to);
    int n_out = 0;
    for (int i = 0; i < n; i++) {
        if (sent[i])
            outs[n_out++] = (struct out_frame){.slot = to[i], .b = dp->w.bufs[i]};
        else
            atomic_fetch_add_explicit(&dp->port_drops[slot], 1, memory_order_relaxed);
    }
    flush(dp, v, outs, n_out);
    return n;
}

/* The worker forgets the flows of ports the control plane closed. */
static void flush_dead(struct dp *dp)
{
    uint32_t n_keys = sizeof dp->dead_keys / sizeof dp->dead_keys[0];
    uint32_t tail = atomic_load_explicit(&dp->dead_tail, memory_order_relaxed);
    uint32_t head = atomic_load_explicit(&dp->dead_head, memory_order_acquire);
    for (; tail != head; tail++)
        ct_flush_eni(dp->w.ct, dp->dead_keys[tail % n_keys]);
    atomic_store_explicit(&dp->dead_tail, tail, memory_order_release);
}

int dp_poll(struct dp *dp, int timeout_ms)
{
    atomic_fetch_add(&dp->epoch, 1);
    flush_dead(dp);
    dp_flowlog_pass(dp);
    const struct dp_view *v = atomic_load(&dp->view);
    if (!v)
        return 0;
    int handled = 0;
    /* Memory ports have no descriptor: look at each of them every pass. */
    bool fd_ports = false;
    for (uint32_t slot = 0; slot < DP_MAX_PORTS; slot++) {
        struct dp_port *p = v->ports[slot];
        if (!p)
            continue;
        if (io_port_fd(p->io) >= 0)
            fd_ports = true;
        else
            handled += poll_port(dp, v, slot);
    }
    if (!fd_ports || dp->epfd < 0)
        return handled;
    struct epoll_event evs[64];
    int n = epoll_wait(dp->epfd, evs, 64, handled ? 0 : timeout_ms);
    /* A change published while we slept applies to the frames that woke us: take the newest
     * view. The one loaded above stays alive (and its ports open) until the next pass, since
     * views retire only once the epoch has moved twice past them. */
    v = atomic_load(&dp->view);
    for (int i = 0; i < n; i++) {
        uint32_t slot = evs[i].data.u32;
        if (slot < DP_MAX_PORTS)
            handled += poll_port(dp, v, slot);
    }
    return handled;
}

static void *worker_main(void *arg)
{
    struct dp *dp = arg;
    uint64_t last_expiry = 0;
    while (atomic_load(&dp->running)) {
        dp_poll(dp, 10);
        /* Expire a bounded share of conntrack and NAT state once a millisecond at most: per
         * pass, a busy worker would spend more time sweeping than forwarding. Timeouts are
         * seconds long; 4096 slots a millisecond sweeps millions of slots a second. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
        if (now - last_expiry < 1000000u)
            continue;
        last_expiry = now;
        ct_expire(dp->w.ct, now, 4096);
        nat_table_expire(dp->w.nat, now, 4096);
        atomic_store_explicit(&dp->c.nat_bindings, nat_table_count(dp->w.nat),
                              memory_order_relaxed);
    }
    return NULL;
}

void dp_set_nat_idle_timeout(struct dp *dp, unsigned seconds)
{
    nat_table_set_idle_timeout(dp->w.nat, seconds);
}

int dp_start(struct dp *dp)
{
    atomic_store(&dp->running, true);
    int rc = pthread_create(&dp->thread, NULL, worker_main, dp);
    if (rc != 0) {
        atomic_store(&dp->running, false);
        return -rc;
    }
    dp->thread_started = true;
    return dp_flowlog_start(dp);
}

void dp_stop(struct dp *dp)
{
    dp_flowlog_stop(dp);
    if (dp->thread_started) {
        atomic_store(&dp->running, false);
        pthread_join(dp->thread, NULL);
        dp->thread_started = false;
    }
    /* What the last capture window holds is delivered, not lost. */
    dp_flowlog_flush(dp);
}

struct io_port *dp_port_of(struct dp *dp, const char *eni_id)
{
    for (int slot = 0; slot < DP_MAX_PORTS; slot++)
        if (dp->slots[slot] && !dp->slots[slot]->retiring &&
            strcmp(dp->slots[slot]->eni_id, eni_id) == 0)
            return dp->slots[slot]->io;
    return NULL;
}

void dp_metrics(struct dp *dp, struct strbuf *out)
{
    strbuf_puts(out, "# HELP vpcd_dp_frames_total Frames the data plane received and sent.\n"
                     "# TYPE vpcd_dp_frames_total counter\n");
    strbuf_printf(out, "vpcd_dp_frames_total{direction=\"rx\"} %llu\n",
                  (unsigned long long)atomic_load(&dp->c.rx));
    strbuf_printf(out, "vpcd_dp_frames_total{direction=\"tx\"} %llu\n",
                  (unsigned long long)atomic_load(&dp->c.tx));
    strbuf_puts(out, "# HELP vpcd_dp_answers_total Frames vpcd answered itself.\n"
                     "# TYPE vpcd_dp_answers_total counter\n");
    strbuf_printf(out, "vpcd_dp_answers_total{kind=\"arp\"} %llu\n",
                  (unsigned long long)atomic_load(&dp->c.arp_replies));
    strbuf_printf(out, "vpcd_dp_answers_total{kind=\"nd\"} %llu\n",
                  (unsigned long long)atomic_load(&dp->c.nd_replies));
    strbuf_printf(out, "vpcd_dp_answers_total{kind=\"router_ping\"} %llu\n",
                  (unsigned long long)atomic_load(&dp->c.pings));
    strbuf_printf(out, "vpcd_dp_answers_total{kind=\"nat_rst\"} %llu\n",
                  (unsigned long long)atomic_load(&dp->c.nat_resets));
    strbuf_printf(out, "vpcd_dp_answers_total{kind=\"dns\"} %llu\n",
                  (unsigned long long)atomic_load(&dp->c.dns_answers));
    strbuf_puts(out, "# HELP vpcd_dp_fast_path_total Packets the conntrack hit path forwarded "
                     "(established flows, no pipeline run).\n"
                     "# TYPE vpcd_dp_fast_path_total counter\n");
    strbuf_printf(out, "vpcd_dp_fast_path_total %llu\n",
                  (unsigned long long)atomic_load(&dp->c.fast_path));
    strbuf_puts(out, "# HELP vpcd_dp_tcp_mss_clamped_total TCP SYNs whose MSS option a transit "
                     "gateway lowered to fit its MTU.\n"
                     "# TYPE vpcd_dp_tcp_mss_clamped_total counter\n");
    strbuf_printf(out, "vpcd_dp_tcp_mss_clamped_total %llu\n",
                  (unsigned long long)atomic_load(&dp->c.mss_clamped));
    strbuf_puts(out, "# HELP vpcd_dp_internet_total Packets to and from the internet host.\n"
                     "# TYPE vpcd_dp_internet_total counter\n");
    strbuf_printf(out, "vpcd_dp_internet_total{direction=\"out\"} %llu\n",
                  (unsigned long long)atomic_load(&dp->c.to_internet));
    strbuf_printf(out, "vpcd_dp_internet_total{direction=\"in\"} %llu\n",
                  (unsigned long long)atomic_load(&dp->c.from_internet));
    strbuf_puts(out, "# HELP vpcd_dp_flow_log_records_total Flow log records delivered.\n"
                     "# TYPE vpcd_dp_flow_log_records_total counter\n");
    strbuf_printf(out, "vpcd_dp_flow_log_records_total %llu\n",
                  (unsigned long long)atomic_load(&dp->c.flow_log_records));
    strbuf_puts(out, "# HELP vpcd_dp_nat_bindings NAT gateway translations held.\n"
                     "# TYPE vpcd_dp_nat_bindings gauge\n");
    strbuf_printf(out, "vpcd_dp_nat_bindings %llu\n",
                  (unsigned long long)atomic_load(&dp->c.nat_bindings));
    strbuf_puts(out, "# HELP vpcd_dp_drops_total Frames dropped, by reason (AWS explanation "
                     "codes for forwarding decisions).\n# TYPE vpcd_dp_drops_total counter\n");
    for (unsigned r = 1; r < DP_DROP__COUNT; r++)
        strbuf_printf(out, "vpcd_dp_drops_total{reason=\"%s\"} %llu\n", drop_name(r),
                      (unsigned long long)atomic_load(&dp->c.drops[r]));
    strbuf_puts(out, "# HELP vpcd_dp_malformed_total Frames that did not parse, by defect.\n"
                     "# TYPE vpcd_dp_malformed_total counter\n");
    for (unsigned e = 1; e < PKT__ERR_COUNT; e++)
        strbuf_printf(out, "vpcd_dp_malformed_total{reason=\"%s\"} %llu\n",
                      pkt_error_name((enum pkt_error)e),
                      (unsigned long long)atomic_load(&dp->c.malformed[e]));
    strbuf_puts(out, "# HELP vpcd_dp_eni_drops_total Frames dropped, by the sending interface.\n"
                     "# TYPE vpcd_dp_eni_drops_total counter\n");
    const struct dp_view *v = atomic_load(&dp->view);
    for (int slot = 0; v && slot < DP_MAX_PORTS; slot++)
        if (v->ports[slot] && v->ports[slot]->eni_id[0]) /* the internet is no interface */
            strbuf_printf(out, "vpcd_dp_eni_drops_total{eni=\"%s\",instance=\"%s\"} %llu\n",
                          v->ports[slot]->eni_id, v->ports[slot]->instance_id,
                          (unsigned long long)atomic_load(&dp->port_drops[slot]));
}

bool dp_has_instance(const struct dp *dp, const char *id)
{
    for (size_t i = 0; i < dp->n_insts; i++)
        if (strcmp(dp->insts[i].spec.id, id) == 0)
            return true;
    return false;
}

void dp_hook_changed(void *ctx, const struct model *m)
{
    dp_sync(ctx, m);
}

void dp_hook_metrics(void *ctx, struct strbuf *out)
{
    dp_metrics(ctx, out);
}
