/* Recording synapse variables (see syn_monitor.h). An (event) state is stored as of the
 * synapse's last event; the value written is the one at the sampling time, decayed from
 * there (x · exp(a · (t - last))). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "syn_monitor.h"

static const nrt_syn_var *var_of(const nrt_run_desc *desc, const nrt_syn_trace_desc *t, int b)
{
    return &desc->conns[b].vars[t->var];
}

/* The value of synapse s of block b, in its display unit, at time t_s (seconds). */
static double value_at(const nrt_syn_monitors *m, const nrt_syn_trace_desc *t, int b, int64_t s, double t_s)
{
    const nrt_conn_desc *cd = &m->desc->conns[b];
    const nrt_conn *c = &m->conns[b];
    const nrt_syn_var *v = var_of(m->desc, t, b);
    double x = v->scalar ? c->scalars[v->slot] : c->arrays[v->slot][s];
    if (v->decay != 0 && cd->last_slot >= 0)
        x *= exp(v->decay * (t_s - c->arrays[cd->last_slot][s]));
    return x / v->scale;
}

static int open_one(nrt_syn_monitors *m, nrt_syn_mon *sm, nrt_folder *folder)
{
    const nrt_syn_trace_desc *t = sm->d;
    for (int b = t->first; b < t->first + t->count; b++)
        sm->nsyn += m->conns[b].row ? m->conns[b].nsyn : 0;
    size_t len = strlen(t->file) + 8;
    sm->file = malloc(len);
    if (!sm->file)
        return -1;
    if (m->desc->format == NRT_FORMAT_NPY) {
        snprintf(sm->file, len, "%s.npy", t->file);
        char name[512];
        snprintf(name, sizeof name, "%s_t.npy", t->file);
        sm->row = malloc((size_t)(sm->nsyn > 0 ? sm->nsyn : 1) * sizeof *sm->row);
        if (!sm->row || nrt_npy_open(&sm->data, folder, sm->file, NRT_NPY_F64, sm->nsyn) != 0 ||
            nrt_npy_open(&sm->times, folder, name, NRT_NPY_F64, -1) != 0)
            return -1;
        /* the synapses' indices, once */
        for (int which = 0; which < 2; which++) {
            nrt_npy idx;
            snprintf(name, sizeof name, "%s_%s.npy", t->file, which ? "post" : "pre");
            if (nrt_npy_open(&idx, folder, name, NRT_NPY_I32, -1) != 0)
                return -1;
            for (int b = t->first; b < t->first + t->count; b++) {
                const nrt_conn *c = &m->conns[b];
                for (int64_t i = 0; c->row && i < c->npre; i++)
                    for (int64_t s = c->row[i]; s < c->row[i + 1]; s++) {
                        int32_t v = (int32_t)(which ? c->post_offset + c->post[s] : c->pre_offset + i);
                        nrt_npy_append(&idx, &v, 1);
                    }
            }
            if (nrt_npy_close(&idx) != 0)
                return -1;
        }
        return 0;
    }
    snprintf(sm->file, len, "%s.csv", t->file);
    if (nrt_out_open(&sm->csv, folder, sm->file) != 0)
        return -1;
    static const char header[] = "t_ms,pre,post,value\n";
    return nrt_out_write(&sm->csv, header, sizeof header - 1);
}

int nrt_syn_monitors_open(nrt_syn_monitors *m, const nrt_run_desc *desc, const nrt_conn *conns, double dt_ms,
                          nrt_folder *folder)
{
    memset(m, 0, sizeof *m);
    m->desc = desc;
    m->conns = conns;
    m->dt_ms = dt_ms;
    m->mon = calloc((size_t)desc->nsyn_traces + 1, sizeof *m->mon);
    if (!m->mon) {
        nrt_err_report(folder->err, "out of memory");
        return -1;
    }
    m->n = desc->nsyn_traces;
    for (int t = 0; t < m->n; t++) {
        m->mon[t].d = &desc->syn_traces[t];
        if (open_one(m, &m->mon[t], folder) != 0)
            return -1;
    }
    return 0;
}

static int sample_csv(nrt_syn_monitors *m, nrt_syn_mon *sm, int64_t step)
{
    const nrt_syn_trace_desc *t = sm->d;
    char tbuf[NRT_NUM_BUF], line[4 * NRT_NUM_BUF + 8], vbuf[NRT_NUM_BUF];
    nrt_format_time(step, m->dt_ms, tbuf, sizeof tbuf);
    double t_s = (double)step * m->desc->dt;
    for (int b = t->first; b < t->first + t->count; b++) {
        const nrt_conn *c = &m->conns[b];
        for (int64_t i = 0; c->row && i < c->npre; i++)
            for (int64_t s = c->row[i]; s < c->row[i + 1]; s++) {
                nrt_format_double(value_at(m, t, b, s, t_s), vbuf, sizeof vbuf);
                int len = snprintf(line, sizeof line, "%s,%lld,%lld,%s\n", tbuf, (long long)(c->pre_offset + i),
                                   (long long)(c->post_offset + c->post[s]), vbuf);
                if (nrt_out_write(&sm->csv, line, (size_t)len) != 0)
                    return -1;
            }
    }
    return 0;
}

static int sample_npy(nrt_syn_monitors *m, nrt_syn_mon *sm, int64_t step)
{
    const nrt_syn_trace_desc *t = sm->d;
    double t_s = (double)step * m->desc->dt;
    int64_t at = 0;
    for (int b = t->first; b < t->first + t->count; b++) {
        const nrt_conn *c = &m->conns[b];
        for (int64_t i = 0; c->row && i < c->npre; i++)
            for (int64_t s = c->row[i]; s < c->row[i + 1]; s++)
                sm->row[at++] = value_at(m, t, b, s, t_s);
    }
    double t_ms = (double)step * m->dt_ms;
    if (nrt_npy_append(&sm->data, sm->row, 1) != 0 || nrt_npy_append(&sm->times, &t_ms, 1) != 0)
        return -1;
    return 0;
}

int nrt_syn_monitors_sample(nrt_syn_monitors *m, int64_t step)
{
    for (int t = 0; t < m->n; t++) {
        nrt_syn_mon *sm = &m->mon[t];
        if (step % sm->d->every != 0)
            continue;
        int rc = m->desc->format == NRT_FORMAT_NPY ? sample_npy(m, sm, step) : sample_csv(m, sm, step);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int nrt_syn_monitors_close(nrt_syn_monitors *m)
{
    int rc = 0;
    for (int t = 0; m->mon && t < m->n; t++) {
        nrt_syn_mon *sm = &m->mon[t];
        if (m->desc->format == NRT_FORMAT_NPY) {
            rc |= nrt_npy_close(&sm->data);
            rc |= nrt_npy_close(&sm->times);
        } else {
            rc |= nrt_out_close(&sm->csv);
        }
    }
    return rc ? -1 : 0;
}

void nrt_syn_monitors_free(nrt_syn_monitors *m)
{
    for (int t = 0; m->mon && t < m->n; t++) {
        free(m->mon[t].row);
        free(m->mon[t].file);
    }
    free(m->mon);
    m->mon = NULL;
}

const char *nrt_syn_monitors_file(const nrt_syn_monitors *m, int t)
{
    return m && m->mon && t < m->n && m->mon[t].file ? m->mon[t].file : "";
}

const char *nrt_syn_monitors_unit(const nrt_syn_monitors *m, int t)
{
    if (!m || !m->mon || t >= m->n)
        return "1";
    const nrt_syn_trace_desc *d = m->mon[t].d;
    return var_of(m->desc, d, d->first)->unit;
}
