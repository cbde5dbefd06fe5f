/* rt-spill.c: run files for the external merge sort (see rt-spill.h).
 *
 * Format: a sequence of blocks, each a 12-byte header (raw bytes, compressed bytes, rows;
 * little-endian guint32) followed by the LZ4-compressed rows. A row is its kind byte, a
 * NULL bitmap (one bit per column), then each non-NULL value: fixed-width values as their
 * storage bytes, strings as a guint32 length and the bytes. Row-wise because a run is
 * written and read strictly in order, one row at a time, by the merge; LZ4 because spill
 * I/O is on the sort's critical path and LZ4 decompresses faster than the disk reads.
 *
 * Files are created with g_mkstemp in a per-operator directory and deleted by
 * rt__run_file_free, so a cancelled or failed job leaves nothing behind once its operators
 * are closed. Only the thread that owns the operator touches a run file. */
#include "rt-spill.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <lz4.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct _RtRunFile {
  char *path;        /* owned */
  FILE *fp;          /* owned */
  gboolean reading;
  GByteArray *raw;   /* owned: the block being written, or the block being read */
  char *comp;        /* owned: compression buffer */
  gsize comp_size;
  guint32 block_rows;/* rows in raw (writing) or rows left in it (reading) */
  gsize pos;         /* reading: offset of the next row in raw */
  guint64 rows;
  guint64 bytes;
  RtRunSourceFunc source; /* nullable: the rows come from it, not from a file */
  gpointer source_data;
  GDestroyNotify source_destroy;
};

char *
rt__run_dir_new (const char *prefix, GError **error)
{
  g_autofree char *templ = g_strdup_printf ("%s-XXXXXX", prefix);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), templ, NULL);

  if (g_mkdtemp (path) == NULL)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "Cannot create a spill directory %s: "
                   "%s; point TMPDIR at a writable disk with free space", path,
                   g_strerror (errno));
      return NULL;
    }
  return g_steal_pointer (&path);
}

void
rt__run_dir_remove (const char *dir)
{
  if (dir != NULL)
    g_rmdir (dir);
}

static gboolean
io_error (RtRunFile *run, const char *what, GError **error)
{
  g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "Cannot %s spill file %s: %s; check the "
               "free space of TMPDIR", what, run->path, g_strerror (errno));
  return FALSE;
}

RtRunFile *
rt__run_file_new (const char *dir, GError **error)
{
  RtRunFile *run = g_new0 (RtRunFile, 1);
  int fd;

  run->path = g_build_filename (dir, "run-XXXXXX", NULL);
  fd = g_mkstemp (run->path);
  if (fd < 0 || (run->fp = fdopen (fd, "w+b")) == NULL)
    {
      io_error (run, "create", error);
      if (fd >= 0)
        close (fd);
      g_free (run->path);
      g_free (run);
      return NULL;
    }
  run->raw = g_byte_array_sized_new (RT_RUN_BLOCK + 1024);
  return run;
}

static gboolean
flush_block (RtRunFile *run, GError **error)
{
  guint32 header[3];
  int bound, n;

  if (run->block_rows == 0)
    return TRUE;
  bound = LZ4_compressBound ((int) run->raw->len);
  if ((gsize) bound > run->comp_size)
    {
      run->comp = g_realloc (run->comp, bound);
      run->comp_size = bound;
    }
  n = LZ4_compress_default ((const char *) run->raw->data, run->comp, (int) run->raw->len,
                            bound);
  if (n <= 0)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "LZ4 could not compress a block of "
                   "spill file %s", run->path);
      return FALSE;
    }
  header[0] = GUINT32_TO_LE (run->raw->len);
  header[1] = GUINT32_TO_LE ((guint32) n);
  header[2] = GUINT32_TO_LE (run->block_rows);
  if (fwrite (header, sizeof header, 1, run->fp) != 1
      || fwrite (run->comp, (gsize) n, 1, run->fp) != 1)
    return io_error (run, "write", error);
  run->bytes += sizeof header + (guint) n;
  g_byte_array_set_size (run->raw, 0);
  run->block_rows = 0;
  return TRUE;
}

