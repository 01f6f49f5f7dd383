package report

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/internal/config"
)

// The report reads the KPI settings from the config file's analytics: section, and a bad value
// stops it before it touches ClickHouse, naming the file, line, field and problem.
func TestSettingsFromConfigFile(t *testing.T) {
	t.Setenv("HOTLINE_CONFIG", "")
	s, err := config.LoadAnalytics("testdata/analytics.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.SLThresholdSec != 30 || s.SLVariant != "ignore_abandons" || !s.Segments.UseMedians ||
		!reflect.DeepEqual(s.Calendar.Holidays, []string{"2026-10-01", "2026-10-02"}) || s.ShortAbandonSec != 5 {
		t.Errorf("settings from the file: %+v", s)
	}
	t.Setenv("HOTLINE_CONFIG", "testdata/analytics.yaml")
	t.Setenv("HOTLINE_ANALYTICS_SL_THRESHOLD_SEC", "25")
	if s, err := config.LoadAnalytics("", nil); err != nil || s.SLThresholdSec != 25 || s.SLVariant != "ignore_abandons" {
		t.Errorf("HOTLINE_CONFIG file with env override: %+v, %v", s, err)
	}
	var out bytes.Buffer
	err = ReportCommand(context.Background(), []string{"--from", "2026-10-01", "--to", "2026-10-02", "--config", "testdata/bad_analytics.yaml", "--clickhouse", "127.0.0.1:1"}, &out)
	want := "config: testdata/bad_analytics.yaml:2: analytics.complaint_workdays: 0 is not in 1..60"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("report with a bad analytics value: %v, want %q", err, want)
	}
}
