package dialer

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/dialer/pacing"
	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// MachineAction is what a campaign does when answering-machine detection says machine.
type MachineAction string

const (
	MachineHangup  MachineAction = "hangup"  // release the line at once
	MachineMessage MachineAction = "message" // leave the campaign's voicemail message
	MachineRetry   MachineAction = "retry"   // hang up and ask for an early retry
)

// EngineConfig is one campaign's dialling set-up.
type EngineConfig struct {
	Campaign     string
	CampaignType string
	// Pacer decides how many lines to dial; a pacing.Reserving pacer (preview, progressive)
	// keeps one agent per line.
	Pacer pacing.Pacer
	// Lines is the trunk capacity for this campaign.
	Lines int
	// Tick is how often the pacer is asked even when nothing changed (default 500 ms).
	Tick time.Duration
	// DropAfter is how long a person who answered may wait for an agent before the call is
	// abandoned with the recorded message (default and maximum 2 s).
	DropAfter time.Duration
	// RingTimeout is how long a line rings before the dialler gives up (default 25 s, at least 15 s).
	RingTimeout time.Duration
	// AbandonMessage and VoicemailMessage are how long the recorded messages play.
	AbandonMessage, VoicemailMessage time.Duration
	// Machine is what happens when a machine answers (default hangup).
	Machine MachineAction
	// MaxBlockedPerPump bounds how many blocked contacts one pacing decision may skip over.
	MaxBlockedPerPump int
	// LastSeq is the attempt number the campaign used last (attempt ids are campaign-N): a
	// restarted campaign goes on after it instead of reusing ids.
	LastSeq int
}

// Validate reports the first setting the rules or the engine do not allow.
func (c EngineConfig) Validate() error {
	switch {
	case c.Campaign == "":
		return fmt.Errorf("campaign: missing")
	case c.Pacer == nil:
		return fmt.Errorf("pacer: missing")
	case c.Lines < 1:
		return fmt.Errorf("lines: %d, need at least 1", c.Lines)
	case c.DropAfter > 2*time.Second:
		return fmt.Errorf("drop_after: %s is longer than the 2 s the rules allow a person to wait", c.DropAfter)
	case c.RingTimeout != 0 && c.RingTimeout < 15*time.Second:
		return fmt.Errorf("ring_timeout: %s is shorter than the 15 s (4 rings) the rules require", c.RingTimeout)
	}
	switch c.Machine {
	case "", MachineHangup, MachineMessage, MachineRetry:
	default:
		return fmt.Errorf("machine: %q is not one of hangup, message, retry", c.Machine)
	}
	return nil
}

func (c *EngineConfig) defaults() {
	if c.Tick == 0 {
		c.Tick = 500 * time.Millisecond
	}
	if c.DropAfter == 0 {
		c.DropAfter = 2 * time.Second
	}
	if c.RingTimeout == 0 {
		c.RingTimeout = 25 * time.Second
	}
	if c.AbandonMessage == 0 {
		c.AbandonMessage = 8 * time.Second
	}
	if c.VoicemailMessage == 0 {
		c.VoicemailMessage = 20 * time.Second
	}
	if c.Machine == "" {
		c.Machine = MachineHangup
	}
	if c.MaxBlockedPerPump == 0 {
		c.MaxBlockedPerPump = 50
	}
	if c.CampaignType == "" {
		c.CampaignType = events.CampaignTelemarketing
	}
}

type agentState int

const (
	agentOut agentState = iota
	agentReady
	agentReserved // previewing a record or holding a ringing line (preview, progressive)
	agentTalking
	agentWrap
)

type agent struct {
	id        string
	state     agentState
	since     time.Time // entered the current state
	connected time.Time // current call connected
	call      *call
	loggedIn  time.Time
	leaving   bool // logs out when the current call's after-call work ends
}

type callState int

const (
	callRinging callState = iota
	callWaiting
	callConnected
	callMessage
)

type call struct {
	id         string
	contact    Contact
	state      callState
	dialedAt   time.Time
	answeredAt time.Time
	connected  time.Time
	reserved   *agent
	agent      *agent
	timer      clock.Timer
	amd        string
	outcome    string
	wait       time.Duration
	borrowed   bool
}

