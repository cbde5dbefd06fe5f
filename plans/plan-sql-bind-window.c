/* plan-sql-bind-window.c: binds the window table functions of Flink SQL,
 *   TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), size [, offset]))
 *   TABLE(HOP(TABLE t, DESCRIPTOR(ts), slide, size [, offset]))
 *   TABLE(CUMULATE(TABLE t, DESCRIPTOR(ts), step, max_size [, offset]))
 *   TABLE(SESSION(TABLE t [PARTITION BY k | (k1, k2)], DESCRIPTOR(ts), gap))
 * into a WINDOW node whose output is the table's columns plus window_start, window_end and
 * window_time. Arguments may also be named as in Flink (DATA => TABLE t, TIMECOL =>
 * DESCRIPTOR(ts), SIZE, SLIDE, STEP, MAX_SIZE, OFFSET, GAP). It also binds the other
 * event-time DDL: computed columns (`c AS expr`) and PROCTIME().
 *
 * The DESCRIPTOR column must be a time attribute: a table's WATERMARK FOR column, or the
 * window_time of a window below, followed through plain column references. That is the
 * check that makes event time meaningful: the engine fires windows on the watermark of
 * exactly that column. Sizes must be constant positive day-time intervals; a HOP size must
 * be a multiple of its slide and a CUMULATE size a multiple of its step, as in Flink.
 * A SESSION window only means something once the window aggregate above it has merged
 * the rows' provisional windows [ts, ts + gap): the optimizer checks that (opt-window.c). */
#include "plan-sql-private.h"

#include <string.h>

/* Argument positions after DATA and TIMECOL, per function. */
static const char *const tumble_args[] = { "SIZE", "OFFSET" };
static const char *const hop_args[] = { "SLIDE", "SIZE", "OFFSET" };
static const char *const cumulate_args[] = { "STEP", "MAX_SIZE", "OFFSET" };
static const char *const session_args[] = { "GAP" };

/* Is output column col of node a time attribute? */
static gboolean
is_rowtime (const PlanNode *node, guint col)
{
  for (;;)
    {
      const PlanExpr *e;

      if (node->kind == PLAN_NODE_SCAN)
        return plan_table_rowtime (node->u.scan.table) == (gint) node->u.scan.columns[col];
      if (node->kind == PLAN_NODE_WINDOW)
        {
          if (col == node->inputs[0]->schema->n_fields + 2)
            return TRUE; /* window_time */
          if (col >= node->inputs[0]->schema->n_fields)
            return FALSE;
        }
      else if (node->kind == PLAN_NODE_PROJECT)
        {
          e = node->u.project.exprs[col];
          if (e->kind != PLAN_EXPR_COLUMN) /* ROW types: a computed rowtime */
            return plan__computed_is_rowtime (node, col);
          col = e->u.column;
        }
      else if (node->kind == PLAN_NODE_JOIN) /* added by interval joins: both time columns */
        {
          guint n_left = node->inputs[0]->schema->n_fields;
          PlanIntervalBounds ib;

          if (!plan_join_is_interval (node, &ib)
              || (col != ib.left_time && col != n_left + ib.right_time))
            return FALSE;
          if (col >= n_left)
            {
              node = node->inputs[1];
              col -= n_left;
              continue;
            }
        }
      else if (node->kind == PLAN_NODE_UNION) /* added by rank: one in every branch */
        {
          for (guint k = 1; k < node->n_inputs; k++)
            if (!is_rowtime (node->inputs[k], col))
              return FALSE;
        }
      else if (node->kind != PLAN_NODE_FILTER && node->kind != PLAN_NODE_LIMIT)
        return FALSE;
      node = node->inputs[0];
    }
}

/* The arguments in Flink's order: [0] DATA, [1] TIMECOL, then names[...]; NULL when not
 * given. FALSE with an error on a bad or repeated name or too many arguments. */
