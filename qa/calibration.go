package qa

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/google/uuid"
)

// CalibrationSession has several evaluators score the same call blind: none sees another's
// scores until they have submitted their own.
type CalibrationSession struct {
	ID          string            `json:"id"`
	CallID      string            `json:"call_id"`
	RecordingID string            `json:"recording_id,omitempty"`
	Agent       string            `json:"agent_id"`
	Scorecard   string            `json:"scorecard_id"`
	Version     int               `json:"scorecard_version"`
	Evaluators  []string          `json:"evaluators"`
	CreatedBy   string            `json:"created_by"`
	CreatedAt   time.Time         `json:"created_at"`
	Submitted   map[string]string `json:"submitted"` // evaluator → evaluation id
}

// Complete says every evaluator has scored.
func (s CalibrationSession) Complete() bool { return len(s.Submitted) == len(s.Evaluators) }

// CreateCalibration opens a session, pinning the scorecard version (0: latest).
func (e *Evaluations) CreateCalibration(ctx context.Context, by string, s CalibrationSession) (CalibrationSession, error) {
	if s.CallID == "" || s.Agent == "" {
		return CalibrationSession{}, errors.New("creating calibration: call_id and agent_id are required")
	}
	slices.Sort(s.Evaluators)
	s.Evaluators = slices.Compact(s.Evaluators)
	if len(s.Evaluators) < 2 {
		return CalibrationSession{}, errors.New("creating calibration: at least two distinct evaluators are needed")
	}
	sc, err := e.cards.Get(s.Scorecard, s.Version)
	if err != nil {
		return CalibrationSession{}, fmt.Errorf("creating calibration: %w", err)
	}
	s.ID, s.Scorecard, s.Version, s.CreatedBy, s.CreatedAt = uuid.NewString(), sc.ID, sc.Version, by, e.clk.Now()
	s.Submitted = map[string]string{}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.saveCalibrationLocked(ctx, s); err != nil {
		return CalibrationSession{}, err
	}
	e.calib[s.ID] = &s
	return copySession(s), nil
}

func copySession(s CalibrationSession) CalibrationSession {
	s.Evaluators = slices.Clone(s.Evaluators)
	sub := make(map[string]string, len(s.Submitted))
	for k, v := range s.Submitted {
		sub[k] = v
	}
	s.Submitted = sub
	return s
}

// Calibrations lists sessions the viewer may see: all, except that an evaluator who has not
// yet scored a session sees it without the others' submissions (blind).
func (e *Evaluations) Calibrations(viewer string) []CalibrationSession {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []CalibrationSession
	for _, id := range sortedKeys(e.calib) {
		s := copySession(*e.calib[id])
		if slices.Contains(s.Evaluators, viewer) && s.Submitted[viewer] == "" {
			s.Submitted = map[string]string{}
		}
		out = append(out, s)
	}
	return out
}

// SessionStats is one calibration call's score agreement.
type SessionStats struct {
	ID       string             `json:"id"`
	CallID   string             `json:"call_id"`
	Complete bool               `json:"complete"`
	Scores   map[string]float64 `json:"scores"` // evaluator → score
	Mean     float64            `json:"mean"`
	Spread   float64            `json:"spread"` // highest minus lowest score
	StdDev   float64            `json:"std_dev"`
}

// EvaluatorStats is one evaluator's agreement with the others across sessions.
type EvaluatorStats struct {
	Evaluator string `json:"evaluator"`
	Sessions  int    `json:"sessions"`
	// MeanAbsDeviation: mean over sessions of |own score - mean of the others' scores|.
	MeanAbsDeviation float64 `json:"mean_abs_deviation"`
	// ItemAgreement: share of (item, other evaluator) pairs with the same answer (N/A = N/A).
	ItemAgreement float64 `json:"item_agreement"`
	// AlphaWithout is the item alpha with this evaluator's answers removed: above the overall
	// alpha means this evaluator lowers agreement.
	AlphaWithout float64 `json:"alpha_without"`
}

// CalibrationReport is the agreement over a set of calibration sessions.
type CalibrationReport struct {
	Sessions []SessionStats `json:"sessions"`
	// Alpha is Krippendorff's alpha over items (units: session x item; values: item score 0..1,
	// N/A missing; interval metric, which for yes/no items equals the nominal one).
	Alpha      float64          `json:"alpha"`
	Evaluators []EvaluatorStats `json:"evaluators"`
}

