/* opt-optimizer.c: the optimizer's driver, its plan verifier and EXPLAIN.
 *
 * The rewrite passes are rows in a table ({name, function}), run in order, in the shape of
 * DuckDB's optimizer.cpp: a pass whose name is in 'table.optimizer.disabled-passes' is
 * skipped, every other one is timed and followed by a full check of the plan, so a pass that
 * breaks an invariant is caught at once and named instead of crashing the engine later. The
 * same check runs on the plan before the first pass, so a binder bug is not blamed on a
 * pass. After the rewrites, opt-physical.c turns the plan into a physical plan.
 *
 * Keeping the passes in a table (not a hard-coded sequence of calls) is what lets a user
 * switch one off from SQL to work around an optimizer bug, and lets EXPLAIN list them. */
#include "optimizer/opt-private.h"
#include "optimizer/opt-stats-private.h" /* added by statistics */
#include "plans/plan-sql.h"

#include <stdarg.h>
#include <string.h>

G_DEFINE_QUARK (opt-error-quark, opt_error)

#define DISABLED_KEY "table.optimizer.disabled-passes"

static const OptPass passes[] = {
  { "constant-folding", opt_pass_constant_folding },
  { "merge-filters", opt_pass_merge_filters },
  { "filter-pushdown", opt_pass_filter_pushdown },
  { "join-reorder", opt_pass_join_reorder }, /* added by join order: opt-join-order.c */
  { "projection-pruning", opt_pass_projection_pruning },
};

static const char *const pass_names[] = {
  "constant-folding", "merge-filters", "filter-pushdown", "join-reorder" /* join order */,
  "projection-pruning", NULL,
};

G_STATIC_ASSERT (G_N_ELEMENTS (pass_names) == G_N_ELEMENTS (passes) + 1);

struct _OptResult {
  PlanNode *logical;      /* owned ref */
  PlanPhysPlan *physical; /* owned ref */
  GArray *runs;           /* owned: OptPassRun */
};

const OptPass *
opt__passes (guint *n_passes)
{
  *n_passes = G_N_ELEMENTS (passes);
  return passes;
}

const char *const *
opt_pass_names (void)
{
  return pass_names;
}

/* ---- verifier --------------------------------------------------------------------------- */

static gboolean G_GNUC_PRINTF (3, 4)
verify_fail (GError **error, const PlanNode *node, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  if (node->span.line > 0)
    g_set_error (error, OPT_ERROR, OPT_ERROR_INTERNAL, "%s node at %u:%u: %s",
                 plan_node_kind_name (node->kind), node->span.line, node->span.col, what);
  else
    g_set_error (error, OPT_ERROR, OPT_ERROR_INTERNAL, "%s node: %s",
                 plan_node_kind_name (node->kind), what);
  return FALSE;
}

/* Same storage: kinds agree and, for DECIMAL, precision and scale too. Nullability may
 * differ (a rewrite can know more about NULLs than the binder did). */
static gboolean
type_matches (PlanType a, PlanType b)
{
  if (a.kind != b.kind)
    return FALSE;
  return a.kind != PLAN_TYPE_DECIMAL || (a.precision == b.precision && a.scale == b.scale);
}

static gboolean
is_boolean (PlanType type)
{
  return type.kind == PLAN_TYPE_BOOLEAN || type.kind == PLAN_TYPE_NULL;
}

static char *
type_name (PlanType type)
{
  return plan_type_to_string (type, FALSE);
}

/* What the verifier knows of each function: its number of arguments plus one (0 when it
 * varies) and whether it is a predicate (returns BOOLEAN). Unlisted: varies, not one. */
typedef struct {
  guint8 args_plus_one;
  gboolean predicate;
} FuncInfo;

