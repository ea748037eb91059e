/* `nrnc stats OUTDIR --pca POP[:VAR]`: principal components of a population's activity.
 *
 * The data matrix X has one row per sample and one column per neuron: spike counts in
 * whole bins of --bin (default 5 ms) over (from, to], or the recorded trace of VAR at its
 * samples in [from, to]. Each column is centred (its mean over the samples removed), and
 * X = U S V^T by GSL's Golub-Reinsch SVD (gsl_linalg_SV_decomp),
 * which wants at least as many rows as columns: with fewer samples than neurons it
 * decomposes X^T instead (X^T = U' S V'^T, so the loadings are U' and the projections
 * V' S). Component k explains s_k^2 / sum s^2 of the variance; its projection at each
 * sample is (X V)_k = (U S)_k. Each component's sign is fixed so that its largest loading
 * (in magnitude) is positive: the same data always give the same files.
 *
 * Writes pca_NAME_variance.csv (component,explained_ratio: every component up to
 * min(neurons, samples), or the first K with --components K) and pca_NAME.csv
 * (t_ms,pc1,...,pcK, K = 3 by default; t_ms the bin's centre or the sample's time). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_vector.h>

#include "an_int.h"
#include "nrt.h"
#include "spike_stats.h"

/* The largest matrix accepted: 400 MB of doubles (with its copy for the SVD). */
#define MAX_CELLS 5e7

typedef struct Data {
    gsl_matrix *x;           /* samples x neurons */
    double *t;               /* the samples' times (ms) */
    char name[300];          /* "E" or "E_v" */
} Data;

static bool too_big(const AnRun *r, double rows, double cols, const char *what)
{
    if (rows * cols <= MAX_CELLS)
        return false;
    plot_msg(r->log, "error", "--pca: %.0f %s x %.0f neurons is too large a matrix (at most "
             "%.0f values): choose a larger --bin or a shorter --from/--to", rows, what, cols,
             MAX_CELLS);
    return true;
}

/* Spike counts of population p in whole bins. */
static int from_spikes(AnRun *r, int p, Data *dt)
{
    const AnOptions *o = r->opt;
    int64_t bin = an_ticks(r, isnan(o->bin_ms) ? NRT_STATS_BIN_MS : o->bin_ms);
    int64_t nb = (r->to - r->from) / bin, n = r->d.pops[p].size;
    if (nb < 2) {
        plot_msg(r->log, "error", "--pca: the interval holds %lld whole bins of %g ms; at least "
                 "2 are needed", (long long)nb, (double)bin * r->tick_ms);
        return AN_EXIT_USAGE;
    }
    if (n < 1) {
        plot_msg(r->log, "error", "--pca: population '%s' has no neurons in the files",
                 r->d.pops[p].name);
        return AN_EXIT_USAGE;
    }
    if (too_big(r, (double)nb, (double)n, "bins"))
        return AN_EXIT_USAGE;
    dt->x = gsl_matrix_calloc((size_t)nb, (size_t)n);
    dt->t = plot_xrealloc(NULL, (size_t)nb * sizeof *dt->t);
    for (int64_t b = 0; b < nb; b++)
        dt->t[b] = ((double)r->from + ((double)b + 0.5) * (double)bin) * r->tick_ms;
    AnSpikes s;
    an_spikes(r, p, &s);
    for (int64_t k = 0; k < s.n; k++) {
        int64_t b = s.tick[k] > r->from ? (s.tick[k] - r->from - 1) / bin : -1;
        if (b >= 0 && b < nb && s.idx[k] < n)
            (*gsl_matrix_ptr(dt->x, (size_t)b, (size_t)s.idx[k]))++;
    }
    an_spikes_free(&s);
    snprintf(dt->name, sizeof dt->name, "%s", r->d.pops[p].name);
    return AN_OK;
}

