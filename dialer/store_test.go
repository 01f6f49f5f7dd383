package dialer

import (
	"context"
	"testing"

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