// Engine dials one campaign: it asks the pacer how many lines to ring, takes contacts from the
// source, checks each with the gate at dial time, and connects persons who answer to agents
// within DropAfter — or abandons the call with the recorded message. Safe for concurrent use;
// on a clock.Sim everything runs on the goroutine that drives the clock.
type Engine struct {
	mu     sync.Mutex
	cfg    EngineConfig
	clk    clock.Clock
	trunk  Trunk
	pool   AgentPool
	source ContactSource
	gate   Gate
	record func(events.DialAttempt)
	guard  func(Contact, time.Time) error
	mode   string

	reserving bool
	agents    []*agent
	byID      map[string]*agent
	ready     []*agent // longest idle first
	calls     map[string]*call
	ringing   []*call
	waiting   []*call // answered, FIFO
	active    int     // calls holding a line
	seq       int
	ticker    clock.Timer
	stopped   bool

	stats   *Stats
	onEvent func(ev EngineEvent) // test and simulator hook
	snap    pacing.Snapshot
}

// EngineEvent is a hook for simulators and tests to watch the engine's decisions.
type EngineEvent struct {
	Kind    string // "connected", "dropped"
	CallID  string
	AgentID string
	Wait    time.Duration
}

// EngineOption sets an optional part of the engine.
type EngineOption func(*Engine)

// WithGate checks every contact at dial time.
func WithGate(g Gate) EngineOption { return func(e *Engine) { e.gate = g } }

// WithRecorder receives every dial attempt as an event payload (the service publishes them).
func WithRecorder(f func(events.DialAttempt)) EngineOption { return func(e *Engine) { e.record = f } }

// WithDialGuard runs f before every call is placed, with the contact and the time; when f fails
// the call is not placed and the contact goes back to the source. The service records the
// attempt durably there, so a crash right after a dial cannot make the number be dialled again
// before its retry time.
func WithDialGuard(f func(Contact, time.Time) error) EngineOption {
	return func(e *Engine) { e.guard = f }
}

// WithHook receives connects and drops as they happen.
func WithHook(f func(EngineEvent)) EngineOption { return func(e *Engine) { e.onEvent = f } }

// NewEngine builds an engine; Start begins dialling.
func NewEngine(cfg EngineConfig, clk clock.Clock, trunk Trunk, pool AgentPool, source ContactSource, opts ...EngineOption) (*Engine, error) {
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("configuring dialer engine: %w", err)
	}
	e := &Engine{
		cfg: cfg, clk: clk, trunk: trunk, pool: pool, source: source,
		byID:  map[string]*agent{},
		calls: map[string]*call{},
		stats: NewStats(),
		mode:  events.ModePredictive,
		seq:   cfg.LastSeq,
	}
	switch cfg.Pacer.(type) {
	case pacing.Preview:
		e.mode = events.ModePreview
	case pacing.Progressive:
		e.mode = events.ModeProgressive
	}
	_, e.reserving = cfg.Pacer.(pacing.Reserving)
	for _, o := range opts {
		o(e)
	}
	return e, nil
}

// Stats are the engine's running figures.
func (e *Engine) Stats() *Stats { return e.stats }

// RestoreAnswers adds the person-answered calls of earlier runs to the rolling abandonment
// (24 h, 30 days) the campaign reports, so a restart does not reset the regulators' window.
func (e *Engine) RestoreAnswers(calls []AnsweredCall) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stats.preload(calls)
}

// Start begins the pacing ticks.
func (e *Engine) Start() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stopped = false
	e.scheduleTick()
}

// Stop ends the ticks and places no new calls; calls in progress finish.
func (e *Engine) Stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stopped = true
	if e.ticker != nil {
		e.ticker.Stop()
	}
}

func (e *Engine) scheduleTick() {
	e.ticker = e.clk.AfterFunc(e.cfg.Tick, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.stopped {
			return
		}
		e.pump()
		e.scheduleTick()
	})
}

// Login adds an agent to the campaign, ready for calls.
func (e *Engine) Login(agentID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if a, ok := e.byID[agentID]; ok && a.state != agentOut {
		a.leaving = false // logged in again before the call they were leaving after ended
		return
	}
	now := e.clk.Now()
	a := &agent{id: agentID, state: agentReady, since: now, loggedIn: now}
	if old, ok := e.byID[agentID]; ok {
		*old = *a
		a = old
	} else {
		e.agents = append(e.agents, a)
		e.byID[agentID] = a
	}
	e.stats.login(now)
	e.setReady(a, now)
}

