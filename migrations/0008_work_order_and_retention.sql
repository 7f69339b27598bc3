-- Work in order of urgency (0 first): a new P1/P2 incident, then any new incident, then the rest.
ALTER TABLE deliveries ADD COLUMN urgency INTEGER NOT NULL DEFAULT 2;
DROP INDEX deliveries_pending;
CREATE INDEX deliveries_queue ON deliveries (urgency, received_at) WHERE processed_at IS NULL;

-- An effect of a P1/P2 incident (0) before the others (1); raised with the incident's priority.
ALTER TABLE effects ADD COLUMN urgency INTEGER NOT NULL DEFAULT 1;
DROP INDEX effects_open;
CREATE INDEX effects_queue ON effects (urgency, seq) WHERE status IN ('pending', 'in_flight');

-- Retention: after a while a processed delivery's raw body, and a finished effect's payload and
-- result, are dropped; the rows stay (a redelivery is still recognised, the outbox still says what was done).
ALTER TABLE deliveries ADD COLUMN pruned_at TEXT;
CREATE INDEX deliveries_to_prune ON deliveries (processed_at) WHERE processed_at IS NOT NULL AND pruned_at IS NULL;
ALTER TABLE effects ADD COLUMN pruned_at TEXT;
CREATE INDEX effects_to_prune ON effects (updated_at) WHERE status IN ('done', 'skipped') AND pruned_at IS NULL;

-- Permanent failures (dead letters), newest first, for the API and the console.
CREATE INDEX effects_failed ON effects (updated_at) WHERE status = 'failed';

-- Incidents page by (triggered_at, id), newest first, optionally by status.
CREATE INDEX incidents_page ON incidents (triggered_at DESC, id DESC);
CREATE INDEX incidents_status_page ON incidents (status, triggered_at DESC, id DESC);
