/* source-harness.h: drives a source operator by hand for the connector tests
 * (test-csv.c, test-datagen.c, test-sink.c, bench-*.c): builds catalog tables and
 * source nodes, runs produce() to the end and keeps every emitted row as PlanValues. */
#pragma once

#include "runtime/engine/rt-operator.h"

#include <string.h>

/* Rows collected from a sink_fn, row-major PlanValues. */
typedef struct {
  guint n_cols;
  guint n_rows;
  guint n_batches;
  GArray *values; /* PlanValue */
} Rows;

static G_GNUC_UNUSED void
rows_init (Rows *rows)
{
  memset (rows, 0, sizeof *rows);
  rows->values = g_array_new (FALSE, TRUE, sizeof (PlanValue));
  g_array_set_clear_func (rows->values, (GDestroyNotify) plan_value_clear);
}

static G_GNUC_UNUSED void
rows_clear (Rows *rows)
{
  g_clear_pointer (&rows->values, g_array_unref);
}

static G_GNUC_UNUSED const PlanValue *
rows_get (const Rows *rows, guint row, guint col)
{
  g_assert_cmpuint (row, <, rows->n_rows);
  g_assert_cmpuint (col, <, rows->n_cols);
  return &g_array_index (rows->values, PlanValue, (gsize) row * rows->n_cols + col);
}

/* "1|Alice|2.50|NULL": the row's values as plan_value_to_string shows them. */
static G_GNUC_UNUSED char *
rows_format (const Rows *rows, guint row)
{
  GString *out = g_string_new (NULL);

  for (guint c = 0; c < rows->n_cols; c++)
    {
      g_autofree char *s = plan_value_to_string (rows_get (rows, row, c), FALSE);

      if (c > 0)
        g_string_append_c (out, '|');
      g_string_append (out, s);
    }
  return g_string_free (out, FALSE);
}

static G_GNUC_UNUSED RtResult
rows_collect (void *data, RtBatch *batch, GError **error)
{
  Rows *rows = data;

  g_assert_cmpuint (batch->magic, ==, RT_BATCH_MAGIC);
  g_assert_cmpuint (batch->n_rows, >, 0);
  if (rows->n_rows == 0 && rows->n_batches == 0)
    rows->n_cols = batch->n_cols;
  g_assert_cmpuint (batch->n_cols, ==, rows->n_cols);
  for (guint r = 0; r < batch->n_rows; r++)
    for (guint c = 0; c < batch->n_cols; c++)
      {
        PlanValue v = { 0 };

        rt_batch_get_value (batch, c, r, &v);
        g_array_append_val (rows->values, v);
      }
  rows->n_rows += batch->n_rows;
  rows->n_batches++;
  return RT_OK;
}

/* A table from "name TYPE, name TYPE, ..." (types as plan_type_from_string reads them;
 * the separator between columns is ';' so DECIMAL(5, 2) can keep its comma). */
static G_GNUC_UNUSED PlanTable *
table_new (const char *name, const char *columns)
{
  g_auto (GStrv) parts = g_strsplit (columns, ";", -1);
  guint n = g_strv_length (parts);
  PlanSchema *schema = plan_schema_new (n);
  PlanSpan span = { 0 };

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *col = g_strstrip (g_strdup (parts[i]));
      char *space = strchr (col, ' ');
      PlanType type;

      g_assert_nonnull (space);
      *space = '\0';
      g_assert_true (plan_type_from_string (space + 1, &type));
      plan_schema_set_field (schema, i, col, type);
    }
  return plan_table_new (name, schema, span);
}

/* A source node reading columns cols[0..n) of table (all when cols is NULL), with an
 * optional filter (owned) over the output columns. */
static G_GNUC_UNUSED PlanPhysNode *
source_node_new (PlanTable *table, const guint *cols, guint n, PlanExpr *filter,
                 guint parallelism)
{
  PlanSchema *schema;
  PlanPhysNode *node;
  PlanSpan span = { 0 };

  if (cols == NULL)
    n = table->schema->n_fields;
  schema = plan_schema_new (n);
  for (guint i = 0; i < n; i++)
    {
      const PlanField *f = &table->schema->fields[cols ? cols[i] : i];

      plan_schema_set_field (schema, i, f->name, f->type);
    }
  node = plan_phys_node_new (PLAN_PHYS_SOURCE, schema, span, parallelism);
  node->u.source.table = plan_table_ref (table);
  node->u.source.n_columns = n;
  node->u.source.columns = g_new (guint, n);
  for (guint i = 0; i < n; i++)
    node->u.source.columns[i] = cols ? cols[i] : i;
  node->u.source.filter = filter;
  return node;
}

typedef struct {
  guint64 rows_in;
  guint64 rows_out;
  guint64 rows_dropped;
  guint n_calls;
} RunStats;

/* Creates subtask `subtask` of the source, runs produce() until RT_DONE (or RT_FAIL:
 * returns FALSE with error set) and appends its rows to rows. */
static G_GNUC_UNUSED gboolean
run_source (PlanPhysNode *node, guint subtask, guint parallelism, guint batch_size,
            Rows *rows, RunStats *stats, GError **error)
{
  RtMemPool *pool = rt_mem_pool_new (64 * 1024 * 1024);
  RtOpContext ctx = { 0 };
  RtOperator *op;
  gboolean ok = TRUE;

  ctx.pool = pool;
  ctx.subtask = subtask;
  ctx.parallelism = parallelism;
  ctx.batch_size = batch_size;
  op = rt_source_new (node, subtask, parallelism, error);
  if (op == NULL)
    {
      rt_mem_pool_free (pool);
      return FALSE;
    }
  op->ctx = &ctx;
  op->sink_fn = rows_collect;
  op->sink_data = rows;
  if (op->klass->open != NULL)
    ok = op->klass->open (op, error);
  while (ok)
    {
      RtResult res = op->klass->produce (op, error);

      if (stats != NULL)
        stats->n_calls++;
      if (res == RT_DONE)
        break;
      if (res == RT_FAIL)
        ok = FALSE;
      else
        g_assert_cmpint (res, ==, RT_OK);
    }
  if (stats != NULL)
    {
      stats->rows_in += op->rows_in;
      stats->rows_out += op->rows_out;
      stats->rows_dropped += op->rows_dropped;
    }
  rt_operator_free (op);
  g_assert_cmpuint (rt_mem_pool_get_used (pool), ==, 0);
  rt_mem_pool_free (pool);
  return ok;
}
