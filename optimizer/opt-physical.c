/* opt-physical.c: physical planning. Turns the rewritten logical plan into operators with
 * a parallelism, the exchanges between them, chaining, and a first row estimate.
 *
 * The rules are local, one logical node at a time, bottom-up (Flink's ExecNode translation
 * reduced to what the logical plan has today):
 *   SCAN            -> SOURCE at 'parallelism.default' (a csv file splits by byte range,
 *                      datagen by row range, so every source may run wide)
 *   VALUES          -> VALUES at parallelism 1
 *   FILTER/PROJECT  -> one CALC; a PROJECT directly over a FILTER fuses with it
 *   LIMIT           -> a local LIMIT (limit + offset rows) in every subtask, then a GATHER
 *                      to the global LIMIT at parallelism 1; no local one at parallelism 1
 *   SINK            -> COLLECT at parallelism 1; table sinks keep their input's parallelism
 *   AGGREGATE       -> HASH exchange on the group keys into a keyed AGGREGATE at the
 *                      default parallelism (FORWARD and chained when both sides run at 1);
 *                      without keys, everything goes to one subtask (GATHER)
 * In streaming mode an AGGREGATE's output is `updating` (a changelog of +I/-U/+U/-D);
 * CALC and SINK pass that on. A LIMIT or a filesystem sink over an updating input is
 * refused for now; in batch mode ('execution.runtime-mode' = 'batch') the aggregate emits
 * each group's final row once, at the end of its input, as plain inserts.
 * Every edge between equal parallelism is FORWARD and chained (one thread per subtask
 * runs the whole chain); an edge into parallelism 1 from a wider input is a GATHER.
 *
 * Row estimates are deliberately crude: a datagen source knows its 'number-of-rows',
 * everything else is unknown (-1), and a filter keeps half of its input. The half is a
 * placeholder until ANALYZE TABLE gives the optimizer statistics to compute selectivity
 * from. */
#include "optimizer/opt-private.h"
#include "optimizer/opt-stats-private.h" /* added by statistics */
#include "plans/plan-json.h" /* added by automatic runtime mode */

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define PARALLELISM_KEY "parallelism.default"

/* Placeholder selectivity of any filter (see the comment at the top). */
#define FILTER_SELECTIVITY 0.5

#define CONNECTORS_HINT \
  "the source connectors are datagen, nexmark and filesystem; the sink connectors are " \
  "print, blackhole, filesystem and jdbc (SQLite)"

typedef struct {
  guint parallelism; /* 'parallelism.default', at least 1 */
  gboolean streaming; /* 'execution.runtime-mode' is not 'batch' */
  PlanSettings *settings; /* added by joins: borrowed, nullable */
} PhysContext;

static PlanPhysNode *plan_rec (PhysContext *ctx, PlanNode *node, GError **error);

/* Wires input into node: FORWARD and chained when the parallelism is equal, else GATHER
 * into a single subtask or REBALANCE across several. Takes the input ref. */
static void
connect (PlanPhysNode *node, PlanPhysNode *input)
{
  PlanExchangeKind exchange;

  if (input->parallelism == node->parallelism)
    exchange = PLAN_EXCHANGE_FORWARD;
  else if (node->parallelism == 1)
    exchange = PLAN_EXCHANGE_GATHER;
  else
    exchange = PLAN_EXCHANGE_REBALANCE;
  plan_phys_node_add_input (node, input, exchange, 0, NULL);
  if (node->n_inputs == 1)
    node->chained = exchange == PLAN_EXCHANGE_FORWARD;
}

static double
filtered (double rows)
{
  return rows < 0 ? rows : rows * FILTER_SELECTIVITY;
}

static gboolean
connector_error (GError **error, const PlanNode *node, const PlanTable *table,
                 const char *connector, gboolean as_sink)
{
  g_autofree char *where = node->span.line > 0
                           ? g_strdup_printf ("%u:%u: ", node->span.line, node->span.col)
                           : g_strdup ("");

  if (connector == NULL)
    g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED,
                 "%stable '%s' has no 'connector' option; add one to its WITH clause ("
                 CONNECTORS_HINT ")", where, table->name);
  else
    g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED,
                 "%stable '%s' uses connector '%s', which strom cannot %s; " CONNECTORS_HINT,
                 where, table->name, connector, as_sink ? "write to" : "read from");
  return FALSE;
}

