/* Conntrack's table layout and its per-packet operations, inline: the data plane's fast path
 * (fastpath.c) runs them over vectors of packets in one loop, and calls into another file per
 * packet would cost as much as the work itself (about 10 ns a packet, measured with plbench).
 * Only conntrack.c, fastpath.c and their unit tests include this; everything else uses
 * conntrack.h.
 *
 * The probe functions are ct_lookup() in parts, so the cache misses of a vector of lookups
 * overlap: ct_probe_start() builds the key and hash and starts loading the tags,
 * ct_probe_scan() (after other packets' starts) reads the tags and starts loading the entries
 * they point to, and ct_probe_find() (after other packets' scans) reads the entries. */
#ifndef VPCD_PIPELINE_CT_INLINE_H
#define VPCD_PIPELINE_CT_INLINE_H

#include <string.h>

#include "pipeline/conntrack.h"

/* The flow classes of the header comment; part of the key so that, e.g., an echo with id 0
 * and another ICMP message between the same hosts stay apart. */
enum ct_kind {
    CT_KIND_TCP = 1,
    CT_KIND_UDP,
    CT_KIND_ECHO,
    CT_KIND_ICMP, /* ICMP that is neither echo nor error: addresses only */
    CT_KIND_OTHER,
};

/* struct ct_key (conntrack.h) is compared and hashed as six 64-bit words. */
_Static_assert(sizeof(struct ct_key) == 48, "ct_key is hashed as six 64-bit words");

#define CT_ORIG_IS_B 0x01u /* the packet that created the entry came from endpoint b */
#define CT_FIN_REPLY 0x02u /* TCP: the first FIN came against the original direction */

struct ct_entry {
    struct ct_key k;
    uint64_t deadline; /* live while now < deadline */
    uint32_t hash;     /* the hash's upper half, which chooses the home slot */
    uint8_t state;     /* enum ct_state */
    uint8_t bits;      /* CT_ORIG_IS_B | CT_FIN_REPLY */
    uint8_t pad[2];
};
_Static_assert(sizeof(struct ct_entry) == 64, "one conntrack entry per cache line");

struct ct_table {
    size_t capacity;
    size_t n_used;
    uint32_t n_slots;
    uint32_t cursor;      /* where the expiry sweep continues */
    uint64_t seed[6];     /* of the hash, one per key word */
    uint16_t *tags;       /* n_slots, after the slots: 0 empty, else the hash's low bits | 1 */
    struct ct_memo *memo; /* n_slots, after the tags: slot i's entry's memo */
    uint8_t pad[40];
    struct ct_entry slots[];
};
_Static_assert(sizeof(struct ct_table) % 64 == 0, "slots start on a cache line");

static const uint32_t ct_timeout_s[CT__STATE_COUNT] = {
    [CT_TCP_SYN_SENT] = CT_TIMEOUT_TCP_SYN_SENT_S,
    [CT_TCP_SYN_RECV] = CT_TIMEOUT_TCP_SYN_RECV_S,
    [CT_TCP_ESTABLISHED] = CT_TIMEOUT_TCP_ESTABLISHED_S,
    [CT_TCP_FIN_WAIT] = CT_TIMEOUT_TCP_FIN_WAIT_S,
    [CT_TCP_LAST_ACK] = CT_TIMEOUT_TCP_LAST_ACK_S,
    [CT_TCP_TIME_WAIT] = CT_TIMEOUT_TCP_TIME_WAIT_S,
    [CT_TCP_CLOSE] = CT_TIMEOUT_TCP_CLOSE_S,
    [CT_UDP_NEW] = CT_TIMEOUT_UDP_S,
    [CT_UDP_REPLIED] = CT_TIMEOUT_UDP_S,
    [CT_UDP_STREAM] = CT_TIMEOUT_UDP_STREAM_S,
    [CT_ICMP] = CT_TIMEOUT_ICMP_S,
    [CT_OTHER] = CT_TIMEOUT_OTHER_S,
};

