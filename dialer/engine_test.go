package dialer

import (
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/dialer/pacing"
	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// overDial keeps lines at a fixed multiple of the team, whatever happens: the load that makes
// the 2-second rule bite.
type overDial struct{ ratio int }

func (overDial) Name() string                  { return "overdial" }
func (o overDial) Dial(s *pacing.Snapshot) int { return max(0, o.ratio*s.LoggedIn-s.Active) }
func (overDial) ObserveAttempt(pacing.Attempt) {}
func (overDial) ObserveHandle(time.Duration)   {}

type simRig struct {
	clk    *clock.Sim
	eng    *Engine
	trunk  *SimTrunk
	agents *SimAgents
	src    *SimContacts
	recs   []events.DialAttempt
	hooks  []EngineEvent
}

func newRig(t *testing.T, w Workload, p pacing.Pacer, opts ...EngineOption) *simRig {
	t.Helper()
	w.defaults()
	r := &simRig{clk: clock.NewSim(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))}
	r.trunk = NewSimTrunk(r.clk, 7, w)
	r.agents = NewSimAgents(r.clk, 7, w)
	r.src = &SimContacts{Campaign: "t", Type: events.CampaignClaimCallback}
	opts = append(opts,
		WithRecorder(func(d events.DialAttempt) { r.recs = append(r.recs, d) }),
		WithHook(func(ev EngineEvent) { r.hooks = append(r.hooks, ev) }))
	eng, err := NewEngine(EngineConfig{Campaign: "t", CampaignType: events.CampaignClaimCallback, Pacer: p, Lines: w.Lines}, r.clk, r.trunk, r.agents, r.src, opts...)
	if err != nil {
		t.Fatal(err)
	}
	r.eng, r.trunk.Engine, r.agents.Engine = eng, eng, eng
	for i := range w.Agents {
		eng.Login("A" + string(rune('a'+i%26)) + string(rune('0'+i/26)))
	}
	eng.Start()
	return r
}

func TestTwoSecondRuleUnderLoad(t *testing.T) {
	w := Workload{Agents: 10, ContactRate: 0.6, TalkMean: 120 * time.Second, Lines: 60}
	r := newRig(t, w, overDial{ratio: 3})
	r.clk.Advance(2 * time.Hour)
	r.eng.Stop()
	r.clk.Advance(time.Hour) // let calls in progress finish

	var connected, dropped int
	for _, d := range r.recs {
		ev := events.New(d, d.EndedAt, "dialer/test", "T")
		if err := ev.Validate(d.EndedAt); err != nil {
			t.Fatalf("attempt %s does not validate: %v", d.AttemptID, err)
		}
		switch d.Outcome {
		case events.AttemptConnected:
			connected++
			if d.WaitSec > 2 {
				t.Errorf("attempt %s connected after %.3f s", d.AttemptID, d.WaitSec)
			}
			if got := d.ConnectedAt.Sub(*d.AnsweredAt); got > 2*time.Second {
				t.Errorf("attempt %s: connected_at − answered_at = %s", d.AttemptID, got)
			}
		case events.AttemptDropped:
			dropped++
			if d.WaitSec < 2 || d.WaitSec > 2.001 {
				t.Errorf("attempt %s dropped after %.3f s, want exactly 2 s", d.AttemptID, d.WaitSec)
			}
			if d.Disposition != "abandon_message" {
				t.Errorf("attempt %s: dropped without the recorded message", d.AttemptID)
			}
		}
	}
	if dropped == 0 || connected == 0 {
		t.Fatalf("load too light to test the rule: %d connected, %d dropped", connected, dropped)
	}
	if r.trunk.Messages < dropped {
		t.Errorf("%d abandon messages played for %d drops", r.trunk.Messages, dropped)
	}
	st := r.eng.Stats()
	if st.Answers != st.Connected+st.Dropped {
		t.Errorf("person-answered %d != connected %d + dropped %d: some answer was neither connected nor dropped", st.Answers, st.Connected, st.Dropped)
	}
	for _, h := range r.hooks {
		if h.Kind == "connected" && h.Wait > 2*time.Second {
			t.Errorf("hook: %s connected after %s", h.CallID, h.Wait)
		}
	}
	t.Logf("%d connected, %d dropped (%.1f%%)", connected, dropped, 100*float64(dropped)/float64(connected+dropped))
}

func TestReservingMethodsNeverAbandon(t *testing.T) {
	for _, p := range []pacing.Pacer{pacing.Preview{}, pacing.Progressive{}} {
		t.Run(p.Name(), func(t *testing.T) {
			r := newRig(t, Workload{Agents: 5, ContactRate: 0.5, TalkMean: 60 * time.Second}, p)
			r.clk.Advance(2 * time.Hour)
			st := r.eng.Stats()
			if st.Dropped != 0 || st.Connected == 0 {
				t.Errorf("%d dropped, %d connected; want none dropped and some connected", st.Dropped, st.Connected)
			}
			for _, d := range r.recs {
				if d.Mode != p.Name() {
					t.Fatalf("mode %q, want %q", d.Mode, p.Name())
				}
			}
		})
	}
}

