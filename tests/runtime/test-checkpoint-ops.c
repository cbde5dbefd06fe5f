/* test-checkpoint-ops.c: checkpoints, restarts and rescaling of the streaming operators
 * other than the group aggregate (issue 8): the regular join, the streaming Top-N, LIMIT,
 * VALUES, the filesystem CSV source, ROW_NUMBER Top-N and UNION ALL.
 *
 * Each case runs a query over datagen sequences or CSV files written here, with a
 * checkpoint every 50 ms and its first attempt failed on purpose after some rows
 * (RT_FAIL_ROWS, three restart attempts), into a 'filesystem' sink. The committed part
 * files (hidden in-progress files are not output) are applied as a multiset: +I/+U add a
 * row, -U/-D remove one; with plain 'csv' every line adds one. What is left must equal the
 * expected table, which SQLite computes from the same data with the same query (the
 * datagen sequences and the CSV rows are loaded into an in-memory database). A row lost,
 * repeated, or a retraction whose row was never committed makes the two differ. */
#include <sqlite3.h>

#include "ckpt-test-util.h"

typedef struct {
  char *dir;          /* owned: a fresh temporary directory */
  char *out;          /* owned: the sink's directory */
  char *chk;          /* owned: state.checkpoints.dir */
  RtMemPool *pool;    /* owned */
  sqlite3 *db;        /* owned: the reference data */
  guint batch_size;   /* rows per batch of the jobs; 0: the default */
} Fixture;

static void
fixture_init (Fixture *f)
{
  ckpt_test_dirs_init ("strom-ckops-XXXXXX", &f->dir, &f->out, &f->chk, &f->pool);
  f->batch_size = 0;
  g_assert_cmpint (sqlite3_open (":memory:", &f->db), ==, SQLITE_OK);
}

static void
fixture_clear (Fixture *f)
{
  ckpt_test_dirs_clear (f->dir, f->out, f->chk, f->pool);
  sqlite3_close (f->db);
}

