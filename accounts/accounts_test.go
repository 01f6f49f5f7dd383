package accounts_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/accounts"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/httpapi/httpapitest"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

type fixture struct {
	t     *testing.T
	clk   *clock.Sim
	store *accounts.Store
	srv   *httpapi.Server
	creds map[string]string // user -> password printed at first start
}

// cheap keeps argon2id fast in tests; the format and checks are the same.
var cheap = accounts.HashParams{Time: 1, Memory: 64, Threads: 1}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := statedb.Open(ctx, filepath.Join(t.TempDir(), "hotline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := clock.NewSim(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	cfg := accounts.DefaultConfig()
	cfg.Hash = cheap
	log := slog.New(slog.DiscardHandler)
	store, err := accounts.Open(ctx, db, clk, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.WithAuthenticator(store), httpapi.WithAuditor(store), httpapi.WithTenant("GD"),
		httpapi.WithClock(clk), httpapi.WithLogger(log))
	store.Register(srv)
	// An endpoint of the server's own centre, as the dialer's and QA's are.
	srv.Handle(httpapi.Endpoint{Method: "GET", Path: "/api/campaigns", Roles: []httpapi.Role{httpapi.RoleManager, httpapi.RoleAdmin}, Summary: "campaigns",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { httpapi.WriteJSON(w, 200, []string{}) })})
	creds, err := store.Bootstrap(ctx, "GD", "A0001")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, clk: clk, store: store, srv: srv, creds: map[string]string{}}
	for _, c := range creds {
		f.creds[c.User] = c.Password
	}
	return f
}

type resp struct {
	code   int
	body   string
	cookie *http.Cookie
}

// do sends a request with the session cookie (if any) as a browser on hotline's own page would.
func (f *fixture) do(method, path, session, body string, header ...string) resp {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	req.RemoteAddr = "198.51.100.7:50000"
	if session != "" {
		req.AddCookie(&http.Cookie{Name: httpapi.SessionCookie, Value: session})
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	f.srv.Handler().ServeHTTP(rec, req)
	out := resp{code: rec.Code, body: rec.Body.String()}
	for _, c := range rec.Result().Cookies() {
		if c.Name == httpapi.SessionCookie {
			out.cookie = c
		}
	}
	return out
}

func (f *fixture) signIn(user, password string) resp {
	f.t.Helper()
	b, _ := json.Marshal(map[string]string{"user": user, "password": password})
	return f.do("POST", "/api/session", "", string(b))
}

// session signs user in with their first-start password and returns the session id.
func (f *fixture) session(user string) string {
	f.t.Helper()
	r := f.signIn(user, f.creds[user])
	if r.code != 200 || r.cookie == nil {
		f.t.Fatalf("sign in %s: %d %s", user, r.code, r.body)
	}
	if strings.Contains(r.body, `"must_change_password":true`) {
		// Nothing but the change is allowed until then (TestMustChangePassword).
		next := f.creds[user] + "-changed"
		b, _ := json.Marshal(map[string]string{"current_password": f.creds[user], "new_password": next})
		if c := f.do("POST", "/api/session/password", r.cookie.Value, string(b)); c.code != 204 {
			f.t.Fatalf("changing %s's first password: %d %s", user, c.code, c.body)
		}
		f.creds[user] = next
	}
	return r.cookie.Value
}

func want(t *testing.T, what string, r resp, code int, substr string) {
	t.Helper()
	if r.code != code || !strings.Contains(r.body, substr) {
		t.Errorf("%s: got %d %s, want %d containing %q", what, r.code, r.body, code, substr)
	}
}

func TestFirstStart(t *testing.T) {
	f := newFixture(t)
	if len(f.creds) != 6 || f.creds["admin"] == "" || f.creds["demo-auditor"] == "" || f.creds["demo-admin"] != "" {
		t.Fatalf("first start created %v, want admin and a demo user per other role", f.creds)
	}
	again, err := f.store.Bootstrap(context.Background(), "GD", "A0001")
	if err != nil || len(again) != 0 {
		t.Errorf("second Bootstrap = %v, %v; want nothing once users exist", again, err)
	}
	u, err := f.store.User(context.Background(), "admin")
	if err != nil || u.Tenant != httpapi.AllTenants || !u.MustChangePassword {
		t.Errorf("initial admin %+v, %v: want head office, password to change", u, err)
	}
}

func TestSignInAndOut(t *testing.T) {
	f := newFixture(t)
	r := f.signIn("admin", f.creds["admin"])
	want(t, "sign in", r, 200, `"must_change_password":true`)
	if c := r.cookie; c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, not Secure without TLS", c)
	}
	id := r.cookie.Value
	want(t, "who am I", f.do("GET", "/api/session", id, ""), 200, `"user":"admin","role":"admin","tenant":"*"`)
	want(t, "wrong password", f.signIn("admin", "not the password"), 401, "wrong user name or password")
	want(t, "unknown user", f.signIn("nobody", "not the password"), 401, "wrong user name or password")
	want(t, "sign out", f.do("DELETE", "/api/session", id, ""), 204, "")
	want(t, "after sign-out", f.do("GET", "/api/session", id, ""), 401, "session expired or signed out")
	want(t, "cross-site sign-in", f.do("POST", "/api/session", "", `{"user":"admin","password":"x"}`, "Sec-Fetch-Site", "cross-site"), 403, "cross-origin sign-in refused")
}

