/* repl-meta.c: the backslash commands, in psql's manner.
 *
 * One table lists every command with its usage and a one-line summary; \? prints it,
 * completion offers its names and an unknown name is matched against it by edit
 * distance ("\jbos" -> "Did you mean \jobs?"). So the table holds only commands that
 * work: adding a row is how a command becomes visible. Each command is a handler
 * taking the shell and the argument text (everything after the name, trimmed).
 *
 * Jobs are named by their number in \jobs (1 = the session's oldest) or by a prefix of
 * their id. \job reads gw_operation_dup_metrics_json: an operator's busy, idle and
 * backpressured time is that of the task it runs in (chained operators share a
 * thread, so they share the figures), averaged over the task's subtasks. */
#include "repl-private.h"

#include "optimizer/opt.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

typedef ReplMetaResult (*ReplMetaFunc) (ReplShell *shell, const char *arg);

typedef struct {
  ReplMetaInfo info;
  ReplMetaFunc run;
} ReplMeta;

static ReplMetaResult meta_help_list (ReplShell *shell, const char *arg);
static ReplMetaResult meta_help (ReplShell *shell, const char *arg);
static ReplMetaResult meta_quit (ReplShell *shell, const char *arg);
static ReplMetaResult meta_timing (ReplShell *shell, const char *arg);
static ReplMetaResult meta_set (ReplShell *shell, const char *arg);
static ReplMetaResult meta_unset (ReplShell *shell, const char *arg);
static ReplMetaResult meta_jobs (ReplShell *shell, const char *arg);
static ReplMetaResult meta_job (ReplShell *shell, const char *arg);
static ReplMetaResult meta_cancel (ReplShell *shell, const char *arg);
static ReplMetaResult meta_connect (ReplShell *shell, const char *arg); /* added by server */
static ReplMetaResult meta_explain (ReplShell *shell, const char *arg);
static ReplMetaResult meta_plan (ReplShell *shell, const char *arg);
static ReplMetaResult meta_cells (ReplShell *shell, const char *arg);
static ReplMetaResult meta_rerun (ReplShell *shell, const char *arg);
static ReplMetaResult meta_edit (ReplShell *shell, const char *arg);
static ReplMetaResult meta_save (ReplShell *shell, const char *arg);
static ReplMetaResult meta_open (ReplShell *shell, const char *arg);
static ReplMetaResult meta_export (ReplShell *shell, const char *arg);

static const ReplMeta metas[] = {
  { { "\\?", "", "list these commands" }, meta_help_list },
  { { "\\help", "[TOPIC]", "help on SQL statements (\\help SELECT) or a command" }, meta_help },
  { { "\\quit", "", "leave strom (also \\q, exit, quit, Ctrl-D)" }, meta_quit },
  { { "\\timing", "[on|off]", "show how long each statement took" }, meta_timing },
  { { "\\set", "[NAME VALUE]", "format (table|live|changelog|csv|json), timing, pager" },
    meta_set },
  { { "\\unset", "NAME", "put a \\set variable back to its default" }, meta_unset },
  { { "\\jobs", "", "this session's jobs: status, rows read, elapsed time" }, meta_jobs },
  { { "\\job", "N|ID", "a job's operators: busy/idle/backpressured, rows/s, latency" },
    meta_job },
  { { "\\cancel", "N|ID", "cancel a running job" }, meta_cancel },
  { { "\\connect", "URL [TOKEN_FILE]", "run later statements on a strom serve instance" },
    meta_connect },
  { { "\\explain", "SQL", "EXPLAIN, plus what each operator partitions by, keeps and emits" },
    meta_explain },
  { { "\\plan", "[FILE.png|FILE.svg] SQL", "the physical plan: a picture (Graphviz) or a "
      "tree" }, meta_plan },
  { { "\\cells", "", "list this session's cells" }, meta_cells },
  { { "\\rerun", "N", "run cell N again" }, meta_rerun },
  { { "\\edit", "N", "edit cell N in $EDITOR, then run the edited text" }, meta_edit },
  { { "\\save", "[FILE]", "save the session's cells in the notebook FILE (.strom)" },
    meta_save },
  { { "\\open", "FILE", "open (or start) a notebook and restore its session" }, meta_open },
  { { "\\export", "FILE.sql|FILE.md", "write the cells as a script, or a page with their "
      "output" }, meta_export },
};

/* ---- the table, parsing, suggestions --------------------------------------------------- */

const ReplMetaInfo *
repl_meta_commands (guint *n_out)
{
  static ReplMetaInfo infos[G_N_ELEMENTS (metas)];

  for (guint i = 0; i < G_N_ELEMENTS (metas); i++)
    infos[i] = metas[i].info;
  if (n_out != NULL)
    *n_out = G_N_ELEMENTS (metas);
  return infos;
}

