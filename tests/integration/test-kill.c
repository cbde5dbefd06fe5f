/* test-kill.c: the whole process killed with SIGKILL at random points, then the job started
 * again from its latest retained checkpoint (issue 8).
 *
 * Each run starts `strom -f job.sql` (a keyed count over 600,000 ids written as a changelog
 * to a filesystem sink, checkpoints every 100 ms), kills it at a random moment, and runs
 * `strom -f resume.sql`, which sets 'execution.savepoint.path' to the killed job's
 * checkpoint directory (its newest completed checkpoint) and runs the same INSERT to the
 * end. When no checkpoint had completed before the kill, the resumed run starts from
 * scratch: nothing can have been committed then. Worked out by hand: ids 0 .. 599,999
 * give 600 rows to each key id % 1000, so the committed changelog of both runs together,
 * applied as a multiset (+I/+U add a row, -U/-D remove one), must leave exactly the rows
 * (k, 600), each once. */
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>

#define KEYS 1000
#define ROWS 600000

static void
remove_tree (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (path, name, NULL);

      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        remove_tree (p);
      else
        g_unlink (p);
    }
  if (d != NULL)
    g_dir_close (d);
  g_rmdir (path);
}

static char *
script (const char *dir, const char *restore)
{
  g_autofree char *restore_line =
    restore != NULL ? g_strdup_printf ("SET 'execution.savepoint.path' = '%s';\n", restore)
                    : g_strdup ("");

  /* checkpoints are streaming's: src has a row count, so the default ('automatic') would
   * run batch, which takes none */
  return g_strdup_printf (
    "SET 'execution.runtime-mode' = 'streaming';\n"
    "SET 'execution.checkpointing.interval' = '100 ms';\n"
    "SET 'state.checkpoints.dir' = '%s/chk';\n"
    "SET 'parallelism.default' = '2';\n"
    "%s"
    "CREATE TABLE src (id BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '%d',"
    " 'rows-per-second' = '400000', 'fields.id.kind' = 'sequence', 'fields.id.start' = '0',"
    " 'fields.id.end' = '%d');\n"
    "CREATE TABLE dst (k BIGINT, c BIGINT) WITH ('connector' = 'filesystem',"
    " 'path' = '%s/out', 'format' = 'changelog-csv');\n"
    "INSERT INTO dst SELECT id %% 1000, COUNT(*) FROM src GROUP BY id %% 1000;\n",
    dir, restore_line, ROWS, ROWS - 1, dir);
}

static GPid
spawn_strom (const char *dir, const char *file, GError **error)
{
  const char *bin = g_getenv ("STROM_BIN");
  g_autofree char *path = g_build_filename (dir, file, NULL);
  const char *argv[] = { bin, "-f", path, NULL };
  GPid pid = 0;

  g_assert_nonnull (bin);
  g_spawn_async (NULL, (char **) argv, NULL,
                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid,
                 error);
  return pid;
}

static int
wait_child (GPid pid)
{
  int status = 0;

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  return status;
}

/* The killed job's checkpoint directory (the one directory under chk/), or NULL. */
static char *
job_dir (const char *dir)
{
  g_autofree char *chk = g_build_filename (dir, "chk", NULL);
  GDir *d = g_dir_open (chk, 0, NULL);
  const char *name;
  char *found = NULL;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (chk, name, NULL);
      GDir *inner = g_dir_open (p, 0, NULL);
      const char *leaf;
      gboolean completed = FALSE;

      /* a checkpoint counts once its metadata transaction committed */
      while (inner != NULL && (leaf = g_dir_read_name (inner)) != NULL)
        {
          g_autofree char *meta = g_build_filename (p, leaf, "_metadata", NULL);
          sqlite3 *db = NULL;
          sqlite3_stmt *st = NULL;

          if (g_file_test (meta, G_FILE_TEST_EXISTS)
              && sqlite3_open_v2 (meta, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK
              && sqlite3_prepare_v2 (db, "SELECT id FROM checkpoint", -1, &st, NULL) == SQLITE_OK
              && sqlite3_step (st) == SQLITE_ROW)
            completed = TRUE;
          sqlite3_finalize (st);
          sqlite3_close (db);
        }
      if (inner != NULL)
        g_dir_close (inner);
      if (completed)
        found = g_steal_pointer (&p);
    }
  if (d != NULL)
    g_dir_close (d);
  return found;
}

