/* The search of `nrnc fit`: GSL's multimin in a transformed space, asking the model for
 * candidates in batches, so that each generation of the search is one vectorised run.
 *
 * Space. Each param is searched as z (fit.h: fit_to_x): a logistic map of [lo, hi] keeps
 * every candidate inside the bounds without constraints, and an unbounded param is
 * scaled by its start value, so that a step of 0.1 in z is a 10% change whatever the
 * unit.
 *
 * Nelder–Mead (gsl_multimin_fminimizer_nmsimplex2), for spike trains, whose objective
 * jumps when a spike appears or vanishes: `starts` simplices search side by side, the
 * first from the start values, the others from points spread around it, and each runs
 * on a thread of its own that only computes the simplex; when every running simplex has
 * asked for its next point, the points go to the model as one batch (one run of the
 * replicated population) and each simplex goes on with its value. The answer is the
 * best point of all; it has converged when the simplex that found it shrank below `tol`.
 * Then a fresh simplex starts at the best point, up to NM_RESTARTS times while that
 * still lowers the objective (a collapsed simplex can stall short of the minimum).
 * The threads never run model code, and what each simplex sees does not depend on how
 * the batches were formed, so the result is the same on every run.
 *
 * BFGS (gsl_multimin_fdfminimizer_vector_bfgs2), for least squares on traces: the
 * gradient is a central difference (step 1e-5 in z), and the point with its 2p stencil
 * points is one batch. Converged when the gradient is small against the objective
 * (|g|∞ <= 1e-5 (f + 1e-12 f_start)), or when the line search can no longer improve a
 * point whose gradient is within 1e3 of that or whose objective is below 1e-16 f_start
 * (data the model reproduces to rounding); otherwise Nelder–Mead takes over from
 * the best point (method "bfgs+nelder-mead").
 *
 * Reported as not converged (fit_note says why): the model fails at the start values (a
 * bad start); the objective is the same at every point of the first generation (the
 * params do not change the model's output there); the iterations ran out; a bounded
 * param ends within 0.25% of the range from a bound; RUN_BUDGET · max_iter runs of the
 * model are spent (a line search chasing a param to infinity). */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"

/* RUN_BUDGET: runs of the model per allowed iteration, in all */
enum { Z_AT_BOUND = 6, NM_RESTARTS = 3, RUN_BUDGET = 10 };              /* |z| beyond: within 0.25% of the range of a bound */
static const double GRAD_STEP = 1e-5;

/* ---- the space --------------------------------------------------------------------- */

static double unbounded_scale(const FitParam *q)
{
    return q->start != 0 ? fabs(q->start) : q->scale;
}

double fit_to_x(const FitParam *q, double z)
{
    if (!q->bounded)
        return q->start + unbounded_scale(q) * z;
    return q->lo + (q->hi - q->lo) / (1 + exp(-z));
}

double fit_to_z(const FitParam *q, double x)
{
    if (!q->bounded)
        return (x - q->start) / unbounded_scale(q);
    double u = (x - q->lo) / (q->hi - q->lo);
    return log(u / (1 - u));
}

double fit_dx_dz(const FitParam *q, double z)
{
    if (!q->bounded)
        return unbounded_scale(q);
    double e = exp(-fabs(z));
    return (q->hi - q->lo) * e / ((1 + e) * (1 + e));
}

/* ---- results ----------------------------------------------------------------------- */

void fit_note(FitResult *res, const char *fmt, ...)
{
    size_t len = strlen(res->report);
    if (len + 2 >= sizeof res->report)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->report + len, sizeof res->report - len - 1, fmt, ap);
    va_end(ap);
    strcat(res->report, "\n");
}

static void push_history(FitResult *res)
{
    if (res->nhistory == res->caphistory) {
        res->caphistory = res->caphistory ? 2 * res->caphistory : 64;
        res->history = fit_xrealloc(res->history, sizeof *res->history * (size_t)res->caphistory);
    }
    res->history[res->nhistory++] = res->f;
}

void fit_result_free(FitResult *res)
{
    free(res->x);
    free(res->se);
    free(res->history);
    res->x = res->se = res->history = NULL;
}

bool fit_eval_points(const FitSpec *spec, FitResult *res, const double *z, int m, double *x, double *f)
{
    int p = spec->p;
    for (int r = 0; r < m; r++)
        for (int k = 0; k < p; k++)
            x[r * p + k] = fit_to_x(&spec->params[k], z[r * p + k]);
    res->runs++;
    res->evaluations += m;
    return spec->eval(spec->ctx, x, m, f);
}

