package dialer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/seed-1c4692e8/hotline/events"
)

// Book is the book of business as the dialer's list rules read it. The simulator's sim.MemBook
// implements it; so can a core-system feed.
type Book interface {
	Customer(id string) (events.Customer, bool)
	// PoliciesExpiring lists active policies whose end date falls in [from, to).
	PoliciesExpiring(from, to time.Time) []events.Policy
	// PremiumsDue lists active policies whose next premium is due in [from, to).
	PremiumsDue(from, to time.Time) []events.Policy
	// ClaimsClosed lists claims closed in [from, to), in order of closing.
	ClaimsClosed(from, to time.Time) []events.Claim
}

// BookContacts is what a campaign's book rule selects: for renewals the policies ending within
// ExpiringInDays of now, for premium reminders the instalments due within DueInDays, for
// post-claim callbacks and satisfaction surveys the claims closed in [since, now), due when they
// closed. The types with a case here are the kinds marked book (Validate allows the book source
// for those only).
func BookContacts(c Campaign, b Book, since, now time.Time) []Contact {
	mk := func(id, customer string, due time.Time) (Contact, bool) {
		cu, ok := b.Customer(customer)
		if !ok || cu.Phone == "" {
			return Contact{}, false
		}
		return Contact{
			ID: id, CustomerID: customer, Phone: cu.Phone, CampaignID: c.ID, CampaignType: c.Type,
			Priority: c.Priority, Due: due,
		}, true
	}
	var out []Contact
	switch c.Type {
	case events.CampaignRenewal:
		for _, p := range b.PoliciesExpiring(now, now.AddDate(0, 0, c.List.ExpiringInDays)) {
			if ct, ok := mk(p.Policy, p.Customer, now); ok {
				ct.PolicyID = p.Policy
				out = append(out, ct)
			}
		}
	case events.CampaignPremiumDue:
		for _, p := range b.PremiumsDue(now, now.AddDate(0, 0, c.List.DueInDays)) {
			if ct, ok := mk(p.Policy+"@"+p.PremiumDueAt.Format(time.DateOnly), p.Customer, now); ok {
				ct.PolicyID = p.Policy
				out = append(out, ct)
			}
		}
	case events.CampaignClaimCallback, events.CampaignSatisfaction:
		for _, cl := range b.ClaimsClosed(since, now) {
			if cl.Status != "closed" || cl.ClosedAt == nil {
				continue
			}
			if ct, ok := mk(cl.Claim, cl.Customer, *cl.ClosedAt); ok {
				ct.ClaimID, ct.PolicyID = cl.Claim, cl.Policy
				out = append(out, ct)
			}
		}
	}
	return out
}

// BookCustomers serves compliance data from a Book.
type BookCustomers struct {
	Book  Book
	mu    sync.Mutex
	zones map[string]*time.Location
}

func (bc *BookCustomers) Customer(id string) (CustomerInfo, bool) {
	cu, ok := bc.Book.Customer(id)
	if !ok {
		return CustomerInfo{}, false
	}
	return CustomerInfo{
		ID: id, Location: bc.zone(cu.TimeZone), MarketingConsent: cu.MarketingConsent,
		Blacklisted: cu.Blacklisted, DoNotCall: cu.DoNotCall,
	}, true
}

func (bc *BookCustomers) zone(name string) *time.Location {
	if name == "" {
		return nil
	}
	bc.mu.Lock()
	defer bc.mu.Unlock()
	if bc.zones == nil {
		bc.zones = map[string]*time.Location{}
	}
	if l, ok := bc.zones[name]; ok {
		return l
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = nil
	}
	bc.zones[name] = l
	return l
}

// readCampaignList reads the campaign's list file (list.file, relative to the working
// directory), as the service and `hotline dialer validate` both do.
func readCampaignList(c Campaign, cc string, due time.Time) ([]Contact, error) {
	f, err := os.Open(c.List.File)
	if err != nil {
		return nil, fmt.Errorf("list.file: %w", err)
	}
	defer f.Close()
	cs, err := ReadListFile(f, c, cc, due)
	if err != nil {
		return nil, fmt.Errorf("list.file %s: %w", c.List.File, err)
	}
	return cs, nil
}