// Logout takes an agent out once their current call is done (now, if idle).
func (e *Engine) Logout(agentID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.byID[agentID]
	if !ok || a.state == agentOut {
		return
	}
	if a.state == agentReady {
		e.removeReady(a)
		e.stats.logout(e.clk.Now())
		a.state = agentOut
		return
	}
	a.leaving = true
}

func (e *Engine) setReady(a *agent, now time.Time) {
	if a.leaving {
		// Logged out while holding a line that ended without a conversation.
		a.state, a.leaving, a.call = agentOut, false, nil
		e.stats.logout(now)
		return
	}
	a.state, a.since, a.call = agentReady, now, nil
	// A person already waiting gets this agent at once: that is the only way a waiting call is
	// ever connected, and it happens inside DropAfter or not at all (see drop).
	if len(e.waiting) > 0 {
		c := e.waiting[0]
		e.waiting = e.waiting[1:]
		e.connect(c, a, now)
		return
	}
	e.ready = append(e.ready, a)
	e.pump()
}

func (e *Engine) removeReady(a *agent) {
	for i, r := range e.ready {
		if r == a {
			e.ready = append(e.ready[:i], e.ready[i+1:]...)
			return
		}
	}
}

// AgentReady reports an agent done with after-call work.
func (e *Engine) AgentReady(agentID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.byID[agentID]
	if !ok || a.state == agentOut || a.state == agentReady {
		return
	}
	now := e.clk.Now()
	if a.state == agentWrap {
		e.stats.wrap(now.Sub(a.since))
		e.cfg.Pacer.ObserveHandle(now.Sub(a.connected))
		if po, ok := e.cfg.Pacer.(pacing.PhaseObserver); ok {
			po.ObservePhases(a.since.Sub(a.connected), now.Sub(a.since))
		}
	}
	if a.leaving {
		a.state, a.leaving, a.call = agentOut, false, nil
		e.stats.logout(now)
		return
	}
	e.setReady(a, now)
}

// CallEnded reports the end of a conversation with the agent's disposition; the agent goes to
// after-call work until AgentReady.
func (e *Engine) CallEnded(agentID, callID, disposition string, callbackAt time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.endCall(callID, disposition, callbackAt, e.clk.Now())
}

// conclude is CallEnded for a conversation that ended at `at` (a person at a desktop may report
// the outcome during after-call work); it returns what the list decided, ok false when the
// call is not connected.
func (e *Engine) conclude(callID, disposition string, callbackAt, at time.Time) (final bool, retryAt time.Time, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.endCall(callID, disposition, callbackAt, at)
}

func (e *Engine) endCall(callID, disposition string, callbackAt, at time.Time) (final bool, retryAt time.Time, ok bool) {
	c, ok := e.calls[callID]
	if !ok || c.state != callConnected {
		return false, time.Time{}, false
	}
	now := at
	if now.Before(c.connected) {
		now = c.connected
	}
	a := c.agent
	talk := now.Sub(c.connected)
	e.stats.talk(talk)
	a.state, a.since = agentWrap, now
	e.release(c)
	e.trunk.Hangup(c.id)
	final, retryAt = e.finish(c, events.AttemptConnected, now, func(d *events.DialAttempt) {
		d.TalkSec = talk.Seconds()
		d.Disposition = disposition
	}, Result{Disposition: disposition, CallbackAt: callbackAt})
	return final, retryAt, true
}

// PreviewDial reports that the agent dials the record they were previewing.
func (e *Engine) PreviewDial(agentID string, c Contact) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.byID[agentID]
	if !ok || a.state != agentReserved || a.call != nil {
		return
	}
	if e.stopped {
		// The campaign stopped while the record was read: it goes back undialled, and the
		// stop's expiry closes it.
		if ret, ok := e.source.(Returner); ok {
			ret.Return(c)
		}
		e.setReady(a, e.clk.Now())
		return
	}
	if e.active >= e.cfg.Lines {
		// No line: the agent tries again on the next tick.
		e.clk.AfterFunc(e.cfg.Tick, func() { e.PreviewDial(agentID, c) })
		return
	}
	now := e.clk.Now()
	if !e.guarded(c, now) {
		// Not recorded, so not dialled: the agent keeps the record and tries again next tick.
		e.clk.AfterFunc(e.cfg.Tick, func() { e.PreviewDial(agentID, c) })
		return
	}
	if !e.hold(a, c, now) {
		e.pump()
		return
	}
	e.place(c, a, now)
}

