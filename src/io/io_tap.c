/* TAP ports: one read() or write() per frame on the device's descriptor (with the virtio-net
 * header in front when the TAP has IFF_VNET_HDR, so TCP super-packets and unfinished checksums
 * cross vpcd instead of being segmented and summed by the sender's kernel). */
#include <errno.h>
#include <linux/virtio_net.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "io/io.h"
#include "lib/xalloc.h"

struct tap_port {
    struct io_port base;
    int fd;
    bool vnet;
};

_Static_assert(sizeof(struct virtio_net_hdr) == 10, "the TAP's default vnet header size");

/* The header's fields are little-endian (the TAP's default on a little-endian host). */
static void offload_from_hdr(const struct virtio_net_hdr *h, struct io_offload *o)
{
    memset(o, 0, sizeof *o);
    o->csum_partial = h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;
    o->csum_start = h->csum_start;
    o->csum_offset = h->csum_offset;
    uint8_t t = h->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
    o->gso_type = t == VIRTIO_NET_HDR_GSO_TCPV4   ? IO_GSO_TCPV4
                  : t == VIRTIO_NET_HDR_GSO_TCPV6 ? IO_GSO_TCPV6
                                                  : IO_GSO_NONE;
    o->gso_ecn = h->gso_type & VIRTIO_NET_HDR_GSO_ECN;
    if (o->gso_type != IO_GSO_NONE) {
        o->gso_size = h->gso_size;
        o->hdr_len = h->hdr_len;
    }
}

static void hdr_from_offload(const struct io_offload *o, struct virtio_net_hdr *h)
{
    memset(h, 0, sizeof *h);
    if (o->csum_partial) {
        h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
        h->csum_start = o->csum_start;
        h->csum_offset = o->csum_offset;
    }
    if (o->gso_type != IO_GSO_NONE) {
        h->gso_type = (uint8_t)((o->gso_type == IO_GSO_TCPV4 ? VIRTIO_NET_HDR_GSO_TCPV4
                                                             : VIRTIO_NET_HDR_GSO_TCPV6) |
                                (o->gso_ecn ? VIRTIO_NET_HDR_GSO_ECN : 0));
        h->gso_size = o->gso_size;
        h->hdr_len = o->hdr_len;
    }
}

static int tap_rx(struct io_port *p, struct io_buf *const *bufs, int n)
{
    struct tap_port *t = (struct tap_port *)p;
    int got = 0;
    while (got < n) {
        struct io_buf *b = bufs[got];
        struct virtio_net_hdr h;
        struct iovec iov[2] = {{.iov_base = &h, .iov_len = sizeof h},
                               {.iov_base = b->data, .iov_len = sizeof b->data}};
        ssize_t r = t->vnet ? readv(t->fd, iov, 2) : readv(t->fd, iov + 1, 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return got ? got : -errno;
        }
        if (t->vnet) {
            if (r < (ssize_t)sizeof h)
                break;
            r -= (ssize_t)sizeof h;
            offload_from_hdr(&h, &b->off);
        } else {
            memset(&b->off, 0, sizeof b->off);
        }
        if (r == 0)
            break;
        b->len = (uint16_t)r;
        got++;
    }
    return got;
}

static int tap_tx(struct io_port *p, struct io_buf *const *bufs, int n)
{
    struct tap_port *t = (struct tap_port *)p;
    int sent = 0;
    for (int i = 0; i < n; i++) {
        struct virtio_net_hdr h;
        hdr_from_offload(&bufs[i]->off, &h);
        struct iovec iov[2] = {{.iov_base = &h, .iov_len = sizeof h},
                               {.iov_base = bufs[i]->data, .iov_len = bufs[i]->len}};
        size_t want = bufs[i]->len + (t->vnet ? sizeof h : 0);
        ssize_t w;
        do {
            w = t->vnet ? writev(t->fd, iov, 2) : writev(t->fd, iov + 1, 1);
        } while (w < 0 && errno == EINTR);
        /* A full queue (the instance is not reading) or a link that is down drops the frame,
         * as a real NIC would; the caller counts it. */
        if (w == (ssize_t)want)
            sent++;
    }
    return sent;
}

static int tap_fd(const struct io_port *p)
{
    return ((const struct tap_port *)p)->fd;
}

static void tap_close(struct io_port *p)
{
    struct tap_port *t = (struct tap_port *)p;
    if (t->fd >= 0)
        close(t->fd);
    free(t);
}

static const struct io_class tap_class = {
    .name = "tap", .rx_burst = tap_rx, .tx_burst = tap_tx, .fd = tap_fd, .close = tap_close};

struct io_port *io_tap_port(int fd, bool vnet_hdr)
{
    struct tap_port *t = xcalloc(1, sizeof *t);
    t->base.cls = &tap_class;
    t->fd = fd;
    t->vnet = vnet_hdr;
    return &t->base;
}

void io_port_close(struct io_port *p)
{
    if (p)
        p->cls->close(p);
}