/* Evaluates m points z[r·p ..] into f, keeping the best point seen in res. false when
 * the model cannot be run at all. */
static bool eval_z(const FitSpec *spec, FitResult *res, const double *z, int m, double *f)
{
    int p = spec->p;
    if (res->runs >= (long)RUN_BUDGET * spec->max_iter) {
        /* spent: every point fails from now on, which ends either search */
        if (!res->exhausted)
            fit_note(res, "not converged: the budget of %ld runs of the model is spent",
                     (long)RUN_BUDGET * spec->max_iter);
        res->exhausted = true;
        res->converged = false;
        for (int r = 0; r < m; r++)
            f[r] = INFINITY;
        return true;
    }
    double *x = fit_xcalloc((size_t)m * (size_t)p, sizeof *x);
    bool ok = fit_eval_points(spec, res, z, m, x, f);
    for (int r = 0; ok && r < m; r++) {
        if (!isfinite(f[r]))
            f[r] = INFINITY;
        if (f[r] != res->f_start && res->evaluations > m)
            res->varied = true;
        if (f[r] < res->f) {
            res->f = f[r];
            memcpy(res->x, x + r * p, sizeof *x * (size_t)p);
        }
    }
    free(x);
    return ok;
}

/* ---- Nelder–Mead, several simplices in lockstep ------------------------------------- */

typedef struct Lockstep Lockstep;

typedef struct Lane {
    Lockstep *ls;
    int k;
    pthread_t thread;
    double *z0;
    double step;
    bool converged;
    bool failed_start;
    int iterations;
    double best;              /* this simplex's best value */
} Lane;

struct Lockstep {
    const FitSpec *spec;
    FitResult *res;
    pthread_mutex_t mu;
    pthread_cond_t posted, answered;
    int nlanes, running, waiting;
    long round;
    double *z;                /* nlanes x p: the point each lane asks for */
    double *f;
    bool *want;
    bool abort;
    int max_iter;
    double tol;
};

static double lane_f(const gsl_vector *v, void *param)
{
    Lane *lane = param;
    Lockstep *ls = lane->ls;
    int p = ls->spec->p;
    pthread_mutex_lock(&ls->mu);
    if (ls->abort) {
        pthread_mutex_unlock(&ls->mu);
        return GSL_NAN;
    }
    for (int k = 0; k < p; k++)
        ls->z[lane->k * p + k] = gsl_vector_get(v, (size_t)k);
    ls->want[lane->k] = true;
    ls->waiting++;
    pthread_cond_signal(&ls->posted);
    long round = ls->round;
    while (ls->round == round)
        pthread_cond_wait(&ls->answered, &ls->mu);
    double f = ls->f[lane->k];
    pthread_mutex_unlock(&ls->mu);
    return f;
}

static void *lane_main(void *arg)
{
    Lane *lane = arg;
    Lockstep *ls = lane->ls;
    int p = ls->spec->p;
    gsl_multimin_function fn = {.f = lane_f, .n = (size_t)p, .params = lane};
    gsl_multimin_fminimizer *s = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, (size_t)p);
    gsl_vector *x = gsl_vector_alloc((size_t)p), *step = gsl_vector_alloc((size_t)p);
    if (!s || !x || !step) {
        fputs("nrnc: fatal: out of memory\n", stderr);
        exit(70);
    }
    for (int k = 0; k < p; k++) {
        gsl_vector_set(x, (size_t)k, lane->z0[k]);
        gsl_vector_set(step, (size_t)k, lane->step);
    }
    lane->best = INFINITY;
    if (gsl_multimin_fminimizer_set(s, &fn, x, step) != GSL_SUCCESS) {
        lane->failed_start = true;   /* a corner of the first simplex failed */
    } else {
        while (lane->iterations < ls->max_iter) {
            lane->iterations++;
            int status = gsl_multimin_fminimizer_iterate(s);
            lane->best = s->fval;
            if (status != GSL_SUCCESS || ls->abort)
                break;
            if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), ls->tol) == GSL_SUCCESS) {
                lane->converged = isfinite(s->fval);
                break;
            }
        }
        lane->best = s->fval;
    }
    gsl_multimin_fminimizer_free(s);
    gsl_vector_free(x);
    gsl_vector_free(step);
    pthread_mutex_lock(&ls->mu);
    ls->running--;
    pthread_cond_signal(&ls->posted);
    pthread_mutex_unlock(&ls->mu);
    return NULL;
}

