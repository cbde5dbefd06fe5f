-- tour.strom, exported by strom

-- [1]
-- A guided tour of strom, one cell at a time. Open it from the source root with
--   strom share/examples/tour.strom
-- and run the cells one by one: \cells lists them, \rerun N runs cell N, \edit N lets
-- you change one. `strom run share/examples/tour.strom` runs them all in order.
-- (tour.strom is made from tour.sql, from the source root: rm -f share/examples/tour.strom
-- && strom share/examples/tour.strom < share/examples/tour.sql)
--
-- First a table over a file: twelve orders in CSV. Nothing is read yet: CREATE TABLE
-- only tells the catalog where the rows are and what they look like.
CREATE TABLE orders (
  order_id   INT,
  customer   VARCHAR,
  amount     DECIMAL(10, 2),
  qty        INT,
  ordered_at TIMESTAMP(3),
  status     VARCHAR
) WITH (
  'connector'  = 'filesystem',
  'path'       = 'share/examples/data/orders.csv',
  'format'     = 'csv',
  'csv.header' = 'true'
);

-- [2]
-- A query starts a job: sources, operators and a sink that brings the rows to you.
-- The file is bounded, so the job ends and the result is a table. Empty cells in the
-- file are NULL; DESCRIBE orders shows the columns.
SELECT * FROM orders;

-- [3]
-- Filter and compute. The filter runs inside the scan (see EXPLAIN below).
SELECT order_id, customer, amount * qty AS total
FROM orders
WHERE status = 'shipped' AND amount > 20;

