/* Connection tracking: targeted tests of every timeout boundary, the TCP state machine, RST,
 * a full table, flush and related ICMP errors, and a differential test against a deliberately
 * simple model (a linear array of flows as first seen, with their state and deadline, matched
 * by comparing packets with the stored flow and its reverse) over random operations. */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/conntrack.h"

#define S_NS 1000000000ull

/* The timeouts as the reference and the brief state them, in seconds (deliberately not taken
 * from conntrack.h, so a wrong constant there fails here). */
static uint64_t spec_timeout_s(enum ct_state s)
{
    switch (s) {
    case CT_TCP_SYN_SENT:
        return 120;
    case CT_TCP_SYN_RECV:
        return 60;
    case CT_TCP_ESTABLISHED:
        return 432000;
    case CT_TCP_FIN_WAIT:
        return 60;
    case CT_TCP_LAST_ACK:
        return 30;
    case CT_TCP_TIME_WAIT:
        return 120;
    case CT_TCP_CLOSE:
        return 10;
    case CT_UDP_NEW:
    case CT_UDP_REPLIED:
        return 30;
    case CT_UDP_STREAM:
        return 180;
    case CT_ICMP:
        return 30;
    case CT_OTHER:
        return 600;
    default:
        return 0;
    }
}

#define SYN CT_TCP_SYN
#define ACK CT_TCP_ACK
#define FIN CT_TCP_FIN
#define RST CT_TCP_RST

static struct flow mk(int family, uint8_t proto, const char *src, uint16_t sport, const char *dst,
                      uint16_t dport)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    f.family = (uint8_t)family;
    f.proto = proto;
    f.sport = sport;
    f.dport = dport;
    int af = family == 4 ? AF_INET : AF_INET6;
    assert_int_equal(inet_pton(af, src, f.src), 1);
    assert_int_equal(inet_pton(af, dst, f.dst), 1);
    return f;
}

static struct flow rev(struct flow f)
{
    struct flow r = f;
    memcpy(r.src, f.dst, 16);
    memcpy(r.dst, f.src, 16);
    r.sport = f.dport;
    r.dport = f.sport;
    return r;
}

/* An ICMP message between the hosts of f (type in sport, code in dport). */
static struct flow icmp_msg(struct flow f, uint16_t type)
{
    f.proto = f.family == 4 ? FLOW_PROTO_ICMP : FLOW_PROTO_ICMPV6;
    f.sport = type;
    f.dport = 0;
    return f;
}

/* ---- targeted tests ---- */

static void test_new_bad_capacity(void **state)
{
    (void)state;
    errno = 0;
    assert_null(ct_table_new(0));
    assert_int_equal(errno, EINVAL);
    ct_table_free(NULL);
}

static void test_bytes_per_entry(void **state)
{
    (void)state;
    size_t cap = 100000;
    struct ct_table *t = ct_table_new(cap);
    assert_non_null(t);
    assert_int_equal(ct_capacity(t), cap);
    assert_int_equal(ct_count(t), 0);
    size_t per = ct_table_size(t) / cap;
    assert_true(per >= 64);
    assert_true(per <= 128);
    ct_table_free(t);
}

static void test_invalid_family(void **state)
{
    (void)state;
    struct ct_table *t = ct_table_new(4);
    struct flow f = mk(4, FLOW_PROTO_TCP, "10.0.0.1", 1, "10.0.0.2", 2);
    f.family = 5;
    assert_int_equal(ct_commit(t, 0, &f, SYN, 0, 0), -EINVAL);
    bool r = true;
    assert_false(ct_lookup(t, 0, &f, ACK, 0, 0, &r));
    assert_false(r);
    assert_int_equal(ct_count(t), 0);
    ct_table_free(t);
}

/* Checks the entry of f at eni: state, deadline = last + timeout, and the boundary: peek is
 * true at deadline - 1 and false at deadline. */
static void expect_entry(struct ct_table *t, uint32_t eni, const struct flow *f, uint16_t id,
                         enum ct_state st, uint64_t last)
{
    struct ct_info in;
    uint64_t deadline = last + spec_timeout_s(st) * S_NS;
    assert_true(ct_peek(t, eni, f, id, last, &in));
    assert_string_equal(ct_state_name(in.state), ct_state_name(st));
    assert_int_equal(in.deadline_ns, deadline);
    assert_true(ct_peek(t, eni, f, id, deadline - 1, &in));
    assert_false(ct_peek(t, eni, f, id, deadline, &in));
}

/* Drives a fresh table (one flow, A -> B at ENI 3) into state st; returns the time of the
 * last packet. *f gets the originator's packet header, *id the echo id. */
static uint64_t drive(struct ct_table *t, enum ct_state st, struct flow *f, uint16_t *id)
{
    uint64_t now = 1000 * S_NS;
    *id = 0;
    struct flow a = mk(4, FLOW_PROTO_TCP, "10.0.1.5", 40000, "10.0.2.7", 443);
    struct flow b = rev(a);
    uint32_t eni = 3;
    bool r;
    switch (st) {
    case CT_UDP_NEW:
    case CT_UDP_REPLIED:
    case CT_UDP_STREAM:
        a.proto = b.proto = FLOW_PROTO_UDP;
        assert_int_equal(ct_commit(t, eni, &a, 0, 0, now), 0);
        if (st == CT_UDP_NEW)
            break;
        now += S_NS;
        assert_true(ct_lookup(t, eni, &b, 0, 0, now, &r) && r);
        if (st == CT_UDP_REPLIED)
            break;
        now += S_NS;
        assert_true(ct_lookup(t, eni, &a, 0, 0, now, &r) && !r);
        break;
    case CT_ICMP:
        a = icmp_msg(a, 8);
        *id = 77;
        assert_int_equal(ct_commit(t, eni, &a, 0, 77, now), 0);
        break;
    case CT_OTHER:
        a.proto = 47;
        a.sport = a.dport = 0;
        assert_int_equal(ct_commit(t, eni, &a, 0, 0, now), 0);
        break;
    default:
        assert_int_equal(ct_commit(t, eni, &a, SYN, 0, now), 0);
        if (st == CT_TCP_SYN_SENT)
            break;
        now += S_NS;
        assert_true(ct_lookup(t, eni, &b, SYN | ACK, 0, now, &r) && r);
        if (st == CT_TCP_SYN_RECV)
            break;
        now += S_NS;
        assert_true(ct_lookup(t, eni, &a, ACK, 0, now, &r) && !r);
        if (st == CT_TCP_ESTABLISHED)
            break;
        now += S_NS;
        if (st == CT_TCP_CLOSE) {
            assert_true(ct_lookup(t, eni, &b, RST, 0, now, &r) && r);
            break;
        }
        assert_true(ct_lookup(t, eni, &a, FIN | ACK, 0, now, &r) && !r);
        if (st == CT_TCP_FIN_WAIT)
            break;
        now += S_NS;
        assert_true(ct_lookup(t, eni, &b, FIN | ACK, 0, now, &r) && r);
        if (st == CT_TCP_LAST_ACK)
            break;
        now += S_NS;
        assert_true(ct_lookup(t, eni, &a, ACK, 0, now, &r) && !r);
        break;
    }
    *f = a;
    return now;
}

