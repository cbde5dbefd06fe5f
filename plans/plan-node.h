/* plan-node.h: the logical plan (typed relational operators, a schema on every node) and the
 * physical plan (operators with parallelism, exchanges and chains), plus catalog tables.
 *
 * Both IRs are immutable reference-counted trees: a rewrite pass builds new nodes and
 * shares the untouched subtrees. Each node keeps the PlanSpan of the SQL it came from so
 * EXPLAIN and the GUI can point at the text. */
#pragma once

#include "plan-expr.h"

G_BEGIN_DECLS

/* ---- catalog tables ---------------------------------------------------------------- */

struct _PlanTable {
  gint ref_count;
  char *name;          /* owned */
  PlanSchema *schema;  /* owned ref: physical columns */
  GPtrArray *options;  /* owned: char* key, value, key, value ... in DDL order */
  char *ddl;           /* owned: the CREATE TABLE text (for SHOW CREATE, notebooks) */
  PlanSpan span;
};

PlanTable *plan_table_new (const char *name, PlanSchema *schema, PlanSpan span);
PlanTable *plan_table_ref (PlanTable *table);
void plan_table_unref (PlanTable *table);
void plan_table_add_option (PlanTable *table, const char *key, const char *value);
/* Borrowed option value, or NULL. Keys compare exactly, as in Flink. */
const char *plan_table_get_option (const PlanTable *table, const char *key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PlanTable, plan_table_unref)

/* ---- logical plan ------------------------------------------------------------------ */

typedef enum {
  PLAN_NODE_SCAN,    /* read a catalog table; may carry pushed projection and filter */
  PLAN_NODE_VALUES,  /* constant rows (SELECT without FROM) */
  PLAN_NODE_FILTER,
  PLAN_NODE_PROJECT,
  PLAN_NODE_LIMIT,
  PLAN_NODE_SINK,    /* INSERT INTO table, or collect to the client when table is NULL */
  PLAN_NODE_AGGREGATE, /* GROUP BY: keys then one column per aggregate call */
} PlanNodeKind;

/* added by streaming aggregates: one aggregate call of an AGGREGATE node. */
typedef enum {
  PLAN_AGG_COUNT_STAR, /* COUNT(*): rows, arg unused */
  PLAN_AGG_COUNT,      /* non-NULL values of arg */
  PLAN_AGG_SUM,
  PLAN_AGG_MIN,
  PLAN_AGG_MAX,
  PLAN_AGG_AVG,
} PlanAggFunc;

typedef struct {
  PlanAggFunc func;
  gboolean distinct;  /* COUNT(DISTINCT x) ... */
  gint arg;           /* input column; -1 for COUNT(*) */
  gint filter;        /* input BOOLEAN column of FILTER (WHERE ...); -1 none */
  PlanType type;      /* result type */
} PlanAggCall;

/* The payload shared by the logical and physical AGGREGATE: output column i < n_keys is
 * input column keys[i]; output column n_keys + j is aggs[j]. */
typedef struct {
  guint n_keys;
  guint *keys;        /* owned */
  guint n_aggs;
  PlanAggCall *aggs;  /* owned */
} PlanAggregate;

const char *plan_agg_func_name (PlanAggFunc func); /* "COUNT", "SUM", ... (COUNT(*): "COUNT") */
/* Deep copy of the payload (keys and aggs arrays). */
void plan_aggregate_copy (PlanAggregate *dest, const PlanAggregate *src);
void plan_aggregate_clear (PlanAggregate *agg);

struct _PlanNode {
  gint ref_count;
  PlanNodeKind kind;
  PlanSchema *schema; /* owned ref: output schema */
  PlanSpan span;
  guint n_inputs;
  PlanNode **inputs; /* owned refs */
  union {
    struct {
      PlanTable *table;  /* owned ref */
      guint n_columns;   /* output column i is table column columns[i] */
      guint *columns;    /* owned */
      PlanExpr *filter;  /* owned, nullable: over the output columns */
    } scan;
    struct {
      guint n_rows;
      PlanValue *values; /* owned: n_rows * schema->n_fields */
    } values;
    struct {
      PlanExpr *condition; /* owned */
    } filter;
    struct {
      guint n_exprs;
      PlanExpr **exprs; /* owned; names are the schema's */
    } project;
    struct {
      gint64 limit; /* -1: none */
      gint64 offset;
    } limit;
    struct {
      PlanTable *table; /* owned ref; NULL: collect to the client */
    } sink;
    PlanAggregate aggregate; /* added by streaming aggregates */
  } u;
};

/* Constructors take ownership of the given refs (schema, inputs, exprs, table). */
PlanNode *plan_node_new (PlanNodeKind kind, PlanSchema *schema, PlanSpan span, guint n_inputs,
                         PlanNode **inputs);
