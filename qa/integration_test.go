package qa

import (
	"context"
	"math"
	"slices"
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
	ans := answers(map[string]string{"b2": "no"})
	at := 7.5
	ans[4].AtSec, ans[4].Comment = &at, "no survey offered"
	ev, err := desk.Submit(ctx, "qa1", EvaluationInput{CallID: "call-ch-1", RecordingID: rec.RecordingID, Agent: "ag7", Scorecard: "t", Answers: ans, Comment: "good call"})
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
	var sections, items, comments []string
	var atSec []float64
	var comment string
	if err := conn.QueryRow(ctx, "SELECT score, sections.section, answers.item, answers.comment, answers.at_sec, comment FROM qa_evaluations WHERE evaluation_id = ?", ev.ID).
		Scan(&score, &sections, &items, &comments, &atSec, &comment); err != nil {
		t.Fatal(err)
	}
	if score != 67.67 || len(sections) != 3 || len(items) != 8 || items[4] != "b2" || atSec[4] != 7.5 || atSec[0] != -1 || comments[4] != "no survey offered" || comment != "good call" {
		t.Errorf("evaluation row: %v %v %v %v %v %q", score, sections, items, atSec, comments, comment)
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

// The sampler's candidates come from ClickHouse with every field the targeted rules need.
func TestLoadCandidatesFromClickHouse(t *testing.T) {
	ctx := context.Background()
	week := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC) // a Monday
	ptr := func(t time.Time) *time.Time { return &t }
	call := func(id, agent string, at time.Time, rec string, transferred bool, talk float64) events.Event {
		return events.New(events.CallRecord{
			CallID: id, Direction: events.Inbound, Line: events.LineInquiry, Queue: "inquiry", Phone: "+8613800000000", Agent: agent,
			ArrivedAt: at, QueuedAt: ptr(at.Add(10 * time.Second)), AnsweredAt: ptr(at.Add(30 * time.Second)), EndedAt: at.Add(30*time.Second + time.Duration(talk)*time.Second),
			TalkSec: talk, ACWSec: 20, Outcome: events.OutcomeAnswered, Transferred: transferred, RecordingID: rec,
		}, at, "routing/test", "GD")
	}
	d := func(h int) time.Time { return week.Add(time.Duration(h) * time.Hour) }
	csat := func(v int) *int { return &v }
	evs := []events.Event{
		call("old-first", "ag-old", week.Add(-100*24*time.Hour), "r0", false, 100),
		call("c1", "ag-old", d(10), "r1", false, 200),
		call("c2", "ag-old", d(11), "r2", true, 300),
		call("c3", "ag-new", d(12), "r3", false, 400),
		call("c4-unrecorded", "ag-new", d(13), "", false, 100),
		call("c5-next-week", "ag-new", d(24*8), "r5", false, 100),
		events.New(events.RecordingAnalysis{RecordingID: "r1", CallID: "c1", DurationSec: 200, LongestSilenceSec: 31, OvertalkRatio: 0.12, AgentLevelDBFS: -20, CustomerLevelDBFS: -22}, d(12), "qa/test", "GD"),
		events.New(events.SurveyResponse{ResponseID: "s1", Survey: "post-call", Kind: "post_call", Channel: "sms", Customer: "cu1", CallID: "c2", CSAT: csat(4)}, d(13), "dialer/test", "GD"),
		events.New(events.SurveyResponse{ResponseID: "s2", Survey: "post-call", Kind: "post_call", Channel: "ivr", Customer: "cu1", CallID: "c2", CSAT: csat(2)}, d(13), "dialer/test", "GD"),
		events.New(events.Complaint{ComplaintID: "k1", Stage: "registered", Customer: "cu2", Category: "service_attitude", Line: events.LineInquiry, Department: "service", Channel: "phone", CallID: "c3", RegisteredAt: d(14), DueAt: d(14 + 24*9)}, d(14), "routing/test", "GD"),
	}
	addr, db := ingesttest.Ingest(t, evs)
	conn, err := chdb.Open(ctx, chdb.Options{Addr: addr, Database: db})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	got, err := LoadCandidates(ctx, conn, week, week.Add(7*24*time.Hour), 30)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("candidates %+v, want c1, c2, c3 (recorded, answered, this week)", got)
	}
	c1, c2, c3 := got[0], got[1], got[2]
	if c1.CallID != "c1" || c1.LongestSilenceSec != 31 || c1.OvertalkRatio != 0.12 || c1.NewAgent || c1.HandleSec != 220 || c1.RecordingID != "r1" {
		t.Errorf("c1 %+v", c1)
	}
	if c2.CSAT != 2 || !c2.Transferred || c2.Complaint {
		t.Errorf("c2 %+v (lowest CSAT 2, transferred)", c2)
	}
	if !c3.Complaint || !c3.NewAgent || c3.AnsweredAt.IsZero() {
		t.Errorf("c3 %+v (complaint, new agent)", c3)
	}

	// The service samples last week's calls once, when the new week has begun.
	cfg := DefaultConfig(t.TempDir())
	cfg.Evaluators = []string{"qa1", "qa2"}
	clk := clock.NewSim(week.Add(7*24*time.Hour + time.Hour))
	svc, err := NewService(cfg, &collect{}, clk, "GD", nil)
	if err != nil {
		t.Fatal(err)
	}
	svc.UseClickHouse(conn)
	svc.sampleLastWeek(ctx)
	svc.sampleLastWeek(ctx)
	q1, q2 := svc.Sampler.Queue("qa1"), svc.Sampler.Queue("qa2")
	if len(q1)+len(q2) != 3 || svc.plannedWeek != "2026-W19" {
		t.Errorf("queues %v %v after sampling %s", q1, q2, svc.plannedWeek)
	}

	// Evaluations and candidates are checked against call_records: an unrecorded call is known
	// with its agent, a made-up one is not.
	h, err := svc.API.Calls.Handlers(ctx, []string{"c4-unrecorded", "c2", "made-up"})
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || !slices.Equal(h["c4-unrecorded"], []string{"ag-new"}) || !slices.Equal(h["c2"], []string{"ag-old"}) {
		t.Errorf("handlers %v, want c4-unrecorded by ag-new and c2 by ag-old only", h)
	}
}
