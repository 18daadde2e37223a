#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/hmap.h"
#include "lib/ids.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "model/jsontext.h"
#include "model/resources.h"
#include "store/journal.h"
#include "store/record.h"

/* A 128-bit digest of text the store has staged: equal digests mean the row need not be
 * written again. Two independent 64-bit hashes make an accidental match (which would lose
 * a write) vanishingly unlikely. */
struct store_digest {
    uint64_t a, b;
};

/* What was last staged for one object: its row and each split element. Kept so that a
 * change re-writes only the rows whose text changed. Exact while every staged group becomes
 * durable; store_recover() forgets all of them, so the next write of each object is full. */
struct store_elem {
    struct store_digest text; /* of the element's stored text */
    struct store_digest raw;  /* of the bytes it was encoded from (res_text_unchanged) */
    bool raw_known;
};

struct store_shadow {
    char id[ID_MAX]; /* the hmap key */
    struct store_digest row;
    struct {
        struct store_elem *items;
        size_t n, cap;
    } fields[STORE_MAX_SPLIT];
};

static void shadow_free(struct store_shadow *sh)
{
    if (!sh)
        return;
    for (int f = 0; f < STORE_MAX_SPLIT; f++)
        free(sh->fields[f].items);
    free(sh);
}

/* A group that is in the journal, waiting to be folded into SQLite. */
struct store_group {
    struct store_op *ops;
    size_t n;
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *wipe_objects, *wipe_parts;
    sqlite3_stmt *upsert;
    sqlite3_stmt *remove;
    sqlite3_stmt *part_upsert;
    sqlite3_stmt *part_trim;
    sqlite3_stmt *parts_remove;
    sqlite3_stmt *begin; /* prepared once: sqlite3_exec would parse them on every commit */
    sqlite3_stmt *commit;
    sqlite3_stmt *rollback;
    /* WAL checkpoints run on their own connection and thread: SQLite's automatic checkpoint
     * would run inside a commit, under the service lock, and stall every client for the
     * milliseconds it takes to copy pages and sync the database file. */
    sqlite3 *ckpt_db;
    pthread_t ckpt_thread;
    bool ckpt_running;
    pthread_mutex_t ckpt_lock;
    pthread_cond_t ckpt_wake;
    bool ckpt_wanted, ckpt_stop;
    bool ckpt_busy;         /* a checkpoint round is running (atomic) */
    uint64_t ckpt_progress; /* the last round's WAL size << 32 | frames copied (atomic) */
    int wal_pages;          /* WAL size after the last commit (the writer's) */
    int ckpt_pages;         /* WAL size that asks for a checkpoint */
    int ckpt_request_at;    /* WAL size that asks for the next round (the writer's) */
    /* Group commit. Changes are staged in model order under the service lock; whoever waits
     * first becomes the leader and appends every staged change to the journal as one record,
     * so one write (and one sync) covers all the requests that arrived meanwhile. Tickets
     * count staged groups. The folder thread, off every reply's path, applies journaled
     * groups to SQLite many at a time (one transaction for hundreds of groups, where a
     * transaction per group cost more than the rest of a request), and starts the journal
     * over once SQLite holds all of it. */
    struct journal *journal;
    bool syncs;                /* every commit is fsynced (durable_fsync) */
    bool journal_used;         /* this store replayed or appended records: it may empty the file */
    uint64_t journal_bytes;    /* its size after the last append (group_lock) */
    uint64_t journal_limit;    /* journal_bytes that start it over (STORE_JOURNAL_LIMIT) */
    struct strbuf record;      /* the leader's encoding buffer */
    struct store_group *queue; /* journaled, not yet taken by a fold (group_lock) */
    size_t n_queue, cap_queue;
    struct store_group *backlog; /* taken, not yet in SQLite (fold_lock): a failed fold keeps
                                    them, in order, for the next */
    size_t n_backlog, cap_backlog;
    pthread_mutex_t fold_lock; /* one fold at a time; also guards db outside store_open */
    pthread_cond_t fold_wake;  /* with group_lock */
    pthread_t fold_thread;
    bool fold_running, fold_stop;
    bool fold_failing; /* the folder's last fold failed (group_lock) */
    pthread_mutex_t group_lock;
    pthread_cond_t group_done;
    struct store_op *pending;
    size_t n_pending, cap_pending;
    uint64_t staged, durable;
    bool leader_active;
    bool failed; /* a group failed: every wait fails until store_recover() */
    /* Tickets in (lost_after, lost_upto] were dropped by store_recover(): their waits fail. */
    uint64_t lost_after, lost_upto;
    /* id -> struct store_shadow (owned), for objects staged since the store was opened.
     * Used only by store_stage() and its callers' lock. */
    struct hmap shadows;
    uint64_t seed[2]; /* digest seed, random per store */
    /* Objects with a seq at or above this were created after the last store_load() and
     * have no rows but the ones this store staged, so their first write needs no trims.
     * UINT64_MAX (trim always) until a load, and again after store_recover(). */
    uint64_t unstored_from;
    struct res_text text; /* encoding buffer reused by store_stage() */
};

static int store_replay_journal(struct store *st);
static void *store_folder(void *arg);
static void group_free(struct store_group *g);
static int fold_all(struct store *st);

/* WAL size (pages) that asks for a checkpoint, unless store_set_checkpoint_pages() says. The
 * writer copies the last eighth itself to finish a checkpoint, so that the WAL starts over. */
#define STORE_CHECKPOINT_PAGES 8000

/* Journal bytes past which the folder starts the file over once SQLite holds all of it.
 * Small, because a pass that only appends syncs slower than one that overwrites (the file's
 * size changes with every sync: 0.17 against 0.10 ms here), and replay after a crash reads
 * at most this much. */
#define STORE_JOURNAL_LIMIT (4u << 20)

