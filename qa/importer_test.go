package qa

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	tl := Timeline{{SegAgent, 2 * time.Second}, {SegCustomer, time.Second}}
	good := synthFile(t, tl, 16000, 3)
	good.Seek(0, 0)
	b, _ := os.ReadFile(good.Name())
	files := map[string][]byte{
		"good.wav":     b,
		"mono.wav":     rawWAV(1, 1, 8000, 16, 1600, make([]byte, 1600)),
		"notes.txt":    []byte("call notes, not audio"),
		"ulaw.wav":     rawWAV(7, 1, 8000, 8, 800, make([]byte, 800)), // G.711 as PBXs write it: stored
		"cut.wav":      b[:len(b)/2],
		"surround.wav": rawWAV(1, 6, 8000, 16, 1200, make([]byte, 1200)),
		"manifest.csv": nil,
	}
	manifest := "file,call_id,agent_id,campaign_type,recorded_at\n" +
		"good.wav,c1,a1,telemarketing,2026-02-01T10:00:00Z\n" +
		"mono.wav,c2,a2,,\n" +
		"notes.txt,c3,a1,,\n" +
		"ulaw.wav,c4,a1,,\n" +
		"cut.wav,c5,a1,,\n" +
		"surround.wav,c6,a1,,\n" +
		"missing.wav,c7,a1,,\n"
	files["manifest.csv"] = []byte(manifest)
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	evFile := filepath.Join(dir, "events.jsonl")
	err := ImportCommand(context.Background(), []string{"--manifest", filepath.Join(dir, "manifest.csv"), "--root", filepath.Join(dir, "store"), "--events-out", evFile}, &out)
	if err == nil {
		t.Fatal("import with bad files succeeded")
	}
	text := out.String()
	for _, want := range []string{
		"line 4 (" + filepath.Join(dir, "notes.txt") + "): storing recording of call c3: not a WAV file",
		"cut.wav): storing recording of call c5: truncated WAV file: data chunk declares",
		"surround.wav): storing recording of call c6: unsupported channel layout: 6 channels",
		"missing.wav): open",
		"3 stored, 4 failed",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	evs, _ := os.ReadFile(evFile)
	var stored, analyses int
	for _, line := range bytes.Split(bytes.TrimSpace(evs), []byte("\n")) {
		e, err := events.Decode(line, time.Now())
		if err != nil {
			t.Fatalf("event %s: %v", line, err)
		}
		switch p := e.Payload.(type) {
		case events.RecordingStored:
			stored++
			if p.CallID == "c1" && (p.SampleRate != 16000 || p.CampaignType != "telemarketing" || p.RetainUntil.Year() != 2031) {
				t.Errorf("c1 stored as %+v", p)
			}
			if p.CallID == "c4" && (p.SampleRate != 8000 || p.Channels != 1 || p.DurationSec != 0.1) {
				t.Errorf("c4 (mu-law) stored as %+v", p)
			}
		case events.RecordingAnalysis:
			analyses++
		}
	}
	if stored != 3 || analyses != 3 {
		t.Errorf("%d stored and %d analysis events, want 3 and 3", stored, analyses)
	}
}

func TestReadManifestErrors(t *testing.T) {
	for _, c := range []struct{ manifest, want string }{
		{"file,call\n", `unknown column "call"`},
		{"file,agent_id\n", `column "call_id" is required`},
		{"file,call_id\n,c1\n", "line 2: file is empty"},
		{"file,call_id,campaign_type\na.wav,c1,cold_calls\n", `campaign_type "cold_calls"`},
		{"file,call_id,recorded_at\na.wav,c1,yesterday\n", "not RFC 3339"},
	} {
		_, err := ReadManifest(strings.NewReader(c.manifest), "/x")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: got %v, want %q", c.manifest, err, c.want)
		}
	}
}

func TestAnalyzeAndSynthCommands(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "call.wav")
	var out bytes.Buffer
	if err := SynthCommand(context.Background(), []string{"--out", p, "--talk", "60s", "--hold", "10s"}, &out); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := AnalyzeCommand(context.Background(), []string{"--json", p}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"duration_sec":70`) || !strings.Contains(out.String(), `"hold_segments":1`) {
		t.Errorf("analysis JSON: %s", out.String())
	}
	out.Reset()
	evs := filepath.Join(dir, "analysis.jsonl")
	if err := AnalyzeCommand(context.Background(), []string{"--publish", "--events-out", evs, p}, &out); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(evs)
	if e, err := events.Decode(bytes.TrimSpace(b), time.Now()); err != nil || e.Payload.(events.RecordingAnalysis).CallID != "call" {
		t.Errorf("published analysis %s: %v", b, err)
	}
	if !strings.Contains(out.String(), "call.wav") {
		t.Errorf("analysis table: %s", out.String())
	}
	out.Reset()
	if err := Command(context.Background(), []string{"analyze", "--help"}, &out); err != nil || !strings.Contains(out.String(), "usage: hotline qa analyze") {
		t.Errorf("help: %v %s", err, out.String())
	}
}
