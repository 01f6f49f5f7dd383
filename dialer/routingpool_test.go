package dialer

import (
	"context"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/routing"
)

// offerLog is a routing observer that keeps every offer.
type offerLog struct{ got []string }

func (o *offerLog) Offer(agentID string, c routing.CallInfo) {
	o.got = append(o.got, agentID+":"+c.CallID)
}
func (o *offerLog) AgentState(events.AgentState) {}

// blendFixture is a routing engine with one inbound queue, a blend over it, and a dialer
// service whose renewal campaign borrows the ACD's agents.
type blendFixture struct {
	clk    *clock.Sim
	acd    *routing.Engine
	blend  *Blend
	offers *offerLog
	svc    *Service
	sink   *memSink
	rsink  *memSink
}

func newBlendFixture(t *testing.T, agents map[string]map[string]int, pacing string) *blendFixture {
	t.Helper()
	// Everyone answers in person after 5 s and talks 3 minutes.
	far := FarEndFunc(func(Contact, time.Time, time.Duration) FarEndAnswer {
		return FarEndAnswer{Outcome: "person", Ring: 5 * time.Second, Talk: 3 * time.Minute}
	})
	return newBlendFixtureFar(t, agents, pacing, far, BlendConfig{KeepIdle: -1})
}

func newBlendFixtureFar(t *testing.T, agents map[string]map[string]int, pacing string, far FarEnd, bc BlendConfig, opts ...func(*Campaign)) *blendFixture {
	t.Helper()
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)) // a Monday
	f := &blendFixture{clk: clock.NewSim(start), offers: &offerLog{}, sink: &memSink{}, rsink: &memSink{}}
	acd, err := routing.New(routing.Config{Queues: []routing.QueueConfig{
		{Name: "inq", Line: events.LineInquiry, Skills: []routing.SkillReq{{Skill: "service", Min: 1}}, Priority: 10},
	}}, f.clk, routing.WithSink(f.rsink), routing.WithObserver(f.offers))
	if err != nil {
		t.Fatal(err)
	}
	f.acd = acd
	for id, sk := range agents {
		if err := acd.Login(routing.Login{Agent: id, Skills: sk, Ready: true}); err != nil {
			t.Fatal(err)
		}
	}
	f.blend = NewBlend(acd, f.clk, bc)
	acd.AddObserver(f.blend)
	c := Campaign{ID: "renew", Name: "renewals", Type: events.CampaignRenewal, Script: "R1", Pacing: pacing, Agents: 1}
	for _, o := range opts {
		o(&c)
	}
	c.Normalize()
	f.svc, err = NewService(ServiceConfig{Campaigns: []Campaign{c}, Seed: 3, AMDFalsePositive: 1e-9},
		Deps{Clock: f.clk, Book: newFakeBook(50, start), FarEnd: far, Sink: f.sink, Agents: f.blend})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Start(); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *blendFixture) attempts(t *testing.T) []events.DialAttempt {
	t.Helper()
	if err := f.svc.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var out []events.DialAttempt
	for _, ev := range f.sink.evs {
		if d, ok := ev.Payload.(events.DialAttempt); ok {
			out = append(out, d)
		}
	}
	return out
}

// TestDialerCallLandsOnRoutingAgent: an answered dialer call is connected to the ACD's agent
// (routing shows them on an outbound call of the campaign), an inbound call arriving meanwhile
// is not offered to them but waits, and gets them as soon as their after-call work is done.
func TestDialerCallLandsOnRoutingAgent(t *testing.T) {
	f := newBlendFixture(t, map[string]map[string]int{"a": {"service": 2}}, MethodProgressive)
	f.clk.Advance(10 * time.Second)
	ai, err := f.acd.Agent("a")
	if err != nil {
		t.Fatal(err)
	}
	if ai.State != events.AgentOnCall || ai.Direction != events.Outbound {
		t.Fatalf("after the first answer, a is %s (%s), want on an outbound call", ai.State, ai.Direction)
	}
	outbound := ai.CallID
	f.clk.Advance(30 * time.Second)
	if err := f.acd.Arrive(routing.Arrival{CallID: "in1", Phone: "+8613800000009", Queue: "inq"}); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(time.Minute)
	if len(f.offers.got) != 0 {
		t.Fatalf("the agent on the dialer's call was offered %v", f.offers.got)
	}
	if w := f.acd.Waiting()["inq"]; w != 1 {
		t.Fatalf("%d inbound calls waiting, want 1", w)
	}
	// The conversation ends at 3 min after the answer; wrap-up takes at most 37.5 s.
	f.clk.Advance(3 * time.Minute)
	if len(f.offers.got) != 1 || f.offers.got[0] != "a:in1" {
		t.Fatalf("after the outbound call, offers %v, want a:in1", f.offers.got)
	}
	var connected []events.DialAttempt
	for _, d := range f.attempts(t) {
		if d.Outcome == events.AttemptConnected {
			connected = append(connected, d)
		}
	}
	if len(connected) != 1 || connected[0].Agent != "a" || connected[0].CallID != outbound {
		t.Fatalf("connected attempts %+v, want one with agent a on routing call %s", connected, outbound)
	}
	var rec *events.CallRecord
	for _, ev := range f.rsink.evs {
		if r, ok := ev.Payload.(events.CallRecord); ok && r.CallID == outbound {
			rec = &r
		}
	}
	if rec == nil || rec.Direction != events.Outbound || rec.Campaign != "renew" || rec.Agent != "a" || rec.Line != events.LineRenewal {
		t.Fatalf("routing's record of the outbound call: %+v", rec)
	}
}