static const ReplMeta *
find_meta (const char *name)
{
  if (g_strcmp0 (name, "\\q") == 0)
    name = "\\quit";
  for (guint i = 0; i < G_N_ELEMENTS (metas); i++)
    if (g_strcmp0 (metas[i].info.name, name) == 0)
      return &metas[i];
  return NULL;
}

const ReplMetaInfo *
repl_meta_lookup (const char *name)
{
  const ReplMeta *meta = find_meta (name);

  return meta != NULL ? &meta->info : NULL;
}

gboolean
repl_meta_parse (const char *line, char **name_out, char **arg_out)
{
  const char *p = line;
  const char *end;

  g_return_val_if_fail (line != NULL, FALSE);
  while (g_ascii_isspace (*p))
    p++;
  if (*p != '\\')
    return FALSE;
  end = p + 1;
  while (*end != '\0' && !g_ascii_isspace (*end))
    end++;
  *name_out = g_strndup (p, end - p);
  *arg_out = g_strstrip (g_strdup (end));
  return TRUE;
}

guint
repl_edit_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree guint *row = g_new (guint, lb + 1);

  for (gsize j = 0; j <= lb; j++)
    row[j] = j;
  for (gsize i = 1; i <= la; i++)
    {
      guint diagonal = row[0];

      row[0] = i;
      for (gsize j = 1; j <= lb; j++)
        {
          guint above = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 1]) ? 0 : 1;

          row[j] = MIN (MIN (row[j] + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }
  return row[lb];
}

const char *
repl_suggest (const char *name, const char *const *known)
{
  const char *best = NULL;
  guint best_distance = G_MAXUINT;

  for (guint i = 0; known != NULL && known[i] != NULL; i++)
    {
      guint d = repl_edit_distance (name, known[i]);
      guint longer = MAX (strlen (name), strlen (known[i]));

      if (d <= MAX (2, longer / 3) && d < best_distance)
        {
          best = known[i];
          best_distance = d;
        }
    }
  return best;
}

const char *
repl_meta_suggest (const char *name)
{
  const char *names[G_N_ELEMENTS (metas) + 2];

  for (guint i = 0; i < G_N_ELEMENTS (metas); i++)
    names[i] = metas[i].info.name;
  names[G_N_ELEMENTS (metas)] = "\\q";
  names[G_N_ELEMENTS (metas) + 1] = NULL;
  return repl_suggest (name, names);
}

ReplMetaResult
repl__meta_run (ReplShell *shell, const char *line)
{
  g_autofree char *name = NULL;
  g_autofree char *arg = NULL;
  const ReplMeta *meta;
  const char *close;

  if (!repl_meta_parse (line, &name, &arg))
    return REPL_META_CONTINUE;
  meta = find_meta (name);
  if (meta != NULL)
    return meta->run (shell, arg);
  close = repl_meta_suggest (name);
  if (close != NULL)
    fprintf (stderr, "Invalid command %s. Did you mean %s? Try \\? for the list.\n", name,
             close);
  else
    fprintf (stderr, "Invalid command %s. Try \\? for the list.\n", name);
  return REPL_META_CONTINUE;
}

/* ---- help ------------------------------------------------------------------------------ */

static ReplMetaResult
meta_help_list (ReplShell *shell, const char *arg)
{
  g_autoptr (GString) out = g_string_new (NULL);

  g_string_append (out, "Statements end with ';' and may span lines; each one you run is "
                   "a numbered cell.\nCtrl-C cancels a running statement, or clears the "
                   "input at the prompt.\n\n");
  for (guint i = 0; i < G_N_ELEMENTS (metas); i++)
    {
      g_autofree char *usage = g_strdup_printf ("%s %s", metas[i].info.name,
                                                metas[i].info.args);

      g_string_append_printf (out, "  %-34s %s\n", usage, metas[i].info.summary);
    }
  fputs (out->str, stdout);
  return REPL_META_CONTINUE;
}

typedef struct {
  const char *topic;
  const char *text;
} ReplHelpTopic;

