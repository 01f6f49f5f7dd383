-- The event ids ingest has stored, per Kafka partition (written by ingest, see docs/ingest.md):
-- the idempotency index. Events are keyed by entity, so every copy of an event (producer retry,
-- re-publish, replay) lands in the same partition, whose single owner loads the ids of the last
-- days from here at assignment and checks older events here directly.
--
-- A row is written only once the event's fact row and everything the materialised views derive
-- from it are complete: an id here means "fully stored". Ingest sets stored_at once per insert,
-- so every insert is one part, written whole or not at all. occurred_day is UTC days since 1970.
-- kafka_topic is a plain String: clickhouse-go encodes LowCardinality row by row, and the key's
-- first column compresses to nothing either way.
CREATE TABLE IF NOT EXISTS event_ids (
    kafka_topic String,
    kafka_partition UInt16,
    occurred_day UInt16,
    event_id UUID,
    kafka_offset UInt64,
    stored_at DateTime
) ENGINE = MergeTree
PARTITION BY toYYYYMM(stored_at)
ORDER BY (kafka_topic, kafka_partition, occurred_day, event_id);

-- What databases created before this index hold (run again after a crash, it only repeats ids,
-- which the index treats as one).

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM call_records;

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM call_events;

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM callback_requests;

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM agent_states;

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM dial_attempts;

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM sms_messages;

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM survey_responses;

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM complaints;

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM qa_evaluations;

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM recordings;

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM recording_deletions;

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM recording_analyses;

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM recording_access;

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM customers;

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM policies;

INSERT INTO event_ids (kafka_topic, kafka_partition, occurred_day, event_id, kafka_offset, stored_at)
SELECT kafka_topic, kafka_partition, toUInt16(intDiv(toUInt32(occurred_at), 86400)), event_id, kafka_offset, now() FROM claims;