static gboolean
connector_is (const char *connector, const char *name)
{
  return connector != NULL && g_ascii_strcasecmp (connector, name) == 0;
}

/* Lines of a csv file: counted when the file is at most CSV_SAMPLE bytes, else the file
 * size over the mean length of the whole lines in its first CSV_SAMPLE bytes (quoted
 * newlines make this an estimate, which is all it is used for); -1 when the file cannot
 * be read. */
#define CSV_SAMPLE (64 * 1024)

static double
csv_rows (const PlanTable *table)
{
  const char *path = plan_table_get_option (table, "path");
  const char *header = plan_table_get_option (table, "csv.header");
  g_autofree char *buf = NULL;
  GStatBuf st;
  gsize n = 0, lines = 0, whole = 0; /* whole: bytes up to the sample's last newline */
  double rows;
  FILE *f;

  if (path == NULL || g_stat (path, &st) != 0 || !S_ISREG (st.st_mode)
      || (f = fopen (path, "rb")) == NULL)
    return -1;
  buf = g_malloc (CSV_SAMPLE);
  n = fread (buf, 1, CSV_SAMPLE, f);
  fclose (f);
  for (gsize i = 0; i < n; i++)
    if (buf[i] == '\n')
      {
        lines++;
        whole = i + 1;
      }
  if ((goffset) n >= st.st_size)
    rows = (double) lines + (n > 0 && buf[n - 1] != '\n'); /* the whole file was read */
  else if (lines == 0)
    rows = 1;
  else
    rows = (double) st.st_size * (double) lines / (double) whole;
  if (header != NULL && g_ascii_strcasecmp (header, "true") == 0)
    rows = MAX (rows - 1, 0);
  return rows;
}

/* Rows a source will produce: datagen's number-of-rows, a csv file's line count or
 * estimate; -1 otherwise. */
static double
source_rows (const PlanTable *table, const char *connector)
{
  const char *text = plan_table_get_option (table, "number-of-rows");
  guint64 rows;

  if (connector_is (connector, "filesystem"))
    return csv_rows (table);
  if (connector_is (connector, "nexmark")) /* added by nexmark: events.num, 0 unbounded */
    text = plan_table_get_option (table, "events.num");
  if (connector_is (connector, "nexmark") && text != NULL && strcmp (text, "0") != 0
      && g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &rows, NULL))
    return (double) rows;
  if (!connector_is (connector, "datagen") || text == NULL
      || !g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &rows, NULL))
    return -1;
  return (double) rows;
}

static PlanPhysNode *
plan_scan (PhysContext *ctx, PlanNode *scan, GError **error)
{
  PlanTable *table = scan->u.scan.table;
  const char *connector = plan_table_get_option (table, "connector");
  PlanPhysNode *node;

  if (!connector_is (connector, "datagen") && !connector_is (connector, "filesystem")
      && !connector_is (connector, "nexmark")) /* added by nexmark */
    {
      connector_error (error, scan, table, connector, FALSE);
      return NULL;
    }
  node = plan_phys_node_new (PLAN_PHYS_SOURCE, plan_schema_ref (scan->schema), scan->span,
                             ctx->parallelism);
  node->u.source.table = plan_table_ref (table);
  node->u.source.n_columns = scan->u.scan.n_columns;
  node->u.source.columns = g_memdup2 (scan->u.scan.columns,
                                      scan->u.scan.n_columns * sizeof (guint));
  if (scan->u.scan.filter)
    node->u.source.filter = plan_expr_ref (scan->u.scan.filter);
  node->est_rows = source_rows (table, connector);
  if (scan->u.scan.filter)
    node->est_rows = filtered (node->est_rows);
  /* added by statistics: ANALYZE's rows and the filter's selectivity (opt-stats-est.c) */
  node->est_rows = opt__source_est_rows (node, source_rows (table, connector));
  return node;
}

static PlanPhysNode *
plan_values (PlanNode *values)
{
  guint n = values->u.values.n_rows * values->schema->n_fields;
  PlanPhysNode *node = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (values->schema),
                                           values->span, 1);

  node->u.values.n_rows = values->u.values.n_rows;
  node->u.values.values = g_new0 (PlanValue, n ? n : 1);
  for (guint i = 0; i < n; i++)
    plan_value_copy (&node->u.values.values[i], &values->u.values.values[i]);
  node->est_rows = values->u.values.n_rows;
  return node;
}

