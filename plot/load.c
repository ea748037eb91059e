/* Loading an output folder into PlotData: what summary.json lists (populations in
 * declaration order, traces with their units, rates, status), or, when it is missing or
 * unreadable, what the folder's file names say; then every data file through the CSV or
 * .npy readers.
 *
 * Spike files are read twice. The first, silent pass counts spikes per population and
 * finds the last time, which fixes how many neurons the raster keeps (every k-th, so at
 * most about PLOT_MAX_DOTS dots) and the rate bins; the second reports bad lines and keeps
 * the dots. Memory so stays bounded by the picture, not by the run's size, and the
 * population rate histogram counts every spike, kept or not.
 *
 * Also here: the small helpers every plot file uses (allocation, messages, paths). */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plot.h"
#include "plot_int.h"

/* Rate bins; neurons a population may have for its per-neuron counts (rate distribution,
 * ISI histogram), which are left out above that. */
enum { MAX_BINS = 100000, MAX_NEURONS = 50000000 };

/* ---- helpers ------------------------------------------------------------------------ */

void *plot_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("nrnc: fatal: out of memory\n", stderr);
        exit(70);
    }
    return q;
}

char *plot_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(plot_xrealloc(NULL, n), s, n);
}

char *plot_join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    bool slash = n > 0 && dir[n - 1] == '/';
    char *s = plot_xrealloc(NULL, n + strlen(name) + 2);
    sprintf(s, "%s%s%s", dir, slash ? "" : "/", name);
    return s;
}

void plot_msg(FILE *log, const char *kind, const char *fmt, ...)
{
    if (!log)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(log, "nrnc: %s: ", kind);
    vfprintf(log, fmt, ap);
    fputc('\n', log);
    va_end(ap);
}

bool plot_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

FILE *plot_fopen(const PlotData *d, const char *path)
{
    if (!d->mem)
        return fopen(path, "rb");
    for (int k = 0; k < d->nmem; k++) {
        if (strcmp(d->mem[k].path, path) != 0)
            continue;
        static char none[1];   /* fmemopen wants a buffer even for no bytes (never written) */
        return fmemopen(d->mem[k].size ? (void *)d->mem[k].data : none, d->mem[k].size, "rb");
    }
    errno = ENOENT;
    return NULL;
}

/* ---- growing arrays ----------------------------------------------------------------- */

int plot_pop_find(PlotData *d, const char *name, bool add)
{
    int last = d->last_pop;    /* spikes come in runs of one population */
    if (last < d->npops && strcmp(d->pops[last].name, name) == 0)
        return last;
    for (int p = 0; p < d->npops; p++)
        if (strcmp(d->pops[p].name, name) == 0)
            return d->last_pop = p;
    if (!add || d->npops >= PLOT_MAX_POPS)
        return -1;
    d->pops = plot_xrealloc(d->pops, (size_t)(d->npops + 1) * sizeof *d->pops);
    PlotPop *p = &d->pops[d->npops];
    memset(p, 0, sizeof *p);
    p->name = plot_xstrdup(name);
    p->max_index = -1;
    p->summary_spikes = NAN;
    return d->last_pop = d->npops++;
}

void plot_pop_keep(PlotPop *p, double t, int32_t i)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 256;
        p->t = plot_xrealloc(p->t, p->cap * sizeof *p->t);
        p->i = plot_xrealloc(p->i, p->cap * sizeof *p->i);
    }
    p->t[p->n] = t;
    p->i[p->n++] = i;
}

void plot_series_push(double **t, double **y, size_t *n, size_t *cap, double tv,
                      const double *yv, int ny)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 256;
        *t = plot_xrealloc(*t, *cap * sizeof **t);
        *y = plot_xrealloc(*y, *cap * (size_t)ny * sizeof **y);
    }
    (*t)[*n] = tv;
    memcpy(*y + *n * (size_t)ny, yv, (size_t)ny * sizeof *yv);
    (*n)++;
}

void plot_trace_select(PlotTrace *tr, int ncols, bool all)
{
    tr->ncols = ncols;
    tr->nsel = all || ncols < PLOT_MAX_LINES ? ncols : PLOT_MAX_LINES;
    size_t n = tr->nsel > 0 ? (size_t)tr->nsel : 0;
    tr->sel = plot_xrealloc(tr->sel, n * sizeof *tr->sel);
    tr->labels = plot_xrealloc(tr->labels, n * sizeof *tr->labels);
    tr->row = plot_xrealloc(tr->row, n * sizeof *tr->row);
    memset(tr->labels, 0, n * sizeof *tr->labels);
    for (int k = 0; k < tr->nsel; k++)
        tr->sel[k] = tr->nsel == ncols ? k
                   : (int)lround((double)k * (ncols - 1) / (PLOT_MAX_LINES - 1));
}

