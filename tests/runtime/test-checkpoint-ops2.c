/* test-checkpoint-ops2.c: checkpoints, restarts and rescaling of the nexmark source and
 * the interval join (issue 8).
 *
 * Each case runs a bounded query with a checkpoint every 50 ms and its first attempt
 * failed on purpose after some rows (RT_FAIL_ROWS, three restart attempts), into a
 * 'filesystem' sink, and applies the committed part files as a multiset (+I/+U add a row,
 * -U/-D remove one; plain 'csv' lines each add one). For the nexmark queries the expected
 * multiset is the same query's fault-free run (issue 8: "equals the fault-free run"), also
 * checked by hand where a total is known; for the interval join it is SQLite's answer on
 * the same CSV rows. A lost or repeated event or match makes the two differ. */
#include <sqlite3.h>

#include "ckpt-test-util.h"

typedef struct {
  char *dir;          /* owned: a fresh temporary directory */
  char *out;          /* owned: the sink's directory */
  char *chk;          /* owned: state.checkpoints.dir */
  RtMemPool *pool;    /* owned */
  guint batch_size;   /* rows per batch of the jobs; 0: the default */
  guint credits;      /* channel credits; 0: the default */
} Fixture;

typedef CkptTestFailAt FailAt;

static void
fixture_init (Fixture *f)
{
  ckpt_test_dirs_init ("strom-ckops2-XXXXXX", &f->dir, &f->out, &f->chk, &f->pool);
  f->batch_size = 0;
  f->credits = 0;
}

static void
fixture_clear (Fixture *f)
{
  ckpt_test_dirs_clear (f->dir, f->out, f->chk, f->pool);
}

static void
config_init (Fixture *f, RtJobConfig *cfg)
{
  ckpt_test_config_init (cfg, f->chk, 50000);
  if (f->batch_size > 0)
    cfg->batch_size = f->batch_size;
  if (f->credits > 0)
    cfg->channel_credits = f->credits;
}

/* Rows with multiplicity 0 (inserted, then retracted) are dropped. */
static void
multiset_prune (GHashTable *rows)
{
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init (&it, rows);
  while (g_hash_table_iter_next (&it, NULL, &value))
    if (GPOINTER_TO_INT (value) == 0)
      g_hash_table_iter_remove (&it);
}

/* Total multiplicity of a multiset (every count must be positive). */
static guint64
multiset_total (GHashTable *rows)
{
  GHashTableIter it;
  gpointer value;
  guint64 n = 0;

  g_hash_table_iter_init (&it, rows);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      g_assert_cmpint (GPOINTER_TO_INT (value), >, 0);
      n += (guint64) GPOINTER_TO_INT (value);
    }
  return n;
}

/* The committed output of a run without failures (checkpoints still on). */
static GHashTable *
run_fault_free (Fixture *f, PlanPhysPlan *plan, gboolean changelog)
{
  RtCheckpointMetrics *m;
  GHashTable *rows;
  RtJobConfig cfg;

  config_init (f, &cfg);
  m = ckpt_test_run_finished (f->pool, plan, &cfg, NULL);
  rt_checkpoint_metrics_free (m);
  rows = ckpt_test_read_output (f->out, changelog, NULL);
  multiset_prune (rows);
  ckpt_test_remove_tree (f->out);
  ckpt_test_remove_tree (f->chk);
  return rows;
}

/* Runs plan once per failure point (each with fresh output and checkpoint directories),
 * failing after a completed checkpoint for certain, and compares the committed output
 * with `want`; returns how many runs restored a checkpoint. */
static guint
run_with_failures (Fixture *f, PlanPhysPlan *plan, const FailAt *at, guint n_at,
                   gboolean changelog, GHashTable *want, const char *what)
{
  RtJobConfig cfg;

  config_init (f, &cfg);
  return ckpt_test_run_with_failures (f->pool, plan, &cfg, TRUE, f->out, at, n_at, changelog,
                                      want, what);
}

