/* nrt_run: the clock-driven loop of LANGUAGE.md §7 around the generated functions.
 *
 * One run goes: create the output folder; open every output file (so an unwritable folder
 * fails before any work); allocate the populations and call each generated init; record
 * the monitors at t = 0; then for every step k (from t = k·dt to (k+1)·dt): deliver the
 * spikes due and sum the inputs (net.c), integrate every population, fire every
 * population that has a threshold, queue the outgoing spikes and run on_post, stop on a
 * non-finite state, write the step's spikes (stamped (k+1)·dt) and the traces due at
 * (k+1)·dt. Before any of it the folder is made ready (the previous run's files removed,
 * a folder nrnc did not write refused) and, once the files are open, summary.json says
 * "running" and lists them, and space for its final version is set aside. Whatever ends
 * the run (the last step, a failure, SIGINT, SIGTERM, SIGHUP, a write error, a full
 * disk) the files are closed whole and summary.json is written last, saying how it
 * ended; kill -9 leaves whole files and the "running" summary.json. Rate monitors count each step's spikes (nspiked) and, like
 * traces, write a row on their sample steps; a population's observe runs just before its
 * traces sample.
 *
 * Threads: a step's work is done in phases of a pool (pool.c) over neuron ranges (see
 * `ranges` below and docs/networks.md §14). Integrate and fire of a range touch only that
 * range, so they share one phase; so does the range's delivery when every block splits
 * by target and nothing is summed (s->fused), which makes a whole step one phase, and
 * then a large range is stepped in cache-sized pieces (pieces_init). What
 * runs between the phases (summed inputs, spike queues, on_post, monitors) runs on the
 * calling thread.
 *
 * A failing step records nothing: the files hold exactly the steps before it. Per step
 * the loop itself does O(populations + monitors) work plus the spikes it writes; trace
 * rows only touch their slice on sample steps. The stop-signal flag is the only global
 * state; the handlers are installed for the loop only, and the previous ones restored. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"

enum { EXIT_FAILED = 3, EXIT_INTERRUPTED = 130 };

/* The signal that stopped the run (SIGINT from ^C, SIGTERM from a batch scheduler or
 * `timeout`, SIGHUP from a closed terminal), or 0. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
enum { NSTOP = sizeof stop_signals / sizeof *stop_signals };

typedef nrt_runner sim;

/* The fewest neurons a range of population p may hold: NRT_GRAIN, or NRT_GRAIN_SUMMED
 * when a `summed` block brings each neuron at least SUMMED_FANIN terms a step (a rate
 * network's matrix), which is work enough for a pool phase at a few thousand units. */
enum { SUMMED_FANIN = 256 };

static int64_t grain_of(const nrt_run_desc *d, int p)
{
    for (int b = 0; b < d->nconns; b++) {
        const nrt_conn_desc *cd = &d->conns[b];
        if (cd->post != p || !cd->summed_fn || cd->pre < 0 || d->pops[p].n <= 0)
            continue;
        int64_t npre = d->pops[cd->pre].n, npost = d->pops[p].n;
        double synapses = 0;
        nrt_conn_estimate(cd, npre, npost, &synapses);
        double fanin = cd->rule == NRT_RULE_MATRIX ? (double)npre : synapses / (double)npost;
        if (fanin >= SUMMED_FANIN)
            return NRT_GRAIN_SUMMED;
    }
    return NRT_GRAIN;
}

/* Ranges population p of desc is split into for `threads` threads. */
static int ranges_of(const nrt_run_desc *d, int p, int threads)
{
    const nrt_pop_desc *pd = &d->pops[p];
    int64_t grain = grain_of(d, p);
    if (pd->source || pd->n < 2 * grain)
        return 1;
    int64_t r = pd->n / grain;
    return r < threads ? (int)r : threads;
}

/* desc->threads, or the cores when it is 0, at most 1024. */
static int threads_asked(const nrt_run_desc *d)
{
    int t = d->threads;
    if (t < 1) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        t = cores > 0 ? (int)cores : 1;
    }
    return t > 1024 ? 1024 : t;
}

/* With the thread count left to nrnc (no --threads), the first TUNE_BLOCKS blocks of
 * TUNE_STEPS steps alternate between the pool and the caller running every range alone,
 * and the run goes on with whichever ran its fastest block faster: on a small network,
 * where a step takes microseconds, handing work to other cores costs more than it
 * saves (CUBA at 4,000 neurons: 2.5 us a step on one thread, 4.1 on two, on the 2-core
 * machine of bench/RESULTS.md). Both give the same results. */
enum { TUNE_STEPS = 25, TUNE_BLOCKS = 8 };

static void tune_threads(sim *s, int64_t k)
{
    int64_t i = k - s->start;
    if (!s->tuning || i % TUNE_STEPS != 0)
        return;
    double now = nrt_now();
    if (i > 0) {
        int mode = (int)((i / TUNE_STEPS - 1) % 2);
        if (now - s->tune_t0 < s->tune_best[mode])
            s->tune_best[mode] = now - s->tune_t0;
    }
    if (i == TUNE_STEPS * TUNE_BLOCKS) {
        bool serial = s->tune_best[1] < s->tune_best[0];
        nrt_pool_set_serial(s->pool, serial);
        s->threads_run = serial ? 1 : s->rg.threads;
        s->tuning = false;
        return;
    }
    nrt_pool_set_serial(s->pool, (i / TUNE_STEPS) % 2 == 1);
    s->tune_t0 = now;
}

