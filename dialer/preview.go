package dialer

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/routing"
)

// A person at a desktop works a preview campaign through routing.Desktop: the record waits on
// their desk (GET /api/agent/preview, pushed on the WebSocket with the campaign's outcome codes),
// and they dial it (POST /api/agent/preview/dial) or skip it (POST /api/agent/preview/skip). The
// blend is the desktop's routing.PreviewDesk; the desktop calls it inside the routing engine's
// Do, where the blend may touch the ACD.

// PreviewPolicy bounds how long a preview record waits on a person's desk. When the time is up
// the dialer dials it for them (on_timeout: dial, the default, after 30 s) or gives it back
// undialled as a skip would (on_timeout: skip); on_timeout: wait leaves it there until they act.
// The desktop shows the deadline as a countdown. Either action assumes someone is at the desk;
// when nobody is, the agent is paused instead (see away). The simulated team reads records in
// seconds and is not timed.
type PreviewPolicy struct {
	Timeout   time.Duration `yaml:"timeout,omitempty" json:"timeout,omitempty"`
	OnTimeout string        `yaml:"on_timeout,omitempty" json:"on_timeout,omitempty"` // dial | skip | wait
}

// What a preview campaign does with a record still on the desk at its deadline.
const (
	PreviewDial = "dial"
	PreviewSkip = "skip"
	PreviewWait = "wait"
	// PreviewPause is not a setting: it is what the dialer did when nobody was at the desk.
	PreviewPause = "pause"
	// PreviewStop is not a setting either: the campaign was stopped with the record on the desk.
	PreviewStop = "stop"
)

const (
	defaultPreviewTimeout = 30 * time.Second
	// Less than this is too short to read a record; more than this is an agent who is not
	// there, and a break, not a timeout, is the way to say so.
	minPreviewTimeout = 5 * time.Second
	maxPreviewTimeout = 30 * time.Minute
)

// UnmarshalYAML reads the policy naming the field a bad value is in: a timeout that is not a
// duration otherwise fails with only a line number.
func (p *PreviewPolicy) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("preview: line %d: want a mapping {timeout: 30s, on_timeout: dial|skip|wait}", n.Line)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		switch k {
		case "timeout":
			d, err := time.ParseDuration(v.Value)
			if err != nil {
				return fmt.Errorf("preview.timeout: line %d: %q is not a duration such as 30s", v.Line, v.Value)
			}
			p.Timeout = d
		case "on_timeout":
			p.OnTimeout = v.Value
		default:
			return fmt.Errorf("preview: line %d: unknown field %q (timeout, on_timeout)", v.Line, k)
		}
	}
	return nil
}

func (p *PreviewPolicy) defaults() {
	if p.OnTimeout == "" {
		p.OnTimeout = PreviewDial
	}
	if p.Timeout == 0 && p.OnTimeout != PreviewWait {
		p.Timeout = defaultPreviewTimeout
	}
}

// Validate reports the first setting out of range; a zero policy stands for the defaults.
func (p PreviewPolicy) Validate() error {
	switch p.OnTimeout {
	case "", PreviewDial, PreviewSkip:
		if p.Timeout != 0 && (p.Timeout < minPreviewTimeout || p.Timeout > maxPreviewTimeout) {
			return fmt.Errorf("timeout: %s is outside %s..%s", p.Timeout, minPreviewTimeout, maxPreviewTimeout)
		}
	case PreviewWait:
		if p.Timeout != 0 {
			return fmt.Errorf("timeout: %s is set but on_timeout is wait (no timeout); drop one", p.Timeout)
		}
	default:
		return fmt.Errorf("on_timeout: %q is not one of dial, skip, wait", p.OnTimeout)
	}
	return nil
}

// deadline is when a record reaching the desk at since times out; zero when it waits.
func (p PreviewPolicy) deadline(since time.Time) time.Time {
	p.defaults()
	if p.OnTimeout == PreviewWait {
		return time.Time{}
	}
	return since.Add(p.Timeout)
}

// skipDelay is how long a skipped record waits before it is due again (for any agent): long
// enough that the agent who skipped it gets another one first.
const skipDelay = time.Hour

var (
	_ routing.PreviewDesk  = (*Blend)(nil)
	_ routing.DeskAttacher = (*Blend)(nil)
)

// preview is a record on an attended agent's desk.
type preview struct {
	contact  Contact
	since    time.Time
	deadline time.Time   // zero: waits until the agent acts
	timer    clock.Timer // fires at deadline; stopped when the agent acts first
}

// PreviewAction is what the dialer did with a previewed record.
type PreviewAction struct {
	Campaign string `json:"campaign"`
	Contact  string `json:"contact_id"`
	// Dialled says the line rings; a skipped record is due again at DueAgain.
	Dialled  bool       `json:"dialled"`
	DueAgain *time.Time `json:"due_again,omitempty"`
	Reason   string     `json:"reason,omitempty"`
}

