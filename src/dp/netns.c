/* Instance namespaces and TAP devices over rtnetlink (libmnl). See netns.h. */
#include "dp/netns.h"

#include "lib/addr.h"
#include "lib/xalloc.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_tun.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

_Static_assert(NETNS_IFNAME_SIZE == IFNAMSIZ, "interface names are IFNAMSIZ bytes");

/* Large enough for any netlink message the kernel sends: it caps dump messages at 32 KiB. */
#define NL_RECV_SIZE 32768
#define NL_REQ_SIZE 1024

struct netns_nl {
    struct mnl_socket *sock;
    unsigned portid;
    unsigned seq;
    char err[320]; /* room for nl_talk's op[128] and extack[160] with the errno text */
    char req[NL_REQ_SIZE];
    char buf[NL_RECV_SIZE];
};

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t err_size,
                                                          const char *fmt, ...)
{
    if (!err || err_size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

/* ---- Namespaces ---- */

/* A name becomes a path component under /run/netns and an argument to `ip netns exec`, so it
 * must be a plain file name that no shell or path lookup reinterprets. */
static bool ns_name_valid(const char *name)
{
    if (!name || !name[0] || strlen(name) >= NETNS_NAME_MAX)
        return false;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return false;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p <= ' ' || *p == 0x7f)
            return false;
    return true;
}

static void ns_path(const char *name, char buf[sizeof NETNS_RUN_DIR + NETNS_NAME_MAX])
{
    snprintf(buf, sizeof NETNS_RUN_DIR + NETNS_NAME_MAX, "%s/%s", NETNS_RUN_DIR, name);
}

/* Runs fn on a new thread that first joins the namespace behind ns_fd (-1: stays in the
 * caller's). The namespace change ends with the thread, so no thread of vpcd is ever left in
 * an instance's namespace, whatever fn does or however it fails. */
struct ns_thread {
    int ns_fd;
    int (*fn)(void *arg);
    void *arg;
    int ret;
};

static void *ns_thread_main(void *p)
{
    struct ns_thread *t = p;
    if (t->ns_fd >= 0 && setns(t->ns_fd, CLONE_NEWNET) != 0) {
        t->ret = -errno;
        return NULL;
    }
    t->ret = t->fn(t->arg);
    return NULL;
}

static int ns_run_thread(int ns_fd, int (*fn)(void *), void *arg)
{
    struct ns_thread t = {.ns_fd = ns_fd, .fn = fn, .arg = arg, .ret = -EINTR};
    pthread_t th;
    int rc = pthread_create(&th, NULL, ns_thread_main, &t);
    if (rc != 0)
        return -rc;
    pthread_join(th, NULL);
    return t.ret;
}

/* iproute2's arrangement: /run/netns is a mount point with shared propagation, so a namespace
 * unmounted in one mount namespace is unmounted in all of them and can actually die. */
static int ensure_run_dir(char *err, size_t err_size)
{
    if (mkdir(NETNS_RUN_DIR, 0755) != 0 && errno != EEXIST) {
        int e = errno;
        set_err(err, err_size, "mkdir %s: %s", NETNS_RUN_DIR, strerror(e));
        return -e;
    }
    bool made_mount = false;
    while (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) != 0) {
        int e = errno;
        /* EINVAL: not a mount point yet. Bind it onto itself once, then share it. */
        if (e != EINVAL || made_mount) {
            set_err(err, err_size, "make %s a shared mount: %s", NETNS_RUN_DIR, strerror(e));
            return -e;
        }
        if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) != 0) {
            e = errno;
            set_err(err, err_size, "bind-mount %s: %s", NETNS_RUN_DIR, strerror(e));
            return -e;
        }
        made_mount = true;
    }
    return 0;
}

static int create_thread_fn(void *arg)
{
    const char *path = arg;
    if (unshare(CLONE_NEWNET) != 0)
        return -errno;
    /* /proc/self would name the thread group leader, which stays in vpcd's namespace. */
    if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) != 0)
        return -errno;
    return 0;
}

int netns_create(const char *name, char *err, size_t err_size)
{
    if (!ns_name_valid(name)) {
        set_err(err, err_size, "invalid namespace name \"%s\"", name ? name : "(null)");
        return -EINVAL;
    }
    int r = ensure_run_dir(err, err_size);
    if (r < 0)
        return r;
    char path[sizeof NETNS_RUN_DIR + NETNS_NAME_MAX];
    ns_path(name, path);
    /* O_EXCL makes the name the lock: of two concurrent creators exactly one proceeds. */
    int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (fd < 0) {
        int e = errno;
        set_err(err, err_size, "create %s: %s", path, strerror(e));
        return -e;
    }
    close(fd);
    r = ns_run_thread(-1, create_thread_fn, path);
    if (r < 0) {
        set_err(err, err_size, "new network namespace on %s: %s", path, strerror(-r));
        unlink(path);
        return r;
    }
    return 0;
}

