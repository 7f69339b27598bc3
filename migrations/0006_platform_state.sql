-- What a chat platform keeps for itself between requests (a Teams conversation's service URL, say).
CREATE TABLE platform_state (
  platform TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (platform, key)
);
