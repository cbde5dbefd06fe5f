/* studio-pipeline-sql.c: the pipeline as SQL, and the checks of a node's properties.
 *
 * Printing walks the chain that ends in the sink back to its head: a source, a join of
 * two sources, or a union of two chains (each printed the same way, recursively). A
 * chain in SQL's fixed order (filters, then one project, aggregate, Top-N or dedup)
 * prints as plain SELECT ... FROM ... WHERE ... GROUP BY, which is what most users expect
 * to read; any other order prints as pipe syntax, where every |> step is one canvas node,
 * so every chain the canvas can draw has a text form. Top-N and dedup print Flink's
 * ROW_NUMBER() OVER (...) shape, the only one the engine runs.
 *
 * A node is checked by printing the chain that ends in it, with the text being typed in
 * place of its own, and binding that through the real binder: the binder's message (an
 * unknown column, a type error) is the node's problem. Printing therefore goes through a
 * Printer that can shadow one node's text. SQL -> pipeline is studio-pipeline-load.c. */
#include "studio-pipeline.h"
#include "plans/plan-sql.h"

#include <string.h>

/* ---- pipeline -> SQL --------------------------------------------------------------- */

typedef struct {
  StudioPipeline *self;
  StudioNode shadow;   /* a copy of the node whose text is overridden (id 0: none) */
} Printer;

static const StudioNode *
pr_lookup (Printer *pr, guint id)
{
  if (id != 0 && id == pr->shadow.id)
    return &pr->shadow;
  return studio_pipeline_lookup (pr->self, id);
}

static const StudioNode *
pr_input (Printer *pr, guint id, guint port)
{
  return pr_lookup (pr, studio_pipeline_get_input_port (pr->self, id, port));
}

static const StudioNode *
find_end (StudioPipeline *self)
{
  guint n = studio_pipeline_get_n_nodes (self);

  for (guint i = 0; i < n; i++)
    if (studio_pipeline_get_node (self, i)->kind == STUDIO_NODE_SINK)
      return studio_pipeline_get_node (self, i);
  for (guint i = 0; i < n; i++)
    {
      const StudioNode *node = studio_pipeline_get_node (self, i);
      gboolean consumed = FALSE;
      for (guint e = 0; e < studio_pipeline_get_n_edges (self); e++)
        consumed |= studio_pipeline_get_edge (self, e)->from == node->id;
      if (!consumed)
        return node;
    }
  return NULL;
}

static gboolean
is_head (StudioNodeKind kind)
{
  return kind == STUDIO_NODE_SOURCE || studio_node_kind_n_inputs (kind) == 2;
}

/* The chain from its head (a source, join or union) to end, head first; NULL with an
 * error when incomplete. */
static GPtrArray *
collect_chain (Printer *pr, const StudioNode *end, GError **error)
{
  g_autoptr (GPtrArray) chain = g_ptr_array_new ();
  const StudioNode *n = end;

  while (n != NULL)
    {
      guint up;
      g_ptr_array_insert (chain, 0, (gpointer) n);
      if (is_head (n->kind))
        break;
      up = studio_pipeline_get_input (pr->self, n->id);
      if (up == 0)
        {
          g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                       "%s node %u has no input: drag from an output port onto it",
                       studio_node_kind_title (n->kind), n->id);
          return NULL;
        }
      n = pr_lookup (pr, up);
    }
  return g_steal_pointer (&chain);
}

static gboolean
has_columns (const StudioNode *n)
{
  for (const char *c = n->columns; c != NULL && *c != '\0'; c++)
    if (!g_ascii_isspace (*c))
      return TRUE;
  return FALSE;
}

