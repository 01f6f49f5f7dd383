package qa

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
)

// TimelineForCall lays out the audio of an answered call from its record: talk_sec of
// conversation (hold excluded) and hold_sec split over hold_count holds. The same record and
// seed give the same timeline.
func TimelineForCall(rec events.CallRecord, seed int64) Timeline {
	talk := time.Duration(rec.TalkSec * float64(time.Second))
	hold := time.Duration(rec.HoldSec * float64(time.Second))
	if talk <= 0 {
		talk = time.Second // an answered call has at least a greeting
	}
	return PlanTimeline(talk, hold, rec.HoldCount, newRand(seed))
}

// PutSynthesized synthesizes a recording of the timeline and stores it (emitting
// recording.stored and, if enabled, recording.analysis). The simulator calls it for each
// answered call before publishing the call record, whose recording_id is the returned id.
func (s *Store) PutSynthesized(ctx context.Context, tl Timeline, sampleRate int, seed int64, meta RecordingMeta) (events.RecordingStored, error) {
	f, err := os.CreateTemp(filepath.Join(s.root, "tmp"), "synth-*.wav")
	if err != nil {
		return events.RecordingStored{}, fmt.Errorf("synthesizing recording: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := SynthesizeRecording(f, tl, sampleRate, seed); err != nil {
		return events.RecordingStored{}, err
	}
	if _, err := f.Seek(0, 0); err != nil {
		return events.RecordingStored{}, fmt.Errorf("synthesizing recording: %w", err)
	}
	return s.Put(ctx, f, meta)
}
