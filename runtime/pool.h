/* A pool of worker threads for the run loop (private to the runtime).
 *
 * Created once per run and reused every step: nrt_pool_run(pool, fn, ctx) runs
 * fn(ctx, t) once for every share t in [0, n), each on whichever thread takes it first
 * (the caller takes shares too), and returns when all are done. Workers wait for the next phase by spinning briefly, then sleeping on a
 * futex, so that a run with phases microseconds apart does not pay a system call per
 * phase, and one oversubscribed machine does not burn its cores. Nothing is allocated
 * after nrt_pool_alloc. */
#ifndef NRT_POOL_H
#define NRT_POOL_H

#include <stdbool.h>

typedef struct nrt_pool nrt_pool;
typedef void (*nrt_pool_fn)(void *ctx, int thread);

/* n threads in all (the caller and n - 1 workers); NULL when n < 2 or out of resources. */
nrt_pool *nrt_pool_alloc(int n);
void nrt_pool_free(nrt_pool *pool);
/* Threads of the pool (the caller included); 1 for NULL. */
int nrt_pool_size(const nrt_pool *pool);
/* fn(ctx, t) for every share t; with pool NULL, fn(ctx, 0) on the caller. */
void nrt_pool_run(nrt_pool *pool, nrt_pool_fn fn, void *ctx);
/* While serial, nrt_pool_run runs every share on the caller, in order (the workers keep
 * waiting): for work too small to pay for the hand-over. */
void nrt_pool_set_serial(nrt_pool *pool, bool serial);

#endif
