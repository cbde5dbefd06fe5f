/* plan-explain.c: the plan printers: EXPLAIN text for logical and physical plans, and
 * Graphviz DOT for physical plans (for \plan in the REPL and the GUI's plan view).
 *
 * The text follows Flink's EXPLAIN, so a Flink user can read it at once: one operator per
 * line, children below with ":- " and "+- " branches, properties in brackets. Physical
 * lines add parallelism, chaining and the estimated row count, and every non-forward edge
 * is shown as its own Exchange line, because that is where data crosses threads. A node
 * read by more than one consumer is printed once and referred to as Reused afterwards.
 *
 * The printers only read plans; they live apart from plan-json.c because they share
 * nothing with the JSON reader and writer except the public plan structures. */
#include "plan-json.h"

#include <string.h>

#define MAX_VALUES_SHOWN 10

/* ---- EXPLAIN text --------------------------------------------------------------------- */

static void
append_names (GString *out, const PlanSchema *schema)
{
  for (guint i = 0; schema && i < schema->n_fields; i++)
    g_string_append_printf (out, "%s%s", i ? ", " : "",
                            schema->fields[i].name ? schema->fields[i].name : "?");
}

/* "a, b + 1 AS c": each expression over `in`, named by `outs`. */
static void
append_select (GString *out, PlanExpr *const *exprs, guint n, const PlanSchema *in,
               const PlanSchema *outs)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = plan_expr_to_string (exprs[i], in);
      const char *name = outs && i < outs->n_fields ? outs->fields[i].name : NULL;

      g_string_append_printf (out, "%s%s", i ? ", " : "", text);
      if (name && strcmp (name, text) != 0)
        g_string_append_printf (out, " AS %s", name);
    }
}

static void
append_tuples (GString *out, const PlanValue *values, guint n_rows, guint width)
{
  g_string_append (out, "tuples=[[");
  for (guint r = 0; r < n_rows && r < MAX_VALUES_SHOWN; r++)
    {
      g_string_append_printf (out, "%s{ ", r ? ", " : "");
      for (guint c = 0; c < width; c++)
        {
          g_autofree char *v = plan_value_to_string (&values[r * width + c], TRUE);

          g_string_append_printf (out, "%s%s", c ? ", " : "", v);
        }
      g_string_append (out, " }");
    }
  if (n_rows > MAX_VALUES_SHOWN)
    g_string_append_printf (out, ", ... %u more", n_rows - MAX_VALUES_SHOWN);
  g_string_append (out, "]]");
}

static void
append_values (GString *out, const PlanValue *values, guint n_rows, const PlanSchema *schema)
{
  g_string_append (out, "Values(");
  append_tuples (out, values, n_rows, schema->n_fields);
  g_string_append (out, ", fields=[");
  append_names (out, schema);
  g_string_append (out, "])");
}

static void
append_scan (GString *out, const PlanTable *table, const PlanSchema *schema,
             const PlanExpr *filter)
{
  g_string_append_printf (out, "TableSourceScan(table=[[%s]], fields=[",
                          table && table->name ? table->name : "?");
  append_names (out, schema);
  g_string_append_c (out, ']');
  if (filter)
    {
      g_autofree char *f = plan_expr_to_string (filter, schema);

      g_string_append_printf (out, ", filter=[%s]", f);
    }
  g_string_append_c (out, ')');
}

static void
append_limit (GString *out, gint64 limit, gint64 offset)
{
  g_string_append_printf (out, "Limit(offset=[%" G_GINT64_FORMAT "], fetch=[", offset);
  if (limit < 0)
    g_string_append (out, "unlimited])");
  else
    g_string_append_printf (out, "%" G_GINT64_FORMAT "])", limit);
}

static void
append_sink (GString *out, const PlanTable *table, const PlanSchema *schema)
{
  g_string_append_printf (out, "Sink(table=[%s], fields=[",
                          table && table->name ? table->name : "*collect*");
  append_names (out, schema);
  g_string_append (out, "])");
}

static void
append_col_name (GString *out, const PlanSchema *s, guint c)
{
  if (s != NULL && c < s->n_fields && s->fields[c].name)
    g_string_append (out, s->fields[c].name);
  else
    g_string_append_printf (out, "$%u", c);
}

