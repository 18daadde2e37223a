/* The DNS wire code on hand-built messages, and the VPC resolver's name policy on a small world
 * built through the model's own calls: which names resolve from where, to what, with which
 * rcode, byte for byte. */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns/resolver.h"
#include "fib/snapshot.h"
#include "lib/addr.h"
#include "lib/dns.h"
#include "model/resources.h"

/* ---- wire ---- */

/* id 0x1234, RD, one question "www.Example.com" A IN. */
static const uint8_t q_plain[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
                                  0x00, 3,    'w',  'w',  'w',  7,    'E',  'x',  'a',  'm',  'p',
                                  'l',  'e',  3,    'c',  'o',  'm',  0,    0x00, 0x01, 0x00, 0x01};

/* The same with an EDNS OPT record (payload 4096, DO set) and ARCOUNT 1. */
static const uint8_t q_edns[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
                                 0x01, 3,    'w',  'w',  'w',  7,    'E',  'x',  'a',  'm',  'p',
                                 'l',  'e',  3,    'c',  'o',  'm',  0,    0x00, 0x01, 0x00, 0x01,
                                 0x00, 0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00};

static void wire_parse_query(void **state)
{
    (void)state;
    struct dns_query q;
    assert_int_equal(dns_parse_query(q_plain, sizeof q_plain, &q), 0);
    assert_int_equal(q.hdr.id, 0x1234);
    assert_int_equal(q.hdr.flags, DNS_FLAG_RD);
    assert_int_equal(q.hdr.qdcount, 1);
    assert_true(q.has_question);
    assert_int_equal(q.q.name_len, 17);
    assert_memory_equal(q.q.name, q_plain + 12, 17);
    assert_int_equal(q.q.qtype, DNS_TYPE_A);
    assert_int_equal(q.q.qclass, DNS_CLASS_IN);
    assert_false(q.has_opt);

    assert_int_equal(dns_parse_query(q_edns, sizeof q_edns, &q), 0);
    assert_true(q.has_opt);
    assert_int_equal(q.opt_udp_size, 4096);
    assert_int_equal(q.hdr.arcount, 1);
    assert_int_equal(q.q.name_len, 17);

    /* Truncated anywhere after the header, or with bytes after the last record: malformed. */
    for (size_t n = 12; n < sizeof q_edns; n++)
        assert_int_equal(dns_parse_query(q_edns, n, &q), -EBADMSG);
    uint8_t longer[sizeof q_plain + 1];
    memcpy(longer, q_plain, sizeof q_plain);
    longer[sizeof q_plain] = 0;
    assert_int_equal(dns_parse_query(longer, sizeof longer, &q), -EBADMSG);
    assert_int_equal(q.hdr.id, 0x1234);
    assert_true(q.has_question);
    /* Fewer than 12 bytes: no header. */
    assert_int_equal(dns_parse_query(q_plain, 11, &q), -EMSGSIZE);
    /* A second OPT, or an OPT not owned by the root: malformed. */
    uint8_t two[sizeof q_edns + 11];
    memcpy(two, q_edns, sizeof q_edns);
    memcpy(two + sizeof q_edns, q_edns + 33, 11);
    two[11] = 2;
    assert_int_equal(dns_parse_query(two, sizeof two, &q), -EBADMSG);
}

static void wire_compression(void **state)
{
    (void)state;
    uint8_t name[DNS_NAME_MAX];
    size_t len, off;
    /* Header, then "c" at 12 and its type/class, "b" + pointer to 12 at 19, "a" + pointer to
     * 19 at 23: two hops give a.b.c. */
    uint8_t m[40] = {0};
    size_t p = 12;
    const uint8_t body[] = {1, 'c', 0, 0, 1, 0, 1, 1, 'b', 0xc0, 12, 1, 'a', 0xc0, 19};
    memcpy(m + p, body, sizeof body);
    size_t n = p + sizeof body;
    off = 23;
    assert_int_equal(dns_read_name(m, n, &off, name, &len), 0);
    const uint8_t abc[] = {1, 'a', 1, 'b', 1, 'c', 0};
    assert_int_equal(len, sizeof abc);
    assert_memory_equal(name, abc, sizeof abc);
    assert_int_equal(off, 27); /* past the first pointer, not past what it led to */

    /* A pointer to itself, into its own run of labels, or forward: all refused. */
    uint8_t self[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 12};
    off = 12;
    assert_int_equal(dns_read_name(self, sizeof self, &off, name, &len), -EBADMSG);
    uint8_t loop[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'a', 0xc0, 12};
    off = 12;
    assert_int_equal(dns_read_name(loop, sizeof loop, &off, name, &len), -EBADMSG);
    /* Two names pointing at each other: 12 -> 16 is forward, and 16 -> 12 -> 16 would loop. */
    uint8_t pair[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'a', 0xc0, 16, 1, 'b', 0xc0, 12};
    off = 12;
    assert_int_equal(dns_read_name(pair, sizeof pair, &off, name, &len), -EBADMSG);
    off = 16;
    assert_int_equal(dns_read_name(pair, sizeof pair, &off, name, &len), -EBADMSG);
    /* A pointer cut in half, a label running past the end, reserved label types. */
    uint8_t half[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 'a', 0xc0};
    off = 12;
    assert_int_equal(dns_read_name(half, sizeof half, &off, name, &len), -EBADMSG);
    uint8_t past[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 'a', 'b'};
    off = 12;
    assert_int_equal(dns_read_name(past, sizeof past, &off, name, &len), -EBADMSG);
    uint8_t ext[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x41, 0};
    off = 12;
    assert_int_equal(dns_read_name(ext, sizeof ext, &off, name, &len), -EBADMSG);
    /* Names of 255 bytes pass; 257 (four 63-byte labels + root) do not, even via pointers. */
    uint8_t big[12 + 4 * 64 + 1] = {0};
    for (int i = 0; i < 4; i++) {
        big[12 + i * 64] = 63;
        memset(big + 12 + i * 64 + 1, 'x', 63);
    }
    off = 12;
    assert_int_equal(dns_read_name(big, sizeof big, &off, name, &len), -EBADMSG);
    big[12 + 3 * 64] = 61;
    big[12 + 3 * 64 + 62] = 0;
    off = 12;
    assert_int_equal(dns_read_name(big, 12 + 3 * 64 + 63, &off, name, &len), 0);
    assert_int_equal(len, 255);
}

