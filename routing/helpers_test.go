package routing

import (
	"context"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

var t0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) // a Monday, 18:00 in Shanghai

// collect is a Sink that validates and keeps every event.
type collect struct {
	t   *testing.T
	evs []events.Event
}

func (c *collect) Publish(_ context.Context, evs ...events.Event) error {
	for _, ev := range evs {
		if err := ev.Validate(ev.OccurredAt); err != nil {
			c.t.Errorf("invalid %s event: %v\n%+v", ev.Type, err, ev.Payload)
		}
	}
	c.evs = append(c.evs, evs...)
	return nil
}

func (c *collect) records() map[string]events.CallRecord {
	out := map[string]events.CallRecord{}
	for _, ev := range c.evs {
		if r, ok := ev.Payload.(events.CallRecord); ok {
			if _, dup := out[r.CallID]; dup {
				c.t.Errorf("call %s has two records", r.CallID)
			}
			out[r.CallID] = r
		}
	}
	return out
}

func (c *collect) agentStates(agent string) []events.AgentState {
	var out []events.AgentState
	for _, ev := range c.evs {
		if s, ok := ev.Payload.(events.AgentState); ok && s.Agent == agent {
			out = append(out, s)
		}
	}
	return out
}

func (c *collect) callbacks() []events.CallbackRequested {
	var out []events.CallbackRequested
	for _, ev := range c.evs {
		if s, ok := ev.Payload.(events.CallbackRequested); ok {
			out = append(out, s)
		}
	}
	return out
}

// offers records every offer, in order.
type offers struct{ got []offer }

type offer struct{ agent, call string }

func (o *offers) Offer(agentID string, c CallInfo) { o.got = append(o.got, offer{agentID, c.CallID}) }
func (o *offers) AgentState(events.AgentState)     {}
func (o *offers) last() offer {
	if len(o.got) == 0 {
		return offer{}
	}
	return o.got[len(o.got)-1]
}

type fixture struct {
	t    *testing.T
	clk  *clock.Sim
	eng  *Engine
	sink *collect
	offs *offers
}

func newFixture(t *testing.T, cfg Config, opts ...Option) *fixture {
	t.Helper()
	f := &fixture{t: t, clk: clock.NewSim(t0), sink: &collect{t: t}, offs: &offers{}}
	opts = append([]Option{WithSink(f.sink), WithObserver(f.offs)}, opts...)
	eng, err := New(cfg, f.clk, opts...)
	if err != nil {
		t.Fatal(err)
	}
	f.eng = eng
	return f
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) login(id string, skills map[string]int) {
	f.t.Helper()
	f.must(f.eng.Login(Login{Agent: id, Skills: skills, Ready: true}))
}

func (f *fixture) arrive(id, queue string, data map[string]string) {
	f.t.Helper()
	f.must(f.eng.Arrive(Arrival{CallID: id, Phone: "+8613800000000", Queue: queue, Data: data}))
}

// answer accepts, talks for talk and hangs up, then wraps up.
func (f *fixture) handle(agent string, talk time.Duration) {
	f.t.Helper()
	ai, err := f.eng.Agent(agent)
	f.must(err)
	f.must(f.eng.Accept(agent, ai.CallID))
	f.clk.Advance(talk)
	f.must(f.eng.Hangup(ai.CallID))
	f.must(f.eng.Wrapup(agent, Wrapup{Disposition: "done", Resolved: true}))
}

func (f *fixture) state(agent string) string {
	ai, err := f.eng.Agent(agent)
	f.must(err)
	return ai.State
}

func oneQueue(strategy string) Config {
	return Config{Queues: []QueueConfig{{Name: "q", Line: events.LineInquiry, Skills: []SkillReq{{"service", 1}}, Strategy: strategy}}}
}

// script is a Caller answering IVR prompts from a per-node list of responses.
type script struct {
	steps    map[string][]Response
	callback bool
}

func (s *script) Respond(_ CallInfo, n *Node, attempt int) Response {
	rs := s.steps[n.ID]
	if attempt < len(rs) {
		return rs[attempt]
	}
	return Response{After: time.Second} // silence
}
func (s *script) OfferCallback(CallInfo) bool { return s.callback }
