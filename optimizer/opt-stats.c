/* opt-stats.c: table statistics (what ANALYZE TABLE measured) and the estimates made of
 * them: rows of a source, selectivity of a filter, rows of a join and of a GROUP BY.
 *
 * The store. Statistics live in one SQLite database per process, behind a mutex, because
 * the optimizer runs in every session's thread and a remote server has many sessions.
 * It is in memory unless opt_stats_open names a file (then they survive restarts). A
 * table's row is keyed by its case-folded name and a fingerprint of its definition (its
 * options and column types), so two sessions defining an `orders` over different files do
 * not read each other's figures, and a re-created table with another definition starts
 * without statistics. A filesystem table also records its file's size and modification
 * time: when either changed since ANALYZE, the figures are stale and not used (EXPLAIN
 * says so), since wrong statistics are worse than the sampled estimate.
 *
 * The estimates follow the textbook model (System R's, as PostgreSQL and Flink's
 * FlinkRelMdSelectivity still use it): column = literal keeps 1/ndv of the rows, a range
 * the part of [min, max] it covers, IS NULL the null fraction, IN k/ndv, AND multiplies,
 * OR adds minus the overlap, NOT complements. A conjunct over a column without
 * statistics keeps half (the placeholder opt-physical.c uses for every filter). A join on
 * keys keeps |L| |R| / max(ndv(L.k), ndv(R.k)); a GROUP BY makes the product of its keys'
 * distinct counts, at most its input's rows. Distinct counts never exceed the rows a node
 * is estimated to have. Columns are traced to a table column through column-only
 * projections, joins, sorts and group keys; anything else has no statistics. */
#include "optimizer/opt-stats-private.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define CSV_SAMPLE (64 * 1024)

static GMutex store_lock;
static sqlite3 *store;

static const char store_schema[] =
  "CREATE TABLE IF NOT EXISTS table_stats (name TEXT NOT NULL, fingerprint TEXT NOT NULL,"
  " row_count REAL NOT NULL, file_size INTEGER, file_mtime INTEGER, analyzed_at INTEGER,"
  " PRIMARY KEY (name, fingerprint));"
  "CREATE TABLE IF NOT EXISTS column_stats (name TEXT NOT NULL, fingerprint TEXT NOT NULL,"
  " col INTEGER NOT NULL, col_name TEXT, ndv REAL, null_count REAL, min_text TEXT,"
  " max_text TEXT, min_num REAL, max_num REAL, PRIMARY KEY (name, fingerprint, col));";

/* ---- the store ----------------------------------------------------------------------- */

static gboolean
open_locked (const char *path, GError **error)
{
  sqlite3 *db = NULL;
  char *msg = NULL;

  if (sqlite3_open (path ? path : ":memory:", &db) != SQLITE_OK
      || sqlite3_exec (db, store_schema, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, PLAN_ERROR, PLAN_ERROR_SETTING,
                   "cannot open the statistics store '%s': %s; check that the directory "
                   "exists and is writable", path ? path : ":memory:",
                   msg ? msg : sqlite3_errmsg (db));
      sqlite3_free (msg);
      sqlite3_close (db);
      return FALSE;
    }
  if (store != NULL)
    sqlite3_close (store);
  store = db;
  return TRUE;
}

gboolean
opt_stats_open (const char *path, GError **error)
{
  gboolean ok;

  g_mutex_lock (&store_lock);
  ok = open_locked (path, error);
  g_mutex_unlock (&store_lock);
  return ok;
}

void
opt_stats_close (void)
{
  g_mutex_lock (&store_lock);
  g_clear_pointer (&store, sqlite3_close);
  g_mutex_unlock (&store_lock);
}

/* The store, opened in memory on first use; called with the lock held. */
static sqlite3 *
store_get (void)
{
  if (store == NULL && !open_locked (NULL, NULL))
    return NULL;
  return store;
}

static char *
fingerprint (const PlanTable *table)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i + 1 < table->options->len; i += 2)
    g_string_append_printf (text, "%s=%s\n", (char *) table->options->pdata[i],
                            (char *) table->options->pdata[i + 1]);
  for (guint i = 0; i < table->schema->n_fields; i++)
    {
      g_autofree char *type = plan_type_to_string (table->schema->fields[i].type, FALSE);

      g_string_append_printf (text, "%s:%s\n", table->schema->fields[i].name, type);
    }
  return g_compute_checksum_for_string (G_CHECKSUM_SHA1, text->str, (gssize) text->len);
}

/* The table's file size and mtime (seconds); FALSE when it is not a file table. */
static gboolean
file_identity (const PlanTable *table, gint64 *size, gint64 *mtime)
{
  const char *connector = plan_table_get_option (table, "connector");
  const char *path = plan_table_get_option (table, "path");
  GStatBuf st;

  if (connector == NULL || g_ascii_strcasecmp (connector, "filesystem") != 0 || path == NULL
      || g_stat (path, &st) != 0)
    return FALSE;
  *size = (gint64) st.st_size;
  *mtime = (gint64) st.st_mtime;
  return TRUE;
}

