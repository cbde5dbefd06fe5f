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
  char *state_dir;    /* XDG_STATE_HOME for this run */
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

/* Waits until text appears after the mark; the mark then moves past it. */
static void
term_expect (Term *t, const char *text)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  for (;;)
    {
      const char *found = t->seen->len > t->mark ? strstr (t->seen->str + t->mark, text)
                                                : NULL;

      if (found != NULL)
        {
          t->mark = found - t->seen->str + strlen (text);
          return;
        }
      if (g_get_monotonic_time () > deadline || !term_pump (t, 50 * 1000))
        {
          g_autofree char *escaped = g_strescape (t->seen->str + t->mark, NULL);
          g_autofree char *want = g_strescape (text, NULL);

          g_error ("expected \"%s\" after: \"%s\"", want, escaped);
        }
    }
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

static void
term_start (Term *t)
{
  struct winsize size = { 40, 120, 0, 0 };
  const char *strom = g_getenv ("STROM_BIN");
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (strom);
  memset (t, 0, sizeof *t);
  t->seen = g_string_new (NULL);
  t->state_dir = g_dir_make_tmp ("strom-pty-XXXXXX", &error);
  g_assert_no_error (error);
  t->pid = forkpty (&t->master, NULL, NULL, &size);
  g_assert_cmpint (t->pid, >=, 0);
  if (t->pid == 0)
    {
      setenv ("XDG_STATE_HOME", t->state_dir, 1);
      setenv ("TERM", "dumb", 1);
      setenv ("INPUTRC", "/dev/null", 1);
      execl (strom, strom, (char *) NULL);
      _exit (127);
    }
  term_expect (t, "[1]> ");
}

/* Types \q, waits for strom to exit and checks its status. */
static void
term_finish (Term *t)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;
  int status = 0;
  pid_t done = 0;
  g_autofree char *history = g_build_filename (t->state_dir, "strom", "history", NULL);
  g_autofree char *history_dir = g_path_get_dirname (history);

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
  g_unlink (history);
  g_rmdir (history_dir);
  g_rmdir (t->state_dir);
  g_free (t->state_dir);
  g_string_free (t->seen, TRUE);
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

static void
test_ctrl_c (void)
{
  Term t;

  term_start (&t);
  term_send (&t, "CREATE TABLE endless (id BIGINT) WITH ('connector' = 'datagen', "
             "'rows-per-second' = '100');\r");
  term_expect (&t, "[2]> ");
  term_send (&t, "SELECT id FROM endless;\r");
  term_expect (&t, "rows read"); /* the progress line: the query is running */
  term_send (&t, "\003");
  term_expect (&t, "Cancelled.");
  term_expect (&t, "[3]> ");
  /* the session goes on */
  term_send (&t, "SELECT 7 AS x;\r");
  term_expect (&t, "| 7 |");
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
  term_expect (&t, "format = csv\r\ntiming = off\r\n");
  term_finish (&t);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/repl/transcript/multi-line", test_multi_line);
  g_test_add_func ("/repl/transcript/complete-table", test_complete_table);
  g_test_add_func ("/repl/transcript/ctrl-c", test_ctrl_c);
  g_test_add_func ("/repl/transcript/format-csv", test_format_csv);
  return g_test_run ();
}
