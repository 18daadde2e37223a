/* Packet parsing, building and rewriting; see pkt.h. Field layouts: Ethernet II, ARP (RFC 826),
 * IPv4 (RFC 791), IPv6 and its extension headers (RFC 8200), TCP (RFC 9293), UDP (RFC 768),
 * ICMP (RFC 792, 1191), ICMPv6 (RFC 4443) and neighbour discovery (RFC 4861). */
#include "lib/pkt.h"

#include <errno.h>
#include <string.h>

#define PKT_ERROR_NAME(name_, text_) text_,
static const char *const pkt_error_names[] = {PKT_ERRORS(PKT_ERROR_NAME)};
#undef PKT_ERROR_NAME

const char *pkt_error_name(enum pkt_error e)
{
    if ((unsigned)e >= PKT__ERR_COUNT)
        return "?";
    return pkt_error_names[e];
}

/* Shift-and-or reads compile to one load plus a byte swap, and need no alignment. */
static inline uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int pkt_fail(struct pkt_meta *m, enum pkt_error e, int err)
{
    m->error = (uint8_t)e;
    return err;
}

/* ---- checksums ---------------------------------------------------------------------------- */

static uint32_t csum_fold(uint64_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint32_t)s;
}

/* One's complement sum of the data as native-order 16-bit words, not yet folded. The internet
 * checksum does not depend on byte order except for a final swap (RFC 1071 2(B)), so the data
 * is read eight bytes at a time and each 32-bit half added into a 64-bit accumulator, which
 * cannot overflow for any frame. */
static uint64_t csum_native(const uint8_t *p, size_t len)
{
    uint64_t acc = 0;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        acc += (w & 0xffffffffu) + (w >> 32);
        p += 8;
        len -= 8;
    }
    if (len >= 4) {
        uint32_t w;
        memcpy(&w, p, 4);
        acc += w;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t w;
        memcpy(&w, p, 2);
        acc += w;
        p += 2;
        len -= 2;
    }
    if (len) {
        /* an odd last byte is the high half of a word padded with zero */
        uint8_t pad[2] = {p[0], 0};
        uint16_t w;
        memcpy(&w, pad, 2);
        acc += w;
    }
    return acc;
}

uint32_t pkt_csum_add(uint32_t sum, const void *data, size_t len)
{
    uint32_t s = csum_fold(csum_native(data, len));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    s = __builtin_bswap16((uint16_t)s);
#endif
    return csum_fold((uint64_t)sum + s);
}

uint16_t pkt_csum_finish(uint32_t sum)
{
    return (uint16_t)~csum_fold(sum);
}

uint16_t pkt_csum(const void *data, size_t len)
{
    return pkt_csum_finish(pkt_csum_add(0, data, len));
}

uint32_t pkt_pseudo4(const uint8_t src[4], const uint8_t dst[4], uint8_t proto, uint16_t len)
{
    uint64_t s = (uint64_t)rd16(src) + rd16(src + 2) + rd16(dst) + rd16(dst + 2) + proto + len;
    return csum_fold(s);
}

uint32_t pkt_pseudo6(const uint8_t src[16], const uint8_t dst[16], uint8_t proto, uint32_t len)
{
    uint64_t s = (uint64_t)(len >> 16) + (len & 0xffff) + proto;
    for (unsigned i = 0; i < 16; i += 2)
        s += (uint64_t)rd16(src + i) + rd16(dst + i);
    return csum_fold(s);
}

uint16_t pkt_csum_update(uint16_t csum, const void *old_data, const void *new_data, size_t len)
{
    const uint8_t *o = old_data, *n = new_data;
    uint64_t s = (uint16_t)~csum;
    for (size_t i = 0; i + 1 < len; i += 2)
        s += (uint64_t)(uint16_t)~rd16(o + i) + rd16(n + i);
    return (uint16_t)~csum_fold(s);
}

bool pkt_ipv4_csum_ok(const uint8_t *frame, const struct pkt_meta *m)
{
    return m->kind == PKT_IPV4 && m->ip_hlen >= 20 && pkt_csum(frame + m->l3_off, m->ip_hlen) == 0;
}

/* Pseudo-header sum for a transport length, per family. */
static uint32_t pkt_pseudo(const struct pkt_meta *m, uint32_t len)
{
    if (m->flow.family == 4)
        return pkt_pseudo4(m->flow.src, m->flow.dst, m->flow.proto, (uint16_t)len);
    return pkt_pseudo6(m->flow.src, m->flow.dst, m->flow.proto, len);
}

bool pkt_l4_csum_ok(const uint8_t *frame, const struct pkt_meta *m)
{
    if ((m->kind != PKT_IPV4 && m->kind != PKT_IPV6) || !(m->flags & PKT_F_L4) ||
        (m->flags & PKT_F_FRAG))
        return false;
    const uint8_t *l4 = frame + m->l4_off;
    uint32_t len = m->l4_len;
    switch (m->flow.proto) {
    case FLOW_PROTO_TCP:
    case FLOW_PROTO_ICMPV6:
        break;
    case FLOW_PROTO_UDP:
        if (rd16(l4 + 6) == 0)
            return m->flow.family == 4; /* RFC 768: no checksum; IPv6 requires one */
        len = rd16(l4 + 4);
        break;
    case FLOW_PROTO_ICMP:
        return pkt_csum(l4, len) == 0;
    default:
        return false;
    }
    return pkt_csum_finish(pkt_csum_add(pkt_pseudo(m, len), l4, len)) == 0;
}

/* ---- parsing -------------------------------------------------------------------------------- */

static bool icmp4_is_error(uint8_t type)
{
    return type == PKT_ICMP_UNREACH || type == PKT_ICMP_TIME_EXCEEDED ||
           type == PKT_ICMP_PARAM_PROBLEM;
}

