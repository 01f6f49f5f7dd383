package dialer

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/seed-1c4692e8/hotline/events"
)

// Compliance rules, as they appear in blocked attempt events (blocked_rule).
const (
	RuleInvalidNumber  = "invalid_number"
	RuleBlacklist      = "blacklist"
	RuleDNCNational    = "dnc_national"
	RuleDNCCompany     = "dnc_company"
	RuleDNCCampaign    = "dnc_campaign"
	RuleNoConsent      = "no_marketing_consent"
	RuleRefusal        = "refusal_lockout"
	RuleMaxAttempts    = "max_attempts"
	RuleAbandonLockout = "abandon_lockout"
	RuleDailyCap       = "daily_cap"
	RuleHoliday        = "holiday"
	RuleCallingWindow  = "calling_window"
	RuleWrongNumber    = "wrong_number" // an agent found the number is not the customer's
)

// Dispositions the gate acts on.
const (
	DispositionRefused   = "refused"     // customer declined the offer: no sales call for RefusalLockout
	DispositionDoNotCall = "do_not_call" // customer asked never to be called: company do-not-call list
)

// RuleSet is the compliance a campaign type is held to. Every rule is on by default.
type RuleSet struct {
	// Sales campaigns sell: refusals lock the customer out of them, holidays are off.
	Sales bool `yaml:"sales" json:"sales"`
	// NeedsConsent requires the customer's marketing consent.
	NeedsConsent bool `yaml:"needs_consent" json:"needs_consent"`
	// WindowStart and WindowEnd bound calls in the customer's local time, e.g. "09:00", "21:00".
	WindowStart string `yaml:"window_start" json:"window_start"`
	WindowEnd   string `yaml:"window_end" json:"window_end"`
	// NoHolidays forbids calls on public holidays.
	NoHolidays bool `yaml:"no_holidays" json:"no_holidays"`
	// MaxAttempts is the most dial attempts per contact.
	MaxAttempts int `yaml:"max_attempts" json:"max_attempts"`
	// DailyCap is the most attempts per number per local day, across campaigns.
	DailyCap int `yaml:"daily_cap" json:"daily_cap"`
	// AbandonLockout is how long a number rests after an abandoned call (Ofcom: 72 h).
	AbandonLockout time.Duration `yaml:"abandon_lockout" json:"abandon_lockout"`
	// RefusalLockout is how long a refusal keeps sales calls away (CIRC: at least 6 months).
	RefusalLockout time.Duration `yaml:"refusal_lockout" json:"refusal_lockout"`
}

// SixMonths is the refusal lockout the insurance telephone-sales rules require.
const SixMonths = 183 * 24 * time.Hour

// DefaultRules is the rule set of a campaign type: sales calls 09:00–21:00 with consent and
// the refusal lockout; service calls 08:00–21:00; virtual-hold callbacks (the customer asked)
// until 22:00.
func DefaultRules(campaignType string) RuleSet {
	r := RuleSet{
		WindowStart: "08:00", WindowEnd: "21:00",
		MaxAttempts: 6, DailyCap: 3,
		AbandonLockout: 72 * time.Hour, RefusalLockout: SixMonths,
	}
	d := kindOf(campaignType).rules
	r.Sales, r.NeedsConsent, r.NoHolidays = d.Sales, d.NeedsConsent, d.NoHolidays
	r.WindowStart = cmp.Or(d.WindowStart, r.WindowStart)
	r.WindowEnd = cmp.Or(d.WindowEnd, r.WindowEnd)
	r.MaxAttempts = cmp.Or(d.MaxAttempts, r.MaxAttempts)
	r.DailyCap = cmp.Or(d.DailyCap, r.DailyCap)
	return r
}

// Validate reports the first setting out of range; the regulator's floors are Floors.Check's.
func (r RuleSet) Validate() error {
	s, err := clockMinutes(r.WindowStart)
	if err != nil {
		return fmt.Errorf("window_start: %w", err)
	}
	e, err := clockMinutes(r.WindowEnd)
	if err != nil {
		return fmt.Errorf("window_end: %w", err)
	}
	switch {
	case e <= s:
		return fmt.Errorf("window_end: %s is not after window_start %s", r.WindowEnd, r.WindowStart)
	case r.MaxAttempts < 1 || r.MaxAttempts > 100:
		return fmt.Errorf("max_attempts: %d is outside 1..100", r.MaxAttempts)
	case r.DailyCap < 1 || r.DailyCap > 100:
		return fmt.Errorf("daily_cap: %d is outside 1..100", r.DailyCap)
	case r.AbandonLockout < 0 || r.AbandonLockout > maxLockout:
		return fmt.Errorf("abandon_lockout: %s is outside 0..%s", r.AbandonLockout, maxLockout)
	case r.RefusalLockout < 0 || r.RefusalLockout > maxLockout:
		return fmt.Errorf("refusal_lockout: %s is outside 0..%s", r.RefusalLockout, maxLockout)
	}
	return nil
}