static const ReplHelpTopic help_topics[] = {
  { "SELECT", "SELECT expr [AS name], ... FROM table_or_view [WHERE condition]\n"
    "  [LIMIT n [OFFSET m]];\nWITH name AS (SELECT ...) SELECT ...;   VALUES (1, 'a'), (2, 'b');\n"
    "A SELECT on an unbounded source runs until Ctrl-C or its LIMIT." },
  { "FROM", "Pipe syntax, one step per line:\n  FROM table |> WHERE condition |> SELECT "
    "a, b |> EXTEND a + b AS c |> LIMIT 10;" },
  { "INSERT", "INSERT INTO sink_table SELECT ...;\nStarts a job that runs in the background; "
    "\\jobs lists it, \\cancel N stops it." },
  { "CREATE TABLE", "CREATE TABLE name (column TYPE, ...) WITH ('connector' = 'datagen' |\n"
    "  'filesystem' | 'print' | 'blackhole', 'key' = 'value', ...);\nTypes: BOOLEAN, INT, "
    "BIGINT, DOUBLE, DECIMAL(p, s), VARCHAR, DATE, TIMESTAMP(3)." },
  { "CREATE VIEW", "CREATE VIEW name AS SELECT ...;" },
  { "DROP", "DROP TABLE [IF EXISTS] name;   DROP VIEW [IF EXISTS] name;" },
  { "SET", "SET 'key' = 'value';   SET;  (lists every setting)\nKeys: parallelism.default, "
    "pipeline.buffer-timeout, taskmanager.memory.managed.size,\n  metrics.latency.interval, "
    "execution.batch-size, table.optimizer.disabled-passes, ..." },
  { "RESET", "RESET 'key';   RESET;  (every setting back to its default)" },
  { "SHOW", "SHOW TABLES;   SHOW VIEWS;" },
  { "DESCRIBE", "DESCRIBE table;  the columns and their types" },
  { "EXPLAIN", "EXPLAIN [ESTIMATED_COST] SELECT ... | INSERT ...;   the plans as text\n"
    "EXPLAIN JSON (or JSON_EXECUTION_PLAN) ...;   one JSON document, with estimates and\n"
    "  the join strategies the optimizer rejected, with their costs\n"
    "EXPLAIN DOT ...;   the physical plan as Graphviz DOT\n"
    "EXPLAIN ANALYZE [JSON] ...;   runs a bounded query and shows actual rows, busy time\n"
    "  and spilled bytes next to the estimates (an INSERT really writes)\n"
    "\\explain SQL adds a line in words per operator; \\plan SQL draws it." },
};

static gboolean
help_on_meta (const char *topic)
{
  g_autofree char *name = topic[0] == '\\' ? g_strdup (topic) : g_strconcat ("\\", topic,
                                                                             NULL);
  const ReplMeta *meta = find_meta (name);

  if (meta == NULL)
    return FALSE;
  printf ("%s %s\n  %s\n", meta->info.name, meta->info.args, meta->info.summary);
  return TRUE;
}

static ReplMetaResult
meta_help (ReplShell *shell, const char *arg)
{
  const char *names[G_N_ELEMENTS (help_topics) + 1];

  if (arg[0] == '\0')
    {
      fputs ("Help topics (\\help TOPIC):\n ", stdout);
      for (guint i = 0; i < G_N_ELEMENTS (help_topics); i++)
        printf (" %s%s", help_topics[i].topic, i + 1 < G_N_ELEMENTS (help_topics) ? "," : "");
      fputs ("\nand every meta-command (\\help \\plan); \\? lists them.\n", stdout);
      return REPL_META_CONTINUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (help_topics); i++)
    {
      names[i] = help_topics[i].topic;
      if (g_ascii_strcasecmp (arg, help_topics[i].topic) == 0
          || (strchr (help_topics[i].topic, ' ') != NULL
              && g_ascii_strncasecmp (arg, help_topics[i].topic, strlen (arg)) == 0
              && strlen (arg) > 6))
        {
          printf ("%s\n", help_topics[i].text);
          return REPL_META_CONTINUE;
        }
    }
  names[G_N_ELEMENTS (help_topics)] = NULL;
  if (help_on_meta (arg))
    return REPL_META_CONTINUE;
  if (repl_suggest (arg, names) != NULL)
    fprintf (stderr, "No help on '%s'. Did you mean \\help %s?\n", arg,
             repl_suggest (arg, names));
  else
    fprintf (stderr, "No help on '%s'. \\help lists the topics.\n", arg);
  return REPL_META_CONTINUE;
}

static ReplMetaResult
meta_quit (ReplShell *shell, const char *arg)
{
  return REPL_META_QUIT;
}

/* ---- variables -------------------------------------------------------------------------- */

