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

// MaxTokenLifetime is the longest an API token may be valid: a machine's credential is
// renewed at least once a year.
const MaxTokenLifetime = 366 * 24 * time.Hour

// APIToken is an API token as listed: never the token itself, which only its creation shows.
type APIToken struct {
	ID        string       `json:"id"`
	User      string       `json:"user"`
	Role      httpapi.Role `json:"role"`
	Tenant    string       `json:"tenant"`
	AgentID   string       `json:"agent_id,omitempty"`
	CreatedBy string       `json:"created_by"`
	CreatedAt time.Time    `json:"created_at"`
	Expires   time.Time    `json:"expires"`
	RevokedAt *time.Time   `json:"revoked_at,omitempty"`
}

// CreateToken makes an API token for t's user, role, centre and agent id, valid until
// t.Expires (required, at most MaxTokenLifetime ahead); it returns the token, shown only now.
func (s *Store) CreateToken(ctx context.Context, t APIToken) (APIToken, string, error) {
	u := User{Name: t.User, Role: t.Role, Tenant: t.Tenant, AgentID: t.AgentID}
	if err := u.check(); err != nil {
		return APIToken{}, "", err
	}
	now := s.now()
	switch {
	case !t.Expires.After(now):
		return APIToken{}, "", &InputError{"expires", "must be in the future"}
	case t.Expires.Sub(now) > MaxTokenLifetime:
		return APIToken{}, "", &InputError{"expires", fmt.Sprintf("more than %d days ahead", MaxTokenLifetime/(24*time.Hour))}
	}
	id, err := randomToken("")
	if err != nil {
		return APIToken{}, "", err
	}
	t.ID, t.CreatedAt, t.RevokedAt = id[:12], now.UTC(), nil
	token, err := randomToken("hlt_")
	if err != nil {
		return APIToken{}, "", err
	}
	err = s.db.Update(ctx, func(tx *statedb.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, hash, user, role, tenant, agent_id, created_by, created_ms, expires_ms)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, hashToken(token), t.User, t.Role, t.Tenant, t.AgentID, t.CreatedBy, ms(now), ms(t.Expires))
		return err
	})
	if err != nil {
		return APIToken{}, "", fmt.Errorf("creating a token for %s: %w", t.User, err)
	}
	t.Expires = t.Expires.UTC()
	return t, token, nil
}

const tokenColumns = "id, user, role, tenant, agent_id, created_by, created_ms, expires_ms, revoked_ms"

func scanToken(row scanner) (APIToken, error) {
	var t APIToken
	var created, expires, revoked int64
	if err := row.Scan(&t.ID, &t.User, &t.Role, &t.Tenant, &t.AgentID, &t.CreatedBy, &created, &expires, &revoked); err != nil {
		return APIToken{}, err
	}
	t.CreatedAt, t.Expires = fromMS(created), fromMS(expires)
	if revoked != 0 {
		r := fromMS(revoked)
		t.RevokedAt = &r
	}
	return t, nil
}

// Tokens lists the API tokens of centre tenant ("" for all), newest first.
func (s *Store) Tokens(ctx context.Context, tenant string) ([]APIToken, error) {
	out := []APIToken{}
	err := s.view(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE ? = '' OR tenant = ? ORDER BY created_ms DESC, id", tenant, tenant)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanToken(rows)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("listing API tokens: %w", err)
	}
	return out, nil
}

// TokenByID returns the token with id.
func (s *Store) TokenByID(ctx context.Context, id string) (APIToken, error) {
	var t APIToken
	err := s.view(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = scanToken(tx.QueryRowContext(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE id = ?", id))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return APIToken{}, fmt.Errorf("token %s %w", id, ErrNotFound)
	}
	return t, err
}

// RevokeToken stops the token id authenticating, at once and for good.
func (s *Store) RevokeToken(ctx context.Context, id string) error {
	err := s.db.Update(ctx, func(tx *statedb.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE api_tokens SET revoked_ms = ? WHERE id = ? AND revoked_ms = 0", ms(s.now()), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("token %s %w (or already revoked)", id, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("revoking token %s: %w", id, err)
	}
	return nil
}

// Token returns the principal of an API token that is neither expired nor revoked. With
// Session it makes Store an httpapi.Authenticator.
func (s *Store) Token(ctx context.Context, token string) (httpapi.Principal, bool, error) {
	var t APIToken
	err := s.view(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = scanToken(tx.QueryRowContext(ctx, "SELECT "+tokenColumns+" FROM api_tokens WHERE hash = ?", hashToken(token)))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return httpapi.Principal{}, false, nil
	}
	if err != nil {
		return httpapi.Principal{}, false, fmt.Errorf("reading an API token: %w", err)
	}
	if t.RevokedAt != nil || !s.now().Before(t.Expires) {
		return httpapi.Principal{}, false, nil
	}
	return httpapi.Principal{User: t.User, Role: t.Role, AgentID: t.AgentID, Tenant: t.Tenant}, true, nil
}
