/* Result files of `nrnc stats` (pca_*.csv, xcorr_*.csv) in the output folder: CSV with a
 * header, numbers in the shortest form that reads back (the runtime's formatter), written
 * to a temporary name and renamed, so that the folder never holds half a file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "an_int.h"
#include "nrt.h"

static void write_rows(FILE *f, const AnTable *t)
{
    fprintf(f, "%s\n", t->header);
    for (int i = 0; i < t->rows; i++) {
        fputs(t->first[i], f);
        for (int c = 1; c < t->cols; c++) {
            char num[40];
            nrt_format_double(t->v[(size_t)i * (size_t)(t->cols - 1) + (size_t)(c - 1)], num,
                              sizeof num);
            fputc(',', f);
            fputs(num, f);
        }
        fputc('\n', f);
    }
}

int an_write_table(const AnRun *r, const char *name, const AnTable *t)
{
    char *path = plot_join(r->opt->outdir, name);
    char *tmp = plot_xrealloc(NULL, strlen(path) + 5);
    sprintf(tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int rc = AN_OK;
    if (f) {
        write_rows(f, t);
        bool bad = ferror(f) != 0;
        int err = errno;
        if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
            plot_msg(r->log, "error", "cannot write '%s': %s", path, strerror(bad ? err : errno));
            remove(tmp);
            rc = AN_EXIT_WRITE;
        }
    } else {
        plot_msg(r->log, "error", "cannot write '%s': %s", path, strerror(errno));
        rc = AN_EXIT_WRITE;
    }
    free(tmp);
    free(path);
    return rc;
}
