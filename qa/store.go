package qa

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/atomicfile"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// ErrNotFound is returned for an id (recording, scorecard, evaluation) nobody holds.
var ErrNotFound = errors.New("not found")

// RecordingMeta is what the recorder knows about a call when it hands over the audio.
type RecordingMeta struct {
	CallID       string
	Agent        string
	CampaignType string    // empty for inbound calls
	RecordedAt   time.Time // when the call was answered; zero means now
}

// Store keeps recordings on disk under a root directory, named by the SHA-256 of their bytes
// (aa/bb/<sha256>.wav), each with a JSON sidecar holding its recordings event so the index can
// be rebuilt from the disk alone. It emits recording.stored / recording.deleted events and, when
// Analyze is on, recording.analysis for each new recording.
type Store struct {
	root     string
	keep     Retention
	sink     events.Sink
	clk      clock.Clock
	source   string
	tenant   string
	analyzer *AnalyzerConfig
	log      *slog.Logger

	putMu sync.Mutex // serialises the end of Put
	mu    sync.RWMutex
	index map[string]events.RecordingStored // by recording id
}

// StoreOption configures a Store.
type StoreOption func(*Store)

// WithClock sets the clock stamping events and deciding retention (default: wall clock).
func WithClock(c clock.Clock) StoreOption { return func(s *Store) { s.clk = c } }

// WithRetention sets the retention policy (default DefaultRetention).
func WithRetention(r Retention) StoreOption { return func(s *Store) { s.keep = r } }

// WithAutoAnalysis analyses every new recording and emits the result.
func WithAutoAnalysis(cfg AnalyzerConfig) StoreOption {
	return func(s *Store) { s.analyzer = &cfg }
}

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) StoreOption { return func(s *Store) { s.log = l } }

// WithSource sets the event source and tenant (default "qa/store", "HQ").
func WithSource(source, tenant string) StoreOption {
	return func(s *Store) { s.source, s.tenant = source, tenant }
}

// OpenStore opens (creating if needed) the store at root and loads its index from the sidecars.
func OpenStore(root string, sink events.Sink, opts ...StoreOption) (*Store, error) {
	s := &Store{root: root, keep: DefaultRetention(), sink: sink, clk: clock.Real{}, source: "qa/store", tenant: "HQ", log: slog.Default(), index: map[string]events.RecordingStored{}}
	for _, o := range opts {
		o(s)
	}
	if err := s.keep.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o755); err != nil {
		return nil, fmt.Errorf("creating recording store: %w", err)
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var r events.RecordingStored
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		s.index[r.RecordingID] = r
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading recording index: %w", err)
	}
	return s, nil
}

// Root is the directory the store lives in.
func (s *Store) Root() string { return s.root }

