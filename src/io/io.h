/* Packet I/O behind one vtable, so the same data plane runs on TAP devices, on AF_XDP later,
 * or on in-memory queues in tests. A port is one interface (one ENI). Frames are Ethernet II;
 * what a TAP's virtio-net header says about a frame travels beside it (struct io_offload).
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

/* TCP super-packets from a TAP with offloads (below the 62000-byte GSO limit vpcd sets on
 * its TAPs) as well as jumbo frames (the instances' 9001-byte MTU). */
#define IO_FRAME_MAX 65535
/* The most frames a stage takes at once (VPP-style vectors). */
#define IO_BATCH 256

/* A TAP with IFF_VNET_HDR and offloads lets the instance's kernel skip work that vpcd passes
 * on to the receiving kernel: the L4 checksum left to complete (csum_partial: the field holds
 * the pseudo-header sum, to be completed over the frame from csum_start into csum_start +
 * csum_offset), and TCP super-packets (gso_type) whose payload the receiver (or the
 * receiving kernel) takes as segments of gso_size bytes. Zero for frames vpcd builds and for
 * ports without the header. */
enum io_gso { IO_GSO_NONE, IO_GSO_TCPV4, IO_GSO_TCPV6 };

struct io_offload {
    bool csum_partial;
    uint8_t gso_type; /* enum io_gso */
    bool gso_ecn;     /* the super-packet's first segment had CWR set */
    uint16_t csum_start, csum_offset;
    uint16_t gso_size, hdr_len;
};

struct io_buf {
    uint16_t len;
    struct io_offload off;
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
 * Wraps an open, non-blocking TAP descriptor (IFF_TAP | IFF_NO_PI, and IFF_VNET_HDR with the
 * 10-byte header when vnet_hdr); takes ownership of fd. */
struct io_port *io_tap_port(int fd, bool vnet_hdr);

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
