package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/seed-1c4692e8/hotline/events"
)

func versionCommand(_ context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("version", "Prints the module version, the VCS revision if known, the Go version and the event schema version.", stdout)
	if err := fs.Parse(args); err != nil {
		return err
	}
	version, rev := "(devel)", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		version = bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				rev = s.Value
			}
		}
		fmt.Fprintf(stdout, "hotline %s (revision %s, %s, event schema v%d)\n", version, rev, bi.GoVersion, events.SchemaVersion)
		return nil
	}
	fmt.Fprintf(stdout, "hotline %s (event schema v%d)\n", version, events.SchemaVersion)
	return nil
}