static gboolean
collect_args (PlanSqlBinder *b, const PlanAstExpr *call, const char *const *names, guint n,
              const PlanAstExpr **out)
{
  for (guint i = 0; i < call->args.n; i++)
    {
      const PlanAstExpr *a = call->args.items[i];
      gint pos = (gint) i;

      if (a->kind == PLAN_AST_NAMED_ARG)
        {
          pos = -1;
          if (g_ascii_strcasecmp (a->text, "DATA") == 0)
            pos = 0;
          else if (g_ascii_strcasecmp (a->text, "TIMECOL") == 0)
            pos = 1;
          for (guint k = 0; k < n; k++)
            if (g_ascii_strcasecmp (a->text, names[k]) == 0)
              pos = (gint) k + 2;
          if (pos < 0)
            return plan__bfail (b, PLAN_ERROR_BIND, a->span, "%s has no parameter named '%s'",
                                call->name, a->text) != NULL;
          a = a->left;
        }
      if (pos >= (gint) n + 2)
        return plan__bfail (b, PLAN_ERROR_BIND, a->span, "Too many arguments for %s: it takes "
                            "at most %u", call->name, n + 2) != NULL;
      if (out[pos] != NULL)
        return plan__bfail (b, PLAN_ERROR_BIND, a->span, "Argument %d of %s is given twice",
                            pos + 1, call->name) != NULL;
      out[pos] = a;
    }
  return TRUE;
}

/* A constant day-time interval in ms (> 0, or >= 0 for an offset). */
static gboolean
bind_interval (PlanSqlBinder *b, const PlanAstExpr *e, const char *what, gboolean allow_zero,
               gint64 *out)
{
  g_autoptr (PlanExpr) x = plan__bind_expr (b, NULL, e);

  if (x == NULL)
    return FALSE;
  if (x->kind != PLAN_EXPR_LITERAL || x->type.kind != PLAN_TYPE_INTERVAL || x->u.literal.is_null)
    return plan__bfail (b, PLAN_ERROR_BIND, e->span, "The %s must be a constant INTERVAL such as "
                        "INTERVAL '10' SECOND, got %s", what, plan__tname (x->type).s) != NULL;
  *out = x->u.literal.v.i;
  if (*out < 0 || (*out == 0 && !allow_zero))
    return plan__bfail (b, PLAN_ERROR_BIND, e->span, "The %s must be positive", what) != NULL;
  return TRUE;
}

/* The DATA argument: TABLE name (a table, view or WITH query). */
static PlanSqlRel *
bind_data (PlanSqlBinder *b, const PlanAstExpr *call, const PlanAstExpr *data)
{
  PlanAstFrom from = { 0 };

  if (data == NULL || data->kind != PLAN_AST_TABLE_ARG)
    return plan__bfail (b, PLAN_ERROR_BIND, data != NULL ? data->span : call->span,
                        "The first argument of %s must be TABLE name, as in %s(TABLE bids, "
                        "DESCRIPTOR(ts), INTERVAL '10' SECOND)", call->name, call->name);
  from.kind = PLAN_AST_FROM_TABLE;
  from.span = from.name_span = data->span;
  from.name = data->text;
  return plan__bind_from (b, &from);
}

