package accounts

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// Record appends e to the audit log, durably before it returns: it makes Store an
// httpapi.Auditor.
func (s *Store) Record(ctx context.Context, e httpapi.AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = s.now()
	}
	err := s.db.Update(ctx, func(tx *statedb.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO audit_log (at_ms, user, role, tenant, client, action, object, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			ms(e.Time), e.User, e.Role, e.Tenant, e.Client, clip(e.Action), clip(e.Object), clip(e.Detail))
		return err
	})
	if err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	return nil
}

// clip bounds a field so one request cannot fill the log.
func clip(s string) string {
	const max = 1000
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}

// AuditQuery selects audit entries; zero fields select everything.
type AuditQuery struct {
	Tenant string // the actor's centre
	User   string
	Action string // a prefix: "POST", "GET /api/qa/recordings", "user."
	From   time.Time
	To     time.Time // exclusive
	Before int64     // page: entries older than this sequence number
	Limit  int       // 1..1000, default 100
}

// AuditRecord is an entry with its sequence number, which pages through the log.
type AuditRecord struct {
	Seq int64 `json:"seq"`
	httpapi.AuditEntry
}

// Audit returns entries matching q, newest first.
func (s *Store) Audit(ctx context.Context, q AuditQuery) ([]AuditRecord, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	var where []string
	var args []any
	add := func(cond string, v any) { where = append(where, cond); args = append(args, v) }
	if q.Tenant != "" {
		add("tenant = ?", q.Tenant)
	}
	if q.User != "" {
		add("user = ?", q.User)
	}
	if q.Action != "" {
		add("substr(action, 1, ?) = ?", len(q.Action))
		args = append(args, q.Action)
	}
	if !q.From.IsZero() {
		add("at_ms >= ?", ms(q.From))
	}
	if !q.To.IsZero() {
		add("at_ms < ?", ms(q.To))
	}
	if q.Before > 0 {
		add("seq < ?", q.Before)
	}
	query := "SELECT seq, at_ms, user, role, tenant, client, action, object, detail FROM audit_log"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY seq DESC LIMIT ?"
	args = append(args, q.Limit)
	out := []AuditRecord{}
	err := s.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r AuditRecord
			var at int64
			if err := rows.Scan(&r.Seq, &at, &r.User, &r.Role, &r.Tenant, &r.Client, &r.Action, &r.Object, &r.Detail); err != nil {
				return err
			}
			r.Time = fromMS(at)
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	return out, nil
}

// TrimAudit deletes the audit entries older than before (the retention policy's audit_log
// period) and returns how many; with dryRun it only counts. The retention job then writes its
// own entry saying so, so the trail shows when and how far it was cut.
func (s *Store) TrimAudit(ctx context.Context, before time.Time, dryRun bool) (int64, error) {
	var n int64
	err := s.view(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM audit_log WHERE at_ms < ?", ms(before)).Scan(&n)
	})
	if err != nil {
		return 0, fmt.Errorf("counting old audit entries: %w", err)
	}
	if dryRun || n == 0 {
		return n, nil
	}
	err = s.db.Update(ctx, func(tx *statedb.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM audit_log WHERE at_ms < ?", ms(before))
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("deleting old audit entries: %w", err)
	}
	return n, nil
}