/* Serves the lanes' points in batches until every lane is done. */
static bool serve(Lockstep *ls)
{
    const FitSpec *spec = ls->spec;
    int p = spec->p;
    double *z = fit_xcalloc((size_t)ls->nlanes * (size_t)p, sizeof *z), *f = fit_xcalloc((size_t)ls->nlanes, sizeof *f);
    int *who = fit_xcalloc((size_t)ls->nlanes, sizeof *who);
    bool ok = true;
    pthread_mutex_lock(&ls->mu);
    for (;;) {
        while (ls->waiting < ls->running)
            pthread_cond_wait(&ls->posted, &ls->mu);
        if (ls->running == 0)
            break;
        int m = 0;
        for (int k = 0; k < ls->nlanes; k++)
            if (ls->want[k]) {
                memcpy(z + m * p, ls->z + k * p, sizeof *z * (size_t)p);
                who[m++] = k;
            }
        if (!eval_z(spec, ls->res, z, m, f)) {
            ok = false;
            ls->abort = true;
        }
        for (int r = 0; r < m; r++) {
            ls->f[who[r]] = ok ? f[r] : GSL_NAN;
            ls->want[who[r]] = false;
        }
        push_history(ls->res);
        if (spec->verbose)
            fprintf(stderr, "nrnc fit: generation %d: %d candidates, best %.6g\n", ls->res->nhistory, m, ls->res->f);
        ls->waiting = 0;
        ls->round++;
        pthread_cond_broadcast(&ls->answered);
    }
    pthread_mutex_unlock(&ls->mu);
    free(z);
    free(f);
    free(who);
    return ok;
}

/* A fixed spread of start points: splitmix64 of the lane and param. */
static double spread(int lane, int k)
{
    uint64_t x = (uint64_t)lane * 0x9E3779B97F4A7C15ull + (uint64_t)k * 0xBF58476D1CE4E5B9ull + 1;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    x ^= x >> 31;
    return 2.0 * (double)(x >> 11) * 0x1.0p-53 - 1.0;
}

static bool nelder_mead(const FitSpec *spec, FitResult *res, const double *z0, int starts)
{
    int p = spec->p;
    Lockstep ls = {.spec = spec, .res = res, .nlanes = starts, .running = starts, .max_iter = spec->max_iter,
                   .tol = spec->tol};
    pthread_mutex_init(&ls.mu, NULL);
    pthread_cond_init(&ls.posted, NULL);
    pthread_cond_init(&ls.answered, NULL);
    ls.z = fit_xcalloc((size_t)starts * (size_t)p, sizeof *ls.z);
    ls.f = fit_xcalloc((size_t)starts, sizeof *ls.f);
    ls.want = fit_xcalloc((size_t)starts, sizeof *ls.want);
    Lane *lanes = fit_xcalloc((size_t)starts, sizeof *lanes);
    double *zs = fit_xcalloc((size_t)starts * (size_t)p, sizeof *zs);
    for (int l = 0; l < starts; l++) {
        lanes[l] = (Lane){.ls = &ls, .k = l, .z0 = zs + l * p};
        for (int k = 0; k < p; k++) {
            double width = spec->params[k].bounded ? 1.0 : 0.3;
            zs[l * p + k] = z0[k] + (l == 0 ? 0 : width * spread(l, k));
        }
        lanes[l].step = 0.1;
        for (int k = 0; k < p; k++)
            if (spec->params[k].bounded)
                lanes[l].step = 0.5;
    }
    for (int l = 0; l < starts; l++)
        if (pthread_create(&lanes[l].thread, NULL, lane_main, &lanes[l]) != 0) {
            fputs("nrnc: fatal: cannot start a thread\n", stderr);
            exit(70);
        }
    bool ok = serve(&ls);
    for (int l = 0; l < starts; l++)
        pthread_join(lanes[l].thread, NULL);
    int best = -1, iters = 0;
    for (int l = 0; l < starts; l++) {
        iters = lanes[l].iterations > iters ? lanes[l].iterations : iters;
        if (!lanes[l].failed_start && (best < 0 || lanes[l].best < lanes[best].best))
            best = l;
    }
    res->iterations += iters;
    res->converged = ok && best >= 0 && lanes[best].converged && lanes[best].best <= res->f;
    if (ok && lanes[0].failed_start)
        fit_note(res, "bad start: the model fails (a non-finite state) at or next to the start values");
    if (ok && best >= 0 && !lanes[best].converged && isfinite(res->f))
        fit_note(res, "not converged: %d iterations per simplex (Nelder-Mead) did not shrink the best simplex "
                      "below %g", spec->max_iter, spec->tol);
    free(ls.z);
    free(ls.f);
    free(ls.want);
    free(lanes);
    free(zs);
    pthread_cond_destroy(&ls.posted);
    pthread_cond_destroy(&ls.answered);
    pthread_mutex_destroy(&ls.mu);
    return ok;
}

