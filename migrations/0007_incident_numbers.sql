-- Herald's own incident numbers, for incidents declared in chat (an alarm's is PagerDuty's).
CREATE TABLE sequences (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
