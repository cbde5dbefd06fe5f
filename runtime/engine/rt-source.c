/* rt-source.c: rt_source_new, the dispatcher from a table's 'connector' option to a source
 * operator, plus what every connector needs: the pushed-down filter applied to a batch
 * before it leaves the source, the split of a row count over subtasks, and strict
 * parsing of option values with one error shape for all of them.
 *
 * Connectors validate all their options when they are constructed, so a typo in a WITH
 * clause fails the job before any thread starts, with the option and the table named. */
#include "rt-source-private.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

RtOperator *
rt_source_new (const PlanPhysNode *node, guint subtask, guint parallelism, GError **error)
{
  const PlanTable *table;
  const char *connector;
  const char *format;

  g_return_val_if_fail (node != NULL && node->kind == PLAN_PHYS_SOURCE, NULL);
  g_return_val_if_fail (node->u.source.table != NULL, NULL);
  g_return_val_if_fail (parallelism > 0 && subtask < parallelism, NULL);

  table = node->u.source.table;
  connector = plan_table_get_option (table, "connector");
  if (connector == NULL)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR,
                   "Table '%s' has no 'connector' option: add one to its WITH clause, "
                   "e.g. 'connector' = 'datagen'", table->name);
      return NULL;
    }
  if (strcmp (connector, "datagen") == 0)
    return rt__source_datagen_new (node, subtask, parallelism, error);
  if (strcmp (connector, "nexmark") == 0) /* added by nexmark */
    return rt__source_nexmark_new (node, subtask, parallelism, error);
  if (strcmp (connector, "filesystem") == 0)
    {
      format = plan_table_get_option (table, "format");
      if (format == NULL)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR,
                       "Table '%s' uses the filesystem connector without a 'format' "
                       "option: add 'format' = 'csv'", table->name);
          return NULL;
        }
      if (strcmp (format, "csv") == 0)
        return rt__source_csv_new (node, subtask, parallelism, error);
      return (rt__option_error (error, table, "format", format,
                                "the filesystem source reads 'csv'"), NULL);
    }
  rt__option_error (error, table, "connector", connector,
                    "strom can read from 'datagen', 'nexmark' and 'filesystem' tables");
  return NULL;
}

/* ---- pushed-down filter ------------------------------------------------------------ */

gboolean
rt__source_filter_init (RtSourceFilter *filter, const PlanPhysNode *node, GError **error)
{
  memset (filter, 0, sizeof *filter);
  if (node->u.source.filter == NULL)
    return TRUE;
  filter->program = rt_program_new (node->schema, node->u.source.filter, 0, NULL, error);
  return filter->program != NULL;
}

void
rt__source_filter_clear (RtSourceFilter *filter)
{
  g_clear_pointer (&filter->program, rt_program_free);
  g_clear_pointer (&filter->sel, g_free);
  filter->sel_cap = 0;
}

/* Moves the selected rows (ascending indices, sel[i] >= i) to the front. Reading index
 * sel[i] before writing index i is safe because every earlier write went below i. */
static void
compact_batch (RtBatch *batch, const guint32 *sel, guint n)
{
  for (guint c = 0; c < batch->n_cols; c++)
    {
      RtVector *v = &batch->cols[c];
      gsize width = plan_type_storage_size (v->kind);
      char *data = v->data;

      for (guint i = 0; i < n; i++)
        {
          guint from = sel[i];

          if (from == i)
            continue;
          memcpy (data + (gsize) i * width, data + (gsize) from * width, width);
          if (rt_vec_is_valid (v, from))
            rt_vec_set_valid (v, i);
          else
            rt_vec_set_null (v, i);
        }
    }
  for (guint i = 0; i < n; i++)
    batch->kinds[i] = batch->kinds[sel[i]];
  batch->n_rows = n;
}

RtResult
rt__source_emit (RtOperator *op, RtSourceFilter *filter, RtBatch *batch, GError **error)
{
  if (batch->n_rows == 0)
    return RT_OK;
  if (filter->program != NULL)
    {
      GError *local = NULL;
      guint n;

      if (filter->sel_cap < batch->capacity)
        {
          g_free (filter->sel);
          filter->sel = g_new (guint32, batch->capacity);
          filter->sel_cap = batch->capacity;
        }
      n = rt_program_filter (filter->program, batch, filter->sel, &local);
      if (local != NULL)
        {
          g_propagate_error (error, local);
          return RT_FAIL;
        }
      if (n == 0)
        return RT_OK;
      if (n < batch->n_rows)
        compact_batch (batch, filter->sel, n);
    }
  return rt_op_emit (op, batch, error);
}

void
rt__source_share (guint64 total, guint subtask, guint parallelism, guint64 *offset,
                  guint64 *count)
{
  guint64 base = total / parallelism;
  guint64 extra = total % parallelism;

  *count = base + (subtask < extra ? 1 : 0);
  *offset = base * subtask + MIN ((guint64) subtask, extra);
}

/* ---- options ----------------------------------------------------------------------- */