static void wire_text(void **state)
{
    (void)state;
    uint8_t a[DNS_NAME_MAX], b[DNS_NAME_MAX];
    int la = dns_name_from_text("ip-10-0-1-5.EC2.internal", a);
    int lb = dns_name_from_text("ip-10-0-1-5.ec2.internal.", b);
    assert_int_equal(la, 26);
    assert_int_equal(lb, 26);
    assert_true(dns_name_equal(a, (size_t)la, b, (size_t)lb));
    assert_false(memcmp(a, b, 26) == 0); /* equal ignoring case only */
    char text[DNS_TEXT_MAX];
    assert_int_equal(dns_name_to_text(a, (size_t)la, text, sizeof text), 24);
    assert_string_equal(text, "ip-10-0-1-5.ec2.internal");
    assert_int_equal(dns_name_to_text(a, (size_t)la, text, 24), -EINVAL);
    assert_int_equal(dns_name_from_text(".", a), 1);
    assert_int_equal(dns_name_from_text("a..b", a), -EINVAL);
    assert_int_equal(dns_name_from_text("a b", a), -EINVAL);
    char lab[70];
    memset(lab, 'x', 64);
    lab[64] = '\0';
    assert_int_equal(dns_name_from_text(lab, a), -EINVAL);
    lab[63] = '\0';
    assert_int_equal(dns_name_from_text(lab, a), 65);
}

static void wire_round_trip(void **state)
{
    (void)state;
    struct dns_query q;
    assert_int_equal(dns_parse_query(q_plain, sizeof q_plain, &q), 0);
    q.hdr.flags |= DNS_FLAG_CD;
    struct dns_answer an[3] = {
        {.type = DNS_TYPE_A, .ttl = 60, .addr = {10, 0, 1, 5}},
        {.type = DNS_TYPE_AAAA, .ttl = 300, .addr = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x42}},
        {.type = DNS_TYPE_PTR, .ttl = 7, .ptr = "ip-10-0-1-5.ec2.internal"},
    };
    uint8_t out[DNS_UDP_MAX];
    int n = dns_build_response(out, sizeof out, &q.hdr, &q.q, DNS_RCODE_NOERROR, an, 3);
    /* header 12 + question 21 + A 16 + AAAA 28 + PTR 12+26 */
    assert_int_equal(n, 12 + 21 + 16 + 28 + 38);
    const uint8_t hdr[] = {0x12, 0x34, 0x81, 0x90, 0, 1, 0, 3, 0, 0, 0, 0};
    assert_memory_equal(out, hdr, 12);
    assert_memory_equal(out + 12, q_plain + 12, 21);
    const uint8_t a_rr[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 1, 5};
    assert_memory_equal(out + 33, a_rr, sizeof a_rr);
    /* Too small by one byte: refused, never truncated. */
    assert_int_equal(dns_build_response(out, (size_t)n - 1, &q.hdr, &q.q, 0, an, 3), -ENOSPC);
    assert_int_equal(dns_build_response(out, (size_t)n, &q.hdr, &q.q, 0, an, 3), n);

    /* Read it back. */
    struct dns_header h;
    assert_int_equal(dns_parse_header(out, (size_t)n, &h), 0);
    assert_int_equal(h.flags, DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA | DNS_FLAG_CD);
    size_t off = 12;
    struct dns_question qq;
    assert_int_equal(dns_read_question(out, (size_t)n, &off, &qq), 0);
    assert_memory_equal(qq.name, q.q.name, q.q.name_len);
    for (int i = 0; i < 3; i++) {
        struct dns_rr rr;
        assert_int_equal(dns_read_rr(out, (size_t)n, &off, &rr), 0);
        assert_true(dns_name_equal(rr.name, rr.name_len, q.q.name, q.q.name_len));
        assert_int_equal(rr.type, an[i].type);
        assert_int_equal(rr.rclass, DNS_CLASS_IN);
        assert_int_equal(rr.ttl, an[i].ttl);
        if (an[i].type == DNS_TYPE_PTR) {
            uint8_t target[DNS_NAME_MAX];
            size_t tl, at = rr.rdata_off;
            assert_int_equal(dns_read_name(out, (size_t)n, &at, target, &tl), 0);
            char text[DNS_TEXT_MAX];
            assert_int_equal(dns_name_to_text(target, tl, text, sizeof text), 24);
            assert_string_equal(text, an[i].ptr);
            assert_int_equal(at, rr.rdata_off + rr.rdata_len);
        } else {
            assert_int_equal(rr.rdata_len, an[i].type == DNS_TYPE_A ? 4 : 16);
            assert_memory_equal(out + rr.rdata_off, an[i].addr, rr.rdata_len);
        }
    }
    assert_int_equal(off, (size_t)n);

    /* Header-only answers (FORMERR, NOTIMP); answers need a question. */
    n = dns_build_response(out, sizeof out, &q.hdr, NULL, DNS_RCODE_FORMERR, NULL, 0);
    assert_int_equal(n, 12);
    const uint8_t fe[] = {0x12, 0x34, 0x81, 0x91, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(out, fe, 12);
    assert_int_equal(dns_build_response(out, sizeof out, &q.hdr, NULL, 0, an, 1), -EINVAL);
    struct dns_answer bad = {.type = DNS_TYPE_MX};
    assert_int_equal(dns_build_response(out, sizeof out, &q.hdr, &q.q, 0, &bad, 1), -EINVAL);
}

