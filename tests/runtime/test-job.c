/* test-job.c: jobs built from hand-made physical plans: every exchange kind across
 * parallel tasks delivers each row the right number of times, the lifecycle states, a
 * failing operator failing the job with its error, and a task driven step by step. */
#include "runtime/engine/rt-job-private.h"

#include <string.h>

static PlanSchema *
one_col (const char *name)
{
  PlanSchema *s = plan_schema_new (1);

  plan_schema_set_field (s, 0, name, plan_type_make (PLAN_TYPE_BIGINT, FALSE));
  return s;
}

static PlanSpan no_span;

static PlanPhysNode *
values_node (guint n)
{
  PlanPhysNode *v = plan_phys_node_new (PLAN_PHYS_VALUES, one_col ("x"), no_span, 1);

  v->u.values.n_rows = n;
  v->u.values.values = g_new0 (PlanValue, n);
  for (guint i = 0; i < n; i++)
    {
      v->u.values.values[i].type = plan_type_make (PLAN_TYPE_BIGINT, FALSE);
      v->u.values.values[i].v.i = i;
    }
  return v;
}

/* x OP k over column 0 */
static PlanExpr *
arith (PlanFunc op, gint64 k)
{
  PlanValue lit = { plan_type_make (PLAN_TYPE_BIGINT, FALSE), FALSE, { .i = k } };
  PlanExpr *args[2] = { plan_expr_column (0, plan_type_make (PLAN_TYPE_BIGINT, FALSE), no_span),
                        plan_expr_literal (&lit, no_span) };

  return plan_expr_call (op, plan_type_make (PLAN_TYPE_BIGINT, FALSE), 2, args, no_span);
}

static PlanPhysNode *
calc_node (PlanPhysNode *input, PlanExchangeKind ex, guint parallelism, PlanExpr *expr)
{
  PlanPhysNode *c = plan_phys_node_new (PLAN_PHYS_CALC, one_col ("y"), no_span, parallelism);
  guint key = 0;

  plan_phys_node_add_input (c, input, ex, ex == PLAN_EXCHANGE_HASH ? 1 : 0, &key);
  c->chained = ex == PLAN_EXCHANGE_FORWARD;
  c->u.calc.n_exprs = 1;
  c->u.calc.exprs = g_new (PlanExpr *, 1);
  c->u.calc.exprs[0] = expr;
  return c;
}

static PlanPhysPlan *
collect_plan (PlanPhysNode *input, gboolean chained)
{
  PlanPhysNode *s = plan_phys_node_new (PLAN_PHYS_SINK, plan_schema_ref (input->schema),
                                        no_span, 1);

  s->u.sink.sink = PLAN_SINK_COLLECT;
  plan_phys_node_add_input (s, input, chained ? PLAN_EXCHANGE_FORWARD : PLAN_EXCHANGE_GATHER,
                            0, NULL);
  s->chained = chained;
  return plan_phys_plan_new (s);
}

/* Runs the plan to the end; returns how often each value arrived (value -> count). */
static GHashTable *
run_collect (PlanPhysPlan *plan, RtMemPool *pool, RtJobStatus want)
{
  g_autoptr (GError) error = NULL;
  RtJob *job = rt_job_new (plan, pool, NULL, &error);
  GHashTable *seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  gboolean end = FALSE;

  g_assert_no_error (error);
  g_assert_cmpint (rt_job_get_status (job), ==, RT_JOB_CREATED);
  g_assert_true (rt_job_start (job, &error));
  while (!end)
    {
      RtBatch *b = rt_job_pop_result (job, -1, &end);

      if (b == NULL)
        continue;
      for (guint r = 0; r < b->n_rows; r++)
        {
          gint64 v = RT_VEC (b, 0, gint64)[r];
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (seen, &v));
          g_hash_table_replace (seen, g_memdup2 (&v, sizeof v), GUINT_TO_POINTER (n + 1));
        }
      rt_batch_unref (b);
    }
  g_assert_cmpint (rt_job_wait (job), ==, want);
  rt_job_free (job);
  plan_phys_plan_unref (plan);
  return seen;
}

static void
check_each (GHashTable *seen, guint n, gint64 mul, guint times)
{
  g_assert_cmpuint (g_hash_table_size (seen), ==, n);
  for (guint i = 0; i < n; i++)
    {
      gint64 v = (gint64) i * mul;
      g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (seen, &v)), ==, times);
    }
}

