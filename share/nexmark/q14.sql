-- Nexmark Query 14: calculation. Converts bid prices to another currency, classifies each
-- bid by the hour it was made, and counts the 'c' characters in its extra field.
-- Flink's text calls a user-defined function, count_char(extra, 'c'), registered with
-- CREATE FUNCTION count_char AS 'com.github.nexmark.flink.udf.CountChar'. strom has no
-- user-defined functions (no CREATE FUNCTION), so this file drops that statement and
-- computes the same count with built-ins: CHAR_LENGTH(extra) - CHAR_LENGTH(REPLACE(extra,
-- 'c', '')). And the sink's price column is DECIMAL(18, 3), not Flink's DECIMAL(23, 3):
-- strom's DECIMAL holds at most 18 digits (a 64-bit integer); the prices fit easily.
-- Everything else is Flink's text.
CREATE TABLE nexmark_q14 (
    auction BIGINT,
    bidder BIGINT,
    price  DECIMAL(18, 3),
    bidTimeType VARCHAR,
    dateTime TIMESTAMP(3),
    extra VARCHAR,
    c_counts BIGINT
) WITH (
  'connector' = 'blackhole'
);

INSERT INTO nexmark_q14
SELECT
    auction,
    bidder,
    0.908 * price as price,
    CASE
        WHEN HOUR(dateTime) >= 8 AND HOUR(dateTime) <= 18 THEN 'dayTime'
        WHEN HOUR(dateTime) <= 6 OR HOUR(dateTime) >= 20 THEN 'nightTime'
        ELSE 'otherTime'
    END AS bidTimeType,
    dateTime,
    extra,
    CHAR_LENGTH(extra) - CHAR_LENGTH(REPLACE(extra, 'c', '')) AS c_counts
FROM bid
WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000;
