/* repl-plan.c: physical plans for people: a line of plain words per operator (for
 * \explain), a compact tree for the terminal and a Graphviz picture (for \plan).
 *
 * The words come from the plan itself, not from EXPLAIN's text: an operator's kind says
 * what state it keeps and when it emits, and the exchange on its input edge says how its
 * rows are partitioned. The switches name every kind (-Wswitch-enum), so a new operator
 * kind cannot be added without saying what it does. The picture is plan_phys_to_dot fed
 * to the `dot` program, when it is installed; otherwise \plan prints the tree. */
#include "repl-private.h"

#include "plans/plan-json.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static const char *
plural (guint n, const char *one, const char *many)
{
  return n == 1 ? one : many;
}

/* How the node's rows reach its subtasks. */
static void
describe_partitioning (GString *out, const PlanPhysNode *n)
{
  const PlanPhysInput *in;

  if (n->n_inputs == 0)
    {
      if (n->kind == PLAN_PHYS_SOURCE && n->parallelism > 1)
        g_string_append_printf (out, "each of its %u subtasks reads its own share of '%s'",
                                n->parallelism, n->u.source.table->name);
      else if (n->kind == PLAN_PHYS_SOURCE)
        g_string_append_printf (out, "one subtask reads all of '%s'", n->u.source.table->name);
      else
        g_string_append (out, "no input; one subtask makes the rows");
      return;
    }
  in = &n->inputs[0];
  switch (in->exchange)
    {
    case PLAN_EXCHANGE_FORWARD:
      g_string_append (out, n->chained ? "from its input in the same thread (chained)"
                                       : "forward: subtask i takes input subtask i's rows");
      break;
    case PLAN_EXCHANGE_HASH:
      g_string_append (out, "hashed by (");
      for (guint k = 0; k < in->n_keys; k++)
        g_string_append_printf (out, "%s%s", k > 0 ? ", " : "",
                                in->keys[k] < in->node->schema->n_fields
                                ? in->node->schema->fields[in->keys[k]].name : "?");
      g_string_append (out, "): equal keys meet in one subtask");
      break;
    case PLAN_EXCHANGE_REBALANCE:
      g_string_append (out, "round robin: rows are spread evenly over its subtasks");
      break;
    case PLAN_EXCHANGE_BROADCAST:
      g_string_append (out, "broadcast: every subtask sees every row");
      break;
    case PLAN_EXCHANGE_GATHER:
      g_string_append_printf (out, "gathered: the rows of all %u input %s come to one "
                              "subtask", in->node->parallelism,
                              plural (in->node->parallelism, "subtask", "subtasks"));
      break;
    case PLAN_EXCHANGE_MERGE: /* added by sort merge */
      g_string_append_printf (out, "merged: the sorted rows of all %u input %s come to one "
                              "subtask, which merges them in order", in->node->parallelism,
                              plural (in->node->parallelism, "subtask", "subtasks"));
      break;
    }
}

