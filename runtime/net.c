/* Spikes through connections, every step (LANGUAGE.md §6, §7).
 *
 * A spike fired in step m is stamped (m+1)·dt and, with a delay of D steps, delivered at
 * the start of step m+1+D. With one delay for the whole block, nothing per spike is
 * queued: each population keeps the spike lists of its last R steps (R = its largest
 * such delay + 1) and a block reads the list of step k-1-D, so delivery costs
 * O(spikes × fan-out) and never O(N). With per-synapse delays, each spike pushes its
 * synapses into a ring of per-step event lists; a step's list is sorted by synapse id
 * (that is by pre, then post index) before it runs, so events run in the order of §6
 * whatever the order they were queued in. Lists grow geometrically and are reused: the
 * steady state allocates nothing.
 *
 * Threads split a population's targets into ranges (run.c). A block's rows are split
 * once, at set-up, where each range starts (nrt_net_split), so a thread finds its stretch
 * of a row without searching; with per-synapse delays, each range has its own event
 * lists, which its thread fills and runs. */
#include <stdlib.h>
#include <string.h>

#include "net.h"

typedef struct list64 {
    int64_t *v;
    int64_t n, cap;
} list64;

static int list_reserve(list64 *l, int64_t want)
{
    if (want <= l->cap)
        return 0;
    int64_t cap = l->cap ? l->cap : 64;
    while (cap < want)
        cap *= 2;
    int64_t *v = realloc(l->v, (size_t)cap * sizeof *v);
    if (!v)
        return -1;
    l->v = v;
    l->cap = cap;
    return 0;
}

/* A ring of `size` slots, each of `parts` lists: one per range of targets for a block
 * whose events threads queue and deliver by range, else one. */
typedef struct ring {
    int64_t size;             /* slots; 0 when unused */
    int parts;
    list64 *slot;             /* size x parts: list (s, p) is slot[s * parts + p] */
    list64 *scratch;          /* event rings: per part, room to sort a list */
    int64_t *lo;              /* parts > 1: the parts' ranges of targets, parts + 1 bounds */
} ring;

struct nrt_net {
    const nrt_run_desc *d;
    nrt_conn *conns;
    nrt_err *err;
    ring *spikes;             /* per population: its spike lists of the last steps */
    ring *events;             /* per block with per-synapse delays: (pre, synapse) pairs */
    /* per block split by nrt_net_split, else NULL: the nranges + 1 row bounds, range r's
     * synapses of pre i being [row_at[r][i], row_at[r + 1][i]) */
    const int64_t ***row_at;
    int64_t **splits;         /* per split block: its (nranges - 1) x npre inner bounds */
    /* per block delivered from rows, else NULL: for each range r, two arrays of npre
     * indexed by position in the spike list (the first n entries used): where the stretch
     * to deliver starts and ends in each listed neuron's row (bounds_of) */
    int64_t **bounds;
};

static int ring_alloc(ring *r, int64_t size, int parts)
{
    r->size = size;
    r->parts = parts;
    r->slot = calloc((size_t)(size * parts) + 1, sizeof *r->slot);
    r->scratch = calloc((size_t)parts, sizeof *r->scratch);
    return r->slot && r->scratch ? 0 : -1;
}

static void ring_free(ring *r)
{
    for (int64_t s = 0; r->slot && s < r->size * r->parts; s++)
        free(r->slot[s].v);
    for (int p = 0; r->scratch && p < r->parts; p++)
        free(r->scratch[p].v);
    free(r->slot);
    free(r->scratch);
    free(r->lo);
    memset(r, 0, sizeof *r);
}

/* The position-indexed bounds of block b (one with on_pre over rows) for nranges ranges;
 * 0, or -1 out of memory. malloc, not calloc or huge pages: only the first entries, as
 * many as spikes in a step, are ever touched, so the rest stays unbacked virtual memory
 * (and out of the memory plan). */
static int bounds_alloc(nrt_net *net, int b, int nranges)
{
    const nrt_conn_desc *cd = &net->d->conns[b];
    if (!cd->pre_fn || cd->hetero_delay || cd->rule == NRT_RULE_POISSON || !net->conns[b].row)
        return 0;
    free(net->bounds[b]);
    net->bounds[b] = malloc(2 * (size_t)nranges * (size_t)net->conns[b].npre * sizeof(int64_t) + 1);
    return net->bounds[b] ? 0 : -1;
}

