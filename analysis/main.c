/* an_stats_run: which of the three forms of `nrnc stats` to run, and the folder loaded
 * for it. */
#include "an_int.h"

int an_stats_run(const AnOptions *opt, FILE *out, FILE *log)
{
    AnRun r = { .opt = opt, .log = log };
    int rc;
    if (opt->pca) {
        rc = an_pca(&r);
    } else {
        rc = an_load(&r, opt, log, NULL);
        if (rc == 0 && !r.d.spikes_csv && !r.d.spikes_npy) {
            plot_msg(log, "error", "no spikes in '%s': spikes.csv (or spikes_POP_t.npy) is missing "
                     "or could not be read", opt->outdir);
            rc = AN_EXIT_USAGE;
        }
        if (rc == 0)
            rc = opt->xcorr ? an_xcorr(&r) : an_stats(&r, out);
    }
    an_free(&r);
    return rc;
}
