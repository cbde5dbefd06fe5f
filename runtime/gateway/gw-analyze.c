/* gw-analyze.c: ANALYZE TABLE. The gateway measures a table by running batch queries over
 * it through the session itself, so every connector and format strom reads can be
 * analyzed with no second reader to keep in step: `SELECT COUNT(*), COUNT(c), MIN(c),
 * MAX(c), ... FROM t` for the counts and bounds, and per column `SELECT COUNT(c) FROM
 * (SELECT c FROM t GROUP BY c)` for its distinct values. The distinct counts are a
 * grouping each rather than COUNT(DISTINCT c) in the first query: a global aggregate runs
 * in one task and keeps every distinct value in an ordered multiset, while the grouping is
 * a parallel hash aggregate that spills under the memory budget (10M distinct keys of a
 * 100M-row table took minutes the other way). Then the figures go to the optimizer's
 * statistics store (optimizer/opt-stats.c). The session runs the query in batch mode whatever its
 * runtime mode is (a bounded scan, one final row); the mode is put back as soon as the job
 * is planned. MIN and MAX are skipped for BOOLEAN columns, which have no order to keep.
 * DESCRIBE EXTENDED shows the stored figures, one line per column, under the line saying
 * where the table's row estimate comes from. */
#include "gw-private.h"

#include <string.h>

static char *
quoted (const char *name)
{
  g_autoptr (GString) q = g_string_new ("`");

  for (const char *p = name; *p; p++)
    {
      if (*p == '`')
        g_string_append_c (q, '`');
      g_string_append_c (q, *p);
    }
  g_string_append_c (q, '`');
  return g_string_free (g_steal_pointer (&q), FALSE);
}

static gboolean
has_order (PlanTypeKind kind)
{
  return kind != PLAN_TYPE_BOOLEAN && kind != PLAN_TYPE_NULL;
}

/* The measuring query; cols are schema positions. */
static char *
analyze_sql (const PlanTable *table, GArray *cols)
{
  g_autoptr (GString) sql = g_string_new ("SELECT COUNT(*)");
  g_autofree char *t = quoted (table->name);

  for (guint i = 0; i < cols->len; i++)
    {
      const PlanField *f = &table->schema->fields[g_array_index (cols, guint, i)];
      g_autofree char *c = quoted (f->name);

      g_string_append_printf (sql, ", COUNT(%s)", c);
      if (has_order (f->type.kind))
        g_string_append_printf (sql, ", MIN(%s), MAX(%s)", c, c);
    }
  g_string_append_printf (sql, " FROM %s", t);
  return g_string_free (g_steal_pointer (&sql), FALSE);
}

/* FALSE with an error when the query over the table would never end (an unbounded source:
 * datagen without 'number-of-rows', nexmark without 'events.num'). */
static gboolean
check_bounded (GwClient *client, const PlanStatement *stmt, const char *sql, GError **error)
{
  g_autoptr (PlanStatement) query = plan_sql_compile_one (gw_client_get_catalog (client), sql,
                                                          error);
  g_autoptr (OptResult) opt = NULL;
  const char *table = NULL;

  if (query == NULL
      || (opt = opt_optimize (query->plan, gw_client_get_settings (client), error)) == NULL)
    return FALSE;
  if (plan_phys_is_bounded (opt_result_get_physical (opt), &table))
    return TRUE;
  g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED,
               "%u:%u: ANALYZE TABLE reads the whole table, but '%s' is unbounded; give it an "
               "end (datagen: 'number-of-rows', nexmark: 'events.num') to analyze it",
               stmt->span.line, stmt->span.col, table ? table : stmt->table->name);
  return FALSE;
}

/* Runs sql in batch mode and returns its one row (owned), or NULL with error. */
static GwRow *
run_one_row (GwClient *client, const PlanStatement *stmt, const char *sql, GError **error)
{
  PlanSettings *settings = gw_client_get_settings (client);
  g_autofree char *mode = g_strdup (plan_settings_get (settings, "execution.runtime-mode"));
  GwOperation *op = NULL;
  GwRow *row = NULL;
  gboolean end = FALSE;

  plan_settings_set (settings, "execution.runtime-mode", "batch", NULL);
  if (check_bounded (client, stmt, sql, error))
    op = gw_client_execute (client, sql, error);
  plan_settings_set (settings, "execution.runtime-mode", mode ? mode : "automatic", NULL);
  while (op != NULL && !end)
    {
      GwPage *page = gw_operation_fetch (op, 16, -1, error);

      if (page == NULL)
        {
          g_prefix_error (error, "ANALYZE TABLE %s: ", stmt->table->name);
          break;
        }
      for (guint i = 0; i < page->rows->len; i++)
        if (row == NULL)
          row = g_ptr_array_steal_index (page->rows, i--);
      end = page->end;
      gw_page_free (page);
    }
  if (row == NULL && (error == NULL || *error == NULL))
    g_set_error (error, GW_ERROR, GW_ERROR_FAILED, "%u:%u: ANALYZE TABLE %s: the measuring "
                 "query returned no row (was it cancelled?)", stmt->span.line, stmt->span.col,
                 stmt->table->name);
  if (!end && row != NULL)
    g_clear_pointer (&row, gw_row_free);
  return row;
}

static double
as_count (const PlanValue *v)
{
  return v->is_null ? 0 : (double) v->v.i;
}