/* Range r's two bound arrays of block b */
static int64_t *bounds_of(const nrt_net *net, int b, int r)
{
    return net->bounds[b] + 2 * (size_t)(r < 0 ? 0 : r) * (size_t)net->conns[b].npre;
}

nrt_net *nrt_net_alloc(const nrt_run_desc *desc, nrt_conn *conns, nrt_err *err)
{
    nrt_net *net = calloc(1, sizeof *net);
    if (!net)
        goto oom;
    net->d = desc;
    net->conns = conns;
    net->err = err;
    net->spikes = calloc((size_t)desc->npops + 1, sizeof *net->spikes);
    net->events = calloc((size_t)desc->nconns + 1, sizeof *net->events);
    net->row_at = calloc((size_t)desc->nconns + 1, sizeof *net->row_at);
    net->splits = calloc((size_t)desc->nconns + 1, sizeof *net->splits);
    net->bounds = calloc((size_t)desc->nconns + 1, sizeof *net->bounds);
    if (!net->spikes || !net->events || !net->row_at || !net->splits || !net->bounds)
        goto oom;
    int64_t *depth = calloc((size_t)desc->npops + 1, sizeof *depth);
    if (!depth)
        goto oom;
    for (int b = 0; b < desc->nconns; b++) {
        const nrt_conn_desc *cd = &desc->conns[b];
        if ((!cd->pre_fn && !cd->pre_syn_fn) || cd->pre < 0)
            continue;
        if (!cd->hetero_delay) {
            if (cd->delay_steps + 1 > depth[cd->pre])
                depth[cd->pre] = cd->delay_steps + 1;
            continue;
        }
        int64_t max = 0;
        for (int64_t s = 0; s < conns[b].nsyn; s++)
            if (conns[b].delay[s] > max)
                max = conns[b].delay[s];
        if (ring_alloc(&net->events[b], max + 2, 1) != 0) {
            free(depth);
            goto oom;
        }
    }
    for (int b = 0; b < desc->nconns; b++)
        if (bounds_alloc(net, b, 1) != 0) {
            free(depth);
            goto oom;
        }
    for (int p = 0; p < desc->npops; p++)
        if (depth[p] && ring_alloc(&net->spikes[p], depth[p], 1) != 0) {
            free(depth);
            goto oom;
        }
    free(depth);
    return net;
oom:
    nrt_err_report(err, "out of memory allocating spike queues");
    nrt_net_free(net);
    return NULL;
}

void nrt_net_free(nrt_net *net)
{
    if (!net)
        return;
    for (int p = 0; net->spikes && p < net->d->npops; p++)
        ring_free(&net->spikes[p]);
    for (int b = 0; net->events && b < net->d->nconns; b++)
        ring_free(&net->events[b]);
    for (int b = 0; net->row_at && b < net->d->nconns; b++) {
        free((void *)net->row_at[b]);
        free(net->splits[b]);
        free(net->bounds[b]);
    }
    free(net->bounds);
    free(net->row_at);
    free(net->splits);
    free(net->spikes);
    free(net->events);
    free(net);
}

/* Sorts the (pre, synapse) pairs of l by synapse id, which is unique in a list (a
 * synapse has one delay and its pre neuron spikes at most once a step), so the order
 * does not depend on the order of queueing. A list is a few runs already in order (one
 * per step that queued into it): insertion sort when short, else a radix sort, 11 bits
 * a pass, into `tmp`, whose buffer it swaps with l's. If tmp cannot grow, insertion sort. */
