/* bench-join.c: rows per second of the batch hash join (rt-op-hash-join.c) and the batch
 * sort-merge join (rt-op-merge-join.c) on one core, driven directly with 1024-row batches:
 * a probe side of (k BIGINT, a BIGINT) whose keys are random over the build side's, and a
 * build side of (k BIGINT unique, b BIGINT), inner join on k, so every probe row matches
 * exactly once. Two sizes (probe x build): 200,000 x 20,000 and 2,000,000 x 200,000
 * (STROM_BENCH_JOIN_ROWS sets the larger probe count; the build side is a tenth). At the
 * larger size both joins also run under a 16 MiB budget, first of all so the process's
 * peak resident memory (VmHWM) printed after each is theirs: the sort-merge join's sorts
 * spill LZ4 runs, the hash join spills as a hybrid hash join. Under the roomy budget
 * (1 GiB) nothing spills. rows/s counts input rows of both sides over the CPU seconds of
 * the join alone (making the batches is measured apart and subtracted). Figures are
 * printed, never asserted. */
#include "runtime/engine/rt-operator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 1024

static gint64
cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static guint64 out_rows;

static RtResult
count_rows (void *data, RtBatch *batch, GError **error)
{
  out_rows += batch->n_rows;
  return RT_OK;
}

static PlanSchema *
make_schema (const char *payload)
{
  PlanSchema *schema = plan_schema_new (2);

  plan_schema_set_field (schema, 0, "k", plan_type_make (PLAN_TYPE_BIGINT, FALSE));
  plan_schema_set_field (schema, 1, payload, plan_type_make (PLAN_TYPE_BIGINT, FALSE));
  return schema;
}

static guint64
next_rand (guint64 *seed)
{
  *seed = *seed * 6364136223846793005u + 1442695040888963407u;
  return *seed >> 20;
}

/* Batch number i of a side: the build side's keys are a permutation-like walk of 0..n-1
 * (unique), the probe side's random in 0..n_build-1. */
static RtBatch *
make_batch (RtMemPool *pool, PlanSchema *schema, gboolean build, guint64 start, guint64 n,
            guint64 n_build, guint64 *seed)
{
  g_autoptr (GError) error = NULL;
  RtBatch *b = rt_batch_new (pool, schema, BATCH, &error);
  guint rows = (guint) MIN ((guint64) BATCH, n - start);

  g_assert_no_error (error);
  for (guint r = 0; r < rows; r++)
    {
      guint64 i = start + r;
      guint64 k = build ? (i * 2654435761u) % n_build : next_rand (seed) % n_build;

      RT_VEC (b, 0, gint64)[r] = (gint64) k;
      RT_VEC (b, 1, gint64)[r] = (gint64) i;
    }
  b->n_rows = rows;
  return b;
}

typedef struct {
  PlanSchema *side[2];
  PlanPhysNode *inputs[2];
} Shapes;

static RtOperator *
make_join (Shapes *s, PlanPhysKind kind)
{
  g_autoptr (PlanPhysNode) node = NULL;
  g_autoptr (GError) error = NULL;
  guint key = 0;
  RtOperator *op;

  node = plan_phys_node_new (kind, plan_join_schema (s->side[0], s->side[1], PLAN_JOIN_INNER),
                             (PlanSpan) { 0 }, 1);
  for (guint i = 0; i < 2; i++)
    plan_phys_node_add_input (node, plan_phys_node_ref (s->inputs[i]), PLAN_EXCHANGE_HASH, 1,
                              &key);
  node->u.join.type = PLAN_JOIN_INNER;
  node->u.join.n_keys = 1;
  node->u.join.left_keys = g_memdup2 (&key, sizeof key);
  node->u.join.right_keys = g_memdup2 (&key, sizeof key);
  node->u.join.build_side = 1;
  node->u.join.strategy = PLAN_JOIN_STRATEGY_REPARTITION;
  op = kind == PLAN_PHYS_HASH_JOIN ? rt_op_hash_join_new (node, &error)
                                   : rt_op_merge_join_new (node, &error);
  g_assert_no_error (error);
  return op;
}

/* Feeds one side; with op NULL only makes the batches (the baseline). */
static void
feed (RtOperator *op, RtMemPool *pool, Shapes *s, guint side, guint64 n, guint64 n_build)
{
  g_autoptr (GError) error = NULL;
  guint64 seed = 11;

  for (guint64 start = 0; start < n; start += BATCH)
    {
      g_autoptr (RtBatch) b = make_batch (pool, s->side[side], side == 1, start, n, n_build,
                                          &seed);

      if (op != NULL)
        g_assert_cmpint (op->klass->process (op, b, side, &error), ==, RT_OK);
    }
}

