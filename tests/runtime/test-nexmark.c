/* test-nexmark.c: the nexmark connector (rt-source-nexmark.c), driven by hand through the
 * source harness. Expected values come from the generator's rules worked out by hand:
 * with proportions 1/3/46, event n is a person when n % 50 == 0, an auction when
 * n % 50 is 1..3, else a bid; the k-th person and auction have id 1000 + k; event n's time
 * is base + n * 1000 / rate ms. */
#include "source-harness.h"

#define NX_COLUMNS \
  "event_type INT; person.id BIGINT; person.name VARCHAR; person.emailAddress VARCHAR; " \
  "person.creditCard VARCHAR; person.city VARCHAR; person.state VARCHAR; " \
  "person.dateTime TIMESTAMP(3); person.extra VARCHAR; auction.id BIGINT; " \
  "auction.itemName VARCHAR; auction.description VARCHAR; auction.initialBid BIGINT; " \
  "auction.reserve BIGINT; auction.dateTime TIMESTAMP(3); auction.expires TIMESTAMP(3); " \
  "auction.seller BIGINT; auction.category BIGINT; auction.extra VARCHAR; " \
  "bid.auction BIGINT; bid.bidder BIGINT; bid.price BIGINT; bid.channel VARCHAR; " \
  "bid.url VARCHAR; bid.dateTime TIMESTAMP(3); bid.extra VARCHAR"

enum {
  C_TYPE, C_P_ID, C_P_NAME, C_P_EMAIL, C_P_CARD, C_P_CITY, C_P_STATE, C_P_TIME, C_P_EXTRA,
  C_A_ID, C_A_ITEM, C_A_DESC, C_A_INITIAL, C_A_RESERVE, C_A_TIME, C_A_EXPIRES, C_A_SELLER,
  C_A_CATEGORY, C_A_EXTRA, C_B_AUCTION, C_B_BIDDER, C_B_PRICE, C_B_CHANNEL, C_B_URL,
  C_B_TIME, C_B_EXTRA, C_COUNT
};

/* A nexmark table with options given as key, value, ..., NULL. */
static PlanTable *
nexmark_table (const char *first_key, ...)
{
  PlanTable *table = table_new ("nx", NX_COLUMNS);
  va_list args;

  plan_table_add_option (table, "connector", "nexmark");
  va_start (args, first_key);
  for (const char *k = first_key; k != NULL; k = va_arg (args, const char *))
    plan_table_add_option (table, k, va_arg (args, const char *));
  va_end (args);
  return table;
}

/* All rows of the table's columns cols (all when NULL) over every subtask. */
static void
generate (PlanTable *table, const guint *cols, guint n, guint parallelism, Rows *rows)
{
  g_autoptr (GError) error = NULL;

  rows_init (rows);
  for (guint s = 0; s < parallelism; s++)
    {
      PlanPhysNode *node = source_node_new (table, cols, n, NULL, parallelism);

      g_assert_true (run_source (node, s, parallelism, 256, rows, NULL, &error));
      g_assert_no_error (error);
      plan_phys_node_unref (node);
    }
}

static gint64
ival (const Rows *rows, guint r, guint c)
{
  const PlanValue *v = rows_get (rows, r, c);

  g_assert_false (v->is_null);
  return v->v.i;
}

static void
test_kinds (void)
{
  g_autoptr (PlanTable) table = nexmark_table ("events.num", "120", NULL);
  Rows rows;

  generate (table, NULL, 0, 1, &rows);
  g_assert_cmpuint (rows.n_rows, ==, 120);
  for (guint r = 0; r < 120; r++)
    {
      gint64 kind = r % 50 == 0 ? 0 : r % 50 <= 3 ? 1 : 2;

      g_assert_cmpint (ival (&rows, r, C_TYPE), ==, kind);
      /* the fields of the two other ROWs are NULL, the event's own are not */
      for (guint c = C_P_ID; c < C_COUNT; c++)
        {
          gint64 owner = c < C_A_ID ? 0 : c < C_B_AUCTION ? 1 : 2;

          g_assert_cmpint (rows_get (&rows, r, c)->is_null, ==, owner != kind);
        }
    }
  /* people 1000, 1001, 1002 at events 0, 50, 100; auctions 1000..1002 at 1..3, then 51.. */
  g_assert_cmpint (ival (&rows, 0, C_P_ID), ==, 1000);
  g_assert_cmpint (ival (&rows, 50, C_P_ID), ==, 1001);
  g_assert_cmpint (ival (&rows, 100, C_P_ID), ==, 1002);
  g_assert_cmpint (ival (&rows, 1, C_A_ID), ==, 1000);
  g_assert_cmpint (ival (&rows, 3, C_A_ID), ==, 1002);
  g_assert_cmpint (ival (&rows, 51, C_A_ID), ==, 1003);
  g_assert_cmpint (ival (&rows, 103, C_A_ID), ==, 1008);
  /* a bid at event 4 can only name auctions 1000..1002 (+ a lead of 10) and people 1000
   * (+ 10); hot auction of block 0 is 1000, hot bidder 1001 */
  for (guint r = 4; r < 50; r++)
    {
      g_assert_cmpint (ival (&rows, r, C_B_AUCTION), >=, 1000);
      g_assert_cmpint (ival (&rows, r, C_B_AUCTION), <=, 1002 + 10);
      g_assert_cmpint (ival (&rows, r, C_B_BIDDER), >=, 1000);
      g_assert_cmpint (ival (&rows, r, C_B_BIDDER), <=, 1000 + 10);
    }
  rows_clear (&rows);
}

