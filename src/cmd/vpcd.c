/* vpcd: the daemon. Parses flags, loads state, serves the API until SIGINT/SIGTERM. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/http.h"
#include "api/service.h"
#include "dp/dp.h"
#include "dp/dp_netns.h"
#include "lib/addr.h"
#include "model/model.h"
#include "store/store.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: vpcd [options]\n"
            "  --listen ADDR:PORT     API address (default 127.0.0.1:4566)\n"
            "  --state DIR            state directory (default ./var)\n"
            "  --credentials FILE     extra keys: 'ACCESS_KEY_ID SECRET_ACCESS_KEY ACCOUNT_ID' per line\n"
            "  --dev                  skip SigV4 checks (a 12-digit key id selects the account) and\n"
            "                         enable POST /_vpcd/reset and POST /_vpcd/clock?advance=S\n"
            "  --no-dataplane         control plane only (no namespaces or packet forwarding)\n"
            "  --threads N            HTTP polling threads (default: one per two CPUs)\n"
            "  --no-fsync             commit without fsync: survives a vpcd crash, not a host crash\n"
            "  --quota NAME=N         override a quota: vpcs-per-region, subnets-per-vpc,\n"
            "                         ipv4-cidrs-per-vpc, ipv6-cidrs-per-vpc, route-tables-per-vpc,\n"
            "                         routes-per-table, security-groups-per-region,\n"
            "                         rules-per-security-group, network-acls-per-vpc,\n"
            "                         network-acl-rules, internet-gateways-per-region,\n"
            "                         prefix-lists-per-region, eips-per-region,\n"
            "                         peerings-per-vpc (at most 125)\n"
            "  --eip-pool CIDR        Elastic IP addresses come from here (default 203.0.113.0/24)\n"
            "  --flow-log-interval S  deliver flow log records every S seconds (1-600; default\n"
            "                         60, AWS's capture window on Nitro instances): for tests\n"
            "  --nat-idle-timeout S   NAT gateways forget idle flows after S seconds (default 350,\n"
            "                         AWS's): for tests\n"
            "  --help                 this text\n");
}

static int set_quota(struct model_config *cfg, const char *spec)
{
    static const struct {
        const char *name;
        size_t offset;
    } quotas[] = {
        {"vpcs-per-region", offsetof(struct model_config, vpcs_per_region)},
        {"subnets-per-vpc", offsetof(struct model_config, subnets_per_vpc)},
        {"ipv4-cidrs-per-vpc", offsetof(struct model_config, ipv4_cidrs_per_vpc)},
        {"ipv6-cidrs-per-vpc", offsetof(struct model_config, ipv6_cidrs_per_vpc)},
        {"route-tables-per-vpc", offsetof(struct model_config, rtbs_per_vpc)},
        {"routes-per-table", offsetof(struct model_config, routes_per_rtb)},
        {"security-groups-per-region", offsetof(struct model_config, sgs_per_region)},
        {"rules-per-security-group", offsetof(struct model_config, rules_per_sg)},
        {"network-acls-per-vpc", offsetof(struct model_config, nacls_per_vpc)},
        {"network-acl-rules", offsetof(struct model_config, nacl_rules_per_direction)},
        {"internet-gateways-per-region", offsetof(struct model_config, igws_per_region)},
        {"prefix-lists-per-region", offsetof(struct model_config, prefix_lists_per_region)},
        {"eips-per-region", offsetof(struct model_config, eips_per_region)},
        {"peerings-per-vpc", offsetof(struct model_config, peerings_per_vpc)},
    };
    const char *eq = strchr(spec, '=');
    if (!eq)
        return -EINVAL;
    char *end;
    unsigned long v = strtoul(eq + 1, &end, 10);
    if (*end || end == eq + 1 || v == 0 || v > 1000000)
        return -EINVAL;
    for (size_t i = 0; i < sizeof quotas / sizeof quotas[0]; i++) {
        if (strlen(quotas[i].name) == (size_t)(eq - spec) &&
            strncmp(quotas[i].name, spec, (size_t)(eq - spec)) == 0) {
            *(unsigned *)((char *)cfg + quotas[i].offset) = (unsigned)v;
            return 0;
        }
    }
    return -EINVAL;
}

/* A whole number of seconds in 1..max. */
static int parse_seconds(const char *text, unsigned long max, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);
    if (*end || end == text || v < 1 || v > max)
        return -EINVAL;
    *out = (unsigned)v;
    return 0;
}

