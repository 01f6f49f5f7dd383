package httpapitest_test

import (
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/httpapi/httpapitest"
)

func TestFillPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/api/campaigns", "/api/campaigns"},
		{"/api/campaigns/{id}", "/api/campaigns/1"},
		{"/api/agents/{agent}/calls/{call}", "/api/agents/1/calls/1"},
		{"/static/{file...}", "/static/1"},
		{"/{$}", "/"},
	}
	for _, tt := range tests {
		if got := httpapitest.FillPath(tt.in); got != tt.want {
			t.Errorf("FillPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCheckRolesFails proves the walk has teeth: a handler that refuses a role its endpoint
// lists must make CheckRoles fail. CheckRoles takes a *testing.T, so the failing run happens in
// a child test process and this test inspects its output.
func TestCheckRolesFails(t *testing.T) {
	if os.Getenv("HTTPAPITEST_BROKEN_SERVER") == "1" {
		srv := httpapi.New()
		srv.Handle(httpapi.Endpoint{
			Method: "GET", Path: "/api/reports/{id}", Roles: []httpapi.Role{httpapi.RoleManager, httpapi.RoleQA},
			Summary: "a report",
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// A handler-level role check that disagrees with the declared roles.
				if p, _ := httpapi.PrincipalFrom(r.Context()); p.Role == httpapi.RoleQA {
					httpapi.Error(w, http.StatusForbidden, "no")
					return
				}
				httpapi.WriteJSON(w, http.StatusOK, "ok")
			}),
		})
		httpapitest.CheckRoles(t, srv)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCheckRolesFails$", "-test.v")
	cmd.Env = append(os.Environ(), "HTTPAPITEST_BROKEN_SERVER=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("CheckRoles passed a server whose handler refuses an allowed role:\n%s", out)
	}
	if want := "GET /api/reports/{id} as qa (allowed): got 403"; !strings.Contains(string(out), want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}
