// Package report is `hotline report` and the report API: the KPI layer's numbers per day,
// week or month as a terminal table, CSV, Parquet and JSON.
package report

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/cli"
	"github.com/seed-1c4692e8/hotline/internal/config"
)

// ReportMetrics are the columns of `hotline report`, all from the call records.
var ReportMetrics = []string{"inbound", "outbound", "total", "offered", "answered", "abandoned", "connection_rate", "service_level", "asa", "aht", "abandon_rate"}

// ReportCommand is "hotline report --from --to [--by day|week|month] [--out DIR]": a readable
// table in the terminal, and the same numbers as report.csv and report.parquet.
func ReportCommand(ctx context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("report", stdout, "hotline report --from YYYY-MM-DD --to YYYY-MM-DD [--by day|week|month] [flags]",
		"Prints the hotline's KPIs per day, week or month from the KPI layer as a table in the\n"+
			"terminal, and writes the same numbers to report.csv and report.parquet in --out.")
	from := fs.String("from", "", "first day, YYYY-MM-DD (required)")
	to := fs.String("to", "", "day after the last, YYYY-MM-DD (required)")
	by := fs.String("by", analytics.GranDay, "bucket: day, week or month")
	out := fs.String("out", ".", "directory for report.csv")
	addr := fs.String("clickhouse", envOr("HOTLINE_CLICKHOUSE_ADDR", "127.0.0.1:19000"), "ClickHouse native address")
	db := fs.String("database", envOr("HOTLINE_CLICKHOUSE_DATABASE", "hotline"), "ClickHouse database")
	tenant := fs.String("tenant", "", "only this tenant")
	cfgPath := fs.String("config", "", "YAML config file whose analytics: section gives the KPI settings (env HOTLINE_CONFIG)")
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	f, err1 := time.Parse(time.DateOnly, *from)
	t, err2 := time.Parse(time.DateOnly, *to)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("report: --from and --to must be dates YYYY-MM-DD")
	}
	if *by != analytics.GranDay && *by != analytics.GranWeek && *by != analytics.GranMonth {
		return fmt.Errorf("report: --by %q is not day, week or month", *by)
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
	res, err := e.Run(ctx, analytics.Period{From: f, To: t, Granularity: *by, Tenant: *tenant}, analytics.Query{Metrics: ReportMetrics, Bucket: true})
	if err != nil {
		return err
	}
	if err := WriteReport(res, stdout, *out); err != nil {
		return err
	}
	v, err := e.Volume(ctx, analytics.Period{From: f, To: t, Tenant: *tenant})
	if err != nil {
		return err
	}
	WriteVolume(stdout, v)
	p := filepath.Join(*out, "report.parquet")
	fh, err := os.Create(p)
	if err != nil {
		return fmt.Errorf("writing %s: %w", p, err)
	}
	if err := WriteParquet(fh, res); err != nil {
		fh.Close()
		return err
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", p, err)
	}
	fmt.Fprintf(stdout, "\nwrote %s and %s\n", filepath.Join(*out, "report.csv"), p)
	return nil
}

// WriteReport prints the table and writes report.csv under dir.
func WriteReport(res *analytics.Result, stdout io.Writer, dir string) error {
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "period\t")
	for _, m := range res.Query.Metrics {
		fmt.Fprint(tw, m+"\t")
	}
	fmt.Fprintln(tw)
	var records [][]string
	records = append(records, append([]string{"period"}, res.Query.Metrics...))
	for _, r := range res.Rows {
		rec := []string{r.Time.Format(time.DateOnly)}
		fmt.Fprint(tw, rec[0]+"\t")
		for i, v := range r.Values {
			s, csvS := "-", ""
			if v != nil {
				m, _ := analytics.MetricByName(res.Query.Metrics[i])
				switch m.Unit {
				case analytics.UnitRatio:
					s = fmt.Sprintf("%.1f%%", *v*100)
				case analytics.UnitSeconds:
					s = fmt.Sprintf("%.1fs", *v)
				default:
					s = fmt.Sprintf("%.0f", *v)
				}
				csvS = strconv.FormatFloat(*v, 'f', -1, 64)
			}
			fmt.Fprint(tw, s+"\t")
			rec = append(rec, csvS)
		}
		fmt.Fprintln(tw)
		records = append(records, rec)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	p := filepath.Join(dir, "report.csv")
	fh, err := os.Create(p)
	if err != nil {
		return fmt.Errorf("writing %s: %w", p, err)
	}
	w := csv.NewWriter(fh)
	w.WriteAll(records)
	if err := w.Error(); err != nil {
		fh.Close()
		return fmt.Errorf("writing %s: %w", p, err)
	}
	return fh.Close()
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// WriteVolume prints the volume summary: totals, daily average, busiest day and hour, year on year.
func WriteVolume(w io.Writer, v *analytics.Volume) {
	fmt.Fprintf(w, "\nvolume %s .. %s: inbound %.0f, outbound %.0f, total %.0f; daily average %.1f over %d days\n",
		v.From.Format(time.DateOnly), v.To.Format(time.DateOnly), v.Inbound, v.Outbound, v.Total, v.DailyAverage, v.Days)
	if v.BusiestDayCalls > 0 {
		fmt.Fprintf(w, "busiest day %s (%.0f calls); busiest hour %s (%.0f calls)\n",
			v.BusiestDay.Format(time.DateOnly), v.BusiestDayCalls, v.BusiestHour.Format("2006-01-02 15:00"), v.BusiestHourCalls)
	}
	if v.YoYGrowth != nil {
		fmt.Fprintf(w, "year on year: %+.1f%% (last year %.0f)\n", *v.YoYGrowth*100, v.LastYearTotal)
	} else {
		fmt.Fprintln(w, "year on year: no calls in the same period last year")
	}
}
