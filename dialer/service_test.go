package dialer

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// fakeBook is a small book of business: n customers, each with a policy ending within 60 days,
// and a claim closing every 20 minutes.
type fakeBook struct {
	customers map[string]events.Customer
	policies  []events.Policy
	claims    []events.Claim
}

func newFakeBook(n int, start time.Time) *fakeBook {
	b := &fakeBook{customers: map[string]events.Customer{}}
	for i := range n {
		id := fmt.Sprintf("C%04d", i)
		b.customers[id] = events.Customer{Customer: id, Name: "x", Phone: fmt.Sprintf("+86139%08d", i), TimeZone: "Asia/Shanghai", MarketingConsent: i%2 == 0}
		end := start.AddDate(0, 0, 1+i%60)
		b.policies = append(b.policies, events.Policy{Policy: "P" + id, Customer: id, Product: "AUTO", Line: "auto", Status: "active", StartDate: end.AddDate(-1, 0, 0), EndDate: end})
		closed := start.Add(time.Duration(i) * 20 * time.Minute)
		b.claims = append(b.claims, events.Claim{Claim: "CL" + id, Policy: "P" + id, Customer: id, Status: "closed", ReportedAt: closed.Add(-48 * time.Hour), ClosedAt: &closed})
	}
	return b
}

func (b *fakeBook) Customer(id string) (events.Customer, bool) {
	c, ok := b.customers[id]
	return c, ok
}
func (b *fakeBook) PoliciesExpiring(from, to time.Time) []events.Policy {
	var out []events.Policy
	for _, p := range b.policies {
		if !p.EndDate.Before(from) && p.EndDate.Before(to) {
			out = append(out, p)
		}
	}
	return out
}
func (b *fakeBook) PremiumsDue(from, to time.Time) []events.Policy { return nil }
func (b *fakeBook) ClaimsClosed(from, to time.Time) []events.Claim {
	var out []events.Claim
	for _, c := range b.claims {
		if !c.ClosedAt.Before(from) && c.ClosedAt.Before(to) {
			out = append(out, c)
		}
	}
	return out
}

type memSink struct {
	mu  sync.Mutex
	evs []events.Event
}

func (m *memSink) Publish(_ context.Context, evs ...events.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.evs = append(m.evs, evs...)
	return nil
}

func TestServiceRunsRenewalAndClaimCallbacks(t *testing.T) {
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	clk := clock.NewSim(start)
	book := newFakeBook(400, start)
	sink := &memSink{}
	svc, err := NewService(ServiceConfig{TeamSize: 4, Seed: 1}, Deps{Clock: clk, Book: book, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(6 * 24 * time.Hour)
	if err := svc.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}

	byType := map[events.Type]int{}
	attempts := map[string]map[string]int{}
	for _, ev := range sink.evs {
		if err := ev.Validate(ev.OccurredAt); err != nil {
			t.Fatalf("%s event does not validate: %v", ev.Type, err)
		}
		byType[ev.Type]++
		if d, ok := ev.Payload.(events.DialAttempt); ok {
			if attempts[d.Campaign] == nil {
				attempts[d.Campaign] = map[string]int{}
			}
			attempts[d.Campaign][d.Outcome]++
			if d.Campaign == "claim-callback" && d.Claim == "" {
				t.Errorf("claim callback attempt %s has no claim id", d.AttemptID)
			}
			if d.Outcome == events.AttemptConnected {
				local := d.DialedAt.In(start.Location())
				if h := local.Hour(); h < 8 || h >= 21 {
					t.Errorf("attempt %s dialled at %s local, outside the service window", d.AttemptID, local.Format("15:04"))
				}
			}
		}
		if s, ok := ev.Payload.(events.SurveyResponse); ok && (s.Claim == "" || s.CallID == "") {
			t.Errorf("post-claim survey %s not linked to its claim and call", s.ResponseID)
		}
	}
	for _, id := range []string{"renewal-30d", "claim-callback"} {
		if attempts[id][events.AttemptConnected] == 0 {
			t.Errorf("campaign %s connected no calls: %v", id, attempts[id])
		}
	}
	if byType[events.TypeSurveyResponse] == 0 {
		t.Errorf("no survey responses: %v", byType)
	}
	st, ok := svc.Status("claim-callback")
	if !ok || st.FirstAttempt24h == nil || st.Reached72h == nil {
		t.Fatalf("claim callback status has no coverage: %+v", st)
	}
	if st.Figures.AbandonRate > 0.03 {
		t.Errorf("claim callback abandonment %.3f over 3%%", st.Figures.AbandonRate)
	}
	t.Logf("events %v; claim callbacks: first attempt within 24 h %.0f%%, reached within 72 h %.0f%%; renewal list %+v",
		byType, *st.FirstAttempt24h*100, *st.Reached72h*100, svc.statusList("renewal-30d"))
}

func (s *Service) statusList(id string) ListProgress { st, _ := s.Status(id); return st.List }

func TestServiceSMSCampaignAndVirtualHold(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	clk := clock.NewSim(start)
	book := newFakeBook(60, start)
	sink := &memSink{}
	smsOnly := Campaign{ID: "renewal-sms", Type: events.CampaignRenewal, Script: "RENEWAL-SMS", Channel: "sms",
		List: ListRule{Source: "book", ExpiringInDays: 10}}
	smsOnly.Normalize()
	cfg := ServiceConfig{Campaigns: append(DefaultCampaigns(), smsOnly), TeamSize: 2, Seed: 9}
	svc, err := NewService(cfg, Deps{Clock: clk, Book: book, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		req := events.CallbackRequested{CallbackID: fmt.Sprintf("cb-%d", i), CallID: fmt.Sprintf("in-%d", i), Phone: fmt.Sprintf("+86137%08d", i), Queue: "claims", Line: "claims"}
		if !svc.AddCallbackRequest(req, clk.Now()) {
			t.Fatal("no virtual-hold campaign took the request")
		}
	}
	clk.Advance(8 * time.Hour)
	if err := svc.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var smsSent, smsDialled, vhold int
	for _, ev := range sink.evs {
		switch p := ev.Payload.(type) {
		case events.SMS:
			if p.Campaign == "renewal-sms" && p.Status == "sent" {
				smsSent++
			}
		case events.DialAttempt:
			if p.Campaign == "renewal-sms" {
				smsDialled++
			}
			if p.CampaignTyp == events.CampaignVirtualHold && p.Outcome == events.AttemptConnected {
				vhold++
			}
		}
	}
	if smsSent == 0 || smsDialled != 0 {
		t.Errorf("SMS-only campaign: %d texts sent, %d calls dialled; want texts and no calls", smsSent, smsDialled)
	}
	if vhold == 0 {
		t.Errorf("no virtual-hold callback connected")
	}
	if st, _ := svc.Status("virtual-hold"); st.Figures.Dropped != 0 {
		t.Errorf("virtual-hold callbacks (progressive) dropped %d calls", st.Figures.Dropped)
	}
}
