-- Legacy group windows (GROUP BY TUMBLE/HOP/SESSION(ts, ...) with the _START/_END/_ROWTIME
-- functions) over bids.csv, bound onto the window TVF and the window aggregate. Expected
-- rows worked out by hand from the 8 bids (dave, 10:00:09, arrives after carol, 10:00:12;
-- gina, 10:00:22, after frank, 10:00:27); one subtask, so windows come out in the order
-- they fire (by their end). The first three queries read the file as one batch with a
-- 5 s delay, so no row is late and everything fires on the final watermark.
-- TUMBLE 10 s: [00, 10) alice bob dave = 35.00; [10, 20) carol erin; [20, 30) frank gina;
-- [30, 40) hank. ROWTIME is the end minus 1 ms.
SET 'parallelism.default' = '1';
CREATE TABLE bids (
  auction INT, bidder VARCHAR, price DECIMAL(10, 2), ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'filesystem', 'path' = 'tests/integration/golden/bids.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
SELECT TUMBLE_START(ts, INTERVAL '10' SECOND) AS ws, TUMBLE_END(ts, INTERVAL '10' SECOND) AS we,
  TUMBLE_ROWTIME(ts, INTERVAL '10' SECOND) AS rt, COUNT(*) AS n, SUM(price) AS total
FROM bids GROUP BY TUMBLE(ts, INTERVAL '10' SECOND);
-- SESSION 12 s per auction: auction 1 at :01 and :12 merge into [:01, :24), :27 alone
-- [:27, :39); auction 2 :04 and :15 into [:04, :27), :31 alone; auction 3 :09 and :22 stay
-- apart ([:09, :21) ends before :22). Fired by end: :21, :24, :27, :34, :39, :43.
SELECT auction, SESSION_START(ts, INTERVAL '12' SECOND) AS s,
  SESSION_END(ts, INTERVAL '12' SECOND) AS e, COUNT(*) AS n, SUM(price) AS total
FROM bids GROUP BY auction, SESSION(ts, INTERVAL '12' SECOND);
-- HOP slide 5 s, size 10 s without auction 3 (dave, gina), windows of two bids or more:
-- [09:59:55, :05) and [:00, :10) alice bob; [:10, :20) carol erin; [:25, :35) frank hank.
SELECT HOP_START(ts, INTERVAL '5' SECOND, INTERVAL '10' SECOND) AS hs,
  HOP_END(ts, INTERVAL '5' SECOND, INTERVAL '10' SECOND) AS he, COUNT(*) AS n, MAX(price) AS top
FROM bids WHERE auction <> 3
GROUP BY HOP(ts, INTERVAL '5' SECOND, INTERVAL '10' SECOND) HAVING COUNT(*) >= 2;
-- Late rows: one-row batches, a watermark after each, no delay. carol (:12) fires [:00, :10)
-- with alice and bob, so dave (:09) is dropped; gina (:22) still makes [:20, :30).
SET 'execution.batch-size' = '1';
SET 'pipeline.auto-watermark-interval' = '0';
CREATE TABLE strict_bids (
  auction INT, bidder VARCHAR, price DECIMAL(10, 2), ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts
) WITH (
  'connector' = 'filesystem', 'path' = 'tests/integration/golden/bids.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
SELECT TUMBLE_END(ts, INTERVAL '10' SECOND) AS we, COUNT(*) AS n, SUM(price) AS total
FROM strict_bids GROUP BY TUMBLE(ts, INTERVAL '10' SECOND);
