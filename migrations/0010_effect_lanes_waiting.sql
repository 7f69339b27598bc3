-- The effects waiting to be tried again, found by lane and time: (lane, next_attempt_at) among the
-- pending ones, so "is anything earlier in this lane still waiting?" and "which of these lanes' effects
-- wait?" read only the waiting rows. By (lane, seq), both read every pending row of the lane: with
-- 18,000 queued in one incident's room, finding a page of due effects took 0.4 s instead of 0.2 ms.
DROP INDEX effects_lane_waiting;
CREATE INDEX effects_lane_waiting ON effects (lane, next_attempt_at) WHERE status = 'pending';