/* ---- resolver ---- */

struct world {
    struct model *m;
    struct scope *us, *eu;
    struct merr err;
    char va[ID_MAX], vb[ID_MAX], vc[ID_MAX], ve[ID_MAX];
    char a1[ID_MAX], a2[ID_MAX], b1[ID_MAX], c1[ID_MAX], e1[ID_MAX];
    char pcx[ID_MAX];
    uint32_t pub_a2, pub_b1, pub_c1; /* host order */
    uint8_t a1_ip6[16];
    struct fib_snapshot *s;
};

static struct vpc *mk_vpc(struct world *w, struct scope *sc, const char *cidr, bool ipv6,
                          bool hostnames, char id[ID_MAX])
{
    struct vpc_create_args a = {.cidr = cidr, .amazon_ipv6 = ipv6};
    struct vpc *v;
    assert_int_equal(vpc_create(w->m, sc, &a, &v, &w->err), 0);
    snprintf(id, ID_MAX, "%s", v->hdr.id);
    if (hostnames)
        assert_int_equal(vpc_set_attribute(w->m, sc, id, "enableDnsHostnames", true, &w->err), 0);
    struct igw *g;
    assert_int_equal(igw_create(w->m, sc, NULL, &g, &w->err), 0);
    assert_int_equal(igw_attach(w->m, sc, g->hdr.id, id, &w->err), 0);
    return v;
}

static void mk_instance(struct world *w, struct scope *sc, const char *subnet, const char *ip,
                        bool ipv6, char id[ID_MAX])
{
    struct inst_run_args a = {.image_id = "ami-12345678",
                              .subnet_id = subnet,
                              .private_ip = ip,
                              .min_count = 1,
                              .max_count = 1};
    if (ipv6)
        a.ipv6 = (struct eni_ipv6_request){.has_count = true, .count = 1};
    struct instance **out;
    size_t n_out;
    if (instance_run(w->m, sc, &a, &out, &n_out, &w->err) != 0)
        fail_msg("run %s: %s %s", ip, w->err.code, w->err.message);
    snprintf(id, ID_MAX, "%s", out[0]->hdr.id);
    free(out);
}

static const char *mk_subnet(struct world *w, struct scope *sc, const char *vpc, const char *cidr,
                             const char *cidr6)
{
    struct subnet_create_args a = {.vpc_id = vpc, .cidr = cidr, .ipv6_cidr = cidr6};
    struct subnet *sn;
    if (subnet_create(w->m, sc, &a, &sn, &w->err) != 0)
        fail_msg("subnet %s: %s %s", cidr, w->err.code, w->err.message);
    return sn->hdr.id;
}

static uint32_t mk_eip(struct world *w, struct scope *sc, const char *instance)
{
    struct eip *e;
    assert_int_equal(eip_allocate(w->m, sc, "vpc", NULL, &e, &w->err), 0);
    struct eip_assoc_args ea = {.allocation_id = e->hdr.id, .instance_id = instance};
    assert_int_equal(eip_associate(w->m, sc, &ea, &e, &w->err), 0);
    return e->public_ip;
}

static void rebuild(struct world *w)
{
    fib_snapshot_unref(w->s);
    w->s = fib_snapshot_build(w->m);
}

