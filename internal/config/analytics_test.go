package config

import (
	"strings"
	"testing"
)

// LoadAnalytics takes the file from its argument before $HOTLINE_CONFIG, applies the
// environment over it, and reports a bad value with the file, line and field.
func TestLoadAnalytics(t *testing.T) {
	env := map[string]string{ConfigFileEnv: "testdata/bad_analytics.yaml", "HOTLINE_ANALYTICS_FEEDBACK_WINDOW": "36h"}
	s, err := LoadAnalytics("testdata/full.yaml", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if s.SLVariant != "all_abandons" || s.Segments.LoyaltyCut != 55.5 || s.FeedbackWindow.Hours() != 36 {
		t.Errorf("analytics from full.yaml with env: %+v", s)
	}
	_, err = LoadAnalytics("", func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "testdata/bad_analytics.yaml:7: analytics.segments.loyalty_cut: 150 is not in 0..100") {
		t.Errorf("bad file from $HOTLINE_CONFIG: %v", err)
	}
}
