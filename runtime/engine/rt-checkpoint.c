/* rt-checkpoint.c: exactly-once checkpoints (DESIGN.md 4.7), Flink's aligned barrier
 * snapshots.
 *
 * The coordinator (one thread per job) triggers checkpoint n every
 * execution.checkpointing.interval: it posts a mail to every source task, which, between
 * two batches, sends barrier n down its chain and out of its channels ahead of any later
 * row, then snapshots its operators (the source's offsets first). A task with inputs
 * aligns: once barrier n arrived on a channel, that channel is not read again (in
 * EXACTLY_ONCE mode) until barrier n has arrived on every channel still open; then the
 * task forwards the barrier, snapshots every operator of its chain and acknowledges. A
 * newer barrier abandons an older alignment (that checkpoint will time out or fail).
 *
 * Snapshots are per operator subtask: a state file (rt-state.c) of keyed entries tagged
 * with their key group and list entries. Snapshots are asynchronous in Flink's sense: at
 * the barrier the task only serialises its operators' state into memory (a copy, so it
 * may change right after) and goes on processing; the coordinator's thread computes the
 * checksums, writes and syncs the files, then acknowledges for the task. A task so never
 * waits for the disk, and a checkpoint's synchronous cost is the serialisation alone.
 * When every task acknowledged, the coordinator
 * commits the checkpoint's metadata in one SQLite transaction (synchronous=FULL) in the
 * checkpoint's own directory, <state.checkpoints.dir>/<job id>/chk-<n>/_metadata: the
 * list of state files with their sizes and CRC-32C. Only then is the checkpoint complete;
 * the coordinator tells every task (notify_complete: sinks commit what they staged for
 * it) and deletes the oldest completed checkpoints beyond state.checkpoints.num-retained.
 * A checkpoint whose metadata did not commit has no usable _metadata and is never
 * restored; a completed one whose files are truncated or flipped fails its checksum, and
 * the previous one is used.
 *
 * Restore: execution.savepoint.path names a checkpoint or savepoint directory, or a job's
 * checkpoint directory (its latest usable checkpoint). Every operator subtask reads the
 * files of its node from all old subtasks and keeps the entries it owns now
 * (rt__state_in_add_file), so parallelism may change. When a task fails and
 * restart-strategy is fixed-delay with attempts left, the coordinator waits the delay,
 * tears the tasks down, rebuilds them from the plan and restores the latest completed
 * checkpoint found on disk, the same path a restart after a killed process takes. */
#include "rt-checkpoint-private.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

typedef struct {
  guint node_id, subtask, parallelism;
  char *file;          /* owned: name within the checkpoint directory */
  guint64 bytes;
  guint32 crc;
  char *kind;          /* owned: the node's physical kind, to match plans on restore */
} CkptFile;

typedef struct {
  guint node_id, subtask, parallelism;
  char *path;          /* owned */
  GBytes *bytes;       /* owned */
} RestoreFile;

/* A task's serialised snapshot, waiting for the coordinator's thread to write it. */
typedef struct {
  gint64 id;
  guint attempt;       /* the job attempt whose task took it */
  guint task_index;
  gint64 align_us, sync_us;
  char *dir;           /* owned: the checkpoint's directory */
  GPtrArray *files;    /* owned CkptFile*, crc and bytes filled in when written */
  GPtrArray *data;     /* owned GBytes*, parallel to files */
} CkptWrite;

struct _RtCkptCoord {
  RtJob *job;          /* borrowed: owns us */
  gint64 interval_us, timeout_us, min_pause_us;
  gboolean at_least_once;
  guint retained;
  char *job_dir;       /* owned: <checkpoint dir>/<job id> */
  char *job_name;      /* owned */
  char *savepoint_dir; /* owned */
  char *initial_restore; /* owned: the checkpoint directory the job started from, or NULL */
  guint restarts_left;
  gint64 restart_delay_us;
  GThread *thread;
  GMutex lock;
  GCond cond;
  gboolean stop;
  gint64 next_id;
  /* the checkpoint in progress (under lock) */
  gint64 pending_id;   /* 0: none */
  gboolean pending_savepoint;
  char *pending_dir;   /* owned */
  gint64 pending_start_us, pending_trigger_real_us;
  guint n_acks, n_expected;
  GPtrArray *pending_files; /* owned CkptFile* */
  gint64 pending_align_us, pending_sync_us;
  gint64 last_end_us, last_trigger_us;
  /* a savepoint asked for (under lock) */
  gboolean savepoint_wanted;
  char *savepoint_target;    /* owned: the directory it goes to */
  gint64 savepoint_id;       /* once triggered */
  /* results (under lock) */
  GArray *history;           /* RtCheckpointStats */
  guint64 n_completed, n_failed;
  guint n_restarts;
  gint64 last_completed_id;
  char *last_completed_path; /* owned */
  /* the state this attempt restores (written only between attempts) */
  char *restore_dir;         /* owned or NULL */
  GHashTable *restore;       /* node id -> GPtrArray of RestoreFile*, by old subtask */
  /* restarts (under lock) */
  gboolean restart_pending;
  gboolean tasks_finished;   /* a task of this attempt ended: no new checkpoints */
  /* snapshots to write (under lock), oldest first */
  GQueue writes;             /* CkptWrite* */
};

static void
ckpt_file_free (CkptFile *f)
{
  if (f == NULL)
    return;
  g_free (f->file);
  g_free (f->kind);
  g_free (f);
}

static void
ckpt_write_free (CkptWrite *w)
{
  if (w == NULL)
    return;
  g_free (w->dir);
  g_ptr_array_unref (w->files);
  g_ptr_array_unref (w->data);
  g_free (w);
}

static void
restore_file_free (RestoreFile *f)
{
  g_free (f->path);
  g_bytes_unref (f->bytes);
  g_free (f);
}

static void
stats_clear (RtCheckpointStats *s)
{
  g_free (s->failure);
  g_free (s->path);
}

/* ---- metadata ---------------------------------------------------------------------- */

static gboolean
sql_fail (sqlite3 *db, const char *what, const char *path, GError **error)
{
  g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT, "%s %s: %s", what, path,
               db != NULL ? sqlite3_errmsg (db) : "out of memory");
  return FALSE;
}

