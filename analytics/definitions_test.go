package analytics

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite docs/kpi.md from the definitions")

// Every metric has its definition in both languages and every definition a metric; no
// placeholder is left unfilled whatever the settings.
func TestEveryMetricIsDefined(t *testing.T) {
	for n := range definitions {
		if _, ok := metrics[n]; !ok {
			t.Errorf("definition of %q, which is no metric", n)
		}
	}
	alt := DefaultSettings()
	alt.ShortAbandon, alt.SLVariant, alt.FCRWindow, alt.CallbackWindow = ShortAbandonInclude, SLAllAbandons, 36*time.Hour, 96*time.Hour
	for _, n := range MetricNames() {
		m := metrics[n]
		d, ok := definitions[n]
		if !ok || d.TitleZh == "" || d.Text.En == "" || d.Text.Zh == "" {
			t.Errorf("%s: no definition in both languages", n)
			continue
		}
		for _, s := range []Settings{DefaultSettings(), alt} {
			for _, lang := range Languages {
				if txt := m.Definition(s, lang); strings.ContainsAny(txt, "{}") {
					t.Errorf("%s (%s): unfilled placeholder in %q", n, lang, txt)
				}
			}
		}
	}
	// The settings reach the words: a manager reads the threshold the number uses.
	sl, _ := MetricByName("service_level")
	if got := sl.Definition(alt, LangZh); !strings.Contains(got, "20 秒内接通量 / (接通量 + 放弃量，含短时放弃)") {
		t.Errorf("service level with all abandons, short ones included: %q", got)
	}
	if got := metrics["fcr"].Definition(alt, LangEn); !strings.Contains(got, "within 36 h") {
		t.Errorf("FCR with a 36 h window: %q", got)
	}
	for term, metric := range map[string]string{"接通率": "connection_rate", "服务水平": "service_level", "放弃率": "abandon_rate",
		"回访覆盖率": "callback_coverage_72h", "投诉率": "complaints_per_answered_call", "首次解决率": "fcr"} {
		if !strings.Contains(metrics[metric].TitleIn(LangZh), term) {
			t.Errorf("%s is not called %s in Chinese but %s", metric, term, metrics[metric].TitleIn(LangZh))
		}
	}
}

// docs/kpi.md is the definitions as written in code; a change to one without the other fails.
func TestKPIDocMatchesDefinitions(t *testing.T) {
	path := filepath.Join("..", "docs", "kpi.md")
	want := KPIDoc(DefaultSettings())
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./analytics -run TestKPIDoc -update writes it)", err)
	}
	if string(got) != want {
		t.Fatalf("docs/kpi.md differs from the definitions in analytics/definitions.go; go test ./analytics -run TestKPIDoc -update rewrites it")
	}
	for _, n := range MetricNames() {
		if !strings.Contains(want, "`"+n+"`") {
			t.Errorf("%s missing from docs/kpi.md", n)
		}
	}
}
