/* plan-sql-private.h: the SQL front end's internals, shared by the lexer, the parser and
 * the binder (plans/plan-sql-*.c) and by nothing else: tokens, the AST, and the state and
 * helpers that the two files of the parser (plan-sql-parser.c, plan-sql-parse-expr.c) and
 * the two of the binder (plan-sql-binder.c, plan-sql-bind-expr.c) share.
 *
 * The AST is plain syntax: names are unresolved text, types are spelled as written, and
 * clauses strom cannot run yet (GROUP BY, JOIN, UNION, ...) are kept so that the binder
 * can refuse them with a position instead of the parser failing with a vague message.
 * Every node lives in the statement's arena, so freeing a statement is one walk over a
 * list of chunks, never a recursion over a tree that hostile input may have made deep. */
#pragma once

#include "plan-sql.h"

G_BEGIN_DECLS

/* Limits against hostile input: recursion in the parser (parentheses, NOT, unary minus,
 * subqueries) and the height of any expression or query tree (long left-deep chains such
 * as 1+1+...+1 recurse in the binder and in every later pass). */
#define PLAN_SQL_MAX_NESTING 200
#define PLAN_SQL_MAX_HEIGHT 1000

/* ---- shared helpers (plan-sql-lexer.c) ---------------------------------------------- */

/* Sets a PLAN_ERROR whose message starts with "LINE:COL: " of span. */
void plan__sql_error (GError **error, PlanErrorCode code, PlanSpan span, const char *format,
                      ...) G_GNUC_PRINTF (4, 5);
/* The candidate closest to name (case-insensitive edit distance), if close enough to be a
 * plausible typo; borrowed from candidates, or NULL. */
const char *plan__sql_closest (const char *name, const char *const *candidates, guint n);

typedef struct _PlanSqlArena PlanSqlArena;
PlanSqlArena *plan__sql_arena_new (void);
void plan__sql_arena_free (PlanSqlArena *arena);
gpointer plan__sql_arena_alloc (PlanSqlArena *arena, gsize size); /* zeroed */
char *plan__sql_arena_strndup (PlanSqlArena *arena, const char *text, gsize len);

/* ---- tokens ------------------------------------------------------------------------ */

typedef enum {
  PLAN_TOK_EOF,
  PLAN_TOK_IDENT,        /* word: keyword or identifier, compared case-insensitively */
  PLAN_TOK_QUOTED_IDENT, /* `name` or "name"; never a keyword */
  PLAN_TOK_INTEGER,      /* 42 */
  PLAN_TOK_DECIMAL,      /* 1.25, .5, 3. */
  PLAN_TOK_FLOAT,        /* 1.5e3 */
  PLAN_TOK_STRING,       /* 'text' */
  PLAN_TOK_COMMA, PLAN_TOK_DOT, PLAN_TOK_SEMICOLON, PLAN_TOK_LPAREN, PLAN_TOK_RPAREN,
  PLAN_TOK_LBRACKET, PLAN_TOK_RBRACKET,
  PLAN_TOK_PLUS, PLAN_TOK_MINUS, PLAN_TOK_STAR, PLAN_TOK_SLASH, PLAN_TOK_PERCENT,
  PLAN_TOK_EQ, PLAN_TOK_NE, PLAN_TOK_LT, PLAN_TOK_LE, PLAN_TOK_GT, PLAN_TOK_GE,
  PLAN_TOK_CONCAT, /* || */
  PLAN_TOK_PIPE,   /* |> */
  PLAN_TOK_ARROW,  /* => (named arguments) */
} PlanTokKind;

typedef struct {
  PlanTokKind kind;
  PlanSpan span;
} PlanToken;

/* Tokens of a whole script, ending with one PLAN_TOK_EOF placed just after the last
 * token. NULL with a PLAN_ERROR_SYNTAX error on a bad character, an unterminated string,
 * identifier or comment, or a malformed number. */
GArray *plan__sql_lex (const char *script, GError **error);
/* The token's value: strings and quoted identifiers unescaped, anything else as written. */
char *plan__sql_token_value (PlanSqlArena *arena, const char *script, const PlanToken *token);

/* ---- AST --------------------------------------------------------------------------- */

typedef struct {
  guint n;
  gpointer *items;
} PlanAstList;

typedef struct {
  char *name; /* as written (quotes removed) */
  PlanSpan span;
} PlanAstName;

typedef struct _PlanAstExpr PlanAstExpr;
typedef struct _PlanAstQuery PlanAstQuery;
typedef struct _PlanAstFrom PlanAstFrom;
typedef struct _PlanAstStmt PlanAstStmt;

