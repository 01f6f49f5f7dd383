// Package chtest gives analytics and dashboards tests a fresh, migrated database on the real
// ClickHouse that internal/testenv provides, plus a fixture of known content (fixture.go).
package chtest

import (
	"context"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/testenv"
)

// Addr is the test ClickHouse (testenv starts it when needed).
func Addr(t testing.TB) string { return testenv.ClickHouse(t) }

// Database creates a fresh database with every migration applied and returns a connection to
// it and its name; testenv drops it when the test ends.
func Database(t testing.TB) (driver.Conn, string) {
	t.Helper()
	addr := Addr(t)
	db := testenv.NewDatabase(t, addr)
	ctx := context.Background()
	conn, err := chdb.Open(ctx, chdb.Options{Addr: addr, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := chdb.Migrate(ctx, conn); err != nil {
		t.Fatalf("migrating %s: %v", db, err)
	}
	return conn, db
}
