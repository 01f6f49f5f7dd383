// Package chtest gives analytics tests a fresh, migrated database on a real ClickHouse (the
// 18.16 server scripts/clickhouse.sh runs, or HOTLINE_CLICKHOUSE_ADDR). It is the stand-in
// until internal/testenv lands; the database is dropped when the test ends.
package chtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
)

// Addr is the ClickHouse to test against; it starts the repo's server when none is set.
func Addr(t testing.TB) string {
	if a := os.Getenv("HOTLINE_CLICKHOUSE_ADDR"); a != "" {
		return a
	}
	const addr = "127.0.0.1:19000"
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if c, err := chdb.Open(ctx, chdb.Options{Addr: addr, Database: "default", MaxOpenConns: 1}); err == nil {
		c.Close()
		return addr
	}
	cmd := exec.Command("bash", "scripts/clickhouse.sh", "start")
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("starting clickhouse: %v\n%s", err, out)
	}
	return addr
}

func repoRoot(t testing.TB) string {
	dir, _ := os.Getwd()
	for d := dir; d != "/"; d = parent(d) {
		if _, err := os.Stat(d + "/go.mod"); err == nil {
			return d
		}
	}
	t.Fatalf("no go.mod above %s", dir)
	return ""
}

func parent(d string) string {
	for i := len(d) - 1; i > 0; i-- {
		if d[i] == '/' {
			return d[:i]
		}
	}
	return "/"
}

// Database creates a fresh database with every migration applied and returns a connection to it.
func Database(t testing.TB) (driver.Conn, string) {
	t.Helper()
	addr := Addr(t)
	b := make([]byte, 4)
	rand.Read(b)
	db := "t_analytics_" + hex.EncodeToString(b)
	ctx := context.Background()
	opts := chdb.Options{Addr: addr, Database: db}
	if err := chdb.EnsureDatabase(ctx, opts); err != nil {
		t.Fatal(err)
	}
	conn, err := chdb.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db)
		conn.Close()
	})
	if _, err := chdb.Migrate(ctx, conn); err != nil {
		t.Fatalf("migrating %s: %v", db, err)
	}
	return conn, db
}
