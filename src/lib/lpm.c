#include "lib/lpm.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lib/xalloc.h"

/* Two structures per table:
 *
 * - A path-compressed binary trie of the routes (struct lpm_pnode), the source of truth. It
 *   answers exact lookups and, during an update, "which routes lie under this prefix".
 * - A poptrie compiled from it for lookups. A direct top level indexed by the first `s`
 *   address bits holds either a leaf (LPM_LEAF | route id) or the index of a node. A node
 *   covers the next 8 bits as four 64-position words: bit v of a word's `vector` says
 *   position v continues in a child node; the node's children sit contiguously in the order
 *   of their positions, so child v is at the word's base1 + popcount(vector & bits up to v)
 *   - 1. The other positions are leaves, run-length compressed: bit v of `leafvec` marks a
 *   leaf position whose route differs from the previous leaf position's, and the leaf for v
 *   is at base0 + popcount(leafvec & bits up to v) - 1. So a lookup is one top-level load
 *   plus one node word per 8 bits below the longest route on the path, each a popcount,
 *   never a comparison against a prefix. IPv4 with a 2^16 top level is at most 3 loads.
 *
 * Node leaves hold the route's value (what a lookup returns) with the route id beside them in
 * a shadow array that only updates read; top-level leaves hold the id and lookups read
 * rvalue[id]. Route id 0 means "no route": its value is t->none, a value no route has, so a
 * lookup knows "found" from the value alone.
 *
 * Updates change only what the prefix covers: the path of nodes down to the level that holds
 * the prefix's length is walked; the node there is rebuilt (its unchanged children are moved,
 * not rebuilt) and the nodes below the covered positions get their inherited leaves patched.
 * Node and leaf blocks are at most 256 entries and come from pools with one free list per
 * block size, so freed blocks are reused exactly; the pools are compacted by a full rebuild
 * only when more than half of them is free. The top level grows from 2^4 to 2^8, 2^12 and
 * 2^16 entries as the table grows (a full rebuild at each step, shrinking back with
 * hysteresis), so the thousands of small VPC tables stay small.
 *
 * Batch lookups (IPv4) walk many addresses level by level, with AVX-512 gathers where the CPU
 * has them (checked at run time) and a branch-free scalar loop otherwise. */

#define LPM_LEAF 0x80000000u
#define LPM_STRIDE 8
#define LPM_FANOUT 256
#define LPM_WORDS (LPM_FANOUT / 64)

struct lpm_key {
    uint64_t w[2]; /* bit 0 is the most significant bit of w[0]; IPv4 uses bits 0..31 */
};

/* A node of 256 positions is four words of 64. Each word carries the index of its own first
 * child and first leaf (the node's blocks are shared; a word's bases skip the earlier words'
 * entries), so a lookup step reads one 24-byte word and does one popcount per bitmap. */
struct lpm_word {
    uint64_t vector;
    uint64_t leafvec;
    uint32_t base1; /* child of this word's first child position */
    uint32_t base0; /* leaf of this word's first leaf run */
};
struct lpm_node {
    struct lpm_word w[LPM_WORDS];
};
_Static_assert(sizeof(struct lpm_node) == 96, "lpm node is 96 bytes");

struct lpm_pnode {
    struct lpm_key key; /* masked to len */
    uint32_t child[2];
    uint32_t rid; /* 0 for a glue node, which always has two children */
    uint8_t len;
};

/* A pool of blocks of 1..256 items. Index 0 is never handed out, so 0 can mean "none"; a free
 * block of size k stores the next free block of size k in its first item's first u32. */
struct lpm_pool {
    void *items;
    uint32_t *shadow; /* leaves only: the route id of each leaf, beside its value in items */
    uint32_t n;       /* high-water mark */
    uint32_t cap;
    uint32_t n_free; /* items in free blocks */
    uint32_t item_size;
    uint32_t *head; /* [LPM_FANOUT + 1] free blocks by size; allocated at the first free */
};

struct lpm {
    /* Read by lookups: kept together at the front. */
    const uint32_t *top_ro;
    const struct lpm_node *nodes_ro;
    const uint32_t *leaves_ro;
    uint32_t none; /* the value leaves of "no route" hold; no route has it (see lpm_pick_none) */
    const uint32_t *rvalue_ro;
    uint8_t s; /* top-level bits */
    uint8_t max_len;
    uint8_t addr_len;
    size_t n;

    uint32_t *top;
    struct lpm_pool nodes;
    struct lpm_pool leaves;

    struct lpm_pnode *pn;
    uint32_t pn_n, pn_cap, pn_free; /* free list through child[0] */
    uint32_t proot;

    uint32_t *rvalue;
    uint8_t *rlen;
    uint32_t r_n, r_cap, r_free; /* free list through rvalue */
};

/* ---- keys ---- */

static inline unsigned key_bit(const struct lpm_key *k, unsigned i)
{
    return (unsigned)(k->w[i >> 6] >> (63 - (i & 63))) & 1;
}

/* nb (1..32) bits from offset off; bits past 128 read as zero. */
static inline uint32_t key_bits(const struct lpm_key *k, unsigned off, unsigned nb)
{
    uint64_t x;
    if (off == 0)
        x = k->w[0];
    else if (off < 64)
        x = (k->w[0] << off) | (k->w[1] >> (64 - off));
    else if (off < 128)
        x = k->w[1] << (off - 64);
    else
        x = 0;
    return (uint32_t)(x >> (64 - nb));
}

static void key_set_bits(struct lpm_key *k, unsigned off, unsigned nb, uint32_t v)
{
    for (unsigned i = 0; i < nb; i++) {
        unsigned pos = off + i;
        if (pos >= 128)
            break;
        uint64_t m = 1ull << (63 - (pos & 63));
        if ((v >> (nb - 1 - i)) & 1)
            k->w[pos >> 6] |= m;
        else
            k->w[pos >> 6] &= ~m;
    }
}

static uint64_t key_word_mask(unsigned bits)
{
    return bits >= 64 ? ~0ull : bits == 0 ? 0 : ~0ull << (64 - bits);
}

