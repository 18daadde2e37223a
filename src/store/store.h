/* Durable state: the model's resources as rows in SQLite (WAL mode). A commit writes every
 * resource touched since the last commit, and removes deleted ones, in one transaction, so
 * after a crash the state is exactly that of some acknowledged prefix of mutations. */
#ifndef VPCD_STORE_STORE_H
#define VPCD_STORE_STORE_H

#include <stdbool.h>

#include "model/model.h"

struct store;

/* Opens (creating) <dir>/vpcd.db. durable_fsync: fsync every commit (survives power loss);
 * without it a commit survives a process crash but not a machine crash. *out is owned by
 * the caller and released with store_close(). Returns 0 or a negative errno. */
int store_open(const char *dir, bool durable_fsync, struct store **out);
void store_close(struct store *st);
/* Loads every stored resource into an empty model. */
int store_load(struct store *st, struct model *m);
/* Writes the model's pending changes and clears them. Returns 0 or -EIO. */
int store_commit(struct store *st, struct model *m);
/* Deletes everything (the --dev reset). */
int store_wipe(struct store *st);

#endif