/* The query counting column c's distinct non-NULL values. */
static char *
ndv_sql (const PlanTable *table, guint c)
{
  g_autofree char *t = quoted (table->name);
  g_autofree char *col = quoted (table->schema->fields[c].name);

  return g_strdup_printf ("SELECT COUNT(%s) FROM (SELECT %s FROM %s GROUP BY %s)", col, col, t,
                          col);
}

/* Fills stats from the row of analyze_sql and the distinct counts ndv (per cols entry). */
static void
read_row (const PlanTable *table, GArray *cols, const GwRow *row, const double *ndv,
          OptTableStats *stats)
{
  guint v = 0;

  stats->rows = as_count (&row->values[v++]);
  for (guint i = 0; i < cols->len; i++)
    {
      guint c = g_array_index (cols, guint, i);
      const PlanValue *min = NULL, *max = NULL;
      double non_null = as_count (&row->values[v]);

      v += 1;
      if (has_order (table->schema->fields[c].type.kind))
        {
          min = &row->values[v];
          max = &row->values[v + 1];
          v += 2;
        }
      opt_column_stats_set (&stats->columns[c], ndv[i], stats->rows - non_null, min, max);
    }
}

char *
gw__analyze_table (GwClient *client, const PlanStatement *stmt, GError **error)
{
  const PlanTable *table = stmt->table;
  g_autoptr (GArray) cols = g_array_new (FALSE, FALSE, sizeof (guint));
  g_auto (GStrv) parts = g_strsplit (stmt->value ? stmt->value : "", ",", -1);
  g_autoptr (OptTableStats) stats = opt_table_stats_new (table->schema->n_fields);
  g_autofree char *sql = NULL;
  g_autofree double *ndv = NULL;
  GwRow *row;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 c;

      if (parts[i][0] != '\0'
          && g_ascii_string_to_unsigned (parts[i], 10, 0, table->schema->n_fields - 1, &c,
                                         NULL))
        {
          guint col = (guint) c;

          g_array_append_val (cols, col);
        }
    }
  ndv = g_new0 (double, MAX (cols->len, 1u));
  for (guint i = 0; i < cols->len; i++)
    {
      g_autofree char *count_sql = ndv_sql (table, g_array_index (cols, guint, i));

      if ((row = run_one_row (client, stmt, count_sql, error)) == NULL)
        return NULL;
      ndv[i] = as_count (&row->values[0]);
      gw_row_free (row);
    }
  sql = analyze_sql (table, cols);
  if ((row = run_one_row (client, stmt, sql, error)) == NULL)
    return NULL;
  read_row (table, cols, row, ndv, stats);
  gw_row_free (row);
  if (!opt_stats_put (table, stats, error))
    return NULL;
  return g_strdup_printf ("Table '%s' analyzed: %.0f rows, statistics for %u column%s.",
                          table->name, stats->rows, cols->len, cols->len == 1 ? "" : "s");
}

/* ---- DESCRIBE EXTENDED ---------------------------------------------------------------- */

static char *
figure (const OptColumnStats *c, guint what)
{
  if (c == NULL || c->ndv < 0)
    return g_strdup ("-");
  switch (what)
    {
    case 0: return g_strdup_printf ("%.0f", c->ndv);
    case 1: return g_strdup_printf ("%.0f", c->nulls);
    case 2: return g_strdup (c->min_text ? c->min_text : "NULL");
    default: return g_strdup (c->max_text ? c->max_text : "NULL");
    }
}

char *
gw__describe_statistics (const PlanTable *table)
{
  static const char *const heads[] = { "column", "type", "distinct", "nulls", "min", "max" };
  g_autoptr (OptTableStats) stats = opt_stats_lookup (table);
  g_autofree char *source = opt_stats_describe (table);
  guint n = table->schema->n_fields, width[6];
  g_autoptr (GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (source);

  for (guint c = 0; c < 6; c++)
    {
      width[c] = (guint) strlen (heads[c]);
      g_ptr_array_add (cells, g_strdup (heads[c]));
    }
  for (guint i = 0; i < n; i++)
    {
      const OptColumnStats *cs = stats != NULL ? &stats->columns[i] : NULL;

      g_ptr_array_add (cells, g_strdup (table->schema->fields[i].name));
      g_ptr_array_add (cells, plan_type_to_string (table->schema->fields[i].type, FALSE));
      for (guint w = 0; w < 4; w++)
        g_ptr_array_add (cells, figure (cs, w));
    }
  for (guint k = 0; k < cells->len; k++)
    width[k % 6] = MAX (width[k % 6], (guint) g_utf8_strlen (cells->pdata[k], -1));
  g_string_append (out, "\n\n");
  for (guint k = 0; k < cells->len; k++)
    {
      const char *cell = cells->pdata[k];
      guint pad = width[k % 6] - (guint) g_utf8_strlen (cell, -1);
      gboolean number = k % 6 == 2 || k % 6 == 3;

      if (number && k >= 6)
        g_string_append_printf (out, "%*s%s", (int) pad, "", cell);
      else
        g_string_append_printf (out, "%s%*s", cell, k % 6 == 5 ? 0 : (int) pad, "");
      g_string_append (out, k % 6 == 5 ? "\n" : "  ");
    }
  g_string_truncate (out, out->len - 1); /* the last newline: the REPL adds one */
  return g_string_free (out, FALSE);
}
