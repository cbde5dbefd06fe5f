/* bench-agg.c: rows/s of the batch group aggregate (rt-op-aggregate.c) on one core, with
 * its groups spilling under a small managed-memory budget and then all in memory, and the
 * process's peak resident set (VmHWM) after each.
 *
 * Input: 2M rows (key BIGINT, v BIGINT) into 500k groups, key = i mod 500000, v = i,
 * hand-built batches of 1024 rows; COUNT(*), SUM(v), MIN(v), MAX(v). The spilling run goes
 * first, because VmHWM only grows: its figure is then the spilling run's own peak, and the
 * in-memory run's is the larger of the two. Rows/s counts input rows over the time from
 * the first batch to the last output row. */
#include "runtime/engine/rt-operator.h"

#include <stdio.h>
#include <string.h>

#define N_ROWS 2000000
#define N_KEYS 500000

static RtResult
count_rows (void *data, RtBatch *batch, GError **error)
{
  *(guint64 *) data += batch->n_rows;
  return RT_OK;
}

/* VmHWM of this process in KiB, from /proc/self/status; 0 when unknown. */
static guint64
peak_rss_kib (void)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL)
      || (line = strstr (text, "VmHWM:")) == NULL)
    return 0;
  return g_ascii_strtoull (line + 6, NULL, 10);
}

static RtOperator *
make_op (PlanPhysNode *input)
{
  PlanType bt = plan_type_make (PLAN_TYPE_BIGINT, TRUE);
  static const char *names[] = { "k", "n", "s", "lo", "hi" };
  PlanAggCall calls[4] = {
    { .func = PLAN_AGG_COUNT_STAR, .arg = -1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_SUM, .arg = 1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_MIN, .arg = 1, .filter = -1, .type = bt },
    { .func = PLAN_AGG_MAX, .arg = 1, .filter = -1, .type = bt },
  };
  PlanSchema *out = plan_schema_new (5);
  g_autoptr (PlanPhysNode) node = NULL;
  g_autoptr (GError) error = NULL;
  guint key = 0;
  RtOperator *op;

  for (guint c = 0; c < 5; c++)
    plan_schema_set_field (out, c, names[c], bt);
  node = plan_phys_node_new (PLAN_PHYS_AGGREGATE, out, (PlanSpan) { 0 }, 1);
  plan_phys_node_add_input (node, plan_phys_node_ref (input), PLAN_EXCHANGE_HASH, 1, &key);
  node->u.aggregate.n_keys = 1;
  node->u.aggregate.keys = g_memdup2 (&key, sizeof key);
  node->u.aggregate.n_aggs = 4;
  node->u.aggregate.aggs = g_memdup2 (calls, sizeof calls);
  op = rt_op_aggregate_new (node, &error);
  g_assert_no_error (error);
  return op;
}

/* One run with the given budget: returns rows/s; *spilled gets the bytes written. */
static double
run_once (gsize budget, guint64 *spilled, guint64 *groups)
{
  RtMemPool *pool = rt_mem_pool_new (budget);
  RtOpContext ctx = { .pool = pool, .parallelism = 1, .batch_size = 1024 };
  PlanSchema *in = plan_schema_new (2);
  g_autoptr (PlanPhysNode) input = NULL;
  g_autoptr (GError) error = NULL;
  RtOperator *op;
  gint64 start, end;

  plan_schema_set_field (in, 0, "k", plan_type_make (PLAN_TYPE_BIGINT, TRUE));
  plan_schema_set_field (in, 1, "v", plan_type_make (PLAN_TYPE_BIGINT, TRUE));
  input = plan_phys_node_new (PLAN_PHYS_VALUES, in, (PlanSpan) { 0 }, 1); /* takes in */
  op = make_op (input);
  op->ctx = &ctx;
  op->sink_fn = count_rows;
  op->sink_data = groups;
  *groups = 0;
  start = g_get_monotonic_time ();
  for (guint64 i0 = 0; i0 < N_ROWS; i0 += 1024)
    {
      g_autoptr (RtBatch) b = rt_batch_new (pool, in, 1024, &error);

      g_assert_no_error (error);
      for (guint64 i = i0; i < MIN (i0 + 1024, N_ROWS); i++)
        {
          RT_VEC (b, 0, gint64)[b->n_rows] = (gint64) (i % N_KEYS);
          RT_VEC (b, 1, gint64)[b->n_rows++] = (gint64) i;
        }
      g_assert_cmpint (op->klass->process (op, b, 0, &error), ==, RT_OK);
    }
  g_assert_cmpint (op->klass->finish (op, &error), ==, RT_OK);
  g_assert_no_error (error);
  end = g_get_monotonic_time ();
  *spilled = rt_op_aggregate_get_spilled_bytes (op);
  rt_operator_free (op);
  rt_mem_pool_free (pool);
  return N_ROWS / ((double) (end - start) / 1e6);
}

int
main (int argc, char **argv)
{
  guint64 spilled, groups;
  double rate;

  g_test_init (&argc, &argv, NULL);
  printf ("batch GROUP BY: %d rows into %d groups, COUNT(*), SUM, MIN, MAX, one core\n",
          N_ROWS, N_KEYS);
  rate = run_once (4 * 1024 * 1024, &spilled, &groups);
  g_assert_cmpuint (groups, ==, N_KEYS);
  printf ("  spilling, budget   4 MiB: %6.2f M rows/s, %6.1f MiB spilled (LZ4), "
          "peak RSS %6.1f MiB\n", rate / 1e6, spilled / 1048576.0, peak_rss_kib () / 1024.0);
  rate = run_once ((gsize) 4 * 1024 * 1024 * 1024, &spilled, &groups);
  g_assert_cmpuint (groups, ==, N_KEYS);
  g_assert_cmpuint (spilled, ==, 0);
  printf ("  in memory, budget 4 GiB: %6.2f M rows/s, %6.1f MiB spilled,       "
          "peak RSS %6.1f MiB\n", rate / 1e6, spilled / 1048576.0, peak_rss_kib () / 1024.0);
  return 0;
}
