#include "lib/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Parse exactly n bytes of s as a dotted quad; working on a length lets prefix parsing avoid
 * copying the address part out of the "a.b.c.d/n" string. */
static int ip4_parse_n(const char *s, size_t n, uint32_t *out)
{
    uint32_t addr = 0;
    size_t i = 0;

    for (int octet = 0; octet < 4; octet++) {
        if (octet > 0) {
            if (i >= n || s[i] != '.')
                return -EINVAL;
            i++;
        }
        size_t start = i;
        unsigned value = 0;
        while (i < n && is_digit(s[i])) {
            value = value * 10 + (unsigned)(s[i] - '0');
            if (value > 255)
                return -EINVAL; /* also stops the loop before value could overflow */
            i++;
        }
        if (i == start)
            return -EINVAL;
        if (s[start] == '0' && i - start > 1)
            return -EINVAL;
        addr = (addr << 8) | value;
    }
    if (i != n)
        return -EINVAL;
    *out = addr;
    return 0;
}

/* Prefix length in plain decimal: no sign, no spaces, no leading zeros, at most max. */
static int parse_prefix_len(const char *s, unsigned max, uint8_t *out)
{
    unsigned value = 0;
    size_t i = 0;

    if (!is_digit(s[0]))
        return -EINVAL;
    if (s[0] == '0' && s[1] != '\0')
        return -EINVAL;
    for (; s[i] != '\0'; i++) {
        if (!is_digit(s[i]))
            return -EINVAL;
        value = value * 10 + (unsigned)(s[i] - '0');
        if (value > max)
            return -EINVAL;
    }
    *out = (uint8_t)value;
    return 0;
}

int ip4_parse(const char *s, uint32_t *out)
{
    return ip4_parse_n(s, strlen(s), out);
}

/* Decimal digits of v (0-255) at p; returns the end. Formatting addresses is on the hot path
 * of every reply and every stored route, where snprintf cost ten times as much. */
static char *put_u8(char *p, unsigned v)
{
    if (v >= 100)
        *p++ = (char)('0' + v / 100);
    if (v >= 10)
        *p++ = (char)('0' + v / 10 % 10);
    *p++ = (char)('0' + v % 10);
    return p;
}

static char *put_ip4(char *p, uint32_t addr)
{
    p = put_u8(p, (uint8_t)(addr >> 24));
    *p++ = '.';
    p = put_u8(p, (uint8_t)(addr >> 16));
    *p++ = '.';
    p = put_u8(p, (uint8_t)(addr >> 8));
    *p++ = '.';
    return put_u8(p, (uint8_t)addr);
}

void ip4_format(uint32_t addr, char buf[IP4_STRLEN])
{
    *put_ip4(buf, addr) = '\0';
}

int ip6_parse(const char *s, uint8_t out[16])
{
    uint8_t tmp[16];

    if (inet_pton(AF_INET6, s, tmp) != 1)
        return -EINVAL;
    memcpy(out, tmp, sizeof(tmp));
    return 0;
}

void ip6_format(const uint8_t addr[16], char buf[IP6_STRLEN])
{
    /* Cannot fail: AF_INET6 is supported and IP6_STRLEN == INET6_ADDRSTRLEN. */
    if (inet_ntop(AF_INET6, addr, buf, IP6_STRLEN) == NULL)
        buf[0] = '\0';
}

uint32_t prefix4_mask(uint8_t len)
{
    if (len == 0)
        return 0;
    if (len >= IP4_MAX_LEN)
        return UINT32_MAX;
    return UINT32_MAX << (IP4_MAX_LEN - len);
}

struct prefix4 prefix4_make(uint32_t addr, uint8_t len)
{
    if (len > IP4_MAX_LEN)
        len = IP4_MAX_LEN;
    return (struct prefix4){.addr = addr & prefix4_mask(len), .len = len};
}

int prefix4_parse(const char *s, struct prefix4 *out)
{
    const char *slash = strchr(s, '/');
    uint32_t addr;
    uint8_t len;

    if (slash == NULL)
        return -EINVAL;
    if (ip4_parse_n(s, (size_t)(slash - s), &addr) < 0)
        return -EINVAL;
    if (parse_prefix_len(slash + 1, IP4_MAX_LEN, &len) < 0)
        return -EINVAL;
    *out = prefix4_make(addr, len);
    return 0;
}

void prefix4_format(const struct prefix4 *p, char buf[PREFIX4_STRLEN])
{
    /* Clamped like prefix4_mask so a hand-built bogus length cannot outgrow the buffer. */
    unsigned len = p->len > IP4_MAX_LEN ? IP4_MAX_LEN : p->len;
    char *o = put_ip4(buf, p->addr);
    *o++ = '/';
    *put_u8(o, len) = '\0';
}

