package dialer

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/atomicfile"
)

// DNCFile is a do-not-call file as DNCList.Load reads it (`hotline run` reads
// <data-dir>/dnc/company.txt at start): the API appends the numbers it lists and rewrites the
// file without those it removes, so they survive a restart with no change to start-up.
type DNCFile struct {
	path string
	cc   string // country code the file's local numbers are normalised with
	mu   sync.Mutex
}

// NewDNCFile returns the file at path; it need not exist yet.
func NewDNCFile(path, cc string) *DNCFile { return &DNCFile{path: path, cc: cc} }

// Append adds a line for phone, with the day it lapses unless until is zero. A later line for
// the same number wins when the file is read, as a later Add does.
func (f *DNCFile) Append(phone string, until time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(f.path), 0o755); err != nil {
		return fmt.Errorf("creating the do-not-call directory: %w", err)
	}
	file, err := os.OpenFile(f.path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("opening do-not-call file: %w", err)
	}
	line := phone
	if !until.IsZero() {
		line += "," + until.Format(time.DateOnly)
	}
	line += "\n"
	// A file edited by hand may lack its last newline: do not glue the new number to its last line.
	if st, err := file.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := file.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			line = "\n" + line
		}
	}
	if _, err := file.WriteString(line); err != nil {
		file.Close()
		return fmt.Errorf("appending to do-not-call file: %w", err)
	}
	if err := file.Sync(); err != nil {
		file.Close()
		return fmt.Errorf("syncing do-not-call file: %w", err)
	}
	if err := file.Close(); err != nil {
		return fmt.Errorf("closing do-not-call file: %w", err)
	}
	return nil
}

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