/* FILTER, PROJECT, or PROJECT over FILTER -> one CALC (filter first, then the projection,
 * both over the columns of the node below). */
static PlanPhysNode *
plan_calc (PhysContext *ctx, PlanNode *node, GError **error)
{
  PlanNode *project = node->kind == PLAN_NODE_PROJECT ? node : NULL;
  PlanNode *filter = project ? NULL : node;
  PlanNode *below;
  PlanPhysNode *input, *calc;
  PlanSpan span = node->span;

  if (project && project->inputs[0]->kind == PLAN_NODE_FILTER)
    {
      filter = project->inputs[0];
      span = opt__span_union (filter->span, project->span);
    }
  below = filter ? filter->inputs[0] : project->inputs[0];
  input = plan_rec (ctx, below, error);
  if (input == NULL)
    return NULL;
  calc = plan_phys_node_new (PLAN_PHYS_CALC, plan_schema_ref (node->schema), span,
                             input->parallelism);
  if (filter)
    calc->u.calc.filter = plan_expr_ref (filter->u.filter.condition);
  calc->u.calc.n_exprs = node->schema->n_fields;
  calc->u.calc.exprs = g_new0 (PlanExpr *, calc->u.calc.n_exprs ? calc->u.calc.n_exprs : 1);
  for (guint i = 0; i < calc->u.calc.n_exprs; i++)
    calc->u.calc.exprs[i] = project
                            ? plan_expr_ref (project->u.project.exprs[i])
                            : plan_expr_column (i, below->schema->fields[i].type, node->span);
  calc->est_rows = filter ? filtered (input->est_rows) : input->est_rows;
  if (filter) /* added by statistics: selectivity from the columns' statistics */
    calc->est_rows = opt__calc_est_rows (input, filter->u.filter.condition);
  calc->updating = input->updating;
  connect (calc, input);
  return calc;
}

static gpointer
updating_error (GError **error, const PlanNode *node, const char *what)
{
  g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED,
               "%u:%u: %s over an updating result (GROUP BY in streaming mode) is not "
               "supported yet; run it with SET 'execution.runtime-mode' = 'batch'",
               node->span.line, node->span.col, what);
  return NULL;
}

static PlanPhysNode *
limit_node (PlanNode *node, guint parallelism, gint64 limit, gint64 offset, double est_rows)
{
  PlanPhysNode *phys = plan_phys_node_new (PLAN_PHYS_LIMIT, plan_schema_ref (node->schema),
                                           node->span, parallelism);

  phys->u.limit.limit = limit;
  phys->u.limit.offset = offset;
  phys->est_rows = est_rows;
  return phys;
}

/* Each subtask keeps its first limit + offset rows (any of them may hold the global first
 * rows), so the single global LIMIT sees at most parallelism * (limit + offset) rows. */
static PlanPhysNode *
plan_limit (PhysContext *ctx, PlanNode *node, GError **error)
{
  gint64 limit = node->u.limit.limit, offset = node->u.limit.offset;
  PlanPhysNode *input = plan_rec (ctx, node->inputs[0], error), *global;
  double est, rest;

  if (input == NULL)
    return NULL;
  if (input->updating)
    {
      plan_phys_node_unref (input);
      return updating_error (error, node, "LIMIT");
    }
  if (input->parallelism > 1 && limit >= 0)
    {
      gint64 keep = limit > G_MAXINT64 - offset ? G_MAXINT64 : limit + offset;
      double most = (double) keep * input->parallelism;
      PlanPhysNode *local;

      est = input->est_rows < 0 ? most : MIN (input->est_rows, most);
      local = limit_node (node, input->parallelism, keep, 0, est);
      connect (local, input);
      input = local;
    }
  if (input->est_rows < 0)
    est = limit >= 0 ? (double) limit : -1;
  else
    {
      rest = MAX (input->est_rows - (double) offset, 0);
      est = limit >= 0 ? MIN (rest, (double) limit) : rest;
    }
  global = limit_node (node, 1, limit, offset, est);
  connect (global, input);
  return global;
}

