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

// BenchmarkCallThroughCentre is the engine's cost per call in the 1,000-agent centre: one op is
// one arrival with everything it sets off (offer, answer, talk, wrap-up, abandons) until the
// next arrival.
func BenchmarkCallThroughCentre(b *testing.B) {
	c, err := newCentre(DefaultCentre(), 1)
	if err != nil {
		b.Fatal(err)
	}
	c.warmUp()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.nextArrival()
	}
}
