-- Computed columns and PROCTIME() next to a rowtime attribute, worked out by hand from
-- bids.csv: cents > 1500 keeps bob (20.00), erin (30.00) and frank (25.00); the 20 s
-- windows hold 10+20+15+5+30 = 80.00 and 25+8+12 = 45.00.
SET 'parallelism.default' = '1';
CREATE TABLE bids (
  auction INT, bidder VARCHAR, price DECIMAL(10, 2), ts TIMESTAMP(3),
  cents AS CAST(price * 100 AS INT), pt AS PROCTIME(), who AS UPPER(bidder),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'filesystem', 'path' = 'tests/integration/golden/bids.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
DESCRIBE bids;
SELECT auction, cents, who FROM bids WHERE cents > 1500;
SELECT window_start, SUM(cents) AS c
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '20' SECOND))
GROUP BY window_start, window_end;