/* ---- BFGS with a batched finite-difference stencil --------------------------------- */

typedef struct Smooth {
    const FitSpec *spec;
    FitResult *res;
    bool failed;
    double *z, *f;            /* (2p + 1) points */
} Smooth;

static double smooth_f(const gsl_vector *v, void *param)
{
    Smooth *sm = param;
    int p = sm->spec->p;
    for (int k = 0; k < p; k++)
        sm->z[k] = gsl_vector_get(v, (size_t)k);
    if (!eval_z(sm->spec, sm->res, sm->z, 1, sm->f))
        sm->failed = true;
    return sm->failed ? GSL_NAN : sm->f[0];
}

static void smooth_fdf(const gsl_vector *v, void *param, double *f, gsl_vector *g)
{
    Smooth *sm = param;
    int p = sm->spec->p;
    for (int r = 0; r < 2 * p + 1; r++)
        for (int k = 0; k < p; k++)
            sm->z[r * p + k] = gsl_vector_get(v, (size_t)k);
    for (int k = 0; k < p; k++) {
        sm->z[(1 + 2 * k) * p + k] += GRAD_STEP;
        sm->z[(2 + 2 * k) * p + k] -= GRAD_STEP;
    }
    if (!eval_z(sm->spec, sm->res, sm->z, 2 * p + 1, sm->f))
        sm->failed = true;
    if (f)
        *f = sm->failed ? GSL_NAN : sm->f[0];
    for (int k = 0; k < p; k++)
        gsl_vector_set(g, (size_t)k, sm->failed ? GSL_NAN : (sm->f[1 + 2 * k] - sm->f[2 + 2 * k]) / (2 * GRAD_STEP));
}

static void smooth_df(const gsl_vector *v, void *param, gsl_vector *g) { smooth_fdf(v, param, NULL, g); }

static double max_abs(const gsl_vector *g)
{
    double m = 0;
    for (size_t k = 0; k < g->size; k++)
        m = fmax(m, fabs(gsl_vector_get(g, k)));
    return isnan(m) ? INFINITY : m;
}

/* BFGS from z0; *stuck set when it stopped short of convergence at a finite point. */
static bool bfgs(const FitSpec *spec, FitResult *res, const double *z0, bool *stuck)
{
    int p = spec->p;
    Smooth sm = {.spec = spec, .res = res};
    sm.z = fit_xcalloc((size_t)(2 * p + 1) * (size_t)p, sizeof *sm.z);
    sm.f = fit_xcalloc((size_t)(2 * p + 1), sizeof *sm.f);
    gsl_multimin_function_fdf fn = {.f = smooth_f, .df = smooth_df, .fdf = smooth_fdf, .n = (size_t)p, .params = &sm};
    gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(gsl_multimin_fdfminimizer_vector_bfgs2, (size_t)p);
    gsl_vector *x = gsl_vector_alloc((size_t)p);
    if (!s || !x) {
        fputs("nrnc: fatal: out of memory\n", stderr);
        exit(70);
    }
    for (int k = 0; k < p; k++)
        gsl_vector_set(x, (size_t)k, z0[k]);
    *stuck = false;
    int status = gsl_multimin_fdfminimizer_set(s, &fn, x, 0.1, 0.1);
    double f0 = s->f;
    if (sm.failed) {
        status = GSL_EFAILED;
    } else if (!isfinite(f0) || max_abs(s->gradient) == INFINITY) {
        fit_note(res, "bad start: the model fails (a non-finite state) at or next to the start values");
        status = GSL_EFAILED;
    } else {
        push_history(res);
    }
    bool converged = false;
    while (status == GSL_SUCCESS && res->iterations < spec->max_iter) {
        res->iterations++;
        status = gsl_multimin_fdfminimizer_iterate(s);
        push_history(res);
        if (spec->verbose)
            fprintf(stderr, "nrnc fit: iteration %d: f %.9g, |g| %.3g\n", res->iterations, s->f, max_abs(s->gradient));
        double g = max_abs(s->gradient), scale = fabs(s->f) + 1e-12 * fabs(f0);
        if (sm.failed)
            break;
        bool exact = s->f <= 1e-16 * fabs(f0);   /* data the model reproduces to rounding */
        if (g <= 1e-5 * scale || (status == GSL_ENOPROG && (g <= 1e-2 * scale || exact))) {
            converged = true;
            break;
        }
    }
    if (!converged && !sm.failed && isfinite(res->f))
        *stuck = true;
    res->converged = converged;
    gsl_multimin_fdfminimizer_free(s);
    gsl_vector_free(x);
    free(sm.z);
    free(sm.f);
    return !sm.failed;
}

