/* The abstract syntax tree of a .nrn compilation, as the parser builds it.
 *
 * All nodes live in the compilation's arena. Lists are singly linked through `next`
 * (declarations, statements, items, arguments), in source order. Every node carries the
 * location of its first token (with `len` covering the construct's head where useful), so
 * every later error can point at source. Sema fills the fields marked "sema:"; the parser
 * leaves them zero. */
#ifndef NRN_AST_H
#define NRN_AST_H

#include <stdbool.h>
#include <stdio.h>

#include "arena.h"
#include "diag.h"
#include "units.h"

/* ---- Unit terms: `mV`, `mV/ms`, `uA/cm^2`, `1/s`, `1` ------------------------------- */

typedef struct AstUnitFactor {
    const char *name;       /* unit name as written, e.g. "mV"; NULL for the literal 1 */
    int num, den;           /* exponent num/den (den > 0); denominators make it negative */
    NrnLoc loc;
} AstUnitFactor;

typedef struct AstUnit {
    AstUnitFactor *factors;
    int nfactors;
    const char *text;       /* the unit term as written, for messages and display */
    NrnLoc loc;
} AstUnit;

/* ---- Expressions -------------------------------------------------------------------- */

typedef enum AstOp {
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_POW,
    OP_LT, OP_GT, OP_LE, OP_GE, OP_EQ, OP_NE,
    OP_AND, OP_OR, OP_NOT, OP_NEG, OP_PLUS
} AstOp;

const char *ast_op_text(AstOp op);   /* "+", "<=", "and", ... */

typedef enum AstExprKind {
    AST_NUM,        /* 12, 1.5e-3, or a quantity literal `10 ms` (unit != NULL) */
    AST_NAME,       /* identifier: symbol, builtin (t, dt, i, N, pi, xi...), or unit constant */
    AST_UNARY,      /* -a, +a, not a */
    AST_BINARY,
    AST_COND,       /* c ? a : b */
    AST_CALL,       /* f(args) */
    AST_FIELD,      /* obj.name: pre.v, post.ge, pre.i */
    AST_LIST,       /* [a, b, ...] (rows of a matrix are nested lists), optional unit after ] */
    AST_STRING      /* "text" (argument values such as file = "input.csv"), without quotes */
} AstExprKind;

typedef struct AstSym AstSym;   /* sema's symbol, defined in sema.h */

typedef struct AstExpr AstExpr;
struct AstExpr {
    AstExprKind kind;
    NrnLoc loc;
    AstExpr *next;          /* next argument / list element */
    union {
        struct { double value; const char *text; AstUnit *unit; } num;
        struct { const char *name; } name;
        struct { AstOp op; AstExpr *operand; } unary;
        struct { AstOp op; AstExpr *lhs, *rhs; } binary;
        struct { AstExpr *cond, *then, *els; } cond;
        struct { const char *name; NrnLoc name_loc; AstExpr *args; int nargs; } call;
        struct { AstExpr *object; const char *name; NrnLoc name_loc; } field;
        struct { AstExpr *items; int nitems; AstUnit *unit; } list;
        struct { const char *text; } str;
    } u;
    /* sema: */
    Dim dim;                /* physical dimension of the value */
    bool dim_free;          /* a bare 0 (or an expression of only such): adapts to context */
    bool dim_error;         /* built from something already reported: no further unit errors */
    bool is_bool;           /* a comparison / logical value */
    AstSym *sym;            /* AST_NAME / AST_FIELD: what it refers to */
    double si_value;        /* AST_NUM: value in SI units */
};

/* ---- Statements (reset, on_pre, on_post) -------------------------------------------- */

typedef enum AstStmtKind { STMT_ASSIGN, STMT_IF } AstStmtKind;

typedef enum AstAssignOp { ASSIGN_SET, ASSIGN_ADD, ASSIGN_SUB, ASSIGN_MUL, ASSIGN_DIV } AstAssignOp;

typedef struct AstStmt AstStmt;
struct AstStmt {
    AstStmtKind kind;
    NrnLoc loc;
    AstStmt *next;
    union {
        struct { AstAssignOp op; AstExpr *target; AstExpr *value; } assign; /* target: NAME or FIELD */
        struct { AstExpr *cond; AstStmt *then; AstStmt *els; } branch;     /* els may be one STMT_IF */
    } u;
};

/* ---- Model bodies (neuron, synapse) ------------------------------------------------- */

typedef enum AstDeclKind {
    DECL_PARAM, DECL_STATE, DECL_LET, DECL_INPUT,
    DECL_ODE,           /* dX/dt = expr [(event)] */
    DECL_THRESHOLD, DECL_RESET, DECL_REFRACTORY, DECL_METHOD,
    DECL_ON_PRE, DECL_ON_POST
} AstDeclKind;

typedef struct AstName {    /* a name with its location, in lists such as `hold v, w` */
    const char *name;
    NrnLoc loc;
    struct AstName *next;
} AstName;

typedef struct AstDecl AstDecl;
struct AstDecl {
    AstDeclKind kind;
    NrnLoc loc;             /* the keyword (or dX/dt token) */
    AstDecl *next;
    const char *name;       /* PARAM/STATE/LET/INPUT: the name; ODE: X; METHOD: the method */
    NrnLoc name_loc;
    AstUnit *unit;          /* optional `: unit` annotation */
    AstExpr *value;         /* initialiser / let / ODE rhs / threshold cond / refractory period */
    bool event;             /* ODE with (event) */
    AstStmt *body;          /* RESET / ON_PRE / ON_POST */
    AstName *hold;          /* REFRACTORY: hold list */
};

/* ---- Networks ----------------------------------------------------------------------- */

