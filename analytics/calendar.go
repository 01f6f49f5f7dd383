package analytics

import (
	"fmt"
	"strings"
	"time"
)

// Calendar is the working-day calendar for complaint deadlines: Monday to Friday, minus
// Holidays, plus Workdays (weekend days worked to make up for a holiday, as in China).
// Dates are "2006-01-02".
type Calendar struct {
	Holidays []string `yaml:"holidays" env:"HOTLINE_ANALYTICS_HOLIDAYS" help:"comma-separated holidays YYYY-MM-DD (no complaint deadline counts them)"`
	Workdays []string `yaml:"workdays" env:"HOTLINE_ANALYTICS_WORKDAYS" help:"comma-separated weekend days worked YYYY-MM-DD (count as working days)"`
}

// problems checks the dates parse.
func (c Calendar) problems() []Problem {
	var out []Problem
	for _, l := range []struct {
		field string
		dates []string
	}{{"calendar.holidays", c.Holidays}, {"calendar.workdays", c.Workdays}} {
		for i, d := range l.dates {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				out = append(out, Problem{Field: l.field, Problem: fmt.Sprintf("entry %d: %q is not a date YYYY-MM-DD", i+1, d)})
			}
		}
	}
	return out
}

// IsWorkday says whether day (its calendar date) is a working day.
func (c Calendar) IsWorkday(day time.Time) bool {
	d := day.Format(time.DateOnly)
	if contains(c.Workdays, d) {
		return true
	}
	if contains(c.Holidays, d) {
		return false
	}
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// dateArray renders dates as a ClickHouse Array(Date) literal (emptyArrayDate() when none, since
// a bare [] has no element type).
func dateArray(dates []string) string {
	if len(dates) == 0 {
		return "emptyArrayDate()"
	}
	parts := make([]string, len(dates))
	for i, d := range dates {
		parts[i] = "toDate('" + d + "')" // validated: digits and dashes only
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// deadlineSQL is the SQL Date of the n-th working day after the date of ts: the last day on which
// an answer is on time. The registration day itself does not count.
func (c Calendar) deadlineSQL(ts string, n int) string {
	return fmt.Sprintf("arrayFilter(d -> (toDayOfWeek(d) < 6 AND NOT has(%s, d)) OR has(%s, d), arrayMap(i -> toDate(%s) + i + 1, range(%d)))[%d]",
		dateArray(c.Holidays), dateArray(c.Workdays), ts, 3*n+40, n)
}