/* A type as spelled: name upper-cased and normalised ("DOUBLE PRECISION" -> "DOUBLE",
 * "CHARACTER VARYING" -> "VARCHAR", "TIMESTAMP WITH LOCAL TIME ZONE" -> "TIMESTAMP_LTZ");
 * precision and scale -1 when absent. Composite types (ARRAY<...>, ROW(...)) keep only
 * their name: the binder refuses them. */
typedef struct {
  char *name;
  gint precision;
  gint scale;
  PlanSpan span;
} PlanAstType;

typedef enum {
  PLAN_AST_COLUMN,    /* [qualifier.]name */
  PLAN_AST_STAR,      /* * or qualifier.* (select lists only) */
  PLAN_AST_INTEGER,   /* text: digits, maybe with a folded leading '-' */
  PLAN_AST_DECIMAL,   /* text */
  PLAN_AST_FLOAT,     /* text */
  PLAN_AST_STRING,    /* text: unescaped */
  PLAN_AST_BOOL,      /* boolean */
  PLAN_AST_NULL,
  PLAN_AST_DATE,      /* text: the quoted part */
  PLAN_AST_TIMESTAMP, /* text */
  PLAN_AST_INTERVAL,  /* text, unit (, to_unit), negative */
  PLAN_AST_UNARY,     /* op: NEG, PLUS, NOT; left */
  PLAN_AST_BINARY,    /* op; left, right */
  PLAN_AST_IS,        /* is_kind; left [, right for DISTINCT FROM] */
  PLAN_AST_BETWEEN,   /* negated; left, low=args[0], high=args[1] */
  PLAN_AST_IN,        /* negated; left, list in args or query */
  PLAN_AST_LIKE,      /* negated; left, right = pattern, escape */
  PLAN_AST_CASE,      /* left = operand or NULL; args: when, then, ...; escape = else */
  PLAN_AST_CAST,      /* left, type; is_try for TRY_CAST */
  PLAN_AST_CALL,      /* name (upper-cased), args; see the call fields */
  PLAN_AST_SUBQUERY,  /* query */
  PLAN_AST_EXISTS,    /* query */
  PLAN_AST_TABLE_ARG, /* TABLE name, inside table function calls: text */
  PLAN_AST_DESCRIPTOR,/* DESCRIPTOR(a, b): args are COLUMNs */
  PLAN_AST_NAMED_ARG, /* name => value: text, left */
} PlanAstExprKind;

typedef enum {
  PLAN_AST_OP_ADD, PLAN_AST_OP_SUB, PLAN_AST_OP_MUL, PLAN_AST_OP_DIV, PLAN_AST_OP_MOD,
  PLAN_AST_OP_CONCAT,
  PLAN_AST_OP_EQ, PLAN_AST_OP_NE, PLAN_AST_OP_LT, PLAN_AST_OP_LE, PLAN_AST_OP_GT,
  PLAN_AST_OP_GE,
  PLAN_AST_OP_AND, PLAN_AST_OP_OR,
  PLAN_AST_OP_NEG, PLAN_AST_OP_PLUS, PLAN_AST_OP_NOT,
} PlanAstOp;

typedef enum {
  PLAN_AST_IS_NULL, PLAN_AST_IS_NOT_NULL,
  PLAN_AST_IS_TRUE, PLAN_AST_IS_NOT_TRUE, PLAN_AST_IS_FALSE, PLAN_AST_IS_NOT_FALSE,
  PLAN_AST_IS_DISTINCT_FROM, PLAN_AST_IS_NOT_DISTINCT_FROM,
} PlanAstIsKind;

