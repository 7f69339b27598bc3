-- Retention writes a pruned row anew instead of updating it where it stands. SQLite updates a row
-- that shrinks in place: a delivery's page, emptied of its raw body, was never freed, and new rows
-- (always at the end of the table) never used it, so the database kept its size however much was
-- dropped. A row deleted and inserted again frees what it no longer needs to the free list, which
-- new rows reuse. These hold a batch's rows between the two, inside the same transaction.
CREATE TABLE pruning_deliveries (
  row INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  source TEXT NOT NULL,
  webhook_id TEXT,
  received_at TEXT NOT NULL,
  processed_at TEXT,
  error TEXT,
  urgency INTEGER NOT NULL
);
CREATE TABLE pruning_effects (
  seq INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  urgency INTEGER NOT NULL,
  lane TEXT
);
