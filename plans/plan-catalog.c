/* plan-catalog.c: the session catalog (tables and views in one case-insensitive namespace)
 * and the session settings behind SET / RESET.
 *
 * The catalog is a hash table from the case-folded name to an entry that is either a
 * table or a view, because Flink resolves both through one namespace: a view named like
 * a table is a conflict, and DROP TABLE on a view is a user mistake worth naming. Tables
 * and view plans are shared by reference count; the catalog takes its own references.
 *
 * Settings are a fixed table of the keys strom understands, each with a default and a
 * validator, so a bad value is refused at SET time with a message saying what would be
 * accepted, rather than failing later inside a running job. Values are stored as the text
 * the user gave (normalised for enumerations) and parsed again by the typed getters. */
#include "plan-catalog.h"

#include <errno.h>
#include <string.h>

/* ---- catalog -------------------------------------------------------------------------- */

typedef struct {
  char *name;       /* owned: as first spelled */
  PlanTable *table; /* owned ref, NULL for a view */
  PlanNode *plan;   /* owned ref, views only */
  char *sql;        /* owned, views only */
} CatalogEntry;

struct _PlanCatalog {
  GHashTable *entries; /* case-folded name -> CatalogEntry, both owned */
};

static void
catalog_entry_free (gpointer data)
{
  CatalogEntry *entry = data;

  g_free (entry->name);
  if (entry->table)
    plan_table_unref (entry->table);
  if (entry->plan)
    plan_node_unref (entry->plan);
  g_free (entry->sql);
  g_free (entry);
}

PlanCatalog *
plan_catalog_new (void)
{
  PlanCatalog *catalog = g_new0 (PlanCatalog, 1);

  catalog->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            catalog_entry_free);
  return catalog;
}

void
plan_catalog_free (PlanCatalog *catalog)
{
  if (catalog == NULL)
    return;
  g_hash_table_unref (catalog->entries);
  g_free (catalog);
}

static CatalogEntry *
catalog_lookup (PlanCatalog *catalog, const char *name)
{
  g_autofree char *key = g_utf8_casefold (name, -1);

  return g_hash_table_lookup (catalog->entries, key);
}

static gboolean
catalog_insert (PlanCatalog *catalog, CatalogEntry *entry, GError **error)
{
  CatalogEntry *old = catalog_lookup (catalog, entry->name);

  if (old != NULL)
    {
      g_set_error (error, PLAN_ERROR, PLAN_ERROR_CATALOG,
                   "%s '%s' already exists. Drop it first or choose another name.",
                   old->table ? "Table" : "View", old->name);
      catalog_entry_free (entry);
      return FALSE;
    }
  g_hash_table_insert (catalog->entries, g_utf8_casefold (entry->name, -1), entry);
  return TRUE;
}

gboolean
plan_catalog_add_table (PlanCatalog *catalog, PlanTable *table, GError **error)
{
  CatalogEntry *entry;

  g_return_val_if_fail (catalog != NULL && table != NULL && table->name != NULL, FALSE);
  entry = g_new0 (CatalogEntry, 1);
  entry->name = g_strdup (table->name);
  entry->table = plan_table_ref (table);
  return catalog_insert (catalog, entry, error);
}

gboolean
plan_catalog_add_view (PlanCatalog *catalog, const char *name, const char *sql,
                       PlanNode *plan, GError **error)
{
  CatalogEntry *entry;

  g_return_val_if_fail (catalog != NULL && name != NULL && plan != NULL, FALSE);
  entry = g_new0 (CatalogEntry, 1);
  entry->name = g_strdup (name);
  entry->sql = g_strdup (sql ? sql : "");
  entry->plan = plan_node_ref (plan);
  return catalog_insert (catalog, entry, error);
}

