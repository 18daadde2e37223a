#include "lib/lpm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

/* One slot of a per-length hash. The key is the masked address; a slot is used when
 * `used` is set (an all-zero key is a valid prefix, 0.0.0.0/0). Deleted slots become
 * tombstones so that probe chains stay intact. */
struct lpm_slot {
    uint8_t key[16];
    uint32_t value;
    uint8_t used;      /* 1 live, 2 tombstone, 0 empty */
};

struct lpm_level {
    struct lpm_slot *slots; /* n_slots is a power of two; NULL while the level is empty */
    uint32_t n_slots;
    uint32_t n_live;
    uint32_t n_tomb;
};

struct lpm {
    uint8_t addr_len; /* 4 or 16 bytes */
    uint8_t max_len;  /* 32 or 128 */
    size_t n;
    /* Prefix lengths with at least one route, longest first. */
    uint8_t lens[129];
    uint8_t n_lens;
    struct lpm_level levels[129];
};

struct lpm *lpm_new(int family)
{
    if (family != 4 && family != 6)
        return NULL;
    struct lpm *t = xcalloc(1, sizeof *t);
    t->addr_len = family == 4 ? 4 : 16;
    t->max_len = family == 4 ? 32 : 128;
    return t;
}

void lpm_free(struct lpm *t)
{
    if (!t)
        return;
    for (int i = 0; i <= 128; i++)
        free(t->levels[i].slots);
    free(t);
}

static void lpm_mask(const struct lpm *t, const uint8_t *addr, uint8_t len, uint8_t out[16])
{
    memset(out, 0, 16);
    memcpy(out, addr, t->addr_len);
    unsigned full = len / 8, rest = len % 8;
    if (full < t->addr_len) {
        out[full] &= (uint8_t)(0xff00u >> rest);
        for (unsigned i = full + 1; i < t->addr_len; i++)
            out[i] = 0;
    }
}

/* FNV-1a over the used bytes, finished with a multiply so low bits mix. */
static uint32_t lpm_hash(const uint8_t *key, unsigned n, uint8_t len)
{
    uint32_t h = 2166136261u ^ len;
    for (unsigned i = 0; i < n; i++)
        h = (h ^ key[i]) * 16777619u;
    return h * 0x9e3779b1u;
}

/* The slot holding key, or NULL. */
static struct lpm_slot *level_find(const struct lpm *t, const struct lpm_level *lv,
                                   const uint8_t key[16], uint8_t len)
{
    if (!lv->n_live)
        return NULL;
    uint32_t mask = lv->n_slots - 1;
    for (uint32_t i = lpm_hash(key, t->addr_len, len) & mask, step = 0; step <= mask;
         i = (i + 1) & mask, step++) {
        struct lpm_slot *s = &lv->slots[i];
        if (s->used == 0)
            return NULL;
        if (s->used == 1 && memcmp(s->key, key, t->addr_len) == 0)
            return s;
    }
    return NULL;
}

static void level_place(const struct lpm *t, struct lpm_level *lv, const uint8_t key[16],
                        uint8_t len, uint32_t value)
{
    uint32_t mask = lv->n_slots - 1;
    uint32_t i = lpm_hash(key, t->addr_len, len) & mask;
    while (lv->slots[i].used == 1)
        i = (i + 1) & mask;
    if (lv->slots[i].used == 2)
        lv->n_tomb--;
    memcpy(lv->slots[i].key, key, 16);
    lv->slots[i].value = value;
    lv->slots[i].used = 1;
    lv->n_live++;
}

/* Keeps the load (live + tombstones) at most 1/2, rebuilding without tombstones. */
static void level_reserve(const struct lpm *t, struct lpm_level *lv, uint8_t len)
{
    if (lv->slots && (lv->n_live + lv->n_tomb + 1) * 2 <= lv->n_slots)
        return;
    uint32_t n_slots = 8;
    while ((lv->n_live + 1) * 2 > n_slots)
        n_slots *= 2;
    struct lpm_level old = *lv;
    lv->slots = xcalloc(n_slots, sizeof *lv->slots);
    lv->n_slots = n_slots;
    lv->n_live = lv->n_tomb = 0;
    for (uint32_t i = 0; i < old.n_slots; i++)
        if (old.slots[i].used == 1)
            level_place(t, lv, old.slots[i].key, len, old.slots[i].value);
    free(old.slots);
}

static void lens_add(struct lpm *t, uint8_t len)
{
    unsigned i = 0;
    while (i < t->n_lens && t->lens[i] > len)
        i++;
    memmove(&t->lens[i + 1], &t->lens[i], t->n_lens - i);
    t->lens[i] = len;
    t->n_lens++;
}

static void lens_remove(struct lpm *t, uint8_t len)
{
    for (unsigned i = 0; i < t->n_lens; i++)
        if (t->lens[i] == len) {
            memmove(&t->lens[i], &t->lens[i + 1], t->n_lens - i - 1);
            t->n_lens--;
            return;
        }
}

int lpm_insert(struct lpm *t, const uint8_t *addr, uint8_t len, uint32_t value)
{
    if (len > t->max_len)
        return -EINVAL;
    uint8_t key[16];
    lpm_mask(t, addr, len, key);
    struct lpm_level *lv = &t->levels[len];
    struct lpm_slot *s = level_find(t, lv, key, len);
    if (s) {
        s->value = value;
        return 1;
    }
    if (!lv->n_live)
        lens_add(t, len);
    level_reserve(t, lv, len);
    level_place(t, lv, key, len, value);
    t->n++;
    return 0;
}

int lpm_delete(struct lpm *t, const uint8_t *addr, uint8_t len)
{
    if (len > t->max_len)
        return -ENOENT;
    uint8_t key[16];
    lpm_mask(t, addr, len, key);
    struct lpm_level *lv = &t->levels[len];
    struct lpm_slot *s = level_find(t, lv, key, len);
    if (!s)
        return -ENOENT;
    s->used = 2;
    lv->n_live--;
    lv->n_tomb++;
    t->n--;
    if (!lv->n_live) {
        free(lv->slots);
        memset(lv, 0, sizeof *lv);
        lens_remove(t, len);
    }
    return 0;
}

bool lpm_get(const struct lpm *t, const uint8_t *addr, uint8_t len, uint32_t *value)
{
    if (len > t->max_len)
        return false;
    uint8_t key[16];
    lpm_mask(t, addr, len, key);
    const struct lpm_slot *s = level_find(t, &t->levels[len], key, len);
    if (s && value)
        *value = s->value;
    return s != NULL;
}

bool lpm_lookup(const struct lpm *t, const uint8_t *addr, uint32_t *value, uint8_t *len_out)
{
    uint8_t key[16];
    for (unsigned i = 0; i < t->n_lens; i++) {
        uint8_t len = t->lens[i];
        lpm_mask(t, addr, len, key);
        const struct lpm_slot *s = level_find(t, &t->levels[len], key, len);
        if (s) {
            if (value)
                *value = s->value;
            if (len_out)
                *len_out = len;
            return true;
        }
    }
    return false;
}

size_t lpm_count(const struct lpm *t)
{
    return t->n;
}

size_t lpm_memory(const struct lpm *t)
{
    size_t bytes = sizeof *t;
    for (unsigned i = 0; i < t->n_lens; i++)
        bytes += t->levels[t->lens[i]].n_slots * sizeof(struct lpm_slot);
    return bytes;
}
