-- The agents who did outbound work, per UTC day (owned by analytics/): "campaign agents" for
-- their occupancy, without scanning every agent state for the direction. Backfilled before the
-- view exists (migrations run before ingest starts).
CREATE TABLE IF NOT EXISTS campaign_agent_days (
    tenant LowCardinality(String),
    day DateTime,
    agent_id LowCardinality(String),
    states UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day, agent_id);

INSERT INTO campaign_agent_days (tenant, day, agent_id, states)
SELECT tenant, toDateTime(intDiv(toUInt32(occurred_at), 86400) * 86400) AS day, agent_id, count()
FROM agent_states WHERE direction = 'outbound'
GROUP BY tenant, day, agent_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS campaign_agent_days_mv TO campaign_agent_days AS
SELECT tenant, toDateTime(intDiv(toUInt32(occurred_at), 86400) * 86400) AS day, agent_id, count() AS states
FROM agent_states WHERE direction = 'outbound'
GROUP BY tenant, day, agent_id;
