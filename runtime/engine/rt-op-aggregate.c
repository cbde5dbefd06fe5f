/* rt-op-aggregate.c: the keyed group aggregate (DESIGN.md 4.5, 4.6), Flink's unbounded
 * GroupAggregate: per group key, accumulators that take both additions and retractions,
 * and a changelog out.
 *
 * For every input row (in input order): +I/+U rows add to their group, -U/-D rows retract
 * from it. The group's new result is then compared with what was last emitted for it:
 * a new group emits +I, a changed one -U (old row) then +U (new row), an unchanged one
 * nothing, and a group whose row count falls to zero emits -D (its last row) and is
 * dropped. A retraction for a group that does not exist is ignored, as in Flink. In batch
 * mode (the node is not `updating`) nothing is emitted until the input ends; then every
 * group's final row is emitted once as +I.
 *
 * Accumulators: COUNT and COUNT(*) keep a count; SUM and AVG a sum (gint64 for integers
 * and scaled decimals, double for DOUBLE) and a count of non-NULL values, so retraction is
 * subtraction; MIN and MAX keep a multiset (a sorted GTree of value -> count), so removing
 * the current minimum finds the next one. A DISTINCT call keeps the same kind of multiset
 * of its argument and feeds the inner accumulator only when a value's count goes 0 -> 1
 * or 1 -> 0. FILTER (WHERE ...) columns skip rows whose condition is not TRUE.
 *
 * State is organised by key group (rt_key_group_of_row, the hash the HASH exchange routes
 * by): one hash table per key group, keyed by the group key's bytes, so a later snapshot
 * can be split by key-group range and restored at another parallelism. For this first
 * slice the state lives on the GLib heap (GHashTable, GTree, PlanValue copies); charging
 * it to the managed-memory budget, snapshots and state TTL come later. Rows are read and
 * written through PlanValues (rt_batch_get_value / rt_batch_append_values): simple and
 * exact, not yet vectorised. */
#include "rt-operator.h"
#include "rt-channel.h"

#include <string.h>

typedef struct {
  gint64 count;    /* COUNT, and the non-NULL values of SUM/AVG */
  gint64 isum;     /* SUM/AVG of integers and decimals (scaled) */
  double dsum;     /* SUM/AVG of DOUBLE */
  GTree *values;   /* MIN/MAX, DISTINCT: PlanValue* (owned) -> count (gint64 in a pointer) */
} RtAcc;

typedef struct {
  PlanValue *keys;  /* n_keys, owned */
  gint64 rows;      /* rows added minus rows retracted */
  RtAcc *accs;      /* n_aggs */
  RtAcc *distinct;  /* n_aggs: the DISTINCT multisets (values only) */
  PlanValue *last;  /* n_aggs, owned: the results last emitted */
  gboolean emitted;
} RtGroup;

typedef struct {
  RtOperator base;
  PlanAggregate agg;       /* owned copy of the node's payload */
  PlanSchema *in_schema;   /* owned ref */
  PlanSchema *out_schema;  /* owned ref */
  gboolean updating;       /* emit a changelog per row; FALSE: final rows at the end */
  GHashTable *groups[RT_MAX_PARALLELISM]; /* GBytes key -> RtGroup*, per key group */
  RtBatch *out;            /* owned: the output batch being filled */
  GPtrArray *row;          /* scratch */
} RtAggregate;

/* ---- values ------------------------------------------------------------------------- */

static int
value_compare (gconstpointer pa, gconstpointer pb, gpointer unused)
{
  const PlanValue *a = pa, *b = pb;

  (void) unused;
  if (a->type.kind == PLAN_TYPE_DOUBLE)
    return a->v.d < b->v.d ? -1 : a->v.d > b->v.d;
  if (a->type.kind == PLAN_TYPE_VARCHAR)
    return strcmp (a->v.s, b->v.s);
  if (a->type.kind == PLAN_TYPE_BOOLEAN)
    return (a->v.b != 0) - (b->v.b != 0);
  return a->v.i < b->v.i ? -1 : a->v.i > b->v.i;
}

static void
value_free (gpointer p)
{
  plan_value_clear (p);
  g_free (p);
}

