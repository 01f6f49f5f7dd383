package dialer

import (
	"math/rand/v2"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// FarEndAnswer is what happens at the far end of one call.
type FarEndAnswer struct {
	Outcome string        // "person", "machine", events.AttemptBusy, AttemptNoAnswer or AttemptFailed
	Ring    time.Duration // dial to pick-up (or to busy / failure)
	Talk    time.Duration // for a person: how long they would talk with an agent
}

// FarEnd is how the called customers behave: the simulator's population in `hotline run`.
type FarEnd interface {
	Answer(c Contact, at time.Time, maxRing time.Duration) FarEndAnswer
}

// FarEndFunc adapts a function to FarEnd.
type FarEndFunc func(c Contact, at time.Time, maxRing time.Duration) FarEndAnswer

func (f FarEndFunc) Answer(c Contact, at time.Time, maxRing time.Duration) FarEndAnswer {
	return f(c, at, maxRing)
}

// SeededFarEnd answers with a fixed contact rate, for runs without a population model.
func SeededFarEnd(seed uint64, contactRate float64, talkMean time.Duration) FarEnd {
	w := Workload{Agents: 1, ContactRate: contactRate, TalkMean: talkMean}
	return FarEndFunc(func(c Contact, at time.Time, maxRing time.Duration) FarEndAnswer {
		n := int(hashString(c.Phone)>>1) ^ int(at.Unix()/60)
		sc := drawCustomer(seed, n, w)
		a := FarEndAnswer{Outcome: sc.outcome, Ring: sc.after, Talk: sc.talk}
		if sc.outcome == events.AttemptNoAnswer {
			a.Ring = maxRing
		}
		return a
	})
}

func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// Carrier is a Trunk over a FarEnd: it rings, reports answers through the engine after the
// far end's ring time, and remembers each answered call's talk time for the agents.
type Carrier struct {
	clk     clock.Clock
	far     FarEnd
	maxRing time.Duration
	amdFP   float64
	mu      sync.Mutex
	rng     *rand.Rand
	engine  *Engine
	calls   map[string]carrierCall
}

type carrierCall struct {
	contact Contact
	talk    time.Duration
	timer   clock.Timer
}

// NewCarrier returns a trunk; amdFP is the share of persons the machine detector misjudges.
func NewCarrier(clk clock.Clock, far FarEnd, maxRing time.Duration, amdFP float64, seed uint64) *Carrier {
	return &Carrier{clk: clk, far: far, maxRing: maxRing, amdFP: amdFP, rng: rand.New(rand.NewPCG(seed, 0x636172)), calls: map[string]carrierCall{}}
}

// Bind attaches the engine the carrier reports to.
func (t *Carrier) Bind(e *Engine) { t.engine = e }

// Dial implements Trunk. The contact is looked up from the engine's call (phone alone is not
// enough for a population keyed by customer), so Dial takes it from DialContact.
func (t *Carrier) Dial(callID, phone string) {}

// DialContact is the Trunk call the engine makes when the trunk wants the whole contact.
func (t *Carrier) DialContact(callID string, c Contact) {
	a := t.far.Answer(c, t.clk.Now(), t.maxRing)
	t.mu.Lock()
	fp := a.Outcome == "person" && t.rng.Float64() < t.amdFP
	cc := carrierCall{contact: c, talk: a.Talk}
	switch a.Outcome {
	case "person":
		cc.timer = t.clk.AfterFunc(a.Ring, func() { t.engine.Answered(callID, !fp) })
	case "machine":
		cc.timer = t.clk.AfterFunc(a.Ring, func() { t.engine.Answered(callID, false) })
	case events.AttemptBusy, events.AttemptFailed:
		outcome := a.Outcome
		cc.timer = t.clk.AfterFunc(a.Ring, func() { t.engine.Unanswered(callID, outcome) })
	}
	t.calls[callID] = cc
	t.mu.Unlock()
}

func (t *Carrier) Play(string, string) {}

func (t *Carrier) Hangup(callID string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.calls[callID]; ok {
		if c.timer != nil {
			c.timer.Stop()
		}
		delete(t.calls, callID)
	}
}

// talk is the conversation length of an answered call.
func (t *Carrier) talk(callID string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.calls[callID]; ok && c.talk > 0 {
		return c.talk
	}
	return 2 * time.Minute
}

// ContactDialer is a Trunk that wants the whole contact rather than the number.
type ContactDialer interface {
	DialContact(callID string, c Contact)
}

// Desk is where a simulated team's agents report what they do: the engine, or a pool in front
// of it that tells the ACD first (RoutingPool).
type Desk interface {
	CallEnded(agentID, callID, disposition string, callbackAt time.Time)
	AgentReady(agentID string)
	PreviewDial(agentID string, c Contact)
}

// Team is a simulated outbound team: conversations last as long as the carrier says, agents
// pick a disposition from the campaign's outcome codes and wrap up.
type Team struct {
	clk     clock.Clock
	carrier *Carrier
	engine  Desk
	mu      sync.Mutex
	rng     *rand.Rand
	pick    func(r *rand.Rand) (disposition string, callbackIn time.Duration)
	wrap    time.Duration
	// OnConnected is told of every conversation (the service runs surveys after it).
	OnConnected func(agentID, callID string, c Contact, disposition string, end time.Time)
}

// NewTeam returns a simulated team drawing dispositions for campaign type ct.
func NewTeam(clk clock.Clock, carrier *Carrier, ct string, seed uint64) *Team {
	return &Team{clk: clk, carrier: carrier, rng: rand.New(rand.NewPCG(seed, 0x7465616d)), pick: dispositionPicker(ct), wrap: 25 * time.Second}
}

// Bind attaches the desk the team reports to (usually the engine).
func (p *Team) Bind(d Desk) { p.engine = d }

func (p *Team) Connect(agentID, callID string, c Contact) bool {
	talk := p.carrier.talk(callID)
	p.mu.Lock()
	disp, cbIn := p.pick(p.rng)
	wrap := time.Duration(float64(p.wrap) * (0.5 + p.rng.Float64()))
	p.mu.Unlock()
	p.clk.AfterFunc(talk, func() {
		now := p.clk.Now()
		var cb time.Time
		if cbIn > 0 {
			cb = now.Add(cbIn)
		}
		p.engine.CallEnded(agentID, callID, disp, cb)
		if p.OnConnected != nil {
			p.OnConnected(agentID, callID, c, disp, now)
		}
		p.clk.AfterFunc(wrap, func() { p.engine.AgentReady(agentID) })
	})
	return true
}

func (p *Team) Preview(agentID string, c Contact) {
	p.mu.Lock()
	think := time.Duration(4+p.rng.IntN(8)) * time.Second
	p.mu.Unlock()
	p.clk.AfterFunc(think, func() { p.engine.PreviewDial(agentID, c) })
}

// dispositionPicker draws agents' outcome codes with plausible shares per campaign type.
func dispositionPicker(ct string) func(*rand.Rand) (string, time.Duration) {
	type w struct {
		code  string
		share float64
	}
	var ws []w
	switch ct {
	case events.CampaignRenewal:
		ws = []w{{"renewed", 0.35}, {"will_renew", 0.25}, {DispositionRefused, 0.12}, {"renewed_elsewhere", 0.08}, {DispositionCallback, 0.12}, {DispositionWrongNumber, 0.05}, {DispositionDoNotCall, 0.03}}
	case events.CampaignPremiumDue:
		ws = []w{{"paid", 0.3}, {"promised_to_pay", 0.4}, {DispositionCallback, 0.15}, {DispositionRefused, 0.05}, {"disputed", 0.05}, {DispositionWrongNumber, 0.05}}
	case events.CampaignClaimCallback:
		ws = []w{{"satisfied", 0.72}, {"issue_raised", 0.14}, {"dissatisfied", 0.06}, {DispositionCallback, 0.06}, {DispositionWrongNumber, 0.02}}
	case events.CampaignTelemarketing:
		ws = []w{{"sale", 0.08}, {"interested", 0.17}, {DispositionRefused, 0.55}, {DispositionCallback, 0.1}, {DispositionDoNotCall, 0.1}}
	default:
		ws = []w{{"completed", 0.7}, {"declined", 0.2}, {DispositionCallback, 0.1}}
	}
	return func(r *rand.Rand) (string, time.Duration) {
		u := r.Float64()
		for _, x := range ws {
			if u < x.share {
				if x.code == DispositionCallback {
					return x.code, time.Duration(2+r.IntN(46)) * time.Hour
				}
				return x.code, 0
			}
			u -= x.share
		}
		return ws[0].code, 0
	}
}
