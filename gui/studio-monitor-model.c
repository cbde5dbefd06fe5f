/* studio-monitor-model.c: one metrics snapshot of a running job, per physical operator.
 *
 * The gateway reports time shares per task (a chain of operators run by one thread) and
 * row counts per operator. Operators inherit their task's busy / idle / backpressured
 * shares; the chains are rebuilt from the plan the way the engine builds them (an
 * operator marked chained joins its first input's chain), and matched by the task name
 * the engine derives from them. This is plain data built off the UI thread, so the
 * monitor only swaps a pointer in the main context.
 *
 * The texts the monitor shows (edge labels, checkpoint statistics) are made here too,
 * from the state alone, so tests check the exact words without a display. Every field
 * of the JSON is optional: a missing one reads as unknown, never as an error. */
#include "studio-plan-layout.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

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
          if (json_object_has_member (task, "out_queue_fill"))
            op->out_queue_fill = MAX (op->out_queue_fill,
                                      member_double (task, "out_queue_fill"));
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
      st->ops[id].latency_p50_ms =
        json_object_has_member (o, "latency_p50_ms") ? member_double (o, "latency_p50_ms") : -1;
      st->ops[id].has_watermark = json_object_has_member (o, "current_watermark");
      if (st->ops[id].has_watermark)
        st->ops[id].current_watermark = json_object_get_int_member (o, "current_watermark");
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

/* ---- checkpoints --------------------------------------------------------------------- */

static void
stats_clear (StudioCheckpointStats *s)
{
  g_clear_pointer (&s->path, g_free);
  g_clear_pointer (&s->failure, g_free);
  s->id = -1;
}

static void
checkpoints_free (StudioCheckpointSummary *c)
{
  if (c == NULL)
    return;
  stats_clear (&c->last_completed);
  stats_clear (&c->last_failed);
  g_free (c->restored_from);
  g_free (c->directory);
  g_free (c);
}

static char *
dup_member_string (JsonObject *o, const char *name)
{
  return g_strdup (json_object_get_string_member_with_default (o, name, NULL));
}

static void
stats_read (StudioCheckpointStats *s, JsonObject *o)
{
  stats_clear (s);
  s->id = json_object_get_int_member_with_default (o, "id", -1);
  s->savepoint = json_object_get_boolean_member_with_default (o, "savepoint", FALSE);
  s->duration_ms = member_double (o, "duration_ms");
  s->alignment_ms = member_double (o, "alignment_ms");
  s->size = json_object_get_int_member_with_default (o, "size", 0);
  s->path = dup_member_string (o, "path");
  s->failure = dup_member_string (o, "failure");
}

/* The summary of a "checkpoints" object; NULL when it is not an object or has nothing
 * to show. The gateway writes one for every job a session starts (each gets a
 * coordinator, for savepoints and restarts), so a job without periodic checkpoints shows
 * up as zero counts and an empty history: that is "no checkpoints" unless the object
 * says "enabled": true. The history is newest last, so the last entry of a status wins. */
static StudioCheckpointSummary *
checkpoints_new (JsonNode *node)
{
  StudioCheckpointSummary *c;
  JsonObject *o;
  JsonArray *history = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  o = json_node_get_object (node);
  c = g_new0 (StudioCheckpointSummary, 1);
  c->completed = json_object_get_int_member_with_default (o, "completed", 0);
  c->failed = json_object_get_int_member_with_default (o, "failed", 0);
  c->restarts = json_object_get_int_member_with_default (o, "restarts", 0);
  c->restored_from = dup_member_string (o, "restored_from");
  c->directory = dup_member_string (o, "directory");
  c->last_completed.id = c->last_failed.id = c->in_progress_id = -1;
  if (json_object_has_member (o, "history")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "history")))
    history = json_object_get_array_member (o, "history");
  for (guint i = 0; history != NULL && i < json_array_get_length (history); i++)
    {
      JsonNode *hn = json_array_get_element (history, i);
      JsonObject *h = JSON_NODE_HOLDS_OBJECT (hn) ? json_node_get_object (hn) : NULL;
      const char *status;

      if (h == NULL)
        continue;
      c->n_history++;
      status = json_object_get_string_member_with_default (h, "status", "");
      if (strcmp (status, "COMPLETED") == 0)
        stats_read (&c->last_completed, h);
      else if (strcmp (status, "FAILED") == 0)
        stats_read (&c->last_failed, h);
      else if (strcmp (status, "IN_PROGRESS") == 0)
        c->in_progress_id = json_object_get_int_member_with_default (h, "id", -1);
    }
  if (!json_object_get_boolean_member_with_default (o, "enabled", FALSE) && c->completed == 0
      && c->failed == 0 && c->restarts == 0 && c->n_history == 0 && c->restored_from == NULL)
    g_clear_pointer (&c, checkpoints_free);
  return c;
}

/* "0.5 ms", "12 ms", "1.2 s", "4.5 min", "1.5 h", "3.0 d" */
static char *
format_duration_ms (double ms)
{
  double a = fabs (ms);

  if (a < 10)
    return g_strdup_printf ("%.1f ms", ms);
  if (a < 1000)
    return g_strdup_printf ("%.0f ms", ms);
  if (a < 60 * 1000)
    return g_strdup_printf ("%.1f s", ms / 1000);
  if (a < 3600 * 1000)
    return g_strdup_printf ("%.1f min", ms / 60000);
  if (a < 86400 * 1000)
    return g_strdup_printf ("%.1f h", ms / 3600000);
  return g_strdup_printf ("%.1f d", ms / 86400000);
}