static int store_wal_hook(void *ctx, sqlite3 *db, const char *name, int pages)
{
    (void)db;
    (void)name;
    struct store *st = ctx;
    /* The WAL started over: the next round is due when it is full again. */
    if (pages < st->wal_pages || st->ckpt_request_at == 0)
        st->ckpt_request_at = st->ckpt_pages;
    st->wal_pages = pages;
    /* One round when the WAL fills, another only after it grew by an eighth more: asking on
     * every commit past the threshold kept the checkpointer in back-to-back rounds (each
     * syncing the database file) and busy whenever the writer looked to finish the tail. */
    if (pages >= st->ckpt_request_at) {
        st->ckpt_request_at = pages + st->ckpt_pages / 8;
        pthread_mutex_lock(&st->ckpt_lock);
        st->ckpt_wanted = true;
        pthread_cond_signal(&st->ckpt_wake);
        pthread_mutex_unlock(&st->ckpt_lock);
    }
    return SQLITE_OK;
}

static void run_in_background(void);

static void *store_checkpointer(void *arg)
{
    struct store *st = arg;
    run_in_background();
    pthread_mutex_lock(&st->ckpt_lock);
    for (;;) {
        while (!st->ckpt_wanted && !st->ckpt_stop)
            pthread_cond_wait(&st->ckpt_wake, &st->ckpt_lock);
        if (st->ckpt_stop)
            break;
        st->ckpt_wanted = false;
        pthread_mutex_unlock(&st->ckpt_lock);
        /* PASSIVE never blocks the writer, so under steady commits it always ends a few
         * frames behind, and the WAL only starts over once every frame is copied: the
         * writer copies that tail itself (store_finish_checkpoint). Each round syncs the
         * database file, so one round per wake-up, not a loop chasing the writer. If the
         * WAL still outgrows us, RESTART waits for the writer once. */
        int log = 0, done = 0;
        __atomic_store_n(&st->ckpt_busy, true, __ATOMIC_RELEASE);
        if (sqlite3_wal_checkpoint_v2(st->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done) ==
                SQLITE_OK &&
            log >= 0 && done >= 0)
            __atomic_store_n(&st->ckpt_progress, ((uint64_t)log << 32) | (uint32_t)done,
                             __ATOMIC_RELEASE);
        if (done < log && log >= 8 * st->ckpt_pages)
            sqlite3_wal_checkpoint_v2(st->ckpt_db, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
        __atomic_store_n(&st->ckpt_busy, false, __ATOMIC_RELEASE);
        pthread_mutex_lock(&st->ckpt_lock);
    }
    pthread_mutex_unlock(&st->ckpt_lock);
    return NULL;
}

static int store_start_checkpointer(struct store *st, const char *path, bool durable_fsync)
{
    if (sqlite3_open(path, &st->ckpt_db) != SQLITE_OK)
        return -EIO;
    sqlite3_busy_timeout(st->ckpt_db, 5000);
    if (sqlite3_exec(st->ckpt_db,
                     durable_fsync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", NULL,
                     NULL, NULL) != SQLITE_OK)
        return -EIO;
    pthread_mutex_init(&st->ckpt_lock, NULL);
    pthread_cond_init(&st->ckpt_wake, NULL);
    if (pthread_create(&st->ckpt_thread, NULL, store_checkpointer, st) != 0) {
        pthread_cond_destroy(&st->ckpt_wake);
        pthread_mutex_destroy(&st->ckpt_lock);
        return -EIO;
    }
    st->ckpt_running = true;
    sqlite3_wal_hook(st->db, store_wal_hook, st);
    return 0;
}

static int step_once(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : -EIO;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "vpcd: store: %s: %s\n", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return -EIO;
    }
    return 0;
}

/* Rows are keyed by the object's creation seq, not its id: ids are random, so id-keyed
 * B-trees put every insert and every list change of a group commit on a different page (4.5
 * pages written per request, twice with the checkpoint), while new objects' seqs all land at
 * the right edge of the tree, a few pages per group. */
#define STORE_TABLES                                                                               \
    "CREATE TABLE IF NOT EXISTS objects(seq INTEGER PRIMARY KEY, id TEXT NOT NULL,"                \
    "type TEXT NOT NULL, account TEXT NOT NULL, region TEXT NOT NULL, tags TEXT NOT NULL,"         \
    "body TEXT NOT NULL, peer_account TEXT NOT NULL DEFAULT '',"                                   \
    "peer_region TEXT NOT NULL DEFAULT '');"                                                       \
    "CREATE TABLE IF NOT EXISTS parts(owner INTEGER NOT NULL, field TEXT NOT NULL,"                \
    "idx INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY(owner, field, idx)) WITHOUT ROWID;"

/* Creates the tables, or moves a database of the earlier id-keyed layout (objects keyed by
 * id, parts by the owner's id) to them in one transaction. */
static int store_schema(sqlite3 *db)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "SELECT pk FROM pragma_table_info('objects') WHERE name='seq'", -1,
                           &q, NULL) != SQLITE_OK)
        return -EIO;
    bool id_keyed = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 0;
    sqlite3_finalize(q);
    if (!id_keyed)
        return exec(db, STORE_TABLES);
    fprintf(stderr, "vpcd: store: moving the state to seq-keyed rows\n");
    if (exec(db, "BEGIN IMMEDIATE;"
                 "CREATE TABLE IF NOT EXISTS parts(owner TEXT NOT NULL, field TEXT NOT NULL,"
                 "idx INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY(owner, field, idx))"
                 " WITHOUT ROWID;"
                 "ALTER TABLE objects RENAME TO objects_by_id;"
                 "ALTER TABLE parts RENAME TO parts_by_id;" STORE_TABLES
                 "INSERT INTO objects(seq,id,type,account,region,tags,body,peer_account,"
                 "peer_region) SELECT seq,id,type,account,region,tags,body,peer_account,"
                 "peer_region FROM objects_by_id;"
                 "INSERT INTO parts(owner,field,idx,body) SELECT o.seq,p.field,p.idx,p.body "
                 "FROM parts_by_id p JOIN objects_by_id o ON o.id=p.owner;"
                 "DROP TABLE objects_by_id; DROP TABLE parts_by_id; COMMIT")) {
        exec(db, "ROLLBACK");
        return -EIO;
    }
    return 0;
}