int main(int argc, char **argv)
{
    /* A request's buffers come and go by the hundred kilobytes; with glibc's default trim
     * threshold each thread's heap shrank after them and grew again on the next request, a
     * page fault (and a zeroed page) per 4 KiB every time. Keeping the top of the heap costs a
     * few megabytes. */
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 4 << 20);
    const char *listen = "127.0.0.1:4566", *state = "./var", *credentials = NULL;
    bool dev = false, fsync_commits = true, dataplane = true;
    unsigned flow_log_interval = 60, nat_idle_timeout = 350;
    int http_threads = 0; /* 0: one polling thread per two CPUs */
    struct model_config cfg;
    model_config_defaults(&cfg);
    enum { OPT_LISTEN = 256, OPT_STATE, OPT_CREDS, OPT_DEV, OPT_NODP, OPT_THREADS, OPT_NOFSYNC,
           OPT_QUOTA, OPT_EIP_POOL, OPT_FLOW_LOG_INTERVAL, OPT_NAT_IDLE, OPT_HELP };
    static const struct option opts[] = {
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"state", required_argument, NULL, OPT_STATE},
        {"credentials", required_argument, NULL, OPT_CREDS},
        {"dev", no_argument, NULL, OPT_DEV},
        {"no-dataplane", no_argument, NULL, OPT_NODP},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"no-fsync", no_argument, NULL, OPT_NOFSYNC},
        {"quota", required_argument, NULL, OPT_QUOTA},
        {"eip-pool", required_argument, NULL, OPT_EIP_POOL},
        {"flow-log-interval", required_argument, NULL, OPT_FLOW_LOG_INTERVAL},
        {"nat-idle-timeout", required_argument, NULL, OPT_NAT_IDLE},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case OPT_LISTEN: listen = optarg; break;
        case OPT_STATE: state = optarg; break;
        case OPT_CREDS: credentials = optarg; break;
        case OPT_DEV: dev = true; break;
        case OPT_NODP: dataplane = false; break;
        case OPT_THREADS:
            http_threads = atoi(optarg);
            if (http_threads < 1 || http_threads > 64) {
                fprintf(stderr, "vpcd: --threads wants 1 to 64, not '%s'\n", optarg);
                return 2;
            }
            break;
        case OPT_NOFSYNC: fsync_commits = false; break;
        case OPT_QUOTA:
            if (set_quota(&cfg, optarg)) {
                fprintf(stderr, "vpcd: bad --quota '%s'\n", optarg);
                return 2;
            }
            break;
        case OPT_EIP_POOL: {
            struct prefix4 pool;
            if (prefix4_parse(optarg, &pool) || pool.len > 30 || pool.len < 8) {
                fprintf(stderr, "vpcd: bad --eip-pool '%s' (an IPv4 CIDR, /8 to /30)\n", optarg);
                return 2;
            }
            cfg.eip_pool_addr = pool.addr;
            cfg.eip_pool_len = pool.len;
            break;
        }
        case OPT_FLOW_LOG_INTERVAL:
            if (parse_seconds(optarg, 600, &flow_log_interval)) {
                fprintf(stderr, "vpcd: bad --flow-log-interval '%s' (1 to 600 seconds)\n", optarg);
                return 2;
            }
            break;
        case OPT_NAT_IDLE:
            if (parse_seconds(optarg, 3600, &nat_idle_timeout)) {
                fprintf(stderr, "vpcd: bad --nat-idle-timeout '%s' (1 to 3600 seconds)\n", optarg);
                return 2;
            }
            break;
        case OPT_HELP: usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }

    struct store *store;
    int rc = store_open(state, fsync_commits, &store);
    if (rc) {
        fprintf(stderr, "vpcd: cannot open state in %s: %s\n", state, strerror(-rc));
        return 1;
    }
    struct model *model = model_new(&cfg);
    if (store_load(store, model) != 0) {
        fprintf(stderr, "vpcd: cannot load state from %s\n", state);
        model_free(model);
        store_close(store);
        return 1;
    }
    struct service svc;
    service_init(&svc, model, store, dev);
    if (credentials && (rc = service_load_credentials(&svc, credentials)) != 0) {
        fprintf(stderr, "vpcd: cannot read credentials %s: %s\n", credentials, strerror(-rc));
        service_destroy(&svc);
        return 1;
    }
    struct http_server *http;
    if ((rc = http_start(&svc, listen, (unsigned)http_threads, &http)) != 0) {
        fprintf(stderr, "vpcd: cannot listen on %s: %s\n", listen, strerror(-rc));
        service_destroy(&svc);
        return 1;
    }
    /* Instances are namespaces with TAP devices, which takes root. Without it vpcd still
     * serves the whole API, and the analyzer still answers; only real packets are missing. */
    struct dp *dp = NULL;
    if (dataplane && geteuid() != 0) {
        fprintf(stderr, "vpcd: not running as root: the data plane is off (instances get no "
                        "namespaces); --no-dataplane silences this\n");
    } else if (dataplane) {
        dp = dp_new(&dp_netns_ops);
        /* Flow logs land under the state directory: ./var/s3/<bucket>/..., ./var/logs/<group>/. */
        dp_set_flow_logs(dp, state, flow_log_interval);
        dp_set_nat_idle_timeout(dp, nat_idle_timeout);
        struct service_hooks hooks = {.ctx = dp, .changed = dp_hook_changed,
                                      .metrics = dp_hook_metrics};
        service_set_hooks(&svc, &hooks);
        pthread_mutex_lock(&svc.lock);
        dp_netns_sweep(dp, svc.model);
        pthread_mutex_unlock(&svc.lock);
        if ((rc = dp_start(dp)) != 0) {
            fprintf(stderr, "vpcd: cannot start the data plane: %s\n", strerror(-rc));
            return 1;
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    fprintf(stderr, "vpcd: serving the EC2 API on http://%s (state %s%s%s)\n", listen, state,
            dev ? ", dev mode" : "", dp ? ", data plane on" : "");
    while (!stop_requested)
        pause();
    http_stop(http);
    if (dp) {
        struct service_hooks none = {0};
        service_set_hooks(&svc, &none);
        dp_free(dp);
    }
    service_destroy(&svc);
    fprintf(stderr, "vpcd: stopped\n");
    return 0;
}
