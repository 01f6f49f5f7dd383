-- Fact tables, one per event type. Every table starts with the envelope and ends with the Kafka
-- position the row came from: ingest reads max(kafka_offset) per partition to skip what a crash
-- already stored (exactly-once without newer ClickHouse features). Column names are the JSON
-- field names of the event contract (events/).

-- call_records keeps its categories as plain String: it is the table ingest writes most, and
-- clickhouse-go encodes LowCardinality row by row through reflection, the largest insert cost
-- after JSON decoding. The rollups the dashboards read keep LowCardinality, so the views that
-- fill them cast with toLowCardinality() (18.16 does not convert when pushing to a view).
CREATE TABLE IF NOT EXISTS call_records (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant String, source String, schema_version UInt16,
    call_id String,
    direction String,
    business_line String,
    queue String,
    customer_id String,
    phone String,
    agent_id String,
    campaign_id String,
    priority Int32,
    arrived_at DateTime,
    ivr_ended_at Nullable(DateTime),
    queued_at Nullable(DateTime),
    answered_at Nullable(DateTime),
    ended_at DateTime,
    wrapup_ended_at Nullable(DateTime),
    ivr_sec Float64, wait_sec Float64, talk_sec Float64, hold_sec Float64, acw_sec Float64,
    hold_count UInt16,
    outcome String,
    ivr_path String,
    self_service String,
    transferred UInt8,
    transfer_target String,
    disposition String,
    resolved UInt8,
    recording_id String,
    kafka_topic String, kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
PARTITION BY toYYYYMM(arrived_at)
ORDER BY (tenant, toDate(arrived_at), queue, arrived_at);

CREATE TABLE IF NOT EXISTS call_events (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant LowCardinality(String), source LowCardinality(String), schema_version UInt16,
    call_id String,
    stage LowCardinality(String),
    direction LowCardinality(String),
    queue LowCardinality(String),
    agent_id LowCardinality(String),
    business_line LowCardinality(String),
    detail String,
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant, toDate(occurred_at), call_id, occurred_at);

CREATE TABLE IF NOT EXISTS callback_requests (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant LowCardinality(String), source LowCardinality(String), schema_version UInt16,
    callback_id String,
    call_id String,
    customer_id String,
    phone String,
    queue LowCardinality(String),
    business_line LowCardinality(String),
    requested_for Nullable(DateTime),
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant, occurred_at, callback_id);

CREATE TABLE IF NOT EXISTS agent_states (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant LowCardinality(String), source LowCardinality(String), schema_version UInt16,
    agent_id LowCardinality(String),
    state LowCardinality(String),
    reason LowCardinality(String),
    previous_state LowCardinality(String),
    previous_sec Float64,
    call_id String,
    queues Array(String),
    direction LowCardinality(String),
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant, toDate(occurred_at), agent_id, occurred_at);

CREATE TABLE IF NOT EXISTS dial_attempts (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant LowCardinality(String), source LowCardinality(String), schema_version UInt16,
    attempt_id String,
    campaign_id LowCardinality(String),
    campaign_type LowCardinality(String),
    contact_id String,
    customer_id String,
    phone String,
    mode LowCardinality(String),
    pacing LowCardinality(String),
    attempt_no UInt16,
    dialed_at DateTime,
    answered_at Nullable(DateTime),
    connected_at Nullable(DateTime),
    ended_at DateTime,
    ring_sec Float64, wait_sec Float64, talk_sec Float64,
    outcome LowCardinality(String),
    amd LowCardinality(String),
    blocked_rule LowCardinality(String),
    agent_id LowCardinality(String),
    call_id String,
    disposition LowCardinality(String),
    final UInt8,
    retry_at Nullable(DateTime),
    claim_id String,
    policy_id String,
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
PARTITION BY toYYYYMM(dialed_at)
ORDER BY (tenant, campaign_id, dialed_at);

CREATE TABLE IF NOT EXISTS sms_messages (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant LowCardinality(String), source LowCardinality(String), schema_version UInt16,
    message_id String,
    direction LowCardinality(String),
    kind LowCardinality(String),
    status LowCardinality(String),
    campaign_id LowCardinality(String),
    customer_id String,
    phone String,
    body String,
    in_reply_to String,
    error String,
    segments UInt16,
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant, toDate(occurred_at), campaign_id, occurred_at);

CREATE TABLE IF NOT EXISTS survey_responses (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant LowCardinality(String), source LowCardinality(String), schema_version UInt16,
    response_id String,
    survey_id LowCardinality(String),
    kind LowCardinality(String),
    channel LowCardinality(String),
    customer_id String,
    call_id String,
    claim_id String,
    complaint_id String,
    campaign_id LowCardinality(String),
    agent_id LowCardinality(String),
    business_line LowCardinality(String),
    csat Nullable(UInt8),
    nps Nullable(UInt8),
    resolved Nullable(UInt8),
    issue String,
    comment String,
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant, toDate(occurred_at), kind, occurred_at);

CREATE TABLE IF NOT EXISTS complaints (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant LowCardinality(String), source LowCardinality(String), schema_version UInt16,
    complaint_id String,
    stage LowCardinality(String),
    customer_id String,
    category LowCardinality(String),
    business_line LowCardinality(String),
    department LowCardinality(String),
    channel LowCardinality(String),
    call_id String,
    agent_id LowCardinality(String),
    against_agent_id LowCardinality(String),
    policy_id String,
    claim_id String,
    registered_at DateTime,
    due_at DateTime,
    resolution String,
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant, complaint_id, occurred_at);

CREATE TABLE IF NOT EXISTS qa_evaluations (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant LowCardinality(String), source LowCardinality(String), schema_version UInt16,
    evaluation_id String,
    status LowCardinality(String),
    kind LowCardinality(String),
    calibration_id String,
    amends_evaluation_id String,
    call_id String,
    recording_id String,
    agent_id LowCardinality(String),
    evaluator_id LowCardinality(String),
    scorecard_id LowCardinality(String),
    scorecard_version UInt32,
    score Float64,
    critical_failed UInt8,
    sections Nested(section String, score Float64, weight Float64, failed UInt8),
    business_line LowCardinality(String),
    answers Nested(item String, value String, comment String, at_sec Float64),
    comment String,
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant, agent_id, occurred_at);

CREATE TABLE IF NOT EXISTS recordings (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant LowCardinality(String), source LowCardinality(String), schema_version UInt16,
    recording_id String,
    call_id String,
    agent_id LowCardinality(String),
    campaign_type LowCardinality(String),
    duration_sec Float64,
    channels UInt8,
    sample_rate UInt32,
    checksum String,
    path String,
    size_bytes UInt64,
    retain_until DateTime,
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant, call_id, occurred_at);

CREATE TABLE IF NOT EXISTS recording_deletions (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant LowCardinality(String), source LowCardinality(String), schema_version UInt16,
    recording_id String,
    call_id String,
    reason LowCardinality(String),
    by String,
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant, recording_id, occurred_at);

CREATE TABLE IF NOT EXISTS recording_analyses (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant LowCardinality(String), source LowCardinality(String), schema_version UInt16,
    recording_id String,
    call_id String,
    agent_id LowCardinality(String),
    duration_sec Float64,
    agent_talk_sec Float64,
    customer_talk_sec Float64,
    silence_sec Float64,
    silence_ratio Float64,
    longest_silence_sec Float64,
    silences_over_4s UInt32,
    overtalk_sec Float64,
    overtalk_ratio Float64,
    overtalk_count UInt32,
    agent_talk_share Float64,
    hold_sec Float64,
    hold_segments UInt32,
    agent_level_dbfs Float64,
    customer_level_dbfs Float64,
    clipping_ratio Float64,
    channels UInt8,
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant, agent_id, occurred_at);

CREATE TABLE IF NOT EXISTS recording_access (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant LowCardinality(String), source LowCardinality(String), schema_version UInt16,
    recording_id String,
    call_id String,
    user String,
    role LowCardinality(String),
    action LowCardinality(String),
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant, recording_id, occurred_at);

-- The book of business: every version of every customer, policy and claim, as the core systems
-- sent it. The current state is the newest version: argMax(col, updated_ms) GROUP BY the id.
-- Plain MergeTree (not Replacing) so history stays for quadrant movements and audits, and so
-- ingest's exactly-once count holds row for row.
CREATE TABLE IF NOT EXISTS customers (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant LowCardinality(String), source LowCardinality(String), schema_version UInt16,
    customer_id String,
    name String,
    phone String,
    province LowCardinality(String),
    city LowCardinality(String),
    time_zone LowCardinality(String),
    customer_since DateTime,
    blacklisted UInt8,
    marketing_consent UInt8,
    do_not_call UInt8,
    vip UInt8,
    updated_ms UInt64 MATERIALIZED toUInt64(occurred_at) * 1000 + occurred_ms,
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
ORDER BY (tenant, customer_id, updated_ms);

CREATE TABLE IF NOT EXISTS policies (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant LowCardinality(String), source LowCardinality(String), schema_version UInt16,
    policy_id String,
    customer_id String,
    product LowCardinality(String),
    line LowCardinality(String),
    status LowCardinality(String),
    start_date DateTime,
    end_date DateTime,
    premium Float64,
    premium_due_at Nullable(DateTime),
    renewed_from String,
    updated_ms UInt64 MATERIALIZED toUInt64(occurred_at) * 1000 + occurred_ms,
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
ORDER BY (tenant, customer_id, policy_id, updated_ms);

CREATE TABLE IF NOT EXISTS claims (
    event_id UUID, occurred_at DateTime, occurred_ms UInt16, tenant LowCardinality(String), source LowCardinality(String), schema_version UInt16,
    claim_id String,
    policy_id String,
    customer_id String,
    status LowCardinality(String),
    accident_type LowCardinality(String),
    location String,
    reported_at DateTime,
    closed_at Nullable(DateTime),
    amount_claimed Float64,
    amount_paid Float64,
    updated_ms UInt64 MATERIALIZED toUInt64(occurred_at) * 1000 + occurred_ms,
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
ORDER BY (tenant, customer_id, claim_id, updated_ms);

-- Messages ingest could not store, with the reason; the same go to the dead_letter topic.
CREATE TABLE IF NOT EXISTS dead_letters (
    failed_at DateTime,
    reason String,
    message_key String,
    message_value String,
    kafka_topic LowCardinality(String), kafka_partition UInt16, kafka_offset UInt64, ingested_at DateTime DEFAULT now()
) ENGINE = MergeTree
PARTITION BY toYYYYMM(failed_at)
ORDER BY (kafka_topic, kafka_partition, kafka_offset);
