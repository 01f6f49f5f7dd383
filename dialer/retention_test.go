package dialer

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// Contacts of campaigns stopped before the cut-off and do-not-call entries lifted or lapsed
// before it leave the state file; running campaigns, recent stops and entries in force stay;
// a dry run only counts and a second run finds nothing.
func TestExpireState(t *testing.T) {
	ctx := context.Background()
	db, err := statedb.Open(ctx, filepath.Join(t.TempDir(), "hotline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := newStore(ctx, db, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	old, recent, cut := now.AddDate(-1, 0, 0), now.AddDate(0, 0, -10), now.AddDate(0, 0, -90)
	err = db.Update(ctx, func(tx *statedb.Tx) error {
		for _, c := range []struct {
			id, state string
			at        time.Time
			contacts  int
		}{{"old-stop", "stopped", old, 3}, {"new-stop", "stopped", recent, 2}, {"old-run", "running", old, 4}} {
			if _, err := tx.ExecContext(ctx, "INSERT INTO dialer_campaigns (id, origin, state, state_at) VALUES (?, 'config', ?, ?)", c.id, c.state, ns(c.at)); err != nil {
				return err
			}
			for i := range c.contacts {
				if _, err := tx.ExecContext(ctx, `INSERT INTO dialer_contacts (campaign, id, contact, seq, attempts, failed, next_at, final, final_at, reached, first, dialed_at)
					VALUES (?, ?, '{"phone":"13800000000"}', ?, 1, 0, 0, 'done', 0, 1, 0, 0)`, c.id, string(rune('a'+i)), i); err != nil {
					return err
				}
			}
		}
		for _, d := range []struct {
			phone, until string
			listed       int
			at           time.Time
		}{
			{"13800000001", "", 0, old},           // lifted long ago: goes
			{"13800000002", "", 0, recent},        // lifted lately: stays
			{"13800000003", "", 1, old},           // listed for ever: stays
			{"13800000004", "2025-12-31", 1, old}, // lapsed long ago: goes
			{"13800000005", "2026-05-20", 1, old}, // lapsed lately: stays
			{"13800000006", "2027-01-01", 1, old}, // in force: stays
		} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO dialer_dnc (list, campaign, phone, listed, until, reason, changed_by, changed_at) VALUES ('company', '', ?, ?, ?, '', 'test', ?)`,
				d.phone, d.listed, d.until, ns(d.at)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Expired{Contacts: 3, DNC: 2}
	if n, err := ExpireState(ctx, db, cut, true); err != nil || n != want {
		t.Fatalf("dry run: %+v, %v; want %+v", n, err, want)
	}
	if n, err := ExpireState(ctx, db, cut, false); err != nil || n != want {
		t.Fatalf("run: %+v, %v; want %+v", n, err, want)
	}
	var contacts, dnc int
	db.View(ctx, func(tx *sql.Tx) error {
		tx.QueryRowContext(ctx, "SELECT count(*) FROM dialer_contacts WHERE campaign != 'old-stop'").Scan(&contacts)
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM dialer_dnc").Scan(&dnc)
	})
	if contacts != 6 || dnc != 4 {
		t.Errorf("left %d contacts of the other campaigns (want 6) and %d do-not-call entries (want 4)", contacts, dnc)
	}
	if n, err := ExpireState(ctx, db, cut, false); err != nil || n != (Expired{}) {
		t.Errorf("second run: %+v, %v; want nothing", n, err)
	}
}
