package httpapi_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

func TestServeAndShutdown(t *testing.T) {
	srv, _ := newTestServer(t)
	started := make(chan struct{})
	release := make(chan struct{})
	srv.Handle(httpapi.Endpoint{Method: "GET", Path: "/api/slow", Roles: []httpapi.Role{httpapi.RoleAdmin}, Summary: "slow",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(started)
			<-release
			httpapi.WriteJSON(w, http.StatusOK, "done")
		})})
	shutdownCalled := make(chan struct{})
	srv.OnShutdown(func() { close(shutdownCalled) })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("healthz: %d", resp.StatusCode)
	}

	// An in-flight request survives the start of shutdown and completes.
	slow := make(chan string, 1)
	go func() {
		req, _ := http.NewRequest("GET", base+"/api/slow", nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			slow <- err.Error()
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		slow <- strings.TrimSpace(string(b))
	}()
	<-started
	cancel()
	<-shutdownCalled
	close(release)
	if got := <-slow; got != `"done"` {
		t.Errorf("in-flight request got %q, want \"done\"", got)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve returned %v after a clean shutdown", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("server still accepts connections after shutdown")
	}
}

func TestShutdownTimeout(t *testing.T) {
	srv := httpapi.New(httpapi.WithShutdownTimeout(50*time.Millisecond), httpapi.WithLogger(slog.New(slog.DiscardHandler)))
	started := make(chan struct{})
	srv.Handle(httpapi.Endpoint{Method: "GET", Path: "/stuck", Public: true, Summary: "never ends on its own",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(started)
			<-r.Context().Done() // ends only when the connection is closed
		})})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	go func() {
		if resp, err := http.Get("http://" + ln.Addr().String() + "/stuck"); err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	cancel()
	select {
	case err := <-served:
		if err == nil || !strings.Contains(err.Error(), "http: shutting down") {
			t.Errorf("Serve = %v, want a shutdown timeout error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve hung past its shutdown timeout")
	}
}

func TestRunListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	srv := httpapi.New(httpapi.WithAddr(ln.Addr().String()))
	err = srv.Run(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "http: listening on "+ln.Addr().String()) {
		t.Errorf("Run on a busy port = %v", err)
	}
}
