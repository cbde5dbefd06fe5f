-- strom demo: a CSV file and a generated stream, queried on the embedded runtime.
-- Run it with `make demo` (or `strom -f share/examples/demo.sql` from the source root).

-- A bounded table over a CSV file (the header line is skipped).
CREATE TABLE orders (
  order_id   INT,
  customer   VARCHAR,
  amount     DECIMAL(10, 2),
  qty        INT,
  ordered_at TIMESTAMP(3),
  status     VARCHAR
) WITH (
  'connector'  = 'filesystem',
  'path'       = 'share/examples/data/orders.csv',
  'format'     = 'csv',
  'csv.header' = 'true'
);

-- Filter and project: shipped orders with their totals.
SELECT order_id, UPPER(customer) AS customer, amount * qty AS total,
       CASE WHEN amount * qty >= 100 THEN 'large' ELSE 'small' END AS size
FROM orders
WHERE status = 'shipped';

-- Pipe syntax, one step at a time.
FROM orders |> WHERE qty IS NULL OR amount IS NULL |> SELECT order_id, customer, status;

-- A generated stream of two million clicks (deterministic by seed).
CREATE TABLE clicks (
  click_id BIGINT,
  user_id  INT,
  price    DOUBLE,
  url      VARCHAR
) WITH (
  'connector'              = 'datagen',
  'number-of-rows'         = '2000000',
  'rows-per-second'        = '1000000000',
  'fields.click_id.kind'   = 'sequence',
  'fields.click_id.start'  = '1',
  'fields.click_id.end'    = '2000000',
  'fields.user_id.min'     = '1',
  'fields.user_id.max'     = '1000',
  'fields.price.min'       = '0',
  'fields.price.max'       = '500',
  'fields.url.length'      = '12'
);

-- How the optimizer shapes a query: the filter moves into the scan, unused columns are
-- pruned, the calc is chained to the source, and a gather brings rows to the client.
EXPLAIN SELECT click_id, price * 1.19 AS gross FROM clicks WHERE price > 499.9;

-- Runs over all two million rows in parallel and keeps the few expensive ones.
SELECT click_id, user_id, ROUND(price, 2) AS price
FROM clicks
WHERE price > 499.999 AND user_id <= 500;

-- A sink: rows printed as Flink's print connector does.
CREATE TABLE console (order_id INT, customer VARCHAR, amount DECIMAL(10, 2))
WITH ('connector' = 'print');

INSERT INTO console SELECT order_id, customer, amount FROM orders WHERE amount > 100;
