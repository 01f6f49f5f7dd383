package chtest

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
)

// The fixture: a small book of business and two weeks of hotline traffic with known content,
// written straight into the fact tables (fast and exact). Tests recompute every KPI from these
// Go values independently of the SQL.

// Call is a call_records row.
type Call struct {
	Tenant, CallID, Direction, Line, Queue, Customer, Agent, Campaign, Outcome, SelfService string
	Arrived                                                                                 time.Time
	IVREnded, Queued, Answered                                                              *time.Time
	Ended                                                                                   time.Time
	IVRSec, WaitSec, TalkSec, HoldSec, ACWSec                                               float64
	Transferred                                                                             bool
}

// AgentState is an agent_states row.
type AgentState struct {
	Tenant, Agent, State, Previous, Direction string
	At                                        time.Time
	PreviousSec                               float64
	Queues                                    []string
}

// Survey is a survey_responses row.
type Survey struct {
	Tenant, ResponseID, Kind, Customer, Claim, Agent, Line, Campaign, Issue string
	At                                                                      time.Time
	CSAT, NPS, Resolved                                                     *uint8
}

// Complaint is a complaints row (one stage).
type Complaint struct {
	Tenant, ComplaintID, Stage, Customer, Category, Line, Department, Channel, AgainstAgent string
	At, Registered, Due                                                                     time.Time
}

// Claim is a claims row.
type Claim struct {
	Tenant, Claim, Policy, Customer, Status string
	Reported                                time.Time
	Closed                                  *time.Time
	Claimed, Paid                           float64
	At                                      time.Time
}

// Attempt is a dial_attempts row.
type Attempt struct {
	Tenant, AttemptID, Campaign, CampaignType, Customer, Outcome, Agent, Claim string
	Contact, AMD, BlockedRule                                                  string
	Disposition                                                                string // the agent's outcome code of a connected attempt
	No                                                                         int    // try of its contact, from 1
	Final                                                                      bool
	Dialed                                                                     time.Time
	Connected                                                                  *time.Time
}

// SMS is an sms_messages row (one step of a message).
type SMS struct {
	Tenant, MessageID, Campaign, Status string
	At                                  time.Time
}

// Policy is a policies row.
type Policy struct {
	Tenant, Policy, Customer, Line, Status, RenewedFrom string
	Start, End                                          time.Time
	Premium                                             float64
	At                                                  time.Time
}

// Customer is a customers row.
type Customer struct {
	Tenant, Customer, Phone string
	Since                   time.Time
	Blacklisted             bool
	At                      time.Time
}

// QAEval is a qa_evaluations row.
type QAEval struct {
	Tenant, EvaluationID, Agent, Status, Kind, Line, CallID string
	Score                                                   float64
	At                                                      time.Time
}

// Fixture is everything loaded.
type Fixture struct {
	Start, End time.Time // the traffic period; calls run a further 8 days for FCR repeats
	Holidays   []string
	Workdays   []string
	Calls      []Call
	States     []AgentState
	Surveys    []Survey
	Complaints []Complaint
	Claims     []Claim
	Attempts   []Attempt
	Policies   []Policy
	Customers  []Customer
	QA         []QAEval
	SMS        []SMS
	Agents     []string
	Queues     []string
}

func ptr[T any](v T) *T { return &v }

