/* bench-expr.c: rows per second of a compiled expression program (rt-expr.c) on one core:
 * WHERE x > c with three BIGINT arithmetic projections (x + 1, x * 3, x - y), over
 * 1024-row batches, at a few selectivities, and the same query in an in-memory SQLite
 * on the same data for a ratio. Target: well over 100M input rows/s. */
#include "runtime/engine/rt-operator.h"

#include <sqlite3.h>
#include <stdio.h>

#define BATCH 1024
#define N_BATCHES 64

static PlanExpr *
col (guint i)
{
  PlanSpan span = { 0, 0, 1, 1 };

  return plan_expr_column (i, plan_type_make (PLAN_TYPE_BIGINT, FALSE), span);
}

static PlanExpr *
lit (gint64 v)
{
  PlanSpan span = { 0, 0, 1, 1 };
  PlanValue pv = { 0 };

  pv.type = plan_type_make (PLAN_TYPE_BIGINT, FALSE);
  pv.v.i = v;
  return plan_expr_literal (&pv, span);
}

static PlanExpr *
op2 (PlanFunc f, PlanTypeKind kind, PlanExpr *a, PlanExpr *b)
{
  PlanSpan span = { 0, 0, 1, 1 };
  PlanExpr *args[2] = { a, b };

  return plan_expr_call (f, plan_type_make (kind, FALSE), 2, args, span);
}

/* Runs the program over the batches for about a second; returns input rows/s. */
static double
measure (RtProgram *p, RtBatch **batches, PlanSchema *out_schema, guint64 *kept)
{
  GError *error = NULL;
  guint64 rows = 0;
  gint64 start = g_get_monotonic_time (), now;

  *kept = 0;
  do
    {
      for (guint r = 0; r < 256; r++)
        {
          RtBatch *in = batches[r % N_BATCHES];
          RtBatch *out = rt_program_run (p, in, out_schema, &error);

          g_assert_no_error (error);
          rows += in->n_rows;
          *kept += out->n_rows;
          rt_batch_unref (out);
        }
      now = g_get_monotonic_time ();
    }
  while (now - start < G_USEC_PER_SEC);
  return (double) rows / ((double) (now - start) / 1e6);
}

/* The same query in SQLite over the same rows: input rows/s. */
static double
measure_sqlite (RtBatch **batches, gint64 c)
{
  sqlite3 *db;
  sqlite3_stmt *ins, *q;
  guint64 rows = 0;
  gint64 start, now;

  sqlite3_open (":memory:", &db);
  sqlite3_exec (db, "CREATE TABLE t (x INTEGER, y INTEGER); BEGIN", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO t VALUES (?, ?)", -1, &ins, NULL);
  for (guint b = 0; b < N_BATCHES; b++)
    for (guint r = 0; r < batches[b]->n_rows; r++)
      {
        sqlite3_bind_int64 (ins, 1, RT_VEC (batches[b], 0, gint64)[r]);
        sqlite3_bind_int64 (ins, 2, RT_VEC (batches[b], 1, gint64)[r]);
        sqlite3_step (ins);
        sqlite3_reset (ins);
      }
  sqlite3_finalize (ins);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  sqlite3_prepare_v2 (db, "SELECT x + 1, x * 3, x - y FROM t WHERE x > ?", -1, &q, NULL);
  sqlite3_bind_int64 (q, 1, c);
  start = g_get_monotonic_time ();
  do
    {
      gint64 sum = 0;

      while (sqlite3_step (q) == SQLITE_ROW)
        sum += sqlite3_column_int64 (q, 0) + sqlite3_column_int64 (q, 1)
          + sqlite3_column_int64 (q, 2);
      sqlite3_reset (q);
      rows += (guint64) N_BATCHES * BATCH;
      now = g_get_monotonic_time ();
      (void) sum;
    }
  while (now - start < G_USEC_PER_SEC);
  sqlite3_finalize (q);
  sqlite3_close (db);
  return (double) rows / ((double) (now - start) / 1e6);
}

int
main (int argc, char **argv)
{
  RtMemPool *pool = rt_mem_pool_new (256 * 1024 * 1024);
  PlanType bt = plan_type_make (PLAN_TYPE_BIGINT, FALSE);
  g_autoptr (PlanSchema) in_schema = plan_schema_new (2);
  g_autoptr (PlanSchema) out_schema = plan_schema_new (3);
  GRand *rand = g_rand_new_with_seed (42);
  RtBatch *batches[N_BATCHES];
  static const struct {
    const char *name;
    gint64 c; /* x is uniform in [0, 1000) */
  } cases[] = { { "keeps 100%", -1 }, { "keeps 50%", 499 }, { "keeps 10%", 899 },
                { "keeps 0%", 1000 } };

  plan_schema_set_field (in_schema, 0, "x", bt);
  plan_schema_set_field (in_schema, 1, "y", bt);
  plan_schema_set_field (out_schema, 0, "a", bt);
  plan_schema_set_field (out_schema, 1, "b", bt);
  plan_schema_set_field (out_schema, 2, "c", bt);
  for (guint b = 0; b < N_BATCHES; b++)
    {
      batches[b] = rt_batch_new (pool, in_schema, BATCH, NULL);
      for (guint r = 0; r < BATCH; r++)
        {
          RT_VEC (batches[b], 0, gint64)[r] = g_rand_int_range (rand, 0, 1000);
          RT_VEC (batches[b], 1, gint64)[r] = g_rand_int_range (rand, -1000000, 1000000);
        }
      batches[b]->n_rows = BATCH;
    }
  printf ("expr: WHERE x > c, SELECT x + 1, x * 3, x - y (BIGINT), %u-row batches, "
          "one core\n", BATCH);
  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      GError *error = NULL;
      PlanExpr *filter = op2 (PLAN_FUNC_GT, PLAN_TYPE_BOOLEAN, col (0), lit (cases[k].c));
      PlanExpr *exprs[3] = {
        op2 (PLAN_FUNC_ADD, PLAN_TYPE_BIGINT, col (0), lit (1)),
        op2 (PLAN_FUNC_MUL, PLAN_TYPE_BIGINT, col (0), lit (3)),
        op2 (PLAN_FUNC_SUB, PLAN_TYPE_BIGINT, col (0), col (1)),
      };
      RtProgram *p = rt_program_new (in_schema, filter, 3, exprs, &error);
      guint64 kept;
      double rate;

      g_assert_no_error (error);
      rate = measure (p, batches, out_schema, &kept);
      printf ("  %-11s %8.1f M input rows/s", cases[k].name, rate / 1e6);
      if (k == 1)
        {
          double lite = measure_sqlite (batches, cases[k].c);
          printf ("   (SQLite %.1f M rows/s: %.0fx)", lite / 1e6, rate / lite);
        }
      printf ("\n");
      rt_program_free (p);
      plan_expr_unref (filter);
      for (guint i = 0; i < 3; i++)
        plan_expr_unref (exprs[i]);
    }
  for (guint b = 0; b < N_BATCHES; b++)
    rt_batch_unref (batches[b]);
  g_rand_free (rand);
  rt_mem_pool_free (pool);
  return 0;
}