/* ---- keys ---- */

static inline bool icmp_is_error(uint8_t family, uint16_t type)
{
    if (family == 4)
        return type == 3 || type == 11 || type == 12;
    return type >= 1 && type <= 4;
}

/* 1: echo request, 2: echo reply, 0: neither. */
static inline int icmp_echo(uint8_t family, uint16_t type)
{
    if (family == 4)
        return type == 8 ? 1 : type == 0 ? 2 : 0;
    return type == 128 ? 1 : type == 129 ? 2 : 0;
}

static inline bool is_icmp(const struct flow *f)
{
    return (f->family == 4 && f->proto == FLOW_PROTO_ICMP) ||
           (f->family == 6 && f->proto == FLOW_PROTO_ICMPV6);
}

/* Big-endian loads: numeric order of the result is the byte order of the address. */
static inline uint64_t load_be64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint64_t load_be32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

static inline bool same_addr(uint8_t family, const uint8_t *x, const uint8_t *y)
{
    return family == 4 ? memcmp(x, y, 4) == 0 : memcmp(x, y, 16) == 0;
}

enum { CT_KEY_OK, CT_KEY_ERROR, CT_KEY_BAD };

/* Builds f's key at eni. *from_b: f's source is endpoint b. CT_KEY_ERROR for ICMP errors,
 * CT_KEY_BAD for an unknown family. Written without data-dependent branches on the addresses
 * and ports: which endpoint sorts first is a coin toss per packet (request or reply), and a
 * mispredicted branch there costs as much as the rest of the key. */
static inline int make_key(struct ct_key *k, uint32_t eni, const struct flow *f, uint16_t icmp_id,
                           bool *from_b)
{
    uint64_t s0, s1, d0, d1;
    if (f->family == 4) {
        s0 = load_be32(f->src);
        d0 = load_be32(f->dst);
        s1 = d1 = 0;
    } else if (f->family == 6) {
        s0 = load_be64(f->src);
        s1 = load_be64(f->src + 8);
        d0 = load_be64(f->dst);
        d1 = load_be64(f->dst + 8);
    } else {
        return CT_KEY_BAD;
    }
    uint16_t sport = 0, dport = 0;
    uint8_t kind;
    if (f->proto == FLOW_PROTO_TCP || f->proto == FLOW_PROTO_UDP) {
        kind = f->proto == FLOW_PROTO_TCP ? CT_KIND_TCP : CT_KIND_UDP;
        sport = f->sport;
        dport = f->dport;
    } else if (is_icmp(f)) {
        if (icmp_is_error(f->family, f->sport))
            return CT_KEY_ERROR;
        kind = icmp_echo(f->family, f->sport) ? CT_KIND_ECHO : CT_KIND_ICMP;
    } else {
        kind = CT_KIND_OTHER;
    }
    bool gt = (s0 > d0) | ((s0 == d0) & ((s1 > d1) | ((s1 == d1) & (sport > dport))));
    bool eq = (s0 == d0) & (s1 == d1) & (sport == dport);
    uint64_t m = -(uint64_t)gt;
    k->a[0] = (s0 & ~m) | (d0 & m);
    k->a[1] = (s1 & ~m) | (d1 & m);
    k->b[0] = (d0 & ~m) | (s0 & m);
    k->b[1] = (d1 & ~m) | (s1 & m);
    k->eni = eni;
    k->family = f->family;
    k->proto = f->proto;
    k->kind = kind;
    k->zero = 0;
    *from_b = gt;
    if (kind == CT_KIND_ECHO) {
        /* The requester is the source of a request and the destination of a reply. */
        bool request = icmp_echo(f->family, f->sport) == 1;
        k->req_is_b = request ? gt : !gt && !eq;
        k->pa = icmp_id;
        k->pb = 0;
    } else {
        uint16_t m16 = (uint16_t)m;
        k->req_is_b = 0;
        k->pa = (uint16_t)((sport & ~m16) | (dport & m16));
        k->pb = (uint16_t)((dport & ~m16) | (sport & m16));
    }
    return CT_KEY_OK;
}

