package clock

import (
	"container/heap"
	"time"
)

// Sim is a discrete-event clock: time stands still until Advance or Run moves it to the next
// scheduled function. Not safe for concurrent use: one goroutine drives it.
type Sim struct {
	now  time.Time
	seq  uint64 // ties broken by scheduling order, so runs are deterministic
	heap timerHeap
}

// NewSim starts a simulated clock at start.
func NewSim(start time.Time) *Sim { return &Sim{now: start} }

func (s *Sim) Now() time.Time { return s.now }

// AfterFunc schedules f at Now()+d; a negative d counts as zero.
func (s *Sim) AfterFunc(d time.Duration, f func()) Timer {
	if d < 0 {
		d = 0
	}
	s.seq++
	t := &simTimer{at: s.now.Add(d), seq: s.seq, f: f, index: -1}
	heap.Push(&s.heap, t)
	return t
}

// Next reports when the next scheduled function is due, and false if nothing is scheduled.
func (s *Sim) Next() (time.Time, bool) {
	if len(s.heap) == 0 {
		return time.Time{}, false
	}
	return s.heap[0].at, true
}

// Step runs the next scheduled function, moving the clock to its time. It reports false when
// nothing is scheduled.
func (s *Sim) Step() bool {
	if len(s.heap) == 0 {
		return false
	}
	t := heap.Pop(&s.heap).(*simTimer)
	s.now = t.at
	t.done = true
	t.f()
	return true
}

// RunUntil runs every function due up to and including end, then sets the clock to end.
func (s *Sim) RunUntil(end time.Time) {
	for len(s.heap) > 0 && !s.heap[0].at.After(end) {
		s.Step()
	}
	if end.After(s.now) {
		s.now = end
	}
}

// Advance is RunUntil(Now()+d).
func (s *Sim) Advance(d time.Duration) { s.RunUntil(s.now.Add(d)) }

// Pending is the number of scheduled functions.
func (s *Sim) Pending() int { return len(s.heap) }

type simTimer struct {
	at    time.Time
	seq   uint64
	f     func()
	index int
	done  bool
	owner *timerHeap
}

func (t *simTimer) Stop() bool {
	if t.done || t.index < 0 || t.owner == nil {
		return false
	}
	heap.Remove(t.owner, t.index)
	t.done = true
	return true
}

type timerHeap []*simTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*simTimer)
	t.index = len(*h)
	t.owner = h
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	n := len(old)
	t := old[n-1]
	old[n-1] = nil
	t.index = -1
	*h = old[:n-1]
	return t
}
