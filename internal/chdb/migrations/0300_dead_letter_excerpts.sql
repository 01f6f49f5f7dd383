-- Dead letters keep a bounded excerpt of the message (ingest.MaxDeadLetterExcerpt) with the size
-- and SHA-256 of the whole value, and a stable id from the source position: the same message
-- dead-lettered twice has the same id. Rows written before keep the whole value.
ALTER TABLE dead_letters
    ADD COLUMN dead_letter_id UUID,
    ADD COLUMN message_size UInt64 DEFAULT length(message_value),
    ADD COLUMN message_sha256 String;
