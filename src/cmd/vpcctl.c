/* vpcctl: the command-line client. Parses arguments and hands over to src/ctl/. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_client.h"
#include "ctl/ctl_cmd.h"
#include "ctl/ctl_config.h"
#include "ctl/ctl_http.h"
#include "ctl/ctl_stats.h"
#include "ctl/ctl_xml.h"

extern char **environ;

static const char usage_main[] =
    "usage: vpcctl [--endpoint-url URL] [--region REGION] [--profile NAME] COMMAND ...\n"
    "\n"
    "commands:\n"
    "  trace SRC DST [--proto tcp|udp|icmp] [--port N] [--json]\n"
    "                 analyze the path from SRC to DST, forward and return, hop by hop\n"
    "  reach [--proto tcp|udp|icmp] [--port N] [--json]\n"
    "                 reachability matrix of every instance to every other\n"
    "  stats [--json] [--all]\n"
    "                 the data plane's counters: frames, answers, drops by reason and by ENI\n"
    "  help [COMMAND] this text, or one command's\n"
    "\n"
    "Settings come from the same places as the aws CLI's, highest first:\n"
    "  endpoint     --endpoint-url, AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, the profile's\n"
    "               endpoint_url, http://127.0.0.1:4566\n"
    "  region       --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region, us-east-1\n"
    "  profile      --profile, AWS_PROFILE, default\n"
    "  credentials  AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN (unless\n"
    "               --profile is given), then the profile in AWS_SHARED_CREDENTIALS_FILE\n"
    "               (~/.aws/credentials) and AWS_CONFIG_FILE (~/.aws/config)\n"
    "\n"
    "exit status: 0 path found (or done), 1 blocked, 2 usage or API error\n";

static const char usage_stats[] =
    "usage: vpcctl stats [--json] [--all]\n"
    "\n"
    "Prints vpcd's counters from GET /_vpcd/metrics at the endpoint (Prometheus text; no\n"
    "credentials needed): API requests served, frames the data plane received (rx) and sent\n"
    "(tx), frames vpcd answered itself (arp, nd, router_ping), drops by reason (AWS explanation\n"
    "codes, or the data plane's own reasons) and drops by sending interface with its instance,\n"
    "each list by count, largest first. A vpcd without a data plane (not root, or\n"
    "--no-dataplane) has only the API request count.\n"
    "\n"
    "  --all    list reasons and interfaces with no drops as well\n"
    "  --json   one JSON object: apiRequests, dataPlane, frames, answers, drops {total,\n"
    "           byReason, byInterface}\n"
    "\n"
    "exit status: 0 done, 2 usage error, no reply, or an endpoint that is not vpcd\n";

static const char usage_trace[] =
    "usage: vpcctl trace SRC DST [--proto tcp|udp|icmp] [--port N] [--json]\n"
    "\n"
    "Analyzes the path of a new flow from SRC (an instance i-..., network interface eni-... or\n"
    "internet gateway igw-...) to DST (an id, or an IPv4 address), with the Network Insights\n"
    "API: CreateNetworkInsightsPath, StartNetworkInsightsAnalysis,\n"
    "DescribeNetworkInsightsAnalyses, then both are deleted again. Prints the forward and the\n"
    "return path hop by hop (security group, network ACL and route table rules, gateways), or\n"
    "where the packet is blocked and the AWS explanation code.\n"
    "\n"
    "  --proto P   tcp (default), udp or icmp\n"
    "  --port N    destination port (0-65535; not for icmp)\n"
    "  --json      one JSON object: networkPathFound, forward, return, explanations\n"
    "\n"
    "exit status: 0 path found, 1 blocked, 2 usage or API error\n";

static const char usage_reach[] =
    "usage: vpcctl reach [--proto tcp|udp|icmp] [--port N] [--json]\n"
    "\n"
    "Prints which instances can open a flow to which (DescribeVpcdReachabilityMatrix): one row\n"
    "per source instance, one column per destination, + reachable (forward and return), . not.\n"
    "\n"
    "  --proto P   tcp (default), udp or icmp\n"
    "  --port N    destination port (0-65535; not for icmp)\n"
    "  --json      {protocol, destinationPort, instances, rows}\n";

struct vpcctl_args {
    struct ctl_flags flags;
    const char *positional[4];
    size_t n_positional;
    const char *proto;
    const char *port;
    bool json;
    bool all;
    bool help;
};

__attribute__((format(printf, 1, 2))) static int usage_error(const char *fmt, ...)
{
    fputs("vpcctl: ", stderr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\nTry 'vpcctl --help'.\n", stderr);
    return CTL_EXIT_ERROR;
}

/* "--name value" or "--name=value": returns the value, advancing *i, or NULL when missing. */
static const char *option_value(int argc, char **argv, int *i, const char *name)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (a[n] == '=')
        return a + n + 1;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static bool option_is(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static int parse_args(int argc, char **argv, struct vpcctl_args *a)
{
    static const char *const valued[] = {"--endpoint-url", "--region",   "--profile",
                                         "--proto",        "--protocol", "--port"};
    memset(a, 0, sizeof *a);
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (options_done || arg[0] != '-' || arg[1] == '\0') {
            if (a->n_positional == sizeof a->positional / sizeof a->positional[0])
                return usage_error("too many arguments (%s)", arg);
            a->positional[a->n_positional++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            options_done = true;
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            a->help = true;
            continue;
        }
        if (strcmp(arg, "--json") == 0) {
            a->json = true;
            continue;
        }
        if (strcmp(arg, "--all") == 0) {
            a->all = true;
            continue;
        }
        const char *name = NULL;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0] && name == NULL; k++)
            if (option_is(arg, valued[k]))
                name = valued[k];
        if (name == NULL)
            return usage_error("unknown option %s", arg);
        const char *v = option_value(argc, argv, &i, name);
        if (v == NULL)
            return usage_error("%s needs a value", name);
        if (strcmp(name, "--endpoint-url") == 0)
            a->flags.endpoint_url = v;
        else if (strcmp(name, "--region") == 0)
            a->flags.region = v;
        else if (strcmp(name, "--profile") == 0)
            a->flags.profile = v;
        else if (strcmp(name, "--port") == 0)
            a->port = v;
        else
            a->proto = v;
    }
    return 0;
}

