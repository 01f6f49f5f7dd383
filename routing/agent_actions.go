package routing

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// AgentInfo is an agent's current state as the desktop and the supervisors see it.
type AgentInfo struct {
	Agent     string         `json:"agent_id"`
	Name      string         `json:"name,omitempty"`
	State     string         `json:"state"`
	Reason    string         `json:"reason,omitempty"`
	Since     time.Time      `json:"since"`
	CallID    string         `json:"call_id,omitempty"`
	Direction string         `json:"direction,omitempty"`
	Queues    []string       `json:"queues"`
	Skills    map[string]int `json:"skills"`
	Handled   int            `json:"handled"`
	Occupancy float64        `json:"occupancy"`
}

// Login describes an agent logging in.
type Login struct {
	Agent  string
	Name   string
	Skills map[string]int // skill → proficiency 1..MaxProficiency
	// Lease makes the desktop keep the agent alive with Heartbeat every Config.LeaseTTL.
	Lease bool
	// Ready puts the agent straight into available instead of a "login" break.
	Ready bool
}

// Login logs an agent in (or updates the skills of one logged in and not on a call).
func (e *Engine) Login(l Login) error {
	if l.Agent == "" {
		return fmt.Errorf("login: agent id missing")
	}
	for s, p := range l.Skills {
		if p < 0 || p > MaxProficiency {
			return fmt.Errorf("login %s: skill %s proficiency %d is outside 0..%d", l.Agent, s, p, MaxProficiency)
		}
	}
	a, ok := e.agents[l.Agent]
	if !ok {
		a = &agent{id: l.Agent, order: e.nagents, since: e.clk.Now()}
		e.nagents++
		e.agents[l.Agent] = a
	}
	if a.state != stLoggedOut && a.state != stAvailable && a.state != stBreak {
		return fmt.Errorf("login %s while %s: %w", l.Agent, a.state, ErrState)
	}
	a.name = l.Name
	// Skill names sorted so skill indices, and so decisions, do not depend on map order.
	names := make([]string, 0, len(l.Skills))
	for s := range l.Skills {
		names = append(names, s)
	}
	sort.Strings(names)
	a.skills = a.skills[:0]
	for _, s := range names {
		i := e.skillIndex(s)
		for len(a.skills) <= i {
			a.skills = append(a.skills, 0)
		}
		a.skills[i] = uint8(l.Skills[s])
	}
	for _, q := range a.queues {
		q.removeMember(a)
	}
	a.queues = a.queues[:0]
	a.qnames = nil
	for _, q := range e.queues {
		if a.meets(q, q.maxDrop()) {
			q.addMember(a)
			a.queues = append(a.queues, q)
			a.qnames = append(a.qnames, q.cfg.Name)
		}
	}
	fresh := a.state == stLoggedOut
	if fresh {
		a.loginAt, a.busy, a.avail, a.handled = e.clk.Now(), 0, 0, 0
		a.pendBreak, a.pendOut = "", false
	}
	a.leaseTTL = 0
	if l.Lease && e.cfg.LeaseTTL > 0 {
		a.leaseTTL = e.cfg.LeaseTTL
		e.renewLease(a)
	}
	switch {
	case l.Ready && a.state != stAvailable:
		e.setState(a, stAvailable, "")
	case fresh && !l.Ready:
		e.setState(a, stBreak, "login")
	}
	e.routeAgent(a) // new skills may qualify an available agent for a waiting call
	return nil
}

// Logout logs the agent out now, or after the call in progress and its wrap-up.
func (e *Engine) Logout(agentID, reason string) error {
	a, err := e.agent(agentID)
	if err != nil {
		return err
	}
	switch a.state {
	case stLoggedOut:
		return nil
	case stReserved:
		e.rejectOffer(a, "logout")
	case stOnCall, stHold, stACW:
		// Logged out once the call and its wrap-up are done.
		a.pendOut, a.outReason = true, reason
		return nil
	}
	e.logout(a, reason)
	return nil
}

func (e *Engine) logout(a *agent, reason string) {
	a.stopTimer()
	if a.lease != nil {
		a.lease.Stop()
		a.lease = nil
	}
	a.pendOut, a.pendBreak, a.outReason = false, "", ""
	if reason == "" {
		reason = "logout"
	}
	e.setState(a, stLoggedOut, reason)
}

// Ready makes the agent available: from a break, or ending wrap-up early.
func (e *Engine) Ready(agentID string) error {
	a, err := e.agent(agentID)
	if err != nil {
		return err
	}
	switch a.state {
	case stAvailable:
		return nil
	case stBreak:
		e.setState(a, stAvailable, "")
		e.routeAgent(a)
		return nil
	case stACW:
		return e.Wrapup(agentID, Wrapup{})
	case stOnCall, stHold:
		a.pendBreak = "" // cancels a break asked for during the call
		return nil
	}
	return fmt.Errorf("ready %s while %s: %w", agentID, a.state, ErrState)
}

