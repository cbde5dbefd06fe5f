-- A column that both joined tables have must be qualified: the error names it, points at
-- its line and column (line 12, column 18); the statements before it have run.
CREATE TABLE orders (order_id INT, customer VARCHAR) WITH (
  'connector' = 'filesystem', 'path' = 'share/examples/data/orders.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
CREATE TABLE customers (customer VARCHAR, city VARCHAR, tier VARCHAR) WITH (
  'connector' = 'filesystem', 'path' = 'share/examples/data/customers.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
SELECT 1 AS one;
SELECT order_id, customer
FROM orders JOIN customers ON orders.customer = customers.customer;
