-- COUNT(*) over a CSV scan when no column is needed: the optimizer prunes every
-- projection, so the calc above the scan keeps zero columns and its batches carry only a
-- row count. orders.csv has 12 data rows; filters that read no column keep all of them
-- (qty > 2 keeps 3, 4, 10, 3, 25: five rows). Worked out by hand from the file.
SET 'parallelism.default' = '2';
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE orders (
  order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT,
  ordered_at TIMESTAMP(3), status VARCHAR
) WITH (
  'connector' = 'filesystem', 'path' = 'share/examples/data/orders.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
SELECT COUNT(*) AS n FROM orders;
SELECT COUNT(*) AS n FROM orders WHERE 1 = 1;
SELECT COUNT(*) AS n FROM orders WHERE CURRENT_TIMESTAMP IS NOT NULL;
SELECT COUNT(*) AS n FROM orders WHERE qty > 2;
