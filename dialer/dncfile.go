package dialer

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/atomicfile"
)

// DNCFile is a do-not-call file as DNCList.Load reads it (`hotline run` reads
// <data-dir>/dnc/company.txt at start, an admin's list): the API rewrites it without the
// numbers it removes, so the file does not list them again at the next start. Numbers the API
// lists are saved in the state file, not here.
type DNCFile struct {
	path string
	cc   string // country code the file's local numbers are normalised with
	mu   sync.Mutex
}

// NewDNCFile returns the file at path; it need not exist yet.
func NewDNCFile(path, cc string) *DNCFile { return &DNCFile{path: path, cc: cc} }

// Remove rewrites the file without the lines listing phone (however they spell it), atomically
// (a crash leaves the old file or the new, never half of one); comments and other lines are
// kept as they are. It reports whether a line was removed.
func (f *DNCFile) Remove(phone string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	old, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading do-not-call file: %w", err)
	}
	var out bytes.Buffer
	removed := false
	for _, line := range strings.SplitAfter(string(old), "\n") {
		if raw, _, entry := dncLine(line); entry && events.NormalizePhone(raw, f.cc) == phone {
			removed = true
			continue
		}
		out.WriteString(line)
	}
	if !removed {
		return false, nil
	}
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(f.path); err == nil {
		mode = st.Mode().Perm()
	}
	if err := atomicfile.Write(f.path, out.Bytes(), mode); err != nil {
		return false, fmt.Errorf("rewriting do-not-call file: %w", err)
	}
	return true, nil
}