/* added by sort: Flink's Sort(orderBy=[a ASC, ...]) and SortLimit(orderBy=[...], offset=[m],
 * fetch=[n]), with the NULL placement spelled out. */
static void
append_sort (GString *out, const PlanSort *s, const PlanSchema *in)
{
  g_autofree char *keys = plan_sort_to_string (s, in);

  g_string_append_printf (out, "%s(orderBy=[%s]", s->limit >= 0 ? "SortLimit" : "Sort", keys);
  if (s->limit >= 0)
    g_string_append_printf (out, ", offset=[%" G_GINT64_FORMAT "], fetch=[%" G_GINT64_FORMAT
                            "]", s->offset, s->limit);
  g_string_append_c (out, ')');
}

/* Flink's GroupAggregate text: groupBy=[k], select=[k, COUNT(DISTINCT b) FILTER f AS n]. */
static void
append_aggregate (GString *out, const char *name, const PlanAggregate *a, const PlanSchema *in,
                  const PlanSchema *schema)
{
  g_string_append_printf (out, "%s(", name);
  if (a->n_keys > 0)
    {
      g_string_append (out, "groupBy=[");
      for (guint k = 0; k < a->n_keys; k++)
        {
          if (k)
            g_string_append (out, ", ");
          append_col_name (out, in, a->keys[k]);
        }
      g_string_append (out, "], ");
    }
  g_string_append (out, "select=[");
  for (guint k = 0; k < a->n_keys; k++)
    {
      g_string_append (out, k ? ", " : "");
      append_col_name (out, in, a->keys[k]);
    }
  for (guint i = 0; i < a->n_aggs; i++)
    {
      const PlanAggCall *c = &a->aggs[i];

      g_string_append_printf (out, "%s%s(%s", a->n_keys + i ? ", " : "",
                              plan_agg_func_name (c->func), c->distinct ? "DISTINCT " : "");
      if (c->arg < 0)
        g_string_append_c (out, '*');
      else
        append_col_name (out, in, (guint) c->arg);
      g_string_append_c (out, ')');
      if (c->filter >= 0)
        {
          g_string_append (out, " FILTER ");
          append_col_name (out, in, (guint) c->filter);
        }
      g_string_append (out, " AS ");
      append_col_name (out, schema, a->n_keys + i);
    }
  g_string_append (out, "])");
}

static void
describe_logical (GString *out, const PlanNode *n)
{
  const PlanSchema *in = n->n_inputs ? n->inputs[0]->schema : NULL;

  switch (n->kind)
    {
    case PLAN_NODE_SCAN:
      append_scan (out, n->u.scan.table, n->schema, n->u.scan.filter);
      break;
    case PLAN_NODE_VALUES:
      append_values (out, n->u.values.values, n->u.values.n_rows, n->schema);
      break;
    case PLAN_NODE_FILTER:
      {
        g_autofree char *c = n->u.filter.condition
                               ? plan_expr_to_string (n->u.filter.condition, in)
                               : g_strdup ("TRUE");

        g_string_append_printf (out, "Filter(condition=[%s])", c);
      }
      break;
    case PLAN_NODE_PROJECT:
      g_string_append (out, "Project(select=[");
      append_select (out, n->u.project.exprs, n->u.project.n_exprs, in, n->schema);
      g_string_append (out, "])");
      break;
    case PLAN_NODE_LIMIT:
      append_limit (out, n->u.limit.limit, n->u.limit.offset);
      break;
    case PLAN_NODE_SINK:
      append_sink (out, n->u.sink.table, n->schema);
      break;
    case PLAN_NODE_AGGREGATE:
      append_aggregate (out, "Aggregate", &n->u.aggregate, in, n->schema);
      break;
    case PLAN_NODE_JOIN: /* added by joins */
      plan_join_describe (out, "Join", &n->u.join, in, n->inputs[1]->schema, n->schema);
      break;
    case PLAN_NODE_SORT: /* added by sort */
      append_sort (out, &n->u.sort, in);
      break;
    case PLAN_NODE_WINDOW: /* added by windows */
      {
        g_autofree char *w = plan_window_to_string (&n->u.window, in);

        g_string_append_printf (out, "WindowTableFunction(window=[%s])", w);
      }
      break;
    case PLAN_NODE_UNION: /* added by rank */
      plan_union_describe (out, n->schema);
      break;
    case PLAN_NODE_RANK:
      plan_rank_describe (out, &n->u.rank, in);
      break;
    default:
      g_string_append (out, "Unknown()");
      break;
    }
}