// guarded runs the dial guard; false when it refused the call.
func (e *Engine) guarded(c Contact, now time.Time) bool {
	return e.guard == nil || e.guard(c, now) == nil
}

// previewing reports whether the agent has a preview record on the desk and has not dialled it.
func (e *Engine) previewing(agentID string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.byID[agentID]
	return ok && a.state == agentReserved && a.call == nil && !a.leaving
}

// ReturnPreview gives back the record an agent was previewing, undialled: due again at until
// (at once when zero or when the source cannot defer). The agent, if still on that record, is
// ready for the next one, or out if they were leaving the campaign.
func (e *Engine) ReturnPreview(agentID string, c Contact, until time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	d, canDefer := e.source.(Deferrer)
	switch ret, canReturn := e.source.(Returner); {
	case !until.IsZero() && canDefer:
		d.Defer(c, until)
	case canReturn:
		ret.Return(c)
	}
	if a, ok := e.byID[agentID]; ok && a.state == agentReserved && a.call == nil {
		e.setReady(a, e.clk.Now())
	}
}

// holdMargin is how much longer than the ring timeout a held agent stays held in a shared ACD,
// so the hold outlasts the ring and the connect; the engine releases it itself before then.
const holdMargin = 5 * time.Second

// hold holds a preview or progressive agent in a shared pool (Holder) for the line about to ring.
// When the pool has lost the agent (inbound took them meanwhile), the agent leaves the campaign
// until they are lent again and the contact goes back to the source undialled.
func (e *Engine) hold(a *agent, c Contact, now time.Time) bool {
	h, ok := e.pool.(Holder)
	if !ok {
		return true
	}
	ret, canReturn := e.source.(Returner)
	if !canReturn {
		return true // a source that cannot take a contact back gets it dialled unheld
	}
	if h.Hold(a.id, e.cfg.RingTimeout+e.cfg.DropAfter+holdMargin) {
		return true
	}
	ret.Return(c)
	a.state, a.call, a.leaving = agentOut, nil, false
	e.stats.logout(now)
	return false
}

// unhold gives a held agent back to the shared pool once their line ended without a
// conversation; setReady follows.
func (e *Engine) unhold(a *agent) {
	if h, ok := e.pool.(Holder); ok {
		h.Unhold(a.id, !a.leaving)
	}
}

// Answered reports that the far end picked up; human is the answering-machine verdict.
func (e *Engine) Answered(callID string, human bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.calls[callID]
	if !ok || c.state != callRinging {
		return
	}
	now := e.clk.Now()
	e.removeRinging(c)
	if c.timer != nil {
		c.timer.Stop()
	}
	c.answeredAt = now
	if !human {
		c.amd = "machine"
		e.machine(c, now)
		return
	}
	c.amd = "human"
	e.stats.answer(now)
	switch {
	case c.reserved != nil:
		e.connect(c, c.reserved, now)
	case len(e.ready) > 0:
		a := e.ready[0]
		e.ready = e.ready[1:]
		e.connect(c, a, now)
	default:
		if a := e.borrow(c, now); a != nil {
			e.connect(c, a, now)
			break
		}
		e.wait(c)
	}
	e.pump()
}

// borrow asks a shared pool (Borrower) for an agent outside the campaign's ready list for a
// person who answered and found nobody ready, and logs them in to take the call.
func (e *Engine) borrow(c *call, now time.Time) *agent {
	b, ok := e.pool.(Borrower)
	if !ok || c.borrowed {
		return nil
	}
	c.borrowed = true // once per call: a borrowed agent that cannot take it is not retried
	id, ok := b.Borrow(c.contact)
	if !ok {
		return nil
	}
	a, known := e.byID[id]
	switch {
	case !known:
		a = &agent{id: id}
		e.agents = append(e.agents, a)
		e.byID[id] = a
	case a.state != agentOut:
		return nil // the pool's view and ours disagree: not this one
	}
	*a = agent{id: id, state: agentReady, since: now, loggedIn: now}
	e.stats.login(now)
	return a
}