struct _PlanAstExpr {
  PlanAstExprKind kind;
  PlanSpan span;    /* the whole expression */
  PlanSpan op_span; /* the operator or keyword token, where errors about it point */
  guint height;     /* 1 for leaves */
  PlanAstOp op;
  PlanAstIsKind is_kind;
  gboolean negated;   /* NOT BETWEEN / NOT IN / NOT LIKE; INTERVAL '-5' is in the text */
  gboolean boolean;   /* PLAN_AST_BOOL */
  gboolean is_try;    /* TRY_CAST */
  char *qualifier;    /* COLUMN, STAR: nullable */
  char *name;         /* COLUMN: column; CALL: function name upper-cased */
  char *text;         /* literals, TABLE_ARG, NAMED_ARG */
  char *unit;         /* INTERVAL unit, EXTRACT unit (upper-cased) */
  char *to_unit;      /* INTERVAL '1 02' DAY TO HOUR: nullable */
  PlanAstExpr *left;
  PlanAstExpr *right;
  PlanAstExpr *escape;  /* LIKE ... ESCAPE; CASE: ELSE */
  PlanAstList args;     /* PlanAstExpr* */
  PlanAstType *type;    /* CAST */
  PlanAstQuery *query;  /* SUBQUERY, EXISTS, IN (query) */
  /* CALL only */
  gboolean distinct;    /* COUNT(DISTINCT x) */
  gboolean star_arg;    /* COUNT(*) */
  PlanAstExpr *filter;  /* FILTER (WHERE ...) */
  gboolean over;        /* OVER (...) follows */
  PlanSpan over_span;
  PlanAstExpr *trim_chars; /* TRIM(BOTH 'x' FROM s) */
  /* added by rank: the window of OVER ( [PARTITION BY ...] [ORDER BY ...] [frame] ) */
  PlanAstList over_partition; /* PlanAstExpr* */
  PlanAstList over_order;     /* PlanAstOrderItem* */
  PlanSpan over_frame_span;   /* ROWS / RANGE frame as written; line 0 when absent */
  gboolean over_named;        /* OVER w: a window name instead of a specification */
};

typedef struct {
  PlanAstExpr *expr;  /* may be a STAR */
  char *alias;        /* nullable */
  PlanSpan span;
} PlanAstSelectItem;

typedef struct {
  PlanAstExpr *expr;
  gboolean descending;
  PlanSpan span;
  gint nulls; /* added by sort: 0 as written nothing (the default), 1 FIRST, 2 LAST */
} PlanAstOrderItem;

typedef enum {
  PLAN_AST_FROM_TABLE,    /* name [FOR SYSTEM_TIME AS OF expr] */
  PLAN_AST_FROM_SUBQUERY, /* ( query ) */
  PLAN_AST_FROM_JOIN,     /* left JOIN right ON/USING; also comma lists */
  PLAN_AST_FROM_TVF,      /* TABLE(func(...)) */
} PlanAstFromKind;

typedef enum {
  PLAN_AST_JOIN_INNER, PLAN_AST_JOIN_LEFT, PLAN_AST_JOIN_RIGHT, PLAN_AST_JOIN_FULL,
  PLAN_AST_JOIN_CROSS, PLAN_AST_JOIN_COMMA,
} PlanAstJoinKind;

struct _PlanAstFrom {
  PlanAstFromKind kind;
  PlanSpan span;        /* the whole item, alias included */
  guint height;
  char *alias;          /* nullable */
  PlanAstList column_aliases; /* PlanAstName*: AS x (a, b) */
  char *name;           /* TABLE: as written, dotted parts joined with '.' */
  PlanSpan name_span;
  PlanAstExpr *system_time;  /* TABLE: FOR SYSTEM_TIME AS OF, nullable */
  PlanAstQuery *query;  /* SUBQUERY */
  PlanAstJoinKind join; /* JOIN */
  PlanSpan join_span;   /* JOIN: the join keywords (or the comma) */
  PlanAstFrom *left;
  PlanAstFrom *right;
  PlanAstExpr *on;      /* nullable */
  PlanAstList using_cols; /* PlanAstName* */
  PlanAstExpr *call;    /* TVF: a PLAN_AST_CALL */
};

typedef enum {
  PLAN_AST_Q_SELECT, /* SELECT ... [FROM] [WHERE] [GROUP BY] [HAVING] */
  PLAN_AST_Q_FROM,   /* FROM-first query (pipe syntax start): all columns of from */
  PLAN_AST_Q_VALUES, /* VALUES (row), ...: rows is a list of PlanAstList* */
  PLAN_AST_Q_SETOP,  /* left UNION/INTERSECT/EXCEPT [ALL] right */
  PLAN_AST_Q_WITH,   /* WITH ctes body */
  PLAN_AST_Q_PIPE,   /* input |> step; ORDER BY and LIMIT of plain SQL are steps too */
} PlanAstQueryKind;

typedef enum {
  PLAN_AST_PIPE_WHERE,     /* expr */
  PLAN_AST_PIPE_SELECT,    /* items, distinct */
  PLAN_AST_PIPE_EXTEND,    /* items */
  PLAN_AST_PIPE_LIMIT,     /* limit, offset */
  PLAN_AST_PIPE_ORDER_BY,  /* order */
  PLAN_AST_PIPE_AGGREGATE, /* items, group_by */
  PLAN_AST_PIPE_AS,        /* alias */
  PLAN_AST_PIPE_JOIN,      /* from (a JOIN whose left is NULL) */
} PlanAstPipeKind;