/* Starts a tree line: the branch for a child, nothing for the root. Returns the indent
 * for this line's own children (newly allocated). */
static char *
tree_branch (GString *out, const char *indent, gboolean root, gboolean last)
{
  if (root)
    return g_strdup ("");
  g_string_append_printf (out, "%s%s", indent, last ? "+- " : ":- ");
  return g_strconcat (indent, last ? "   " : ":  ", NULL);
}

static void
explain_logical (GString *out, const PlanNode *n, const char *indent, gboolean root,
                 gboolean last)
{
  g_autofree char *child_indent = tree_branch (out, indent, root, last);

  describe_logical (out, n);
  g_string_append_c (out, '\n');
  for (guint i = 0; i < n->n_inputs; i++)
    explain_logical (out, n->inputs[i], child_indent, FALSE, i + 1 == n->n_inputs);
}

char *
plan_node_explain (const PlanNode *root)
{
  GString *out;

  g_return_val_if_fail (root != NULL, NULL);
  out = g_string_new (NULL);
  explain_logical (out, root, "", TRUE, TRUE);
  return g_string_free (out, FALSE);
}

static void
describe_phys (GString *out, const PlanPhysNode *n)
{
  const PlanSchema *in = n->n_inputs ? n->inputs[0].node->schema : NULL;

  switch (n->kind)
    {
    case PLAN_PHYS_SOURCE:
      append_scan (out, n->u.source.table, n->schema, n->u.source.filter);
      break;
    case PLAN_PHYS_VALUES:
      append_values (out, n->u.values.values, n->u.values.n_rows, n->schema);
      break;
    case PLAN_PHYS_CALC:
      g_string_append (out, "Calc(select=[");
      append_select (out, n->u.calc.exprs, n->u.calc.n_exprs, in, n->schema);
      g_string_append_c (out, ']');
      if (n->u.calc.filter)
        {
          g_autofree char *f = plan_expr_to_string (n->u.calc.filter, in);

          g_string_append_printf (out, ", where=[%s]", f);
        }
      g_string_append_c (out, ')');
      break;
    case PLAN_PHYS_LIMIT:
      append_limit (out, n->u.limit.limit, n->u.limit.offset);
      break;
    case PLAN_PHYS_SINK:
      append_sink (out, n->u.sink.table, n->schema);
      break;
    case PLAN_PHYS_AGGREGATE:
      append_aggregate (out, "GroupAggregate", &n->u.aggregate, in, n->schema);
      break;
    case PLAN_PHYS_LOCAL_AGGREGATE: /* added by two-phase aggregation */
      append_aggregate (out, "LocalGroupAggregate", &n->u.aggregate, in, n->schema);
      break;
    case PLAN_PHYS_JOIN: /* added by joins */
    case PLAN_PHYS_HASH_JOIN:
    case PLAN_PHYS_NESTED_LOOP_JOIN:
    case PLAN_PHYS_SORT_MERGE_JOIN: /* added by join strategy */
      {
        g_autofree char *label = plan_phys_node_label (n);

        plan_join_describe (out, label, &n->u.join, in, n->inputs[1].node->schema, n->schema);
      }
      break;
    case PLAN_PHYS_INTERVAL_JOIN: /* added by interval joins */
      plan_interval_join_describe (out, n);
      break;
    case PLAN_PHYS_WINDOW_JOIN: /* added by window joins */
      plan_window_join_describe (out, n);
      break;
    case PLAN_PHYS_LOOKUP_JOIN: /* added by lookup joins */
      plan_join_describe (out, "LookupJoin", &n->u.join, in, n->inputs[1].node->schema,
                          n->schema);
      break;
    case PLAN_PHYS_SORT: /* added by sort */
      if (n->n_inputs == 1 && n->inputs[0].exchange == PLAN_EXCHANGE_MERGE) /* sort merge */
        {
          g_autofree char *keys = plan_sort_to_string (&n->u.sort, in);

          g_string_append_printf (out, "SortedMerge(orderBy=[%s])", keys);
          break;
        }
      append_sort (out, &n->u.sort, in);
      break;
    case PLAN_PHYS_WINDOW: /* added by windows */
      {
        g_autofree char *w = plan_window_to_string (&n->u.window, in);

        g_string_append_printf (out, "WindowTableFunction(window=[%s])", w);
      }
      break;
    case PLAN_PHYS_WINDOW_AGGREGATE:
      append_aggregate (out, "WindowAggregate", &n->u.window_agg.agg, in, n->schema);
      break;
    case PLAN_PHYS_UNION: /* added by rank */
      plan_union_describe (out, n->schema);
      break;
    case PLAN_PHYS_RANK:
      plan_rank_describe (out, &n->u.rank, in);
      break;
    default:
      g_string_append (out, "Unknown()");
      break;
    }
}

