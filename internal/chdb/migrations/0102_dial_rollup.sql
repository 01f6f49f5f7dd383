-- Dial attempt counters per 15 minutes and campaign (owned by analytics/), for the campaign
-- dashboards; the same counters analytics/families.go defines on dial_attempts. No agent:
-- agent-level outbound figures read dial_attempts.
CREATE TABLE IF NOT EXISTS dial_rollup_15m (
    tenant LowCardinality(String),
    ts DateTime,
    campaign_id LowCardinality(String),
    campaign_type LowCardinality(String),
    attempts UInt64, blocked UInt64, contacts UInt64, connected UInt64, dropped UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant, ts, campaign_id, campaign_type);

CREATE MATERIALIZED VIEW IF NOT EXISTS dial_rollup_15m_mv TO dial_rollup_15m AS
SELECT tenant, toStartOfFifteenMinutes(dialed_at) AS ts, campaign_id, campaign_type,
    countIf(outcome != 'blocked') AS attempts,
    countIf(outcome = 'blocked') AS blocked,
    countIf(outcome IN ('connected', 'dropped')) AS contacts,
    countIf(outcome = 'connected') AS connected,
    countIf(outcome = 'dropped') AS dropped
FROM dial_attempts
GROUP BY tenant, ts, campaign_id, campaign_type;