static PlanValue *
value_dup (const PlanValue *v)
{
  PlanValue *copy = g_new0 (PlanValue, 1);

  plan_value_copy (copy, v);
  return copy;
}

/* Adds delta to v's count in the multiset; returns the new count (the entry goes at 0). */
static gint64
multiset_add (GTree *tree, const PlanValue *v, gint64 delta)
{
  gpointer key = NULL, val = NULL;
  gboolean found = g_tree_lookup_extended (tree, v, &key, &val);
  gint64 n = (found ? (gint64) GPOINTER_TO_SIZE (val) : 0) + delta;

  if (n <= 0)
    {
      if (found)
        g_tree_remove (tree, v);
      return 0;
    }
  g_tree_insert (tree, value_dup (v), GSIZE_TO_POINTER ((gsize) n)); /* frees the dup if
                                                                      * v was there */
  return n;
}

static GTree *
multiset_new (void)
{
  return g_tree_new_full (value_compare, NULL, value_free, NULL);
}

/* Bytes of the key columns of row r: equal keys give equal bytes. */
static GBytes *
encode_key (const RtAggregate *a, const RtBatch *batch, guint r)
{
  GByteArray *buf = g_byte_array_new ();

  for (guint k = 0; k < a->agg.n_keys; k++)
    {
      const RtVector *v = &batch->cols[a->agg.keys[k]];
      guint8 valid = rt_vec_is_valid (v, r);

      g_byte_array_append (buf, &valid, 1);
      if (!valid)
        continue;
      if (v->kind == PLAN_TYPE_VARCHAR)
        {
          RtStr s = ((const RtStr *) v->data)[r];
          g_byte_array_append (buf, (const guint8 *) &s.len, sizeof s.len);
          g_byte_array_append (buf, (const guint8 *) s.ptr, s.len);
        }
      else if (v->kind == PLAN_TYPE_DOUBLE)
        {
          double d = ((const double *) v->data)[r];
          if (d == 0.0)
            d = 0.0;
          g_byte_array_append (buf, (const guint8 *) &d, sizeof d);
        }
      else
        {
          gsize size = plan_type_storage_size (v->kind);
          g_byte_array_append (buf, (const guint8 *) v->data + size * r, size);
        }
    }
  return g_byte_array_free_to_bytes (buf);
}

/* ---- groups ------------------------------------------------------------------------- */

static void
group_free (gpointer p)
{
  RtGroup *g = p;

  g_free (g->keys); /* values cleared by the owner, which knows the counts */
  g_free (g);
}

static void
group_clear (const RtAggregate *a, RtGroup *g)
{
  for (guint k = 0; k < a->agg.n_keys; k++)
    plan_value_clear (&g->keys[k]);
  for (guint j = 0; j < a->agg.n_aggs; j++)
    {
      g_clear_pointer (&g->accs[j].values, g_tree_unref);
      g_clear_pointer (&g->distinct[j].values, g_tree_unref);
      plan_value_clear (&g->last[j]);
    }
  g_free (g->accs);
  g_free (g->distinct);
  g_free (g->last);
}

static RtGroup *
group_new (const RtAggregate *a, const RtBatch *batch, guint r)
{
  RtGroup *g = g_new0 (RtGroup, 1);

  g->keys = g_new0 (PlanValue, a->agg.n_keys + 1);
  for (guint k = 0; k < a->agg.n_keys; k++)
    rt_batch_get_value (batch, a->agg.keys[k], r, &g->keys[k]);
  g->accs = g_new0 (RtAcc, a->agg.n_aggs + 1);
  g->distinct = g_new0 (RtAcc, a->agg.n_aggs + 1);
  g->last = g_new0 (PlanValue, a->agg.n_aggs + 1);
  for (guint j = 0; j < a->agg.n_aggs; j++)
    {
      PlanAggFunc f = a->agg.aggs[j].func;

      if (f == PLAN_AGG_MIN || f == PLAN_AGG_MAX)
        g->accs[j].values = multiset_new ();
      else if (a->agg.aggs[j].distinct)
        g->distinct[j].values = multiset_new ();
    }
  return g;
}

