-- A global aggregate (no GROUP BY) over no rows has one result row: COUNT 0, the other
-- aggregates NULL (as SQLite: SELECT COUNT(*), MAX(qty), ... FROM orders WHERE 0 gives
-- 0|||| and 0). With GROUP BY there are no groups and so no rows. Batch mode, two
-- subtasks reading; the global aggregate itself runs as one subtask.
SET 'execution.runtime-mode' = 'batch';
SET 'parallelism.default' = '2';
CREATE TABLE orders (
  order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT,
  ordered_at TIMESTAMP(3), status VARCHAR
) WITH (
  'connector' = 'filesystem', 'path' = 'share/examples/data/orders.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
SELECT COUNT(*) AS n, MAX(qty) AS m, SUM(amount) AS s, AVG(qty) AS a,
       COUNT(DISTINCT customer) AS d
FROM orders WHERE 1 = 0;
SELECT COUNT(*) AS n FROM orders WHERE qty > 100;
SELECT status, COUNT(*) AS n FROM orders WHERE qty > 100 GROUP BY status;
