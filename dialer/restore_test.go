package dialer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/ingest/ingesttest"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
)

// TestRestoreComplianceFromClickHouse: what the gate learned in an earlier run (do-not-call,
// refusal, abandon, wrong number, SMS opt-out) reaches ClickHouse through the real pipeline,
// and a new gate reads it back and blocks the same calls.
func TestRestoreComplianceFromClickHouse(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, shanghai)
	var evs []events.Event
	attempt := func(i int, campaignType, outcome, disposition string, ended time.Time) {
		answered, connected := ended.Add(-time.Minute), ended.Add(-time.Minute+time.Second)
		d := events.DialAttempt{AttemptID: fmt.Sprintf("a%d", i), Campaign: "c-" + campaignType, CampaignTyp: campaignType,
			Contact: fmt.Sprintf("k%d", i), Customer: fmt.Sprintf("C%d", i), Phone: fmt.Sprintf("+861390000%04d", i), Mode: events.ModePredictive,
			AttemptNo: 1, DialedAt: answered.Add(-10 * time.Second), AnsweredAt: &answered, EndedAt: ended, Outcome: outcome, Disposition: disposition}
		if outcome == events.AttemptConnected {
			d.ConnectedAt, d.Agent = &connected, "A1"
		}
		evs = append(evs, events.New(d, ended, "dialer/test", "GD"))
	}
	text := func(i int, campaign, body string) {
		evs = append(evs, events.New(events.SMS{MessageID: fmt.Sprintf("in-%d", i), Direction: events.Inbound, Kind: "reply", Status: "received",
			Campaign: campaign, Customer: fmt.Sprintf("C%d", i), Phone: fmt.Sprintf("+861390000%04d", i), Body: body}, now.Add(-time.Hour), "dialer/test", "GD"))
	}
	attempt(1, events.CampaignRenewal, events.AttemptConnected, DispositionDoNotCall, now.Add(-400*24*time.Hour))
	attempt(2, events.CampaignTelemarketing, events.AttemptConnected, DispositionRefused, now.Add(-30*24*time.Hour))
	attempt(3, events.CampaignRenewal, events.AttemptDropped, "abandon_message", now.Add(-24*time.Hour))
	attempt(4, events.CampaignRenewal, events.AttemptDropped, "abandon_message", now.Add(-40*24*time.Hour)) // long lapsed
	attempt(5, events.CampaignRenewal, events.AttemptConnected, DispositionWrongNumber, now.Add(-2*time.Hour))
	attempt(6, events.CampaignRenewal, events.AttemptConnected, "renewed", now.Add(-2*time.Hour))
	text(7, "c-renewal", "TD")
	text(8, "", " 退订 ")
	text(9, "c-renewal", "5")
	// Another centre's facts are its own.
	other := events.New(events.DialAttempt{AttemptID: "x", Campaign: "c-renewal", CampaignTyp: events.CampaignRenewal, Contact: "k10", Customer: "C10",
		Phone: "+8613900000010", Mode: events.ModePredictive, AttemptNo: 1, DialedAt: now.Add(-time.Hour), EndedAt: now.Add(-time.Hour),
		Outcome: events.AttemptBlocked, BlockedRule: RuleBlacklist, Disposition: DispositionDoNotCall}, now.Add(-time.Hour), "dialer/test", "SZ")
	evs = append(evs, other)

	addr, db := ingesttest.Ingest(t, evs)
	ctx := context.Background()
	conn, err := chdb.Open(ctx, chdb.Options{Addr: addr, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	g := NewCompliance(nil, shanghai)
	for _, typ := range []string{events.CampaignRenewal, events.CampaignTelemarketing} {
		if err := g.SetRules("c-"+typ, DefaultRules(typ)); err != nil {
			t.Fatal(err)
		}
	}
	n, err := g.Restore(ctx, conn, "GD", now)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Restored{DoNotCall: 1, Refusals: 1, Abandoned: 1, WrongNumbers: 1, OptOuts: 2}); n != want {
		t.Errorf("restored %+v, want %+v", n, want)
	}
	// The campaigns' rolling abandonment picks up the answered calls of the last 30 days.
	h, err := AnswerHistory(ctx, conn, "GD", now)
	if err != nil {
		t.Fatal(err)
	}
	st := NewStats()
	st.preload(h["c-renewal"])
	rate24, n24 := st.AbandonRate(now, 24*time.Hour)
	rate30, n30 := st.AbandonRate(now, 30*24*time.Hour)
	if len(h) != 2 || len(h["c-telemarketing"]) != 1 || n24 != 3 || n30 != 3 || rate30 < 0.33 || rate30 > 0.34 || rate24 != rate30 {
		t.Errorf("history %v: 24 h %.3f of %d, 30 d %.3f of %d; want c-renewal's 3 calls with 1 abandoned in both windows and c-telemarketing's one", h, rate24, n24, rate30, n30)
	}

	tests := []struct {
		i        int
		campaign string
		want     string
	}{
		{1, events.CampaignRenewal, RuleDNCCompany},
		{2, events.CampaignTelemarketing, RuleRefusal},
		{3, events.CampaignRenewal, RuleAbandonLockout},
		{4, events.CampaignRenewal, ""},
		{5, events.CampaignRenewal, RuleWrongNumber},
		{6, events.CampaignRenewal, ""},
		{7, events.CampaignRenewal, RuleDNCCampaign},
		{8, events.CampaignRenewal, RuleDNCCompany},
		{9, events.CampaignRenewal, ""},
		{10, events.CampaignRenewal, ""},
	}
	for _, tc := range tests {
		c := Contact{ID: "x", CustomerID: fmt.Sprintf("C%d", tc.i), Phone: fmt.Sprintf("+861390000%04d", tc.i), CampaignID: "c-" + tc.campaign, CampaignType: tc.campaign, Attempt: 1}
		if tc.campaign == events.CampaignTelemarketing {
			// Consent is not what this test is about.
			g.customers = &MemCustomers{m: map[string]CustomerInfo{c.CustomerID: {ID: c.CustomerID, MarketingConsent: true}}}
		}
		if got := g.Check(c, now); got != tc.want {
			t.Errorf("customer %d (%s): rule %q, want %q", tc.i, tc.campaign, got, tc.want)
		}
		g.customers = nil
	}
}

