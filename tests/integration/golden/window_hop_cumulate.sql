-- HOP and CUMULATE window aggregates, and a keyed TUMBLE in batch mode at parallelism 2
-- (windows fire on the final watermark; ORDER BY fixes the order across subtasks).
-- Expected rows worked out by hand and checked with SQLite on the same CSV, e.g. HOP:
--   WITH s(k) AS (VALUES (0), (1)), b AS (SELECT *, CAST(strftime('%s', ts) AS INTEGER)
--   AS t FROM bids), h AS (SELECT b.*, (t / 5 - k) * 5 AS ws FROM b, s)
--   SELECT ws, ws + 10, COUNT(*), SUM(price) FROM h GROUP BY ws;
-- and CUMULATE likewise with windows [t/20*20, t/20*20 + 10k) for k = 1, 2 holding t.
SET 'parallelism.default' = '1';
CREATE TABLE bids (
  auction INT, bidder VARCHAR, price DECIMAL(10, 2), ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'filesystem', 'path' = 'tests/integration/golden/bids.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
SELECT window_start, window_end, COUNT(*) AS bids, SUM(price) AS total
FROM TABLE(HOP(TABLE bids, DESCRIPTOR(ts), INTERVAL '5' SECOND, INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
SELECT window_start, window_end, COUNT(*) AS bids, SUM(price) AS total
FROM TABLE(CUMULATE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND, INTERVAL '20' SECOND))
GROUP BY window_start, window_end;
SET 'execution.runtime-mode' = 'batch';
SET 'parallelism.default' = '2';
SELECT window_start, auction, COUNT(*) AS bids, MAX(price) AS top
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '20' SECOND))
GROUP BY window_start, window_end, auction ORDER BY window_start, auction;
