/* libFuzzer target for the DNS wire code and the VPC resolver. The input is one UDP payload as
 * an instance would send it. It is parsed (a parsed name must survive text and back), then
 * answered by dns_resolve over a tiny hand-built snapshot into an exactly sized buffer, so ASan
 * sees any write past it: a response must stay within the buffer, keep the query's id, and
 * parse back record by record to its last byte.
 *
 * The snapshot's lookups are linear scans defined here, so the fuzzer needs no model: the
 * resolver only calls fib_eni_by_addr and fib_eni_by_public. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/dns/resolver.c"
#include "../../src/lib/dns.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(c)                                                                              \
    do {                                                                                           \
        if (!(c))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

uint32_t fib_eni_by_addr(const struct fib_snapshot *s, uint32_t vpc, uint32_t addr)
{
    for (size_t i = 0; i < s->n_by_addr; i++)
        if (s->by_addr[i].key == vpc && s->by_addr[i].addr == addr)
            return s->by_addr[i].eni;
    return FIB_NONE;
}

uint32_t fib_eni_by_public(const struct fib_snapshot *s, uint32_t public_ip, uint32_t *private_ip)
{
    for (size_t i = 0; i < s->n_by_public; i++)
        if (s->by_public[i].key == public_ip) {
            if (private_ip)
                *private_ip = s->by_public[i].addr;
            return s->by_public[i].eni;
        }
    return FIB_NONE;
}

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* VPC 0 us-east-1 and VPC 1 eu-west-1 with names on, VPC 2 us-east-1 with names off; one ENI
 * in each (the first with an IPv6 address and an EIP), VPCs 0 and 1 peered. */
