package sim

import (
	"context"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/routing"
)

func TestServiceBackfillsThenFollowsTheClock(t *testing.T) {
	k := &keep{}
	svc, err := NewService(ServiceConfig{Profile: "province", Seed: 2, Sink: k, Backfill: 3 * time.Hour, Tick: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	deadline := time.Now().Add(60 * time.Second)
	var simNow time.Time
	for time.Now().Before(deadline) {
		_ = svc.Do(func(e *routing.Engine) error { simNow = e.Clock().Now(); return nil })
		if time.Since(simNow) < time.Second {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if time.Since(simNow) > time.Second {
		t.Fatalf("simulated clock %s did not catch up with now", simNow)
	}
	// A person can log in next to the simulated agents while it runs.
	if err := svc.Do(func(e *routing.Engine) error {
		return e.Login(routing.Login{Agent: "human-1", Skills: routing.DefaultSkills(), Ready: true})
	}); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c := svc.Counts(); c.Events == 0 || len(k.evs) == 0 {
		t.Fatalf("no events after a 3-hour backfill: counts %+v, sink %d", c, len(k.evs))
	}
	if _, err := NewService(ServiceConfig{Profile: "regional", Sink: k}); err == nil {
		t.Fatal("unknown profile accepted")
	}
}