/* ---- nexmark ------------------------------------------------------------------------- *
 * 40000 events at 40000 events/s of event time: with the default proportions (1 person,
 * 3 auctions, 46 bids in every 50 events) 800 blocks hold 36800 bids. Paced in wall-clock
 * time ('rate.limited') the run takes about a second, so checkpoints fall inside it. */

#define NX_EVENTS 40000
#define NX_BIDS (NX_EVENTS / 50 * 46)

#define Q1_INSERT "INSERT INTO dst SELECT bid.auction, bid.bidder, bid.price * 908 / 100, " \
                  "bid.dateTime FROM nexmark WHERE event_type = 2"
#define COUNT_INSERT "INSERT INTO dst SELECT bid.auction, COUNT(*) FROM nexmark " \
                     "WHERE event_type = 2 GROUP BY bid.auction"

static char *
nexmark_ddl (gboolean paced, gint64 seed)
{
  return g_strdup_printf (
    "CREATE TABLE nexmark (event_type INT, bid ROW<auction BIGINT, bidder BIGINT, price "
    "BIGINT, channel VARCHAR, dateTime TIMESTAMP(3)>) WITH ('connector' = 'nexmark', "
    "'first-event.rate' = '40000', 'events.num' = '%d', 'rate.limited' = '%s', "
    "'seed' = '%" G_GINT64_FORMAT "')", NX_EVENTS, paced ? "true" : "false", seed);
}

static PlanPhysPlan *
nexmark_plan (Fixture *f, const char *insert, const char *columns, gboolean changelog,
              gboolean paced, gint64 seed, guint parallelism)
{
  g_autofree char *src = nexmark_ddl (paced, seed);
  g_autofree char *dst = g_strdup_printf ("CREATE TABLE dst (%s) WITH ('connector' = "
                                          "'filesystem', 'path' = '%s', 'format' = '%s')",
                                          columns, f->out,
                                          changelog ? "changelog-csv" : "csv");
  const char *ddl[] = { src, dst };

  return ckpt_test_compile (ddl, G_N_ELEMENTS (ddl), insert, parallelism);
}

/* The count per auction: by hand, the counts add up to the number of bids. */
static void
check_counts (GHashTable *rows)
{
  GHashTableIter it;
  gpointer key;
  guint64 total = 0;

  g_hash_table_iter_init (&it, rows);
  while (g_hash_table_iter_next (&it, &key, NULL))
    {
      const char *comma = strchr (key, ',');

      g_assert_nonnull (comma);
      total += g_ascii_strtoull (comma + 1, NULL, 10);
    }
  g_assert_cmpuint (total, ==, NX_BIDS);
}

static void
test_nexmark_q1 (void)
{
  static const FailAt at[] = { { 0, 15000 }, { -1, 9000 } };
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autoptr (GHashTable) want = NULL;
  Fixture f;

  fixture_init (&f);
  plan = nexmark_plan (&f, Q1_INSERT, "auction BIGINT, bidder BIGINT, price BIGINT, "
                       "dt TIMESTAMP(3)", FALSE, TRUE, 0, 2);
  want = run_fault_free (&f, plan, FALSE);
  g_assert_cmpuint (multiset_total (want), ==, NX_BIDS);
  g_assert_cmpuint (run_with_failures (&f, plan, at, G_N_ELEMENTS (at), FALSE, want,
                                       "nexmark q1"), >, 0);
  fixture_clear (&f);
}

static void
test_nexmark_count (void)
{
  static const FailAt at[] = { { 0, 14000 }, { -1, 12000 } };
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autoptr (GHashTable) want = NULL;
  Fixture f;

  fixture_init (&f);
  plan = nexmark_plan (&f, COUNT_INSERT, "auction BIGINT, c BIGINT", TRUE, TRUE, 0, 2);
  want = run_fault_free (&f, plan, TRUE);
  check_counts (want);
  g_assert_cmpuint (run_with_failures (&f, plan, at, G_N_ELEMENTS (at), TRUE, want,
                                       "nexmark count"), >, 0);
  fixture_clear (&f);
}

/* Runs the paced query at parallelism `from` until checkpoint 3, stops it with a
 * savepoint and returns the savepoint's directory. */