// A person whose password must change (the first admin, after a reset) may only see who they
// are, sign out and change it; everything else is 403 until then, also on the same session.
func TestMustChangePassword(t *testing.T) {
	f := newFixture(t)
	r := f.signIn("admin", f.creds["admin"])
	want(t, "sign in", r, 200, `"must_change_password":true`)
	id := r.cookie.Value
	refused := "you must change your password before anything else"
	want(t, "server centre's endpoint", f.do("GET", "/api/campaigns", id, ""), 403, refused)
	want(t, "user list", f.do("GET", "/api/admin/users", id, ""), 403, refused)
	want(t, "create a user", f.do("POST", "/api/admin/users", id, `{"user":"x.y","role":"qa","tenant":"GD"}`), 403, refused)
	if _, err := f.store.User(context.Background(), "x.y"); err == nil {
		t.Error("a refused create made the user")
	}
	want(t, "who am I", f.do("GET", "/api/session", id, ""), 200, `"must_change_password":true`)
	b, _ := json.Marshal(map[string]string{"current_password": f.creds["admin"], "new_password": "a-new-long-password"})
	want(t, "change", f.do("POST", "/api/session/password", id, string(b)), 204, "")
	want(t, "after the change, same session", f.do("GET", "/api/campaigns", id, ""), 200, "")
	want(t, "admin endpoints too", f.do("GET", "/api/admin/users", id, ""), 200, `"user":"demo-qa"`)

	want(t, "reset demo-qa", f.do("POST", "/api/admin/users/demo-qa/password", id, ""), 200, `"password":"`)
	var reset struct{ Password string }
	json.Unmarshal([]byte(f.do("POST", "/api/admin/users/demo-qa/password", id, "").body), &reset)
	qa := f.signIn("demo-qa", reset.Password)
	want(t, "reset user signs in", qa, 200, `"must_change_password":true`)
	want(t, "reset user may not work yet", f.do("GET", "/api/campaigns", qa.cookie.Value, ""), 403, refused)
	want(t, "reset user signs out", f.do("DELETE", "/api/session", qa.cookie.Value, ""), 204, "")
}

