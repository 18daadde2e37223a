/* Longest-prefix match for one route table of one address family.
 *
 * A table keeps one open-addressing hash per prefix length in use, and the lengths in use in
 * descending order; a lookup masks the address to each length, longest first, and stops at
 * the first hit. VPC and TGW tables hold few distinct lengths, so a lookup is a handful of
 * probes, memory is proportional to the routes (thousands of tables fit, unlike DIR-24-8),
 * and insert and delete touch one hash. Values are u32 indices chosen by the caller (a route
 * index), never pointers, so a compiled table can be shared read-only between threads.
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
size_t lpm_count(const struct lpm *t);
/* Bytes the table uses, for stats and benchmarks. */
size_t lpm_memory(const struct lpm *t);

#endif
