-- (qty is read: a bad value in a column the query does not read is never parsed.)
-- By default a malformed row stops the query with file:line:column and the reason.
CREATE TABLE bad (order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT,
  ordered_at TIMESTAMP(3), status VARCHAR)
WITH ('connector' = 'filesystem', 'path' = 'share/examples/data/bad_orders.csv',
  'format' = 'csv', 'csv.header' = 'true');
SELECT order_id, qty FROM bad;
SELECT 'never reached';