/* Commits the checkpoint's metadata: one transaction, synchronous=FULL. */
static gboolean
write_metadata (RtCkptCoord *c, const char *dir, gint64 id, gboolean savepoint,
                GPtrArray *files, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "_metadata", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  gboolean ok = FALSE;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
      != SQLITE_OK)
    goto out;
  if (sqlite3_exec (db,
                    "PRAGMA synchronous=FULL; BEGIN;"
                    "CREATE TABLE checkpoint (id INTEGER, job TEXT, kind TEXT,"
                    " created_us INTEGER, format INTEGER);"
                    "CREATE TABLE state_file (node_id INTEGER, subtask INTEGER,"
                    " parallelism INTEGER, kind TEXT, file TEXT, bytes INTEGER, crc INTEGER);",
                    NULL, NULL, NULL) != SQLITE_OK)
    goto out;
  if (sqlite3_prepare_v2 (db, "INSERT INTO checkpoint VALUES (?, ?, ?, ?, 1)", -1, &st, NULL)
      != SQLITE_OK)
    goto out;
  sqlite3_bind_int64 (st, 1, id);
  sqlite3_bind_text (st, 2, c->job_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 3, savepoint ? "savepoint" : "checkpoint", -1, SQLITE_STATIC);
  sqlite3_bind_int64 (st, 4, g_get_real_time ());
  if (sqlite3_step (st) != SQLITE_DONE)
    goto out;
  sqlite3_finalize (st);
  st = NULL;
  if (sqlite3_prepare_v2 (db, "INSERT INTO state_file VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &st,
                          NULL) != SQLITE_OK)
    goto out;
  for (guint i = 0; i < files->len; i++)
    {
      CkptFile *f = files->pdata[i];

      sqlite3_reset (st);
      sqlite3_bind_int (st, 1, (int) f->node_id);
      sqlite3_bind_int (st, 2, (int) f->subtask);
      sqlite3_bind_int (st, 3, (int) f->parallelism);
      sqlite3_bind_text (st, 4, f->kind, -1, SQLITE_STATIC);
      sqlite3_bind_text (st, 5, f->file, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (st, 6, (sqlite3_int64) f->bytes);
      sqlite3_bind_int64 (st, 7, f->crc);
      if (sqlite3_step (st) != SQLITE_DONE)
        goto out;
    }
  sqlite3_finalize (st);
  st = NULL;
  ok = sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
out:
  if (!ok)
    sql_fail (db, "cannot write checkpoint metadata", path, error);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return ok;
}

static void
restore_table_free (GHashTable *t)
{
  if (t != NULL)
    g_hash_table_unref (t);
}

static GHashTable *
restore_table_new (void)
{
  return g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
}

/* Reads one file the metadata lists and checks its size and checksum. */
static gboolean
load_state_file (GHashTable *table, const char *dir, sqlite3_stmt *st, GError **error)
{
  RestoreFile *f = g_new0 (RestoreFile, 1);
  const char *name = (const char *) sqlite3_column_text (st, 4);
  guint64 bytes = (guint64) sqlite3_column_int64 (st, 5);
  guint32 crc = (guint32) sqlite3_column_int64 (st, 6);
  char *data = NULL;
  gsize len = 0;
  GPtrArray *list;

  f->node_id = (guint) sqlite3_column_int (st, 0);
  f->subtask = (guint) sqlite3_column_int (st, 1);
  f->parallelism = (guint) sqlite3_column_int (st, 2);
  f->path = g_build_filename (dir, name != NULL ? name : "", NULL);
  if (!g_file_get_contents (f->path, &data, &len, error))
    {
      restore_file_free (f);
      return FALSE;
    }
  f->bytes = g_bytes_new_take (data, len);
  if (len != bytes || rt__crc32c (data, len) != crc)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT,
                   "%s is damaged: %zu bytes with checksum %08x, the metadata says %"
                   G_GUINT64_FORMAT " bytes with %08x", f->path, len,
                   rt__crc32c (data, len), bytes, crc);
      restore_file_free (f);
      return FALSE;
    }
  if (!rt__state_file_check (f->bytes, f->path, NULL, error))
    {
      restore_file_free (f);
      return FALSE;
    }
  list = g_hash_table_lookup (table, GUINT_TO_POINTER (f->node_id));
  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func ((GDestroyNotify) restore_file_free);
      g_hash_table_insert (table, GUINT_TO_POINTER (f->node_id), list);
    }
  g_ptr_array_add (list, f);
  return TRUE;
}

/* Loads a completed checkpoint's state files, checked. *id: its id. */
static GHashTable *
load_checkpoint (const char *dir, PlanPhysPlan *plan, gint64 *id, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "_metadata", NULL);
  GHashTable *table = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT,
                   "%s is not a completed checkpoint or savepoint (it has no _metadata)", dir);
      return NULL;
    }
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK
      || sqlite3_prepare_v2 (db, "SELECT id FROM checkpoint", -1, &st, NULL) != SQLITE_OK
      || sqlite3_step (st) != SQLITE_ROW)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT,
                   "%s did not complete: its metadata has no committed checkpoint", dir);
      goto out;
    }
  *id = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  if (sqlite3_prepare_v2 (db, "SELECT node_id, subtask, parallelism, kind, file, bytes, crc "
                          "FROM state_file ORDER BY node_id, subtask", -1, &st, NULL)
      != SQLITE_OK)
    {
      sql_fail (db, "cannot read checkpoint metadata", path, error);
      goto out;
    }
  table = restore_table_new ();
  while (sqlite3_step (st) == SQLITE_ROW)
    {
      guint node = (guint) sqlite3_column_int (st, 0);
      const char *kind = (const char *) sqlite3_column_text (st, 3);
      PlanPhysNode *n = node < plan->nodes->len ? plan->nodes->pdata[node] : NULL;

      if (n == NULL || g_strcmp0 (plan_phys_kind_name (n->kind), kind) != 0)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT,
                       "%s was taken from another query: its operator %u is %s, this "
                       "query's is %s. Start the query without "
                       "'execution.savepoint.path', or restore the query it was taken of",
                       dir, node, kind != NULL ? kind : "?",
                       n != NULL ? plan_phys_kind_name (n->kind) : "missing");
          g_clear_pointer (&table, g_hash_table_unref);
          goto out;
        }
      if (!load_state_file (table, dir, st, error))
        {
          g_clear_pointer (&table, g_hash_table_unref);
          goto out;
        }
    }
out:
  sqlite3_finalize (st);
  sqlite3_close (db);
  return table;
}

