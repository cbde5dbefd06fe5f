/* plan-sort.c: the SORT payload shared by the logical SORT node and the physical SORT:
 * copying, freeing and printing the key list.
 *
 * Kept apart from plan-node.c, like the join payload, so the sort's few helpers live in
 * one file that EXPLAIN, JSON and the optimizer all reach through plan-node.h. */
#include "plan-node.h"

void
plan_sort_copy (PlanSort *dest, const PlanSort *src)
{
  guint n = src->n_keys;

  dest->n_keys = n;
  dest->keys = g_memdup2 (src->keys, MAX (n, 1) * sizeof (guint));
  dest->descending = g_memdup2 (src->descending, MAX (n, 1) * sizeof (gboolean));
  dest->nulls_first = g_memdup2 (src->nulls_first, MAX (n, 1) * sizeof (gboolean));
  dest->limit = src->limit;
  dest->offset = src->offset;
}

void
plan_sort_clear (PlanSort *sort)
{
  g_clear_pointer (&sort->keys, g_free);
  g_clear_pointer (&sort->descending, g_free);
  g_clear_pointer (&sort->nulls_first, g_free);
  sort->n_keys = 0;
}

char *
plan_sort_to_string (const PlanSort *sort, const PlanSchema *schema)
{
  GString *out = g_string_new (NULL);

  for (guint k = 0; k < sort->n_keys; k++)
    {
      guint c = sort->keys[k];

      if (k > 0)
        g_string_append (out, ", ");
      if (schema != NULL && c < schema->n_fields)
        g_string_append (out, schema->fields[c].name);
      else
        g_string_append_printf (out, "$%u", c);
      g_string_append (out, sort->descending[k] ? " DESC" : " ASC");
      g_string_append (out, sort->nulls_first[k] ? " NULLS FIRST" : " NULLS LAST");
    }
  return g_string_free (out, FALSE);
}