static PlotTrace *add_trace(PlotData *d, const char *name, const char *file, const char *unit)
{
    if (d->opt.only_trace && strcmp(d->opt.only_trace, name) != 0)
        return NULL;
    d->traces = plot_xrealloc(d->traces, (size_t)(d->ntraces + 1) * sizeof *d->traces);
    PlotTrace *tr = &d->traces[d->ntraces++];
    memset(tr, 0, sizeof *tr);
    tr->name = plot_xstrdup(name);
    tr->file = plot_join(d->dir, file);
    tr->unit = unit ? plot_xstrdup(unit) : NULL;
    size_t n = strlen(file);
    tr->npy = n > 4 && strcmp(file + n - 4, ".npy") == 0;
    return tr;
}

static void add_rate(PlotData *d, const char *name, const char *file)
{
    if (d->opt.no_rates)
        return;
    d->rates = plot_xrealloc(d->rates, (size_t)(d->nrates + 1) * sizeof *d->rates);
    PlotRate *r = &d->rates[d->nrates++];
    memset(r, 0, sizeof *r);
    r->name = plot_xstrdup(name);
    r->file = plot_join(d->dir, file);
    size_t n = strlen(file);
    r->npy = n > 4 && strcmp(file + n - 4, ".npy") == 0;
    r->pop = plot_pop_find(d, name, false);
    const char *us = strrchr(name, '_');
    if (r->pop < 0 && us) {       /* a second monitor of E is "E_2" */
        char *base = plot_xstrdup(name);
        base[us - name] = '\0';
        r->pop = plot_pop_find(d, base, false);
        free(base);
    }
}

/* ---- summary.json ------------------------------------------------------------------- */

static char *dup_str(const Json *obj, const char *key)
{
    const char *s = plot_json_str(obj, key);
    return s ? plot_xstrdup(s) : NULL;
}

static void from_summary(PlotData *d, const Json *root)
{
    d->model = dup_str(root, "model");
    d->network = dup_str(root, "network");
    d->status = dup_str(root, "status");
    d->error = dup_str(root, "error");
    d->duration_ms = plot_json_num(root, "duration_ms");
    d->simulated_ms = plot_json_num(root, "simulated_ms");
    d->dt_ms = plot_json_num(root, "dt_ms");
    d->seed = plot_json_num(root, "seed");
    const Json *pops = plot_json_get(root, "populations");
    d->pops_known = pops && pops->kind == JSON_OBJ;
    for (int k = 0; pops && pops->kind == JSON_OBJ && k < pops->n; k++) {
        int p = plot_pop_find(d, pops->keys[k], true);
        double size = plot_json_num(&pops->items[k], "size");
        if (p >= 0 && isfinite(size) && size > 0 && size < 9e15)
            d->pops[p].size = (long long)size;
        if (p >= 0)
            d->pops[p].summary_spikes = plot_json_num(&pops->items[k], "spikes");
    }
    const Json *traces = plot_json_get(root, "traces");
    for (int k = 0; traces && traces->kind == JSON_OBJ && k < traces->n; k++) {
        const char *file = plot_json_str(&traces->items[k], "file");
        if (file)
            add_trace(d, traces->keys[k], file, plot_json_str(&traces->items[k], "unit"));
        else
            plot_msg(d->log, "warning", "summary.json: trace '%s' names no file", traces->keys[k]);
    }
    const Json *rates = plot_json_get(root, "rates");
    for (int k = 0; rates && rates->kind == JSON_OBJ && k < rates->n; k++) {
        const char *file = plot_json_str(&rates->items[k], "file");
        if (file)
            add_rate(d, rates->keys[k], file);
    }
}

/* ---- no summary.json: the file names ------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_affixes(const char *s, const char *pre, const char *suf)
{
    size_t n = strlen(s), a = strlen(pre), b = strlen(suf);
    return n > a + b && strncmp(s, pre, a) == 0 && strcmp(s + n - b, suf) == 0;
}

/* NAME_t.npy is the time axis of NAME.npy when that is in the listing too. */
static bool is_time_file(char **names, size_t n, const char *s)
{
    if (!has_affixes(s, "", "_t.npy"))
        return false;
    char *data = plot_xstrdup(s);
    strcpy(data + strlen(data) - 6, ".npy");
    bool found = bsearch(&data, names, n, sizeof *names, cmp_str) != NULL;
    free(data);
    return found;
}

