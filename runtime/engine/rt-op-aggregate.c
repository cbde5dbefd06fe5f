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
 * can be split by key-group range and restored at another parallelism. The state lives on
 * the GLib heap (GHashTable, GTree, PlanValue copies); snapshots and state TTL come later.
 * Rows are read and written through PlanValues (rt_batch_get_value /
 * rt_batch_append_values): simple and exact, not yet vectorised.
 *
 * Batch mode runs under the managed-memory budget (DESIGN.md 4.2): every group's estimated
 * size is charged to the pool, which the operator holds as blocks of RT_AGG_CHUNK bytes (the
 * groups themselves stay on the heap; the blocks are the budget's accounting, never
 * touched). Its share is half the budget over the parallelism, and it takes a block only
 * while the pool is at most half used (the rest is for batches in flight and other
 * operators). When a new group does not fit, hybrid hash aggregation starts: groups
 * already in memory keep aggregating, and the rows of every other group go,
 * hash-partitioned, to LZ4-compressed spill files (rt-agg-spill.c over the sort's run
 * files). A group is thus either all in memory or all on disk. At the end of input the
 * groups in memory are emitted and freed, then each spill file is aggregated the same way,
 * one level deeper with another hash seed, so a partition that still does not fit spills
 * again into smaller ones (up to AGG_MAX_LEVEL levels; beyond that a partition is
 * aggregated over its share, which only a few huge groups can cause). Groups kept in
 * memory may still grow past the share: new MIN/MAX/DISTINCT values are counted, not
 * held, since such a group cannot move to disk. Spill files are deleted once read and in
 * close (failure, cancellation). Streaming mode (updating) keeps every group. */
#include "rt-operator.h"
#include "rt-agg-spill.h"
#include "rt-agg-flat.h" /* added by flat aggregation */
#include "rt-checkpoint.h" /* added by checkpoints */
#include "rt-channel.h"
#include "plans/plan-numeric.h"

#include <string.h>

typedef struct {
  gint64 count;    /* COUNT, and the non-NULL values of SUM/AVG */
  gint64 isum;     /* SUM/AVG of integers and decimals (scaled) */
  double dsum;     /* SUM/AVG of DOUBLE */
  GTree *values;   /* MIN/MAX, DISTINCT: PlanValue* (owned) -> count (gint64 in a pointer) */
  PlanValue best;  /* MIN/MAX over an append-only input: the extreme so far (owned) */
  gboolean has_best;
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
  gboolean append_only;    /* the input never retracts: MIN/MAX keep one value, no multiset */
  guint64 n_out;           /* rows emitted */
  GHashTable *groups[RT_MAX_PARALLELISM]; /* GBytes key -> RtGroup*, per key group */
  RtBatch *out;            /* owned: the output batch being filled */
  GPtrArray *row;          /* scratch */
  /* batch mode under the budget */
  gsize share;             /* bytes of the pool the groups may be charged; 0 until set */
  gsize state_bytes;       /* estimated bytes of the groups in memory (and spill buffers) */
  GPtrArray *chunks;       /* owned: pool blocks of RT_AGG_CHUNK held against state_bytes */
  char *spill_dir;         /* owned: made at the first spill */
  RtSpillSet *spill;       /* owned: where rows of groups not in memory go, or NULL */
  guint level;             /* how many times the rows being aggregated were spilled */
  GPtrArray *pending;      /* owned: RtSpillFile* still to aggregate */
  guint64 spilled_bytes;   /* compressed bytes written to spill files */
} RtAggregate;

#define AGG_MAX_LEVEL 6
#define AGG_ENTRY_COST 96 /* a MIN/MAX/DISTINCT multiset entry: tree node, PlanValue, malloc */

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
      plan_value_clear (&g->accs[j].best);
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

      if ((f == PLAN_AGG_MIN || f == PLAN_AGG_MAX) && !a->append_only)
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
  int cmp;

  switch (c->func)
    {
    case PLAN_AGG_COUNT_STAR:
    case PLAN_AGG_COUNT:
      acc->count += sign;
      return TRUE;
    case PLAN_AGG_MIN:
    case PLAN_AGG_MAX:
      if (acc->values != NULL)
        {
          multiset_add (acc->values, v, sign);
          return TRUE;
        }
      if (sign < 0)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL, "%s got a retraction although "
                       "its input was planned as insert-only", plan_agg_func_name (c->func));
          return FALSE;
        }
      cmp = acc->has_best ? value_compare (v, &acc->best, NULL) : 0;
      if (!acc->has_best || (c->func == PLAN_AGG_MIN ? cmp < 0 : cmp > 0))
        {
          plan_value_clear (&acc->best);
          plan_value_copy (&acc->best, v);
          acc->has_best = TRUE;
        }
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

