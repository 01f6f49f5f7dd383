package accounts

import (
	"context"
	"fmt"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// Credential is a user created at first start, with the password to show once.
type Credential struct {
	User     string
	Role     httpapi.Role
	Tenant   string
	Password string
}

// InitialAdmin is the administrator Bootstrap creates.
const InitialAdmin = "admin"

// Bootstrap lets the first person in. When there are no users yet it creates InitialAdmin, an
// administrator of head office with a random password to change at first sign-in, and, when
// demoCentre is set, one user of every other role in that centre (demo-manager, demo-qa, …;
// demo-agent is agent demoAgent), for trying hotline out. It returns them with their passwords,
// which are stored only hashed and must be shown now; with users already there it creates and
// returns nothing, so no one gets in by restarting.
func (s *Store) Bootstrap(ctx context.Context, demoCentre, demoAgent string) ([]Credential, error) {
	n, err := s.CountUsers(ctx)
	if err != nil || n > 0 {
		return nil, err
	}
	users := []User{{Name: InitialAdmin, Role: httpapi.RoleAdmin, Tenant: httpapi.AllTenants}}
	if demoCentre != "" {
		for _, r := range httpapi.Roles() {
			if r == httpapi.RoleAdmin {
				continue // the administrator is the one above, whose password must change
			}
			u := User{Name: "demo-" + string(r), Role: r, Tenant: demoCentre}
			if r == httpapi.RoleAgent {
				u.AgentID = demoAgent
			}
			users = append(users, u)
		}
	}
	var out []Credential
	for _, u := range users {
		password, err := s.addUser(ctx, u, "", u.Role == httpapi.RoleAdmin)
		if err != nil {
			return nil, fmt.Errorf("creating the first users: %w", err)
		}
		out = append(out, Credential{User: u.Name, Role: u.Role, Tenant: u.Tenant, Password: password})
	}
	return out, nil
}
