package config

import "github.com/seed-1c4692e8/hotline/analytics"

// analyticsProblems takes the analytics section's checks from package analytics, which owns
// what its settings mean.
func analyticsProblems(s analytics.Settings) problems {
	var p problems
	for _, e := range s.Problems() {
		p.add(e.Field, e.Problem)
	}
	return p
}
