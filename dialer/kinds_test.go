package dialer

import (
	"slices"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// TestKindsCoverCampaignTypes: every campaign type has its row and every row is a campaign type,
// so a type added to events.CampaignTypes without its facts (or the reverse) fails here rather
// than falling back to the service defaults.
func TestKindsCoverCampaignTypes(t *testing.T) {
	for _, ty := range events.CampaignTypes {
		k, ok := kinds[ty]
		if !ok {
			t.Errorf("campaign type %s has no row in kinds", ty)
			continue
		}
		if k.skill == "" || k.line == "" || len(k.outcomes) == 0 {
			t.Errorf("%s: skill %q, line %q, outcomes %v: each must be set", ty, k.skill, k.line, k.outcomes)
		}
		if k.pacing != "" && !slices.Contains(campaignPacings, k.pacing) {
			t.Errorf("%s: default pacing %q is not one of %v", ty, k.pacing, campaignPacings)
		}
		if err := DefaultRules(ty).Validate(); err != nil {
			t.Errorf("%s: default rules: %v", ty, err)
		}
	}
	for ty := range kinds {
		if !slices.Contains(events.CampaignTypes, ty) {
			t.Errorf("kinds has a row for %s, which is not in events.CampaignTypes", ty)
		}
	}
}

// TestKindsBookMatchesBookContacts: the types marked book are the ones BookContacts selects
// contacts for, so Validate lets a campaign use the book exactly when it yields a list.
func TestKindsBookMatchesBookContacts(t *testing.T) {
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	b := premiumBook{newFakeBook(50, start)}
	for _, ty := range events.CampaignTypes {
		c := Campaign{ID: "x", Type: ty, Script: "S", List: ListRule{Source: "book", ExpiringInDays: 30, DueInDays: 30}}
		got := len(BookContacts(c, b, start, start.Add(24*time.Hour))) > 0
		if want := kindOf(ty).book; got != want {
			t.Errorf("%s: book contacts %v, kinds says book %v", ty, got, want)
		}
	}
}

// premiumBook is the fake book with an instalment due on every policy's end date.
type premiumBook struct{ *fakeBook }

func (b premiumBook) PremiumsDue(from, to time.Time) []events.Policy {
	var out []events.Policy
	for _, p := range b.policies {
		if !p.EndDate.Before(from) && p.EndDate.Before(to) {
			due := p.EndDate
			p.PremiumDueAt = &due
			out = append(out, p)
		}
	}
	return out
}