// AttachDesk implements routing.DeskAttacher: previews and campaign calls of attended agents are
// pushed to the desktop's sockets.
func (b *Blend) AttachDesk(d routing.DeskPusher) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.desk = d
}

// push sends to the attached desktop, if any.
func (b *Blend) push(f func(routing.DeskPusher)) {
	b.mu.Lock()
	d := b.desk
	b.mu.Unlock()
	if d != nil {
		f(d)
	}
}

// Preview implements routing.PreviewDesk.
func (b *Blend) Preview(agentID string) (routing.OutboundPreview, bool) {
	p, pv, ok := b.findPreview(agentID, false)
	if !ok {
		return routing.OutboundPreview{}, false
	}
	return p.previewInfo(pv), true
}

// DialPreview implements routing.PreviewDesk: the engine dials the record, holding the agent in
// routing for the line; when inbound took the agent before the dial, the record goes back.
func (b *Blend) DialPreview(agentID string) (any, error) {
	p, pv, ok := b.findPreview(agentID, true)
	if !ok {
		return nil, fmt.Errorf("dial preview: no record on %s's desk: %w", agentID, routing.ErrState)
	}
	b.present(agentID)
	return p.dial(agentID, pv)
}

// dial dials the record taken off agentID's desk.
func (p *RoutingPool) dial(agentID string, pv preview) (PreviewAction, error) {
	if !p.engine.previewing(agentID) {
		p.engine.ReturnPreview(agentID, pv.contact, time.Time{})
		return PreviewAction{}, fmt.Errorf("dial preview: %s left campaign %s; the record went back to the list: %w", agentID, p.campaign, routing.ErrState)
	}
	p.engine.PreviewDial(agentID, pv.contact)
	if !p.engine.working(agentID) {
		return PreviewAction{}, fmt.Errorf("dial preview: an inbound call took %s first; the record went back to the list: %w", agentID, routing.ErrState)
	}
	return PreviewAction{Campaign: p.campaign, Contact: pv.contact.ID, Dialled: true}, nil
}

// SkipPreview implements routing.PreviewDesk: the record goes back undialled, due again after
// skipDelay, no attempt counted; the agent gets the next record.
func (b *Blend) SkipPreview(agentID, reason string) (any, error) {
	p, pv, ok := b.findPreview(agentID, true)
	if !ok {
		return nil, fmt.Errorf("skip preview: no record on %s's desk: %w", agentID, routing.ErrState)
	}
	b.present(agentID)
	return p.skip(agentID, pv, reason, p.blend.clk.Now().Add(skipDelay)), nil
}

// skip gives back undialled the record taken off agentID's desk, due again at due.
func (p *RoutingPool) skip(agentID string, pv preview, reason string, due time.Time) PreviewAction {
	p.engine.ReturnPreview(agentID, pv.contact, due)
	return PreviewAction{Campaign: p.campaign, Contact: pv.contact.ID, DueAgain: &due, Reason: reason}
}

// timeoutReason is the reason a record skipped at its deadline carries.
const timeoutReason = "preview timeout"

// expire acts on the record still on agentID's desk at its deadline, as the campaign says: the
// desktop hears of it first, then the record is dialled (the call reaches the agent when a person
// answers) or given back as a skip would (the next record follows). When nobody is at the desk
// (away), neither: the agent is paused.
func (p *RoutingPool) expire(agentID string, since time.Time) {
	p.mu.Lock()
	pv, ok := p.previews[agentID]
	if !ok || !pv.since.Equal(since) {
		p.mu.Unlock()
		return // the agent acted, or this is a later record with its own deadline
	}
	delete(p.previews, agentID)
	p.mu.Unlock()
	t := routing.PreviewTimeout{Campaign: p.campaign, Contact: pv.contact.ID, Action: p.preview.OnTimeout, Deadline: pv.deadline}
	if why, away := p.blend.away(agentID); away {
		t.Action, t.Reason = PreviewPause, why
		p.blend.push(func(d routing.DeskPusher) { d.PushPreviewTimeout(agentID, t) })
		p.pause(agentID, pv)
		return
	}
	if p.preview.OnTimeout == PreviewSkip {
		due := p.blend.clk.Now().Add(skipDelay)
		t.DueAgain = &due
		p.blend.push(func(d routing.DeskPusher) { d.PushPreviewTimeout(agentID, t) })
		p.skip(agentID, pv, timeoutReason, due)
		return
	}
	p.blend.push(func(d routing.DeskPusher) { d.PushPreviewTimeout(agentID, t) })
	// An error means the record went back to the list: inbound took the agent, or they left.
	_, _ = p.dial(agentID, pv)
}

// pauseAfter is how many records in a row an agent may let time out at a connected desktop before
// the dialer takes them for away: one is a glance elsewhere, two is nobody reading.
const pauseAfter = 2

