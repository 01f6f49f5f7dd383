package dialer

import (
	"slices"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/routing"
)

// ACD is the part of the routing engine the dialer shares agents through (*routing.Engine).
// Every method must be called on the goroutine that owns the engine: in `hotline run` that is
// the simulator's, which also runs the dialer's clock callbacks.
type ACD interface {
	Agents() []routing.AgentInfo
	Waiting() map[string]int
	Agent(agentID string) (routing.AgentInfo, error)
	ReserveAgentID(agentID, campaign string) error
	ReserveAgentFor(agentID, campaign string, hold time.Duration) error
	ConnectOutbound(agentID string, oc routing.OutboundCall) error
	ReleaseAgent(agentID string) error
	Break(agentID, reason string) error
	Hangup(callID string) error
	Wrapup(agentID string, w routing.Wrapup) error
}

// BlendConfig sets how much of the inbound team the dialer may borrow.
type BlendConfig struct {
	// KeepIdle is how many available agents are never lent to the dialer, so an inbound call
	// arriving finds someone at once (default 2; -1 lends everyone).
	KeepIdle int
	// Every is how often the blend looks again without an agent state change: a campaign runs
	// out of due contacts, its calling window opens (default 1 s).
	Every time.Duration
}

// Blend lends the ACD's idle agents to the campaigns: blended inbound and outbound on one team.
//
// Inbound keeps priority by construction: an agent lent to a campaign stays available in
// routing, so an inbound call arriving is offered to them as to anyone, and an agent freed from
// any call goes through routing's waiting inbound calls first (the blend hears of them only
// afterwards, from the agent-state change). A predictive campaign takes its agent only at the
// moment a person answers (ReserveAgentID + ConnectOutbound in one step); inbound may take a lent
// agent between the pacing decision and the answer, which the engine handles as an agent gone
// (Connect false: next ready agent, or the 2 s wait). Preview and progressive campaigns promise
// the answered person their agent, so they hold the agent in routing from the dial to the
// answer (Hold: ReserveAgentFor), and give them back when nobody answers (Unhold); when inbound
// took the agent before the dial (while they read a preview record), the record goes back to
// the list undialled.
//
// Idle agents go to campaigns by priority — those with contacts about to miss a deadline
// (AtRisk) ahead of all others — each up to its Agents cap (busy on its calls included), only
// while the campaign is on shift and has contacts due, never the KeepIdle longest idle, and
// none more while any inbound call waits. A person who answers and finds no
// lent agent ready may still borrow an idle one (Borrow): they are on the line now.
type Blend struct {
	acd ACD
	clk clock.Clock
	cfg BlendConfig

	mu       sync.Mutex
	pools    []*RoutingPool // highest priority first
	lent     map[string]*RoutingPool
	busy     map[string]*RoutingPool // on a campaign's call or its after-call work
	attended func(agentID string) bool
	desk     routing.DeskPusher // the attended agents' desktop (AttachDesk)
	timedOut map[string]int     // records in a row an attended agent let time out (pauseAfter)
	pending  bool
	started  bool
}

// SetAttended tells the blend which agents are people at a desktop (routing.Desktop.Attended):
// their outbound conversations end when they report the outcome (ReportOutcome), not when the
// campaign's simulated team would hang up.
func (b *Blend) SetAttended(f func(agentID string) bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.attended = f
}

// NewBlend returns a blend over acd; register it as the engine's observer (routing.Engine
// AddObserver) so it hears of agent state changes, and Start it.
func NewBlend(acd ACD, clk clock.Clock, cfg BlendConfig) *Blend {
	if cfg.KeepIdle == 0 {
		cfg.KeepIdle = 2
	}
	if cfg.KeepIdle < 0 {
		cfg.KeepIdle = 0
	}
	if cfg.Every == 0 {
		cfg.Every = time.Second
	}
	return &Blend{acd: acd, clk: clk, cfg: cfg, lent: map[string]*RoutingPool{}, busy: map[string]*RoutingPool{}, timedOut: map[string]int{}}
}

