-- Top-N and deduplication through ROW_NUMBER() OVER over bids.csv (8 bids), one subtask so
-- the changelog comes out in input order. Expected changelogs worked out by hand, row by
-- row (see the comment above each query); the batch result checked with sqlite3:
--   SELECT * FROM (SELECT auction, bidder, price, ROW_NUMBER() OVER (PARTITION BY auction
--   ORDER BY price DESC) AS rn FROM bids) WHERE rn <= 2 ORDER BY auction, rn;
SET 'parallelism.default' = '1';
-- The changelogs are streaming's; over a file the default ('automatic') would run batch.
SET 'execution.runtime-mode' = 'streaming';
CREATE TABLE bids (
  auction INT, bidder VARCHAR, price DECIMAL(10, 2), ts TIMESTAMP(3), pt AS PROCTIME(),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'filesystem', 'path' = 'tests/integration/golden/bids.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
-- Top-2 per auction with the row number: a position whose row changes gets -U/+U; carol
-- (15) pushes alice (10) to 2nd, frank (25) then moves carol to 2nd and alice out.
SELECT * FROM (
  SELECT auction, bidder, price,
    ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn
  FROM bids)
WHERE rn <= 2;
-- Keep the latest bid per auction by event time (an update per auction: -U/+U).
SELECT auction, bidder FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY ts DESC) AS rn FROM bids)
WHERE rn = 1;
-- A global Top-3 without the row number: rows leave with -D and enter with +I.
SELECT bidder, price FROM (
  SELECT bidder, price, ROW_NUMBER() OVER (ORDER BY price DESC) AS rownum FROM bids)
WHERE rownum <= 3;
-- Deduplication on processing time: the first row per auction, insert-only (no op column).
SELECT auction, bidder FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY pt ASC) AS rn FROM bids)
WHERE rn = 1;
-- The same in batch mode: the top rows once, at the end.
SET 'execution.runtime-mode' = 'batch';
SELECT * FROM (
  SELECT auction, bidder, price,
    ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rn
  FROM bids)
WHERE rn <= 2 ORDER BY auction, rn;
