/* Packet parser, builders and rewrites against frames written byte by byte from the RFC layouts
 * and an independent, deliberately slow checksum. Every prefix of every valid frame is parsed
 * from an exactly sized heap copy, so under ASan (make debug) a read past the end fails here. */
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/pkt.h"

/* ---- slow reference ----------------------------------------------------------------------- */

/* RFC 1071 the obvious way: big-endian words, 32-bit sum, fold, complement. */
static uint16_t slow_csum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

/* Transport checksum over a pseudo-header written out as bytes, then the segment. */
static uint16_t slow_l4_csum(int family, const uint8_t *src, const uint8_t *dst, uint8_t proto,
                             const uint8_t *seg, size_t n)
{
    static uint8_t buf[70000];
    size_t k = 0;
    if (family == 4) {
        memcpy(buf, src, 4);
        memcpy(buf + 4, dst, 4);
        buf[8] = 0;
        buf[9] = proto;
        buf[10] = (uint8_t)(n >> 8);
        buf[11] = (uint8_t)n;
        k = 12;
    } else {
        memcpy(buf, src, 16);
        memcpy(buf + 16, dst, 16);
        buf[32] = (uint8_t)(n >> 24);
        buf[33] = (uint8_t)(n >> 16);
        buf[34] = (uint8_t)(n >> 8);
        buf[35] = (uint8_t)n;
        buf[36] = buf[37] = buf[38] = 0;
        buf[39] = proto;
        k = 40;
    }
    memcpy(buf + k, seg, n);
    return slow_csum(buf, k + n);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void set16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

/* ---- frame writer ------------------------------------------------------------------------- */

struct fb {
    uint8_t b[4096];
    size_t n;
};

static void put8(struct fb *f, unsigned v)
{
    f->b[f->n++] = (uint8_t)v;
}

static void put16(struct fb *f, unsigned v)
{
    put8(f, v >> 8);
    put8(f, v);
}

static void put32(struct fb *f, uint32_t v)
{
    put16(f, v >> 16);
    put16(f, v & 0xffff);
}

static void putn(struct fb *f, const void *p, size_t n)
{
    if (n)
        memcpy(f->b + f->n, p, n);
    f->n += n;
}

static void putz(struct fb *f, size_t n)
{
    memset(f->b + f->n, 0, n);
    f->n += n;
}

static const uint8_t mac_a[6] = {0x02, 0x00, 0x0a, 0x00, 0x01, 0x0a};
static const uint8_t mac_b[6] = {0x02, 0x00, 0x0a, 0x00, 0x01, 0x14};
static const uint8_t mac_r[6] = {0x02, 0x56, 0x50, 0x43, 0x00, 0x01}; /* the subnet router */
static const uint8_t mac_bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t ip_a[4] = {10, 0, 1, 10};
static const uint8_t ip_b[4] = {10, 0, 2, 20};
static const uint8_t ip_r[4] = {10, 0, 1, 1};
static const uint8_t ip6_a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a};
static const uint8_t ip6_b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x14};
static const uint8_t ip6_r[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
static const uint8_t ip6_ll[16] = {0xfe,        0x80,        [8] = 0x00,  [9] = 0x00,  [10] = 0x0a,
                                   [11] = 0xff, [12] = 0xfe, [13] = 0x00, [14] = 0x01, [15] = 0x0a};

static void eth(struct fb *f, const uint8_t dst[6], const uint8_t src[6], unsigned type)
{
    putn(f, dst, 6);
    putn(f, src, 6);
    put16(f, type);
}

/* IPv4 header with ihl 5 + n_opt/4 words; total length and checksum filled by ip4_end. */
static size_t ip4_begin(struct fb *f, unsigned tos, unsigned id, unsigned frag, unsigned ttl,
                        unsigned proto, const uint8_t src[4], const uint8_t dst[4],
                        const uint8_t *opt, size_t n_opt)
{
    size_t at = f->n;
    put8(f, 0x40 | (unsigned)(5 + n_opt / 4));
    put8(f, tos);
    put16(f, 0);
    put16(f, id);
    put16(f, frag);
    put8(f, ttl);
    put8(f, proto);
    put16(f, 0);
    putn(f, src, 4);
    putn(f, dst, 4);
    putn(f, opt, n_opt);
    return at;
}

static void ip4_end(struct fb *f, size_t at)
{
    uint8_t *ip = f->b + at;
    set16(ip + 2, (unsigned)(f->n - at));
    set16(ip + 10, 0);
    set16(ip + 10, slow_csum(ip, (size_t)(ip[0] & 15) * 4));
}

static size_t ip6_begin(struct fb *f, unsigned nh, unsigned hop, const uint8_t src[16],
                        const uint8_t dst[16])
{
    size_t at = f->n;
    put32(f, 0x60000000u | (0x2eu << 20) | 0x12345u); /* traffic class 0x2e, flow label */
    put16(f, 0);
    put8(f, nh);
    put8(f, hop);
    putn(f, src, 16);
    putn(f, dst, 16);
    return at;
}

static void ip6_end(struct fb *f, size_t at)
{
    set16(f->b + at + 4, (unsigned)(f->n - at - 40));
}

/* The checksum at field offset csum_at of the segment seg..end, computed the slow way. */
static void l4_end(struct fb *f, int family, const uint8_t *src, const uint8_t *dst, unsigned proto,
                   size_t seg, size_t csum_at)
{
    set16(f->b + seg + csum_at, 0);
    uint16_t c = proto == FLOW_PROTO_ICMP
                     ? slow_csum(f->b + seg, f->n - seg)
                     : slow_l4_csum(family, src, dst, (uint8_t)proto, f->b + seg, f->n - seg);
    if (proto == FLOW_PROTO_UDP && c == 0)
        c = 0xffff;
    set16(f->b + seg + csum_at, c);
}

static size_t tcp_hdr(struct fb *f, unsigned sport, unsigned dport, unsigned doff_words,
                      unsigned flags)
{
    size_t at = f->n;
    put16(f, sport);
    put16(f, dport);
    put32(f, 0x01020304);
    put32(f, flags & PKT_TCP_ACK ? 0x0a0b0c0d : 0);
    put8(f, doff_words << 4);
    put8(f, flags);
    put16(f, 64240);
    put16(f, 0); /* checksum */
    put16(f, 0); /* urgent */
    for (unsigned i = 5; i < doff_words; i++) {
        if (i == 5) { /* MSS option, kind 2 length 4 */
            put8(f, 2);
            put8(f, 4);
            put16(f, 8961);
        } else {
            put32(f, 0x01010101); /* NOPs */
        }
    }
    return at;
}

static size_t udp_hdr(struct fb *f, unsigned sport, unsigned dport, size_t payload)
{
    size_t at = f->n;
    put16(f, sport);
    put16(f, dport);
    put16(f, (unsigned)(8 + payload));
    put16(f, 0);
    for (size_t i = 0; i < payload; i++)
        put8(f, (unsigned)(i * 7 + 3));
    return at;
}

static size_t icmp_echo(struct fb *f, unsigned type, unsigned id, unsigned seq, size_t payload)
{
    size_t at = f->n;
    put8(f, type);
    put8(f, 0);
    put16(f, 0);
    put16(f, id);
    put16(f, seq);
    for (size_t i = 0; i < payload; i++)
        put8(f, (unsigned)(0x10 + i));
    return at;
}

/* ---- frames used by several tests ---------------------------------------------------------- */

static void frame_arp_request(struct fb *f, const uint8_t spa[4], const uint8_t tpa[4])
{
    f->n = 0;
    eth(f, mac_bc, mac_a, 0x0806);
    put16(f, 1);      /* htype Ethernet */
    put16(f, 0x0800); /* ptype IPv4 */
    put8(f, 6);
    put8(f, 4);
    put16(f, 1); /* request */
    putn(f, mac_a, 6);
    putn(f, spa, 4);
    putz(f, 6);
    putn(f, tpa, 4);
    putz(f, 18); /* padding to the 60-byte minimum, as a NIC would send it */
}

/* 10.0.1.10:40000 -> 10.0.2.20:443 SYN, IP options (4 bytes), DF, TCP MSS option, TTL 64. */
static void frame_tcp4(struct fb *f)
{
    static const uint8_t opt[4] = {1, 1, 1, 0}; /* NOP NOP NOP EOL */
    f->n = 0;
    eth(f, mac_r, mac_a, 0x0800);
    size_t ip = ip4_begin(f, 0x10, 0x1234, 0x4000, 64, 6, ip_a, ip_b, opt, 4);
    size_t l4 = tcp_hdr(f, 40000, 443, 6, PKT_TCP_SYN);
    l4_end(f, 4, ip_a, ip_b, 6, l4, 16);
    ip4_end(f, ip);
}

static void frame_udp4(struct fb *f, size_t payload)
{
    f->n = 0;
    eth(f, mac_r, mac_a, 0x0800);
    size_t ip = ip4_begin(f, 0, 7, 0, 63, 17, ip_a, ip_b, NULL, 0);
    size_t l4 = udp_hdr(f, 5353, 53, payload);
    l4_end(f, 4, ip_a, ip_b, 17, l4, 6);
    ip4_end(f, ip);
}

static void frame_ping4(struct fb *f, const uint8_t dst[4], size_t payload)
{
    f->n = 0;
    eth(f, mac_r, mac_a, 0x0800);
    size_t ip = ip4_begin(f, 0, 0x4242, 0x4000, 64, 1, ip_a, dst, NULL, 0);
    size_t l4 = icmp_echo(f, 8, 0x77, 3, payload);
    l4_end(f, 4, ip_a, dst, 1, l4, 2);
    ip4_end(f, ip);
}

/* TCP over IPv6 behind hop-by-hop (8), routing (24) and destination options (8) headers. */
static void frame_tcp6_ext(struct fb *f)
{
    f->n = 0;
    eth(f, mac_r, mac_a, 0x86dd);
    size_t ip = ip6_begin(f, 0, 64, ip6_a, ip6_b);
    put8(f, 43); /* HBH: next routing, length 0 (8 bytes), PadN */
    put8(f, 0);
    put8(f, 1);
    put8(f, 4);
    putz(f, 4);
    put8(f, 60); /* routing: next dest opts, length 2 (24 bytes), type 4, segments left 0 */
    put8(f, 2);
    put8(f, 4);
    put8(f, 0);
    putz(f, 20);
    put8(f, 6); /* dest opts: next TCP, length 0 */
    put8(f, 0);
    put8(f, 1);
    put8(f, 4);
    putz(f, 4);
    size_t l4 = tcp_hdr(f, 50000, 22, 5, PKT_TCP_ACK | PKT_TCP_PSH);
    putn(f, "hello", 5);
    l4_end(f, 6, ip6_a, ip6_b, 6, l4, 16);
    ip6_end(f, ip);
}

static void frame_ping6(struct fb *f, const uint8_t dst[16], size_t payload)
{
    f->n = 0;
    eth(f, mac_r, mac_a, 0x86dd);
    size_t ip = ip6_begin(f, 58, 64, ip6_a, dst);
    size_t l4 = icmp_echo(f, 128, 0x99, 5, payload);
    l4_end(f, 6, ip6_a, dst, 58, l4, 2);
    ip6_end(f, ip);
}

/* Neighbour solicitation for target from src (:: for DAD), to the target's solicited-node
 * group, with a source link-layer option unless DAD. */
static void frame_ns(struct fb *f, const uint8_t src[16], const uint8_t target[16], unsigned hop)
{
    uint8_t sn[16] = {0xff, 0x02, [11] = 1, [12] = 0xff};
    memcpy(sn + 13, target + 13, 3);
    static const uint8_t sn_mac_prefix[2] = {0x33, 0x33};
    uint8_t dmac[6];
    memcpy(dmac, sn_mac_prefix, 2);
    memcpy(dmac + 2, sn + 12, 4);
    bool dad = true;
    for (int i = 0; i < 16; i++)
        dad = dad && src[i] == 0;
    f->n = 0;
    eth(f, dmac, mac_a, 0x86dd);
    size_t ip = ip6_begin(f, 58, hop, src, sn);
    size_t l4 = f->n;
    put8(f, 135);
    put8(f, 0);
    put16(f, 0);
    put32(f, 0);
    putn(f, target, 16);
    if (!dad) {
        put8(f, 1);
        put8(f, 1);
        putn(f, mac_a, 6);
    }
    l4_end(f, 6, src, sn, 58, l4, 2);
    ip6_end(f, ip);
}

/* ---- helpers for assertions ---------------------------------------------------------------- */

static int parse_exact(const uint8_t *frame, size_t len, struct pkt_meta *m)
{
    /* a heap copy of exactly len bytes: ASan reports any read past it */
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, frame, len);
    int rc = pkt_parse(copy, len, m);
    free(copy);
    return rc;
}

