/* plan-json-write.c: physical plans and expressions to JSON (the writing half of
 * plan-json.h; reading, which treats the text as hostile and checks every field, is in
 * plan-json.c).
 *
 * Writing is split off from reading because the two share almost nothing but the names of
 * the JSON members: the writer is a plain walk that emits every type, literal and span
 * exactly, so that plan_phys_from_json reads back a plan that prints the same text. */
#include "plan-json.h"
#include "plan-json-private.h"

#include <json-glib/json-glib.h>
#include <math.h>

/* ---- writing -------------------------------------------------------------------------- */

static void
put_int (JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, v);
}

static void
put_str (JsonBuilder *b, const char *name, const char *v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, v);
}

static void
write_span (JsonBuilder *b, PlanSpan span)
{
  if (span.start == 0 && span.end == 0 && span.line == 0 && span.col == 0)
    return;
  json_builder_set_member_name (b, "span");
  json_builder_begin_object (b);
  put_int (b, "start", span.start);
  put_int (b, "end", span.end);
  put_int (b, "line", span.line);
  put_int (b, "col", span.col);
  json_builder_end_object (b);
}

static void
write_type (JsonBuilder *b, PlanType type)
{
  g_autofree char *text = plan_type_to_string (type, TRUE);

  put_str (b, "type", text);
}

/* The JSON scalar of a literal: numbers as numbers, DECIMAL as exact text, NULL as null. */
static void
write_value_scalar (JsonBuilder *b, const PlanValue *v)
{
  char buf[64];

  if (v->is_null)
    {
      json_builder_add_null_value (b);
      return;
    }
  switch (v->type.kind)
    {
    case PLAN_TYPE_BOOLEAN:
      json_builder_add_boolean_value (b, v->v.b);
      break;
    case PLAN_TYPE_DOUBLE:
      if (isfinite (v->v.d))
        json_builder_add_double_value (b, v->v.d);
      else
        json_builder_add_string_value (b, isnan (v->v.d) ? "NaN"
                                          : v->v.d > 0 ? "Infinity" : "-Infinity");
      break;
    case PLAN_TYPE_DECIMAL:
      plan_format_decimal (v->v.i, v->type.scale, buf, sizeof buf);
      json_builder_add_string_value (b, buf);
      break;
    case PLAN_TYPE_VARCHAR:
      json_builder_add_string_value (b, v->v.s ? v->v.s : "");
      break;
    case PLAN_TYPE_INT:
    case PLAN_TYPE_BIGINT:
    case PLAN_TYPE_DATE:
    case PLAN_TYPE_TIMESTAMP:
    case PLAN_TYPE_INTERVAL:
      json_builder_add_int_value (b, v->v.i);
      break;
    case PLAN_TYPE_NULL:
    default:
      json_builder_add_null_value (b);
      break;
    }
}

static void
write_literal_object (JsonBuilder *b, const PlanValue *v, PlanSpan span)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "literal");
  write_value_scalar (b, v);
  write_type (b, v->type);
  write_span (b, span);
  json_builder_end_object (b);
}

static void
write_expr (JsonBuilder *b, const PlanExpr *e)
{
  if (e->kind == PLAN_EXPR_LITERAL)
    {
      /* The expression's type is the literal's: plan_expr_literal copies it. */
      PlanValue v = e->u.literal;

      v.type = e->type;
      write_literal_object (b, &v, e->span);
      return;
    }
  json_builder_begin_object (b);
  if (e->kind == PLAN_EXPR_COLUMN)
    {
      put_int (b, "column", e->u.column);
      write_type (b, e->type);
    }
  else
    {
      put_str (b, "call", plan_func_name (e->u.call.func));
      write_type (b, e->type);
      json_builder_set_member_name (b, "args");
      json_builder_begin_array (b);
      for (guint i = 0; i < e->u.call.n_args; i++)
        write_expr (b, e->u.call.args[i]);
      json_builder_end_array (b);
    }
  write_span (b, e->span);
  json_builder_end_object (b);
}

static void
write_optional_expr (JsonBuilder *b, const char *member, const PlanExpr *e)
{
  json_builder_set_member_name (b, member);
  if (e)
    write_expr (b, e);
  else
    json_builder_add_null_value (b);
}

