/* tpch-gen.c: `strom-tpch-gen`, a TPC-H-shaped data generator (our own code, following the
 * column shapes and value distributions the TPC-H specification documents in its section
 * 4.2), writing the eight tables as CSV files with a header line into a directory.
 *
 *   strom-tpch-gen [--scale SF] [--seed N] [--dir DIR]
 *
 * Row counts follow the specification: supplier 10,000 x SF, customer 150,000 x SF, part
 * 200,000 x SF, partsupp four per part, orders 1,500,000 x SF with one to seven lineitems
 * each (about 6,000,000 x SF), and the fixed 25 nations in 5 regions. Keys are dense
 * except o_orderkey, which like the specification uses only the first 8 of every 32 keys.
 * Values are drawn from one seeded generator (GRand), so a seed and scale factor always
 * give the same files; the exact streams of the official dbgen are not reproduced. Dates
 * follow the specification's window (orders 1992-01-01 .. 1998-08-02, ship 1 .. 121 days
 * later, receipt 1 .. 30 days after that, "current date" 1995-06-17 deciding return flags
 * and line status); prices, discounts, taxes and comments follow its ranges. Text never
 * contains commas or quotes, so the CSV needs no quoting. SF 0.01 makes about 87,000 rows
 * in total, small enough for tests. */
#include <glib.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  GRand *rand;
  double sf;
  char *dir;
  gint64 n_supp, n_cust, n_part, n_orders;
} Gen;

static const char *const regions[] = { "AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST" };
static const struct {
  const char *name;
  int region;
} nations[] = {
  { "ALGERIA", 0 }, { "ARGENTINA", 1 }, { "BRAZIL", 1 }, { "CANADA", 1 }, { "EGYPT", 4 },
  { "ETHIOPIA", 0 }, { "FRANCE", 3 }, { "GERMANY", 3 }, { "INDIA", 2 }, { "INDONESIA", 2 },
  { "IRAN", 4 }, { "IRAQ", 4 }, { "JAPAN", 2 }, { "JORDAN", 4 }, { "KENYA", 0 },
  { "MOROCCO", 0 }, { "MOZAMBIQUE", 0 }, { "PERU", 1 }, { "CHINA", 2 }, { "ROMANIA", 3 },
  { "SAUDI ARABIA", 4 }, { "VIETNAM", 2 }, { "RUSSIA", 3 }, { "UNITED KINGDOM", 3 },
  { "UNITED STATES", 1 },
};
static const char *const segments[] = { "AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY",
                                        "HOUSEHOLD" };
static const char *const priorities[] = { "1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED",
                                          "5-LOW" };
static const char *const instructs[] = { "DELIVER IN PERSON", "COLLECT COD", "NONE",
                                         "TAKE BACK RETURN" };
static const char *const modes[] = { "REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB" };
static const char *const type_s1[] = { "STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY",
                                       "PROMO" };
static const char *const type_s2[] = { "ANODIZED", "BURNISHED", "PLATED", "POLISHED",
                                       "BRUSHED" };
static const char *const type_s3[] = { "TIN", "NICKEL", "BRASS", "STEEL", "COPPER" };
static const char *const cont_s1[] = { "SM", "LG", "MED", "JUMBO", "WRAP" };
static const char *const cont_s2[] = { "CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN",
                                       "DRUM" };
static const char *const colors[] = {
  "almond", "antique", "aquamarine", "azure", "beige", "bisque", "black", "blanched", "blue",
  "blush", "brown", "burlywood", "burnished", "chartreuse", "chiffon", "chocolate", "coral",
  "cornflower", "cornsilk", "cream", "cyan", "dark", "deep", "dim", "dodger", "drab",
  "firebrick", "floral", "forest", "frosted", "gainsboro", "ghost", "goldenrod", "green",
  "grey", "honeydew", "hot", "indian", "ivory", "khaki", "lace", "lavender", "lawn", "lemon",
  "light", "lime", "linen", "magenta", "maroon", "medium", "metallic", "midnight", "mint",
  "misty", "moccasin", "navajo", "navy", "olive", "orange", "orchid", "pale", "papaya",
  "peach", "peru", "pink", "plum", "powder", "puff", "purple", "red", "rose", "rosy", "royal",
  "saddle", "salmon", "sandy", "seashell", "sienna", "sky", "slate", "smoke", "snow",
  "spring", "steel", "tan", "thistle", "tomato", "turquoise", "violet", "wheat", "white",
  "yellow",
};
static const char *const words[] = {
  "furiously", "quickly", "carefully", "blithely", "slyly", "ironic", "final", "regular",
  "express", "pending", "bold", "special", "unusual", "even", "silent", "packages",
  "deposits", "requests", "accounts", "instructions", "theodolites", "foxes", "ideas",
  "pinto", "beans", "dependencies", "platelets", "asymptotes", "courts", "dolphins", "sleep",
  "wake", "haggle", "nag", "use", "boost", "affix", "detect", "integrate", "among", "above",
  "after", "against", "along", "across",
};