static void assert_ip4_csums(const uint8_t *frame, size_t len)
{
    struct pkt_meta m;
    assert_int_equal(pkt_parse(frame, len, &m), 0);
    const uint8_t *ip = frame + 14;
    assert_int_equal(slow_csum(ip, m.ip_hlen), 0);
    assert_true(pkt_ipv4_csum_ok(frame, &m));
}

/* A builder given every cap below the needed size refuses with -ENOSPC and writes nothing. */
static void check_caps(int (*build)(uint8_t *, size_t, const void *), const void *ctx, int need)
{
    uint8_t buf[2048];
    for (int cap = 0; cap < need; cap++) {
        memset(buf, 0xa5, sizeof buf);
        assert_int_equal(build(buf, (size_t)cap, ctx), -ENOSPC);
        for (size_t i = 0; i < sizeof buf; i++)
            assert_int_equal(buf[i], 0xa5);
    }
    memset(buf, 0xa5, sizeof buf);
    assert_int_equal(build(buf, (size_t)need, ctx), need);
    for (size_t i = (size_t)need; i < sizeof buf; i++)
        assert_int_equal(buf[i], 0xa5);
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_error_names(void **state)
{
    (void)state;
    for (int i = 0; i < PKT__ERR_COUNT; i++) {
        const char *n = pkt_error_name((enum pkt_error)i);
        assert_true(strlen(n) > 0);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(n, pkt_error_name((enum pkt_error)j));
    }
    assert_string_equal(pkt_error_name(PKT_ERR_NONE), "none");
    assert_string_equal(pkt_error_name(PKT_ERR_TRUNCATED), "truncated_ip_packet");
    assert_string_equal(pkt_error_name(PKT__ERR_COUNT), "?");
}

static void test_csum_against_slow(void **state)
{
    (void)state;
    static uint8_t buf[2100];
    for (int round = 0; round < 20000; round++) {
        size_t len = rnd() % 2000, off = rnd() % 8;
        for (size_t i = 0; i < len; i++)
            buf[off + i] = (uint8_t)(rnd() % 3 == 0 ? 0xff : rnd());
        assert_int_equal(pkt_csum(buf + off, len), slow_csum(buf + off, len));
        /* chunks of even length combine */
        size_t cut = (rnd() % (len + 1)) & ~(size_t)1;
        uint32_t s = pkt_csum_add(0, buf + off, cut);
        s = pkt_csum_add(s, buf + off + cut, len - cut);
        assert_int_equal(pkt_csum_finish(s), slow_csum(buf + off, len));
    }
    /* all-zero data sums to 0, checksum 0xffff; a header whose checksum is right verifies */
    memset(buf, 0, 64);
    assert_int_equal(pkt_csum(buf, 64), 0xffff);
    struct fb f;
    frame_tcp4(&f);
    assert_int_equal(pkt_csum(f.b + 14, 24), 0);
}

static void test_pseudo_headers(void **state)
{
    (void)state;
    for (int round = 0; round < 5000; round++) {
        uint8_t src[16], dst[16], seg[300];
        for (int i = 0; i < 16; i++) {
            src[i] = (uint8_t)rnd();
            dst[i] = (uint8_t)rnd();
        }
        size_t n = rnd() % sizeof seg;
        for (size_t i = 0; i < n; i++)
            seg[i] = (uint8_t)rnd();
        uint8_t proto = (uint8_t)(rnd() % 2 ? 6 : 17);
        uint16_t c4 =
            pkt_csum_finish(pkt_csum_add(pkt_pseudo4(src, dst, proto, (uint16_t)n), seg, n));
        assert_int_equal(c4, slow_l4_csum(4, src, dst, proto, seg, n));
        uint16_t c6 =
            pkt_csum_finish(pkt_csum_add(pkt_pseudo6(src, dst, proto, (uint32_t)n), seg, n));
        assert_int_equal(c6, slow_l4_csum(6, src, dst, proto, seg, n));
    }
    /* the IPv6 length is 32 bits: 0x12345 contributes 0x1 + 0x2345 */
    uint8_t z[16] = {0};
    assert_int_equal(pkt_pseudo6(z, z, 0, 0x12345), 0x2346);
}

static void test_csum_update_rfc1624(void **state)
{
    (void)state;
    /* RFC 1624 section 4's example: HC 0xdd2f, m 0x5555 -> m' 0x3285 gives 0x0000 */
    uint8_t o[2] = {0x55, 0x55}, n[2] = {0x32, 0x85};
    assert_int_equal(pkt_csum_update(0xdd2f, o, n, 2), 0x0000);
    /* random words: update equals recomputation */
    for (int round = 0; round < 20000; round++) {
        uint8_t data[40];
        size_t len = 2 * (1 + rnd() % 20);
        for (size_t i = 0; i < len; i++)
            data[i] = (uint8_t)rnd();
        data[0] |= 1; /* never all zero, as no real header is */
        uint16_t before = slow_csum(data, len);
        size_t at = 2 * (rnd() % (len / 2)), w = (len - at) >= 4 && rnd() % 2 ? 4 : 2;
        uint8_t old[4];
        memcpy(old, data + at, w);
        for (size_t i = 0; i < w; i++)
            data[at + i] = (uint8_t)rnd();
        if (at == 0)
            data[0] |= 1;
        assert_int_equal(pkt_csum_update(before, old, data + at, w), slow_csum(data, len));
    }
}

static void test_arp(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m;
    frame_arp_request(&f, ip_a, ip_b);
    assert_int_equal(f.n, 60);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(m.kind, PKT_ARP);
    assert_int_equal(m.ethertype, 0x0806);
    assert_int_equal(m.flags, PKT_F_BCAST | PKT_F_MCAST);
    assert_int_equal(m.l3_off, 14);
    assert_memory_equal(m.dst_mac, mac_bc, 6);
    assert_memory_equal(m.src_mac, mac_a, 6);
    assert_int_equal(m.arp.op, 1);
    assert_memory_equal(m.arp.sha, mac_a, 6);
    assert_memory_equal(m.arp.spa, ip_a, 4);
    assert_memory_equal(m.arp.tpa, ip_b, 4);

    uint8_t out[64];
    assert_int_equal(pkt_build_arp_reply(out, sizeof out, &m, mac_b), 42);
    static const uint8_t want[42] = {
        0x02, 0x00, 0x0a, 0x00, 0x01, 0x0a, 0x02, 0x00, 0x0a, 0x00, 0x01, 0x14, 0x08, 0x06,
        0x00, 0x01, 0x08, 0x00, 6,    4,    0x00, 0x02, 0x02, 0x00, 0x0a, 0x00, 0x01, 0x14,
        10,   0,    2,    20,   0x02, 0x00, 0x0a, 0x00, 0x01, 0x0a, 10,   0,    1,    10};
    assert_memory_equal(out, want, 42);
    struct pkt_meta r;
    assert_int_equal(pkt_parse(out, 42, &r), 0);
    assert_int_equal(r.kind, PKT_ARP);
    assert_int_equal(r.arp.op, PKT_ARP_REPLY);
    assert_int_equal(r.flags, 0);
    for (int cap = 0; cap < 42; cap++)
        assert_int_equal(pkt_build_arp_reply(out, (size_t)cap, &m, mac_b), -ENOSPC);
    /* a reply is not answered; a gratuitous ARP announces and is not answered either */
    assert_int_equal(pkt_build_arp_reply(out, sizeof out, &r, mac_b), -EINVAL);
    frame_arp_request(&f, ip_a, ip_a);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_build_arp_reply(out, sizeof out, &m, mac_b), -EPERM);
    /* hardware length 8: not Ethernet/IPv4 ARP */
    frame_arp_request(&f, ip_a, ip_b);
    f.b[18] = 8;
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_BAD_ARP);
    frame_arp_request(&f, ip_a, ip_b);
    assert_int_equal(pkt_parse(f.b, 41, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_SHORT_ARP);
}

