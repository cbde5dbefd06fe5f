/* plan-sql.h: the SQL front end. A script is split and parsed into statements (AST with a
 * span on every node), then each statement is bound against the catalog as it is about
 * to run, since earlier DDL in the same script changes what later statements mean.
 *
 * Errors are GErrors in PLAN_ERROR whose message starts with "LINE:COL: " (1-based, of
 * the statement's script), so any front end can print the caret with
 * plan_sql_format_error. */
#pragma once

#include "plan-catalog.h"

G_BEGIN_DECLS

typedef struct _PlanAst PlanAst; /* one parsed statement, opaque */

typedef enum {
  PLAN_STMT_QUERY,        /* SELECT ... / pipe syntax: plan is a collect SINK */
  PLAN_STMT_INSERT,       /* INSERT INTO t SELECT ...: plan is a table SINK */
  PLAN_STMT_CREATE_TABLE,
  PLAN_STMT_CREATE_VIEW,
  PLAN_STMT_DROP_TABLE,
  PLAN_STMT_DROP_VIEW,
  PLAN_STMT_SET,          /* key NULL: list settings */
  PLAN_STMT_RESET,        /* key NULL: reset all */
  PLAN_STMT_SHOW_TABLES,
  PLAN_STMT_SHOW_VIEWS,
  PLAN_STMT_DESCRIBE,
  PLAN_STMT_EXPLAIN,      /* inner statement is QUERY or INSERT */
  PLAN_STMT_STOP_JOB,     /* added by checkpoints: STOP JOB 'id' [WITH SAVEPOINT]; name: the
                           * job id, value: "SAVEPOINT" or NULL */
  PLAN_STMT_ANALYZE,      /* added by statistics: ANALYZE TABLE t [COMPUTE STATISTICS [FOR
                           * ALL COLUMNS | FOR COLUMNS a, b]]; table: the table, name: its
                           * name, value: the positions in its schema of the columns to
                           * measure, comma-separated ("0,2"; every column but ROW fields
                           * for bare ANALYZE TABLE t and FOR ALL COLUMNS), NULL for the row
                           * count only (COMPUTE STATISTICS, as in Flink) */
} PlanStmtKind;

struct _PlanStatement {
  PlanStmtKind kind;
  PlanSpan span;
  char *text;          /* owned: this statement's SQL */
  PlanNode *plan;      /* owned ref: QUERY, INSERT, CREATE_VIEW (the view body), EXPLAIN */
  PlanTable *table;    /* owned ref: CREATE_TABLE (new), DESCRIBE (existing table) */
  char *name;          /* owned: CREATE_VIEW, DROP_*, DESCRIBE */
  gboolean if_exists;  /* DROP ... IF EXISTS; CREATE ... IF NOT EXISTS */
  char *key;           /* owned: SET / RESET */
  char *value;         /* owned: SET; DESCRIBE: "EXTENDED" (added by statistics) or NULL */
  PlanStmtKind explain_of; /* EXPLAIN: QUERY or INSERT */
  guint explain_flags;     /* EXPLAIN: PlanExplainFlags */
};

typedef enum {
  PLAN_EXPLAIN_ESTIMATED_COST = 1 << 0,
  PLAN_EXPLAIN_JSON = 1 << 1,        /* JSON_EXECUTION_PLAN */
  PLAN_EXPLAIN_PLAN_ADVICE = 1 << 2,
  PLAN_EXPLAIN_DOT = 1 << 3,     /* added by explain: EXPLAIN DOT, Graphviz text */
  PLAN_EXPLAIN_ANALYZE = 1 << 4, /* added by explain: run, then actual next to estimated */
} PlanExplainFlags;

/* Parses a script of ;-separated statements. Returns PlanAst* (free with
 * plan_ast_free), or NULL with error at the first syntax error. A script with only
 * whitespace and comments gives an empty array. */
GPtrArray *plan_sql_parse (const char *script, GError **error);
void plan_ast_free (PlanAst *ast);
/* The statement's text and span within its script. */
const char *plan_ast_get_text (const PlanAst *ast);
PlanSpan plan_ast_get_span (const PlanAst *ast);

/* Binds one statement: names resolved, types checked and coerced, views expanded. Does
 * not change the catalog: the caller applies DDL (CREATE/DROP) when it runs it. */
PlanStatement *plan_sql_bind (PlanCatalog *catalog, const PlanAst *ast, GError **error);
void plan_statement_free (PlanStatement *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PlanStatement, plan_statement_free)

/* Convenience: parse + bind a script of exactly one statement. */
PlanStatement *plan_sql_compile_one (PlanCatalog *catalog, const char *sql, GError **error);

/* If error's message starts with "LINE:COL: ", returns TRUE and the position. */
gboolean plan_sql_error_position (const GError *error, guint *line, guint *col);
/* "ERROR: <message>\nLINE 2: SELECT x FROM t\n               ^\n" in psql's manner
 * (falls back to the bare message when there is no position). Newly allocated. */
char *plan_sql_format_error (const char *script, const GError *error);

/* Keywords of the dialect, for completion. NULL-terminated, static. */
const char *const *plan_sql_keywords (void);

G_END_DECLS

G_BEGIN_DECLS
/* TRUE when text holds at least one statement terminated by ';' outside string literals,
 * quoted identifiers and comments (the REPL's test for "run it now"). */
gboolean plan_sql_is_complete (const char *text);
G_END_DECLS
