#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/xalloc.h"
#include "model/resources.h"

/* One row change waiting for the next group commit: everything is already encoded, so the
 * writer needs nothing from the model. */
struct store_op {
    char id[ID_MAX];
    bool remove;
    const char *type; /* static class name */
    char account[13], region[32], peer_account[13], peer_region[32];
    uint64_t seq;
    char *tags; /* owned JSON text */
    char *body; /* owned JSON text */
};

static void op_free(struct store_op *op)
{
    free(op->tags);
    free(op->body);
}

struct store {
    sqlite3 *db;
    sqlite3_stmt *upsert;
    sqlite3_stmt *remove;
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
    /* Group commit. Changes are staged in model order under the service lock; whoever waits
     * first becomes the leader and writes every staged change in one transaction, so one sync
     * covers all the requests that arrived meanwhile. Tickets count staged groups. */
    pthread_mutex_t group_lock;
    pthread_cond_t group_done;
    struct store_op *pending;
    size_t n_pending, cap_pending;
    uint64_t staged, durable;
    bool leader_active;
    bool failed; /* a group failed: every wait fails until store_recover() */
    /* Tickets in (lost_after, lost_upto] were dropped by store_recover(): their waits fail. */
    uint64_t lost_after, lost_upto;
};

/* WAL size (pages) that asks for a checkpoint; SQLite's own default threshold. */
#define STORE_CHECKPOINT_PAGES 1000

static int store_wal_hook(void *ctx, sqlite3 *db, const char *name, int pages)
{
    (void)db;
    (void)name;
    struct store *st = ctx;
    if (pages >= STORE_CHECKPOINT_PAGES) {
        pthread_mutex_lock(&st->ckpt_lock);
        st->ckpt_wanted = true;
        pthread_cond_signal(&st->ckpt_wake);
        pthread_mutex_unlock(&st->ckpt_lock);
    }
    return SQLITE_OK;
}

static void *store_checkpointer(void *arg)
{
    struct store *st = arg;
    pthread_mutex_lock(&st->ckpt_lock);
    for (;;) {
        while (!st->ckpt_wanted && !st->ckpt_stop)
            pthread_cond_wait(&st->ckpt_wake, &st->ckpt_lock);
        if (st->ckpt_stop)
            break;
        st->ckpt_wanted = false;
        pthread_mutex_unlock(&st->ckpt_lock);
        /* PASSIVE never blocks the writer. The WAL only starts over once a checkpoint has
         * copied every frame, so keep going while commits add frames behind us; if they
         * outrun us for long, RESTART waits for the writer once instead of letting the WAL
         * grow without bound. */
        int log = 0, done = 0, rounds = 0;
        do {
            if (sqlite3_wal_checkpoint_v2(st->ckpt_db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log,
                                          &done) != SQLITE_OK)
                break;
        } while (done < log && ++rounds < 16);
        if (done < log && log >= 8 * STORE_CHECKPOINT_PAGES)
            sqlite3_wal_checkpoint_v2(st->ckpt_db, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
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
                     durable_fsync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                     NULL, NULL, NULL) != SQLITE_OK)
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

int store_open(const char *dir, bool durable_fsync, struct store **out)
{
    *out = NULL;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -errno;
    char path[4096];
    snprintf(path, sizeof path, "%s/vpcd.db", dir);
    struct store *st = xcalloc(1, sizeof *st);
    pthread_mutex_init(&st->group_lock, NULL);
    pthread_cond_init(&st->group_done, NULL);
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
        exec(st->db, "CREATE TABLE IF NOT EXISTS objects("
                     "id TEXT PRIMARY KEY, type TEXT NOT NULL, account TEXT NOT NULL,"
                     "region TEXT NOT NULL, seq INTEGER NOT NULL, tags TEXT NOT NULL,"
                     "body TEXT NOT NULL, peer_account TEXT NOT NULL DEFAULT '',"
                     "peer_region TEXT NOT NULL DEFAULT '')") ||
        sqlite3_prepare_v2(st->db,
                           "INSERT OR REPLACE INTO objects(id,type,account,region,seq,tags,body,"
                           "peer_account,peer_region) VALUES(?,?,?,?,?,?,?,?,?)",
                           -1, &st->upsert, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "DELETE FROM objects WHERE id=?", -1, &st->remove, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "BEGIN IMMEDIATE", -1, &st->begin, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "COMMIT", -1, &st->commit, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "ROLLBACK", -1, &st->rollback, NULL) != SQLITE_OK ||
        store_start_checkpointer(st, path, durable_fsync) != 0) {
        store_close(st);
        return -EIO;
    }
    *out = st;
    return 0;
}

