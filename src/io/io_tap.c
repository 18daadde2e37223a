/* TAP ports: one read() or write() per frame on the device's descriptor. Batching the system
 * calls (io_uring, multi-queue TAP with IFF_VNET_HDR) is the performance work's; the vtable
 * already lets the workers hand over whole vectors. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "io/io.h"
#include "lib/xalloc.h"

struct tap_port {
    struct io_port base;
    int fd;
};

static int tap_rx(struct io_port *p, struct io_buf *const *bufs, int n)
{
    struct tap_port *t = (struct tap_port *)p;
    int got = 0;
    while (got < n) {
        ssize_t r = read(t->fd, bufs[got]->data, sizeof bufs[got]->data);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            return got ? got : -errno;
        }
        if (r == 0)
            break;
        bufs[got++]->len = (uint16_t)r;
    }
    return got;
}

static int tap_tx(struct io_port *p, struct io_buf *const *bufs, int n)
{
    struct tap_port *t = (struct tap_port *)p;
    int sent = 0;
    for (int i = 0; i < n; i++) {
        ssize_t w;
        do {
            w = write(t->fd, bufs[i]->data, bufs[i]->len);
        } while (w < 0 && errno == EINTR);
        /* A full queue (the instance is not reading) or a link that is down drops the frame,
         * as a real NIC would; the caller counts it. */
        if (w == (ssize_t)bufs[i]->len)
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

struct io_port *io_tap_port(int fd)
{
    struct tap_port *t = xcalloc(1, sizeof *t);
    t->base.cls = &tap_class;
    t->fd = fd;
    return &t->base;
}

void io_port_close(struct io_port *p)
{
    if (p)
        p->cls->close(p);
}
