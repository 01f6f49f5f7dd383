package dialer

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/routing"
)

// deskSocket is the agent's desktop WebSocket, read into a channel.
type deskSocket struct {
	msgs chan routing.PushMessage
}

// openSocket connects a's desktop WebSocket and returns once its hello arrived (the desktop runs
// engine work only for the hello: the test's goroutine drives the clock from then on).
func (f *deskFixture) openSocket(t *testing.T) (*deskSocket, routing.PushMessage) {
	t.Helper()
	ts := httptest.NewServer(f.srv.Handler())
	t.Cleanup(ts.Close)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/api/agent/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + f.tok}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	s := &deskSocket{msgs: make(chan routing.PushMessage, 64)}
	go func() {
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			var m routing.PushMessage
			if json.Unmarshal(b, &m) == nil {
				s.msgs <- m
			}
		}
	}()
	return s, s.next(t, "hello")
}

// next returns the next message of type typ, skipping others.
func (s *deskSocket) next(t *testing.T, typ string) routing.PushMessage {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case m := <-s.msgs:
			if m.Type == typ {
				return m
			}
		case <-timeout:
			t.Fatalf("no %q message pushed", typ)
		}
	}
}

func (f *deskFixture) previewOnDesk(t *testing.T) (routing.OutboundPreview, bool) {
	t.Helper()
	code, body := f.do(t, http.MethodGet, "/api/agent/preview", "")
	if code == http.StatusNotFound {
		return routing.OutboundPreview{}, false
	}
	var p routing.OutboundPreview
	if code != http.StatusOK || json.Unmarshal([]byte(body), &p) != nil {
		t.Fatalf("GET /api/agent/preview: %d %s", code, body)
	}
	return p, true
}

