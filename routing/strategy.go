package routing

import "time"

// pickAgent chooses among the available agents eligible for c in q, by q's strategy. Every
// strategy ends ties on the agent's order of login (then id), so decisions are deterministic.
func (e *Engine) pickAgent(q *queue, c *Call, now time.Time) *agent {
	drop := q.dropAt(now.Sub(c.queuedAt))
	var best *agent
	var bestKey [2]float64 // lower is better
	n := len(q.members)
	start := 0
	if q.cfg.Strategy == StrategyRoundRobin {
		start = q.rr + 1
	}
	for i := 0; i < n; i++ {
		idx := i
		if q.cfg.Strategy == StrategyRoundRobin {
			idx = (start + i) % n
		}
		a := q.members[idx]
		if a.state != stAvailable || !a.meets(q, drop) || c.rejectedBy(a) {
			continue
		}
		if q.cfg.Strategy == StrategyRoundRobin {
			q.rr = idx
			return a
		}
		idle := float64(a.idleSince.UnixNano())
		var key [2]float64
		switch q.cfg.Strategy {
		case StrategyBestProficiency:
			key = [2]float64{-float64(a.proficiency(q)), idle}
		case StrategyLeastOccupied:
			key = [2]float64{a.occupancy(now), idle}
		case StrategyFewestCalls:
			key = [2]float64{float64(a.handled), idle}
		default: // longest idle
			key = [2]float64{idle, 0}
		}
		if best == nil || key[0] < bestKey[0] || (key[0] == bestKey[0] && (key[1] < bestKey[1] || (key[1] == bestKey[1] && a.order < best.order))) {
			best, bestKey = a, key
		}
	}
	return best
}

// pickCall chooses the call agent a should take next over every queue it serves: the highest
// priority first, then the longest waiting, then the earliest to arrive. This is what keeps an
// agent in several queues fair to all of them.
func (e *Engine) pickCall(a *agent, now time.Time) (*Call, *queue) {
	var best *Call
	var bestQ *queue
	for _, q := range a.queues {
		for _, c := range q.waiting {
			if best != nil && !c.before(best) {
				break // the list is in order; nothing further here beats best
			}
			if c.only != nil && c.only != a {
				continue // a call for another agent alone
			}
			if a.meets(q, q.dropAt(now.Sub(c.queuedAt))) && !c.rejectedBy(a) {
				best, bestQ = c, q
				break
			}
		}
	}
	return best, bestQ
}