func TestLockout(t *testing.T) {
	f := newFixture(t)
	for i := 1; i < 5; i++ {
		want(t, "wrong password", f.signIn("demo-qa", "wrong-password"), 401, "wrong user name or password")
	}
	want(t, "fifth wrong password", f.signIn("demo-qa", "wrong-password"), 429, "account locked until 2026-03-02T09:15:00Z")
	want(t, "right password while locked", f.signIn("demo-qa", f.creds["demo-qa"]), 429, "locked")
	want(t, "another account is not locked", f.signIn("demo-manager", f.creds["demo-manager"]), 200, "")
	f.clk.Advance(15 * time.Minute)
	want(t, "after the lockout", f.signIn("demo-qa", f.creds["demo-qa"]), 200, `"user":"demo-qa"`)
	// A success resets the count: four more failures do not lock.
	for range 4 {
		f.signIn("demo-qa", "wrong-password")
	}
	want(t, "count reset by success", f.signIn("demo-qa", f.creds["demo-qa"]), 200, "")
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t)
	here, elsewhere := f.session("demo-qa"), f.session("demo-qa")
	change := func(cur, next string) resp {
		b, _ := json.Marshal(map[string]string{"current_password": cur, "new_password": next})
		return f.do("POST", "/api/session/password", here, string(b))
	}
	want(t, "wrong current", change("wrong-password", "a-new-long-password"), 400, "current_password: is wrong")
	want(t, "too short", change(f.creds["demo-qa"], "short"), 400, "new_password: password is 5 bytes, want at least 10")
	want(t, "change", change(f.creds["demo-qa"], "a-new-long-password"), 204, "")
	want(t, "this session goes on", f.do("GET", "/api/session", here, ""), 200, `"must_change_password":false`)
	want(t, "the other session ended", f.do("GET", "/api/session", elsewhere, ""), 401, "")
	want(t, "old password", f.signIn("demo-qa", f.creds["demo-qa"]), 401, "")
	want(t, "new password", f.signIn("demo-qa", "a-new-long-password"), 200, "")
	want(t, "cross-site change refused", f.do("POST", "/api/session/password", here, `{}`, "Sec-Fetch-Site", "cross-site"), 403, "cross-origin request refused")
}

func TestSessionExpiry(t *testing.T) {
	f := newFixture(t)
	id := f.session("demo-manager")
	for range 25 { // used every 29 minutes, it lasts the 12 hours and no longer
		f.clk.Advance(29 * time.Minute)
		if r := f.do("GET", "/api/campaigns", id, ""); r.code != 200 {
			if f.clk.Now().Sub(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)) < 12*time.Hour {
				t.Fatalf("session ended at %s though used every 29 minutes: %d %s", f.clk.Now(), r.code, r.body)
			}
			break
		}
	}
	if r := f.do("GET", "/api/campaigns", id, ""); r.code != 401 {
		t.Errorf("session still valid %s after sign-in", f.clk.Now().Sub(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)))
	}
	idle := f.session("demo-manager")
	f.clk.Advance(31 * time.Minute)
	want(t, "idle 31 minutes", f.do("GET", "/api/campaigns", idle, ""), 401, "session expired")
}

func TestAdministration(t *testing.T) {
	f := newFixture(t)
	hq := f.session("admin")
	r := f.do("POST", "/api/admin/users", hq, `{"user":"gd.admin","role":"admin","tenant":"GD"}`)
	want(t, "create a centre admin", r, 201, `"password":"`)
	var created struct{ Password string }
	json.Unmarshal([]byte(r.body), &created)
	f.creds["gd.admin"] = created.Password
	gd := f.session("gd.admin")

	want(t, "centre admin lists own centre", f.do("GET", "/api/admin/users", gd, ""), 200, `"user":"demo-qa"`)
	if r := f.do("GET", "/api/admin/users", gd, ""); strings.Contains(r.body, `"user":"admin"`) {
		t.Errorf("centre admin sees head office's users: %s", r.body)
	}
	want(t, "centre admin widens", f.do("GET", "/api/admin/users?tenant=SH", gd, ""), 403, "centre GD may not see centre SH")
	want(t, "centre admin creates in another centre", f.do("POST", "/api/admin/users", gd, `{"user":"sh.qa","role":"qa","tenant":"SH"}`), 403, "may not see centre SH")
	want(t, "centre admin creates head office", f.do("POST", "/api/admin/users", gd, `{"user":"hq.qa","role":"qa","tenant":"*"}`), 403, "")
	want(t, "centre admin reads head office's admin", f.do("GET", "/api/admin/users/admin", gd, ""), 404, "")
	want(t, "bad role", f.do("POST", "/api/admin/users", gd, `{"user":"x.y","role":"root","tenant":"GD"}`), 400, `role: unknown role \"root\"`)
	want(t, "agent without id", f.do("POST", "/api/admin/users", gd, `{"user":"x.y","role":"agent","tenant":"GD"}`), 400, "agent_id: required for role agent")
	want(t, "duplicate", f.do("POST", "/api/admin/users", gd, `{"user":"demo-qa","role":"qa","tenant":"GD"}`), 409, "already exists")
	want(t, "demote yourself", f.do("PATCH", "/api/admin/users/gd.admin", gd, `{"role":"qa"}`), 400, "your own role")

	qa := f.session("demo-qa")
	want(t, "role change", f.do("PATCH", "/api/admin/users/demo-qa", gd, `{"role":"manager"}`), 200, `"role":"manager"`)
	want(t, "sessions end at a role change", f.do("GET", "/api/session", qa, ""), 401, "")
	want(t, "disable", f.do("PATCH", "/api/admin/users/demo-qa", gd, `{"disabled":true}`), 200, `"disabled":true`)
	want(t, "disabled cannot sign in", f.signIn("demo-qa", f.creds["demo-qa"]), 401, "wrong user name or password")
	r = f.do("POST", "/api/admin/users/demo-qa/password", gd, "")
	want(t, "reset", r, 200, `"password":"`)
	var reset struct{ Password string }
	json.Unmarshal([]byte(r.body), &reset)
	f.do("PATCH", "/api/admin/users/demo-qa", gd, `{"disabled":false}`)
	want(t, "sign in with the reset password", f.signIn("demo-qa", reset.Password), 200, `"must_change_password":true`)
}