gboolean
plan_catalog_drop (PlanCatalog *catalog, const char *name, gboolean is_view,
                   gboolean if_exists, GError **error)
{
  CatalogEntry *entry;
  const char *what = is_view ? "View" : "Table";
  const char *stmt = is_view ? "VIEW" : "TABLE";

  g_return_val_if_fail (catalog != NULL && name != NULL, FALSE);
  entry = catalog_lookup (catalog, name);
  if (entry == NULL)
    {
      if (if_exists)
        return TRUE;
      g_set_error (error, PLAN_ERROR, PLAN_ERROR_CATALOG,
                   "%s '%s' does not exist. Use DROP %s IF EXISTS to ignore a missing %s.",
                   what, name, stmt, is_view ? "view" : "table");
      return FALSE;
    }
  if ((entry->table == NULL) != !!is_view)
    {
      g_set_error (error, PLAN_ERROR, PLAN_ERROR_CATALOG,
                   "'%s' is a %s, not a %s. Use DROP %s %s instead.", entry->name,
                   entry->table ? "table" : "view", is_view ? "view" : "table",
                   entry->table ? "TABLE" : "VIEW", entry->name);
      return FALSE;
    }
  {
    g_autofree char *key = g_utf8_casefold (name, -1);

    g_hash_table_remove (catalog->entries, key);
  }
  return TRUE;
}

PlanTable *
plan_catalog_get_table (PlanCatalog *catalog, const char *name)
{
  CatalogEntry *entry;

  g_return_val_if_fail (catalog != NULL && name != NULL, NULL);
  entry = catalog_lookup (catalog, name);
  return entry ? entry->table : NULL;
}

PlanNode *
plan_catalog_get_view (PlanCatalog *catalog, const char *name, const char **out_sql)
{
  CatalogEntry *entry;

  g_return_val_if_fail (catalog != NULL && name != NULL, NULL);
  entry = catalog_lookup (catalog, name);
  if (entry == NULL || entry->table != NULL)
    {
      if (out_sql)
        *out_sql = NULL;
      return NULL;
    }
  if (out_sql)
    *out_sql = entry->sql;
  return entry->plan;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  const char *x = *(const char *const *) a, *y = *(const char *const *) b;
  int c = g_ascii_strcasecmp (x, y);

  return c != 0 ? c : strcmp (x, y);
}

static char **
catalog_list (PlanCatalog *catalog, gboolean views)
{
  GPtrArray *names = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, catalog->entries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      CatalogEntry *entry = value;

      if ((entry->table == NULL) == !!views)
        g_ptr_array_add (names, g_strdup (entry->name));
    }
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

char **
plan_catalog_list_tables (PlanCatalog *catalog)
{
  g_return_val_if_fail (catalog != NULL, NULL);
  return catalog_list (catalog, FALSE);
}

char **
plan_catalog_list_views (PlanCatalog *catalog)
{
  g_return_val_if_fail (catalog != NULL, NULL);
  return catalog_list (catalog, TRUE);
}

/* ---- settings: parsing ---------------------------------------------------------------- */

/* Splits "<digits><spaces><unit>" into a non-negative number and a unit string. */
static gboolean
split_quantity (const char *text, guint64 *number, char *unit, gsize unit_size)
{
  const char *p = text;
  gsize n = 0;

  while (g_ascii_isspace (*p))
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;
  *number = 0;
  for (; g_ascii_isdigit (*p); p++)
    {
      if (*number > (G_MAXINT64 - 9) / 10)
        return FALSE;
      *number = *number * 10 + (guint64) (*p - '0');
    }
  while (g_ascii_isspace (*p))
    p++;
  while (*p && !g_ascii_isspace (*p))
    {
      if (n + 1 >= unit_size || !g_ascii_isalpha (*p))
        return FALSE;
      unit[n++] = g_ascii_tolower (*p++);
    }
  unit[n] = '\0';
  while (g_ascii_isspace (*p))
    p++;
  return *p == '\0';
}

static gboolean
unit_in (const char *unit, const char *const *names)
{
  for (; *names; names++)
    if (strcmp (unit, *names) == 0)
      return TRUE;
  return FALSE;
}

