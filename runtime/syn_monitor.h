/* `record VAR of CONN every T` (private to the runtime): weights_CONN_VAR.csv, header
 * t_ms,pre,post,value, one row per synapse of the statement at each sample (blocks in
 * order, then pre, then post index; indices in the statement's concatenated space); with
 * --format npy, weights_CONN_VAR.npy ([samples, synapses]) with _t, _pre and _post. */
#ifndef NRT_SYN_MONITOR_H
#define NRT_SYN_MONITOR_H

#include "internal.h"

typedef struct nrt_syn_mon {
    const nrt_syn_trace_desc *d;
    nrt_out csv;
    nrt_npy data, times;
    double *row;              /* one sample, NPY only */
    int64_t nsyn;
    char *file;
} nrt_syn_mon;

typedef struct nrt_syn_monitors {
    const nrt_run_desc *desc;
    const nrt_conn *conns;
    double dt_ms;
    int n;
    nrt_syn_mon *mon;
} nrt_syn_monitors;

int nrt_syn_monitors_open(nrt_syn_monitors *m, const nrt_run_desc *desc, const nrt_conn *conns, double dt_ms,
                          nrt_folder *folder);
int nrt_syn_monitors_sample(nrt_syn_monitors *m, int64_t step);
int nrt_syn_monitors_close(nrt_syn_monitors *m);
void nrt_syn_monitors_free(nrt_syn_monitors *m);
const char *nrt_syn_monitors_file(const nrt_syn_monitors *m, int t);
const char *nrt_syn_monitors_unit(const nrt_syn_monitors *m, int t);

#endif
