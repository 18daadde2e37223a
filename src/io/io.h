/* Packet I/O behind one vtable, so the same data plane runs on TAP devices, on AF_XDP later,
 * or on in-memory queues in tests. A port is one interface (one ENI). Frames are Ethernet II,
 * without any tun/tap header.
 *
 * Buffers: struct io_buf is caller storage (the data plane keeps a fixed pool per worker, so
 * nothing allocates per packet). rx_burst fills bufs[0..n) and tx_burst reads them; neither
 * keeps a pointer after it returns.
 *
 * Ownership: a port is created by its backend's constructor and owned by the caller, who closes
 * it with io_port_close() (which closes the fd of a TAP port and so destroys the device). */
#ifndef VPCD_IO_IO_H
#define VPCD_IO_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Jumbo frames: the 9001-byte MTU of instances plus the Ethernet header, rounded up. */
#define IO_FRAME_MAX 9216
/* The most frames a stage takes at once (VPP-style vectors). */
#define IO_BATCH 256

struct io_buf {
    uint16_t len;
    uint8_t data[IO_FRAME_MAX];
};

struct io_port;

struct io_class {
    const char *name;
    /* Up to n frames into bufs; returns the count (0 when none is waiting) or a negative errno. */
    int (*rx_burst)(struct io_port *p, struct io_buf *const *bufs, int n);
    /* Sends n frames; returns how many were taken (the rest are the caller's drops). */
    int (*tx_burst)(struct io_port *p, struct io_buf *const *bufs, int n);
    /* A descriptor that polls readable when frames wait, or -1 (memory ports). */
    int (*fd)(const struct io_port *p);
    void (*close)(struct io_port *p);
};

struct io_port {
    const struct io_class *cls;
};

static inline int io_rx_burst(struct io_port *p, struct io_buf *const *bufs, int n)
{
    return p->cls->rx_burst(p, bufs, n);
}

static inline int io_tx_burst(struct io_port *p, struct io_buf *const *bufs, int n)
{
    return p->cls->tx_burst(p, bufs, n);
}

static inline int io_port_fd(const struct io_port *p)
{
    return p->cls->fd(p);
}

/* Accepts NULL. */
void io_port_close(struct io_port *p);

/* ---- TAP backend ----
 * Wraps an open, non-blocking TAP descriptor (IFF_TAP | IFF_NO_PI); takes ownership of fd. */
struct io_port *io_tap_port(int fd);

/* ---- memory backend (tests) ----
 * Two bounded queues per port: frames the test injects (what the "instance" sends, read by
 * rx_burst) and frames the data plane sends to the port (tx_burst, collected by the test). */
struct io_port *io_mem_port(void);
/* Queues one frame as if the instance sent it; false when the queue is full. */
bool io_mem_inject(struct io_port *p, const uint8_t *frame, size_t len);
/* Takes the oldest frame the data plane sent to the port: its length, or -1 when none. */
int io_mem_take(struct io_port *p, uint8_t *frame, size_t cap);
/* Frames waiting in each queue. */
size_t io_mem_pending_rx(const struct io_port *p);
size_t io_mem_pending_tx(const struct io_port *p);

#endif
