/* plan-sql-parser.c: a hand-written recursive-descent parser from tokens to the AST of
 * plan-sql-private.h, for the Flink SQL dialect of DESIGN.md section 3 plus pipe syntax.
 * This file holds queries (SELECT, FROM, joins, set operations, ORDER BY / LIMIT, pipe
 * steps, WITH), statements and the loop over a script; the token, error and name helpers
 * are in plan-sql-parse-util.c, expressions and types in plan-sql-parse-expr.c.
 *
 * Hand-written rather than generated so that each error can say what was expected where
 * ("Expected a table name after FROM, found end of input") and point at the token. The
 * parser accepts more than the binder can run (GROUP BY, joins, set operations, window
 * TVFs, aggregates): those are valid SQL, so refusing them belongs to the binder, with
 * a position and "not supported yet". Recursion is bounded (PLAN_SQL_MAX_NESTING) and
 * every tree records its height (PLAN_SQL_MAX_HEIGHT), so hostile input gets an error,
 * never a stack overflow. All nodes go to the statement's arena. */
#include "plan-sql-private.h"

#include <string.h>
/* ---- queries ----------------------------------------------------------------------- */

static PlanAstQuery *
new_query (PlanSqlParser *p, PlanAstQueryKind kind, const PlanToken *start)
{
  PlanAstQuery *q = plan__sql_arena_alloc (p->arena, sizeof *q);
  q->kind = kind;
  q->span = start->span;
  q->height = 1;
  q->limit = -1;
  return q;
}

static PlanAstQuery *
finish_query (PlanSqlParser *p, PlanAstQuery *q, PlanSpan start, guint child_height)
{
  const PlanToken t = { PLAN_TOK_EOF, start };
  q->span = plan__span_from (p, &t);
  q->height = child_height + 1;
  if (q->height > PLAN_SQL_MAX_HEIGHT)
    return plan__fail_at (p, q->span, PLAN_ERROR_SYNTAX,
                          "Query nested too deeply (more than %d steps)", PLAN_SQL_MAX_HEIGHT);
  return q;
}

/* [AS] alias, where a bare word counts only when it is not reserved. */
static gboolean
parse_alias (PlanSqlParser *p, char **alias)
{
  PlanAstName *n;
  if (plan__accept_kw (p, "AS"))
    {
      if ((n = plan__parse_name (p, "an alias after AS", FALSE)) == NULL)
        return FALSE;
      *alias = n->name;
    }
  else if (plan__is_name_token (p, plan__peek (p)))
    *alias = plan__tok_text (p, plan__advance (p));
  return TRUE;
}

static gboolean
parse_select_items (PlanSqlParser *p, PlanAstList *out)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new ();
  do
    {
      const PlanToken *start = plan__peek (p);
      PlanAstSelectItem *item = plan__sql_arena_alloc (p->arena, sizeof *item);
      if (start->kind == PLAN_TOK_STAR)
        {
          item->expr = plan__new_expr (p, PLAN_AST_STAR, plan__advance (p));
        }
      else
        {
          if (plan__tok_is_kw (p, start, "FROM") && items->len > 0)
            return plan__fail_at (p, p->toks[p->pos - 1].span, PLAN_ERROR_SYNTAX,
                                  "Unexpected ',' before FROM: remove the trailing comma") != NULL;
          if ((item->expr = plan__parse_expr (p)) == NULL)
            return FALSE;
          if (item->expr->kind != PLAN_AST_STAR && !parse_alias (p, &item->alias))
            return FALSE;
        }
      item->span = plan__span_from (p, start);
      g_ptr_array_add (items, item);
    }
  while (plan__accept (p, PLAN_TOK_COMMA));
  *out = plan__list_take (p, items);
  return TRUE;
}

static PlanAstFrom *parse_from_item (PlanSqlParser *p);

static PlanAstFrom *
new_from (PlanSqlParser *p, PlanAstFromKind kind, const PlanToken *start)
{
  PlanAstFrom *f = plan__sql_arena_alloc (p->arena, sizeof *f);
  f->kind = kind;
  f->span = start->span;
  f->height = 1;
  return f;
}