/* Adds (sign 1) or retracts (sign -1) one non-NULL value into acc. */
static gboolean
acc_apply (const PlanAggCall *c, RtAcc *acc, const PlanValue *v, gint64 sign, GError **error)
{
  gint64 x;

  switch (c->func)
    {
    case PLAN_AGG_COUNT_STAR:
    case PLAN_AGG_COUNT:
      acc->count += sign;
      return TRUE;
    case PLAN_AGG_MIN:
    case PLAN_AGG_MAX:
      multiset_add (acc->values, v, sign);
      return TRUE;
    case PLAN_AGG_SUM:
    case PLAN_AGG_AVG:
    default:
      acc->count += sign;
      if (v->type.kind == PLAN_TYPE_DOUBLE)
        {
          acc->dsum += sign * v->v.d;
          return TRUE;
        }
      if (__builtin_mul_overflow (v->v.i, sign, &x)
          || __builtin_add_overflow (acc->isum, x, &acc->isum))
        {
          g_set_error (error, RT_ERROR, RT_ERROR_EVAL, "%s overflowed BIGINT",
                       plan_agg_func_name (c->func));
          return FALSE;
        }
      return TRUE;
    }
}

/* One row's contribution to aggregate j of g. */
static gboolean
update_call (RtAggregate *a, RtGroup *g, guint j, const RtBatch *batch, guint r, gint64 sign,
             GError **error)
{
  const PlanAggCall *c = &a->agg.aggs[j];
  PlanValue v = { 0 };
  gboolean ok = TRUE;

  if (c->filter >= 0)
    {
      const RtVector *f = &batch->cols[c->filter];
      if (!rt_vec_is_valid (f, r) || !((const guint8 *) f->data)[r])
        return TRUE;
    }
  if (c->func == PLAN_AGG_COUNT_STAR)
    return acc_apply (c, &g->accs[j], NULL, sign, error);
  if (!rt_vec_is_valid (&batch->cols[c->arg], r))
    return TRUE;
  rt_batch_get_value (batch, (guint) c->arg, r, &v);
  if (g->distinct[j].values != NULL)
    {
      gint64 before = GPOINTER_TO_SIZE (g_tree_lookup (g->distinct[j].values, &v));
      gint64 after = multiset_add (g->distinct[j].values, &v, sign);

      if ((before == 0) != (after == 0))
        ok = acc_apply (c, &g->accs[j], &v, sign, error);
    }
  else
    ok = acc_apply (c, &g->accs[j], &v, sign, error);
  plan_value_clear (&v);
  return ok;
}

static gint64
pow10i (guint n)
{
  gint64 p = 1;

  while (n-- > 0)
    p *= 10;
  return p;
}

/* AVG of a scaled decimal: sum * 10^(out - in) / count, rounded half away from zero. */
static gint64
decimal_avg (gint64 sum, guint in_scale, guint out_scale, gint64 count)
{
  __int128 num = (__int128) sum * pow10i (out_scale - in_scale);
  __int128 q = num / count, rem = num % count;

  if (rem != 0 && 2 * (rem < 0 ? -rem : rem) >= count)
    q += num < 0 ? -1 : 1;
  return (gint64) q;
}

/* The current result of aggregate j of g into out (a fresh value). */
static void
result_of (const RtAggregate *a, const RtGroup *g, guint j, PlanValue *out)
{
  const PlanAggCall *c = &a->agg.aggs[j];
  const RtAcc *acc = &g->accs[j];
  PlanType in;
  GTreeNode *node;

  *out = (PlanValue) { .type = c->type };
  switch (c->func)
    {
    case PLAN_AGG_COUNT_STAR:
    case PLAN_AGG_COUNT:
      out->v.i = acc->count;
      return;
    case PLAN_AGG_MIN:
    case PLAN_AGG_MAX:
      node = c->func == PLAN_AGG_MIN ? g_tree_node_first (acc->values)
                                     : g_tree_node_last (acc->values);
      if (node == NULL)
        out->is_null = TRUE;
      else
        plan_value_copy (out, g_tree_node_key (node));
      out->type = c->type;
      return;
    case PLAN_AGG_SUM:
    case PLAN_AGG_AVG:
    default:
      out->is_null = acc->count == 0;
      if (out->is_null)
        return;
      in = a->in_schema->fields[c->arg].type;
      if (c->type.kind == PLAN_TYPE_DOUBLE)
        out->v.d = c->func == PLAN_AGG_SUM ? acc->dsum : acc->dsum / (double) acc->count;
      else if (c->func == PLAN_AGG_SUM)
        out->v.i = acc->isum;
      else if (c->type.kind == PLAN_TYPE_DECIMAL)
        out->v.i = decimal_avg (acc->isum, in.scale, c->type.scale, acc->count);
      else
        out->v.i = acc->isum / acc->count; /* Flink: integer AVG truncates */
      return;
    }
}

