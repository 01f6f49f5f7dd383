-- The newest version of each policy (owned by analytics/): "policies in force" for the
-- complaint rate per 10,000 policies reads this with FINAL instead of grouping every version
-- of every policy. policies keeps the full history (0001).
CREATE TABLE IF NOT EXISTS policy_current (
    tenant LowCardinality(String),
    policy_id String,
    customer_id String,
    status LowCardinality(String),
    updated_ms UInt64
) ENGINE = ReplacingMergeTree(updated_ms)
ORDER BY (tenant, policy_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS policy_current_mv TO policy_current AS
SELECT tenant, policy_id, customer_id, status, toUInt64(occurred_at) * 1000 + occurred_ms AS updated_ms
FROM policies;