// Put validates and stores a WAV recording and emits its recording.stored event (and the
// analysis, if enabled). Storing the same bytes twice returns the existing recording.
func (s *Store) Put(ctx context.Context, src io.Reader, meta RecordingMeta) (events.RecordingStored, error) {
	if meta.CallID == "" {
		return events.RecordingStored{}, errors.New("storing recording: call id missing")
	}
	tmp, err := os.CreateTemp(filepath.Join(s.root, "tmp"), "put-*.wav")
	if err != nil {
		return events.RecordingStored{}, fmt.Errorf("storing recording: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed into place
	defer tmp.Close()
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h), src)
	if err != nil {
		return events.RecordingStored{}, fmt.Errorf("storing recording: copying audio: %w", err)
	}
	pr, err := NewPCMReader(tmp)
	if err != nil {
		return events.RecordingStored{}, fmt.Errorf("storing recording of call %s: %w", meta.CallID, err)
	}
	if err := tmp.Sync(); err != nil {
		return events.RecordingStored{}, fmt.Errorf("storing recording: %w", err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	// One Put at a time from here to the index: two copies of the same bytes must not both
	// land and both be announced.
	s.putMu.Lock()
	defer s.putMu.Unlock()
	if r, ok := s.Get(sum); ok {
		return r, nil
	}
	rel := filepath.Join(sum[0:2], sum[2:4], sum+".wav")
	at := meta.RecordedAt
	if at.IsZero() {
		at = s.clk.Now()
	}
	rec := events.RecordingStored{
		RecordingID: sum, CallID: meta.CallID, Agent: meta.Agent, CampaignType: meta.CampaignType,
		DurationSec: pr.Seconds(), Channels: pr.Channels, SampleRate: pr.SampleRate,
		Checksum: "sha256:" + sum, Path: filepath.ToSlash(rel), SizeBytes: size,
		RetainUntil: at.Add(s.keep.For(meta.CampaignType)).UTC().Truncate(time.Second),
	}
	if err := rec.Validate(); err != nil {
		return events.RecordingStored{}, fmt.Errorf("storing recording of call %s: %w", meta.CallID, err)
	}
	dst := filepath.Join(s.root, rel)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return events.RecordingStored{}, fmt.Errorf("storing recording: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return events.RecordingStored{}, fmt.Errorf("storing recording: %w", err)
	}
	side, _ := json.Marshal(rec)
	// Whole or absent: a sidecar cut short by a crash would stop the next start (OpenStore).
	if err := atomicfile.Write(strings.TrimSuffix(dst, ".wav")+".json", side, 0o644); err != nil {
		return events.RecordingStored{}, fmt.Errorf("storing recording metadata: %w", err)
	}
	if err := s.sink.Publish(ctx, events.New(rec, at, s.source, s.tenant)); err != nil {
		// Unannounced, the file must not stay: a retry would find it and announce nothing.
		_ = os.Remove(dst)
		_ = os.Remove(strings.TrimSuffix(dst, ".wav") + ".json")
		return events.RecordingStored{}, fmt.Errorf("publishing recording.stored for call %s: %w", meta.CallID, err)
	}
	s.mu.Lock()
	s.index[sum] = rec
	s.mu.Unlock()
	if s.analyzer != nil {
		if _, err := s.AnalyzeAndPublish(ctx, sum, *s.analyzer); err != nil {
			return rec, err
		}
	}
	return rec, nil
}

// AnalyzeAndPublish analyses a stored recording and emits its recording.analysis event.
func (s *Store) AnalyzeAndPublish(ctx context.Context, id string, cfg AnalyzerConfig) (Analysis, error) {
	rec, ok := s.Get(id)
	if !ok {
		return Analysis{}, fmt.Errorf("analyzing recording %s: %w", id, ErrNotFound)
	}
	f, err := s.Open(id)
	if err != nil {
		return Analysis{}, err
	}
	defer f.Close()
	a, err := Analyze(ctx, f, cfg)
	if err != nil {
		return Analysis{}, fmt.Errorf("analyzing recording %s: %w", id, err)
	}
	ev := a.Event(rec.RecordingID, rec.CallID, rec.Agent)
	if err := s.sink.Publish(ctx, events.New(ev, s.clk.Now(), s.source, s.tenant)); err != nil {
		return a, fmt.Errorf("publishing recording.analysis for %s: %w", id, err)
	}
	return a, nil
}

// Get returns a recording's metadata.
func (s *Store) Get(id string) (events.RecordingStored, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.index[id]
	return r, ok
}

// List returns every recording, oldest retention deadline first.
func (s *Store) List() []events.RecordingStored {
	s.mu.RLock()
	out := make([]events.RecordingStored, 0, len(s.index))
	for _, r := range s.index {
		out = append(out, r)
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if !out[i].RetainUntil.Equal(out[j].RetainUntil) {
			return out[i].RetainUntil.Before(out[j].RetainUntil)
		}
		return out[i].RecordingID < out[j].RecordingID
	})
	return out
}

// ByCall returns the recordings of a call.
func (s *Store) ByCall(callID string) []events.RecordingStored {
	return slices.DeleteFunc(s.List(), func(r events.RecordingStored) bool { return r.CallID != callID })
}

// Open returns the recording's file for reading.
func (s *Store) Open(id string) (*os.File, error) {
	rec, ok := s.Get(id)
	if !ok {
		return nil, fmt.Errorf("opening recording %s: %w", id, ErrNotFound)
	}
	f, err := os.Open(filepath.Join(s.root, filepath.FromSlash(rec.Path)))
	if err != nil {
		return nil, fmt.Errorf("opening recording %s: %w", id, err)
	}
	return f, nil
}

// Verify re-reads a recording and checks its bytes still hash to its checksum.
func (s *Store) Verify(id string) error {
	rec, _ := s.Get(id)
	f, err := s.Open(id)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("verifying recording %s: %w", id, err)
	}
	if got := "sha256:" + hex.EncodeToString(h.Sum(nil)); got != rec.Checksum {
		return fmt.Errorf("verifying recording %s: checksum %s, stored %s", id, got, rec.Checksum)
	}
	return nil
}

