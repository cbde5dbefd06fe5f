/* plan-sql-bind-func.c: the argument and result types of the scalar functions the Nexmark
 * queries use beyond the core set: DATE_FORMAT, SPLIT_INDEX, REGEXP_EXTRACT and INSTR, as
 * Flink types them. Their rows in the binder's function table (plan-sql-bind-expr.c)
 * send them here, so that table's file only gained the rows.
 *
 *   DATE_FORMAT(ts, pattern)       TIMESTAMP (or DATE, or VARCHAR cast to TIMESTAMP),
 *                                  VARCHAR -> VARCHAR
 *   SPLIT_INDEX(s, sep, i)         VARCHAR, VARCHAR, INT -> VARCHAR (NULL out of range)
 *   REGEXP_EXTRACT(s, re [, g])    VARCHAR, VARCHAR [, INT] -> VARCHAR (NULL without match)
 *   INSTR(s, sub)                  VARCHAR, VARCHAR -> INT, the 1-based position of sub in
 *                                  s or 0: POSITION(sub IN s) with the arguments swapped
 *
 * The results of SPLIT_INDEX and REGEXP_EXTRACT are nullable even over NOT NULL
 * arguments, as in Flink. */
#include "plan-sql-private.h"

/* args[i] as kind, cast where Flink casts implicitly; FALSE with an error (args[i]
 * released and NULL) otherwise. */
static gboolean
arg_kind (PlanSqlBinder *b, PlanExpr **args, guint i, PlanTypeKind kind, const char *what)
{
  PlanTypeKind have = args[i]->type.kind;
  PlanType t = args[i]->type;

  if (have == PLAN_TYPE_NULL || (kind == PLAN_TYPE_INT && have == PLAN_TYPE_BIGINT)
      || (kind == PLAN_TYPE_TIMESTAMP && (have == PLAN_TYPE_DATE || have == PLAN_TYPE_VARCHAR)))
    {
      args[i] = plan__coerce (b, args[i], plan_type_make (kind, args[i]->type.nullable
                                                          || have == PLAN_TYPE_NULL));
      return args[i] != NULL;
    }
  if (have == kind)
    return TRUE;
  plan__bfail (b, PLAN_ERROR_BIND, args[i]->span, "%s needs %s as argument %u, got %s", what,
               kind == PLAN_TYPE_TIMESTAMP ? "a TIMESTAMP" : kind == PLAN_TYPE_INT
               ? "an integer" : "a VARCHAR", i + 1, plan__tname (t).s);
  g_clear_pointer (&args[i], plan_expr_unref);
  return FALSE;
}

PlanExpr *
plan__bind_nexmark_call (PlanSqlBinder *b, const PlanAstExpr *e, PlanFunc func,
                         gboolean instr, PlanExpr **args, guint n)
{
  gboolean nullable = FALSE;
  PlanTypeKind result = PLAN_TYPE_VARCHAR;

  for (guint i = 0; i < n; i++)
    {
      PlanTypeKind want = PLAN_TYPE_VARCHAR;

      if (func == PLAN_FUNC_DATE_FORMAT && i == 0)
        want = PLAN_TYPE_TIMESTAMP;
      else if (i == 2)
        want = PLAN_TYPE_INT;
      if (!arg_kind (b, args, i, want, e->name))
        {
          for (guint k = 0; k < n; k++) /* args[i] is released already */
            if (args[k] != NULL)
              plan_expr_unref (args[k]);
          return NULL;
        }
      nullable = nullable || args[i]->type.nullable;
    }
  if (instr)
    {
      PlanExpr *s = args[0];

      args[0] = args[1];
      args[1] = s;
      result = PLAN_TYPE_INT;
    }
  if (func == PLAN_FUNC_SPLIT_INDEX || func == PLAN_FUNC_REGEXP_EXTRACT)
    nullable = TRUE;
  return plan_expr_call (func, plan_type_make (result, nullable), n, args, e->span);
}
