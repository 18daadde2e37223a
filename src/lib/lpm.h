/* Longest-prefix match for one route table of one address family.
 *
 * A table is a poptrie (a multibit trie of 6-bit strides whose nodes are compressed with
 * popcount) under a direct top level of 2^8, 2^12 or 2^16 entries chosen by the table's size,
 * compiled from a path-compressed binary trie of the routes that stays the source of truth.
 * A lookup is one top-level load plus one node per 6 bits below the deepest route on the
 * path; memory is proportional to the routes (thousands of tables fit, unlike DIR-24-8), and
 * insert and delete rebuild only the nodes the prefix covers. Values are u32 indices chosen
 * by the caller (a route index), never pointers, so a compiled table can be shared read-only
 * between threads; lookups on one table may run concurrently with each other but not with
 * an insert or delete.
 *
 * Addresses are network-order bytes: 4 for IPv4, 16 for IPv6. Lookups never allocate. */
#ifndef VPCD_LIB_LPM_H
#define VPCD_LIB_LPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lpm;

/* family: 4 or 6. Caller owns the table; lpm_free() accepts NULL. */
struct lpm *lpm_new(int family);
void lpm_free(struct lpm *t);
/* Adds or replaces the route for addr/len (host bits are ignored). Returns 1 when an existing
 * route was replaced, 0 when added, -EINVAL for a bad length. */
int lpm_insert(struct lpm *t, const uint8_t *addr, uint8_t len, uint32_t value);
/* Removes addr/len. Returns 0, or -ENOENT if there is no such route. */
int lpm_delete(struct lpm *t, const uint8_t *addr, uint8_t len);
/* The value of addr/len exactly, if present. */
bool lpm_get(const struct lpm *t, const uint8_t *addr, uint8_t len, uint32_t *value);
/* The longest prefix containing addr: true with its value (and length if len_out). */
bool lpm_lookup(const struct lpm *t, const uint8_t *addr, uint32_t *value, uint8_t *len_out);
/* IPv4 only: looks up n addresses (network-order u32s) at once, overlapping their memory
 * accesses. values[i] is the value of the longest prefix containing addrs_be[i] when found[i]
 * is true, 0 otherwise. The caller owns the three arrays. */
void lpm_lookup4_batch(const struct lpm *t, const uint32_t *addrs_be, size_t n, uint32_t *values,
                       bool *found);
size_t lpm_count(const struct lpm *t);
/* Bytes the table holds (capacities of every array it owns), for stats and benchmarks. */
size_t lpm_memory(const struct lpm *t);

#endif
