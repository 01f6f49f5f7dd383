package ingest

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestIDIndexSeesCopiesAndLetsOldDaysGoOnceStored(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	today := dayOf(now.Unix())
	tp, other := position{Topic: "calls", Partition: 1}, position{Topic: "calls", Partition: 2}
	a, b := uuid.New(), uuid.New()
	x := newIDIndex(now)
	x.job = 1
	steps := []struct {
		tp   position
		day  uint16
		id   uuid.UUID
		seen bool
	}{
		{tp, today, a, false},
		{tp, today, a, true},         // a copy
		{tp, today - 1, a, false},    // same id on another day: another event
		{other, today, a, false},     // another partition has its own owner
		{tp, x.cutoff - 3, b, false}, // older than the horizon, first seen here
		{tp, x.cutoff - 3, b, true},  // its copy in the same generation
		{other, x.cutoff - 3, b, false},
	}
	for i, s := range steps {
		if got := x.seen(s.tp, s.day, s.id); got != s.seen {
			t.Errorf("step %d: seen = %v, want %v", i, got, s.seen)
		}
	}
	// The old day's ids stay until the job that added them is stored.
	x.advance(now.Add(24*time.Hour), 0)
	if !x.has(tp, x.cutoff-4, b) {
		t.Error("an old day's ids went before their job was stored")
	}
	x.advance(now.Add(48*time.Hour), 1)
	if x.has(tp, today-HorizonDays-3, b) {
		t.Error("an old day's ids stayed after their job was stored")
	}
	if !x.has(tp, today, a) {
		t.Error("today's ids went")
	}
}

// BenchmarkIDIndex is the index's cost per event: a lookup and an insert of a new id.
func BenchmarkIDIndex(b *testing.B) {
	ids := make([]uuid.UUID, 1<<20)
	for i := range ids {
		ids[i] = uuid.New()
	}
	now := time.Now()
	x := newIDIndex(now)
	p := x.partition(position{Topic: "calls"})
	day := dayOf(now.Unix())
	b.ResetTimer()
	for i := range b.N {
		if i%len(ids) == 0 && i > 0 {
			x = newIDIndex(now)
			p = x.partition(position{Topic: "calls"})
		}
		p.seen(day, ids[i%len(ids)])
	}
}