static const FuncInfo func_info[PLAN_FUNC__COUNT] = {
  [PLAN_FUNC_ADD] = { 3, FALSE }, [PLAN_FUNC_SUB] = { 3, FALSE },
  [PLAN_FUNC_MUL] = { 3, FALSE }, [PLAN_FUNC_DIV] = { 3, FALSE },
  [PLAN_FUNC_MOD] = { 3, FALSE }, [PLAN_FUNC_NEG] = { 2, FALSE },
  [PLAN_FUNC_EQ] = { 3, TRUE }, [PLAN_FUNC_NE] = { 3, TRUE }, [PLAN_FUNC_LT] = { 3, TRUE },
  [PLAN_FUNC_LE] = { 3, TRUE }, [PLAN_FUNC_GT] = { 3, TRUE }, [PLAN_FUNC_GE] = { 3, TRUE },
  [PLAN_FUNC_AND] = { 0, TRUE }, [PLAN_FUNC_OR] = { 0, TRUE }, [PLAN_FUNC_NOT] = { 2, TRUE },
  [PLAN_FUNC_IS_NULL] = { 2, TRUE }, [PLAN_FUNC_IS_NOT_NULL] = { 2, TRUE },
  [PLAN_FUNC_IS_TRUE] = { 2, TRUE }, [PLAN_FUNC_IS_FALSE] = { 2, TRUE },
  [PLAN_FUNC_IS_DISTINCT_FROM] = { 3, TRUE }, [PLAN_FUNC_IS_NOT_DISTINCT_FROM] = { 3, TRUE },
  [PLAN_FUNC_BETWEEN] = { 4, TRUE }, [PLAN_FUNC_IN] = { 0, TRUE },
  [PLAN_FUNC_LIKE] = { 0, TRUE }, [PLAN_FUNC_CAST] = { 2, FALSE },
  [PLAN_FUNC_CURRENT_TIMESTAMP] = { 1, FALSE },
};

static gboolean verify_expr (const PlanNode *node, const PlanExpr *expr,
                             const PlanSchema *input, const char *where, GError **error);

static gboolean
verify_call (const PlanNode *node, const PlanExpr *expr, const PlanSchema *input,
             const char *where, GError **error)
{
  PlanFunc func = expr->u.call.func;
  guint arity;

  if ((guint) func >= PLAN_FUNC__COUNT)
    return verify_fail (error, node, "%s calls an unknown function #%u", where, (guint) func);
  arity = func_info[func].args_plus_one;
  if (arity > 0 && expr->u.call.n_args + 1 != arity)
    return verify_fail (error, node, "%s calls %s with %u arguments instead of %u", where,
                        plan_func_name (func), expr->u.call.n_args, arity - 1);
  if (func_info[func].predicate && !is_boolean (expr->type))
    {
      g_autofree char *type = type_name (expr->type);

      return verify_fail (error, node, "%s: %s is a predicate but is typed %s", where,
                          plan_func_name (func), type);
    }
  for (guint i = 0; i < expr->u.call.n_args; i++)
    {
      const PlanExpr *arg = expr->u.call.args[i];

      if (!verify_expr (node, arg, input, where, error))
        return FALSE;
      if ((func == PLAN_FUNC_AND || func == PLAN_FUNC_OR || func == PLAN_FUNC_NOT)
          && !is_boolean (arg->type))
        return verify_fail (error, node, "%s: argument %u of %s is not BOOLEAN", where, i + 1,
                            plan_func_name (func));
    }
  return TRUE;
}

static gboolean
verify_expr (const PlanNode *node, const PlanExpr *expr, const PlanSchema *input,
             const char *where, GError **error)
{
  if (expr == NULL)
    return verify_fail (error, node, "%s is missing", where);
  switch (expr->kind)
    {
    case PLAN_EXPR_COLUMN:
      if (input == NULL || expr->u.column >= input->n_fields)
        return verify_fail (error, node, "%s reads column $%u but its input has %u columns",
                            where, expr->u.column, input ? input->n_fields : 0);
      if (!type_matches (expr->type, input->fields[expr->u.column].type))
        {
          g_autofree char *got = type_name (expr->type);
          g_autofree char *want = type_name (input->fields[expr->u.column].type);

          return verify_fail (error, node, "%s reads column $%u ('%s') as %s but it is %s",
                              where, expr->u.column, input->fields[expr->u.column].name, got,
                              want);
        }
      return TRUE;
    case PLAN_EXPR_LITERAL:
      return TRUE;
    case PLAN_EXPR_CALL:
      return verify_call (node, expr, input, where, error);
    default:
      return verify_fail (error, node, "%s has an unknown expression kind %d", where,
                          (int) expr->kind);
    }
}

