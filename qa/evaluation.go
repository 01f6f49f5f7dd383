package qa

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// Errors callers (the API) map to HTTP statuses.
var (
	ErrAlreadyEvaluated = errors.New("call already evaluated")
	ErrForbidden        = errors.New("not allowed")
	ErrConflict         = errors.New("conflicts with the evaluation's state")
)

// DefaultDisputeWindow is how long an agent may dispute an evaluation after it was submitted.
const DefaultDisputeWindow = 7 * 24 * time.Hour

// Evaluation is a scored call. Amendments are new evaluations pointing at the one they
// replace (Amends); the original stays for audit with SupersededBy set.
type Evaluation struct {
	ID            string    `json:"id"`
	Status        string    `json:"status"` // submitted | amended | disputed | upheld
	Kind          string    `json:"kind"`   // regular | calibration
	CalibrationID string    `json:"calibration_id,omitempty"`
	Amends        string    `json:"amends,omitempty"`
	SupersededBy  string    `json:"superseded_by,omitempty"`
	CallID        string    `json:"call_id"`
	RecordingID   string    `json:"recording_id,omitempty"`
	Agent         string    `json:"agent_id"`
	Evaluator     string    `json:"evaluator_id"`
	Line          string    `json:"business_line,omitempty"`
	Scorecard     string    `json:"scorecard_id"`
	Version       int       `json:"scorecard_version"`
	Answers       []Answer  `json:"answers"`
	Comment       string    `json:"comment,omitempty"`
	Result        Result    `json:"result"`
	SubmittedAt   time.Time `json:"submitted_at"`
	Dispute       *Dispute  `json:"dispute,omitempty"`
}