static void
assert_exact_output (const char *dir)
{
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr (GHashTable) rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GDir *d = g_dir_open (out, 0, NULL);
  const char *name;
  GHashTableIter it;
  gpointer key, value;
  guint n = 0;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (out, name, NULL);
      g_autofree char *text = NULL;
      g_auto (GStrv) lines = NULL;

      if (name[0] == '.')
        continue; /* in-progress files of the killed run: never committed */
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      lines = g_strsplit (text, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          const char *l = lines[i];
          gint m;

          if (*l == '\0')
            continue;
          g_assert_true (strlen (l) > 3 && l[2] == ',');
          m = GPOINTER_TO_INT (g_hash_table_lookup (rows, l + 3)) + (l[0] == '+' ? 1 : -1);
          g_hash_table_replace (rows, g_strdup (l + 3), GINT_TO_POINTER (m));
        }
    }
  g_dir_close (d);
  g_hash_table_iter_init (&it, rows);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      gint64 k = -1, c = -1;

      if (GPOINTER_TO_INT (value) == 0)
        continue;
      sscanf (key, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT, &k, &c);
      if (GPOINTER_TO_INT (value) != 1 || c != ROWS / KEYS || k < 0 || k >= KEYS)
        g_error ("committed output holds row (%s) %d times", (const char *) key,
                 GPOINTER_TO_INT (value));
      n++;
    }
  g_assert_cmpuint (n, ==, KEYS);
}

static void
test_kill (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20261124);
  guint restored = 0;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  const guint runs = 6; /* the sanitizer build's strom is several times slower */
#else
  const guint runs = 20;
#endif

  for (guint run = 0; run < runs; run++)
    {
      GError *error = NULL;
      g_autofree char *dir = g_dir_make_tmp ("strom-kill-XXXXXX", &error);
      g_autofree char *job = NULL, *first = NULL, *second = NULL;
      g_autofree char *p1 = NULL, *p2 = NULL;
      /* the job runs about 1.5 s; kill it somewhere in the first 1.2 s */
      gulong after_us = (gulong) g_rand_int_range (rand, 100000, 1200000);
      GPid pid;
      int status;

      g_assert_no_error (error);
      first = script (dir, NULL);
      p1 = g_build_filename (dir, "job.sql", NULL);
      g_assert_true (g_file_set_contents (p1, first, -1, NULL));
      pid = spawn_strom (dir, "job.sql", &error);
      g_assert_no_error (error);
      g_usleep (after_us); /* a random kill point, not a wait for anything */
      kill (pid, SIGKILL);
      wait_child (pid);

      job = job_dir (dir);
      restored += job != NULL;
      second = script (dir, job);
      p2 = g_build_filename (dir, "resume.sql", NULL);
      g_assert_true (g_file_set_contents (p2, second, -1, NULL));
      pid = spawn_strom (dir, "resume.sql", &error);
      g_assert_no_error (error);
      status = wait_child (pid);
      g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
      g_test_message ("run %u: killed after %lu ms, resumed from %s", run, after_us / 1000,
                      job != NULL ? job : "the start");
      assert_exact_output (dir);
      remove_tree (dir);
    }
  /* most kill points come after the first checkpoint; the check above ran either way */
  g_test_message ("%u of %u runs resumed from a checkpoint", restored, runs);
  g_assert_cmpuint (restored, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/integration/checkpoint/sigkill", test_kill);
  return g_test_run ();
}