static gboolean
verify_condition (const PlanNode *node, const PlanExpr *cond, const PlanSchema *input,
                  const char *where, GError **error)
{
  if (!verify_expr (node, cond, input, where, error))
    return FALSE;
  if (!is_boolean (cond->type))
    {
      g_autofree char *type = type_name (cond->type);

      return verify_fail (error, node, "%s is %s, not BOOLEAN", where, type);
    }
  return TRUE;
}

/* node's schema must equal (in count and types) the schema of what it passes through. */
static gboolean
verify_same_schema (const PlanNode *node, const PlanSchema *input, const char *what,
                    GError **error)
{
  if (node->schema->n_fields != input->n_fields)
    return verify_fail (error, node, "has %u columns but %s has %u", node->schema->n_fields,
                        what, input->n_fields);
  for (guint i = 0; i < input->n_fields; i++)
    if (!type_matches (node->schema->fields[i].type, input->fields[i].type))
      {
        g_autofree char *got = type_name (node->schema->fields[i].type);
        g_autofree char *want = type_name (input->fields[i].type);

        return verify_fail (error, node, "column %u ('%s') is %s but in %s it is %s", i,
                            node->schema->fields[i].name, got, what, want);
      }
  return TRUE;
}

static gboolean
verify_scan (const PlanNode *node, GError **error)
{
  const PlanTable *table = node->u.scan.table;

  if (table == NULL)
    return verify_fail (error, node, "has no table");
  if (node->u.scan.n_columns != node->schema->n_fields)
    return verify_fail (error, node, "reads %u columns but its schema has %u",
                        node->u.scan.n_columns, node->schema->n_fields);
  for (guint i = 0; i < node->u.scan.n_columns; i++)
    {
      guint c = node->u.scan.columns[i];

      if (c >= table->schema->n_fields)
        return verify_fail (error, node, "reads column %u of table '%s', which has %u", c,
                            table->name, table->schema->n_fields);
      if (!type_matches (node->schema->fields[i].type, table->schema->fields[c].type))
        return verify_fail (error, node, "output column %u ('%s') does not have the type of "
                            "table column '%s'", i, node->schema->fields[i].name,
                            table->schema->fields[c].name);
    }
  if (node->u.scan.filter)
    return verify_condition (node, node->u.scan.filter, node->schema, "the pushed filter",
                             error);
  return TRUE;
}

static gboolean
verify_values (const PlanNode *node, GError **error)
{
  guint n_fields = node->schema->n_fields;

  if (node->u.values.n_rows * n_fields > 0 && node->u.values.values == NULL)
    return verify_fail (error, node, "has %u rows but no values", node->u.values.n_rows);
  for (guint r = 0; r < node->u.values.n_rows; r++)
    for (guint c = 0; c < n_fields; c++)
      {
        const PlanValue *v = &node->u.values.values[r * n_fields + c];
        PlanType want = node->schema->fields[c].type;

        if (!v->is_null && v->type.kind != PLAN_TYPE_NULL
            && (v->type.kind != want.kind
                || (want.kind == PLAN_TYPE_DECIMAL && v->type.scale != want.scale)))
          return verify_fail (error, node, "row %u column %u ('%s') holds a %s value", r + 1,
                              c, node->schema->fields[c].name,
                              plan_type_kind_name (v->type.kind));
      }
  return TRUE;
}

static gboolean
verify_project (const PlanNode *node, const PlanSchema *input, GError **error)
{
  if (node->u.project.n_exprs != node->schema->n_fields)
    return verify_fail (error, node, "computes %u expressions but its schema has %u columns",
                        node->u.project.n_exprs, node->schema->n_fields);
  for (guint i = 0; i < node->u.project.n_exprs; i++)
    {
      g_autofree char *where = g_strdup_printf ("expression %u ('%s')", i,
                                                node->schema->fields[i].name);
      const PlanExpr *e = node->u.project.exprs[i];

      if (!verify_expr (node, e, input, where, error))
        return FALSE;
      if (!type_matches (e->type, node->schema->fields[i].type))
        {
          g_autofree char *got = type_name (e->type);
          g_autofree char *want = type_name (node->schema->fields[i].type);

          return verify_fail (error, node, "%s is %s but the schema says %s", where, got,
                              want);
        }
    }
  return TRUE;
}

/* AGGREGATE: keys then one column per call, typed as the key columns and the calls say;
 * arguments and FILTER columns in range, FILTER columns BOOLEAN. */