int store_open(const char *dir, bool durable_fsync, struct store **out)
{
    *out = NULL;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -errno;
    char path[4096];
    snprintf(path, sizeof path, "%s/vpcd.db", dir);
    struct store *st = xcalloc(1, sizeof *st);
    hmap_init(&st->shadows);
    strbuf_init(&st->text.sb);
    id_random_bytes(st->seed, sizeof st->seed);
    st->unstored_from = UINT64_MAX;
    st->syncs = durable_fsync;
    st->journal_limit = STORE_JOURNAL_LIMIT;
    st->ckpt_pages = STORE_CHECKPOINT_PAGES;
    pthread_mutex_init(&st->group_lock, NULL);
    pthread_cond_init(&st->group_done, NULL);
    pthread_mutex_init(&st->fold_lock, NULL);
    pthread_cond_init(&st->fold_wake, NULL);
    strbuf_init(&st->record);
    char journal_path[4096];
    snprintf(journal_path, sizeof journal_path, "%s/vpcd.journal", dir);
    int jrc = journal_open(journal_path, durable_fsync, &st->journal);
    if (jrc != 0) {
        fprintf(stderr, "vpcd: store: cannot open %s: %s\n", journal_path, strerror(-jrc));
        store_close(st);
        return jrc;
    }
    if (sqlite3_open(path, &st->db) != SQLITE_OK) {
        fprintf(stderr, "vpcd: store: cannot open %s: %s\n", path, sqlite3_errmsg(st->db));
        store_close(st);
        return -EIO;
    }
    sqlite3_busy_timeout(st->db, 5000);
    /* journal_size_limit: a WAL that grew during a burst is cut back when it starts over. */
    if (exec(st->db, "PRAGMA journal_mode=WAL") ||
        exec(st->db, "PRAGMA journal_size_limit=16777216") ||
        exec(st->db, durable_fsync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL") ||
        store_schema(st->db) != 0 ||
        sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO objects(seq,id,type,account,region,tags,body,"
                           "peer_account,peer_region) VALUES(?,?,?,?,?,?,?,?,?)",
                           -1, &st->upsert, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "DELETE FROM objects WHERE seq=?", -1, &st->remove, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO parts(owner,field,idx,body) VALUES(?,?,?,?)", -1,
                           &st->part_upsert, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "DELETE FROM parts WHERE owner=? AND field=? AND idx>=?", -1,
                           &st->part_trim, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "DELETE FROM parts WHERE owner=?", -1, &st->parts_remove,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "BEGIN IMMEDIATE", -1, &st->begin, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "COMMIT", -1, &st->commit, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "ROLLBACK", -1, &st->rollback, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "DELETE FROM objects", -1, &st->wipe_objects, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "DELETE FROM parts", -1, &st->wipe_parts, NULL) != SQLITE_OK ||
        store_replay_journal(st) != 0 || store_start_checkpointer(st, path, durable_fsync) != 0) {
        store_close(st);
        return -EIO;
    }
    if (pthread_create(&st->fold_thread, NULL, store_folder, st) != 0) {
        store_close(st);
        return -EAGAIN;
    }
    st->fold_running = true;
    *out = st;
    return 0;
}

static void store_forget_shadows(struct store *st)
{
    for (size_t b = 0; b < st->shadows.n_buckets; b++)
        for (struct hmap_node *n = st->shadows.buckets[b]; n; n = n->next)
            shadow_free(n->value);
    hmap_destroy(&st->shadows);
    hmap_init(&st->shadows);
}

void store_close(struct store *st)
{
    if (!st)
        return;
    if (st->fold_running) {
        pthread_mutex_lock(&st->group_lock);
        st->fold_stop = true;
        pthread_cond_signal(&st->fold_wake);
        pthread_mutex_unlock(&st->group_lock);
        pthread_join(st->fold_thread, NULL);
    }
    /* Everything journaled goes into SQLite, and the journal is left empty: a database
     * edited while vpcd is stopped must not have the journal replayed over it. */
    if (st->db && st->journal && store_flush(st) != 0)
        fprintf(stderr, "vpcd: store: the journal keeps what SQLite could not take\n");
    else if (st->journal && st->journal_used && journal_truncate(st->journal) != 0)
        fprintf(stderr, "vpcd: store: cannot empty the journal\n");
    for (size_t i = 0; i < st->n_queue; i++)
        group_free(&st->queue[i]);
    free(st->queue);
    for (size_t i = 0; i < st->n_backlog; i++)
        group_free(&st->backlog[i]);
    free(st->backlog);
    journal_close(st->journal);
    strbuf_destroy(&st->record);
    if (st->ckpt_running) {
        pthread_mutex_lock(&st->ckpt_lock);
        st->ckpt_stop = true;
        pthread_cond_signal(&st->ckpt_wake);
        pthread_mutex_unlock(&st->ckpt_lock);
        pthread_join(st->ckpt_thread, NULL);
        pthread_cond_destroy(&st->ckpt_wake);
        pthread_mutex_destroy(&st->ckpt_lock);
    }
    sqlite3_close(st->ckpt_db);
    for (size_t i = 0; i < st->n_pending; i++)
        store_op_free(&st->pending[i]);
    free(st->pending);
    pthread_cond_destroy(&st->group_done);
    pthread_mutex_destroy(&st->group_lock);
    pthread_cond_destroy(&st->fold_wake);
    pthread_mutex_destroy(&st->fold_lock);
    store_forget_shadows(st);
    hmap_destroy(&st->shadows);
    strbuf_destroy(&st->text.sb);
    sqlite3_finalize(st->upsert);
    sqlite3_finalize(st->remove);
    sqlite3_finalize(st->part_upsert);
    sqlite3_finalize(st->part_trim);
    sqlite3_finalize(st->parts_remove);
    sqlite3_finalize(st->begin);
    sqlite3_finalize(st->commit);
    sqlite3_finalize(st->rollback);
    sqlite3_finalize(st->wipe_objects);
    sqlite3_finalize(st->wipe_parts);
    sqlite3_close(st->db);
    free(st);
}

static enum res_type type_by_name(const char *name)
{
    for (int t = 0; t < RES__COUNT; t++)
        if (strcmp(res_class_of((enum res_type)t)->name, name) == 0)
            return (enum res_type)t;
    return RES__COUNT;
}

/* The split elements of one object, gathered before its row is decoded. */
struct store_loaded_parts {
    char owner[24]; /* the hmap key: the owner's seq, in decimal */
    json_t *fields; /* owned: field name -> array of elements in index order */
};

static void loaded_parts_free(struct hmap *parts)
{
    for (size_t b = 0; b < parts->n_buckets; b++)
        for (struct hmap_node *n = parts->buckets[b]; n; n = n->next) {
            struct store_loaded_parts *lp = n->value;
            json_decref(lp->fields);
            free(lp);
        }
    hmap_destroy(parts);
}

static int load_parts(struct store *st, struct hmap *parts)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db,
                           "SELECT owner,field,idx,body FROM parts ORDER BY owner,field,idx", -1,
                           &q, NULL) != SQLITE_OK)
        return -EIO;
    int rc = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        char owner[24];
        snprintf(owner, sizeof owner, "%lld", (long long)sqlite3_column_int64(q, 0));
        const char *field = (const char *)sqlite3_column_text(q, 1);
        json_error_t jerr;
        json_t *elem = json_loads((const char *)sqlite3_column_text(q, 3), 0, &jerr);
        if (!field || !elem) {
            fprintf(stderr, "vpcd: store: bad part row of seq %s\n", owner);
            json_decref(elem);
            rc = -EIO;
            break;
        }
        struct store_loaded_parts *lp = hmap_get(parts, owner);
        if (!lp) {
            lp = xcalloc(1, sizeof *lp);
            snprintf(lp->owner, sizeof lp->owner, "%s", owner);
            lp->fields = json_object();
            hmap_put(parts, lp->owner, lp);
        }
        json_t *arr = json_object_get(lp->fields, field);
        if (!arr) {
            arr = json_array();
            json_object_set_new(lp->fields, field, arr);
        }
        json_array_append_new(arr, elem);
    }
    sqlite3_finalize(q);
    return rc;
}

