-- Call counters per 15 minutes for the dashboards (owned by analytics/). The counters are the
-- ones analytics/families.go defines on call_records, with the default thresholds T = 20 s and
-- S = 5 s baked in; analytics reads this table only when its settings match, and its tests
-- check the rollup against the raw records.
CREATE TABLE IF NOT EXISTS call_rollup_15m (
    tenant LowCardinality(String),
    ts DateTime,
    direction LowCardinality(String),
    queue LowCardinality(String),
    business_line LowCardinality(String),
    agent_id LowCardinality(String),
    campaign_id LowCardinality(String),
    inbound UInt64, outbound UInt64, total UInt64, ivr_entered UInt64, self_served UInt64,
    offered_all UInt64, answered UInt64, abandoned_all UInt64, short_abandoned UInt64,
    answered_within UInt64, abandoned_after UInt64, abandoned_within_long UInt64,
    wait_answered Float64, handle Float64, transferred UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant, ts, direction, queue, business_line, agent_id, campaign_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS call_rollup_15m_mv TO call_rollup_15m AS
SELECT toLowCardinality(tenant) AS tenant, toStartOfFifteenMinutes(arrived_at) AS ts, toLowCardinality(direction) AS direction,
    toLowCardinality(queue) AS queue, toLowCardinality(business_line) AS business_line, toLowCardinality(agent_id) AS agent_id,
    toLowCardinality(campaign_id) AS campaign_id,
    countIf(direction = 'inbound') AS inbound,
    countIf(direction = 'outbound') AS outbound,
    count() AS total,
    countIf(direction = 'inbound' AND isNotNull(ivr_ended_at)) AS ivr_entered,
    countIf(direction = 'inbound' AND outcome = 'self_served') AS self_served,
    countIf(direction = 'inbound' AND isNotNull(queued_at)) AS offered_all,
    countIf(direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'answered') AS answered,
    countIf(direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'abandoned') AS abandoned_all,
    countIf(direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'abandoned' AND wait_sec < 5) AS short_abandoned,
    countIf(direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'answered' AND wait_sec <= 20) AS answered_within,
    countIf(direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'abandoned' AND wait_sec > 20) AS abandoned_after,
    countIf(direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'abandoned' AND wait_sec >= 5 AND wait_sec <= 20) AS abandoned_within_long,
    sumIf(wait_sec, direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'answered') AS wait_answered,
    sumIf(talk_sec + hold_sec + acw_sec, direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'answered') AS handle,
    countIf(direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'answered' AND transferred = 1) AS transferred
FROM call_records
GROUP BY tenant, ts, direction, queue, business_line, agent_id, campaign_id;
