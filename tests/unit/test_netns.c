/* Instance namespaces and TAP devices (src/dp/netns.c), against the real kernel.
 *
 *   vpcd's namespace                  i-0000000000000test1
 *   +----------------+               +---------------------------------------+
 *   | tap fd [0] ----|---- TAP ----->| eth0 10.0.1.10/24 10.0.1.11/24        |
 *   |                |               |      2001:db8:1::10/64, mtu 9001      |
 *   |                |               |      default via 10.0.1.1, 2001:db8:1::1
 *   | tap fd [1] ----|---- TAP ----->| eth1 10.0.2.20/24, mtu 9001          |
 *   +----------------+               +---------------------------------------+
 *
 * Needs root (namespaces, mounts, /dev/net/tun); otherwise it prints a SKIP line. The names
 * are not valid instance IDs (".....test1"), so they cannot be a real instance of a vpcd or
 * another test running at the same time; leftovers of a crashed run are deleted first, and the
 * teardown removes everything even when an assertion failed.
 */
#include "unit.h"

#include "dp/netns.h"
#include "lib/addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NS1 "i-0000000000000test1"
#define NS2 "i-0000000000000test2"
#define NS_LISTED "i-00000000feedc0de1" /* a well-formed instance ID, for the listing */

static const uint8_t MAC0[6] = {0x02, 0x00, 0x00, 0x00, 0x0a, 0x01};
static const uint8_t MAC1[6] = {0x02, 0x00, 0x00, 0x00, 0x0b, 0x01};
static const uint8_t GW_MAC[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xfe};

struct fixture {
    int fds[NETNS_MAX_IFACES];
    int extra_fd; /* a TAP the test holds itself */
    struct netns_addr4 eth0_v4[2];
    struct netns_addr6 eth0_v6[1];
    struct netns_addr4 eth1_v4[1];
    struct netns_iface ifs[2];
};

static struct fixture fx;

static uint32_t ip4(const char *s)
{
    uint32_t a = 0;
    assert_int_equal(ip4_parse(s, &a), 0);
    return a;
}

static void ip6(const char *s, uint8_t out[16])
{
    assert_int_equal(ip6_parse(s, out), 0);
}

static void remove_test_namespaces(void)
{
    netns_instance_remove(NS1, NULL, 0);
    netns_instance_remove(NS2, NULL, 0);
    netns_instance_remove(NS_LISTED, NULL, 0);
}

static int setup(void **state)
{
    (void)state;
    memset(&fx, 0, sizeof fx);
    for (int i = 0; i < NETNS_MAX_IFACES; i++)
        fx.fds[i] = -1;
    fx.extra_fd = -1;
    remove_test_namespaces();

    fx.eth0_v4[0] = (struct netns_addr4){ip4("10.0.1.10"), 24};
    fx.eth0_v4[1] = (struct netns_addr4){ip4("10.0.1.11"), 24};
    ip6("2001:db8:1::10", fx.eth0_v6[0].addr);
    fx.eth0_v6[0].plen = 64;
    fx.eth1_v4[0] = (struct netns_addr4){ip4("10.0.2.20"), 24};

    struct netns_iface *e0 = &fx.ifs[0], *e1 = &fx.ifs[1];
    snprintf(e0->name, sizeof e0->name, "eth0");
    memcpy(e0->mac, MAC0, 6);
    e0->mtu = 9001;
    e0->ipv4 = fx.eth0_v4;
    e0->n_ipv4 = 2;
    e0->ipv6 = fx.eth0_v6;
    e0->n_ipv6 = 1;
    e0->gw4 = ip4("10.0.1.1");
    e0->has_gw6 = true;
    ip6("2001:db8:1::1", e0->gw6);

    snprintf(e1->name, sizeof e1->name, "eth1");
    memcpy(e1->mac, MAC1, 6);
    e1->mtu = 9001;
    e1->ipv4 = fx.eth1_v4;
    e1->n_ipv4 = 1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (int i = 0; i < NETNS_MAX_IFACES; i++)
        if (fx.fds[i] >= 0)
            close(fx.fds[i]);
    if (fx.extra_fd >= 0)
        close(fx.extra_fd);
    remove_test_namespaces();
    return 0;
}

