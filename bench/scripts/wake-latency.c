/* How long one thread takes to wake another on this machine: two threads pass a token back and
 * forth through eventfds, pinned to CPUs A and B (-1: not pinned). Not pmd code: a measuring aid
 * (docs/performance.md) — every hand-off in pmd's write path (log writer to event loop, loop to
 * client, client to loop) is such a wake-up when the other side sleeps.
 *
 *   cc -O2 -pthread -o /tmp/wake-latency bench/scripts/wake-latency.c && /tmp/wake-latency 0 1 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

enum { ROUNDS = 20000 };
static int there, back, peer_cpu;

static void pin(int cpu) {
    if (cpu < 0) return;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

static void *peer(void *unused) {
    (void)unused;
    pin(peer_cpu);
    uint64_t token;
    for (int i = 0; i < ROUNDS; i++) {
        read(there, &token, sizeof token);
        write(back, &token, sizeof token);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) return fprintf(stderr, "usage: wake-latency CPU_A CPU_B\n"), 2;
    int cpu = atoi(argv[1]);
    peer_cpu = atoi(argv[2]);
    there = eventfd(0, 0);
    back = eventfd(0, 0);
    pthread_t thread;
    pthread_create(&thread, NULL, peer, NULL);
    pin(cpu);
    usleep(1000);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    uint64_t token = 1;
    for (int i = 0; i < ROUNDS; i++) {
        write(there, &token, sizeof token);
        read(back, &token, sizeof token);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    pthread_join(thread, NULL);
    double seconds = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
    printf("CPUs %d and %d: %.1f us per one-way wake-up\n", cpu, peer_cpu, seconds / ROUNDS / 2 * 1e6);
    return 0;
}