typedef struct AstArg {     /* name = value, in Model[N](a = 1, b = 2) and using Syn(...) */
    const char *name;
    NrnLoc loc;
    AstExpr *value;
    struct AstArg *next;
} AstArg;

typedef struct AstPopRef {  /* POP or POP[a:b] in record statements and connect lists */
    const char *name;
    NrnLoc loc;
    AstExpr *lo, *hi;       /* slice bounds, NULL when absent */
    AstExpr *step;          /* POP[a:b:step], else NULL */
    AstExpr *list;          /* POP[i, j, ...]: the indices (linked by next), else NULL */
    NrnLoc list_loc;
    struct AstPopRef *next;
} AstPopRef;

typedef enum AstNetKind {
    NET_PARAM,              /* param N_E = 3200 */
    NET_POPULATION,         /* population E = Model[size](args) */
    NET_INIT,               /* E.v = expr */
    NET_CONNECT,
    NET_RECORD
} AstNetKind;

typedef enum AstRecordKind { REC_SPIKES, REC_RATE, REC_VAR } AstRecordKind;

typedef enum AstWeightKind { WEIGHT_NONE, WEIGHT_EXPR, WEIGHT_MATRIX, WEIGHT_FILE } AstWeightKind;

typedef struct AstSummed {  /* summed post.X = EXPR */
    AstExpr *target;        /* AST_FIELD post.X */
    AstExpr *value;
    NrnLoc loc;
    struct AstSummed *next;
} AstSummed;

typedef struct AstConnect {
    AstPopRef *sources, *targets;   /* sources is NULL for connect poisson(...) */
    bool is_poisson;        /* connect poisson(RATE, COUNT) -> ... */
    AstExpr *poisson_rate, *poisson_count;
    NrnLoc poisson_loc;
    const char *synapse;    /* using SynapseType, or NULL */
    NrnLoc synapse_loc;
    AstArg *synapse_args;
    const char *as_name;    /* as NAME, or NULL */
    NrnLoc as_loc;
    AstExpr *rule;          /* AST_NAME (all, one_to_one) or AST_CALL (prob(p), ...); NULL = all */
    AstExpr *allow_self;    /* NULL, or the expression after allow_self */
    AstWeightKind weight_kind;
    AstExpr *weight;        /* EXPR or MATRIX (an AST_LIST of AST_LISTs) */
    const char *weight_file;
    AstUnit *weight_file_unit;   /* `weight file "W.csv" mV`: the unit of every entry */
    NrnLoc weight_loc;
    AstExpr *delay;
    AstStmt *on_pre, *on_post;
    NrnLoc on_pre_loc, on_post_loc;
    AstSummed *summed;
} AstConnect;

typedef struct AstNetItem AstNetItem;
struct AstNetItem {
    AstNetKind kind;
    NrnLoc loc;
    AstNetItem *next;
    union {
        struct { const char *name; NrnLoc name_loc; AstUnit *unit; AstExpr *value; } param;
        struct { const char *name; NrnLoc name_loc; const char *model; NrnLoc model_loc;
                 AstExpr *size; AstArg *args; } population;
        struct { const char *pop; NrnLoc pop_loc; const char *name; NrnLoc name_loc;
                 AstExpr *value; } init;
        AstConnect connect;
        struct { AstRecordKind what; const char *var; NrnLoc var_loc; AstPopRef *pops;
                 AstExpr *every; } record;
    } u;
};

/* ---- Top level ---------------------------------------------------------------------- */

typedef enum AstItemKind {
    ITEM_NEURON, ITEM_SYNAPSE, ITEM_NETWORK, ITEM_FUNCTION, ITEM_IMPORT, ITEM_SIMULATE,
    ITEM_TABLE
} AstItemKind;

typedef struct AstItem AstItem;
struct AstItem {
    AstItemKind kind;
    NrnLoc loc;
    AstItem *next;
    const char *name;       /* model/network/function name; IMPORT: path or stdlib name;
                               SIMULATE: the network */
    NrnLoc name_loc;
    union {
        struct { AstDecl *decls; } model;                   /* NEURON, SYNAPSE */
        struct { AstNetItem *items; } network;
        struct { AstName *params; AstExpr *body; } function;
        struct { bool is_path; } import;                    /* "file.nrn" vs name */
        struct { AstExpr *duration, *dt, *seed; } simulate; /* dt, seed may be NULL */
        /* TABLE: inline samples (an AST_LIST) or a file; the unit of every value (NULL:
           dimensionless); the sample spacing (NULL for a CSV file: its own times) */
        struct { AstExpr *values; const char *file; NrnLoc src_loc; AstUnit *unit;
                 AstExpr *every; } table;
    } u;
};

typedef struct AstFile {
    const char *path;
    int file;               /* Diags file index */
    AstItem *items;
} AstFile;

/* ---- Constructors (used by the parser) ---------------------------------------------- */

AstExpr *ast_expr_new(Arena *a, AstExprKind kind, NrnLoc loc);
AstStmt *ast_stmt_new(Arena *a, AstStmtKind kind, NrnLoc loc);
AstDecl *ast_decl_new(Arena *a, AstDeclKind kind, NrnLoc loc);
AstNetItem *ast_net_item_new(Arena *a, AstNetKind kind, NrnLoc loc);
AstItem *ast_item_new(Arena *a, AstItemKind kind, NrnLoc loc);

/* Prints the tree readably (`nrnc emit ast`): one node per line, indented, with line:col. */
void ast_dump(FILE *out, const AstFile *file);
void ast_dump_expr(FILE *out, const AstExpr *e);   /* as infix source text, fully parenthesised */

#endif
