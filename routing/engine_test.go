package routing

import (
	"errors"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

func twoQueues() Config {
	return Config{Queues: []QueueConfig{
		{Name: "inq", Line: events.LineInquiry, Skills: []SkillReq{{"service", 1}}, Priority: 10},
		{Name: "cmp", Line: events.LineComplaint, Skills: []SkillReq{{"complaints", 1}}, Priority: 15},
		{Name: "inq2", Line: events.LineRenewal, Skills: []SkillReq{{"sales", 1}}, Priority: 10},
	}}
}

func TestFairAcrossQueues(t *testing.T) {
	f := newFixture(t, twoQueues())
	f.must(f.eng.Login(Login{Agent: "a", Skills: map[string]int{"service": 1, "complaints": 1, "sales": 1}}))
	// Waiting calls: inquiry at 0 s, renewal at 2 s, complaint at 5 s, inquiry VIP at 7 s,
	// escalated renewal at 9 s.
	f.arrive("inq-0", "inq", nil)
	f.clk.Advance(2 * time.Second)
	f.arrive("ren-2", "inq2", nil)
	f.clk.Advance(3 * time.Second)
	f.arrive("cmp-5", "cmp", nil)
	f.clk.Advance(2 * time.Second)
	f.must(f.eng.Arrive(Arrival{CallID: "vip-7", Phone: "+8613800000001", Queue: "inq", Segment: "vip"}))
	f.clk.Advance(2 * time.Second)
	f.arrive("esc-9", "inq2", map[string]string{DataEscalated: "true"})
	f.clk.Advance(time.Second)
	f.must(f.eng.Ready("a"))
	// Priorities: esc-9 = 10+10, cmp-5 = 15, vip-7 = 10+5 (ties with cmp-5, which waited longer),
	// then inq-0 and ren-2 at 10 by wait.
	want := []string{"esc-9", "cmp-5", "vip-7", "inq-0", "ren-2"}
	for i, w := range want {
		if got := f.offs.last(); got != (offer{"a", w}) {
			t.Fatalf("pick %d: got %v, want %s", i, got, w)
		}
		f.handle("a", time.Second)
	}
}

func TestFairnessIsDeterministic(t *testing.T) {
	run := func() []offer {
		f := newFixture(t, twoQueues())
		for i, id := range []string{"x", "y", "z"} {
			f.must(f.eng.Login(Login{Agent: id, Skills: map[string]int{"service": 1 + i, "complaints": 3 - i, "sales": 1}}))
		}
		for i := 0; i < 9; i++ {
			q := []string{"inq", "cmp", "inq2"}[i%3]
			f.arrive(q+string(rune('a'+i)), q, nil) // all at the same instant
		}
		for _, id := range []string{"z", "x", "y"} {
			f.must(f.eng.Ready(id))
		}
		for len(f.offs.got) < 9 {
			before := len(f.offs.got)
			for _, id := range []string{"x", "y", "z"} {
				if f.state(id) == events.AgentReserved {
					f.handle(id, time.Second)
				}
			}
			if len(f.offs.got) == before {
				t.Fatal("no progress")
			}
		}
		return f.offs.got
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("run differs at %d: %v vs %v", i, a, b)
		}
	}
	if a[0].call != "cmpb" {
		t.Fatalf("first offer %v: the highest-priority queue's oldest call should go first", a[0])
	}
}

func TestSkillRelaxationAndOverflow(t *testing.T) {
	cfg := Config{Queues: []QueueConfig{
		{Name: "claims", Line: events.LineClaimsReport, Skills: []SkillReq{{"claims", 4}},
			Relax:    []RelaxStep{{30 * time.Second, 1}, {60 * time.Second, 2}},
			Overflow: []OverflowStep{{90 * time.Second, "inq"}}},
		{Name: "inq", Line: events.LineInquiry, Skills: []SkillReq{{"service", 1}}},
	}}
	f := newFixture(t, cfg)
	f.login("two", map[string]int{"claims": 2})
	f.arrive("c1", "claims", nil)
	f.clk.Advance(59 * time.Second)
	if len(f.offs.got) != 0 {
		t.Fatalf("offered before relaxation reached proficiency 2: %v", f.offs.got)
	}
	f.clk.Advance(time.Second)
	if got := f.offs.last(); got != (offer{"two", "c1"}) {
		t.Fatalf("after 60 s: %v, want the proficiency-2 agent", got)
	}
	f.handle("two", time.Second)

	// Overflow: nobody with claims at all; an inquiry agent gets the call after 90 s.
	f.must(f.eng.Logout("two", ""))
	f.login("svc", map[string]int{"service": 3})
	f.arrive("c2", "claims", nil)
	f.clk.Advance(89 * time.Second)
	if len(f.offs.got) != 1 {
		t.Fatalf("overflowed early: %v", f.offs.got)
	}
	f.clk.Advance(time.Second)
	if got := f.offs.last(); got != (offer{"svc", "c2"}) {
		t.Fatalf("after 90 s: %v, want overflow to the inquiry agent", got)
	}
	f.handle("svc", 10*time.Second)
	r := f.sink.records()["c2"]
	if r.Queue != "claims" || r.Line != events.LineClaimsReport || r.WaitSec != 90 || r.Agent != "svc" {
		t.Fatalf("overflowed call record: %+v", r)
	}
}