// Start begins the periodic rebalancing; on a clock.Sim, call it from the driving goroutine.
func (b *Blend) Start() {
	b.mu.Lock()
	if b.started {
		b.mu.Unlock()
		return
	}
	b.started = true
	b.mu.Unlock()
	var tick func()
	tick = func() {
		b.rebalance()
		b.clk.AfterFunc(b.cfg.Every, tick)
	}
	b.clk.AfterFunc(0, tick)
}

// Offer implements routing.Observer; offers show up as agent state changes.
func (b *Blend) Offer(string, routing.CallInfo) {}

// AgentState implements routing.Observer. Routing calls it in the middle of a state change, so
// the blend only schedules a look, on the same clock, shortly after.
func (b *Blend) AgentState(events.AgentState) { b.soon() }

// lookAfter batches the state changes of a busy centre into one look: a national centre changes
// agent states hundreds of times a minute, and every look lists every agent. The delay only
// postpones lending; a lent agent routing has meanwhile taken is caught at Connect.
const lookAfter = 200 * time.Millisecond

func (b *Blend) soon() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pending {
		return
	}
	b.pending = true
	b.clk.AfterFunc(lookAfter, b.rebalance)
}

// Join makes a campaign dial for the blend's agents, at most limit at a time (busy included);
// active says whether the campaign wants agents now. Bind the engine before it starts.
func (b *Blend) Join(c Campaign, limit int, team *Team, active func(time.Time) bool) *RoutingPool {
	p := &RoutingPool{blend: b, campaign: c.ID, script: c.Script, outcomes: slices.Clone(c.Outcomes), priority: c.Priority, limit: limit,
		skill: SkillFor(c.Type), line: LineFor(c.Type), team: team, active: active, calls: map[string]poolCall{}, held: map[string]bool{},
		previews: map[string]preview{}, preview: c.Preview}
	p.preview.defaults()
	team.Bind(p)
	b.mu.Lock()
	b.pools = append(b.pools, p)
	slices.SortStableFunc(b.pools, func(x, y *RoutingPool) int { return y.priority - x.priority })
	b.mu.Unlock()
	b.soon()
	return p
}

type move struct {
	pool  *RoutingPool
	agent string
	in    bool
}