/* Runs SQL on the reference database. */
static void
sql_exec (Fixture *f, const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec (f->db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("sqlite: %s in %s", msg, sql);
}

/* A reference table `name` (id INTEGER) holding the sequence 0 .. n-1, like a datagen
 * 'sequence' column. */
static void
sql_sequence (Fixture *f, const char *name, gint64 n)
{
  g_autofree char *sql = g_strdup_printf (
    "CREATE TABLE %s (id INTEGER); WITH RECURSIVE s(x) AS (SELECT 0 UNION ALL SELECT x + 1 "
    "FROM s WHERE x < %" G_GINT64_FORMAT ") INSERT INTO %s SELECT x FROM s", name, n - 1, name);

  sql_exec (f, sql);
}

/* The rows of a reference query as a multiset of CSV lines: line -> count. */
static GHashTable *
sql_multiset (Fixture *f, const char *sql)
{
  return ckpt_test_sql_multiset (f->db, sql);
}

/* DDL of a datagen table `name` (id BIGINT) with the sequence 0 .. n-1 at `rate` rows/s. */
static char *
datagen_ddl (const char *name, gint64 n, gint64 rate)
{
  return g_strdup_printf ("CREATE TABLE %s (id BIGINT) WITH ('connector' = 'datagen', "
                          "'number-of-rows' = '%" G_GINT64_FORMAT "', 'rows-per-second' = '%"
                          G_GINT64_FORMAT "', 'fields.id.kind' = 'sequence', "
                          "'fields.id.start' = '0', 'fields.id.end' = '%" G_GINT64_FORMAT "')",
                          name, n, rate, n - 1);
}

/* DDL of the filesystem sink `dst` with the given columns. */
static char *
sink_ddl (Fixture *f, const char *columns, gboolean changelog)
{
  return g_strdup_printf ("CREATE TABLE dst (%s) WITH ('connector' = 'filesystem', 'path' = "
                          "'%s', 'format' = '%s')", columns, f->out,
                          changelog ? "changelog-csv" : "csv");
}

static void
config_init (Fixture *f, RtJobConfig *cfg)
{
  ckpt_test_config_init (cfg, f->chk, 50000);
  if (f->batch_size > 0)
    cfg->batch_size = f->batch_size;
}

typedef CkptTestFailAt FailAt;

/* Failures wait for a completed checkpoint (and sources for the failure at their end),
 * so every run restores from one however loaded the machine is; not where a task ends
 * at once (VALUES), after which no checkpoint can complete. */
static gboolean arm_failures = TRUE;

/* Runs plan once per failure point (each a fresh output and checkpoint directory) and
 * compares the committed output with `want`. Returns how many runs restored a checkpoint
 * (rather than restarting from scratch because none had completed yet). */
static guint
run_with_failures (Fixture *f, PlanPhysPlan *plan, const FailAt *at, guint n_at,
                   gboolean changelog, GHashTable *want, const char *what)
{
  RtJobConfig cfg;

  config_init (f, &cfg);
  return ckpt_test_run_with_failures (f->pool, plan, &cfg, arm_failures, f->out, at, n_at,
                                      changelog, want, what);
}

/* ---- the regular join --------------------------------------------------------------- *
 * l: ids 0 .. 19999, join key id % 5000 (every key four times); r: ids 0 .. 9999, key
 * 9998 - 2 * id. FULL JOIN: an even left key k < 5000 matches the right row (9998 - k) / 2,
 * odd ones none (NULL-filled, four times), right rows with keys outside 0 .. 4999 (ids
 * 0 .. 2499 and 5000 .. 9999) none. Each datagen subtask reads a half of its sequence at
 * the same pace, so a key's left rows come in two pairs half a run apart and the right
 * keys fall as the left ones rise: NULL-filled rows on both sides are emitted and then
 * retracted when their first match comes, and for keys above 2500 the right row arrives
 * between the two pairs, so a restore in between must bring back its match count. */

#define JOIN_INSERT "INSERT INTO dst SELECT a.k, b.id FROM (SELECT id % 5000 AS k FROM l) " \
                    "AS a FULL JOIN (SELECT id, 9998 - 2 * id AS rk FROM r) AS b " \
                    "ON a.k = b.rk"

static PlanPhysPlan *
join_plan (Fixture *f, guint parallelism, gint64 rate)
{
  g_autofree char *l = datagen_ddl ("l", 20000, rate);
  g_autofree char *r = datagen_ddl ("r", 10000, rate / 2);
  g_autofree char *dst = sink_ddl (f, "k BIGINT, rid BIGINT", TRUE);
  const char *ddl[] = { l, r, dst };

  return ckpt_test_compile (ddl, G_N_ELEMENTS (ddl), JOIN_INSERT, parallelism);
}

static GHashTable *
join_expected (Fixture *f)
{
  sql_sequence (f, "l", 20000);
  sql_sequence (f, "r", 10000);
  /* the join inputs as indexed tables, so SQLite's join is not a nested loop */
  sql_exec (f, "CREATE TABLE a AS SELECT id % 5000 AS k FROM l; CREATE INDEX ak ON a (k); "
            "CREATE TABLE b AS SELECT id, 9998 - 2 * id AS rk FROM r; "
            "CREATE INDEX brk ON b (rk)");
  /* FULL JOIN as LEFT JOIN plus the right rows without a match (SQLite < 3.39 has none) */
  return sql_multiset (f, "SELECT a.k, b.id FROM a LEFT JOIN b ON a.k = b.rk UNION ALL "
                       "SELECT NULL, b.id FROM b WHERE NOT EXISTS (SELECT 1 FROM a "
                       "WHERE a.k = b.rk)");
}

static void
test_join (void)
{
  static const FailAt at[] = { { -1, 13000 }, { 0, 6000 }, { -2, 11000 } };
  g_autoptr (GHashTable) want = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  Fixture f;
  guint restored;

  fixture_init (&f);
  want = join_expected (&f);
  /* hand check of the reference: 2500 matched pairs and 2500 NULL-filled left rows (four
   * times each), 7500 NULL-filled right rows */
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (want, "4998,2500")), ==, 4);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (want, "0,4999")), ==, 4);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (want, "4999,")), ==, 4);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (want, ",2499")), ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (want, ",5000")), ==, 1);
  g_assert_cmpuint (g_hash_table_size (want), ==, 2500 + 2500 + 7500);
  plan = join_plan (&f, 2, 40000); /* about 0.5 s of input */
  restored = run_with_failures (&f, plan, at, G_N_ELEMENTS (at), TRUE, want, "join");
  g_assert_cmpuint (restored, >, 0);
  fixture_clear (&f);
}

