-- LIMIT/OFFSET over a sequence; a LIMIT over an unbounded source ends the query.
SET 'parallelism.default' = '1';
CREATE TABLE seq (id BIGINT) WITH (
  'connector' = 'datagen', 'fields.id.kind' = 'sequence',
  'fields.id.start' = '1', 'fields.id.end' = '100', 'rows-per-second' = '0'
);
SELECT id FROM seq LIMIT 3 OFFSET 2;
CREATE TABLE endless (n INT) WITH ('connector' = 'datagen', 'rows-per-second' = '0',
  'fields.n.min' = '5', 'fields.n.max' = '5');
SELECT n * 2 AS twice FROM endless LIMIT 4;