/* What the node keeps between batches. */
static void
describe_state (GString *out, const PlanPhysNode *n)
{
  switch (n->kind)
    {
    case PLAN_PHYS_SOURCE:
      g_string_append (out, "its read position only");
      break;
    case PLAN_PHYS_VALUES:
      g_string_append_printf (out, "the %u constant %s", n->u.values.n_rows,
                              plural (n->u.values.n_rows, "row", "rows"));
      break;
    case PLAN_PHYS_CALC:
      g_string_append (out, "none, each row stands alone");
      break;
    case PLAN_PHYS_LIMIT:
      g_string_append (out, "a count of the rows passed so far");
      break;
    case PLAN_PHYS_AGGREGATE:
      g_string_append_printf (out, "per group key (%u %s), the %u %s' accumulators and the "
                              "last row it emitted, so it can retract it",
                              n->u.aggregate.n_keys,
                              plural (n->u.aggregate.n_keys, "column", "columns"),
                              n->u.aggregate.n_aggs,
                              plural (n->u.aggregate.n_aggs, "aggregate", "aggregates"));
      break;
    case PLAN_PHYS_LOCAL_AGGREGATE: /* added by two-phase aggregation */
      g_string_append (out, "none between input batches: each batch's partial rows go out "
                       "at once");
      break;
    case PLAN_PHYS_SORT: /* added by sort */
      if (n->n_inputs == 1 && n->inputs[0].exchange == PLAN_EXCHANGE_MERGE) /* sort merge */
        g_string_append (out, "one batch per input subtask, the next rows of its sorted "
                         "stream");
      else if (n->u.sort.limit >= 0)
        g_string_append_printf (out, "the best %" G_GINT64_FORMAT " rows seen so far in order",
                                n->u.sort.limit + n->u.sort.offset);
      else
        g_string_append (out, "every input row, in managed memory; when its share is full, "
                         "sorted runs spill to LZ4-compressed temporary files");
      break;
    case PLAN_PHYS_JOIN: /* added by joins */
      g_string_append (out, "per join key, the rows of both sides seen so far with their "
                       "multiplicity (and, for outer joins, how many matches each has)");
      break;
    case PLAN_PHYS_HASH_JOIN:
      g_string_append_printf (out, "a hash table of the %s side's rows by join key, built "
                              "before probing", n->u.join.build_side == 0 ? "left" : "right");
      break;
    case PLAN_PHYS_NESTED_LOOP_JOIN:
      g_string_append_printf (out, "all rows of the %s side, compared with every row of the "
                              "other", n->u.join.build_side == 0 ? "left" : "right");
      break;
    case PLAN_PHYS_SORT_MERGE_JOIN: /* added by join strategy */
      g_string_append (out, "both inputs, each in an external sort on the join keys; when "
                       "a share is full, sorted runs spill to LZ4-compressed temporary files");
      break;
    case PLAN_PHYS_INTERVAL_JOIN: /* added by interval joins */
      g_string_append (out, "per join key, each side's rows until the watermark passes the "
                       "last time a row of the other side could match them");
      break;
    case PLAN_PHYS_WINDOW_JOIN: /* added by window joins */
      g_string_append (out, "per window, both sides' rows until the watermark passes the "
                       "window's end");
      break;
    case PLAN_PHYS_LOOKUP_JOIN: /* added by lookup joins */
      g_string_append (out, "a hash table of the whole looked-up table by join key, loaded "
                       "before the first lookup (again after 'lookup.join.cache.ttl')");
      break;
    case PLAN_PHYS_WINDOW: /* added by windows */
      g_string_append (out, "none, each row is given its windows as it passes");
      break;
    case PLAN_PHYS_WINDOW_AGGREGATE:
      g_string_append (out, "per window and group key, the rows of windows the watermark has "
                       "not passed yet; a window's state goes when it fires");
      break;
    case PLAN_PHYS_UNION: /* added by rank */
      g_string_append (out, "none, rows pass straight through");
      break;
    case PLAN_PHYS_RANK:
      g_string_append (out, n->u.rank.first_row
                       ? "per partition key, its first rows by arrival (up to the limit)"
                       : "per partition key, its top rows (every row when the input is "
                         "updating, since a retraction may bring one back)");
      break;
    case PLAN_PHYS_SINK:
      g_string_append (out, n->u.sink.sink == PLAN_SINK_COLLECT
                       ? "a queue of rows waiting for the client to fetch them"
                       : n->u.sink.sink == PLAN_SINK_FILESYSTEM ? "the open output file"
                       : "none");
      break;
    }
}

static void
append_expr (GString *out, const PlanExpr *expr, const PlanSchema *schema)
{
  g_autofree char *text = plan_expr_to_string (expr, schema);

  g_string_append (out, text);
}

