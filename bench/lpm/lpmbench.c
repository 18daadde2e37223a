/* LPM benchmark: vpcd's IPv4 LPM against DPDK's rte_fib (DIR-24-8) and rte_lpm, in the same
 * process and run, on the same tables and the same addresses (issue 7, acceptance 2).
 *
 *   build/bench/lpmbench [RUNS [LOOKUPS]]          defaults 5 1048576
 *
 * Tables, generated deterministically from fixed seeds (no download):
 *   vpc1k  1,000 routes shaped like a VPC / TGW route table: 0.0.0.0/0, 10.0.0.0/8, a few
 *          /32s, the rest /16-/28 inside 64 VPC /16s of 10.0.0.0/8 (so they nest).
 *   bgp500k 500,000 prefixes with a BGP-like length mix (about 60 % /24, 20 % /22-/23, 15 %
 *          /16-/21, the rest /8-/15 and /25-/32), clustered in 8,192 /13 blocks of unicast
 *          space so that shorter prefixes cover longer ones.
 * Addresses (LOOKUPS of each kind): "random" uniformly random u32s; "inside" a random route's
 * prefix with random host bits. Every structure looks up the whole array in batches of 64
 * (lpm_lookup4_batch, rte_fib_lookup_bulk, rte_lpm_lookup_bulk); each run times enough passes
 * for ~0.25 s per structure, structures interleaved; medians over RUNS. Rates are lookups per
 * second of the thread's CPU time (CLOCK_THREAD_CPUTIME_ID); build times are wall clock. Before
 * timing, every address's answer is compared across the structures and against vpcd's single
 * lookup: one mismatch fails the benchmark (exit 1).
 *
 * Memory: lpm_memory() for vpcd; for DPDK the growth of the EAL heap's allocated bytes across
 * creating and filling the structure (tbl24, tbl8 groups and the RIB). Update cost: building
 * the table by inserts, and deleting then re-adding 10,000 routes (µs per operation).
 *
 * EAL runs without hugepages: --no-huge -m 1536 --no-pci --no-telemetry -l 0 --no-shconf (see
 * bench/README.md). Prints key=value lines; RESULT lines are the summary. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_lpm.h>
#include <rte_malloc.h>
#include <rte_vect.h>

#include "lib/lpm.h"

#define BATCH 64
#define NO_ROUTE 0x7fffffffu /* rte_fib's default next hop; no route index reaches it */

struct route4 {
    uint32_t addr; /* host order, masked */
    uint8_t len;
};

static uint64_t rng;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 32);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Lookup rates use this thread's CPU time: on a shared 2-CPU machine wall time also counts
 * the slices other processes take, which hits whichever structure happens to be running. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t mask_of(uint8_t len)
{
    return len ? ~0u << (32 - len) : 0;
}

/* Appends addr/len unless that prefix is already in (dedup through the vpcd table). */
static void add_route(struct route4 *r, size_t *n, struct lpm *seen, uint32_t addr, uint8_t len)
{
    addr &= mask_of(len);
    uint32_t be = htonl(addr);
    if (lpm_get(seen, (const uint8_t *)&be, len, NULL))
        return;
    lpm_insert(seen, (const uint8_t *)&be, len, 0);
    r[(*n)++] = (struct route4){addr, len};
}

static size_t gen_vpc(struct route4 *r, size_t want)
{
    struct lpm *seen = lpm_new(4);
    size_t n = 0;
    rng = 0x5eed0001u;
    add_route(r, &n, seen, 0, 0);
    add_route(r, &n, seen, 10u << 24, 8);
    for (int i = 0; i < 4; i++)
        add_route(r, &n, seen, rnd(), 32);
    for (int i = 0; i < 4; i++)
        add_route(r, &n, seen, 10u << 24 | (rnd() & 0xffffff), 32);
    uint32_t vpcs[64];
    for (int i = 0; i < 64; i++)
        vpcs[i] = 10u << 24 | (rnd() % 256) << 16;
    while (n < want) {
        uint32_t base = vpcs[rnd() % 64];
        unsigned pick = rnd() % 100;
        uint8_t len = pick < 10   ? 16
                      : pick < 30 ? (uint8_t)(17 + rnd() % 7)
                      : pick < 60 ? 24
                                  : (uint8_t)(25 + rnd() % 4);
        add_route(r, &n, seen, base | (rnd() & 0xffff), len);
    }
    lpm_free(seen);
    return n;
}

