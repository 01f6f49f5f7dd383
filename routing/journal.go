package routing

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// CallJournal is the sink in front of the state file's outbox for the routing engine's events.
// In the transaction that queues a batch it also keeps the inbound calls that have started and
// have no final record yet, and the time of the newest event, so that after a crash Recover
// closes those calls with an interrupted record (their lifecycle events would otherwise never
// get one) and the centre resumes where its events stopped instead of playing them again.
type CallJournal struct {
	db   *statedb.DB
	name string
}

var journalSchema = []string{
	`CREATE TABLE open_calls (
		journal TEXT NOT NULL, call_id TEXT NOT NULL, tenant TEXT NOT NULL, source TEXT NOT NULL,
		line TEXT NOT NULL DEFAULT '', queue TEXT NOT NULL DEFAULT '', agent TEXT NOT NULL DEFAULT '',
		arrived_ms INTEGER NOT NULL, ivr_ended_ms INTEGER, queued_ms INTEGER, answered_ms INTEGER, last_ms INTEGER NOT NULL,
		PRIMARY KEY (journal, call_id))`,
	`CREATE TABLE journal_progress (journal TEXT PRIMARY KEY, reached_ms INTEGER NOT NULL)`,
}

// NewCallJournal opens the journal called name (one per routing engine) in db.
func NewCallJournal(ctx context.Context, db *statedb.DB, name string) (*CallJournal, error) {
	if err := db.Migrate(ctx, "routing", journalSchema); err != nil {
		return nil, err
	}
	return &CallJournal{db: db, name: name}, nil
}

// Publish queues the events and records the calls they open and close, all in one transaction.
func (j *CallJournal) Publish(ctx context.Context, evs ...events.Event) error {
	if len(evs) == 0 {
		return nil
	}
	return j.db.Update(ctx, func(tx *statedb.Tx) error {
		var reached int64
		for _, e := range evs {
			ms := e.OccurredAt.UnixMilli()
			reached = max(reached, ms)
			if err := j.note(ctx, tx, e, ms); err != nil {
				return fmt.Errorf("journalling call %s: %w", e.Key(), err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO journal_progress (journal, reached_ms) VALUES (?, ?)
			ON CONFLICT (journal) DO UPDATE SET reached_ms = max(reached_ms, excluded.reached_ms)`, j.name, reached); err != nil {
			return fmt.Errorf("journalling progress: %w", err)
		}
		return tx.Publish(ctx, evs...)
	})
}

func (j *CallJournal) note(ctx context.Context, tx *statedb.Tx, e events.Event, ms int64) error {
	switch p := e.Payload.(type) {
	case events.CallRecord:
		_, err := tx.ExecContext(ctx, "DELETE FROM open_calls WHERE journal = ? AND call_id = ?", j.name, p.CallID)
		return err
	case events.CallLifecycle:
		if p.Direction != events.Inbound {
			return nil // outbound calls are the dialer's attempts, journalled there
		}
		var err error
		switch p.Stage {
		case events.StageArrived:
			_, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO open_calls (journal, call_id, tenant, source, line, arrived_ms, last_ms)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, j.name, p.CallID, e.Tenant, e.Source, p.Line, ms, ms)
		case events.StageQueued:
			_, err = tx.ExecContext(ctx, `UPDATE open_calls SET queue = ?, line = coalesce(nullif(?, ''), line),
				ivr_ended_ms = coalesce(ivr_ended_ms, ?), queued_ms = coalesce(queued_ms, ?), last_ms = ?
				WHERE journal = ? AND call_id = ?`, p.Queue, p.Line, ms, ms, ms, j.name, p.CallID)
		case events.StageAnswered:
			_, err = tx.ExecContext(ctx, `UPDATE open_calls SET agent = ?, queue = coalesce(nullif(?, ''), queue), answered_ms = coalesce(answered_ms, ?), last_ms = ?
				WHERE journal = ? AND call_id = ?`, p.Agent, p.Queue, ms, ms, j.name, p.CallID)
		default:
			_, err = tx.ExecContext(ctx, `UPDATE open_calls SET line = coalesce(nullif(?, ''), line), queue = coalesce(nullif(?, ''), queue), last_ms = ?
				WHERE journal = ? AND call_id = ?`, p.Line, p.Queue, ms, j.name, p.CallID)
		}
		return err
	}
	return nil
}

// Recover closes every call the journal holds open with an interrupted record, ended at the
// last moment anything was heard of it, and returns when the journal's newest event happened
// (zero for a new journal): where a restarted engine carries on.
func (j *CallJournal) Recover(ctx context.Context) (resumeAt time.Time, closed int, err error) {
	err = j.db.Update(ctx, func(tx *statedb.Tx) error {
		var reached sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT reached_ms FROM journal_progress WHERE journal = ?", j.name).Scan(&reached); err != nil && err != sql.ErrNoRows {
			return fmt.Errorf("reading the journal's progress: %w", err)
		}
		if reached.Valid {
			resumeAt = time.UnixMilli(reached.Int64).UTC()
		}
		recs, err := j.openRecords(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if err := tx.Publish(ctx, r); err != nil {
				return err
			}
		}
		closed = len(recs)
		_, err = tx.ExecContext(ctx, "DELETE FROM open_calls WHERE journal = ?", j.name)
		return err
	})
	if err != nil {
		return time.Time{}, 0, fmt.Errorf("closing calls interrupted by a stop: %w", err)
	}
	return resumeAt, closed, nil
}

func (j *CallJournal) openRecords(ctx context.Context, tx *statedb.Tx) ([]events.Event, error) {
	rows, err := tx.QueryContext(ctx, `SELECT call_id, tenant, source, line, queue, agent, arrived_ms, ivr_ended_ms, queued_ms, answered_ms, last_ms
		FROM open_calls WHERE journal = ? ORDER BY arrived_ms`, j.name)
	if err != nil {
		return nil, fmt.Errorf("reading open calls: %w", err)
	}
	defer rows.Close()
	var out []events.Event
	for rows.Next() {
		var r events.CallRecord
		var tenant, source string
		var arrived, last int64
		var ivrEnded, queued, answered sql.NullInt64
		if err := rows.Scan(&r.CallID, &tenant, &source, &r.Line, &r.Queue, &r.Agent, &arrived, &ivrEnded, &queued, &answered, &last); err != nil {
			return nil, fmt.Errorf("reading open calls: %w", err)
		}
		r.Direction = events.Inbound
		r.Outcome = events.OutcomeInterrupted
		r.ArrivedAt = time.UnixMilli(arrived).UTC()
		r.EndedAt = time.UnixMilli(last).UTC()
		r.IVREndedAt, r.QueuedAt, r.AnsweredAt = msTime(ivrEnded), msTime(queued), msTime(answered)
		switch {
		case r.QueuedAt != nil:
			r.IVRSec = r.QueuedAt.Sub(r.ArrivedAt).Seconds()
			to := r.EndedAt
			if r.AnsweredAt != nil {
				to = *r.AnsweredAt
			}
			r.WaitSec = to.Sub(*r.QueuedAt).Seconds()
		default:
			r.IVRSec = r.EndedAt.Sub(r.ArrivedAt).Seconds()
		}
		out = append(out, events.New(r, r.EndedAt, source, tenant))
	}
	return out, rows.Err()
}

func msTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := time.UnixMilli(v.Int64).UTC()
	return &t
}
