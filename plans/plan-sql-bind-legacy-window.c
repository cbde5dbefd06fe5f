/* plan-sql-bind-legacy-window.c: Flink's legacy group window functions,
 *   SELECT k, TUMBLE_START(ts, INTERVAL '10' SECOND), COUNT(*) FROM t
 *   GROUP BY TUMBLE(ts, INTERVAL '10' SECOND), k
 * with HOP(ts, slide, size) and SESSION(ts, gap) in the same place, and the auxiliary
 * functions <kind>_START, <kind>_END and <kind>_ROWTIME in the select list and HAVING.
 *
 * Nothing new is planned for them: the binder rewrites the query onto the window TVF and
 * the window aggregate that TABLE(TUMBLE(...)) already uses. The FROM/WHERE relation gets
 * a WINDOW node on top (its columns plus window_start, window_end, window_time), and the
 * GROUP BY list is handed to the ordinary aggregation binder with the group window call
 * replaced by two synthetic calls, <kind>_START and <kind>_END, placed first so that the
 * aggregate's keys 0 and 1 are always the window bounds. Every auxiliary call then binds,
 * below the aggregate, to a column of the WINDOW node; the aggregation binder matches
 * _START and _END to those keys, and _ROWTIME becomes window_end - 1 ms above the
 * aggregate (Flink's rowtime of a window result). The optimizer sees exactly the shape a
 * window TVF query has, so it plans a WINDOW_AGGREGATE that fires on the watermark.
 *
 * For SESSION the other GROUP BY keys become the window's PARTITION BY columns, because
 * sessions merge per key; they must therefore be plain columns. Only one group window may
 * appear in GROUP BY, and an auxiliary call must repeat its arguments exactly, as in
 * Flink. */
#include "plan-sql-private.h"

#include <string.h>

struct _PlanSqlLegacyWin {
  PlanWindowKind kind;
  const char *name;         /* "TUMBLE", "HOP", "SESSION" */
  const PlanSqlRel *lower;  /* borrowed: the relation with the window columns */
  guint n_in;               /* columns before window_start in lower */
  PlanWindow w;
  const PlanAstExpr *call;  /* borrowed: the GROUP BY call */
};

static const char *const kinds[] = { "TUMBLE", "HOP", "SESSION" };
static const PlanWindowKind kind_of[] = { PLAN_WINDOW_TUMBLE, PLAN_WINDOW_HOP,
                                          PLAN_WINDOW_SESSION };
static const char *const aux[] = { "_START", "_END", "_ROWTIME", "_PROCTIME" };

/* The group window kind named by name's prefix (-1: none) and which suffix follows it
 * (-1: the bare window function). */
static gint
classify (const char *name, gint *suffix)
{
  *suffix = -1;
  if (name == NULL)
    return -1;
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      gsize n = strlen (kinds[k]);

      if (strncmp (name, kinds[k], n) != 0)
        continue;
      if (name[n] == '\0')
        return (gint) k;
      for (guint s = 0; s < G_N_ELEMENTS (aux); s++)
        if (strcmp (name + n, aux[s]) == 0)
          {
            *suffix = (gint) s;
            return (gint) k;
          }
    }
  return -1;
}

gboolean
plan__is_legacy_window_call (const PlanAstExpr *e)
{
  gint suffix;

  return e->kind == PLAN_AST_CALL && !e->over && classify (e->name, &suffix) >= 0;
}

/* A constant positive INTERVAL argument in ms. */
static gboolean
interval_arg (PlanSqlBinder *b, const PlanAstExpr *e, const char *fn, const char *what,
              gint64 *out)
{
  g_autoptr (PlanExpr) x = plan__bind_expr (b, NULL, e);

  if (x == NULL)
    return FALSE;
  if (x->kind != PLAN_EXPR_LITERAL || x->type.kind != PLAN_TYPE_INTERVAL
      || x->u.literal.is_null || x->u.literal.v.i <= 0)
    return plan__bfail (b, PLAN_ERROR_BIND, e->span, "The %s of %s must be a positive constant "
                        "INTERVAL such as INTERVAL '10' SECOND", what, fn) != NULL;
  *out = x->u.literal.v.i;
  return TRUE;
}