/* Puts an object's split arrays back into its body, as its class's decoder expects them.
 * A body that still holds an array inline (a row written before the split) keeps it. */
static void merge_parts(json_t *body, enum res_type type, struct store_loaded_parts *lp)
{
    const char *const *split = res_class_of(type)->split;
    for (int f = 0; f < STORE_MAX_SPLIT && split[f]; f++) {
        json_t *arr = lp ? json_object_get(lp->fields, split[f]) : NULL;
        if (arr)
            json_object_set(body, split[f], arr);
        else if (!json_object_get(body, split[f]))
            json_object_set_new(body, split[f], json_array());
    }
}

static int load_rows(struct store *st, struct model *m);

int store_load(struct store *st, struct model *m)
{
    /* SQLite must hold every acknowledged group before it is read. */
    pthread_mutex_lock(&st->fold_lock);
    int rc = fold_all(st);
    if (rc == 0)
        rc = load_rows(st, m);
    pthread_mutex_unlock(&st->fold_lock);
    return rc;
}

static int load_rows(struct store *st, struct model *m)
{
    struct hmap parts;
    hmap_init(&parts);
    if (load_parts(st, &parts) != 0) {
        loaded_parts_free(&parts);
        return -EIO;
    }
    sqlite3_stmt *q;
    /* Scopes first: every other row names the scope it lives in. */
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id,type,account,region,seq,tags,body,peer_account,peer_region "
                           "FROM objects "
                           "ORDER BY (type='scope') DESC, seq",
                           -1, &q, NULL) != SQLITE_OK) {
        loaded_parts_free(&parts);
        return -EIO;
    }
    int rc = 0;
    uint64_t next_seq = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(q, 0);
        uint64_t row_seq = (uint64_t)sqlite3_column_int64(q, 4);
        if (row_seq >= next_seq)
            next_seq = row_seq + 1;
        enum res_type type = type_by_name((const char *)sqlite3_column_text(q, 1));
        const char *account = (const char *)sqlite3_column_text(q, 2);
        const char *region = (const char *)sqlite3_column_text(q, 3);
        if (type == RES__COUNT || strlen(id) >= ID_MAX) {
            fprintf(stderr, "vpcd: store: skipping unknown row %s\n", id);
            continue;
        }
        struct scope *s = model_scope_find(m, account, region);
        if (type != RES_SCOPE && !s) {
            fprintf(stderr, "vpcd: store: row %s has no scope\n", id);
            rc = -EIO;
            break;
        }
        const struct res_class *c = res_class_of(type);
        struct res *r = xcalloc(1, c->size);
        r->type = type;
        snprintf(r->id, sizeof r->id, "%s", id);
        r->seq = (uint64_t)sqlite3_column_int64(q, 4);
        json_error_t jerr;
        json_t *tags = json_loads((const char *)sqlite3_column_text(q, 5), 0, &jerr);
        json_t *body = json_loads((const char *)sqlite3_column_text(q, 6), 0, &jerr);
        if (type == RES_SCOPE) {
            struct scope *ns = (struct scope *)r;
            snprintf(ns->account, sizeof ns->account, "%s", account);
            snprintf(ns->region, sizeof ns->region, "%s", region);
            r->scope = ns;
        } else {
            r->scope = s;
        }
        if (tags)
            tags_decode(&r->tags, tags);
        char seq_key[24];
        snprintf(seq_key, sizeof seq_key, "%llu", (unsigned long long)r->seq);
        if (body)
            merge_parts(body, type, hmap_get(&parts, seq_key));
        int drc = body && c->decode ? c->decode(r, body) : 0;
        json_decref(tags);
        json_decref(body);
        if (drc != 0) {
            fprintf(stderr, "vpcd: store: cannot decode %s\n", id);
            if (c->destroy)
                c->destroy(r);
            tags_clear(&r->tags);
            free(r);
            rc = -EIO;
            break;
        }
        res_adopt(m, r);
        const char *peer_account = (const char *)sqlite3_column_text(q, 7);
        const char *peer_region = (const char *)sqlite3_column_text(q, 8);
        if (peer_account && *peer_account) {
            struct scope *peer = model_scope_find(m, peer_account, peer_region);
            if (!peer) {
                fprintf(stderr, "vpcd: store: row %s is shared with a missing scope\n", id);
                rc = -EIO;
                break;
            }
            res_share(m, r, peer);
        }
    }
    sqlite3_finalize(q);
    loaded_parts_free(&parts);
    model_clear_dirty(m);
    pthread_mutex_lock(&st->group_lock);
    /* Rows of seqs below next_seq may exist; the model will hand out seqs from its own
     * next_seq, which is at least this. */
    st->unstored_from = rc == 0 ? next_seq : UINT64_MAX;
    pthread_mutex_unlock(&st->group_lock);
    return rc;
}

