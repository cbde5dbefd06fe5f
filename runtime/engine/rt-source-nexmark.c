/* rt-source-nexmark.c: the 'nexmark' connector, the event stream of the Nexmark benchmark
 * (people open auctions and bid on them) with the options and schema of the Nexmark
 * project's Flink DDL:
 *
 *   event_type INT, person ROW<...>, auction ROW<...>, bid ROW<...>
 *
 * ROW columns reach a connector flattened (plans/plan-row.c): one physical column per
 * field, named "<row>.<field>", so this source fills plain vectors and only the fields a
 * query reads. The fields of the row an event is not (person when event_type != 0, ...)
 * are NULL.
 *
 * Options (Flink's names and defaults):
 *   'first-event.rate'  events per second of event time (default 10000): event n has the
 *                       timestamp base-time + n * 10^6 / rate microseconds, truncated to ms
 *   'next-event.rate', 'rate.shape', 'rate.period', 'keep-alive', 'max-emit-speed'
 *                       accepted and ignored; as in the Nexmark Flink generator (v0.2)
 *                       only the first rate shapes the timestamps
 *   'rate.limited'      'true' paces emission to first-event.rate in wall-clock time;
 *                       the default 'false' emits as fast as the consumer takes (Flink's
 *                       default too), which is what a benchmark wants
 *   'events.num'        events in total (default 0: unbounded)
 *   'person.proportion', 'auction.proportion', 'bid.proportion'  (1, 3, 46): in every
 *                       block of their sum consecutive event numbers, the first are
 *                       people, then auctions, then bids
 *   'person.avg-size', 'auction.avg-size', 'bid.avg-size'  ('200b', '500b', '100b'): the
 *                       'extra' padding brings each event to about this size
 *   'bid.hot-ratio.auctions' (2), 'bid.hot-ratio.bidders' (4),
 *   'auction.hot-ratio.sellers' (4): 1 - 1/ratio of the bids (auctions) go to a hot
 *                       auction, come from a hot bidder (are sold by a hot seller)
 *   'seed'              strom extension (default 0)
 *   'base-time'         strom extension: the timestamp of event 0 (default
 *                       '2024-01-01 00:00:00'; Flink uses the wall clock at start, which
 *                       would make runs differ)
 *
 * The generator follows the published logic of the Nexmark generator (Beam and the
 * Nexmark Flink project): ids are dense and derived from the event number (the k-th
 * person has id 1000 + k, likewise auctions), bids and auctions refer to people and
 * auctions that exist already or will within a small lead, hot auctions / bidders /
 * sellers are the first of each block of 100 recent ones, categories are 10..14, prices
 * are 10^(6u) * 100 cents rounded, auctions expire after a random length averaging the
 * time until 100 more auctions have been opened, half the bids come from four hot
 * channels (Google, Facebook, Baidu, Apple) and the rest from 10000 channels with their
 * own URLs. Values are not byte-identical to the Java generator's: every field draws
 * from its own random stream keyed by (seed, event number, field), so a value depends on
 * nothing but its event, whichever fields are projected and however the events are
 * split.
 *
 * Parallel split: subtask i of p generates the event numbers i, i + p, i + 2p, ... (below
 * events.num). The union is the same events at every parallelism, and the subtasks'
 * event times advance together, so their watermarks do too.
 *
 * Checkpoints: a subtask's events are a split, the progression (next, stride, end). Each
 * split is a list entry, so a restore at another parallelism deals the splits round robin
 * and a subtask may get several (or none, and end at once). Since an event depends only on
 * its number and the options, a split continues exactly where it stopped on any subtask. A
 * subtask with several splits takes the smallest next event number of them for each row,
 * so its event times still only grow (as a watermark generated downstream expects). Each
 * entry carries a fingerprint of the options that shape the events; a restore whose table
 * options differ would produce another stream, and fails saying so. */
#include "rt-source-private.h"
#include "rt-checkpoint.h"
#include "plans/plan-catalog.h"

#include <math.h>
#include <string.h>

/* The columns the connector can produce, by their flattened names. */
typedef enum {
  NX_EVENT_TYPE,
  NX_P_ID, NX_P_NAME, NX_P_EMAIL, NX_P_CARD, NX_P_CITY, NX_P_STATE, NX_P_TIME, NX_P_EXTRA,
  NX_A_ID, NX_A_ITEM, NX_A_DESC, NX_A_INITIAL, NX_A_RESERVE, NX_A_TIME, NX_A_EXPIRES,
  NX_A_SELLER, NX_A_CATEGORY, NX_A_EXTRA,
  NX_B_AUCTION, NX_B_BIDDER, NX_B_PRICE, NX_B_CHANNEL, NX_B_URL, NX_B_TIME, NX_B_EXTRA,
  NX__COUNT
} NxField;