static gint64
chk_dir_id (const char *name)
{
  char *end = NULL;
  gint64 id;

  if (!g_str_has_prefix (name, "chk-"))
    return -1;
  id = g_ascii_strtoll (name + 4, &end, 10);
  return end != NULL && *end == '\0' && id > 0 ? id : -1;
}

static gint
compare_desc (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? 1 : x > y ? -1 : 0;
}

/* The newest usable checkpoint under a job's directory; *dir_out its directory. Damaged
 * or unfinished ones are skipped (their reasons joined into error when none is usable). */
static GHashTable *
load_latest (const char *job_dir, PlanPhysPlan *plan, gint64 *id, char **dir_out,
             GError **error)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GString) why = g_string_new (NULL);
  GDir *d = g_dir_open (job_dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      gint64 n = chk_dir_id (name);
      if (n > 0)
        g_array_append_val (ids, n);
    }
  if (d != NULL)
    g_dir_close (d);
  g_array_sort (ids, compare_desc);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *leaf = g_strdup_printf ("chk-%" G_GINT64_FORMAT,
                                               g_array_index (ids, gint64, i));
      g_autofree char *dir = g_build_filename (job_dir, leaf, NULL);
      GError *e = NULL;
      GHashTable *t = load_checkpoint (dir, plan, id, &e);

      if (t != NULL)
        {
          *dir_out = g_steal_pointer (&dir);
          return t;
        }
      if (e->code != RT_ERROR_CHECKPOINT || strstr (e->message, "another query") == NULL)
        g_string_append_printf (why, "\n  %s", e->message);
      else
        {
          g_propagate_error (error, e);
          return NULL;
        }
      g_error_free (e);
    }
  g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT,
               "%s holds no completed checkpoint to restore%s", job_dir, why->str);
  return NULL;
}

/* Resolves execution.savepoint.path: a checkpoint/savepoint directory, or a job's. */
static GHashTable *
load_path (const char *path, PlanPhysPlan *plan, gint64 *id, char **dir_out, GError **error)
{
  g_autofree char *meta = g_build_filename (path, "_metadata", NULL);
  GHashTable *t;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT,
                   "execution.savepoint.path '%s' is not a directory: name a savepoint, a "
                   "retained checkpoint (chk-N) or a job's checkpoint directory", path);
      return NULL;
    }
  if (!g_file_test (meta, G_FILE_TEST_EXISTS))
    return load_latest (path, plan, id, dir_out, error);
  t = load_checkpoint (path, plan, id, error);
  if (t != NULL)
    *dir_out = g_strdup (path);
  return t;
}

/* ---- the coordinator --------------------------------------------------------------- */

/* Deletes a checkpoint directory (flat: state files and _metadata). */
static void
remove_dir (const char *dir)
{
  g_autofree char *meta = g_build_filename (dir, "_metadata", NULL);
  GDir *d;
  const char *name;

  g_unlink (meta); /* first: a half-deleted checkpoint never looks complete */
  d = g_dir_open (dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_unlink (p);
    }
  if (d != NULL)
    g_dir_close (d);
  g_rmdir (dir);
}

static char *
default_dir (const char *kind)
{
  return g_build_filename (g_get_user_state_dir (), "strom", kind, NULL);
}

RtCkptCoord *
rt__ckpt_coord_new (RtJob *job, const RtJobConfig *cfg, GError **error)
{
  RtCkptCoord *c;
  g_autofree char *base = NULL;

  /* A job with a name (every job a session starts) gets a coordinator even without a
   * checkpoint interval: it can still take a savepoint or restart from scratch. */
  if (cfg->checkpoint_interval_us <= 0 && (cfg->restore_path == NULL || !*cfg->restore_path)
      && (cfg->job_id == NULL || !*cfg->job_id))
    return NULL;
  rt__crc32c_init ();
  c = g_new0 (RtCkptCoord, 1);
  c->job = job;
  c->interval_us = cfg->checkpoint_interval_us;
  c->timeout_us = cfg->checkpoint_timeout_us > 0 ? cfg->checkpoint_timeout_us
                                                 : G_GINT64_CONSTANT (600000000);
  c->min_pause_us = cfg->checkpoint_min_pause_us;
  c->at_least_once = cfg->checkpoint_at_least_once;
  c->retained = MAX (cfg->checkpoints_retained, 1u);
  c->job_name = g_strdup (cfg->job_id != NULL && *cfg->job_id ? cfg->job_id : "job");
  base = cfg->checkpoint_dir != NULL && *cfg->checkpoint_dir ? g_strdup (cfg->checkpoint_dir)
                                                             : default_dir ("checkpoints");
  c->job_dir = g_build_filename (base, c->job_name, NULL);
  c->savepoint_dir = cfg->savepoint_dir != NULL && *cfg->savepoint_dir
                     ? g_strdup (cfg->savepoint_dir) : default_dir ("savepoints");
  c->restarts_left = cfg->restart_attempts;
  c->restart_delay_us = cfg->restart_delay_us;
  c->next_id = 1;
  c->history = g_array_new (FALSE, TRUE, sizeof (RtCheckpointStats));
  g_array_set_clear_func (c->history, (GDestroyNotify) stats_clear);
  c->pending_files = g_ptr_array_new_with_free_func ((GDestroyNotify) ckpt_file_free);
  g_mutex_init (&c->lock);
  g_cond_init (&c->cond);
  if (cfg->restore_path != NULL && *cfg->restore_path)
    {
      gint64 id = 0;

      c->restore = load_path (cfg->restore_path, job->plan, &id, &c->restore_dir, error);
      if (c->restore == NULL)
        {
          rt__ckpt_coord_free (c);
          return NULL;
        }
      c->initial_restore = g_strdup (c->restore_dir);
      c->next_id = id + 1;
    }
  return c;
}

void
rt__ckpt_coord_free (RtCkptCoord *c)
{
  if (c == NULL)
    return;
  if (c->thread != NULL)
    {
      rt_mutex_lock (&c->lock);
      c->stop = TRUE;
      g_cond_broadcast (&c->cond);
      rt_mutex_unlock (&c->lock);
      g_thread_join (c->thread);
    }
  g_queue_clear_full (&c->writes, (GDestroyNotify) ckpt_write_free);
  g_array_unref (c->history);
  g_ptr_array_unref (c->pending_files);
  restore_table_free (c->restore);
  g_free (c->restore_dir);
  g_free (c->initial_restore);
  g_free (c->pending_dir);
  g_free (c->savepoint_target);
  g_free (c->last_completed_path);
  g_free (c->job_dir);
  g_free (c->job_name);
  g_free (c->savepoint_dir);
  g_mutex_clear (&c->lock);
  g_cond_clear (&c->cond);
  g_free (c);
}