/* The ranges and the pool; 0, or -1 out of memory. A pool whose threads cannot all be
 * started runs with the threads it has. */
static int ranges_init(sim *s)
{
    const nrt_run_desc *d = s->d;
    int T = nrt_threads_used(d);
    if (T > 1 && !(s->pool = nrt_pool_alloc(T)))
        T = 1;
    T = nrt_pool_size(s->pool);
    size_t np = (size_t)d->npops + 1;
    ranges *rg = &s->rg;
    rg->threads = T;
    s->threads_run = T;
    s->tuning = d->threads <= 0 && s->pool;
    s->tune_best[0] = s->tune_best[1] = INFINITY;
    rg->nranges = calloc(np, sizeof *rg->nranges);
    rg->lo = calloc(np * (size_t)(T + 1), sizeof *rg->lo);
    /* a thread's results on cache lines of their own: 16 populations to a stride */
    rg->stride = (np + 15) / 16 * 16;
    rg->nspiked = calloc(rg->stride * (size_t)T, sizeof *rg->nspiked);
    rg->bad = calloc(rg->stride * (size_t)T, sizeof *rg->bad);
    rg->fire_bad = calloc(rg->stride * (size_t)T, sizeof *rg->fire_bad);
    rg->longer = calloc(rg->stride * (size_t)T, sizeof *rg->longer);
    rg->stats_from = calloc(rg->stride * (size_t)T, sizeof *rg->stats_from);
    if (!rg->nranges || !rg->lo || !rg->nspiked || !rg->bad || !rg->fire_bad || !rg->longer || !rg->stats_from)
        return -1;
    for (int p = 0; p < d->npops; p++) {
        int r = ranges_of(d, p, T);
        int64_t n = d->pops[p].n, *lo = &rg->lo[(size_t)p * (size_t)(T + 1)];
        rg->nranges[p] = r;
        /* whole words of the fire mask, whole cache lines of it */
        for (int j = 1; j < r; j++)
            lo[j] = n / r * j / 64 * 64;
        lo[r] = n;
    }
    return 0;
}

static void ranges_fini(sim *s)
{
    nrt_pool_free(s->pool);
    s->pool = NULL;
    free(s->rg.nranges);
    free(s->rg.lo);
    free(s->rg.nspiked);
    free(s->rg.bad);
    free(s->rg.fire_bad);
    free(s->rg.longer);
    free(s->rg.stats_from);
    free(s->piece);
}

static void set_failed(sim *s)
{
    s->status = "failed";
    s->code = EXIT_FAILED;
}

/* Reports the first non-finite state of population p at the end of step `step`. */
static void fail_nonfinite(sim *s, int p, int64_t step)
{
    const nrt_pop_desc *pd = &s->d->pops[p];
    char t[NRT_NUM_BUF];
    nrt_format_time(step, s->dt_ms, t, sizeof t);
    int state;
    int64_t neuron;
    if (nrt_pop_find_nonfinite(&s->pops[p], pd, &state, &neuron)) {
        double v = s->pops[p].arrays[state][neuron];
        nrt_err_report(&s->err, "state '%s' of population '%s' neuron %lld became %s at t = %s ms",
                       pd->state_names[state], pd->name, (long long)neuron,
                       isnan(v) ? "NaN" : "infinite", t);
    } else {
        nrt_err_report(&s->err, "a state of population '%s' became NaN or infinite at t = %s ms",
                       pd->name, t);
    }
    set_failed(s);
}

/* The compiler guarantees these; a broken descriptor must not turn into a wild read. */
static int check_desc(sim *s)
{
    const nrt_run_desc *d = s->d;
    for (int t = 0; t < d->ntraces; t++) {
        const nrt_trace_desc *td = &d->traces[t];
        bool ok = td->pop >= 0 && td->pop < d->npops && td->slot >= 0 &&
                  td->slot < (td->scalar ? d->pops[td->pop].nscalars : d->pops[td->pop].narrays);
        for (int64_t i = 0; ok && td->index && i < td->nindex; i++)
            ok = td->index[i] >= 0 && td->index[i] < d->pops[td->pop].n;
        if (!ok) {
            nrt_err_report(&s->err, "internal: trace '%s' refers to a missing slot", td->var);
            return -1;
        }
    }
    for (int r = 0; r < d->nrates; r++) {
        if (d->rates[r].pop < 0 || d->rates[r].pop >= d->npops) {
            nrt_err_report(&s->err, "internal: a rate monitor refers to a missing population");
            return -1;
        }
    }
    for (int p = 0; p < d->npops; p++) {
        if (d->pops[p].n < 0 || d->pops[p].nstates > d->pops[p].narrays) {
            nrt_err_report(&s->err, "internal: population '%s' is malformed", d->pops[p].name);
            return -1;
        }
    }
    return 0;
}

