-- SQL three-valued logic over NULL columns (dave has no amount, ivan no qty).
SET 'parallelism.default' = '1';
CREATE TABLE orders (
  order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT,
  ordered_at TIMESTAMP(3), status VARCHAR
) WITH (
  'connector' = 'filesystem', 'path' = 'share/examples/data/orders.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
SELECT order_id, qty > 1 AND amount > 50 AS a, qty > 1 OR amount > 50 AS o,
       NOT (amount > 50) AS n
FROM orders
WHERE order_id IN (1, 3, 4, 6, 7, 11);
