package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

func TestTokensLoadFile(t *testing.T) {
	tokens := httpapi.NewTokens()
	if err := tokens.LoadFile("testdata/tokens.yaml"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		token string
		want  httpapi.Principal
		ok    bool
	}{
		{"admin-token-0123456789", httpapi.Principal{User: "wang.admin", Role: httpapi.RoleAdmin, Tenant: httpapi.AllTenants}, true},
		{"agent-token-0123456789", httpapi.Principal{User: "li.na", Role: httpapi.RoleAgent, AgentID: "1007", Tenant: "GD"}, true},
		{"qa-token-0123456789abc", httpapi.Principal{User: "zhao.qa", Role: httpapi.RoleQA, Tenant: "GD"}, true},
		{"admin-token-012345678", httpapi.Principal{}, false},
		{"expired-token-0123456789", httpapi.Principal{}, false}, // expires: 2020-01-01
		{"", httpapi.Principal{}, false},
	}
	for _, tt := range tests {
		got, ok := tokens.Lookup(tt.token)
		if ok != tt.ok || got != tt.want {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v, %v", tt.token, got, ok, tt.want, tt.ok)
		}
	}
	if n := tokens.Len(); n != 4 {
		t.Errorf("Len = %d, want 4", n)
	}
}

func TestTokensLoadFileErrors(t *testing.T) {
	tests := []struct {
		file string
		want string
	}{
		{"tokens_unknown_role.yaml", `loading tokens: testdata/tokens_unknown_role.yaml:6: entry 2 (user "chen.sup"): unknown role "supervisor" (want one of admin, manager, qa, marketer, agent, auditor)`},
		{"tokens_agent_without_id.yaml", `loading tokens: testdata/tokens_agent_without_id.yaml:2: entry 1 (user "li.na"): user "li.na" has role agent but no agent_id`},
		{"tokens_short.yaml", `loading tokens: testdata/tokens_short.yaml:2: entry 1 (user "wang.admin"): token for user "wang.admin" is 3 characters, want at least 16`},
		{"tokens_duplicate.yaml", `loading tokens: testdata/tokens_duplicate.yaml:6: entry 2 (user "zhao.qa"): token for user "zhao.qa" is already used by user "wang.admin"`},
		{"tokens_unknown_key.yaml", `loading tokens: testdata/tokens_unknown_key.yaml: yaml: unmarshal errors:` + "\n" + `  line 6: field roles not found in type`},
		{"tokens_no_tenant.yaml", `loading tokens: testdata/tokens_no_tenant.yaml:2: entry 1 (user "wang.admin"): user "wang.admin": tenant is empty: give the centre's code (e.g. "GD") or "*" for head office`},
		{"tokens_bad_expiry.yaml", `loading tokens: testdata/tokens_bad_expiry.yaml:2: entry 1 (user "wang.admin"): expires "next week" is neither a date`},
		{"tokens_empty_token.yaml", `loading tokens: testdata/tokens_empty_token.yaml:2: entry 1 (user "wang.admin"): token is empty`},
		{"missing.yaml", `loading tokens: open testdata/missing.yaml: no such file or directory`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			tokens := httpapi.NewTokens()
			err := tokens.LoadFile("testdata/" + tt.file)
			if err == nil {
				t.Fatal("LoadFile succeeded, want an error")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error:\n got %v\nwant prefix %s", err, tt.want)
			}
			if tokens.Len() != 0 {
				t.Errorf("a failed LoadFile added %d tokens", tokens.Len())
			}
		})
	}
}

func TestTokensAdd(t *testing.T) {
	tokens := httpapi.NewTokens()
	admin := httpapi.Principal{User: "a", Role: httpapi.RoleAdmin, Tenant: "GD"}
	tests := []struct {
		name  string
		token string
		p     httpapi.Principal
		want  string // "" for success
	}{
		{"ok", "0123456789abcdef", admin, ""},
		{"again", "0123456789abcdef", httpapi.Principal{User: "b", Role: httpapi.RoleQA, Tenant: "GD"}, `token for user "b" is already used by user "a"`},
		{"short", "short", admin, "want at least 16"},
		{"no user", "0123456789abcdeX", httpapi.Principal{Role: httpapi.RoleAdmin, Tenant: "GD"}, "user is empty"},
		{"bad role", "0123456789abcdeY", httpapi.Principal{User: "c", Role: "root", Tenant: "GD"}, `unknown role "root"`},
		{"no tenant", "0123456789abcdeZ", httpapi.Principal{User: "d", Role: httpapi.RoleQA}, "tenant is empty"},
		{"bad tenant", "0123456789abcdeW", httpapi.Principal{User: "d", Role: httpapi.RoleQA, Tenant: "G D"}, `tenant "G D" is not a centre code`},
	}
	for _, tt := range tests {
		err := tokens.Add(tt.token, tt.p)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Add: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: Add error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestTokensGenerate(t *testing.T) {
	tokens := httpapi.NewTokens()
	p := httpapi.Principal{User: "demo-agent", Role: httpapi.RoleAgent, AgentID: "1", Tenant: "GD"}
	a, err := tokens.Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := tokens.Generate(p)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Error("Generate returned the same token twice")
	}
	if got, ok := tokens.Lookup(a); !ok || got != p {
		t.Errorf("Lookup(generated) = %+v, %v", got, ok)
	}
}

// A token stops authenticating at its expiry, on the token set's clock.
func TestTokensExpire(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tokens := httpapi.NewTokensAt(func() time.Time { return now })
	p := httpapi.Principal{User: "batch", Role: httpapi.RoleManager, Tenant: "GD"}
	if err := tokens.AddExpiring("batch-token-0123456789", p, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, ok := tokens.Lookup("batch-token-0123456789"); !ok {
		t.Fatal("token refused before its expiry")
	}
	now = now.Add(time.Hour)
	if got, ok := tokens.Lookup("batch-token-0123456789"); ok {
		t.Errorf("token accepted at its expiry as %+v", got)
	}
}
