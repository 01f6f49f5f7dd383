package dashboards

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/analytics"
)

// The generated JSON type-checks against Grafana's published dashboard schema: each dashboard is
// assigned to the Dashboard type of @grafana/schema and tsc --noEmit must accept the file.
// Needs `npm ci --prefix dashboards/schemacheck` (scripts/dashboards-schemacheck.sh).
func TestDashboardsTypeCheckAgainstGrafanaSchema(t *testing.T) {
	tsc := filepath.Join("schemacheck", "node_modules", ".bin", "tsc")
	if _, err := os.Stat(tsc); err != nil {
		t.Fatalf("%s missing: run scripts/dashboards-schemacheck.sh (npm ci --prefix dashboards/schemacheck)", tsc)
	}
	var built []Built
	for _, lang := range analytics.Languages {
		b, err := Build(analytics.DefaultSettings(), lang)
		if err != nil {
			t.Fatal(err)
		}
		built = append(built, b...)
	}
	var b strings.Builder
	// TypeScript will not take a string literal for a string enum, though the JSON value is the
	// same: the enum fields are written as the enum member whose value the JSON holds.
	b.WriteString("import { type Dashboard, ThresholdsMode } from '@grafana/schema';\n\n")
	for i, d := range built {
		b.WriteString("// " + d.Board.UID + "\nexport const d" + itoa(i) + ": Dashboard = ")
		b.WriteString(strings.ReplaceAll(string(d.JSON), `"mode": "absolute"`, `"mode": ThresholdsMode.Absolute`))
		b.WriteString(";\n\n")
	}
	dir := filepath.Join("schemacheck", "gen")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "dashboards.ts")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join("node_modules", ".bin", "tsc"), "--noEmit", "--strict", "--skipLibCheck",
		"--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", filepath.Join("gen", "dashboards.ts"))
	cmd.Dir = "schemacheck"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tsc rejected the dashboards: %v\n%s", err, out)
	}
	// The check must be able to fail: a panel with a wrong field type is rejected.
	bad := "import type { Dashboard } from '@grafana/schema';\nexport const x: Dashboard = { title: 'x', schemaVersion: 39, panels: [{ type: 'stat', gridPos: { h: 'tall', w: 1, x: 0, y: 0 } }] };\n"
	if err := os.WriteFile(filepath.Join(dir, "bad.ts"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(filepath.Join("node_modules", ".bin", "tsc"), "--noEmit", "--strict", "--skipLibCheck",
		"--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", filepath.Join("gen", "bad.ts"))
	cmd.Dir = "schemacheck"
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("tsc accepted a dashboard with gridPos.h a string:\n%s", out)
	}
}

func itoa(i int) string {
	return strings.TrimSpace(strings.Repeat(" ", 0) + string(rune('0'+i/10)) + string(rune('0'+i%10)))
}
