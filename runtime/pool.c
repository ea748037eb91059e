/* The run loop's worker threads (pool.h).
 *
 * One phase is: the caller stores the function, opens the phase's n shares (`claim`),
 * bumps the generation counter `gen`, and takes shares itself; each worker that sees the
 * new generation takes shares too, until none is left; whoever finishes the last one
 * publishes the generation in `done`, which the caller waits for. Shares are taken, not
 * assigned, so a worker the system has not scheduled yet (a machine with more runnable
 * threads than cores) delays nothing: the caller runs its share. Which thread runs a
 * share never changes the results (share t is always neuron range t). Waiting spins first (a phase of a 10,000-neuron step is tens of microseconds, and
 * a futex round trip costs several), then sleeps on the futex word; `sleepers` and
 * `waiting` say whether anyone sleeps, so a phase whose threads all spin makes no system
 * call. Both sides of each sleep are sequentially consistent (store own flag, then load
 * the other's), so a wake-up is never lost. Linux only (futex). */
#define _GNU_SOURCE
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pool.h"

/* About 10-50 µs of polling, then some yields (a machine with more runnable threads than
 * cores), before sleeping. */
enum { SPIN = 1 << 13, YIELDS = 64 };

typedef struct worker {
    nrt_pool *pool;
    int t;
} worker;

struct nrt_pool {
    int n;
    bool serial;                  /* the caller runs every share, in order */
    pthread_t *tid;
    worker *args;
    nrt_pool_fn fn;
    void *ctx;
    alignas(64) _Atomic uint32_t gen;
    _Atomic int sleepers;
    _Atomic bool quit;
    alignas(64) _Atomic uint64_t claim;     /* gen << 32 | the next share to take */
    alignas(64) _Atomic int finished;       /* shares of the current phase done */
    _Atomic uint32_t done;                  /* the last phase whose shares are all done */
    _Atomic int waiting;
};

static void futex_wait(_Atomic uint32_t *word, uint32_t expected)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word, int count)
{
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, count, NULL, NULL, 0);
}

static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Waits until *word differs from old; returns its new value. */
static uint32_t wait_change(_Atomic uint32_t *word, uint32_t old, _Atomic int *sleeping)
{
    uint32_t v;
    for (int spin = 0; (v = atomic_load_explicit(word, memory_order_acquire)) == old; spin++) {
        if (spin < SPIN) {
            relax();
            continue;
        }
        if (spin < SPIN + YIELDS) {
            sched_yield();
            continue;
        }
        atomic_fetch_add(sleeping, 1);
        if (atomic_load(word) == old)
            futex_wait(word, old);
        atomic_fetch_sub(sleeping, 1);
        spin = 0;
    }
    return v;
}

/* Takes the next share of phase g, or -1 when there is none left (or g is over). */
static int take(nrt_pool *pool, uint32_t g)
{
    uint64_t v = atomic_load_explicit(&pool->claim, memory_order_acquire);
    for (;;) {
        if ((uint32_t)(v >> 32) != g || (int)(uint32_t)v >= pool->n)
            return -1;
        if (atomic_compare_exchange_weak_explicit(&pool->claim, &v, v + 1, memory_order_acq_rel,
                                                  memory_order_acquire))
            return (int)(uint32_t)v;
    }
}

/* Runs shares of phase g until none is left; the one that finishes the last share
 * publishes g in `done`. */
static void run_shares(nrt_pool *pool, uint32_t g)
{
    for (int t; (t = take(pool, g)) >= 0;) {
        pool->fn(pool->ctx, t);
        if (atomic_fetch_add_explicit(&pool->finished, 1, memory_order_acq_rel) + 1 == pool->n) {
            atomic_store(&pool->done, g);
            if (atomic_load(&pool->waiting))
                futex_wake(&pool->done, 1);
        }
    }
}

static void *work(void *arg)
{
    const worker *w = arg;
    nrt_pool *pool = w->pool;
    uint32_t seen = 0;
    for (;;) {
        seen = wait_change(&pool->gen, seen, &pool->sleepers);
        if (atomic_load_explicit(&pool->quit, memory_order_acquire))
            return NULL;
        run_shares(pool, seen);
    }
}

/* Opens phase gen + 1 to the workers. */
static uint32_t start_phase(nrt_pool *pool)
{
    uint32_t g = atomic_load_explicit(&pool->gen, memory_order_relaxed) + 1;
    atomic_store_explicit(&pool->finished, 0, memory_order_relaxed);
    atomic_store_explicit(&pool->claim, (uint64_t)g << 32, memory_order_release);
    atomic_store(&pool->gen, g);
    if (atomic_load(&pool->sleepers))
        futex_wake(&pool->gen, INT_MAX);
    return g;
}

nrt_pool *nrt_pool_alloc(int n)
{
    if (n < 2)
        return NULL;
    nrt_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    pool->tid = calloc((size_t)n, sizeof *pool->tid);
    pool->args = calloc((size_t)n, sizeof *pool->args);
    if (!pool->tid || !pool->args) {
        free(pool->tid);
        free(pool->args);
        free(pool);
        return NULL;
    }
    pool->n = 1;
    for (int t = 1; t < n; t++) {
        pool->args[t] = (worker){.pool = pool, .t = t};
        if (pthread_create(&pool->tid[t], NULL, work, &pool->args[t]) != 0)
            break;
        pool->n = t + 1;
    }
    if (pool->n < 2) {
        nrt_pool_free(pool);
        return NULL;
    }
    return pool;
}

void nrt_pool_free(nrt_pool *pool)
{
    if (!pool)
        return;
    atomic_store(&pool->quit, true);
    start_phase(pool);
    for (int t = 1; t < pool->n; t++)
        pthread_join(pool->tid[t], NULL);
    free(pool->tid);
    free(pool->args);
    free(pool);
}

int nrt_pool_size(const nrt_pool *pool) { return pool ? pool->n : 1; }

void nrt_pool_set_serial(nrt_pool *pool, bool serial)
{
    if (pool)
        pool->serial = serial;
}

void nrt_pool_run(nrt_pool *pool, nrt_pool_fn fn, void *ctx)
{
    if (!pool) {
        fn(ctx, 0);
        return;
    }
    if (pool->serial) {
        for (int t = 0; t < pool->n; t++)
            fn(ctx, t);
        return;
    }
    pool->fn = fn;
    pool->ctx = ctx;
    uint32_t g = start_phase(pool);
    run_shares(pool, g);
    uint32_t prev = g - 1;
    while (wait_change(&pool->done, prev, &pool->waiting) != g)
        prev = atomic_load(&pool->done);
}
