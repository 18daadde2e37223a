/* String-keyed hash map from a key to a borrowed pointer. Keys are borrowed too: the
 * caller keeps each key alive while it is in the map (resources use their own id). */
#ifndef VPCD_LIB_HMAP_H
#define VPCD_LIB_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap_node {
    const char *key;
    void *value;
    uint64_t hash;
    struct hmap_node *next;
};

struct hmap {
    struct hmap_node **buckets;
    size_t n_buckets; /* power of two */
    size_t n;
};

void hmap_init(struct hmap *m);
void hmap_destroy(struct hmap *m);
uint64_t hmap_hash_str(const char *s);
void *hmap_get(const struct hmap *m, const char *key);
/* Inserts or replaces; returns the previous value or NULL. */
void *hmap_put(struct hmap *m, const char *key, void *value);
/* Removes key; returns its value or NULL. */
void *hmap_remove(struct hmap *m, const char *key);

#endif
