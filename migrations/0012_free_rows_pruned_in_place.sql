-- Rows that retention updated in place before 0011 are written anew once, so their pages are freed
-- too: D1's binding cannot VACUUM (it runs each statement in a transaction, where SQLite refuses it).
-- Only their small columns are copied, and they keep their pruned_at.
CREATE TABLE pruned_in_place AS
  SELECT rowid AS row, id, source, webhook_id, received_at, processed_at, error, urgency, pruned_at
  FROM deliveries WHERE pruned_at IS NOT NULL;
DELETE FROM deliveries WHERE pruned_at IS NOT NULL;
INSERT INTO deliveries (rowid, id, source, webhook_id, received_at, body, processed_at, error, request, urgency, pruned_at)
  SELECT row, id, source, webhook_id, received_at, '', processed_at, error, NULL, urgency, pruned_at FROM pruned_in_place;
DROP TABLE pruned_in_place;
CREATE TABLE pruned_in_place AS
  SELECT seq, key, incident_id, kind, payload, status, attempts, next_attempt_at, last_error, created_at, updated_at, urgency, lane, pruned_at
  FROM effects WHERE pruned_at IS NOT NULL;
DELETE FROM effects WHERE pruned_at IS NOT NULL;
INSERT INTO effects (seq, key, incident_id, kind, payload, status, attempts, next_attempt_at, last_error, result, created_at, updated_at, urgency, lane, pruned_at)
  SELECT seq, key, incident_id, kind, payload, status, attempts, next_attempt_at, last_error, NULL, created_at, updated_at, urgency, lane, pruned_at FROM pruned_in_place;
DROP TABLE pruned_in_place;
