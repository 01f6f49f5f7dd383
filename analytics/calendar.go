package analytics

import (
	"fmt"
	"strings"
	"time"

	"github.com/seed-1c4692e8/hotline/calendar"
)

// Calendar is the working-day calendar complaint deadlines count in (package calendar: Monday
// to Friday, minus holidays, plus make-up working days). Settings hold it, so the config file
// sets it in the analytics section; routing and the dialer count by the same one.
type Calendar = calendar.Calendar

// calendarProblems checks the dates parse.
func calendarProblems(c Calendar) []Problem {
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
// an answer is on time. The registration day itself does not count. It is calendar.AddWorkingDays
// in ClickHouse SQL; TestKPIsMatchIndependentComputation holds the two to the same days.
func deadlineSQL(c Calendar, ts string, n int) string {
	return fmt.Sprintf("arrayFilter(d -> (toDayOfWeek(d) < 6 AND NOT has(%s, d)) OR has(%s, d), arrayMap(i -> toDate(%s) + i + 1, range(%d)))[%d]",
		dateArray(c.Holidays), dateArray(c.Workdays), ts, 3*n+40, n)
}
