package dialer

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/httpapi/httpapitest"
)

func TestCampaignControlRoles(t *testing.T) {
	srv, svc, _ := newAPI(t)
	svc.RegisterControl(srv)
	httpapitest.CheckRoles(t, srv)
}

// attempts is a campaign's dial attempts so far, blocked ones included.
func attempts(t *testing.T, svc *Service, id string) int {
	t.Helper()
	st, ok := svc.Status(id)
	if !ok {
		t.Fatalf("no campaign %s", id)
	}
	return st.Figures.Attempts + st.Figures.Blocked
}

func TestCampaignPauseResumeStop(t *testing.T) {
	srv, svc, clk := newAPI(t)
	svc.RegisterControl(srv)
	post := func(role httpapi.Role, path string) (int, CampaignStatus, string) {
		t.Helper()
		code, body := do(t, srv, role, "POST", path, "")
		var st CampaignStatus
		if code == http.StatusOK {
			if err := json.Unmarshal([]byte(body), &st); err != nil {
				t.Fatal(err)
			}
		}
		return code, st, body
	}
	if code, _ := do(t, srv, httpapi.RoleMarketer, "POST", "/api/campaigns", tmYAML); code != http.StatusCreated {
		t.Fatalf("creating tm-autumn: %d", code)
	}
	clk.Advance(10 * time.Second)

	steps := []struct {
		name      string
		role      httpapi.Role
		path      string
		wantCode  int
		wantState string
		// dialling: whether the campaign places calls in the following hour.
		dialling bool
	}{
		{"a marketer may not pause a service campaign", httpapi.RoleMarketer, "/api/campaigns/renewal-30d/pause", http.StatusForbidden, "", true},
		{"unknown campaign", httpapi.RoleManager, "/api/campaigns/nope/pause", http.StatusNotFound, "", true},
		{"manager pauses", httpapi.RoleManager, "/api/campaigns/renewal-30d/pause", http.StatusOK, StatePaused, false},
		{"pausing twice is harmless", httpapi.RoleManager, "/api/campaigns/renewal-30d/pause", http.StatusOK, StatePaused, false},
		{"manager resumes", httpapi.RoleManager, "/api/campaigns/renewal-30d/resume", http.StatusOK, StateRunning, true},
		{"manager stops", httpapi.RoleManager, "/api/campaigns/renewal-30d/stop", http.StatusOK, StateStopped, false},
		{"a stopped campaign does not resume", httpapi.RoleManager, "/api/campaigns/renewal-30d/resume", http.StatusConflict, "", false},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			code, st, body := post(s.role, s.path)
			if code != s.wantCode {
				t.Fatalf("POST %s = %d %s, want %d", s.path, code, body, s.wantCode)
			}
			if code == http.StatusOK && st.State != s.wantState {
				t.Fatalf("state %q, want %q", st.State, s.wantState)
			}
			clk.Advance(5 * time.Minute) // calls in progress when it was paused end
			before := attempts(t, svc, "renewal-30d")
			clk.Advance(time.Hour)
			after := attempts(t, svc, "renewal-30d")
			if dialled := after > before; dialled != s.dialling {
				t.Errorf("attempts %d -> %d in the hour after; want dialling %v", before, after, s.dialling)
			}
			if st, _ := svc.Status("renewal-30d"); s.wantState != "" && st.State != s.wantState {
				t.Errorf("status after the hour: %q, want %q", st.State, s.wantState)
			}
		})
	}
	st, _ := svc.Status("renewal-30d")
	if st.List.Open != 0 || st.List.Final[FinalExpired] == 0 {
		t.Errorf("stopped campaign's list: %+v, want no open contacts and the rest expired", st.List)
	}
	if code, _, body := post(httpapi.RoleMarketer, "/api/campaigns/tm-autumn/pause"); code != http.StatusOK {
		t.Errorf("the marketer pausing their telemarketing campaign: %d %s", code, body)
	}
}

func TestCreateReadsTheListFirst(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	bad := filepath.Join(dir, "bad.csv")
	for path, text := range map[string]string{good: "customer_id,phone\nC1,13900000001\nC2,13900000002\nC3,13900000001\n", bad: "C1,13900000001\nC2,not-a-number\n"} {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, svc, clk := newAPI(t)
	tests := []struct {
		name    string
		list    ListRule
		wantErr string // "" for success
	}{
		{"a list file", ListRule{Source: "file", File: good}, ""},
		{"a list file that does not exist", ListRule{Source: "file", File: filepath.Join(dir, "nope.csv")}, "list.file: open " + dir},
		{"a list file with a bad line", ListRule{Source: "file", File: bad}, `list line 2: "not-a-number" is not a phone number`},
		{"a query without ClickHouse", ListRule{Source: "clickhouse", Query: "SELECT 1"}, "list.query: no ClickHouse connection"},
		{"a segment without a segment source", ListRule{Source: "segment", Segment: "loyal"}, `list.segment "loyal": no segment source`},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Campaign{ID: "survey-" + string(rune('a'+i)), Type: "satisfaction_survey", Script: "S", List: tc.list}
			err := svc.Create(c)
			if errors.Is(err, ErrCampaignExists) {
				t.Fatalf("a list error passes for an id in use: %v", err)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Create: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Create error %v, want one containing %q", err, tc.wantErr)
			}
			clk.Advance(10 * time.Second)
			st, ok := svc.Status(c.ID)
			if tc.wantErr != "" {
				if ok {
					t.Fatalf("a campaign whose list failed is listed: %s", st.State)
				}
				return
			}
			// Three rows, two numbers: de-duplicated by number.
			if st.State != StateRunning || st.List.Contacts != 2 {
				t.Fatalf("state %q, %d contacts; want running with 2", st.State, st.List.Contacts)
			}
			if err := svc.Create(c); !errors.Is(err, ErrCampaignExists) || !strings.Contains(err.Error(), `campaign "`+c.ID+`" already exists`) {
				t.Errorf("creating it again: %v, want ErrCampaignExists", err)
			}
		})
	}
}