static nrt_summary summary_of(sim *s)
{
    return (nrt_summary){
        .desc = s->d, .mon = &s->mon, .dt_ms = s->dt_ms, .steps_done = s->steps_done,
        .spike_counts = s->spike_counts, .status = s->status, .signal = s->signal, .error = s->err.first,
        .setup_s = s->setup_s, .run_s = s->run_s, .synapses = s->synapses, .syn_mon = &s->syn_mon,
        .conn_synapses = s->conn_synapses, .conn_bytes = s->conn_bytes, .folder = &s->folder,
        .checkpoint_step = s->checkpoint_step, .resumed_step = s->d->resume ? s->start : -1,
        .threads = s->threads_run ? s->threads_run : 1, .stats = s->stats, .piece = s->piece,
    };
}

/* summary.json as of now: "running" during set-up and the loop. */
static int write_summary(sim *s, bool final)
{
    if (!s->files)
        return 0;
    nrt_summary sum = summary_of(s);
    if (!final)
        sum.status = "running";
    return nrt_summary_write(&sum, &s->folder, final);
}

/* Space for the final summary.json: twice the running one (every count and number may
 * grow to its longest form), room for an error message, and for each population's
 * statistics, mostly nulls while it runs. */
static int reserve_summary(sim *s)
{
    if (!s->files)
        return 0;
    nrt_summary sum = summary_of(s);
    sum.status = "running";
    return nrt_folder_reserve(&s->folder, 2 * nrt_summary_size(&sum) + (64 << 10) +
                                              (size_t)s->d->npops * NRT_SPIKE_JSON_MAX);
}

/* summary.json's spike statistics over the whole run, in steps: every spike of the run
 * goes through them, recorded or not. A step's spikes are deferred after it (the
 * population's count, a copy of the list) and added to their neurons by the next step's
 * phase, range by range on the pool, or by stats_flush when the steps stop. */
static int stats_alloc(sim *s)
{
    const nrt_run_desc *d = s->d;
    s->stats = calloc((size_t)d->npops + 1, sizeof *s->stats);
    if (!s->stats)
        return -1;
    int64_t window = nrt_spike_stats_ticks(NRT_STATS_WINDOW_MS, s->dt_ms);
    int64_t bin = nrt_spike_stats_ticks(NRT_STATS_BIN_MS, s->dt_ms);
    for (int p = 0; p < d->npops; p++)
        if (nrt_spike_stats_alloc(&s->stats[p], d->pops[p].n, 0, d->nsteps, window, bin) != 0)
            return -1;
    return 0;
}

/* The bytes of state in a piece: NRT_PIECE_BYTES, or NRN_PIECE_KIB KiB when that is set
 * (0: no pieces), for machines whose L2 differs; -1 when it is not a whole number. */
static int64_t piece_bytes(void)
{
    const char *env = getenv("NRN_PIECE_KIB");
    if (!env)
        return NRT_PIECE_BYTES;
    char *end;
    errno = 0;
    long long kib = strtoll(env, &end, 10);
    if (end == env || *end || errno || kib < 0 || kib > (1LL << 30))
        return -1;
    return (int64_t)kib << 10;
}

/* Pieces: a range of a large population is stepped in pieces of about NRT_PIECE_BYTES of
 * state, each delivered to, integrated and fired before the next (when s->fused). The
 * integration then finds the lines that the delivery's scattered writes brought in, and
 * the piece is still in L2 when it fires. CUBA at 256,000 neurons, one thread: integrate
 * 2.56 -> 2.28 s, fire 0.11 -> 0.08 s, delivery 0.75 -> 0.69 s (bench/results_notes.md);
 * 128 KiB pieces made delivery cost more than integrate saved, 512 KiB and up saved less.
 * A range no longer than two pieces stays whole. Results do not depend on the pieces:
 * every target gets its events in block order, and the spikes are joined in order.
 * 0, or -1 with the failure reported. */
static int pieces_init(sim *s)
{
    const nrt_run_desc *d = s->d;
    int T = s->rg.threads;
    s->piece = calloc((size_t)d->npops + 1, sizeof *s->piece);
    if (!s->piece) {
        nrt_err_report(&s->err, "out of memory");
        return -1;
    }
    int64_t bytes = piece_bytes();
    if (bytes < 0) {
        nrt_err_report(&s->err, "NRN_PIECE_KIB must be a whole number of KiB (0: no pieces), not '%s'",
                       getenv("NRN_PIECE_KIB"));
        return -1;
    }
    for (int p = 0; bytes > 0 && p < d->npops; p++) {
        const nrt_pop_desc *pd = &d->pops[p];
        bool can = !pd->source;
        for (int b = 0; can && b < d->nconns; b++)
            can = d->conns[b].post != p || nrt_net_block_parts(s->net, b);
        int64_t size = nrt_piece_neurons(bytes, pd->narrays);
        const int64_t *lo = &s->rg.lo[(size_t)p * (size_t)(T + 1)];
        int64_t longest = 0;
        for (int r = 0; r < s->rg.nranges[p]; r++)
            if (lo[r + 1] - lo[r] > longest)
                longest = lo[r + 1] - lo[r];
        if (can && longest > 2 * size)
            s->piece[p] = size;
    }
    return 0;
}

