-- Quadrant changes between consecutive segmentation snapshots (owned by analytics/, written by
-- analytics.Engine.Snapshot): one row per customer whose quadrant differs from the previous
-- snapshot ('' = not in that snapshot). Movements between any two snapshots compose from these
-- plus the sizes (segment_sizes), so the dashboard never joins two million-customer snapshots.
-- Each snapshot's changes end with a marker row (customer_id '') so a missing set is detectable.
CREATE TABLE IF NOT EXISTS segment_changes (
    as_of Date,
    prev_as_of Date,
    tenant LowCardinality(String),
    customer_id String,
    q_prev String,
    q_new String
) ENGINE = MergeTree
PARTITION BY toYYYYMM(as_of)
ORDER BY (as_of, tenant, customer_id);
