/* The run loop's thread pool (runtime/pool.c): every phase runs its function once for
 * each share, the caller sees all of the phase's writes when nrt_pool_run returns, the
 * pool is reused for many phases, and shares do run on other operating-system threads
 * than the caller's (so the work really is spread), also after the workers slept. `test_rt_pool bench` also times 10,000 empty phases against a
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

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct phase_ctx {
    long caller;
    long count[THREADS];
    int elsewhere[THREADS];    /* 1 when share t ran on another thread than the caller's */
} phase_ctx;

static void record(void *ctx, int t)
{
    phase_ctx *c = ctx;
    c->elsewhere[t] = (long)syscall(SYS_gettid) != c->caller;
    c->count[t]++;
}

/* Phases until one of them ran a share on a worker (at most 10 s); the phases run. */
static long until_elsewhere(nrt_pool *pool, phase_ctx *c)
{
    double t0 = now();
    long k = 0;
    for (;;) {
        nrt_pool_run(pool, record, c);
        k++;
        for (int t = 0; t < THREADS; t++)
            if (c->elsewhere[t])
                return k;
        if (now() - t0 > 10)
            return -k;
    }
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
    c.caller = (long)syscall(SYS_gettid);
    int spread = 0;
    for (int k = 0; k < PHASES; k++) {
        nrt_pool_run(pool, record, &c);
        for (int t = 0; t < THREADS; t++) {
            if (c.count[t] != k + 1)
                return fail("every share runs once per phase, and is done when run returns");
            spread |= c.elsewhere[t];
        }
    }
    /* a loaded machine may not schedule a worker during those: go on for up to 10 s */
    long extra = spread ? 0 : until_elsewhere(pool, &c);
    if (extra < 0)
        return fail("no share ran on a worker in 10 s of phases");
    /* workers asleep on the futex (after their spin) still wake and take shares */
    usleep(20000);
    long more = until_elsewhere(pool, &c);
    if (more < 0)
        return fail("sleeping workers wake up");
    for (int t = 0; t < THREADS; t++)
        if (c.count[t] != PHASES + extra + more)
            return fail("every share runs once per phase");
    nrt_pool_free(pool);
    /* pthread_join returns once a worker has exited, but the kernel may list its task a
     * moment longer (the exit wakes the joiner before the task is released): wait for
     * up to a second */
    int after = task_count();
    for (int k = 0; k < 1000 && before > 0 && after > during - (THREADS - 1); k++) {
        usleep(1000);
        after = task_count();
    }
    if (before > 0 && after > during - (THREADS - 1))
        return fail("the workers are joined");
    if (nrt_pool_alloc(1) != NULL || nrt_pool_size(NULL) != 1)
        return fail("one thread needs no pool");
    phase_ctx one;
    memset(&one, 0, sizeof one);
    one.caller = (long)syscall(SYS_gettid);
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