static void discover_one(PlotData *d, char **names, size_t n, const char *s)
{
    char stem[256];
    size_t len = strlen(s);
    if (len >= sizeof stem || s[0] == '.')
        return;
    if (has_affixes(s, "spikes_", "_t.npy")) {
        snprintf(stem, sizeof stem, "%.*s", (int)(len - 13), s + 7);
        plot_pop_find(d, stem, true);
        return;
    }
    bool csv = has_affixes(s, "", ".csv"), npy = has_affixes(s, "", ".npy");
    if ((!csv && !npy) || is_time_file(names, n, s))
        return;
    snprintf(stem, sizeof stem, "%.*s", (int)(len - 4), s);
    if (has_affixes(stem, "trace_", ""))
        add_trace(d, stem + 6, s, NULL);
    else if (has_affixes(stem, "rate_", ""))
        add_rate(d, stem + 5, s);
}

static void discover(PlotData *d, DIR *dir)
{
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        names = plot_xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = plot_xstrdup(e->d_name);
    }
    qsort(names, n, sizeof *names, cmp_str);   /* readdir's order is the disk's */
    for (size_t k = 0; k < n; k++)
        discover_one(d, names, n, names[k]);
    for (size_t k = 0; k < n; k++)
        free(names[k]);
    free(names);
}

/* ---- data files --------------------------------------------------------------------- */

static void count_spike(PlotData *d, int pop, long long index, double t)
{
    PlotPop *p = &d->pops[pop];
    p->spikes++;
    if (index > p->max_index)
        p->max_index = index;
    if (t > d->t_max)
        d->t_max = t;
}

/* The ISI histogram's bin of an ISI (PLOT_ISI_*), or -1 for none (not positive). */
static int isi_bin(double isi)
{
    if (!(isi > 0))
        return -1;
    double b = floor(log10(isi / PLOT_ISI_MIN_MS) * PLOT_ISI_PER_DECADE);
    return b < 0 ? 0 : b >= PLOT_ISI_BINS ? PLOT_ISI_BINS - 1 : (int)b;
}

static void keep_spike(PlotData *d, int pop, long long index, double t)
{
    PlotPop *p = &d->pops[pop];
    p->spikes++;
    if (p->count && index < p->size) {
        int b = p->count[index]++ ? isi_bin(t - p->last[index]) : -1;
        if (b >= 0) {
            p->isi_hist[b]++;
            p->isis++;
        }
        p->last[index] = t;
    }
    if (index % d->every == 0)
        plot_pop_keep(p, t, (int32_t)index);
    double bin = p->hist ? t / d->bin_ms : -1;
    if (bin >= 0 && bin <= d->nbins * (1 + 1e-9))     /* the end belongs to the last bin */
        p->hist[bin < d->nbins ? (int)bin : d->nbins - 1]++;
}

static bool spike_pass(PlotData *d, bool report, PlotSpikeFn fn)
{
    if (d->spikes_csv) {
        char *path = plot_join(d->dir, "spikes.csv");
        bool ok = plot_csv_spikes(d, path, report, fn);
        free(path);
        return ok;
    }
    bool any = false;
    for (int p = 0; p < d->npops; p++) {
        char name[300];
        snprintf(name, sizeof name, "spikes_%s_t.npy", d->pops[p].name);
        char *path = plot_join(d->dir, name);
        d->pops[p].recorded = plot_file_exists(path);
        if (d->pops[p].recorded)
            any |= plot_npy_spikes(d, p, report, fn);
        free(path);
    }
    return any;
}

