package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/seed-1c4692e8/hotline/internal/cli"
	"github.com/seed-1c4692e8/hotline/internal/config"
)

func envHelp() string {
	return config.EnvHelp() + "HOTLINE_LOG_LEVEL  log level: debug, info, warn, error (default info)\n"
}

// newFlags makes a subcommand's flag set whose --help says what it does, its flags and the
// environment variables.
func newFlags(name, what string, stdout io.Writer) *flag.FlagSet {
	fs := cli.NewFlags("hotline "+name, stdout, "hotline "+name+" [flags]", what)
	flagsHelp := fs.Usage
	fs.Usage = func() {
		flagsHelp()
		fmt.Fprintln(stdout)
		fmt.Fprint(stdout, envHelp())
	}
	return fs
}

// loadConfig parses the flags and loads the configuration; errors name source, field and problem.
func loadConfig(fs *flag.FlagSet, f *config.Flags, args []string) (config.Config, error) {
	if err := fs.Parse(args); err != nil {
		return config.Config{}, err
	}
	if fs.NArg() > 0 {
		return config.Config{}, fmt.Errorf("%s: unexpected arguments %v", fs.Name(), fs.Args())
	}
	return config.Load(f, os.Getenv)
}
