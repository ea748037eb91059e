/* The memory a run will need, estimated from its description before anything is
 * allocated, and compared with the memory the machine can give it.
 *
 * Without this, a population of 10^9 neurons or a dense connection of 10^6 x 10^6 pairs
 * allocates until the kernel's out-of-memory killer ends the process, with nothing said
 * and nothing written. The estimate counts what grows with the model: per-neuron arrays,
 * synapses, spike histories and the monitors' row buffers. It errs a little high (every
 * array is rounded to whole cache lines in pop.c) and ignores the fixed overhead of a few
 * megabytes. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "internal.h"
#include "spike_stats.h"
#include "net.h"

static const double GiB = 1073741824.0;

/* Bytes that per-neuron storage takes in pop.c: one double per array slot, the
 * refractory counter, the condition flag, the spike list and the flag bytes; and the
 * accumulators of summary.json's spike statistics (spike_stats.c). */
static double pop_bytes(const nrt_pop_desc *p)
{
    double per_neuron = 8.0 * (p->narrays > 0 ? p->narrays : 0) + 4.0 + 1.0 + 8.0 + 1.0;
    return (double)(p->n > 0 ? p->n : 0) * per_neuron + nrt_spike_stats_bytes(p->n);
}

/* MemAvailable from /proc/meminfo (what can be allocated without swapping), else the
 * physical memory; lowered to RLIMIT_AS when an address-space limit is set. */
static double memory_available(void)
{
    double avail = INFINITY;
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        char line[256];
        unsigned long long kib;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1) {
                avail = (double)kib * 1024.0;
                break;
            }
        fclose(f);
    }
    if (isinf(avail)) {
        long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        if (pages > 0 && page > 0)
            avail = (double)pages * (double)page;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (double)rl.rlim_cur < avail)
        avail = (double)rl.rlim_cur;
    return avail;
}

static void format_bytes(double bytes, char *buf, size_t size)
{
    if (bytes >= GiB)
        snprintf(buf, size, "%.3g GiB", bytes / GiB);
    else
        snprintf(buf, size, "%.3g MiB", bytes / 1048576.0);
}

int nrt_mem_check(const nrt_run_desc *d, double limit, nrt_err *err)
{
    bool from_flag = limit > 0;
    if (!from_flag)
        limit = memory_available();
    double total = 0, worst = -1;
    char blame[256] = "";
    for (int p = 0; p < d->npops; p++) {
        const nrt_pop_desc *pd = &d->pops[p];
        double bytes = pop_bytes(pd);
        total += bytes;
        if (bytes > worst) {
            worst = bytes;
            snprintf(blame, sizeof blame, "population '%s' (%lld neurons of %.0f bytes)", pd->name,
                     (long long)pd->n, bytes / (double)(pd->n > 0 ? pd->n : 1));
        }
    }
    for (int b = 0; b < d->nconns; b++) {
        const nrt_conn_desc *cd = &d->conns[b];
        int64_t npre = cd->pre >= 0 && cd->pre < d->npops ? d->pops[cd->pre].n : 0;
        int64_t npost = cd->post >= 0 && cd->post < d->npops ? d->pops[cd->post].n : 0;
        double synapses = 0, bytes = nrt_conn_estimate(cd, npre, npost, &synapses);
        /* delivery split across threads: row offsets per range (at most a range per thread) */
        bytes += (double)nrt_net_split_bytes(npre, nrt_threads_used(d));
        total += bytes;
        if (bytes > worst) {
            worst = bytes;
            snprintf(blame, sizeof blame, "connection '%s' (about %.3g synapses)", cd->name, synapses);
        }
    }
    /* The monitors keep one row per recorded trace for .npy and one value per synapse for
     * weight records; spike histories hold a few steps of spike lists. Both are small next
     * to the populations they serve, and counted with them. */
    for (int t = 0; t < d->ntraces; t++) {
        const nrt_trace_desc *td = &d->traces[t];
        if (td->pop >= 0 && td->pop < d->npops)
            total += 8.0 * (double)(td->index ? td->nindex : d->pops[td->pop].n);
    }
    if (total <= limit)
        return 0;
    char need[32], have[32], part[32];
    format_bytes(total, need, sizeof need);
    format_bytes(limit, have, sizeof have);
    format_bytes(worst, part, sizeof part);
    nrt_err_report(err,
                   "this run needs about %s of memory, more than the %s %s; %s alone needs %s "
                   "(--max-memory changes the limit)",
                   need, have, from_flag ? "that --max-memory allows" : "available on this machine", blame,
                   part);
    return -1;
}

/* "512M", "8G", "1.5GiB", "2TB", or a number of bytes; binary multiples. */
bool nrt_parse_memory(const char *text, double *bytes)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || !(v > 0) || !isfinite(v))
        return false;
    double scale = 1;
    switch (*end) {
    case 'k': case 'K': scale = 1024.0; end++; break;
    case 'm': case 'M': scale = 1048576.0; end++; break;
    case 'g': case 'G': scale = GiB; end++; break;
    case 't': case 'T': scale = GiB * 1024.0; end++; break;
    default: break;
    }
    if (scale > 1 && *end == 'i')
        end++;
    if (*end == 'B')
        end++;
    if (*end != '\0')
        return false;
    *bytes = v * scale;
    return true;
}
