package dialer

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateCommand(t *testing.T) {
	files, _ := filepath.Glob("testdata/campaigns/*.yaml")
	var out bytes.Buffer
	if err := ValidateCommand(context.Background(), files, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if got := strings.Count(out.String(), "\nok ") + strings.Count(out.String()[:3], "ok "); got != len(files) {
		t.Errorf("%d ok lines for %d files:\n%s", got, len(files), out.String())
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("id: x\ntype: renewal\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A preview campaign's line says what happens to a record left on the desk.
	for yaml, want := range map[string]string{
		"": "pacing preview (dial after 30s on the desk)",
		"preview: {timeout: 1m, on_timeout: skip}\n": "pacing preview (skip after 1m0s on the desk)",
		"preview: {on_timeout: wait}\n":              "pacing preview (records wait on the desk until the agent acts)",
	} {
		pv := filepath.Join(t.TempDir(), "preview.yaml")
		if err := os.WriteFile(pv, []byte("id: p\ntype: renewal\nscript: R\npacing: preview\n"+yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		if err := ValidateCommand(context.Background(), []string{pv}, &out); err != nil || !strings.Contains(out.String(), want) {
			t.Errorf("%q: err %v, output %s, want %q", yaml, err, out.String(), want)
		}
	}
	out.Reset()
	if err := ValidateCommand(context.Background(), []string{bad}, &out); err == nil || !strings.Contains(out.String(), "script") {
		t.Errorf("bad file: err %v, output %s", err, out.String())
	}
}

func TestSimulateCommand(t *testing.T) {
	var out bytes.Buffer
	if err := SimulateCommand(context.Background(), []string{"-method", "adapt_tapered", "-agents", "5", "-hours", "0.5"}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"adapt_tapered", "talk", "abandonment"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := SimulateCommand(context.Background(), []string{"-method", "turbo"}, &out); err == nil {
		t.Error("unknown method accepted")
	}
}
