-- In streaming mode a full ORDER BY cannot emit anything: the error says to add a LIMIT
-- (Top-N) or switch to batch mode. Set explicitly: the default ('automatic') would run a
-- bounded source in batch.
SET 'execution.runtime-mode' = 'streaming';
CREATE TABLE seq (id BIGINT) WITH (
  'connector' = 'datagen', 'fields.id.kind' = 'sequence',
  'fields.id.start' = '1', 'fields.id.end' = '10', 'rows-per-second' = '0'
);
SELECT id FROM seq ORDER BY id DESC;