static bool icmp6_is_error(uint8_t type)
{
    return type >= PKT_ICMP6_UNREACH && type <= PKT_ICMP6_PARAM_PROBLEM;
}

/* Where an IPv6 extension header walk ended. */
struct ext6 {
    uint8_t proto;     /* the header after the last extension header */
    bool ext;          /* some extension header was skipped */
    bool frag;         /* a fragment header was seen */
    bool mf;           /* its M flag */
    uint16_t frag_off; /* its offset in bytes; the walk stops at a non-first fragment */
    size_t off;        /* from the start of the IPv6 header */
};

/* Follows hop-by-hop, routing, fragment and destination options headers in ip[40..n); any
 * other next header (TCP, UDP, ICMPv6, ESP, AH, no next header ...) ends the walk. */
static enum pkt_error ext6_walk(const uint8_t *ip, size_t n, struct ext6 *e)
{
    uint8_t nh = ip[6];
    size_t off = 40;
    memset(e, 0, sizeof *e);
    for (unsigned i = 0;; i++) {
        size_t hlen;
        switch (nh) {
        case 0: /* hop-by-hop options: only right after the IPv6 header (RFC 8200 4.1) */
            if (i != 0)
                return PKT_ERR_BAD_EXT;
            /* fallthrough */
        case 43: /* routing */
        case 60: /* destination options */
            if (i >= PKT_MAX_EXT_HDRS || n - off < 8)
                return PKT_ERR_BAD_EXT;
            hlen = ((size_t)ip[off + 1] + 1) * 8;
            if (hlen > n - off)
                return PKT_ERR_BAD_EXT;
            nh = ip[off];
            off += hlen;
            e->ext = true;
            break;
        case 44: /* fragment */
            if (i >= PKT_MAX_EXT_HDRS || n - off < 8)
                return PKT_ERR_BAD_EXT;
            e->ext = e->frag = true;
            e->frag_off = rd16(ip + off + 2) & 0xfff8;
            e->mf = ip[off + 3] & 1;
            nh = ip[off];
            off += 8;
            if (e->frag_off) {
                e->proto = nh;
                e->off = off;
                return PKT_ERR_NONE;
            }
            break;
        default:
            e->proto = nh;
            e->off = off;
            return PKT_ERR_NONE;
        }
    }
}

/* Ports (or ICMP type/code and echo id) of a quoted packet's transport header, from the first
 * r bytes at l4. False when they are cut off. */
static bool inner_ports(const uint8_t *l4, size_t r, struct pkt_meta *m)
{
    struct flow *in = &m->inner;
    switch (in->proto) {
    case FLOW_PROTO_TCP:
    case FLOW_PROTO_UDP:
        if (r < 4)
            return false;
        in->sport = rd16(l4);
        in->dport = rd16(l4 + 2);
        return true;
    case FLOW_PROTO_ICMP:
    case FLOW_PROTO_ICMPV6: {
        bool v4 = in->proto == FLOW_PROTO_ICMP;
        if (v4 != (in->family == 4))
            return true; /* ICMP over IPv6 or ICMPv6 over IPv4: no ports, as for the outer */
        if (r < 2)
            return false;
        uint8_t t = l4[0];
        in->sport = t;
        in->dport = l4[1];
        if (v4 ? (t == PKT_ICMP_ECHO_REQUEST || t == PKT_ICMP_ECHO_REPLY)
               : (t == PKT_ICMP6_ECHO_REQUEST || t == PKT_ICMP6_ECHO_REPLY)) {
            if (r < 6)
                return false; /* conntrack keys echoes on the identifier */
            m->inner_icmp_id = rd16(l4 + 4);
        }
        return true;
    }
    default:
        return true; /* addresses and protocol identify it */
    }
}

static void parse_inner4(const uint8_t *q, size_t n, struct pkt_meta *m)
{
    if (n < 20 || q[0] >> 4 != 4)
        return;
    size_t hl = (size_t)(q[0] & 15) * 4;
    if (hl < 20 || hl > n || (rd16(q + 6) & 0x1fff))
        return; /* a quoted non-first fragment has no ports to match */
    m->inner.family = 4;
    m->inner.proto = q[9];
    memcpy(m->inner.src, q + 12, 4);
    memcpy(m->inner.dst, q + 16, 4);
    if (inner_ports(q + hl, n - hl, m))
        m->flags |= PKT_F_INNER;
    else
        memset(&m->inner, 0, sizeof m->inner);
}

static void parse_inner6(const uint8_t *q, size_t n, struct pkt_meta *m)
{
    struct ext6 e;
    if (n < 40 || q[0] >> 4 != 6 || ext6_walk(q, n, &e) != PKT_ERR_NONE || e.frag_off)
        return;
    m->inner.family = 6;
    m->inner.proto = e.proto;
    memcpy(m->inner.src, q + 8, 16);
    memcpy(m->inner.dst, q + 24, 16);
    if (inner_ports(q + e.off, n - e.off, m))
        m->flags |= PKT_F_INNER;
    else
        memset(&m->inner, 0, sizeof m->inner);
}