func TestCampaignWithoutNameIsListedByID(t *testing.T) {
	_, svc, clk := newAPI(t)
	tests := []struct{ id, name, want string }{
		{"survey-unnamed", "", "survey-unnamed"},
		{"survey-named", "Spring satisfaction survey", "Spring satisfaction survey"},
	}
	for _, tc := range tests {
		if err := svc.Create(Campaign{ID: tc.id, Name: tc.name, Type: "satisfaction_survey", Script: "S"}); err != nil {
			t.Fatalf("Create %s: %v", tc.id, err)
		}
		if st, _ := svc.Status(tc.id); st.Campaign.Name != tc.want {
			t.Errorf("%s pending: name %q, want %q", tc.id, st.Campaign.Name, tc.want)
		}
	}
	clk.Advance(10 * time.Second)
	names := map[string]string{}
	for _, st := range svc.Statuses() {
		if st.Campaign.Name == "" {
			t.Errorf("campaign %s listed without a name", st.Campaign.ID)
		}
		names[st.Campaign.ID] = st.Campaign.Name
	}
	for _, tc := range tests {
		if names[tc.id] != tc.want {
			t.Errorf("%s running: listed as %q, want %q", tc.id, names[tc.id], tc.want)
		}
	}
}

// TestStopTakesThePreviewOffTheDesk: stopping a preview campaign while a record waits on a
// person's desk takes it off the desk (the desktop hears preview_timeout, action stop) and
// closes it as expired with the campaign's other open contacts, undialled; nothing comes next.
func TestStopTakesThePreviewOffTheDesk(t *testing.T) {
	f := newDeskFixtureFor(t, MethodPreview, withPreview(PreviewPolicy{OnTimeout: PreviewWait}))
	ws, _ := f.openSocket(t)
	first := f.firstPreview(t)
	if m := ws.next(t, "preview"); m.Preview == nil || m.Preview.Contact != first.Contact {
		t.Fatalf("pushed %+v, want preview of %s", m.Preview, first.Contact)
	}
	if st, err := f.svc.SetState("renew", StateStopped); err != nil || st.State != StateStopped {
		t.Fatalf("SetState stopped: %+v, %v", st, err)
	}
	f.clk.Advance(time.Minute)
	m := ws.next(t, "preview_timeout")
	if m.Timeout == nil || m.Timeout.Contact != first.Contact || m.Timeout.Action != PreviewStop || m.Timeout.Campaign != "renew" {
		t.Fatalf("pushed %+v, want record %s taken off the desk with action %s", m.Timeout, first.Contact, PreviewStop)
	}
	if p, ok := f.previewOnDesk(t); ok {
		t.Fatalf("the stopped campaign's record %s is still on the desk", p.Contact)
	}
	f.clk.Advance(time.Hour)
	if ws.seen("preview") {
		t.Error("a record reached the desk after the campaign stopped")
	}
	st, _ := f.svc.Status("renew")
	if st.List.Open != 0 || st.List.Final[FinalExpired] != st.List.Contacts {
		t.Errorf("stopped campaign's list %+v, want all %d contacts expired, none open", st.List, st.List.Contacts)
	}
	if got := f.attempts(t); len(got) != 0 {
		t.Errorf("attempts %+v, want none: the record was never dialled", got)
	}
}

// TestStopClosesTheCallInProgress: a call in progress when the campaign stops finishes; its
// contact then closes as expired like the others, even when the outcome asked for a callback.
func TestStopClosesTheCallInProgress(t *testing.T) {
	f := newDeskFixture(t)
	st := f.onCall(t)
	if _, err := f.svc.SetState("renew", StateStopped); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(time.Minute)
	cb := f.clk.Now().Add(26 * time.Hour).Format(time.RFC3339)
	f.post(t, "/api/agent/calls/"+st.Agent.CallID+"/outcome", `{"code": "callback_at", "callback_at": "`+cb+`"}`, http.StatusOK)
	f.clk.Advance(48 * time.Hour)
	cs, _ := f.svc.Status("renew")
	if cs.List.Open != 0 || cs.List.Final[FinalExpired] != cs.List.Contacts {
		t.Errorf("stopped campaign's list %+v, want all %d contacts expired, none open", cs.List, cs.List.Contacts)
	}
	if got := f.attempts(t); len(got) != 1 {
		t.Errorf("%d attempts, want the one in progress at the stop only", len(got))
	}
}
