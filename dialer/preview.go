package dialer

import (
	"fmt"
	"slices"
	"time"

	"github.com/seed-1c4692e8/hotline/routing"
)

// A person at a desktop works a preview campaign through routing.Desktop: the record waits on
// their desk (GET /api/agent/preview, pushed on the WebSocket with the campaign's outcome codes),
// and they dial it (POST /api/agent/preview/dial) or skip it (POST /api/agent/preview/skip). The
// blend is the desktop's routing.PreviewDesk; the desktop calls it inside the routing engine's
// Do, where the blend may touch the ACD.

// skipDelay is how long a skipped record waits before it is due again (for any agent): long
// enough that the agent who skipped it gets another one first.
const skipDelay = time.Hour

var (
	_ routing.PreviewDesk  = (*Blend)(nil)
	_ routing.DeskAttacher = (*Blend)(nil)
)

// preview is a record on an attended agent's desk.
type preview struct {
	contact Contact
	since   time.Time
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
	if !p.engine.previewing(agentID) {
		p.engine.ReturnPreview(agentID, pv.contact, time.Time{})
		return nil, fmt.Errorf("dial preview: %s left campaign %s; the record went back to the list: %w", agentID, p.campaign, routing.ErrState)
	}
	p.engine.PreviewDial(agentID, pv.contact)
	if !p.engine.working(agentID) {
		return nil, fmt.Errorf("dial preview: an inbound call took %s first; the record went back to the list: %w", agentID, routing.ErrState)
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
	due := b.clk.Now().Add(skipDelay)
	p.engine.ReturnPreview(agentID, pv.contact, due)
	return PreviewAction{Campaign: p.campaign, Contact: pv.contact.ID, DueAgain: &due, Reason: reason}, nil
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
		}
		p.mu.Unlock()
		if ok {
			return p, pv, true
		}
	}
	return nil, preview{}, false
}

// dropPreview gives back undialled the record on the desk of an agent the campaign lets go.
func (p *RoutingPool) dropPreview(agentID string) {
	p.mu.Lock()
	pv, ok := p.previews[agentID]
	delete(p.previews, agentID)
	p.mu.Unlock()
	if ok {
		p.engine.ReturnPreview(agentID, pv.contact, time.Time{})
	}
}

// info is the campaign as the desktop shows it on a call or a preview.
func (p *RoutingPool) info(reported string) routing.OutboundInfo {
	return routing.OutboundInfo{Campaign: p.campaign, Script: p.script, Outcomes: slices.Clone(p.outcomes), Reported: reported}
}

func (p *RoutingPool) previewInfo(pv preview) routing.OutboundPreview {
	c := pv.contact
	return routing.OutboundPreview{OutboundInfo: p.info(""), Contact: c.ID, Customer: c.CustomerID, Phone: c.Phone,
		Attempt: max(c.Attempt, 1), Claim: c.ClaimID, Policy: c.PolicyID, Since: pv.since}
}