// Break puts the agent on a break with a reason; during a call the break starts after wrap-up.
func (e *Engine) Break(agentID, reason string) error {
	a, err := e.agent(agentID)
	if err != nil {
		return err
	}
	if reason == "" {
		return fmt.Errorf("break %s: reason missing", agentID)
	}
	if err := checkCode("reason", reason); err != nil {
		return err
	}
	switch a.state {
	case stAvailable, stBreak:
		e.setState(a, stBreak, reason)
	case stReserved:
		e.rejectOffer(a, "break")
		e.setState(a, stBreak, reason)
	case stOnCall, stHold, stACW:
		a.pendBreak = reason
	default:
		return fmt.Errorf("break %s while %s: %w", agentID, a.state, ErrState)
	}
	return nil
}

// Heartbeat renews the desktop's lease.
func (e *Engine) Heartbeat(agentID string) error {
	a, err := e.agent(agentID)
	if err != nil {
		return err
	}
	if a.state == stLoggedOut {
		return fmt.Errorf("heartbeat %s while logged out: %w", agentID, ErrState)
	}
	if a.leaseTTL > 0 {
		e.renewLease(a)
	}
	return nil
}

// renewLease pushes the expiry out. One timer per lease period, not one per heartbeat: the timer
// re-checks the expiry when it fires.
func (e *Engine) renewLease(a *agent) {
	a.leaseUntil = e.clk.Now().Add(a.leaseTTL)
	if a.lease == nil {
		a.lease = e.clk.AfterFunc(a.leaseTTL, func() { e.leaseCheck(a) })
	}
}

func (e *Engine) leaseCheck(a *agent) {
	a.lease = nil
	if a.state == stLoggedOut || a.leaseTTL == 0 {
		return
	}
	if now := e.clk.Now(); now.Before(a.leaseUntil) {
		a.lease = e.clk.AfterFunc(a.leaseUntil.Sub(now), func() { e.leaseCheck(a) })
		return
	}
	e.recover(a)
}

// recover takes an agent whose desktop disappeared out of routing. An offered call goes back
// to the queue at once; a connected call stays up (the voice path does not need the desktop) and
// the agent is logged out after it, skipping wrap-up; anything else logs out now.
func (e *Engine) recover(a *agent) {
	e.stats.Recovered++
	switch a.state {
	case stReserved:
		e.rejectOffer(a, ReasonDesktopLost)
	case stOnCall, stHold:
		a.pendOut = true
		a.pendBreak = ReasonDesktopLost
		return
	case stACW:
		c := a.call
		a.call = nil
		a.stopTimer()
		if c != nil {
			e.wrapDone(c, a, Wrapup{})
		}
	}
	e.logout(a, ReasonDesktopLost)
}

// Accept answers the call offered to the agent.
func (e *Engine) Accept(agentID, callID string) error {
	a, err := e.agent(agentID)
	if err != nil {
		return err
	}
	c := a.call
	if a.state != stReserved || c == nil || c.state != csOffered || (callID != "" && c.ID != callID) {
		return fmt.Errorf("accept %s by %s while %s: %w", callID, agentID, a.state, ErrState)
	}
	a.stopTimer()
	now := e.clk.Now()
	c.state = csConnected
	c.talkFrom = now
	c.stopTimers()
	if c.rec.AnsweredAt == nil {
		c.rec.AnsweredAt = tp(now)
		c.rec.WaitSec = secs(now.Sub(c.queuedAt))
		e.stats.Answered++
	}
	c.rec.Outcome = events.OutcomeAnswered
	c.rec.Agent = a.id
	a.handled++
	e.setState(a, stOnCall, "")
	e.lifecycle(c, events.StageAnswered, a, "")
	return nil
}

// Reject declines the offered call; it goes back to its place and is not offered to this agent
// again. The agent stays available.
func (e *Engine) Reject(agentID, callID, reason string) error {
	a, err := e.agent(agentID)
	if err != nil {
		return err
	}
	if err := checkCode("reason", reason); err != nil {
		return err
	}
	if a.state != stReserved || a.call == nil || (callID != "" && a.call.ID != callID) {
		return fmt.Errorf("reject %s by %s while %s: %w", callID, agentID, a.state, ErrState)
	}
	e.rejectOffer(a, reason)
	e.setState(a, stAvailable, "")
	e.routeAgent(a)
	return nil
}

// rejectOffer returns an offered (or outbound-reserved) agent's call to the queue. The caller
// sets the agent's next state.
func (e *Engine) rejectOffer(a *agent, reason string) {
	a.stopTimer()
	c := a.call
	if c == nil { // outbound reservation
		return
	}
	if reason == "" {
		reason = "rejected"
	}
	e.lifecycle(c, events.StageRejected, a, reason)
	e.unoffer(c, a, true)
	e.routeCall(c)
}