// rebalance takes back lent agents routing no longer shows available (inbound took them, a
// break, logout) or their campaign no longer wants, and lends idle ones to the campaigns.
func (b *Blend) rebalance() {
	now := b.clk.Now()
	b.mu.Lock()
	b.pending = false
	pools := slices.Clone(b.pools)
	b.mu.Unlock()
	b.settleAttended()
	active := make(map[*RoutingPool]bool, len(pools))
	urgent := make(map[*RoutingPool]bool, len(pools))
	for _, p := range pools {
		active[p] = p.engine != nil && p.active(now)
		p.mu.Lock()
		atRisk := p.atRisk
		p.mu.Unlock()
		urgent[p] = active[p] && atRisk != nil && atRisk(now)
	}
	// A campaign with contacts about to miss a service deadline goes ahead of every campaign
	// without, whatever their priorities: a commitment to customers (a claim callback's first
	// attempt within 24 h) is not the marketer's to trade for a reminder campaign's number. It
	// only reorders the campaigns among themselves: inbound keeps its agents (KeepIdle, no
	// lending while a call waits) and its first call on every lent agent, as for any campaign.
	slices.SortStableFunc(pools, func(x, y *RoutingPool) int {
		switch {
		case urgent[x] == urgent[y]:
			return 0
		case urgent[x]:
			return -1
		}
		return 1
	})
	infos := b.acd.Agents()
	queued := 0
	for _, n := range b.acd.Waiting() {
		queued += n
	}

	b.mu.Lock()
	var moves []move
	holding := map[*RoutingPool]int{}
	for _, p := range b.busy {
		holding[p]++
	}
	seen := make(map[string]bool, len(infos))
	var avail []routing.AgentInfo
	for _, ai := range infos {
		seen[ai.Agent] = true
		if _, ok := b.busy[ai.Agent]; ok {
			continue
		}
		if ai.State == events.AgentAvailable {
			avail = append(avail, ai)
			continue
		}
		if p, ok := b.lent[ai.Agent]; ok {
			moves = append(moves, move{p, ai.Agent, false})
			delete(b.lent, ai.Agent)
		}
	}
	for id, p := range b.lent {
		if !seen[id] {
			moves = append(moves, move{p, id, false})
			delete(b.lent, id)
		}
	}
	// The longest idle, whom routing's default strategy offers inbound calls first, stay with
	// inbound; the rest may be lent.
	slices.SortStableFunc(avail, func(x, y routing.AgentInfo) int { return x.Since.Compare(y.Since) })
	keep := min(b.cfg.KeepIdle, len(avail))
	for i, ai := range avail {
		p, ok := b.lent[ai.Agent]
		if !ok {
			continue
		}
		if i >= keep && active[p] && holding[p] < p.limit {
			holding[p]++
			continue
		}
		moves = append(moves, move{p, ai.Agent, false})
		delete(b.lent, ai.Agent)
	}
	for _, ai := range avail[keep:] {
		if queued > 0 {
			break // inbound callers are waiting for agents of other skills: lend nobody more
		}
		if _, ok := b.lent[ai.Agent]; ok {
			continue
		}
		for _, p := range pools {
			if active[p] && holding[p] < p.limit && ai.Skills[p.skill] > 0 {
				b.lent[ai.Agent] = p
				holding[p]++
				moves = append(moves, move{p, ai.Agent, true})
				break
			}
		}
	}
	// A campaign still short of agents takes idle ones lent to a lower-priority campaign (or to
	// any campaign without urgency, when it has contacts at risk).
	for i, p := range pools {
		for _, ai := range avail[keep:] {
			if !active[p] || holding[p] >= p.limit {
				break
			}
			q, ok := b.lent[ai.Agent]
			if !ok || q == p || ai.Skills[p.skill] == 0 || slices.Index(pools, q) <= i {
				continue
			}
			moves = append(moves, move{q, ai.Agent, false}, move{p, ai.Agent, true})
			b.lent[ai.Agent] = p
			holding[q]--
			holding[p]++
		}
	}
	b.mu.Unlock()
	for _, m := range moves {
		if m.in {
			m.pool.engine.Login(m.agent)
		} else {
			m.pool.engine.Logout(m.agent)
			m.pool.dropPreview(m.agent) // a record they were reading goes back undialled
		}
	}
}

// RoutingPool is one campaign's AgentPool over the blend: Connect reserves the routing agent
// the engine picked and connects the answered call to them; the simulated team plays the
// conversation and this pool hangs up and wraps up in routing before telling the engine.
type RoutingPool struct {
	blend    *Blend
	campaign string
	script   string
	outcomes []string
	priority int
	limit    int
	skill    string
	line     string
	team     *Team
	active   func(time.Time) bool
	engine   *Engine
	preview  PreviewPolicy // with defaults applied

	mu       sync.Mutex
	calls    map[string]poolCall // by agent
	borrowed string              // reserved by Borrow for the Connect that follows
	held     map[string]bool     // reserved by Hold for the line ringing for them
	previews map[string]preview  // records on attended agents' desks, not dialled yet

	atRisk func(time.Time) bool // set by AtRisk
}

type poolCall struct {
	routingID   string
	callID      string // the engine's
	contact     Contact
	disposition string
	// attended: a person at a desktop has the call and reports its outcome (ReportOutcome).
	attended bool
}

