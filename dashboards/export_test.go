package dashboards

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite deploy/grafana from the generator")

// deploy/grafana holds what `hotline dashboards export` writes; it must stay in step with the
// generator (go test ./dashboards -run TestExportMatchesDeploy -update rewrites it).
func TestExportMatchesDeploy(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := Command(context.Background(), []string{"export", "--dir", dir}, &out); err != nil {
		t.Fatal(err)
	}
	deploy := filepath.Join("..", "deploy", "grafana")
	files := 0
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		files++
		rel, _ := filepath.Rel(dir, p)
		got, _ := os.ReadFile(p)
		if *update {
			os.MkdirAll(filepath.Dir(filepath.Join(deploy, rel)), 0o755)
			return os.WriteFile(filepath.Join(deploy, rel), got, 0o644)
		}
		want, err := os.ReadFile(filepath.Join(deploy, rel))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("deploy/grafana/%s is stale or missing: rerun with -update", rel)
		}
		return nil
	})
	if files != len(Specs())+2 || !strings.Contains(out.String(), "wrote") {
		t.Errorf("export wrote %d files (%s)", files, out.String())
	}
}

func TestCommandHelpListsFlags(t *testing.T) {
	var out bytes.Buffer
	if err := Command(context.Background(), []string{"--help"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"-dir", "-grafana-url", "-token", "-lang"} {
		if !strings.Contains(out.String(), f) {
			t.Errorf("help does not list %s:\n%s", f, out.String())
		}
	}
	if err := Command(context.Background(), []string{"push"}, &out); err == nil {
		t.Error("push without --grafana-url succeeded")
	}
	if err := Command(context.Background(), []string{"export", "--dir", t.TempDir(), "--lang", "fr"}, &out); err == nil || !strings.Contains(err.Error(), "--lang") {
		t.Errorf("export --lang fr: %v", err)
	}
}

// export --lang zh writes the Chinese dashboards beside where the English ones would go.
func TestExportInChinese(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := Command(context.Background(), []string{"export", "--dir", dir, "--lang", "zh"}, &out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "dashboards", "hotline-overview-zh.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"title": "热线：运营总览"`, `"title": "接通率"`, "接通量 / 进线量", `"label": "队列"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("hotline-overview-zh.json lacks %s", want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	ok := Config{Dir: "d", GrafanaURL: "http://g:3000", Token: "t", ClickHouseHost: "ch", ClickHousePort: 9000, Database: "hotline"}
	cases := []struct {
		name string
		mod  func(*Config)
		push bool
		want string
	}{
		{"export ok", func(*Config) {}, false, ""},
		{"push ok", func(*Config) {}, true, ""},
		{"bad port", func(c *Config) { c.ClickHousePort = 0 }, false, "clickhouse_port"},
		{"no dir", func(c *Config) { c.Dir = "" }, false, "dashboards.dir"},
		{"bad url", func(c *Config) { c.GrafanaURL = "grafana:3000" }, true, "grafana_url"},
		{"no token", func(c *Config) { c.Token = "" }, true, "token"},
	}
	for _, tc := range cases {
		c := ok
		tc.mod(&c)
		err := c.Validate(tc.push)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
