package analytics_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics"
)

// Build renders one query for a concrete period (what reports and the API run) or for a
// Grafana panel (GrafanaDialect): the same metric definitions, so both show the same number.
// Engine.Run executes it on ClickHouse and returns the rows.
func ExampleBuild() {
	day := analytics.Period{
		From:        time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC),
		To:          time.Date(2026, 10, 9, 0, 0, 0, 0, time.UTC),
		Granularity: analytics.GranHour,
		Queue:       "claims",
	}
	q := analytics.Query{Metrics: []string{"connection_rate", "service_level"}, Bucket: true}
	sql, err := analytics.Build(day, analytics.DefaultSettings(), q)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("period bounds:", strings.Contains(sql, day.FromSQL()) && strings.Contains(sql, day.ToSQL()))
	fmt.Println("hourly buckets:", strings.Contains(sql, "toStartOfHour("))
	fmt.Println("queue filter:", strings.Contains(sql, "= 'claims'"))

	panel, err := analytics.Build(analytics.GrafanaDialect{}, analytics.DefaultSettings(), q)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("grafana time filter:", strings.Contains(panel, "$__timeFilter("))

	m, _ := analytics.MetricByName("service_level")
	fmt.Println(m.Name, "unit", m.Unit, "family", m.Family)

	_, err = analytics.Build(day, analytics.DefaultSettings(), analytics.Query{Metrics: []string{"connection_rate", "no_such_metric"}})
	fmt.Println(err != nil)
	// Output:
	// period bounds: true
	// hourly buckets: true
	// queue filter: true
	// grafana time filter: true
	// service_level unit percentunit family calls
	// true
}
