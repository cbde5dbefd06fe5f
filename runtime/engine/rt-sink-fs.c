/* rt-sink-fs.c: the 'filesystem' sink connector, exactly once (DESIGN.md 4.7).
 *
 * Each subtask writes CSV lines (no header, Flink's csv format; 'changelog-csv' adds the
 * row kind, +I/-U/+U/-D, as the first field so an updating result can be written) into a
 * hidden in-progress file in the table's 'path' directory,
 * .part-<uuid>-<subtask>-<n>.inprogress. At a checkpoint barrier the file is closed (and
 * synced) and becomes pending: its name goes into the snapshot as a list entry. When the
 * coordinator says the checkpoint completed, pending files are committed by renaming them
 * to part-<uuid>-<subtask>-<n>.csv. A restore commits the pending files of the restored
 * checkpoint (the rename is skipped when already done), so a crash between the metadata
 * commit and the renames loses nothing and duplicates nothing. Rows after the last
 * checkpoint of a failed attempt stay in in-progress files that nothing commits, hidden
 * as Flink's are; they are deleted when the operator closes. When the job ends normally
 * (notify RT_CHECKPOINT_FINAL) the current file is committed too: without checkpoints the
 * output appears when the job finishes. */
#include "rt-source-private.h"
#include "rt-checkpoint.h"
#include "rt-sink-fs-private.h" /* added by partitioned sinks */

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  char *in_progress; /* owned: full path */
  char *final;       /* owned: full path */
  gint64 checkpoint; /* the checkpoint it became pending at */
} FsPending;

typedef struct {
  RtOperator base;
  char *dir;          /* owned */
  char *uuid;         /* owned */
  guint subtask;
  gboolean changelog; /* 'changelog-csv' */
  char delimiter;
  guint seq;          /* files started */
  FILE *file;         /* the current in-progress file, or NULL */
  char *current;      /* owned: its path */
  char *current_final;/* owned: its committed path */
  GPtrArray *pending; /* owned FsPending*, oldest first */
  GString *line;      /* owned scratch */
  /* added by partitioned sinks (rt-sink-fs-partition.c): PARTITIONED BY tables keep one
   * in-progress file per partition directory, sealed and committed like the single one */
  RtFsParts *parts;   /* owned, NULL: not partitioned */
  GHashTable *open;   /* relative partition dir -> FsOpen*, owned */
  struct _FsOpen *last_open; /* the last row's partition file; NULL after a seal */
  gint64 watermark;   /* input watermark, for partition-time commits */
} RtFsSink;

typedef struct _FsOpen {
  FILE *file;
  char *current;       /* owned: in-progress path */
  char *current_final; /* owned: committed path */
} FsOpen;

static void
pending_free (FsPending *p)
{
  g_free (p->in_progress);
  g_free (p->final);
  g_free (p);
}

static gboolean
fs_error (GError **error, const char *what, const char *path, int err)
{
  g_set_error (error, RT_ERROR, RT_ERROR_CONNECTOR, "The filesystem sink cannot %s %s: %s",
               what, path, g_strerror (err));
  return FALSE;
}

static void
append_field (RtFsSink *self, const RtBatch *batch, guint col, guint row)
{
  PlanValue v = { 0 };
  g_autofree char *s = NULL;
  gboolean quote;

  if (!rt_vec_is_valid (&batch->cols[col], row))
    return; /* NULL is an empty field, as Flink's csv format writes it */
  rt_batch_get_value (batch, col, row, &v);
  s = plan_value_to_string (&v, FALSE);
  plan_value_clear (&v);
  quote = strchr (s, self->delimiter) != NULL || strpbrk (s, "\"\r\n") != NULL || *s == '\0';
  if (!quote)
    {
      g_string_append (self->line, s);
      return;
    }
  g_string_append_c (self->line, '"');
  for (const char *p = s; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (self->line, '"');
      g_string_append_c (self->line, *p);
    }
  g_string_append_c (self->line, '"');
}

