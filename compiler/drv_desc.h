/* The run description of a lowered module, shared by `nrnc run` and `nrnc build` (see
 * drv_desc.c). */
#ifndef NRN_DRV_DESC_H
#define NRN_DRV_DESC_H

#include <stdbool.h>

#include "cg.h"
#include "ir.h"
#include "nrt.h"

typedef struct DrvDesc {
    const IrModule *m;
    nrt_run_desc run;       /* outdir, format, threads, ... are the caller's to set */
    void **blocks;          /* the tables' storage */
    int nblocks, capblocks;
} DrvDesc;

DrvDesc *drv_desc_new(const IrModule *m);
void drv_desc_free(DrvDesc *dd);

/* Calls visit(ctx, slot, symbol) for every generated function the description refers to;
 * visit stores into *slot (an address, for the JIT) or reads the name (for C text).
 * Stops and returns false when visit does. */
typedef bool (*DrvFnVisit)(void *ctx, void **slot, const char *symbol);
bool drv_desc_each_fn(DrvDesc *dd, DrvFnVisit visit, void *ctx);

#endif
