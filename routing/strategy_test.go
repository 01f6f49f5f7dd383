package routing

import (
	"testing"
	"time"
)

func TestStrategies(t *testing.T) {
	type agentSetup struct {
		id    string
		skill int
		calls int           // calls handled before the test call
		talk  time.Duration // length of each of those calls
	}
	tests := []struct {
		strategy string
		agents   []agentSetup // made ready in this order, one second apart
		want     string
	}{
		{StrategyLongestIdle, []agentSetup{{"a", 1, 0, 0}, {"b", 5, 0, 0}, {"c", 3, 0, 0}}, "a"},
		{StrategyBestProficiency, []agentSetup{{"a", 3, 0, 0}, {"b", 5, 0, 0}, {"c", 4, 0, 0}}, "b"},
		{StrategyBestProficiency, []agentSetup{{"a", 3, 0, 0}, {"b", 5, 0, 0}, {"c", 5, 0, 0}}, "b"}, // tie: longest idle
		{StrategyFewestCalls, []agentSetup{{"a", 1, 2, time.Second}, {"b", 1, 1, time.Second}, {"c", 1, 0, 0}}, "c"},
		{StrategyLeastOccupied, []agentSetup{{"a", 1, 1, 10 * time.Minute}, {"b", 1, 1, time.Minute}, {"c", 1, 1, 5 * time.Minute}}, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.strategy+"_"+tt.want, func(t *testing.T) {
			f := newFixture(t, oneQueue(tt.strategy))
			// Warm-up calls go to each agent alone: log in one at a time, hand it its calls.
			for _, a := range tt.agents {
				f.login(a.id, map[string]int{"service": a.skill})
				for i := 0; i < a.calls; i++ {
					id := a.id + "-warm" + string(rune('0'+i))
					f.arrive(id, "q", nil)
					if got := f.offs.last(); got != (offer{a.id, id}) {
						t.Fatalf("warm-up call offered to %v", got)
					}
					f.handle(a.id, a.talk)
				}
				f.must(f.eng.Break(a.id, "wait"))
			}
			// Ready in order, one second apart, so idle times differ predictably.
			for _, a := range tt.agents {
				f.must(f.eng.Ready(a.id))
				f.clk.Advance(time.Second)
			}
			f.arrive("test", "q", nil)
			if got := f.offs.last(); got != (offer{tt.want, "test"}) {
				t.Fatalf("%s offered the call to %v, want %s", tt.strategy, got, tt.want)
			}
		})
	}
}

func TestRoundRobin(t *testing.T) {
	f := newFixture(t, oneQueue(StrategyRoundRobin))
	for _, id := range []string{"a", "b", "c"} {
		f.login(id, map[string]int{"service": 1})
	}
	var got []string
	for i := 0; i < 7; i++ {
		id := "c" + string(rune('0'+i))
		f.arrive(id, "q", nil)
		o := f.offs.last()
		if o.call != id {
			t.Fatalf("call %s not offered", id)
		}
		got = append(got, o.agent)
		f.handle(o.agent, time.Second)
	}
	want := []string{"a", "b", "c", "a", "b", "c", "a"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("round robin order %v, want %v", got, want)
		}
	}
}

func TestSkillMismatchNeverRouted(t *testing.T) {
	f := newFixture(t, Config{Queues: []QueueConfig{{Name: "q", Line: "claims_report", Skills: []SkillReq{{"claims", 3}, {"auto", 2}}}}})
	f.login("no-auto", map[string]int{"claims": 5})
	f.login("low", map[string]int{"claims": 2, "auto": 5})
	f.arrive("c1", "q", nil)
	if len(f.offs.got) != 0 {
		t.Fatalf("offered to an agent without the skills: %v", f.offs.got)
	}
	f.login("ok", map[string]int{"claims": 3, "auto": 2})
	if got := f.offs.last(); got != (offer{"ok", "c1"}) {
		t.Fatalf("got %v, want the qualified agent", got)
	}
}
