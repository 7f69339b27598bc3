-- Herald's state. The same schema serves SQLite (Node) and D1 (Workers).

-- Every accepted webhook delivery, raw, once; processed_at is set when its events are on the record.
CREATE TABLE deliveries (
  id TEXT PRIMARY KEY,
  source TEXT NOT NULL,
  webhook_id TEXT,
  received_at TEXT NOT NULL,
  body TEXT NOT NULL,
  processed_at TEXT,
  error TEXT
);
CREATE UNIQUE INDEX deliveries_webhook_id ON deliveries (source, webhook_id) WHERE webhook_id IS NOT NULL;
CREATE INDEX deliveries_pending ON deliveries (processed_at, received_at);

CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  pagerduty_id TEXT UNIQUE,
  record TEXT NOT NULL,
  status TEXT NOT NULL,
  triggered_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX incidents_triggered_at ON incidents (triggered_at);

-- The scribe's log: one row per event, note or change.
CREATE TABLE timeline_entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  at TEXT NOT NULL,
  author_id TEXT,
  author_name TEXT,
  source TEXT NOT NULL,
  category TEXT NOT NULL,
  kind TEXT NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX timeline_entries_incident ON timeline_entries (incident_id, at, seq);

-- The outbox: every outbound call, keyed for idempotency, with its attempts and result.
CREATE TABLE effects (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  incident_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT,
  result TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX effects_open ON effects (status) WHERE status IN ('pending', 'in_flight');
CREATE INDEX effects_incident ON effects (incident_id, seq);

-- One background pipeline at a time, across processes, isolates and the cron sweep.
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at TEXT NOT NULL
);

-- The local chat adapter's channels and messages (used when no chat platform is configured).
CREATE TABLE local_channels (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);

CREATE TABLE local_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  channel_id TEXT NOT NULL,
  channel_name TEXT NOT NULL,
  idempotency_key TEXT UNIQUE,
  text TEXT NOT NULL,
  posted_at TEXT NOT NULL
);
CREATE INDEX local_messages_channel ON local_messages (channel_id, seq);