func clockMinutes(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day like 09:00", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// CustomerInfo is what compliance needs to know about a customer.
type CustomerInfo struct {
	ID               string
	Location         *time.Location // local time zone; nil means the centre's
	MarketingConsent bool
	Blacklisted      bool
	DoNotCall        bool // on the company do-not-call list (book of business flag)
}

// Customers looks up compliance data (the book of business in `hotline run`).
type Customers interface {
	Customer(id string) (CustomerInfo, bool)
}

// MemCustomers is an in-memory Customers.
type MemCustomers struct {
	mu sync.RWMutex
	m  map[string]CustomerInfo
}

// NewMemCustomers returns an empty customer store.
func NewMemCustomers() *MemCustomers { return &MemCustomers{m: map[string]CustomerInfo{}} }

func (c *MemCustomers) Put(ci CustomerInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[ci.ID] = ci
}

func (c *MemCustomers) Customer(id string) (CustomerInfo, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	ci, ok := c.m[id]
	return ci, ok
}

// DNCList is a do-not-call list; entries may expire.
type DNCList struct {
	mu sync.RWMutex
	m  map[string]time.Time // phone → until (zero: for ever)
}

// NewDNCList returns an empty list.
func NewDNCList() *DNCList { return &DNCList{m: map[string]time.Time{}} }

// Add lists phone until the given time (zero: for ever).
func (l *DNCList) Add(phone string, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m[phone] = until
}

// Load adds the numbers of a do-not-call file: one number a line, local ones normalised with
// country code cc, optionally followed by ",YYYY-MM-DD", the day the entry lapses; blank lines
// and lines starting with # are skipped. It returns how many numbers it added.
func (l *DNCList) Load(r io.Reader, cc string) (int, error) {
	sc := bufio.NewScanner(r)
	n := 0
	for line := 1; sc.Scan(); line++ {
		raw, lapse, entry := dncLine(sc.Text())
		if !entry {
			continue
		}
		phone := events.NormalizePhone(raw, cc)
		if phone == "" {
			return n, fmt.Errorf("do-not-call line %d: %q is not a phone number", line, raw)
		}
		var until time.Time
		if lapse != "" {
			d, err := time.Parse(time.DateOnly, lapse)
			if err != nil {
				return n, fmt.Errorf("do-not-call line %d: %q is not a date like 2027-06-30", line, lapse)
			}
			until = d
		}
		l.Add(phone, until)
		n++
	}
	if err := sc.Err(); err != nil {
		return n, fmt.Errorf("reading do-not-call list: %w", err)
	}
	return n, nil
}

// dncLine splits a do-not-call file's line into the number as written and the day it lapses
// (may be empty); entry is false for a blank line or a # comment.
func dncLine(line string) (raw, lapse string, entry bool) {
	text := strings.TrimSpace(line)
	if text == "" || strings.HasPrefix(text, "#") {
		return "", "", false
	}
	raw, lapse, _ = strings.Cut(text, ",")
	return strings.TrimSpace(raw), strings.TrimSpace(lapse), true
}

// Remove takes phone off the list; it reports whether it was there.
func (l *DNCList) Remove(phone string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.m[phone]
	delete(l.m, phone)
	return ok
}

// Until reports whether phone is listed at now and until when (zero: for ever).
func (l *DNCList) Until(phone string, now time.Time) (time.Time, bool) {
	if l == nil {
		return time.Time{}, false
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	until, ok := l.m[phone]
	if !ok || !until.IsZero() && !now.Before(until) {
		return time.Time{}, false
	}
	return until, true
}

// Contains reports whether phone is listed at now.
func (l *DNCList) Contains(phone string, now time.Time) bool {
	if l == nil {
		return false
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	until, ok := l.m[phone]
	return ok && (until.IsZero() || now.Before(until))
}

// Compliance is the Gate hotline dials through: every rule is checked at dial time, not only when
// the list is loaded, and every attempt's outcome updates lockouts and caps.
type Compliance struct {
	mu        sync.Mutex
	national  *DNCList
	company   *DNCList
	campaign  map[string]*DNCList
	customers Customers
	rules     map[string]RuleSet // by campaign id; falls back to DefaultRules(type)
	floors    Floors             // every rule set is held to them at dial time
	holidays  map[string]bool    // "2026-10-01"
	calendar  WorkCalendar       // working days, when the holidays come from one (SetCalendar)
	home      *time.Location

	abandoned map[string]time.Time // phone → last abandoned call
	wrong     map[string]bool      // customer + phone an agent found is not theirs
	daily     map[string]int       // phone + local date → attempts
	refused   map[string]time.Time // customer → last refusal of a sales call
}

// NewCompliance returns a gate over the given lists; home is the centre's time zone.
func NewCompliance(customers Customers, home *time.Location) *Compliance {
	if home == nil {
		home = time.UTC
	}
	return &Compliance{
		national: NewDNCList(), company: NewDNCList(), campaign: map[string]*DNCList{},
		customers: customers, rules: map[string]RuleSet{}, floors: DefaultFloors(), holidays: map[string]bool{}, home: home,
		abandoned: map[string]time.Time{}, daily: map[string]int{}, refused: map[string]time.Time{}, wrong: map[string]bool{},
	}
}

// National is the national decline-calls list; Company the company's own.
func (g *Compliance) National() *DNCList { return g.national }
func (g *Compliance) Company() *DNCList  { return g.company }

// Campaign is a campaign's own do-not-call list.
func (g *Compliance) Campaign(id string) *DNCList {
	g.mu.Lock()
	defer g.mu.Unlock()
	l, ok := g.campaign[id]
	if !ok {
		l = NewDNCList()
		g.campaign[id] = l
	}
	return l
}

// SetRules sets a campaign's rule set.
func (g *Compliance) SetRules(campaignID string, r RuleSet) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("rules of campaign %s: %w", campaignID, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.rules[campaignID] = r
	return nil
}

// SetFloors sets the regulator's rules every contact is held to, whatever its campaign's rules
// say (default DefaultFloors).
func (g *Compliance) SetFloors(f Floors) error {
	if err := f.Validate(); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.floors = f
	return nil
}

// AddHoliday marks a date (in the customer's local calendar) as a public holiday.
func (g *Compliance) AddHoliday(date string) error {
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return fmt.Errorf("holiday %q: not a date like 2026-10-01", date)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.holidays[date] = true
	return nil
}

// SetCalendar makes the holiday check agree with a working-day calendar (analytics' calendar,
// which complaint follow-up deadlines count on): a listed holiday the calendar counts as a
// working day (a make-up day) is a calling day.
func (g *Compliance) SetCalendar(cal WorkCalendar) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calendar = cal
}

// holiday reports whether local's date is a public holiday, under g.mu.
func (g *Compliance) holiday(local time.Time) bool {
	if !g.holidays[local.Format(time.DateOnly)] {
		return false
	}
	return g.calendar == nil || !g.calendar.IsWorkday(local)
}

// RulesFor is the rule set a contact is held to.
func (g *Compliance) RulesFor(c Contact) RuleSet {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.rulesFor(c)
}

// rulesFor is the contact's campaign's rule set held to the floors: defence in depth behind the
// check campaigns pass when they are created.
func (g *Compliance) rulesFor(c Contact) RuleSet {
	r, ok := g.rules[c.CampaignID]
	if !ok {
		r = DefaultRules(c.CampaignType)
	}
	return g.floors.Tighten(c.CampaignType, r)
}

// Check returns the first rule that forbids calling c at now.
func (g *Compliance) Check(c Contact, now time.Time) string {
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.rulesFor(c)
	if !events.IsE164(c.Phone) {
		return RuleInvalidNumber
	}
	var ci CustomerInfo
	if g.customers != nil {
		ci, _ = g.customers.Customer(c.CustomerID)
	}
	loc := ci.Location
	if loc == nil {
		loc = g.home
	}
	local := now.In(loc)
	switch {
	case ci.Blacklisted:
		return RuleBlacklist
	case g.national.Contains(c.Phone, now):
		return RuleDNCNational
	case ci.DoNotCall || g.company.Contains(c.Phone, now):
		return RuleDNCCompany
	case g.campaign[c.CampaignID].Contains(c.Phone, now):
		return RuleDNCCampaign
	case r.NeedsConsent && !ci.MarketingConsent:
		return RuleNoConsent
	case g.wrong[wrongKey(c.CustomerID, c.Phone)]:
		return RuleWrongNumber
	}
	if at, ok := g.refused[c.CustomerID]; ok && r.Sales && now.Sub(at) < r.RefusalLockout {
		return RuleRefusal
	}
	if c.Attempt > r.MaxAttempts {
		return RuleMaxAttempts
	}
	if at, ok := g.abandoned[c.Phone]; ok && now.Sub(at) < r.AbandonLockout {
		return RuleAbandonLockout
	}
	if g.daily[dailyKey(c.Phone, local)] >= r.DailyCap {
		return RuleDailyCap
	}
	if r.NoHolidays && g.holiday(local) {
		return RuleHoliday
	}
	start, _ := clockMinutes(r.WindowStart)
	end, _ := clockMinutes(r.WindowEnd)
	// A call must start at or after the window opens and before it closes: 21:00:00 is too late.
	m := local.Hour()*60 + local.Minute()
	if m < start || m >= end {
		return RuleCallingWindow
	}
	return ""
}

// InWindow returns t if the contact's calling window (and, for campaigns that keep them, the
// holiday calendar) allows a call then, else the window's next opening: lists schedule with it so
// that retries and new contacts fall inside the window instead of being blocked at night.
func (g *Compliance) InWindow(c Contact, t time.Time) time.Time {
	g.mu.Lock()
	r := g.rulesFor(c)
	loc := g.home
	g.mu.Unlock()
	if g.customers != nil {
		if ci, ok := g.customers.Customer(c.CustomerID); ok && ci.Location != nil {
			loc = ci.Location
		}
	}
	start, _ := clockMinutes(r.WindowStart)
	end, _ := clockMinutes(r.WindowEnd)
	g.mu.Lock()
	defer g.mu.Unlock()
	local := t.In(loc)
	for i := 0; i < 60; i++ {
		y, m, d := local.Date()
		open := time.Date(y, m, d, start/60, start%60, 0, 0, loc)
		closeAt := time.Date(y, m, d, end/60, end%60, 0, 0, loc)
		holiday := r.NoHolidays && g.holiday(local)
		switch {
		case holiday || !local.Before(closeAt):
			local = time.Date(y, m, d+1, start/60, start%60, 0, 0, loc)
		case local.Before(open):
			local = open
		default:
			return local.In(t.Location())
		}
	}
	return t
}

// NextAllowed is, for a contact blocked by a rule that lapses with time, the earliest moment
// that rule allows the call: the window's next opening (after a holiday or a full daily cap,
// the next day's), the lockout's end; zero for rules that do not lapse.
func (g *Compliance) NextAllowed(c Contact, now time.Time, rule string) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.rulesFor(c)
	loc := g.home
	if g.customers != nil {
		if ci, ok := g.customers.Customer(c.CustomerID); ok && ci.Location != nil {
			loc = ci.Location
		}
	}
	local := now.In(loc)
	start, _ := clockMinutes(r.WindowStart)
	opening := func(day time.Time) time.Time {
		y, m, d := day.Date()
		return time.Date(y, m, d, start/60, start%60, 0, 0, loc)
	}
	switch rule {
	case RuleCallingWindow:
		if o := opening(local); o.After(local) {
			return o
		}
		return opening(local.AddDate(0, 0, 1))
	case RuleHoliday, RuleDailyCap:
		next := opening(local.AddDate(0, 0, 1))
		for i := 0; i < 30 && r.NoHolidays && g.holiday(next); i++ {
			next = opening(next.AddDate(0, 0, 1))
		}
		return next
	case RuleAbandonLockout:
		if at, ok := g.abandoned[c.Phone]; ok {
			return at.Add(r.AbandonLockout)
		}
	}
	return time.Time{}
}

func dailyKey(phone string, local time.Time) string { return phone + "|" + local.Format(time.DateOnly) }

// Record updates lockouts and caps from an attempt's outcome.
func (g *Compliance) Record(r Result) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.Outcome == events.AttemptBlocked {
		return
	}
	loc := g.home
	if g.customers != nil {
		if ci, ok := g.customers.Customer(r.Contact.CustomerID); ok && ci.Location != nil {
			loc = ci.Location
		}
	}
	g.daily[dailyKey(r.Contact.Phone, r.At.In(loc))]++
	if len(g.daily) > 100_000 {
		// Only today's counts matter: forget days that ended (keys end with the local date).
		keep := r.At.In(loc).AddDate(0, 0, -1).Format(time.DateOnly)
		for k := range g.daily {
			if k[len(k)-len(time.DateOnly):] < keep {
				delete(g.daily, k)
			}
		}
	}
	g.learn(r.Contact.CustomerID, r.Contact.Phone, r.Outcome, r.Disposition, r.At)
}