#define N_OF(a) ((int) G_N_ELEMENTS (a))
#define DAY_1992_01_01 8035  /* days since 1970-01-01 */
#define DAY_CURRENT 9298     /* 1995-06-17 */
#define ORDER_DAYS 2405      /* 1992-01-01 .. 1998-08-02 (1998-12-31 minus 151 days) */

static int
pick (Gen *g, int n)
{
  return (int) g_rand_int_range (g->rand, 0, n);
}

static gint64
range (Gen *g, gint64 lo, gint64 hi)
{
  return lo + (gint64) (g_rand_double (g->rand) * (double) (hi - lo + 1));
}

static void
put_comment (Gen *g, GString *s, int min_words, int max_words)
{
  int n = (int) range (g, min_words, max_words);

  for (int i = 0; i < n; i++)
    g_string_append_printf (s, "%s%s", i ? " " : "", words[pick (g, N_OF (words))]);
}

/* Letters and digits, 10 to 40 of them (the specification's v-string). */
static void
put_address (Gen *g, GString *s)
{
  static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  int n = (int) range (g, 10, 40);

  for (int i = 0; i < n; i++)
    g_string_append_c (s, alnum[pick (g, (int) sizeof alnum - 1)]);
}

static void
put_money (GString *s, gint64 cents)
{
  g_string_append_printf (s, "%s%" G_GINT64_FORMAT ".%02d", cents < 0 ? "-" : "",
                          ABS (cents) / 100, (int) (ABS (cents) % 100));
}

static void
put_date (GString *s, int days)
{
  GDate d;

  g_date_clear (&d, 1);
  g_date_set_julian (&d, (guint32) (days + 719163)); /* julian day 1 is 0001-01-01 */
  g_string_append_printf (s, "%04d-%02d-%02d", g_date_get_year (&d), g_date_get_month (&d),
                          g_date_get_day (&d));
}

static void
put_phone (Gen *g, GString *s, int nation)
{
  g_string_append_printf (s, "%d-%03d-%03d-%04d", nation + 10, (int) range (g, 100, 999),
                          (int) range (g, 100, 999), (int) range (g, 1000, 9999));
}

static FILE *
open_table (Gen *g, const char *name, const char *header)
{
  g_autofree char *file = g_strdup_printf ("%s.csv", name);
  g_autofree char *path = g_build_filename (g->dir, file, NULL);
  FILE *fp = fopen (path, "w");

  if (fp == NULL)
    {
      g_printerr ("strom-tpch-gen: cannot write %s: %s\n", path, g_strerror (errno));
      exit (1);
    }
  fprintf (fp, "%s\n", header);
  return fp;
}

static void
flush_line (FILE *fp, GString *s)
{
  g_string_append_c (s, '\n');
  fwrite (s->str, 1, s->len, fp);
  g_string_truncate (s, 0);
}

static void
gen_region_nation (Gen *g, GString *s)
{
  FILE *fp = open_table (g, "region", "r_regionkey,r_name,r_comment");

  for (int i = 0; i < N_OF (regions); i++)
    {
      g_string_append_printf (s, "%d,%s,", i, regions[i]);
      put_comment (g, s, 4, 12);
      flush_line (fp, s);
    }
  fclose (fp);
  fp = open_table (g, "nation", "n_nationkey,n_name,n_regionkey,n_comment");
  for (int i = 0; i < N_OF (nations); i++)
    {
      g_string_append_printf (s, "%d,%s,%d,", i, nations[i].name, nations[i].region);
      put_comment (g, s, 4, 14);
      flush_line (fp, s);
    }
  fclose (fp);
}

