package config

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

// EnvHelp returns the environment variables hotline reads, one per line with its default and
// meaning, for subcommands to append to their --help output.
func EnvHelp() string {
	var b strings.Builder
	b.WriteString("Environment (overrides the config file; flags override both):\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  %s\t%s\n", ConfigFileEnv, "YAML config file (flag --config)")
	def := Default()
	for _, s := range settings() {
		if s.env == "" {
			continue
		}
		line := s.help
		if v := s.format(s.field(&def)); v != "" && !s.secret {
			line += fmt.Sprintf(" (default %q)", v)
		}
		if s.flag != "" {
			line += " (flag --" + s.flag + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", s.env, line)
	}
	tw.Flush()
	return b.String()
}
