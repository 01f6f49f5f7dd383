package routing

import "fmt"

// CheckInvariants verifies the engine's internal consistency; tests call it after random
// operations. It reports the first broken rule.
func (e *Engine) CheckInvariants() error {
	now := e.clk.Now()
	for _, q := range e.queues {
		for i, c := range q.waiting {
			if c.state != csWaiting {
				return fmt.Errorf("queue %s holds call %s in state %d", q.cfg.Name, c.ID, c.state)
			}
			if i > 0 && c.before(q.waiting[i-1]) {
				return fmt.Errorf("queue %s out of order at %s", q.cfg.Name, c.ID)
			}
			if e.calls[c.ID] != c {
				return fmt.Errorf("queue %s holds forgotten call %s", q.cfg.Name, c.ID)
			}
		}
	}
	for _, a := range e.agents {
		switch a.state {
		case stAvailable:
			if a.call != nil {
				return fmt.Errorf("available agent %s holds call %s", a.id, a.call.ID)
			}
			// Work-conserving: nobody available while a call they may take waits.
			if c, _ := e.pickCall(a, now); c != nil {
				return fmt.Errorf("agent %s is available while %s, which they may take, waits", a.id, c.ID)
			}
		case stReserved:
			if a.call != nil && (a.call.state != csOffered || a.call.agent != a) {
				return fmt.Errorf("reserved agent %s: call %s in state %d", a.id, a.call.ID, a.call.state)
			}
		case stOnCall, stHold:
			if a.call == nil || a.call.state != csConnected || a.call.agent != a {
				return fmt.Errorf("agent %s %s without a matching connected call", a.id, a.state)
			}
		case stACW:
			if a.call == nil || a.call.pendACW < 1 {
				return fmt.Errorf("agent %s in wrap-up without a call awaiting it", a.id)
			}
		}
	}
	for id, c := range e.calls {
		if c.state == csConnected && (c.agent == nil || c.agent.call != c) {
			return fmt.Errorf("connected call %s without its agent", id)
		}
		if c.state == csEnded && c.pendACW == 0 {
			return fmt.Errorf("ended call %s kept with no wrap-up pending", id)
		}
	}
	return nil
}
