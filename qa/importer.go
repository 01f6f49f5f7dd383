package qa

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// ManifestColumns are the columns of an import manifest (CSV with this header; file and call_id
// required). file is relative to the manifest's directory; recorded_at is RFC 3339.
var ManifestColumns = []string{"file", "call_id", "agent_id", "campaign_type", "recorded_at"}

// ManifestEntry is one recording to import.
type ManifestEntry struct {
	Line int // 1-based line in the manifest, for error messages
	File string
	RecordingMeta
}

// ImportFailure is a manifest line that could not be imported, and why.
type ImportFailure struct {
	Line int
	File string
	Err  error
}

func (f ImportFailure) Error() string {
	return fmt.Sprintf("manifest line %d (%s): %v", f.Line, f.File, f.Err)
}

// ImportReport says what an import did.
type ImportReport struct {
	Stored []events.RecordingStored
	Failed []ImportFailure
}

// ReadManifest parses a manifest. File paths are made absolute against dir.
func ReadManifest(r io.Reader, dir string) ([]ManifestEntry, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	cr.Comment = '#'
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading manifest header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.TrimSpace(h)
		if !slices.Contains(ManifestColumns, h) {
			return nil, fmt.Errorf("manifest header: unknown column %q (columns: %s)", h, strings.Join(ManifestColumns, ","))
		}
		col[h] = i
	}
	for _, req := range []string{"file", "call_id"} {
		if _, ok := col[req]; !ok {
			return nil, fmt.Errorf("manifest header: column %q is required", req)
		}
	}
	var out []ManifestEntry
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("reading manifest: %w", err)
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		e := ManifestEntry{Line: line, File: get("file")}
		e.CallID, e.Agent, e.CampaignType = get("call_id"), get("agent_id"), get("campaign_type")
		switch {
		case e.File == "":
			return nil, fmt.Errorf("manifest line %d: file is empty", line)
		case e.CallID == "":
			return nil, fmt.Errorf("manifest line %d: call_id is empty", line)
		case e.CampaignType != "" && !slices.Contains(events.CampaignTypes, e.CampaignType):
			return nil, fmt.Errorf("manifest line %d: campaign_type %q is not one of %s", line, e.CampaignType, strings.Join(events.CampaignTypes, ", "))
		}
		if s := get("recorded_at"); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return nil, fmt.Errorf("manifest line %d: recorded_at %q is not RFC 3339 (2026-03-01T09:30:00Z)", line, s)
			}
			e.RecordedAt = t
		}
		if !filepath.IsAbs(e.File) {
			e.File = filepath.Join(dir, e.File)
		}
		out = append(out, e)
	}
}

// Import stores every manifest entry it can and reports the others with the reason; one bad
// file never stops the rest. With dryRun, files are only checked.
func Import(ctx context.Context, st *Store, entries []ManifestEntry, dryRun bool) ImportReport {
	var rep ImportReport
	for _, e := range entries {
		if ctx.Err() != nil {
			rep.Failed = append(rep.Failed, ImportFailure{e.Line, e.File, ctx.Err()})
			continue
		}
		rec, err := importOne(ctx, st, e, dryRun)
		if err != nil {
			rep.Failed = append(rep.Failed, ImportFailure{e.Line, e.File, err})
			continue
		}
		rep.Stored = append(rep.Stored, rec)
	}
	return rep
}

func importOne(ctx context.Context, st *Store, e ManifestEntry, dryRun bool) (events.RecordingStored, error) {
	f, err := os.Open(e.File)
	if err != nil {
		return events.RecordingStored{}, err
	}
	defer f.Close()
	if dryRun {
		pr, err := NewPCMReader(f)
		if err != nil {
			return events.RecordingStored{}, err
		}
		return events.RecordingStored{CallID: e.CallID, DurationSec: pr.Seconds(), Channels: pr.Channels, SampleRate: pr.SampleRate}, nil
	}
	return st.Put(ctx, f, e.RecordingMeta)
}