typedef struct {
  char *name;
  PlanSpan span;
  PlanAstList columns; /* PlanAstName*, optional */
  PlanAstQuery *query;
} PlanAstCte;

struct _PlanAstQuery {
  PlanAstQueryKind kind;
  PlanSpan span;
  guint height;
  /* SELECT */
  PlanSpan select_span;   /* SELECT keyword to the end of the select list */
  gboolean distinct;
  PlanSpan distinct_span;
  PlanAstList items;      /* PlanAstSelectItem* (SELECT, pipe SELECT/EXTEND/AGGREGATE) */
  PlanAstFrom *from;      /* SELECT (nullable), FROM; pipe JOIN */
  PlanAstExpr *where;     /* SELECT, pipe WHERE */
  PlanSpan where_span;
  PlanAstList group_by;   /* PlanAstExpr* */
  PlanSpan group_span;
  PlanAstExpr *having;
  PlanSpan having_span;
  /* VALUES */
  PlanAstList rows;       /* PlanAstList* of PlanAstExpr* */
  /* SETOP */
  char *setop;            /* "UNION", "INTERSECT", "EXCEPT" */
  gboolean all;
  PlanSpan op_span;       /* SETOP keyword; PIPE: the step after |> */
  PlanAstQuery *left;     /* SETOP left, PIPE input, WITH body */
  PlanAstQuery *right;
  /* WITH */
  gboolean recursive;
  PlanAstList ctes;       /* PlanAstCte* */
  /* PIPE */
  PlanAstPipeKind pipe;
  PlanAstList order;      /* PlanAstOrderItem* */
  gint64 limit;           /* -1: none */
  gint64 offset;
  char *alias;
};

typedef struct {
  char *name;
  PlanSpan span;
  PlanAstType *type;
  gboolean not_null;
  PlanAstExpr *computed; /* name AS expr */
} PlanAstColumnDef;

typedef struct {
  char *column;
  PlanSpan column_span;
  PlanAstExpr *expr;
  PlanSpan span;
} PlanAstWatermark;

typedef struct {
  char *key;
  char *value;
  PlanSpan span;
} PlanAstOption;

struct _PlanAstStmt {
  PlanStmtKind kind;
  PlanSpan span;
  char *name;              /* CREATE, DROP, DESCRIBE, INSERT target */
  PlanSpan name_span;
  gboolean if_exists;      /* IF [NOT] EXISTS */
  gboolean temporary;
  PlanAstList columns;     /* CREATE TABLE: PlanAstColumnDef* */
  PlanAstList watermarks;  /* PlanAstWatermark* */
  PlanAstList primary_key; /* PlanAstName* */
  PlanSpan primary_key_span;
  PlanAstList options;     /* PlanAstOption* */
  PlanAstQuery *query;     /* QUERY, INSERT, CREATE VIEW (and CREATE TABLE AS: refused) */
  PlanAstList insert_columns; /* PlanAstName* */
  char *key;               /* SET, RESET: nullable */
  char *value;
  guint explain_flags;
  PlanSpan unsupported_span; /* EXPLAIN CHANGELOG_MODE, CREATE TABLE AS: line 0 if none */
  const char *unsupported_what;
  PlanAstStmt *inner;      /* EXPLAIN */
};

struct _PlanAst {
  PlanSqlArena *arena; /* owns every node below */
  PlanAstStmt *stmt;
  char *text;          /* the statement's text (in the arena) */
  PlanSpan span;       /* of the text within the script */
};

/* The source text of span, which must lie within the statement; newly allocated. */
char *plan__sql_ast_slice (const PlanAst *ast, PlanSpan span);

/* ---- parser internals (plan-sql-parser.c, plan-sql-parse-expr.c) -------------------- */

/* The parser's state over the tokens of one script. Parse functions return NULL (or
 * FALSE) once an error is recorded; only the first error is kept. */
typedef struct {
  const char *script;    /* borrowed */
  const PlanToken *toks; /* borrowed: the script's tokens, ending with PLAN_TOK_EOF */
  guint n_toks;
  guint pos;
  PlanSqlArena *arena;   /* borrowed: the current statement's */
  guint depth;
  GError *error;         /* owned: the first error */
} PlanSqlParser;

