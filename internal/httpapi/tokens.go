package httpapi

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
)

// MinTokenLength is the shortest token accepted, so that a typo like "test" never becomes a
// credential that guards customer data.
const MinTokenLength = 16

// Tokens maps bearer tokens to principals. It stores only the SHA-256 of each token: a lookup
// hashes the presented token and indexes a map, so the time it takes says nothing about how
// much of a real token an attacker guessed, and a memory dump does not reveal tokens.
// Safe for concurrent use.
type Tokens struct {
	now    func() time.Time
	mu     sync.RWMutex
	byHash map[[sha256.Size]byte]tokenEntry
}

type tokenEntry struct {
	p       Principal
	expires time.Time // zero: until the process stops
}

// NewTokens returns an empty token set on the wall clock.
func NewTokens() *Tokens { return NewTokensAt(time.Now) }

// NewTokensAt returns an empty token set whose expiry checks read now.
func NewTokensAt(now func() time.Time) *Tokens {
	return &Tokens{now: now, byHash: make(map[[sha256.Size]byte]tokenEntry)}
}

// Add makes token authenticate as p. It rejects short tokens, invalid principals and a token
// that is already present.
func (t *Tokens) Add(token string, p Principal) error { return t.AddExpiring(token, p, time.Time{}) }

// AddExpiring is Add for a token that stops authenticating at expires (zero: never).
func (t *Tokens) AddExpiring(token string, p Principal, expires time.Time) error {
	if len(token) < MinTokenLength {
		return fmt.Errorf("token for user %q is %d characters, want at least %d", p.User, len(token), MinTokenLength)
	}
	if err := p.validate(); err != nil {
		return err
	}
	h := sha256.Sum256([]byte(token))
	t.mu.Lock()
	defer t.mu.Unlock()
	if prev, ok := t.byHash[h]; ok {
		return fmt.Errorf("token for user %q is already used by user %q", p.User, prev.p.User)
	}
	t.byHash[h] = tokenEntry{p: p, expires: expires}
	return nil
}

// Generate creates a random token for p, adds it and returns it. `make run` uses this to print
// one demo token per role.
func (t *Tokens) Generate(p Principal) (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating token: %w", err)
	}
	token := "hl_" + hex.EncodeToString(b)
	if err := t.Add(token, p); err != nil {
		return "", err
	}
	return token, nil
}

// Lookup returns the principal token authenticates as; an expired token authenticates no one.
func (t *Tokens) Lookup(token string) (Principal, bool) {
	h := sha256.Sum256([]byte(token))
	t.mu.RLock()
	e, ok := t.byHash[h]
	t.mu.RUnlock()
	if !ok || (!e.expires.IsZero() && !t.now().Before(e.expires)) {
		return Principal{}, false
	}
	return e.p, true
}

// Len returns how many tokens are known.
func (t *Tokens) Len() int {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return len(t.byHash)
}

func (p Principal) validate() error {
	if p.User == "" {
		return errors.New("user is empty")
	}
	if _, err := ParseRole(string(p.Role)); err != nil {
		return err
	}
	if p.Role == RoleAgent && p.AgentID == "" {
		return fmt.Errorf("user %q has role agent but no agent_id", p.User)
	}
	if err := ValidateTenant(p.Tenant); err != nil {
		return fmt.Errorf("user %q: %w", p.User, err)
	}
	return nil
}

// tokensFile is the YAML format of a tokens file:
//
//	tokens:
//	  - token: 6f1c…          # at least MinTokenLength characters
//	    user: li.na
//	    role: agent           # admin, manager, qa, marketer, agent or auditor
//	    agent_id: "1007"      # required for role agent
//	    tenant: GD            # required: the centre's code, or "*" (quoted) for head office
//	    expires: 2026-12-31   # optional: a date (UTC midnight) or RFC 3339 time; never when absent
type tokensFile struct {
	Tokens []struct {
		Token   string `yaml:"token"`
		User    string `yaml:"user"`
		Role    string `yaml:"role"`
		AgentID string `yaml:"agent_id"`
		Tenant  string `yaml:"tenant"`
		Expires string `yaml:"expires"`
	} `yaml:"tokens"`
}

// parseExpiry reads a tokens file's expires: a date or an RFC 3339 time.
func parseExpiry(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("expires %q is neither a date (2026-12-31) nor an RFC 3339 time (2026-12-31T18:00:00+08:00)", s)
	}
	return t, nil
}

// LoadFile adds every token of the YAML file at path. On any error nothing is added, and the
// error names the file, the entry (number, line and user) and what is wrong with it.
func (t *Tokens) LoadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("loading tokens: %w", err)
	}
	var f tokensFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return fmt.Errorf("loading tokens: %s: %w", path, err)
	}
	// A second, untyped parse only to say on which line each entry starts.
	var doc struct {
		Tokens []yaml.Node `yaml:"tokens"`
	}
	_ = yaml.Unmarshal(data, &doc)

	staged := NewTokens()
	for i, e := range f.Tokens {
		where := fmt.Sprintf("entry %d", i+1)
		if i < len(doc.Tokens) {
			where = fmt.Sprintf("%s:%d: entry %d", path, doc.Tokens[i].Line, i+1)
		} else {
			where = path + ": " + where
		}
		if e.User != "" {
			where += fmt.Sprintf(" (user %q)", e.User)
		}
		if e.Token == "" {
			return fmt.Errorf("loading tokens: %s: token is empty", where)
		}
		p := Principal{User: e.User, Role: Role(e.Role), AgentID: e.AgentID, Tenant: e.Tenant}
		expires, err := parseExpiry(e.Expires)
		if err != nil {
			return fmt.Errorf("loading tokens: %s: %w", where, err)
		}
		if err := staged.AddExpiring(e.Token, p, expires); err != nil {
			return fmt.Errorf("loading tokens: %s: %w", where, err)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for h, e := range staged.byHash {
		if prev, ok := t.byHash[h]; ok {
			return fmt.Errorf("loading tokens: %s: token of user %q is already used by user %q", path, e.p.User, prev.p.User)
		}
	}
	for h, e := range staged.byHash {
		t.byHash[h] = e
	}
	return nil
}