static gboolean
value_same (const PlanValue *x, const PlanValue *y)
{
  if (x->is_null || y->is_null)
    return x->is_null == y->is_null;
  return value_compare (x, y, NULL) == 0;
}

/* ---- output ------------------------------------------------------------------------- */

static RtResult
flush_out (RtAggregate *a, GError **error)
{
  g_autoptr (RtBatch) out = g_steal_pointer (&a->out);

  if (out == NULL)
    return RT_OK;
  return rt_op_emit (&a->base, out, error);
}

/* Appends keys + results (results: n_aggs values) with the given kind. */
static RtResult
append_row (RtAggregate *a, const RtGroup *g, const PlanValue *results, RtRowKind kind,
            GError **error)
{
  guint n_keys = a->agg.n_keys, n = n_keys + a->agg.n_aggs;
  g_autofree PlanValue *row = g_new (PlanValue, n + 1);

  if (a->out != NULL && a->out->n_rows == a->out->capacity && flush_out (a, error) == RT_FAIL)
    return RT_FAIL;
  if (a->out == NULL)
    {
      guint cap = a->base.ctx && a->base.ctx->batch_size ? a->base.ctx->batch_size : 1024;

      if ((a->out = rt_batch_new (a->base.ctx->pool, a->out_schema, cap, error)) == NULL)
        return RT_FAIL;
    }
  for (guint k = 0; k < n_keys; k++)
    row[k] = g->keys[k];
  for (guint j = 0; j < a->agg.n_aggs; j++)
    row[n_keys + j] = results[j];
  if (!rt_batch_append_values (a->out, row, error))
    return RT_FAIL;
  a->out->kinds[a->out->n_rows - 1] = (guint8) kind;
  return RT_OK;
}

/* After a row changed g: emits +I, -U/+U or nothing, and remembers the results. */
static RtResult
emit_change (RtAggregate *a, RtGroup *g, GError **error)
{
  guint n = a->agg.n_aggs;
  g_autofree PlanValue *now = g_new0 (PlanValue, n + 1);
  gboolean changed = !g->emitted;
  RtResult res = RT_OK;

  for (guint j = 0; j < n; j++)
    {
      result_of (a, g, j, &now[j]);
      changed = changed || !value_same (&now[j], &g->last[j]); /* last is unset until then */
    }
  if (changed && g->emitted)
    res = append_row (a, g, g->last, RT_ROW_UPDATE_BEFORE, error);
  if (changed && res == RT_OK)
    res = append_row (a, g, now, g->emitted ? RT_ROW_UPDATE_AFTER : RT_ROW_INSERT, error);
  for (guint j = 0; j < n; j++)
    {
      plan_value_clear (&g->last[j]);
      g->last[j] = now[j]; /* takes the string, if any */
    }
  g->emitted = TRUE;
  return res;
}

