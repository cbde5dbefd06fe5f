-- ORDER BY in batch mode over the orders CSV, at parallelism 2 so the rows are gathered
-- to one sorting subtask. Expected rows worked out by hand from the CSV (checked with
-- SQLite's ORDER BY ... NULLS FIRST/LAST): DESC puts NULLs last, ASC first (Flink's
-- defaults), ties broken by the next key, ordinals, aliases, expressions, Top-N + OFFSET.
SET 'execution.runtime-mode' = 'batch';
SET 'parallelism.default' = '2';
CREATE TABLE orders (
  order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT,
  ordered_at TIMESTAMP(3), status VARCHAR
) WITH (
  'connector' = 'filesystem', 'path' = 'share/examples/data/orders.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
SELECT order_id, customer, amount FROM orders ORDER BY amount DESC, order_id;
SELECT customer, qty FROM orders ORDER BY 2, 1 DESC LIMIT 5;
SELECT customer, amount * qty AS total FROM orders WHERE status = 'shipped'
ORDER BY total DESC NULLS FIRST;
SELECT order_id, ordered_at AS t FROM orders ORDER BY t DESC LIMIT 3 OFFSET 2;
SELECT customer FROM orders ORDER BY CHAR_LENGTH(customer) DESC, customer LIMIT 3;
FROM orders |> WHERE qty IS NOT NULL |> ORDER BY qty DESC, order_id |> LIMIT 2
|> SELECT order_id, qty;
