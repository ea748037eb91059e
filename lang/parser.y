/* The grammar of the .nrn language (LANGUAGE.md §1, §3-§6), as a pure LALR(1) bison parser.
 *
 * The lexer (lexer.l) does the context-sensitive work so that this grammar stays plain
 * LALR(1) without conflicts (`%expect 0`): it decides where a newline ends a statement
 * (NL tokens are only produced where they can end one), glues `dX/dt` heads, `(event)`
 * flags and quantity-literal units into single tokens, and returns the positional words
 * (`hold for seed every of dt using as rule weight delay file allow_self poisson`) as their own
 * tokens, which `name` below turns back into ordinary identifiers outside their positions.
 *
 * Every list of items (top level, model bodies, network bodies, connect bodies,
 * statement blocks) follows one pattern: items are separated by NL or ';', an item that
 * ends with '}' needs no separator, the last item before '}' or end of file needs none,
 * and `error` productions resynchronise at the next separator or closing brace. The
 * lexer helps recovery by skipping whole brace groups after an error (see lexer.l), so
 * one mistake produces one message; once resynchronised at a statement boundary,
 * yyerrok lets the very next statement report its own mistake.
 *
 * Everything is allocated in the compilation's arena, so nothing needs a %destructor.
 * Expression values carry their nesting depth (type Ex), in which a run of + - (or * /)
 * counts once however long it is (see "Runs" below: such a run becomes a tree at most
 * CHAIN_LEFT_MAX levels high per level of nesting); an expression nested deeper than
 * PARSE_MAX_NESTING is reported once and not grown further, which keeps every later
 * recursive pass within a small, fixed stack depth whatever the input. */

%define api.pure full
%define api.prefix {nrn_yy}
%define api.token.prefix {TOK_}
%define api.location.type {NrnLoc}
%define parse.error custom
%define parse.lac full
%locations
%param {yyscan_t scanner}
%parse-param {ParseCtx *ctx}
%expect 0

%code requires {
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "ast.h"
#include "diag.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

enum {
    PARSE_MAX_NESTING = 256,    /* brackets, blocks and expression nesting depth */
    PARSE_MAX_ERRORS = 21       /* per file; parsing stops after this many (one more
                                   than diag prints, so that it says some were dropped) */
};

/* A list under construction: head/tail of a `next`-linked chain; for expression lists,
 * also the deepest element (-1 once a too-deep element was reported). */
typedef struct Seq { void *head, *tail; int n; int depth; } Seq;
/* A run of one associative operator group (`a + b - c`, `a * b / c`) while it is being
 * read: its terms, each with the operator before it (the first with OP_ADD or OP_MUL). */
typedef struct ChainTerm ChainTerm;
typedef struct Chain { ChainTerm *head, *tail; int n; bool mul; } Chain;
/* An expression and its nesting depth (-1: too deep, already reported). While `chain` is
 * set, the expression is an unfinished run and `e` is NULL until ex_close builds it. */
typedef struct Ex { AstExpr *e; int depth; Chain *chain; } Ex;
typedef struct NumTok { double value; const char *text; } NumTok;
typedef struct NameTok { const char *name; NrnLoc loc; } NameTok;
typedef struct UsingOpt { const char *name; NrnLoc loc; AstArg *args; } UsingOpt;
typedef struct SimOpts { AstExpr *dt, *seed; NrnLoc dt_loc, seed_loc; } SimOpts;
typedef struct ConnPart ConnPart;

/* One token as the lexer returned it, for error messages and recovery. */
typedef struct LexTok {
    int kind;               /* token code; -1 = none yet */
    int depth_before;       /* bracket depth before the token */
    size_t off;             /* byte offset and length in the source */
    int len;
    NrnLoc loc;
} LexTok;

typedef struct LexBracket { char kind; NrnLoc loc; } LexBracket;

/* State shared by the lexer (its yyextra) and the parser, for one file. */
typedef struct ParseCtx {
    Arena *arena;
    Diags *diags;
    int file;
    const char *src;        /* the text being scanned (flex scans its own copy) */
    size_t size;
    /* lexer position: after the last match, and at the start of it */
    size_t off, tok_off;
    int line, col, tok_line, tok_col;
    LexTok hist[3];         /* the last three tokens returned, [0] newest */
    LexBracket brackets[PARSE_MAX_NESTING];   /* open ( [ { */
    int depth;
    bool skipping;          /* after an error: drop brace groups deeper than skip_base */
    int skip_base;
    bool fatal;             /* stop: too many errors or nesting beyond the limit */
    int nerrors;
    AstItem *items;         /* the result */
} ParseCtx;
}

