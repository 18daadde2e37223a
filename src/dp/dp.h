/* The data plane: instances' interfaces as ports, and a worker that forwards their frames.
 *
 * The control plane calls dp_sync() after every change, with the model lock held: it compiles
 * the snapshot (incrementally), brings instances' interfaces up or down to match the model
 * (through struct dp_port_ops: namespaces and TAP devices in vpcd, memory ports in tests), and
 * publishes a new view (snapshot + port map) with one pointer swap. The worker never waits for
 * the control plane: it picks the new view up at its next batch, and a retired view (with the
 * ports it alone still names) is freed once the worker has moved past it.
 *
 * Every frame goes through dp_forward.c: ARP and neighbour discovery are answered here (there is
 * no broadcast domain), the subnet router answers ping, and every IP packet is decided by
 * pipeline_run() with per-ENI connection tracking. Drops are counted by reason and by ENI. */
#ifndef VPCD_DP_DP_H
#define VPCD_DP_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "io/io.h"
#include "lib/ids.h"
#include "lib/strbuf.h"
#include "model/model.h"
#include "model/resources.h"

#define DP_MAX_IFACES 8 /* interfaces per instance */
/* Addresses per interface and family: as many as the model gives an interface. */
#define DP_MAX_ADDRS ENI_IPV4_MAX

/* One interface of an instance as the data plane brings it up. */
struct dp_iface {
    char eni_id[ID_MAX];
    int device_index; /* eth<device_index> */
    uint8_t mac[6];
    uint32_t addrs[DP_MAX_ADDRS]; /* host order; [0] primary */
    size_t n_addrs;
    uint8_t prefix_len;               /* the subnet's */
    uint32_t gateway;                 /* the subnet router, base + 1 */
    uint8_t addrs6[DP_MAX_ADDRS][16]; /* IPv6, network order */
    size_t n_addrs6;
    uint8_t prefix6_len;  /* the subnet's IPv6 block (a /64) */
    uint8_t gateway6[16]; /* the subnet router's IPv6 address, <block>::1 */
    int mtu;
};

struct dp_instance {
    char id[ID_MAX];
    bool running;
    /* resolv.conf: the VPC's Amazon DNS server (base + 2, host order) and search domain
     * (ec2.internal in us-east-1, <region>.compute.internal elsewhere). */
    uint32_t dns_server;
    char dns_search[64];
    struct dp_iface ifs[DP_MAX_IFACES];
    size_t n_ifs;
};

/* How instances' interfaces come to exist. */
struct dp_port_ops {
    void *ctx;
    /* Creates (or re-creates) every interface of in and returns one port per interface, in
     * in->ifs order (the caller owns the ports). 0 or a negative errno. */
    int (*instance_up)(void *ctx, const struct dp_instance *in, struct io_port **ports);
    /* Link state of every interface of the instance (Stop / Start). */
    int (*instance_link)(void *ctx, const struct dp_instance *in, bool up);
    /* The instance is gone (terminated): remove what instance_up made. */
    void (*instance_remove)(void *ctx, const char *instance_id);
    /* The internet (may be NULL: no internet, and packets for it are dropped as no_internet):
     * creates the host beyond every internet gateway and returns its one port. Its frames
     * come from and go to dp_internet_mac; see DP_INTERNET_* for its addresses. */
    int (*internet_up)(void *ctx, struct io_port **port);
    /* The data plane is going away: remove what internet_up made. */
    void (*internet_remove)(void *ctx);
};

/* The internet host (ARCHITECTURE.md): the namespace vpcd-internet with one interface. Its
 * gateway addresses are answered by the data plane like a subnet router's. */
#define DP_INTERNET_NS "vpcd-internet"
#define DP_INTERNET_ADDR4 0xc6336401u /* 198.51.100.1 */
#define DP_INTERNET_PLEN4 24
#define DP_INTERNET_GW4 0xc63364feu          /* 198.51.100.254 */
#define DP_INTERNET_ADDR6 "2001:db8:ffff::1" /* documentation range */
#define DP_INTERNET_PLEN6 64
#define DP_INTERNET_GW6 "2001:db8:ffff::fffe"
extern const uint8_t dp_internet_mac[6];

struct dp;

/* ops is copied. The caller owns the data plane; dp_free() closes its ports (the namespaces of
 * running instances stay, as the state says they exist; their TAPs go with vpcd). */
struct dp *dp_new(const struct dp_port_ops *ops);
void dp_free(struct dp *dp);
/* Publishes the model's state (caller holds the model lock; the model is only read). */
void dp_sync(struct dp *dp, const struct model *m);
/* Handles the frames waiting on every port, waiting up to timeout_ms for the first one.
 * Returns the number of frames handled. The worker thread calls it in a loop; tests call it
 * directly. Only one thread may poll. */
int dp_poll(struct dp *dp, int timeout_ms);
/* Flow logs: records are delivered under root (s3/, logs/) every interval_s seconds (0: 60).
 * Call before dp_start(); without it nothing is recorded. */
void dp_set_flow_logs(struct dp *dp, const char *root, unsigned interval_s);
/* NAT gateways' idle timeout (350 s, AWS's) shortened for tests. Call before dp_start(). */
void dp_set_nat_idle_timeout(struct dp *dp, unsigned seconds);

/* Ends the capture window now and delivers it (tests; the writer thread does it on its own). */
void dp_flowlog_flush(struct dp *dp);

/* Worker thread. */
int dp_start(struct dp *dp);
void dp_stop(struct dp *dp);
/* Prometheus text exposition of the counters (drops by reason, per ENI, frames). */
void dp_metrics(struct dp *dp, struct strbuf *out);
/* True if the data plane brought instance id up (its namespace is wanted). */
bool dp_has_instance(const struct dp *dp, const char *id);
/* Adapters for struct service_hooks (ctx is the struct dp). */
void dp_hook_changed(void *ctx, const struct model *m);
void dp_hook_metrics(void *ctx, struct strbuf *out);
/* The memory port of ENI eni_id in the current view (tests), or NULL. */
struct io_port *dp_port_of(struct dp *dp, const char *eni_id);

/* The MAC the subnet routers answer ARP with (locally administered). */
extern const uint8_t dp_router_mac[6];

#endif