static const struct {
  const char *name;
  PlanTypeKind kind;
  gint kind_of_event; /* -1: every event */
} nx_fields[NX__COUNT] = {
  [NX_EVENT_TYPE] = { "event_type", PLAN_TYPE_INT, -1 },
  [NX_P_ID] = { "person.id", PLAN_TYPE_BIGINT, 0 },
  [NX_P_NAME] = { "person.name", PLAN_TYPE_VARCHAR, 0 },
  [NX_P_EMAIL] = { "person.emailAddress", PLAN_TYPE_VARCHAR, 0 },
  [NX_P_CARD] = { "person.creditCard", PLAN_TYPE_VARCHAR, 0 },
  [NX_P_CITY] = { "person.city", PLAN_TYPE_VARCHAR, 0 },
  [NX_P_STATE] = { "person.state", PLAN_TYPE_VARCHAR, 0 },
  [NX_P_TIME] = { "person.dateTime", PLAN_TYPE_TIMESTAMP, 0 },
  [NX_P_EXTRA] = { "person.extra", PLAN_TYPE_VARCHAR, 0 },
  [NX_A_ID] = { "auction.id", PLAN_TYPE_BIGINT, 1 },
  [NX_A_ITEM] = { "auction.itemName", PLAN_TYPE_VARCHAR, 1 },
  [NX_A_DESC] = { "auction.description", PLAN_TYPE_VARCHAR, 1 },
  [NX_A_INITIAL] = { "auction.initialBid", PLAN_TYPE_BIGINT, 1 },
  [NX_A_RESERVE] = { "auction.reserve", PLAN_TYPE_BIGINT, 1 },
  [NX_A_TIME] = { "auction.dateTime", PLAN_TYPE_TIMESTAMP, 1 },
  [NX_A_EXPIRES] = { "auction.expires", PLAN_TYPE_TIMESTAMP, 1 },
  [NX_A_SELLER] = { "auction.seller", PLAN_TYPE_BIGINT, 1 },
  [NX_A_CATEGORY] = { "auction.category", PLAN_TYPE_BIGINT, 1 },
  [NX_A_EXTRA] = { "auction.extra", PLAN_TYPE_VARCHAR, 1 },
  [NX_B_AUCTION] = { "bid.auction", PLAN_TYPE_BIGINT, 2 },
  [NX_B_BIDDER] = { "bid.bidder", PLAN_TYPE_BIGINT, 2 },
  [NX_B_PRICE] = { "bid.price", PLAN_TYPE_BIGINT, 2 },
  [NX_B_CHANNEL] = { "bid.channel", PLAN_TYPE_VARCHAR, 2 },
  [NX_B_URL] = { "bid.url", PLAN_TYPE_VARCHAR, 2 },
  [NX_B_TIME] = { "bid.dateTime", PLAN_TYPE_TIMESTAMP, 2 },
  [NX_B_EXTRA] = { "bid.extra", PLAN_TYPE_VARCHAR, 2 },
};

/* The generator's constants (Nexmark's GeneratorConfig and model generators). */
#define FIRST_PERSON_ID 1000
#define FIRST_AUCTION_ID 1000
#define FIRST_CATEGORY_ID 10
#define NUM_CATEGORIES 5
#define PERSON_ID_LEAD 10
#define AUCTION_ID_LEAD 10
#define NUM_ACTIVE_PEOPLE 1000
#define NUM_IN_FLIGHT_AUCTIONS 100
#define HOT_BLOCK 100        /* hot auctions / sellers / bidders: first of each block */
#define HOT_CHANNELS_RATIO 2
#define NUM_CHANNELS 10000
#define NUM_URLS (4 + NUM_CHANNELS)

static const char *const us_states[] = { "AZ", "CA", "ID", "OR", "WA", "WY" };
static const char *const us_cities[] = {
  "Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond",
  "Seattle", "Kent", "Cheyenne",
};
static const char *const first_names[] = {
  "Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter",
  "Walter",
};
static const char *const last_names[] = {
  "Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris",
};
static const char *const hot_channels[] = { "Google", "Facebook", "Baidu", "Apple" };

typedef struct {
  gint64 person, auction, bid, total; /* proportions */
  gint64 person_size, auction_size, bid_size;
  gint64 hot_auctions, hot_bidders, hot_sellers;
  double delay_us;     /* event-time microseconds between consecutive events */
  gint64 base_ms;
  guint64 seed;
  char **urls;         /* owned: the URL of each hot channel, then of each channel, or NULL
                        * until first made (NUM_URLS entries) */
  guint32 *url_lens;   /* owned: their lengths */
} NxConfig;

/* Event numbers next, next + stride, ... below end (G_MAXUINT64: unbounded). */
typedef struct {
  guint64 next, stride, end;
} NxSplit;

typedef struct {
  RtOperator base;
  PlanSchema *schema;  /* owned ref: output schema */
  NxConfig cfg;
  guint n_cols;
  NxField *fields;     /* owned: output column -> field */
  RtSourceFilter filter;
  gint want_kind;      /* the pushed filter keeps only this event kind (0 person, 1
                        * auction, 2 bid): others are skipped unmade; -1: any */
  GArray *splits;      /* owned: NxSplit, the event numbers still to generate */
  guint64 fingerprint; /* of the options that shape the events (checkpoints) */
  char *table;         /* owned: the table's name, for messages */
  gboolean rate_limited;
  double rate;         /* events per second of this subtask when rate limited */
  gint64 t0_us;
  guint64 paced;
  GString *buf;        /* owned scratch for strings */
} RtNexmarkSource;

