-- strom studio demo: open it with `strom-studio share/examples/studio-demo.sql` from the
-- source root. The DDL runs in the embedded session; the last INSERT lands on the canvas.

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

-- A generated stream of clicks, as fast as the machine goes: long enough to watch.
CREATE TABLE clicks (
  click_id BIGINT,
  user_id  INT,
  price    DOUBLE,
  url      VARCHAR
) WITH (
  'connector'              = 'datagen',
  'number-of-rows'         = '60000000',
  'rows-per-second'        = '1000000000',
  'fields.click_id.kind'   = 'sequence',
  'fields.click_id.start'  = '1',
  'fields.click_id.end'    = '60000000',
  'fields.user_id.min'     = '1',
  'fields.user_id.max'     = '1000',
  'fields.price.min'       = '0',
  'fields.price.max'       = '500',
  'fields.url.length'      = '12'
);

CREATE TABLE revenue (user_id INT, clicks BIGINT, total DOUBLE)
WITH ('connector' = 'blackhole');

CREATE TABLE console (order_id INT, customer VARCHAR, amount DECIMAL(10, 2))
WITH ('connector' = 'print');

INSERT INTO revenue
SELECT user_id, COUNT(*) AS clicks, SUM(price) AS total
FROM clicks
WHERE price > 10
GROUP BY user_id;