/* The TIMECOL argument: DESCRIPTOR(col) naming a time attribute of rel. */
static gboolean
bind_timecol (PlanSqlBinder *b, const PlanAstExpr *call, const PlanAstExpr *d,
              const PlanSqlRel *rel, guint *out)
{
  const PlanAstExpr *c;
  gint found = -1;

  if (d == NULL || d->kind != PLAN_AST_DESCRIPTOR || d->args.n != 1)
    return plan__bfail (b, PLAN_ERROR_BIND, d != NULL ? d->span : call->span, "The second "
                        "argument of %s must be DESCRIPTOR(column) naming the time attribute",
                        call->name) != NULL;
  c = d->args.items[0];
  for (guint i = 0; i < rel->cols->len; i++)
    if (g_ascii_strcasecmp (plan__rel_col (rel, i)->name, c->name) == 0)
      found = (gint) i;
  if (found < 0)
    return plan__bfail (b, PLAN_ERROR_BIND, c->span, "Column '%s' not found in %s", c->name,
                        plan__rel_desc (rel)) != NULL;
  if (!is_rowtime (rel->node, (guint) found)
      && !plan__is_proctime (rel->node, (guint) found)) /* added by processing-time windows */
    return plan__bfail (b, PLAN_ERROR_BIND, c->span, "Column '%s' is not a time attribute: "
                        "declare WATERMARK FOR %s AS ... in the table's CREATE TABLE", c->name,
                        c->name) != NULL;
  *out = (guint) found;
  return TRUE;
}

/* Fills w's sizes from the bound arguments and checks them. */
static gboolean
bind_sizes (PlanSqlBinder *b, const PlanAstExpr *call, const PlanAstExpr **args, PlanWindow *w)
{
  const char *const *names = w->kind == PLAN_WINDOW_TUMBLE ? tumble_args
                             : w->kind == PLAN_WINDOW_HOP ? hop_args
                             : w->kind == PLAN_WINDOW_SESSION ? session_args : cumulate_args;
  guint n_size = w->kind == PLAN_WINDOW_TUMBLE || w->kind == PLAN_WINDOW_SESSION ? 1 : 2;
  guint n_args = w->kind == PLAN_WINDOW_SESSION ? 1 : n_size + 1; /* SESSION: no offset */
  gint64 v[3] = { 0, 0, 0 };

  for (guint k = 0; k < n_size; k++)
    if (args[k + 2] == NULL)
      return plan__bfail (b, PLAN_ERROR_BIND, call->span, "%s needs its %s argument", call->name,
                          names[k]) != NULL;
  for (guint k = 0; k < n_args; k++)
    {
      g_autofree char *what = g_ascii_strdown (names[k], -1);

      if (args[k + 2] != NULL
          && !bind_interval (b, args[k + 2], what, k == n_size, &v[k]))
        return FALSE;
    }
  w->size_ms = v[n_size - 1];
  w->slide_ms = v[0]; /* TUMBLE: the size itself */
  w->offset_ms = w->kind == PLAN_WINDOW_SESSION ? 0 : v[n_size];
  if (w->kind != PLAN_WINDOW_TUMBLE && w->size_ms % w->slide_ms != 0)
    return plan__bfail (b, PLAN_ERROR_BIND, args[3]->span, "The %s of %s must be a whole "
                        "multiple of its %s", names[1], call->name, names[0]) != NULL;
  return TRUE;
}

/* SESSION's PARTITION BY columns (the args of the TABLE argument); none elsewhere. */
static gboolean
bind_partition (PlanSqlBinder *b, const PlanAstExpr *call, const PlanAstExpr *data,
                const PlanSqlRel *rel, PlanWindow *w)
{
  if (data->args.n > 0 && w->kind != PLAN_WINDOW_SESSION)
    return plan__bfail (b, PLAN_ERROR_BIND, ((PlanAstExpr *) data->args.items[0])->span,
                        "PARTITION BY is for SESSION windows; %s has no partitions",
                        call->name) != NULL;
  if (data->args.n > PLAN_WINDOW_MAX_PARTITION)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, data->span, "At most %d PARTITION BY "
                        "columns are supported", PLAN_WINDOW_MAX_PARTITION) != NULL;
  for (guint i = 0; i < data->args.n; i++)
    {
      const PlanAstExpr *c = data->args.items[i];
      gint found = -1;

      for (guint k = 0; k < rel->cols->len; k++)
        if (g_ascii_strcasecmp (plan__rel_col (rel, k)->name, c->name) == 0)
          found = (gint) k;
      if (found < 0)
        return plan__bfail (b, PLAN_ERROR_BIND, c->span, "Column '%s' not found in %s", c->name,
                            plan__rel_desc (rel)) != NULL;
      w->partition[w->n_partition++] = (guint) found;
    }
  return TRUE;
}

