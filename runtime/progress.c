/* The progress bar on stderr: one line redrawn with '\r', at most ten times a second.
 *
 * The loop must stay cheap, so it only calls nrt_progress_tick when the step counter
 * reaches next_check; the stride between checks doubles while checks come faster than
 * every 10 ms (up to 1024 steps) and halves when a check is late, so slow steps (large
 * networks) still get a bar that moves. In auto mode the bar appears only on a terminal
 * and only once the run, estimated after 0.3 s of wall time, would take over a second. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

enum { BAR_WIDTH = 30, MAX_STRIDE = 1024 };

static const double DRAW_EVERY_S = 0.1, DECIDE_AFTER_S = 0.3, LONG_RUN_S = 1.0;

double nrt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void nrt_progress_begin(nrt_progress *p, int mode, int64_t nsteps, double dt_ms)
{
    memset(p, 0, sizeof *p);
    p->mode = mode;
    if (mode < 0 && !isatty(STDERR_FILENO))
        p->mode = 0;
    p->nsteps = nsteps;
    p->dt_ms = dt_ms;
    p->t0 = nrt_now();
    p->last_draw = p->t0 - DRAW_EVERY_S;
    p->last_check = p->t0;
    p->stride = 1;
    p->next_check = p->mode == 0 ? INT64_MAX : 1;
}

static void draw(nrt_progress *p, int64_t done, double now)
{
    double frac = p->nsteps > 0 ? (double)done / (double)p->nsteps : 1.0;
    char bar[BAR_WIDTH + 1];
    int full = (int)(frac * BAR_WIDTH);
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < full ? '#' : '.';
    bar[BAR_WIDTH] = '\0';
    char t[NRT_NUM_BUF], total[NRT_NUM_BUF], line[160];
    nrt_format_time(done, p->dt_ms, t, sizeof t);
    nrt_format_time(p->nsteps, p->dt_ms, total, sizeof total);
    double eta = done > 0 ? (now - p->t0) * (1.0 - frac) / frac : 0.0;
    int len = snprintf(line, sizeof line, "[%s] %3d%%  %s / %s ms  %.0f s left", bar,
                       (int)(frac * 100), t, total, eta);
    if (len > (int)sizeof line - 1)
        len = (int)sizeof line - 1;
    /* Pad over a longer previous line: no terminal escapes, a redirected stderr stays clean. */
    fprintf(stderr, "\r%-*s", len > p->width ? len : p->width, line);
    fflush(stderr);
    p->width = len;
    p->drawn = true;
    p->last_draw = now;
}

/* Auto mode: decide once enough wall time has passed to extrapolate. */
static void decide(nrt_progress *p, int64_t done, double elapsed)
{
    if (elapsed < DECIDE_AFTER_S || done == 0)
        return;
    double expected = elapsed * (double)p->nsteps / (double)done;
    p->mode = expected > LONG_RUN_S ? 1 : 0;
}

void nrt_progress_tick(nrt_progress *p, int64_t done)
{
    double now = nrt_now();
    double since = now - p->last_check;
    p->last_check = now;
    if (since < DRAW_EVERY_S / 10 && p->stride < MAX_STRIDE)
        p->stride *= 2;
    else if (since > DRAW_EVERY_S * 2 && p->stride > 1)
        p->stride /= 2;
    if (p->mode < 0)
        decide(p, done, now - p->t0);
    if (p->mode == 0) {
        p->next_check = INT64_MAX;
        return;
    }
    if (p->mode > 0 && now - p->last_draw >= DRAW_EVERY_S)
        draw(p, done, now);
    p->next_check = done + p->stride;
}

void nrt_progress_clear(nrt_progress *p)
{
    if (!p->drawn)
        return;
    fprintf(stderr, "\r%*s\r", p->width, "");
    fflush(stderr);
    p->drawn = false;
    p->width = 0;
}

void nrt_progress_end(nrt_progress *p)
{
    nrt_progress_clear(p);
    p->next_check = INT64_MAX;
}
