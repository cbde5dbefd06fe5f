/* test-transcript.c: the real `strom` binary driven through a pseudo-terminal, as a user
 * at a keyboard would: typing, Tab, Enter and Ctrl-C.
 *
 * Each test starts strom on a fresh pty (forkpty) with its own history directory, types
 * into the master side and polls the output for the text it expects, with a deadline;
 * nothing waits a fixed time. The terminal turns "\n" into "\r\n", so the expected
 * texts say "\r\n". Expected outputs are worked out by hand from repl/README.md. */
#include <glib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEADLINE_US (20 * G_USEC_PER_SEC)

typedef struct {
  int master;
  pid_t pid;
  GString *seen;      /* everything strom wrote */
  gsize mark;         /* expectations search from here */
  char *dir;          /* owned by the test: XDG_STATE_HOME, or HOME with home_only */
} Term;

/* Reads what is there (waiting up to wait_us); FALSE at EOF. */
static gboolean
term_pump (Term *t, gint64 wait_us)
{
  struct timeval tv = { wait_us / G_USEC_PER_SEC, wait_us % G_USEC_PER_SEC };
  fd_set fds;
  char buf[4096];
  ssize_t n;

  FD_ZERO (&fds);
  FD_SET (t->master, &fds);
  if (select (t->master + 1, &fds, NULL, NULL, &tv) <= 0)
    return TRUE;
  n = read (t->master, buf, sizeof buf);
  if (n <= 0)
    return FALSE;
  g_string_append_len (t->seen, buf, n);
  return TRUE;
}

/* Where text appears after the mark, waiting up to the deadline; NULL when it does not. */
static const char *
term_find (Term *t, const char *text, gint64 wait_us)
{
  gint64 deadline = g_get_monotonic_time () + wait_us;

  for (;;)
    {
      const char *found = t->seen->len > t->mark ? strstr (t->seen->str + t->mark, text)
                                                : NULL;

      if (found != NULL)
        return found;
      if (g_get_monotonic_time () > deadline || !term_pump (t, 50 * 1000))
        return NULL;
    }
}

/* Waits until text appears after the mark; the mark then moves past it. */
static void
term_expect (Term *t, const char *text)
{
  const char *found = term_find (t, text, DEADLINE_US);

  if (found == NULL)
    {
      g_autofree char *escaped = g_strescape (t->seen->str + t->mark, NULL);
      g_autofree char *want = g_strescape (text, NULL);

      g_error ("expected \"%s\" after: \"%s\"", want, escaped);
    }
  t->mark = found - t->seen->str + strlen (text);
}

/* The text between the mark and the next appearance of until (which must come); the
 * mark moves past until. */
static char *
term_text_until (Term *t, const char *until)
{
  gsize from = t->mark;

  term_expect (t, until);
  return g_strndup (t->seen->str + from, t->mark - strlen (until) - from);
}

static void
term_send (Term *t, const char *text)
{
  gsize len = strlen (text);

  while (len > 0)
    {
      ssize_t n = write (t->master, text, len);

      g_assert_cmpint (n, >, 0);
      text += n;
      len -= n;
    }
}

/* Starts strom on a pty (40 x 120) in dir: XDG_STATE_HOME=dir, or with home_only
 * HOME=dir and no XDG_STATE_HOME. env: more NAME=VALUE pairs, or NULL. */
static void
term_spawn (Term *t, const char *dir, gboolean home_only, const char *const *env)
{
  struct winsize size = { 40, 120, 0, 0 };
  const char *strom = g_getenv ("STROM_BIN");

  g_assert_nonnull (strom);
  memset (t, 0, sizeof *t);
  t->seen = g_string_new (NULL);
  t->dir = g_strdup (dir);
  t->pid = forkpty (&t->master, NULL, NULL, &size);
  g_assert_cmpint (t->pid, >=, 0);
  if (t->pid == 0)
    {
      if (home_only)
        {
          setenv ("HOME", dir, 1);
          unsetenv ("XDG_STATE_HOME");
        }
      else
        setenv ("XDG_STATE_HOME", dir, 1);
      setenv ("TERM", "dumb", 1);
      setenv ("INPUTRC", "/dev/null", 1);
      unsetenv ("PAGER");
      for (guint i = 0; env != NULL && env[i] != NULL; i++)
        putenv ((char *) env[i]);
      execl (strom, strom, (char *) NULL);
      _exit (127);
    }
  term_expect (t, "[1]> ");
}