func TestNoAnswerMakesAgentNotReady(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.login("a", map[string]int{"service": 1})
	f.clk.Advance(time.Second)
	f.login("b", map[string]int{"service": 1})
	f.arrive("c1", "q", nil)
	if got := f.offs.last(); got.agent != "a" {
		t.Fatalf("offered to %v", got)
	}
	f.clk.Advance(15 * time.Second)
	if s := f.state("a"); s != events.AgentBreak {
		t.Fatalf("after the offer rang out: a is %s", s)
	}
	st := f.sink.agentStates("a")
	if last := st[len(st)-1]; last.Reason != ReasonNoAnswer || last.Previous != events.AgentReserved {
		t.Fatalf("last state event %+v", last)
	}
	if got := f.offs.last(); got != (offer{"b", "c1"}) {
		t.Fatalf("call re-offered to %v, want b", got)
	}
	f.handle("b", time.Minute)
	r := f.sink.records()["c1"]
	if r.WaitSec != 15 || r.Agent != "b" || r.TalkSec != 60 {
		t.Fatalf("record %+v", r)
	}
}

func TestWrapUpTimer(t *testing.T) {
	f := newFixture(t, Config{MaxWrapUp: 30 * time.Second, Queues: oneQueue("").Queues})
	f.login("a", map[string]int{"service": 1})
	f.arrive("c1", "q", nil)
	f.must(f.eng.Accept("a", "c1"))
	f.clk.Advance(time.Minute)
	f.must(f.eng.Hangup("c1"))
	if s := f.state("a"); s != events.AgentACW {
		t.Fatalf("after hang-up: %s", s)
	}
	if _, ok := f.sink.records()["c1"]; ok {
		t.Fatal("record emitted before wrap-up ended")
	}
	f.clk.Advance(30 * time.Second)
	if s := f.state("a"); s != events.AgentAvailable {
		t.Fatalf("after max wrap-up: %s", s)
	}
	r := f.sink.records()["c1"]
	if r.ACWSec != 30 || r.Disposition != "auto_wrapup" || r.WrapupEndedAt == nil {
		t.Fatalf("record %+v", r)
	}
	// A break asked for during a call starts after wrap-up.
	f.arrive("c2", "q", nil)
	f.must(f.eng.Accept("a", "c2"))
	f.must(f.eng.Break("a", "lunch"))
	if s := f.state("a"); s != events.AgentOnCall {
		t.Fatalf("break interrupted the call: %s", s)
	}
	f.must(f.eng.Hangup("c2"))
	f.must(f.eng.Wrapup("a", Wrapup{Disposition: "x"}))
	if ai, _ := f.eng.Agent("a"); ai.State != events.AgentBreak || ai.Reason != "lunch" {
		t.Fatalf("after wrap-up: %+v", ai)
	}
}