/* Protocol and port as the commands take them; returns 0 or a usage error. */
static int parse_flow(const struct vpcctl_args *a, const char **proto, int *port)
{
    *proto = a->proto ? a->proto : "tcp";
    if (strcmp(*proto, "tcp") != 0 && strcmp(*proto, "udp") != 0 && strcmp(*proto, "icmp") != 0)
        return usage_error("--proto must be tcp, udp or icmp, not '%s'", *proto);
    *port = -1;
    if (a->port) {
        char *end;
        errno = 0;
        long v = strtol(a->port, &end, 10);
        if (errno || *end || end == a->port || v < 0 || v > 65535)
            return usage_error("--port must be a number from 0 to 65535, not '%s'", a->port);
        if (strcmp(*proto, "icmp") == 0)
            return usage_error("--port does not apply to %s", "icmp");
        *port = (int)v;
    }
    return 0;
}

static int print_help(const char *topic)
{
    if (topic == NULL) {
        fputs(usage_main, stdout);
    } else if (strcmp(topic, "trace") == 0) {
        fputs(usage_trace, stdout);
    } else if (strcmp(topic, "reach") == 0) {
        fputs(usage_reach, stdout);
    } else if (strcmp(topic, "stats") == 0) {
        fputs(usage_stats, stdout);
    } else if (strcmp(topic, "help") == 0) {
        fputs(usage_main, stdout);
    } else {
        return usage_error("unknown command '%s'", topic);
    }
    return CTL_EXIT_OK;
}

