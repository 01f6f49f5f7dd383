package dialer

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/routing"
)

// engineRunner runs desktop actions on the test's goroutine, which also drives the clock.
type engineRunner struct{ e *routing.Engine }

func (r engineRunner) Do(f func(*routing.Engine) error) error { return f(r.e) }

// deskFixture is a blend fixture whose agent "a" is a person at routing's agent desktop.
type deskFixture struct {
	*blendFixture
	srv *httpapi.Server
	tok string
}

func newDeskFixture(t *testing.T) *deskFixture { return newDeskFixtureFor(t, MethodProgressive) }

// newDeskFixtureFor is newDeskFixture for a campaign dialling in mode pacing.
func newDeskFixtureFor(t *testing.T, pacing string, opts ...func(*Campaign)) *deskFixture {
	t.Helper()
	// Everyone answers in person after 5 s; a simulated agent would talk 3 minutes.
	far := FarEndFunc(func(Contact, time.Time, time.Duration) FarEndAnswer {
		return FarEndAnswer{Outcome: "person", Ring: 5 * time.Second, Talk: 3 * time.Minute}
	})
	f := &deskFixture{blendFixture: newBlendFixtureFar(t, nil, pacing, far, BlendConfig{KeepIdle: -1}, opts...)}
	desk := routing.NewDesktop(engineRunner{f.acd}, routing.WithOutbound(f.blend),
		routing.WithRoster(func(string) (map[string]int, bool) { return map[string]int{"service": 2}, true }))
	f.blend.SetAttended(desk.Attended)
	f.srv = httpapi.New(httpapi.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	desk.Register(f.srv)
	tok, err := f.srv.Tokens().Generate(httpapi.Principal{User: "u-a", Role: httpapi.RoleAgent, AgentID: "a", Tenant: httpapi.AllTenants})
	if err != nil {
		t.Fatal(err)
	}
	f.tok = tok
	f.post(t, "/api/agent/login", "", http.StatusOK)
	f.post(t, "/api/agent/ready", "", http.StatusOK)
	return f
}

func (f *deskFixture) do(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Authorization", "Bearer "+f.tok)
	rec := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func (f *deskFixture) post(t *testing.T, path, body string, want int) string {
	t.Helper()
	code, out := f.do(t, http.MethodPost, path, body)
	if code != want {
		t.Fatalf("POST %s %s: %d %s, want %d", path, body, code, out, want)
	}
	return out
}

// onCall waits for the campaign's call to reach the agent and returns the desk as the desktop
// shows it.
func (f *deskFixture) onCall(t *testing.T) routing.DeskState {
	t.Helper()
	f.waitState(t, "a", events.AgentOnCall, 10*time.Second)
	code, body := f.do(t, http.MethodGet, "/api/agent/state", "")
	if code != http.StatusOK {
		t.Fatalf("GET /api/agent/state: %d %s", code, body)
	}
	var st routing.DeskState
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if st.Outbound == nil || st.Outbound.Campaign != "renew" || len(st.Outbound.Outcomes) == 0 || st.Agent.Direction != events.Outbound {
		t.Fatalf("desk on the campaign call: %s", body)
	}
	return st
}

// TestDesktopOutcomeEndsAttendedCall: a campaign call on a person's desk is not ended by the
// simulated team; the desktop shows its outcome codes; bad outcomes are refused with a 4xx that
// says why, leaving the call as it was; the outcome ends the conversation, wrap-up cannot end
// before it is reported, and once it ends the agent goes on with the campaign.
func TestDesktopOutcomeEndsAttendedCall(t *testing.T) {
	f := newDeskFixture(t)
	st := f.onCall(t)
	id := st.Agent.CallID
	f.clk.Advance(10 * time.Minute) // a simulated agent would have hung up after 3 minutes
	if ai, _ := f.acd.Agent("a"); ai.State != events.AgentOnCall || ai.CallID != id {
		t.Fatalf("10 minutes on, a is %s on %q: the person's call was ended for them", ai.State, ai.CallID)
	}
	url := "/api/agent/calls/" + id + "/outcome"
	cb := f.clk.Now().Add(26 * time.Hour).Format(time.RFC3339)
	past := f.clk.Now().Add(-time.Hour).Format(time.RFC3339)
	for _, tc := range []struct {
		body     string
		want     int
		contains string
	}{
		{`{}`, http.StatusBadRequest, "renewed"},                                           // no code: the codes listed
		{`{"code": "sale"}`, http.StatusBadRequest, "is not an outcome of campaign renew"}, // a sales code
		{`{"code": "callback_at"}`, http.StatusBadRequest, "callback_at: missing"},         // no time
		{`{"code": "callback_at", "callback_at": "` + past + `"}`, http.StatusBadRequest, "not in the future"},
		{`{"code": "renewed", "callback_at": "` + cb + `"}`, http.StatusBadRequest, "only with code callback_at"},
		{`{"code": "renewed", "extra": 1}`, http.StatusBadRequest, "unknown field"},
	} {
		if code, body := f.do(t, http.MethodPost, url, tc.body); code != tc.want || !strings.Contains(body, tc.contains) {
			t.Errorf("POST outcome %s: %d %s, want %d containing %q", tc.body, code, body, tc.want, tc.contains)
		}
	}
	if ai, _ := f.acd.Agent("a"); ai.State != events.AgentOnCall {
		t.Fatalf("a refused outcome changed a's call: a is %s", ai.State)
	}
	if got := f.attempts(t); len(got) != 0 {
		t.Fatalf("attempts recorded before the outcome: %+v", got)
	}
	// Hanging up first is allowed; wrap-up then waits for the outcome.
	f.post(t, "/api/agent/calls/"+id+"/hangup", "", http.StatusOK)
	hungUp := f.clk.Now()
	f.clk.Advance(20 * time.Second)
	f.post(t, "/api/agent/ready", "", http.StatusConflict)
	f.post(t, "/api/agent/calls/"+id+"/wrapup", `{"disposition": "renewed"}`, http.StatusConflict)
	out := f.post(t, url, `{"code": "renewed"}`, http.StatusOK)
	var rep OutcomeReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Campaign != "renew" || rep.Code != "renewed" || !rep.Final || rep.RetryAt != nil {
		t.Fatalf("outcome report %s, want renewed, final", out)
	}
	f.post(t, url, `{"code": "renewed"}`, http.StatusConflict) // reported once
	got := f.attempts(t)
	if len(got) != 1 || got[0].Outcome != events.AttemptConnected || got[0].Disposition != "renewed" || got[0].Agent != "a" || !got[0].Final {
		t.Fatalf("attempts %+v, want one connected, renewed by a, final", got)
	}
	if !got[0].EndedAt.Equal(hungUp) {
		t.Fatalf("attempt ended %s, want when a hung up (%s), not when the outcome came", got[0].EndedAt, hungUp)
	}
	// Wrap-up ends with the reported outcome as the disposition; the agent dials on.
	f.post(t, "/api/agent/calls/"+id+"/wrapup", "", http.StatusOK)
	var rec *events.CallRecord
	for _, ev := range f.rsink.evs {
		if r, ok := ev.Payload.(events.CallRecord); ok && r.CallID == id {
			rec = &r
		}
	}
	if rec == nil || rec.Disposition != "renewed" {
		t.Fatalf("routing's record of the call: %+v, want disposition renewed", rec)
	}
	f.clk.Advance(time.Second)
	next := f.onCall(t)
	if next.Agent.CallID == id {
		t.Fatal("the next call has the same id")
	}
}

// TestDesktopOutcomeKinds: the dialer acts on each kind of outcome a person reports: a success
// closes the contact as reached; a callback schedules the next call at the asked time; a
// refusal keeps sales calls away for 6 months; do-not-call puts the number on the company
// list; a wrong number closes the contact unreached and the number is not called for that
// customer again.
func TestDesktopOutcomeKinds(t *testing.T) {
	for _, tc := range []struct {
		code  string
		final string // the contact's final outcome; "" when it stays open
		check func(t *testing.T, f *deskFixture, c Contact, rep OutcomeReport)
	}{
		{"renewed", FinalReached, nil},
		{DispositionCallback, "", func(t *testing.T, f *deskFixture, c Contact, rep OutcomeReport) {
			want := time.Date(2026, 3, 3, 15, 30, 0, 0, cst)
			if rep.RetryAt == nil || !rep.RetryAt.Equal(want) {
				t.Fatalf("callback retry at %v, want %s", rep.RetryAt, want)
			}
		}},
		{DispositionRefused, FinalReached, func(t *testing.T, f *deskFixture, c Contact, _ OutcomeReport) {
			g := f.svc.Gate()
			sales := DefaultRules(events.CampaignTelemarketing)
			sales.NeedsConsent = false // this customer's consent is not what is tested
			if err := g.SetRules("tm", sales); err != nil {
				t.Fatal(err)
			}
			tm := Contact{ID: "x", CustomerID: c.CustomerID, Phone: c.Phone, CampaignID: "tm", CampaignType: events.CampaignTelemarketing, Attempt: 1}
			day := func(d int) time.Time { // 11:00 local, d days on
				y, m, dd := f.clk.Now().In(cst).Date()
				return time.Date(y, m, dd+d, 11, 0, 0, 0, cst)
			}
			if rule := g.Check(tm, day(182)); rule != RuleRefusal {
				t.Errorf("sales call 182 days after the refusal: rule %q, want %s", rule, RuleRefusal)
			}
			if rule := g.Check(tm, day(184)); rule == RuleRefusal {
				t.Errorf("sales call 184 days after the refusal still blocked by %s", rule)
			}
			if rule := g.Check(Contact{ID: "y", CustomerID: c.CustomerID, Phone: c.Phone, CampaignID: "renew", CampaignType: events.CampaignRenewal, Attempt: 1}, day(1)); rule != "" {
				t.Errorf("a service call the day after a sales refusal: blocked by %s", rule)
			}
		}},
		{DispositionDoNotCall, FinalReached, func(t *testing.T, f *deskFixture, c Contact, _ OutcomeReport) {
			if !f.svc.Gate().Company().Contains(c.Phone, f.clk.Now().AddDate(5, 0, 0)) {
				t.Fatalf("%s is not on the company do-not-call list", c.Phone)
			}
			other := Contact{ID: "z", CustomerID: c.CustomerID, Phone: c.Phone, CampaignID: "other", CampaignType: events.CampaignPremiumDue, Attempt: 1}
			if rule := f.svc.Gate().Check(other, f.clk.Now()); rule != RuleDNCCompany {
				t.Fatalf("another campaign's call: rule %q, want %s", rule, RuleDNCCompany)
			}
		}},
		{DispositionWrongNumber, FinalWrongNumber, func(t *testing.T, f *deskFixture, c Contact, _ OutcomeReport) {
			if p := f.svc.runs["renew"].list.Progress(); p.Reached != 0 {
				t.Fatalf("a wrong number counted as reaching the customer: %+v", p)
			}
			g := f.svc.Gate()
			other := Contact{ID: "z", CustomerID: c.CustomerID, Phone: c.Phone, CampaignID: "other", CampaignType: events.CampaignPremiumDue, Attempt: 1}
			if rule := g.Check(other, f.clk.Now()); rule != RuleWrongNumber {
				t.Fatalf("the same customer on the same number: rule %q, want %s", rule, RuleWrongNumber)
			}
			other.CustomerID = "C9999" // whoever the number does belong to may still be called
			if rule := g.Check(other, f.clk.Now()); rule == RuleWrongNumber {
				t.Fatalf("another customer on the number blocked by %s", rule)
			}
		}},
	} {
		t.Run(tc.code, func(t *testing.T) {
			f := newDeskFixture(t)
			st := f.onCall(t)
			body := `{"code": "` + tc.code + `"}`
			if tc.code == DispositionCallback {
				body = `{"code": "callback_at", "callback_at": "2026-03-03T15:30:00+08:00"}`
			}
			var rep OutcomeReport
			if err := json.Unmarshal([]byte(f.post(t, "/api/agent/calls/"+st.Agent.CallID+"/outcome", body, http.StatusOK)), &rep); err != nil {
				t.Fatal(err)
			}
			list := f.svc.runs["renew"].list
			list.mu.Lock()
			e := list.entries[rep.Contact]
			c, final := e.c, e.final
			list.mu.Unlock()
			if final != tc.final || rep.Final != (tc.final != "") {
				t.Fatalf("contact %s final %q (report %+v), want %q", rep.Contact, final, rep, tc.final)
			}
			if tc.final == "" && (rep.RetryAt == nil || !e.nextAt.Equal(*rep.RetryAt)) {
				t.Fatalf("open contact next call %s, report says %v", e.nextAt, rep.RetryAt)
			}
			if tc.check != nil {
				tc.check(t, f, c, rep)
			}
			att := f.attempts(t)
			if len(att) != 1 || att[0].Disposition != tc.code || att[0].Final != (tc.final != "") {
				t.Fatalf("attempts %+v, want one with disposition %s", att, tc.code)
			}
		})
	}
}

// TestAttendedCallWithoutOutcome: when routing ends the after-call work of a person's campaign
// call without an outcome (its wrap-up limit), the attempt still closes, as connected with no
// disposition, and the agent goes on with the campaign.
func TestAttendedCallWithoutOutcome(t *testing.T) {
	f := newDeskFixture(t)
	st := f.onCall(t)
	f.post(t, "/api/agent/calls/"+st.Agent.CallID+"/hangup", "", http.StatusOK)
	f.clk.Advance(3 * time.Minute) // routing's wrap-up limit is 2 minutes
	got := f.attempts(t)
	if len(got) != 1 || got[0].Outcome != events.AttemptConnected || got[0].Disposition != "" {
		t.Fatalf("attempts %+v, want one connected with no disposition", got)
	}
	if next := f.onCall(t); next.Agent.CallID == st.Agent.CallID {
		t.Fatal("the agent is still on the first call")
	}
}
