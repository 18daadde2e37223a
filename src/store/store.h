/* Durable state: the model's resources as rows in SQLite (WAL mode). A commit writes every
 * resource touched since the last commit, and removes deleted ones, as one record of a redo
 * journal (store/journal.h) that a folder thread then applies to SQLite in large
 * transactions; opening the store replays what the journal holds. So after a crash the
 * state is exactly that of some acknowledged prefix of mutations.
 *
 * Rows: `objects` holds one row per resource (its class's encoded body and its tags); the
 * long lists a class names in res_class.split (routes, rules, ACL entries, associations) live
 * in `parts`, one row per element, keyed (owner seq, field, index). Rows are keyed by the
 * object's creation seq, so a group's writes fall on few pages. The store remembers a
 * digest of every row it staged, so touching a route table with 50 routes to add one writes
 * one `parts` row, not the table. Rows written before lists were split (inline in the body)
 * still load, and a database of the earlier id-keyed layout is moved over when opened. */
#ifndef VPCD_STORE_STORE_H
#define VPCD_STORE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/model.h"

struct store;

/* Opens (creating) <dir>/vpcd.db. durable_fsync: fsync every commit (survives power loss);
 * without it a commit survives a process crash but not a machine crash. *out is owned by
 * the caller and released with store_close(). Returns 0 or a negative errno. */
int store_open(const char *dir, bool durable_fsync, struct store **out);
void store_close(struct store *st);
/* Loads every stored resource into an empty model. */
int store_load(struct store *st, struct model *m);
/* Group commit, in two steps so the slow part runs outside the caller's lock:
 * store_stage() encodes the model's pending changes (clearing them) and returns a ticket; call
 * it under the lock that orders mutations. store_wait() returns once everything up to the
 * ticket is durable (0) or a commit failed (-EIO); call it after dropping that lock. A ticket
 * from store_stage() on an unchanged model is the latest staged one, so a reader can wait for
 * the durability of what it saw. */
uint64_t store_stage(struct store *st, struct model *m);
int store_wait(struct store *st, uint64_t ticket);
/* Whether store_wait(ticket) would return 0 at once: the ticket is durable. A failed or lost
 * ticket is not (store_wait() then returns -EIO without blocking). */
bool store_durable(struct store *st, uint64_t ticket);
/* Whether commits are fsynced: then store_wait() takes a disk sync, else one write() into
 * the page cache, cheap enough to wait for on the spot. */
bool store_syncs(const struct store *st);
/* After a failed commit, with the mutation lock held: drops staged changes and clears the
 * failure, so the caller can reload the model from what is durable. */
void store_recover(struct store *st);
/* store_stage() then store_wait(). Returns 0 or -EIO. */
int store_commit(struct store *st, struct model *m);
/* The journal size that has the folder start it over once SQLite holds all of it (default
 * 4 MiB; tests make it small to go through many passes). */
void store_set_journal_limit(struct store *st, uint64_t bytes);
/* The WAL size in pages that starts a checkpoint (default 8,000, about 32 MiB). Call it
 * before the first commit. */
void store_set_checkpoint_pages(struct store *st, int pages);
/* Folds every journaled group into SQLite now and empties the journal (the folder thread
 * does it on its own a few milliseconds after each commit): for a reader of the database
 * file. Returns 0 or -EIO. */
int store_flush(struct store *st);
/* For tests: the next n commits fail to reach the disk (-EIO), as on a full or failing one.
 * Call it with the mutation lock held or while no request runs. */
void store_fail_writes(struct store *st, unsigned n);
/* Deletes everything (the --dev reset). */
int store_wipe(struct store *st);

#endif
