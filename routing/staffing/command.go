package staffing

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/seed-1c4692e8/hotline/internal/cli"
)

// Command is `hotline staffing`: how many agents a target service level needs.
func Command(ctx context.Context, args []string, stdout io.Writer) error {
	fs := cli.NewFlags("staffing", stdout, "hotline staffing --calls-per-hour N --aht SECONDS [--sl 0.8] [--answer-within 20] [--patience SECONDS]",
		"Says how many agents reach the target service level, by Erlang C (callers never hang up)\n"+
			"and, with --patience, by Erlang A (exponential patience), and prints the neighbourhood.")
	cph := fs.Float64("calls-per-hour", 0, "offered calls per hour (required)")
	aht := fs.Float64("aht", 0, "average handle time in seconds: talk + hold + wrap-up (required)")
	sl := fs.Float64("sl", 0.8, "target service level, a share of calls answered within --answer-within (0.8 = 80%)")
	within := fs.Float64("answer-within", 20, "service-level threshold in seconds")
	patience := fs.Float64("patience", 0, "mean caller patience in seconds for Erlang A (0: only Erlang C)")
	if help, err := cli.Parse(fs, args); help || err != nil {
		return err
	}
	if *sl > 1 && *sl < 100 {
		*sl /= 100 // "--sl 80" means 80%
	}
	l := Load{CallsPerHour: *cph, AHT: *aht}
	if err := l.check(); err != nil {
		fs.Usage()
		return fmt.Errorf("staffing: %w", err)
	}
	fmt.Fprintf(stdout, "offered load %.2f Erlangs (%.0f calls/h x %.0f s); target %.0f%% within %.0f s\n\n", l.Erlangs(), *cph, *aht, *sl*100, *within)
	c, err := AgentsFor(l, *sl, *within, 0)
	if err != nil {
		return fmt.Errorf("staffing: %w", err)
	}
	fmt.Fprintf(stdout, "Erlang C: %d agents\n", c.Agents)
	var a Result
	if *patience > 0 {
		if a, err = AgentsFor(l, *sl, *within, *patience); err != nil {
			return fmt.Errorf("staffing: %w", err)
		}
		fmt.Fprintf(stdout, "Erlang A (patience %.0f s): %d agents\n", *patience, a.Agents)
	}
	fmt.Fprintln(stdout)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "agents\tC P(wait)\tC SL\tC ASA s\toccupancy\t"+map[bool]string{true: "A P(wait)\tA SL\tA abandon\tA ASA s\t", false: ""}[*patience > 0])
	lo := max(1, c.Agents-3)
	if *patience > 0 {
		lo = max(1, min(lo, a.Agents-3))
	}
	for n := lo; n <= c.Agents+3; n++ {
		r, _ := C(l, n, *within)
		line := fmt.Sprintf("%d\t%.3f\t%.1f%%\t%.1f\t%.1f%%\t", n, r.PWait, r.SL*100, r.ASA, r.Occupancy*100)
		if *patience > 0 {
			ra, _ := A(l, n, *within, *patience)
			line += fmt.Sprintf("%.3f\t%.1f%%\t%.1f%%\t%.1f\t", ra.PWait, ra.SL*100, ra.PAbandon*100, ra.ASA)
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}