// away counts a record agentID let time out and says whether (and why) nobody is at the desk: the
// desktop has no WebSocket open (a closed tab, a lost network), or this is the pauseAfter-th
// record in a row they let time out (a socket left open on an empty seat). A record dialled
// for them at its deadline does not end the run; dialling or skipping one themselves does.
func (b *Blend) away(agentID string) (string, bool) {
	b.mu.Lock()
	b.timedOut[agentID]++
	n := b.timedOut[agentID]
	d := b.desk
	b.mu.Unlock()
	switch {
	case d == nil || !d.Connected(agentID):
		return "auto-paused: preview timed out with the desktop not connected", true
	case n >= pauseAfter:
		return fmt.Sprintf("auto-paused: %d previews in a row timed out", n), true
	}
	return "", false
}

// present records that agentID acted on a record: whoever acts is at the desk.
func (b *Blend) present(agentID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.timedOut, agentID)
}

// pause takes an agent nobody is sitting in for out of the campaign and puts them on a break in
// routing (reason routing.ReasonPreviewTimeout), so neither a campaign record nor an inbound call
// goes to the empty seat; they end it through the desktop (POST /api/agent/ready) like any
// break, and the blend lends them again. The record goes back to the list due at once, as on any
// break, undialled and not counted as an attempt. An agent routing no longer shows available
// (inbound took them meanwhile) is not put on a break: they are busy, not away.
func (p *RoutingPool) pause(agentID string, pv preview) {
	b := p.blend
	b.mu.Lock()
	delete(b.timedOut, agentID)
	if b.lent[agentID] == p {
		delete(b.lent, agentID)
	}
	b.mu.Unlock()
	p.engine.Logout(agentID) // first, so the record going back brings them no next one
	p.engine.ReturnPreview(agentID, pv.contact, time.Time{})
	if ai, err := b.acd.Agent(agentID); err == nil && ai.State == events.AgentAvailable {
		// An error means routing changed the agent's state first; nothing to pause.
		_ = b.acd.Break(agentID, routing.ReasonPreviewTimeout)
	}
}

// findPreview finds the record on agentID's desk, removing it with take.
func (b *Blend) findPreview(agentID string, take bool) (*RoutingPool, preview, bool) {
	b.mu.Lock()
	pools := slices.Clone(b.pools)
	b.mu.Unlock()
	for _, p := range pools {
		p.mu.Lock()
		pv, ok := p.previews[agentID]
		if ok && take {
			delete(p.previews, agentID)
			pv.stop()
		}
		p.mu.Unlock()
		if ok {
			return p, pv, true
		}
	}
	return nil, preview{}, false
}

// dropPreview gives back undialled the record on the desk of an agent the campaign lets go, and
// reports it (ok: there was one).
func (p *RoutingPool) dropPreview(agentID string) (preview, bool) {
	p.mu.Lock()
	pv, ok := p.previews[agentID]
	delete(p.previews, agentID)
	p.mu.Unlock()
	if ok {
		pv.stop()
		p.engine.ReturnPreview(agentID, pv.contact, time.Time{})
	}
	return pv, ok
}

// StopPreviews takes every record off the campaign's desks because the campaign stopped: each
// desktop hears preview_timeout with action stop, and the record goes back to the list
// undialled, for the caller to close with the list's other open contacts.
func (p *RoutingPool) StopPreviews() {
	p.mu.Lock()
	agents := slices.Collect(maps.Keys(p.previews))
	p.mu.Unlock()
	for _, agentID := range agents {
		pv, ok := p.dropPreview(agentID)
		if !ok {
			continue // its deadline took it meanwhile, and told the desktop
		}
		t := routing.PreviewTimeout{Campaign: p.campaign, Contact: pv.contact.ID, Action: PreviewStop, Deadline: pv.deadline, Reason: "campaign stopped"}
		p.blend.push(func(d routing.DeskPusher) { d.PushPreviewTimeout(agentID, t) })
	}
}

// info is the campaign as the desktop shows it on a call or a preview.
func (p *RoutingPool) info(reported string) routing.OutboundInfo {
	return routing.OutboundInfo{Campaign: p.campaign, Script: p.script, Outcomes: slices.Clone(p.outcomes), Reported: reported}
}

func (p *RoutingPool) previewInfo(pv preview) routing.OutboundPreview {
	c := pv.contact
	return routing.OutboundPreview{OutboundInfo: p.info(""), Contact: c.ID, Customer: c.CustomerID, Phone: c.Phone,
		Attempt: max(c.Attempt, 1), Claim: c.ClaimID, Policy: c.PolicyID, Since: pv.since, Deadline: pv.deadlinePtr(), OnTimeout: p.onTimeout()}
}

// onTimeout is what happens at a record's deadline, for the desktop ("" when records wait).
func (p *RoutingPool) onTimeout() string {
	if p.preview.OnTimeout == PreviewWait {
		return ""
	}
	return p.preview.OnTimeout
}

func (pv preview) deadlinePtr() *time.Time {
	if pv.deadline.IsZero() {
		return nil
	}
	d := pv.deadline
	return &d
}

// stop cancels the record's deadline: the agent acted, or the record left the desk.
func (pv preview) stop() {
	if pv.timer != nil {
		pv.timer.Stop()
	}
}