/* The bytes a new multiset entry for v is charged. */
static gsize
entry_cost (const PlanValue *v)
{
  return AGG_ENTRY_COST + (v->type.kind == PLAN_TYPE_VARCHAR ? strlen (v->v.s) : 0);
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
      if (before == 0 && after > 0)
        a->state_bytes += entry_cost (&v);
    }
  else
    {
      guint n = g->accs[j].values ? g_tree_nnodes (g->accs[j].values) : 0;

      ok = acc_apply (c, &g->accs[j], &v, sign, error);
      if (g->accs[j].values && (guint) g_tree_nnodes (g->accs[j].values) > n)
        a->state_bytes += entry_cost (&v);
    }
  plan_value_clear (&v);
  return ok;
}

/* AVG of a scaled decimal: sum * 10^(out - in) / count, rounded half away from zero. */
static gint64
decimal_avg (gint64 sum, guint in_scale, guint out_scale, gint64 count)
{
  __int128 num = (__int128) sum * plan_num_pow10_128 (out_scale - in_scale);

  return (gint64) plan_num_div_round (num, count);
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
      if (acc->values == NULL)
        node = NULL;
      else
        node = c->func == PLAN_AGG_MIN ? g_tree_node_first (acc->values)
                                       : g_tree_node_last (acc->values);
      if (node != NULL)
        plan_value_copy (out, g_tree_node_key (node));
      else if (acc->values == NULL && acc->has_best)
        plan_value_copy (out, &acc->best);
      else
        out->is_null = TRUE;
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
  a->n_out++;
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

/* ---- batch mode under the budget -------------------------------------------------- */

/* Charges extra more bytes to the share (rt__agg_charge; with force the growth of groups
 * that cannot leave memory is counted anyway). */
static gboolean
charge (RtAggregate *a, gsize extra, gboolean force)
{
  return rt__agg_charge (a->base.ctx, a->chunks, &a->share, &a->state_bytes, extra, force);
}

static void
release_charge (RtAggregate *a)
{
  rt__agg_release_charge (a->base.ctx->pool, a->chunks, &a->state_bytes);
}

/* A new group's estimated bytes: the structs, their malloc headers, the hash entry and
 * the key twice (as bytes and as values). */
static gsize
group_cost (const RtAggregate *a, GBytes *key)
{
  return sizeof (RtGroup) + 160 + 2 * g_bytes_get_size (key)
         + (2 * (a->agg.n_keys + 1) + a->agg.n_aggs + 1) * sizeof (PlanValue)
         + 2 * (a->agg.n_aggs + 1) * sizeof (RtAcc);
}

/* The spill partition of a key at a level: FNV-1a over its bytes with a seed per level
 * (so a partition spilled again splits), then a final mix. */
static guint
partition_of (GBytes *key, guint level)
{
  gsize n;
  const guint8 *p = g_bytes_get_data (key, &n);
  guint64 h = G_GUINT64_CONSTANT (14695981039346656037)
              ^ (level * G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  for (gsize i = 0; i < n; i++)
    h = (h ^ p[i]) * G_GUINT64_CONSTANT (1099511628211);
  h ^= h >> 33;
  h *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  h ^= h >> 33;
  return (guint) (h % RT_SPILL_FANOUT);
}

/* Row r of batch to the spill file of its partition, starting a spill set if needed. */
static RtResult
spill_row (RtAggregate *a, const RtBatch *batch, guint r, GBytes *key, GError **error)
{
  if (a->spill == NULL)
    {
      if (a->spill_dir == NULL
          && (a->spill_dir = rt__run_dir_new ("strom-agg", error)) == NULL)
        return RT_FAIL;
      a->spill = rt__spill_set_new (a->spill_dir, a->level);
      charge (a, RT_SPILL_SET_BYTES, TRUE); /* its write buffers */
    }
  return rt__spill_set_write (a->spill, partition_of (key, a->level), batch, r, error)
         ? RT_OK : RT_FAIL;
}

/* Ends the current spill set: its files join the pending ones. */
static gboolean
end_spill (RtAggregate *a, GError **error)
{
  RtSpillSet *set = g_steal_pointer (&a->spill);

  return set == NULL || rt__spill_set_finish (set, a->pending, &a->spilled_bytes, error);
}

/* ---- rows --------------------------------------------------------------------------- */

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
    a->groups[kg] = g_hash_table_new_full (rt_bytes_hash, g_bytes_equal,
                                           (GDestroyNotify) g_bytes_unref, group_free);
  g = g_hash_table_lookup (a->groups[kg], key);
  if (g == NULL)
    {
      if (sign < 0 && a->spill == NULL)
        return RT_OK; /* retracting a group we never saw: nothing to do (Flink does so) */
      if (!a->updating
          && (a->spill != NULL || !charge (a, group_cost (a, key), a->level >= AGG_MAX_LEVEL)))
        return spill_row (a, batch, r, key, error); /* its group is (now) on disk */
      g = group_new (a, batch, r);
      g_hash_table_insert (a->groups[kg], g_bytes_ref (key), g);
    }
  g->rows += sign;
  for (guint j = 0; j < a->agg.n_aggs; j++)
    if (!update_call (a, g, j, batch, r, sign, error))
      return RT_FAIL;
  if (!a->updating)
    charge (a, 0, TRUE); /* what MIN/MAX/DISTINCT added to a group in memory */
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

/* Calls fn on every group in memory, stopping at the first failure. */
static RtResult
each_group (RtAggregate *a, RtResult (*fn) (RtAggregate *, RtGroup *, GError **),
            GError **error)
{
  for (guint kg = 0; kg < RT_MAX_PARALLELISM; kg++)
    {
      GHashTableIter it;
      gpointer value;

      if (a->groups[kg] == NULL)
        continue;
      g_hash_table_iter_init (&it, a->groups[kg]);
      while (g_hash_table_iter_next (&it, NULL, &value))
        if (fn (a, value, error) == RT_FAIL)
          return RT_FAIL;
    }
  return RT_OK;
}

static RtResult
clear_one (RtAggregate *a, RtGroup *g, GError **error)
{
  group_clear (a, g);
  return RT_OK;
}

static void
clear_groups (RtAggregate *a)
{
  each_group (a, clear_one, NULL);
  for (guint kg = 0; kg < RT_MAX_PARALLELISM; kg++)
    g_clear_pointer (&a->groups[kg], g_hash_table_unref);
}

/* Batch mode: the final row of every group in memory, once; then they are freed. */
static RtResult
emit_groups (RtAggregate *a, GError **error)
{
  if (each_group (a, emit_change, error) == RT_FAIL)
    return RT_FAIL;
  clear_groups (a);
  release_charge (a);
  return RT_OK;
}

static gboolean
check_cancelled (RtAggregate *a, GError **error)
{
  if (a->base.ctx->cancelled == NULL || !g_atomic_int_get (a->base.ctx->cancelled))
    return TRUE;
  g_set_error (error, RT_ERROR, RT_ERROR_CANCELLED, "aggregation cancelled");
  return FALSE;
}

/* Aggregates the rows of one spill file (which it frees) one level deeper. */
static RtResult
aggregate_file (RtAggregate *a, RtSpillFile *file, GError **error)
{
  guint cap = a->base.ctx->batch_size ? a->base.ctx->batch_size : 1024;
  RtResult res = RT_OK;
  RtBatch *b;
  GError *local = NULL;

  a->level = rt__spill_file_get_level (file) + 1;
  while (res == RT_OK
         && (b = rt__spill_file_read (file, a->base.ctx->pool, a->in_schema, cap, &local)))
    {
      for (guint r = 0; r < b->n_rows && res == RT_OK; r++)
        res = process_row (a, b, r, &local);
      rt_batch_unref (b);
      if (res == RT_OK && !check_cancelled (a, &local))
        res = RT_FAIL;
    }
  rt__spill_file_free (file);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return RT_FAIL;
    }
  return res;
}

/* A global aggregate (no GROUP BY) over no rows still has one result row, as SQL says:
 * COUNT 0, every other aggregate NULL (batch mode; the node runs at parallelism 1). */
static RtResult
emit_empty_global (RtAggregate *a, GError **error)
{
  RtGroup empty = { 0 };
  g_autofree PlanValue *results = g_new0 (PlanValue, a->agg.n_aggs + 1);
  RtResult r;

  empty.accs = g_new0 (RtAcc, a->agg.n_aggs + 1);
  for (guint j = 0; j < a->agg.n_aggs; j++)
    result_of (a, &empty, j, &results[j]);
  r = append_row (a, &empty, results, RT_ROW_INSERT, error);
  for (guint j = 0; j < a->agg.n_aggs; j++)
    plan_value_clear (&results[j]);
  g_free (empty.accs);
  return r;
}

/* Batch mode at the end of input: the groups in memory, then every spilled partition. */
static RtResult
batch_finish (RtAggregate *a, GError **error)
{
  if (emit_groups (a, error) == RT_FAIL || !end_spill (a, error))
    return RT_FAIL;
  while (a->pending->len > 0)
    {
      RtSpillFile *file = g_ptr_array_steal_index (a->pending, a->pending->len - 1);

      if (aggregate_file (a, file, error) == RT_FAIL || emit_groups (a, error) == RT_FAIL
          || !end_spill (a, error))
        return RT_FAIL;
    }
  if (a->agg.n_keys == 0 && a->n_out == 0 && emit_empty_global (a, error) == RT_FAIL)
    return RT_FAIL;
  return flush_out (a, error);
}

static RtResult
aggregate_finish (RtOperator *op, GError **error)
{
  RtAggregate *a = (RtAggregate *) op;

  if (a->updating)
    return flush_out (a, error);
  return batch_finish (a, error);
}

static void
aggregate_close (RtOperator *op)
{
  RtAggregate *a = (RtAggregate *) op;

  clear_groups (a);
  if (a->chunks != NULL && a->chunks->len > 0)
    release_charge (a);
  g_clear_pointer (&a->chunks, g_ptr_array_unref);
  g_clear_pointer (&a->spill, rt__spill_set_free);
  g_clear_pointer (&a->pending, g_ptr_array_unref); /* deletes the files not yet read */
  rt__run_dir_remove (a->spill_dir);
  g_clear_pointer (&a->spill_dir, g_free);
  g_clear_pointer (&a->out, rt_batch_unref);
  plan_aggregate_clear (&a->agg);
  g_clear_pointer (&a->in_schema, plan_schema_unref);
  g_clear_pointer (&a->out_schema, plan_schema_unref);
}

/* ---- checkpoints (added by checkpoints, rt-checkpoint.h) ----------------------------
 * One keyed entry per group, in its key group: the key bytes and values, the row count,
 * whether a row was emitted, and per call its accumulator, DISTINCT multiset and last
 * emitted result. Batch mode takes no checkpoints (its groups may be on disk). */

static gboolean
put_multiset_entry (gpointer key, gpointer value, gpointer data)
{
  rt_state_put_value (data, key);
  rt_state_put_i64 (data, (gint64) GPOINTER_TO_SIZE (value));
  return FALSE;
}

static void
put_acc (RtStateOut *out, const RtAcc *acc)
{
  rt_state_put_i64 (out, acc->count);
  rt_state_put_i64 (out, acc->isum);
  rt_state_put_double (out, acc->dsum);
  rt_state_put_i64 (out, acc->has_best);
  if (acc->has_best)
    rt_state_put_value (out, &acc->best);
  rt_state_put_i64 (out, acc->values != NULL ? g_tree_nnodes (acc->values) : -1);
  if (acc->values != NULL)
    g_tree_foreach (acc->values, put_multiset_entry, out);
}

static gboolean
aggregate_snapshot (RtOperator *op, gint64 id, RtStateOut *out, GError **error)
{
  RtAggregate *a = (RtAggregate *) op;

  for (guint kg = 0; kg < RT_MAX_PARALLELISM; kg++)
    {
      GHashTableIter it;
      gpointer key, value;

      if (a->groups[kg] == NULL)
        continue;
      g_hash_table_iter_init (&it, a->groups[kg]);
      while (g_hash_table_iter_next (&it, &key, &value))
        {
          RtGroup *g = value;
          gsize len;
          const void *data = g_bytes_get_data (key, &len);

          rt_state_begin (out, kg);
          rt_state_put_bytes (out, data, len);
          for (guint k = 0; k < a->agg.n_keys; k++)
            rt_state_put_value (out, &g->keys[k]);
          rt_state_put_i64 (out, g->rows);
          rt_state_put_i64 (out, g->emitted);
          for (guint j = 0; j < a->agg.n_aggs; j++)
            {
              put_acc (out, &g->accs[j]);
              put_acc (out, &g->distinct[j]);
              rt_state_put_value (out, &g->last[j]);
            }
          rt_state_end (out);
        }
    }
  return TRUE;
}

static gboolean
get_acc (RtStateIn *in, RtAcc *acc)
{
  gint64 has_best, n;

  if (!rt_state_get_i64 (in, &acc->count) || !rt_state_get_i64 (in, &acc->isum)
      || !rt_state_get_double (in, &acc->dsum) || !rt_state_get_i64 (in, &has_best))
    return FALSE;
  acc->has_best = has_best != 0;
  if (acc->has_best && !rt_state_get_value (in, &acc->best))
    return FALSE;
  if (!rt_state_get_i64 (in, &n))
    return FALSE;
  if (n >= 0)
    acc->values = multiset_new ();
  for (gint64 i = 0; i < n; i++)
    {
      PlanValue v;
      gint64 count;

      if (!rt_state_get_value (in, &v))
        return FALSE;
      if (!rt_state_get_i64 (in, &count))
        {
          plan_value_clear (&v);
          return FALSE;
        }
      g_tree_insert (acc->values, g_memdup2 (&v, sizeof v), GSIZE_TO_POINTER ((gsize) count));
    }
  return TRUE;
}

static gboolean
restore_group (RtAggregate *a, RtStateIn *in, guint kg)
{
  const guint8 *data;
  gsize len;
  RtGroup *g;
  gboolean ok = TRUE;
  gint64 emitted = 0;

  if (!rt_state_get_bytes (in, &data, &len))
    return FALSE;
  g = g_new0 (RtGroup, 1);
  g->keys = g_new0 (PlanValue, a->agg.n_keys + 1);
  g->accs = g_new0 (RtAcc, a->agg.n_aggs + 1);
  g->distinct = g_new0 (RtAcc, a->agg.n_aggs + 1);
  g->last = g_new0 (PlanValue, a->agg.n_aggs + 1);
  for (guint k = 0; k < a->agg.n_keys && ok; k++)
    ok = rt_state_get_value (in, &g->keys[k]);
  ok = ok && rt_state_get_i64 (in, &g->rows) && rt_state_get_i64 (in, &emitted);
  g->emitted = emitted != 0;
  for (guint j = 0; j < a->agg.n_aggs && ok; j++)
    ok = get_acc (in, &g->accs[j]) && get_acc (in, &g->distinct[j])
         && rt_state_get_value (in, &g->last[j]);
  if (a->groups[kg] == NULL)
    a->groups[kg] = g_hash_table_new_full (rt_bytes_hash, g_bytes_equal,
                                           (GDestroyNotify) g_bytes_unref, group_free);
  /* inserted even when malformed, so close frees it */
  g_hash_table_insert (a->groups[kg], g_bytes_new (data, len), g);
  return ok;
}

static gboolean
aggregate_restore (RtOperator *op, RtStateIn *in, GError **error)
{
  RtAggregate *a = (RtAggregate *) op;
  guint kg;

  while (rt_state_next (in, &kg))
    if (kg >= RT_MAX_PARALLELISM || !restore_group (a, in, kg))
      return rt_state_malformed (in, op, error);
  return TRUE;
}

static const RtOperatorClass aggregate_class = {
  .name = "GroupAggregate",
  .instance_size = sizeof (RtAggregate),
  .process = aggregate_process,
  .finish = aggregate_finish,
  .close = aggregate_close,
  .snapshot = aggregate_snapshot, /* added by checkpoints */
  .restore = aggregate_restore,
};

RtOperator *
rt_op_aggregate_new (const PlanPhysNode *node, GError **error)
{
  g_return_val_if_fail (node != NULL, NULL);
  if (node->kind != PLAN_PHYS_AGGREGATE || node->n_inputs != 1
      || node->schema->n_fields != node->u.aggregate.n_keys + node->u.aggregate.n_aggs)
    {
      g_set_error (error, RT_ERROR, RT_ERROR_INTERNAL,
                   "aggregate operator made from a %s node with %u inputs and %u columns",
                   plan_phys_kind_name (node->kind), node->n_inputs, node->schema->n_fields);
      return NULL;
    }
  if (rt__agg_flat_supports (node)) /* added by flat aggregation: the fast path */
    return rt__agg_flat_new (node, error);
  return rt__agg_generic_new (node);
}

RtOperator *
rt__agg_generic_new (const PlanPhysNode *node)
{
  RtAggregate *a;

  a = (RtAggregate *) rt_operator_new (&aggregate_class, node->id);
  plan_aggregate_copy (&a->agg, &node->u.aggregate);
  a->in_schema = plan_schema_ref (node->inputs[0].node->schema);
  a->out_schema = plan_schema_ref (node->schema);
  a->updating = node->updating;
  a->append_only = !node->inputs[0].node->updating;
  a->chunks = g_ptr_array_new ();
  a->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) rt__spill_file_free);
  return &a->base;
}

guint64
rt_op_aggregate_get_spilled_bytes (RtOperator *op)
{
  guint64 flat = 0;

  if (rt__agg_flat_get_spilled_bytes (op, &flat)) /* added by flat aggregation */
    return flat;
  g_return_val_if_fail (op != NULL && op->klass == &aggregate_class, 0);
  return ((RtAggregate *) op)->spilled_bytes;
}
