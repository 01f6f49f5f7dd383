package routing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// Desktop is the agent desktop API: HTTP for actions, a WebSocket for offers and state pushes.
// An agent (role agent) acts only as the agent id in their token and sees only the call on their
// own desk; supervisors (manager, admin) see every agent and queue.
type Desktop struct {
	run    Runner
	roster func(agentID string) (map[string]int, bool)
	out    OutboundDesk
	hub    *hub
	log    *slog.Logger

	mu       sync.Mutex
	attended map[string]bool // agents logged in through this desktop API
}

// OutboundDesk is the dialer behind the outbound campaign calls routing connects to agents
// (dialer.Blend in `hotline run`). A person at a desktop ends such a call by reporting its
// outcome, one of the campaign's codes, and the dialer acts on it (final outcome, retry or
// callback, do-not-call entry). Its methods run inside Runner.Do, on the engine's goroutine.
type OutboundDesk interface {
	// OutboundCall describes the campaign call callID on agentID's desk; false when the dialer
	// waits for no outcome from the agent on it (not a campaign call, or one it plays itself).
	OutboundCall(agentID, callID string) (OutboundInfo, bool)
	// ReportOutcome hands the dialer the agent's outcome; it ends the conversation if still
	// connected (after-call work follows). Errors wrapping ErrState are conflicts (409), others
	// a bad outcome (400); the result is what the dialer made of it.
	ReportOutcome(agentID, callID string, o OutboundOutcome) (any, error)
}

// OutboundInfo is an outbound campaign call as the desktop shows it.
type OutboundInfo struct {
	Campaign string   `json:"campaign"`
	Script   string   `json:"script,omitempty"`
	Outcomes []string `json:"outcomes"`           // the codes the agent may report
	Reported string   `json:"reported,omitempty"` // the outcome reported, once it is
}

// OutboundOutcome is an agent's outcome of an outbound campaign call.
type OutboundOutcome struct {
	Code string `json:"code"`
	// CallbackAt is when the customer asked to be called back (with the campaign's callback code).
	CallbackAt time.Time `json:"callback_at,omitzero"`
}

// WithOutbound connects the desktop to the dialer whose campaign calls reach its agents.
func WithOutbound(o OutboundDesk) DesktopOption { return func(d *Desktop) { d.out = o } }

// Attended reports whether the agent logged in through the desktop API (a person at a desktop)
// and has not logged out through it since: the dialer leaves their outbound calls to them.
func (d *Desktop) Attended(agentID string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.attended[agentID]
}

func (d *Desktop) attend(agentID string, on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if on {
		d.attended[agentID] = true
	} else {
		delete(d.attended, agentID)
	}
}

// DesktopOption configures a Desktop.
type DesktopOption func(*Desktop)

// WithRoster sets where agents' skills come from at login (an agent missing from it cannot log
// in). Without one every agent logs in with DefaultSkills.
func WithRoster(f func(agentID string) (map[string]int, bool)) DesktopOption {
	return func(d *Desktop) { d.roster = f }
}

// WithDesktopLogger sets the logger.
func WithDesktopLogger(l *slog.Logger) DesktopOption { return func(d *Desktop) { d.log = l } }

// DefaultSkills are the skills of an agent not in any roster: general service only.
func DefaultSkills() map[string]int { return map[string]int{"service": 3} }

// NewDesktop builds the API over an engine and subscribes to its offers and state changes.
func NewDesktop(run Runner, opts ...DesktopOption) *Desktop {
	d := &Desktop{run: run, hub: &hub{subs: map[string]map[chan []byte]bool{}}, log: slog.Default(), attended: map[string]bool{}}
	for _, o := range opts {
		o(d)
	}
	_ = run.Do(func(e *Engine) error {
		d.hub.dir = e.Directory()
		d.hub.clk = e.Clock()
		e.AddObserver(d.hub)
		return nil
	})
	if a, ok := d.out.(DeskAttacher); ok {
		a.AttachDesk(d)
	}
	return d
}

// DeskState is what GET /api/agent/state returns.
type DeskState struct {
	Agent     AgentInfo  `json:"agent"`
	Call      *CallInfo  `json:"call,omitempty"`
	ScreenPop *ScreenPop `json:"screen_pop,omitempty"`
	// Outbound is, for an outbound campaign call the agent ends, its campaign and outcome codes.
	Outbound *OutboundInfo `json:"outbound,omitempty"`
	// Preview is a preview campaign's record waiting for the agent to dial or skip it.
	Preview *OutboundPreview `json:"preview,omitempty"`
	// MaxWrapUpSec is how long wrap-up may last before the engine ends it, for the desktop's
	// countdown; TransferQueues are the queues a call can be transferred to.
	MaxWrapUpSec   float64  `json:"max_wrap_up_sec"`
	TransferQueues []string `json:"transfer_queues"`
}

