-- First-call resolution per 15 minutes, for calls whose FCR window has closed (owned by
-- analytics/, written by analytics.Engine.CloseFCR, never by a materialised view: whether a
-- call was repeated is only known once its window has passed). One insert covers whole days
-- and ends with a marker row (tenant '', answered 0) in the last 15 minutes of its last day, so
-- max(ts) + 15 min is the end of the closed range even when that day had no calls. Rows are
-- per FCR window (window_sec), so a changed setting starts its own range instead of mixing.
-- Plain MergeTree: a SummingMergeTree would drop the all-zero marker rows when it merges.
-- Partitions are 30-day blocks of epoch seconds (not toYYYYMM, which follows the server's time
-- zone): CloseFCR never lets an insert cross one, so each insert is one part, all or nothing.
CREATE TABLE IF NOT EXISTS fcr_rollup_15m (
    window_sec UInt32,
    tenant LowCardinality(String),
    ts DateTime,
    queue LowCardinality(String),
    business_line LowCardinality(String),
    campaign_id LowCardinality(String),
    answered UInt64,
    resolved UInt64
) ENGINE = MergeTree
PARTITION BY intDiv(toUInt32(ts), 2592000)
ORDER BY (window_sec, tenant, ts, queue, business_line, campaign_id);
