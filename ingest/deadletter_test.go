package ingest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/compress"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/events/eventgen"
	"github.com/seed-1c4692e8/hotline/ingest"
	"github.com/seed-1c4692e8/hotline/ingest/ingesttest"
)

func TestDeadLetterIDIsStableForAPosition(t *testing.T) {
	a := ingest.DeadLetterID("p.calls", 3, 1234)
	if b := ingest.DeadLetterID("p.calls", 3, 1234); a != b {
		t.Errorf("the same position got ids %s and %s", a, b)
	}
	for _, other := range []uuid.UUID{ingest.DeadLetterID("p.calls", 3, 1235), ingest.DeadLetterID("p.calls", 2, 1234), ingest.DeadLetterID("p.sms", 3, 1234)} {
		if other == a {
			t.Errorf("another position got the same id %s", a)
		}
	}
}

// A message of several megabytes (which the broker accepts compressed) must be dead-lettered
// like any other, and the good messages around it stored.
func TestIngestDeadLettersAHugeMessage(t *testing.T) {
	env := ingesttest.NewEnv(t)
	const good = 1000
	huge := append([]byte(`{"type":"call.record","payload":{"call_id":"`), bytes.Repeat([]byte("0123456789"), 500_000)...)
	sum := sha256.Sum256(huge)
	g := eventgen.New(7, good, 0, time.Now().Add(-time.Hour), "GD").CallRecordsOnly()
	ctx := context.Background()
	var hugeOffset int64
	_, err := g.Publish(ctx, env.Publisher(t), good/2, func(written int) error {
		if written != good/2 {
			return nil
		}
		// Straight to partition 0, compressed, as a producer with a larger batch limit writes it.
		conn, err := kafka.DialLeader(ctx, "tcp", env.Brokers[0], env.TopicPrefix+events.TopicCalls, 0)
		if err != nil {
			return err
		}
		defer conn.Close()
		_, last, err := conn.ReadOffsets()
		if err != nil {
			return err
		}
		hugeOffset = last
		_, err = conn.WriteCompressedMessages(compress.Lz4.Codec(), kafka.Message{Key: []byte("C0000001"), Value: huge})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	stats := env.RunUntil(t, good+1, 2*time.Minute)
	if stats.Inserted != good || stats.DeadLettered != 1 {
		t.Errorf("ingest stored %d and dead-lettered %d, want %d and 1", stats.Inserted, stats.DeadLettered, good)
	}
	var calls uint64
	if err := env.Conn.QueryRow(ctx, "SELECT count() FROM call_records").Scan(&calls); err != nil {
		t.Fatal(err)
	}
	if calls != good {
		t.Errorf("call_records holds %d rows, want %d", calls, good)
	}

	wantID := ingest.DeadLetterID(env.TopicPrefix+events.TopicCalls, 0, hugeOffset)
	var (
		rows, size, excerptLen uint64
		id                     uuid.UUID
		hash, reason           string
	)
	if err := env.Conn.QueryRow(ctx, "SELECT count(), any(dead_letter_id), any(message_size), any(message_sha256), any(length(message_value)), any(reason) FROM dead_letters").
		Scan(&rows, &id, &size, &hash, &excerptLen, &reason); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || id != wantID || size != uint64(len(huge)) || hash != hex.EncodeToString(sum[:]) || excerptLen != ingest.MaxDeadLetterExcerpt || reason == "" {
		t.Errorf("dead_letters: %d rows, id %s, size %d, sha256 %s, excerpt %d bytes, reason %q; want 1 row, id %s, size %d, the message's sha256, %d bytes, a reason",
			rows, id, size, hash, excerptLen, reason, wantID, len(huge), ingest.MaxDeadLetterExcerpt)
	}

	msgs := env.CountDeadLetters(t)
	if len(msgs) != 1 {
		t.Fatalf("dead_letter topic holds %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	h := map[string]string{}
	for _, x := range m.Headers {
		h[x.Key] = string(x.Value)
	}
	if string(m.Key) != wantID.String() || h[ingest.HeaderDeadLetterID] != wantID.String() || h[ingest.HeaderSourceOffset] != strconv.FormatInt(hugeOffset, 10) ||
		h[ingest.HeaderSourceSize] != strconv.Itoa(len(huge)) || h[ingest.HeaderSourceSHA256] != hex.EncodeToString(sum[:]) ||
		h[ingest.HeaderSourceKey] != "C0000001" || !bytes.Equal(m.Value, huge[:ingest.MaxDeadLetterExcerpt]) {
		t.Errorf("dead letter: key %q, %d bytes, headers %v; want the id as key, the first %d bytes and the source's position, size and hash",
			m.Key, len(m.Value), h, ingest.MaxDeadLetterExcerpt)
	}
	t.Logf("%d good messages stored around a %d-byte invalid one; dead letter %s of %d bytes", calls, len(huge), id, len(m.Value))
}