static void test_timeout_boundaries(void **state)
{
    (void)state;
    for (int s = 0; s < CT__STATE_COUNT; s++) {
        struct flow f;
        uint16_t id;
        struct ct_table *t = ct_table_new(16);
        uint64_t last = drive(t, (enum ct_state)s, &f, &id);
        expect_entry(t, 3, &f, id, (enum ct_state)s, last);
        uint64_t deadline = last + spec_timeout_s((enum ct_state)s) * S_NS;
        /* Gone at the deadline for lookup too, and for the other direction. */
        struct flow back = rev(f);
        if (s == CT_ICMP)
            back.sport = 0; /* the echo reply */
        bool r;
        assert_false(ct_lookup(t, 3, &f, ACK, id, deadline, &r));
        assert_false(ct_lookup(t, 3, &back, ACK, id, deadline, &r));
        ct_table_free(t);

        /* Alive at deadline - 1 through lookup (a fresh table: lookup refreshes). */
        t = ct_table_new(16);
        last = drive(t, (enum ct_state)s, &f, &id);
        deadline = last + spec_timeout_s((enum ct_state)s) * S_NS;
        assert_true(ct_lookup(t, 3, &back, ACK, id, deadline - 1, &r));
        assert_true(r);
        ct_table_free(t);
    }
}

static void test_tcp_lifecycle(void **state)
{
    (void)state;
    struct ct_table *t = ct_table_new(8);
    struct flow a = mk(6, FLOW_PROTO_TCP, "2001:db8::5", 50000, "2001:db8:1::9", 22);
    struct flow b = rev(a);
    uint64_t now = 5 * S_NS;
    bool r;
    struct ct_info in;
    assert_int_equal(ct_commit(t, 1, &a, SYN, 0, now), 0);
    /* The originator retransmits its SYN: still SYN_SENT. */
    assert_true(ct_lookup(t, 1, &a, SYN, 0, now += S_NS, &r) && !r);
    expect_entry(t, 1, &a, 0, CT_TCP_SYN_SENT, now);
    assert_true(ct_lookup(t, 1, &b, SYN | ACK, 0, now += S_NS, &r) && r);
    expect_entry(t, 1, &b, 0, CT_TCP_SYN_RECV, now);
    assert_true(ct_lookup(t, 1, &a, ACK, 0, now += S_NS, &r) && !r);
    expect_entry(t, 1, &a, 0, CT_TCP_ESTABLISHED, now);
    /* Data both ways keeps it established. */
    assert_true(ct_lookup(t, 1, &b, ACK | 0x08, 0, now += S_NS, &r) && r);
    expect_entry(t, 1, &a, 0, CT_TCP_ESTABLISHED, now);
    /* The responder closes first. */
    assert_true(ct_lookup(t, 1, &b, FIN | ACK, 0, now += S_NS, &r) && r);
    expect_entry(t, 1, &a, 0, CT_TCP_FIN_WAIT, now);
    /* A retransmitted FIN from the same side changes nothing. */
    assert_true(ct_lookup(t, 1, &b, FIN | ACK, 0, now += S_NS, &r));
    expect_entry(t, 1, &a, 0, CT_TCP_FIN_WAIT, now);
    assert_true(ct_lookup(t, 1, &a, FIN | ACK, 0, now += S_NS, &r) && !r);
    expect_entry(t, 1, &a, 0, CT_TCP_LAST_ACK, now);
    /* The ACK of the second FIN must come from the first closer (b): a's ACK changes nothing. */
    assert_true(ct_lookup(t, 1, &a, ACK, 0, now += S_NS, &r));
    expect_entry(t, 1, &a, 0, CT_TCP_LAST_ACK, now);
    assert_true(ct_lookup(t, 1, &b, ACK, 0, now += S_NS, &r));
    expect_entry(t, 1, &a, 0, CT_TCP_TIME_WAIT, now);
    /* A SYN after the close is a new connection from either side: the SG rules judge it
     * (ct_commit then replaces the entry), so a revoked rule is not bypassed by reusing ports. */
    assert_false(ct_lookup(t, 1, &b, SYN, 0, now += S_NS, &r));
    expect_entry(t, 1, &a, 0, CT_TCP_TIME_WAIT, now - S_NS);
    assert_false(ct_lookup(t, 1, &a, SYN, 0, now += S_NS, &r));
    expect_entry(t, 1, &a, 0, CT_TCP_TIME_WAIT, now - 2 * S_NS);
    assert_int_equal(ct_commit(t, 1, &a, SYN, 0, now), 0);
    expect_entry(t, 1, &a, 0, CT_TCP_SYN_SENT, now);
    /* The tracking is per ENI. */
    assert_false(ct_peek(t, 2, &a, 0, now, &in));
    assert_false(ct_lookup(t, 2, &b, SYN | ACK, 0, now, &r));
    assert_int_equal(ct_count(t), 1);
    ct_table_free(t);
}

