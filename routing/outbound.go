package routing

import (
	"fmt"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// The dialer connects its answered outbound calls to the same agents through these methods.
// The sequence is ReserveAgent (when a call is about to be answered, or before dialling in
// preview/progressive mode), then ConnectOutbound once a person answers, or ReleaseAgent when
// nobody did. The connected call then ends with Hangup and the agent's Wrapup, like an inbound
// call; routing emits its lifecycle events, the agent states and its final CallRecord
// (direction outbound, with the campaign). A reservation that is neither connected nor released
// within Config.OfferTimeout (ReserveAgentFor: its hold) is released by itself, so no agent
// stays reserved.

// ReserveAgent reserves the longest-idle available agent who has skill (any proficiency when
// minLevel <= 1) for an outbound call of campaign. ok is false when nobody is free.
func (e *Engine) ReserveAgent(skill string, minLevel int, campaign string) (agentID string, ok bool) {
	si, known := e.skills[skill]
	if !known {
		return "", false
	}
	if minLevel < 1 {
		minLevel = 1
	}
	var best *agent
	for _, a := range e.agents {
		if a.state != stAvailable || a.skill(si) < minLevel {
			continue
		}
		if best == nil || a.idleSince.Before(best.idleSince) || (a.idleSince.Equal(best.idleSince) && a.order < best.order) {
			best = a
		}
	}
	if best == nil {
		return "", false
	}
	e.reserve(best)
	return best.id, true
}

// ReserveAgentID reserves the named agent, who must be available, for an outbound call of
// campaign: for a dialer that keeps its own view of who is free and picks the agent itself.
func (e *Engine) ReserveAgentID(agentID, campaign string) error {
	return e.ReserveAgentFor(agentID, campaign, e.cfg.OfferTimeout)
}

// ReserveAgentFor is ReserveAgentID for a reservation that may last up to hold before it is
// released by itself: a preview or progressive dialer holds the agent while the line rings,
// which may take longer than an offer.
func (e *Engine) ReserveAgentFor(agentID, campaign string, hold time.Duration) error {
	a, err := e.agent(agentID)
	if err != nil {
		return err
	}
	if a.state != stAvailable {
		return fmt.Errorf("reserve %s for %s while %s: %w", agentID, campaign, a.state, ErrState)
	}
	if hold <= 0 {
		return fmt.Errorf("reserve %s for %s: hold %s is not positive", agentID, campaign, hold)
	}
	e.reserveFor(a, hold)
	return nil
}

func (e *Engine) reserve(a *agent) { e.reserveFor(a, e.cfg.OfferTimeout) }

func (e *Engine) reserveFor(a *agent, hold time.Duration) {
	a.direction = events.Outbound
	e.setState(a, stReserved, "")
	a.stopTimer()
	a.timer = e.clk.AfterFunc(hold, func() {
		a.timer = nil
		if a.state == stReserved && a.call == nil {
			_ = e.ReleaseAgent(a.id)
		}
	})
}

// ReleaseAgent gives back a reservation that did not turn into a connected call.
func (e *Engine) ReleaseAgent(agentID string) error {
	a, err := e.agent(agentID)
	if err != nil {
		return err
	}
	if a.state != stReserved || a.call != nil {
		return fmt.Errorf("release %s while %s: %w", agentID, a.state, ErrState)
	}
	a.stopTimer()
	a.direction = ""
	e.setState(a, stAvailable, "")
	e.routeAgent(a)
	return nil
}

// OutboundCall is an answered outbound call handed to a reserved agent.
type OutboundCall struct {
	CallID   string
	Phone    string // E.164
	Customer string
	Campaign string // required
	Line     string // business line of the campaign, one of events.BusinessLines
}

// ConnectOutbound connects an answered outbound call to the agent reserved for it.
func (e *Engine) ConnectOutbound(agentID string, oc OutboundCall) error {
	a, err := e.agent(agentID)
	if err != nil {
		return err
	}
	if a.state != stReserved || a.call != nil {
		return fmt.Errorf("connect outbound %s to %s while %s: %w", oc.CallID, agentID, a.state, ErrState)
	}
	if oc.CallID == "" || oc.Campaign == "" {
		return fmt.Errorf("connect outbound: call id and campaign are required")
	}
	if _, dup := e.calls[oc.CallID]; dup {
		return fmt.Errorf("connect outbound: call %q is already in progress", oc.CallID)
	}
	a.stopTimer()
	now := e.clk.Now()
	e.seq++
	c := &Call{
		ID: oc.CallID, Phone: oc.Phone, Customer: oc.Customer, Direction: events.Outbound, Campaign: oc.Campaign,
		Line: oc.Line, Data: map[string]string{}, seq: e.seq, state: csConnected, agent: a, talkFrom: now,
	}
	c.rec = events.CallRecord{
		CallID: c.ID, Direction: events.Outbound, Line: oc.Line, Phone: oc.Phone, Customer: oc.Customer,
		Campaign: oc.Campaign, Agent: a.id, ArrivedAt: now, AnsweredAt: tp(now), Outcome: events.OutcomeAnswered,
	}
	e.calls[c.ID] = c
	a.call = c
	a.handled++
	e.setState(a, stOnCall, "")
	e.lifecycle(c, events.StageAnswered, a, oc.Campaign)
	return nil
}

// AgentCounts is what a pacing algorithm samples for agents with skill (any proficiency; ""
// for everyone): ready (available), busy (reserved, on a call, on hold or in wrap-up) and
// logged in (including breaks).
func (e *Engine) AgentCounts(skill string) (ready, busy, loggedIn int) {
	si, known := e.skills[skill]
	if skill != "" && !known {
		return 0, 0, 0
	}
	for _, a := range e.agents {
		if a.state == stLoggedOut || (skill != "" && a.skill(si) == 0) {
			continue
		}
		loggedIn++
		switch a.state {
		case stAvailable:
			ready++
		case stReserved, stOnCall, stHold, stACW:
			busy++
		}
	}
	return ready, busy, loggedIn
}