static inline uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline bool key_eq(const struct ct_key *x, const struct ct_key *y)
{
    const uint8_t *p = (const uint8_t *)x, *q = (const uint8_t *)y;
    uint64_t d = 0;
    for (size_t i = 0; i < sizeof *x; i += 8)
        d |= load64(p + i) ^ load64(q + i);
    return d == 0;
}

/* 64 x 64 -> 128-bit multiply, folded: every input bit reaches many output bits. */
static inline uint64_t mum(uint64_t x, uint64_t y)
{
    __extension__ unsigned __int128 r = (unsigned __int128)x * y;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* Three independent multiplies (they run in parallel) over the six key words, each word mixed
 * with its own seed first, then one more to spread the result. The seeds differ per table
 * (see ct_table_new), which makes colliding flows harder to precompute; it is not a
 * cryptographic defence.
 * The ENI is left out: a flow's entries at its sender and its receiver then share their home
 * slot, so the fast path finds the receiver's entry in the cache lines that the sender's
 * lookup already loaded. Only the ENIs on one flow's path share a home that way. */
static inline uint64_t key_hash(const struct ct_key *k, const uint64_t *seed)
{
    const uint8_t *p = (const uint8_t *)k;
    uint64_t ports = (uint64_t)k->pa << 16 | k->pb;
    uint64_t h = mum(load64(p) ^ seed[0], load64(p + 16) ^ seed[1]) ^
                 mum(load64(p + 8) ^ seed[2], load64(p + 24) ^ seed[3]) ^
                 mum(ports ^ seed[4], load64(p + 40) ^ seed[5]);
    return mum(h, 0x9e3779b97f4a7c15ull);
}

/* ---- slots ---- */

/* How far ct_probe_scan looks: beyond it, ct_probe_find just takes the misses. */
#define CT_SCAN_SLOTS 32u

static inline uint32_t hash_home(uint64_t h)
{
    return (uint32_t)(h >> 32);
}

static inline uint16_t hash_tag(uint64_t h)
{
    return (uint16_t)(h | 1);
}

static inline uint32_t home_slot(const struct ct_table *t, uint32_t home_hash)
{
    return (uint32_t)(((uint64_t)home_hash * t->n_slots) >> 32);
}

static inline uint32_t next_slot(const struct ct_table *t, uint32_t i)
{
    return i + 1 == t->n_slots ? 0 : i + 1;
}

static inline uint32_t find(const struct ct_table *t, const struct ct_key *k, uint64_t h)
{
    uint16_t tag = hash_tag(h);
    for (uint32_t i = home_slot(t, hash_home(h));; i = next_slot(t, i)) {
        uint16_t g = t->tags[i];
        if (g == 0)
            return CT_NO_SLOT;
        if (g == tag && key_eq(&t->slots[i].k, k))
            return i;
    }
}

/* ---- state ---- */

static inline uint64_t deadline_after(uint64_t now, enum ct_state s)
{
    uint64_t d = (uint64_t)ct_timeout_s[s] * CT_NS_PER_S;
    return now > UINT64_MAX - d ? UINT64_MAX : now + d;
}

/* A packet of a live TCP entry, `reply` against its direction. Returns false when the packet
 * does not belong to the connection (a responder's SYN after close opens a new one). */
static inline bool tcp_step(struct ct_entry *e, bool reply, uint8_t flags)
{
    bool syn = flags & CT_TCP_SYN, ack = flags & CT_TCP_ACK, fin = flags & CT_TCP_FIN;
    bool fin_reply = e->bits & CT_FIN_REPLY;
    if (flags & CT_TCP_RST) {
        e->state = CT_TCP_CLOSE;
        return true;
    }
    switch ((enum ct_state)e->state) {
    case CT_TCP_TIME_WAIT:
    case CT_TCP_CLOSE:
        /* A SYN after the close is a new connection, from either side, even on the same ports:
         * the SG rules judge it as they judge any first packet (ct_commit then replaces this
         * entry), or a connection the rules no longer allow would get in through an old one. */
        return !(syn && !ack);
    case CT_TCP_SYN_SENT:
        if (reply && syn) {
            e->state = CT_TCP_SYN_RECV;
            return true;
        }
        break;
    case CT_TCP_SYN_RECV:
        if (ack && !syn && !fin) {
            e->state = CT_TCP_ESTABLISHED;
            return true;
        }
        break;
    case CT_TCP_ESTABLISHED:
        break;
    case CT_TCP_FIN_WAIT:
        if (fin && reply != fin_reply)
            e->state = CT_TCP_LAST_ACK;
        return true;
    case CT_TCP_LAST_ACK:
        /* The first closer acknowledges the second FIN. */
        if (ack && !fin && !syn && reply == fin_reply)
            e->state = CT_TCP_TIME_WAIT;
        return true;
    default:
        return true;
    }
    /* SYN_SENT, SYN_RECV, ESTABLISHED: the first FIN. */
    if (fin) {
        e->state = CT_TCP_FIN_WAIT;
        e->bits = (uint8_t)((e->bits & ~CT_FIN_REPLY) | (reply ? CT_FIN_REPLY : 0));
    }
    return true;
}

static inline void udp_step(struct ct_entry *e, bool reply)
{
    if (e->state == CT_UDP_REPLIED || e->state == CT_UDP_STREAM)
        e->state = CT_UDP_STREAM;
    else if (reply)
        e->state = CT_UDP_REPLIED;
}

/* The step and refresh a packet of a live entry causes; false (nothing changed) when the entry
 * refuses the packet. */
static inline bool entry_step(struct ct_entry *e, bool from_b, uint8_t tcp_flags, uint64_t now)
{
    bool reply = from_b != (bool)(e->bits & CT_ORIG_IS_B);
    if (e->k.kind == CT_KIND_TCP) {
        if (!tcp_step(e, reply, tcp_flags))
            return false;
    } else if (e->k.kind == CT_KIND_UDP) {
        udp_step(e, reply);
    }
    e->deadline = deadline_after(now, (enum ct_state)e->state);
    return true;
}

/* Builds f's key at eni and its hash into *p and starts loading p's tags. */
static inline void ct_probe_start(const struct ct_table *t, struct ct_probe *p, uint32_t eni,
                                  const struct flow *f, uint16_t icmp_id)
{
    p->ok = make_key(&p->k, eni, f, icmp_id, &p->from_b) == CT_KEY_OK;
    p->n_cand = 0;
    p->scan_complete = false;
    if (!p->ok)
        return;
    p->hash = key_hash(&p->k, t->seed);
    uint32_t i = home_slot(t, hash_home(p->hash));
    __builtin_prefetch(&t->tags[i], 0, 3);
}

/* Once p's tags are loaded: starts loading the entries (and memos) whose tag matches. */
static inline void ct_probe_scan(const struct ct_table *t, struct ct_probe *p)
{
    if (!p->ok)
        return;
    /* Entries of p's flow at every ENI carry the same tag (the ENI is not hashed): start
     * loading the first two (a flow between two instances has two) and their memos. */
    uint16_t tag = hash_tag(p->hash);
    uint32_t i = home_slot(t, hash_home(p->hash));
    unsigned n = 0, found = 0;
    for (; n < CT_SCAN_SLOTS && found < 2 && t->tags[i] != 0; n++, i = next_slot(t, i))
        if (t->tags[i] == tag) {
            __builtin_prefetch(&t->slots[i], 1, 3);
            __builtin_prefetch(&t->memo[i], 0, 3);
            p->cand[found++] = i;
        }
    p->n_cand = (uint8_t)found;
    p->scan_complete = n < CT_SCAN_SLOTS && found < 2; /* stopped at an empty slot */
}

/* x is k's flow at ENI eni. Compared in place: a copy of k with its ENI replaced would be
 * read back by wide loads straight after a narrow store, which stalls store forwarding. */
static inline bool key_eq_at(const struct ct_key *x, const struct ct_key *k, uint32_t eni)
{
    const uint8_t *p = (const uint8_t *)x, *q = (const uint8_t *)k;
    uint64_t d = (load64(p) ^ load64(q)) | (load64(p + 8) ^ load64(q + 8)) |
                 (load64(p + 16) ^ load64(q + 16)) | (load64(p + 24) ^ load64(q + 24)) |
                 (load64(p + 40) ^ load64(q + 40));
    return (d == 0) & (x->eni == eni) & (x->pa == k->pa) & (x->pb == k->pb);
}

/* find() for p's flow at ENI eni, using the scan's candidates when there are some. */
static inline uint32_t probe_find(const struct ct_table *t, const struct ct_probe *p, uint32_t eni)
{
    for (unsigned c = 0; c < p->n_cand; c++)
        if (key_eq_at(&t->slots[p->cand[c]].k, &p->k, eni))
            return p->cand[c];
    if (p->scan_complete)
        return CT_NO_SLOT;
    struct ct_key k = p->k;
    k.eni = eni;
    return find(t, &k, p->hash);
}

/* The slot of the live entry p names, or CT_NO_SLOT. Changes nothing. */
static inline uint32_t ct_probe_find(const struct ct_table *t, const struct ct_probe *p,
                                     uint64_t now_ns)
{
    if (!p->ok)
        return CT_NO_SLOT;
    uint32_t i = probe_find(t, p, p->k.eni);
    return i != CT_NO_SLOT && t->slots[i].deadline > now_ns ? i : CT_NO_SLOT;
}

/* The slot of the live entry of p's flow at ENI eni instead of p's own, or CT_NO_SLOT: the
 * same hash (the ENI is not hashed), so it reads the lines p's probe already loaded. */
static inline uint32_t ct_probe_find_at(const struct ct_table *t, const struct ct_probe *p,
                                        uint32_t eni, uint64_t now_ns)
{
    if (!p->ok)
        return CT_NO_SLOT;
    uint32_t i = probe_find(t, p, eni); /* the ENI is not part of the hash */
    return i != CT_NO_SLOT && t->slots[i].deadline > now_ns ? i : CT_NO_SLOT;
}

/* False if ct_lookup() of a packet with tcp_flags would refuse the live entry at slot (a SYN
 * on a closed connection): then only the slow path may decide. */
static inline bool ct_slot_admits(const struct ct_table *t, uint32_t slot, uint8_t tcp_flags)
{
    const struct ct_entry *e = &t->slots[slot];
    bool closed = e->state == CT_TCP_TIME_WAIT || e->state == CT_TCP_CLOSE;
    bool new_syn = (tcp_flags & CT_TCP_SYN) && !(tcp_flags & CT_TCP_ACK);
    return !(e->k.kind == CT_KIND_TCP && closed && new_syn && !(tcp_flags & CT_TCP_RST));
}

/* What ct_lookup() does to the live entry at slot it finds, for a packet whose source is
 * endpoint b when from_b (ct_probe.from_b): the state step and the new deadline. Call only
 * where ct_slot_admits() holds. */
static inline void ct_slot_touch(struct ct_table *t, uint32_t slot, bool from_b, uint8_t tcp_flags,
                                 uint64_t now_ns)
{
    entry_step(&t->slots[slot], from_b, tcp_flags, now_ns);
}

/* The fast path's memo of the entry at slot. */
static inline struct ct_memo *ct_memo_at(struct ct_table *t, uint32_t slot)
{
    return &t->memo[slot];
}

#endif
