package ingest

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/uuid"

	"github.com/seed-1c4692e8/hotline/events"
)

// A table's x_ms column takes the milliseconds of the payload's x_at, 0 for a time not reached;
// a table without it is fine, and a time column stays whole seconds.
func TestMillisecondColumnsFollowTheirTimes(t *testing.T) {
	cols := []ColumnInfo{{Name: "event_id", Type: "UUID"}, {Name: "occurred_at", Type: "DateTime"}, {Name: "occurred_ms", Type: "UInt16"},
		{Name: "tenant", Type: "String"}, {Name: "source", Type: "String"}, {Name: "schema_version", Type: "UInt16"}}
	for _, c := range [][2]string{{"agent_id", "String"}, {"state", "String"}, {"reason", "String"}, {"previous_state", "String"}, {"previous_sec", "Float64"},
		{"call_id", "String"}, {"queues", "Array(String)"}, {"direction", "String"}} {
		cols = append(cols, ColumnInfo{Name: c[0], Type: c[1]})
	}
	cols = append(cols, ColumnInfo{Name: "kafka_topic", Type: "String"}, ColumnInfo{Name: "kafka_partition", Type: "UInt16"}, ColumnInfo{Name: "kafka_offset", Type: "UInt64"})
	if _, err := newTableSchema("agent_states", events.TypeAgentState, cols); err != nil {
		t.Fatalf("a payload without time fields: %v", err)
	}

	at := time.Date(2026, 10, 9, 8, 30, 0, 0, time.UTC)
	arrived := at.Add(-24*time.Hour - 400*time.Millisecond)
	connected := at.Add(-time.Hour + 999*time.Millisecond)
	cols = cols[:6]
	for _, c := range [][2]string{{"attempt_id", "String"}, {"campaign_id", "String"}, {"campaign_type", "String"}, {"contact_id", "String"}, {"customer_id", "String"},
		{"phone", "String"}, {"mode", "String"}, {"pacing", "String"}, {"attempt_no", "UInt16"}, {"dialed_at", "DateTime"}, {"dialed_ms", "UInt16"},
		{"answered_at", "Nullable(DateTime)"}, {"connected_at", "Nullable(DateTime)"}, {"connected_ms", "UInt16"}, {"ended_at", "DateTime"},
		{"ring_sec", "Float64"}, {"wait_sec", "Float64"}, {"talk_sec", "Float64"}, {"outcome", "String"}, {"amd", "String"}, {"blocked_rule", "String"},
		{"agent_id", "String"}, {"call_id", "String"}, {"disposition", "String"}, {"final", "UInt8"}, {"retry_at", "Nullable(DateTime)"},
		{"claim_id", "String"}, {"policy_id", "String"}} {
		cols = append(cols, ColumnInfo{Name: c[0], Type: c[1]})
	}
	cols = append(cols, ColumnInfo{Name: "kafka_topic", Type: "String"}, ColumnInfo{Name: "kafka_partition", Type: "UInt16"}, ColumnInfo{Name: "kafka_offset", Type: "UInt64"})
	s, err := newTableSchema("dial_attempts", events.TypeDialAttempt, cols)
	if err != nil {
		t.Fatal(err)
	}
	b := newTableBatch(memory.NewGoAllocator(), s)
	ev := func(a events.DialAttempt) events.Event {
		return events.Event{EventID: uuid.New(), Type: events.TypeDialAttempt, SchemaVersion: 1, OccurredAt: at, Source: "t", Tenant: "t", Payload: a}
	}
	b.append(ev(events.DialAttempt{DialedAt: arrived, ConnectedAt: &connected, EndedAt: at}), position{Topic: "x", Offset: 1})
	b.append(ev(events.DialAttempt{DialedAt: at, EndedAt: at}), position{Topic: "x", Offset: 2})
	rec := b.record()
	defer rec.Release()
	col := func(name string) string {
		for i, c := range s.columns {
			if c.Name == name {
				return rec.Column(i).(interface{ ValueStr(int) string }).ValueStr(0) + " " + rec.Column(i).(interface{ ValueStr(int) string }).ValueStr(1)
			}
		}
		t.Fatalf("no column %s", name)
		return ""
	}
	if got := col("dialed_ms"); got != "600 0" {
		t.Errorf("dialed_ms %s, want 600 0", got)
	}
	if got := col("connected_ms"); got != "999 0" {
		t.Errorf("connected_ms %s, want 999 0 (0 when not connected)", got)
	}
	if ts := rec.Column(15).(*array.Timestamp); s.columns[15].Name != "dialed_at" || int64(ts.Value(0)) != arrived.Unix() {
		t.Errorf("dialed_at %v, want %d whole seconds", ts.Value(0), arrived.Unix())
	}
}
