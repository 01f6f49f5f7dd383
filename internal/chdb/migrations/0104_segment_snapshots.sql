-- Daily segmentation snapshots (owned by analytics/, written by analytics.Snapshotter): the
-- segmentation dashboard reads these instead of scoring the whole book on every refresh.
-- Per-customer rows for quadrant movements; per-quadrant sizes for trends over time. Old
-- months are dropped by partition (no TTL on 18.16).
CREATE TABLE IF NOT EXISTS segment_snapshots (
    as_of Date,
    tenant LowCardinality(String),
    customer_id String,
    quadrant LowCardinality(String),
    satisfaction Float64,
    loyalty Float64,
    blacklisted UInt8,
    frequent_claims UInt8,
    high_loss_ratio UInt8,
    taken_at DateTime
) ENGINE = MergeTree
PARTITION BY toYYYYMM(as_of)
ORDER BY (as_of, tenant, quadrant, customer_id);

CREATE TABLE IF NOT EXISTS segment_sizes (
    as_of Date,
    tenant LowCardinality(String),
    quadrant LowCardinality(String),
    customers UInt64,
    blacklisted UInt64,
    frequent_claims UInt64,
    high_loss_ratio UInt64,
    satisfaction_sum Float64,
    loyalty_sum Float64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(as_of)
ORDER BY (as_of, tenant, quadrant);

CREATE MATERIALIZED VIEW IF NOT EXISTS segment_sizes_mv TO segment_sizes AS
SELECT as_of, tenant, quadrant, count() AS customers, sum(blacklisted) AS blacklisted, sum(frequent_claims) AS frequent_claims,
    sum(high_loss_ratio) AS high_loss_ratio, sum(satisfaction) AS satisfaction_sum, sum(loyalty) AS loyalty_sum
FROM segment_snapshots
GROUP BY as_of, tenant, quadrant;