func TestAPITokens(t *testing.T) {
	f := newFixture(t)
	gd := f.session("admin")
	r := f.do("POST", "/api/admin/tokens", gd, `{"user":"etl","role":"manager","tenant":"GD","expires":"2026-03-03T09:00:00Z"}`)
	want(t, "create", r, 201, `"token":"hlt_`)
	var created struct {
		Token string
		Info  accounts.APIToken
	}
	json.Unmarshal([]byte(r.body), &created)
	bearer := func() resp { return f.do("GET", "/api/campaigns", "", "", "Authorization", "Bearer "+created.Token) }
	want(t, "use", bearer(), 200, "")
	if r := f.do("GET", "/api/admin/tokens", gd, ""); strings.Contains(r.body, created.Token) || !strings.Contains(r.body, created.Info.ID) {
		t.Errorf("token list shows the token or not its id: %s", r.body)
	}
	f.clk.Advance(24 * time.Hour)
	want(t, "expired", bearer(), 401, "unknown token")
	gd = f.session("admin") // the session ended too

	r = f.do("POST", "/api/admin/tokens", gd, `{"user":"etl","role":"manager","tenant":"GD","expires":"2026-06-01"}`)
	json.Unmarshal([]byte(r.body), &created)
	want(t, "second token", bearer(), 200, "")
	want(t, "revoke", f.do("DELETE", "/api/admin/tokens/"+created.Info.ID, gd, ""), 204, "")
	want(t, "revoked", bearer(), 401, "unknown token")
	want(t, "no expiry", f.do("POST", "/api/admin/tokens", gd, `{"user":"etl","role":"manager","tenant":"GD"}`), 400, "expires: required")
	want(t, "too long", f.do("POST", "/api/admin/tokens", gd, `{"user":"etl","role":"manager","tenant":"GD","expires":"2030-01-01"}`), 400, "more than 366 days")
	r = f.do("POST", "/api/admin/tokens", gd, `{"user":"sh.etl","role":"manager","tenant":"SH","expires":"2026-06-01"}`)
	json.Unmarshal([]byte(r.body), &created)
	want(t, "token of another centre on GD's endpoint", bearer(), 403, "user sh.etl of centre SH may not see centre GD")
}

