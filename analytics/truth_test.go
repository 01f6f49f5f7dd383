package analytics

import (
	"context"
	"fmt"
	"math"
	"sort"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics/chtest"
)

// The truth test: every KPI computed by the SQL equals the same KPI computed here, a second and
// deliberately plain implementation over the fixture's Go values.

type want map[string]*float64

func frac(n, d float64) *float64 {
	if d <= 0 {
		return nil
	}
	v := n / d
	return &v
}
func num(v float64) *float64 { return &v }

func in(p Period, t time.Time) bool { return !t.Before(p.From) && t.Before(p.To) }

func refCalls(f *chtest.Fixture, p Period, s Settings) want {
	var inbound, outbound, total, ivr, self, offered, answered, abandoned, short, within, abAfter, abWithin, waitSum, handle, transferred float64
	var waits []float64
	T, S := float64(s.SLThresholdSec), float64(s.ShortAbandonSec)
	for _, c := range f.Calls {
		if !in(p, c.Arrived) || (p.Tenant != "" && c.Tenant != p.Tenant) || (p.Queue != "" && c.Queue != p.Queue) || (p.Agent != "" && c.Agent != p.Agent) {
			continue
		}
		total++
		if c.Direction == "outbound" {
			outbound++
			continue
		}
		inbound++
		if c.IVREnded != nil {
			ivr++
		}
		if c.Outcome == "self_served" {
			self++
		}
		if c.Queued == nil {
			continue
		}
		isShort := c.Outcome == "abandoned" && c.WaitSec < S
		if isShort {
			short++
			if s.ShortAbandon == ShortAbandonExclude {
				continue
			}
		}
		offered++
		switch c.Outcome {
		case "answered":
			answered++
			waitSum += c.WaitSec
			handle += c.TalkSec + c.HoldSec + c.ACWSec
			waits = append(waits, c.WaitSec)
			if c.WaitSec <= T {
				within++
			}
			if c.Transferred {
				transferred++
			}
		case "abandoned":
			abandoned++
			if c.WaitSec > T {
				abAfter++
			} else {
				abWithin++
			}
		}
	}
	sl := map[string]*float64{
		SLAbandonsAgainst:    frac(within, answered+abAfter),
		SLIgnoreAbandons:     frac(within, answered),
		SLAllAbandons:        frac(within, answered+abandoned),
		SLAbandonsWithinGood: frac(within+abWithin, answered+abandoned),
	}
	sort.Float64s(waits)
	// Percentiles as Excel's PERCENTILE.INC: between the two nearest ranks.
	q := func(l float64) *float64 {
		if len(waits) == 0 {
			return nil
		}
		h := float64(len(waits)-1) * l
		lo, hi := math.Floor(h), math.Ceil(h)
		return num(waits[int(lo)] + (h-lo)*(waits[int(hi)]-waits[int(lo)]))
	}
	w := want{
		"inbound": num(inbound), "outbound": num(outbound), "total": num(total), "offered": num(offered), "answered": num(answered),
		"abandoned": num(abandoned), "short_abandoned": num(short), "self_served": num(self),
		"connection_rate": frac(answered, offered), "abandon_rate": frac(abandoned, offered), "service_level": sl[s.SLVariant],
		"self_service_rate": frac(self, ivr), "asa": frac(waitSum, answered), "aht": frac(handle, answered), "transfer_rate": frac(transferred, answered),
		"wait_p50": q(0.5), "wait_p90": q(0.9),
	}
	for v, x := range sl {
		w["service_level_"+v] = x
	}
	return w
}

// stateIn is how many seconds of the state that ended with s fell inside the period: a state
// runs from previous_sec before its event to the event, to the millisecond.
func stateIn(p Period, s chtest.AgentState) float64 {
	end := s.At
	start := end.Add(-time.Duration(math.Round(s.PreviousSec*1000)) * time.Millisecond)
	if start.Before(p.From) {
		start = p.From
	}
	if end.After(p.To) {
		end = p.To
	}
	if !end.After(start) {
		return 0
	}
	return float64(end.Sub(start).Milliseconds()) / 1000
}

func refAgents(f *chtest.Fixture, p Period) want {
	var busy, avail, talk, logged float64
	for _, s := range f.States {
		if (p.Tenant != "" && s.Tenant != p.Tenant) || (p.Agent != "" && s.Agent != p.Agent) {
			continue
		}
		if p.Queue != "" && !contains(s.Queues, p.Queue) {
			continue
		}
		d := stateIn(p, s)
		switch s.Previous {
		case "on_call", "hold", "acw":
			busy += d
		case "available":
			avail += d
		}
		if s.Previous == "on_call" {
			talk += d
		}
		if s.Previous != "logged_out" {
			logged += d
		}
	}
	return want{"occupancy": frac(busy, busy+avail), "effective_talk_ratio": frac(talk, logged), "logged_in_hours": num(logged / 3600)}
}