static gboolean
sink_kind (PlanNode *sink, PlanSinkKind *out, GError **error)
{
  PlanTable *table = sink->u.sink.table;
  const char *connector;

  if (table == NULL)
    {
      *out = PLAN_SINK_COLLECT;
      return TRUE;
    }
  connector = plan_table_get_option (table, "connector");
  if (connector_is (connector, "print"))
    *out = PLAN_SINK_PRINT;
  else if (connector_is (connector, "blackhole"))
    *out = PLAN_SINK_BLACKHOLE;
  else if (connector_is (connector, "filesystem"))
    *out = PLAN_SINK_FILESYSTEM;
  else if (connector_is (connector, "jdbc")) /* added by jdbc sink: rt-sink-sqlite.c */
    *out = PLAN_SINK_JDBC;
  else
    return connector_error (error, sink, table, connector, TRUE);
  return TRUE;
}

/* added by jdbc sink: a jdbc table without a PRIMARY KEY is append-only (Flink's rule). */
static gboolean
jdbc_sink_can_update (PlanNode *node, GError **error)
{
  const PlanTable *table = node->u.sink.table;
  guint n_keys = 0;
  g_autofree guint *keys = plan_table_dup_primary_key (table, &n_keys);

  if (keys != NULL)
    return TRUE;
  g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED,
               "%u:%u: the jdbc table '%s' has no primary key, so it is an append-only "
               "sink and cannot take this query's updating result (a changelog, as GROUP BY "
               "makes in streaming mode); declare PRIMARY KEY (...) NOT ENFORCED on '%s' to "
               "write it as an upsert sink, or run it with SET 'execution.runtime-mode' = "
               "'batch'",
               node->span.line, node->span.col, table->name, table->name);
  return FALSE;
}

/* Results go to the client through one collecting subtask; table sinks write in parallel,
 * each subtask behind its own chain. */
static PlanPhysNode *
plan_sink (PhysContext *ctx, PlanNode *node, GError **error)
{
  PlanSinkKind kind = PLAN_SINK_COLLECT;
  PlanPhysNode *input, *sink;

  if (!sink_kind (node, &kind, error))
    return NULL;
  input = plan_rec (ctx, node->inputs[0], error);
  if (input == NULL)
    return NULL;
  sink = plan_phys_node_new (PLAN_PHYS_SINK, plan_schema_ref (node->schema), node->span,
                             kind == PLAN_SINK_COLLECT ? 1 : input->parallelism);
  sink->u.sink.sink = kind;
  if (node->u.sink.table)
    sink->u.sink.table = plan_table_ref (node->u.sink.table);
  sink->est_rows = input->est_rows;
  sink->updating = input->updating;
  connect (sink, input);
  if (sink->updating && kind == PLAN_SINK_FILESYSTEM /* changelog-csv: added by checkpoints */
      && g_ascii_strcasecmp (plan_table_get_option (node->u.sink.table, "format") ?: "",
                             "changelog-csv") != 0)
    {
      plan_phys_node_unref (sink);
      return updating_error (error, node,
                             "A filesystem sink with 'format' = 'csv' (use 'changelog-csv')");
    }
  if (sink->updating && kind == PLAN_SINK_JDBC && !jdbc_sink_can_update (node, error))
    { /* added by jdbc sink: only an upsert (PRIMARY KEY) table takes updates */
      plan_phys_node_unref (sink);
      return NULL;
    }
  return sink;
}

