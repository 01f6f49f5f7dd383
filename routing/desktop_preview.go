package routing

import (
	"net/http"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// PreviewDesk is an OutboundDesk whose preview campaigns hand their records to the person at the
// desktop: the agent reads the record, then dials it or skips it (dialer.Blend in `hotline run`).
// Its methods run inside Runner.Do, on the engine's goroutine.
type PreviewDesk interface {
	// Preview is the record waiting on agentID's desk; false when there is none.
	Preview(agentID string) (OutboundPreview, bool)
	// DialPreview dials the record on the desk; the call reaches the agent when a person
	// answers. Errors wrapping ErrState are conflicts (409).
	DialPreview(agentID string) (any, error)
	// SkipPreview gives the record back undialled (due again later) and hands the agent the
	// next one. Errors wrapping ErrState are conflicts (409).
	SkipPreview(agentID, reason string) (any, error)
}

// OutboundPreview is a preview campaign's record as the desktop shows it before the dial, with
// the campaign's outcome codes the call will take.
type OutboundPreview struct {
	OutboundInfo
	Contact  string    `json:"contact_id"`
	Customer string    `json:"customer_id"`
	Phone    string    `json:"phone"`
	Attempt  int       `json:"attempt"`
	Claim    string    `json:"claim_id,omitempty"`
	Policy   string    `json:"policy_id,omitempty"`
	Since    time.Time `json:"since"` // when the record reached the desk
	// Deadline is when the dialer acts for the agent (OnTimeout: dial or skip), for the desktop's
	// countdown; absent when the record waits until the agent acts.
	Deadline  *time.Time `json:"deadline,omitempty"`
	OnTimeout string     `json:"on_timeout,omitempty"`
	// ScreenPop is the customer as the directory knows them (the desktop fills it in).
	ScreenPop *ScreenPop `json:"screen_pop,omitempty"`
}

// DeskPusher pushes what the dialer has for an agent to their desktop's WebSocket: a record to
// preview, and a campaign call reaching them with its outcome codes. Desktop implements it.
type DeskPusher interface {
	PushPreview(agentID string, p OutboundPreview)
	PushOutbound(agentID, callID string, info OutboundInfo)
	PushPreviewTimeout(agentID string, t PreviewTimeout)
	// Connected reports whether the agent's desktop has its WebSocket open: a record that times
	// out on a desk without one was read by nobody.
	Connected(agentID string) bool
}

// ReasonPreviewTimeout is the break reason of an agent the dialer paused because nobody was at
// the desk to read its records (see PreviewTimeout); POST /api/agent/ready ends it like any break.
const ReasonPreviewTimeout = "preview_timeout"

// PreviewTimeout says the record on the desk reached its deadline and what the dialer did with
// it: Action dial (the line rings; the call follows when a person answers), skip (it went back
// undialled; the next record follows) or pause (nobody is at the desk: the record went back
// undialled and the agent is on a break, reason preview_timeout, until they are ready again).
// Action stop says the campaign was stopped: the record left the desk undialled.
type PreviewTimeout struct {
	Campaign string    `json:"campaign"`
	Contact  string    `json:"contact_id"`
	Action   string    `json:"action"`
	Deadline time.Time `json:"deadline"`
	// DueAgain is when a skipped record is due again (for any agent).
	DueAgain *time.Time `json:"due_again,omitempty"`
	// Reason says why the agent was paused.
	Reason string `json:"reason,omitempty"`
}

// DeskAttacher is an optional OutboundDesk method: NewDesktop hands it the desktop, so the
// dialer can push previews and campaign calls to the agents' sockets.
type DeskAttacher interface {
	AttachDesk(p DeskPusher)
}

// PushPreview implements DeskPusher: a "preview" message with the record and its screen pop.
// Call it on the engine's goroutine (the screen pop reads the directory).
func (d *Desktop) PushPreview(agentID string, p OutboundPreview) {
	d.hub.send(agentID, func() PushMessage {
		if p.ScreenPop == nil {
			p.ScreenPop = screenPop(d.hub.dir, p.Customer, d.hub.clk.Now())
		}
		p.Phone = events.MaskPhone(p.Phone)
		return PushMessage{Type: "preview", Preview: &p}
	})
}

// PushOutbound implements DeskPusher: an "outbound" message when a campaign call reaches the
// agent, with the outcome codes they will report.
func (d *Desktop) PushOutbound(agentID, callID string, info OutboundInfo) {
	d.hub.send(agentID, func() PushMessage {
		return PushMessage{Type: "outbound", CallID: callID, Outbound: &info}
	})
}

// PushPreviewTimeout implements DeskPusher: a "preview_timeout" message when the dialer acted on
// the record for the agent at its deadline.
func (d *Desktop) PushPreviewTimeout(agentID string, t PreviewTimeout) {
	d.hub.send(agentID, func() PushMessage {
		return PushMessage{Type: "preview_timeout", Timeout: &t}
	})
}

// Connected implements DeskPusher.
func (d *Desktop) Connected(agentID string) bool {
	d.hub.mu.Lock()
	defer d.hub.mu.Unlock()
	return len(d.hub.subs[agentID]) > 0
}

// registerPreview mounts the preview endpoints.
func (d *Desktop) registerPreview(ep func(method, path, summary string, h http.HandlerFunc)) {
	ep("GET", "/api/agent/preview", "the preview campaign record waiting on the agent's desk, with the customer's screen pop and the campaign's outcome codes (404 when none)", d.act(func(e *Engine, a string, r *http.Request) (any, error) {
		if _, err := d.previewDesk(); err != nil {
			return nil, err
		}
		if p := d.preview(e, a); p != nil {
			return *p, nil
		}
		return nil, httpError{http.StatusNotFound, "no record to preview on your desk"}
	}))
	ep("POST", "/api/agent/preview/dial", "dial the previewed record; the call reaches the agent when a person answers", d.act(func(e *Engine, a string, r *http.Request) (any, error) {
		pd, err := d.previewDesk()
		if err != nil {
			return nil, err
		}
		return pd.DialPreview(a)
	}))
	ep("POST", "/api/agent/preview/skip", "skip the previewed record undialled (body: {\"reason\": …}); it is due again later and the next record follows", d.act(func(e *Engine, a string, r *http.Request) (any, error) {
		var b struct {
			Reason string `json:"reason"`
		}
		if err := decodeOptional(r, &b); err != nil {
			return nil, err
		}
		pd, err := d.previewDesk()
		if err != nil {
			return nil, err
		}
		return pd.SkipPreview(a, b.Reason)
	}))
}

func (d *Desktop) previewDesk() (PreviewDesk, error) {
	pd, ok := d.out.(PreviewDesk)
	if !ok {
		return nil, httpError{http.StatusNotFound, "no preview campaigns on this desktop"}
	}
	return pd, nil
}

// preview is the record on the agent's desk for DeskState, with its screen pop.
func (d *Desktop) preview(e *Engine, a string) *OutboundPreview {
	pd, ok := d.out.(PreviewDesk)
	if !ok {
		return nil
	}
	p, ok := pd.Preview(a)
	if !ok {
		return nil
	}
	p.ScreenPop = screenPop(e.Directory(), p.Customer, e.Clock().Now())
	p.Phone = events.MaskPhone(p.Phone)
	return &p
}
