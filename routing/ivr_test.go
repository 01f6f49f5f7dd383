package routing

import (
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// memDir is a small in-memory directory for IVR tests.
type memDir struct {
	claims   map[string]events.Claim
	policies map[string]events.Policy
}

func (d memDir) CustomerByPhone(phone string) (CustomerRef, bool) {
	if phone == "+8613900000001" {
		return CustomerRef{ID: "cust-1", Segment: "vip"}, true
	}
	return CustomerRef{}, false
}
func (d memDir) ScreenPop(id string, _ time.Time) (ScreenPop, bool) { return ScreenPop{}, false }
func (d memDir) Claim(id string) (events.Claim, bool)               { c, ok := d.claims[id]; return c, ok }
func (d memDir) Policy(id string) (events.Policy, bool)             { p, ok := d.policies[id]; return p, ok }

func testDir() memDir {
	return memDir{
		claims:   map[string]events.Claim{"20261101": {Claim: "20261101", Status: "prepaid"}},
		policies: map[string]events.Policy{"88000001": {Policy: "88000001", Status: "active"}},
	}
}

func TestIVRPaths(t *testing.T) {
	sec := time.Second
	press := func(k string) Response { return Response{Input: k, After: 2 * sec} }
	tests := []struct {
		name        string
		steps       map[string][]Response
		wantOutcome string
		wantService string
		wantQueue   string
		wantPath    string
		wantData    map[string]string
	}{
		{"claim status found then silence", map[string][]Response{"main": {press("2")}, "inquiry": {press("1")}, "claim_status": {press("20261101")}},
			events.OutcomeSelfServed, ActionClaimStatus, "", "2>1>#", map[string]string{"claim_status": "prepaid"}},
		{"policy lookup then agent", map[string][]Response{"main": {press("2")}, "inquiry": {press("2")}, "policy_lookup": {press("88000001")}, "after_self_service": {press("0")}},
			"", ActionPolicyLookup, "inquiry", "2>2>#>0", map[string]string{"policy_status": "active"}},
		{"unknown claim three times goes to an agent", map[string][]Response{"main": {press("2")}, "inquiry": {press("1")}, "claim_status": {press("999999"), press("999998"), press("999997")}},
			"", "", "inquiry", "2>1>#>#>#", nil}, // one # per number entered
		{"too few digits counts as a retry", map[string][]Response{"main": {press("2")}, "inquiry": {press("1")}, "claim_status": {press("12"), press("20261101")}},
			events.OutcomeSelfServed, ActionClaimStatus, "", "2>1>#", nil},
		{"injury report is escalated", map[string][]Response{"main": {press("1")}, "claims_report": {press("1")}},
			"", "", "claims_report", "1>1", map[string]string{"accident_type": "injury", "escalated": "true"}},
		{"invalid keys then timeouts fall back to an agent", map[string][]Response{"main": {press("8"), {After: 9 * sec}, press("7")}},
			"", "", "inquiry", "", nil},
		{"hang up in a menu", map[string][]Response{"main": {press("3")}, "consultation": {{Hangup: true, After: sec}}},
			events.OutcomeIVRAbandoned, "", "", "3", nil},
		{"recorded product information", map[string][]Response{"main": {press("3")}, "consultation": {press("1")}},
			events.OutcomeSelfServed, "product_info", "", "3>1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, DefaultConfig(), WithMenu(DefaultMenu()), WithDirectory(testDir()))
			f.must(f.eng.Arrive(Arrival{CallID: "x", Phone: "+8613900000001", Caller: &script{steps: tt.steps}}))
			f.clk.Advance(10 * time.Minute)
			var r events.CallRecord
			if tt.wantQueue != "" {
				info, err := f.eng.Call("x")
				if err != nil {
					t.Fatalf("call not waiting: %v (records %v)", err, f.sink.records())
				}
				if info.Queue != tt.wantQueue || info.IVRPath != tt.wantPath || info.Customer != "cust-1" {
					t.Fatalf("waiting call %+v, want queue %s path %q", info, tt.wantQueue, tt.wantPath)
				}
				for k, v := range tt.wantData {
					if info.Data[k] != v {
						t.Errorf("data %s = %q, want %q", k, info.Data[k], v)
					}
				}
				if info.Priority <= 0 {
					t.Errorf("VIP caller priority %d", info.Priority)
				}
				return
			}
			r, ok := f.sink.records()["x"]
			if !ok {
				t.Fatal("no record")
			}
			if r.Outcome != tt.wantOutcome || r.SelfService != tt.wantService || r.IVRPath != tt.wantPath || r.Queue != "" {
				t.Fatalf("record outcome %s service %q path %q queue %q", r.Outcome, r.SelfService, r.IVRPath, r.Queue)
			}
			if r.IVRSec <= 0 || r.IVREndedAt == nil {
				t.Fatalf("IVR time not booked: %+v", r)
			}
		})
	}
}

func TestMenuValidation(t *testing.T) {
	bad := `
start: main
nodes:
  main: {type: menu, choices: {"1": nowhere, "x1": main}}
  c: {type: collect, action: fortune, next: main}
  q: {type: queue}
  m: {type: message, outcome: happy}
`
	_, err := ParseMenu([]byte(bad))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"nodes.main.choices.1", `key "x1"`, "nodes.c.action", "nodes.q.queue", "nodes.m.outcome"} {
		if !contains(err.Error(), want) {
			t.Errorf("error does not mention %s: %v", want, err)
		}
	}
	m, err := ParseMenu([]byte("start: q\nnodes:\n  q: {type: queue, queue: missing}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(DefaultConfig(), nil, WithMenu(m)); err == nil || !contains(err.Error(), "missing") {
		t.Fatalf("unknown queue in menu: %v", err)
	}
}