/* ---- encoding ---- */

static uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

/* Two multiply-rotate lanes over 8-byte words, started from a per-store random seed so that
 * nobody can choose texts (tag values, descriptions) whose digests collide. */
static struct store_digest digest_of(const struct store *st, const char *s, size_t n)
{
    uint64_t a = st->seed[0] ^ n, b = st->seed[1] + n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        a = rotl64((a ^ w) * 0x87c37b91114253d5ULL, 31) + b;
        b = rotl64((b ^ w) * 0x4cf5ad432745937fULL, 27) ^ a;
    }
    uint64_t w = 0;
    memcpy(&w, s + i, n - i);
    a = rotl64((a ^ w) * 0x87c37b91114253d5ULL, 31) + b;
    b = rotl64((b ^ w) * 0x4cf5ad432745937fULL, 27) ^ a;
    return (struct store_digest){fmix64(a), fmix64(b + a)};
}

static bool digest_eq(struct store_digest x, struct store_digest y)
{
    return x.a == y.a && x.b == y.b;
}

/* ---- staging ---- */

static struct store_op *op_push(struct store *st, enum store_op_kind kind, const char *id)
{
    st->pending = xgrow(st->pending, &st->cap_pending, st->n_pending, sizeof *st->pending);
    struct store_op *op = &st->pending[st->n_pending++];
    memset(op, 0, sizeof *op);
    op->kind = kind;
    str_copy(op->id, sizeof op->id, id);
    return op;
}

static struct store_shadow *shadow_get(struct store *st, const char *id, bool *fresh)
{
    struct store_shadow *sh = hmap_get(&st->shadows, id);
    *fresh = !sh;
    if (!sh) {
        sh = xcalloc(1, sizeof *sh);
        snprintf(sh->id, sizeof sh->id, "%s", id);
        hmap_put(&st->shadows, sh->id, sh);
    }
    return sh;
}

static char *text_dup(const struct strbuf *sb, size_t from, size_t n)
{
    char *s = xmalloc(n + 1);
    if (n)
        memcpy(s, sb->data + from, n);
    s[n] = '\0';
    return s;
}

/* One object being staged: which split element comes next in each field. */
struct stage_ctx {
    struct store *st;
    const struct res *r;
    struct store_shadow *sh;
    bool fresh;
    bool restarted; /* the text encoder gave up: rows it staged in this group need trims */
    size_t next[STORE_MAX_SPLIT];
    /* The raw digest of the element being written, when the encoder gave one. */
    struct store_digest raw[STORE_MAX_SPLIT];
    bool raw_pending[STORE_MAX_SPLIT];
};

static bool stage_unchanged(struct res_text *t, int f, const void *raw, size_t len)
{
    struct stage_ctx *x = t->ctx;
    struct store_shadow *sh = x->sh;
    size_t i = x->next[f];
    struct store_digest d = digest_of(x->st, raw, len);
    if (!x->fresh && i < sh->fields[f].n && sh->fields[f].items[i].raw_known &&
        digest_eq(d, sh->fields[f].items[i].raw)) {
        x->next[f]++;
        return true;
    }
    x->raw[f] = d;
    x->raw_pending[f] = true;
    return false;
}

/* The element just written into st->text is element next[f] of split field f: stage it if
 * its text changed since the last write. */
static void stage_elem(struct res_text *t, int f)
{
    struct stage_ctx *x = t->ctx;
    struct store_shadow *sh = x->sh;
    size_t i = x->next[f]++;
    struct store_digest d = digest_of(x->st, t->sb.len ? t->sb.data : "", t->sb.len);
    bool same = !x->fresh && i < sh->fields[f].n && digest_eq(d, sh->fields[f].items[i].text);
    if (!same && i >= sh->fields[f].cap) {
        sh->fields[f].cap = sh->fields[f].cap ? 2 * sh->fields[f].cap : 16;
        sh->fields[f].items =
            xrealloc(sh->fields[f].items, sh->fields[f].cap * sizeof *sh->fields[f].items);
    }
    /* Text and bytes as written now (the same text may come from other bytes). */
    sh->fields[f].items[i].raw = x->raw[f];
    sh->fields[f].items[i].raw_known = x->raw_pending[f];
    x->raw_pending[f] = false;
    if (!same) {
        sh->fields[f].items[i].text = d;
        /* The shadow's count grows with the elements written, so that a later element
         * compares against what is stored at its index. */
        if (i >= sh->fields[f].n)
            sh->fields[f].n = i + 1;
        struct store_op *op = op_push(x->st, STORE_OP_PART, x->r->id);
        op->seq = x->r->seq;
        op->field = res_class_of(x->r->type)->split[f];
        op->idx = (long)i;
        op->body = text_dup(&t->sb, 0, t->sb.len);
    }
    strbuf_reset(&t->sb);
}

/* After the last element of every split field: drop the rows past the end (all of them on a
 * first write, where what is stored is unknown). */
static void stage_trims(struct stage_ctx *x)
{
    const char *const *split = res_class_of(x->r->type)->split;
    for (int f = 0; f < STORE_MAX_SPLIT && split[f]; f++) {
        size_t n = x->next[f];
        bool unknown = x->fresh && (x->restarted || x->r->seq < x->st->unstored_from);
        if (unknown || n < x->sh->fields[f].n) {
            struct store_op *op = op_push(x->st, STORE_OP_PART_TRIM, x->r->id);
            op->seq = x->r->seq;
            op->field = split[f];
            op->idx = (long)n;
        }
        x->sh->fields[f].n = n;
    }
}

