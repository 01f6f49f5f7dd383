-- Milliseconds of the times that KPI windows compare (owned by analytics/): DateTime holds whole
-- seconds and 18.16 has no DateTime64, so each such time gets the millisecond of its second
-- beside it, as occurred_ms is to occurred_at: "x_ms" completes "x_at", and the instant in ms is
-- toUInt64(x_at) * 1000 + x_ms. Ingest fills them from the event contract's milliseconds.
-- Rows stored before this migration read 0: their times stay what was stored, to the second.
-- 18.16 has no ADD COLUMN IF NOT EXISTS; the migration runner skips an ADD COLUMN whose column
-- exists, so a crash half way is healed by running it again.

-- FCR: a repeat call within 7 days of an answered one.
ALTER TABLE call_records ADD COLUMN arrived_ms UInt16 AFTER arrived_at;

-- Callback coverage: the first contact within 72 h and the first attempt within 24 h of a claim
-- closing.
ALTER TABLE claims ADD COLUMN closed_ms UInt16 AFTER closed_at;
ALTER TABLE dial_attempts ADD COLUMN dialed_ms UInt16 AFTER dialed_at;
ALTER TABLE dial_attempts ADD COLUMN connected_ms UInt16 AFTER connected_at;
