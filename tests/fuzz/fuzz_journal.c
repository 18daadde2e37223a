/* libFuzzer target for what the store reads back after a crash: the journal's framing and the
 * records inside it. The first byte picks which:
 * - even: the rest is one record's payload. Decoding must not read past it; whatever decodes
 *   encodes to a record that decodes again, and encoding that gives the same bytes.
 * - odd: the rest is a journal file. Replay must stop inside it; a record appended after the
 *   replay must be the last one a second replay returns, intact.
 *
 * The store's classes come from a small table here, so the fuzzer needs no model: the record
 * code only looks up class and split-field names. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/lib/ids.c"
#include "../../src/lib/strbuf.c"
#include "../../src/lib/xalloc.c"
#include "../../src/store/journal.c"
#include "../../src/store/record.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(c)                                                                              \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

const struct res_class *res_class_of(enum res_type type)
{
    static const struct res_class classes[] = {
        {.name = "vpc"},
        {.name = "route table", .split = {"routes", "assocs"}},
        {.name = "security group", .split = {"rules"}},
        {.name = "network acl", .split = {"entries", "assocs"}},
    };
    return &classes[(unsigned)type % (sizeof classes / sizeof classes[0])];
}

static void ops_free(struct store_op *ops, size_t n)
{
    for (size_t i = 0; i < n; i++)
        store_op_free(&ops[i]);
    free(ops);
}

static void fuzz_record(const uint8_t *data, size_t size)
{
    struct store_op *ops;
    size_t n;
    if (store_record_decode(data, size, &ops, &n) != 0)
        return;
    struct strbuf once, twice;
    strbuf_init(&once);
    strbuf_init(&twice);
    store_record_encode(&once, ops, n);
    struct store_op *again;
    size_t n_again;
    FUZZ_CHECK(store_record_decode((const unsigned char *)once.data, once.len, &again, &n_again) ==
               0);
    FUZZ_CHECK(n_again == n);
    store_record_encode(&twice, again, n_again);
    FUZZ_CHECK(once.len == twice.len && memcmp(once.data, twice.data, once.len) == 0);
    ops_free(ops, n);
    ops_free(again, n_again);
    strbuf_destroy(&once);
    strbuf_destroy(&twice);
}

struct replayed {
    size_t n;
    size_t last_len;
    unsigned char last[16];
};

static int note_record(const unsigned char *payload, size_t len, void *ctx)
{
    struct replayed *r = ctx;
    r->n++;
    r->last_len = len;
    memcpy(r->last, payload, len < sizeof r->last ? len : sizeof r->last);
    struct store_op *ops;
    size_t n;
    if (store_record_decode(payload, len, &ops, &n) == 0)
        ops_free(ops, n);
    return 0;
}

static void fuzz_file(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/vpcd-fuzz-journal.%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(fwrite(data, 1, size, f) == size);
    fclose(f);

    struct journal *j;
    FUZZ_CHECK(journal_open(path, false, &j) == 0);
    struct replayed first = {0};
    FUZZ_CHECK(journal_replay(j, note_record, &first) == 0);
    FUZZ_CHECK(journal_size(j) <= size);
    static const unsigned char mark[] = "appended-record";
    FUZZ_CHECK(journal_append(j, mark, sizeof mark) == 0);
    journal_close(j);

    FUZZ_CHECK(journal_open(path, false, &j) == 0);
    struct replayed second = {0};
    FUZZ_CHECK(journal_replay(j, note_record, &second) == 0);
    FUZZ_CHECK(second.n == first.n + 1);
    FUZZ_CHECK(second.last_len == sizeof mark && memcmp(second.last, mark, sizeof mark) == 0);
    journal_close(j);
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] % 2 == 0)
        fuzz_record(data + 1, size - 1);
    else
        fuzz_file(data + 1, size - 1);
    return 0;
}