static PlanAstFrom *
parse_from_primary (PlanSqlParser *p)
{
  const PlanToken *start = plan__peek (p);
  PlanAstFrom *f;

  if (start->kind == PLAN_TOK_LPAREN)
    {
      const PlanToken *next = plan__peek_at (p, 1);
      plan__advance (p);
      if (plan__tok_is_kw (p, next, "SELECT") || plan__tok_is_kw (p, next, "WITH")
          || plan__tok_is_kw (p, next, "VALUES") || plan__tok_is_kw (p, next, "FROM")
          || next->kind == PLAN_TOK_LPAREN)
        {
          f = new_from (p, PLAN_AST_FROM_SUBQUERY, start);
          if ((f->query = plan__parse_query (p)) == NULL
              || !plan__expect (p, PLAN_TOK_RPAREN, "')'"))
            return NULL;
          f->height = f->query->height + 1;
        }
      else if ((f = parse_from_item (p)) == NULL || !plan__expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
    }
  else if ((plan__tok_is_kw (p, start, "TABLE") || plan__tok_is_kw (p, start, "LATERAL"))
           && (plan__peek_at (p, 1)->kind == PLAN_TOK_LPAREN
               || plan__tok_is_kw (p, start, "LATERAL")))
    {
      f = new_from (p, PLAN_AST_FROM_TVF, start);
      plan__advance (p);
      if (plan__tok_is_kw (p, start, "LATERAL") && !plan__expect_kw (p, "TABLE"))
        return NULL;
      if (!plan__expect (p, PLAN_TOK_LPAREN, "'('"))
        return NULL;
      if (plan__peek (p)->kind != PLAN_TOK_IDENT || plan__peek_at (p, 1)->kind != PLAN_TOK_LPAREN)
        return plan__fail_expected (p, "a table function call such as TUMBLE(...)");
      if ((f->call = plan__parse_call (p, plan__advance (p))) == NULL
          || !plan__expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
    }
  else
    {
      GString *name;
      if (!plan__is_name_token (p, start))
        return plan__fail_expected (p, "a table name after FROM");
      f = new_from (p, PLAN_AST_FROM_TABLE, start);
      name = g_string_new (plan__tok_text (p, plan__advance (p)));
      while (plan__accept (p, PLAN_TOK_DOT))
        {
          PlanAstName *part = plan__parse_name (p, "a name after '.'", TRUE);
          if (part == NULL)
            return g_string_free (name, TRUE), NULL;
          g_string_append_printf (name, ".%s", part->name);
        }
      f->name = plan__sql_arena_strndup (p->arena, name->str, name->len);
      g_string_free (name, TRUE);
      f->name_span = plan__span_from (p, start);
      if (plan__is_kw (p, "FOR") && plan__tok_is_kw (p, plan__peek_at (p, 1), "SYSTEM_TIME"))
        {
          plan__advance (p);
          plan__advance (p);
          if (!plan__expect_kw (p, "AS") || !plan__expect_kw (p, "OF")
              || (f->system_time = plan__parse_concat (p)) == NULL)
            return NULL;
        }
    }
  if (!parse_alias (p, &f->alias))
    return NULL;
  if (f->alias != NULL && plan__peek (p)->kind == PLAN_TOK_LPAREN
      && !plan__parse_name_list (p, "a column alias", &f->column_aliases))
    return NULL;
  f->span = plan__span_from (p, start);
  return f;
}

/* Join keywords at the current token; FALSE when none start here. */
static gboolean
parse_join_kind (PlanSqlParser *p, PlanAstJoinKind *kind)
{
  if (plan__accept (p, PLAN_TOK_COMMA))
    *kind = PLAN_AST_JOIN_COMMA;
  else if (plan__accept_kw (p, "JOIN"))
    *kind = PLAN_AST_JOIN_INNER;
  else if (plan__is_kw (p, "INNER") || plan__is_kw (p, "CROSS"))
    {
      *kind = plan__is_kw (p, "INNER") ? PLAN_AST_JOIN_INNER : PLAN_AST_JOIN_CROSS;
      plan__advance (p);
      return plan__expect_kw (p, "JOIN");
    }
  else if (plan__is_kw (p, "LEFT") || plan__is_kw (p, "RIGHT") || plan__is_kw (p, "FULL"))
    {
      *kind = plan__is_kw (p, "LEFT") ? PLAN_AST_JOIN_LEFT
              : plan__is_kw (p, "RIGHT") ? PLAN_AST_JOIN_RIGHT : PLAN_AST_JOIN_FULL;
      plan__advance (p);
      plan__accept_kw (p, "OUTER");
      return plan__expect_kw (p, "JOIN");
    }
  else
    return FALSE;
  return TRUE;
}

/* The tail of a join after its keywords: right side and ON / USING. */
static PlanAstFrom *
parse_join_rest (PlanSqlParser *p, PlanAstFrom *left, PlanAstJoinKind kind, const PlanToken *kw,
                 const PlanToken *start)
{
  PlanAstFrom *j = new_from (p, PLAN_AST_FROM_JOIN, start);
  j->join = kind;
  j->join_span = plan__span_from (p, kw);
  j->left = left;
  if ((j->right = parse_from_primary (p)) == NULL)
    return NULL;
  if (kind != PLAN_AST_JOIN_CROSS && kind != PLAN_AST_JOIN_COMMA)
    {
      if (plan__accept_kw (p, "ON"))
        {
          if ((j->on = plan__parse_expr (p)) == NULL)
            return NULL;
        }
      else if (plan__accept_kw (p, "USING"))
        {
          if (!plan__parse_name_list (p, "a column name", &j->using_cols))
            return NULL;
        }
      else
        return plan__fail_expected (p, "ON or USING after the joined table");
    }
  j->height = MAX (left != NULL ? left->height : 0, j->right->height) + 1;
  j->span = plan__span_from (p, start);
  if (j->height > PLAN_SQL_MAX_HEIGHT)
    return plan__fail_at (p, j->span, PLAN_ERROR_SYNTAX, "Too many joins (more than %d)",
                          PLAN_SQL_MAX_HEIGHT);
  return j;
}

static PlanAstFrom *
parse_from_item (PlanSqlParser *p)
{
  const PlanToken *start = plan__peek (p);
  PlanAstFrom *f;

  if (!plan__enter (p, "Query"))
    return NULL;
  f = parse_from_primary (p);
  while (f != NULL)
    {
      const PlanToken *kw = plan__peek (p);
      PlanAstJoinKind kind;
      if (!parse_join_kind (p, &kind))
        break;
      if (p->error != NULL)
        return NULL;
      f = parse_join_rest (p, f, kind, kw, start);
    }
  plan__leave (p);
  return f;
}

static gboolean
parse_group_by (PlanSqlParser *p, PlanAstQuery *q)
{
  const PlanToken *start = plan__peek (p);
  if (!plan__accept_kw (p, "GROUP"))
    return TRUE;
  if (!plan__expect_kw (p, "BY") || !plan__parse_expr_list (p, &q->group_by))
    return FALSE;
  q->group_span = plan__span_from (p, start);
  return TRUE;
}

static PlanAstQuery *
parse_select (PlanSqlParser *p)
{
  const PlanToken *start = plan__advance (p); /* SELECT */
  PlanAstQuery *q = new_query (p, PLAN_AST_Q_SELECT, start);
  guint h = 0;

  if (plan__is_kw (p, "DISTINCT"))
    {
      q->distinct = TRUE;
      q->distinct_span = plan__advance (p)->span;
    }
  else
    plan__accept_kw (p, "ALL");
  if (!parse_select_items (p, &q->items))
    return NULL;
  q->select_span = plan__span_from (p, start);
  if (plan__accept_kw (p, "FROM"))
    {
      if ((q->from = parse_from_item (p)) == NULL)
        return NULL;
      h = q->from->height;
    }
  if (plan__is_kw (p, "WHERE"))
    {
      const PlanToken *w = plan__advance (p);
      if ((q->where = plan__parse_expr (p)) == NULL)
        return NULL;
      q->where_span = plan__span_from (p, w);
    }
  if (!parse_group_by (p, q))
    return NULL;
  if (plan__is_kw (p, "HAVING"))
    {
      const PlanToken *w = plan__advance (p);
      if ((q->having = plan__parse_expr (p)) == NULL)
        return NULL;
      q->having_span = plan__span_from (p, w);
    }
  if (plan__is_kw (p, "WINDOW"))
    return plan__fail_at (p, plan__peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                          "Named windows (WINDOW) are not supported yet");
  return finish_query (p, q, start->span, h);
}

static PlanAstQuery *
parse_values (PlanSqlParser *p)
{
  const PlanToken *start = plan__advance (p); /* VALUES */
  PlanAstQuery *q = new_query (p, PLAN_AST_Q_VALUES, start);
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  do
    {
      PlanAstList *row = plan__sql_arena_alloc (p->arena, sizeof *row);
      if (!plan__expect (p, PLAN_TOK_LPAREN, "'(' starting a row of VALUES")
          || !plan__parse_expr_list (p, row) || !plan__expect (p, PLAN_TOK_RPAREN, "',' or ')'"))
        return NULL;
      g_ptr_array_add (rows, row);
    }
  while (plan__accept (p, PLAN_TOK_COMMA));
  q->rows = plan__list_take (p, rows);
  return finish_query (p, q, start->span, 0);
}

static PlanAstQuery *
parse_query_term (PlanSqlParser *p)
{
  const PlanToken *start = plan__peek (p);
  PlanAstQuery *q;

  if (plan__tok_is_kw (p, start, "SELECT"))
    return parse_select (p);
  if (plan__tok_is_kw (p, start, "VALUES"))
    return parse_values (p);
  if (plan__tok_is_kw (p, start, "FROM"))
    {
      plan__advance (p);
      q = new_query (p, PLAN_AST_Q_FROM, start);
      if ((q->from = parse_from_item (p)) == NULL)
        return NULL;
      if (plan__is_kw (p, "WHERE") || plan__is_kw (p, "SELECT") || plan__is_kw (p, "GROUP"))
        return plan__fail_at (p, plan__peek (p)->span, PLAN_ERROR_SYNTAX,
                              "Expected '|>' before %s: a query that starts with FROM continues "
                              "with |> steps", plan__is_kw (p, "WHERE") ? "WHERE"
                                                : plan__is_kw (p, "SELECT") ? "SELECT" : "GROUP");
      return finish_query (p, q, start->span, q->from->height);
    }
  if (start->kind == PLAN_TOK_LPAREN)
    {
      plan__advance (p);
      if ((q = plan__parse_query (p)) == NULL || !plan__expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
      return q;
    }
  return plan__fail_expected (p, "SELECT, FROM or VALUES");
}

static PlanAstQuery *
parse_setops (PlanSqlParser *p)
{
  const PlanToken *start = plan__peek (p);
  PlanAstQuery *q = parse_query_term (p);

  while (q != NULL
         && (plan__is_kw (p, "UNION") || plan__is_kw (p, "INTERSECT") || plan__is_kw (p, "EXCEPT")
             || plan__is_kw (p, "MINUS")))
    {
      const PlanToken *op = plan__advance (p);
      PlanAstQuery *s = new_query (p, PLAN_AST_Q_SETOP, start);
      s->setop = plan__tok_upper (p, op);
      if (strcmp (s->setop, "MINUS") == 0)
        s->setop = "EXCEPT";
      s->all = plan__accept_kw (p, "ALL");
      if (!s->all)
        plan__accept_kw (p, "DISTINCT");
      s->op_span = plan__span_from (p, op);
      s->left = q;
      if ((s->right = parse_query_term (p)) == NULL)
        return NULL;
      q = finish_query (p, s, start->span, MAX (s->left->height, s->right->height));
    }
  return q;
}

static PlanAstQuery *
new_pipe (PlanSqlParser *p, PlanAstQuery *input, PlanAstPipeKind kind, const PlanToken *op)
{
  PlanAstQuery *q = new_query (p, PLAN_AST_Q_PIPE, op);
  q->pipe = kind;
  q->left = input;
  q->span = input->span;
  return q;
}

static gboolean
parse_order_items (PlanSqlParser *p, PlanAstList *out)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new ();
  if (!plan__expect_kw (p, "BY"))
    return FALSE;
  do
    {
      const PlanToken *start = plan__peek (p);
      PlanAstOrderItem *item = plan__sql_arena_alloc (p->arena, sizeof *item);
      if ((item->expr = plan__parse_expr (p)) == NULL)
        return FALSE;
      if (plan__accept_kw (p, "DESC"))
        item->descending = TRUE;
      else
        plan__accept_kw (p, "ASC");
      if (plan__accept_kw (p, "NULLS"))
        {
          if (plan__accept_kw (p, "FIRST"))
            item->nulls = 1; /* added by sort */
          else if (plan__expect_kw (p, "LAST"))
            item->nulls = 2;
          else
            return FALSE;
        }
      item->span = plan__span_from (p, start);
      g_ptr_array_add (items, item);
    }
  while (plan__accept (p, PLAN_TOK_COMMA));
  *out = plan__list_take (p, items);
  return TRUE;
}

/* LIMIT n [OFFSET m], OFFSET m [ROWS] [FETCH FIRST n ROWS ONLY], FETCH FIRST ... */
static gboolean
parse_limit (PlanSqlParser *p, PlanAstQuery *q)
{
  gboolean any = FALSE;
  if (plan__accept_kw (p, "LIMIT"))
    {
      if (!plan__parse_integer (p, "a row count after LIMIT", &q->limit))
        return FALSE;
      any = TRUE;
    }
  if (plan__accept_kw (p, "OFFSET"))
    {
      if (!plan__parse_integer (p, "a row count after OFFSET", &q->offset))
        return FALSE;
      if (!plan__accept_kw (p, "ROWS"))
        plan__accept_kw (p, "ROW");
      any = TRUE;
    }
  if (q->limit < 0 && plan__accept_kw (p, "FETCH"))
    {
      if (!plan__accept_kw (p, "FIRST") && !plan__expect_kw (p, "NEXT"))
        return FALSE;
      if (!plan__parse_integer (p, "a row count after FETCH FIRST", &q->limit))
        return FALSE;
      if ((!plan__accept_kw (p, "ROWS") && !plan__accept_kw (p, "ROW")
           && !plan__expect_kw (p, "ROWS"))
          || !plan__expect_kw (p, "ONLY"))
        return FALSE;
      any = TRUE;
    }
  return any || plan__fail_expected (p, "LIMIT") != NULL;
}

/* ORDER BY and LIMIT of plain SQL become pipe steps over the query before them. */
static PlanAstQuery *
parse_modifiers (PlanSqlParser *p, PlanAstQuery *q)
{
  if (plan__is_kw (p, "ORDER"))
    {
      const PlanToken *op = plan__advance (p);
      PlanAstQuery *s = new_pipe (p, q, PLAN_AST_PIPE_ORDER_BY, op);
      if (!parse_order_items (p, &s->order))
        return NULL;
      s->op_span = plan__span_from (p, op);
      if ((q = finish_query (p, s, q->span, q->height)) == NULL)
        return NULL;
    }
  if (plan__is_kw (p, "LIMIT") || plan__is_kw (p, "OFFSET") || plan__is_kw (p, "FETCH"))
    {
      const PlanToken *op = plan__peek (p);
      PlanAstQuery *s = new_pipe (p, q, PLAN_AST_PIPE_LIMIT, op);
      if (!parse_limit (p, s))
        return NULL;
      s->op_span = plan__span_from (p, op);
      q = finish_query (p, s, q->span, q->height);
    }
  return q;
}

static gboolean
parse_pipe_body (PlanSqlParser *p, PlanAstQuery *s, const PlanToken *op)
{
  switch (s->pipe)
    {
    case PLAN_AST_PIPE_WHERE:
      return (s->where = plan__parse_expr (p)) != NULL;
    case PLAN_AST_PIPE_SELECT:
      if (plan__is_kw (p, "DISTINCT"))
        {
          s->distinct = TRUE;
          s->distinct_span = plan__advance (p)->span;
        }
      else
        plan__accept_kw (p, "ALL");
      return parse_select_items (p, &s->items);
    case PLAN_AST_PIPE_EXTEND:
      return parse_select_items (p, &s->items);
    case PLAN_AST_PIPE_AGGREGATE:
      if (!plan__is_kw (p, "GROUP") && !parse_select_items (p, &s->items))
        return FALSE;
      return parse_group_by (p, s);
    case PLAN_AST_PIPE_ORDER_BY:
      return parse_order_items (p, &s->order);
    case PLAN_AST_PIPE_LIMIT:
      p->pos--; /* parse_limit wants the LIMIT keyword */
      return parse_limit (p, s);
    case PLAN_AST_PIPE_AS:
      {
        PlanAstName *n = plan__parse_name (p, "an alias after AS", FALSE);
        s->alias = n != NULL ? n->name : NULL;
        return n != NULL;
      }
    case PLAN_AST_PIPE_JOIN:
      {
        PlanAstJoinKind kind;
        p->pos--;
        if (!parse_join_kind (p, &kind) || kind == PLAN_AST_JOIN_COMMA)
          return plan__fail_expected (p, "JOIN") != NULL;
        return (s->from = parse_join_rest (p, NULL, kind, op, op)) != NULL;
      }
    default:
      return FALSE;
    }
}

/* One |> step over input. */
static PlanAstQuery *
parse_pipe_step (PlanSqlParser *p, PlanAstQuery *input)
{
  static const struct {
    const char *word;
    PlanAstPipeKind kind;
  } steps[] = {
    { "WHERE", PLAN_AST_PIPE_WHERE }, { "SELECT", PLAN_AST_PIPE_SELECT },
    { "EXTEND", PLAN_AST_PIPE_EXTEND }, { "LIMIT", PLAN_AST_PIPE_LIMIT },
    { "ORDER", PLAN_AST_PIPE_ORDER_BY }, { "AGGREGATE", PLAN_AST_PIPE_AGGREGATE },
    { "AS", PLAN_AST_PIPE_AS }, { "JOIN", PLAN_AST_PIPE_JOIN },
    { "INNER", PLAN_AST_PIPE_JOIN }, { "LEFT", PLAN_AST_PIPE_JOIN },
    { "RIGHT", PLAN_AST_PIPE_JOIN }, { "FULL", PLAN_AST_PIPE_JOIN },
    { "CROSS", PLAN_AST_PIPE_JOIN },
  };
  const PlanToken *op = plan__peek (p);
  PlanAstQuery *s = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (steps) && s == NULL; i++)
    if (plan__tok_is_kw (p, op, steps[i].word))
      s = new_pipe (p, input, steps[i].kind, op);
  if (s == NULL)
    return plan__fail_expected (p, "a pipe operator (WHERE, SELECT, EXTEND, AGGREGATE, ORDER BY, "
                                   "LIMIT, AS or JOIN) after |>");
  plan__advance (p);
  if (!parse_pipe_body (p, s, op))
    return NULL;
  s->op_span = plan__span_from (p, op);
  return finish_query (p, s, input->span, input->height);
}

static PlanAstQuery *
parse_with (PlanSqlParser *p, const PlanToken *start)
{
  PlanAstQuery *q = new_query (p, PLAN_AST_Q_WITH, start);
  g_autoptr (GPtrArray) ctes = g_ptr_array_new ();
  guint h = 0;

  q->recursive = plan__accept_kw (p, "RECURSIVE");
  do
    {
      PlanAstCte *cte = plan__sql_arena_alloc (p->arena, sizeof *cte);
      PlanAstName *n = plan__parse_name (p, "a name for the WITH query", FALSE);
      if (n == NULL)
        return NULL;
      cte->name = n->name;
      cte->span = n->span;
      if (plan__peek (p)->kind == PLAN_TOK_LPAREN
          && !plan__parse_name_list (p, "a column name", &cte->columns))
        return NULL;
      if (!plan__expect_kw (p, "AS") || !plan__expect (p, PLAN_TOK_LPAREN, "'('")
          || (cte->query = plan__parse_query (p)) == NULL
          || !plan__expect (p, PLAN_TOK_RPAREN, "')'"))
        return NULL;
      h = MAX (h, cte->query->height);
      g_ptr_array_add (ctes, cte);
    }
  while (plan__accept (p, PLAN_TOK_COMMA));
  q->ctes = plan__list_take (p, ctes);
  if ((q->left = plan__parse_query (p)) == NULL)
    return NULL;
  return finish_query (p, q, start->span, MAX (h, q->left->height));
}

PlanAstQuery *
plan__parse_query (PlanSqlParser *p)
{
  const PlanToken *start = plan__peek (p);
  PlanAstQuery *q;

  if (!plan__enter (p, "Query"))
    return NULL;
  if (plan__accept_kw (p, "WITH"))
    q = parse_with (p, start);
  else
    {
      q = parse_setops (p);
      if (q != NULL)
        q = parse_modifiers (p, q);
      while (q != NULL && plan__accept (p, PLAN_TOK_PIPE))
        q = parse_pipe_step (p, q);
    }
  plan__leave (p);
  return q;
}

/* ---- statements -------------------------------------------------------------------- */

static PlanAstStmt *
new_stmt (PlanSqlParser *p, PlanStmtKind kind)
{
  PlanAstStmt *s = plan__sql_arena_alloc (p->arena, sizeof *s);
  s->kind = kind;
  return s;
}

static gboolean
parse_if (PlanSqlParser *p, gboolean not)
{
  if (!plan__accept_kw (p, "IF"))
    return FALSE;
  if (not && !plan__expect_kw (p, "NOT"))
    return FALSE;
  return plan__expect_kw (p, "EXISTS");
}

/* A possibly dotted object name; its text joined with '.'. */
static gboolean
parse_object_name (PlanSqlParser *p, PlanAstStmt *s, const char *what)
{
  const PlanToken *start = plan__peek (p);
  PlanAstName *n = plan__parse_name (p, what, FALSE);
  GString *name;

  if (n == NULL)
    return FALSE;
  name = g_string_new (n->name);
  while (plan__accept (p, PLAN_TOK_DOT))
    {
      if ((n = plan__parse_name (p, "a name after '.'", TRUE)) == NULL)
        return g_string_free (name, TRUE), FALSE;
      g_string_append_printf (name, ".%s", n->name);
    }
  s->name = plan__sql_arena_strndup (p->arena, name->str, name->len);
  g_string_free (name, TRUE);
  s->name_span = plan__span_from (p, start);
  return TRUE;
}

static gboolean
parse_column_def (PlanSqlParser *p, GPtrArray *columns)
{
  const PlanToken *start = plan__peek (p);
  PlanAstColumnDef *c = plan__sql_arena_alloc (p->arena, sizeof *c);
  PlanAstName *n = plan__parse_name (p, "a column name", FALSE);

  if (n == NULL)
    return FALSE;
  c->name = n->name;
  if (plan__accept_kw (p, "AS"))
    {
      if ((c->computed = plan__parse_expr (p)) == NULL)
        return FALSE;
    }
  else
    {
      if ((c->type = plan__parse_type (p)) == NULL)
        return FALSE;
      if (plan__accept_kw (p, "NOT"))
        {
          if (!plan__expect_kw (p, "NULL"))
            return FALSE;
          c->not_null = TRUE;
        }
      else
        plan__accept_kw (p, "NULL");
      if (plan__is_kw (p, "METADATA"))
        return plan__fail_at (p, plan__peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                              "METADATA columns are not supported yet") != NULL;
      if (plan__is_kw (p, "PRIMARY"))
        return plan__fail_at (p, plan__peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                              "Write the primary key as a table constraint: "
                              "PRIMARY KEY (%s) NOT ENFORCED", c->name) != NULL;
    }
  if (plan__is_kw (p, "COMMENT") && plan__peek_at (p, 1)->kind == PLAN_TOK_STRING)
    p->pos += 2;
  c->span = plan__span_from (p, start);
  g_ptr_array_add (columns, c);
  return TRUE;
}

static gboolean
parse_table_constraint (PlanSqlParser *p, PlanAstStmt *s, GPtrArray *watermarks)
{
  const PlanToken *start = plan__peek (p);

  if (plan__accept_kw (p, "WATERMARK"))
    {
      PlanAstWatermark *w = plan__sql_arena_alloc (p->arena, sizeof *w);
      PlanAstName *n;
      if (!plan__expect_kw (p, "FOR") || (n = plan__parse_name (p, "a column name", FALSE)) == NULL
          || !plan__expect_kw (p, "AS") || (w->expr = plan__parse_expr (p)) == NULL)
        return FALSE;
      w->column = n->name;
      w->column_span = n->span;
      w->span = plan__span_from (p, start);
      g_ptr_array_add (watermarks, w);
      return TRUE;
    }
  if (plan__accept_kw (p, "CONSTRAINT") && plan__parse_name (p, "a constraint name", FALSE) == NULL)
    return FALSE;
  if (!plan__expect_kw (p, "PRIMARY") || !plan__expect_kw (p, "KEY")
      || !plan__parse_name_list (p, "a column name", &s->primary_key))
    return FALSE;
  if (!plan__is_kw (p, "NOT"))
    return plan__fail_at (p, plan__peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                          "Flink only supports PRIMARY KEY ... NOT ENFORCED: add NOT ENFORCED")
           != NULL;
  plan__advance (p);
  if (!plan__expect_kw (p, "ENFORCED"))
    return FALSE;
  s->primary_key_span = plan__span_from (p, start);
  return TRUE;
}

static gboolean
parse_options (PlanSqlParser *p, PlanAstStmt *s)
{
  g_autoptr (GPtrArray) options = g_ptr_array_new ();
  if (!plan__expect_kw (p, "WITH") || !plan__expect (p, PLAN_TOK_LPAREN, "'(' after WITH"))
    return FALSE;
  do
    {
      const PlanToken *start = plan__peek (p);
      PlanAstOption *o = plan__sql_arena_alloc (p->arena, sizeof *o);
      if (start->kind != PLAN_TOK_STRING)
        return plan__fail_expected (p, "a quoted option key such as 'connector'") != NULL;
      o->key = plan__tok_text (p, plan__advance (p));
      if (!plan__expect (p, PLAN_TOK_EQ, "'='"))
        return FALSE;
      if (plan__peek (p)->kind != PLAN_TOK_STRING)
        return plan__fail_expected (p, "a quoted option value") != NULL;
      o->value = plan__tok_text (p, plan__advance (p));
      o->span = plan__span_from (p, start);
      g_ptr_array_add (options, o);
    }
  while (plan__accept (p, PLAN_TOK_COMMA));
  if (!plan__expect (p, PLAN_TOK_RPAREN, "',' or ')'"))
    return FALSE;
  s->options = plan__list_take (p, options);
  return TRUE;
}

static PlanAstStmt *
parse_create_table (PlanSqlParser *p)
{
  PlanAstStmt *s = new_stmt (p, PLAN_STMT_CREATE_TABLE);
  g_autoptr (GPtrArray) columns = g_ptr_array_new ();
  g_autoptr (GPtrArray) watermarks = g_ptr_array_new ();

  s->if_exists = parse_if (p, TRUE);
  if (p->error != NULL || !parse_object_name (p, s, "a table name"))
    return NULL;
  if (plan__is_kw (p, "AS") || plan__is_kw (p, "LIKE"))
    return plan__fail_at (p, plan__peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                          "CREATE TABLE ... %s is not supported yet; list the columns",
                          plan__is_kw (p, "AS") ? "AS" : "LIKE");
  if (!plan__expect (p, PLAN_TOK_LPAREN, "'(' and the column list"))
    return NULL;
  do
    {
      gboolean ok;
      if (plan__is_kw (p, "WATERMARK") || plan__is_kw (p, "PRIMARY")
          || plan__is_kw (p, "CONSTRAINT"))
        ok = parse_table_constraint (p, s, watermarks);
      else
        ok = parse_column_def (p, columns);
      if (!ok)
        return NULL;
    }
  while (plan__accept (p, PLAN_TOK_COMMA));
  if (!plan__expect (p, PLAN_TOK_RPAREN, "',' or ')'"))
    return NULL;
  s->columns = plan__list_take (p, columns);
  s->watermarks = plan__list_take (p, watermarks);
  if (plan__is_kw (p, "COMMENT") && plan__peek_at (p, 1)->kind == PLAN_TOK_STRING)
    p->pos += 2;
  /* changed by partitioned sinks: PARTITIONED BY (a, b) becomes the option
   * '__partitioned_by' = 'a,b' (the binder checks the columns, the filesystem sink uses
   * them), so tables, plans and their JSON need no new field */
  if (plan__is_kw (p, "PARTITIONED"))
    {
      PlanAstList names = { 0 };
      PlanAstOption *o;
      g_autoptr (GPtrArray) all = g_ptr_array_new ();
      GString *v = g_string_new (NULL);
      const PlanToken *start = plan__advance (p);

      if (!plan__expect_kw (p, "BY") || !plan__parse_name_list (p, "a column name", &names)
          || !parse_options (p, s))
        return g_string_free (v, TRUE), NULL;
      for (guint i = 0; i < names.n; i++)
        g_string_append_printf (v, "%s%s", i ? "," : "", ((PlanAstName *) names.items[i])->name);
      o = plan__sql_arena_alloc (p->arena, sizeof *o);
      o->key = plan__sql_arena_strndup (p->arena, "__partitioned_by", 16);
      o->value = plan__sql_arena_strndup (p->arena, v->str, v->len);
      o->span = start->span;
      g_string_free (v, TRUE);
      for (guint i = 0; i < s->options.n; i++)
        g_ptr_array_add (all, s->options.items[i]);
      g_ptr_array_add (all, o);
      s->options = plan__list_take (p, all);
      return s;
    }
  if (!parse_options (p, s))
    return NULL;
  return s;
}

static PlanAstStmt *
parse_create (PlanSqlParser *p)
{
  PlanAstStmt *s;
  gboolean temporary = plan__accept_kw (p, "TEMPORARY");

  if (plan__accept_kw (p, "TABLE"))
    {
      if ((s = parse_create_table (p)) != NULL)
        s->temporary = temporary;
      return s;
    }
  if (!plan__accept_kw (p, "VIEW"))
    return plan__fail_expected (p, "TABLE or VIEW after CREATE");
  s = new_stmt (p, PLAN_STMT_CREATE_VIEW);
  s->temporary = temporary;
  s->if_exists = parse_if (p, TRUE);
  if (p->error != NULL || !parse_object_name (p, s, "a view name"))
    return NULL;
  if (plan__peek (p)->kind == PLAN_TOK_LPAREN)
    return plan__fail_at (p, plan__peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                          "Column names after the view name are not supported yet; "
                          "use aliases in the query");
  if (!plan__expect_kw (p, "AS") || (s->query = plan__parse_query (p)) == NULL)
    return NULL;
  return s;
}

static PlanAstStmt *
parse_insert (PlanSqlParser *p)
{
  PlanAstStmt *s = new_stmt (p, PLAN_STMT_INSERT);

  if (plan__is_kw (p, "OVERWRITE"))
    return plan__fail_at (p, plan__peek (p)->span, PLAN_ERROR_UNSUPPORTED,
                          "INSERT OVERWRITE is not supported yet");
  if (!plan__expect_kw (p, "INTO") || !parse_object_name (p, s, "a table name after INSERT INTO"))
    return NULL;
  if (plan__peek (p)->kind == PLAN_TOK_LPAREN
      && !plan__parse_name_list (p, "a column name", &s->insert_columns))
    return NULL;
  if ((s->query = plan__parse_query (p)) == NULL)
    return NULL;
  return s;
}

/* SET 'key' = 'value' accepts an unquoted value too (SET 'parallelism.default' = 4). */
static PlanAstStmt *
parse_set (PlanSqlParser *p, PlanStmtKind kind)
{
  PlanAstStmt *s = new_stmt (p, kind);
  const PlanToken *t = plan__peek (p);

  if (t->kind == PLAN_TOK_EOF || t->kind == PLAN_TOK_SEMICOLON)
    return s;
  if (t->kind == PLAN_TOK_STRING || t->kind == PLAN_TOK_IDENT
      || t->kind == PLAN_TOK_QUOTED_IDENT)
    {
      const PlanToken *start = t;
      if (t->kind == PLAN_TOK_STRING)
        s->key = plan__tok_text (p, plan__advance (p));
      else
        {
          while (plan__peek (p)->kind == PLAN_TOK_IDENT || plan__peek (p)->kind == PLAN_TOK_DOT
                 || plan__peek (p)->kind == PLAN_TOK_MINUS)
            plan__advance (p);
          s->key = plan__sql_arena_strndup (p->arena, p->script + start->span.start,
                                            plan__span_from (p, start).end - start->span.start);
        }
    }
  else
    return plan__fail_expected (p, "a quoted key such as 'parallelism.default'");
  if (kind == PLAN_STMT_RESET)
    return s;
  if (!plan__expect (p, PLAN_TOK_EQ, "'=' after the key"))
    return NULL;
  t = plan__peek (p);
  if (t->kind == PLAN_TOK_STRING || t->kind == PLAN_TOK_INTEGER || t->kind == PLAN_TOK_DECIMAL
      || t->kind == PLAN_TOK_IDENT)
    s->value = plan__tok_text (p, plan__advance (p));
  else
    return plan__fail_expected (p, "a quoted value");
  return s;
}

static PlanAstStmt *parse_statement (PlanSqlParser *p);

/* added by checkpoints: STOP JOB 'id' [WITH SAVEPOINT] (Flink SQL client) */
static PlanAstStmt *
parse_stop_job (PlanSqlParser *p)
{
  PlanAstStmt *s = new_stmt (p, PLAN_STMT_STOP_JOB);

  if (!plan__accept_kw (p, "JOB"))
    return plan__fail_expected (p, "JOB after STOP, as in STOP JOB '<job id>'");
  if (plan__peek (p)->kind != PLAN_TOK_STRING)
    return plan__fail_expected (p, "the job id in quotes, as \\jobs lists it");
  s->name = plan__tok_text (p, plan__advance (p));
  if (plan__accept_kw (p, "WITH"))
    {
      if (!plan__accept_kw (p, "SAVEPOINT"))
        return plan__fail_expected (p, "SAVEPOINT after WITH");
      s->value = "SAVEPOINT";
    }
  return s;
}

/* added by statistics: ANALYZE TABLE t [COMPUTE STATISTICS [FOR ALL COLUMNS | FOR COLUMNS
 * a, b]] (Flink's syntax). value "ALL" (bare, or FOR ALL COLUMNS), "COLUMNS" with the names
 * in insert_columns, or NULL for the row count only. */
static PlanAstStmt *
parse_analyze (PlanSqlParser *p)
{
  PlanAstStmt *s = new_stmt (p, PLAN_STMT_ANALYZE);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();

  if (!plan__accept_kw (p, "TABLE"))
    return plan__fail_expected (p, "TABLE after ANALYZE, as in ANALYZE TABLE orders");
  if (!parse_object_name (p, s, "a table name after ANALYZE TABLE"))
    return NULL;
  s->value = "ALL";
  if (!plan__accept_kw (p, "COMPUTE"))
    return s;
  if (!plan__accept_kw (p, "STATISTICS"))
    return plan__fail_expected (p, "STATISTICS after COMPUTE");
  s->value = NULL;
  if (!plan__accept_kw (p, "FOR"))
    return s;
  if (plan__accept_kw (p, "ALL"))
    {
      if (!plan__accept_kw (p, "COLUMNS"))
        return plan__fail_expected (p, "COLUMNS after FOR ALL");
      s->value = "ALL";
      return s;
    }
  if (!plan__accept_kw (p, "COLUMNS"))
    return plan__fail_expected (p, "ALL COLUMNS or COLUMNS a, b after FOR");
  do
    {
      PlanAstName *n = plan__parse_name (p, "a column name", FALSE);

      if (n == NULL)
        return NULL;
      g_ptr_array_add (names, n);
    }
  while (plan__accept (p, PLAN_TOK_COMMA));
  s->insert_columns = plan__list_take (p, names);
  s->value = "COLUMNS";
  return s;
}

static PlanAstStmt *
parse_explain (PlanSqlParser *p)
{
  static const struct {
    const char *word;
    guint flag;
  } details[] = {
    { "ESTIMATED_COST", PLAN_EXPLAIN_ESTIMATED_COST },
    { "JSON_EXECUTION_PLAN", PLAN_EXPLAIN_JSON },
    { "PLAN_ADVICE", PLAN_EXPLAIN_PLAN_ADVICE },
    { "CHANGELOG_MODE", 0 },
    { "JSON", PLAN_EXPLAIN_JSON },       /* added by explain */
    { "DOT", PLAN_EXPLAIN_DOT },
    { "ANALYZE", PLAN_EXPLAIN_ANALYZE },
  };
  PlanAstStmt *s = new_stmt (p, PLAN_STMT_EXPLAIN);

  if (plan__accept_kw (p, "PLAN"))
    {
      if (!plan__expect_kw (p, "FOR"))
        return NULL;
    }
  else
    {
      gboolean found;
      do
        {
          found = FALSE;
          for (guint i = 0; i < G_N_ELEMENTS (details) && !found; i++)
            if (plan__is_kw (p, details[i].word))
              {
                if (details[i].flag == 0)
                  {
                    s->unsupported_span = plan__peek (p)->span;
                    s->unsupported_what = "EXPLAIN CHANGELOG_MODE";
                  }
                s->explain_flags |= details[i].flag;
                plan__advance (p);
                found = TRUE;
              }
        }
      while (found && (plan__accept (p, PLAN_TOK_COMMA) || TRUE)); /* EXPLAIN ANALYZE JSON */
    }
  if ((s->inner = parse_statement (p)) == NULL)
    return NULL;
  return s;
}

static PlanAstStmt *
parse_show (PlanSqlParser *p)
{
  const PlanToken *t = plan__peek (p);
  if (plan__accept_kw (p, "TABLES"))
    return new_stmt (p, PLAN_STMT_SHOW_TABLES);
  if (plan__accept_kw (p, "VIEWS"))
    return new_stmt (p, PLAN_STMT_SHOW_VIEWS);
  if (t->kind == PLAN_TOK_IDENT)
    {
      g_autofree char *word = g_ascii_strup (p->script + t->span.start,
                                             t->span.end - t->span.start);
      return plan__fail_at (p, t->span, PLAN_ERROR_UNSUPPORTED,
                            "SHOW %s is not supported yet (SHOW TABLES and SHOW VIEWS are)", word);
    }
  return plan__fail_expected (p, "TABLES or VIEWS after SHOW");
}

static PlanAstStmt *
parse_drop (PlanSqlParser *p)
{
  PlanAstStmt *s;
  plan__accept_kw (p, "TEMPORARY");
  if (plan__accept_kw (p, "TABLE"))
    s = new_stmt (p, PLAN_STMT_DROP_TABLE);
  else if (plan__accept_kw (p, "VIEW"))
    s = new_stmt (p, PLAN_STMT_DROP_VIEW);
  else
    return plan__fail_expected (p, "TABLE or VIEW after DROP");
  s->if_exists = parse_if (p, FALSE);
  if (p->error != NULL
      || !parse_object_name (p, s, s->kind == PLAN_STMT_DROP_VIEW ? "a view name"
                                                                  : "a table name"))
    return NULL;
  return s;
}

static PlanAstStmt *
unknown_statement (PlanSqlParser *p)
{
  static const char *const starts[] = {
    "SELECT", "FROM", "WITH", "VALUES", "INSERT", "CREATE", "DROP", "SET", "RESET", "SHOW",
    "DESCRIBE", "DESC", "EXPLAIN", "STOP",
    "ANALYZE", /* added by statistics */
  };
  const PlanToken *t = plan__peek (p);
  g_autofree char *found = plan__describe_token (p, t);
  const char *best = NULL;

  if (t->kind == PLAN_TOK_IDENT)
    {
      g_autofree char *word = g_strndup (p->script + t->span.start,
                                         t->span.end - t->span.start);
      best = plan__sql_closest (word, starts, G_N_ELEMENTS (starts));
    }
  if (best != NULL)
    return plan__fail_at (p, t->span, PLAN_ERROR_SYNTAX,
                          "Unknown statement %s. Did you mean %s?", found, best);
  return plan__fail_at (p, t->span, PLAN_ERROR_SYNTAX,
                        "Expected a statement (SELECT, INSERT, CREATE, DROP, SET, RESET, SHOW, "
                        "DESCRIBE or EXPLAIN), found %s", found);
}

static PlanAstStmt *
parse_statement (PlanSqlParser *p)
{
  const PlanToken *start = plan__peek (p);
  PlanAstStmt *s = NULL;

  if (plan__is_kw (p, "SELECT") || plan__is_kw (p, "FROM") || plan__is_kw (p, "WITH")
      || plan__is_kw (p, "VALUES") || start->kind == PLAN_TOK_LPAREN)
    {
      s = new_stmt (p, PLAN_STMT_QUERY);
      if ((s->query = plan__parse_query (p)) == NULL)
        return NULL;
    }
  else if (plan__accept_kw (p, "INSERT"))
    s = parse_insert (p);
  else if (plan__accept_kw (p, "CREATE"))
    s = parse_create (p);
  else if (plan__accept_kw (p, "DROP"))
    s = parse_drop (p);
  else if (plan__accept_kw (p, "SET"))
    s = parse_set (p, PLAN_STMT_SET);
  else if (plan__accept_kw (p, "RESET"))
    s = parse_set (p, PLAN_STMT_RESET);
  else if (plan__accept_kw (p, "SHOW"))
    s = parse_show (p);
  else if (plan__accept_kw (p, "DESCRIBE") || plan__accept_kw (p, "DESC"))
    {
      s = new_stmt (p, PLAN_STMT_DESCRIBE);
      /* added by statistics: DESCRIBE EXTENDED t also shows ANALYZE TABLE's figures */
      if (plan__is_kw (p, "EXTENDED") && plan__is_name_token (p, plan__peek_at (p, 1)))
        {
          plan__advance (p);
          s->value = "EXTENDED";
        }
      if (!parse_object_name (p, s, "a table name"))
        return NULL;
    }
  else if (plan__accept_kw (p, "EXPLAIN"))
    s = parse_explain (p);
  else if (plan__accept_kw (p, "STOP")) /* added by checkpoints */
    s = parse_stop_job (p);
  else if (plan__accept_kw (p, "ANALYZE")) /* added by statistics */
    s = parse_analyze (p);
  else
    return unknown_statement (p);
  if (s != NULL)
    s->span = plan__span_from (p, start);
  return s;
}

/* ---- script ------------------------------------------------------------------------ */

void
plan_ast_free (PlanAst *ast)
{
  if (ast == NULL)
    return;
  plan__sql_arena_free (ast->arena);
  g_free (ast);
}

const char *
plan_ast_get_text (const PlanAst *ast)
{
  g_return_val_if_fail (ast != NULL, NULL);
  return ast->text;
}

PlanSpan
plan_ast_get_span (const PlanAst *ast)
{
  PlanSpan none = { 0 };
  g_return_val_if_fail (ast != NULL, none);
  return ast->span;
}

char *
plan__sql_ast_slice (const PlanAst *ast, PlanSpan span)
{
  gsize len = strlen (ast->text);
  gsize from = span.start >= ast->span.start ? span.start - ast->span.start : 0;
  gsize to = span.end >= ast->span.start ? span.end - ast->span.start : 0;
  from = MIN (from, len);
  to = CLAMP (to, from, len);
  return g_strndup (ast->text + from, to - from);
}

/* One statement from the current token; NULL with p->error set on failure. */
static PlanAst *
parse_one (PlanSqlParser *p)
{
  const PlanToken *start = plan__peek (p);
  PlanAst *ast = g_new0 (PlanAst, 1);

  ast->arena = p->arena = plan__sql_arena_new ();
  p->depth = 0;
  ast->stmt = parse_statement (p);
  if (ast->stmt == NULL && p->error == NULL)
    plan__fail_at (p, start->span, PLAN_ERROR_SYNTAX, "Could not parse the statement");
  if (ast->stmt != NULL && plan__peek (p)->kind != PLAN_TOK_SEMICOLON
      && plan__peek (p)->kind != PLAN_TOK_EOF)
    {
      if (plan__peek (p)->kind == PLAN_TOK_RPAREN)
        plan__fail_at (p, plan__peek (p)->span, PLAN_ERROR_SYNTAX, "Unmatched ')'");
      else
        plan__fail_expected (p, "';' or the end of the statement");
    }
  if (p->error != NULL)
    {
      plan_ast_free (ast);
      return NULL;
    }
  ast->span = plan__span_from (p, start);
  ast->text = plan__sql_arena_strndup (ast->arena, p->script + ast->span.start,
                                       ast->span.end - ast->span.start);
  return ast;
}

GPtrArray *
plan_sql_parse (const char *script, GError **error)
{
  g_autoptr (GPtrArray) out = NULL;
  g_autoptr (GArray) toks = NULL;
  PlanSqlParser p = { 0 };

  g_return_val_if_fail (script != NULL, NULL);
  if ((toks = plan__sql_lex (script, error)) == NULL)
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) plan_ast_free);
  p.script = script;
  p.toks = (const PlanToken *) toks->data;
  p.n_toks = toks->len;
  for (;;)
    {
      PlanAst *ast;
      while (plan__accept (&p, PLAN_TOK_SEMICOLON))
        ;
      if (plan__peek (&p)->kind == PLAN_TOK_EOF)
        break;
      if ((ast = parse_one (&p)) == NULL)
        {
          g_propagate_error (error, p.error);
          return NULL;
        }
      g_ptr_array_add (out, ast);
    }
  return g_steal_pointer (&out);
}