/* Storage, init, and the t = 0 sample; 0 or -1 (reported, status set). */
static int setup(sim *s)
{
    const nrt_run_desc *d = s->d;
    size_t np = d->npops > 0 ? (size_t)d->npops : 0;
    s->pops = calloc(np + 1, sizeof *s->pops);
    s->spike_counts = calloc(np + 1, sizeof *s->spike_counts);
    s->sources = calloc(np + 1, sizeof *s->sources);
    if (!s->pops || !s->spike_counts || !s->sources) {
        nrt_err_report(&s->err, "out of memory");
        return -1;
    }
    if (check_desc(s) != 0 || nrt_mem_check(d, d->max_memory, &s->err) != 0)
        return -1;
    if (s->files && stats_alloc(s) != 0) {
        nrt_err_report(&s->err, "out of memory");
        return -1;
    }
    if (ranges_init(s) != 0) {
        nrt_err_report(&s->err, "out of memory");
        return -1;
    }
    s->folder.replaying = d->resume;
    int rc = nrt_monitors_open(&s->mon, d, s->dt_ms, &s->folder);
    s->folder.replaying = false;
    if (rc != 0 || nrt_monitors_use_pool(&s->mon, s->pool, &s->err) != 0)
        return -1;
    /* the files made so far, before the connections, which may take long to build */
    if (write_summary(s, false) != 0)
        return -1;
    for (int p = 0; p < d->npops; p++) {
        if (d->pops[p].source &&
            nrt_source_open(&s->sources[p], d->pops[p].source, d->pops[p].n, s->dt_ms, &s->err) != 0)
            return -1;
        if (nrt_pop_alloc(&s->pops[p], &d->pops[p], d->seed, p) != 0) {
            nrt_err_report(&s->err, "out of memory allocating population '%s' (%lld neurons)",
                           d->pops[p].name, (long long)d->pops[p].n);
            return -1;
        }
    }
    for (int k = 0; k < d->nsets; k++) {
        const nrt_set *set = &d->sets[k];
        if (set->pop >= 0 && set->pop < d->npops && set->index >= 0 &&
            set->index < d->pops[set->pop].nparams + d->pops[set->pop].nstates)
            s->pops[set->pop].overrides[set->index] = set->value;
    }
    for (int p = 0; p < d->npops; p++) {
        d->pops[p].init(&s->pops[p], d->dt);
        int state;
        int64_t neuron;
        if (nrt_pop_find_nonfinite(&s->pops[p], &d->pops[p], &state, &neuron)) {
            fail_nonfinite(s, p, 0);
            return -1;
        }
    }
    s->conns = calloc((size_t)d->nconns + 1, sizeof *s->conns);
    s->conn_synapses = calloc((size_t)d->nconns + 1, sizeof *s->conn_synapses);
    s->conn_bytes = calloc((size_t)d->nconns + 1, sizeof *s->conn_bytes);
    if (!s->conns || !s->conn_synapses || !s->conn_bytes) {
        nrt_err_report(&s->err, "out of memory");
        return -1;
    }
    for (int b = 0; b < d->nconns; b++) {
        if (nrt_conn_build(&s->conns[b], d, b, s->pops, s->pool, &s->err) != 0)
            return -1;
        s->synapses += s->conns[b].nsyn;
        s->conn_synapses[b] = s->conns[b].nsyn;
        s->conn_bytes[b] = nrt_conn_bytes(&s->conns[b], &d->conns[b]);
    }
    if (d->nconns && !(s->net = nrt_net_alloc(d, s->conns, &s->err)))
        return -1;
    for (int p = 0; p < d->npops; p++)
        s->summing = s->summing || d->pops[p].ninputs > 0;
    for (int b = 0; b < d->nconns; b++)
        s->sum_whole = s->sum_whole || d->conns[b].sequential_sum;
    s->fused = !s->summing;
    for (int b = 0; b < d->nconns; b++)
        s->fused = s->fused && nrt_net_block_splits(s->net, b);
    for (int b = 0; b < d->nconns; b++) {
        int p = d->conns[b].post, T = s->rg.threads;
        bool split_events = nrt_net_block_splits(s->net, b) && (d->conns[b].pre_fn || d->conns[b].pre_syn_fn);
        bool split_sum = d->conns[b].summed_fn && !s->sum_whole;
        if ((split_events || split_sum) &&
            nrt_net_split(s->net, b, &s->rg.lo[(size_t)p * (size_t)(T + 1)], s->rg.nranges[p]) != 0) {
            nrt_err_report(&s->err, "out of memory");
            return -1;
        }
    }
    if (s->fused && pieces_init(s) != 0)
        return -1;
    /* the inputs that summed writes hold their value at t = 0 when first recorded */
    if (s->net)
        nrt_net_sum(s->net, s->pops, 0);
    s->folder.replaying = d->resume;
    rc = nrt_syn_monitors_open(&s->syn_mon, d, s->conns, s->dt_ms, &s->folder);
    s->folder.replaying = false;
    if (rc != 0)
        return -1;
    if (d->resume) {
        nrt_ckpt_state st = {.d = d, .pops = s->pops, .conns = s->conns, .net = s->net,
                             .spike_counts = s->spike_counts, .mon = &s->mon, .stats = s->stats};
        rc = nrt_ckpt_restore(&s->resume, &st);
        nrt_ckpt_close(&s->resume);
        s->folder.resume = NULL;
        s->folder.nresume = 0;
        if (rc != 0)
            return -1;
        s->steps_done = s->start;
        s->checkpoint_step = s->start;    /* the folder keeps it until the next one */
        /* long refractory periods may be running */
        memset(s->rg.longer, 1, s->rg.stride * (size_t)s->rg.threads);
    }
    if (write_summary(s, false) != 0 || reserve_summary(s) != 0)
        return -1;
    if (d->resume)
        return 0;   /* the samples at the checkpoint's step are in the files already */
    if (nrt_syn_monitors_sample(&s->syn_mon, 0) != 0)
        return -1;
    return nrt_monitors_sample(&s->mon, s->pops, 0);
}

