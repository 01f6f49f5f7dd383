-- The wait of every answered inbound call (owned by analytics/): wait percentiles are exact
-- quantiles, which no counter rollup holds, so the speed-of-answer panels read this narrow
-- table instead of every call record. The backfill runs before the view exists; migrations
-- run before ingest starts, so no record falls between the two.
CREATE TABLE IF NOT EXISTS answered_waits (
    tenant LowCardinality(String),
    arrived_at DateTime,
    queue LowCardinality(String),
    business_line LowCardinality(String),
    agent_id LowCardinality(String),
    campaign_id LowCardinality(String),
    wait_sec Float64
) ENGINE = MergeTree
PARTITION BY toYYYYMM(arrived_at)
ORDER BY (tenant, arrived_at);

INSERT INTO answered_waits (tenant, arrived_at, queue, business_line, agent_id, campaign_id, wait_sec)
SELECT tenant, arrived_at, queue, business_line, agent_id, campaign_id, wait_sec FROM call_records
WHERE direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'answered';

CREATE MATERIALIZED VIEW IF NOT EXISTS answered_waits_mv TO answered_waits AS
SELECT toLowCardinality(tenant) AS tenant, arrived_at, toLowCardinality(queue) AS queue, toLowCardinality(business_line) AS business_line,
    toLowCardinality(agent_id) AS agent_id, toLowCardinality(campaign_id) AS campaign_id, wait_sec FROM call_records
WHERE direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'answered';
