/* opt-explain-json.c: the optimizer's reasons in EXPLAIN JSON. The text form prints three
 * sections after the plans (EXPLAIN ESTIMATED_COST: "== Statistics ==", "== Join Order ==",
 * "== Aggregation =="); here the same decisions become members of the JSON document, with
 * their figures as numbers, so a tool or a test reads them without parsing prose:
 *
 *   "statistics":  one entry per scanned table: where its row estimate comes from
 *                  ("analyze", "file-sample", "connector", "unknown"), the rows, and
 *                  ANALYZE's time and column coverage or the file's size;
 *   "join_order":  one entry per reordered (or deliberately kept) join tree: "reordered"
 *                  with the chosen and the written order and their estimated costs, or
 *                  "as-written" with the reason;
 *   "aggregation": one entry per aggregate: one or two phases, the reason, and whether
 *                  'table.optimizer.agg-phase-strategy' forced it against the estimate.
 *
 * The join-order note is the one the reorder pass wrote on the join (PlanJoin.alternative,
 * in its fixed wording); it is split into its parts here rather than kept twice. The
 * document from plans/ is parsed, the members added, and written again: plans/ sits below
 * optimizer/ and cannot ask for these itself. */
#include "opt.h"
#include "opt-stats-private.h"

#include <json-glib/json-glib.h>
#include <string.h>

static void
add_statistics (JsonObject *root, PlanNode *logical)
{
  g_autoptr (GPtrArray) tables = g_ptr_array_new ();
  JsonArray *arr = json_array_new ();

  opt__collect_tables (logical, tables);
  for (guint i = 0; i < tables->len; i++)
    {
      const PlanTable *t = tables->pdata[i];
      JsonObject *o = json_object_new ();
      g_autofree char *text = opt_stats_describe (t);
      OptStatsSource src;

      opt__stats_source (t, &src);
      json_object_set_string_member (o, "table", t->name);
      json_object_set_string_member (o, "source", opt__stats_origin_name (src.origin));
      if (src.rows >= 0)
        json_object_set_double_member (o, "rows", src.rows);
      else
        json_object_set_null_member (o, "rows");
      json_object_set_boolean_member (o, "stale", src.stale);
      if (src.origin == OPT_STATS_ANALYZE)
        {
          json_object_set_int_member (o, "analyzed_at", src.analyzed_at);
          json_object_set_int_member (o, "columns_analyzed", src.n_columns_analyzed);
          json_object_set_int_member (o, "columns", src.n_columns);
        }
      if (src.origin == OPT_STATS_FILE_SAMPLE)
        json_object_set_double_member (o, "file_bytes", src.file_bytes);
      json_object_set_string_member (o, "text", text);
      json_array_add_object_element (arr, o);
    }
  json_object_set_array_member (root, "statistics", arr);
}

/* Copies [from, to) of a note into a new string. */
static char *
part (const char *from, const char *to)
{
  return g_strndup (from, (gsize) (to - from));
}

/* "join order: CHOSEN, est. cost C rows of intermediate results; as written: WRITTEN, est.
 * cost D" or "join order: as written; REASON": the entry, or NULL for another wording. */
static JsonObject *
join_order_entry (const char *note)
{
  static const char head[] = "join order: ", kept[] = "as written; ",
                    cost[] = ", est. cost ", written[] = "; as written: ";
  const char *body = note + strlen (head), *c1, *w, *c2;
  g_autofree char *chosen = NULL, *as_written = NULL;
  JsonObject *o;

  if (!g_str_has_prefix (note, head))
    return NULL;
  o = json_object_new ();
  json_object_set_string_member (o, "text", note);
  if (g_str_has_prefix (body, kept))
    {
      json_object_set_string_member (o, "decision", "as-written");
      json_object_set_string_member (o, "reason", body + strlen (kept));
      return o;
    }
  if ((w = strstr (body, written)) == NULL || (c1 = g_strrstr_len (body, w - body, cost)) == NULL
      || (c2 = g_strrstr (w, cost)) == NULL)
    {
      json_object_unref (o);
      return NULL;
    }
  json_object_set_string_member (o, "decision", "reordered");
  chosen = part (body, c1);
  as_written = part (w + strlen (written), c2);
  json_object_set_string_member (o, "chosen", chosen);
  json_object_set_double_member (o, "chosen_cost", g_ascii_strtod (c1 + strlen (cost), NULL));
  json_object_set_string_member (o, "written", as_written);
  json_object_set_double_member (o, "written_cost", g_ascii_strtod (c2 + strlen (cost), NULL));
  return o;
}

static void
add_join_order (JsonObject *root, PlanNode *logical)
{
  g_autoptr (GPtrArray) notes = g_ptr_array_new ();
  JsonArray *arr = json_array_new ();

  opt__collect_join_order_notes (logical, notes);
  for (guint i = 0; i < notes->len; i++)
    {
      JsonObject *o = join_order_entry (notes->pdata[i]);

      if (o != NULL)
        json_array_add_object_element (arr, o);
    }
  json_object_set_array_member (root, "join_order", arr);
}

static void
add_aggregation (JsonObject *root, const PlanPhysPlan *plan)
{
  g_autoptr (GArray) decisions = opt__aggregation_decisions (plan);
  JsonArray *arr = json_array_new ();

  for (guint i = 0; i < decisions->len; i++)
    {
      const OptAggDecision *d = &g_array_index (decisions, OptAggDecision, i);
      JsonObject *o = json_object_new ();

      json_object_set_int_member (o, "node", d->node);
      json_object_set_string_member (o, "phases", d->local != 0 ? "two-phase" : "one-phase");
      if (d->local != 0)
        json_object_set_int_member (o, "local_node", d->local);
      json_object_set_string_member (o, "reason", d->reason);
      json_object_set_boolean_member (o, "forced", d->forced);
      json_array_add_object_element (arr, o);
    }
  json_object_set_array_member (root, "aggregation", arr);
}

char *
opt_explain_json_add_sections (OptResult *result, const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonGenerator) gen = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, json, -1, NULL)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return g_strdup (json);
  add_statistics (json_node_get_object (root), opt_result_get_logical (result));
  add_join_order (json_node_get_object (root), opt_result_get_logical (result));
  add_aggregation (json_node_get_object (root), opt_result_get_physical (result));
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}
