/* libFuzzer target for the packet parser, builders and rewrites. The input is one frame as a
 * TAP would deliver it (libFuzzer passes an exactly sized buffer, so ASan catches any read
 * past the end). A frame that parses is checked for consistent offsets, then rewritten in a
 * copy and answered by every builder into exactly sized buffers, each result parsed again:
 * rewrites must keep the meta equal to a fresh parse and valid checksums valid, builders must
 * stay within their buffer and produce frames that parse with valid checksums. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/lib/pkt.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(c)                                                                              \
    do {                                                                                           \
        if (!(c))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

/* Values for rewrites and buffer sizes, derived from the input so runs reproduce. */
static uint64_t fuzz_rng;

static uint32_t fuzz_rnd(void)
{
    fuzz_rng ^= fuzz_rng << 13;
    fuzz_rng ^= fuzz_rng >> 7;
    fuzz_rng ^= fuzz_rng << 17;
    return (uint32_t)(fuzz_rng >> 16);
}

static void check_meta(const struct pkt_meta *m, size_t len)
{
    FUZZ_CHECK(m->error == PKT_ERR_NONE);
    if (m->kind != PKT_IPV4 && m->kind != PKT_IPV6)
        return;
    FUZZ_CHECK((size_t)m->l3_off + m->l3_len <= len);
    FUZZ_CHECK((size_t)m->l4_off + m->l4_len == (size_t)m->l3_off + m->l3_len);
    FUZZ_CHECK(m->l4_off >= m->l3_off + m->ip_hlen);
    if (m->flags & PKT_F_L4)
        FUZZ_CHECK(m->l4_len >= 8 && !(m->flags & PKT_F_LATER_FRAG));
    if (m->flags & PKT_F_INNER)
        FUZZ_CHECK(m->flags & PKT_F_ICMP_ERR);
}

/* After a rewrite: the frame parses to exactly the updated meta, and checksums that verified
 * before still verify. */
static void check_rewrite(const uint8_t *frame, size_t len, const struct pkt_meta *m, bool ip_ok,
                          bool l4_ok)
{
    struct pkt_meta again;
    FUZZ_CHECK(pkt_parse(frame, len, &again) == 0);
    FUZZ_CHECK(memcmp(&again, m, sizeof again) == 0);
    if (ip_ok)
        FUZZ_CHECK(pkt_ipv4_csum_ok(frame, m));
    if (l4_ok)
        FUZZ_CHECK(pkt_l4_csum_ok(frame, m));
}

/* A built frame: within its buffer, parses, and its checksums verify. */
static void check_built(const uint8_t *out, int rc, size_t cap, enum pkt_kind kind)
{
    if (rc < 0) {
        FUZZ_CHECK(rc == -ENOSPC || rc == -EINVAL || rc == -EPERM || rc == -EBADMSG);
        return;
    }
    FUZZ_CHECK((size_t)rc <= cap);
    struct pkt_meta r;
    FUZZ_CHECK(pkt_parse(out, (size_t)rc, &r) == 0);
    FUZZ_CHECK(r.kind == kind);
    if (kind == PKT_IPV4)
        FUZZ_CHECK(pkt_ipv4_csum_ok(out, &r));
    if (kind != PKT_ARP)
        FUZZ_CHECK(pkt_l4_csum_ok(out, &r));
}

static size_t pick_cap(void)
{
    switch (fuzz_rnd() % 4) {
    case 0:
        return fuzz_rnd() % 128;
    case 1:
        return fuzz_rnd() % 1400;
    default:
        return PKT_FRAME_MAX;
    }
}

