package routing

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// Caller is the caller's side of a call: what they do at IVR prompts and whether they take a
// call back. Live telephony adapts the switch to it; the simulator plays it.
type Caller interface {
	// Respond is what the caller does at an IVR prompt (attempt counts from 0 for retries).
	Respond(call CallInfo, node *Node, attempt int) Response
	// OfferCallback asks a caller who has waited the queue's max wait whether to be called back.
	OfferCallback(call CallInfo) bool
}

// Response is a caller's reaction to a prompt.
type Response struct {
	Input  string        // keys pressed (digits for a collect node); "" = no input (timeout)
	After  time.Duration // time taken after the prompt ended
	Hangup bool          // hung up instead
	// Later says the caller has not answered yet: a real caller is still hearing the prompt.
	// The engine then waits for Engine.Input (keys, or no input once the caller's side timed
	// out) or a hang-up, and the other fields are ignored.
	Later bool
}

// Data keys with meaning to routing.
const (
	DataEscalated = "escalated" // "true": complaint escalation
	DataCallback  = "callback"  // "true": the caller returns on a call back they asked for
)

// Arrival is an inbound call reaching the switch.
type Arrival struct {
	CallID   string
	Phone    string // E.164
	Customer string // when known already; else looked up by phone in the directory
	Segment  string // customer segment, "vip" gets VIPBoost
	Caller   Caller
	// Queue, when set, skips the IVR and queues the call directly with Data.
	Queue string
	Data  map[string]string
	// Agent, with Queue, offers the call to this available agent alone (a supervisor's practice
	// call to a desk). Declined or rung out, it waits in Queue like any other call.
	Agent string
}

// Arrive takes an inbound call: through the IVR menu when there is one, else straight to
// Arrival.Queue.
func (e *Engine) Arrive(in Arrival) error {
	if in.CallID == "" {
		return fmt.Errorf("arrive: call id missing")
	}
	if _, dup := e.calls[in.CallID]; dup {
		return fmt.Errorf("arrive: call %q is already in progress", in.CallID)
	}
	var only *agent
	if in.Agent != "" {
		a, err := e.agent(in.Agent)
		if err != nil {
			return fmt.Errorf("arrive %s: %w", in.CallID, err)
		}
		q, ok := e.byQueue[in.Queue]
		switch {
		case !ok:
			return fmt.Errorf("arrive %s for agent %s: queue %q: %w", in.CallID, in.Agent, in.Queue, ErrUnknownQueue)
		case !slices.Contains(a.queues, q):
			return fmt.Errorf("arrive %s: agent %s does not serve queue %s: %w", in.CallID, in.Agent, in.Queue, ErrState)
		case a.state != stAvailable:
			return fmt.Errorf("arrive %s: agent %s is %s, not available: %w", in.CallID, in.Agent, a.state, ErrState)
		case !q.cfg.Hours.IsOpen(e.clk.Now()):
			return fmt.Errorf("arrive %s: queue %s is closed now: %w", in.CallID, in.Queue, ErrState)
		}
		only = a
	}
	now := e.clk.Now()
	e.seq++
	c := &Call{
		ID: in.CallID, only: only, Phone: in.Phone, Customer: in.Customer, Segment: in.Segment, Direction: events.Inbound,
		Data: in.Data, seq: e.seq, caller: in.Caller,
	}
	if c.Data == nil {
		c.Data = map[string]string{}
	}
	if c.Customer == "" && e.dir != nil && c.Phone != "" {
		if cu, ok := e.dir.CustomerByPhone(c.Phone); ok {
			c.Customer, c.Segment = cu.ID, cu.Segment
		}
	}
	c.rec = events.CallRecord{CallID: c.ID, Direction: events.Inbound, Phone: c.Phone, Customer: c.Customer, ArrivedAt: now}
	e.calls[c.ID] = c
	e.stats.Arrived++
	e.lifecycle(c, events.StageArrived, nil, "")
	if in.Queue != "" {
		q, ok := e.byQueue[in.Queue]
		if !ok {
			delete(e.calls, c.ID)
			return fmt.Errorf("arrive %s: queue %q: %w", c.ID, in.Queue, ErrUnknownQueue)
		}
		c.rec.IVREndedAt = tp(now)
		e.enqueue(c, q)
		return nil
	}
	if e.menu == nil || c.caller == nil {
		delete(e.calls, c.ID)
		return fmt.Errorf("arrive %s: no IVR menu or caller and no queue given", c.ID)
	}
	e.startIVR(c)
	return nil
}