// CalibrationReport computes agreement over the sessions the viewer may see (sessions the
// viewer has yet to score are left out, so the report cannot unblind them).
func (e *Evaluations) CalibrationReport(viewer string) (CalibrationReport, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	type scored struct {
		evaluator string
		ev        *Evaluation
	}
	var rep CalibrationReport
	// item units: values by evaluator per (session, item)
	type unit map[string]float64
	var units []unit
	dev := map[string][]float64{}
	agree := map[string][2]int{} // evaluator → (agreeing pairs, pairs)
	for _, id := range sortedKeys(e.calib) {
		s := e.calib[id]
		if slices.Contains(s.Evaluators, viewer) && s.Submitted[viewer] == "" {
			continue
		}
		var subs []scored
		for _, ev := range sortedKeys(s.Submitted) {
			subs = append(subs, scored{ev, e.byID[s.Submitted[ev]]})
		}
		if len(subs) < 2 {
			continue
		}
		st := SessionStats{ID: s.ID, CallID: s.CallID, Complete: s.Complete(), Scores: map[string]float64{}}
		lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
		for _, x := range subs {
			v := x.ev.Result.Score
			st.Scores[x.evaluator] = v
			lo, hi, sum = min(lo, v), max(hi, v), sum+v
		}
		n := float64(len(subs))
		st.Mean, st.Spread = round2(sum/n), round2(hi-lo)
		var ss float64
		for _, v := range st.Scores {
			ss += (v - sum/n) * (v - sum/n)
		}
		st.StdDev = round2(math.Sqrt(ss / n))
		rep.Sessions = append(rep.Sessions, st)
		for _, x := range subs {
			dev[x.evaluator] = append(dev[x.evaluator], math.Abs(x.ev.Result.Score-(sum-x.ev.Result.Score)/(n-1)))
		}
		sc, err := e.cards.Get(s.Scorecard, s.Version)
		if err != nil {
			return CalibrationReport{}, err
		}
		answers := make([]map[string]string, len(subs))
		for i, x := range subs {
			answers[i] = map[string]string{}
			for _, a := range x.ev.Answers {
				answers[i][a.Item] = a.Value
			}
		}
		for _, sec := range sc.Sections {
			for _, it := range sec.Items {
				u := unit{}
				for i, x := range subs {
					v, na, err := it.ItemValue(answers[i][it.ID])
					if err == nil && !na {
						u[x.evaluator] = v
					}
					for j := range subs {
						if i == j {
							continue
						}
						p := agree[x.evaluator]
						p[1]++
						if sameAnswer(it, answers[i][it.ID], answers[j][it.ID]) {
							p[0]++
						}
						agree[x.evaluator] = p
					}
				}
				units = append(units, u)
			}
		}
	}
	alphaOf := func(skip string) float64 {
		data := make([][]float64, len(units))
		for i, u := range units {
			for ev, v := range u {
				if ev != skip {
					data[i] = append(data[i], v)
				}
			}
		}
		return round4(KrippendorffAlpha(data, IntervalMetric))
	}
	rep.Alpha = alphaOf("")
	for _, ev := range sortedKeys(dev) {
		var d float64
		for _, x := range dev[ev] {
			d += x
		}
		st := EvaluatorStats{Evaluator: ev, Sessions: len(dev[ev]), MeanAbsDeviation: round2(d / float64(len(dev[ev]))), AlphaWithout: alphaOf(ev)}
		if p := agree[ev]; p[1] > 0 {
			st.ItemAgreement = round4(float64(p[0]) / float64(p[1]))
		}
		rep.Evaluators = append(rep.Evaluators, st)
	}
	return rep, nil
}

func sameAnswer(it Item, a, b string) bool {
	x, naX, errX := it.ItemValue(a)
	y, naY, errY := it.ItemValue(b)
	return errX == nil && errY == nil && naX == naY && x == y
}

// round4 rounds to 4 decimals. An undefined alpha (NaN: nothing to compare, or no variation at
// all) becomes -1, because JSON cannot carry NaN; alpha is otherwise never below -1 in practice.
func round4(x float64) float64 {
	if math.IsNaN(x) {
		return -1
	}
	return math.Round(x*10000) / 10000
}