static gboolean
start_file (RtFsSink *self, GError **error)
{
  g_autofree char *hidden = g_strdup_printf (".part-%s-%u-%u.inprogress", self->uuid,
                                             self->subtask, self->seq);
  g_autofree char *name = g_strdup_printf ("part-%s-%u-%u.csv", self->uuid, self->subtask,
                                           self->seq);

  self->seq++;
  self->current = g_build_filename (self->dir, hidden, NULL);
  self->current_final = g_build_filename (self->dir, name, NULL);
  self->file = fopen (self->current, "w");
  if (self->file == NULL)
    return fs_error (error, "create", self->current, errno);
  return TRUE;
}

/* ---- partitioned tables (added by partitioned sinks) ---- */

static void
open_free (gpointer p)
{
  FsOpen *o = p;

  if (o->file != NULL)
    {
      fclose (o->file);
      g_unlink (o->current); /* not sealed: rows no checkpoint covers */
    }
  g_free (o->current);
  g_free (o->current_final);
  g_free (o);
}

/* The open file of partition directory rel (started on first use). */
static FsOpen *
part_file (RtFsSink *self, const char *rel, GError **error)
{
  FsOpen *o = g_hash_table_lookup (self->open, rel);
  g_autofree char *dir = NULL, *hidden = NULL, *name = NULL;

  if (o != NULL)
    return o;
  dir = g_build_filename (self->dir, rel, NULL);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    return fs_error (error, "create the directory", dir, errno), NULL;
  hidden = g_strdup_printf (".part-%s-%u-%u.inprogress", self->uuid, self->subtask, self->seq);
  name = g_strdup_printf ("part-%s-%u-%u.csv", self->uuid, self->subtask, self->seq);
  self->seq++;
  o = g_new0 (FsOpen, 1);
  o->current = g_build_filename (dir, hidden, NULL);
  o->current_final = g_build_filename (dir, name, NULL);
  g_hash_table_insert (self->open, g_strdup (rel), o);
  if ((o->file = fopen (o->current, "w")) == NULL)
    return fs_error (error, "create", o->current, errno), NULL;
  return o;
}

/* Each row into its partition's file, without the partition columns. */
static RtResult
process_partitioned (RtFsSink *self, RtBatch *batch, GError **error)
{
  for (guint r = 0; r < batch->n_rows; r++)
    {
      gboolean same = FALSE, first = TRUE;
      const char *rel = rt__fs_parts_dir (self->parts, batch, r, &same);
      FsOpen *o = same && self->last_open != NULL ? self->last_open
                                                  : part_file (self, rel, error);

      if (o == NULL)
        return RT_FAIL;
      self->last_open = o;
      g_string_truncate (self->line, 0);
      if (self->changelog)
        {
          g_string_append (self->line, rt_row_kind_short ((RtRowKind) batch->kinds[r]));
          first = FALSE;
        }
      for (guint c = 0; c < batch->n_cols; c++)
        {
          if (rt__fs_parts_is_partition_col (self->parts, c))
            continue;
          if (!first)
            g_string_append_c (self->line, self->delimiter);
          first = FALSE;
          append_field (self, batch, c, r);
        }
      g_string_append_c (self->line, '\n');
      if (fwrite (self->line->str, 1, self->line->len, o->file) != self->line->len)
        {
          fs_error (error, "write", o->current, errno);
          return RT_FAIL;
        }
    }
  return RT_OK;
}

/* Seals every partition's open file into the pending list. */
static gboolean
seal_partitions (RtFsSink *self, gint64 checkpoint, GError **error)
{
  GHashTableIter it;
  gpointer value;

  if (self->open == NULL)
    return TRUE;
  g_hash_table_iter_init (&it, self->open);
  while (g_hash_table_iter_next (&it, NULL, &value))
    {
      FsOpen *o = value;
      FsPending *p;
      gboolean ok = fflush (o->file) == 0 && fsync (fileno (o->file)) == 0;
      int err = errno;

      fclose (o->file);
      o->file = NULL;
      if (!ok)
        return fs_error (error, "write", o->current, err);
      p = g_new0 (FsPending, 1);
      p->in_progress = g_steal_pointer (&o->current);
      p->final = g_steal_pointer (&o->current_final);
      p->checkpoint = checkpoint;
      g_ptr_array_add (self->pending, p);
    }
  g_hash_table_remove_all (self->open);
  self->last_open = NULL;
  return TRUE;
}

