-- A chat request is stored as its platform's route translated it (neutral JSON), beside the raw body.
ALTER TABLE deliveries ADD COLUMN request TEXT;
