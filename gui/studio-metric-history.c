/* studio-metric-history.c: a bounded ring of metrics snapshots (see the header). The
 * ring is an array of capacity slots with the oldest at `start`; pushing into a full ring
 * overwrites the oldest, so a long-running job costs a fixed amount of memory. */
#include "studio-metric-history.h"

#include <gio/gio.h>

typedef struct {
  char *json;      /* owned */
  gint64 taken_ms;
} Entry;

struct _StudioMetricHistory {
  Entry *slots;    /* owned: capacity entries */
  guint capacity;
  guint start;     /* slot of the oldest entry */
  guint length;
  guint64 n_pushed;
};

StudioMetricHistory *
studio_metric_history_new (guint capacity)
{
  StudioMetricHistory *self = g_new0 (StudioMetricHistory, 1);

  self->capacity = MAX (capacity, 1);
  self->slots = g_new0 (Entry, self->capacity);
  return self;
}

void
studio_metric_history_clear (StudioMetricHistory *self)
{
  g_return_if_fail (self != NULL);
  for (guint i = 0; i < self->capacity; i++)
    g_clear_pointer (&self->slots[i].json, g_free);
  self->start = 0;
  self->length = 0;
  self->n_pushed = 0;
}

void
studio_metric_history_free (StudioMetricHistory *self)
{
  if (self == NULL)
    return;
  studio_metric_history_clear (self);
  g_free (self->slots);
  g_free (self);
}

void
studio_metric_history_push (StudioMetricHistory *self, const char *json, gint64 taken_ms)
{
  Entry *e;

  g_return_if_fail (self != NULL && json != NULL);
  if (self->length < self->capacity)
    e = &self->slots[(self->start + self->length++) % self->capacity];
  else
    {
      e = &self->slots[self->start];
      self->start = (self->start + 1) % self->capacity;
    }
  g_free (e->json);
  e->json = g_strdup (json);
  e->taken_ms = taken_ms;
  self->n_pushed++;
}

guint
studio_metric_history_get_length (StudioMetricHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->length;
}

guint
studio_metric_history_get_capacity (StudioMetricHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->capacity;
}

guint64
studio_metric_history_get_n_pushed (StudioMetricHistory *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_pushed;
}

const char *
studio_metric_history_get_json (StudioMetricHistory *self, guint index, gint64 *taken_ms)
{
  const Entry *e;

  g_return_val_if_fail (self != NULL, NULL);
  if (index >= self->length)
    return NULL;
  e = &self->slots[(self->start + index) % self->capacity];
  if (taken_ms != NULL)
    *taken_ms = e->taken_ms;
  return e->json;
}

StudioMonitorState *
studio_metric_history_dup_state (StudioMetricHistory *self, const PlanPhysPlan *plan,
                                 guint index, GError **error)
{
  gint64 taken_ms = 0;
  const char *json = studio_metric_history_get_json (self, index, &taken_ms);
  StudioMonitorState *state;

  if (json == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "No metrics snapshot %u: the history holds %u", index,
                   self != NULL ? self->length : 0);
      return NULL;
    }
  state = studio_monitor_state_new (plan, json, error);
  if (state != NULL)
    state->taken_ms = taken_ms;
  return state;
}