/* Tokens (plan-sql-parse-util.c). peek_at looks k tokens ahead, stopping at the end; advance
 * returns the token it moves past. Keywords are plain words, compared case-insensitively;
 * a reserved word ends an expression or a FROM item and is never taken as a bare name. */
const PlanToken *plan__peek (PlanSqlParser *p);
const PlanToken *plan__peek_at (PlanSqlParser *p, guint k);
const PlanToken *plan__advance (PlanSqlParser *p);
gboolean plan__tok_is_kw (PlanSqlParser *p, const PlanToken *t, const char *kw);
gboolean plan__is_kw (PlanSqlParser *p, const char *kw);
gboolean plan__accept_kw (PlanSqlParser *p, const char *kw);
gboolean plan__accept (PlanSqlParser *p, PlanTokKind kind);
gboolean plan__tok_is_reserved (PlanSqlParser *p, const PlanToken *t);
gboolean plan__is_name_token (PlanSqlParser *p, const PlanToken *t);
/* From start's first byte to the end of the last token consumed. */
PlanSpan plan__span_from (PlanSqlParser *p, const PlanToken *start);
/* The token's value in the arena; tok_upper upper-cases it. */
char *plan__tok_text (PlanSqlParser *p, const PlanToken *t);
char *plan__tok_upper (PlanSqlParser *p, const PlanToken *t);

/* A token as error messages name it: "end of input", "number 12", "'FROM'" (new). */
char *plan__describe_token (PlanSqlParser *p, const PlanToken *t);

/* Errors (plan-sql-parse-util.c). fail_at and fail_expected record an error (unless one is
 * already recorded) and return NULL, for `return plan__fail_expected (p, "...");`. */
gpointer plan__fail_at (PlanSqlParser *p, PlanSpan span, PlanErrorCode code,
                        const char *format, ...) G_GNUC_PRINTF (4, 5);
/* "Expected <what>, found <the next token>", at the next token. */
gpointer plan__fail_expected (PlanSqlParser *p, const char *what);
gboolean plan__expect (PlanSqlParser *p, PlanTokKind kind, const char *what);
gboolean plan__expect_kw (PlanSqlParser *p, const char *kw);
/* One level of recursion deeper (FALSE with an error past PLAN_SQL_MAX_NESTING), and
 * back. */
gboolean plan__enter (PlanSqlParser *p, const char *what);
void plan__leave (PlanSqlParser *p);

/* Lists and names (plan-sql-parse-util.c), queries (plan-sql-parser.c). list_take copies
 * items to the arena. */
PlanAstList plan__list_take (PlanSqlParser *p, GPtrArray *items);
PlanAstName *plan__parse_name (PlanSqlParser *p, const char *what, gboolean allow_reserved);
/* ( name, name, ... ) */
gboolean plan__parse_name_list (PlanSqlParser *p, const char *what, PlanAstList *out);
gboolean plan__parse_integer (PlanSqlParser *p, const char *what, gint64 *out);
/* A query with its set operations, ORDER BY, LIMIT and pipe steps. */
PlanAstQuery *plan__parse_query (PlanSqlParser *p);

/* Types and expressions (plan-sql-parse-expr.c). */
PlanAstType *plan__parse_type (PlanSqlParser *p);
/* A node of kind at start, of height 1. */
PlanAstExpr *plan__new_expr (PlanSqlParser *p, PlanAstExprKind kind, const PlanToken *start);
PlanAstExpr *plan__parse_expr (PlanSqlParser *p);
/* An operand of a comparison: || and arithmetic, without predicates or AND/OR/NOT. */
PlanAstExpr *plan__parse_concat (PlanSqlParser *p);
/* One or more comma-separated expressions. */
gboolean plan__parse_expr_list (PlanSqlParser *p, PlanAstList *out);
/* name(args) [FILTER (WHERE ...)] [OVER ...], where start is the name and the current
 * token its '('. */
PlanAstExpr *plan__parse_call (PlanSqlParser *p, const PlanToken *start);

/* ---- binder internals (plan-sql-binder.c, plan-sql-bind-expr.c) --------------------- */

typedef struct {
  char *qualifier; /* owned, nullable */
  char *name;      /* owned */
  PlanType type;
  PlanSpan span;   /* where the column was made (select item, table reference) */
} PlanSqlCol;

/* A relation: a plan node plus the names its columns are known by. */
typedef struct {
  PlanNode *node; /* owned ref */
  GArray *cols;   /* PlanSqlCol */
  char *desc;     /* owned, nullable: "table 'bid'" for messages; NULL is "the input" */
} PlanSqlRel;

