package segments

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/cli"
	"github.com/seed-1c4692e8/hotline/internal/config"
)

// Command is "hotline segments export": a quadrant's customers as an Arrow IPC or Parquet file.
func Command(ctx context.Context, args []string, stdout io.Writer) error {
	help := len(args) == 0 || args[0] == "--help" || args[0] == "-h"
	if !help && args[0] != "export" {
		return fmt.Errorf("segments: unknown subcommand %q (want export)", args[0])
	}
	fs := cli.NewFlags("segments export", stdout, "hotline segments export --quadrant Q --format arrow|parquet --out FILE [flags]",
		"Writes the customers of a segment (satisfaction x loyalty quadrant) as Arrow IPC or Parquet.")
	quadrant := fs.String("quadrant", "", "loyal, mercenary, hostage or at_risk; empty = all")
	format := fs.String("format", "parquet", "arrow (IPC file) or parquet")
	out := fs.String("out", "", "output file (required)")
	asOf := fs.String("as-of", "", "date YYYY-MM-DD the segmentation is as of; default now")
	tenant := fs.String("tenant", "", "only this tenant")
	cfgPath := fs.String("config", "", "YAML config file whose analytics: section gives the KPI settings (env HOTLINE_CONFIG)")
	reveal := fs.Bool("reveal-phones", false, "write phone numbers in full (for a campaign that dials them); masked otherwise")
	addr := fs.String("clickhouse", envOr("HOTLINE_CLICKHOUSE_ADDR", "127.0.0.1:19000"), "ClickHouse native address")
	db := fs.String("database", envOr("HOTLINE_CLICKHOUSE_DATABASE", "hotline"), "ClickHouse database")
	if help {
		fs.Usage()
		return nil
	}
	if help, err := cli.Parse(fs, args[1:]); help || err != nil {
		return err
	}
	if *out == "" || (*format != "arrow" && *format != "parquet") {
		return fmt.Errorf("segments export: --out is required and --format must be arrow or parquet")
	}
	at := time.Now().UTC()
	if *asOf != "" {
		t, err := time.Parse(time.DateOnly, *asOf)
		if err != nil {
			return fmt.Errorf("segments export: --as-of: %w", err)
		}
		at = t
	}
	settings, err := config.LoadAnalytics(*cfgPath, nil)
	if err != nil {
		return err
	}
	conn, err := chdb.Open(ctx, chdb.Options{Addr: *addr, Database: *db})
	if err != nil {
		return err
	}
	defer conn.Close()
	e := &analytics.Engine{Conn: conn, Settings: settings}
	segs, err := e.Segment(ctx, at, *tenant, analytics.SegmentFilter{Quadrant: *quadrant})
	if err != nil {
		return err
	}
	if !*reveal {
		segs = Mask(segs)
	}
	f, err := os.Create(*out)
	if err != nil {
		return fmt.Errorf("creating %s: %w", *out, err)
	}
	write := WriteParquet
	if *format == "arrow" {
		write = WriteArrow
	}
	if err := write(f, segs); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", *out, err)
	}
	fmt.Fprintf(stdout, "wrote %d customers to %s (%s)\n", len(segs), *out, *format)
	return nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