/* Savepoint at parallelism `from`, stop, resume at `to`: the stopped job's committed
 * output plus the resumed job's is exact. */
static void
check_join_rescale (guint from, guint to)
{
  g_autoptr (GHashTable) want = NULL;
  g_autoptr (GHashTable) got = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autofree char *sp_dir = NULL, *savepoint = NULL;
  RtJobConfig cfg;
  Fixture f;

  fixture_init (&f);
  want = join_expected (&f);
  sp_dir = g_build_filename (f.dir, "savepoints", NULL);
  plan = join_plan (&f, from, 4000); /* 5 s if not stopped */
  config_init (&f, &cfg);
  cfg.fail_armed_checkpoint = 1; /* sources wait for the savepoint at their end */
  savepoint = ckpt_test_savepoint (f.pool, plan, &cfg, 3, sp_dir);

  g_clear_pointer (&plan, plan_phys_plan_unref);
  plan = join_plan (&f, to, 200000);
  config_init (&f, &cfg);
  ckpt_test_resume (f.pool, plan, &cfg, savepoint);
  got = ckpt_test_read_output (f.out, TRUE, NULL);
  ckpt_test_assert_same (got, want, "join rescaled");
  fixture_clear (&f);
}

static void
test_join_rescale_2_to_3 (void)
{
  check_join_rescale (2, 3);
}

static void
test_join_rescale_2_to_1 (void)
{
  check_join_rescale (2, 1);
}

/* ---- the streaming Top-N ------------------------------------------------------------- */

/* Insert-only input: the five largest of (id * 7919) % 10007 over ids 0 .. 9999 (7919 is
 * prime to 10007, so the values are distinct and the top five is well defined). */
static void
test_topn (void)
{
  static const FailAt at[] = { { 0, 3000 }, { -1, 5 } };
  g_autofree char *src = datagen_ddl ("src", 10000, 20000);
  g_autofree char *dst = NULL;
  g_autoptr (GHashTable) want = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  Fixture f;
  guint restored;

  fixture_init (&f);
  dst = sink_ddl (&f, "id BIGINT, v BIGINT", TRUE);
  {
    const char *ddl[] = { src, dst };

    plan = ckpt_test_compile (ddl, 2,
                              "INSERT INTO dst SELECT id, v FROM (SELECT id, (id * 7919) % 10007 "
                              "AS v FROM src) ORDER BY v DESC LIMIT 5", 2);
  }
  sql_sequence (&f, "src", 10000);
  want = sql_multiset (&f, "SELECT id, v FROM (SELECT id, (id * 7919) % 10007 AS v FROM src) "
                       "ORDER BY v DESC LIMIT 5");
  g_assert_cmpuint (g_hash_table_size (want), ==, 5);
  restored = run_with_failures (&f, plan, at, G_N_ELEMENTS (at), TRUE, want, "top-n");
  g_assert_cmpuint (restored, >, 0);
  fixture_clear (&f);
}

/* Updating input (Top-N over a GROUP BY): ids 0 .. 10049 counted per id % 100 gives 101
 * for keys 0 .. 49 and 100 for the others, so the top three by count, then key
 * descending, are (49, 101), (48, 101), (47, 101). */
static void
test_topn_updating (void)
{
  static const FailAt at[] = { { 0, 4000 }, { -1, 300 } };
  g_autofree char *src = datagen_ddl ("src", 10050, 20000);
  g_autofree char *dst = NULL;
  g_autoptr (GHashTable) want = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  Fixture f;
  guint restored;

  fixture_init (&f);
  dst = sink_ddl (&f, "k BIGINT, c BIGINT", TRUE);
  {
    const char *ddl[] = { src, dst };

    plan = ckpt_test_compile (ddl, 2,
                              "INSERT INTO dst SELECT k, c FROM (SELECT id % 100 AS k, COUNT(*) "
                              "AS c FROM src GROUP BY id % 100) ORDER BY c DESC, k DESC "
                              "LIMIT 3", 2);
  }
  sql_sequence (&f, "src", 10050);
  want = sql_multiset (&f, "SELECT k, c FROM (SELECT id % 100 AS k, COUNT(*) AS c FROM src "
                       "GROUP BY id % 100) ORDER BY c DESC, k DESC LIMIT 3");
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (want, "49,101")), ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (want, "47,101")), ==, 1);
  restored = run_with_failures (&f, plan, at, G_N_ELEMENTS (at), TRUE, want, "top-n updating");
  g_assert_cmpuint (restored, >, 0);
  fixture_clear (&f);
}