// enqueue puts a call in q, or gives it the after-hours treatment when q is closed.
func (e *Engine) enqueue(c *Call, q *queue) {
	now := e.clk.Now()
	if c.Line == "" || c.rec.Queue == "" {
		c.Line = q.cfg.Line
	}
	if c.rec.Line == "" {
		c.rec.Line = q.cfg.Line
	}
	if !q.cfg.Hours.IsOpen(now) {
		e.afterHours(c, q)
		return
	}
	if c.rec.Queue == "" {
		c.rec.Queue = q.cfg.Name
		c.rec.QueuedAt = tp(now)
		e.stats.Queued++
	}
	c.queue = q
	c.targets = append(c.targets[:0], q)
	c.queuedAt = now
	c.state = csWaiting
	c.Priority = q.cfg.Priority + c.boost(e.cfg)
	if c.Priority > 100 {
		c.Priority = 100
	}
	c.rec.Priority = c.Priority
	q.insert(c)
	e.lifecycle(c, events.StageQueued, nil, "")
	for _, r := range q.cfg.Relax {
		c.timers = append(c.timers, e.clk.AfterFunc(r.After, func() { e.routeCall(c) }))
	}
	for _, o := range q.cfg.Overflow {
		oq := e.byQueue[o.Queue]
		c.timers = append(c.timers, e.clk.AfterFunc(o.After, func() { e.overflow(c, oq) }))
	}
	if q.cfg.MaxWait > 0 && c.rec.AnsweredAt == nil {
		c.timers = append(c.timers, e.clk.AfterFunc(q.cfg.MaxWait, func() { e.maxWait(c) }))
	}
	e.routeCall(c)
}

func (c *Call) boost(cfg Config) int {
	b := 0
	if c.Segment == "vip" {
		b += cfg.VIPBoost
	}
	if c.Data[DataEscalated] == "true" {
		b += cfg.EscalateBoost
	}
	if c.Data[DataCallback] == "true" {
		b += cfg.CallbackBoost
	}
	if c.rec.Transferred {
		b += cfg.TransferBoost
	}
	return b
}

func (e *Engine) overflow(c *Call, oq *queue) {
	if c.state != csWaiting {
		return
	}
	for _, t := range c.targets {
		if t == oq {
			return
		}
	}
	c.targets = append(c.targets, oq)
	oq.insert(c)
	// The overflow queue relaxes by the call's whole wait: steps still ahead need their timers.
	waited := e.clk.Now().Sub(c.queuedAt)
	for _, r := range oq.cfg.Relax {
		if r.After > waited {
			c.timers = append(c.timers, e.clk.AfterFunc(r.After-waited, func() { e.routeCall(c) }))
		}
	}
	e.routeCall(c)
}

func (e *Engine) maxWait(c *Call) {
	if c.state != csWaiting || c.caller == nil {
		return
	}
	if c.caller.OfferCallback(c.info()) {
		e.callback(c, nil)
	}
}

// RequestCallback is a waiting caller asking to be called back instead (a live caller pressed
// the key of the callback offer): the call leaves the queue with a call back request for the
// dialer, as when OfferCallback returns true.
func (e *Engine) RequestCallback(callID string) error {
	c, err := e.call(callID)
	if err != nil {
		return err
	}
	if c.state != csWaiting {
		return fmt.Errorf("callback for %s: the call is not waiting: %w", callID, ErrState)
	}
	e.callback(c, nil)
	return nil
}