/* The jansson path, for classes without encode_text (or text it could not write): the
 * tree from encode(), its split arrays staged element by element, the rest left in text. */
static void stage_tree(struct stage_ctx *x)
{
    struct res_text *t = &x->st->text;
    const struct res_class *c = res_class_of(x->r->type);
    json_t *body = c->encode ? c->encode(x->r) : NULL;
    if (!body)
        body = json_object(); /* an encoder that failed: what the store always wrote then */
    for (int f = 0; f < STORE_MAX_SPLIT && c->split[f]; f++) {
        json_t *arr = json_object_get(body, c->split[f]);
        for (size_t i = 0; i < json_array_size(arr); i++) {
            jt_value(t, json_array_get(arr, i));
            stage_elem(t, f);
        }
        json_object_del(body, c->split[f]);
    }
    jt_value(t, body);
    json_decref(body);
}

static void stage_row(struct store *st, const struct res *r)
{
    const struct res_class *c = res_class_of(r->type);
    struct stage_ctx x = {.st = st, .r = r};
    x.sh = shadow_get(st, r->id, &x.fresh);
    struct res_text *t = &st->text;
    strbuf_reset(&t->sb);
    t->elem_done = stage_elem;
    t->elem_unchanged = stage_unchanged;
    t->ctx = &x;
    t->bad = false;
    if (c->encode_text)
        c->encode_text(r, t);
    if (!c->encode_text || t->bad) {
        /* Start over as a first write: rows staged above are replaced by the ones below in
         * the same group, and the trims remove whatever is left. */
        strbuf_reset(&t->sb);
        x.fresh = true;
        x.restarted = true;
        memset(x.next, 0, sizeof x.next);
        memset(x.raw_pending, 0, sizeof x.raw_pending);
        stage_tree(&x);
    }
    stage_trims(&x);

    /* The row: everything but the split arrays, written only when its text changed. */
    size_t body_len = t->sb.len;
    t->bad = false;
    jt_tags(t, &r->tags);
    if (t->bad) {
        t->sb.len = body_len;
        json_t *tags = tags_encode(&r->tags);
        jt_value(t, tags);
        json_decref(tags);
    }
    size_t tags_len = t->sb.len - body_len;
    /* The digest also covers where the body ends and the row's other columns. */
    uint64_t lengths[2] = {body_len, r->seq};
    strbuf_append(&t->sb, (const char *)lengths, sizeof lengths);
    const char *columns[4] = {r->scope->account, r->scope->region,
                              r->peer_scope ? r->peer_scope->account : "",
                              r->peer_scope ? r->peer_scope->region : ""};
    for (int i = 0; i < 4; i++)
        strbuf_append(&t->sb, columns[i], strlen(columns[i]) + 1);
    struct store_digest d = digest_of(st, t->sb.data, t->sb.len);
    if (!x.fresh && digest_eq(d, x.sh->row))
        return;
    x.sh->row = d;
    struct store_op *op = op_push(st, STORE_OP_ROW, r->id);
    op->type = c->name;
    str_copy(op->account, sizeof op->account, r->scope->account);
    str_copy(op->region, sizeof op->region, r->scope->region);
    if (r->peer_scope) {
        str_copy(op->peer_account, sizeof op->peer_account, r->peer_scope->account);
        str_copy(op->peer_region, sizeof op->peer_region, r->peer_scope->region);
    }
    op->seq = r->seq;
    op->body = text_dup(&t->sb, 0, body_len);
    op->tags = text_dup(&t->sb, body_len, tags_len);
}

static void stage_delete(struct store *st, const struct res_deleted *d)
{
    shadow_free(hmap_remove(&st->shadows, d->id));
    op_push(st, STORE_OP_REMOVE, d->id)->seq = d->seq;
}

static int step_bound(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -EIO;
    sqlite3_reset(s);
    return rc;
}

static int write_op(struct store *st, const struct store_op *op)
{
    switch (op->kind) {
    case STORE_OP_REMOVE:
        sqlite3_bind_int64(st->remove, 1, (sqlite3_int64)op->seq);
        sqlite3_bind_int64(st->parts_remove, 1, (sqlite3_int64)op->seq);
        return step_bound(st->remove) || step_bound(st->parts_remove) ? -EIO : 0;
    case STORE_OP_PART:
        sqlite3_bind_int64(st->part_upsert, 1, (sqlite3_int64)op->seq);
        sqlite3_bind_text(st->part_upsert, 2, op->field, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st->part_upsert, 3, op->idx);
        sqlite3_bind_text(st->part_upsert, 4, op->body, -1, SQLITE_STATIC);
        return step_bound(st->part_upsert);
    case STORE_OP_PART_TRIM:
        sqlite3_bind_int64(st->part_trim, 1, (sqlite3_int64)op->seq);
        sqlite3_bind_text(st->part_trim, 2, op->field, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st->part_trim, 3, op->idx);
        return step_bound(st->part_trim);
    case STORE_OP_WIPE:
        return step_bound(st->wipe_objects) || step_bound(st->wipe_parts) ? -EIO : 0;
    case STORE_OP_ROW:
        break;
    }
    sqlite3_stmt *u = st->upsert;
    sqlite3_bind_int64(u, 1, (sqlite3_int64)op->seq);
    sqlite3_bind_text(u, 2, op->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 3, op->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 4, op->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 5, op->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 6, op->tags ? op->tags : "[]", -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 7, op->body ? op->body : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 8, op->peer_account, -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 9, op->peer_region, -1, SQLITE_STATIC);
    return step_bound(u);
}

/* After a commit, on the writer's connection: when the checkpointer has copied all but the
 * last few frames of a full WAL, copy those too, so the next commit starts the WAL over
 * (rewriting the same file blocks, within the page cache) instead of appending forever. */
