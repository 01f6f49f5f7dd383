package analytics

import (
	"fmt"
	"strings"
	"time"
)

// Dim is a filter dimension every query can be narrowed by.
type Dim string

const (
	DimTenant   Dim = "tenant"
	DimQueue    Dim = "queue"
	DimLine     Dim = "business_line"
	DimCampaign Dim = "campaign"
	DimAgent    Dim = "agent"
)

// Dims lists the filter dimensions in the order dashboards show their variables.
var Dims = []Dim{DimTenant, DimQueue, DimLine, DimAgent, DimCampaign}

// Granularities of time buckets.
const (
	Gran15Min = "15m"
	GranHour  = "hour"
	GranDay   = "day"
	GranWeek  = "week"
	GranMonth = "month"
)

// Granularities lists them.
var Granularities = []string{Gran15Min, GranHour, GranDay, GranWeek, GranMonth}

// Dialect renders the parts of a query that depend on who runs it: hotline itself with a
// concrete Period, or Grafana with its macros and template variables.
type Dialect interface {
	// TimeFilter restricts a DateTime column to the period.
	TimeFilter(col string) string
	// FromSQL and ToSQL are DateTime expressions of the period's bounds.
	FromSQL() string
	ToSQL() string
	// Bucket maps a DateTime column to the start of its time bucket.
	Bucket(col string) string
	// Cond restricts col (an expression; arrays are matched by hasAny) to the dimension's
	// value, or returns "" when the dimension is not filtered.
	Cond(d Dim, col string, isArray bool) string
}

// Period is a concrete period and filter set: [From, To), bucketed by Granularity.
type Period struct {
	From, To    time.Time
	Granularity string // one of Granularities; "" = day
	Tenant      string
	Queue       string
	Line        string
	Campaign    string
	Agent       string
}

// The days a query may name: ClickHouse's DateTime counts seconds from 1970 and wraps after
// 2106, so a date far outside these would read another day's data, or none, without an error.
const (
	FirstDay = "2000-01-01"
	LastDay  = "2099-12-31"
)

// DayRange is FirstDay and the end of LastDay.
func DayRange() (first, end time.Time) {
	first, _ = time.Parse(time.DateOnly, FirstDay)
	last, _ := time.Parse(time.DateOnly, LastDay)
	return first, last.AddDate(0, 0, 1)
}

// ParseDay reads a request's date (YYYY-MM-DD) named field, within FirstDay..LastDay.
func ParseDay(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %q is not a date like 2026-03-02", field, clip(s))
	}
	if first, end := DayRange(); t.Before(first) || !t.Before(end) {
		return time.Time{}, fmt.Errorf("%s: %s is outside the allowed range %s..%s", field, s, FirstDay, LastDay)
	}
	return t, nil
}

// clip shortens a value from a request for an error message.
func clip(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}

// Validate checks the period.
func (p Period) Validate() error {
	if first, end := DayRange(); p.From.Before(first) || p.To.After(end) {
		return fmt.Errorf("period: %s..%s is outside the allowed range %s..%s", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), FirstDay, LastDay)
	}
	if !p.To.After(p.From) {
		return fmt.Errorf("period: to %s is not after from %s", p.To.Format(time.RFC3339), p.From.Format(time.RFC3339))
	}
	if p.Granularity != "" && !contains(Granularities, p.Granularity) {
		return fmt.Errorf("period: granularity %q is not one of %v", p.Granularity, Granularities)
	}
	return nil
}

func (p Period) TimeFilter(col string) string {
	return fmt.Sprintf("%s >= %s AND %s < %s", col, p.FromSQL(), col, p.ToSQL())
}
func (p Period) FromSQL() string { return fmt.Sprintf("toDateTime(%d)", p.From.Unix()) }
func (p Period) ToSQL() string   { return fmt.Sprintf("toDateTime(%d)", p.To.Unix()) }

func (p Period) Bucket(col string) string { return BucketSQL(p.Granularity, col) }

// BucketSQL is the bucket start of col for a granularity, as a DateTime.
func BucketSQL(gran, col string) string {
	switch gran {
	case Gran15Min:
		return "toStartOfFifteenMinutes(" + col + ")"
	case GranHour:
		return "toStartOfHour(" + col + ")"
	case GranWeek:
		return "toDateTime(toMonday(" + col + "))"
	case GranMonth:
		return "toDateTime(toStartOfMonth(" + col + "))"
	default:
		return "toDateTime(toDate(" + col + "))"
	}
}

func (p Period) value(d Dim) string {
	switch d {
	case DimTenant:
		return p.Tenant
	case DimQueue:
		return p.Queue
	case DimLine:
		return p.Line
	case DimCampaign:
		return p.Campaign
	case DimAgent:
		return p.Agent
	}
	return ""
}

func (p Period) Cond(d Dim, col string, isArray bool) string {
	v := p.value(d)
	if v == "" {
		return ""
	}
	if isArray {
		return fmt.Sprintf("has(%s, %s)", col, quote(v))
	}
	return col + " = " + quote(v)
}

// quote renders a ClickHouse string literal.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}

// GrafanaDialect renders for the grafana-clickhouse-datasource plugin: $__timeFilter and
// $__fromTime/$__toTime for the period, buckets of $__interval_s seconds, and one multi-value
// template variable per dimension (named as Dim) wrapped in $__conditionalAll so "All" filters
// nothing. The plugin's $__timeInterval expands to toStartOfInterval, which ClickHouse 18.16
// lacks, so buckets are computed with intDiv instead.
type GrafanaDialect struct{}

func (GrafanaDialect) TimeFilter(col string) string { return "$__timeFilter(" + col + ")" }
func (GrafanaDialect) FromSQL() string              { return "$__fromTime" }
func (GrafanaDialect) ToSQL() string                { return "$__toTime" }

// Bucket aligns buckets to Monday 1970-01-05 rather than the epoch (a Thursday), so weekly
// buckets are weeks; shorter intervals that divide a day are unaffected.
func (GrafanaDialect) Bucket(col string) string {
	return "toDateTime(intDiv(toUInt32(" + col + ") - 345600, $__interval_s) * $__interval_s + 345600)"
}
func (GrafanaDialect) Cond(d Dim, col string, isArray bool) string {
	v := "${" + string(d) + ":singlequote}"
	if isArray {
		return fmt.Sprintf("$__conditionalAll(hasAny(%s, [%s]), $%s)", col, v, d)
	}
	return fmt.Sprintf("$__conditionalAll(%s IN (%s), $%s)", col, v, d)
}
