-- The derived tables ingest fills through materialised views carry the Kafka partition their
-- rows come from (and answered_waits the offset too), so that each can be compared with its fact
-- table per source partition and repaired after an insert that was cut half way: ClickHouse
-- writes an insert one part per month and the views after the fact table, so a crash or a full
-- disk can leave any subset (docs/ingest.md). Only the owner of a partition writes its rows, so
-- the comparison is race-free. Queries sum over the partition column, as over any other key.
--
-- Each table is rebuilt from its facts (migrations run before ingest starts): a crash half way
-- is healed by running the migration again, which drops and rebuilds the table once more.

DROP TABLE IF EXISTS call_rollup_15m_mv;
DROP TABLE IF EXISTS call_rollup_15m;
CREATE TABLE IF NOT EXISTS call_rollup_15m (
    tenant LowCardinality(String),
    ts DateTime,
    direction LowCardinality(String),
    queue LowCardinality(String),
    business_line LowCardinality(String),
    agent_id LowCardinality(String),
    campaign_id LowCardinality(String),
    kafka_partition UInt16,
    inbound UInt64, outbound UInt64, total UInt64, ivr_entered UInt64, self_served UInt64,
    offered_all UInt64, answered UInt64, abandoned_all UInt64, short_abandoned UInt64,
    answered_within UInt64, abandoned_after UInt64, abandoned_within_long UInt64,
    wait_answered Float64, handle Float64, transferred UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant, ts, direction, queue, business_line, agent_id, campaign_id, kafka_partition);

INSERT INTO call_rollup_15m (tenant, ts, direction, queue, business_line, agent_id, campaign_id, kafka_partition, inbound, outbound, total, ivr_entered, self_served, offered_all, answered, abandoned_all, short_abandoned, answered_within, abandoned_after, abandoned_within_long, wait_answered, handle, transferred)
SELECT tenant, toStartOfFifteenMinutes(arrived_at) AS ts, direction, queue, business_line, agent_id, campaign_id, kafka_partition,
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
GROUP BY tenant, ts, direction, queue, business_line, agent_id, campaign_id, kafka_partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS call_rollup_15m_mv TO call_rollup_15m AS
SELECT toLowCardinality(tenant) AS tenant, toStartOfFifteenMinutes(arrived_at) AS ts, toLowCardinality(direction) AS direction,
    toLowCardinality(queue) AS queue, toLowCardinality(business_line) AS business_line, toLowCardinality(agent_id) AS agent_id,
    toLowCardinality(campaign_id) AS campaign_id, kafka_partition,
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
GROUP BY tenant, ts, direction, queue, business_line, agent_id, campaign_id, kafka_partition;

DROP TABLE IF EXISTS call_queue_rollup_15m_mv;
DROP TABLE IF EXISTS call_queue_rollup_15m;
CREATE TABLE IF NOT EXISTS call_queue_rollup_15m (
    tenant LowCardinality(String),
    ts DateTime,
    direction LowCardinality(String),
    queue LowCardinality(String),
    business_line LowCardinality(String),
    campaign_id LowCardinality(String),
    kafka_partition UInt16,
    inbound UInt64, outbound UInt64, total UInt64, ivr_entered UInt64, self_served UInt64,
    offered_all UInt64, answered UInt64, abandoned_all UInt64, short_abandoned UInt64,
    answered_within UInt64, abandoned_after UInt64, abandoned_within_long UInt64,
    wait_answered Float64, handle Float64, transferred UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant, ts, direction, queue, business_line, campaign_id, kafka_partition);

INSERT INTO call_queue_rollup_15m (tenant, ts, direction, queue, business_line, campaign_id, kafka_partition, inbound, outbound, total, ivr_entered, self_served, offered_all, answered, abandoned_all, short_abandoned, answered_within, abandoned_after, abandoned_within_long, wait_answered, handle, transferred)
SELECT tenant, toStartOfFifteenMinutes(arrived_at) AS ts, direction, queue, business_line, campaign_id, kafka_partition,
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
GROUP BY tenant, ts, direction, queue, business_line, campaign_id, kafka_partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS call_queue_rollup_15m_mv TO call_queue_rollup_15m AS
SELECT toLowCardinality(tenant) AS tenant, toStartOfFifteenMinutes(arrived_at) AS ts, toLowCardinality(direction) AS direction,
    toLowCardinality(queue) AS queue, toLowCardinality(business_line) AS business_line, toLowCardinality(campaign_id) AS campaign_id, kafka_partition,
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
GROUP BY tenant, ts, direction, queue, business_line, campaign_id, kafka_partition;

DROP TABLE IF EXISTS dial_rollup_15m_mv;
DROP TABLE IF EXISTS dial_rollup_15m;
CREATE TABLE IF NOT EXISTS dial_rollup_15m (
    tenant LowCardinality(String),
    ts DateTime,
    campaign_id LowCardinality(String),
    campaign_type LowCardinality(String),
    kafka_partition UInt16,
    attempts UInt64, blocked UInt64, contacts UInt64, connected UInt64, dropped UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant, ts, campaign_id, campaign_type, kafka_partition);