// Unanswered reports an attempt that ended without an answer: busy, no_answer or failed.
func (e *Engine) Unanswered(callID, outcome string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, ok := e.calls[callID]
	if !ok || c.state != callRinging {
		return
	}
	if c.timer != nil {
		c.timer.Stop()
	}
	e.endUnanswered(c, outcome)
}

func (e *Engine) endUnanswered(c *call, outcome string) {
	now := e.clk.Now()
	e.removeRinging(c)
	e.release(c)
	e.trunk.Hangup(c.id)
	e.cfg.Pacer.ObserveAttempt(pacing.Attempt{At: now, Ring: now.Sub(c.dialedAt)})
	e.finish(c, outcome, now, nil, Result{})
	if a := c.reserved; a != nil {
		e.unhold(a)
		e.setReady(a, now)
	} else {
		e.pump()
	}
}

func (e *Engine) machine(c *call, now time.Time) {
	e.cfg.Pacer.ObserveAttempt(pacing.Attempt{At: now, Ring: now.Sub(c.dialedAt)})
	res := Result{}
	if e.cfg.Machine == MachineRetry {
		res.Disposition = "machine_retry"
	}
	end := func() {
		e.release(c)
		e.trunk.Hangup(c.id)
		e.finish(c, events.AttemptMachine, e.clk.Now(), nil, res)
		if a := c.reserved; a != nil {
			e.unhold(a)
			e.setReady(a, e.clk.Now())
		} else {
			e.pump()
		}
	}
	if e.cfg.Machine == MachineMessage {
		// The agent held for the line has nothing to do with a machine: free them at the
		// verdict, not after the voicemail message.
		if a := c.reserved; a != nil {
			c.reserved = nil
			e.unhold(a)
			e.setReady(a, now)
		}
		c.state = callMessage
		res.Disposition = "voicemail_left"
		e.trunk.Play(c.id, "voicemail:"+c.contact.CampaignID)
		c.timer = e.clk.AfterFunc(e.cfg.VoicemailMessage, func() {
			e.mu.Lock()
			defer e.mu.Unlock()
			end()
		})
		return
	}
	end()
}

// connect bridges an answered call to an agent. It is the one place a call is connected, and it
// refuses (drops the call instead) if the person has waited longer than DropAfter: a connected
// attempt is therefore, by construction, one that got its agent within 2 s.
func (e *Engine) connect(c *call, a *agent, now time.Time) {
	wait := now.Sub(c.answeredAt)
	if wait > e.cfg.DropAfter {
		e.drop(c)
		e.setReady(a, now)
		return
	}
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	if !e.pool.Connect(a.id, c.id, c.contact) {
		// The agent went elsewhere: out of this campaign until they log in again.
		if a.state == agentReady {
			e.removeReady(a)
		}
		a.state, a.call = agentOut, nil
		e.stats.logout(now)
		switch {
		case len(e.ready) > 0:
			next := e.ready[0]
			e.ready = e.ready[1:]
			e.connect(c, next, now)
		case c.state == callWaiting:
			// Still waiting, its drop timer still running.
		default:
			if b := e.borrow(c, now); b != nil {
				e.connect(c, b, now)
				return
			}
			e.wait(c)
		}
		return
	}
	c.state, c.agent, c.connected, c.wait = callConnected, a, now, wait
	a.state, a.since, a.connected, a.call = agentTalking, now, now, c
	e.stats.connect(now, wait)
	e.cfg.Pacer.ObserveAttempt(pacing.Attempt{At: now, Ring: c.answeredAt.Sub(c.dialedAt), Human: true})
	if e.onEvent != nil {
		e.onEvent(EngineEvent{Kind: "connected", CallID: c.id, AgentID: a.id, Wait: wait})
	}
}

// wait queues a person-answered call for the next free agent, for at most DropAfter.
func (e *Engine) wait(c *call) {
	c.state = callWaiting
	e.waiting = append(e.waiting, c)
	c.timer = e.clk.AfterFunc(e.cfg.DropAfter, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.drop(c)
	})
}

