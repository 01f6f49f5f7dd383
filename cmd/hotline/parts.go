package main

import (
	"context"
	"fmt"
	"io"

	"github.com/seed-1c4692e8/hotline/analytics/bench"
	"github.com/seed-1c4692e8/hotline/analytics/report"
	"github.com/seed-1c4692e8/hotline/analytics/segments"
	"github.com/seed-1c4692e8/hotline/dashboards"
	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/qa"
	"github.com/seed-1c4692e8/hotline/routing"
	"github.com/seed-1c4692e8/hotline/routing/routingbench"
	"github.com/seed-1c4692e8/hotline/routing/staffing"
	"github.com/seed-1c4692e8/hotline/sim"
)

// partCommands are the subcommands of the domain parts; each part owns its flags and help.
func partCommands() []command {
	return []command{
		{"routing", "ACD tools: export-queue-log (Asterisk queue_log from events or ClickHouse), check (validate IVR menu and queues)", routing.Command},
		{"staffing", "Erlang C / Erlang A: agents needed for a target service level", staffing.Command},
		{"simulate", "run the seeded discrete-event simulator of callers and carrier (province or national profile)", sim.SimulateCommand},
		{"dialer", "outbound dialer tools: validate (campaign YAML), simulate (a campaign on the simulator)", dialerCommand},
		{"qa", "QA tools: import (WAV + manifest), analyze, expire (retention), synth (test recordings)", qa.Command},
		{"report", "KPI report for a period: readable table, CSV and Parquet", report.ReportCommand},
		{"segments", "customer segmentation: quadrants, flags, export as Arrow IPC / Parquet", segments.Command},
		{"dashboards", "Grafana dashboards as code: export JSON and provisioning, push to a Grafana", dashboards.Command},
	}
}

// partBenches are the benchmarks of the domain parts, by name.
func partBenches() map[string]benchFunc {
	return map[string]benchFunc{
		"routing":   routingbench.Bench,
		"dialer":    dialer.Bench,
		"blend":     dialer.BenchBlend,
		"qa":        qa.Bench,
		"analytics": bench.Bench,
	}
}

func dialerCommand(ctx context.Context, args []string, stdout io.Writer) error {
	sub := map[string]func(context.Context, []string, io.Writer) error{
		"validate": dialer.ValidateCommand,
		"simulate": dialer.SimulateCommand,
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, "usage: hotline dialer <validate|simulate> [flags]\n\n  validate  check campaign YAML files and print what each campaign would do\n  simulate  run a campaign on the simulator and print its figures")
		if len(args) == 0 {
			return fmt.Errorf("dialer: name a subcommand: validate or simulate")
		}
		return nil
	}
	f, ok := sub[args[0]]
	if !ok {
		return fmt.Errorf("dialer: unknown subcommand %q (validate, simulate)", args[0])
	}
	return f(ctx, args[1:], stdout)
}
