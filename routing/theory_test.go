package routing_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/routing"
	"github.com/seed-1c4692e8/hotline/routing/staffing"
)

// measured keeps what the theory check compares, from the engine's own call records.
type measured struct {
	calls, answered, abandoned, waited, within int
	waitSum                                    float64
	threshold                                  float64
}

func (m *measured) Publish(_ context.Context, evs ...events.Event) error {
	for _, ev := range evs {
		r, ok := ev.Payload.(events.CallRecord)
		if !ok {
			continue
		}
		m.calls++
		switch r.Outcome {
		case events.OutcomeAnswered:
			m.answered++
			if r.WaitSec > 0 {
				m.waited++
			}
			if r.WaitSec <= m.threshold {
				m.within++
			}
			m.waitSum += r.WaitSec
		case events.OutcomeAbandoned:
			m.abandoned++
			m.waitSum += r.WaitSec
		}
	}
	return nil
}

// instant plays agents who answer at once, talk an exponential time and skip wrap-up.
type instant struct {
	clk  *clock.Sim
	eng  *routing.Engine
	rng  *rand.Rand
	mean float64
}

func (p *instant) Offer(agentID string, c routing.CallInfo) {
	p.clk.AfterFunc(0, func() {
		if err := p.eng.Accept(agentID, c.CallID); err != nil {
			panic(err)
		}
		talk := time.Duration(p.rng.ExpFloat64() * p.mean * float64(time.Second))
		p.clk.AfterFunc(talk, func() {
			_ = p.eng.Hangup(c.CallID)
			_ = p.eng.Wrapup(agentID, routing.Wrapup{})
		})
	})
}
func (p *instant) AgentState(events.AgentState) {}

// runMMN runs Poisson arrivals into one queue served by n agents through the real engine.
// patience 0 means nobody abandons.
func runMMN(t *testing.T, seed uint64, n int, lambda, aht, patience float64, calls int, threshold float64) *measured {
	t.Helper()
	clk := clock.NewSim(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	m := &measured{threshold: threshold}
	cfg := routing.Config{Queues: []routing.QueueConfig{{Name: "q", Line: events.LineInquiry, Skills: []routing.SkillReq{{Skill: "s", Min: 1}}}}}
	rng := rand.New(rand.NewPCG(seed, 1))
	pl := &instant{clk: clk, rng: rand.New(rand.NewPCG(seed, 2)), mean: aht}
	eng, err := routing.New(cfg, clk, routing.WithSink(m), routing.WithObserver(pl), routing.WithEventIDs(routing.SeededIDs(seed)))
	if err != nil {
		t.Fatal(err)
	}
	pl.eng = eng
	for i := 0; i < n; i++ {
		if err := eng.Login(routing.Login{Agent: fmt.Sprintf("a%03d", i), Skills: map[string]int{"s": 1}, Ready: true}); err != nil {
			t.Fatal(err)
		}
	}
	warm := calls / 20 // the first 5% start from an empty system: not counted
	var arrive func(i int)
	arrive = func(i int) {
		id := fmt.Sprintf("c%07d", i)
		if err := eng.Arrive(routing.Arrival{CallID: id, Phone: "+8613800000000", Queue: "q"}); err != nil {
			panic(err)
		}
		if patience > 0 {
			clk.AfterFunc(time.Duration(rng.ExpFloat64()*patience*float64(time.Second)), func() { _, _ = eng.Abandon(id) })
		}
		if i+1 < calls {
			clk.AfterFunc(time.Duration(rng.ExpFloat64()/lambda*float64(time.Second)), func() { arrive(i + 1) })
		}
	}
	arrive(0)
	for clk.Step() {
		if m.calls == warm {
			*m = measured{threshold: threshold}
			warm = -1
		}
	}
	return m
}

// TestTheoryErlangC: an M/M/N queue through the real routing code agrees with Erlang C.
func TestTheoryErlangC(t *testing.T) {
	const n, aht, sl = 10, 180.0, 20.0
	lambda := 8.0 / aht // 8 Erlangs on 10 agents
	m := runMMN(t, seedFromEnv(42), n, lambda, aht, 0, 2_000_000, sl)
	want, err := staffing.C(staffing.Load{CallsPerHour: lambda * 3600, AHT: aht}, n, sl)
	if err != nil {
		t.Fatal(err)
	}
	pw := float64(m.waited) / float64(m.answered)
	asa := m.waitSum / float64(m.answered)
	slm := float64(m.within) / float64(m.answered)
	t.Logf("calls %d: P(wait) %.4f vs %.4f, ASA %.2f vs %.2f s, SL %.4f vs %.4f", m.answered, pw, want.PWait, asa, want.ASA, slm, want.SL)
	if m.abandoned != 0 {
		t.Fatalf("%d abandoned without patience", m.abandoned)
	}
	if rel(pw, want.PWait) > 0.03 || rel(asa, want.ASA) > 0.05 || math.Abs(slm-want.SL) > 0.01 {
		t.Fatalf("measured P(wait) %.4f ASA %.2f SL %.4f; Erlang C %.4f %.2f %.4f", pw, asa, slm, want.PWait, want.ASA, want.SL)
	}
}

// TestTheoryErlangA: with exponential patience, abandonment agrees with Erlang A.
func TestTheoryErlangA(t *testing.T) {
	const n, aht, patience = 10, 180.0, 120.0
	lambda := 10.0 / aht // offered 10 Erlangs on 10 agents: only abandonment keeps it stable
	m := runMMN(t, 7, n, lambda, aht, patience, 300_000, 20)
	want, err := staffing.A(staffing.Load{CallsPerHour: lambda * 3600, AHT: aht}, n, 20, patience)
	if err != nil {
		t.Fatal(err)
	}
	total := m.answered + m.abandoned
	pab := float64(m.abandoned) / float64(total)
	pw := float64(m.waited+m.abandoned) / float64(total)
	sl := float64(m.within) / float64(total)
	t.Logf("calls %d: P(abandon) %.4f vs %.4f, P(wait) %.4f vs %.4f, SL %.4f vs %.4f", total, pab, want.PAbandon, pw, want.PWait, sl, want.SL)
	if rel(pab, want.PAbandon) > 0.04 || rel(pw, want.PWait) > 0.03 || math.Abs(sl-want.SL) > 0.015 {
		t.Fatalf("measured P(abandon) %.4f P(wait) %.4f; Erlang A %.4f %.4f", pab, pw, want.PAbandon, want.PWait)
	}
}

func rel(got, want float64) float64 { return math.Abs(got-want) / want }

func seedFromEnv(def uint64) uint64 {
	var s uint64
	if _, err := fmt.Sscan(os.Getenv("THEORY_SEED"), &s); err == nil {
		return s
	}
	return def
}