static void
gen_supplier (Gen *g, GString *s)
{
  FILE *fp = open_table (g, "supplier", "s_suppkey,s_name,s_address,s_nationkey,s_phone,"
                         "s_acctbal,s_comment");

  for (gint64 k = 1; k <= g->n_supp; k++)
    {
      int nation = pick (g, N_OF (nations));

      g_string_append_printf (s, "%" G_GINT64_FORMAT ",Supplier#%09" G_GINT64_FORMAT ",", k, k);
      put_address (g, s);
      g_string_append_printf (s, ",%d,", nation);
      put_phone (g, s, nation);
      g_string_append_c (s, ',');
      put_money (s, range (g, -99999, 999999));
      g_string_append_c (s, ',');
      put_comment (g, s, 4, 14);
      flush_line (fp, s);
    }
  fclose (fp);
}

static void
gen_customer (Gen *g, GString *s)
{
  FILE *fp = open_table (g, "customer", "c_custkey,c_name,c_address,c_nationkey,c_phone,"
                         "c_acctbal,c_mktsegment,c_comment");

  for (gint64 k = 1; k <= g->n_cust; k++)
    {
      int nation = pick (g, N_OF (nations));

      g_string_append_printf (s, "%" G_GINT64_FORMAT ",Customer#%09" G_GINT64_FORMAT ",", k, k);
      put_address (g, s);
      g_string_append_printf (s, ",%d,", nation);
      put_phone (g, s, nation);
      g_string_append_c (s, ',');
      put_money (s, range (g, -99999, 999999));
      g_string_append_printf (s, ",%s,", segments[pick (g, N_OF (segments))]);
      put_comment (g, s, 6, 20);
      flush_line (fp, s);
    }
  fclose (fp);
}

/* The specification's retail price formula, in cents. */
static gint64
retail_cents (gint64 partkey)
{
  return 90000 + (partkey / 10) % 20001 + 100 * (partkey % 1000);
}

/* Supplier i (0..3) of a part, as the specification spreads them. */
static gint64
part_supplier (const Gen *g, gint64 partkey, int i)
{
  gint64 s = g->n_supp;

  return (partkey + i * (s / 4 + (partkey - 1) / s)) % s + 1;
}

static void
gen_part (Gen *g, GString *s)
{
  FILE *fp = open_table (g, "part", "p_partkey,p_name,p_mfgr,p_brand,p_type,p_size,"
                         "p_container,p_retailprice,p_comment");
  FILE *ps = open_table (g, "partsupp", "ps_partkey,ps_suppkey,ps_availqty,ps_supplycost,"
                         "ps_comment");

  for (gint64 k = 1; k <= g->n_part; k++)
    {
      int m = (int) range (g, 1, 5);

      g_string_append_printf (s, "%" G_GINT64_FORMAT ",", k);
      for (int w = 0; w < 5; w++)
        g_string_append_printf (s, "%s%s", w ? " " : "", colors[pick (g, N_OF (colors))]);
      g_string_append_printf (s, ",Manufacturer#%d,Brand#%d%d,%s %s %s,%d,%s %s,", m, m,
                              (int) range (g, 1, 5), type_s1[pick (g, N_OF (type_s1))],
                              type_s2[pick (g, N_OF (type_s2))],
                              type_s3[pick (g, N_OF (type_s3))], (int) range (g, 1, 50),
                              cont_s1[pick (g, N_OF (cont_s1))],
                              cont_s2[pick (g, N_OF (cont_s2))]);
      put_money (s, retail_cents (k));
      g_string_append_c (s, ',');
      put_comment (g, s, 2, 5);
      flush_line (fp, s);
      for (int i = 0; i < 4; i++)
        {
          g_string_append_printf (s, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%d,", k,
                                  part_supplier (g, k, i), (int) range (g, 1, 9999));
          put_money (s, range (g, 100, 100000));
          g_string_append_c (s, ',');
          put_comment (g, s, 8, 25);
          flush_line (ps, s);
        }
    }
  fclose (fp);
  fclose (ps);
}

/* One order and its lineitems; the order line is written after its items decide the
 * status and the total price. */