static void run_builders(const uint8_t *frame, const struct pkt_meta *m)
{
    static const uint8_t mac[6] = {0x02, 0x56, 0x50, 0x43, 0x00, 0x01};
    static const uint8_t ip4[4] = {10, 0, 0, 1};
    static const uint8_t ip6[16] = {0xfe, 0x80, [15] = 1};
    for (int b = 0; b < 7; b++) {
        size_t cap = pick_cap();
        uint8_t *out = malloc(cap ? cap : 1); /* exactly cap bytes: ASan sees overflows */
        if (!out)
            return;
        int rc;
        enum pkt_kind kind;
        switch (b) {
        case 0:
            rc = pkt_build_arp_reply(out, cap, m, mac);
            kind = PKT_ARP;
            break;
        case 1:
            rc = pkt_build_icmp4_echo_reply(out, cap, frame, m, mac);
            kind = PKT_IPV4;
            break;
        case 2:
            rc = pkt_build_icmp4_frag_needed(out, cap, frame, m, mac, ip4, (uint16_t)fuzz_rnd());
            kind = PKT_IPV4;
            break;
        case 3:
            rc = pkt_build_icmp4_error(out, cap, frame, m, mac, ip4, fuzz_rnd() % 2 ? 3 : 11,
                                       (uint8_t)(fuzz_rnd() % 17), 0);
            kind = PKT_IPV4;
            break;
        case 4:
            rc = pkt_build_icmp6_error(out, cap, frame, m, mac, ip6, (uint8_t)(1 + fuzz_rnd() % 4),
                                       (uint8_t)(fuzz_rnd() % 4), fuzz_rnd());
            kind = PKT_IPV6;
            break;
        case 5:
            rc = pkt_build_icmp6_echo_reply(out, cap, frame, m, mac);
            kind = PKT_IPV6;
            break;
        default:
            rc = pkt_build_icmp6_na(out, cap, frame, m, mac, fuzz_rnd() % 2);
            kind = PKT_IPV6;
            break;
        }
        check_built(out, rc, cap, kind);
        free(out);
    }
}

static void run_rewrites(uint8_t *frame, size_t len, struct pkt_meta *m)
{
    bool ip_ok = pkt_ipv4_csum_ok(frame, m), l4_ok = pkt_l4_csum_ok(frame, m);
    for (int step = 0; step < 6; step++) {
        uint8_t addr[16];
        for (int i = 0; i < 16; i++)
            addr[i] = (uint8_t)fuzz_rnd();
        addr[0] &= 0xfe; /* a unicast MAC when used as one */
        switch (fuzz_rnd() % 6) {
        case 0:
            pkt_set_eth_dst(frame, m, addr);
            break;
        case 1:
            pkt_set_eth_src(frame, m, addr);
            break;
        case 2: {
            int rc = pkt_dec_ttl(frame, m, fuzz_rnd() % 3);
            FUZZ_CHECK(rc == 0 || rc == -ETIMEDOUT || rc == -EINVAL);
            break;
        }
        case 3:
            FUZZ_CHECK(pkt_set_addr(frame, m, fuzz_rnd() % 2, addr) ==
                       (m->kind == PKT_IPV4 || m->kind == PKT_IPV6 ? 0 : -EINVAL));
            break;
        case 4: {
            int rc = pkt_set_port(frame, m, fuzz_rnd() % 2, (uint16_t)fuzz_rnd());
            FUZZ_CHECK(rc == 0 || rc == -EINVAL);
            break;
        }
        default: {
            int rc = pkt_set_icmp_echo_id(frame, m, (uint16_t)fuzz_rnd());
            FUZZ_CHECK(rc == ((m->flags & PKT_F_ICMP_ECHO) ? 0 : -EINVAL));
            break;
        }
        }
        check_rewrite(frame, len, m, ip_ok, l4_ok);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkt_meta m, again;
    int rc = pkt_parse(data, size, &m);
    if (rc != 0) {
        FUZZ_CHECK(m.error != PKT_ERR_NONE && m.error < PKT__ERR_COUNT);
        FUZZ_CHECK(rc == -EBADMSG || rc == -EPROTONOSUPPORT || rc == -EMSGSIZE);
        return 0;
    }
    check_meta(&m, size);
    FUZZ_CHECK(pkt_parse(data, size, &again) == 0 && memcmp(&m, &again, sizeof m) == 0);
    (void)pkt_nd_target(data, &m);

    fuzz_rng = 0x9e3779b97f4a7c15ull ^ size;
    for (size_t i = 0; i < size && i < 64; i++)
        fuzz_rng = fuzz_rng * 31 + data[i];
    if (!fuzz_rng)
        fuzz_rng = 1;

    run_builders(data, &m);
    uint8_t *copy = malloc(size);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    run_rewrites(copy, size, &m);
    free(copy);
    return 0;
}