int netns_delete(const char *name, char *err, size_t err_size)
{
    if (!ns_name_valid(name)) {
        set_err(err, err_size, "invalid namespace name \"%s\"", name ? name : "(null)");
        return -EINVAL;
    }
    char path[sizeof NETNS_RUN_DIR + NETNS_NAME_MAX];
    ns_path(name, path);
    /* A stale file that never got its bind mount (EINVAL) is still deleted below. */
    if (umount2(path, MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
        int e = errno;
        set_err(err, err_size, "unmount %s: %s", path, strerror(e));
        return -e;
    }
    if (unlink(path) != 0) {
        int e = errno;
        set_err(err, err_size, "delete %s: %s", path, strerror(e));
        return -e;
    }
    return 0;
}

bool netns_exists(const char *name)
{
    if (!ns_name_valid(name))
        return false;
    char path[sizeof NETNS_RUN_DIR + NETNS_NAME_MAX];
    ns_path(name, path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct statfs st;
    bool ok = fstatfs(fd, &st) == 0 && st.f_type == NSFS_MAGIC;
    close(fd);
    return ok;
}

bool netns_is_instance_name(const char *name)
{
    if (!name || strncmp(name, "i-", 2) != 0 || strlen(name) != 2 + 17)
        return false;
    for (const char *p = name + 2; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

int netns_list_instances(char (**names_out)[NETNS_NAME_MAX], size_t *n_out)
{
    *names_out = NULL;
    *n_out = 0;
    DIR *d = opendir(NETNS_RUN_DIR);
    if (!d)
        return errno == ENOENT ? 0 : -errno;
    char(*names)[NETNS_NAME_MAX] = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!netns_is_instance_name(de->d_name))
            continue;
        names = xgrow(names, &cap, n, sizeof *names);
        /* Instance names are 19 characters, so this copy is never cut short. */
        memcpy(names[n], de->d_name, strlen(de->d_name) + 1);
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, name_cmp);
    *names_out = names;
    *n_out = n;
    return 0;
}

static int ns_open(const char *ns_name)
{
    if (!ns_name_valid(ns_name))
        return -EINVAL;
    char path[sizeof NETNS_RUN_DIR + NETNS_NAME_MAX];
    ns_path(ns_name, path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

struct socket_args {
    int domain, type, protocol;
};

static int socket_thread_fn(void *arg)
{
    const struct socket_args *a = arg;
    int fd = socket(a->domain, a->type | SOCK_CLOEXEC, a->protocol);
    return fd < 0 ? -errno : fd;
}

int netns_socket(const char *ns_name, int domain, int type, int protocol)
{
    struct socket_args a = {domain, type, protocol};
    if (!ns_name)
        return socket_thread_fn(&a);
    int ns_fd = ns_open(ns_name);
    if (ns_fd < 0)
        return ns_fd;
    int r = ns_run_thread(ns_fd, socket_thread_fn, &a);
    close(ns_fd);
    return r;
}

/* ---- TAP devices ---- */

int netns_tap_open(const char *name, unsigned flags, struct netns_tap *out)
{
    out->fd = -1;
    out->ifindex = 0;
    out->name[0] = '\0';
    if (!name || !name[0] || strlen(name) >= IFNAMSIZ)
        return -EINVAL;
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    /* No packet-info header: vpcd reads bare Ethernet frames, like from a NIC. */
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (flags & NETNS_TAP_VNET_HDR)
        ifr.ifr_flags |= IFF_VNET_HDR;
    memcpy(ifr.ifr_name, name, strlen(name));
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    if ((flags & NETNS_TAP_VNET_HDR) && (flags & NETNS_TAP_OFFLOADS) &&
        ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    unsigned idx = if_nametoindex(ifr.ifr_name);
    if (idx == 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    out->fd = fd;
    out->ifindex = (int)idx;
    memcpy(out->name, ifr.ifr_name, IFNAMSIZ);
    out->name[IFNAMSIZ - 1] = '\0';
    return 0;
}

/* ---- Netlink ---- */

struct netns_nl *netns_nl_open(const char *ns_name, int *errp, char *err, size_t err_size)
{
    int dummy;
    if (!errp)
        errp = &dummy;
    int fd = netns_socket(ns_name, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
    if (fd < 0) {
        *errp = fd;
        set_err(err, err_size, "netlink socket in namespace %s: %s", ns_name ? ns_name : "(own)",
                strerror(-fd));
        return NULL;
    }
    struct mnl_socket *sock = mnl_socket_fdopen(fd);
    if (!sock || mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
        int e = errno ? errno : EINVAL;
        if (sock)
            mnl_socket_close(sock);
        else
            close(fd);
        *errp = -e;
        set_err(err, err_size, "netlink bind: %s", strerror(e));
        return NULL;
    }
    /* Extended acks carry the kernel's own explanation ("mtu greater than device maximum");
     * capped acks keep the request out of error replies. Old kernels lack both: harmless. */
    int one = 1;
    mnl_socket_setsockopt(sock, NETLINK_EXT_ACK, &one, sizeof one);
    mnl_socket_setsockopt(sock, NETLINK_CAP_ACK, &one, sizeof one);
    struct netns_nl *nl = xcalloc(1, sizeof *nl);
    nl->sock = sock;
    nl->portid = mnl_socket_get_portid(sock);
    nl->seq = (unsigned)getpid() << 8;
    *errp = 0;
    return nl;
}

void netns_nl_close(struct netns_nl *nl)
{
    if (!nl)
        return;
    mnl_socket_close(nl->sock);
    free(nl);
}

const char *netns_nl_error(const struct netns_nl *nl)
{
    return nl->err;
}

struct nl_ctx {
    mnl_cb_t data_cb;
    void *data;
    char extack[160];
};

static int extack_attr_cb(const struct nlattr *a, void *data)
{
    struct nl_ctx *c = data;
    if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG && mnl_attr_validate(a, MNL_TYPE_STRING) >= 0)
        snprintf(c->extack, sizeof c->extack, "%.*s", (int)mnl_attr_get_payload_len(a),
                 (const char *)mnl_attr_get_payload(a));
    return MNL_CB_OK;
}

static int nl_error_cb(const struct nlmsghdr *nlh, void *data)
{
    struct nl_ctx *c = data;
    const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
    size_t len = mnl_nlmsg_get_payload_len(nlh);
    if (len < sizeof *e) {
        errno = EBADMSG;
        return MNL_CB_ERROR;
    }
    if (e->error == 0)
        return MNL_CB_STOP; /* the ack */
    if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
        size_t off = sizeof *e;
        if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
            off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
        if (off < len)
            mnl_attr_parse(nlh, (unsigned)off, extack_attr_cb, c);
    }
    errno = e->error < 0 ? -e->error : EPROTO;
    return MNL_CB_ERROR;
}

static int nl_done_cb(const struct nlmsghdr *nlh, void *data)
{
    (void)data;
    /* A dump that failed half-way says so in NLMSG_DONE's payload. */
    if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
        int e;
        memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof e);
        if (e < 0) {
            errno = -e;
            return MNL_CB_ERROR;
        }
    }
    return MNL_CB_STOP;
}

/* libmnl hands the same data pointer to data and control callbacks; this unwraps it. */
static int nl_data_cb(const struct nlmsghdr *nlh, void *data)
{
    struct nl_ctx *c = data;
    return c->data_cb ? c->data_cb(nlh, c->data) : MNL_CB_OK;
}

static int nl_noop_cb(const struct nlmsghdr *nlh, void *data)
{
    (void)nlh;
    (void)data;
    return MNL_CB_OK;
}

static int nl_overrun_cb(const struct nlmsghdr *nlh, void *data)
{
    (void)nlh;
    (void)data;
    errno = ENOSPC;
    return MNL_CB_ERROR;
}

/* libmnl consults this table for every control type below its length, without falling back
 * to its defaults, so every entry is filled. */
static mnl_cb_t nl_ctl_cbs[NLMSG_MIN_TYPE] = {
    [0] = nl_noop_cb,
    [NLMSG_NOOP] = nl_noop_cb,
    [NLMSG_ERROR] = nl_error_cb,
    [NLMSG_DONE] = nl_done_cb,
    [NLMSG_OVERRUN] = nl_overrun_cb,
    [5] = nl_noop_cb,
    [6] = nl_noop_cb,
    [7] = nl_noop_cb,
    [8] = nl_noop_cb,
    [9] = nl_noop_cb,
    [10] = nl_noop_cb,
    [11] = nl_noop_cb,
    [12] = nl_noop_cb,
    [13] = nl_noop_cb,
    [14] = nl_noop_cb,
    [15] = nl_noop_cb,
};

static struct nlmsghdr *nl_req(struct netns_nl *nl, uint16_t type, uint16_t flags)
{
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->req);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
    nlh->nlmsg_seq = ++nl->seq;
    return nlh;
}

/* Sends the request and reads until its ack, error or end of dump. what names the operation
 * in the message kept on the handle. */
__attribute__((format(printf, 5, 6))) static int nl_talk(struct netns_nl *nl, struct nlmsghdr *nlh,
                                                         mnl_cb_t data_cb, void *data,
                                                         const char *what, ...)
{
    struct nl_ctx c = {.data_cb = data_cb, .data = data, .extack = ""};
    int e = 0;
    nl->err[0] = '\0';
    if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0) {
        e = errno;
    } else {
        for (;;) {
            ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof nl->buf);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                e = errno;
                break;
            }
            int r = mnl_cb_run2(nl->buf, (size_t)n, nlh->nlmsg_seq, nl->portid, nl_data_cb, &c,
                                nl_ctl_cbs, NLMSG_MIN_TYPE);
            if (r == MNL_CB_STOP)
                break;
            if (r < 0) {
                e = errno ? errno : EPROTO;
                break;
            }
        }
    }
    if (e == 0)
        return 0;
    char op[128];
    va_list ap;
    va_start(ap, what);
    vsnprintf(op, sizeof op, what, ap);
    va_end(ap);
    if (c.extack[0])
        snprintf(nl->err, sizeof nl->err, "%s: %s (%s)", op, strerror(e), c.extack);
    else
        snprintf(nl->err, sizeof nl->err, "%s: %s", op, strerror(e));
    return -e;
}