func TestBlockedAttemptsAreEventsWithTheRule(t *testing.T) {
	g := NewCompliance(nil, time.UTC)
	// Every third simulated contact is on the national list.
	for n := 0; n < 3000; n += 3 {
		g.National().Add(simPhone(n), time.Time{})
	}
	r := newRig(t, Workload{Agents: 5, ContactRate: 0.3, TalkMean: 60 * time.Second}, pacing.Progressive{}, WithGate(g))
	r.clk.Advance(30 * time.Minute)
	var blocked, dialled int
	for _, d := range r.recs {
		n := simIndex(d.Phone)
		if d.Outcome == events.AttemptBlocked {
			blocked++
			if d.BlockedRule != RuleDNCNational || n%3 != 0 {
				t.Errorf("contact %d blocked by %q", n, d.BlockedRule)
			}
			if err := d.Validate(); err != nil {
				t.Errorf("blocked attempt does not validate: %v", err)
			}
			continue
		}
		dialled++
		if n%3 == 0 {
			t.Errorf("contact %d on the national list was dialled", n)
		}
	}
	if blocked == 0 || dialled == 0 {
		t.Fatalf("%d blocked, %d dialled", blocked, dialled)
	}
	if r.eng.Stats().Blocked != blocked {
		t.Errorf("stats count %d blocked, events %d", r.eng.Stats().Blocked, blocked)
	}
}

func TestSimulationIsReproducible(t *testing.T) {
	o := SimOptions{Workload: Workload{Agents: 8, ContactRate: 0.3, TalkMean: 90 * time.Second}, Method: MethodHotline, Seed: 3, Hours: 1}
	a, err := Simulate(o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Simulate(o)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("two runs with the same seed differ:\n%+v\n%+v", a, b)
	}
}

func TestEngineConfigValidate(t *testing.T) {
	base := EngineConfig{Campaign: "c", Pacer: pacing.Progressive{}, Lines: 5}
	tests := []struct {
		name   string
		mutate func(*EngineConfig)
		ok     bool
	}{
		{"ok", func(*EngineConfig) {}, true},
		{"drop after 3 s", func(c *EngineConfig) { c.DropAfter = 3 * time.Second }, false},
		{"ring 10 s", func(c *EngineConfig) { c.RingTimeout = 10 * time.Second }, false},
		{"no lines", func(c *EngineConfig) { c.Lines = 0 }, false},
		{"bad machine action", func(c *EngineConfig) { c.Machine = "beep" }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.mutate(&c)
			if err := c.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestLogoutWaitsForTheCallToEnd(t *testing.T) {
	r := newRig(t, Workload{Agents: 2, ContactRate: 1, TalkMean: 60 * time.Second}, pacing.Progressive{})
	r.clk.Advance(30 * time.Second) // both agents in calls by now
	busy := r.eng.snapshot(r.clk.Now()).InCall
	if busy == 0 {
		t.Fatal("no agent in a call after 30 s at a 100% contact rate")
	}
	for _, a := range r.eng.agents {
		r.eng.Logout(a.id)
	}
	r.clk.Advance(time.Hour)
	s := r.eng.snapshot(r.clk.Now())
	if s.LoggedIn != 0 || s.Ready != 0 {
		t.Errorf("after logging out: %d logged in, %d ready", s.LoggedIn, s.Ready)
	}
	attempts := r.eng.Stats().Attempts
	r.clk.Advance(time.Hour)
	if got := r.eng.Stats().Attempts; got != attempts {
		t.Errorf("%d calls placed with nobody logged in", got-attempts)
	}
}

// TestStoppedEngineDialsNoPreview: a record an agent is still reading when the campaign stops is
// not dialled when they finish reading.
func TestStoppedEngineDialsNoPreview(t *testing.T) {
	r := newRig(t, Workload{Agents: 10, ContactRate: 0.5, TalkMean: 30 * time.Second, PreviewMean: 20 * time.Second}, pacing.Preview{})
	r.clk.Advance(10 * time.Minute)
	reading := 0
	for i := range 10 {
		if r.eng.previewing("A" + string(rune('a'+i)) + "0") {
			reading++
		}
	}
	if reading == 0 {
		t.Fatal("no agent is reading a record at the stop; the test proves nothing")
	}
	r.eng.Stop()
	stoppedAt, before := r.clk.Now(), len(r.recs)
	r.clk.Advance(10 * time.Minute)
	for _, d := range r.recs[before:] {
		if d.DialedAt.After(stoppedAt) {
			t.Fatalf("%d agents were reading at the stop; contact %s was dialled at %s, after it", reading, d.Contact, d.DialedAt.Format(time.TimeOnly))
		}
	}
}
