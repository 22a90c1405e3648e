/* A model of one group commit's I/O, to see what LMDB's two sync points cost on this disk and
 * whether overlapping them would help. Not pmd code: a measuring aid (docs/performance.md).
 *
 *   cc -O2 -pthread -o /tmp/sync-model bench/scripts/sync-model.c
 *   cd DIR_ON_THE_DISK && /tmp/sync-model MODE [PAGES]
 *
 * A cycle writes PAGES scattered 4 KiB pages (a group commit writes about 6: log leaves, branch,
 * root, main and free-list pages), then:
 *   1  one page and fdatasync, nothing else (the cost of one flush)
 *   2  fdatasync, then 120 bytes of meta through an O_DSYNC descriptor: what mdb_txn_commit does
 *   3  fdatasync, meta written without sync, and a second thread's fdatasync acknowledges the cycle
 *      while the next one runs (MDB_NOMETASYNC plus a syncing thread)
 *   4  fdatasync, meta written, fdatasync again on the same thread
 *   5  fdatasync alone (MDB_NOMETASYNC without anything to make the meta page durable)
 * It prints the time per cycle and the mean time from a cycle's start to its acknowledgement. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { CYCLES = 3000 };
static int fd, metafd, pages = 5;
static char page[4096];
static double started[CYCLES], latency;
static long committed, acknowledged;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void write_pages(int cycle) {
    for (int p = 0; p < pages; p++)
        pwrite(fd, page, sizeof page, (off_t)((cycle * 7 + p * 131) % 2000 + 16) * 4096);
}

static void *syncer(void *unused) {
    (void)unused;
    while (acknowledged < CYCLES) {
        pthread_mutex_lock(&mutex);
        while (committed == acknowledged) pthread_cond_wait(&changed, &mutex);
        long through = committed;
        pthread_mutex_unlock(&mutex);
        fdatasync(fd);
        double at = now();
        for (long i = acknowledged; i < through; i++) latency += at - started[i];
        acknowledged = through;
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) return fprintf(stderr, "usage: sync-model MODE [PAGES]\n"), 2;
    int mode = atoi(argv[1]);
    if (argc > 2) pages = atoi(argv[2]);
    fd = open("sync-model.data", O_RDWR | O_CREAT, 0644);
    metafd = open("sync-model.data", O_RDWR | O_DSYNC);
    // Written out, not truncated to size: LMDB reuses pages its file already has, and a write to a
    // hole would add the cost of allocating a block to every sync.
    for (int p = 0; p < 4096; p++) pwrite(fd, page, sizeof page, (off_t)p * 4096);
    memset(page, 1, sizeof page);
    fsync(fd);
    pthread_t thread;
    if (mode == 3) pthread_create(&thread, NULL, syncer, NULL);
    double begin = now();
    for (int i = 0; i < CYCLES; i++) {
        started[i] = now();
        if (mode == 1) {
            pwrite(fd, page, sizeof page, 0);
            fdatasync(fd);
        } else if (mode == 5) {
            write_pages(i);
            fdatasync(fd);
        } else {
            write_pages(i);
            fdatasync(fd);
            pwrite(mode == 2 ? metafd : fd, page, 120, (i % 2) * 4096);
            if (mode == 4) fdatasync(fd);
        }
        if (mode == 3) {
            pthread_mutex_lock(&mutex);
            committed = i + 1;
            pthread_cond_signal(&changed);
            pthread_mutex_unlock(&mutex);
        } else {
            latency += now() - started[i];
        }
    }
    if (mode == 3) pthread_join(thread, NULL);
    double elapsed = now() - begin;
    printf("mode %d, %d pages: %.1f us per cycle, %.1f us from start to acknowledgement\n", mode, pages,
           elapsed / CYCLES * 1e6, latency / CYCLES * 1e6);
    unlink("sync-model.data");
    return 0;
}