static gboolean
check_texts (GPtrArray *chain, GError **error)
{
  for (guint i = 0; i < chain->len; i++)
    {
      const StudioNode *n = chain->pdata[i];
      const char *what = NULL;
      if (n->kind == STUDIO_NODE_SOURCE && *n->text == '\0')
        what = studio_node_is_connector (n) ? "a table name" : "a table";
      else if (n->kind == STUDIO_NODE_SOURCE && studio_node_is_connector (n)
               && !has_columns (n))
        what = "columns such as id BIGINT, name VARCHAR";
      else if (n->kind == STUDIO_NODE_FILTER && *n->text == '\0')
        what = "a condition";
      else if (n->kind == STUDIO_NODE_AGGREGATE && *n->text == '\0')
        what = "an aggregate such as COUNT(*) AS n";
      else if (n->kind == STUDIO_NODE_JOIN && *n->group_by == '\0')
        what = "key fields such as customer = name";
      else if (n->kind == STUDIO_NODE_TOPN && *n->text == '\0')
        what = "an order and a bound such as amount DESC LIMIT 3";
      else if (n->kind == STUDIO_NODE_DEDUP && *n->text == '\0')
        what = "a time attribute to order the duplicates by, such as pt";
      else if (n->kind == STUDIO_NODE_DEDUP && *n->group_by == '\0')
        what = "the key columns that make rows duplicates";
      if (what != NULL)
        {
          g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                       "%s node %u needs %s: select it and type one in the inspector",
                       studio_node_kind_title (n->kind), n->id, what);
          return FALSE;
        }
    }
  return TRUE;
}

/* TRUE when the steps between head and sink are filters then at most one project,
 * aggregate, Top-N or dedup, the order plain SELECT evaluates them in. */
static gboolean
has_fixed_shape (GPtrArray *steps)
{
  gboolean shaped = FALSE;

  for (guint i = 0; i < steps->len; i++)
    {
      const StudioNode *n = steps->pdata[i];
      if (n->kind == STUDIO_NODE_WINDOW)
        continue;
      if (shaped)
        return FALSE;
      if (n->kind != STUDIO_NODE_FILTER)
        shaped = TRUE;
    }
  return TRUE;
}

/* ---- joins ---- */

/* "orders LEFT JOIN customers ON orders.customer = customers.name": both inputs must be
 * sources (tables); each key pair "l = r" is qualified with its side's table. */
static char *
join_from (Printer *pr, const StudioNode *join, GError **error)
{
  static const char *kinds[] = { "inner", "left", "right", "full" };
  const StudioNode *side[2];
  g_autoptr (GString) out = g_string_new (NULL);
  g_auto (GStrv) pairs = g_strsplit (join->group_by, ",", -1);
  g_autofree char *kind = g_ascii_strdown (*join->text ? join->text : "inner", -1);
  gboolean known = FALSE;

  for (guint p = 0; p < 2; p++)
    {
      side[p] = pr_input (pr, join->id, p);
      if (side[p] == NULL || side[p]->kind != STUDIO_NODE_SOURCE || !*side[p]->text)
        {
          g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                       "Join node %u needs a source table on its %s input port: drag one "
                       "onto it", join->id, p == 0 ? "left (upper)" : "right (lower)");
          return NULL;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    known |= g_str_equal (g_strstrip (kind), kinds[i]);
  if (!known)
    {
      g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                   "Join node %u: unknown join kind '%s'; use inner, left, right or full",
                   join->id, join->text);
      return NULL;
    }
  {
    g_autofree char *up = g_ascii_strup (kind, -1);
    g_string_append_printf (out, "%s %s%s JOIN %s ON ", side[0]->text, up,
                            g_str_equal (kind, "inner") ? "" : " OUTER", side[1]->text);
  }
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      g_auto (GStrv) lr = g_strsplit (pairs[i], "=", 2);
      if (lr[0] == NULL || lr[1] == NULL || !*g_strstrip (lr[0]) || !*g_strstrip (lr[1]))
        {
          g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                       "Join node %u: key '%s' is not 'left_column = right_column'",
                       join->id, g_strstrip (pairs[i]));
          return NULL;
        }
      g_string_append_printf (out, "%s%s.%s = %s.%s", i > 0 ? " AND " : "", side[0]->text,
                              lr[0], side[1]->text, lr[1]);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---- window specs ---- */