/* ---- random numbers: one stream per (seed, event, field) ----------------------------- */

typedef struct {
  guint64 x;
} NxRng;

static inline guint64
nx_next (NxRng *r)
{
  guint64 z = (r->x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static inline NxRng
nx_rng (const NxConfig *cfg, guint64 event, guint stream)
{
  NxRng r = { cfg->seed ^ (event * G_GUINT64_CONSTANT (0xd1342543de82ef95))
              ^ ((guint64) (stream + 1) << 56) };

  nx_next (&r);
  return r;
}

/* Uniform in [0, n), n > 0 (multiply-shift; the bias is far below what matters here). */
static inline gint64
nx_below (NxRng *r, gint64 n)
{
  return (gint64) (((unsigned __int128) nx_next (r) * (guint64) n) >> 64);
}

static inline double
nx_unit (NxRng *r)
{
  return (double) (nx_next (r) >> 11) * 0x1.0p-53;
}

/* ---- ids and times (the Nexmark generator's arithmetic) ------------------------------ */

static inline gint
nx_kind (const NxConfig *cfg, guint64 n)
{
  gint64 rem = (gint64) (n % (guint64) cfg->total);

  return rem < cfg->person ? 0 : rem < cfg->person + cfg->auction ? 1 : 2;
}

/* Base-0 id of the last person generated at or before event n. */
static inline gint64
last_person (const NxConfig *cfg, guint64 n)
{
  gint64 epoch = (gint64) (n / (guint64) cfg->total);
  gint64 offset = (gint64) (n % (guint64) cfg->total);

  if (offset >= cfg->person)
    offset = cfg->person - 1;
  return epoch * cfg->person + offset;
}

/* Base-0 id of the last auction generated at or before event n (-1 before the first). */
static inline gint64
last_auction (const NxConfig *cfg, guint64 n)
{
  gint64 epoch = (gint64) (n / (guint64) cfg->total);
  gint64 offset = (gint64) (n % (guint64) cfg->total);

  if (offset < cfg->person)
    {
      epoch--;
      offset = cfg->auction - 1;
    }
  else if (offset >= cfg->person + cfg->auction)
    offset = cfg->auction - 1;
  else
    offset -= cfg->person;
  return epoch * cfg->auction + offset;
}

/* A person who is active (one of the last NUM_ACTIVE_PEOPLE) or about to exist. */
static gint64
random_person (const NxConfig *cfg, guint64 n, NxRng *r)
{
  gint64 people = last_person (cfg, n) + 1;
  gint64 active = MIN (people, NUM_ACTIVE_PEOPLE);

  return people - active + nx_below (r, active + PERSON_ID_LEAD);
}

/* An auction likely still open (one of the last NUM_IN_FLIGHT_AUCTIONS) or about to be. */
static gint64
random_auction (const NxConfig *cfg, guint64 n, NxRng *r)
{
  gint64 max = last_auction (cfg, n);
  gint64 min = MAX (max - NUM_IN_FLIGHT_AUCTIONS, 0);

  return min + nx_below (r, max - min + 1 + AUCTION_ID_LEAD);
}

static inline gint64
nx_time (const NxConfig *cfg, guint64 n)
{
  return cfg->base_ms + (gint64) ((double) n * cfg->delay_us) / 1000;
}

static gint64
nx_price (NxRng *r)
{
  /* 10^(6u) cents: $1 to $1M, log-uniform */
  return (gint64) llround (exp (nx_unit (r) * 6.0 * G_LN10) * 100.0);
}

/* ---- strings ------------------------------------------------------------------------- */

/* 3..max-1 letters with an occasional `special`, trimmed of spaces. */
static void
nx_string (GString *out, NxRng *r, gint64 max, char special)
{
  gint64 len = 3 + nx_below (r, max - 3);
  gsize start = out->len;

  for (gint64 i = 0; i < len; i++)
    g_string_append_c (out, nx_below (r, 13) == 0 ? special : (char) ('a' + nx_below (r, 26)));
  if (special == ' ')
    {
      gsize a = start, b = out->len;
      while (a < b && out->str[a] == ' ')
        a++;
      while (b > a && out->str[b - 1] == ' ')
        b--;
      memmove (out->str + start, out->str + a, b - a);
      g_string_truncate (out, start + (b - a));
    }
}

/* Padding that brings an event of `current` bytes to about `average` (+-20 %). Each
 * 16-bit quarter of a random draw scales to a letter (bias below 0.05 %), four per draw,
 * written straight into the buffer: this is the generator's hottest loop. */
static void
nx_extra (GString *out, NxRng *r, gint64 current, gint64 average)
{
  gint64 want, delta, size;
  char *p;

  if (current > average)
    return;
  want = average - current;
  delta = (gint64) llround ((double) want * 0.2);
  size = want - delta + (delta == 0 ? 0 : nx_below (r, 2 * delta));
  g_string_set_size (out, out->len + (gsize) size + 4); /* room for a whole last word */
  p = out->str + out->len - size - 4;
  g_string_truncate (out, out->len - 4);
  for (; size > 0; size -= 4, p += 4)
    {
      const guint64 lanes = G_GUINT64_CONSTANT (0x0000ffff0000ffff),
                    letters = G_GUINT64_CONSTANT (0x0000001f0000001f);
      guint64 x = nx_next (r);
      /* four letters from the four 16-bit quarters q: 'a' + (q * 26 >> 16), two quarters
       * per multiplication (each in a 32-bit slot, q * 26 < 2^21 never carries into the
       * next), then packed into one word: the same letters as one quarter at a time, in
       * about half the instructions (this loop was 40% of Nexmark q0) */
      guint64 even = ((x & lanes) * 26) >> 16 & letters;
      guint64 odd = (((x >> 16) & lanes) * 26) >> 16 & letters;
      guint64 v = even | odd << 8;
      guint32 w = (guint32) (v | v >> 16) + 0x61616161u;

      memcpy (p, &w, 4); /* little- or big-endian, the letters are random either way */
    }
  out->str[out->len] = '\0'; /* the last word may have run over the terminator */
}

/* The URL of a channel: the same for a given channel number and seed. */
static void
nx_base_url (GString *out, const NxConfig *cfg, guint64 channel)
{
  NxRng r = nx_rng (cfg, G_MAXUINT64 - channel, NX__COUNT);

  g_string_append (out, "https://www.nexmark.com/");
  nx_string (out, &r, 5, '_');
  g_string_append_c (out, '/');
  nx_string (out, &r, 5, '_');
  g_string_append_c (out, '/');
  nx_string (out, &r, 5, '_');
  g_string_append (out, "/item.htm?query=1");
}

static guint32
reverse_bits (guint32 v)
{
  guint32 out = 0;

  for (guint i = 0; i < 32; i++, v >>= 1)
    out = (out << 1) | (v & 1);
  return out;
}

static void person_string (const NxConfig *cfg, guint64 n, NxField f, GString *out);

/* The bytes of a person event before its padding: the id and its strings. */
static gint64
person_size (const NxConfig *cfg, guint64 n, GString *tmp)
{
  static const NxField parts[] = { NX_P_NAME, NX_P_EMAIL, NX_P_CARD, NX_P_CITY, NX_P_STATE };
  gint64 size = 8;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_string_truncate (tmp, 0);
      person_string (cfg, n, parts[i], tmp);
      size += (gint64) tmp->len;
    }
  return size;
}

/* A string field of person event n, appended to out. */
static void
person_string (const NxConfig *cfg, guint64 n, NxField f, GString *out)
{
  NxRng r = nx_rng (cfg, n, f);

  switch ((int) f)
    {
    case NX_P_NAME:
      g_string_append (out, first_names[nx_below (&r, G_N_ELEMENTS (first_names))]);
      g_string_append_c (out, ' ');
      g_string_append (out, last_names[nx_below (&r, G_N_ELEMENTS (last_names))]);
      break;
    case NX_P_EMAIL:
      nx_string (out, &r, 7, ' ');
      g_string_append_c (out, '@');
      nx_string (out, &r, 5, ' ');
      g_string_append (out, ".com");
      break;
    case NX_P_CARD:
      g_string_append_printf (out, "%04d %04d %04d %04d", (int) nx_below (&r, 10000),
                              (int) nx_below (&r, 10000), (int) nx_below (&r, 10000),
                              (int) nx_below (&r, 10000));
      break;
    case NX_P_CITY:
      g_string_append (out, us_cities[nx_below (&r, G_N_ELEMENTS (us_cities))]);
      break;
    case NX_P_STATE:
      g_string_append (out, us_states[nx_below (&r, G_N_ELEMENTS (us_states))]);
      break;
    case NX_P_EXTRA:
      {
        g_autoptr (GString) tmp = g_string_new (NULL);
        gint64 size = person_size (cfg, n, tmp);

        nx_extra (out, &r, size, cfg->person_size);
      }
      break;
    default:
      break;
    }
}

static void
auction_string (const NxConfig *cfg, guint64 n, NxField f, GString *out)
{
  NxRng r = nx_rng (cfg, n, f);

  switch ((int) f)
    {
    case NX_A_ITEM:
      nx_string (out, &r, 20, ' ');
      break;
    case NX_A_DESC:
      nx_string (out, &r, 100, ' ');
      break;
    case NX_A_EXTRA:
      {
        /* the event's bytes before padding: name, description and six numbers */
        gsize start = out->len;
        gint64 size;

        auction_string (cfg, n, NX_A_ITEM, out);
        auction_string (cfg, n, NX_A_DESC, out);
        size = (gint64) (out->len - start) + 8 * 6;
        g_string_truncate (out, start);
        nx_extra (out, &r, size, cfg->auction_size);
      }
      break;
    default:
      break;
    }
}

static void
bid_string (const NxConfig *cfg, guint64 n, NxField f, GString *out)
{
  NxRng r = nx_rng (cfg, n, NX_B_CHANNEL); /* channel and url share one draw */
  gboolean hot = nx_below (&r, HOT_CHANNELS_RATIO) > 0;
  gint64 which = hot ? nx_below (&r, G_N_ELEMENTS (hot_channels)) : nx_below (&r, NUM_CHANNELS);

  if (f == NX_B_EXTRA)
    {
      NxRng e = nx_rng (cfg, n, f);
      nx_extra (out, &e, 8 * 4, cfg->bid_size);
    }
  else if (f == NX_B_CHANNEL && hot)
    g_string_append (out, hot_channels[which]);
  else if (f == NX_B_CHANNEL)
    g_string_append_printf (out, "channel-%" G_GINT64_FORMAT, which);
  else
    {
      /* a channel's URL never changes: made once per source, on first use */
      gsize k = hot ? (gsize) which : G_N_ELEMENTS (hot_channels) + (gsize) which;

      if (cfg->urls[k] == NULL)
        {
          GString *url = g_string_new (NULL);

          nx_base_url (url, cfg, k);
          if (!hot)
            g_string_append_printf (url, "&channel_id=%d",
                                    (gint32) reverse_bits ((guint32) which));
          cfg->url_lens[k] = (guint32) url->len;
          cfg->urls[k] = g_string_free (url, FALSE);
        }
      g_string_append_len (out, cfg->urls[k], cfg->url_lens[k]);
    }
}

/* A fixed-width field of event n (kind already checked). */
static gint64
nx_number (const NxConfig *cfg, guint64 n, NxField f)
{
  NxRng r = nx_rng (cfg, n, f);

  switch ((int) f)
    {
    case NX_P_ID:
      return last_person (cfg, n) + FIRST_PERSON_ID;
    case NX_A_ID:
      return last_auction (cfg, n) + FIRST_AUCTION_ID;
    case NX_P_TIME: case NX_A_TIME: case NX_B_TIME:
      return nx_time (cfg, n);
    case NX_A_INITIAL:
      return nx_price (&r);
    case NX_A_RESERVE:
      return nx_number (cfg, n, NX_A_INITIAL) + nx_price (&r);
    case NX_A_EXPIRES:
      {
        /* average length: the time until NUM_IN_FLIGHT_AUCTIONS more auctions exist */
        guint64 ahead = (guint64) (NUM_IN_FLIGHT_AUCTIONS * cfg->total / cfg->auction);
        gint64 horizon = nx_time (cfg, n + ahead) - nx_time (cfg, n);

        return nx_time (cfg, n) + 1 + nx_below (&r, MAX (horizon * 2, 1));
      }
    case NX_A_SELLER:
      if (nx_below (&r, cfg->hot_sellers) > 0)
        return last_person (cfg, n) / HOT_BLOCK * HOT_BLOCK + FIRST_PERSON_ID;
      return random_person (cfg, n, &r) + FIRST_PERSON_ID;
    case NX_A_CATEGORY:
      return FIRST_CATEGORY_ID + nx_below (&r, NUM_CATEGORIES);
    case NX_B_AUCTION:
      if (nx_below (&r, cfg->hot_auctions) > 0)
        return last_auction (cfg, n) / HOT_BLOCK * HOT_BLOCK + FIRST_AUCTION_ID;
      return random_auction (cfg, n, &r) + FIRST_AUCTION_ID;
    case NX_B_BIDDER:
      if (nx_below (&r, cfg->hot_bidders) > 0)
        return last_person (cfg, n) / HOT_BLOCK * HOT_BLOCK + 1 + FIRST_PERSON_ID;
      return random_person (cfg, n, &r) + FIRST_PERSON_ID;
    case NX_B_PRICE:
      return nx_price (&r);
    default:
      return 0;
    }
}

/* ---- batches ------------------------------------------------------------------------- */

static gboolean
fill_row (RtNexmarkSource *self, RtBatch *batch, guint row, guint64 n, GError **error)
{
  const NxConfig *cfg = &self->cfg;
  gint kind = nx_kind (cfg, n);

  for (guint c = 0; c < self->n_cols; c++)
    {
      NxField f = self->fields[c];
      RtVector *v = &batch->cols[c];
      GError *local = NULL;

      if (f == NX_EVENT_TYPE)
        {
          ((gint32 *) v->data)[row] = kind;
          continue;
        }
      if (nx_fields[f].kind_of_event != kind)
        {
          rt_vec_set_null (v, row);
          continue;
        }
      if (v->kind != PLAN_TYPE_VARCHAR)
        {
          ((gint64 *) v->data)[row] = nx_number (cfg, n, f);
          continue;
        }
      g_string_truncate (self->buf, 0);
      if (kind == 0)
        person_string (cfg, n, f, self->buf);
      else if (kind == 1)
        auction_string (cfg, n, f, self->buf);
      else
        bid_string (cfg, n, f, self->buf);
      ((RtStr *) v->data)[row] = rt_batch_intern (batch, self->buf->str, self->buf->len, &local);
      if (local != NULL)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
    }
  return TRUE;
}

/* With 'rate.limited': how many events may go now (FALSE: wait until ctx->wake_at_us). */
static gboolean
nexmark_pace (RtNexmarkSource *self, RtOpContext *ctx, guint64 *n)
{
  gint64 now = g_get_monotonic_time ();
  guint64 chunk = (guint64) CLAMP (self->rate / 20, 1, (double) ctx->batch_size);
  double avail;

  if (self->t0_us == 0)
    self->t0_us = now;
  avail = floor (self->rate * (double) (now - self->t0_us) / 1e6) + 1 - (double) self->paced;
  if (avail >= (double) MIN (*n, chunk))
    {
      *n = MIN (*n, (guint64) avail);
      self->paced += *n;
      return TRUE;
    }
  ctx->wake_at_us = self->t0_us
                    + (gint64) ceil ((double) (self->paced + chunk) * 1e6 / self->rate);
  if (ctx->wake_at_us <= now)
    ctx->wake_at_us = now + 1;
  return FALSE;
}

/* Events left in a split (no overflow when unbounded). */
static inline guint64
split_left (const NxSplit *sp)
{
  return sp->next >= sp->end ? 0 : (sp->end - sp->next - 1) / sp->stride + 1;
}

/* The live split with the smallest next event number, or NULL when all are done. */
static NxSplit *
split_first (RtNexmarkSource *self)
{
  NxSplit *best = NULL;

  for (guint i = 0; i < self->splits->len; i++)
    {
      NxSplit *sp = &g_array_index (self->splits, NxSplit, i);

      if (sp->next < sp->end && (best == NULL || sp->next < best->next))
        best = sp;
    }
  return best;
}

static RtResult
nexmark_produce (RtOperator *op, GError **error)
{
  RtNexmarkSource *self = (RtNexmarkSource *) op;
  RtOpContext *ctx = op->ctx;
  g_autoptr (RtBatch) batch = NULL;
  guint64 left = 0, n;
  RtResult res;

  for (guint i = 0; i < self->splits->len && left < ctx->batch_size; i++)
    left += split_left (&g_array_index (self->splits, NxSplit, i));
  if (left == 0)
    return RT_DONE;
  n = MIN (left, (guint64) ctx->batch_size);
  if (self->rate_limited && !nexmark_pace (self, ctx, &n))
    return RT_WAIT;
  batch = rt_batch_new (ctx->pool, self->schema, ctx->batch_size, error);
  if (batch == NULL)
    return RT_FAIL;
  /* up to n rows; with a wanted kind, events of other kinds are passed over (at most 8
   * batches' worth per call, so a kind that never comes cannot keep the task here) */
  for (guint r = 0, seen = 0; r < n && seen < 8 * ctx->batch_size; seen++)
    {
      NxSplit *sp = split_first (self);
      guint64 event;

      if (sp == NULL)
        break;
      event = sp->next;
      sp->next = sp->end - sp->next <= sp->stride ? sp->end : sp->next + sp->stride;
      op->rows_in++;
      if (self->want_kind >= 0 && nx_kind (&self->cfg, event) != self->want_kind)
        continue;
      if (!fill_row (self, batch, r, event, error))
        return RT_FAIL;
      batch->n_rows = ++r;
    }
  res = rt__source_emit (op, &self->filter, batch, error);
  if (res == RT_OK && split_first (self) == NULL)
    res = RT_DONE;
  return res;
}

/* ---- checkpoints ------------------------------------------------------------------- */

static gboolean
nexmark_snapshot (RtOperator *op, gint64 id, RtStateOut *out, GError **error)
{
  RtNexmarkSource *self = (RtNexmarkSource *) op;

  for (guint i = 0; i < self->splits->len; i++)
    {
      const NxSplit *sp = &g_array_index (self->splits, NxSplit, i);

      if (sp->next >= sp->end)
        continue;
      rt_state_begin (out, RT_STATE_LIST);
      rt_state_put_u64 (out, self->fingerprint);
      rt_state_put_u64 (out, sp->next);
      rt_state_put_u64 (out, sp->stride);
      rt_state_put_u64 (out, sp->end);
      rt_state_end (out);
    }
  return TRUE;
}

static gboolean
nexmark_restore (RtOperator *op, RtStateIn *in, GError **error)
{
  RtNexmarkSource *self = (RtNexmarkSource *) op;

  g_array_set_size (self->splits, 0); /* the restored splits replace the fresh one */
  while (rt_state_next (in, NULL))
    {
      NxSplit sp = { 0 };
      guint64 fingerprint = 0;

      if (!rt_state_get_u64 (in, &fingerprint) || !rt_state_get_u64 (in, &sp.next)
          || !rt_state_get_u64 (in, &sp.stride) || !rt_state_get_u64 (in, &sp.end)
          || sp.stride == 0)
        return rt_state_malformed (in, op, error);
      if (fingerprint != self->fingerprint)
        {
          g_set_error (error, RT_ERROR, RT_ERROR_CHECKPOINT, "nexmark table '%s': the "
                       "checkpoint was taken with other generator options (events.num, "
                       "first-event.rate, the proportions, sizes, hot ratios, seed or "
                       "base-time), so restoring it cannot continue the same event "
                       "sequence: restore with the table's original options or start the "
                       "job without the checkpoint", self->table);
          return FALSE;
        }
      g_array_append_val (self->splits, sp);
    }
  return TRUE;
}

static void
nexmark_close (RtOperator *op)
{
  RtNexmarkSource *self = (RtNexmarkSource *) op;

  g_clear_pointer (&self->schema, plan_schema_unref);
  g_clear_pointer (&self->fields, g_free);
  if (self->cfg.urls != NULL)
    for (guint k = 0; k < NUM_URLS; k++)
      g_free (self->cfg.urls[k]);
  g_clear_pointer (&self->cfg.urls, g_free);
  g_clear_pointer (&self->cfg.url_lens, g_free);
  if (self->buf != NULL)
    g_string_free (g_steal_pointer (&self->buf), TRUE);
  rt__source_filter_clear (&self->filter);
  g_clear_pointer (&self->splits, g_array_unref);
  g_clear_pointer (&self->table, g_free);
}

static const RtOperatorClass nexmark_class = {
  .name = "nexmark",
  .instance_size = sizeof (RtNexmarkSource),
  .produce = nexmark_produce,
  .close = nexmark_close,
  .snapshot = nexmark_snapshot,
  .restore = nexmark_restore,
};

/* ---- options ------------------------------------------------------------------------- */

static const char *const nexmark_known[] = {
  "connector", "first-event.rate", "next-event.rate", "rate.shape", "rate.period",
  "rate.limited", "events.num", "person.proportion", "auction.proportion", "bid.proportion",
  "person.avg-size", "auction.avg-size", "bid.avg-size", "bid.hot-ratio.auctions",
  "bid.hot-ratio.bidders", "auction.hot-ratio.sellers", "seed", "base-time", "keep-alive",
  "max-emit-speed", NULL,
};

static gboolean
option_size (const PlanTable *table, const char *key, const char *value, gint64 *out,
             GError **error)
{
  if (!plan_parse_bytes (value, out) || *out < 0 || *out > 1 << 20)
    return rt__option_error (error, table, key, value, "expected a size such as '100b' (at "
                             "most 1 MiB)");
  return TRUE;
}

static gboolean
nexmark_option (RtNexmarkSource *self, const PlanTable *table, const char *key,
                const char *value, gint64 *rate, gint64 *events, GError **error)
{
  NxConfig *cfg = &self->cfg;
  gint64 seed = 0;

  if (strcmp (key, "first-event.rate") == 0)
    return rt__option_int64 (table, key, value, 1, G_MAXINT32, rate, error);
  if (strcmp (key, "events.num") == 0)
    return rt__option_int64 (table, key, value, 0, G_MAXINT64, events, error);
  if (strcmp (key, "person.proportion") == 0)
    return rt__option_int64 (table, key, value, 1, 1000000, &cfg->person, error);
  if (strcmp (key, "auction.proportion") == 0)
    return rt__option_int64 (table, key, value, 1, 1000000, &cfg->auction, error);
  if (strcmp (key, "bid.proportion") == 0)
    return rt__option_int64 (table, key, value, 0, 1000000, &cfg->bid, error);
  if (strcmp (key, "person.avg-size") == 0)
    return option_size (table, key, value, &cfg->person_size, error);
  if (strcmp (key, "auction.avg-size") == 0)
    return option_size (table, key, value, &cfg->auction_size, error);
  if (strcmp (key, "bid.avg-size") == 0)
    return option_size (table, key, value, &cfg->bid_size, error);
  if (strcmp (key, "bid.hot-ratio.auctions") == 0)
    return rt__option_int64 (table, key, value, 1, 1000000, &cfg->hot_auctions, error);
  if (strcmp (key, "bid.hot-ratio.bidders") == 0)
    return rt__option_int64 (table, key, value, 1, 1000000, &cfg->hot_bidders, error);
  if (strcmp (key, "auction.hot-ratio.sellers") == 0)
    return rt__option_int64 (table, key, value, 1, 1000000, &cfg->hot_sellers, error);
  if (strcmp (key, "rate.limited") == 0)
    return rt__option_bool (table, key, value, &self->rate_limited, error);
  if (strcmp (key, "seed") == 0)
    {
      if (!rt__option_int64 (table, key, value, G_MININT64, G_MAXINT64, &seed, error))
        return FALSE;
      cfg->seed = (guint64) seed;
      return TRUE;
    }
  if (strcmp (key, "base-time") == 0 && !plan_parse_timestamp (value, strlen (value),
                                                                &cfg->base_ms))
    return rt__option_error (error, table, key, value,
                             "expected a timestamp 'YYYY-MM-DD HH:MM:SS'");
  return TRUE; /* accepted and ignored: next-event.rate, rate.shape, ... */
}

/* A hash of everything that decides the events (not the pacing). */
static guint64
nexmark_fingerprint (const NxConfig *cfg, guint64 end)
{
  const gint64 parts[] = { cfg->person, cfg->auction, cfg->bid, cfg->person_size,
                           cfg->auction_size, cfg->bid_size, cfg->hot_auctions,
                           cfg->hot_bidders, cfg->hot_sellers, cfg->base_ms,
                           (gint64) cfg->seed, (gint64) end };
  NxRng r = { G_GUINT64_CONSTANT (0x6e65786d61726b) };
  guint64 delay_bits;
  guint64 h = 0;

  memcpy (&delay_bits, &cfg->delay_us, sizeof delay_bits);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      r.x ^= (guint64) parts[i];
      h ^= nx_next (&r);
    }
  r.x ^= delay_bits;
  return h ^ nx_next (&r);
}