void store_close(struct store *st)
{
    if (!st)
        return;
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
        op_free(&st->pending[i]);
    free(st->pending);
    pthread_cond_destroy(&st->group_done);
    pthread_mutex_destroy(&st->group_lock);
    sqlite3_finalize(st->upsert);
    sqlite3_finalize(st->remove);
    sqlite3_finalize(st->begin);
    sqlite3_finalize(st->commit);
    sqlite3_finalize(st->rollback);
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

int store_load(struct store *st, struct model *m)
{
    sqlite3_stmt *q;
    /* Scopes first: every other row names the scope it lives in. */
    if (sqlite3_prepare_v2(st->db,
                           "SELECT id,type,account,region,seq,tags,body,peer_account,peer_region "
                           "FROM objects "
                           "ORDER BY (type='scope') DESC, seq",
                           -1, &q, NULL) != SQLITE_OK)
        return -EIO;
    int rc = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(q, 0);
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
    model_clear_dirty(m);
    return rc;
}

static void stage_row(struct store *st, const struct res *r)
{
    const struct res_class *c = res_class_of(r->type);
    st->pending = xgrow(st->pending, &st->cap_pending, st->n_pending, sizeof *st->pending);
    struct store_op *op = &st->pending[st->n_pending++];
    memset(op, 0, sizeof *op);
    snprintf(op->id, sizeof op->id, "%s", r->id);
    op->type = c->name;
    snprintf(op->account, sizeof op->account, "%s", r->scope->account);
    snprintf(op->region, sizeof op->region, "%s", r->scope->region);
    if (r->peer_scope) {
        snprintf(op->peer_account, sizeof op->peer_account, "%s", r->peer_scope->account);
        snprintf(op->peer_region, sizeof op->peer_region, "%s", r->peer_scope->region);
    }
    op->seq = r->seq;
    json_t *tags = tags_encode(&r->tags);
    json_t *body = c->encode ? c->encode(r) : json_object();
    op->tags = json_dumps(tags, JSON_COMPACT);
    op->body = json_dumps(body, JSON_COMPACT);
    json_decref(tags);
    json_decref(body);
}

static void stage_delete(struct store *st, const char *id)
{
    st->pending = xgrow(st->pending, &st->cap_pending, st->n_pending, sizeof *st->pending);
    struct store_op *op = &st->pending[st->n_pending++];
    memset(op, 0, sizeof *op);
    snprintf(op->id, sizeof op->id, "%s", id);
    op->remove = true;
}

static int write_op(struct store *st, const struct store_op *op)
{
    if (op->remove) {
        sqlite3_reset(st->remove);
        sqlite3_bind_text(st->remove, 1, op->id, -1, SQLITE_STATIC);
        return sqlite3_step(st->remove) == SQLITE_DONE ? 0 : -EIO;
    }
    sqlite3_stmt *u = st->upsert;
    sqlite3_reset(u);
    sqlite3_bind_text(u, 1, op->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 2, op->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 3, op->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 4, op->region, -1, SQLITE_STATIC);
    sqlite3_bind_int64(u, 5, (sqlite3_int64)op->seq);
    sqlite3_bind_text(u, 6, op->tags ? op->tags : "[]", -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 7, op->body ? op->body : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 8, op->peer_account, -1, SQLITE_STATIC);
    sqlite3_bind_text(u, 9, op->peer_region, -1, SQLITE_STATIC);
    return sqlite3_step(u) == SQLITE_DONE ? 0 : -EIO;
}

/* Writes ops in order as one transaction: the whole group is durable or none of it is. */
static int write_group(struct store *st, const struct store_op *ops, size_t n)
{
    if (step_once(st->begin))
        return -EIO;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = write_op(st, &ops[i]);
    if (rc == 0)
        rc = step_once(st->commit);
    if (rc != 0) {
        fprintf(stderr, "vpcd: store: commit failed: %s\n", sqlite3_errmsg(st->db));
        step_once(st->rollback);
        return -EIO;
    }
    return 0;
}

uint64_t store_stage(struct store *st, struct model *m)
{
    pthread_mutex_lock(&st->group_lock);
    if (model_has_changes(m)) {
        for (size_t i = 0; i < m->dirty.n; i++)
            stage_row(st, m->dirty.items[i]);
        for (size_t i = 0; i < m->n_deleted; i++)
            stage_delete(st, m->deleted[i]);
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
        if (st->leader_active) {
            pthread_cond_wait(&st->group_done, &st->group_lock);
            continue;
        }
        /* Lead: take everything staged so far, write it as one transaction and one sync, then
         * wake the followers whose tickets it covered. */
        st->leader_active = true;
        struct store_op *ops = st->pending;
        size_t n = st->n_pending;
        uint64_t upto = st->staged;
        st->pending = NULL;
        st->n_pending = st->cap_pending = 0;
        pthread_mutex_unlock(&st->group_lock);
        int rc = write_group(st, ops, n);
        for (size_t i = 0; i < n; i++)
            op_free(&ops[i]);
        free(ops);
        pthread_mutex_lock(&st->group_lock);
        st->leader_active = false;
        if (rc == 0)
            st->durable = upto;
        else
            st->failed = true;
        pthread_cond_broadcast(&st->group_done);
    }
    int rc = st->durable >= ticket && !(ticket > st->lost_after && ticket <= st->lost_upto)
                 ? 0
                 : -EIO;
    pthread_mutex_unlock(&st->group_lock);
    return rc;
}

void store_recover(struct store *st)
{
    pthread_mutex_lock(&st->group_lock);
    while (st->leader_active)
        pthread_cond_wait(&st->group_done, &st->group_lock);
    for (size_t i = 0; i < st->n_pending; i++)
        op_free(&st->pending[i]);
    st->n_pending = 0;
    if (st->staged > st->durable) {
        st->lost_after = st->durable;
        st->lost_upto = st->staged;
    }
    st->durable = st->staged;
    st->failed = false;
    pthread_mutex_unlock(&st->group_lock);
}

int store_commit(struct store *st, struct model *m)
{
    return store_wait(st, store_stage(st, m));
}

int store_wipe(struct store *st)
{
    return exec(st->db, "DELETE FROM objects");
}
