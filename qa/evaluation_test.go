package qa

import (
	"context"
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
)

func newDesk(t *testing.T) (*Evaluations, *collect, *clock.Sim) {
	t.Helper()
	reg, err := NewScorecards("")
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Add(loadTestCard(t)); err != nil {
		t.Fatal(err)
	}
	sink := &collect{}
	clk := clock.NewSim(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
	return NewEvaluations(reg, sink, clk, 0, "GD"), sink, clk
}

func submitT(t *testing.T, d *Evaluations, evaluator, call string, over map[string]string, calib string) Evaluation {
	t.Helper()
	ev, err := d.Submit(context.Background(), evaluator, EvaluationInput{CallID: call, Agent: "ag1", Scorecard: "t", Answers: answers(over), CalibrationID: calib})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestEvaluationLifecycle(t *testing.T) {
	ctx := context.Background()
	d, sink, clk := newDesk(t)
	ev := submitT(t, d, "qa1", "call-1", map[string]string{"b2": "no"}, "")
	if ev.Result.Score != 67.67 || ev.Version != 1 || ev.Status != "submitted" {
		t.Fatalf("submitted %+v", ev)
	}
	// One regular evaluation per call.
	if _, err := d.Submit(ctx, "qa2", EvaluationInput{CallID: "call-1", Agent: "ag1", Scorecard: "t", Answers: answers(nil)}); !errors.Is(err, ErrAlreadyEvaluated) {
		t.Errorf("second evaluation of a call: %v", err)
	}
	// A newer scorecard version does not change the pinned one.
	v2 := loadTestCard(t)
	v2.Version = 2
	v2.Sections[0].Weight, v2.Sections[1].Weight = 50, 30
	if err := d.cards.Add(v2); err != nil {
		t.Fatal(err)
	}
	// Only the evaluated agent may dispute, within the window, once.
	if _, err := d.Dispute(ctx, "ag2", ev.ID, "not mine"); !errors.Is(err, ErrNotFound) {
		t.Errorf("other agent disputes: %v", err)
	}
	clk.Advance(6 * 24 * time.Hour)
	disputed, err := d.Dispute(ctx, "ag1", ev.ID, "I did offer the survey")
	if err != nil || disputed.Status != "disputed" {
		t.Fatalf("dispute: %v %+v", err, disputed)
	}
	if _, err := d.Dispute(ctx, "ag1", ev.ID, "again"); !errors.Is(err, ErrConflict) {
		t.Errorf("second dispute: %v", err)
	}
	// The evaluator may not review their own evaluation; a reviewer amends.
	if _, err := d.Resolve(ctx, "qa1", ev.ID, true, nil, ""); !errors.Is(err, ErrForbidden) {
		t.Errorf("self review: %v", err)
	}
	amended, err := d.Resolve(ctx, "lead1", ev.ID, false, answers(nil), "b2 was met")
	if err != nil {
		t.Fatal(err)
	}
	if amended.Result.Score != 81 || amended.Amends != ev.ID || amended.Version != 1 || amended.Status != "amended" {
		t.Errorf("amendment %+v (want 81 on pinned v1, not v2's %v)", amended, (50*65+30*100+20*75)/100.0)
	}
	orig, _ := d.Get(ev.ID)
	if orig.SupersededBy != amended.ID || orig.Result.Score != 67.67 || orig.Dispute.Resolution != "amended" {
		t.Errorf("original not kept for audit: %+v", orig)
	}
	if got := d.List(Filter{Agent: "ag1"}); len(got) != 2 {
		t.Errorf("agent sees %d evaluations, want 2 (original and amendment)", len(got))
	}
	// A second evaluation is still refused: the amendment is the call's evaluation.
	if _, err := d.Submit(ctx, "qa3", EvaluationInput{CallID: "call-1", Agent: "ag1", Scorecard: "t", Answers: answers(nil)}); !errors.Is(err, ErrAlreadyEvaluated) {
		t.Errorf("evaluation after amendment: %v", err)
	}
	// Window: 7 days.
	late := submitT(t, d, "qa1", "call-2", nil, "")
	clk.Advance(7*24*time.Hour + time.Minute)
	if _, err := d.Dispute(ctx, "ag1", late.ID, "too late"); !errors.Is(err, ErrConflict) {
		t.Errorf("dispute after the window: %v", err)
	}
	// Upheld disputes keep the score.
	third := submitT(t, d, "qa1", "call-3", map[string]string{"b3": "no"}, "")
	d.Dispute(ctx, "ag1", third.ID, "I verified")
	up, err := d.Resolve(ctx, "lead1", third.ID, true, nil, "not verified at 00:41")
	if err != nil || up.Status != "upheld" || up.Result.Score != 0 || !up.Result.CriticalFail {
		t.Errorf("upheld: %v %+v", err, up)
	}
	// Every change is an event: submitted x3, disputed x2, amended, upheld.
	counts := map[string]int{}
	for _, e := range sink.ofType(events.TypeQAEvaluation) {
		counts[e.Payload.(events.QAEvaluation).Status]++
	}
	if counts["submitted"] != 3 || counts["disputed"] != 2 || counts["amended"] != 1 || counts["upheld"] != 1 {
		t.Errorf("event statuses %v", counts)
	}
}

// Three evaluators score one call of the test card. By hand (see scorecard_test.go for the
// card's arithmetic): qa1 baseline 81; qa2 b2 "no" 67.67; qa3 a2 "5" 87.
//
//	mean 235.67/3 = 78.56, spread 87-67.67 = 19.33, population std dev
//	  sqrt((2.443² + 10.887² + 8.443²)/3) = sqrt(195.78/3) = 8.08
//	deviation from the others' mean: qa1 |81-77.335| = 3.665; qa2 |67.67-84| = 16.33;
//	  qa3 |87-74.335| = 12.665 (compared within 0.005 of the rounding)
//	item agreement (8 items, pairs with each other evaluator): qa1 14/16 = 0.875, qa2 13/16, qa3 13/16
//	alpha (interval, 24 values): Do = (0.25/2 + 4/2)/24; value counts 1:15, 0.75:2, 0:4, 0.5:3 give
//	  Σ n_a n_b δ² over ordered pairs = 162, De = 162/(24·23); alpha = 1 - 1173/3888 = 0.6983
//	alpha without qa2 (only a2 differs between qa1 and qa3; 16 values):
//	  Do = (2·0.0625/1)/16 = 0.0078125; counts 1:11, 0.75:1, 0:2, 0.5:2 → Σ over ordered pairs =
//	  2(11·1·0.0625 + 11·2·1 + 11·2·0.25 + 1·2·0.5625 + 1·2·0.0625 + 2·2·0.25) = 2·30.4375 = 60.875;
//	  De = 60.875/240; alpha = 1 - 0.0078125·240/60.875 = 0.9692
func TestCalibrationStatistics(t *testing.T) {
	ctx := context.Background()
	d, _, _ := newDesk(t)
	s, err := d.CreateCalibration(ctx, "lead1", CalibrationSession{CallID: "call-9", Agent: "ag1", Scorecard: "t", Evaluators: []string{"qa1", "qa2", "qa3"}})
	if err != nil {
		t.Fatal(err)
	}
	// A regular evaluation of the same call does not block calibration, nor the other way.
	submitT(t, d, "qa4", "call-9", nil, "")
	submitT(t, d, "qa1", "call-9", nil, s.ID)
	if _, err := d.Submit(ctx, "qa1", EvaluationInput{CallID: "call-9", Agent: "ag1", Scorecard: "t", Answers: answers(nil), CalibrationID: s.ID}); !errors.Is(err, ErrConflict) {
		t.Errorf("scoring a calibration twice: %v", err)
	}
	if _, err := d.Submit(ctx, "qa9", EvaluationInput{CallID: "call-9", Agent: "ag1", Scorecard: "t", Answers: answers(nil), CalibrationID: s.ID}); !errors.Is(err, ErrForbidden) {
		t.Errorf("outsider in calibration: %v", err)
	}
	submitT(t, d, "qa2", "call-9", map[string]string{"b2": "no"}, s.ID)
	// Blind: qa3 has not scored, so sees neither the others' submissions nor this session's stats.
	if ss := d.Calibrations("qa3"); len(ss) != 1 || len(ss[0].Submitted) != 0 {
		t.Errorf("qa3 sees %+v before scoring", ss)
	}
	if rep, _ := d.CalibrationReport("qa3"); len(rep.Sessions) != 0 {
		t.Errorf("qa3 sees stats before scoring: %+v", rep)
	}
	submitT(t, d, "qa3", "call-9", map[string]string{"a2": "5"}, s.ID)

	rep, err := d.CalibrationReport("lead1")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sessions) != 1 {
		t.Fatalf("sessions %+v", rep.Sessions)
	}
	st := rep.Sessions[0]
	near := func(name string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %v, hand-computed %v", name, got, want)
		}
	}
	near("mean", st.Mean, 78.56, 0.005)
	near("spread", st.Spread, 19.33, 0.005)
	near("std dev", st.StdDev, 8.08, 0.005)
	if !st.Complete {
		t.Error("session not complete")
	}
	near("alpha", rep.Alpha, 1-1173.0/3888, 0.00005)
	want := map[string][3]float64{ // deviation, item agreement, alpha without
		"qa1": {3.665, 0.875, -1},
		"qa2": {16.33, 13.0 / 16, 0.9692},
		"qa3": {12.665, 13.0 / 16, -1},
	}
	for _, ev := range rep.Evaluators {
		w := want[ev.Evaluator]
		near(ev.Evaluator+" deviation", ev.MeanAbsDeviation, w[0], 0.0051)
		near(ev.Evaluator+" agreement", ev.ItemAgreement, w[1], 0.00005)
		if ev.Evaluator == "qa2" {
			near("alpha without qa2", ev.AlphaWithout, w[2], 0.00005)
		}
	}
	if len(rep.Evaluators) != 3 {
		t.Errorf("evaluators %+v", rep.Evaluators)
	}
}

