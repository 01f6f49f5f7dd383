package config

import (
	"os"

	"github.com/seed-1c4692e8/hotline/analytics"
)

// analyticsProblems takes the analytics section's checks from package analytics, which owns
// what its settings mean.
func analyticsProblems(s analytics.Settings) problems {
	var p problems
	for _, e := range s.Problems() {
		p.add(e.Field, e.Problem)
	}
	return p
}

// LoadAnalytics loads the configuration as Load does without flags, from the file at path (or
// $HOTLINE_CONFIG when path is empty), and returns its analytics section: for the subcommands
// that need only the KPI settings and have flags of their own (report, segments, dashboards).
// getenv may be nil (os.Getenv).
func LoadAnalytics(path string, getenv func(string) string) (analytics.Settings, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	cfg, err := Load(nil, func(k string) string {
		if k == ConfigFileEnv && path != "" {
			return path
		}
		return getenv(k)
	})
	return cfg.Analytics, err
}
