/* bench-nexmark.c: events/s of the Nexmark queries in share/nexmark/ (their Flink SQL
 * text, blackhole sinks) through the whole stack, at parallelism 1 (one task thread per
 * operator chain: about one core) and 2. The event count per query is 'events.num' in
 * ddl.sql replaced by the figure below (NEXMARK_EVENTS overrides it); the rate only sets
 * event times, the source is not throttled. A first line measures the generator alone
 * (event_type only, so no strings are made) for scale. The managed memory is 1 GiB: the
 * unthrottled source runs far ahead of the 200 ms watermark interval, and the window
 * operators keep their rows until a watermark passes the window's end. Flink's published
 * figures for the same queries are about 155K (q0), 22K (q5), 12K (q7) events/s per core. */
#include "runtime/gateway/gw-client.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *
read_share (const char *name)
{
  const char *root = g_getenv ("STROM_SOURCE_ROOT");
  g_autofree char *path = g_build_filename (root != NULL ? root : ".", "share", "nexmark", name,
                                            NULL);
  g_autoptr (GError) error = NULL;
  char *text = NULL;

  if (!g_file_get_contents (path, &text, NULL, &error))
    g_error ("%s (set STROM_SOURCE_ROOT to the source tree)", error->message);
  return text;
}

/* Runs each ';'-terminated statement of text; returns the last operation. */
static GwOperation *
run_script (GwClient *c, const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text, ";\n", -1);
  GwOperation *op = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_auto (GStrv) lines = g_strsplit (parts[i], "\n", -1);
      gboolean code = FALSE;

      for (guint l = 0; lines[l] != NULL; l++)
        code = code || (g_strstrip (lines[l])[0] != '\0' && !g_str_has_prefix (lines[l], "--"));
      if (!code)
        continue;
      op = gw_client_execute (c, parts[i], &error);
      if (op == NULL)
        g_error ("%s", error->message);
    }
  return op;
}

/* added by partitioned sinks: deletes q10's output tree */
static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (path);
}

static double
run (const char *query, guint parallelism, guint64 events)
{
  g_autofree char *out_dir = g_dir_make_tmp ("strom-bench-q10-XXXXXX", NULL);
  g_autofree char *out_opt = g_strdup_printf ("'%s'", out_dir);
  g_autoptr (GwClient) c = gw_client_new_embedded (NULL);
  g_autofree char *ddl = read_share ("ddl.sql");
  g_autofree char *count = g_strdup_printf ("'events.num' = '%" G_GUINT64_FORMAT "'", events);
  /* streaming, as Nexmark measures: events.num bounds the stream, so the default
   * ('automatic') would run batch */
  g_autofree char *set = g_strdup_printf ("SET 'parallelism.default' = '%u';\n"
                                          "SET 'taskmanager.memory.managed.size' = '1g';\n"
                                          "SET 'execution.runtime-mode' = 'streaming';\n",
                                          parallelism);
  g_autofree char *q = NULL;
  g_autoptr (GString) script = g_string_new (ddl);
  GwOperation *op;
  gint64 t0, t1;

  g_string_replace (script, "'events.num' = '100000'", count, 1);
  g_string_append_c (script, '\n');
  run_script (c, set);
  run_script (c, script->str);
  if (query != NULL)
    {
      /* added by lookup joins: q13's side input path is relative to the source root */
      g_autofree char *raw = read_share (query);
      g_autoptr (GString) text = g_string_new (raw);
      g_autofree char *dir = g_strdup_printf ("'%s/share/nexmark/",
                                              g_getenv ("STROM_SOURCE_ROOT") != NULL
                                              ? g_getenv ("STROM_SOURCE_ROOT") : ".");

      g_string_replace (text, "'share/nexmark/", dir, 0);
      g_string_replace (text, "'nexmark-q10-output'", out_opt, 0); /* partitioned sinks */
      q = g_string_free (g_steal_pointer (&text), FALSE);
    }
  else
    q = g_strdup ("CREATE TABLE nexmark_gen (t INT) WITH ('connector' = 'blackhole');\n"
                  "INSERT INTO nexmark_gen SELECT event_type FROM datagen;\n");
  t0 = g_get_monotonic_time ();
  op = run_script (c, q);
  if (gw_operation_wait (op) != GW_STATUS_FINISHED)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GwPage) page = gw_operation_fetch (op, 1, 0, &error);

      printf ("  %s failed: %s\n", query != NULL ? query : "the generator",
              error != NULL ? error->message : "?");
      remove_tree (out_dir);
      return 0;
    }
  t1 = g_get_monotonic_time ();
  remove_tree (out_dir);
  return (double) events / ((double) (t1 - t0) / G_USEC_PER_SEC);
}

/* NEXMARK_QUERIES=q5,q7 runs only those (and no generator line); unset: all. */
static gboolean
wanted (const char *file)
{
  const char *only = g_getenv ("NEXMARK_QUERIES");
  g_auto (GStrv) names = NULL;

  if (only == NULL || *only == '\0')
    return TRUE;
  if (file == NULL)
    return FALSE;
  names = g_strsplit (only, ",", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *f = g_strdup_printf ("%s.sql", g_strstrip (names[i]));

      if (strcmp (f, file) == 0)
        return TRUE;
    }
  return FALSE;
}

int
main (void)
{
  static const struct {
    const char *file;
    guint64 events;
  } queries[] = {
    { NULL, 20000000 }, { "q0.sql", 4000000 }, { "q1.sql", 4000000 }, { "q2.sql", 4000000 },
    { "q3.sql", 2000000 }, { "q4.sql", 1000000 }, { "q5.sql", 500000 },
    { "q7.sql", 1000000 }, { "q8.sql", 2000000 }, { "q15.sql", 2000000 },
    { "q17.sql", 2000000 }, { "q21.sql", 4000000 }, { "q22.sql", 4000000 },
    { "q11.sql", 1000000 }, { "q18.sql", 1000000 }, { "q19.sql", 1000000 },
    { "q20.sql", 2000000 }, { "q9.sql", 1000000 }, { "q16.sql", 1000000 },
    { "q12.sql", 2000000 }, { "q13.sql", 2000000 }, /* added by lookup joins, proctime windows */
    { "q10.sql", 1000000 }, { "q14.sql", 4000000 }, /* added by partitioned sinks */
  };
  const char *override = g_getenv ("NEXMARK_EVENTS");

  printf ("Nexmark (share/nexmark), events/s; parallelism 1 | 2:\n");
  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      guint64 events = override != NULL ? g_ascii_strtoull (override, NULL, 10)
                                        : queries[i].events;
      double p1, p2;

      if (!wanted (queries[i].file))
        continue;
      p1 = run (queries[i].file, 1, events);
      p2 = run (queries[i].file, 2, events);

      printf ("  %-28s %10" G_GUINT64_FORMAT " events: %7.2f M/s | %7.2f M/s\n",
              queries[i].file != NULL ? queries[i].file : "generator (event_type only)",
              events, p1 / 1e6, p2 / 1e6);
      fflush (stdout);
    }
  return 0;
}
