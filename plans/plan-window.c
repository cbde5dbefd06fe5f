/* plan-window.c: the window TVF payload shared by the logical WINDOW node and the physical
 * WINDOW and WINDOW_AGGREGATE nodes: names, the output schema, EXPLAIN text, and tracing a
 * column back to the window that made it.
 *
 * Tracing lives here because two layers need it: the binder checks that GROUP BY names a
 * window's start and end, and the physical planner turns such an aggregate into a window
 * aggregate that fires on the watermark instead of a changelog-emitting group aggregate.
 * Only plain column references are followed (through PROJECT, FILTER and LIMIT): an
 * expression over window_end is no longer the window's end. */
#include "plan-node.h"

#include <string.h>

const char *
plan_window_kind_name (PlanWindowKind kind)
{
  switch (kind)
    {
    case PLAN_WINDOW_TUMBLE: return "TUMBLE";
    case PLAN_WINDOW_HOP: return "HOP";
    case PLAN_WINDOW_CUMULATE: return "CUMULATE";
    case PLAN_WINDOW_SESSION: return "SESSION";
    default: return "UNKNOWN";
    }
}

PlanSchema *
plan_window_schema (const PlanSchema *input)
{
  PlanSchema *out = plan_schema_new (input->n_fields + 3);
  PlanType ts = plan_type_make (PLAN_TYPE_TIMESTAMP, FALSE);

  ts.scale = 3;
  for (guint i = 0; i < input->n_fields; i++)
    plan_schema_set_field (out, i, input->fields[i].name, input->fields[i].type);
  plan_schema_set_field (out, input->n_fields, "window_start", ts);
  plan_schema_set_field (out, input->n_fields + 1, "window_end", ts);
  plan_schema_set_field (out, input->n_fields + 2, "window_time", ts);
  return out;
}

static void
append_duration (GString *s, gint64 ms)
{
  if (ms % 3600000 == 0)
    g_string_append_printf (s, "%" G_GINT64_FORMAT " h", ms / 3600000);
  else if (ms % 60000 == 0)
    g_string_append_printf (s, "%" G_GINT64_FORMAT " min", ms / 60000);
  else if (ms % 1000 == 0)
    g_string_append_printf (s, "%" G_GINT64_FORMAT " s", ms / 1000);
  else
    g_string_append_printf (s, "%" G_GINT64_FORMAT " ms", ms);
}

char *
plan_window_to_string (const PlanWindow *w, const PlanSchema *input)
{
  GString *s = g_string_new (plan_window_kind_name (w->kind));

  g_string_append_printf (s, "(%s, ", input != NULL && w->time_col < input->n_fields
                          ? input->fields[w->time_col].name : "?");
  if (w->kind == PLAN_WINDOW_HOP || w->kind == PLAN_WINDOW_CUMULATE)
    {
      append_duration (s, w->slide_ms);
      g_string_append (s, ", ");
    }
  append_duration (s, w->size_ms);
  if (w->offset_ms != 0)
    {
      g_string_append (s, ", offset ");
      append_duration (s, w->offset_ms);
    }
  for (guint i = 0; i < w->n_partition; i++)
    g_string_append_printf (s, "%s%s", i == 0 ? ", partition by " : ", ",
                            input != NULL && w->partition[i] < input->n_fields
                            ? input->fields[w->partition[i]].name : "?");
  g_string_append_c (s, ')');
  return g_string_free (s, FALSE);
}

gboolean
plan_window_trace (const PlanNode *node, guint col, const PlanNode **window, guint *window_col)
{
  for (;;)
    {
      const PlanExpr *e;

      if (node->kind == PLAN_NODE_WINDOW)
        {
          *window = node;
          *window_col = col;
          return TRUE;
        }
      if (node->kind == PLAN_NODE_PROJECT)
        {
          e = node->u.project.exprs[col];
          if (e->kind != PLAN_EXPR_COLUMN)
            return FALSE;
          col = e->u.column;
        }
      else if (node->kind != PLAN_NODE_FILTER && node->kind != PLAN_NODE_LIMIT)
        return FALSE;
      node = node->inputs[0];
    }
}

gint
plan_table_rowtime (const PlanTable *table)
{
  for (guint i = 0; i + 1 < table->options->len; i += 2)
    {
      const char *key = table->options->pdata[i];

      if (g_str_has_prefix (key, "__watermark."))
        return plan_schema_find (table->schema, key + strlen ("__watermark."));
    }
  return -1;
}
