package dialer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/httpapi/httpapitest"
)

// newDNCAPI is newAPI with a state file and the do-not-call endpoints, whose removals edit a
// company file in a temp dir; it returns the company file and the state file's path.
func newDNCAPI(t *testing.T) (*httpapi.Server, *Service, *clock.Sim, string, string) {
	t.Helper()
	dir := t.TempDir()
	state := filepath.Join(dir, "state", "hotline.db")
	srv, svc, clk := newAPIAt(t, apiStart, Deps{State: openState(t, state)})
	file := filepath.Join(dir, "dnc", "company.txt")
	svc.RegisterDNC(srv, file)
	return srv, svc, clk, file, state
}

// restartDNC starts the dialer again on the state file at state, reading the company file as
// `hotline run` does, at the clock's time.
func restartDNC(t *testing.T, state, file string, now time.Time) *httpapi.Server {
	t.Helper()
	srv, svc, _ := newAPIAt(t, now, Deps{State: openState(t, state)}, func(svc *Service) {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := svc.LoadDNC("company", f); err != nil {
			t.Fatal(err)
		}
	})
	svc.RegisterDNC(srv, file)
	return srv
}

// dncDo is do with an agent id for agents; an error answer comes back as its message.
func dncDo(t *testing.T, srv *httpapi.Server, role httpapi.Role, method, path, body string) (int, string) {
	t.Helper()
	p := httpapi.Principal{User: "u-" + string(role), Role: role, Tenant: httpapi.AllTenants}
	if role == httpapi.RoleAgent {
		p.AgentID = "A1"
	}
	rec := doAs(t, srv, p, method, path, body)
	var e struct{ Error string }
	if rec.Code >= 400 && json.Unmarshal(rec.Body.Bytes(), &e) == nil && e.Error != "" {
		return rec.Code, e.Error
	}
	return rec.Code, rec.Body.String()
}

func TestDNCAPIRoles(t *testing.T) {
	srv, _, _, _, _ := newDNCAPI(t)
	httpapitest.CheckRoles(t, srv)
}

func TestDNCPost(t *testing.T) {
	srv, svc, clk, file, state := newDNCAPI(t)
	tests := []struct {
		name     string
		role     httpapi.Role
		body     string
		wantCode int
		wantBody string // a substring of the answer
		// rule is what the gate says of the number on renewal-30d afterwards ("": unchanged).
		phone, rule string
	}{
		{"a bad phone", httpapi.RoleManager, `{"phone": "call me maybe"}`, http.StatusBadRequest, `phone: "call me maybe" is not a phone number`, "", ""},
		{"no phone", httpapi.RoleManager, `{"until": "2027-06-01"}`, http.StatusBadRequest, "phone: missing", "", ""},
		{"a past until", httpapi.RoleManager, `{"phone": "13800000001", "until": "2026-03-01"}`, http.StatusBadRequest, "until: 2026-03-01 is past", "+8613800000001", ""},
		{"an until that is not a date", httpapi.RoleManager, `{"phone": "13800000001", "until": "June"}`, http.StatusBadRequest, `until: "June" is not a date`, "", ""},
		{"an unknown campaign", httpapi.RoleAgent, `{"phone": "13800000001", "campaign": "nope"}`, http.StatusBadRequest, `campaign: no campaign "nope"`, "+8613800000001", ""},
		{"an unknown field", httpapi.RoleAgent, `{"phone": "13800000001", "list": "national"}`, http.StatusBadRequest, `unknown field "list"`, "", ""},
		{"an agent lists a number for ever", httpapi.RoleAgent, `{"phone": "138 0000 0001", "reason": "asked on an inbound call"}`, http.StatusCreated,
			`{"phone":"+8613800000001","list":"company","reason":"asked on an inbound call"}`, "+8613800000001", RuleDNCCompany},
		{"a manager lists one until a day", httpapi.RoleManager, `{"phone": "+8613800000002", "until": "2027-06-01"}`, http.StatusCreated,
			`"until":"2027-06-01"`, "+8613800000002", RuleDNCCompany},
		{"a request does not shorten a listing", httpapi.RoleAgent, `{"phone": "13800000001", "until": "2027-06-01"}`, http.StatusOK,
			`{"phone":"+8613800000001","list":"company"}`, "+8613800000001", RuleDNCCompany},
		{"a campaign's list", httpapi.RoleAgent, `{"phone": "13800000003", "campaign": "renewal-30d"}`, http.StatusCreated,
			`"list":"campaign","campaign":"renewal-30d"`, "+8613800000003", RuleDNCCampaign},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := dncDo(t, srv, tc.role, "POST", "/api/dnc", tc.body)
			if code != tc.wantCode || !strings.Contains(body, tc.wantBody) {
				t.Fatalf("POST %s = %d %s, want %d with %s", tc.body, code, body, tc.wantCode, tc.wantBody)
			}
			if tc.phone == "" {
				return
			}
			c := Contact{ID: "x", CustomerID: "nobody", Phone: tc.phone, CampaignID: "renewal-30d", CampaignType: events.CampaignRenewal, Attempt: 1}
			// 10:00 in the calling window, so a number no list holds is callable.
			at := time.Date(2026, 3, 3, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
			if got := svc.Gate().Check(c, at); got != tc.rule {
				t.Errorf("rule %q, want %q", got, tc.rule)
			}
		})
	}
	// The entries are in the state file, not in the admin's file: a restart has them all.
	if _, err := os.Stat(file); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the API wrote the admin's company file: %v", err)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	again := restartDNC(t, state, file, clk.Now())
	for phone, want := range map[string]string{
		"+8613800000001": `"entries":[{"phone":"+8613800000001","list":"company"}]`,
		"+8613800000002": `"entries":[{"phone":"+8613800000002","list":"company","until":"2027-06-01"}]`,
		"+8613800000003": `"entries":[{"phone":"+8613800000003","list":"campaign","campaign":"renewal-30d"}]`,
	} {
		if code, body := dncDo(t, again, httpapi.RoleManager, "GET", "/api/dnc/"+phone, ""); code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("after a restart GET %s = %d %s, want %s", phone, code, body, want)
		}
	}
}

