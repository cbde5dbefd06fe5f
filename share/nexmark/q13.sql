-- Nexmark Query 13: bounded side input join. Joins the bid stream with a bounded side
-- input (a filesystem table) looked up at processing time: basic stream enrichment.
-- Only connector options differ from Flink's text: the new-style 'connector' = 'filesystem'
-- options instead of 'connector.type' / 'connector.path' / 'format.type', and a path
-- relative to the repository root (share/nexmark/side_input.txt, see README.md).
CREATE TABLE side_input (
  key BIGINT,
  `value` VARCHAR
) WITH (
  'connector' = 'filesystem',
  'path' = 'share/nexmark/side_input.txt',
  'format' = 'csv'
);

CREATE TABLE nexmark_q13 (
  auction  BIGINT,
  bidder  BIGINT,
  price  BIGINT,
  dateTime  TIMESTAMP(3),
  `value`  VARCHAR
) WITH (
  'connector' = 'blackhole'
);

INSERT INTO nexmark_q13
SELECT
    B.auction,
    B.bidder,
    B.price,
    B.dateTime,
    S.`value`
FROM (SELECT *, PROCTIME() as p_time FROM bid) B
JOIN side_input FOR SYSTEM_TIME AS OF B.p_time AS S
ON mod(B.auction, 10000) = S.key;
