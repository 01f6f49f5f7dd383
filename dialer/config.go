package dialer

import (
	"fmt"
	"time"
)

// ServiceConfig configures the dialer service of `hotline run`.
type ServiceConfig struct {
	// Campaigns run from the start (default: DefaultCampaigns).
	Campaigns []Campaign
	// TeamSize is the simulated agents per campaign (default 8).
	TeamSize int
	// RefreshEvery is how often book lists are re-read for new contacts (default 15 min).
	RefreshEvery time.Duration
	// StatusEvery is how often the live progress the API shows is refreshed (default 5 s).
	StatusEvery time.Duration
	// CountryCode normalises list numbers (default "86").
	CountryCode string
	Tenant      string // default "HQ"
	Source      string // default "dialer/1"
	Seed        uint64
	// AMDFalsePositive is the simulated detector's share of persons called machines (default 0.01).
	AMDFalsePositive float64
	// Home is the centre's time zone (default Asia/Shanghai).
	Home *time.Location
	// Holidays are public holidays (YYYY-MM-DD) sales campaigns do not call on; `hotline run`
	// takes the analytics calendar's, the same list complaint deadlines skip (Deps.Calendar).
	Holidays []string
	// ComplaintWorkdays is the working days a complaint follow-up must reach the customer in
	// (default 7).
	ComplaintWorkdays int
	// Floors are the regulator's rules no campaign may relax (default DefaultFloors).
	Floors Floors
	// FlushEvery is how often buffered events are published (default 250 ms of wall time).
	FlushEvery time.Duration
}

// Validate reports the first bad setting.
func (c ServiceConfig) Validate() error {
	if c.TeamSize < 0 || c.TeamSize > 10000 {
		return fmt.Errorf("dialer team_size: %d is outside 0..10000", c.TeamSize)
	}
	if c.ComplaintWorkdays < 0 || c.ComplaintWorkdays > 60 {
		return fmt.Errorf("dialer complaint_workdays: %d is outside 0..60", c.ComplaintWorkdays)
	}
	if !(c.AMDFalsePositive >= 0 && c.AMDFalsePositive < 1) { // NaN fails too
		return fmt.Errorf("dialer amd_false_positive: %v is not in [0, 1)", c.AMDFalsePositive)
	}
	if err := c.Floors.Validate(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, cp := range c.Campaigns {
		if err := cp.Validate(); err != nil {
			return fmt.Errorf("dialer campaign %q: %w", cp.ID, err)
		}
		if err := c.Floors.Check(cp); err != nil {
			return fmt.Errorf("dialer campaign %q: %w", cp.ID, err)
		}
		if seen[cp.ID] {
			return fmt.Errorf("dialer campaign %q: defined twice", cp.ID)
		}
		seen[cp.ID] = true
	}
	return nil
}

func (c *ServiceConfig) defaults() {
	if c.Floors == (Floors{}) {
		c.Floors = DefaultFloors()
	}
	if c.Campaigns == nil {
		c.Campaigns = DefaultCampaigns()
	}
	if c.TeamSize == 0 {
		c.TeamSize = 8
	}
	if c.RefreshEvery == 0 {
		c.RefreshEvery = 15 * time.Minute
	}
	if c.StatusEvery == 0 {
		c.StatusEvery = 5 * time.Second
	}
	if c.CountryCode == "" {
		c.CountryCode = "86"
	}
	if c.Tenant == "" {
		c.Tenant = "HQ"
	}
	if c.Source == "" {
		c.Source = "dialer/1"
	}
	if c.AMDFalsePositive == 0 {
		c.AMDFalsePositive = 0.01
	}
	if c.Home == nil {
		c.Home = time.FixedZone("CST", 8*3600)
		if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
			c.Home = l
		}
	}
	if c.ComplaintWorkdays == 0 {
		c.ComplaintWorkdays = 7
	}
	if c.FlushEvery == 0 {
		c.FlushEvery = 250 * time.Millisecond
	}
}
