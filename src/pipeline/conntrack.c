/* Per-ENI connection tracking: a fixed-capacity linear-probing hash of 64-byte entries with a
 * side array of 16-bit tags.
 *
 * Why this layout: probes walk the tag array (2 bytes a slot, so a whole probe sequence
 * usually sits in one cache line, and the array is small enough to stay in cache: 2.5 MB for
 * a million flows) and read an entry only when its tag matches. A hit therefore touches one
 * entry line, a miss (every new flow's first packet, and every packet of a flow tracked at
 * the other end only) touches none. The slot count is capacity * 1.25 (+1), so at full
 * capacity the load factor is 0.8 and a flow costs 82.5 bytes (the target is 128).
 * The home slot comes from a multiply-shift of the hash, so the slot count needs not be a
 * power of two (rounding 1.25 million slots up to 2^21 would cost 138 bytes per flow).
 *
 * IPv6 needs no second entry type: both 16-byte addresses, the ENI, the ports and the state
 * fit in 64 bytes, so one entry is one cache line for either family. IPv4 entries leave 24
 * bytes of the address fields zero; a separate 32-byte IPv4 table would save memory but make
 * every operation choose between two tables, and 64 bytes already meets the target.
 *
 * Deletion shifts later members of the cluster back instead of leaving tombstones, so probe
 * lengths do not grow as flows come and go. Timed-out entries match nothing but keep their
 * slot until the sweep reclaims them (ct_expire, which the data plane calls with a small budget
 * per batch of packets, and at most CT_COMMIT_RECLAIM_SLOTS slots of it by a commit that finds
 * the table full). */
#include "pipeline/conntrack.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* The flow classes of the header comment; part of the key so that, e.g., an echo with id 0
 * and another ICMP message between the same hosts stay apart. */
enum ct_kind {
    CT_KIND_TCP = 1,
    CT_KIND_UDP,
    CT_KIND_ECHO,
    CT_KIND_ICMP, /* ICMP that is neither echo nor error: addresses only */
    CT_KIND_OTHER,
};

/* The canonical key: endpoint a sorts before endpoint b (address, then port), so a packet and
 * its reply build the same key. Addresses are held as big-endian 64-bit words (IPv4: the
 * address in a[0], a[1] = 0), so comparing words compares addresses; the key is compared and
 * hashed as six 64-bit words. */
struct ct_key {
    uint64_t a[2];
    uint64_t b[2];
    uint32_t eni;
    uint16_t pa, pb; /* ports of a and b; echo: the identifier in pa, 0 in pb */
    uint8_t family;  /* 4 or 6 (0 in an empty slot) */
    uint8_t proto;
    uint8_t kind;
    uint8_t req_is_b; /* echo: the requester is endpoint b */
    uint32_t zero;
};
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
    uint32_t cursor;  /* where the expiry sweep continues */
    uint64_t seed[6]; /* of the hash, one per key word */
    uint16_t *tags;   /* n_slots, after the slots: 0 empty, else the hash's low bits | 1 */
    uint8_t pad[48];
    struct ct_entry slots[];
};
_Static_assert(sizeof(struct ct_table) % 64 == 0, "slots start on a cache line");

#define CT_NO_SLOT UINT32_MAX

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

static const char *const ct_state_names[CT__STATE_COUNT] = {
    [CT_TCP_SYN_SENT] = "SYN_SENT",
    [CT_TCP_SYN_RECV] = "SYN_RECV",
    [CT_TCP_ESTABLISHED] = "ESTABLISHED",
    [CT_TCP_FIN_WAIT] = "FIN_WAIT",
    [CT_TCP_LAST_ACK] = "LAST_ACK",
    [CT_TCP_TIME_WAIT] = "TIME_WAIT",
    [CT_TCP_CLOSE] = "CLOSE",
    [CT_UDP_NEW] = "UDP_NEW",
    [CT_UDP_REPLIED] = "UDP_REPLIED",
    [CT_UDP_STREAM] = "UDP_STREAM",
    [CT_ICMP] = "ICMP",
    [CT_OTHER] = "OTHER",
};

const char *ct_state_name(enum ct_state s)
{
    return (unsigned)s < CT__STATE_COUNT ? ct_state_names[s] : "?";
}

/* ---- keys ---- */

static bool icmp_is_error(uint8_t family, uint16_t type)
{
    if (family == 4)
        return type == 3 || type == 11 || type == 12;
    return type >= 1 && type <= 4;
}

/* 1: echo request, 2: echo reply, 0: neither. */
static int icmp_echo(uint8_t family, uint16_t type)
{
    if (family == 4)
        return type == 8 ? 1 : type == 0 ? 2 : 0;
    return type == 128 ? 1 : type == 129 ? 2 : 0;
}

