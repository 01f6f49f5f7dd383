package routing_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
	"github.com/seed-1c4692e8/hotline/internal/statedb/statedbtest"
	"github.com/seed-1c4692e8/hotline/routing"
)

func TestCallJournalClosesInterruptedCalls(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	db, err := statedb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	j, err := routing.NewCallJournal(ctx, db, "sim")
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	at := func(sec float64) time.Time { return t0.Add(time.Duration(sec * float64(time.Second))) }
	life := func(call, stage, queue, agent string, sec float64) events.Event {
		return events.New(events.CallLifecycle{CallID: call, Stage: stage, Direction: events.Inbound, Queue: queue, Agent: agent,
			Line: map[bool]string{true: events.LineClaimsReport}[queue != ""]}, at(sec), "sim", "GD")
	}
	done := events.CallRecord{CallID: "done", Direction: events.Inbound, Line: events.LineClaimsReport, Phone: "+8613800138000",
		Queue: "claims", ArrivedAt: at(0), EndedAt: at(30), Outcome: events.OutcomeAbandoned, WaitSec: 20}
	batches := [][]events.Event{
		{life("done", events.StageArrived, "", "", 0), life("waiting", events.StageArrived, "", "", 1), life("talking", events.StageArrived, "", "", 2)},
		{life("done", events.StageQueued, "claims", "", 10), life("waiting", events.StageQueued, "claims", "", 11.5), life("talking", events.StageQueued, "claims", "", 12)},
		{life("talking", events.StageAnswered, "claims", "A0007", 40.25), events.New(done, at(30), "sim", "GD"), life("ivr", events.StageArrived, "", "", 50)},
	}
	for _, b := range batches {
		if err := j.Publish(ctx, b...); err != nil {
			t.Fatal(err)
		}
	}
	db.Close() // a stop: the calls still open are interrupted

	db, err = statedb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	j, err = routing.NewCallJournal(ctx, db, "sim")
	if err != nil {
		t.Fatal(err)
	}
	resume, closed, err := j.Recover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !resume.Equal(at(50)) {
		t.Errorf("resume at %v, want the newest event %v", resume, at(50))
	}
	if closed != 3 {
		t.Errorf("closed %d calls, want 3 (waiting, talking, ivr)", closed)
	}
	c := &statedbtest.Collector{}
	statedbtest.Drain(t, db, c)
	got := map[string]events.CallRecord{}
	for _, e := range c.Events(t) {
		if r, ok := e.Payload.(events.CallRecord); ok {
			got[r.CallID] = r
		}
	}
	if _, ok := got["done"]; !ok || got["done"].Outcome != events.OutcomeAbandoned {
		t.Errorf("the finished call's own record was not relayed as it was: %+v", got["done"])
	}
	cases := []struct {
		call            string
		queue, agent    string
		wait            float64
		answered, ended time.Time
	}{
		{"waiting", "claims", "", 0, time.Time{}, at(11.5)},
		{"talking", "claims", "A0007", 40.25 - 12, at(40.25), at(40.25)},
		{"ivr", "", "", 0, time.Time{}, at(50)},
	}
	for _, tc := range cases {
		r, ok := got[tc.call]
		if !ok {
			t.Errorf("%s: no interrupted record", tc.call)
			continue
		}
		if r.Outcome != events.OutcomeInterrupted || r.Queue != tc.queue || r.Agent != tc.agent || !r.EndedAt.Equal(tc.ended) {
			t.Errorf("%s: got %s queue %q agent %q ended %v, want interrupted %q %q %v", tc.call, r.Outcome, r.Queue, r.Agent, r.EndedAt, tc.queue, tc.agent, tc.ended)
		}
		if (r.AnsweredAt == nil) != tc.answered.IsZero() || r.WaitSec != tc.wait {
			t.Errorf("%s: answered %v wait %v, want %v %v", tc.call, r.AnsweredAt, r.WaitSec, tc.answered, tc.wait)
		}
	}
	// A second recovery finds nothing more to close.
	if _, closed, err := j.Recover(ctx); err != nil || closed != 0 {
		t.Errorf("second Recover closed %d (%v), want 0", closed, err)
	}
}

// BenchmarkCallJournalPublish measures the simulator's path into the state file: batches of
// 5,000 agent-state and lifecycle events queued with their open calls.
func BenchmarkCallJournalPublish(b *testing.B) {
	ctx := context.Background()
	db, err := statedb.Open(ctx, filepath.Join(b.TempDir(), "state.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	j, err := routing.NewCallJournal(ctx, db, "sim")
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	batch := make([]events.Event, 5000)
	for i := range batch {
		if i%2 == 0 {
			batch[i] = events.New(events.AgentState{Agent: "A0001", State: "available", Previous: "acw", PreviousSec: 3}, t0, "sim", "GD")
		} else {
			batch[i] = events.New(events.CallLifecycle{CallID: "c" + string(rune('a'+i%26)), Stage: events.StageArrived, Direction: events.Inbound}, t0, "sim", "GD")
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := j.Publish(ctx, batch...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "events/s")
}