static gboolean
verify_aggregate (const PlanNode *node, const PlanSchema *input, GError **error)
{
  const PlanAggregate *a = &node->u.aggregate;

  if (a->n_keys + a->n_aggs != node->schema->n_fields)
    return verify_fail (error, node, "has %u keys and %u aggregates but its schema has %u "
                        "columns", a->n_keys, a->n_aggs, node->schema->n_fields);
  for (guint i = 0; i < a->n_keys; i++)
    if (a->keys[i] >= input->n_fields
        || !type_matches (input->fields[a->keys[i]].type, node->schema->fields[i].type))
      return verify_fail (error, node, "key %u (input column %u) is out of range or not "
                          "typed as its output column", i, a->keys[i]);
  for (guint j = 0; j < a->n_aggs; j++)
    {
      const PlanAggCall *c = &a->aggs[j];

      if ((c->arg < 0) != (c->func == PLAN_AGG_COUNT_STAR) || c->arg >= (gint) input->n_fields)
        return verify_fail (error, node, "aggregate %u has a bad argument column %d", j,
                            c->arg);
      if (c->filter >= (gint) input->n_fields
          || (c->filter >= 0 && !is_boolean (input->fields[c->filter].type)))
        return verify_fail (error, node, "aggregate %u has a bad FILTER column %d", j,
                            c->filter);
      if (!type_matches (c->type, node->schema->fields[a->n_keys + j].type))
        return verify_fail (error, node, "aggregate %u is not typed as its output column", j);
    }
  return TRUE;
}

static gboolean
verify_node (const PlanNode *node, GError **error)
{
  guint want_inputs = node->kind == PLAN_NODE_SCAN || node->kind == PLAN_NODE_VALUES ? 0 : 1;
  const PlanSchema *input;

  if (node->kind == PLAN_NODE_JOIN) /* added by joins */
    want_inputs = 2;
  if (node->kind == PLAN_NODE_UNION && node->n_inputs > 0) /* added by rank: opt-rank.c */
    want_inputs = node->n_inputs;

  if (node->schema == NULL)
    return verify_fail (error, node, "has no schema");
  if (node->n_inputs != want_inputs)
    return verify_fail (error, node, "has %u inputs instead of %u", node->n_inputs,
                        want_inputs);
  for (guint i = 0; i < node->n_inputs; i++)
    if (node->inputs[i] == NULL)
      return verify_fail (error, node, "input %u is missing", i);
    else if (!verify_node (node->inputs[i], error))
      return FALSE;
  input = node->n_inputs ? node->inputs[0]->schema : NULL;

  switch (node->kind)
    {
    case PLAN_NODE_SCAN:
      return verify_scan (node, error);
    case PLAN_NODE_VALUES:
      return verify_values (node, error);
    case PLAN_NODE_FILTER:
      return verify_same_schema (node, input, "its input", error)
             && verify_condition (node, node->u.filter.condition, input, "the condition",
                                  error);
    case PLAN_NODE_PROJECT:
      return verify_project (node, input, error);
    case PLAN_NODE_LIMIT:
      if (node->u.limit.limit < -1 || node->u.limit.offset < 0)
        return verify_fail (error, node, "has limit %" G_GINT64_FORMAT " offset %"
                            G_GINT64_FORMAT, node->u.limit.limit, node->u.limit.offset);
      return verify_same_schema (node, input, "its input", error);
    case PLAN_NODE_SINK:
      if (node->u.sink.table && node->u.sink.table->schema->n_fields != input->n_fields)
        return verify_fail (error, node, "writes %u columns into table '%s', which has %u",
                            input->n_fields, node->u.sink.table->name,
                            node->u.sink.table->schema->n_fields);
      return verify_same_schema (node, input, "its input", error);
    case PLAN_NODE_AGGREGATE:
      return verify_aggregate (node, input, error);
    case PLAN_NODE_SORT: /* added by sort: keys in range, same columns as the input */
      for (guint k = 0; k < node->u.sort.n_keys; k++)
        if (node->u.sort.keys[k] >= input->n_fields)
          return verify_fail (error, node, "sort key %u (column %u) is out of range", k,
                              node->u.sort.keys[k]);
      if (node->u.sort.limit < -1)
        return verify_fail (error, node, "has limit %" G_GINT64_FORMAT, node->u.sort.limit);
      return verify_same_schema (node, input, "its input", error);
    case PLAN_NODE_JOIN: /* added by joins */
      return opt__verify_join (node, error);
    case PLAN_NODE_WINDOW: /* added by windows */
      return opt__verify_window (node, error);
    case PLAN_NODE_UNION: /* added by rank */
      return opt__verify_union (node, error);
    case PLAN_NODE_RANK:
      return opt__verify_rank (node, error);
    default:
      return verify_fail (error, node, "has an unknown kind %d", (int) node->kind);
    }
}

