/* IPv4/IPv6 addresses and prefixes: parsing, canonical formatting and set relations.
 *
 * OS-free building blocks (no allocation, no global state). IPv4 addresses travel in host byte
 * order so that masking and arithmetic read naturally; IPv6 addresses stay as 16 network-order
 * bytes because no native 128-bit integer is portable. Parsed prefixes always have their host
 * bits cleared, matching how AWS echoes a CIDR back (100.68.0.18/18 becomes 100.68.0.0/18), so
 * two parsed prefixes can be compared field by field. The relation helpers still mask their
 * inputs, so hand-built non-canonical prefixes behave as the block they denote.
 */
#ifndef VPCD_LIB_ADDR_H
#define VPCD_LIB_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IP4_STRLEN 16     /* "255.255.255.255" + NUL */
#define IP6_STRLEN 46     /* INET6_ADDRSTRLEN */
#define PREFIX4_STRLEN 19 /* IP4 text + "/32" + NUL */
#define PREFIX6_STRLEN 50 /* IP6 text + "/128" + NUL */

#define IP4_MAX_LEN 32
#define IP6_MAX_LEN 128

struct prefix4 {
    uint32_t addr; /* host byte order; host bits zero after parse */
    uint8_t len;
};

struct prefix6 {
    uint8_t addr[16]; /* network byte order; host bits zero after parse */
    uint8_t len;
};

/* Strict dotted quad "a.b.c.d", each 0..255 in plain decimal. Leading zeros are refused because
 * other stacks read them as octal ("010" = 8), so accepting them would make the same text name
 * different addresses. Returns 0 or -EINVAL; *out is untouched on error. */
int ip4_parse(const char *s, uint32_t *out);
void ip4_format(uint32_t addr, char buf[IP4_STRLEN]);

/* Any RFC 4291 text form, including embedded IPv4 ("::ffff:1.2.3.4"); no zone ids.
 * Returns 0 or -EINVAL; out is untouched on error. */
int ip6_parse(const char *s, uint8_t out[16]);
/* RFC 5952 canonical lower-case text ("2001:db8::1"). */
void ip6_format(const uint8_t addr[16], char buf[IP6_STRLEN]);

/* "a.b.c.d/n", n 0..32 in decimal without sign or leading zeros; the "/n" is mandatory.
 * Host bits are zeroed. Returns 0 or -EINVAL; *out is untouched on error. */
int prefix4_parse(const char *s, struct prefix4 *out);
/* "x::/n", n 0..128, same rules for n; host bits are zeroed. */
int prefix6_parse(const char *s, struct prefix6 *out);
void prefix4_format(const struct prefix4 *p, char buf[PREFIX4_STRLEN]);
void prefix6_format(const struct prefix6 *p, char buf[PREFIX6_STRLEN]);

/* Network mask for a prefix length: 0 -> 0, 32 -> 0xffffffff; lengths above 32 act as 32. */
uint32_t prefix4_mask(uint8_t len);
/* Build a canonical prefix from any address inside it (len above 32 is clamped to 32). */
struct prefix4 prefix4_make(uint32_t addr, uint8_t len);

/* inner lies entirely within outer; equal blocks count as contained. */
bool prefix4_contains(const struct prefix4 *outer, const struct prefix4 *inner);
/* The two blocks share at least one address (for CIDR blocks: one contains the other). */
bool prefix4_overlaps(const struct prefix4 *a, const struct prefix4 *b);
bool prefix4_has_addr(const struct prefix4 *p, uint32_t addr);
/* Same block: same length and same network bits (host bits are ignored). */
bool prefix4_equal(const struct prefix4 *a, const struct prefix4 *b);
/* Number of addresses, 2^(32-len); 64-bit because /0 holds 2^32. */
uint64_t prefix4_size(const struct prefix4 *p);
/* First (network) and last (broadcast) address of the block. */
uint32_t prefix4_first(const struct prefix4 *p);
uint32_t prefix4_last(const struct prefix4 *p);

/* Zero the bits after len in addr (len above 128 acts as 128). */
void prefix6_mask_addr(uint8_t addr[16], uint8_t len);
bool prefix6_contains(const struct prefix6 *outer, const struct prefix6 *inner);
bool prefix6_overlaps(const struct prefix6 *a, const struct prefix6 *b);
bool prefix6_has_addr(const struct prefix6 *p, const uint8_t addr[16]);
bool prefix6_equal(const struct prefix6 *a, const struct prefix6 *b);
/* Last address of the block (all host bits set). */
void prefix6_last(const struct prefix6 *p, uint8_t out[16]);

#endif