static void sort_events(list64 *l, list64 *tmp)
{
    int64_t n = l->n, *v = l->v, max = 0;
    bool sorted = true;
    for (int64_t x = 0; x < n; x++) {
        if (x && v[2 * x + 1] < v[2 * x - 1])
            sorted = false;
        if (v[2 * x + 1] > max)
            max = v[2 * x + 1];
    }
    if (sorted)
        return;
    if (n < 64 || list_reserve(tmp, 2 * n) != 0) {
        for (int64_t x = 1; x < n; x++) {
            int64_t i = v[2 * x], s = v[2 * x + 1], y = x;
            for (; y > 0 && v[2 * y - 1] > s; y--) {
                v[2 * y] = v[2 * y - 2];
                v[2 * y + 1] = v[2 * y - 1];
            }
            v[2 * y] = i;
            v[2 * y + 1] = s;
        }
        return;
    }
    enum { BITS = 11, BUCKETS = 1 << BITS };
    int64_t *from = v, *to = tmp->v;
    int shift = 0;
    do {
        int64_t at[BUCKETS + 1] = {0};
        for (int64_t x = 0; x < n; x++)
            at[((from[2 * x + 1] >> shift) & (BUCKETS - 1)) + 1]++;
        for (int d = 0; d < BUCKETS; d++)
            at[d + 1] += at[d];
        for (int64_t x = 0; x < n; x++) {
            int64_t y = at[(from[2 * x + 1] >> shift) & (BUCKETS - 1)]++;
            to[2 * y] = from[2 * x];
            to[2 * y + 1] = from[2 * x + 1];
        }
        int64_t *swap = from;
        from = to;
        to = swap;
        shift += BITS;
    } while (shift < 63 && (max >> shift) > 0);
    if (from != v) {              /* the sorted pairs are in tmp's buffer: trade buffers */
        int64_t cap = l->cap;
        l->v = tmp->v;
        l->cap = tmp->cap;
        tmp->v = v;
        tmp->cap = cap;
    }
}

/* The first synapse s of [a, b) (one row, ascending in post index) with post[s] >= x, or b. */
static int64_t syn_bound(const int32_t *post, int64_t a, int64_t b, int64_t x)
{
    if (a >= b || post[a] >= x)
        return a;
    if (post[b - 1] < x)
        return b;
    /* post[a] < x <= post[b - 1] */
    while (b - a > 1) {
        int64_t m = a + (b - a) / 2;
        if (post[m] < x)
            a = m;
        else
            b = m;
    }
    return b;
}

int64_t nrt_net_split_bytes(int64_t npre, int nranges)
{
    return nranges > 1 ? (int64_t)(nranges - 1) * npre * (int64_t)sizeof(int64_t) +
                         (int64_t)(nranges + 1) * (int64_t)sizeof(int64_t *) : 0;
}

int nrt_net_split(nrt_net *net, int b, const int64_t *lo, int nranges)
{
    const nrt_conn *c = &net->conns[b];
    if (nranges < 2 || net->row_at[b] || !c->row)
        return 0;
    int64_t npre = c->npre;
    const int64_t **at = calloc((size_t)nranges + 1, sizeof *at);
    int64_t *inner = malloc(((size_t)(nranges - 1) * (size_t)npre + 1) * sizeof *inner);
    if (!at || !inner) {
        free((void *)at);
        free(inner);
        return -1;
    }
    at[0] = c->row;
    at[nranges] = c->row + 1;
    for (int r = 1; r < nranges; r++) {
        int64_t *bound = inner + (size_t)(r - 1) * (size_t)npre;
        for (int64_t i = 0; i < npre; i++)
            bound[i] = syn_bound(c->post, c->row[i], c->row[i + 1], lo[r]);
        at[r] = bound;
    }
    net->row_at[b] = at;
    net->splits[b] = inner;
    if (bounds_alloc(net, b, nranges) != 0)
        return -1;
    /* per-synapse delays: an event list per range of targets, each queued and delivered
     * by the thread that owns the range */
    ring *q = &net->events[b];
    if (q->size && nrt_net_block_splits(net, b)) {
        int64_t size = q->size;
        ring_free(q);
        if (ring_alloc(q, size, nranges) != 0 || !(q->lo = malloc(((size_t)nranges + 1) * sizeof *q->lo)))
            return -1;
        memcpy(q->lo, lo, ((size_t)nranges + 1) * sizeof *lo);
    }
    return 0;
}

/* The row bounds of range r of block b's targets (r < 0: the whole population). */
static void row_bounds(const nrt_net *net, int b, int r, const int64_t **lo, const int64_t **hi)
{
    const int64_t *const *at = net->row_at[b];
    if (r >= 0 && at) {
        *lo = at[r];
        *hi = at[r + 1];
    } else {
        *lo = net->conns[b].row;
        *hi = net->conns[b].row + 1;
    }
}

