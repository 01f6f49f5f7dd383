package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/routing"
)

// Book is the book of business as the dialer sees it: whom to call about renewals, premiums
// due and closed claims. Every method is safe for concurrent use and returns copies.
type Book interface {
	Customer(id string) (events.Customer, bool)
	PoliciesOf(customerID string) []events.Policy
	ClaimsOf(customerID string) []events.Claim
	// PoliciesExpiring lists active policies whose end date falls in [from, to).
	PoliciesExpiring(from, to time.Time) []events.Policy
	// PremiumsDue lists active policies whose next premium is due in [from, to).
	PremiumsDue(from, to time.Time) []events.Policy
	// ClaimsClosed lists claims closed in [from, to), in order of closing.
	ClaimsClosed(from, to time.Time) []events.Claim
}

// MemBook is the simulator's in-memory book. It also serves routing as its CustomerDirectory.
type MemBook struct {
	mu         sync.RWMutex
	customers  []events.Customer
	byID       map[string]int
	byPhone    map[string]int
	segment    map[string]string
	policies   map[string]events.Policy
	custPols   map[string][]string
	claims     map[string]events.Claim
	custClaims map[string][]string
	complaints map[string][]events.Complaint
	open       []string // claims not closed, in id order (ids grow)
	nextClaim  int
}

var (
	_ Book                      = (*MemBook)(nil)
	_ routing.CustomerDirectory = (*MemBook)(nil)
)

var products = map[string][]string{
	"auto": {"AUTO-COMP", "AUTO-TPL"}, "property": {"HOME-STD"}, "life": {"LIFE-TERM", "LIFE-WL"},
	"health": {"HEALTH-MED"}, "accident": {"PA-STD"}, "liability": {"LIAB-GEN"},
}

var provinces = []struct{ code, city string }{{"GD", "Guangzhou"}, {"GD", "Shenzhen"}, {"BJ", "Beijing"}, {"SH", "Shanghai"}, {"ZJ", "Hangzhou"}, {"SC", "Chengdu"}}

// NewBook generates n customers with their policies and claims as of now, from seed.
func NewBook(seed uint64, n int, now time.Time, tenant string) *MemBook {
	r := rand.New(rand.NewPCG(seed, 0x626f6f6b)) // "book"
	b := &MemBook{
		byID: map[string]int{}, byPhone: map[string]int{}, segment: map[string]string{},
		policies: map[string]events.Policy{}, custPols: map[string][]string{},
		claims: map[string]events.Claim{}, custClaims: map[string][]string{}, complaints: map[string][]events.Complaint{},
	}
	day := now.UTC().Truncate(24 * time.Hour)
	lines := events.PolicyLines
	npol := 0
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("C%08d", i+1)
		pv := provinces[i%len(provinces)]
		if tenant == "GD" {
			pv = provinces[i%2]
		}
		since := day.AddDate(0, 0, -r.IntN(365*12)-1)
		c := events.Customer{
			Customer: id, Name: fmt.Sprintf("Customer %d", i+1), Phone: phoneOf(i), Province: pv.code, City: pv.city,
			TimeZone: "Asia/Shanghai", Since: since, MarketingConsent: r.Float64() < 0.6, DoNotCall: r.Float64() < 0.03,
			Blacklisted: r.Float64() < 0.005, VIP: r.Float64() < 0.05,
		}
		b.byID[id] = len(b.customers)
		b.byPhone[c.Phone] = len(b.customers)
		b.customers = append(b.customers, c)
		seg := "standard"
		if c.VIP {
			seg = "vip"
		}
		b.segment[id] = seg
		for k := 1 + r.IntN(3); k > 0; k-- {
			npol++
			line := lines[r.IntN(len(lines))]
			start := day.AddDate(0, 0, -r.IntN(365))
			p := events.Policy{
				Policy: fmt.Sprintf("%010d", 8000000000+npol), Customer: id, Line: line,
				Product: products[line][r.IntN(len(products[line]))], Status: "active",
				StartDate: start, EndDate: start.AddDate(1, 0, 0), Premium: float64(500 + r.IntN(200)*50),
			}
			if line == "life" || line == "health" {
				due := start
				for !due.After(day) {
					due = due.AddDate(0, 1, 0)
				}
				p.PremiumDueAt = &due
			}
			if r.Float64() < 0.3 { // a renewal of last year's policy
				p.RenewedFrom = fmt.Sprintf("%010d", 7000000000+npol)
			}
			b.policies[p.Policy] = p
			b.custPols[id] = append(b.custPols[id], p.Policy)
			if r.Float64() < 0.25 {
				b.addClaimLocked(r, p, day.Add(-time.Duration(r.IntN(200*24))*time.Hour), day)
			}
		}
	}
	return b
}

