package qa

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// openState opens the state file of a data directory, as `hotline run` does.
func openState(t *testing.T, dataDir string) *statedb.DB {
	t.Helper()
	db, err := statedb.Open(context.Background(), filepath.Join(dataDir, "state", "hotline.db"))
	if err != nil {
		t.Fatal(err)
	}
	return db
}