static void
gen_order (Gen *g, gint64 i, FILE *ofp, FILE *lfp, GString *s, GString *items)
{
  gint64 key = (i / 8) * 32 + i % 8 + 1, cust;
  int odate = DAY_1992_01_01 + (int) range (g, 0, ORDER_DAYS - 1);
  int n_items = (int) range (g, 1, 7), n_open = 0;
  double total = 0;

  do /* a third of the customers (keys divisible by 3) place no orders */
    cust = range (g, 1, g->n_cust);
  while (cust % 3 == 0 && g->n_cust > 2);
  for (int ln = 1; ln <= n_items; ln++)
    {
      gint64 part = range (g, 1, g->n_part), qty = range (g, 1, 50);
      gint64 price = qty * retail_cents (part);
      int disc = (int) range (g, 0, 10), tax = (int) range (g, 0, 8);
      int ship = odate + (int) range (g, 1, 121), commit = odate + (int) range (g, 30, 90);
      int receipt = ship + (int) range (g, 1, 30);
      char flag = receipt <= DAY_CURRENT ? (pick (g, 2) ? 'R' : 'A') : 'N';
      char status = ship > DAY_CURRENT ? 'O' : 'F';

      n_open += status == 'O';
      total += price / 100.0 * (1 + tax / 100.0) * (1 - disc / 100.0);
      g_string_append_printf (items, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%"
                              G_GINT64_FORMAT ",%d,%" G_GINT64_FORMAT ",", key, part,
                              part_supplier (g, part, pick (g, 4)), ln, qty);
      put_money (items, price);
      g_string_append_printf (items, ",0.%02d,0.%02d,%c,%c,", disc, tax, flag, status);
      put_date (items, ship);
      g_string_append_c (items, ',');
      put_date (items, commit);
      g_string_append_c (items, ',');
      put_date (items, receipt);
      g_string_append_printf (items, ",%s,%s,", instructs[pick (g, N_OF (instructs))],
                              modes[pick (g, N_OF (modes))]);
      put_comment (g, items, 2, 6);
      flush_line (lfp, items);
    }
  g_string_append_printf (s, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%c,", key, cust,
                          n_open == n_items ? 'O' : n_open == 0 ? 'F' : 'P');
  put_money (s, (gint64) (total * 100 + 0.5));
  g_string_append_c (s, ',');
  put_date (s, odate);
  g_string_append_printf (s, ",%s,Clerk#%09d,0,", priorities[pick (g, N_OF (priorities))],
                          (int) range (g, 1, MAX ((int) (g->sf * 1000), 1)));
  put_comment (g, s, 4, 12);
  flush_line (ofp, s);
}

static void
gen_orders (Gen *g, GString *s)
{
  FILE *ofp = open_table (g, "orders", "o_orderkey,o_custkey,o_orderstatus,o_totalprice,"
                          "o_orderdate,o_orderpriority,o_clerk,o_shippriority,o_comment");
  FILE *lfp = open_table (g, "lineitem", "l_orderkey,l_partkey,l_suppkey,l_linenumber,"
                          "l_quantity,l_extendedprice,l_discount,l_tax,l_returnflag,"
                          "l_linestatus,l_shipdate,l_commitdate,l_receiptdate,"
                          "l_shipinstruct,l_shipmode,l_comment");
  g_autoptr (GString) items = g_string_new (NULL);

  for (gint64 i = 0; i < g->n_orders; i++)
    gen_order (g, i, ofp, lfp, s, items);
  fclose (ofp);
  fclose (lfp);
}

int
main (int argc, char **argv)
{
  double sf = 0.01;
  gint64 seed = 19920101;
  g_autofree char *dir = NULL;
  GOptionEntry entries[] = {
    { "scale", 's', 0, G_OPTION_ARG_DOUBLE, &sf, "Scale factor (default 0.01)", "SF" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 19920101)", "N" },
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "Output directory (default .)", "DIR" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- write TPC-H-shaped CSV tables");
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) s = g_string_new (NULL);
  Gen g = { 0 };

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("strom-tpch-gen: %s\n", error->message);
      return 2;
    }
  if (!(sf > 0 && sf <= 1000))
    {
      g_printerr ("strom-tpch-gen: --scale must be above 0 and at most 1000\n");
      return 2;
    }
  g.rand = g_rand_new_with_seed ((guint32) seed);
  g.sf = sf;
  g.dir = dir != NULL ? dir : (char *) ".";
  if (g_mkdir_with_parents (g.dir, 0755) != 0)
    {
      g_printerr ("strom-tpch-gen: cannot create %s: %s\n", g.dir, g_strerror (errno));
      return 1;
    }
  g.n_supp = MAX ((gint64) (10000 * sf), 4);
  g.n_cust = MAX ((gint64) (150000 * sf), 3);
  g.n_part = MAX ((gint64) (200000 * sf), 1);
  g.n_orders = MAX ((gint64) (1500000 * sf), 1);
  gen_region_nation (&g, s);
  gen_supplier (&g, s);
  gen_customer (&g, s);
  gen_part (&g, s);
  gen_orders (&g, s);
  g_rand_free (g.rand);
  return 0;
}
