package segments

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/events"
)

// Contacts turns a segment into a dialer contact list for a campaign. Blacklisted customers
// never get in; the dialer's compliance gate still applies do-not-call and calling windows.
func Contacts(segs []analytics.CustomerSegment, campaignID, campaignType string, due time.Time) ([]dialer.Contact, error) {
	if campaignID == "" {
		return nil, fmt.Errorf("campaign: campaign_id is required")
	}
	if !contains(events.CampaignTypes, campaignType) {
		return nil, fmt.Errorf("campaign: campaign_type %q is not one of %v", campaignType, events.CampaignTypes)
	}
	var out []dialer.Contact
	for _, s := range segs {
		if s.Blacklisted || s.Phone == "" {
			continue
		}
		out = append(out, dialer.Contact{ID: campaignID + ":" + s.Customer, CustomerID: s.Customer, Phone: s.Phone,
			CampaignID: campaignID, CampaignType: campaignType, Attempt: 1, Due: due})
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Launcher starts a dialer campaign from a contact list; the binary wires the dialer behind it.
type Launcher interface {
	Launch(ctx context.Context, campaignID, campaignType string, contacts []dialer.Contact) error
}

// ListSource is a dialer.ContactSource over a fixed list: each contact is offered once when due.
type ListSource struct {
	mu       sync.Mutex
	contacts []dialer.Contact
	next     int
	results  []dialer.Result
}

// NewListSource wraps contacts.
func NewListSource(contacts []dialer.Contact) *ListSource { return &ListSource{contacts: contacts} }

// Next implements dialer.ContactSource.
func (l *ListSource) Next(now time.Time) (dialer.Contact, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.next >= len(l.contacts) || l.contacts[l.next].Due.After(now) {
		return dialer.Contact{}, false
	}
	l.next++
	return l.contacts[l.next-1], true
}

// Report implements dialer.ContactSource: every attempt closes its contact (one pass over
// the list); a campaign that retries wraps the list in its own source.
func (l *ListSource) Report(r dialer.Result) (final bool, retryAt time.Time) {
	l.mu.Lock()
	l.results = append(l.results, r)
	l.mu.Unlock()
	return true, time.Time{}
}

var _ dialer.ContactSource = (*ListSource)(nil)