/* ---- Links ---- */

static struct nlmsghdr *link_req(struct netns_nl *nl, uint16_t type, uint16_t flags, int ifindex)
{
    struct nlmsghdr *nlh = nl_req(nl, type, flags);
    struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof *ifi);
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = ifindex;
    return nlh;
}

static int link_attr_cb(const struct nlattr *a, void *data)
{
    struct netns_link_info *li = data;
    switch (mnl_attr_get_type(a)) {
    case IFLA_IFNAME:
        if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
            snprintf(li->name, sizeof li->name, "%s", mnl_attr_get_str(a));
        break;
    case IFLA_MTU:
        if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
            li->mtu = mnl_attr_get_u32(a);
        break;
    case IFLA_ADDRESS:
        if (mnl_attr_get_payload_len(a) == 6)
            memcpy(li->mac, mnl_attr_get_payload(a), 6);
        break;
    default:
        break;
    }
    return MNL_CB_OK;
}

static int link_parse(const struct nlmsghdr *nlh, struct netns_link_info *li)
{
    if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(struct ifinfomsg))
        return -1;
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    memset(li, 0, sizeof *li);
    li->ifindex = ifi->ifi_index;
    li->flags = ifi->ifi_flags;
    mnl_attr_parse(nlh, sizeof *ifi, link_attr_cb, li);
    return 0;
}

