/* test-nexmark.c: the Nexmark queries of share/nexmark/ in their Flink SQL text, run on a
 * bounded event stream through the embedded gateway, and the Nexmark scalar functions.
 *
 * Queries: share/nexmark/ddl.sql (with 'events.num' lowered to keep the test quick and
 * 'first-event.rate' lowered so the events span two 10-second windows: only connector
 * options change) and each qN.sql: its blackhole INSERT must run to the end, and
 * the SELECT after `INSERT INTO nexmark_qN` runs again as a collected query whose result
 * (changelog applied) must equal SQLite's answer over the same events. The events reach
 * SQLite by reading the nexmark table back through strom field by field (no query logic
 * involved), into a table with one column per ROW field and views person / auction / bid
 * like the Nexmark ones; SQLite's versions of the queries differ only where the dialects
 * do: MOD, DECIMAL as scaled integers, integer AVG, DATE_FORMAT as strftime, window TVFs
 * as arithmetic on the milliseconds, REGEXP_EXTRACT and SPLIT_INDEX as instr/substr over
 * the shape of the generator's URLs, session windows as gaps and islands. Runs at
 * parallelism 1 and 2.
 *
 * Functions: expected values worked out by hand, NULLs included. */
#include "runtime/gateway/gw-client.h"

#include <glib/gstdio.h> /* added by partitioned sinks */
#include <sqlite3.h>
#include <string.h>

#define EVENTS "12000"
/* 1000 events per second: 12 s of event time, so the 10-second windows fire twice */
#define RATE "1000"

static gint
cmp_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* A value as text: NULL, 'string', integers (DECIMAL scaled, TIMESTAMP in ms). */
static char *
value_text (const PlanValue *v)
{
  if (v->is_null)
    return g_strdup ("NULL");
  if (v->type.kind == PLAN_TYPE_VARCHAR)
    return g_strdup_printf ("'%s'", v->v.s);
  if (v->type.kind == PLAN_TYPE_DOUBLE)
    return g_strdup_printf ("%.6f", v->v.d);
  return g_strdup_printf ("%" G_GINT64_FORMAT, v->v.i);
}

static char *
row_text (const GwRow *row)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < row->n_values; i++)
    {
      g_autofree char *t = value_text (&row->values[i]);
      g_string_append_printf (s, "%s%s", i ? "|" : "", t);
    }
  return g_string_free (s, FALSE);
}

static GwOperation *
run_ok (GwClient *client, const char *sql)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = gw_client_execute (client, sql, &error);

  g_assert_no_error (error);
  g_assert_nonnull (op);
  return op;
}