/* The transport header at l4 (n bytes to the end of the IP packet). */
static int parse_l4(const uint8_t *l4, size_t n, struct pkt_meta *m)
{
    struct flow *f = &m->flow;
    switch (f->proto) {
    case FLOW_PROTO_TCP: {
        if (n < 20)
            return pkt_fail(m, PKT_ERR_SHORT_L4, -EBADMSG);
        size_t doff = (size_t)(l4[12] >> 4) * 4;
        if (doff < 20)
            return pkt_fail(m, PKT_ERR_BAD_TCP_OFF, -EBADMSG);
        if (doff > n)
            return pkt_fail(m, PKT_ERR_SHORT_L4, -EBADMSG);
        f->sport = rd16(l4);
        f->dport = rd16(l4 + 2);
        m->tcp_flags = l4[13];
        break;
    }
    case FLOW_PROTO_UDP: {
        if (n < 8)
            return pkt_fail(m, PKT_ERR_SHORT_L4, -EBADMSG);
        uint16_t ulen = rd16(l4 + 4);
        /* a first fragment carries the datagram's length, not its own */
        if (ulen < 8 || (ulen > n && !(m->flags & PKT_F_FRAG)))
            return pkt_fail(m, PKT_ERR_BAD_UDP_LEN, -EBADMSG);
        f->sport = rd16(l4);
        f->dport = rd16(l4 + 2);
        break;
    }
    case FLOW_PROTO_ICMP:
    case FLOW_PROTO_ICMPV6: {
        bool v4 = f->proto == FLOW_PROTO_ICMP;
        if (v4 != (f->family == 4))
            return 0; /* ICMP over IPv6 or ICMPv6 over IPv4: an opaque protocol */
        if (n < 8)    /* every ICMP message has at least type, code, checksum and 4 bytes */
            return pkt_fail(m, PKT_ERR_SHORT_L4, -EBADMSG);
        uint8_t type = l4[0];
        f->sport = type;
        f->dport = l4[1];
        if (v4 ? (type == PKT_ICMP_ECHO_REQUEST || type == PKT_ICMP_ECHO_REPLY)
               : (type == PKT_ICMP6_ECHO_REQUEST || type == PKT_ICMP6_ECHO_REPLY)) {
            m->flags |= PKT_F_ICMP_ECHO;
            m->icmp_id = rd16(l4 + 4);
        } else if (v4 ? icmp4_is_error(type) : icmp6_is_error(type)) {
            m->flags |= PKT_F_ICMP_ERR;
            if (v4)
                parse_inner4(l4 + 8, n - 8, m);
            else
                parse_inner6(l4 + 8, n - 8, m);
        }
        break;
    }
    default:
        return 0;
    }
    m->flags |= PKT_F_L4;
    return 0;
}

static int parse_ipv4(const uint8_t *frame, size_t len, struct pkt_meta *m)
{
    const uint8_t *ip = frame + PKT_ETH_HLEN;
    size_t avail = len - PKT_ETH_HLEN;
    if (avail < 20)
        return pkt_fail(m, PKT_ERR_SHORT_IP, -EBADMSG);
    if (ip[0] >> 4 != 4)
        return pkt_fail(m, PKT_ERR_BAD_VERSION, -EBADMSG);
    size_t hl = (size_t)(ip[0] & 15) * 4;
    if (hl < 20)
        return pkt_fail(m, PKT_ERR_BAD_HDR_LEN, -EBADMSG);
    if (hl > avail)
        return pkt_fail(m, PKT_ERR_SHORT_IP, -EBADMSG);
    size_t tot = rd16(ip + 2);
    if (tot < hl)
        return pkt_fail(m, PKT_ERR_BAD_TOTAL_LEN, -EBADMSG);
    if (tot > avail)
        return pkt_fail(m, PKT_ERR_TRUNCATED, -EBADMSG);
    uint16_t fo = rd16(ip + 6);
    size_t off = (size_t)(fo & 0x1fff) * 8;
    if (off + (tot - hl) > 65535) /* reassembly would overflow the datagram */
        return pkt_fail(m, PKT_ERR_BAD_FRAG, -EBADMSG);

    uint16_t flags = m->flags;
    if (fo & 0x4000)
        flags |= PKT_F_DF;
    if (fo & 0x2000)
        flags |= PKT_F_MF | PKT_F_FRAG;
    if (off)
        flags |= PKT_F_FRAG | PKT_F_LATER_FRAG;
    if (hl > 20)
        flags |= PKT_F_IP_OPTS;
    m->flags = flags;
    m->ip_hlen = (uint8_t)hl;
    m->ttl = ip[8];
    m->l3_len = (uint16_t)tot;
    m->l4_off = (uint16_t)(PKT_ETH_HLEN + hl);
    m->l4_len = (uint16_t)(tot - hl);
    m->frag_off = (uint16_t)off;
    m->flow.family = 4;
    m->flow.proto = ip[9];
    memcpy(m->flow.src, ip + 12, 4);
    memcpy(m->flow.dst, ip + 16, 4);
    if (off)
        return 0;
    return parse_l4(ip + hl, tot - hl, m);
}

static int parse_ipv6(const uint8_t *frame, size_t len, struct pkt_meta *m)
{
    const uint8_t *ip = frame + PKT_ETH_HLEN;
    size_t avail = len - PKT_ETH_HLEN;
    if (avail < 40)
        return pkt_fail(m, PKT_ERR_SHORT_IP, -EBADMSG);
    if (ip[0] >> 4 != 6)
        return pkt_fail(m, PKT_ERR_BAD_VERSION, -EBADMSG);
    size_t n = 40 + (size_t)rd16(ip + 4);
    if (n > avail)
        return pkt_fail(m, PKT_ERR_TRUNCATED, -EBADMSG);
    struct ext6 e;
    enum pkt_error err = ext6_walk(ip, n, &e);
    if (err != PKT_ERR_NONE)
        return pkt_fail(m, err, -EBADMSG);
    if (e.frag && (size_t)e.frag_off + (n - e.off) > 65535)
        return pkt_fail(m, PKT_ERR_BAD_FRAG, -EBADMSG);

    uint16_t flags = m->flags;
    if (e.ext)
        flags |= PKT_F_EXT_HDRS;
    if (e.frag)
        flags |= PKT_F_FRAG;
    if (e.mf)
        flags |= PKT_F_MF;
    if (e.frag_off)
        flags |= PKT_F_LATER_FRAG;
    m->flags = flags;
    m->ip_hlen = 40;
    m->ttl = ip[7];
    m->l3_len = (uint16_t)n;
    m->l4_off = (uint16_t)(PKT_ETH_HLEN + e.off);
    m->l4_len = (uint16_t)(n - e.off);
    m->frag_off = e.frag_off;
    m->flow.family = 6;
    m->flow.proto = e.proto;
    memcpy(m->flow.src, ip + 8, 16);
    memcpy(m->flow.dst, ip + 24, 16);
    if (e.frag_off)
        return 0;
    return parse_l4(ip + e.off, n - e.off, m);
}

