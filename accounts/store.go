// Package accounts is who may use hotline: people who sign in with a password (argon2id), their
// sessions, the API tokens machines use, and the audit log of who read, exported or changed what.
// All of it lives in the state file (statedb), so a restart keeps users signed in and the audit
// log complete.
//
// A session id and an API token are shown to their owner once and stored only as SHA-256: they
// are 256 random bits, so a fast hash is enough, and a copy of the state file lets no one in.
package accounts

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// Config is how sessions and lockout behave.
type Config struct {
	// SessionIdle ends a session nobody used for this long.
	SessionIdle time.Duration
	// SessionMax ends a session this long after sign-in, used or not.
	SessionMax time.Duration
	// LockoutFailures wrong passwords in a row lock an account for LockoutFor.
	LockoutFailures int
	LockoutFor      time.Duration
	// Hash are the argon2id costs of new password hashes.
	Hash HashParams
}

// DefaultConfig: a working day's session that ends after half an hour unused, five tries then
// fifteen minutes' wait.
func DefaultConfig() Config {
	return Config{SessionIdle: 30 * time.Minute, SessionMax: 12 * time.Hour, LockoutFailures: 5, LockoutFor: 15 * time.Minute,
		Hash: DefaultHashParams}
}

// Validate names the first bad setting.
func (c Config) Validate() error {
	switch {
	case c.SessionIdle < time.Minute:
		return fmt.Errorf("accounts.session_idle: %s is shorter than a minute", c.SessionIdle)
	case c.SessionMax < c.SessionIdle:
		return fmt.Errorf("accounts.session_max: %s is shorter than session_idle %s", c.SessionMax, c.SessionIdle)
	case c.LockoutFailures < 1 || c.LockoutFailures > 100:
		return fmt.Errorf("accounts.lockout_failures: %d is not in 1..100", c.LockoutFailures)
	case c.LockoutFor < time.Minute || c.LockoutFor > 24*time.Hour:
		return fmt.Errorf("accounts.lockout_for: %s is not between a minute and a day", c.LockoutFor)
	case c.Hash.Time < 1 || c.Hash.Memory < 8 || c.Hash.Threads < 1:
		return fmt.Errorf("accounts: argon2id parameters %+v are below the minimum (t=1, m=8 KiB, p=1)", c.Hash)
	}
	return nil
}

var schema = []string{
	`CREATE TABLE users (
		name TEXT PRIMARY KEY,
		role TEXT NOT NULL,
		tenant TEXT NOT NULL,
		agent_id TEXT NOT NULL DEFAULT '',
		password_hash TEXT NOT NULL,
		must_change INTEGER NOT NULL DEFAULT 0,
		disabled INTEGER NOT NULL DEFAULT 0,
		failures INTEGER NOT NULL DEFAULT 0,
		locked_until_ms INTEGER NOT NULL DEFAULT 0,
		created_ms INTEGER NOT NULL,
		password_changed_ms INTEGER NOT NULL
	);
	CREATE TABLE sessions (
		id_hash TEXT PRIMARY KEY,
		user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
		created_ms INTEGER NOT NULL,
		seen_ms INTEGER NOT NULL,
		expires_ms INTEGER NOT NULL
	);
	CREATE INDEX sessions_user ON sessions(user);
	CREATE TABLE api_tokens (
		id TEXT PRIMARY KEY,
		hash TEXT NOT NULL UNIQUE,
		user TEXT NOT NULL,
		role TEXT NOT NULL,
		tenant TEXT NOT NULL,
		agent_id TEXT NOT NULL DEFAULT '',
		created_by TEXT NOT NULL,
		created_ms INTEGER NOT NULL,
		expires_ms INTEGER NOT NULL,
		revoked_ms INTEGER NOT NULL DEFAULT 0
	);
	CREATE TABLE audit_log (
		seq INTEGER PRIMARY KEY AUTOINCREMENT,
		at_ms INTEGER NOT NULL,
		user TEXT NOT NULL,
		role TEXT NOT NULL,
		tenant TEXT NOT NULL,
		client TEXT NOT NULL,
		action TEXT NOT NULL,
		object TEXT NOT NULL,
		detail TEXT NOT NULL
	);
	CREATE INDEX audit_log_at ON audit_log(at_ms);`,
}

// Store is the accounts in a state file. Safe for concurrent use.
type Store struct {
	db    *statedb.DB
	clk   clock.Clock
	cfg   Config
	log   *slog.Logger
	dummy string // a hash to check unknown users' passwords against, so they take as long
	// hashing bounds the password hashes computed at once: each takes Hash.Memory, so a burst
	// of sign-ins queues rather than exhausting memory.
	hashing chan struct{}
}

// maxHashing is how many password hashes run at once.
const maxHashing = 4

// slot waits for a turn to hash a password; release it when done.
func (s *Store) slot(ctx context.Context) (release func(), err error) {
	select {
	case s.hashing <- struct{}{}:
		return func() { <-s.hashing }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting to check a password: %w", ctx.Err())
	}
}

// Open migrates the accounts tables of db and returns the store.
func Open(ctx context.Context, db *statedb.DB, clk clock.Clock, cfg Config, log *slog.Logger) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, "accounts", schema); err != nil {
		return nil, err
	}
	dummy, err := hashPassword("no user has this password", cfg.Hash)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	return &Store{db: db, clk: clk, cfg: cfg, log: log, dummy: dummy, hashing: make(chan struct{}, maxHashing)}, nil
}

var (
	// ErrBadCredentials is a sign-in with an unknown user, a wrong password or a disabled
	// account: the caller is not told which.
	ErrBadCredentials = errors.New("wrong user name or password")
	ErrNotFound       = errors.New("not found")
	ErrExists         = errors.New("already exists")
)

// LockedError is a sign-in to an account locked after too many wrong passwords.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("too many wrong passwords: account locked until %s", e.Until.UTC().Format(time.RFC3339))
}

// InputError is a request whose field is wrong; the API answers 400 with it.
type InputError struct{ Field, Problem string }

func (e *InputError) Error() string { return e.Field + ": " + e.Problem }

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

func hashToken(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func (s *Store) now() time.Time { return s.clk.Now() }

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func (s *Store) view(ctx context.Context, fn func(tx *sql.Tx) error) error { return s.db.View(ctx, fn) }