gboolean
rt__run_file_write (RtRunFile *run, const RtBatch *batch, guint row, GError **error)
{
  guint n_cols = batch->n_cols, n_bytes = (n_cols + 7) / 8;
  gsize need = 1 + n_bytes, at = run->raw->len;
  guint8 *p;

  g_return_val_if_fail (!run->reading, FALSE);
  /* the row's size first, then one growth of the buffer and plain stores into it: this
   * runs once per spilled row, where an append call per field was most of the cost */
  for (guint c = 0; c < n_cols; c++)
    {
      const RtVector *v = &batch->cols[c];

      if (rt_vec_is_valid (v, row))
        need += v->kind == PLAN_TYPE_VARCHAR
                ? sizeof (guint32) + ((const RtStr *) v->data)[row].len
                : plan_type_storage_size (v->kind);
    }
  g_byte_array_set_size (run->raw, (guint) (at + need));
  p = run->raw->data + at;
  *p++ = batch->kinds[row];
  memset (p, 0, n_bytes);
  for (guint c = 0; c < n_cols; c++)
    if (rt_vec_is_valid (&batch->cols[c], row))
      p[c / 8] |= (guint8) (1u << (c % 8));
  p += n_bytes;
  for (guint c = 0; c < n_cols; c++)
    {
      const RtVector *v = &batch->cols[c];
      gsize w;

      if (!rt_vec_is_valid (v, row))
        continue;
      if (v->kind == PLAN_TYPE_VARCHAR)
        {
          RtStr s = ((const RtStr *) v->data)[row];

          memcpy (p, &s.len, sizeof s.len);
          memcpy (p + sizeof s.len, s.ptr, s.len);
          p += sizeof s.len + s.len;
          continue;
        }
      w = plan_type_storage_size (v->kind);
      if (w == 8)
        memcpy (p, (const gint64 *) v->data + row, 8);
      else if (w == 4)
        memcpy (p, (const gint32 *) v->data + row, 4);
      else
        memcpy (p, (const char *) v->data + w * row, w);
      p += w;
    }
  run->block_rows++;
  run->rows++;
  return run->raw->len < RT_RUN_BLOCK || flush_block (run, error);
}

gboolean
rt__run_file_write_lazy (char **dir, const char *prefix, RtRunFile **file,
                         const RtBatch *batch, guint row, GError **error)
{
  if (*dir == NULL && (*dir = rt__run_dir_new (prefix, error)) == NULL)
    return FALSE;
  if (*file == NULL && (*file = rt__run_file_new (*dir, error)) == NULL)
    return FALSE;
  return rt__run_file_write (*file, batch, row, error);
}

gboolean
rt__run_file_finish (RtRunFile *run, GError **error)
{
  g_return_val_if_fail (run->source == NULL, FALSE);
  if (!flush_block (run, error))
    return FALSE;
  if (fflush (run->fp) != 0 || fseek (run->fp, 0, SEEK_SET) != 0)
    return io_error (run, "rewind", error);
  run->reading = TRUE;
  g_byte_array_set_size (run->raw, 0);
  run->block_rows = 0;
  run->pos = 0;
  return TRUE;
}

/* Reads and decompresses the next block; FALSE at the end (error unset) or on failure. */
static gboolean
load_block (RtRunFile *run, GError **error)
{
  guint32 header[3];
  gsize got = fread (header, 1, sizeof header, run->fp);
  guint32 raw_len, comp_len;

  if (got == 0 && feof (run->fp))
    return FALSE;
  if (got != sizeof header)
    return io_error (run, "read", error);
  raw_len = GUINT32_FROM_LE (header[0]);
  comp_len = GUINT32_FROM_LE (header[1]);
  if (comp_len > run->comp_size)
    {
      run->comp = g_realloc (run->comp, comp_len);
      run->comp_size = comp_len;
    }
  g_byte_array_set_size (run->raw, raw_len);
  if (fread (run->comp, 1, comp_len, run->fp) != comp_len)
    return io_error (run, "read", error);
  if (LZ4_decompress_safe (run->comp, (char *) run->raw->data, (int) comp_len, (int) raw_len)
      != (int) raw_len)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "Spill file %s is corrupt (a block "
                   "does not decompress)", run->path);
      return FALSE;
    }
  run->block_rows = GUINT32_FROM_LE (header[2]);
  run->pos = 0;
  return TRUE;
}