static void test_tcp4(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m;
    frame_tcp4(&f);
    assert_int_equal(f.n, 14 + 24 + 24);
    putz(&f, 4); /* Ethernet padding after the IP packet */
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(m.kind, PKT_IPV4);
    assert_int_equal(m.error, PKT_ERR_NONE);
    assert_int_equal(m.flags, PKT_F_DF | PKT_F_IP_OPTS | PKT_F_L4);
    assert_int_equal(m.flow.family, 4);
    assert_int_equal(m.flow.proto, 6);
    assert_int_equal(m.flow.sport, 40000);
    assert_int_equal(m.flow.dport, 443);
    assert_memory_equal(m.flow.src, ip_a, 4);
    assert_memory_equal(m.flow.dst, ip_b, 4);
    uint8_t zero[12] = {0};
    assert_memory_equal(m.flow.src + 4, zero, 12);
    assert_int_equal(m.ttl, 64);
    assert_int_equal(m.ip_hlen, 24);
    assert_int_equal(m.l3_len, 48);
    assert_int_equal(m.l4_off, 38);
    assert_int_equal(m.l4_len, 24);
    assert_int_equal(m.tcp_flags, PKT_TCP_SYN);
    assert_int_equal(m.frag_off, 0);
    assert_true(pkt_ipv4_csum_ok(f.b, &m));
    assert_true(pkt_l4_csum_ok(f.b, &m));
    f.b[40] ^= 1; /* a port byte: the TCP checksum no longer verifies, the IP one does */
    assert_true(pkt_ipv4_csum_ok(f.b, &m));
    assert_false(pkt_l4_csum_ok(f.b, &m));
    f.b[22] ^= 1; /* TTL */
    assert_false(pkt_ipv4_csum_ok(f.b, &m));

    /* data offset 4 is below the minimum; 7 words do not fit a 24-byte segment */
    frame_tcp4(&f);
    f.b[38 + 12] = 0x40;
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_BAD_TCP_OFF);
    f.b[38 + 12] = 0x70;
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_SHORT_L4);
}

static void test_ip4_errors(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m;
    frame_tcp4(&f);
    f.b[14] = 0x66; /* version 6 behind ethertype 0x0800 */
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_BAD_VERSION);
    assert_int_equal(m.kind, PKT_IPV4);
    frame_tcp4(&f);
    f.b[14] = 0x44;
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_BAD_HDR_LEN);
    frame_tcp4(&f);
    f.b[14] = 0x4f; /* 60-byte header in a 48-byte packet */
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_SHORT_IP);
    frame_tcp4(&f);
    set16(f.b + 16, 23); /* total length below the 24-byte header */
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_BAD_TOTAL_LEN);
    frame_tcp4(&f);
    set16(f.b + 16, 49);
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_TRUNCATED);
    frame_tcp4(&f);
    set16(f.b + 16, 24 + 19); /* 19 bytes of TCP */
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_SHORT_L4);

    /* UDP length must cover the header and stay inside the payload */
    frame_udp4(&f, 10);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_L4);
    assert_int_equal(m.flow.sport, 5353);
    assert_int_equal(m.flow.dport, 53);
    assert_int_equal(m.ttl, 63);
    assert_true(pkt_l4_csum_ok(f.b, &m));
    set16(f.b + 34 + 4, 19);
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_BAD_UDP_LEN);
    set16(f.b + 34 + 4, 7);
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_BAD_UDP_LEN);
    /* no checksum (0) verifies for IPv4 */
    frame_udp4(&f, 10);
    set16(f.b + 34 + 6, 0);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_true(pkt_l4_csum_ok(f.b, &m));

    /* Ethernet-level refusals and the kinds that are not errors */
    frame_tcp4(&f);
    assert_int_equal(pkt_parse(f.b, 13, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_SHORT_ETH);
    f.b[6] |= 1;
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_BAD_SRC_MAC);
    frame_tcp4(&f);
    set16(f.b + 12, 0x8100);
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EPROTONOSUPPORT);
    assert_int_equal(m.error, PKT_ERR_VLAN);
    set16(f.b + 12, 0x88a8);
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EPROTONOSUPPORT);
    set16(f.b + 12, 0x88cc); /* LLDP */
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(m.kind, PKT_OTHER);
    assert_int_equal(m.ethertype, 0x88cc);
    set16(f.b + 12, 46); /* an 802.3 length field */
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(m.kind, PKT_OTHER);
    f.b[0] = 0x01; /* 01:00:0a:... is a multicast destination, not broadcast */
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_MCAST);
    for (int i = 0; i < 6; i++) { /* one bit short of broadcast, group bit kept */
        memcpy(f.b, mac_bc, 6);
        f.b[i] = i == 0 ? 0xfd : 0xfe;
        assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
        assert_int_equal(m.flags, PKT_F_MCAST);
    }
    uint8_t *big = calloc(1, PKT_FRAME_MAX + 1);
    assert_non_null(big);
    memcpy(big, f.b, f.n);
    assert_int_equal(pkt_parse(big, PKT_FRAME_MAX + 1, &m), -EMSGSIZE);
    assert_int_equal(m.error, PKT_ERR_TOO_LONG);
    free(big);
}

static void test_fragments4(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m;
    /* first fragment: MF, offset 0, TCP header present */
    f.n = 0;
    eth(&f, mac_r, mac_a, 0x0800);
    size_t ip = ip4_begin(&f, 0, 99, 0x2000, 64, 6, ip_a, ip_b, NULL, 0);
    tcp_hdr(&f, 1000, 2000, 5, PKT_TCP_ACK);
    putz(&f, 4);
    ip4_end(&f, ip);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_MF | PKT_F_FRAG | PKT_F_L4);
    assert_int_equal(m.flow.sport, 1000);
    assert_int_equal(m.flow.dport, 2000);
    assert_false(pkt_l4_csum_ok(f.b, &m)); /* a fragment's checksum covers the datagram */
    /* a later fragment: offset 185 * 8, no transport header, ports 0 */
    set16(f.b + 20, 185);
    ip4_end(&f, ip);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_FRAG | PKT_F_LATER_FRAG);
    assert_int_equal(m.frag_off, 1480);
    assert_int_equal(m.flow.proto, 6);
    assert_int_equal(m.flow.sport, 0);
    assert_int_equal(m.flow.dport, 0);
    assert_int_equal(m.tcp_flags, 0);
    assert_int_equal(m.l4_off, 34);
    assert_int_equal(m.l4_len, 24);
    /* the last fragment may end exactly at 65535, not past it */
    set16(f.b + 20, (65535 - 24) / 8);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    set16(f.b + 20, (65535 - 24) / 8 + 1);
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_BAD_FRAG);
    /* first fragment cut inside the TCP header (RFC 1858 tiny fragment) */
    f.n = 0;
    eth(&f, mac_r, mac_a, 0x0800);
    ip = ip4_begin(&f, 0, 99, 0x2000, 64, 6, ip_a, ip_b, NULL, 0);
    putz(&f, 8);
    ip4_end(&f, ip);
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_SHORT_L4);
    /* a first UDP fragment carries the whole datagram's length */
    f.n = 0;
    eth(&f, mac_r, mac_a, 0x0800);
    ip = ip4_begin(&f, 0, 100, 0x2000, 64, 17, ip_a, ip_b, NULL, 0);
    udp_hdr(&f, 7, 9, 16);
    set16(f.b + 34 + 4, 3000);
    ip4_end(&f, ip);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(m.flow.sport, 7);
}

static void test_ping4_and_reply(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m, r;
    frame_ping4(&f, ip_r, 56);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_DF | PKT_F_L4 | PKT_F_ICMP_ECHO);
    assert_int_equal(m.flow.sport, 8);
    assert_int_equal(m.flow.dport, 0);
    assert_int_equal(m.icmp_id, 0x77);
    assert_true(pkt_l4_csum_ok(f.b, &m));

    uint8_t out[256];
    int n = pkt_build_icmp4_echo_reply(out, sizeof out, f.b, &m, mac_r);
    assert_int_equal(n, 14 + 20 + 64);
    assert_int_equal(pkt_parse(out, (size_t)n, &r), 0);
    assert_memory_equal(r.dst_mac, mac_a, 6);
    assert_memory_equal(r.src_mac, mac_r, 6);
    assert_memory_equal(r.flow.src, ip_r, 4);
    assert_memory_equal(r.flow.dst, ip_a, 4);
    assert_int_equal(r.flow.sport, 0);
    assert_int_equal(r.icmp_id, 0x77);
    assert_int_equal(r.ttl, 64);
    assert_int_equal(r.flags, PKT_F_L4 | PKT_F_ICMP_ECHO);
    assert_int_equal(get16(out + 34 + 6), 3);            /* sequence */
    assert_memory_equal(out + 34 + 8, f.b + 34 + 8, 56); /* data */
    assert_int_equal(get16(out + 18), 0x4242);           /* identification copied */
    assert_int_equal(slow_csum(out + 14, 20), 0);
    assert_int_equal(slow_csum(out + 34, 64), 0);
    assert_ip4_csums(out, (size_t)n);

    /* not answered: bad checksum, broadcast destination, fragments, a reply */
    f.b[34 + 9] ^= 0xff;
    assert_int_equal(pkt_build_icmp4_echo_reply(out, sizeof out, f.b, &m, mac_r), -EBADMSG);
    static const uint8_t bcast[4] = {255, 255, 255, 255};
    frame_ping4(&f, bcast, 8);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_build_icmp4_echo_reply(out, sizeof out, f.b, &m, mac_r), -EPERM);
    frame_ping4(&f, ip_r, 8);
    set16(f.b + 20, 0x2000);
    ip4_end(&f, 14);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_build_icmp4_echo_reply(out, sizeof out, f.b, &m, mac_r), -EINVAL);
    assert_int_equal(pkt_build_icmp4_echo_reply(out, sizeof out, out, &r, mac_r), -EINVAL);
}