gboolean
plan_parse_duration_us (const char *text, gint64 *out_us)
{
  static const char *const ns[] = { "ns", "nano", "nanos", "nanosecond", "nanoseconds", NULL };
  static const char *const us[] = { "us", "micro", "micros", "microsecond", "microseconds",
                                    NULL };
  static const char *const ms[] = { "", "ms", "milli", "millis", "millisecond",
                                    "milliseconds", NULL };
  static const char *const s[] = { "s", "sec", "secs", "second", "seconds", NULL };
  static const char *const min[] = { "m", "min", "mins", "minute", "minutes", NULL };
  static const char *const h[] = { "h", "hour", "hours", NULL };
  static const char *const d[] = { "d", "day", "days", NULL };
  guint64 number, factor;
  char unit[16];

  g_return_val_if_fail (text != NULL, FALSE);
  if (!split_quantity (text, &number, unit, sizeof unit))
    return FALSE;
  if (unit_in (unit, ns))
    {
      if (out_us)
        *out_us = (gint64) (number / 1000);
      return TRUE;
    }
  if (unit_in (unit, us))
    factor = 1;
  else if (unit_in (unit, ms))
    factor = 1000;
  else if (unit_in (unit, s))
    factor = G_USEC_PER_SEC;
  else if (unit_in (unit, min))
    factor = 60 * (guint64) G_USEC_PER_SEC;
  else if (unit_in (unit, h))
    factor = 3600 * (guint64) G_USEC_PER_SEC;
  else if (unit_in (unit, d))
    factor = 86400 * (guint64) G_USEC_PER_SEC;
  else
    return FALSE;
  if (number > (guint64) G_MAXINT64 / factor)
    return FALSE;
  if (out_us)
    *out_us = (gint64) (number * factor);
  return TRUE;
}

gboolean
plan_parse_bytes (const char *text, gint64 *out_bytes)
{
  static const char *const b[] = { "", "b", "byte", "bytes", NULL };
  static const char *const k[] = { "k", "kb", "kib", "kibibytes", "kilobytes", NULL };
  static const char *const m[] = { "m", "mb", "mib", "mebibytes", "megabytes", NULL };
  static const char *const g[] = { "g", "gb", "gib", "gibibytes", "gigabytes", NULL };
  static const char *const t[] = { "t", "tb", "tib", "tebibytes", "terabytes", NULL };
  guint64 number, factor;
  char unit[16];

  g_return_val_if_fail (text != NULL, FALSE);
  if (!split_quantity (text, &number, unit, sizeof unit))
    return FALSE;
  if (unit_in (unit, b))
    factor = 1;
  else if (unit_in (unit, k))
    factor = G_GUINT64_CONSTANT (1) << 10;
  else if (unit_in (unit, m))
    factor = G_GUINT64_CONSTANT (1) << 20;
  else if (unit_in (unit, g))
    factor = G_GUINT64_CONSTANT (1) << 30;
  else if (unit_in (unit, t))
    factor = G_GUINT64_CONSTANT (1) << 40;
  else
    return FALSE;
  if (number > (guint64) G_MAXINT64 / factor)
    return FALSE;
  if (out_bytes)
    *out_bytes = (gint64) (number * factor);
  return TRUE;
}

static gboolean
parse_int_text (const char *text, gint64 *out)
{
  const char *p = text;
  char *end;
  gint64 v;

  while (g_ascii_isspace (*p))
    p++;
  if (!g_ascii_isdigit (*p) && *p != '-' && *p != '+')
    return FALSE;
  errno = 0;
  v = g_ascii_strtoll (p, &end, 10);
  if (errno != 0 || end == p)
    return FALSE;
  while (g_ascii_isspace (*end))
    end++;
  if (*end != '\0')
    return FALSE;
  *out = v;
  return TRUE;
}

/* ---- settings: the known keys --------------------------------------------------------- */

