/* The data plane's ports in production: each instance a named network namespace, each of its
 * interfaces a TAP device (netns.h) wrapped as an io_port. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dp/dp_netns.h"
#include "dp/netns.h"

struct iface_config {
    struct netns_iface ifs[DP_MAX_IFACES];
    struct netns_addr4 addrs[DP_MAX_IFACES][DP_MAX_ADDRS];
    struct netns_addr6 addrs6[DP_MAX_IFACES][DP_MAX_ADDRS];
};

static size_t configure(const struct dp_instance *in, struct iface_config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < in->n_ifs; i++) {
        const struct dp_iface *f = &in->ifs[i];
        struct netns_iface *ni = &c->ifs[i];
        snprintf(ni->name, sizeof ni->name, "eth%d", f->device_index);
        ni->tap_flags = NETNS_TAP_VNET_HDR | NETNS_TAP_OFFLOADS;
        memcpy(ni->mac, f->mac, 6);
        ni->mtu = (uint32_t)f->mtu;
        for (size_t a = 0; a < f->n_addrs; a++)
            c->addrs[i][a] = (struct netns_addr4){.addr = f->addrs[a], .plen = f->prefix_len};
        ni->ipv4 = c->addrs[i];
        ni->n_ipv4 = f->n_addrs;
        for (size_t a = 0; a < f->n_addrs6; a++) {
            memcpy(c->addrs6[i][a].addr, f->addrs6[a], 16);
            c->addrs6[i][a].plen = f->prefix6_len;
        }
        ni->ipv6 = c->addrs6[i];
        ni->n_ipv6 = f->n_addrs6;
        /* AWS gives the default routes to eth0 only. */
        ni->gw4 = f->device_index == 0 ? f->gateway : 0;
        if (f->device_index == 0 && f->n_addrs6) {
            ni->has_gw6 = true;
            memcpy(ni->gw6, f->gateway6, 16);
        }
    }
    return in->n_ifs;
}

/* `ip netns exec` binds /etc/netns/<name>/resolv.conf over /etc/resolv.conf, so programs run
 * "on" the instance ask the VPC's resolver, as an instance's DHCP options would tell them. */
static void write_resolv_conf(const struct dp_instance *in)
{
    char dir[128], path[160], tmp[170];
    snprintf(dir, sizeof dir, "/etc/netns/%s", in->id);
    if (mkdir("/etc/netns", 0755) != 0 && errno != EEXIST)
        return;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return;
    snprintf(path, sizeof path, "%s/resolv.conf", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return;
    struct in_addr a = {.s_addr = htonl(in->dns_server)};
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &a, text, sizeof text);
    fprintf(f, "# written by vpcd: the VPC's Amazon DNS server\nnameserver %s\nsearch %s\n", text,
            in->dns_search);
    if (fclose(f) != 0 || rename(tmp, path) != 0)
        unlink(tmp);
}

static void remove_resolv_conf(const char *instance_id)
{
    char dir[128], path[160];
    snprintf(dir, sizeof dir, "/etc/netns/%s", instance_id);
    snprintf(path, sizeof path, "%s/resolv.conf", dir);
    unlink(path);
    rmdir(dir);
}

static int ns_instance_up(void *ctx, const struct dp_instance *in, struct io_port **ports)
{
    (void)ctx;
    struct iface_config c;
    size_t n = configure(in, &c);
    int fds[DP_MAX_IFACES];
    char err[NETNS_ERR_SIZE];
    int rc = netns_instance_up(c.ifs, n, in->id, fds, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "vpcd: data plane: %s: %s\n", in->id, err);
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        ports[i] = io_tap_port(fds[i], true);
    if (in->dns_server)
        write_resolv_conf(in);
    return 0;
}

static int ns_instance_link(void *ctx, const struct dp_instance *in, bool up)
{
    (void)ctx;
    struct iface_config c;
    size_t n = configure(in, &c);
    char err[NETNS_ERR_SIZE];
    int rc = netns_instance_set_link(in->id, c.ifs, n, up, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "vpcd: data plane: %s: %s\n", in->id, err);
    return rc;
}

static void ns_instance_remove(void *ctx, const char *instance_id)
{
    (void)ctx;
    char err[NETNS_ERR_SIZE];
    if (netns_instance_remove(instance_id, err, sizeof err) != 0)
        fprintf(stderr, "vpcd: data plane: %s: %s\n", instance_id, err);
    remove_resolv_conf(instance_id);
}

/* The internet host: one interface with the documentation addresses of dp.h, its default
 * routes via gateways the data plane answers for. It is vpcd's, not the state's: made at start,
 * removed at exit. */
static int ns_internet_up(void *ctx, struct io_port **port)
{
    (void)ctx;
    struct netns_addr4 a4 = {.addr = DP_INTERNET_ADDR4, .plen = DP_INTERNET_PLEN4};
    struct netns_addr6 a6 = {.plen = DP_INTERNET_PLEN6};
    struct netns_iface ifc = {.name = "eth0",
                              .tap_flags = NETNS_TAP_VNET_HDR | NETNS_TAP_OFFLOADS,
                              .mtu = 1500,
                              .ipv4 = &a4,
                              .n_ipv4 = 1,
                              .ipv6 = &a6,
                              .n_ipv6 = 1,
                              .gw4 = DP_INTERNET_GW4,
                              .has_gw6 = true};
    memcpy(ifc.mac, dp_internet_mac, 6);
    inet_pton(AF_INET6, DP_INTERNET_ADDR6, a6.addr);
    inet_pton(AF_INET6, DP_INTERNET_GW6, ifc.gw6);
    int fd;
    char err[NETNS_ERR_SIZE];
    int rc = netns_instance_up(&ifc, 1, DP_INTERNET_NS, &fd, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "vpcd: data plane: %s: %s\n", DP_INTERNET_NS, err);
        return rc;
    }
    *port = io_tap_port(fd, true);
    return 0;
}

static void ns_internet_remove(void *ctx)
{
    ns_instance_remove(ctx, DP_INTERNET_NS);
}

const struct dp_port_ops dp_netns_ops = {
    .instance_up = ns_instance_up,
    .instance_link = ns_instance_link,
    .instance_remove = ns_instance_remove,
    .internet_up = ns_internet_up,
    .internet_remove = ns_internet_remove,
};

void dp_netns_sweep(struct dp *dp, const struct model *m)
{
    char(*names)[NETNS_NAME_MAX];
    size_t n;
    if (netns_list_instances(&names, &n) != 0)
        return;
    for (size_t i = 0; i < n; i++) {
        const struct res *r = res_find_any(m, names[i]);
        if (r && r->type == RES_INSTANCE && !dp_has_instance(dp, names[i]))
            ns_instance_remove(NULL, names[i]);
    }
    free(names);
}