struct build_ctx {
    const uint8_t *frame;
    const struct pkt_meta *m;
};

static int build_echo4(uint8_t *out, size_t cap, const void *ctx)
{
    const struct build_ctx *c = ctx;
    return pkt_build_icmp4_echo_reply(out, cap, c->frame, c->m, mac_r);
}

static int build_frag_needed(uint8_t *out, size_t cap, const void *ctx)
{
    const struct build_ctx *c = ctx;
    return pkt_build_icmp4_frag_needed(out, cap, c->frame, c->m, mac_r, ip_r, 1500);
}

static int build_ptb(uint8_t *out, size_t cap, const void *ctx)
{
    const struct build_ctx *c = ctx;
    return pkt_build_icmp6_ptb(out, cap, c->frame, c->m, mac_r, ip6_r, 1280);
}

static int build_na(uint8_t *out, size_t cap, const void *ctx)
{
    const struct build_ctx *c = ctx;
    return pkt_build_icmp6_na(out, cap, c->frame, c->m, mac_r, true);
}

static int build_echo6(uint8_t *out, size_t cap, const void *ctx)
{
    const struct build_ctx *c = ctx;
    return pkt_build_icmp6_echo_reply(out, cap, c->frame, c->m, mac_r);
}

static void test_builder_caps(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m;
    struct build_ctx c = {f.b, &m};
    frame_ping4(&f, ip_r, 20);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    check_caps(build_echo4, &c, 14 + 20 + 28);
    frame_tcp4(&f);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    check_caps(build_frag_needed, &c, 14 + 20 + 8 + 24 + 8);
    frame_tcp6_ext(&f);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    check_caps(build_ptb, &c, (int)(14 + 48 + f.n - 14));
    frame_ns(&f, ip6_ll, ip6_r, 255);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    check_caps(build_na, &c, 14 + 40 + 32);
    frame_ping6(&f, ip6_r, 10);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    check_caps(build_echo6, &c, 14 + 40 + 18);
}

static void test_icmp4_errors_built(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m, r;
    uint8_t out[256];
    /* fragmentation needed for a DF TCP packet with IP options: quotes header + 8 bytes */
    frame_tcp4(&f);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    int n = pkt_build_icmp4_frag_needed(out, sizeof out, f.b, &m, mac_r, ip_r, 1500);
    assert_int_equal(n, 14 + 20 + 8 + 32);
    assert_int_equal(pkt_parse(out, (size_t)n, &r), 0);
    assert_memory_equal(r.dst_mac, mac_a, 6);
    assert_memory_equal(r.flow.src, ip_r, 4);
    assert_memory_equal(r.flow.dst, ip_a, 4);
    assert_int_equal(r.flow.proto, 1);
    assert_int_equal(r.flow.sport, 3);
    assert_int_equal(r.flow.dport, 4);
    assert_int_equal(r.flags, PKT_F_L4 | PKT_F_ICMP_ERR | PKT_F_INNER);
    assert_memory_equal(&r.inner, &m.flow, sizeof m.flow);
    assert_int_equal(get16(out + 34 + 4), 0);
    assert_int_equal(get16(out + 34 + 6), 1500);
    assert_memory_equal(out + 42, f.b + 14, 32);
    assert_int_equal(slow_csum(out + 34, (size_t)n - 34), 0);
    assert_ip4_csums(out, (size_t)n);
    assert_true(pkt_l4_csum_ok(out, &r));

    /* host unreachable and administratively prohibited: no MTU, same quote */
    static const uint8_t codes[2] = {PKT_ICMP_UNREACH_HOST, PKT_ICMP_UNREACH_ADMIN};
    for (int i = 0; i < 2; i++) {
        n = pkt_build_icmp4_error(out, sizeof out, f.b, &m, mac_r, ip_r, 3, codes[i], 1500);
        assert_int_equal(n, 14 + 20 + 8 + 32);
        assert_int_equal(pkt_parse(out, (size_t)n, &r), 0);
        assert_int_equal(r.flow.dport, codes[i]);
        assert_int_equal(get16(out + 34 + 6), 0);
        assert_int_equal(slow_csum(out + 34, (size_t)n - 34), 0);
    }
    /* a packet shorter than header + 8 is quoted whole */
    f.n = 0;
    eth(&f, mac_r, mac_a, 0x0800);
    size_t ip = ip4_begin(&f, 0, 5, 0, 64, 99, ip_a, ip_b, NULL, 0);
    putn(&f, "abc", 3);
    ip4_end(&f, ip);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    n = pkt_build_icmp4_error(out, sizeof out, f.b, &m, mac_r, ip_r, 11, 0, 0);
    assert_int_equal(n, 14 + 20 + 8 + 23);
    assert_int_equal(pkt_parse(out, (size_t)n, &r), 0);
    assert_int_equal(r.flags, PKT_F_L4 | PKT_F_ICMP_ERR | PKT_F_INNER);
    assert_int_equal(r.inner.proto, 99);
    assert_int_equal(r.inner.sport, 0);

    /* refusals */
    assert_int_equal(pkt_build_icmp4_error(out, sizeof out, f.b, &m, mac_r, ip_r, 5, 0, 0),
                     -EINVAL);
    assert_int_equal(pkt_build_icmp4_error(out, sizeof out, f.b, &m, mac_r, ip_r, 3, 16, 0),
                     -EINVAL);
    /* about an ICMP error */
    assert_int_equal(pkt_build_icmp4_error(out, sizeof out, out, &r, mac_r, ip_r, 3, 1, 0), -EPERM);
    /* to a broadcast MAC, from 0.0.0.0, to a multicast group, about a later fragment */
    frame_udp4(&f, 4);
    memcpy(f.b, mac_bc, 6);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_build_icmp4_error(out, sizeof out, f.b, &m, mac_r, ip_r, 3, 1, 0), -EPERM);
    frame_udp4(&f, 4);
    memset(f.b + 26, 0, 4);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_build_icmp4_error(out, sizeof out, f.b, &m, mac_r, ip_r, 3, 1, 0), -EPERM);
    frame_udp4(&f, 4);
    f.b[30] = 239;
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_build_icmp4_error(out, sizeof out, f.b, &m, mac_r, ip_r, 3, 1, 0), -EPERM);
    frame_udp4(&f, 4);
    set16(f.b + 20, 10);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_build_icmp4_error(out, sizeof out, f.b, &m, mac_r, ip_r, 3, 1, 0), -EPERM);
    /* but an error about an echo request is fine */
    frame_ping4(&f, ip_b, 8);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    n = pkt_build_icmp4_error(out, sizeof out, f.b, &m, mac_r, ip_r, 3, 13, 0);
    assert_int_equal(n, 14 + 20 + 8 + 28);
    assert_int_equal(pkt_parse(out, (size_t)n, &r), 0);
    assert_int_equal(r.inner.sport, 8);
    assert_int_equal(r.inner_icmp_id, 0x77);
}