func TestDNCBlocksTheNextDial(t *testing.T) {
	srv, svc, clk := newAPI(t) // in memory: the events go to the test's sink
	svc.RegisterDNC(srv, "")
	// Every book customer's number: the even ones go on the company list.
	listed := map[string]bool{}
	for i := range 100 {
		phone := fmt.Sprintf("+86139%08d", i)
		if i%2 == 0 {
			listed[phone] = true
			if code, body := dncDo(t, srv, httpapi.RoleAgent, "POST", "/api/dnc", `{"phone": "`+phone+`"}`); code != http.StatusCreated {
				t.Fatalf("POST %s = %d %s", phone, code, body)
			}
		}
	}
	posted := clk.Now()
	clk.Advance(48 * time.Hour)
	if err := svc.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	sink := svc.deps.Sink.(*memSink)
	sink.mu.Lock()
	defer sink.mu.Unlock()
	blocked, dialled := 0, 0
	for _, ev := range sink.evs {
		d, ok := ev.Payload.(events.DialAttempt)
		if !ok || d.Campaign != "renewal-30d" || d.DialedAt.Before(posted) {
			continue
		}
		switch {
		case listed[d.Phone] && d.BlockedRule == RuleDNCCompany:
			blocked++
		case listed[d.Phone]:
			t.Errorf("attempt %s on listed %s after the POST: outcome %s, rule %q", d.AttemptID, d.Phone, d.Outcome, d.BlockedRule)
		case d.Outcome != events.AttemptBlocked:
			dialled++
		}
	}
	t.Logf("after the POST: %d attempts on listed numbers blocked, %d on the others dialled", blocked, dialled)
	if blocked == 0 || dialled == 0 {
		t.Errorf("after the POST: %d attempts blocked by %s, %d unlisted numbers dialled; want both > 0", blocked, RuleDNCCompany, dialled)
	}
}

