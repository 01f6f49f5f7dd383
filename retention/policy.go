// Package retention decides how long hotline keeps recordings and personal data, and removes
// what is older: recordings past their period (through qa), phone numbers, names and free text
// in ClickHouse (blanked in place, so counts and KPIs stay), the audit log's oldest entries and
// the contact lists of long-stopped campaigns in the state file. The periods are the config
// file's retention: section (Policy); the legal floors are here, and a shorter setting stops
// start-up with the reason.
package retention

import (
	"fmt"
	"time"
)

// Day and Year are the units periods are written in ("183d", "5y"); a year is 365 days.
const (
	Day  = 24 * time.Hour
	Year = 365 * Day
)

// Floors: the shortest periods the settings accept.
const (
	// SalesRecordingsFloor: recordings of sales calls (telemarketing, renewal) are kept at
	// least 5 years: mis-selling complaints come years after the sale.
	SalesRecordingsFloor = 5 * Year
	// AuditLogFloor: the PRC Cybersecurity Law (art. 21) requires network logs to be kept at
	// least six months.
	AuditLogFloor = 180 * Day
	// PersonalDataFloor: the dialer restores its lockouts (refusals for 6 months, abandoned
	// calls, opt-outs) from the stored calls after a restart; blanking them earlier would let it
	// call people the rules keep away.
	PersonalDataFloor = 183 * Day
	// MinPeriod bounds the other periods: the job runs daily.
	MinPeriod = Day
)

// Policy is how long each kind of data is kept: the retention: section of the config file
// (internal/config reads it through these tags: YAML key, environment variable, help).
type Policy struct {
	ServiceRecordings time.Duration `yaml:"service_recordings" env:"HOTLINE_RETENTION_SERVICE_RECORDINGS" help:"recordings of service calls (inbound, callbacks, follow-ups) are deleted this long after the call (>= 1d)"`
	SalesRecordings   time.Duration `yaml:"sales_recordings" env:"HOTLINE_RETENTION_SALES_RECORDINGS" help:"recordings of sales calls (telemarketing, renewal) are kept this long (>= 5y, the legal floor)"`
	PersonalData      time.Duration `yaml:"personal_data" env:"HOTLINE_RETENTION_PERSONAL_DATA" help:"phone numbers, names and free text in ClickHouse older than this are blanked; counts and KPIs stay (>= 183d)"`
	AuditLog          time.Duration `yaml:"audit_log" env:"HOTLINE_RETENTION_AUDIT_LOG" help:"audit log entries older than this are deleted (>= 180d, the legal floor)"`
	CampaignContacts  time.Duration `yaml:"campaign_contacts" env:"HOTLINE_RETENTION_CAMPAIGN_CONTACTS" help:"contacts of campaigns stopped this long ago, and do-not-call entries lifted or lapsed this long ago, leave the state file (>= 1d)"`
}

// DefaultPolicy keeps service recordings and personal data 2 years, sales recordings and the
// audit log 5 (who heard a sales recording stays known as long as it is kept), and a stopped
// campaign's contacts 90 days.
func DefaultPolicy() Policy {
	return Policy{
		ServiceRecordings: 2 * Year,
		SalesRecordings:   SalesRecordingsFloor,
		PersonalData:      2 * Year,
		AuditLog:          5 * Year,
		CampaignContacts:  90 * Day,
	}
}

// Problem is a setting that cannot be used: Field is its YAML key within the section.
type Problem struct{ Field, Problem string }

// Problems lists every setting below its floor, with the reason.
func (p Policy) Problems() []Problem {
	var out []Problem
	check := func(field string, d, floor time.Duration, why string) {
		if d < floor {
			out = append(out, Problem{field, fmt.Sprintf("%s is shorter than %s: %s", Format(d), Format(floor), why)})
		}
	}
	check("service_recordings", p.ServiceRecordings, MinPeriod, "the retention job runs daily")
	check("sales_recordings", p.SalesRecordings, SalesRecordingsFloor, "sales call recordings must be kept at least 5 years")
	check("personal_data", p.PersonalData, PersonalDataFloor, "the dialer's lockouts (refusals: 6 months) are restored from stored calls")
	check("audit_log", p.AuditLog, AuditLogFloor, "the Cybersecurity Law requires logs to be kept at least six months")
	check("campaign_contacts", p.CampaignContacts, MinPeriod, "the retention job runs daily")
	return out
}

// Format writes d in the largest whole unit of y, d, h, m, s ("5y", "183d"), else as
// time.Duration does.
func Format(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{Year, "y"}, {Day, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if d != 0 && d%u.d == 0 {
			return fmt.Sprintf("%d%s", d/u.d, u.name)
		}
	}
	return d.String()
}
