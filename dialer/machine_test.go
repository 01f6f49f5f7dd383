package dialer

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// Every answering-machine attempt says in its event what the campaign did with the machine.
func TestMachineActionInTheEvent(t *testing.T) {
	tests := []struct {
		machine         MachineAction
		wantDisposition string
	}{
		{MachineHangup, ""},
		{MachineMessage, "voicemail_left"},
		{MachineRetry, "machine_retry"},
	}
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, cst)
	var campaigns []Campaign
	for _, tc := range tests {
		c := Campaign{ID: "m-" + string(tc.machine), Type: events.CampaignRenewal, Script: "R", Machine: tc.machine,
			List: ListRule{Source: "book", ExpiringInDays: 60}}
		c.Normalize()
		campaigns = append(campaigns, c)
	}
	machines := FarEndFunc(func(Contact, time.Time, time.Duration) FarEndAnswer {
		return FarEndAnswer{Outcome: "machine", Ring: 8 * time.Second}
	})
	book := newFakeBook(50, start)
	sink := &memSink{}
	svc, err := NewService(ServiceConfig{Campaigns: campaigns, TeamSize: 2, Seed: 3},
		Deps{Clock: clock.NewSim(start), Book: book, FarEnd: machines, Sink: sink, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	svc.deps.Clock.(*clock.Sim).Advance(time.Hour)
	if err := svc.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]int{} // campaign → disposition → machine attempts
	for _, ev := range sink.evs {
		if d, ok := ev.Payload.(events.DialAttempt); ok && d.Outcome == events.AttemptMachine {
			if got[d.Campaign] == nil {
				got[d.Campaign] = map[string]int{}
			}
			got[d.Campaign][d.Disposition]++
		}
	}
	for _, tc := range tests {
		id := "m-" + string(tc.machine)
		if len(got[id]) != 1 || got[id][tc.wantDisposition] == 0 {
			t.Errorf("%s: machine attempts by disposition %v, want all %q", id, got[id], tc.wantDisposition)
		}
	}
}
