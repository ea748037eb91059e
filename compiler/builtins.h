/* Built-in functions and integration methods, from their tables (builtins.def,
 * methods.def): enums, names, arities, and constant folding. Used by sema, lowering, the
 * IR and the driver, so that no list of names is written twice. */
#ifndef NRN_BUILTINS_H
#define NRN_BUILTINS_H

#include <stdbool.h>
#include <stddef.h>

typedef enum IrFn {
#define FN(id, name, nargs, shape) FN_##id,
#define SUGAR(name, nargs, shape)
#include "builtins.def"
#undef FN
#undef SUGAR
    FN_COUNT,
    /* Not a builtin: a table lookup (LANGUAGE.md §3 "Tables"); the IrExpr's index is the
     * table, a the time, b the column (NULL for a one-column table). Never folded. */
    FN_TABLE
} IrFn;

typedef enum BuiltinShape {
    SHAPE_DIMLESS, SHAPE_SAME, SHAPE_SQRT, SHAPE_POW, SHAPE_SIGN, SHAPE_RANDOM, SHAPE_RANDOM_SAME
} BuiltinShape;

typedef struct Builtin {
    const char *name;
    int nargs;
    BuiltinShape shape;
    bool is_fn;             /* an IrFn (fn below); else sugar lowered by name */
    IrFn fn;
} Builtin;

/* The built-in function called `name`, or NULL. */
const Builtin *builtin_find(const char *name);
/* All of them, in table order (for "did you mean"). */
const Builtin *builtin_at(size_t i);    /* NULL past the end */
const char *builtin_fn_name(IrFn fn);
/* f(x[, y]) for a function of the IR. */
double builtin_fold(IrFn fn, double x, double y);

typedef enum IrMethod {
    METHOD_NONE,
#define METHOD(id, name) METHOD_##id,
#include "methods.def"
#undef METHOD
    METHOD_COUNT
} IrMethod;

const char *builtin_method_name(IrMethod m);
bool builtin_method_parse(const char *name, IrMethod *out);
/* "exact, euler, ..." (every method a user can name). */
const char *builtin_method_list(void);

#endif