/* The spikes block b (one delay) delivers at the start of step k, or NULL when none. */
static const list64 *spikes_due(const nrt_net *net, int b, int64_t k)
{
    const nrt_conn_desc *cd = &net->d->conns[b];
    int64_t m = k - 1 - cd->delay_steps;
    const ring *hist = &net->spikes[cd->pre];
    if (m < 0 || hist->size == 0)
        return NULL;
    const list64 *l = &hist->slot[m % hist->size];
    return l->n ? l : NULL;
}

/* Where range r's stretch of each listed neuron's row starts and ends, in list order. */
static void rows_of(const nrt_net *net, int b, int r, const list64 *l, int64_t *start, int64_t *end)
{
    const int64_t *row_lo, *row_hi;
    row_bounds(net, b, r, &row_lo, &row_hi);
    for (int64_t x = 0; x < l->n; x++) {
        start[x] = row_lo[l->v[x]];
        end[x] = row_hi[l->v[x]];
    }
}

bool nrt_net_block_splits(const nrt_net *net, int b)
{
    const nrt_conn_desc *cd = &net->d->conns[b];
    return !cd->sequential_events;
}

void nrt_net_deliver_block(nrt_net *net, nrt_pop *pops, int b, int64_t k, int r, int64_t lo, int64_t hi)
{
    const nrt_conn_desc *cd = &net->d->conns[b];
    nrt_conn *c = &net->conns[b];
    nrt_pop *post = &pops[cd->post];
    double dt = net->d->dt;
    if (cd->rule == NRT_RULE_POISSON) {
        if (!cd->poisson_fn || lo >= hi)
            return;
        nrt_poisson_counts(net->d->seed, cd->stmt, cd->post_offset + lo, k, cd->poisson_lambda, c->counts + lo,
                           hi - lo);
        cd->poisson_fn(c, post, post, k, dt, lo, hi);
        return;
    }
    if (!cd->pre_fn && !cd->pre_syn_fn)
        return;
    nrt_pop *pre = &pops[cd->pre];
    if (!cd->hetero_delay) {
        const list64 *l = spikes_due(net, b, k);
        if (!l)
            return;
        int64_t *start = bounds_of(net, b, r), *end = start + c->npre;
        rows_of(net, b, r, l, start, end);
        cd->pre_fn(c, pre, post, l->v, l->n, k, dt, start, end);
        return;
    }
    ring *q = &net->events[b];
    int part = r < 0 ? 0 : r;
    list64 *l = &q->slot[(k % q->size) * q->parts + part];
    if (!l->n)
        return;
    sort_events(l, &q->scratch[part]);
    cd->pre_syn_fn(c, pre, post, l->v, l->n, k, dt);
    l->n = 0;
}

bool nrt_net_block_parts(const nrt_net *net, int b)
{
    const nrt_conn_desc *cd = &net->d->conns[b];
    return nrt_net_block_splits(net, b) && !cd->hetero_delay && (!cd->pre_fn || cd->piece_fn);
}

void nrt_net_deliver_part(nrt_net *net, nrt_pop *pops, int b, int64_t k, int r, int64_t lo, int64_t hi, bool first,
                          bool last)
{
    const nrt_conn_desc *cd = &net->d->conns[b];
    if (!net->bounds[b] || (first && last)) {
        nrt_net_deliver_block(net, pops, b, k, r, lo, hi);
        return;
    }
    const list64 *l = spikes_due(net, b, k);
    if (!l)
        return;
    nrt_conn *c = &net->conns[b];
    int64_t *cursor = bounds_of(net, b, r), *stop = cursor + c->npre;
    if (first)
        rows_of(net, b, r, l, cursor, stop);
    if (last)
        cd->pre_fn(c, &pops[cd->pre], &pops[cd->post], l->v, l->n, k, net->d->dt, cursor, stop);
    else
        cd->piece_fn(c, &pops[cd->pre], &pops[cd->post], l->v, l->n, k, net->d->dt, cursor, stop, hi);
}