static gboolean
interval_sql (GString *out, char *arg, GError **error)
{
  static const char *units[] = { "SECOND", "MINUTE", "HOUR", "DAY" };
  g_auto (GStrv) w = g_strsplit_set (g_strstrip (arg), " \t", -1);
  g_autofree char *unit = NULL;
  guint n = 0;
  char *end = NULL;
  guint64 v;

  for (guint i = 0; w[i] != NULL; i++)
    if (*w[i] != '\0')
      w[n++] = w[i];
    else
      g_free (w[i]);
  w[n] = NULL;
  if (n == 2)
    {
      v = g_ascii_strtoull (w[0], &end, 10);
      unit = g_ascii_strup (w[1], -1);
      if (g_str_has_suffix (unit, "S"))
        unit[strlen (unit) - 1] = '\0';
      for (guint u = 0; end != NULL && *end == '\0' && v > 0 && u < G_N_ELEMENTS (units); u++)
        if (g_str_equal (unit, units[u]))
          {
            g_string_append_printf (out, ", INTERVAL '%" G_GUINT64_FORMAT "' %s", v, unit);
            return TRUE;
          }
    }
  g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
               "Bad interval '%s': write a positive count and a unit, e.g. 10 SECOND "
               "(SECOND, MINUTE, HOUR or DAY)", g_strstrip (arg));
  return FALSE;
}

char *
studio_window_spec_to_sql (const char *spec, const char *table, GError **error)
{
  static const struct { const char *fn; guint n_intervals; } fns[] = {
    { "TUMBLE", 1 }, { "HOP", 2 }, { "CUMULATE", 2 }, { "SESSION", 1 },
  };
  const char *open = strchr (spec, '('), *close = strrchr (spec, ')');
  g_autofree char *fn = NULL;
  g_auto (GStrv) args = NULL;
  g_autoptr (GString) out = NULL;
  gint which = -1;

  if (open != NULL)
    {
      g_autofree char *head = g_strndup (spec, (gsize) (open - spec));
      fn = g_ascii_strup (g_strstrip (head), -1);
    }
  for (guint i = 0; fn != NULL && i < G_N_ELEMENTS (fns); i++)
    if (g_str_equal (fn, fns[i].fn))
      which = (gint) i;
  if (which < 0 || close == NULL || close < open)
    {
      g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                   "Unknown window '%s': use TUMBLE(col, size), HOP(col, slide, size), "
                   "CUMULATE(col, step, max size) or SESSION(col, gap)", spec);
      return NULL;
    }
  {
    g_autofree char *inner = g_strndup (open + 1, (gsize) (close - open - 1));
    args = g_strsplit (inner, ",", -1);
  }
  if (g_strv_length (args) != fns[which].n_intervals + 1 || *g_strstrip (args[0]) == '\0')
    {
      g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                   "%s takes a time column and %u interval%s, e.g. %s", fns[which].fn,
                   fns[which].n_intervals, fns[which].n_intervals > 1 ? "s" : "",
                   fns[which].n_intervals > 1 ? "HOP(ts, 5 SECOND, 10 SECOND)"
                                              : "TUMBLE(ts, 10 SECOND)");
      return NULL;
    }
  out = g_string_new (NULL);
  g_string_append_printf (out, "TABLE(%s(TABLE %s, DESCRIPTOR(%s)", fns[which].fn, table,
                          args[0]);
  for (guint i = 1; args[i] != NULL; i++)
    if (!interval_sql (out, args[i], error))
      return NULL;
  g_string_append (out, "))");
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
has_or (const char *text)
{
  g_autofree char *up = g_ascii_strup (text, -1);
  return strstr (up, " OR ") != NULL;
}

/* ---- Top-N and dedup ---- */