/* "hash[a, b]", "single", ...: Flink's distribution names. */
static void
append_distribution (GString *out, const PlanPhysInput *in)
{
  switch (in->exchange)
    {
    case PLAN_EXCHANGE_HASH:
      g_string_append (out, "hash[");
      for (guint k = 0; k < in->n_keys; k++)
        {
          guint c = in->keys[k];
          const PlanSchema *s = in->node->schema;

          if (k)
            g_string_append (out, ", ");
          if (c < s->n_fields && s->fields[c].name)
            g_string_append (out, s->fields[c].name);
          else
            g_string_append_printf (out, "$%u", c);
        }
      g_string_append_c (out, ']');
      break;
    case PLAN_EXCHANGE_GATHER: g_string_append (out, "single"); break;
    case PLAN_EXCHANGE_MERGE: g_string_append (out, "single, ordered"); break; /* sort merge */
    case PLAN_EXCHANGE_BROADCAST: g_string_append (out, "broadcast"); break;
    case PLAN_EXCHANGE_REBALANCE: g_string_append (out, "rebalance"); break;
    case PLAN_EXCHANGE_FORWARD: g_string_append (out, "forward"); break;
    default: g_string_append (out, "unknown"); break;
    }
}

typedef struct {
  GString *out;
  guint *consumers; /* per node id: how many edges read it */
  gboolean *printed;
  guint n;
} PhysExplain;

static void
explain_phys (PhysExplain *ex, const PlanPhysNode *n, const char *indent, gboolean root,
              gboolean last)
{
  g_autofree char *child_indent = tree_branch (ex->out, indent, root, last);
  gboolean shared = n->id < ex->n && ex->consumers[n->id] > 1;

  if (shared && ex->printed[n->id])
    {
      g_string_append_printf (ex->out, "Reused(reference_id=[%u])\n", n->id);
      return;
    }
  if (shared)
    {
      ex->printed[n->id] = TRUE;
      g_string_append_printf (ex->out, "[%u]:", n->id);
    }
  describe_phys (ex->out, n);
  g_string_append_printf (ex->out, " [parallelism=%u%s", n->parallelism,
                          n->chained ? ", chained" : "");
  if (n->est_rows >= 0)
    g_string_append_printf (ex->out, ", rows=%.0f", n->est_rows);
  g_string_append (ex->out, "]\n");
  if ((n->kind == PLAN_PHYS_JOIN || n->kind == PLAN_PHYS_HASH_JOIN /* added by joins */
       || n->kind == PLAN_PHYS_NESTED_LOOP_JOIN
       || n->kind == PLAN_PHYS_SORT_MERGE_JOIN /* added by join strategy */
       || n->kind == PLAN_PHYS_INTERVAL_JOIN /* added by interval joins */
       || n->kind == PLAN_PHYS_WINDOW_JOIN /* added by window joins */
       || n->kind == PLAN_PHYS_LOOKUP_JOIN /* added by lookup joins */)
      && n->u.join.alternative != NULL)
    g_string_append_printf (ex->out, "%s   (alternative: %s)\n", child_indent,
                            n->u.join.alternative);
  for (guint i = 0; i < n->n_inputs; i++)
    {
      const PlanPhysInput *in = &n->inputs[i];
      gboolean is_last = i + 1 == n->n_inputs;

      if (in->exchange == PLAN_EXCHANGE_FORWARD)
        {
          explain_phys (ex, in->node, child_indent, FALSE, is_last);
          continue;
        }
      {
        g_autofree char *ex_indent = tree_branch (ex->out, child_indent, FALSE, is_last);

        g_string_append (ex->out, "Exchange(distribution=[");
        append_distribution (ex->out, in);
        g_string_append (ex->out, "])\n");
        explain_phys (ex, in->node, ex_indent, FALSE, TRUE);
      }
    }
}

