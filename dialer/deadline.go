package dialer

import (
	"time"

	"github.com/seed-1c4692e8/hotline/calendar"
)

// WorkCalendar is the working-day calendar the dialer's deadlines and sales calling days count
// by: in `hotline run` the config file's calendar, the one complaint due dates in the ACD and the
// complaint KPIs count by too.
type WorkCalendar = calendar.WorkingDays

// AtRiskBy is the end of the first working day after now's date: a contact whose deadline is
// no later has at most today and one more working day left.
func AtRiskBy(cal WorkCalendar, now time.Time, loc *time.Location) time.Time {
	return calendar.Deadline(cal, now, 1, loc)
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
