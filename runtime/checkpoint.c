/* Checkpoints: the whole state of a run at a step boundary, in one file that a later run
 * continues from (`--checkpoint-every T`, `--resume DIR`).
 *
 * What a run's future depends on is saved: every population's arrays, scalars, refractory
 * counters and threshold flags; every block's per-synapse arrays, scalars and dense
 * matrix; the spike histories and delay queues; the spike counts, the accumulators of
 * summary.json's spike statistics (format 3) and monitor positions (so the output files are cut back to the checkpoint and appended
 * to). What set-up computes again the same way is not: the connectivity (rows, targets,
 * delays) is rebuilt from the seed and checked against the saved synapse counts, and the
 * spike sources find their place from the step. Random draws have no state to save: each
 * is a function of the seed, the step and the neuron or synapse (rng.c). Format 2
 * dropped the Mersenne Twister states that format 1 carried.
 *
 * The file starts with a magic word and a fingerprint of the run description (sizes,
 * names, dt, seed, --set values), and ends with a hash of everything before it, so a
 * checkpoint of another model, or a damaged one, is refused instead of resumed. It is
 * written to a temporary name, synced, and renamed over the previous one: at any moment
 * the folder holds one complete checkpoint or none. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "net.h"
#include "spike_stats.h"

static const char MAGIC[8] = {'N', 'R', 'N', 'C', 'K', 'P', 'T', '3'};
static const uint64_t FNV_OFFSET = 0xcbf29ce484222325u, FNV_PRIME = 0x100000001b3u;

static uint64_t fnv(uint64_t h, const void *data, size_t size)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < size; i++)
        h = (h ^ p[i]) * FNV_PRIME;
    return h;
}

void nrt_ckpt_put(nrt_ckpt_io *io, const void *data, size_t size)
{
    if (io->bad || size == 0)
        return;
    io->hash = fnv(io->hash, data, size);
    if (fwrite(data, 1, size, io->f) != size)
        io->bad = true;
}

bool nrt_ckpt_get(nrt_ckpt_io *io, void *data, size_t size)
{
    if (io->bad)
        return false;
    if (size && fread(data, 1, size, io->f) != size) {
        io->bad = true;
        return false;
    }
    io->hash = fnv(io->hash, data, size);
    return true;
}

static void put_i64(nrt_ckpt_io *io, int64_t v) { nrt_ckpt_put(io, &v, sizeof v); }

static int64_t get_i64(nrt_ckpt_io *io)
{
    int64_t v = -1;
    if (!nrt_ckpt_get(io, &v, sizeof v))
        return -1;
    return v;
}

static uint64_t hash_str(uint64_t h, const char *s)
{
    return s ? fnv(h, s, strlen(s) + 1) : fnv(h, "", 1);
}

/* What must match between the run that saved and the run that resumes. The duration
 * may differ: a resumed run can be made longer. */
static uint64_t fingerprint(const nrt_run_desc *d)
{
    uint64_t h = FNV_OFFSET;
    h = hash_str(h, d->network);
    h = fnv(h, &d->dt, sizeof d->dt);
    h = fnv(h, &d->seed, sizeof d->seed);
    h = fnv(h, &d->npops, sizeof d->npops);
    for (int p = 0; p < d->npops; p++) {
        const nrt_pop_desc *pd = &d->pops[p];
        h = hash_str(h, pd->name);
        h = fnv(h, &pd->n, sizeof pd->n);
        h = fnv(h, &pd->narrays, sizeof pd->narrays);
        h = fnv(h, &pd->nscalars, sizeof pd->nscalars);
        h = fnv(h, &pd->nstates, sizeof pd->nstates);
        for (int k = 0; k < pd->nstates; k++)
            h = hash_str(h, pd->state_names[k]);
        h = hash_str(h, pd->method);
    }
    h = fnv(h, &d->nconns, sizeof d->nconns);
    for (int b = 0; b < d->nconns; b++) {
        const nrt_conn_desc *cd = &d->conns[b];
        h = hash_str(h, cd->name);
        h = fnv(h, &cd->pre, sizeof cd->pre);
        h = fnv(h, &cd->post, sizeof cd->post);
        h = fnv(h, &cd->narrays, sizeof cd->narrays);
        h = fnv(h, &cd->nscalars, sizeof cd->nscalars);
    }
    h = fnv(h, &d->nsets, sizeof d->nsets);
    for (int k = 0; k < d->nsets; k++) {
        h = fnv(h, &d->sets[k].pop, sizeof d->sets[k].pop);
        h = fnv(h, &d->sets[k].index, sizeof d->sets[k].index);
        h = fnv(h, &d->sets[k].value, sizeof d->sets[k].value);
    }
    h = fnv(h, &d->ntraces, sizeof d->ntraces);
    h = fnv(h, &d->nrates, sizeof d->nrates);
    h = fnv(h, &d->nsyn_traces, sizeof d->nsyn_traces);
    h = fnv(h, &d->format, sizeof d->format);
    return h;
}