INSERT INTO dial_rollup_15m (tenant, ts, campaign_id, campaign_type, kafka_partition, attempts, blocked, contacts, connected, dropped)
SELECT tenant, toStartOfFifteenMinutes(dialed_at) AS ts, campaign_id, campaign_type, kafka_partition,
    countIf(outcome != 'blocked') AS attempts,
    countIf(outcome = 'blocked') AS blocked,
    countIf(outcome IN ('connected', 'dropped')) AS contacts,
    countIf(outcome = 'connected') AS connected,
    countIf(outcome = 'dropped') AS dropped
FROM dial_attempts
GROUP BY tenant, ts, campaign_id, campaign_type, kafka_partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS dial_rollup_15m_mv TO dial_rollup_15m AS
SELECT tenant, toStartOfFifteenMinutes(dialed_at) AS ts, campaign_id, campaign_type, kafka_partition,
    countIf(outcome != 'blocked') AS attempts,
    countIf(outcome = 'blocked') AS blocked,
    countIf(outcome IN ('connected', 'dropped')) AS contacts,
    countIf(outcome = 'connected') AS connected,
    countIf(outcome = 'dropped') AS dropped
FROM dial_attempts
GROUP BY tenant, ts, campaign_id, campaign_type, kafka_partition;

DROP TABLE IF EXISTS answered_waits_mv;
DROP TABLE IF EXISTS answered_waits;
CREATE TABLE IF NOT EXISTS answered_waits (
    tenant LowCardinality(String),
    arrived_at DateTime,
    queue LowCardinality(String),
    business_line LowCardinality(String),
    agent_id LowCardinality(String),
    campaign_id LowCardinality(String),
    wait_sec Float64,
    kafka_partition UInt16,
    kafka_offset UInt64
) ENGINE = MergeTree
PARTITION BY toYYYYMM(arrived_at)
ORDER BY (tenant, arrived_at);

INSERT INTO answered_waits (tenant, arrived_at, queue, business_line, agent_id, campaign_id, wait_sec, kafka_partition, kafka_offset)
SELECT tenant, arrived_at, queue, business_line, agent_id, campaign_id, wait_sec, kafka_partition, kafka_offset FROM call_records
WHERE direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'answered';

CREATE MATERIALIZED VIEW IF NOT EXISTS answered_waits_mv TO answered_waits AS
SELECT toLowCardinality(tenant) AS tenant, arrived_at, toLowCardinality(queue) AS queue, toLowCardinality(business_line) AS business_line,
    toLowCardinality(agent_id) AS agent_id, toLowCardinality(campaign_id) AS campaign_id, wait_sec, kafka_partition, kafka_offset FROM call_records
WHERE direction = 'inbound' AND isNotNull(queued_at) AND outcome = 'answered';

DROP TABLE IF EXISTS sms_rollup_15m_mv;
DROP TABLE IF EXISTS sms_rollup_15m;
CREATE TABLE IF NOT EXISTS sms_rollup_15m (
    tenant LowCardinality(String),
    ts DateTime,
    campaign_id LowCardinality(String),
    kafka_partition UInt16,
    sent UInt64, delivered UInt64, failed UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (tenant, ts, campaign_id, kafka_partition);

INSERT INTO sms_rollup_15m (tenant, ts, campaign_id, kafka_partition, sent, delivered, failed)
SELECT tenant, toStartOfFifteenMinutes(occurred_at) AS ts, campaign_id, kafka_partition,
    countIf(status = 'sent') AS sent, countIf(status = 'delivered') AS delivered, countIf(status = 'failed') AS failed
FROM sms_messages WHERE direction = 'outbound'
GROUP BY tenant, ts, campaign_id, kafka_partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS sms_rollup_15m_mv TO sms_rollup_15m AS
SELECT tenant, toStartOfFifteenMinutes(occurred_at) AS ts, campaign_id, kafka_partition,
    countIf(status = 'sent') AS sent, countIf(status = 'delivered') AS delivered, countIf(status = 'failed') AS failed
FROM sms_messages WHERE direction = 'outbound'
GROUP BY tenant, ts, campaign_id, kafka_partition;

DROP TABLE IF EXISTS campaign_agent_days_mv;
DROP TABLE IF EXISTS campaign_agent_days;
CREATE TABLE IF NOT EXISTS campaign_agent_days (
    tenant LowCardinality(String),
    day DateTime,
    agent_id LowCardinality(String),
    kafka_partition UInt16,
    states UInt64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (tenant, day, agent_id, kafka_partition);

INSERT INTO campaign_agent_days (tenant, day, agent_id, kafka_partition, states)
SELECT tenant, toDateTime(intDiv(toUInt32(occurred_at), 86400) * 86400) AS day, agent_id, kafka_partition, count() AS states
FROM agent_states WHERE direction = 'outbound'
GROUP BY tenant, day, agent_id, kafka_partition;

CREATE MATERIALIZED VIEW IF NOT EXISTS campaign_agent_days_mv TO campaign_agent_days AS
SELECT tenant, toDateTime(intDiv(toUInt32(occurred_at), 86400) * 86400) AS day, agent_id, kafka_partition, count() AS states
FROM agent_states WHERE direction = 'outbound'
GROUP BY tenant, day, agent_id, kafka_partition;
