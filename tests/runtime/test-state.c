/* test-state.c: the bytes of a checkpoint state file (rt-state.c): the varint coding of
 * integers and lengths, NULL versus empty strings, the checksum (against the published
 * CRC-32C check value, on both the instruction path and the table path), and that damaged
 * payloads are refused rather than read past their end. Expected bytes are worked out by
 * hand from LEB128 and zigzag coding. */
#include "runtime/engine/rt-checkpoint-private.h"

#include <string.h>

#define HEADER (8 + 12)

/* The payload of the only entry of a finished file. */
static const guint8 *
only_payload (GBytes *bytes, guint32 *len)
{
  gsize n;
  const guint8 *d = g_bytes_get_data (bytes, &n);
  guint16 kg;

  g_assert_cmpuint (n, >=, HEADER + 6 + 4);
  memcpy (&kg, d + HEADER, 2);
  g_assert_cmpuint (kg, ==, 7);
  memcpy (len, d + HEADER + 2, 4);
  g_assert_cmpuint (HEADER + 6 + *len + 4, ==, n);
  return d + HEADER + 6;
}

static void
test_crc (void)
{
  const char *check = "123456789";
  g_autofree guint8 *big = g_malloc (1000);

  /* CRC-32C's published check value for "123456789". */
  g_assert_cmphex (rt__crc32c (check, 9), ==, 0xE3069283u);
  g_assert_cmphex (rt__crc32c_portable (check, 9), ==, 0xE3069283u);
  g_assert_cmphex (rt__crc32c ("", 0), ==, 0);
  /* Every length and alignment agrees between the two paths. */
  for (guint i = 0; i < 1000; i++)
    big[i] = (guint8) (i * 7 + 3);
  for (guint off = 0; off < 9; off++)
    for (guint len = 0; len + off <= 1000; len += 37)
      g_assert_cmphex (rt__crc32c (big + off, len), ==, rt__crc32c_portable (big + off, len));
}

static void
test_varint_bytes (void)
{
  RtStateOut *out = rt__state_out_new (1, 0, 1);
  g_autoptr (GBytes) bytes = NULL;
  /* 300 = 0b10_0101100: low seven bits 0x2C with the continuation bit, then 0x02;
   * zigzag maps -1 to 1, 1 to 2, -64 to 127 (one byte), 64 to 128 (two bytes);
   * a NULL string is length 0, "" is length 1 (len + 1), "ab" is 3 then the bytes. */
  const guint8 want[] = { 0xAC, 0x02, 0x01, 0x02, 0x7F, 0x80, 0x01, 0x00, 0x01, 0x03, 'a',
                          'b', 0x00 };
  const guint8 *p;
  guint32 len;

  rt_state_begin (out, 7);
  rt_state_put_u64 (out, 300);
  rt_state_put_i64 (out, -1);
  rt_state_put_i64 (out, 1);
  rt_state_put_i64 (out, -64);
  rt_state_put_i64 (out, 64);
  rt_state_put_string (out, NULL);
  rt_state_put_string (out, "");
  rt_state_put_string (out, "ab");
  rt_state_put_bytes (out, NULL, 0);
  rt_state_end (out);
  bytes = rt__state_out_finish (out);
  rt__state_out_free (out);
  p = only_payload (bytes, &len);
  g_assert_cmpmem (p, len, want, sizeof want);
}