// drop abandons a person-answered call that got no agent within DropAfter: the recorded message
// plays (company, callback number, opt-out), the attempt is an abandoned one, and the gate locks
// the number out.
func (e *Engine) drop(c *call) {
	if c.state != callWaiting {
		return
	}
	now := e.clk.Now()
	for i, w := range e.waiting {
		if w == c {
			e.waiting = append(e.waiting[:i], e.waiting[i+1:]...)
			break
		}
	}
	c.wait = now.Sub(c.answeredAt)
	c.state = callMessage
	e.stats.drop(now)
	e.cfg.Pacer.ObserveAttempt(pacing.Attempt{At: now, Ring: c.answeredAt.Sub(c.dialedAt), Human: true, Dropped: true})
	if e.onEvent != nil {
		e.onEvent(EngineEvent{Kind: "dropped", CallID: c.id, Wait: c.wait})
	}
	e.trunk.Play(c.id, "abandon:"+c.contact.CampaignID)
	e.finish(c, events.AttemptDropped, now, func(d *events.DialAttempt) {
		d.Disposition = "abandon_message"
	}, Result{})
	c.timer = e.clk.AfterFunc(e.cfg.AbandonMessage, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.release(c)
		e.trunk.Hangup(c.id)
		e.pump()
	})
}

// pump asks the pacer and places what it says.
func (e *Engine) pump() {
	if e.stopped {
		return
	}
	now := e.clk.Now()
	if sc, ok := e.source.(Scheduler); ok && !sc.HasDue(now) {
		return
	}
	s := e.snapshot(now)
	n := e.cfg.Pacer.Dial(s)
	blocked := 0
	for placed := 0; placed < n && e.active < e.cfg.Lines; {
		var a *agent
		if e.reserving {
			if len(e.ready) == 0 {
				return
			}
			a = e.ready[0]
		}
		c, ok := e.source.Next(now)
		if !ok {
			return
		}
		if rule := e.check(c, now); rule != "" {
			blocked++
			if blocked >= e.cfg.MaxBlockedPerPump {
				return
			}
			continue
		}
		if e.mode != events.ModePreview && !e.guarded(c, now) {
			// Not recorded, so not dialled: the next tick tries again.
			if ret, ok := e.source.(Returner); ok {
				ret.Return(c)
			}
			return
		}
		if a != nil {
			e.ready = e.ready[1:]
			a.state, a.since = agentReserved, now
			if e.mode == events.ModePreview {
				// Held when they dial (PreviewDial): while reading the record the agent is
				// available to inbound, as docs/kpi.md counts preview time.
				e.pool.Preview(a.id, c)
				placed++
				continue
			}
			if !e.hold(a, c, now) {
				continue
			}
		}
		e.place(c, a, now)
		placed++
	}
}

// check runs the gate; a refused contact becomes a blocked attempt event.
func (e *Engine) check(c Contact, now time.Time) string {
	if e.gate == nil {
		return ""
	}
	rule := e.gate.Check(c, now)
	if rule == "" {
		return ""
	}
	e.stats.blocked(now)
	bc := &call{id: e.nextID(), contact: c, dialedAt: now}
	res := Result{BlockedRule: rule}
	if na, ok := e.gate.(interface {
		NextAllowed(c Contact, now time.Time, rule string) time.Time
	}); ok {
		res.NotBefore = na.NextAllowed(c, now, rule)
	}
	e.finish(bc, events.AttemptBlocked, now, func(d *events.DialAttempt) { d.BlockedRule = rule }, res)
	return rule
}

func (e *Engine) nextID() string {
	e.seq++
	return e.cfg.Campaign + "-" + strconv.Itoa(e.seq)
}

func (e *Engine) place(ct Contact, reserved *agent, now time.Time) {
	c := &call{id: e.nextID(), contact: ct, state: callRinging, dialedAt: now, reserved: reserved}
	if reserved != nil {
		reserved.call = c
	}
	e.calls[c.id] = c
	e.ringing = append(e.ringing, c)
	e.active++
	e.stats.attempt(now)
	c.timer = e.clk.AfterFunc(e.cfg.RingTimeout, func() {
		e.mu.Lock()
		defer e.mu.Unlock()
		if c.state == callRinging {
			e.endUnanswered(c, events.AttemptNoAnswer)
		}
	})
	if cd, ok := e.trunk.(ContactDialer); ok {
		cd.DialContact(c.id, ct)
		return
	}
	e.trunk.Dial(c.id, ct.Phone)
}

