-- The default runtime mode, 'automatic': every source here is a file, so queries run in
-- batch and print final rows (no op column, no -U/+U). Windows over a join's output get
-- every row: a batch join emits some rows only when its input ends (a LEFT join's
-- unmatched rows, everything from a merge join), and those must reach the window before
-- the final watermark. Two subtasks; ORDER BY fixes the order. Worked out by hand from
-- orders.csv and shipments.csv (see interval_join.sql for the matches):
--   LEFT JOIN, shipment within [ots, ots + 10 s): 1 apple :00 - :03, 2 pear :05 - none
--   (:30 is 25 s later), 3 plum :20 - :21, 4 fig :12 - :15 (:25 is 13 s later), 5 kiwi
--   :40 - none. By order time: [:00, :10) apple and pear, one shipped; [:10, :20) fig;
--   [:20, :30) plum; [:40, :50) kiwi, none shipped.
--   The inner matches by shipment time: [:00, :10) order 1, [:10, :20) 4, [:20, :30) 3.
SET 'parallelism.default' = '2';
CREATE TABLE orders (
  id INT, item VARCHAR, ots TIMESTAMP(3), WATERMARK FOR ots AS ots - INTERVAL '10' SECOND
) WITH (
  'connector' = 'filesystem', 'path' = 'tests/integration/golden/orders.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
CREATE TABLE shipments (
  order_id INT, sts TIMESTAMP(3), WATERMARK FOR sts AS sts - INTERVAL '15' SECOND
) WITH (
  'connector' = 'filesystem', 'path' = 'tests/integration/golden/shipments.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
-- A global aggregate: its one final row.
SELECT COUNT(*) AS n, MAX(ots) AS latest FROM orders;
CREATE VIEW all_orders AS
SELECT o.id, o.ots, s.sts FROM orders o LEFT JOIN shipments s
  ON o.id = s.order_id AND s.sts >= o.ots AND s.sts < o.ots + INTERVAL '10' SECOND;
SELECT window_start, COUNT(*) AS orders, COUNT(sts) AS shipped
FROM TABLE(TUMBLE(TABLE all_orders, DESCRIPTOR(ots), INTERVAL '10' SECOND))
GROUP BY window_start, window_end ORDER BY window_start;
CREATE VIEW shipped AS
SELECT /*+ SHUFFLE_MERGE(s) */ o.id, o.ots, s.sts FROM orders o JOIN shipments s
  ON o.id = s.order_id AND s.sts BETWEEN o.ots AND o.ots + INTERVAL '10' SECOND;
SELECT window_start, COUNT(*) AS n, MAX(id) AS id
FROM TABLE(TUMBLE(TABLE shipped, DESCRIPTOR(sts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end ORDER BY window_start;
