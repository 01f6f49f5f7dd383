package chdb

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one numbered SQL file of statements separated by ";" at the end of a line.
type Migration struct {
	Version    int
	Name       string
	Statements []Statement
}

// Statement is one SQL statement with its version gate. A statement preceded by a line
// "-- requires clickhouse >= 20.3" runs only on such servers, "-- requires clickhouse < 20.3"
// only on older ones: the way one migration set serves 18.16 and current releases.
type Statement struct {
	SQL        string
	MinVersion [2]int // zero: no lower bound
	MaxVersion [2]int // exclusive upper bound; zero: none
}

var (
	// addColumn is a statement adding one column: skipped when the column exists, the
	// IF NOT EXISTS that 18.16's ALTER lacks.
	addColumn = regexp.MustCompile(`(?is)^ALTER\s+TABLE\s+(\w+)\s+ADD\s+COLUMN\s+(\w+)\s`)
	fileName  = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)
	gateLine  = regexp.MustCompile(`^--\s*requires clickhouse\s*(>=|<)\s*(\d+)\.(\d+)\s*$`)
)

// Migrations returns the embedded migrations in version order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("listing migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_snake_case.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", e.Name(), err)
		}
		v, _ := strconv.Atoi(m[1])
		stmts, err := parseStatements(string(b))
		if err != nil {
			return nil, fmt.Errorf("parsing migration %s: %w", e.Name(), err)
		}
		out = append(out, Migration{Version: v, Name: m[2], Statements: stmts})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations %04d_%s and %04d_%s share a version", out[i].Version, out[i].Name, out[i-1].Version, out[i-1].Name)
		}
	}
	return out, nil
}

func parseStatements(src string) ([]Statement, error) {
	var out []Statement
	var cur Statement
	var sql strings.Builder
	for _, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if g := gateLine.FindStringSubmatch(trimmed); g != nil {
			major, _ := strconv.Atoi(g[2])
			minor, _ := strconv.Atoi(g[3])
			if g[1] == ">=" {
				cur.MinVersion = [2]int{major, minor}
			} else {
				cur.MaxVersion = [2]int{major, minor}
			}
			continue
		}
		if strings.HasPrefix(trimmed, "--") || (trimmed == "" && sql.Len() == 0) {
			continue
		}
		sql.WriteString(line)
		sql.WriteByte('\n')
		if strings.HasSuffix(trimmed, ";") {
			cur.SQL = strings.TrimSuffix(strings.TrimSpace(sql.String()), ";")
			out = append(out, cur)
			cur = Statement{}
			sql.Reset()
		}
	}
	if strings.TrimSpace(sql.String()) != "" {
		return nil, fmt.Errorf("statement without a closing ';': %.60s", strings.TrimSpace(sql.String()))
	}
	return out, nil
}

func (s Statement) runsOn(major, minor int) bool {
	v := [2]int{major, minor}
	less := func(a, b [2]int) bool { return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]) }
	if s.MinVersion != [2]int{} && less(v, s.MinVersion) {
		return false
	}
	if s.MaxVersion != [2]int{} && !less(v, s.MaxVersion) {
		return false
	}
	return true
}

// DDLContext is the context for CREATE statements on a server of the given major version:
// LowCardinality is experimental before 19.x and its switch is unknown to later servers, so
// the switch is sent only where it exists.
func DDLContext(ctx context.Context, major uint64) context.Context {
	if major < 19 {
		return clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"allow_experimental_low_cardinality_type": 1}))
	}
	return ctx
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version UInt32, name String, applied_at DateTime DEFAULT now()
) ENGINE = MergeTree ORDER BY version`

// Migrate applies the migrations not yet recorded in schema_migrations, in order. Statements
// are idempotent (IF NOT EXISTS; an ADD COLUMN whose column exists is skipped), so a crash half
// way through a migration is healed by running it again. It returns the versions it applied.
func Migrate(ctx context.Context, conn driver.Conn) ([]int, error) {
	return migrateUpTo(ctx, conn, 1<<30)
}

// columnExists reports whether sql adds one column that the table already has.
func columnExists(ctx context.Context, conn driver.Conn, sql string) (bool, error) {
	m := addColumn.FindStringSubmatch(sql)
	if m == nil {
		return false, nil
	}
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM system.columns WHERE database = currentDatabase() AND table = ? AND name = ?", m[1], m[2]).Scan(&n); err != nil {
		return false, fmt.Errorf("checking column %s.%s: %w", m[1], m[2], err)
	}
	return n > 0, nil
}

// migrateUpTo is Migrate for the migrations up to version last (tests upgrade a database that
// stopped at an older one).
func migrateUpTo(ctx context.Context, conn driver.Conn, last int) ([]int, error) {
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	var migs []Migration
	for _, m := range all {
		if m.Version <= last {
			migs = append(migs, m)
		}
	}
	sv, err := conn.ServerVersion()
	if err != nil {
		return nil, fmt.Errorf("reading server version: %w", err)
	}
	ddlCtx := DDLContext(ctx, sv.Version.Major)
	if err := conn.Exec(ctx, createMigrationsTable); err != nil {
		return nil, fmt.Errorf("creating schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := conn.Query(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("reading schema_migrations: %w", err)
	}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading schema_migrations: %w", err)
		}
		applied[int(v)] = true
	}
	rows.Close()
	var done []int
	for _, m := range migs {
		if applied[m.Version] {
			continue
		}
		for i, s := range m.Statements {
			if !s.runsOn(int(sv.Version.Major), int(sv.Version.Minor)) {
				continue
			}
			if exists, err := columnExists(ctx, conn, s.SQL); err != nil {
				return done, fmt.Errorf("applying migration %04d_%s statement %d: %w", m.Version, m.Name, i+1, err)
			} else if exists {
				continue
			}
			if err := conn.Exec(ddlCtx, s.SQL); err != nil {
				return done, fmt.Errorf("applying migration %04d_%s statement %d: %w", m.Version, m.Name, i+1, err)
			}
		}
		if err := conn.Exec(ctx, "INSERT INTO schema_migrations (version, name) SELECT ?, ?", uint32(m.Version), m.Name); err != nil {
			return done, fmt.Errorf("recording migration %04d_%s: %w", m.Version, m.Name, err)
		}
		done = append(done, m.Version)
	}
	return done, nil
}