static void test_tcp_initial_states(void **state)
{
    (void)state;
    struct ct_table *t = ct_table_new(8);
    struct flow a = mk(4, FLOW_PROTO_TCP, "10.0.0.1", 1000, "10.0.0.2", 80);
    uint64_t now = 7;
    assert_int_equal(ct_commit(t, 0, &a, SYN | ACK, 0, now), 0);
    expect_entry(t, 0, &a, 0, CT_TCP_SYN_RECV, now);
    assert_int_equal(ct_commit(t, 0, &a, ACK, 0, now), 0); /* replaces */
    expect_entry(t, 0, &a, 0, CT_TCP_ESTABLISHED, now);
    assert_int_equal(ct_commit(t, 0, &a, FIN | ACK, 0, now), 0);
    expect_entry(t, 0, &a, 0, CT_TCP_FIN_WAIT, now);
    /* The first FIN was the originator's: the reply's FIN is the second. */
    bool r;
    struct flow b = rev(a);
    assert_true(ct_lookup(t, 0, &b, FIN | ACK, 0, now, &r) && r);
    expect_entry(t, 0, &a, 0, CT_TCP_LAST_ACK, now);
    assert_int_equal(ct_commit(t, 0, &a, 0, 0, now), 0);
    expect_entry(t, 0, &a, 0, CT_TCP_ESTABLISHED, now);
    assert_int_equal(ct_count(t), 1);
    /* A first packet with RST starts nothing and leaves the entry alone. */
    assert_int_equal(ct_commit(t, 0, &b, RST, 0, now + 1), 0);
    expect_entry(t, 0, &a, 0, CT_TCP_ESTABLISHED, now);
    struct flow c = mk(4, FLOW_PROTO_TCP, "10.0.0.1", 1001, "10.0.0.2", 80);
    assert_int_equal(ct_commit(t, 0, &c, RST | ACK, 0, now), 0);
    assert_int_equal(ct_count(t), 1);
    ct_table_free(t);
}

static void test_rst(void **state)
{
    (void)state;
    struct ct_table *t = ct_table_new(8);
    struct flow a, b;
    uint16_t id;
    uint64_t now = drive(t, CT_TCP_ESTABLISHED, &a, &id);
    b = rev(a);
    bool r;
    /* The RST itself passes and ends the connection: CLOSE for 10 s. */
    assert_true(ct_lookup(t, 3, &a, RST | ACK, 0, now += S_NS, &r) && !r);
    expect_entry(t, 3, &b, 0, CT_TCP_CLOSE, now);
    /* Data after the RST keeps the CLOSE entry; the responder's SYN does not pass. */
    assert_true(ct_lookup(t, 3, &b, ACK, 0, now += S_NS, &r) && r);
    expect_entry(t, 3, &b, 0, CT_TCP_CLOSE, now);
    assert_false(ct_lookup(t, 3, &b, SYN, 0, now + 1, &r));
    assert_false(ct_lookup(t, 3, &a, ACK, 0, now + 10 * S_NS, &r));
    ct_expire(t, now + 10 * S_NS, SIZE_MAX);
    assert_int_equal(ct_count(t), 0);
    ct_table_free(t);
}

static void test_udp_exchange(void **state)
{
    (void)state;
    struct ct_table *t = ct_table_new(8);
    struct flow q = mk(4, FLOW_PROTO_UDP, "10.0.0.9", 5353, "10.0.0.2", 53);
    struct flow a = rev(q);
    uint64_t now = 0;
    bool r;
    assert_int_equal(ct_commit(t, 0, &q, 0, 0, now), 0);
    /* More requests without a reply: one-direction, 30 s. */
    assert_true(ct_lookup(t, 0, &q, 0, 0, now += 20 * S_NS, &r) && !r);
    expect_entry(t, 0, &q, 0, CT_UDP_NEW, now);
    assert_true(ct_lookup(t, 0, &a, 0, 0, now += 29 * S_NS, &r) && r);
    expect_entry(t, 0, &q, 0, CT_UDP_REPLIED, now);
    /* Two replies are more than a single exchange. */
    assert_true(ct_lookup(t, 0, &a, 0, 0, now += S_NS, &r) && r);
    expect_entry(t, 0, &q, 0, CT_UDP_STREAM, now);
    assert_true(ct_lookup(t, 0, &q, 0, 0, now += 179 * S_NS, &r) && !r);
    expect_entry(t, 0, &a, 0, CT_UDP_STREAM, now);
    ct_table_free(t);
}

static void test_echo(void **state)
{
    (void)state;
    struct ct_table *t = ct_table_new(8);
    struct flow h = mk(4, FLOW_PROTO_ICMP, "10.0.0.1", 0, "10.0.0.2", 0);
    struct flow req = icmp_msg(h, 8), rep = icmp_msg(rev(h), 0);
    uint64_t now = S_NS;
    bool r;
    assert_int_equal(ct_commit(t, 4, &req, 0, 5, now), 0);
    assert_true(ct_lookup(t, 4, &rep, 0, 5, now, &r) && r);
    assert_false(ct_lookup(t, 4, &rep, 0, 6, now, &r)); /* another identifier */
    /* The peer's own ping with the same identifier is another flow. */
    struct flow req_back = icmp_msg(rev(h), 8), rep_back = icmp_msg(h, 0);
    assert_false(ct_lookup(t, 4, &req_back, 0, 5, now, &r));
    assert_false(ct_lookup(t, 4, &rep_back, 0, 5, now, &r));
    assert_int_equal(ct_commit(t, 4, &req_back, 0, 5, now), 0);
    assert_int_equal(ct_count(t), 2);
    assert_true(ct_lookup(t, 4, &rep_back, 0, 5, now, &r) && r);
    /* Other ICMP messages are tracked by addresses, the type and identifier ignored. */
    struct flow ts = icmp_msg(h, 13), ts_rep = icmp_msg(rev(h), 14);
    assert_false(ct_lookup(t, 4, &ts_rep, 0, 0, now, &r));
    assert_int_equal(ct_commit(t, 4, &ts, 0, 9, now), 0);
    assert_true(ct_lookup(t, 4, &ts_rep, 0, 1, now + S_NS, &r) && r);
    expect_entry(t, 4, &ts, 0, CT_ICMP, now + S_NS);
    /* IPv6 echo. */
    struct flow h6 = mk(6, FLOW_PROTO_ICMPV6, "2001:db8::1", 0, "2001:db8::2", 0);
    struct flow req6 = icmp_msg(h6, 128), rep6 = icmp_msg(rev(h6), 129);
    assert_int_equal(ct_commit(t, 4, &req6, 0, 0x1234, now), 0);
    assert_true(ct_lookup(t, 4, &rep6, 0, 0x1234, now, &r) && r);
    assert_false(ct_lookup(t, 4, &rep6, 0, 0x1235, now, &r));
    /* An ICMP error is never a flow of its own. */
    struct flow err = icmp_msg(h, 3);
    assert_int_equal(ct_commit(t, 4, &err, 0, 0, now), 0);
    assert_false(ct_lookup(t, 4, &err, 0, 0, now, &r));
    assert_int_equal(ct_count(t), 4);
    ct_table_free(t);
}

