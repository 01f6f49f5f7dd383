package qa

import (
	"fmt"
	"math"
)

// Bounds of what a request may bring: ids, free text, list lengths. Past them a request is a
// 400 naming the field, before anything is stored, logged or sent on.
const (
	maxIDLen         = 128  // a call, agent, recording, scorecard, item or evaluator id
	maxNameLen       = 200  // a scorecard's or section's name
	maxTextLen       = 5000 // a comment, a dispute reason, a resolution note, an item's text
	maxAnswers       = 500  // answers in one evaluation
	maxSections      = 50   // sections of a scorecard
	maxItems         = 200  // items of a section
	maxEvaluators    = 50   // evaluators of a calibration session or a sampling run
	maxCandidates    = 100_000
	maxScaleBound    = 1000 // |min|, |max| of a scale item
	maxWeight        = 1000 // an item's weight inside its section
	maxScorecardVers = 1_000_000
)

// checkLen returns an error naming field when s is longer than n bytes.
func checkLen(field, s string, n int) error {
	if len(s) > n {
		return fmt.Errorf("%s: %d bytes, at most %d", field, len(s), n)
	}
	return nil
}

// checkInput bounds an evaluation's fields.
func (in EvaluationInput) check() error {
	for _, f := range []struct {
		name, v string
		n       int
	}{{"call_id", in.CallID, maxIDLen}, {"recording_id", in.RecordingID, maxIDLen}, {"agent_id", in.Agent, maxIDLen},
		{"business_line", in.Line, maxIDLen}, {"scorecard_id", in.Scorecard, maxIDLen}, {"calibration_id", in.CalibrationID, maxIDLen},
		{"comment", in.Comment, maxTextLen}} {
		if err := checkLen(f.name, f.v, f.n); err != nil {
			return err
		}
	}
	if in.Version < 0 || in.Version > maxScorecardVers {
		return fmt.Errorf("scorecard_version: %d is outside 0..%d", in.Version, maxScorecardVers)
	}
	return checkAnswers(in.Answers)
}

// checkAnswers bounds answers: their number, ids, text, and timestamps finite and not negative.
func checkAnswers(answers []Answer) error {
	if len(answers) > maxAnswers {
		return fmt.Errorf("answers: %d, at most %d", len(answers), maxAnswers)
	}
	for _, a := range answers {
		if err := checkLen("answers.item", a.Item, maxIDLen); err != nil {
			return err
		}
		if err := checkLen("answers.value", a.Value, maxIDLen); err != nil {
			return err
		}
		if err := checkLen("answers.comment", a.Comment, maxTextLen); err != nil {
			return err
		}
		if a.AtSec != nil && !(*a.AtSec >= 0 && *a.AtSec <= 24*3600) {
			return fmt.Errorf("answers.at_sec: %v is not a time in a recording", *a.AtSec)
		}
	}
	return nil
}

// checkEvaluators bounds a list of evaluator ids.
func checkEvaluators(evaluators []string) error {
	if len(evaluators) > maxEvaluators {
		return fmt.Errorf("evaluators: %d, at most %d", len(evaluators), maxEvaluators)
	}
	for _, e := range evaluators {
		if e == "" {
			return fmt.Errorf("evaluators: an empty id")
		}
		if err := checkLen("evaluators", e, maxIDLen); err != nil {
			return err
		}
	}
	return nil
}

// finite reports whether x is a number: not NaN, not ±Inf.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
