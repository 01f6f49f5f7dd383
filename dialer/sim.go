package dialer

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// Workload describes a simulated outbound shift: the team, the list's answer behaviour, and the
// talk and wrap-up times.
type Workload struct {
	Agents      int
	ContactRate float64       // P(a person answers) per attempt
	TalkMean    time.Duration // mean conversation length
	WrapMean    time.Duration // mean after-call work (default 20 s)
	Lines       int           // trunk lines (default 4 per agent, at least 10)
	// AMDFalsePositive is the share of persons the answering-machine detector calls a machine.
	AMDFalsePositive float64
	// PreviewMean is how long an agent looks at a record before dialling it (default 8 s).
	PreviewMean time.Duration
}

func (w *Workload) defaults() {
	if w.WrapMean == 0 {
		w.WrapMean = 20 * time.Second
	}
	if w.Lines == 0 {
		w.Lines = max(10, 4*w.Agents)
	}
	if w.PreviewMean == 0 {
		w.PreviewMean = 8 * time.Second
	}
}

// Ceiling is the most talk minutes an agent-hour can hold on this workload: every logged-in
// second talking or wrapping up, 60 × talk / (talk + wrap-up). No pacing reaches it (an agent
// waits at least for a phone to be answered), so a target above it cannot be met.
func (w Workload) Ceiling() float64 {
	w.defaults()
	t, r := w.TalkMean.Seconds(), w.WrapMean.Seconds()
	return 60 * t / (t + r)
}

// Validate reports the first setting out of range.
func (w Workload) Validate() error {
	switch {
	case w.Agents < 1:
		return fmt.Errorf("workload agents: %d, need at least 1", w.Agents)
	case w.ContactRate <= 0 || w.ContactRate > 1:
		return fmt.Errorf("workload contact rate: %v is not in (0, 1]", w.ContactRate)
	case w.TalkMean <= 0:
		return fmt.Errorf("workload talk mean: %v is not positive", w.TalkMean)
	case w.AMDFalsePositive < 0 || w.AMDFalsePositive >= 1:
		return fmt.Errorf("workload amd false positive: %v is not in [0, 1)", w.AMDFalsePositive)
	}
	return nil
}

// Shares of the attempts no person answers, by what happens instead.
const (
	shareNoAnswer = 0.50
	shareMachine  = 0.25
	shareBusy     = 0.15
	// the rest (0.10) fail: invalid number, network
)

// Customer behaviour of one list entry, drawn from its own random stream so that contact n
// behaves the same under every pacing method (common random numbers make the comparison fair).
type simCustomer struct {
	outcome string        // "person", "machine", no_answer, busy, failed
	after   time.Duration // time from dial to answer (person: end of greeting) or to busy/failed
	amdFP   bool          // the detector will call this person a machine
	talk    time.Duration
}

