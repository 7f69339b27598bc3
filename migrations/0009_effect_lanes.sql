-- Each effect's lane (see src/effects/lanes.ts): an effect that is due is not handed out while an
-- earlier one of its lane waits to be tried again, so effects held back never fill the page of due
-- ones and hide the rest of the outbox behind them.
ALTER TABLE effects ADD COLUMN lane TEXT;
-- Effects queued before lanes were stored: their incident as the lane (coarser, so still in order).
UPDATE effects SET lane = incident_id WHERE status IN ('pending', 'in_flight');
CREATE INDEX effects_lane_waiting ON effects (lane, seq) WHERE status = 'pending';
