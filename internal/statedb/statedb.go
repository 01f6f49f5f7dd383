// Package statedb keeps the working state people create and change — campaigns and their
// progress, do-not-call entries, scorecards, evaluations, disputes, calibration sessions, users —
// in one SQLite file under the data directory, so a clean stop or a SIGKILL loses nothing that was
// acknowledged.
//
// Why SQLite (modernc.org/sqlite, pure Go) rather than rebuilding from events: the embedded broker
// of `hotline run` is in memory and ClickHouse holds an event only after ingest's next flush, so a
// change answered 2xx a moment before a kill would be gone. Why not a server such as PostgreSQL:
// the state is small and written by the one process that serves the API; a file with WAL and
// synchronous=FULL commits durably with nothing more to run, back up or secure.
//
// Each domain owns its tables and passes its own migration steps to Migrate. A change that must
// also tell the rest of hotline publishes its events through Tx.Publish: they are written to an
// outbox in the same transaction and relayed to Kafka by RunOutbox, so the state and its events
// are both there or neither; a relay interrupted between Kafka's acknowledgement and the outbox
// delete sends an event again with the same event_id, which ingest stores once.
package statedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is an open state file: one writer connection (SQLite serialises writers anyway, and one
// connection never meets SQLITE_BUSY from itself) and a small pool of readers, which WAL lets run
// beside the writer.
type DB struct {
	path   string
	writer *sql.DB
	reader *sql.DB
	// wake tells the outbox relay that a transaction queued events.
	wake chan struct{}
	now  func() time.Time
}

// Option changes how Open sets up the DB.
type Option func(*DB)

// WithNow sets the clock that stamps outbox rows (default time.Now).
func WithNow(now func() time.Time) Option { return func(d *DB) { d.now = now } }

// Open opens (creating if needed) the state file at path, with its directory.
func Open(ctx context.Context, path string, opts ...Option) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("creating the state directory: %w", err)
	}
	pragmas := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(1)"} {
		pragmas.Add("_pragma", p)
	}
	dsn := "file:" + path + "?" + pragmas.Encode()
	writer, err := sql.Open("sqlite", dsn+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("opening state file %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	reader, err := sql.Open("sqlite", dsn+"&_pragma=query_only(1)")
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("opening state file %s: %w", path, err)
	}
	reader.SetMaxOpenConns(4)
	d := &DB{path: path, writer: writer, reader: reader, wake: make(chan struct{}, 1), now: time.Now}
	for _, o := range opts {
		o(d)
	}
	if err := d.Migrate(ctx, "statedb", []string{outboxSchema}); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Path is the state file's path.
func (d *DB) Path() string { return d.path }

// Close checkpoints the write-ahead log into the main file and closes the connections.
func (d *DB) Close() error {
	_, cerr := d.writer.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	err := errors.Join(d.reader.Close(), d.writer.Close())
	if err == nil && cerr != nil {
		err = fmt.Errorf("checkpointing %s: %w", d.path, cerr)
	}
	return err
}

// Migrate applies owner's steps it has not applied yet, each in its own transaction with its
// version recorded, so a crash mid-way resumes at the step that did not commit. Steps are only
// ever appended: step i is version i+1.
func (d *DB) Migrate(ctx context.Context, owner string, steps []string) error {
	if _, err := d.writer.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		owner TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (owner, version))`); err != nil {
		return fmt.Errorf("creating the migrations table of %s: %w", d.path, err)
	}
	var have int
	if err := d.writer.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations WHERE owner = ?", owner).Scan(&have); err != nil {
		return fmt.Errorf("reading the schema version of %s: %w", owner, err)
	}
	if have > len(steps) {
		return fmt.Errorf("state file %s has %s schema version %d, newer than this binary's %d: use a newer hotline", d.path, owner, have, len(steps))
	}
	for v := have + 1; v <= len(steps); v++ {
		err := d.Update(ctx, func(tx *Tx) error {
			if _, err := tx.ExecContext(ctx, steps[v-1]); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (owner, version, applied_at) VALUES (?, ?, ?)", owner, v, d.now().UTC().Format(time.RFC3339))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrating %s to version %d: %w", owner, v, err)
		}
	}
	return nil
}

// Tx is a write transaction; Publish queues events to go out with it.
type Tx struct {
	*sql.Tx
	db      *DB
	queued  int
	enqueue *sql.Stmt
}

// Update runs fn in a write transaction and commits it durably if fn returns nil; otherwise
// nothing fn did, events included, is kept.
func (d *DB) Update(ctx context.Context, fn func(tx *Tx) error) error {
	stx, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("starting a transaction on %s: %w", d.path, err)
	}
	tx := &Tx{Tx: stx, db: d}
	if err := fn(tx); err != nil {
		_ = stx.Rollback()
		return err
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("committing to %s: %w", d.path, err)
	}
	if tx.queued > 0 {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
	return nil
}

// View runs fn on a read-only connection; it sees what was committed before it started.
func (d *DB) View(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("starting a read on %s: %w", d.path, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	return fn(tx)
}