static gboolean
nexmark_configure (RtNexmarkSource *self, const PlanTable *table, guint subtask,
                   guint parallelism, GError **error)
{
  NxConfig *cfg = &self->cfg;
  gint64 rate = 10000, events = 0;
  NxSplit split = { subtask, parallelism, 0 };

  *cfg = (NxConfig) { .person = 1, .auction = 3, .bid = 46, .person_size = 200,
                      .auction_size = 500, .bid_size = 100, .hot_auctions = 2,
                      .hot_bidders = 4, .hot_sellers = 4 };
  plan_parse_timestamp ("2024-01-01 00:00:00", 19, &cfg->base_ms);
  if (!rt__options_check_known (table, "nexmark", nexmark_known, NULL, error))
    return FALSE;
  for (guint i = 0; i + 1 < table->options->len; i += 2)
    if (!nexmark_option (self, table, g_ptr_array_index (table->options, i),
                         g_ptr_array_index (table->options, i + 1), &rate, &events, error))
      return FALSE;
  cfg->total = cfg->person + cfg->auction + cfg->bid;
  cfg->urls = g_new0 (char *, NUM_URLS);
  cfg->url_lens = g_new0 (guint32, NUM_URLS);
  cfg->delay_us = 1e6 / (double) rate;
  self->rate = (double) rate / parallelism;
  split.end = events > 0 ? (guint64) events : G_MAXUINT64;
  g_array_append_val (self->splits, split);
  self->fingerprint = nexmark_fingerprint (cfg, split.end);
  return TRUE;
}