/* Binds the arguments of a group window call (or an auxiliary one, named fn) over rel:
 * the time column and the sizes into w. The time attribute check needs rel's node, which
 * the aggregation has taken by the time auxiliary calls bind; those are compared with
 * the GROUP BY call instead. */
static gboolean
bind_window_args (PlanSqlBinder *b, const PlanAstExpr *call, const char *fn, PlanWindowKind kind,
                  const PlanSqlRel *rel, PlanWindow *w)
{
  guint want = kind == PLAN_WINDOW_HOP ? 3 : 2;
  g_autoptr (PlanExpr) t = NULL;

  memset (w, 0, sizeof *w);
  w->kind = kind;
  if (call->args.n != want || call->distinct || call->star_arg || call->filter != NULL)
    return plan__bfail (b, PLAN_ERROR_BIND, call->span, "%s takes %u arguments: %s", fn, want,
                        kind == PLAN_WINDOW_HOP ? "the time attribute, the slide and the size"
                        : kind == PLAN_WINDOW_SESSION ? "the time attribute and the gap"
                        : "the time attribute and the size") != NULL;
  if ((t = plan__bind_expr (b, rel, call->args.items[0])) == NULL)
    return FALSE;
  if (t->kind != PLAN_EXPR_COLUMN
      || (rel->node != NULL && !plan__is_rowtime (rel->node, t->u.column)
          && !plan__is_proctime (rel->node, t->u.column))) /* added by processing-time windows */
    return plan__bfail (b, PLAN_ERROR_BIND, ((PlanAstExpr *) call->args.items[0])->span,
                        "The first argument of %s must be a time attribute column (one "
                        "declared with WATERMARK FOR in CREATE TABLE)", fn) != NULL;
  w->time_col = t->u.column;
  if (!interval_arg (b, call->args.items[1], fn, kind == PLAN_WINDOW_HOP ? "slide"
                     : kind == PLAN_WINDOW_SESSION ? "gap" : "size", &w->slide_ms))
    return FALSE;
  w->size_ms = w->slide_ms;
  if (kind == PLAN_WINDOW_HOP
      && !interval_arg (b, call->args.items[2], fn, "size", &w->size_ms))
    return FALSE;
  if (kind == PLAN_WINDOW_HOP && w->size_ms % w->slide_ms != 0)
    return plan__bfail (b, PLAN_ERROR_BIND, ((PlanAstExpr *) call->args.items[2])->span,
                        "The size of HOP must be a whole multiple of its slide") != NULL;
  if (kind == PLAN_WINDOW_SESSION)
    w->slide_ms = w->size_ms;
  return TRUE;
}

/* The one group window call in group_by, or NULL; an error (*failed) for two. */
static const PlanAstExpr *
find_group_window (PlanSqlBinder *b, const PlanAstList *group_by, gboolean *failed)
{
  const PlanAstExpr *found = NULL;

  *failed = FALSE;
  for (guint i = 0; i < group_by->n; i++)
    {
      const PlanAstExpr *e = group_by->items[i];
      gint suffix;

      if (!plan__is_legacy_window_call (e) || (classify (e->name, &suffix), suffix >= 0))
        continue;
      if (found != NULL)
        {
          *failed = TRUE;
          return plan__bfail (b, PLAN_ERROR_BIND, e->span, "GROUP BY may hold only one group "
                              "window function; %s is the second", e->name);
        }
      found = e;
    }
  return found;
}