/* Brings NS1 up with the two interfaces of the picture. */
static void up_ns1(void)
{
    char err[NETNS_ERR_SIZE] = "";
    int r = netns_instance_up(fx.ifs, 2, NS1, fx.fds, err, sizeof err);
    if (r != 0)
        print_error("netns_instance_up: %s\n", err);
    assert_int_equal(r, 0);
}

/* Output of a shell command, whitespace runs folded to one space and lines trimmed, so the
 * comparison is about what `ip` says, not how it aligns it. */
static void run(const char *cmd, char *out, size_t out_size)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char raw[8192];
    size_t n = fread(raw, 1, sizeof raw - 1, p);
    raw[n] = '\0';
    assert_int_equal(pclose(p), 0);
    size_t o = 0;
    bool space = false, line_start = true;
    for (size_t i = 0; i < n && o + 2 < out_size; i++) {
        char c = raw[i];
        if (c == '\n') {
            if (o > 0 && out[o - 1] == ' ')
                o--;
            out[o++] = '\n';
            space = false;
            line_start = true;
        } else if (c == ' ' || c == '\t' || c == '\\') {
            space = true;
        } else {
            if (space && !line_start)
                out[o++] = ' ';
            out[o++] = c;
            space = false;
            line_start = false;
        }
    }
    out[o] = '\0';
}

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* Reads frames from a TAP until one passes want(), for at most timeout_ms. Returns its length
 * or 0. Other frames (IPv6 router solicitations, MLD reports) are skipped. */
static size_t read_frame(int fd, uint8_t *buf, size_t size, int timeout_ms,
                         bool (*want)(const uint8_t *f, size_t len))
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        long spent = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        if (spent >= timeout_ms)
            return 0;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, (int)(timeout_ms - spent)) <= 0)
            continue;
        ssize_t n = read(fd, buf, size);
        if (n > 0 && want(buf, (size_t)n))
            return (size_t)n;
    }
}

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool is_arp(const uint8_t *f, size_t len)
{
    return len >= 42 && be16(f + 12) == 0x0806;
}

static bool is_udp4(const uint8_t *f, size_t len)
{
    return len >= 42 && be16(f + 12) == 0x0800 && f[14 + 9] == 17;
}