static void store_finish_checkpoint(struct store *st)
{
    if (!st->ckpt_running || st->wal_pages < st->ckpt_pages ||
        __atomic_load_n(&st->ckpt_busy, __ATOMIC_ACQUIRE))
        return;
    uint64_t progress = __atomic_load_n(&st->ckpt_progress, __ATOMIC_ACQUIRE);
    int log = (int)(progress >> 32), done = (int)(uint32_t)progress;
    /* A round from before the WAL last started over says nothing of this one. */
    if (log > st->wal_pages || done + st->ckpt_pages / 8 < st->wal_pages)
        return;
    sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

/* ---- the journal: groups as records ---- */

/* The folder lets groups gather this long (or up to this many) before one transaction. */
#define STORE_FOLD_DELAY_MS 5
#define STORE_FOLD_GROUPS 512

static void group_free(struct store_group *g)
{
    for (size_t i = 0; i < g->n; i++)
        store_op_free(&g->ops[i]);
    free(g->ops);
}

/* Replays one journaled group into the open transaction. Applying a suffix of the history
 * again to a state that already holds it changes nothing (every op sets or deletes whole
 * rows), so groups folded before a crash emptied the journal are harmless. */
static int replay_group(const unsigned char *payload, size_t len, void *ctx)
{
    struct store *st = ctx;
    struct store_group g;
    if (store_record_decode(payload, len, &g.ops, &g.n) != 0) {
        fprintf(stderr, "vpcd: store: a journal record does not decode\n");
        return -EIO;
    }
    int rc = 0;
    for (size_t i = 0; i < g.n && rc == 0; i++)
        rc = write_op(st, &g.ops[i]);
    group_free(&g);
    return rc;
}

/* At open, before any other use: what the journal holds goes into SQLite, then the journal
 * is emptied. */
static int store_replay_journal(struct store *st)
{
    if (journal_size(st->journal) == 0)
        return 0;
    st->journal_used = true;
    if (step_once(st->begin))
        return -EIO;
    int rc = journal_replay(st->journal, replay_group, st);
    if (rc == 0)
        rc = step_once(st->commit);
    if (rc != 0) {
        fprintf(stderr, "vpcd: store: cannot replay the journal: %s\n", sqlite3_errmsg(st->db));
        step_once(st->rollback);
        return -EIO;
    }
    return journal_truncate(st->journal);
}

/* ---- folding journaled groups into SQLite ---- */

/* Applies the backlog in one transaction: all of it lands or none. fold_lock held. */
static int fold_backlog(struct store *st)
{
    if (st->n_backlog == 0)
        return 0;
    if (step_once(st->begin))
        return -EIO;
    int rc = 0;
    for (size_t g = 0; g < st->n_backlog && rc == 0; g++)
        for (size_t i = 0; i < st->backlog[g].n && rc == 0; i++)
            rc = write_op(st, &st->backlog[g].ops[i]);
    if (rc == 0)
        rc = step_once(st->commit);
    if (rc != 0) {
        /* The groups stay journaled and in the backlog: the next fold tries again. */
        fprintf(stderr, "vpcd: store: cannot fold the journal into SQLite: %s\n",
                sqlite3_errmsg(st->db));
        step_once(st->rollback);
        return -EIO;
    }
    store_finish_checkpoint(st);
    for (size_t g = 0; g < st->n_backlog; g++)
        group_free(&st->backlog[g]);
    st->n_backlog = 0;
    return 0;
}

/* Moves the queue behind the backlog and folds both. fold_lock held: it is taken before
 * group_lock, so groups enter the backlog in journal order. */
static int fold_queued(struct store *st)
{
    pthread_mutex_lock(&st->group_lock);
    for (size_t i = 0; i < st->n_queue; i++) {
        st->backlog = xgrow(st->backlog, &st->cap_backlog, st->n_backlog, sizeof *st->backlog);
        st->backlog[st->n_backlog++] = st->queue[i];
    }
    st->n_queue = 0;
    pthread_mutex_unlock(&st->group_lock);
    return fold_backlog(st);
}

/* Holds every leader off, folds what is left and starts the journal over (if this store
 * wrote it). fold_lock held. */
static int fold_all(struct store *st)
{
    pthread_mutex_lock(&st->group_lock);
    while (st->leader_active)
        pthread_cond_wait(&st->group_done, &st->group_lock);
    st->leader_active = true;
    pthread_mutex_unlock(&st->group_lock);
    int rc = fold_queued(st);
    if (rc == 0 && st->journal_used)
        journal_restart(st->journal);
    pthread_mutex_lock(&st->group_lock);
    st->journal_bytes = journal_size(st->journal);
    st->leader_active = false;
    pthread_cond_broadcast(&st->group_done);
    pthread_mutex_unlock(&st->group_lock);
    return rc;
}

int store_flush(struct store *st)
{
    pthread_mutex_lock(&st->fold_lock);
    int rc = fold_all(st);
    pthread_mutex_unlock(&st->fold_lock);
    return rc;
}

/* The folder and the checkpointer yield the CPU to the threads that answer requests: their
 * work only has to keep up on average, and a fold of hundreds of groups that took a CPU for
 * 10-20 ms from a request put that request in the latency tail. */
static void run_in_background(void)
{
    setpriority(PRIO_PROCESS, (id_t)gettid(), 10);
}

static void *store_folder(void *arg)
{
    struct store *st = arg;
    run_in_background();
    pthread_mutex_lock(&st->group_lock);
    for (;;) {
        while (st->n_queue == 0 && !st->fold_stop)
            pthread_cond_wait(&st->fold_wake, &st->group_lock);
        if (st->fold_stop)
            break;
        if (st->n_queue < STORE_FOLD_GROUPS && st->journal_bytes < st->journal_limit) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += STORE_FOLD_DELAY_MS * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&st->fold_wake, &st->group_lock, &until);
        }
        bool full = st->journal_bytes >= st->journal_limit;
        pthread_mutex_unlock(&st->group_lock);
        pthread_mutex_lock(&st->fold_lock);
        int rc = full ? fold_all(st) : fold_queued(st);
        pthread_mutex_unlock(&st->fold_lock);
        pthread_mutex_lock(&st->group_lock);
        st->fold_failing = rc != 0;
        pthread_cond_broadcast(&st->group_done);
        pthread_mutex_unlock(&st->group_lock);
        if (rc != 0) {
            /* Not in a hot loop while SQLite refuses: the groups are safe in the journal. */
            struct timespec pause = {.tv_sec = 0, .tv_nsec = 100000000L};
            nanosleep(&pause, NULL);
        }
        pthread_mutex_lock(&st->group_lock);
    }
    pthread_mutex_unlock(&st->group_lock);
    return NULL;
}

