/* NACL decisions (pipeline_nacl_decide on compiled NACLs) against a naive rule walk written
 * from the AWS rules directly: random rule sets (numbers, actions, protocols, port ranges,
 * ICMP, IPv4 and IPv6) and random packets. */
#include "unit.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "fib/fib.h"
#include "pipeline/pipeline.h"
#include "model/resources.h"

static uint64_t rng = 0x853c49e6748fea9bull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static const int protocols[] = {-1, 6, 17, 1, 58, 47};

static struct nacl_entry random_entry(bool ipv6)
{
    struct nacl_entry e;
    memset(&e, 0, sizeof e);
    e.rule_number = 1 + (int)(rnd() % 300);
    e.egress = rnd() % 2;
    e.allow = rnd() % 2;
    e.protocol = protocols[rnd() % 6];
    if (e.protocol == 58 && !ipv6)
        e.protocol = 1;
    e.ipv6 = ipv6;
    if (ipv6) {
        uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, (uint8_t)(rnd() % 2)};
        memcpy(e.cidr6.addr, a, 16);
        e.cidr6.len = (uint8_t)(rnd() % 2 ? 0 : 32 + rnd() % 9);
        prefix6_mask_addr(e.cidr6.addr, e.cidr6.len);
    } else {
        e.cidr4 = prefix4_make(0x0a000000u | (rnd() & 0x3ffff), (uint8_t)(rnd() % 3 ? 14 + rnd() % 19 : 0));
    }
    if (e.protocol == 6 || e.protocol == 17) {
        e.has_ports = true;
        e.port_from = (int)(rnd() % 1200);
        e.port_to = e.port_from + (int)(rnd() % 300);
    } else if (e.protocol == 1 || e.protocol == 58) {
        e.has_icmp = true;
        e.icmp_type = rnd() % 3 ? (int)(rnd() % 4) : -1;
        e.icmp_code = rnd() % 3 ? (int)(rnd() % 2) : -1;
    }
    return e;
}

static int cmp_rule(const void *a, const void *b)
{
    const struct nacl_entry *x = a, *y = b;
    return x->rule_number - y->rule_number;
}

/* Ascending rule number among the entries of this direction and family; first match wins; no
 * match is the "*" deny. */
static bool naive_allow(const struct network_acl *a, bool egress, const struct flow *f)
{
    struct nacl_entry *sorted = calloc(a->n_entries + 1, sizeof *sorted);
    size_t n = 0;
    for (size_t i = 0; i < a->n_entries; i++)
        if (a->entries[i].egress == egress)
            sorted[n++] = a->entries[i];
    qsort(sorted, n, sizeof *sorted, cmp_rule);
    bool result = false;
    for (size_t i = 0; i < n; i++) {
        const struct nacl_entry *e = &sorted[i];
        const uint8_t *remote = egress ? f->dst : f->src;
        bool addr_ok;
        if (e->ipv6) {
            addr_ok = f->family == 6 && prefix6_has_addr(&e->cidr6, remote);
        } else {
            uint32_t v;
            memcpy(&v, remote, 4);
            addr_ok = f->family == 4 && prefix4_has_addr(&e->cidr4, ntohl(v));
        }
        if (!addr_ok || (e->protocol != -1 && e->protocol != f->proto))
            continue;
        if ((e->protocol == 6 || e->protocol == 17) &&
            (f->dport < e->port_from || f->dport > e->port_to))
            continue;
        if ((e->protocol == 1 || e->protocol == 58) &&
            ((e->icmp_type != -1 && e->icmp_type != f->sport) ||
             (e->icmp_code != -1 && e->icmp_code != f->dport)))
            continue;
        result = e->allow;
        break;
    }
    free(sorted);
    return result;
}

static void random_flow(struct flow *f)
{
    memset(f, 0, sizeof *f);
    f->family = rnd() % 3 ? 4 : 6;
    f->proto = (uint8_t)(f->family == 6 && rnd() % 3 == 0 ? 58 : protocols[1 + rnd() % 5]);
    if (f->family == 6 && f->proto == 1)
        f->proto = 58;
    f->sport = (uint16_t)(f->proto == 1 || f->proto == 58 ? rnd() % 5 : rnd() % 1500);
    f->dport = (uint16_t)(f->proto == 1 || f->proto == 58 ? rnd() % 3 : rnd() % 1500);
    for (int side = 0; side < 2; side++) {
        uint8_t *a = side ? f->dst : f->src;
        if (f->family == 4) {
            uint32_t v = htonl(0x0a000000u | (rnd() & 0x3ffff));
            memcpy(a, &v, 4);
        } else {
            uint8_t b[16] = {0x20, 0x01, 0x0d, 0xb8, (uint8_t)(rnd() % 2), (uint8_t)rnd()};
            memcpy(a, b, 16);
        }
    }
}

