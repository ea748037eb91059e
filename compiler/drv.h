/* The nrnc driver: command line (drv_cli.c) and the pipeline (driver.c). */
#ifndef NRN_DRV_H
#define NRN_DRV_H

#include <stdbool.h>
#include <stdint.h>

enum { EXIT_MODEL_ERROR = 1, EXIT_USAGE = 2, EXIT_RUN_FAILED = 3 };

typedef enum DrvCommand { CMD_CHECK, CMD_RUN, CMD_EMIT, CMD_BUILD, CMD_PLOT, CMD_STATS, CMD_FIT,
                          CMD_LSP } DrvCommand;

typedef struct DrvSet {
    const char *text;       /* POP.NAME=VALUE as given */
    const char *pop, *name, *value;
} DrvSet;

typedef struct DrvOptions {
    DrvCommand command;
    const char *emit_kind;  /* ast | ir | llvm | asm | obj | header */
    const char *model;
    const char *output;     /* -o */
    const char *out_dir;    /* --out */
    const char *duration, *dt, *network, *method, *format;   /* check: text | json */
    bool has_seed;
    uint64_t seed;
    int threads;
    double max_memory;        /* bytes; 0: the memory available */
    const char *checkpoint_every;   /* --checkpoint-every T, checked by drv_time_flag */
    const char *resume;       /* --resume DIR */
    int progress;           /* -1 auto, 0 --quiet, 1 --progress */
    bool force;             /* --force: write into a non-empty folder nrnc did not write */
    bool lib;               /* build --lib: a model library (nrnrt.h), not a simulator */
    DrvSet *sets;
    int nsets;
    /* nrnc stats (the folder is `model`): the time flags as given, checked by
     * drv_time_flag; the others checked by drv_parse_args */
    const char *st_from, *st_to, *st_window, *st_bin, *st_lag;
    const char *st_format;  /* text | json */
    const char *st_pca;     /* POP or POP:VAR */
    const char *st_xcorr;   /* A,B */
    int st_components;      /* 0: not given */
    struct DrvFitArgs *fit; /* nrnc fit's own flags (drv_fit.c) */
} DrvOptions;

/* Parses argv into opt. Returns -1 to go on, else the exit code (after --help, or a
 * usage error already printed). */
int drv_parse_args(int argc, char **argv, DrvOptions *opt);
void drv_options_free(DrvOptions *opt);
int drv_execute(const DrvOptions *opt);

/* drv_run.c: the back end (LLVM, JIT, runtime) for a lowered module. */
struct IrModule;
int drv_emit_llvm(const DrvOptions *opt, const struct IrModule *m);
int drv_run(const DrvOptions *opt, const struct IrModule *m, double t_start);
/* JIT-compiles m and calls use(ctx, dd) with its run description bound to the machine
 * code; returns what use returns (EXIT_RUN_FAILED when the JIT fails, reported). */
struct DrvDesc;
typedef int (*DrvJitUse)(void *ctx, struct DrvDesc *dd);
int drv_jit_session(const struct IrModule *m, DrvJitUse use, void *ctx);
/* drv_fit.c: `nrnc fit` (docs/fitting.md). drv_fit_option takes one of fit's own flags
 * at argv[*i] (-1, or an exit code after a usage error), or returns -2 for any other;
 * drv_fit runs the fit from the checked program with the run parameters in lo. */
extern const char drv_fit_help[];
int drv_fit_option(DrvOptions *opt, int argc, char **argv, int *i);
void drv_fit_args_free(struct DrvFitArgs *fit);
struct SemaProgram;
struct LowerOptions;
struct Diags;
struct Arena;
int drv_fit(const DrvOptions *opt, struct Arena *a, struct Diags *d, struct SemaProgram *prog,
            struct LowerOptions *lo);
/* drv_build.c: ahead of time. */
int drv_build(const DrvOptions *opt, const struct IrModule *m);
int drv_emit_machine(const DrvOptions *opt, const struct IrModule *m);   /* asm, obj, header */
double drv_now(void);
/* A time flag's value in seconds: a non-negative time with its unit (--dt: positive);
 * false with the error printed. */
bool drv_time_flag(const char *flag, const char *text, double *out);

/* drv_paths.c: where nrnc's own files are. Installed (PREFIX/bin/nrnc), the places
 * `cmake --install` put them relative to this executable; in the build tree, the source
 * and build folders. Absolute paths, valid for the whole process. */
const char *drv_stdlib_dir(void);        /* the standard library's .nrn files */
const char *drv_runtime_include(void);   /* the folder of nrt.h and nrnrt.h */
const char *drv_lib_dir(void);           /* the folder of libnrnrt.a and libnrnrt.so */
const char *drv_runtime_lib(bool shared);   /* libnrnrt.so, or libnrnrt.a */

#endif
