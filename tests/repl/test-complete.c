/* test-complete.c: Tab completion candidates, through repl_complete (no readline).
 *
 * One embedded session with two tables and a view; each case gives the text typed so far
 * with the cursor at its end, and the candidates expected, worked out by hand from the
 * catalog below and plan_sql_keywords. */
#include "repl/repl.h"

#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  GwClient *client;
} Fixture;

static void
run (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (gw_client_execute (client, sql, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->client = gw_client_new_embedded (&error);
  g_assert_no_error (error);
  run (f->client, "CREATE TABLE bid (auction BIGINT, price DOUBLE, bidder VARCHAR) "
       "WITH ('connector' = 'datagen')");
  run (f->client, "CREATE TABLE bank (id INT) WITH ('connector' = 'datagen')");
  run (f->client, "CREATE VIEW pricey AS SELECT auction, price FROM bid WHERE price > 10");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  gw_client_free (f->client);
}

/* Completes text at its end and compares the candidates with expected (NULL-ended). */
static void
check (Fixture *f, const char *text, gsize start, const char *const *expected)
{
  g_autoptr (ReplCompletion) c = repl_complete (f->client, text, strlen (text));
  g_autofree char *got = g_strjoinv ("|", c->candidates);
  g_autofree char *want = g_strjoinv ("|", (char **) expected);

  g_assert_cmpstr (got, ==, want);
  g_assert_cmpuint (c->start, ==, start);
}

#define CHECK(f, text, start, ...) \
  G_STMT_START { \
    static const char *const want_[] = { __VA_ARGS__ }; \
    check (f, text, start, want_); \
  } G_STMT_END

static void
test_keywords (Fixture *f, gconstpointer data)
{
  CHECK (f, "SEL", 0, "SELECT", NULL);
  CHECK (f, "sel", 0, "select", NULL);
  CHECK (f, "SELECT UPP", 7, "UPPER", NULL);
  CHECK (f, "select subs", 7, "substr", "substring", NULL);
}

static void
test_tables (Fixture *f, gconstpointer data)
{
  /* the view, and the keyword PRIMARY in the case typed */
  CHECK (f, "SELECT pri", 7, "pricey", "primary", NULL);
  /* after FROM, JOIN, INTO, DESCRIBE: tables and views only (not BETWEEN, BIGINT, ...) */
  CHECK (f, "SELECT * FROM b", 14, "bank", "bid", NULL);
  CHECK (f, "INSERT INTO ba", 12, "bank", NULL);
  CHECK (f, "\\explain SELECT * FROM pri", 23, "pricey", NULL);
  CHECK (f, "select *\nfrom ", 14, "bank", "bid", "pricey", NULL);
}

static void
test_columns (Fixture *f, gconstpointer data)
{
  CHECK (f, "SELECT bid.pr", 7, "bid.price", NULL);
  CHECK (f, "SELECT bid.", 7, "bid.auction", "bid.bidder", "bid.price", NULL);
  CHECK (f, "SELECT pricey.", 7, "pricey.auction", "pricey.price", NULL);
  /* after FROM only relations, though bid's column bidder starts with "bid" too */
  CHECK (f, "SELECT bidd FROM bid", 17, "bid", NULL);
  /* elsewhere the columns of the relations the statement names */
  CHECK (f, "SELECT * FROM bid WHERE bidd", 24, "bidder", NULL);
}

static void
test_columns_mid_statement (Fixture *f, gconstpointer data)
{
  const char *text = "SELECT bidd FROM bid";
  g_autoptr (ReplCompletion) c = repl_complete (f->client, text, strlen ("SELECT bidd"));

  g_assert_cmpuint (c->start, ==, 7);
  g_assert_cmpuint (g_strv_length (c->candidates), ==, 1);
  g_assert_cmpstr (c->candidates[0], ==, "bidder");
}

static void
test_aliases (Fixture *f, gconstpointer data)
{
  const char *text = "SELECT b.a FROM bid b";
  g_autoptr (ReplCompletion) c = repl_complete (f->client, text, strlen ("SELECT b.a"));

  g_assert_cmpuint (c->start, ==, 7);
  g_assert_cmpuint (g_strv_length (c->candidates), ==, 1);
  g_assert_cmpstr (c->candidates[0], ==, "b.auction");
  repl_completion_free (g_steal_pointer (&c));
  c = repl_complete (f->client, "SELECT x.pr FROM bid AS x", strlen ("SELECT x.pr"));
  g_assert_cmpstr (c->candidates[0], ==, "x.price");
  g_assert_null (c->candidates[1]);
}

static void
test_multi_line (Fixture *f, gconstpointer data)
{
  /* PRECISION and PRIMARY are keywords, pricey a view; price is a column of bid, which
   * line 2 names */
  CHECK (f, "SELECT price\nFROM bid\nWHERE pr", 28, "precision", "price", "pricey", "primary",
         NULL);
}

static void
test_settings (Fixture *f, gconstpointer data)
{
  g_autoptr (ReplCompletion) c = repl_complete (f->client, "SET 'pipeline.b", 15);

  g_assert_cmpuint (c->start, ==, 5);
  g_assert_cmpstr (c->candidates[0], ==, "pipeline.buffer-timeout");
  g_assert_null (c->candidates[1]);
  g_assert_cmpint (c->append, ==, '\'');
  CHECK (f, "set 'par", 5, "parallelism.default", NULL);
  /* a literal elsewhere completes to nothing */
  CHECK (f, "SELECT 'ab", 8, NULL);
}

static void
test_meta (Fixture *f, gconstpointer data)
{
  CHECK (f, "\\jo", 0, "\\job", "\\jobs", NULL);
  CHECK (f, "\\ca", 0, "\\cancel", NULL);
  CHECK (f, "\\set f", 5, "format", NULL);
  CHECK (f, "\\set format c", 12, "changelog", "csv", NULL);
  CHECK (f, "\\unset t", 7, "timing", NULL);
  CHECK (f, "\\set format l", 12, "live", NULL);
  CHECK (f, "\\set p", 5, "pager", NULL);
}

static void
test_paths (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strom-complete-XXXXXX", &error);
  g_autofree char *file = g_build_filename (dir, "data.csv", NULL);
  g_autofree char *sub = g_build_filename (dir, "dump", NULL);
  g_autofree char *text = NULL;
  g_autofree char *want_file = g_strconcat (dir, "/data.csv", NULL);
  g_autofree char *want_dir = g_strconcat (dir, "/dump/", NULL);
  g_autoptr (ReplCompletion) c = NULL;
  gsize start;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (file, "a\n1\n", -1, NULL));
  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  text = g_strconcat ("CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'path' = '",
                      dir, "/d", NULL);
  start = strlen (text) - strlen (dir) - 2;
  c = repl_complete (f->client, text, strlen (text));
  g_assert_cmpuint (c->start, ==, start);
  g_assert_cmpuint (g_strv_length (c->candidates), ==, 2);
  g_assert_cmpstr (c->candidates[0], ==, want_file);
  g_assert_cmpstr (c->candidates[1], ==, want_dir);
  repl_completion_free (g_steal_pointer (&c));
  g_free (text);
  text = g_strconcat ("CREATE TABLE t (a INT) WITH ('path' = '", dir, "/du", NULL);
  c = repl_complete (f->client, text, strlen (text));
  g_assert_cmpstr (c->candidates[0], ==, want_dir);
  g_assert_null (c->candidates[1]);
  g_assert_cmpint (c->append, ==, '\0'); /* a folder: typing goes on inside it */
  /* after \open, \save and \export: the same paths, unquoted */
  for (guint i = 0; i < 3; i++)
    {
      static const char *const commands[] = { "\\open ", "\\save ", "\\export " };

      repl_completion_free (g_steal_pointer (&c));
      g_free (text);
      text = g_strconcat (commands[i], dir, "/da", NULL);
      c = repl_complete (f->client, text, strlen (text));
      g_assert_cmpuint (c->start, ==, strlen (commands[i]));
      g_assert_cmpstr (c->candidates[0], ==, want_file);
      g_assert_null (c->candidates[1]);
      g_assert_cmpint (c->append, ==, ' ');
    }
  g_unlink (file);
  g_rmdir (sub);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) \
  g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/repl/complete/keywords", test_keywords);
  ADD ("/repl/complete/tables", test_tables);
  ADD ("/repl/complete/columns", test_columns);
  ADD ("/repl/complete/columns-mid-statement", test_columns_mid_statement);
  ADD ("/repl/complete/aliases", test_aliases);
  ADD ("/repl/complete/multi-line", test_multi_line);
  ADD ("/repl/complete/settings", test_settings);
  ADD ("/repl/complete/meta", test_meta);
  ADD ("/repl/complete/paths", test_paths);
  return g_test_run ();
}