func phoneOf(i int) string { return fmt.Sprintf("+86139%08d", i+1) }

var accidentTypes = map[string][]string{
	"auto": {"collision", "theft", "glass"}, "property": {"fire", "water", "theft"}, "life": {"death"},
	"health": {"illness", "hospital"}, "accident": {"injury"}, "liability": {"third_party"},
}

// addClaimLocked files a claim reported at `at` and moves it along its statuses up to now.
func (b *MemBook) addClaimLocked(r *rand.Rand, p events.Policy, at, now time.Time) events.Claim {
	b.nextClaim++
	types := accidentTypes[p.Line]
	c := events.Claim{
		Claim: fmt.Sprintf("%010d", 9000000000+b.nextClaim), Policy: p.Policy, Customer: p.Customer, Status: "filed",
		AccidentType: types[r.IntN(len(types))], ReportedAt: at, Claimed: float64(1000 + r.IntN(500)*100),
	}
	// Days from report to calculation, pre-payment and closing.
	calc := at.Add(time.Duration(1+r.IntN(5)) * 24 * time.Hour)
	closed := calc.Add(time.Duration(2+r.IntN(20)) * 24 * time.Hour)
	switch {
	case !now.Before(closed):
		c.Status, c.Paid = "closed", c.Claimed*0.9
		if r.Float64() < 0.05 {
			c.Status, c.Paid = "rejected", 0
		}
		c.ClosedAt = &closed
	case !now.Before(calc):
		c.Status = "calculated"
		if r.Float64() < 0.3 {
			c.Status, c.Paid = "prepaid", c.Claimed*0.3
		}
	}
	b.claims[c.Claim] = c
	b.custClaims[p.Customer] = append(b.custClaims[p.Customer], c.Claim)
	if c.ClosedAt == nil {
		b.open = append(b.open, c.Claim)
	}
	return c
}

// ReportClaim files a new claim on one of the customer's policies (a claims-reporting call).
func (b *MemBook) ReportClaim(r *rand.Rand, customerID string, at time.Time) (events.Claim, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	pols := b.custPols[customerID]
	if len(pols) == 0 {
		return events.Claim{}, false
	}
	return b.addClaimLocked(r, b.policies[pols[r.IntN(len(pols))]], at, at), true
}

// Advance moves open claims along: those due for a status change by now change and are
// returned, for the simulator to emit.
func (b *MemBook) Advance(r *rand.Rand, from, now time.Time) []events.Claim {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []events.Claim
	still := b.open[:0]
	defer func() { b.open = still }()
	for _, id := range b.open {
		c := b.claims[id]
		if c.ClosedAt != nil {
			continue
		}
		still = append(still, id)
		age := now.Sub(c.ReportedAt)
		// Roughly a day to calculate, two to three weeks to close, spread by a hash of the id.
		h := float64(hash64(id)%1000) / 1000
		closeAfter := time.Duration((3 + 20*h) * 24 * float64(time.Hour))
		calcAfter := time.Duration((0.5 + 3*h) * 24 * float64(time.Hour))
		switch {
		case age >= closeAfter && c.Status != "closed":
			t := c.ReportedAt.Add(closeAfter)
			if t.Before(from) {
				t = now
			}
			c.Status, c.Paid, c.ClosedAt = "closed", c.Claimed*0.9, &t
		case age >= calcAfter && c.Status == "filed":
			c.Status = "calculated"
			if h < 0.3 {
				c.Status, c.Paid = "prepaid", c.Claimed*0.3
			}
		default:
			continue
		}
		b.claims[id] = c
		if c.ClosedAt != nil {
			still = still[:len(still)-1]
		}
		out = append(out, c)
	}
	return out
}

// AddComplaint remembers a complaint so the screen pop shows it while open.
func (b *MemBook) AddComplaint(c events.Complaint) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.complaints[c.Customer] = append(b.complaints[c.Customer], c)
}

// Size is the number of customers, policies and claims.
func (b *MemBook) Size() (customers, policies, claims int) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.customers), len(b.policies), len(b.claims)
}