static void test_addresses(void **state)
{
    (void)state;
    struct ct_table *t = ct_table_new(8);
    struct flow a = mk(4, FLOW_PROTO_TCP, "192.0.2.1", 80, "10.0.0.2", 80);
    bool r;
    assert_int_equal(ct_commit(t, 0, &a, SYN, 0, 0), 0);
    /* IPv4 uses only the first 4 address bytes. */
    struct flow g = rev(a);
    memset(g.src + 4, 0xab, 12);
    memset(g.dst + 4, 0x5c, 12);
    assert_true(ct_lookup(t, 0, &g, SYN | ACK, 0, 1, &r) && r);
    /* Same hosts, ports swapped on one side only: another flow. */
    struct flow p = a;
    p.sport = 81;
    assert_false(ct_lookup(t, 0, &p, ACK, 0, 1, &r));
    /* IPv6 addresses differing in the last byte are different hosts. */
    struct flow v6 = mk(6, FLOW_PROTO_UDP, "2001:db8::1", 9, "2001:db8::1:0", 9);
    assert_int_equal(ct_commit(t, 0, &v6, 0, 0, 0), 0);
    struct flow w6 = rev(v6);
    assert_true(ct_lookup(t, 0, &w6, 0, 0, 1, &r) && r);
    w6.src[15] ^= 1;
    assert_false(ct_lookup(t, 0, &w6, 0, 0, 1, &r));
    /* Other protocols: addresses and protocol only. */
    struct flow gre = mk(4, 47, "10.1.1.1", 0, "10.1.1.2", 0);
    assert_int_equal(ct_commit(t, 0, &gre, 0, 0, 0), 0);
    struct flow gre_back = rev(gre);
    gre_back.sport = 1234;
    assert_true(ct_lookup(t, 0, &gre_back, 0, 0, 599 * S_NS, &r) && r);
    gre_back.proto = 50;
    assert_false(ct_lookup(t, 0, &gre_back, 0, 0, 599 * S_NS, &r));
    /* A flow to itself: every packet is in the original direction. */
    struct flow self = mk(4, FLOW_PROTO_UDP, "10.0.0.3", 7, "10.0.0.3", 7);
    assert_int_equal(ct_commit(t, 0, &self, 0, 0, 0), 0);
    assert_true(ct_lookup(t, 0, &self, 0, 0, 1, &r) && !r);
    ct_table_free(t);
}

static void test_full_table(void **state)
{
    (void)state;
    struct ct_table *t = ct_table_new(4);
    struct flow f[5];
    for (int i = 0; i < 5; i++)
        f[i] = mk(4, FLOW_PROTO_UDP, "10.0.0.1", (uint16_t)(1000 + i), "10.0.0.2", 53);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ct_commit(t, 0, &f[i], 0, 0, (uint64_t)i * S_NS), 0);
    assert_int_equal(ct_count(t), 4);
    assert_int_equal(ct_commit(t, 0, &f[4], 0, 0, 5 * S_NS), -ENOSPC);
    assert_int_equal(ct_commit(t, 1, &f[0], 0, 0, 5 * S_NS), -ENOSPC); /* other ENI, new */
    /* Replacing a flow that is already there needs no room. */
    assert_int_equal(ct_commit(t, 0, &f[2], 0, 0, 5 * S_NS), 0);
    assert_int_equal(ct_count(t), 4);
    bool r;
    /* f[0] times out at 30 s: its slot is reclaimed for f[4]; nothing else goes. */
    assert_int_equal(ct_commit(t, 0, &f[4], 0, 0, 30 * S_NS - 1), -ENOSPC);
    assert_int_equal(ct_commit(t, 0, &f[4], 0, 0, 30 * S_NS), 0);
    assert_int_equal(ct_count(t), 4);
    assert_false(ct_lookup(t, 0, &f[0], 0, 0, 30 * S_NS, &r));
    for (int i = 1; i < 5; i++)
        assert_true(ct_lookup(t, 0, &f[i], 0, 0, 30 * S_NS, &r));
    assert_int_equal(ct_commit(t, 0, &f[0], 0, 0, 30 * S_NS), -ENOSPC);
    ct_table_free(t);

    /* Capacity 1. */
    t = ct_table_new(1);
    assert_int_equal(ct_commit(t, 0, &f[0], 0, 0, 0), 0);
    assert_int_equal(ct_commit(t, 0, &f[1], 0, 0, 0), -ENOSPC);
    ct_expire(t, 30 * S_NS, SIZE_MAX);
    assert_int_equal(ct_count(t), 0);
    assert_int_equal(ct_commit(t, 0, &f[1], 0, 0, 30 * S_NS), 0);
    ct_table_free(t);
}

static void test_flush_and_expire(void **state)
{
    (void)state;
    struct ct_table *t = ct_table_new(600);
    for (uint32_t i = 0; i < 600; i++) {
        struct flow f = mk(4, FLOW_PROTO_TCP, "10.0.0.1", (uint16_t)(i + 1), "10.0.0.2", 443);
        /* ENI 0: established (5 days); ENI 1 and 2: SYN_SENT (120 s). */
        assert_int_equal(ct_commit(t, i % 3, &f, i % 3 == 0 ? ACK : SYN, 0, 0), 0);
    }
    assert_int_equal(ct_count(t), 600);
    ct_flush_eni(t, 1);
    assert_int_equal(ct_count(t), 400);
    bool r;
    for (uint32_t i = 0; i < 600; i++) {
        struct flow f = mk(4, FLOW_PROTO_TCP, "10.0.0.2", 443, "10.0.0.1", (uint16_t)(i + 1));
        struct ct_info in;
        assert_int_equal(ct_peek(t, i % 3, &f, 0, 0, &in), i % 3 != 1);
    }
    /* Expiry is incremental: each unit of budget examines or removes one slot. */
    uint64_t later = 120 * S_NS;
    ct_expire(t, later, 10);
    assert_true(ct_count(t) >= 390);
    size_t before = ct_count(t);
    ct_expire(t, later, 50);
    assert_true(ct_count(t) >= before - 50);
    ct_expire(t, later, SIZE_MAX);
    assert_int_equal(ct_count(t), 200);
    for (uint32_t i = 0; i < 600; i += 3) {
        struct flow f = mk(4, FLOW_PROTO_TCP, "10.0.0.1", (uint16_t)(i + 1), "10.0.0.2", 443);
        assert_true(ct_lookup(t, 0, &f, ACK, 0, later, &r));
    }
    ct_flush_eni(t, 0);
    assert_int_equal(ct_count(t), 0);
    ct_table_free(t);
}