static void
write_schema (JsonBuilder *b, const PlanSchema *schema)
{
  json_builder_set_member_name (b, "schema");
  json_builder_begin_array (b);
  for (guint i = 0; schema && i < schema->n_fields; i++)
    {
      json_builder_begin_object (b);
      put_str (b, "name", schema->fields[i].name ? schema->fields[i].name : "");
      write_type (b, schema->fields[i].type);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
write_uint_array (JsonBuilder *b, const char *member, const guint *v, guint n)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    json_builder_add_int_value (b, v[i]);
  json_builder_end_array (b);
}

static void
write_table (JsonBuilder *b, const PlanTable *t)
{
  json_builder_set_member_name (b, "table");
  if (t == NULL)
    {
      json_builder_add_null_value (b);
      return;
    }
  json_builder_begin_object (b);
  put_str (b, "name", t->name ? t->name : "");
  write_schema (b, t->schema);
  json_builder_set_member_name (b, "options");
  json_builder_begin_object (b);
  for (guint i = 0; t->options && i + 1 < t->options->len; i += 2)
    {
      json_builder_set_member_name (b, g_ptr_array_index (t->options, i));
      json_builder_add_string_value (b, g_ptr_array_index (t->options, i + 1));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "ddl");
  if (t->ddl)
    json_builder_add_string_value (b, t->ddl);
  else
    json_builder_add_null_value (b);
  write_span (b, t->span);
  json_builder_end_object (b);
}

static void
write_inputs (JsonBuilder *b, const PlanPhysNode *n)
{
  json_builder_set_member_name (b, "inputs");
  json_builder_begin_array (b);
  for (guint i = 0; i < n->n_inputs; i++)
    {
      const PlanPhysInput *in = &n->inputs[i];

      json_builder_begin_object (b);
      put_int (b, "node", in->node->id);
      put_str (b, "exchange", plan_exchange_name (in->exchange));
      write_uint_array (b, "keys", in->keys, in->n_keys);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

const char *
plan_json__agg_call_name (PlanAggFunc f)
{
  return f == PLAN_AGG_COUNT_STAR ? "COUNT_STAR" : plan_agg_func_name (f);
}

/* AGGREGATE: "keys" and "aggs" [{func, distinct, arg, filter, type}]; arg and filter are
 * -1 when absent. */
static void
write_aggregate (JsonBuilder *b, const PlanAggregate *a)
{
  write_uint_array (b, "group_keys", a->keys, a->n_keys);
  json_builder_set_member_name (b, "aggs");
  json_builder_begin_array (b);
  for (guint i = 0; i < a->n_aggs; i++)
    {
      const PlanAggCall *c = &a->aggs[i];

      json_builder_begin_object (b);
      put_str (b, "func", plan_json__agg_call_name (c->func));
      json_builder_set_member_name (b, "distinct");
      json_builder_add_boolean_value (b, c->distinct);
      put_int (b, "arg", c->arg);
      put_int (b, "filter", c->filter);
      write_type (b, c->type);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* added by sort: "sort_keys", per key "descending" and "nulls_first", "limit", "offset". */
static void
write_sort (JsonBuilder *b, const PlanSort *s)
{
  write_uint_array (b, "sort_keys", s->keys, s->n_keys);
  json_builder_set_member_name (b, "descending");
  json_builder_begin_array (b);
  for (guint i = 0; i < s->n_keys; i++)
    json_builder_add_boolean_value (b, s->descending[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "nulls_first");
  json_builder_begin_array (b);
  for (guint i = 0; i < s->n_keys; i++)
    json_builder_add_boolean_value (b, s->nulls_first[i]);
  json_builder_end_array (b);
  put_int (b, "limit", s->limit);
  put_int (b, "offset", s->offset);
}

static void
write_kind_fields (JsonBuilder *b, const PlanPhysNode *n)
{
  switch (n->kind)
    {
    case PLAN_PHYS_SOURCE:
      write_table (b, n->u.source.table);
      write_uint_array (b, "columns", n->u.source.columns, n->u.source.n_columns);
      write_optional_expr (b, "filter", n->u.source.filter);
      break;
    case PLAN_PHYS_VALUES:
      {
        guint width = n->schema ? n->schema->n_fields : 0;

        json_builder_set_member_name (b, "values");
        json_builder_begin_array (b);
        for (guint r = 0; r < n->u.values.n_rows; r++)
          {
            json_builder_begin_array (b);
            for (guint c = 0; c < width; c++)
              write_literal_object (b, &n->u.values.values[r * width + c],
                                    (PlanSpan) { 0 });
            json_builder_end_array (b);
          }
        json_builder_end_array (b);
      }
      break;
    case PLAN_PHYS_CALC:
      write_optional_expr (b, "filter", n->u.calc.filter);
      json_builder_set_member_name (b, "exprs");
      json_builder_begin_array (b);
      for (guint i = 0; i < n->u.calc.n_exprs; i++)
        write_expr (b, n->u.calc.exprs[i]);
      json_builder_end_array (b);
      break;
    case PLAN_PHYS_LIMIT:
      put_int (b, "limit", n->u.limit.limit);
      put_int (b, "offset", n->u.limit.offset);
      break;
    case PLAN_PHYS_SINK:
      put_str (b, "sink", plan_sink_kind_name (n->u.sink.sink));
      write_table (b, n->u.sink.table);
      break;
    case PLAN_PHYS_AGGREGATE:
    case PLAN_PHYS_LOCAL_AGGREGATE: /* added by two-phase aggregation */
      write_aggregate (b, &n->u.aggregate);
      break;
    case PLAN_PHYS_JOIN: /* added by joins */
    case PLAN_PHYS_HASH_JOIN:
    case PLAN_PHYS_NESTED_LOOP_JOIN:
    case PLAN_PHYS_SORT_MERGE_JOIN: /* added by join strategy */
    case PLAN_PHYS_INTERVAL_JOIN: /* added by interval joins */
    case PLAN_PHYS_WINDOW_JOIN: /* added by window joins */
    case PLAN_PHYS_LOOKUP_JOIN: /* added by lookup joins */
      put_str (b, "join_type", plan_join_type_name (n->u.join.type));
      write_uint_array (b, "left_keys", n->u.join.left_keys, n->u.join.n_keys);
      write_uint_array (b, "right_keys", n->u.join.right_keys, n->u.join.n_keys);
      write_optional_expr (b, "residual", n->u.join.residual);
      put_str (b, "strategy", plan_join_strategy_name (n->u.join.strategy));
      put_int (b, "build_side", n->u.join.build_side);
      break;
    case PLAN_PHYS_SORT: /* added by sort */
      write_sort (b, &n->u.sort);
      break;
    case PLAN_PHYS_WINDOW: /* added by windows */
      put_str (b, "window", plan_window_kind_name (n->u.window.kind));
      put_int (b, "time_col", n->u.window.time_col);
      put_int (b, "size_ms", n->u.window.size_ms);
      put_int (b, "slide_ms", n->u.window.slide_ms);
      put_int (b, "offset_ms", n->u.window.offset_ms);
      write_uint_array (b, "partition", n->u.window.partition, n->u.window.n_partition);
      put_int (b, "merged", n->u.window.merged);
      break;
    case PLAN_PHYS_WINDOW_AGGREGATE:
      write_aggregate (b, &n->u.window_agg.agg);
      put_int (b, "window_start_key", n->u.window_agg.start_key);
      put_int (b, "window_end_key", n->u.window_agg.end_key);
      put_int (b, "session_gap_ms", n->u.window_agg.session_gap_ms);
      if (n->u.window_agg.allowed_lateness_ms > 0) /* added by allowed lateness */
        {
          put_int (b, "allowed_lateness_ms", n->u.window_agg.allowed_lateness_ms);
          put_int (b, "late_fire_delay_ms", n->u.window_agg.late_fire_delay_ms);
        }
      break;
    case PLAN_PHYS_UNION: /* added by rank: nothing but the inputs */
      break;
    case PLAN_PHYS_RANK:
      write_uint_array (b, "partition", n->u.rank.partition, n->u.rank.n_partition);
      write_sort (b, &n->u.rank.order);
      put_int (b, "rank_limit", n->u.rank.limit);
      put_int (b, "rownum", n->u.rank.rownum);
      put_int (b, "first_row", n->u.rank.first_row);
      put_int (b, "last_row", n->u.rank.last_row);
      break;
    default:
      break;
    }
}

static void
write_node (JsonBuilder *b, const PlanPhysNode *n)
{
  json_builder_begin_object (b);
  put_int (b, "id", n->id);
  put_str (b, "kind", plan_phys_kind_name (n->kind));
  put_int (b, "parallelism", n->parallelism);
  json_builder_set_member_name (b, "chained");
  json_builder_add_boolean_value (b, n->chained);
  json_builder_set_member_name (b, "est_rows");
  json_builder_add_double_value (b, isfinite (n->est_rows) && n->est_rows >= 0 ? n->est_rows : -1);
  if (n->updating) /* only when set, so plans without changelogs keep their JSON */
    {
      json_builder_set_member_name (b, "updating");
      json_builder_add_boolean_value (b, TRUE);
    }
  write_span (b, n->span);
  write_schema (b, n->schema);
  write_inputs (b, n);
  write_kind_fields (b, n);
  json_builder_end_object (b);
}

static char *
builder_to_string (JsonBuilder *b, gboolean pretty)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);

  json_generator_set_pretty (gen, pretty);
  json_generator_set_indent (gen, 2);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

char *
plan_phys_to_json (const PlanPhysPlan *plan, gboolean pretty)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (plan != NULL, NULL);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "nodes");
  json_builder_begin_array (b);
  for (guint i = 0; i < plan->nodes->len; i++)
    write_node (b, g_ptr_array_index (plan->nodes, i));
  json_builder_end_array (b);
  put_int (b, "root", plan->root->id);
  json_builder_end_object (b);
  return builder_to_string (b, pretty);
}

char *
plan_expr_to_json_string (const PlanExpr *expr)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (expr != NULL, NULL);
  write_expr (b, expr);
  return builder_to_string (b, FALSE);
}