// TestDNCDeleteAndRestart: removals and additions, over the API and by customers, are what a
// restart on the same state file and company file has; the admin's file gives back only what
// the admin lists there.
func TestDNCDeleteAndRestart(t *testing.T) {
	srv, svc, clk, file, state := newDNCAPI(t)
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("# from the complaints desk\n13800000009\n13800000001,2027-01-01"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.LoadDNC("company", strings.NewReader("13800000009\n13800000001,2027-01-01\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.LoadDNC("national", strings.NewReader("13800000009\n")); err != nil {
		t.Fatal(err)
	}
	// A customer texts the opt-out word: the company list, saved with the next flush.
	svc.Messenger().Reply("+8613800000007", "TD")
	if err := svc.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name, role, method, path, body string
		wantCode                       int
		wantBody                       string
	}{
		{"a posted number", "manager", "POST", "/api/dnc", `{"phone": "13800000002"}`, http.StatusCreated, `"list":"company"`},
		{"a campaign entry", "agent", "POST", "/api/dnc", `{"phone": "13800000009", "campaign": "renewal-30d"}`, http.StatusCreated, `"list":"campaign"`},
		{"an agent sees why", "agent", "GET", "/api/dnc/138-0000-0009", "", http.StatusOK,
			`"listed":true,"entries":[{"phone":"+8613800000009","list":"national"},{"phone":"+8613800000009","list":"company"},{"phone":"+8613800000009","list":"campaign","campaign":"renewal-30d"}]`},
		{"a number on no list", "manager", "GET", "/api/dnc/13800000005", "", http.StatusOK, `"listed":false,"entries":[]`},
		{"a bad number", "manager", "GET", "/api/dnc/hello", "", http.StatusBadRequest, `phone: "hello" is not a phone number`},
		{"an agent may not remove", "agent", "DELETE", "/api/dnc/13800000009", "", http.StatusForbidden, ""},
		{"a manager removes", "manager", "DELETE", "/api/dnc/+8613800000009", "", http.StatusOK,
			`"entries":[{"phone":"+8613800000009","list":"national"},{"phone":"+8613800000009","list":"campaign","campaign":"renewal-30d"}]`},
		{"twice", "manager", "DELETE", "/api/dnc/13800000009", "", http.StatusNotFound, "+8613800000009 is not on the company do-not-call list"},
		{"a lapsing one", "manager", "GET", "/api/dnc/13800000001", "", http.StatusOK, `{"phone":"+8613800000001","list":"company","until":"2027-01-01"}`},
		{"posted, then removed", "manager", "POST", "/api/dnc", `{"phone": "13800000003"}`, http.StatusCreated, `"list":"company"`},
		{"removed", "manager", "DELETE", "/api/dnc/13800000003", "", http.StatusOK, `"listed":false`},
		{"an opt-out removed", "manager", "DELETE", "/api/dnc/13800000007", "", http.StatusOK, `"listed":false`},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			code, body := dncDo(t, srv, httpapi.Role(s.role), s.method, s.path, s.body)
			if code != s.wantCode || !strings.Contains(body, s.wantBody) {
				t.Fatalf("%s %s = %d %s, want %d with %s", s.method, s.path, code, body, s.wantCode, s.wantBody)
			}
		})
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// Rewritten without the removed number, the rest as it was; nothing the API listed.
	if got, want := string(b), "# from the complaints desk\n13800000001,2027-01-01"; got != want {
		t.Errorf("company file:\n%q\nwant\n%q", got, want)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".dnc-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// The admin lists a number again in the file; then the dialer restarts.
	if err := os.WriteFile(file, append(b, "\n13800000003\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	again := restartDNC(t, state, file, clk.Now())
	for phone, want := range map[string]string{
		"+8613800000002": `"entries":[{"phone":"+8613800000002","list":"company"}]`,
		"+8613800000001": `"entries":[{"phone":"+8613800000001","list":"company","until":"2027-01-01"}]`,
		"+8613800000009": `"entries":[{"phone":"+8613800000009","list":"campaign","campaign":"renewal-30d"}]`,
		"+8613800000003": `"entries":[{"phone":"+8613800000003","list":"company"}]`,
		"+8613800000007": `"listed":false`,
	} {
		if code, body := dncDo(t, again, httpapi.RoleManager, "GET", "/api/dnc/"+phone, ""); code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("after a restart GET %s = %d %s, want %s", phone, code, body, want)
		}
	}
}

// TestDNCBoundsAndMasksLogs: a 900 KB reason and a far-off until are refused; the log lines of
// an add and a removal carry the number masked.
func TestDNCBoundsAndMasksLogs(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	var logs strings.Builder
	svc, err := NewService(ServiceConfig{TeamSize: 1, Seed: 2}, Deps{Clock: clock.NewSim(start), Book: newFakeBook(5, start), Sink: &memSink{},
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	svc.RegisterDNC(srv, filepath.Join(t.TempDir(), "company.txt"))
	for _, tc := range []struct{ name, body, want string }{
		{"a 900 KB reason", `{"phone": "13800000007", "reason": "` + strings.Repeat("r", 900_000) + `"}`, "reason: 900000 bytes, at most 500"},
		{"until the year 2200", `{"phone": "13800000007", "until": "2200-01-01"}`, "more than 100 years ahead"},
		{"a 100 KB phone", `{"phone": "` + strings.Repeat("1", 100_000) + `"}`, "is not a phone number"},
	} {
		code, body := dncDo(t, srv, httpapi.RoleManager, "POST", "/api/dnc", tc.body)
		if code != http.StatusBadRequest || !strings.Contains(body, tc.want) || len(body) > 500 {
			t.Errorf("%s: %d %.200s, want a short 400 with %q", tc.name, code, body, tc.want)
		}
	}
	if code, body := dncDo(t, srv, httpapi.RoleManager, "POST", "/api/dnc", `{"phone": "13800000007", "reason": "asked"}`); code != http.StatusCreated {
		t.Fatalf("add: %d %s", code, body)
	}
	if code, body := dncDo(t, srv, httpapi.RoleManager, "DELETE", "/api/dnc/+8613800000007", ""); code != http.StatusOK {
		t.Fatalf("remove: %d %s", code, body)
	}
	out := logs.String()
	if strings.Contains(out, "13800000007") || strings.Count(out, "+86138****0007") < 2 {
		t.Errorf("logs hold the full number or not the masked one:\n%s", out)
	}
	if len(out) > 20_000 {
		t.Errorf("%d bytes of logs for a handful of requests", len(out))
	}
}
