package events_test

import (
	"context"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/events/eventgen"
	"github.com/seed-1c4692e8/hotline/internal/testenv"
)

// A broker paused for 15 s under a producer writing a few thousand events a second: no event
// whose Publish returned nil is lost, and no Publish fails (the retries outlast the pause).
// Retries may write a batch twice (kafka-go has no idempotent producer): the test reports how
// many events were, which ingest stores once by event_id.
func TestPublisherRidesOutABrokerPause(t *testing.T) {
	k := testenv.StartPrivateKafka(t)
	prefix := testenv.TopicPrefix(t)
	topic := prefix + events.TopicCalls
	testenv.CreateTopic(t, k.Brokers, topic, 4)
	pub := events.NewPublisher(events.PublisherConfig{Brokers: []string{k.Brokers}, TopicPrefix: prefix, BatchSize: 500})
	defer pub.Close()

	g := eventgen.New(5, 1_000_000, 0, time.Now().Add(-time.Hour), "GD").CallRecordsOnly()
	var (
		mu       sync.Mutex
		acked    = map[uuid.UUID]bool{}
		failed   int
		slowest  time.Duration
		producer sync.WaitGroup
	)
	next := func(n int) ([]kafka.Message, []uuid.UUID) {
		mu.Lock()
		defer mu.Unlock()
		msgs := make([]kafka.Message, 0, n)
		ids := make([]uuid.UUID, 0, n)
		for range n {
			m, _ := g.Next()
			ev, err := events.Decode(m.Value, time.Now())
			if err != nil {
				t.Error(err)
			}
			msgs = append(msgs, pub.Message(m.Topic, m.Key, m.Value))
			ids = append(ids, ev.EventID)
		}
		return msgs, ids
	}
	stop := make(chan struct{})
	for range 4 { // 4 producers × 100 events every 100 ms: about 4,000 events/s
		producer.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
				msgs, ids := next(100)
				start := time.Now()
				err := pub.WriteRaw(context.Background(), msgs...)
				took := time.Since(start)
				mu.Lock()
				slowest = max(slowest, took)
				if err != nil {
					failed++
					t.Logf("publish failed after %s: %v", took, err)
				} else {
					for _, id := range ids {
						acked[id] = true
					}
				}
				mu.Unlock()
			}
		})
	}
	time.Sleep(3 * time.Second)
	pid := k.Pid(t)
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(15 * time.Second)
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Second)
	close(stop)
	producer.Wait()

	copies := readAll(t, k.Brokers, topic)
	var lost, twice, messages int
	for id := range acked {
		if copies[id] == 0 {
			lost++
		}
	}
	for _, n := range copies {
		messages += n
		if n > 1 {
			twice += n - 1
		}
	}
	t.Logf("broker paused 15 s: %d events acknowledged, %d publish calls failed, slowest call %s; topic holds %d messages of %d events, %d of them extra copies; %d acknowledged events missing",
		len(acked), failed, slowest.Round(time.Millisecond), messages, len(copies), twice, lost)
	if lost > 0 || failed > 0 {
		t.Errorf("%d acknowledged events missing and %d publish calls failed, want none", lost, failed)
	}
	// The pause must have caught writes in flight, or the test proved nothing about retries.
	if slowest < 10*time.Second || len(acked) < 5_000 {
		t.Errorf("slowest publish %s, %d events acknowledged: the pause did not hold writes in flight", slowest, len(acked))
	}
}

// readAll counts the copies of each event id on a topic.
func readAll(t *testing.T, brokers, topic string) map[uuid.UUID]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := kafka.DialContext(ctx, "tcp", brokers)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := conn.ReadPartitions(topic)
	conn.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := map[uuid.UUID]int{}
	for _, p := range parts {
		pc, err := kafka.DialLeader(ctx, "tcp", brokers, topic, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		first, last, err := pc.ReadOffsets()
		pc.Close()
		if err != nil {
			t.Fatal(err)
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{brokers}, Topic: topic, Partition: p.ID, MaxBytes: 16 << 20, MaxWait: 100 * time.Millisecond})
		r.SetOffset(first)
		for off := first; off < last; off++ {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				r.Close()
				t.Fatalf("reading %s partition %d: %v", topic, p.ID, err)
			}
			ev, err := events.Decode(m.Value, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			out[ev.EventID]++
		}
		r.Close()
	}
	return out
}
