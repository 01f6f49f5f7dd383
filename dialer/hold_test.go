package dialer

import (
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/routing"
)

// waitState advances the clock a second at a time until routing shows agent in state, for at
// most limit; it fails the test otherwise.
func (f *blendFixture) waitState(t *testing.T, agent, state string, limit time.Duration) routing.AgentInfo {
	t.Helper()
	for waited := time.Duration(0); ; waited += time.Second {
		ai, err := f.acd.Agent(agent)
		if err != nil {
			t.Fatal(err)
		}
		if ai.State == state {
			return ai
		}
		if waited >= limit {
			t.Fatalf("after %s, %s is %s, want %s", limit, agent, ai.State, state)
		}
		f.clk.Advance(time.Second)
	}
}

// TestHeldAgentGetsTheAnsweredCall: preview and progressive campaigns hold their agent in
// routing from the dial on. An inbound call arriving while the line rings is not offered to the
// held agent (it waits), the answered person is connected to that agent with no drop, and the
// inbound call gets the agent after the outbound call.
func TestHeldAgentGetsTheAnsweredCall(t *testing.T) {
	for _, pacing := range []string{MethodProgressive, MethodPreview} {
		t.Run(pacing, func(t *testing.T) {
			f := newBlendFixture(t, map[string]map[string]int{"a": {"service": 2}}, pacing)
			// Progressive dials at once; preview after the agent read the record (4–11 s).
			ai := f.waitState(t, "a", events.AgentReserved, 15*time.Second)
			if ai.Direction != events.Outbound {
				t.Fatalf("a is reserved for %q, want outbound", ai.Direction)
			}
			if err := f.acd.Arrive(routing.Arrival{CallID: "in1", Phone: "+8613800000009", Queue: "inq"}); err != nil {
				t.Fatal(err)
			}
			ai = f.waitState(t, "a", events.AgentOnCall, 6*time.Second)
			if ai.Direction != events.Outbound {
				t.Fatalf("a answered %s call %s, want the outbound one", ai.Direction, ai.CallID)
			}
			if len(f.offers.got) != 0 {
				t.Fatalf("the held agent was offered %v", f.offers.got)
			}
			if w := f.acd.Waiting()["inq"]; w != 1 {
				t.Fatalf("%d inbound calls waiting while a is on the outbound call, want 1", w)
			}
			outbound := ai.CallID
			f.clk.Advance(4 * time.Minute) // 3 min talk, at most 37.5 s wrap-up
			if len(f.offers.got) != 1 || f.offers.got[0] != "a:in1" {
				t.Fatalf("after the outbound call, offers %v, want a:in1", f.offers.got)
			}
			var connected int
			for _, d := range f.attempts(t) {
				switch d.Outcome {
				case events.AttemptDropped:
					t.Fatalf("attempt %s dropped: a %s campaign must not drop", d.AttemptID, pacing)
				case events.AttemptConnected:
					connected++
					if d.Agent != "a" || d.CallID != outbound {
						t.Fatalf("connected attempt %+v, want agent a on routing call %s", d, outbound)
					}
				}
			}
			if connected != 1 {
				t.Fatalf("%d connected attempts, want 1", connected)
			}
		})
	}
}

