/* Control-plane scale benchmark (issue 7, acceptance 4): a network of 10,000 VPCs and 100,000
 * routes (each VPC: a subnet, an internet gateway, and 10 routes in its main table). Measures
 * what the data plane sees, through the data plane's own entry point dp_sync() (compile the
 * snapshot, publish the view) with no instances:
 *   - the first publication of the whole network;
 *   - one route added to one table, until the new view is published (incremental);
 *   - startup: the state saved to SQLite, loaded into a fresh model, and published;
 *   - memory: the process's resident set before and after.
 * Prints key=value lines; RESULT is the summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dp/dp.h"
#include "model/resources.h"
#include "store/store.h"

#define N_VPCS 10000u
#define ROUTES_PER_VPC 10u

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void must(int rc, const struct merr *err, const char *what)
{
    if (rc) {
        fprintf(stderr, "scbench: %s: %s %s\n", what, err->code, err->message);
        exit(1);
    }
}

static void config(struct model_config *cfg)
{
    model_config_defaults(cfg);
    cfg->vpcs_per_region = N_VPCS + 10;
    cfg->igws_per_region = N_VPCS + 10;
    cfg->routes_per_rtb = 1000;
}

static int no_instance_up(void *ctx, const struct dp_instance *in, struct io_port **ports)
{
    (void)ctx, (void)in, (void)ports;
    return -1;
}

static const struct dp_port_ops no_ports = {.instance_up = no_instance_up};

/* dp_sync() of m into dp, in seconds. */
static double publish(struct dp *dp, struct model *m)
{
    double t0 = now();
    dp_sync(dp, m);
    return now() - t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/var/tmp/vpcd-scbench";
    long rss0 = rss_kib();
    struct model_config cfg;
    config(&cfg);
    struct model *m = model_new(&cfg);
    struct scope *s = model_scope(m, "000000000000", "us-east-1");
    struct merr err = {0};
    char first_rtb[ID_MAX] = "", first_igw[ID_MAX] = "";
    double t_build = now();
    for (unsigned i = 0; i < N_VPCS; i++) {
        char cidr[32], sub[32], id[ID_MAX], rtb[ID_MAX], igw[ID_MAX];
        snprintf(cidr, sizeof cidr, "10.%u.%u.0/24", i / 256, i % 256);
        snprintf(sub, sizeof sub, "10.%u.%u.0/26", i / 256, i % 256);
        struct vpc_create_args va = {.cidr = cidr};
        struct vpc *v;
        must(vpc_create(m, s, &va, &v, &err), &err, "vpc");
        snprintf(id, sizeof id, "%s", v->hdr.id);
        snprintf(rtb, sizeof rtb, "%s", v->main_rtb_id);
        struct subnet *sn;
        struct subnet_create_args sa = {.vpc_id = id, .cidr = sub};
        must(subnet_create(m, s, &sa, &sn, &err), &err, "subnet");
        struct igw *g;
        must(igw_create(m, s, NULL, &g, &err), &err, "igw");
        snprintf(igw, sizeof igw, "%s", g->hdr.id);
        must(igw_attach(m, s, igw, id, &err), &err, "igw attach");
        for (unsigned r = 0; r < ROUTES_PER_VPC; r++) {
            char dst[32];
            snprintf(dst, sizeof dst, "%u.%u.%u.0/24", 100 + r, i / 256, i % 256);
            struct route_dest_args d = {.cidr = dst};
            struct route_target_args t = {.gateway_id = igw};
            must(route_create(m, s, rtb, &d, &t, &err), &err, "route");
        }
        if (i == 0) {
            snprintf(first_rtb, sizeof first_rtb, "%s", rtb);
            snprintf(first_igw, sizeof first_igw, "%s", igw);
        }
    }
    t_build = now() - t_build;
    struct dp *dp = dp_new(&no_ports);
    double t_first = publish(dp, m);
    long rss1 = rss_kib();
    /* One route at a time, in the first VPC's table: each change published alone. */
    enum { CHANGES = 11 };
    double change[CHANGES];
    for (int k = 0; k < CHANGES; k++) {
        char dst[32];
        snprintf(dst, sizeof dst, "198.51.%d.0/24", k);
        struct route_dest_args d = {.cidr = dst};
        struct route_target_args t = {.gateway_id = first_igw};
        must(route_create(m, s, first_rtb, &d, &t, &err), &err, "route change");
        change[k] = publish(dp, m);
    }
    qsort(change, CHANGES, sizeof change[0], cmp_double);
    /* Startup: persist, then a fresh model loads the state and the data plane publishes it. */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0)
        return 1;
    struct store *st;
    if (store_open(dir, true, &st) != 0 || store_commit(st, m) != 0) {
        fprintf(stderr, "scbench: cannot save the state in %s\n", dir);
        return 1;
    }
    store_close(st);
    dp_free(dp);
    model_free(m);
    double t_start = now();
    struct model *m2 = model_new(&cfg);
    if (store_open(dir, true, &st) != 0 || store_load(st, m2) != 0) {
        fprintf(stderr, "scbench: cannot load the state from %s\n", dir);
        return 1;
    }
    double t_loaded = now() - t_start;
    struct dp *dp2 = dp_new(&no_ports);
    publish(dp2, m2);
    t_start = now() - t_start;
    printf("network vpcs=%u routes=%u build_model_s=%.2f\n", N_VPCS, N_VPCS * ROUTES_PER_VPC,
           t_build);
    printf("first_publish_ms=%.1f rss_model_and_view_mib=%.1f\n", t_first * 1e3,
           (double)(rss1 - rss0) / 1024.0);
    printf("route_change_ms median=%.3f min=%.3f max=%.3f (n=%d)\n", change[CHANGES / 2] * 1e3,
           change[0] * 1e3, change[CHANGES - 1] * 1e3, CHANGES);
    printf("startup_load_s=%.2f startup_total_s=%.2f\n", t_loaded, t_start);
    printf("RESULT startup_s=%.2f route_change_ms=%.3f memory_mib=%.1f\n", t_start,
           change[CHANGES / 2] * 1e3, (double)(rss1 - rss0) / 1024.0);
    store_close(st);
    dp_free(dp2);
    model_free(m2);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) != 0;
}
