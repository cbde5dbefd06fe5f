-- Filter, arithmetic on DECIMAL x INT, CASE, UPPER; expected rows from SQLite on the
-- same CSV (NULL qty gives a NULL total, an empty CSV field).
SET 'parallelism.default' = '1';
CREATE TABLE orders (
  order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT,
  ordered_at TIMESTAMP(3), status VARCHAR
) WITH (
  'connector' = 'filesystem', 'path' = 'share/examples/data/orders.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
SELECT order_id, UPPER(customer) AS who, amount * qty AS total,
       CASE WHEN qty >= 3 THEN 'bulk' WHEN qty IS NULL THEN 'unknown' ELSE 'single' END AS kind
FROM orders
WHERE amount > 10;