static RtResult
fs_on_event (RtOperator *op, const RtEvent *event, guint input, GError **error)
{
  RtFsSink *self = (RtFsSink *) op;

  if (event->kind == RT_EVENT_WATERMARK && event->value > self->watermark)
    self->watermark = event->value;
  return RT_OK;
}

static RtResult
fs_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtFsSink *self = (RtFsSink *) op;

  if (self->parts != NULL) /* added by partitioned sinks */
    return process_partitioned (self, batch, error);
  if (self->file == NULL && !start_file (self, error))
    return RT_FAIL;
  g_string_truncate (self->line, 0);
  for (guint r = 0; r < batch->n_rows; r++)
    {
      if (self->changelog)
        {
          g_string_append (self->line, rt_row_kind_short ((RtRowKind) batch->kinds[r]));
          g_string_append_c (self->line, self->delimiter);
        }
      for (guint c = 0; c < batch->n_cols; c++)
        {
          if (c > 0)
            g_string_append_c (self->line, self->delimiter);
          append_field (self, batch, c, r);
        }
      g_string_append_c (self->line, '\n');
    }
  if (fwrite (self->line->str, 1, self->line->len, self->file) != self->line->len)
    {
      fs_error (error, "write", self->current, errno);
      return RT_FAIL;
    }
  return RT_OK;
}

/* Closes the current file (synced) and moves it to the pending list. */
static gboolean
seal_current (RtFsSink *self, gint64 checkpoint, GError **error)
{
  FsPending *p;

  if (!seal_partitions (self, checkpoint, error)) /* added by partitioned sinks */
    return FALSE;
  if (self->file == NULL)
    return TRUE;
  if (fflush (self->file) != 0 || fsync (fileno (self->file)) != 0)
    {
      int err = errno;
      fclose (self->file);
      self->file = NULL;
      return fs_error (error, "write", self->current, err);
    }
  fclose (self->file);
  self->file = NULL;
  p = g_new0 (FsPending, 1);
  p->in_progress = g_steal_pointer (&self->current);
  p->final = g_steal_pointer (&self->current_final);
  p->checkpoint = checkpoint;
  g_ptr_array_add (self->pending, p);
  return TRUE;
}

static void
put_pending (RtStateOut *out, const FsPending *p)
{
  rt_state_begin (out, RT_STATE_LIST);
  rt_state_put_string (out, p->in_progress);
  rt_state_put_string (out, p->final);
  rt_state_end (out);
}

static gboolean
fs_snapshot (RtOperator *op, gint64 id, RtStateOut *out, GError **error)
{
  RtFsSink *self = (RtFsSink *) op;

  if (!seal_current (self, id, error))
    return FALSE;
  for (guint i = 0; i < self->pending->len; i++)
    put_pending (out, self->pending->pdata[i]);
  return TRUE;
}

/* Renames in_progress to final; done already when only final exists. */
static gboolean
commit_file (const char *in_progress, const char *final, GError **error)
{
  if (g_rename (in_progress, final) == 0)
    return TRUE;
  if (errno == ENOENT && g_file_test (final, G_FILE_TEST_EXISTS))
    return TRUE;
  return fs_error (error, "commit", in_progress, errno);
}

static gboolean
fs_notify_complete (RtOperator *op, gint64 id, GError **error)
{
  RtFsSink *self = (RtFsSink *) op;

  if (id == RT_CHECKPOINT_FINAL && !seal_current (self, id, error))
    return FALSE;
  while (self->pending->len > 0)
    {
      FsPending *p = self->pending->pdata[0];

      if (p->checkpoint > id)
        break;
      if (!commit_file (p->in_progress, p->final, error))
        return FALSE;
      g_ptr_array_remove_index (self->pending, 0);
    }
  /* added by partitioned sinks: _SUCCESS files of the partitions now complete */
  return rt__fs_parts_commit (self->parts, self->dir, id == RT_CHECKPOINT_FINAL
                              ? G_MAXINT64 : self->watermark,
                              id == RT_CHECKPOINT_FINAL, error);
}

