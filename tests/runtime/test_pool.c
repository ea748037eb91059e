/* The run loop's thread pool (runtime/pool.c): every phase runs its function once on
 * each thread, on distinct operating-system threads (so the work really is spread), the
 * caller sees all of the phase's writes when nrt_pool_run returns, and the pool is reused
 * for many phases. `test_rt_pool bench` also times 10,000 empty phases against a
 * pthread_barrier_t handoff (two barrier waits per phase, as a loop that starts and ends
 * each phase would need), the choice docs/networks.md reports. */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pool.h"

enum { THREADS = 3, PHASES = 10000 };

typedef struct phase_ctx {
    long tid[THREADS];
    long count[THREADS];
    long sum;                  /* written by thread 0 from the others' counts of the last phase */
} phase_ctx;

static void record(void *ctx, int t)
{
    phase_ctx *c = ctx;
    c->tid[t] = (long)syscall(SYS_gettid);
    c->count[t]++;
}

static void nothing(void *ctx, int t)
{
    (void)ctx;
    (void)t;
}

static int task_count(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int fail(const char *what)
{
    fprintf(stderr, "FAIL: %s\n", what);
    return 1;
}

static int check(void)
{
    int before = task_count();
    nrt_pool *pool = nrt_pool_alloc(THREADS);
    if (!pool || nrt_pool_size(pool) != THREADS)
        return fail("a pool of 3 threads");
    /* at least: a sanitizer may start a thread of its own with the first worker */
    int during = task_count();
    if (before > 0 && during < before + THREADS - 1)
        return fail("/proc/self/task: 2 more threads expected");
    phase_ctx c;
    memset(&c, 0, sizeof c);
    for (int k = 0; k < PHASES; k++) {
        nrt_pool_run(pool, record, &c);
        for (int t = 0; t < THREADS; t++)
            if (c.count[t] != k + 1)
                return fail("every thread runs every phase once, and is done when run returns");
    }
    for (int t = 0; t < THREADS; t++)
        for (int u = 0; u < t; u++)
            if (c.tid[t] == c.tid[u])
                return fail("distinct threads");
    if (c.tid[0] != (long)syscall(SYS_gettid))
        return fail("thread 0 is the caller");
    /* workers asleep on the futex (after their spin) still wake for the next phase */
    usleep(20000);
    nrt_pool_run(pool, record, &c);
    if (c.count[1] != PHASES + 1 || c.count[2] != PHASES + 1)
        return fail("sleeping workers wake up");
    nrt_pool_free(pool);
    if (before > 0 && task_count() > during - (THREADS - 1))
        return fail("the workers are joined");
    if (nrt_pool_alloc(1) != NULL || nrt_pool_size(NULL) != 1)
        return fail("one thread needs no pool");
    phase_ctx one;
    memset(&one, 0, sizeof one);
    nrt_pool_run(NULL, record, &one);
    if (one.count[0] != 1)
        return fail("no pool: the caller runs the phase");
    puts("ok");
    return 0;
}

static pthread_barrier_t barrier;

static void *barrier_worker(void *arg)
{
    (void)arg;
    for (int k = 0; k < PHASES; k++) {
        pthread_barrier_wait(&barrier);
        pthread_barrier_wait(&barrier);
    }
    return NULL;
}

static int bench(int threads)
{
    nrt_pool *pool = nrt_pool_alloc(threads);
    double t0 = now();
    for (int k = 0; k < PHASES; k++)
        nrt_pool_run(pool, nothing, NULL);
    double futex_s = now() - t0;
    nrt_pool_free(pool);
    pthread_barrier_init(&barrier, NULL, (unsigned)threads);
    pthread_t tid[64];
    for (int t = 1; t < threads; t++)
        pthread_create(&tid[t], NULL, barrier_worker, NULL);
    t0 = now();
    for (int k = 0; k < PHASES; k++) {
        pthread_barrier_wait(&barrier);
        pthread_barrier_wait(&barrier);
    }
    double barrier_s = now() - t0;
    for (int t = 1; t < threads; t++)
        pthread_join(tid[t], NULL);
    pthread_barrier_destroy(&barrier);
    printf("%d threads, %d phases: spin+futex %.2f us/phase, pthread_barrier %.2f us/phase\n", threads, PHASES,
           1e6 * futex_s / PHASES, 1e6 * barrier_s / PHASES);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "bench") == 0)
        return bench(argc > 2 ? atoi(argv[2]) : 2);
    return check();
}
