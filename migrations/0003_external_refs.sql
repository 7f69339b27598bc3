-- Things Herald made on another system (a PagerDuty note, say), so their echo is recognised.
CREATE TABLE external_refs (
  kind TEXT NOT NULL,
  ref TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (kind, ref)
);
