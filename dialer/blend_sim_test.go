package dialer

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/dialer/pacing"
)

func hotlinePacer(time.Time, time.Time) (pacing.Pacer, error) {
	return pacing.NewHotline(pacing.HotlineConfig{})
}

// TestSimulateBlendAccountsForEveryInboundCall: every inbound call of the day is answered or
// abandoned (abandons under 5 s are not offered), the team's time covers inbound and outbound
// work, and the same seed gives the same day.
func TestSimulateBlendAccountsForEveryInboundCall(t *testing.T) {
	w := BlendWorkloads()[1] // province busy: inbound takes a good share of the team
	w.To = 12
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	drawn, short := 0, 0
	for _, c := range drawInbound(w, day, 7) {
		drawn++
		if c.patience < shortAbandon {
			short++
		}
	}
	r, err := SimulateBlend(w, 7, w.KeepIdle, hotlinePacer)
	if err != nil {
		t.Fatal(err)
	}
	var answered, abandoned int
	for h := range 24 {
		answered += r.Answered[h]
		abandoned += r.Abandoned[h]
		if r.AnsweredInSL[h] > r.Answered[h] || r.AbandonedLate[h] > r.Abandoned[h] {
			t.Errorf("hour %d: %d answered in 20 s of %d, %d abandoned late of %d", h, r.AnsweredInSL[h], r.Answered[h], r.AbandonedLate[h], r.Abandoned[h])
		}
	}
	// A call still waiting at the day's end is neither; a short abandon is not offered.
	if got := answered + abandoned; got > drawn || got < drawn-short-5 {
		t.Errorf("%d answered + %d abandoned of %d drawn (%d impatient under 5 s)", answered, abandoned, drawn, short)
	}
	if answered == 0 || r.Outbound.Connected == 0 {
		t.Fatalf("%d inbound answered, %d outbound connected: the blend did not work both", answered, r.Outbound.Connected)
	}
	busy := r.InboundBusySec + r.Outbound.TalkSec + r.Outbound.WrapSec
	// Calls ending after the day count whole for inbound: allow an hour of overrun.
	if busy > (r.TeamHours+1)*3600 {
		t.Errorf("inbound and outbound work %.0f s, more than the team's %.0f h", busy, r.TeamHours)
	}
	again, err := SimulateBlend(w, 7, w.KeepIdle, hotlinePacer)
	if err != nil {
		t.Fatal(err)
	}
	if again != r {
		t.Errorf("the same seed gave two different days")
	}
}

// TestBlendLendsOnlyWhatInboundLeaves: the same day with no outbound list worked (no agent lent)
// and with hotline's blend: lending idle agents costs inbound at most a little service.
func TestBlendLendsOnlyWhatInboundLeaves(t *testing.T) {
	w := BlendWorkloads()[1]
	w.To = 12
	alone, err := SimulateBlend(w, 3, w.Agents, hotlinePacer) // every agent kept for inbound
	if err != nil {
		t.Fatal(err)
	}
	if alone.Outbound.Attempts != 0 {
		t.Fatalf("%d outbound attempts with every agent kept for inbound", alone.Outbound.Attempts)
	}
	blended, err := SimulateBlend(w, 3, w.KeepIdle, hotlinePacer)
	if err != nil {
		t.Fatal(err)
	}
	slAlone, _ := alone.ServiceLevel(0, 24)
	slBlend, _ := blended.ServiceLevel(0, 24)
	if slBlend < 0.8 || slBlend > slAlone+1e-9 {
		t.Errorf("service level %.3f blended, %.3f inbound alone: want at least 0.8 and no better than alone", slBlend, slAlone)
	}
	if blended.Outbound.TalkSec <= 0 {
		t.Errorf("no outbound talk in the blend")
	}
}

func TestBenchBlendPrintsBothBlends(t *testing.T) {
	var out bytes.Buffer
	if err := BenchBlend(context.Background(), []string{"-workloads", "province", "-seeds", "1", "-until", "11"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{" hotline ", " VICIdial ", "SL worst hour", "outbound talk min/agent-h", "outbound ceiling", "+20% feasible"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output has no %q:\n%s", want, out.String())
		}
	}
	if err := BenchBlend(context.Background(), []string{"-workloads", "nowhere"}, &out); err == nil {
		t.Error("an unknown workload name was accepted")
	}
}
