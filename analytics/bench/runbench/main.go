// Command runbench runs `hotline bench analytics` standalone (until cmd/hotline wires
// bench.Bench): go run ./analytics/bench/runbench [--rows N] [--keep].
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/seed-1c4692e8/hotline/analytics/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := bench.Bench(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench analytics:", err)
		os.Exit(1)
	}
}