void nrt_net_zero_inputs(const nrt_net *net, nrt_pop *pops, int p, int64_t lo, int64_t hi)
{
    const nrt_pop_desc *pd = &net->d->pops[p];
    for (int q = 0; q < pd->ninputs; q++)
        memset(pops[p].arrays[pd->input_slots[q]] + lo, 0, (size_t)(hi - lo) * sizeof(double));
}

void nrt_net_sum_block(nrt_net *net, nrt_pop *pops, int b, int64_t k, int r, int64_t lo, int64_t hi)
{
    const nrt_conn_desc *cd = &net->d->conns[b];
    if (!cd->summed_fn)
        return;
    const int64_t *row_lo, *row_hi;
    row_bounds(net, b, r, &row_lo, &row_hi);
    cd->summed_fn(&net->conns[b], &pops[cd->pre], &pops[cd->post], k, net->d->dt, row_lo, row_hi, lo, hi);
}

void nrt_net_sum(nrt_net *net, nrt_pop *pops, int64_t k)
{
    const nrt_run_desc *d = net->d;
    for (int p = 0; p < d->npops; p++)
        nrt_net_zero_inputs(net, pops, p, 0, pops[p].n);
    for (int b = 0; b < d->nconns; b++)
        nrt_net_sum_block(net, pops, b, k, -1, 0, pops[d->conns[b].post].n);
}

/* Per-synapse delays: every synapse of every spiking pre neuron is due 1 + delay steps
 * after step k. */
/* Queues the events of the spikes of step k through block b onto part `part` of its
 * targets (the whole block when its ring has one part). */
static int queue_events(nrt_net *net, int b, const nrt_pop *pre, int64_t k, int part)
{
    ring *q = &net->events[b];
    const nrt_conn *c = &net->conns[b];
    const int64_t *row_lo, *row_hi;
    row_bounds(net, b, q->parts > 1 ? part : -1, &row_lo, &row_hi);
    int64_t base = (k + 1) % q->size;      /* delays are below size - 1: one wrap at most */
    for (int64_t x = 0; x < pre->nspiked; x++) {
        int64_t i = pre->spiked[x];
        for (int64_t s = row_lo[i]; s < row_hi[i]; s++) {
            int64_t slot = base + c->delay[s];
            if (slot >= q->size)
                slot -= q->size;
            list64 *l = &q->slot[slot * q->parts + part];
            if (2 * (l->n + 1) > l->cap && list_reserve(l, 2 * (l->n + 1)) != 0)
                return -1;
            l->v[2 * l->n] = i;
            l->v[2 * l->n + 1] = s;
            l->n++;
        }
    }
    return 0;
}

typedef struct queue_job {
    nrt_net *net;
    nrt_pop *pops;
    int64_t k;
    int failed;               /* a part ran out of memory */
} queue_job;

/* Share t: part t of every block whose events are queued by part. */
static void queue_phase(void *ctx, int t)
{
    queue_job *job = ctx;
    const nrt_run_desc *d = job->net->d;
    for (int b = 0; b < d->nconns; b++) {
        const nrt_conn_desc *cd = &d->conns[b];
        const ring *q = &job->net->events[b];
        if (q->parts > 1 && t < q->parts && cd->pre_syn_fn && job->pops[cd->pre].nspiked &&
            queue_events(job->net, b, &job->pops[cd->pre], job->k, t) != 0)
            __atomic_store_n(&job->failed, 1, __ATOMIC_RELAXED);
    }
}