/* Splits a Top-N text "amount DESC LIMIT 3" into its order and its bound. */
static gboolean
topn_parts (const StudioNode *n, char **order, guint64 *limit, GError **error)
{
  g_autofree char *up = g_ascii_strup (n->text, -1);
  const char *at = NULL, *p = up;
  char *end = NULL;

  while ((p = strstr (p, "LIMIT")) != NULL)
    at = p++;
  if (at != NULL && at > up && (at[-1] == ' ' || at[-1] == '\t'))
    {
      *limit = g_ascii_strtoull (n->text + (at - up) + 5, &end, 10);
      *order = g_strstrip (g_strndup (n->text, (gsize) (at - up)));
      while (end != NULL && g_ascii_isspace (*end))
        end++;
      if (end != NULL && *end == '\0' && *limit > 0 && **order != '\0')
        return TRUE;
      g_clear_pointer (order, g_free);
    }
  g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
               "Top-N node %u needs its order and a positive bound, e.g. "
               "amount DESC LIMIT 3 (got '%s')", n->id, n->text);
  return FALSE;
}

/* "ROW_NUMBER() OVER (PARTITION BY k ORDER BY o)" and the rownum bound, "<= 3" or "= 1". */
static gboolean
rank_sql (const StudioNode *n, GString *over, GString *bound, GError **error)
{
  g_autofree char *order = NULL;
  guint64 limit = 1;

  if (n->kind == STUDIO_NODE_TOPN && !topn_parts (n, &order, &limit, error))
    return FALSE;
  g_string_append (over, "ROW_NUMBER() OVER (");
  if (*n->group_by != '\0')
    g_string_append_printf (over, "PARTITION BY %s ", n->group_by);
  g_string_append_printf (over, "ORDER BY %s)", order != NULL ? order : n->text);
  if (n->kind == STUDIO_NODE_TOPN)
    g_string_append_printf (bound, "<= %" G_GUINT64_FORMAT, limit);
  else
    g_string_append (bound, "= 1");
  return TRUE;
}

/* ---- chains ---- */

static gboolean
windowed (GPtrArray *steps)
{
  return steps->len > 0 && ((const StudioNode *) steps->pdata[0])->kind == STUDIO_NODE_WINDOW;
}

static void
print_where (GString *out, GPtrArray *steps)
{
  guint n_filters = 0;

  for (guint i = 0; i < steps->len; i++)
    n_filters += ((const StudioNode *) steps->pdata[i])->kind == STUDIO_NODE_FILTER;
  for (guint i = 0, k = 0; i < steps->len; i++)
    {
      const StudioNode *n = steps->pdata[i];
      gboolean paren = n_filters > 1 && has_or (n->text);
      if (n->kind != STUDIO_NODE_FILTER)
        continue;
      g_string_append (out, k++ == 0 ? " WHERE " : " AND ");
      g_string_append_printf (out, paren ? "(%s)" : "%s", n->text);
    }
}

static gboolean
print_fixed (GString *out, GPtrArray *steps, const char *from, GError **error)
{
  const StudioNode *shape = NULL;
  gboolean win = windowed (steps);
  const char *keys;

  for (guint i = 0; i < steps->len; i++)
    {
      const StudioNode *n = steps->pdata[i];
      if (n->kind != STUDIO_NODE_FILTER && n->kind != STUDIO_NODE_WINDOW)
        shape = n;
    }
  if (shape != NULL && (shape->kind == STUDIO_NODE_TOPN || shape->kind == STUDIO_NODE_DEDUP))
    {
      g_autoptr (GString) over = g_string_new (NULL);
      g_autoptr (GString) bound = g_string_new (NULL);
      if (!rank_sql (shape, over, bound, error))
        return FALSE;
      g_string_append_printf (out, "SELECT * FROM (SELECT *, %s AS rownum FROM %s", over->str,
                              from);
      print_where (out, steps);
      g_string_append_printf (out, ") WHERE rownum %s", bound->str);
      return TRUE;
    }
  keys = shape != NULL && shape->kind == STUDIO_NODE_AGGREGATE ? shape->group_by : "";
  g_string_append (out, "SELECT ");
  if (shape == NULL || (shape->kind == STUDIO_NODE_PROJECT && *shape->text == '\0'))
    g_string_append (out, "*");
  else if (shape->kind == STUDIO_NODE_PROJECT)
    g_string_append (out, shape->text);
  else
    g_string_append_printf (out, "%s%s%s%s%s", win ? "window_start, window_end" : "",
                            win && *keys ? ", " : "", keys,
                            win || *keys ? ", " : "", shape->text);
  g_string_append_printf (out, " FROM %s", from);
  print_where (out, steps);
  if (shape != NULL && shape->kind == STUDIO_NODE_AGGREGATE && (win || *keys != '\0'))
    g_string_append_printf (out, " GROUP BY %s%s%s", win ? "window_start, window_end" : "",
                            win && *keys ? ", " : "", keys);
  return TRUE;
}