/* ---- the whole search ---------------------------------------------------------------- */

static void check_bounds(const FitSpec *spec, FitResult *res)
{
    for (int k = 0; k < spec->p; k++) {
        const FitParam *q = &spec->params[k];
        if (!q->bounded || fabs(fit_to_z(q, res->x[k])) < Z_AT_BOUND)
            continue;
        bool upper = res->x[k] > 0.5 * (q->lo + q->hi);
        fit_note(res, "%s = %.6g %s is at its %s bound (%.6g %s): the best value may lie beyond it; widen --bounds "
                      "or check the model", q->name, res->x[k] / q->scale, q->unit, upper ? "upper" : "lower",
                 (upper ? q->hi : q->lo) / q->scale, q->unit);
        res->converged = false;
    }
}

bool fit_minimize(const FitSpec *spec, FitResult *res)
{
    int p = spec->p;
    gsl_set_error_handler_off();
    memset(res, 0, sizeof *res);
    res->x = fit_xcalloc((size_t)p, sizeof *res->x);
    res->se = fit_xcalloc((size_t)p, sizeof *res->se);
    res->f = INFINITY;
    double *z0 = fit_xcalloc((size_t)p, sizeof *z0);
    for (int k = 0; k < p; k++) {
        z0[k] = fit_to_z(&spec->params[k], spec->params[k].start);
        res->x[k] = spec->params[k].start;
        res->se[k] = NAN;
    }
    /* the start alone first: a model that fails there is a bad start, said plainly */
    double f_start;
    bool ok = eval_z(spec, res, z0, 1, &f_start);
    res->f_start = f_start;
    if (ok && !isfinite(f_start)) {
        fit_note(res, "bad start: the model fails (a non-finite state) at the start values; give other values "
                      "with --set or narrower --bounds");
        free(z0);
        return true;
    }
    if (ok && spec->method == FIT_BFGS) {
        bool stuck;
        res->method = "bfgs";
        ok = bfgs(spec, res, z0, &stuck);
        if (ok && stuck) {
            res->method = "bfgs+nelder-mead";
            for (int k = 0; k < p; k++)
                z0[k] = fit_to_z(&spec->params[k], res->x[k]);
            ok = nelder_mead(spec, res, z0, 1);
        }
    } else if (ok) {
        res->method = "nelder-mead";
        ok = nelder_mead(spec, res, z0, spec->starts > 0 ? spec->starts : 1);
        /* a collapsed simplex can stall short of the minimum: start a fresh one at the
         * best point while that still improves it */
        for (int again = 0; ok && again < NM_RESTARTS && res->converged; again++) {
            double before = res->f;
            for (int k = 0; k < p; k++)
                z0[k] = fit_to_z(&spec->params[k], res->x[k]);
            ok = nelder_mead(spec, res, z0, 1);
            if (!(res->f < before - 1e-9 * fabs(before)))
                break;
        }
    }
    if (ok && !res->varied) {
        fit_note(res, "the objective is %.6g at every candidate tried: the params do not change the model's "
                      "output around the start (a model that never spikes?); start elsewhere with --set",
                 f_start);
        res->converged = false;
    }
    if (ok)
        check_bounds(spec, res);
    if (res->exhausted)
        res->converged = false;
    free(z0);
    return ok;
}