/* ---- LIMIT and VALUES ---------------------------------------------------------------- */

/* One subtask reads the sequence in order, so LIMIT 800 OFFSET 100 passes ids
 * 100 .. 899, each once, whatever the failure. */
static void
test_limit (void)
{
  static const FailAt at[] = { { -1, 300 }, { 0, 550 } };
  g_autofree char *src = datagen_ddl ("src", 100000, 2000);
  g_autofree char *dst = NULL;
  g_autoptr (GHashTable) want = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  Fixture f;
  guint restored;

  fixture_init (&f);
  dst = sink_ddl (&f, "id BIGINT", FALSE);
  {
    const char *ddl[] = { src, dst };

    plan = ckpt_test_compile (ddl, 2, "INSERT INTO dst SELECT id FROM src LIMIT 800 OFFSET 100", 1);
  }
  sql_sequence (&f, "src", 1000);
  want = sql_multiset (&f, "SELECT id FROM src WHERE id BETWEEN 100 AND 899");
  g_assert_cmpuint (g_hash_table_size (want), ==, 800);
  restored = run_with_failures (&f, plan, at, G_N_ELEMENTS (at), FALSE, want, "limit");
  g_assert_cmpuint (restored, >, 0);
  fixture_clear (&f);
}

/* VALUES beside a datagen sequence (UNION ALL): VALUES is stateless, the job is accepted
 * and its rows are committed once. */
static void
test_values_union (void)
{
  static const FailAt at[] = { { -1, 1000 } };
  g_autofree char *src = datagen_ddl ("src", 3000, 20000);
  g_autofree char *dst = NULL;
  g_autoptr (GHashTable) want = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  Fixture f;

  fixture_init (&f);
  dst = sink_ddl (&f, "id BIGINT", FALSE);
  {
    const char *ddl[] = { src, dst };

    plan = ckpt_test_compile (ddl, 2, "INSERT INTO dst SELECT id FROM src UNION ALL "
                    "SELECT * FROM (VALUES (CAST(-1 AS BIGINT)), (CAST(-2 AS BIGINT)))", 2);
  }
  sql_sequence (&f, "src", 3000);
  want = sql_multiset (&f, "SELECT id FROM src UNION ALL VALUES (-1), (-2)");
  g_assert_cmpuint (g_hash_table_size (want), ==, 3002);
  arm_failures = FALSE;
  run_with_failures (&f, plan, at, G_N_ELEMENTS (at), FALSE, want, "values");
  arm_failures = TRUE;
  fixture_clear (&f);
}

/* ---- the filesystem CSV source --------------------------------------------------------- *
 * A directory with a large file (split in two byte ranges at parallelism 2) and a small
 * one, each with a header and some bad records that 'csv.ignore-parse-errors' skips. The
 * rows also go into the reference database; the bad ones are counted by hand. */

#define CSV_BIG 150000

/* Writes one file: header, rows [from, to) with a bad record before every 997th id;
 * returns the number of bad records. */
static guint
write_csv (Fixture *f, sqlite3_stmt *ins, const char *path, gint64 from, gint64 to)
{
  GString *text = g_string_new ("id,name,v\n");
  guint bad = 0;

  for (gint64 id = from; id < to; id++)
    {
      if (id % 997 == 0)
        {
          g_string_append_printf (text, "%" G_GINT64_FORMAT "x,bad,1\n", id);
          bad++;
        }
      g_string_append_printf (text, "%" G_GINT64_FORMAT ",n%d,%" G_GINT64_FORMAT "\n", id,
                              (int) (id % 7), id * 3);
      sqlite3_bind_int64 (ins, 1, id);
      sqlite3_bind_int64 (ins, 2, id * 3);
      g_assert_cmpint (sqlite3_step (ins), ==, SQLITE_DONE);
      sqlite3_reset (ins);
    }
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  g_string_free (text, TRUE);
  return bad;
}