static int link_get_cb(const struct nlmsghdr *nlh, void *data)
{
    link_parse(nlh, data);
    return MNL_CB_OK;
}

int netns_link_get(struct netns_nl *nl, const char *ifname, struct netns_link_info *out)
{
    if (!ifname || !ifname[0] || strlen(ifname) >= IFNAMSIZ)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    struct nlmsghdr *nlh = link_req(nl, RTM_GETLINK, NLM_F_ACK, 0);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
    int r = nl_talk(nl, nlh, link_get_cb, out, "look up interface %s", ifname);
    if (r == 0 && out->ifindex == 0) {
        snprintf(nl->err, sizeof nl->err, "look up interface %s: no reply", ifname);
        return -ENODEV;
    }
    return r;
}

struct link_list {
    struct netns_link_info *items;
    size_t n, cap;
};

static int link_list_cb(const struct nlmsghdr *nlh, void *data)
{
    struct link_list *l = data;
    struct netns_link_info li;
    if (link_parse(nlh, &li) == 0) {
        l->items = xgrow(l->items, &l->cap, l->n, sizeof *l->items);
        l->items[l->n++] = li;
    }
    return MNL_CB_OK;
}

int netns_link_list(struct netns_nl *nl, struct netns_link_info **out, size_t *n_out)
{
    struct link_list l = {0};
    struct nlmsghdr *nlh = link_req(nl, RTM_GETLINK, NLM_F_DUMP, 0);
    int r = nl_talk(nl, nlh, link_list_cb, &l, "list interfaces");
    if (r < 0) {
        free(l.items);
        l.items = NULL;
        l.n = 0;
    }
    *out = l.items;
    *n_out = l.n;
    return r;
}

int netns_link_set_up(struct netns_nl *nl, int ifindex, bool up)
{
    struct nlmsghdr *nlh = link_req(nl, RTM_NEWLINK, NLM_F_ACK, ifindex);
    struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    ifi->ifi_change = IFF_UP;
    ifi->ifi_flags = up ? IFF_UP : 0;
    return nl_talk(nl, nlh, NULL, NULL, "set interface %d %s", ifindex, up ? "up" : "down");
}

int netns_link_set_mtu(struct netns_nl *nl, int ifindex, uint32_t mtu)
{
    struct nlmsghdr *nlh = link_req(nl, RTM_NEWLINK, NLM_F_ACK, ifindex);
    mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
    return nl_talk(nl, nlh, NULL, NULL, "set MTU %u on interface %d", mtu, ifindex);
}

