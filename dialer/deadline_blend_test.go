package dialer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/routing"
)

// starveBook has renewals enough to keep one agent busy for days (customers R…) and a claim
// closing every 20 minutes from start on (customers K…), so no customer is on both lists.
type starveBook struct {
	customers map[string]events.Customer
	policies  []events.Policy
	claims    []events.Claim
}

func newStarveBook(start time.Time) *starveBook {
	b := &starveBook{customers: map[string]events.Customer{}}
	for i := range 400 {
		id := fmt.Sprintf("R%04d", i)
		b.customers[id] = events.Customer{Customer: id, Phone: fmt.Sprintf("+86137%08d", i), TimeZone: "Asia/Shanghai", MarketingConsent: true}
		end := start.AddDate(0, 0, 1+i%50)
		b.policies = append(b.policies, events.Policy{Policy: "P" + id, Customer: id, Product: "AUTO", Line: "auto", Status: "active", StartDate: end.AddDate(-1, 0, 0), EndDate: end})
	}
	for i := range 200 {
		id := fmt.Sprintf("K%04d", i)
		b.customers[id] = events.Customer{Customer: id, Phone: fmt.Sprintf("+86138%08d", i), TimeZone: "Asia/Shanghai"}
		closed := start.Add(time.Duration(i) * 20 * time.Minute)
		b.claims = append(b.claims, events.Claim{Claim: "CL" + id, Policy: "PK" + id, Customer: id, Status: "closed", ReportedAt: closed.Add(-48 * time.Hour), ClosedAt: &closed})
	}
	return b
}

func (b *starveBook) Customer(id string) (events.Customer, bool) {
	c, ok := b.customers[id]
	return c, ok
}

func (b *starveBook) PoliciesExpiring(from, to time.Time) []events.Policy {
	var out []events.Policy
	for _, p := range b.policies {
		if !p.EndDate.Before(from) && p.EndDate.Before(to) {
			out = append(out, p)
		}
	}
	return out
}

func (b *starveBook) PremiumsDue(time.Time, time.Time) []events.Policy { return nil }

func (b *starveBook) ClaimsClosed(from, to time.Time) []events.Claim {
	var out []events.Claim
	for _, c := range b.claims {
		if !c.ClosedAt.Before(from) && c.ClosedAt.Before(to) {
			out = append(out, c)
		}
	}
	return out
}

// TestClaimCallbacksNotStarvedByHigherPriorityCampaign: one agent, blended; a post-claim
// callback campaign at priority 5 and a renewal campaign at priority 8 whose list outlasts the
// two simulated days. By priority alone the renewals keep the agent and no claim gets its first
// attempt within 24 h of closing; with the claims' first-attempt deadline putting their
// campaign ahead once a claim is 18 h from it, every claim closed on the first day is attempted
// in time, and the renewals still have the agent while no claim is at risk.
func TestClaimCallbacksNotStarvedByHigherPriorityCampaign(t *testing.T) {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, cst) // a Monday
	clk := clock.NewSim(start)
	rsink := &memSink{}
	acd, err := routing.New(routing.Config{Queues: []routing.QueueConfig{
		{Name: "inq", Line: events.LineInquiry, Skills: []routing.SkillReq{{Skill: "service", Min: 1}}, Priority: 10},
	}}, clk, routing.WithSink(rsink))
	if err != nil {
		t.Fatal(err)
	}
	if err := acd.Login(routing.Login{Agent: "a", Skills: map[string]int{"service": 2, "claims": 2}, Ready: true}); err != nil {
		t.Fatal(err)
	}
	blend := NewBlend(acd, clk, BlendConfig{KeepIdle: -1, Every: 10 * time.Second})
	acd.AddObserver(blend)
	// Everyone answers in person after 5 s and talks 3 minutes: one call closes a contact.
	far := FarEndFunc(func(Contact, time.Time, time.Duration) FarEndAnswer {
		return FarEndAnswer{Outcome: "person", Ring: 5 * time.Second, Talk: 3 * time.Minute}
	})
	sink := &memSink{}
	cs := []Campaign{
		{ID: "claims", Name: "claims", Type: events.CampaignClaimCallback, Script: "C1", Pacing: MethodProgressive, Priority: 5, Agents: 1, List: ListRule{Source: "book"}},
		{ID: "renew", Name: "renewals", Type: events.CampaignRenewal, Script: "R1", Pacing: MethodProgressive, Priority: 8, Agents: 1, List: ListRule{Source: "book", ExpiringInDays: 60}},
	}
	for i := range cs {
		cs[i].Normalize()
	}
	svc, err := NewService(ServiceConfig{Campaigns: cs, Seed: 3, AMDFalsePositive: 1e-9}, Deps{Clock: clk, Book: newStarveBook(start), FarEnd: far, Sink: sink, Agents: blend})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	blend.Start()
	clk.Advance(48 * time.Hour)
	if err := svc.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Claims closed in the first 22 h: their deadlines (up to Wednesday 08:00) need an attempt
	// by Tuesday's window end, 21:00, inside the 48 h simulated.
	first := map[string]time.Time{}
	renewals := 0
	for _, ev := range sink.evs {
		d, ok := ev.Payload.(events.DialAttempt)
		if !ok || d.Outcome == events.AttemptBlocked {
			continue
		}
		switch d.Campaign {
		case "claims":
			if f, ok := first[d.Contact]; !ok || d.DialedAt.Before(f) {
				first[d.Contact] = d.DialedAt
			}
		case "renew":
			if d.Outcome == events.AttemptConnected {
				renewals++
			}
		}
	}
	var n, inTime int
	for i := 0; i < 22*3; i++ {
		closed := start.Add(time.Duration(i) * 20 * time.Minute)
		n++
		if f, ok := first[fmt.Sprintf("CLK%04d", i)]; ok && !f.After(closed.Add(24*time.Hour)) {
			inTime++
		}
	}
	t.Logf("claims first attempted within 24 h of closing: %d/%d; renewal conversations: %d", inTime, n, renewals)
	if inTime != n {
		t.Errorf("%d of %d claims first attempted within 24 h of closing, want all", inTime, n)
	}
	// The renewals keep the agent while no claim is at risk (about 14 conversations an hour;
	// the claims take 66 of the 24 calling hours' conversations).
	if renewals < 11*10 {
		t.Errorf("%d renewal conversations, want the renewals to have the agent while no claim is at risk", renewals)
	}
}