func refFCR(f *chtest.Fixture, p Period, s Settings) want {
	var answered, resolved float64
	for i, c := range f.Calls {
		if c.Direction != "inbound" || c.Customer == "" || !in(p, c.Arrived) || (p.Tenant != "" && c.Tenant != p.Tenant) ||
			(p.Queue != "" && c.Queue != p.Queue) || (p.Agent != "" && c.Agent != p.Agent) || c.Outcome != "answered" || c.Queued == nil {
			continue
		}
		answered++
		repeat := false
		for j, o := range f.Calls {
			if j != i && o.Direction == "inbound" && o.Customer == c.Customer && o.Line == c.Line && o.Tenant == c.Tenant &&
				o.Arrived.After(c.Arrived) && !o.Arrived.After(c.Arrived.Add(s.FCRWindow)) {
				repeat = true
				break
			}
		}
		if !repeat {
			resolved++
		}
	}
	return want{"fcr": frac(resolved, answered)}
}

func refSurveys(f *chtest.Fixture, p Period) want {
	var n, top2, sum, nn, pro, det, pn, ptop, pnn, ppro, pdet, resp float64
	for _, s := range f.Surveys {
		if !in(p, s.At) || (p.Tenant != "" && s.Tenant != p.Tenant) || (p.Agent != "" && s.Agent != p.Agent) {
			continue
		}
		resp++
		pc := s.Kind == "post_claim"
		if s.CSAT != nil {
			n++
			sum += float64(*s.CSAT)
			if *s.CSAT >= 4 {
				top2++
			}
			if pc {
				pn++
				if *s.CSAT >= 4 {
					ptop++
				}
			}
		}
		if s.NPS != nil {
			nn++
			if pc {
				pnn++
			}
			if *s.NPS >= 9 {
				pro++
				if pc {
					ppro++
				}
			}
			if *s.NPS <= 6 {
				det++
				if pc {
					pdet++
				}
			}
		}
	}
	return want{"survey_responses": num(resp), "csat": frac(top2, n), "csat_mean": frac(sum, n), "nps": frac(100*(pro-det), nn),
		"post_claim_csat": frac(ptop, pn), "post_claim_nps": frac(100*(ppro-pdet), pnn)}
}

func refDial(f *chtest.Fixture, p Period) want {
	var att, contacts, conn, dropped float64
	for _, a := range f.Attempts {
		if !in(p, a.Dialed) || (p.Tenant != "" && a.Tenant != p.Tenant) || (p.Agent != "" && a.Agent != p.Agent) {
			continue
		}
		if a.Outcome != "blocked" {
			att++
		}
		switch a.Outcome {
		case "connected":
			contacts++
			conn++
		case "dropped":
			contacts++
			dropped++
		}
	}
	return want{"attempts": num(att), "contacts": num(contacts), "outbound_connected": num(conn), "contact_rate": frac(contacts, att), "outbound_abandon_rate": frac(dropped, contacts)}
}

func refQA(f *chtest.Fixture, p Period) want {
	var n, sum float64
	for _, e := range f.QA {
		if !in(p, e.At) || (p.Tenant != "" && e.Tenant != p.Tenant) || (p.Agent != "" && e.Agent != p.Agent) || e.Kind != "regular" || e.Status == "disputed" {
			continue
		}
		n++
		sum += e.Score
	}
	return want{"qa_evaluations": num(n), "qa_score": frac(sum, n)}
}

// workdayDeadline walks the calendar day by day: the n-th working day after the registration date.
func workdayDeadline(cal Calendar, reg time.Time, n int) time.Time {
	d := time.Date(reg.Year(), reg.Month(), reg.Day(), 0, 0, 0, 0, time.UTC)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if cal.IsWorkday(d) {
			n--
		}
	}
	return d
}

// firstRegistrations is each complaint's first registration event: a complaint counts once,
// at its first registration, with that registration's categories.
func firstRegistrations(f *chtest.Fixture) map[string]chtest.Complaint {
	out := map[string]chtest.Complaint{}
	for _, c := range f.Complaints {
		if o, ok := out[c.ComplaintID]; c.Stage == "registered" && (!ok || c.Registered.Before(o.Registered)) {
			out[c.ComplaintID] = c
		}
	}
	return out
}

