package routing

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/httpapi/httpapitest"
)

type popDir struct{ memDir }

func (popDir) CustomerByPhone(phone string) (CustomerRef, bool) {
	return CustomerRef{ID: "cust-9", Segment: "vip"}, true
}
func (popDir) ScreenPop(id string, _ time.Time) (ScreenPop, bool) {
	return ScreenPop{Customer: events.Customer{Customer: id, Name: "Li Lei", Phone: "+8613800000009"}, Segment: "vip",
		Policies: []events.Policy{{Policy: "88000001"}}, RecentClaims: []events.Claim{}, OpenComplaints: []events.Complaint{}}, true
}

func newDesktopServer(t *testing.T) (*httpapi.Server, *Live, *clock.Sim, *collect) {
	t.Helper()
	clk := clock.NewSim(t0)
	sink := &collect{t: t}
	live, err := NewLive(DefaultConfig(), clk, WithSink(sink), WithDirectory(popDir{testDir()}))
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	roster := map[string]map[string]int{"1": {"service": 3}, "a1": {"service": 4, "complaints": 4}, "a2": {"service": 3}}
	NewDesktop(live, WithRoster(func(id string) (map[string]int, bool) { s, ok := roster[id]; return s, ok })).Register(srv)
	return srv, live, clk, sink
}

func TestDesktopRoles(t *testing.T) {
	srv, _, _, _ := newDesktopServer(t)
	httpapitest.CheckRoles(t, srv)
}