%code provides {
#define YYSTYPE NRN_YYSTYPE
#define YYLTYPE NRN_YYLTYPE

int nrn_yylex(NRN_YYSTYPE *yylval, NrnLoc *yylloc, yyscan_t scanner);
int nrn_yyparse(yyscan_t scanner, ParseCtx *ctx);
/* A Brian2 habit at the unexpected token t: reported (true), or not recognised (habits.c). */
bool parse_habit(ParseCtx *c, const LexTok *t);
/* Reports an error unless parsing was already abandoned; false if it was dropped. */
bool parse_error(ParseCtx *c, NrnLoc loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
}

%code {
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* A rule's location spans its symbols when they are on one line (else it is the first
 * one's); an empty rule takes the location of what precedes it. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                           \
    do {                                                                      \
        if ((N) > 1)                                                          \
            (Cur) = nrn_loc_join(YYRHSLOC(Rhs, 1), YYRHSLOC(Rhs, N));         \
        else                                                                  \
            (Cur) = YYRHSLOC(Rhs, (N));                                       \
    } while (0)

static void yyerror(NrnLoc *loc, yyscan_t scanner, ParseCtx *ctx, const char *msg);

/* Appends x (a fresh node, next == NULL) to a Seq of T. */
#define SEQ_PUSH(s, T, x)                                                     \
    do {                                                                      \
        T *x_ = (x);                                                          \
        if (x_) {                                                             \
            if ((s).tail)                                                     \
                ((T *)(s).tail)->next = x_;                                   \
            else                                                              \
                (s).head = x_;                                                \
            (s).tail = x_;                                                    \
            (s).n++;                                                          \
        }                                                                     \
    } while (0)

typedef enum ConnPartKind {
    CP_RULE, CP_ALLOW_SELF, CP_WEIGHT, CP_WEIGHT_FILE, CP_DELAY, CP_SUMMED, CP_ON_PRE, CP_ON_POST
} ConnPartKind;

/* One item of a connect body, folded into AstConnect when the connect is complete. */
struct ConnPart {
    ConnPartKind kind;
    NrnLoc loc;
    AstExpr *expr, *expr2;  /* RULE: rule, allow_self; SUMMED: target, value; else value */
    const char *file;
    NrnLoc file_loc;
    AstUnit *file_unit;     /* WEIGHT_FILE: `weight file "W.csv" mV`, or NULL */
    NrnLoc loc2;            /* RULE: where its allow_self value is */
    AstStmt *body;
    ConnPart *next;
};

static Seq seq_empty(void);
static void seq_push_ex(Seq *s, Ex x);
static Ex ex_leaf(AstExpr *e);
static Ex mk_num(ParseCtx *c, NumTok n, AstUnit *unit, NrnLoc loc);
static Ex mk_bool(ParseCtx *c, bool v, NrnLoc loc);
static Ex mk_name(ParseCtx *c, const char *name, NrnLoc loc);
static Ex mk_string(ParseCtx *c, const char *text, NrnLoc loc);
static Ex mk_unary(ParseCtx *c, AstOp op, Ex x, NrnLoc loc);
static Ex mk_binary(ParseCtx *c, AstOp op, Ex l, Ex r, NrnLoc loc);
static Ex mk_chain(ParseCtx *c, AstOp op, Ex l, Ex r, NrnLoc lloc, NrnLoc rloc);
static Ex ex_close(ParseCtx *c, Ex x);
static Ex mk_cond(ParseCtx *c, Ex cond, Ex a, Ex b, NrnLoc loc);
static Ex mk_call(ParseCtx *c, const char *name, NrnLoc name_loc, Seq args, NrnLoc loc);
static Ex mk_field(ParseCtx *c, Ex obj, const char *name, NrnLoc name_loc, NrnLoc loc);
static Ex mk_list(ParseCtx *c, Seq items, AstUnit *unit, NrnLoc loc);
static AstExpr *mk_lvalue(ParseCtx *c, const char *obj, NrnLoc obj_loc, const char *name,
                          NrnLoc name_loc);
static AstStmt *mk_assign(ParseCtx *c, AstExpr *target, int op, Ex value, NrnLoc loc);
static AstStmt *mk_if(ParseCtx *c, Ex cond, Seq then, AstStmt *els, NrnLoc loc);
static AstDecl *mk_decl(ParseCtx *c, AstDeclKind kind, NrnLoc loc, const char *name,
                        NrnLoc name_loc, AstUnit *unit, AstExpr *value);
static AstDecl *mk_body_decl(ParseCtx *c, AstDeclKind kind, NrnLoc loc, AstStmt *body);
static AstName *mk_name_node(ParseCtx *c, const char *name, NrnLoc loc);
static AstArg *mk_arg(ParseCtx *c, const char *name, NrnLoc loc, Ex value);
static AstPopRef *mk_popref(ParseCtx *c, const char *name, NrnLoc loc, AstExpr *lo, AstExpr *hi);
static ConnPart *mk_part(ParseCtx *c, ConnPartKind kind, NrnLoc loc, AstExpr *e1, AstExpr *e2);
static AstNetItem *mk_connect(ParseCtx *c, NrnLoc loc, Seq src, Seq dst, UsingOpt use,
                              NameTok as, Seq parts);
static AstNetItem *mk_poisson(ParseCtx *c, AstNetItem *it, Seq args, NrnLoc loc);
static AstNetItem *mk_record(ParseCtx *c, NrnLoc loc, const char *what, NrnLoc what_loc,
                             Seq pops, AstExpr *every);
static SimOpts sim_add(ParseCtx *c, SimOpts s, bool is_seed, AstExpr *e, NrnLoc loc);
static AstItem *mk_item(ParseCtx *c, AstItemKind kind, NrnLoc loc, const char *name,
                        NrnLoc name_loc);
static AstItem *mk_table(ParseCtx *c, NrnLoc loc, const char *name, NrnLoc name_loc,
                         AstExpr *values, const char *file, NrnLoc src_loc, AstUnit *unit,
                         AstExpr *every);
}

%union {
    const char *str;
    NumTok num;
    AstUnit *unit;
    Ex ex;
    Seq seq;
    int op;
    NameTok nt;
    UsingOpt use;
    SimOpts sim;
    bool flag;
    AstExpr *expr;
    AstStmt *stmt;
    AstDecl *decl;
    AstNetItem *net;
    AstItem *item;
    AstPopRef *pop;
    AstArg *arg;
    ConnPart *part;
}

%token <str>  IDENT      "name"
%token <num>  NUM        "number"
%token <str>  STRING     "string"
%token <unit> UNIT       "unit"
%token <str>  ODE        "dX/dt"
%token        EVENT_FLAG "(event)"
%token        NL         "newline"

%token NEURON "neuron" SYNAPSE "synapse" NETWORK "network" IMPORT "import"
       FUNCTION "function" PARAM "param" STATE "state" LET "let" INPUT "input"
       THRESHOLD "threshold" RESET "reset" REFRACTORY "refractory" METHOD "method"
       POPULATION "population" CONNECT "connect" RECORD "record" SIMULATE "simulate"
       ON_PRE "on_pre" ON_POST "on_post" SUMMED "summed" EVENT "event" IF "if" ELSE "else"
       AND "and" OR "or" NOT "not" TRUE "true" FALSE "false" TABLE "table"

/* Positional words: keywords in one position, names everywhere else (see `name`). */
%token <str> HOLD "hold" FOR "for" SEED "seed" EVERY "every" OF "of" RULE "rule"
             WEIGHT "weight" DELAY "delay" USING "using" FILE "file" AS "as" DT "dt"
             ALLOW_SELF "allow_self" POISSON "poisson"

%token ARROW "->" LE "<=" GE ">=" EQ "==" NE "!="
       PLUS_EQ "+=" MINUS_EQ "-=" STAR_EQ "*=" SLASH_EQ "/="

/* Operator precedence, loosest first (LANGUAGE.md §3); `?:` is a rule of its own. */
%left OR
%left AND
%precedence NOT
%nonassoc '<' '>' LE GE EQ NE
%left '+' '-'
%left '*' '/' '%'
%precedence UNARY
%right '^'

%type <str> name
%type <unit> unit_opt table_unit
%type <ex> expr arith postfix primary list_lit every_opt
%type <seq> exprs exprs_opt top_body top_list decl_body decl_list stmt_body stmt_list block
%type <seq> net_body net_list conn_body conn_list names fparams_opt poprefs args args_opt
%type <seq> pop_args_opt rule_args_opt
%type <op> assign_op
%type <flag> event_opt
%type <ex> allow_opt
%type <nt> as_opt
%type <use> using_opt
%type <sim> sim_opts
%type <expr> lvalue
%type <stmt> stmt_simple if_stmt else_opt
%type <decl> decl_simple decl_block
%type <net> net_simple net_block
%type <item> top_simple top_block
%type <pop> popref
%type <arg> arg
%type <part> conn_simple conn_block

%%

file
    : top_body                  { ctx->items = $1.head; }
    ;

/* ---- Item lists: NL/';' separate items; '}' ends one; errors resync at either ------- */

sep : NL | ';' ;

top_body
    : top_list
    | top_list top_simple       { $$ = $1; SEQ_PUSH($$, AstItem, $2); }
    | top_list error            { $$ = $1; yyerrok; }
    ;
top_list
    : %empty                    { $$ = seq_empty(); }
    | top_list sep
    | top_list top_block        { $$ = $1; SEQ_PUSH($$, AstItem, $2); }
    | top_list top_simple sep   { $$ = $1; SEQ_PUSH($$, AstItem, $2); }
    | top_list error sep        { $$ = $1; yyerrok; }
    ;

/* ---- Top level ------------------------------------------------------------------------ */

top_block
    : NEURON name '{' decl_body '}'
        { $$ = mk_item(ctx, ITEM_NEURON, @1, $2, @2); $$->u.model.decls = $4.head; }
    | SYNAPSE name '{' decl_body '}'
        { $$ = mk_item(ctx, ITEM_SYNAPSE, @1, $2, @2); $$->u.model.decls = $4.head; }
    | NETWORK name '{' net_body '}'
        { $$ = mk_item(ctx, ITEM_NETWORK, @1, $2, @2); $$->u.network.items = $4.head; }
    ;

top_simple
    : IMPORT STRING
        { $$ = mk_item(ctx, ITEM_IMPORT, @1, $2, @2); $$->u.import.is_path = true; }
    | IMPORT name
        { $$ = mk_item(ctx, ITEM_IMPORT, @1, $2, @2); }
    | FUNCTION name '(' fparams_opt ')' '=' expr
        {
            $$ = mk_item(ctx, ITEM_FUNCTION, @1, $2, @2);
            $$->u.function.params = $4.head;
            $$->u.function.body = $7.e;
        }
    | TABLE name '=' list_lit table_unit EVERY expr
        { $$ = mk_table(ctx, @1, $2, @2, $4.e, NULL, @4, $5, $7.e); }
    | TABLE name '=' FILE STRING table_unit
        { $$ = mk_table(ctx, @1, $2, @2, NULL, $5, @5, $6, NULL); }
    | TABLE name '=' FILE STRING table_unit EVERY expr
        { $$ = mk_table(ctx, @1, $2, @2, NULL, $5, @5, $6, $8.e); }
    | SIMULATE name FOR expr sim_opts
        {
            $$ = mk_item(ctx, ITEM_SIMULATE, @1, $2, @2);
            $$->u.simulate.duration = $4.e;
            $$->u.simulate.dt = $5.dt;
            $$->u.simulate.seed = $5.seed;
        }
    ;

/* `table NAME = [..] UNIT every T` or `= file "x.csv" UNIT [every T]`; no unit: 1 */
table_unit
    : %empty                    { $$ = NULL; }
    | UNIT
    ;

fparams_opt
    : %empty                    { $$ = seq_empty(); }
    | names
    ;

/* `dt STEP` and `seed N` in any order, each at most once. */
sim_opts
    : %empty                    { memset(&$$, 0, sizeof $$); }
    | sim_opts DT expr          { $$ = sim_add(ctx, $1, false, $3.e, @2); }
    | sim_opts SEED expr        { $$ = sim_add(ctx, $1, true, $3.e, @2); }
    ;

/* ---- Neuron and synapse bodies -------------------------------------------------------- */

decl_body
    : decl_list
    | decl_list decl_simple     { $$ = $1; SEQ_PUSH($$, AstDecl, $2); }
    | decl_list error           { $$ = $1; yyerrok; }
    ;
decl_list
    : %empty                    { $$ = seq_empty(); }
    | decl_list sep
    | decl_list decl_block      { $$ = $1; SEQ_PUSH($$, AstDecl, $2); }
    | decl_list decl_simple sep { $$ = $1; SEQ_PUSH($$, AstDecl, $2); }
    | decl_list error sep       { $$ = $1; yyerrok; }
    ;

decl_simple
    : PARAM name unit_opt '=' expr  { $$ = mk_decl(ctx, DECL_PARAM, @1, $2, @2, $3, $5.e); }
    | STATE name unit_opt '=' expr  { $$ = mk_decl(ctx, DECL_STATE, @1, $2, @2, $3, $5.e); }
    | LET name unit_opt '=' expr    { $$ = mk_decl(ctx, DECL_LET, @1, $2, @2, $3, $5.e); }
    | INPUT name unit_opt           { $$ = mk_decl(ctx, DECL_INPUT, @1, $2, @2, $3, NULL); }
    | ODE '=' expr event_opt
        {
            /* The token spans `dX/dt`; the state's name starts after the `d`. */
            NrnLoc nl = @1;
            nl.col += 1;
            nl.len = (int)strlen($1);
            $$ = mk_decl(ctx, DECL_ODE, @1, $1, nl, NULL, $3.e);
            $$->event = $4;
        }
    | THRESHOLD expr                { $$ = mk_decl(ctx, DECL_THRESHOLD, @1, NULL, @1, NULL, $2.e); }
    | RESET stmt_simple             { $$ = mk_body_decl(ctx, DECL_RESET, @1, $2); }
    | REFRACTORY expr
        { $$ = mk_decl(ctx, DECL_REFRACTORY, @1, NULL, @1, NULL, $2.e); }
    | REFRACTORY expr HOLD names
        {
            $$ = mk_decl(ctx, DECL_REFRACTORY, @1, NULL, @1, NULL, $2.e);
            $$->hold = $4.head;
        }
    | METHOD name                   { $$ = mk_decl(ctx, DECL_METHOD, @1, $2, @2, NULL, NULL); }
    ;

decl_block
    : RESET block                   { $$ = mk_body_decl(ctx, DECL_RESET, @1, $2.head); }
    | RESET if_stmt                 { $$ = mk_body_decl(ctx, DECL_RESET, @1, $2); }
    | ON_PRE block                  { $$ = mk_body_decl(ctx, DECL_ON_PRE, @1, $2.head); }
    | ON_POST block                 { $$ = mk_body_decl(ctx, DECL_ON_POST, @1, $2.head); }
    ;

unit_opt
    : %empty                        { $$ = NULL; }
    | ':' UNIT                      { $$ = $2; }
    ;

event_opt
    : %empty                        { $$ = false; }
    | EVENT_FLAG                    { $$ = true; }
    ;

names
    : name                  { $$ = seq_empty(); SEQ_PUSH($$, AstName, mk_name_node(ctx, $1, @1)); }
    | names ',' name        { $$ = $1; SEQ_PUSH($$, AstName, mk_name_node(ctx, $3, @3)); }
    ;

/* ---- Statements (reset, on_pre, on_post) ---------------------------------------------- */

block
    : '{' stmt_body '}'             { $$ = $2; }
    ;

stmt_body
    : stmt_list
    | stmt_list stmt_simple         { $$ = $1; SEQ_PUSH($$, AstStmt, $2); }
    | stmt_list error               { $$ = $1; yyerrok; }
    ;
stmt_list
    : %empty                        { $$ = seq_empty(); }
    | stmt_list sep
    | stmt_list if_stmt             { $$ = $1; SEQ_PUSH($$, AstStmt, $2); }
    | stmt_list stmt_simple sep     { $$ = $1; SEQ_PUSH($$, AstStmt, $2); }
    | stmt_list error sep           { $$ = $1; yyerrok; }
    ;

stmt_simple
    : lvalue assign_op expr         { $$ = mk_assign(ctx, $1, $2, $3, @1); }
    ;

lvalue
    : name                          { $$ = mk_lvalue(ctx, NULL, @1, $1, @1); }
    | name '.' name                 { $$ = mk_lvalue(ctx, $1, @1, $3, @3); }
    ;

assign_op
    : '='                           { $$ = ASSIGN_SET; }
    | PLUS_EQ                       { $$ = ASSIGN_ADD; }
    | MINUS_EQ                      { $$ = ASSIGN_SUB; }
    | STAR_EQ                       { $$ = ASSIGN_MUL; }
    | SLASH_EQ                      { $$ = ASSIGN_DIV; }
    ;

/* `else if` chains nest through `els` (an else branch that is one STMT_IF). */
if_stmt
    : IF expr block else_opt        { $$ = mk_if(ctx, $2, $3, $4, @1); }
    ;
else_opt
    : %empty                        { $$ = NULL; }
    | ELSE block                    { $$ = $2.head; }
    | ELSE if_stmt                  { $$ = $2; }
    ;

/* ---- Networks ------------------------------------------------------------------------- */

net_body
    : net_list
    | net_list net_simple           { $$ = $1; SEQ_PUSH($$, AstNetItem, $2); }
    | net_list error                { $$ = $1; yyerrok; }
    ;
net_list
    : %empty                        { $$ = seq_empty(); }
    | net_list sep
    | net_list net_block            { $$ = $1; SEQ_PUSH($$, AstNetItem, $2); }
    | net_list net_simple sep       { $$ = $1; SEQ_PUSH($$, AstNetItem, $2); }
    | net_list error sep            { $$ = $1; yyerrok; }
    ;

net_simple
    : PARAM name unit_opt '=' expr
        {
            $$ = ast_net_item_new(ctx->arena, NET_PARAM, @1);
            $$->u.param.name = $2;
            $$->u.param.name_loc = @2;
            $$->u.param.unit = $3;
            $$->u.param.value = $5.e;
        }
    | POPULATION name '=' name '[' expr ']' pop_args_opt
        {
            $$ = ast_net_item_new(ctx->arena, NET_POPULATION, @1);
            $$->u.population.name = $2;
            $$->u.population.name_loc = @2;
            $$->u.population.model = $4;
            $$->u.population.model_loc = @4;
            $$->u.population.size = $6.e;
            $$->u.population.args = $8.head;
        }
    | name '.' name '=' expr
        {
            $$ = ast_net_item_new(ctx->arena, NET_INIT, @1);
            $$->u.init.pop = $1;
            $$->u.init.pop_loc = @1;
            $$->u.init.name = $3;
            $$->u.init.name_loc = @3;
            $$->u.init.value = $5.e;
        }
    | RECORD name OF poprefs every_opt
        { $$ = mk_record(ctx, @1, $2, @2, $4, $5.e); }
    ;

pop_args_opt
    : %empty                        { $$ = seq_empty(); }
    | '(' args_opt ')'              { $$ = $2; }
    ;

args_opt
    : %empty                        { $$ = seq_empty(); }
    | args
    | args ','
    ;
args
    : arg                           { $$ = seq_empty(); SEQ_PUSH($$, AstArg, $1); }
    | args ',' arg                  { $$ = $1; SEQ_PUSH($$, AstArg, $3); }
    ;
arg
    : name '=' expr                 { $$ = mk_arg(ctx, $1, @1, $3); }
    ;

poprefs
    : popref                        { $$ = seq_empty(); SEQ_PUSH($$, AstPopRef, $1); }
    | poprefs ',' popref            { $$ = $1; SEQ_PUSH($$, AstPopRef, $3); }
    ;
/* POP, POP[a:b] (half-open slice), POP[a:b:step] or POP[i, j, ...] (an index list) */
popref
    : name                          { $$ = mk_popref(ctx, $1, @1, NULL, NULL); }
    | name '[' expr ':' expr ']'    { $$ = mk_popref(ctx, $1, @1, $3.e, $5.e); }
    | name '[' expr ':' expr ':' expr ']'
        { $$ = mk_popref(ctx, $1, @1, $3.e, $5.e); $$->step = $7.e; }
    | name '[' exprs ']'
        { $$ = mk_popref(ctx, $1, @1, NULL, NULL); $$->list = $3.head; $$->list_loc = @3; }
    ;

every_opt
    : %empty                        { $$ = ex_leaf(NULL); }
    | EVERY expr                    { $$ = $2; }
    ;

/* connect SRC, ... -> DST, ... [using Syn[(args)]] [as NAME] { items }
 * connect poisson(RATE, COUNT) -> DST, ... { items }
 * `poisson` followed by '(' is the generated source; a population named poisson is still
 * a source (`connect poisson -> E`): one token of lookahead tells them apart. The parts a
 * Poisson drive cannot have (using, rule, delay, ...) are parsed and refused by sema. */
net_block
    : CONNECT poprefs ARROW poprefs using_opt as_opt '{' conn_body '}'
        { $$ = mk_connect(ctx, @1, $2, $4, $5, $6, $8); }
    | CONNECT POISSON '(' exprs_opt ')' ARROW poprefs using_opt as_opt '{' conn_body '}'
        {
            $$ = mk_connect(ctx, @1, seq_empty(), $7, $8, $9, $11);
            $$ = mk_poisson(ctx, $$, $4, nrn_loc_join(@2, @5));
        }
    ;

using_opt
    : %empty                        { memset(&$$, 0, sizeof $$); }
    | USING name pop_args_opt       { $$.name = $2; $$.loc = @2; $$.args = $3.head; }
    ;

as_opt
    : %empty                        { memset(&$$, 0, sizeof $$); }
    | AS name                       { $$.name = $2; $$.loc = @2; }
    ;

/* An on_pre / on_post block may follow another part on its line, as in LANGUAGE.md §6:
 * `{ weight 0.1 mV  on_pre { post.v += w } }`. */
conn_body
    : conn_list
    | conn_list conn_simple         { $$ = $1; SEQ_PUSH($$, ConnPart, $2); }
    | conn_list error               { $$ = $1; yyerrok; }
    ;
conn_list
    : %empty                        { $$ = seq_empty(); }
    | conn_list sep
    | conn_list conn_block          { $$ = $1; SEQ_PUSH($$, ConnPart, $2); }
    | conn_list conn_simple sep     { $$ = $1; SEQ_PUSH($$, ConnPart, $2); }
    | conn_list conn_simple conn_block
        { $$ = $1; SEQ_PUSH($$, ConnPart, $2); SEQ_PUSH($$, ConnPart, $3); }
    | conn_list error sep           { $$ = $1; yyerrok; }
    ;

/* `rule NAME` is an AST_NAME, `rule NAME(args)` an AST_CALL; `allow_self` may follow
 * the rule on its line or stand on its own. A weight that is a list literal is a
 * matrix. */
conn_simple
    : RULE name rule_args_opt allow_opt
        {
            Ex r = $3.n < 0 ? mk_name(ctx, $2, @2)
                            : mk_call(ctx, $2, @2, $3, nrn_loc_join(@2, @3));
            $$ = mk_part(ctx, CP_RULE, @1, r.e, $4.e);
            $$->loc2 = @4;
        }
    | ALLOW_SELF expr               { $$ = mk_part(ctx, CP_ALLOW_SELF, @1, $2.e, NULL); }
    | WEIGHT expr                   { $$ = mk_part(ctx, CP_WEIGHT, @1, $2.e, NULL); }
    | WEIGHT FILE STRING
        {
            $$ = mk_part(ctx, CP_WEIGHT_FILE, @1, NULL, NULL);
            $$->file = $3;
            $$->file_loc = @3;
        }
    | WEIGHT FILE STRING UNIT
        {
            $$ = mk_part(ctx, CP_WEIGHT_FILE, @1, NULL, NULL);
            $$->file = $3;
            $$->file_loc = @3;
            $$->file_unit = $4;
        }
    | DELAY expr                    { $$ = mk_part(ctx, CP_DELAY, @1, $2.e, NULL); }
    | SUMMED lvalue '=' expr        { $$ = mk_part(ctx, CP_SUMMED, @1, $2, $4.e); }
    ;

/* An absent argument list (n = -1) differs from an empty one: `all` vs `all()`. */
rule_args_opt
    : %empty                        { $$ = seq_empty(); $$.n = -1; }
    | '(' exprs_opt ')'             { $$ = $2; }
    ;

allow_opt
    : %empty                        { $$ = ex_leaf(NULL); }
    | ALLOW_SELF expr               { $$ = $2; }
    ;

conn_block
    : ON_PRE block
        { $$ = mk_part(ctx, CP_ON_PRE, @1, NULL, NULL); $$->body = $2.head; }
    | ON_POST block
        { $$ = mk_part(ctx, CP_ON_POST, @1, NULL, NULL); $$->body = $2.head; }
    ;

/* ---- Expressions --------------------------------------------------------------------
 *
 * Loosest first: `a ? b : c` (right-associative, below), then the precedence table at
 * the top of this file: or, and, not, comparisons (non-associative: a chain is a syntax
 * error, reported as such), + -, * / %, unary - +, ^ (right-associative; its right
 * operand may be signed, x^-2). Unary minus is below ^, so -x^2 is -(x^2). */

expr
    : arith                             { $$ = ex_close(ctx, $1); }
    | arith '?' expr ':' expr           { $$ = mk_cond(ctx, $1, $3, $5, @$); }
    ;

arith
    : postfix
    | arith OR arith                    { $$ = mk_binary(ctx, OP_OR, $1, $3, @$); }
    | arith AND arith                   { $$ = mk_binary(ctx, OP_AND, $1, $3, @$); }
    | NOT arith                         { $$ = mk_unary(ctx, OP_NOT, $2, @$); }
    | arith '<' arith                   { $$ = mk_binary(ctx, OP_LT, $1, $3, @$); }
    | arith '>' arith                   { $$ = mk_binary(ctx, OP_GT, $1, $3, @$); }
    | arith LE arith                    { $$ = mk_binary(ctx, OP_LE, $1, $3, @$); }
    | arith GE arith                    { $$ = mk_binary(ctx, OP_GE, $1, $3, @$); }
    | arith EQ arith                    { $$ = mk_binary(ctx, OP_EQ, $1, $3, @$); }
    | arith NE arith                    { $$ = mk_binary(ctx, OP_NE, $1, $3, @$); }
    | arith '+' arith                   { $$ = mk_chain(ctx, OP_ADD, $1, $3, @1, @3); }
    | arith '-' arith                   { $$ = mk_chain(ctx, OP_SUB, $1, $3, @1, @3); }
    | arith '*' arith                   { $$ = mk_chain(ctx, OP_MUL, $1, $3, @1, @3); }
    | arith '/' arith                   { $$ = mk_chain(ctx, OP_DIV, $1, $3, @1, @3); }
    | arith '%' arith                   { $$ = mk_binary(ctx, OP_MOD, $1, $3, @$); }
    | '-' arith %prec UNARY             { $$ = mk_unary(ctx, OP_NEG, $2, @$); }
    | '+' arith %prec UNARY             { $$ = mk_unary(ctx, OP_PLUS, $2, @$); }
    | arith '^' arith                   { $$ = mk_binary(ctx, OP_POW, $1, $3, @$); }
    ;

postfix
    : primary
    | postfix '.' name                  { $$ = mk_field(ctx, $1, $3, @3, @$); }
    ;

/* A quantity literal `10 ms` is one primary: NUM followed by the UNIT token that the
 * lexer produces only for a unit term right after a number (or after `]`). */
primary
    : NUM                               { $$ = mk_num(ctx, $1, NULL, @$); }
    | NUM UNIT                          { $$ = mk_num(ctx, $1, $2, @$); }
    | STRING                            { $$ = mk_string(ctx, $1, @$); }
    | TRUE                              { $$ = mk_bool(ctx, true, @$); }
    | FALSE                             { $$ = mk_bool(ctx, false, @$); }
    | name                              { $$ = mk_name(ctx, $1, @$); }
    | name '(' exprs_opt ')'            { $$ = mk_call(ctx, $1, @1, $3, @$); }
    | '(' expr ')'                      { $$ = $2; }
    | list_lit
    | list_lit UNIT
        {
            $$ = $1;
            $$.e->u.list.unit = $2;
            $$.e->loc = nrn_loc_join($$.e->loc, @2);
        }
    ;

/* [a, b, ...] with an optional trailing comma; rows of a matrix are nested lists. */
list_lit
    : '[' exprs_opt ']'                 { $$ = mk_list(ctx, $2, NULL, @$); }
    ;

exprs_opt
    : %empty                            { $$ = seq_empty(); }
    | exprs
    | exprs ','
    ;
exprs
    : expr                              { $$ = seq_empty(); seq_push_ex(&$$, $1); }
    | exprs ',' expr                    { $$ = $1; seq_push_ex(&$$, $3); }
    ;

/* Positional words are ordinary names outside their positions. */
name
    : IDENT | HOLD | FOR | SEED | EVERY | OF | RULE | WEIGHT | DELAY | USING | FILE | AS | DT
    | ALLOW_SELF | POISSON
    ;

%%

/* ---- Errors ----------------------------------------------------------------------------- */

bool parse_error(ParseCtx *c, NrnLoc loc, const char *fmt, ...)
{
    if (c->fatal)
        return false;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    diag_error(c->diags, loc, "%s", buf);
    if (++c->nerrors >= PARSE_MAX_ERRORS)
        c->fatal = true;
    return true;
}

/* Only "memory exhausted" comes here: the parser stack outgrew YYMAXDEPTH, which takes
 * right-nested input (a long chain of unary operators or `else if`s). */
static void yyerror(NrnLoc *loc, yyscan_t scanner, ParseCtx *ctx, const char *msg)
{
    (void)scanner;
    if (strstr(msg, "memory exhausted"))
        parse_error(ctx, *loc, "input nested too deeply for the parser");
    else
        parse_error(ctx, *loc, "%s", msg);
    ctx->fatal = true;
}

/* ---- Syntax error messages -----------------------------------------------------------
 *
 * Bison's expected-token set (exact, thanks to LAC) is folded into a few readable groups
 * ("an expression", "an operator", "a declaration (...)") and completed with what was
 * found and what came just before it:
 *     expected '=' after the name of a param, found newline
 * After reporting, the lexer is told to drop brace groups until the next statement
 * boundary, so the rest of a broken construct cannot cause follow-on errors. */

static bool is_positional_tok(int tok)
{
    switch (tok) {
    case TOK_HOLD: case TOK_FOR: case TOK_SEED: case TOK_EVERY: case TOK_OF: case TOK_RULE:
    case TOK_WEIGHT: case TOK_DELAY: case TOK_USING: case TOK_FILE: case TOK_AS: case TOK_DT:
    case TOK_ALLOW_SELF: case TOK_POISSON:
        return true;
    default:
        return false;
    }
}

static bool is_positional_sym(yysymbol_kind_t k)
{
    switch (k) {
    case YYSYMBOL_HOLD: case YYSYMBOL_FOR: case YYSYMBOL_SEED: case YYSYMBOL_EVERY:
    case YYSYMBOL_OF: case YYSYMBOL_RULE: case YYSYMBOL_WEIGHT: case YYSYMBOL_DELAY:
    case YYSYMBOL_USING: case YYSYMBOL_FILE: case YYSYMBOL_AS: case YYSYMBOL_DT:
    case YYSYMBOL_ALLOW_SELF: case YYSYMBOL_POISSON:
        return true;
    default:
        return false;
    }
}

/* The character of a single-character token symbol ('+' -> '+'), else 0. */
static int sym_char(yysymbol_kind_t k)
{
    const char *s = yysymbol_name(k);
    return s[0] == '\'' && s[1] && s[2] == '\'' ? s[1] : 0;
}

static bool is_expr_start(yysymbol_kind_t k)
{
    switch (k) {
    case YYSYMBOL_IDENT: case YYSYMBOL_NUM: case YYSYMBOL_STRING: case YYSYMBOL_TRUE:
    case YYSYMBOL_FALSE: case YYSYMBOL_NOT:
        return true;
    default:
        break;
    }
    int ch = sym_char(k);
    return is_positional_sym(k) || (ch && strchr("([-+", ch));
}

static bool is_comparison(yysymbol_kind_t k)
{
    int ch = sym_char(k);
    return k == YYSYMBOL_LE || k == YYSYMBOL_GE || k == YYSYMBOL_EQ || k == YYSYMBOL_NE ||
           ch == '<' || ch == '>';
}

static bool is_operator(yysymbol_kind_t k)
{
    switch (k) {
    case YYSYMBOL_LE: case YYSYMBOL_GE: case YYSYMBOL_EQ: case YYSYMBOL_NE:
    case YYSYMBOL_AND: case YYSYMBOL_OR:
        return true;
    default:
        break;
    }
    int ch = sym_char(k);
    return ch && strchr("+-*/%^<>?.(", ch);
}

static const char *sym_text(ParseCtx *c, yysymbol_kind_t k)
{
    switch (k) {
    case YYSYMBOL_YYEOF: return "end of file";
    case YYSYMBOL_IDENT: return "a name";
    case YYSYMBOL_NUM: return "a number";
    case YYSYMBOL_STRING: return "a string";
    case YYSYMBOL_UNIT: return "a unit";
    case YYSYMBOL_NL: return "newline";
    case YYSYMBOL_ODE: return "'dX/dt ='";
    default: break;
    }
    const char *s = yysymbol_name(k);
    return s[0] == '\'' ? s : arena_printf(c->arena, "'%s'", s);
}

/* The source text of a token, quoted and shortened for a message. */
static const char *tok_text(ParseCtx *c, const LexTok *t)
{
    if (t->kind == TOK_YYEOF)
        return "end of file";
    if (t->kind == TOK_NL)
        return "newline";
    int len = t->len;
    if (t->off >= c->size)
        len = 0;
    else if ((size_t)len > c->size - t->off)
        len = (int)(c->size - t->off);
    const char *more = len > 32 ? "..." : "";
    if (len > 32)
        len = 29;
    if (t->kind == TOK_STRING) {
        /* shown with both quotes, even when the closing one is missing */
        const char *q = c->src + t->off;
        if (len > 0 && *q == '"') {
            q++;
            len--;
        }
        if (len > 0 && q[len - 1] == '"' && !*more)
            len--;
        return arena_printf(c->arena, "\"%.*s%s\"", len, q, more);
    }
    return arena_printf(c->arena, "'%.*s%s'", len, c->src + t->off, more);
}

typedef struct Expect {
    const char *part[8];
    int n;
    bool overflow;
} Expect;

static void expect_add(Expect *x, const char *s)
{
    if (x->n < 8)
        x->part[x->n++] = s;
    else
        x->overflow = true;
}

/* Marks every expected symbol that `pred` accepts as described; true if any was there. */
static bool take(bool *left, const yysymbol_kind_t *exp, int n, bool (*pred)(yysymbol_kind_t))
{
    bool any = false;
    for (int i = 0; i < n; i++)
        if (left[i] && pred(exp[i])) {
            left[i] = false;
            any = true;
        }
    return any;
}

static bool has(const yysymbol_kind_t *exp, int n, yysymbol_kind_t k)
{
    for (int i = 0; i < n; i++)
        if (exp[i] == k)
            return true;
    return false;
}

static bool is_decl_start(yysymbol_kind_t k)
{
    switch (k) {
    case YYSYMBOL_PARAM: case YYSYMBOL_STATE: case YYSYMBOL_LET: case YYSYMBOL_INPUT:
    case YYSYMBOL_ODE: case YYSYMBOL_THRESHOLD: case YYSYMBOL_RESET: case YYSYMBOL_REFRACTORY:
    case YYSYMBOL_METHOD: case YYSYMBOL_ON_PRE: case YYSYMBOL_ON_POST:
        return true;
    default:
        return false;
    }
}

static bool is_net_start(yysymbol_kind_t k)
{
    return k == YYSYMBOL_PARAM || k == YYSYMBOL_POPULATION || k == YYSYMBOL_CONNECT ||
           k == YYSYMBOL_RECORD || k == YYSYMBOL_IDENT || is_positional_sym(k);
}

static bool is_conn_start(yysymbol_kind_t k)
{
    return k == YYSYMBOL_RULE || k == YYSYMBOL_ALLOW_SELF || k == YYSYMBOL_WEIGHT ||
           k == YYSYMBOL_DELAY || k == YYSYMBOL_ON_PRE || k == YYSYMBOL_ON_POST ||
           k == YYSYMBOL_SUMMED;
}

static bool is_top_start(yysymbol_kind_t k)
{
    return k == YYSYMBOL_NEURON || k == YYSYMBOL_SYNAPSE || k == YYSYMBOL_NETWORK ||
           k == YYSYMBOL_FUNCTION || k == YYSYMBOL_IMPORT || k == YYSYMBOL_SIMULATE ||
           k == YYSYMBOL_TABLE;
}

static bool is_stmt_start(yysymbol_kind_t k)
{
    return k == YYSYMBOL_IF || k == YYSYMBOL_IDENT || is_positional_sym(k);
}

static bool is_identlike_sym(yysymbol_kind_t k)
{
    return k == YYSYMBOL_IDENT || is_positional_sym(k);
}

static bool is_terminator(yysymbol_kind_t k)
{
    return k == YYSYMBOL_NL || k == YYSYMBOL_YYEOF || sym_char(k) == ';' || sym_char(k) == '}';
}

/* Describes the expected set; returns NULL when it is too varied to be useful. *item
 * tells whether a new item (statement, declaration...) could start here. */
static const char *describe_expected(ParseCtx *c, const yysymbol_kind_t *exp, int n, bool *item_out)
{
    bool left[YYNTOKENS];
    Expect x = {{0}, 0, false};
    for (int i = 0; i < n; i++)
        left[i] = true;
    bool item = false;
    if (has(exp, n, YYSYMBOL_NEURON) && take(left, exp, n, is_top_start)) {
        expect_add(&x, "'neuron', 'synapse', 'network', 'function', 'table', 'import' or 'simulate'");
        item = true;
    }
    if (has(exp, n, YYSYMBOL_THRESHOLD) && take(left, exp, n, is_decl_start)) {
        expect_add(&x, "a declaration ('param', 'state', 'let', 'input', 'dX/dt =', "
                       "'threshold', 'reset', 'refractory', 'method', 'on_pre', 'on_post')");
        item = true;
    }
    if (has(exp, n, YYSYMBOL_POPULATION) && take(left, exp, n, is_net_start)) {
        expect_add(&x, "a network item ('param', 'population', 'connect', 'record' or "
                       "POP.NAME = ...)");
        item = true;
    }
    if (has(exp, n, YYSYMBOL_SUMMED) && take(left, exp, n, is_conn_start)) {
        expect_add(&x, "'rule', 'allow_self', 'weight', 'delay', 'on_pre', 'on_post' or 'summed'");
        item = true;
    }
    if (has(exp, n, YYSYMBOL_IF) && has(exp, n, YYSYMBOL_IDENT) &&
        take(left, exp, n, is_stmt_start)) {
        expect_add(&x, "a statement");
        item = true;
    }
    if (has(exp, n, YYSYMBOL_IDENT) && has(exp, n, YYSYMBOL_NUM)) {
        take(left, exp, n, is_expr_start);
        expect_add(&x, "an expression");
    } else if (has(exp, n, YYSYMBOL_IDENT) && take(left, exp, n, is_identlike_sym)) {
        expect_add(&x, "a name");
    }
    /* A word after a number always lexes as a unit, so "a unit" is worth saying only
     * where nothing else would do (after the ':' of an annotation). */
    for (int i = 0; i < n; i++)
        if (left[i] && exp[i] == YYSYMBOL_UNIT) {
            left[i] = false;
            if (n == 1)
                expect_add(&x, "a unit");
        }
    bool op = false;
    for (int i = 0; i < n; i++)
        if (sym_char(exp[i]) == '*')
            op = true;
    if (op && take(left, exp, n, is_operator))
        expect_add(&x, "an operator");
    if (item) {
        take(left, exp, n, is_terminator);
    } else if (has(exp, n, YYSYMBOL_NL)) {
        take(left, exp, n, is_terminator);
        expect_add(&x, "newline");
    }
    for (int i = 0; i < n; i++)
        if (left[i])
            expect_add(&x, sym_text(c, exp[i]));
    *item_out = item;
    if (x.n == 0 || x.overflow || x.n > 5)
        return NULL;
    char buf[1024];
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < x.n; i++) {
        const char *sep = i == 0 ? "" : i == x.n - 1 ? " or " : ", ";
        int w = snprintf(buf + len, sizeof buf - len, "%s%s", sep, x.part[i]);
        if (w < 0 || (size_t)w >= sizeof buf - len)
            return NULL;
        len += (size_t)w;
    }
    return arena_strdup(c->arena, buf);
}