// dayEnd is 00:00 UTC after t's day.
func dayEnd(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour) }

func refComplaints(f *chtest.Fixture, p Period, s Settings, now time.Time) want {
	type cmp struct {
		tenant, line, agent string
		reg, answered       time.Time
	}
	byID := map[string]*cmp{}
	var registered float64
	var last time.Time // the latest complaint or answered call in the period: its day's end is the per-10k denominator's instant
	for id, c := range firstRegistrations(f) {
		byID[id] = &cmp{tenant: c.Tenant, line: c.Line, agent: c.AgainstAgent, reg: c.Registered}
		if in(p, c.Registered) && (p.Tenant == "" || c.Tenant == p.Tenant) && (p.Agent == "" || c.AgainstAgent == p.Agent) {
			registered++
			if c.Registered.After(last) {
				last = c.Registered
			}
		}
	}
	for _, c := range f.Complaints {
		if x := byID[c.ComplaintID]; x != nil && (c.Stage == "answered" || c.Stage == "closed") && (x.answered.IsZero() || c.At.Before(x.answered)) {
			x.answered = c.At
		}
	}
	var due, onTime, overdue float64
	for _, x := range byID {
		if (p.Tenant != "" && x.tenant != p.Tenant) || (p.Agent != "" && x.agent != p.Agent) {
			continue
		}
		dl := workdayDeadline(s.Calendar, x.reg, s.ComplaintWorkdays)
		if !in(p, dl) {
			continue
		}
		due++
		end := dl.AddDate(0, 0, 1)
		if !x.answered.IsZero() && x.answered.Before(end) {
			onTime++
		}
		if x.answered.IsZero() && !end.After(now) {
			overdue++
		}
	}
	var answeredCalls float64
	for _, c := range f.Calls {
		if c.Direction == "inbound" && c.Queued != nil && c.Outcome == "answered" && in(p, c.Arrived) && (p.Tenant == "" || c.Tenant == p.Tenant) {
			answeredCalls++
			if c.Arrived.After(last) {
				last = c.Arrived
			}
		}
	}
	var inForce float64
	for _, pol := range latestPolicies(f, dayEnd(last)) {
		if pol.Status == "active" && (p.Tenant == "" || pol.Tenant == p.Tenant) {
			inForce++
		}
	}
	w := want{"complaints": num(registered), "complaints_due": num(due), "complaint_timeliness": frac(onTime, due), "complaints_overdue_open": num(overdue)}
	if p.Agent == "" {
		w["complaints_per_answered_call"] = frac(registered, answeredCalls)
		w["complaints_per_10k_policies"] = frac(10000*registered, inForce)
	}
	return w
}

func refCallbacks(f *chtest.Fixture, p Period, s Settings) want {
	latest := map[string]chtest.Claim{}
	for _, c := range f.Claims {
		if o, ok := latest[c.Claim]; !ok || !c.At.Before(o.At) {
			latest[c.Claim] = c
		}
	}
	var n, covered, first float64
	for _, c := range latest {
		if c.Status != "closed" || c.Closed == nil || (p.Tenant != "" && c.Tenant != p.Tenant) {
			continue
		}
		if !in(p, c.Closed.Add(s.CallbackWindow)) {
			continue
		}
		n++
		var firstAtt, firstOK time.Time
		for _, a := range f.Attempts {
			if a.Claim != c.Claim || a.CampaignType != "claim_callback" || a.Outcome == "blocked" {
				continue
			}
			if firstAtt.IsZero() || a.Dialed.Before(firstAtt) {
				firstAtt = a.Dialed
			}
			// A successful callback reached the customer: a wrong number is answered by a person
			// (a contact, docs/kpi.md) but not by the claimant.
			if a.Outcome == "connected" && a.Disposition != "wrong_number" && (firstOK.IsZero() || a.Connected.Before(firstOK)) {
				firstOK = *a.Connected
			}
		}
		if !firstOK.IsZero() && !firstOK.Before(*c.Closed) && !firstOK.After(c.Closed.Add(s.CallbackWindow)) {
			covered++
		}
		if !firstAtt.IsZero() && !firstAtt.Before(*c.Closed) && !firstAtt.After(c.Closed.Add(s.FirstAttemptLimit)) {
			first++
		}
	}
	return want{"closed_claims": num(n), "callback_coverage_72h": frac(covered, n), "callback_first_attempt_24h": frac(first, n)}
}

