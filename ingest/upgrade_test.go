package ingest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/events/eventgen"
	"github.com/seed-1c4692e8/hotline/ingest"
	"github.com/seed-1c4692e8/hotline/ingest/ingesttest"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/testenv"
)

// A database made by the release before the event_ids index (migrations up to 0199), holding
// events, upgrades in place: the index knows every stored event and each rebuilt derived table
// equals its facts.
func TestMigrateUpgradesADatabaseWithoutTheIndex(t *testing.T) {
	ctx := context.Background()
	env := ingesttest.NewEnv(t)
	g := eventgen.New(41, 20_000, 0, time.Now().Add(-3*time.Hour), "GD")
	if err := produce(t, env, g, 5_000, 0); err != nil {
		t.Fatal(err)
	}
	env.RunUntil(t, 20_000, 2*time.Minute)

	// The old schema, filled with the same facts through its own views.
	old := chdb.Options{Addr: env.ClickHouse.Addr, Database: testenv.NewDatabase(t, env.ClickHouse.Addr)}
	conn, err := chdb.Open(ctx, old)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	migs, err := chdb.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	sv, err := conn.ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	v := [2]int{int(sv.Version.Major), int(sv.Version.Minor)}
	less := func(a, b [2]int) bool { return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]) }
	if err := conn.Exec(ctx, "CREATE TABLE schema_migrations (version UInt32, name String, applied_at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY version"); err != nil {
		t.Fatal(err)
	}
	for _, m := range migs {
		if m.Version >= 200 {
			continue
		}
		for _, s := range m.Statements {
			if (s.MinVersion != [2]int{} && less(v, s.MinVersion)) || (s.MaxVersion != [2]int{} && !less(v, s.MaxVersion)) {
				continue
			}
			if err := conn.Exec(chdb.DDLContext(ctx, sv.Version.Major), s.SQL); err != nil {
				t.Fatalf("migration %04d: %v", m.Version, err)
			}
		}
		if err := conn.Exec(ctx, "INSERT INTO schema_migrations (version, name) SELECT ?, ?", uint32(m.Version), m.Name); err != nil {
			t.Fatal(err)
		}
	}
	var facts uint64
	for _, typ := range events.Types() {
		table := ingest.TableOf(typ)
		// The old schema lacks columns later migrations added (the ms columns of 0250): copy
		// the ones it has.
		var cols []string
		if err := conn.QueryRow(ctx, "SELECT groupArray(name) FROM system.columns WHERE database = currentDatabase() AND table = ? AND default_kind NOT IN ('MATERIALIZED', 'ALIAS')", table).Scan(&cols); err != nil {
			t.Fatal(err)
		}
		list := strings.Join(cols, ", ")
		if err := conn.Exec(ctx, "INSERT INTO "+table+" ("+list+") SELECT "+list+" FROM "+env.ClickHouse.Database+"."+table); err != nil {
			t.Fatal(err)
		}
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		facts += n
	}

	applied, err := chdb.Migrate(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) == 0 || applied[0] != 200 {
		t.Fatalf("upgrade applied %v, want 0200 onwards", applied)
	}
	var ids uint64
	if err := conn.QueryRow(ctx, "SELECT uniqExact(kafka_topic, kafka_partition, event_id) FROM "+ingest.EventIDsTable).Scan(&ids); err != nil {
		t.Fatal(err)
	}
	if ids != facts || facts != 20_000 {
		t.Errorf("event_ids knows %d events of %d stored, want 20000", ids, facts)
	}
	if err := ingest.VerifyDerived(ctx, conn); err != nil {
		t.Errorf("after the upgrade: %v", err)
	}
	if again, err := chdb.Migrate(ctx, conn); err != nil || len(again) != 0 {
		t.Errorf("migrating again applied %v, %v; want nothing", again, err)
	}
}