/* Phase (1), share t: deliver blocks [first, last) to range t of each one's targets. */
static void deliver_phase(void *ctx, int t)
{
    sim *s = ctx;
    const nrt_run_desc *d = s->d;
    int T = s->rg.threads;
    for (int b = s->first_block; b < s->last_block; b++) {
        int p = d->conns[b].post;
        if (t >= s->rg.nranges[p])
            continue;
        const int64_t *lo = &s->rg.lo[(size_t)p * (size_t)(T + 1)];
        nrt_net_deliver_block(s->net, s->pops, b, s->step, t, lo[t], lo[t + 1]);
    }
}

/* Share t of the summed inputs: range t of every population zeroed, then the blocks'
 * terms added into it, in block order. */
static void sum_phase(void *ctx, int t)
{
    sim *s = ctx;
    const nrt_run_desc *d = s->d;
    int T = s->rg.threads;
    for (int p = 0; p < d->npops; p++) {
        const int64_t *lo = &s->rg.lo[(size_t)p * (size_t)(T + 1)];
        if (t < s->rg.nranges[p] && d->pops[p].ninputs)
            nrt_net_zero_inputs(s->net, s->pops, p, lo[t], lo[t + 1]);
    }
    for (int b = 0; b < d->nconns; b++) {
        int p = d->conns[b].post;
        const int64_t *lo = &s->rg.lo[(size_t)p * (size_t)(T + 1)];
        if (t < s->rg.nranges[p] && d->conns[b].summed_fn)
            nrt_net_sum_block(s->net, s->pops, b, s->step, t, lo[t], lo[t + 1]);
    }
}

/* Blocks [first, last), all of which split, on the pool. */
static void deliver_split(sim *s, int first, int last)
{
    if (first >= last)
        return;
    s->first_block = first;
    s->last_block = last;
    nrt_pool_run(s->pool, deliver_phase, s);
}

/* LANGUAGE.md §7 (1): deliver the spikes due at t = step·dt (running their on_pre), then
 * compute every `summed` input from the current state. Blocks are delivered in order
 * (that is the order of every target's events): each run of blocks that split by target
 * in one phase of the pool, a block that does not split whole, between them. */
static void deliver_and_sum(sim *s, int64_t step)
{
    if (!s->net)
        return;
    const nrt_run_desc *d = s->d;
    s->step = step;
    int first = 0;
    for (int b = 0; b < d->nconns; b++) {
        if (nrt_net_block_splits(s->net, b))
            continue;
        deliver_split(s, first, b);
        nrt_net_deliver_block(s->net, s->pops, b, step, -1, 0, d->pops[d->conns[b].post].n);
        first = b + 1;
    }
    deliver_split(s, first, d->nconns);
    if (!s->summing)
        return;
    if (s->sum_whole)
        nrt_net_sum(s->net, s->pops, step);
    else
        nrt_pool_run(s->pool, sum_phase, s);
}

/* The previous step's deferred spikes of range t of every population. */
static void stats_range(sim *s, int t)
{
    const nrt_run_desc *d = s->d;
    int T = s->rg.threads;
    for (int p = 0; p < d->npops; p++) {
        const int64_t *lo = &s->rg.lo[(size_t)p * (size_t)(T + 1)];
        if (t < s->rg.nranges[p])
            nrt_spike_stats_apply(&s->stats[p], s->rg.stats_from[range_slot(&s->rg, p, t)], lo[t + 1]);
    }
}

/* Population p's spikes of the step ending at tick t, deferred to the next phase, with
 * where each range's part of them starts. */
static void defer_stats(sim *s, int p, int64_t t)
{
    nrt_spike_stats *st = &s->stats[p];
    nrt_spike_stats_defer(st, t, s->pops[p].spiked, s->pops[p].nspiked);
    const int64_t *lo = &s->rg.lo[(size_t)p * (size_t)(s->rg.threads + 1)];
    for (int r = 0; r < s->rg.nranges[p]; r++)
        s->rg.stats_from[range_slot(&s->rg, p, r)] = r == 0 ? 0 : nrt_spike_stats_find(st, lo[r]);
}

/* Every range has added the deferred spikes: none is left pending. */
static void stats_applied(sim *s)
{
    if (!s->stats_pending)
        return;
    for (int p = 0; p < s->d->npops; p++)
        s->stats[p].npending = 0;
    s->stats_pending = false;
}

/* The deferred spikes, if any, of every population, on the calling thread. */
static void stats_flush(sim *s)
{
    for (int p = 0; s->stats_pending && p < s->d->npops; p++)
        nrt_spike_stats_apply(&s->stats[p], 0, s->pops[p].n);
    stats_applied(s);
}

