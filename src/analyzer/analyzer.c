/* Network Insights analyses: the first packet of a flow and its reply, each run through the
 * pipeline leg by leg (a leg ends where an appliance takes the packet and sends it on). */
#include "analyzer/analyzer.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "model/resources.h"

/* Appliances one direction may cross before the analysis calls it a loop. */
#define AN_MAX_LEGS 8
/* Port the analyzer's imagined client uses when the path gives none: Linux's ephemeral range
 * starts at 32768 and AWS's NACL guidance uses 49152-65535, so a NACL that forgets ephemeral
 * ports blocks this reply just as it blocks real ones. */
#define AN_EPHEMERAL_PORT 49152
/* The internet host the contract puts in vpcd-internet, used when a path leaves through an
 * internet gateway without a destination address. */
#define AN_INTERNET_HOST "198.51.100.1"

/* Components a path may end at without being a packet's final receiver: the path is found
 * when the packet passes them (AWS analyzes paths to these without a return path). */
static const struct {
    const char *prefix;
    enum res_type type;
    enum fib_obj obj;
} transit_ends[] = {
    {"tgw-attach-", RES_TGW_ATTACH, FIB_OBJ_TGW_ATTACH},
    {"tgw-", RES_TGW, FIB_OBJ_TGW},
    {"pcx-", RES_PCX, FIB_OBJ_PCX},
    {"nat-", RES_NAT, FIB_OBJ_NAT},
};

static int transit_end(const char *id)
{
    for (size_t i = 0; i < sizeof transit_ends / sizeof transit_ends[0]; i++)
        if (strncmp(id, transit_ends[i].prefix, strlen(transit_ends[i].prefix)) == 0)
            return (int)i;
    return -1;
}

static int endpoint_check(const struct model *m, const struct scope *caller, const char *id,
                          bool destination, struct merr *err)
{
    enum res_type t;
    int te = transit_end(id);
    if (strncmp(id, "i-", 2) == 0)
        t = RES_INSTANCE;
    else if (strncmp(id, "eni-", 4) == 0)
        t = RES_ENI;
    else if (strncmp(id, "igw-", 4) == 0)
        t = RES_IGW;
    else if (destination && te >= 0)
        t = transit_ends[te].type;
    else
        return merr_set(err, "InvalidParameterValue",
                        "The resource %s is not a supported %s: use an instance (i-), network "
                        "interface (eni-) or internet gateway (igw-) id%s.",
                        id, destination ? "destination" : "source",
                        destination ? ", or a transit gateway (attachment), peering connection "
                                      "or NAT gateway id with a DestinationIp"
                                    : "");
    if (res_lookup(m, caller, t, id, err))
        return 0;
    /* Unlike AWS, a destination may be in another region of the caller's account: paths
     * across inter-region peerings and TGW peerings are analyzed. */
    for (size_t i = 0; destination && i < m->scopes.n; i++) {
        const struct scope *sc = (const struct scope *)m->scopes.items[i];
        if (sc != caller && strcmp(sc->account, caller->account) == 0 && res_find(m, sc, t, id))
            return 0;
    }
    return -1;
}

