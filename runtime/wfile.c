/* (placeholder until the weight-file reader lands) */
#include <stdio.h>
#include <string.h>
#include "wfile.h"
int nrt_wfile_read(nrt_wfile *out, const char *path, int64_t rows, int64_t cols, double scale,
                   char *msg, size_t msgsize)
{
    (void)rows; (void)cols; (void)scale;
    memset(out, 0, sizeof *out);
    snprintf(msg, msgsize, "%s: weight files are not supported yet", path);
    return -1;
}
void nrt_wfile_free(nrt_wfile *wf) { (void)wf; }
