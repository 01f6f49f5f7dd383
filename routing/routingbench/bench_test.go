package routingbench

import (
	"context"
	"strings"
	"testing"
)

func TestBenchRuns(t *testing.T) {
	var out strings.Builder
	if err := Bench(context.Background(), []string{"--agents", "100", "--queues", "10", "--skills", "20", "--calls-per-hour", "500", "--hours", "0.5", "--skip-sim"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "decision latency p99") {
		t.Fatalf("output:\n%s", out.String())
	}
}

func BenchmarkRoutingDecisions(b *testing.B) {
	for i := 0; i < b.N; i++ {
		l, err := MeasureDecisions(DefaultCentre(), uint64(i+1))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(l.P50.Nanoseconds()), "p50-ns")
		b.ReportMetric(float64(l.P99.Nanoseconds()), "p99-ns")
	}
}
