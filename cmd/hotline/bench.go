package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/seed-1c4692e8/hotline/ingest"
)

// benchFunc runs one part's benchmark and prints its table.
type benchFunc func(ctx context.Context, args []string, stdout io.Writer) error

func benches() map[string]benchFunc {
	b := map[string]benchFunc{"ingest": ingest.Bench}
	for name, f := range partBenches() {
		b[name] = f
	}
	return b
}

func benchCommand(ctx context.Context, args []string, stdout io.Writer) error {
	all := benches()
	var names []string
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(stdout, "usage: hotline bench <%s|all> [flags]\n\nRuns a benchmark against real servers and prints its table. `hotline bench <name> --help` lists its flags.\n", strings.Join(names, "|"))
		if len(args) == 0 {
			return fmt.Errorf("bench: name a benchmark: %s or all", strings.Join(names, ", "))
		}
		return nil
	}
	if args[0] == "all" {
		for _, n := range names {
			fmt.Fprintf(stdout, "\n=== hotline bench %s ===\n", n)
			if err := all[n](ctx, args[1:], stdout); err != nil {
				return fmt.Errorf("bench %s: %w", n, err)
			}
		}
		return nil
	}
	f, ok := all[args[0]]
	if !ok {
		return fmt.Errorf("bench: unknown benchmark %q (have %s)", args[0], strings.Join(names, ", "))
	}
	return f(ctx, args[1:], stdout)
}
