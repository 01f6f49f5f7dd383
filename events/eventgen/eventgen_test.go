package eventgen

import (
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

func TestGeneratedEventsDecodeAndMalformedOnesDoNot(t *testing.T) {
	start := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	g := New(7, 20_000, 0.01, start, "GD")
	seenTypes := map[events.Type]int{}
	var good, bad int
	for {
		m, ok := g.Next()
		if !ok {
			break
		}
		ev, err := events.Decode(m.Value, start.Add(time.Hour))
		if m.Malformed {
			bad++
			if err == nil {
				t.Fatalf("malformed message decoded: %s", m.Value)
			}
			continue
		}
		good++
		if err != nil {
			t.Fatalf("generated event does not decode: %v\n%s", err, m.Value)
		}
		if ev.Topic() != m.Topic {
			t.Fatalf("%s event on topic %s", ev.Type, m.Topic)
		}
		seenTypes[ev.Type]++
	}
	if bad != 200 || good != 19_800 || g.Malformed() != 200 {
		t.Fatalf("good=%d bad=%d (reported %d), want 19800 and 200", good, bad, g.Malformed())
	}
	for _, typ := range events.Types() {
		if seenTypes[typ] == 0 {
			t.Errorf("no %s event generated", typ)
		}
	}
}

func TestSameSeedSameMessages(t *testing.T) {
	start := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	a, b := New(42, 500, 0.05, start, "GD"), New(42, 500, 0.05, start, "GD")
	for {
		ma, oka := a.Next()
		mb, okb := b.Next()
		if oka != okb {
			t.Fatal("generators of one seed ended at different counts")
		}
		if !oka {
			return
		}
		if string(ma.Value) != string(mb.Value) {
			t.Fatalf("same seed, different message:\n%s\n%s", ma.Value, mb.Value)
		}
	}
}
