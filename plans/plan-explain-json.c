/* plan-explain-json.c: the machine-readable and annotated forms of EXPLAIN: one JSON
 * document with all three plans (EXPLAIN JSON), Graphviz DOT of the physical plan
 * (EXPLAIN DOT) and the EXPLAIN ANALYZE text that puts measured values next to the
 * optimizer's estimates.
 *
 * The physical plan inside the JSON is plan_phys_to_json's own form, embedded unchanged, so
 * one reader serves both; what EXPLAIN adds sits beside it in "nodes", one entry per
 * operator by id: estimates, the join strategies that were weighed (chosen and rejected,
 * each with its cost) and, for ANALYZE, the actual values. The optimizer's byte estimate
 * comes in as a function pointer because plans/ sits below optimizer/ and must not call it.
 * The rejected join strategy is only kept as text on the node (PlanJoin.alternative); its
 * cost is recomputed here from the same inputs the optimizer used (bytes moved: the build
 * side times the subtasks for a broadcast, both sides for a repartition). */
#include "plan-json.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* ---- helpers -------------------------------------------------------------------------- */

static void
put_number_or_null (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  if (v < 0)
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, v);
}

static double
est_bytes_of (PlanEstBytesFunc est_bytes, const PlanPhysNode *n)
{
  return est_bytes != NULL ? est_bytes (n) : -1;
}

static gboolean
is_join (const PlanPhysNode *n)
{
  return n->kind == PLAN_PHYS_JOIN || n->kind == PLAN_PHYS_HASH_JOIN
         || n->kind == PLAN_PHYS_NESTED_LOOP_JOIN
         || n->kind == PLAN_PHYS_SORT_MERGE_JOIN /* added by join strategy */
         || n->kind == PLAN_PHYS_INTERVAL_JOIN /* added by interval joins */
         || n->kind == PLAN_PHYS_WINDOW_JOIN /* added by window joins */
         || n->kind == PLAN_PHYS_LOOKUP_JOIN; /* added by lookup joins */
}

/* The strategy a PlanJoin.alternative text names first ("repartition (est. ...) lost ..."),
 * or NULL when the text names none (a streaming join's note on hints). */
static const char *
rejected_strategy (const char *alternative)
{
  if (alternative == NULL)
    return NULL;
  if (g_str_has_prefix (alternative, "repartition"))
    return "repartition";
  if (g_str_has_prefix (alternative, "broadcast"))
    return "broadcast";
  if (g_str_has_prefix (alternative, "hash join"))
    return "hash";
  if (g_str_has_prefix (alternative, "sort-merge")) /* added by join strategy */
    return "sort-merge";
  return NULL;
}

/* Bytes a strategy moves over the network, as the optimizer's cost model counts them. */
static double
strategy_cost (const char *strategy, const PlanPhysNode *join, PlanEstBytesFunc est_bytes)
{
  double l, r, build;

  if (strategy == NULL || join->n_inputs < 2)
    return -1;
  l = est_bytes_of (est_bytes, join->inputs[0].node);
  r = est_bytes_of (est_bytes, join->inputs[1].node);
  build = join->u.join.build_side == 0 ? l : r;
  if (strcmp (strategy, "broadcast") == 0)
    return build < 0 ? -1 : build * join->parallelism;
  if (strcmp (strategy, "repartition") == 0)
    return l < 0 || r < 0 ? -1 : l + r;
  return -1;
}

static void
write_strategy (JsonBuilder *b, const char *strategy, double cost, gboolean chosen,
                const char *reason)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "strategy");
  if (strategy != NULL)
    json_builder_add_string_value (b, strategy);
  else
    json_builder_add_null_value (b);
  put_number_or_null (b, "cost", cost);
  json_builder_set_member_name (b, "chosen");
  json_builder_add_boolean_value (b, chosen);
  if (reason != NULL)
    {
      json_builder_set_member_name (b, "reason");
      json_builder_add_string_value (b, reason);
    }
  json_builder_end_object (b);
}

/* added by join strategy: an alternative text "exchange's | algorithm's" (opt-join-strategy.c
 * appends the rejected join algorithm, with its cost in the text): the exchange's part
 * stays the rejected entry of "alternatives"; the rest go to "algorithm_alternatives"
 * (cost null: the text holds it, per subtask and with the memory share it depends on).
 * Ends the "alternatives" array's last element only; the caller closes the array. */
