package routing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/seed-1c4692e8/hotline/calendar"
	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// Errors callers branch on.
var (
	ErrUnknownAgent = errors.New("unknown agent")
	ErrUnknownCall  = errors.New("unknown call")
	ErrUnknownQueue = errors.New("unknown queue")
	ErrState        = errors.New("not allowed in the current state")
)

// Observer hears about offers and agent state changes, e.g. a desktop's WebSocket or the
// simulator's agents. It runs on the engine's goroutine and must not call back synchronously
// into the engine (schedule on the clock instead).
type Observer interface {
	Offer(agentID string, call CallInfo)
	AgentState(ev events.AgentState)
}

// Stats are counters of what the engine did, for tests and benchmarks.
type Stats struct {
	Arrived, Queued, Answered, Abandoned, SelfServed, IVRAbandoned, AfterHours, Callbacks int
	Records, Offers, NoAnswers, Transfers, AgentStates, Recovered                         int
	Events                                                                                int
}

// Engine is the ACD's state. Not safe for concurrent use: see Live.
type Engine struct {
	cfg       Config
	clk       clock.Clock
	sink      events.Sink
	log       *slog.Logger
	menu      *Menu
	dir       CustomerDirectory
	observers []Observer
	calendar  calendar.WorkingDays // complaint due dates; Config.WorkingDays when nil

	queues  []*queue
	byQueue map[string]*queue
	skills  map[string]int
	agents  map[string]*agent
	nagents int
	calls   map[string]*Call
	seq     uint64
	stats   Stats
	// DecisionHook, when set, is called with the duration of every routing decision; the
	// benchmark uses it. It reads the wall clock, never the engine's clock.
	decisionHook func(time.Duration)
	newID        func() uuid.UUID
}

// Option configures an Engine.
type Option func(*Engine)