// callback takes the caller out of the queue with a call back request for the dialer.
func (e *Engine) callback(c *Call, at *time.Time) {
	c.stopTimers()
	for _, t := range c.targets {
		t.remove(c)
	}
	e.stats.Callbacks++
	q := c.queue
	e.emit(events.CallbackRequested{
		CallbackID: "cb-" + c.ID, CallID: c.ID, Customer: c.Customer, Phone: c.Phone,
		Queue: q.cfg.Name, Line: q.cfg.Line, RequestedFor: at,
	})
	c.rec.Outcome = events.OutcomeCallbackRequested
	c.rec.WaitSec = secs(e.clk.Now().Sub(c.queuedAt))
	e.lifecycle(c, events.StageCallbackRequested, nil, "")
	e.endLine(c)
}

func (e *Engine) afterHours(c *Call, q *queue) {
	e.stats.AfterHours++
	c.queue = q
	if q.cfg.AfterHoursCallback && c.Phone != "" {
		if c.rec.Queue == "" {
			c.rec.Queue = q.cfg.Name
			c.rec.QueuedAt = tp(e.clk.Now())
		}
		next := q.cfg.Hours.NextOpen(e.clk.Now())
		e.emit(events.CallbackRequested{
			CallbackID: "cb-" + c.ID, CallID: c.ID, Customer: c.Customer, Phone: c.Phone,
			Queue: q.cfg.Name, Line: q.cfg.Line, RequestedFor: &next,
		})
		e.lifecycle(c, events.StageCallbackRequested, nil, "after_hours")
	}
	c.rec.Outcome = events.OutcomeAfterHours
	e.endLine(c)
}

// Abandon is the caller hanging up before an agent answered. It reports false (and does
// nothing) when the call is already connected or over.
func (e *Engine) Abandon(callID string) (bool, error) {
	c, err := e.call(callID)
	if err != nil {
		return false, err
	}
	switch c.state {
	case csIVR:
		e.ivrHangup(c)
		return true, nil
	case csWaiting, csOffered:
		if c.state == csOffered {
			a := c.agent
			a.stopTimer()
			a.call = nil
			c.agent = nil
			e.setState(a, stAvailable, "")
			defer e.routeAgent(a)
		}
		c.stopTimers()
		for _, t := range c.targets {
			t.remove(c)
		}
		c.rec.WaitSec = secs(e.clk.Now().Sub(c.queuedAt))
		if c.rec.AnsweredAt == nil {
			c.rec.Outcome = events.OutcomeAbandoned
			e.stats.Abandoned++
		} else {
			c.rec.WaitSec = secs(c.rec.AnsweredAt.Sub(*c.rec.QueuedAt))
		}
		e.lifecycle(c, events.StageAbandoned, nil, "")
		e.endLine(c)
		return true, nil
	}
	return false, nil
}

// Hangup releases the line in whatever state: a connected call ends and its agent goes to
// wrap-up; an unanswered one is abandoned.
func (e *Engine) Hangup(callID string) error {
	c, err := e.call(callID)
	if err != nil {
		return err
	}
	if c.state != csConnected {
		if ok, _ := e.Abandon(callID); !ok {
			return fmt.Errorf("hang up %s: %w", callID, ErrState)
		}
		return nil
	}
	a := c.agent
	e.closeTalk(c, a)
	e.toACW(a)
	e.endLine(c)
	return nil
}

// closeTalk books the talk or hold segment in progress.
func (e *Engine) closeTalk(c *Call, a *agent) {
	now := e.clk.Now()
	if a.state == stHold {
		c.rec.HoldSec += secs(now.Sub(c.held))
	} else {
		c.rec.TalkSec += secs(now.Sub(c.talkFrom))
	}
	c.agent = nil
}