static int parse_arp(const uint8_t *frame, size_t len, struct pkt_meta *m)
{
    const uint8_t *a = frame + PKT_ETH_HLEN;
    if (len - PKT_ETH_HLEN < 28)
        return pkt_fail(m, PKT_ERR_SHORT_ARP, -EBADMSG);
    if (rd16(a) != 1 || rd16(a + 2) != PKT_ETHERTYPE_IPV4 || a[4] != 6 || a[5] != 4)
        return pkt_fail(m, PKT_ERR_BAD_ARP, -EBADMSG);
    m->arp.op = rd16(a + 6);
    memcpy(m->arp.sha, a + 8, 6);
    memcpy(m->arp.spa, a + 14, 4);
    memcpy(m->arp.tha, a + 18, 6);
    memcpy(m->arp.tpa, a + 24, 4);
    return 0;
}

int pkt_parse(const uint8_t *frame, size_t len, struct pkt_meta *m)
{
    memset(m, 0, sizeof *m);
    if (len > PKT_FRAME_MAX)
        return pkt_fail(m, PKT_ERR_TOO_LONG, -EMSGSIZE);
    if (len < PKT_ETH_HLEN)
        return pkt_fail(m, PKT_ERR_SHORT_ETH, -EBADMSG);
    memcpy(m->dst_mac, frame, 6);
    memcpy(m->src_mac, frame + 6, 6);
    m->ethertype = rd16(frame + 12);
    m->l3_off = PKT_ETH_HLEN;
    if (frame[6] & 1)
        return pkt_fail(m, PKT_ERR_BAD_SRC_MAC, -EBADMSG);
    if (frame[0] & 1) {
        static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        m->flags = PKT_F_MCAST;
        if (memcmp(frame, bcast, 6) == 0)
            m->flags |= PKT_F_BCAST;
    }
    switch (m->ethertype) {
    case PKT_ETHERTYPE_IPV4:
        m->kind = PKT_IPV4;
        return parse_ipv4(frame, len, m);
    case PKT_ETHERTYPE_IPV6:
        m->kind = PKT_IPV6;
        return parse_ipv6(frame, len, m);
    case PKT_ETHERTYPE_ARP:
        m->kind = PKT_ARP;
        return parse_arp(frame, len, m);
    case PKT_ETHERTYPE_VLAN:
    case 0x88a8: /* 802.1ad service tag */
    case 0x9100: /* pre-standard QinQ */
        return pkt_fail(m, PKT_ERR_VLAN, -EPROTONOSUPPORT);
    default:
        m->kind = PKT_OTHER;
        return 0;
    }
}

const uint8_t *pkt_nd_target(const uint8_t *frame, const struct pkt_meta *m)
{
    if (m->kind != PKT_IPV6 || m->flow.proto != FLOW_PROTO_ICMPV6 || !(m->flags & PKT_F_L4) ||
        (m->flow.sport != PKT_ICMP6_NS && m->flow.sport != PKT_ICMP6_NA) || m->l4_len < 24)
        return NULL;
    return frame + m->l4_off + 8;
}

/* ---- builders ------------------------------------------------------------------------------ */

static void put_eth(uint8_t *o, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
    memcpy(o, dst, 6);
    memcpy(o + 6, src, 6);
    wr16(o + 12, type);
}

static void put_ipv4(uint8_t *ip, uint8_t tos, uint16_t tot, uint16_t id, uint8_t proto,
                     const uint8_t src[4], const uint8_t dst[4])
{
    ip[0] = 0x45;
    ip[1] = tos;
    wr16(ip + 2, tot);
    wr16(ip + 4, id);
    wr16(ip + 6, 0);
    ip[8] = 64;
    ip[9] = proto;
    wr16(ip + 10, 0);
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dst, 4);
    wr16(ip + 10, pkt_csum(ip, 20));
}

static void put_ipv6(uint8_t *ip, uint32_t vtcfl, uint16_t plen, uint8_t hop, const uint8_t src[16],
                     const uint8_t dst[16])
{
    wr32(ip, vtcfl);
    wr16(ip + 4, plen);
    ip[6] = FLOW_PROTO_ICMPV6;
    ip[7] = hop;
    memcpy(ip + 8, src, 16);
    memcpy(ip + 24, dst, 16);
}