/* The samples of trace tr in [from, to]. */
static int from_trace(AnRun *r, const PlotTrace *tr, const char *pop, const char *var, Data *dt)
{
    double lo = (double)r->from * r->tick_ms, hi = (double)r->to * r->tick_ms;
    size_t rows = 0;
    for (size_t k = 0; k < tr->n; k++)
        rows += tr->t[k] >= lo && tr->t[k] <= hi;
    if (rows < 2) {
        plot_msg(r->log, "error", "--pca %s:%s: %zu samples of the trace lie in the interval; at "
                 "least 2 are needed", pop, var, rows);
        return AN_EXIT_USAGE;
    }
    if (too_big(r, (double)rows, (double)tr->nsel, "samples"))
        return AN_EXIT_USAGE;
    dt->x = gsl_matrix_alloc(rows, (size_t)tr->nsel);
    dt->t = plot_xrealloc(NULL, rows * sizeof *dt->t);
    size_t row = 0;
    for (size_t k = 0; k < tr->n; k++) {
        if (!(tr->t[k] >= lo && tr->t[k] <= hi))
            continue;
        dt->t[row] = tr->t[k];
        for (int c = 0; c < tr->nsel; c++) {
            double v = tr->v[k * (size_t)tr->nsel + (size_t)c];
            gsl_matrix_set(dt->x, row, (size_t)c, isfinite(v) ? v : 0);
        }
        row++;
    }
    snprintf(dt->name, sizeof dt->name, "%s_%s", pop, var);
    return AN_OK;
}

static void centre(gsl_matrix *x)
{
    for (size_t c = 0; c < x->size2; c++) {
        gsl_vector_view col = gsl_matrix_column(x, c);
        double mean = gsl_stats_mean(col.vector.data, col.vector.stride, col.vector.size);
        gsl_vector_add_constant(&col.vector, -mean);
    }
}

/* The decomposition: loadings (neurons x m), projections (samples x m), s^2 (m). */
typedef struct Pcs {
    size_t m;
    gsl_matrix *load, *proj;
    gsl_vector *s;
} Pcs;

static void decompose(const gsl_matrix *x, Pcs *pc)
{
    size_t rows = x->size1, cols = x->size2;
    bool tall = rows >= cols;
    size_t m = tall ? cols : rows;
    gsl_matrix *a = tall ? gsl_matrix_alloc(rows, cols) : gsl_matrix_alloc(cols, rows);
    if (tall)
        gsl_matrix_memcpy(a, x);
    else
        gsl_matrix_transpose_memcpy(a, x);
    gsl_matrix *v = gsl_matrix_alloc(m, m);
    gsl_vector *s = gsl_vector_alloc(m), *work = gsl_vector_alloc(m);
    gsl_linalg_SV_decomp(a, v, s, work);
    gsl_vector_free(work);
    /* tall: a = U (samples), v = V (loadings); else a = U' (loadings), v = V' (samples) */
    pc->m = m;
    pc->load = tall ? v : a;
    pc->proj = tall ? a : v;
    pc->s = s;
    for (size_t k = 0; k < m; k++) {
        gsl_vector_view l = gsl_matrix_column(pc->load, k), p = gsl_matrix_column(pc->proj, k);
        double big = gsl_vector_get(&l.vector, gsl_vector_max_index(&l.vector));
        double small = gsl_vector_get(&l.vector, gsl_vector_min_index(&l.vector));
        double sign = fabs(small) > fabs(big) ? -1 : 1;
        gsl_vector_scale(&l.vector, sign);
        gsl_vector_scale(&p.vector, sign * gsl_vector_get(s, k));
    }
}

static void pcs_free(Pcs *pc)
{
    gsl_matrix_free(pc->load);
    gsl_matrix_free(pc->proj);
    gsl_vector_free(pc->s);
}

static char **labels(int n)
{
    char **l = plot_xrealloc(NULL, (size_t)n * sizeof *l);
    for (int k = 0; k < n; k++)
        l[k] = plot_xrealloc(NULL, 40);
    return l;
}

static void labels_free(char **l, int n)
{
    for (int k = 0; k < n; k++)
        free(l[k]);
    free(l);
}