static void test_related(void **state)
{
    (void)state;
    struct ct_table *t = ct_table_new(8);
    struct flow a = mk(4, FLOW_PROTO_UDP, "10.0.0.5", 4000, "198.51.100.1", 53);
    uint64_t now = S_NS;
    assert_int_equal(ct_commit(t, 2, &a, 0, 0, now), 0);
    /* A router's "fragmentation needed" back to the sender. */
    struct flow err = mk(4, FLOW_PROTO_ICMP, "10.0.0.1", 3, "10.0.0.5", 4);
    assert_true(ct_related(t, 2, &err, &a, 0, now));
    assert_false(ct_related(t, 2, &err, &a, 0, now + 30 * S_NS));
    assert_false(ct_related(t, 1, &err, &a, 0, now));
    /* The peer's answer quoted in an error going back to the peer. */
    struct flow b = rev(a);
    struct flow err_b = mk(4, FLOW_PROTO_ICMP, "10.0.0.5", 3, "198.51.100.1", 3);
    assert_true(ct_related(t, 2, &err_b, &b, 0, now));
    /* Not addressed to the quoted packet's sender. */
    assert_false(ct_related(t, 2, &err_b, &a, 0, now));
    /* Time exceeded and parameter problem relate; echo, redirect and a wrong protocol do not. */
    err.sport = 11;
    assert_true(ct_related(t, 2, &err, &a, 0, now));
    err.sport = 12;
    assert_true(ct_related(t, 2, &err, &a, 0, now));
    err.sport = 5;
    assert_false(ct_related(t, 2, &err, &a, 0, now));
    err.sport = 0;
    assert_false(ct_related(t, 2, &err, &a, 0, now));
    err.sport = 3;
    err.proto = FLOW_PROTO_ICMPV6;
    assert_false(ct_related(t, 2, &err, &a, 0, now));
    err.proto = FLOW_PROTO_ICMP;
    /* An untracked flow. */
    struct flow other = a;
    other.sport = 4001;
    assert_false(ct_related(t, 2, &err, &other, 0, now));
    /* Related errors do not refresh the entry. */
    assert_true(ct_related(t, 2, &err, &a, 0, now + 29 * S_NS));
    struct ct_info in;
    assert_true(ct_peek(t, 2, &a, 0, now, &in));
    assert_int_equal(in.deadline_ns, now + 30 * S_NS);

    /* IPv6: packet too big for a TCP flow, and an unreachable quoting a ping. */
    struct flow a6 = mk(6, FLOW_PROTO_TCP, "2001:db8::5", 33000, "2001:db8:9::1", 443);
    assert_int_equal(ct_commit(t, 2, &a6, SYN, 0, now), 0);
    struct flow ptb = mk(6, FLOW_PROTO_ICMPV6, "2001:db8::1", 2, "2001:db8::5", 0);
    assert_true(ct_related(t, 2, &ptb, &a6, 0, now));
    assert_false(ct_related(t, 2, &ptb, &a, 0, now)); /* family mismatch */
    ptb.sport = 128;
    assert_false(ct_related(t, 2, &ptb, &a6, 0, now));
    struct flow ping6 = mk(6, FLOW_PROTO_ICMPV6, "2001:db8::5", 128, "2001:db8:9::1", 0);
    assert_int_equal(ct_commit(t, 2, &ping6, 0, 99, now), 0);
    struct flow unr = mk(6, FLOW_PROTO_ICMPV6, "2001:db8::1", 1, "2001:db8::5", 3);
    assert_true(ct_related(t, 2, &unr, &ping6, 99, now));
    assert_false(ct_related(t, 2, &unr, &ping6, 98, now));
    /* An error quoting an error relates to nothing. */
    assert_false(ct_related(t, 2, &unr, &unr, 0, now));
    ct_table_free(t);
}

static void test_deadline_saturates(void **state)
{
    (void)state;
    struct ct_table *t = ct_table_new(2);
    struct flow a = mk(4, FLOW_PROTO_TCP, "10.0.0.1", 1, "10.0.0.2", 2);
    uint64_t now = UINT64_MAX - 5;
    assert_int_equal(ct_commit(t, 0, &a, ACK, 0, now), 0);
    struct ct_info in;
    assert_true(ct_peek(t, 0, &a, 0, now, &in));
    assert_int_equal(in.deadline_ns, UINT64_MAX);
    assert_true(ct_peek(t, 0, &a, 0, UINT64_MAX - 1, &in));
    ct_table_free(t);
}

/* ---- the model ---- */

enum m_kind { M_TCP, M_UDP, M_ECHO, M_ICMP, M_OTHER, M_ERROR, M_BAD };

struct m_rec {
    uint32_t eni;
    uint8_t family, proto;
    enum m_kind kind;
    uint8_t src[16], dst[16]; /* the first packet as seen */
    uint16_t sport, dport;
    uint8_t req[16]; /* echo: requester and identifier */
    uint16_t id;
    enum ct_state st;
    bool fin_by_reply;
    uint64_t deadline;
};

struct model {
    struct m_rec *r;
    size_t n, cap;
};

static enum m_kind m_classify(const struct flow *f)
{
    static const uint8_t err4[] = {3, 11, 12}, err6[] = {1, 2, 3, 4};
    if (f->family != 4 && f->family != 6)
        return M_BAD;
    if (f->proto == FLOW_PROTO_TCP)
        return M_TCP;
    if (f->proto == FLOW_PROTO_UDP)
        return M_UDP;
    bool v4 = f->family == 4;
    if (f->proto != (v4 ? FLOW_PROTO_ICMP : FLOW_PROTO_ICMPV6))
        return M_OTHER;
    const uint8_t *errs = v4 ? err4 : err6;
    size_t n_errs = v4 ? sizeof err4 : sizeof err6;
    for (size_t i = 0; i < n_errs; i++)
        if (f->sport == errs[i])
            return M_ERROR;
    if (f->sport == (v4 ? 8 : 128) || f->sport == (v4 ? 0 : 129))
        return M_ECHO;
    return M_ICMP;
}

static bool m_is_request(const struct flow *f)
{
    return f->sport == 8 || f->sport == 128;
}

static bool same_addr(int family, const uint8_t *x, const uint8_t *y)
{
    return memcmp(x, y, family == 4 ? 4 : 16) == 0;
}

