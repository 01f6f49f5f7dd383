package routing

import (
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// agent states, as small integers for the hot path; names are events.Agent*.
type agentState uint8

const (
	stLoggedOut agentState = iota
	stAvailable
	stReserved
	stOnCall
	stHold
	stACW
	stBreak
)

var stateNames = [...]string{events.AgentLoggedOut, events.AgentAvailable, events.AgentReserved, events.AgentOnCall, events.AgentHold, events.AgentACW, events.AgentBreak}

func (s agentState) String() string { return stateNames[s] }

// Break reasons the engine sets itself.
const (
	ReasonNoAnswer    = "no_answer"    // an offered call rang out at the desktop
	ReasonDesktopLost = "desktop_lost" // the desktop's lease expired
)

type agent struct {
	id     string
	order  int     // creation order: the final tie-break of every decision
	skills []uint8 // proficiency by skill index, 0 = none
	name   string

	state     agentState
	reason    string
	since     time.Time // entered state
	idleSince time.Time // became available
	call      *Call
	direction string
	queues    []*queue // queues the agent is a member of
	qnames    []string // their names, shared by every state event (never mutated, replaced)

	loginAt   time.Time
	busy      time.Duration // reserved, on call, hold, ACW since login
	avail     time.Duration // available since login
	handled   int           // calls answered since login
	pendBreak string        // break asked for during a call, taken after wrap-up
	pendOut   bool          // logout asked for during a call
	outReason string        // its reason

	timer      clock.Timer // offer no-answer or wrap-up limit or outbound reservation
	leaseTTL   time.Duration
	leaseUntil time.Time
	lease      clock.Timer
}

func (a *agent) skill(i int) int {
	if i < len(a.skills) {
		return int(a.skills[i])
	}
	return 0
}

// meets reports whether the agent has every skill of q at its minimum lowered by drop (never
// below 1: relaxation widens proficiency, it does not hand a call to someone without the skill).
func (a *agent) meets(q *queue, drop int) bool {
	for _, n := range q.reqs {
		m := n.min - drop
		if m < 1 {
			m = 1
		}
		if a.skill(n.skill) < m {
			return false
		}
	}
	return true
}

func (a *agent) proficiency(q *queue) int {
	p := 0
	for _, n := range q.reqs {
		p += a.skill(n.skill)
	}
	return p
}

// occupancy is busy / (busy + available) since login, counting the current state.
func (a *agent) occupancy(now time.Time) float64 {
	busy, avail := a.busy, a.avail
	d := now.Sub(a.since)
	switch a.state {
	case stAvailable:
		avail += d
	case stReserved, stOnCall, stHold, stACW:
		busy += d
	}
	if busy+avail == 0 {
		return 0
	}
	return float64(busy) / float64(busy+avail)
}

func (a *agent) stopTimer() {
	if a.timer != nil {
		a.timer.Stop()
		a.timer = nil
	}
}

func (a *agent) queueNames() []string { return a.qnames }

// setState moves a to s, keeps the occupancy accumulators and emits the agent-state event.
func (e *Engine) setState(a *agent, s agentState, reason string) {
	now := e.clk.Now()
	d := now.Sub(a.since)
	switch a.state {
	case stAvailable:
		a.avail += d
	case stReserved, stOnCall, stHold, stACW:
		a.busy += d
	}
	prev := a.state
	a.state, a.reason, a.since = s, reason, now
	if s == stAvailable {
		a.idleSince = now
	}
	if s != stBreak && s != stLoggedOut {
		a.reason = ""
	}
	e.stats.AgentStates++
	ev := events.AgentState{
		Agent: a.id, State: s.String(), Reason: reason, Previous: prev.String(), PreviousSec: secs(d),
		Queues: a.queueNames(), Direction: a.direction,
	}
	if a.call != nil && s != stAvailable && s != stBreak && s != stLoggedOut {
		ev.CallID = a.call.ID
	}
	if s == stLoggedOut && prev == stLoggedOut {
		return
	}
	e.emit(ev)
	for _, o := range e.observers {
		o.AgentState(ev)
	}
}

func secs(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return float64(d.Milliseconds()) / 1000
}
