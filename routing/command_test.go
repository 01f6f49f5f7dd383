package routing

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommands(t *testing.T) {
	ctx := context.Background()
	var out strings.Builder
	if err := Command(ctx, []string{"check"}, &out); err != nil || !strings.Contains(out.String(), "queue claims_report") || !strings.HasSuffix(out.String(), "ok\n") {
		t.Fatalf("check: %v\n%s", err, out.String())
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("queues:\n  - {name: q, business_line: nope, skills: [{skill: s, min: 1}]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Command(ctx, []string{"check", "--config", bad}, &out); err == nil || !strings.Contains(err.Error(), "queues[0].business_line") {
		t.Fatalf("bad config: %v", err)
	}
	out.Reset()
	if err := Command(ctx, []string{"export-queue-log", "--help"}, &out); err != nil || !strings.Contains(out.String(), "queue_log") {
		t.Fatalf("help: %v %s", err, out.String())
	}
	if err := Command(ctx, []string{"frobnicate"}, &out); err == nil {
		t.Fatal("unknown subcommand accepted")
	}
}