/* CPU seconds of one join of n_probe x n_build rows (kind NULL-like 0: batches only). */
static double
run (Shapes *s, gboolean only_batches, PlanPhysKind kind, guint64 n_probe, guint64 n_build,
     gsize budget, guint64 *spilled)
{
  g_autoptr (GError) error = NULL;
  RtMemPool *pool = rt_mem_pool_new (budget);
  RtOpContext ctx = { .pool = pool, .parallelism = 1, .batch_size = BATCH,
                      .bounded_only = TRUE };
  RtOperator *op = only_batches ? NULL : make_join (s, kind);
  RtEvent eoi = { RT_EVENT_END_OF_INPUT, 0, 0 };
  gint64 t0;

  if (op != NULL)
    {
      op->ctx = &ctx;
      op->sink_fn = count_rows;
      g_assert_true (op->klass->open == NULL || op->klass->open (op, &error));
    }
  out_rows = 0;
  t0 = cpu_us ();
  feed (op, pool, s, 1, n_build, n_build);
  if (op != NULL && op->klass->on_event != NULL)
    g_assert_cmpint (op->klass->on_event (op, &eoi, 1, &error), ==, RT_OK);
  feed (op, pool, s, 0, n_probe, n_build);
  if (op != NULL)
    {
      g_assert_cmpint (op->klass->finish (op, &error), ==, RT_OK);
      g_assert_no_error (error);
      g_assert_cmpuint (out_rows, ==, n_probe);
    }
  t0 = cpu_us () - t0;
  if (spilled != NULL && op != NULL)
    *spilled = kind == PLAN_PHYS_SORT_MERGE_JOIN ? rt_op_merge_join_get_spilled_bytes (op)
                                                 : rt_op_hash_join_get_spilled_bytes (op);
  if (op != NULL)
    rt_operator_free (op);
  rt_mem_pool_free (pool);
  return t0 / 1e6;
}

static long
vm_hwm_kb (void)
{
  g_autofree char *text = NULL;
  const char *at;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL)
      || (at = strstr (text, "VmHWM:")) == NULL)
    return -1;
  return strtol (at + 6, NULL, 10);
}

static void
report (Shapes *s, const char *name, PlanPhysKind kind, guint64 n_probe, guint64 n_build,
        gsize budget)
{
  guint64 spilled = 0;
  double base = run (s, TRUE, kind, n_probe, n_build, budget, NULL);
  double t = run (s, FALSE, kind, n_probe, n_build, budget, &spilled) - base;

  t = MAX (t, 1e-6);
  printf ("%-26s %9" G_GUINT64_FORMAT " x %8" G_GUINT64_FORMAT "  %7.3f s  %6.2f M rows/s"
          "  spilled %" G_GUINT64_FORMAT " KiB\n", name, n_probe, n_build, t,
          (n_probe + n_build) / t / 1e6, spilled / 1024);
}

int
main (int argc, char **argv)
{
  const char *env = g_getenv ("STROM_BENCH_JOIN_ROWS");
  guint64 big = env != NULL ? g_ascii_strtoull (env, NULL, 10) : 2000000;
  gsize roomy = 1024 * 1024 * 1024;
  Shapes s;

  for (guint i = 0; i < 2; i++)
    {
      s.side[i] = make_schema (i == 0 ? "a" : "b");
      s.inputs[i] = plan_phys_node_new (PLAN_PHYS_VALUES, plan_schema_ref (s.side[i]),
                                        (PlanSpan) { 0 }, 1);
    }
  printf ("batch inner join, one core, CPU time; rows/s = (probe + build rows) / s\n");
  report (&s, "sort-merge (16 MiB, spills)", PLAN_PHYS_SORT_MERGE_JOIN, big, big / 10,
          16 * 1024 * 1024);
  printf ("  peak resident memory so far (VmHWM): %ld KiB\n", vm_hwm_kb ());
  report (&s, "hash join (16 MiB, spills)", PLAN_PHYS_HASH_JOIN, big, big / 10,
          16 * 1024 * 1024);
  printf ("  peak resident memory so far (VmHWM): %ld KiB\n", vm_hwm_kb ());
  for (guint size = 0; size < 2; size++)
    {
      guint64 n_probe = size == 0 ? big / 10 : big, n_build = n_probe / 10;

      report (&s, "hash join", PLAN_PHYS_HASH_JOIN, n_probe, n_build, roomy);
      report (&s, "sort-merge (in memory)", PLAN_PHYS_SORT_MERGE_JOIN, n_probe, n_build, roomy);
    }
  for (guint i = 0; i < 2; i++)
    {
      plan_phys_node_unref (s.inputs[i]);
      plan_schema_unref (s.side[i]);
    }
  return 0;
}
