package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/calendar"
	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/config"
	"github.com/seed-1c4692e8/hotline/routing"
)

// TestRunHolidaysFromOneCalendar: the config file's analytics calendar is the one holiday list of
// `hotline run`: the dialer's sales campaigns do not call on its holidays, call on its make-up
// working days, and complaint follow-up deadlines (analytics' working days) skip the same days.
func TestRunHolidaysFromOneCalendar(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hotline.yaml")
	yaml := "analytics:\n  calendar:\n    holidays: [\"2026-10-01\", \"2026-10-02\", \"2026-10-03\", \"2026-10-09\"]\n    workdays: [\"2026-10-09\", \"2026-10-10\"]\n"
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	settings, err := config.LoadAnalytics(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlatform(context.Background(), platformConfig{profile: "province", seed: 1, tenant: "HQ", dataDir: dir, sink: &memSink{}, analytics: settings})
	if err != nil {
		t.Fatal(err)
	}
	g := p.dialer.Gate()
	// Consent is not what is tested: the customer has none, so the floors drop that one rule, as
	// only an administrator's calling_floors can (a campaign's rules cannot).
	floors := dialer.DefaultFloors()
	floors.MarketingConsent = false
	if err := g.SetFloors(floors); err != nil {
		t.Fatal(err)
	}
	sales := dialer.DefaultRules(events.CampaignTelemarketing)
	sales.NeedsConsent = false
	if err := g.SetRules("tm", sales); err != nil {
		t.Fatal(err)
	}
	home, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		date    string
		holiday bool // no sales calls; not a working day for complaint deadlines
	}{
		{"2026-09-30", false}, // Wednesday
		{"2026-10-01", true},  // Thursday, holiday
		{"2026-10-02", true},
		{"2026-10-03", true},  // Saturday, holiday
		{"2026-10-09", false}, // listed as holiday and make-up day: the calendar works it
		{"2026-10-10", false}, // Saturday, make-up working day
	} {
		day, _ := time.ParseInLocation(time.DateOnly, tc.date, home)
		c := dialer.Contact{ID: "x", CustomerID: "nobody", Phone: "+8613900000000", CampaignID: "tm", CampaignType: events.CampaignTelemarketing, Attempt: 1}
		rule := g.Check(c, day.Add(11*time.Hour))
		if (rule == dialer.RuleHoliday) != tc.holiday || (rule != "" && rule != dialer.RuleHoliday) {
			t.Errorf("%s: a sales call at 11:00 gets rule %q, want holiday %v", tc.date, rule, tc.holiday)
		}
		if workday := p.analytics.Calendar.IsWorkday(day); workday == tc.holiday {
			t.Errorf("%s: complaint deadlines count it as a working day %v, want %v", tc.date, workday, !tc.holiday)
		}
	}
	// The deadline of a complaint registered on Wednesday 30 September: 7 working days skip the
	// holidays 1–3 October and the Sundays and count Friday 9 and the make-up Saturday 10.
	got := calendar.Deadline(p.analytics.Calendar, time.Date(2026, 9, 30, 10, 0, 0, 0, home), p.analytics.ComplaintWorkdays, home)
	if last := got.Add(-time.Hour).Format(time.DateOnly); last != "2026-10-12" {
		t.Errorf("7 working days after 30 September end on %s, want 2026-10-12", last)
	}
	// A complaint an agent registers in the ACD is due by the same calendar.
	var due time.Time
	_ = p.sim.Do(func(e *routing.Engine) error {
		due = e.ComplaintDue(time.Date(2026, 9, 30, 10, 0, 0, 0, home))
		return nil
	})
	if want := time.Date(2026, 10, 12, 10, 0, 0, 0, home); !due.Equal(want) {
		t.Errorf("the ACD dates a complaint of 30 September 10:00 due %s, want %s", due, want)
	}
}

// TestFloorsLoggedAtStartUp: start-up logs the floors in force and warns, as an audit line, of
// every floor the configuration moved.
func TestFloorsLoggedAtStartUp(t *testing.T) {
	var logs strings.Builder
	f := dialer.DefaultFloors()
	f.WindowStart, f.AbandonCap = "08:00", 0.05
	logFloors(slog.New(slog.NewTextHandler(&logs, nil)), f)
	out := logs.String()
	for _, want := range []string{"calling floors in force", `change="window_start: 09:00 -> 08:00"`, `change="abandon_cap: 0.03 -> 0.05"`, "audit=true", "level=WARN"} {
		if !strings.Contains(out, want) {
			t.Errorf("start-up log lacks %s:\n%s", want, out)
		}
	}
}