/* us-east-1: A 10.0/16 (IPv6, hostnames on) with a1 10.0.1.10 (+IPv6) and a2 10.0.1.11 (+EIP);
 * B 10.1/16 (hostnames on) with b1 10.1.1.10 (+EIP), peered with A; C 10.2/16 (hostnames off)
 * with c1 10.2.1.10 (+EIP). eu-west-1: E 10.3/16 (hostnames on) with e1 10.3.1.10. */
static void world_init(struct world *w)
{
    memset(w, 0, sizeof *w);
    w->m = model_new(NULL);
    w->us = model_scope(w->m, "000000000000", "us-east-1");
    w->eu = model_scope(w->m, "000000000000", "eu-west-1");
    struct vpc *va = mk_vpc(w, w->us, "10.0.0.0/16", true, true, w->va);
    struct prefix6 p6 = va->ipv6[0].cidr;
    p6.len = 64;
    char c6[PREFIX6_STRLEN];
    prefix6_format(&p6, c6);
    const char *sa = mk_subnet(w, w->us, w->va, "10.0.1.0/24", c6);
    mk_instance(w, w->us, sa, "10.0.1.10", true, w->a1);
    mk_instance(w, w->us, sa, "10.0.1.11", false, w->a2);
    w->pub_a2 = mk_eip(w, w->us, w->a2);
    mk_vpc(w, w->us, "10.1.0.0/16", false, true, w->vb);
    mk_instance(w, w->us, mk_subnet(w, w->us, w->vb, "10.1.1.0/24", NULL), "10.1.1.10", false,
                w->b1);
    w->pub_b1 = mk_eip(w, w->us, w->b1);
    mk_vpc(w, w->us, "10.2.0.0/16", false, false, w->vc);
    mk_instance(w, w->us, mk_subnet(w, w->us, w->vc, "10.2.1.0/24", NULL), "10.2.1.10", false,
                w->c1);
    w->pub_c1 = mk_eip(w, w->us, w->c1);
    mk_vpc(w, w->eu, "10.3.0.0/16", false, true, w->ve);
    mk_instance(w, w->eu, mk_subnet(w, w->eu, w->ve, "10.3.1.0/24", NULL), "10.3.1.10", false,
                w->e1);
    struct pcx *p;
    struct pcx_create_args ca = {.vpc_id = w->va, .peer_vpc_id = w->vb};
    assert_int_equal(pcx_create(w->m, w->us, &ca, &p, &w->err), 0);
    snprintf(w->pcx, ID_MAX, "%s", p->hdr.id);
    assert_int_equal(pcx_accept(w->m, w->us, w->pcx, &p, &w->err), 0);
    const struct instance *in = instance_find(w->m, w->us, w->a1);
    const struct eni *e = eni_find(w->m, w->us, in->eni_id);
    assert_non_null(e);
    assert_int_equal(e->n_ipv6_addrs, 1);
    memcpy(w->a1_ip6, e->ipv6_addrs[0], 16);
    rebuild(w);
}

static void world_destroy(struct world *w)
{
    fib_snapshot_unref(w->s);
    model_free(w->m);
}

struct reply {
    int len;
    uint8_t raw[DNS_UDP_MAX];
    struct dns_header h;
    struct dns_question q;
    size_t n_an;
    struct dns_rr an[4];
    char ptr[4][DNS_TEXT_MAX];
};

/* Builds a query (id 0xbeef, RD) for name/type from instance `from`, answers it, and reads
 * the reply back. */
