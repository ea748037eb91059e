#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void nrn_fatal_oom(void)
{
    fputs("nrnc: fatal: out of memory\n", stderr);
    exit(70);
}

void nrn_unreachable_at(const char *file, int line)
{
    fprintf(stderr, "nrnc: internal error at %s:%d (please report this)\n", file, line);
    abort();
}

int nrn_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}