gboolean
rt__option_error (GError **error, const PlanTable *table, const char *key, const char *value,
                  const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  if (value != NULL)
    g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR,
                 "Unsupported option '%s' = '%s' for table '%s': %s", key, value,
                 table->name, what);
  else
    g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR,
                 "Unsupported option '%s' for table '%s': %s", key, table->name, what);
  return FALSE;
}

gboolean
rt__option_int64 (const PlanTable *table, const char *key, const char *value, gint64 min,
                  gint64 max, gint64 *out, GError **error)
{
  gint64 v;

  if (!g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &v, NULL))
    return rt__option_error (error, table, key, value, "expected an integer");
  if (v < min || v > max)
    return rt__option_error (error, table, key, value,
                             "expected an integer from %" G_GINT64_FORMAT
                             " to %" G_GINT64_FORMAT, min, max);
  *out = v;
  return TRUE;
}

gboolean
rt__option_double (const PlanTable *table, const char *key, const char *value, double *out,
                   GError **error)
{
  char *end = NULL;
  double v;

  errno = 0;
  if (value[0] == '\0' || g_ascii_isspace (value[0]))
    return rt__option_error (error, table, key, value, "expected a number");
  v = g_ascii_strtod (value, &end);
  if (end == value || *end != '\0' || errno == ERANGE || !isfinite (v))
    return rt__option_error (error, table, key, value, "expected a finite number");
  *out = v;
  return TRUE;
}

gboolean
rt__option_bool (const PlanTable *table, const char *key, const char *value, gboolean *out,
                 GError **error)
{
  if (g_ascii_strcasecmp (value, "true") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp (value, "false") == 0)
    *out = FALSE;
  else
    return rt__option_error (error, table, key, value, "expected 'true' or 'false'");
  return TRUE;
}

static const struct {
  const char *unit;
  gint64 ms;
} duration_units[] = {
  { "ms", 1 }, { "milli", 1 }, { "millis", 1 }, { "millisecond", 1 },
  { "milliseconds", 1 },
  { "s", 1000 }, { "sec", 1000 }, { "secs", 1000 }, { "second", 1000 },
  { "seconds", 1000 },
  { "m", 60000 }, { "min", 60000 }, { "mins", 60000 }, { "minute", 60000 },
  { "minutes", 60000 },
  { "h", 3600000 }, { "hour", 3600000 }, { "hours", 3600000 },
  { "d", 86400000 }, { "day", 86400000 }, { "days", 86400000 },
};

gboolean
rt__option_duration (const PlanTable *table, const char *key, const char *value,
                     gint64 *out_ms, GError **error)
{
  const char *p = value;
  const char *unit;
  guint64 n = 0;
  gint64 scale = -1;

  if (!g_ascii_isdigit (*p))
    goto bad;
  for (; g_ascii_isdigit (*p); p++)
    {
      if (n > G_MAXINT64 / 10)
        goto bad;
      n = n * 10 + (guint64) (*p - '0');
    }
  while (*p == ' ')
    p++;
  unit = p;
  if (*unit == '\0')
    scale = 1;
  for (gsize i = 0; scale < 0 && i < G_N_ELEMENTS (duration_units); i++)
    if (g_ascii_strcasecmp (unit, duration_units[i].unit) == 0)
      scale = duration_units[i].ms;
  if (scale < 0 || n > (guint64) (G_MAXINT64 / scale))
    goto bad;
  *out_ms = (gint64) n * scale;
  return TRUE;

bad:
  return rt__option_error (error, table, key, value,
                           "expected a duration such as '500 ms', '10 s', '5 min', '1 h' "
                           "or '2 d'");
}

gboolean
rt__option_char (const PlanTable *table, const char *key, const char *value, char *out,
                 GError **error)
{
  if (strcmp (value, "\\t") == 0)
    *out = '\t';
  else if (value[0] != '\0' && value[1] == '\0' && value[0] != '\n' && value[0] != '\r')
    *out = value[0];
  else
    return rt__option_error (error, table, key, value,
                             "expected a single character (or '\\t' for a tab)");
  return TRUE;
}

gboolean
rt__options_check_known (const PlanTable *table, const char *connector,
                         const char *const *known, const char *accept_prefix, GError **error)
{
  for (guint i = 0; i + 1 < table->options->len; i += 2)
    {
      const char *key = g_ptr_array_index (table->options, i);
      gboolean ok = FALSE;

      for (guint k = 0; known[k] != NULL && !ok; k++)
        ok = strcmp (key, known[k]) == 0;
      /* added by windows: the binder's own keys (__watermark.<col>) and event-time options
       * every source takes */
      ok = ok || g_str_has_prefix (key, "__") || strcmp (key, "scan.watermark.idle-timeout") == 0;
      if (!ok && accept_prefix != NULL)
        ok = g_str_has_prefix (key, accept_prefix);
      if (!ok)
        {
          g_autofree char *list = g_strjoinv ("', '", (char **) known);

          return rt__option_error (error, table, key, NULL,
                                   "the %s connector knows '%s'%s%s%s", connector, list,
                                   accept_prefix != NULL ? " and options starting with '"
                                                         : "",
                                   accept_prefix != NULL ? accept_prefix : "",
                                   accept_prefix != NULL ? "'" : "");
        }
    }
  return TRUE;
}
