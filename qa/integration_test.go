package qa

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/ingest/ingesttest"
	"github.com/seed-1c4692e8/hotline/internal/chdb"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// QA events go through the real Kafka and ingest into ClickHouse, and come back as written:
// the recording, its automatic analysis, an evaluation with its sections, an access audit and
// a deletion.
func TestQAEventsReachClickHouse(t *testing.T) {
	ctx := context.Background()
	sink := &collect{}
	// Six years back, so that the retention run six years later is not in the future.
	clk := clock.NewSim(time.Date(2020, 5, 4, 9, 0, 0, 0, time.UTC))
	st, err := OpenStore(t.TempDir(), sink, WithClock(clk), WithAutoAnalysis(DefaultAnalyzerConfig()), WithSource("qa/test", "GD"))
	if err != nil {
		t.Fatal(err)
	}
	tl := Timeline{{SegAgent, 4 * time.Second}, {SegSilence, 5 * time.Second}, {SegCustomer, 3 * time.Second}, {SegBoth, time.Second}}
	f := synthFile(t, tl, 8000, 11)
	f.Seek(0, 0)
	rec, err := st.Put(ctx, f, RecordingMeta{CallID: "call-ch-1", Agent: "ag7", CampaignType: events.CampaignTelemarketing})
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := NewScorecards("")
	if err := reg.Add(loadTestCard(t)); err != nil {
		t.Fatal(err)
	}
	desk := NewEvaluations(reg, sink, clk, 0, "GD")
	ev, err := desk.Submit(ctx, "qa1", EvaluationInput{CallID: "call-ch-1", RecordingID: rec.RecordingID, Agent: "ag7", Scorecard: "t", Answers: answers(map[string]string{"b2": "no"})})
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Publish(ctx, events.New(events.RecordingAccessed{RecordingID: rec.RecordingID, CallID: "call-ch-1", User: "qa1", Role: "qa", Action: "play"}, clk.Now(), "qa/api", "GD")); err != nil {
		t.Fatal(err)
	}
	clk.Advance(6 * Year)
	if n, err := st.Expire(ctx); err != nil || n != 1 {
		t.Fatalf("expire: %d %v", n, err)
	}

	addr, db := ingesttest.Ingest(t, sink.evs)
	conn, err := chdb.Open(ctx, chdb.Options{Addr: addr, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()

	var (
		talk, silence, over float64
		channels            uint8
		overCount           uint32
	)
	if err := conn.QueryRow(ctx, "SELECT agent_talk_sec, silence_sec, overtalk_sec, overtalk_count, channels FROM recording_analyses WHERE recording_id = ?", rec.RecordingID).
		Scan(&talk, &silence, &over, &overCount, &channels); err != nil {
		t.Fatal(err)
	}
	want := tl.Totals()
	if math.Abs(talk-want.AgentTalk.Seconds()) > 0.1 || math.Abs(silence-want.Silence.Seconds()) > 0.1 || math.Abs(over-1) > 0.1 || overCount != 1 || channels != 2 {
		t.Errorf("analysis row: talk %v silence %v overtalk %v (%d) channels %d", talk, silence, over, overCount, channels)
	}
	var checksum, campaign string
	var retain time.Time
	if err := conn.QueryRow(ctx, "SELECT checksum, campaign_type, retain_until FROM recordings WHERE recording_id = ?", rec.RecordingID).Scan(&checksum, &campaign, &retain); err != nil {
		t.Fatal(err)
	}
	if checksum != rec.Checksum || campaign != "telemarketing" || retain.Year() != 2025 {
		t.Errorf("recording row: %s %s %s", checksum, campaign, retain)
	}
	var score float64
	var sections []string
	if err := conn.QueryRow(ctx, "SELECT score, sections.section FROM qa_evaluations WHERE evaluation_id = ?", ev.ID).Scan(&score, &sections); err != nil {
		t.Fatal(err)
	}
	if score != 67.67 || len(sections) != 3 {
		t.Errorf("evaluation row: %v %v", score, sections)
	}
	for table, wantN := range map[string]uint64{"recording_access": 1, "recording_deletions": 1} {
		var n uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM "+table+" WHERE recording_id = ?", rec.RecordingID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != wantN {
			t.Errorf("%s: %d rows, want %d", table, n, wantN)
		}
	}
}
