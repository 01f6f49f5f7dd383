package dialer

import (
	"cmp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

func TestCampaignFixturesParse(t *testing.T) {
	files, err := filepath.Glob("testdata/campaigns/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no campaign fixtures: %v", err)
	}
	types := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := ParseCampaign(f, data)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		types[c.Type] = true
		if len(c.Outcomes) == 0 || c.Rules == nil {
			t.Errorf("%s: defaults not applied: %+v", f, c)
		}
		if got := DefaultRules(c.Type).Sales; got != !ServiceCampaign(c.Type) && c.Type != events.CampaignMarketResearch {
			t.Errorf("%s: sales rules %v for a %s campaign", f, got, c.Type)
		}
	}
	for _, ty := range events.CampaignTypes {
		if !types[ty] {
			t.Errorf("no fixture for campaign type %s", ty)
		}
	}
}

func TestCampaignValidateNamesTheField(t *testing.T) {
	tests := []struct{ yaml, field string }{
		{"type: renewal\nscript: R\n", "id:"},
		{"id: a\ntype: cold_calling\nscript: R\n", "type:"},
		{"id: a\ntype: renewal\n", "script:"},
		{"id: a\ntype: renewal\nscript: R\npacing: turbo\n", "pacing:"},
		{"id: a\ntype: renewal\nscript: R\nabandon_target: .nan\n", "abandon_target:"},
		{"id: a\ntype: renewal\nscript: R\nabandon_target: .inf\n", "abandon_target:"},
		{"id: a\ntype: renewal\nscript: R\nabandon_target: -0.01\n", "abandon_target:"},
		{"id: a\ntype: telemarketing\nscript: R\nlist: {source: book}\n", "list.source:"},
		{"id: a\ntype: renewal\nscript: R\nlist: {source: file}\n", "list.file:"},
		{"id: a\ntype: renewal\nscript: R\nrules: {window_start: \"22:00\", window_end: \"21:00\", max_attempts: 3, daily_cap: 3, abandon_lockout: 72h}\n", "rules.window_end:"},
		{"id: a\ntype: renewal\nscript: R\nretry: {dropped: 1h}\n", "retry dropped:"},
		{"id: a\ntype: renewal\nscript: R\nsurvey: email\n", "survey:"},
		{"id: a\ntype: renewal\nscript: R\ncolour: red\n", "colour"},
		{"id: a\ntype: telemarketing\nscript: R\nlist: {source: segment}\n", "list.segment:"},
		{"id: a\ntype: telemarketing\nscript: R\nlist: {source: clickhouse, segment: loyal}\n", "list.query:"},
		{"id: a\ntype: telemarketing\nscript: R\nlist: {source: file, file: x.csv, segment: loyal}\n", "list.segment:"},
		{"id: a\ntype: renewal\nscript: R\npacing: preview\npreview: {on_timeout: hangup}\n", "preview.on_timeout:"},
		{"id: a\ntype: renewal\nscript: R\npacing: preview\npreview: {timeout: 2s}\n", "preview.timeout:"},
		{"id: a\ntype: renewal\nscript: R\npacing: preview\npreview: {timeout: 2h, on_timeout: skip}\n", "preview.timeout:"},
		{"id: a\ntype: renewal\nscript: R\npacing: preview\npreview: {timeout: -30s}\n", "preview.timeout:"},
		{"id: a\ntype: renewal\nscript: R\npacing: preview\npreview: {timeout: 30s, on_timeout: wait}\n", "preview.timeout:"},
		{"id: a\ntype: renewal\nscript: R\npacing: preview\npreview: {timeout: thirty}\n", "preview.timeout:"},
		{"id: a\ntype: renewal\nscript: R\npacing: preview\npreview: {timout: 30s}\n", "preview: line 5: unknown field \"timout\""},
		{"id: a\ntype: renewal\nscript: R\npacing: progressive\npreview: {timeout: 30s}\n", "preview:"},
		{"id: a\ntype: renewal\nscript: R\npreview: {on_timeout: skip}\n", "preview:"},
	}
	for _, tc := range tests {
		_, err := ParseCampaign("c.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%q: error %v, want one naming %s", tc.yaml, err, tc.field)
		}
	}
}

// TestCampaignPreviewTimeout: a preview campaign times records out after 30 s and dials them
// unless it says otherwise; other pacings carry no preview setting.
func TestCampaignPreviewTimeout(t *testing.T) {
	tests := []struct {
		yaml string
		want PreviewPolicy
	}{
		{"pacing: preview\n", PreviewPolicy{Timeout: 30 * time.Second, OnTimeout: PreviewDial}},
		{"pacing: preview\npreview: {on_timeout: skip}\n", PreviewPolicy{Timeout: 30 * time.Second, OnTimeout: PreviewSkip}},
		{"pacing: preview\npreview: {timeout: 2m}\n", PreviewPolicy{Timeout: 2 * time.Minute, OnTimeout: PreviewDial}},
		{"pacing: preview\npreview: {on_timeout: wait}\n", PreviewPolicy{OnTimeout: PreviewWait}},
		{"pacing: progressive\n", PreviewPolicy{}},
		{"", PreviewPolicy{}}, // hotline pacing
	}
	for _, tc := range tests {
		c, err := ParseCampaign("c.yaml", []byte("id: a\ntype: renewal\nscript: R\n"+tc.yaml))
		if err != nil {
			t.Errorf("%q: %v", tc.yaml, err)
			continue
		}
		if c.Preview != tc.want {
			t.Errorf("%q: preview %+v, want %+v", tc.yaml, c.Preview, tc.want)
		}
	}
}

