// Package cli is what every `hotline` subcommand does with its flags: one way to print help
// and one way to tell "asked for help" from a bad flag.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// NewFlags makes the flag set of a subcommand. Its -help prints the usage line, what the
// command does and the flags, to stdout; flag errors go there too.
func NewFlags(name string, stdout io.Writer, usage, what string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() {
		fmt.Fprintf(stdout, "usage: %s\n\n%s\n\nflags:\n", usage, what)
		fs.PrintDefaults()
	}
	return fs
}

// Parse parses args. help is true when -help was asked for and answered: the command then
// returns nil, so `hotline X --help` exits 0.
func Parse(fs *flag.FlagSet, args []string) (help bool, err error) {
	err = fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return true, nil
	}
	return false, err
}
