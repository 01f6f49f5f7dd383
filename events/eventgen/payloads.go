package eventgen

import (
	"fmt"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

var (
	inboundLines = []string{events.LineClaimsReport, events.LineInquiry, events.LineInquiry, events.LineConsultation, events.LineComplaint, events.LineRenewal, events.LineAppointment}
	breakReasons = []string{"lunch", "training", "meeting", "rest"}
	categories   = []string{"claim_delay", "claim_amount", "service_attitude", "sales_misleading", "billing"}
	departments  = []string{"claims", "underwriting", "service", "finance"}
)

func (g *Generator) pick(xs []string) string { return xs[g.rng.IntN(len(xs))] }

func (g *Generator) customer() string { return fmt.Sprintf("C%07d", g.rng.IntN(2_000_000)) }
func (g *Generator) agent() string    { return fmt.Sprintf("A%04d", g.rng.IntN(300)) }
func (g *Generator) phone() string    { return fmt.Sprintf("+86138%08d", g.rng.IntN(100_000_000)) }

func (g *Generator) secs(mean float64) float64 {
	return float64(int64(g.rng.ExpFloat64()*mean*1000)) / 1000
}

func at(t time.Time, sec float64) time.Time {
	return t.Add(time.Duration(sec * float64(time.Second))).Truncate(time.Millisecond)
}

func ptr[T any](v T) *T { return &v }

// event builds the i-th event: the mix follows a hotline's traffic, calls and their lifecycle
// first, the book of business and QA less often.
func (g *Generator) event(i int) events.Event {
	t := g.start.Add(time.Duration(i) * 50 * time.Millisecond)
	var p events.Payload
	r := g.rng.IntN(100)
	if g.onlyCalls {
		r = 0
	}
	switch {
	case r < 30:
		p = g.callRecord(t)
	case r < 55:
		p = events.CallLifecycle{CallID: g.id().String(), Stage: g.pick(events.CallStages), Direction: events.Inbound, Queue: g.pick(inboundLines), Line: g.pick(inboundLines)}
	case r < 57:
		p = events.CallbackRequested{CallbackID: g.id().String(), CallID: g.id().String(), Customer: g.customer(), Phone: g.phone(), Queue: events.LineInquiry, Line: events.LineInquiry}
	case r < 67:
		p = g.agentState()
	case r < 76:
		p = g.dialAttempt(t)
	case r < 80:
		p = events.SMS{MessageID: g.id().String(), Direction: events.Outbound, Kind: "reminder", Status: g.pick([]string{"sent", "delivered", "failed"}), Campaign: "renewal-2026-11", Customer: g.customer(), Phone: g.phone(), Body: "您的保单即将到期 Your policy expires soon", Segments: 1}
	case r < 84:
		p = events.SurveyResponse{ResponseID: g.id().String(), Survey: "post-call-v1", Kind: "post_call", Channel: "ivr", Customer: g.customer(), CallID: g.id().String(), Agent: g.agent(), CSAT: ptr(1 + g.rng.IntN(5)), NPS: ptr(g.rng.IntN(11)), Resolved: ptr(g.rng.IntN(4) > 0)}
	case r < 86:
		reg := t.Add(-time.Duration(g.rng.IntN(72)) * time.Hour)
		p = events.Complaint{ComplaintID: g.id().String(), Stage: "registered", Customer: g.customer(), Category: g.pick(categories), Line: events.LineClaimsReport, Department: g.pick(departments), Channel: "phone", CallID: g.id().String(), Agent: g.agent(), RegisteredAt: reg, DueAt: reg.Add(9 * 24 * time.Hour)}
	case r < 88:
		p = g.evaluation()
	case r < 91:
		p = g.recordingEvent(t)
	case r < 95:
		p = events.Customer{Customer: g.customer(), Name: "客户 Customer", Phone: g.phone(), Province: "GD", City: "Guangzhou", TimeZone: "Asia/Shanghai", Since: t.AddDate(-g.rng.IntN(15), 0, 0).Truncate(24 * time.Hour), MarketingConsent: g.rng.IntN(2) == 0}
	case r < 98:
		start := t.AddDate(0, -g.rng.IntN(12), 0).Truncate(24 * time.Hour)
		p = events.Policy{Policy: g.id().String(), Customer: g.customer(), Product: "AUTO-COMP", Line: g.pick(events.PolicyLines), Status: "active", StartDate: start, EndDate: start.AddDate(1, 0, 0), Premium: float64(1000 + g.rng.IntN(9000))}
	default:
		p = g.claim(t)
	}
	ev := events.New(p, t, "eventgen/1", g.tenant)
	ev.EventID = g.id()
	return ev
}

func (g *Generator) callRecord(t time.Time) events.CallRecord {
	ivr := g.secs(40)
	wait := g.secs(25)
	r := events.CallRecord{CallID: g.id().String(), Direction: events.Inbound, Line: g.pick(inboundLines), Phone: g.phone(), Customer: g.customer(), ArrivedAt: t, IVRSec: ivr, IVRPath: "1>2"}
	r.Queue = r.Line
	r.IVREndedAt = ptr(at(t, ivr))
	switch o := g.rng.IntN(100); {
	case o < 15:
		r.Outcome, r.Queue, r.SelfService, r.Line = events.OutcomeSelfServed, "", "claim_status", events.LineInquiry
		r.EndedAt = *r.IVREndedAt
	case o < 25:
		r.Outcome, r.WaitSec = events.OutcomeAbandoned, wait
		r.QueuedAt = r.IVREndedAt
		r.EndedAt = at(*r.QueuedAt, wait)
	default:
		talk, hold, acw := g.secs(240), 0.0, g.secs(30)
		if g.rng.IntN(5) == 0 {
			hold = g.secs(40)
			r.HoldCount = 1
		}
		r.Outcome, r.WaitSec, r.TalkSec, r.HoldSec, r.ACWSec = events.OutcomeAnswered, wait, talk, hold, acw
		r.QueuedAt = r.IVREndedAt
		r.AnsweredAt = ptr(at(*r.QueuedAt, wait))
		r.EndedAt = at(*r.AnsweredAt, talk+hold)
		r.WrapupEndedAt = ptr(at(r.EndedAt, acw))
		r.Agent = g.agent()
		r.Disposition = "resolved"
		r.Resolved = g.rng.IntN(10) < 7
		r.RecordingID = fmt.Sprintf("%064x", g.rng.Uint64())
	}
	return r
}

func (g *Generator) agentState() events.AgentState {
	s := events.AgentState{Agent: g.agent(), State: g.pick(events.AgentStates), Previous: g.pick(events.AgentStates), PreviousSec: g.secs(120), Queues: []string{events.LineClaimsReport, events.LineInquiry}, Direction: events.Inbound}
	if s.State == events.AgentBreak {
		s.Reason = g.pick(breakReasons)
	}
	return s
}

func (g *Generator) dialAttempt(t time.Time) events.DialAttempt {
	ring := g.secs(12)
	a := events.DialAttempt{AttemptID: g.id().String(), Campaign: "renewal-2026-11", CampaignTyp: events.CampaignRenewal, Contact: g.id().String(), Customer: g.customer(), Phone: g.phone(), Mode: events.ModePredictive, Pacing: "hotline", AttemptNo: 1 + g.rng.IntN(3), DialedAt: t, RingSec: ring}
	switch o := g.rng.IntN(100); {
	case o < 5:
		a.Outcome, a.BlockedRule, a.EndedAt, a.RingSec = events.AttemptBlocked, "calling_window", t, 0
	case o < 45:
		a.Outcome, a.EndedAt = events.AttemptNoAnswer, at(t, ring)
	case o < 55:
		a.Outcome, a.EndedAt = events.AttemptBusy, at(t, 2)
	case o < 65:
		a.Outcome, a.AMD, a.AnsweredAt, a.EndedAt = events.AttemptMachine, "machine", ptr(at(t, ring)), at(t, ring+3)
	case o < 67:
		a.Outcome, a.AMD, a.AnsweredAt, a.WaitSec, a.EndedAt = events.AttemptDropped, "human", ptr(at(t, ring)), 2, at(t, ring+2)
	default:
		talk := g.secs(150)
		a.Outcome, a.AMD, a.AnsweredAt, a.ConnectedAt = events.AttemptConnected, "human", ptr(at(t, ring)), ptr(at(t, ring+0.4))
		a.WaitSec, a.TalkSec, a.EndedAt, a.Agent, a.Disposition = 0.4, talk, at(t, ring+0.4+talk), g.agent(), g.pick([]string{"renewed", "refused", "callback"})
	}
	return a
}

func (g *Generator) evaluation() events.QAEvaluation {
	score := float64(60 + g.rng.IntN(41))
	return events.QAEvaluation{EvaluationID: g.id().String(), Status: "submitted", Kind: "regular", CallID: g.id().String(), Agent: g.agent(), Evaluator: "qa01", Scorecard: "insurance-default", Version: 1, Score: score,
		Sections: []events.SectionScore{{Section: "greeting", Score: score, Weight: 10}, {Section: "accuracy", Score: score, Weight: 40}, {Section: "closing", Score: score, Weight: 50}}}
}

func (g *Generator) recordingEvent(t time.Time) events.Payload {
	id := fmt.Sprintf("%016x%016x", g.rng.Uint64(), g.rng.Uint64())
	call := g.id().String()
	switch g.rng.IntN(4) {
	case 3:
		return events.RecordingDeleted{RecordingID: id, CallID: call, Reason: "retention"}
	case 0:
		d := g.secs(240) + 1
		return events.RecordingStored{RecordingID: id, CallID: call, Agent: g.agent(), DurationSec: d, Channels: 2, SampleRate: 8000, Checksum: "sha256:" + id, Path: id[:2] + "/" + id + ".wav", SizeBytes: int64(d*32000) + 44, RetainUntil: t.AddDate(3, 0, 0)}
	case 1:
		talk := g.secs(100)
		return events.RecordingAnalysis{RecordingID: id, CallID: call, Agent: g.agent(), DurationSec: 2*talk + 10, AgentTalkSec: talk, CustomerTalkSec: talk, SilenceSec: 10, SilenceRatio: 10 / (2*talk + 10), AgentTalkShare: 0.5, AgentLevelDBFS: -20, CustomerLevelDBFS: -24}
	default:
		return events.RecordingAccessed{RecordingID: id, CallID: call, User: "qa01", Role: "qa", Action: "play", Client: "10.1.2.3"}
	}
}

func (g *Generator) claim(t time.Time) events.Claim {
	c := events.Claim{Claim: g.id().String(), Policy: g.id().String(), Customer: g.customer(), Status: g.pick(events.ClaimStatuses), AccidentType: "collision", ReportedAt: t.Add(-time.Duration(g.rng.IntN(30*24)) * time.Hour), Claimed: float64(g.rng.IntN(50000))}
	if c.Status == "closed" || c.Status == "rejected" {
		c.ClosedAt = ptr(t)
		c.Paid = c.Claimed * 0.8
	}
	return c
}
