/* studio-monitor-model.c: one metrics snapshot of a running job, per physical operator.
 *
 * The gateway reports time shares per task (a chain of operators run by one thread) and
 * row counts per operator. Operators inherit their task's busy / idle / backpressured
 * shares; the chains are rebuilt from the plan the way the engine builds them (an
 * operator marked chained joins its first input's chain), and matched by the task name
 * the engine derives from them. This is plain data built off the UI thread, so the
 * monitor only swaps a pointer in the main context. */
#include "studio-plan-layout.h"

#include <json-glib/json-glib.h>

const char *
studio_load_name (StudioLoad load)
{
  switch (load)
    {
    case STUDIO_LOAD_UNKNOWN:
      return "unknown";
    case STUDIO_LOAD_IDLE:
      return "idle";
    case STUDIO_LOAD_BUSY:
      return "busy";
    case STUDIO_LOAD_BACKPRESSURED:
      return "backpressured";
    default:
      return "?";
    }
}

/* Names of the engine's tasks for each node's chain: "Source: t -> Calc". */
static char **
chain_names (const PlanPhysPlan *plan)
{
  guint n = plan->nodes->len;
  g_autofree guint *chain_of = g_new0 (guint, n);
  g_autoptr (GPtrArray) chains = g_ptr_array_new_with_free_func (g_free);
  char **names = g_new0 (char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      const PlanPhysNode *node = plan->nodes->pdata[i];
      g_autofree char *label = plan_phys_node_label (node);
      if (node->chained && node->n_inputs > 0)
        {
          guint c = chain_of[node->inputs[0].node->id];
          char *joined = g_strdup_printf ("%s -> %s", (char *) chains->pdata[c], label);
          chain_of[i] = c;
          g_free (chains->pdata[c]);
          chains->pdata[c] = joined;
        }
      else
        {
          chain_of[i] = chains->len;
          g_ptr_array_add (chains, g_strdup (label));
        }
    }
  for (guint i = 0; i < n; i++)
    names[i] = g_strdup (chains->pdata[chain_of[i]]);
  return names;
}

static double
member_double (JsonObject *o, const char *name)
{
  return json_object_has_member (o, name) ? json_object_get_double_member (o, name) : 0.0;
}

static void
apply_tasks (StudioMonitorState *st, JsonArray *tasks, char **names)
{
  for (guint i = 0; i < st->n_ops; i++)
    {
      StudioOpState *op = &st->ops[i];
      guint n = 0;
      for (guint t = 0; t < json_array_get_length (tasks); t++)
        {
          JsonObject *task = json_array_get_object_element (tasks, t);
          if (task == NULL || g_strcmp0 (json_object_get_string_member_with_default (
                                           task, "name", ""), names[i]) != 0)
            continue;
          op->busy += member_double (task, "busy_ms_per_s") / 1000.0;
          op->idle += member_double (task, "idle_ms_per_s") / 1000.0;
          op->backpressured += member_double (task, "backpressured_ms_per_s") / 1000.0;
          n++;
        }
      if (n == 0)
        continue;
      op->busy /= n;
      op->idle /= n;
      op->backpressured /= n;
      if (op->backpressured >= op->busy && op->backpressured >= op->idle)
        op->load = STUDIO_LOAD_BACKPRESSURED;
      else
        op->load = op->busy >= op->idle ? STUDIO_LOAD_BUSY : STUDIO_LOAD_IDLE;
    }
}

static void
apply_ops (StudioMonitorState *st, JsonArray *ops)
{
  for (guint k = 0; k < json_array_get_length (ops); k++)
    {
      JsonObject *o = json_array_get_object_element (ops, k);
      gint64 id;
      if (o == NULL || !json_object_has_member (o, "id"))
        continue;
      id = json_object_get_int_member (o, "id");
      if (id < 0 || id >= st->n_ops)
        continue;
      st->ops[id].rows_per_s = member_double (o, "rows_per_s");
      st->ops[id].rows_out = (guint64) json_object_get_int_member_with_default (o, "rows_out", 0);
      st->ops[id].latency_p99_ms =
        json_object_has_member (o, "latency_p99_ms") ? member_double (o, "latency_p99_ms") : -1;
    }
}

/* The cause of backpressure: an operator that is not backpressured itself but is fed by
 * one that is. Upstream waits on it, so it is where Flink's documentation says to look
 * (usually busy; it may also be stalled on something outside the job). */
static void
mark_causes (StudioMonitorState *st, const PlanPhysPlan *plan)
{
  for (guint i = 0; i < st->n_ops; i++)
    {
      const PlanPhysNode *node = plan->nodes->pdata[i];
      if (st->ops[i].load == STUDIO_LOAD_BACKPRESSURED || st->ops[i].load == STUDIO_LOAD_UNKNOWN)
        continue;
      for (guint k = 0; k < node->n_inputs; k++)
        if (st->ops[node->inputs[k].node->id].load == STUDIO_LOAD_BACKPRESSURED)
          st->ops[i].cause = TRUE;
    }
}

StudioMonitorState *
studio_monitor_state_new (const PlanPhysPlan *plan, const char *json, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (StudioMonitorState) st = g_new0 (StudioMonitorState, 1);
  g_auto (GStrv) names = NULL;
  JsonObject *root;

  g_return_val_if_fail (plan != NULL && json != NULL, NULL);
  if (!json_parser_load_from_data (parser, json, -1, error))
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  if (root == NULL)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "The metrics snapshot is not a JSON object");
      return NULL;
    }
  st->status = g_strdup (json_object_get_string_member_with_default (root, "status", "?"));
  st->elapsed_ms = json_object_get_int_member_with_default (root, "elapsed_ms", 0);
  st->n_ops = plan->nodes->len;
  st->ops = g_new0 (StudioOpState, st->n_ops);
  for (guint i = 0; i < st->n_ops; i++)
    {
      st->ops[i].id = i;
      st->ops[i].latency_p99_ms = -1;
    }
  names = chain_names (plan);
  if (json_object_has_member (root, "tasks"))
    apply_tasks (st, json_object_get_array_member (root, "tasks"), names);
  if (json_object_has_member (root, "operators"))
    apply_ops (st, json_object_get_array_member (root, "operators"));
  mark_causes (st, plan);
  return g_steal_pointer (&st);
}

void
studio_monitor_state_free (StudioMonitorState *state)
{
  if (state == NULL)
    return;
  g_free (state->status);
  g_free (state->ops);
  g_free (state);
}

void
studio_load_color (const StudioOpState *op, double rgb[3])
{
  static const double idle[3] = { 0.35, 0.58, 0.86 };
  static const double busy[3] = { 0.87, 0.22, 0.18 };
  static const double bp[3] = { 0.20, 0.20, 0.22 };
  double t, b;

  if (op == NULL || op->load == STUDIO_LOAD_UNKNOWN)
    {
      rgb[0] = rgb[1] = rgb[2] = 0.82;
      return;
    }
  t = op->busy + op->idle > 0 ? op->busy / (op->busy + op->idle) : 0;
  b = CLAMP (op->backpressured, 0.0, 1.0);
  for (int k = 0; k < 3; k++)
    rgb[k] = (idle[k] + (busy[k] - idle[k]) * t) * (1 - b) + bp[k] * b;
}