/* When and what the node emits. */
static void
describe_emits (GString *out, const PlanPhysNode *n)
{
  switch (n->kind)
    {
    case PLAN_PHYS_SOURCE:
      g_string_append (out, "rows as it reads them");
      if (n->u.source.filter != NULL)
        {
          g_string_append (out, ", only those where ");
          append_expr (out, n->u.source.filter, n->schema);
        }
      g_string_append (out, "; a batch leaves when full or after pipeline.buffer-timeout");
      break;
    case PLAN_PHYS_VALUES:
      g_string_append (out, "its rows at once, then ends");
      break;
    case PLAN_PHYS_CALC:
      g_string_append (out, "each row as soon as it arrives");
      if (n->u.calc.filter != NULL && n->n_inputs > 0)
        {
          g_string_append (out, ", if ");
          append_expr (out, n->u.calc.filter, n->inputs[0].node->schema);
        }
      g_string_append_printf (out, ", computing %u %s", n->u.calc.n_exprs,
                              plural (n->u.calc.n_exprs, "column", "columns"));
      break;
    case PLAN_PHYS_AGGREGATE:
      g_string_append (out, "a changelog: on each input row, -U of the group's old result "
                       "and +U of the new one (+I for a new group, -D when it empties)");
      break;
    case PLAN_PHYS_LOCAL_AGGREGATE: /* added by two-phase aggregation */
      g_string_append (out, "inserts: one partial row per group of each input batch, which "
                       "the global aggregate after the exchange merges");
      break;
    case PLAN_PHYS_SORT: /* added by sort */
      if (n->n_inputs == 1 && n->inputs[0].exchange == PLAN_EXCHANGE_MERGE) /* sort merge */
        {
          g_string_append (out, "every row in order as soon as each input subtask has sent "
                           "its next rows: a merge, no sort of its own");
          break;
        }
      g_string_append (out, n->updating
                       ? "a changelog as the top rows change: -D for a row that drops out, "
                         "+I for one that comes in"
                       : "nothing until its input ends, then every row in order (a merge of "
                         "the spilled runs when it spilled)");
      break;
    case PLAN_PHYS_JOIN: /* added by joins */
      g_string_append (out, "on each input row, its matches from the other side at once; "
                       "outer joins retract a NULL-filled row (-D) when its first match "
                       "arrives and emit it again when the last match goes");
      break;
    case PLAN_PHYS_HASH_JOIN:
    case PLAN_PHYS_NESTED_LOOP_JOIN:
      g_string_append (out, "nothing until the build side has ended, then each probe row's "
                       "matches as it arrives; unmatched build rows of an outer join at the "
                       "end");
      break;
    case PLAN_PHYS_SORT_MERGE_JOIN: /* added by join strategy */
      g_string_append (out, "nothing until both inputs have ended and are sorted, then the "
                       "matches key by key in key order");
      break;
    case PLAN_PHYS_INTERVAL_JOIN: /* added by interval joins */
      g_string_append (out, "insert-only: each match once when its second row arrives; an "
                       "outer join's unmatched row NULL-filled when it expires");
      break;
    case PLAN_PHYS_WINDOW_JOIN: /* added by window joins */
      g_string_append (out, "insert-only: a window's matches (and an outer join's unmatched "
                       "rows, NULL-filled) when the watermark passes the window's end");
      break;
    case PLAN_PHYS_LOOKUP_JOIN: /* added by lookup joins */
      g_string_append (out, "insert-only: each input row's matches in the table as it "
                       "arrives (NULL-filled for a LEFT join without one)");
      break;
    case PLAN_PHYS_WINDOW: /* added by windows */
      g_string_append (out, "each row once per window it falls in, with window_start, "
                       "window_end and window_time");
      break;
    case PLAN_PHYS_WINDOW_AGGREGATE:
      g_string_append (out, "one final row (+I) per window and group when the watermark passes "
                       "the window's end; rows for windows already fired are dropped and "
                       "counted (numLateRecordsDropped)");
      break;
    case PLAN_PHYS_UNION: /* added by rank */
      g_string_append (out, "the rows of every input as they arrive, with their row kinds");
      break;
    case PLAN_PHYS_RANK:
      g_string_append (out, n->updating
                       ? "a changelog as rows enter and leave each partition's top rows"
                       : n->u.rank.first_row ? "each partition's first rows once (+I)"
                       : "each partition's top rows once, at the end of the input");
      break;
    case PLAN_PHYS_LIMIT:
      if (n->u.limit.offset > 0)
        g_string_append_printf (out, "rows after skipping %" G_GINT64_FORMAT ", ",
                                n->u.limit.offset);
      if (n->u.limit.limit >= 0)
        g_string_append_printf (out, "the first %" G_GINT64_FORMAT " rows as they come, then "
                                "stops its inputs", n->u.limit.limit);
      else
        g_string_append (out, "every row as it comes");
      break;
    case PLAN_PHYS_SINK:
      g_string_append (out, n->u.sink.sink == PLAN_SINK_COLLECT
                       ? "nothing downstream: rows go to the client as they arrive"
                       : "nothing downstream: writes each row as it arrives");
      break;
    }
}

