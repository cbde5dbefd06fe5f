-- Joins in batch mode (hash join, broadcast or repartition, and a nested loop) over
-- orders.csv and customers.csv: inner, LEFT with a residual, FULL, USING, a comma join
-- with WHERE, a non-equi join, a join over a subquery, and GROUP BY over a LEFT join.
-- Expected rows from sqlite3 on the same CSV files (empty CSV fields loaded as NULL for
-- numbers, as '' for text, as strom reads them); ORDER BY makes the order stable.
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
SELECT o.order_id, c.customer, c.city
FROM orders o JOIN customers c ON o.customer = c.customer
ORDER BY order_id;
SELECT o.order_id, o.qty, c.tier
FROM orders AS o LEFT OUTER JOIN customers AS c ON o.customer = c.customer AND o.qty > 1
ORDER BY order_id;
SELECT o.order_id, c.customer AS who
FROM orders o FULL JOIN customers c ON o.customer = c.customer
ORDER BY order_id, who;
SELECT customer, order_id, tier FROM orders JOIN customers USING (customer)
WHERE tier = 'gold'
ORDER BY order_id;
SELECT o.order_id, c.city FROM orders o, customers c
WHERE o.customer = c.customer AND c.city = 'Paris'
ORDER BY order_id;
SELECT o.order_id, c.customer AS cust FROM orders o JOIN customers c
  ON o.customer > c.customer AND o.order_id >= 11
ORDER BY order_id, cust;
SELECT t.customer AS cust, t.n, c.tier
FROM (SELECT customer, COUNT(*) AS n FROM orders GROUP BY customer) AS t
RIGHT JOIN customers c ON t.customer = c.customer
ORDER BY tier, cust;
SELECT c.tier, COUNT(*) AS n FROM orders o LEFT JOIN customers c ON o.customer = c.customer
GROUP BY c.tier
ORDER BY n, tier;