/* " after the name of a param", " after 'tau'", or "" at the start of a statement. */
static const char *describe_context(ParseCtx *c)
{
    const LexTok *prev = &c->hist[1], *prev2 = &c->hist[2];
    bool identlike = prev->kind == TOK_IDENT || is_positional_tok(prev->kind);
    if (identlike) {
        switch (prev2->kind) {
        case TOK_PARAM: return " after the name of a param";
        case TOK_STATE: return " after the name of a state";
        case TOK_LET: return " after the name of a let";
        case TOK_INPUT: return " after the name of an input";
        default: break;
        }
    }
    if (prev->kind < 0 || prev->kind == TOK_NL || prev->kind == ';')
        return "";
    return arena_printf(c->arena, " after %s", tok_text(c, prev));
}

static int yyreport_syntax_error(const yypcontext_t *yyctx, yyscan_t scanner, ParseCtx *ctx)
{
    (void)scanner;
    if (ctx->fatal)
        return 0;
    ParseCtx *c = ctx;
    yysymbol_kind_t found = yypcontext_token(yyctx);
    NrnLoc loc = *yypcontext_location(yyctx);
    const LexTok *la = &c->hist[0];
    /* The innermost bracket open before the lookahead (a closer has already popped it
     * from the lexer's stack, but the entry is still there). */
    const LexBracket *open = la->depth_before > 0 ? &c->brackets[la->depth_before - 1] : NULL;

    yysymbol_kind_t exp[YYNTOKENS];
    int n = yypcontext_expected_tokens(yyctx, exp, YYNTOKENS);
    if (found == YYSYMBOL_YYEOF && open) {
        char close = open->kind == '(' ? ')' : open->kind == '[' ? ']' : '}';
        bool closer_expected = false;
        for (int i = 0; i < n; i++)
            closer_expected |= sym_char(exp[i]) == close;
        if (closer_expected) {
            if (parse_error(c, loc, "missing '%c' at end of file", close))
                diag_note(c->diags, open->loc, "to close this '%c'", open->kind);
            return 0;
        }
    }
    bool item = false;
    const char *expected = n > 0 ? describe_expected(c, exp, n, &item) : NULL;
    const char *what = found == YYSYMBOL_YYEMPTY ? "this" : tok_text(c, la);
    const char *context = item ? "" : describe_context(c);
    bool ok = false;
    if (found == YYSYMBOL_YYUNDEF) {
        ok = false;     /* a stray character, already reported by the lexer */
    } else if (found != YYSYMBOL_YYEMPTY && parse_habit(c, la)) {
        ok = false;     /* a Brian2 habit, reported with what to write (habits.c) */
    } else if (is_comparison(found) && n > 0 && has(exp, n, YYSYMBOL_AND) &&
               !has(exp, n, found)) {
        /* After an operand, every operator but this one could follow: the operand ends
         * a comparison, and comparisons do not associate. */
        ok = parse_error(c, loc, "comparison operators cannot be chained");
        if (ok)
            diag_help(c->diags, "write 'a < b and b < c', or use parentheses");
    } else if (expected) {
        ok = parse_error(c, loc, "expected %s%s, found %s", expected, context, what);
    } else {
        ok = parse_error(c, loc, "syntax error: unexpected %s%s", what, context);
    }
    const LexTok *prev = &c->hist[1];
    bool assign = sym_char(found) == '=' || found == YYSYMBOL_PLUS_EQ ||
                  found == YYSYMBOL_MINUS_EQ || found == YYSYMBOL_STAR_EQ ||
                  found == YYSYMBOL_SLASH_EQ;
    if (ok && assign && prev->kind == TOK_UNIT)
        diag_help(c->diags, "a name right after a number is read as its unit: end the "
                            "statement before %s with a newline or ';'", tok_text(c, prev));
    else if (ok && sym_char(found) == '=' && n > 0 && has(exp, n, YYSYMBOL_EQ))
        diag_help(c->diags, "use '==' to compare");
    /* An item that only appears at top level, inside a block: that block is unclosed. */
    if (ok && item && is_top_start(found) && open && open->kind == '{')
        diag_note(c->diags, open->loc, "the block opened here is not closed");
    /* Lines swallowed by an unclosed ( or [ from an earlier line, or a file that ends
     * inside a block. */
    if (ok && open && (open->kind != '{' || found == YYSYMBOL_YYEOF) && open->loc.line < loc.line)
        diag_note(c->diags, open->loc, "'%c' opened here is not closed", open->kind);

    if (found != YYSYMBOL_NL && found != YYSYMBOL_YYEOF && sym_char(found) != ';' &&
        sym_char(found) != '}') {
        c->skipping = true;
        c->skip_base = la->depth_before;
    }
    return 0;
}