bool prefix4_contains(const struct prefix4 *outer, const struct prefix4 *inner)
{
    uint32_t m = prefix4_mask(outer->len);

    return inner->len >= outer->len && (inner->addr & m) == (outer->addr & m);
}

bool prefix4_overlaps(const struct prefix4 *a, const struct prefix4 *b)
{
    /* Two CIDR blocks either nest or are disjoint, so comparing under the shorter mask is
     * enough. */
    uint32_t m = prefix4_mask(a->len < b->len ? a->len : b->len);

    return (a->addr & m) == (b->addr & m);
}

bool prefix4_has_addr(const struct prefix4 *p, uint32_t addr)
{
    uint32_t m = prefix4_mask(p->len);

    return (addr & m) == (p->addr & m);
}

bool prefix4_equal(const struct prefix4 *a, const struct prefix4 *b)
{
    return a->len == b->len && (a->addr & prefix4_mask(a->len)) == (b->addr & prefix4_mask(b->len));
}

uint64_t prefix4_size(const struct prefix4 *p)
{
    unsigned len = p->len > IP4_MAX_LEN ? IP4_MAX_LEN : p->len;

    return UINT64_C(1) << (IP4_MAX_LEN - len);
}

uint32_t prefix4_first(const struct prefix4 *p)
{
    return p->addr & prefix4_mask(p->len);
}

uint32_t prefix4_last(const struct prefix4 *p)
{
    return p->addr | ~prefix4_mask(p->len);
}

/* Mask byte for byte index i of a prefix of length len. */
static uint8_t prefix6_mask_byte(uint8_t len, unsigned i)
{
    unsigned bits = len > IP6_MAX_LEN ? IP6_MAX_LEN : len;

    if (bits >= (i + 1) * 8)
        return 0xff;
    if (bits <= i * 8)
        return 0;
    return (uint8_t)(0xff << (8 - (bits - i * 8)));
}

/* a and b agree on their first len bits. */
static bool addr6_match(const uint8_t a[16], const uint8_t b[16], uint8_t len)
{
    for (unsigned i = 0; i < 16; i++) {
        uint8_t m = prefix6_mask_byte(len, i);
        if ((a[i] & m) != (b[i] & m))
            return false;
    }
    return true;
}

void prefix6_mask_addr(uint8_t addr[16], uint8_t len)
{
    for (unsigned i = 0; i < 16; i++)
        addr[i] &= prefix6_mask_byte(len, i);
}

int prefix6_parse(const char *s, struct prefix6 *out)
{
    /* Longest valid text is 45 bytes ("ffff:...:ffff:255.255.255.255" with every zero written
     * out), so anything that does not fit here is not an address. */
    char ip[IP6_STRLEN];
    const char *slash = strchr(s, '/');
    uint8_t addr[16];
    uint8_t len;
    size_t n;

    if (slash == NULL)
        return -EINVAL;
    n = (size_t)(slash - s);
    if (n >= sizeof(ip))
        return -EINVAL;
    memcpy(ip, s, n);
    ip[n] = '\0';
    if (ip6_parse(ip, addr) < 0)
        return -EINVAL;
    if (parse_prefix_len(slash + 1, IP6_MAX_LEN, &len) < 0)
        return -EINVAL;
    prefix6_mask_addr(addr, len);
    memcpy(out->addr, addr, sizeof(addr));
    out->len = len;
    return 0;
}

void prefix6_format(const struct prefix6 *p, char buf[PREFIX6_STRLEN])
{
    char ip[IP6_STRLEN];
    unsigned len = p->len > IP6_MAX_LEN ? IP6_MAX_LEN : p->len;

    ip6_format(p->addr, ip);
    snprintf(buf, PREFIX6_STRLEN, "%s/%u", ip, len);
}

bool prefix6_contains(const struct prefix6 *outer, const struct prefix6 *inner)
{
    return inner->len >= outer->len && addr6_match(outer->addr, inner->addr, outer->len);
}

bool prefix6_overlaps(const struct prefix6 *a, const struct prefix6 *b)
{
    return addr6_match(a->addr, b->addr, a->len < b->len ? a->len : b->len);
}

bool prefix6_has_addr(const struct prefix6 *p, const uint8_t addr[16])
{
    return addr6_match(p->addr, addr, p->len);
}

bool prefix6_equal(const struct prefix6 *a, const struct prefix6 *b)
{
    return a->len == b->len && addr6_match(a->addr, b->addr, a->len);
}

void prefix6_last(const struct prefix6 *p, uint8_t out[16])
{
    for (unsigned i = 0; i < 16; i++)
        out[i] = (uint8_t)(p->addr[i] | (uint8_t)~prefix6_mask_byte(p->len, i));
}