static struct fib_vpc vpcs[3];
static uint32_t ips[3] = {IP(10, 0, 1, 10), IP(10, 1, 1, 10), IP(10, 2, 1, 10)};
static uint8_t ip6[1][16] = {{0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
static struct fib_eni enis[3];
static struct fib_pcx pcx;
static struct fib_addr by_addr[3];
static struct fib_addr by_public[1];
static struct fib_snapshot snap;

static void snap_init(void)
{
    const char *regions[3] = {"us-east-1", "eu-west-1", "us-east-1"};
    for (uint32_t i = 0; i < 3; i++) {
        snprintf(vpcs[i].region, sizeof vpcs[i].region, "%s", regions[i]);
        vpcs[i].dns_support = true;
        vpcs[i].dns_hostnames = i != 2;
        enis[i].vpc = i;
        enis[i].ips4 = &ips[i];
        enis[i].n_ips4 = 1;
        by_addr[i] = (struct fib_addr){.key = i, .addr = ips[i], .eni = i};
    }
    enis[0].ips6 = ip6;
    enis[0].n_ips6 = 1;
    by_public[0] = (struct fib_addr){
        .key = IP(203, 0, 113, 5), .addr = ips[0], .eni = 0, .public_ip = IP(203, 0, 113, 5)};
    by_addr[0].public_ip = by_public[0].key;
    pcx.active = true;
    pcx.vpc[0] = 0;
    pcx.vpc[1] = 1;
    snap.vpcs = vpcs;
    snap.n_vpcs = 3;
    snap.enis = enis;
    snap.n_enis = 3;
    snap.pcxs = &pcx;
    snap.n_pcxs = 1;
    snap.by_addr = by_addr;
    snap.n_by_addr = 3;
    snap.by_public = by_public;
    snap.n_by_public = 1;
}

/* A response as dns_resolve builds it: header, at most one question, answers, nothing else. */
static void check_response(const uint8_t *out, size_t len, const uint8_t *q,
                           const struct dns_query *dq, int parsed)
{
    struct dns_header h;
    FUZZ_CHECK(dns_parse_header(out, len, &h) == 0);
    FUZZ_CHECK(h.flags & DNS_FLAG_QR);
    FUZZ_CHECK(!(h.flags & DNS_FLAG_AA) && (h.flags & DNS_FLAG_RA));
    FUZZ_CHECK(h.id == (uint16_t)(q[0] << 8 | q[1]));
    FUZZ_CHECK(DNS_OPCODE(h.flags) == DNS_OPCODE(q[2] << 8));
    FUZZ_CHECK(h.qdcount <= 1 && h.nscount == 0 && h.arcount == 0);
    FUZZ_CHECK(h.ancount == 0 || (h.qdcount == 1 && DNS_RCODE(h.flags) == DNS_RCODE_NOERROR));
    size_t off = DNS_HEADER_SIZE;
    if (h.qdcount) {
        struct dns_question qq;
        FUZZ_CHECK(dns_read_question(out, len, &off, &qq) == 0);
        /* the question is echoed as it came, letters included, only uncompressed */
        FUZZ_CHECK(parsed == 0 && dq->has_question);
        FUZZ_CHECK(qq.name_len == dq->q.name_len && memcmp(qq.name, dq->q.name, qq.name_len) == 0);
        FUZZ_CHECK(qq.qtype == dq->q.qtype && qq.qclass == dq->q.qclass);
    }
    for (unsigned i = 0; i < h.ancount; i++) {
        struct dns_rr rr;
        FUZZ_CHECK(dns_read_rr(out, len, &off, &rr) == 0);
        FUZZ_CHECK(rr.ttl == DNS_RESOLVER_TTL && rr.rclass == DNS_CLASS_IN);
        if (rr.type == DNS_TYPE_PTR) {
            uint8_t t[DNS_NAME_MAX];
            size_t tl, at = rr.rdata_off;
            FUZZ_CHECK(dns_read_name(out, len, &at, t, &tl) == 0);
            FUZZ_CHECK(at == rr.rdata_off + rr.rdata_len);
        } else {
            FUZZ_CHECK(rr.type == DNS_TYPE_A || rr.type == DNS_TYPE_AAAA);
            FUZZ_CHECK(rr.rdata_len == (rr.type == DNS_TYPE_A ? 4 : 16));
        }
    }
    FUZZ_CHECK(off == len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        snap_init();
        ready = true;
    }
    struct dns_query q;
    int rc = dns_parse_query(data, size, &q);
    FUZZ_CHECK(rc == 0 || rc == -EBADMSG || (rc == -EMSGSIZE && size < DNS_HEADER_SIZE));
    if (rc != -EMSGSIZE && q.has_question) { /* q is untouched without a header */
        FUZZ_CHECK(q.q.name_len >= 1 && q.q.name_len <= DNS_NAME_MAX);
        FUZZ_CHECK(q.q.name[q.q.name_len - 1] == 0);
        char text[DNS_TEXT_MAX];
        if (dns_name_to_text(q.q.name, q.q.name_len, text, sizeof text) >= 0) {
            uint8_t again[DNS_NAME_MAX];
            int l = dns_name_from_text(text, again);
            FUZZ_CHECK(l == (int)q.q.name_len);
            FUZZ_CHECK(dns_name_equal(again, (size_t)l, q.q.name, q.q.name_len));
        }
    }

    /* Every instance asks (and an ENI the snapshot does not have); the peering's DNS options
     * and the buffer size come from the input. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    pcx.allow_dns[0] = h >> 2 & 1;
    pcx.allow_dns[1] = h >> 3 & 1;
    for (uint32_t from = 0; from < 4; from++) {
        size_t cap = (h >> (4 + from)) % 4 == 0 ? (h >> 12) % 64 : DNS_UDP_MAX;
        uint8_t *out = malloc(cap ? cap : 1); /* exactly cap bytes: ASan sees overflows */
        if (!out)
            return 0;
        int n = dns_resolve(&snap, from, data, size, out, cap);
        if (n >= 0) {
            FUZZ_CHECK((size_t)n <= cap && n >= DNS_HEADER_SIZE && from < 3);
            check_response(out, (size_t)n, data, &q, rc);
        } else {
            FUZZ_CHECK(n == -1);
        }
        free(out);
    }
    return 0;
}
