/* gw-explain.c: the EXPLAIN forms that need more than the optimizer's text: EXPLAIN JSON
 * (also spelled JSON_EXECUTION_PLAN), EXPLAIN DOT and EXPLAIN ANALYZE.
 *
 * ANALYZE lives in the gateway because it runs the query: the plan becomes a job on the
 * session's pool, result rows are popped and dropped until the job ends, and the job's
 * final metrics are turned into one PlanOpActual per operator for the printers in
 * plans/plan-explain-json.c. The engine counts busy time per task, not per operator, so an
 * operator is given the busy time of the task chain it runs in; chains are matched to
 * tasks by name (the labels joined by " -> ", as the engine names its tasks), and an
 * operator whose chain name is not unique gets no busy time rather than a wrong one. */
#include "gw-private.h"

#include "optimizer/opt.h"
#include "runtime/engine/rt-job.h"

#include <string.h>

/* The first node of the chain n runs in: follow chained edges up to their head. */
static const PlanPhysNode *
chain_head (const PlanPhysNode *n)
{
  while (n->chained && n->n_inputs > 0)
    n = n->inputs[0].node;
  return n;
}

/* "Source: t -> Calc": the task name the engine gives the chain headed by head. */
static char *
chain_name (const PlanPhysPlan *plan, const PlanPhysNode *head)
{
  GString *name = g_string_new (NULL);
  const PlanPhysNode *cur = head;

  while (cur != NULL)
    {
      g_autofree char *label = plan_phys_node_label (cur);
      const PlanPhysNode *next = NULL;

      g_string_append_printf (name, "%s%s", name->len ? " -> " : "", label);
      for (guint i = 0; i < plan->nodes->len && next == NULL; i++)
        {
          const PlanPhysNode *m = g_ptr_array_index (plan->nodes, i);

          if (m->chained && m->n_inputs > 0 && m->inputs[0].node == cur)
            next = m;
        }
      cur = next;
    }
  return g_string_free (name, FALSE);
}

/* Busy time of the tasks running the chain headed by head; -1 when two chains share the
 * name (the time could not be told apart). */
static gint64
chain_busy_us (const PlanPhysPlan *plan, const PlanPhysNode *head, const RtJobMetrics *m)
{
  g_autofree char *name = chain_name (plan, head);
  gint64 busy = 0;
  guint heads_with_name = 0;

  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *other = g_ptr_array_index (plan->nodes, i);
      g_autofree char *other_name = NULL;

      if (chain_head (other) != other)
        continue;
      other_name = chain_name (plan, other);
      heads_with_name += strcmp (other_name, name) == 0;
    }
  if (heads_with_name != 1)
    return -1;
  for (guint t = 0; t < m->n_tasks; t++)
    if (strcmp (m->tasks[t].name, name) == 0)
      busy += (gint64) m->tasks[t].busy_us;
  return busy;
}

static PlanOpActual *
actuals_from_metrics (const PlanPhysPlan *plan, const RtJobMetrics *m, const gint64 *spilled)
{
  PlanOpActual *act = g_new0 (PlanOpActual, plan->nodes->len + 1);

  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *n = g_ptr_array_index (plan->nodes, i);

      if (n->id >= plan->nodes->len || n->id >= m->n_ops)
        continue;
      act[n->id].known = TRUE;
      act[n->id].rows_in = m->ops[n->id].rows_in;
      act[n->id].rows_out = n->kind == PLAN_PHYS_SINK ? m->ops[n->id].rows_in
                                                      : m->ops[n->id].rows_out;
      act[n->id].busy_us = chain_busy_us (plan, chain_head (n), m);
      act[n->id].spilled_bytes = spilled[n->id];
    }
  return act;
}

/* Runs the plan to its end, dropping the result rows; the final metrics, or NULL.
 * *spilled gets the spilled bytes per node id (-1: not reported). */
static RtJobMetrics *
run_to_end (PlanPhysPlan *plan, RtMemPool *pool, const RtJobConfig *cfg, gint64 **spilled,
            GError **error)
{
  RtJob *job = rt_job_new (plan, pool, cfg, error);
  gboolean end = FALSE;
  RtJobMetrics *m = NULL;

  if (job == NULL)
    return NULL;
  if (!rt_job_start (job, error))
    {
      rt_job_free (job);
      return NULL;
    }
  while (!end)
    {
      RtBatch *b = rt_job_pop_result (job, -1, &end);

      if (b != NULL)
        rt_batch_unref (b);
    }
  if (rt_job_wait (job) == RT_JOB_FINISHED)
    {
      m = rt_job_snapshot_metrics (job);
      *spilled = g_new (gint64, plan->nodes->len + 1);
      for (guint i = 0; i < plan->nodes->len; i++)
        (*spilled)[i] = rt_job_get_op_spilled_bytes (job, i);
    }
  else
    {
      GError *e = rt_job_dup_error (job);

      if (e != NULL)
        g_propagate_prefixed_error (error, e, "EXPLAIN ANALYZE: the query failed: ");
      else
        g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED,
                     "EXPLAIN ANALYZE: the query did not finish (it was cancelled).");
    }
  rt_job_free (job);
  return m;
}

static char *
explain_analyze (PlanStatement *stmt, OptResult *opt, RtMemPool *pool,
                 const RtJobConfig *cfg, GError **error)
{
  PlanPhysPlan *plan = opt_result_get_physical (opt);
  const char *table = NULL;
  RtJobMetrics *m;
  g_autofree PlanOpActual *act = NULL;
  g_autofree gint64 *spilled = NULL;
  char *text;

  if (!plan_phys_is_bounded (plan, &table))
    {
      g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED,
                   "%u:%u: EXPLAIN ANALYZE runs the query to its end, but table '%s' is "
                   "unbounded; give it an end (datagen: 'number-of-rows') or use EXPLAIN "
                   "without ANALYZE.", stmt->span.line, stmt->span.col, table);
      return NULL;
    }
  if ((m = run_to_end (plan, pool, cfg, &spilled, error)) == NULL)
    return NULL;
  act = actuals_from_metrics (plan, m, spilled);
  if (stmt->explain_flags & PLAN_EXPLAIN_JSON)
    {
      g_autofree char *json = plan_explain_json (stmt->plan, opt_result_get_logical (opt), plan,
                                                 opt__est_bytes, act, plan->nodes->len,
                                                 m->elapsed_us);
      text = opt_explain_json_add_sections (opt, json);
    }
  else
    text = plan_explain_analyze_text (plan, act, plan->nodes->len, m->elapsed_us);
  rt_job_metrics_free (m);
  return text;
}

gboolean
gw__explain_is_extended (const PlanStatement *stmt)
{
  return (stmt->explain_flags & (PLAN_EXPLAIN_JSON | PLAN_EXPLAIN_DOT | PLAN_EXPLAIN_ANALYZE))
         != 0;
}

char *
gw__explain_extended (PlanStatement *stmt, OptResult *opt, RtMemPool *pool,
                      const RtJobConfig *cfg, GError **error)
{
  PlanPhysPlan *plan = opt_result_get_physical (opt);

  if (stmt->explain_flags & PLAN_EXPLAIN_ANALYZE)
    return explain_analyze (stmt, opt, pool, cfg, error);
  if (stmt->explain_flags & PLAN_EXPLAIN_DOT)
    return plan_explain_dot (plan);
  {
    g_autofree char *json = plan_explain_json (stmt->plan, opt_result_get_logical (opt), plan,
                                               opt__est_bytes, NULL, 0, 0);
    return opt_explain_json_add_sections (opt, json);
  }
}