gboolean
opt_verify_plan (PlanNode *root, GError **error)
{
  g_return_val_if_fail (root != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return verify_node (root, error);
}

/* ---- driver ----------------------------------------------------------------------------- */

static char *
pass_list (const OptPass *table, guint n)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s%s", i ? ", " : "", table[i].name);
  return g_string_free (out, FALSE);
}

/* Marks skip[i] for each pass named in the comma list; an unknown name is an error. */
static gboolean
parse_disabled (const char *disabled, const OptPass *table, guint n, gboolean *skip,
                GError **error)
{
  g_auto (GStrv) names = NULL;

  if (disabled == NULL)
    return TRUE;
  names = g_strsplit (disabled, ",", -1);
  for (guint k = 0; names[k]; k++)
    {
      const char *name = g_strstrip (names[k]);
      gboolean found = FALSE;

      if (*name == '\0')
        continue;
      for (guint i = 0; i < n; i++)
        if (g_ascii_strcasecmp (name, table[i].name) == 0)
          found = skip[i] = TRUE;
      if (!found)
        {
          g_autofree char *known = pass_list (table, n);

          g_set_error (error, PLAN_ERROR, PLAN_ERROR_SETTING,
                       "unknown optimizer pass '%s' in '" DISABLED_KEY "'; the passes are: "
                       "%s", name, known);
          return FALSE;
        }
    }
  return TRUE;
}

PlanNode *
opt__run_passes (PlanNode *root, const OptPass *table, guint n_passes, const char *disabled,
                 GArray *runs, GError **error)
{
  g_autofree gboolean *skip = g_new0 (gboolean, n_passes ? n_passes : 1);
  g_autoptr (GError) local = NULL;
  g_autoptr (PlanNode) plan = NULL;

  if (!parse_disabled (disabled, table, n_passes, skip, error))
    return NULL;
  if (!opt_verify_plan (root, &local))
    {
      g_set_error (error, OPT_ERROR, OPT_ERROR_INTERNAL,
                   "internal error: the plan handed to the optimizer is invalid before any "
                   "pass ran (a bug in strom's SQL binder; please report it): %s",
                   local->message);
      return NULL;
    }
  plan = plan_node_ref (root);
  for (guint i = 0; i < n_passes; i++)
    {
      OptPassRun run = { table[i].name, !skip[i], FALSE, 0 };

      if (run.ran)
        {
          gint64 start = g_get_monotonic_time ();
          PlanNode *next = table[i].run (plan);

          run.duration_us = g_get_monotonic_time () - start;
          run.changed = next != plan;
          plan_node_unref (plan);
          plan = next;
          if (!opt_verify_plan (plan, &local))
            {
              g_set_error (error, OPT_ERROR, OPT_ERROR_INTERNAL,
                           "internal error: optimizer pass '%s' produced an invalid plan: %s. "
                           "This is a bug in strom; please report it. Until it is fixed, "
                           "SET '" DISABLED_KEY "' = '%s' avoids the pass.", table[i].name,
                           local->message, table[i].name);
              return NULL;
            }
        }
      g_array_append_val (runs, run);
    }
  return g_steal_pointer (&plan);
}

