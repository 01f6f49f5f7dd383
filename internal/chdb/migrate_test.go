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

// A database created before the millisecond columns (0250) upgrades in place: old rows read
// 0 ms (their time as stored, to the second), new rows keep their milliseconds, and running the
// migration's statements again (a crash before it was recorded) changes nothing.
func TestMillisecondColumnsUpgradeInPlace(t *testing.T) {
	ctx := context.Background()
	addr := testenv.ClickHouse(t)
	db := testenv.NewDatabase(t, addr)
	conn, err := Open(ctx, Options{Addr: addr, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := migrateUpTo(ctx, conn, 249); err != nil {
		t.Fatal(err)
	}
	insert := func(id string, cols string, args ...any) {
		t.Helper()
		if err := conn.Exec(ctx, "INSERT INTO claims (event_id, occurred_at, tenant, claim_id, status, closed_at"+cols+") SELECT generateUUIDv4(), toDateTime(1790000000), 't', ?, 'closed', toDateTime(1790000000)"+strings.Repeat(", ?", len(args)), append([]any{id}, args...)...); err != nil {
			t.Fatal(err)
		}
	}
	insert("old", "")
	applied, err := Migrate(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) == 0 || applied[0] != 250 {
		t.Fatalf("applied %v, want 0250 first", applied)
	}
	insert("new", ", closed_ms", uint16(400))
	migs, _ := Migrations()
	for _, m := range migs {
		if m.Version != 250 {
			continue
		}
		for _, s := range m.Statements {
			if exists, err := columnExists(ctx, conn, s.SQL); err != nil || !exists {
				t.Fatalf("%s: exists %v, %v", s.SQL, exists, err)
			}
		}
	}
	rows, err := conn.Query(ctx, "SELECT claim_id, toUInt64(assumeNotNull(closed_at)) * 1000 + closed_ms FROM claims ORDER BY claim_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]uint64{}
	for rows.Next() {
		var id string
		var ms uint64
		if err := rows.Scan(&id, &ms); err != nil {
			t.Fatal(err)
		}
		got[id] = ms
	}
	if got["old"] != 1790000000000 || got["new"] != 1790000000400 {
		t.Fatalf("closed in ms: %v", got)
	}
}