static void ask(struct world *w, const char *from, const char *name, uint16_t type, struct reply *r)
{
    uint8_t q[DNS_UDP_MAX] = {0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    int nl = dns_name_from_text(name, q + 12);
    assert_true(nl > 0);
    size_t n = 12 + (size_t)nl;
    q[n++] = (uint8_t)(type >> 8);
    q[n++] = (uint8_t)type;
    q[n++] = 0;
    q[n++] = DNS_CLASS_IN;
    uint32_t eni = fib_find(w->s, FIB_OBJ_INSTANCE, from);
    assert_int_not_equal(eni, FIB_NONE);
    memset(r, 0, sizeof *r);
    r->len = dns_resolve(w->s, eni, q, n, r->raw, sizeof r->raw);
    if (r->len < 0)
        return;
    assert_int_equal(dns_parse_header(r->raw, (size_t)r->len, &r->h), 0);
    assert_int_equal(r->h.id, 0xbeef);
    assert_int_equal(r->h.flags & ~0xfu, DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA);
    assert_int_equal(r->h.qdcount, 1);
    size_t off = 12;
    assert_int_equal(dns_read_question(r->raw, (size_t)r->len, &off, &r->q), 0);
    assert_memory_equal(r->raw + 12, q + 12, n - 12); /* echoed byte for byte */
    r->n_an = r->h.ancount;
    assert_true(r->n_an <= 4);
    for (size_t i = 0; i < r->n_an; i++) {
        assert_int_equal(dns_read_rr(r->raw, (size_t)r->len, &off, &r->an[i]), 0);
        assert_memory_equal(r->an[i].name, r->q.name, r->q.name_len);
        assert_int_equal(r->an[i].ttl, DNS_RESOLVER_TTL);
        if (r->an[i].type == DNS_TYPE_PTR) {
            uint8_t t[DNS_NAME_MAX];
            size_t tl, at = r->an[i].rdata_off;
            assert_int_equal(dns_read_name(r->raw, (size_t)r->len, &at, t, &tl), 0);
            assert_true(dns_name_to_text(t, tl, r->ptr[i], DNS_TEXT_MAX) > 0);
        }
    }
    assert_int_equal(off, (size_t)r->len);
}

/* The reply is NOERROR with exactly one A record holding ip (host order). */
static void expect_a(const struct reply *r, uint32_t ip)
{
    assert_true(r->len > 0);
    assert_int_equal(DNS_RCODE(r->h.flags), DNS_RCODE_NOERROR);
    assert_int_equal(r->n_an, 1);
    assert_int_equal(r->an[0].type, DNS_TYPE_A);
    assert_int_equal(r->an[0].rdata_len, 4);
    uint32_t be = htonl(ip);
    assert_memory_equal(r->raw + r->an[0].rdata_off, &be, 4);
}

static void expect_rcode(const struct reply *r, enum dns_rcode rc, size_t n_an)
{
    assert_true(r->len > 0);
    assert_int_equal(DNS_RCODE(r->h.flags), rc);
    assert_int_equal(r->n_an, n_an);
}

static uint32_t ip4(const char *s)
{
    uint32_t v;
    assert_int_equal(ip4_parse(s, &v), 0);
    return v;
}

static void resolve_own_private(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    struct reply r;
    ask(&w, w.a1, "ip-10-0-1-11.ec2.internal", DNS_TYPE_A, &r);
    expect_a(&r, ip4("10.0.1.11"));
    assert_int_equal(r.len, 12 + 31 + 16);
    ask(&w, w.a1, "ip-10-0-1-10.ec2.internal.", DNS_TYPE_A, &r);
    expect_a(&r, ip4("10.0.1.10"));
    /* us-east-1 has only the ec2.internal form. */
    ask(&w, w.a1, "ip-10-0-1-11.us-east-1.compute.internal", DNS_TYPE_A, &r);
    expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
    /* eu-west-1: the region form only. */
    ask(&w, w.e1, "ip-10-3-1-10.eu-west-1.compute.internal", DNS_TYPE_A, &r);
    expect_a(&r, ip4("10.3.1.10"));
    ask(&w, w.e1, "ip-10-3-1-10.ec2.internal", DNS_TYPE_A, &r);
    expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
    ask(&w, w.e1, "ip-10-3-1-10.us-west-2.compute.internal", DNS_TYPE_A, &r);
    expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
    /* Another region's VPC is not the querier's: no answer from us-east-1. */
    ask(&w, w.a1, "ip-10-3-1-10.eu-west-1.compute.internal", DNS_TYPE_A, &r);
    expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
    world_destroy(&w);
}

static void resolve_flags(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    struct reply r;
    /* C has DNS support but not hostnames: its own names do not exist. */
    ask(&w, w.c1, "ip-10-2-1-10.ec2.internal", DNS_TYPE_A, &r);
    expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
    assert_int_equal(vpc_set_attribute(w.m, w.us, w.vc, "enableDnsHostnames", true, &w.err), 0);
    rebuild(&w);
    ask(&w, w.c1, "ip-10-2-1-10.ec2.internal", DNS_TYPE_A, &r);
    expect_a(&r, ip4("10.2.1.10"));
    /* Without DNS support the resolver does not answer at all. */
    assert_int_equal(vpc_set_attribute(w.m, w.us, w.vc, "enableDnsHostnames", false, &w.err), 0);
    assert_int_equal(vpc_set_attribute(w.m, w.us, w.vc, "enableDnsSupport", false, &w.err), 0);
    rebuild(&w);
    ask(&w, w.c1, "ip-10-2-1-10.ec2.internal", DNS_TYPE_A, &r);
    assert_int_equal(r.len, -1);
    ask(&w, w.c1, "www.example.com", DNS_TYPE_A, &r);
    assert_int_equal(r.len, -1);
    /* A's hostnames off: its names vanish for itself too. */
    assert_int_equal(vpc_set_attribute(w.m, w.us, w.va, "enableDnsHostnames", false, &w.err), 0);
    rebuild(&w);
    ask(&w, w.a1, "ip-10-0-1-11.ec2.internal", DNS_TYPE_A, &r);
    expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
    world_destroy(&w);
}

static void resolve_peer(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    struct reply r;
    ask(&w, w.a1, "ip-10-1-1-10.ec2.internal", DNS_TYPE_A, &r);
    expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
    /* The requester's (A's) own side lets B resolve A's names, not the other way round. */
    bool on = true;
    struct pcx *p;
    assert_int_equal(pcx_modify_options(w.m, w.us, w.pcx, &on, NULL, &p, &w.err), 0);
    rebuild(&w);
    ask(&w, w.a1, "ip-10-1-1-10.ec2.internal", DNS_TYPE_A, &r);
    expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
    ask(&w, w.b1, "ip-10-0-1-11.ec2.internal", DNS_TYPE_A, &r);
    expect_a(&r, ip4("10.0.1.11"));
    /* The accepter's (B's) side: now A resolves B's names. */
    assert_int_equal(pcx_modify_options(w.m, w.us, w.pcx, NULL, &on, &p, &w.err), 0);
    rebuild(&w);
    ask(&w, w.a1, "ip-10-1-1-10.ec2.internal", DNS_TYPE_A, &r);
    expect_a(&r, ip4("10.1.1.10"));
    /* C is not peered with anyone. */
    ask(&w, w.c1, "ip-10-1-1-10.ec2.internal", DNS_TYPE_A, &r);
    expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
    /* A deleted peering shares nothing. */
    assert_int_equal(pcx_delete(w.m, w.us, w.pcx, &w.err), 0);
    rebuild(&w);
    ask(&w, w.a1, "ip-10-1-1-10.ec2.internal", DNS_TYPE_A, &r);
    expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
    world_destroy(&w);
}

static void resolve_public(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    struct reply r;
    char name[DNS_TEXT_MAX];
    dns_public_name("us-east-1", w.pub_a2, name, sizeof name);
    /* Inside its VPC: the private address. */
    ask(&w, w.a1, name, DNS_TYPE_A, &r);
    expect_a(&r, ip4("10.0.1.11"));
    /* From B (peered, A's side not allowing), from C, from another region: the public one. */
    ask(&w, w.b1, name, DNS_TYPE_A, &r);
    expect_a(&r, w.pub_a2);
    ask(&w, w.c1, name, DNS_TYPE_A, &r);
    expect_a(&r, w.pub_a2);
    ask(&w, w.e1, name, DNS_TYPE_A, &r);
    expect_a(&r, w.pub_a2);
    /* A's side allows DNS resolution from B: B gets the private address. */
    bool on = true;
    struct pcx *p;
    assert_int_equal(pcx_modify_options(w.m, w.us, w.pcx, &on, NULL, &p, &w.err), 0);
    rebuild(&w);
    ask(&w, w.b1, name, DNS_TYPE_A, &r);
    expect_a(&r, ip4("10.0.1.11"));
    /* B's own public name from A: B's side does not allow, so the public address. */
    dns_public_name("us-east-1", w.pub_b1, name, sizeof name);
    ask(&w, w.a1, name, DNS_TYPE_A, &r);
    expect_a(&r, w.pub_b1);
    /* The us-east-1 public form only; a region form of the same address does not exist. */
    dns_public_name("eu-west-1", w.pub_a2, name, sizeof name);
    ask(&w, w.a1, name, DNS_TYPE_A, &r);
    expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
    /* C's hostnames are off: its EIP has no public name. */
    dns_public_name("us-east-1", w.pub_c1, name, sizeof name);
    ask(&w, w.a1, name, DNS_TYPE_A, &r);
    expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
    /* A public-looking name for an address nobody holds. */
    ask(&w, w.a1, "ec2-198-51-100-1.compute-1.amazonaws.com", DNS_TYPE_A, &r);
    expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
    world_destroy(&w);
}

static void resolve_types(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    struct reply r;
    ask(&w, w.a2, "ip-10-0-1-10.ec2.internal", DNS_TYPE_AAAA, &r);
    expect_rcode(&r, DNS_RCODE_NOERROR, 1);
    assert_int_equal(r.an[0].type, DNS_TYPE_AAAA);
    assert_int_equal(r.an[0].rdata_len, 16);
    assert_memory_equal(r.raw + r.an[0].rdata_off, w.a1_ip6, 16);
    /* No IPv6 address: NODATA, never NXDOMAIN. */
    ask(&w, w.a1, "ip-10-0-1-11.ec2.internal", DNS_TYPE_AAAA, &r);
    expect_rcode(&r, DNS_RCODE_NOERROR, 0);
    ask(&w, w.a1, "ip-10-0-1-11.ec2.internal", DNS_TYPE_MX, &r);
    expect_rcode(&r, DNS_RCODE_NOERROR, 0);
    ask(&w, w.a1, "ip-10-0-1-11.ec2.internal", DNS_TYPE_TXT, &r);
    expect_rcode(&r, DNS_RCODE_NOERROR, 0);
    /* ANY: the A and the AAAA. */
    ask(&w, w.a1, "ip-10-0-1-10.ec2.internal", DNS_TYPE_ANY, &r);
    expect_rcode(&r, DNS_RCODE_NOERROR, 2);
    assert_int_equal(r.an[0].type, DNS_TYPE_A);
    assert_int_equal(r.an[1].type, DNS_TYPE_AAAA);
    /* Unknown names, whatever the type. */
    const char *unknown[] = {"www.example.com",
                             "ip-10-0-1-99.ec2.internal",
                             "ip-010-0-1-11.ec2.internal",
                             "ip-10-0-1-11.ec2.internal.example.com",
                             "ip-10-0-1-256.ec2.internal",
                             "ec2.internal",
                             "internal",
                             "."};
    for (size_t i = 0; i < sizeof unknown / sizeof *unknown; i++) {
        ask(&w, w.a1, unknown[i], DNS_TYPE_A, &r);
        expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
        ask(&w, w.a1, unknown[i], DNS_TYPE_MX, &r);
        expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
    }
    world_destroy(&w);
}

static void resolve_ptr(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    struct reply r;
    ask(&w, w.a1, "11.1.0.10.in-addr.arpa", DNS_TYPE_PTR, &r);
    expect_rcode(&r, DNS_RCODE_NOERROR, 1);
    assert_int_equal(r.an[0].type, DNS_TYPE_PTR);
    assert_string_equal(r.ptr[0], "ip-10-0-1-11.ec2.internal");
    ask(&w, w.e1, "10.1.3.10.in-addr.arpa", DNS_TYPE_PTR, &r);
    expect_rcode(&r, DNS_RCODE_NOERROR, 1);
    assert_string_equal(r.ptr[0], "ip-10-3-1-10.eu-west-1.compute.internal");
    /* A public address: its public name, from anywhere. */
    char name[64], want[DNS_TEXT_MAX];
    uint32_t p = w.pub_a2;
    snprintf(name, sizeof name, "%u.%u.%u.%u.in-addr.arpa", p & 0xff, p >> 8 & 0xff, p >> 16 & 0xff,
             p >> 24);
    dns_public_name("us-east-1", p, want, sizeof want);
    ask(&w, w.e1, name, DNS_TYPE_PTR, &r);
    expect_rcode(&r, DNS_RCODE_NOERROR, 1);
    assert_string_equal(r.ptr[0], want);
    /* Other types of a reverse name that exists: NODATA. */
    ask(&w, w.e1, name, DNS_TYPE_A, &r);
    expect_rcode(&r, DNS_RCODE_NOERROR, 0);
    /* B's address from A without the peer allowing it, unknown addresses, malformed reverse
     * names and ip6.arpa: NXDOMAIN. */
    const char *none[] = {"10.1.1.10.in-addr.arpa",  "99.1.0.10.in-addr.arpa",
                          "1.0.10.in-addr.arpa",     "11.1.0.10.0.in-addr.arpa",
                          "011.1.0.10.in-addr.arpa", "in-addr.arpa",
                          "a.0.1.0.0.2.ip6.arpa"};
    for (size_t i = 0; i < sizeof none / sizeof *none; i++) {
        ask(&w, w.a1, none[i], DNS_TYPE_PTR, &r);
        expect_rcode(&r, DNS_RCODE_NXDOMAIN, 0);
    }
    /* With B's side allowing, B's address has a name from A. */
    bool on = true;
    struct pcx *px;
    assert_int_equal(pcx_modify_options(w.m, w.us, w.pcx, NULL, &on, &px, &w.err), 0);
    rebuild(&w);
    ask(&w, w.a1, "10.1.1.10.in-addr.arpa", DNS_TYPE_PTR, &r);
    expect_rcode(&r, DNS_RCODE_NOERROR, 1);
    assert_string_equal(r.ptr[0], "ip-10-1-1-10.ec2.internal");
    world_destroy(&w);
}

static void resolve_case(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    struct reply r;
    /* ask() checks that the question, in its letters, is echoed and the answer points at it. */
    ask(&w, w.a1, "IP-10-0-1-11.EC2.Internal.", DNS_TYPE_A, &r);
    expect_a(&r, ip4("10.0.1.11"));
    assert_int_equal(r.raw[13], 'I');
    ask(&w, w.e1, "Ip-10-3-1-10.EU-WEST-1.Compute.INTERNAL", DNS_TYPE_A, &r);
    expect_a(&r, ip4("10.3.1.10"));
    char name[DNS_TEXT_MAX];
    dns_public_name("us-east-1", w.pub_a2, name, sizeof name);
    for (char *c = name; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 32);
    ask(&w, w.e1, name, DNS_TYPE_A, &r);
    expect_a(&r, w.pub_a2);
    ask(&w, w.a1, "11.1.0.10.IN-ADDR.ARPA", DNS_TYPE_PTR, &r);
    expect_rcode(&r, DNS_RCODE_NOERROR, 1);
    world_destroy(&w);
}

/* Raw queries for the rcodes: one from a1, answered into out. */
static int raw(struct world *w, const uint8_t *q, size_t n, uint8_t *out, size_t cap)
{
    return dns_resolve(w->s, fib_find(w->s, FIB_OBJ_INSTANCE, w->a1), q, n, out, cap);
}

static void resolve_rcodes(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    uint8_t q[64], out[DNS_UDP_MAX];
    memcpy(q, q_plain, sizeof q_plain);
    /* www.Example.com: NXDOMAIN, question echoed. */
    int n = raw(&w, q, sizeof q_plain, out, sizeof out);
    assert_int_equal(n, 33);
    const uint8_t nx[] = {0x12, 0x34, 0x81, 0x83, 0, 1, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(out, nx, 12);
    assert_memory_equal(out + 12, q_plain + 12, 21);
    /* With EDNS: the same answer (the OPT record is read and ignored). */
    n = raw(&w, q_edns, sizeof q_edns, out, sizeof out);
    assert_int_equal(n, 33);
    assert_memory_equal(out, nx, 12);
    /* Opcode STATUS (2): NOTIMP, header only, opcode kept. */
    q[2] = 0x11;
    n = raw(&w, q, sizeof q_plain, out, sizeof out);
    assert_int_equal(n, 12);
    const uint8_t ni[] = {0x12, 0x34, 0x91, 0x84, 0, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(out, ni, 12);
    q[2] = 0x01;
    /* QDCOUNT 0 and 2: FORMERR. */
    const uint8_t fe[] = {0x12, 0x34, 0x81, 0x81, 0, 0, 0, 0, 0, 0, 0, 0};
    uint8_t empty[12];
    memcpy(empty, q_plain, 12);
    empty[5] = 0;
    n = raw(&w, empty, 12, out, sizeof out);
    assert_int_equal(n, 12);
    assert_memory_equal(out, fe, 12);
    uint8_t twice[12 + 2 * 21];
    memcpy(twice, q_plain, sizeof q_plain);
    memcpy(twice + sizeof q_plain, q_plain + 12, 21);
    twice[5] = 2;
    n = raw(&w, twice, sizeof twice, out, sizeof out);
    assert_int_equal(n, 12);
    assert_memory_equal(out, fe, 12);
    /* A truncated question and trailing garbage: FORMERR. */
    for (size_t len = 12; len < sizeof q_plain; len++) {
        n = raw(&w, q_plain, len, out, sizeof out);
        assert_int_equal(n, 12);
        assert_memory_equal(out, fe, 12);
    }
    q[sizeof q_plain] = 0xff;
    n = raw(&w, q, sizeof q_plain + 1, out, sizeof out);
    assert_int_equal(n, 12);
    assert_memory_equal(out, fe, 12);
    /* Class CH: REFUSED with the question. */
    q[sizeof q_plain - 1] = 3;
    n = raw(&w, q, sizeof q_plain, out, sizeof out);
    assert_int_equal(n, 33);
    const uint8_t rf[] = {0x12, 0x34, 0x81, 0x85, 0, 1, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(out, rf, 12);
    q[sizeof q_plain - 1] = 1;
    /* Not answered: fewer than 12 bytes, a response (QR set), an unknown ENI, no room. */
    assert_int_equal(raw(&w, q_plain, 11, out, sizeof out), -1);
    q[2] = 0x81;
    assert_int_equal(raw(&w, q, sizeof q_plain, out, sizeof out), -1);
    q[2] = 0x01;
    assert_int_equal(dns_resolve(w.s, (uint32_t)w.s->n_enis, q, sizeof q_plain, out, sizeof out),
                     -1);
    assert_int_equal(raw(&w, q, sizeof q_plain, out, 32), -1);
    assert_int_equal(raw(&w, q, sizeof q_plain, out, 33), 33);
    world_destroy(&w);
}

/* The resolver's names are the ones DescribeInstances shows. */
static void names_match_model(void **state)
{
    (void)state;
    struct world w;
    world_init(&w);
    const char *regions[] = {"us-east-1", "eu-west-1", "ap-southeast-2"};
    uint32_t ips[] = {ip4("10.0.1.11"), ip4("0.0.0.0"), ip4("255.255.255.255")};
    for (size_t i = 0; i < 3; i++) {
        struct scope *sc = model_scope(w.m, "000000000000", regions[i]);
        for (size_t k = 0; k < 3; k++) {
            char a[96], b[96];
            instance_private_dns(sc, ips[k], a);
            dns_private_name(regions[i], ips[k], b, sizeof b);
            assert_string_equal(a, b);
        }
    }
    char buf[96];
    dns_public_name("eu-west-1", ip4("203.0.113.7"), buf, sizeof buf);
    assert_string_equal(buf, "ec2-203-0-113-7.eu-west-1.compute.amazonaws.com");
    dns_public_name("us-east-1", ip4("203.0.113.7"), buf, sizeof buf);
    assert_string_equal(buf, "ec2-203-0-113-7.compute-1.amazonaws.com");
    dns_private_name("us-east-1", ip4("10.0.1.5"), buf, sizeof buf);
    assert_string_equal(buf, "ip-10-0-1-5.ec2.internal");
    world_destroy(&w);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(wire_parse_query),    cmocka_unit_test(wire_compression),
    cmocka_unit_test(wire_text),           cmocka_unit_test(wire_round_trip),
    cmocka_unit_test(resolve_own_private), cmocka_unit_test(resolve_flags),
    cmocka_unit_test(resolve_peer),        cmocka_unit_test(resolve_public),
    cmocka_unit_test(resolve_types),       cmocka_unit_test(resolve_ptr),
    cmocka_unit_test(resolve_case),        cmocka_unit_test(resolve_rcodes),
    cmocka_unit_test(names_match_model),
};

UNIT_MAIN(tests)
