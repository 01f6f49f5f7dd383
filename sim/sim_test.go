package sim

import (
	"context"
	"testing"
	"time"
)

func TestProvinceDay(t *testing.T) {
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)) // a Monday
	s, err := New(Options{Profile: Province(), Seed: 1, Start: start, NoBookEvents: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.RunUntil(ctx, start.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	c := s.Counts()
	var b = new(testWriter)
	c.Print(b)
	t.Log("\n" + b.String())
	if c.Records != c.Calls || c.DoubleEnded != 0 {
		t.Fatalf("%d calls, %d records, %d double-ended", c.Calls, c.Records, c.DoubleEnded)
	}
}

type testWriter struct{ b []byte }

func (w *testWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
func (w *testWriter) String() string              { return string(w.b) }
