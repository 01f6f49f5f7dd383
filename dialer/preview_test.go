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
	msgs  chan routing.PushMessage
	close func() // closes the socket, as a closed tab or a lost network would
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
	s := &deskSocket{msgs: make(chan routing.PushMessage, 64), close: func() { c.CloseNow() }}
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

func withPreview(p PreviewPolicy) func(*Campaign) {
	return func(c *Campaign) { c.Preview = p }
}

// firstPreview advances the clock until a record is on the desk.
func (f *deskFixture) firstPreview(t *testing.T) routing.OutboundPreview {
	t.Helper()
	for waited := 0; ; waited++ {
		if p, ok := f.previewOnDesk(t); ok {
			return p
		}
		if waited == 10 {
			t.Fatal("no record on the desk after 10 s")
		}
		f.clk.Advance(time.Second)
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
	f := newDeskFixtureFor(t, MethodPreview, withPreview(PreviewPolicy{OnTimeout: PreviewWait}))
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
	if m := ws.next(t, "preview"); m.Preview == nil || m.Preview.Contact != first.Contact || len(m.Preview.Outcomes) == 0 || m.Preview.Deadline != nil {
		t.Fatalf("pushed preview %+v, want record %s with the outcome codes and no deadline", m.Preview, first.Contact)
	}
	if _, body := f.do(t, http.MethodGet, "/api/agent/state", ""); !strings.Contains(body, `"preview":{`) || !strings.Contains(body, first.Contact) {
		t.Fatalf("desk state without the preview: %s", body)
	}

	// On a campaign without a timeout a person reads as long as they need: nothing is dialled
	// for them.
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
	f := newDeskFixtureFor(t, MethodPreview, withPreview(PreviewPolicy{OnTimeout: PreviewWait}))
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

// seen drains the messages pushed so far and reports whether one of type typ was among them.
func (s *deskSocket) seen(typ string) bool {
	for {
		select {
		case m := <-s.msgs:
			if m.Type == typ {
				return true
			}
		default:
			return false
		}
	}
}

// TestDesktopPreviewTimeout: a record carries its deadline to the desktop; at the deadline the
// dialer dials it for the agent or gives it back undialled (due again after skipDelay, no
// attempt), as the campaign says, and tells the desktop; an agent acting first cancels it, and
// the next record gets a deadline of its own.
func TestDesktopPreviewTimeout(t *testing.T) {
	const timeout = 10 * time.Second
	tests := []struct {
		name      string
		onTimeout string
		act       string // what the agent does 4 s after the record arrived: "" (nothing), dial or skip
	}{
		{"timeout dials", PreviewDial, ""},
		{"timeout skips", PreviewSkip, ""},
		{"agent dials first", PreviewDial, "dial"},
		{"agent skips first", PreviewDial, "skip"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newDeskFixtureFor(t, MethodPreview, withPreview(PreviewPolicy{Timeout: timeout, OnTimeout: tc.onTimeout}))
			ws, _ := f.openSocket(t)
			first := f.firstPreview(t)
			if first.Deadline == nil || !first.Deadline.Equal(first.Since.Add(timeout)) || first.OnTimeout != tc.onTimeout {
				t.Fatalf("record %s since %s: deadline %v on_timeout %q, want %s later, %s", first.Contact, first.Since, first.Deadline, first.OnTimeout, timeout, tc.onTimeout)
			}
			if m := ws.next(t, "preview"); m.Preview == nil || m.Preview.Deadline == nil || !m.Preview.Deadline.Equal(*first.Deadline) {
				t.Fatalf("pushed preview %+v, want deadline %s for the countdown", m.Preview, first.Deadline)
			}
			deadline := *first.Deadline

			if tc.act != "" {
				f.clk.Advance(deadline.Add(-6 * time.Second).Sub(f.clk.Now()))
				f.post(t, "/api/agent/preview/"+tc.act, "", http.StatusOK)
				f.clk.Advance(deadline.Add(time.Second).Sub(f.clk.Now()))
				if ws.seen("preview_timeout") {
					t.Fatal("a preview_timeout pushed after the agent acted")
				}
				if tc.act == "dial" {
					st := f.onCall(t)
					f.post(t, "/api/agent/calls/"+st.Agent.CallID+"/outcome", `{"code": "renewed"}`, http.StatusOK)
					if got := f.attempts(t); len(got) != 1 || got[0].Contact != first.Contact {
						t.Fatalf("attempts %+v, want the one the agent dialled, %s", got, first.Contact)
					}
					return
				}
				// The first record's deadline must not act on the next record, which has its own.
				second, ok := f.previewOnDesk(t)
				if !ok || second.Contact == first.Contact || second.Deadline == nil || !second.Deadline.Equal(second.Since.Add(timeout)) {
					t.Fatalf("after the skip and the first record's deadline the desk shows %+v (%v), want the next record with its own deadline", second, ok)
				}
				f.clk.Advance(second.Deadline.Add(-time.Second).Sub(f.clk.Now()))
				if p, ok := f.previewOnDesk(t); !ok || p.Contact != second.Contact {
					t.Fatalf("a second before its deadline the desk shows %+v (%v), want record %s", p, ok, second.Contact)
				}
				f.clk.Advance(time.Second)
				if m := ws.next(t, "preview_timeout"); m.Timeout == nil || m.Timeout.Contact != second.Contact || m.Timeout.Action != PreviewDial {
					t.Fatalf("timeout pushed %+v, want record %s dialled", m.Timeout, second.Contact)
				}
				st := f.onCall(t)
				f.post(t, "/api/agent/calls/"+st.Agent.CallID+"/outcome", `{"code": "renewed"}`, http.StatusOK)
				if got := f.attempts(t); len(got) != 1 || got[0].Contact != second.Contact {
					t.Fatalf("attempts %+v, want one, record %s dialled at its deadline", got, second.Contact)
				}
				return
			}

			f.clk.Advance(deadline.Add(-time.Second).Sub(f.clk.Now()))
			if p, ok := f.previewOnDesk(t); !ok || p.Contact != first.Contact {
				t.Fatalf("a second before the deadline the desk shows %+v (%v), want record %s", p, ok, first.Contact)
			}
			if got := f.attempts(t); len(got) != 0 {
				t.Fatalf("attempts before the deadline: %+v", got)
			}
			f.clk.Advance(time.Second)
			m := ws.next(t, "preview_timeout")
			if m.Timeout == nil || m.Timeout.Contact != first.Contact || m.Timeout.Action != tc.onTimeout || !m.Timeout.Deadline.Equal(deadline) {
				t.Fatalf("timeout pushed %+v, want record %s, action %s at %s", m.Timeout, first.Contact, tc.onTimeout, deadline)
			}
			if p, ok := f.previewOnDesk(t); ok && p.Contact == first.Contact {
				t.Fatalf("record %s is still on the desk after its deadline", first.Contact)
			}

			if tc.onTimeout == PreviewDial {
				st := f.onCall(t)
				f.post(t, "/api/agent/calls/"+st.Agent.CallID+"/outcome", `{"code": "renewed"}`, http.StatusOK)
				got := f.attempts(t)
				if len(got) != 1 || got[0].Contact != first.Contact || got[0].Mode != events.ModePreview {
					t.Fatalf("attempts %+v, want one: record %s dialled at its deadline, in preview mode", got, first.Contact)
				}
				return
			}

			// Skipped: due again after skipDelay, no attempt; the desk goes on with other records.
			if m.Timeout.DueAgain == nil || !m.Timeout.DueAgain.Equal(deadline.Add(skipDelay)) {
				t.Fatalf("timeout pushed due again %v, want %s", m.Timeout.DueAgain, deadline.Add(skipDelay))
			}
			due := *m.Timeout.DueAgain
			if next := ws.next(t, "preview").Preview; next == nil || next.Contact == first.Contact {
				t.Fatalf("after the timeout the desk got %+v, want another record than %s", next, first.Contact)
			}
			// The agent skips the records that follow by hand (a second timeout in a row would
			// pause them), so the desk stays live until the first record is due again.
			for f.clk.Now().Before(due.Add(-timeout)) {
				f.clk.Advance(timeout / 2)
				p, ok := f.previewOnDesk(t)
				if ok && p.Contact == first.Contact {
					t.Fatalf("record %s back on the desk at %s, before it is due again at %s", first.Contact, f.clk.Now(), due)
				}
				if ok {
					f.post(t, "/api/agent/preview/skip", "", http.StatusOK)
				}
			}
			back := false
			for end := due.Add(timeout); !back && f.clk.Now().Before(end); {
				f.clk.Advance(time.Second)
				p, ok := f.previewOnDesk(t)
				back = ok && p.Contact == first.Contact && !p.Since.Before(due)
			}
			if !back {
				t.Fatalf("record %s not back on the desk within %s of %s, when it was due again", first.Contact, timeout, due)
			}
			if got := f.attempts(t); len(got) != 0 {
				t.Fatalf("attempts %+v, want none: every record timed out undialled", got)
			}
		})
	}
}

// TestDesktopPreviewAutoPause: a record times out on an empty seat — a desktop whose WebSocket is
// not open, or a second record in a row let time out at a connected one. The dialer neither dials
// it (no customer connected to nobody) nor pushes the next record every timeout: the record goes
// back to the list undialled, not an attempt, and the agent is on a break with reason
// preview_timeout until they are ready again, when that record is the first back on the desk. A
// first timeout at a live desk gets the campaign's action (TestDesktopPreviewTimeout).
func TestDesktopPreviewAutoPause(t *testing.T) {
	const timeout = 10 * time.Second
	tests := []struct {
		name      string
		onTimeout string
		socket    string // none, closed (open, then closed while the record waits) or live
	}{
		{"no socket, dial", PreviewDial, "none"},
		{"socket closed while reading, dial", PreviewDial, "closed"},
		{"no socket, skip", PreviewSkip, "none"},
		{"two timeouts in a row at a live desk, skip", PreviewSkip, "live"},
		{"two timeouts in a row at a live desk, dial", PreviewDial, "live"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newDeskFixtureFor(t, MethodPreview, withPreview(PreviewPolicy{Timeout: timeout, OnTimeout: tc.onTimeout}))
			var ws *deskSocket
			if tc.socket != "none" {
				ws, _ = f.openSocket(t)
			}
			rec := f.firstPreview(t)
			attempts := 0
			if tc.socket == "live" {
				// The first timeout at a live desk is the campaign's; the second record is paused.
				f.clk.Advance(rec.Deadline.Sub(f.clk.Now()))
				if m := ws.next(t, "preview_timeout"); m.Timeout == nil || m.Timeout.Action != tc.onTimeout {
					t.Fatalf("first timeout at a live desk pushed %+v, want action %s", m.Timeout, tc.onTimeout)
				}
				if tc.onTimeout == PreviewDial {
					// Nobody reports an outcome: the customer hangs up after talking to the empty
					// seat, and routing's wrap-up limit hands the agent back.
					st := f.onCall(t)
					if err := f.acd.Hangup(st.Agent.CallID); err != nil {
						t.Fatal(err)
					}
					for ai, _ := f.acd.Agent("a"); ai.State != events.AgentAvailable; ai, _ = f.acd.Agent("a") {
						if f.clk.Now().After(rec.Deadline.Add(5 * time.Minute)) {
							t.Fatalf("routing's wrap-up limit did not hand a back: %s", ai.State)
						}
						f.clk.Advance(10 * time.Second)
					}
					attempts = 1
				}
				rec = f.firstPreview(t)
			}
			if tc.socket == "closed" {
				ws.close()
				for waited := 0; f.blend.desk.Connected("a"); waited++ {
					if waited == 500 {
						t.Fatal("the desktop still counts the closed socket after 5 s")
					}
					time.Sleep(10 * time.Millisecond)
				}
			}

			f.clk.Advance(rec.Deadline.Sub(f.clk.Now()))
			if ai, _ := f.acd.Agent("a"); ai.State != events.AgentBreak || ai.Reason != routing.ReasonPreviewTimeout {
				t.Fatalf("at the deadline a is %s (%q), want on a break, reason %s", ai.State, ai.Reason, routing.ReasonPreviewTimeout)
			}
			if tc.socket == "live" {
				m := ws.next(t, "preview_timeout")
				if m.Timeout == nil || m.Timeout.Action != PreviewPause || m.Timeout.Contact != rec.Contact || !strings.Contains(m.Timeout.Reason, "2 previews in a row") {
					t.Fatalf("second timeout pushed %+v, want record %s paused, 2 previews in a row", m.Timeout, rec.Contact)
				}
				if s := ws.next(t, "state"); s.State == nil || s.State.State != events.AgentBreak || s.State.Reason != routing.ReasonPreviewTimeout {
					t.Fatalf("state pushed %+v, want a break, reason %s", s.State, routing.ReasonPreviewTimeout)
				}
			}
			// Nobody is dialled for the empty seat and no record is pushed to it, timeout after
			// timeout.
			for range 10 {
				f.clk.Advance(timeout * 3)
				if p, ok := f.previewOnDesk(t); ok {
					t.Fatalf("paused, the desk was handed record %s", p.Contact)
				}
			}
			if ai, _ := f.acd.Agent("a"); ai.State != events.AgentBreak || ai.Reason != routing.ReasonPreviewTimeout {
				t.Fatalf("five minutes after the pause a is %s (%q), want still on the break", ai.State, ai.Reason)
			}
			if got := f.attempts(t); len(got) != attempts {
				t.Fatalf("attempts %+v, want %d: the paused record is not dialled nor counted", got, attempts)
			}

			// Back at the desk: the record that was paused is the first one again.
			f.post(t, "/api/agent/ready", "", http.StatusOK)
			if p := f.firstPreview(t); p.Contact != rec.Contact {
				t.Fatalf("ready again, the desk shows record %s, want %s back (it went back to the list undialled)", p.Contact, rec.Contact)
			}
		})
	}
}

