-- A TUMBLE window over a UNION ALL of two tables that both read bids.csv: the union keeps
-- ts a time attribute because it is one in both branches, and its watermark is the
-- minimum of the branches'. The branches split the bids (auction 1 / the others), so the
-- windows must count exactly the 8 bids, as in window_tumble.sql. Expected rows worked out
-- by hand: [10:00:00, 10:00:10) alice, bob, dave; [10, 20) carol, erin; [20, 30) frank,
-- gina; [30, 40) hank. One subtask: windows fire in order of their end.
SET 'parallelism.default' = '1';
CREATE TABLE bids (
  auction INT, bidder VARCHAR, price DECIMAL(10, 2), ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'filesystem', 'path' = 'tests/integration/golden/bids.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
CREATE TABLE bids_again (
  auction INT, bidder VARCHAR, price DECIMAL(10, 2), ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'filesystem', 'path' = 'tests/integration/golden/bids.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
CREATE VIEW all_bids AS
  SELECT auction, price, ts FROM bids WHERE auction = 1
  UNION ALL SELECT auction, price, ts FROM bids_again WHERE auction <> 1;
SELECT window_start, window_end, COUNT(*) AS bids, SUM(price) AS total, MAX(price) AS top
FROM TABLE(TUMBLE(TABLE all_bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