// Register mounts the endpoints.
func (d *Desktop) Register(srv *httpapi.Server) {
	agent := []httpapi.Role{httpapi.RoleAgent}
	sup := []httpapi.Role{httpapi.RoleManager, httpapi.RoleAdmin}
	ep := func(method, path, summary string, roles []httpapi.Role, h http.HandlerFunc) {
		srv.Handle(httpapi.Endpoint{Method: method, Path: path, Roles: roles, Summary: summary, Handler: h})
	}
	ep("POST", "/api/agent/login", "log in (body: {\"lease\": true} to keep the session alive by heartbeat)", agent, d.act(d.login))
	ep("POST", "/api/agent/logout", "log out (after the call in progress, if any)", agent, d.act(func(e *Engine, a string, r *http.Request) (any, error) {
		if err := e.Logout(a, "logout"); err != nil {
			return nil, err
		}
		d.attend(a, false)
		return nil, nil
	}))
	ep("POST", "/api/agent/ready", "become available for calls (ends a break or wrap-up; an outbound campaign call's outcome must be reported first)", agent, d.act(func(e *Engine, a string, r *http.Request) (any, error) {
		info, err := d.unreported(e, a)
		if err != nil {
			return nil, err
		}
		if info != nil {
			return nil, e.Wrapup(a, Wrapup{Disposition: info.Reported})
		}
		return nil, e.Ready(a)
	}))
	ep("POST", "/api/agent/break", "go on a break (body: {\"reason\": \"lunch\"}); during a call it starts after wrap-up", agent, d.act(d.breakAgent))
	ep("POST", "/api/agent/heartbeat", "renew the desktop lease", agent, d.act(func(e *Engine, a string, r *http.Request) (any, error) {
		return nil, e.Heartbeat(a)
	}))
	ep("GET", "/api/agent/state", "the agent's state, the call on the desk and its screen pop", agent, d.act(func(e *Engine, a string, r *http.Request) (any, error) {
		return d.state(e, a)
	}))
	ep("GET", "/api/agent/calls/{id}", "the call on the agent's desk with its screen pop (own calls only)", agent, d.call(func(e *Engine, a, id string, r *http.Request) (any, error) {
		return d.state(e, a)
	}))
	ep("POST", "/api/agent/calls/{id}/accept", "answer the offered call", agent, d.call(func(e *Engine, a, id string, r *http.Request) (any, error) {
		return nil, e.Accept(a, id)
	}))
	ep("POST", "/api/agent/calls/{id}/reject", "decline the offered call (body: {\"reason\": …})", agent, d.call(func(e *Engine, a, id string, r *http.Request) (any, error) {
		var b struct {
			Reason string `json:"reason"`
		}
		if err := decodeOptional(r, &b); err != nil {
			return nil, err
		}
		return nil, e.Reject(a, id, b.Reason)
	}))
	ep("POST", "/api/agent/calls/{id}/hold", "put the call on hold", agent, d.call(func(e *Engine, a, id string, r *http.Request) (any, error) {
		return nil, e.Hold(a)
	}))
	ep("POST", "/api/agent/calls/{id}/retrieve", "take the call off hold", agent, d.call(func(e *Engine, a, id string, r *http.Request) (any, error) {
		return nil, e.Retrieve(a)
	}))
	ep("POST", "/api/agent/calls/{id}/hangup", "end the call; wrap-up starts", agent, d.call(func(e *Engine, a, id string, r *http.Request) (any, error) {
		return nil, e.Hangup(id)
	}))
	ep("POST", "/api/agent/calls/{id}/transfer", "transfer to a queue or a department (body: {\"kind\": \"queue\"|\"department\", \"target\": …})", agent, d.call(func(e *Engine, a, id string, r *http.Request) (any, error) {
		var b struct {
			Kind   string `json:"kind"`
			Target string `json:"target"`
		}
		if err := decodeOptional(r, &b); err != nil {
			return nil, err
		}
		return nil, e.Transfer(a, b.Kind, b.Target)
	}))
	ep("POST", "/api/agent/calls/{id}/wrapup", "end wrap-up with a disposition and a resolved flag (an outbound campaign call: its reported outcome by default)", agent, d.call(func(e *Engine, a, id string, r *http.Request) (any, error) {
		var w Wrapup
		if err := decodeOptional(r, &w); err != nil {
			return nil, err
		}
		info, err := d.unreported(e, a)
		if err != nil {
			return nil, err
		}
		if w.Disposition == "" && info != nil {
			w.Disposition = info.Reported
		}
		if w.Disposition == "" {
			return nil, badRequest("disposition: missing")
		}
		return nil, e.Wrapup(a, w)
	}))
	ep("POST", "/api/agent/calls/{id}/outcome", "report an outbound campaign call's outcome (body: {\"code\": one of the campaign's outcome codes, \"callback_at\": RFC 3339 time with the callback code}); ends the conversation, wrap-up follows", agent, d.call(d.outcome))
	ep("POST", "/api/agent/calls/{id}/complaint", "register a complaint from the call (category, department); due in seven working days", agent, d.call(func(e *Engine, a, id string, r *http.Request) (any, error) {
		var c ComplaintRequest
		if err := decodeOptional(r, &c); err != nil {
			return nil, err
		}
		c.CallID = id
		return e.RegisterComplaint(a, c)
	}))
	d.registerPreview(func(method, path, summary string, h http.HandlerFunc) { ep(method, path, summary, agent, h) })
	ep("GET", "/api/agent/ws", "WebSocket: offers (with screen pop), state changes, preview records (with screen pop and outcome codes) and campaign calls reaching the agent (with outcome codes), pushed", agent, d.serveWS)
	ep("GET", "/api/routing/agents", "every agent's state", sup, d.sup(func(e *Engine) any { return e.Agents() }))
	ep("GET", "/api/routing/queues", "calls waiting per queue and calls in progress", sup, d.sup(func(e *Engine) any {
		return map[string]any{"waiting": e.Waiting(), "active_calls": e.Active(), "stats": e.Stats()}
	}))
}