// TestHoldReleasedWhenNobodyAnswers: a line that ends without a person (busy, failed, no answer,
// answering machine) gives the held agent back to routing at once, where the inbound call that
// arrived while it rang gets them; a machine frees the agent at the detector's verdict, not after
// the voicemail message.
func TestHoldReleasedWhenNobodyAnswers(t *testing.T) {
	for _, tc := range []struct {
		outcome string
		ring    time.Duration
		freeBy  time.Duration // the agent is back in routing by then
	}{
		{events.AttemptBusy, 3 * time.Second, 4 * time.Second},
		{events.AttemptFailed, 2 * time.Second, 3 * time.Second},
		{"machine", 8 * time.Second, 9 * time.Second}, // the 20 s voicemail message plays on alone
		{events.AttemptNoAnswer, 0, 26 * time.Second}, // the 25 s ring timeout
	} {
		t.Run(tc.outcome, func(t *testing.T) {
			far := FarEndFunc(func(Contact, time.Time, time.Duration) FarEndAnswer {
				return FarEndAnswer{Outcome: tc.outcome, Ring: tc.ring}
			})
			f := newBlendFixtureFar(t, map[string]map[string]int{"a": {"service": 2}}, MethodProgressive, far, BlendConfig{KeepIdle: -1})
			dialed := f.clk.Now()
			f.waitState(t, "a", events.AgentReserved, time.Second)
			if err := f.acd.Arrive(routing.Arrival{CallID: "in1", Phone: "+8613800000009", Queue: "inq"}); err != nil {
				t.Fatal(err)
			}
			for f.clk.Now().Sub(dialed) < tc.freeBy && len(f.offers.got) == 0 {
				f.clk.Advance(500 * time.Millisecond)
			}
			if len(f.offers.got) != 1 || f.offers.got[0] != "a:in1" {
				t.Fatalf("%s after the dial, offers %v; want the released agent offered in1", tc.freeBy, f.offers.got)
			}
			if err := f.acd.Accept("a", "in1"); err != nil {
				t.Fatal(err)
			}
			f.clk.Advance(time.Minute)
			// The campaign did not dial for a while a was on the inbound call: every attempt
			// was placed while a was held.
			got := f.attempts(t)
			if len(got) == 0 {
				t.Fatal("no attempt recorded")
			}
			for _, d := range got {
				if d.Outcome == events.AttemptConnected || d.Outcome == events.AttemptDropped {
					t.Fatalf("attempt %+v: nobody answered in person", d)
				}
			}
			if ai, _ := f.acd.Agent("a"); ai.State != events.AgentOnCall || ai.CallID != "in1" {
				t.Fatalf("a is %s on %q, want on in1", ai.State, ai.CallID)
			}
		})
	}
}

// TestPreviewRecordGoesBackWhenInboundTakesTheAgent: an agent reading a preview record is still
// available to inbound; when an inbound call takes them, the record is not dialled for an agent
// who is gone but goes back to the list, undialled and not in flight, and is dialled once the
// agent is back.
func TestPreviewRecordGoesBackWhenInboundTakesTheAgent(t *testing.T) {
	f := newBlendFixture(t, map[string]map[string]int{"a": {"service": 2}}, MethodPreview)
	f.clk.Advance(time.Second) // lent, reading a record (4–11 s)
	if err := f.acd.Arrive(routing.Arrival{CallID: "in1", Phone: "+8613800000009", Queue: "inq"}); err != nil {
		t.Fatal(err)
	}
	if len(f.offers.got) != 1 || f.offers.got[0] != "a:in1" {
		t.Fatalf("offers %v, want the previewing agent offered in1", f.offers.got)
	}
	if err := f.acd.Accept("a", "in1"); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(15 * time.Second) // the preview ended: the agent would have dialled
	if got := f.attempts(t); len(got) != 0 {
		t.Fatalf("attempts %+v while the previewing agent was on an inbound call", got)
	}
	list := f.svc.runs["renew"].list
	list.mu.Lock()
	for id, e := range list.entries {
		if e.inFlight || e.attempts > 0 {
			t.Errorf("contact %s in flight %v with %d attempts; want it back on the list", id, e.inFlight, e.attempts)
		}
	}
	list.mu.Unlock()
	if err := f.acd.Hangup("in1"); err != nil {
		t.Fatal(err)
	}
	if err := f.acd.Wrapup("a", routing.Wrapup{Disposition: "handled"}); err != nil {
		t.Fatal(err)
	}
	f.waitState(t, "a", events.AgentOnCall, 20*time.Second)
	if ai, _ := f.acd.Agent("a"); ai.Direction != events.Outbound {
		t.Fatalf("back from inbound, a is on a %s call, want the previewed outbound one", ai.Direction)
	}
}
