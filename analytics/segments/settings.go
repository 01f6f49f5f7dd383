package segments

import (
	"os"

	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/internal/config"
)

// loadSettings reads the KPI settings from the binary's config (the analytics: section of the
// file at path, or of $HOTLINE_CONFIG when path is empty, then HOTLINE_ANALYTICS_* variables),
// the way `hotline run` does; errors name the file and line or variable, the field and the problem.
func loadSettings(path string) (analytics.Settings, error) {
	cfg, err := config.Load(nil, func(k string) string {
		if k == config.ConfigFileEnv && path != "" {
			return path
		}
		return os.Getenv(k)
	})
	return cfg.Analytics, err
}
