-- Nexmark Query 10: log to file system. Every bid goes to a filesystem table partitioned
-- by day and minute (dt=<yyyy-MM-dd>/hm=<HH:mm> directories, written escaped as Flink
-- does: hm=10%3A00), a partition committed with a _SUCCESS file once the watermark passes
-- its time plus a minute. Only connector options differ from Flink's text: 'path' is a
-- directory relative to where the job runs (the tests put it in a temporary directory).
CREATE TABLE nexmark_q10 (
  auction  BIGINT,
  bidder  BIGINT,
  price  BIGINT,
  dateTime  TIMESTAMP(3),
  extra  VARCHAR,
  dt STRING,
  hm STRING
) PARTITIONED BY (dt, hm) WITH (
  'connector' = 'filesystem',
  'path' = 'nexmark-q10-output',
  'format' = 'csv',
  'sink.partition-commit.trigger' = 'partition-time',
  'sink.partition-commit.delay' = '1 min',
  'sink.partition-commit.policy.kind' = 'success-file',
  'partition.time-extractor.timestamp-pattern' = '$dt $hm:00',
  'sink.rolling-policy.rollover-interval' = '1min',
  'sink.rolling-policy.check-interval' = '1min'
);

INSERT INTO nexmark_q10
SELECT auction, bidder, price, dateTime, extra, DATE_FORMAT(dateTime, 'yyyy-MM-dd'), DATE_FORMAT(dateTime, 'HH:mm')
FROM bid;
