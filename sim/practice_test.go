package sim

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/routing"
)

// A supervisor's practice call rings the named desk with a customer of the book (one with a
// claim, so the screen pop has something to show); bad requests say what is wrong.
func TestPracticeCall(t *testing.T) {
	svc, err := NewService(ServiceConfig{Profile: "province", Seed: 3, Sink: &keep{}, Backfill: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Do(func(e *routing.Engine) error {
		return e.Login(routing.Login{Agent: "desk-1", Skills: routing.DefaultSkills(), Ready: true})
	}); err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.WithTenant("GD"))
	for tok, role := range map[string]httpapi.Role{"manager-token-123456": httpapi.RoleManager, "agent-token-12345678": httpapi.RoleAgent} {
		p := httpapi.Principal{User: string(role), Role: role, Tenant: "GD"}
		if role == httpapi.RoleAgent {
			p.AgentID = "desk-1"
		}
		if err := srv.Tokens().Add(tok, p); err != nil {
			t.Fatal(err)
		}
	}
	svc.Register(srv)
	post := func(token, body string) (int, string) {
		req := httptest.NewRequest("POST", "/api/sim/calls", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, req)
		return w.Code, w.Body.String()
	}
	if code, body := post("agent-token-12345678", `{"agent_id":"desk-1"}`); code != http.StatusForbidden {
		t.Errorf("an agent placing a practice call: %d %s, want 403", code, body)
	}
	code, body := post("manager-token-123456", `{"agent_id":"desk-1"}`)
	if code != http.StatusCreated {
		t.Fatalf("practice call: %d %s", code, body)
	}
	var desk routing.AgentInfo
	var pop *routing.ScreenPop
	_ = svc.Do(func(e *routing.Engine) error {
		desk, _ = e.Agent("desk-1")
		c, err := e.Call(desk.CallID)
		if err == nil {
			if sp, ok := e.Directory().ScreenPop(c.Customer, e.Clock().Now()); ok {
				pop = &sp
			}
		}
		return nil
	})
	if desk.State != "reserved" || !strings.Contains(body, desk.CallID) {
		t.Fatalf("after the practice call %s desk-1 is %s on %q", body, desk.State, desk.CallID)
	}
	if pop == nil || len(pop.RecentClaims) == 0 {
		t.Errorf("the practice caller has no claims in the screen pop: %+v", pop)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"agent_id":"desk-1"}`, "not available"}, // it rings already
		{`{"agent_id":"nobody"}`, "unknown agent"}, // not logged in
		{`{}`, "agent_id: missing"},                // who
		{`{"agent_id":"desk-1","customer_id":"C-none"}`, "not a customer"},
		{`{"agent_id":"desk-1","queue":"nope"}`, "queue"}, // unknown queue
	} {
		code, body := post("manager-token-123456", tc.body)
		if code/100 != 4 || !strings.Contains(body, tc.want) {
			t.Errorf("%s: %d %s, want a 4xx naming %q", tc.body, code, body, tc.want)
		}
	}
	if _, err := svc.PlaceCall(PracticeCall{Agent: "desk-1"}); !errors.Is(err, routing.ErrState) {
		t.Errorf("a second practice call to a ringing desk: %v, want ErrState", err)
	}
}