int analyzer_check(const struct model *m, const struct scope *caller, const struct an_request *rq,
                   struct merr *err)
{
    if (!rq->source || !*rq->source)
        return merr_set(err, "MissingParameter", "The request must contain the parameter Source.");
    if (endpoint_check(m, caller, rq->source, false, err))
        return -1;
    if (rq->destination && *rq->destination) {
        if (endpoint_check(m, caller, rq->destination, true, err))
            return -1;
        if (transit_end(rq->destination) >= 0 && (!rq->destination_ip || !*rq->destination_ip))
            return merr_set(err, "InvalidParameterValue",
                            "A path to %s needs a DestinationIp: the address the packet is "
                            "sent to through it.",
                            rq->destination);
        if (strcmp(rq->source, rq->destination) == 0)
            return merr_set(err, "InvalidParameterValue",
                            "The source and the destination are the same resource.");
    } else if (!rq->destination_ip || !*rq->destination_ip) {
        return merr_set(err, "InvalidParameterValue", "Specify a Destination or a DestinationIp.");
    }
    uint32_t ip;
    if (rq->source_ip && *rq->source_ip && ip4_parse(rq->source_ip, &ip))
        return merr_set(err, "InvalidParameterValue", "Invalid IPv4 address: %s", rq->source_ip);
    if (rq->destination_ip && *rq->destination_ip && ip4_parse(rq->destination_ip, &ip))
        return merr_set(err, "InvalidParameterValue", "Invalid IPv4 address: %s",
                        rq->destination_ip);
    if (rq->protocol != 6 && rq->protocol != 17 && rq->protocol != 1)
        return merr_set(err, "InvalidParameterValue",
                        "Protocol must be tcp or udp (vpcd also accepts icmp).");
    if (rq->destination_port > 65535 || rq->source_port > 65535)
        return merr_set(err, "InvalidParameterValue", "Ports are 0-65535.");
    return 0;
}

/* ---- one analysis ---- */

struct nat_binding {
    uint32_t nat;
    struct flow orig, xlat;
};

struct an_ctx {
    struct nat_binding nat[4];
    size_t n_nat;
};

static int an_nat_out(void *ctx, uint32_t nat, const struct flow *f, const uint8_t nat_ip[4],
                      struct flow *out)
{
    struct an_ctx *c = ctx;
    *out = *f;
    memcpy(out->src, nat_ip, 4);
    /* The gateway remaps into 1024-65535 (REMAP_EPHEMERAL_PORT); the analyzer keeps the port
     * when it already lies there. */
    if (f->proto != FLOW_PROTO_ICMP && out->sport < 1024)
        out->sport = (uint16_t)(1024 + out->sport);
    if (c->n_nat < sizeof c->nat / sizeof c->nat[0])
        c->nat[c->n_nat++] = (struct nat_binding){.nat = nat, .orig = *f, .xlat = *out};
    return 0;
}

static int an_nat_in(void *ctx, uint32_t nat, const struct flow *f, struct flow *out)
{
    struct an_ctx *c = ctx;
    for (size_t i = 0; i < c->n_nat; i++) {
        const struct nat_binding *b = &c->nat[i];
        bool ports = f->proto == FLOW_PROTO_ICMP || f->dport == b->xlat.sport;
        if (b->nat == nat && f->proto == b->xlat.proto && memcmp(f->dst, b->xlat.src, 4) == 0 &&
            memcmp(f->src, b->xlat.dst, 4) == 0 && ports) {
            *out = *f;
            memcpy(out->dst, b->orig.src, 4);
            if (f->proto != FLOW_PROTO_ICMP)
                out->dport = b->orig.sport;
            return 0;
        }
    }
    return -1;
}

static bool an_tracked(void *ctx, uint32_t eni, bool egress, const struct flow *f)
{
    (void)ctx, (void)eni, (void)egress, (void)f;
    return true; /* on the return path every SG sees the reply of the flow it let out */
}

static bool an_eigw_tracked(void *ctx, uint32_t eigw, const struct flow *f)
{
    (void)ctx, (void)eigw, (void)f;
    return true;
}

static struct flow reply_of(const struct flow *f)
{
    struct flow r = *f;
    memcpy(r.src, f->dst, 16);
    memcpy(r.dst, f->src, 16);
    if (f->proto == FLOW_PROTO_ICMP) {
        r.sport = 0; /* echo reply */
        r.dport = 0;
    } else {
        r.sport = f->dport;
        r.dport = f->sport;
    }
    return r;
}