static int write_variance(const AnRun *r, const Data *dt, const Pcs *pc, int rows)
{
    double total = 0;
    for (size_t k = 0; k < pc->m; k++)
        total += gsl_vector_get(pc->s, k) * gsl_vector_get(pc->s, k);
    double *ratio = plot_xrealloc(NULL, (size_t)rows * sizeof *ratio);
    char **first = labels(rows);
    for (int k = 0; k < rows; k++) {
        double s = gsl_vector_get(pc->s, (size_t)k);
        ratio[k] = total > 0 ? s * s / total : 0;
        snprintf(first[k], 40, "%d", k + 1);
    }
    char name[340];
    snprintf(name, sizeof name, "pca_%s_variance.csv", dt->name);
    AnTable t = { .header = "component,explained_ratio", .rows = rows, .cols = 2,
                  .first = (const char *const *)first, .v = ratio };
    int rc = an_write_table(r, name, &t);
    labels_free(first, rows);
    free(ratio);
    return rc;
}

static int write_projection(const AnRun *r, const Data *dt, const Pcs *pc, int k)
{
    int rows = (int)dt->x->size1;
    size_t hsize = 8 + 16 * (size_t)k;
    char *header = plot_xrealloc(NULL, hsize);
    strcpy(header, "t_ms");
    for (int c = 0; c < k; c++)
        snprintf(header + strlen(header), hsize - strlen(header), ",pc%d", c + 1);
    double *v = plot_xrealloc(NULL, (size_t)rows * (size_t)k * sizeof *v);
    char **first = labels(rows);
    for (int i = 0; i < rows; i++) {
        nrt_format_double(dt->t[i], first[i], 40);
        for (int c = 0; c < k; c++)
            v[(size_t)i * (size_t)k + (size_t)c] = gsl_matrix_get(pc->proj, (size_t)i, (size_t)c);
    }
    char name[320];
    snprintf(name, sizeof name, "pca_%s.csv", dt->name);
    AnTable t = { .header = header, .rows = rows, .cols = k + 1,
                  .first = (const char *const *)first, .v = v };
    int rc = an_write_table(r, name, &t);
    labels_free(first, rows);
    free(v);
    free(header);
    return rc;
}

/* The data of `--pca POP[:VAR]`, loading the folder as it needs. */
static int load_data(AnRun *r, const AnOptions *o, FILE *log, Data *dt)
{
    char pop[256], trace[300];
    const char *colon = strchr(o->pca, ':');
    snprintf(pop, sizeof pop, "%.*s", colon ? (int)(colon - o->pca) : (int)strlen(o->pca), o->pca);
    snprintf(trace, sizeof trace, "%s.%s", pop, colon ? colon + 1 : "");
    int rc = an_load(r, o, log, colon ? trace : NULL);
    if (rc != 0)
        return rc;
    int p = an_pop(r, pop, "--pca");
    if (p < 0)
        return AN_EXIT_USAGE;
    if (!colon)
        return from_spikes(r, p, dt);
    for (int k = 0; k < r->d.ntraces; k++)
        if (r->d.traces[k].ok)
            return from_trace(r, &r->d.traces[k], pop, colon + 1, dt);
    plot_msg(log, "error", "--pca %s: '%s' has no readable trace of %s (was it recorded?)", o->pca,
             o->outdir, trace);
    return AN_EXIT_USAGE;
}

int an_pca(AnRun *r)
{
    const AnOptions *o = r->opt;
    Data dt = { 0 };
    int rc = load_data(r, o, r->log, &dt);
    if (rc == 0) {
        centre(dt.x);
        Pcs pc;
        decompose(dt.x, &pc);
        int m = (int)pc.m, k = o->components > 0 ? o->components : 3;
        if (k > m)
            k = m;
        rc = write_variance(r, &dt, &pc, o->components > 0 ? k : m);
        if (rc == 0)
            rc = write_projection(r, &dt, &pc, k);
        pcs_free(&pc);
    }
    if (dt.x)
        gsl_matrix_free(dt.x);
    free(dt.t);
    return rc;
}
