-- A window TVF over a column without WATERMARK FOR is refused with its position.
CREATE TABLE plain (id INT, ts TIMESTAMP(3)) WITH (
  'connector' = 'filesystem', 'path' = 'tests/integration/golden/bids.csv', 'format' = 'csv'
);
SELECT * FROM TABLE(TUMBLE(TABLE plain, DESCRIPTOR(ts), INTERVAL '1' SECOND));