int netns_link_set_gso_max_size(struct netns_nl *nl, int ifindex, uint32_t size)
{
    struct nlmsghdr *nlh = link_req(nl, RTM_NEWLINK, NLM_F_ACK, ifindex);
    mnl_attr_put_u32(nlh, IFLA_GSO_MAX_SIZE, size);
    return nl_talk(nl, nlh, NULL, NULL, "set GSO max size %u on interface %d", size, ifindex);
}

int netns_link_set_mac(struct netns_nl *nl, int ifindex, const uint8_t mac[6])
{
    struct nlmsghdr *nlh = link_req(nl, RTM_NEWLINK, NLM_F_ACK, ifindex);
    mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
    return nl_talk(nl, nlh, NULL, NULL, "set MAC %02x:%02x:%02x:%02x:%02x:%02x on interface %d",
                   mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], ifindex);
}

int netns_link_rename(struct netns_nl *nl, int ifindex, const char *new_name)
{
    if (!new_name || !new_name[0] || strlen(new_name) >= IFNAMSIZ)
        return -EINVAL;
    struct nlmsghdr *nlh = link_req(nl, RTM_NEWLINK, NLM_F_ACK, ifindex);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, new_name);
    return nl_talk(nl, nlh, NULL, NULL, "rename interface %d to %s", ifindex, new_name);
}

int netns_link_move(struct netns_nl *nl, int ifindex, const char *ns_name)
{
    int ns_fd = ns_open(ns_name);
    if (ns_fd < 0) {
        snprintf(nl->err, sizeof nl->err, "open namespace %s: %s", ns_name ? ns_name : "(null)",
                 strerror(-ns_fd));
        return ns_fd;
    }
    struct nlmsghdr *nlh = link_req(nl, RTM_NEWLINK, NLM_F_ACK, ifindex);
    mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)ns_fd);
    int r = nl_talk(nl, nlh, NULL, NULL, "move interface %d into namespace %s", ifindex, ns_name);
    close(ns_fd);
    return r;
}

int netns_link_delete(struct netns_nl *nl, int ifindex)
{
    struct nlmsghdr *nlh = link_req(nl, RTM_DELLINK, NLM_F_ACK, ifindex);
    return nl_talk(nl, nlh, NULL, NULL, "delete interface %d", ifindex);
}

/* ---- Addresses ---- */

static int addr_req(struct netns_nl *nl, bool add, int family, int ifindex, const void *addr,
                    size_t alen, uint8_t plen, const char *text)
{
    /* REPLACE turns "already there" into success, so a configuration can be re-applied. */
    uint16_t flags = add ? NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE : NLM_F_ACK;
    struct nlmsghdr *nlh = nl_req(nl, add ? RTM_NEWADDR : RTM_DELADDR, flags);
    struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof *ifa);
    ifa->ifa_family = (uint8_t)family;
    ifa->ifa_prefixlen = plen;
    ifa->ifa_scope = RT_SCOPE_UNIVERSE;
    ifa->ifa_index = (unsigned)ifindex;
    mnl_attr_put(nlh, IFA_LOCAL, alen, addr);
    mnl_attr_put(nlh, IFA_ADDRESS, alen, addr);
    if (add && family == AF_INET && plen < 31) {
        uint32_t a;
        memcpy(&a, addr, 4);
        uint32_t brd = htonl(ntohl(a) | ~prefix4_mask(plen));
        mnl_attr_put(nlh, IFA_BROADCAST, 4, &brd);
    }
    if (add && family == AF_INET6) {
        ifa->ifa_flags = IFA_F_NODAD;
        mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
    }
    return nl_talk(nl, nlh, NULL, NULL, "%s address %s/%u on interface %d", add ? "add" : "delete",
                   text, plen, ifindex);
}

int netns_addr4_add(struct netns_nl *nl, int ifindex, uint32_t addr, uint8_t plen)
{
    if (plen > 32)
        return -EINVAL;
    char text[IP4_STRLEN];
    ip4_format(addr, text);
    uint32_t a = htonl(addr);
    return addr_req(nl, true, AF_INET, ifindex, &a, 4, plen, text);
}

int netns_addr4_del(struct netns_nl *nl, int ifindex, uint32_t addr, uint8_t plen)
{
    if (plen > 32)
        return -EINVAL;
    char text[IP4_STRLEN];
    ip4_format(addr, text);
    uint32_t a = htonl(addr);
    return addr_req(nl, false, AF_INET, ifindex, &a, 4, plen, text);
}

int netns_addr6_add(struct netns_nl *nl, int ifindex, const uint8_t addr[16], uint8_t plen)
{
    if (plen > 128)
        return -EINVAL;
    char text[IP6_STRLEN];
    ip6_format(addr, text);
    return addr_req(nl, true, AF_INET6, ifindex, addr, 16, plen, text);
}

