/* The store's redo journal: records come back whole and in order; a torn or damaged record,
 * a failed append and what is left of an earlier pass are never read as records. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"

#include "store/journal.h"

struct fixture {
    char dir[64];
    char path[96];
};

static void fixture_open(struct fixture *f)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/vpcd-test-journal.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/j", f->dir);
}

static void fixture_close(struct fixture *f)
{
    unlink(f->path);
    assert_int_equal(rmdir(f->dir), 0);
}

/* What a replay handed over, each record as a NUL-terminated copy. */
struct seen {
    char *items[64];
    size_t len[64];
    size_t n;
};

static int collect(const unsigned char *payload, size_t len, void *ctx)
{
    struct seen *s = ctx;
    assert_true(s->n < 64);
    s->items[s->n] = malloc(len + 1);
    memcpy(s->items[s->n], payload, len);
    s->items[s->n][len] = '\0';
    s->len[s->n++] = len;
    return 0;
}

static void seen_free(struct seen *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->items[i]);
    s->n = 0;
}

/* Opens the journal at f->path, replays it into *s and returns it open. */
static struct journal *reopen(struct fixture *f, struct seen *s)
{
    struct journal *j;
    assert_int_equal(journal_open(f->path, false, &j), 0);
    seen_free(s);
    assert_int_equal(journal_replay(j, collect, s), 0);
    return j;
}

static void append(struct journal *j, const char *text)
{
    assert_int_equal(journal_append(j, text, strlen(text)), 0);
}

static off_t file_size(const char *path)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    off_t n = lseek(fd, 0, SEEK_END);
    close(fd);
    return n;
}

/* Replaces the file's contents with n bytes (a copy of a journal, cut or damaged). */
static void write_file(const char *path, const void *bytes, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, n), (ssize_t)n);
    close(fd);
}

/* Reads up to cap bytes of the file; returns how many. */
static size_t read_file(const char *path, void *bytes, size_t cap)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    ssize_t n = read(fd, bytes, cap);
    close(fd);
    assert_true(n >= 0);
    return (size_t)n;
}

static void test_records_come_back_in_order(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    struct seen s = {.n = 0};
    struct journal *j = reopen(&f, &s);
    assert_int_equal(s.n, 0);
    append(j, "first");
    assert_int_equal(journal_append(j, "", 0), 0);
    append(j, "third record, a little longer");
    uint64_t size = journal_size(j);
    journal_close(j);
    assert_int_equal(file_size(f.path), (off_t)size);

    j = reopen(&f, &s);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.items[0], "first");
    assert_int_equal(s.len[1], 0);
    assert_string_equal(s.items[2], "third record, a little longer");
    /* The next record follows the last one. */
    assert_int_equal(journal_size(j), size);
    append(j, "fourth");
    journal_close(j);
    journal_close(reopen(&f, &s));
    assert_int_equal(s.n, 4);
    assert_string_equal(s.items[3], "fourth");
    seen_free(&s);
    fixture_close(&f);
}

/* A crash in the middle of an append leaves part of a record: replay stops before it, and
 * the next append goes where it began. */
static void test_torn_record_is_not_a_record(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    struct seen s = {.n = 0};
    struct journal *j = reopen(&f, &s);
    append(j, "kept one");
    append(j, "kept two");
    uint64_t whole = journal_size(j);
    append(j, "this one is torn by the crash");
    journal_close(j);
    /* Every cut of the last record, from its first byte to one short of its end, each in a
     * fresh copy (a replay cuts the file after the last whole record). */
    unsigned char bytes[256];
    off_t full = (off_t)read_file(f.path, bytes, sizeof bytes);
    assert_int_equal(full, file_size(f.path));
    for (off_t cut = (off_t)whole + 1; cut < full; cut++) {
        write_file(f.path, bytes, (size_t)cut);
        j = reopen(&f, &s);
        assert_int_equal(s.n, 2);
        assert_string_equal(s.items[1], "kept two");
        assert_int_equal(journal_size(j), whole);
        journal_close(j);
    }
    j = reopen(&f, &s);
    append(j, "after the crash");
    journal_close(j);
    journal_close(reopen(&f, &s));
    assert_int_equal(s.n, 3);
    assert_string_equal(s.items[2], "after the crash");
    seen_free(&s);
    fixture_close(&f);
}

