package dialer

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// Expired counts what ExpireState removes from the state file.
type Expired struct {
	Contacts int64 // contacts (with their phone numbers) of campaigns stopped before the cut-off
	DNC      int64 // do-not-call entries lifted, or lapsed, before the cut-off
}

// The rows ExpireState removes. A stopped campaign never reads its list again (readsList), so
// its contacts are only a record of whom it called; the calls themselves stay in ClickHouse. A
// lifted or lapsed do-not-call entry no longer stops a call; without its row a number still in
// the national or company file is simply listed again at the next start (stricter, not looser).
const (
	expiredContacts = `FROM dialer_contacts WHERE campaign IN
		(SELECT id FROM dialer_campaigns WHERE state = 'stopped' AND state_at < ?)`
	expiredDNC = `FROM dialer_dnc WHERE (listed = 0 AND changed_at < ?) OR (until != '' AND until < ?)`
)

// ExpireState deletes from the dialer's part of the state file the contacts of campaigns stopped
// before before and the do-not-call entries lifted or lapsed before it; with dryRun it only
// counts. It is safe while the dialer runs: it touches nothing the dialer still uses.
func ExpireState(ctx context.Context, db *statedb.DB, before time.Time, dryRun bool) (Expired, error) {
	// A state file the dialer has not used yet (`hotline retention run` before any `hotline run`).
	if err := db.Migrate(ctx, storeOwner, storeSteps); err != nil {
		return Expired{}, fmt.Errorf("preparing the dialer's state: %w", err)
	}
	cut, day := ns(before), before.UTC().Format(time.DateOnly)
	var n Expired
	err := db.View(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) "+expiredContacts, cut).Scan(&n.Contacts); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT count(*) "+expiredDNC, cut, day).Scan(&n.DNC)
	})
	if err != nil {
		return Expired{}, fmt.Errorf("counting expired campaign contacts: %w", err)
	}
	if dryRun || n == (Expired{}) {
		return n, nil
	}
	err = db.Update(ctx, func(tx *statedb.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE "+expiredContacts, cut)
		if err != nil {
			return err
		}
		if n.Contacts, err = res.RowsAffected(); err != nil {
			return err
		}
		if res, err = tx.ExecContext(ctx, "DELETE "+expiredDNC, cut, day); err != nil {
			return err
		}
		n.DNC, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return Expired{}, fmt.Errorf("deleting expired campaign contacts: %w", err)
	}
	return n, nil
}