func (e *Engine) removeRinging(c *call) {
	for i, r := range e.ringing {
		if r == c {
			last := len(e.ringing) - 1
			e.ringing[i] = e.ringing[last]
			e.ringing = e.ringing[:last]
			return
		}
	}
}

func (e *Engine) release(c *call) {
	if _, ok := e.calls[c.id]; ok {
		delete(e.calls, c.id)
		e.active--
	}
}

// finish reports the attempt to the source, the gate and the recorder; it returns the source's
// decision.
func (e *Engine) finish(c *call, outcome string, now time.Time, fill func(*events.DialAttempt), res Result) (final bool, retryAt time.Time) {
	c.outcome = outcome
	res.Contact, res.At, res.Outcome = c.contact, now, outcome
	if e.gate != nil {
		e.gate.Record(res)
	}
	final, retryAt = e.source.Report(res)
	if e.record == nil {
		return final, retryAt
	}
	d := events.DialAttempt{
		AttemptID:   c.id,
		Campaign:    c.contact.CampaignID,
		CampaignTyp: c.contact.CampaignType,
		Contact:     c.contact.ID,
		Customer:    c.contact.CustomerID,
		Phone:       c.contact.Phone,
		Mode:        e.mode,
		Pacing:      e.cfg.Pacer.Name(),
		AttemptNo:   max(c.contact.Attempt, 1),
		DialedAt:    c.dialedAt,
		EndedAt:     now,
		Outcome:     outcome,
		AMD:         c.amd,
		Claim:       c.contact.ClaimID,
		Policy:      c.contact.PolicyID,
		// What the campaign did with a machine (voicemail_left, machine_retry) shows in the event.
		Disposition: res.Disposition,
	}
	if d.Campaign == "" {
		d.Campaign = e.cfg.Campaign
	}
	if d.CampaignTyp == "" {
		d.CampaignTyp = e.cfg.CampaignType
	}
	if !c.answeredAt.IsZero() {
		at := c.answeredAt
		d.AnsweredAt = &at
		d.RingSec = at.Sub(c.dialedAt).Seconds()
		d.WaitSec = c.wait.Seconds()
	} else if outcome != events.AttemptBlocked {
		d.RingSec = now.Sub(c.dialedAt).Seconds()
	}
	if !c.connected.IsZero() {
		at := c.connected
		d.ConnectedAt = &at
		d.Agent = c.agent.id
		d.CallID = c.id
	}
	d.Final = final
	if !retryAt.IsZero() {
		d.RetryAt = &retryAt
	}
	if fill != nil {
		fill(&d)
	}
	e.record(d)
	return final, retryAt
}

// working reports whether the agent is logged in to the campaign and not leaving it.
func (e *Engine) working(agentID string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	a, ok := e.byID[agentID]
	return ok && a.state != agentOut && !a.leaving
}

func (e *Engine) snapshot(now time.Time) *pacing.Snapshot {
	s := &e.snap
	s.Now = now
	s.Ready = len(e.ready)
	s.InCall, s.Wrap, s.LoggedIn = 0, 0, 0
	s.Busy, s.Wrapping = s.Busy[:0], s.Wrapping[:0]
	// A pacer that reads counts only is spared the elapsed times (most of a snapshot's cost).
	_, countsOnly := e.cfg.Pacer.(pacing.CountsOnly)
	for _, a := range e.agents {
		switch a.state {
		case agentOut:
			continue
		case agentTalking:
			s.InCall++
			if !countsOnly {
				s.Busy = append(s.Busy, now.Sub(a.connected))
			}
		case agentWrap:
			s.Wrap++
			if !countsOnly {
				s.Wrapping = append(s.Wrapping, now.Sub(a.since))
			}
		}
		s.LoggedIn++
	}
	s.Ringing = s.Ringing[:0]
	for _, c := range e.ringing {
		if countsOnly {
			break
		}
		s.Ringing = append(s.Ringing, now.Sub(c.dialedAt))
	}
	s.Waiting = len(e.waiting)
	s.Active = e.active
	s.LinesFree = max(0, e.cfg.Lines-e.active)
	return s
}