// liveCaller answers every prompt later, as a real caller on the phone does.
type liveCaller struct{ prompts []string }

func (l *liveCaller) Respond(_ CallInfo, n *Node, attempt int) Response {
	l.prompts = append(l.prompts, n.ID)
	return Response{Later: true}
}
func (l *liveCaller) OfferCallback(CallInfo) bool { return false }

// A live caller's keys come with Input whenever they are pressed: the engine's clock does not
// decide the path, and IVR time is what really passed.
func TestIVRLiveInput(t *testing.T) {
	f := newFixture(t, DefaultConfig(), WithMenu(DefaultMenu()))
	lc := &liveCaller{}
	f.must(f.eng.Arrive(Arrival{CallID: "x", Phone: "+8613900000002", Caller: lc}))
	f.clk.Advance(time.Hour) // nobody pressed anything: still at the first prompt
	if node, _, ok := f.eng.IVRSnapshot("x"); !ok || node != "main" {
		t.Fatalf("after an hour without input the call is at %q (%t), want main", node, ok)
	}
	if err := f.eng.Input("nope", "1"); err == nil {
		t.Error("input for an unknown call accepted")
	}
	f.must(f.eng.Input("x", "9")) // not a choice: the prompt is asked again
	f.must(f.eng.Input("x", "1"))
	f.clk.Advance(3 * time.Second)
	f.must(f.eng.Input("x", "2"))
	if err := f.eng.Input("x", "2"); err == nil {
		t.Error("input accepted with no prompt waiting")
	}
	info, err := f.eng.Call("x")
	if err != nil || info.Queue != "claims_report" || info.IVRPath != "1>2" || info.Data["accident_type"] != "collision" {
		t.Fatalf("call %+v (%v), want queued in claims_report by 1>2", info, err)
	}
	if got := strings.Join(lc.prompts, ","); got != "main,main,claims_report" {
		t.Errorf("prompts asked %s", got)
	}
	f.must(f.eng.Hangup("x"))
	r := f.sink.records()["x"]
	if r.Outcome != events.OutcomeAbandoned || r.IVRSec < 3600 || r.IVRSec > 3604 {
		t.Errorf("record outcome %s, IVR %.1f s; want abandoned after 3603 s in the IVR", r.Outcome, r.IVRSec)
	}
}

// A live caller's message ends the call when it has played, not after prompt_length.
func TestMessagePlayed(t *testing.T) {
	f := newFixture(t, DefaultConfig(), WithMenu(DefaultMenu()))
	f.must(f.eng.Arrive(Arrival{CallID: "m", Phone: "+8613900000005", Caller: &liveCaller{}}))
	if err := f.eng.MessagePlayed("m"); err == nil {
		t.Error("message played accepted at a menu")
	}
	f.must(f.eng.Input("m", "3"))
	f.must(f.eng.Input("m", "1"))
	f.clk.Advance(4 * time.Second)
	f.must(f.eng.MessagePlayed("m"))
	r := f.sink.records()["m"]
	if r.Outcome != events.OutcomeSelfServed || r.SelfService != "product_info" || r.IVRSec != 4 {
		t.Errorf("record outcome %s service %q IVR %.1f s, want self_served product_info after 4 s", r.Outcome, r.SelfService, r.IVRSec)
	}
}

func TestPosition(t *testing.T) {
	f := newFixture(t, DefaultConfig())
	for _, id := range []string{"p1", "p2", "p3"} {
		f.must(f.eng.Arrive(Arrival{CallID: id, Phone: "+8613900000003", Queue: "claims_report"}))
		f.clk.Advance(time.Second)
	}
	f.must(f.eng.Arrive(Arrival{CallID: "vip", Phone: "+8613900000001", Segment: "vip", Queue: "claims_report"}))
	for id, want := range map[string]int{"vip": 1, "p1": 2, "p2": 3, "p3": 4} {
		if n, ok := f.eng.Position(id); !ok || n != want {
			t.Errorf("%s at %d (%t), want %d", id, n, ok, want)
		}
	}
	f.must(f.eng.Hangup("p1"))
	if n, _ := f.eng.Position("p3"); n != 3 {
		t.Errorf("p3 at %d after p1 left, want 3", n)
	}
	if _, ok := f.eng.Position("p1"); ok {
		t.Error("a call that left has a position")
	}
}

func TestRequestCallback(t *testing.T) {
	f := newFixture(t, DefaultConfig())
	f.must(f.eng.Arrive(Arrival{CallID: "w", Phone: "+8613900000004", Queue: "claims_report"}))
	f.clk.Advance(40 * time.Second)
	f.must(f.eng.RequestCallback("w"))
	if err := f.eng.RequestCallback("w"); err == nil {
		t.Error("a second callback request for a call that left accepted")
	}
	r := f.sink.records()["w"]
	if r.Outcome != events.OutcomeCallbackRequested || r.WaitSec != 40 {
		t.Errorf("record outcome %s wait %.0f s, want callback_requested after 40 s", r.Outcome, r.WaitSec)
	}
}
