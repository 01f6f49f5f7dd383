package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/routing"
)

// simAgent is a simulated agent at a desktop: works a shift, takes breaks, answers offers,
// talks, holds, wraps up.
type simAgent struct {
	id      string
	skills  map[string]int
	shift   Shift
	index   int
	working bool
	leaving bool // simulation draining: no new shifts
	crashed bool // desktop gone: no heartbeats, no clicks
}

// hireAgents builds the team: everyone handles general service; skills for claims,
// complaints, products and sales are spread so every queue has qualified people on each shift.
func (s *Sim) hireAgents() {
	r := s.rAgent
	n := 0
	for _, sh := range s.prof.Shifts {
		for i := 0; i < sh.Agents; i++ {
			n++
			sk := map[string]int{"service": 2 + r.IntN(3)}
			if i%5 != 4 || sh.Name == "night" {
				sk["claims"] = 2 + r.IntN(4)
			}
			if i%3 == 0 {
				sk["complaints"] = 3 + r.IntN(3)
			}
			if i%2 == 0 || sh.Name == "night" {
				sk["products"] = 2 + r.IntN(3)
			}
			if i%2 == 1 || i%7 == 0 {
				sk["sales"] = 1 + r.IntN(4)
			}
			a := &simAgent{id: fmt.Sprintf("A%04d", n), skills: sk, shift: sh, index: i}
			s.agents = append(s.agents, a)
			s.byAgent[a.id] = a
			s.scheduleShift(a, s.localMidnight(s.clk.Now()).AddDate(0, 0, -1))
		}
	}
}

// scheduleShift schedules a's shift starting on the day of midnight, and the one after it.
// A night shift that began yesterday is joined in progress.
func (s *Sim) scheduleShift(a *simAgent, midnight time.Time) {
	start := midnight.Add(a.shift.Start)
	end := start.Add(a.shift.Length)
	now := s.clk.Now()
	next := midnight.AddDate(0, 0, 1)
	if !end.After(now) { // over already: the next day's
		s.scheduleShift(a, next)
		return
	}
	s.clk.AfterFunc(start.Sub(now), func() {
		if a.leaving {
			return
		}
		a.working = true
		s.login(a)
		if p := &s.prof; p.DesktopLoss > 0 && s.rAgent.Float64() < p.DesktopLoss {
			at := dur(s.rAgent.Float64() * a.shift.Length.Seconds())
			s.clk.AfterFunc(at, func() { s.crash(a) })
		}
		if s.prof.Breaks {
			stagger := time.Duration(a.index%4) * 15 * time.Minute
			s.breakAt(a, start.Add(2*time.Hour+stagger), "short_break", 15*time.Minute)
			s.breakAt(a, start.Add(a.shift.Length/2-15*time.Minute+stagger), "lunch", 30*time.Minute)
			s.breakAt(a, end.Add(-2*time.Hour+stagger-30*time.Minute), "short_break", 15*time.Minute)
		}
		s.clk.AfterFunc(end.Sub(s.clk.Now()), func() {
			a.working = false
			_ = s.eng.Logout(a.id, "end_of_shift")
			if !a.leaving {
				s.scheduleShift(a, next)
			}
		})
	})
}

// login logs a in (with a lease when desktops can be lost) and starts its heartbeats.
func (s *Sim) login(a *simAgent) {
	leased := s.prof.DesktopLoss > 0
	if err := s.eng.Login(routing.Login{Agent: a.id, Skills: a.skills, Ready: true, Lease: leased}); err != nil {
		// Still finishing the call of a lost desktop: try again shortly.
		s.clk.AfterFunc(time.Minute, func() {
			if a.working && !a.leaving && !a.crashed {
				s.login(a)
			}
		})
		return
	}
	if leased {
		s.heartbeat(a)
	}
}

func (s *Sim) heartbeat(a *simAgent) {
	s.clk.AfterFunc(s.prof.HeartbeatEvery, func() {
		if a.crashed {
			return
		}
		// Beyond the shift end too, while the last call finishes: until logged out.
		if s.eng.Heartbeat(a.id) == nil {
			s.heartbeat(a)
		}
	})
}

// crash makes a's desktop disappear; the agent is back at a new desktop some minutes later.
func (s *Sim) crash(a *simAgent) {
	if !a.working || a.crashed {
		return
	}
	a.crashed = true
	s.counts.DesktopsLost++
	s.clk.AfterFunc(dur(300+600*s.rAgent.Float64()), func() {
		a.crashed = false
		if a.working && !a.leaving {
			s.login(a)
		}
	})
}