type httpError struct {
	status int
	msg    string
}

func (h httpError) Error() string { return h.msg }
func badRequest(msg string) error { return httpError{http.StatusBadRequest, msg} }

func decodeOptional(r *http.Request, v any) error {
	if r.Body == nil || r.ContentLength == 0 {
		return nil
	}
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, httpapi.MaxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("request body: " + err.Error())
	}
	return nil
}

func agentOf(r *http.Request) (string, bool) {
	p, ok := httpapi.PrincipalFrom(r.Context())
	if !ok || p.Role != httpapi.RoleAgent || p.AgentID == "" {
		return "", false
	}
	return p.AgentID, true
}

// act runs an agent action under the engine's lock and writes the result.
func (d *Desktop) act(f func(e *Engine, agentID string, r *http.Request) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, ok := agentOf(r)
		if !ok {
			httpapi.Error(w, http.StatusBadRequest, "this token is not bound to an agent id")
			return
		}
		var out any
		err := d.run.Do(func(e *Engine) error {
			var err error
			out, err = f(e, a, r)
			return err
		})
		d.respond(w, out, err)
	}
}

// call is act for /calls/{id}: the call must be the one on the agent's desk, else 404 (an
// agent learns nothing about other agents' calls, not even that they exist).
func (d *Desktop) call(f func(e *Engine, agentID, callID string, r *http.Request) (any, error)) http.HandlerFunc {
	return d.act(func(e *Engine, a string, r *http.Request) (any, error) {
		id := r.PathValue("id")
		ai, err := e.Agent(a)
		if err != nil || ai.CallID != id {
			return nil, httpError{http.StatusNotFound, fmt.Sprintf("call %q is not on your desk", httpapi.Clip(id))}
		}
		return f(e, a, id, r)
	})
}

func (d *Desktop) sup(f func(e *Engine) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var out any
		_ = d.run.Do(func(e *Engine) error { out = f(e); return nil })
		httpapi.WriteJSON(w, http.StatusOK, out)
	}
}

func (d *Desktop) respond(w http.ResponseWriter, out any, err error) {
	var he httpError
	switch {
	case err == nil:
		if out == nil {
			out = map[string]bool{"ok": true}
		}
		httpapi.WriteJSON(w, http.StatusOK, out)
	case errors.As(err, &he):
		httpapi.Error(w, he.status, he.msg)
	case errors.Is(err, ErrUnknownAgent):
		httpapi.Error(w, http.StatusNotFound, "not logged in: "+err.Error())
	case errors.Is(err, ErrUnknownCall):
		httpapi.Error(w, http.StatusNotFound, err.Error())
	case errors.Is(err, ErrState):
		httpapi.Error(w, http.StatusConflict, err.Error())
	default:
		httpapi.Error(w, http.StatusBadRequest, err.Error())
	}
}