gboolean
rt__ckpt_check_operator (RtCkptCoord *c, RtOperator *op, GError **error)
{
  if (c == NULL || c->interval_us <= 0 || op->klass->stateless || op->klass->snapshot != NULL)
    return TRUE;
  g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT,
               "Operator %s (node %u) cannot be checkpointed yet. Run the query without "
               "checkpoints: RESET 'execution.checkpointing.interval'", op->klass->name,
               op->node_id);
  return FALSE;
}

gboolean
rt__ckpt_restore_operator (RtCkptCoord *c, RtTask *t, RtOperator *op, GError **error)
{
  GPtrArray *files;
  RtStateIn *in;
  guint list_index = 0;
  gboolean ok = TRUE;

  /* stateless operators have nothing to read (the watermark assigner shares its source's
   * node id, so the source's files are not its) */
  if (c == NULL || c->restore == NULL || (op->klass->stateless && op->klass->restore == NULL))
    return TRUE;
  files = g_hash_table_lookup (c->restore, GUINT_TO_POINTER (op->node_id));
  if (files == NULL)
    return TRUE;
  if (op->klass->restore == NULL)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT,
                   "%s holds state for operator %s (node %u), which cannot restore state",
                   c->restore_dir, op->klass->name, op->node_id);
      return FALSE;
    }
  in = rt__state_in_new ();
  for (guint i = 0; i < files->len && ok; i++)
    {
      RestoreFile *f = files->pdata[i];
      /* At the same parallelism a subtask gets its own list entries back (a source keeps
       * its splits in their order); at another they are dealt round robin. */
      RtListsMode lists = f->parallelism != t->parallelism ? RT_LISTS_DEAL
                          : f->subtask == t->subtask ? RT_LISTS_ALL : RT_LISTS_NONE;

      ok = rt__state_in_add_file (in, f->bytes, f->path, t->subtask, t->parallelism, lists,
                                  &list_index, error);
    }
  ok = ok && op->klass->restore (op, in, error);
  rt__state_in_free (in);
  return ok;
}

/* Records the end of the pending checkpoint (under lock). */
static void
finish_pending (RtCkptCoord *c, RtCheckpointStatus status, const char *failure)
{
  RtCheckpointStats s = { 0 };

  s.id = c->pending_id;
  s.status = status;
  s.savepoint = c->pending_savepoint;
  s.trigger_us = c->pending_trigger_real_us;
  s.duration_us = g_get_monotonic_time () - c->pending_start_us;
  s.alignment_us = c->pending_align_us;
  s.sync_us = c->pending_sync_us;
  s.failure = g_strdup (failure);
  s.path = g_strdup (c->pending_dir);
  for (guint i = 0; i < c->pending_files->len; i++)
    s.state_bytes += ((CkptFile *) c->pending_files->pdata[i])->bytes;
  if (c->history->len == RT_CHECKPOINT_HISTORY)
    g_array_remove_index (c->history, 0);
  g_array_append_val (c->history, s);
  if (status == RT_CHECKPOINT_COMPLETED)
    {
      c->n_completed++;
      c->last_completed_id = c->pending_id;
      g_free (c->last_completed_path);
      c->last_completed_path = g_strdup (c->pending_dir);
    }
  else
    {
      c->n_failed++;
      if (c->pending_dir != NULL)
        remove_dir (c->pending_dir);
    }
  c->pending_id = 0;
  g_clear_pointer (&c->pending_dir, g_free);
  g_ptr_array_set_size (c->pending_files, 0);
  c->last_end_us = g_get_monotonic_time ();
  g_cond_broadcast (&c->cond);
}

/* Keeps the newest `retained` completed checkpoints of the job's directory (under lock). */
static void
apply_retention (RtCkptCoord *c)
{
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GDir *d = g_dir_open (c->job_dir, 0, NULL);
  const char *name;
  guint kept = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      gint64 n = chk_dir_id (name);
      if (n > 0 && n <= c->last_completed_id)
        g_array_append_val (ids, n);
    }
  if (d != NULL)
    g_dir_close (d);
  g_array_sort (ids, compare_desc);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *leaf = g_strdup_printf ("chk-%" G_GINT64_FORMAT,
                                               g_array_index (ids, gint64, i));
      g_autofree char *dir = g_build_filename (c->job_dir, leaf, NULL);
      g_autofree char *meta = g_build_filename (dir, "_metadata", NULL);

      if (g_file_test (meta, G_FILE_TEST_EXISTS) && ++kept <= c->retained)
        continue;
      remove_dir (dir);
    }
}

typedef struct {
  gint64 id;
} CkptMail;

static void
fail_task_mail (RtTask *t, gpointer data)
{
  g_free (data);
  if (t->ckpt_error == NULL)
    t->ckpt_error = g_error_new (RT_ERROR, RT_ERROR_INTERNAL,
                                 "injected failure after the checkpoint metadata committed");
}

static gboolean
fail_here (RtTask *t, RtFailPoint point, gint64 id, GError **error)
{
  const RtJobConfig *cfg = &t->job->config;

  if (t->job->attempt != 0 || cfg->fail_point != point || cfg->fail_task != t->index
      || (id != RT_CHECKPOINT_FINAL && cfg->fail_checkpoint != id))
    return FALSE;
  g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "injected failure (point %u) at checkpoint %"
               G_GINT64_FORMAT " in task %s", point, id, t->name);
  return TRUE;
}

static void
complete_mail (RtTask *t, gpointer data)
{
  CkptMail *m = data;
  GError *error = NULL;

  if (fail_here (t, RT_FAIL_DURING_SINK_COMMIT, m->id, &error))
    goto out;
  for (guint i = 0; i < t->ops->len; i++)
    {
      RtOperator *op = t->ops->pdata[i];

      if (op->klass->notify_complete != NULL && !op->klass->notify_complete (op, m->id, &error))
        goto out;
    }
  fail_here (t, RT_FAIL_AFTER_SINK_COMMIT, m->id, &error);
out:
  if (error != NULL && t->ckpt_error == NULL)
    t->ckpt_error = error;
  else if (error != NULL)
    g_error_free (error);
  g_free (m);
}

