package dialer

import (
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

var shanghai = time.FixedZone("CST", 8*3600)

func at(local string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", local, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func complianceFixture(t *testing.T) *Compliance {
	t.Helper()
	cs := NewMemCustomers()
	cs.Put(CustomerInfo{ID: "c1", MarketingConsent: true})
	cs.Put(CustomerInfo{ID: "c2", MarketingConsent: false})
	cs.Put(CustomerInfo{ID: "c3", MarketingConsent: true, Blacklisted: true})
	cs.Put(CustomerInfo{ID: "urumqi", MarketingConsent: true, Location: time.FixedZone("XJT", 6*3600)})
	g := NewCompliance(cs, shanghai)
	if err := g.AddHoliday("2026-10-01"); err != nil {
		t.Fatal(err)
	}
	return g
}

func sales(customer, phone string) Contact {
	return Contact{ID: "k-" + customer, CustomerID: customer, Phone: phone, CampaignID: "tm1", CampaignType: events.CampaignTelemarketing, Attempt: 1}
}

func service(customer, phone string) Contact {
	return Contact{ID: "k-" + customer, CustomerID: customer, Phone: phone, CampaignID: "cb1", CampaignType: events.CampaignClaimCallback, Attempt: 1}
}

func TestComplianceRules(t *testing.T) {
	const phone = "+8613800000001"
	tests := []struct {
		name  string
		setup func(g *Compliance)
		c     Contact
		now   time.Time
		want  string
	}{
		{"sales at 20:59 is allowed", nil, sales("c1", phone), at("2026-03-02 20:59"), ""},
		{"sales at 21:01 is blocked", nil, sales("c1", phone), at("2026-03-02 21:01"), RuleCallingWindow},
		{"sales at 21:00 is blocked", nil, sales("c1", phone), at("2026-03-02 21:00"), RuleCallingWindow},
		{"sales at 08:30 is blocked", nil, sales("c1", phone), at("2026-03-02 08:30"), RuleCallingWindow},
		{"service at 08:30 is allowed", nil, service("c1", phone), at("2026-03-02 08:30"), ""},
		{"customer's local time counts: 22:30 Beijing is 20:30 in Urumqi", nil, sales("urumqi", phone), at("2026-03-02 22:30"), ""},
		{"customer's local time counts: 10:30 Beijing is 08:30 in Urumqi", nil, sales("urumqi", phone), at("2026-03-02 10:30"), RuleCallingWindow},
		{"sales on a holiday is blocked", nil, sales("c1", phone), at("2026-10-01 10:00"), RuleHoliday},
		{"service on a holiday is allowed", nil, service("c1", phone), at("2026-10-01 10:00"), ""},
		{"no marketing consent blocks sales", nil, sales("c2", phone), at("2026-03-02 10:00"), RuleNoConsent},
		{"no marketing consent does not block service", nil, service("c2", phone), at("2026-03-02 10:00"), ""},
		{"blacklist", nil, service("c3", phone), at("2026-03-02 10:00"), RuleBlacklist},
		{"invalid number", nil, service("c1", "13800000001"), at("2026-03-02 10:00"), RuleInvalidNumber},
		{"national do-not-call", func(g *Compliance) { g.National().Add(phone, time.Time{}) }, service("c1", phone), at("2026-03-02 10:00"), RuleDNCNational},
		{"company do-not-call", func(g *Compliance) { g.Company().Add(phone, time.Time{}) }, sales("c1", phone), at("2026-03-02 10:00"), RuleDNCCompany},
		{"campaign do-not-call", func(g *Compliance) { g.Campaign("tm1").Add(phone, time.Time{}) }, sales("c1", phone), at("2026-03-02 10:00"), RuleDNCCampaign},
		{"another campaign's do-not-call does not apply", func(g *Compliance) { g.Campaign("other").Add(phone, time.Time{}) }, sales("c1", phone), at("2026-03-02 10:00"), ""},
		{"expired do-not-call entry", func(g *Compliance) { g.Company().Add(phone, at("2026-03-01 00:00")) }, sales("c1", phone), at("2026-03-02 10:00"), ""},
		{"maximum attempts reached", nil, func() Contact { c := sales("c1", phone); c.Attempt = 5; return c }(), at("2026-03-02 10:00"), RuleMaxAttempts},
		{"last attempt allowed", nil, func() Contact { c := sales("c1", phone); c.Attempt = 4; return c }(), at("2026-03-02 10:00"), ""},
		{"daily cap per number", func(g *Compliance) {
			for range 3 {
				g.Record(Result{Contact: service("c1", phone), At: at("2026-03-02 09:00"), Outcome: events.AttemptNoAnswer})
			}
		}, sales("c1", phone), at("2026-03-02 18:00"), RuleDailyCap},
		{"daily cap resets the next local day", func(g *Compliance) {
			for range 3 {
				g.Record(Result{Contact: service("c1", phone), At: at("2026-03-02 09:00"), Outcome: events.AttemptNoAnswer})
			}
		}, sales("c1", phone), at("2026-03-03 10:00"), ""},
		{"blocked attempts do not count towards the cap", func(g *Compliance) {
			for range 5 {
				g.Record(Result{Contact: service("c1", phone), At: at("2026-03-02 09:00"), Outcome: events.AttemptBlocked})
			}
		}, sales("c1", phone), at("2026-03-02 10:00"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := complianceFixture(t)
			if tc.setup != nil {
				tc.setup(g)
			}
			if got := g.Check(tc.c, tc.now); got != tc.want {
				t.Errorf("Check = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRefusalKeepsSalesAwayForSixMonths(t *testing.T) {
	const phone = "+8613800000002"
	refusedAt := at("2026-03-02 10:00")
	tests := []struct {
		name string
		c    Contact
		now  time.Time
		want string
	}{
		{"next day", sales("c1", phone), at("2026-03-03 10:00"), RuleRefusal},
		{"five months later", sales("c1", phone), at("2026-08-02 10:00"), RuleRefusal},
		{"six months and a day later", sales("c1", phone), refusedAt.Add(SixMonths + 24*time.Hour), ""},
		{"a service call the next day is not affected", service("c1", phone), at("2026-03-03 10:00"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := complianceFixture(t)
			g.Record(Result{Contact: sales("c1", phone), At: refusedAt, Outcome: events.AttemptConnected, Disposition: DispositionRefused})
			if got := g.Check(tc.c, tc.now); got != tc.want {
				t.Errorf("Check = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAbandonLockout72h(t *testing.T) {
	const phone = "+8613800000003"
	dropped := at("2026-03-02 10:00")
	tests := []struct {
		name string
		now  time.Time
		want string
	}{
		{"an hour later", dropped.Add(time.Hour), RuleAbandonLockout},
		{"71 h 59 min later", dropped.Add(72*time.Hour - time.Minute), RuleAbandonLockout},
		{"72 h later", dropped.Add(72 * time.Hour), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := complianceFixture(t)
			g.Record(Result{Contact: service("c1", phone), At: dropped, Outcome: events.AttemptDropped})
			// The lockout is per number: it holds for every campaign.
			for _, c := range []Contact{service("c1", phone), sales("c1", phone)} {
				if got := g.Check(c, tc.now); got != tc.want {
					t.Errorf("%s: Check = %q, want %q", c.CampaignType, got, tc.want)
				}
			}
		})
	}
}

func TestDoNotCallDispositionListsTheNumber(t *testing.T) {
	const phone = "+8613800000004"
	g := complianceFixture(t)
	g.Record(Result{Contact: service("c1", phone), At: at("2026-03-02 10:00"), Outcome: events.AttemptConnected, Disposition: DispositionDoNotCall})
	if got := g.Check(service("c1", phone), at("2027-03-02 10:00")); got != RuleDNCCompany {
		t.Errorf("Check a year later = %q, want %q", got, RuleDNCCompany)
	}
}

func TestRuleSetValidate(t *testing.T) {
	ok := DefaultRules(events.CampaignTelemarketing)
	tests := []struct {
		name   string
		mutate func(*RuleSet)
		want   bool
	}{
		{"defaults", func(*RuleSet) {}, true},
		{"window reversed", func(r *RuleSet) { r.WindowStart, r.WindowEnd = "21:00", "09:00" }, false},
		{"bad time", func(r *RuleSet) { r.WindowEnd = "9pm" }, false},
		{"negative lockout", func(r *RuleSet) { r.AbandonLockout = -time.Hour }, false},
		{"refusal lockout over ten years", func(r *RuleSet) { r.RefusalLockout = 20 * 365 * 24 * time.Hour }, false},
		{"a million attempts", func(r *RuleSet) { r.MaxAttempts = 1_000_000 }, false},
		{"no attempts", func(r *RuleSet) { r.MaxAttempts = 0 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := ok
			tc.mutate(&r)
			if err := r.Validate(); (err == nil) != tc.want {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.want)
			}
		})
	}
	for _, ty := range events.CampaignTypes {
		if err := DefaultRules(ty).Validate(); err != nil {
			t.Errorf("DefaultRules(%s): %v", ty, err)
		}
	}
}

func TestInWindow(t *testing.T) {
	g := complianceFixture(t)
	tests := []struct {
		name string
		c    Contact
		t    time.Time
		want time.Time
	}{
		{"inside", sales("c1", "+8613800000001"), at("2026-03-02 10:00"), at("2026-03-02 10:00")},
		{"before opening", sales("c1", "+8613800000001"), at("2026-03-02 07:00"), at("2026-03-02 09:00")},
		{"after closing", sales("c1", "+8613800000001"), at("2026-03-02 21:00"), at("2026-03-03 09:00")},
		{"service opens earlier", service("c1", "+8613800000001"), at("2026-03-02 07:00"), at("2026-03-02 08:00")},
		{"sales skip the holiday", sales("c1", "+8613800000001"), at("2026-09-30 22:00"), at("2026-10-02 09:00")},
		{"service calls on the holiday", service("c1", "+8613800000001"), at("2026-09-30 22:00"), at("2026-10-01 08:00")},
		{"customer's own zone", sales("urumqi", "+8613800000001"), at("2026-03-02 10:30"), at("2026-03-02 11:00")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := g.InWindow(tc.c, tc.t)
			if !got.Equal(tc.want) {
				t.Errorf("InWindow = %s, want %s", got.In(shanghai), tc.want.In(shanghai))
			}
			if rule := g.Check(tc.c, got); rule != "" {
				t.Errorf("a call at the returned time is blocked by %s", rule)
			}
		})
	}
}

func TestDNCListLoad(t *testing.T) {
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		file    string
		wantN   int
		listed  []string // at now
		free    []string
		wantErr string
	}{
		{name: "numbers, comments, a lapsing entry", file: "# national list\n13900000001\n\n+86 139 0000 0002, 2027-06-30\n13900000003,2026-12-01\n",
			wantN: 3, listed: []string{"+8613900000001", "+8613900000002"}, free: []string{"+8613900000003", "+8613900000004"}},
		{name: "not a number", file: "13900000001\nhello\n", wantErr: `line 2: "hello" is not a phone number`},
		{name: "not a date", file: "13900000001,June\n", wantErr: `line 1: "June" is not a date`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := NewDNCList()
			n, err := l.Load(strings.NewReader(tc.file), "86")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || n != tc.wantN {
				t.Fatalf("Load = %d, %v; want %d", n, err, tc.wantN)
			}
			for _, p := range tc.listed {
				if !l.Contains(p, now) {
					t.Errorf("%s not listed", p)
				}
			}
			for _, p := range tc.free {
				if l.Contains(p, now) {
					t.Errorf("%s listed", p)
				}
			}
		})
	}
}

func TestServiceLoadsNationalDNC(t *testing.T) {
	_, svc, clk := newAPI(t)
	if _, err := svc.LoadDNC("national", strings.NewReader("13900000007\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.LoadDNC("regional", strings.NewReader("")); err == nil {
		t.Error("an unknown list was accepted")
	}
	c := Contact{ID: "x", CustomerID: "C0007", Phone: "+8613900000007", CampaignID: "renewal-30d", CampaignType: "renewal", Attempt: 1}
	if got := svc.Gate().Check(c, clk.Now()); got != RuleDNCNational {
		t.Errorf("rule %q, want %q", got, RuleDNCNational)
	}
}
