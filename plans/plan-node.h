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
  PLAN_NODE_JOIN,      /* added by joins: inputs[0] JOIN inputs[1], columns left ++ right */
  PLAN_NODE_SORT,      /* added by sort: ORDER BY, with a limit a Top-N; same columns */
  PLAN_NODE_WINDOW,    /* added by windows: window TVF, input ++ window_start/end/time */
  PLAN_NODE_UNION,     /* added by rank: UNION ALL of n_inputs inputs of equal column types */
  PLAN_NODE_RANK,      /* added by rank: ROW_NUMBER() OVER (PARTITION BY .. ORDER BY ..) */
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

/* added by joins: the payload shared by the logical JOIN and the physical joins. Output
 * column i < n_left is left column i, then the right's columns; the side an outer join may
 * fill with NULLs has nullable output types. Keys are equalities left_keys[k] =
 * right_keys[k] (same storage type; NULL keys never match); residual is the rest of the
 * condition, over the output columns, applied to the combined row before NULL filling. */
typedef enum {
  PLAN_JOIN_INNER,
  PLAN_JOIN_LEFT,
  PLAN_JOIN_RIGHT,
  PLAN_JOIN_FULL,
} PlanJoinType;

typedef enum {
  PLAN_JOIN_HINT_NONE,
  PLAN_JOIN_HINT_BROADCAST,    /* the hinted side is broadcast (build side) */
  PLAN_JOIN_HINT_SHUFFLE_HASH, /* repartition both sides by the keys; hinted side builds */
  PLAN_JOIN_HINT_SHUFFLE_MERGE, /* added by join strategy: sort-merge join */
  PLAN_JOIN_HINT_NEST_LOOP,     /* added by join strategy: nested loop, hinted side builds */
  PLAN_JOIN_HINT_LOOKUP,        /* added by lookup joins: the right side is FOR SYSTEM_TIME AS OF */
} PlanJoinHint;

typedef enum {
  PLAN_JOIN_STRATEGY_NONE,        /* logical node: not chosen yet */
  PLAN_JOIN_STRATEGY_STREAMING,   /* both sides keyed state, changelog output */
  PLAN_JOIN_STRATEGY_BROADCAST,   /* build side broadcast, probe side stays in place */
  PLAN_JOIN_STRATEGY_REPARTITION, /* both sides HASH-partitioned on the keys */
  PLAN_JOIN_STRATEGY_SINGLE,      /* no keys: both sides to one subtask (nested loop) */
} PlanJoinStrategy;

typedef struct {
  PlanJoinType type;
  guint n_keys;
  guint *left_keys;   /* owned: columns of inputs[0] */
  guint *right_keys;  /* owned: columns of inputs[1] */
  PlanExpr *residual; /* owned, nullable */
  PlanJoinHint hint;
  guint hint_side;    /* 0 left, 1 right (with a hint) */
  /* physical only */
  PlanJoinStrategy strategy;
  guint build_side;   /* batch hash join: input whose rows are hashed first */
  char *alternative;  /* owned, nullable: the rejected strategy with its cost, for EXPLAIN */
} PlanJoin;

/* added by sort: the payload shared by the logical and physical SORT. Rows are ordered by
 * keys[0], then keys[1], ...; each key ascending or descending, with its NULLs first or
 * last. limit >= 0 makes it a Top-N: only rows offset .. offset + limit - 1 of the order
 * are kept (ORDER BY ... LIMIT n OFFSET m). */
typedef struct {
  guint n_keys;
  guint *keys;           /* owned: input columns */
  gboolean *descending;  /* owned, n_keys */
  gboolean *nulls_first; /* owned, n_keys */
  gint64 limit;          /* -1: no limit */
  gint64 offset;         /* rows of the order skipped first */
} PlanSort;

/* added by windows: the payload of a window TVF (logical WINDOW, physical WINDOW). Output
 * is the input's columns, then window_start, window_end, window_time (= window_end - 1 ms,
 * the row's new rowtime). Times are ms; TUMBLE has slide = size; HOP a row lands in
 * size / slide windows; CUMULATE windows [start, start + k * slide) for k = 1 .. size /
 * slide, sharing the start. */
