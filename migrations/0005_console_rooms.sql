-- The console's rooms (the local chat made visible): a topic per room; per message its buttons, the
-- thread it belongs to, the one person it is meant for (a private answer), and a shared file.
ALTER TABLE local_channels ADD COLUMN topic TEXT;
ALTER TABLE local_messages ADD COLUMN buttons TEXT;
ALTER TABLE local_messages ADD COLUMN thread_id TEXT;
ALTER TABLE local_messages ADD COLUMN visible_to TEXT;
ALTER TABLE local_messages ADD COLUMN file TEXT;