// WithSink sends events to s (none are built without a sink).
func WithSink(s events.Sink) Option { return func(e *Engine) { e.sink = s } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// WithMenu runs arriving calls through an IVR menu.
func WithMenu(m *Menu) Option { return func(e *Engine) { e.menu = m } }

// WithDirectory gives the IVR and the screen pop access to customers, policies and claims.
func WithDirectory(d CustomerDirectory) Option { return func(e *Engine) { e.dir = d } }

// WithObserver adds an observer.
func WithObserver(o Observer) Option { return func(e *Engine) { e.observers = append(e.observers, o) } }

// WithEventIDs makes event ids come from f instead of uuid.New: the simulator passes a seeded
// generator so a run is reproducible to the event id (and cheaper than crypto randomness).
func WithEventIDs(f func() uuid.UUID) Option { return func(e *Engine) { e.newID = f } }

// WithDecisionTimer calls f with the wall-clock duration of every routing decision.
func WithDecisionTimer(f func(time.Duration)) Option { return func(e *Engine) { e.decisionHook = f } }

// New builds an engine on clk.
func New(cfg Config, clk clock.Clock, opts ...Option) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	e := &Engine{
		cfg: cfg, clk: clk, log: slog.Default(),
		byQueue: map[string]*queue{}, skills: map[string]int{}, agents: map[string]*agent{}, calls: map[string]*Call{},
	}
	for _, o := range opts {
		o(e)
	}
	for i, qc := range cfg.Queues {
		q := &queue{cfg: qc, idx: i, rr: -1}
		for _, s := range qc.Skills {
			q.reqs = append(q.reqs, skillNeed{skill: e.skillIndex(s.Skill), min: s.Min})
		}
		e.queues = append(e.queues, q)
		e.byQueue[qc.Name] = q
	}
	if e.menu != nil {
		if err := e.menu.check(e.byQueue); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// AddObserver adds an observer after construction.
func (e *Engine) AddObserver(o Observer) { e.observers = append(e.observers, o) }

// Clock is the engine's clock.
func (e *Engine) Clock() clock.Clock { return e.clk }

// Config is the effective configuration (defaults filled).
func (e *Engine) Config() Config { return e.cfg }

// Stats returns the counters so far.
func (e *Engine) Stats() Stats { return e.stats }

// Directory is the customer directory, nil when none was given.
func (e *Engine) Directory() CustomerDirectory { return e.dir }

func (e *Engine) skillIndex(name string) int {
	if i, ok := e.skills[name]; ok {
		return i
	}
	i := len(e.skills)
	e.skills[name] = i
	return i
}

func (e *Engine) emit(p events.Payload) {
	e.stats.Events++
	if e.sink == nil {
		return
	}
	var ev events.Event
	if e.newID != nil {
		ev = events.Event{
			EventID: e.newID(), Type: p.EventType(), SchemaVersion: events.SchemaVersion,
			OccurredAt: e.clk.Now().UTC().Truncate(time.Millisecond), Source: e.cfg.Source, Tenant: e.cfg.Tenant, Payload: p,
		}
	} else {
		ev = events.New(p, e.clk.Now(), e.cfg.Source, e.cfg.Tenant)
	}
	if err := e.sink.Publish(context.Background(), ev); err != nil {
		// Routing must go on when the log is down; the sink owns retries and back-pressure.
		e.log.Error("publishing routing event", "type", ev.Type, "error", err)
	}
}

func (e *Engine) lifecycle(c *Call, stage string, a *agent, detail string) {
	l := events.CallLifecycle{CallID: c.ID, Stage: stage, Direction: c.Direction, Line: c.Line, Detail: detail}
	if c.queue != nil {
		l.Queue = c.queue.cfg.Name
	}
	if a != nil {
		l.Agent = a.id
	}
	e.emit(l)
}

func (e *Engine) call(id string) (*Call, error) {
	c, ok := e.calls[id]
	if !ok {
		return nil, fmt.Errorf("call %q: %w", id, ErrUnknownCall)
	}
	return c, nil
}

func (e *Engine) agent(id string) (*agent, error) {
	a, ok := e.agents[id]
	if !ok {
		return nil, fmt.Errorf("agent %q: %w", id, ErrUnknownAgent)
	}
	return a, nil
}

// routeCall looks for an available agent for a waiting call, in its home queue first and then
// in the overflow queues it has reached.
func (e *Engine) routeCall(c *Call) {
	if c.state != csWaiting {
		return
	}
	if a := c.only; a != nil {
		if a.state == stAvailable {
			e.offer(c, c.queue, a)
		}
		return
	}
	var t0 time.Time
	if e.decisionHook != nil {
		t0 = time.Now()
	}
	now := e.clk.Now()
	var a *agent
	var q *queue
	for _, t := range c.targets {
		if a = e.pickAgent(t, c, now); a != nil {
			q = t
			break
		}
	}
	if e.decisionHook != nil {
		e.decisionHook(time.Since(t0))
	}
	if a != nil {
		e.offer(c, q, a)
	}
}

// routeAgent gives a newly available agent the best waiting call, if any.
func (e *Engine) routeAgent(a *agent) {
	if a.state != stAvailable {
		return
	}
	var t0 time.Time
	if e.decisionHook != nil {
		t0 = time.Now()
	}
	c, q := e.pickCall(a, e.clk.Now())
	if e.decisionHook != nil {
		e.decisionHook(time.Since(t0))
	}
	if c != nil {
		e.offer(c, q, a)
	}
}

// offer reserves a for c and rings the desktop.
func (e *Engine) offer(c *Call, q *queue, a *agent) {
	for _, t := range c.targets {
		t.remove(c)
	}
	c.state = csOffered
	c.agent = a
	a.call = c
	a.direction = c.Direction
	e.stats.Offers++
	e.setState(a, stReserved, "")
	detail := ""
	if q != c.queue {
		detail = "overflow:" + q.cfg.Name
	}
	e.lifecycle(c, events.StageOffered, a, detail)
	a.stopTimer()
	a.timer = e.clk.AfterFunc(e.cfg.OfferTimeout, func() { e.offerTimedOut(a, c) })
	info := c.info()
	for _, o := range e.observers {
		o.Offer(a.id, info)
	}
}

// offerTimedOut: the desktop did not answer. The call goes back to its place in the queue and the
// agent is made not ready, so the next call does not ring an empty desk.
func (e *Engine) offerTimedOut(a *agent, c *Call) {
	if a.call != c || a.state != stReserved || c.state != csOffered {
		return
	}
	a.timer = nil
	e.stats.NoAnswers++
	e.lifecycle(c, events.StageRejected, a, ReasonNoAnswer)
	e.unoffer(c, a, false)
	e.setState(a, stBreak, ReasonNoAnswer)
	e.routeCall(c)
}

// unoffer puts an offered call back in its queues, keeping its place.
// A rejecting agent is not offered the same call again.
func (e *Engine) unoffer(c *Call, a *agent, rejected bool) {
	if rejected {
		c.rejected = append(c.rejected, a)
	}
	c.only = nil // declined or rung out: any agent of the queue may take it now
	c.agent = nil
	a.call = nil
	c.state = csWaiting
	for _, t := range c.targets {
		t.insert(c)
	}
}
