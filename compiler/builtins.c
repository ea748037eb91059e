/* Tables of built-in functions and methods (see builtins.h). */
#include "builtins.h"

#include <math.h>
#include <string.h>

static const Builtin builtins[] = {
#define FN(id, name, nargs, shape) {name, nargs, SHAPE_##shape, true, FN_##id},
#define SUGAR(name, nargs, shape) {name, nargs, SHAPE_##shape, false, FN_COUNT},
#include "builtins.def"
#undef FN
#undef SUGAR
};

static const char *const fn_names[] = {
#define FN(id, name, nargs, shape) [FN_##id] = name,
#define SUGAR(name, nargs, shape)
#include "builtins.def"
#undef FN
#undef SUGAR
};

const Builtin *builtin_find(const char *name)
{
    for (size_t k = 0; k < sizeof builtins / sizeof *builtins; k++)
        if (strcmp(builtins[k].name, name) == 0)
            return &builtins[k];
    return NULL;
}

const Builtin *builtin_at(size_t i) { return i < sizeof builtins / sizeof *builtins ? &builtins[i] : NULL; }

const char *builtin_fn_name(IrFn fn) { return fn < FN_COUNT ? fn_names[fn] : "table"; }

double builtin_fold(IrFn fn, double x, double y)
{
    switch (fn) {
    case FN_EXP: return exp(x);
    case FN_LOG: return log(x);
    case FN_LOG10: return log10(x);
    case FN_SQRT: return sqrt(x);
    case FN_ABS: return fabs(x);
    case FN_SIN: return sin(x);
    case FN_COS: return cos(x);
    case FN_TAN: return tan(x);
    case FN_TANH: return tanh(x);
    case FN_SINH: return sinh(x);
    case FN_COSH: return cosh(x);
    case FN_ATAN: return atan(x);
    case FN_FLOOR: return floor(x);
    case FN_CEIL: return ceil(x);
    case FN_SIGN: return (x > 0) - (x < 0);
    case FN_MIN: return fmin(x, y);
    case FN_MAX: return fmax(x, y);
    case FN_COUNT: case FN_TABLE: break;
    }
    return NAN;
}

static const char *const method_names[] = {
    [METHOD_NONE] = "none",
#define METHOD(id, name) [METHOD_##id] = name,
#include "methods.def"
#undef METHOD
};

const char *builtin_method_name(IrMethod m) { return method_names[m]; }

bool builtin_method_parse(const char *name, IrMethod *out)
{
    for (int k = METHOD_NONE + 1; k < METHOD_COUNT; k++)
        if (strcmp(name, method_names[k]) == 0) {
            *out = (IrMethod)k;
            return true;
        }
    return false;
}

const char *builtin_method_list(void)
{
    static const char list[] =
#define METHOD(id, name) ", " name
#include "methods.def"
#undef METHOD
        ;
    return list + 2;
}
