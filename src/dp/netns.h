/* Instance namespaces and the TAP devices that connect them to vpcd.
 *
 * An instance is a named network namespace, made exactly as `ip netns add NAME` makes it (a net
 * namespace bind-mounted on /run/netns/NAME), so `ip netns exec NAME ...` runs a program "on"
 * the instance. Each of its interfaces is a TAP device whose fd vpcd keeps: the device is created
 * in vpcd's namespace, moved into the instance's by netlink and renamed eth<device_index> there.
 * The fd stays usable from vpcd's namespace after the move, and closing it destroys the device.
 *
 * This is control-plane code: it allocates, makes syscalls and may block briefly on netlink. It
 * is never called per packet. Every configuration step goes through rtnetlink (libmnl); nothing
 * runs `ip`. A namespace is entered only on a short-lived thread created for that purpose, so
 * the calling thread never changes namespace, not even on error.
 *
 * "vpcd's namespace" below means the calling thread's network namespace.
 * Fallible functions return 0 or a negative errno. Those taking (err, err_size) also write a
 * one-line message a user can act on ("eth0: set MTU 70000: Invalid argument ..."); err may be
 * NULL. Nothing here is thread-safe on a shared struct netns_nl; distinct handles are
 * independent.
 */
#ifndef VPCD_DP_NETNS_H
#define VPCD_DP_NETNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETNS_RUN_DIR "/run/netns"
#define NETNS_IFNAME_SIZE 16 /* IFNAMSIZ: 15 characters + NUL */
#define NETNS_NAME_MAX 64    /* namespace names vpcd uses are far shorter; bounds the paths */
#define NETNS_MAX_IFACES 16  /* more ENIs than any instance type allows (ARCHITECTURE: eth0..) */
#define NETNS_ERR_SIZE 256   /* a comfortable size for the err buffers */

/* ---- Namespaces ---- */

/* Creates /run/netns/NAME holding a new, empty network namespace (only `lo`, down). Makes
 * /run/netns a shared mount point first if it is not one, as iproute2 does, so that deleting
 * the namespace in one mount namespace unmounts it everywhere. -EEXIST if NAME exists,
 * -EINVAL for a name that is empty, too long, "." / "..", or holds '/' or whitespace. */
int netns_create(const char *name, char *err, size_t err_size);
/* Unmounts (MNT_DETACH) and unlinks /run/netns/NAME. The namespace itself dies when its last
 * user goes (a process inside, an open fd). -ENOENT if there is nothing to delete. */
int netns_delete(const char *name, char *err, size_t err_size);
/* True if /run/netns/NAME exists and is a namespace mount (not a stale empty file). */
bool netns_exists(const char *name);
/* True if name looks like an instance ID, "i-" and 17 lower-case hex digits: the only
 * namespaces vpcd treats as its own when it lists or sweeps them. */
bool netns_is_instance_name(const char *name);
/* Names under /run/netns that pass netns_is_instance_name(), sorted. *names_out is one
 * allocation the caller frees with free(); *n_out entries. An absent /run/netns is an empty
 * list, not an error. */
int netns_list_instances(char (**names_out)[NETNS_NAME_MAX], size_t *n_out);

/* A socket (any domain/type) created inside namespace ns_name, usable from any thread: a
 * socket stays in the namespace it was made in. ns_name NULL: vpcd's namespace. Returns the fd
 * (caller owns it) or a negative errno. */
int netns_socket(const char *ns_name, int domain, int type, int protocol);

/* ---- TAP devices ---- */

#define NETNS_TAP_VNET_HDR 0x1u /* IFF_VNET_HDR: frames carry a virtio-net header (offloads) */
/* With NETNS_TAP_VNET_HDR: the TAP takes TCP super-packets and unfinished checksums from the
 * namespace's stack (TUNSETOFFLOAD csum, tso4, tso6), up to NETNS_TAP_GSO_MAX bytes each. */
#define NETNS_TAP_OFFLOADS 0x2u
#define NETNS_TAP_GSO_MAX 62000u

struct netns_tap {
    int fd;                       /* non-blocking, close-on-exec; caller owns it */
    int ifindex;                  /* in vpcd's namespace; may change when moved */
    char name[NETNS_IFNAME_SIZE]; /* the name the kernel gave it */
};

/* Opens /dev/net/tun and creates a TAP (IFF_TAP | IFF_NO_PI, plus IFF_VNET_HDR if asked) in
 * vpcd's namespace. name is exact ("tap3") or a kernel template ("vpcdtap%d"), which makes
 * concurrent callers race-free. The device lives as long as out->fd. */
int netns_tap_open(const char *name, unsigned flags, struct netns_tap *out);

/* ---- Netlink inside one namespace ----
 * A handle is an rtnetlink socket created inside a namespace: every request on it acts there,
 * from whichever thread calls. Interfaces are named by ifindex within that namespace. */

struct netns_nl;

struct netns_link_info {
    int ifindex;
    char name[NETNS_IFNAME_SIZE];
    uint8_t mac[6];
    uint32_t mtu;
    unsigned flags; /* IFF_UP, IFF_LOOPBACK, ... as in ifinfomsg */
};

/* ns_name NULL: vpcd's namespace. The handle holds a reference to the namespace, so close it
 * before expecting a deleted namespace to go away. Returns NULL with *errp set (a negative
 * errno; errp may be NULL) and a message in err. */
struct netns_nl *netns_nl_open(const char *ns_name, int *errp, char *err, size_t err_size);
void netns_nl_close(struct netns_nl *nl); /* accepts NULL */
/* The message of the last failed call on this handle, kernel extended ack included ("" after
 * a success). Borrowed until the next call on the handle. */
