/* Conntrack benchmark: lookups per second on a table holding N tracked flows (random hits, as
 * established traffic of many flows produces), and the table's bytes per flow.
 *
 *   build/bench/ctbench [ENTRIES [LOOKUPS [RUNS]]]      defaults 1000000 20000000 3
 *
 * The table is created with capacity ENTRIES and filled completely, so it runs at its highest
 * load (0.8). Flows are TCP, spread over 64 ENIs, committed mid-stream (ACK: established);
 * each lookup picks a random flow and a random direction (request or reply). IPv4 and IPv6 are
 * measured separately. The flow headers are derived from the flow number on the fly (a few
 * arithmetic instructions) rather than read from an array, so the only memory traffic
 * measured is the table's; the cost of that derivation alone is measured and printed as
 * "generator" (it is included in ns/lookup). Lookups are measured one at a time (each waits
 * for its own cache miss) and in vectors of VEC packets with ct_prefetch() for all of a
 * vector first (how a worker calls it). One thread, wall clock (CLOCK_MONOTONIC). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pipeline/conntrack.h"

#define N_ENIS 64

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

/* Flow i: a unique client address from i, a random server, random ports; reply swaps. */
static void flow_of(uint32_t i, int family, int reply, struct flow *f, uint32_t *eni)
{
    uint64_t r = mix(i);
    memset(f, 0, sizeof *f);
    f->family = (uint8_t)family;
    f->proto = FLOW_PROTO_TCP;
    uint8_t *cli = reply ? f->dst : f->src, *srv = reply ? f->src : f->dst;
    uint16_t cport = (uint16_t)(32768 + (r & 0x7fff)), sport = (uint16_t)(r >> 16);
    if (family == 4) {
        cli[0] = 10;
        cli[1] = (uint8_t)(i >> 16);
        cli[2] = (uint8_t)(i >> 8);
        cli[3] = (uint8_t)i;
        memcpy(srv, (const uint8_t *)&r + 4, 4);
    } else {
        cli[0] = 0x20;
        cli[1] = 0x01;
        cli[2] = 0x0d;
        cli[3] = 0xb8;
        memcpy(cli + 8, &r, 4);
        memcpy(cli + 12, &i, 4);
        srv[0] = 0x26;
        srv[1] = 0x00;
        uint64_t r2 = mix(r);
        memcpy(srv + 8, &r2, 8);
    }
    f->sport = reply ? sport : cport;
    f->dport = reply ? cport : sport;
    *eni = i % N_ENIS;
}

static uint64_t rng = 0x853c49e6748fea9bull;
static volatile uint64_t bench_sink; /* keeps the generator-only loop from being optimized out */

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define MAX_RUNS 15
#ifndef VEC
#define VEC 64
#endif