/* ---- Tree building ---------------------------------------------------------------------- */

static Seq seq_empty(void)
{
    Seq s = {NULL, NULL, 0, 0};
    return s;
}

static void seq_push_ex(Seq *s, Ex x)
{
    SEQ_PUSH(*s, AstExpr, x.e);
    if (s->depth >= 0)
        s->depth = x.depth < 0 ? -1 : x.depth > s->depth ? x.depth : s->depth;
}

static Ex ex_leaf(AstExpr *e)
{
    Ex x = {e, 1, NULL};
    return x;
}

/* Depth of a node over children of depths a and b: -1 when either is already too deep. */
static int depth_over(int a, int b)
{
    if (a < 0 || b < 0)
        return -1;
    return (a > b ? a : b) + 1;
}

/* The value of a subtree that passed the depth limit: reported once, at the first node
 * past it, as a placeholder 0; once reported it just propagates, without allocating. */
static Ex too_deep(ParseCtx *c, Ex a, Ex b, NrnLoc loc)
{
    if (a.depth < 0)
        return a;
    if (b.depth < 0)
        return b;
    parse_error(c, loc, "expression nested too deeply (limit %d)", PARSE_MAX_NESTING);
    AstExpr *e = ast_expr_new(c->arena, AST_NUM, loc);
    e->u.num.text = "0";
    Ex x = {e, -1, NULL};
    return x;
}