/* ICMPv6 checksum of the len-byte message at icmp, written in place. */
static void icmp6_csum(uint8_t *icmp, size_t len, const uint8_t src[16], const uint8_t dst[16])
{
    wr16(icmp + 2, 0);
    uint32_t s = pkt_pseudo6(src, dst, FLOW_PROTO_ICMPV6, (uint32_t)len);
    wr16(icmp + 2, pkt_csum_finish(pkt_csum_add(s, icmp, len)));
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

int pkt_build_arp_reply(uint8_t *out, size_t cap, const struct pkt_meta *m, const uint8_t mac[6])
{
    if (m->kind != PKT_ARP || m->arp.op != PKT_ARP_REQUEST)
        return -EINVAL;
    if (memcmp(m->arp.spa, m->arp.tpa, 4) == 0)
        return -EPERM;
    if (cap < PKT_ETH_HLEN + 28)
        return -ENOSPC;
    put_eth(out, m->src_mac, mac, PKT_ETHERTYPE_ARP);
    uint8_t *a = out + PKT_ETH_HLEN;
    wr16(a, 1);
    wr16(a + 2, PKT_ETHERTYPE_IPV4);
    a[4] = 6;
    a[5] = 4;
    wr16(a + 6, PKT_ARP_REPLY);
    memcpy(a + 8, mac, 6);
    memcpy(a + 14, m->arp.tpa, 4);
    memcpy(a + 18, m->arp.sha, 6);
    memcpy(a + 24, m->arp.spa, 4);
    return PKT_ETH_HLEN + 28;
}

/* IPv4 addresses that are not one host: this network (0/8), loopback, multicast, reserved and
 * limited broadcast (224/3). */
static bool ip4_not_host(const uint8_t a[4])
{
    return a[0] == 0 || a[0] == 127 || a[0] >= 224;
}

int pkt_build_icmp4_echo_reply(uint8_t *out, size_t cap, const uint8_t *frame,
                               const struct pkt_meta *m, const uint8_t mac[6])
{
    if (m->kind != PKT_IPV4 || m->flow.proto != FLOW_PROTO_ICMP || !(m->flags & PKT_F_L4) ||
        m->flow.sport != PKT_ICMP_ECHO_REQUEST || (m->flags & PKT_F_FRAG))
        return -EINVAL;
    if ((m->flags & PKT_F_MCAST) || ip4_not_host(m->flow.dst) || ip4_not_host(m->flow.src))
        return -EPERM;
    if (!pkt_l4_csum_ok(frame, m))
        return -EBADMSG;
    size_t n = PKT_ETH_HLEN + 20 + (size_t)m->l4_len;
    if (cap < n)
        return -ENOSPC;
    const uint8_t *ip = frame + m->l3_off;
    put_eth(out, m->src_mac, mac, PKT_ETHERTYPE_IPV4);
    put_ipv4(out + PKT_ETH_HLEN, ip[1], (uint16_t)(20 + m->l4_len), rd16(ip + 4), FLOW_PROTO_ICMP,
             m->flow.dst, m->flow.src);
    uint8_t *icmp = out + PKT_ETH_HLEN + 20;
    memcpy(icmp, frame + m->l4_off, m->l4_len);
    icmp[0] = PKT_ICMP_ECHO_REPLY;
    icmp[1] = 0;
    wr16(icmp + 2, 0);
    wr16(icmp + 2, pkt_csum(icmp, m->l4_len));
    return (int)n;
}

int pkt_build_tcp4_rst(uint8_t *out, size_t cap, const uint8_t *frame, const struct pkt_meta *m,
                       const uint8_t mac[6])
{
    if (m->kind != PKT_IPV4 || m->flow.proto != FLOW_PROTO_TCP || !(m->flags & PKT_F_L4) ||
        m->l4_len < 20)
        return -EINVAL;
    if (m->tcp_flags & PKT_TCP_RST)
        return -EPERM;
    size_t n = PKT_ETH_HLEN + 20 + 20;
    if (cap < n)
        return -ENOSPC;
    const uint8_t *tcp_in = frame + m->l4_off;
    uint32_t seq_in = (uint32_t)rd16(tcp_in + 4) << 16 | rd16(tcp_in + 6);
    uint32_t ack_in = (uint32_t)rd16(tcp_in + 8) << 16 | rd16(tcp_in + 10);
    size_t data = m->l4_len - (size_t)(tcp_in[12] >> 4) * 4;
    if ((size_t)(tcp_in[12] >> 4) * 4 > m->l4_len)
        data = 0;
    uint32_t seg_len = (uint32_t)data + ((m->tcp_flags & PKT_TCP_SYN) ? 1 : 0) +
                       ((m->tcp_flags & PKT_TCP_FIN) ? 1 : 0);
    put_eth(out, m->src_mac, mac, PKT_ETHERTYPE_IPV4);
    put_ipv4(out + PKT_ETH_HLEN, 0, 40, 0, FLOW_PROTO_TCP, m->flow.dst, m->flow.src);
    uint8_t *tcp = out + PKT_ETH_HLEN + 20;
    memset(tcp, 0, 20);
    wr16(tcp, m->flow.dport);
    wr16(tcp + 2, m->flow.sport);
    if (m->tcp_flags & PKT_TCP_ACK) {
        wr32(tcp + 4, ack_in);
        tcp[13] = PKT_TCP_RST;
    } else {
        wr32(tcp + 8, seq_in + seg_len);
        tcp[13] = PKT_TCP_RST | PKT_TCP_ACK;
    }
    tcp[12] = 5 << 4;
    uint32_t sum = pkt_pseudo4(m->flow.dst, m->flow.src, FLOW_PROTO_TCP, 20);
    wr16(tcp + 16, pkt_csum_finish(pkt_csum_add(sum, tcp, 20)));
    return (int)n;
}

int pkt_build_udp4_reply(uint8_t *out, size_t cap, const struct pkt_meta *m, const uint8_t mac[6],
                         const uint8_t *payload, size_t len)
{
    if (m->kind != PKT_IPV4 || m->flow.proto != FLOW_PROTO_UDP || !(m->flags & PKT_F_L4))
        return -EINVAL;
    size_t n = PKT_ETH_HLEN + 20 + 8 + len;
    if (cap < n || 28 + len > 0xffff)
        return -ENOSPC;
    put_eth(out, m->src_mac, mac, PKT_ETHERTYPE_IPV4);
    put_ipv4(out + PKT_ETH_HLEN, 0, (uint16_t)(28 + len), 0, FLOW_PROTO_UDP, m->flow.dst,
             m->flow.src);
    uint8_t *udp = out + PKT_ETH_HLEN + 20;
    wr16(udp, m->flow.dport);
    wr16(udp + 2, m->flow.sport);
    wr16(udp + 4, (uint16_t)(8 + len));
    wr16(udp + 6, 0);
    memcpy(udp + 8, payload, len);
    uint32_t sum = pkt_pseudo4(m->flow.dst, m->flow.src, FLOW_PROTO_UDP, (uint16_t)(8 + len));
    uint16_t c = pkt_csum_finish(pkt_csum_add(sum, udp, 8 + len));
    wr16(udp + 6, c ? c : 0xffff);
    return (int)n;
}

int pkt_build_icmp4_error(uint8_t *out, size_t cap, const uint8_t *frame, const struct pkt_meta *m,
                          const uint8_t mac[6], const uint8_t src_ip[4], uint8_t type, uint8_t code,
                          uint16_t next_hop_mtu)
{
    if (m->kind != PKT_IPV4)
        return -EINVAL;
    if (!(type == PKT_ICMP_UNREACH && code <= 15) && !(type == PKT_ICMP_TIME_EXCEEDED && code <= 1))
        return -EINVAL;
    if (m->flags & (PKT_F_LATER_FRAG | PKT_F_MCAST))
        return -EPERM;
    if (ip4_not_host(m->flow.dst) || ip4_not_host(m->flow.src))
        return -EPERM;
    if (m->flow.proto == FLOW_PROTO_ICMP) {
        /* never an error about an error (RFC 1122 3.2.2): 3, 4, 5, 11 and 12 are errors */
        uint8_t t = (uint8_t)m->flow.sport;
        if (!(m->flags & PKT_F_L4) || icmp4_is_error(t) || t == 4 || t == 5)
            return -EPERM;
    }
    size_t quote = (size_t)m->ip_hlen + 8;
    if (quote > m->l3_len)
        quote = m->l3_len;
    size_t n = PKT_ETH_HLEN + 20 + 8 + quote;
    if (cap < n)
        return -ENOSPC;
    put_eth(out, m->src_mac, mac, PKT_ETHERTYPE_IPV4);
    put_ipv4(out + PKT_ETH_HLEN, 0, (uint16_t)(28 + quote), 0, FLOW_PROTO_ICMP, src_ip,
             m->flow.src);
    uint8_t *icmp = out + PKT_ETH_HLEN + 20;
    icmp[0] = type;
    icmp[1] = code;
    wr16(icmp + 2, 0);
    wr16(icmp + 4, 0);
    wr16(icmp + 6,
         type == PKT_ICMP_UNREACH && code == PKT_ICMP_UNREACH_FRAG_NEEDED ? next_hop_mtu : 0);
    memcpy(icmp + 8, frame + m->l3_off, quote);
    wr16(icmp + 2, pkt_csum(icmp, 8 + quote));
    return (int)n;
}

int pkt_build_icmp4_frag_needed(uint8_t *out, size_t cap, const uint8_t *frame,
                                const struct pkt_meta *m, const uint8_t mac[6],
                                const uint8_t src_ip[4], uint16_t next_hop_mtu)
{
    return pkt_build_icmp4_error(out, cap, frame, m, mac, src_ip, PKT_ICMP_UNREACH,
                                 PKT_ICMP_UNREACH_FRAG_NEEDED, next_hop_mtu);
}

static bool ip6_unspecified(const uint8_t a[16])
{
    return all_zero(a, 16);
}

static bool ip6_loopback(const uint8_t a[16])
{
    return all_zero(a, 15) && a[15] == 1;
}

int pkt_build_icmp6_error(uint8_t *out, size_t cap, const uint8_t *frame, const struct pkt_meta *m,
                          const uint8_t mac[6], const uint8_t src_ip[16], uint8_t type,
                          uint8_t code, uint32_t param)
{
    if (m->kind != PKT_IPV6 || !icmp6_is_error(type))
        return -EINVAL;
    if (m->flow.proto == FLOW_PROTO_ICMPV6) {
        /* without the type (a non-first fragment) it might be an error: stay silent */
        uint8_t t = (uint8_t)m->flow.sport;
        if (!(m->flags & PKT_F_L4) || t < 128 || t == 137)
            return -EPERM;
    }
    bool mcast_ok =
        type == PKT_ICMP6_PACKET_TOO_BIG || (type == PKT_ICMP6_PARAM_PROBLEM && code == 2);
    if (((m->flags & PKT_F_MCAST) || m->flow.dst[0] == 0xff) && !mcast_ok)
        return -EPERM;
    if (ip6_unspecified(m->flow.src) || m->flow.src[0] == 0xff || ip6_loopback(m->flow.src))
        return -EPERM;
    size_t quote = m->l3_len;
    if (quote > PKT_IPV6_MIN_MTU - 48)
        quote = PKT_IPV6_MIN_MTU - 48;
    size_t n = PKT_ETH_HLEN + 40 + 8 + quote;
    if (cap < n)
        return -ENOSPC;
    put_eth(out, m->src_mac, mac, PKT_ETHERTYPE_IPV6);
    put_ipv6(out + PKT_ETH_HLEN, 0x60000000u, (uint16_t)(8 + quote), 64, src_ip, m->flow.src);
    uint8_t *icmp = out + PKT_ETH_HLEN + 40;
    icmp[0] = type;
    icmp[1] = code;
    wr32(icmp + 4, param);
    memcpy(icmp + 8, frame + m->l3_off, quote);
    icmp6_csum(icmp, 8 + quote, src_ip, m->flow.src);
    return (int)n;
}

int pkt_build_icmp6_ptb(uint8_t *out, size_t cap, const uint8_t *frame, const struct pkt_meta *m,
                        const uint8_t mac[6], const uint8_t src_ip[16], uint32_t mtu)
{
    return pkt_build_icmp6_error(out, cap, frame, m, mac, src_ip, PKT_ICMP6_PACKET_TOO_BIG, 0, mtu);
}

int pkt_build_icmp6_echo_reply(uint8_t *out, size_t cap, const uint8_t *frame,
                               const struct pkt_meta *m, const uint8_t mac[6])
{
    if (m->kind != PKT_IPV6 || m->flow.proto != FLOW_PROTO_ICMPV6 || !(m->flags & PKT_F_L4) ||
        m->flow.sport != PKT_ICMP6_ECHO_REQUEST || (m->flags & PKT_F_FRAG))
        return -EINVAL;
    if ((m->flags & PKT_F_MCAST) || m->flow.dst[0] == 0xff || ip6_unspecified(m->flow.dst) ||
        m->flow.src[0] == 0xff || ip6_unspecified(m->flow.src))
        return -EPERM;
    if (!pkt_l4_csum_ok(frame, m))
        return -EBADMSG;
    size_t n = PKT_ETH_HLEN + 40 + (size_t)m->l4_len;
    if (cap < n)
        return -ENOSPC;
    const uint8_t *ip = frame + m->l3_off;
    /* traffic class and flow label are reflected, as Linux does for echo replies */
    uint32_t vtcfl = 0x60000000u | ((uint32_t)(ip[0] & 15) << 24 | (uint32_t)ip[1] << 16 |
                                    (uint32_t)ip[2] << 8 | ip[3]);
    put_eth(out, m->src_mac, mac, PKT_ETHERTYPE_IPV6);
    put_ipv6(out + PKT_ETH_HLEN, vtcfl, m->l4_len, 64, m->flow.dst, m->flow.src);
    uint8_t *icmp = out + PKT_ETH_HLEN + 40;
    memcpy(icmp, frame + m->l4_off, m->l4_len);
    icmp[0] = PKT_ICMP6_ECHO_REPLY;
    icmp[1] = 0;
    icmp6_csum(icmp, m->l4_len, m->flow.dst, m->flow.src);
    return (int)n;
}

int pkt_build_icmp6_na(uint8_t *out, size_t cap, const uint8_t *frame, const struct pkt_meta *m,
                       const uint8_t mac[6], bool router)
{
    static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
    static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
    const uint8_t *target = pkt_nd_target(frame, m);
    if (!target || m->flow.sport != PKT_ICMP6_NS)
        return -EINVAL;
    /* RFC 4861 7.1.1; hop limit 255 proves the sender is on link. RFC 6980: no fragments. */
    if (m->flow.dport != 0 || m->ttl != 255 || (m->flags & PKT_F_FRAG) || target[0] == 0xff ||
        !pkt_l4_csum_ok(frame, m))
        return -EBADMSG;
    bool sllao = false;
    const uint8_t *opt = target + 16;
    size_t left = (size_t)m->l4_len - 24;
    while (left) {
        if (left < 2 || opt[1] == 0 || (size_t)opt[1] * 8 > left)
            return -EBADMSG;
        if (opt[0] == 1)
            sllao = true;
        left -= (size_t)opt[1] * 8;
        opt += (size_t)opt[1] * 8;
    }
    bool dad = ip6_unspecified(m->flow.src);
    if (dad) {
        /* a DAD probe goes to the target's solicited-node group ff02::1:ffXX:XXXX */
        static const uint8_t sn_prefix[13] = {0xff, 0x02, [11] = 1, [12] = 0xff};
        if (sllao || memcmp(m->flow.dst, sn_prefix, 13) != 0 ||
            memcmp(m->flow.dst + 13, target + 13, 3) != 0)
            return -EBADMSG;
    }
    size_t n = PKT_ETH_HLEN + 40 + 32;
    if (cap < n)
        return -ENOSPC;
    const uint8_t *dst_ip = dad ? all_nodes : m->flow.src;
    uint8_t tgt[16];
    memcpy(tgt, target, 16);
    put_eth(out, dad ? all_nodes_mac : m->src_mac, mac, PKT_ETHERTYPE_IPV6);
    put_ipv6(out + PKT_ETH_HLEN, 0x60000000u, 32, 255, tgt, dst_ip);
    uint8_t *icmp = out + PKT_ETH_HLEN + 40;
    icmp[0] = PKT_ICMP6_NA;
    icmp[1] = 0;
    icmp[4] = (uint8_t)((router ? 0x80 : 0) | (dad ? 0 : 0x40) | 0x20);
    icmp[5] = icmp[6] = icmp[7] = 0;
    memcpy(icmp + 8, tgt, 16);
    icmp[24] = 2; /* target link-layer address, 1 unit of 8 bytes */
    icmp[25] = 1;
    memcpy(icmp + 26, mac, 6);
    icmp6_csum(icmp, 32, tgt, dst_ip);
    return (int)n;
}

/* ---- rewrites ------------------------------------------------------------------------------ */

void pkt_set_eth_src(uint8_t *frame, struct pkt_meta *m, const uint8_t mac[6])
{
    memcpy(frame + 6, mac, 6);
    memcpy(m->src_mac, mac, 6);
}

void pkt_set_eth_dst(uint8_t *frame, struct pkt_meta *m, const uint8_t mac[6])
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    memcpy(frame, mac, 6);
    memcpy(m->dst_mac, mac, 6);
    m->flags &= (uint16_t) ~(PKT_F_MCAST | PKT_F_BCAST);
    if (mac[0] & 1)
        m->flags |= PKT_F_MCAST;
    if (memcmp(mac, bcast, 6) == 0)
        m->flags |= PKT_F_BCAST;
}