/* Every task acknowledged: commit the metadata, then tell the tasks (under lock). */
static void
complete_pending (RtCkptCoord *c)
{
  GError *error = NULL;
  gint64 id = c->pending_id;
  RtJob *job = c->job;

  if (!write_metadata (c, c->pending_dir, id, c->pending_savepoint, c->pending_files, &error))
    {
      finish_pending (c, RT_CHECKPOINT_FAILED, error->message);
      g_error_free (error);
      return;
    }
  finish_pending (c, RT_CHECKPOINT_COMPLETED, NULL);
  apply_retention (c);
  if (job->attempt == 0 && job->config.fail_point == RT_FAIL_AFTER_METADATA
      && job->config.fail_checkpoint == id && job->config.fail_task < job->tasks->len)
    {
      rt__task_post_mail (job->tasks->pdata[job->config.fail_task], fail_task_mail, NULL);
      return;
    }
  for (guint i = 0; i < job->tasks->len; i++)
    {
      CkptMail *m = g_new (CkptMail, 1);

      m->id = id;
      rt__task_post_mail (job->tasks->pdata[i], complete_mail, m);
    }
}

/* A task's snapshot for checkpoint id is written (files: CkptFile*, taken). TRUE when
 * that completed the checkpoint. */
static gboolean
ack (RtCkptCoord *c, gint64 id, GPtrArray *files, gint64 align_us, gint64 sync_us)
{
  gboolean completed = FALSE;

  rt_mutex_lock (&c->lock);
  if (id == c->pending_id)
    {
      for (guint i = 0; i < files->len; i++)
        g_ptr_array_add (c->pending_files, g_steal_pointer (&files->pdata[i]));
      c->pending_align_us = MAX (c->pending_align_us, align_us);
      c->pending_sync_us = MAX (c->pending_sync_us, sync_us);
      if (++c->n_acks == c->n_expected)
        {
          complete_pending (c);
          completed = c->last_completed_id == id;
        }
    }
  rt_mutex_unlock (&c->lock);
  g_ptr_array_unref (files);
  return completed;
}

/* The pending checkpoint's directory, if id is still pending (newly allocated). */
static char *
dup_pending_dir (RtCkptCoord *c, gint64 id)
{
  char *dir = NULL;

  rt_mutex_lock (&c->lock);
  if (id == c->pending_id)
    dir = g_strdup (c->pending_dir);
  rt_mutex_unlock (&c->lock);
  return dir;
}

/* Fails checkpoint id if it is still pending. */
static void
decline (RtCkptCoord *c, gint64 id, const char *why)
{
  rt_mutex_lock (&c->lock);
  if (c->pending_id == id)
    finish_pending (c, RT_CHECKPOINT_FAILED, why);
  rt_mutex_unlock (&c->lock);
}

/* ---- the task's side --------------------------------------------------------------- */

/* The synchronous part of a snapshot: op's state serialised into w (in memory). */
static gboolean
serialise_state (RtTask *t, RtOperator *op, gint64 id, CkptWrite *w, GError **error)
{
  RtStateOut *out = rt__state_out_new (op->node_id, t->subtask, t->parallelism);
  CkptFile *f;

  if (!op->klass->snapshot (op, id, out, error))
    {
      rt__state_out_free (out);
      return FALSE;
    }
  g_ptr_array_add (w->data, rt__state_out_finish (out));
  rt__state_out_free (out);
  f = g_new0 (CkptFile, 1);
  f->node_id = op->node_id;
  f->subtask = t->subtask;
  f->parallelism = t->parallelism;
  f->file = g_strdup_printf ("op%u-%u.state", op->node_id, t->subtask);
  f->kind = g_strdup (plan_phys_kind_name (((PlanPhysNode *)
                                            t->job->plan->nodes->pdata[op->node_id])->kind));
  g_ptr_array_add (w->files, f);
  return TRUE;
}

static gboolean
still_pending (RtCkptCoord *c, gint64 id)
{
  gboolean pending;

  rt_mutex_lock (&c->lock);
  pending = c->pending_id == id;
  rt_mutex_unlock (&c->lock);
  return pending;
}

static void
fail_after_files_mail (RtTask *t, gpointer data)
{
  g_free (data);
  if (t->ckpt_error == NULL)
    t->ckpt_error = g_error_new (RT_ERROR, RT_ERROR_INTERNAL,
                                 "injected failure after the state files were written");
}

/* The asynchronous part, on the coordinator's thread: checksums, durable files, then the
 * task's acknowledgement. Snapshots of an abandoned checkpoint or a torn-down attempt are
 * dropped unwritten. */
static void
write_snapshot (RtCkptCoord *c, CkptWrite *w)
{
  RtJob *job = c->job;
  const RtJobConfig *cfg = &job->config;

  if (w->attempt != job->attempt || !still_pending (c, w->id))
    return;
  for (guint i = 0; i < w->files->len; i++)
    {
      CkptFile *f = w->files->pdata[i];
      gsize len;
      const char *data = g_bytes_get_data (w->data->pdata[i], &len);
      g_autofree char *path = g_build_filename (w->dir, f->file, NULL);
      GError *e = NULL;

      f->bytes = len;
      f->crc = rt__crc32c (data, len);
      if (!g_file_set_contents_full (path, data, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT
                                     | G_FILE_SET_CONTENTS_DURABLE, 0644, &e))
        {
          /* The checkpoint fails, not the job: it may have been abandoned (its directory
           * removed) meanwhile, or the disk is full; the next one may succeed. */
          decline (c, w->id, e->message);
          g_error_free (e);
          return;
        }
    }
  if (job->attempt == 0 && cfg->fail_point == RT_FAIL_AFTER_STATE_FILES
      && cfg->fail_task == w->task_index && cfg->fail_checkpoint == w->id)
    {
      rt__task_post_mail (job->tasks->pdata[w->task_index], fail_after_files_mail, NULL);
      return;
    }
  if (ack (c, w->id, g_steal_pointer (&w->files), w->align_us, w->sync_us))
    rt__job_release_held (job, w->id); /* a bare SELECT's rows of that checkpoint */
  w->files = g_ptr_array_new ();
}