static void
write_algorithms (JsonBuilder *b, const char *alternative, const PlanPhysNode *n,
                  PlanEstBytesFunc est_bytes)
{
  g_auto (GStrv) parts = g_strsplit (alternative, " | ", -1);
  const char *first = rejected_strategy (parts[0]);

  write_strategy (b, first, strategy_cost (first, n, est_bytes), FALSE, parts[0]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "algorithm_alternatives");
  json_builder_begin_array (b);
  for (guint i = 1; parts[i] != NULL; i++)
    write_strategy (b, rejected_strategy (parts[i]), -1, FALSE, parts[i]);
}

static void
write_join (JsonBuilder *b, const PlanPhysNode *n, PlanEstBytesFunc est_bytes)
{
  const PlanJoin *j = &n->u.join;
  const char *chosen = plan_join_strategy_name (j->strategy);
  const char *rejected = rejected_strategy (j->alternative);

  json_builder_set_member_name (b, "join");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, plan_join_type_name (j->type));
  json_builder_set_member_name (b, "strategy");
  json_builder_add_string_value (b, chosen);
  json_builder_set_member_name (b, "build_side");
  json_builder_add_string_value (b, j->build_side == 0 ? "left" : "right");
  json_builder_set_member_name (b, "cost_unit");
  json_builder_add_string_value (b, "bytes moved");
  json_builder_set_member_name (b, "alternatives");
  json_builder_begin_array (b);
  write_strategy (b, chosen, strategy_cost (chosen, n, est_bytes), TRUE, NULL);
  if (j->alternative != NULL && strstr (j->alternative, " | ") == NULL)
    write_strategy (b, rejected, strategy_cost (rejected, n, est_bytes), FALSE, j->alternative);
  else if (j->alternative != NULL)
    write_algorithms (b, j->alternative, n, est_bytes);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
write_actual (JsonBuilder *b, const PlanOpActual *a)
{
  json_builder_set_member_name (b, "actual");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "rows");
  json_builder_add_int_value (b, (gint64) a->rows_out);
  json_builder_set_member_name (b, "rows_in");
  json_builder_add_int_value (b, (gint64) a->rows_in);
  json_builder_set_member_name (b, "busy_us");
  if (a->busy_us >= 0)
    json_builder_add_int_value (b, a->busy_us);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "spilled_bytes");
  if (a->spilled_bytes >= 0)
    json_builder_add_int_value (b, a->spilled_bytes);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
}

static void
write_phys_entry (JsonBuilder *b, const PlanPhysNode *n, PlanEstBytesFunc est_bytes,
                  const PlanOpActual *actual, guint n_actual)
{
  g_autofree char *label = plan_phys_node_label (n);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, n->id);
  json_builder_set_member_name (b, "operator");
  json_builder_add_string_value (b, label);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, plan_phys_kind_name (n->kind));
  json_builder_set_member_name (b, "parallelism");
  json_builder_add_int_value (b, n->parallelism);
  json_builder_set_member_name (b, "chained");
  json_builder_add_boolean_value (b, n->chained);
  put_number_or_null (b, "est_rows", n->est_rows);
  put_number_or_null (b, "est_bytes", est_bytes_of (est_bytes, n));
  json_builder_set_member_name (b, "inputs");
  json_builder_begin_array (b);
  for (guint i = 0; i < n->n_inputs; i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "from");
      json_builder_add_int_value (b, n->inputs[i].node->id);
      json_builder_set_member_name (b, "exchange");
      json_builder_add_string_value (b, plan_exchange_name (n->inputs[i].exchange));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (is_join (n))
    write_join (b, n, est_bytes);
  if (actual != NULL && n->id < n_actual && actual[n->id].known)
    write_actual (b, &actual[n->id]);
  json_builder_end_object (b);
}