int pkt_dec_ttl(uint8_t *frame, struct pkt_meta *m, unsigned n)
{
    if (m->kind != PKT_IPV4 && m->kind != PKT_IPV6)
        return -EINVAL;
    if (n == 0)
        return 0;
    if (m->ttl <= n)
        return -ETIMEDOUT;
    uint8_t *ip = frame + m->l3_off;
    m->ttl = (uint8_t)(m->ttl - n);
    if (m->kind == PKT_IPV6) {
        ip[7] = m->ttl;
        return 0;
    }
    uint8_t old[2] = {ip[8], ip[9]};
    ip[8] = m->ttl;
    wr16(ip + 10, pkt_csum_update(rd16(ip + 10), old, ip + 8, 2));
    return 0;
}

/* Carries a change of len bytes (old to new) into the transport checksum. addr: the change is
 * in the pseudo-header, which ICMPv4 does not cover. */
static void l4_csum_fix(uint8_t *frame, const struct pkt_meta *m, const uint8_t *old,
                        const uint8_t *new_data, size_t len, bool addr)
{
    if (!(m->flags & PKT_F_L4))
        return;
    size_t at;
    switch (m->flow.proto) {
    case FLOW_PROTO_TCP:
        at = 16;
        break;
    case FLOW_PROTO_UDP:
        at = 6;
        break;
    case FLOW_PROTO_ICMP:
    case FLOW_PROTO_ICMPV6:
        if (addr && m->flow.family == 4)
            return;
        at = 2;
        break;
    default:
        return;
    }
    uint8_t *c = frame + m->l4_off + at;
    uint16_t v = rd16(c);
    if (m->flags & PKT_F_CSUM_PARTIAL) {
        /* The field is the pseudo-header sum, not complemented: only the addresses are in it,
         * and RFC 1624's update applies to its complement. */
        if (addr && m->flow.proto != FLOW_PROTO_ICMP)
            wr16(c, (uint16_t)~pkt_csum_update((uint16_t)~v, old, new_data, len));
        return;
    }
    bool udp = m->flow.proto == FLOW_PROTO_UDP;
    if (udp && v == 0)
        return; /* no checksum, and a rewrite must not invent one */
    v = pkt_csum_update(v, old, new_data, len);
    if (udp && v == 0)
        v = 0xffff; /* RFC 768: a computed 0 is sent as all ones */
    wr16(c, v);
}

