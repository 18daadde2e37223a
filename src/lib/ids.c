#include "lib/ids.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static void fill_random(unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got <= 0)
            break;
        p += got;
        n -= (size_t)got;
    }
    /* getrandom only fails before the pool is seeded; ids need uniqueness, not secrecy. */
    static _Thread_local uint64_t state = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < n; i++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        p[i] = (unsigned char)(state >> 56);
    }
}

/* Every request takes two or three ids: one getrandom call per 512 bytes instead of one per
 * id keeps the system call off the request path. */
void id_random_bytes(void *buf, size_t n)
{
    static _Thread_local unsigned char pool[512];
    static _Thread_local size_t left;
    unsigned char *p = buf;
    if (n > sizeof pool) {
        fill_random(p, n);
        return;
    }
    if (left < n) {
        fill_random(pool, sizeof pool);
        left = sizeof pool;
    }
    /* Each byte of the pool is handed out once. */
    memcpy(p, pool + sizeof pool - left, n);
    left -= n;
}

void id_new(char buf[ID_MAX], const char *prefix)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[9];
    id_random_bytes(r, sizeof r);
    size_t plen = strlen(prefix);
    if (plen > ID_MAX - 19)
        plen = ID_MAX - 19;
    memcpy(buf, prefix, plen);
    buf[plen] = '-';
    /* 17 hex digits; AWS's first digit is 0 in practice, which keeps ids sortable. */
    buf[plen + 1] = '0';
    for (int i = 0; i < 16; i++)
        buf[plen + 2 + i] = hex[(r[i / 2] >> ((i % 2) * 4)) & 0xf];
    buf[plen + 18] = '\0';
}

bool id_well_formed(const char *s, const char *prefix)
{
    size_t plen = strlen(prefix);
    if (strncmp(s, prefix, plen) != 0 || s[plen] != '-')
        return false;
    const char *h = s + plen + 1;
    size_t n = 0;
    for (; h[n]; n++)
        if (!((h[n] >= '0' && h[n] <= '9') || (h[n] >= 'a' && h[n] <= 'f')))
            return false;
    return n == 8 || n == 17;
}

void id_request(char buf[37])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[16];
    id_random_bytes(r, sizeof r);
    r[6] = (unsigned char)((r[6] & 0x0f) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3f) | 0x80);
    /* 8-4-4-4-12 hex digits, as a version 4 UUID is written. */
    char *o = buf;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[r[i] >> 4];
        *o++ = hex[r[i] & 0xf];
    }
    *o = '\0';
}