// TestInboundTakesLentAgent: an idle agent lent to a predictive campaign is still offered an
// inbound call, and the campaign does not connect its answered calls to them while they are
// busy with it.
func TestInboundTakesLentAgent(t *testing.T) {
	f := newBlendFixture(t, map[string]map[string]int{"a": {"service": 2}}, MethodHotline)
	f.clk.Advance(time.Second) // the blend lends a; the pacer starts ringing
	if err := f.acd.Arrive(routing.Arrival{CallID: "in1", Phone: "+8613800000009", Queue: "inq"}); err != nil {
		t.Fatal(err)
	}
	if len(f.offers.got) != 1 || f.offers.got[0] != "a:in1" {
		t.Fatalf("offers %v, want the idle agent offered the inbound call at once", f.offers.got)
	}
	if err := f.acd.Accept("a", "in1"); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(2 * time.Minute)
	for _, d := range f.attempts(t) {
		if d.Outcome == events.AttemptConnected {
			t.Fatalf("the dialer connected %s to %s while they were on an inbound call", d.AttemptID, d.Agent)
		}
	}
	if err := f.acd.Hangup("in1"); err != nil {
		t.Fatal(err)
	}
	if err := f.acd.Wrapup("a", routing.Wrapup{Disposition: "handled"}); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(10 * time.Second)
	if ai, _ := f.acd.Agent("a"); ai.State != events.AgentOnCall || ai.Direction != events.Outbound {
		t.Fatalf("back from inbound, a is %s (%s), want on the dialer's next call", ai.State, ai.Direction)
	}
	f.clk.Advance(4 * time.Minute)
	n := 0
	for _, d := range f.attempts(t) {
		if d.Outcome == events.AttemptConnected && d.Agent == "a" {
			n++
		}
	}
	if n == 0 {
		t.Fatal("back from inbound, a took no dialer call")
	}
}

// TestBlendLendsByPriorityKeepingTheLongestIdle: idle agents go to the higher-priority campaign
// first, up to its limit, the longest idle stay with inbound (KeepIdle), and an inbound call
// arriving goes to one of those.
func TestBlendLendsByPriorityKeepingTheLongestIdle(t *testing.T) {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, cst)
	clk := clock.NewSim(start)
	offers := &offerLog{}
	acd, err := routing.New(routing.Config{Queues: []routing.QueueConfig{
		{Name: "inq", Line: events.LineInquiry, Skills: []routing.SkillReq{{Skill: "service", Min: 1}}, Priority: 10},
	}}, clk, routing.WithSink(&memSink{}), routing.WithObserver(offers))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b", "c", "d"} {
		if err := acd.Login(routing.Login{Agent: id, Skills: map[string]int{"service": 2}, Ready: true}); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
	}
	blend := NewBlend(acd, clk, BlendConfig{KeepIdle: 1})
	acd.AddObserver(blend)
	w := Workload{Agents: 1, ContactRate: 0.3, TalkMean: time.Minute}
	join := func(id string, priority, limit int) *Engine {
		t.Helper()
		team := NewTeam(clk, NewCarrier(clk, SeededFarEnd(1, 0.3, time.Minute), 25*time.Second, 0, 1), events.CampaignRenewal, 1)
		pool := blend.Join(Campaign{ID: id, Type: events.CampaignRenewal, Priority: priority}, limit, team, func(time.Time) bool { return true })
		eng, err := NewEngine(EngineConfig{Campaign: id, Pacer: overDial{}, Lines: 5}, clk, NewSimTrunk(clk, 1, w), pool, &SimContacts{Campaign: id})
		if err != nil {
			t.Fatal(err)
		}
		pool.Bind(eng)
		return eng
	}
	hi, lo := join("hi", 9, 1), join("lo", 1, 5)
	blend.Start()
	clk.Advance(time.Second)
	ready := func(e *Engine) []string {
		e.mu.Lock()
		defer e.mu.Unlock()
		var ids []string
		for _, a := range e.ready {
			ids = append(ids, a.id)
		}
		return ids
	}
	if h, l := ready(hi), ready(lo); len(h) != 1 || len(l) != 2 || contains(h, "a") || contains(l, "a") {
		t.Fatalf("lent hi %v lo %v; want 1 and 2 of b, c, d (a, the longest idle, kept)", h, l)
	}
	if err := acd.Arrive(routing.Arrival{CallID: "in1", Phone: "+8613800000009", Queue: "inq"}); err != nil {
		t.Fatal(err)
	}
	if len(offers.got) != 1 || offers.got[0] != "a:in1" {
		t.Fatalf("offers %v, want the kept agent a offered the inbound call", offers.got)
	}
	clk.Advance(time.Second)
	// Three idle now: the longest of them is kept, hi still has its one, lo one.
	if h, l := ready(hi), ready(lo); len(h) != 1 || len(l) != 1 || contains(h, "b") || contains(l, "b") {
		t.Fatalf("after a took inbound: hi %v lo %v; want one each, b kept", h, l)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
