package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"

	"github.com/seed-1c4692e8/hotline/events"
)

// A dead letter carries a bounded excerpt of the message, never all of it: the broker accepts
// messages of many megabytes (compressed, they fit its limit), and a dead letter must always fit
// on the dead-letter topic and in ClickHouse, or one bad message would hold up every good one
// behind it. The size and SHA-256 of the full bytes, with the source position, identify the
// original, which stays on its topic until the topic's retention removes it.
const (
	MaxDeadLetterExcerpt = 64 << 10 // bytes of the message value kept
	maxDeadLetterKey     = 1 << 10  // bytes of the message key kept
	maxDeadLetterReason  = 1 << 10  // bytes of the reason kept
)

// deadLetterNamespace names the dead-letter ids (UUID version 5 of the source position), so the
// same message dead-lettered twice — a producer retry of the dead-letter topic, a replay after
// a crash — gets the same id.
var deadLetterNamespace = uuid.MustParse("6f1d8f5e-3c52-4a53-9d52-1c1e5d0b7a10")

// DeadLetterID is the stable id of the dead letter of the message at a stored position (the
// Kafka offset, plus the epoch's base for a topic accepted after it was recreated).
func DeadLetterID(topic string, partition int, offset int64) uuid.UUID {
	return uuid.NewSHA1(deadLetterNamespace, fmt.Appendf(nil, "%s/%d/%d", topic, partition, offset))
}

// deadLetter is a message ingest could not store, and why: excerpts of its key and value with
// the size and hash of the whole value.
type deadLetter struct {
	id       uuid.UUID
	pos      position // Offset: the stored offset (see item)
	offset   int64    // the Kafka offset
	key      []byte
	value    []byte
	size     int
	sha256   string
	reason   string
	failedAt time.Time
}

// newDeadLetter copies what a dead letter keeps of a message, so the message's (possibly large)
// buffer is not held until the dead letter is stored.
func newDeadLetter(pos position, kafkaOffset int64, key, value []byte, reason string, failedAt time.Time) *deadLetter {
	sum := sha256.Sum256(value)
	return &deadLetter{
		id:       DeadLetterID(pos.Topic, pos.Partition, pos.Offset),
		pos:      pos,
		offset:   kafkaOffset,
		key:      excerpt(key, maxDeadLetterKey),
		value:    excerpt(value, MaxDeadLetterExcerpt),
		size:     len(value),
		sha256:   hex.EncodeToString(sum[:]),
		reason:   string(excerpt([]byte(reason), maxDeadLetterReason)),
		failedAt: failedAt,
	}
}

// excerpt copies at most n bytes of b, cut on a character boundary (UTF-8 characters are at
// most 4 bytes) so that an excerpt of text stays readable.
func excerpt(b []byte, n int) []byte {
	if len(b) > n {
		cut := n
		for cut > n-utf8.UTFMax && cut > 0 && !utf8.RuneStart(b[cut]) {
			cut--
		}
		b = b[:cut]
	}
	return append([]byte(nil), b...)
}

// Header names on dead-letter messages. The message key is the dead-letter id (the same for
// every copy of one dead letter); the value is the excerpt of the original value.
const (
	HeaderReason          = "hotline-reason"
	HeaderDeadLetterID    = "hotline-dead-letter-id"
	HeaderSourceTopic     = "hotline-source-topic"
	HeaderSourcePartition = "hotline-source-partition"
	HeaderSourceOffset    = "hotline-source-offset"
	HeaderSourceKey       = "hotline-source-key"    // excerpt of the original key
	HeaderSourceSize      = "hotline-source-size"   // bytes of the original value
	HeaderSourceSHA256    = "hotline-source-sha256" // hex SHA-256 of the original value
)

func (s *Service) publishDeadLetters(ctx context.Context, dead []deadLetter) error {
	msgs := make([]kafka.Message, len(dead))
	for i, d := range dead {
		msgs[i] = s.dlq.Message(events.TopicDeadLetter, d.id.String(), d.value)
		msgs[i].Headers = []protocol.Header{
			{Key: HeaderReason, Value: []byte(d.reason)},
			{Key: HeaderDeadLetterID, Value: []byte(d.id.String())},
			{Key: HeaderSourceTopic, Value: []byte(d.pos.Topic)},
			{Key: HeaderSourcePartition, Value: []byte(strconv.Itoa(d.pos.Partition))},
			{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(d.offset, 10))},
			{Key: HeaderSourceKey, Value: d.key},
			{Key: HeaderSourceSize, Value: []byte(strconv.Itoa(d.size))},
			{Key: HeaderSourceSHA256, Value: []byte(d.sha256)},
		}
	}
	return s.dlq.WriteRaw(ctx, msgs...)
}

func insertDeadLetters(ctx context.Context, conn driver.Conn, dead []deadLetter) error {
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+DeadLetterTable+
		" (failed_at, reason, message_key, message_value, kafka_topic, kafka_partition, kafka_offset, dead_letter_id, message_size, message_sha256)")
	if err != nil {
		return fmt.Errorf("preparing dead-letter insert: %w", err)
	}
	defer batch.Close()
	for _, d := range dead {
		if err := batch.Append(d.failedAt.UTC(), d.reason, string(d.key), string(d.value), d.pos.Topic, uint16(d.pos.Partition), uint64(d.pos.Offset),
			d.id, uint64(d.size), d.sha256); err != nil {
			return fmt.Errorf("appending dead letter: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("inserting %d dead letters: %w", len(dead), err)
	}
	return nil
}