/* A call or list over elements at most `depth` deep. Its size is bounded by the bracket
 * limit, so it is built even past the depth limit (then marked, reported once). */
static Ex with_depth(ParseCtx *c, AstExpr *e, int depth, NrnLoc loc)
{
    Ex x = {e, depth_over(depth, 0), NULL};
    if (x.depth > PARSE_MAX_NESTING) {
        parse_error(c, loc, "expression nested too deeply (limit %d)", PARSE_MAX_NESTING);
        x.depth = -1;
    }
    return x;
}

static Ex mk_num(ParseCtx *c, NumTok n, AstUnit *unit, NrnLoc loc)
{
    AstExpr *e = ast_expr_new(c->arena, AST_NUM, loc);
    e->u.num.value = n.value;
    e->u.num.text = n.text;
    e->u.num.unit = unit;
    return ex_leaf(e);
}

static Ex mk_bool(ParseCtx *c, bool v, NrnLoc loc)
{
    AstExpr *e = ast_expr_new(c->arena, AST_NUM, loc);
    e->u.num.value = v ? 1.0 : 0.0;
    e->u.num.text = v ? "true" : "false";
    return ex_leaf(e);
}

static Ex mk_name(ParseCtx *c, const char *name, NrnLoc loc)
{
    AstExpr *e = ast_expr_new(c->arena, AST_NAME, loc);
    e->u.name.name = name;
    return ex_leaf(e);
}