/* A logical plan as a tree: kind, output fields, inputs; the Flink-style text is beside it. */
static void
write_logical (JsonBuilder *b, const PlanNode *n)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, plan_node_kind_name (n->kind));
  json_builder_set_member_name (b, "fields");
  json_builder_begin_array (b);
  for (guint i = 0; n->schema != NULL && i < n->schema->n_fields; i++)
    json_builder_add_string_value (b, n->schema->fields[i].name ? n->schema->fields[i].name
                                                                : "");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "inputs");
  json_builder_begin_array (b);
  for (guint i = 0; i < n->n_inputs; i++)
    write_logical (b, n->inputs[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
write_logical_section (JsonBuilder *b, const char *name, const PlanNode *root)
{
  g_autofree char *text = plan_node_explain (root);

  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "text");
  json_builder_add_string_value (b, text);
  json_builder_set_member_name (b, "tree");
  write_logical (b, root);
  json_builder_end_object (b);
}

/* ---- EXPLAIN JSON --------------------------------------------------------------------- */

char *
plan_explain_json (const PlanNode *ast, const PlanNode *optimized, const PlanPhysPlan *plan,
                   PlanEstBytesFunc est_bytes, const PlanOpActual *actual, guint n_actual,
                   gint64 elapsed_us)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *phys = plan_phys_to_json (plan, FALSE);
  JsonNode *phys_node = json_from_string (phys, NULL);

  json_builder_begin_object (b);
  write_logical_section (b, "logical", ast);
  write_logical_section (b, "optimized", optimized);
  json_builder_set_member_name (b, "physical");
  if (phys_node != NULL)
    json_builder_add_value (b, phys_node);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "nodes");
  json_builder_begin_array (b);
  for (guint i = 0; i < plan->nodes->len; i++)
    write_phys_entry (b, g_ptr_array_index (plan->nodes, i), est_bytes, actual, n_actual);
  json_builder_end_array (b);
  if (actual != NULL)
    {
      json_builder_set_member_name (b, "elapsed_us");
      json_builder_add_int_value (b, elapsed_us);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

/* ---- EXPLAIN DOT ---------------------------------------------------------------------- */

/* Text inside a DOT double-quoted string; a newline becomes DOT's "\n" line break. */
static void
append_dot_text (GString *out, const char *text)
{
  for (const char *p = text; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      if (*p == '\n')
        g_string_append (out, "\\n");
      else
        g_string_append_c (out, (guchar) *p < 0x20 ? ' ' : *p);
    }
}

static char *
edge_label (const PlanPhysInput *in)
{
  GString *s = g_string_new (plan_exchange_name (in->exchange));

  if (in->exchange == PLAN_EXCHANGE_HASH)
    {
      const PlanSchema *schema = in->node->schema;

      g_string_append_c (s, '[');
      for (guint k = 0; k < in->n_keys; k++)
        {
          guint c = in->keys[k];

          if (k)
            g_string_append (s, ", ");
          if (c < schema->n_fields && schema->fields[c].name)
            g_string_append (s, schema->fields[c].name);
          else
            g_string_append_printf (s, "$%u", c);
        }
      g_string_append_c (s, ']');
    }
  return g_string_free (s, FALSE);
}

char *
plan_explain_dot (const PlanPhysPlan *plan)
{
  GString *out = g_string_new ("digraph physical_plan {\n  rankdir=BT;\n"
                               "  node [shape=box, style=rounded];\n");

  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *n = g_ptr_array_index (plan->nodes, i);
      g_autofree char *label = plan_phys_node_label (n);
      g_autoptr (GString) text = g_string_new (NULL);

      g_string_append_printf (text, "%s\nparallelism=%u", label, n->parallelism);
      if (is_join (n))
        g_string_append_printf (text, "\nstrategy=%s",
                                plan_join_strategy_name (n->u.join.strategy));
      if (n->est_rows >= 0)
        g_string_append_printf (text, "\nest. rows=%.0f", n->est_rows);
      else
        g_string_append (text, "\nest. rows=unknown");
      g_string_append_printf (out, "  n%u [label=\"", n->id);
      append_dot_text (out, text->str);
      g_string_append (out, "\"];\n");
    }
  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *n = g_ptr_array_index (plan->nodes, i);

      for (guint j = 0; j < n->n_inputs; j++)
        {
          g_autofree char *label = edge_label (&n->inputs[j]);

          g_string_append_printf (out, "  n%u -> n%u [label=\"", n->inputs[j].node->id, n->id);
          append_dot_text (out, label);
          g_string_append (out, "\"];\n");
        }
    }
  g_string_append (out, "}\n");
  return g_string_free (out, FALSE);
}

/* ---- EXPLAIN ANALYZE text --------------------------------------------------------------- */

typedef struct {
  GString *out;
  const PlanOpActual *actual;
  guint n_actual;
  gboolean *printed; /* by node id */
  guint n;
} Analyze;

static void
analyze_line (Analyze *a, const PlanPhysNode *n)
{
  g_autofree char *label = plan_phys_node_label (n);
  const PlanOpActual *act = n->id < a->n_actual && a->actual[n->id].known
                              ? &a->actual[n->id] : NULL;

  g_string_append_printf (a->out, "%s [id=%u, parallelism=%u", label, n->id, n->parallelism);
  if (is_join (n))
    g_string_append_printf (a->out, ", strategy=%s",
                            plan_join_strategy_name (n->u.join.strategy));
  if (n->est_rows >= 0)
    g_string_append_printf (a->out, ", est. rows=%.0f", n->est_rows);
  else
    g_string_append (a->out, ", est. rows=unknown");
  if (act == NULL)
    {
      g_string_append (a->out, ", actual: no metrics]\n");
      return;
    }
  g_string_append_printf (a->out, ", actual rows=%" G_GUINT64_FORMAT, act->rows_out);
  if (n->kind == PLAN_PHYS_SOURCE && n->u.source.filter != NULL)
    g_string_append (a->out, " (after the pushed-down filter)");
  if (act->busy_us >= 0)
    g_string_append_printf (a->out, ", busy=%.3f ms", act->busy_us / 1000.0);
  if (act->spilled_bytes >= 0)
    g_string_append_printf (a->out, ", spilled=%" G_GINT64_FORMAT " bytes", act->spilled_bytes);
  g_string_append (a->out, "]\n");
}

