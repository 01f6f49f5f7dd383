package routing

import (
	"slices"
	"time"
)

// queue is a compiled QueueConfig with its waiting calls and member agents.
type queue struct {
	cfg     QueueConfig
	idx     int
	reqs    []skillNeed // required skills, by skill index
	waiting []*Call     // in routing order: priority desc, queued asc, seq asc
	members []*agent    // agents meeting the most relaxed requirement, in login order
	rr      int         // round robin: index in members of the last agent chosen
}

type skillNeed struct {
	skill int
	min   int
}

// dropAt is how much the required proficiency has been relaxed after waiting w.
func (q *queue) dropAt(w time.Duration) int {
	d := 0
	for _, r := range q.cfg.Relax {
		if w >= r.After {
			d = r.Drop
		}
	}
	return d
}

func (q *queue) maxDrop() int {
	if n := len(q.cfg.Relax); n > 0 {
		return q.cfg.Relax[n-1].Drop
	}
	return 0
}

func (q *queue) insert(c *Call) {
	i, _ := slices.BinarySearchFunc(q.waiting, c, func(x, t *Call) int {
		if x.before(t) {
			return -1
		}
		return 1
	})
	q.waiting = slices.Insert(q.waiting, i, c)
}

func (q *queue) remove(c *Call) {
	if i := slices.Index(q.waiting, c); i >= 0 {
		q.waiting = slices.Delete(q.waiting, i, i+1)
	}
}

func (q *queue) addMember(a *agent) {
	i, _ := slices.BinarySearchFunc(q.members, a, func(x, t *agent) int { return x.order - t.order })
	q.members = slices.Insert(q.members, i, a)
	if i <= q.rr && len(q.members) > 1 {
		q.rr++
	}
}

func (q *queue) removeMember(a *agent) {
	if i := slices.Index(q.members, a); i >= 0 {
		q.members = slices.Delete(q.members, i, i+1)
		if i < q.rr {
			q.rr--
		}
	}
}

// Position is where a waiting call is in its home queue, 1 for the next to be answered (an
// announcement's "you are caller number n"); ok is false when the call is not waiting.
func (e *Engine) Position(callID string) (n int, ok bool) {
	c, err := e.call(callID)
	if err != nil || c.state != csWaiting || c.queue == nil {
		return 0, false
	}
	i := slices.Index(c.queue.waiting, c)
	return i + 1, i >= 0
}
