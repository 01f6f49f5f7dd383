package ingest

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"

	"github.com/seed-1c4692e8/hotline/events"
)

// deadLetter is a message ingest could not store, and why.
type deadLetter struct {
	pos      position
	key      []byte
	value    []byte
	reason   string
	failedAt time.Time
}

// Header names on dead-letter messages; the value is the original bytes, the key the original key.
const (
	HeaderReason          = "hotline-reason"
	HeaderSourceTopic     = "hotline-source-topic"
	HeaderSourcePartition = "hotline-source-partition"
	HeaderSourceOffset    = "hotline-source-offset"
)

func (s *Service) publishDeadLetters(ctx context.Context, dead []deadLetter) error {
	msgs := make([]kafka.Message, len(dead))
	for i, d := range dead {
		msgs[i] = s.dlq.Message(events.TopicDeadLetter, string(d.key), d.value)
		msgs[i].Headers = []protocol.Header{
			{Key: HeaderReason, Value: []byte(d.reason)},
			{Key: HeaderSourceTopic, Value: []byte(d.pos.Topic)},
			{Key: HeaderSourcePartition, Value: []byte(strconv.Itoa(d.pos.Partition))},
			{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(d.pos.Offset, 10))},
		}
	}
	return s.dlq.WriteRaw(ctx, msgs...)
}

func insertDeadLetters(ctx context.Context, conn driver.Conn, dead []deadLetter) error {
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+DeadLetterTable+
		" (failed_at, reason, message_key, message_value, kafka_topic, kafka_partition, kafka_offset)")
	if err != nil {
		return fmt.Errorf("preparing dead-letter insert: %w", err)
	}
	defer batch.Close()
	for _, d := range dead {
		if err := batch.Append(d.failedAt.UTC(), d.reason, string(d.key), string(d.value), d.pos.Topic, uint16(d.pos.Partition), uint64(d.pos.Offset)); err != nil {
			return fmt.Errorf("appending dead letter: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("inserting %d dead letters: %w", len(dead), err)
	}
	return nil
}