static Ex mk_string(ParseCtx *c, const char *text, NrnLoc loc)
{
    AstExpr *e = ast_expr_new(c->arena, AST_STRING, loc);
    e->u.str.text = text;
    return ex_leaf(e);
}

static Ex mk_unary(ParseCtx *c, AstOp op, Ex x, NrnLoc loc)
{
    x = ex_close(c, x);
    int d = depth_over(x.depth, x.depth);
    if (d < 0 || d > PARSE_MAX_NESTING)
        return too_deep(c, x, x, loc);
    AstExpr *e = ast_expr_new(c->arena, AST_UNARY, loc);
    e->u.unary.op = op;
    e->u.unary.operand = x.e;
    Ex r = {e, d, NULL};
    return r;
}

static Ex mk_binary(ParseCtx *c, AstOp op, Ex l, Ex r, NrnLoc loc)
{
    l = ex_close(c, l);
    r = ex_close(c, r);
    int d = depth_over(l.depth, r.depth);
    if (d < 0 || d > PARSE_MAX_NESTING)
        return too_deep(c, l, r, loc);
    AstExpr *e = ast_expr_new(c->arena, AST_BINARY, loc);
    e->u.binary.op = op;
    e->u.binary.lhs = l.e;
    e->u.binary.rhs = r.e;
    Ex x = {e, d, NULL};
    return x;
}