func (d *Desktop) login(e *Engine, a string, r *http.Request) (any, error) {
	var b struct {
		Lease bool `json:"lease"`
	}
	if err := decodeOptional(r, &b); err != nil {
		return nil, err
	}
	skills := DefaultSkills()
	if d.roster != nil {
		var ok bool
		if skills, ok = d.roster(a); !ok {
			return nil, httpError{http.StatusNotFound, fmt.Sprintf("agent %q is not on the roster", a)}
		}
	}
	if err := e.Login(Login{Agent: a, Skills: skills, Lease: b.Lease}); err != nil {
		return nil, err
	}
	d.attend(a, true)
	return d.state(e, a)
}

// outcome hands an outbound campaign call's outcome to the dialer.
func (d *Desktop) outcome(e *Engine, a, id string, r *http.Request) (any, error) {
	var o OutboundOutcome
	if err := decodeOptional(r, &o); err != nil {
		return nil, err
	}
	var info OutboundInfo
	ok := false
	if d.out != nil {
		info, ok = d.out.OutboundCall(a, id)
	}
	if !ok {
		return nil, httpError{http.StatusConflict, fmt.Sprintf("call %s is not an outbound campaign call waiting for your outcome", id)}
	}
	if o.Code == "" {
		return nil, badRequest(fmt.Sprintf("code: missing; campaign %s's outcomes are %v", info.Campaign, info.Outcomes))
	}
	return d.out.ReportOutcome(a, id, o)
}

// unreported refuses to end the wrap-up of an outbound campaign call whose outcome the agent has
// not reported: the dialer would not know whether to call the customer again. It returns the
// call's outbound info when there is one.
func (d *Desktop) unreported(e *Engine, a string) (*OutboundInfo, error) {
	if d.out == nil {
		return nil, nil
	}
	ai, err := e.Agent(a)
	if err != nil || ai.CallID == "" || ai.State != events.AgentACW {
		return nil, nil
	}
	info, ok := d.out.OutboundCall(a, ai.CallID)
	if !ok {
		return nil, nil
	}
	if info.Reported == "" {
		return nil, httpError{http.StatusConflict, fmt.Sprintf("report the outcome of outbound call %s first (POST /api/agent/calls/%s/outcome, one of %v)", ai.CallID, ai.CallID, info.Outcomes)}
	}
	return &info, nil
}

func (d *Desktop) breakAgent(e *Engine, a string, r *http.Request) (any, error) {
	var b struct {
		Reason string `json:"reason"`
	}
	if err := decodeOptional(r, &b); err != nil {
		return nil, err
	}
	if b.Reason == "" {
		return nil, badRequest("reason: missing")
	}
	return nil, e.Break(a, b.Reason)
}

func (d *Desktop) state(e *Engine, a string) (DeskState, error) {
	ai, err := e.Agent(a)
	if err != nil {
		return DeskState{}, err
	}
	st := DeskState{Agent: ai, Preview: d.preview(e, a), MaxWrapUpSec: e.Config().MaxWrapUp.Seconds(), TransferQueues: []string{}}
	for _, q := range e.Config().Queues {
		st.TransferQueues = append(st.TransferQueues, q.Name)
	}
	if ai.CallID != "" {
		if ci, err := e.Call(ai.CallID); err == nil {
			ci.Phone = events.MaskPhone(ci.Phone)
			st.Call = &ci
			st.ScreenPop = screenPop(e.Directory(), ci.Customer, e.Clock().Now())
		}
		if d.out != nil {
			if info, ok := d.out.OutboundCall(a, ai.CallID); ok {
				st.Outbound = &info
			}
		}
	}
	return st, nil
}

func screenPop(dir CustomerDirectory, customer string, now time.Time) *ScreenPop {
	if dir == nil || customer == "" {
		return nil
	}
	if sp, ok := dir.ScreenPop(customer, now); ok {
		// An agent at a desk needs the caller, not the number: phones are masked on the
		// desktop (the dialer dials; the switch connects).
		sp.Customer.Phone = events.MaskPhone(sp.Customer.Phone)
		return &sp
	}
	return nil
}