// learn keeps what an attempt's outcome teaches the gate: an abandoned call's lockout, a sales
// refusal's, a do-not-call request, a wrong number. Record calls it as attempts end, Restore for
// earlier runs' attempts; the later of two lockouts stands. g.mu is held.
func (g *Compliance) learn(customer, phone, outcome, disposition string, at time.Time) {
	if outcome == events.AttemptDropped && at.After(g.abandoned[phone]) {
		g.abandoned[phone] = at
	}
	switch disposition {
	case DispositionRefused:
		if at.After(g.refused[customer]) {
			g.refused[customer] = at
		}
	case DispositionDoNotCall:
		g.company.Add(phone, time.Time{})
	case DispositionWrongNumber:
		g.wrong[wrongKey(customer, phone)] = true
	}
}

func wrongKey(customer, phone string) string { return customer + "|" + phone }

// OptOut lists phone on the do-not-call list of the campaign whose text it answered with an
// opt-out word ("Reply TD to opt out"), or the company's when no campaign is known.
func (g *Compliance) OptOut(phone, campaign string) {
	if campaign == "" {
		g.company.Add(phone, time.Time{})
		return
	}
	g.Campaign(campaign).Add(phone, time.Time{})
}

// RuleNames lists every rule, for docs and validation.
func RuleNames() []string {
	return []string{RuleInvalidNumber, RuleBlacklist, RuleDNCNational, RuleDNCCompany, RuleDNCCampaign,
		RuleNoConsent, RuleWrongNumber, RuleRefusal, RuleMaxAttempts, RuleAbandonLockout, RuleDailyCap, RuleHoliday, RuleCallingWindow}
}

