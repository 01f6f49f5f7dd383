package dialer

import (
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// relaxedRules is what the audit's marketer sent: calls round the clock, no consent, holidays on.
const relaxedRules = `rules: {sales: true, needs_consent: false, no_holidays: false, window_start: "00:00", window_end: "23:59", max_attempts: 4, daily_cap: 3, abandon_lockout: 72h, refusal_lockout: 4392h}`

func TestFloorsCheckNamesTheRule(t *testing.T) {
	base := func(typ string, mutate func(*RuleSet)) Campaign {
		c := Campaign{ID: "c", Type: typ, Script: "S", List: ListRule{Source: "requests"}}
		c.Normalize()
		mutate(c.Rules)
		return c
	}
	tm, mr, svc := events.CampaignTelemarketing, events.CampaignMarketResearch, events.CampaignRenewal
	tests := []struct {
		name string
		c    Campaign
		rule string // "" accepted
	}{
		{"defaults", base(tm, func(*RuleSet) {}), ""},
		{"tighter window", base(tm, func(r *RuleSet) { r.WindowStart, r.WindowEnd = "10:00", "18:00" }), ""},
		{"longer refusal lock", base(tm, func(r *RuleSet) { r.RefusalLockout = 2 * SixMonths }), ""},
		{"window opens at midnight", base(tm, func(r *RuleSet) { r.WindowStart = "00:00" }), "rules.window_start"},
		{"window closes at 23:59", base(tm, func(r *RuleSet) { r.WindowEnd = "23:59" }), "rules.window_end"},
		{"research at 08:00", base(mr, func(r *RuleSet) { r.WindowStart = "08:00" }), "rules.window_start"},
		{"no consent", base(tm, func(r *RuleSet) { r.NeedsConsent = false }), "rules.needs_consent"},
		{"research without consent", base(mr, func(r *RuleSet) { r.NeedsConsent = false }), "rules.needs_consent"},
		{"holidays on", base(tm, func(r *RuleSet) { r.NoHolidays = false }), "rules.no_holidays"},
		{"not sales", base(tm, func(r *RuleSet) { r.Sales = false }), "rules.sales"},
		{"refusal lock a month", base(tm, func(r *RuleSet) { r.RefusalLockout = 30 * 24 * time.Hour }), "rules.refusal_lockout"},
		{"abandon rest a day", base(svc, func(r *RuleSet) { r.AbandonLockout = 24 * time.Hour }), "rules.abandon_lockout"},
		{"service calls keep their own window", base(svc, func(r *RuleSet) { r.WindowStart = "08:00" }), ""},
	}
	over := base(tm, func(*RuleSet) {})
	over.AbandonTarget = 0.05
	tests = append(tests, struct {
		name string
		c    Campaign
		rule string
	}{"abandonment over 3%", over, "abandon_target"})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := DefaultFloors().Check(tc.c)
			var fe *FloorError
			switch {
			case tc.rule == "" && err != nil:
				t.Errorf("Check = %v, want accepted", err)
			case tc.rule != "" && (!errors.As(err, &fe) || fe.Rule != tc.rule):
				t.Errorf("Check = %v, want a floor error naming %s", err, tc.rule)
			}
		})
	}
}

// TestCampaignAPIRefusesRelaxedFloors is the audit's attack: a marketer's telemarketing campaign
// widening the window to 00:00–23:59 and switching consent and holidays off is refused with a
// 400 naming the rule, and no campaign is created.
func TestCampaignAPIRefusesRelaxedFloors(t *testing.T) {
	srv, svc, _ := newAPI(t)
	before := len(svc.Statuses())
	body := strings.Replace(tmYAML, "priority: 2", "priority: 2\n"+relaxedRules, 1)
	code, resp := do(t, srv, httpapi.RoleMarketer, "POST", "/api/campaigns", body)
	if code != http.StatusBadRequest || !strings.Contains(resp, "rules.") || !strings.Contains(resp, "never relax") {
		t.Errorf("POST relaxed rules = %d %s, want 400 naming the rule", code, resp)
	}
	jsonBody := `{"id":"tm-j","type":"market_research","script":"MR","list":{"source":"requests"},"rules":{"needs_consent":false,"no_holidays":true,"window_start":"09:00","window_end":"21:00","max_attempts":3,"daily_cap":3,"abandon_lockout":"72h"}}`
	code, resp = do(t, srv, httpapi.RoleMarketer, "POST", "/api/campaigns", jsonBody)
	if code != http.StatusBadRequest || !strings.Contains(resp, "rules.needs_consent") {
		t.Errorf("POST research without consent = %d %s, want 400 naming rules.needs_consent", code, resp)
	}
	if n := len(svc.Statuses()); n != before {
		t.Errorf("%d campaigns after refusals, want %d", n, before)
	}
}