/* Resolves settings, connects the client and runs the command. */
static int run(const struct vpcctl_args *a, const char *command)
{
    const char *proto;
    int port;
    int rc = parse_flow(a, &proto, &port);
    if (rc != 0)
        return rc;
    struct ctl_config cfg;
    char msg[512];
    if (ctl_config_resolve(&a->flags, (const char *const *)environ, &cfg, msg, sizeof msg) != 0) {
        fprintf(stderr, "vpcctl: %s\n", msg);
        return CTL_EXIT_ERROR;
    }
    if (ctl_http_global_init() != 0) {
        fprintf(stderr, "vpcctl: could not initialise libcurl\n");
        ctl_config_destroy(&cfg);
        return CTL_EXIT_ERROR;
    }
    struct ctl_client client;
    struct ctl_error err;
    if (ctl_client_init(&client, &cfg, &err) != 0) {
        fprintf(stderr, "vpcctl: %s\n", err.message);
        rc = CTL_EXIT_ERROR;
    } else if (strcmp(command, "trace") == 0) {
        struct ctl_trace_opts o = {
            .source = a->positional[1],
            .destination = a->positional[2],
            .protocol = proto,
            .port = port,
            .json = a->json,
        };
        rc = ctl_cmd_trace(&client, &o, stdout, stderr);
    } else {
        struct ctl_reach_opts o = {.protocol = proto, .port = port, .json = a->json};
        rc = ctl_cmd_reach(&client, &o, stdout, stderr);
    }
    ctl_client_destroy(&client);
    ctl_http_global_cleanup();
    ctl_config_destroy(&cfg);
    ctl_xml_global_cleanup();
    return rc;
}

/* stats needs only the endpoint, but ctl_config_resolve() also insists on credentials. Placeholder
 * keys after the real environment satisfy it without changing what it resolves: the first
 * occurrence of a variable wins, and the endpoint and region do not depend on the keys. (An
 * explicit --profile ignores environment keys, so a profile without keys still fails.) */
static int run_stats(const struct vpcctl_args *a)
{
    size_t n_env = 0;
    while (environ[n_env])
        n_env++;
    const char **env = calloc(n_env + 3, sizeof *env);
    if (env == NULL) {
        fprintf(stderr, "vpcctl: out of memory\n");
        return CTL_EXIT_ERROR;
    }
    memcpy(env, environ, n_env * sizeof *env);
    env[n_env] = "AWS_ACCESS_KEY_ID=vpcctl-stats-needs-no-key";
    env[n_env + 1] = "AWS_SECRET_ACCESS_KEY=vpcctl-stats-needs-no-key";
    struct ctl_config cfg;
    char msg[512];
    int rc = ctl_config_resolve(&a->flags, env, &cfg, msg, sizeof msg);
    free(env);
    if (rc != 0) {
        fprintf(stderr, "vpcctl: %s\n", msg);
        return CTL_EXIT_ERROR;
    }
    if (ctl_http_global_init() != 0) {
        fprintf(stderr, "vpcctl: could not initialise libcurl\n");
        ctl_config_destroy(&cfg);
        return CTL_EXIT_ERROR;
    }
    struct ctl_stats_opts o = {.json = a->json, .all = a->all};
    rc = ctl_cmd_stats(cfg.endpoint, &o, stdout, stderr);
    ctl_http_global_cleanup();
    ctl_config_destroy(&cfg);
    return rc;
}

int main(int argc, char **argv)
{
    struct vpcctl_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != 0)
        return rc;
    const char *command = a.n_positional ? a.positional[0] : NULL;
    if (command == NULL) {
        if (a.help)
            return print_help(NULL);
        fputs(usage_main, stderr);
        return CTL_EXIT_ERROR;
    }
    if (strcmp(command, "help") == 0) {
        if (a.n_positional > 2)
            return usage_error("help takes one command, not '%s'", a.positional[2]);
        return print_help(a.n_positional > 1 ? a.positional[1] : NULL);
    }
    if (strcmp(command, "stats") == 0) {
        if (a.help)
            return print_help("stats");
        if (a.n_positional != 1)
            return usage_error("stats takes no arguments, not '%s'", a.positional[1]);
        if (a.proto || a.port)
            return usage_error("%s", "--proto and --port do not apply to stats");
        return run_stats(&a);
    }
    if (a.all && (strcmp(command, "trace") == 0 || strcmp(command, "reach") == 0))
        return usage_error("--all applies to stats only, not to %s", command);
    if (strcmp(command, "trace") == 0) {
        if (a.help)
            return print_help("trace");
        if (a.n_positional != 3)
            return usage_error("%s", "trace needs SRC and DST: vpcctl trace SRC DST [options]");
        return run(&a, command);
    }
    if (strcmp(command, "reach") == 0) {
        if (a.help)
            return print_help("reach");
        if (a.n_positional != 1)
            return usage_error("reach takes no arguments, not '%s'", a.positional[1]);
        return run(&a, command);
    }
    return usage_error("unknown command '%s'", command);
}
