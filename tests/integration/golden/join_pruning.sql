-- Projection pruning through joins: each side reads only the columns the query, the join
-- keys and the residual need (EXPLAIN: orders scans [customer, amount, qty], customers
-- [customer, tier]), and the keys and residual are renumbered to the narrower sides.
-- Expected rows from sqlite3 on the same CSV files:
--   SELECT o.amount, c.tier FROM orders o LEFT JOIN customers c
--   ON o.customer = c.customer AND o.qty > 1 AND c.tier <> 'basic' ORDER BY o.amount;
-- (empty CSV fields loaded as NULL for numbers, as '' for text, as strom reads them).
SET 'parallelism.default' = '2';
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE orders (
  order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT,
  ordered_at TIMESTAMP(3), status VARCHAR
) WITH (
  'connector' = 'filesystem', 'path' = 'share/examples/data/orders.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
CREATE TABLE customers (customer VARCHAR, city VARCHAR, tier VARCHAR) WITH (
  'connector' = 'filesystem', 'path' = 'share/examples/data/customers.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
EXPLAIN SELECT o.amount, c.tier
FROM orders o LEFT JOIN customers c
  ON o.customer = c.customer AND o.qty > 1 AND c.tier <> 'basic';
SELECT o.amount, c.tier
FROM orders o LEFT JOIN customers c
  ON o.customer = c.customer AND o.qty > 1 AND c.tier <> 'basic'
ORDER BY amount;
