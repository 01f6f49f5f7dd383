package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/seed-1c4692e8/hotline/accounts"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/config"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// A browser authenticates the agent desktop's WebSocket with its session cookie: from
// hotline's own page the upgrade succeeds, from another site's page it is refused.
func TestAgentWebSocketWithSessionCookie(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dir := t.TempDir()
	p, err := newPlatform(context.Background(), platformConfig{profile: "province", seed: 1, tenant: "GD", dataDir: dir, sink: &memSink{}, log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	state, err := statedb.Open(ctx, filepath.Join(dir, "state", "hotline.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer state.Close()
	cfg := accountsConfig(config.Default().Accounts)
	cfg.Hash = accounts.HashParams{Time: 1, Memory: 64, Threads: 1}
	acc, err := accounts.Open(ctx, state, clock.Real{}, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	first, err := firstStart(ctx, acc, "", "GD")
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.WithTenant("GD"), httpapi.WithAuthenticator(acc), httpapi.WithAuditor(acc), httpapi.WithLogger(slog.New(slog.DiscardHandler)))
	acc.Register(srv)
	p.desktop.Register(srv)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	var password string
	for _, c := range first {
		if c.User == "demo-agent" {
			password = c.Password
		}
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Post(ts.URL+"/api/session", "application/json", strings.NewReader(`{"user":"demo-agent","password":"`+password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	wsURL := "ws" + strings.TrimPrefix(ts.URL, "http") + "/api/agent/ws"
	dial := func(origin string) (*http.Response, error) {
		c, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: client, HTTPHeader: http.Header{"Origin": {origin}}})
		if err == nil {
			c.Close(websocket.StatusNormalClosure, "")
		}
		return resp, err
	}
	if _, err := dial(ts.URL); err != nil {
		t.Errorf("WebSocket from hotline's own page with the session cookie: %v", err)
	}
	if resp, err := dial("https://evil.example"); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("WebSocket from another site: err %v, response %v; want 403", err, resp)
	}
}
