package sim

import (
	"context"
	"testing"
	"time"
)

// BenchmarkNationalCall is the simulator's cost per call on a national-profile day (one op =
// one call placed, with everything it sets off through the real routing code, no sink). The
// wall time of a whole day is in `hotline bench routing`.
func BenchmarkNationalCall(b *testing.B) {
	start := time.Date(2026, 11, 4, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))
	s, err := New(Options{Profile: National(), Seed: 1, Start: start, Customers: 20000})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for s.Counts().Calls < b.N {
		next, ok := s.clk.Next()
		if !ok {
			b.Fatal("simulation ran dry")
		}
		if err := s.RunUntil(ctx, next); err != nil {
			b.Fatal(err)
		}
	}
}