int nrt_net_after_fire(nrt_net *net, nrt_pop *pops, int64_t k, nrt_pool *pool)
{
    const nrt_run_desc *d = net->d;
    for (int p = 0; p < d->npops; p++) {
        ring *r = &net->spikes[p];
        if (!r->size)
            continue;
        list64 *l = &r->slot[k % r->size];
        l->n = 0;
        if (!pops[p].nspiked)
            continue;
        if (list_reserve(l, pops[p].nspiked) != 0)
            goto oom;
        memcpy(l->v, pops[p].spiked, (size_t)pops[p].nspiked * sizeof *l->v);
        l->n = pops[p].nspiked;
    }
    bool by_part = false;
    for (int b = 0; b < d->nconns; b++) {
        const nrt_conn_desc *cd = &d->conns[b];
        if (!cd->hetero_delay || !cd->pre_syn_fn || !pops[cd->pre].nspiked)
            continue;
        if (net->events[b].parts > 1)
            by_part = true;
        else if (queue_events(net, b, &pops[cd->pre], k, 0) != 0)
            goto oom;
    }
    if (by_part) {
        queue_job job = {.net = net, .pops = pops, .k = k};
        nrt_pool_run(pool, queue_phase, &job);
        if (job.failed)
            goto oom;
    }
    for (int b = 0; b < d->nconns; b++) {
        const nrt_conn_desc *cd = &d->conns[b];
        nrt_pop *post = &pops[cd->post];
        if (cd->post_fn && post->nspiked && net->conns[b].row)
            cd->post_fn(&net->conns[b], &pops[cd->pre], post, post->spiked, post->nspiked, k + 1, d->dt);
    }
    return 0;
oom:
    nrt_err_report(net->err, "out of memory queueing spikes");
    return -1;
}

/* A ring's slots, each as its length then its values (pairs for event rings): a slot's
 * parts one after the other, so that a checkpoint holds the same events whatever the
 * thread count (a list's order does not matter: it is sorted before it runs). */
static void ring_save(const ring *r, int64_t width, nrt_ckpt_io *io)
{
    nrt_ckpt_put(io, &r->size, sizeof r->size);
    for (int64_t s = 0; s < r->size; s++) {
        const list64 *part = &r->slot[s * r->parts];
        int64_t n = 0;
        for (int p = 0; p < r->parts; p++)
            n += part[p].n;
        nrt_ckpt_put(io, &n, sizeof n);
        for (int p = 0; p < r->parts; p++)
            nrt_ckpt_put(io, part[p].v, (size_t)(part[p].n * width) * sizeof(int64_t));
    }
}

/* The part of ring r whose targets hold post-synaptic index j. */
static int part_of(const ring *r, int64_t j)
{
    int p = 0;
    while (p + 1 < r->parts && j >= r->lo[p + 1])
        p++;
    return p;
}

/* Reads a ring saved by ring_save. An event ring of several parts reads each slot into
 * scratch, then hands each pair (pre, synapse) to the part of its target in c. */
static int ring_load(ring *r, int64_t width, const nrt_conn *c, nrt_ckpt_io *io)
{
    int64_t size = -1;
    if (!nrt_ckpt_get(io, &size, sizeof size) || size != r->size)
        return -1;
    for (int64_t s = 0; s < r->size; s++) {
        int64_t n = -1;
        list64 *into = r->parts > 1 ? &r->scratch[0] : &r->slot[s];
        if (!nrt_ckpt_get(io, &n, sizeof n) || n < 0 || n > INT64_MAX / 16 || list_reserve(into, n * width) != 0)
            return -1;
        into->n = n;
        if (!nrt_ckpt_get(io, into->v, (size_t)(n * width) * sizeof(int64_t)))
            return -1;
        if (r->parts == 1)
            continue;
        for (int64_t x = 0; x < n; x++) {
            int64_t syn = into->v[2 * x + 1];
            if (syn < 0 || syn >= c->nsyn)
                return -1;
            list64 *l = &r->slot[s * r->parts + part_of(r, c->post[syn])];
            if (list_reserve(l, 2 * (l->n + 1)) != 0)
                return -1;
            l->v[2 * l->n] = into->v[2 * x];
            l->v[2 * l->n + 1] = syn;
            l->n++;
        }
        into->n = 0;
    }
    return 0;
}

void nrt_net_save(const nrt_net *net, nrt_ckpt_io *io)
{
    for (int p = 0; p < net->d->npops; p++)
        ring_save(&net->spikes[p], 1, io);
    for (int b = 0; b < net->d->nconns; b++)
        ring_save(&net->events[b], 2, io);
}

int nrt_net_load(nrt_net *net, nrt_ckpt_io *io)
{
    for (int p = 0; p < net->d->npops; p++)
        if (ring_load(&net->spikes[p], 1, NULL, io) != 0)
            return -1;
    for (int b = 0; b < net->d->nconns; b++)
        if (ring_load(&net->events[b], 2, &net->conns[b], io) != 0)
            return -1;
    return 0;
}
