package chdb

import (
	"context"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/internal/testenv"
)

func TestParseStatementsGates(t *testing.T) {
	stmts, err := parseStatements(`-- a comment
CREATE TABLE a (x UInt8) ENGINE = Memory;

-- requires clickhouse >= 20.3
ALTER TABLE a MODIFY COLUMN x UInt8 CODEC(ZSTD);
-- requires clickhouse < 20.3
SELECT 1;
`)
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 3 {
		t.Fatalf("got %d statements, want 3", len(stmts))
	}
	tests := []struct {
		stmt         int
		major, minor int
		want         bool
	}{
		{0, 18, 16, true}, {0, 25, 8, true},
		{1, 18, 16, false}, {1, 20, 3, true}, {1, 25, 8, true},
		{2, 18, 16, true}, {2, 20, 3, false},
	}
	for _, tt := range tests {
		if got := stmts[tt.stmt].runsOn(tt.major, tt.minor); got != tt.want {
			t.Errorf("statement %d on %d.%d: runs=%v, want %v", tt.stmt, tt.major, tt.minor, got, tt.want)
		}
	}
	if _, err := parseStatements("SELECT 1"); err == nil || !strings.Contains(err.Error(), "closing ';'") {
		t.Errorf("unterminated statement: err = %v", err)
	}
}

func TestMigrateIsIdempotentOnRealServer(t *testing.T) {
	ctx := context.Background()
	addr := testenv.ClickHouse(t)
	db := testenv.NewDatabase(t, addr)
	conn, err := Open(ctx, Options{Addr: addr, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	first, err := Migrate(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	migs, _ := Migrations()
	if len(first) != len(migs) {
		t.Fatalf("first run applied %v, want all %d", first, len(migs))
	}
	again, err := Migrate(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Fatalf("second run applied %v, want none", again)
	}
	var tables uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.tables WHERE database = ?", db).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables < 17 {
		t.Fatalf("%d tables after migrating, want at least 17", tables)
	}
}
