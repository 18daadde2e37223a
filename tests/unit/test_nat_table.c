/* NAT gateway bindings: stable ports per flow, replies mapped back, the per-destination limit
 * of 55,000 (ErrorPortAllocation) and its independence across destinations, the 350 s idle
 * timeout and the TCP RST case after it, ICMP identifiers, gateways kept apart, and a full
 * table. The limits are written out here, not taken from nat_table.h, so a wrong constant there
 * fails. */
#include "unit.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/nat_table.h"

#define S_NS 1000000000ull
#define TCP 6
#define UDP 17
#define ICMP 1
#define SYN 0x02
#define ACK 0x10

static struct nat_flow fl(uint8_t proto, uint32_t in_ip, uint16_t in_port, uint32_t r_ip,
                          uint16_t r_port)
{
    return (struct nat_flow){.proto = proto,
                             .inside_ip = in_ip,
                             .inside_port = in_port,
                             .remote_ip = r_ip,
                             .remote_port = r_port};
}

static void test_binding_and_reply(void **state)
{
    (void)state;
    struct nat_table *t = nat_table_new(1024);
    struct nat_flow f = fl(TCP, 0x0a000105, 40000, 0xc6336401, 80);
    uint16_t p1, p2;
    assert_int_equal(nat_table_out(t, 7, &f, SYN, 1, &p1), NAT_OK);
    assert_true(p1 >= 1024);
    assert_int_equal(nat_table_out(t, 7, &f, ACK, 2, &p2), NAT_OK);
    assert_int_equal(p1, p2);
    assert_int_equal(nat_table_count(t), 1);
    struct nat_flow back;
    assert_true(nat_table_in(t, 7, TCP, 0xc6336401, 80, p1, 3, &back));
    assert_int_equal(back.inside_ip, 0x0a000105);
    assert_int_equal(back.inside_port, 40000);
    /* Wrong remote port, protocol, port or gateway: no binding. */
    assert_false(nat_table_in(t, 7, TCP, 0xc6336401, 81, p1, 3, &back));
    assert_false(nat_table_in(t, 7, UDP, 0xc6336401, 80, p1, 3, &back));
    assert_false(nat_table_in(t, 7, TCP, 0xc6336401, 80, (uint16_t)(p1 + 1), 3, &back));
    assert_false(nat_table_in(t, 8, TCP, 0xc6336401, 80, p1, 3, &back));
    /* The same inside flow through another gateway is another binding. */
    uint16_t p3;
    assert_int_equal(nat_table_out(t, 8, &f, SYN, 4, &p3), NAT_OK);
    assert_int_equal(nat_table_count(t), 2);
    nat_table_flush_gateway(t, 8);
    assert_int_equal(nat_table_count(t), 1);
    assert_false(nat_table_in(t, 8, TCP, 0xc6336401, 80, p3, 5, &back));
    nat_table_free(t);
}

static void test_tcp_needs_syn(void **state)
{
    (void)state;
    struct nat_table *t = nat_table_new(16);
    struct nat_flow f = fl(TCP, 0x0a000105, 40000, 0xc6336401, 80);
    uint16_t p;
    assert_int_equal(nat_table_out(t, 1, &f, ACK, 1, &p), NAT_EXPIRED);
    assert_int_equal(nat_table_count(t), 0);
    struct nat_flow u = fl(UDP, 0x0a000105, 40000, 0xc6336401, 53);
    assert_int_equal(nat_table_out(t, 1, &u, 0, 1, &p), NAT_OK);
    nat_table_free(t);
}

static void test_idle_timeout_350s(void **state)
{
    (void)state;
    struct nat_table *t = nat_table_new(64);
    struct nat_flow f = fl(TCP, 0x0a000105, 40000, 0xc6336401, 80);
    uint16_t p, q;
    uint64_t t0 = 1000 * S_NS;
    assert_int_equal(nat_table_out(t, 1, &f, SYN, t0, &p), NAT_OK);
    /* Refreshed at t0 + 349 s: alive until t0 + 699 s. */
    assert_int_equal(nat_table_out(t, 1, &f, ACK, t0 + 349 * S_NS, &q), NAT_OK);
    assert_int_equal(nat_table_out(t, 1, &f, ACK, t0 + 698 * S_NS, &q), NAT_OK);
    /* 350 s idle: gone, and the inside's next segment is answered with a RST. */
    assert_int_equal(nat_table_out(t, 1, &f, ACK, t0 + 1048 * S_NS, &q), NAT_EXPIRED);
    assert_int_equal(nat_table_count(t), 0);
    /* A new SYN starts over. */
    assert_int_equal(nat_table_out(t, 1, &f, SYN, t0 + 1049 * S_NS, &q), NAT_OK);
    /* Replies to an idle binding find nothing. */
    struct nat_flow back;
    assert_false(nat_table_in(t, 1, TCP, 0xc6336401, 80, q, t0 + 1399 * S_NS, &back));
    /* Expiry by sweep. */
    struct nat_flow u = fl(UDP, 0x0a000106, 5000, 0xc6336401, 53);
    assert_int_equal(nat_table_out(t, 1, &u, 0, t0, &q), NAT_OK);
    nat_table_expire(t, t0 + 350 * S_NS, 64);
    assert_int_equal(nat_table_count(t), 0);
    /* A shortened timeout (tests of the whole data plane use one). */
    nat_table_set_idle_timeout(t, 2);
    assert_int_equal(nat_table_out(t, 1, &u, 0, t0, &q), NAT_OK);
    assert_false(nat_table_in(t, 1, UDP, 0xc6336401, 53, q, t0 + 2 * S_NS, &back));
    nat_table_free(t);
}