static RtResult
process_row (RtAggregate *a, const RtBatch *batch, guint r, GError **error)
{
  RtRowKind kind = (RtRowKind) batch->kinds[r];
  gint64 sign = kind == RT_ROW_INSERT || kind == RT_ROW_UPDATE_AFTER ? 1 : -1;
  guint kg = rt_key_group_of_row (batch, r, a->agg.keys, a->agg.n_keys) % RT_MAX_PARALLELISM;
  g_autoptr (GBytes) key = encode_key (a, batch, r);
  RtGroup *g;
  RtResult res = RT_OK;

  if (a->groups[kg] == NULL)
    a->groups[kg] = g_hash_table_new_full (g_bytes_hash, g_bytes_equal,
                                           (GDestroyNotify) g_bytes_unref, group_free);
  g = g_hash_table_lookup (a->groups[kg], key);
  if (g == NULL)
    {
      if (sign < 0)
        return RT_OK; /* retracting a group we never saw: nothing to do (Flink does so) */
      g = group_new (a, batch, r);
      g_hash_table_insert (a->groups[kg], g_bytes_ref (key), g);
    }
  g->rows += sign;
  for (guint j = 0; j < a->agg.n_aggs; j++)
    if (!update_call (a, g, j, batch, r, sign, error))
      return RT_FAIL;
  if (g->rows <= 0)
    {
      if (g->emitted && a->updating)
        res = append_row (a, g, g->last, RT_ROW_DELETE, error);
      group_clear (a, g);
      g_hash_table_remove (a->groups[kg], key);
      return res;
    }
  return a->updating ? emit_change (a, g, error) : RT_OK;
}

static RtResult
aggregate_process (RtOperator *op, RtBatch *batch, guint input, GError **error)
{
  RtAggregate *a = (RtAggregate *) op;

  for (guint r = 0; r < batch->n_rows; r++)
    if (process_row (a, batch, r, error) == RT_FAIL)
      return RT_FAIL;
  return flush_out (a, error);
}

/* Batch mode: every group's final row, once. */
static RtResult
aggregate_finish (RtOperator *op, GError **error)
{
  RtAggregate *a = (RtAggregate *) op;

  if (a->updating)
    return flush_out (a, error);
  for (guint kg = 0; kg < RT_MAX_PARALLELISM; kg++)
    {
      GHashTableIter it;
      gpointer value;

      if (a->groups[kg] == NULL)
        continue;
      g_hash_table_iter_init (&it, a->groups[kg]);
      while (g_hash_table_iter_next (&it, NULL, &value))
        if (emit_change (a, value, error) == RT_FAIL)
          return RT_FAIL;
    }
  return flush_out (a, error);
}

static void
aggregate_close (RtOperator *op)
{
  RtAggregate *a = (RtAggregate *) op;

  for (guint kg = 0; kg < RT_MAX_PARALLELISM; kg++)
    {
      GHashTableIter it;
      gpointer value;

      if (a->groups[kg] == NULL)
        continue;
      g_hash_table_iter_init (&it, a->groups[kg]);
      while (g_hash_table_iter_next (&it, NULL, &value))
        group_clear (a, value);
      g_clear_pointer (&a->groups[kg], g_hash_table_unref);
    }
  g_clear_pointer (&a->out, rt_batch_unref);
  plan_aggregate_clear (&a->agg);
  g_clear_pointer (&a->in_schema, plan_schema_unref);
  g_clear_pointer (&a->out_schema, plan_schema_unref);
}

static const RtOperatorClass aggregate_class = {
  .name = "GroupAggregate",
  .instance_size = sizeof (RtAggregate),
  .process = aggregate_process,
  .finish = aggregate_finish,
  .close = aggregate_close,
};

RtOperator *
rt_op_aggregate_new (const PlanPhysNode *node, GError **error)
{
  RtAggregate *a;

  g_return_val_if_fail (node != NULL, NULL);
  if (node->kind != PLAN_PHYS_AGGREGATE || node->n_inputs != 1
      || node->schema->n_fields != node->u.aggregate.n_keys + node->u.aggregate.n_aggs)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL,
                   "aggregate operator made from a %s node with %u inputs and %u columns",
                   plan_phys_kind_name (node->kind), node->n_inputs, node->schema->n_fields);
      return NULL;
    }
  a = (RtAggregate *) rt_operator_new (&aggregate_class, node->id);
  plan_aggregate_copy (&a->agg, &node->u.aggregate);
  a->in_schema = plan_schema_ref (node->inputs[0].node->schema);
  a->out_schema = plan_schema_ref (node->schema);
  a->updating = node->updating;
  return &a->base;
}
