-- INSERT INTO a print sink: rows on stdout in Flink's print format.
SET 'parallelism.default' = '1';
CREATE TABLE orders (
  order_id INT, customer VARCHAR, amount DECIMAL(10, 2), qty INT,
  ordered_at TIMESTAMP(3), status VARCHAR
) WITH (
  'connector' = 'filesystem', 'path' = 'share/examples/data/orders.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
CREATE TABLE console (id INT, who VARCHAR, paid DECIMAL(10, 2), at TIMESTAMP(3))
WITH ('connector' = 'print');
INSERT INTO console SELECT order_id, customer, amount, ordered_at FROM orders WHERE qty >= 4;