/* Does p (at eni) belong to r? *reply: against the first packet's direction. */
static bool m_match(const struct m_rec *r, uint32_t eni, const struct flow *p, uint16_t id,
                    bool *reply)
{
    if (r->eni != eni || r->family != p->family || r->proto != p->proto || m_classify(p) != r->kind)
        return false;
    int fam = p->family;
    bool fwd = same_addr(fam, p->src, r->src) && same_addr(fam, p->dst, r->dst);
    bool back = same_addr(fam, p->src, r->dst) && same_addr(fam, p->dst, r->src);
    switch (r->kind) {
    case M_TCP:
    case M_UDP:
        fwd = fwd && p->sport == r->sport && p->dport == r->dport;
        back = back && p->sport == r->dport && p->dport == r->sport;
        break;
    case M_ECHO: {
        const uint8_t *req = m_is_request(p) ? p->src : p->dst;
        if (id != r->id || !same_addr(fam, req, r->req))
            return false;
        break;
    }
    default:
        break;
    }
    if (!fwd && !back)
        return false;
    *reply = !fwd;
    return true;
}

static void m_purge(struct model *m, uint64_t now)
{
    size_t k = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->r[i].deadline > now)
            m->r[k++] = m->r[i];
    m->n = k;
}

static struct m_rec *m_find(struct model *m, uint32_t eni, const struct flow *p, uint16_t id,
                            bool *reply)
{
    for (size_t i = 0; i < m->n; i++)
        if (m_match(&m->r[i], eni, p, id, reply))
            return &m->r[i];
    return NULL;
}

static void m_touch(struct m_rec *r, uint64_t now)
{
    uint64_t d = spec_timeout_s(r->st) * S_NS;
    r->deadline = now > UINT64_MAX - d ? UINT64_MAX : now + d;
}

static bool m_tcp(struct m_rec *r, bool reply, uint8_t flags)
{
    bool s = flags & SYN, a = flags & ACK, f = flags & FIN;
    if (flags & RST) {
        r->st = CT_TCP_CLOSE;
        return true;
    }
    if (r->st == CT_TCP_TIME_WAIT || r->st == CT_TCP_CLOSE)
        return !(s && !a); /* a SYN after the close is a new connection, from either side */
    if (r->st == CT_TCP_FIN_WAIT) {
        if (f && reply != r->fin_by_reply)
            r->st = CT_TCP_LAST_ACK;
        return true;
    }
    if (r->st == CT_TCP_LAST_ACK) {
        if (a && !f && !s && reply == r->fin_by_reply)
            r->st = CT_TCP_TIME_WAIT;
        return true;
    }
    if (r->st == CT_TCP_SYN_SENT && reply && s) {
        r->st = CT_TCP_SYN_RECV;
        return true;
    }
    if (r->st == CT_TCP_SYN_RECV && a && !s && !f) {
        r->st = CT_TCP_ESTABLISHED;
        return true;
    }
    if (f) {
        r->st = CT_TCP_FIN_WAIT;
        r->fin_by_reply = reply;
    }
    return true;
}

static bool m_lookup(struct model *m, uint32_t eni, const struct flow *p, uint8_t flags,
                     uint16_t id, uint64_t now, bool *reply)
{
    *reply = false;
    bool dir;
    struct m_rec *r = m_find(m, eni, p, id, &dir);
    if (!r)
        return false;
    if (r->kind == M_TCP && !m_tcp(r, dir, flags))
        return false;
    if (r->kind == M_UDP) {
        if (r->st != CT_UDP_NEW)
            r->st = CT_UDP_STREAM;
        else if (dir)
            r->st = CT_UDP_REPLIED;
    }
    m_touch(r, now);
    *reply = dir;
    return true;
}

static int m_commit(struct model *m, uint32_t eni, const struct flow *p, uint8_t flags, uint16_t id,
                    uint64_t now)
{
    enum m_kind kind = m_classify(p);
    if (kind == M_BAD)
        return -EINVAL;
    if (kind == M_ERROR || (kind == M_TCP && (flags & RST)))
        return 0;
    bool dir;
    struct m_rec *r = m_find(m, eni, p, id, &dir);
    if (!r) {
        if (m->n == m->cap)
            return -ENOSPC;
        r = &m->r[m->n++];
    }
    memset(r, 0, sizeof *r);
    r->eni = eni;
    r->family = p->family;
    r->proto = p->proto;
    r->kind = kind;
    memcpy(r->src, p->src, 16);
    memcpy(r->dst, p->dst, 16);
    r->sport = p->sport;
    r->dport = p->dport;
    if (kind == M_ECHO) {
        memcpy(r->req, m_is_request(p) ? p->src : p->dst, 16);
        r->id = id;
    }
    switch (kind) {
    case M_TCP:
        if (flags & SYN)
            r->st = (flags & ACK) ? CT_TCP_SYN_RECV : CT_TCP_SYN_SENT;
        else if (flags & FIN)
            r->st = CT_TCP_FIN_WAIT;
        else
            r->st = CT_TCP_ESTABLISHED;
        break;
    case M_UDP:
        r->st = CT_UDP_NEW;
        break;
    case M_ECHO:
    case M_ICMP:
        r->st = CT_ICMP;
        break;
    default:
        r->st = CT_OTHER;
        break;
    }
    m_touch(r, now);
    return 0;
}

static bool m_related(struct model *m, uint32_t eni, const struct flow *err,
                      const struct flow *inner, uint16_t id)
{
    if (m_classify(err) != M_ERROR || inner->family != err->family)
        return false;
    if (!same_addr(err->family, err->dst, inner->src))
        return false;
    enum m_kind k = m_classify(inner);
    if (k == M_ERROR || k == M_BAD)
        return false;
    bool dir;
    return m_find(m, eni, inner, id, &dir) != NULL;
}

/* ---- random operations ---- */

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static void rand_addr(int family, uint8_t *a)
{
    /* Three hosts per family, so flows collide and repeat; IPv4 gets garbage after byte 4. */
    static const uint8_t v4[3][4] = {{10, 0, 0, 1}, {10, 0, 0, 2}, {192, 0, 2, 9}};
    static const uint8_t v6[3][16] = {
        {0x20, 0x01, 0x0d, 0xb8, [15] = 1},
        {0x20, 0x01, 0x0d, 0xb8, [15] = 2},
        {0x20, 0x01, 0x0d, 0xb8, [14] = 1, [15] = 1},
    };
    unsigned i = rnd() % 3;
    if (family == 4) {
        for (int j = 0; j < 16; j++)
            a[j] = (uint8_t)rnd();
        memcpy(a, v4[i], 4);
    } else {
        memcpy(a, v6[i], 16);
    }
}

