package dialer

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// openState opens the state file at path for a test; it is closed when the test ends.
func openState(t *testing.T, path string) *statedb.DB {
	t.Helper()
	db, err := statedb.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestRestartKeepsDailyCaps: the calls a number got today, saved as they were placed, count
// towards its daily cap after a restart; yesterday's do not.
func TestRestartKeepsDailyCaps(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hotline.db")
	now := time.Date(2026, 3, 3, 15, 0, 0, 0, shanghai)
	_, svc, _ := newAPIAt(t, now, Deps{State: openState(t, path)})
	placed := map[string][]time.Time{
		"+8613800000001": {now.Add(-5 * time.Hour), now.Add(-3 * time.Hour), now.Add(-time.Hour)},   // today: the cap
		"+8613800000002": {now.Add(-20 * time.Hour), now.Add(-19 * time.Hour), now.Add(-time.Hour)}, // one today
	}
	for phone, ats := range placed {
		for _, at := range ats {
			if err := svc.store.commit(context.Background(), dialRow{campaign: "renewal-30d", contact: "k" + phone, customer: "nobody", phone: phone, at: at}); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, again, clk := newAPIAt(t, now, Deps{State: openState(t, path)})
	for phone, want := range map[string]string{"+8613800000001": RuleDailyCap, "+8613800000002": ""} {
		c := Contact{ID: "x", CustomerID: "nobody", Phone: phone, CampaignID: "renewal-30d", CampaignType: events.CampaignRenewal, Attempt: 1}
		if got := again.Gate().Check(c, clk.Now()); got != want {
			t.Errorf("%s after a restart: rule %q, want %q", phone, got, want)
		}
	}
}