/* Barrier id has been aligned (or injected): forward it, snapshot the chain, ack. */
static RtResult
take_snapshot (RtTask *t, gint64 id, GError **error)
{
  RtCkptCoord *c = t->job->ckpt;
  RtEvent ev = { RT_EVENT_BARRIER, id, 0 };
  g_autofree char *dir = dup_pending_dir (c, id);
  CkptWrite *w;
  gint64 align_us = t->ckpt_align_start_us > 0
                    ? g_get_monotonic_time () - t->ckpt_align_start_us : 0;

  t->ckpt_aligning = 0;
  t->ckpt_align_start_us = 0;
  t->ckpt_last = id;
  if (fail_here (t, RT_FAIL_BEFORE_SNAPSHOT, id, error))
    return RT_FAIL;
  if (t->writer != NULL && rt_writer_event (t->writer, &ev, error) == RT_FAIL)
    return RT_FAIL;
  if (dir == NULL)
    return RT_OK; /* the checkpoint was abandoned meanwhile */
  for (guint i = 0; i < t->ops->len; i++)
    {
      RtOperator *op = t->ops->pdata[i];

      if (!op->klass->stateless && op->klass->snapshot == NULL)
        {
          g_autofree char *why = g_strdup_printf ("operator %s (node %u) cannot be "
                                                  "checkpointed yet", op->klass->name,
                                                  op->node_id);
          decline (c, id, why); /* a savepoint of a job that takes no checkpoints */
          return RT_OK;
        }
    }
  w = g_new0 (CkptWrite, 1);
  w->id = id;
  w->attempt = t->job->attempt;
  w->task_index = t->index;
  w->align_us = align_us;
  w->dir = g_steal_pointer (&dir);
  w->files = g_ptr_array_new_with_free_func ((GDestroyNotify) ckpt_file_free);
  w->data = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  w->sync_us = g_get_monotonic_time ();
  for (guint i = 0; i < t->ops->len; i++)
    {
      RtOperator *op = t->ops->pdata[i];
      GError *e = NULL;

      if (op->klass->snapshot != NULL && !serialise_state (t, op, id, w, &e))
        {
          decline (c, id, e->message);
          g_error_free (e);
          ckpt_write_free (w);
          return RT_OK;
        }
    }
  w->sync_us = g_get_monotonic_time () - w->sync_us;
  rt_mutex_lock (&c->lock);
  g_queue_push_tail (&c->writes, w);
  g_cond_broadcast (&c->cond);
  rt_mutex_unlock (&c->lock);
  return RT_OK;
}

static void
inject_mail (RtTask *t, gpointer data)
{
  CkptMail *m = data;

  if (t->ckpt_error == NULL && !t->done && take_snapshot (t, m->id, &t->ckpt_error) == RT_FAIL
      && t->ckpt_error == NULL)
    t->ckpt_error = g_error_new (RT_ERROR, RT_ERROR_INTERNAL, "checkpoint %" G_GINT64_FORMAT
                                 " failed in %s", m->id, t->name);
  g_free (m);
}

gboolean
rt__ckpt_input_blocked (RtTask *t, RtTaskInput *in)
{
  return t->ckpt_aligning != 0 && in->barrier == t->ckpt_aligning
         && !t->job->ckpt->at_least_once;
}

static RtResult
check_aligned (RtTask *t, GError **error)
{
  for (guint i = 0; i < t->n_inputs; i++)
    if (!t->inputs[i].ended && t->inputs[i].barrier != t->ckpt_aligning)
      return RT_OK;
  return take_snapshot (t, t->ckpt_aligning, error);
}

RtResult
rt__ckpt_on_barrier (RtTask *t, RtTaskInput *in, gint64 id, GError **error)
{
  if (t->job->ckpt == NULL || id <= t->ckpt_last || id < t->ckpt_aligning)
    return RT_OK; /* a barrier of a checkpoint this task already left behind */
  if (id > t->ckpt_aligning)
    {
      t->ckpt_aligning = id; /* a newer checkpoint abandons an older alignment */
      t->ckpt_align_start_us = g_get_monotonic_time ();
    }
  in->barrier = id;
  return check_aligned (t, error);
}

RtResult
rt__ckpt_input_ended (RtTask *t, GError **error)
{
  if (t->job->ckpt == NULL || t->ckpt_aligning == 0)
    return RT_OK;
  return check_aligned (t, error);
}

static gint64
last_completed (RtCkptCoord *c)
{
  gint64 id;

  rt_mutex_lock (&c->lock);
  id = c->last_completed_id;
  rt_mutex_unlock (&c->lock);
  return id;
}

/* Tests (fail_armed_checkpoint): whether source task t, whose input ended, waits for the
 * first attempt to fail or be stopped (a savepoint) rather than finishing; at most a
 * minute, so a test whose failure cannot happen fails on its assertions, not a hang. */
gboolean
rt__ckpt_hold_end (RtTask *t)
{
  gint64 now = g_get_monotonic_time ();

  if (t->job->ckpt == NULL || t->job->attempt != 0 || t->job->config.fail_armed_checkpoint <= 0
      || ((RtOperator *) t->ops->pdata[0])->klass->stateless || t->replayable)
    return FALSE; /* VALUES is exact only because its task ends before any checkpoint */
  if (t->end_held_since_us == 0)
    t->end_held_since_us = now;
  return now - t->end_held_since_us < 60 * G_USEC_PER_SEC;
}

RtResult
rt__ckpt_check_fail_rows (RtTask *t, GError **error)
{
  const RtJobConfig *cfg = &t->job->config;
  RtOperator *head = t->ops->pdata[0];

  if (t->ckpt_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&t->ckpt_error));
      return RT_FAIL;
    }
  if (cfg->fail_point != RT_FAIL_ROWS || t->job->attempt != 0 || cfg->fail_task != t->index
      || (head->klass->produce != NULL ? head->rows_out : head->rows_in) < cfg->fail_after_rows
      || (cfg->fail_armed_checkpoint > 0
          && last_completed (t->job->ckpt) < cfg->fail_armed_checkpoint))
    return RT_OK;
  g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "injected failure in task %s after %"
               G_GUINT64_FORMAT " rows", t->name, cfg->fail_after_rows);
  return RT_FAIL;
}

/* ---- triggering and the coordinator's thread --------------------------------------- */