int netns_addr6_del(struct netns_nl *nl, int ifindex, const uint8_t addr[16], uint8_t plen)
{
    if (plen > 128)
        return -EINVAL;
    char text[IP6_STRLEN];
    ip6_format(addr, text);
    return addr_req(nl, false, AF_INET6, ifindex, addr, 16, plen, text);
}

/* ---- Routes ---- */

static int route_add(struct netns_nl *nl, int family, int ifindex, const void *dst, uint8_t plen,
                     const void *gw, size_t alen, const char *text)
{
    struct nlmsghdr *nlh = nl_req(nl, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
    struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof *rtm);
    rtm->rtm_family = (uint8_t)family;
    rtm->rtm_dst_len = plen;
    rtm->rtm_table = RT_TABLE_MAIN;
    /* RTPROT_BOOT is what `ip route add` sets: these read as routes an administrator made. */
    rtm->rtm_protocol = RTPROT_BOOT;
    rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    rtm->rtm_type = RTN_UNICAST;
    if (plen > 0)
        mnl_attr_put(nlh, RTA_DST, alen, dst);
    if (gw)
        mnl_attr_put(nlh, RTA_GATEWAY, alen, gw);
    mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
    return nl_talk(nl, nlh, NULL, NULL, "add route %s on interface %d", text, ifindex);
}

int netns_route4_add_dev(struct netns_nl *nl, int ifindex, uint32_t dst, uint8_t plen)
{
    if (plen > 32)
        return -EINVAL;
    struct prefix4 p = prefix4_make(dst, plen);
    char text[PREFIX4_STRLEN];
    prefix4_format(&p, text);
    uint32_t d = htonl(p.addr);
    return route_add(nl, AF_INET, ifindex, &d, plen, NULL, 4, text);
}

int netns_route4_add_default(struct netns_nl *nl, int ifindex, uint32_t gw)
{
    char ip[IP4_STRLEN], text[IP4_STRLEN + 16];
    ip4_format(gw, ip);
    snprintf(text, sizeof text, "default via %s", ip);
    uint32_t g = htonl(gw);
    return route_add(nl, AF_INET, ifindex, NULL, 0, &g, 4, text);
}

int netns_route6_add_dev(struct netns_nl *nl, int ifindex, const uint8_t dst[16], uint8_t plen)
{
    if (plen > 128)
        return -EINVAL;
    struct prefix6 p;
    memcpy(p.addr, dst, 16);
    p.len = plen;
    prefix6_mask_addr(p.addr, plen);
    char text[PREFIX6_STRLEN];
    prefix6_format(&p, text);
    return route_add(nl, AF_INET6, ifindex, p.addr, plen, NULL, 16, text);
}

int netns_route6_add_default(struct netns_nl *nl, int ifindex, const uint8_t gw[16])
{
    char ip[IP6_STRLEN], text[IP6_STRLEN + 16];
    ip6_format(gw, ip);
    snprintf(text, sizeof text, "default via %s", ip);
    return route_add(nl, AF_INET6, ifindex, NULL, 0, gw, 16, text);
}

/* ---- Instances ---- */

static bool ifname_valid(const char *name)
{
    size_t len = strnlen(name, IFNAMSIZ);
    if (len == 0 || len >= IFNAMSIZ || strcmp(name, "lo") == 0)
        return false;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if (name[i] == '/' || name[i] == ':' || name[i] <= ' ' || name[i] == 0x7f)
            return false;
    return true;
}

static int check_names(const struct netns_iface *ifs, size_t n, const char *ns_name, char *err,
                       size_t err_size)
{
    if (!ns_name_valid(ns_name)) {
        set_err(err, err_size, "invalid namespace name \"%s\"", ns_name ? ns_name : "(null)");
        return -EINVAL;
    }
    if (n == 0 || n > NETNS_MAX_IFACES || !ifs) {
        set_err(err, err_size, "%s: %zu interfaces (1 to %d)", ns_name, n, NETNS_MAX_IFACES);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!ifname_valid(ifs[i].name)) {
            set_err(err, err_size, "%s: invalid interface name \"%.*s\"", ns_name, IFNAMSIZ - 1,
                    ifs[i].name);
            return -EINVAL;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(ifs[i].name, ifs[j].name) == 0) {
                set_err(err, err_size, "%s: interface %s given twice", ns_name, ifs[i].name);
                return -EINVAL;
            }
    }
    return 0;
}