static char *
make_dir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("strom-pty-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

/* Removes dir and everything in it. */
static void
remove_tree (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

static void
term_start (Term *t)
{
  g_autofree char *dir = make_dir ();

  term_spawn (t, dir, FALSE, NULL);
}

/* Types \q, waits for strom to exit and checks its status; keeps the directory. */
static void
term_quit (Term *t)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  int status = 0;
  pid_t done = 0;

  term_send (t, "\\q\r");
  while (done == 0 && g_get_monotonic_time () < deadline)
    {
      term_pump (t, 50 * 1000); /* keep the pty drained so strom never blocks */
      done = waitpid (t->pid, &status, WNOHANG);
    }
  if (done == 0)
    {
      kill (t->pid, SIGKILL);
      waitpid (t->pid, &status, 0);
      g_error ("strom did not exit after \\q");
    }
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  close (t->master);
  g_string_free (t->seen, TRUE);
}

/* term_quit, then the directory goes too. */
static void
term_finish (Term *t)
{
  term_quit (t);
  remove_tree (t->dir);
  g_free (t->dir);
}

/* CREATE TABLE for share/examples/data/orders.csv, with the source root's path. */
static char *
orders_ddl (void)
{
  const char *root = g_getenv ("STROM_SOURCE_ROOT");

  g_assert_nonnull (root);
  return g_strdup_printf ("CREATE TABLE orders (order_id INT, customer VARCHAR, amount "
                          "DECIMAL(10, 2), qty INT, ordered_at TIMESTAMP(3), status VARCHAR) "
                          "WITH ('connector' = 'filesystem', 'path' = "
                          "'%s/share/examples/data/orders.csv', 'format' = 'csv', "
                          "'csv.header' = 'true');\r", root);
}

static void
test_multi_line (void)
{
  Term t;

  term_start (&t);
  term_send (&t, "SELECT 1 +\r");
  term_expect (&t, "...> ");
  term_send (&t, "2 AS n;\r");
  /* INT 3 under header n: one column of width 1 */
  term_expect (&t, "+---+\r\n| n |\r\n+---+\r\n| 3 |\r\n+---+\r\n1 row in set\r\n");
  term_expect (&t, "[2]> ");
  term_finish (&t);
}

static void
test_complete_table (void)
{
  Term t;

  term_start (&t);
  term_send (&t, "CREATE TABLE clicks_raw (id INT) WITH ('connector' = 'datagen');\r");
  term_expect (&t, "Table 'clicks_raw' created.");
  term_expect (&t, "[2]> ");
  /* "cli" matches no keyword, so Tab completes the table name and adds a blank */
  term_send (&t, "SELECT id FROM cli\t");
  term_expect (&t, "clicks_raw ");
  term_send (&t, "LIMIT 0;\r");
  /* an empty result is its header box and the count (repl/README.md) */
  term_expect (&t, "+----+\r\n| id |\r\n+----+\r\n0 rows in set\r\n");
  term_expect (&t, "[3]> ");
  term_finish (&t);
}

/* An unbounded query on a terminal shows the live table (the default in streaming mode);
 * Ctrl-C cancels it, leaves the last frame and gives the prompt back. */
static void
test_ctrl_c (void)
{
  Term t;

  term_start (&t);
  term_send (&t, "CREATE TABLE endless (id BIGINT) WITH ('connector' = 'datagen', "
             "'rows-per-second' = '100');\r");
  term_expect (&t, "[2]> ");
  term_send (&t, "SELECT id FROM endless;\r");
  term_expect (&t, "|                   id |"); /* BIGINT: right-aligned header */
  term_expect (&t, "; Ctrl-C stops");           /* the status line: it runs */
  term_send (&t, "\003");
  term_expect (&t, "; cancelled\033[K\r\n");
  term_expect (&t, "Cancelled.");
  term_expect (&t, "[3]> ");
  /* the session goes on */
  term_send (&t, "SELECT 7 AS x;\r");
  term_expect (&t, "| 7 |");
  term_finish (&t);
}

/* A second Ctrl-C at an empty prompt says how to leave. */
static void
test_ctrl_c_hint (void)
{
  Term t;

  term_start (&t);
  term_send (&t, "\003");
  term_expect (&t, "^C\r\n[1]> ");
  term_send (&t, "\003");
  term_expect (&t, "(Ctrl-C cancels a statement; to quit, type \\q or press Ctrl-D.)\r\n");
  term_expect (&t, "[1]> ");
  term_finish (&t);
}

static void
test_format_csv (void)
{
  Term t;

  term_start (&t);
  term_send (&t, "\\set format csv\r");
  term_send (&t, "SELECT 1 AS a, 'x,y' AS b;\r");
  term_expect (&t, "a,b\r\n1,\"x,y\"\r\n");
  term_expect (&t, "[2]> ");
  term_send (&t, "\\set\r");
  term_expect (&t, "format = csv\r\ntiming = off\r\npager = on\r\n");
  term_finish (&t);
}

/* changelog: each row as it arrives, while the query still runs. */
static void
test_changelog_streamed (void)
{
  Term t;

  term_start (&t);
  term_send (&t, "\\set format changelog\r");
  term_send (&t, "SET 'parallelism.default' = '1';\r"); /* one task: the rows in order */
  term_send (&t, "CREATE TABLE slow (id BIGINT) WITH ('connector' = 'datagen', "
             "'rows-per-second' = '10', 'fields.id.kind' = 'sequence', "
             "'fields.id.start' = '1', 'fields.id.end' = '1000');\r");
  term_expect (&t, "[3]> ");
  term_send (&t, "SELECT id FROM slow;\r");
  /* op is 2 wide, BIGINT 20; 1000 rows at 10/s: rows 1 and 2 come long before the end */
  term_expect (&t, "+----+----------------------+\r\n"
               "| op |                   id |\r\n"
               "+----+----------------------+\r\n"
               "| +I |                    1 |\r\n");
  term_expect (&t, "| +I |                    2 |\r\n");
  g_assert_null (strstr (t.seen->str, "Received a total"));
  term_send (&t, "\003");
  term_expect (&t, "Received a total of ");
  term_expect (&t, "Cancelled.");
  term_expect (&t, "[4]> ");
  term_finish (&t);
}

/* The changelog of a GROUP BY over orders.csv (one task, so in file order): status
 * shipped for orders 1 3 5 8 9 11, pending 2 7 10, cancelled 4, '' 6, 'on "hold"' 12. */
static void
test_changelog_group_by (void)
{
  g_autofree char *ddl = orders_ddl ();
  Term t;

  term_start (&t);
  /* the changelog is streaming's: over a file the default ('automatic') runs batch */
  term_send (&t, "SET 'execution.runtime-mode' = 'streaming';\r");
  term_send (&t, "SET 'parallelism.default' = '1';\r");
  term_send (&t, ddl);
  term_expect (&t, "Table 'orders' created.");
  term_send (&t, "\\set format changelog\r");
  term_send (&t, "SELECT status, COUNT(*) AS n FROM orders GROUP BY status;\r");
#define ROW(op, status, n) "| " op " | " status " | " n " |\r\n"
  term_expect (&t,
    "+----+--------------------------------+----------------------+\r\n"
    "| op | status                         |                    n |\r\n"
    "+----+--------------------------------+----------------------+\r\n"
    ROW ("+I", "shipped                       ", "                   1")
    ROW ("+I", "pending                       ", "                   1")
    ROW ("-U", "shipped                       ", "                   1")
    ROW ("+U", "shipped                       ", "                   2")
    ROW ("+I", "cancelled                     ", "                   1")
    ROW ("-U", "shipped                       ", "                   2")
    ROW ("+U", "shipped                       ", "                   3")
    ROW ("+I", "                              ", "                   1")
    ROW ("-U", "pending                       ", "                   1")
    ROW ("+U", "pending                       ", "                   2")
    ROW ("-U", "shipped                       ", "                   3")
    ROW ("+U", "shipped                       ", "                   4")
    ROW ("-U", "shipped                       ", "                   4")
    ROW ("+U", "shipped                       ", "                   5")
    ROW ("-U", "pending                       ", "                   2")
    ROW ("+U", "pending                       ", "                   3")
    ROW ("-U", "shipped                       ", "                   5")
    ROW ("+U", "shipped                       ", "                   6")
    ROW ("+I", "on \"hold\"                     ", "                   1")
    "+----+--------------------------------+----------------------+\r\n"
    "Received a total of 19 rows\r\n");
#undef ROW
  term_expect (&t, "[5]> ");
  term_finish (&t);
}

/* live, the default: a bounded GROUP BY ends as the materialized table, an updated group
 * staying in its place; an unbounded one is redrawn in place with its status line. */
static void
test_live_group_by (void)
{
  g_autofree char *ddl = orders_ddl ();
  Term t;

  term_start (&t);
  term_send (&t, "SET 'execution.runtime-mode' = 'streaming';\r");
  term_send (&t, "SET 'parallelism.default' = '1';\r");
  term_send (&t, ddl);
  term_expect (&t, "Table 'orders' created.");
  term_send (&t, "SELECT status, COUNT(*) AS n FROM orders GROUP BY status;\r");
  term_expect (&t, "+-----------+---+\r\n"
               "| status    | n |\r\n"
               "+-----------+---+\r\n"
               "| shipped   | 6 |\r\n"
               "| pending   | 3 |\r\n"
               "| cancelled | 1 |\r\n"
               "|           | 1 |\r\n"
               "| on \"hold\" | 1 |\r\n"
               "+-----------+---+\r\n"
               "5 rows in set\r\n");
  term_expect (&t, "[5]> ");
  /* one group, counted up 20 times a second */
  term_send (&t, "CREATE TABLE ticks (k INT) WITH ('connector' = 'datagen', "
             "'rows-per-second' = '20', 'fields.k.min' = '1', 'fields.k.max' = '1');\r");
  term_expect (&t, "[6]> ");
  term_send (&t, "SELECT k, COUNT(*) AS n FROM ticks GROUP BY k;\r");
  term_expect (&t, "| k |");
  term_expect (&t, "\033[K\r\n| 1 |");            /* a frame with the group */
  term_expect (&t, "1 row, ");
  term_expect (&t, "watermark -, ");
  /* the next frame goes back up its 6 lines: borders, header, the row and the status */
  term_expect (&t, "\r\033[6A+---+");
  term_expect (&t, "| 1 |");
  term_send (&t, "\003");
  term_expect (&t, "; cancelled\033[K\r\n");
  term_expect (&t, "Cancelled.");
  term_expect (&t, "[7]> ");
  term_finish (&t);
}

/* With event time the status line shows the job's watermark: epoch ms as a UTC
 * timestamp (the datagen's times are around now, so it starts with "20"). */
static void
test_live_watermark (void)
{
  Term t;

  term_start (&t);
  term_send (&t, "CREATE TABLE ev (k INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - "
             "INTERVAL '5' SECOND) WITH ('connector' = 'datagen', 'rows-per-second' = '20', "
             "'fields.k.min' = '1', 'fields.k.max' = '1');\r");
  term_expect (&t, "Table 'ev' created.");
  /* ts stays in the query: with it pruned away the engine makes no watermark (yet) */
  term_send (&t, "SELECT k, COUNT(*) AS n, MAX(ts) AS latest FROM ev GROUP BY k;\r");
  term_expect (&t, ", watermark 20");
  term_send (&t, "\003");
  term_expect (&t, "Cancelled.");
  term_expect (&t, "[3]> ");
  term_finish (&t);
}

/* \job shows each operator's watermark and late rows. The window_late golden script's
 * settings make the run repeatable (one-row batches, a watermark after each): dave
 * (10:00:09) comes after carol (10:00:12) has fired [10:00:00, 10:00:10), so the window
 * aggregate drops exactly one row; at the end the final watermark has reached it. */
static void
test_job_watermark (void)
{
  const char *root = g_getenv ("STROM_SOURCE_ROOT");
  g_autofree char *ddl = NULL, *ops = NULL;
  g_auto (GStrv) lines = NULL;
  gboolean seen = FALSE;
  Term t;

  g_assert_nonnull (root);
  ddl = g_strdup_printf ("CREATE TABLE bids (auction INT, bidder VARCHAR, price DECIMAL(10, 2), "
                         "ts TIMESTAMP(3), WATERMARK FOR ts AS ts) WITH ('connector' = "
                         "'filesystem', 'path' = '%s/tests/integration/golden/bids.csv', "
                         "'format' = 'csv', 'csv.header' = 'true');\r", root);
  term_start (&t);
  /* late rows are streaming's: over a file the default ('automatic') runs batch */
  term_send (&t, "SET 'execution.runtime-mode' = 'streaming';\r");
  term_expect (&t, "[2]> ");
  term_send (&t, "SET 'parallelism.default' = '1';\r");
  term_expect (&t, "[3]> ");
  term_send (&t, "SET 'execution.batch-size' = '1';\r");
  term_expect (&t, "[4]> ");
  term_send (&t, "SET 'pipeline.auto-watermark-interval' = '0';\r");
  term_expect (&t, "[5]> ");
  term_send (&t, ddl);
  term_expect (&t, "Table 'bids' created.");
  term_send (&t, "SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE bids, "
             "DESCRIPTOR(ts), INTERVAL '10' SECOND)) GROUP BY window_start, window_end;\r");
  term_expect (&t, "4 rows in set");
  term_send (&t, "\\job 1\r");
  term_expect (&t, "watermark");
  ops = term_text_until (&t, "busy, idle and backpressured");
  lines = g_strsplit (ops, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "WindowAggregate") != NULL)
      {
        g_strchomp (lines[i]);
        g_assert_true (g_str_has_suffix (lines[i], "end of input                 1"));
        seen = TRUE;
      }
  g_assert_true (seen);
  term_finish (&t);
}

