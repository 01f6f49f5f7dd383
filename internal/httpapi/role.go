// Package httpapi is the one HTTP server every hotline part mounts its endpoints on: bearer-token
// and session-cookie authentication (CSRF-checked), per-endpoint role and centre checks, the
// audit log of changes and personal-data reads, optional TLS, a self-describing endpoint index, JSON helpers,
// request logging, panic recovery, Prometheus metrics and health checks.
package httpapi

import (
	"context"
	"fmt"
	"strings"
)

// Role is what a user may do. Endpoints list the roles they allow; there is no hierarchy, so an
// admin only reaches what names RoleAdmin.
type Role string

const (
	RoleAdmin    Role = "admin"    // runs the services: queues, skills, IVR, scorecards, users
	RoleManager  Role = "manager"  // hotline manager: KPIs, reports, agent performance
	RoleQA       Role = "qa"       // quality assurance: recordings, scoring, calibration
	RoleMarketer Role = "marketer" // builds segments and campaigns
	RoleAgent    Role = "agent"    // takes and makes calls; sees only their own work
	RoleAuditor  Role = "auditor"  // reads the audit log: who read, exported or changed what
)

// Roles returns every role, in a fixed order.
func Roles() []Role {
	return []Role{RoleAdmin, RoleManager, RoleQA, RoleMarketer, RoleAgent, RoleAuditor}
}

// ParseRole returns the Role named s, or an error listing the valid names.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles() {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (want one of %s)", s, joinRoles(Roles()))
}

func joinRoles(roles []Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// Principal is who made a request.
type Principal struct {
	User    string `json:"user"`               // login name, for logs and audit
	Role    Role   `json:"role"`               // what they may do
	AgentID string `json:"agent_id,omitempty"` // the agent they are; set for RoleAgent only
	// Tenant is the centre whose data they may see (a tenant code such as "GD"), or AllTenants
	// for head office. Never empty: a principal without a centre would otherwise see them all.
	Tenant string `json:"tenant"`
	// MustChangePassword is set for a person signed in with a password an administrator or the
	// first start chose: until they change it they may call only the endpoints marked
	// PasswordChange. Never set for API tokens.
	MustChangePassword bool `json:"-"`
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p. The server does this for every authenticated request;
// handler tests use it to call a handler directly.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal of an authenticated request; ok is false on public
// endpoints.
func PrincipalFrom(ctx context.Context) (p Principal, ok bool) {
	p, ok = ctx.Value(principalKey{}).(Principal)
	return p, ok
}