static int check_config(const struct netns_iface *ifs, size_t n, const char *ns_name, char *err,
                        size_t err_size)
{
    int r = check_names(ifs, n, ns_name, err, err_size);
    if (r < 0)
        return r;
    size_t n_gw4 = 0, n_gw6 = 0;
    for (size_t i = 0; i < n; i++) {
        const struct netns_iface *f = &ifs[i];
        if ((f->n_ipv4 && !f->ipv4) || (f->n_ipv6 && !f->ipv6)) {
            set_err(err, err_size, "%s: %s: address count without addresses", ns_name, f->name);
            return -EINVAL;
        }
        for (size_t k = 0; k < f->n_ipv4; k++)
            if (f->ipv4[k].plen > 32) {
                set_err(err, err_size, "%s: %s: IPv4 prefix length %u", ns_name, f->name,
                        f->ipv4[k].plen);
                return -EINVAL;
            }
        for (size_t k = 0; k < f->n_ipv6; k++)
            if (f->ipv6[k].plen > 128) {
                set_err(err, err_size, "%s: %s: IPv6 prefix length %u", ns_name, f->name,
                        f->ipv6[k].plen);
                return -EINVAL;
            }
        n_gw4 += f->gw4 != 0;
        n_gw6 += f->has_gw6;
    }
    /* Two default routes would silently replace each other; that is a caller's bug. */
    if (n_gw4 > 1 || n_gw6 > 1) {
        set_err(err, err_size, "%s: default route on more than one interface", ns_name);
        return -EINVAL;
    }
    return 0;
}

static bool gw4_on_link(const struct netns_iface *f)
{
    for (size_t k = 0; k < f->n_ipv4; k++) {
        struct prefix4 p = prefix4_make(f->ipv4[k].addr, f->ipv4[k].plen);
        /* A /32 or /31's "prefix route" covers no router address worth trusting. */
        if (f->ipv4[k].plen < 31 && prefix4_has_addr(&p, f->gw4))
            return true;
    }
    return false;
}

static bool gw6_on_link(const struct netns_iface *f)
{
    /* fe80::/10: the kernel's fe80::/64 route on every IPv6 link reaches it. */
    if (f->gw6[0] == 0xfe && (f->gw6[1] & 0xc0) == 0x80)
        return true;
    for (size_t k = 0; k < f->n_ipv6; k++) {
        struct prefix6 p;
        memcpy(p.addr, f->ipv6[k].addr, 16);
        p.len = f->ipv6[k].plen;
        prefix6_mask_addr(p.addr, p.len);
        if (p.len < 127 && prefix6_has_addr(&p, f->gw6))
            return true;
    }
    return false;
}

/* Link up, then addresses, then routes: the kernel refuses a route whose device is down, and
 * it drops IPv6 addresses of a link going down, so this order is also what Start re-runs. */
static int iface_apply(struct netns_nl *nl, int ifindex, const struct netns_iface *f)
{
    int r = netns_link_set_up(nl, ifindex, true);
    for (size_t k = 0; r == 0 && k < f->n_ipv4; k++)
        r = netns_addr4_add(nl, ifindex, f->ipv4[k].addr, f->ipv4[k].plen);
    for (size_t k = 0; r == 0 && k < f->n_ipv6; k++)
        r = netns_addr6_add(nl, ifindex, f->ipv6[k].addr, f->ipv6[k].plen);
    if (r == 0 && f->gw4) {
        if (!gw4_on_link(f))
            r = netns_route4_add_dev(nl, ifindex, f->gw4, 32);
        if (r == 0)
            r = netns_route4_add_default(nl, ifindex, f->gw4);
    }
    if (r == 0 && f->has_gw6) {
        if (!gw6_on_link(f))
            r = netns_route6_add_dev(nl, ifindex, f->gw6, 128);
        if (r == 0)
            r = netns_route6_add_default(nl, ifindex, f->gw6);
    }
    return r;
}

/* One interface: TAP in vpcd's namespace, moved in, renamed, MAC and MTU set while down (a
 * rename needs the link down), then brought up with its addresses and routes. */
static int iface_up(struct netns_nl *host, struct netns_nl *inst, const struct netns_iface *f,
                    const char *ns_name, int *tap_fd, char *err, size_t err_size)
{
    struct netns_nl *failed = inst;
    struct netns_link_info li;
    int r = netns_link_get(inst, f->name, &li);
    /* Left over from an earlier run, or made by hand: the name belongs to the instance. */
    if (r == 0)
        r = netns_link_delete(inst, li.ifindex);
    else if (r == -ENODEV)
        r = 0;
    if (r < 0)
        goto fail;
    struct netns_tap tap;
    r = netns_tap_open("vpcdtap%d", f->tap_flags, &tap);
    if (r < 0) {
        set_err(err, err_size, "%s: %s: create TAP: %s", ns_name, f->name, strerror(-r));
        return r;
    }
    *tap_fd = tap.fd;
    failed = host;
    r = netns_link_move(host, tap.ifindex, ns_name);
    if (r < 0)
        goto fail;
    failed = inst;
    /* The name survives the move; the ifindex need not. */
    r = netns_link_get(inst, tap.name, &li);
    if (r == 0)
        r = netns_link_rename(inst, li.ifindex, f->name);
    if (r == 0)
        r = netns_link_set_mac(inst, li.ifindex, f->mac);
    if (r == 0 && f->mtu)
        r = netns_link_set_mtu(inst, li.ifindex, f->mtu);
    /* Super-packets must fit vpcd's buffers (IPv4 and IPv6 lengths are 16-bit). */
    if (r == 0 && (f->tap_flags & NETNS_TAP_OFFLOADS))
        r = netns_link_set_gso_max_size(inst, li.ifindex, NETNS_TAP_GSO_MAX);
    if (r == 0)
        r = iface_apply(inst, li.ifindex, f);
    if (r < 0)
        goto fail;
    return 0;
fail:
    set_err(err, err_size, "%s: %s: %s", ns_name, f->name, netns_nl_error(failed));
    return r;
}