/* Hand-built ICMP errors as they arrive, quoting packets in various states. */
static void test_icmp4_inner(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m;
    /* port unreachable from 10.0.2.20 quoting the UDP datagram 10.0.1.10:5353 -> :53 */
    f.n = 0;
    eth(&f, mac_a, mac_r, 0x0800);
    size_t ip = ip4_begin(&f, 0, 1, 0, 64, 1, ip_b, ip_a, NULL, 0);
    size_t l4 = f.n;
    put8(&f, 3);
    put8(&f, 3);
    put16(&f, 0);
    put32(&f, 0);
    size_t q = ip4_begin(&f, 0, 7, 0, 63, 17, ip_a, ip_b, NULL, 0);
    put16(&f, 5353);
    put16(&f, 53);
    put16(&f, 100); /* the original length: the datagram itself is not quoted */
    put16(&f, 0xbeef);
    set16(f.b + q + 2, 128);
    l4_end(&f, 4, ip_b, ip_a, 1, l4, 2);
    ip4_end(&f, ip);
    struct pkt_meta m_full;
    assert_int_equal(pkt_parse(f.b, f.n, &m_full), 0);
    m = m_full;
    assert_int_equal(m.flags, PKT_F_L4 | PKT_F_ICMP_ERR | PKT_F_INNER);
    assert_int_equal(m.inner.family, 4);
    assert_int_equal(m.inner.proto, 17);
    assert_int_equal(m.inner.sport, 5353);
    assert_int_equal(m.inner.dport, 53);
    assert_memory_equal(m.inner.src, ip_a, 4);
    assert_memory_equal(m.inner.dst, ip_b, 4);
    assert_true(pkt_l4_csum_ok(f.b, &m));

    /* quotes cut before the ports: an error still, but not related to a flow */
    for (size_t keep = 0; keep < 24; keep++) {
        struct fb g = f;
        g.n = l4 + 8 + keep;
        ip4_end(&g, ip);
        assert_int_equal(pkt_parse(g.b, g.n, &m), 0);
        assert_int_equal(m.flags, PKT_F_L4 | PKT_F_ICMP_ERR);
        assert_int_equal(m.inner.family, 0);
    }
    /* quoted IHL 4 or version 6: not parsed */
    struct fb g = f;
    g.b[q] = 0x44;
    assert_int_equal(pkt_parse(g.b, g.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_L4 | PKT_F_ICMP_ERR);
    g.b[q] = 0x65;
    assert_int_equal(pkt_parse(g.b, g.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_L4 | PKT_F_ICMP_ERR);
    g.b[q] = 0x47; /* 28-byte header: exactly what is quoted, no room for ports */
    assert_int_equal(parse_exact(g.b, g.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_L4 | PKT_F_ICMP_ERR);
    g.b[q] = 0x48; /* 32 bytes: more than is quoted */
    assert_int_equal(parse_exact(g.b, g.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_L4 | PKT_F_ICMP_ERR);
    /* a quoted later fragment has no ports */
    g = f;
    set16(g.b + q + 6, 5);
    assert_int_equal(pkt_parse(g.b, g.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_L4 | PKT_F_ICMP_ERR);
    /* a quoted echo needs its identifier */
    g = f;
    g.b[q + 9] = 1;
    set16(g.b + q + 20, 0x0800);
    set16(g.b + q + 24, 0x1234);
    assert_int_equal(pkt_parse(g.b, g.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_L4 | PKT_F_ICMP_ERR | PKT_F_INNER);
    assert_int_equal(m.inner.sport, 8);
    assert_int_equal(m.inner.dport, 0);
    assert_int_equal(m.inner_icmp_id, 0x1234);
    g.n = l4 + 8 + 20 + 5;
    ip4_end(&g, ip);
    assert_int_equal(pkt_parse(g.b, g.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_L4 | PKT_F_ICMP_ERR);
    assert_int_equal(m.inner_icmp_id, 0);
    /* types 11 and 12 are errors, 5 (redirect) is not parsed as one */
    g = f;
    g.b[l4] = 11;
    assert_int_equal(pkt_parse(g.b, g.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_L4 | PKT_F_ICMP_ERR | PKT_F_INNER);
    g.b[l4] = 12;
    assert_int_equal(pkt_parse(g.b, g.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_L4 | PKT_F_ICMP_ERR | PKT_F_INNER);
    g.b[l4] = 5;
    assert_int_equal(pkt_parse(g.b, g.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_L4);
}

static void test_ipv6_ext(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m;
    frame_tcp6_ext(&f);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(m.kind, PKT_IPV6);
    assert_int_equal(m.flags, PKT_F_EXT_HDRS | PKT_F_L4);
    assert_int_equal(m.flow.family, 6);
    assert_int_equal(m.flow.proto, 6);
    assert_int_equal(m.flow.sport, 50000);
    assert_int_equal(m.flow.dport, 22);
    assert_memory_equal(m.flow.src, ip6_a, 16);
    assert_memory_equal(m.flow.dst, ip6_b, 16);
    assert_int_equal(m.tcp_flags, PKT_TCP_ACK | PKT_TCP_PSH);
    assert_int_equal(m.ttl, 64);
    assert_int_equal(m.ip_hlen, 40);
    assert_int_equal(m.l4_off, 14 + 40 + 40);
    assert_int_equal(m.l4_len, 25);
    assert_int_equal(m.l3_len, 40 + 40 + 25);
    assert_true(pkt_l4_csum_ok(f.b, &m));
    f.b[f.n - 1] ^= 0x20;
    assert_false(pkt_l4_csum_ok(f.b, &m));

    /* hop-by-hop anywhere but first is refused */
    frame_tcp6_ext(&f);
    f.b[14 + 40 + 8 + 24] = 0; /* dest opts' next header: HBH */
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_BAD_EXT);
    frame_tcp6_ext(&f);
    f.b[14 + 40] = 0; /* HBH followed by HBH */
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_BAD_EXT);
    /* a fragment header cut short by the payload length */
    f.n = 0;
    eth(&f, mac_r, mac_a, 0x86dd);
    size_t ip6 = ip6_begin(&f, 44, 64, ip6_a, ip6_b);
    put32(&f, 0x11000000);
    ip6_end(&f, ip6);
    assert_int_equal(parse_exact(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_BAD_EXT);
    /* an extension header that runs past the payload */
    frame_tcp6_ext(&f);
    f.b[14 + 40 + 8 + 1] = 20;
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_BAD_EXT);
    /* chains of PKT_MAX_EXT_HDRS destination options pass, one more fails */
    for (int k = PKT_MAX_EXT_HDRS; k <= PKT_MAX_EXT_HDRS + 1; k++) {
        f.n = 0;
        eth(&f, mac_r, mac_a, 0x86dd);
        size_t ip = ip6_begin(&f, 60, 64, ip6_a, ip6_b);
        for (int i = 0; i < k; i++) {
            put8(&f, i == k - 1 ? 59 : 60);
            put8(&f, 0);
            putz(&f, 6);
        }
        ip6_end(&f, ip);
        int rc = pkt_parse(f.b, f.n, &m);
        if (k == PKT_MAX_EXT_HDRS) {
            assert_int_equal(rc, 0);
            assert_int_equal(m.flow.proto, 59);
            assert_int_equal(m.l4_len, 0);
            assert_int_equal(m.flags, PKT_F_EXT_HDRS);
        } else {
            assert_int_equal(rc, -EBADMSG);
            assert_int_equal(m.error, PKT_ERR_BAD_EXT);
        }
    }
    /* version 4 behind ethertype 0x86dd; payload length past the frame */
    frame_tcp6_ext(&f);
    f.b[14] = 0x45;
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_BAD_VERSION);
    frame_tcp6_ext(&f);
    set16(f.b + 18, (unsigned)(f.n - 54 + 1));
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_TRUNCATED);
}

static void test_ipv6_fragments(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m;
    f.n = 0;
    eth(&f, mac_r, mac_a, 0x86dd);
    size_t ip = ip6_begin(&f, 44, 64, ip6_a, ip6_b);
    size_t fh = f.n;
    put8(&f, 17);
    put8(&f, 0);
    put16(&f, 0 | 1); /* offset 0, M */
    put32(&f, 0xcafe);
    udp_hdr(&f, 4789, 6081, 40);
    set16(f.b + fh + 8 + 4, 3000);
    ip6_end(&f, ip);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_EXT_HDRS | PKT_F_FRAG | PKT_F_MF | PKT_F_L4);
    assert_int_equal(m.flow.proto, 17);
    assert_int_equal(m.flow.sport, 4789);
    assert_int_equal(m.flow.dport, 6081);
    assert_int_equal(m.l4_off, 14 + 48);
    /* later fragment: offset 1232, M clear */
    set16(f.b + fh + 2, 1232);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_EXT_HDRS | PKT_F_FRAG | PKT_F_LATER_FRAG);
    assert_int_equal(m.frag_off, 1232);
    assert_int_equal(m.flow.proto, 17);
    assert_int_equal(m.flow.sport, 0);
    assert_int_equal(m.l4_len, 48);
    set16(f.b + fh + 2, 65528);
    assert_int_equal(pkt_parse(f.b, f.n, &m), -EBADMSG);
    assert_int_equal(m.error, PKT_ERR_BAD_FRAG);
}

static void test_ns_na(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m, r;
    uint8_t out[256];
    frame_ns(&f, ip6_ll, ip6_r, 255);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_MCAST | PKT_F_L4);
    assert_int_equal(m.flow.sport, 135);
    assert_true(pkt_l4_csum_ok(f.b, &m));
    const uint8_t *t = pkt_nd_target(f.b, &m);
    assert_non_null(t);
    assert_memory_equal(t, ip6_r, 16);

    int n = pkt_build_icmp6_na(out, sizeof out, f.b, &m, mac_r, true);
    assert_int_equal(n, 86);
    assert_int_equal(pkt_parse(out, (size_t)n, &r), 0);
    assert_memory_equal(r.dst_mac, mac_a, 6);
    assert_memory_equal(r.src_mac, mac_r, 6);
    assert_memory_equal(r.flow.src, ip6_r, 16);
    assert_memory_equal(r.flow.dst, ip6_ll, 16);
    assert_int_equal(r.ttl, 255);
    assert_int_equal(r.flow.sport, 136);
    assert_int_equal(r.flow.dport, 0);
    assert_int_equal(r.l4_len, 32);
    const uint8_t *na = out + 54;
    assert_int_equal(na[4], 0xe0); /* router, solicited, override */
    assert_int_equal(na[5] | na[6] | na[7], 0);
    assert_memory_equal(na + 8, ip6_r, 16);
    assert_int_equal(na[24], 2);
    assert_int_equal(na[25], 1);
    assert_memory_equal(na + 26, mac_r, 6);
    assert_int_equal(slow_l4_csum(6, ip6_r, ip6_ll, 58, na, 32), 0);
    assert_memory_equal(pkt_nd_target(out, &r), ip6_r, 16);
    assert_int_equal(pkt_build_icmp6_na(out, sizeof out, out, &r, mac_r, true), -EINVAL);

    /* duplicate address detection: to all nodes, not solicited */
    static const uint8_t unspec[16] = {0};
    frame_ns(&f, unspec, ip6_b, 255);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    n = pkt_build_icmp6_na(out, sizeof out, f.b, &m, mac_b, false);
    assert_int_equal(n, 86);
    assert_int_equal(pkt_parse(out, (size_t)n, &r), 0);
    static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
    static const uint8_t all_nodes_mac[6] = {0x33, 0x33, 0, 0, 0, 1};
    assert_memory_equal(r.dst_mac, all_nodes_mac, 6);
    assert_memory_equal(r.flow.dst, all_nodes, 16);
    assert_int_equal(out[54 + 4], 0x20);
    assert_int_equal(slow_l4_csum(6, ip6_b, all_nodes, 58, out + 54, 32), 0);

    /* RFC 4861 7.1.1 validation */
    frame_ns(&f, ip6_ll, ip6_r, 254);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_build_icmp6_na(out, sizeof out, f.b, &m, mac_r, true), -EBADMSG);
    frame_ns(&f, ip6_ll, ip6_r, 255);
    f.b[f.n - 1] ^= 1;
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_build_icmp6_na(out, sizeof out, f.b, &m, mac_r, true), -EBADMSG);
    frame_ns(&f, ip6_ll, all_nodes, 255);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_build_icmp6_na(out, sizeof out, f.b, &m, mac_r, true), -EBADMSG);
    frame_ns(&f, ip6_ll, ip6_r, 255);
    f.b[f.n - 7] = 0; /* option length 0 */
    l4_end(&f, 6, ip6_ll, f.b + 38, 58, 54, 2);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_true(pkt_l4_csum_ok(f.b, &m));
    assert_int_equal(pkt_build_icmp6_na(out, sizeof out, f.b, &m, mac_r, true), -EBADMSG);
    /* DAD must not carry a source link-layer option */
    frame_ns(&f, ip6_ll, ip6_b, 255);
    memset(f.b + 22, 0, 16);
    l4_end(&f, 6, unspec, f.b + 38, 58, 54, 2);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_build_icmp6_na(out, sizeof out, f.b, &m, mac_r, true), -EBADMSG);
    /* truncated NS (20 bytes of ICMPv6) has no target */
    frame_ns(&f, ip6_ll, ip6_r, 255);
    f.n = 54 + 20;
    ip6_end(&f, 14);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_null(pkt_nd_target(f.b, &m));
    assert_int_equal(pkt_build_icmp6_na(out, sizeof out, f.b, &m, mac_r, true), -EINVAL);
}

