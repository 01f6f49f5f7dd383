// Package calendar is the centre's working-day calendar: which days count as working days, and
// the deadlines counted in them. Complaint due dates in the ACD (routing), complaint follow-up
// deadlines and sales calling days in the dialer, and the complaint-deadline KPIs in analytics
// all count by it, so they agree on every day.
//
// It is a domain concept shared by several parts, not plumbing, so it sits at the top level and
// not under internal/.
package calendar

import (
	"slices"
	"time"
)

// WorkingDays says which days are working days. Calendar and Weekdays implement it.
type WorkingDays interface {
	// IsWorkday says whether day's calendar date, in day's location, is a working day.
	IsWorkday(day time.Time) bool
}

// Calendar is Monday to Friday, minus Holidays, plus Workdays (weekend days worked to make up
// for a holiday, as in China). Dates are "2006-01-02"; a date in both lists is a working day.
// It is configured in the analytics section of the config file, which routing and the dialer
// read it from too; hence the HOTLINE_ANALYTICS_ variables.
type Calendar struct {
	Holidays []string `yaml:"holidays" env:"HOTLINE_ANALYTICS_HOLIDAYS" help:"comma-separated holidays YYYY-MM-DD (no complaint deadline counts them)"`
	Workdays []string `yaml:"workdays" env:"HOTLINE_ANALYTICS_WORKDAYS" help:"comma-separated weekend days worked YYYY-MM-DD (count as working days)"`
}

// IsWorkday says whether day (its calendar date) is a working day.
func (c Calendar) IsWorkday(day time.Time) bool {
	d := day.Format(time.DateOnly)
	if slices.Contains(c.Workdays, d) {
		return true
	}
	if slices.Contains(c.Holidays, d) {
		return false
	}
	wd := day.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// Weekdays is a calendar of weekdays only, no holidays (routing's Config.WorkingDays).
type Weekdays []time.Weekday

// IsWorkday says whether day falls on one of the weekdays.
func (w Weekdays) IsWorkday(day time.Time) bool { return slices.Contains(w, day.Weekday()) }

// AddWorkingDays is t plus n working days of cal, at the same time of day; the day of t does not
// count, whether or not it is a working day.
func AddWorkingDays(cal WorkingDays, t time.Time, n int) time.Time {
	// The bound only stops a calendar with no working day at all from looping for ever: a year
	// of holidays cannot push n working days that far.
	for i := 0; n > 0 && i < 366+7*n; i++ {
		t = t.AddDate(0, 0, 1)
		if cal.IsWorkday(t) {
			n--
		}
	}
	return t
}

// Deadline is the end of the n-th working day after the date of t in loc (midnight in loc that
// starts the next day): the moment something registered at t and due in n working days stops
// being on time. The last day on time is AddWorkingDays of t's date.
func Deadline(cal WorkingDays, t time.Time, n int, loc *time.Location) time.Time {
	l := t.In(loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	return AddWorkingDays(cal, day, n).AddDate(0, 0, 1)
}
