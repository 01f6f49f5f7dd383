// Package routingbench is `hotline bench routing`: routing decision latency in a large centre
// and the simulator's speed on a national-profile day.
package routingbench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/cli"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/routing"
	"github.com/seed-1c4692e8/hotline/sim"
)

// Centre is the size of the synthetic centre.
type Centre struct {
	Agents, Skills, Queues int
	CallsPerHour           float64 // arrivals spread over the queues
	Talk                   float64 // mean talk seconds (exponential)
	Hours                  float64 // simulated hours measured (after one hour of warm-up)
}

// DefaultCentre is the target: 1,000 agents, 100 skills, 50 queues, at the national
// profile's peak hour (about 5,300 calls an hour), loaded to about 90% occupancy.
func DefaultCentre() Centre {
	return Centre{Agents: 1000, Skills: 100, Queues: 50, CallsPerHour: 5300, Talk: 600, Hours: 4}
}

// Latency is the distribution of routing decision times.
type Latency struct {
	Decisions      int
	P50, P99, Max  time.Duration
	Calls          int
	Answered       int
	WallTime       time.Duration
	SimulatedHours float64
}

// centre is the synthetic centre under load.
type centre struct {
	c         Centre
	clk       *clock.Sim
	eng       *routing.Engine
	r         *rand.Rand
	lat       []time.Duration
	measuring bool
	n         int
}