func refFeedback(f *chtest.Fixture, p Period, s Settings) want {
	raised := map[string]time.Time{}
	tenant := map[string]string{}
	for _, sv := range f.Surveys {
		if sv.Issue != "" {
			if t, ok := raised[sv.ResponseID]; !ok || sv.At.Before(t) {
				raised[sv.ResponseID] = sv.At
				tenant[sv.ResponseID] = sv.Tenant
			}
		}
	}
	var n, ok float64
	for id, t := range raised {
		if !in(p, t) || (p.Tenant != "" && tenant[id] != p.Tenant) {
			continue
		}
		n++
		for _, sv := range f.Surveys {
			if sv.ResponseID == id && sv.Resolved != nil && *sv.Resolved == 1 && sv.At.After(t) && !sv.At.After(t.Add(s.FeedbackWindow)) {
				ok++
				break
			}
		}
	}
	return want{"feedback_issues": num(n), "feedback_resolution_48h": frac(ok, n)}
}

// refCampaigns recomputes the outbound pacing KPIs: blocked attempts, AMD share, list
// penetration, campaign agents' occupancy and SMS delivery.
func refCampaigns(f *chtest.Fixture, p Period) want {
	var blocked, judged, machine, started, finished float64
	for _, a := range f.Attempts {
		if !in(p, a.Dialed) || (p.Tenant != "" && a.Tenant != p.Tenant) {
			continue
		}
		if a.Outcome == "blocked" {
			blocked++ // blocked attempts have no agent: the agent filter does not apply
		}
		if p.Agent != "" && a.Agent != p.Agent {
			continue
		}
		if a.AMD != "" {
			judged++
			if a.AMD == "machine" {
				machine++
			}
		}
		if a.No == 1 {
			started++
		}
		if a.Final {
			finished++
		}
	}
	campaignAgents := map[string]bool{}
	for _, st := range f.States {
		if in(p, st.At) && (p.Tenant == "" || st.Tenant == p.Tenant) && st.Direction == "outbound" {
			campaignAgents[st.Agent] = true
		}
	}
	var busy, avail float64
	for _, st := range f.States {
		if !campaignAgents[st.Agent] || (p.Tenant != "" && st.Tenant != p.Tenant) || (p.Agent != "" && st.Agent != p.Agent) ||
			(p.Queue != "" && !contains(st.Queues, p.Queue)) {
			continue
		}
		switch st.Previous {
		case "on_call", "hold", "acw":
			busy += stateIn(p, st)
		case "available":
			avail += stateIn(p, st)
		}
	}
	// SMS by the time each message was sent: delivered if a delivery receipt came within 3
	// days, failed if only a failure did.
	var sent, delivered, failed float64
	sentAt := map[string]time.Time{}
	for _, m := range f.SMS {
		if m.Status == "sent" && in(p, m.At) && (p.Tenant == "" || m.Tenant == p.Tenant) {
			sentAt[m.MessageID] = m.At
		}
	}
	got := map[string]string{}
	for _, m := range f.SMS {
		if _, ok := sentAt[m.MessageID]; ok && m.At.Before(p.To.Add(3*24*time.Hour)) && got[m.MessageID] != "delivered" && (m.Status == "delivered" || m.Status == "failed") {
			got[m.MessageID] = m.Status
		}
	}
	sent = float64(len(sentAt))
	for _, st := range got {
		if st == "delivered" {
			delivered++
		} else {
			failed++
		}
	}
	return want{"blocked_attempts": num(blocked), "amd_machine_share": frac(machine, judged), "list_contacts": num(started),
		"list_contacts_finished": num(finished), "list_penetration": frac(finished, started), "outbound_occupancy": frac(busy, busy+avail),
		"sms_sent": num(sent), "sms_delivery_rate": frac(delivered, sent), "sms_failure_rate": frac(failed, sent)}
}

// refQACoverage: distinct calls with a regular evaluation made in the period / answered inbound
// calls in the period, for the tenant and agent (QA has no queue).
func refQACoverage(f *chtest.Fixture, p Period) want {
	evaluated := map[string]bool{}
	for _, e := range f.QA {
		if e.Kind == "regular" && e.CallID != "" && in(p, e.At) && (p.Tenant == "" || e.Tenant == p.Tenant) && (p.Agent == "" || e.Agent == p.Agent) {
			evaluated[e.CallID] = true
		}
	}
	var answered float64
	for _, c := range f.Calls {
		if c.Direction == "inbound" && c.Queued != nil && c.Outcome == "answered" && in(p, c.Arrived) &&
			(p.Tenant == "" || c.Tenant == p.Tenant) && (p.Agent == "" || c.Agent == p.Agent) {
			answered++
		}
	}
	return want{"qa_evaluated_calls": num(float64(len(evaluated))), "qa_coverage": frac(float64(len(evaluated)), answered)}
}

