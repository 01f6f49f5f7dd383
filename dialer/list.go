package dialer

import (
	"container/heap"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// ContactList is a campaign's list: contacts de-duplicated by number, dialled highest priority
// first once due, retried by the campaign's RetryPolicy until a final outcome. It is the
// ContactSource the engine dials from.
type ContactList struct {
	mu          sync.Mutex
	policy      RetryPolicy
	maxAttempts func(Contact) int
	entries     map[string]*listEntry
	byPhone     map[string]*listEntry
	sched       schedHeap
	due         dueHeap
	seq         int
	finals      map[string]int
	onFallback  func(Contact)
	onFinal     func(Contact, string, time.Time)
	window      func(Contact, time.Time) time.Time
	firstWithin time.Duration // a first attempt is due within this of Due (FirstAttemptWithin)
	deadlines   bool          // some contact came with a Deadline: AtRisk has something to look at
	// journal hears of every change to an entry, under mu (the service's state file, store.go).
	journal func(*listEntry)
}

type listEntry struct {
	c        Contact
	attempts int // calls placed
	failed   int // calls that did not reach the person
	nextAt   time.Time
	final    string
	finalAt  time.Time
	reached  time.Time
	first    time.Time // first call placed
	dialedAt time.Time // the call in progress was placed then (markDialed); zero when none
	inFlight bool
	seq      int
	index    int // in whichever heap holds it, −1 when in none
}

// NewContactList returns an empty list; maxAttempts gives each contact's limit (the rule set's).
func NewContactList(policy RetryPolicy, maxAttempts func(Contact) int) *ContactList {
	policy.defaults()
	if maxAttempts == nil {
		maxAttempts = func(Contact) int { return 6 }
	}
	return &ContactList{
		policy: policy, maxAttempts: maxAttempts,
		entries: map[string]*listEntry{}, byPhone: map[string]*listEntry{}, finals: map[string]int{},
	}
}

// Window makes the list schedule every contact inside its calling window: f returns the time
// itself when a call is allowed then, else the next opening (Compliance.InWindow).
func (l *ContactList) Window(f func(Contact, time.Time) time.Time) {
	l.mu.Lock()
	l.window = f
	l.mu.Unlock()
}

func (l *ContactList) inWindow(c Contact, t time.Time) time.Time {
	if l.window == nil {
		return t
	}
	return l.window(c, t)
}

// FirstAttemptWithin sets the list's first-attempt deadline: a contact never called must be
// attempted within d of its Due (post-claim callbacks: 24 h of the claim closing). It is kept
// apart from Contact.Deadline, which is a deadline to reach the person and orders the due
// contacts: a first-attempt deadline there would put the retries of older claims ahead of claims
// never called yet.
func (l *ContactList) FirstAttemptWithin(d time.Duration) {
	l.mu.Lock()
	l.firstWithin = d
	l.mu.Unlock()
}

// AtRisk reports whether a contact due now waits with a deadline in (now, riskBy]: its
// first-attempt deadline (FirstAttemptWithin) while never called, or its Deadline while not
// reached. A deadline already past makes no contact at risk: it is missed, and hurrying cannot
// keep it.
func (l *ContactList) AtRisk(now, riskBy time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.firstWithin == 0 && !l.deadlines {
		return false // a renewal list of thousands is not scanned at every look of the blend
	}
	l.promote(now)
	near := func(d time.Time) bool { return !d.IsZero() && d.After(now) && !d.After(riskBy) }
	for _, e := range l.due {
		if e.attempts == 0 && l.firstWithin > 0 && near(e.c.Due.Add(l.firstWithin)) {
			return true
		}
		if e.reached.IsZero() && near(e.c.Deadline) {
			return true
		}
	}
	return false
}

// OnFallback is called when a contact reaches the failed-call threshold (SMS fallback).
func (l *ContactList) OnFallback(f func(Contact)) { l.mu.Lock(); l.onFallback = f; l.mu.Unlock() }

// OnFinal is called when a contact gets its final outcome.
func (l *ContactList) OnFinal(f func(Contact, string, time.Time)) {
	l.mu.Lock()
	l.onFinal = f
	l.mu.Unlock()
}

// Add puts contacts on the list. An id already on it is ignored (a list refresh sees the same
// policies again); a number with an open entry keeps that one entry and its schedule
// (a list refresh must not pull a contact forward past a retry or a calling window), taking the
// higher priority; it reports how many were new.
func (l *ContactList) Add(cs ...Contact) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	added := 0
	for _, c := range cs {
		if c.ID == "" || c.Phone == "" {
			continue
		}
		if old, ok := l.byPhone[c.Phone]; ok && old.final == "" {
			if old.final == "" && !old.inFlight && c.Priority > old.c.Priority {
				old.c.Priority = c.Priority
				l.reposition(old)
				l.changed(old)
			}
			continue
		}
		if _, ok := l.entries[c.ID]; ok {
			continue
		}
		l.seq++
		l.deadlines = l.deadlines || !c.Deadline.IsZero()
		e := &listEntry{c: c, nextAt: l.inWindow(c, c.Due), seq: l.seq, index: -1}
		l.entries[c.ID] = e
		l.byPhone[c.Phone] = e
		heap.Push(&l.sched, e)
		l.changed(e)
		added++
	}
	return added
}