/* A copy of call renamed to <kind><suffix>, in the statement's arena. */
static PlanAstExpr *
synthetic_call (PlanSqlBinder *b, const PlanAstExpr *call, const char *suffix)
{
  PlanSqlArena *arena = b->ast->arena;
  PlanAstExpr *e = plan__sql_arena_alloc (arena, sizeof *e);
  g_autofree char *name = g_strconcat (call->name, suffix, NULL);

  *e = *call;
  e->name = plan__sql_arena_strndup (arena, name, strlen (name));
  return e;
}

/* rel (consumed) with a WINDOW node on top; the columns keep their names. */
static PlanSqlRel *
window_rel (PlanSqlRel *rel, const PlanWindow *w, PlanSpan span)
{
  PlanNode *input = rel->node, *node;
  PlanSqlRel *out;
  guint n_in = input->schema->n_fields;
  static const char *const names[] = { "window_start", "window_end", "window_time" };

  rel->node = NULL;
  node = plan_node_new (PLAN_NODE_WINDOW, plan_window_schema (input->schema), span, 1, &input);
  node->u.window = *w;
  out = plan__rel_new (node, rel->desc);
  for (guint i = 0; i < n_in + 3; i++)
    {
      PlanSqlCol c = { 0 };

      if (i < n_in)
        {
          const PlanSqlCol *src = plan__rel_col (rel, i);

          c.qualifier = g_strdup (src->qualifier);
          c.name = g_strdup (src->name);
          c.span = src->span;
        }
      else
        {
          c.name = g_strdup (names[i - n_in]);
          c.span = span;
        }
      c.type = node->schema->fields[i].type;
      g_array_append_val (out->cols, c);
    }
  plan__rel_free (rel);
  return out;
}

/* SESSION: the other keys, which must be plain columns, partition the sessions. */
static gboolean
session_partition (PlanSqlBinder *b, const PlanAstList *group_by, const PlanAstExpr *call,
                   const PlanSqlRel *rel, PlanWindow *w)
{
  for (guint i = 0; i < group_by->n; i++)
    {
      const PlanAstExpr *e = group_by->items[i];
      g_autoptr (PlanExpr) x = NULL;

      if (e == call)
        continue;
      if ((x = plan__bind_expr (b, rel, e)) == NULL)
        return FALSE;
      if (x->kind != PLAN_EXPR_COLUMN)
        return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->span, "With GROUP BY SESSION(...), "
                            "the other GROUP BY keys must be plain columns (they partition "
                            "the sessions); compute this one in a subquery") != NULL;
      if (w->n_partition == PLAN_WINDOW_MAX_PARTITION)
        return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->span, "At most %d keys besides "
                            "SESSION(...) are supported", PLAN_WINDOW_MAX_PARTITION) != NULL;
      w->partition[w->n_partition++] = x->u.column;
    }
  return TRUE;
}

gboolean
plan__legacy_window_begin (PlanSqlBinder *b, PlanSqlRel **rel, const PlanAstList *group_by,
                           PlanAstList *out_group_by)
{
  const PlanAstExpr *call;
  PlanSqlLegacyWin *ctx;
  PlanWindow w;
  gboolean failed;
  gint suffix;
  guint n = 2;

  if ((call = find_group_window (b, group_by, &failed)) == NULL)
    {
      if (failed)
        g_clear_pointer (rel, plan__rel_free);
      return failed;
    }
  if (!bind_window_args (b, call, call->name, kind_of[classify (call->name, &suffix)], *rel, &w)
      || (w.kind == PLAN_WINDOW_SESSION && !session_partition (b, group_by, call, *rel, &w)))
    {
      g_clear_pointer (rel, plan__rel_free);
      return TRUE;
    }
  ctx = g_new0 (PlanSqlLegacyWin, 1);
  ctx->kind = w.kind;
  ctx->name = kinds[classify (call->name, &suffix)];
  ctx->n_in = (*rel)->node->schema->n_fields;
  ctx->w = w;
  ctx->call = call;
  *rel = window_rel (*rel, &w, call->span);
  ctx->lower = *rel;
  b->legacy = ctx;
  out_group_by->n = group_by->n + 1;
  out_group_by->items = plan__sql_arena_alloc (b->ast->arena,
                                               sizeof (gpointer) * out_group_by->n);
  out_group_by->items[0] = synthetic_call (b, call, "_START");
  out_group_by->items[1] = synthetic_call (b, call, "_END");
  for (guint i = 0; i < group_by->n; i++)
    if (group_by->items[i] != call)
      out_group_by->items[n++] = group_by->items[i];
  return TRUE;
}

