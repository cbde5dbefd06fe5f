-- TPC-H tables over the CSV files of strom-tpch-gen (tools/tpch-gen.c). Paths are relative:
-- run strom from the directory the generator wrote to, e.g.
--   strom-tpch-gen --scale 0.01 --dir /tmp/tpch && cd /tmp/tpch && strom -f ddl.sql ...
CREATE TABLE region (
  r_regionkey INT, r_name VARCHAR, r_comment VARCHAR
) WITH ('connector' = 'filesystem', 'path' = 'region.csv', 'format' = 'csv',
        'csv.header' = 'true');
CREATE TABLE nation (
  n_nationkey INT, n_name VARCHAR, n_regionkey INT, n_comment VARCHAR
) WITH ('connector' = 'filesystem', 'path' = 'nation.csv', 'format' = 'csv',
        'csv.header' = 'true');
CREATE TABLE supplier (
  s_suppkey BIGINT, s_name VARCHAR, s_address VARCHAR, s_nationkey INT, s_phone VARCHAR,
  s_acctbal DECIMAL(15, 2), s_comment VARCHAR
) WITH ('connector' = 'filesystem', 'path' = 'supplier.csv', 'format' = 'csv',
        'csv.header' = 'true');
CREATE TABLE customer (
  c_custkey BIGINT, c_name VARCHAR, c_address VARCHAR, c_nationkey INT, c_phone VARCHAR,
  c_acctbal DECIMAL(15, 2), c_mktsegment VARCHAR, c_comment VARCHAR
) WITH ('connector' = 'filesystem', 'path' = 'customer.csv', 'format' = 'csv',
        'csv.header' = 'true');
CREATE TABLE part (
  p_partkey BIGINT, p_name VARCHAR, p_mfgr VARCHAR, p_brand VARCHAR, p_type VARCHAR,
  p_size INT, p_container VARCHAR, p_retailprice DECIMAL(15, 2), p_comment VARCHAR
) WITH ('connector' = 'filesystem', 'path' = 'part.csv', 'format' = 'csv',
        'csv.header' = 'true');
CREATE TABLE partsupp (
  ps_partkey BIGINT, ps_suppkey BIGINT, ps_availqty INT, ps_supplycost DECIMAL(15, 2),
  ps_comment VARCHAR
) WITH ('connector' = 'filesystem', 'path' = 'partsupp.csv', 'format' = 'csv',
        'csv.header' = 'true');
CREATE TABLE orders (
  o_orderkey BIGINT, o_custkey BIGINT, o_orderstatus VARCHAR, o_totalprice DECIMAL(15, 2),
  o_orderdate DATE, o_orderpriority VARCHAR, o_clerk VARCHAR, o_shippriority INT,
  o_comment VARCHAR
) WITH ('connector' = 'filesystem', 'path' = 'orders.csv', 'format' = 'csv',
        'csv.header' = 'true');
CREATE TABLE lineitem (
  l_orderkey BIGINT, l_partkey BIGINT, l_suppkey BIGINT, l_linenumber INT,
  l_quantity DECIMAL(15, 2), l_extendedprice DECIMAL(15, 2), l_discount DECIMAL(15, 2),
  l_tax DECIMAL(15, 2), l_returnflag VARCHAR, l_linestatus VARCHAR, l_shipdate DATE,
  l_commitdate DATE, l_receiptdate DATE, l_shipinstruct VARCHAR, l_shipmode VARCHAR,
  l_comment VARCHAR
) WITH ('connector' = 'filesystem', 'path' = 'lineitem.csv', 'format' = 'csv',
        'csv.header' = 'true');
