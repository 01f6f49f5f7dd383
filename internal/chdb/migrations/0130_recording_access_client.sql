-- The recording-access audit keeps the client address each access came from.
ALTER TABLE recording_access ADD COLUMN client String AFTER action;