func (l *ContactList) reposition(e *listEntry) {
	if e.index < 0 {
		return
	}
	// Which heap holds it: the due heap holds only entries already due.
	if e.index < len(l.due) && l.due[e.index] == e {
		heap.Fix(&l.due, e.index)
	} else if e.index < len(l.sched) && l.sched[e.index] == e {
		heap.Fix(&l.sched, e.index)
	}
}

// HasDue implements Scheduler.
func (l *ContactList) HasDue(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.due) > 0 || len(l.sched) > 0 && !l.sched[0].nextAt.After(now)
}

// Next implements ContactSource.
func (l *ContactList) Next(now time.Time) (Contact, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.promote(now)
	for len(l.due) > 0 {
		e := heap.Pop(&l.due).(*listEntry)
		// A contact still due when its window closes (the team did not get to it) waits for
		// the next opening: that is scheduling, not a blocked call. The gate still checks every
		// rule at dial time.
		if open := l.inWindow(e.c, now); open.After(now) {
			e.nextAt = open
			heap.Push(&l.sched, e)
			continue
		}
		e.inFlight = true
		l.changed(e)
		c := e.c
		c.Attempt = e.attempts + 1
		return c, true
	}
	return Contact{}, false
}

// promote moves the contacts whose time has come from the schedule to the due queue; l.mu held.
func (l *ContactList) promote(now time.Time) {
	for len(l.sched) > 0 && !l.sched[0].nextAt.After(now) {
		heap.Push(&l.due, heap.Pop(&l.sched))
	}
}

// Return implements Returner: the contact is due again at once, its attempts unchanged.
func (l *ContactList) Return(c Contact) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.takeBack(c); ok {
		heap.Push(&l.due, e)
	}
}

// Defer implements Deferrer: the contact is due again at until (inside its calling window), its
// attempts unchanged.
func (l *ContactList) Defer(c Contact, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.takeBack(c); ok {
		e.nextAt = l.inWindow(e.c, until)
		heap.Push(&l.sched, e)
		l.changed(e)
	}
}

// takeBack ends c's time in flight, undialled; false when it is not out or already final. The
// caller holds l.mu and puts the entry on a heap.
func (l *ContactList) takeBack(c Contact) (*listEntry, bool) {
	e, ok := l.entries[c.ID]
	if !ok || !e.inFlight || e.final != "" {
		return nil, false
	}
	e.inFlight = false
	e.dialedAt = time.Time{}
	l.changed(e)
	return e, true
}

// Report implements ContactSource.
func (l *ContactList) Report(r Result) (bool, time.Time) {
	l.mu.Lock()
	e, ok := l.entries[r.Contact.ID]
	if !ok || e.final != "" {
		l.mu.Unlock()
		return true, time.Time{}
	}
	e.inFlight = false
	e.dialedAt = time.Time{}
	if r.Outcome != events.AttemptBlocked {
		e.attempts++
		if e.first.IsZero() {
			e.first = r.At
		}
		if r.Outcome != events.AttemptConnected {
			e.failed++
		} else if e.reached.IsZero() && r.Disposition != DispositionWrongNumber {
			e.reached = r.At
		}
	}
	d := l.policy.Decide(r, e.attempts, e.failed, l.maxAttempts(e.c))
	var fallback func(Contact)
	var onFinal func(Contact, string, time.Time)
	if d.Fallback {
		fallback = l.onFallback
	}
	if d.Final != "" {
		e.final, e.finalAt = d.Final, r.At
		l.finals[d.Final]++
		onFinal = l.onFinal
	} else {
		e.nextAt = l.inWindow(e.c, d.RetryAt)
		heap.Push(&l.sched, e)
	}
	l.changed(e)
	retryAt := e.nextAt
	c := e.c
	l.mu.Unlock()
	if fallback != nil {
		fallback(c)
	}
	if onFinal != nil {
		onFinal(c, d.Final, r.At)
	}
	if d.Final != "" {
		return true, time.Time{}
	}
	return false, retryAt
}

// Expire closes every open contact (the campaign ended); it returns how many.
func (l *ContactList) Expire(now time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.entries {
		if e.final == "" && !e.inFlight {
			e.final, e.finalAt = FinalExpired, now
			l.finals[FinalExpired]++
			l.changed(e)
			n++
		}
	}
	l.sched, l.due = l.sched[:0], l.due[:0]
	return n
}