/* Keyed: a HASH exchange on the keys puts every row of a group into one subtask. */
static PlanPhysNode *
plan_aggregate (PhysContext *ctx, PlanNode *node, GError **error)
{
  const PlanAggregate *a = &node->u.aggregate;
  PlanPhysNode *input = plan_rec (ctx, node->inputs[0], error), *agg;
  guint wstart, wend;

  if (input == NULL)
    return NULL;
  if (opt__window_agg_keys (node, &wstart, &wend)) /* added by windows: opt-window.c */
    return opt__window_late_fire (opt__plan_window_aggregate (node, input, ctx->parallelism,
                                                              wstart, wend),
                                  ctx->settings, ctx->streaming); /* allowed lateness */
  /* added by interesting properties: a batch input already hash-partitioned on some of
   * the group keys (a join on k below GROUP BY k) keeps each group in one subtask: the
   * aggregate runs chained to it, no exchange and no second phase (opt-partitioning.c).
   * Batch only: a streaming aggregate's state is split by its own keys' key groups. */
  if (!ctx->streaming && a->n_keys > 0 && input->parallelism == ctx->parallelism
      && ctx->parallelism > 1 && opt__partitioned_within (input, a->keys, a->n_keys))
    {
      agg = plan_phys_node_new (PLAN_PHYS_AGGREGATE, plan_schema_ref (node->schema),
                                node->span, ctx->parallelism);
      plan_aggregate_copy (&agg->u.aggregate, a);
      agg->est_rows = opt__agg_est_rows (a, input);
      connect (agg, input);
      return agg;
    }
  /* added by two-phase aggregation: local + global when it pays (opt-two-phase.c) */
  if ((agg = opt__plan_two_phase (node, input, ctx->parallelism, ctx->streaming,
                                  ctx->settings)) != NULL)
    return agg;
  agg = plan_phys_node_new (PLAN_PHYS_AGGREGATE, plan_schema_ref (node->schema), node->span,
                            a->n_keys > 0 ? ctx->parallelism : 1);
  plan_aggregate_copy (&agg->u.aggregate, a);
  agg->updating = ctx->streaming;
  agg->est_rows = input->est_rows; /* at most one row per input row */
  agg->est_rows = opt__agg_est_rows (a, input); /* added by statistics: the keys' ndv */
  if (a->n_keys > 0 && (input->parallelism > 1 || agg->parallelism > 1))
    plan_phys_node_add_input (agg, input, PLAN_EXCHANGE_HASH, a->n_keys, a->keys);
  else
    connect (agg, input);
  return agg;
}

/* added by joins: both sides planned here, the strategy in opt-join.c */
static PlanPhysNode *
plan_join (PhysContext *ctx, PlanNode *node, GError **error)
{
  PlanPhysNode *left = plan_rec (ctx, node->inputs[0], error), *right;

  if (left == NULL)
    return NULL;
  if ((right = plan_rec (ctx, node->inputs[1], error)) == NULL)
    {
      plan_phys_node_unref (left);
      return NULL;
    }
  return opt__plan_join (node, left, right, ctx->parallelism, ctx->streaming, ctx->settings,
                         error);
}

/* added by sort: ORDER BY ends in one subtask, so its output is in order. A full sort over a
 * wide input in batch mode sorts locally in each subtask and then merges the p sorted
 * streams in one subtask (a MERGE exchange, added by sort merge); otherwise it is one sort
 * after a GATHER. A Top-N
 * over a wide input first keeps limit + offset rows per subtask (chained after the input),
 * then the single global one picks from those. Batch mode: an external merge sort under
 * the managed-memory budget. Streaming: only a Top-N (a changelog as the top rows change);
 * a full sort of an unbounded input could never emit a row. */
static PlanPhysNode *
sort_node (const PlanNode *node, guint parallelism, gint64 limit, gint64 offset)
{
  PlanPhysNode *phys = plan_phys_node_new (PLAN_PHYS_SORT, plan_schema_ref (node->schema),
                                           node->span, parallelism);

  plan_sort_copy (&phys->u.sort, &node->u.sort);
  phys->u.sort.limit = limit;
  phys->u.sort.offset = offset;
  return phys;
}

static PlanPhysNode *
plan_sort (PhysContext *ctx, PlanNode *node, GError **error)
{
  const PlanSort *s = &node->u.sort;
  PlanPhysNode *input, *sort;

  if (ctx->streaming && s->limit < 0)
    {
      g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED, "%u:%u: ORDER BY in streaming "
                   "mode needs a LIMIT: an unbounded input has no last row, so a full sort "
                   "could never emit anything. Add LIMIT n for a Top-N that updates as rows "
                   "arrive, or run the query with SET 'execution.runtime-mode' = 'batch'",
                   node->span.line, node->span.col);
      return NULL;
    }
  if ((input = plan_rec (ctx, node->inputs[0], error)) == NULL)
    return NULL;
  if (!ctx->streaming && s->limit >= 0 && input->parallelism > 1 && !input->updating)
    {
      gint64 keep = s->limit > G_MAXINT64 - s->offset ? G_MAXINT64 : s->limit + s->offset;
      PlanPhysNode *local = sort_node (node, input->parallelism, keep, 0);

      local->est_rows = input->est_rows < 0 ? -1 : MIN (input->est_rows,
                                                       (double) keep * input->parallelism);
      connect (local, input);
      input = local;
    }
  /* added by sort merge: a full sort over a wide input sorts each subtask's share there
   * (chained after the input), then one subtask merges the sorted streams */
  if (!ctx->streaming && s->limit < 0 && input->parallelism > 1 && !input->updating)
    {
      PlanPhysNode *local = sort_node (node, input->parallelism, -1, 0);

      local->est_rows = input->est_rows;
      connect (local, input);
      sort = sort_node (node, 1, -1, 0);
      sort->est_rows = input->est_rows;
      plan_phys_node_add_input (sort, local, PLAN_EXCHANGE_MERGE, 0, NULL);
      return sort;
    }
  sort = sort_node (node, 1, s->limit, s->offset);
  sort->est_rows = s->limit >= 0 && (input->est_rows < 0 || input->est_rows > s->limit)
                   ? (double) s->limit : input->est_rows;
  sort->updating = ctx->streaming;
  connect (sort, input);
  return sort;
}