// Dispute is an agent's objection and its resolution.
type Dispute struct {
	By         string     `json:"by"`
	Reason     string     `json:"reason"`
	At         time.Time  `json:"at"`
	Reviewer   string     `json:"reviewer,omitempty"`
	Resolution string     `json:"resolution,omitempty"` // upheld | amended
	Note       string     `json:"note,omitempty"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// EvaluationInput is what an evaluator submits.
type EvaluationInput struct {
	CallID        string   `json:"call_id"`
	RecordingID   string   `json:"recording_id,omitempty"`
	Agent         string   `json:"agent_id"`
	Line          string   `json:"business_line,omitempty"`
	Scorecard     string   `json:"scorecard_id"`
	Version       int      `json:"scorecard_version,omitempty"` // 0: the latest (then pinned)
	Answers       []Answer `json:"answers"`
	Comment       string   `json:"comment,omitempty"`
	CalibrationID string   `json:"calibration_id,omitempty"`
}

// Evaluations holds evaluations, disputes and calibration sessions and emits every change to
// an evaluation as a qa.evaluation event. With a state file (Service.UseState) each change is
// committed there with its event before it is shown; see statestore.go.
type Evaluations struct {
	cards  *Scorecards
	sink   events.Sink
	state  *statedb.DB // nil: memory only, events to sink
	clk    clock.Clock
	window time.Duration
	source string
	tenant string
	// OnSubmitted, if set, is told of every regular evaluation (the sampler closes assignments).
	OnSubmitted func(Evaluation)

	mu    sync.Mutex
	byID  map[string]*Evaluation
	order []string // ids in submission order
	calib map[string]*CalibrationSession
}

// NewEvaluations builds the evaluation desk. window is the dispute window (0: 7 days).
func NewEvaluations(cards *Scorecards, sink events.Sink, clk clock.Clock, window time.Duration, tenant string) *Evaluations {
	if window <= 0 {
		window = DefaultDisputeWindow
	}
	if tenant == "" {
		tenant = "HQ"
	}
	return &Evaluations{cards: cards, sink: sink, clk: clk, window: window, source: "qa/evaluations", tenant: tenant,
		byID: map[string]*Evaluation{}, calib: map[string]*CalibrationSession{}}
}

// Submit scores and records an evaluation. The server computes the score; a call gets one
// regular evaluation (further ones only inside calibration sessions).
func (e *Evaluations) Submit(ctx context.Context, evaluator string, in EvaluationInput) (Evaluation, error) {
	if in.CallID == "" || in.Agent == "" || evaluator == "" {
		return Evaluation{}, errors.New("submitting evaluation: call_id, agent_id and evaluator are required")
	}
	sc, err := e.cards.Get(in.Scorecard, in.Version)
	if err != nil {
		return Evaluation{}, fmt.Errorf("submitting evaluation: %w", err)
	}
	if err := checkTimestamps(in.Answers); err != nil {
		return Evaluation{}, fmt.Errorf("submitting evaluation: %w", err)
	}
	res, err := sc.Score(in.Answers)
	if err != nil {
		return Evaluation{}, fmt.Errorf("submitting evaluation: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	ev := &Evaluation{
		ID: uuid.NewString(), Status: "submitted", Kind: "regular", CallID: in.CallID, RecordingID: in.RecordingID,
		Agent: in.Agent, Evaluator: evaluator, Line: in.Line, Scorecard: sc.ID, Version: sc.Version,
		Answers: in.Answers, Comment: in.Comment, Result: res, SubmittedAt: e.clk.Now(),
	}
	if in.CalibrationID != "" {
		s, ok := e.calib[in.CalibrationID]
		switch {
		case !ok:
			return Evaluation{}, fmt.Errorf("submitting evaluation: calibration %s: %w", in.CalibrationID, ErrNotFound)
		case s.CallID != in.CallID || s.Scorecard != sc.ID || s.Version != sc.Version:
			return Evaluation{}, fmt.Errorf("submitting evaluation: calibration %s is on call %s with %s v%d: %w", s.ID, s.CallID, s.Scorecard, s.Version, ErrConflict)
		case !slices.Contains(s.Evaluators, evaluator):
			return Evaluation{}, fmt.Errorf("submitting evaluation: %s is not in calibration %s: %w", evaluator, s.ID, ErrForbidden)
		case s.Submitted[evaluator] != "":
			return Evaluation{}, fmt.Errorf("submitting evaluation: %s already scored calibration %s: %w", evaluator, s.ID, ErrConflict)
		}
		ev.Kind, ev.CalibrationID = "calibration", s.ID
	} else if prev := e.currentRegularLocked(in.CallID); prev != nil {
		return Evaluation{}, fmt.Errorf("submitting evaluation of call %s: %w (evaluation %s by %s; amend it instead)", in.CallID, ErrAlreadyEvaluated, prev.ID, prev.Evaluator)
	}
	if err := e.commitLocked(ctx, ev); err != nil {
		return Evaluation{}, err
	}
	if ev.CalibrationID != "" {
		e.calib[ev.CalibrationID].Submitted[evaluator] = ev.ID
	}
	if ev.Kind == "regular" && e.OnSubmitted != nil {
		e.OnSubmitted(*ev)
	}
	return *ev, nil
}

func (e *Evaluations) currentRegularLocked(callID string) *Evaluation {
	for _, id := range e.order {
		if ev := e.byID[id]; ev.CallID == callID && ev.Kind == "regular" && ev.SupersededBy == "" {
			return ev
		}
	}
	return nil
}

// Amend replaces an evaluation with a re-scored one (same scorecard version); the original is
// kept, marked superseded. Used by QA to correct and by reviewers resolving a dispute.
func (e *Evaluations) Amend(ctx context.Context, by, id string, answers []Answer, comment string) (Evaluation, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.amendLocked(ctx, by, id, answers, comment, nil)
}

// amendLocked commits the amendment and the original marked superseded (and, if resolved is
// set, with its dispute resolved) together.
func (e *Evaluations) amendLocked(ctx context.Context, by, id string, answers []Answer, comment string, resolved *Dispute) (Evaluation, error) {
	orig, ok := e.byID[id]
	if !ok {
		return Evaluation{}, fmt.Errorf("amending evaluation %s: %w", id, ErrNotFound)
	}
	if orig.SupersededBy != "" {
		return Evaluation{}, fmt.Errorf("amending evaluation %s: already amended by %s: %w", id, orig.SupersededBy, ErrConflict)
	}
	if orig.Kind == "calibration" {
		return Evaluation{}, fmt.Errorf("amending evaluation %s: calibration scores are not amended: %w", id, ErrConflict)
	}
	sc, err := e.cards.Get(orig.Scorecard, orig.Version)
	if err != nil {
		return Evaluation{}, fmt.Errorf("amending evaluation %s: %w", id, err)
	}
	if err := checkTimestamps(answers); err != nil {
		return Evaluation{}, fmt.Errorf("amending evaluation %s: %w", id, err)
	}
	res, err := sc.Score(answers)
	if err != nil {
		return Evaluation{}, fmt.Errorf("amending evaluation %s: %w", id, err)
	}
	nv := *orig
	nv.ID, nv.Status, nv.Amends, nv.Evaluator = uuid.NewString(), "amended", orig.ID, by
	nv.Answers, nv.Comment, nv.Result, nv.SubmittedAt, nv.Dispute = answers, comment, res, e.clk.Now(), nil
	old := *orig // changed as a copy: shown only once committed
	old.SupersededBy = nv.ID
	if resolved != nil {
		old.Dispute = resolved
	}
	if err := e.commitLocked(ctx, &old, &nv); err != nil {
		return Evaluation{}, err
	}
	return nv, nil
}

// Dispute records an agent's objection to their own evaluation within the dispute window.
func (e *Evaluations) Dispute(ctx context.Context, agent, id, reason string) (Evaluation, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ev, ok := e.byID[id]
	switch {
	case !ok || ev.Agent != agent: // another agent's evaluation is reported as absent
		return Evaluation{}, fmt.Errorf("disputing evaluation %s: %w", id, ErrNotFound)
	case ev.Kind != "regular":
		return Evaluation{}, fmt.Errorf("disputing evaluation %s: calibration scores cannot be disputed: %w", id, ErrConflict)
	case ev.SupersededBy != "":
		return Evaluation{}, fmt.Errorf("disputing evaluation %s: it was replaced by %s: %w", id, ev.SupersededBy, ErrConflict)
	case ev.Dispute != nil:
		return Evaluation{}, fmt.Errorf("disputing evaluation %s: already disputed on %s: %w", id, ev.Dispute.At.Format(time.DateOnly), ErrConflict)
	case e.clk.Now().After(ev.SubmittedAt.Add(e.window)):
		return Evaluation{}, fmt.Errorf("disputing evaluation %s: the %s dispute window closed on %s: %w", id, e.window, ev.SubmittedAt.Add(e.window).Format(time.DateOnly), ErrConflict)
	case reason == "":
		return Evaluation{}, errors.New("disputing evaluation: a reason is required")
	}
	upd := *ev
	upd.Status, upd.Dispute = "disputed", &Dispute{By: agent, Reason: reason, At: e.clk.Now()}
	if err := e.commitLocked(ctx, &upd); err != nil {
		return Evaluation{}, err
	}
	return upd, nil
}

// Resolve closes an open dispute: uphold keeps the score; otherwise answers re-score it as an
// amendment. The reviewer must not be the evaluator who scored it.
func (e *Evaluations) Resolve(ctx context.Context, reviewer, id string, uphold bool, answers []Answer, note string) (Evaluation, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ev, ok := e.byID[id]
	switch {
	case !ok:
		return Evaluation{}, fmt.Errorf("resolving dispute on %s: %w", id, ErrNotFound)
	case ev.Dispute == nil || ev.Dispute.Resolution != "":
		return Evaluation{}, fmt.Errorf("resolving dispute on %s: no open dispute: %w", id, ErrConflict)
	case reviewer == ev.Evaluator:
		return Evaluation{}, fmt.Errorf("resolving dispute on %s: the evaluator cannot review their own evaluation: %w", id, ErrForbidden)
	}
	now := e.clk.Now()
	d := *ev.Dispute
	d.Reviewer, d.Note, d.ResolvedAt = reviewer, note, &now
	if uphold {
		upd := *ev
		d.Resolution = "upheld"
		upd.Status, upd.Dispute = "upheld", &d
		if err := e.commitLocked(ctx, &upd); err != nil {
			return Evaluation{}, err
		}
		return upd, nil
	}
	d.Resolution = "amended"
	return e.amendLocked(ctx, reviewer, id, answers, note, &d)
}

// Get returns an evaluation.
func (e *Evaluations) Get(id string) (Evaluation, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ev, ok := e.byID[id]
	if !ok {
		return Evaluation{}, false
	}
	return *ev, true
}

// Filter selects evaluations.
type Filter struct {
	Agent, Evaluator, CallID string
	IncludeCalibration       bool
}

// List returns matching evaluations, newest first.
func (e *Evaluations) List(f Filter) []Evaluation {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Evaluation
	for i := len(e.order) - 1; i >= 0; i-- {
		ev := e.byID[e.order[i]]
		if (f.Agent != "" && ev.Agent != f.Agent) || (f.Evaluator != "" && ev.Evaluator != f.Evaluator) ||
			(f.CallID != "" && ev.CallID != f.CallID) || (!f.IncludeCalibration && ev.Kind == "calibration") {
			continue
		}
		out = append(out, *ev)
	}
	return out
}

// EvaluatedCalls returns the calls with a regular evaluation (the sampler skips them).
func (e *Evaluations) EvaluatedCalls() map[string]bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]bool{}
	for _, ev := range e.byID {
		if ev.Kind == "regular" {
			out[ev.CallID] = true
		}
	}
	return out
}

// evaluationEvent is the qa.evaluation event announcing ev's current status.
func (e *Evaluations) evaluationEvent(ev *Evaluation) events.Event {
	status := ev.Status
	p := events.QAEvaluation{
		EvaluationID: ev.ID, Status: status, Kind: ev.Kind, Calibration: ev.CalibrationID, Amends: ev.Amends,
		CallID: ev.CallID, RecordingID: ev.RecordingID, Agent: ev.Agent, Evaluator: ev.Evaluator,
		Scorecard: ev.Scorecard, Version: ev.Version, Score: ev.Result.Score, CriticalFail: ev.Result.CriticalFail,
		Line: ev.Line,
	}
	p.Comment = ev.Comment
	if status == "disputed" && ev.Dispute != nil {
		p.Comment = ev.Dispute.Reason
	} else if status == "upheld" && ev.Dispute != nil {
		p.Comment = ev.Dispute.Note
	}
	for _, a := range ev.Answers {
		at := -1.0
		if a.AtSec != nil {
			at = *a.AtSec
		}
		p.Answers = append(p.Answers, events.ItemAnswer{Item: a.Item, Value: a.Value, Comment: a.Comment, AtSec: at})
	}
	for _, s := range ev.Result.Sections {
		if s.NA {
			continue
		}
		p.Sections = append(p.Sections, events.SectionScore{Section: s.Section, Score: s.Score, Weight: s.Weight, Failed: s.Failed})
	}
	return events.New(p, e.clk.Now(), e.source, e.tenant)
}

// checkTimestamps refuses evidence timestamps before the start of the recording (the API also
// checks them against its end).
func checkTimestamps(answers []Answer) error {
	for _, a := range answers {
		if a.AtSec != nil && (*a.AtSec < 0 || math.IsNaN(*a.AtSec)) {
			return fmt.Errorf("item %s: timestamp %v s is not in the recording", a.Item, *a.AtSec)
		}
	}
	return nil
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