// Delete removes a recording and emits recording.deleted. reason is retention, request or replaced.
func (s *Store) Delete(ctx context.Context, id, reason, by string) error {
	rec, ok := s.Get(id)
	if !ok {
		return fmt.Errorf("deleting recording %s: %w", id, ErrNotFound)
	}
	ev := events.RecordingDeleted{RecordingID: id, CallID: rec.CallID, Reason: reason, By: by}
	if err := ev.Validate(); err != nil {
		return fmt.Errorf("deleting recording %s: %w", id, err)
	}
	if reason == "request" && slices.Contains(SalesCampaignTypes, rec.CampaignType) && s.clk.Now().Before(rec.RetainUntil) {
		return fmt.Errorf("deleting recording %s: a %s (sales) recording must be kept until %s", id, rec.CampaignType, rec.RetainUntil.Format(time.DateOnly))
	}
	// Announce first: a deletion that fails after it is retried (and announced again), while a
	// file removed without its event would vanish from the audit trail.
	if err := s.sink.Publish(ctx, events.New(ev, s.clk.Now(), s.source, s.tenant)); err != nil {
		return fmt.Errorf("publishing recording.deleted for %s: %w", id, err)
	}
	p := filepath.Join(s.root, filepath.FromSlash(rec.Path))
	for _, f := range []string{p, strings.TrimSuffix(p, ".wav") + ".json"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("deleting recording %s: %w", id, err)
		}
	}
	s.mu.Lock()
	delete(s.index, id)
	s.mu.Unlock()
	return nil
}

// Due lists the recordings whose retention has ended by now. Each keeps the deadline stamped
// when it was stored (retain_until), so a changed policy applies to recordings made after it.
func (s *Store) Due(now time.Time) []events.RecordingStored {
	var out []events.RecordingStored
	for _, r := range s.List() {
		if r.RetainUntil.After(now) {
			break // List is ordered by deadline
		}
		out = append(out, r)
	}
	return out
}

// Expire deletes every recording whose retention has ended and returns how many it removed.
func (s *Store) Expire(ctx context.Context) (int, error) {
	n := 0
	for _, r := range s.Due(s.clk.Now()) {
		if err := s.Delete(ctx, r.RecordingID, "retention", "qa/retention"); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Event turns an analysis into the recording.analysis payload.
func (a Analysis) Event(recordingID, callID, agent string) events.RecordingAnalysis {
	return events.RecordingAnalysis{
		RecordingID: recordingID, CallID: callID, Agent: agent,
		DurationSec: a.DurationSec, AgentTalkSec: a.AgentTalkSec, CustomerTalkSec: a.CustomerTalkSec,
		SilenceSec: a.SilenceSec, SilenceRatio: a.SilenceRatio, LongestSilenceSec: a.LongestSilenceSec,
		SilencesOver4s: a.SilencesOverLong, OvertalkSec: a.OvertalkSec, OvertalkRatio: a.OvertalkRatio,
		OvertalkCount: a.OvertalkCount, AgentTalkShare: a.AgentTalkShare, HoldSec: a.HoldSec,
		HoldSegments: a.HoldSegments, AgentLevelDBFS: a.AgentLevelDBFS, CustomerLevelDBFS: a.CustomerLevelDBFS,
		ClippingRatio: a.ClippingRatio, Channels: a.Channels,
	}
}
