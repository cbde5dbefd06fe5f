/* plan-rank.c: the RANK payload (ROW_NUMBER() OVER ... with a rownum bound) shared by the
 * logical and the physical RANK node: copying, freeing, the output schema and the EXPLAIN
 * text.
 *
 * Kept apart from plan-node.c, like the sort and join payloads, so that EXPLAIN, JSON, the
 * optimizer and the engine reach the same few helpers through plan-node.h. The ORDER BY of
 * the window reuses PlanSort, whose key list, directions and NULL placement are exactly
 * what a window's ORDER BY needs. */
#include "plan-node.h"

void
plan_rank_copy (PlanRank *dest, const PlanRank *src)
{
  dest->n_partition = src->n_partition;
  dest->partition = g_memdup2 (src->partition, MAX (src->n_partition, 1) * sizeof (guint));
  plan_sort_copy (&dest->order, &src->order);
  dest->limit = src->limit;
  dest->rownum = src->rownum;
  dest->first_row = src->first_row;
  dest->last_row = src->last_row;
}

void
plan_rank_clear (PlanRank *rank)
{
  g_clear_pointer (&rank->partition, g_free);
  rank->n_partition = 0;
  plan_sort_clear (&rank->order);
}

PlanSchema *
plan_rank_schema (const PlanSchema *input, const PlanRank *rank)
{
  guint n = input->n_fields;
  PlanSchema *schema = plan_schema_new (n + (rank->rownum ? 1 : 0));

  for (guint i = 0; i < n; i++)
    plan_schema_set_field (schema, i, input->fields[i].name, input->fields[i].type);
  if (rank->rownum)
    plan_schema_set_field (schema, n, "rownum", plan_type_make (PLAN_TYPE_BIGINT, FALSE));
  return schema;
}

/* "a, b": the names of cols of input ($i when out of range). */
static void
append_columns (GString *out, const guint *cols, guint n, const PlanSchema *input)
{
  for (guint k = 0; k < n; k++)
    {
      if (k > 0)
        g_string_append (out, ", ");
      if (input != NULL && cols[k] < input->n_fields)
        g_string_append (out, input->fields[cols[k]].name);
      else
        g_string_append_printf (out, "$%u", cols[k]);
    }
}

char *
plan_rank_to_string (const PlanRank *rank, const PlanSchema *input)
{
  GString *out = g_string_new ("rankRange=[rankStart=1");
  g_autofree char *order = plan_sort_to_string (&rank->order, input);

  if (rank->limit >= 0)
    g_string_append_printf (out, ", rankEnd=%" G_GINT64_FORMAT, rank->limit);
  g_string_append (out, "], partitionBy=[");
  append_columns (out, rank->partition, rank->n_partition, input);
  g_string_append_printf (out, "], orderBy=[%s]", order);
  if (rank->rownum)
    g_string_append (out, ", outputRankNumber=[true]");
  return g_string_free (out, FALSE);
}

/* Flink's names: Deduplicate(keep=[FirstRow], key=[a], order=[PROCTIME]) for a Top-1 in
 * arrival order, else Rank(rankType=[ROW_NUMBER], rankRange=[rankStart=1, rankEnd=N], ...). */
void
plan_rank_describe (GString *out, const PlanRank *rank, const PlanSchema *input)
{
  g_autofree char *text = NULL;

  if ((rank->first_row || rank->last_row) && rank->limit == 1)
    {
      g_string_append_printf (out, "Deduplicate(keep=[%s], key=[",
                              rank->first_row ? "FirstRow" : "LastRow");
      append_columns (out, rank->partition, rank->n_partition, input);
      g_string_append_printf (out, "], order=[PROCTIME]%s)",
                              rank->rownum ? ", outputRankNumber=[true]" : "");
      return;
    }
  text = plan_rank_to_string (rank, input);
  g_string_append_printf (out, "Rank(rankType=[ROW_NUMBER], %s)", text);
}

void
plan_union_describe (GString *out, const PlanSchema *schema)
{
  g_string_append (out, "Union(all=[true], union=[");
  for (guint i = 0; i < schema->n_fields; i++)
    g_string_append_printf (out, "%s%s", i > 0 ? ", " : "", schema->fields[i].name);
  g_string_append (out, "])");
}