PlanSqlRel *
plan__bind_window_tvf (PlanSqlBinder *b, const PlanAstFrom *f)
{
  const PlanAstExpr *call = f->call, *args[5] = { NULL };
  PlanWindow w = { 0 };
  PlanSqlRel *rel;
  PlanNode *node, *input;
  guint n_in;

  if (strcmp (call->name, "TUMBLE") == 0)
    w.kind = PLAN_WINDOW_TUMBLE;
  else if (strcmp (call->name, "HOP") == 0)
    w.kind = PLAN_WINDOW_HOP;
  else if (strcmp (call->name, "CUMULATE") == 0)
    w.kind = PLAN_WINDOW_CUMULATE;
  else if (strcmp (call->name, "SESSION") == 0)
    w.kind = PLAN_WINDOW_SESSION;
  else
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, f->span, "Window TVF %s is not supported "
                        "yet; TUMBLE, HOP, CUMULATE and SESSION are", call->name);
  if (!collect_args (b, call, w.kind == PLAN_WINDOW_TUMBLE ? tumble_args
                     : w.kind == PLAN_WINDOW_HOP ? hop_args
                     : w.kind == PLAN_WINDOW_SESSION ? session_args : cumulate_args,
                     w.kind == PLAN_WINDOW_TUMBLE ? 2 : w.kind == PLAN_WINDOW_SESSION ? 1 : 3,
                     args))
    return NULL;
  if ((rel = bind_data (b, call, args[0])) == NULL)
    return NULL;
  if (!bind_timecol (b, call, args[1], rel, &w.time_col) || !bind_sizes (b, call, args, &w)
      || !bind_partition (b, call, args[0], rel, &w))
    return plan__rel_free (rel), NULL;
  input = rel->node;
  n_in = input->schema->n_fields;
  node = plan_node_new (PLAN_NODE_WINDOW, plan_window_schema (input->schema), f->span, 1,
                        &input);
  node->u.window = w;
  rel->node = node;
  for (guint i = 0; i < 3; i++)
    {
      PlanSqlCol c = { NULL, g_strdup (node->schema->fields[n_in + i].name),
                       node->schema->fields[n_in + i].type, f->span };
      g_array_append_val (rel->cols, c);
    }
  if (f->alias != NULL)
    for (guint i = 0; i < rel->cols->len; i++)
      {
        g_free (plan__rel_col (rel, i)->qualifier);
        plan__rel_col (rel, i)->qualifier = g_strdup (f->alias);
      }
  return rel;
}

/* ---- computed columns ----------------------------------------------------------------- */

typedef struct {
  guint pos;        /* in declared order */
  const char *name; /* borrowed from the table's options */
  const char *text; /* the expression's text */
} Computed;

guint
plan__n_physical_columns (const PlanAstStmt *s)
{
  guint n = 0;

  for (guint i = 0; i < s->columns.n; i++)
    n += ((const PlanAstColumnDef *) s->columns.items[i])->computed == NULL;
  return n;
}

static void
col_clear (gpointer data)
{
  PlanSqlCol *c = data;

  g_free (c->qualifier);
  g_free (c->name);
}

/* A relation with cols of schema under qualifier, over node (taken, may be NULL). */
static PlanSqlRel *
rel_over (PlanNode *node, const PlanSchema *schema, const char *qualifier, const char *desc,
          PlanSpan span)
{
  PlanSqlRel *rel = g_new0 (PlanSqlRel, 1);

  rel->node = node;
  rel->cols = g_array_new (FALSE, TRUE, sizeof (PlanSqlCol));
  g_array_set_clear_func (rel->cols, col_clear);
  rel->desc = g_strdup (desc);
  for (guint i = 0; i < schema->n_fields; i++)
    {
      PlanSqlCol c = { g_strdup (qualifier), g_strdup (schema->fields[i].name),
                       schema->fields[i].type, span };
      g_array_append_val (rel->cols, c);
    }
  return rel;
}