// AtRisk tells the blend when the campaign has contacts about to miss their deadline
// (ContactList.AtRisk); while f says so, the campaign goes ahead of every campaign without
// such contacts when idle agents are lent, its priority notwithstanding.
func (p *RoutingPool) AtRisk(f func(now time.Time) bool) {
	p.mu.Lock()
	p.atRisk = f
	p.mu.Unlock()
}

// Bind attaches the engine the pool lends agents to.
func (p *RoutingPool) Bind(e *Engine) { p.engine = e }

// Connect implements AgentPool: false when routing no longer has the agent available.
func (p *RoutingPool) Connect(agentID, callID string, c Contact) bool {
	b := p.blend
	p.mu.Lock()
	reserved := p.borrowed == agentID || p.held[agentID]
	p.borrowed = ""
	delete(p.held, agentID)
	p.mu.Unlock()
	if reserved {
		// Borrow or Hold reserved them already.
	} else if err := b.acd.ReserveAgentID(agentID, p.campaign); err != nil {
		b.mu.Lock()
		delete(b.lent, agentID)
		b.mu.Unlock()
		return false
	}
	rid := p.campaign + "-" + callID
	if err := b.acd.ConnectOutbound(agentID, routing.OutboundCall{CallID: rid, Phone: c.Phone, Customer: c.CustomerID, Campaign: p.campaign, Line: p.line}); err != nil {
		// A hold that ran out or an agent who logged out while the line rang.
		_ = b.acd.ReleaseAgent(agentID)
		b.mu.Lock()
		delete(b.lent, agentID)
		delete(b.busy, agentID)
		b.mu.Unlock()
		return false
	}
	b.mu.Lock()
	delete(b.lent, agentID)
	b.busy[agentID] = p
	attended := b.attended != nil && b.attended(agentID)
	b.mu.Unlock()
	p.mu.Lock()
	p.calls[agentID] = poolCall{routingID: rid, callID: callID, contact: c, attended: attended}
	p.mu.Unlock()
	if attended {
		// The person at the desktop talks, then reports the outcome: their socket gets the codes.
		b.push(func(d routing.DeskPusher) { d.PushOutbound(agentID, rid, p.info("")) })
		return true
	}
	return p.team.Connect(agentID, callID, c)
}

// Borrow implements Borrower: an available agent with the campaign's skill whom the blend
// keeps for inbound (or has lent nobody), reserved in routing at once for the person waiting.
// The most recently idle goes, so the longest idle stays for inbound.
func (p *RoutingPool) Borrow(Contact) (string, bool) {
	b := p.blend
	infos := b.acd.Agents()
	b.mu.Lock()
	best := -1
	for i, ai := range infos {
		if ai.State != events.AgentAvailable || ai.Skills[p.skill] == 0 {
			continue
		}
		if _, lent := b.lent[ai.Agent]; lent {
			continue
		}
		if _, busy := b.busy[ai.Agent]; busy {
			continue
		}
		if best < 0 || ai.Since.After(infos[best].Since) {
			best = i
		}
	}
	b.mu.Unlock()
	if best < 0 {
		return "", false
	}
	id := infos[best].Agent
	if err := b.acd.ReserveAgentID(id, p.campaign); err != nil {
		return "", false
	}
	p.mu.Lock()
	p.borrowed = id
	p.mu.Unlock()
	return id, true
}

// Hold implements Holder: the agent is reserved in routing for the line about to ring, so no
// inbound call is offered to them until it is answered or given up.
func (p *RoutingPool) Hold(agentID string, d time.Duration) bool {
	b := p.blend
	if err := b.acd.ReserveAgentFor(agentID, p.campaign, d); err != nil {
		b.mu.Lock()
		delete(b.lent, agentID)
		b.mu.Unlock()
		return false
	}
	b.mu.Lock()
	delete(b.lent, agentID)
	b.busy[agentID] = p
	b.mu.Unlock()
	p.mu.Lock()
	p.held[agentID] = true
	p.mu.Unlock()
	return true
}