struct an_target {
    uint32_t eni;        /* the ENI that must receive it, or FIB_NONE */
    uint32_t igw;        /* the gateway it must leave by (internet destinations), or FIB_NONE */
    uint32_t addr;       /* the destination address (host order) */
    const char *through; /* a component the packet must pass (transit_ends), or NULL */
};

static bool passed(const struct pl_trace *t, const char *id)
{
    for (size_t i = 0; i < t->n_hops; i++)
        if (t->hops[i].allow && strcmp(t->hops[i].id, id) == 0)
            return true;
    return false;
}

/* True when a run's end is the target. */
static bool arrived(const struct fib_snapshot *s, const struct pl_result *res,
                    const struct an_target *t)
{
    if (res->outcome == PL_DELIVERED) {
        if (t->eni != FIB_NONE)
            return res->eni == t->eni;
        return fib_eni_has_addr(&s->enis[res->eni], 4, res->f.dst);
    }
    if (res->outcome == PL_TO_INTERNET)
        return t->eni == FIB_NONE && (t->igw == FIB_NONE || t->igw == res->gateway);
    return false;
}

static void trace_append(struct pl_trace *dst, const struct pl_trace *src)
{
    for (size_t i = 0; i < src->n_hops && dst->n_hops < PL_MAX_HOPS; i++)
        dst->hops[dst->n_hops++] = src->hops[i];
}

/* Runs one direction from pkt until it arrives at t, is dropped, or ends somewhere else.
 * Appliances (an ENI that received a packet not addressed to it) send it on. */
static bool an_direction(const struct fib_snapshot *s, struct pl_packet pkt,
                         const struct pipeline_hooks *hooks, const struct an_target *t,
                         struct an_path *path, struct pl_trace *leg)
{
    path->run = true;
    for (unsigned i = 0; i < AN_MAX_LEGS; i++) {
        if (leg)
            leg->n_hops = 0;
        pipeline_run(s, &pkt, hooks, leg, &path->result);
        path->n_legs++;
        if (leg)
            trace_append(&path->trace, leg);
        const struct pl_result *res = &path->result;
        if (t->through ? passed(&path->trace, t->through) : arrived(s, res, t)) {
            path->arrived = true;
            return true;
        }
        if (res->outcome != PL_DELIVERED ||
            fib_eni_has_addr(&s->enis[res->eni], res->f.family, res->f.dst))
            return false; /* dropped, or delivered to someone else */
        pkt.origin = PL_FROM_ENI;
        pkt.eni = res->eni;
        pkt.f = res->f;
    }
    return false;
}

/* The verdict when a direction ended without arriving: its drop, or (delivered to another
 * interface than the destination) NO_POSSIBLE_DESTINATION at that interface. */
static void an_blame(const struct fib_snapshot *s, const struct an_path *p, bool ret,
                     struct an_result *out)
{
    out->path_found = false;
    out->on_return_path = ret;
    if (p->result.outcome == PL_DROPPED) {
        out->code = p->result.code;
        out->where = p->result.where;
        return;
    }
    out->code = PL_NO_POSSIBLE_DESTINATION;
    memset(&out->where, 0, sizeof out->where);
    if (p->result.outcome == PL_DELIVERED) {
        const struct fib_eni *e = &s->enis[p->result.eni];
        out->where.kind = PL_HOP_ENI;
        snprintf(out->where.id, sizeof out->where.id, "%s", e->id);
        snprintf(out->where.instance_id, sizeof out->where.instance_id, "%s", e->instance_id);
    } else {
        out->where.kind = PL_HOP_INTERNET;
        snprintf(out->where.id, sizeof out->where.id, "internet");
    }
    out->where.in = out->where.out = p->result.f;
}

static void set4(uint8_t *a, uint32_t host)
{
    uint32_t be = htonl(host);
    memset(a, 0, 16);
    memcpy(a, &be, 4);
}

static uint32_t primary_ip(const struct fib_snapshot *s, uint32_t eni)
{
    return s->enis[eni].n_ips4 ? s->enis[eni].ips4[0] : 0;
}