OptTableStats *
opt_table_stats_new (guint n_columns)
{
  OptTableStats *s = g_new0 (OptTableStats, 1);

  s->rows = -1;
  s->n_columns = n_columns;
  s->columns = g_new0 (OptColumnStats, n_columns ? n_columns : 1);
  for (guint i = 0; i < n_columns; i++)
    s->columns[i].ndv = s->columns[i].nulls = -1;
  return s;
}

void
opt_table_stats_free (OptTableStats *stats)
{
  if (stats == NULL)
    return;
  for (guint i = 0; i < stats->n_columns; i++)
    {
      g_free (stats->columns[i].min_text);
      g_free (stats->columns[i].max_text);
    }
  g_free (stats->columns);
  g_free (stats);
}

/* A value as a number on the axis ranges are measured on: DECIMAL unscaled, DATE days,
 * TIMESTAMP ms; FALSE for text, booleans and NULL. */
gboolean
opt__value_number (const PlanValue *v, double *out)
{
  if (v == NULL || v->is_null)
    return FALSE;
  switch (v->type.kind)
    {
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      *out = (double) v->v.i;
      return TRUE;
    case PLAN_TYPE_DECIMAL:
      *out = (double) v->v.i / pow (10, v->type.scale);
      return TRUE;
    case PLAN_TYPE_DOUBLE:
      *out = v->v.d;
      return TRUE;
    case PLAN_TYPE_NULL:
    case PLAN_TYPE_BOOLEAN:
    case PLAN_TYPE_VARCHAR:
    default:
      return FALSE;
    }
}

void
opt_column_stats_set (OptColumnStats *c, double ndv, double nulls, const PlanValue *min,
                      const PlanValue *max)
{
  c->ndv = ndv;
  c->nulls = nulls;
  g_clear_pointer (&c->min_text, g_free);
  g_clear_pointer (&c->max_text, g_free);
  if (min != NULL && !min->is_null)
    c->min_text = plan_value_to_string (min, FALSE);
  if (max != NULL && !max->is_null)
    c->max_text = plan_value_to_string (max, FALSE);
  c->has_range = opt__value_number (min, &c->min_num) && opt__value_number (max, &c->max_num);
}

static gboolean
sql_fail (GError **error, sqlite3 *db)
{
  g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED,
               "cannot write to the statistics store: %s", sqlite3_errmsg (db));
  return FALSE;
}