typedef enum {
  SETTING_INT,      /* integer in [min, max] */
  SETTING_DURATION, /* plan_parse_duration_us */
  SETTING_BYTES,    /* plan_parse_bytes, > 0 */
  SETTING_ENUM,     /* one of choices, case-insensitive, stored lower case */
  SETTING_TEXT,     /* anything */
} SettingKind;

typedef struct {
  const char *key;
  const char *default_value; /* NULL: computed (parallelism.default) */
  SettingKind kind;
  gint64 min, max;
  const char *const *choices;
  const char *hint; /* what to write instead of a bad value */
} SettingDef;

static const char *const runtime_modes[] = { "streaming", "batch", "automatic", NULL };
static const char *const checkpoint_modes[] = { "exactly_once", "at_least_once", NULL };
static const char *const restart_strategies[] = { "none", "fixed-delay", NULL };
static const char *const result_modes[] = { "table", "changelog", "tableau", NULL };
static const char *const bool_choices[] = { "true", "false", NULL }; /* allowed lateness */
static const char *const agg_phase_strategies[] = { "auto", "one_phase", "two_phase", NULL };

/* Kept in key order: plan_settings_list walks it as is. */
static const SettingDef settings_defs[] = {
  { "execution.batch-size", "512", SETTING_INT, 1, 65536, NULL,
    "an integer number of rows from 1 to 65536, such as '1024'" },
  { "execution.checkpointing.interval", "0", SETTING_DURATION, 0, 0, NULL,
    "a duration such as '10 s', '100 ms', or '0' (no checkpoints)" }, /* checkpoints */
  { "execution.checkpointing.min-pause", "0", SETTING_DURATION, 0, 0, NULL,
    "a duration such as '500 ms' between the end of one checkpoint and the next" },
  { "execution.checkpointing.mode", "exactly_once", SETTING_ENUM, 0, 0, checkpoint_modes,
    "'EXACTLY_ONCE' or 'AT_LEAST_ONCE'" },
  { "execution.checkpointing.timeout", "10 min", SETTING_DURATION, 1, 0, NULL,
    "a duration such as '10 min' or '30 s'" },
  { "execution.runtime-mode", "automatic", SETTING_ENUM, 0, 0, runtime_modes,
    "'streaming', 'batch' or 'automatic' (batch when every source is bounded)" },
  { "execution.savepoint.path", "", SETTING_TEXT, 0, 0, NULL,
    "the directory of a savepoint or retained checkpoint, or a job's checkpoint directory "
    "(its latest completed checkpoint), or '' to start fresh" }, /* checkpoints */
  { "metrics.latency.interval", "0", SETTING_DURATION, 0, 0, NULL,
    "a duration such as '0' (off), '500 ms' or '1 s'" },
  { "parallelism.default", NULL, SETTING_INT, 1, 32768, NULL,
    "an integer from 1 to 32768, such as '4'" },
  { "pipeline.auto-watermark-interval", "200 ms", SETTING_DURATION, 0, 0, NULL,
    "a duration such as '200 ms', '1 s', or '0' (after every batch: repeatable runs)" },
  { "pipeline.buffer-timeout", "100 ms", SETTING_DURATION, 0, 0, NULL,
    "a duration such as '100 ms', '5ms', '1 s' or '0' (flush every batch)" },
  { "restart-strategy", "none", SETTING_ENUM, 0, 0, restart_strategies,
    "'none' or 'fixed-delay'" }, /* checkpoints */
  { "restart-strategy.fixed-delay.attempts", "1", SETTING_INT, 0, G_MAXINT32, NULL,
    "a number of restarts such as '3'" },
  { "restart-strategy.fixed-delay.delay", "1 s", SETTING_DURATION, 0, 0, NULL,
    "a duration such as '1 s' or '0' between a failure and the restart" },
  { "sql-client.execution.result-mode", "table", SETTING_ENUM, 0, 0, result_modes,
    "'table', 'changelog' or 'tableau'" },
  { "state.checkpoints.dir", "", SETTING_TEXT, 0, 0, NULL,
    "a directory such as '/var/lib/strom/checkpoints', or '' for the user's state directory"
  }, /* checkpoints */
  { "state.checkpoints.num-retained", "1", SETTING_INT, 1, 1000, NULL,
    "a number of completed checkpoints to keep, from 1 to 1000" },
  { "state.savepoints.dir", "", SETTING_TEXT, 0, 0, NULL,
    "a directory for savepoints, or '' for the user's state directory" },
  { "table.exec.emit.allow-lateness", "0", SETTING_DURATION, 0, 0, NULL,
    "a duration such as '1 min', or '0' (late rows are dropped)" }, /* allowed lateness */
  { "table.exec.emit.late-fire.delay", "0", SETTING_DURATION, 0, 0, NULL,
    "a duration such as '0' (update at every late row) or '10 s' (at the next watermark)" },
  { "table.exec.emit.late-fire.enabled", "false", SETTING_ENUM, 0, 0, bool_choices,
    "'true' or 'false'" },
  { "table.exec.source.idle-timeout", "0", SETTING_DURATION, 0, 0, NULL,
    "a duration such as '5 s', or '0' (sources never count as idle)" }, /* windows */
  { "table.optimizer.agg-phase-strategy", "auto", SETTING_ENUM, 0, 0, agg_phase_strategies,
    "AUTO, ONE_PHASE or TWO_PHASE (local pre-aggregation before the exchange)" }, /* 2-phase */
  { "table.optimizer.disabled-passes", "", SETTING_TEXT, 0, 0, NULL,
    "a comma-separated list of optimizer pass names, or ''" },
  { "table.optimizer.join.broadcast-threshold", "10 mb", SETTING_BYTES, 0, 0, NULL,
    "a size such as '10 mb' (joins broadcast a side estimated below it)" }, /* joins */
  { "taskmanager.memory.managed.size", "128 mb", SETTING_BYTES, 0, 0, NULL,
    "a size such as '128 mb', '64m', '1g' or a number of bytes" },
};