static gboolean
all_running (RtJob *job)
{
  gboolean all;

  rt_mutex_lock (&job->lock);
  all = job->status == RT_JOB_RUNNING && !job->restarting
        && job->n_running + job->n_replayable_ended == job->tasks->len
        && !g_atomic_int_get (&job->cancelled);
  rt_mutex_unlock (&job->lock);
  return all;
}

/* Starts checkpoint (or savepoint) next_id. Called and returns with the lock held. */
static void
trigger (RtCkptCoord *c, gboolean savepoint)
{
  RtJob *job = c->job;
  gint64 id = c->next_id++;
  gboolean running;
  g_autofree char *leaf = savepoint
    ? g_strdup_printf ("savepoint-%.8s-%" G_GINT64_FORMAT, c->job_name, id)
    : g_strdup_printf ("chk-%" G_GINT64_FORMAT, id);

  c->pending_id = id;
  c->pending_savepoint = savepoint;
  c->pending_dir = g_build_filename (savepoint ? c->savepoint_target : c->job_dir, leaf, NULL);
  c->pending_start_us = g_get_monotonic_time ();
  c->pending_trigger_real_us = g_get_real_time ();
  c->last_trigger_us = c->pending_start_us;
  c->n_acks = 0;
  c->n_expected = 0;
  for (guint i = 0; i < job->tasks->len; i++) /* replayable tasks never see a barrier */
    c->n_expected += !((RtTask *) job->tasks->pdata[i])->replayable;
  c->pending_align_us = 0;
  c->pending_sync_us = 0;
  if (savepoint)
    c->savepoint_id = id;
  if (g_mkdir_with_parents (c->pending_dir, 0755) != 0)
    {
      g_autofree char *why = g_strdup_printf ("cannot create %s: %s", c->pending_dir,
                                              g_strerror (errno));
      g_clear_pointer (&c->pending_dir, g_free);
      finish_pending (c, RT_CHECKPOINT_FAILED, why);
      return;
    }
  rt_mutex_unlock (&c->lock);
  /* Tasks end only on their own; a source that ended before its mail runs would never
   * inject, so the checkpoint is declined below or by rt__ckpt_task_ended. */
  for (guint i = 0; i < job->tasks->len; i++)
    {
      RtTask *t = job->tasks->pdata[i];

      if (((RtOperator *) t->ops->pdata[0])->klass->produce != NULL && !t->replayable)
        {
          CkptMail *m = g_new (CkptMail, 1);

          m->id = id;
          rt__task_post_mail (t, inject_mail, m);
        }
    }
  running = all_running (job); /* lock order: job, then coordinator */
  rt_mutex_lock (&c->lock);
  if (c->pending_id == id && (c->tasks_finished || !running))
    finish_pending (c, RT_CHECKPOINT_FAILED, "some tasks had already finished");
}

void
rt__ckpt_task_ended (RtCkptCoord *c, RtTask *task, gboolean failed)
{
  if (task->replayable && !failed)
    return; /* its lookup join's table is in; checkpoints go on without it */
  rt_mutex_lock (&c->lock);
  c->tasks_finished = TRUE;
  if (c->pending_id != 0)
    finish_pending (c, RT_CHECKPOINT_FAILED,
                    failed ? "a task failed" : "a task finished before the barrier reached it");
  rt_mutex_unlock (&c->lock);
}

gboolean
rt__ckpt_attempt_ended (RtCkptCoord *c, gboolean failed)
{
  gboolean restart = FALSE;

  rt_mutex_lock (&c->lock);
  if (failed && c->restarts_left > 0 && !g_atomic_int_get (&c->job->user_cancelled))
    {
      c->restarts_left--;
      c->restart_pending = TRUE;
      restart = TRUE;
      g_cond_broadcast (&c->cond);
    }
  rt_mutex_unlock (&c->lock);
  return restart;
}

/* Tears the failed attempt down and starts the next from the newest completed checkpoint
 * on disk (or what the job started from). Called without the lock. */
static void
restart (RtCkptCoord *c)
{
  RtJob *job = c->job;
  gint64 deadline = g_get_monotonic_time () + c->restart_delay_us, id = 0;
  GError *error = NULL;
  GHashTable *restore;
  char *dir = NULL;
  gboolean ok;

  rt_mutex_lock (&c->lock);
  while (!c->stop && !g_atomic_int_get (&job->user_cancelled)
         && rt_cond_wait_until (&c->cond, &c->lock, deadline))
    ;
  rt_mutex_unlock (&c->lock);
  rt__job_teardown (job);
  restore = load_latest (c->job_dir, job->plan, &id, &dir, NULL);
  if (restore == NULL && c->initial_restore != NULL)
    {
      restore = load_checkpoint (c->initial_restore, job->plan, &id, &error);
      dir = g_strdup (c->initial_restore);
    }
  restore_table_free (c->restore);
  g_free (c->restore_dir);
  c->restore = restore;
  c->restore_dir = dir;
  rt_mutex_lock (&c->lock);
  c->tasks_finished = FALSE;
  c->n_restarts++;
  c->next_id = MAX (c->next_id, id + 1);
  rt_mutex_unlock (&c->lock);

  rt_mutex_lock (&job->lock);
  g_atomic_int_set (&job->cancelled, 0);
  job->attempt++;
  ok = error == NULL && !c->stop && !g_atomic_int_get (&job->user_cancelled)
       && rt__job_build (job, &error);
  job->restarting = FALSE;
  if (!ok)
    {
      job->end_us = g_get_monotonic_time ();
      job->status = error != NULL ? RT_JOB_FAILED : RT_JOB_CANCELLED;
      if (error != NULL)
        {
          g_clear_error (&job->error);
          job->error = error;
        }
      g_cond_broadcast (&job->changed);
      rt_mutex_unlock (&job->lock);
      return;
    }
  g_clear_error (&job->error);
  job->n_running = job->tasks->len;
  job->n_replayable_ended = 0;
  rt_mutex_unlock (&job->lock);
  rt__job_start_threads (job);
}