char *
repl_plan_describe (const PlanPhysPlan *plan)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (plan != NULL, NULL);
  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *n = g_ptr_array_index (plan->nodes, i);
      g_autofree char *label = plan_phys_node_label (n);

      g_string_append_printf (out, "[%u] %s, %u %s. Rows: ", n->id, label,
                              n->parallelism, plural (n->parallelism, "subtask", "subtasks"));
      describe_partitioning (out, n);
      g_string_append (out, ". State: ");
      describe_state (out, n);
      g_string_append (out, ". Emits ");
      describe_emits (out, n);
      g_string_append (out, ".\n");
    }
  return g_string_free (out, FALSE);
}

static void
tree_node (GString *out, const PlanPhysNode *n, const char *prefix)
{
  for (guint i = 0; i < n->n_inputs; i++)
    {
      const PlanPhysInput *in = &n->inputs[i];
      gboolean last = i + 1 == n->n_inputs;
      g_autofree char *label = plan_phys_node_label (in->node);
      g_autofree char *deeper = g_strconcat (prefix, last ? "   " : "|  ", NULL);

      g_autofree char *edge = g_ascii_strdown (plan_exchange_name (in->exchange), -1);

      /* a chained consumer takes its first input in its own thread: no exchange */
      g_string_append_printf (out, "%s%s-[%s]- %s (x%u)\n", prefix, last ? "`" : "+",
                              i == 0 && n->chained ? "chained" : edge, label,
                              in->node->parallelism);
      tree_node (out, in->node, deeper);
    }
}

char *
repl_plan_tree (const PlanPhysPlan *plan)
{
  GString *out = g_string_new (NULL);
  g_autofree char *label = NULL;

  g_return_val_if_fail (plan != NULL, NULL);
  label = plan_phys_node_label (plan->root);
  g_string_append_printf (out, "%s (x%u)\n", label, plan->root->parallelism);
  tree_node (out, plan->root, "");
  return g_string_free (out, FALSE);
}

/* Runs dot -Tformat -o path on the DOT text. */
static gboolean
run_dot (const char *dot_text, const char *format, const char *path, GError **error)
{
  g_autofree char *dot = g_find_program_in_path ("dot");
  g_autofree char *tmp = NULL;
  g_autofree char *type = g_strconcat ("-T", format, NULL);
  g_autofree char *errors = NULL;
  int fd, status = 0;
  gboolean ok;

  if (dot == NULL)
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT, "Graphviz's dot is not "
                   "installed (apt install graphviz), so %s cannot be drawn", path);
      return FALSE;
    }
  fd = g_file_open_tmp ("strom-plan-XXXXXX.dot", &tmp, error);
  if (fd < 0)
    return FALSE;
  close (fd);
  if (!g_file_set_contents (tmp, dot_text, -1, error))
    return FALSE;
  {
    const char *argv[] = { dot, type, "-o", path, tmp, NULL };

    ok = g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                       NULL, &errors, &status, error)
         && g_spawn_check_wait_status (status, error);
  }
  g_unlink (tmp);
  if (!ok && errors != NULL && *errors != '\0')
    g_prefix_error (error, "dot: %s: ", g_strstrip (errors));
  return ok;
}

gboolean
repl__plan_render (const PlanPhysPlan *plan, const char *path, GError **error)
{
  g_autofree char *dot_text = plan_phys_to_dot (plan);
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (g_str_has_suffix (lower, ".dot"))
    return g_file_set_contents (path, dot_text, -1, error);
  return run_dot (dot_text, g_str_has_suffix (lower, ".svg") ? "svg" : "png", path, error);
}