/* ---- Runs of one associative operator group -------------------------------------------
 *
 * `a + b - c + ...` and `a * b / c * ...` are read as one run (a Chain) that counts as a
 * single level of nesting however many terms it has, so that a long flat sum is not
 * mistaken for a deep expression. When the run ends (ex_close) it becomes a tree: up to
 * CHAIN_LEFT_MAX terms the usual left-leaning one, evaluated left to right as written;
 * longer runs a balanced one (pairwise summation, and products alike), whose height is
 * the logarithm of the number of terms. Either way a tree is at most CHAIN_LEFT_MAX times
 * as high as its nesting depth, which keeps the recursive passes after the parser within
 * a fixed stack depth. `%` is not associative and stays an ordinary binary operator. */

struct ChainTerm {
    AstOp op;               /* the operator before the term (OP_ADD / OP_MUL for the first) */
    AstExpr *e;
    NrnLoc loc;             /* the term's span as the grammar saw it (with parentheses) */
    ChainTerm *next;
};

enum { CHAIN_LEFT_MAX = 16 };

static bool op_is_mul(AstOp op)
{
    return op == OP_MUL || op == OP_DIV;
}

static ChainTerm *chain_term(ParseCtx *c, AstOp op, AstExpr *e, NrnLoc loc)
{
    ChainTerm *t = arena_alloc(c->arena, sizeof *t);
    t->op = op;
    t->e = e;
    t->loc = loc;
    t->next = NULL;
    return t;
}

static AstExpr *chain_node(ParseCtx *c, AstOp op, AstExpr *l, AstExpr *r, NrnLoc loc)
{
    AstExpr *e = ast_expr_new(c->arena, AST_BINARY, loc);
    e->u.binary.op = op;
    e->u.binary.lhs = l;
    e->u.binary.rhs = r;
    return e;
}

static AstOp op_inverse(AstOp op)
{
    switch (op) {
    case OP_ADD: return OP_SUB;
    case OP_SUB: return OP_ADD;
    case OP_MUL: return OP_DIV;
    case OP_DIV: return OP_MUL;
    default: NRN_UNREACHABLE();
    }
}

/* Terms t[lo..hi] as a balanced tree, the first taken positively. With `flip` the
 * operators inside are inverted: x - (b + c) covers x - b - c, x / (b * c) covers x / b / c. */
static AstExpr *chain_balanced(ParseCtx *c, ChainTerm **t, int lo, int hi, bool flip)
{
    if (lo == hi)
        return t[lo]->e;
    int mid = lo + (hi - lo) / 2;
    AstExpr *l = chain_balanced(c, t, lo, mid, flip);
    AstOp op = flip ? op_inverse(t[mid + 1]->op) : t[mid + 1]->op;
    bool inverse = op == OP_SUB || op == OP_DIV;
    AstExpr *r = chain_balanced(c, t, mid + 1, hi, flip != inverse);
    return chain_node(c, op, l, r, nrn_loc_join(t[lo]->loc, t[hi]->loc));
}

/* The run as a tree (see above); any other expression as it is. */
static Ex ex_close(ParseCtx *c, Ex x)
{
    Chain *ch = x.chain;
    if (!ch)
        return x;
    x.chain = NULL;
    if (ch->n <= CHAIN_LEFT_MAX) {
        ChainTerm *t = ch->head;
        AstExpr *e = t->e;
        NrnLoc loc = t->loc;
        for (t = t->next; t; t = t->next) {
            loc = nrn_loc_join(loc, t->loc);
            e = chain_node(c, t->op, e, t->e, loc);
        }
        x.e = e;
        return x;
    }
    ChainTerm **terms = arena_alloc(c->arena, (size_t)ch->n * sizeof *terms);
    int k = 0;
    for (ChainTerm *t = ch->head; t; t = t->next)
        terms[k++] = t;
    x.e = chain_balanced(c, terms, 0, ch->n - 1, false);
    return x;
}

/* arith -> arith ('+' | '-' | '*' | '/') arith: extends the run on the left when the
 * operator is of its group, else starts one. */
static Ex mk_chain(ParseCtx *c, AstOp op, Ex l, Ex r, NrnLoc lloc, NrnLoc rloc)
{
    NrnLoc loc = nrn_loc_join(lloc, rloc);
    bool mul = op_is_mul(op);
    r = ex_close(c, r);
    if (!l.chain || l.chain->mul != mul)
        l = ex_close(c, l);
    if (l.depth < 0 || r.depth < 0)
        return too_deep(c, l, r, loc);
    if (l.chain) {
        int d = r.depth + 1 > l.depth ? r.depth + 1 : l.depth;
        if (d > PARSE_MAX_NESTING)
            return too_deep(c, ex_close(c, l), r, loc);
        l.chain->tail = l.chain->tail->next = chain_term(c, op, r.e, rloc);
        l.chain->n++;
        l.depth = d;
        return l;
    }
    int d = depth_over(l.depth, r.depth);
    if (d > PARSE_MAX_NESTING)
        return too_deep(c, l, r, loc);
    Chain *ch = arena_alloc(c->arena, sizeof *ch);
    ch->head = chain_term(c, mul ? OP_MUL : OP_ADD, l.e, lloc);
    ch->tail = ch->head->next = chain_term(c, op, r.e, rloc);
    ch->n = 2;
    ch->mul = mul;
    Ex x = {NULL, d, ch};
    return x;
}

static Ex mk_cond(ParseCtx *c, Ex cond, Ex a, Ex b, NrnLoc loc)
{
    cond = ex_close(c, cond);
    int d = depth_over(cond.depth, depth_over(a.depth, b.depth));
    if (d < 0 || d > PARSE_MAX_NESTING) {
        Ex ab = a.depth < 0 ? a : b;
        return too_deep(c, cond, ab, loc);
    }
    AstExpr *e = ast_expr_new(c->arena, AST_COND, loc);
    e->u.cond.cond = cond.e;
    e->u.cond.then = a.e;
    e->u.cond.els = b.e;
    Ex x = {e, d, NULL};
    return x;
}

static Ex mk_call(ParseCtx *c, const char *name, NrnLoc name_loc, Seq args, NrnLoc loc)
{
    AstExpr *e = ast_expr_new(c->arena, AST_CALL, loc);
    e->u.call.name = name;
    e->u.call.name_loc = name_loc;
    e->u.call.args = args.head;
    e->u.call.nargs = args.n;
    return with_depth(c, e, args.depth, loc);
}

static Ex mk_field(ParseCtx *c, Ex obj, const char *name, NrnLoc name_loc, NrnLoc loc)
{
    int d = depth_over(obj.depth, obj.depth);
    if (d < 0 || d > PARSE_MAX_NESTING)
        return too_deep(c, obj, obj, loc);
    AstExpr *e = ast_expr_new(c->arena, AST_FIELD, loc);
    e->u.field.object = obj.e;
    e->u.field.name = name;
    e->u.field.name_loc = name_loc;
    Ex x = {e, d, NULL};
    return x;
}

static Ex mk_list(ParseCtx *c, Seq items, AstUnit *unit, NrnLoc loc)
{
    AstExpr *e = ast_expr_new(c->arena, AST_LIST, loc);
    e->u.list.items = items.head;
    e->u.list.nitems = items.n;
    e->u.list.unit = unit;
    return with_depth(c, e, items.depth, loc);
}

