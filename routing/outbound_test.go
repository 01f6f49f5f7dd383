package routing

import (
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

func TestOutboundReservation(t *testing.T) {
	f := newFixture(t, twoQueues())
	f.login("a", map[string]int{"service": 2, "sales": 3})
	f.clk.Advance(time.Second)
	f.login("b", map[string]int{"sales": 1})
	if _, ok := f.eng.ReserveAgent("telemarketing", 1, "camp-1"); ok {
		t.Fatal("reserved an agent for a skill nobody has")
	}
	id, ok := f.eng.ReserveAgent("sales", 2, "camp-1")
	if !ok || id != "a" {
		t.Fatalf("reserved %q %v, want a (the only one with sales 2)", id, ok)
	}
	// An inbound call does not go to the reserved agent.
	f.arrive("in1", "inq", nil)
	if len(f.offs.got) != 0 {
		t.Fatalf("reserved agent was offered %v", f.offs.got)
	}
	if r, b, l := f.eng.AgentCounts("sales"); r != 1 || b != 1 || l != 2 {
		t.Fatalf("sales agents ready %d busy %d logged in %d", r, b, l)
	}
	f.must(f.eng.ConnectOutbound("a", OutboundCall{CallID: "out1", Phone: "+8613800000005", Customer: "C1", Campaign: "camp-1", Line: events.LineRenewal}))
	f.clk.Advance(2 * time.Minute)
	f.must(f.eng.Hangup("out1"))
	f.clk.Advance(20 * time.Second)
	f.must(f.eng.Wrapup("a", Wrapup{Disposition: "renewed", Resolved: true}))
	r := f.sink.records()["out1"]
	if r.Direction != events.Outbound || r.Campaign != "camp-1" || r.TalkSec != 120 || r.ACWSec != 20 || r.Agent != "a" {
		t.Fatalf("outbound record %+v", r)
	}
	// Back from the outbound call, a takes the waiting inbound call.
	if got := f.offs.last(); got != (offer{"a", "in1"}) {
		t.Fatalf("after outbound: %v", got)
	}
	// A reservation nobody connects is released by itself.
	id, ok = f.eng.ReserveAgent("sales", 1, "camp-2")
	if !ok || id != "b" {
		t.Fatalf("second reservation %q %v", id, ok)
	}
	f.clk.Advance(16 * time.Second)
	if s := f.state("b"); s != events.AgentAvailable {
		t.Fatalf("unconnected reservation left b %s", s)
	}
}

func TestReserveAgentID(t *testing.T) {
	f := newFixture(t, twoQueues())
	f.login("a", map[string]int{"service": 2})
	f.clk.Advance(time.Second)
	f.login("b", map[string]int{"service": 2})
	// b is not the longest idle, but the dialer picked b.
	f.must(f.eng.ReserveAgentID("b", "camp-1"))
	if s := f.state("b"); s != events.AgentReserved {
		t.Fatalf("b is %s after ReserveAgentID", s)
	}
	if err := f.eng.ReserveAgentID("b", "camp-1"); err == nil {
		t.Fatal("reserved b twice")
	}
	if err := f.eng.ReserveAgentID("nobody", "camp-1"); err == nil {
		t.Fatal("reserved an unknown agent")
	}
	f.arrive("in1", "inq", nil)
	if got := f.offs.last(); got != (offer{"a", "in1"}) {
		t.Fatalf("inbound went to %v, want a (b is reserved)", got)
	}
	f.must(f.eng.ConnectOutbound("b", OutboundCall{CallID: "out1", Campaign: "camp-1", Line: events.LineRenewal}))
	if s := f.state("b"); s != events.AgentOnCall {
		t.Fatalf("b is %s after ConnectOutbound", s)
	}
}

// TestReserveAgentFor: a reservation held for a ringing line outlasts the offer timeout, keeps
// inbound calls away meanwhile, and is released by itself when its hold runs out.
func TestReserveAgentFor(t *testing.T) {
	f := newFixture(t, twoQueues())
	f.login("a", map[string]int{"service": 2})
	if err := f.eng.ReserveAgentFor("a", "camp-1", 0); err == nil {
		t.Fatal("reserved a with no hold")
	}
	f.must(f.eng.ReserveAgentFor("a", "camp-1", 40*time.Second))
	f.arrive("in1", "inq", nil)
	f.clk.Advance(30 * time.Second) // past the 15 s offer timeout
	if s := f.state("a"); s != events.AgentReserved {
		t.Fatalf("a is %s 30 s into a 40 s hold", s)
	}
	if len(f.offs.got) != 0 {
		t.Fatalf("held agent was offered %v", f.offs.got)
	}
	f.clk.Advance(11 * time.Second)
	if got := f.offs.last(); got != (offer{"a", "in1"}) {
		t.Fatalf("after the hold ran out, offers %v; want a offered the waiting call", f.offs.got)
	}
}