/* A table taller than the terminal (40 rows) goes through $PAGER; \set pager off prints
 * it. The pager here is a shell command that keeps what it is given. */
static void
test_pager (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *paged = g_build_filename (dir, "paged.txt", NULL);
  g_autofree char *pager = g_strdup_printf ("PAGER=cat > '%s'", paged);
  const char *env[] = { pager, NULL };
  g_autoptr (GString) want = g_string_new ("+----+\n|  n |\n+----+\n");
  g_autofree char *text = NULL;
  g_autofree char *between = NULL;
  Term t;

  for (guint i = 1; i <= 50; i++)
    g_string_append_printf (want, "| %2u |\n", i);
  g_string_append (want, "+----+\n50 rows in set\n");
  term_spawn (&t, dir, FALSE, env);
  /* one task, so the sequence arrives in order */
  term_send (&t, "SET 'parallelism.default' = '1';\r");
  term_send (&t, "CREATE TABLE fifty (n INT) WITH ('connector' = 'datagen', "
             "'number-of-rows' = '50', 'fields.n.kind' = 'sequence', 'fields.n.start' = '1', "
             "'fields.n.end' = '50');\r");
  term_expect (&t, "[3]> ");
  term_send (&t, "SELECT n FROM fifty;\r");
  between = term_text_until (&t, "[4]> ");
  g_assert_null (strstr (between, "rows in set")); /* the pager had it, not the terminal */
  g_assert_true (g_file_get_contents (paged, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, want->str);
  term_send (&t, "SELECT n FROM fifty WHERE n <= 3;\r"); /* short: no pager */
  term_expect (&t, "| 3 |\r\n+---+\r\n3 rows in set\r\n"); /* n and 1..3: 1 wide */
  term_send (&t, "\\set pager off\r");
  term_send (&t, "SELECT n FROM fifty;\r");
  term_expect (&t, "| 50 |\r\n+----+\r\n50 rows in set\r\n");
  term_finish (&t);
}

/* History is kept in $HOME/.local/state/strom/history when XDG_STATE_HOME is not set,
 * and the next run finds it (Ctrl-P: the previous entry). */
static void
test_history (void)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *file = g_build_filename (dir, ".local", "state", "strom", "history", NULL);
  g_autofree char *text = NULL;
  Term t;

  term_spawn (&t, dir, TRUE, NULL);
  term_send (&t, "SELECT 41\r");
  term_send (&t, "  AS h;\r");
  term_expect (&t, "| 41 |");
  term_expect (&t, "[2]> ");
  term_quit (&t);
  g_free (t.dir);
  /* the two lines are one entry, the newline stored as \x01 */
  g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "SELECT 41\001  AS h;\n");
  term_spawn (&t, dir, TRUE, NULL);
  term_send (&t, "\020");
  term_expect (&t, "SELECT 41^J  AS h;"); /* readline shows a control character as ^X */
  term_send (&t, "\r");
  term_expect (&t, "| 41 |");
  term_finish (&t);
}