func newCentre(c Centre, seed uint64) (*centre, error) {
	x := &centre{c: c, r: rand.New(rand.NewPCG(seed, 11))}
	cfg := routing.Config{}
	strategies := routing.Strategies
	for q := 0; q < c.Queues; q++ {
		qc := routing.QueueConfig{
			Name: fmt.Sprintf("q%02d", q), Line: events.BusinessLines[q%6], Priority: q % 3 * 5,
			Strategy: strategies[q%len(strategies)],
			Skills:   []routing.SkillReq{{Skill: fmt.Sprintf("s%03d", (q*2)%c.Skills), Min: 3}},
			Relax:    []routing.RelaxStep{{After: 20 * time.Second, Drop: 1}, {After: 40 * time.Second, Drop: 2}},
		}
		if q%2 == 0 {
			qc.Skills = append(qc.Skills, routing.SkillReq{Skill: fmt.Sprintf("s%03d", (q*2+1)%c.Skills), Min: 1})
		}
		if q > 0 {
			qc.Overflow = []routing.OverflowStep{{After: 60 * time.Second, Queue: fmt.Sprintf("q%02d", q-1)}}
		}
		cfg.Queues = append(cfg.Queues, qc)
	}
	x.clk = clock.NewSim(time.Date(2026, 11, 4, 9, 0, 0, 0, time.UTC))
	timer := func(d time.Duration) {
		if x.measuring {
			x.lat = append(x.lat, d)
		}
	}
	pl := &player{clk: x.clk, r: rand.New(rand.NewPCG(seed, 12)), talk: c.Talk}
	eng, err := routing.New(cfg, x.clk, routing.WithDecisionTimer(timer), routing.WithObserver(pl))
	if err != nil {
		return nil, err
	}
	pl.eng = eng
	x.eng = eng
	// Every agent holds the skill pairs of a few queues, so each queue has on the order of a
	// hundred members and agents sit in several queues: the fairness scan has work to do.
	for a := 0; a < c.Agents; a++ {
		sk := map[string]int{}
		for k := 0; k < 4; k++ {
			q := x.r.IntN(c.Queues)
			sk[fmt.Sprintf("s%03d", (q*2)%c.Skills)] = 2 + x.r.IntN(4)
			sk[fmt.Sprintf("s%03d", (q*2+1)%c.Skills)] = 1 + x.r.IntN(5)
		}
		if err := eng.Login(routing.Login{Agent: fmt.Sprintf("A%04d", a), Skills: sk, Ready: true}); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// nextArrival places one call and runs the centre until the next one is due.
func (x *centre) nextArrival() {
	x.n++
	id := fmt.Sprintf("c%07d", x.n)
	q := fmt.Sprintf("q%02d", x.r.IntN(x.c.Queues))
	if err := x.eng.Arrive(routing.Arrival{CallID: id, Phone: "+8613800000000", Queue: q}); err != nil {
		panic(err)
	}
	x.clk.AfterFunc(time.Duration((30+x.r.ExpFloat64()*120)*float64(time.Second)), func() { _, _ = x.eng.Abandon(id) })
	x.clk.Advance(time.Duration(x.r.ExpFloat64() / (x.c.CallsPerHour / 3600) * float64(time.Second)))
}

// warmUp runs an hour of traffic so the centre is loaded.
func (x *centre) warmUp() {
	end := x.clk.Now().Add(time.Hour)
	for x.clk.Now().Before(end) {
		x.nextArrival()
	}
}

// MeasureDecisions runs the synthetic centre and times every routing decision (a call looking
// for an agent, or an agent looking for a call) with the wall clock.
func MeasureDecisions(c Centre, seed uint64) (Latency, error) {
	x, err := newCentre(c, seed)
	if err != nil {
		return Latency{}, err
	}
	x.warmUp()
	x.measuring = true
	before := x.eng.Stats()
	t0 := time.Now()
	end := x.clk.Now().Add(time.Duration(c.Hours * float64(time.Hour)))
	for x.clk.Now().Before(end) {
		x.nextArrival()
	}
	wall := time.Since(t0)
	after := x.eng.Stats()
	lat := x.lat
	if len(lat) == 0 {
		return Latency{}, fmt.Errorf("no routing decisions measured")
	}
	slices.Sort(lat)
	return Latency{
		Decisions: len(lat), P50: lat[len(lat)/2], P99: lat[len(lat)*99/100], Max: lat[len(lat)-1],
		Calls: after.Arrived - before.Arrived, Answered: after.Answered - before.Answered, WallTime: wall, SimulatedHours: c.Hours,
	}, nil
}

// player answers after two seconds, talks an exponential time and wraps up in ten.
type player struct {
	clk  *clock.Sim
	eng  *routing.Engine
	r    *rand.Rand
	talk float64
}

func (p *player) Offer(agentID string, c routing.CallInfo) {
	p.clk.AfterFunc(2*time.Second, func() {
		if p.eng.Accept(agentID, c.CallID) != nil {
			return
		}
		p.clk.AfterFunc(time.Duration(p.r.ExpFloat64()*p.talk*float64(time.Second)), func() {
			_ = p.eng.Hangup(c.CallID)
			p.clk.AfterFunc(10*time.Second, func() { _ = p.eng.Wrapup(agentID, routing.Wrapup{}) })
		})
	})
}
func (p *player) AgentState(events.AgentState) {}

// SimSpeed is the wall time of one simulated national-profile day.
type SimSpeed struct {
	Calls, Events int
	Wall          time.Duration
}

// MeasureSimulator runs one national-profile day with no sink and times it.
func MeasureSimulator(ctx context.Context, seed uint64) (SimSpeed, error) {
	start := time.Date(2026, 11, 4, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	t0 := time.Now()
	s, err := sim.New(sim.Options{Profile: sim.National(), Seed: seed, Start: start})
	if err != nil {
		return SimSpeed{}, err
	}
	if err := s.RunUntil(ctx, start.Add(24*time.Hour)); err != nil {
		return SimSpeed{}, err
	}
	c := s.Counts()
	return SimSpeed{Calls: c.Calls, Events: c.Events, Wall: time.Since(t0)}, nil
}

// Bench is `hotline bench routing`.
func Bench(ctx context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("bench routing", stdout, "hotline bench routing [flags]",
		"Times routing decisions (p50/p99, target p99 < 50 µs) in a synthetic centre under a\n"+
			"national-profile peak load, and a national-profile simulated day (target < 30 s).")
	def := DefaultCentre()
	agents := fs.Int("agents", def.Agents, "agents in the synthetic centre")
	skills := fs.Int("skills", def.Skills, "skills")
	queues := fs.Int("queues", def.Queues, "queues")
	cph := fs.Float64("calls-per-hour", def.CallsPerHour, "arrivals per hour")
	hours := fs.Float64("hours", def.Hours, "simulated hours measured")
	seed := fs.Uint64("seed", 1, "random seed")
	skipSim := fs.Bool("skip-sim", false, "skip the national-day simulator timing")
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	c := Centre{Agents: *agents, Skills: *skills, Queues: *queues, CallsPerHour: *cph, Talk: def.Talk, Hours: *hours}
	l, err := MeasureDecisions(c, *seed)
	if err != nil {
		return fmt.Errorf("bench routing: %w", err)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "measure\tvalue\ttarget\n")
	fmt.Fprintf(tw, "centre\t%d agents, %d skills, %d queues, %.0f calls/h\t\n", c.Agents, c.Skills, c.Queues, c.CallsPerHour)
	fmt.Fprintf(tw, "routing decisions\t%d over %.0f simulated hours (%d calls, %d answered)\t\n", l.Decisions, l.SimulatedHours, l.Calls, l.Answered)
	fmt.Fprintf(tw, "decision latency p50\t%s\t\n", l.P50)
	fmt.Fprintf(tw, "decision latency p99\t%s\t< 50µs %s\n", l.P99, verdict(l.P99 < 50*time.Microsecond))
	fmt.Fprintf(tw, "decision latency max\t%s\t\n", l.Max)
	fmt.Fprintf(tw, "wall time of those hours\t%s\t\n", l.WallTime.Round(time.Millisecond))
	if !*skipSim {
		s, err := MeasureSimulator(ctx, *seed)
		if err != nil {
			return fmt.Errorf("bench routing: %w", err)
		}
		fmt.Fprintf(tw, "national-profile day\t%s (%d calls, %d events)\t< 30s %s\n", s.Wall.Round(time.Millisecond), s.Calls, s.Events, verdict(s.Wall < 30*time.Second))
	}
	return tw.Flush()
}

func verdict(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
}
