/* rt-sink-fs-partition.c: partitioned filesystem tables (CREATE TABLE ... PARTITIONED BY
 * (dt, hm)), the part of the filesystem sink (rt-sink-fs.c) that decides where a row goes
 * and when a partition is complete.
 *
 * A row goes under <path>/dt=<value>/hm=<value>/, Hive's layout as Flink writes it: the
 * values are escaped as Flink's PartitionPathUtils does (%XX for the characters a path
 * component cannot hold or that would be ambiguous, ':' among them, so '10:00' is written
 * 10%3A00), NULL is __DEFAULT_PARTITION__, and the partition columns are not written into
 * the files (their values are in the path).
 *
 * Partition commit ('sink.partition-commit.policy.kind' = 'success-file'): an empty
 * _SUCCESS file is written into a partition directory once the partition is complete and
 * its files are committed. With 'sink.partition-commit.trigger' = 'partition-time' a
 * partition is complete when the watermark passes its time plus
 * 'sink.partition-commit.delay', its time read from the partition values through
 * 'partition.time-extractor.timestamp-pattern' ('$dt $hm:00'; without one, the first
 * partition value as a timestamp); with 'process-time' (the default) when the wall clock
 * passes the time the partition was created plus the delay. The check runs when a
 * checkpoint completes (the files are committed then) and at the end of the job, when
 * every partition is complete. 'metastore' commit policies need a catalog strom does not
 * have and are refused. */
#include "rt-sink-fs-private.h"
#include "rt-source-private.h"
#include "plans/plan-catalog.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

struct _RtFsParts {
  guint n;
  guint *cols;          /* owned: partition columns of the sink's input */
  char **names;         /* owned: their names */
  gboolean *is_part;    /* owned: per input column */
  gboolean success_file;
  gboolean partition_time; /* trigger */
  gint64 delay_ms;
  char *pattern;        /* owned, nullable */
  GHashTable *seen;     /* rel dir -> Partition*: written since the job started */
  GString *raw;         /* scratch: the current row's partition values, raw */
  GString *last_raw;    /* the previous row's, and its directory: consecutive rows of */
  char *last_dir;       /* one partition (the usual case) skip formatting and lookups */
};

typedef struct {
  gint64 created_ms;    /* wall clock when first written */
  gint64 time_ms;       /* extracted partition time, G_MININT64: none */
  gboolean committed;   /* _SUCCESS written */
  guint n;
  char **values;        /* owned: the unescaped values (NULL for NULL), for the extractor */
} Partition;

static void
partition_free (gpointer p)
{
  Partition *part = p;

  for (guint i = 0; i < part->n; i++)
    g_free (part->values[i]);
  g_free (part->values);
  g_free (part);
}

static gboolean
needs_escape (unsigned char c)
{
  return c < 0x20 || c == 0x7f || strchr ("\"#%'*/:=?\\{[]^", c) != NULL;
}

static void
append_escaped (GString *out, const char *s)
{
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    if (needs_escape (*p))
      g_string_append_printf (out, "%%%02X", *p);
    else
      g_string_append_c (out, (char) *p);
}

gboolean
rt__fs_parts_new (const PlanTable *table, const PlanSchema *input, RtFsParts **out,
                  GError **error)
{
  const char *by = plan_table_get_option (table, "__partitioned_by");
  const char *policy = plan_table_get_option (table, "sink.partition-commit.policy.kind");
  const char *trigger = plan_table_get_option (table, "sink.partition-commit.trigger");
  const char *delay = plan_table_get_option (table, "sink.partition-commit.delay");
  g_auto (GStrv) names = NULL;
  g_autoptr (GPtrArray) kinds = NULL;
  RtFsParts *p;
  gint64 us = 0;

  *out = NULL;
  if (by == NULL)
    return TRUE;
  if (trigger != NULL && strcmp (trigger, "partition-time") != 0
      && strcmp (trigger, "process-time") != 0)
    return rt__option_error (error, table, "sink.partition-commit.trigger", trigger,
                             "use 'process-time' or 'partition-time'");
  if (delay != NULL && !plan_parse_duration_us (delay, &us))
    return rt__option_error (error, table, "sink.partition-commit.delay", delay,
                             "write a duration such as '1 min' or '0 s'");
  if (policy != NULL)
    {
      g_auto (GStrv) list = g_strsplit (policy, ",", -1);

      for (guint i = 0; list[i] != NULL; i++)
        if (strcmp (g_strstrip (list[i]), "success-file") != 0)
          return rt__option_error (error, table, "sink.partition-commit.policy.kind", policy,
                                   "strom commits partitions with 'success-file' only (it has "
                                   "no metastore)");
    }
  names = g_strsplit (by, ",", -1);
  p = g_new0 (RtFsParts, 1);
  p->n = g_strv_length (names);
  p->cols = g_new0 (guint, p->n + 1);
  p->names = g_new0 (char *, p->n + 1);
  p->is_part = g_new0 (gboolean, input->n_fields + 1);
  p->success_file = policy != NULL;
  p->partition_time = trigger != NULL && strcmp (trigger, "partition-time") == 0;
  p->delay_ms = us / 1000;
  p->pattern = g_strdup (plan_table_get_option (table,
                                                "partition.time-extractor.timestamp-pattern"));
  p->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, partition_free);
  p->raw = g_string_new (NULL);
  p->last_raw = g_string_new (NULL);
  *out = p;
  for (guint i = 0; i < p->n; i++)
    {
      gint c = plan_schema_find (input, names[i]);

      if (c < 0)
        return rt__option_error (error, table, "__partitioned_by", by,
                                 "the sink's input has no column for the partition column");
      p->cols[i] = (guint) c;
      p->names[i] = g_strdup (input->fields[c].name);
      p->is_part[c] = TRUE;
    }
  return TRUE;
}