// Generate builds a deterministic fixture. It spans China's National Day week (holidays
// 2026-10-01..07, make-up workday Saturday 2026-10-10) so complaint deadlines cross a holiday.
func Generate(seed int64) *Fixture {
	r := rand.New(rand.NewSource(seed))
	f := &Fixture{
		Start:    time.Date(2026, 9, 28, 0, 0, 0, 0, time.UTC),
		End:      time.Date(2026, 10, 12, 0, 0, 0, 0, time.UTC),
		Holidays: []string{"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"},
		Workdays: []string{"2026-10-10"},
		Agents:   []string{"a1", "a2", "a3", "a4", "a5"},
		Queues:   []string{"q_claims", "q_inquiry", "q_consult"},
	}
	lines := map[string]string{"q_claims": "claims_report", "q_inquiry": "inquiry", "q_consult": "consultation"}
	tenants := []string{"t1", "t2"}
	customers := 120
	for i := 0; i < customers; i++ {
		f.Customers = append(f.Customers, Customer{Tenant: tenants[i%2], Customer: fmt.Sprintf("c%03d", i), Phone: fmt.Sprintf("+86138%08d", i),
			Since: f.Start.AddDate(-r.Intn(8), -r.Intn(12), 0), Blacklisted: i%37 == 5, At: f.Start.AddDate(0, -1, 0)})
		np := 1 + r.Intn(3)
		for j := 0; j < np; j++ {
			st := "active"
			if r.Intn(5) == 0 {
				st = "expired"
			}
			renewed := ""
			if r.Intn(3) == 0 {
				renewed = fmt.Sprintf("old-%03d-%d", i, j)
			}
			line := []string{"auto", "property", "life", "health"}[r.Intn(4)]
			f.Policies = append(f.Policies, Policy{Tenant: tenants[i%2], Policy: fmt.Sprintf("p%03d-%d", i, j), Customer: fmt.Sprintf("c%03d", i),
				Line: line, Status: st, RenewedFrom: renewed, Start: f.Start.AddDate(-1, 0, 0), End: f.Start.AddDate(0, r.Intn(12), 0),
				Premium: float64(1000 + r.Intn(5000)), At: f.Start.AddDate(0, -1, 0)})
			if r.Intn(6) == 0 { // a later version changes the status (lapse or reinstatement)
				p := f.Policies[len(f.Policies)-1]
				p.Status, p.At = map[string]string{"active": "lapsed", "expired": "active"}[p.Status], f.Start.AddDate(0, 0, r.Intn(14))
				f.Policies = append(f.Policies, p)
			}
		}
	}
	// Calls: one every ~97 s over the period plus 8 days, distinct timestamps.
	span := f.End.Add(8 * 24 * time.Hour).Sub(f.Start)
	n := 0
	for t := f.Start.Add(17 * time.Second); t.Before(f.Start.Add(span)); t = t.Add(time.Duration(60+r.Intn(80)) * time.Second) {
		n++
		c := Call{Tenant: tenants[r.Intn(2)], CallID: fmt.Sprintf("call-%06d", n), Arrived: t}
		if r.Intn(6) == 0 {
			c.Direction, c.Campaign, c.Line, c.Customer = "outbound", []string{"camp_renew", "camp_survey"}[r.Intn(2)], "renewal", fmt.Sprintf("c%03d", r.Intn(customers))
			if r.Intn(2) == 0 {
				c.Outcome, c.Agent, c.TalkSec, c.ACWSec = "answered", f.Agents[r.Intn(5)], float64(30+r.Intn(300)), float64(r.Intn(60))
				c.Answered = ptr(t.Add(20 * time.Second))
			} else {
				c.Outcome = "no_answer"
			}
			c.Ended = t.Add(time.Duration(c.TalkSec+25) * time.Second)
			f.Calls = append(f.Calls, c)
			continue
		}
		c.Direction = "inbound"
		if r.Intn(5) > 0 {
			c.Customer = fmt.Sprintf("c%03d", r.Intn(customers))
		}
		c.IVRSec = float64(5 + r.Intn(40))
		ivrEnd := t.Add(time.Duration(c.IVRSec) * time.Second)
		if r.Intn(10) > 0 {
			c.IVREnded = &ivrEnd
		}
		q := f.Queues[r.Intn(3)]
		c.Line = lines[q]
		switch k := r.Intn(20); {
		case k < 2:
			c.Outcome, c.SelfService, c.Line = "self_served", "claim_status", "inquiry"
			c.Ended = ivrEnd
		case k < 3:
			c.Outcome = "ivr_abandoned"
			c.Ended = ivrEnd
		default:
			c.Queue = q
			c.Queued = &ivrEnd
			c.WaitSec = float64(r.Intn(60))
			if r.Intn(4) == 0 {
				c.WaitSec += 0.5 // fractional waits, around the thresholds too
			}
			switch m := r.Intn(10); {
			case m < 7:
				c.Outcome, c.Agent = "answered", f.Agents[r.Intn(5)]
				c.Answered = ptr(ivrEnd.Add(time.Duration(c.WaitSec) * time.Second))
				c.TalkSec, c.HoldSec, c.ACWSec = float64(20+r.Intn(400)), float64(r.Intn(3)*15), float64(r.Intn(90))
				c.Transferred = r.Intn(12) == 0
			case m < 9:
				c.Outcome = "abandoned"
				if r.Intn(3) == 0 {
					c.WaitSec = float64(r.Intn(5)) + 0.25 // short abandons
				}
			default:
				c.Outcome = "callback_requested"
			}
			c.Ended = ivrEnd.Add(time.Duration(c.WaitSec+c.TalkSec+c.HoldSec) * time.Second)
		}
		f.Calls = append(f.Calls, c)
	}
	// Agent states: each agent cycles through states; previous_sec rides on each event.
	for ai, a := range f.Agents {
		t := f.Start.Add(time.Duration(8*3600+ai*60) * time.Second)
		prev := "logged_out"
		for t.Before(f.End) {
			next := []string{"available", "on_call", "hold", "acw", "break", "reserved", "available"}[r.Intn(7)]
			if next == prev {
				next = "available"
			}
			d := float64(10 + r.Intn(900))
			f.States = append(f.States, AgentState{Tenant: tenants[ai%2], Agent: a, State: next, Previous: prev, At: t, PreviousSec: d, Queues: []string{f.Queues[ai%3], f.Queues[(ai+1)%3]}})
			if prev == "logged_out" {
				f.States[len(f.States)-1].PreviousSec = 0
			}
			prev = next
			t = t.Add(time.Duration(d) * time.Second)
			if r.Intn(80) == 0 {
				f.States = append(f.States, AgentState{Tenant: tenants[ai%2], Agent: a, State: "logged_out", Previous: prev, At: t, PreviousSec: float64(r.Intn(300)), Queues: nil})
				prev = "logged_out"
				t = t.Add(10 * time.Hour)
			}
		}
	}
	// Claims closed through the period, with callback attempts of varied promptness.
	for i := 0; i < 150; i++ {
		cust := fmt.Sprintf("c%03d", r.Intn(customers))
		reported := f.Start.Add(-time.Duration(r.Intn(20*24)) * time.Hour)
		cl := Claim{Tenant: tenants[i%2], Claim: fmt.Sprintf("cl%03d", i), Policy: "p-" + cust, Customer: cust, Status: "filed", Reported: reported,
			Claimed: float64(500 + r.Intn(20000)), At: reported}
		f.Claims = append(f.Claims, cl)
		if r.Intn(8) == 0 {
			continue // still open
		}
		closed := f.Start.Add(-3*24*time.Hour + time.Duration(r.Intn(16*24*3600))*time.Second)
		if closed.Before(reported) {
			closed = reported.Add(time.Hour)
		}
		done := cl
		done.Status, done.Closed, done.Paid, done.At = "closed", &closed, cl.Claimed*r.Float64(), closed
		if r.Intn(10) == 0 {
			done.Status = "rejected"
		}
		f.Claims = append(f.Claims, done)
		// Attempts: first after 0..40 h, success after 0..100 h, or never.
		first := closed.Add(time.Duration(r.Intn(40*3600)) * time.Second)
		nAtt := r.Intn(4)
		for k := 0; k < nAtt; k++ {
			at := Attempt{Tenant: cl.Tenant, AttemptID: fmt.Sprintf("att-%03d-%d", i, k), Campaign: "camp_callback", CampaignType: "claim_callback",
				Customer: cust, Claim: cl.Claim, Dialed: first.Add(time.Duration(k*r.Intn(30*3600)) * time.Second), Outcome: "no_answer"}
			if k == nAtt-1 && r.Intn(4) > 0 {
				at.Outcome, at.Agent, at.Connected = "connected", f.Agents[r.Intn(5)], ptr(at.Dialed.Add(15*time.Second))
				// A person answered but not the customer: the claim is not covered by it.
				// (From i, not r, so the rest of the fixture stays as it was.)
				if at.Disposition = "callback_done"; i%6 == 0 {
					at.Disposition = "wrong_number"
				}
			}
			f.Attempts = append(f.Attempts, at)
		}
	}
	// Other outbound attempts for contact rates.
	for i := 0; i < 400; i++ {
		at := Attempt{Tenant: tenants[i%2], AttemptID: fmt.Sprintf("att-m-%03d", i), Campaign: []string{"camp_renew", "camp_survey"}[i%2], CampaignType: "renewal",
			Customer: fmt.Sprintf("c%03d", r.Intn(customers)), Dialed: f.Start.Add(time.Duration(r.Intn(14*24*3600)) * time.Second)}
		at.Outcome = []string{"no_answer", "busy", "machine", "connected", "connected", "dropped", "blocked"}[r.Intn(7)]
		if at.Outcome == "connected" {
			at.Agent, at.Connected = f.Agents[r.Intn(5)], ptr(at.Dialed.Add(10*time.Second))
		}
		f.Attempts = append(f.Attempts, at)
	}
	// Surveys: post-call and post-claim; some raise an issue, some of those are resolved later.
	for i := 0; i < 500; i++ {
		s := Survey{Tenant: tenants[i%2], ResponseID: fmt.Sprintf("resp-%04d", i), Kind: []string{"post_call", "post_claim", "general"}[r.Intn(3)],
			Customer: fmt.Sprintf("c%03d", r.Intn(customers)), Agent: f.Agents[r.Intn(5)], Line: "inquiry", Campaign: "camp_survey",
			At: f.Start.Add(time.Duration(r.Intn(14*24*3600)) * time.Second)}
		if r.Intn(6) > 0 {
			s.CSAT = ptr(uint8(1 + r.Intn(5)))
		}
		if r.Intn(3) > 0 {
			s.NPS = ptr(uint8(r.Intn(11)))
		}
		if s.CSAT == nil && s.NPS == nil {
			s.Resolved = ptr(uint8(1))
		}
		if r.Intn(4) == 0 {
			s.Issue = "payment slow"
			f.Surveys = append(f.Surveys, s)
			if r.Intn(3) > 0 {
				fix := s
				fix.Issue, fix.Resolved, fix.At = "", ptr(uint8(1)), s.At.Add(time.Duration(r.Intn(96*3600))*time.Second)
				f.Surveys = append(f.Surveys, fix)
			}
			continue
		}
		f.Surveys = append(f.Surveys, s)
	}
	// Complaints registered across the holiday, answered after 0..14 days or not at all.
	for i := 0; i < 120; i++ {
		reg := f.Start.Add(-12*24*time.Hour + time.Duration(r.Intn(26*24*3600))*time.Second)
		c := Complaint{Tenant: tenants[i%2], ComplaintID: fmt.Sprintf("cmp-%03d", i), Stage: "registered", Customer: fmt.Sprintf("c%03d", r.Intn(customers)),
			Category: []string{"claim_delay", "claim_amount", "service_attitude", "billing"}[r.Intn(4)], Line: []string{"claims_report", "inquiry"}[r.Intn(2)],
			Department: []string{"claims", "service"}[r.Intn(2)], Channel: []string{"phone", "web", "regulator"}[r.Intn(3)],
			AgainstAgent: []string{"", "a1", "a2"}[r.Intn(3)], At: reg, Registered: reg, Due: reg.AddDate(0, 0, 9)}
		f.Complaints = append(f.Complaints, c)
		if r.Intn(6) > 0 {
			ans := c
			ans.Stage, ans.At = "answered", reg.Add(time.Duration(r.Intn(14*24*3600))*time.Second)
			f.Complaints = append(f.Complaints, ans)
			if r.Intn(2) == 0 {
				cl := ans
				cl.Stage, cl.At = "closed", ans.At.Add(24*time.Hour)
				f.Complaints = append(f.Complaints, cl)
			}
		}
	}
	for i := 0; i < 200; i++ {
		e := QAEval{Tenant: tenants[i%2], EvaluationID: fmt.Sprintf("ev-%03d", i), Agent: f.Agents[r.Intn(5)], Status: []string{"submitted", "submitted", "disputed", "upheld"}[r.Intn(4)],
			Kind: []string{"regular", "regular", "calibration"}[r.Intn(3)], Line: "inquiry", Score: float64(r.Intn(101)), At: f.Start.Add(time.Duration(r.Intn(14*24*3600)) * time.Second)}
		f.QA = append(f.QA, e)
	}
	f.outboundDetail(rand.New(rand.NewSource(seed + 1000)))
	f.edgeCases()
	return f
}

