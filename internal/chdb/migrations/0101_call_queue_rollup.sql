-- Call counters per 15 minutes without the agent (owned by analytics/): the queue-level
-- dashboards read this one. With hundreds of agents, call_rollup_15m (0100) holds nearly a
-- row per call; dropping the agent makes this table a few rows per 15 minutes per queue.
-- Same counters and thresholds (T = 20 s, S = 5 s) as 0100.
CREATE TABLE IF NOT EXISTS call_queue_rollup_15m (
    tenant LowCardinality(String),
    ts DateTime,
    direction LowCardinality(String),
    queue LowCardinality(String),
    business_line LowCardinality(String),
    campaign_id LowCardinality(String),
    inbound UInt64, outbound UInt64, total UInt64, ivr_entered UInt64, self_served UInt64,
    offered_all UInt64, answered UInt64, abandoned_all UInt64, short_abandoned UInt64,
    answered_within UInt64, abandoned_after UInt64, abandoned_within_long UInt64,
    wait_answered Float64, handle Float64, transferred UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant, ts, direction, queue, business_line, campaign_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS call_queue_rollup_15m_mv TO call_queue_rollup_15m AS
SELECT toLowCardinality(tenant) AS tenant, toStartOfFifteenMinutes(arrived_at) AS ts, toLowCardinality(direction) AS direction,
    toLowCardinality(queue) AS queue, toLowCardinality(business_line) AS business_line, toLowCardinality(campaign_id) AS campaign_id,
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
GROUP BY tenant, ts, direction, queue, business_line, campaign_id;