// PushMessage is one WebSocket message to a desktop.
type PushMessage struct {
	// Type is "hello" (on connect), "offer", "state", "preview" (a record to read, then dial or
	// skip, with its deadline), "preview_timeout" (the deadline passed: the dialer dialled or
	// skipped the record, or paused an agent not at the desk) or "outbound" (a campaign call
	// reached the agent; its outcome codes).
	Type      string             `json:"type"`
	Desk      *DeskState         `json:"desk,omitempty"`
	Call      *CallInfo          `json:"call,omitempty"`
	CallID    string             `json:"call_id,omitempty"`
	ScreenPop *ScreenPop         `json:"screen_pop,omitempty"`
	State     *events.AgentState `json:"state,omitempty"`
	Preview   *OutboundPreview   `json:"preview,omitempty"`
	Outbound  *OutboundInfo      `json:"outbound,omitempty"`
	Timeout   *PreviewTimeout    `json:"timeout,omitempty"`
}

// serveWS streams the agent's offers and state changes; any message the desktop sends renews
// its lease, so an open socket is a heartbeat.
func (d *Desktop) serveWS(w http.ResponseWriter, r *http.Request) {
	a, ok := agentOf(r)
	if !ok {
		httpapi.Error(w, http.StatusBadRequest, "this token is not bound to an agent id")
		return
	}
	ch, ok := d.hub.subscribe(a)
	if !ok {
		httpapi.Error(w, http.StatusTooManyRequests, fmt.Sprintf("agent %s already has %d desktop connections open; close one first", a, maxSocketsPerAgent))
		return
	}
	defer d.hub.unsubscribe(a, ch)
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered the client
	}
	defer c.CloseNow()
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	// The first message is the desk as it is now, so a desktop that (re)connects needs no
	// separate request, and knows it is subscribed.
	var hello []byte
	_ = d.run.Do(func(e *Engine) error {
		st, err := d.state(e, a)
		m := PushMessage{Type: "hello"}
		if err == nil {
			m.Desk = &st
		}
		hello, _ = json.Marshal(m)
		return nil
	})
	if err := c.Write(ctx, websocket.MessageText, hello); err != nil {
		return
	}
	go func() {
		defer cancel()
		for {
			if _, _, err := c.Read(ctx); err != nil {
				return
			}
			_ = d.run.Do(func(e *Engine) error { return e.Heartbeat(a) })
		}
	}()
	for {
		select {
		case <-ctx.Done():
			c.Close(websocket.StatusNormalClosure, "")
			return
		case msg := <-ch:
			wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
			err := c.Write(wctx, websocket.MessageText, msg)
			wcancel()
			if err != nil {
				return
			}
		}
	}
}

// hub fans engine notifications out to the agents' open sockets. It runs on the engine's
// goroutine and never blocks it: a desktop too slow to read loses messages, and can re-read
// its state over HTTP.
type hub struct {
	mu   sync.Mutex
	subs map[string]map[chan []byte]bool
	dir  CustomerDirectory
	clk  interface{ Now() time.Time }
}

// maxSocketsPerAgent bounds an agent's open desktop WebSockets: a desktop and a few spare tabs,
// not hundreds of connections each holding a goroutine and a buffer.
const maxSocketsPerAgent = 4

// subscribe adds a push channel for agent; ok is false when the agent has maxSocketsPerAgent.
func (h *hub) subscribe(agent string) (ch chan []byte, ok bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs[agent]) >= maxSocketsPerAgent {
		return nil, false
	}
	ch = make(chan []byte, 64)
	if h.subs[agent] == nil {
		h.subs[agent] = map[chan []byte]bool{}
	}
	h.subs[agent][ch] = true
	return ch, true
}

func (h *hub) unsubscribe(agent string, ch chan []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs[agent], ch)
	if len(h.subs[agent]) == 0 {
		delete(h.subs, agent)
	}
}

func (h *hub) send(agent string, build func() PushMessage) {
	h.mu.Lock()
	defer h.mu.Unlock()
	subs := h.subs[agent]
	if len(subs) == 0 {
		return
	}
	b, err := json.Marshal(build())
	if err != nil {
		return
	}
	for ch := range subs {
		select {
		case ch <- b:
		default:
		}
	}
}

func (h *hub) Offer(agentID string, call CallInfo) {
	call.Phone = events.MaskPhone(call.Phone)
	h.send(agentID, func() PushMessage {
		return PushMessage{Type: "offer", Call: &call, ScreenPop: screenPop(h.dir, call.Customer, h.clk.Now())}
	})
}

func (h *hub) AgentState(ev events.AgentState) {
	h.send(ev.Agent, func() PushMessage { return PushMessage{Type: "state", State: &ev} })
}