static void key_mask(struct lpm_key *k, unsigned len)
{
    k->w[0] &= key_word_mask(len);
    k->w[1] &= key_word_mask(len > 64 ? len - 64 : 0);
}

static bool key_prefix_eq(const struct lpm_key *a, const struct lpm_key *b, unsigned len)
{
    if ((a->w[0] ^ b->w[0]) & key_word_mask(len))
        return false;
    return len <= 64 || !((a->w[1] ^ b->w[1]) & key_word_mask(len - 64));
}

static unsigned key_common(const struct lpm_key *a, const struct lpm_key *b)
{
    uint64_t x = a->w[0] ^ b->w[0];
    if (x)
        return (unsigned)__builtin_clzll(x);
    x = a->w[1] ^ b->w[1];
    return x ? 64 + (unsigned)__builtin_clzll(x) : 128;
}

static uint64_t be64_load(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static void key_from_addr(const struct lpm *t, const uint8_t *addr, unsigned len, struct lpm_key *k)
{
    if (t->addr_len == 4) {
        k->w[0] = (uint64_t)((uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
                             (uint32_t)addr[2] << 8 | addr[3])
                  << 32;
        k->w[1] = 0;
    } else {
        k->w[0] = be64_load(addr);
        k->w[1] = be64_load(addr + 8);
    }
    key_mask(k, len);
}

/* ---- pools ---- */

/* Large lookup arrays ask for transparent huge pages: a lookup touches a few random lines of
 * megabytes of nodes, and with 4 KiB pages most of those touches also miss the TLB. The
 * advice must come before the pages are first touched, so a large array grows into a fresh
 * 2 MiB-aligned allocation rather than by realloc. Advice only: with THP off it does nothing. */
#define LPM_HUGE ((size_t)2 << 20)

static void *lpm_grow(void *p, size_t old_bytes, size_t bytes)
{
    if (bytes < 2 * LPM_HUGE)
        return xrealloc(p, bytes);
    size_t round = (bytes + LPM_HUGE - 1) & ~(LPM_HUGE - 1);
    void *n = aligned_alloc(LPM_HUGE, round);
    if (!n)
        return xrealloc(p, bytes);
    madvise(n, round, MADV_HUGEPAGE);
    memcpy(n, p, old_bytes < bytes ? old_bytes : bytes);
    free(p);
    return n;
}

static void pool_init(struct lpm_pool *p, uint32_t item_size, bool shadow)
{
    memset(p, 0, sizeof *p);
    p->item_size = item_size;
    p->cap = 1;
    p->items = xcalloc(p->cap, item_size);
    if (shadow)
        p->shadow = xcalloc(p->cap, sizeof *p->shadow);
    p->n = 1;
}

static void *pool_at(const struct lpm_pool *p, uint32_t i)
{
    return (char *)p->items + (size_t)i * p->item_size;
}

static uint32_t pool_alloc(struct lpm_pool *p, uint32_t size)
{
    uint32_t off = p->head ? p->head[size] : 0;
    if (off) {
        memcpy(&p->head[size], pool_at(p, off), sizeof(uint32_t));
        p->n_free -= size;
        return off;
    }
    if (p->n + size > p->cap) {
        uint32_t cap = p->cap < 4 ? 4 : p->cap;
        while (p->n + size > cap)
            cap *= 2;
        p->items = lpm_grow(p->items, (size_t)p->cap * p->item_size, (size_t)cap * p->item_size);
        if (p->shadow)
            p->shadow = xrealloc(p->shadow, (size_t)cap * sizeof *p->shadow);
        p->cap = cap;
    }
    off = p->n;
    p->n += size;
    return off;
}

static void pool_free(struct lpm_pool *p, uint32_t off, uint32_t size)
{
    if (!size)
        return;
    if (!p->head)
        p->head = xcalloc(LPM_FANOUT + 1, sizeof *p->head);
    memcpy(pool_at(p, off), &p->head[size], sizeof(uint32_t));
    p->head[size] = off;
    p->n_free += size;
}

static void pool_reset(struct lpm_pool *p)
{
    free(p->head);
    p->head = NULL;
    p->n = 1;
    p->n_free = 0;
}

/* ---- the route trie ---- */

static uint32_t pn_new(struct lpm *t, const struct lpm_key *k, unsigned len)
{
    uint32_t i = t->pn_free;
    if (i) {
        t->pn_free = t->pn[i].child[0];
    } else {
        i = t->pn_n++;
    }
    struct lpm_pnode *p = &t->pn[i];
    memset(p, 0, sizeof *p);
    p->key = *k;
    key_mask(&p->key, len);
    p->len = (uint8_t)len;
    return i;
}

static void pn_release(struct lpm *t, uint32_t i)
{
    t->pn[i].child[0] = t->pn_free;
    t->pn_free = i;
}

/* Makes room for two new nodes, so that pointers into pn stay valid during one insert. */
static void pn_reserve(struct lpm *t)
{
    if (t->pn_n + 2 <= t->pn_cap)
        return;
    uint32_t cap = t->pn_cap ? t->pn_cap * 2 : 8;
    t->pn = xrealloc(t->pn, (size_t)cap * sizeof *t->pn);
    t->pn_cap = cap;
}

/* The node for k/len, created (with two nodes at most: it and a glue node) if missing. */
static uint32_t pat_insert(struct lpm *t, const struct lpm_key *k, unsigned len)
{
    pn_reserve(t);
    uint32_t *link = &t->proot;
    for (;;) {
        uint32_t n = *link;
        if (!n) {
            uint32_t x = pn_new(t, k, len);
            *link = x;
            return x;
        }
        struct lpm_pnode *p = &t->pn[n];
        unsigned common = key_common(&p->key, k);
        if (common > p->len)
            common = p->len;
        if (common > len)
            common = len;
        if (common == p->len) {
            if (p->len == len)
                return n;
            link = &p->child[key_bit(k, p->len)];
            continue;
        }
        if (common == len) {
            uint32_t x = pn_new(t, k, len);
            t->pn[x].child[key_bit(&t->pn[n].key, len)] = n;
            *link = x;
            return x;
        }
        uint32_t g = pn_new(t, k, common);
        uint32_t x = pn_new(t, k, len);
        t->pn[g].child[key_bit(k, common)] = x;
        t->pn[g].child[key_bit(&t->pn[n].key, common)] = n;
        *link = g;
        return x;
    }
}

static uint32_t pat_find(const struct lpm *t, const struct lpm_key *k, unsigned len)
{
    uint32_t n = t->proot;
    while (n) {
        const struct lpm_pnode *p = &t->pn[n];
        if (p->len > len || !key_prefix_eq(&p->key, k, p->len))
            return 0;
        if (p->len == len)
            return p->rid ? n : 0;
        n = p->child[key_bit(k, p->len)];
    }
    return 0;
}

static uint32_t *pat_link(struct lpm *t, uint32_t parent, uint32_t child)
{
    if (!parent)
        return &t->proot;
    struct lpm_pnode *p = &t->pn[parent];
    return p->child[0] == child ? &p->child[0] : &p->child[1];
}

/* Removes the route k/len from the trie; returns its id, or 0 when absent. */
static uint32_t pat_remove(struct lpm *t, const struct lpm_key *k, unsigned len)
{
    uint32_t parent = 0, grand = 0, n = t->proot;
    while (n) {
        const struct lpm_pnode *p = &t->pn[n];
        if (p->len > len || !key_prefix_eq(&p->key, k, p->len))
            return 0;
        if (p->len == len)
            break;
        grand = parent;
        parent = n;
        n = p->child[key_bit(k, p->len)];
    }
    if (!n || !t->pn[n].rid)
        return 0;
    struct lpm_pnode *p = &t->pn[n];
    uint32_t rid = p->rid;
    p->rid = 0;
    if (p->child[0] && p->child[1])
        return rid; /* stays as glue */
    uint32_t only = p->child[0] | p->child[1];
    *pat_link(t, parent, n) = only;
    pn_release(t, n);
    if (!only && parent && !t->pn[parent].rid) {
        /* The parent was glue with two children; with one left it is not needed. */
        struct lpm_pnode *q = &t->pn[parent];
        uint32_t other = q->child[0] | q->child[1];
        *pat_link(t, grand, parent) = other;
        pn_release(t, parent);
    }
    return rid;
}

/* Walks from trie node n towards the prefix k/to (n's prefix agrees with k on every bit
 * before n's length, or n's subtree lies entirely inside k/to), raising *best to each route
 * passed on the way. Returns the node under which the routes longer than `to` inside k/to
 * hang, or 0 if there are none. */
static uint32_t pat_descend(const struct lpm *t, uint32_t n, const struct lpm_key *k, unsigned to,
                            uint32_t *best)
{
    while (n) {
        const struct lpm_pnode *p = &t->pn[n];
        if (p->len >= to) {
            if (!key_prefix_eq(&p->key, k, to))
                return 0;
            if (p->len > to)
                return n;
            if (p->rid)
                *best = p->rid;
            return (p->child[0] | p->child[1]) ? n : 0;
        }
        if (!key_prefix_eq(&p->key, k, p->len))
            return 0;
        if (p->rid)
            *best = p->rid;
        n = p->child[key_bit(k, p->len)];
    }
    return 0;
}

/* ---- route ids ---- */

static uint32_t rid_new(struct lpm *t, uint32_t value, unsigned len)
{
    uint32_t r = t->r_free;
    if (r) {
        t->r_free = t->rvalue[r];
    } else {
        if (t->r_n == t->r_cap) {
            uint32_t cap = t->r_cap * 2;
            t->rvalue = lpm_grow(t->rvalue, (size_t)t->r_cap * sizeof *t->rvalue,
                                 (size_t)cap * sizeof *t->rvalue);
            t->rlen = xrealloc(t->rlen, cap);
            t->r_cap = cap;
            t->rvalue_ro = t->rvalue;
        }
        r = t->r_n++;
    }
    t->rvalue[r] = value;
    t->rlen[r] = (uint8_t)len;
    return r;
}

static void rid_release(struct lpm *t, uint32_t r)
{
    t->rvalue[r] = t->r_free;
    t->r_free = r;
}

/* ---- the poptrie ---- */

static struct lpm_node *node_at(const struct lpm *t, uint32_t i)
{
    return (struct lpm_node *)pool_at(&t->nodes, i);
}

/* Leaves are values (what lookups read) with the route ids beside them in the shadow array
 * (what updates read). Route id 0's value is t->none. */
static uint32_t *leaf_at(const struct lpm *t, uint32_t i)
{
    return (uint32_t *)pool_at(&t->leaves, i);
}

static void leaves_write(struct lpm *t, uint32_t base0, const uint32_t *rids, unsigned n)
{
    uint32_t *lv = leaf_at(t, base0), *lr = &t->leaves.shadow[base0];
    for (unsigned i = 0; i < n; i++) {
        lv[i] = t->rvalue[rids[i]];
        lr[i] = rids[i];
    }
}

static void lpm_sync_ro(struct lpm *t)
{
    t->top_ro = t->top;
    t->nodes_ro = t->nodes.items;
    t->leaves_ro = t->leaves.items;
    t->rvalue_ro = t->rvalue;
}

static unsigned depth_end(const struct lpm *t, unsigned d)
{
    return d + LPM_STRIDE < t->max_len ? d + LPM_STRIDE : t->max_len;
}

/* Bits 0..b; for b = 63 the shift drops the only bit and the subtraction wraps to all ones. */
static inline uint64_t upto(unsigned b)
{
    return (2ull << b) - 1;
}

static unsigned node_children(const struct lpm_node *nd)
{
    unsigned n = 0;
    for (unsigned w = 0; w < LPM_WORDS; w++)
        n += (unsigned)__builtin_popcountll(nd->w[w].vector);
    return n;
}

static unsigned node_leaves(const struct lpm_node *nd)
{
    unsigned n = 0;
    for (unsigned w = 0; w < LPM_WORDS; w++)
        n += (unsigned)__builtin_popcountll(nd->w[w].leafvec);
    return n;
}

/* The node's child block and leaf block start where its first word's do. */
static uint32_t node_base1(const struct lpm_node *nd)
{
    return nd->w[0].base1;
}

static uint32_t node_base0(const struct lpm_node *nd)
{
    return nd->w[0].base0;
}

static bool node_is_child(const struct lpm_node *nd, unsigned v)
{
    return nd->w[v >> 6].vector >> (v & 63) & 1;
}

static uint32_t node_child(const struct lpm_node *nd, unsigned v)
{
    unsigned w = v >> 6;
    return nd->w[w].base1 + (uint32_t)__builtin_popcountll(nd->w[w].vector & upto(v & 63)) - 1;
}

/* What the 256 positions of a node at depth d become: trie cursors (non-zero where a child
 * node is needed) and the best route of each position. */
struct lpm_layout {
    uint32_t cur[LPM_FANOUT];
    uint32_t best[LPM_FANOUT];
    uint32_t leaves[LPM_FANOUT];
    uint64_t vector[LPM_WORDS], leafvec[LPM_WORDS];
    unsigned n_leaves;
};

/* Marks the positions that trie node n (inside the node's prefix, at least d bits long)
 * covers, parents before children so that longer routes overwrite shorter ones. */
static void layout_fill(const struct lpm *t, uint32_t n, unsigned d, unsigned to,
                        struct lpm_layout *lo)
{
    const struct lpm_pnode *p = &t->pn[n];
    uint32_t v = key_bits(&p->key, d, LPM_STRIDE);
    if (p->len > to) {
        lo->cur[v] = n;
        return;
    }
    if (p->rid) {
        uint32_t n_cov = 1u << (d + LPM_STRIDE - p->len);
        for (uint32_t i = v; i < v + n_cov; i++)
            lo->best[i] = p->rid;
    }
    if (p->len == to) {
        if (p->child[0] | p->child[1])
            lo->cur[v] = n;
        return;
    }
    for (int c = 0; c < 2; c++)
        if (p->child[c])
            layout_fill(t, p->child[c], d, to, lo);
}

static void layout_node(const struct lpm *t, unsigned d, uint32_t cur, uint32_t best,
                        struct lpm_layout *lo)
{
    for (unsigned v = 0; v < LPM_FANOUT; v++) {
        lo->cur[v] = 0;
        lo->best[v] = best;
    }
    layout_fill(t, cur, d, depth_end(t, d), lo);
    memset(lo->vector, 0, sizeof lo->vector);
    memset(lo->leafvec, 0, sizeof lo->leafvec);
    lo->n_leaves = 0;
    for (unsigned v = 0; v < LPM_FANOUT; v++) {
        uint64_t bit = 1ull << (v & 63);
        if (lo->cur[v]) {
            lo->vector[v >> 6] |= bit;
        } else if (!lo->n_leaves || lo->leaves[lo->n_leaves - 1] != lo->best[v]) {
            lo->leafvec[v >> 6] |= bit;
            lo->leaves[lo->n_leaves++] = lo->best[v];
        }
    }
}

/* Sets nd's bitmaps from a layout and each word's bases from the node's blocks. */
static void node_set(struct lpm_node *nd, const struct lpm_layout *lo, uint32_t base1,
                     uint32_t base0)
{
    for (unsigned w = 0; w < LPM_WORDS; w++) {
        nd->w[w].vector = lo->vector[w];
        nd->w[w].leafvec = lo->leafvec[w];
        nd->w[w].base1 = base1;
        nd->w[w].base0 = base0;
        base1 += (uint32_t)__builtin_popcountll(lo->vector[w]);
        base0 += (uint32_t)__builtin_popcountll(lo->leafvec[w]);
    }
}

static unsigned layout_children(const struct lpm_layout *lo)
{
    unsigned n = 0;
    for (unsigned w = 0; w < LPM_WORDS; w++)
        n += (unsigned)__builtin_popcountll(lo->vector[w]);
    return n;
}

static void position_key(const struct lpm_key *k, unsigned d, unsigned v, struct lpm_key *out)
{
    *out = *k;
    key_set_bits(out, d, LPM_STRIDE, v);
}

/* Lays out and allocates a fresh node and everything below it. */
static void build_node(struct lpm *t, const struct lpm_key *k, unsigned d, uint32_t cur,
                       uint32_t best, struct lpm_node *out)
{
    struct lpm_layout lo;
    layout_node(t, d, cur, best, &lo);
    uint32_t base0 = lo.n_leaves ? pool_alloc(&t->leaves, lo.n_leaves) : 0;
    if (lo.n_leaves)
        leaves_write(t, base0, lo.leaves, lo.n_leaves);
    unsigned nc = layout_children(&lo);
    uint32_t base1 = nc ? pool_alloc(&t->nodes, nc) : 0;
    node_set(out, &lo, base1, base0);
    unsigned j = 0;
    for (unsigned v = 0; v < LPM_FANOUT; v++) {
        if (!lo.cur[v])
            continue;
        struct lpm_key kv;
        position_key(k, d, v, &kv);
        struct lpm_node child;
        build_node(t, &kv, d + LPM_STRIDE, lo.cur[v], lo.best[v], &child);
        *node_at(t, base1 + j++) = child; /* after the call: the pool may have moved */
    }
}

/* Frees the blocks below node i (not i's own slot). */
static void free_below(struct lpm *t, uint32_t i)
{
    struct lpm_node nd = *node_at(t, i);
    unsigned nc = node_children(&nd);
    for (unsigned j = 0; j < nc; j++)
        free_below(t, node_base1(&nd) + j);
    pool_free(&t->nodes, node_base1(&nd), nc);
    pool_free(&t->leaves, node_base0(&nd), node_leaves(&nd));
}

/* Below node i every leaf whose route is at most thr bits long was inherited from above;
 * those become rid. */
static void patch_inherited(struct lpm *t, uint32_t i, unsigned thr, uint32_t rid)
{
    struct lpm_node nd = *node_at(t, i);
    unsigned nl = node_leaves(&nd);
    uint32_t *lv = leaf_at(t, node_base0(&nd)), *lr = &t->leaves.shadow[node_base0(&nd)];
    for (unsigned j = 0; j < nl; j++)
        if (t->rlen[lr[j]] <= thr) {
            lv[j] = t->rvalue[rid];
            lr[j] = rid;
        }
    unsigned nc = node_children(&nd);
    for (unsigned j = 0; j < nc; j++)
        patch_inherited(t, node_base1(&nd) + j, thr, rid);
}

/* Rewrites the value in every leaf of route rid below node i. */
static void revalue(struct lpm *t, uint32_t i, uint32_t rid)
{
    struct lpm_node nd = *node_at(t, i);
    unsigned nl = node_leaves(&nd);
    uint32_t *lv = leaf_at(t, node_base0(&nd)), *lr = &t->leaves.shadow[node_base0(&nd)];
    for (unsigned j = 0; j < nl; j++)
        if (lr[j] == rid)
            lv[j] = t->rvalue[rid];
    unsigned nc = node_children(&nd);
    for (unsigned j = 0; j < nc; j++)
        revalue(t, node_base1(&nd) + j, rid);
}

/* Recomputes node i in place: children that stay are moved as they are, new ones built,
 * dropped ones freed; leaves rewritten. */
static void rebuild_node(struct lpm *t, uint32_t i, const struct lpm_key *k, unsigned d,
                         uint32_t cur, uint32_t best)
{
    struct lpm_layout lo;
    layout_node(t, d, cur, best, &lo);
    struct lpm_node old = *node_at(t, i), nd;
    unsigned old_nl = node_leaves(&old), old_nc = node_children(&old);
    uint32_t base0 = node_base0(&old), base1 = node_base1(&old);
    if (lo.n_leaves != old_nl) {
        pool_free(&t->leaves, base0, old_nl);
        base0 = lo.n_leaves ? pool_alloc(&t->leaves, lo.n_leaves) : 0;
    }
    if (lo.n_leaves)
        leaves_write(t, base0, lo.leaves, lo.n_leaves);
    bool same = true;
    for (unsigned w = 0; w < LPM_WORDS; w++)
        same &= lo.vector[w] == old.w[w].vector;
    if (!same) {
        unsigned nc = layout_children(&lo);
        base1 = nc ? pool_alloc(&t->nodes, nc) : 0;
        unsigned j = 0, oj = 0;
        for (unsigned v = 0; v < LPM_FANOUT; v++) {
            bool was = node_is_child(&old, v), is = lo.cur[v] != 0;
            if (is && was) {
                *node_at(t, base1 + j) = *node_at(t, node_base1(&old) + oj);
            } else if (is) {
                struct lpm_key kv;
                position_key(k, d, v, &kv);
                struct lpm_node child;
                build_node(t, &kv, d + LPM_STRIDE, lo.cur[v], lo.best[v], &child);
                *node_at(t, base1 + j) = child;
            } else if (was) {
                free_below(t, node_base1(&old) + oj);
            }
            j += is;
            oj += was;
        }
        pool_free(&t->nodes, node_base1(&old), old_nc);
    }
    node_set(&nd, &lo, base1, base0);
    *node_at(t, i) = nd;
}

/* Brings node i (depth d, prefix k, trie cursor cur, inherited best) up to date after the
 * route p/len changed; p/len lies inside the node's prefix and is longer than d. */
static void update_node(struct lpm *t, uint32_t i, const struct lpm_key *k, unsigned d,
                        uint32_t cur, uint32_t best, const struct lpm_key *p, unsigned len)
{
    unsigned to = depth_end(t, d);
    struct lpm_node old = *node_at(t, i);
    uint32_t v0 = key_bits(p, d, LPM_STRIDE);
    if (len > to) {
        struct lpm_key kv;
        position_key(k, d, v0, &kv);
        uint32_t b = best;
        uint32_t c = pat_descend(t, cur, &kv, to, &b);
        if (c && node_is_child(&old, v0)) {
            update_node(t, node_child(&old, v0), &kv, to, c, b, p, len);
            return;
        }
    } else {
        unsigned n_cov = 1u << (d + LPM_STRIDE - len);
        for (unsigned v = v0; v < v0 + n_cov; v++) {
            if (!node_is_child(&old, v))
                continue;
            struct lpm_key kv;
            position_key(k, d, v, &kv);
            uint32_t b = best;
            pat_descend(t, cur, &kv, to, &b);
            patch_inherited(t, node_child(&old, v), to, b);
        }
    }
    rebuild_node(t, i, k, d, cur, best);
}

static void chunk_key(const struct lpm *t, uint32_t c, struct lpm_key *k)
{
    k->w[0] = (uint64_t)c << (64 - t->s);
    k->w[1] = 0;
}

/* Sets top-level entry c from scratch (its old subtree, if any, already freed). */
static void build_chunk(struct lpm *t, uint32_t c)
{
    struct lpm_key k;
    chunk_key(t, c, &k);
    uint32_t best = 0;
    uint32_t cur = pat_descend(t, t->proot, &k, t->s, &best);
    if (!cur) {
        t->top[c] = LPM_LEAF | best;
        return;
    }
    uint32_t ni = pool_alloc(&t->nodes, 1);
    struct lpm_node nd;
    build_node(t, &k, t->s, cur, best, &nd);
    *node_at(t, ni) = nd;
    t->top[c] = ni;
}

static void lpm_rebuild(struct lpm *t, unsigned s)
{
    if (s != t->s || !t->top) {
        free(t->top);
        t->top = xmalloc(((size_t)1 << s) * sizeof *t->top);
        t->s = (uint8_t)s;
    }
    pool_reset(&t->nodes);
    pool_reset(&t->leaves);
    for (uint32_t c = 0; c < 1u << s; c++)
        build_chunk(t, c);
    /* Give back what the old layout needed beyond twice the new one. */
    struct lpm_pool *pools[] = {&t->nodes, &t->leaves};
    for (int i = 0; i < 2; i++) {
        struct lpm_pool *p = pools[i];
        if (p->cap > 64 && p->cap / 4 > p->n) {
            p->cap = p->n * 2;
            p->items = xrealloc(p->items, (size_t)p->cap * p->item_size);
            if (p->shadow)
                p->shadow = xrealloc(p->shadow, (size_t)p->cap * sizeof *p->shadow);
        }
    }
    lpm_sync_ro(t);
}

/* The route p/len was added, removed or changed in the trie: refresh what it covers. */
static void lpm_refresh(struct lpm *t, const struct lpm_key *p, unsigned len)
{
    unsigned s = t->s;
    uint32_t c0 = key_bits(p, 0, s);
    if (len <= s) {
        uint32_t n_cov = 1u << (s - len);
        for (uint32_t c = c0; c < c0 + n_cov; c++) {
            uint32_t e = t->top[c];
            struct lpm_key k;
            chunk_key(t, c, &k);
            uint32_t best = 0;
            pat_descend(t, t->proot, &k, s, &best);
            if (e & LPM_LEAF)
                t->top[c] = LPM_LEAF | best;
            else
                patch_inherited(t, e, s, best);
        }
        return;
    }
    uint32_t e = t->top[c0];
    if (e & LPM_LEAF) {
        build_chunk(t, c0);
        return;
    }
    struct lpm_key k;
    chunk_key(t, c0, &k);
    uint32_t best = 0;
    uint32_t cur = pat_descend(t, t->proot, &k, s, &best);
    if (!cur) {
        free_below(t, e);
        pool_free(&t->nodes, e, 1);
        t->top[c0] = LPM_LEAF | best;
        return;
    }
    update_node(t, e, &k, s, cur, best, p, len);
}

static unsigned top_bits_for(size_t n)
{
    return n < 16 ? 4 : n < 64 ? 8 : n < 512 ? 12 : 16;
}

/* Grows the top level with the table, shrinks it with hysteresis, and compacts pools that
 * are mostly free blocks. */
static void lpm_retune(struct lpm *t)
{
    unsigned want = top_bits_for(t->n);
    if (want < t->s && top_bits_for(t->n * 4) >= t->s)
        want = t->s;
    bool sparse = t->nodes.n_free > 1024 && t->nodes.n_free * 2 > t->nodes.n;
    sparse |= t->leaves.n_free > 1024 && t->leaves.n_free * 2 > t->leaves.n;
    if (want != t->s || sparse)
        lpm_rebuild(t, want);
    else
        lpm_sync_ro(t);
}

/* A route now has the value that meant "no route": choose a value no route has (routes hold
 * caller indices, so the search from the top of the range ends at once in practice) and
 * rebuild, since every "no route" leaf holds the old one. */
static void lpm_pick_none(struct lpm *t)
{
    uint32_t none = t->none;
    for (bool used = true; used;) {
        none--;
        used = false;
        for (uint32_t i = 1; i < t->pn_n && !used; i++)
            used = t->pn[i].rid && t->rvalue[t->pn[i].rid] == none; /* free nodes have rid 0 */
    }
    t->none = none;
    t->rvalue[0] = none;
    lpm_rebuild(t, top_bits_for(t->n));
}

/* ---- API ---- */

struct lpm *lpm_new(int family)
{
    if (family != 4 && family != 6)
        return NULL;
    struct lpm *t = xcalloc(1, sizeof *t);
    t->addr_len = family == 4 ? 4 : 16;
    t->max_len = family == 4 ? 32 : 128;
    pool_init(&t->nodes, sizeof(struct lpm_node), false);
    pool_init(&t->leaves, sizeof(uint32_t), true);
    t->pn_n = 1; /* index 0 is "none" */
    t->r_cap = 4;
    t->rvalue = xcalloc(t->r_cap, sizeof *t->rvalue);
    t->rlen = xcalloc(t->r_cap, 1);
    t->r_n = 1; /* route id 0 is "no route": value t->none, length 0 */
    t->none = UINT32_MAX;
    t->rvalue[0] = t->none;
    lpm_rebuild(t, top_bits_for(0));
    return t;
}

void lpm_free(struct lpm *t)
{
    if (!t)
        return;
    free(t->top);
    free(t->nodes.items);
    free(t->leaves.items);
    free(t->leaves.shadow);
    free(t->nodes.head);
    free(t->leaves.head);
    free(t->pn);
    free(t->rvalue);
    free(t->rlen);
    free(t);
}

int lpm_insert(struct lpm *t, const uint8_t *addr, uint8_t len, uint32_t value)
{
    if (len > t->max_len)
        return -EINVAL;
    struct lpm_key k;
    key_from_addr(t, addr, len, &k);
    uint32_t n = pat_insert(t, &k, len);
    if (t->pn[n].rid) {
        uint32_t rid = t->pn[n].rid;
        t->rvalue[rid] = value;
        if (value == t->none) {
            lpm_pick_none(t);
            return 1;
        }
        /* Top-level leaves read rvalue; node leaves hold copies under the prefix's chunks. */
        uint32_t c0 = key_bits(&k, 0, t->s);
        uint32_t n_cov = len <= t->s ? 1u << (t->s - len) : 1;
        for (uint32_t c = c0; c < c0 + n_cov; c++)
            if (!(t->top[c] & LPM_LEAF))
                revalue(t, t->top[c], rid);
        return 1;
    }
    uint32_t rid = rid_new(t, value, len);
    t->pn[n].rid = rid;
    t->n++;
    if (value == t->none) {
        lpm_pick_none(t);
        return 0;
    }
    lpm_refresh(t, &k, len);
    lpm_retune(t);
    return 0;
}

int lpm_delete(struct lpm *t, const uint8_t *addr, uint8_t len)
{
    if (len > t->max_len)
        return -ENOENT;
    struct lpm_key k;
    key_from_addr(t, addr, len, &k);
    uint32_t rid = pat_remove(t, &k, len);
    if (!rid)
        return -ENOENT;
    t->n--;
    lpm_refresh(t, &k, len); /* reads rlen[rid] to find the leaves it held */
    rid_release(t, rid);
    lpm_retune(t);
    return 0;
}

bool lpm_get(const struct lpm *t, const uint8_t *addr, uint8_t len, uint32_t *value)
{
    if (len > t->max_len)
        return false;
    struct lpm_key k;
    key_from_addr(t, addr, len, &k);
    uint32_t n = pat_find(t, &k, len);
    if (n && value)
        *value = t->rvalue[t->pn[n].rid];
    return n != 0;
}

/* Lookups use popcount on every level; the library is built for baseline x86-64, so the
 * lookups carry a POPCNT clone picked at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LPM_HOT __attribute__((target_clones("popcnt", "default")))
#else
#define LPM_HOT
#endif

/* One step of a lookup that has not ended: the next node, or LPM_LEAF with *leaf set. */
static inline uint32_t lpm_step(const struct lpm_node *nd, unsigned v, uint32_t *leaf)
{
    const struct lpm_word *wd = &nd->w[v >> 6];
    unsigned b = v & 63;
    uint64_t m = upto(b);
    if (wd->vector >> b & 1)
        return wd->base1 + (uint32_t)__builtin_popcountll(wd->vector & m) - 1;
    *leaf = wd->base0 + (uint32_t)__builtin_popcountll(wd->leafvec & m) - 1;
    return LPM_LEAF;
}

/* The route id for a key, and its value. */
static inline uint32_t lpm_find(const struct lpm *t, const struct lpm_key *k, uint32_t *value)
{
    uint32_t e = t->top_ro[k->w[0] >> (64 - t->s)];
    if (e & LPM_LEAF) {
        uint32_t rid = e & ~LPM_LEAF;
        *value = t->rvalue_ro[rid];
        return rid;
    }
    uint32_t leaf = 0;
    for (unsigned off = t->s; !(e & LPM_LEAF); off += LPM_STRIDE)
        e = lpm_step(&t->nodes_ro[e], key_bits(k, off, LPM_STRIDE), &leaf);
    *value = t->leaves_ro[leaf];
    return t->leaves.shadow[leaf];
}

LPM_HOT
bool lpm_lookup(const struct lpm *t, const uint8_t *addr, uint32_t *value, uint8_t *len_out)
{
    struct lpm_key k;
    if (t->addr_len == 4) {
        uint32_t a;
        memcpy(&a, addr, 4);
        k.w[0] = (uint64_t)ntohl(a) << 32;
        k.w[1] = 0;
    } else {
        k.w[0] = be64_load(addr);
        k.w[1] = be64_load(addr + 8);
    }
    uint32_t v;
    uint32_t rid = lpm_find(t, &k, &v);
    if (!rid)
        return false;
    if (value)
        *value = v;
    if (len_out)
        *len_out = t->rlen[rid];
    return true;
}

/* The batch lookup runs a group of addresses level by level with no data-dependent branch
 * inside a level: every lane computes both the child index and the leaf, and a lane that has
 * ended keeps its result (it reads node 0 and leaf 0, which exist and are zero). So the loads
 * of all lanes at one level are in flight together and nothing mispredicts on the route mix;
 * the only branch is "does any lane go one level deeper". */
LPM_HOT
static void lookup4_batch_scalar(const struct lpm *t, const uint32_t *addrs_be, size_t n,
                                 uint32_t *values, bool *found)
{
    enum { GROUP = 32 };
    const unsigned s = t->s;
    const uint32_t *top = t->top_ro, *rvalue = t->rvalue_ro, *leaves = t->leaves_ro;
    const uint32_t none = t->none;
    const struct lpm_node *nodes = t->nodes_ro;
    for (size_t base = 0; base < n; base += GROUP) {
        unsigned m = n - base < GROUP ? (unsigned)(n - base) : GROUP;
        uint64_t k[GROUP];
        uint32_t e[GROUP], val[GROUP];
        uint32_t deeper = 0;
        for (unsigned i = 0; i < m; i++) {
            uint32_t a = ntohl(addrs_be[base + i]);
            k[i] = (uint64_t)a << 32;
            e[i] = top[a >> (32 - s)];
            val[i] = rvalue[e[i] & LPM_LEAF ? e[i] & ~LPM_LEAF : 0];
            deeper |= ~e[i];
        }
        for (unsigned off = s; deeper & LPM_LEAF; off += LPM_STRIDE) {
            deeper = 0;
            for (unsigned i = 0; i < m; i++) {
                uint32_t cur = e[i];
                uint32_t done = (uint32_t)((int32_t)cur >> 31); /* all ones once ended */
                unsigned v = (unsigned)((k[i] << off) >> 56), b = v & 63;
                const struct lpm_word *wd = &nodes[cur & ~done].w[v >> 6];
                uint64_t msk = upto(b), vec = wd->vector;
                uint32_t child = wd->base1 + (uint32_t)__builtin_popcountll(vec & msk) - 1;
                uint32_t li = wd->base0 + (uint32_t)__builtin_popcountll(wd->leafvec & msk);
                uint32_t lf = leaves[li - (li != 0)]; /* clamped: child lanes may be -1 */
                uint32_t is_child = (uint32_t)(vec >> b & 1);
                uint32_t take_leaf = ~done & (is_child - 1); /* all ones: ends here on a leaf */
                e[i] = (cur & done) | (child & ~done & -is_child) | (LPM_LEAF & take_leaf);
                val[i] = (val[i] & ~take_leaf) | (lf & take_leaf);
                deeper |= ~e[i];
            }
        }
        for (unsigned i = 0; i < m; i++) {
            found[base + i] = val[i] != none;
            values[base + i] = val[i] != none ? val[i] : 0;
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define LPM_AVX512 1

/* The same walk eight lanes at a time with AVX-512 gathers and VPOPCNTQ: per level, three
 * gathers read each lane's node word (bitmaps and bases) and one gathers the leaf value.
 * Lanes are 64-bit; node indices are in 8-byte units (a node is 12 of them). LPM_VECS vectors
 * go through the levels together so that their cache misses overlap. */
#define LPM_AVX512_TARGET "avx512f,avx512vl,avx512bw,avx512dq,avx512vpopcntdq"
#ifndef LPM_VECS
#define LPM_VECS 4
#endif

struct lpm_lanes {
    __m512i key, e;
    __m256i val;
    __mmask8 deeper;
};

__attribute__((target(LPM_AVX512_TARGET))) static inline void
lanes_start(const struct lpm *t, const uint32_t *addrs_be, struct lpm_lanes *l)
{
    const __m256i bswap = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12, 3,
                                           2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    __m256i a32 = _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)addrs_be), bswap);
    __m512i a = _mm512_cvtepu32_epi64(a32);
    l->e = _mm512_cvtepu32_epi64(
        _mm512_i64gather_epi32(_mm512_srli_epi64(a, 32 - t->s), (const int *)t->top_ro, 4));
    l->deeper = _mm512_testn_epi64_mask(l->e, _mm512_set1_epi64(LPM_LEAF));
    __m512i rid = _mm512_maskz_and_epi64((__mmask8)~l->deeper, l->e, _mm512_set1_epi64(~LPM_LEAF));
    l->val = _mm512_i64gather_epi32(rid, (const int *)t->rvalue_ro, 4);
    l->key = _mm512_slli_epi64(a, 32);
}

__attribute__((target(LPM_AVX512_TARGET))) static inline void
lanes_step(const struct lpm *t, unsigned off, struct lpm_lanes *l)
{
    const __m512i one = _mm512_set1_epi64(1), two = _mm512_set1_epi64(2);
    const __m512i lo32 = _mm512_set1_epi64(0xffffffffll), zero = _mm512_setzero_si512();
    __mmask8 deeper = l->deeper;
    __m512i v = _mm512_srli_epi64(_mm512_sll_epi64(l->key, _mm_cvtsi32_si128((int)off)), 56);
    __m512i w = _mm512_srli_epi64(v, 6), b = _mm512_and_si512(v, _mm512_set1_epi64(63));
    /* word w of node e, in 8-byte units: e * 12 + w * 3 */
    __m512i e4 = _mm512_slli_epi64(l->e, 2);
    __m512i wu = _mm512_add_epi64(_mm512_add_epi64(e4, _mm512_add_epi64(e4, e4)),
                                  _mm512_add_epi64(w, _mm512_add_epi64(w, w)));
    __m512i vec = _mm512_mask_i64gather_epi64(zero, deeper, wu, t->nodes_ro, 8);
    __m512i lvec =
        _mm512_mask_i64gather_epi64(zero, deeper, _mm512_add_epi64(wu, one), t->nodes_ro, 8);
    __m512i bases =
        _mm512_mask_i64gather_epi64(zero, deeper, _mm512_add_epi64(wu, two), t->nodes_ro, 8);
    __m512i m = _mm512_sub_epi64(_mm512_sllv_epi64(two, b), one);
    __mmask8 child = _mm512_mask_test_epi64_mask(deeper, _mm512_srlv_epi64(vec, b), one);
    __mmask8 leaf = deeper & (__mmask8)~child;
    __m512i pc1 = _mm512_popcnt_epi64(_mm512_and_si512(vec, m));
    __m512i pc0 = _mm512_popcnt_epi64(_mm512_and_si512(lvec, m));
    __m512i nchild = _mm512_sub_epi64(_mm512_add_epi64(_mm512_and_si512(bases, lo32), pc1), one);
    __m512i lidx = _mm512_sub_epi64(_mm512_add_epi64(_mm512_srli_epi64(bases, 32), pc0), one);
    l->val = _mm512_mask_i64gather_epi32(l->val, leaf, lidx, (const int *)t->leaves_ro, 4);
    l->e = _mm512_mask_mov_epi64(l->e, child, nchild);
    l->deeper = child;
}

__attribute__((target(LPM_AVX512_TARGET))) static void
lookup4_batch_avx512(const struct lpm *t, const uint32_t *addrs_be, size_t n, uint32_t *values,
                     bool *found)
{
    const __m256i none = _mm256_set1_epi32((int)t->none);
    size_t i = 0;
    for (; i + 8 * LPM_VECS <= n; i += 8 * LPM_VECS) {
        struct lpm_lanes l[LPM_VECS];
        unsigned deeper = 0;
        for (int g = 0; g < LPM_VECS; g++) {
            lanes_start(t, addrs_be + i + 8 * g, &l[g]);
            deeper |= l[g].deeper;
        }
        for (unsigned off = t->s; deeper; off += LPM_STRIDE) {
            deeper = 0;
            for (int g = 0; g < LPM_VECS; g++) {
                lanes_step(t, off, &l[g]);
                deeper |= l[g].deeper;
            }
        }
        for (int g = 0; g < LPM_VECS; g++) {
            __mmask8 hit = _mm256_cmpneq_epi32_mask(l[g].val, none);
            _mm256_storeu_si256((__m256i *)(values + i + 8 * g),
                                _mm256_maskz_mov_epi32(hit, l[g].val));
            _mm_storel_epi64((__m128i *)(found + i + 8 * g), _mm_maskz_set1_epi8(hit, 1));
        }
    }
    if (i < n)
        lookup4_batch_scalar(t, addrs_be + i, n - i, values + i, found + i);
}
#endif

void lpm_lookup4_batch(const struct lpm *t, const uint32_t *addrs_be, size_t n, uint32_t *values,
                       bool *found)
{
#ifdef LPM_AVX512
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vpopcntdq")) {
        lookup4_batch_avx512(t, addrs_be, n, values, found);
        return;
    }
#endif
    lookup4_batch_scalar(t, addrs_be, n, values, found);
}

size_t lpm_count(const struct lpm *t)
{
    return t->n;
}

size_t lpm_memory(const struct lpm *t)
{
    return sizeof *t + ((size_t)1 << t->s) * sizeof *t->top +
           (size_t)t->nodes.cap * t->nodes.item_size +
           (size_t)t->leaves.cap * (t->leaves.item_size + sizeof *t->leaves.shadow) +
           (size_t)t->pn_cap * sizeof *t->pn + (size_t)t->r_cap * (sizeof *t->rvalue + 1) +
           (t->nodes.head ? (LPM_FANOUT + 1) * sizeof(uint32_t) : 0) +
           (t->leaves.head ? (LPM_FANOUT + 1) * sizeof(uint32_t) : 0);
}
