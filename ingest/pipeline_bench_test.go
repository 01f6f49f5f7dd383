package ingest

import (
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/sys/unix"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/events/eventgen"
)

// callRecordSchema is call_records as the server describes it, built from the contract so the
// benchmark needs no server.
func callRecordSchema(b *testing.B) *tableSchema {
	zero, _ := events.Zero(events.TypeCallRecord)
	cols := []ColumnInfo{{Name: "event_id", Type: "UUID"}, {Name: "occurred_at", Type: "DateTime"}, {Name: "occurred_ms", Type: "UInt16"},
		{Name: "tenant", Type: "LowCardinality(String)"}, {Name: "source", Type: "LowCardinality(String)"}, {Name: "schema_version", Type: "UInt16"}}
	rt := reflect.TypeOf(zero)
	for name, p := range payloadFields(rt) {
		if p.millis && name != "arrived_ms" { // the table keeps the milliseconds of the arrival only
			continue
		}
		f := rt.Field(p.index)
		typ := map[reflect.Kind]string{reflect.String: "String", reflect.Float64: "Float64", reflect.Int: "Int32", reflect.Bool: "UInt8"}[f.Type.Kind()]
		switch f.Type.String() {
		case "time.Time":
			typ = "DateTime"
		case "*time.Time":
			typ = "Nullable(DateTime)"
		}
		if p.millis {
			typ = "UInt16"
		}
		cols = append(cols, ColumnInfo{Name: name, Type: typ})
	}
	cols = append(cols, ColumnInfo{Name: "kafka_topic", Type: "String"}, ColumnInfo{Name: "kafka_partition", Type: "UInt16"}, ColumnInfo{Name: "kafka_offset", Type: "UInt64"})
	s, err := newTableSchema("call_records", events.TypeCallRecord, cols)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// threadCPU is the CPU time of the calling OS thread: unlike wall time, it does not grow when
// other processes take the cores, so the figure holds on a busy machine.
// CLOCK_THREAD_CPUTIME_ID has nanosecond resolution; getrusage counts in scheduler ticks,
// too coarse for one event.
func threadCPU() time.Duration {
	var ts unix.Timespec
	unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
	return time.Duration(ts.Nano())
}

// BenchmarkDecodeBuildConvert is the client-side CPU per call record: JSON decode and
// validation, Arrow batch build, and conversion to the columns clickhouse-go sends. Each stage
// runs over a whole batch between two reads of the thread's CPU clock, so the clock's own cost
// does not count.
func BenchmarkDecodeBuildConvert(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	const batch = 10_000
	g := eventgen.New(5, batch, 0, time.Now().Add(-time.Hour), "HQ").CallRecordsOnly()
	var msgs [][]byte
	for {
		m, ok := g.Next()
		if !ok {
			break
		}
		msgs = append(msgs, m.Value)
	}
	s := callRecordSchema(b)
	tb := newTableBatch(memory.NewGoAllocator(), s)
	now := time.Now()
	evs := make([]events.Event, batch)
	var decode, build, convert time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; done += batch {
		n := min(batch, b.N-done)
		t0 := threadCPU()
		for i := range n {
			ev, err := events.Decode(msgs[i], now)
			if err != nil {
				b.Fatal(err)
			}
			evs[i] = ev
		}
		t1 := threadCPU()
		for i := range n {
			tb.append(evs[i], position{Topic: "calls", Partition: 0, Offset: int64(done + i)})
		}
		t2 := threadCPU()
		rec := tb.record()
		for c := range s.columns {
			if _, err := toColumn(rec.Column(c), s.types[c]); err != nil {
				b.Fatal(err)
			}
		}
		rec.Release()
		t3 := threadCPU()
		decode += t1 - t0
		build += t2 - t1
		convert += t3 - t2
	}
	n := float64(b.N)
	b.ReportMetric(float64(decode.Nanoseconds())/n, "decode-cpu-ns/op")
	b.ReportMetric(float64(build.Nanoseconds())/n, "build-cpu-ns/op")
	b.ReportMetric(float64(convert.Nanoseconds())/n, "convert-cpu-ns/op")
}