typedef enum {
  PLAN_WINDOW_TUMBLE,
  PLAN_WINDOW_HOP,
  PLAN_WINDOW_CUMULATE,
  PLAN_WINDOW_SESSION, /* each row [ts, ts + gap); the window aggregate merges them */
} PlanWindowKind;

#define PLAN_WINDOW_MAX_PARTITION 8

typedef struct {
  PlanWindowKind kind;
  guint time_col;   /* input column: the rowtime attribute of DESCRIPTOR(...) */
  gint64 size_ms;   /* TUMBLE/HOP size, CUMULATE max size, SESSION gap */
  gint64 slide_ms;  /* HOP slide, CUMULATE step, TUMBLE and SESSION = size */
  gint64 offset_ms; /* window alignment offset */
  guint n_partition; /* SESSION: PARTITION BY input columns */
  guint partition[PLAN_WINDOW_MAX_PARTITION];
  gboolean merged;  /* physical SESSION: a WINDOW_AGGREGATE above merges the sessions;
                     * processing time (added): the one above assigns each row's windows,
                     * so the TVF passes every row through once */
} PlanWindow;

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

/* added by rank: the payload of the logical and physical RANK (ROW_NUMBER() OVER
 * (PARTITION BY partition ORDER BY order.keys) with `WHERE rownum <= limit`). Rows are
 * numbered 1, 2, ... within their partition in the order of order (ties by arrival); only
 * rows numbered 1 .. limit are kept (-1: all). Output: the input's columns, then rownum
 * (BIGINT NOT NULL) when rownum is TRUE. Ordered by a proctime attribute alone, arrival is
 * the order: first_row (ASC) keeps each partition's first rows by arrival, so the output
 * is insert-only; last_row (DESC) its latest ones. order.limit and order.offset are
 * unused. */
typedef struct {
  guint n_partition;
  guint *partition;   /* owned: input columns */
  PlanSort order;     /* owned */
  gint64 limit;
  gboolean rownum;
  gboolean first_row;
  gboolean last_row;
} PlanRank;

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
    PlanJoin join; /* added by joins */
    PlanSort sort; /* added by sort */
    PlanWindow window; /* added by windows */
    PlanRank rank; /* added by rank */
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
  PLAN_PHYS_JOIN,      /* added by joins: streaming join, keyed state on both sides */
  PLAN_PHYS_HASH_JOIN, /* added by joins: batch hash join (build, then probe) */
  PLAN_PHYS_NESTED_LOOP_JOIN, /* added by joins: batch join without equi-keys */
  PLAN_PHYS_SORT,      /* added by sort: external merge sort (batch) or Top-N */
  PLAN_PHYS_WINDOW,    /* added by windows: window TVF, assigns rows to windows */
  PLAN_PHYS_WINDOW_AGGREGATE, /* added by windows: fires each window on the watermark */
  PLAN_PHYS_UNION,     /* added by rank: passes the rows of every input through */
  PLAN_PHYS_RANK,      /* added by rank: Top-N / deduplication per partition */
  PLAN_PHYS_SORT_MERGE_JOIN, /* added by join strategy: batch join of both inputs sorted */
  PLAN_PHYS_INTERVAL_JOIN, /* added by interval joins: u.join, time bounds in the residual */
  PLAN_PHYS_WINDOW_JOIN, /* added by window joins: u.join, window_start/end keys first */
  PLAN_PHYS_LOOKUP_JOIN, /* added by lookup joins: u.join, right input a bounded table */
  PLAN_PHYS_LOCAL_AGGREGATE, /* added by two-phase aggregation: u.aggregate; the streaming
                              * local phase: partial rows of each input batch, held across
                              * nothing (insert-only in and out) */
} PlanPhysKind;

typedef enum {
  PLAN_EXCHANGE_FORWARD,   /* subtask i -> subtask i (equal parallelism) */
  PLAN_EXCHANGE_HASH,      /* by key group of the keys */
  PLAN_EXCHANGE_REBALANCE, /* round robin */
  PLAN_EXCHANGE_BROADCAST, /* every row to every subtask */
  PLAN_EXCHANGE_GATHER,    /* all subtasks -> the single consumer */
  PLAN_EXCHANGE_MERGE,     /* added by sort merge: GATHER of sorted streams; the consumer sees
                            * each producer subtask as its own input (index = subtask) and
                            * merges them in its SORT order (rt-op-sort-merge.c) */
} PlanExchangeKind;

