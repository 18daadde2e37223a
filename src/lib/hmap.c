#include "lib/hmap.h"

#include <string.h>

#include "lib/xalloc.h"

void hmap_init(struct hmap *m)
{
    m->n_buckets = 64;
    m->buckets = xcalloc(m->n_buckets, sizeof *m->buckets);
    m->n = 0;
}

void hmap_destroy(struct hmap *m)
{
    if (!m || !m->buckets)
        return;
    for (size_t i = 0; i < m->n_buckets; i++) {
        struct hmap_node *n = m->buckets[i];
        while (n) {
            struct hmap_node *next = n->next;
            free(n);
            n = next;
        }
    }
    free(m->buckets);
    m->buckets = NULL;
    m->n = 0;
}

uint64_t hmap_hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static struct hmap_node **hmap_slot(const struct hmap *m, const char *key, uint64_t h)
{
    struct hmap_node **p = &m->buckets[h & (m->n_buckets - 1)];
    while (*p && !((*p)->hash == h && strcmp((*p)->key, key) == 0))
        p = &(*p)->next;
    return p;
}

void *hmap_get(const struct hmap *m, const char *key)
{
    struct hmap_node **p = hmap_slot(m, key, hmap_hash_str(key));
    return *p ? (*p)->value : NULL;
}

static void hmap_expand(struct hmap *m)
{
    size_t nb = m->n_buckets * 2;
    struct hmap_node **b = xcalloc(nb, sizeof *b);
    for (size_t i = 0; i < m->n_buckets; i++) {
        struct hmap_node *n = m->buckets[i];
        while (n) {
            struct hmap_node *next = n->next;
            n->next = b[n->hash & (nb - 1)];
            b[n->hash & (nb - 1)] = n;
            n = next;
        }
    }
    free(m->buckets);
    m->buckets = b;
    m->n_buckets = nb;
}

void *hmap_put(struct hmap *m, const char *key, void *value)
{
    uint64_t h = hmap_hash_str(key);
    struct hmap_node **p = hmap_slot(m, key, h);
    if (*p) {
        void *old = (*p)->value;
        (*p)->value = value;
        (*p)->key = key;
        return old;
    }
    struct hmap_node *n = xmalloc(sizeof *n);
    n->key = key;
    n->value = value;
    n->hash = h;
    n->next = NULL;
    *p = n;
    if (++m->n > m->n_buckets)
        hmap_expand(m);
    return NULL;
}

void *hmap_remove(struct hmap *m, const char *key)
{
    struct hmap_node **p = hmap_slot(m, key, hmap_hash_str(key));
    if (!*p)
        return NULL;
    struct hmap_node *n = *p;
    void *v = n->value;
    *p = n->next;
    free(n);
    m->n--;
    return v;
}