/* Piece [a, c) of range t, [from, end), of population p: delivery (when s->fused),
 * integrate, fire, and the reload of long refractory counts once one has started in the
 * range; false when integrate or fire failed. The piece's spikes are moved to follow the
 * range's earlier ones, at pop->spiked[from ..]. */
static bool step_piece(sim *s, int p, int t, int64_t from, int64_t end, int64_t a, int64_t c)
{
    const nrt_run_desc *d = s->d;
    const nrt_pop_desc *pd = &d->pops[p];
    nrt_pop *pop = &s->pops[p];
    size_t at = range_slot(&s->rg, p, t);
    for (int b = 0; s->fused && b < d->nconns; b++)
        if (d->conns[b].post == p)
            nrt_net_deliver_part(s->net, s->pops, b, s->step, t, a, c, a == from, c == end);
    if ((s->rg.bad[at] = pd->integrate(pop, s->step, d->dt, a, c)) != 0)
        return false;
    if (pd->source) {
        pop->nspiked = 0;
        nrt_source_emit(&s->sources[p], pop, s->step + 1);
        return true;
    }
    if (!pd->fire)
        return true;
    int64_t n = 0;
    int32_t fired = pd->fire(pop, s->step, d->dt, a, c, &n);
    s->rg.fire_bad[at] = fired & NRT_FIRE_NONFINITE;
    if (fired & NRT_FIRE_LONG)
        s->rg.longer[at] = 1;
    if (s->rg.longer[at])
        nrt_refr_reload(pop, a, c);
    int64_t *to = pop->spiked + from + s->rg.nspiked[at];
    if (n && to != pop->spiked + a)
        memmove(to, pop->spiked + a, (size_t)n * sizeof *to);
    s->rg.nspiked[at] += n;
    return s->rg.fire_bad[at] == 0;
}

/* Share t of a step: range t of every population, in order, each in its pieces; when
 * s->fused, each piece's deliveries (1) come first, else the caller delivered before the
 * phase. Integrate and fire of a range touch only that range (and its deliveries only
 * its targets), so one pool phase does a whole step's ranges. The cells of the
 * statistics are per neuron too, so the range adds the last step's spikes. A piece that
 * fails ends its range: the step is not recorded, and its failures are reported in
 * population order, integrate's first. */
static void step_phase(void *ctx, int t)
{
    sim *s = ctx;
    const nrt_run_desc *d = s->d;
    int T = s->rg.threads;
    if (s->stats_pending)
        stats_range(s, t);
    for (int p = 0; p < d->npops; p++) {
        if (t >= s->rg.nranges[p])
            continue;
        size_t at = range_slot(&s->rg, p, t);
        s->rg.nspiked[at] = 0;
        s->rg.bad[at] = 0;
        s->rg.fire_bad[at] = 0;
        const int64_t *lo = &s->rg.lo[(size_t)p * (size_t)(T + 1)];
        int64_t from = lo[t], end = lo[t + 1], size = s->piece && s->piece[p] ? s->piece[p] : end - from;
        int64_t a = from;
        do {
            int64_t c = end - a > size ? a + size : end;
            if (!step_piece(s, p, t, from, end, a, c))
                break;
            a = c;
        } while (a < end);
    }
}

/* The first population (in order) one of whose ranges reported a non-finite state in
 * flags (rg.bad or rg.fire_bad), or -1. */
static int first_bad(const sim *s, const int32_t *flags)
{
    for (int p = 0; p < s->d->npops; p++)
        for (int r = 0; r < s->rg.nranges[p]; r++)
            if (flags[range_slot(&s->rg, p, r)])
                return p;
    return -1;
}