static bool is_icmp(const struct flow *f)
{
    return (f->family == 4 && f->proto == FLOW_PROTO_ICMP) ||
           (f->family == 6 && f->proto == FLOW_PROTO_ICMPV6);
}

/* Big-endian loads: numeric order of the result is the byte order of the address. */
static uint64_t load_be64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static uint64_t load_be32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

static bool same_addr(uint8_t family, const uint8_t *x, const uint8_t *y)
{
    return family == 4 ? memcmp(x, y, 4) == 0 : memcmp(x, y, 16) == 0;
}

enum { CT_KEY_OK, CT_KEY_ERROR, CT_KEY_BAD };

/* Builds f's key at eni. *from_b: f's source is endpoint b. CT_KEY_ERROR for ICMP errors,
 * CT_KEY_BAD for an unknown family. Written without data-dependent branches on the addresses
 * and ports: which endpoint sorts first is a coin toss per packet (request or reply), and a
 * mispredicted branch there costs as much as the rest of the key. */
static int make_key(struct ct_key *k, uint32_t eni, const struct flow *f, uint16_t icmp_id,
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

static uint64_t load64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static bool key_eq(const struct ct_key *x, const struct ct_key *y)
{
    const uint8_t *p = (const uint8_t *)x, *q = (const uint8_t *)y;
    uint64_t d = 0;
    for (size_t i = 0; i < sizeof *x; i += 8)
        d |= load64(p + i) ^ load64(q + i);
    return d == 0;
}

/* 64 x 64 -> 128-bit multiply, folded: every input bit reaches many output bits. */
static uint64_t mum(uint64_t x, uint64_t y)
{
    __extension__ unsigned __int128 r = (unsigned __int128)x * y;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* Three independent multiplies (they run in parallel) over the six key words, each word mixed
 * with its own seed first, then one more to spread the result. The seeds differ per table
 * (see ct_table_new), which makes colliding flows harder to precompute; it is not a
 * cryptographic defence. */
static uint64_t key_hash(const struct ct_key *k, const uint64_t *seed)
{
    const uint8_t *p = (const uint8_t *)k;
    uint64_t h = mum(load64(p) ^ seed[0], load64(p + 16) ^ seed[1]) ^
                 mum(load64(p + 8) ^ seed[2], load64(p + 24) ^ seed[3]) ^
                 mum(load64(p + 32) ^ seed[4], load64(p + 40) ^ seed[5]);
    return mum(h, 0x9e3779b97f4a7c15ull);
}

/* ---- slots ---- */

static uint32_t hash_home(uint64_t h)
{
    return (uint32_t)(h >> 32);
}

static uint16_t hash_tag(uint64_t h)
{
    return (uint16_t)(h | 1);
}

static uint32_t home_slot(const struct ct_table *t, uint32_t home_hash)
{
    return (uint32_t)(((uint64_t)home_hash * t->n_slots) >> 32);
}

static uint32_t next_slot(const struct ct_table *t, uint32_t i)
{
    return i + 1 == t->n_slots ? 0 : i + 1;
}

static uint32_t find(const struct ct_table *t, const struct ct_key *k, uint64_t h)
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

/* The first empty slot of h's probe sequence. */
static uint32_t free_slot(const struct ct_table *t, uint64_t h)
{
    uint32_t i = home_slot(t, hash_home(h));
    while (t->tags[i] != 0)
        i = next_slot(t, i);
    return i;
}

/* Empties slot i and moves later members of its cluster back so every entry stays reachable
 * from its home slot. */
static void remove_slot(struct ct_table *t, uint32_t i)
{
    uint32_t hole = i;
    for (uint32_t j = next_slot(t, i); t->tags[j] != 0; j = next_slot(t, j)) {
        uint32_t h = home_slot(t, t->slots[j].hash);
        /* The entry at j may fill the hole unless its home lies cyclically in (hole, j]. */
        bool stays = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j);
        if (stays)
            continue;
        t->slots[hole] = t->slots[j];
        t->tags[hole] = t->tags[j];
        hole = j;
    }
    memset(&t->slots[hole], 0, sizeof t->slots[hole]);
    t->tags[hole] = 0;
    t->n_used--;
}

/* The sweep of ct_expire: examines slots from the cursor, removing entries timed out at now.
 * Stops when budget is spent, after one pass, or (stop_at_first) after the first removal. */
static void sweep(struct ct_table *t, uint64_t now, size_t budget, bool stop_at_first)
{
    uint32_t advanced = 0;
    while (budget > 0 && advanced < t->n_slots && t->n_used > 0) {
        budget--;
        if (t->tags[t->cursor] != 0 && t->slots[t->cursor].deadline <= now) {
            /* An entry shifted back lands here; examine the slot again. */
            remove_slot(t, t->cursor);
            if (stop_at_first)
                return;
            continue;
        }
        t->cursor = next_slot(t, t->cursor);
        advanced++;
    }
}

/* ---- state ---- */

static uint64_t deadline_after(uint64_t now, enum ct_state s)
{
    uint64_t d = (uint64_t)ct_timeout_s[s] * CT_NS_PER_S;
    return now > UINT64_MAX - d ? UINT64_MAX : now + d;
}

/* A packet of a live TCP entry, `reply` against its direction. Returns false when the packet
 * does not belong to the connection (a responder's SYN after close opens a new one). */
static bool tcp_step(struct ct_entry *e, bool reply, uint8_t flags)
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

static void udp_step(struct ct_entry *e, bool reply)
{
    if (e->state == CT_UDP_REPLIED || e->state == CT_UDP_STREAM)
        e->state = CT_UDP_STREAM;
    else if (reply)
        e->state = CT_UDP_REPLIED;
}

static enum ct_state initial_state(uint8_t kind, uint8_t flags)
{
    switch (kind) {
    case CT_KIND_TCP:
        if (flags & CT_TCP_SYN)
            return flags & CT_TCP_ACK ? CT_TCP_SYN_RECV : CT_TCP_SYN_SENT;
        return flags & CT_TCP_FIN ? CT_TCP_FIN_WAIT : CT_TCP_ESTABLISHED;
    case CT_KIND_UDP:
        return CT_UDP_NEW;
    case CT_KIND_ECHO:
    case CT_KIND_ICMP:
        return CT_ICMP;
    default:
        return CT_OTHER;
    }
}

/* ---- the interface ---- */

struct ct_table *ct_table_new(size_t capacity)
{
    if (capacity == 0 || capacity > 3000000000u) {
        errno = EINVAL;
        return NULL;
    }
    /* One free slot at least, so every probe ends. */
    uint64_t n_slots = (uint64_t)capacity + capacity / 4 + 1;
    size_t tags_size = ((size_t)n_slots * sizeof(uint16_t) + 63) & ~(size_t)63;
    size_t size = sizeof(struct ct_table) + (size_t)n_slots * sizeof(struct ct_entry) + tags_size;
    /* A big table is random access over hundreds of MiB: with 4 KiB pages nearly every lookup
     * also misses the TLB. Huge pages (where the kernel gives them on request) remove that. */
    size_t align = size >= ((size_t)4 << 20) ? (size_t)2 << 20 : 64;
    size = (size + align - 1) & ~(align - 1);
    struct ct_table *t = aligned_alloc(align, size);
    if (!t) {
        errno = ENOMEM;
        return NULL;
    }
    if (align > 64)
        madvise(t, size, MADV_HUGEPAGE);
    memset(t, 0, size);
    t->capacity = capacity;
    t->n_slots = (uint32_t)n_slots;
    t->tags = (uint16_t *)(t->slots + n_slots);
    /* The allocation's address varies with ASLR: cheap per-table seeds without a syscall. */
    uint64_t x = (uint64_t)(uintptr_t)t ^ 0x6a09e667f3bcc909ull;
    for (size_t i = 0; i < 6; i++) {
        x += 0x9e3779b97f4a7c15ull;
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        t->seed[i] = z ^ (z >> 31);
    }
    return t;
}

void ct_table_free(struct ct_table *t)
{
    free(t);
}

bool ct_lookup(struct ct_table *t, uint32_t eni, const struct flow *f, uint8_t tcp_flags,
               uint16_t icmp_id, uint64_t now_ns, bool *is_reply)
{
    if (is_reply)
        *is_reply = false;
    struct ct_key k;
    bool from_b;
    if (make_key(&k, eni, f, icmp_id, &from_b) != CT_KEY_OK)
        return false;
    uint32_t i = find(t, &k, key_hash(&k, t->seed));
    if (i == CT_NO_SLOT)
        return false;
    struct ct_entry *e = &t->slots[i];
    if (e->deadline <= now_ns)
        return false;
    bool reply = from_b != (bool)(e->bits & CT_ORIG_IS_B);
    if (k.kind == CT_KIND_TCP) {
        if (!tcp_step(e, reply, tcp_flags))
            return false;
    } else if (k.kind == CT_KIND_UDP) {
        udp_step(e, reply);
    }
    e->deadline = deadline_after(now_ns, (enum ct_state)e->state);
    if (is_reply)
        *is_reply = reply;
    return true;
}

void ct_prefetch(const struct ct_table *t, uint32_t eni, const struct flow *f, uint16_t icmp_id)
{
    struct ct_key k;
    bool from_b;
    if (make_key(&k, eni, f, icmp_id, &from_b) != CT_KEY_OK)
        return;
    uint32_t i = home_slot(t, hash_home(key_hash(&k, t->seed)));
    /* The tags the probe reads, and the entries it most likely hits (at load 0.8, 60 % of
     * entries sit in their home slot and 15 % in the next), which a hit writes. */
    __builtin_prefetch(&t->tags[i], 0, 3);
    __builtin_prefetch(&t->slots[i], 1, 3);
    __builtin_prefetch(&t->slots[next_slot(t, i)], 1, 3);
}

static void fill(struct ct_table *t, uint32_t i, const struct ct_key *k, uint64_t h, bool from_b,
                 uint8_t tcp_flags, uint64_t now)
{
    struct ct_entry *e = &t->slots[i];
    t->tags[i] = hash_tag(h);
    e->k = *k;
    e->hash = hash_home(h);
    e->state = (uint8_t)initial_state(k->kind, tcp_flags);
    /* A FIN that creates the entry comes in the original direction: CT_FIN_REPLY stays 0. */
    e->bits = from_b ? CT_ORIG_IS_B : 0;
    e->deadline = deadline_after(now, (enum ct_state)e->state);
    memset(e->pad, 0, sizeof e->pad);
}

int ct_commit(struct ct_table *t, uint32_t eni, const struct flow *f, uint8_t tcp_flags,
              uint16_t icmp_id, uint64_t now_ns)
{
    struct ct_key k;
    bool from_b;
    int r = make_key(&k, eni, f, icmp_id, &from_b);
    if (r == CT_KEY_BAD)
        return -EINVAL;
    if (r == CT_KEY_ERROR || (k.kind == CT_KIND_TCP && (tcp_flags & CT_TCP_RST)))
        return 0;
    uint64_t h = key_hash(&k, t->seed);
    uint32_t i = find(t, &k, h);
    if (i == CT_NO_SLOT) {
        if (t->n_used >= t->capacity) {
            sweep(t, now_ns, CT_COMMIT_RECLAIM_SLOTS, true);
            if (t->n_used >= t->capacity)
                return -ENOSPC;
        }
        i = free_slot(t, h);
        t->n_used++;
    }
    /* A flow already present (live or timed out) starts over from this packet. */
    fill(t, i, &k, h, from_b, tcp_flags, now_ns);
    return 0;
}

bool ct_related(const struct ct_table *t, uint32_t eni, const struct flow *err,
                const struct flow *inner, uint16_t inner_icmp_id, uint64_t now_ns)
{
    if (!is_icmp(err) || !icmp_is_error(err->family, err->sport) || inner->family != err->family)
        return false;
    /* An error travels back to the sender of the packet it quotes. */
    if (!same_addr(err->family, err->dst, inner->src))
        return false;
    struct ct_key k;
    bool from_b;
    if (make_key(&k, eni, inner, inner_icmp_id, &from_b) != CT_KEY_OK)
        return false;
    uint32_t i = find(t, &k, key_hash(&k, t->seed));
    return i != CT_NO_SLOT && t->slots[i].deadline > now_ns;
}

void ct_expire(struct ct_table *t, uint64_t now_ns, size_t budget)
{
    sweep(t, now_ns, budget, false);
}

void ct_flush_eni(struct ct_table *t, uint32_t eni)
{
    /* A removal shifts later entries back into slot i, so i is examined again; entries only
     * move into the hole, never past the scan, so none is skipped. */
    for (uint32_t i = 0; i < t->n_slots;) {
        if (t->tags[i] != 0 && t->slots[i].k.eni == eni)
            remove_slot(t, i);
        else
            i++;
    }
}

bool ct_peek(const struct ct_table *t, uint32_t eni, const struct flow *f, uint16_t icmp_id,
             uint64_t now_ns, struct ct_info *out)
{
    struct ct_key k;
    bool from_b;
    if (make_key(&k, eni, f, icmp_id, &from_b) != CT_KEY_OK)
        return false;
    uint32_t i = find(t, &k, key_hash(&k, t->seed));
    if (i == CT_NO_SLOT || t->slots[i].deadline <= now_ns)
        return false;
    const struct ct_entry *e = &t->slots[i];
    out->state = (enum ct_state)e->state;
    out->deadline_ns = e->deadline;
    out->is_reply = from_b != (bool)(e->bits & CT_ORIG_IS_B);
    return true;
}

size_t ct_count(const struct ct_table *t)
{
    return t->n_used;
}

size_t ct_capacity(const struct ct_table *t)
{
    return t->capacity;
}

size_t ct_table_size(const struct ct_table *t)
{
    size_t tags_size = ((size_t)t->n_slots * sizeof t->tags[0] + 63) & ~(size_t)63;
    return sizeof *t + (size_t)t->n_slots * sizeof t->slots[0] + tags_size;
}
