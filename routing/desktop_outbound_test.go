package routing

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// fakeOutbound is a dialer that waits for the agent's outcome on the calls it connected.
type fakeOutbound struct {
	e        *Engine
	calls    map[string]string // call → reported outcome
	outcomes []string
}

func (f *fakeOutbound) OutboundCall(agentID, callID string) (OutboundInfo, bool) {
	rep, ok := f.calls[callID]
	if !ok {
		return OutboundInfo{}, false
	}
	return OutboundInfo{Campaign: "c1", Outcomes: f.outcomes, Reported: rep}, true
}

func (f *fakeOutbound) ReportOutcome(agentID, callID string, o OutboundOutcome) (any, error) {
	switch {
	case f.calls[callID] != "":
		return nil, fmt.Errorf("reported already: %w", ErrState)
	case !slices.Contains(f.outcomes, o.Code):
		return nil, fmt.Errorf("code: %q is not an outcome of c1", o.Code)
	}
	f.calls[callID] = o.Code
	if ai, _ := f.e.Agent(agentID); ai.State == events.AgentOnCall {
		if err := f.e.Hangup(callID); err != nil {
			return nil, err
		}
	}
	return map[string]string{"code": o.Code}, nil
}

// TestDesktopOutcome: the desktop shows an outbound campaign call's outcome codes, passes the
// agent's outcome to the dialer (4xx when the dialer refuses it or the call is not one it waits
// for), and does not let wrap-up end before the outcome is reported; wrap-up then takes the
// outcome as its disposition.
func TestDesktopOutcome(t *testing.T) {
	clk := clock.NewSim(t0)
	sink := &collect{t: t}
	live, err := NewLive(DefaultConfig(), clk, WithSink(sink))
	if err != nil {
		t.Fatal(err)
	}
	out := &fakeOutbound{calls: map[string]string{}, outcomes: []string{"renewed", "refused"}}
	_ = live.Do(func(e *Engine) error { out.e = e; return nil })
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	desk := NewDesktop(live, WithOutbound(out))
	desk.Register(srv)
	a1 := token(t, srv, "a1")
	for _, p := range []string{"/api/agent/login", "/api/agent/ready"} {
		if code, body := call(t, srv, a1, "POST", p, ""); code != 200 {
			t.Fatalf("%s: %d %s", p, code, body)
		}
	}
	if !desk.Attended("a1") || desk.Attended("a2") {
		t.Fatal("a1 logged in at the desktop and a2 did not")
	}
	// An inbound call is no campaign call.
	_ = live.Do(func(e *Engine) error {
		return e.Arrive(Arrival{CallID: "in1", Phone: "+8613800000009", Queue: "inquiry"})
	})
	steps := []struct {
		path, body string
		want       int
		contains   string
	}{
		{"/api/agent/calls/in1/accept", "", 200, ""},
		{"/api/agent/calls/in1/outcome", `{"code":"renewed"}`, 409, "not an outbound campaign call"},
		{"/api/agent/calls/in1/hangup", "", 200, ""},
		{"/api/agent/ready", "", 200, ""}, // an inbound call's wrap-up ends as before
	}
	for _, s := range steps {
		clk.Advance(5 * time.Second)
		if code, body := call(t, srv, a1, "POST", s.path, s.body); code != s.want || !strings.Contains(body, s.contains) {
			t.Fatalf("%s %s: %d %s", s.path, s.body, code, body)
		}
	}
	_ = live.Do(func(e *Engine) error {
		out.calls["out1"] = ""
		if err := e.ReserveAgentID("a1", "c1"); err != nil {
			return err
		}
		return e.ConnectOutbound("a1", OutboundCall{CallID: "out1", Phone: "+8613800000005", Campaign: "c1", Line: events.LineRenewal})
	})
	code, body := call(t, srv, a1, "GET", "/api/agent/state", "")
	var st DeskState
	if err := json.Unmarshal([]byte(body), &st); err != nil || code != 200 {
		t.Fatalf("state %d %s", code, body)
	}
	if st.Outbound == nil || st.Outbound.Campaign != "c1" || !slices.Equal(st.Outbound.Outcomes, out.outcomes) || st.Outbound.Reported != "" {
		t.Fatalf("desk on the outbound call: %s", body)
	}
	steps = []struct {
		path, body string
		want       int
		contains   string
	}{
		{"/api/agent/calls/out1/outcome", "", 400, "renewed"}, // no code: the codes listed
		{"/api/agent/calls/out1/outcome", `{"code":"sale"}`, 400, "not an outcome"},
		{"/api/agent/calls/out1/outcome", `{"code":"renewed","callback_at":"tomorrow"}`, 400, "request body"},
		{"/api/agent/calls/out1/hangup", "", 200, ""},
		{"/api/agent/ready", "", 409, "report the outcome of outbound call out1 first"},
		{"/api/agent/calls/out1/wrapup", `{"disposition":"x"}`, 409, "report the outcome"},
		{"/api/agent/calls/out1/outcome", `{"code":"renewed"}`, 200, `"code":"renewed"`},
		{"/api/agent/calls/out1/outcome", `{"code":"refused"}`, 409, "reported already"},
		{"/api/agent/calls/out1/wrapup", "", 200, ""},
	}
	for _, s := range steps {
		clk.Advance(5 * time.Second)
		if code, body := call(t, srv, a1, "POST", s.path, s.body); code != s.want || !strings.Contains(body, s.contains) {
			t.Fatalf("%s %s: %d %s, want %d containing %q", s.path, s.body, code, body, s.want, s.contains)
		}
	}
	if r := sink.records()["out1"]; r.Disposition != "renewed" || r.Campaign != "c1" {
		t.Fatalf("outbound record %+v, want the reported outcome as disposition", r)
	}
	if code, _ := call(t, srv, a1, "POST", "/api/agent/logout", ""); code != 200 || desk.Attended("a1") {
		t.Fatalf("logout %d; attended %v", code, desk.Attended("a1"))
	}
}
