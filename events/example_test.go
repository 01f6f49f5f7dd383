package events_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/embedkafka"
)

// A producer wraps a payload in an envelope, encodes it (Encode refuses what ingest would
// dead-letter) and sends it to the event's topic under its key; ingest decodes the bytes back.
func Example() {
	now := time.Date(2026, 10, 9, 10, 30, 0, 0, time.UTC)
	cp := events.Complaint{
		ComplaintID: "CP-k1-1", Stage: "registered", Customer: "C0001", Category: "claim_delay",
		Line: events.LineComplaint, Department: "claims", Channel: "phone",
		RegisteredAt: now, DueAt: now.AddDate(0, 0, 10),
	}
	ev := events.New(cp, now, "routing/acd-1", "GD")
	data, err := events.Encode(ev, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("topic", ev.Topic(), "key", ev.Key())

	back, err := events.Decode(data, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	got := back.Payload.(events.Complaint)
	fmt.Println(back.Type, got.ComplaintID, "due", got.DueAt.Format(time.DateOnly), "same event id:", back.EventID == ev.EventID)
	// Output:
	// topic complaints key C0001
	// complaint.lifecycle CP-k1-1 due 2026-10-19 same event id: true
}

// Bytes that are not a valid event give a *DecodeError; its Reason, naming the field, is what
// ingest writes to the dead-letter topic beside the original bytes.
func ExampleDecode_deadLetter() {
	now := time.Date(2026, 10, 9, 10, 30, 0, 0, time.UTC)
	_, err := events.Decode([]byte(`{"event_id":"0b7f1c6e-3a52-4c43-9d38-6f4f1a2b3c4d","type":"call.teleport","schema_version":1}`), now)
	var de *events.DecodeError
	if errors.As(err, &de) {
		fmt.Println(de.Reason)
	}
	// Output:
	// type: "call.teleport" is not a known event type
}

// A Publisher validates, encodes and writes events to their topics (with the configured
// prefix), keyed by the entity whose order matters. Here it writes to an embedded broker.
func ExamplePublisher() {
	dir, err := os.MkdirTemp("", "hotline-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	broker, err := embedkafka.Start(dir, 0, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer broker.Close()

	ctx := context.Background()
	pub := events.NewPublisher(events.PublisherConfig{Brokers: broker.Addrs(), TopicPrefix: "example."})
	now := time.Now()
	st := events.AgentState{Agent: "A017", State: events.AgentAvailable, Previous: events.AgentACW, PreviousSec: 12.5, Queues: []string{"claims"}}
	if err := pub.Publish(ctx, events.New(st, now, "routing/acd-1", "GD")); err != nil {
		fmt.Println(err)
		return
	}
	if err := pub.Close(); err != nil {
		fmt.Println(err)
		return
	}

	r := kafka.NewReader(kafka.ReaderConfig{Brokers: broker.Addrs(), Topic: "example." + events.TopicAgentStates, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	msg, err := r.ReadMessage(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	ev, err := events.Decode(msg.Value, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(msg.Topic, string(msg.Key), ev.Type, ev.Payload.(events.AgentState).State)
	// Output:
	// example.agent_states A017 agent.state available
}