/* Each range's spikes are at pop->spiked[lo ..]: moved down into one ascending list. */
static void join_spikes(sim *s, int p)
{
    int T = s->rg.threads;
    const int64_t *lo = &s->rg.lo[(size_t)p * (size_t)(T + 1)];
    nrt_pop *pop = &s->pops[p];
    int64_t n = s->rg.nspiked[range_slot(&s->rg, p, 0)];
    for (int r = 1; r < s->rg.nranges[p]; r++) {
        int64_t count = s->rg.nspiked[range_slot(&s->rg, p, r)];
        if (count)
            memmove(pop->spiked + n, pop->spiked + lo[r], (size_t)count * sizeof *pop->spiked);
        n += count;
    }
    pop->nspiked = n;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int nrt_runner_inject(sim *s, int p, const int32_t *idx, int64_t n, char *msg, size_t size)
{
    nrt_pop *pop = &s->pops[p];
    for (int64_t k = 0; k < n; k++)
        if (idx[k] < 0 || idx[k] >= pop->n) {
            snprintf(msg, size, "neuron %d is not in population '%s' (%lld neurons)", idx[k], s->d->pops[p].name,
                     (long long)pop->n);
            return -1;
        }
    if (!s->inject && !(s->inject = calloc((size_t)s->d->npops + 1, sizeof *s->inject)))
        goto oom;
    nrt_injected *in = &s->inject[p];
    if (!in->merged && !(in->merged = malloc(((size_t)pop->n + 1) * sizeof *in->merged)))
        goto oom;
    if (in->n + n > in->cap) {
        int64_t cap = in->cap ? in->cap : 64;
        while (cap < in->n + n)
            cap *= 2;
        int64_t *grown = realloc(in->idx, (size_t)cap * sizeof *grown);
        if (!grown)
            goto oom;
        in->idx = grown;
        in->cap = cap;
    }
    for (int64_t k = 0; k < n; k++)
        in->idx[in->n++] = idx[k];
    return 0;
oom:
    snprintf(msg, size, "out of memory injecting spikes");
    return -1;
}

/* The injected spikes of population p joined with the step's own: one ascending list,
 * each neuron once. */
static void merge_injected(sim *s, int p)
{
    nrt_injected *in = &s->inject[p];
    if (!in->n)
        return;
    nrt_pop *pop = &s->pops[p];
    qsort(in->idx, (size_t)in->n, sizeof *in->idx, cmp_i64);
    int64_t a = 0, b = 0, m = 0;
    while (a < pop->nspiked || b < in->n) {
        int64_t next = b >= in->n || (a < pop->nspiked && pop->spiked[a] <= in->idx[b]) ? pop->spiked[a] : in->idx[b];
        while (a < pop->nspiked && pop->spiked[a] == next)
            a++;
        while (b < in->n && in->idx[b] == next)
            b++;
        in->merged[m++] = next;
    }
    memcpy(pop->spiked, in->merged, (size_t)m * sizeof *pop->spiked);
    pop->nspiked = m;
    in->n = 0;
}

/* §7 (2)-(4) for step k; 0, or -1 with the failure reported and the status set. Nothing
 * of a failing step reaches the files. */
static int step(sim *s, int64_t k)
{
    const nrt_run_desc *d = s->d;
    s->step = k;
    nrt_pool_run(s->pool, step_phase, s);
    stats_applied(s);
    /* integrate's failures first, as when every range integrates before any fires */
    int p = first_bad(s, s->rg.bad);
    if (p >= 0) {
        fail_nonfinite(s, p, k + 1);
        return -1;
    }
    for (p = 0; p < d->npops; p++)
        if (d->pops[p].fire)
            join_spikes(s, p);
    if ((p = first_bad(s, s->rg.fire_bad)) >= 0) {
        fail_nonfinite(s, p, k + 1);
        return -1;
    }
    for (p = 0; s->inject && p < d->npops; p++)
        merge_injected(s, p);
    if (s->net && nrt_net_after_fire(s->net, s->pops, k, s->pool) != 0) {
        set_failed(s);
        return -1;
    }
    s->stats_pending = s->stats != NULL;
    for (int p = 0; p < d->npops; p++) {
        s->spike_counts[p] += s->pops[p].nspiked;
        if (s->stats)
            defer_stats(s, p, k + 1);
        if (nrt_monitors_spikes(&s->mon, p, &s->pops[p], k + 1) != 0)
            goto write_failed;
    }
    nrt_monitors_count(&s->mon, s->pops);
    if (nrt_monitors_sample(&s->mon, s->pops, k + 1) != 0 || nrt_syn_monitors_sample(&s->syn_mon, k + 1) != 0)
        goto write_failed;
    return 0;
write_failed:
    set_failed(s);
    return -1;
}

/* The whole state as of now (s->steps_done), for --checkpoint-every. */
static int checkpoint(sim *s)
{
    stats_flush(s);
    nrt_ckpt_state st = {.d = s->d, .step = s->steps_done, .pops = s->pops, .conns = s->conns, .net = s->net,
                         .spike_counts = s->spike_counts, .mon = &s->mon, .stats = s->stats};
    if (nrt_ckpt_write(&st, &s->folder, &s->err) != 0) {
        set_failed(s);
        return -1;
    }
    s->checkpoint_step = s->steps_done;
    return 0;
}

int nrt_runner_steps(sim *s, int64_t until, volatile sig_atomic_t *stop)
{
    const nrt_run_desc *d = s->d;
    if (s->code != 0)
        return -1;
    int rc = 0;
    for (int64_t k = s->steps_done; k < until && !(stop && *stop); k++) {
        if (k >= s->progress.next_check)
            nrt_progress_tick(&s->progress, k);
        tune_threads(s, k);
        if (!s->fused)
            deliver_and_sum(s, k);
        if (step(s, k) != 0) {
            rc = -1;
            break;
        }
        s->steps_done = k + 1;
        if (s->checkpoint_steps && s->steps_done % s->checkpoint_steps == 0 && s->steps_done < d->nsteps &&
            checkpoint(s) != 0) {
            rc = -1;
            break;
        }
    }
    stats_flush(s);
    return rc;
}

static void loop(sim *s)
{
    const nrt_run_desc *d = s->d;
    struct sigaction sa, old[NSTOP];
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;     /* a write interrupted by ^C must not fail with EINTR */
    interrupted = 0;
    for (int k = 0; k < NSTOP; k++)
        sigaction(stop_signals[k], &sa, &old[k]);
    nrt_progress_begin(&s->progress, d->progress, d->nsteps, s->dt_ms);
    s->err.progress = &s->progress;
    nrt_runner_steps(s, d->nsteps, &interrupted);
    /* and where the run stopped, unless it failed: a stopped run resumes from its last
     * step, a finished one can be made longer */
    if (s->checkpoint_steps && s->code == 0 && s->steps_done > s->start &&
        (s->steps_done % s->checkpoint_steps != 0 || s->steps_done == d->nsteps))
        checkpoint(s);
    nrt_progress_end(&s->progress);
    s->err.progress = NULL;
    for (int k = 0; k < NSTOP; k++)
        sigaction(stop_signals[k], &old[k], NULL);
    if (s->code == 0 && s->steps_done < d->nsteps) {
        /* ^C is the user's own "stop"; SIGTERM and SIGHUP come from outside: the
         * summary says which, and the exit code is the shell's 128 + signal */
        int sig = interrupted ? interrupted : SIGINT;
        s->status = sig == SIGINT ? "interrupted" : "terminated";
        s->signal = sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP";
        s->code = sig == SIGINT ? EXIT_INTERRUPTED : 128 + sig;
    }
}

int nrt_runner_close(sim *s)
{
    nrt_ckpt_close(&s->resume);
    if (s->prepared) {
        if (nrt_monitors_close(&s->mon) != 0 || nrt_syn_monitors_close(&s->syn_mon) != 0)
            set_failed(s);
        if (s->folder.full)
            s->status = "disk_full";
        if (write_summary(s, true) != 0)
            set_failed(s);
    }
    nrt_folder_fini(&s->folder);
    ranges_fini(s);
    nrt_monitors_free(&s->mon);
    nrt_syn_monitors_free(&s->syn_mon);
    nrt_net_free(s->net);
    for (int b = 0; s->conns && b < s->d->nconns; b++)
        nrt_conn_free(&s->conns[b], &s->d->conns[b]);
    free(s->conns);
    free(s->conn_synapses);
    free(s->conn_bytes);
    for (int p = 0; s->pops && p < s->d->npops; p++)
        nrt_pop_free(&s->pops[p], &s->d->pops[p]);
    for (int p = 0; s->sources && p < s->d->npops; p++)
        nrt_source_free(&s->sources[p]);
    for (int p = 0; s->inject && p < s->d->npops; p++) {
        free(s->inject[p].idx);
        free(s->inject[p].merged);
    }
    free(s->inject);
    free(s->sources);
    free(s->pops);
    free(s->spike_counts);
    for (int p = 0; s->stats && p < s->d->npops; p++)
        nrt_spike_stats_free(&s->stats[p]);
    free(s->stats);
    nrt_err_fini(&s->err);
    return s->code;
}

/* Files of a run at most (spikes, traces, rates, weights with their companions), to
 * share the buffer memory among them. */
static int64_t count_files(const nrt_run_desc *d)
{
    return 1 + 2 * (int64_t)d->npops + 2 * (int64_t)d->ntraces + 2 * (int64_t)d->nrates +
           4 * (int64_t)d->nsyn_traces;
}

int nrt_threads_used(const nrt_run_desc *desc)
{
    int asked = threads_asked(desc), used = 1;
    for (int p = 0; p < desc->npops; p++) {
        int r = ranges_of(desc, p, asked);
        if (r > used)
            used = r;
    }
    return used;
}


int nrt_runner_open(sim *s, const nrt_run_desc *desc, bool files, bool quiet)
{
    *s = (sim){.d = desc, .dt_ms = nrt_dt_ms(desc->dt), .status = "completed", .checkpoint_step = -1,
               .files = files, .err = {.quiet = quiet}};
    if (files && nrt_mkdir_p(desc->outdir) != 0) {
        nrt_err_report(&s->err, "cannot create output folder '%s': %s", desc->outdir, strerror(errno));
        s->code = EXIT_FAILED;
        return -1;
    }
    if (files)
        nrt_folder_init(&s->folder, desc->outdir, &s->err, count_files(desc));
    else
        s->folder = (nrt_folder){.err = &s->err};
    if (desc->checkpoint_every > 0) {
        double steps = nearbyint(desc->checkpoint_every / desc->dt);
        s->checkpoint_steps = steps < 1 ? 1 : steps > 1e15 ? INT64_MAX : (int64_t)steps;
    }
    if (files) {
        int rc = desc->resume ? nrt_ckpt_open(&s->resume, desc, &s->folder, &s->start, &s->err) != 0 ? EXIT_FAILED : 0
                              : nrt_folder_prepare(&s->folder, desc->force);
        if (rc != 0) {
            s->code = rc;
            s->prepared = false;
            return -1;
        }
    }
    s->prepared = true;
    double t0 = nrt_now();
    if (setup(s) != 0) {
        set_failed(s);
        return -1;
    }
    s->setup_s = nrt_now() - t0;
    return 0;
}

int nrt_run(const nrt_run_desc *desc)
{
    sim s;
    /* A file grown past `ulimit -f` fails its write with EFBIG, handled like a full
     * disk, instead of killing the process with SIGXFSZ. */
    struct sigaction ign, old_xfsz;
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGXFSZ, &ign, &old_xfsz);
    if (nrt_runner_open(&s, desc, true, false) == 0) {
        double t1 = nrt_now();
        loop(&s);
        s.run_s = nrt_now() - t1;
    }
    int rc = nrt_runner_close(&s);
    sigaction(SIGXFSZ, &old_xfsz, NULL);
    return rc;
}