/* "on"/"off" (also true/false, 1/0); FALSE for anything else. */
static gboolean
parse_switch (const char *text, gboolean *out)
{
  static const char *const on[] = { "on", "true", "1", NULL };
  static const char *const off[] = { "off", "false", "0", NULL };

  if (g_strv_contains (on, text) || g_ascii_strcasecmp (text, "on") == 0)
    *out = TRUE;
  else if (g_strv_contains (off, text) || g_ascii_strcasecmp (text, "off") == 0)
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

static ReplMetaResult
meta_timing (ReplShell *shell, const char *arg)
{
  gboolean on = !shell->timing;

  if (arg[0] != '\0' && !parse_switch (arg, &on))
    {
      fprintf (stderr, "\\timing: expected on or off, not '%s'\n", arg);
      return REPL_META_CONTINUE;
    }
  shell->timing = on;
  printf ("Timing is %s.\n", on ? "on" : "off");
  return REPL_META_CONTINUE;
}

static const char *const variables[] = { "format", "timing", "pager", NULL };

static gboolean
check_variable (const char *name)
{
  const char *close;

  if (g_strv_contains (variables, name))
    return TRUE;
  close = repl_suggest (name, variables);
  fprintf (stderr, "\\set: unknown variable '%s'%s%s%s; the variables are format, timing "
           "and pager (SET 'key' = 'value'; changes the engine's settings)\n", name,
           close != NULL ? " (did you mean " : "", close != NULL ? close : "",
           close != NULL ? "?)" : "");
  return FALSE;
}

static void
set_variable (ReplShell *shell, const char *name, const char *value)
{
  if (strcmp (name, "format") == 0)
    {
      if (!repl_format_from_string (value, &shell->format))
        fprintf (stderr, "\\set format: expected table, live, changelog, csv or json, not "
                 "'%s'\n", value);
    }
  else if (!parse_switch (value, strcmp (name, "pager") == 0 ? &shell->pager
                                                             : &shell->timing))
    fprintf (stderr, "\\set %s: expected on or off, not '%s'\n", name, value);
}

static void
print_variable (ReplShell *shell, const char *name)
{
  if (strcmp (name, "format") == 0)
    printf ("format = %s\n", repl_format_name (shell->format));
  else if (strcmp (name, "timing") == 0)
    printf ("timing = %s\n", shell->timing ? "on" : "off");
  else
    printf ("pager = %s\n", shell->pager ? "on" : "off");
}

static ReplMetaResult
meta_set (ReplShell *shell, const char *arg)
{
  g_auto (GStrv) words = g_strsplit_set (arg, " \t", 2);

  if (arg[0] == '\0')
    {
      for (guint i = 0; variables[i] != NULL; i++)
        print_variable (shell, variables[i]);
      return REPL_META_CONTINUE;
    }
  if (!check_variable (words[0]))
    return REPL_META_CONTINUE;
  if (words[1] == NULL || *g_strstrip (words[1]) == '\0')
    {
      print_variable (shell, words[0]);
      return REPL_META_CONTINUE;
    }
  set_variable (shell, words[0], words[1]);
  return REPL_META_CONTINUE;
}

static ReplMetaResult
meta_unset (ReplShell *shell, const char *arg)
{
  if (arg[0] == '\0')
    {
      fputs ("\\unset: name the variable: format, timing or pager\n", stderr);
      return REPL_META_CONTINUE;
    }
  if (!check_variable (arg))
    return REPL_META_CONTINUE;
  if (strcmp (arg, "format") == 0)
    shell->format = REPL_FORMAT_TABLE;
  else if (strcmp (arg, "pager") == 0)
    shell->pager = TRUE;
  else
    shell->timing = FALSE;
  return REPL_META_CONTINUE;
}

/* ---- jobs ------------------------------------------------------------------------------- */

/* The operation named by arg: a number in \jobs, or a prefix of a job id. */
static GwOperation *
find_job (ReplShell *shell, const char *arg, const char *command)
{
  g_auto (GStrv) ids = gw_client_list_jobs (shell->client);
  guint n = g_strv_length (ids);
  char *end = NULL;
  guint64 number;
  GwOperation *op;

  if (arg[0] == '\0')
    {
      fprintf (stderr, "%s: name a job by its number in \\jobs or its id\n", command);
      return NULL;
    }
  number = g_ascii_strtoull (arg, &end, 10);
  if (*end == '\0' && number >= 1 && number <= n && strlen (arg) < 8)
    return gw_client_get_operation (shell->client, ids[number - 1]);
  op = gw_client_get_operation (shell->client, arg);
  if (op == NULL)
    fprintf (stderr, "%s: no job '%s' in this session (\\jobs lists them)\n", command, arg);
  return op;
}

static JsonObject *
parse_metrics (GwOperation *op, JsonParser *parser)
{
  g_autofree char *text = gw_operation_dup_metrics_json (op);
  JsonNode *root;

  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
}

static ReplMetaResult
meta_jobs (ReplShell *shell, const char *arg)
{
  g_auto (GStrv) ids = gw_client_list_jobs (shell->client);

  if (ids[0] == NULL)
    {
      puts ("No jobs yet: a SELECT or INSERT starts one.");
      return REPL_META_CONTINUE;
    }
  printf ("%3s  %-32s  %-9s  %12s  %10s  %s\n", "#", "job", "status", "rows read",
          "elapsed", "statement");
  for (guint i = 0; ids[i] != NULL; i++)
    {
      GwOperation *op = gw_client_get_operation (shell->client, ids[i]);
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *m = op != NULL ? parse_metrics (op, parser) : NULL;
      const PlanStatement *stmt = op != NULL ? gw_operation_get_statement (op) : NULL;
      g_autofree char *text = g_strdup (stmt != NULL && stmt->text != NULL ? stmt->text : "");
      gint64 ms = m != NULL ? json_object_get_int_member_with_default (m, "elapsed_ms", 0) : 0;

      if (op == NULL)
        continue;
      g_strdelimit (text, "\n\t", ' ');
      if (g_utf8_strlen (text, -1) > 60)
        strcpy (g_utf8_offset_to_pointer (text, 57), "...");
      printf ("%3u  %-32s  %-9s  %12" G_GUINT64_FORMAT "  %8.1f s  %s\n", i + 1, ids[i],
              gw_status_name (gw_operation_get_status (op)), gw_operation_get_rows_read (op),
              ms / 1000.0, text);
    }
  return REPL_META_CONTINUE;
}

/* Busy, idle and backpressured ms/s of the task that runs the operator called name,
 * averaged over its subtasks. FALSE when no task runs it. */
static gboolean
task_times (JsonObject *m, const char *name, double out[3])
{
  static const char *const keys[] = { "busy_ms_per_s", "idle_ms_per_s",
                                      "backpressured_ms_per_s" };
  JsonArray *tasks = json_object_get_array_member (m, "tasks");
  guint n = 0;

  out[0] = out[1] = out[2] = 0;
  for (guint i = 0; tasks != NULL && i < json_array_get_length (tasks); i++)
    {
      JsonObject *t = json_array_get_object_element (tasks, i);
      g_auto (GStrv) parts = g_strsplit (json_object_get_string_member_with_default (t, "name",
                                                                                      ""),
                                         " -> ", -1);

      if (!g_strv_contains ((const char *const *) parts, name))
        continue;
      for (guint k = 0; k < 3; k++)
        out[k] += json_object_get_double_member_with_default (t, keys[k], 0);
      n++;
    }
  for (guint k = 0; k < 3 && n > 0; k++)
    out[k] /= n;
  return n > 0;
}

/* A latency figure; the metrics say -1 when none was measured. */
static void
append_latency (GString *out, double ms)
{
  if (ms < 0)
    g_string_append_printf (out, " %8s", "-");
  else
    g_string_append_printf (out, " %8.2f", ms);
}

static void
print_operators (JsonObject *m)
{
  JsonArray *ops = json_object_get_array_member (m, "operators");
  g_autoptr (GString) out = g_string_new (NULL);
  gboolean any_latency = FALSE;

  g_string_append_printf (out, "%-28s %3s %8s %8s %8s %11s %11s %10s %8s %8s %-23s %6s\n",
                          "operator", "par", "busy", "idle", "backpr.", "rows in", "rows out",
                          "rows/s", "p50 ms", "p99 ms", "watermark", "late");
  for (guint i = 0; ops != NULL && i < json_array_get_length (ops); i++)
    {
      JsonObject *o = json_array_get_object_element (ops, i);
      const char *name = json_object_get_string_member_with_default (o, "name", "?");
      g_autofree char *label = g_strdup_printf ("[%" G_GINT64_FORMAT "] %s",
                                                json_object_get_int_member_with_default
                                                  (o, "id", 0), name);
      double t[3];
      double p50 = json_object_get_double_member_with_default (o, "latency_p50_ms", -1);
      double p99 = json_object_get_double_member_with_default (o, "latency_p99_ms", -1);

      task_times (m, name, t);
      any_latency |= p50 >= 0 || p99 >= 0;
      g_string_append_printf (out, "%-28s %3" G_GINT64_FORMAT " %8.1f %8.1f %8.1f %11"
                              G_GINT64_FORMAT " %11" G_GINT64_FORMAT " %10.1f", label,
                              json_object_get_int_member_with_default (o, "parallelism", 1),
                              t[0], t[1], t[2],
                              json_object_get_int_member_with_default (o, "rows_in", 0),
                              json_object_get_int_member_with_default (o, "rows_out", 0),
                              json_object_get_double_member_with_default (o, "rows_per_s", 0));
      g_autofree char *wm = repl__watermark_text (o);

      append_latency (out, p50);
      append_latency (out, p99);
      g_string_append_printf (out, " %-23s %6" G_GINT64_FORMAT "\n", wm != NULL ? wm : "-",
                              json_object_get_int_member_with_default
                                (o, "late_records_dropped", 0));
    }
  g_string_append (out, "busy, idle and backpressured: ms per second of the operator's task "
                   "(chained operators share one); late: rows dropped behind the "
                   "watermark.\n");
  if (!any_latency)
    g_string_append (out, "No latency measured: SET 'metrics.latency.interval' = '100 ms'; "
                     "before starting a job.\n");
  fputs (out->str, stdout);
}

/* added by checkpoints: "Checkpoints: 12 completed, 0 failed, 1 restart" then the last
 * few with their duration, size and alignment. */
static void
print_checkpoints (JsonObject *m)
{
  JsonObject *c;
  JsonArray *h;
  guint n, from;

  if (!json_object_has_member (m, "checkpoints"))
    return;
  c = json_object_get_object_member (m, "checkpoints");
  h = json_object_get_array_member (c, "history");
  if (!json_object_get_boolean_member_with_default (c, "enabled", FALSE)
      && (h == NULL || json_array_get_length (h) == 0)
      && json_object_get_int_member_with_default (c, "restarts", 0) == 0
      && !json_object_has_member (c, "restored_from"))
    return; /* no interval, no savepoint, no restart: nothing to say */
  printf ("Checkpoints: %" G_GINT64_FORMAT " completed, %" G_GINT64_FORMAT " failed, %"
          G_GINT64_FORMAT " restart(s)%s%s\n",
          json_object_get_int_member_with_default (c, "completed", 0),
          json_object_get_int_member_with_default (c, "failed", 0),
          json_object_get_int_member_with_default (c, "restarts", 0),
          json_object_has_member (c, "restored_from") ? "; restored from " : "",
          json_object_get_string_member_with_default (c, "restored_from", ""));
  h = json_object_get_array_member (c, "history");
  n = h != NULL ? json_array_get_length (h) : 0;
  from = n > 5 ? n - 5 : 0;
  if (n > 0)
    printf ("  %6s  %-11s  %10s  %10s  %10s  %12s  %s\n", "id", "status", "duration", "sync",
            "size", "alignment", "path / failure");
  for (guint i = from; i < n; i++)
    {
      JsonObject *s = json_array_get_object_element (h, i);
      g_autofree char *size =
        g_format_size ((guint64) json_object_get_int_member_with_default (s, "size", 0));

      printf ("  %6" G_GINT64_FORMAT "  %-11s  %7.1f ms  %7.1f ms  %10s  %9.1f ms  %s%s\n",
              json_object_get_int_member_with_default (s, "id", 0),
              json_object_get_string_member_with_default (s, "status", "?"),
              json_object_get_double_member_with_default (s, "duration_ms", 0),
              json_object_get_double_member_with_default (s, "sync_ms", 0), size,
              json_object_get_double_member_with_default (s, "alignment_ms", 0),
              json_object_get_boolean_member_with_default (s, "savepoint", FALSE)
              ? "savepoint " : "",
              json_object_get_string_member_with_default (
                s, "failure", json_object_get_string_member_with_default (s, "path", "")));
    }
}

static ReplMetaResult
meta_job (ReplShell *shell, const char *arg)
{
  GwOperation *op = find_job (shell, arg, "\\job");
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *m;

  if (op == NULL)
    return REPL_META_CONTINUE;
  m = parse_metrics (op, parser);
  if (m == NULL || !json_object_has_member (m, "operators"))
    {
      fprintf (stderr, "\\job: no metrics for job %s\n", gw_operation_get_job_id (op));
      return REPL_META_CONTINUE;
    }
  printf ("Job %s  %s  elapsed %.1f s  rows read %" G_GINT64_FORMAT "\n",
          gw_operation_get_job_id (op), gw_status_name (gw_operation_get_status (op)),
          json_object_get_int_member_with_default (m, "elapsed_ms", 0) / 1000.0,
          json_object_get_int_member_with_default (m, "rows_read", 0));
  print_operators (m);
  print_checkpoints (m); /* added by checkpoints */
  return REPL_META_CONTINUE;
}

static ReplMetaResult
meta_cancel (ReplShell *shell, const char *arg)
{
  GwOperation *op = find_job (shell, arg, "\\cancel");
  GwStatus status;

  if (op == NULL)
    return REPL_META_CONTINUE;
  status = gw_operation_get_status (op);
  if (status != GW_STATUS_CREATED && status != GW_STATUS_RUNNING)
    {
      printf ("Job %s has already ended (%s).\n", gw_operation_get_job_id (op),
              gw_status_name (status));
      return REPL_META_CONTINUE;
    }
  gw_operation_cancel (op);
  printf ("Job %s: cancellation requested.\n", gw_operation_get_job_id (op));
  return REPL_META_CONTINUE;
}

/* \connect URL [TOKEN_FILE] (added by server): later statements run on a `strom serve`
 * instance in a new session. The first client belongs to main; those opened here are
 * kept until exit, since operations shown earlier may still point into them. */
static GPtrArray *connected_clients;

static void
free_connected_clients (void)
{
  g_clear_pointer (&connected_clients, g_ptr_array_unref);
}

static ReplMetaResult
meta_connect (ReplShell *shell, const char *arg)
{
  g_auto (GStrv) words = NULL;
  g_autoptr (GError) error = NULL;
  GwClient *client;

  if (!g_shell_parse_argv (arg, NULL, &words, NULL) || g_strv_length (words) > 2)
    {
      puts ("Usage: \\connect URL [TOKEN_FILE], e.g. \\connect http://127.0.0.1:8081");
      return REPL_META_CONTINUE;
    }
  client = gw_remote_client_connect (words[0], words[1], &error);
  if (client == NULL)
    {
      fprintf (stderr, "\\connect: %s\n", error->message);
      return REPL_META_CONTINUE;
    }
  if (connected_clients == NULL)
    {
      connected_clients = g_ptr_array_new_with_free_func ((GDestroyNotify) gw_client_free);
      atexit (free_connected_clients);
    }
  g_ptr_array_add (connected_clients, client);
  shell->client = client;
  printf ("Connected to %s: statements now run there, in a new session.\n", words[0]);
  return REPL_META_CONTINUE;
}

/* ---- plans -------------------------------------------------------------------------------- */

/* The SQL of a meta-command without a trailing ';'. */
static char *
strip_sql (const char *arg)
{
  char *sql = g_strstrip (g_strdup (arg));
  gsize len = strlen (sql);

  while (len > 0 && (sql[len - 1] == ';' || g_ascii_isspace (sql[len - 1])))
    sql[--len] = '\0';
  return sql;
}

/* Binds and optimizes a SELECT or INSERT; NULL after printing the error. */
static PlanPhysPlan *
physical_plan (ReplShell *shell, const char *sql)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (PlanStatement) stmt = NULL;
  g_autoptr (OptResult) result = NULL;
  g_autofree char *message = NULL;

  stmt = plan_sql_compile_one (gw_client_get_catalog (shell->client), sql, &error);
  if (stmt != NULL && stmt->kind != PLAN_STMT_QUERY && stmt->kind != PLAN_STMT_INSERT)
    {
      fputs ("ERROR: only a SELECT or an INSERT has a plan to show\n", stderr);
      return NULL;
    }
  if (stmt != NULL)
    result = opt_optimize (stmt->plan, gw_client_get_settings (shell->client), &error);
  if (result == NULL)
    {
      message = plan_sql_format_error (sql, error);
      fprintf (stderr, "%s%s", message, g_str_has_suffix (message, "\n") ? "" : "\n");
      return NULL;
    }
  return plan_phys_plan_ref (opt_result_get_physical (result));
}

