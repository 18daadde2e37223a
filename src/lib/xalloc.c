#include "lib/xalloc.h"

#include <stdio.h>
#include <string.h>

static void xalloc_die(size_t n)
{
    fprintf(stderr, "vpcd: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        xalloc_die(n);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        xalloc_die(count * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        xalloc_die(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void *xgrow(void *items, size_t *cap, size_t n, size_t elem_size)
{
    if (n < *cap)
        return items;
    size_t c = *cap ? *cap * 2 : 8;
    while (c <= n)
        c *= 2;
    *cap = c;
    return xrealloc(items, c * elem_size);
}
