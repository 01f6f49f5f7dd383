package qa

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// A simulated call's recording matches its call record: talk and hold time as recorded, and
// the analysis measures them back.
func TestRecordingForSimulatedCall(t *testing.T) {
	sink := &collect{}
	st, err := OpenStore(t.TempDir(), sink, WithClock(clock.NewSim(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))), WithAutoAnalysis(DefaultAnalyzerConfig()))
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range []events.CallRecord{
		{CallID: "sim-1", Agent: "ag1", TalkSec: 184.2, HoldSec: 45, HoldCount: 2},
		{CallID: "sim-2", Agent: "ag2", TalkSec: 62.5},
		{CallID: "sim-3", Agent: "ag2", TalkSec: 400, HoldSec: 30, HoldCount: 1},
	} {
		tl := TimelineForCall(rec, int64(i))
		tot := tl.Totals()
		if math.Abs((tot.Duration-tot.Hold).Seconds()-rec.TalkSec) > 0.001 || math.Abs(tot.Hold.Seconds()-rec.HoldSec) > 0.001 || tot.HoldSegments != rec.HoldCount {
			t.Errorf("%s: timeline talk %s hold %s in %d, record %v/%v/%d", rec.CallID, tot.Duration-tot.Hold, tot.Hold, tot.HoldSegments, rec.TalkSec, rec.HoldSec, rec.HoldCount)
		}
		stored, err := st.PutSynthesized(context.Background(), tl, 8000, int64(i), RecordingMeta{CallID: rec.CallID, Agent: rec.Agent})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(stored.DurationSec-rec.TalkSec-rec.HoldSec) > 0.01 {
			t.Errorf("%s: recording %v s, call %v s", rec.CallID, stored.DurationSec, rec.TalkSec+rec.HoldSec)
		}
	}
	for _, e := range sink.ofType(events.TypeRecordingAnalysis) {
		a := e.Payload.(events.RecordingAnalysis)
		var rec events.CallRecord
		switch a.CallID {
		case "sim-1":
			rec = events.CallRecord{TalkSec: 184.2, HoldSec: 45, HoldCount: 2}
		case "sim-2":
			rec = events.CallRecord{TalkSec: 62.5}
		case "sim-3":
			rec = events.CallRecord{TalkSec: 400, HoldSec: 30, HoldCount: 1}
		}
		// Hold: measured within a frame per edge; talk (one side or both) + silence = talk_sec.
		if math.Abs(a.HoldSec-rec.HoldSec) > 0.1 || a.HoldSegments != rec.HoldCount {
			t.Errorf("%s: hold measured %v s in %d, record %v s in %d", a.CallID, a.HoldSec, a.HoldSegments, rec.HoldSec, rec.HoldCount)
		}
		if got := a.AgentTalkSec + a.CustomerTalkSec - a.OvertalkSec + a.SilenceSec; math.Abs(got-rec.TalkSec) > 0.1 {
			t.Errorf("%s: talk+silence measured %v s, record talk %v s", a.CallID, got, rec.TalkSec)
		}
	}
}
