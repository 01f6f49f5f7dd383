package dialer

import (
	"fmt"
	"slices"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/routing"
)

// A person at a desktop ends a blended campaign call by reporting its outcome, one of the
// campaign's codes (routing.Desktop: POST /api/agent/calls/{id}/outcome). The blend is the
// desktop's routing.OutboundDesk: it checks the code, ends the conversation in routing, and
// the engine acts on it as on a simulated agent's disposition — final outcome or retry, a
// callback at the asked time, a refusal's 6-month sales lockout, a do-not-call entry, a wrong
// number closed. The desktop calls it inside the routing engine's Do, where the blend may touch
// the ACD.

// maxCallbackAhead bounds how far ahead a customer's callback may be booked.
const maxCallbackAhead = 90 * 24 * time.Hour

// OutcomeReport is what the dialer made of an agent's outcome.
type OutcomeReport struct {
	Campaign string `json:"campaign"`
	Contact  string `json:"contact"`
	Code     string `json:"code"`
	// Final says the contact is closed; otherwise RetryAt is its next call (a callback at the
	// asked time, moved into the calling window).
	Final   bool       `json:"final"`
	RetryAt *time.Time `json:"retry_at,omitempty"`
}

var _ routing.OutboundDesk = (*Blend)(nil)

// OutboundCall implements routing.OutboundDesk: a campaign call on an attended agent's desk.
func (b *Blend) OutboundCall(agentID, callID string) (routing.OutboundInfo, bool) {
	p, pc, ok := b.deskCall(agentID, callID)
	if !ok || !pc.attended {
		return routing.OutboundInfo{}, false
	}
	return p.info(pc.disposition), true
}

// ReportOutcome implements routing.OutboundDesk.
func (b *Blend) ReportOutcome(agentID, callID string, o routing.OutboundOutcome) (any, error) {
	p, pc, ok := b.deskCall(agentID, callID)
	switch {
	case !ok:
		return nil, fmt.Errorf("report outcome of %s: not a campaign call on %s's desk: %w", callID, agentID, routing.ErrState)
	case !pc.attended:
		return nil, fmt.Errorf("report outcome of %s: the campaign's simulated team ends this call: %w", callID, routing.ErrState)
	case pc.disposition != "":
		return nil, fmt.Errorf("report outcome of %s: %q is reported already: %w", callID, pc.disposition, routing.ErrState)
	}
	now := b.clk.Now()
	if err := p.checkOutcome(o, now); err != nil {
		return nil, err
	}
	b.present(agentID) // whoever reports an outcome is at the desk: the next preview timeout is a first again
	// The conversation ends now, or ended when the agent hung up (after-call work since).
	end := now
	ai, err := b.acd.Agent(agentID)
	if err == nil && ai.CallID == pc.routingID {
		switch ai.State {
		case events.AgentOnCall, events.AgentHold:
			if err := b.acd.Hangup(pc.routingID); err != nil {
				return nil, fmt.Errorf("report outcome of %s: hanging up: %w", callID, err)
			}
		case events.AgentACW:
			end = ai.Since
		}
	}
	p.mu.Lock()
	pc.disposition = o.Code
	p.calls[agentID] = pc
	p.mu.Unlock()
	final, retryAt, _ := p.engine.conclude(pc.callID, o.Code, o.CallbackAt, end)
	if p.team.OnConnected != nil {
		p.team.OnConnected(agentID, pc.callID, pc.contact, o.Code, end)
	}
	rep := OutcomeReport{Campaign: p.campaign, Contact: pc.contact.ID, Code: o.Code, Final: final}
	if !final && !retryAt.IsZero() {
		rep.RetryAt = &retryAt
	}
	return rep, nil
}

// checkOutcome validates an outcome against the campaign's codes.
func (p *RoutingPool) checkOutcome(o routing.OutboundOutcome, now time.Time) error {
	if !slices.Contains(p.outcomes, o.Code) {
		return fmt.Errorf("code: %q is not an outcome of campaign %s; one of %v", o.Code, p.campaign, p.outcomes)
	}
	if o.Code != DispositionCallback {
		if !o.CallbackAt.IsZero() {
			return fmt.Errorf("callback_at: only with code %s", DispositionCallback)
		}
		return nil
	}
	switch {
	case o.CallbackAt.IsZero():
		return fmt.Errorf("callback_at: missing: when the customer asked to be called back (RFC 3339)")
	case !o.CallbackAt.After(now):
		return fmt.Errorf("callback_at: %s is not in the future", o.CallbackAt.Format(time.RFC3339))
	case o.CallbackAt.Sub(now) > maxCallbackAhead:
		return fmt.Errorf("callback_at: %s is more than 90 days ahead", o.CallbackAt.Format(time.RFC3339))
	}
	return nil
}

// deskCall finds the campaign call routing call callID is, on agentID's desk.
func (b *Blend) deskCall(agentID, callID string) (*RoutingPool, poolCall, bool) {
	b.mu.Lock()
	p := b.busy[agentID]
	b.mu.Unlock()
	if p == nil {
		return nil, poolCall{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pc, ok := p.calls[agentID]
	if !ok || pc.routingID != callID || pc.callID == "" {
		return nil, poolCall{}, false
	}
	return p, pc, true
}

// settleAttended gives back to their campaigns attended agents whose campaign call is over in
// routing: wrap-up ended (ready, a break, logged out, or routing's wrap-up limit). A call whose
// outcome was never reported (the desktop was lost) closes as connected with no disposition.
func (b *Blend) settleAttended() {
	type done struct {
		p     *RoutingPool
		agent string
	}
	var finished []done
	b.mu.Lock()
	busy := make(map[string]*RoutingPool, len(b.busy))
	for id, p := range b.busy {
		busy[id] = p
	}
	b.mu.Unlock()
	for id, p := range busy {
		p.mu.Lock()
		pc, ok := p.calls[id]
		p.mu.Unlock()
		if !ok || !pc.attended {
			continue
		}
		ai, err := b.acd.Agent(id)
		if err == nil && ai.CallID == pc.routingID {
			switch ai.State {
			case events.AgentOnCall, events.AgentHold, events.AgentACW:
				continue // still theirs
			}
		}
		finished = append(finished, done{p, id})
	}
	for _, d := range finished {
		p := d.p
		p.mu.Lock()
		pc := p.calls[d.agent]
		delete(p.calls, d.agent)
		p.mu.Unlock()
		if pc.disposition == "" {
			p.engine.conclude(pc.callID, "", time.Time{}, b.clk.Now())
		}
		p.back(d.agent)
	}
}
