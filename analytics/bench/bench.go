// Package bench is `hotline bench analytics`: it loads a year of realistic call records (10
// million by default) with matching surveys, complaints, claims and callbacks, generated
// server-side with INSERT … SELECT … FROM numbers(N), then measures the p50/p95 latency of
// every dashboard panel's query over 30 days and over 1 year.
package bench

import (
	"context"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/dashboards"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/cli"
)

// Bench runs the benchmark and prints a table.
func Bench(ctx context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("bench analytics", stdout, "hotline bench analytics [flags]",
		"Loads --rows call records (one year) with the events every panel reads into a fresh database,\n"+
			"times every dashboard panel over 30 days and 1 year (p50, p95 and server CPU; target p95 < 300 ms)\n"+
			"and the segmentation of the whole book (--rows / 10 customers).")
	addr := fs.String("clickhouse", "127.0.0.1:19000", "ClickHouse native address")
	db := fs.String("database", "bench_analytics", "database to (re)create for the benchmark")
	rows := fs.Int("rows", 10_000_000, "call records to load (one year)")
	runs := fs.Int("runs", 7, "runs per panel query and range")
	keep := fs.Bool("keep", false, "reuse the loaded database if it already holds --rows calls")
	only := fs.String("panels", "", "measure only panels whose \"dashboard / title\" matches this regexp")
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	match, err := regexp.Compile(*only)
	if err != nil {
		return fmt.Errorf("bench analytics: --panels: %w", err)
	}
	opts := chdb.Options{Addr: *addr, Database: *db}
	if err := chdb.EnsureDatabase(ctx, opts); err != nil {
		return err
	}
	conn, err := chdb.Open(ctx, opts)
	if err != nil {
		return err
	}
	defer conn.Close()
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	start := end.AddDate(-1, 0, 0)
	var have uint64
	if *keep {
		row := conn.QueryRow(ctx, "SELECT count() FROM call_records")
		_ = row.Scan(&have)
	}
	if have != uint64(*rows) {
		conn.Exec(ctx, "DROP DATABASE IF EXISTS "+*db)
		if err := chdb.EnsureDatabase(ctx, opts); err != nil {
			return err
		}
		if _, err := chdb.Migrate(ctx, conn); err != nil {
			return err
		}
		t0 := time.Now()
		if err := Load(ctx, conn, start, end, *rows); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "loaded %d call records (+ surveys, complaints, claims, attempts, agent states) in %s\n", *rows, time.Since(t0).Round(time.Millisecond))
	}
	// The tables the daily jobs keep (FCR of closed days, policies in force, segmentation
	// snapshots and their changes), as `hotline run` keeps them, brought up to date as of a
	// week after the data ends. Each snapshot scores the whole book, so its time is the time to
	// segment every customer. With --keep only what is missing is written.
	if _, err := chdb.Migrate(ctx, conn); err != nil {
		return err
	}
	se := &analytics.Engine{Conn: conn, Settings: analytics.DefaultSettings()}
	now := end.AddDate(0, 0, 8).Add(2 * time.Hour)
	t1 := time.Now()
	days, err := se.CloseFCR(ctx, now)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "FCR rollup: %d days closed in %s\n", days, time.Since(t1).Round(time.Millisecond))
	t1 = time.Now()
	if err := se.CountPoliciesInForce(ctx, now); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "policies in force counted per day in %s\n", time.Since(t1).Round(time.Millisecond))
	for _, d := range []time.Time{end.AddDate(0, 0, -30), end.AddDate(0, 0, -1)} {
		t1 := time.Now()
		wrote, err := se.Snapshot(ctx, d)
		if err != nil {
			return err
		}
		if wrote {
			fmt.Fprintf(stdout, "segmentation snapshot of %s (%d customers) in %s\n", d.Format(time.DateOnly), *rows/10, time.Since(t1).Round(time.Millisecond))
		}
	}
	built, err := dashboards.Build(analytics.DefaultSettings(), analytics.LangEn)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%-24s %-44s %10s %10s %10s %10s %10s %10s\n", "dashboard", "panel", "30d p50", "30d p95", "30d CPU", "1y p50", "1y p95", "1y CPU")
	worst := time.Duration(0)
	over := 0
	for _, b := range built {
		for i, sql := range b.SQL {
			if !match.MatchString(b.Spec.UID + " / " + b.Spec.Panels[i].Title) {
				continue
			}
			var cells []time.Duration
			for _, span := range []time.Duration{30 * 24 * time.Hour, 365 * 24 * time.Hour} {
				interval := time.Hour
				if span > 40*24*time.Hour {
					interval = 24 * time.Hour
				}
				q := dashboards.Expand(sql, end.Add(-span), end, interval, nil)
				lat, err := measure(ctx, conn, q, *runs)
				if err != nil {
					return fmt.Errorf("%s / %s: %w", b.Spec.UID, b.Spec.Panels[i].Title, err)
				}
				cells = append(cells, lat[0], lat[1], lat[2])
				if lat[1] > worst {
					worst = lat[1]
				}
				if lat[1] > 300*time.Millisecond {
					over++
				}
			}
			fmt.Fprintf(stdout, "%-24s %-44s %10s %10s %10s %10s %10s %10s\n", b.Spec.UID, trunc(b.Spec.Panels[i].Title, 44),
				ms(cells[0]), ms(cells[1]), ms(cells[2]), ms(cells[3]), ms(cells[4]), ms(cells[5]))
		}
	}
	fmt.Fprintf(stdout, "worst p95 %s; %d panel/range pairs over the 300 ms target (wall time; CPU is the server's median per query)\n", ms(worst), over)
	// Segmentation of the whole book (customers = rows/10).
	e := &analytics.Engine{Conn: conn, Settings: analytics.DefaultSettings()}
	for _, medians := range []bool{false, true} {
		e.Settings.Segments.UseMedians = medians
		t0 := time.Now()
		segs, err := e.Segment(ctx, end, "", analytics.SegmentFilter{IncludeBlacklist: true})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "segmented %d customers (medians %v) in %s\n", len(segs), medians, time.Since(t0).Round(time.Millisecond))
	}
	return nil
}

