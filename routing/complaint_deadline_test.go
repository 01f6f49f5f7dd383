package routing_test

import (
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/routing"
)

// TestComplaintDueAgreesWithDialerDeadline: over the National Day weeks, a complaint registered
// on any day is due on the day the dialer's complaint follow-up deadline (the end of the 7th
// working day of the same calendar) closes.
func TestComplaintDueAgreesWithDialerDeadline(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	cal := analytics.Calendar{
		Holidays: []string{"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"},
		Workdays: []string{"2026-10-10"},
	}
	for d := 0; d < 45; d++ {
		at := time.Date(2026, 9, 20, 15, 30, 0, 0, shanghai).AddDate(0, 0, d)
		due := routing.AddWorkingDays(at, 7, cal).Format(time.DateOnly)
		lastDay := dialer.WorkdayDeadline(cal, at, 7, shanghai).Add(-time.Nanosecond).Format(time.DateOnly)
		if due != lastDay {
			t.Errorf("registered %s: routing due %s, dialer deadline's last day %s", at.Format("Mon 2006-01-02"), due, lastDay)
		}
	}
}
