-- Event time and a TUMBLE window aggregate over bids.csv (8 bids, one out of order).
-- Expected rows worked out by hand and checked with SQLite on the same CSV:
--   SELECT datetime(w*10, 'unixepoch'), COUNT(*), SUM(price), MAX(price)
--   FROM (SELECT *, CAST(strftime('%s', ts) AS INTEGER) / 10 AS w FROM bids) GROUP BY w;
-- One subtask, so windows come out in the order they fire (by window_end); the last three
-- fire on the final watermark at the end of the file.
SET 'parallelism.default' = '1';
CREATE TABLE bids (
  auction INT, bidder VARCHAR, price DECIMAL(10, 2), ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'filesystem', 'path' = 'tests/integration/golden/bids.csv',
  'format' = 'csv', 'csv.header' = 'true', 'scan.watermark.idle-timeout' = '1 min'
);
DESCRIBE bids;
SELECT window_start, window_end, COUNT(*) AS bids, SUM(price) AS total, MAX(price) AS top
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
-- The TVF alone: every row gets its window; dave (10:00:09) arrives after 10:00:12.
SELECT bidder, window_start, window_end, window_time
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND)) WHERE auction <> 2;