static char *
nexmark_savepoint (Fixture *f, const char *insert, const char *columns, gboolean changelog,
                   guint from)
{
  g_autoptr (PlanPhysPlan) plan = nexmark_plan (f, insert, columns, changelog, TRUE, 0, from);
  g_autofree char *sp_dir = g_build_filename (f->dir, "savepoints", NULL);
  RtJobConfig cfg;

  config_init (f, &cfg);
  cfg.fail_armed_checkpoint = 1; /* sources wait for the savepoint at their end */
  return ckpt_test_savepoint (f->pool, plan, &cfg, 3, sp_dir);
}

/* Savepoint at parallelism 2, resume at `to` (unpaced): the stopped job's committed
 * output plus the resumed one's equals the fault-free run's. */
static void
check_nexmark_rescale (const char *insert, const char *columns, gboolean changelog, guint to)
{
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autoptr (GHashTable) want = NULL;
  g_autoptr (GHashTable) got = NULL;
  g_autofree char *savepoint = NULL;
  RtJobConfig cfg;
  Fixture f;

  fixture_init (&f);
  plan = nexmark_plan (&f, insert, columns, changelog, FALSE, 0, 2);
  want = run_fault_free (&f, plan, changelog);
  savepoint = nexmark_savepoint (&f, insert, columns, changelog, 2);
  g_clear_pointer (&plan, plan_phys_plan_unref);
  plan = nexmark_plan (&f, insert, columns, changelog, FALSE, 0, to);
  config_init (&f, &cfg);
  ckpt_test_resume (f.pool, plan, &cfg, savepoint);
  got = ckpt_test_read_output (f.out, changelog, NULL);
  ckpt_test_assert_same (got, want, "nexmark rescaled");
  fixture_clear (&f);
}

static void
test_nexmark_rescale_2_to_3 (void)
{
  check_nexmark_rescale (COUNT_INSERT, "auction BIGINT, c BIGINT", TRUE, 3);
}

static void
test_nexmark_rescale_2_to_1 (void)
{
  /* one subtask gets both splits and interleaves them */
  check_nexmark_rescale (Q1_INSERT, "auction BIGINT, bidder BIGINT, price BIGINT, "
                         "dt TIMESTAMP(3)", FALSE, 1);
}

/* A savepoint of a stream with seed 0 resumed with seed 1 would continue another event
 * sequence: the restore fails and says why. */
static void
test_nexmark_options_changed (void)
{
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autofree char *savepoint = NULL;
  g_autoptr (GError) e = NULL;
  GError *error = NULL;
  RtJobConfig cfg;
  RtJob *job;
  Fixture f;

  fixture_init (&f);
  savepoint = nexmark_savepoint (&f, Q1_INSERT, "auction BIGINT, bidder BIGINT, "
                                 "price BIGINT, dt TIMESTAMP(3)", FALSE, 2);
  plan = nexmark_plan (&f, Q1_INSERT, "auction BIGINT, bidder BIGINT, price BIGINT, "
                       "dt TIMESTAMP(3)", FALSE, FALSE, 1, 2);
  config_init (&f, &cfg);
  cfg.restore_path = savepoint;
  cfg.job_id = "resumed";
  cfg.restart_attempts = 0;
  job = rt_job_new (plan, f.pool, &cfg, &error);
  g_assert_no_error (error);
  if (rt_job_start (job, &error))
    {
      g_assert_cmpint (rt_job_wait (job), ==, RT_JOB_FAILED);
      e = rt_job_dup_error (job);
    }
  else
    e = error;
  g_assert_nonnull (e);
  g_test_message ("%s", e->message);
  g_assert_nonnull (strstr (e->message, "nexmark table 'nexmark'"));
  g_assert_nonnull (strstr (e->message, "other generator options"));
  g_assert_nonnull (strstr (e->message, "cannot continue the same event sequence"));
  rt_job_free (job);
  fixture_clear (&f);
}