/* added by rank: every input planned here, the union in opt-rank.c */
static PlanPhysNode *
plan_union (PhysContext *ctx, PlanNode *node, GError **error)
{
  g_autofree PlanPhysNode **inputs = g_new0 (PlanPhysNode *, node->n_inputs);

  for (guint k = 0; k < node->n_inputs; k++)
    if ((inputs[k] = plan_rec (ctx, node->inputs[k], error)) == NULL)
      {
        for (guint j = 0; j < k; j++)
          plan_phys_node_unref (inputs[j]);
        return NULL;
      }
  return opt__plan_union (node, inputs, ctx->parallelism);
}

static PlanPhysNode *
plan_rec (PhysContext *ctx, PlanNode *node, GError **error)
{
  switch (node->kind)
    {
    case PLAN_NODE_SCAN:
      return plan_scan (ctx, node, error);
    case PLAN_NODE_VALUES:
      return plan_values (node);
    case PLAN_NODE_FILTER:
    case PLAN_NODE_PROJECT:
      return plan_calc (ctx, node, error);
    case PLAN_NODE_LIMIT:
      return plan_limit (ctx, node, error);
    case PLAN_NODE_SINK:
      return plan_sink (ctx, node, error);
    case PLAN_NODE_AGGREGATE:
      return plan_aggregate (ctx, node, error);
    case PLAN_NODE_JOIN: /* added by joins */
      return plan_join (ctx, node, error);
    case PLAN_NODE_WINDOW: /* added by windows: opt-window.c */
      {
        PlanPhysNode *input = plan_rec (ctx, node->inputs[0], error);

        return input != NULL ? opt__plan_window (node, input) : NULL;
      }
    case PLAN_NODE_SORT: /* added by sort */
      return plan_sort (ctx, node, error);
    case PLAN_NODE_UNION: /* added by rank: opt-rank.c */
      return plan_union (ctx, node, error);
    case PLAN_NODE_RANK:
      {
        PlanPhysNode *input = plan_rec (ctx, node->inputs[0], error);

        return input != NULL ? opt__plan_rank (node, input, ctx->parallelism, ctx->streaming)
                             : NULL;
      }
    default:
      g_set_error (error, OPT_ERROR, OPT_ERROR_INTERNAL,
                   "internal error: no physical rule for a %s node",
                   plan_node_kind_name (node->kind));
      return NULL;
    }
}

PlanPhysPlan *
opt_physical_plan (PlanNode *logical, PlanSettings *settings, GError **error)
{
  PhysContext ctx = { 1, TRUE };
  PlanPhysNode *root;

  g_return_val_if_fail (logical != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (settings)
    {
      const char *mode = plan_settings_get (settings, "execution.runtime-mode");

      ctx.parallelism = (guint) CLAMP (plan_settings_get_int (settings, PARALLELISM_KEY), 1,
                                       G_MAXINT);
      ctx.streaming = mode == NULL || g_ascii_strcasecmp (mode, "batch") != 0;
      if (mode != NULL && g_ascii_strcasecmp (mode, "automatic") == 0) /* as Flink's */
        ctx.streaming = !plan_node_is_bounded (logical);
      ctx.settings = settings; /* added by joins */
    }
  root = plan_rec (&ctx, logical, error);
  return root ? plan_phys_plan_new (root) : NULL;
}