static void
test_times (void)
{
  g_autoptr (PlanTable) table = nexmark_table ("events.num", "300", "first-event.rate", "200",
                                               "base-time", "2020-02-03 04:05:06", NULL);
  const guint cols[] = { C_TYPE, C_P_TIME, C_A_TIME, C_B_TIME, C_A_EXPIRES };
  gint64 base = 0;
  Rows rows;

  g_assert_true (plan_parse_timestamp ("2020-02-03 04:05:06", 19, &base));
  generate (table, cols, G_N_ELEMENTS (cols), 1, &rows);
  g_assert_cmpuint (rows.n_rows, ==, 300);
  for (guint r = 0; r < 300; r++)
    {
      gint64 kind = ival (&rows, r, 0);

      /* 200 events per second: 5 ms apart */
      g_assert_cmpint (ival (&rows, r, 1 + (guint) kind), ==, base + 5 * (gint64) r);
      if (kind == 1) /* expires after a length averaging 100 auctions' time (100*50/3 events) */
        {
          g_assert_cmpint (ival (&rows, r, 4), >, base + 5 * (gint64) r);
          g_assert_cmpint (ival (&rows, r, 4), <=, base + 5 * (gint64) r + 2 * 5 * 1666);
        }
    }
  rows_clear (&rows);
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static GPtrArray *
sorted_lines (const Rows *rows)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint r = 0; r < rows->n_rows; r++)
    g_ptr_array_add (out, rows_format (rows, r));
  g_ptr_array_sort (out, cmp_str);
  return out;
}

/* The same events at parallelism 1 and 3, and a projection sees the same values. */
static void
test_split_and_projection (void)
{
  g_autoptr (PlanTable) table = nexmark_table ("events.num", "1000", "seed", "7", NULL);
  const guint cols[] = { C_B_PRICE, C_TYPE, C_B_EXTRA };
  Rows one, three, proj;
  g_autoptr (GPtrArray) a = NULL, b = NULL;

  generate (table, NULL, 0, 1, &one);
  generate (table, NULL, 0, 3, &three);
  a = sorted_lines (&one);
  b = sorted_lines (&three);
  g_assert_cmpuint (a->len, ==, 1000);
  g_assert_cmpuint (b->len, ==, 1000);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (a->pdata[i], ==, b->pdata[i]);
  generate (table, cols, G_N_ELEMENTS (cols), 1, &proj);
  g_assert_cmpuint (proj.n_rows, ==, 1000);
  for (guint r = 0; r < 1000; r++)
    {
      g_autofree char *p1 = plan_value_to_string (rows_get (&one, r, C_B_PRICE), FALSE);
      g_autofree char *p2 = plan_value_to_string (rows_get (&proj, r, 0), FALSE);
      g_autofree char *e1 = plan_value_to_string (rows_get (&one, r, C_B_EXTRA), FALSE);
      g_autofree char *e2 = plan_value_to_string (rows_get (&proj, r, 2), FALSE);

      g_assert_cmpstr (p1, ==, p2);
      g_assert_cmpstr (e1, ==, e2);
    }
  rows_clear (&one);
  rows_clear (&three);
  rows_clear (&proj);
}