static gboolean
is_proctime (const PlanAstExpr *e)
{
  return e->kind == PLAN_AST_CALL && strcmp (e->name, "PROCTIME") == 0 && e->args.n == 0;
}

/* PROCTIME() is the wall clock when the row is processed (read once per batch). */
static PlanExpr *
bind_computed_expr (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e)
{
  if (is_proctime (e))
    {
      PlanType t = plan_type_make (PLAN_TYPE_TIMESTAMP, FALSE);

      t.scale = 3;
      return plan_expr_call (PLAN_FUNC_CURRENT_TIMESTAMP, t, 0, NULL, e->span);
    }
  return plan__bind_expr (b, scope, e);
}

gboolean
plan__bind_computed_columns (PlanSqlBinder *b, const PlanAstStmt *s, PlanTable *table)
{
  g_autofree char *desc = g_strdup_printf ("table '%s'", table->name);
  PlanSqlRel *scope = rel_over (NULL, table->schema, table->name, desc, s->span);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean ok = TRUE;

  for (guint i = 0; i < s->columns.n && ok; i++)
    {
      const PlanAstColumnDef *c = s->columns.items[i];
      g_autofree char *lower = g_ascii_strdown (c->name, -1);
      g_autofree char *key = NULL, *text = NULL, *value = NULL;
      g_autoptr (PlanExpr) x = NULL;

      if (c->computed == NULL)
        continue;
      if (plan_schema_find (table->schema, c->name) >= 0 || g_hash_table_contains (seen, lower))
        ok = plan__bfail (b, PLAN_ERROR_BIND, c->span, "Column '%s' is defined twice",
                          c->name) != NULL;
      else if ((x = bind_computed_expr (b, scope, c->computed)) == NULL)
        ok = FALSE;
      else if (plan_expr_is_constant (x) && x->type.kind == PLAN_TYPE_NULL)
        ok = plan__bfail (b, PLAN_ERROR_BIND, c->computed->span, "The computed column '%s' "
                          "needs a type: CAST the NULL to one", c->name) != NULL;
      if (!ok)
        break;
      g_hash_table_add (seen, g_steal_pointer (&lower));
      key = g_strdup_printf ("__computed.%s", c->name);
      text = plan__sql_ast_slice (b->ast, c->computed->span);
      value = g_strdup_printf ("%u:%s", i, text);
      plan_table_add_option (table, key, value);
    }
  plan__rel_free (scope);
  return ok;
}

/* The table's computed columns, by declared position. */
static GArray *
computed_of (const PlanTable *table)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Computed));

  for (guint i = 0; i + 1 < table->options->len; i += 2)
    {
      const char *key = table->options->pdata[i], *value = table->options->pdata[i + 1];
      Computed c;
      char *end;

      if (!g_str_has_prefix (key, "__computed."))
        continue;
      c.name = key + strlen ("__computed.");
      c.pos = (guint) g_ascii_strtoull (value, &end, 10);
      c.text = *end == ':' ? end + 1 : end;
      g_array_append_val (out, c);
    }
  return out;
}

/* Binds the stored text of a computed column over scope (it bound when the table was made). */
static PlanExpr *
bind_stored (PlanSqlBinder *b, const PlanSqlRel *scope, const Computed *c)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s", c->text);
  g_autoptr (GError) error = NULL;
  GPtrArray *asts = plan_sql_parse (sql, &error);
  const PlanAst *ast;
  const PlanAstSelectItem *item;
  PlanExpr *x;

  if (asts == NULL || asts->len != 1)
    {
      if (asts != NULL)
        g_ptr_array_unref (asts);
      return plan__bfail (b, PLAN_ERROR_BIND, scope->cols->len > 0
                          ? plan__rel_col (scope, 0)->span : (PlanSpan) { 0 },
                          "The computed column '%s' (%s) no longer parses", c->name, c->text);
    }
  ast = asts->pdata[0];
  item = ast->stmt->query->items.items[0];
  x = bind_computed_expr (b, scope, item->expr);
  g_ptr_array_unref (asts);
  return x;
}

