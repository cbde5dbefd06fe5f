-- Allowed lateness (table.exec.emit.allow-lateness with late firing on): a fired window
-- keeps its state until the watermark passes its end + lateness, and a late row in that
-- time updates its result as a retraction pair. One-row batches, a watermark after each,
-- no out-of-orderness in the WATERMARK, TUMBLE 10 s over late_bids.csv. By hand:
--   a :01; b :12 -> watermark :12 fires [:00, :10) with a: +I 1 10.00
--   c :08, d :03 -> late for [:00, :10), whose state lasts until the watermark passes
--                   :09.999 + 5 s = :14.999: each updates it (2 15.00, then 3 22.00)
--   e :16        -> watermark :16: [:00, :10) is forgotten
--   f :05        -> late beyond the lateness: dropped and counted
--   g :30        -> fires [:10, :20) with b and e: 2 21.00; [:30, :40) g at the end
SET 'parallelism.default' = '1';
-- Late firing is streaming's; over a file the default ('automatic') would run batch.
SET 'execution.runtime-mode' = 'streaming';
SET 'execution.batch-size' = '1';
SET 'pipeline.auto-watermark-interval' = '0';
SET 'table.exec.emit.late-fire.enabled' = 'true';
SET 'table.exec.emit.allow-lateness' = '5 s';
CREATE TABLE bids (
  auction INT, bidder VARCHAR, price DECIMAL(10, 2), ts TIMESTAMP(3), WATERMARK FOR ts AS ts
) WITH (
  'connector' = 'filesystem', 'path' = 'tests/integration/golden/late_bids.csv',
  'format' = 'csv', 'csv.header' = 'true'
);
SELECT window_start, window_end, COUNT(*) AS n, SUM(price) AS total
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;
-- With a late-fire delay the updates of c and d wait for the next watermark (e's) and
-- go out as one pair.
SET 'table.exec.emit.late-fire.delay' = '10 s';
SELECT TUMBLE_START(ts, INTERVAL '10' SECOND) AS ws, COUNT(*) AS n, SUM(price) AS total
FROM bids GROUP BY TUMBLE(ts, INTERVAL '10' SECOND);
-- 2 s of lateness: [:00, :10) is gone at :11.999, before c and d arrive.
SET 'table.exec.emit.allow-lateness' = '2 s';
SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts),
  INTERVAL '10' SECOND)) GROUP BY window_start, window_end;
-- Late firing off: final rows only, as without the settings.
SET 'table.exec.emit.late-fire.enabled' = 'false';
SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts),
  INTERVAL '10' SECOND)) GROUP BY window_start, window_end;