const char *netns_nl_error(const struct netns_nl *nl);

/* -ENODEV if no such interface. */
int netns_link_get(struct netns_nl *nl, const char *ifname, struct netns_link_info *out);
/* Every interface of the namespace, in ifindex order; *out is malloc'ed (caller frees). */
int netns_link_list(struct netns_nl *nl, struct netns_link_info **out, size_t *n_out);
int netns_link_set_up(struct netns_nl *nl, int ifindex, bool up);
int netns_link_set_mtu(struct netns_nl *nl, int ifindex, uint32_t mtu);
int netns_link_set_gso_max_size(struct netns_nl *nl, int ifindex, uint32_t size);
int netns_link_set_mac(struct netns_nl *nl, int ifindex, const uint8_t mac[6]);
/* The kernel refuses to rename an interface that is up (-EBUSY). */
int netns_link_rename(struct netns_nl *nl, int ifindex, const char *new_name);
/* Moves the interface from nl's namespace into ns_name; it arrives down, under the same name,
 * usually with a new ifindex. */
int netns_link_move(struct netns_nl *nl, int ifindex, const char *ns_name);
int netns_link_delete(struct netns_nl *nl, int ifindex);

/* Addresses. IPv4 in host byte order (as the model keeps them), with the broadcast address set
 * as `ip addr add ... brd +` does. Adding an address that exists is not an error (it is
 * replaced), so re-applying a configuration is idempotent. IPv6 addresses are added with
 * IFA_F_NODAD: vpcd alone decides who owns an address, so duplicate detection would only delay
 * the address by a second. */
int netns_addr4_add(struct netns_nl *nl, int ifindex, uint32_t addr, uint8_t plen);
int netns_addr4_del(struct netns_nl *nl, int ifindex, uint32_t addr, uint8_t plen);
int netns_addr6_add(struct netns_nl *nl, int ifindex, const uint8_t addr[16], uint8_t plen);
int netns_addr6_del(struct netns_nl *nl, int ifindex, const uint8_t addr[16], uint8_t plen);

/* Routes in the main table, created or replaced (idempotent). A device route reaches dst/plen
 * directly on the link (scope link); a gateway route needs the gateway reachable on the link
 * already (a prefix route of an address, or a device route). The kernel drops both when the
 * link goes down. */
int netns_route4_add_dev(struct netns_nl *nl, int ifindex, uint32_t dst, uint8_t plen);
int netns_route4_add_default(struct netns_nl *nl, int ifindex, uint32_t gw);
int netns_route6_add_dev(struct netns_nl *nl, int ifindex, const uint8_t dst[16], uint8_t plen);
int netns_route6_add_default(struct netns_nl *nl, int ifindex, const uint8_t gw[16]);

/* ---- Instances ---- */

struct netns_addr4 {
    uint32_t addr; /* host byte order */
    uint8_t plen;  /* the subnet's prefix length */
};

struct netns_addr6 {
    uint8_t addr[16]; /* network byte order */
    uint8_t plen;
};

/* One interface of an instance, i.e. one attached ENI. The struct and the arrays it points to
 * are borrowed for the duration of each call; nothing here keeps them. */
struct netns_iface {
    char name[NETNS_IFNAME_SIZE];   /* inside the namespace: "eth<device_index>" */
    uint8_t mac[6];                 /* the ENI's MAC */
    uint32_t mtu;                   /* 9001 on AWS; 0 keeps the kernel default (1500) */
    const struct netns_addr4 *ipv4; /* [0] the primary private IP, then the secondary ones */
    size_t n_ipv4;
    const struct netns_addr6 *ipv6;
    size_t n_ipv6;
    /* Default routes via this interface: AWS gives one on eth0 only, so at most one interface
     * of an instance may set each. gw4 is the subnet router (base+1), host order, 0 for none.
     * If no address's prefix covers gw4, a device route to gw4/32 is added first. */
    uint32_t gw4;
    bool has_gw6;
    uint8_t gw6[16];
    unsigned tap_flags; /* NETNS_TAP_* */
};

/* Brings an instance to life: creates namespace ns_name if missing, brings `lo` up, and for
 * each ifs[i] creates a TAP, moves it into the namespace as ifs[i].name with its MAC and MTU,
 * sets it up, adds its addresses and then its routes. tap_fds_out[i] receives the fd of
 * ifs[i]'s TAP (caller owns them; closing one destroys that interface). An existing namespace
 * is reused, which is how vpcd recreates instances at start: the old TAPs died with the old
 * fds, and a stale interface with one of the names is deleted first.
 * On failure nothing is left behind: the TAPs made so far are closed, a namespace made by this
 * call is deleted, and every tap_fds_out[i] is -1. */
int netns_instance_up(const struct netns_iface *ifs, size_t n, const char *ns_name,
                      int *tap_fds_out, char *err, size_t err_size);
/* Stop (up=false) and Start (up=true). Down only needs the names. Up needs the whole
 * configuration because the kernel flushes the routes via a link, and its IPv6 addresses,
 * when the link goes down; up re-applies them (idempotent). -ENOENT if ns_name is missing,
 * -ENODEV if an interface is. */
int netns_instance_set_link(const char *ns_name, const struct netns_iface *ifs, size_t n, bool up,
                            char *err, size_t err_size);
/* Terminate: deletes every interface inside the namespace (so a process still running there
 * is cut off at once), then the namespace. The caller still closes its TAP fds; reads on them
 * fail from now on. A namespace that does not exist is not an error: removal is what the
 * caller wants, and a sweep at stop may race with a terminate. */
int netns_instance_remove(const char *ns_name, char *err, size_t err_size);

#endif
