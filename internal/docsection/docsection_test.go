package docsection

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSync(t *testing.T) {
	const cmd = "go test ./x -update"
	doc := "# Title\n\nprose\n" + Begin(cmd) + "\nold\n" + End + "\nmore prose\n"
	for _, tc := range []struct {
		name    string
		doc     string
		want    string
		update  bool
		errHas  string
		wantDoc string
	}{
		{"in step", doc, "\nold\n", false, "", doc},
		{"drifted", doc, "\nnew\n", false, "run " + cmd, doc},
		{"drifted, update", doc, "\nnew\n", true, "", strings.Replace(doc, "\nold\n", "\nnew\n", 1)},
		{"no markers", "# Title\n", "\nnew\n", true, "markers", "# Title\n"},
		{"markers of another command", strings.Replace(doc, cmd, "other", 1), "\nold\n", true, "markers", strings.Replace(doc, cmd, "other", 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "doc.md")
			if err := os.WriteFile(path, []byte(tc.doc), 0o644); err != nil {
				t.Fatal(err)
			}
			err := Sync(path, cmd, tc.want, tc.update)
			if tc.errHas == "" && err != nil || tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)) {
				t.Fatalf("Sync: %v, want an error containing %q", err, tc.errHas)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tc.wantDoc {
				t.Fatalf("file now\n%s\nwant\n%s", got, tc.wantDoc)
			}
		})
	}
}
