package routing

import (
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/calendar"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// nationalDay is the holiday calendar of the 2026 National Day week as the config file gives it
// (the analytics section): 1–7 October off, Saturday 10 October worked to make up.
var nationalDay = calendar.Calendar{
	Holidays: []string{"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"},
	Workdays: []string{"2026-10-10"},
}

// TestComplaintDueSkipsCalendarHolidays registers a complaint on a call and checks its due date:
// seven working days of the engine's calendar, so a holiday week does not count and a make-up
// Saturday does; without a calendar, Config.WorkingDays' weekdays count.
func TestComplaintDueSkipsCalendarHolidays(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cal  calendar.WorkingDays // nil: Config.WorkingDays
		at   time.Time
		want string
	}{
		{"weekdays, registered on a Monday", nil, t0, "2026-11-11"},
		{"weekdays, the day before National Day", nil, time.Date(2026, 9, 30, 10, 0, 0, 0, shanghai), "2026-10-09"},
		{"calendar, the day before National Day", nationalDay, time.Date(2026, 9, 30, 10, 0, 0, 0, shanghai), "2026-10-15"},
		{"calendar, registered on a holiday", nationalDay, time.Date(2026, 10, 3, 10, 0, 0, 0, shanghai), "2026-10-15"},
		{"calendar, registered on the make-up Saturday", nationalDay, time.Date(2026, 10, 10, 10, 0, 0, 0, shanghai), "2026-10-20"},
		{"calendar, an ordinary week", nationalDay, time.Date(2026, 11, 2, 10, 0, 0, 0, shanghai), "2026-11-11"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := []Option{WithDirectory(popDir{testDir()})}
			if tc.cal != nil {
				opts = append(opts, WithCalendar(tc.cal))
			}
			f := &fixture{t: t, clk: clock.NewSim(tc.at), sink: &collect{t: t}, offs: &offers{}}
			eng, err := New(DefaultConfig(), f.clk, append(opts, WithSink(f.sink), WithObserver(f.offs))...)
			f.must(err)
			f.eng = eng
			f.login("a1", map[string]int{"complaints": 4, "service": 4})
			f.must(eng.Arrive(Arrival{CallID: "k1", Phone: "+8613800000009", Queue: "complaint"}))
			f.must(eng.Accept("a1", "k1"))
			cp, err := eng.RegisterComplaint("a1", ComplaintRequest{Category: "claim_delay", Department: "claims"})
			f.must(err)
			if got := cp.DueAt.In(shanghai).Format(time.DateOnly); got != tc.want {
				t.Errorf("registered %s: due %s, want %s", tc.at.In(shanghai).Format("Mon 2006-01-02"), got, tc.want)
			}
			if due, reg := cp.DueAt.In(shanghai).Format(time.TimeOnly), tc.at.In(shanghai).Format(time.TimeOnly); due != reg {
				t.Errorf("due at %s, registered at %s: want the same time of day", due, reg)
			}
		})
	}
}
