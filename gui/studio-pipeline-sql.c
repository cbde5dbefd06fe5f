/* studio-pipeline-sql.c: the pipeline as SQL and SQL as a pipeline.
 *
 * Printing walks the chain that ends in the sink. A chain in SQL's fixed order (filters,
 * then one project or aggregate) prints as plain SELECT ... FROM ... WHERE ... GROUP BY,
 * which is what most users expect to read; any other order prints as pipe syntax, where
 * every |> step is one canvas node, so every chain the canvas can draw has a text form.
 *
 * Reading goes through the real parser and binder (plan_sql_compile_one), never a second
 * grammar: the bound logical plan is walked from the sink down and each operator becomes
 * a node. Expression texts come from the source spans the binder keeps on every
 * expression, so the user's own spelling survives the round trip (the binder's implicit
 * casts have no text of their own). */
#include "studio-pipeline.h"
#include "plans/plan-sql.h"

void studio__pipeline_replace (StudioPipeline *self, GArray *nodes, GArray *edges);

/* ---- pipeline -> SQL --------------------------------------------------------------- */

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

/* The chain from the source to end, source first; NULL with an error when incomplete. */
static GPtrArray *
collect_chain (StudioPipeline *self, const StudioNode *end, GError **error)
{
  g_autoptr (GPtrArray) chain = g_ptr_array_new ();
  const StudioNode *n = end;

  while (n != NULL)
    {
      guint up;
      g_ptr_array_insert (chain, 0, (gpointer) n);
      if (n->kind == STUDIO_NODE_SOURCE || n->kind == STUDIO_NODE_JOIN)
        break;
      up = studio_pipeline_get_input (self, n->id);
      if (up == 0)
        {
          g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                       "%s node %u has no input: drag from an output port onto it",
                       studio_node_kind_title (n->kind), n->id);
          return NULL;
        }
      n = studio_pipeline_lookup (self, up);
    }
  return g_steal_pointer (&chain);
}

