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

// LaunchRequest is the body of POST /api/segments/{quadrant}/campaign.
type LaunchRequest struct {
	CampaignID   string `json:"campaign_id"`
	CampaignType string `json:"campaign_type"`
	// Script is the agent script id; empty: the launcher derives one from the campaign id.
	Script string `json:"script,omitempty"`
	// Priority is the campaign's priority (default 0), as in a campaign file.
	Priority int `json:"priority,omitempty"`
}

// Launcher starts a dialer campaign from a contact list; the binary wires the dialer behind it.
// It answers a request the caller got wrong with a *RequestError, an id in use with an error
// wrapping dialer.ErrCampaignExists; any other error is an upstream failure.
type Launcher interface {
	Launch(ctx context.Context, req LaunchRequest, contacts []dialer.Contact) error
}

// RequestError is a Launcher's refusal of the request itself (a campaign that does not validate,
// a role that may not launch it); the API answers Status with its message.
type RequestError struct {
	Status int // an HTTP status: 400 or 403
	Err    error
}

func (e *RequestError) Error() string { return e.Err.Error() }
func (e *RequestError) Unwrap() error { return e.Err }

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