static uint8_t bgp_len(void)
{
    unsigned p = rnd() % 1000;
    if (p < 600)
        return 24;
    if (p < 700)
        return 23;
    if (p < 800)
        return 22;
    if (p < 850)
        return 21;
    if (p < 890)
        return 20;
    if (p < 915)
        return 19;
    if (p < 935)
        return 18;
    if (p < 950)
        return 17;
    if (p < 975)
        return 16;
    if (p < 990)
        return (uint8_t)(8 + rnd() % 8);
    return (uint8_t)(25 + rnd() % 8);
}

static size_t gen_bgp(struct route4 *r, size_t want)
{
    struct lpm *seen = lpm_new(4);
    size_t n = 0;
    rng = 0x5eed0002u;
    enum { BLOCKS = 8192 };
    uint32_t *blocks = malloc(BLOCKS * sizeof *blocks);
    for (int i = 0; i < BLOCKS; i++)
        blocks[i] = ((1 + rnd() % 223) << 24 | (rnd() & 0xffffff)) & mask_of(13);
    while (n < want) {
        uint8_t len = bgp_len();
        uint32_t a = len <= 13 ? blocks[rnd() % BLOCKS] | (rnd() & 0x00ffffff)
                               : blocks[rnd() % BLOCKS] | (rnd() & ~mask_of(13));
        add_route(r, &n, seen, a, len);
    }
    free(blocks);
    lpm_free(seen);
    return n;
}

struct structures {
    struct lpm *vpcd;
    struct rte_fib *fib;
    struct rte_lpm *dlpm;
    size_t vpcd_bytes, fib_bytes, dlpm_bytes;
    double vpcd_build_s, fib_build_s, dlpm_build_s;
};

static size_t heap_bytes(void)
{
    struct rte_malloc_socket_stats st;
    size_t total = 0;
    for (int s = 0; s < RTE_MAX_NUMA_NODES; s++)
        if (rte_malloc_get_socket_stats(s, &st) == 0)
            total += st.heap_allocsz_bytes;
    return total;
}

/* rte_lpm takes depths 1..32: a /0 goes in as its two /1 halves (no table here has a /1). */
static int dlpm_add(struct rte_lpm *lpm, uint32_t addr, uint8_t len, uint32_t nh)
{
    if (len)
        return rte_lpm_add(lpm, addr, len, nh);
    int rc = rte_lpm_add(lpm, 0, 1, nh);
    return rc ? rc : rte_lpm_add(lpm, 0x80000000u, 1, nh);
}

static int dlpm_delete(struct rte_lpm *lpm, uint32_t addr, uint8_t len)
{
    if (len)
        return rte_lpm_delete(lpm, addr, len);
    int rc = rte_lpm_delete(lpm, 0, 1);
    return rc ? rc : rte_lpm_delete(lpm, 0x80000000u, 1);
}