func TestLeaseRecovery(t *testing.T) {
	cfg := Config{LeaseTTL: 30 * time.Second, Queues: oneQueue("").Queues}
	t.Run("heartbeats keep the agent", func(t *testing.T) {
		f := newFixture(t, cfg)
		f.must(f.eng.Login(Login{Agent: "a", Skills: map[string]int{"service": 1}, Lease: true, Ready: true}))
		for i := 0; i < 10; i++ {
			f.clk.Advance(20 * time.Second)
			f.must(f.eng.Heartbeat("a"))
		}
		if s := f.state("a"); s != events.AgentAvailable {
			t.Fatalf("state %s", s)
		}
		f.clk.Advance(31 * time.Second)
		if ai, _ := f.eng.Agent("a"); ai.State != events.AgentLoggedOut || ai.Reason != ReasonDesktopLost {
			t.Fatalf("after silence: %+v", ai)
		}
	})
	t.Run("offered call goes back", func(t *testing.T) {
		f := newFixture(t, Config{LeaseTTL: 10 * time.Second, OfferTimeout: time.Minute, Queues: cfg.Queues})
		f.must(f.eng.Login(Login{Agent: "a", Skills: map[string]int{"service": 1}, Lease: true, Ready: true}))
		f.clk.Advance(time.Second)
		f.login("b", map[string]int{"service": 1})
		f.must(f.eng.Break("b", "x"))
		f.arrive("c1", "q", nil)
		f.must(f.eng.Ready("b"))
		f.clk.Advance(10 * time.Second)
		if s := f.state("a"); s != events.AgentLoggedOut {
			t.Fatalf("a is %s", s)
		}
		if got := f.offs.last(); got != (offer{"b", "c1"}) {
			t.Fatalf("offers %v", f.offs.got)
		}
	})
	t.Run("call in progress finishes first", func(t *testing.T) {
		f := newFixture(t, cfg)
		f.must(f.eng.Login(Login{Agent: "a", Skills: map[string]int{"service": 1}, Lease: true, Ready: true}))
		f.arrive("c1", "q", nil)
		f.must(f.eng.Accept("a", "c1"))
		f.clk.Advance(5 * time.Minute)
		if s := f.state("a"); s != events.AgentOnCall {
			t.Fatalf("desktop loss cut the call: %s", s)
		}
		f.must(f.eng.Hangup("c1"))
		if ai, _ := f.eng.Agent("a"); ai.State != events.AgentLoggedOut || ai.Reason != ReasonDesktopLost {
			t.Fatalf("after the call: %+v", ai)
		}
		if r, ok := f.sink.records()["c1"]; !ok || r.TalkSec != 300 {
			t.Fatalf("record %+v", r)
		}
	})
	t.Run("stuck in wrap-up", func(t *testing.T) {
		f := newFixture(t, Config{LeaseTTL: 10 * time.Second, MaxWrapUp: time.Hour, Queues: cfg.Queues})
		f.must(f.eng.Login(Login{Agent: "a", Skills: map[string]int{"service": 1}, Lease: true, Ready: true}))
		f.arrive("c1", "q", nil)
		f.must(f.eng.Accept("a", "c1"))
		f.must(f.eng.Heartbeat("a"))
		f.must(f.eng.Hangup("c1"))
		f.clk.Advance(11 * time.Second)
		if s := f.state("a"); s != events.AgentLoggedOut {
			t.Fatalf("a is %s", s)
		}
		if _, ok := f.sink.records()["c1"]; !ok {
			t.Fatal("record never emitted")
		}
	})
}

func TestHoldTransferAndRecord(t *testing.T) {
	f := newFixture(t, twoQueues())
	f.login("a", map[string]int{"service": 1})
	f.login("c", map[string]int{"complaints": 1})
	f.must(f.eng.Break("c", "x"))
	f.arrive("k", "inq", nil)
	f.clk.Advance(2 * time.Second)
	f.must(f.eng.Accept("a", "k"))
	f.clk.Advance(30 * time.Second)
	f.must(f.eng.Hold("a"))
	f.clk.Advance(20 * time.Second)
	f.must(f.eng.Retrieve("a"))
	f.clk.Advance(10 * time.Second)
	f.must(f.eng.Transfer("a", TransferQueue, "cmp"))
	if s := f.state("a"); s != events.AgentACW {
		t.Fatalf("transferring agent is %s", s)
	}
	f.clk.Advance(5 * time.Second)
	f.must(f.eng.Ready("c"))
	if got := f.offs.last(); got != (offer{"c", "k"}) {
		t.Fatalf("transferred call offered %v", got)
	}
	f.must(f.eng.Accept("c", "k"))
	f.clk.Advance(60 * time.Second)
	f.must(f.eng.Wrapup("a", Wrapup{Disposition: "transferred"}))
	f.must(f.eng.Hangup("k"))
	if _, ok := f.sink.records()["k"]; ok {
		t.Fatal("record before the last wrap-up")
	}
	f.clk.Advance(7 * time.Second)
	f.must(f.eng.Wrapup("c", Wrapup{Disposition: "complaint_registered", Resolved: true}))
	r := f.sink.records()["k"]
	if r.Outcome != events.OutcomeAnswered || r.Agent != "c" || r.Queue != "inq" || !r.Transferred || r.TransferTarget != "cmp" ||
		r.TalkSec != 100 || r.HoldSec != 20 || r.HoldCount != 1 || r.WaitSec != 2 || r.ACWSec != 65+7 || !r.Resolved {
		t.Fatalf("record %+v", r)
	}
	if err := f.eng.Hold("a"); !errors.Is(err, ErrState) {
		t.Fatalf("hold while available: %v", err)
	}
}