static gboolean
check_texts (GPtrArray *chain, GError **error)
{
  for (guint i = 0; i < chain->len; i++)
    {
      const StudioNode *n = chain->pdata[i];
      const char *what = NULL;
      if (n->kind == STUDIO_NODE_SOURCE && *n->text == '\0')
        what = "a table";
      else if (n->kind == STUDIO_NODE_FILTER && *n->text == '\0')
        what = "a condition";
      else if (n->kind == STUDIO_NODE_AGGREGATE && *n->text == '\0')
        what = "an aggregate such as COUNT(*) AS n";
      else if (n->kind == STUDIO_NODE_JOIN && *n->group_by == '\0')
        what = "key fields such as customer = name";
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

/* TRUE when the steps between source and sink are filters then at most one project or
 * aggregate, the order plain SELECT evaluates them in. */
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
join_from (StudioPipeline *self, const StudioNode *join, GError **error)
{
  static const char *kinds[] = { "inner", "left", "right", "full" };
  const StudioNode *side[2];
  g_autoptr (GString) out = g_string_new (NULL);
  g_auto (GStrv) pairs = g_strsplit (join->group_by, ",", -1);
  g_autofree char *kind = g_ascii_strdown (*join->text ? join->text : "inner", -1);
  gboolean known = FALSE;

  for (guint p = 0; p < 2; p++)
    {
      side[p] = studio_pipeline_lookup (self, studio_pipeline_get_input_port (self, join->id,
                                                                               p));
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

/* The FROM clause: the table, or the window TVF over it when the chain starts with one. */
static const char *
from_text (const char *from, GPtrArray *steps, gboolean *windowed)
{
  *windowed = steps->len > 0
              && ((const StudioNode *) steps->pdata[0])->kind == STUDIO_NODE_WINDOW;
  return from;
}

static void
print_fixed (GString *out, const StudioNode *source, GPtrArray *steps, const char *from)
{
  const StudioNode *shape = NULL;
  guint n_filters = 0;
  gboolean win;
  const char *keys;

  from = from_text (from, steps, &win);
  for (guint i = 0; i < steps->len; i++)
    {
      const StudioNode *n = steps->pdata[i];
      if (n->kind == STUDIO_NODE_FILTER)
        n_filters++;
      else if (n->kind != STUDIO_NODE_WINDOW)
        shape = n;
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
  for (guint i = 0, k = 0; i < steps->len; i++)
    {
      const StudioNode *n = steps->pdata[i];
      gboolean paren = n_filters > 1 && has_or (n->text);
      if (n->kind != STUDIO_NODE_FILTER)
        continue;
      g_string_append (out, k++ == 0 ? " WHERE " : " AND ");
      g_string_append_printf (out, paren ? "(%s)" : "%s", n->text);
    }
  if (shape != NULL && shape->kind == STUDIO_NODE_AGGREGATE && (win || *keys != '\0'))
    g_string_append_printf (out, " GROUP BY %s%s%s", win ? "window_start, window_end" : "",
                            win && *keys ? ", " : "", keys);
}

static void
print_pipe (GString *out, const StudioNode *source, GPtrArray *steps, const char *from)
{
  gboolean win;

  g_string_append_printf (out, "FROM %s", from_text (from, steps, &win));
  for (guint i = 0; i < steps->len; i++)
    {
      const StudioNode *n = steps->pdata[i];
      switch (n->kind)
        {
        case STUDIO_NODE_WINDOW:
        case STUDIO_NODE_JOIN:
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
        case STUDIO_NODE_SOURCE:
        case STUDIO_NODE_SINK:
        default:
          g_assert_not_reached ();
        }
    }
}

char *
studio_pipeline_to_sql (StudioPipeline *self, GError **error)
{
  const StudioNode *end;
  const StudioNode *sink = NULL;
  g_autoptr (GPtrArray) chain = NULL;
  g_autoptr (GPtrArray) steps = g_ptr_array_new ();
  g_autofree char *from = NULL;
  GString *out;

  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), NULL);
  end = find_end (self);
  if (end == NULL)
    {
      g_set_error_literal (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                           "The pipeline is empty: drag a source table from the palette");
      return NULL;
    }
  chain = collect_chain (self, end, error);
  if (chain == NULL || !check_texts (chain, error))
    return NULL;
  if (end->kind == STUDIO_NODE_SINK)
    sink = end;
  for (guint i = 1; i < chain->len; i++)
    if (chain->pdata[i] != sink)
      g_ptr_array_add (steps, chain->pdata[i]);
  if (((const StudioNode *) chain->pdata[0])->kind == STUDIO_NODE_JOIN)
    from = join_from (self, chain->pdata[0], error);
  else
    from = g_strdup (((const StudioNode *) chain->pdata[0])->text);
  if (from == NULL)
    return NULL;
  for (guint i = 0; i < steps->len; i++)
    {
      const StudioNode *n = steps->pdata[i];
      if (n->kind != STUDIO_NODE_WINDOW)
        continue;
      if (i > 0 || ((const StudioNode *) chain->pdata[0])->kind == STUDIO_NODE_JOIN)
        {
          g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_INCOMPLETE,
                       "Window node %u must come right after its source: a window "
                       "assigns each input row its windows", n->id);
          return NULL;
        }
      g_free (from);
      from = studio_window_spec_to_sql (n->text, ((const StudioNode *) chain->pdata[0])->text,
                                        error);
      if (from == NULL)
        return NULL;
    }
  out = g_string_new (NULL);
  if (sink != NULL && *sink->text != '\0')
    g_string_append_printf (out, "INSERT INTO %s ", sink->text);
  if (has_fixed_shape (steps))
    print_fixed (out, chain->pdata[0], steps, from);
  else
    print_pipe (out, chain->pdata[0], steps, from);
  return g_string_free (out, FALSE);
}

/* ---- SQL -> pipeline --------------------------------------------------------------- */

static void
span_bounds (const PlanExpr *e, guint *lo, guint *hi)
{
  if (e->span.line != 0 && e->span.end > e->span.start)
    {
      *lo = MIN (*lo, e->span.start);
      *hi = MAX (*hi, e->span.end);
    }
  if (e->kind == PLAN_EXPR_CALL)
    for (guint i = 0; i < e->u.call.n_args; i++)
      span_bounds (e->u.call.args[i], lo, hi);
}

/* The SQL text an expression came from, widened to balance its parentheses; falls back
 * to the plan's own rendering when the expression has no source. */
static char *
expr_text (const char *sql, const PlanExpr *e, const PlanSchema *input)
{
  guint lo = G_MAXUINT, hi = 0, len = (guint) strlen (sql);
  gint depth = 0;

  span_bounds (e, &lo, &hi);
  if (lo >= hi || hi > len)
    return plan_expr_to_string (e, input);
  for (guint i = lo; i < hi; i++)
    depth += sql[i] == '(' ? 1 : sql[i] == ')' ? -1 : 0;
  while (depth < 0 && lo > 0)
    {
      lo--;
      depth += sql[lo] == '(' ? 1 : sql[lo] == ')' ? -1 : 0;
    }
  while (depth > 0 && hi < len)
    {
      depth += sql[hi] == '(' ? 1 : sql[hi] == ')' ? -1 : 0;
      hi++;
    }
  return g_strstrip (g_strndup (sql + lo, hi - lo));
}

static char *
item_text (const char *sql, const PlanExpr *e, const PlanSchema *input, const char *name)
{
  g_autofree char *t = expr_text (sql, e, input);
  if (name == NULL || g_ascii_strcasecmp (t, name) == 0)
    return g_steal_pointer (&t);
  return g_strdup_printf ("%s AS %s", t, name);
}

static gboolean
is_identity (const PlanNode *project)
{
  const PlanSchema *in = project->inputs[0]->schema;
  if (project->u.project.n_exprs != in->n_fields)
    return FALSE;
  for (guint i = 0; i < project->u.project.n_exprs; i++)
    {
      const PlanExpr *e = project->u.project.exprs[i];
      if (e->kind != PLAN_EXPR_COLUMN || e->u.column != i
          || g_ascii_strcasecmp (project->schema->fields[i].name, in->fields[i].name) != 0)
        return FALSE;
    }
  return TRUE;
}

typedef struct {
  StudioNodeKind kind;
  char *text;
  char *group_by;
} Pending;

static void
pending_clear (gpointer data)
{
  Pending *p = data;
  g_free (p->text);
  g_free (p->group_by);
}

static void
push (GArray *out, StudioNodeKind kind, char *text, char *group_by)
{
  Pending p = { kind, text, group_by != NULL ? group_by : g_strdup ("") };
  g_array_append_val (out, p);
}

/* Column i of an aggregate's input, as text: through a pre-projection when there is one. */
static char *
agg_input_text (const char *sql, const PlanNode *input, guint col)
{
  if (input->kind == PLAN_NODE_PROJECT)
    return expr_text (sql, input->u.project.exprs[col], input->inputs[0]->schema);
  return g_strdup (input->schema->fields[col].name);
}

static const PlanNode *
map_aggregate (const char *sql, const PlanNode *node, GArray *out)
{
  const PlanAggregate *a = &node->u.aggregate;
  const PlanNode *input = node->inputs[0];
  g_autoptr (GString) keys = g_string_new (NULL);
  g_autoptr (GString) calls = g_string_new (NULL);

  for (guint i = 0; i < a->n_keys; i++)
    {
      g_autofree char *k = agg_input_text (sql, input, a->keys[i]);
      g_string_append_printf (keys, "%s%s", i > 0 ? ", " : "", k);
    }
  for (guint j = 0; j < a->n_aggs; j++)
    {
      const PlanAggCall *c = &a->aggs[j];
      g_autofree char *arg = c->arg < 0 ? g_strdup ("*")
                                        : agg_input_text (sql, input, (guint) c->arg);
      g_string_append_printf (calls, "%s%s(%s%s) AS %s", j > 0 ? ", " : "",
                              plan_agg_func_name (c->func), c->distinct ? "DISTINCT " : "",
                              arg, node->schema->fields[a->n_keys + j].name);
    }
  push (out, STUDIO_NODE_AGGREGATE, g_strdup (calls->str), g_strdup (keys->str));
  return input->kind == PLAN_NODE_PROJECT ? input->inputs[0] : input;
}

static char *
project_text (const char *sql, const PlanNode *node)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < node->u.project.n_exprs; i++)
    {
      g_autofree char *t = item_text (sql, node->u.project.exprs[i], node->inputs[0]->schema,
                                      node->schema->fields[i].name);
      g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", t);
    }
  return g_string_free (s, FALSE);
}