/* One tree line: the branch (none at the root), then the node; returns the children's
 * indent (newly allocated). */
static char *
branch (GString *out, const char *indent, gboolean root, gboolean last)
{
  if (root)
    return g_strdup ("");
  g_string_append_printf (out, "%s%s", indent, last ? "+- " : ":- ");
  return g_strconcat (indent, last ? "   " : ":  ", NULL);
}

static void
analyze_node (Analyze *a, const PlanPhysNode *n, const char *indent, gboolean root,
              gboolean last)
{
  g_autofree char *child = branch (a->out, indent, root, last);

  if (n->id < a->n && a->printed[n->id])
    {
      g_string_append_printf (a->out, "Reused(id=%u)\n", n->id);
      return;
    }
  if (n->id < a->n)
    a->printed[n->id] = TRUE;
  analyze_line (a, n);
  for (guint i = 0; i < n->n_inputs; i++)
    {
      const PlanPhysInput *in = &n->inputs[i];
      gboolean is_last = i + 1 == n->n_inputs;
      g_autofree char *label = NULL, *below = NULL;

      if (in->exchange == PLAN_EXCHANGE_FORWARD)
        {
          analyze_node (a, in->node, child, FALSE, is_last);
          continue;
        }
      label = edge_label (in);
      below = branch (a->out, child, FALSE, is_last);
      g_string_append_printf (a->out, "Exchange(%s)\n", label);
      analyze_node (a, in->node, below, FALSE, TRUE);
    }
}

char *
plan_explain_analyze_text (const PlanPhysPlan *plan, const PlanOpActual *actual,
                           guint n_actual, gint64 elapsed_us)
{
  Analyze a = { g_string_new ("== Physical Execution Plan (analyzed) ==\n"), actual, n_actual,
                NULL, plan->nodes->len };

  a.printed = g_new0 (gboolean, a.n + 1);
  analyze_node (&a, plan->root, "", TRUE, TRUE);
  g_free (a.printed);
  g_string_append_printf (a.out, "\nTotal time: %.3f ms. Busy time is summed over subtasks and "
                          "is per task chain: chained operators share it.\n", elapsed_us / 1000.0);
  return g_string_free (a.out, FALSE);
}

/* ---- boundedness ------------------------------------------------------------------------ */

/* A datagen ends when a sequence field runs out (its start and end are required), as
 * Flink's does. */
static gboolean
datagen_has_sequence (const PlanTable *table)
{
  for (guint i = 0; i + 1 < table->options->len; i += 2)
    {
      const char *key = g_ptr_array_index (table->options, i);

      if (g_str_has_prefix (key, "fields.") && g_str_has_suffix (key, ".kind")
          && strcmp (plan_table_get_option (table, key), "sequence") == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
plan_table_is_bounded (const PlanTable *table)
{
  const char *connector = plan_table_get_option (table, "connector");
  const char *events = plan_table_get_option (table, "events.num");

  if (connector == NULL || g_ascii_strcasecmp (connector, "filesystem") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (connector, "datagen") == 0)
    return plan_table_get_option (table, "number-of-rows") != NULL
           || datagen_has_sequence (table);
  return g_ascii_strcasecmp (connector, "nexmark") == 0 /* added by nexmark */
         && events != NULL && strcmp (events, "0") != 0;
}

gboolean
plan_node_is_bounded (const PlanNode *logical)
{
  if (logical->kind == PLAN_NODE_SCAN && !plan_table_is_bounded (logical->u.scan.table))
    return FALSE;
  for (guint i = 0; i < logical->n_inputs; i++)
    if (!plan_node_is_bounded (logical->inputs[i]))
      return FALSE;
  return TRUE;
}

gboolean
plan_phys_is_bounded (const PlanPhysPlan *plan, const char **unbounded_table)
{
  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *n = g_ptr_array_index (plan->nodes, i);

      if (n->kind != PLAN_PHYS_SOURCE || plan_table_is_bounded (n->u.source.table))
        continue;
      if (unbounded_table != NULL)
        *unbounded_table = n->u.source.table->name;
      return FALSE;
    }
  return TRUE;
}
