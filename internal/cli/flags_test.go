package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantHelp bool
		wantErr  bool
		wantOut  []string
	}{
		{name: "help", args: []string{"--help"}, wantHelp: true, wantOut: []string{"usage: hotline demo [flags]", "Does a demonstration.", "-count", "how many"}},
		{name: "flags", args: []string{"-count", "3"}},
		{name: "bad flag", args: []string{"-nope"}, wantErr: true, wantOut: []string{"flag provided but not defined: -nope", "usage: hotline demo"}},
		{name: "bad value", args: []string{"-count", "x"}, wantErr: true, wantOut: []string{"invalid value \"x\""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			fs := NewFlags("demo", &out, "hotline demo [flags]", "Does a demonstration.")
			count := fs.Int("count", 1, "how many")
			help, err := Parse(fs, tt.args)
			if help != tt.wantHelp || (err != nil) != tt.wantErr {
				t.Fatalf("Parse(%q) = %v, %v; want help %v, error %v", tt.args, help, err, tt.wantHelp, tt.wantErr)
			}
			for _, w := range tt.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if tt.name == "flags" && *count != 3 {
				t.Errorf("count = %d, want 3", *count)
			}
		})
	}
}
