package dialer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/seed-1c4692e8/hotline/dialer/pacing"
	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/sim"
)

// BlendWorkload is a blended day: one team takes inbound calls arriving by the hour as a
// profile's curve has them and, when inbound leaves agents idle, calls an outbound list whose
// contact rate changes with the hour of day and decays as the list is worked.
type BlendWorkload struct {
	Name    string
	Profile string // sim profile whose hourly inbound curve is used: province or national
	Agents  int
	// InboundPerDay is how many calls reach the agents' queue over 24 h; the day's calling
	// hours get the curve's share of them.
	InboundPerDay float64
	// From and To are the calling hours, local (outbound sales calls only 09:00–21:00).
	From, To int
	// KeepIdle is how many idle agents hotline's blend never lends to the dialer.
	KeepIdle int
	// Outbound is the list's behaviour: ContactRate is the rate of a fresh record at an hour
	// factor of 1 (see contactRate), TalkMean and WrapMean the outbound call's.
	Outbound Workload
	// ListPerAgent is the list's size per agent: the contact rate decays with the share of it
	// already dialled.
	ListPerAgent int
}

// Inbound call handling (claims reports and enquiries, sim's line times) and caller patience
// (the province profile's).
const (
	inTalkMean    = 300.0 // s, log-normal
	inTalkSigma   = 0.55
	inWrapMean    = 45.0 // s, exponential, at least 5 s
	patienceMean  = 150.0
	patienceSigma = 0.8
	slThreshold   = 20 * time.Second // service level: answered within 20 s
	shortAbandon  = 5 * time.Second  // abandoned sooner: not counted as offered
)

// outboundHourFactor scales the list's contact rate by local hour: fewer people answer during
// office hours, more at lunch and in the evening.
var outboundHourFactor = [24]float64{9: 0.8, 10: 0.8, 11: 0.85, 12: 1.1, 13: 1.15, 14: 0.85, 15: 0.85, 16: 0.9, 17: 1.2, 18: 1.4, 19: 1.4, 20: 1.3}

// contactRate is P(a person answers) for the n-th record dialled at local hour h: the hour's
// factor times a decay from 1 for a fresh list towards 0.55 once the list is worked through.
func (w BlendWorkload) contactRate(h, n int) float64 {
	size := float64(max(1, w.ListPerAgent*w.Agents))
	return math.Min(0.95, w.Outbound.ContactRate*outboundHourFactor[h]*(0.55+0.45*math.Exp(-float64(n)/size)))
}

// Validate reports the first setting out of range.
func (w BlendWorkload) Validate() error {
	if _, err := sim.ProfileByName(w.Profile); err != nil {
		return fmt.Errorf("blend workload %s: %w", w.Name, err)
	}
	switch {
	case w.Agents < 1:
		return fmt.Errorf("blend workload %s: agents %d, need at least 1", w.Name, w.Agents)
	case w.InboundPerDay < 0 || math.IsNaN(w.InboundPerDay) || math.IsInf(w.InboundPerDay, 0):
		return fmt.Errorf("blend workload %s: inbound per day %v is not a finite count", w.Name, w.InboundPerDay)
	case w.From < 0 || w.To > 24 || w.From >= w.To:
		return fmt.Errorf("blend workload %s: hours %d–%d are not a span of the day", w.Name, w.From, w.To)
	case w.KeepIdle < 0:
		return fmt.Errorf("blend workload %s: keep idle %d is negative", w.Name, w.KeepIdle)
	}
	o := w.Outbound
	o.Agents = w.Agents
	return o.Validate()
}

// BlendRun is one seeded blended day under one blend.
type BlendRun struct {
	Hours int
	// Per local hour of arrival: inbound calls offered (short abandons apart), answered within
	// the service-level threshold, answered, and abandoned (and abandoned after the threshold).
	Offered, AnsweredInSL, Answered, Abandoned, AbandonedLate [24]int
	Outbound                                                  Figures
	TeamHours                                                 float64 // agents × calling hours
	// InboundBusySec is the team's time on inbound calls and their after-call work.
	InboundBusySec float64
}

// ServiceLevel is answered within 20 s / (answered + abandoned after 20 s), KPI.md's default,
// over the hours h with from ≤ h < to; ok false when no call counts.
func (r BlendRun) ServiceLevel(from, to int) (sl float64, ok bool) {
	var good, base int
	for h := from; h < to; h++ {
		good += r.AnsweredInSL[h]
		base += r.Answered[h] + r.AbandonedLate[h]
	}
	if base == 0 {
		return 1, false
	}
	return float64(good) / float64(base), true
}

// inCall is one inbound call of the day, drawn before the day runs so every blend sees the same.
type inCall struct {
	at                   time.Time
	talk, wrap, patience time.Duration
	hour                 int
	answered, gone       bool
	timer                clock.Timer
}