static void
test_round_trip (void)
{
  const gint64 ints[] = { 0, 1, -1, 63, -64, 64, -65, 1000000, G_MININT64, G_MAXINT64 };
  RtStateOut *out = rt__state_out_new (3, 1, 2);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GError) error = NULL;
  RtStateIn *in = rt__state_in_new ();
  PlanValue s = { 0 }, got = { 0 };
  guint list_index = 0, kg;
  guint64 u;
  gint64 v;
  double d;
  char *str;
  const guint8 *raw;
  gsize raw_len;

  s.type = plan_type_make (PLAN_TYPE_VARCHAR, TRUE);
  s.v.s = (char *) "Kiel";
  rt_state_begin (out, 7);
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    rt_state_put_i64 (out, ints[i]);
  rt_state_put_u64 (out, G_MAXUINT64);
  rt_state_put_double (out, -2.5);
  rt_state_put_string (out, NULL);
  rt_state_put_string (out, "");
  rt_state_put_bytes (out, "xyz", 3);
  rt_state_put_value (out, &s);
  rt_state_end (out);
  bytes = rt__state_out_finish (out);
  rt__state_out_free (out);

  g_assert_true (rt__state_file_check (bytes, "t.state", NULL, &error));
  g_assert_no_error (error);
  /* key group 7 belongs to subtask 0 of 1 */
  g_assert_true (rt__state_in_add_file (in, bytes, "t.state", 0, 1, RT_LISTS_ALL,
                                        &list_index, &error));
  g_assert_true (rt_state_next (in, &kg));
  g_assert_cmpuint (kg, ==, 7);
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      g_assert_true (rt_state_get_i64 (in, &v));
      g_assert_cmpint (v, ==, ints[i]);
    }
  g_assert_true (rt_state_get_u64 (in, &u));
  g_assert_cmpuint (u, ==, G_MAXUINT64);
  g_assert_true (rt_state_get_double (in, &d));
  g_assert_cmpfloat (d, ==, -2.5);
  g_assert_true (rt_state_get_string (in, &str));
  g_assert_null (str);
  g_assert_true (rt_state_get_string (in, &str));
  g_assert_cmpstr (str, ==, "");
  g_free (str);
  g_assert_true (rt_state_get_bytes (in, &raw, &raw_len));
  g_assert_cmpmem (raw, raw_len, "xyz", 3);
  g_assert_true (rt_state_get_value (in, &got));
  g_assert_cmpint (got.type.kind, ==, PLAN_TYPE_VARCHAR);
  g_assert_cmpstr (got.v.s, ==, "Kiel");
  plan_value_clear (&got);
  /* the entry is used up: one more read fails instead of reading the checksum */
  g_assert_false (rt_state_get_i64 (in, &v));
  g_assert_false (rt_state_next (in, &kg));
  rt__state_in_free (in);
}

/* Builds a file with one entry holding payload, for the malformed cases. */
static GBytes *
file_with_payload (const guint8 *payload, gsize n)
{
  RtStateOut *out = rt__state_out_new (1, 0, 1);
  GBytes *bytes;

  /* n one-byte varints make an entry of the right length; their bytes are then replaced
   * by the payload's (which have high bits set) and the checksum recomputed */
  rt_state_begin (out, 7);
  for (gsize i = 0; i < n; i++)
    rt_state_put_u64 (out, payload[i] & 0x7F);
  rt_state_end (out);
  bytes = rt__state_out_finish (out);
  rt__state_out_free (out);
  {
    gsize len;
    guint8 *d = g_bytes_unref_to_data (bytes, &len);
    guint32 crc;

    memcpy (d + HEADER + 6, payload, n);
    crc = rt__crc32c (d, len - 4);
    memcpy (d + len - 4, &crc, 4);
    return g_bytes_new_take (d, len);
  }
}

static RtStateIn *
read_back (GBytes *bytes)
{
  RtStateIn *in = rt__state_in_new ();
  g_autoptr (GError) error = NULL;
  guint list_index = 0, kg;

  g_assert_true (rt__state_file_check (bytes, "m.state", NULL, &error));
  g_assert_true (rt__state_in_add_file (in, bytes, "m.state", 0, 1, RT_LISTS_ALL,
                                        &list_index, &error));
  g_assert_no_error (error);
  g_assert_true (rt_state_next (in, &kg));
  return in;
}

static void
test_malformed (void)
{
  /* a varint whose last byte still says "more follows" */
  const guint8 cut[] = { 0x81, 0x80 };
  /* a string claiming 10 bytes (length 11 coded) where 2 follow */
  const guint8 long_str[] = { 0x0B, 'a', 'b' };
  /* eleven continuation bytes: longer than any 64-bit varint */
  const guint8 endless[] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                             0xFF };
  GBytes *b;
  RtStateIn *in;
  gint64 v;
  char *s = (char *) "unset";
  const guint8 *raw;
  gsize n;

  b = file_with_payload (cut, sizeof cut);
  in = read_back (b);
  g_assert_false (rt_state_get_i64 (in, &v));
  g_assert_cmpint (v, ==, 0);
  rt__state_in_free (in);
  g_bytes_unref (b);

  b = file_with_payload (long_str, sizeof long_str);
  in = read_back (b);
  g_assert_false (rt_state_get_string (in, &s));
  g_assert_null (s);
  rt__state_in_free (in);
  in = read_back (b);
  g_assert_false (rt_state_get_bytes (in, &raw, &n));
  rt__state_in_free (in);
  g_bytes_unref (b);

  b = file_with_payload (endless, sizeof endless);
  in = read_back (b);
  g_assert_false (rt_state_get_i64 (in, &v));
  /* once bad, an entry stays bad */
  g_assert_false (rt_state_get_i64 (in, &v));
  rt__state_in_free (in);
  g_bytes_unref (b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/state/crc32c", test_crc);
  g_test_add_func ("/runtime/state/varint-bytes", test_varint_bytes);
  g_test_add_func ("/runtime/state/round-trip", test_round_trip);
  g_test_add_func ("/runtime/state/malformed", test_malformed);
  return g_test_run ();
}