static int resolve(const struct fib_snapshot *s, const char *id, uint32_t *eni, uint32_t *igw,
                   struct merr *err)
{
    *eni = *igw = FIB_NONE;
    if (strncmp(id, "i-", 2) == 0)
        *eni = fib_find(s, FIB_OBJ_INSTANCE, id);
    else if (strncmp(id, "eni-", 4) == 0)
        *eni = fib_find(s, FIB_OBJ_ENI, id);
    else if (strncmp(id, "igw-", 4) == 0)
        *igw = fib_find(s, FIB_OBJ_IGW, id);
    if (*eni == FIB_NONE && *igw == FIB_NONE)
        return merr_set(err, "InvalidParameterValue",
                        "The resource %s of the path no longer exists.", id);
    return 0;
}

static void flow_ports(struct flow *f, int protocol, int sport, int dport)
{
    f->family = 4;
    f->proto = (uint8_t)protocol;
    if (protocol == FLOW_PROTO_ICMP) {
        f->sport = 8; /* echo request, code 0 */
        f->dport = 0;
    } else {
        f->sport = (uint16_t)(sport >= 0 ? sport : AN_EPHEMERAL_PORT);
        f->dport = (uint16_t)(dport >= 0 ? dport : 1);
    }
}

static void analyze(const struct fib_snapshot *s, const struct pl_packet *first,
                    const struct an_target *fwd_t, const struct an_target *src_t,
                    struct an_result *out, bool want_trace)
{
    struct an_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    struct pipeline_hooks fwd_hooks = {.ctx = &ctx, .nat_out = an_nat_out};
    struct pipeline_hooks ret_hooks = {.ctx = &ctx,
                                       .sg_tracked = an_tracked,
                                       .nat_in = an_nat_in,
                                       .eigw_tracked = an_eigw_tracked};
    static _Thread_local struct pl_trace leg;
    struct pl_trace *legp = want_trace ? &leg : NULL;
    out->path_found = true;
    if (!an_direction(s, *first, &fwd_hooks, fwd_t, &out->forward, legp)) {
        an_blame(s, &out->forward, false, out);
        return;
    }
    if (fwd_t->through)
        return; /* a path to a transit component has no return path */
    const struct pl_result *fr = &out->forward.result;
    struct pl_packet back = {.f = reply_of(&fr->f)};
    if (fr->outcome == PL_DELIVERED) {
        back.origin = PL_FROM_ENI;
        back.eni = fr->eni;
    } else {
        back.origin = PL_FROM_INTERNET;
        back.igw = fr->via_eigw ? FIB_NONE : fr->gateway;
    }
    struct an_target ret_t = *src_t;
    if (!an_direction(s, back, &ret_hooks, &ret_t, &out->ret, legp)) {
        an_blame(s, &out->ret, true, out);
        return;
    }
    /* The reply must come back to the exact address and port the flow left from. */
    struct flow want = reply_of(&first->f);
    if (memcmp(out->ret.result.f.dst, want.dst, 4) != 0 ||
        (first->f.proto != FLOW_PROTO_ICMP && out->ret.result.f.dport != want.dport)) {
        out->ret.arrived = false;
        an_blame(s, &out->ret, true, out);
        out->code = PL_NO_POSSIBLE_DESTINATION;
    }
}