typedef enum {
  PLAN_SINK_COLLECT,   /* rows go back to the client (bare SELECT) */
  PLAN_SINK_PRINT,     /* 'connector' = 'print' */
  PLAN_SINK_BLACKHOLE, /* 'connector' = 'blackhole' */
  PLAN_SINK_FILESYSTEM,
  PLAN_SINK_JDBC,      /* added by jdbc sink: 'connector' = 'jdbc', a SQLite database */
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
    PlanJoin join; /* added by joins */
    PlanSort sort; /* added by sort */
    PlanWindow window; /* added by windows: PLAN_PHYS_WINDOW */
    struct {
      PlanAggregate agg; /* as AGGREGATE's; keys include the window's start and end */
      guint start_key;   /* position in agg.keys of window_start */
      guint end_key;     /* position in agg.keys of window_end */
      gint64 session_gap_ms; /* > 0: SESSION windows, merged per group key */
      /* added by allowed lateness: > 0 (table.exec.emit.allow-lateness with late firing
       * on): a fired window's state stays until the watermark passes end - 1 + lateness,
       * and a late row updates its result as -U/+U (the node is then `updating`); late
       * updates go out at once (delay 0) or at the next watermark (delay > 0) */
      gint64 allowed_lateness_ms;
      gint64 late_fire_delay_ms;
    } window_agg; /* added by windows: PLAN_PHYS_WINDOW_AGGREGATE */
    PlanRank rank; /* added by rank: PLAN_PHYS_RANK */
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

/* added by joins (plan-join.c) */
const char *plan_join_type_name (PlanJoinType type);         /* "INNER", "LEFT", ... */
const char *plan_join_strategy_name (PlanJoinStrategy strategy); /* "broadcast", ... */
void plan_join_copy (PlanJoin *dest, const PlanJoin *src);     /* deep copy */
void plan_join_clear (PlanJoin *join);
/* Adds cond (borrowed) to the join's condition: each conjunct of the form left column =
 * right column (same storage type) becomes a key, the rest joins the residual. Column
 * numbers are over the output (left ++ right), n_left of them from the left. */
void plan_join_add_condition (PlanJoin *join, PlanExpr *cond, guint n_left);
/* The output schema of left JOIN right of type: NULL-filled sides nullable. */
PlanSchema *plan_join_schema (const PlanSchema *left, const PlanSchema *right, PlanJoinType type);
/* EXPLAIN text of a join: name(joinType=[...], keys=[...], where=[...], strategy, build). */
void plan_join_describe (GString *out, const char *name, const PlanJoin *join,
                         const PlanSchema *left, const PlanSchema *right,
                         const PlanSchema *schema);

/* added by sort (plan-sort.c) */
void plan_sort_copy (PlanSort *dest, const PlanSort *src); /* deep copy */
void plan_sort_clear (PlanSort *sort);
/* "a ASC NULLS FIRST, b DESC NULLS LAST" over schema's column names; newly allocated. */
char *plan_sort_to_string (const PlanSort *sort, const PlanSchema *schema);

/* added by windows (plan-window.c) */
const char *plan_window_kind_name (PlanWindowKind kind); /* "TUMBLE", "HOP", ... */
/* The output schema of a window TVF over input: input ++ window_start, window_end (NOT
 * NULL TIMESTAMP(3)), window_time. */
PlanSchema *plan_window_schema (const PlanSchema *input);
/* "TUMBLE(ts, 10 s)"-style text for EXPLAIN; newly allocated. */
char *plan_window_to_string (const PlanWindow *w, const PlanSchema *input);
/* Follows output column col of node down through FILTER, plain column PROJECTs and
 * LIMITs to a WINDOW node; TRUE with the node and the column's position in its output. */
gboolean plan_window_trace (const PlanNode *node, guint col, const PlanNode **window,
                            guint *window_col);
/* The rowtime column of a table (its WATERMARK FOR column), -1 when it has none. */
gint plan_table_rowtime (const PlanTable *table);

/* added by rank (plan-rank.c) */
void plan_rank_copy (PlanRank *dest, const PlanRank *src); /* deep copy */
void plan_rank_clear (PlanRank *rank);
/* The output schema of a RANK over input: input, then rownum when rank->rownum. */
PlanSchema *plan_rank_schema (const PlanSchema *input, const PlanRank *rank);
/* "rankRange=[rankStart=1, rankEnd=3], partitionBy=[a], orderBy=[b DESC NULLS LAST],
 * outputRankNumber=[true]" for EXPLAIN; newly allocated. */
char *plan_rank_to_string (const PlanRank *rank, const PlanSchema *input);
/* EXPLAIN text: Rank(rankType=[ROW_NUMBER], ...) or Deduplicate(keep=[FirstRow], key=[..],
 * order=[PROCTIME]) of a RANK over input, and Union(all=[true], union=[a, b]) of a UNION
 * with schema. */
void plan_rank_describe (GString *out, const PlanRank *rank, const PlanSchema *input);
void plan_union_describe (GString *out, const PlanSchema *schema);

/* added by join strategy (plan-join.c): Flink's name of a join hint ("SHUFFLE_MERGE", ...). */
const char *plan_join_hint_name (PlanJoinHint hint);

/* added by ROW types (plan-row.c): ROW columns are stored flattened, one physical column
 * per field named "<row>.<field>". TRUE when column col of table's schema is a field of a
 * ROW column: *out_name gets the ROW column's name (newly allocated), *out_type its type
 * as DESCRIBE shows it, "ROW<`id` BIGINT, ...>" (borrowed from the table), *out_first
 * whether col is the row's first field. */
gboolean plan_table_row_column (const PlanTable *table, guint col, char **out_name,
                                const char **out_type, gboolean *out_first);

/* added by interval joins (plan-interval-join.c): the time bounds of an interval join,
 * right.right_time + lower_ms <= left.left_time <= right.right_time + upper_ms (columns of
 * the left and right input). interval_bounds: TRUE when the join's residual bounds a left
 * TIMESTAMP column from both sides by one right TIMESTAMP column (BETWEEN, <, <=, >, >=,
 * each operand a column optionally +/- an INTERVAL literal); n_left is the left input's
 * column count. */
typedef struct {
  guint left_time;
  guint right_time;
  gint64 lower_ms;
  gint64 upper_ms;
} PlanIntervalBounds;
gboolean plan_join_interval_bounds (const PlanJoin *join, guint n_left, PlanIntervalBounds *out);
/* A logical JOIN with interval bounds whose two time columns are time attributes (WATERMARK
 * FOR columns, window_time, or an interval join's time columns) of its inputs; out
 * (nullable) gets the bounds. */
gboolean plan_join_is_interval (const PlanNode *join, PlanIntervalBounds *out);
/* EXPLAIN text of a physical INTERVAL_JOIN: the join's, plus Flink's windowBounds=[...]. */
void plan_interval_join_describe (GString *out, const PlanPhysNode *node);

/* added by jdbc sink (plan-table-key.c): the columns of the table's PRIMARY KEY (..) NOT
 * ENFORCED as indices into its schema, in key order (newly allocated), read from its DDL;
 * NULL with *n_keys 0 when it declares none (or has no DDL). */
guint *plan_table_dup_primary_key (const PlanTable *table, guint *n_keys);

/* added by window joins (plan-window-join.c): TRUE when a logical JOIN equates the
 * window_start and window_end of the same TUMBLE/HOP/CUMULATE windows on both sides (window
 * TVFs or aggregates grouped by them); start_key / end_key (nullable) get the positions of
 * those equalities among the join's keys. A physical WINDOW_JOIN has them as keys 0 and 1. */
gboolean plan_join_window_keys (const PlanNode *join, guint *start_key, guint *end_key);
/* EXPLAIN text of a physical WINDOW_JOIN: WindowJoin(..., leftWindow=[...], rightWindow=[...]). */
void plan_window_join_describe (GString *out, const PlanPhysNode *node);

/* added by processing-time windows (plan-proctime.c): TRUE when node is a WINDOW, or a
 * CALC or WINDOW_AGGREGATE over one, whose time column is PROCTIME() (a CURRENT_TIMESTAMP
 * computed in a CALC below it). */
gboolean plan_phys_is_proctime_window (const PlanPhysNode *node);

G_END_DECLS