// Hold puts the connected call on hold.
func (e *Engine) Hold(agentID string) error {
	a, err := e.agent(agentID)
	if err != nil {
		return err
	}
	if a.state != stOnCall || a.call == nil {
		return fmt.Errorf("hold by %s while %s: %w", agentID, a.state, ErrState)
	}
	c := a.call
	now := e.clk.Now()
	c.rec.TalkSec += secs(now.Sub(c.talkFrom))
	c.held = now
	c.rec.HoldCount++
	e.setState(a, stHold, "")
	e.lifecycle(c, events.StageHeld, a, "")
	return nil
}

// Retrieve takes the call off hold.
func (e *Engine) Retrieve(agentID string) error {
	a, err := e.agent(agentID)
	if err != nil {
		return err
	}
	if a.state != stHold || a.call == nil {
		return fmt.Errorf("retrieve by %s while %s: %w", agentID, a.state, ErrState)
	}
	c := a.call
	now := e.clk.Now()
	c.rec.HoldSec += secs(now.Sub(c.held))
	c.talkFrom = now
	e.setState(a, stOnCall, "")
	e.lifecycle(c, events.StageRetrieved, a, "")
	return nil
}

// Wrapup is what the agent records when after-call work ends.
type Wrapup struct {
	Disposition string `json:"disposition"`
	Resolved    bool   `json:"resolved"`
}

// Wrapup ends the agent's after-call work.
func (e *Engine) Wrapup(agentID string, w Wrapup) error {
	a, err := e.agent(agentID)
	if err != nil {
		return err
	}
	if err := checkCode("disposition", w.Disposition); err != nil {
		return err
	}
	if a.state != stACW {
		return fmt.Errorf("wrap up by %s while %s: %w", agentID, a.state, ErrState)
	}
	a.stopTimer()
	c := a.call
	a.call = nil
	e.wrapDone(c, a, w)
	e.afterWork(a)
	return nil
}

// afterWork sends the agent to what comes after a call: logout, break or the next call.
func (e *Engine) afterWork(a *agent) {
	a.direction = ""
	switch {
	case a.pendOut:
		r := a.outReason
		if a.pendBreak == ReasonDesktopLost {
			r = ReasonDesktopLost
		}
		e.logout(a, r)
	case a.pendBreak != "":
		r := a.pendBreak
		a.pendBreak = ""
		e.setState(a, stBreak, r)
	default:
		e.setState(a, stAvailable, "")
		e.routeAgent(a)
	}
}

// wrapDone books one agent's wrap-up on the call and finishes the record when it was the last.
func (e *Engine) wrapDone(c *Call, a *agent, w Wrapup) {
	now := e.clk.Now()
	c.rec.ACWSec += secs(now.Sub(a.since))
	if w.Disposition != "" {
		c.rec.Disposition = w.Disposition
	}
	if w.Resolved {
		c.rec.Resolved = true
	}
	if c.rec.WrapupEndedAt == nil || now.After(*c.rec.WrapupEndedAt) {
		c.rec.WrapupEndedAt = tp(now)
	}
	c.pendACW--
	e.lifecycle(c, events.StageWrapupEnded, a, w.Disposition)
	if c.pendACW == 0 && c.state == csEnded {
		e.finish(c)
	}
}

// Agents lists every known agent in login order.
func (e *Engine) Agents() []AgentInfo {
	list := make([]*agent, 0, len(e.agents))
	for _, a := range e.agents {
		list = append(list, a)
	}
	slices.SortFunc(list, func(x, y *agent) int { return x.order - y.order })
	out := make([]AgentInfo, len(list))
	for i, a := range list {
		out[i] = e.agentInfo(a)
	}
	return out
}

// Agent returns one agent's state.
func (e *Engine) Agent(agentID string) (AgentInfo, error) {
	a, err := e.agent(agentID)
	if err != nil {
		return AgentInfo{}, err
	}
	return e.agentInfo(a), nil
}

func (e *Engine) agentInfo(a *agent) AgentInfo {
	ai := AgentInfo{
		Agent: a.id, Name: a.name, State: a.state.String(), Reason: a.reason, Since: a.since,
		Direction: a.direction, Queues: a.queueNames(), Skills: map[string]int{}, Handled: a.handled,
		Occupancy: a.occupancy(e.clk.Now()),
	}
	if a.call != nil {
		ai.CallID = a.call.ID
	}
	for name, i := range e.skills {
		if p := a.skill(i); p > 0 {
			ai.Skills[name] = p
		}
	}
	return ai
}

// maxCodeLen bounds what an agent's desktop sends as a code or short reason (a break reason, a
// disposition, a transfer target, a complaint category): it is stored, published and pushed to
// supervisors' screens, so a megabyte of it must not get that far.
const maxCodeLen = 64

// checkCode refuses a code or short reason longer than maxCodeLen bytes, naming the field.
func checkCode(field, v string) error {
	if len(v) > maxCodeLen {
		return fmt.Errorf("%s: %d bytes, at most %d", field, len(v), maxCodeLen)
	}
	return nil
}
