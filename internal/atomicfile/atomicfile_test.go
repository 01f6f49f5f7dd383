package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name string
		old  string // "" : no file before
		data string
		perm os.FileMode
	}{
		{"new file", "", "a\n", 0o644},
		{"replaces a file", "old content, longer than the new\n", "new\n", 0o600},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "list.txt")
			if tc.old != "" {
				if err := os.WriteFile(path, []byte(tc.old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := Write(path, []byte(tc.data), tc.perm); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != tc.data {
				t.Fatalf("read %q, %v; want %q", got, err, tc.data)
			}
			if st, _ := os.Stat(path); st.Mode().Perm() != tc.perm {
				t.Errorf("mode %v, want %v", st.Mode().Perm(), tc.perm)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("%d files in the directory, want only the written one (no temporary left)", len(entries))
			}
		})
	}
}

func TestWriteToMissingDirectoryFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nowhere", "list.txt")
	if err := Write(path, []byte("a"), 0o644); err == nil {
		t.Fatal("wrote into a directory that does not exist")
	}
}