static int build(const char *name, const struct route4 *r, size_t n, struct structures *s)
{
    char nm[64];
    double t0 = now_s();
    s->vpcd = lpm_new(4);
    for (size_t i = 0; i < n; i++) {
        uint32_t be = htonl(r[i].addr);
        lpm_insert(s->vpcd, (const uint8_t *)&be, r[i].len, (uint32_t)i);
    }
    s->vpcd_build_s = now_s() - t0;
    s->vpcd_bytes = lpm_memory(s->vpcd);

    size_t h0 = heap_bytes();
    struct rte_fib_conf fc = {
        .type = RTE_FIB_DIR24_8,
        .default_nh = NO_ROUTE,
        .max_routes = (int)n + 16,
        .dir24_8 = {.nh_sz = RTE_FIB_DIR24_8_4B, .num_tbl8 = n > 10000 ? 1u << 15 : 1u << 11},
    };
    snprintf(nm, sizeof nm, "fib_%s", name);
    t0 = now_s();
    s->fib = rte_fib_create(nm, SOCKET_ID_ANY, &fc);
    if (!s->fib) {
        fprintf(stderr, "rte_fib_create: %s\n", rte_strerror(rte_errno));
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (rte_fib_add(s->fib, r[i].addr, r[i].len, i) != 0) {
            fprintf(stderr, "rte_fib_add failed at route %zu\n", i);
            return -1;
        }
    s->fib_build_s = now_s() - t0;
    s->fib_bytes = heap_bytes() - h0;

    h0 = heap_bytes();
    struct rte_lpm_config lc = {.max_rules = (uint32_t)n + 16,
                                .number_tbl8s = n > 10000 ? 1u << 15 : 1u << 11};
    snprintf(nm, sizeof nm, "lpm_%s", name);
    t0 = now_s();
    s->dlpm = rte_lpm_create(nm, SOCKET_ID_ANY, &lc);
    if (!s->dlpm) {
        fprintf(stderr, "rte_lpm_create: %s\n", rte_strerror(rte_errno));
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (dlpm_add(s->dlpm, r[i].addr, r[i].len, (uint32_t)i) != 0) {
            fprintf(stderr, "rte_lpm_add failed at route %zu\n", i);
            return -1;
        }
    s->dlpm_build_s = now_s() - t0;
    s->dlpm_bytes = heap_bytes() - h0;
    return 0;
}

/* Each structure's answer for every address must be the same route index (or none). */
static int verify(const struct structures *s, const uint32_t *host, const uint32_t *be, size_t n)
{
    uint32_t v[BATCH], lv[BATCH];
    bool f[BATCH];
    uint64_t nh[BATCH];
    size_t bad = 0;
    for (size_t base = 0; base < n; base += BATCH) {
        unsigned m = n - base < BATCH ? (unsigned)(n - base) : BATCH;
        lpm_lookup4_batch(s->vpcd, be + base, m, v, f);
        rte_fib_lookup_bulk(s->fib, (uint32_t *)(uintptr_t)(host + base), nh, (int)m);
        rte_lpm_lookup_bulk(s->dlpm, host + base, lv, m);
        for (unsigned i = 0; i < m; i++) {
            uint32_t one = 0;
            bool fo = lpm_lookup(s->vpcd, (const uint8_t *)&be[base + i], &one, NULL);
            uint32_t want = f[i] ? v[i] : NO_ROUTE;
            uint32_t got_lpm = lv[i] & RTE_LPM_LOOKUP_SUCCESS ? lv[i] & 0xffffff : NO_ROUTE;
            if (fo != f[i] || (fo && one != v[i]) || nh[i] != want || got_lpm != want) {
                if (bad++ < 5)
                    fprintf(stderr,
                            "MISMATCH addr=%08x vpcd=%u/%d single=%u/%d rte_fib=%lu "
                            "rte_lpm=%u\n",
                            host[base + i], v[i], f[i], one, fo, (unsigned long)nh[i], got_lpm);
            }
        }
    }
    return bad ? -1 : 0;
}

static uint64_t sink;

static double run_vpcd(const struct lpm *t, const uint32_t *be, size_t n, unsigned passes)
{
    uint32_t v[BATCH];
    bool f[BATCH];
    double t0 = cpu_s();
    for (unsigned p = 0; p < passes; p++)
        for (size_t base = 0; base < n; base += BATCH) {
            lpm_lookup4_batch(t, be + base, BATCH, v, f);
            sink += v[base & (BATCH - 1)] + f[0];
        }
    return (double)n * passes / (cpu_s() - t0) / 1e6;
}

static double run_fib(struct rte_fib *fib, const uint32_t *host, size_t n, unsigned passes)
{
    uint64_t nh[BATCH];
    double t0 = cpu_s();
    for (unsigned p = 0; p < passes; p++)
        for (size_t base = 0; base < n; base += BATCH) {
            rte_fib_lookup_bulk(fib, (uint32_t *)(uintptr_t)(host + base), nh, BATCH);
            sink += nh[base & (BATCH - 1)];
        }
    return (double)n * passes / (cpu_s() - t0) / 1e6;
}

static double run_dlpm(const struct rte_lpm *lpm, const uint32_t *host, size_t n, unsigned passes)
{
    uint32_t nh[BATCH];
    double t0 = cpu_s();
    for (unsigned p = 0; p < passes; p++)
        for (size_t base = 0; base < n; base += BATCH) {
            rte_lpm_lookup_bulk(lpm, host + base, nh, BATCH);
            sink += nh[base & (BATCH - 1)];
        }
    return (double)n * passes / (cpu_s() - t0) / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return v[n / 2];
}

enum { MAX_RUNS = 31 };

static int bench_addrs(const char *table, const char *kind, const struct structures *s,
                       struct rte_fib *fib_avx, const uint32_t *host, const uint32_t *be, size_t n,
                       unsigned runs)
{
    if (verify(s, host, be, n) != 0) {
        fprintf(stderr, "lpmbench: %s/%s: structures disagree\n", table, kind);
        return -1;
    }
    /* One pass each to warm the caches and size the timed passes (~0.25 s each). */
    double rate = run_vpcd(s->vpcd, be, n, 1);
    run_fib(s->fib, host, n, 1);
    run_dlpm(s->dlpm, host, n, 1);
    double slowest = rate;
    double fr = run_fib(s->fib, host, n, 1), lr = run_dlpm(s->dlpm, host, n, 1);
    slowest = fr < slowest ? fr : slowest;
    slowest = lr < slowest ? lr : slowest;
    unsigned passes = (unsigned)(0.25 * slowest * 1e6 / (double)n) + 1;
    double a[MAX_RUNS], b[MAX_RUNS], c[MAX_RUNS], d[MAX_RUNS];
    for (unsigned r = 0; r < runs; r++) {
        a[r] = run_vpcd(s->vpcd, be, n, passes);
        b[r] = run_fib(s->fib, host, n, passes);
        c[r] = run_dlpm(s->dlpm, host, n, passes);
        d[r] = fib_avx ? run_fib(fib_avx, host, n, passes) : 0;
        printf("run table=%s addrs=%s run=%u vpcd=%.1f rte_fib=%.1f rte_lpm=%.1f "
               "rte_fib_avx512=%.1f\n",
               table, kind, r + 1, a[r], b[r], c[r], d[r]);
    }
    double ma = median(a, runs), mb = median(b, runs), mc = median(c, runs), md = median(d, runs);
    printf("RESULT table=%s addrs=%s vpcd_mlps=%.1f rte_fib_mlps=%.1f rte_lpm_mlps=%.1f "
           "rte_fib_avx512_mlps=%.1f vpcd_bytes=%zu rte_fib_bytes=%zu rte_lpm_bytes=%zu "
           "met=%s\n",
           table, kind, ma, mb, mc, md, s->vpcd_bytes, s->fib_bytes, s->dlpm_bytes,
           ma >= mb ? "yes" : "no");
    fflush(stdout);
    return 0;
}

/* Deletes and re-adds k routes of the table in each structure: µs per operation. */
static void bench_updates(const char *table, struct structures *s, const struct route4 *r, size_t n)
{
    size_t k = n < 10000 ? n : 10000;
    rng = 0x5eed0003u;
    size_t *pick = malloc(k * sizeof *pick);
    for (size_t i = 0; i < k; i++)
        pick[i] = rnd() % n;
    double t0 = now_s();
    for (size_t i = 0; i < k; i++) {
        uint32_t be = htonl(r[pick[i]].addr);
        if (lpm_delete(s->vpcd, (const uint8_t *)&be, r[pick[i]].len) == 0)
            lpm_insert(s->vpcd, (const uint8_t *)&be, r[pick[i]].len, (uint32_t)pick[i]);
    }
    double tv = now_s() - t0;
    t0 = now_s();
    for (size_t i = 0; i < k; i++)
        if (rte_fib_delete(s->fib, r[pick[i]].addr, r[pick[i]].len) == 0)
            rte_fib_add(s->fib, r[pick[i]].addr, r[pick[i]].len, pick[i]);
    double tf = now_s() - t0;
    t0 = now_s();
    for (size_t i = 0; i < k; i++)
        if (dlpm_delete(s->dlpm, r[pick[i]].addr, r[pick[i]].len) == 0)
            dlpm_add(s->dlpm, r[pick[i]].addr, r[pick[i]].len, (uint32_t)pick[i]);
    double tl = now_s() - t0;
    printf("UPDATE table=%s routes=%zu build_s vpcd=%.3f rte_fib=%.3f rte_lpm=%.3f "
           "delete+add_us vpcd=%.2f rte_fib=%.2f rte_lpm=%.2f vpcd_bytes_after=%zu\n",
           table, n, s->vpcd_build_s, s->fib_build_s, s->dlpm_build_s, tv * 1e6 / (2.0 * k),
           tf * 1e6 / (2.0 * k), tl * 1e6 / (2.0 * k), lpm_memory(s->vpcd));
    free(pick);
}

static int bench_table(const char *name, const struct route4 *r, size_t n, size_t n_addrs,
                       unsigned runs)
{
    struct structures s;
    memset(&s, 0, sizeof s);
    if (build(name, r, n, &s) != 0)
        return -1;
    /* The AVX-512 lookup of rte_fib, when this CPU and DPDK build have it: reported, not the
     * target (rte_fib's default lookup is the scalar one at EAL's default SIMD width). */
    struct rte_fib *avx = NULL;
    {
        char nm[64];
        snprintf(nm, sizeof nm, "fibavx_%s", name);
        struct rte_fib_conf fc = {
            .type = RTE_FIB_DIR24_8,
            .default_nh = NO_ROUTE,
            .max_routes = (int)n + 16,
            .dir24_8 = {.nh_sz = RTE_FIB_DIR24_8_4B, .num_tbl8 = n > 10000 ? 1u << 15 : 1u << 11},
        };
        avx = rte_fib_create(nm, SOCKET_ID_ANY, &fc);
        for (size_t i = 0; avx && i < n; i++)
            rte_fib_add(avx, r[i].addr, r[i].len, i);
        uint16_t width = rte_vect_get_max_simd_bitwidth();
        rte_vect_set_max_simd_bitwidth(RTE_VECT_SIMD_512);
        if (avx && rte_fib_select_lookup(avx, RTE_FIB_LOOKUP_DIR24_8_VECTOR_AVX512) != 0) {
            rte_fib_free(avx);
            avx = NULL;
        }
        rte_vect_set_max_simd_bitwidth(width);
    }
    printf("table=%s routes=%zu vpcd_bytes=%zu rte_fib_bytes=%zu rte_lpm_bytes=%zu "
           "rte_fib_avx512=%s\n",
           name, n, s.vpcd_bytes, s.fib_bytes, s.dlpm_bytes, avx ? "yes" : "unavailable");

    uint32_t *host = malloc(n_addrs * sizeof *host), *be = malloc(n_addrs * sizeof *be);
    int rc = 0;
    rng = 0x5eed0004u;
    for (size_t i = 0; i < n_addrs; i++)
        host[i] = rnd();
    for (size_t i = 0; i < n_addrs; i++)
        be[i] = htonl(host[i]);
    rc |= bench_addrs(name, "random", &s, avx, host, be, n_addrs, runs);
    for (size_t i = 0; i < n_addrs; i++) {
        const struct route4 *x = &r[rnd() % n];
        host[i] = x->addr | (rnd() & ~mask_of(x->len));
        be[i] = htonl(host[i]);
    }
    rc |= bench_addrs(name, "inside", &s, avx, host, be, n_addrs, runs);
    bench_updates(name, &s, r, n);
    free(host);
    free(be);
    lpm_free(s.vpcd);
    rte_fib_free(s.fib);
    rte_fib_free(avx);
    rte_lpm_free(s.dlpm);
    return rc;
}

int main(int argc, char **argv)
{
    unsigned runs = argc > 1 ? (unsigned)atoi(argv[1]) : 5;
    size_t n_addrs = argc > 2 ? (size_t)atol(argv[2]) : (size_t)1 << 20;
    if (runs < 1 || runs > MAX_RUNS || n_addrs < BATCH) {
        fprintf(stderr, "usage: lpmbench [RUNS (1..%d) [LOOKUPS (>= %d)]]\n", MAX_RUNS, BATCH);
        return 2;
    }
    n_addrs -= n_addrs % BATCH;
    char *eal[] = {"lpmbench",    "--no-huge",      "-m",         "1536",
                   "--no-pci",    "--no-telemetry", "-l",         "0",
                   "--log-level", "lib.eal:error",  "--no-shconf"};
    if (rte_eal_init((int)(sizeof eal / sizeof eal[0]), eal) < 0) {
        fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
        return 1;
    }
    printf("eal=--no-huge -m 1536 --no-pci --no-telemetry -l 0 --no-shconf runs=%u lookups=%zu "
           "batch=%d\n",
           runs, n_addrs, BATCH);
    struct route4 *r = malloc(500000 * sizeof *r);
    int rc = 0;
    size_t n = gen_vpc(r, 1000);
    rc |= bench_table("vpc1k", r, n, n_addrs, runs);
    n = gen_bgp(r, 500000);
    rc |= bench_table("bgp500k", r, n, n_addrs, runs);
    free(r);
    printf("sink=%lu\n", (unsigned long)sink);
    rte_eal_cleanup();
    return rc ? 1 : 0;
}
