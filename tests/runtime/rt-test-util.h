/* rt-test-util.h: helpers shared by the operator tests in tests/runtime that drive an
 * operator directly and check its output as text: each emitted row becomes one line
 * "<kind> <col> <col> ..." (e.g. "+I a 1"). Static inline so every test stays one source
 * file and its meson test definition is unchanged. */
#pragma once

#include "runtime/engine/rt-operator.h"

/* Appends one line per row of batch to out (a GPtrArray of g_free'd strings). With
 * ts_as_ms, non-NULL TIMESTAMP values print as epoch milliseconds, easier to check. */
static inline void
rt_test_collect_lines (GPtrArray *out, const RtBatch *batch, gboolean ts_as_ms)
{
  for (guint r = 0; r < batch->n_rows; r++)
    {
      GString *line = g_string_new (rt_row_kind_short ((RtRowKind) batch->kinds[r]));

      for (guint c = 0; c < batch->n_cols; c++)
        {
          PlanValue v;
          g_autofree char *text = NULL;

          rt_batch_get_value (batch, c, r, &v);
          if (ts_as_ms && v.type.kind == PLAN_TYPE_TIMESTAMP && !v.is_null)
            text = g_strdup_printf ("%" G_GINT64_FORMAT, v.v.i);
          else
            text = plan_value_to_string (&v, FALSE);
          g_string_append_printf (line, " %s", text);
          plan_value_clear (&v);
        }
      g_ptr_array_add (out, g_string_free (line, FALSE));
    }
}
