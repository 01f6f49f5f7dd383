package accounts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// User is a person who signs in.
type User struct {
	Name               string       `json:"user"`
	Role               httpapi.Role `json:"role"`
	Tenant             string       `json:"tenant"`
	AgentID            string       `json:"agent_id,omitempty"`
	Disabled           bool         `json:"disabled"`
	MustChangePassword bool         `json:"must_change_password"`
	LockedUntil        *time.Time   `json:"locked_until,omitempty"`
	CreatedAt          time.Time    `json:"created_at"`
	PasswordChangedAt  time.Time    `json:"password_changed_at"`
}

// Principal is who the user is on a request.
func (u User) Principal() httpapi.Principal {
	return httpapi.Principal{User: u.Name, Role: u.Role, AgentID: u.AgentID, Tenant: u.Tenant, MustChangePassword: u.MustChangePassword}
}

var userNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._@-]{1,63}$`)

// check says what is wrong with u's name, role, centre and agent id.
func (u User) check() error {
	if !userNameRE.MatchString(u.Name) {
		return &InputError{"user", fmt.Sprintf("%q is not a user name (2 to 64 of a-z, 0-9, . _ @ -, starting with a letter or digit)", u.Name)}
	}
	if _, err := httpapi.ParseRole(string(u.Role)); err != nil {
		return &InputError{"role", err.Error()}
	}
	if err := httpapi.ValidateTenant(u.Tenant); err != nil {
		return &InputError{"tenant", err.Error()}
	}
	if u.Role == httpapi.RoleAgent && u.AgentID == "" {
		return &InputError{"agent_id", "required for role agent"}
	}
	if u.Role != httpapi.RoleAgent && u.AgentID != "" {
		return &InputError{"agent_id", "only for role agent"}
	}
	if len(u.AgentID) > 32 {
		return &InputError{"agent_id", "longer than 32"}
	}
	return nil
}

const userColumns = "name, role, tenant, agent_id, must_change, disabled, locked_until_ms, created_ms, password_changed_ms"

func (s *Store) scanUser(row scanner) (User, error) {
	var u User
	var locked, created, changed int64
	if err := row.Scan(&u.Name, &u.Role, &u.Tenant, &u.AgentID, &u.MustChangePassword, &u.Disabled, &locked, &created, &changed); err != nil {
		return User{}, err
	}
	if until := fromMS(locked); until.After(s.now()) {
		u.LockedUntil = &until
	}
	u.CreatedAt, u.PasswordChangedAt = fromMS(created), fromMS(changed)
	return u, nil
}

// CreateUser adds u with password, or with a random one when password is empty, which it
// returns; either way the user must change it at first sign-in.
func (s *Store) CreateUser(ctx context.Context, u User, password string) (string, error) {
	return s.addUser(ctx, u, password, true)
}

func (s *Store) addUser(ctx context.Context, u User, password string, mustChange bool) (string, error) {
	if err := u.check(); err != nil {
		return "", err
	}
	if password == "" {
		var err error
		if password, err = randomPassword(); err != nil {
			return "", err
		}
	} else if err := checkNewPassword(u.Name, password); err != nil {
		return "", &InputError{"password", err.Error()}
	}
	hash, err := hashPassword(password, s.cfg.Hash)
	if err != nil {
		return "", err
	}
	now := ms(s.now())
	err = s.db.Update(ctx, func(tx *statedb.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE name = ?", u.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("user %s %w", u.Name, ErrExists)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO users (name, role, tenant, agent_id, password_hash, must_change, created_ms, password_changed_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.Name, u.Role, u.Tenant, u.AgentID, hash, mustChange, now, now)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("creating user %s: %w", u.Name, err)
	}
	return password, nil
}

// User returns the user called name.
func (s *Store) User(ctx context.Context, name string) (User, error) {
	var u User
	err := s.view(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = s.scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE name = ?", name))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %s %w", name, ErrNotFound)
	}
	return u, err
}

// Users lists the users of centre tenant ("" for all), by name.
func (s *Store) Users(ctx context.Context, tenant string) ([]User, error) {
	out := []User{}
	err := s.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+userColumns+" FROM users WHERE ? = '' OR tenant = ? ORDER BY name", tenant, tenant)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := s.scanUser(rows)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("listing users: %w", err)
	}
	return out, nil
}

// CountUsers says how many users there are.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.view(ctx, func(tx *sql.Tx) error { return tx.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&n) })
	if err != nil {
		return 0, fmt.Errorf("counting users: %w", err)
	}
	return n, nil
}

// UserPatch is a change an administrator makes to a user; nil fields stay.
type UserPatch struct {
	Role     *httpapi.Role `json:"role"`
	Tenant   *string       `json:"tenant"`
	AgentID  *string       `json:"agent_id"`
	Disabled *bool         `json:"disabled"`
	// Unlock ends a lockout now.
	Unlock bool `json:"unlock"`
}

// UpdateUser applies patch to the user called name and returns the result. Disabling a user,
// or changing their role or centre, ends their sessions.
func (s *Store) UpdateUser(ctx context.Context, name string, patch UserPatch) (User, error) {
	var out User
	err := s.db.Update(ctx, func(tx *statedb.Tx) error {
		u, err := s.scanUser(tx.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE name = ?", name))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("user %s %w", name, ErrNotFound)
		}
		if err != nil {
			return err
		}
		before := u
		if patch.Role != nil {
			u.Role = *patch.Role
		}
		if patch.Tenant != nil {
			u.Tenant = *patch.Tenant
		}
		if patch.AgentID != nil {
			u.AgentID = *patch.AgentID
		}
		if patch.Disabled != nil {
			u.Disabled = *patch.Disabled
		}
		if err := u.check(); err != nil {
			return err
		}
		locked := "locked_until_ms"
		if patch.Unlock {
			locked, u.LockedUntil = "0", nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET role = ?, tenant = ?, agent_id = ?, disabled = ?, locked_until_ms = "+locked+", failures = CASE WHEN ? THEN 0 ELSE failures END WHERE name = ?",
			u.Role, u.Tenant, u.AgentID, u.Disabled, patch.Unlock, name); err != nil {
			return err
		}
		if u.Disabled || u.Role != before.Role || u.Tenant != before.Tenant || u.AgentID != before.AgentID {
			if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user = ?", name); err != nil {
				return err
			}
		}
		out = u
		return nil
	})
	if err != nil {
		return User{}, fmt.Errorf("changing user %s: %w", name, err)
	}
	return out, nil
}

// ResetPassword gives the user a new random password, which it returns, to be changed at
// the next sign-in; it ends their sessions and any lockout.
func (s *Store) ResetPassword(ctx context.Context, name string) (string, error) {
	password, err := randomPassword()
	if err != nil {
		return "", err
	}
	if err := s.setPassword(ctx, name, password, true, ""); err != nil {
		return "", fmt.Errorf("resetting the password of %s: %w", name, err)
	}
	return password, nil
}

// setPassword stores password's hash for name and ends every session of theirs but keep's.
func (s *Store) setPassword(ctx context.Context, name, password string, mustChange bool, keep string) error {
	hash, err := hashPassword(password, s.cfg.Hash)
	if err != nil {
		return err
	}
	return s.db.Update(ctx, func(tx *statedb.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ?, must_change = ?, failures = 0, locked_until_ms = 0, password_changed_ms = ? WHERE name = ?",
			hash, mustChange, ms(s.now()), name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %s %w", name, ErrNotFound)
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM sessions WHERE user = ? AND id_hash != ?", name, keep)
		return err
	})
}
