/* Memory ports for tests: each direction is a bounded ring of frames, allocated once. */
#include <string.h>

#include "io/io.h"
#include "lib/xalloc.h"

#define MEM_QUEUE 64

struct mem_queue {
    struct io_buf *frames; /* MEM_QUEUE of them */
    size_t head, n;
};

struct mem_port {
    struct io_port base;
    struct mem_queue to_dp;   /* injected by the test: the instance's transmissions */
    struct mem_queue from_dp; /* sent by the data plane: what the instance receives */
};

static bool queue_push(struct mem_queue *q, const uint8_t *frame, size_t len)
{
    if (q->n == MEM_QUEUE || len > IO_FRAME_MAX)
        return false;
    struct io_buf *b = &q->frames[(q->head + q->n) % MEM_QUEUE];
    memcpy(b->data, frame, len);
    b->len = (uint16_t)len;
    q->n++;
    return true;
}

static const struct io_buf *queue_pop(struct mem_queue *q)
{
    if (!q->n)
        return NULL;
    const struct io_buf *b = &q->frames[q->head];
    q->head = (q->head + 1) % MEM_QUEUE;
    q->n--;
    return b;
}

static int mem_rx(struct io_port *p, struct io_buf *const *bufs, int n)
{
    struct mem_port *m = (struct mem_port *)p;
    int got = 0;
    const struct io_buf *b;
    while (got < n && (b = queue_pop(&m->to_dp))) {
        memcpy(bufs[got]->data, b->data, b->len);
        memset(&bufs[got]->off, 0, sizeof bufs[got]->off);
        bufs[got++]->len = b->len;
    }
    return got;
}

static int mem_tx(struct io_port *p, struct io_buf *const *bufs, int n)
{
    struct mem_port *m = (struct mem_port *)p;
    int sent = 0;
    for (int i = 0; i < n; i++)
        sent += queue_push(&m->from_dp, bufs[i]->data, bufs[i]->len);
    return sent;
}

static int mem_fd(const struct io_port *p)
{
    (void)p;
    return -1;
}

static void mem_close(struct io_port *p)
{
    struct mem_port *m = (struct mem_port *)p;
    free(m->to_dp.frames);
    free(m->from_dp.frames);
    free(m);
}

static const struct io_class mem_class = {
    .name = "memory", .rx_burst = mem_rx, .tx_burst = mem_tx, .fd = mem_fd, .close = mem_close};

struct io_port *io_mem_port(void)
{
    struct mem_port *m = xcalloc(1, sizeof *m);
    m->base.cls = &mem_class;
    m->to_dp.frames = xcalloc(MEM_QUEUE, sizeof *m->to_dp.frames);
    m->from_dp.frames = xcalloc(MEM_QUEUE, sizeof *m->from_dp.frames);
    return &m->base;
}

bool io_mem_inject(struct io_port *p, const uint8_t *frame, size_t len)
{
    return queue_push(&((struct mem_port *)p)->to_dp, frame, len);
}

int io_mem_take(struct io_port *p, uint8_t *frame, size_t cap)
{
    const struct io_buf *b = queue_pop(&((struct mem_port *)p)->from_dp);
    if (!b)
        return -1;
    size_t n = b->len < cap ? b->len : cap;
    memcpy(frame, b->data, n);
    return (int)n;
}

size_t io_mem_pending_rx(const struct io_port *p)
{
    return ((const struct mem_port *)p)->to_dp.n;
}

size_t io_mem_pending_tx(const struct io_port *p)
{
    return ((const struct mem_port *)p)->from_dp.n;
}