// A change whose event (or state) cannot be saved is refused with ErrNotSaved and leaves the
// evaluation as it was: nothing half-applied shows.
func TestEvaluationChangesNotSavedLeaveNothing(t *testing.T) {
	ctx := context.Background()
	reg, err := NewScorecards("")
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Add(loadTestCard(t)); err != nil {
		t.Fatal(err)
	}
	sink := &switchSink{}
	d := NewEvaluations(reg, sink, clock.NewSim(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)), 0, "GD")
	ev := submitT(t, d, "qa1", "call-1", nil, "")
	disputed := submitT(t, d, "qa1", "call-2", nil, "")
	if _, err := d.Dispute(ctx, "ag1", disputed.ID, "offered"); err != nil {
		t.Fatal(err)
	}
	sink.broken = true
	for _, tc := range []struct {
		name   string
		change func() error
		id     string
	}{
		{"submit", func() error {
			_, err := d.Submit(ctx, "qa1", EvaluationInput{CallID: "call-3", Agent: "ag1", Scorecard: "t", Answers: answers(nil)})
			return err
		}, ""},
		{"amend", func() error { _, err := d.Amend(ctx, "qa2", ev.ID, answers(nil), ""); return err }, ev.ID},
		{"dispute", func() error { _, err := d.Dispute(ctx, "ag1", ev.ID, "offered"); return err }, ev.ID},
		{"uphold", func() error { _, err := d.Resolve(ctx, "lead", disputed.ID, true, nil, "no"); return err }, disputed.ID},
		{"resolve by amending", func() error { _, err := d.Resolve(ctx, "lead", disputed.ID, false, answers(nil), "yes"); return err }, disputed.ID},
	} {
		var before Evaluation
		if tc.id != "" {
			before, _ = d.Get(tc.id)
		}
		n := len(d.List(Filter{}))
		if err := tc.change(); !errors.Is(err, ErrNotSaved) {
			t.Errorf("%s with the sink down: %v, want ErrNotSaved", tc.name, err)
		}
		if after, _ := d.Get(tc.id); tc.id != "" && !reflect.DeepEqual(after, before) {
			t.Errorf("%s not saved, yet the evaluation changed:\n%+v\nwas\n%+v", tc.name, after, before)
		}
		if got := len(d.List(Filter{})); got != n {
			t.Errorf("%s not saved, yet %d evaluations listed, was %d", tc.name, got, n)
		}
	}
}
