package qa

import (
	"fmt"
	"slices"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/retention"
)

// Year is 365 days; retention periods are counted in these.
const Year = 365 * 24 * time.Hour

// SalesRetentionMin is the legal floor for recordings of sales calls.
const SalesRetentionMin = retention.SalesRecordingsFloor

// SalesCampaignTypes are the campaign types whose calls sell insurance; their recordings are
// kept at least SalesRetentionMin (mis-selling complaints can come years after the sale).
var SalesCampaignTypes = []string{events.CampaignTelemarketing, events.CampaignRenewal}

// Retention says how long recordings are kept, by campaign type. Inbound calls (no campaign)
// use Default.
type Retention struct {
	Default        time.Duration            `yaml:"default"`
	ByCampaignType map[string]time.Duration `yaml:"by_campaign_type"`
}

// DefaultRetention keeps service calls two years and sales calls five.
func DefaultRetention() Retention {
	r := Retention{Default: 2 * Year, ByCampaignType: map[string]time.Duration{}}
	for _, t := range SalesCampaignTypes {
		r.ByCampaignType[t] = SalesRetentionMin
	}
	return r
}

// RetentionOf is the recordings part of the config file's retention policy: service calls
// (inbound, and campaigns that do not sell) keep p.ServiceRecordings, sales calls
// p.SalesRecordings.
func RetentionOf(p retention.Policy) Retention {
	r := Retention{Default: p.ServiceRecordings, ByCampaignType: map[string]time.Duration{}}
	for _, t := range SalesCampaignTypes {
		r.ByCampaignType[t] = p.SalesRecordings
	}
	return r
}

// For returns how long a recording of the campaign type is kept.
func (r Retention) For(campaignType string) time.Duration {
	d, ok := r.ByCampaignType[campaignType]
	if !ok {
		d = r.Default
	}
	if slices.Contains(SalesCampaignTypes, campaignType) {
		// Sales: never less than the legal floor nor than ordinary calls.
		return max(d, r.Default, SalesRetentionMin)
	}
	return d
}

// Validate refuses a policy that would delete sales recordings early.
func (r Retention) Validate() error {
	if r.Default <= 0 {
		return fmt.Errorf("qa.retention.default: %s is not positive", r.Default)
	}
	for t, d := range r.ByCampaignType {
		if !slices.Contains(events.CampaignTypes, t) {
			return fmt.Errorf("qa.retention.by_campaign_type: unknown campaign type %q (want one of %v)", t, events.CampaignTypes)
		}
		if slices.Contains(SalesCampaignTypes, t) && d < SalesRetentionMin {
			return fmt.Errorf("qa.retention.by_campaign_type.%s: %s is shorter than the 5 years sales recordings must be kept", t, d)
		}
		if d <= 0 {
			return fmt.Errorf("qa.retention.by_campaign_type.%s: %s is not positive", t, d)
		}
	}
	return nil
}