/* ---- the interval join ---------------------------------------------------------------- *
 * l: ids 0 .. 19999, key id % 500, time id * 10 ms; r: ids 0 .. 9999, key 7 id % 500, time
 * 20 id + 3 ms; LEFT JOIN on the key with l.ts BETWEEN r.ts - 2 s AND r.ts + 1 s. Rows of
 * one key are 5 s apart on the left, so a right row matches at most one left row, and many
 * left rows expire unmatched (NULL-filled). Each side is one file in time order read
 * behind a watermark 1 s back, so no row is late and the result is SQLite's. The job runs
 * at parallelism 1: a CSV source of several parts restored at parallelism 2 may read
 * another subtask's part after its own (its list entries are dealt round robin), out of
 * event-time order, and then rows are late and the result differs from SQLite's (so the
 * rescale case restores a parallelism-1 savepoint at 2, where each source's one part goes
 * to one subtask). Batches of 32 rows keep the run long enough for checkpoints to fall in
 * the middle. */

#define IJ_LEFT 20000
#define IJ_RIGHT 10000

/* Writes the rows of `table` to the CSV file dir/table.csv, returned, and into db. */
static char *
write_ij_csv (const char *dir, sqlite3 *db, const char *table, gint64 n, gint64 key_mul,
              gint64 step_ms, gint64 offset_ms)
{
  g_autofree char *name = g_strdup_printf ("%s.csv", table);
  char *path = g_build_filename (dir, name, NULL);
  GString *text = g_string_new ("id,k,ts\n");
  g_autofree char *sql = g_strdup_printf ("INSERT INTO %s VALUES (?, ?, ?)", table);
  sqlite3_stmt *ins = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &ins, NULL), ==, SQLITE_OK);
  for (gint64 id = 0; id < n; id++)
    {
      gint64 ms = id * step_ms + offset_ms, k = id * key_mul % 500;

      g_string_append_printf (text, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                              ",2024-01-01 %02d:%02d:%02d.%03d\n", id, k,
                              (int) (ms / 3600000), (int) (ms / 60000 % 60),
                              (int) (ms / 1000 % 60), (int) (ms % 1000));
      sqlite3_bind_int64 (ins, 1, id);
      sqlite3_bind_int64 (ins, 2, k);
      sqlite3_bind_int64 (ins, 3, ms);
      g_assert_cmpint (sqlite3_step (ins), ==, SQLITE_DONE);
      sqlite3_reset (ins);
    }
  sqlite3_finalize (ins);
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  g_string_free (text, TRUE);
  return path;
}

static char *
ij_source_ddl (const char *name, const char *path)
{
  return g_strdup_printf ("CREATE TABLE %s (id BIGINT, k BIGINT, ts TIMESTAMP(3), WATERMARK "
                          "FOR ts AS ts - INTERVAL '1' SECOND) WITH ('connector' = "
                          "'filesystem', 'path' = '%s', 'format' = 'csv', 'csv.header' = "
                          "'true')", name, path);
}

/* Writes the inputs, returns SQLite's result (checked by hand in three rows) and sets
 * *plan to the query at `parallelism`. */
