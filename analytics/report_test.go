package analytics

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/analytics/chtest"
)

func TestReportCommand(t *testing.T) {
	conn, db := chtest.Database(t)
	f := chtest.Generate(5)
	if err := f.Load(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var out bytes.Buffer
	args := []string{"--from", "2026-09-28", "--to", "2026-10-12", "--by", "week", "--out", dir, "--clickhouse", chtest.Addr(t), "--database", db}
	if err := ReportCommand(context.Background(), args, &out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "2026-09-28,") || !strings.Contains(out.String(), "%") {
		t.Errorf("report:\n%s\ncsv:\n%s", out.String(), b)
	}
}