static void test_ping6_and_reply(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m, r;
    uint8_t out[256];
    frame_ping6(&f, ip6_r, 32);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_L4 | PKT_F_ICMP_ECHO);
    assert_int_equal(m.icmp_id, 0x99);
    int n = pkt_build_icmp6_echo_reply(out, sizeof out, f.b, &m, mac_r);
    assert_int_equal(n, 14 + 40 + 40);
    assert_int_equal(pkt_parse(out, (size_t)n, &r), 0);
    assert_memory_equal(r.flow.src, ip6_r, 16);
    assert_memory_equal(r.flow.dst, ip6_a, 16);
    assert_int_equal(r.flow.sport, 129);
    assert_int_equal(r.icmp_id, 0x99);
    assert_int_equal(r.ttl, 64);
    assert_memory_equal(out + 14, f.b + 14, 4); /* traffic class and flow label reflected */
    assert_memory_equal(out + 54 + 4, f.b + 54 + 4, 36);
    assert_int_equal(slow_l4_csum(6, ip6_r, ip6_a, 58, out + 54, 40), 0);
    assert_true(pkt_l4_csum_ok(out, &r));
    static const uint8_t mcast[16] = {0xff, 0x02, [15] = 1};
    frame_ping6(&f, mcast, 8);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_build_icmp6_echo_reply(out, sizeof out, f.b, &m, mac_r), -EPERM);
    frame_ping6(&f, ip6_r, 8);
    f.b[f.n - 1] ^= 1;
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_build_icmp6_echo_reply(out, sizeof out, f.b, &m, mac_r), -EBADMSG);
}

static void test_icmp6_errors(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m, r;
    static uint8_t out[2048];
    /* a 2000-byte UDP packet: the PTB quotes exactly 1232 bytes so it is 1280 */
    f.n = 0;
    eth(&f, mac_r, mac_a, 0x86dd);
    size_t ip = ip6_begin(&f, 17, 64, ip6_a, ip6_b);
    size_t l4 = udp_hdr(&f, 1111, 2222, 1952);
    l4_end(&f, 6, ip6_a, ip6_b, 17, l4, 6);
    ip6_end(&f, ip);
    assert_int_equal(f.n, 14 + 2000);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    int n = pkt_build_icmp6_ptb(out, sizeof out, f.b, &m, mac_r, ip6_r, 1500);
    assert_int_equal(n, 14 + 1280);
    assert_int_equal(pkt_parse(out, (size_t)n, &r), 0);
    assert_int_equal(r.l3_len, 1280);
    assert_int_equal(r.flags, PKT_F_L4 | PKT_F_ICMP_ERR | PKT_F_INNER);
    assert_memory_equal(&r.inner, &m.flow, sizeof m.flow);
    assert_memory_equal(r.flow.src, ip6_r, 16);
    assert_memory_equal(r.flow.dst, ip6_a, 16);
    assert_int_equal(r.flow.sport, 2);
    assert_int_equal(get16(out + 54 + 4), 0);
    assert_int_equal(get16(out + 54 + 6), 1500);
    assert_memory_equal(out + 62, f.b + 14, 1232);
    assert_int_equal(slow_l4_csum(6, ip6_r, ip6_a, 58, out + 54, 1240), 0);

    /* a small packet behind extension headers is quoted whole; inner finds the TCP ports */
    frame_tcp6_ext(&f);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    n = pkt_build_icmp6_error(out, sizeof out, f.b, &m, mac_r, ip6_r, 1, 4, 0);
    assert_int_equal(n, (int)(14 + 48 + f.n - 14));
    assert_int_equal(pkt_parse(out, (size_t)n, &r), 0);
    assert_int_equal(r.flags, PKT_F_L4 | PKT_F_ICMP_ERR | PKT_F_INNER);
    assert_memory_equal(&r.inner, &m.flow, sizeof m.flow);
    assert_true(pkt_l4_csum_ok(out, &r));
    /* never about an error; to multicast only for packet too big */
    assert_int_equal(pkt_build_icmp6_error(out, sizeof out, out, &r, mac_r, ip6_r, 1, 0, 0),
                     -EPERM);
    assert_int_equal(pkt_build_icmp6_error(out, sizeof out, f.b, &m, mac_r, ip6_r, 5, 0, 0),
                     -EINVAL);
    static const uint8_t mcast[16] = {0xff, 0x05, [15] = 2};
    frame_ping6(&f, mcast, 8);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_build_icmp6_error(out, sizeof out, f.b, &m, mac_r, ip6_r, 1, 0, 0),
                     -EPERM);
    assert_int_equal(pkt_build_icmp6_ptb(out, sizeof out, f.b, &m, mac_r, ip6_r, 1280),
                     14 + 48 + 56);
    /* hand-built time exceeded quoting a truncated echo request: no identifier, no inner */
    frame_ping6(&f, ip6_b, 8);
    struct fb g;
    g.n = 0;
    eth(&g, mac_a, mac_r, 0x86dd);
    ip = ip6_begin(&g, 58, 64, ip6_r, ip6_a);
    l4 = g.n;
    put8(&g, 3);
    put8(&g, 0);
    put16(&g, 0);
    put32(&g, 0);
    putn(&g, f.b + 14, 40 + 5);
    l4_end(&g, 6, ip6_r, ip6_a, 58, l4, 2);
    ip6_end(&g, ip);
    assert_int_equal(pkt_parse(g.b, g.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_L4 | PKT_F_ICMP_ERR);
    struct fb h = g; /* a quote of 39 bytes: not even the IPv6 header */
    h.n = l4 + 8 + 39;
    ip6_end(&h, ip);
    assert_int_equal(parse_exact(h.b, h.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_L4 | PKT_F_ICMP_ERR);
    assert_int_equal(m.inner.family, 0);
    putn(&g, f.b + 14 + 45, 1); /* the identifier's last byte: now it relates */
    l4_end(&g, 6, ip6_r, ip6_a, 58, l4, 2);
    ip6_end(&g, ip);
    assert_int_equal(pkt_parse(g.b, g.n, &m), 0);
    assert_int_equal(m.flags, PKT_F_L4 | PKT_F_ICMP_ERR | PKT_F_INNER);
    assert_int_equal(m.inner.sport, 128);
    assert_int_equal(m.inner_icmp_id, 0x99);
    assert_true(pkt_l4_csum_ok(g.b, &m));
}

static void test_dec_ttl_and_mac(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m, again;
    frame_tcp4(&f);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_dec_ttl(f.b, &m, 0), 0);
    assert_int_equal(pkt_dec_ttl(f.b, &m, 3), 0);
    assert_int_equal(m.ttl, 61);
    assert_int_equal(f.b[22], 61);
    assert_int_equal(slow_csum(f.b + 14, 24), 0);
    assert_int_equal(pkt_dec_ttl(f.b, &m, 61), -ETIMEDOUT);
    assert_int_equal(f.b[22], 61);
    assert_int_equal(pkt_dec_ttl(f.b, &m, 60), 0);
    assert_int_equal(f.b[22], 1);
    assert_int_equal(pkt_dec_ttl(f.b, &m, 1), -ETIMEDOUT);
    assert_int_equal(slow_csum(f.b + 14, 24), 0);
    assert_true(pkt_l4_csum_ok(f.b, &m)); /* TTL is not in the pseudo-header */
    pkt_set_eth_dst(f.b, &m, mac_bc);
    pkt_set_eth_src(f.b, &m, mac_r);
    assert_int_equal(pkt_parse(f.b, f.n, &again), 0);
    assert_memory_equal(&again, &m, sizeof m);
    assert_int_equal(m.flags & (PKT_F_BCAST | PKT_F_MCAST), PKT_F_BCAST | PKT_F_MCAST);
    pkt_set_eth_dst(f.b, &m, mac_b);
    assert_int_equal(m.flags & (PKT_F_BCAST | PKT_F_MCAST), 0);
    assert_memory_equal(f.b, mac_b, 6);
    frame_tcp6_ext(&f);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_dec_ttl(f.b, &m, 2), 0);
    assert_int_equal(f.b[21], 62);
    frame_arp_request(&f, ip_a, ip_b);
    assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
    assert_int_equal(pkt_dec_ttl(f.b, &m, 1), -EINVAL);
    assert_int_equal(pkt_set_addr(f.b, &m, true, ip_b), -EINVAL);
    assert_int_equal(pkt_set_port(f.b, &m, true, 1), -EINVAL);
    assert_int_equal(pkt_set_icmp_echo_id(f.b, &m, 1), -EINVAL);
}