func (e *Engine) toACW(a *agent) {
	c := a.call
	c.pendACW++
	if a.pendOut && a.pendBreak == ReasonDesktopLost {
		// The desktop is gone: nobody will wrap up.
		a.call = nil
		e.setState(a, stACW, "")
		e.wrapDone(c, a, Wrapup{})
		e.logout(a, ReasonDesktopLost)
		return
	}
	e.setState(a, stACW, "")
	a.stopTimer()
	a.timer = e.clk.AfterFunc(e.cfg.MaxWrapUp, func() {
		a.timer = nil
		if a.state == stACW && a.call == c {
			_ = e.Wrapup(a.id, Wrapup{Disposition: "auto_wrapup"})
		}
	})
}

// TransferTarget kinds.
const (
	TransferQueue      = "queue"
	TransferDepartment = "department"
)

// Transfer hands the agent's connected call to another queue (it waits there, ahead of new
// calls by TransferBoost) or to a department outside the hotline (the line is released). The
// agent goes to wrap-up either way.
func (e *Engine) Transfer(agentID, kind, target string) error {
	a, err := e.agent(agentID)
	if err != nil {
		return err
	}
	if err := errors.Join(checkCode("kind", kind), checkCode("target", target)); err != nil {
		return err
	}
	c := a.call
	if (a.state != stOnCall && a.state != stHold) || c == nil {
		return fmt.Errorf("transfer by %s while %s: %w", agentID, a.state, ErrState)
	}
	var q *queue
	switch kind {
	case TransferQueue:
		if q = e.byQueue[target]; q == nil {
			return fmt.Errorf("transfer to %q: %w", target, ErrUnknownQueue)
		}
		if !q.cfg.Hours.IsOpen(e.clk.Now()) {
			return fmt.Errorf("transfer to %q: the queue is closed now: %w", target, ErrState)
		}
	case TransferDepartment:
		if target == "" {
			return fmt.Errorf("transfer: department missing")
		}
	default:
		return fmt.Errorf("transfer: kind %q is not %s or %s", kind, TransferQueue, TransferDepartment)
	}
	e.stats.Transfers++
	e.closeTalk(c, a)
	c.rec.Transferred = true
	c.rec.TransferTarget = target
	e.lifecycle(c, events.StageTransferred, a, kind+":"+target)
	e.toACW(a)
	if q != nil {
		c.rejected = c.rejected[:0]
		e.enqueue(c, q)
	} else {
		e.endLine(c)
	}
	return nil
}

// endLine releases the line; the record follows once every agent has wrapped up.
func (e *Engine) endLine(c *Call) {
	c.stopTimers()
	c.state = csEnded
	c.rec.EndedAt = e.clk.Now()
	e.lifecycle(c, events.StageEnded, nil, c.rec.Outcome)
	if c.pendACW == 0 {
		e.finish(c)
	}
}

func (e *Engine) finish(c *Call) {
	delete(e.calls, c.ID)
	e.stats.Records++
	r := c.rec
	if r.Line == "" {
		r.Line = c.Line
	}
	if r.Line == "" {
		r.Line = events.LineInquiry
	}
	r.Customer = c.Customer
	if r.WrapupEndedAt != nil && r.WrapupEndedAt.Before(r.EndedAt) {
		// The last wrap-up ended before the line was released (the call went on in a queue
		// after a transfer and nobody took it): no wrap-up follows this call's end.
		r.WrapupEndedAt = nil
	}
	e.emit(r)
}

// Call returns a live call's details.
func (e *Engine) Call(callID string) (CallInfo, error) {
	c, err := e.call(callID)
	if err != nil {
		return CallInfo{}, err
	}
	return c.info(), nil
}

// Waiting is the number of calls waiting per queue, in configuration order.
func (e *Engine) Waiting() map[string]int {
	out := make(map[string]int, len(e.queues))
	for _, q := range e.queues {
		out[q.cfg.Name] = len(q.waiting)
	}
	return out
}

// Active is the number of calls in progress (IVR, waiting, connected or in wrap-up).
func (e *Engine) Active() int { return len(e.calls) }
