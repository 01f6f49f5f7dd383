package calendar

import (
	"testing"
	"time"
)

// nationalDay is the 2026 National Day week as a config file gives it: 1–7 October off,
// Saturday 10 October worked to make up.
var nationalDay = Calendar{
	Holidays: []string{"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"},
	Workdays: []string{"2026-10-10"},
}

var cst = time.FixedZone("CST", 8*3600)

func TestIsWorkday(t *testing.T) {
	both := Calendar{Holidays: []string{"2026-10-09"}, Workdays: []string{"2026-10-09"}}
	for _, tc := range []struct {
		name string
		cal  WorkingDays
		date string
		want bool
	}{
		{"plain Monday", Calendar{}, "2026-03-02", true},
		{"plain Saturday", Calendar{}, "2026-03-07", false},
		{"holiday on a Thursday", nationalDay, "2026-10-01", false},
		{"holiday on a Sunday", nationalDay, "2026-10-04", false},
		{"make-up Saturday", nationalDay, "2026-10-10", true},
		{"Sunday after the make-up Saturday", nationalDay, "2026-10-11", false},
		{"Monday after the holiday week", nationalDay, "2026-10-08", true},
		{"listed as holiday and make-up day", both, "2026-10-09", true},
		{"weekdays: Saturday listed", Weekdays{time.Saturday}, "2026-03-07", true},
		{"weekdays: Monday not listed", Weekdays{time.Saturday}, "2026-03-02", false},
		{"no weekdays at all", Weekdays(nil), "2026-03-02", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			day, err := time.ParseInLocation(time.DateOnly, tc.date, cst)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.cal.IsWorkday(day.Add(23 * time.Hour)); got != tc.want {
				t.Fatalf("IsWorkday(%s %s) = %v, want %v", tc.date, day.Weekday(), got, tc.want)
			}
		})
	}
}

func TestAddWorkingDays(t *testing.T) {
	monFri := Weekdays{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	for _, tc := range []struct {
		name string
		cal  WorkingDays
		at   time.Time
		n    int
		want time.Time
	}{
		{"weekdays, registered on a Monday", monFri, time.Date(2026, 11, 2, 9, 15, 0, 0, cst), 7, time.Date(2026, 11, 11, 9, 15, 0, 0, cst)},
		{"weekdays ignore holidays", monFri, time.Date(2026, 9, 30, 10, 0, 0, 0, cst), 7, time.Date(2026, 10, 9, 10, 0, 0, 0, cst)},
		{"the day before National Day", nationalDay, time.Date(2026, 9, 30, 10, 0, 0, 0, cst), 7, time.Date(2026, 10, 15, 10, 0, 0, 0, cst)},
		{"registered on a holiday", nationalDay, time.Date(2026, 10, 3, 10, 0, 0, 0, cst), 7, time.Date(2026, 10, 15, 10, 0, 0, 0, cst)},
		{"registered on the make-up Saturday", nationalDay, time.Date(2026, 10, 10, 10, 0, 0, 0, cst), 7, time.Date(2026, 10, 20, 10, 0, 0, 0, cst)},
		{"the make-up Saturday counts", nationalDay, time.Date(2026, 10, 8, 16, 0, 0, 0, cst), 2, time.Date(2026, 10, 10, 16, 0, 0, 0, cst)},
		{"zero days is the same moment", nationalDay, time.Date(2026, 10, 3, 10, 0, 0, 0, cst), 0, time.Date(2026, 10, 3, 10, 0, 0, 0, cst)},
		{"no working day at all stops", Weekdays(nil), time.Date(2026, 1, 1, 0, 0, 0, 0, cst), 1, time.Date(2026, 1, 1, 0, 0, 0, 0, cst).AddDate(0, 0, 366+7)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AddWorkingDays(tc.cal, tc.at, tc.n); !got.Equal(tc.want) {
				t.Fatalf("AddWorkingDays(%s, %d) = %s, want %s", tc.at.Format("Mon 2006-01-02 15:04"), tc.n, got, tc.want)
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	golden := Calendar{
		Holidays: []string{"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"},
		Workdays: []string{"2026-09-27", "2026-10-10"},
	}
	for _, tc := range []struct {
		name       string
		cal        Calendar
		registered time.Time
		want       string // the last day that is on time
	}{
		{"Monday, no holidays", Calendar{}, time.Date(2026, 3, 2, 10, 0, 0, 0, cst), "2026-03-11"},
		{"Friday evening skips two weekends", Calendar{}, time.Date(2026, 3, 6, 23, 30, 0, 0, cst), "2026-03-17"},
		{"Saturday counts from Monday", Calendar{}, time.Date(2026, 3, 7, 9, 0, 0, 0, cst), "2026-03-17"},
		{"UTC time on the next local day", Calendar{}, time.Date(2026, 3, 6, 17, 0, 0, 0, time.UTC), "2026-03-17"},
		// Fri 25 Sep: Sun 27 (make-up), Mon 28, Tue 29, Wed 30, [1 2 holidays, 3 4 weekend,
		// 5 6 7 holidays], Thu 8, Fri 9, Sat 10 (make-up).
		{"National Day week", golden, time.Date(2026, 9, 25, 15, 0, 0, 0, cst), "2026-10-10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Deadline(tc.cal, tc.registered, 7, cst)
			last := got.Add(-time.Hour).Format(time.DateOnly)
			if last != tc.want || got.Hour() != 0 || got.Minute() != 0 || got.Location() != cst {
				t.Fatalf("deadline %s (last day %s), want the end of %s", got, last, tc.want)
			}
		})
	}
}

// TestDeadlineEndsTheDayAddWorkingDaysReaches: over the National Day weeks, what the ACD dates a
// complaint due (AddWorkingDays) falls on the last day before the dialer's follow-up deadline
// (Deadline) for every day of registration.
func TestDeadlineEndsTheDayAddWorkingDaysReaches(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	for d := 0; d < 45; d++ {
		at := time.Date(2026, 9, 20, 15, 30, 0, 0, shanghai).AddDate(0, 0, d)
		due := AddWorkingDays(nationalDay, at, 7).Format(time.DateOnly)
		lastDay := Deadline(nationalDay, at, 7, shanghai).Add(-time.Nanosecond).Format(time.DateOnly)
		if due != lastDay {
			t.Errorf("registered %s: due %s, deadline's last day %s", at.Format("Mon 2006-01-02"), due, lastDay)
		}
	}
}
