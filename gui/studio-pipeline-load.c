/* studio-pipeline-load.c: SQL as a pipeline, the other direction of studio-pipeline-sql.c.
 *
 * Reading goes through the real parser and binder (plan_sql_compile_one), never a second
 * grammar: the bound logical plan is walked from the sink down and each operator becomes
 * a node; a join or a union walks both of its inputs, so the result is a tree. Expression
 * texts come from the source spans the binder keeps on every expression, so the user's
 * own spelling survives the round trip (the binder's implicit casts have no text of their
 * own). The binder also adds nodes the user never wrote (a table's computed columns, the
 * casts of a join's keys or of a union's columns, the projection dropping those again);
 * they are recognised by shape and skipped, so the canvas shows what was typed. Layout:
 * one column per distance from the sink, one lane per source, a consumer in the middle
 * of its inputs. */
#include "studio-pipeline.h"
#include "plans/plan-sql.h"

#include <string.h>

void studio__pipeline_replace (StudioPipeline *self, GArray *nodes, GArray *edges);
gboolean studio__node_fields_from_table (const PlanTable *t, char **connector, char **columns,
                                         char **options, char **watermark, GError **error);

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

/* ---- nodes the binder adds ---------------------------------------------------------- */

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

static gboolean
is_computed_option (const PlanTable *t, const char *name)
{
  for (guint i = 0; i + 1 < t->options->len; i += 2)
    {
      const char *key = t->options->pdata[i];
      if (g_str_has_prefix (key, "__computed.")
          && g_ascii_strcasecmp (key + strlen ("__computed."), name) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The PROJECT the binder puts over a table's scan for its computed columns: every output
 * is a scan column or one of the table's computed columns. */
static gboolean
is_computed_columns (const PlanNode *node)
{
  const PlanNode *scan;
  guint extra = 0;

  if (node->kind != PLAN_NODE_PROJECT || node->inputs[0]->kind != PLAN_NODE_SCAN)
    return FALSE;
  scan = node->inputs[0];
  for (guint i = 0; i < node->schema->n_fields; i++)
    {
      const char *name = node->schema->fields[i].name;
      if (is_computed_option (scan->u.scan.table, name))
        extra++;
      else if (plan_schema_find (scan->schema, name) < 0)
        return FALSE;
    }
  return extra > 0 && node->schema->n_fields == scan->schema->n_fields + extra;
}

/* An implicit CAST (no source text) of a column, or the column itself: its index. */
static gint
plain_column (const PlanExpr *e)
{
  while (e->kind == PLAN_EXPR_CALL && e->u.call.func == PLAN_FUNC_CAST && e->span.line == 0)
    e = e->u.call.args[0];
  return e->kind == PLAN_EXPR_COLUMN ? (gint) e->u.column : -1;
}

/* The PROJECT the binder puts under a join for keys that need a cast: the input's columns
 * in order, then "$key" columns. */
static gboolean
is_key_project (const PlanNode *node)
{
  const PlanSchema *in;
  guint i;

  if (node->kind != PLAN_NODE_PROJECT)
    return FALSE;
  in = node->inputs[0]->schema;
  for (i = 0; i < in->n_fields && i < node->u.project.n_exprs; i++)
    if (node->u.project.exprs[i]->kind != PLAN_EXPR_COLUMN
        || node->u.project.exprs[i]->u.column != i)
      return FALSE;
  for (; i < node->schema->n_fields; i++)
    if (!g_str_has_prefix (node->schema->fields[i].name, "$key"))
      return FALSE;
  return i > in->n_fields;
}

/* The PROJECT of SELECT * over a join: every join column but the "$key" ones, in order. */
static gboolean
is_join_star (const PlanNode *node)
{
  const PlanNode *join = node->inputs[0];
  guint k = 0;

  if (node->kind != PLAN_NODE_PROJECT || join->kind != PLAN_NODE_JOIN)
    return FALSE;
  for (guint j = 0; j < join->schema->n_fields; j++)
    {
      const PlanExpr *e;
      if (g_str_has_prefix (join->schema->fields[j].name, "$key"))
        continue;
      if (k >= node->u.project.n_exprs)
        return FALSE;
      e = node->u.project.exprs[k];
      if (e->kind != PLAN_EXPR_COLUMN || e->u.column != j
          || g_ascii_strcasecmp (node->schema->fields[k].name, join->schema->fields[j].name))
        return FALSE;
      k++;
    }
  return k == node->u.project.n_exprs;
}

/* The PROJECT of casts the binder puts under a union's input: column i or a CAST of it
 * for every i, at least one CAST, all sharing the one span of the UNION (columns the user
 * wrote have spans of their own). */
static gboolean
is_union_casts (const PlanNode *node)
{
  gboolean cast = FALSE;

  if (node->kind != PLAN_NODE_PROJECT)
    return FALSE;
  for (guint i = 0; i < node->u.project.n_exprs; i++)
    {
      const PlanExpr *e = node->u.project.exprs[i];
      const PlanExpr *first = node->u.project.exprs[0];
      while (e->kind == PLAN_EXPR_CALL && e->u.call.func == PLAN_FUNC_CAST)
        e = e->u.call.args[0], cast = TRUE;
      while (first->kind == PLAN_EXPR_CALL && first->u.call.func == PLAN_FUNC_CAST)
        first = first->u.call.args[0];
      if (e->kind != PLAN_EXPR_COLUMN || e->u.column != i || e->span.start != first->span.start
          || e->span.end != first->span.end)
        return FALSE;
    }
  return cast;
}

/* ---- the walk ------------------------------------------------------------------------- */

typedef struct {
  StudioNodeKind kind;
  char *text;
  char *group_by;
  gint consumer;   /* index into the pending array, -1: none (the sink) */
  guint port;
  guint depth;     /* edges from the sink */
  double lane;     /* vertical position in lanes */
  char *connector, *columns, *options, *watermark; /* a connector node's, else NULL */
} Pending;

typedef struct {
  const char *sql;
  GArray *out;     /* Pending, downstream first */
  GError **error;
  GPtrArray *created; /* PlanTable: the tables the script itself creates */
} Walk;

static void
pending_clear (gpointer data)
{
  Pending *p = data;
  g_free (p->text);
  g_free (p->group_by);
  g_free (p->connector);
  g_free (p->columns);
  g_free (p->options);
  g_free (p->watermark);
}

static gint
push (Walk *w, StudioNodeKind kind, char *text, char *group_by, gint consumer, guint port)
{
  Pending p = { kind, text, group_by != NULL ? group_by : g_strdup (""), consumer, port, 0,
                0, NULL, NULL, NULL, NULL };

  p.depth = consumer >= 0 ? g_array_index (w->out, Pending, consumer).depth + 1 : 0;
  g_array_append_val (w->out, p);
  return (gint) w->out->len - 1;
}

static gboolean
unsupported (Walk *w, const char *what)
{
  g_set_error (w->error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_UNSUPPORTED,
               "%s has no canvas node yet: keep it in the SQL editor, or remove it to edit "
               "the pipeline on the canvas", what);
  return FALSE;
}

static gboolean walk (Walk *w, const PlanNode *node, gint consumer, guint port);

/* Column i of an aggregate's input, as text: through a pre-projection when there is one. */
static char *
agg_input_text (const char *sql, const PlanNode *input, guint col)
{
  if (input->kind == PLAN_NODE_PROJECT)
    return expr_text (sql, input->u.project.exprs[col], input->inputs[0]->schema);
  return g_strdup (input->schema->fields[col].name);
}

/* Whether a window TVF feeds node through filters and projections. */
static gboolean
over_window (const PlanNode *node)
{
  while (node->kind == PLAN_NODE_FILTER || node->kind == PLAN_NODE_PROJECT)
    node = node->inputs[0];
  return node->kind == PLAN_NODE_WINDOW;
}

static gboolean
walk_aggregate (Walk *w, const PlanNode *node, gint consumer, guint port)
{
  const PlanAggregate *a = &node->u.aggregate;
  const PlanNode *input = node->inputs[0];
  g_autoptr (GString) keys = g_string_new (NULL);
  g_autoptr (GString) calls = g_string_new (NULL);
  gboolean win = over_window (input);
  gint me;

  for (guint i = 0; i < a->n_keys; i++)
    {
      g_autofree char *k = agg_input_text (w->sql, input, a->keys[i]);
      if (win && (!g_ascii_strcasecmp (k, "window_start") || !g_ascii_strcasecmp (k, "window_end")))
        continue; /* the canvas adds them for a window */
      g_string_append_printf (keys, "%s%s", keys->len > 0 ? ", " : "", k);
    }
  for (guint j = 0; j < a->n_aggs; j++)
    {
      const PlanAggCall *c = &a->aggs[j];
      g_autofree char *arg = c->arg < 0 ? g_strdup ("*")
                                        : agg_input_text (w->sql, input, (guint) c->arg);
      g_string_append_printf (calls, "%s%s(%s%s) AS %s", j > 0 ? ", " : "",
                              plan_agg_func_name (c->func), c->distinct ? "DISTINCT " : "",
                              arg, node->schema->fields[a->n_keys + j].name);
    }
  me = push (w, STUDIO_NODE_AGGREGATE, g_strdup (calls->str), g_strdup (keys->str), consumer,
             port);
  return walk (w, input->kind == PLAN_NODE_PROJECT ? input->inputs[0] : input, me, 0);
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

/* "10 SECOND" from milliseconds, in the largest unit that divides it. */
static char *
interval_text (gint64 ms)
{
  static const struct { gint64 ms; const char *unit; } units[] = {
    { 86400000, "DAY" }, { 3600000, "HOUR" }, { 60000, "MINUTE" }, { 1000, "SECOND" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (ms > 0 && ms % units[i].ms == 0)
      return g_strdup_printf ("%" G_GINT64_FORMAT " %s", ms / units[i].ms, units[i].unit);
  return NULL;
}

static gboolean
walk_window (Walk *w, const PlanNode *node, gint consumer, guint port)
{
  static const char *fns[] = { "TUMBLE", "HOP", "CUMULATE", "SESSION" };
  const PlanWindow *win = &node->u.window;
  const PlanNode *input = node->inputs[0];
  g_autofree char *size = interval_text (win->size_ms);
  g_autofree char *slide = interval_text (win->slide_ms);
  const char *ts = input->schema->fields[win->time_col].name;
  char *spec;
  gint me;

  if (win->offset_ms != 0 || win->n_partition > 0 || size == NULL || slide == NULL
      || (guint) win->kind >= G_N_ELEMENTS (fns))
    return unsupported (w, "A window with an offset, a PARTITION BY or sub-second sizes");
  if (is_computed_columns (input))
    input = input->inputs[0];
  if (input->kind != PLAN_NODE_SCAN)
    return unsupported (w, "A window over anything but a table");
  if (win->kind == PLAN_WINDOW_HOP || win->kind == PLAN_WINDOW_CUMULATE)
    spec = g_strdup_printf ("%s(%s, %s, %s)", fns[win->kind], ts, slide, size);
  else
    spec = g_strdup_printf ("%s(%s, %s)", fns[win->kind], ts, size);
  me = push (w, STUDIO_NODE_WINDOW, spec, NULL, consumer, port);
  return walk (w, input, me, 0);
}

/* A join side: a table, possibly under its computed columns and the key casts. */
static const PlanNode *
join_side (const PlanNode *node, const PlanNode **keyed)
{
  *keyed = node;
  if (is_key_project (node))
    node = node->inputs[0];
  if (is_computed_columns (node))
    node = node->inputs[0];
  return node->kind == PLAN_NODE_SCAN && node->u.scan.filter == NULL ? node : NULL;
}

/* The name of key column col of a join side, through the key casts. */
static const char *
key_name (const PlanNode *keyed, guint col)
{
  if (keyed->kind == PLAN_NODE_PROJECT && is_key_project (keyed))
    {
      const PlanExpr *e = keyed->u.project.exprs[col];
      gint c;
      while (e->kind == PLAN_EXPR_CALL && e->u.call.func == PLAN_FUNC_CAST)
        e = e->u.call.args[0]; /* the binder's cast to the other side's type */
      c = e->kind == PLAN_EXPR_COLUMN ? (gint) e->u.column : -1;
      return c >= 0 ? keyed->inputs[0]->schema->fields[c].name : NULL;
    }
  return keyed->schema->fields[col].name;
}

/* Where a whole-word name first occurs in sql at or after from (case-insensitive), or
 * G_MAXUINT. */
static guint
word_at (const char *sql, guint from, const char *name)
{
  gsize n = strlen (name), len = strlen (sql);

  for (gsize i = from; i + n <= len; i++)
    if (g_ascii_strncasecmp (sql + i, name, n) == 0
        && (i == 0 || !(g_ascii_isalnum (sql[i - 1]) || sql[i - 1] == '_'))
        && !(g_ascii_isalnum (sql[i + n]) || sql[i + n] == '_'))
      return (guint) i;
  return G_MAXUINT;
}

typedef struct {
  const char *l, *r;
  guint at;     /* where the left key is written after ON */
} KeyPair;

static gint
key_pair_cmp (gconstpointer a, gconstpointer b)
{
  const KeyPair *x = a, *y = b;
  return x->at < y->at ? -1 : x->at > y->at;
}

/* The binder lists keys that needed a cast first; the canvas keeps the order they were
 * written in after ON. */
static void
sort_keys (const char *sql, const PlanNode *join, GArray *pairs)
{
  guint on = join->span.line != 0 ? join->span.start : 0;

  on = word_at (sql, on, "ON");
  for (guint k = 0; k < pairs->len; k++)
    {
      KeyPair *p = &g_array_index (pairs, KeyPair, k);
      p->at = on != G_MAXUINT ? word_at (sql, on, p->l) : k;
    }
  g_array_sort (pairs, key_pair_cmp);
}

static gboolean
walk_join (Walk *w, const PlanNode *node, gint consumer, guint port)
{
  static const char *kinds[] = { "inner", "left", "right", "full" };
  const PlanJoin *j = &node->u.join;
  const PlanNode *side[2], *keyed[2];
  g_autoptr (GString) keys = g_string_new (NULL);
  g_autoptr (GArray) pairs = g_array_new (FALSE, FALSE, sizeof (KeyPair));
  gint me;

  for (guint p = 0; p < 2; p++)
    if ((side[p] = join_side (node->inputs[p], &keyed[p])) == NULL)
      return unsupported (w, "A join of anything but two tables");
  if (j->residual != NULL || j->n_keys == 0 || (guint) j->type >= G_N_ELEMENTS (kinds))
    return unsupported (w, "A join condition other than column equalities");
  for (guint k = 0; k < j->n_keys; k++)
    {
      KeyPair p = { key_name (keyed[0], j->left_keys[k]),
                    key_name (keyed[1], j->right_keys[k]), k };
      if (p.l == NULL || p.r == NULL)
        return unsupported (w, "A join key that is an expression");
      g_array_append_val (pairs, p);
    }
  sort_keys (w->sql, node, pairs);
  for (guint k = 0; k < pairs->len; k++)
    g_string_append_printf (keys, "%s%s = %s", k > 0 ? ", " : "",
                            g_array_index (pairs, KeyPair, k).l,
                            g_array_index (pairs, KeyPair, k).r);
  me = push (w, STUDIO_NODE_JOIN, g_strdup (kinds[j->type]), g_strdup (keys->str), consumer,
             port);
  /* the right side first: the pending array is reversed into node order at the end */
  return walk (w, side[1], me, 1) && walk (w, side[0], me, 0);
}

static gboolean
walk_union (Walk *w, const PlanNode *node, gint consumer, guint port)
{
  gint me;

  if (node->n_inputs != 2)
    return unsupported (w, "A UNION ALL of more than two queries");
  me = push (w, STUDIO_NODE_UNION, g_strdup (""), NULL, consumer, port);
  for (guint p = 2; p-- > 0;)
    {
      const PlanNode *in = node->inputs[p];
      if (is_union_casts (in))
        in = in->inputs[0];
      if (!walk (w, in, me, p))
        return FALSE;
    }
  return TRUE;
}

static char *
order_text (const PlanNode *rank)
{
  const PlanSort *o = &rank->u.rank.order;
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < o->n_keys; i++)
    g_string_append_printf (s, "%s%s%s", i > 0 ? ", " : "",
                            rank->inputs[0]->schema->fields[o->keys[i]].name,
                            o->descending[i] ? " DESC" : "");
  return g_string_free (s, FALSE);
}

/* rownum <= N, rownum < N or rownum = N (N a literal, maybe cast) over column rownum_col:
 * the bound N, else -1. */
static gint64
rownum_bound (const PlanExpr *e, guint rownum_col)
{
  const PlanExpr *lit;
  gint64 n;

  if (e->kind != PLAN_EXPR_CALL || e->u.call.n_args != 2
      || (e->u.call.func != PLAN_FUNC_LE && e->u.call.func != PLAN_FUNC_LT
          && e->u.call.func != PLAN_FUNC_EQ)
      || plain_column (e->u.call.args[0]) != (gint) rownum_col)
    return -1;
  lit = e->u.call.args[1];
  while (lit->kind == PLAN_EXPR_CALL && lit->u.call.func == PLAN_FUNC_CAST)
    lit = lit->u.call.args[0];
  if (lit->kind != PLAN_EXPR_LITERAL || lit->u.literal.is_null)
    return -1;
  n = lit->u.literal.v.i;
  if (e->u.call.func == PLAN_FUNC_LT)
    n--;
  return e->u.call.func == PLAN_FUNC_EQ && n != 1 ? -1 : n;
}

/* FILTER (rownum bound [AND rest]) over SELECT * over RANK: a Top-N or dedup node, with
 * the rest of the condition as a filter node above it. FALSE (nothing pushed) when the
 * filter has another shape. */
static gboolean
walk_ranked (Walk *w, const PlanNode *filter, gint consumer, guint port, gboolean *done)
{
  const PlanNode *below = filter->inputs[0], *rank;
  const PlanExpr *cond = filter->u.filter.condition, *bound_e = cond, *rest = NULL;
  guint rownum_col;
  gint64 n;
  gint me;

  *done = FALSE;
  rank = below->kind == PLAN_NODE_PROJECT && is_identity (below) ? below->inputs[0] : below;
  if (rank->kind != PLAN_NODE_RANK || !rank->u.rank.rownum)
    return TRUE;
  rownum_col = rank->schema->n_fields - 1;
  if (cond->kind == PLAN_EXPR_CALL && cond->u.call.func == PLAN_FUNC_AND
      && cond->u.call.n_args == 2)
    {
      bound_e = cond->u.call.args[0];
      rest = cond->u.call.args[1];
      if (rownum_bound (bound_e, rownum_col) < 0)
        {
          bound_e = cond->u.call.args[1];
          rest = cond->u.call.args[0];
        }
    }
  if ((n = rownum_bound (bound_e, rownum_col)) < 1)
    return TRUE;
  *done = TRUE;
  if (rest != NULL)
    consumer = push (w, STUDIO_NODE_FILTER, expr_text (w->sql, rest, below->schema), NULL,
                     consumer, port), port = 0;
  {
    g_autofree char *order = order_text (rank);
    g_autoptr (GString) keys = g_string_new (NULL);
    gboolean dedup = n == 1 && (rank->u.rank.first_row || rank->u.rank.last_row);
    for (guint i = 0; i < rank->u.rank.n_partition; i++)
      g_string_append_printf (keys, "%s%s", i > 0 ? ", " : "",
                              rank->inputs[0]->schema->fields[rank->u.rank.partition[i]].name);
    me = push (w, dedup ? STUDIO_NODE_DEDUP : STUDIO_NODE_TOPN,
               dedup ? g_strdup (order)
                     : g_strdup_printf ("%s LIMIT %" G_GINT64_FORMAT, order, n),
               g_strdup (keys->str), consumer, port);
  }
  return walk (w, rank->inputs[0], me, 0);
}

/* Pushes a source or sink node for table, a connector node when the script created it. */
static gboolean
push_table (Walk *w, StudioNodeKind kind, const PlanTable *table, gint consumer, guint port)
{
  gint me = push (w, kind, g_strdup (table != NULL ? table->name : ""), NULL, consumer, port);
  Pending *p = &g_array_index (w->out, Pending, me);
  gboolean created = FALSE;

  for (guint i = 0; table != NULL && w->created != NULL && i < w->created->len; i++)
    created |= w->created->pdata[i] == (gpointer) table;
  if (!created || plan_table_get_option (table, "connector") == NULL)
    return TRUE;
  return studio__node_fields_from_table (table, &p->connector, &p->columns, &p->options,
                                         &p->watermark, w->error);
}

static gboolean
walk_source (Walk *w, const PlanNode *node, gint consumer, guint port)
{
  if (node->u.scan.filter != NULL)
    consumer = push (w, STUDIO_NODE_FILTER,
                     expr_text (w->sql, node->u.scan.filter, node->schema), NULL, consumer,
                     port), port = 0;
  return push_table (w, STUDIO_NODE_SOURCE, node->u.scan.table, consumer, port);
}

/* Pushes node and what feeds it, downstream first. An if chain, not a switch: the plan
 * grows node kinds that have no canvas node yet. */
static gboolean
walk (Walk *w, const PlanNode *node, gint consumer, guint port)
{
  gboolean done;

  if (node->kind == PLAN_NODE_SCAN)
    return walk_source (w, node, consumer, port);
  if (node->kind == PLAN_NODE_FILTER)
    {
      if (!walk_ranked (w, node, consumer, port, &done) || done)
        return !done ? FALSE : TRUE;
      consumer = push (w, STUDIO_NODE_FILTER,
                       expr_text (w->sql, node->u.filter.condition, node->inputs[0]->schema),
                       NULL, consumer, port);
      return walk (w, node->inputs[0], consumer, 0);
    }
  if (node->kind == PLAN_NODE_PROJECT)
    {
      PlanNodeKind below = node->inputs[0]->kind;
      if (!((below == PLAN_NODE_AGGREGATE && is_identity (node)) || is_computed_columns (node)
            || is_join_star (node) || (below == PLAN_NODE_RANK && is_identity (node))))
        consumer = push (w, STUDIO_NODE_PROJECT, project_text (w->sql, node), NULL, consumer,
                         port), port = 0;
      return walk (w, node->inputs[0], consumer, port);
    }
  if (node->kind == PLAN_NODE_AGGREGATE)
    return walk_aggregate (w, node, consumer, port);
  if (node->kind == PLAN_NODE_WINDOW)
    return walk_window (w, node, consumer, port);
  if (node->kind == PLAN_NODE_JOIN)
    return walk_join (w, node, consumer, port);
  if (node->kind == PLAN_NODE_UNION)
    return walk_union (w, node, consumer, port);
  if (node->kind == PLAN_NODE_RANK)
    return unsupported (w, "ROW_NUMBER() without a WHERE rownum <= N bound");
  return unsupported (w, plan_node_kind_name (node->kind));
}

/* Lanes: a source has its own, a consumer sits in the middle of its inputs. Inputs come
 * after their consumer in the pending array, so walking it backwards (node order) sees
 * them first. */
static void
place (GArray *pending)
{
  g_autofree double *sum = g_new0 (double, pending->len);
  g_autofree guint *count = g_new0 (guint, pending->len);
  guint lanes = 0;

  for (guint i = pending->len; i-- > 0;)
    {
      Pending *p = &g_array_index (pending, Pending, i);
      if (p->kind == STUDIO_NODE_SOURCE)
        p->lane = lanes++;
      else if (count[i] > 0)
        p->lane = sum[i] / count[i];
      if (p->consumer >= 0)
        {
          sum[p->consumer] += p->lane;
          count[p->consumer]++;
        }
    }
}

gboolean
studio_pipeline_load_sql (StudioPipeline *self, PlanCatalog *catalog, const char *sql,
                          GError **error)
{
  g_autoptr (PlanStatement) stmt = NULL;
  g_autoptr (GArray) pending = g_array_new (FALSE, TRUE, sizeof (Pending));
  g_autoptr (GPtrArray) created = NULL;
  Walk w = { sql, pending, error, NULL };
  GArray *nodes, *edges;
  const PlanNode *sink;
  guint max_depth = 0, n;

  g_return_val_if_fail (STUDIO_IS_PIPELINE (self), FALSE);
  g_array_set_clear_func (pending, pending_clear);
  stmt = studio_sql_compile_script (catalog, sql, &created, error);
  if (stmt == NULL)
    return FALSE;
  w.created = created;
  if (stmt->kind != PLAN_STMT_QUERY && stmt->kind != PLAN_STMT_INSERT)
    {
      g_set_error_literal (error, STUDIO_PIPELINE_ERROR, STUDIO_PIPELINE_ERROR_UNSUPPORTED,
                           "Only SELECT and INSERT INTO ... SELECT become canvas nodes; run "
                           "other statements from the REPL or a notebook");
      return FALSE;
    }
  sink = stmt->plan;
  g_assert (sink->kind == PLAN_NODE_SINK);
  if (!push_table (&w, STUDIO_NODE_SINK, sink->u.sink.table, -1, 0)
      || !walk (&w, sink->inputs[0], 0, 0))
    return FALSE;
  place (pending);
  n = pending->len;
  for (guint i = 0; i < n; i++)
    max_depth = MAX (max_depth, g_array_index (pending, Pending, i).depth);
  /* node i is pending n - 1 - i: sources and inputs before their consumers */
  nodes = g_array_new (FALSE, TRUE, sizeof (StudioNode));
  edges = g_array_new (FALSE, FALSE, sizeof (StudioEdge));
  for (guint i = 0; i < n; i++)
    {
      Pending *p = &g_array_index (pending, Pending, n - 1 - i);
      StudioNode node = { i + 1, p->kind, 24 + 180.0 * (max_depth - p->depth),
                          48 + 96.0 * p->lane, g_steal_pointer (&p->text),
                          g_steal_pointer (&p->group_by), g_steal_pointer (&p->connector),
                          g_steal_pointer (&p->columns), g_steal_pointer (&p->options),
                          g_steal_pointer (&p->watermark) };
      g_array_append_val (nodes, node);
      if (p->consumer >= 0)
        {
          StudioEdge e = { i + 1, n - (guint) p->consumer, p->port };
          g_array_append_val (edges, e);
        }
    }
  studio__pipeline_replace (self, nodes, edges);
  return TRUE;
}