// edgeCases adds, without random draws, the cases the KPI definitions' boundaries turn on: times
// a fraction of a second either side of a window (a repeat call 7 d 0.8 s later, a first callback
// 24 h 0.4 s after closing, a contact exactly 72 h after, a feedback resolved 48 h 0.4 s after),
// a complaint registered twice, and an agent back from the National Day week and one whose
// break spans it.
func (f *Fixture) edgeCases() {
	ms := func(d int) time.Duration { return time.Duration(d) * time.Millisecond }
	day := func(d int, h, m, s, milli int) time.Time {
		return f.Start.AddDate(0, 0, d).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second + ms(milli))
	}
	call := func(id string, at time.Time, wait float64) Call {
		queued := at.Add(12 * time.Second)
		answered := queued.Add(time.Duration(wait * float64(time.Second)))
		return Call{Tenant: "t1", CallID: id, Direction: "inbound", Line: "inquiry", Queue: "q_inquiry", Customer: "c-edge", Agent: "a4",
			Outcome: "answered", Arrived: at, IVREnded: &queued, Queued: &queued, Answered: &answered, Ended: answered.Add(3 * time.Minute),
			IVRSec: 12, WaitSec: wait, TalkSec: 180}
	}
	first := day(1, 10, 0, 0, 100)
	f.Calls = append(f.Calls,
		call("call-edge-1", first, 20.0005),                                   // 0.5 ms over T: not within 20 s
		call("call-edge-2", first.Add(7*24*time.Hour+ms(800)), 19.9995),       // 7 d 0.8 s later: no repeat of 1
		call("call-edge-3", first.Add(14*24*time.Hour+ms(800)), 4.9995),       // exactly 7 d after 2: a repeat of it
		call("call-edge-4", first.Add(14*24*time.Hour+ms(800)+ms(1)), 5.0001), // 1 ms after 3: a repeat of it
	)
	// Claims closed with milliseconds, and their callbacks either side of 24 h and 72 h.
	claim := func(id string, closed time.Time, attempts ...Attempt) {
		reported := closed.Add(-48 * time.Hour)
		f.Claims = append(f.Claims, Claim{Tenant: "t2", Claim: id, Policy: "p-edge", Customer: "c-edge2", Status: "filed", Reported: reported, Claimed: 900, At: reported},
			Claim{Tenant: "t2", Claim: id, Policy: "p-edge", Customer: "c-edge2", Status: "closed", Reported: reported, Closed: &closed, Claimed: 900, Paid: 800, At: closed})
		for i, a := range attempts {
			a.Tenant, a.Claim, a.Campaign, a.CampaignType, a.Customer = "t2", id, "camp_callback", "claim_callback", "c-edge2"
			a.AttemptID, a.Contact, a.No, a.Final = fmt.Sprintf("att-%s-%d", id, i), "ct-"+id, i+1, i == len(attempts)-1
			if a.Outcome == "connected" {
				a.Agent, a.Disposition, a.AMD = "a2", "callback_done", "human"
			}
			f.Attempts = append(f.Attempts, a)
		}
	}
	connectedAt := func(t time.Time) Attempt {
		return Attempt{Outcome: "connected", Dialed: t.Add(-15 * time.Second), Connected: &t}
	}
	c1 := day(3, 9, 0, 0, 100)
	claim("cl-edge-1", c1, Attempt{Outcome: "no_answer", Dialed: c1.Add(24*time.Hour + ms(400))}, connectedAt(c1.Add(30*time.Hour)))
	c2 := day(4, 12, 0, 0, 250)
	claim("cl-edge-2", c2, Attempt{Outcome: "no_answer", Dialed: c2.Add(24 * time.Hour)}, connectedAt(c2.Add(72*time.Hour)))
	c3 := day(5, 8, 0, 0, 100)
	claim("cl-edge-3", c3, Attempt{Outcome: "no_answer", Dialed: c3.Add(24*time.Hour - ms(100))}, connectedAt(c3.Add(72*time.Hour+ms(400))))
	// Feedback raised with milliseconds, resolved 48 h 0.4 s and exactly 48 h later.
	for i, late := range []time.Duration{48*time.Hour + ms(400), 48 * time.Hour} {
		raised := day(6+i, 10, 0, 0, 300)
		sv := Survey{Tenant: "t1", ResponseID: fmt.Sprintf("resp-edge-%d", i), Kind: "post_claim", Customer: "c-edge2", Agent: "a2", Line: "inquiry",
			Campaign: "camp_survey", At: raised, CSAT: ptr(uint8(2)), Issue: "payment slow"}
		fix := sv
		fix.Issue, fix.CSAT, fix.Resolved, fix.At = "", nil, ptr(uint8(1)), raised.Add(late)
		f.Surveys = append(f.Surveys, sv, fix)
	}
	// One complaint, two registration events (again the next day, by another channel): one complaint.
	reg := day(2, 10, 0, 0, 0)
	cmp := Complaint{Tenant: "t1", ComplaintID: "cmp-edge-twice", Stage: "registered", Customer: "c-edge", Category: "claim_delay", Line: "inquiry",
		Department: "claims", Channel: "phone", At: reg, Registered: reg, Due: reg.AddDate(0, 0, 9)}
	again := cmp
	again.Channel, again.At, again.Registered = "web", reg.Add(25*time.Hour), reg.Add(25*time.Hour)
	answered := cmp
	answered.Stage, answered.At = "answered", reg.Add(50*time.Hour)
	f.Complaints = append(f.Complaints, cmp, again, answered)
	// A message sent seconds before midnight, delivered after it: a receipt of the day before's message.
	sent := day(6, 23, 59, 50, 0)
	f.SMS = append(f.SMS, SMS{Tenant: "t1", MessageID: "sms-edge-midnight", Campaign: "camp_renew", Status: "sent", At: sent},
		SMS{Tenant: "t1", MessageID: "sms-edge-midnight", Campaign: "camp_renew", Status: "delivered", At: sent.Add(30 * time.Second)})
	// Agent a6 logs in after the National Day week (663674.596 s logged out) and works; a7's
	// break spans the week and every bucket in it.
	back := day(10, 8, 30, 0, 596)
	f.States = append(f.States,
		AgentState{Tenant: "t2", Agent: "a6", State: "available", Previous: "logged_out", At: back, PreviousSec: 663674.596, Queues: []string{"q_claims"}},
		AgentState{Tenant: "t2", Agent: "a6", State: "on_call", Previous: "available", At: back.Add(95*time.Second + ms(250)), PreviousSec: 95.25, Queues: []string{"q_claims"}},
		AgentState{Tenant: "t2", Agent: "a6", State: "acw", Previous: "on_call", At: back.Add(2*time.Hour + ms(250)), PreviousSec: 2*3600 - 95, Queues: []string{"q_claims"}},
		AgentState{Tenant: "t1", Agent: "a7", State: "available", Previous: "break", At: back, PreviousSec: 8*86400 + 0.596, Queues: []string{"q_inquiry"}},
	)
	f.Agents = append(f.Agents, "a6", "a7")
}