// TestGateHoldsFloorsAtDialTime: a rule set that reached the gate without passing Check (an older
// campaign file, a bug) still cannot call at 01:34, without consent or on a holiday.
func TestGateHoldsFloorsAtDialTime(t *testing.T) {
	g := complianceFixture(t)
	c, err := ParseCampaign("tm.yaml", []byte("id: tm1\ntype: telemarketing\nscript: S\nlist: {source: requests}\n"+relaxedRules+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.SetRules("tm1", *c.Rules); err != nil {
		t.Fatal(err)
	}
	const phone = "+8613800000009"
	for _, tc := range []struct {
		c    Contact
		now  time.Time
		want string
	}{
		{sales("c1", phone), at("2026-03-02 01:34"), RuleCallingWindow},
		{sales("c1", phone), at("2026-03-02 21:30"), RuleCallingWindow},
		{sales("c2", phone), at("2026-03-02 10:00"), RuleNoConsent},
		{sales("c1", phone), at("2026-10-01 10:00"), RuleHoliday},
		{sales("c1", phone), at("2026-03-02 10:00"), ""},
	} {
		if got := g.Check(tc.c, tc.now); got != tc.want {
			t.Errorf("Check(%s at %s) = %q, want %q", tc.c.CustomerID, tc.now.Format(time.DateTime), got, tc.want)
		}
	}
	if at := g.InWindow(sales("c1", phone), at("2026-03-02 01:34")); at.Hour() != 9 {
		t.Errorf("InWindow from 01:34 = %s, want the 09:00 opening", at)
	}
}

// TestFloorsChangeOnlyByConfiguration: an administrator's configuration that opens the window at
// 08:00 lets a campaign do so, is listed for the start-up log, and a bad one stops start-up.
func TestFloorsChangeOnlyByConfiguration(t *testing.T) {
	f := DefaultFloors()
	f.WindowStart = "08:00"
	if got := f.Changes(); len(got) != 1 || got[0] != "window_start: 09:00 -> 08:00" {
		t.Errorf("Changes = %q", got)
	}
	if n := len(DefaultFloors().Changes()); n != 0 {
		t.Errorf("default floors report %d changes", n)
	}
	c, err := ParseCampaign("tm.yaml", []byte("id: early\ntype: telemarketing\nscript: S\nlist: {source: requests}\nrules: {sales: true, needs_consent: true, no_holidays: true, window_start: \"08:00\", window_end: \"21:00\", max_attempts: 4, daily_cap: 3, abandon_lockout: 72h, refusal_lockout: 4392h}\n"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, shanghai)
	deps := Deps{Clock: clock.NewSim(start), Book: newFakeBook(10, start), Sink: &memSink{}, Log: slog.New(slog.DiscardHandler)}
	if _, err := NewService(ServiceConfig{Campaigns: []Campaign{c}}, deps); err == nil || !strings.Contains(err.Error(), "rules.window_start") {
		t.Errorf("default floors: NewService = %v, want the campaign refused naming rules.window_start", err)
	}
	svc, err := NewService(ServiceConfig{Campaigns: []Campaign{c}, Floors: f}, deps)
	if err != nil {
		t.Fatalf("configured floors: %v", err)
	}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	if got := svc.Gate().RulesFor(Contact{CampaignID: "early", CampaignType: events.CampaignTelemarketing}).WindowStart; got != "08:00" {
		t.Errorf("window start under the configured floor = %s, want 08:00", got)
	}
	bad := DefaultFloors()
	bad.AbandonCap = math.NaN()
	if _, err := NewService(ServiceConfig{Floors: bad}, deps); err == nil || !strings.Contains(err.Error(), "abandon_cap") {
		t.Errorf("NaN abandon cap: NewService = %v, want an error naming abandon_cap", err)
	}
}
