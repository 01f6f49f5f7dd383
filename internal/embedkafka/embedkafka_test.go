package embedkafka

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// A restarted broker still has the messages it acknowledged and the group's committed offset,
// so ingest in a restarted `hotline run` continues instead of reading everything again.
func TestRestartKeepsMessagesAndOffsets(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := Start(dir, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	w := &kafka.Writer{Addr: kafka.TCP(b.Addrs()...), RequiredAcks: kafka.RequireAll, AllowAutoTopicCreation: true, BatchTimeout: time.Millisecond}
	for _, v := range []string{"one", "two", "three"} {
		if err := w.WriteMessages(ctx, kafka.Message{Topic: "t", Value: []byte(v)}); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: b.Addrs(), GroupID: "g", Topic: "t", MaxWait: 50 * time.Millisecond})
	m, err := r.FetchMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CommitMessages(ctx, m); err != nil {
		t.Fatal(err)
	}
	r.Close()
	b.Close()

	b, err = Start(dir, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	r = kafka.NewReader(kafka.ReaderConfig{Brokers: b.Addrs(), GroupID: "g", Topic: "t", MaxWait: 50 * time.Millisecond})
	defer r.Close()
	m, err = r.FetchMessage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(m.Value) != "two" || m.Offset != 1 {
		t.Errorf("after a restart the group read %q at offset %d, want \"two\" at 1", m.Value, m.Offset)
	}
}
