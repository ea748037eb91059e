/* Building the synapses of a connection block (LANGUAGE.md §6): rows by pre-synaptic
 * neuron (CSR, 32-bit post indices), per-synapse values as structure of arrays.
 *
 * Every rule enumerates (pre, post) pairs from counter-based streams keyed by (seed,
 * statement, index): per target for prob and fixed_indegree, per source for
 * fixed_outdegree. So the synapses onto any range of targets can be built alone, and the
 * network never depends on how the work is split, into blocks today, threads tomorrow.
 * Building is two passes over the same enumeration: the first counts each row, the
 * second fills it. With a thread pool, each thread takes a range of the drawers (targets
 * or sources) and counts into its own array; a thread's synapses of row i then start
 * where the lower drawer ranges' end, so the rows come out as one thread would write
 * them. Replaying the streams costs a second round of random numbers but no
 * temporary pair list, which is what keeps 10^8 synapses within memory (4 bytes each
 * for a homogeneous weight and delay). Rows come out ascending in post index, the order
 * events run in: per-target rules visit targets in order, so no draw needs sorting;
 * fixed_outdegree sorts each row once it is filled. The cost is proportional to the synapses made: prob skips
 * geometrically from one connection to the next. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "pool.h"
#include "wfile.h"

enum { ROLE_TARGET = 1, ROLE_SOURCE = 2 };

/* One thread's share of a block: the drawers [lo, hi) of its rule (targets for prob and
 * fixed_indegree, sources otherwise). */
typedef struct builder {
    const nrt_conn_desc *d;
    nrt_conn *c;
    uint64_t seed;
    int64_t lo, hi;
    bool fill;                  /* second pass */
    /* Per row: first pass, this share's synapses; second pass, where its next synapse
     * goes, counted from the row's start (rows are shorter than 2^31: 32-bit post indices,
     * half the bytes of int64, so that 10^6 rows stay in the cache). */
    uint32_t *off;
    double *weights;            /* second pass, matrices: the weight array */
    bool self_pop;              /* pre and post are one population */
    int64_t *draw;              /* scratch for fixed in/out-degree: the draws ... */
    int64_t *set;               /* ... and the set that rejects repeats */
    int64_t set_size;
    /* Second pass of a per-target rule: pairs are staged and written bucket by bucket of
     * pre index, so that the writes into the rows go to a few nearby places at a time
     * instead of all over memory (see flush). */
    uint32_t *pairs, *sorted;   /* (i, j) interleaved; pair_cap pairs */
    int64_t npairs, pair_cap;
    int bucket_shift;
    int64_t *bucket;            /* NBUCKETS + 1 counters */
    nrt_wfile file;
} builder;

/* The staging buffer holds about nsyn / 32 pairs (between 2^16 and 2^22: 32 MB at most for
 * the two copies), enough that each flush writes several synapses into a row's cache
 * lines at 10^8 synapses (measured in docs/networks.md). */
enum { PAIR_MIN = 1 << 16, PAIR_MAX = 1 << 22, NBUCKETS = 1 << 12 };

/* Writes the staged pairs into the rows: a stable counting sort by the bucket of i keeps
 * each row's pairs in the order they came (ascending j), and visits the rows bucket by
 * bucket. */
static void flush(builder *B)
{
    int64_t *cnt = B->bucket;
    memset(cnt, 0, (NBUCKETS + 1) * sizeof *cnt);
    for (int64_t p = 0; p < B->npairs; p++)
        cnt[(B->pairs[2 * p] >> B->bucket_shift) + 1]++;
    for (int b = 0; b < NBUCKETS; b++)
        cnt[b + 1] += cnt[b];
    for (int64_t p = 0; p < B->npairs; p++) {
        int64_t at = cnt[B->pairs[2 * p] >> B->bucket_shift]++;
        B->sorted[2 * at] = B->pairs[2 * p];
        B->sorted[2 * at + 1] = B->pairs[2 * p + 1];
    }
    const int64_t *row = B->c->row;
    for (int64_t p = 0; p < B->npairs; p++) {
        uint32_t i = B->sorted[2 * p];
        B->c->post[row[i] + B->off[i]++] = (int32_t)B->sorted[2 * p + 1];
    }
    B->npairs = 0;
}