static uint16_t rand_icmp_type(int family)
{
    static const uint16_t t4[] = {8, 0, 8, 0, 3, 11, 12, 13, 14, 5, 9};
    static const uint16_t t6[] = {128, 129, 128, 129, 1, 2, 3, 4, 130, 134, 200};
    return family == 4 ? t4[rnd() % 11] : t6[rnd() % 11];
}

static struct flow rand_flow(void)
{
    static const uint16_t ports[] = {53, 80, 1000, 40000};
    struct flow f;
    memset(&f, 0, sizeof f);
    f.family = rnd() % 2 ? 4 : 6;
    rand_addr(f.family, f.src);
    rand_addr(f.family, f.dst);
    unsigned p = rnd() % 20;
    if (p < 8) {
        f.proto = FLOW_PROTO_TCP;
    } else if (p < 13) {
        f.proto = FLOW_PROTO_UDP;
    } else if (p < 17) {
        f.proto = f.family == 4 ? FLOW_PROTO_ICMP : FLOW_PROTO_ICMPV6;
        f.sport = rand_icmp_type(f.family);
        f.dport = (uint16_t)(rnd() % 3);
        return f;
    } else {
        /* Other protocols, including the other family's ICMP number. */
        static const uint8_t other[] = {47, 50, FLOW_PROTO_ICMP, FLOW_PROTO_ICMPV6};
        f.proto = other[rnd() % 4];
    }
    f.sport = ports[rnd() % 4];
    f.dport = ports[rnd() % 4];
    return f;
}

/* A packet of record r (either direction), so lookups hit often. */
static struct flow flow_of(const struct m_rec *r)
{
    struct flow f;
    memset(&f, 0, sizeof f);
    f.family = r->family;
    f.proto = r->proto;
    bool back = rnd() % 2;
    memcpy(f.src, back ? r->dst : r->src, 16);
    memcpy(f.dst, back ? r->src : r->dst, 16);
    f.sport = back ? r->dport : r->sport;
    f.dport = back ? r->sport : r->dport;
    if (r->kind == M_ECHO) {
        bool from_req = same_addr(f.family, f.src, r->req);
        bool v4 = f.family == 4;
        /* Mostly the right type for the side; sometimes the wrong one. */
        bool request = rnd() % 4 ? from_req : !from_req;
        f.sport = request ? (v4 ? 8 : 128) : (v4 ? 0 : 129);
        f.dport = 0;
    } else if (r->kind == M_ICMP) {
        do
            f.sport = rand_icmp_type(f.family);
        while (m_classify(&f) != M_ICMP);
    } else if (r->kind == M_OTHER && rnd() % 2) {
        f.sport = (uint16_t)rnd(); /* ignored */
    }
    return f;
}

static uint8_t rand_flags(void)
{
    static const uint8_t common[] = {SYN,       SYN | ACK, ACK, ACK | 0x08, FIN | ACK, RST,
                                     RST | ACK, FIN,       0,   SYN | FIN,  SYN | RST, ACK};
    return rnd() % 8 ? common[rnd() % sizeof common] : (uint8_t)rnd();
}

static struct flow pick_flow(struct model *m, uint16_t *id)
{
    *id = (uint16_t)(rnd() % 3);
    if (m->n && rnd() % 2) {
        const struct m_rec *r = &m->r[rnd() % m->n];
        if (r->kind == M_ECHO && rnd() % 4)
            *id = r->id;
        return flow_of(r);
    }
    return rand_flow();
}

static void check_peek(struct ct_table *t, struct model *m, uint32_t eni, const struct flow *f,
                       uint16_t id, uint64_t now)
{
    struct ct_info in;
    bool dir;
    struct m_rec *r = m_find(m, eni, f, id, &dir);
    bool got = ct_peek(t, eni, f, id, now, &in);
    assert_int_equal(got, r != NULL);
    if (r) {
        assert_string_equal(ct_state_name(in.state), ct_state_name(r->st));
        assert_int_equal(in.deadline_ns, r->deadline);
        assert_int_equal(in.is_reply, dir);
    }
}

struct diff_stats {
    size_t hits, misses, commits, enospc, related, related_true, peeks;
    size_t max_live; /* the most flows the model held at once */
};

/* n_ops random operations on a table of capacity cap. exact: the table is small enough that a
 * full commit examines every slot (CT_COMMIT_RECLAIM_SLOTS), so -ENOSPC happens exactly when
 * the model holds cap live flows. */