OptResult *
opt_optimize (PlanNode *logical, PlanSettings *settings, GError **error)
{
  g_autoptr (GArray) runs = g_array_new (FALSE, FALSE, sizeof (OptPassRun));
  const char *disabled = settings ? plan_settings_get (settings, DISABLED_KEY) : NULL;
  g_autoptr (PlanNode) rewritten = NULL;
  PlanPhysPlan *physical;
  OptResult *result;

  g_return_val_if_fail (logical != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  rewritten = opt__run_passes (logical, passes, G_N_ELEMENTS (passes), disabled, runs, error);
  if (rewritten == NULL)
    return NULL;
  physical = opt_physical_plan (rewritten, settings, error);
  if (physical == NULL)
    return NULL;
  result = g_new0 (OptResult, 1);
  result->logical = g_steal_pointer (&rewritten);
  result->physical = physical;
  result->runs = g_steal_pointer (&runs);
  return result;
}

void
opt_result_free (OptResult *result)
{
  if (result == NULL)
    return;
  plan_node_unref (result->logical);
  plan_phys_plan_unref (result->physical);
  g_array_unref (result->runs);
  g_free (result);
}

PlanNode *
opt_result_get_logical (OptResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  return result->logical;
}

PlanPhysPlan *
opt_result_get_physical (OptResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  return result->physical;
}

guint
opt_result_get_n_passes (OptResult *result)
{
  g_return_val_if_fail (result != NULL, 0);
  return result->runs->len;
}

const OptPassRun *
opt_result_get_pass (OptResult *result, guint i)
{
  g_return_val_if_fail (result != NULL && i < result->runs->len, NULL);
  return &g_array_index (result->runs, OptPassRun, i);
}

/* ---- EXPLAIN ---------------------------------------------------------------------------- */

/* plan_phys_explain ends each node line with " [parallelism=N, ..., rows=R]"; without
 * ESTIMATED_COST the estimate is left out, as Flink's EXPLAIN leaves out its costs. */
static void
append_without_rows (GString *out, const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      char *line = lines[i];
      char *rows = g_strrstr (line, ", rows=");
      gsize len = strlen (line);

      if (*line == '\0' && lines[i + 1] == NULL)
        break;
      if (rows && len > 0 && line[len - 1] == ']'
          && strspn (rows + 7, "0123456789") == (gsize) (line + len - 1 - (rows + 7)))
        {
          *rows = '\0';
          g_string_append_printf (out, "%s]\n", line);
        }
      else
        g_string_append_printf (out, "%s\n", line);
    }
}

static void
append_section (GString *out, const char *title, const char *body)
{
  if (out->len > 0)
    g_string_append_c (out, '\n');
  g_string_append_printf (out, "== %s ==\n%s", title, body);
  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
}

static void
append_passes (GString *out, OptResult *result)
{
  GString *body = g_string_new (NULL);

  for (guint i = 0; i < result->runs->len; i++)
    {
      const OptPassRun *run = &g_array_index (result->runs, OptPassRun, i);

      if (run->ran)
        g_string_append_printf (body, "%-20s ran       %-9s  %6" G_GINT64_FORMAT " us\n",
                                run->name, run->changed ? "changed" : "unchanged",
                                run->duration_us);
      else
        g_string_append_printf (body, "%-20s disabled\n", run->name);
    }
  append_section (out, "Optimizer Passes", body->str);
  g_string_free (body, TRUE);
}

char *
opt_explain (PlanNode *original, OptResult *result, guint flags)
{
  GString *out;
  g_autofree char *ast = NULL, *logical = NULL, *physical = NULL;

  g_return_val_if_fail (original != NULL && result != NULL, NULL);
  out = g_string_new (NULL);
  ast = plan_node_explain (original);
  logical = plan_node_explain (result->logical);
  append_section (out, "Abstract Syntax Tree", ast);
  append_section (out, "Optimized Logical Plan", logical);
  if (flags & PLAN_EXPLAIN_JSON)
    physical = plan_phys_to_json (result->physical, TRUE);
  else
    physical = plan_phys_explain (result->physical);
  if ((flags & PLAN_EXPLAIN_ESTIMATED_COST) || (flags & PLAN_EXPLAIN_JSON))
    append_section (out, "Physical Execution Plan", physical);
  else
    {
      GString *body = g_string_new (NULL);

      append_without_rows (body, physical);
      append_section (out, "Physical Execution Plan", body->str);
      g_string_free (body, TRUE);
    }
  if (flags & PLAN_EXPLAIN_ESTIMATED_COST)
    append_passes (out, result);
  if (flags & PLAN_EXPLAIN_ESTIMATED_COST) /* added by statistics: opt-stats-est.c */
    opt__explain_stats (out, result->logical);
  if (flags & PLAN_EXPLAIN_ESTIMATED_COST) /* added by two-phase aggregation */
    opt__explain_aggregation (out, result->physical);
  return g_string_free (out, FALSE);
}
