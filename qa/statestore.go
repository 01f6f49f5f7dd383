package qa

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// QA's durable state lives in the state file (internal/statedb): scorecard versions published
// through the API, evaluations (amendments, disputes and resolutions are changes to them),
// calibration sessions and sampling assignments. The in-memory maps of Scorecards, Evaluations
// and Sampler are the read side, loaded once by Service.UseState; every change is written to the
// file first, in one transaction with its qa.evaluation event (queued in the outbox), and shown
// in memory only after that transaction committed. So an answered change is on disk with its
// event, and a change cut short by a crash left neither.
//
// Scorecards from files (the built-in ones and Config.ScorecardsDir, <data-dir>/scorecards) are definitions read at every
// start and are not copied into the file; an id belongs to one source: the API refuses to
// publish a version of a file-defined id, and a start where a file defines an id the API
// already holds stops and names both.
//
// Recordings are not here: their index is rebuilt from the store's JSON sidecars (store.go).

// ErrNotSaved means a change could not be made durable (state file or event sink failing):
// nothing of it was kept, and the request may be retried.
var ErrNotSaved = errors.New("not saved")

// stateOwner owns the QA tables in the state file's migrations.
const stateOwner = "qa"

// stateSteps are QA's schema migrations: append only (see statedb.Migrate). Documents are JSON
// of the API's own types; the columns beside them carry what uniqueness is checked on, so the
// file itself refuses a second regular evaluation of a call even if memory were wrong.
var stateSteps = []string{`
CREATE TABLE qa_scorecards (
	id TEXT NOT NULL,
	version INTEGER NOT NULL,
	doc TEXT NOT NULL,
	PRIMARY KEY (id, version)
);
CREATE TABLE qa_evaluations (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	id TEXT NOT NULL UNIQUE,
	call_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	calibration_id TEXT NOT NULL,
	evaluator TEXT NOT NULL,
	superseded_by TEXT NOT NULL,
	doc TEXT NOT NULL
);
CREATE UNIQUE INDEX qa_evaluations_current_per_call ON qa_evaluations (call_id)
	WHERE kind = 'regular' AND superseded_by = '';
CREATE UNIQUE INDEX qa_evaluations_one_per_calibrator ON qa_evaluations (calibration_id, evaluator)
	WHERE kind = 'calibration';
CREATE TABLE qa_calibrations (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	id TEXT NOT NULL UNIQUE,
	doc TEXT NOT NULL
);
CREATE TABLE qa_assignments (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	call_id TEXT NOT NULL UNIQUE,
	evaluation_id TEXT NOT NULL,
	doc TEXT NOT NULL
)`}

// UseState makes the service keep its scorecards, evaluations, calibration sessions and
// assignments in db: it migrates QA's tables, loads what they hold, and from then on commits
// every change there with its events (which leave through db's outbox, not the service's
// sink). Call it once, before the API serves.
func (s *Service) UseState(ctx context.Context, db *statedb.DB) error {
	if err := db.Migrate(ctx, stateOwner, stateSteps); err != nil {
		return fmt.Errorf("preparing QA state: %w", err)
	}
	err := db.View(ctx, func(tx *sql.Tx) error {
		return errors.Join(s.Cards.load(ctx, tx), s.Evals.load(ctx, tx), s.Sampler.load(ctx, tx))
	})
	if err != nil {
		return fmt.Errorf("loading QA state from %s: %w", db.Path(), err)
	}
	s.Cards.state, s.Evals.state, s.Sampler.state = db, db, db
	return nil
}

// eachDoc runs fn on the JSON document of every row query returns, in order.
func eachDoc(ctx context.Context, tx *sql.Tx, query string, fn func(doc []byte) error) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return err
		}
		if err := fn(doc); err != nil {
			return err
		}
	}
	return rows.Err()
}

// load adds the versions published through the API. A file now defining one of their ids is a
// configuration error: the same id cannot have two sources of versions.
func (r *Scorecards) load(ctx context.Context, tx *sql.Tx) error {
	return eachDoc(ctx, tx, "SELECT doc FROM qa_scorecards ORDER BY id, version", func(doc []byte) error {
		var sc Scorecard
		if err := json.Unmarshal(doc, &sc); err != nil {
			return fmt.Errorf("reading a scorecard: %w", err)
		}
		if src, ok := r.files[sc.ID]; ok {
			return fmt.Errorf("scorecard %s: %s defines it, and the API published version %d of it: rename the id in the file (ids belong to one source)", sc.ID, src, sc.Version)
		}
		if err := r.Add(sc); err != nil {
			return fmt.Errorf("loading scorecard %s version %d: %w", sc.ID, sc.Version, err)
		}
		return nil
	})
}

// saveScorecard stores a version published through the API.
func saveScorecard(ctx context.Context, db *statedb.DB, sc Scorecard) error {
	doc, err := json.Marshal(sc)
	if err != nil {
		return err
	}
	return db.Update(ctx, func(tx *statedb.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO qa_scorecards (id, version, doc) VALUES (?, ?, ?)", sc.ID, sc.Version, doc)
		return err
	})
}