static gboolean
print_pipe (GString *out, GPtrArray *steps, const char *from, GError **error)
{
  g_string_append_printf (out, "FROM %s", from);
  for (guint i = 0; i < steps->len; i++)
    {
      const StudioNode *n = steps->pdata[i];
      g_autoptr (GString) over = g_string_new (NULL);
      g_autoptr (GString) bound = g_string_new (NULL);
      switch (n->kind)
        {
        case STUDIO_NODE_WINDOW:
          break;
        case STUDIO_NODE_FILTER:
          g_string_append_printf (out, " |> WHERE %s", n->text);
          break;
        case STUDIO_NODE_PROJECT:
          g_string_append_printf (out, " |> SELECT %s", *n->text ? n->text : "*");
          break;
        case STUDIO_NODE_AGGREGATE:
          g_string_append_printf (out, " |> AGGREGATE %s", n->text);
          if (*n->group_by != '\0')
            g_string_append_printf (out, " GROUP BY %s", n->group_by);
          break;
        case STUDIO_NODE_TOPN:
        case STUDIO_NODE_DEDUP:
          if (!rank_sql (n, over, bound, error))
            return FALSE;
          g_string_append_printf (out, " |> EXTEND %s AS rownum |> WHERE rownum %s", over->str,
                                  bound->str);
          break;
        case STUDIO_NODE_SOURCE:
        case STUDIO_NODE_SINK:
        case STUDIO_NODE_JOIN:
        case STUDIO_NODE_UNION:
        default:
          g_assert_not_reached ();
        }
    }
  return TRUE;
}

static char *query_sql (Printer *pr, const StudioNode *end, const StudioNode *sink,
                        GError **error);

/* "a UNION ALL b": each side its own chain; a side in pipe syntax gets parentheses so its
 * last step does not swallow the UNION. */
static char *
union_sql (Printer *pr, const StudioNode *u, GError **error)
{
  g_autoptr (GString) out = g_string_new (NULL);

  for (guint p = 0; p < 2; p++)
    {
      const StudioNode *in = pr_input (pr, u->id, p);
      g_autofree char *q = NULL;
      if (in == NULL)
        {
          g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                       "Union node %u needs an input on its %s port: drag one onto it",
                       u->id, p == 0 ? "upper" : "lower");
          return NULL;
        }
      if ((q = query_sql (pr, in, NULL, error)) == NULL)
        return NULL;
      g_string_append_printf (out, g_str_has_prefix (q, "FROM ") ? "%s(%s)" : "%s%s",
                              p > 0 ? " UNION ALL " : "", q);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The FROM text of a chain's head, the window TVF over it when a window follows. */
static char *
head_from (Printer *pr, GPtrArray *chain, GPtrArray *steps, GError **error)
{
  const StudioNode *head = chain->pdata[0];

  for (guint i = 0; i < steps->len; i++)
    {
      const StudioNode *n = steps->pdata[i];
      if (n->kind == STUDIO_NODE_WINDOW && (i > 0 || head->kind != STUDIO_NODE_SOURCE))
        {
          g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                       "Window node %u must come right after its source: a window "
                       "assigns each input row its windows", n->id);
          return NULL;
        }
    }
  if (head->kind == STUDIO_NODE_JOIN)
    return join_from (pr, head, error);
  if (head->kind == STUDIO_NODE_UNION)
    {
      g_autofree char *u = union_sql (pr, head, error);
      return u != NULL ? g_strdup_printf ("(%s)", u) : NULL;
    }
  if (windowed (steps))
    return studio_window_spec_to_sql (((const StudioNode *) steps->pdata[0])->text,
                                      head->text, error);
  return g_strdup (head->text);
}