static inline void add(builder *B, int64_t i, int64_t j, double w)
{
    if (B->self_pop && !B->d->allow_self && i == j)
        return;
    if (!B->fill) {
        B->off[i]++;
        return;
    }
    if (B->pairs) {
        B->pairs[2 * B->npairs] = (uint32_t)i;
        B->pairs[2 * B->npairs + 1] = (uint32_t)j;
        if (++B->npairs == B->pair_cap)
            flush(B);
        return;
    }
    int64_t s = B->c->row[i] + B->off[i]++;
    B->c->post[s] = (int32_t)j;
    if (B->weights)
        B->weights[s] = w;
}

/* k distinct integers of [0, m) into out (k <= m), in the order drawn: rows are filled by
 * visiting the drawers in order, so the order within one draw does not matter. Draws
 * that repeat are rejected through a small open-addressing set (`set`, `set_size` slots,
 * a power of two at least 2k, all -1 on entry and on return), O(k) per drawer. */
static void draw_distinct(nrt_stream *s, int64_t k, int64_t m, int64_t *out, int64_t *set, int64_t set_size)
{
    if (k * 4 >= m) {
        /* selection sampling (Knuth's algorithm S): one pass, no set needed */
        int64_t got = 0;
        for (int64_t x = 0; x < m && got < k; x++)
            if ((double)(m - x) * nrt_stream_uniform(s) < (double)(k - got))
                out[got++] = x;
        return;
    }
    uint64_t mask = (uint64_t)set_size - 1;
    for (int64_t got = 0; got < k;) {
        int64_t x = (int64_t)(nrt_stream_uniform(s) * (double)m);
        uint64_t h = ((uint64_t)x * 0x9E3779B97F4A7C15u) >> 20 & mask;
        while (set[h] >= 0 && set[h] != x)
            h = (h + 1) & mask;
        if (set[h] == x)
            continue;
        set[h] = x;
        out[got++] = x;
    }
    for (int64_t t = 0; t < k; t++) {   /* leave the set empty for the next drawer */
        uint64_t h = ((uint64_t)out[t] * 0x9E3779B97F4A7C15u) >> 20 & mask;
        while (set[h] != out[t])
            h = (h + 1) & mask;
        set[h] = -1;
    }
    /* a later removal can break the probe chain of an earlier key only if that key is
     * still in the set; every key is removed, so the set ends empty */
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* ---- rules ------------------------------------------------------------------------- */

static void rule_all(builder *B)
{
    for (int64_t i = B->lo; i < B->hi; i++)
        for (int64_t j = 0; j < B->c->npost; j++)
            add(B, i, j, 0);
}

static void rule_one_to_one(builder *B)
{
    const nrt_conn_desc *d = B->d;
    for (int64_t i = B->lo; i < B->hi; i++) {
        int64_t j = d->pre_offset + i - d->post_offset;
        if (j >= 0 && j < B->c->npost)
            add(B, i, j, 0);
    }
}

/* Each (source, target) pair independently with probability p: per target, the gaps
 * between chosen sources are geometric. */
static void rule_prob(builder *B)
{
    const nrt_conn_desc *d = B->d;
    if (d->p <= 0)
        return;
    double log_q = log1p(-d->p);
    for (int64_t j = B->lo; j < B->hi; j++) {
        nrt_stream s = nrt_stream_make(B->seed, (uint64_t)d->stmt, ROLE_TARGET, (uint64_t)(d->post_offset + j));
        int64_t g = -1;
        for (;;) {
            if (d->p >= 1) {
                g++;
            } else {
                double u = 1.0 - nrt_stream_uniform(&s);    /* (0, 1] */
                double skip = floor(log(u) / log_q);
                if (!(skip < (double)d->pre_total))
                    break;
                g += 1 + (int64_t)skip;
            }
            if (g >= d->pre_total)
                break;
            int64_t i = g - d->pre_offset;
            if (i >= 0 && i < B->c->npre)
                add(B, i, j, 0);
        }
    }
}

/* fixed_indegree (per target: k distinct sources) and fixed_outdegree (per source: k
 * distinct targets) are one rule seen from either side: each drawer (a target, or a
 * source) draws k of the other side's concatenated indices, less itself when allow_self
 * is false, and keeps those that fall in this block. */
static void rule_degree(builder *B, bool per_target)
{
    const nrt_conn_desc *d = B->d;
    bool excl = !d->allow_self && d->self_offset >= 0;
    int64_t drawer_offset = per_target ? d->post_offset : d->pre_offset;
    int64_t other_offset = per_target ? d->pre_offset : d->post_offset;
    int64_t other_n = per_target ? B->c->npre : B->c->npost;
    int64_t m = (per_target ? d->pre_total : d->post_total) - (excl ? 1 : 0);
    for (int64_t x = B->lo; x < B->hi; x++) {
        nrt_stream s = nrt_stream_make(B->seed, (uint64_t)d->stmt, per_target ? ROLE_TARGET : ROLE_SOURCE,
                                       (uint64_t)(drawer_offset + x));
        draw_distinct(&s, d->k, m, B->draw, B->set, B->set_size);
        int64_t self = d->self_offset + x;
        for (int64_t t = 0; t < d->k; t++) {
            int64_t g = excl && B->draw[t] >= self ? B->draw[t] + 1 : B->draw[t];
            int64_t y = g - other_offset;
            if (y >= 0 && y < other_n)
                add(B, per_target ? y : x, per_target ? x : y, 0);
        }
    }
}

/* The weight of entry (i, j) of the block from a dense matrix (literal or file). */
static double dense_at(const builder *B, int64_t i, int64_t j)
{
    const nrt_conn_desc *d = B->d;
    if (d->matrix)
        return d->matrix[i * B->c->npost + j];
    return B->file.dense[(d->pre_offset + i) * B->file.cols + d->post_offset + j];
}

static void rule_matrix(builder *B)
{
    const nrt_conn_desc *d = B->d;
    if (!d->matrix && B->file.sparse) {
        for (int64_t e = 0; e < B->file.nnz; e++) {
            int64_t i = B->file.pre[e] - d->pre_offset, j = B->file.post[e] - d->post_offset;
            if (i >= 0 && i < B->c->npre && j >= 0 && j < B->c->npost)
                add(B, i, j, B->file.w[e]);
        }
        return;
    }
    for (int64_t i = B->lo; i < B->hi; i++)
        for (int64_t j = 0; j < B->c->npost; j++) {
            double w = dense_at(B, i, j);
            if (w != 0)
                add(B, i, j, w);
        }
}

static void enumerate(builder *B)
{
    switch (B->d->rule) {
    case NRT_RULE_ALL: rule_all(B); break;
    case NRT_RULE_ONE_TO_ONE: rule_one_to_one(B); break;
    case NRT_RULE_PROB: rule_prob(B); break;
    case NRT_RULE_INDEGREE: rule_degree(B, true); break;
    case NRT_RULE_OUTDEGREE: rule_degree(B, false); break;
    case NRT_RULE_MATRIX: rule_matrix(B); break;
    case NRT_RULE_POISSON: break;
    }
}

/* ---- storage ----------------------------------------------------------------------- */

static int build_post_index(nrt_conn *c)
{
    c->col = calloc((size_t)c->npost + 1, sizeof *c->col);
    c->col_syn = nrt_array_alloc(c->nsyn, sizeof *c->col_syn);
    c->col_pre = nrt_array_alloc(c->nsyn, sizeof *c->col_pre);
    int64_t *next = nrt_array_alloc(c->npost, sizeof *next);
    if (!c->col || !c->col_syn || !c->col_pre || !next) {
        free(next);
        return -1;
    }
    for (int64_t s = 0; s < c->nsyn; s++)
        c->col[c->post[s] + 1]++;
    for (int64_t j = 0; j < c->npost; j++)
        c->col[j + 1] += c->col[j];
    memcpy(next, c->col, (size_t)c->npost * sizeof *next);
    for (int64_t i = 0; i < c->npre; i++)
        for (int64_t s = c->row[i]; s < c->row[i + 1]; s++) {
            int64_t at = next[c->post[s]]++;
            c->col_syn[at] = s;
            c->col_pre[at] = (int32_t)i;
        }
    free(next);
    return 0;
}

/* A matrix used only by `summed` stays dense when that takes less memory than rows of
 * (index, weight) pairs: 8 bytes per entry against 12 per synapse. */
static bool keep_dense(const builder *B)
{
    const nrt_conn *c = B->c;
    return B->d->dense && c->nsyn * 12 >= c->npre * c->npost * 8;
}

static int make_dense(builder *B)
{
    nrt_conn *c = B->c;
    c->dense = nrt_array_alloc(c->npre * c->npost, sizeof *c->dense);
    if (!c->dense)
        return -1;
    for (int64_t i = 0; i < c->npre; i++)
        for (int64_t j = 0; j < c->npost; j++)
            c->dense[i * c->npost + j] = dense_at(B, i, j);
    return 0;
}

static int alloc_values(nrt_conn *c, const nrt_conn_desc *d)
{
    c->arrays = calloc((size_t)(d->narrays > 0 ? d->narrays : 0) + 1, sizeof *c->arrays);
    c->scalars = calloc((size_t)(d->nscalars > 0 ? d->nscalars : 0) + 1, sizeof *c->scalars);
    if (!c->arrays || !c->scalars)
        return -1;
    for (int a = 0; a < d->narrays; a++)
        if (!(c->arrays[a] = nrt_array_zeroed(c->nsyn, sizeof(double))))
            return -1;
    if (d->hetero_delay && !(c->delay = nrt_array_alloc(c->nsyn, sizeof *c->delay)))
        return -1;
    if (d->rule == NRT_RULE_POISSON && !(c->counts = calloc((size_t)c->npost + 1, sizeof *c->counts)))
        return -1;
    return 0;
}

/* The drawers of a rule that draws per target (else per source). */
static bool draws_per_target(const nrt_conn_desc *d)
{
    return d->rule == NRT_RULE_PROB || d->rule == NRT_RULE_INDEGREE;
}

typedef struct build_job {
    builder *share;
    int nshares;
} build_job;

/* One pass of share t: enumerate its drawers; in the second, write what is staged and,
 * for fixed_outdegree, sort its rows (each holds one source's draws, in draw order). */
static void build_phase(void *ctx, int t)
{
    build_job *job = ctx;
    if (t >= job->nshares)
        return;
    builder *B = &job->share[t];
    enumerate(B);
    if (!B->fill)
        return;
    if (B->pairs)
        flush(B);
    nrt_conn *c = B->c;
    if (B->d->rule == NRT_RULE_OUTDEGREE)
        for (int64_t i = B->lo; i < B->hi; i++)
            qsort(c->post + c->row[i], (size_t)(c->row[i + 1] - c->row[i]), sizeof *c->post, cmp_i32);
}

static int alloc_scratch(builder *B)
{
    const nrt_conn_desc *d = B->d;
    if (d->rule == NRT_RULE_INDEGREE || d->rule == NRT_RULE_OUTDEGREE) {
        B->draw = nrt_array_alloc(d->k > 0 ? d->k : 1, sizeof *B->draw);
        for (B->set_size = 16; B->set_size < 2 * d->k; B->set_size *= 2)
            ;
        B->set = nrt_array_alloc(B->set_size, sizeof *B->set);
        if (!B->draw || !B->set)
            return -1;
        for (int64_t x = 0; x < B->set_size; x++)
            B->set[x] = -1;
    }
    B->off = calloc((size_t)B->c->npre + 1, sizeof *B->off);
    return B->off ? 0 : -1;
}

/* The rows of the block from its nshares shares (drawer ranges in order). */
static int build_rows(builder *S, int nshares, nrt_pool *pool, nrt_err *err)
{
    nrt_conn *c = S[0].c;
    const nrt_conn_desc *d = S[0].d;
    if (c->npost > INT32_MAX) {
        nrt_err_report(err, "connection '%s': population of %lld neurons is beyond 32-bit synapse indices",
                       d->name, (long long)c->npost);
        return -2;
    }
    c->row = nrt_array_zeroed(c->npre + 1, sizeof *c->row);
    if (!c->row)
        return -1;
    for (int t = 0; t < nshares; t++)
        if (alloc_scratch(&S[t]) != 0)
            return -1;
    build_job job = {.share = S, .nshares = nshares};
    nrt_pool_run(pool, build_phase, &job);
    /* row lengths, and where each share's part of a row starts */
    for (int64_t i = 0; i < c->npre; i++) {
        uint32_t len = 0;
        for (int t = 0; t < nshares; t++) {
            uint32_t k = S[t].off[i];
            S[t].off[i] = len;
            len += k;
        }
        c->row[i + 1] = c->row[i] + len;
    }
    c->nsyn = c->row[c->npre];
    if (keep_dense(&S[0])) {
        free(c->row);
        c->row = NULL;
        return make_dense(&S[0]);
    }
    c->post = nrt_array_alloc(c->nsyn, sizeof *c->post);
    if (!c->post || alloc_values(c, d) != 0)
        return -1;
    double *weights = d->rule == NRT_RULE_MATRIX && d->weight_slot >= 0 ? c->arrays[d->weight_slot] : NULL;
    bool stage = draws_per_target(d) && c->nsyn > 4 * PAIR_MIN;
    int64_t cap = c->nsyn / 32 < PAIR_MIN ? PAIR_MIN : c->nsyn / 32 > PAIR_MAX ? PAIR_MAX : c->nsyn / 32;
    for (int t = 0; t < nshares; t++) {
        builder *B = &S[t];
        B->fill = true;
        B->weights = weights;
        if (!stage)
            continue;
        B->pair_cap = cap / nshares;
        B->pairs = malloc(2 * (size_t)B->pair_cap * sizeof *B->pairs);
        B->sorted = malloc(2 * (size_t)B->pair_cap * sizeof *B->sorted);
        B->bucket = malloc((NBUCKETS + 1) * sizeof *B->bucket);
        if (!B->pairs || !B->sorted || !B->bucket)
            return -1;
        while ((c->npre >> B->bucket_shift) >= NBUCKETS)
            B->bucket_shift++;
    }
    nrt_pool_run(pool, build_phase, &job);
    if (d->post_index && build_post_index(c) != 0)
        return -1;
    return 0;
}

/* The synapses a block will make, known before any work from its sizes and rule (a
 * matrix's are bounded by its file or literal, already in memory). */
static double expected_synapses(const nrt_conn_desc *d, int64_t npre, int64_t npost)
{
    double pairs = (double)npre * (double)npost;
    switch (d->rule) {
    case NRT_RULE_ALL: return pairs;
    case NRT_RULE_ONE_TO_ONE: return (double)(npre < npost ? npre : npost);
    case NRT_RULE_PROB: return d->p * pairs;
    case NRT_RULE_INDEGREE: return (double)d->k * pairs / (double)(d->pre_total > 0 ? d->pre_total : 1);
    case NRT_RULE_OUTDEGREE: return (double)d->k * pairs / (double)(d->post_total > 0 ? d->post_total : 1);
    case NRT_RULE_MATRIX: case NRT_RULE_POISSON: return 0;
    }
    return 0;
}

double nrt_conn_estimate(const nrt_conn_desc *d, int64_t npre, int64_t npost, double *synapses)
{
    double per_syn = 4.0 + 8.0 * d->narrays + (d->hetero_delay ? 4.0 : 0.0) + (d->post_index ? 12.0 : 0.0);
    double syn = expected_synapses(d, npre, npost), bytes = syn * per_syn + 8.0 * ((double)npre + 1);
    /* a weight file is read whole, as a dense matrix, before its synapses are made */
    if (d->rule == NRT_RULE_MATRIX && d->matrix_file)
        bytes += 8.0 * (double)d->pre_total * (double)d->post_total;
    if (d->rule == NRT_RULE_POISSON)
        bytes = 16.0 * (double)npost;
    *synapses = syn;
    return bytes;
}

/* Counts beyond 2^57 would overflow the 64-bit synapse ids long before memory ran out;
 * nrt_mem_check has already compared the bytes with the memory. 0, or -1 (reported). */
static int check_size(const nrt_conn_desc *d, int64_t npre, int64_t npost, nrt_err *err)
{
    double syn = expected_synapses(d, npre, npost);
    if (syn > (double)INT64_MAX / 64) {
        nrt_err_report(err, "connection '%s' would make about %.3g synapses, more than nrnc can count",
                       d->name, syn);
        return -1;
    }
    return 0;
}

/* Blocks smaller than this are built by one thread: a pool phase costs microseconds. */
enum { SPLIT_SYNAPSES = 1 << 14 };

/* Shares a block is built in: one per thread of the pool, when its rule draws per
 * drawer and it is big enough; its drawers split evenly. */
static int shares_of(const nrt_conn_desc *d, const nrt_conn *c, nrt_pool *pool)
{
    int threads = nrt_pool_size(pool);
    int64_t drawers = draws_per_target(d) ? c->npost : c->npre;
    if (threads < 2 || d->rule == NRT_RULE_MATRIX || drawers < threads ||
        expected_synapses(d, c->npre, c->npost) < SPLIT_SYNAPSES)
        return 1;
    return threads;
}

int nrt_conn_build(nrt_conn *c, const nrt_run_desc *desc, int b, nrt_pop *pops, nrt_pool *pool, nrt_err *err)
{
    const nrt_conn_desc *d = &desc->conns[b];
    memset(c, 0, sizeof *c);
    nrt_pop *pre = d->pre >= 0 ? &pops[d->pre] : NULL, *post = &pops[d->post];
    c->npre = pre ? pre->n : 0;
    c->npost = post->n;
    c->pre_offset = d->pre_offset;
    c->post_offset = d->post_offset;
    c->rng_key = nrt_rng_key(desc->seed, -1 - b);
    int nshares = shares_of(d, c, pool);
    builder *S = calloc((size_t)nshares, sizeof *S);
    if (!S) {
        nrt_err_report(err, "out of memory building connection '%s'", d->name);
        return -1;
    }
    int64_t drawers = draws_per_target(d) ? c->npost : c->npre;
    for (int t = 0; t < nshares; t++)
        S[t] = (builder){.d = d, .c = c, .seed = desc->seed, .self_pop = d->pre == d->post,
                         .lo = drawers * t / nshares, .hi = drawers * (t + 1) / nshares};
    int rc = check_size(d, c->npre, c->npost, err) != 0 ? -2 : 0;
    if (rc == 0 && d->rule == NRT_RULE_MATRIX && d->matrix_file) {
        char msg[512];
        if (nrt_wfile_read(&S[0].file, d->matrix_file, d->pre_total, d->post_total, d->matrix_scale, msg,
                           sizeof msg) != 0) {
            nrt_err_report(err, "connection '%s': %s", d->name, msg);
            rc = -2;
        }
    }
    if (rc == 0 && d->rule == NRT_RULE_POISSON)
        rc = alloc_values(c, d);
    else if (rc == 0)
        rc = build_rows(S, nshares, pool, err);
    for (int t = 0; t < nshares; t++) {
        free(S[t].off);
        free(S[t].draw);
        free(S[t].set);
        free(S[t].pairs);
        free(S[t].sorted);
        free(S[t].bucket);
        nrt_wfile_free(&S[t].file);
    }
    free(S);
    if (rc == -1)
        nrt_err_report(err, "out of memory building connection '%s'", d->name);
    if (rc != 0)
        return -1;
    if (c->row && d->init && d->init(c, pre ? pre : post, post, desc->dt) != 0) {
        nrt_err_report(err, "connection '%s': a delay came out negative", d->name);
        return -1;
    }
    return 0;
}

void nrt_conn_free(nrt_conn *c, const nrt_conn_desc *d)
{
    if (c->arrays)
        for (int a = 0; a < d->narrays; a++)
            free(c->arrays[a]);
    free(c->arrays);
    free(c->scalars);
    free(c->row);
    free(c->post);
    free(c->delay);
    free(c->col);
    free(c->col_syn);
    free(c->col_pre);
    free(c->counts);
    free(c->dense);
    memset(c, 0, sizeof *c);
}

int64_t nrt_conn_bytes(const nrt_conn *c, const nrt_conn_desc *d)
{
    int64_t bytes = 0;
    if (c->row)
        bytes += (c->npre + 1) * 8 + c->nsyn * 4;
    if (c->dense)
        bytes += c->npre * c->npost * 8;
    if (c->arrays)
        bytes += (int64_t)d->narrays * c->nsyn * 8;
    if (c->delay)
        bytes += c->nsyn * 4;
    if (c->col)
        bytes += (c->npost + 1) * 8 + c->nsyn * 12;
    return bytes;
}
