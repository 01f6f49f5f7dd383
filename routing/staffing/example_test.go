package staffing_test

import (
	"fmt"

	"github.com/seed-1c4692e8/hotline/routing/staffing"
)

// 200 calls an hour of 3 minutes each are 10 Erlangs. For 80% answered within 20 s, Erlang C
// (callers wait for ever) asks for 14 agents (13 answer 79.6%); with callers who hang up after a
// minute on average (Erlang A) 12 reach the target, since the abandons shorten the queue.
func ExampleAgentsFor() {
	load := staffing.Load{CallsPerHour: 200, AHT: 180}
	c, err := staffing.AgentsFor(load, 0.80, 20, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.0f Erlangs; Erlang C: %d agents, %.1f%% within 20 s, %.1f%% wait, ASA %.1f s, occupancy %.1f%%\n",
		load.Erlangs(), c.Agents, 100*c.SL, 100*c.PWait, c.ASA, 100*c.Occupancy)
	a, err := staffing.AgentsFor(load, 0.80, 20, 60)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("Erlang A (patience 60 s): %d agents, %.1f%% within 20 s, %.1f%% abandon\n", a.Agents, 100*a.SL, 100*a.PAbandon)
	// Output:
	// 10 Erlangs; Erlang C: 14 agents, 88.8% within 20 s, 17.4% wait, ASA 7.8 s, occupancy 71.4%
	// Erlang A (patience 60 s): 12 agents, 86.0% within 20 s, 7.6% abandon
}

// ErlangC is the probability that a caller waits at all: 10 Erlangs on 13 agents.
func ExampleErlangC() {
	fmt.Printf("%.4f\n", staffing.ErlangC(10, 13))
	// Output:
	// 0.2853
}