/* The query of the chain ending in end (the sink itself excluded). */
static char *
query_sql (Printer *pr, const StudioNode *end, const StudioNode *sink, GError **error)
{
  g_autoptr (GPtrArray) chain = collect_chain (pr, end, error);
  g_autoptr (GPtrArray) steps = g_ptr_array_new ();
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *from = NULL;
  gboolean ok;

  if (chain == NULL || !check_texts (chain, error))
    return NULL;
  for (guint i = 1; i < chain->len; i++)
    if (chain->pdata[i] != sink)
      g_ptr_array_add (steps, chain->pdata[i]);
  if (steps->len == 0 && ((const StudioNode *) chain->pdata[0])->kind == STUDIO_NODE_UNION)
    return union_sql (pr, chain->pdata[0], error);
  if ((from = head_from (pr, chain, steps, error)) == NULL)
    return NULL;
  if (has_fixed_shape (steps))
    ok = print_fixed (out, steps, from, error);
  else
    ok = print_pipe (out, steps, from, error);
  return ok ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

/* Whether node from feeds node to, directly or through others. */
static gboolean
feeds (StudioPipeline *self, guint from, guint to)
{
  for (guint i = 0; i < studio_pipeline_get_n_edges (self); i++)
    {
      const StudioEdge *e = studio_pipeline_get_edge (self, i);
      if (e->from == from && (e->to == to || feeds (self, e->to, to)))
        return TRUE;
    }
  return FALSE;
}

static gboolean compiles (PlanCatalog *catalog, const char *sql, GError **error);
static char *bind_message (const GError *error);

/* A connector sink with no columns of its own takes its input's: "name TYPE, ..." of the
 * bound query feeding it, or NULL with the reason. */
static char *
input_columns (StudioPipeline *self, PlanCatalog *catalog, const StudioNode *sink,
               GError **error)
{
  guint in = studio_pipeline_get_input (self, sink->id);
  g_autofree char *q = NULL;
  g_autoptr (PlanStatement) stmt = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  g_autoptr (GError) bind_error = NULL;
  const PlanSchema *schema;

  if (in == 0)
    {
      g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                   "Sink node %u has no columns and no input to take them from: type "
                   "columns in the inspector or connect it", sink->id);
      return NULL;
    }
  if ((q = studio_pipeline_to_sql_at (self, in, NULL, error)) == NULL)
    return NULL;
  if ((stmt = plan_sql_compile_one (catalog, q, &bind_error)) == NULL)
    {
      g_autofree char *m = bind_message (bind_error);
      g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                   "Sink node %u takes the columns of its input, which does not bind yet: %s",
                   sink->id, m);
      return NULL;
    }
  schema = stmt->plan->n_inputs > 0 ? stmt->plan->inputs[0]->schema : stmt->plan->schema;
  for (guint i = 0; i < schema->n_fields; i++)
    {
      g_autofree char *type = plan_type_to_string (schema->fields[i].type, TRUE);
      g_string_append_printf (out, "%s%s %s", i > 0 ? ", " : "", schema->fields[i].name,
                              type);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* "CREATE TABLE ... WITH (...);\n" for each connector node of the chain ending in end, in
 * node order, so the script defines every table before its query uses it. */
static gboolean
print_tables (StudioPipeline *self, const StudioNode *end, GString *out, GError **error)
{
  for (guint i = 0; i < studio_pipeline_get_n_nodes (self); i++)
    {
      const StudioNode *n = studio_pipeline_get_node (self, i);
      g_autofree char *ddl = NULL, *cols = NULL;
      StudioNode with = *n;
      if (!studio_node_is_connector (n) || (n != end && !feeds (self, n->id, end->id)))
        continue;
      if (n->kind == STUDIO_NODE_SINK && !has_columns (n))
        {
          g_autoptr (PlanCatalog) catalog =
            studio_pipeline_dup_catalog (self, studio_pipeline_get_catalog (self));
          if ((with.columns = cols = input_columns (self, catalog, n, error)) == NULL)
            return FALSE;
        }
      if ((ddl = studio_node_table_sql (&with, error)) == NULL)
        return FALSE;
      g_string_append_printf (out, "%s;\n", ddl);
    }
  return TRUE;
}

char *
studio_pipeline_to_sql (StudioPipeline *self, GError **error)
{
  Printer pr = { self, { 0 } };
  const StudioNode *end;
  g_autofree char *q = NULL;
  g_autoptr (GString) out = g_string_new (NULL);

  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), NULL);
  end = find_end (self);
  if (end == NULL)
    {
      g_set_error_literal (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                           "The pipeline is empty: drag a source table from the palette");
      return NULL;
    }
  if ((q = query_sql (&pr, end, end->kind == STUDIO_NODE_SINK ? end : NULL, error)) == NULL)
    return NULL;
  if (!print_tables (self, end, out, error))
    return NULL;
  if (end->kind == STUDIO_NODE_SINK && *end->text != '\0')
    g_string_append_printf (out, "INSERT INTO %s %s", end->text, q);
  else
    g_string_append (out, q);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