static void save_pop(nrt_ckpt_io *io, nrt_pop *pop, const nrt_pop_desc *pd)
{
    size_t n = (size_t)pop->n;
    nrt_pop_counts_out(pop);
    for (int a = 0; a < pd->narrays; a++)
        nrt_ckpt_put(io, pop->arrays[a], n * sizeof(double));
    nrt_ckpt_put(io, pop->scalars, (size_t)(pd->nscalars > 0 ? pd->nscalars : 0) * sizeof(double));
    nrt_ckpt_put(io, pop->refractory, n * sizeof(int32_t));
    nrt_pop_counts_in(pop);   /* the run goes on: the same counts, split again */
    nrt_ckpt_put(io, pop->cond_prev, n * sizeof(uint8_t));
}

static bool load_pop(nrt_ckpt_io *io, nrt_pop *pop, const nrt_pop_desc *pd)
{
    size_t n = (size_t)pop->n;
    for (int a = 0; a < pd->narrays; a++)
        nrt_ckpt_get(io, pop->arrays[a], n * sizeof(double));
    nrt_ckpt_get(io, pop->scalars, (size_t)(pd->nscalars > 0 ? pd->nscalars : 0) * sizeof(double));
    nrt_ckpt_get(io, pop->refractory, n * sizeof(int32_t));
    nrt_pop_counts_in(pop);
    return nrt_ckpt_get(io, pop->cond_prev, n * sizeof(uint8_t));
}

static void save_conn(nrt_ckpt_io *io, const nrt_conn *c, const nrt_conn_desc *cd)
{
    put_i64(io, c->nsyn);
    for (int a = 0; c->arrays && a < cd->narrays; a++)
        nrt_ckpt_put(io, c->arrays[a], (size_t)c->nsyn * sizeof(double));
    if (c->scalars)
        nrt_ckpt_put(io, c->scalars, (size_t)(cd->nscalars > 0 ? cd->nscalars : 0) * sizeof(double));
    if (c->dense)
        nrt_ckpt_put(io, c->dense, (size_t)c->npre * (size_t)c->npost * sizeof(double));
}

static bool load_conn(nrt_ckpt_io *io, nrt_conn *c, const nrt_conn_desc *cd)
{
    if (get_i64(io) != c->nsyn)
        return false;
    for (int a = 0; c->arrays && a < cd->narrays; a++)
        nrt_ckpt_get(io, c->arrays[a], (size_t)c->nsyn * sizeof(double));
    if (c->scalars)
        nrt_ckpt_get(io, c->scalars, (size_t)(cd->nscalars > 0 ? cd->nscalars : 0) * sizeof(double));
    if (c->dense)
        nrt_ckpt_get(io, c->dense, (size_t)c->npre * (size_t)c->npost * sizeof(double));
    return !io->bad;
}

char *nrt_ckpt_path(const char *dir)
{
    return nrt_path_join(dir, NRT_CKPT_FILE);
}

/* The output files, flushed: their names with the bytes and lines on disk. */
static int save_files(nrt_ckpt_io *io, nrt_folder *folder)
{
    put_i64(io, folder->nfiles);
    for (int k = 0; k < folder->nfiles; k++) {
        nrt_file_entry *e = &folder->files[k];
        if (e->out && nrt_out_flush(e->out) != 0)
            return -1;
        int64_t len = (int64_t)strlen(e->name);
        put_i64(io, len);
        nrt_ckpt_put(io, e->name, (size_t)len);
        put_i64(io, e->size);
        put_i64(io, e->lines);
    }
    return 0;
}

