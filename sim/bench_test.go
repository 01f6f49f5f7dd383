package sim

import (
	"context"
	"testing"
	"time"
)

// BenchmarkNationalDay is a national-profile day through the real routing code, no sink.
func BenchmarkNationalDay(b *testing.B) {
	start := time.Date(2026, 11, 4, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	for i := 0; i < b.N; i++ {
		s, err := New(Options{Profile: National(), Seed: uint64(i + 1), Start: start})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.RunUntil(context.Background(), start.Add(24*time.Hour)); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(s.Counts().Calls), "calls/day")
	}
}