/* The distributions: hot auctions and bidders, categories, prices, sizes, channels. */
static void
test_distributions (void)
{
  g_autoptr (PlanTable) table = nexmark_table ("events.num", "20000", NULL);
  guint bids = 0, hot_auction = 0, hot_bidder = 0, hot_channel = 0, auctions = 0;
  Rows rows;

  generate (table, NULL, 0, 2, &rows);
  for (guint r = 0; r < rows.n_rows; r++)
    {
      gint64 kind = ival (&rows, r, C_TYPE);

      if (kind == 1)
        {
          auctions++;
          g_assert_cmpint (ival (&rows, r, C_A_CATEGORY), >=, 10);
          g_assert_cmpint (ival (&rows, r, C_A_CATEGORY), <=, 14);
          g_assert_cmpint (ival (&rows, r, C_A_INITIAL), >=, 100);
          g_assert_cmpint (ival (&rows, r, C_A_INITIAL), <=, 100000000);
          g_assert_cmpint (ival (&rows, r, C_A_RESERVE), >, ival (&rows, r, C_A_INITIAL));
          g_assert_cmpint (ival (&rows, r, C_A_SELLER), >=, 1000);
        }
      else if (kind == 2)
        {
          const char *channel = rows_get (&rows, r, C_B_CHANNEL)->v.s;
          const char *url = rows_get (&rows, r, C_B_URL)->v.s;
          gsize extra = strlen (rows_get (&rows, r, C_B_EXTRA)->v.s);

          bids++;
          hot_auction += (ival (&rows, r, C_B_AUCTION) - 1000) % 100 == 0;
          hot_bidder += (ival (&rows, r, C_B_BIDDER) - 1000) % 100 == 1;
          hot_channel += strncmp (channel, "channel-", 8) != 0;
          g_assert_true (g_str_has_prefix (url, "https://www.nexmark.com/"));
          g_assert_cmpint (strncmp (channel, "channel-", 8) == 0, ==,
                           strstr (url, "&channel_id=") != NULL);
          /* 100 bytes on average minus 32 of numbers: 68 +- 14 */
          g_assert_cmpuint (extra, >=, 54);
          g_assert_cmpuint (extra, <, 82);
          g_assert_cmpint (ival (&rows, r, C_B_PRICE), >=, 100);
        }
    }
  g_assert_cmpuint (auctions, ==, 20000 / 50 * 3);
  g_assert_cmpuint (bids, ==, 20000 / 50 * 46);
  /* hot with probability 1/2 (auctions), 3/4 (bidders), 1/2 (channels), plus the few
   * random picks that land on a hot id */
  g_assert_cmpfloat ((double) hot_auction / bids, >, 0.47);
  g_assert_cmpfloat ((double) hot_auction / bids, <, 0.58);
  g_assert_cmpfloat ((double) hot_bidder / bids, >, 0.72);
  g_assert_cmpfloat ((double) hot_bidder / bids, <, 0.80);
  g_assert_cmpfloat ((double) hot_channel / bids, >, 0.47);
  g_assert_cmpfloat ((double) hot_channel / bids, <, 0.53);
  rows_clear (&rows);
}

static void
expect_failure (PlanTable *table, const char *needle)
{
  g_autoptr (GError) error = NULL;
  PlanPhysNode *node = source_node_new (table, NULL, 0, NULL, 1);
  RtOperator *op = rt_source_new (node, 0, 1, &error);

  g_assert_null (op);
  g_assert_error (error, RT_ERROR, RT_ERROR_CONNECTOR);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, needle));
  plan_phys_node_unref (node);
}

static void
test_options (void)
{
  g_autoptr (PlanTable) a = nexmark_table ("events.num", "-1", NULL);
  g_autoptr (PlanTable) b = nexmark_table ("bid.proportions", "3", NULL);
  g_autoptr (PlanTable) c = nexmark_table ("person.proportion", "0", NULL);
  g_autoptr (PlanTable) d = table_new ("nx", "event_type INT; person.age BIGINT");
  g_autoptr (PlanTable) e = table_new ("nx", "event_type BIGINT");
  g_autoptr (PlanTable) f = nexmark_table ("bid.avg-size", "lots", NULL);

  plan_table_add_option (d, "connector", "nexmark");
  plan_table_add_option (e, "connector", "nexmark");
  expect_failure (a, "'events.num'");
  expect_failure (b, "'bid.proportions'");
  expect_failure (c, "'person.proportion'");
  expect_failure (d, "person.age");
  expect_failure (e, "event_type");
  expect_failure (f, "'bid.avg-size'");
}

/* 'rate.limited' paces in wall-clock time: at 200 events/s a batch is due every 50 ms
 * (a twentieth of a second's events), so the first call must wait, and say until when. */
static void
test_rate_limited (void)
{
  g_autoptr (PlanTable) table = nexmark_table ("events.num", "100", "first-event.rate", "200",
                                               "rate.limited", "true", NULL);
  g_autoptr (GError) error = NULL;
  PlanPhysNode *node = source_node_new (table, NULL, 0, NULL, 1);
  RtMemPool *pool = rt_mem_pool_new (8 * 1024 * 1024);
  RtOpContext ctx = { .pool = pool, .parallelism = 1, .batch_size = 256 };
  RtOperator *op = rt_source_new (node, 0, 1, &error);
  gint64 before = g_get_monotonic_time ();

  g_assert_no_error (error);
  op->ctx = &ctx;
  g_assert_cmpint (op->klass->produce (op, &error), ==, RT_WAIT);
  g_assert_cmpint (ctx.wake_at_us, >, before);
  g_assert_cmpint (ctx.wake_at_us, <=, g_get_monotonic_time () + 60000);
  g_assert_cmpuint (op->rows_in, ==, 0);
  rt_operator_free (op);
  rt_mem_pool_free (pool);
  plan_phys_node_unref (node);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/nexmark/kinds", test_kinds);
  g_test_add_func ("/runtime/nexmark/times", test_times);
  g_test_add_func ("/runtime/nexmark/split-and-projection", test_split_and_projection);
  g_test_add_func ("/runtime/nexmark/distributions", test_distributions);
  g_test_add_func ("/runtime/nexmark/options", test_options);
  g_test_add_func ("/runtime/nexmark/rate-limited", test_rate_limited);
  return g_test_run ();
}
