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
	// The pacing is named as the file names it; predictive runs on the hotline pacer.
	for _, tc := range []struct{ pacing, want, notWant string }{
		{"pacing: predictive\n", "pacing predictive (hotline) (abandon", ""},
		{"pacing: hotline\n", "pacing hotline (abandon", "predictive"},
		{"pacing: adapt_tapered\n", "pacing adapt_tapered (abandon", ""},
		{"", "pacing hotline (abandon", "predictive"},
	} {
		f := filepath.Join(t.TempDir(), "pacing.yaml")
		if err := os.WriteFile(f, []byte("id: p\ntype: renewal\nscript: R\n"+tc.pacing), 0o644); err != nil {
			t.Fatal(err)
		}
		out.Reset()
		err := ValidateCommand(context.Background(), []string{f}, &out)
		if err != nil || !strings.Contains(out.String(), tc.want) || (tc.notWant != "" && strings.Contains(out.String(), tc.notWant)) {
			t.Errorf("%q: err %v, output %s, want %q", tc.pacing, err, out.String(), tc.want)
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

func TestValidateCommandReadsListFiles(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "list.csv")
	if err := os.WriteFile(list, []byte("C1,13900000001\nC2,13900000002\nC3,+8613900000001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badList := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(badList, []byte("C1,13900000001,high\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, file string
		wantErr    bool
		want       string
	}{
		{"duplicate numbers are counted", list, false, "(2 contacts, 1 duplicates dropped)"},
		{"a missing list file", filepath.Join(dir, "nope.csv"), true, "list.file: open " + filepath.Join(dir, "nope.csv")},
		{"a malformed list file", badList, true, `list line 1: priority "high" is not a whole number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			yaml := filepath.Join(t.TempDir(), "survey.yaml")
			if err := os.WriteFile(yaml, []byte("id: s\ntype: satisfaction_survey\nscript: S\nlist: {source: file, file: "+tc.file+"}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			err := ValidateCommand(context.Background(), []string{yaml}, &out)
			if (err != nil) != tc.wantErr || !strings.Contains(out.String(), tc.want) {
				t.Errorf("err %v, output %s; want error %v and %q", err, out.String(), tc.wantErr, tc.want)
			}
		})
	}
}