static AstExpr *mk_lvalue(ParseCtx *c, const char *obj, NrnLoc obj_loc, const char *name,
                          NrnLoc name_loc)
{
    if (!obj)
        return mk_name(c, name, name_loc).e;
    AstExpr *e = ast_expr_new(c->arena, AST_FIELD, nrn_loc_join(obj_loc, name_loc));
    e->u.field.object = mk_name(c, obj, obj_loc).e;
    e->u.field.name = name;
    e->u.field.name_loc = name_loc;
    return e;
}

static AstStmt *mk_assign(ParseCtx *c, AstExpr *target, int op, Ex value, NrnLoc loc)
{
    AstStmt *s = ast_stmt_new(c->arena, STMT_ASSIGN, loc);
    s->u.assign.op = (AstAssignOp)op;
    s->u.assign.target = target;
    s->u.assign.value = value.e;
    return s;
}

static AstStmt *mk_if(ParseCtx *c, Ex cond, Seq then, AstStmt *els, NrnLoc loc)
{
    AstStmt *s = ast_stmt_new(c->arena, STMT_IF, loc);
    s->u.branch.cond = cond.e;
    s->u.branch.then = then.head;
    s->u.branch.els = els;
    return s;
}

static AstDecl *mk_decl(ParseCtx *c, AstDeclKind kind, NrnLoc loc, const char *name,
                        NrnLoc name_loc, AstUnit *unit, AstExpr *value)
{
    AstDecl *d = ast_decl_new(c->arena, kind, loc);
    d->name = name;
    d->name_loc = name_loc;
    d->unit = unit;
    d->value = value;
    return d;
}

static AstDecl *mk_body_decl(ParseCtx *c, AstDeclKind kind, NrnLoc loc, AstStmt *body)
{
    AstDecl *d = ast_decl_new(c->arena, kind, loc);
    d->name_loc = loc;
    d->body = body;
    return d;
}

static AstName *mk_name_node(ParseCtx *c, const char *name, NrnLoc loc)
{
    AstName *n = ARENA_NEW(c->arena, AstName);
    n->name = name;
    n->loc = loc;
    return n;
}

static AstArg *mk_arg(ParseCtx *c, const char *name, NrnLoc loc, Ex value)
{
    AstArg *a = ARENA_NEW(c->arena, AstArg);
    a->name = name;
    a->loc = loc;
    a->value = value.e;
    return a;
}

static AstPopRef *mk_popref(ParseCtx *c, const char *name, NrnLoc loc, AstExpr *lo, AstExpr *hi)
{
    AstPopRef *p = ARENA_NEW(c->arena, AstPopRef);
    p->name = name;
    p->loc = loc;
    p->lo = lo;
    p->hi = hi;
    return p;
}

static ConnPart *mk_part(ParseCtx *c, ConnPartKind kind, NrnLoc loc, AstExpr *e1, AstExpr *e2)
{
    ConnPart *p = ARENA_NEW(c->arena, ConnPart);
    p->kind = kind;
    p->loc = loc;
    p->expr = e1;
    p->expr2 = e2;
    return p;
}

static const char *const part_names[] = {
    [CP_RULE] = "rule", [CP_ALLOW_SELF] = "allow_self", [CP_WEIGHT] = "weight",
    [CP_WEIGHT_FILE] = "weight", [CP_DELAY] = "delay", [CP_SUMMED] = "summed",
    [CP_ON_PRE] = "on_pre", [CP_ON_POST] = "on_post",
};

/* True the first time a connect item of this kind is seen; reports repeats. */
static bool first_of(ParseCtx *c, NrnLoc *seen, bool *have, ConnPartKind kind, NrnLoc loc)
{
    if (kind == CP_WEIGHT_FILE)
        kind = CP_WEIGHT;
    if (have[kind]) {
        if (parse_error(c, loc, "'%s' is given twice in this connect", part_names[kind]))
            diag_note(c->diags, seen[kind], "first given here");
        return false;
    }
    have[kind] = true;
    seen[kind] = loc;
    return true;
}

static AstNetItem *mk_connect(ParseCtx *c, NrnLoc loc, Seq src, Seq dst, UsingOpt use,
                              NameTok as, Seq parts)
{
    AstNetItem *it = ast_net_item_new(c->arena, NET_CONNECT, loc);
    AstConnect *k = &it->u.connect;
    k->sources = src.head;
    k->targets = dst.head;
    k->synapse = use.name;
    k->synapse_loc = use.loc;
    k->synapse_args = use.args;
    k->as_name = as.name;
    k->as_loc = as.loc;
    NrnLoc seen[CP_ON_POST + 1];
    bool have[CP_ON_POST + 1] = {false};
    Seq summed = seq_empty();
    for (const ConnPart *p = parts.head; p; p = p->next) {
        if (p->kind != CP_SUMMED && !first_of(c, seen, have, p->kind, p->loc))
            continue;
        switch (p->kind) {
        case CP_RULE:
            k->rule = p->expr;
            if (p->expr2 && first_of(c, seen, have, CP_ALLOW_SELF, p->loc2))
                k->allow_self = p->expr2;
            break;
        case CP_ALLOW_SELF:
            k->allow_self = p->expr;
            break;
        case CP_WEIGHT:
            k->weight_kind = p->expr->kind == AST_LIST ? WEIGHT_MATRIX : WEIGHT_EXPR;
            k->weight = p->expr;
            k->weight_loc = p->expr->loc;
            break;
        case CP_WEIGHT_FILE:
            k->weight_kind = WEIGHT_FILE;
            k->weight_file = p->file;
            k->weight_file_unit = p->file_unit;
            k->weight_loc = p->file_loc;
            break;
        case CP_DELAY:
            k->delay = p->expr;
            break;
        case CP_SUMMED: {
            AstSummed *s = ARENA_NEW(c->arena, AstSummed);
            s->target = p->expr;
            s->value = p->expr2;
            s->loc = p->loc;
            SEQ_PUSH(summed, AstSummed, s);
            break;
        }
        case CP_ON_PRE:
            k->on_pre = p->body;
            k->on_pre_loc = p->loc;
            break;
        case CP_ON_POST:
            k->on_post = p->body;
            k->on_post_loc = p->loc;
            break;
        }
    }
    k->summed = summed.head;
    return it;
}

/* connect poisson(RATE, COUNT): the two arguments, in order; a wrong count is reported
 * here and leaves the missing ones NULL (sema checks only what is there). */
static AstNetItem *mk_poisson(ParseCtx *c, AstNetItem *it, Seq args, NrnLoc loc)
{
    AstConnect *k = &it->u.connect;
    k->is_poisson = true;
    k->poisson_loc = loc;
    if (args.n != 2) {
        parse_error(c, loc, "connect poisson takes two arguments, poisson(RATE, COUNT), but %d %s given",
                    args.n, args.n == 1 ? "was" : "were");
        return it;
    }
    k->poisson_rate = args.head;
    k->poisson_count = k->poisson_rate->next;
    k->poisson_rate->next = NULL;
    return it;
}

/* `record spikes of ...` and `record rate of ...` are the built-in monitors; any other
 * word names a variable (of a population, or of a connection named with `as`). */
static AstNetItem *mk_record(ParseCtx *c, NrnLoc loc, const char *what, NrnLoc what_loc,
                             Seq pops, AstExpr *every)
{
    AstNetItem *it = ast_net_item_new(c->arena, NET_RECORD, loc);
    it->u.record.what = strcmp(what, "spikes") == 0 ? REC_SPIKES
                        : strcmp(what, "rate") == 0 ? REC_RATE
                                                    : REC_VAR;
    it->u.record.var = what;
    it->u.record.var_loc = what_loc;
    it->u.record.pops = pops.head;
    it->u.record.every = every;
    return it;
}

static SimOpts sim_add(ParseCtx *c, SimOpts s, bool is_seed, AstExpr *e, NrnLoc loc)
{
    AstExpr **slot = is_seed ? &s.seed : &s.dt;
    NrnLoc *where = is_seed ? &s.seed_loc : &s.dt_loc;
    if (*slot) {
        if (parse_error(c, loc, "'%s' is given twice in this simulate", is_seed ? "seed" : "dt"))
            diag_note(c->diags, *where, "first given here");
        return s;
    }
    *slot = e;
    *where = loc;
    return s;
}

static AstItem *mk_item(ParseCtx *c, AstItemKind kind, NrnLoc loc, const char *name,
                        NrnLoc name_loc)
{
    AstItem *it = ast_item_new(c->arena, kind, loc);
    it->name = name;
    it->name_loc = name_loc;
    return it;
}

static AstItem *mk_table(ParseCtx *c, NrnLoc loc, const char *name, NrnLoc name_loc,
                         AstExpr *values, const char *file, NrnLoc src_loc, AstUnit *unit,
                         AstExpr *every)
{
    AstItem *it = mk_item(c, ITEM_TABLE, loc, name, name_loc);
    it->u.table.values = values;
    it->u.table.file = file;
    it->u.table.src_loc = src_loc;
    it->u.table.unit = unit;
    it->u.table.every = every;
    return it;
}