/* The final rows of a query (changelog applied), sorted; raw (nullable) gets every row. */
static GPtrArray *
strom_rows (GwClient *client, const char *sql, GPtrArray *raw)
{
  g_autoptr (GError) error = NULL;
  GwOperation *op = run_ok (client, sql);
  g_autoptr (GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter it;
  gpointer key, value;
  gboolean end = FALSE;

  while (!end)
    {
      g_autoptr (GwPage) page = gw_operation_fetch (op, 4096, -1, &error);

      g_assert_no_error (error);
      end = page->end;
      for (guint i = 0; i < page->rows->len; i++)
        {
          GwRow *row = page->rows->pdata[i];
          char *text = row_text (row);
          gint64 n = GPOINTER_TO_SIZE (g_hash_table_lookup (counts, text));
          gboolean add = row->kind == RT_ROW_INSERT || row->kind == RT_ROW_UPDATE_AFTER;

          g_assert_true (add || n > 0);
          g_hash_table_replace (counts, text, GSIZE_TO_POINTER ((gsize) (n + (add ? 1 : -1))));
          if (raw != NULL)
            g_ptr_array_add (raw, g_steal_pointer (&page->rows->pdata[i]));
        }
    }
  g_hash_table_iter_init (&it, counts);
  while (g_hash_table_iter_next (&it, &key, &value))
    for (gsize k = 0; k < GPOINTER_TO_SIZE (value); k++)
      g_ptr_array_add (out, g_strdup (key));
  g_ptr_array_sort (out, cmp_strings);
  return out;
}

static GPtrArray *
sqlite_rows (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *st = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  int rc;

  if (sqlite3_prepare_v2 (db, sql, -1, &st, NULL) != SQLITE_OK)
    g_error ("sqlite: %s in %s", sqlite3_errmsg (db), sql);
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      GString *s = g_string_new (NULL);

      for (int c = 0; c < sqlite3_column_count (st); c++)
        {
          int type = sqlite3_column_type (st, c);

          g_string_append (s, c ? "|" : "");
          if (type == SQLITE_NULL)
            g_string_append (s, "NULL");
          else if (type == SQLITE_TEXT)
            g_string_append_printf (s, "'%s'", sqlite3_column_text (st, c));
          else if (type == SQLITE_FLOAT)
            g_string_append_printf (s, "%.6f", sqlite3_column_double (st, c));
          else
            g_string_append_printf (s, "%lld", (long long) sqlite3_column_int64 (st, c));
        }
      g_ptr_array_add (out, g_string_free (s, FALSE));
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (st);
  g_ptr_array_sort (out, cmp_strings);
  return out;
}

/* The statements of a script file, split at ';' ending a line (the files have no ';' in
 * strings); comment-only pieces are dropped. */
static char **
read_statements (const char *name, gboolean bounded)
{
  g_autofree char *path = g_build_filename (g_getenv ("STROM_SOURCE_ROOT"), "share", "nexmark",
                                            name, NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) out = g_ptr_array_new ();
  g_auto (GStrv) parts = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  if (bounded)
    {
      g_autoptr (GString) edited = g_string_new (text);

      g_assert_cmpuint (g_string_replace (edited, "'events.num' = '100000'",
                                          "'events.num' = '" EVENTS "'", 1), ==, 1);
      g_assert_cmpuint (g_string_replace (edited, "'first-event.rate' = '10000'",
                                          "'first-event.rate' = '" RATE "'", 1), ==, 1);
      g_free (text);
      text = g_string_free (g_steal_pointer (&edited), FALSE);
    }
  parts = g_strsplit (text, ";\n", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_auto (GStrv) lines = g_strsplit (parts[i], "\n", -1);
      gboolean code = FALSE;

      for (guint l = 0; lines[l] != NULL; l++)
        code = code || (g_strstrip (lines[l])[0] != '\0' && !g_str_has_prefix (lines[l], "--"));
      if (code)
        g_ptr_array_add (out, g_strdup (parts[i]));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

/* Every event into SQLite's `events`, one column per ROW field, and the three views. */
static void
load_events (GwClient *client, sqlite3 *db)
{
  static const char *const fields =
    "event_type, person.id, person.name, person.emailAddress, person.creditCard, "
    "person.city, person.state, person.extra, auction.id, auction.itemName, "
    "auction.description, auction.initialBid, auction.reserve, auction.expires, "
    "auction.seller, auction.category, auction.extra, bid.auction, bid.bidder, bid.price, "
    "bid.channel, bid.url, bid.extra, dateTime";
  g_autofree char *select = g_strdup_printf ("SELECT %s FROM datagen", fields);
  g_autoptr (GPtrArray) raw = g_ptr_array_new_with_free_func ((GDestroyNotify) gw_row_free);
  g_autoptr (GPtrArray) ignored = strom_rows (client, select, raw);
  sqlite3_stmt *st = NULL;

  g_assert_cmpint (sqlite3_exec (db,
    "CREATE TABLE events (event_type, p_id, p_name, p_email, p_card, p_city, p_state, "
    "p_extra, a_id, a_item, a_desc, a_initial, a_reserve, a_expires, a_seller, a_category, "
    "a_extra, b_auction, b_bidder, b_price, b_channel, b_url, b_extra, dateTime);"
    "CREATE VIEW person AS SELECT p_id AS id, p_name AS name, p_email AS emailAddress, "
    "p_card AS creditCard, p_city AS city, p_state AS state, dateTime, p_extra AS extra "
    "FROM events WHERE event_type = 0;"
    "CREATE VIEW auction AS SELECT a_id AS id, a_item AS itemName, a_desc AS description, "
    "a_initial AS initialBid, a_reserve AS reserve, dateTime, a_expires AS expires, "
    "a_seller AS seller, a_category AS category, a_extra AS extra FROM events "
    "WHERE event_type = 1;"
    "CREATE VIEW bid AS SELECT b_auction AS auction, b_bidder AS bidder, b_price AS price, "
    "b_channel AS channel, b_url AS url, dateTime, b_extra AS extra FROM events "
    "WHERE event_type = 2;", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpuint (raw->len, ==, atoi (EVENTS));
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, "
                                       "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                       -1, &st, NULL), ==, SQLITE_OK);
  sqlite3_exec (db, "BEGIN", NULL, NULL, NULL);
  for (guint r = 0; r < raw->len; r++)
    {
      const GwRow *row = raw->pdata[r];

      for (guint c = 0; c < row->n_values; c++)
        {
          const PlanValue *v = &row->values[c];

          if (v->is_null)
            sqlite3_bind_null (st, (int) c + 1);
          else if (v->type.kind == PLAN_TYPE_VARCHAR)
            sqlite3_bind_text (st, (int) c + 1, v->v.s, -1, SQLITE_TRANSIENT);
          else
            sqlite3_bind_int64 (st, (int) c + 1, v->v.i);
        }
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
      sqlite3_reset (st);
    }
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  sqlite3_finalize (st);
}

/* added by lookup joins: share/nexmark/side_input.txt (key,value lines) as SQLite's
 * side_input, read line by line with no query logic involved. */
static void
load_side_input (sqlite3 *db)
{
  g_autofree char *path = g_build_filename (g_getenv ("STROM_SOURCE_ROOT"), "share", "nexmark",
                                            "side_input.txt", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  sqlite3_stmt *st = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE side_input (key, value)", NULL, NULL, NULL),
                   ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "INSERT INTO side_input VALUES (?, ?)", -1, &st,
                                       NULL), ==, SQLITE_OK);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *comma = strchr (lines[i], ',');

      if (comma == NULL)
        continue;
      sqlite3_bind_int64 (st, 1, g_ascii_strtoll (lines[i], NULL, 10));
      sqlite3_bind_text (st, 2, comma + 1, -1, SQLITE_TRANSIENT);
      g_assert_cmpint (sqlite3_step (st), ==, SQLITE_DONE);
      sqlite3_reset (st);
    }
  sqlite3_finalize (st);
}

/* DATE_FORMAT(dateTime, 'yyyy-MM-dd') in SQLite */
#define DAY "strftime('%Y-%m-%d', dateTime / 1000, 'unixepoch')"
#define HOUR "CAST(strftime('%H', dateTime / 1000, 'unixepoch') AS INTEGER)"

typedef struct {
  const char *file;
  const char *sqlite; /* NULL: the query's own SELECT */
  guint min_rows;     /* a floor on SQLite's row count, so the comparison means something */
  const char *strom;  /* NULL: the query's own SELECT; else what strom runs to compare */
} NexmarkQuery;

#define Q19_INNER "(SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) " \
  "AS rank_number FROM bid) WHERE rank_number <= 10"

static const NexmarkQuery queries[] = {
  { "q0.sql", NULL, 10000 },
  { "q1.sql", "SELECT auction, bidder, price * 908, dateTime, extra FROM bid", 10000 },
  { "q2.sql", "SELECT auction, price FROM bid WHERE auction % 123 = 0", 10 },
  { "q3.sql", NULL, 5 },
  { "q4.sql", "SELECT Q.category, SUM(Q.final) / COUNT(Q.final) FROM (SELECT MAX(B.price) "
    "AS final, A.category FROM auction A, bid B WHERE A.id = B.auction AND B.dateTime "
    "BETWEEN A.dateTime AND A.expires GROUP BY A.id, A.category) Q GROUP BY Q.category", 5 },
  /* HOP 2 s / 10 s: a row is in the 5 windows starting at floor(t / 2 s) * 2 s - k * 2 s */
  { "q5.sql", "WITH hb AS (SELECT b.auction, (b.dateTime / 2000) * 2000 - k * 2000 AS ws "
    "FROM bid b, (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 "
    "UNION ALL SELECT 4)), ab AS (SELECT auction, COUNT(*) AS num, ws FROM hb "
    "GROUP BY auction, ws), mb AS (SELECT MAX(num) AS maxn, ws FROM ab GROUP BY ws) "
    "SELECT ab.auction, ab.num FROM ab JOIN mb ON ab.ws = mb.ws AND ab.num >= mb.maxn", 5 },
  { "q7.sql", "SELECT B.auction, B.bidder, B.price, B.dateTime, B.extra FROM bid B JOIN "
    "(SELECT MAX(price) AS maxprice, (dateTime / 10000) * 10000 + 10000 AS dt FROM bid "
    "GROUP BY dateTime / 10000) B1 ON B.price = B1.maxprice "
    "WHERE B.dateTime BETWEEN B1.dt - 10000 AND B1.dt", 2 },
  { "q8.sql", "SELECT P.id, P.name, P.st FROM (SELECT id, name, (dateTime / 10000) * 10000 "
    "AS st FROM person GROUP BY id, name, dateTime / 10000) P JOIN (SELECT seller, "
    "(dateTime / 10000) * 10000 AS st FROM auction GROUP BY seller, dateTime / 10000) A "
    "ON P.id = A.seller AND P.st = A.st", 2 },
  { "q15.sql", "SELECT " DAY ", count(*), count(*) filter (where price < 10000), "
    "count(*) filter (where price >= 10000 and price < 1000000), "
    "count(*) filter (where price >= 1000000), count(distinct bidder), "
    "count(distinct bidder) filter (where price < 10000), count(distinct bidder) "
    "filter (where price >= 10000 and price < 1000000), count(distinct bidder) "
    "filter (where price >= 1000000), count(distinct auction), count(distinct auction) "
    "filter (where price < 10000), count(distinct auction) filter (where price >= 10000 "
    "and price < 1000000), count(distinct auction) filter (where price >= 1000000) "
    "FROM bid GROUP BY " DAY, 1 },
  { "q17.sql", "SELECT auction, " DAY ", count(*), count(*) filter (where price < 10000), "
    "count(*) filter (where price >= 10000 and price < 1000000), "
    "count(*) filter (where price >= 1000000), min(price), max(price), "
    "sum(price) / count(price), sum(price) FROM bid GROUP BY auction, " DAY, 100 },
  /* the generator's URLs end in channel_id=N when they have one */
  { "q21.sql", "SELECT auction, bidder, price, channel, CASE WHEN lower(channel) = 'apple' "
    "THEN '0' WHEN lower(channel) = 'google' THEN '1' WHEN lower(channel) = 'facebook' "
    "THEN '2' WHEN lower(channel) = 'baidu' THEN '3' ELSE substr(url, instr(url, "
    "'channel_id=') + 11) END FROM bid WHERE instr(url, 'channel_id=') > 0 "
    "OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')", 10000 },
  /* the URLs start with the 24 bytes of https://www.nexmark.com/ */
  { "q22.sql", "WITH a AS (SELECT auction, bidder, price, channel, substr(url, 25) AS r1 "
    "FROM bid), b AS (SELECT *, substr(r1, instr(r1, '/') + 1) AS r2 FROM a), c AS "
    "(SELECT *, substr(r2, instr(r2, '/') + 1) AS r3 FROM b) SELECT auction, bidder, price, "
    "channel, substr(r1, 1, instr(r1, '/') - 1), substr(r2, 1, instr(r2, '/') - 1), "
    "substr(r3, 1, instr(r3, '/') - 1) FROM c", 10000 },
  /* sessions as gaps and islands: a bid 10 s or more after the bidder's previous one
   * starts a session, which ends 10 s after its last bid */
  { "q11.sql", "WITH b AS (SELECT bidder, dateTime, CASE WHEN dateTime - LAG(dateTime) OVER "
    "(PARTITION BY bidder ORDER BY dateTime) < 10000 THEN 0 ELSE 1 END AS brk FROM bid), "
    "s AS (SELECT bidder, dateTime, SUM(brk) OVER (PARTITION BY bidder ORDER BY dateTime "
    "ROWS UNBOUNDED PRECEDING) AS sid FROM b) SELECT bidder, COUNT(*), MIN(dateTime), "
    "MAX(dateTime) + 10000 FROM s GROUP BY bidder, sid", 100 },
  /* every event has its own millisecond, so the last bid is unique */
  { "q18.sql", NULL, 1000 },
  /* equal prices may take their rank numbers in either order: compare the prices */
  { "q19.sql", "SELECT auction, price, rank_number FROM " Q19_INNER, 1000,
    "SELECT auction, price, rank_number FROM " Q19_INNER },
  { "q20.sql", NULL, 100 },
  { "q9.sql", NULL, 50 },
  /* added by partitioned sinks: q14 with count_char as CHAR_LENGTH - CHAR_LENGTH(REPLACE)
   * (strom has no UDFs, see share/nexmark/q14.sql); prices scaled by 1000 (DECIMAL) */
  { "q14.sql", "SELECT auction, bidder, price * 908, CASE WHEN " HOUR " BETWEEN 8 AND 18 "
    "THEN 'dayTime' WHEN " HOUR " <= 6 OR " HOUR " >= 20 THEN 'nightTime' ELSE 'otherTime' "
    "END, dateTime, extra, length(extra) - length(replace(extra, 'c', '')) FROM bid "
    "WHERE price * 908 > 1000000000 AND price * 908 < 50000000000", 10 },
  /* added by lookup joins: side_input.txt loaded into SQLite as it is (load_side_input) */
  { "q13.sql", "SELECT b.auction, b.bidder, b.price, b.dateTime, s.value FROM bid b JOIN "
    "side_input s ON b.auction % 10000 = s.key", 9000 },
  { "q16.sql", "SELECT channel, " DAY ", max(strftime('%H:%M', dateTime / 1000, 'unixepoch')), "
    "count(*), count(*) filter (where price < 10000), "
    "count(*) filter (where price >= 10000 and price < 1000000), "
    "count(*) filter (where price >= 1000000), count(distinct bidder), "
    "count(distinct bidder) filter (where price < 10000), count(distinct bidder) "
    "filter (where price >= 10000 and price < 1000000), count(distinct bidder) "
    "filter (where price >= 1000000), count(distinct auction), count(distinct auction) "
    "filter (where price < 10000), count(distinct auction) filter (where price >= 10000 "
    "and price < 1000000), count(distinct auction) filter (where price >= 1000000) "
    "FROM bid GROUP BY channel, " DAY, 1000 },
};

static void
check_query (GwClient *client, sqlite3 *db, const NexmarkQuery *q)
{
  g_auto (GStrv) stmts = read_statements (q->file, FALSE);
  const char *select = NULL;
  g_autoptr (GPtrArray) got = NULL, want = NULL;
  GwOperation *op;

  g_test_message ("%s", q->file);
  if (g_strv_length (stmts) == 3) /* added by lookup joins: q13's side input table first */
    {
      g_autoptr (GString) ddl = g_string_new (stmts[0]);
      g_autofree char *dir = g_strconcat (g_getenv ("STROM_SOURCE_ROOT"), "/share/nexmark/",
                                          NULL);

      g_assert_cmpuint (g_string_replace (ddl, "'share/nexmark/", "'", 1), ==, 1);
      g_string_insert (ddl, strstr (ddl->str, "'side_input.txt'") + 1 - ddl->str, dir);
      run_ok (client, ddl->str);
      g_free (stmts[0]);
      memmove (stmts, stmts + 1, 3 * sizeof (char *)); /* the NULL end moves too */
    }
  g_assert_cmpuint (g_strv_length (stmts), ==, 2); /* CREATE TABLE sink, INSERT */
  run_ok (client, stmts[0]);
  op = run_ok (client, stmts[1]);
  g_assert_cmpint (gw_operation_wait (op), ==, GW_STATUS_FINISHED);
  select = strstr (stmts[1], "SELECT");
  g_assert_nonnull (select);
  got = strom_rows (client, q->strom != NULL ? q->strom : select, NULL);
  want = sqlite_rows (db, q->sqlite != NULL ? q->sqlite : select);
  g_assert_cmpuint (want->len, >=, q->min_rows);
  for (guint i = 0; i < MIN (got->len, want->len); i++)
    g_assert_cmpstr (got->pdata[i], ==, want->pdata[i]);
  g_assert_cmpuint (got->len, ==, want->len);
}

/* added by processing-time windows: q12's windows depend on when rows are processed, so
 * its result is checked by invariants: insert-only rows, one per bidder and window, each
 * window 10 s long and aligned to 10 s, counts adding up to the number of bids, every
 * bidder that bid present. */
static void
check_q12 (GwClient *client, sqlite3 *db)
{
  g_auto (GStrv) stmts = read_statements ("q12.sql", FALSE);
  g_autoptr (GPtrArray) raw = g_ptr_array_new_with_free_func ((GDestroyNotify) gw_row_free);
  g_autoptr (GPtrArray) ignored = NULL, bids = NULL, bidders = NULL;
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) who = g_hash_table_new (g_int64_hash, g_int64_equal);
  gint64 total = 0;

  g_assert_cmpuint (g_strv_length (stmts), ==, 2);
  run_ok (client, stmts[0]);
  g_assert_cmpint (gw_operation_wait (run_ok (client, stmts[1])), ==, GW_STATUS_FINISHED);
  ignored = strom_rows (client, strstr (stmts[1], "SELECT"), raw);
  for (guint i = 0; i < raw->len; i++)
    {
      const GwRow *row = raw->pdata[i];
      gint64 start = row->values[2].v.i, end = row->values[3].v.i;

      g_assert_cmpint (row->kind, ==, RT_ROW_INSERT);
      g_assert_cmpint (end - start, ==, 10000);
      g_assert_cmpint (start % 10000, ==, 0);
      g_assert_cmpint (row->values[1].v.i, >, 0);
      g_assert_true (g_hash_table_add (seen, g_strdup_printf ("%" G_GINT64_FORMAT "/%"
                                                              G_GINT64_FORMAT,
                                                              row->values[0].v.i, start)));
      g_hash_table_add (who, (gpointer) &row->values[0].v.i);
      total += row->values[1].v.i;
    }
  bids = sqlite_rows (db, "SELECT COUNT(*) FROM bid");
  bidders = sqlite_rows (db, "SELECT COUNT(DISTINCT bidder) FROM bid");
  g_assert_cmpint (total, ==, g_ascii_strtoll (bids->pdata[0], NULL, 10));
  g_assert_cmpint (g_hash_table_size (who), ==, g_ascii_strtoll (bidders->pdata[0], NULL, 10));
}

/* added by partitioned sinks: "%3A" back to ":" in a partition directory's value */
static char *
unescape (const char *s)
{
  GString *out = g_string_new (NULL);

  for (; *s; s++)
    if (s[0] == '%' && g_ascii_isxdigit (s[1]) && g_ascii_isxdigit (s[2]))
      {
        g_string_append_c (out, (char) (g_ascii_xdigit_value (s[1]) * 16
                                        + g_ascii_xdigit_value (s[2])));
        s += 2;
      }
    else
      g_string_append_c (out, *s);
  return g_string_free (out, FALSE);
}

/* added by partitioned sinks: q10 writes into a temporary directory; its files are read
 * back (dt=../hm=../part-*.csv, the partition values from the path) and must hold exactly
 * SQLite's rows: auction, bidder, price, day and minute of every bid; the dateTime field
 * must fall in its partition, and every partition must have its _SUCCESS file (the job
 * ended, so every partition is complete). */
static void
check_q10 (GwClient *client, sqlite3 *db)
{
  g_auto (GStrv) stmts = read_statements ("q10.sql", FALSE);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("strom-q10-XXXXXX", &error);
  g_autoptr (GString) ddl = g_string_new (stmts[0]);
  g_autoptr (GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) want = NULL;
  g_autofree char *quoted = g_strdup_printf ("'%s'", dir);
  g_autofree char *cleanup = NULL;
  GDir *days;
  const char *dt;

  g_assert_no_error (error);
  g_assert_cmpuint (g_string_replace (ddl, "'nexmark-q10-output'", quoted, 1), ==, 1);
  run_ok (client, ddl->str);
  g_assert_cmpint (gw_operation_wait (run_ok (client, stmts[1])), ==, GW_STATUS_FINISHED);
  days = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((dt = g_dir_read_name (days)) != NULL)
    {
      g_autofree char *ddir = g_build_filename (dir, dt, NULL);
      GDir *mins = g_dir_open (ddir, 0, &error);
      const char *hm;

      g_assert_true (g_str_has_prefix (dt, "dt="));
      while ((hm = g_dir_read_name (mins)) != NULL)
        {
          g_autofree char *hdir = g_build_filename (ddir, hm, NULL);
          g_autofree char *success = g_build_filename (hdir, "_SUCCESS", NULL);
          g_autofree char *minute = unescape (hm + 3);
          g_autofree char *prefix = g_strdup_printf ("%s %s:", dt + 3, minute);
          GDir *files = g_dir_open (hdir, 0, &error);
          const char *f;

          g_assert_true (g_str_has_prefix (hm, "hm="));
          g_assert_true (g_file_test (success, G_FILE_TEST_EXISTS));
          while ((f = g_dir_read_name (files)) != NULL)
            {
              g_autofree char *path = g_build_filename (hdir, f, NULL);
              g_autofree char *text = NULL;
              g_auto (GStrv) lines = NULL;

              if (strcmp (f, "_SUCCESS") == 0)
                continue;
              g_assert_true (g_str_has_prefix (f, "part-") && g_str_has_suffix (f, ".csv"));
              g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
              lines = g_strsplit (text, "\n", -1);
              for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
                {
                  g_auto (GStrv) v = g_strsplit (lines[i], ",", 5);

                  g_assert_cmpuint (g_strv_length (v), ==, 5);
                  g_assert_true (g_str_has_prefix (v[3], prefix));
                  g_ptr_array_add (got, g_strdup_printf ("%s|%s|%s|'%s'|'%s'", v[0], v[1],
                                                         v[2], dt + 3, minute));
                }
              g_unlink (path);
            }
          g_dir_close (files);
          g_unlink (success);
          g_rmdir (hdir);
        }
      g_dir_close (mins);
      g_rmdir (ddir);
    }
  g_dir_close (days);
  g_rmdir (dir);
  g_ptr_array_sort (got, cmp_strings);
  want = sqlite_rows (db, "SELECT auction, bidder, price, " DAY ", strftime('%H:%M', "
                      "dateTime / 1000, 'unixepoch') FROM bid");
  g_assert_cmpuint (want->len, >=, 10000);
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < got->len; i++)
    g_assert_cmpstr (got->pdata[i], ==, want->pdata[i]);
}

/* DESCRIBE shows the ROW columns as ROWs (the fields are flattened underneath). */
static void
check_describe (GwClient *client)
{
  g_autoptr (GPtrArray) raw = g_ptr_array_new_with_free_func ((GDestroyNotify) gw_row_free);
  g_autoptr (GPtrArray) ignored = strom_rows (client, "DESCRIBE datagen", raw);
  static const char *const names[] = { "event_type", "person", "auction", "bid", "dateTime" };

  g_assert_cmpuint (raw->len, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < raw->len; i++)
    g_assert_cmpstr (((GwRow *) raw->pdata[i])->values[0].v.s, ==, names[i]);
  g_assert_cmpstr (((GwRow *) raw->pdata[3])->values[1].v.s, ==,
                   "ROW<`auction` BIGINT, `bidder` BIGINT, `price` BIGINT, `channel` VARCHAR, "
                   "`url` VARCHAR, `dateTime` TIMESTAMP(3), `extra` VARCHAR>");
  g_assert_cmpstr (((GwRow *) raw->pdata[4])->values[1].v.s, ==, "TIMESTAMP(3) *ROWTIME*");
}

static void
test_queries (gconstpointer data)
{
  guint parallelism = GPOINTER_TO_UINT (data);
  g_autoptr (GwClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) ddl = read_statements ("ddl.sql", TRUE);
  g_autofree char *set = g_strdup_printf ("SET 'parallelism.default' = '%u'", parallelism);
  sqlite3 *db = NULL;

  client = gw_client_new_embedded (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (ddl), ==, 4);
  for (guint i = 0; ddl[i] != NULL; i++)
    run_ok (client, ddl[i]);
  run_ok (client, set);
  /* Nexmark's queries are streaming ones (windows fired by watermark, updating joins and
   * aggregates); events.num bounds the stream, so the default ('automatic') would run batch */
  run_ok (client, "SET 'execution.runtime-mode' = 'streaming'");
  check_describe (client);
  g_assert_cmpint (sqlite3_open (":memory:", &db), ==, SQLITE_OK);
  load_events (client, db);
  load_side_input (db); /* added by lookup joins */
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    check_query (client, db, &queries[i]);
  check_q12 (client, db); /* added by processing-time windows */
  check_q10 (client, db); /* added by partitioned sinks */
  sqlite3_close (db);
}

/* One row of scalar function results against their hand-worked values. */
static void
expect_row (GwClient *client, const char *sql, const char *want)
{
  g_autoptr (GPtrArray) got = strom_rows (client, sql, NULL);

  g_test_message ("%s", sql);
  g_assert_cmpuint (got->len, ==, 1);
  g_assert_cmpstr (got->pdata[0], ==, want);
}

static void
test_functions (void)
{
  g_autoptr (GwClient) client = NULL;
  g_autoptr (GError) error = NULL;
  GwOperation *op;
  g_autoptr (GwPage) page = NULL;

  client = gw_client_new_embedded (&error);
  g_assert_no_error (error);
  /* 2024-03-05 was a Tuesday, the 65th day of the leap year 2024 */
  expect_row (client, "SELECT DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm'), DATE_FORMAT(ts, 'yy/M/d "
              "h:mm a'), DATE_FORMAT(ts, 'EEE, MMM d ''''yy'), DATE_FORMAT(ts, 'HH:mm:ss.SSS'), "
              "DATE_FORMAT(ts, 'D EEEE MMMM'), DATE_FORMAT(n, 'yyyy'), "
              "DATE_FORMAT(ts, 'yyyy''T''HH') FROM (VALUES (TIMESTAMP "
              "'2024-03-05 14:07:09.123', CAST(NULL AS TIMESTAMP(3)))) AS t(ts, n)",
              "'2024-03-05 14:07'|'24/3/5 2:07 PM'|'Tue, Mar 5 '24'|'14:07:09.123'|"
              "'65 Tuesday March'|NULL|'2024T14'");
  expect_row (client, "SELECT DATE_FORMAT(TIMESTAMP '1969-12-31 23:59:59.999', "
              "'yyyy-MM-dd HH:mm:ss.SSS'), DATE_FORMAT('2000-02-29 00:00:00', 'dd.MM.yyyy')",
              "'1969-12-31 23:59:59.999'|'29.02.2000'");
  expect_row (client, "SELECT SPLIT_INDEX(s, ',', 0), SPLIT_INDEX(s, ',', 2), "
              "SPLIT_INDEX(s, ',', 3), SPLIT_INDEX(s, ',', 4), SPLIT_INDEX(s, ',', -1), "
              "SPLIT_INDEX('a--b', '--', 1), SPLIT_INDEX(n, ',', 0), SPLIT_INDEX(s, n, 0), "
              "SPLIT_INDEX('', ',', 0) FROM (VALUES ('a,b,,c', CAST(NULL AS VARCHAR))) AS t(s, n)",
              "'a'|''|'c'|NULL|NULL|'b'|NULL|NULL|NULL");
  expect_row (client, "SELECT REGEXP_EXTRACT(s, 'foo(.*?)(bar)', 2), "
              "REGEXP_EXTRACT(s, 'foo(.*?)(bar)', 1), REGEXP_EXTRACT(s, 'o+t'), "
              "REGEXP_EXTRACT(s, 'xyz', 1), REGEXP_EXTRACT(s, '(b)', 3), "
              "REGEXP_EXTRACT(n, '(a)', 1), REGEXP_EXTRACT(s, '(', 1), "
              "REGEXP_EXTRACT('u?channel_id=42&x', '(&|^|\\?)channel_id=([^&]*)', 2) "
              "FROM (VALUES ('foothebar', CAST(NULL AS VARCHAR))) AS t(s, n)",
              "'bar'|'the'|'oot'|NULL|NULL|NULL|NULL|'42'");
  expect_row (client, "SELECT INSTR('hello', 'll'), INSTR('hello', 'z'), INSTR(n, 'a'), "
              "INSTR('hello', n), COALESCE(n, 'd'), NULLIF('x', 'x') FROM "
              "(VALUES (CAST(NULL AS VARCHAR))) AS t(n)", "3|0|NULL|NULL|'d'|NULL");
  /* an unknown pattern letter fails the query, naming the function */
  op = run_ok (client, "SELECT DATE_FORMAT(TIMESTAMP '2024-01-01 00:00:00', 'yyyy qq')");
  page = gw_operation_fetch (op, 10, -1, &error);
  while (page != NULL && !page->end)
    {
      g_clear_pointer (&page, gw_page_free);
      page = gw_operation_fetch (op, 10, -1, &error);
    }
  g_assert_error (error, GW_ERROR, GW_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "DATE_FORMAT pattern letter 'q'"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/integration/nexmark/functions", test_functions);
  g_test_add_data_func ("/integration/nexmark/queries/p1", GUINT_TO_POINTER (1), test_queries);
  g_test_add_data_func ("/integration/nexmark/queries/p2", GUINT_TO_POINTER (2), test_queries);
  return g_test_run ();
}
