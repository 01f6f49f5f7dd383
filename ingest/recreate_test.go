package ingest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/events/eventgen"
	"github.com/seed-1c4692e8/hotline/ingest"
	"github.com/seed-1c4692e8/hotline/ingest/ingesttest"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/kafkaadmin"
)

// recreateTopic deletes a topic on the real broker and creates it again, empty, under the same
// name: what a broker whose data was wiped looks like to a consumer.
func recreateTopic(t *testing.T, brokers []string, topic string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := kafka.DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.DeleteTopics(topic); err != nil {
		t.Fatalf("deleting %s: %v", topic, err)
	}
	// Creating fails while the deletion is still going on.
	for {
		err := kafkaadmin.EnsureTopics(ctx, brokers, []string{topic}, 4, 1)
		if err == nil {
			if parts, err := conn.ReadPartitions(topic); err == nil && len(parts) == 4 {
				return
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("creating %s again: %v", topic, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// A topic deleted and created again under the same name starts its offsets over. Ingest must not
// skip its messages as already stored: it refuses the topic loudly until it is accepted, and
// then stores every new message once.
func TestRecreatedTopicIsRefusedUntilAccepted(t *testing.T) {
	env := ingesttest.NewEnv(t)
	ctx := context.Background()
	topic := env.TopicPrefix + events.TopicCalls
	const n = 1000
	if _, err := eventgen.New(21, n, 0, time.Now().Add(-2*time.Hour), "GD").CallRecordsOnly().Publish(ctx, env.Publisher(t), n, nil); err != nil {
		t.Fatal(err)
	}
	env.RunUntil(t, n, 2*time.Minute)
	if _, err := ingest.AcceptTopics(ctx, env.Config("ingesttest"), []string{topic}); err == nil || !strings.Contains(err.Error(), "nothing to accept") {
		t.Errorf("accepting a topic read as it is: %v, want an error saying there is nothing to accept", err)
	}

	recreateTopic(t, env.Brokers, topic)
	// New calls on the new topic, at offsets ClickHouse already holds rows for.
	if _, err := eventgen.New(22, n, 0, time.Now().Add(-time.Hour), "GD").CallRecordsOnly().Publish(ctx, env.Publisher(t), n, nil); err != nil {
		t.Fatal(err)
	}

	cfg := env.Config("ingesttest") // the same group as RunUntil
	reg := prometheus.NewRegistry()
	svc, err := ingest.New(cfg, reg)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- svc.Run(runCtx) }()
	defer func() { stop(); <-done }()

	var reason string
	waitFor(t, time.Minute, "health does not name the recreated topic", func() bool {
		var hr *httpapi.HealthReason
		if err := svc.Health(ctx); errors.As(err, &hr) {
			reason = hr.Reason
		}
		return strings.Contains(reason, "topic "+topic+" refused: recreated")
	})
	if !strings.Contains(reason, "hotline ingest accept-topic "+topic) {
		t.Errorf("health reason %q does not say what to do", reason)
	}
	if v := gaugeWithLabel(t, reg, "hotline_ingest_topic_refused", topic); v != 1 {
		t.Errorf("hotline_ingest_topic_refused{topic=%q} = %v, want 1", topic, v)
	}
	time.Sleep(2 * time.Second)
	if s := svc.Stats(); s.Consumed != 0 || s.Inserted != 0 {
		t.Errorf("ingest read %d and stored %d messages of a refused topic", s.Consumed, s.Inserted)
	}
	t.Logf("refused: %s", reason)

	accepted, err := ingest.AcceptTopics(ctx, cfg, []string{topic})
	if err != nil {
		t.Fatal(err)
	}
	if len(accepted) != 4 || accepted[0].Epoch != 1 || accepted[0].OffsetBase <= 0 {
		t.Fatalf("accepted %+v, want epoch 1 of 4 partitions with a base past the stored offsets", accepted)
	}
	waitFor(t, time.Minute, "the accepted topic is not stored", func() bool { return svc.Stats().Inserted >= n })
	waitFor(t, 30*time.Second, "health does not recover after the acceptance", func() bool { return svc.Health(ctx) == nil })
	if v := gaugeWithLabel(t, reg, "hotline_ingest_topic_refused", topic); v != 0 {
		t.Errorf("hotline_ingest_topic_refused{topic=%q} = %v after acceptance, want 0", topic, v)
	}
	var rows, distinct uint64
	if err := env.Conn.QueryRow(ctx, "SELECT count(), uniqExact(event_id) FROM call_records").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != 2*n || distinct != 2*n {
		t.Errorf("call_records holds %d rows with %d distinct event ids, want %d and %d", rows, distinct, 2*n, 2*n)
	}
	var positions uint64
	if err := env.Conn.QueryRow(ctx, "SELECT uniqExact(kafka_partition, kafka_offset) FROM call_records").Scan(&positions); err != nil {
		t.Fatal(err)
	}
	if positions != 2*n {
		t.Errorf("%d distinct stored positions for %d rows: the new epoch overlaps the old one", positions, 2*n)
	}
	t.Logf("after acceptance: %d rows, %d distinct event ids, partition 0 stored from kafka_offset %d", rows, distinct, accepted[0].OffsetBase)
}

// gaugeWithLabel reads the gauge of a vector whose one label has the given value.
func gaugeWithLabel(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if len(m.GetLabel()) == 1 && m.GetLabel()[0].GetValue() == label {
				return m.GetGauge().GetValue()
			}
		}
	}
	t.Fatalf("no %s{%s}", name, label)
	return 0
}