static ReplMetaResult
meta_explain (ReplShell *shell, const char *arg)
{
  g_autofree char *sql = strip_sql (arg);
  g_autofree char *explain = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autofree char *words = NULL;

  if (sql[0] == '\0')
    {
      fputs ("\\explain: give a statement: \\explain SELECT ...\n", stderr);
      return REPL_META_CONTINUE;
    }
  plan = physical_plan (shell, sql);
  if (plan == NULL)
    return REPL_META_CONTINUE;
  explain = g_strconcat ("EXPLAIN ", sql, NULL);
  if (!repl__run_sql (shell, explain, NULL))
    return REPL_META_CONTINUE;
  words = repl_plan_describe (plan);
  repl__emitf (shell, REPL_OUTPUT_PLAN, stdout, "== What each operator does ==\n%s\n", words);
  return REPL_META_CONTINUE;
}

/* TRUE when word names a picture file: .png, .svg or .dot. */
static gboolean
is_picture_name (const char *word)
{
  static const char *const suffixes[] = { ".png", ".svg", ".dot" };
  g_autofree char *lower = g_ascii_strdown (word, -1);

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (lower, suffixes[i]) && strlen (lower) > strlen (suffixes[i]))
      return TRUE;
  return FALSE;
}

static ReplMetaResult
meta_plan (ReplShell *shell, const char *arg)
{
  g_auto (GStrv) words = g_strsplit_set (arg, " \t\n", 2);
  g_autofree char *file = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *tree = NULL;
  g_autoptr (PlanPhysPlan) plan = NULL;
  g_autoptr (GError) error = NULL;

  if (words[0] != NULL && is_picture_name (words[0]))
    {
      file = g_strdup (words[0]);
      sql = strip_sql (words[1] != NULL ? words[1] : "");
    }
  else
    sql = strip_sql (arg);
  if (sql[0] == '\0')
    {
      fputs ("\\plan: give a statement: \\plan [FILE.png|FILE.svg] SELECT ...\n", stderr);
      return REPL_META_CONTINUE;
    }
  plan = physical_plan (shell, sql);
  if (plan == NULL)
    return REPL_META_CONTINUE;
  if (file != NULL && repl__plan_render (plan, file, &error))
    {
      printf ("Wrote the plan to %s.\n", file);
      return REPL_META_CONTINUE;
    }
  if (error != NULL)
    fprintf (stderr, "\\plan: %s; here it is as a tree:\n", error->message);
  tree = repl_plan_tree (plan);
  repl__emit (shell, REPL_OUTPUT_PLAN, stdout, tree);
  return REPL_META_CONTINUE;
}

