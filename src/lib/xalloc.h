/* Allocation wrappers. Control-plane code treats out-of-memory as fatal: a daemon that
 * cannot allocate a few bytes cannot keep its durability promise either, and checking
 * every small allocation would hide the real logic. The data plane never allocates. */
#ifndef VPCD_LIB_XALLOC_H
#define VPCD_LIB_XALLOC_H

#include <stddef.h>
#include <stdlib.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows *items (of elem_size bytes each) so that index n fits; doubles capacity. */
void *xgrow(void *items, size_t *cap, size_t n, size_t elem_size);

#endif