/* Rate bins from spikes: 1% of the duration, a whole number of steps, at least one. */
static void choose_bins(PlotData *d)
{
    double end = isfinite(d->simulated_ms) && d->simulated_ms > 0 ? d->simulated_ms : d->t_max;
    double dur = isfinite(d->duration_ms) && d->duration_ms > 0 ? d->duration_ms : end;
    for (int k = 0; k < d->nrates; k++)
        if (d->rates[k].ok)
            return;             /* the run's own rate monitors say it better */
    if (!(end > 0))
        return;
    double bin = 0.01 * dur;
    if (isfinite(d->dt_ms) && d->dt_ms > 0)
        bin = d->dt_ms * fmax(1.0, round(bin / d->dt_ms));
    double nb = ceil(end / bin * (1 - 1e-12));
    if (!(nb >= 1 && nb <= MAX_BINS))
        return;
    d->bin_ms = bin;
    d->nbins = (int)nb;
    for (int p = 0; p < d->npops; p++) {
        if (!d->pops[p].recorded)
            continue;
        d->pops[p].hist = plot_xrealloc(NULL, (size_t)d->nbins * sizeof(double));
        memset(d->pops[p].hist, 0, (size_t)d->nbins * sizeof(double));
    }
}

static void load_spikes(PlotData *d)
{
    if (!spike_pass(d, false, count_spike)) {
        spike_pass(d, true, count_spike);    /* only to report why */
        d->spikes_csv = d->spikes_npy = false;
        return;
    }
    for (int p = 0; p < d->npops; p++) {
        PlotPop *pp = &d->pops[p];
        d->total_spikes += pp->spikes;
        if (pp->size <= pp->max_index)
            pp->size = pp->max_index + 1;
        /* spikes.csv cannot tell a silent population from one not recorded; summary.json's
         * count, which includes unrecorded spikes, can */
        if (d->spikes_csv)
            pp->recorded = pp->spikes > 0 || !(pp->summary_spikes > 0);
        pp->spikes = 0;
    }
    d->every = (int)((d->total_spikes + PLOT_MAX_DOTS - 1) / PLOT_MAX_DOTS);
    if (d->every < 1 || d->opt.all_spikes)
        d->every = 1;
    for (int p = 0; p < d->npops; p++) {
        PlotPop *pp = &d->pops[p];
        if (!pp->recorded || pp->size <= 0 || pp->size > MAX_NEURONS)
            continue;
        pp->count = plot_xrealloc(NULL, (size_t)pp->size * sizeof *pp->count);
        pp->last = plot_xrealloc(NULL, (size_t)pp->size * sizeof *pp->last);
        memset(pp->count, 0, (size_t)pp->size * sizeof *pp->count);
    }
    choose_bins(d);
    spike_pass(d, true, keep_spike);
}

static void load_series(PlotData *d)
{
    for (int k = 0; k < d->ntraces; k++) {
        PlotTrace *tr = &d->traces[k];
        tr->ok = tr->npy ? plot_npy_trace(d, tr) : plot_csv_trace(d, tr);
        if (tr->ok && tr->n > 0 && tr->t[tr->n - 1] > d->t_max)
            d->t_max = tr->t[tr->n - 1];
    }
    for (int k = 0; k < d->nrates; k++) {
        PlotRate *r = &d->rates[k];
        r->ok = r->npy ? plot_npy_rate(d, r) : plot_csv_rate(d, r);
        if (r->ok && r->n > 0 && r->t[r->n - 1] > d->t_max)
            d->t_max = r->t[r->n - 1];
    }
}

/* Something to draw: a spike file, or a trace or rate file that could be read. */
static bool plottable(const PlotData *d)
{
    bool any = d->spikes_csv || d->spikes_npy;
    for (int k = 0; k < d->ntraces; k++)
        any |= d->traces[k].ok;
    for (int k = 0; k < d->nrates; k++)
        any |= d->rates[k].ok;
    return any;
}

static void read_summary(PlotData *d, DIR *dir)
{
    char *path = plot_join(d->dir, "summary.json");
    bool missing;
    Json *root = plot_json_load(path, d->log, &missing);
    if (root) {
        d->have_summary = true;
        from_summary(d, root);
        plot_json_free(root);
    } else {
        plot_msg(d->log, "warning", missing ? "'%s' has no summary.json; plotting the files it "
                 "holds without units" : "summary.json not used; plotting the files in '%s' "
                 "without units", d->dir);
        discover(d, dir);
    }
    free(path);
}

/* pca_NAME_variance.csv with pca_NAME.csv, as `nrnc stats --pca` writes them: read for
 * the PCA panels (in the order of their names; the folder's order is the disk's). */