/* Decodes the row at run->pos into out. */
static gboolean
decode_row (RtRunFile *run, RtBatch *out, GError **error)
{
  const guint8 *p = run->raw->data + run->pos;
  guint n_cols = out->n_cols, r = out->n_rows;
  const guint8 *bits = p + 1;

  out->kinds[r] = p[0];
  p += 1 + (n_cols + 7) / 8;
  for (guint c = 0; c < n_cols; c++)
    {
      RtVector *v = &out->cols[c];

      if (!(bits[c / 8] & (1u << (c % 8))))
        {
          rt_vec_set_null (v, r);
          continue;
        }
      rt_vec_set_valid (v, r);
      if (v->kind == PLAN_TYPE_VARCHAR)
        {
          guint32 len;
          RtStr s;

          memcpy (&len, p, sizeof len);
          s = rt_batch_intern (out, (const char *) p + sizeof len, len, error);
          if (s.ptr == NULL)
            return FALSE;
          ((RtStr *) v->data)[r] = s;
          p += sizeof len + len;
        }
      else
        {
          gsize w = plan_type_storage_size (v->kind);

          memcpy ((char *) v->data + w * r, p, w);
          p += w;
        }
    }
  run->pos = (gsize) (p - run->raw->data);
  out->n_rows = r + 1;
  return TRUE;
}

RtBatch *
rt__run_file_read (RtRunFile *run, RtMemPool *pool, PlanSchema *schema, guint capacity,
                   GError **error)
{
  g_autoptr (RtBatch) out = NULL;
  GError *local = NULL;

  if (run->source != NULL)
    return run->source (run->source_data, pool, schema, capacity, error);
  g_return_val_if_fail (run->reading, NULL);
  if (run->block_rows == 0 && !load_block (run, &local))
    {
      if (local != NULL)
        g_propagate_error (error, local);
      return NULL;
    }
  if ((out = rt_batch_new (pool, schema, capacity, error)) == NULL)
    return NULL;
  while (out->n_rows < capacity)
    {
      if (run->block_rows == 0 && !load_block (run, &local))
        {
          if (local != NULL)
            {
              g_propagate_error (error, local);
              return NULL;
            }
          break;
        }
      if (!decode_row (run, out, error))
        return NULL;
      run->block_rows--;
    }
  return g_steal_pointer (&out);
}

guint64
rt__run_file_get_rows (const RtRunFile *run)
{
  return run->rows;
}

guint64
rt__run_file_get_bytes (const RtRunFile *run)
{
  return run->bytes;
}

void
rt__run_file_free (RtRunFile *run)
{
  if (run == NULL)
    return;
  if (run->source != NULL)
    {
      if (run->source_destroy != NULL)
        run->source_destroy (run->source_data);
      g_free (run);
      return;
    }
  if (run->fp != NULL)
    fclose (run->fp);
  g_unlink (run->path);
  g_free (run->path);
  g_byte_array_unref (run->raw);
  g_free (run->comp);
  g_free (run);
}

RtRunFile *
rt__run_file_new_source (RtRunSourceFunc next, gpointer data, GDestroyNotify destroy,
                         guint64 rows)
{
  RtRunFile *run;

  g_return_val_if_fail (next != NULL, NULL);
  run = g_new0 (RtRunFile, 1);
  run->source = next;
  run->source_data = data;
  run->source_destroy = destroy;
  run->reading = TRUE;
  run->rows = rows;
  return run;
}
