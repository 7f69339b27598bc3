-- The PagerDuty note an incident.annotated delivery adds, as its route read it: a run tells
-- Herald's own notes coming back from the page of deliveries it reads, not one round trip each.
ALTER TABLE deliveries ADD COLUMN note TEXT;
