package events_test

import (
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/events/eventgen"
)

func BenchmarkDecodeCallRecord(b *testing.B) {
	g := eventgen.New(1, 1000, 0, time.Now().Add(-time.Hour), "HQ").CallRecordsOnly()
	var msgs [][]byte
	for {
		m, ok := g.Next()
		if !ok {
			break
		}
		msgs = append(msgs, m.Value)
	}
	now := time.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := events.Decode(msgs[i%len(msgs)], now); err != nil {
			b.Fatal(err)
		}
	}
}
