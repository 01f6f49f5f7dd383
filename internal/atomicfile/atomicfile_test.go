package atomicfile

import (
	"errors"
	"io/fs"
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

// WriteNew creates a file, and leaves an existing file or a link (even a dangling one) alone.
func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "new.yaml")
	if err := WriteNew(fresh, []byte("a\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(fresh); string(got) != "a\n" {
		t.Errorf("new file holds %q", got)
	}
	dangling := filepath.Join(dir, "dangling.yaml")
	if err := os.Symlink(filepath.Join(dir, "nowhere"), dangling); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fresh, dangling} {
		if err := WriteNew(path, []byte("b\n"), 0o640); !errors.Is(err, fs.ErrExist) {
			t.Errorf("WriteNew(%s) = %v, want fs.ErrExist", filepath.Base(path), err)
		}
	}
	if got, _ := os.ReadFile(fresh); string(got) != "a\n" {
		t.Errorf("existing file now holds %q", got)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("the dangling link was followed")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