/* "512 B", "2.0 KiB", "5.5 MiB", "1.2 GiB": binary units with a plain space (GLib's
 * g_format_size puts a no-break space there) */
static char *
format_size (gint64 bytes)
{
  static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
  double v = (double) bytes;
  guint u = 0;

  if (bytes < 1024)
    return g_strdup_printf ("%" G_GINT64_FORMAT " B", bytes);
  v /= 1024;
  while (v >= 1024 && u + 1 < G_N_ELEMENTS (units))
    {
      v /= 1024;
      u++;
    }
  return g_strdup_printf ("%.1f %s", v, units[u]);
}

static void
append_last_completed (GString *s, const StudioCheckpointSummary *c)
{
  const StudioCheckpointStats *l = &c->last_completed;
  g_autofree char *dur = NULL, *size = NULL, *align = NULL;

  g_string_append (s, "\nLast completed: ");
  if (l->id < 0)
    {
      g_string_append (s, c->completed > 0 ? "not in the recent history" : "none yet");
      return;
    }
  dur = format_duration_ms (l->duration_ms);
  size = format_size (l->size);
  align = format_duration_ms (l->alignment_ms);
  g_string_append_printf (s, "%s#%" G_GINT64_FORMAT ", %s, %s, alignment %s",
                          l->savepoint ? "savepoint " : "", l->id, dur, size, align);
}

char *
studio_checkpoint_summary_text (const StudioCheckpointSummary *c)
{
  GString *s;

  if (c == NULL)
    return NULL;
  s = g_string_new (NULL);
  g_string_printf (s, "Checkpoints: %" G_GINT64_FORMAT " completed, %" G_GINT64_FORMAT
                   " failed, %" G_GINT64_FORMAT " %s", c->completed, c->failed, c->restarts,
                   c->restarts == 1 ? "restart" : "restarts");
  if (c->restored_from != NULL)
    g_string_append_printf (s, ", restored from %s", c->restored_from);
  append_last_completed (s, c);
  if (c->last_failed.id >= 0)
    g_string_append_printf (s, "\nLast failure: #%" G_GINT64_FORMAT ", %s",
                            c->last_failed.id,
                            c->last_failed.failure ? c->last_failed.failure
                                                   : "no reason given");
  else if (c->failed > 0)
    g_string_append (s, "\nLast failure: not in the recent history");
  if (c->in_progress_id >= 0)
    g_string_append_printf (s, "\nIn progress: #%" G_GINT64_FORMAT, c->in_progress_id);
  return g_string_free (s, FALSE);
}

/* ---- edge labels --------------------------------------------------------------------- */

static void
append_latency (GString *s, const StudioOpState *dst)
{
  if (dst->latency_p50_ms < 0 && dst->latency_p99_ms < 0)
    return;
  g_string_append (s, "\nlatency");
  if (dst->latency_p50_ms >= 0)
    {
      g_autofree char *d = format_duration_ms (dst->latency_p50_ms);
      g_string_append_printf (s, " p50 %s", d);
    }
  if (dst->latency_p99_ms >= 0)
    {
      g_autofree char *d = format_duration_ms (dst->latency_p99_ms);
      g_string_append_printf (s, "%s p99 %s", dst->latency_p50_ms >= 0 ? "," : "", d);
    }
}

char *
studio_monitor_edge_text (const StudioMonitorState *st, guint from, guint to, gint64 now_ms)
{
  const StudioOpState *src, *dst;
  GString *s;

  g_return_val_if_fail (st != NULL, NULL);
  if (from >= st->n_ops || to >= st->n_ops)
    return NULL;
  src = &st->ops[from];
  dst = &st->ops[to];
  s = g_string_new (NULL);
  g_string_printf (s, "%.0f rows/s", src->rows_per_s);
  /* a chained consumer is called directly in the producer's thread: no channel */
  if (dst->chained_to == (gint) from)
    g_string_append (s, ", chained");
  else if (src->out_queue_fill >= 0)
    g_string_append_printf (s, ", fill %.0f%%", src->out_queue_fill * 100);
  if (!dst->has_watermark)
    g_string_append (s, "\nno watermark");
  else if (dst->current_watermark > G_MAXINT64 / 2)
    g_string_append (s, "\nwatermark: end of input"); /* a finished bounded input's MAX */
  else
    {
      gint64 lag = now_ms - dst->current_watermark;
      g_autofree char *d = format_duration_ms ((double) ABS (lag));
      if (lag >= 0)
        g_string_append_printf (s, "\nwatermark lag %s", d);
      else
        g_string_append_printf (s, "\nwatermark %s ahead", d);
    }
  append_latency (s, dst);
  return g_string_free (s, FALSE);
}

/* ---- the state ----------------------------------------------------------------------- */

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
  st->taken_ms = g_get_real_time () / 1000;
  for (guint i = 0; i < st->n_ops; i++)
    {
      const PlanPhysNode *node = plan->nodes->pdata[i];
      st->ops[i].id = i;
      st->ops[i].latency_p99_ms = -1;
      st->ops[i].latency_p50_ms = -1;
      st->ops[i].out_queue_fill = -1;
      st->ops[i].chained_to = node->chained && node->n_inputs > 0
                              ? (gint) node->inputs[0].node->id : -1;
    }
  names = chain_names (plan);
  if (json_object_has_member (root, "tasks"))
    apply_tasks (st, json_object_get_array_member (root, "tasks"), names);
  if (json_object_has_member (root, "operators"))
    apply_ops (st, json_object_get_array_member (root, "operators"));
  if (json_object_has_member (root, "checkpoints"))
    st->checkpoints = checkpoints_new (json_object_get_member (root, "checkpoints"));
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
  checkpoints_free (state->checkpoints);
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