func (s *Sim) breakAt(a *simAgent, at time.Time, reason string, length time.Duration) {
	s.clk.AfterFunc(at.Sub(s.clk.Now()), func() {
		if !a.working || a.crashed {
			return
		}
		_ = s.eng.Break(a.id, reason)
		s.clk.AfterFunc(length, func() {
			if a.working && !a.crashed {
				if ai, err := s.eng.Agent(a.id); err == nil && ai.State == events.AgentBreak && ai.Reason == reason {
					_ = s.eng.Ready(a.id)
				}
			}
		})
	})
}

// Offer implements routing.Observer: the agent picks up after a moment, or (rarely) not at all.
func (s *Sim) Offer(agentID string, call routing.CallInfo) {
	r := s.rAgent
	if a := s.byAgent[agentID]; a == nil || a.crashed {
		return // nobody at the desktop: the offer rings out or the lease lapses
	}
	if r.Float64() < s.prof.NoAnswer {
		return // rings out: the engine makes the agent not ready
	}
	ring := dur(math.Max(1, r.ExpFloat64()*s.prof.RingDelay))
	s.clk.AfterFunc(ring, func() {
		if err := s.eng.Accept(agentID, call.CallID); err != nil {
			return // the caller hung up while it rang
		}
		s.talk(agentID, call)
	})
}

// AgentState implements routing.Observer: an agent made not ready by a missed call comes back.
func (s *Sim) AgentState(ev events.AgentState) {
	if ev.State == events.AgentBreak && ev.Reason == routing.ReasonNoAnswer {
		id := ev.Agent
		s.clk.AfterFunc(dur(20+40*s.rAgent.Float64()), func() {
			if a := s.byAgent[id]; a != nil && a.working && !a.crashed {
				_ = s.eng.Ready(id)
			}
		})
	}
}

func (s *Sim) lineTimes(line string) LineTimes {
	if lt, ok := s.prof.Lines[line]; ok {
		return lt
	}
	return s.prof.Lines[events.LineInquiry]
}

// talk plays the conversation: talk time by line, maybe a hold, then hang-up and wrap-up.
func (s *Sim) talk(agentID string, call routing.CallInfo) {
	r := s.rAgent
	lt := s.lineTimes(call.Line)
	mu := math.Log(lt.Talk) - lt.TalkSigma*lt.TalkSigma/2
	talk := dur(math.Max(15, math.Exp(mu+lt.TalkSigma*r.NormFloat64())))
	if r.Float64() < lt.HoldProb {
		at := dur(talk.Seconds() * (0.3 + 0.4*r.Float64()))
		hold := dur(math.Max(5, r.ExpFloat64()*lt.Hold))
		s.clk.AfterFunc(at, func() {
			if s.eng.Hold(agentID) == nil {
				s.clk.AfterFunc(hold, func() {
					if ai, err := s.eng.Agent(agentID); err == nil && ai.CallID == call.CallID {
						_ = s.eng.Retrieve(agentID)
					}
				})
			}
		})
		talk += hold
	}
	resolved := r.Float64() < lt.Resolved
	wrap := dur(math.Max(5, r.ExpFloat64()*lt.Wrap))
	transfer := call.Line == events.LineComplaint && r.Float64() < 0.08
	s.clk.AfterFunc(talk, func() {
		ai, err := s.eng.Agent(agentID)
		if err != nil || ai.CallID != call.CallID {
			return
		}
		if s.byAgent[agentID].crashed {
			// The conversation goes on without the desktop; the caller hangs up in the end.
			_ = s.eng.Hangup(call.CallID)
			return
		}
		if ai.State == events.AgentHold {
			_ = s.eng.Retrieve(agentID)
		}
		disp := "handled"
		switch {
		case call.Line == events.LineComplaint && call.Customer != "":
			_, _ = s.eng.RegisterComplaint(agentID, routing.ComplaintRequest{
				CallID: call.CallID, Category: []string{"claim_delay", "claim_amount", "service_attitude", "billing"}[r.IntN(4)],
				Department: []string{"claims", "underwriting", "service"}[r.IntN(3)],
			})
			disp = "complaint_registered"
		case call.Line == events.LineClaimsReport && call.Customer != "":
			if cl, ok := s.book.ReportClaim(r, call.Customer, s.clk.Now()); ok {
				s.counts.ClaimsFiled++
				s.emitBook(cl)
				disp = "claim_filed"
			}
		}
		if transfer {
			_ = s.eng.Transfer(agentID, routing.TransferDepartment, "complaints_department")
			disp = "transferred"
		} else {
			_ = s.eng.Hangup(call.CallID)
		}
		s.clk.AfterFunc(wrap, func() {
			if s.byAgent[agentID].crashed {
				return
			}
			if ai, err := s.eng.Agent(agentID); err == nil && ai.State == events.AgentACW && ai.CallID == call.CallID {
				_ = s.eng.Wrapup(agentID, routing.Wrapup{Disposition: disp, Resolved: resolved && !transfer})
			}
		})
	})
}
