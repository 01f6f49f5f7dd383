// Package pacing decides how many outbound lines a dialer should have ringing. Every method —
// preview, progressive, VICIdial's adaptive ADAPT_* loops and hotline's model-based predictive
// pacer — sees the same Snapshot and the same observations, so they can be compared on one
// simulator, list and team of agents.
package pacing

import "time"

// Snapshot is the dialer's state at the moment a pacer is asked for a decision.
type Snapshot struct {
	Now time.Time
	// Ready is the number of agents waiting for a call and not reserved for a ringing one.
	Ready int
	// InCall is the number of agents talking; Wrap the number in after-call work.
	InCall, Wrap int
	// Busy holds, for every agent talking, the time since its call was connected.
	Busy []time.Duration
	// Wrapping holds, for every agent in after-call work, the time since the conversation ended.
	Wrapping []time.Duration
	// LoggedIn is every agent of the campaign, whatever their state.
	LoggedIn int
	// Ringing holds, for every line dialled and not yet answered, the time since it was dialled.
	Ringing []time.Duration
	// Waiting is the number of person-answered calls waiting for an agent (each for under 2 s).
	Waiting int
	// Active is every call the dialer holds a line for: ringing, waiting, with an agent, or
	// playing a message.
	Active int
	// LinesFree is how many more calls the trunk accepts now.
	LinesFree int
}

// Attempt is what a pacer learns from one finished dial attempt.
type Attempt struct {
	At time.Time // when the attempt resolved (answered, rang out, failed)
	// Ring is dial to answer (for an answered call) or dial to the end (for any other).
	Ring time.Duration
	// Human reports that a person answered (as the dialer knows it: after machine detection).
	Human bool
	// Dropped reports that the person got no agent within the drop limit.
	Dropped bool
}

// Pacer decides how many new calls to place.
type Pacer interface {
	// Name is the method's name as it appears in events and reports, e.g. "adapt_tapered".
	Name() string
	// Dial returns how many new calls to place now. The dialer calls it on every tick and after
	// every change of agent state; a pacer with its own cadence returns 0 between its beats.
	Dial(s *Snapshot) int
	// ObserveAttempt is called once per attempt when it is resolved.
	ObserveAttempt(a Attempt)
	// ObserveHandle is called when an agent finishes a call, with talk + after-call work.
	ObserveHandle(d time.Duration)
}

// PhaseObserver is an optional Pacer method: each finished call's talk and after-call work
// apart (ObserveHandle has their sum), so a pacer can tell an agent wrapping up from one talking.
type PhaseObserver interface {
	ObservePhases(talk, wrap time.Duration)
}

// CountsOnly pacers read the Snapshot's counts and never its Busy, Wrapping and Ringing
// durations, which the dialer then leaves empty.
type CountsOnly interface {
	Pacer
	ReadsCountsOnly()
}

// Reserving pacers dial one line for one agent and keep that agent for the call: the dialer
// then connects a person who answers at once, so such a method never abandons a call.
type Reserving interface {
	Pacer
	ReservesAgent()
}
