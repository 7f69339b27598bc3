-- Chat commands find their incident by the channel they are typed in.
ALTER TABLE incidents ADD COLUMN channel_id TEXT;
CREATE INDEX incidents_channel_id ON incidents (channel_id);