PlanNode *plan_node_ref (PlanNode *node);
void plan_node_unref (PlanNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PlanNode, plan_node_unref)
const char *plan_node_kind_name (PlanNodeKind kind);

/* ---- physical plan ----------------------------------------------------------------- */

typedef enum {
  PLAN_PHYS_SOURCE, /* a connector's scan, with pushed projection/filter */
  PLAN_PHYS_VALUES,
  PLAN_PHYS_CALC,   /* filter + projection, one compiled program */
  PLAN_PHYS_LIMIT,
  PLAN_PHYS_SINK,
  PLAN_PHYS_AGGREGATE, /* keyed (unbounded) group aggregate with retractions */
} PlanPhysKind;

typedef enum {
  PLAN_EXCHANGE_FORWARD,   /* subtask i -> subtask i (equal parallelism) */
  PLAN_EXCHANGE_HASH,      /* by key group of the keys */
  PLAN_EXCHANGE_REBALANCE, /* round robin */
  PLAN_EXCHANGE_BROADCAST, /* every row to every subtask */
  PLAN_EXCHANGE_GATHER,    /* all subtasks -> the single consumer */
} PlanExchangeKind;

typedef enum {
  PLAN_SINK_COLLECT,   /* rows go back to the client (bare SELECT) */
  PLAN_SINK_PRINT,     /* 'connector' = 'print' */
  PLAN_SINK_BLACKHOLE, /* 'connector' = 'blackhole' */
  PLAN_SINK_FILESYSTEM,
} PlanSinkKind;

typedef struct {
  PlanPhysNode *node; /* owned ref */
  PlanExchangeKind exchange;
  guint n_keys;
  guint *keys; /* owned: columns of node's schema, for HASH */
} PlanPhysInput;

struct _PlanPhysNode {
  gint ref_count;
  guint id;           /* unique within a plan, stable: used by metrics and the GUI */
  PlanPhysKind kind;
  PlanSchema *schema; /* owned ref */
  PlanSpan span;
  guint parallelism;
  gboolean chained;   /* runs in the same task as inputs[0] (forward, equal parallelism) */
  double est_rows;    /* optimizer's estimate; < 0 unknown */
  gboolean updating;  /* added by streaming aggregates: the output has -U/+U/-D rows */
  guint n_inputs;
  PlanPhysInput *inputs; /* owned */
  union {
    struct {
      PlanTable *table; /* owned ref */
      guint n_columns;
      guint *columns;   /* owned: table columns read, in output order */
      PlanExpr *filter; /* owned, nullable: over the output columns */
    } source;
    struct {
      guint n_rows;
      PlanValue *values; /* owned */
    } values;
    struct {
      PlanExpr *filter; /* owned, nullable: over the input columns */
      guint n_exprs;
      PlanExpr **exprs; /* owned: over the input columns */
    } calc;
    struct {
      gint64 limit;
      gint64 offset;
    } limit;
    struct {
      PlanSinkKind sink;
      PlanTable *table; /* owned ref, NULL for COLLECT */
    } sink;
    PlanAggregate aggregate; /* added by streaming aggregates */
  } u;
};

PlanPhysNode *plan_phys_node_new (PlanPhysKind kind, PlanSchema *schema, PlanSpan span,
                                  guint parallelism);
/* Appends an input edge; takes the node ref and copies keys. */
void plan_phys_node_add_input (PlanPhysNode *node, PlanPhysNode *input,
                               PlanExchangeKind exchange, guint n_keys, const guint *keys);
PlanPhysNode *plan_phys_node_ref (PlanPhysNode *node);
void plan_phys_node_unref (PlanPhysNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PlanPhysNode, plan_phys_node_unref)
const char *plan_phys_kind_name (PlanPhysKind kind);
char *plan_phys_node_label (const PlanPhysNode *node);
const char *plan_exchange_name (PlanExchangeKind kind);
const char *plan_sink_kind_name (PlanSinkKind kind);

/* A whole physical plan: the sink at the root, nodes in topological order (inputs before
 * consumers, ids 0..n-1 equal to the index). */
struct _PlanPhysPlan {
  gint ref_count;
  PlanPhysNode *root;  /* owned ref */
  GPtrArray *nodes;    /* owned refs, topological */
};

/* Numbers the nodes reachable from root (takes the root ref). */
PlanPhysPlan *plan_phys_plan_new (PlanPhysNode *root);
PlanPhysPlan *plan_phys_plan_ref (PlanPhysPlan *plan);
void plan_phys_plan_unref (PlanPhysPlan *plan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PlanPhysPlan, plan_phys_plan_unref)

G_END_DECLS
