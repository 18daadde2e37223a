/* syncprobe: how long one durable write takes on a directory's disk, the floor under every
 * fsync-mode commit. Appends 4 KiB and fdatasync()s it N times in a fresh file, then does the
 * same overwriting a preallocated file (as a WAL does once it has started over), and prints
 * nearest-rank p50/p90/p99 and the mean of each.
 *
 *   build/bench/syncprobe DIR [N]
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int probe(const char *path, int n, int overwrite, double *lat)
{
    char buf[4096];
    memset(buf, 'x', sizeof buf);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    int rc = 0;
    if (overwrite) {
        for (int i = 0; i < n && rc == 0; i++)
            rc = write(fd, buf, sizeof buf) == (ssize_t)sizeof buf ? 0 : -1;
        if (rc == 0 && (fsync(fd) != 0 || lseek(fd, 0, SEEK_SET) != 0))
            rc = -1;
    }
    for (int i = 0; i < n && rc == 0; i++) {
        double t0 = now_ms();
        if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf || fdatasync(fd) != 0)
            rc = -1;
        lat[i] = now_ms() - t0;
    }
    close(fd);
    unlink(path);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: syncprobe DIR [N]\n");
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 1000;
    if (n < 1 || n > 1000000)
        n = 1000;
    char path[4096];
    snprintf(path, sizeof path, "%s/syncprobe.%ld", argv[1], (long)getpid());
    double *lat = malloc((size_t)n * sizeof *lat);
    if (!lat)
        return 1;
    static const char *const names[] = {"append", "overwrite"};
    for (int mode = 0; mode < 2; mode++) {
        if (probe(path, n, mode, lat) != 0) {
            perror("syncprobe");
            free(lat);
            return 1;
        }
        double sum = 0;
        for (int i = 0; i < n; i++)
            sum += lat[i];
        qsort(lat, (size_t)n, sizeof *lat, cmp_double);
        printf("RESULT mode=%s n=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f mean_ms=%.3f\n",
               names[mode], n, lat[(n - 1) / 2], lat[(n * 9 + 9) / 10 - 1],
               lat[(n * 99 + 99) / 100 - 1], sum / n);
    }
    free(lat);
    return 0;
}