static void read_pca(PlotData *d, const char *name)
{
    char file[300];
    d->pcas = plot_xrealloc(d->pcas, (size_t)(d->npcas + 1) * sizeof *d->pcas);
    PlotPca *pc = &d->pcas[d->npcas++];
    memset(pc, 0, sizeof *pc);
    pc->name = plot_xstrdup(name);
    snprintf(file, sizeof file, "pca_%s.csv", name);
    pc->proj.name = plot_xstrdup(name);
    pc->proj.file = plot_join(d->dir, file);
    snprintf(file, sizeof file, "pca_%s_variance.csv", name);
    char *path = plot_join(d->dir, file);
    pc->ok = plot_csv_pairs(d, path, "component,explained_ratio", "a component number",
                            "an explained ratio", &pc->comp, &pc->ratio, &pc->n, &pc->cap) &&
             plot_file_exists(pc->proj.file) && plot_csv_trace(d, &pc->proj);
    free(path);
}

static void find_pcas(PlotData *d, DIR *dir)
{
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    rewinddir(dir);
    while ((e = readdir(dir)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 200 && has_affixes(e->d_name, "pca_", "_variance.csv")) {
            names = plot_xrealloc(names, (n + 1) * sizeof *names);
            names[n] = plot_xstrdup(e->d_name + 4);
            names[n][len - 4 - 13] = '\0';
            n++;
        }
    }
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t k = 0; k < n; k++) {
        read_pca(d, names[k]);
        free(names[k]);
    }
    free(names);
}

static bool any_npy_spikes(PlotData *d)
{
    bool any = false;
    for (int p = 0; p < d->npops && !any; p++) {
        char name[300];
        snprintf(name, sizeof name, "spikes_%s_t.npy", d->pops[p].name);
        char *path = plot_join(d->dir, name);
        any = plot_file_exists(path);
        free(path);
    }
    return any;
}

int plot_data_load(PlotData *d, const char *dir, FILE *log)
{
    static const PlotLoad picture = { 0 };
    return plot_data_load_with(d, dir, log, &picture);
}

int plot_data_load_with(PlotData *d, const char *dir, FILE *log, const PlotLoad *opt)
{
    memset(d, 0, sizeof *d);
    d->opt = *opt;
    d->dir = dir;
    d->log = log;
    d->duration_ms = d->simulated_ms = d->dt_ms = d->seed = NAN;
    DIR *dh = opendir(dir);
    if (!dh) {
        plot_msg(log, "error", "cannot open the output folder '%s': %s", dir, strerror(errno));
        return PLOT_EXIT_USAGE;
    }
    read_summary(d, dh);
    if (!opt->all_spikes)
        find_pcas(d, dh);
    closedir(dh);
    char *spikes = plot_join(dir, "spikes.csv");
    d->spikes_csv = plot_file_exists(spikes);
    free(spikes);
    d->spikes_npy = !d->spikes_csv && any_npy_spikes(d);
    load_series(d);
    if (d->spikes_csv || d->spikes_npy)
        load_spikes(d);
    if (!d->opt.all_spikes && !plottable(d)) {   /* analysis says itself what it lacks */
        plot_msg(log, "error", "nothing to plot in '%s': no spikes.csv (or spikes_POP_t.npy), "
                 "and no trace or rate file that could be read", dir);
        return PLOT_EXIT_USAGE;
    }
    return 0;
}

static void trace_free(PlotTrace *tr)
{
    for (int c = 0; tr->labels && c < tr->nsel; c++)
        free(tr->labels[c]);
    free(tr->sel);
    free(tr->labels);
    free(tr->row);
    free(tr->name);
    free(tr->unit);
    free(tr->file);
    free(tr->t);
    free(tr->v);
}

void plot_data_free(PlotData *d)
{
    for (int p = 0; p < d->npops; p++) {
        free(d->pops[p].name);
        free(d->pops[p].t);
        free(d->pops[p].i);
        free(d->pops[p].hist);
        free(d->pops[p].count);
        free(d->pops[p].last);
    }
    for (int k = 0; k < d->ntraces; k++)
        trace_free(&d->traces[k]);
    for (int k = 0; k < d->npcas; k++) {
        free(d->pcas[k].name);
        trace_free(&d->pcas[k].proj);
        free(d->pcas[k].comp);
        free(d->pcas[k].ratio);
    }
    free(d->pcas);
    for (int k = 0; k < d->nrates; k++) {
        free(d->rates[k].name);
        free(d->rates[k].file);
        free(d->rates[k].t);
        free(d->rates[k].hz);
    }
    free(d->pops);
    free(d->traces);
    free(d->rates);
    free(d->model);
    free(d->network);
    free(d->status);
    free(d->error);
}
