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
	Holidays []string
	Workdays []string
}

// Validate checks the dates parse.
func (c Calendar) Validate() error {
	for _, list := range [][]string{c.Holidays, c.Workdays} {
		for _, d := range list {
			if _, err := time.Parse(time.DateOnly, d); err != nil {
				return fmt.Errorf("analytics.calendar: %q is not a date YYYY-MM-DD", d)
			}
		}
	}
	return nil
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