static void assert_fresh_csums_udp(const uint8_t *b, const struct pkt_meta *m)
{
    uint8_t seg[64];
    memcpy(seg, b + m->l4_off, m->l4_len);
    set16(seg + 6, 0);
    uint16_t want = slow_l4_csum(m->flow.family, m->flow.src, m->flow.dst, 17, seg, m->l4_len);
    assert_int_equal(want, 0); /* the full computation also gives 0, sent as 0xffff */
}

/* RFC 768: an update whose result is 0 must store 0xffff; IPv6 UDP needs a checksum. */
static void test_udp_zero_checksum(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m, again;
    for (int family = 4; family <= 6; family += 2) {
        f.n = 0;
        eth(&f, mac_r, mac_a, family == 4 ? 0x0800 : 0x86dd);
        size_t ip = family == 4 ? ip4_begin(&f, 0, 1, 0, 64, 17, ip_a, ip_b, NULL, 0)
                                : ip6_begin(&f, 17, 64, ip6_a, ip6_b);
        size_t l4 = udp_hdr(&f, 1000, 53, 11);
        l4_end(&f, family, family == 4 ? ip_a : ip6_a, family == 4 ? ip_b : ip6_b, 17, l4, 6);
        if (family == 4)
            ip4_end(&f, ip);
        else
            ip6_end(&f, ip);
        assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
        assert_true(pkt_l4_csum_ok(f.b, &m));
        /* the source port that makes the one's complement sum 0xffff: ~HC + ~p + p' = 0xffff */
        uint32_t hc = get16(f.b + l4 + 6), p = get16(f.b + l4);
        uint32_t s = ((uint16_t)~hc) + ((uint16_t)~p);
        s = (s & 0xffff) + (s >> 16);
        uint16_t port = (uint16_t)(0xffff - s);
        assert_int_equal(pkt_set_port(f.b, &m, false, port), 0);
        assert_int_equal(get16(f.b + l4), port);
        assert_int_equal(get16(f.b + l4 + 6), 0xffff);
        assert_true(pkt_l4_csum_ok(f.b, &m));
        assert_fresh_csums_udp(f.b, &m);
        assert_int_equal(pkt_parse(f.b, f.n, &again), 0);
        assert_memory_equal(&again, &m, sizeof m);
        /* 0: "no checksum" for IPv4, invalid for IPv6, and rewrites keep it 0 */
        set16(f.b + l4 + 6, 0);
        assert_int_equal(pkt_l4_csum_ok(f.b, &m), family == 4);
        assert_int_equal(pkt_set_port(f.b, &m, true, 5353), 0);
        assert_int_equal(pkt_set_addr(f.b, &m, false, family == 4 ? ip_r : ip6_r), 0);
        assert_int_equal(get16(f.b + l4 + 6), 0);
    }
}

/* A random packet with correct checksums: IPv4 or IPv6, TCP, UDP (sometimes without
 * checksum), ICMP echo, or an IPv4 later fragment. */
static void random_packet(struct fb *f, int *family, unsigned *proto, bool *later_frag)
{
    uint8_t src[16], dst[16];
    for (int i = 0; i < 16; i++) {
        src[i] = (uint8_t)rnd();
        dst[i] = (uint8_t)rnd();
    }
    *family = rnd() % 2 ? 4 : 6;
    unsigned pick = rnd() % 3;
    *proto = pick == 0 ? 6 : pick == 1 ? 17 : (*family == 4 ? 1 : 58);
    *later_frag = *family == 4 && rnd() % 10 == 0;
    size_t payload = rnd() % 200;
    f->n = 0;
    eth(f, mac_r, mac_a, *family == 4 ? 0x0800 : 0x86dd);
    size_t ip;
    if (*family == 4) {
        uint8_t opt[8] = {1, 1, 1, 1, 1, 1, 1, 0};
        size_t n_opt = rnd() % 3 * 4;
        ip = ip4_begin(f, rnd() & 0xff, rnd() & 0xffff, *later_frag ? 100 : 0x4000, 2 + rnd() % 254,
                       *proto, src, dst, opt, n_opt);
    } else {
        ip = ip6_begin(f, *proto, 2 + rnd() % 254, src, dst);
    }
    size_t l4 = f->n;
    if (*later_frag) {
        for (size_t i = 0; i < payload + 8; i++)
            put8(f, rnd());
        ip4_end(f, ip);
        return;
    }
    size_t at, hdr;
    if (*proto == 6) {
        unsigned doff = 5 + rnd() % 3;
        tcp_hdr(f, rnd() & 0xffff, rnd() & 0xffff, doff, rnd() & 0xff);
        putz(f, payload);
        at = 16;
        hdr = doff * 4;
    } else if (*proto == 17) {
        udp_hdr(f, rnd() & 0xffff, rnd() & 0xffff, payload);
        at = 6;
        hdr = 8;
    } else {
        icmp_echo(f, *proto == 1 ? 8 : 128, rnd() & 0xffff, rnd() & 0xffff, payload);
        at = 2;
        hdr = 8;
    }
    for (size_t i = l4 + hdr; i < f->n; i++)
        f->b[i] = (uint8_t)rnd();
    if (*proto == 17 && *family == 4 && rnd() % 4 == 0)
        set16(f->b + l4 + at, 0); /* no checksum */
    else
        l4_end(f, *family, src, dst, *proto, l4, at);
    if (*family == 4)
        ip4_end(f, ip);
    else
        ip6_end(f, ip);
}

/* The checksums of f as the slow implementation computes them from scratch. */
static void assert_fresh_csums(const uint8_t *b, size_t n, const struct pkt_meta *m, bool udp_zero)
{
    uint8_t tmp[4096];
    memcpy(tmp, b, n);
    if (m->flow.family == 4) {
        set16(tmp + 24, 0);
        assert_int_equal(get16(b + 24), slow_csum(tmp + 14, m->ip_hlen));
    }
    if (!(m->flags & PKT_F_L4))
        return;
    size_t at = m->flow.proto == 6 ? 16 : m->flow.proto == 17 ? 6 : 2;
    const uint8_t *c = b + m->l4_off + at;
    if (udp_zero) {
        assert_int_equal(get16(c), 0);
        return;
    }
    set16(tmp + m->l4_off + at, 0);
    uint16_t want = m->flow.proto == 1 ? slow_csum(tmp + m->l4_off, m->l4_len)
                                       : slow_l4_csum(m->flow.family, m->flow.src, m->flow.dst,
                                                      m->flow.proto, tmp + m->l4_off, m->l4_len);
    if (m->flow.proto == 17 && want == 0)
        want = 0xffff;
    assert_int_equal(get16(c), want);
}

static void test_incremental_random(void **state)
{
    (void)state;
    static struct fb f;
    unsigned counts[4] = {0};
    for (int round = 0; round < 30000; round++) {
        int family;
        unsigned proto;
        bool later;
        random_packet(&f, &family, &proto, &later);
        struct pkt_meta m, again;
        assert_int_equal(pkt_parse(f.b, f.n, &m), 0);
        bool udp_zero = proto == 17 && get16(f.b + m.l4_off + 6) == 0;
        if (!later)
            assert_true(pkt_l4_csum_ok(f.b, &m));
        uint8_t before_l4[4096];
        memcpy(before_l4, f.b + m.l4_off, m.l4_len);
        unsigned steps = 1 + rnd() % 4;
        for (unsigned s = 0; s < steps; s++) {
            unsigned op = rnd() % 4;
            uint8_t a[16];
            for (int i = 0; i < 16; i++)
                a[i] = (uint8_t)rnd();
            int rc;
            switch (op) {
            case 0:
                rc = pkt_set_addr(f.b, &m, rnd() % 2, a);
                assert_int_equal(rc, 0);
                break;
            case 1:
                rc = pkt_set_port(f.b, &m, rnd() % 2, (uint16_t)rnd());
                assert_int_equal(rc, (proto == 6 || proto == 17) && !later ? 0 : -EINVAL);
                break;
            case 2:
                rc = pkt_set_icmp_echo_id(f.b, &m, (uint16_t)rnd());
                assert_int_equal(rc, (proto == 1 || proto == 58) && !later ? 0 : -EINVAL);
                break;
            default: {
                uint8_t ttl = m.ttl;
                unsigned k = rnd() % 4;
                rc = pkt_dec_ttl(f.b, &m, k);
                assert_int_equal(rc, k == 0 || ttl > k ? 0 : -ETIMEDOUT);
                break;
            }
            }
            if (rc == 0)
                counts[op]++;
            assert_fresh_csums(f.b, f.n, &m, udp_zero);
            assert_int_equal(pkt_parse(f.b, f.n, &again), 0);
            assert_memory_equal(&again, &m, sizeof m);
            if (!later)
                assert_true(pkt_l4_csum_ok(f.b, &m));
            else
                assert_memory_equal(f.b + m.l4_off, before_l4, m.l4_len);
            if (family == 4)
                assert_true(pkt_ipv4_csum_ok(f.b, &m));
        }
    }
    for (int i = 0; i < 4; i++)
        assert_true(counts[i] > 1000);
}

