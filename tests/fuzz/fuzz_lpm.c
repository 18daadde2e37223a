/* libFuzzer target for the IPv4 LPM: the input is a sequence of 7-byte operations (insert,
 * delete, replace, look up) on one table, checked after each one against a naive list of
 * routes scanned linearly. Addresses are squeezed into a few /16s so routes nest, and every
 * lookup is checked three ways: lpm_lookup, lpm_lookup4_batch and lpm_get for exact routes. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../src/lib/lpm.c"
#include "../../src/lib/xalloc.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(c)                                                                              \
    do {                                                                                           \
        if (!(c))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

#define FUZZ_MAX 256

struct fuzz_route {
    uint32_t addr; /* host order, masked */
    uint8_t len;
    uint32_t value;
};

static uint32_t fuzz_mask(uint8_t len)
{
    return len ? ~0u << (32 - len) : 0;
}

static int fuzz_find(const struct fuzz_route *r, size_t n, uint32_t addr, uint8_t len)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].len == len && r[i].addr == (addr & fuzz_mask(len)))
            return (int)i;
    return -1;
}

static const struct fuzz_route *fuzz_best(const struct fuzz_route *r, size_t n, uint32_t addr)
{
    const struct fuzz_route *best = NULL;
    for (size_t i = 0; i < n; i++)
        if ((addr & fuzz_mask(r[i].len)) == r[i].addr && (!best || r[i].len > best->len))
            best = &r[i];
    return best;
}

static void fuzz_check_addr(const struct lpm *t, const struct fuzz_route *r, size_t n,
                            uint32_t addr)
{
    const struct fuzz_route *want = fuzz_best(r, n, addr);
    uint32_t be = htonl(addr), v = 0, bv[17], addrs[17];
    uint8_t len = 0;
    bool found = lpm_lookup(t, (const uint8_t *)&be, &v, &len), bf[17];
    FUZZ_CHECK(found == (want != NULL));
    if (want)
        FUZZ_CHECK(v == want->value && len == want->len);
    /* 17 lanes: two full vectors and a tail, the address in the last one. */
    for (int i = 0; i < 17; i++)
        addrs[i] = htonl(addr ^ (uint32_t)i);
    lpm_lookup4_batch(t, addrs, 17, bv, bf);
    for (int i = 0; i < 17; i++) {
        const struct fuzz_route *w = fuzz_best(r, n, addr ^ (uint32_t)i);
        FUZZ_CHECK(bf[i] == (w != NULL));
        FUZZ_CHECK(bv[i] == (w ? w->value : 0));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_route r[FUZZ_MAX];
    size_t n = 0;
    struct lpm *t = lpm_new(4);
    for (size_t off = 0; off + 7 <= size; off += 7) {
        const uint8_t *op = data + off;
        uint8_t len = op[1] % 33;
        /* 10.0-3.x.x and a few other /8s, so prefixes overlap often. */
        uint32_t addr = (uint32_t)(op[2] % 4 ? 10 : op[2]) << 24 | (uint32_t)(op[3] & 3) << 16 |
                        (uint32_t)op[4] << 8 | op[5];
        uint32_t value = op[6] == 255 ? UINT32_MAX - (op[0] & 1) : op[6];
        uint32_t be = htonl(addr);
        int at = fuzz_find(r, n, addr, len);
        switch (op[0] % 4) {
        case 0:
        case 1: {
            if (at < 0 && n == FUZZ_MAX)
                break;
            int rc = lpm_insert(t, (const uint8_t *)&be, len, value);
            FUZZ_CHECK(rc == (at >= 0 ? 1 : 0));
            if (at < 0)
                at = (int)n++;
            r[at] = (struct fuzz_route){addr & fuzz_mask(len), len, value};
            break;
        }
        case 2: {
            int rc = lpm_delete(t, (const uint8_t *)&be, len);
            FUZZ_CHECK(rc == (at >= 0 ? 0 : -ENOENT));
            if (at >= 0)
                r[at] = r[--n];
            break;
        }
        default: {
            uint32_t v = 0;
            bool got = lpm_get(t, (const uint8_t *)&be, len, &v);
            FUZZ_CHECK(got == (at >= 0));
            if (at >= 0)
                FUZZ_CHECK(v == r[at].value);
            break;
        }
        }
        FUZZ_CHECK(lpm_count(t) == n);
        fuzz_check_addr(t, r, n, addr);
        fuzz_check_addr(t, r, n, addr | ~fuzz_mask(len));
    }
    lpm_free(t);
    return 0;
}
