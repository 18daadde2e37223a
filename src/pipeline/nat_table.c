/* Bindings live in one pool and sit on two hash chains: by their inside side (outbound lookups)
 * and by their gateway side (replies). A third, smaller set counts bindings per destination so
 * the per-destination limit is one lookup. Chains hold pool indices; NIL ends them. */
#include "pipeline/nat_table.h"

#include <errno.h>
#include <stdlib.h>

#define NIL UINT32_MAX
#define NS_PER_S 1000000000ull
#define PORT_SPAN (NAT_PORT_LAST - NAT_PORT_FIRST + 1u)
/* Work allowed to find expired bindings before refusing a flow for want of room. */
#define RECLAIM_BUDGET 4096u

struct binding {
    uint64_t gw;
    uint64_t last_ns;
    struct nat_flow f;
    uint16_t port;
    bool used;
    uint32_t next_out, next_in;
    uint32_t dest;
    uint32_t older, newer; /* the destination's bindings, least recently used first */
};

struct dest {
    uint64_t gw;
    uint32_t remote_ip;
    uint16_t remote_port;
    uint8_t proto;
    uint32_t count; /* 0: free */
    uint32_t next;
    uint32_t oldest, newest; /* its bindings by last use */
};

struct nat_table {
    struct binding *b;
    struct dest *d;
    uint32_t *out_heads, *in_heads, *dest_heads;
    uint32_t mask; /* buckets - 1 */
    uint32_t capacity;
    uint32_t free_b, free_d; /* free lists through next_out / next */
    size_t count;
    uint64_t idle_ns;
    uint32_t sweep_at;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static uint32_t hash_out(const struct nat_table *t, uint64_t gw, const struct nat_flow *f)
{
    uint64_t h = mix(gw ^ ((uint64_t)f->inside_ip << 16 | f->inside_port) ^
                     mix((uint64_t)f->remote_ip << 24 | (uint64_t)f->remote_port << 8 | f->proto));
    return (uint32_t)h & t->mask;
}

static uint32_t hash_in(const struct nat_table *t, uint64_t gw, uint8_t proto, uint32_t ip,
                        uint16_t rport, uint16_t port)
{
    uint64_t h =
        mix(gw ^ ((uint64_t)port << 40) ^ mix((uint64_t)ip << 24 | (uint64_t)rport << 8 | proto));
    return (uint32_t)h & t->mask;
}

static uint32_t hash_dest(const struct nat_table *t, uint64_t gw, uint8_t proto, uint32_t ip,
                          uint16_t rport)
{
    return (uint32_t)mix(gw * 31 ^ ((uint64_t)ip << 24 | (uint64_t)rport << 8 | proto)) & t->mask;
}

struct nat_table *nat_table_new(size_t capacity)
{
    if (capacity == 0 || capacity > (1u << 31)) {
        errno = EINVAL;
        return NULL;
    }
    struct nat_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    size_t buckets = 1;
    while (buckets < capacity)
        buckets <<= 1;
    t->capacity = (uint32_t)capacity;
    t->mask = (uint32_t)(buckets - 1);
    t->b = calloc(capacity, sizeof *t->b);
    t->d = calloc(capacity, sizeof *t->d);
    t->out_heads = malloc(buckets * sizeof *t->out_heads);
    t->in_heads = malloc(buckets * sizeof *t->in_heads);
    t->dest_heads = malloc(buckets * sizeof *t->dest_heads);
    if (!t->b || !t->d || !t->out_heads || !t->in_heads || !t->dest_heads) {
        nat_table_free(t);
        errno = ENOMEM;
        return NULL;
    }
    for (size_t i = 0; i < buckets; i++)
        t->out_heads[i] = t->in_heads[i] = t->dest_heads[i] = NIL;
    for (uint32_t i = 0; i < t->capacity; i++) {
        t->b[i].next_out = i + 1 < t->capacity ? i + 1 : NIL;
        t->d[i].next = i + 1 < t->capacity ? i + 1 : NIL;
    }
    t->free_b = t->free_d = 0;
    t->idle_ns = (uint64_t)NAT_IDLE_TIMEOUT_S * NS_PER_S;
    return t;
}

void nat_table_free(struct nat_table *t)
{
    if (!t)
        return;
    free(t->b);
    free(t->d);
    free(t->out_heads);
    free(t->in_heads);
    free(t->dest_heads);
    free(t);
}

void nat_table_set_idle_timeout(struct nat_table *t, uint32_t seconds)
{
    t->idle_ns = (uint64_t)seconds * NS_PER_S;
}

size_t nat_table_count(const struct nat_table *t)
{
    return t->count;
}

static bool live(const struct nat_table *t, const struct binding *b, uint64_t now_ns)
{
    return now_ns < b->last_ns + t->idle_ns;
}

static uint32_t dest_find(struct nat_table *t, uint64_t gw, const struct nat_flow *f, bool create)
{
    uint32_t h = hash_dest(t, gw, f->proto, f->remote_ip, f->remote_port);
    for (uint32_t i = t->dest_heads[h]; i != NIL; i = t->d[i].next) {
        const struct dest *d = &t->d[i];
        if (d->gw == gw && d->proto == f->proto && d->remote_ip == f->remote_ip &&
            d->remote_port == f->remote_port)
            return i;
    }
    if (!create || t->free_d == NIL)
        return NIL;
    uint32_t i = t->free_d;
    struct dest *d = &t->d[i];
    t->free_d = d->next;
    *d = (struct dest){.gw = gw,
                       .remote_ip = f->remote_ip,
                       .remote_port = f->remote_port,
                       .proto = f->proto,
                       .next = t->dest_heads[h],
                       .oldest = NIL,
                       .newest = NIL};
    t->dest_heads[h] = i;
    return i;
}

static void dest_release(struct nat_table *t, uint32_t i)
{
    struct dest *d = &t->d[i];
    if (--d->count)
        return;
    uint32_t h = hash_dest(t, d->gw, d->proto, d->remote_ip, d->remote_port);
    for (uint32_t *pp = &t->dest_heads[h]; *pp != NIL; pp = &t->d[*pp].next)
        if (*pp == i) {
            *pp = d->next;
            break;
        }
    d->next = t->free_d;
    t->free_d = i;
}

static void unlink_chain(struct nat_table *t, uint32_t *head, uint32_t i, bool out_chain)
{
    for (uint32_t *pp = head; *pp != NIL; pp = out_chain ? &t->b[*pp].next_out : &t->b[*pp].next_in)
        if (*pp == i) {
            *pp = out_chain ? t->b[i].next_out : t->b[i].next_in;
            return;
        }
}

static void lru_unlink(struct nat_table *t, uint32_t i)
{
    struct binding *b = &t->b[i];
    struct dest *d = &t->d[b->dest];
    if (b->older != NIL)
        t->b[b->older].newer = b->newer;
    else
        d->oldest = b->newer;
    if (b->newer != NIL)
        t->b[b->newer].older = b->older;
    else
        d->newest = b->older;
}

static void lru_append(struct nat_table *t, uint32_t i)
{
    struct binding *b = &t->b[i];
    struct dest *d = &t->d[b->dest];
    b->older = d->newest;
    b->newer = NIL;
    if (d->newest != NIL)
        t->b[d->newest].newer = i;
    else
        d->oldest = i;
    d->newest = i;
}

/* A binding was used: it becomes its destination's most recent. */
static void touch(struct nat_table *t, uint32_t i, uint64_t now_ns)
{
    t->b[i].last_ns = now_ns;
    if (t->d[t->b[i].dest].newest != i) {
        lru_unlink(t, i);
        lru_append(t, i);
    }
}

static void binding_remove(struct nat_table *t, uint32_t i)
{
    struct binding *b = &t->b[i];
    lru_unlink(t, i);
    unlink_chain(t, &t->out_heads[hash_out(t, b->gw, &b->f)], i, true);
    unlink_chain(
        t, &t->in_heads[hash_in(t, b->gw, b->f.proto, b->f.remote_ip, b->f.remote_port, b->port)],
        i, false);
    dest_release(t, b->dest);
    b->used = false;
    b->next_out = t->free_b;
    t->free_b = i;
    t->count--;
}

static uint32_t find_in(const struct nat_table *t, uint64_t gw, uint8_t proto, uint32_t ip,
                        uint16_t rport, uint16_t port)
{
    for (uint32_t i = t->in_heads[hash_in(t, gw, proto, ip, rport, port)]; i != NIL;
         i = t->b[i].next_in) {
        const struct binding *b = &t->b[i];
        if (b->gw == gw && b->port == port && b->f.proto == proto && b->f.remote_ip == ip &&
            b->f.remote_port == rport)
            return i;
    }
    return NIL;
}

/* A port of the gateway no live binding to this destination holds, searched from a point the
 * flow hashes to. Bindings found expired on the way are removed. */
static bool pick_port(struct nat_table *t, uint64_t gw, const struct nat_flow *f, uint64_t now_ns,
                      uint16_t *port)
{
    uint32_t start =
        (uint32_t)(mix(gw ^ (uint64_t)f->inside_ip << 16 ^ f->inside_port) % PORT_SPAN);
    for (uint32_t k = 0; k < PORT_SPAN; k++) {
        uint16_t p = (uint16_t)(NAT_PORT_FIRST + (start + k) % PORT_SPAN);
        uint32_t i = find_in(t, gw, f->proto, f->remote_ip, f->remote_port, p);
        if (i != NIL && live(t, &t->b[i], now_ns))
            continue;
        if (i != NIL)
            binding_remove(t, i);
        *port = p;
        return true;
    }
    return false;
}

enum nat_verdict nat_table_out(struct nat_table *t, uint64_t gw, const struct nat_flow *f,
                               uint8_t tcp_flags, uint64_t now_ns, uint16_t *port)
{
    uint32_t h = hash_out(t, gw, f);
    for (uint32_t i = t->out_heads[h]; i != NIL; i = t->b[i].next_out) {
        struct binding *b = &t->b[i];
        if (b->gw != gw || b->f.proto != f->proto || b->f.inside_ip != f->inside_ip ||
            b->f.inside_port != f->inside_port || b->f.remote_ip != f->remote_ip ||
            b->f.remote_port != f->remote_port)
            continue;
        if (live(t, b, now_ns)) {
            touch(t, i, now_ns);
            *port = b->port;
            return NAT_OK;
        }
        binding_remove(t, i);
        break;
    }
    if (f->proto == 6 && !(tcp_flags & 0x02))
        return NAT_EXPIRED;
    uint32_t di = dest_find(t, gw, f, false);
    /* At the limit, the destination's least recently used bindings may be idle already. */
    while (di != NIL && t->d[di].count >= NAT_PORTS_PER_DEST) {
        uint32_t oldest = t->d[di].oldest;
        if (live(t, &t->b[oldest], now_ns))
            return NAT_NO_PORT;
        bool last = t->d[di].count == 1;
        binding_remove(t, oldest);
        if (last)
            di = NIL;
    }
    if (t->free_b == NIL) {
        nat_table_expire(t, now_ns, RECLAIM_BUDGET);
        if (t->free_b == NIL)
            return NAT_FULL;
    }
    uint16_t p;
    if (!pick_port(t, gw, f, now_ns, &p))
        return NAT_NO_PORT;
    di = dest_find(t, gw, f, true); /* room: there are no more destinations than bindings */
    uint32_t i = t->free_b;
    struct binding *b = &t->b[i];
    t->free_b = b->next_out;
    *b =
        (struct binding){.gw = gw, .last_ns = now_ns, .f = *f, .port = p, .used = true, .dest = di};
    t->d[di].count++;
    lru_append(t, i);
    b->next_out = t->out_heads[h];
    t->out_heads[h] = i;
    uint32_t hi = hash_in(t, gw, f->proto, f->remote_ip, f->remote_port, p);
    b->next_in = t->in_heads[hi];
    t->in_heads[hi] = i;
    t->count++;
    *port = p;
    return NAT_OK;
}

bool nat_table_in(struct nat_table *t, uint64_t gw, uint8_t proto, uint32_t remote_ip,
                  uint16_t remote_port, uint16_t port, uint64_t now_ns, struct nat_flow *out)
{
    uint32_t i = find_in(t, gw, proto, remote_ip, remote_port, port);
    if (i == NIL)
        return false;
    struct binding *b = &t->b[i];
    if (!live(t, b, now_ns)) {
        binding_remove(t, i);
        return false;
    }
    touch(t, i, now_ns);
    *out = b->f;
    return true;
}

void nat_table_expire(struct nat_table *t, uint64_t now_ns, size_t budget)
{
    if (!t->count)
        return;
    for (size_t k = 0; k < budget && k < t->capacity; k++) {
        uint32_t i = t->sweep_at;
        t->sweep_at = i + 1 < t->capacity ? i + 1 : 0;
        if (t->b[i].used && !live(t, &t->b[i], now_ns))
            binding_remove(t, i);
    }
}

void nat_table_flush_gateway(struct nat_table *t, uint64_t gw)
{
    for (uint32_t i = 0; i < t->capacity; i++)
        if (t->b[i].used && t->b[i].gw == gw)
            binding_remove(t, i);
}
