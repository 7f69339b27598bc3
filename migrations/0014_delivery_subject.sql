-- The PagerDuty incident a delivery is about, as its route read it: a run reads the incidents of a
-- page of deliveries with the page, not one round trip each.
ALTER TABLE deliveries ADD COLUMN subject TEXT;
