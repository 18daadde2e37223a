#include "store/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "lib/ids.h"
#include "lib/xalloc.h"

/* A record: magic, pass, payload length, CRC-32 of the pass and payload, then the payload;
 * in the host's byte order (the file never leaves the host). journal_restart() writes the
 * next records from the start of the file again, over the old ones, under a new random pass
 * number: replay takes the records of the first record's pass and stops at the first other
 * one, so what is left of an older pass is never read as new (nor a record image hidden in
 * a payload: its pass would have to be guessed). */
#define JOURNAL_MAGIC 0x4c4e524aU /* "JRNL" */
#define JOURNAL_HEADER 16
#define JOURNAL_MAX_RECORD (256u << 20)

struct journal {
    int fd;
    bool sync;
    uint32_t pass_id;
    uint64_t size;      /* where the next record goes */
    uint64_t file_size; /* the file's length: past size after a restart */
    unsigned char *buf; /* header + payload of the record being written */
    size_t cap;
    unsigned fail_appends; /* journal_fail_appends(): appends still to refuse */
};

static uint32_t new_pass(uint32_t old)
{
    uint32_t p;
    do
        id_random_bytes(&p, sizeof p);
    while (p == old);
    return p;
}

int journal_open(const char *path, bool sync, struct journal **out)
{
    *out = NULL;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    struct journal *j = xcalloc(1, sizeof *j);
    j->fd = fd;
    j->sync = sync;
    j->size = (uint64_t)sb.st_size;
    j->file_size = j->size;
    j->pass_id = new_pass(0);
    *out = j;
    return 0;
}

void journal_close(struct journal *j)
{
    if (!j)
        return;
    close(j->fd);
    free(j->buf);
    free(j);
}

static uint32_t record_crc(uint32_t pass_id, const void *payload, size_t len)
{
    uLong crc = crc32(0, (const Bytef *)&pass_id, sizeof pass_id);
    return (uint32_t)crc32(crc, payload, (uInt)len);
}

static int read_at(int fd, void *buf, size_t n, uint64_t off)
{
    unsigned char *p = buf;
    while (n > 0) {
        ssize_t got = pread(fd, p, n, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return got < 0 ? -errno : -ENODATA;
        p += got;
        n -= (size_t)got;
        off += (uint64_t)got;
    }
    return 0;
}

int journal_replay(struct journal *j, journal_record_fn fn, void *ctx)
{
    uint64_t off = 0;
    unsigned char *payload = NULL;
    size_t cap = 0;
    int rc = 0;
    bool first = true;
    uint32_t pass_id = 0;
    for (;;) {
        uint32_t h[4];
        if (off + JOURNAL_HEADER > j->file_size || read_at(j->fd, h, sizeof h, off) != 0)
            break;
        uint32_t len = h[2];
        if (h[0] != JOURNAL_MAGIC || (!first && h[1] != pass_id) || len > JOURNAL_MAX_RECORD ||
            off + JOURNAL_HEADER + len > j->file_size)
            break;
        if (len > cap) {
            free(payload);
            cap = len;
            payload = xmalloc(cap);
        }
        if (read_at(j->fd, payload, len, off + JOURNAL_HEADER) != 0 ||
            record_crc(h[1], payload, len) != h[3])
            break;
        first = false;
        pass_id = h[1];
        off += JOURNAL_HEADER + len;
        /* An empty record has no buffer behind it yet: it still gets a valid pointer. */
        if ((rc = fn(payload ? payload : (const unsigned char *)"", len, ctx)) != 0)
            break;
    }
    free(payload);
    /* Appends follow the last whole record, in its pass. What lies beyond it (a torn record,
     * or the rest of an older pass) is cut off, so that nothing can ever follow a record
     * appended from here but what is appended after it. */
    j->size = off;
    if (!first)
        j->pass_id = pass_id;
    if (rc == 0 && off < j->file_size) {
        if (ftruncate(j->fd, (off_t)off) != 0)
            return -errno;
        j->file_size = off;
    }
    return rc;
}

int journal_append(struct journal *j, const void *payload, size_t len)
{
    if (len > JOURNAL_MAX_RECORD)
        return -EFBIG;
    if (j->fail_appends) {
        j->fail_appends--;
        return -EIO;
    }
    size_t total = JOURNAL_HEADER + len;
    if (total > j->cap) {
        j->cap = total < 4096 ? 4096 : 2 * total;
        free(j->buf);
        j->buf = xmalloc(j->cap);
    }
    /* One buffer, one pwrite: a record is never split over two system calls. */
    uint32_t h[4] = {JOURNAL_MAGIC, j->pass_id, (uint32_t)len,
                     record_crc(j->pass_id, payload, len)};
    memcpy(j->buf, h, sizeof h);
    memcpy(j->buf + JOURNAL_HEADER, payload, len);
    size_t done = 0;
    int rc = 0;
    while (done < total) {
        ssize_t n = pwrite(j->fd, j->buf + done, total - done, (off_t)(j->size + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -errno : -EIO;
            break;
        }
        done += (size_t)n;
    }
    if (rc == 0 && j->sync && fdatasync(j->fd) != 0)
        rc = -errno;
    if (rc != 0) {
        /* A partial record must not sit in front of the next one. */
        int cut = ftruncate(j->fd, (off_t)j->size);
        (void)cut;
        return rc;
    }
    j->size += total;
    if (j->size > j->file_size)
        j->file_size = j->size;
    return 0;
}

int journal_truncate(struct journal *j)
{
    if (ftruncate(j->fd, 0) != 0)
        return -errno;
    j->size = j->file_size = 0;
    j->pass_id = new_pass(j->pass_id);
    return 0;
}

void journal_restart(struct journal *j)
{
    j->size = 0;
    j->pass_id = new_pass(j->pass_id);
}

uint64_t journal_size(const struct journal *j)
{
    return j->size;
}

void journal_fail_appends(struct journal *j, unsigned n)
{
    j->fail_appends = n;
}