static void
bind_text_or_null (sqlite3_stmt *st, int i, const char *text)
{
  if (text != NULL)
    sqlite3_bind_text (st, i, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (st, i);
}

static gboolean
put_columns (sqlite3 *db, const char *name, const char *fp, const PlanTable *table,
             const OptTableStats *stats)
{
  sqlite3_stmt *st = NULL;
  gboolean ok = TRUE;

  if (sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO column_stats VALUES "
                              "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
    return FALSE;
  for (guint i = 0; i < stats->n_columns && ok; i++)
    {
      const OptColumnStats *c = &stats->columns[i];

      if (c->ndv < 0)
        continue;
      sqlite3_bind_text (st, 1, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (st, 2, fp, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (st, 3, (int) i);
      sqlite3_bind_text (st, 4, table->schema->fields[i].name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_double (st, 5, c->ndv);
      sqlite3_bind_double (st, 6, c->nulls);
      bind_text_or_null (st, 7, c->min_text);
      bind_text_or_null (st, 8, c->max_text);
      if (c->has_range)
        {
          sqlite3_bind_double (st, 9, c->min_num);
          sqlite3_bind_double (st, 10, c->max_num);
        }
      else
        {
          sqlite3_bind_null (st, 9);
          sqlite3_bind_null (st, 10);
        }
      ok = sqlite3_step (st) == SQLITE_DONE;
      sqlite3_reset (st);
      sqlite3_clear_bindings (st);
    }
  sqlite3_finalize (st);
  return ok;
}

gboolean
opt_stats_put (const PlanTable *table, const OptTableStats *stats, GError **error)
{
  g_autofree char *name = g_utf8_casefold (table->name, -1);
  g_autofree char *fp = fingerprint (table);
  gint64 size = 0, mtime = 0;
  gboolean has_file = file_identity (table, &size, &mtime);
  sqlite3_stmt *st = NULL;
  gboolean ok;
  sqlite3 *db;

  g_return_val_if_fail (stats->n_columns == table->schema->n_fields, FALSE);
  g_mutex_lock (&store_lock);
  if ((db = store_get ()) == NULL)
    {
      g_mutex_unlock (&store_lock);
      g_set_error (error, PLAN_ERROR, PLAN_ERROR_UNSUPPORTED, "no statistics store");
      return FALSE;
    }
  ok = sqlite3_exec (db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK
       && sqlite3_prepare_v2 (db, "INSERT OR REPLACE INTO table_stats VALUES (?, ?, ?, ?, ?, ?)",
                              -1, &st, NULL) == SQLITE_OK;
  if (ok)
    {
      sqlite3_bind_text (st, 1, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (st, 2, fp, -1, SQLITE_TRANSIENT);
      sqlite3_bind_double (st, 3, stats->rows);
      if (has_file)
        {
          sqlite3_bind_int64 (st, 4, size);
          sqlite3_bind_int64 (st, 5, mtime);
        }
      sqlite3_bind_int64 (st, 6, g_get_real_time () / G_USEC_PER_SEC);
      ok = sqlite3_step (st) == SQLITE_DONE && put_columns (db, name, fp, table, stats);
    }
  sqlite3_finalize (st);
  if (!ok)
    sql_fail (error, db);
  sqlite3_exec (db, ok ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL);
  g_mutex_unlock (&store_lock);
  return ok;
}

static char *
column_text (sqlite3_stmt *st, int i)
{
  return sqlite3_column_type (st, i) == SQLITE_NULL
           ? NULL : g_strdup ((const char *) sqlite3_column_text (st, i));
}

static void
read_columns (sqlite3 *db, const char *name, const char *fp, OptTableStats *s)
{
  sqlite3_stmt *st = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT col, ndv, null_count, min_text, max_text, min_num, "
                              "max_num FROM column_stats WHERE name = ? AND fingerprint = ?",
                          -1, &st, NULL) != SQLITE_OK)
    return;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, fp, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      int col = sqlite3_column_int (st, 0);
      OptColumnStats *c;

      if (col < 0 || (guint) col >= s->n_columns)
        continue;
      c = &s->columns[col];
      c->ndv = sqlite3_column_double (st, 1);
      c->nulls = sqlite3_column_double (st, 2);
      c->min_text = column_text (st, 3);
      c->max_text = column_text (st, 4);
      c->has_range = sqlite3_column_type (st, 5) != SQLITE_NULL
                     && sqlite3_column_type (st, 6) != SQLITE_NULL;
      c->min_num = sqlite3_column_double (st, 5);
      c->max_num = sqlite3_column_double (st, 6);
    }
  sqlite3_finalize (st);
}

/* The stored statistics of table, stale or not (*stale says), or NULL. */
static OptTableStats *
lookup (const PlanTable *table, gboolean *stale)
{
  g_autofree char *name = g_utf8_casefold (table->name, -1);
  g_autofree char *fp = fingerprint (table);
  OptTableStats *s = NULL;
  sqlite3_stmt *st = NULL;
  gint64 size = 0, mtime = 0;
  gboolean has_file = file_identity (table, &size, &mtime);
  sqlite3 *db;

  *stale = FALSE;
  g_mutex_lock (&store_lock);
  db = store_get ();
  if (db != NULL
      && sqlite3_prepare_v2 (db, "SELECT row_count, file_size, file_mtime, analyzed_at FROM "
                                 "table_stats WHERE name = ? AND fingerprint = ?", -1, &st,
                             NULL) == SQLITE_OK)
    {
      sqlite3_bind_text (st, 1, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (st, 2, fp, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (st) == SQLITE_ROW)
        {
          s = opt_table_stats_new (table->schema->n_fields);
          s->rows = sqlite3_column_double (st, 0);
          s->analyzed_at = sqlite3_column_int64 (st, 3);
          *stale = has_file != (sqlite3_column_type (st, 1) != SQLITE_NULL)
                   || (has_file && (sqlite3_column_int64 (st, 1) != size
                                    || sqlite3_column_int64 (st, 2) != mtime));
        }
      sqlite3_finalize (st);
      if (s != NULL)
        read_columns (db, name, fp, s);
    }
  g_mutex_unlock (&store_lock);
  return s;
}

OptTableStats *
opt_stats_lookup (const PlanTable *table)
{
  gboolean stale;
  OptTableStats *s = lookup (table, &stale);

  if (s != NULL && stale)
    g_clear_pointer (&s, opt_table_stats_free);
  return s;
}

/* ---- rows of a source without statistics ---------------------------------------------- */

/* Lines of a csv file: counted when it is at most CSV_SAMPLE bytes, else its size over the
 * mean line length of its first CSV_SAMPLE bytes; -1 when it cannot be read. */
static double
csv_sample_rows (const PlanTable *table, double *size_out)
{
  const char *path = plan_table_get_option (table, "path");
  const char *header = plan_table_get_option (table, "csv.header");
  g_autofree char *buf = NULL;
  gsize n, lines = 0, whole = 0;
  GStatBuf st;
  double rows;
  FILE *f;

  if (path == NULL || g_stat (path, &st) != 0 || !S_ISREG (st.st_mode)
      || (f = fopen (path, "rb")) == NULL)
    return -1;
  *size_out = (double) st.st_size;
  buf = g_malloc (CSV_SAMPLE);
  n = fread (buf, 1, CSV_SAMPLE, f);
  fclose (f);
  for (gsize i = 0; i < n; i++)
    if (buf[i] == '\n')
      {
        lines++;
        whole = i + 1;
      }
  if ((goffset) n >= st.st_size)
    rows = (double) lines + (n > 0 && buf[n - 1] != '\n');
  else
    rows = lines == 0 ? 1 : (double) st.st_size * (double) lines / (double) whole;
  if (header != NULL && g_ascii_strcasecmp (header, "true") == 0)
    rows = MAX (rows - 1, 0);
  return rows;
}

double
opt__table_rows (const PlanTable *table)
{
  g_autoptr (OptTableStats) s = opt_stats_lookup (table);
  const char *connector = plan_table_get_option (table, "connector");
  const char *text = plan_table_get_option (table, "number-of-rows");
  double size = 0;
  guint64 rows;

  if (s != NULL && s->rows >= 0)
    return s->rows;
  if (connector != NULL && g_ascii_strcasecmp (connector, "filesystem") == 0)
    return csv_sample_rows (table, &size);
  if (connector != NULL && g_ascii_strcasecmp (connector, "nexmark") == 0)
    text = plan_table_get_option (table, "events.num");
  if (text != NULL && strcmp (text, "0") != 0
      && g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &rows, NULL))
    return (double) rows;
  return -1;
}

void
opt__stats_source (const PlanTable *table, OptStatsSource *out)
{
  gboolean stale;
  g_autoptr (OptTableStats) s = lookup (table, &stale);
  const char *connector = plan_table_get_option (table, "connector");
  double size = 0, rows;

  *out = (OptStatsSource) { .origin = OPT_STATS_UNKNOWN, .rows = -1, .file_bytes = -1 };
  out->stale = s != NULL && stale;
  if (s != NULL && !stale)
    {
      out->origin = OPT_STATS_ANALYZE;
      out->rows = s->rows;
      out->analyzed_at = s->analyzed_at;
      out->n_columns = s->n_columns;
      for (guint i = 0; i < s->n_columns; i++)
        out->n_columns_analyzed += s->columns[i].ndv >= 0;
      return;
    }
  if (connector != NULL && g_ascii_strcasecmp (connector, "filesystem") == 0
      && (rows = csv_sample_rows (table, &size)) >= 0)
    {
      out->origin = OPT_STATS_FILE_SAMPLE;
      out->rows = rows;
      out->file_bytes = size;
      return;
    }
  if ((rows = opt__table_rows (table)) >= 0)
    {
      out->origin = OPT_STATS_CONNECTOR;
      out->rows = rows;
    }
}

const char *
opt__stats_origin_name (OptStatsOrigin origin)
{
  switch (origin)
    {
    case OPT_STATS_ANALYZE:
      return "analyze";
    case OPT_STATS_FILE_SAMPLE:
      return "file-sample";
    case OPT_STATS_CONNECTOR:
      return "connector";
    case OPT_STATS_UNKNOWN:
      break;
    }
  return "unknown";
}

char *
opt_stats_describe (const PlanTable *table)
{
  OptStatsSource src;

  opt__stats_source (table, &src);
  switch (src.origin)
    {
    case OPT_STATS_ANALYZE:
      {
        g_autoptr (GDateTime) at = g_date_time_new_from_unix_utc (src.analyzed_at);
        g_autofree char *when = at ? g_date_time_format (at, "%Y-%m-%d %H:%M:%S UTC") : NULL;

        return g_strdup_printf ("%s: %.0f rows from ANALYZE TABLE at %s (column statistics "
                                "for %u of %u columns)", table->name, src.rows,
                                when ? when : "?", src.n_columns_analyzed, src.n_columns);
      }
    case OPT_STATS_FILE_SAMPLE:
      return g_strdup_printf ("%s: ~%.0f rows estimated from the file size (%.0f bytes) and "
                              "a sample of its first lines%s; run ANALYZE TABLE %s for "
                              "statistics", table->name, src.rows, src.file_bytes,
                              src.stale ? " (the statistics of ANALYZE TABLE are stale: the "
                                          "file changed since)" : "", table->name);
    case OPT_STATS_CONNECTOR:
      return g_strdup_printf ("%s: %.0f rows from the connector's options (no statistics)",
                              table->name, src.rows);
    case OPT_STATS_UNKNOWN:
      break;
    }
  return g_strdup_printf ("%s: rows unknown (no statistics; run ANALYZE TABLE %s)",
                          table->name, table->name);
}
