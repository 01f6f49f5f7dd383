package dialer

import (
	"slices"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/calendar"
	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// TestHolidaysAgreeWithComplaintDeadlines: with one calendar feeding both (ServiceConfig.Holidays
// and Deps.Calendar, as `hotline run` does from the config file), the sales calling-day check and
// the complaint follow-up deadlines agree on every day of a National Day fortnight: a weekday
// is a working day for deadlines exactly when sales may call on it, a make-up weekend day is
// both, and a holiday on a weekend is a no-call day — also for a date the file lists as a
// holiday and a make-up day at once (the calendar counts it as working, so sales call).
func TestHolidaysAgreeWithComplaintDeadlines(t *testing.T) {
	cal := calendar.Calendar{
		Holidays: []string{"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-05", "2026-10-09"},
		Workdays: []string{"2026-09-27", "2026-10-09", "2026-10-10"},
	}
	holidays := cal.Holidays
	start := time.Date(2026, 9, 20, 0, 0, 0, 0, cst)
	clk := clock.NewSim(start)
	followup := DefaultCampaigns()[3]
	if followup.Type != events.CampaignComplaintFollowup {
		t.Fatalf("default campaign 3 is %s", followup.Type)
	}
	book := newFakeBook(1, start)
	svc, err := NewService(ServiceConfig{Campaigns: []Campaign{followup}, ComplaintWorkdays: 1, Holidays: holidays, Home: cst},
		Deps{Clock: clk, Book: book, Calendar: cal})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	g := svc.Gate()
	sales := DefaultRules(events.CampaignTelemarketing)
	sales.NeedsConsent = false // consent is not what is tested
	if err := g.SetRules("tm", sales); err != nil {
		t.Fatal(err)
	}
	list := svc.runs[followup.ID].list
	for day := start.AddDate(0, 0, 1); day.Before(start.AddDate(0, 0, 28)); day = day.AddDate(0, 0, 1) {
		date := day.Format(time.DateOnly)
		// Sales: a call at 11:00 that day.
		tm := Contact{ID: "tm-" + date, CustomerID: "C0000", Phone: "+8613900000000", CampaignID: "tm", CampaignType: events.CampaignTelemarketing, Attempt: 1}
		rule := g.Check(tm, day.Add(11*time.Hour))
		if rule != "" && rule != RuleHoliday {
			t.Fatalf("%s: sales call blocked by %s", date, rule)
		}
		salesDay := rule == ""
		// Deadlines: a complaint registered the evening before is due by the end of the first
		// working day after; that day is this one exactly when this one is a working day.
		id := "cmp-" + date
		if !svc.AddComplaint(events.Complaint{ComplaintID: id, Stage: "registered", Customer: "C0000", RegisteredAt: day.Add(-2 * time.Hour)}) {
			t.Fatalf("%s: complaint not added", date)
		}
		list.mu.Lock()
		e := list.entries[id]
		list.mu.Unlock()
		if e == nil {
			t.Fatalf("%s: complaint %s not on the list", date, id)
		}
		workday := e.c.Deadline.Equal(day.AddDate(0, 0, 1))
		// Closed, so the next day's complaint for the same number gets an entry of its own.
		list.Report(Result{Contact: e.c, At: day, Outcome: events.AttemptConnected})
		weekend := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
		switch {
		case !weekend && workday != salesDay:
			t.Errorf("%s (%s): deadlines count it as a working day %v, sales may call %v", date, day.Weekday(), workday, salesDay)
		case weekend && workday && !salesDay:
			t.Errorf("%s (%s): a make-up working day is a no-call day for sales", date, day.Weekday())
		case weekend && slices.Contains(cal.Holidays, date) && !workday && salesDay:
			t.Errorf("%s (%s): a holiday on a weekend is a calling day for sales", date, day.Weekday())
		}
		if want := cal.IsWorkday(day); workday != want {
			t.Errorf("%s: deadline says working day %v, the calendar %v", date, workday, want)
		}
	}
}
