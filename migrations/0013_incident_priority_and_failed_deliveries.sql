-- The API filters incidents by priority: a column of its own, written with the record.
ALTER TABLE incidents ADD COLUMN priority TEXT;
UPDATE incidents SET priority = json_extract(record, '$.priority');
CREATE INDEX incidents_priority_page ON incidents (priority, triggered_at DESC, id DESC);
-- The failed deliveries, newest first, without reading every delivery kept.
CREATE INDEX deliveries_failed ON deliveries (processed_at DESC) WHERE error IS NOT NULL;