/* Walks from the sink's input down to the scan, pushing nodes downstream-first. An if
 * chain, not a switch: the plan grows node kinds that have no canvas node yet. */
static gboolean
map_plan (const char *sql, const PlanNode *node, GArray *out, GError **error)
{
  while (node != NULL)
    {
      if (node->kind == PLAN_NODE_SCAN)
        {
          if (node->u.scan.filter != NULL)
            push (out, STUDIO_NODE_FILTER, expr_text (sql, node->u.scan.filter, node->schema),
                  NULL);
          push (out, STUDIO_NODE_SOURCE, g_strdup (node->u.scan.table->name), NULL);
          return TRUE;
        }
      else if (node->kind == PLAN_NODE_FILTER)
        {
          push (out, STUDIO_NODE_FILTER,
                expr_text (sql, node->u.filter.condition, node->inputs[0]->schema), NULL);
          node = node->inputs[0];
        }
      else if (node->kind == PLAN_NODE_PROJECT)
        {
          if (!(node->inputs[0]->kind == PLAN_NODE_AGGREGATE && is_identity (node)))
            push (out, STUDIO_NODE_PROJECT, project_text (sql, node), NULL);
          node = node->inputs[0];
        }
      else if (node->kind == PLAN_NODE_AGGREGATE)
        node = map_aggregate (sql, node, out);
      else
        {
          g_set_error (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_UNSUPPORTED,
                       "%s has no canvas node yet: keep it in the SQL editor, or remove it "
                       "to edit the pipeline on the canvas", plan_node_kind_name (node->kind));
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
studio_pipeline_load_sql (StudioPipeline *self, PlanCatalog *catalog, const char *sql,
                          GError **error)
{
  g_autoptr (PlanStatement) stmt = NULL;
  g_autoptr (GArray) pending = g_array_new (FALSE, TRUE, sizeof (Pending));
  GArray *nodes, *edges;
  const PlanNode *sink;

  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), FALSE);
  g_array_set_clear_func (pending, pending_clear);
  stmt = plan_sql_compile_one (catalog, sql, error);
  if (stmt == NULL)
    return FALSE;
  if (stmt->kind != PLAN_STMT_QUERY && stmt->kind != PLAN_STMT_INSERT)
    {
      g_set_error_literal (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_UNSUPPORTED,
                           "Only SELECT and INSERT INTO ... SELECT become canvas nodes; run "
                           "other statements from the REPL or a notebook");
      return FALSE;
    }
  sink = stmt->plan;
  g_assert (sink->kind == PLAN_NODE_SINK);
  push (pending, STUDIO_NODE_SINK,
        g_strdup (sink->u.sink.table != NULL ? sink->u.sink.table->name : ""), NULL);
  if (!map_plan (sql, sink->inputs[0], pending, error))
    return FALSE;

  nodes = g_array_new (FALSE, TRUE, sizeof (StudioNode));
  edges = g_array_new (FALSE, FALSE, sizeof (StudioEdge));
  for (guint i = 0; i < pending->len; i++)
    {
      Pending *p = &g_array_index (pending, Pending, pending->len - 1 - i);
      StudioNode n = { i + 1, p->kind, 24 + 180.0 * i, 48 + 48.0 * (i % 2),
                       g_steal_pointer (&p->text), g_steal_pointer (&p->group_by) };
      g_array_append_val (nodes, n);
      if (i > 0)
        {
          StudioEdge e = { i, i + 1 };
          g_array_append_val (edges, e);
        }
    }
  studio__pipeline_replace (self, nodes, edges);
  return TRUE;
}