// An agent who takes the call a timed-out record dialled and reports its outcome is at the desk:
// the next record's timeout is a first one again and gets the campaign's action, not a pause.
func TestDesktopPreviewOutcomeShowsPresence(t *testing.T) {
	const timeout = 10 * time.Second
	f := newDeskFixtureFor(t, MethodPreview, withPreview(PreviewPolicy{Timeout: timeout, OnTimeout: PreviewDial}))
	ws, _ := f.openSocket(t)
	for i := range 2 {
		rec := f.firstPreview(t)
		f.clk.Advance(rec.Deadline.Sub(f.clk.Now()))
		if m := ws.next(t, "preview_timeout"); m.Timeout == nil || m.Timeout.Action != PreviewDial {
			t.Fatalf("timeout %d after an agent reported an outcome pushed %+v, want action dial", i+1, m.Timeout)
		}
		st := f.onCall(t)
		f.post(t, "/api/agent/calls/"+st.Agent.CallID+"/outcome", `{"code": "renewed"}`, http.StatusOK)
		f.post(t, "/api/agent/ready", "", http.StatusOK)
	}
	if ai, _ := f.acd.Agent("a"); ai.State == events.AgentBreak {
		t.Fatalf("a is on a break (%q) after reporting both calls' outcomes", ai.Reason)
	}
}