static void save_stats(nrt_ckpt_io *io, const nrt_spike_stats *st)
{
    nrt_ckpt_put(io, st->cell, (size_t)st->n * sizeof *st->cell);
    nrt_ckpt_put(io, st->cur, (size_t)st->n * sizeof *st->cur);
    put_i64(io, st->pop_bin);
    put_i64(io, st->pop_bin_n);
    nrt_ckpt_put(io, &st->pop_bin_sq, sizeof st->pop_bin_sq);
}

static bool load_stats(nrt_ckpt_io *io, nrt_spike_stats *st)
{
    return nrt_ckpt_get(io, st->cell, (size_t)st->n * sizeof *st->cell) &&
           nrt_ckpt_get(io, st->cur, (size_t)st->n * sizeof *st->cur) &&
           nrt_ckpt_get(io, &st->pop_bin, sizeof st->pop_bin) &&
           nrt_ckpt_get(io, &st->pop_bin_n, sizeof st->pop_bin_n) &&
           nrt_ckpt_get(io, &st->pop_bin_sq, sizeof st->pop_bin_sq);
}

int nrt_ckpt_write(const nrt_ckpt_state *st, nrt_folder *folder, nrt_err *err)
{
    const nrt_run_desc *d = st->d;
    char *path = nrt_ckpt_path(d->outdir), *tmp = nrt_path_join(d->outdir, NRT_CKPT_FILE ".tmp");
    if (!path || !tmp) {
        free(path);
        free(tmp);
        nrt_err_report(err, "out of memory writing a checkpoint");
        return -1;
    }
    int rc = -1;
    nrt_ckpt_io io = {.f = fopen(tmp, "wb"), .hash = FNV_OFFSET};
    if (!io.f) {
        nrt_err_report(err, "cannot write checkpoint '%s': %s", tmp, strerror(errno));
        goto done;
    }
    nrt_ckpt_put(&io, MAGIC, sizeof MAGIC);
    uint64_t fp = fingerprint(d);
    nrt_ckpt_put(&io, &fp, sizeof fp);
    put_i64(&io, st->step);
    if (save_files(&io, folder) != 0) {
        fclose(io.f);
        remove(tmp);
        goto done;    /* the output file's failure is reported */
    }
    for (int p = 0; p < d->npops; p++) {
        put_i64(&io, st->spike_counts[p]);
        save_pop(&io, &st->pops[p], &d->pops[p]);
    }
    for (int b = 0; b < d->nconns; b++)
        save_conn(&io, &st->conns[b], &d->conns[b]);
    if (st->net)
        nrt_net_save(st->net, &io);
    nrt_monitors_save(st->mon, &io);
    for (int p = 0; st->stats && p < d->npops; p++)
        save_stats(&io, &st->stats[p]);
    uint64_t sum = io.hash;
    nrt_ckpt_put(&io, &sum, sizeof sum);
    bool ok = !io.bad && fflush(io.f) == 0 && fsync(fileno(io.f)) == 0;
    int saved = errno;
    if (fclose(io.f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok || rename(tmp, path) != 0) {
        if (ok)
            saved = errno;
        nrt_err_report(err, "cannot write checkpoint '%s': %s", tmp, strerror(saved));
        remove(tmp);
        goto done;
    }
    rc = 0;
done:
    free(path);
    free(tmp);
    return rc;
}

/* The whole file's hash against the one it ends with, before anything is believed. */
static bool intact(FILE *f)
{
    if (fseek(f, 0, SEEK_END) != 0)
        return false;
    long size = ftell(f);
    if (size < (long)(sizeof MAGIC + 2 * sizeof(uint64_t)) || fseek(f, 0, SEEK_SET) != 0)
        return false;
    uint64_t h = FNV_OFFSET, want = 0;
    unsigned char buf[1 << 16];
    long left = size - (long)sizeof want;
    while (left > 0) {
        size_t n = fread(buf, 1, left < (long)sizeof buf ? (size_t)left : sizeof buf, f);
        if (n == 0)
            return false;
        h = fnv(h, buf, n);
        left -= (long)n;
    }
    return fread(&want, sizeof want, 1, f) == 1 && want == h && fseek(f, 0, SEEK_SET) == 0;
}

int nrt_ckpt_open(nrt_ckpt_reader *r, const nrt_run_desc *d, nrt_folder *folder, int64_t *step, nrt_err *err)
{
    memset(r, 0, sizeof *r);
    r->err = err;
    r->path = nrt_ckpt_path(d->outdir);
    if (!r->path) {
        nrt_err_report(err, "out of memory reading a checkpoint");
        return -1;
    }
    r->io = (nrt_ckpt_io){.f = fopen(r->path, "rb"), .hash = FNV_OFFSET};
    if (!r->io.f) {
        nrt_err_report(err, "cannot resume from '%s': %s", r->path, strerror(errno));
        return -1;
    }
    char magic[sizeof MAGIC];
    uint64_t fp = 0;
    const char *why = NULL;
    if (fread(magic, 1, sizeof magic, r->io.f) != sizeof magic || memcmp(magic, MAGIC, sizeof MAGIC) != 0)
        why = "not an nrnc checkpoint";
    else if (!intact(r->io.f))
        why = "it is damaged (its checksum does not match)";
    else if (!nrt_ckpt_get(&r->io, magic, sizeof magic) || !nrt_ckpt_get(&r->io, &fp, sizeof fp) ||
             fp != fingerprint(d))
        why = "it was made by another model, network, dt, seed, --set or record list";
    else if ((*step = get_i64(&r->io)) < 0)
        why = "it is damaged";
    else if (*step > d->nsteps)
        why = "it is past the end of this run: give a longer --duration";
    if (why) {
        nrt_err_report(err, "cannot resume from '%s': %s", r->path, why);
        return -1;
    }
    int64_t n = get_i64(&r->io);
    if (n < 0 || n > (1 << 24)) {
        nrt_err_report(err, "cannot resume from '%s': it is damaged", r->path);
        return -1;
    }
    r->files = calloc((size_t)n + 1, sizeof *r->files);
    if (!r->files) {
        nrt_err_report(err, "out of memory reading a checkpoint");
        return -1;
    }
    for (; r->nfiles < n; r->nfiles++) {
        nrt_file_entry *e = &r->files[r->nfiles];
        int64_t len = get_i64(&r->io);
        if (len < 0 || len > 4096 || !(e->name = calloc((size_t)len + 1, 1)) ||
            !nrt_ckpt_get(&r->io, e->name, (size_t)len)) {
            nrt_err_report(err, "cannot resume from '%s': it is damaged", r->path);
            return -1;
        }
        e->size = get_i64(&r->io);
        e->lines = get_i64(&r->io);
    }
    folder->resume = r->files;
    folder->nresume = r->nfiles;
    return 0;
}

int nrt_ckpt_restore(nrt_ckpt_reader *r, nrt_ckpt_state *st)
{
    const nrt_run_desc *d = st->d;
    const char *why = "it is damaged";
    for (int p = 0; p < d->npops; p++) {
        st->spike_counts[p] = get_i64(&r->io);
        if (!load_pop(&r->io, &st->pops[p], &d->pops[p]))
            goto bad;
    }
    for (int b = 0; b < d->nconns; b++)
        if (!load_conn(&r->io, &st->conns[b], &d->conns[b])) {
            why = "its synapses differ from the ones this run built";
            goto bad;
        }
    if (st->net && nrt_net_load(st->net, &r->io) != 0)
        goto bad;
    if (nrt_monitors_load(st->mon, &r->io) != 0 || r->io.bad)
        goto bad;
    for (int p = 0; st->stats && p < d->npops; p++)
        if (!load_stats(&r->io, &st->stats[p]))
            goto bad;
    return 0;
bad:
    nrt_err_report(r->err, "cannot resume from '%s': %s", r->path, why);
    return -1;
}

void nrt_ckpt_close(nrt_ckpt_reader *r)
{
    if (r->io.f)
        fclose(r->io.f);
    for (int k = 0; r->files && k < r->nfiles; k++)
        free(r->files[k].name);
    free(r->files);
    free(r->path);
    memset(r, 0, sizeof *r);
}