/* Maps the scanned columns to generator fields, checking names and types. */
static gboolean
nexmark_columns (RtNexmarkSource *self, const PlanPhysNode *node, GError **error)
{
  const PlanTable *table = node->u.source.table;

  self->n_cols = node->u.source.n_columns;
  self->fields = g_new0 (NxField, self->n_cols + 1);
  for (guint i = 0; i < self->n_cols; i++)
    {
      const PlanField *col = &table->schema->fields[node->u.source.columns[i]];
      guint f = 0;

      while (f < NX__COUNT && g_ascii_strcasecmp (nx_fields[f].name, col->name) != 0)
        f++;
      if (f == NX__COUNT)
        return rt__option_error (error, table, "connector", "nexmark", "column '%s' is not "
                                 "one the generator makes: declare the table as in the Nexmark "
                                 "DDL (share/nexmark/ddl.sql)", col->name);
      if (col->type.kind != nx_fields[f].kind || !col->type.nullable)
        {
          g_autofree char *want = plan_type_to_string (plan_type_make (nx_fields[f].kind, TRUE),
                                                       FALSE);
          return rt__option_error (error, table, "connector", "nexmark", "column '%s' must be "
                                   "a nullable %s, as in the Nexmark DDL", col->name, want);
        }
      self->fields[i] = (NxField) f;
    }
  return TRUE;
}