static void run_diff(size_t cap, size_t n_ops, uint32_t n_enis, bool calm, struct diff_stats *st)
{
    struct ct_table *t = ct_table_new(cap);
    assert_non_null(t);
    bool exact = cap + cap / 4 + 1 <= CT_COMMIT_RECLAIM_SLOTS;
    struct model m = {.r = calloc(cap, sizeof(struct m_rec)), .n = 0, .cap = cap};
    uint64_t now = 1;
    for (size_t op = 0; op < n_ops; op++) {
        m_purge(&m, now);
        unsigned what = rnd() % 100;
        uint32_t eni = rnd() % n_enis;
        uint16_t id;
        if (what < 35) {
            struct flow f = pick_flow(&m, &id);
            uint8_t flags = rand_flags();
            bool r1, r2;
            if (rnd() % 2)
                ct_prefetch(t, eni, &f, id); /* changes nothing */
            bool got = ct_lookup(t, eni, &f, flags, id, now, &r1);
            bool want = m_lookup(&m, eni, &f, flags, id, now, &r2);
            assert_int_equal(got, want);
            assert_int_equal(r1, r2);
            if (got)
                st->hits++;
            else
                st->misses++;
        } else if (what < 57) {
            struct flow f = pick_flow(&m, &id);
            uint8_t flags = rand_flags();
            /* Mostly SG-allowed first packets that start something. */
            if (f.proto == FLOW_PROTO_TCP && rnd() % 3)
                flags = SYN;
            size_t live_before = m.n;
            int got = ct_commit(t, eni, &f, flags, id, now);
            int want = m_commit(&m, eni, &f, flags, id, now);
            if (got == -ENOSPC) {
                st->enospc++;
                assert_int_equal(ct_count(t), cap);
                if (exact)
                    assert_int_equal(want, -ENOSPC);
                /* The model is not full: it added a flow the table could not; undo. */
                if (want == 0 && m.n > live_before)
                    m.n--;
                else if (want == 0)
                    fail_msg("table refused a replacement");
            } else {
                assert_int_equal(got, want);
                st->commits++;
            }
        } else if (what < 65) {
            struct flow inner = pick_flow(&m, &id);
            struct flow err;
            memset(&err, 0, sizeof err);
            err.family = rnd() % 8 ? inner.family : (uint8_t)(10 - inner.family);
            err.proto = err.family == 4 ? FLOW_PROTO_ICMP : FLOW_PROTO_ICMPV6;
            if (rnd() % 10 == 0)
                err.proto = FLOW_PROTO_UDP;
            err.sport = rand_icmp_type(err.family);
            if (rnd() % 2)
                err.sport = err.family == 4 ? 3 : (uint16_t)(1 + rnd() % 4);
            rand_addr(err.family, err.src);
            if (rnd() % 4)
                memcpy(err.dst, inner.src, 16);
            else
                rand_addr(err.family, err.dst);
            bool got = ct_related(t, eni, &err, &inner, id, now);
            bool want = m_related(&m, eni, &err, &inner, id);
            assert_int_equal(got, want);
            st->related++;
            st->related_true += got;
        } else if (what < 75) {
            struct flow f = pick_flow(&m, &id);
            check_peek(t, &m, eni, &f, id, now);
            st->peeks++;
        } else if (what < 85) {
            static const uint64_t jumps_s[] = {10, 30, 60, 120, 180, 600};
            unsigned j = rnd() % 10;
            if (j < 3)
                now += rnd() % 1000;
            else if (j < 6)
                now += (uint64_t)(rnd() % 40000) * (calm ? S_NS / 1000000 : S_NS / 1000);
            else if (j < 9 && (!calm || rnd() % 16 == 0))
                now += jumps_s[rnd() % 6] * S_NS;
            else if (rnd() % (calm ? 400 : 20) == 0)
                now += 432000 * S_NS;
        } else if (what < 92) {
            /* Land exactly on a deadline or one nanosecond before: the earliest of three
             * flows' (calm: of all flows), so that a few flows time out, not all. */
            if (m.n && (!calm || rnd() % 4 == 0)) {
                uint64_t d = UINT64_MAX;
                for (size_t k = 0; k < (calm ? m.n : 3); k++) {
                    uint64_t dk = m.r[calm ? k : rnd() % m.n].deadline;
                    d = dk < d ? dk : d;
                }
                d -= rnd() % 2;
                if (d > now)
                    now = d;
            }
        } else if (what < 99) {
            size_t budget = rnd() % 4 ? rnd() % 32 : SIZE_MAX;
            size_t before = ct_count(t);
            ct_expire(t, now, budget);
            if (budget != SIZE_MAX)
                assert_true(before - ct_count(t) <= budget);
            else
                assert_int_equal(ct_count(t), m.n);
        } else if (rnd() % (calm ? 100 : 10) == 0) {
            ct_flush_eni(t, eni);
            size_t k = 0;
            for (size_t i = 0; i < m.n; i++)
                if (m.r[i].eni != eni)
                    m.r[k++] = m.r[i];
            m.n = k;
        }
        assert_true(ct_count(t) >= m.n);
        assert_true(ct_count(t) <= cap);
        if (m.n > st->max_live)
            st->max_live = m.n;
    }
    /* Every flow the model holds is in the table with the same state and deadline. */
    m_purge(&m, now);
    for (size_t i = 0; i < m.n; i++) {
        struct flow f;
        uint16_t id = m.r[i].id;
        do
            f = flow_of(&m.r[i]);
        while (m.r[i].kind == M_ECHO && m_is_request(&f) != same_addr(f.family, f.src, m.r[i].req));
        check_peek(t, &m, m.r[i].eni, &f, id, now);
    }
    ct_expire(t, now, SIZE_MAX);
    assert_int_equal(ct_count(t), m.n);
    free(m.r);
    ct_table_free(t);
}

static void test_diff_small_exact(void **state)
{
    (void)state;
    struct diff_stats st = {0};
    run_diff(8, 150000, 2, false, &st);
    run_diff(48, 150000, 3, false, &st);
    run_diff(48, 150000, 3, true, &st);
    printf("# exact: %zu hits, %zu misses, %zu commits, %zu ENOSPC, %zu/%zu related, %zu peeks, "
           "%zu most live\n",
           st.hits, st.misses, st.commits, st.enospc, st.related_true, st.related, st.peeks,
           st.max_live);
    /* The operations reached every outcome. */
    assert_true(st.hits > 10000 && st.misses > 10000 && st.enospc > 100);
    assert_true(st.related_true > 1000);
}

static void test_diff_larger(void **state)
{
    (void)state;
    struct diff_stats st = {0};
    run_diff(1, 20000, 1, false, &st);
    st = (struct diff_stats){0};
    /* Time mostly creeps here, so the table fills up with collisions and long probes. */
    run_diff(200, 300000, 3, true, &st);
    printf("# larger: %zu hits, %zu misses, %zu commits, %zu ENOSPC, %zu/%zu related, %zu peeks, "
           "%zu most live\n",
           st.hits, st.misses, st.commits, st.enospc, st.related_true, st.related, st.peeks,
           st.max_live);
    assert_true(st.hits > 10000 && st.misses > 10000 && st.enospc > 100);
    assert_int_equal(st.max_live, 200);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_new_bad_capacity),
    cmocka_unit_test(test_bytes_per_entry),
    cmocka_unit_test(test_invalid_family),
    cmocka_unit_test(test_timeout_boundaries),
    cmocka_unit_test(test_tcp_lifecycle),
    cmocka_unit_test(test_tcp_initial_states),
    cmocka_unit_test(test_rst),
    cmocka_unit_test(test_udp_exchange),
    cmocka_unit_test(test_echo),
    cmocka_unit_test(test_addresses),
    cmocka_unit_test(test_full_table),
    cmocka_unit_test(test_flush_and_expire),
    cmocka_unit_test(test_related),
    cmocka_unit_test(test_deadline_saturates),
    cmocka_unit_test(test_diff_small_exact),
    cmocka_unit_test(test_diff_larger),
};

UNIT_MAIN(tests)