static void test_icmp_identifier(void **state)
{
    (void)state;
    struct nat_table *t = nat_table_new(64);
    /* Two inside hosts with the same echo identifier to one destination get different ids. */
    struct nat_flow a = fl(ICMP, 0x0a000105, 77, 0xc6336401, 0);
    struct nat_flow b = fl(ICMP, 0x0a000106, 77, 0xc6336401, 0);
    uint16_t pa, pb;
    assert_int_equal(nat_table_out(t, 1, &a, 0, 1, &pa), NAT_OK);
    assert_int_equal(nat_table_out(t, 1, &b, 0, 1, &pb), NAT_OK);
    assert_int_not_equal(pa, pb);
    struct nat_flow back;
    assert_true(nat_table_in(t, 1, ICMP, 0xc6336401, 0, pb, 2, &back));
    assert_int_equal(back.inside_ip, 0x0a000106);
    assert_int_equal(back.inside_port, 77);
    nat_table_free(t);
}

/* 55,000 flows to one destination succeed with distinct ports in 1024-65535, the next fails,
 * another destination (port or address) is unaffected, and an idle flow frees its port. */
static void test_port_limit_per_destination(void **state)
{
    (void)state;
    struct nat_table *t = nat_table_new(120000);
    bool *seen = calloc(65536, 1);
    for (uint32_t i = 0; i < 55000; i++) {
        struct nat_flow f =
            fl(UDP, 0x0a000000 + (i / 50000), (uint16_t)(1024 + i % 50000), 0xc6336401, 80);
        uint16_t p;
        assert_int_equal(nat_table_out(t, 1, &f, 0, S_NS + i, &p), NAT_OK);
        assert_true(p >= 1024);
        assert_false(seen[p]);
        seen[p] = true;
    }
    struct nat_flow more = fl(UDP, 0x0a000009, 999, 0xc6336401, 80);
    uint16_t p;
    assert_int_equal(nat_table_out(t, 1, &more, 0, 2 * S_NS, &p), NAT_NO_PORT);
    struct nat_flow other_port = fl(UDP, 0x0a000009, 999, 0xc6336401, 81);
    assert_int_equal(nat_table_out(t, 1, &other_port, 0, 2 * S_NS, &p), NAT_OK);
    struct nat_flow other_ip = fl(UDP, 0x0a000009, 999, 0xc6336402, 80);
    assert_int_equal(nat_table_out(t, 1, &other_ip, 0, 2 * S_NS, &p), NAT_OK);
    struct nat_flow other_proto = fl(TCP, 0x0a000009, 999, 0xc6336401, 80);
    assert_int_equal(nat_table_out(t, 1, &other_proto, SYN, 2 * S_NS, &p), NAT_OK);
    assert_int_equal(nat_table_count(t), 55003);
    /* 350 s after the first flows: they are idle, so the new flow gets a port. */
    assert_int_equal(nat_table_out(t, 1, &more, 0, 351 * S_NS + 10, &p), NAT_OK);
    free(seen);
    nat_table_free(t);
}

static void test_full_table(void **state)
{
    (void)state;
    struct nat_table *t = nat_table_new(4);
    uint16_t p;
    for (uint16_t i = 0; i < 4; i++) {
        struct nat_flow f = fl(UDP, 0x0a000105, (uint16_t)(2000 + i), 0xc6336401, 53);
        assert_int_equal(nat_table_out(t, 1, &f, 0, S_NS, &p), NAT_OK);
    }
    struct nat_flow f = fl(UDP, 0x0a000105, 3000, 0xc6336401, 53);
    assert_int_equal(nat_table_out(t, 1, &f, 0, S_NS, &p), NAT_FULL);
    /* Once the others are idle, room is reclaimed. */
    assert_int_equal(nat_table_out(t, 1, &f, 0, 400 * S_NS, &p), NAT_OK);
    assert_int_equal(nat_table_count(t), 1);
    assert_null(nat_table_new(0));
    nat_table_free(t);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_binding_and_reply),          cmocka_unit_test(test_tcp_needs_syn),
    cmocka_unit_test(test_idle_timeout_350s),          cmocka_unit_test(test_icmp_identifier),
    cmocka_unit_test(test_port_limit_per_destination), cmocka_unit_test(test_full_table),
};

UNIT_MAIN(tests)