static GHashTable *
ij_setup (Fixture *f, guint parallelism, PlanPhysPlan **plan)
{
  g_autofree char *lpath = NULL, *rpath = NULL, *l = NULL, *r = NULL, *dst = NULL;
  GHashTable *want;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE l (id INTEGER, k INTEGER, ts INTEGER); "
                                 "CREATE TABLE r (id INTEGER, k INTEGER, ts INTEGER); BEGIN",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  lpath = write_ij_csv (f->dir, db, "l", IJ_LEFT, 1, 10, 0);
  rpath = write_ij_csv (f->dir, db, "r", IJ_RIGHT, 7, 20, 3);
  g_assert_cmpint (sqlite3_exec (db, "COMMIT; CREATE INDEX rk ON r (k)", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  want = ckpt_test_sql_multiset (db, "SELECT l.id, r.id FROM l LEFT JOIN r ON l.k = r.k "
                                 "AND l.ts BETWEEN r.ts - 2000 AND r.ts + 1000");
  sqlite3_close (db);
  /* by hand: r 0 (key 0, 3 ms) matches l 0 (0 ms) only; r 1 (key 7, 23 ms) matches
   * l 7 (70 ms); l 1 (key 1, 10 ms) would need 7 j = 1 (mod 500), j = 143 (2863 ms): too
   * far, and the next such j is 643 (12863 ms), so l 1 is NULL-filled */
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (want, "0,0")), ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (want, "7,1")), ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (want, "1,")), ==, 1);
  l = ij_source_ddl ("l", lpath);
  r = ij_source_ddl ("r", rpath);
  dst = g_strdup_printf ("CREATE TABLE dst (lid BIGINT, rid BIGINT) WITH ('connector' = "
                         "'filesystem', 'path' = '%s', 'format' = 'csv')", f->out);
  {
    const char *ddl[] = { l, r, dst };

    *plan = ckpt_test_compile (ddl, G_N_ELEMENTS (ddl), "INSERT INTO dst SELECT l.id, r.id "
                               "FROM l LEFT JOIN r ON l.k = r.k AND l.ts BETWEEN "
                               "r.ts - INTERVAL '2' SECOND AND r.ts + INTERVAL '1' SECOND",
                               parallelism);
  }
  return want;
}

static void
test_interval_join (void)
{
  static const FailAt at[] = { { 0, 9000 }, { 1, 4000 }, { -1, 12000 } };
  g_autoptr (GHashTable) want = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  Fixture f;

  fixture_init (&f);
  f.batch_size = 32;
  want = ij_setup (&f, 1, &plan);
  g_assert_cmpuint (run_with_failures (&f, plan, at, G_N_ELEMENTS (at), FALSE, want,
                                       "interval join"), >, 0);
  fixture_clear (&f);
}

/* Savepoint at parallelism 1 (slowed by small batches and one channel credit), resume at
 * 2: the join's rows and watermark go to the subtasks owning their key groups (each
 * source's one part goes to its subtask 0, the other ends at once). */
static void
test_interval_join_rescale (void)
{
  g_autoptr (GHashTable) want = NULL;
  g_autoptr (GHashTable) got = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autoptr (PlanPhysPlan) plan2 = NULL;
  g_autofree char *sp_dir = NULL, *savepoint = NULL;
  RtJobConfig cfg;
  Fixture f;

  fixture_init (&f);
  want = ij_setup (&f, 1, &plan);
  sp_dir = g_build_filename (f.dir, "savepoints", NULL);
  f.batch_size = 8;
  f.credits = 1;
  config_init (&f, &cfg);
  cfg.fail_armed_checkpoint = 1; /* sources wait for the savepoint at their end */
  /* any completed checkpoint will do: under load fewer fit before the input ends */
  savepoint = ckpt_test_savepoint (f.pool, plan, &cfg, 1, sp_dir);

  g_hash_table_unref (ij_setup (&f, 2, &plan2)); /* the same files again */
  f.batch_size = 0;
  f.credits = 0;
  config_init (&f, &cfg);
  ckpt_test_resume (f.pool, plan2, &cfg, savepoint);
  got = ckpt_test_read_output (f.out, FALSE, NULL);
  ckpt_test_assert_same (got, want, "interval join rescaled");
  fixture_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/checkpoint-ops2/nexmark-q1", test_nexmark_q1);
  g_test_add_func ("/runtime/checkpoint-ops2/nexmark-count", test_nexmark_count);
  g_test_add_func ("/runtime/checkpoint-ops2/nexmark-rescale-2-to-3",
                   test_nexmark_rescale_2_to_3);
  g_test_add_func ("/runtime/checkpoint-ops2/nexmark-rescale-2-to-1",
                   test_nexmark_rescale_2_to_1);
  g_test_add_func ("/runtime/checkpoint-ops2/nexmark-options-changed",
                   test_nexmark_options_changed);
  g_test_add_func ("/runtime/checkpoint-ops2/interval-join", test_interval_join);
  g_test_add_func ("/runtime/checkpoint-ops2/interval-join-rescale-1-to-2",
                   test_interval_join_rescale);
  return g_test_run ();
}
