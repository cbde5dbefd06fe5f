-- Late rows: a watermark after every one-row batch (interval 0, a strom extension that
-- makes the run repeatable) with no out-of-orderness allowed. Worked out by hand in file
-- order: after carol (10:00:12) the watermark is 10:00:12, so [10:00:00, 10:00:10) fires
-- with alice and bob; dave (10:00:09) arrives after that and is dropped as late. gina
-- (10:00:22) comes after frank (10:00:27), but [10:00:20, 10:00:30) has not fired: kept.
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
SELECT window_start, window_end, COUNT(*) AS bids, SUM(price) AS total
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