typedef struct {
  PlanCatalog *catalog; /* borrowed */
  const PlanAst *ast;   /* borrowed */
  GError **error;
  GPtrArray *ctes;      /* BindCte* (plan-sql-binder.c), owned; innermost last */
  struct _PlanSqlAggCtx *agg; /* added by aggregates: non-NULL while binding the select
                               * list or HAVING of an aggregation (plan-sql-bind-agg.c) */
  struct _PlanSqlRankCtx *rank; /* added by rank: non-NULL while binding the select list
                                 * of a SELECT with ROW_NUMBER() OVER (plan-sql-bind-rank.c) */
  struct _PlanSqlLegacyWin *legacy; /* added by legacy windows: non-NULL while binding a
                                     * GROUP BY TUMBLE/HOP/SESSION(...) aggregation */
} PlanSqlBinder;

/* Errors and relations (plan-sql-binder.c). bfail sets the error and returns NULL. */
gpointer plan__bfail (PlanSqlBinder *b, PlanErrorCode code, PlanSpan span,
                      const char *format, ...) G_GNUC_PRINTF (4, 5);
PlanSqlCol *plan__rel_col (const PlanSqlRel *rel, guint i);
/* The relation's description for messages: "the input" when it has none. */
const char *plan__rel_desc (const PlanSqlRel *rel);

/* Types (plan-sql-bind-expr.c). */
gboolean plan__is_numeric (PlanType t);
gboolean plan__is_temporal (PlanType t); /* DATE or TIMESTAMP */
/* A type's name for messages, by value: plan__tname (t).s lives until the end of the full
 * expression that calls plan__tname, which is all a message needs (and is thread-safe). */
typedef struct {
  char s[48];
} PlanSqlTypeName;
PlanSqlTypeName plan__tname (PlanType t);
/* A NULL literal of type t, made nullable. */
PlanExpr *plan__null_literal (PlanType t, PlanSpan span);
/* e as type t (nullability stays e's): unchanged, a typed NULL, or a CAST. Takes e; NULL
 * with an error for a string literal that is not a valid DATE or TIMESTAMP. */
PlanExpr *plan__coerce (PlanSqlBinder *b, PlanExpr *e, PlanType t);
/* Unrefs the expressions of args[0 .. n) that are not NULL. */
void plan__free_exprs (PlanExpr **args, guint n);
/* Casts args to one common type, *out. On failure every arg is released; the definition
 * tells what the messages say and what fallback is for. */
gboolean plan__unify (PlanSqlBinder *b, PlanExpr **args, guint n, const char *what,
                      PlanSpan span, PlanTypeKind fallback, PlanType *out);
/* Maps a spelled type to a PlanType. */
gboolean plan__bind_type (PlanSqlBinder *b, const PlanAstType *t, gboolean nullable,
                          PlanType *out);

/* Expressions (plan-sql-bind-expr.c). scope NULL: no FROM clause, so no columns. */
gboolean plan__qualifier_matches (const PlanSqlCol *c, const char *qualifier);
/* TRUE when qualifier is NULL or names columns of scope; else FALSE with an error. */
gboolean plan__check_qualifier (PlanSqlBinder *b, const PlanSqlRel *scope,
                                const char *qualifier, PlanSpan span);
PlanExpr *plan__bind_expr (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e);

/* added by joins (plan-sql-bind-join.c): binds the JOIN f; with left non-NULL (a pipe
 * |> JOIN step, f->left NULL) that relation is the left side (ownership taken). */
PlanSqlRel *plan__bind_join (PlanSqlBinder *b, PlanSqlRel *left, const PlanAstFrom *f);
/* plan-sql-binder.c: one FROM item, and freeing a relation. */
PlanSqlRel *plan__bind_from (PlanSqlBinder *b, const PlanAstFrom *f);
void plan__rel_free (PlanSqlRel *rel);
/* A relation over node (owned, nullable: a scope without a plan) with no columns yet. */
PlanSqlRel *plan__rel_new (PlanNode *node, const char *desc);

/* added by sort (plan-sql-bind-sort.c): ORDER BY over rel (consumed): a SORT node,
 * with extra key expressions computed by a PROJECT below it and dropped above it. */
PlanSqlRel *plan__bind_order_by (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstQuery *s);
/* A LIMIT step over rel: when a SORT without a limit is just below, it becomes a Top-N
 * with that limit and offset and TRUE is returned (no LIMIT node is needed). */
gboolean plan__sort_take_limit (PlanSqlRel *rel, gint64 limit, gint64 offset);

