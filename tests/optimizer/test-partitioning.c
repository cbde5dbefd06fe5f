/* test-partitioning.c: reuse of an existing hash partitioning (optimizer/opt-partitioning.c).
 * a (k, x): 40 rows, k = i % 7; b (k, y): 15 rows, k = i % 5, y = 10 i. Joined on k with
 * the repartition strategy (SHUFFLE_HASH), at parallelism 2, in batch mode. By hand: keys
 * 0..4 meet, each with 6 rows of a and 3 of b, so n = 18 per key, and s = 6 x the sum of
 * b.y for the key: k 0: 6 x (0 + 50 + 100) = 900, then 1080, 1260, 1440, 1620.
 * GROUP BY a.k needs no exchange of its own after the join (the join's HASH on k put every
 * row of a group in one subtask); GROUP BY b.y does, and so does a streaming aggregate. */
#include "optimizer/opt.h"
#include "runtime/gateway/gw-client.h"

#include <glib/gstdio.h>
#include <string.h>

#define JOIN_AGG "SELECT /*+ SHUFFLE_HASH(b) */ a.k, COUNT(*) AS n, SUM(b.y) AS s FROM a " \
  "JOIN b ON a.k = b.k GROUP BY a.k"

static char *dir;

static void
run (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (gw_client_execute (client, sql, &error));
  g_assert_no_error (error);
}

static GwClient *
client_new (gboolean batch)
{
  GwClient *client = gw_client_new_embedded (NULL);
  g_autoptr (GString) a = g_string_new (NULL), b = g_string_new (NULL);
  g_autofree char *apath = g_build_filename (dir, "a.csv", NULL);
  g_autofree char *bpath = g_build_filename (dir, "b.csv", NULL);
  g_autofree char *ddl_a = NULL, *ddl_b = NULL;

  for (guint i = 0; i < 40; i++)
    g_string_append_printf (a, "%u,%u\n", i % 7, i);
  for (guint i = 0; i < 15; i++)
    g_string_append_printf (b, "%u,%u\n", i % 5, i * 10);
  g_assert_true (g_file_set_contents (apath, a->str, -1, NULL));
  g_assert_true (g_file_set_contents (bpath, b->str, -1, NULL));
  ddl_a = g_strdup_printf ("CREATE TABLE a (k INT, x INT) WITH ('connector' = 'filesystem', "
                           "'path' = '%s', 'format' = 'csv')", apath);
  ddl_b = g_strdup_printf ("CREATE TABLE b (k INT, y INT) WITH ('connector' = 'filesystem', "
                           "'path' = '%s', 'format' = 'csv')", bpath);
  run (client, ddl_a);
  run (client, ddl_b);
  run (client, "SET 'parallelism.default' = '2'");
  /* the files end, so the default ('automatic') would be batch too: say which */
  run (client, batch ? "SET 'execution.runtime-mode' = 'batch'"
                     : "SET 'execution.runtime-mode' = 'streaming'");
  return client;
}

/* The plan's AGGREGATE node's input exchange. */
static PlanExchangeKind
agg_exchange (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) stmt = plan_sql_compile_one (gw_client_get_catalog (client), sql,
                                                         &error);
  g_autoptr (OptResult) opt = NULL;
  const PlanPhysPlan *plan;

  g_assert_no_error (error);
  opt = opt_optimize (stmt->plan, gw_client_get_settings (client), &error);
  g_assert_no_error (error);
  plan = opt_result_get_physical (opt);
  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *n = plan->nodes->pdata[i];

      if (n->kind == PLAN_PHYS_AGGREGATE)
        return n->inputs[0].exchange;
    }
  g_assert_not_reached ();
  return PLAN_EXCHANGE_FORWARD;
}

static gint
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
test_reused (void)
{
  static const char *const want[] = { "0,18,900", "1,18,1080", "2,18,1260", "3,18,1440",
                                      "4,18,1620" };
  g_autoptr (GwClient) client = client_new (TRUE);
  g_autoptr (GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  GwOperation *op;
  gboolean end = FALSE;

  g_assert_cmpint (agg_exchange (client, JOIN_AGG), ==, PLAN_EXCHANGE_FORWARD);
  op = gw_client_execute (client, JOIN_AGG, &error);
  g_assert_no_error (error);
  while (!end)
    {
      g_autoptr (GwPage) page = gw_operation_fetch (op, 100, -1, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < page->rows->len; i++)
        {
          const GwRow *r = page->rows->pdata[i];

          g_ptr_array_add (got, g_strdup_printf ("%d,%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT,
                                                 (int) r->values[0].v.i, r->values[1].v.i,
                                                 r->values[2].v.i));
        }
      end = page->end;
    }
  g_ptr_array_sort (got, cmp_str);
  g_assert_cmpuint (got->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < got->len; i++)
    g_assert_cmpstr (got->pdata[i], ==, want[i]);
}

static void
test_not_reused (void)
{
  g_autoptr (GwClient) batch = client_new (TRUE);
  g_autoptr (GwClient) streaming = client_new (FALSE);

  /* b.y is not the join key: its groups are spread over both subtasks */
  g_assert_cmpint (agg_exchange (batch, "SELECT /*+ SHUFFLE_HASH(b) */ b.y, COUNT(*) FROM a "
                                        "JOIN b ON a.k = b.k GROUP BY b.y"),
                   ==, PLAN_EXCHANGE_HASH);
  /* streaming: the aggregate's state goes by its own keys' key groups */
  g_assert_cmpint (agg_exchange (streaming, JOIN_AGG), ==, PLAN_EXCHANGE_HASH);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("strom-partitioning-XXXXXX", &error);
  g_assert_no_error (error);
  g_test_add_func ("/optimizer/partitioning/reused", test_reused);
  g_test_add_func ("/optimizer/partitioning/not-reused", test_not_reused);
  status = g_test_run ();
  {
    g_autofree char *a = g_build_filename (dir, "a.csv", NULL);
    g_autofree char *b = g_build_filename (dir, "b.csv", NULL);

    g_unlink (a);
    g_unlink (b);
    g_rmdir (dir);
    g_free (dir);
  }
  return status;
}