static void
count_consumers (const PlanPhysPlan *plan, guint *consumers)
{
  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *n = g_ptr_array_index (plan->nodes, i);

      for (guint j = 0; j < n->n_inputs; j++)
        if (n->inputs[j].node->id < plan->nodes->len)
          consumers[n->inputs[j].node->id]++;
    }
}

char *
plan_phys_explain (const PlanPhysPlan *plan)
{
  PhysExplain ex;

  g_return_val_if_fail (plan != NULL, NULL);
  ex.out = g_string_new (NULL);
  ex.n = plan->nodes->len;
  ex.consumers = g_new0 (guint, ex.n + 1);
  ex.printed = g_new0 (gboolean, ex.n + 1);
  count_consumers (plan, ex.consumers);
  explain_phys (&ex, plan->root, "", TRUE, TRUE);
  g_free (ex.consumers);
  g_free (ex.printed);
  return g_string_free (ex.out, FALSE);
}

/* ---- Graphviz DOT --------------------------------------------------------------------- */

/* Appends text as the inside of a DOT double-quoted string; "\n" becomes a line break. */
static void
append_dot_escaped (GString *out, const char *text, gsize max_chars)
{
  gsize n = 0;

  for (const char *p = text; *p; p = g_utf8_next_char (p), n++)
    {
      if (n == max_chars)
        {
          g_string_append (out, "...");
          return;
        }
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      if (*p == '\n')
        g_string_append (out, "\\n");
      else if ((guchar) *p < 0x20)
        g_string_append_c (out, ' ');
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
}

char *
plan_phys_to_dot (const PlanPhysPlan *plan)
{
  GString *out;

  g_return_val_if_fail (plan != NULL, NULL);
  out = g_string_new ("digraph plan {\n"
                      "  node [shape=box, style=rounded, fontname=\"monospace\"];\n");
  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *n = g_ptr_array_index (plan->nodes, i);
      g_autoptr (GString) detail = g_string_new (NULL);

      describe_phys (detail, n);
      g_string_append_printf (out, "  n%u [label=\"#%u %s\\n", n->id, n->id,
                              plan_phys_kind_name (n->kind));
      append_dot_escaped (out, detail->str, 200);
      g_string_append_printf (out, "\\nparallelism=%u%s\"];\n", n->parallelism,
                              n->chained ? ", chained" : "");
    }
  for (guint i = 0; i < plan->nodes->len; i++)
    {
      const PlanPhysNode *n = g_ptr_array_index (plan->nodes, i);

      for (guint j = 0; j < n->n_inputs; j++)
        {
          const PlanPhysInput *in = &n->inputs[j];
          g_autoptr (GString) label = g_string_new (plan_exchange_name (in->exchange));

          if (in->exchange == PLAN_EXCHANGE_HASH)
            {
              g_string_append_c (label, ' ');
              append_distribution (label, in);
            }
          if (j == 0 && n->chained)
            g_string_append (label, " (chained)");
          g_string_append_printf (out, "  n%u -> n%u [label=\"", in->node->id, n->id);
          append_dot_escaped (out, label->str, 200);
          g_string_append_printf (out, "\"%s];\n", j == 0 && n->chained ? ", style=bold" : "");
        }
    }
  g_string_append (out, "}\n");
  return g_string_free (out, FALSE);
}
