-- Interval joins: orders and their shipments, a shipment counting when it comes within
-- 10 s after its order (s.sts BETWEEN o.ots AND o.ots + INTERVAL '10' SECOND). The two
-- sources run as separate tasks, so the join's own output order depends on how they
-- interleave; each query therefore aggregates the join's output in windows on one of its
-- time columns, which stay time attributes, and the window results come out by end.
-- Rows are out of order (fig at :12 after plum at :20, shipments :21 and :15 after :30) but
-- never behind their own source's watermark, so nothing is late and the result is fixed.
-- Worked out by hand from orders.csv and shipments.csv:
--   order 1 apple :00 - shipment :03          matches
--   order 2 pear  :05 - shipment :30          25 s later: no match
--   order 3 plum  :20 - shipment :21          matches
--   order 4 fig   :12 - shipments :15, :25    :15 matches, :25 is 13 s later
--   order 5 kiwi  :40 - none; shipment of order 6 at :41 has no order
SET 'parallelism.default' = '1';
-- Rows expire by watermark, which is streaming's; over files the default ('automatic')
-- would run batch.
SET 'execution.runtime-mode' = 'streaming';
SET 'execution.batch-size' = '1';
SET 'pipeline.auto-watermark-interval' = '0';
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
CREATE VIEW shipped AS
SELECT o.id, o.item, o.ots, s.sts FROM orders o JOIN shipments s
  ON o.id = s.order_id AND s.sts BETWEEN o.ots AND o.ots + INTERVAL '10' SECOND;
-- Matches by order time: apple [:00, :10), fig [:10, :20), plum [:20, :30).
SELECT window_start, window_end, COUNT(*) AS n, MAX(item) AS item
FROM TABLE(TUMBLE(TABLE shipped, DESCRIPTOR(ots), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
-- By shipment time, with a legacy group window: :03 (order 1), :15 (4), :21 (3).
SELECT TUMBLE_END(sts, INTERVAL '10' SECOND) AS we, COUNT(*) AS n, MAX(id) AS id
FROM shipped GROUP BY TUMBLE(sts, INTERVAL '10' SECOND);
-- LEFT JOIN, written with >= and <: every order once; pear and kiwi NULL-filled when they
-- expire unmatched. [:00, :10) apple and pear (one shipped), [:10, :20) fig, [:20, :30)
-- plum, [:40, :50) kiwi (none shipped).
CREATE VIEW all_orders AS
SELECT o.id, o.ots, s.sts FROM orders o LEFT JOIN shipments s
  ON o.id = s.order_id AND s.sts >= o.ots AND s.sts < o.ots + INTERVAL '10' SECOND;
SELECT window_start, COUNT(*) AS orders, COUNT(sts) AS shipped
FROM TABLE(TUMBLE(TABLE all_orders, DESCRIPTOR(ots), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