int pkt_set_addr(uint8_t *frame, struct pkt_meta *m, bool dst, const uint8_t *addr)
{
    size_t alen, at;
    if (m->kind == PKT_IPV4) {
        alen = 4;
        at = dst ? 16 : 12;
    } else if (m->kind == PKT_IPV6) {
        alen = 16;
        at = dst ? 24 : 8;
    } else {
        return -EINVAL;
    }
    uint8_t *ip = frame + m->l3_off;
    uint8_t old[16];
    memcpy(old, ip + at, alen);
    memcpy(ip + at, addr, alen);
    if (m->kind == PKT_IPV4)
        wr16(ip + 10, pkt_csum_update(rd16(ip + 10), old, addr, 4));
    l4_csum_fix(frame, m, old, addr, alen, true);
    memcpy(dst ? m->flow.dst : m->flow.src, addr, alen);
    return 0;
}

int pkt_set_port(uint8_t *frame, struct pkt_meta *m, bool dst, uint16_t port)
{
    if ((m->kind != PKT_IPV4 && m->kind != PKT_IPV6) || !(m->flags & PKT_F_L4) ||
        (m->flow.proto != FLOW_PROTO_TCP && m->flow.proto != FLOW_PROTO_UDP))
        return -EINVAL;
    uint8_t *p = frame + m->l4_off + (dst ? 2 : 0);
    uint8_t old[2] = {p[0], p[1]};
    wr16(p, port);
    l4_csum_fix(frame, m, old, p, 2, false);
    if (dst)
        m->flow.dport = port;
    else
        m->flow.sport = port;
    return 0;
}