static int bench_family(int family, uint32_t n, uint64_t lookups, int runs)
{
    struct ct_table *t = ct_table_new(n);
    if (!t) {
        fprintf(stderr, "ct_table_new(%u): %s\n", n, strerror(errno));
        return 1;
    }
    uint64_t now = 1000 * CT_NS_PER_S;
    double t0 = now_s();
    for (uint32_t i = 0; i < n; i++) {
        struct flow f;
        uint32_t eni;
        flow_of(i, family, 0, &f, &eni);
        int rc = ct_commit(t, eni, &f, CT_TCP_ACK, 0, now);
        if (rc != 0) {
            fprintf(stderr, "commit %u: %d\n", i, rc);
            return 1;
        }
    }
    double fill_s = now_s() - t0;
    if (ct_count(t) != n) {
        fprintf(stderr, "count %zu != %u\n", ct_count(t), n);
        return 1;
    }

    double gen[MAX_RUNS] = {0}, look[MAX_RUNS] = {0}, vec[MAX_RUNS] = {0}, miss[MAX_RUNS] = {0};
    for (int run = 0; run < runs; run++) {
        /* The generator alone: same flows, no table. */
        uint64_t sink = 0;
        t0 = now_s();
        for (uint64_t k = 0; k < lookups; k++) {
            uint64_t x = rnd();
            struct flow f;
            uint32_t eni;
            flow_of((uint32_t)((x >> 1) % n), family, (int)(x & 1), &f, &eni);
            sink += f.src[3] + f.dst[15] + eni;
        }
        gen[run] = (now_s() - t0) / (double)lookups * 1e9;
        bench_sink = sink;

        uint64_t hits = 0, replies = 0;
        t0 = now_s();
        for (uint64_t k = 0; k < lookups; k++) {
            uint64_t x = rnd();
            struct flow f;
            uint32_t eni;
            flow_of((uint32_t)((x >> 1) % n), family, (int)(x & 1), &f, &eni);
            bool reply;
            hits += ct_lookup(t, eni, &f, CT_TCP_ACK, 0, now + k, &reply);
            replies += reply;
        }
        look[run] = (now_s() - t0) / (double)lookups * 1e9;
        if (hits != lookups) {
            fprintf(stderr, "only %llu of %llu lookups hit\n", (unsigned long long)hits,
                    (unsigned long long)lookups);
            return 1;
        }

        /* Vectors of VEC packets as a worker takes them: prefetch every packet's slot, then
         * look them all up. */
        hits = 0;
        t0 = now_s();
        for (uint64_t k = 0; k < lookups; k += VEC) {
            struct flow f[VEC];
            uint32_t eni[VEC];
            for (int v = 0; v < VEC; v++) {
                uint64_t x = rnd();
                flow_of((uint32_t)((x >> 1) % n), family, (int)(x & 1), &f[v], &eni[v]);
                ct_prefetch(t, eni[v], &f[v], 0);
            }
            for (int v = 0; v < VEC; v++)
                hits += ct_lookup(t, eni[v], &f[v], CT_TCP_ACK, 0, now + k, NULL);
        }
        uint64_t n_vec = (lookups + VEC - 1) / VEC * VEC;
        vec[run] = (now_s() - t0) / (double)n_vec * 1e9;
        if (hits != n_vec) {
            fprintf(stderr, "vector lookups missed\n");
            return 1;
        }

        /* Misses: the same flows at an ENI that tracks none of them (a new flow's first
         * packet costs one miss before its commit). */
        uint64_t misses = 0;
        uint64_t n_miss = lookups / 4;
        t0 = now_s();
        for (uint64_t k = 0; k < n_miss; k++) {
            uint64_t x = rnd();
            struct flow f;
            uint32_t eni;
            flow_of((uint32_t)((x >> 1) % n), family, (int)(x & 1), &f, &eni);
            misses += !ct_lookup(t, eni + N_ENIS, &f, CT_TCP_ACK, 0, now, NULL);
        }
        miss[run] = (now_s() - t0) / (double)n_miss * 1e9;
        if (misses != n_miss) {
            fprintf(stderr, "a lookup at an unknown ENI hit\n");
            return 1;
        }
        printf("  IPv%d run %d: %.1f ns/lookup (hits), %.1f ns in vectors of %d with "
               "ct_prefetch, %.1f ns (misses), generator %.1f ns, %.1f%% replies\n",
               family, run + 1, look[run], vec[run], VEC, miss[run], gen[run],
               100.0 * (double)replies / (double)lookups);
    }
    qsort(gen, (size_t)runs, sizeof gen[0], cmp_double);
    qsort(look, (size_t)runs, sizeof look[0], cmp_double);
    qsort(miss, (size_t)runs, sizeof miss[0], cmp_double);
    qsort(vec, (size_t)runs, sizeof vec[0], cmp_double);
    double med = look[runs / 2], vmed = vec[runs / 2];
    printf("IPv%d: %u entries, one at a time %.2f M lookups/s (%.1f ns/lookup, median of %d; "
           "generator %.1f ns of it); vectors of %d with ct_prefetch %.2f M lookups/s (%.1f ns); "
           "misses %.1f ns; fill %.2f M commits/s; %.1f bytes per entry (table %zu bytes)\n",
           family, n, 1e3 / med, med, runs, gen[runs / 2], VEC, 1e3 / vmed, vmed, miss[runs / 2],
           (double)n / fill_s / 1e6, (double)ct_table_size(t) / (double)n, ct_table_size(t));
    ct_table_free(t);
    return 0;
}

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 1000000;
    uint64_t lookups = argc > 2 ? strtoull(argv[2], NULL, 10) : 20000000;
    int runs = argc > 3 ? atoi(argv[3]) : 3;
    if (n == 0 || lookups == 0 || runs < 1 || runs > MAX_RUNS) {
        fprintf(stderr, "usage: ctbench [ENTRIES [LOOKUPS [RUNS(1-%d)]]]\n", MAX_RUNS);
        return 2;
    }
    if (bench_family(4, n, lookups, runs) || bench_family(6, n, lookups, runs))
        return 1;
    return 0;
}
