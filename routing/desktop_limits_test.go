package routing

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestDesktopBoundsFreeText: a megabyte break reason, disposition or transfer target is refused
// before it is stored or pushed; the agent's state does not change.
func TestDesktopBoundsFreeText(t *testing.T) {
	srv, live, _, _ := newDesktopServer(t)
	tok := token(t, srv, "a1")
	if code, body := call(t, srv, tok, "POST", "/api/agent/login", ""); code != 200 {
		t.Fatalf("login %d %s", code, body)
	}
	if code, body := call(t, srv, tok, "POST", "/api/agent/ready", ""); code != 200 {
		t.Fatalf("ready %d %s", code, body)
	}
	code, body := call(t, srv, tok, "POST", "/api/agent/break", `{"reason":"`+strings.Repeat("x", 1_000_000)+`"}`)
	if code != http.StatusBadRequest && code != http.StatusRequestEntityTooLarge || len(body) > 500 {
		t.Errorf("1 MB break reason: %d %.200s, want a short 400/413", code, body)
	}
	code, body = call(t, srv, tok, "POST", "/api/agent/break", `{"reason":"`+strings.Repeat("x", 65)+`"}`)
	if code != http.StatusBadRequest || !strings.Contains(body, "reason: 65 bytes, at most 64") {
		t.Errorf("65-byte break reason: %d %s", code, body)
	}
	var state string
	_ = live.Do(func(e *Engine) error {
		ai, err := e.Agent("a1")
		state = ai.State
		return err
	})
	if state != "available" {
		t.Errorf("agent is %s after refused breaks, want available", state)
	}
}

// TestDesktopWebSocketsPerAgent: an agent may hold maxSocketsPerAgent desktop connections; the
// next is refused with 429, and a closed one frees its place.
func TestDesktopWebSocketsPerAgent(t *testing.T) {
	srv, _, _, _ := newDesktopServer(t)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	tok := token(t, srv, "a1")
	if code, body := call(t, srv, tok, "POST", "/api/agent/login", ""); code != 200 {
		t.Fatalf("login %d %s", code, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dial := func() (*websocket.Conn, *http.Response, error) {
		c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(ts.URL, "http")+"/api/agent/ws",
			&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + tok}}})
		if err == nil {
			if _, _, err := c.Read(ctx); err != nil { // the hello: the server has subscribed it
				t.Fatal(err)
			}
		}
		return c, resp, err
	}
	var open []*websocket.Conn
	for range maxSocketsPerAgent {
		c, _, err := dial()
		if err != nil {
			t.Fatal(err)
		}
		open = append(open, c)
	}
	if _, resp, err := dial(); err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("connection %d: %v %v, want 429", maxSocketsPerAgent+1, resp, err)
	}
	open[0].Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, _, err := dial()
		if err == nil {
			c.CloseNow()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a closed connection did not free its place: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, c := range open[1:] {
		c.CloseNow()
	}
}