struct _PlanSettings {
  GHashTable *values;       /* key (static, from settings_defs) -> owned text */
  char *default_parallelism; /* owned */
};

static const SettingDef *
setting_find (const char *key)
{
  for (guint i = 0; i < G_N_ELEMENTS (settings_defs); i++)
    if (g_ascii_strcasecmp (settings_defs[i].key, key) == 0)
      return &settings_defs[i];
  return NULL;
}

PlanSettings *
plan_settings_new (void)
{
  PlanSettings *settings = g_new0 (PlanSettings, 1);

  settings->values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  settings->default_parallelism = g_strdup_printf ("%u", MAX (1u, g_get_num_processors ()));
  return settings;
}

void
plan_settings_free (PlanSettings *settings)
{
  if (settings == NULL)
    return;
  g_hash_table_unref (settings->values);
  g_free (settings->default_parallelism);
  g_free (settings);
}

static guint
edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = (guint) j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diag = row[0];

      row[0] = (guint) i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint up = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) != g_ascii_tolower (b[j - 1]);

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diag + cost);
          diag = up;
        }
    }
  return row[lb];
}

static void
set_unknown_key_error (const char *key, GError **error)
{
  g_autoptr (GString) known = g_string_new (NULL);
  const char *best = NULL;
  guint best_dist = 4;

  for (guint i = 0; i < G_N_ELEMENTS (settings_defs); i++)
    {
      guint dist = edit_distance (key, settings_defs[i].key);

      g_string_append_printf (known, "%s%s", i ? ", " : "", settings_defs[i].key);
      if (dist < best_dist)
        {
          best_dist = dist;
          best = settings_defs[i].key;
        }
    }
  if (best)
    g_set_error (error, PLAN_ERROR, PLAN_ERROR_SETTING,
                 "Unknown setting '%s'. Did you mean '%s'? Known settings: %s.", key, best,
                 known->str);
  else
    g_set_error (error, PLAN_ERROR, PLAN_ERROR_SETTING,
                 "Unknown setting '%s'. Known settings: %s.", key, known->str);
}