// ReadListFile reads a CSV list: customer_id,phone[,priority], with an optional header line.
// Numbers are normalised to E.164 with country code cc; lines that do not parse are errors that
// name the line.
func ReadListFile(r io.Reader, c Campaign, cc string, due time.Time) ([]Contact, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var out []Contact
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading list: %w", err)
		}
		if line == 1 && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "customer_id") {
			continue
		}
		if len(rec) < 2 || len(rec) > 3 {
			return nil, fmt.Errorf("list line %d: %d fields, want customer_id,phone[,priority]", line, len(rec))
		}
		phone := events.NormalizePhone(strings.TrimSpace(rec[1]), cc)
		if phone == "" {
			return nil, fmt.Errorf("list line %d: %q is not a phone number", line, rec[1])
		}
		ct := Contact{ID: strings.TrimSpace(rec[0]), CustomerID: strings.TrimSpace(rec[0]), Phone: phone,
			CampaignID: c.ID, CampaignType: c.Type, Priority: c.Priority, Due: due}
		if ct.ID == "" {
			return nil, fmt.Errorf("list line %d: customer_id missing", line)
		}
		if len(rec) == 3 {
			p, err := strconv.Atoi(strings.TrimSpace(rec[2]))
			if err != nil {
				return nil, fmt.Errorf("list line %d: priority %q is not a whole number", line, rec[2])
			}
			ct.Priority = p
		}
		out = append(out, ct)
	}
}

// QueryList runs a ClickHouse query returning customer_id, phone[, priority] and turns the rows
// into contacts (segments arrive this way until analytics serves them directly).
func QueryList(ctx context.Context, conn driver.Conn, query string, c Campaign, cc string, due time.Time) ([]Contact, error) {
	rows, err := conn.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("running list query: %w", err)
	}
	defer rows.Close()
	cols := rows.Columns()
	if len(cols) < 2 || len(cols) > 3 {
		return nil, fmt.Errorf("list query: returns %d columns, want customer_id, phone[, priority]", len(cols))
	}
	var out []Contact
	for rows.Next() {
		var id, phone string
		var prio int64
		dest := []any{&id, &phone}
		if len(cols) == 3 {
			dest = append(dest, &prio)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("reading list query row: %w", err)
		}
		p := events.NormalizePhone(phone, cc)
		if p == "" || id == "" {
			continue
		}
		ct := Contact{ID: id, CustomerID: id, Phone: p, CampaignID: c.ID, CampaignType: c.Type, Priority: c.Priority, Due: due}
		if len(cols) == 3 {
			ct.Priority = int(prio)
		}
		out = append(out, ct)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading list query: %w", err)
	}
	return out, nil
}

// Segments resolves a named customer segment to the contacts of a campaign, due at due. The
// analytics segments package answers it in `hotline run`; the list is read once, when the
// campaign starts.
type Segments interface {
	Contacts(ctx context.Context, name string, c Campaign, due time.Time) ([]Contact, error)
}

// CallbackContact turns a virtual-hold callback request from the IVR queue into a contact due at
// the time the caller asked for (or at once).
func CallbackContact(c Campaign, req events.CallbackRequested, at time.Time) Contact {
	due := at
	customer := req.Customer
	if customer == "" {
		// An unidentified caller: the number stands in for the customer.
		customer = req.Phone
	}
	if req.RequestedFor != nil {
		due = *req.RequestedFor
	}
	return Contact{
		ID: req.CallbackID, CustomerID: customer, Phone: req.Phone, CampaignID: c.ID,
		CampaignType: events.CampaignVirtualHold, Priority: c.Priority + 10, Due: due, CallID: req.CallID,
	}
}