static void
test_csv (void)
{
  static const FailAt at[] = { { 0, 40000 }, { 1, 30000 }, { 1, 45000 } };
  g_autofree char *dir = NULL, *big = NULL, *small = NULL, *src = NULL, *dst = NULL;
  g_autoptr (GHashTable) want = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  sqlite3_stmt *ins = NULL;
  guint bad, n_tasks, restored = 0;
  Fixture f;

  fixture_init (&f);
  f.batch_size = 4; /* many small batches: checkpoints fall in the middle of the files */
  dir = g_build_filename (f.dir, "in", NULL);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  big = g_build_filename (dir, "a.csv", NULL);
  small = g_build_filename (dir, "b.csv", NULL);
  sql_exec (&f, "CREATE TABLE src (id INTEGER, v INTEGER); BEGIN");
  g_assert_cmpint (sqlite3_prepare_v2 (f.db, "INSERT INTO src VALUES (?, ?)", -1, &ins, NULL),
                   ==, SQLITE_OK);
  /* bad records before ids 0, 997, ..., 149550 (151 of them), and 150547 */
  bad = write_csv (&f, ins, big, 0, CSV_BIG);
  bad += write_csv (&f, ins, small, CSV_BIG, CSV_BIG + 1000);
  g_assert_cmpuint (bad, ==, 151 + 1);
  sqlite3_finalize (ins);
  sql_exec (&f, "COMMIT");
  src = g_strdup_printf ("CREATE TABLE src (id BIGINT, name VARCHAR, v BIGINT) WITH ("
                         "'connector' = 'filesystem', 'path' = '%s', 'format' = 'csv', "
                         "'csv.header' = 'true', 'csv.ignore-parse-errors' = 'true')", dir);
  /* a keyed sum behind the HASH exchange (channels of one credit, small batches), so the
   * readers run at the aggregate's pace and checkpoints fall in the middle of the files */
  dst = sink_ddl (&f, "k BIGINT, c BIGINT, s BIGINT", TRUE);
  {
    const char *ddl[] = { src, dst };

    plan = ckpt_test_compile (ddl, 2, "INSERT INTO dst SELECT id % 1000, COUNT(*), SUM(v) FROM src "
                    "WHERE id % 3 <> 1 GROUP BY id % 1000", 2);
  }
  want = sql_multiset (&f, "SELECT id % 1000, COUNT(*), SUM(v) FROM src WHERE id % 3 <> 1 "
                       "GROUP BY id % 1000");
  /* by hand: ids 0 .. 150999 with id % 3 <> 1; key 2 gets ids 2, 1002, ..., 150002 (151
   * ids; 2 + 1000 j is excluded when j % 3 = 2, 50 of them), so 101 rows; their ids add
   * up to 151 * 2 + 1000 * 11325 - (50 * 2002 + 3000 * 1225) = 7550202, and v = 3 id */
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (want, "2,101,22650606")), ==, 1);
  g_assert_cmpuint (g_hash_table_size (want), ==, 1000);
  n_tasks = ckpt_test_count_tasks (f.pool, plan);
  for (guint i = 0; i < G_N_ELEMENTS (at); i++)
    {
      g_autoptr (GHashTable) got = NULL;
      RtCheckpointMetrics *m;
      RtJobMetrics *jm = NULL;
      guint64 dropped = 0;
      RtJobConfig cfg;

      config_init (&f, &cfg);
      cfg.channel_credits = 1;
      cfg.fail_point = RT_FAIL_ROWS;
      cfg.fail_task = at[i].task >= 0 ? (guint) at[i].task : n_tasks - (guint) -at[i].task;
      cfg.fail_after_rows = at[i].rows;
      cfg.fail_armed_checkpoint = arm_failures; /* after a completed checkpoint */
      m = ckpt_test_run_finished (f.pool, plan, &cfg, &jm);
      g_test_message ("csv: fail task %u after %" G_GUINT64_FORMAT " rows: %u restarts, %"
                      G_GUINT64_FORMAT " checkpoints, restored %s", cfg.fail_task,
                      cfg.fail_after_rows, m->n_restarts, m->n_completed,
                      m->restored_from != NULL ? m->restored_from : "nothing");
      g_assert_cmpuint (m->n_restarts, ==, 1);
      restored += m->restored_from != NULL;
      got = ckpt_test_read_output (f.out, TRUE, NULL);
      ckpt_test_assert_same (got, want, "csv");
      /* the bad-record counter is exact too: restored, then counted on */
      for (guint o = 0; o < jm->n_ops; o++)
        dropped += jm->ops[o].rows_dropped;
      g_assert_cmpuint (dropped, ==, bad);
      rt_job_metrics_free (jm);
      rt_checkpoint_metrics_free (m);
      ckpt_test_remove_tree (f.out);
      ckpt_test_remove_tree (f.chk);
    }
  /* the read is fast; still, some run must have restored a checkpoint mid-file */
  g_assert_cmpuint (restored, >, 0);
  fixture_clear (&f);
}