/* ---- cells ------------------------------------------------------------------------------- */

static ReplMetaResult
meta_cells (ReplShell *shell, const char *arg)
{
  if (shell->cells->len == 0)
    {
      puts ("No cells yet: each statement you run becomes one.");
      return REPL_META_CONTINUE;
    }
  for (guint i = 0; i < shell->cells->len; i++)
    {
      const ReplCell *cell = g_ptr_array_index (shell->cells, i);
      const char *start = cell->source;
      g_autofree char *text = NULL;
      g_autofree char *number = g_strdup_printf ("[%u]", cell->number);
      const char *status = cell->n_runs == 0 ? "not run" : repl_run_status_name (cell->status);

      /* the statement rather than the comment lines above it, when it has one */
      while (g_str_has_prefix (start, "--") && strchr (start, '\n') != NULL)
        start = strchr (start, '\n') + 1;
      text = g_strstrip (g_strdup (start[0] != '\0' ? start : cell->source));
      g_strdelimit (text, "\n\t", ' ');
      for (char *p = text; *p != '\0'; p++) /* one blank for a run of them */
        while (p[0] == ' ' && p[1] == ' ')
          memmove (p, p + 1, strlen (p));
      if (g_utf8_strlen (text, -1) > 64)
        strcpy (g_utf8_offset_to_pointer (text, 61), "...");
      printf ("%-*s %-9s %s\n", shell->cells->len >= 10 ? 4 : 3, number, status, text);
    }
  return REPL_META_CONTINUE;
}

