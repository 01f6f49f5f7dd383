package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// Session is a signed-in person's session; ID is shown once, in the cookie.
type Session struct {
	ID      string
	User    User
	Expires time.Time
}

// SignIn checks name's password and opens a session. A wrong password counts towards the
// lockout; a locked account is refused without looking at the password, so guessing stops.
func (s *Store) SignIn(ctx context.Context, name, password string) (Session, error) {
	var hash string
	var u User
	var failures int
	err := s.view(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = s.scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE name = ?", name))
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT password_hash, failures FROM users WHERE name = ?", name).Scan(&hash, &failures)
	})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Session{}, fmt.Errorf("signing in: %w", err)
	}
	if u.LockedUntil != nil {
		return Session{}, &LockedError{Until: *u.LockedUntil}
	}
	release, serr := s.slot(ctx)
	if serr != nil {
		return Session{}, serr
	}
	if errors.Is(err, sql.ErrNoRows) {
		_, _ = checkPassword(password, s.dummy) // as long as a known user's check
		release()
		return Session{}, ErrBadCredentials
	}
	ok, err := checkPassword(password, hash)
	release()
	if err != nil {
		return Session{}, fmt.Errorf("signing in %s: %w", name, err)
	}
	if !ok {
		return Session{}, s.failed(ctx, name)
	}
	if u.Disabled {
		return Session{}, ErrBadCredentials
	}
	id, err := randomToken("")
	if err != nil {
		return Session{}, err
	}
	now := s.now()
	expires := s.expiry(now, now)
	err = s.db.Update(ctx, func(tx *statedb.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET failures = 0 WHERE name = ?", name); err != nil {
			return err
		}
		// Housekeeping: this user's ended sessions go when a new one starts.
		if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user = ? AND expires_ms <= ?", name, ms(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO sessions (id_hash, user, created_ms, seen_ms, expires_ms) VALUES (?, ?, ?, ?, ?)",
			hashToken(id), name, ms(now), ms(now), ms(expires))
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("opening a session for %s: %w", name, err)
	}
	return Session{ID: id, User: u, Expires: expires}, nil
}

// failed counts a wrong password for name and locks the account at the limit.
func (s *Store) failed(ctx context.Context, name string) error {
	var lockedUntil time.Time
	err := s.db.Update(ctx, func(tx *statedb.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "UPDATE users SET failures = failures + 1 WHERE name = ? RETURNING failures", name).Scan(&n); err != nil {
			return err
		}
		if n < s.cfg.LockoutFailures {
			return nil
		}
		lockedUntil = s.now().Add(s.cfg.LockoutFor)
		_, err := tx.ExecContext(ctx, "UPDATE users SET failures = 0, locked_until_ms = ? WHERE name = ?", ms(lockedUntil), name)
		return err
	})
	if err != nil {
		return fmt.Errorf("counting a failed sign-in of %s: %w", name, err)
	}
	if !lockedUntil.IsZero() {
		s.log.Warn("account locked after repeated wrong passwords", "user", name, "until", lockedUntil)
		return &LockedError{Until: lockedUntil}
	}
	return ErrBadCredentials
}

// expiry is when a session created at created and used at seen ends.
func (s *Store) expiry(created, seen time.Time) time.Time {
	idle, max := seen.Add(s.cfg.SessionIdle), created.Add(s.cfg.SessionMax)
	if idle.Before(max) {
		return idle
	}
	return max
}

// Session returns the principal of the session id, extending its idle expiry (at most once a
// minute, so reads do not each write); ok is false for an unknown or ended session or a
// disabled user. It makes Store an httpapi.Authenticator.
func (s *Store) Session(ctx context.Context, id string) (httpapi.Principal, bool, error) {
	u, sess, err := s.session(ctx, id)
	if err != nil || sess.ID == "" {
		return httpapi.Principal{}, false, err
	}
	return u.Principal(), true, nil
}

type sessionRow struct {
	ID               string // the hash
	Created, Expires time.Time
}

func (s *Store) session(ctx context.Context, id string) (User, sessionRow, error) {
	h := hashToken(id)
	var u User
	var created, seen, expires int64
	err := s.view(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT user, created_ms, seen_ms, expires_ms FROM sessions WHERE id_hash = ?", h).Scan(&u.Name, &created, &seen, &expires); err != nil {
			return err
		}
		var err error
		u, err = s.scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE name = ?", u.Name))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, sessionRow{}, nil
	}
	if err != nil {
		return User{}, sessionRow{}, fmt.Errorf("reading a session: %w", err)
	}
	now := s.now()
	if !now.Before(fromMS(expires)) || u.Disabled {
		return User{}, sessionRow{}, nil
	}
	row := sessionRow{ID: h, Created: fromMS(created), Expires: fromMS(expires)}
	if now.Sub(fromMS(seen)) >= time.Minute {
		row.Expires = s.expiry(row.Created, now)
		err := s.db.Update(ctx, func(tx *statedb.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE sessions SET seen_ms = ?, expires_ms = ? WHERE id_hash = ?", ms(now), ms(row.Expires), h)
			return err
		})
		if err != nil {
			return User{}, sessionRow{}, fmt.Errorf("extending a session: %w", err)
		}
	}
	return u, row, nil
}

// SignOut ends the session id.
func (s *Store) SignOut(ctx context.Context, id string) error {
	err := s.db.Update(ctx, func(tx *statedb.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE id_hash = ?", hashToken(id))
		return err
	})
	if err != nil {
		return fmt.Errorf("signing out: %w", err)
	}
	return nil
}

// ChangePassword sets name's password to next after checking current (a wrong one counts
// towards the lockout), and ends every other session of theirs: whoever else knew the old
// password is signed out.
func (s *Store) ChangePassword(ctx context.Context, name, current, next, sessionID string) error {
	if err := checkNewPassword(name, next); err != nil {
		return &InputError{"new_password", err.Error()}
	}
	if current == next {
		return &InputError{"new_password", "is the current password"}
	}
	var hash string
	var locked int64
	err := s.view(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT password_hash, locked_until_ms FROM users WHERE name = ?", name).Scan(&hash, &locked)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("user %s %w", name, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("changing the password of %s: %w", name, err)
	}
	if until := fromMS(locked); until.After(s.now()) {
		return &LockedError{Until: until}
	}
	release, err := s.slot(ctx)
	if err != nil {
		return err
	}
	ok, err := checkPassword(current, hash)
	release()
	if err != nil {
		return fmt.Errorf("changing the password of %s: %w", name, err)
	}
	if !ok {
		if err := s.failed(ctx, name); !errors.Is(err, ErrBadCredentials) {
			return err
		}
		return &InputError{"current_password", "is wrong"}
	}
	if err := s.setPassword(ctx, name, next, false, hashToken(sessionID)); err != nil {
		return fmt.Errorf("changing the password of %s: %w", name, err)
	}
	return nil
}