PlanSqlRel *
plan__add_computed_columns (PlanSqlBinder *b, PlanSqlRel *rel, PlanTable *table)
{
  g_autoptr (GArray) computed = computed_of (table);
  guint n_phys = rel->cols->len, n = n_phys + computed->len, j = 0, k = 0;
  g_autofree PlanExpr **exprs = NULL;
  g_autoptr (PlanSchema) schema = NULL;
  PlanSqlCol first;
  PlanSqlRel *out;
  PlanNode *node;

  if (computed->len == 0)
    return rel;
  first = *plan__rel_col (rel, 0);
  exprs = g_new0 (PlanExpr *, n);
  schema = plan_schema_new (n);
  for (guint pos = 0; pos < n; pos++)
    {
      const Computed *c = NULL;

      for (guint i = 0; i < computed->len; i++)
        if (g_array_index (computed, Computed, i).pos == pos)
          c = &g_array_index (computed, Computed, i);
      if (c == NULL && j < n_phys)
        {
          PlanSqlCol *col = plan__rel_col (rel, j);

          exprs[k] = plan_expr_column (j++, col->type, first.span);
          plan_schema_set_field (schema, k++, col->name, col->type);
        }
      else if (c != NULL)
        {
          if ((exprs[k] = bind_stored (b, rel, c)) == NULL)
            break;
          plan_schema_set_field (schema, k, c->name, exprs[k]->type);
          k++;
        }
    }
  if (k < n)
    {
      for (guint i = 0; i < n; i++)
        g_clear_pointer (&exprs[i], plan_expr_unref);
      plan__rel_free (rel);
      return NULL;
    }
  node = plan_node_new (PLAN_NODE_PROJECT, plan_schema_ref (schema), rel->node->span, 1,
                        &rel->node);
  node->u.project.n_exprs = n;
  node->u.project.exprs = g_steal_pointer (&exprs);
  rel->node = NULL;
  out = rel_over (node, schema, first.qualifier, rel->desc, first.span);
  plan__rel_free (rel);
  return out;
}

PlanTable *
plan__describe_table (PlanSqlBinder *b, PlanTable *table)
{
  g_autoptr (GArray) computed = computed_of (table);
  PlanNode *scan;
  PlanSqlRel *rel;
  PlanTable *copy;

  if (computed->len == 0)
    return plan_table_ref (table);
  scan = plan_node_new (PLAN_NODE_SCAN, plan_schema_ref (table->schema), table->span, 0, NULL);
  scan->u.scan.table = plan_table_ref (table);
  scan->u.scan.n_columns = table->schema->n_fields;
  scan->u.scan.columns = g_new (guint, table->schema->n_fields + 1);
  for (guint i = 0; i < table->schema->n_fields; i++)
    scan->u.scan.columns[i] = i;
  rel = rel_over (scan, table->schema, table->name, NULL, table->span);
  if ((rel = plan__add_computed_columns (b, rel, table)) == NULL)
    return NULL;
  copy = plan_table_new (table->name, plan_schema_ref (rel->node->schema), table->span);
  for (guint i = 0; i + 1 < table->options->len; i += 2)
    plan_table_add_option (copy, table->options->pdata[i], table->options->pdata[i + 1]);
  copy->ddl = g_strdup (table->ddl);
  plan__rel_free (rel);
  return copy;
}

/* added by legacy windows: the time attribute check for GROUP BY TUMBLE(ts, ...) */
gboolean
plan__is_rowtime (const PlanNode *node, guint col)
{
  return is_rowtime (node, col);
}