/* A flipped bit anywhere in a record (header or payload) ends the replay before it. */
static void test_damaged_record_ends_replay(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    struct seen s = {.n = 0};
    struct journal *j = reopen(&f, &s);
    append(j, "good");
    uint64_t second = journal_size(j);
    append(j, "damaged");
    append(j, "after the damage");
    journal_close(j);
    unsigned char whole[256];
    size_t len = read_file(f.path, whole, sizeof whole);
    assert_true(len > second + 16 + 7);
    /* Each byte of the second record's header and payload, flipped in a fresh copy (a
     * replay cuts the file after the last whole record). */
    for (size_t at = 0; at < 16 + 7; at++) {
        unsigned char copy[256];
        memcpy(copy, whole, len);
        copy[second + at] ^= 0x10;
        write_file(f.path, copy, len);
        journal_close(reopen(&f, &s));
        assert_int_equal(s.n, 1);
        assert_string_equal(s.items[0], "good");
        assert_int_equal(file_size(f.path), (off_t)second);
    }
    write_file(f.path, whole, len);
    journal_close(reopen(&f, &s));
    assert_int_equal(s.n, 3);
    seen_free(&s);
    fixture_close(&f);
}

/* After a restart the file holds the new pass followed by the rest of the old one: only the
 * new records come back, and the old ones never again. */
static void test_restart_hides_the_older_pass(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    struct seen s = {.n = 0};
    struct journal *j = reopen(&f, &s);
    for (int i = 0; i < 5; i++)
        append(j, "a record of the first pass, long enough to leave a tail behind");
    off_t first_pass = (off_t)journal_size(j);
    journal_restart(j);
    assert_int_equal(journal_size(j), 0);
    append(j, "second pass");
    journal_close(j);
    assert_int_equal(file_size(f.path), first_pass);

    j = reopen(&f, &s);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.items[0], "second pass");
    /* ... and the rest of the first pass is cut off. */
    assert_int_equal(file_size(f.path), (off_t)journal_size(j));
    /* The pass a replay found goes on: a record appended now follows "second pass". */
    append(j, "second pass, after a reopen");
    journal_restart(j);
    append(j, "third");
    journal_close(j);
    journal_close(reopen(&f, &s));
    assert_int_equal(s.n, 1);
    assert_string_equal(s.items[0], "third");
    /* A restart writes nothing by itself: the file's first pass is still the one read (the
     * store folds it again, which changes nothing, before it appends). */
    j = reopen(&f, &s);
    journal_restart(j);
    journal_close(j);
    journal_close(reopen(&f, &s));
    assert_int_equal(s.n, 1);
    assert_string_equal(s.items[0], "third");
    seen_free(&s);
    fixture_close(&f);
}

/* A failed append reports it and leaves nothing behind; the next one works. */
static void test_failed_append_leaves_nothing(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    struct seen s = {.n = 0};
    struct journal *j = reopen(&f, &s);
    append(j, "before");
    uint64_t size = journal_size(j);
    journal_fail_appends(j, 2);
    assert_int_equal(journal_append(j, "refused", 7), -EIO);
    assert_int_equal(journal_append(j, "refused", 7), -EIO);
    assert_int_equal(journal_size(j), size);
    append(j, "after");
    journal_close(j);
    journal_close(reopen(&f, &s));
    assert_int_equal(s.n, 2);
    assert_string_equal(s.items[0], "before");
    assert_string_equal(s.items[1], "after");
    seen_free(&s);
    fixture_close(&f);
}

/* Random bytes never replay as a record, and replay always ends. */
static void test_garbage_is_not_replayed(void **state)
{
    (void)state;
    struct fixture f;
    fixture_open(&f);
    struct seen s = {.n = 0};
    srand(7);
    for (int round = 0; round < 200; round++) {
        unsigned char junk[512];
        size_t n = (size_t)(rand() % (int)sizeof junk);
        for (size_t i = 0; i < n; i++)
            junk[i] = (unsigned char)rand();
        write_file(f.path, junk, n);
        struct journal *j = reopen(&f, &s);
        assert_int_equal(s.n, 0);
        assert_int_equal(journal_size(j), 0);
        journal_close(j);
        /* ... and is gone: new records never have old bytes behind them. */
        assert_int_equal(file_size(f.path), 0);
    }
    fixture_close(&f);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_records_come_back_in_order),
    cmocka_unit_test(test_torn_record_is_not_a_record),
    cmocka_unit_test(test_damaged_record_ends_replay),
    cmocka_unit_test(test_restart_hides_the_older_pass),
    cmocka_unit_test(test_failed_append_leaves_nothing),
    cmocka_unit_test(test_garbage_is_not_replayed),
};

UNIT_MAIN(tests)
