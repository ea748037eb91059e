/* (placeholder until the weight-file reader lands) */
#ifndef NRT_WFILE_H
#define NRT_WFILE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef struct nrt_wfile {
    bool sparse;
    int64_t rows, cols;
    double *dense;
    int64_t nnz;
    int32_t *pre, *post;
    double *w;
} nrt_wfile;
int nrt_wfile_read(nrt_wfile *out, const char *path, int64_t rows, int64_t cols, double scale,
                   char *msg, size_t msgsize);
void nrt_wfile_free(nrt_wfile *wf);
#endif