// drawInbound draws the day's inbound calls: Poisson arrivals at the profile curve's hourly rate.
func drawInbound(w BlendWorkload, day time.Time, seed uint64) []*inCall {
	p, _ := sim.ProfileByName(w.Profile)
	var total float64
	for _, x := range p.Hourly {
		total += x
	}
	r := rand.New(rand.NewPCG(seed, 0x1b0d))
	var calls []*inCall
	for h := w.From; h < w.To; h++ {
		rate := w.InboundPerDay * p.Hourly[h] / total / 3600 // per second
		if rate <= 0 {
			continue
		}
		t := 0.0
		for {
			t += r.ExpFloat64() / rate
			if t >= 3600 {
				break
			}
			mu := math.Log(inTalkMean) - inTalkSigma*inTalkSigma/2
			pm := math.Log(patienceMean) - patienceSigma*patienceSigma/2
			calls = append(calls, &inCall{
				at:       day.Add(time.Duration(h)*time.Hour + secs(t)),
				talk:     secs(math.Max(20, math.Exp(mu+inTalkSigma*r.NormFloat64()))),
				wrap:     secs(math.Max(5, inWrapMean*r.ExpFloat64())),
				patience: secs(math.Exp(pm + patienceSigma*r.NormFloat64())),
				hour:     h,
			})
		}
	}
	return calls
}

type blendAgentState int

const (
	blendIdle    blendAgentState = iota // not lent, waiting for inbound
	blendLent                           // logged in to the dialer's campaign
	blendInbound                        // on an inbound call or its after-call work
)

// blendSim is a blended team: inbound first, idle agents lent to one outbound campaign.
type blendSim struct {
	w        BlendWorkload
	clk      *clock.Sim
	eng      *Engine
	seed     uint64
	keepIdle int
	run      *BlendRun

	state    map[string]blendAgentState
	busyOut  map[string]bool // lent and on an outbound call or its after-call work
	idle     []string        // not lent, longest idle first
	lentFree []string        // lent and ready in the campaign, longest first
	queue    []*inCall       // inbound calls waiting, oldest first
	talk     map[int]time.Duration
}

// Connect implements AgentPool: the engine bridges an answered outbound call to a lent agent.
func (b *blendSim) Connect(agentID, callID string, c Contact) bool {
	if b.state[agentID] != blendLent || b.busyOut[agentID] {
		return false
	}
	b.removeLentFree(agentID)
	b.busyOut[agentID] = true
	n := simIndex(c.Phone)
	talk := b.talk[n]
	delete(b.talk, n)
	wrap := secs(b.w.Outbound.WrapMean.Seconds() * (0.5 + rand.New(rand.NewPCG(b.seed, uint64(n)^0x3a9)).Float64()))
	b.clk.AfterFunc(talk, func() {
		b.eng.CallEnded(agentID, callID, "completed", time.Time{})
		b.clk.AfterFunc(wrap, func() { b.outboundDone(agentID) })
	})
	return true
}

// Borrow implements Borrower: a person who answered and found no lent agent ready takes an
// idle one kept for inbound, as hotline's blend allows (they are on the line now).
func (b *blendSim) Borrow(Contact) (string, bool) {
	if len(b.idle) == 0 {
		return "", false
	}
	id := b.idle[0]
	b.idle = b.idle[1:]
	b.state[id] = blendLent
	return id, true
}

// Preview implements AgentPool; blended campaigns here are predictive.
func (b *blendSim) Preview(string, Contact) {}

func (b *blendSim) removeLentFree(id string) {
	for i, a := range b.lentFree {
		if a == id {
			b.lentFree = append(b.lentFree[:i], b.lentFree[i+1:]...)
			return
		}
	}
}

// outboundDone: a lent agent finished an outbound call's after-call work. Inbound waiting takes
// them first; otherwise they are ready in the campaign again.
func (b *blendSim) outboundDone(id string) {
	b.busyOut[id] = false
	if len(b.queue) > 0 {
		b.eng.Logout(id) // in after-call work: leaves when AgentReady comes
		b.eng.AgentReady(id)
		b.state[id] = blendInbound
		b.take(id, b.popQueue())
		return
	}
	b.lentFree = append(b.lentFree, id)
	b.eng.AgentReady(id)
}

func (b *blendSim) popQueue() *inCall {
	c := b.queue[0]
	b.queue = b.queue[1:]
	return c
}

// arrive: an inbound call reaches the queue. An idle agent takes it, else a lent agent ready in
// the campaign is taken back from it, else it waits (and hangs up when out of patience).
func (b *blendSim) arrive(c *inCall) {
	switch {
	case len(b.idle) > 0:
		id := b.idle[0]
		b.idle = b.idle[1:]
		b.state[id] = blendInbound
		b.take(id, c)
	case len(b.lentFree) > 0:
		id := b.lentFree[0]
		b.lentFree = b.lentFree[1:]
		b.eng.Logout(id)
		b.state[id] = blendInbound
		b.take(id, c)
	default:
		b.queue = append(b.queue, c)
		c.timer = b.clk.AfterFunc(c.patience, func() { b.abandon(c) })
	}
}