func TestAuditLog(t *testing.T) {
	f := newFixture(t)
	hq := f.session("admin")
	f.signIn("demo-qa", "wrong-password")
	f.do("POST", "/api/admin/users", hq, `{"user":"sh.auditor","role":"auditor","tenant":"SH"}`)
	f.do("PATCH", "/api/admin/users/demo-qa", hq, `{"role":"manager"}`)
	auditor := f.session("demo-auditor")

	for _, user := range []string{"admin", "demo-manager", "demo-qa"} {
		if user == "demo-qa" {
			f.do("PATCH", "/api/admin/users/demo-qa", hq, `{"role":"qa"}`)
		}
		want(t, user+" reads the audit log", f.do("GET", "/api/audit", f.session(user), ""), 403, "may not call GET /api/audit")
	}
	r := f.do("GET", "/api/audit?tenant=*", auditor, "")
	want(t, "centre auditor widens", r, 403, "centre GD may not see centre *")
	r = f.do("GET", "/api/audit?user=admin", auditor, "")
	want(t, "centre auditor reads head office's entries", r, 200, `"entries":[]`)

	// The head-office auditor sees every centre's entries.
	ctx := context.Background()
	pw, err := f.store.CreateUser(ctx, accounts.User{Name: "hq.auditor", Role: httpapi.RoleAuditor, Tenant: httpapi.AllTenants}, "")
	if err != nil {
		t.Fatal(err)
	}
	f.creds["hq.auditor"] = pw
	hqAuditor := f.session("hq.auditor")
	r = f.do("GET", "/api/audit?user=admin&action=user.", hqAuditor, "")
	var page struct {
		Entries []accounts.AuditRecord
		Next    string
	}
	if err := json.Unmarshal([]byte(r.body), &page); err != nil || r.code != 200 {
		t.Fatalf("audit log: %d %s", r.code, r.body)
	}
	var actions []string
	for _, e := range page.Entries {
		actions = append(actions, e.Action+" "+e.Object)
		if e.Client != "198.51.100.7" || e.Role != httpapi.RoleAdmin || e.Tenant != "*" || e.Time.IsZero() {
			t.Errorf("entry %+v lacks the client address, role, centre or time", e)
		}
	}
	if got, want := strings.Join(actions, ", "), "user.update demo-qa, user.update demo-qa, user.create sh.auditor"; got != want {
		t.Errorf("admin's user changes, newest first: %s, want %s", got, want)
	}
	r = f.do("GET", "/api/audit?action=session.sign_in_failed", hqAuditor, "")
	want(t, "failed sign-ins are audited", r, 200, `"object":"demo-qa"`)
	r = f.do("GET", "/api/audit?limit=2", hqAuditor, "")
	json.Unmarshal([]byte(r.body), &page)
	if len(page.Entries) != 2 || page.Next == "" {
		t.Fatalf("page of 2: %s", r.body)
	}
	r2 := f.do("GET", "/api/audit?limit=2&"+page.Next, hqAuditor, "")
	var page2 struct{ Entries []accounts.AuditRecord }
	json.Unmarshal([]byte(r2.body), &page2)
	if len(page2.Entries) != 2 || page2.Entries[0].Seq >= page.Entries[1].Seq {
		t.Errorf("second page %s does not continue the first %s", r2.body, r.body)
	}
	want(t, "bad date", f.do("GET", "/api/audit?from=1900-01-01", hqAuditor, ""), 400, "outside 2000..2100")
	want(t, "bad limit", f.do("GET", "/api/audit?limit=100000", hqAuditor, ""), 400, "limit: want 1..1000")
}

func TestEveryAccountsEndpointWithEveryRole(t *testing.T) {
	f := newFixture(t)
	httpapitest.CheckRoles(t, f.srv)
}

// TrimAudit deletes entries older than the cut-off only, counts without deleting in a dry run,
// and finds nothing the second time.
func TestTrimAudit(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := f.clk.Now()
	for _, at := range []time.Time{now.AddDate(-6, 0, 0), now.AddDate(-5, 0, -1), now.AddDate(-1, 0, 0), now} {
		if err := f.store.Record(ctx, httpapi.AuditEntry{Time: at, User: "demo-qa", Role: httpapi.RoleQA, Tenant: "GD", Action: "recording.play", Object: "r1"}); err != nil {
			t.Fatal(err)
		}
	}
	cut := now.AddDate(-5, 0, 0)
	if n, err := f.store.TrimAudit(ctx, cut, true); err != nil || n != 2 {
		t.Fatalf("dry run: %d, %v; want 2", n, err)
	}
	if n, err := f.store.TrimAudit(ctx, cut, false); err != nil || n != 2 {
		t.Fatalf("run: %d, %v; want 2", n, err)
	}
	if n, err := f.store.TrimAudit(ctx, cut, false); err != nil || n != 0 {
		t.Errorf("second run: %d, %v; want 0", n, err)
	}
	left, err := f.store.TrimAudit(ctx, now.Add(time.Second), true)
	if err != nil || left != 2 {
		t.Errorf("%d entries left, %v; want the 2 recent ones", left, err)
	}
}
