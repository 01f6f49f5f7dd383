package routing

import (
	"errors"
	"testing"
	"time"
)

// A call for one agent (a supervisor's practice call) rings that agent even when another has
// waited longer, is not taken by the other while it rings, and once declined goes to the queue.
func TestCallForOneAgent(t *testing.T) {
	f := newFixture(t, oneQueue(""))
	f.login("a", map[string]int{"service": 1})
	f.clk.Advance(time.Minute)
	f.login("b", map[string]int{"service": 1})
	f.must(f.eng.Arrive(Arrival{CallID: "p1", Phone: "+8613800000000", Queue: "q", Agent: "b"}))
	if got := f.offs.last(); got != (offer{"b", "p1"}) {
		t.Fatalf("practice call offered to %v, want b (a idles longer)", got)
	}
	f.must(f.eng.Reject("b", "p1", "busy"))
	if got := f.offs.last(); got != (offer{"a", "p1"}) {
		t.Fatalf("declined practice call offered to %v, want a", got)
	}

	for _, tc := range []struct {
		name string
		in   Arrival
		want error
	}{
		{"unknown agent", Arrival{CallID: "x1", Queue: "q", Agent: "zz"}, ErrUnknownAgent},
		{"unknown queue", Arrival{CallID: "x2", Queue: "nope", Agent: "b"}, ErrUnknownQueue},
		{"agent not available", Arrival{CallID: "x3", Queue: "q", Agent: "a"}, ErrState},
	} {
		if err := f.eng.Arrive(tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if _, err := f.eng.Call(tc.in.CallID); err == nil {
			t.Errorf("%s: the refused call %s exists", tc.name, tc.in.CallID)
		}
	}
}