// Prune forgets contacts closed before cutoff, so a campaign running for months keeps a bounded
// list; a forgotten id may come back only through a list rule that selects it again.
func (l *ContactList) Prune(cutoff time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for id, e := range l.entries {
		if e.final != "" && e.finalAt.Before(cutoff) {
			delete(l.entries, id)
			if l.byPhone[e.c.Phone] == e {
				delete(l.byPhone, e.c.Phone)
			}
			l.finals[e.final]--
			l.changed(e) // gone from entries: the journal forgets it
			n++
		}
	}
	return n
}

// ListProgress is a list's state, as the campaign API shows it.
type ListProgress struct {
	Contacts    int            `json:"contacts"`
	Open        int            `json:"open"`
	Final       map[string]int `json:"final"`
	Penetration float64        `json:"penetration"` // contacts with a final outcome / contacts
	Reached     int            `json:"reached"`
	Attempted   int            `json:"attempted"` // contacts called at least once
}

// Progress reports the list's state.
func (l *ContactList) Progress() ListProgress {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := ListProgress{Contacts: len(l.entries), Final: map[string]int{}}
	done := 0
	for k, v := range l.finals {
		p.Final[k] = v
		done += v
	}
	p.Open = p.Contacts - done
	for _, e := range l.entries {
		if !e.reached.IsZero() {
			p.Reached++
		}
		if e.attempts > 0 {
			p.Attempted++
		}
	}
	if p.Contacts > 0 {
		p.Penetration = float64(done) / float64(p.Contacts)
	}
	return p
}

// Coverage is, for contacts due in [from, to), the share first attempted within first and the
// share reached within reach of their due time (post-claim callbacks: 24 h and 72 h).
func (l *ContactList) Coverage(from, to time.Time, first, reach time.Duration) (firstShare, reachShare float64, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var f, r int
	for _, e := range l.entries {
		if e.c.Due.Before(from) || !e.c.Due.Before(to) {
			continue
		}
		n++
		if !e.first.IsZero() && e.first.Sub(e.c.Due) <= first {
			f++
		}
		if !e.reached.IsZero() && e.reached.Sub(e.c.Due) <= reach {
			r++
		}
	}
	if n == 0 {
		return 0, 0, 0
	}
	return float64(f) / float64(n), float64(r) / float64(n), n
}

// Deadlines counts the contacts with a deadline: reached before it, overdue (not reached, the
// deadline past), and at risk (open, not reached, the deadline no later than riskBy).
func (l *ContactList) Deadlines(now, riskBy time.Time) DeadlineStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	var s DeadlineStatus
	for _, e := range l.entries {
		d := e.c.Deadline
		if d.IsZero() {
			continue
		}
		s.WithDeadline++
		switch {
		case !e.reached.IsZero() && e.reached.Before(d):
			s.ReachedInTime++
		case !e.reached.IsZero():
			s.Overdue++ // reached, but late
		case !now.Before(d):
			s.Overdue++
		case e.final == "" && !d.After(riskBy):
			s.AtRisk++
		}
	}
	return s
}

// schedHeap orders entries by the time they are next due.
type schedHeap []*listEntry

func (h schedHeap) Len() int { return len(h) }
func (h schedHeap) Less(i, j int) bool {
	if !h[i].nextAt.Equal(h[j].nextAt) {
		return h[i].nextAt.Before(h[j].nextAt)
	}
	return h[i].seq < h[j].seq
}
func (h schedHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].index, h[j].index = i, j }
func (h *schedHeap) Push(x any)   { e := x.(*listEntry); e.index = len(*h); *h = append(*h, e) }
func (h *schedHeap) Pop() any     { return popEntry((*[]*listEntry)(h)) }

// dueHeap orders due entries by priority, then nearest deadline (contacts without one after
// those with), then by how long they have been due.
type dueHeap []*listEntry

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	if h[i].c.Priority != h[j].c.Priority {
		return h[i].c.Priority > h[j].c.Priority
	}
	if di, dj := h[i].c.Deadline, h[j].c.Deadline; !di.Equal(dj) {
		switch {
		case di.IsZero():
			return false
		case dj.IsZero():
			return true
		}
		return di.Before(dj)
	}
	if !h[i].nextAt.Equal(h[j].nextAt) {
		return h[i].nextAt.Before(h[j].nextAt)
	}
	return h[i].seq < h[j].seq
}
func (h dueHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i]; h[i].index, h[j].index = i, j }
func (h *dueHeap) Push(x any)   { e := x.(*listEntry); e.index = len(*h); *h = append(*h, e) }
func (h *dueHeap) Pop() any     { return popEntry((*[]*listEntry)(h)) }

func popEntry(h *[]*listEntry) any {
	old := *h
	n := len(old)
	e := old[n-1]
	old[n-1] = nil
	e.index = -1
	*h = old[:n-1]
	return e
}