uint64_t store_stage(struct store *st, struct model *m)
{
    pthread_mutex_lock(&st->group_lock);
    if (model_has_changes(m)) {
        for (size_t i = 0; i < m->dirty.n; i++)
            stage_row(st, m->dirty.items[i]);
        for (size_t i = 0; i < m->n_deleted; i++)
            stage_delete(st, &m->deleted[i]);
        st->staged++;
        model_clear_dirty(m);
    }
    uint64_t ticket = st->staged;
    pthread_mutex_unlock(&st->group_lock);
    return ticket;
}

int store_wait(struct store *st, uint64_t ticket)
{
    pthread_mutex_lock(&st->group_lock);
    while (st->durable < ticket && !st->failed) {
        /* A folder that fell behind (the journal at twice its limit) is waited for: it runs
         * at a lower priority, and the journal and the queue must not grow without bound.
         * Not one whose folds fail: the journal keeps the groups, and requests go on. */
        bool folder_behind = st->fold_running && !st->fold_stop && !st->fold_failing &&
                             st->journal_bytes >= 2 * st->journal_limit;
        if (st->leader_active || folder_behind) {
            pthread_cond_wait(&st->group_done, &st->group_lock);
            continue;
        }
        /* Lead: take everything staged so far, append it as one journal record (one write,
         * one sync), then wake the followers whose tickets it covered. */
        st->leader_active = true;
        struct store_op *ops = st->pending;
        size_t n = st->n_pending;
        uint64_t upto = st->staged;
        st->pending = NULL;
        st->n_pending = st->cap_pending = 0;
        pthread_mutex_unlock(&st->group_lock);
        int rc = 0;
        if (n) {
            store_record_encode(&st->record, ops, n);
            rc = journal_append(st->journal, st->record.data, st->record.len);
        }
        pthread_mutex_lock(&st->group_lock);
        st->leader_active = false;
        if (rc == 0) {
            if (n) {
                st->journal_used = true;
                uint64_t before = st->journal_bytes;
                st->journal_bytes = journal_size(st->journal);
                st->queue = xgrow(st->queue, &st->cap_queue, st->n_queue, sizeof *st->queue);
                st->queue[st->n_queue++] = (struct store_group){ops, n};
                /* The folder wakes for the first group, for a full batch, and when the
                 * journal reaches its limit (to start it over before it grows much past). */
                if (st->n_queue == 1 || st->n_queue == STORE_FOLD_GROUPS ||
                    (before < st->journal_limit && st->journal_bytes >= st->journal_limit))
                    pthread_cond_signal(&st->fold_wake);
            } else {
                free(ops);
            }
            st->durable = upto;
        } else {
            fprintf(stderr, "vpcd: store: cannot write the journal: %s\n", strerror(-rc));
            for (size_t i = 0; i < n; i++)
                store_op_free(&ops[i]);
            free(ops);
            st->failed = true;
        }
        pthread_cond_broadcast(&st->group_done);
    }
    int rc =
        st->durable >= ticket && !(ticket > st->lost_after && ticket <= st->lost_upto) ? 0 : -EIO;
    pthread_mutex_unlock(&st->group_lock);
    return rc;
}

bool store_syncs(const struct store *st)
{
    return st->syncs;
}

void store_fail_writes(struct store *st, unsigned n)
{
    pthread_mutex_lock(&st->group_lock);
    while (st->leader_active)
        pthread_cond_wait(&st->group_done, &st->group_lock);
    journal_fail_appends(st->journal, n);
    pthread_mutex_unlock(&st->group_lock);
}

void store_set_journal_limit(struct store *st, uint64_t bytes)
{
    pthread_mutex_lock(&st->group_lock);
    st->journal_limit = bytes;
    pthread_mutex_unlock(&st->group_lock);
}

void store_set_checkpoint_pages(struct store *st, int pages)
{
    st->ckpt_pages = pages < 16 ? 16 : pages;
}

bool store_durable(struct store *st, uint64_t ticket)
{
    pthread_mutex_lock(&st->group_lock);
    bool durable = st->durable >= ticket && !st->failed &&
                   !(ticket > st->lost_after && ticket <= st->lost_upto);
    pthread_mutex_unlock(&st->group_lock);
    return durable;
}

void store_recover(struct store *st)
{
    pthread_mutex_lock(&st->group_lock);
    while (st->leader_active)
        pthread_cond_wait(&st->group_done, &st->group_lock);
    for (size_t i = 0; i < st->n_pending; i++)
        store_op_free(&st->pending[i]);
    st->n_pending = 0;
    if (st->staged > st->durable) {
        st->lost_after = st->durable;
        st->lost_upto = st->staged;
    }
    st->durable = st->staged;
    st->failed = false;
    st->unstored_from = UINT64_MAX;
    /* The dropped groups were counted in the shadows: start over with full writes. */
    store_forget_shadows(st);
    pthread_mutex_unlock(&st->group_lock);
}

int store_commit(struct store *st, struct model *m)
{
    return store_wait(st, store_stage(st, m));
}

int store_wipe(struct store *st)
{
    /* A group of its own, journaled like any other, so that a crash cannot bring back what
     * it deleted nor lose what follows it. */
    pthread_mutex_lock(&st->group_lock);
    store_forget_shadows(st);
    op_push(st, STORE_OP_WIPE, "");
    uint64_t ticket = ++st->staged;
    pthread_mutex_unlock(&st->group_lock);
    return store_wait(st, ticket);
}
