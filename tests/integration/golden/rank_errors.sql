-- Only ROW_NUMBER() runs over a window; RANK() is refused at its position with a message
-- naming what is supported.
CREATE TABLE bids (auction INT, bidder VARCHAR, price DECIMAL(10, 2)) WITH (
  'connector' = 'filesystem', 'path' = 'tests/integration/golden/bids.csv', 'format' = 'csv'
);
SELECT * FROM (
  SELECT auction, RANK() OVER (PARTITION BY auction ORDER BY price DESC) AS r FROM bids)
WHERE r <= 2;