int netns_instance_up(const struct netns_iface *ifs, size_t n, const char *ns_name,
                      int *tap_fds_out, char *err, size_t err_size)
{
    for (size_t i = 0; tap_fds_out && i < n && i < NETNS_MAX_IFACES; i++)
        tap_fds_out[i] = -1;
    if (!tap_fds_out) {
        set_err(err, err_size, "no room for the TAP fds");
        return -EINVAL;
    }
    int r = check_config(ifs, n, ns_name, err, err_size);
    if (r < 0)
        return r;

    bool created = false;
    if (!netns_exists(ns_name)) {
        /* A file without its namespace mount is debris of a crash half-way through create. */
        netns_delete(ns_name, NULL, 0);
        r = netns_create(ns_name, err, err_size);
        if (r < 0)
            return r;
        created = true;
    }

    struct netns_nl *host = netns_nl_open(NULL, &r, err, err_size);
    struct netns_nl *inst = host ? netns_nl_open(ns_name, &r, err, err_size) : NULL;
    if (!inst)
        goto fail;

    struct netns_link_info lo;
    r = netns_link_get(inst, "lo", &lo);
    if (r == 0)
        r = netns_link_set_up(inst, lo.ifindex, true);
    if (r < 0) {
        set_err(err, err_size, "%s: %s", ns_name, netns_nl_error(inst));
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        r = iface_up(host, inst, &ifs[i], ns_name, &tap_fds_out[i], err, err_size);
        if (r < 0)
            goto fail;
    }
    netns_nl_close(inst);
    netns_nl_close(host);
    return 0;

fail:
    netns_nl_close(inst);
    netns_nl_close(host);
    for (size_t i = 0; i < n; i++)
        if (tap_fds_out[i] >= 0) {
            close(tap_fds_out[i]);
            tap_fds_out[i] = -1;
        }
    if (created)
        netns_delete(ns_name, NULL, 0);
    return r;
}

int netns_instance_set_link(const char *ns_name, const struct netns_iface *ifs, size_t n, bool up,
                            char *err, size_t err_size)
{
    int r = up ? check_config(ifs, n, ns_name, err, err_size)
               : check_names(ifs, n, ns_name, err, err_size);
    if (r < 0)
        return r;
    if (!netns_exists(ns_name)) {
        set_err(err, err_size, "%s: no such namespace", ns_name);
        return -ENOENT;
    }
    struct netns_nl *inst = netns_nl_open(ns_name, &r, err, err_size);
    if (!inst)
        return r;
    for (size_t i = 0; r == 0 && i < n; i++) {
        struct netns_link_info li;
        r = netns_link_get(inst, ifs[i].name, &li);
        if (r == 0)
            r = up ? iface_apply(inst, li.ifindex, &ifs[i])
                   : netns_link_set_up(inst, li.ifindex, false);
        if (r < 0)
            set_err(err, err_size, "%s: %s: %s", ns_name, ifs[i].name, netns_nl_error(inst));
    }
    netns_nl_close(inst);
    return r;
}

int netns_instance_remove(const char *ns_name, char *err, size_t err_size)
{
    if (!ns_name_valid(ns_name)) {
        set_err(err, err_size, "invalid namespace name \"%s\"", ns_name ? ns_name : "(null)");
        return -EINVAL;
    }
    if (netns_exists(ns_name)) {
        int r;
        struct netns_nl *inst = netns_nl_open(ns_name, &r, NULL, 0);
        struct netns_link_info *links = NULL;
        size_t n_links = 0;
        /* Best effort: the namespace's death takes its TAPs along anyway, but only once the
         * last process inside has left; deleting them now cuts the instance off at once. */
        if (inst && netns_link_list(inst, &links, &n_links) == 0)
            for (size_t i = 0; i < n_links; i++)
                if (!(links[i].flags & IFF_LOOPBACK))
                    netns_link_delete(inst, links[i].ifindex);
        free(links);
        netns_nl_close(inst);
    }
    int r = netns_delete(ns_name, err, err_size);
    return r == -ENOENT ? 0 : r;
}
