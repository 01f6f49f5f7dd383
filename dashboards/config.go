package dashboards

import (
	"fmt"
	"net/url"
)

// Config is where the dashboards go and which ClickHouse their data source points at.
type Config struct {
	Dir            string // export: directory for dashboards/ and provisioning/
	GrafanaURL     string // push: Grafana base URL
	Token          string // push: service-account token
	ClickHouseHost string // host Grafana reaches ClickHouse on
	ClickHousePort int    // native protocol port
	Database       string
}

// Validate checks the fields an operation needs; push says so with push true.
func (c Config) Validate(push bool) error {
	switch {
	case c.ClickHouseHost == "":
		return fmt.Errorf("dashboards.clickhouse_host: empty")
	case c.ClickHousePort <= 0 || c.ClickHousePort > 65535:
		return fmt.Errorf("dashboards.clickhouse_port: %d is not a port", c.ClickHousePort)
	case c.Database == "":
		return fmt.Errorf("dashboards.database: empty")
	case !push && c.Dir == "":
		return fmt.Errorf("dashboards.dir: empty; give the directory to export into")
	}
	if push {
		u, err := url.Parse(c.GrafanaURL)
		if c.GrafanaURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("dashboards.grafana_url: %q is not an http(s) URL", c.GrafanaURL)
		}
		if c.Token == "" {
			return fmt.Errorf("dashboards.token: empty; create a Grafana service-account token with the Editor role")
		}
	}
	return nil
}