// load reads evaluations in the order they were made and calibration sessions; a session's
// submissions are its calibration evaluations.
func (e *Evaluations) load(ctx context.Context, tx *sql.Tx) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	err := eachDoc(ctx, tx, "SELECT doc FROM qa_calibrations ORDER BY seq", func(doc []byte) error {
		var s CalibrationSession
		if err := json.Unmarshal(doc, &s); err != nil {
			return fmt.Errorf("reading a calibration session: %w", err)
		}
		s.Submitted = map[string]string{}
		e.calib[s.ID] = &s
		return nil
	})
	if err != nil {
		return err
	}
	return eachDoc(ctx, tx, "SELECT doc FROM qa_evaluations ORDER BY seq", func(doc []byte) error {
		ev := &Evaluation{}
		if err := json.Unmarshal(doc, ev); err != nil {
			return fmt.Errorf("reading an evaluation: %w", err)
		}
		if ev.Kind == "calibration" {
			s, ok := e.calib[ev.CalibrationID]
			if !ok {
				return fmt.Errorf("evaluation %s: calibration session %s missing", ev.ID, ev.CalibrationID)
			}
			s.Submitted[ev.Evaluator] = ev.ID
		}
		e.byID[ev.ID] = ev
		e.order = append(e.order, ev.ID)
		return nil
	})
}

// commitLocked makes changed evaluations durable, in order, with the event announcing the last
// of them, and then shows them. With a state file that is one transaction (a new regular
// evaluation also closes its call's sampling assignment in it); without one (tests, tools) the
// event goes to the sink and the change lives in memory only.
func (e *Evaluations) commitLocked(ctx context.Context, changed ...*Evaluation) error {
	last := changed[len(changed)-1]
	ev := e.evaluationEvent(last)
	var err error
	if e.state == nil {
		err = e.sink.Publish(ctx, ev)
	} else {
		_, known := e.byID[last.ID]
		err = e.state.Update(ctx, func(tx *statedb.Tx) error {
			for _, c := range changed {
				if err := saveEvaluation(ctx, tx, c); err != nil {
					return err
				}
			}
			if !known && last.Kind == "regular" && last.Amends == "" {
				if _, err := tx.ExecContext(ctx, "UPDATE qa_assignments SET evaluation_id = ? WHERE call_id = ? AND evaluation_id = ''", last.ID, last.CallID); err != nil {
					return fmt.Errorf("closing the assignment of call %s: %w", last.CallID, err)
				}
			}
			return tx.Publish(ctx, ev)
		})
	}
	if err != nil {
		return fmt.Errorf("saving evaluation %s (%s): %w: %w", last.ID, last.Status, ErrNotSaved, err)
	}
	for _, c := range changed {
		if _, ok := e.byID[c.ID]; !ok {
			e.order = append(e.order, c.ID)
		}
		e.byID[c.ID] = c
	}
	return nil
}

// saveEvaluation inserts or replaces an evaluation's row.
func saveEvaluation(ctx context.Context, tx *statedb.Tx, ev *Evaluation) error {
	doc, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encoding evaluation %s: %w", ev.ID, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO qa_evaluations (id, call_id, kind, calibration_id, evaluator, superseded_by, doc)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET superseded_by = excluded.superseded_by, doc = excluded.doc`,
		ev.ID, ev.CallID, ev.Kind, ev.CalibrationID, ev.Evaluator, ev.SupersededBy, doc)
	if err != nil {
		return fmt.Errorf("writing evaluation %s: %w", ev.ID, err)
	}
	return nil
}

// saveCalibrationLocked stores a new session (its submissions are its evaluations).
func (e *Evaluations) saveCalibrationLocked(ctx context.Context, s CalibrationSession) error {
	if e.state == nil {
		return nil
	}
	s.Submitted = nil
	doc, err := json.Marshal(s)
	if err != nil {
		return err
	}
	err = e.state.Update(ctx, func(tx *statedb.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO qa_calibrations (id, doc) VALUES (?, ?)", s.ID, doc)
		return err
	})
	if err != nil {
		return fmt.Errorf("saving calibration session %s: %w: %w", s.ID, ErrNotSaved, err)
	}
	return nil
}

// load reads the assignments in the order they were planned.
func (s *Sampler) load(ctx context.Context, tx *sql.Tx) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return eachDoc(ctx, tx, "SELECT json_set(doc, '$.evaluation_id', evaluation_id) FROM qa_assignments ORDER BY seq", func(doc []byte) error {
		a := &Assignment{}
		if err := json.Unmarshal(doc, a); err != nil {
			return fmt.Errorf("reading an assignment: %w", err)
		}
		s.byCall[a.CallID] = a
		s.order = append(s.order, a.CallID)
		return nil
	})
}

// saveAssignmentsLocked stores a plan's new assignments in one transaction. The evaluation id
// is a column of its own: the transaction that stores a call's evaluation sets it.
func (s *Sampler) saveAssignmentsLocked(ctx context.Context, as []*Assignment) error {
	if s.state == nil || len(as) == 0 {
		return nil
	}
	err := s.state.Update(ctx, func(tx *statedb.Tx) error {
		for _, a := range as {
			doc, err := json.Marshal(a)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO qa_assignments (call_id, evaluation_id, doc) VALUES (?, ?, ?)", a.CallID, a.EvaluationID, doc); err != nil {
				return fmt.Errorf("writing the assignment of call %s: %w", a.CallID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("saving %d QA assignments: %w: %w", len(as), ErrNotSaved, err)
	}
	return nil
}
