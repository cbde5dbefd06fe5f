-- SESSION windows, worked out by hand from bids.csv (file order 10:00:01, :04, :12, :09,
-- :15, :27, :22, :31). Windows that touch merge, as in Flink.
-- 1. Streaming, one watermark per one-row batch, no delay, gap 5 s: :01 and :04 make
--    [:01, :09), which fires when :12 arrives; :09 then joins :12's session and :15
--    extends it to [:09, :20), fired by :27; :22 touches :27's [:27, :32) and :31 extends
--    it to [:22, :36), fired at the end.
SET 'parallelism.default' = '1';
SET 'execution.batch-size' = '1';
SET 'pipeline.auto-watermark-interval' = '0';
CREATE TABLE bids (
  auction INT, bidder VARCHAR, price DECIMAL(10, 2), ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts
) WITH (
  'connector' = 'filesystem', 'path' = 'tests/integration/golden/bids.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
SELECT window_start, window_end, COUNT(*) AS bids
FROM TABLE(SESSION(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY window_start, window_end;
-- 2. Batch, parallelism 2, per auction, gap 11 s: auction 1 :01 + :12 -> [:01, :23) and
--    :27 -> [:27, :38); auction 2 :04 + :15 -> [:04, :26) and :31 -> [:31, :42);
--    auction 3 :09 -> [:09, :20) and :22 -> [:22, :33).
SET 'execution.runtime-mode' = 'batch';
SET 'parallelism.default' = '2';
SET 'execution.batch-size' = '512';
SELECT auction, window_start, window_end, COUNT(*) AS bids, SUM(price) AS total
FROM TABLE(SESSION(TABLE bids PARTITION BY auction, DESCRIPTOR(ts), INTERVAL '11' SECOND))
GROUP BY auction, window_start, window_end ORDER BY auction, window_start;