func TestReadListFile(t *testing.T) {
	f, err := os.Open("testdata/lists/survey.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := Campaign{ID: "s", Type: events.CampaignSatisfaction, Priority: 7}
	cs, err := ReadListFile(f, c, "86", base)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		phone string
		prio  int
	}{{"+8613800138000", 2}, {"+8613900000002", 7}, {"+8613900000003", 1}}
	if len(cs) != len(want) {
		t.Fatalf("%d contacts, want %d", len(cs), len(want))
	}
	for i, w := range want {
		if cs[i].Phone != w.phone || cs[i].Priority != w.prio {
			t.Errorf("contact %d: %s prio %d, want %s prio %d", i, cs[i].Phone, cs[i].Priority, w.phone, w.prio)
		}
	}
	if _, err := ReadListFile(strings.NewReader("C1,not-a-number\n"), c, "86", base); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad number: error %v, want one naming line 1", err)
	}
}

func TestBookContacts(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	b := newFakeBook(90, start)
	ren := Campaign{ID: "r", Type: events.CampaignRenewal, List: ListRule{Source: "book", ExpiringInDays: 30}}
	cs := BookContacts(ren, b, time.Time{}, start)
	// Policies end 1..60 days after start: those within 30 days.
	for _, c := range cs {
		if c.PolicyID == "" || c.CampaignID != "r" {
			t.Fatalf("renewal contact without its policy: %+v", c)
		}
	}
	want := 0
	for i := range 90 {
		if 1+i%60 < 30 { // the fixture's policy i ends 1 + i%60 days after start
			want++
		}
	}
	if len(cs) != want {
		t.Errorf("%d renewal contacts, want the %d policies ending within 30 days", len(cs), want)
	}
	cb := Campaign{ID: "cb", Type: events.CampaignClaimCallback}
	cs = BookContacts(cb, b, start, start.Add(2*time.Hour))
	if len(cs) != 6 {
		t.Errorf("%d claim callbacks for 2 h of closings every 20 min, want 6", len(cs))
	}
	for _, c := range cs {
		if c.ClaimID == "" || c.Due.Before(start) {
			t.Errorf("claim callback %+v: no claim or due before closing", c)
		}
	}
}

func TestLoadCampaigns(t *testing.T) {
	cs, err := LoadCampaigns("testdata/campaigns")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != len(events.CampaignTypes) {
		t.Errorf("%d campaigns loaded, want %d", len(cs), len(events.CampaignTypes))
	}
	dir := t.TempDir()
	for _, name := range []string{"a.yaml", "b.yml"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("id: same\ntype: renewal\nscript: R\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := LoadCampaigns(dir); err == nil || !strings.Contains(err.Error(), "already used") {
		t.Errorf("duplicate ids: error %v", err)
	}
}

// TestCampaignPacingPredictive: users call hotline's predictive pacer predictive; a campaign
// that says so runs it (read as hotline, so the engine, status and events are unchanged), and a
// bad pacing is answered with the names a campaign may give, predictive among them.
func TestCampaignPacingPredictive(t *testing.T) {
	tests := []struct {
		name, doc, want, wantErr string
		parse                    func(string, []byte) (Campaign, error)
	}{
		{"predictive in YAML", "id: a\ntype: renewal\nscript: R\npacing: predictive\n", MethodHotline, "", ParseCampaign},
		{"predictive in JSON", `{"id":"a","type":"renewal","script":"R","pacing":"predictive"}`, MethodHotline, "", ParseCampaignJSON},
		{"hotline as before", "id: a\ntype: renewal\nscript: R\npacing: hotline\n", MethodHotline, "", ParseCampaign},
		{"preview unchanged", "id: a\ntype: renewal\nscript: R\npacing: preview\n", MethodPreview, "", ParseCampaign},
		{"unset: the type's default", "id: a\ntype: renewal\nscript: R\n", cmp.Or(kindOf("renewal").pacing, MethodHotline), "", ParseCampaign},
		{"a pacing no one knows", "id: a\ntype: renewal\nscript: R\npacing: turbo\n", "", `pacing: "turbo" is not one of`, ParseCampaign},
		{"predictive is case-sensitive as the others", "id: a\ntype: renewal\nscript: R\npacing: Predictive\n", "", `pacing: "Predictive"`, ParseCampaign},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.parse("c", []byte(tc.doc))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				for _, name := range append([]string{PacingPredictive}, campaignPacings...) {
					if !strings.Contains(err.Error(), name) {
						t.Errorf("error %q does not name the accepted pacing %s", err, name)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Pacing != tc.want {
				t.Errorf("pacing %q, want %q", c.Pacing, tc.want)
			}
		})
	}
}