func TestCallbackAtMaxWaitAndAfterHours(t *testing.T) {
	cfg := Config{Queues: []QueueConfig{
		{Name: "q", Line: events.LineInquiry, Skills: []SkillReq{{"service", 1}}, MaxWait: 2 * time.Minute},
		{Name: "ren", Line: events.LineRenewal, Skills: []SkillReq{{"sales", 1}}, AfterHoursCallback: true,
			Hours: &Hours{Open: "08:00", Close: "17:00", Zone: "Asia/Shanghai"}},
	}}
	f := newFixture(t, cfg)
	f.must(f.eng.Arrive(Arrival{CallID: "yes", Phone: "+8613800000002", Queue: "q", Caller: &script{callback: true}}))
	f.must(f.eng.Arrive(Arrival{CallID: "no", Phone: "+8613800000003", Queue: "q", Caller: &script{callback: false}}))
	f.clk.Advance(2 * time.Minute)
	recs := f.sink.records()
	if r := recs["yes"]; r.Outcome != events.OutcomeCallbackRequested || r.WaitSec != 120 {
		t.Fatalf("accepting caller: %+v", r)
	}
	if _, ok := recs["no"]; ok {
		t.Fatal("declining caller left the queue")
	}
	if ok, _ := f.eng.Abandon("no"); !ok {
		t.Fatal("abandon of a waiting call refused")
	}
	if r := f.sink.records()["no"]; r.Outcome != events.OutcomeAbandoned || r.WaitSec != 120 {
		t.Fatalf("abandoned: %+v", r)
	}
	// 18:02 in Shanghai: renewals are closed; the call back is asked for the next opening.
	f.must(f.eng.Arrive(Arrival{CallID: "late", Phone: "+8613800000004", Queue: "ren"}))
	if r := f.sink.records()["late"]; r.Outcome != events.OutcomeAfterHours {
		t.Fatalf("after hours: %+v", r)
	}
	cbs := f.sink.callbacks()
	if len(cbs) != 2 || cbs[1].RequestedFor == nil || !cbs[1].RequestedFor.Equal(time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("callbacks %+v", cbs)
	}
}

func TestConfigValidateNamesFields(t *testing.T) {
	cfg := Config{Queues: []QueueConfig{
		{Name: "a", Line: "nope", Skills: []SkillReq{{"s", 9}}, Strategy: "random", Overflow: []OverflowStep{{time.Second, "zz"}}},
		{Name: "a", Line: events.LineInquiry},
	}}
	err := cfg.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"queues[0].business_line", "queues[0].strategy", "queues[0].skills[0].min", "queues[1].name", "queues[1].skills", "queues[0].overflow[0].queue"} {
		if !contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
	if _, err := New(DefaultConfig(), nil, WithMenu(DefaultMenu())); err != nil {
		t.Fatalf("default config and menu: %v", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestLogoutDuringWrapUpWaitsForIt(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.login("a", map[string]int{"service": 1})
	f.arrive("c1", "q", nil)
	f.must(f.eng.Accept("a", "c1"))
	f.must(f.eng.Hangup("c1"))
	f.must(f.eng.Logout("a", "end_of_shift"))
	if s := f.state("a"); s != events.AgentACW {
		t.Fatalf("logout cut wrap-up short: %s", s)
	}
	f.arrive("c2", "q", nil)
	f.must(f.eng.Wrapup("a", Wrapup{Disposition: "x"}))
	if ai, _ := f.eng.Agent("a"); ai.State != events.AgentLoggedOut || ai.Reason != "end_of_shift" {
		t.Fatalf("after wrap-up: %+v", ai)
	}
	if len(f.offs.got) != 1 {
		t.Fatalf("a logging-out agent was offered %v", f.offs.got)
	}
}

func TestOverflowQueueRelaxesOnTheCallsWait(t *testing.T) {
	cfg := Config{Queues: []QueueConfig{
		{Name: "a", Line: events.LineInquiry, Skills: []SkillReq{{"x", 5}}, Overflow: []OverflowStep{{30 * time.Second, "b"}}},
		{Name: "b", Line: events.LineInquiry, Skills: []SkillReq{{"y", 4}}, Relax: []RelaxStep{{60 * time.Second, 2}}},
	}}
	f := newFixture(t, cfg)
	f.login("low", map[string]int{"y": 2})
	f.arrive("c1", "a", nil)
	f.clk.Advance(59 * time.Second)
	if len(f.offs.got) != 0 {
		t.Fatalf("offered before b relaxed: %v", f.offs.got)
	}
	if err := f.eng.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(time.Second)
	if got := f.offs.last(); got != (offer{"low", "c1"}) {
		t.Fatalf("after 60 s of waiting: %v", got)
	}
}
