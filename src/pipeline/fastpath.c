/* The conntrack hit path; see fastpath.h for why its answers are pipeline_run()'s.
 *
 * The memo (struct ct_memo, 16 bytes beside the sender's entry) holds:
 *   w[0] the gen it was made under (0: none),
 *   w[1] the receiver's conntrack name,
 *   w[2] the receiving ENI << 8 | routed hops (3 bits) | MTU class (2 bits) << 3 |
 *        silent MTU << 5 | via peering << 6 | direction << 7,
 *   w[3] 0.
 * The direction is whether the packet's source is the key's endpoint b (ct_probe.from_b): an
 * appliance's interface sends both directions of the flows it forwards, and each direction
 * has its own decision, but the interface has one entry per flow.
 * The receiver's entry is found by the sender's hash (conntrack leaves the ENI out of it), so
 * it sits in the lines the sender's probe loaded.
 * The MTU class keeps the memo at 16 bytes: the pipeline's path MTUs are 9001, 8500 and
 * 1500 (reference 17), and a decision with any other value is not memoized. */
#include "pipeline/fastpath.h"
#include "pipeline/ct_inline.h"

#include <string.h>

#ifndef FAST_DISTANCE
#define FAST_DISTANCE 8u
#endif /* packets between the stages of the software pipeline */
#define FAST_MAX_HOPS 7u
#define FAST_MAX_ENI (UINT32_MAX >> 8)
#define FAST_SLOW_FLAGS (CT_TCP_SYN | CT_TCP_FIN | CT_TCP_RST)

static const uint16_t mtu_class[] = {9001, 8500, 1500};

#define FAST_FROM_B (1u << 7)

static uint32_t pack(const struct pl_result *res, unsigned cls, bool from_b)
{
    return res->eni << 8 | res->routed_hops | cls << 3 | (uint32_t)res->mtu_silent << 5 |
           (uint32_t)res->via_pcx << 6 | (from_b ? FAST_FROM_B : 0);
}

static void unpack(uint32_t w, struct pl_fast_verdict *v)
{
    v->eni = w >> 8;
    v->routed_hops = (uint8_t)(w & 7u);
    v->mtu = mtu_class[(w >> 3) & 3u];
    v->mtu_silent = (w >> 5) & 1u;
    v->via_pcx = (w >> 6) & 1u;
}

static bool eligible(const struct pl_fast_pkt *p)
{
    return (p->f->proto == FLOW_PROTO_TCP && !(p->tcp_flags & FAST_SLOW_FLAGS)) ||
           p->f->proto == FLOW_PROTO_UDP;
}

/* Stage 1: the sender's probe starts loading its slot. */
static void stage_probe(const struct ct_table *ct, struct pl_fast_pkt *p)
{
    p->hit = false;
    p->candidate = eligible(p);
    if (p->candidate)
        ct_probe_start(ct, &p->probe, p->ct_name, p->f, 0);
}

/* Stage 2: the sender's entry and memo, the receiver's entry, then both steps. */
static void stage_decide(struct ct_table *ct, uint32_t gen, struct pl_fast_pkt *p, uint64_t now_ns)
{
    if (!p->candidate)
        return;
    uint32_t slot = ct_probe_find(ct, &p->probe, now_ns);
    if (slot == CT_NO_SLOT || !ct_slot_admits(ct, slot, p->tcp_flags))
        return;
    const struct ct_memo *m = ct_memo_at(ct, slot);
    if (m->w[0] != gen || !(m->w[2] & FAST_FROM_B) != !p->probe.from_b)
        return;
    unpack(m->w[2], &p->v);
    unsigned ttl = p->ttl ? p->ttl : 64;
    if (p->v.routed_hops >= ttl || p->l3_len > p->v.mtu)
        return;
    uint32_t peer = ct_probe_find_at(ct, &p->probe, m->w[1], now_ns);
    if (peer == CT_NO_SLOT || !ct_slot_admits(ct, peer, p->tcp_flags))
        return;
    ct_slot_touch(ct, slot, p->probe.from_b, p->tcp_flags, now_ns);
    ct_slot_touch(ct, peer, p->probe.from_b, p->tcp_flags, now_ns);
    p->hit = true;
}

void pl_fast_run(struct ct_table *ct, uint32_t gen, struct pl_fast_pkt *pkts, size_t n,
                 uint64_t now_ns)
{
    /* Packet i's tags are read at step i + D and its entries at step i + 2D, each D packets
     * after they were requested. */
    const size_t d = FAST_DISTANCE;
    if (gen == 0) { /* an entry without a memo carries gen 0 */
        for (size_t i = 0; i < n; i++)
            pkts[i].hit = false;
        return;
    }
    for (size_t step = 0; step < n + 2 * d; step++) {
        if (step < n)
            stage_probe(ct, &pkts[step]);
        if (step >= d && step - d < n && pkts[step - d].candidate)
            ct_probe_scan(ct, &pkts[step - d].probe);
        if (step >= 2 * d)
            stage_decide(ct, gen, &pkts[step - 2 * d], now_ns);
    }
}

void pl_fast_note(struct pl_fast_notes *n, uint32_t eni, bool egress, uint32_t ct_name,
                  uint32_t slot)
{
    if (n->n >= 2) {
        n->spoiled = true;
        return;
    }
    n->eni[n->n] = eni;
    n->egress[n->n] = egress;
    n->name[n->n] = ct_name;
    n->slot[n->n] = slot;
    n->n++;
}

void pl_fast_spoil(struct pl_fast_notes *n)
{
    n->spoiled = true;
}

static bool flows_equal(const struct flow *a, const struct flow *b)
{
    return a->family == b->family && a->proto == b->proto && a->sport == b->sport &&
           a->dport == b->dport && memcmp(a->src, b->src, 16) == 0 &&
           memcmp(a->dst, b->dst, 16) == 0;
}

bool pl_fast_learn(struct ct_table *ct, uint32_t gen, const struct fib_snapshot *s, uint32_t sender,
                   const struct flow *f, uint8_t tcp_flags, const struct pl_fast_notes *notes,
                   const struct pl_result *res)
{
    if (gen == 0 || notes->spoiled || notes->n != 2 || res->outcome != PL_DELIVERED)
        return false;
    /* Exactly the sender's SGs on the way out and the receiver's on the way in, both tracked. */
    if (notes->eni[0] != sender || !notes->egress[0] || notes->eni[1] != res->eni ||
        notes->egress[1] || res->eni == sender)
        return false;
    if (f->proto != FLOW_PROTO_TCP && f->proto != FLOW_PROTO_UDP)
        return false;
    if ((f->proto == FLOW_PROTO_TCP && (tcp_flags & FAST_SLOW_FLAGS)) || !flows_equal(f, &res->f) ||
        res->routed_hops > FAST_MAX_HOPS || res->eni > FAST_MAX_ENI)
        return false;
    /* Flow logs see every packet: the slow path records them. */
    if (res->n_tgw_legs ? s->n_flow_logs != 0
                        : s->enis[sender].n_flow_logs || s->enis[res->eni].n_flow_logs)
        return false;
    unsigned cls = 0;
    while (cls < 3 && mtu_class[cls] != res->mtu)
        cls++;
    if (cls == 3)
        return false;
    struct ct_probe dir;
    ct_probe_start(ct, &dir, notes->name[0], f, 0);
    struct ct_memo *m = ct_memo_at(ct, notes->slot[0]);
    m->w[0] = gen;
    m->w[1] = notes->name[1];
    m->w[2] = pack(res, cls, dir.from_b);
    m->w[3] = 0;
    return true;
}
