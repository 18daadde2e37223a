/* The store's redo journal: an append-only file of records, each written with one pwrite()
 * (and one fdatasync() when commits must survive power loss). A record is whole or absent
 * after a crash: each carries its length and a CRC-32, and replay stops at the first record
 * that is torn or damaged. The file knows nothing of what records mean. */
#ifndef VPCD_STORE_JOURNAL_H
#define VPCD_STORE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct journal;

/* Opens (creating) the journal at path. sync: every append is on disk before it returns.
 * *out is owned by the caller and released with journal_close(). Returns 0 or -errno. */
int journal_open(const char *path, bool sync, struct journal **out);
void journal_close(struct journal *j);

/* Calls fn for each whole record from the start of the file, in order, until fn returns
 * non-zero (which is returned) or the records end: at a torn or damaged record, or one of
 * an older pass (see journal_restart). The file is cut after the last whole record, and the
 * next append goes there. Call it before the first append. */
typedef int (*journal_record_fn)(const unsigned char *payload, size_t len, void *ctx);
int journal_replay(struct journal *j, journal_record_fn fn, void *ctx);

/* Appends one record. On failure the file is cut back to where it was and -errno returned. */
int journal_append(struct journal *j, const void *payload, size_t len);

/* Empties the file (everything in it is applied elsewhere). Returns 0 or -errno. */
int journal_truncate(struct journal *j);
/* Everything in the file is applied elsewhere: the next records go from the start of the
 * file again, over the old ones, which keeps the file's pages instead of freeing them (an
 * ftruncate() of 16 MiB took 3.5 ms) and lets a sync skip the file's size, once the file
 * has reached its size. */
void journal_restart(struct journal *j);

/* For tests: the next n appends fail with -EIO, as on a full or failing disk. */
void journal_fail_appends(struct journal *j, unsigned n);

/* Where the next record goes: the bytes of this pass. */
uint64_t journal_size(const struct journal *j);

#endif