// TestDesktopPreviewDialAndSkip: a preview campaign's record waits on a person's desk (GET and
// pushed on the WebSocket, with the campaign's outcome codes) until they act — the simulated
// team does not dial it for them; skipping gives it back undialled and brings the next record;
// dialling rings the line, and the answered call reaches the agent with its outcome codes
// pushed; only the dialled record becomes an attempt.
func TestDesktopPreviewDialAndSkip(t *testing.T) {
	f := newDeskFixtureFor(t, MethodPreview)
	ws, hello := f.openSocket(t)
	if hello.Desk == nil || hello.Desk.Agent.Agent != "a" {
		t.Fatalf("hello %+v", hello)
	}
	var first routing.OutboundPreview
	for waited := 0; ; waited++ {
		p, ok := f.previewOnDesk(t)
		if ok {
			first = p
			break
		}
		if waited == 10 {
			t.Fatal("no record on the desk after 10 s")
		}
		f.clk.Advance(time.Second)
	}
	if first.Campaign != "renew" || first.Script != "R1" || len(first.Outcomes) == 0 || first.Contact == "" || first.Phone == "" || first.Attempt != 1 {
		t.Fatalf("preview %+v, want campaign renew's record with its outcome codes", first)
	}
	if m := ws.next(t, "preview"); m.Preview == nil || m.Preview.Contact != first.Contact || len(m.Preview.Outcomes) == 0 {
		t.Fatalf("pushed preview %+v, want record %s with the outcome codes", m.Preview, first.Contact)
	}
	if _, body := f.do(t, http.MethodGet, "/api/agent/state", ""); !strings.Contains(body, `"preview":{`) || !strings.Contains(body, first.Contact) {
		t.Fatalf("desk state without the preview: %s", body)
	}

	// A person reads as long as they need: nothing is dialled for them.
	f.clk.Advance(10 * time.Minute)
	if p, ok := f.previewOnDesk(t); !ok || p.Contact != first.Contact {
		t.Fatalf("after 10 minutes the desk shows %+v, want record %s still", p, first.Contact)
	}
	if got := f.attempts(t); len(got) != 0 {
		t.Fatalf("attempts before the agent dialled: %+v", got)
	}

	// Skip: the record goes back undialled, the next one arrives at once.
	out := f.post(t, "/api/agent/preview/skip", `{"reason": "customer in hospital"}`, http.StatusOK)
	var skipped PreviewAction
	if err := json.Unmarshal([]byte(out), &skipped); err != nil || skipped.Dialled || skipped.Contact != first.Contact || skipped.DueAgain == nil ||
		!skipped.DueAgain.Equal(f.clk.Now().Add(skipDelay)) {
		t.Fatalf("skip: %s (%v), want record %s due again in %s", out, err, first.Contact, skipDelay)
	}
	second := ws.next(t, "preview").Preview
	if second == nil || second.Contact == first.Contact {
		t.Fatalf("after the skip the desk got %+v, want another record than %s", second, first.Contact)
	}
	if p, ok := f.previewOnDesk(t); !ok || p.Contact != second.Contact {
		t.Fatalf("desk shows %+v, want the pushed record %s", p, second.Contact)
	}

	// Dial: the line rings with the agent held for it, the person answers, the call and its
	// outcome codes reach the desk.
	out = f.post(t, "/api/agent/preview/dial", "", http.StatusOK)
	if !strings.Contains(out, `"dialled":true`) || !strings.Contains(out, second.Contact) {
		t.Fatalf("dial: %s", out)
	}
	if _, ok := f.previewOnDesk(t); ok {
		t.Fatal("the dialled record is still on the desk as a preview")
	}
	f.post(t, "/api/agent/preview/dial", "", http.StatusConflict) // nothing left to dial
	f.post(t, "/api/agent/preview/skip", "", http.StatusConflict)
	st := f.onCall(t)
	m := ws.next(t, "outbound")
	if m.CallID != st.Agent.CallID || m.Outbound == nil || m.Outbound.Campaign != "renew" || len(m.Outbound.Outcomes) == 0 {
		t.Fatalf("pushed on the call: %+v, want call %s with renew's outcome codes", m, st.Agent.CallID)
	}
	f.post(t, "/api/agent/calls/"+st.Agent.CallID+"/outcome", `{"code": "renewed"}`, http.StatusOK)
	got := f.attempts(t)
	if len(got) != 1 || got[0].Contact != second.Contact || got[0].Outcome != events.AttemptConnected || got[0].Mode != events.ModePreview {
		t.Fatalf("attempts %+v, want one, the dialled record %s, connected, in preview mode", got, second.Contact)
	}
}

// TestDesktopPreviewBackOnBreak: an agent who goes on a break while reading a record leaves the
// campaign; the record goes back undialled, and is the first one back on their desk when they
// are ready again.
func TestDesktopPreviewBackOnBreak(t *testing.T) {
	f := newDeskFixtureFor(t, MethodPreview)
	var first routing.OutboundPreview
	for waited := 0; ; waited++ {
		if p, ok := f.previewOnDesk(t); ok {
			first = p
			break
		}
		if waited == 10 {
			t.Fatal("no record on the desk after 10 s")
		}
		f.clk.Advance(time.Second)
	}
	f.post(t, "/api/agent/break", `{"reason": "lunch"}`, http.StatusOK)
	f.clk.Advance(5 * time.Second)
	if p, ok := f.previewOnDesk(t); ok {
		t.Fatalf("on a break, the desk still shows record %s", p.Contact)
	}
	f.clk.Advance(30 * time.Minute)
	f.post(t, "/api/agent/ready", "", http.StatusOK)
	for waited := 0; ; waited++ {
		if p, ok := f.previewOnDesk(t); ok {
			if p.Contact != first.Contact {
				t.Fatalf("back from the break the desk shows record %s, want %s again (it went back undialled)", p.Contact, first.Contact)
			}
			break
		}
		if waited == 10 {
			t.Fatal("no record on the desk 10 s after the break")
		}
		f.clk.Advance(time.Second)
	}
	if got := f.attempts(t); len(got) != 0 {
		t.Fatalf("attempts %+v, want none: nothing was dialled", got)
	}
}