func drawCustomer(seed uint64, n int, w Workload) simCustomer {
	r := rand.New(rand.NewPCG(seed, uint64(n)*2654435761+1))
	var c simCustomer
	u := r.Float64()
	rest := (u - w.ContactRate) / (1 - w.ContactRate)
	switch {
	case u < w.ContactRate:
		c.outcome = "person"
		// Ring to pick-up: log-normal, median 7 s; plus a 1–2 s greeting before the detector decides.
		c.after = secs(7*math.Exp(0.45*r.NormFloat64()) + 1 + r.Float64())
		c.amdFP = r.Float64() < w.AMDFalsePositive
	case rest < shareNoAnswer:
		c.outcome = events.AttemptNoAnswer
	case rest < shareNoAnswer+shareMachine:
		c.outcome = "machine"
		c.after = secs(14 + 8*r.Float64() + 2) // answers after 3–5 rings, 2 s to detect
	case rest < shareNoAnswer+shareMachine+shareBusy:
		c.outcome = events.AttemptBusy
		c.after = secs(2 + 3*r.Float64())
	default:
		c.outcome = events.AttemptFailed
		c.after = secs(1 + 3*r.Float64())
	}
	// Talk: log-normal with a coefficient of variation near 0.8, floored at 10 s.
	const sigma = 0.7
	mu := math.Log(w.TalkMean.Seconds()) - sigma*sigma/2
	c.talk = secs(math.Max(10, math.Exp(mu+sigma*r.NormFloat64())))
	return c
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// SimContacts is an endless list of fresh contacts numbered from 0; contact n has phone
// +86 138 followed by n, so the simulated carrier can find its behaviour.
type SimContacts struct {
	Campaign string
	Type     string
	next     int
	Reports  int
}

func (s *SimContacts) Next(time.Time) (Contact, bool) {
	n := s.next
	s.next++
	id := strconv.Itoa(n)
	return Contact{
		ID: id, CustomerID: "C" + id, Phone: simPhone(n), CampaignID: s.Campaign,
		CampaignType: s.Type, Attempt: 1,
	}, true
}

func (s *SimContacts) Report(Result) (bool, time.Time) { s.Reports++; return true, time.Time{} }

func simPhone(n int) string { return fmt.Sprintf("+86138%08d", n) }

func simIndex(phone string) int {
	if len(phone) < 6 {
		return 0
	}
	n, _ := strconv.Atoi(phone[6:])
	return n
}

// SimTrunk is a simulated carrier: each number answers (or not) as its simCustomer says.
type SimTrunk struct {
	Engine *Engine
	clk    clock.Clock
	seed   uint64
	w      Workload
	// PersonsMisdetected counts persons the detector called a machine: abandoned calls in the
	// UK reading of the rules, invisible to the dialer.
	PersonsMisdetected int
	Messages           int
}

// NewSimTrunk returns a carrier for workload w; set Engine before dialling.
func NewSimTrunk(clk clock.Clock, seed uint64, w Workload) *SimTrunk {
	w.defaults()
	return &SimTrunk{clk: clk, seed: seed, w: w}
}

func (t *SimTrunk) Dial(callID, phone string) {
	c := drawCustomer(t.seed, simIndex(phone), t.w)
	switch c.outcome {
	case "person":
		t.clk.AfterFunc(c.after, func() {
			if c.amdFP {
				t.PersonsMisdetected++
			}
			t.Engine.Answered(callID, !c.amdFP)
		})
	case "machine":
		t.clk.AfterFunc(c.after, func() { t.Engine.Answered(callID, false) })
	case events.AttemptNoAnswer:
		// Rings until the dialler gives up.
	default:
		t.clk.AfterFunc(c.after, func() { t.Engine.Unanswered(callID, c.outcome) })
	}
}

func (t *SimTrunk) Play(string, string) { t.Messages++ }
func (t *SimTrunk) Hangup(string)       {}

// SimAgents is a simulated team: conversations last as long as the customer's talk time,
// after-call work and preview times are drawn per agent.
type SimAgents struct {
	Engine *Engine
	clk    clock.Clock
	seed   uint64
	w      Workload
	rng    *rand.Rand
	freeAt []time.Time    // when each agent's current call and after-call work end
	index  map[string]int // agent → its place in freeAt
}

// NewSimAgents returns a simulated team for workload w; set Engine before use.
func NewSimAgents(clk clock.Clock, seed uint64, w Workload) *SimAgents {
	w.defaults()
	return &SimAgents{clk: clk, seed: seed, w: w, rng: rand.New(rand.NewPCG(seed, 0x5eed)), index: map[string]int{}}
}

func (p *SimAgents) Connect(agentID, callID string, c Contact) bool {
	cust := drawCustomer(p.seed, simIndex(c.Phone), p.w)
	wrap := secs(p.w.WrapMean.Seconds() * (0.5 + p.rng.Float64()))
	i, ok := p.index[agentID]
	if !ok {
		i = len(p.freeAt)
		p.index[agentID] = i
		p.freeAt = append(p.freeAt, time.Time{})
	}
	p.freeAt[i] = p.clk.Now().Add(cust.talk + wrap)
	p.clk.AfterFunc(cust.talk, func() {
		p.Engine.CallEnded(agentID, callID, "completed", time.Time{})
		p.clk.AfterFunc(wrap, func() { p.Engine.AgentReady(agentID) })
	})
	return true
}

// FreeIn appends to out how long each agent in a call or in after-call work has left: what
// only the simulator knows, for the oracle pacer.
func (p *SimAgents) FreeIn(now time.Time, out []time.Duration) []time.Duration {
	for _, at := range p.freeAt {
		if at.After(now) {
			out = append(out, at.Sub(now))
		}
	}
	return out
}

func (p *SimAgents) Preview(agentID string, c Contact) {
	think := secs(p.w.PreviewMean.Seconds() * (0.5 + p.rng.Float64()))
	p.clk.AfterFunc(think, func() { p.Engine.PreviewDial(agentID, c) })
}