// Restored counts what Restore read back.
type Restored struct {
	DoNotCall, Refusals, Abandoned, WrongNumbers, OptOuts int
}

// Restore reads back from ClickHouse what earlier runs of the dialer learned and the gate keeps
// in memory: numbers customers asked never to be called again (disposition do_not_call), sales
// refusals (refusal lockout), abandoned calls of the last 30 days (abandon lockout), numbers an
// agent found wrong, and texts answered with an opt-out (that campaign's list; the company's
// when no campaign is known). Without it a restart would call them all again.
func (g *Compliance) Restore(ctx context.Context, conn driver.Conn, tenant string, now time.Time) (Restored, error) {
	var n Restored
	rows, err := conn.Query(ctx, `SELECT phone, customer_id, toString(disposition), toString(outcome), max(ended_at)
		FROM dial_attempts
		WHERE tenant = ? AND (disposition IN ('do_not_call', 'refused', 'wrong_number')
			OR (outcome = 'dropped' AND ended_at >= toDateTime(?)))
		GROUP BY phone, customer_id, disposition, outcome`, tenant, now.Add(-30*24*time.Hour).Unix())
	if err != nil {
		return n, fmt.Errorf("restoring lockouts from dial attempts: %w", err)
	}
	defer rows.Close()
	g.mu.Lock()
	for rows.Next() {
		var phone, customer, disposition, outcome string
		var at time.Time
		if err := rows.Scan(&phone, &customer, &disposition, &outcome, &at); err != nil {
			g.mu.Unlock()
			return n, fmt.Errorf("restoring lockouts from dial attempts: %w", err)
		}
		g.learn(customer, phone, outcome, disposition, at)
		switch {
		case outcome == events.AttemptDropped:
			n.Abandoned++
		case disposition == DispositionDoNotCall:
			n.DoNotCall++
		case disposition == DispositionRefused:
			n.Refusals++
		case disposition == DispositionWrongNumber:
			n.WrongNumbers++
		}
	}
	g.mu.Unlock()
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("restoring lockouts from dial attempts: %w", err)
	}
	// Short inbound texts only: an opt-out is a word. The words are matched here, in Go, as
	// the Messenger matches them.
	texts, err := conn.Query(ctx, `SELECT phone, toString(campaign_id), body FROM sms_messages
		WHERE tenant = ? AND direction = 'inbound' AND length(body) <= 32
		GROUP BY phone, campaign_id, body`, tenant)
	if err != nil {
		return n, fmt.Errorf("restoring opt-outs from texts: %w", err)
	}
	defer texts.Close()
	for texts.Next() {
		var phone, campaign, body string
		if err := texts.Scan(&phone, &campaign, &body); err != nil {
			return n, fmt.Errorf("restoring opt-outs from texts: %w", err)
		}
		if !isOptOut(body) {
			continue
		}
		g.OptOut(phone, campaign)
		n.OptOuts++
	}
	if err := texts.Err(); err != nil {
		return n, fmt.Errorf("restoring opt-outs from texts: %w", err)
	}
	return n, nil
}
