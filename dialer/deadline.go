package dialer

import "time"

// WorkCalendar says which days are working days: analytics.Calendar (weekdays, holidays,
// make-up working days) in `hotline run`, so complaint deadlines agree with the reports.
type WorkCalendar interface {
	IsWorkday(day time.Time) bool
}

// WorkdayDeadline is the end of the n-th working day after the date of t in loc: the moment a
// complaint registered at t stops being answered on time (the registration day does not count).
func WorkdayDeadline(cal WorkCalendar, t time.Time, n int, loc *time.Location) time.Time {
	l := t.In(loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	// A year of holidays cannot stretch 7 working days past a few months: the bound only stops
	// a calendar that says no day is a working day from looping for ever.
	for i := 0; n > 0 && i < 366; i++ {
		day = day.AddDate(0, 0, 1)
		if cal.IsWorkday(day) {
			n--
		}
	}
	return day.AddDate(0, 0, 1)
}

// AtRiskBy is the end of the first working day after now's date: a contact whose deadline is
// no later has at most today and one more working day left.
func AtRiskBy(cal WorkCalendar, now time.Time, loc *time.Location) time.Time {
	return WorkdayDeadline(cal, now, 1, loc)
}

// DeadlineStatus is how a list's contacts with a deadline stand, as GET /api/campaigns/{id}
// shows it for complaint follow-ups.
type DeadlineStatus struct {
	WithDeadline int `json:"with_deadline"`
	// ReachedInTime are contacts reached before their deadline.
	ReachedInTime int `json:"reached_in_time"`
	// Overdue are contacts not reached by their deadline once it has passed: still open, closed
	// unreached, or reached late.
	Overdue int `json:"overdue"`
	// AtRisk are open contacts not reached yet whose deadline is no later than the end of the
	// next working day.
	AtRisk int `json:"at_risk"`
}