static ReplMetaResult
meta_rerun (ReplShell *shell, const char *arg)
{
  char *end = NULL;
  guint64 n = g_ascii_strtoull (arg, &end, 10);

  if (arg[0] == '\0' || *end != '\0' || n < 1 || n > shell->cells->len)
    {
      if (shell->cells->len == 0)
        fputs ("\\rerun: there are no cells yet\n", stderr);
      else
        fprintf (stderr, "\\rerun: give a cell number from 1 to %u (\\cells lists them)\n",
                 shell->cells->len);
      return REPL_META_CONTINUE;
    }
  repl__rerun_cell (shell, g_ptr_array_index (shell->cells, n - 1));
  return REPL_META_CONTINUE;
}

static ReplMetaResult
meta_edit (ReplShell *shell, const char *arg)
{
  char *end = NULL;
  guint64 n = g_ascii_strtoull (arg, &end, 10);

  if (arg[0] == '\0' || *end != '\0' || n < 1 || n > shell->cells->len)
    {
      if (shell->cells->len == 0)
        fputs ("\\edit: there are no cells yet\n", stderr);
      else
        fprintf (stderr, "\\edit: give a cell number from 1 to %u (\\cells lists them)\n",
                 shell->cells->len);
      return REPL_META_CONTINUE;
    }
  repl__edit_cell (shell, g_ptr_array_index (shell->cells, n - 1));
  return REPL_META_CONTINUE;
}

/* ---- notebooks ------------------------------------------------------------------------------ */

static ReplMetaResult
meta_save (ReplShell *shell, const char *arg)
{
  repl__save (shell, arg);
  return REPL_META_CONTINUE;
}

static ReplMetaResult
meta_open (ReplShell *shell, const char *arg)
{
  repl__open (shell, arg);
  return REPL_META_CONTINUE;
}

static ReplMetaResult
meta_export (ReplShell *shell, const char *arg)
{
  repl__export (shell, arg);
  return REPL_META_CONTINUE;
}