/* added by aggregates (plan-sql-bind-agg.c) */
typedef struct _PlanSqlAggCtx PlanSqlAggCtx;
gboolean plan__is_aggregate_call (const PlanAstExpr *e);
/* The first aggregate call inside e (subqueries not searched), or NULL. */
const PlanAstExpr *plan__find_aggregate (const PlanAstExpr *e);
gboolean plan__items_have_aggregate (const PlanAstList *items);
/* Binds GROUP BY keys and the aggregate calls of items and having over rel, builds
 * PROJECT -> AGGREGATE (consuming rel->node) and leaves b->agg set so the caller binds the
 * select list and HAVING over the result; out_key_cols (nullable) gets, per key, the
 * PlanSqlCol of rel it is (borrowed, valid while rel lives) or NULL for an expression.
 * NULL on error (b->agg may be set: call plan__agg_end either way). */
PlanNode *plan__agg_begin (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstList *items,
                           const PlanAstList *group_by, const PlanAstExpr *having,
                           PlanSpan span, GPtrArray *out_key_cols);
void plan__agg_end (PlanSqlBinder *b);
/* Inside an aggregation: e as a reference to a key or aggregate column, or an error for a
 * column that is neither; *handled FALSE means "bind e normally". */
PlanExpr *plan__agg_resolve (PlanSqlBinder *b, const PlanAstExpr *e, gboolean *handled);

/* added by windows (plan-sql-bind-window.c): TABLE(TUMBLE|HOP|CUMULATE(...)) as a WINDOW
 * node over the table argument; a new relation, or NULL with an error. */
PlanSqlRel *plan__bind_window_tvf (PlanSqlBinder *b, const PlanAstFrom *f);
/* Computed columns (`c AS expr`, `pt AS PROCTIME()`): CREATE TABLE keeps only the physical
 * columns in the schema and records each computed one as the option __computed.<name> =
 * "<declared position>:<expr text>"; a scan of the table gets them as a PROJECT in declared
 * order (consumes rel; NULL on error); DESCRIBE gets a table whose schema has them all. */
guint plan__n_physical_columns (const PlanAstStmt *s);
gboolean plan__bind_computed_columns (PlanSqlBinder *b, const PlanAstStmt *s, PlanTable *table);
PlanSqlRel *plan__add_computed_columns (PlanSqlBinder *b, PlanSqlRel *rel, PlanTable *table);
PlanTable *plan__describe_table (PlanSqlBinder *b, PlanTable *table);

/* added by rank (plan-sql-bind-rank.c). parse_window_spec: the ( ... ) after OVER into
 * e's over_* fields (the current token is the '('). bind_setop: UNION [ALL] chains as one
 * UNION node over CAST-unified inputs (a DISTINCT AGGREGATE above for UNION). The rank
 * functions bind a SELECT whose list has ROW_NUMBER() OVER (...): rank_begin puts a RANK
 * node over rel (consumed) and sets b->rank so that rank_resolve turns the call into the
 * rownum column while the caller binds the select list; rank_end clears it. */
gboolean plan__parse_window_spec (PlanSqlParser *p, PlanAstExpr *e);
PlanSqlRel *plan__bind_setop (PlanSqlBinder *b, const PlanAstQuery *q);
gboolean plan__items_have_over (const PlanAstList *items);
PlanSqlRel *plan__rank_begin (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstList *items);
void plan__rank_end (PlanSqlBinder *b);
PlanExpr *plan__rank_resolve (PlanSqlBinder *b, const PlanAstExpr *e);

/* added by ROW types (plan-row.c). bind_columns: the schema of a CREATE TABLE with ROW
 * columns flattened (*out NULL and TRUE when it has none: bind it as usual);
 * finish_table: records the ROW types and moves computed columns to flattened positions
 * (after plan__bind_computed_columns); field_column: e = q.f where q is no table or alias
 * of scope, as the column "q.f"; whole_column: sets an error and returns TRUE when e names
 * a ROW column as a whole; item_name: a select item's name for a field ("id" for
 * "person.id"), borrowed from name. */
gboolean plan__row_bind_columns (PlanSqlBinder *b, const PlanAstStmt *s, PlanSchema **out);
gboolean plan__row_finish_table (PlanSqlBinder *b, const PlanAstStmt *s, PlanTable *table);
gint plan__row_field_column (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e,
                             guint *out); /* 1 found, 0 not a field, -1 error set */
gboolean plan__row_whole_column (PlanSqlBinder *b, const PlanSqlRel *scope,
                                 const PlanAstExpr *e);
