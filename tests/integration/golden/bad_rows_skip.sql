-- csv.ignore-parse-errors = 'true' skips the two malformed rows (lines 3 and 5).
SET 'parallelism.default' = '1';
CREATE TABLE bad (order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT,
  ordered_at TIMESTAMP(3), status VARCHAR)
WITH ('connector' = 'filesystem', 'path' = 'share/examples/data/bad_orders.csv',
  'format' = 'csv', 'csv.header' = 'true', 'csv.ignore-parse-errors' = 'true');
SELECT order_id, qty, ordered_at FROM bad;
