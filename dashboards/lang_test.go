package dashboards

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/analytics"
)

// Every panel, in each language, carries the definition of its KPIs from analytics, its title
// in that language, and columns named as its overrides expect.
func TestPanelsDescribeTheirKPIsInBothLanguages(t *testing.T) {
	s := analytics.DefaultSettings()
	s.SLThresholdSec = 30 // the words follow the settings the SQL uses
	uids := map[string]bool{}
	for _, lang := range analytics.Languages {
		built, err := Build(s, lang)
		if err != nil {
			t.Fatal(err)
		}
		panels := 0
		for _, b := range built {
			if uids[b.Board.UID] {
				t.Errorf("UID %s used twice", b.Board.UID)
			}
			uids[b.Board.UID] = true
			if lang == analytics.LangZh && (zhTitles[b.Spec.Title] == "" || b.Board.Title != zhTitles[b.Spec.Title]) {
				t.Errorf("%s: no Chinese title (%q)", b.Spec.UID, b.Board.Title)
			}
			var board struct {
				Panels []struct {
					Title, Description string
					FieldConfig        struct {
						Overrides []struct {
							Matcher struct{ Options string }
						}
					}
					Targets []struct{ RawSQL string }
				}
			}
			if err := json.Unmarshal(b.JSON, &board); err != nil {
				t.Fatal(err)
			}
			for i, p := range board.Panels {
				panels++
				ps := b.Spec.Panels[i]
				if lang == analytics.LangZh && zhTitles[ps.Title] == "" {
					t.Errorf("%s / %s: no Chinese title", b.Spec.UID, ps.Title)
				}
				if p.Title != title(ps.Title, lang) {
					t.Errorf("%s / %s: title %q", b.Spec.UID, ps.Title, p.Title)
				}
				if p.Description == "" {
					t.Errorf("%s / %s: no description", b.Spec.UID, ps.Title)
				}
				for _, n := range ps.Query.Metrics {
					m, _ := analytics.MetricByName(n)
					if def := m.Definition(s, lang); !strings.Contains(p.Description, def) {
						t.Errorf("%s / %s: description %q lacks the definition of %s", b.Spec.UID, ps.Title, p.Description, n)
					}
				}
				for _, o := range p.FieldConfig.Overrides {
					if !strings.Contains(p.Targets[0].RawSQL, "AS `"+o.Matcher.Options+"`") {
						t.Errorf("%s / %s: override for %q matches no column", b.Spec.UID, ps.Title, o.Matcher.Options)
					}
				}
			}
		}
		if panels < 80 {
			t.Errorf("%s: %d panels", lang, panels)
		}
	}
	sl, _ := analytics.MetricByName("service_level")
	if !strings.Contains(sl.Definition(s, analytics.LangZh), "30 秒内接通量") {
		t.Errorf("service level defined as %q with T = 30 s", sl.Definition(s, analytics.LangZh))
	}
	if err := CheckLang("fr"); err == nil {
		t.Error("--lang fr accepted")
	}
}