func (b *blendSim) abandon(c *inCall) {
	if c.answered || c.gone {
		return
	}
	c.gone = true
	for i, q := range b.queue {
		if q == c {
			b.queue = append(b.queue[:i], b.queue[i+1:]...)
			break
		}
	}
	if c.patience < shortAbandon {
		return
	}
	b.run.Offered[c.hour]++
	b.run.Abandoned[c.hour]++
	if c.patience > slThreshold {
		b.run.AbandonedLate[c.hour]++
	}
}

// take puts an agent on an inbound call; when it and its after-call work end, the agent takes
// the next waiting call or goes idle (and may be lent).
func (b *blendSim) take(id string, c *inCall) {
	if c.timer != nil {
		c.timer.Stop()
	}
	c.answered = true
	wait := b.clk.Now().Sub(c.at)
	b.run.Offered[c.hour]++
	b.run.Answered[c.hour]++
	if wait <= slThreshold {
		b.run.AnsweredInSL[c.hour]++
	}
	b.run.InboundBusySec += (c.talk + c.wrap).Seconds()
	b.clk.AfterFunc(c.talk+c.wrap, func() {
		if len(b.queue) > 0 {
			b.take(id, b.popQueue())
			return
		}
		b.state[id] = blendIdle
		b.idle = append(b.idle, id)
		b.lend()
	})
}

// lend logs idle agents beyond KeepIdle in to the campaign, the most recently idle first,
// while the day's calling hours last.
func (b *blendSim) lend() {
	for len(b.idle) > b.keepIdle && len(b.queue) == 0 {
		id := b.idle[len(b.idle)-1]
		b.idle = b.idle[:len(b.idle)-1]
		b.state[id] = blendLent
		b.lentFree = append(b.lentFree, id)
		b.eng.Login(id)
	}
}

// blendTrunk is the outbound carrier of a blended day: contact n answers with the rate of the
// hour it is dialled in and of how far the list is worked.
type blendTrunk struct {
	b *blendSim
	w Workload
}

func (t *blendTrunk) Dial(callID, phone string) {
	n := simIndex(phone)
	w := t.w
	w.ContactRate = t.b.w.contactRate(t.b.clk.Now().Hour(), n)
	c := drawCustomer(t.b.seed, n, w)
	eng := t.b.eng
	switch c.outcome {
	case "person":
		t.b.talk[n] = c.talk
		t.b.clk.AfterFunc(c.after, func() { eng.Answered(callID, !c.amdFP) })
	case "machine":
		t.b.clk.AfterFunc(c.after, func() { eng.Answered(callID, false) })
	case events.AttemptNoAnswer:
	default:
		t.b.clk.AfterFunc(c.after, func() { eng.Unanswered(callID, c.outcome) })
	}
}

func (t *blendTrunk) Play(string, string) {}
func (t *blendTrunk) Hangup(string)       {}

// SimulateBlend runs one seeded blended day with the given outbound pacer; keepIdle is how many
// idle agents are never lent (hotline's blend keeps some for inbound, VICIdial's none).
func SimulateBlend(w BlendWorkload, seed uint64, keepIdle int, newPacer func(start, end time.Time) (pacing.Pacer, error)) (BlendRun, error) {
	if err := w.Validate(); err != nil {
		return BlendRun{}, err
	}
	w.Outbound.Agents = w.Agents
	w.Outbound.defaults()
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	start, end := day.Add(time.Duration(w.From)*time.Hour), day.Add(time.Duration(w.To)*time.Hour)
	clk := clock.NewSim(start)
	pacer, err := newPacer(start, end)
	if err != nil {
		return BlendRun{}, err
	}
	run := &BlendRun{Hours: w.To - w.From, TeamHours: float64(w.Agents * (w.To - w.From))}
	b := &blendSim{
		w: w, clk: clk, seed: seed, keepIdle: keepIdle, run: run,
		state: map[string]blendAgentState{}, busyOut: map[string]bool{}, talk: map[int]time.Duration{},
	}
	src := &SimContacts{Campaign: "blend", Type: events.CampaignTelemarketing}
	eng, err := NewEngine(EngineConfig{Campaign: "blend", Pacer: pacer, Lines: w.Outbound.Lines}, clk, &blendTrunk{b: b, w: w.Outbound}, b, src)
	if err != nil {
		return BlendRun{}, err
	}
	b.eng = eng
	for i := range w.Agents {
		id := "A" + strconv.Itoa(i+1)
		b.state[id] = blendIdle
		b.idle = append(b.idle, id)
	}
	for _, c := range drawInbound(w, day, seed) {
		clk.AfterFunc(c.at.Sub(start), func() { b.arrive(c) })
	}
	eng.Start()
	b.lend()
	for {
		next, ok := clk.Next()
		if !ok || next.After(end) {
			break
		}
		clk.Step()
	}
	clk.RunUntil(end)
	eng.Stop()
	run.Outbound = eng.Figures()
	return *run, nil
}
