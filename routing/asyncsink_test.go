package routing

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

type flaky struct {
	mu    sync.Mutex
	fails int
	got   []events.Event
}

func (f *flaky) Publish(_ context.Context, evs ...events.Event) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return errors.New("broker down")
	}
	f.got = append(f.got, evs...)
	return nil
}

func TestAsyncSinkDeliversEverythingDespiteErrors(t *testing.T) {
	next := &flaky{fails: 2}
	s := NewAsyncSink(next, 10, 5*time.Millisecond, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	for i := 0; i < 250; i++ {
		ev := events.New(events.AgentState{Agent: "a", State: events.AgentAvailable, Previous: events.AgentBreak}, t0, "t", "t")
		if err := s.Publish(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	cancel()
	<-done
	next.mu.Lock()
	defer next.mu.Unlock()
	if len(next.got) != 250 {
		t.Fatalf("delivered %d of 250", len(next.got))
	}
}
