-- Pipe syntax step by step, and a view used by a later query, then dropped.
SET 'parallelism.default' = '1';
CREATE TABLE orders (
  order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT,
  ordered_at TIMESTAMP(3), status VARCHAR
) WITH (
  'connector' = 'filesystem', 'path' = 'share/examples/data/orders.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
FROM orders |> WHERE status = 'pending' |> SELECT order_id, customer |> LIMIT 2;
CREATE VIEW pricey AS SELECT order_id, amount FROM orders WHERE amount >= 100;
SELECT order_id, amount - 100 AS over_100 FROM pricey;
DROP VIEW pricey;
SHOW VIEWS;