void
rt__fs_parts_free (RtFsParts *p)
{
  if (p == NULL)
    return;
  g_free (p->cols);
  g_strfreev (p->names);
  g_free (p->is_part);
  g_free (p->pattern);
  g_hash_table_unref (p->seen);
  g_string_free (p->raw, TRUE);
  g_string_free (p->last_raw, TRUE);
  g_free (p->last_dir);
  g_free (p);
}

gboolean
rt__fs_parts_is_partition_col (const RtFsParts *p, guint col)
{
  return p->is_part[col];
}

/* The partition's time by the pattern ($name replaced by the value), G_MININT64 when it
 * does not parse. */
static gint64
extract_time (const RtFsParts *p, char **values)
{
  g_autoptr (GString) text = g_string_new (p->pattern != NULL ? p->pattern : "");
  gint64 ms;

  if (p->pattern == NULL)
    g_string_assign (text, values[0] != NULL ? values[0] : "");
  else
    for (guint i = 0; i < p->n; i++)
      {
        g_autofree char *var = g_strconcat ("$", p->names[i], NULL);

        g_string_replace (text, var, values[i] != NULL ? values[i] : "", 0);
      }
  if (plan_parse_timestamp (text->str, text->len, &ms))
    return ms;
  return G_MININT64;
}

/* The row's partition values as raw bytes (strings without copying), each preceded by a
 * NULL/length marker so that different values never run together. */
static void
raw_values (RtFsParts *p, const RtBatch *batch, guint r)
{
  g_string_truncate (p->raw, 0);
  for (guint i = 0; i < p->n; i++)
    {
      const RtVector *v = &batch->cols[p->cols[i]];

      if (!rt_vec_is_valid (v, r))
        g_string_append_c (p->raw, 'N');
      else if (v->kind == PLAN_TYPE_VARCHAR)
        {
          const RtStr *s = &((const RtStr *) v->data)[r];

          g_string_append_printf (p->raw, "S%u:", s->len);
          g_string_append_len (p->raw, s->ptr, s->len);
        }
      else
        {
          PlanValue pv = { 0 };
          g_autofree char *t = NULL;

          rt_batch_get_value (batch, p->cols[i], r, &pv);
          t = plan_value_to_string (&pv, FALSE);
          plan_value_clear (&pv);
          g_string_append_printf (p->raw, "V%s", t);
          g_string_append_c (p->raw, '\0');
        }
    }
}

const char *
rt__fs_parts_dir (RtFsParts *p, const RtBatch *batch, guint r, gboolean *same)
{
  GString *dir;
  Partition *part;
  gboolean unchanged;

  raw_values (p, batch, r);
  unchanged = p->last_dir != NULL && p->raw->len == p->last_raw->len
              && memcmp (p->raw->str, p->last_raw->str, p->raw->len) == 0;
  if (same != NULL)
    *same = unchanged;
  if (unchanged)
    return p->last_dir;
  g_string_assign (p->last_raw, "");
  g_string_append_len (p->last_raw, p->raw->str, p->raw->len);
  dir = g_string_new (NULL);

  for (guint i = 0; i < p->n; i++)
    {
      g_string_append_printf (dir, "%s%s=", i ? "/" : "", p->names[i]);
      if (!rt_vec_is_valid (&batch->cols[p->cols[i]], r))
        g_string_append (dir, "__DEFAULT_PARTITION__");
      else
        {
          PlanValue v = { 0 };
          g_autofree char *s = NULL;

          rt_batch_get_value (batch, p->cols[i], r, &v);
          s = plan_value_to_string (&v, FALSE);
          plan_value_clear (&v);
          append_escaped (dir, s);
        }
    }
  if (!g_hash_table_contains (p->seen, dir->str))
    {
      part = g_new0 (Partition, 1);
      part->created_ms = g_get_real_time () / 1000;
      part->n = p->n;
      part->values = g_new0 (char *, p->n + 1);
      for (guint i = 0; i < p->n; i++)
        if (rt_vec_is_valid (&batch->cols[p->cols[i]], r))
          {
            PlanValue v = { 0 };

            rt_batch_get_value (batch, p->cols[i], r, &v);
            part->values[i] = plan_value_to_string (&v, FALSE);
            plan_value_clear (&v);
          }
      part->time_ms = extract_time (p, part->values);
      g_hash_table_insert (p->seen, g_strdup (dir->str), part);
    }
  g_free (p->last_dir);
  p->last_dir = g_string_free (dir, FALSE);
  return p->last_dir;
}

gboolean
rt__fs_parts_commit (RtFsParts *p, const char *root, gint64 watermark, gboolean final,
                     GError **error)
{
  GHashTableIter it;
  gpointer key, value;
  gint64 now = g_get_real_time () / 1000;

  if (p == NULL || !p->success_file)
    return TRUE;
  g_hash_table_iter_init (&it, p->seen);
  while (g_hash_table_iter_next (&it, &key, &value))
    {
      Partition *part = value;
      g_autofree char *path = NULL;
      gboolean due;

      if (part->committed)
        continue;
      if (p->partition_time)
        due = part->time_ms != G_MININT64 && watermark != G_MININT64
              && part->time_ms + p->delay_ms <= watermark;
      else
        due = part->created_ms + p->delay_ms <= now;
      if (!due && !final)
        continue;
      path = g_build_filename (root, key, "_SUCCESS", NULL);
      if (!g_file_set_contents (path, "", 0, NULL))
        {
          g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR, "The filesystem sink cannot "
                       "write the partition commit file %s", path);
          return FALSE;
        }
      part->committed = TRUE;
    }
  return TRUE;
}