-- [4]
-- The same in pipe syntax: one step per |>, read top to bottom. Each step is one
-- node of the plan (and one box on strom-studio's canvas).
FROM orders
|> WHERE status = 'shipped'
|> EXTEND amount * qty AS total
|> WHERE total > 40
|> SELECT order_id, customer, total;

-- [5]
-- GROUP BY on a stream cannot wait for the end: every row may change a group, so the
-- result is a changelog. +I inserts a row, -U retracts the old version of a row and +U
-- brings the new one. A file ends, so by default ('automatic') strom runs its queries in
-- batch and prints final rows; streaming mode reads it as a stream. Show the changelog
-- itself (\set format changelog does the same for this session only):
SET 'execution.runtime-mode' = 'streaming';
SET 'sql-client.execution.result-mode' = 'changelog';

-- [6]
-- One task, so the rows come in file order and the changelog reads like the file.
SET 'parallelism.default' = '1';

-- [7]
-- Watch "shipped" count up: +I 1, then -U 1 / +U 2, and so on.
SELECT status, COUNT(*) AS n, SUM(amount) AS revenue
FROM orders
GROUP BY status;

-- [8]
-- Back to tables: the same query now shows the changelog applied, one row per group.
-- In a terminal an unbounded query is drawn live and updated in place.
RESET 'sql-client.execution.result-mode';

-- [9]
SELECT status, COUNT(*) AS n, SUM(amount) AS revenue
FROM orders
GROUP BY status;

-- [10]
RESET 'parallelism.default';

-- [11]
-- How will it run? EXPLAIN prints the plans: the logical plan, what the optimizer did
-- to it, and the physical plan with its exchanges (a hash on the GROUP BY key between
-- the scan and the aggregate) and parallelism. At the prompt, \explain SELECT ... adds
-- one line in words per operator (what it partitions by, what state it keeps, when it
-- emits) and \plan draws it.
EXPLAIN SELECT status, COUNT(*) AS n FROM orders WHERE amount > 10 GROUP BY status;

-- [12]
-- A stream: generated clicks, 500 a second. Without 'number-of-rows' it never ends;
-- then a SELECT on it shows the live table until Ctrl-C (try it: drop the option,
-- run SELECT user_id, COUNT(*) AS clicks FROM clicks GROUP BY user_id; and watch).
CREATE TABLE clicks (
  click_id BIGINT,
  user_id  INT,
  price    DOUBLE
) WITH (
  'connector'             = 'datagen',
  'rows-per-second'       = '500',
  'number-of-rows'        = '1000',
  'fields.click_id.kind'  = 'sequence',
  'fields.click_id.start' = '1',
  'fields.click_id.end'   = '1000',
  'fields.user_id.min'    = '1',
  'fields.user_id.max'    = '5',
  'fields.price.min'      = '1',
  'fields.price.max'      = '100'
);

-- [13]
-- Two seconds of clicks (1000 rows at 500 a second), counted per user.
SELECT user_id, COUNT(*) AS clicks, ROUND(AVG(price), 2) AS avg_price
FROM clicks
GROUP BY user_id;

-- [14]
-- A slow stream, five rows a second, into a sink that prints each row as Flink's print
-- connector does (+I[...]). Every row shows up as soon as it is made.
CREATE TABLE ticker (
  id    BIGINT,
  value DOUBLE
) WITH (
  'connector'       = 'datagen',
  'rows-per-second' = '5',
  'number-of-rows'  = '10',
  'fields.id.kind'  = 'sequence',
  'fields.id.start' = '1',
  'fields.id.end'   = '10'
);

-- [15]
CREATE TABLE console (id BIGINT, value DOUBLE) WITH ('connector' = 'print');

-- [16]
-- At the prompt an INSERT runs in the background: type \jobs, then \job N while it
-- runs. The source is "idle" most of each second: it waits for its rate, not for the
-- sink. Idle is not backpressure.
INSERT INTO console SELECT id, value FROM ticker;

-- [17]
-- Backpressure: a generator as fast as it can go (two million rows) in front of a
-- slower stage, a GROUP BY that updates a count per key for every row. Between them
-- is a channel per pair of tasks; when the GROUP BY falls behind, the channels fill,
-- the generator waits for free slots (credit), and that waiting is backpressure. It
-- travels upstream by itself and nothing is dropped.
CREATE TABLE burst (
  k INT,
  v DOUBLE
) WITH (
  'connector'       = 'datagen',
  'rows-per-second' = '1000000000',
  'number-of-rows'  = '2000000',
  'fields.k.min'    = '1',
  'fields.k.max'    = '1000'
);

-- [18]
-- blackhole swallows rows: the sink costs nothing, so the GROUP BY is the slow part.
CREATE TABLE counts (k INT, n BIGINT) WITH ('connector' = 'blackhole');

-- [19]
-- Run it at the prompt and type \job N at once (or add a zero to 'number-of-rows' to
-- have more time): the source's task is "backpr." for most of each second, the
-- GroupAggregate's is "busy". The busy operator right after the backpressured ones is
-- the bottleneck.
INSERT INTO counts SELECT k, COUNT(*) AS n FROM burst GROUP BY k;

-- [20]
-- Event time. Eight bids, a little out of order (dave's 10:00:09 comes after carol's
-- 10:00:12). The WATERMARK clause makes ts the table's time attribute and says how late
-- rows may be: the watermark trails the largest ts seen by 5 seconds. DESCRIBE bids marks
-- the column *ROWTIME*.
CREATE TABLE bids (
  auction INT,
  bidder  VARCHAR,
  price   DECIMAL(10, 2),
  ts      TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector'  = 'filesystem',
  'path'       = 'share/examples/data/bids.csv',
  'format'     = 'csv',
  'csv.header' = 'true'
);

-- [21]
-- A tumbling window: TUMBLE gives every row window_start and window_end, and the GROUP BY
-- on them emits one row per window once the watermark passes its end (the last ones when
-- the file ends). dave lands in the first window: 5 seconds of lateness were allowed.
SELECT window_start, window_end, COUNT(*) AS bids, MAX(price) AS top
FROM TABLE(TUMBLE(TABLE bids, DESCRIPTOR(ts), INTERVAL '10' SECOND))
GROUP BY window_start, window_end;

-- [22]
-- Session windows close after a gap without rows, here per auction: a session ends when
-- an auction has no bid for 11 seconds. HOP (sliding) and CUMULATE work the same way.
SELECT auction, window_start, window_end, COUNT(*) AS bids, SUM(price) AS total
FROM TABLE(SESSION(TABLE bids PARTITION BY auction, DESCRIPTOR(ts), INTERVAL '11' SECOND))
GROUP BY auction, window_start, window_end;

-- [23]
-- A join needs a second table: where the customers live.
CREATE TABLE customers (customer VARCHAR, city VARCHAR, tier VARCHAR) WITH (
  'connector'  = 'filesystem',
  'path'       = 'share/examples/data/customers.csv',
  'format'     = 'csv',
  'csv.header' = 'true'
);

-- [24]
-- Revenue per city. In batch mode (every source here is a file) the optimizer picks how
-- to join: \explain on this query says whether it broadcasts the small customers table
-- or repartitions both sides, and what the other choice would have cost.
SET 'execution.runtime-mode' = 'batch';

-- [25]
SELECT c.city, COUNT(*) AS orders, SUM(o.amount) AS revenue
FROM orders o JOIN customers c ON o.customer = c.customer
GROUP BY c.city
ORDER BY revenue DESC;

-- [26]
SHOW TABLES;