func token(t *testing.T, srv *httpapi.Server, agent string) string {
	t.Helper()
	tok, err := srv.Tokens().Generate(httpapi.Principal{User: "u-" + agent, Role: httpapi.RoleAgent, AgentID: agent, Tenant: httpapi.AllTenants})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func call(t *testing.T, srv *httpapi.Server, tok, method, path, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestDesktopCallFlow(t *testing.T) {
	srv, live, clk, sink := newDesktopServer(t)
	a1, a2 := token(t, srv, "a1"), token(t, srv, "a2")
	steps := []struct {
		tok, method, path, body string
		want                    int
		contains                string
	}{
		{a1, "POST", "/api/agent/login", `{"lease": false}`, 200, `"state":"break"`},
		{token(t, srv, "stranger"), "POST", "/api/agent/login", "", 404, "roster"},
		{a1, "POST", "/api/agent/break", "", 400, "reason"},
		{a1, "POST", "/api/agent/ready", "", 200, ""},
	}
	for i, s := range steps {
		if code, body := call(t, srv, s.tok, s.method, s.path, s.body); code != s.want || !strings.Contains(body, s.contains) {
			t.Fatalf("step %d %s %s: %d %s", i, s.method, s.path, code, body)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(live.Do(func(e *Engine) error {
		return e.Arrive(Arrival{CallID: "k1", Phone: "+8613800000009", Queue: "complaint", Data: map[string]string{"policy_id": "88000001"}})
	}))
	code, body := call(t, srv, a1, "GET", "/api/agent/state", "")
	var st DeskState
	if err := json.Unmarshal([]byte(body), &st); err != nil || code != 200 {
		t.Fatalf("state %d %s", code, body)
	}
	if st.Agent.State != events.AgentReserved || st.Call == nil || st.Call.CallID != "k1" || st.ScreenPop == nil || st.ScreenPop.Customer.Name != "Li Lei" || st.ScreenPop.Segment != "vip" {
		t.Fatalf("offered state %+v", st)
	}
	if st.MaxWrapUpSec <= 0 || !slices.Contains(st.TransferQueues, "inquiry") {
		t.Errorf("the desk lacks the wrap-up limit %v or the transfer queues %v", st.MaxWrapUpSec, st.TransferQueues)
	}
	if st.Call.Phone != "+86138****0009" || st.ScreenPop.Customer.Phone != "+86138****0009" {
		t.Errorf("an agent's desk shows phone %q and customer phone %q, want them masked", st.Call.Phone, st.ScreenPop.Customer.Phone)
	}
	// The other agent cannot see or touch a1's call.
	for _, p := range []string{"/api/agent/calls/k1", "/api/agent/calls/k1/accept"} {
		m := "POST"
		if !strings.HasSuffix(p, "accept") {
			m = "GET"
		}
		if code, _ := call(t, srv, a2, m, p, ""); code != 404 {
			t.Fatalf("a2 %s %s: %d", m, p, code)
		}
	}
	flow := []struct {
		path, body string
		want       int
	}{
		{"/api/agent/calls/k1/accept", "", 200},
		{"/api/agent/calls/k1/hold", "", 200},
		{"/api/agent/calls/k1/hold", "", 409},
		{"/api/agent/calls/k1/retrieve", "", 200},
		{"/api/agent/calls/k1/complaint", `{"category":"claim_delay","department":"claims"}`, 200},
		{"/api/agent/calls/k1/hangup", "", 200},
		{"/api/agent/calls/k1/wrapup", `{}`, 400},
		{"/api/agent/calls/k1/wrapup", `{"disposition":"complaint_registered","resolved":true}`, 200},
	}
	for _, f := range flow {
		clk.Advance(10 * time.Second)
		if code, body := call(t, srv, a1, "POST", f.path, f.body); code != f.want {
			t.Fatalf("%s: %d %s", f.path, code, body)
		}
	}
	r := sink.records()["k1"]
	if r.Agent != "a1" || r.Disposition != "complaint_registered" || !r.Resolved || r.HoldSec != 20 || r.HoldCount != 1 || r.TalkSec != 30 {
		t.Fatalf("record %+v", r)
	}
	var cp *events.Complaint
	for _, ev := range sink.evs {
		if c, ok := ev.Payload.(events.Complaint); ok {
			cp = &c
		}
	}
	// Registered on Monday 2 Nov: seven working days later is Wednesday 11 Nov.
	if cp == nil || cp.CallID != "k1" || cp.Customer != "cust-9" || cp.DueAt.Format("2006-01-02") != "2026-11-11" {
		t.Fatalf("complaint %+v", cp)
	}
	mgr, _ := srv.Tokens().Generate(httpapi.Principal{User: "boss", Role: httpapi.RoleManager, Tenant: httpapi.AllTenants})
	if code, body := call(t, srv, mgr, "GET", "/api/routing/agents", ""); code != 200 || !strings.Contains(body, `"agent_id":"a1"`) {
		t.Fatalf("supervisor view %d %s", code, body)
	}
}

func TestDesktopWebSocket(t *testing.T) {
	srv, live, _, _ := newDesktopServer(t)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	tok := token(t, srv, "a1")
	if code, body := call(t, srv, tok, "POST", "/api/agent/login", ""); code != 200 {
		t.Fatalf("login %d %s", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/api/agent/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + tok}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	got := make(chan PushMessage, 16)
	go func() {
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			var m PushMessage
			if json.Unmarshal(b, &m) == nil {
				got <- m
			}
		}
	}()
	select {
	case m := <-got:
		if m.Type != "hello" || m.Desk == nil || m.Desk.Agent.Agent != "a1" {
			t.Fatalf("first message %+v", m)
		}
	case <-ctx.Done():
		t.Fatal("no hello")
	}
	if code, body := call(t, srv, tok, "POST", "/api/agent/ready", ""); code != 200 {
		t.Fatalf("ready %d %s", code, body)
	}
	_ = live.Do(func(e *Engine) error {
		return e.Arrive(Arrival{CallID: "w1", Phone: "+8613800000009", Queue: "inquiry"})
	})
	for {
		select {
		case m := <-got:
			if m.Type == "offer" {
				if m.Call == nil || m.Call.CallID != "w1" || m.ScreenPop == nil {
					t.Fatalf("offer %+v", m)
				}
				if m.Call.Phone != "+86138****0009" || m.ScreenPop.Customer.Phone != "+86138****0009" {
					t.Errorf("offer pushes phone %q and customer phone %q, want them masked", m.Call.Phone, m.ScreenPop.Customer.Phone)
				}
				return
			}
		case <-ctx.Done():
			t.Fatal("no offer pushed")
		}
	}
}