static gboolean
fs_restore (RtOperator *op, RtStateIn *in, GError **error)
{
  while (rt_state_next (in, NULL))
    {
      g_autofree char *in_progress = NULL, *final = NULL;

      if (!rt_state_get_string (in, &in_progress) || !rt_state_get_string (in, &final)
          || in_progress == NULL || final == NULL)
        return rt_state_malformed (in, op, error);
      /* the restored checkpoint completed: what it staged is committed now */
      if (!commit_file (in_progress, final, error))
        return FALSE;
    }
  return TRUE;
}

static void
fs_close (RtOperator *op)
{
  RtFsSink *self = (RtFsSink *) op;

  if (self->file != NULL)
    {
      fclose (self->file);
      g_unlink (self->current); /* rows no checkpoint covers: a restore replays them */
    }
  g_free (self->current);
  g_free (self->current_final);
  g_clear_pointer (&self->open, g_hash_table_unref); /* added by partitioned sinks */
  g_clear_pointer (&self->parts, rt__fs_parts_free);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  if (self->line != NULL)
    g_string_free (self->line, TRUE);
  g_free (self->dir);
  g_free (self->uuid);
}

static const RtOperatorClass fs_class = {
  .name = "filesystem",
  .instance_size = sizeof (RtFsSink),
  .process = fs_process,
  .on_event = fs_on_event, /* added by partitioned sinks */
  .close = fs_close,
  .snapshot = fs_snapshot,
  .restore = fs_restore,
  .notify_complete = fs_notify_complete,
};

static const char *const fs_known[] = {
  "connector", "path", "format", "csv.field-delimiter", "sink.parallelism",
  /* added by partitioned sinks: partition commit (rt-sink-fs-partition.c); the rolling
   * policy options are accepted, but files roll at checkpoints and at the end only */
  "sink.partition-commit.trigger", "sink.partition-commit.delay",
  "sink.partition-commit.policy.kind", "partition.time-extractor.timestamp-pattern",
  "sink.rolling-policy.rollover-interval", "sink.rolling-policy.check-interval",
  "sink.rolling-policy.file-size", NULL,
};

RtOperator *
rt__sink_fs_new (const PlanPhysNode *node, guint subtask, GError **error)
{
  const PlanTable *table = node->u.sink.table;
  const char *path = plan_table_get_option (table, "path");
  const char *format = plan_table_get_option (table, "format");
  const char *delim = plan_table_get_option (table, "csv.field-delimiter");
  RtFsSink *self;
  char d = ',';

  if (!rt__options_check_known (table, "filesystem", fs_known, NULL, error))
    return NULL;
  if (path == NULL || *path == '\0')
    {
      rt__option_error (error, table, "path", NULL,
                        "a filesystem sink needs 'path' = '<directory>' for its part files");
      return NULL;
    }
  if (format == NULL || (g_ascii_strcasecmp (format, "csv") != 0
                         && g_ascii_strcasecmp (format, "changelog-csv") != 0))
    {
      rt__option_error (error, table, "format", format,
                        "a filesystem sink writes 'format' = 'csv' (insert-only results) or "
                        "'changelog-csv' (the row kind first)");
      return NULL;
    }
  if (delim != NULL && !rt__option_char (table, "csv.field-delimiter", delim, &d, error))
    return NULL;
  if (g_mkdir_with_parents (path, 0755) != 0)
    {
      fs_error (error, "create the directory", path, errno);
      return NULL;
    }
  self = (RtFsSink *) rt_operator_new (&fs_class, node->id);
  self->dir = g_strdup (path);
  self->uuid = g_uuid_string_random ();
  self->subtask = subtask;
  self->changelog = g_ascii_strcasecmp (format, "changelog-csv") == 0;
  self->delimiter = d;
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_free);
  self->line = g_string_sized_new (4096);
  self->watermark = G_MININT64; /* added by partitioned sinks */
  self->open = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, open_free);
  if (!rt__fs_parts_new (table, node->inputs[0].node->schema, &self->parts, error))
    {
      rt_operator_free (&self->base);
      return NULL;
    }
  return &self->base;
}