static void
test_exchanges (void)
{
  RtMemPool *pool = rt_mem_pool_new (64 << 20);
  struct { PlanExchangeKind ex; guint times; } cases[] = {
    { PLAN_EXCHANGE_HASH, 1 }, { PLAN_EXCHANGE_REBALANCE, 1 }, { PLAN_EXCHANGE_BROADCAST, 2 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      /* values (p=1) -> exchange -> calc y = x * 2 (p=2) -> gather -> collect */
      PlanPhysNode *calc = calc_node (values_node (5000), cases[c].ex, 2, arith (PLAN_FUNC_MUL, 2));
      GHashTable *seen = run_collect (collect_plan (calc, FALSE), pool, RT_JOB_FINISHED);

      check_each (seen, 5000, 2, cases[c].times);
      g_hash_table_unref (seen);
    }
  g_assert_cmpuint (rt_mem_pool_get_used (pool), ==, 0);
  rt_mem_pool_free (pool);
}

static void
test_failure (void)
{
  RtMemPool *pool = rt_mem_pool_new (64 << 20);
  /* y = 100 / (x - 3): the row x = 3 divides by zero */
  PlanExpr *minus = arith (PLAN_FUNC_SUB, 3);
  PlanValue hundred = { plan_type_make (PLAN_TYPE_BIGINT, FALSE), FALSE, { .i = 100 } };
  PlanExpr *args[2] = { plan_expr_literal (&hundred, no_span), minus };
  PlanExpr *div = plan_expr_call (PLAN_FUNC_DIV, plan_type_make (PLAN_TYPE_BIGINT, FALSE), 2,
                                  args, no_span);
  PlanPhysNode *calc = calc_node (values_node (10), PLAN_EXCHANGE_REBALANCE, 2, div);
  PlanPhysPlan *plan = collect_plan (calc, FALSE);
  g_autoptr (GError) error = NULL;
  RtJob *job = rt_job_new (plan, pool, NULL, &error);
  gboolean end = FALSE;
  GError *job_error;

  g_assert_true (rt_job_start (job, &error));
  while (!end)
    {
      RtBatch *b = rt_job_pop_result (job, -1, &end);
      if (b != NULL)
        rt_batch_unref (b);
    }
  g_assert_cmpint (rt_job_wait (job), ==, RT_JOB_FAILED);
  job_error = rt_job_dup_error (job);
  g_assert_nonnull (job_error);
  g_assert_nonnull (strstr (job_error->message, "division by zero"));
  g_error_free (job_error);
  rt_job_free (job);
  plan_phys_plan_unref (plan);
  g_assert_cmpuint (rt_mem_pool_get_used (pool), ==, 0);
  rt_mem_pool_free (pool);
}

/* One task (values -> calc -> collect, all chained) driven by rt__task_step alone, no
 * thread: deterministic. */
static void
test_single_step (void)
{
  RtMemPool *pool = rt_mem_pool_new (64 << 20);
  PlanPhysNode *calc = calc_node (values_node (1500), PLAN_EXCHANGE_FORWARD, 1,
                                  arith (PLAN_FUNC_ADD, 1));
  PlanPhysPlan *plan = collect_plan (calc, TRUE);
  g_autoptr (GError) error = NULL;
  RtJob *job = rt_job_new (plan, pool, NULL, &error);
  RtTask *task;
  gint64 park = 0;
  guint rows = 0, batches = 0;
  gboolean end = FALSE;
  RtBatch *b;

  g_assert_no_error (error);
  g_assert_cmpuint (job->tasks->len, ==, 1);
  task = job->tasks->pdata[0];
  g_assert_cmpuint (task->ops->len, ==, 3);
  g_assert_cmpint (rt__task_step (task, &park, &error), ==, RT_DONE);
  g_assert_no_error (error);
  while ((b = rt_job_pop_result (job, 0, &end)) != NULL)
    {
      g_assert_cmpint (RT_VEC (b, 0, gint64)[0], ==, (gint64) rows + 1);
      rows += b->n_rows;
      batches++;
      rt_batch_unref (b);
    }
  g_assert_cmpuint (rows, ==, 1500);
  g_assert_cmpuint (batches, ==, 3); /* 512 + 512 + 476 rows */
  rt_job_free (job);
  plan_phys_plan_unref (plan);
  rt_mem_pool_free (pool);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/job/exchanges", test_exchanges);
  g_test_add_func ("/runtime/job/failure", test_failure);
  g_test_add_func ("/runtime/job/single-step", test_single_step);
  return g_test_run ();
}