// outboundDetail adds what the campaign and QA-coverage KPIs read, from its own random source
// so the rest of the fixture stays as it was: each attempt's contact, AMD verdict, blocking
// rule and whether it closed its contact; the outbound work of agents a3 and a5 (blended); SMS messages with
// delivery receipts; and the call each QA evaluation scored (some calls scored twice).
func (f *Fixture) outboundDetail(r *rand.Rand) {
	last := map[string]int{}
	byContact := map[string][]int{}
	for i := range f.Attempts {
		a := &f.Attempts[i]
		a.Contact = "ct-" + a.Campaign + "-" + a.Customer
		if a.Claim != "" {
			a.Contact = "ct-" + a.Claim
		}
		switch a.Outcome {
		case "machine":
			a.AMD = "machine"
		case "connected", "dropped":
			a.AMD = []string{"human", "human", "human", "unknown"}[r.Intn(4)]
		case "blocked":
			a.BlockedRule = []string{"calling_window", "do_not_call", "no_consent"}[r.Intn(3)]
		}
		if j, ok := last[a.Contact]; !ok || a.Dialed.After(f.Attempts[j].Dialed) {
			last[a.Contact] = i
		}
		byContact[a.Contact] = append(byContact[a.Contact], i)
	}
	for _, is := range byContact {
		sort.Slice(is, func(x, y int) bool { return f.Attempts[is[x]].Dialed.Before(f.Attempts[is[y]].Dialed) })
		for n, i := range is {
			f.Attempts[i].No = n + 1
		}
	}
	contacts := make([]string, 0, len(last))
	for c := range last {
		contacts = append(contacts, c)
	}
	sort.Strings(contacts) // map order would make the draws below differ between runs
	for _, c := range contacts {
		a := &f.Attempts[last[c]]
		a.Final = a.Outcome == "connected" || a.Outcome == "blocked" || r.Intn(3) == 0
	}
	for i := range f.States {
		s := &f.States[i]
		if (s.Agent == "a3" || s.Agent == "a5") && (s.State == "on_call" || s.State == "hold" || s.State == "acw" || s.State == "reserved") {
			s.Direction = "outbound"
		}
	}
	for i := 0; i < 150; i++ {
		m := SMS{Tenant: []string{"t1", "t2"}[i%2], MessageID: fmt.Sprintf("sms-%03d", i), Campaign: []string{"camp_renew", "camp_survey"}[r.Intn(2)], Status: "sent",
			At: f.Start.Add(time.Duration(r.Intn(14*24*3600)) * time.Second)}
		f.SMS = append(f.SMS, m)
		switch k := r.Intn(10); {
		case k < 7:
			m.Status, m.At = "delivered", m.At.Add(time.Duration(1+r.Intn(600))*time.Second)
			f.SMS = append(f.SMS, m)
		case k < 9:
			m.Status, m.At = "failed", m.At.Add(time.Duration(1+r.Intn(60))*time.Second)
			f.SMS = append(f.SMS, m)
		}
	}
	answered := map[string][]string{}
	for _, c := range f.Calls {
		if c.Direction == "inbound" && c.Outcome == "answered" && c.Agent != "" {
			answered[c.Agent] = append(answered[c.Agent], c.CallID)
		}
	}
	for i := range f.QA {
		e := &f.QA[i]
		if i > 0 && f.QA[i-1].Agent == e.Agent && r.Intn(3) == 0 {
			e.CallID = f.QA[i-1].CallID
			continue
		}
		if calls := answered[e.Agent]; len(calls) > 0 {
			e.CallID = calls[r.Intn(len(calls))]
		}
	}
}

