-- In streaming mode (the default) a full ORDER BY cannot emit anything: the error says
-- to add a LIMIT (Top-N) or switch to batch mode.
CREATE TABLE seq (id BIGINT) WITH (
  'connector' = 'datagen', 'fields.id.kind' = 'sequence',
  'fields.id.start' = '1', 'fields.id.end' = '10', 'rows-per-second' = '0'
);
SELECT id FROM seq ORDER BY id DESC;
