-- The Kafka topics ingest reads, partition by partition: the topic id the broker gave the topic,
-- and from which stored offset on its rows are numbered. A topic deleted and created again
-- under the same name gets a new id and offsets that start over at 0; ingest refuses it until
-- someone accepts it (`hotline ingest accept-topic`), which starts a new epoch whose rows are
-- stored at kafka_offset = offset_base + the Kafka offset, after every row stored before.
CREATE TABLE IF NOT EXISTS ingest_topic_epochs (
    topic String,
    partition UInt16,
    epoch UInt32,
    topic_id String,
    offset_base UInt64,
    recorded_at DateTime DEFAULT now()
) ENGINE = MergeTree
ORDER BY (topic, partition, epoch);
