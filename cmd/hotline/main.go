// Command hotline is the one binary of the hotline platform: each part is a subcommand, and
// `hotline run` starts them all. `hotline --help` lists the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand of the binary.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout io.Writer) error
}

func commands() []command {
	cmds := []command{
		{"run", "start everything: broker (embedded if none), ClickHouse (local if none), ingest, HTTP API and simulated traffic", runCommand},
		{"ingest", "consume the event topics into ClickHouse (exactly once, bad events to dead_letter)", ingestCommand},
		{"migrate", "create or upgrade the ClickHouse schema", migrateCommand},
		{"generate", "write synthetic events of every type to Kafka, for tests and benchmarks", generateCommand},
		{"bench", "run a benchmark and print its table: ingest (more parts add theirs)", benchCommand},
		{"clickhouse", "start, stop or inspect the project's local ClickHouse server", clickhouseCommand},
		{"retention", "retention run [--dry-run]: apply the retention policy once (recordings, personal data, audit log, campaign contacts)", retentionCommand},
		{"version", "print the version of this build", versionCommand},
	}
	cmds = append(cmds, partCommands()...)
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	return cmds
}

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel()})))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := dispatch(ctx, os.Args[1:], os.Stdout)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hotline:", err)
		os.Exit(1)
	}
}

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(os.Getenv("HOTLINE_LOG_LEVEL"))); err != nil {
		return slog.LevelInfo
	}
	return l
}

func dispatch(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return errors.New("no subcommand given")
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout)
		}
	}
	usage(os.Stderr)
	return fmt.Errorf("unknown subcommand %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "hotline: the software behind an insurance service hotline (ACD, outbound dialer, QA, analytics).")
	fmt.Fprintln(w, "\nusage: hotline <subcommand> [flags]   (hotline <subcommand> --help for its flags)")
	fmt.Fprintln(w, "\nSubcommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprint(w, envHelp())
}