static gpointer
coord_thread (gpointer data)
{
  RtCkptCoord *c = data;

  rt_mutex_lock (&c->lock);
  while (!c->stop)
    {
      gint64 now = g_get_monotonic_time (), wake = -1;
      CkptWrite *w = g_queue_pop_head (&c->writes);

      if (w != NULL)
        {
          rt_mutex_unlock (&c->lock);
          write_snapshot (c, w);
          ckpt_write_free (w);
          rt_mutex_lock (&c->lock);
          continue;
        }
      if (c->restart_pending)
        {
          c->restart_pending = FALSE;
          rt_mutex_unlock (&c->lock);
          restart (c);
          rt_mutex_lock (&c->lock);
          continue;
        }
      if (c->pending_id != 0)
        {
          wake = c->pending_start_us + c->timeout_us;
          if (now >= wake)
            {
              finish_pending (c, RT_CHECKPOINT_FAILED, "it expired before completing "
                              "(execution.checkpointing.timeout)");
              continue;
            }
        }
      else if (c->savepoint_wanted && !c->tasks_finished)
        {
          c->savepoint_wanted = FALSE;
          trigger (c, TRUE);
          continue;
        }
      else if (c->interval_us > 0 && !c->tasks_finished)
        {
          wake = MAX (c->last_trigger_us + c->interval_us, c->last_end_us + c->min_pause_us);
          if (c->last_trigger_us == 0)
            wake = MAX (now + c->interval_us, c->last_end_us + c->min_pause_us);
          if (now >= wake && c->last_trigger_us != 0)
            {
              trigger (c, FALSE);
              continue;
            }
          if (c->last_trigger_us == 0)
            c->last_trigger_us = now; /* the first checkpoint one interval after the start */
        }
      if (wake < 0)
        rt_cond_wait (&c->cond, &c->lock);
      else
        rt_cond_wait_until (&c->cond, &c->lock, wake);
    }
  rt_mutex_unlock (&c->lock);
  return NULL;
}

void
rt__ckpt_coord_wake (RtCkptCoord *c)
{
  if (c == NULL)
    return;
  rt_mutex_lock (&c->lock);
  g_cond_broadcast (&c->cond);
  rt_mutex_unlock (&c->lock);
}

void
rt__ckpt_coord_start (RtCkptCoord *c)
{
  if (c != NULL && c->thread == NULL)
    c->thread = g_thread_new ("strom-ckpt", coord_thread, c);
}

/* ---- final commit, savepoints, statistics ------------------------------------------ */

char *
rt_job_stop_with_savepoint (RtJob *job, const char *dir, GError **error)
{
  RtCkptCoord *c = job->ckpt;
  gint64 id;
  char *path = NULL;

  if (c == NULL)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT,
                   "This job was started without a checkpoint coordinator, so it cannot "
                   "take a savepoint");
      return NULL;
    }
  rt_mutex_lock (&c->lock);
  g_free (c->savepoint_target);
  c->savepoint_target = g_strdup (dir != NULL && *dir ? dir : c->savepoint_dir);
  c->savepoint_wanted = TRUE;
  c->savepoint_id = 0;
  g_cond_broadcast (&c->cond);
  while (!c->stop && (c->savepoint_wanted || c->savepoint_id == 0
                      || c->pending_id == c->savepoint_id))
    {
      if (c->tasks_finished && c->savepoint_wanted)
        break;
      rt_cond_wait (&c->cond, &c->lock);
    }
  id = c->savepoint_id;
  for (guint i = c->history->len; i-- > 0 && id != 0;)
    {
      RtCheckpointStats *s = &g_array_index (c->history, RtCheckpointStats, i);

      if (s->id != id)
        continue;
      if (s->status == RT_CHECKPOINT_COMPLETED)
        path = g_strdup (s->path);
      else
        g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT, "The savepoint failed: %s",
                     s->failure != NULL ? s->failure : "unknown reason");
      break;
    }
  if (path == NULL && (error == NULL || *error == NULL))
    g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT,
                 "The savepoint could not be taken: the job's tasks have finished");
  c->savepoint_wanted = FALSE;
  rt_mutex_unlock (&c->lock);
  if (path != NULL)
    rt_job_cancel (job);
  return path;
}

gboolean
rt_job_wait_checkpoint (RtJob *job, gint64 id, gint64 timeout_us)
{
  RtCkptCoord *c = job->ckpt;
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  gboolean ok;

  if (c == NULL)
    return FALSE;
  rt_mutex_lock (&c->lock);
  while (c->last_completed_id < id && !c->tasks_finished && !c->stop
         && rt_cond_wait_until (&c->cond, &c->lock, deadline))
    ;
  ok = c->last_completed_id >= id;
  rt_mutex_unlock (&c->lock);
  return ok;
}

RtCheckpointMetrics *
rt_job_get_checkpoint_metrics (RtJob *job)
{
  RtCkptCoord *c = job->ckpt;
  RtCheckpointMetrics *m;

  if (c == NULL)
    return NULL;
  m = g_new0 (RtCheckpointMetrics, 1);
  rt_mutex_lock (&c->lock);
  m->enabled = c->interval_us > 0;
  m->n_completed = c->n_completed;
  m->n_failed = c->n_failed;
  m->n_restarts = c->n_restarts;
  m->n_history = c->history->len + (c->pending_id != 0 ? 1 : 0);
  m->history = g_new0 (RtCheckpointStats, MAX (m->n_history, 1u));
  for (guint i = 0; i < c->history->len; i++)
    {
      RtCheckpointStats *s = &g_array_index (c->history, RtCheckpointStats, i);

      m->history[i] = *s;
      m->history[i].failure = g_strdup (s->failure);
      m->history[i].path = g_strdup (s->path);
    }
  if (c->pending_id != 0)
    {
      RtCheckpointStats *s = &m->history[c->history->len];

      s->id = c->pending_id;
      s->status = RT_CHECKPOINT_IN_PROGRESS;
      s->savepoint = c->pending_savepoint;
      s->trigger_us = c->pending_trigger_real_us;
      s->duration_us = g_get_monotonic_time () - c->pending_start_us;
      s->alignment_us = c->pending_align_us;
      s->sync_us = c->pending_sync_us;
      s->path = g_strdup (c->pending_dir);
    }
  m->last_completed_id = c->last_completed_id;
  m->last_completed_path = g_strdup (c->last_completed_path);
  m->restored_from = g_strdup (c->restore_dir);
  m->job_dir = g_strdup (c->job_dir);
  rt_mutex_unlock (&c->lock);
  return m;
}

void
rt_checkpoint_metrics_free (RtCheckpointMetrics *m)
{
  if (m == NULL)
    return;
  for (guint i = 0; i < m->n_history; i++)
    stats_clear (&m->history[i]);
  g_free (m->history);
  g_free (m->last_completed_path);
  g_free (m->restored_from);
  g_free (m->job_dir);
  g_free (m);
}
