/* AWS-shaped identifiers and request ids. */
#ifndef VPCD_LIB_IDS_H
#define VPCD_LIB_IDS_H

#include <stdbool.h>
#include <stddef.h>

#define ID_MAX 64

/* Writes "<prefix>-" + 17 lower-case hex digits into buf (ID_MAX bytes). */
void id_new(char buf[ID_MAX], const char *prefix);
/* True if s is "<prefix>-" followed by 8 or 17 lower-case hex digits (AWS's two lengths). */
bool id_well_formed(const char *s, const char *prefix);
/* A random UUID (version 4), used as requestId. buf holds 37 bytes. */
void id_request(char buf[37]);
/* Fills buf with n random bytes from the kernel; falls back to a seeded PRNG. */
void id_random_bytes(void *buf, size_t n);

#endif