/* The event kind an `event_type = k` conjunct of the pushed filter keeps, or -1. The
 * filter still runs over every batch; this only spares making the events it would drop
 * (in q0-q2, one event in twelve is a person or an auction). */
static gint
wanted_kind (const RtNexmarkSource *self, const PlanExpr *e)
{
  const PlanExpr *col, *lit;

  if (e == NULL || e->kind != PLAN_EXPR_CALL)
    return -1;
  if (e->u.call.func == PLAN_FUNC_AND)
    {
      for (guint i = 0; i < e->u.call.n_args; i++)
        {
          gint k = wanted_kind (self, e->u.call.args[i]);

          if (k >= 0)
            return k;
        }
      return -1;
    }
  if (e->u.call.func != PLAN_FUNC_EQ || e->u.call.n_args != 2)
    return -1;
  col = e->u.call.args[0];
  lit = e->u.call.args[1];
  if (col->kind == PLAN_EXPR_LITERAL)
    {
      const PlanExpr *t = col;

      col = lit;
      lit = t;
    }
  if (col->kind != PLAN_EXPR_COLUMN || lit->kind != PLAN_EXPR_LITERAL
      || col->u.column >= self->n_cols || self->fields[col->u.column] != NX_EVENT_TYPE
      || lit->u.literal.is_null || lit->u.literal.type.kind != PLAN_TYPE_INT
      || lit->u.literal.v.i < 0 || lit->u.literal.v.i > 2)
    return -1;
  return (gint) lit->u.literal.v.i;
}

RtOperator *
rt__source_nexmark_new (const PlanPhysNode *node, guint subtask, guint parallelism,
                        GError **error)
{
  RtNexmarkSource *self;

  self = (RtNexmarkSource *) rt_operator_new (&nexmark_class, node->id);
  self->schema = plan_schema_ref (node->schema);
  self->buf = g_string_sized_new (256);
  self->splits = g_array_new (FALSE, FALSE, sizeof (NxSplit));
  self->table = g_strdup (node->u.source.table->name);
  if (!nexmark_configure (self, node->u.source.table, subtask, parallelism, error)
      || !nexmark_columns (self, node, error)
      || !rt__source_filter_init (&self->filter, node, error))
    {
      rt_operator_free (&self->base);
      return NULL;
    }
  /* paced sources count every event against the rate: they make them all */
  self->want_kind = self->rate_limited ? -1 : wanted_kind (self, node->u.source.filter);
  return &self->base;
}
