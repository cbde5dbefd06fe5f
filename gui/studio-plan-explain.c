/* studio-plan-explain.c: what the Plan view says about a clicked operator beyond its own
 * fields: the alternatives the optimizer weighed and rejected, read from EXPLAIN JSON
 * (plan_explain_json's "nodes"), and the part of the SQL the operator came from.
 *
 * The JSON is the same document EXPLAIN JSON prints, so the studio shows exactly what the
 * optimizer recorded (the chosen join strategy and the rejected ones with their costs in
 * bytes moved, and the join algorithms it passed over) and nothing it would have to
 * recompute. The SQL range is the operator's span, widened to balance parentheses the way
 * canvas texts are, and then looked up in the text the user sees. */
#include "studio-plan-layout.h"

#include <json-glib/json-glib.h>
#include <string.h>

static JsonObject *
node_entry (JsonNode *root, guint id)
{
  JsonObject *o;
  JsonArray *nodes;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  o = json_node_get_object (root);
  if (!json_object_has_member (o, "nodes"))
    return NULL;
  nodes = json_object_get_array_member (o, "nodes");
  for (guint i = 0; nodes != NULL && i < json_array_get_length (nodes); i++)
    {
      JsonObject *n = json_array_get_object_element (nodes, i);
      if (n != NULL && json_object_get_int_member_with_default (n, "id", -1) == (gint64) id)
        return n;
    }
  return NULL;
}

/* SI units with one decimal, plain spaces (g_format_size's are no-break spaces). */
static void
append_bytes (GString *s, double bytes)
{
  static const char *units[] = { "kB", "MB", "GB", "TB" };
  guint u = 0;

  if (bytes < 1000)
    {
      g_string_append_printf (s, "%.0f bytes moved", bytes);
      return;
    }
  bytes /= 1000;
  while (bytes >= 1000 && u + 1 < G_N_ELEMENTS (units))
    bytes /= 1000, u++;
  g_string_append_printf (s, "%.1f %s moved", bytes, units[u]);
}

static void
append_strategies (GString *s, JsonArray *list, gboolean algorithms)
{
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonObject *a = json_array_get_object_element (list, i);
      const char *name = json_object_get_string_member_with_default (a, "strategy", NULL);
      const char *reason = json_object_get_string_member_with_default (a, "reason", NULL);
      JsonNode *cost = json_object_get_member (a, "cost");
      gboolean chosen = json_object_get_boolean_member_with_default (a, "chosen", FALSE);

      g_string_append_printf (s, "  %s %s", chosen ? "chosen:  " : "rejected:",
                              name != NULL ? name : (algorithms ? "algorithm" : "strategy"));
      if (cost != NULL && !json_node_is_null (cost))
        {
          g_string_append (s, ", cost ");
          append_bytes (s, json_node_get_double (cost));
        }
      if (reason != NULL)
        g_string_append_printf (s, " (%s)", reason);
      g_string_append_c (s, '\n');
    }
}

char *
studio_plan_alternatives_text (const char *explain_json, guint id)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GString) s = g_string_new (NULL);
  JsonObject *n, *join;

  if (explain_json == NULL || !json_parser_load_from_data (parser, explain_json, -1, NULL))
    return NULL;
  n = node_entry (json_parser_get_root (parser), id);
  if (n == NULL)
    return NULL;
  if (!json_object_has_member (n, "join"))
    return g_strdup ("Alternatives: none weighed for this operator (only joins choose a "
                     "strategy by cost).");
  join = json_object_get_object_member (n, "join");
  g_string_append_printf (s, "Alternatives (cost: %s):\n",
                          json_object_get_string_member_with_default (join, "cost_unit",
                                                                      "?"));
  if (json_object_has_member (join, "alternatives"))
    append_strategies (s, json_object_get_array_member (join, "alternatives"), FALSE);
  if (json_object_has_member (join, "algorithm_alternatives"))
    append_strategies (s, json_object_get_array_member (join, "algorithm_alternatives"), TRUE);
  return g_strchomp (g_string_free (g_steal_pointer (&s), FALSE));
}

static const PlanPhysNode *
find_node (const PlanPhysNode *n, guint id)
{
  if (n->id == id)
    return n;
  for (guint i = 0; i < n->n_inputs; i++)
    {
      const PlanPhysNode *found = find_node (n->inputs[i].node, id);
      if (found != NULL)
        return found;
    }
  return NULL;
}

gboolean
studio_plan_node_sql_range (const PlanPhysPlan *plan, guint id, const char *sql,
                            guint *start, guint *end)
{
  const PlanPhysNode *n;
  guint lo, hi, len;
  gint depth = 0;

  g_return_val_if_fail (plan != NULL && sql != NULL, FALSE);
  n = find_node (plan->root, id);
  len = (guint) strlen (sql);
  if (n == NULL || n->span.line == 0 || n->span.end <= n->span.start || n->span.end > len)
    return FALSE;
  lo = n->span.start;
  hi = n->span.end;
  for (guint i = lo; i < hi; i++)
    depth += sql[i] == '(' ? 1 : sql[i] == ')' ? -1 : 0;
  while (depth > 0 && hi < len)
    depth += sql[hi] == '(' ? 1 : sql[hi] == ')' ? -1 : 0, hi++;
  while (depth < 0 && lo > 0)
    lo--, depth += sql[lo] == '(' ? 1 : sql[lo] == ')' ? -1 : 0;
  *start = lo;
  *end = hi;
  return TRUE;
}