static void send_udp_from(const char *ns, const char *dst, uint16_t port, const char *payload)
{
    int s = netns_socket(ns, AF_INET, SOCK_DGRAM, 0);
    assert_true(s >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(ip4(dst));
    ssize_t n = sendto(s, payload, strlen(payload), 0, (struct sockaddr *)&sa, sizeof sa);
    close(s);
    assert_int_equal(n, (ssize_t)strlen(payload));
}

/* An ARP request as the instance's kernel sends it on eth<n> for the router. */
static void expect_arp_request(int fd, const uint8_t mac[6], const char *spa, const char *tpa)
{
    uint8_t f[2048] = {0};
    size_t n = read_frame(fd, f, sizeof f, 3000, is_arp);
    assert_true(n >= 42);
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    assert_memory_equal(f, bcast, 6);
    assert_memory_equal(f + 6, mac, 6);
    const uint8_t *a = f + 14;
    assert_int_equal(be16(a), 1);          /* Ethernet */
    assert_int_equal(be16(a + 2), 0x0800); /* IPv4 */
    assert_int_equal(a[4], 6);
    assert_int_equal(a[5], 4);
    assert_int_equal(be16(a + 6), 1); /* request */
    assert_memory_equal(a + 8, mac, 6);
    assert_int_equal(be32(a + 14), ip4(spa));
    assert_int_equal(be32(a + 24), ip4(tpa));
}

/* ---- Namespaces ---- */

static void test_namespace_lifecycle(void **state)
{
    (void)state;
    char err[NETNS_ERR_SIZE] = "", out[8192];
    assert_false(netns_exists(NS1));
    assert_int_equal(netns_create(NS1, err, sizeof err), 0);
    assert_true(netns_exists(NS1));
    struct stat st;
    assert_int_equal(stat(NETNS_RUN_DIR "/" NS1, &st), 0);

    /* iproute2 sees it as its own. */
    run("ip netns list", out, sizeof out);
    assert_non_null(strstr(out, NS1));
    run("ip -n " NS1 " -o link show", out, sizeof out);
    assert_int_equal(count_lines(out), 1);
    assert_non_null(strstr(out, "1: lo: <LOOPBACK>"));
    run("ip netns exec " NS1 " cat /proc/net/dev | grep -c :", out, sizeof out);
    assert_string_equal(out, "1\n");

    err[0] = '\0';
    assert_int_equal(netns_create(NS1, err, sizeof err), -EEXIST);
    assert_non_null(strstr(err, NS1));

    int r;
    struct netns_nl *nl = netns_nl_open(NS1, &r, err, sizeof err);
    assert_non_null(nl);
    struct netns_link_info *links = NULL;
    size_t n_links = 0;
    assert_int_equal(netns_link_list(nl, &links, &n_links), 0);
    assert_int_equal(n_links, 1);
    assert_string_equal(links[0].name, "lo");
    assert_true(links[0].flags & IFF_LOOPBACK);
    free(links);
    netns_nl_close(nl);

    assert_int_equal(netns_delete(NS1, err, sizeof err), 0);
    assert_false(netns_exists(NS1));
    assert_int_equal(stat(NETNS_RUN_DIR "/" NS1, &st), -1);
    assert_int_equal(errno, ENOENT);
    assert_int_equal(netns_delete(NS1, err, sizeof err), -ENOENT);
    run("ip netns list", out, sizeof out);
    assert_null(strstr(out, NS1));

    assert_int_equal(netns_create("", err, sizeof err), -EINVAL);
    assert_int_equal(netns_create("a/b", err, sizeof err), -EINVAL);
    assert_int_equal(netns_create("..", err, sizeof err), -EINVAL);
    assert_int_equal(netns_create("a b", err, sizeof err), -EINVAL);
    assert_int_equal(netns_socket("no-such-namespace-vpcd", AF_INET, SOCK_DGRAM, 0), -ENOENT);
}

static bool listed(char (*names)[NETNS_NAME_MAX], size_t n, const char *name)
{
    size_t hits = 0;
    for (size_t i = 0; i < n; i++)
        hits += strcmp(names[i], name) == 0;
    assert_true(hits <= 1);
    return hits == 1;
}

static void test_list_instances(void **state)
{
    (void)state;
    assert_true(netns_is_instance_name("i-0123456789abcdef0"));
    assert_true(netns_is_instance_name(NS_LISTED));
    assert_false(netns_is_instance_name(NS1));
    assert_false(netns_is_instance_name("i-0123456789ABCDEF0"));
    assert_false(netns_is_instance_name("i-0123456789abcdef"));
    assert_false(netns_is_instance_name("i-0123456789abcdef01"));
    assert_false(netns_is_instance_name("i-01234567"));
    assert_false(netns_is_instance_name("vpcd-internet"));

    char err[NETNS_ERR_SIZE];
    assert_int_equal(netns_create(NS_LISTED, err, sizeof err), 0);
    assert_int_equal(netns_create(NS1, err, sizeof err), 0);
    char(*names)[NETNS_NAME_MAX] = NULL;
    size_t n = 0;
    assert_int_equal(netns_list_instances(&names, &n), 0);
    assert_true(listed(names, n, NS_LISTED));
    assert_false(listed(names, n, NS1));
    for (size_t i = 0; i < n; i++) {
        assert_true(netns_is_instance_name(names[i]));
        if (i > 0)
            assert_true(strcmp(names[i - 1], names[i]) < 0);
    }
    free(names);

    assert_int_equal(netns_delete(NS_LISTED, err, sizeof err), 0);
    assert_int_equal(netns_list_instances(&names, &n), 0);
    assert_false(listed(names, n, NS_LISTED));
    free(names);
}

/* ---- Instances ---- */

static void check_link(struct netns_nl *nl, const char *name, const uint8_t mac[6], bool up)
{
    struct netns_link_info li;
    int r = netns_link_get(nl, name, &li);
    if (r != 0)
        print_error("%s\n", netns_nl_error(nl));
    assert_int_equal(r, 0);
    assert_string_equal(li.name, name);
    assert_int_equal(li.mtu, 9001);
    assert_memory_equal(li.mac, mac, 6);
    assert_int_equal(!!(li.flags & IFF_UP), up);
}

static void test_instance_up_configures(void **state)
{
    (void)state;
    up_ns1();
    assert_true(fx.fds[0] >= 0);
    assert_true(fx.fds[1] >= 0);
    assert_int_not_equal(fx.fds[0], fx.fds[1]);
    for (int i = 0; i < 2; i++) {
        assert_true(fcntl(fx.fds[i], F_GETFL) & O_NONBLOCK);
        assert_true(fcntl(fx.fds[i], F_GETFD) & FD_CLOEXEC);
    }
    assert_true(netns_exists(NS1));

    /* Netlink's view. */
    int r;
    struct netns_nl *nl = netns_nl_open(NS1, &r, NULL, 0);
    assert_non_null(nl);
    check_link(nl, "eth0", MAC0, true);
    check_link(nl, "eth1", MAC1, true);
    struct netns_link_info lo;
    assert_int_equal(netns_link_get(nl, "lo", &lo), 0);
    assert_true(lo.flags & IFF_UP);
    struct netns_link_info *links = NULL;
    size_t n_links = 0;
    assert_int_equal(netns_link_list(nl, &links, &n_links), 0);
    assert_int_equal(n_links, 3);
    free(links);
    assert_int_equal(netns_link_get(nl, "eth2", &lo), -ENODEV);
    assert_non_null(strstr(netns_nl_error(nl), "eth2"));
    netns_nl_close(nl);

    /* iproute2's view, which is what a user of `ip netns exec` gets. */
    char out[8192];
    run("ip -n " NS1 " -o link show dev eth0", out, sizeof out);
    assert_non_null(strstr(out, "eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 "));
    assert_non_null(strstr(out, "link/ether 02:00:00:00:0a:01 brd ff:ff:ff:ff:ff:ff"));
    run("ip -n " NS1 " -o link show dev eth1", out, sizeof out);
    assert_non_null(strstr(out, " mtu 9001 "));
    assert_non_null(strstr(out, "link/ether 02:00:00:00:0b:01 "));

    run("ip -n " NS1 " -o -4 addr show dev eth0", out, sizeof out);
    assert_int_equal(count_lines(out), 2);
    assert_non_null(strstr(out, "inet 10.0.1.10/24 brd 10.0.1.255 scope global eth0 "));
    assert_non_null(strstr(out, "inet 10.0.1.11/24 brd 10.0.1.255 scope global secondary eth0 "));
    run("ip -n " NS1 " -o -4 addr show dev eth1", out, sizeof out);
    assert_int_equal(count_lines(out), 1);
    assert_non_null(strstr(out, "inet 10.0.2.20/24 brd 10.0.2.255 scope global eth1 "));
    run("ip -n " NS1 " -o -6 addr show dev eth0 scope global", out, sizeof out);
    assert_int_equal(count_lines(out), 1);
    assert_non_null(strstr(out, "inet6 2001:db8:1::10/64 scope global nodad "));

    run("ip -n " NS1 " -4 route show", out, sizeof out);
    assert_string_equal(out, "default via 10.0.1.1 dev eth0\n"
                             "10.0.1.0/24 dev eth0 proto kernel scope link src 10.0.1.10\n"
                             "10.0.2.0/24 dev eth1 proto kernel scope link src 10.0.2.20\n");
    run("ip -n " NS1 " -6 route show default", out, sizeof out);
    assert_string_equal(out, "default via 2001:db8:1::1 dev eth0 metric 1024 pref medium\n");
}

/* The fds stay vpcd's: frames the instance sends come out of them in vpcd's namespace, and
 * frames written into them reach the instance. */
static void test_tap_fds_carry_frames(void **state)
{
    (void)state;
    up_ns1();
    send_udp_from(NS1, "10.0.1.1", 9, "vpcd-netns-test");
    expect_arp_request(fx.fds[0], MAC0, "10.0.1.10", "10.0.1.1");

    /* Answer as the router would; the kernel then releases the queued datagram. */
    uint8_t f[60] = {0};
    memcpy(f, MAC0, 6);
    memcpy(f + 6, GW_MAC, 6);
    f[12] = 0x08, f[13] = 0x06;
    uint8_t *a = f + 14;
    a[1] = 1, a[2] = 0x08, a[4] = 6, a[5] = 4, a[7] = 2;
    memcpy(a + 8, GW_MAC, 6);
    uint32_t gw = htonl(ip4("10.0.1.1")), me = htonl(ip4("10.0.1.10"));
    memcpy(a + 14, &gw, 4);
    memcpy(a + 18, MAC0, 6);
    memcpy(a + 24, &me, 4);
    assert_int_equal(write(fx.fds[0], f, sizeof f), (ssize_t)sizeof f);

    uint8_t u[2048] = {0};
    size_t n = read_frame(fx.fds[0], u, sizeof u, 3000, is_udp4);
    assert_int_equal(n, 14 + 20 + 8 + strlen("vpcd-netns-test"));
    assert_memory_equal(u, GW_MAC, 6);
    assert_memory_equal(u + 6, MAC0, 6);
    const uint8_t *ip = u + 14;
    assert_int_equal(be32(ip + 12), ip4("10.0.1.10"));
    assert_int_equal(be32(ip + 16), ip4("10.0.1.1"));
    assert_int_equal(be16(ip + 20 + 2), 9);
    assert_memory_equal(ip + 28, "vpcd-netns-test", strlen("vpcd-netns-test"));

    /* eth1's TAP is a separate wire. */
    send_udp_from(NS1, "10.0.2.1", 9, "second");
    expect_arp_request(fx.fds[1], MAC1, "10.0.2.20", "10.0.2.1");
}

static void test_link_down_up(void **state)
{
    (void)state;
    up_ns1();
    char err[NETNS_ERR_SIZE] = "", out[8192];
    int r = netns_instance_set_link(NS1, fx.ifs, 2, false, err, sizeof err);
    if (r != 0)
        print_error("%s\n", err);
    assert_int_equal(r, 0);
    struct netns_nl *nl = netns_nl_open(NS1, &r, NULL, 0);
    assert_non_null(nl);
    check_link(nl, "eth0", MAC0, false);
    check_link(nl, "eth1", MAC1, false);
    /* What the kernel does on link down, and the reason Start needs the configuration. */
    run("ip -n " NS1 " -4 route show", out, sizeof out);
    assert_string_equal(out, "");
    run("ip -n " NS1 " -o -6 addr show dev eth0 scope global", out, sizeof out);
    assert_string_equal(out, "");

    r = netns_instance_set_link(NS1, fx.ifs, 2, true, err, sizeof err);
    if (r != 0)
        print_error("%s\n", err);
    assert_int_equal(r, 0);
    check_link(nl, "eth0", MAC0, true);
    check_link(nl, "eth1", MAC1, true);
    netns_nl_close(nl);
    run("ip -n " NS1 " -4 route show default", out, sizeof out);
    assert_string_equal(out, "default via 10.0.1.1 dev eth0\n");
    run("ip -n " NS1 " -o -6 addr show dev eth0 scope global", out, sizeof out);
    assert_non_null(strstr(out, "inet6 2001:db8:1::10/64 scope global nodad "));
    run("ip -n " NS1 " -6 route show default", out, sizeof out);
    assert_string_equal(out, "default via 2001:db8:1::1 dev eth0 metric 1024 pref medium\n");
    /* Still the same wire. */
    send_udp_from(NS1, "10.0.2.1", 9, "after restart");
    expect_arp_request(fx.fds[1], MAC1, "10.0.2.20", "10.0.2.1");

    assert_int_equal(netns_instance_set_link(NS2, fx.ifs, 2, true, err, sizeof err), -ENOENT);
    struct netns_iface missing = fx.ifs[1];
    snprintf(missing.name, sizeof missing.name, "eth7");
    assert_int_equal(netns_instance_set_link(NS1, &missing, 1, false, err, sizeof err), -ENODEV);
    assert_non_null(strstr(err, "eth7"));
}

static void test_remove(void **state)
{
    (void)state;
    up_ns1();
    char err[NETNS_ERR_SIZE] = "", out[8192];
    assert_int_equal(netns_instance_remove(NS1, err, sizeof err), 0);
    assert_false(netns_exists(NS1));
    struct stat st;
    assert_int_equal(stat(NETNS_RUN_DIR "/" NS1, &st), -1);
    assert_int_equal(errno, ENOENT);
    run("ip netns list", out, sizeof out);
    assert_null(strstr(out, NS1));
    /* The devices are gone although vpcd still holds the fds. */
    uint8_t f[2048] = {0};
    for (int i = 0; i < 2; i++) {
        errno = 0;
        assert_int_equal(read(fx.fds[i], f, sizeof f), -1);
        assert_int_equal(errno, EBADFD);
    }
    /* Removing what is not there is what the caller wanted. */
    assert_int_equal(netns_instance_remove(NS1, err, sizeof err), 0);
}

/* vpcd restarts: its fds (and with them the TAPs) are gone, the namespace is not. */
static void test_recreate_after_restart(void **state)
{
    (void)state;
    up_ns1();
    for (int i = 0; i < 2; i++) {
        close(fx.fds[i]);
        fx.fds[i] = -1;
    }
    assert_true(netns_exists(NS1));
    int r;
    struct netns_nl *nl = netns_nl_open(NS1, &r, NULL, 0);
    assert_non_null(nl);
    struct netns_link_info li;
    assert_int_equal(netns_link_get(nl, "eth0", &li), -ENODEV);

    /* A stale eth1 made by someone else: instance_up replaces it. */
    int host_r;
    struct netns_nl *host = netns_nl_open(NULL, &host_r, NULL, 0);
    assert_non_null(host);
    struct netns_tap tap;
    assert_int_equal(netns_tap_open("vpcdtest%d", 0, &tap), 0);
    fx.extra_fd = tap.fd;
    assert_int_equal(strncmp(tap.name, "vpcdtest", 8), 0);
    assert_int_equal((int)if_nametoindex(tap.name), tap.ifindex);
    assert_int_equal(netns_link_move(host, tap.ifindex, NS1), 0);
    netns_nl_close(host);
    assert_int_equal((int)if_nametoindex(tap.name), 0); /* left vpcd's namespace */
    assert_int_equal(netns_link_get(nl, tap.name, &li), 0);
    assert_int_equal(netns_link_rename(nl, li.ifindex, "eth1"), 0);

    up_ns1();
    check_link(nl, "eth0", MAC0, true);
    check_link(nl, "eth1", MAC1, true);
    netns_nl_close(nl);
    uint8_t f[64];
    errno = 0;
    assert_int_equal(read(fx.extra_fd, f, sizeof f), -1);
    assert_int_equal(errno, EBADFD);
    char out[8192];
    run("ip -n " NS1 " -4 route show default", out, sizeof out);
    assert_string_equal(out, "default via 10.0.1.1 dev eth0\n");
    send_udp_from(NS1, "10.0.1.1", 9, "again");
    expect_arp_request(fx.fds[0], MAC0, "10.0.1.10", "10.0.1.1");
}

/* A /32 address covers no router, so the router gets a device route before the default. */
static void test_device_route_for_off_link_gateway(void **state)
{
    (void)state;
    struct netns_addr4 a = {ip4("10.0.3.30"), 32};
    struct netns_iface f = {.name = "eth0", .mtu = 9001, .ipv4 = &a, .n_ipv4 = 1};
    memcpy(f.mac, MAC0, 6);
    f.gw4 = ip4("10.0.3.1");
    char err[NETNS_ERR_SIZE] = "", out[8192];
    int r = netns_instance_up(&f, 1, NS2, fx.fds, err, sizeof err);
    if (r != 0)
        print_error("%s\n", err);
    assert_int_equal(r, 0);
    run("ip -n " NS2 " -4 route show", out, sizeof out);
    assert_string_equal(out, "default via 10.0.3.1 dev eth0\n"
                             "10.0.3.1 dev eth0 scope link\n");
    send_udp_from(NS2, "192.0.2.7", 9, "off-link");
    expect_arp_request(fx.fds[0], MAC0, "10.0.3.30", "10.0.3.1");
}

static void test_failure_leaves_nothing(void **state)
{
    (void)state;
    char err[NETNS_ERR_SIZE] = "";
    struct netns_iface bad[2];
    memcpy(bad, fx.ifs, sizeof bad);
    bad[1].mtu = 70000; /* beyond any TAP's maximum: the kernel refuses it half-way */
    int r = netns_instance_up(bad, 2, NS2, fx.fds, err, sizeof err);
    assert_int_equal(r, -EINVAL);
    assert_non_null(strstr(err, NS2 ": eth1: set MTU 70000"));
    assert_false(netns_exists(NS2));
    assert_int_equal(fx.fds[0], -1);
    assert_int_equal(fx.fds[1], -1);

    /* A namespace that existed before the call survives it, emptied of what the call made. */
    assert_int_equal(netns_create(NS2, err, sizeof err), 0);
    assert_int_equal(netns_instance_up(bad, 2, NS2, fx.fds, err, sizeof err), -EINVAL);
    assert_true(netns_exists(NS2));
    int nr;
    struct netns_nl *nl = netns_nl_open(NS2, &nr, NULL, 0);
    assert_non_null(nl);
    struct netns_link_info *links = NULL;
    size_t n_links = 0;
    assert_int_equal(netns_link_list(nl, &links, &n_links), 0);
    assert_int_equal(n_links, 1); /* lo */
    free(links);
    netns_nl_close(nl);
    assert_int_equal(netns_delete(NS2, err, sizeof err), 0);

    /* Refused before anything is made. */
    memcpy(bad, fx.ifs, sizeof bad);
    bad[1].gw4 = ip4("10.0.2.1");
    assert_int_equal(netns_instance_up(bad, 2, NS2, fx.fds, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "default route"));
    memcpy(bad, fx.ifs, sizeof bad);
    snprintf(bad[1].name, sizeof bad[1].name, "eth0");
    assert_int_equal(netns_instance_up(bad, 2, NS2, fx.fds, err, sizeof err), -EINVAL);
    snprintf(bad[1].name, sizeof bad[1].name, "lo");
    assert_int_equal(netns_instance_up(bad, 2, NS2, fx.fds, err, sizeof err), -EINVAL);
    assert_int_equal(netns_instance_up(fx.ifs, 0, NS2, fx.fds, err, sizeof err), -EINVAL);
    assert_int_equal(netns_instance_up(fx.ifs, 2, "bad/name", fx.fds, err, sizeof err), -EINVAL);
    assert_false(netns_exists(NS2));
}

static int probe_thread_fn_result;

static void *probe_thread_fn(void *arg)
{
    (void)arg;
    probe_thread_fn_result = unshare(CLONE_NEWNET) == 0 ? 0 : errno;
    return NULL;
}

/* Root without CAP_SYS_ADMIN (some containers) cannot make namespaces either. */
static const char *skip_reason(void)
{
    if (geteuid() != 0)
        return "needs root";
    if (access("/dev/net/tun", R_OK | W_OK) != 0)
        return "needs /dev/net/tun";
    pthread_t t;
    if (pthread_create(&t, NULL, probe_thread_fn, NULL) != 0)
        return "cannot start a thread";
    pthread_join(t, NULL);
    if (probe_thread_fn_result != 0)
        return "cannot create network namespaces (CAP_SYS_ADMIN)";
    return NULL;
}

int main(void)
{
    const char *why = skip_reason();
    if (why) {
        printf("SKIP: %s\n", why);
        printf("0 passed, 0 failed\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_namespace_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_instances, setup, teardown),
        cmocka_unit_test_setup_teardown(test_instance_up_configures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tap_fds_carry_frames, setup, teardown),
        cmocka_unit_test_setup_teardown(test_link_down_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recreate_after_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_route_for_off_link_gateway, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_leaves_nothing, setup, teardown),
    };
    size_t n_tests = sizeof tests / sizeof tests[0];
    int n_failed = cmocka_run_group_tests(tests, NULL, NULL);
    printf("%zu passed, %d failed\n", n_tests - (size_t)n_failed, n_failed);
    return n_failed == 0 ? 0 : 1;
}