/* Checks value against def; on success returns the text to store (newly allocated). */
static char *
setting_validate (const SettingDef *def, const char *value)
{
  gint64 n;

  switch (def->kind)
    {
    case SETTING_INT:
      if (!parse_int_text (value, &n) || n < def->min || n > def->max)
        return NULL;
      return g_strdup_printf ("%" G_GINT64_FORMAT, n);
    case SETTING_DURATION:
      return plan_parse_duration_us (value, NULL) ? g_strstrip (g_strdup (value)) : NULL;
    case SETTING_BYTES:
      if (!plan_parse_bytes (value, &n) || n <= 0)
        return NULL;
      return g_strstrip (g_strdup (value));
    case SETTING_ENUM:
      {
        g_autofree char *lower = g_strstrip (g_ascii_strdown (value, -1));

        return unit_in (lower, def->choices) ? g_steal_pointer (&lower) : NULL;
      }
    case SETTING_TEXT:
    default:
      return g_strstrip (g_strdup (value));
    }
}

gboolean
plan_settings_set (PlanSettings *settings, const char *key, const char *value,
                   GError **error)
{
  const SettingDef *def;
  char *stored;

  g_return_val_if_fail (settings != NULL && key != NULL && value != NULL, FALSE);
  def = setting_find (key);
  if (def == NULL)
    {
      set_unknown_key_error (key, error);
      return FALSE;
    }
  stored = setting_validate (def, value);
  if (stored == NULL)
    {
      g_set_error (error, PLAN_ERROR, PLAN_ERROR_SETTING,
                   "Invalid value '%s' for setting '%s': expected %s.", value, def->key,
                   def->hint);
      return FALSE;
    }
  g_hash_table_replace (settings->values, (gpointer) def->key, stored);
  return TRUE;
}

void
plan_settings_reset (PlanSettings *settings, const char *key)
{
  const SettingDef *def;

  g_return_if_fail (settings != NULL);
  if (key == NULL)
    {
      g_hash_table_remove_all (settings->values);
      return;
    }
  def = setting_find (key);
  if (def)
    g_hash_table_remove (settings->values, def->key);
}

const char *
plan_settings_get (PlanSettings *settings, const char *key)
{
  const SettingDef *def;
  const char *value;

  g_return_val_if_fail (settings != NULL && key != NULL, NULL);
  def = setting_find (key);
  if (def == NULL)
    return NULL;
  value = g_hash_table_lookup (settings->values, def->key);
  if (value)
    return value;
  return def->default_value ? def->default_value : settings->default_parallelism;
}

gint64
plan_settings_get_int (PlanSettings *settings, const char *key)
{
  const char *value = plan_settings_get (settings, key);
  gint64 n;

  if (value == NULL || !parse_int_text (value, &n))
    return -1;
  return n;
}

gint64
plan_settings_get_duration_us (PlanSettings *settings, const char *key)
{
  const char *value = plan_settings_get (settings, key);
  gint64 us;

  if (value == NULL || !plan_parse_duration_us (value, &us))
    return -1;
  return us;
}

gint64
plan_settings_get_bytes (PlanSettings *settings, const char *key)
{
  const char *value = plan_settings_get (settings, key);
  gint64 bytes;

  if (value == NULL || !plan_parse_bytes (value, &bytes))
    return -1;
  return bytes;
}

char **
plan_settings_list (PlanSettings *settings)
{
  GPtrArray *out;

  g_return_val_if_fail (settings != NULL, NULL);
  out = g_ptr_array_new ();
  for (guint i = 0; i < G_N_ELEMENTS (settings_defs); i++)
    {
      g_ptr_array_add (out, g_strdup (settings_defs[i].key));
      g_ptr_array_add (out, g_strdup (plan_settings_get (settings, settings_defs[i].key)));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}