sql_at (StudioPipeline *self, guint id, const char *text, const char *group_by,
        GError **error)
{
  Printer pr = { self, { 0 } };
  const StudioNode *end;

  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), NULL);
  end = studio_pipeline_lookup (self, id);
  g_return_val_if_fail (end != NULL, NULL);
  if (text != NULL || group_by != NULL)
    {
      pr.shadow = *end;
      pr.shadow.text = (char *) (text != NULL ? text : end->text);
      pr.shadow.group_by = (char *) (group_by != NULL ? group_by : end->group_by);
      end = &pr.shadow;
    }
  return query_sql (&pr, end, end->kind == STUDIO_NODE_SINK ? end : NULL, error);
}

char *
studio_pipeline_to_sql_at (StudioPipeline *self, guint id, const char *text, GError **error)
{
  return sql_at (self, id, text, NULL, error);
}

/* ---- checks ---------------------------------------------------------------------- */

static gboolean
compiles (PlanCatalog *catalog, const char *sql, GError **error)
{
  g_autoptr (PlanStatement) stmt = plan_sql_compile_one (catalog, sql, error);
  return stmt != NULL;
}

/* The binder's message without its "line:col: " prefix (the position is in SQL the user
 * never typed). */
static char *
bind_message (const GError *error)
{
  const char *m = error->message, *p = m;

  while (g_ascii_isdigit (*p) || *p == ':')
    p++;
  if (p > m && p[-1] == ':' && *p == ' ')
    return g_strdup (p + 1);
  return g_strdup (m);
}

char *
studio_pipeline_check_node (StudioPipeline *self, guint id, const char *text)
{
  return studio_pipeline_check_node_full (self, id, text, NULL);
}

char *
studio_pipeline_check_node_full (StudioPipeline *self, guint id, const char *text,
                                 const char *group_by)
{
  const StudioNode *n;
  StudioNode draft;

  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), NULL);
  n = studio_pipeline_lookup (self, id);
  g_return_val_if_fail (n != NULL, NULL);
  draft = *n;
  draft.text = (char *) (text != NULL ? text : n->text);
  draft.group_by = (char *) (group_by != NULL ? group_by : n->group_by);
  return studio_pipeline_check_node_draft (self, &draft);
}

char *studio__connector_problem (const StudioNode *draft);

/* A connector sink's table against the query feeding it: "INSERT INTO t <query>" bound
 * (a column count or type that does not fit); NULL while the query does not compile. */