// ms is the millisecond of t's second, the column beside a DateTime (migration 0250).
func ms(t time.Time) uint16 { return uint16(t.Nanosecond() / int(time.Millisecond)) }

func msp(t *time.Time) uint16 {
	if t == nil {
		return 0
	}
	return ms(*t)
}

// Load writes the fixture into the database behind conn.
func (f *Fixture) Load(ctx context.Context, conn driver.Conn) error {
	env := func(tenant string, at time.Time) []any {
		return []any{uuid.New(), at, ms(at), tenant, "fixture", uint16(1)}
	}
	const envCols = "event_id, occurred_at, occurred_ms, tenant, source, schema_version, "
	steps := []struct {
		table, cols string
		n           int
		row         func(i int) []any
	}{
		{"call_records", "call_id, direction, business_line, queue, customer_id, phone, agent_id, campaign_id, arrived_at, arrived_ms, ivr_ended_at, queued_at, answered_at, ended_at, ivr_sec, wait_sec, talk_sec, hold_sec, acw_sec, outcome, self_service, transferred", len(f.Calls), func(i int) []any {
			c := f.Calls[i]
			return append(env(c.Tenant, c.Ended), c.CallID, c.Direction, c.Line, c.Queue, c.Customer, "+8613800000000", c.Agent, c.Campaign, c.Arrived, ms(c.Arrived), c.IVREnded, c.Queued, c.Answered, c.Ended, c.IVRSec, c.WaitSec, c.TalkSec, c.HoldSec, c.ACWSec, c.Outcome, c.SelfService, c.Transferred)
		}},
		{"agent_states", "agent_id, state, previous_state, previous_sec, queues, direction", len(f.States), func(i int) []any {
			s := f.States[i]
			q := s.Queues
			if q == nil {
				q = []string{}
			}
			return append(env(s.Tenant, s.At), s.Agent, s.State, s.Previous, s.PreviousSec, q, s.Direction)
		}},
		{"survey_responses", "response_id, survey_id, kind, channel, customer_id, claim_id, campaign_id, agent_id, business_line, csat, nps, resolved, issue", len(f.Surveys), func(i int) []any {
			s := f.Surveys[i]
			return append(env(s.Tenant, s.At), s.ResponseID, "sv1", s.Kind, "sms", s.Customer, s.Claim, s.Campaign, s.Agent, s.Line, s.CSAT, s.NPS, s.Resolved, s.Issue)
		}},
		{"complaints", "complaint_id, stage, customer_id, category, business_line, department, channel, against_agent_id, registered_at, due_at", len(f.Complaints), func(i int) []any {
			c := f.Complaints[i]
			return append(env(c.Tenant, c.At), c.ComplaintID, c.Stage, c.Customer, c.Category, c.Line, c.Department, c.Channel, c.AgainstAgent, c.Registered, c.Due)
		}},
		{"claims", "claim_id, policy_id, customer_id, status, reported_at, closed_at, closed_ms, amount_claimed, amount_paid", len(f.Claims), func(i int) []any {
			c := f.Claims[i]
			return append(env(c.Tenant, c.At), c.Claim, c.Policy, c.Customer, c.Status, c.Reported, c.Closed, msp(c.Closed), c.Claimed, c.Paid)
		}},
		{"dial_attempts", "attempt_id, campaign_id, campaign_type, contact_id, customer_id, phone, mode, attempt_no, dialed_at, dialed_ms, connected_at, connected_ms, ended_at, outcome, agent_id, claim_id, amd, blocked_rule, final, disposition", len(f.Attempts), func(i int) []any {
			a := f.Attempts[i]
			return append(env(a.Tenant, a.Dialed), a.AttemptID, a.Campaign, a.CampaignType, a.Contact, a.Customer, "+8613800000000", "progressive", uint16(a.No), a.Dialed, ms(a.Dialed), a.Connected, msp(a.Connected), a.Dialed.Add(time.Minute), a.Outcome, a.Agent, a.Claim, a.AMD, a.BlockedRule, a.Final, a.Disposition)
		}},
		{"sms_messages", "message_id, direction, kind, status, campaign_id, customer_id, phone, segments", len(f.SMS), func(i int) []any {
			m := f.SMS[i]
			return append(env(m.Tenant, m.At), m.MessageID, "outbound", "reminder", m.Status, m.Campaign, "c001", "+8613800000000", uint16(1))
		}},
		{"policies", "policy_id, customer_id, product, line, status, start_date, end_date, premium, renewed_from", len(f.Policies), func(i int) []any {
			p := f.Policies[i]
			return append(env(p.Tenant, p.At), p.Policy, p.Customer, "prod", p.Line, p.Status, p.Start, p.End, p.Premium, p.RenewedFrom)
		}},
		{"customers", "customer_id, name, phone, time_zone, customer_since, blacklisted", len(f.Customers), func(i int) []any {
			c := f.Customers[i]
			return append(env(c.Tenant, c.At), c.Customer, "name "+c.Customer, c.Phone, "Asia/Shanghai", c.Since, c.Blacklisted)
		}},
		{"qa_evaluations", "evaluation_id, status, kind, call_id, agent_id, evaluator_id, scorecard_id, score, business_line", len(f.QA), func(i int) []any {
			e := f.QA[i]
			return append(env(e.Tenant, e.At), e.EvaluationID, e.Status, e.Kind, e.CallID, e.Agent, "qa1", "sc1", e.Score, e.Line)
		}},
	}
	for _, s := range steps {
		b, err := conn.PrepareBatch(ctx, "INSERT INTO "+s.table+" ("+envCols+s.cols+")")
		if err != nil {
			return fmt.Errorf("preparing %s: %w", s.table, err)
		}
		for i := 0; i < s.n; i++ {
			if err := b.Append(s.row(i)...); err != nil {
				b.Abort()
				return fmt.Errorf("appending to %s: %w", s.table, err)
			}
		}
		if err := b.Send(); err != nil {
			return fmt.Errorf("inserting into %s: %w", s.table, err)
		}
	}
	return nil
}