static void test_differential(void **state)
{
    (void)state;
    struct model_config cfg;
    model_config_defaults(&cfg);
    cfg.nacl_rules_per_direction = 1000;
    struct model *m = model_new(&cfg);
    struct scope *s = model_scope(m, "000000000000", "us-east-1");
    struct merr err = {0};
    struct vpc_create_args va = {.cidr = "10.0.0.0/16", .amazon_ipv6 = true};
    struct vpc *v;
    assert_int_equal(vpc_create(m, s, &va, &v, &err), 0);
    unsigned allowed = 0, denied = 0;
    for (int round = 0; round < 40; round++) {
        struct network_acl *a;
        assert_int_equal(nacl_create(m, s, v->hdr.id, false, NULL, &a, &err), 0);
        for (int i = 0; i < 40; i++) {
            struct nacl_entry e = random_entry(rnd() % 4 == 0);
            nacl_entry_put(m, s, a->hdr.id, &e, false, &err); /* taken numbers are refused */
        }
        assert_true(a->n_entries >= 20);
        struct fib_acl fa;
        assert_int_equal(fib_acl_compile(m, a, &fa), 0);
        for (int q = 0; q < 4000; q++) {
            struct flow f;
            random_flow(&f);
            bool egress = rnd() % 2;
            struct nacl_verdict got = pipeline_nacl_decide(&fa, egress, &f);
            assert_int_equal(got.allow, naive_allow(a, egress, &f));
            got.allow ? allowed++ : denied++;
        }
        fib_acl_destroy(&fa);
        assert_int_equal(nacl_delete(m, s, a->hdr.id, &err), 0);
    }
    /* Both outcomes are common, so agreement means something. */
    assert_true(allowed > 20000 && denied > 20000);
    model_free(m);
}

static void test_default_acl_and_rule_numbers(void **state)
{
    (void)state;
    struct model_config cfg;
    model_config_defaults(&cfg);
    struct model *m = model_new(&cfg);
    struct scope *s = model_scope(m, "000000000000", "us-east-1");
    struct merr err = {0};
    struct vpc_create_args va = {.cidr = "10.0.0.0/16", .amazon_ipv6 = true};
    struct vpc *v;
    assert_int_equal(vpc_create(m, s, &va, &v, &err), 0);
    struct network_acl *def = nacl_find(m, s, v->default_acl_id);
    struct fib_acl fa;
    fib_acl_compile(m, def, &fa);
    struct flow f = {.family = 4, .proto = 6, .sport = 40000, .dport = 22,
                     .src = {10, 0, 1, 5}, .dst = {10, 0, 2, 6}};
    struct nacl_verdict vd = pipeline_nacl_decide(&fa, false, &f);
    assert_true(vd.allow);
    assert_int_equal(vd.rule_number, 100);
    struct flow f6 = {.family = 6, .proto = 17, .dport = 53, .src = {0x20, 0x01, 0x0d, 0xb8}};
    vd = pipeline_nacl_decide(&fa, true, &f6);
    assert_true(vd.allow);
    assert_int_equal(vd.rule_number, 101);
    fib_acl_destroy(&fa);

    /* A custom ACL: allow 22 from 10.0.0.0/8 at 100, deny everything from 10.0.1.0/24 at 90. */
    struct network_acl *a;
    nacl_create(m, s, v->hdr.id, false, NULL, &a, &err);
    struct nacl_entry allow_ssh = {.rule_number = 100, .protocol = 6, .allow = true,
                                   .cidr4 = prefix4_make(0x0a000000u, 8), .has_ports = true,
                                   .port_from = 22, .port_to = 22};
    struct nacl_entry deny_net = {.rule_number = 90, .protocol = -1, .allow = false,
                                  .cidr4 = prefix4_make(0x0a000100u, 24)};
    assert_int_equal(nacl_entry_put(m, s, a->hdr.id, &allow_ssh, false, &err), 0);
    assert_int_equal(nacl_entry_put(m, s, a->hdr.id, &deny_net, false, &err), 0);
    fib_acl_compile(m, a, &fa);
    vd = pipeline_nacl_decide(&fa, false, &f);
    assert_false(vd.allow);
    assert_int_equal(vd.rule_number, 90);
    f.src[2] = 9;
    vd = pipeline_nacl_decide(&fa, false, &f);
    assert_true(vd.allow);
    assert_int_equal(vd.rule_number, 100);
    f.dport = 23;
    vd = pipeline_nacl_decide(&fa, false, &f);
    assert_false(vd.allow);
    assert_int_equal(vd.rule_number, 32767);
    vd = pipeline_nacl_decide(&fa, false, &f6);
    assert_false(vd.allow);
    assert_int_equal(vd.rule_number, 32768);
    /* Egress has only the "*" denies. */
    f.dport = 22;
    vd = pipeline_nacl_decide(&fa, true, &f);
    assert_int_equal(vd.rule_number, 32767);
    fib_acl_destroy(&fa);
    model_free(m);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_default_acl_and_rule_numbers),
    cmocka_unit_test(test_differential),
};

UNIT_MAIN(tests)