// Unhold implements Holder: the reservation ends in routing, which may hand the agent a waiting
// inbound call at once; the blend then takes them back from the campaign at its next look.
func (p *RoutingPool) Unhold(agentID string, stays bool) {
	b := p.blend
	p.mu.Lock()
	held := p.held[agentID]
	delete(p.held, agentID)
	p.mu.Unlock()
	if held {
		// An error means routing released the hold itself (it ran out, or the agent logged out).
		_ = b.acd.ReleaseAgent(agentID)
	}
	b.mu.Lock()
	delete(b.busy, agentID)
	if stays {
		b.lent[agentID] = p // in the campaign's ready list again
	}
	b.mu.Unlock()
	b.soon()
}

// Preview implements AgentPool: the agent reads the record, then dials — a person at the desktop
// through routing.Desktop (the record waits on their desk, DialPreview), else the simulated team.
// The agent stays available in routing while reading (inbound first) and is held from the dial
// on; if inbound took them meanwhile, the record goes back to the list undialled.
func (p *RoutingPool) Preview(agentID string, c Contact) {
	b := p.blend
	b.mu.Lock()
	attended := b.attended != nil && b.attended(agentID)
	b.mu.Unlock()
	if !attended {
		p.team.Preview(agentID, c)
		return
	}
	now := b.clk.Now()
	pv := preview{contact: c, since: now, deadline: p.preview.deadline(now)}
	if !pv.deadline.IsZero() {
		pv.timer = b.clk.AfterFunc(pv.deadline.Sub(now), func() { p.expire(agentID, now) })
	}
	p.mu.Lock()
	p.previews[agentID] = pv
	p.mu.Unlock()
	b.push(func(d routing.DeskPusher) { d.PushPreview(agentID, p.previewInfo(pv)) })
}

// PreviewDial implements Desk.
func (p *RoutingPool) PreviewDial(agentID string, c Contact) { p.engine.PreviewDial(agentID, c) }

// CallEnded implements Desk: the conversation ends in routing, then in the engine.
func (p *RoutingPool) CallEnded(agentID, callID, disposition string, callbackAt time.Time) {
	p.mu.Lock()
	pc, ok := p.calls[agentID]
	if ok {
		pc.disposition = disposition
		p.calls[agentID] = pc
	}
	p.mu.Unlock()
	if ok {
		// An error means routing ended the call itself (a lost desktop's lease ran out).
		_ = p.blend.acd.Hangup(pc.routingID)
	}
	p.engine.CallEnded(agentID, callID, disposition, callbackAt)
}

// AgentReady implements Desk: after-call work ends in routing, which may hand the agent a
// waiting inbound call at once; only an agent routing still shows available goes back to the
// campaign.
func (p *RoutingPool) AgentReady(agentID string) {
	b := p.blend
	p.mu.Lock()
	pc := p.calls[agentID]
	delete(p.calls, agentID)
	p.mu.Unlock()
	_ = b.acd.Wrapup(agentID, routing.Wrapup{Disposition: pc.disposition, Resolved: true})
	p.back(agentID)
}

// back ends a campaign call's after-call work in the engine: the agent goes on with the
// campaign if routing shows them available, else leaves it.
func (p *RoutingPool) back(agentID string) {
	b := p.blend
	ai, err := b.acd.Agent(agentID)
	b.mu.Lock()
	delete(b.busy, agentID)
	back := err == nil && ai.State == events.AgentAvailable
	if back {
		b.lent[agentID] = p
	}
	b.mu.Unlock()
	if !back {
		p.engine.Logout(agentID) // leaves after this wrap-up instead of becoming ready
	}
	p.engine.AgentReady(agentID)
	if back && !p.engine.working(agentID) {
		// The blend took them back while they were busy (Logout): not lent any more.
		b.mu.Lock()
		if b.lent[agentID] == p {
			delete(b.lent, agentID)
		}
		b.mu.Unlock()
	}
	b.soon()
}
