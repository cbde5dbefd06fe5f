-- UNION ALL and UNION over bids.csv in batch mode at parallelism 2, each result ordered so
-- it is deterministic. Expected rows worked out by hand from the 8 bids and checked with
-- sqlite3 on the same CSV (the same statements, amounts as decimals).
SET 'parallelism.default' = '2';
SET 'execution.runtime-mode' = 'batch';
CREATE TABLE bids (
  auction INT, bidder VARCHAR, price DECIMAL(10, 2), ts TIMESTAMP(3)
) WITH (
  'connector' = 'filesystem', 'path' = 'tests/integration/golden/bids.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
-- Three branches, one without FROM; names come from the first branch.
SELECT auction, bidder FROM bids WHERE price > 20
UNION ALL SELECT auction * 10, bidder FROM bids WHERE auction = 3
UNION ALL SELECT 0, 'zed'
ORDER BY auction, bidder;
-- DECIMAL(10, 2) and INT unify to a DECIMAL: the INT branch is cast (2 -> 2.00).
SELECT bidder, price FROM bids WHERE auction = 1
UNION ALL SELECT bidder, auction FROM bids WHERE auction = 2
ORDER BY price, bidder;
-- UNION removes duplicates: {1, 2, 3} with {2, 3, 4}.
SELECT auction FROM bids UNION SELECT auction + 1 FROM bids ORDER BY 1;
-- Inside a view and a WITH.
CREATE VIEW extremes AS
  SELECT bidder, price FROM bids WHERE price >= 25
  UNION ALL SELECT bidder, price FROM bids WHERE price < 6;
SELECT COUNT(*) AS n, SUM(price) AS total FROM extremes;
WITH a AS (SELECT bidder FROM bids WHERE auction = 1),
     b AS (SELECT bidder FROM bids WHERE auction = 3)
SELECT bidder FROM a UNION ALL SELECT bidder FROM b ORDER BY bidder DESC;
