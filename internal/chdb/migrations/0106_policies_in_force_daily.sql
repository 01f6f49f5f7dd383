-- Policies in force at the end of each UTC day, per tenant (owned by analytics/, written by
-- analytics.Engine.CountPoliciesInForce from the policy history in one pass). day_end is the
-- instant counted (00:00 UTC after the day). Every run rewrites the history, so a policy version
-- that arrives late corrects the past; the newest computed_at wins (argMax when read).
CREATE TABLE IF NOT EXISTS policies_in_force_daily (
    tenant LowCardinality(String),
    day_end DateTime,
    in_force UInt64,
    computed_at DateTime
) ENGINE = ReplacingMergeTree(computed_at)
PARTITION BY toYYYYMM(day_end)
ORDER BY (tenant, day_end);