func TestStatsPreload(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name           string
		past           []AnsweredCall
		live           []bool // this run's calls, dropped or not, one a minute up to now
		want24, want30 float64
	}{
		{"no history", nil, []bool{false, true}, 0.5, 0.5},
		{"history only", []AnsweredCall{{now.Add(-48 * time.Hour), true}, {now.Add(-47 * time.Hour), false}}, nil, 0, 0.5},
		{"both, history first", []AnsweredCall{{now.Add(-10 * 24 * time.Hour), true}, {now.Add(-2 * time.Hour), false}}, []bool{false, false}, 0, 0.25},
		{"older than 30 days does not count", []AnsweredCall{{now.Add(-31 * 24 * time.Hour), true}}, []bool{false}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStats()
			for i, dropped := range tc.live {
				at := now.Add(time.Duration(i-len(tc.live)+1) * time.Minute)
				if dropped {
					s.drop(at)
				} else {
					s.connect(at, time.Second)
				}
			}
			s.preload(tc.past)
			for i := 1; i < len(s.marks); i++ {
				if s.marks[i].at.Before(s.marks[i-1].at) {
					t.Fatalf("marks out of order at %d", i)
				}
			}
			if r, _ := s.AbandonRate(now, 24*time.Hour); r != tc.want24 {
				t.Errorf("24 h: %v, want %v", r, tc.want24)
			}
			if r, _ := s.AbandonRate(now, 30*24*time.Hour); r != tc.want30 {
				t.Errorf("30 d: %v, want %v", r, tc.want30)
			}
		})
	}
}