/* \edit N: the edited text replaces the cell and runs as a new run of it. The editor is a
 * command that changes the file in place. */
static void
test_edit (void)
{
  g_autofree char *dir = make_dir ();
  const char *env[] = { "EDITOR=sed -i s/41/42/", NULL };
  Term t;

  term_spawn (&t, dir, FALSE, env);
  term_send (&t, "SELECT 41 AS x;\r");
  term_expect (&t, "| 41 |");
  term_expect (&t, "[2]> ");
  term_send (&t, "\\edit 1\r");
  term_expect (&t, "[1]> SELECT 42 AS x;\r\n");
  term_expect (&t, "| 42 |");
  term_send (&t, "\\cells\r");
  term_expect (&t, "[1] ok        SELECT 42 AS x;\r\n");
  term_send (&t, "\\edit 3\r");
  term_expect (&t, "\\edit: give a cell number from 1 to 1 (\\cells lists them)");
  term_finish (&t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/repl/transcript/multi-line", test_multi_line);
  g_test_add_func ("/repl/transcript/complete-table", test_complete_table);
  g_test_add_func ("/repl/transcript/ctrl-c", test_ctrl_c);
  g_test_add_func ("/repl/transcript/ctrl-c-hint", test_ctrl_c_hint);
  g_test_add_func ("/repl/transcript/format-csv", test_format_csv);
  g_test_add_func ("/repl/transcript/changelog-streamed", test_changelog_streamed);
  g_test_add_func ("/repl/transcript/changelog-group-by", test_changelog_group_by);
  g_test_add_func ("/repl/transcript/live-group-by", test_live_group_by);
  g_test_add_func ("/repl/transcript/live-watermark", test_live_watermark);
  g_test_add_func ("/repl/transcript/job-watermark", test_job_watermark);
  g_test_add_func ("/repl/transcript/pager", test_pager);
  g_test_add_func ("/repl/transcript/history", test_history);
  g_test_add_func ("/repl/transcript/edit", test_edit);
  return g_test_run ();
}