func trunc(s string, n int) string {
	if len(s) > n {
		return s[:n-1] + "…"
	}
	return s
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// measure runs q once to warm up, then runs times, returning p50 and p95 of the wall time and
// the median CPU time the server spent (from system.query_log; 0 when the server does not say).
// CPU time is what to compare on a shared machine: wall time includes waiting for the cores.
func measure(ctx context.Context, conn driver.Conn, q string, runs int) ([3]time.Duration, error) {
	var lat []time.Duration
	var ids []string
	for i := 0; i <= runs; i++ {
		id := uuid.NewString()
		qctx := clickhouse.Context(ctx, clickhouse.WithQueryID(id), clickhouse.WithSettings(clickhouse.Settings{"log_queries": 1}))
		t0 := time.Now()
		rows, err := conn.Query(qctx, q)
		if err != nil {
			return [3]time.Duration{}, err
		}
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return [3]time.Duration{}, err
		}
		if i > 0 {
			lat = append(lat, time.Since(t0))
			ids = append(ids, "'"+id+"'")
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p := func(f float64) time.Duration { return lat[int(f*float64(len(lat)-1)+0.5)] }
	return [3]time.Duration{p(0.5), p(0.95), serverCPU(ctx, conn, ids)}, nil
}

// serverCPU is the median OSCPUVirtualTimeMicroseconds of the queries (18.16's query_log keeps
// profile events as parallel arrays), or 0 when it cannot be read.
func serverCPU(ctx context.Context, conn driver.Conn, ids []string) time.Duration {
	if err := conn.Exec(ctx, "SYSTEM FLUSH LOGS"); err != nil {
		return 0
	}
	var us float64
	err := conn.QueryRow(ctx, "SELECT toFloat64(median(ProfileEvents.Values[indexOf(ProfileEvents.Names, 'OSCPUVirtualTimeMicroseconds')])) "+
		"FROM system.query_log WHERE type = 2 AND query_id IN ("+strings.Join(ids, ", ")+")").Scan(&us)
	if err != nil || math.IsNaN(us) {
		return 0
	}
	return time.Duration(us) * time.Microsecond
}