int pkt_clamp_tcp_mss(uint8_t *frame, struct pkt_meta *m, uint16_t max)
{
    if ((m->kind != PKT_IPV4 && m->kind != PKT_IPV6) || !(m->flags & PKT_F_L4) ||
        m->flow.proto != FLOW_PROTO_TCP || m->l4_len < 20)
        return -EINVAL;
    uint8_t *tcp = frame + m->l4_off;
    size_t hlen = (size_t)(tcp[12] >> 4) * 4;
    if (hlen < 20 || hlen > m->l4_len)
        return -EINVAL;
    /* Options: kind 0 ends them, kind 1 is one byte, every other kind carries its length. */
    for (size_t i = 20; i < hlen;) {
        uint8_t kind = tcp[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= hlen || tcp[i + 1] < 2 || i + tcp[i + 1] > hlen)
            return -EINVAL;
        if (kind == 2 && tcp[i + 1] == 4) {
            uint8_t *v = tcp + i + 2;
            if (rd16(v) <= max)
                return 0;
            uint8_t old[2] = {v[0], v[1]};
            wr16(v, max);
            l4_csum_fix(frame, m, old, v, 2, false);
            return 1;
        }
        i += tcp[i + 1];
    }
    return 0;
}

int pkt_set_icmp_echo_id(uint8_t *frame, struct pkt_meta *m, uint16_t id)
{
    if ((m->kind != PKT_IPV4 && m->kind != PKT_IPV6) || !(m->flags & PKT_F_ICMP_ECHO))
        return -EINVAL;
    uint8_t *p = frame + m->l4_off + 4;
    uint8_t old[2] = {p[0], p[1]};
    wr16(p, id);
    l4_csum_fix(frame, m, old, p, 2, false);
    m->icmp_id = id;
    return 0;
}
