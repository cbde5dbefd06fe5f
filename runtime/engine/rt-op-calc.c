/* rt-op-calc.c: the calc operator (DESIGN.md 4.5): a PLAN_PHYS_CALC node's filter and
 * projections, compiled once into one vectorized program (rt-expr.c) when the operator is
 * made, then run over every input batch.
 *
 * The operator owns nothing per batch: process() gets the input batch borrowed, runs the
 * program (which returns a new batch with one ref, or the input itself with one more ref
 * when the program keeps every column and every row), hands it downstream with rt_op_emit
 * and drops its ref, so a batch lives exactly as long as some reader holds it. Batches
 * that the filter empties are not passed on. Row kinds (+I/-U/+U/-D) go through
 * unchanged, so calc works on changelogs as well as on append-only streams.
 *
 * A calc that keeps no column at all (COUNT(*) over a scan, where the optimizer pruned
 * every projection) cannot go through the program's projection: a program with no
 * expressions means "keep every input column". Such a calc only runs the filter and emits
 * zero-column batches that still carry the surviving rows' count and kinds. */
#include "rt-operator.h"

typedef struct {
  RtOperator base;
  RtProgram *program;     /* owned */
  PlanSchema *out_schema; /* owned ref */
  gboolean no_columns;    /* output has zero columns: filter only, keep the row count */
  guint32 *sel;           /* owned, sel_cap entries: rows the filter kept (no_columns) */
  guint sel_cap;
} RtCalc;

static RtResult
calc_process_no_columns (RtCalc *calc, RtBatch *batch, GError **error)
{
  GError *local = NULL;
  g_autoptr (RtBatch) out = NULL;
  guint n;

  if (calc->sel_cap < MAX (batch->capacity, batch->n_rows))
    {
      calc->sel_cap = MAX (batch->capacity, batch->n_rows);
      calc->sel = g_renew (guint32, calc->sel, MAX (calc->sel_cap, 1));
    }
  n = rt_program_filter (calc->program, batch, calc->sel, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return RT_FAIL;
    }
  out = rt_batch_new (batch->pool, calc->out_schema, MAX (batch->capacity, 1), error);
  if (out == NULL)
    return RT_FAIL;
  for (guint i = 0; i < n; i++)
    out->kinds[i] = batch->kinds[calc->sel[i]];
  out->n_rows = n;
  return rt_op_emit (&calc->base, out, error);
}

static RtResult
calc_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtCalc *calc = (RtCalc *) op;
  if (calc->no_columns)
    return calc_process_no_columns (calc, batch, error);
  g_autoptr (RtBatch) out = rt_program_run (calc->program, batch, calc->out_schema, error);

  if (out == NULL)
    return RT_FAIL;
  return rt_op_emit (op, out, error);
}

static void
calc_close (RtOperator *op)
{
  RtCalc *calc = (RtCalc *) op;

  g_clear_pointer (&calc->program, rt_program_free);
  g_clear_pointer (&calc->out_schema, plan_schema_unref);
  g_clear_pointer (&calc->sel, g_free);
}

static const RtOperatorClass calc_class = {
  .name = "Calc",
  .instance_size = sizeof (RtCalc),
  .process = calc_process,
  .close = calc_close,
  .stateless = TRUE, /* added by checkpoints */
};

RtOperator *
rt_op_calc_new (const PlanPhysNode *node, GError **error)
{
  RtCalc *calc;
  RtProgram *program;
  PlanSchema *input_schema;

  g_return_val_if_fail (node != NULL, NULL);
  if (node->kind != PLAN_PHYS_CALC || node->n_inputs != 1)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL,
                   "calc operator made from a %s node with %u inputs (expected one input)",
                   plan_phys_kind_name (node->kind), node->n_inputs);
      return NULL;
    }
  input_schema = node->inputs[0].node->schema;
  if (node->u.calc.n_exprs == 0 && node->schema->n_fields != 0
      && node->schema->n_fields != input_schema->n_fields)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL,
                   "calc node %u has no projections but %u output columns for %u input columns",
                   node->id, node->schema->n_fields, input_schema->n_fields);
      return NULL;
    }
  program = rt_program_new (input_schema, node->u.calc.filter, node->u.calc.n_exprs,
                            node->u.calc.exprs, error);
  if (program == NULL)
    return NULL;
  calc = (RtCalc *) rt_operator_new (&calc_class, node->id);
  calc->program = program;
  calc->out_schema = plan_schema_ref (node->schema);
  calc->no_columns = node->schema->n_fields == 0 && input_schema->n_fields != 0;
  return &calc->base;
}