const char *plan__row_item_name (const char *name);
/* WATERMARK FOR a computed column (Nexmark's dateTime): is_computed_column: name is a
 * computed column of table; bind_computed_watermark: binds and records it (the computed
 * columns must be bound already); computed_is_rowtime: output col of project (the
 * computed-column PROJECT right over a scan) is that table's computed rowtime. */
gboolean plan__is_computed_column (const PlanTable *table, const char *name);
gboolean plan__bind_computed_watermark (PlanSqlBinder *b, const PlanAstWatermark *w,
                                        PlanTable *table, GHashTable *seen);
gboolean plan__computed_is_rowtime (const PlanNode *project, guint col);
/* added by nexmark functions (plan-sql-bind-func.c): types DATE_FORMAT, SPLIT_INDEX,
 * REGEXP_EXTRACT and INSTR (instr: swap to POSITION's argument order). Takes args. */
PlanExpr *plan__bind_nexmark_call (PlanSqlBinder *b, const PlanAstExpr *e, PlanFunc func,
                                   gboolean instr, PlanExpr **args, guint n);

/* added by legacy windows (plan-sql-bind-legacy-window.c). legacy_window_begin: when
 * group_by holds TUMBLE/HOP/SESSION(...), puts a WINDOW node over *rel (replaced; freed
 * and NULL on error), sets b->legacy and fills out_group_by (arena) with the keys to
 * aggregate by; returns FALSE (nothing done) when there is no group window. resolve: a
 * TUMBLE_START/_END/_ROWTIME-style call (is_legacy_window_call) bound over scope.
 * is_rowtime (plan-sql-bind-window.c): output column col of node is a time attribute. */
typedef struct _PlanSqlLegacyWin PlanSqlLegacyWin;
gboolean plan__is_legacy_window_call (const PlanAstExpr *e);
gboolean plan__legacy_window_begin (PlanSqlBinder *b, PlanSqlRel **rel,
                                    const PlanAstList *group_by, PlanAstList *out_group_by);
void plan__legacy_window_end (PlanSqlBinder *b);
PlanExpr *plan__legacy_window_resolve (PlanSqlBinder *b, const PlanSqlRel *scope,
                                       const PlanAstExpr *e);
gboolean plan__is_rowtime (const PlanNode *node, guint col);

/* added by lookup joins (plan-sql-bind-lookup.c): the right side of `left JOIN t FOR
 * SYSTEM_TIME AS OF expr`: checks expr is a processing-time attribute of left and t a
 * filesystem table, and binds t; NULL with an error. */
PlanSqlRel *plan__bind_lookup_side (PlanSqlBinder *b, const PlanSqlRel *left,
                                    const PlanAstFrom *f);
/* added by processing-time windows: output column col of node is PROCTIME() (a
 * CURRENT_TIMESTAMP projection) seen through filters, limits and column projections. */
gboolean plan__is_proctime (const PlanNode *node, guint col);
/* added by partitioned sinks (plan-sql-bind-partition.c): checks the columns of the
 * '__partitioned_by' option the parser made of PARTITIONED BY (..); FALSE with an error. */
gboolean plan__bind_partition_columns (PlanSqlBinder *b, const PlanAstStmt *s,
                                       const PlanTable *table);

/* added by statistics (plan-sql-bind-analyze.c): ANALYZE TABLE: the table (a ref), its name
 * and the columns to measure in stmt->value (see PLAN_STMT_ANALYZE). */
gboolean plan__bind_analyze (PlanSqlBinder *b, const PlanAstStmt *s, PlanStatement *stmt);

/* added by subqueries (plan-sql-bind-subquery.c): WHERE with IN / EXISTS / scalar
 * subqueries rewritten into joins (consumes rel); the binder's own helpers it uses
 * (plan-sql-binder.c): bind_query, bind_filter and a pipe-style aggregate (keys, then the
 * items) over rel, each consuming rel. */
PlanSqlRel *plan__bind_where (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstExpr *where,
                              PlanSpan span);
PlanSqlRel *plan__bind_query_rel (PlanSqlBinder *b, const PlanAstQuery *q);
PlanSqlRel *plan__bind_filter_rel (PlanSqlBinder *b, PlanSqlRel *rel, const PlanAstExpr *cond,
                                   PlanSpan span);
PlanSqlRel *plan__bind_aggregate_rel (PlanSqlBinder *b, PlanSqlRel *rel,
                                      const PlanAstList *items, const PlanAstList *group_by,
                                      PlanSpan span);

G_END_DECLS