/* ---- ROW_NUMBER Top-N and UNION ALL ---------------------------------------------------- */

/* The two largest ids per id % 100 of two sequences put together with UNION ALL
 * (a: 0 .. 5999, b: 0 .. 2999, so ids below 3000 come twice): for k the rows are
 * (k, 5900 + k, 1) and (k, 5800 + k, 2). */
static void
test_rank_union (void)
{
  static const FailAt at[] = { { -1, 4000 }, { 0, 2500 } };
  g_autofree char *a = datagen_ddl ("a", 6000, 12000);
  g_autofree char *b = datagen_ddl ("b", 3000, 6000);
  g_autofree char *dst = NULL;
  g_autoptr (GHashTable) want = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  Fixture f;
  guint restored;

  fixture_init (&f);
  dst = sink_ddl (&f, "k BIGINT, id BIGINT, rn BIGINT", TRUE);
  {
    const char *ddl[] = { a, b, dst };

    plan = ckpt_test_compile (ddl, 3, "INSERT INTO dst SELECT k, id, rn FROM (SELECT k, id, "
                    "ROW_NUMBER() OVER (PARTITION BY k ORDER BY id DESC) AS rn FROM (SELECT "
                    "id % 100 AS k, id FROM (SELECT id FROM a UNION ALL SELECT id FROM b))) "
                    "WHERE rn <= 2", 2);
  }
  sql_sequence (&f, "a", 6000);
  sql_sequence (&f, "b", 3000);
  want = sql_multiset (&f, "SELECT id % 100, MAX(id), 1 FROM (SELECT id FROM a UNION ALL "
                       "SELECT id FROM b) GROUP BY id % 100 UNION ALL SELECT id % 100, "
                       "MAX(id) - 100, 2 FROM a GROUP BY id % 100");
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (want, "7,5907,1")), ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (want, "7,5807,2")), ==, 1);
  g_assert_cmpuint (g_hash_table_size (want), ==, 200);
  restored = run_with_failures (&f, plan, at, G_N_ELEMENTS (at), TRUE, want, "rank");
  g_assert_cmpuint (restored, >, 0);
  fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/checkpoint-ops/join", test_join);
  g_test_add_func ("/runtime/checkpoint-ops/join-rescale-2-to-3", test_join_rescale_2_to_3);
  g_test_add_func ("/runtime/checkpoint-ops/join-rescale-2-to-1", test_join_rescale_2_to_1);
  g_test_add_func ("/runtime/checkpoint-ops/top-n", test_topn);
  g_test_add_func ("/runtime/checkpoint-ops/top-n-updating", test_topn_updating);
  g_test_add_func ("/runtime/checkpoint-ops/limit", test_limit);
  g_test_add_func ("/runtime/checkpoint-ops/values-union", test_values_union);
  g_test_add_func ("/runtime/checkpoint-ops/csv", test_csv);
  g_test_add_func ("/runtime/checkpoint-ops/rank-union", test_rank_union);
  return g_test_run ();
}