// Events returns the whole book as upsert events stamped at `at`.
func (b *MemBook) Events(at time.Time, source, tenant string, newID func() uuid.UUID) []events.Event {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []events.Event
	add := func(p events.Payload) {
		ev := events.New(p, at, source, tenant)
		if newID != nil {
			ev.EventID = newID()
		}
		out = append(out, ev)
	}
	for _, c := range b.customers {
		add(c)
		for _, pid := range b.custPols[c.Customer] {
			add(b.policies[pid])
		}
		for _, cid := range b.custClaims[c.Customer] {
			add(b.claims[cid])
		}
	}
	return out
}

// Customer implements Book.
func (b *MemBook) Customer(id string) (events.Customer, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	i, ok := b.byID[id]
	if !ok {
		return events.Customer{}, false
	}
	return b.customers[i], true
}

// CustomerAt returns the i-th customer (0-based), for drawing callers.
func (b *MemBook) customerAt(i int) events.Customer {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.customers[i]
}

// PoliciesOf implements Book.
func (b *MemBook) PoliciesOf(customerID string) []events.Policy {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []events.Policy
	for _, id := range b.custPols[customerID] {
		out = append(out, b.policies[id])
	}
	return out
}

// ClaimsOf implements Book.
func (b *MemBook) ClaimsOf(customerID string) []events.Claim {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []events.Claim
	for _, id := range b.custClaims[customerID] {
		out = append(out, b.claims[id])
	}
	return out
}

// PoliciesExpiring implements Book.
func (b *MemBook) PoliciesExpiring(from, to time.Time) []events.Policy {
	return b.policiesWhere(func(p events.Policy) bool {
		return p.Status == "active" && !p.EndDate.Before(from) && p.EndDate.Before(to)
	})
}

// PremiumsDue implements Book.
func (b *MemBook) PremiumsDue(from, to time.Time) []events.Policy {
	return b.policiesWhere(func(p events.Policy) bool {
		return p.Status == "active" && p.PremiumDueAt != nil && !p.PremiumDueAt.Before(from) && p.PremiumDueAt.Before(to)
	})
}

func (b *MemBook) policiesWhere(keep func(events.Policy) bool) []events.Policy {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []events.Policy
	for _, p := range b.policies {
		if keep(p) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(x, y events.Policy) int {
		if c := x.EndDate.Compare(y.EndDate); c != 0 {
			return c
		}
		return compareStrings(x.Policy, y.Policy)
	})
	return out
}

// ClaimsClosed implements Book.
func (b *MemBook) ClaimsClosed(from, to time.Time) []events.Claim {
	b.mu.RLock()
	defer b.mu.RUnlock()
	var out []events.Claim
	for _, c := range b.claims {
		if c.Status == "closed" && c.ClosedAt != nil && !c.ClosedAt.Before(from) && c.ClosedAt.Before(to) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(x, y events.Claim) int {
		if c := x.ClosedAt.Compare(*y.ClosedAt); c != 0 {
			return c
		}
		return compareStrings(x.Claim, y.Claim)
	})
	return out
}

// CustomerByPhone implements routing.CustomerDirectory.
func (b *MemBook) CustomerByPhone(phone string) (routing.CustomerRef, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	i, ok := b.byPhone[phone]
	if !ok {
		return routing.CustomerRef{}, false
	}
	id := b.customers[i].Customer
	return routing.CustomerRef{ID: id, Segment: b.segment[id]}, true
}

// ScreenPop implements routing.CustomerDirectory.
func (b *MemBook) ScreenPop(customerID string, now time.Time) (routing.ScreenPop, bool) {
	c, ok := b.Customer(customerID)
	if !ok {
		return routing.ScreenPop{}, false
	}
	sp := routing.ScreenPop{Customer: c, Policies: b.PoliciesOf(customerID), RecentClaims: []events.Claim{}, OpenComplaints: []events.Complaint{}}
	for _, cl := range b.ClaimsOf(customerID) {
		if now.Sub(cl.ReportedAt) < 365*24*time.Hour {
			sp.RecentClaims = append(sp.RecentClaims, cl)
		}
	}
	b.mu.RLock()
	sp.Segment = b.segment[customerID]
	for _, cp := range b.complaints[customerID] {
		if cp.Stage != "closed" {
			sp.OpenComplaints = append(sp.OpenComplaints, cp)
		}
	}
	b.mu.RUnlock()
	return sp, true
}

// Claim implements routing.CustomerDirectory.
func (b *MemBook) Claim(id string) (events.Claim, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	c, ok := b.claims[id]
	return c, ok
}

// Policy implements routing.CustomerDirectory.
func (b *MemBook) Policy(id string) (events.Policy, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	p, ok := b.policies[id]
	return p, ok
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// hash64 is FNV-1a, for deterministic per-entity draws.
func hash64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}