func allWant(f *chtest.Fixture, p Period, s Settings, now time.Time) want {
	w := want{}
	add := func(x want) {
		for k, v := range x {
			w[k] = v
		}
	}
	add(refCalls(f, p, s))
	add(refAgents(f, p))
	add(refFCR(f, p, s))
	add(refSurveys(f, p))
	add(refDial(f, p))
	add(refQA(f, p))
	add(refQACoverage(f, p))
	add(refCampaigns(f, p))
	add(refComplaints(f, p, s, now))
	if p.Agent == "" && p.Queue == "" {
		add(refCallbacks(f, p, s))
		add(refFeedback(f, p, s))
	}
	return w
}

func close(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestKPIsMatchIndependentComputation(t *testing.T) {
	ctx := context.Background()
	conn, _ := chtest.Database(t)
	f := chtest.Generate(42)
	if err := f.Load(ctx, conn); err != nil {
		t.Fatal(err)
	}
	base := DefaultSettings()
	base.Calendar = Calendar{Holidays: f.Holidays, Workdays: f.Workdays}
	day := func(d int) time.Time { return f.Start.AddDate(0, 0, d) }
	// The daily jobs as of day 13: FCR closed for the first days (7-day window), so the
	// default cases read the FCR rollup before the horizon and the records after it.
	if err := (&DailyJobs{Engine: &Engine{Conn: conn, Settings: base}}).RunOnce(ctx, day(13).Add(7*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Policies in force are counted through the whole fixture: each period reads its end.
	if err := (&Engine{Conn: conn, Settings: base}).CountPoliciesInForce(ctx, f.End.AddDate(0, 0, 9)); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		p    Period
		mod  func(*Settings)
	}{
		{"two weeks", Period{From: day(0), To: day(14)}, nil},
		{"holiday week, tenant t1", Period{From: day(2), To: day(10), Tenant: "t1"}, nil},
		{"one queue", Period{From: day(1), To: day(12), Queue: "q_claims"}, nil},
		{"one agent", Period{From: day(0), To: day(14), Agent: "a2"}, nil},
		{"include short abandons, T=30", Period{From: day(0), To: day(14)}, func(s *Settings) { s.ShortAbandon = ShortAbandonInclude; s.SLThresholdSec = 30 }},
		{"SL ignore abandons, S=3", Period{From: day(0), To: day(7)}, func(s *Settings) { s.SLVariant = SLIgnoreAbandons; s.ShortAbandonSec = 3 }},
		{"SL all abandons", Period{From: day(0), To: day(14)}, func(s *Settings) { s.SLVariant = SLAllAbandons }},
		{"SL abandons within good, include", Period{From: day(0), To: day(14)}, func(s *Settings) { s.SLVariant = SLAbandonsWithinGood; s.ShortAbandon = ShortAbandonInclude }},
		{"FCR 2-day window, callback 48 h", Period{From: day(3), To: day(14)}, func(s *Settings) {
			s.FCRWindow = 48 * time.Hour
			s.CallbackWindow = 48 * time.Hour
			s.FirstAttemptLimit = 12 * time.Hour
		}},
		{"no holidays", Period{From: day(0), To: day(14)}, func(s *Settings) { s.Calendar = Calendar{} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := base
			if tc.mod != nil {
				tc.mod(&s)
			}
			if err := s.Validate(); err != nil {
				t.Fatal(err)
			}
			e := &Engine{Conn: conn, Settings: s}
			w := allWant(f, tc.p, s, time.Now())
			names := make([]string, 0, len(w))
			for n := range w {
				names = append(names, n)
			}
			sort.Strings(names)
			got, err := e.Totals(ctx, tc.p, names...)
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for _, n := range names {
				g, ok := got[n]
				switch {
				case w[n] == nil && ok:
					t.Errorf("%s: SQL %v, Go undefined", n, g)
				case w[n] != nil && !ok:
					t.Errorf("%s: SQL undefined, Go %v", n, *w[n])
				case w[n] != nil && !close(g, *w[n]):
					t.Errorf("%s: SQL %v, Go %v", n, g, *w[n])
				default:
					checked++
				}
			}
			// A fixture that leaves a KPI undefined or zero would make the comparison hollow.
			must := []string{"connection_rate", "service_level", "aht", "occupancy", "fcr", "complaints_due",
				"qa_coverage", "list_penetration", "sms_delivery_rate", "blocked_attempts"}
			if tc.p.Agent == "" { // the one agent is not a campaign agent and met no machine
				must = append(must, "outbound_occupancy", "amd_machine_share")
			}
			for _, n := range must {
				if w[n] == nil || *w[n] == 0 {
					t.Errorf("fixture gives %s no data in this case", n)
				}
			}
			t.Logf("%d KPIs agree", checked)
		})
	}
}

// truncated is the fixture as second-precision storage saw it: every time cut to its second.
func truncated(f *chtest.Fixture) *chtest.Fixture {
	g := *f
	cut := func(t time.Time) time.Time { return t.Truncate(time.Second) }
	cutp := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		v := cut(*t)
		return &v
	}
	g.Calls = append([]chtest.Call(nil), f.Calls...)
	for i := range g.Calls {
		c := &g.Calls[i]
		c.Arrived, c.Queued, c.Answered = cut(c.Arrived), cutp(c.Queued), cutp(c.Answered)
	}
	g.Claims = append([]chtest.Claim(nil), f.Claims...)
	for i := range g.Claims {
		g.Claims[i].Closed = cutp(g.Claims[i].Closed)
	}
	g.Attempts = append([]chtest.Attempt(nil), f.Attempts...)
	for i := range g.Attempts {
		a := &g.Attempts[i]
		a.Dialed, a.Connected = cut(a.Dialed), cutp(a.Connected)
	}
	g.Surveys = append([]chtest.Survey(nil), f.Surveys...)
	for i := range g.Surveys {
		g.Surveys[i].At = cut(g.Surveys[i].At)
	}
	return &g
}

// The fixture's edge cases decide the KPIs they are about: computed on times cut to the second
// (what was stored before milliseconds were kept) each of these KPIs comes out differently,
// so the SQL agreeing with the millisecond computation means it sees the milliseconds.
func TestFixtureEdgeCasesAreDecisive(t *testing.T) {
	f := chtest.Generate(42)
	s := DefaultSettings()
	s.Calendar = Calendar{Holidays: f.Holidays, Workdays: f.Workdays}
	p := Period{From: f.Start, To: f.Start.AddDate(0, 0, 14)}
	exact, cut := want{}, want{}
	for _, w := range []struct {
		dst want
		f   *chtest.Fixture
	}{{exact, f}, {cut, truncated(f)}} {
		for _, x := range []want{refFCR(w.f, p, s), refCallbacks(w.f, p, s), refFeedback(w.f, p, s)} {
			for k, v := range x {
				w.dst[k] = v
			}
		}
	}
	for _, n := range []string{"fcr", "callback_first_attempt_24h", "callback_coverage_72h", "feedback_resolution_48h"} {
		if exact[n] == nil || cut[n] == nil || *exact[n] == *cut[n] {
			t.Errorf("%s: %v to the millisecond, %v to the second: the edge cases do not decide it", n, deref(exact[n]), deref(cut[n]))
		}
	}
	events := 0
	for _, c := range f.Complaints {
		if c.ComplaintID == "cmp-edge-twice" && c.Stage == "registered" && in(p, c.Registered) {
			events++
		}
	}
	if events != 2 {
		t.Errorf("the complaint registered twice has %d registrations in the period", events)
	}
}

// Per day, the rates whose denominators move with the day: complaints per 10,000 policies divide
// by that day's policies in force, occupancy counts the part of each state spent that day, and
// the percentiles are the day's.
func TestDailyKPIsMatchIndependentComputation(t *testing.T) {
	ctx := context.Background()
	conn, _ := chtest.Database(t)
	f := chtest.Generate(42)
	if err := f.Load(ctx, conn); err != nil {
		t.Fatal(err)
	}
	s := DefaultSettings()
	s.Calendar = Calendar{Holidays: f.Holidays, Workdays: f.Workdays}
	e := &Engine{Conn: conn, Settings: s}
	if err := e.CountPoliciesInForce(ctx, f.End.AddDate(0, 0, 9)); err != nil {
		t.Fatal(err)
	}
	p := Period{From: f.Start, To: f.End, Granularity: GranDay}
	for _, ms := range [][]string{
		{"complaints"},
		{"complaints_per_10k_policies", "complaints_per_answered_call"},
		{"occupancy", "logged_in_hours", "effective_talk_ratio"},
		{"wait_p50", "wait_p90", "answered"},
		{"sms_sent", "sms_delivery_rate", "sms_failure_rate"},
	} {
		res, err := e.Run(ctx, p, Query{Metrics: ms, Bucket: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != 14 {
			t.Fatalf("%v: %d days", ms, len(res.Rows))
		}
		inForce := map[float64]bool{}
		for i, r := range res.Rows {
			dp := Period{From: r.Time, To: r.Time.AddDate(0, 0, 1)}
			w := want{}
			for _, x := range []want{refComplaints(f, dp, s, time.Now()), refAgents(f, dp), refCalls(f, dp, s), refCampaigns(f, dp)} {
				for k, v := range x {
					w[k] = v
				}
			}
			for _, m := range ms {
				g, ok := res.Value(i, m)
				if (w[m] == nil) == ok || (ok && !close(g, *w[m])) {
					t.Errorf("%s %s: SQL %v (%v), Go %v", r.Time.Format(time.DateOnly), m, g, ok, deref(w[m]))
				}
			}
			if v, ok := res.Value(i, "complaints_per_10k_policies"); ok && w["complaints"] != nil && *w["complaints"] > 0 {
				inForce[math.Round(*w["complaints"]*10000/v)] = true
			}
		}
		if ms[0] == "complaints_per_10k_policies" && len(inForce) < 2 {
			t.Errorf("the policies in force do not change between days (%v): the per-day denominator is untested", inForce)
		}
	}
}

// PercentileSQL interpolates between ranks as PERCENTILE.INC does.
func TestPercentileInterpolates(t *testing.T) {
	conn, _ := chtest.Database(t)
	for _, tc := range []struct {
		values string
		q      float64
		want   *float64
	}{
		{"[20., 10.]", 0.5, num(15)},
		{"[1., 2., 3., 4.]", 0.9, num(3.7)},
		{"[7.]", 0.9, num(7)},
		{"emptyArrayFloat64()", 0.5, nil},
	} {
		var got *float64
		if err := conn.QueryRow(context.Background(), "SELECT CAST("+PercentileSQL(tc.q, tc.values)+" AS Nullable(Float64))").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if (got == nil) != (tc.want == nil) || (got != nil && !close(*got, *tc.want)) {
			t.Errorf("p%v of %s: %v, want %v", tc.q*100, tc.values, deref(got), deref(tc.want))
		}
	}
}

func TestRollupEqualsRawRecords(t *testing.T) {
	ctx := context.Background()
	conn, _ := chtest.Database(t)
	f := chtest.Generate(7)
	if err := f.Load(ctx, conn); err != nil {
		t.Fatal(err)
	}
	e := &Engine{Conn: conn, Settings: DefaultSettings()}
	ms := []string{"offered", "answered", "abandoned", "connection_rate", "service_level", "asa", "aht", "transfer_rate", "self_service_rate", "inbound", "outbound"}
	for _, g := range []string{Gran15Min, GranHour, GranDay, GranWeek, GranMonth} {
		p := Period{From: f.Start, To: f.End, Granularity: g, Tenant: "t2"}
		if g == GranHour {
			p.Agent = "a3" // narrowed to an agent: the agent rollup
		}
		for _, grp := range [][]string{nil, {"queue"}, {"agent_id"}} {
			q := Query{Metrics: ms, Bucket: true, GroupBy: grp}
			roll, err := e.Run(ctx, p, q)
			if err != nil {
				t.Fatal(err)
			}
			want := "call_queue_rollup_15m"
			if (len(grp) > 0 && grp[0] == "agent_id") || p.Agent != "" {
				want = "call_rollup_15m"
			}
			if !containsStr(roll.SQL, want) {
				t.Fatalf("%s: query did not use the rollup:\n%s", g, roll.SQL)
			}
			q.Raw = true
			raw, err := e.Run(ctx, p, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(raw.Rows) == 0 || len(raw.Rows) != len(roll.Rows) {
				t.Fatalf("%s %v: %d raw rows, %d rollup rows", g, grp, len(raw.Rows), len(roll.Rows))
			}
			for i := range raw.Rows {
				a, b := raw.Rows[i], roll.Rows[i]
				if !a.Time.Equal(b.Time) {
					t.Fatalf("%s row %d: time %v vs %v", g, i, a.Time, b.Time)
				}
				for j, m := range ms {
					if (a.Values[j] == nil) != (b.Values[j] == nil) || (a.Values[j] != nil && !close(*a.Values[j], *b.Values[j])) {
						t.Errorf("%s %v %v %s: raw %v rollup %v", g, grp, a.Time, m, deref(a.Values[j]), deref(b.Values[j]))
					}
				}
			}
		}
	}
}

// The speed-of-answer metrics come from answered_waits exactly as from the call records.
func TestAnsweredWaitsEqualRawRecords(t *testing.T) {
	ctx := context.Background()
	conn, _ := chtest.Database(t)
	f := chtest.Generate(9)
	if err := f.Load(ctx, conn); err != nil {
		t.Fatal(err)
	}
	e := &Engine{Conn: conn, Settings: DefaultSettings()}
	ms := []string{"asa", "wait_p50", "wait_p90", "answered"}
	for _, tc := range []struct {
		p   Period
		grp []string
	}{
		{Period{From: f.Start, To: f.End, Granularity: GranDay}, nil},
		{Period{From: f.Start, To: f.End, Granularity: GranHour, Tenant: "t1"}, []string{"queue"}},
		{Period{From: f.Start, To: f.End, Granularity: GranWeek, Agent: "a2"}, []string{"agent_id"}},
	} {
		q := Query{Metrics: ms, Bucket: true, GroupBy: tc.grp}
		roll, err := e.Run(ctx, tc.p, q)
		if err != nil {
			t.Fatal(err)
		}
		if !containsStr(roll.SQL, "FROM answered_waits") {
			t.Fatalf("not from answered_waits:\n%s", roll.SQL)
		}
		q.Raw = true
		raw, err := e.Run(ctx, tc.p, q)
		if err != nil {
			t.Fatal(err)
		}
		// The records also have buckets without an answered call (all values undefined or 0);
		// answered_waits has no row there.
		byKey := map[string]Row{}
		for _, r := range roll.Rows {
			byKey[fmt.Sprint(r.Time.Unix(), r.Keys)] = r
		}
		n := 0
		for _, r := range raw.Rows {
			if r.Values[3] == nil || *r.Values[3] == 0 {
				continue
			}
			n++
			o, ok := byKey[fmt.Sprint(r.Time.Unix(), r.Keys)]
			if !ok {
				t.Errorf("%v %v: no answered_waits row", r.Time, r.Keys)
				continue
			}
			for j, m := range ms {
				a, b := r.Values[j], o.Values[j]
				if (a == nil) != (b == nil) || (a != nil && !close(*a, *b)) {
					t.Errorf("%v %v %s: raw %v answered_waits %v", r.Time, r.Keys, m, deref(a), deref(b))
				}
			}
		}
		if n == 0 || n != len(roll.Rows) {
			t.Errorf("%d raw rows with answered calls, %d answered_waits rows", n, len(roll.Rows))
		}
	}
}

// The dial rollup answers the campaign metrics exactly as dial_attempts does.
func TestDialRollupEqualsRawAttempts(t *testing.T) {
	ctx := context.Background()
	conn, _ := chtest.Database(t)
	f := chtest.Generate(8)
	if err := f.Load(ctx, conn); err != nil {
		t.Fatal(err)
	}
	e := &Engine{Conn: conn, Settings: DefaultSettings()}
	ms := []string{"attempts", "contacts", "outbound_connected", "contact_rate", "outbound_abandon_rate"}
	for _, p := range []Period{{From: f.Start, To: f.End, Granularity: GranDay}, {From: f.Start, To: f.End, Granularity: GranHour, Tenant: "t1", Campaign: "camp_renew"}} {
		q := Query{Metrics: ms, Bucket: true, GroupBy: []string{"campaign_id"}}
		roll, err := e.Run(ctx, p, q)
		if err != nil {
			t.Fatal(err)
		}
		if !containsStr(roll.SQL, "dial_rollup_15m") {
			t.Fatalf("not from the rollup:\n%s", roll.SQL)
		}
		q.Raw = true
		raw, err := e.Run(ctx, p, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(raw.Rows) == 0 || len(raw.Rows) != len(roll.Rows) {
			t.Fatalf("%d raw rows, %d rollup rows", len(raw.Rows), len(roll.Rows))
		}
		for i := range raw.Rows {
			for j, m := range ms {
				a, b := raw.Rows[i].Values[j], roll.Rows[i].Values[j]
				if (a == nil) != (b == nil) || (a != nil && !close(*a, *b)) || raw.Rows[i].Keys[0] != roll.Rows[i].Keys[0] {
					t.Errorf("%v %s %s: raw %v rollup %v", raw.Rows[i].Time, raw.Rows[i].Keys[0], m, deref(a), deref(b))
				}
			}
		}
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// latestPolicies is the newest version of each policy known at asOf.
func latestPolicies(f *chtest.Fixture, asOf time.Time) map[string]chtest.Policy {
	out := map[string]chtest.Policy{}
	for _, pol := range f.Policies {
		if pol.At.After(asOf) {
			continue
		}
		if o, ok := out[pol.Policy]; !ok || pol.At.After(o.At) {
			out[pol.Policy] = pol
		}
	}
	return out
}