static char *
sink_fit_problem (StudioPipeline *self, PlanCatalog *catalog, const StudioNode *sink)
{
  guint in = studio_pipeline_get_input (self, sink->id);
  g_autofree char *q = in != 0 ? studio_pipeline_to_sql_at (self, in, NULL, NULL) : NULL;
  g_autofree char *sql = NULL;
  g_autoptr (GError) error = NULL;

  if (q == NULL || !compiles (catalog, q, NULL))
    return NULL;
  sql = g_strdup_printf ("INSERT INTO %s %s", sink->text, q);
  return compiles (catalog, sql, &error) ? NULL : bind_message (error);
}

/* Another connector node defining a table of n's name, or NULL. */
static const StudioNode *
same_name (StudioPipeline *self, const StudioNode *n)
{
  for (guint i = 0; i < studio_pipeline_get_n_nodes (self); i++)
    {
      const StudioNode *o = studio_pipeline_get_node (self, i);
      if (o->id != n->id && studio_node_is_connector (o)
          && g_ascii_strcasecmp (o->text, n->text) == 0)
        return o;
    }
  return NULL;
}

static char *
check_source_or_sink (StudioPipeline *self, PlanCatalog *catalog, const StudioNode *n)
{
  char *problem;
  const StudioNode *twin;
  g_autofree char *cols = NULL;
  StudioNode with = *n;

  if (studio_node_is_connector (n))
    {
      if ((twin = same_name (self, n)) != NULL)
        return g_strdup_printf ("%s node %u defines a table '%s' too: rename one of them",
                                studio_node_kind_title (twin->kind), twin->id, twin->text);
      if (n->kind == STUDIO_NODE_SINK && !has_columns (n))
        {
          if ((cols = input_columns (self, catalog, n, NULL)) == NULL)
            return NULL; /* its input's problem, shown there */
          with.columns = cols;
          return studio__connector_problem (&with);
        }
      if ((problem = studio__connector_problem (n)) != NULL)
        return problem;
      return n->kind == STUDIO_NODE_SINK && studio_pipeline_lookup (self, n->id) != NULL
               && g_str_equal (studio_pipeline_lookup (self, n->id)->text, n->text)
               ? sink_fit_problem (self, catalog, n) : NULL;
    }
  return *n->text != '\0' && plan_catalog_get_table (catalog, n->text) == NULL
           ? g_strdup_printf ("Unknown table '%s': create it in the notebook first", n->text)
           : NULL;
}

char *
studio_pipeline_check_node_draft (StudioPipeline *self, const StudioNode *n)
{
  g_autoptr (PlanCatalog) catalog = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *sql = NULL;
  guint id;

  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (n != NULL && studio_pipeline_lookup (self, n->id) != NULL, NULL);
  id = n->id;
  if (n->kind == STUDIO_NODE_WINDOW)
    {
      sql = studio_window_spec_to_sql (n->text, "t", &error);
      return sql == NULL ? g_strdup (error->message) : NULL;
    }
  if (studio_node_is_connector (n) && studio_pipeline_get_catalog (self) == NULL)
    return studio__connector_problem (n);
  if (studio_pipeline_get_catalog (self) == NULL)
    return NULL;
  catalog = studio_pipeline_dup_catalog (self, studio_pipeline_get_catalog (self));
  if (n->kind == STUDIO_NODE_SOURCE || n->kind == STUDIO_NODE_SINK)
    return check_source_or_sink (self, catalog, n);
  for (guint p = 0; p < studio_node_kind_n_inputs (n->kind); p++)
    {
      guint in = studio_pipeline_get_input_port (self, id, p);
      g_autofree char *in_sql = in != 0 ? studio_pipeline_to_sql_at (self, in, NULL, NULL)
                                        : NULL;
      if (in_sql == NULL || !compiles (catalog, in_sql, NULL))
        return NULL; /* not this node's problem (yet) */
    }
  sql = sql_at (self, id, n->text, n->group_by, &error);
  if (sql == NULL)
    return g_strdup (error->message);
  if (!compiles (catalog, sql, &error))
    return bind_message (error);
  return NULL;
}
