/* The store's row changes (one group of them per commit) and their encoding as one journal
 * record: the op count, then each op's fields in a fixed order, integers in the host's byte
 * order and strings with their length. Decoding checks everything it reads, for the journal
 * is read back after crashes. */
#ifndef VPCD_STORE_RECORD_H
#define VPCD_STORE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "lib/ids.h"
#include "lib/strbuf.h"

/* Large objects keep their long lists (a route table's routes, a group's rules, an ACL's
 * subnet associations) as one row per element in `parts`, so adding one route writes one
 * small row instead of re-writing the whole table. Which top-level body arrays are split is
 * the class's split[]; everything else stays inline in the object's body. */
#define STORE_MAX_SPLIT 2

enum store_op_kind {
    STORE_OP_ROW,       /* upsert the object row */
    STORE_OP_REMOVE,    /* delete the object row and all its parts */
    STORE_OP_PART,      /* upsert parts(owner=seq, field, idx) */
    STORE_OP_PART_TRIM, /* delete parts(owner=seq, field) with index >= idx */
    STORE_OP_WIPE,      /* delete every row (the --dev reset) */
};

/* One row change waiting for the next group commit: everything is already encoded, so the
 * writer needs nothing from the model. */
struct store_op {
    enum store_op_kind kind;
    char id[ID_MAX];
    const char *type;  /* static class name (STORE_OP_ROW) */
    const char *field; /* static split field name (parts) */
    long idx;
    char account[13], region[32], peer_account[13], peer_region[32];
    uint64_t seq; /* the object's: every kind of op finds its rows by it */
    char *tags;   /* owned JSON text */
    char *body;   /* owned JSON text */
};

/* Frees what the op owns (tags, body), not the op. */
void store_op_free(struct store_op *op);

/* Replaces b's contents with the record of ops[0..n). */
void store_record_encode(struct strbuf *b, const struct store_op *ops, size_t n);
/* The ops of a record: *ops (n of them) is the caller's, freed with store_op_free() on each
 * and free(). Returns 0, or -EIO (nothing allocated) for anything that is not a record
 * store_record_encode() could have written. */
int store_record_decode(const unsigned char *p, size_t len, struct store_op **ops, size_t *n);

#endif
