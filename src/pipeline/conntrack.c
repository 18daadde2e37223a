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
#include "pipeline/ct_inline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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
        t->memo[hole] = t->memo[j];
        hole = j;
    }
    memset(&t->slots[hole], 0, sizeof t->slots[hole]);
    memset(&t->memo[hole], 0, sizeof t->memo[hole]);
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
    size_t memo_size = (size_t)n_slots * sizeof(struct ct_memo);
    size_t size =
        sizeof(struct ct_table) + (size_t)n_slots * sizeof(struct ct_entry) + tags_size + memo_size;
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
    t->memo = (struct ct_memo *)((uint8_t *)t->tags + tags_size);
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

bool ct_lookup_slot(struct ct_table *t, uint32_t eni, const struct flow *f, uint8_t tcp_flags,
                    uint16_t icmp_id, uint64_t now_ns, bool *is_reply, uint32_t *slot)
{
    if (is_reply)
        *is_reply = false;
    *slot = CT_NO_SLOT;
    struct ct_key k;
    bool from_b;
    if (make_key(&k, eni, f, icmp_id, &from_b) != CT_KEY_OK)
        return false;
    uint32_t i = find(t, &k, key_hash(&k, t->seed));
    if (i == CT_NO_SLOT)
        return false;
    struct ct_entry *e = &t->slots[i];
    if (e->deadline <= now_ns || !entry_step(e, from_b, tcp_flags, now_ns))
        return false;
    if (is_reply)
        *is_reply = from_b != (bool)(e->bits & CT_ORIG_IS_B);
    *slot = i;
    return true;
}

bool ct_lookup(struct ct_table *t, uint32_t eni, const struct flow *f, uint8_t tcp_flags,
               uint16_t icmp_id, uint64_t now_ns, bool *is_reply)
{
    uint32_t slot;
    return ct_lookup_slot(t, eni, f, tcp_flags, icmp_id, now_ns, is_reply, &slot);
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
    memset(&t->memo[i], 0, sizeof t->memo[i]);
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
    return sizeof *t + (size_t)t->n_slots * (sizeof t->slots[0] + sizeof t->memo[0]) + tags_size;
}