void
plan__legacy_window_end (PlanSqlBinder *b)
{
  g_clear_pointer (&b->legacy, g_free);
}

/* ts - 1 ms over a TIMESTAMP(3) column of some relation. */
static PlanExpr *
minus_one_ms (guint column, PlanSpan span)
{
  PlanType ts = plan_type_make (PLAN_TYPE_TIMESTAMP, FALSE);
  PlanValue one = { 0 };
  PlanExpr *args[2];

  ts.scale = 3;
  one.type = plan_type_make (PLAN_TYPE_INTERVAL, FALSE);
  one.v.i = 1;
  args[0] = plan_expr_column (column, ts, span);
  args[1] = plan_expr_literal (&one, span);
  return plan_expr_call (PLAN_FUNC_SUB, ts, 2, args, span);
}

PlanExpr *
plan__legacy_window_resolve (PlanSqlBinder *b, const PlanSqlRel *scope, const PlanAstExpr *e)
{
  PlanSqlLegacyWin *ctx = b->legacy;
  PlanSqlAggCtx *saved;
  gboolean ok;
  PlanWindow w;
  PlanType ts = plan_type_make (PLAN_TYPE_TIMESTAMP, FALSE);
  gint suffix, kind = classify (e->name, &suffix);

  ts.scale = 3;
  if (suffix < 0)
    return plan__bfail (b, PLAN_ERROR_BIND, e->span, "%s(...) is a group window function: it "
                        "may only appear in GROUP BY (use %s_START or %s_END in the select "
                        "list)", e->name, e->name, e->name);
  if (ctx == NULL)
    return plan__bfail (b, PLAN_ERROR_BIND, e->span, "%s needs GROUP BY %s(...) with the same "
                        "arguments in the same query", e->name, kinds[kind]);
  if (strcmp (kinds[kind], ctx->name) != 0)
    return plan__bfail (b, PLAN_ERROR_BIND, e->span, "%s does not match the group window "
                        "%s(...) of GROUP BY", e->name, ctx->name);
  if (suffix == 3)
    return plan__bfail (b, PLAN_ERROR_UNSUPPORTED, e->span, "%s is not supported: group "
                        "windows here are over event time; use %s_ROWTIME", e->name,
                        ctx->name);
  saved = b->agg; /* the arguments read the relation below the aggregate */
  b->agg = NULL;
  ok = bind_window_args (b, e, e->name, ctx->kind, ctx->lower, &w);
  b->agg = saved;
  if (!ok)
    return NULL;
  if (w.time_col != ctx->w.time_col || w.size_ms != ctx->w.size_ms
      || w.slide_ms != ctx->w.slide_ms)
    return plan__bfail (b, PLAN_ERROR_BIND, e->span, "The arguments of %s must be those of "
                        "%s(...) in GROUP BY", e->name, ctx->name);
  if (scope != ctx->lower)
    {
      /* above the aggregate, whose keys 0 and 1 are window_start and window_end (_START
       * and _END are matched to them before they get here) */
      if (suffix == 2)
        return minus_one_ms (1, e->span);
      return plan_expr_column ((guint) suffix, ts, e->span);
    }
  if (suffix == 2)
    return minus_one_ms (ctx->n_in + 1, e->span);
  return plan_expr_column (ctx->n_in + (guint) suffix, ts, e->span);
}