/* Every valid frame the tests build. */
static size_t all_frames(struct fb *out, size_t max)
{
    size_t n = 0;
    static const uint8_t unspec[16] = {0};
    frame_arp_request(&out[n++], ip_a, ip_b);
    frame_tcp4(&out[n++]);
    frame_udp4(&out[n++], 13);
    frame_ping4(&out[n++], ip_r, 56);
    frame_tcp6_ext(&out[n++]);
    frame_ping6(&out[n++], ip6_r, 16);
    frame_ns(&out[n++], ip6_ll, ip6_r, 255);
    frame_ns(&out[n++], unspec, ip6_b, 255);
    /* and what the builders make of them */
    struct pkt_meta m;
    size_t base = n;
    for (size_t i = 0; i < base && n + 3 <= max; i++) {
        assert_int_equal(pkt_parse(out[i].b, out[i].n, &m), 0);
        int len;
        if ((len = pkt_build_arp_reply(out[n].b, sizeof out[n].b, &m, mac_r)) > 0)
            out[n++].n = (size_t)len;
        if ((len = pkt_build_icmp4_frag_needed(out[n].b, sizeof out[n].b, out[i].b, &m, mac_r, ip_r,
                                               1400)) > 0)
            out[n++].n = (size_t)len;
        if ((len = pkt_build_icmp6_ptb(out[n].b, sizeof out[n].b, out[i].b, &m, mac_r, ip6_r,
                                       1400)) > 0)
            out[n++].n = (size_t)len;
        if (n < max &&
            (len = pkt_build_icmp6_na(out[n].b, sizeof out[n].b, out[i].b, &m, mac_r, false)) > 0)
            out[n++].n = (size_t)len;
    }
    return n;
}

static bool truncation_reason(uint8_t e)
{
    return e == PKT_ERR_SHORT_ETH || e == PKT_ERR_SHORT_ARP || e == PKT_ERR_SHORT_IP ||
           e == PKT_ERR_TRUNCATED;
}

static void test_every_prefix(void **state)
{
    (void)state;
    static struct fb frames[40];
    size_t n = all_frames(frames, 40);
    assert_true(n >= 16);
    size_t n_ok = 0, n_trunc = 0;
    for (size_t i = 0; i < n; i++) {
        struct pkt_meta full, m;
        assert_int_equal(parse_exact(frames[i].b, frames[i].n, &full), 0);
        size_t need = full.kind == PKT_ARP ? 42 : 14u + full.l3_len;
        for (size_t len = 0; len < frames[i].n; len++) {
            int rc = parse_exact(frames[i].b, len, &m);
            if (len >= need) {
                /* only Ethernet padding is missing: the same packet */
                assert_int_equal(rc, 0);
                assert_memory_equal(&m, &full, sizeof m);
                n_ok++;
            } else {
                assert_int_equal(rc, -EBADMSG);
                assert_true(truncation_reason(m.error));
                n_trunc++;
            }
        }
    }
    assert_true(n_trunc > 1000);
    assert_true(n_ok >= 18); /* the ARP request's padding */
}

/* Single-byte corruptions of valid frames: parse must not crash or read outside (ASan), and
 * a successful parse must describe offsets inside the frame. */
static void test_corruptions(void **state)
{
    (void)state;
    static struct fb frames[40];
    size_t n = all_frames(frames, 40);
    for (size_t i = 0; i < n; i++) {
        for (size_t at = 0; at < frames[i].n; at++) {
            for (int v = 0; v < 6; v++) {
                struct fb g = frames[i];
                static const uint8_t vals[6] = {0x00, 0xff, 0x01, 0x80, 0x45, 0x3c};
                g.b[at] = (uint8_t)(v < 6 ? vals[v] : rnd());
                struct pkt_meta m;
                if (parse_exact(g.b, g.n, &m) == 0 && (m.kind == PKT_IPV4 || m.kind == PKT_IPV6)) {
                    assert_true(m.l3_off + (size_t)m.l3_len <= g.n);
                    assert_true(m.l4_off + (size_t)m.l4_len == m.l3_off + (size_t)m.l3_len);
                    if (m.flags & PKT_F_L4)
                        assert_true(m.l4_len >= 8);
                }
            }
        }
    }
}

/* A transit gateway's MSS clamp: only a larger MSS option is lowered, the checksum follows,
 * segments without the option or with malformed options are left alone. */
static void test_clamp_tcp_mss(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m;
    frame_tcp4(&f); /* SYN with MSS 8961 as its first option */
    assert_int_equal(parse_exact(f.b, f.n, &m), 0);
    uint8_t *mss = f.b + m.l4_off + 22;
    assert_int_equal(get16(mss), 8961);
    assert_int_equal(pkt_clamp_tcp_mss(f.b, &m, 9000), 0);
    assert_int_equal(get16(mss), 8961);
    assert_int_equal(pkt_clamp_tcp_mss(f.b, &m, 8961), 0);
    assert_int_equal(pkt_clamp_tcp_mss(f.b, &m, 8460), 1);
    assert_int_equal(get16(mss), 8460);
    assert_true(pkt_l4_csum_ok(f.b, &m));
    assert_int_equal(pkt_clamp_tcp_mss(f.b, &m, 8460), 0);

    /* Behind NOPs: the option is found after them. */
    frame_tcp4(&f);
    assert_int_equal(parse_exact(f.b, f.n, &m), 0);
    uint8_t *opt = f.b + m.l4_off + 20;
    uint8_t moved[4] = {opt[0], opt[1], opt[2], opt[3]};
    memcpy(opt, (const uint8_t[]){1, 1, 1, 1}, 4); /* options: 4 NOPs, then nothing */
    assert_int_equal(pkt_clamp_tcp_mss(f.b, &m, 1000), 0);
    memcpy(opt, moved, 4);
    opt[0] = 2;
    opt[1] = 0; /* a length below 2 */
    assert_int_equal(pkt_clamp_tcp_mss(f.b, &m, 1000), -EINVAL);

    /* No options at all; not TCP. */
    frame_tcp6_ext(&f);
    assert_int_equal(parse_exact(f.b, f.n, &m), 0);
    assert_int_equal(pkt_clamp_tcp_mss(f.b, &m, 1000), 0);
    frame_udp4(&f, 10);
    assert_int_equal(parse_exact(f.b, f.n, &m), 0);
    assert_int_equal(pkt_clamp_tcp_mss(f.b, &m, 1000), -EINVAL);
}

/* The pseudo-header sum alone (not complemented): what a TAP with offloads leaves in the
 * checksum field of a frame whose checksum the receiver completes. */
static uint16_t pseudo_sum4(const uint8_t src[4], const uint8_t dst[4], unsigned proto,
                            unsigned len)
{
    uint8_t ph[12];
    memcpy(ph, src, 4);
    memcpy(ph + 4, dst, 4);
    ph[8] = 0;
    ph[9] = (uint8_t)proto;
    ph[10] = (uint8_t)(len >> 8);
    ph[11] = (uint8_t)len;
    return (uint16_t)~slow_csum(ph, sizeof ph);
}

/* With PKT_F_CSUM_PARTIAL the field tracks address changes (in the pseudo-header) and nothing
 * else: the receiver's sum over the segment covers ports and options. */
static void test_partial_checksum_rewrites(void **state)
{
    (void)state;
    struct fb f;
    struct pkt_meta m;
    frame_tcp4(&f);
    assert_int_equal(parse_exact(f.b, f.n, &m), 0);
    uint8_t *field = f.b + m.l4_off + 16;
    set16(field, pseudo_sum4(ip_a, ip_b, 6, m.l4_len));
    m.flags |= PKT_F_CSUM_PARTIAL;
    static const uint8_t nat_ip[4] = {198, 51, 100, 7};
    assert_int_equal(pkt_set_addr(f.b, &m, false, nat_ip), 0);
    assert_int_equal(get16(field), pseudo_sum4(nat_ip, ip_b, 6, m.l4_len));
    assert_true(pkt_ipv4_csum_ok(f.b, &m));
    assert_int_equal(pkt_set_addr(f.b, &m, true, ip_a), 0);
    assert_int_equal(get16(field), pseudo_sum4(nat_ip, ip_a, 6, m.l4_len));
    uint16_t before = get16(field);
    assert_int_equal(pkt_set_port(f.b, &m, false, 1024), 0);
    assert_int_equal(pkt_clamp_tcp_mss(f.b, &m, 1000), 1);
    assert_int_equal(get16(field), before);
    /* Completed as the receiving end does (the segment summed with the field in place), the
     * checksum is right for the rewritten packet. */
    set16(field, slow_csum(f.b + m.l4_off, m.l4_len));
    m.flags &= (uint16_t)~PKT_F_CSUM_PARTIAL;
    assert_true(pkt_l4_csum_ok(f.b, &m));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_error_names),
    cmocka_unit_test(test_csum_against_slow),
    cmocka_unit_test(test_pseudo_headers),
    cmocka_unit_test(test_csum_update_rfc1624),
    cmocka_unit_test(test_arp),
    cmocka_unit_test(test_tcp4),
    cmocka_unit_test(test_ip4_errors),
    cmocka_unit_test(test_fragments4),
    cmocka_unit_test(test_ping4_and_reply),
    cmocka_unit_test(test_builder_caps),
    cmocka_unit_test(test_icmp4_errors_built),
    cmocka_unit_test(test_icmp4_inner),
    cmocka_unit_test(test_ipv6_ext),
    cmocka_unit_test(test_ipv6_fragments),
    cmocka_unit_test(test_ns_na),
    cmocka_unit_test(test_ping6_and_reply),
    cmocka_unit_test(test_icmp6_errors),
    cmocka_unit_test(test_dec_ttl_and_mac),
    cmocka_unit_test(test_udp_zero_checksum),
    cmocka_unit_test(test_incremental_random),
    cmocka_unit_test(test_every_prefix),
    cmocka_unit_test(test_corruptions),
    cmocka_unit_test(test_clamp_tcp_mss),
    cmocka_unit_test(test_partial_checksum_rewrites),
};

UNIT_MAIN(tests)