int analyzer_run(const struct fib_snapshot *s, const struct an_request *rq, struct an_result *out,
                 struct merr *err)
{
    memset(out, 0, sizeof *out);
    uint32_t src_eni, src_igw, dst_eni = FIB_NONE, dst_igw = FIB_NONE;
    if (resolve(s, rq->source, &src_eni, &src_igw, err))
        return -1;
    const char *through = NULL;
    if (rq->destination && *rq->destination) {
        int te = transit_end(rq->destination);
        if (te >= 0) {
            if (fib_find(s, transit_ends[te].obj, rq->destination) == FIB_NONE)
                return merr_set(err, "InvalidParameterValue",
                                "The resource %s of the path no longer exists.", rq->destination);
            through = rq->destination;
        } else if (resolve(s, rq->destination, &dst_eni, &dst_igw, err)) {
            return -1;
        }
    }
    uint32_t src_ip = 0, dst_ip = 0;
    if (rq->source_ip && *rq->source_ip)
        ip4_parse(rq->source_ip, &src_ip);
    else if (src_eni != FIB_NONE)
        src_ip = primary_ip(s, src_eni);
    else
        ip4_parse(AN_INTERNET_HOST, &src_ip);
    if (rq->destination_ip && *rq->destination_ip) {
        ip4_parse(rq->destination_ip, &dst_ip);
    } else if (dst_eni != FIB_NONE) {
        dst_ip = primary_ip(s, dst_eni);
        /* From the internet an instance is only addressable by its public address. */
        if (src_igw != FIB_NONE) {
            uint32_t pub = fib_public_of(s, dst_eni, dst_ip);
            if (pub)
                dst_ip = pub;
        }
    } else {
        ip4_parse(AN_INTERNET_HOST, &dst_ip);
    }
    struct pl_packet first = {.origin = src_eni != FIB_NONE ? PL_FROM_ENI : PL_FROM_INTERNET,
                              .eni = src_eni,
                              .igw = src_igw};
    flow_ports(&first.f, rq->protocol, rq->source_port, rq->destination_port);
    set4(first.f.src, src_ip);
    set4(first.f.dst, dst_ip);
    struct an_target fwd_t = {.eni = dst_eni, .igw = dst_igw, .addr = dst_ip, .through = through};
    struct an_target src_t = {.eni = src_eni, .igw = src_igw, .addr = src_ip};
    analyze(s, &first, &fwd_t, &src_t, out, true);
    return 0;
}

void analyzer_matrix(const struct fib_snapshot *s, const uint32_t *enis, size_t n, int protocol,
                     int port, uint8_t *matrix)
{
    static _Thread_local struct an_result res;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            if (i == j) {
                matrix[i * n + j] = 1;
                continue;
            }
            struct pl_packet first = {.origin = PL_FROM_ENI, .eni = enis[i]};
            flow_ports(&first.f, protocol, -1, port);
            set4(first.f.src, primary_ip(s, enis[i]));
            set4(first.f.dst, primary_ip(s, enis[j]));
            struct an_target fwd_t = {.eni = enis[j], .igw = FIB_NONE};
            struct an_target src_t = {.eni = enis[i], .igw = FIB_NONE};
            res.path_found = false;
            res.forward.run = res.ret.run = false;
            res.forward.n_legs = res.ret.n_legs = 0;
            res.forward.arrived = res.ret.arrived = false;
            analyze(s, &first, &fwd_t, &src_t, &res, false);
            matrix[i * n + j] = res.path_found ? 1 : 0;
        }
    }
}

/* ---- the cached snapshot ---- */

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fib_snapshot *cache;
static const struct model *cache_model;

struct fib_snapshot *analyzer_snapshot(const struct model *m)
{
    pthread_mutex_lock(&cache_lock);
    if (!cache || cache_model != m || cache->generation != m->generation) {
        struct fib_snapshot *next =
            fib_snapshot_build_from(m, cache && cache_model == m ? cache : NULL);
        fib_snapshot_unref(cache);
        cache = next;
        cache_model = m;
    }
    struct fib_snapshot *s = fib_snapshot_ref(cache);
    pthread_mutex_unlock(&cache_lock);
    return s;
}

void analyzer_snapshot_release(void)
{
    pthread_mutex_lock(&cache_lock);
    fib_snapshot_unref(cache);
    cache = NULL;
    cache_model = NULL;
    pthread_mutex_unlock(&cache_lock);
}
