package httpapi_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// seriesCount is how many series the request metrics hold.
func seriesCount(t *testing.T, srv *httpapi.Server) int {
	t.Helper()
	mfs, err := srv.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, mf := range mfs {
		if strings.HasPrefix(mf.GetName(), "http_request") {
			n += len(mf.GetMetric())
		}
	}
	return n
}

// TestMadeUpMethodsShareOneSeries: the audit's 3,000 made-up methods added 45,000 series; now
// they share one label value, and the request log does not echo them.
func TestMadeUpMethodsShareOneSeries(t *testing.T) {
	srv, logs := newTestServer(t)
	do(t, srv, "FOO0", "/api/endpoints", "", "")
	do(t, srv, "FOO0", "/api/endpoints/0", "", "")
	before := seriesCount(t, srv)
	for i := range 300 {
		do(t, srv, fmt.Sprintf("X%dX", i), fmt.Sprintf("/api/endpoints/%d", i), "", "")
		do(t, srv, fmt.Sprintf("Y%dY", i), "/api/endpoints", "", "")
	}
	if after := seriesCount(t, srv); after != before {
		t.Errorf("300 made-up methods grew the request metrics from %d to %d series", before, after)
	}
	if strings.Contains(logs.String(), "X299X") {
		t.Error("the request log echoes a made-up method")
	}
}

// TestSecurityHeaders: every response forbids sniffing and framing and sends no referrer; API
// responses are not to be cached.
func TestSecurityHeaders(t *testing.T) {
	srv, _ := newTestServer(t)
	for _, tc := range []struct{ path, token, cache string }{
		{"/healthz", "", ""},
		{"/api/endpoints", managerToken, "no-store"},
		{"/api/endpoints", "", "no-store"}, // a 401 too
	} {
		resp := do(t, srv, "GET", tc.path, tc.token, "")
		h := resp.Header
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("Cache-Control") != tc.cache {
			t.Errorf("GET %s (%d): headers %v", tc.path, resp.StatusCode, h)
		}
	}
}

// TestRateLimit: beyond its burst a user gets 429 with Retry-After, other users and addresses
// do not; a made-up token counts against its client address.
func TestRateLimit(t *testing.T) {
	tokens := httpapi.NewTokens()
	if err := tokens.Add(managerToken, httpapi.Principal{User: "sun.mgr", Role: httpapi.RoleManager, Tenant: httpapi.AllTenants}); err != nil {
		t.Fatal(err)
	}
	if err := tokens.Add(adminToken, httpapi.Principal{User: "root", Role: httpapi.RoleAdmin, Tenant: httpapi.AllTenants}); err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.WithTokens(tokens), httpapi.WithLogger(slog.New(slog.DiscardHandler)), httpapi.WithRateLimit(0.01, 3))
	codes := func(token string, n int) []int {
		var out []int
		for range n {
			out = append(out, do(t, srv, "GET", "/api/endpoints", token, "").StatusCode)
		}
		return out
	}
	if got := codes(managerToken, 4); fmt.Sprint(got) != "[200 200 200 429]" {
		t.Errorf("manager: %v, want three 200s then 429", got)
	}
	resp := do(t, srv, "GET", "/api/endpoints", managerToken, "")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(readBody(t, resp), "too many requests") {
		t.Errorf("429 without Retry-After or message: %v", resp.Header)
	}
	if got := codes(adminToken, 3); fmt.Sprint(got) != "[200 200 200]" {
		t.Errorf("another user: %v, want unaffected", got)
	}
	if got := codes("made-up-1", 3); fmt.Sprint(got) != "[401 401 401]" {
		t.Errorf("made-up tokens: %v", got)
	}
	if got := codes("made-up-2", 1); fmt.Sprint(got) != "[429]" {
		t.Errorf("a fresh made-up token from the same address: %v, want 429", got)
	}
}

// serve runs srv on a loopback port until the test ends.
func serveAt(t *testing.T, srv *httpapi.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

// TestIdleConnectionsClosed: a keep-alive connection left idle is closed by the server.
func TestIdleConnectionsClosed(t *testing.T) {
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.DiscardHandler)), httpapi.WithIdleTimeout(200*time.Millisecond))
	addr := serveAt(t, srv)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("first request: %v %v", resp, err)
	}
	readBody(t, resp)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	if _, err := br.ReadByte(); err == nil || errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 4*time.Second {
		t.Errorf("idle connection still open after %s: %v", time.Since(start), err)
	}
}

// TestConnectionLimit: with a limit of 2, a third client waits until one of two idle
// connections goes away.
func TestConnectionLimit(t *testing.T) {
	srv := httpapi.New(httpapi.WithLogger(slog.New(slog.DiscardHandler)), httpapi.WithMaxConnections(2))
	addr := serveAt(t, srv)
	var idle []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle = append(idle, c)
	}
	time.Sleep(50 * time.Millisecond)   // let the server accept both
	third, err := net.Dial("tcp", addr) // the kernel's backlog takes it; the server does not yet
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	fmt.Fprintf(third, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	third.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	br := bufio.NewReader(third)
	if _, err := br.Peek(1); err == nil {
		t.Fatal("a third connection was served while two were open")
	}
	idle[0].Close()
	third.SetReadDeadline(time.Now().Add(5 * time.Second))
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != 200 {
		t.Errorf("third connection after one closed: %v %v", resp, err)
	}
}

// TestInternalErrorHidesTheDetail: the client learns what failed, the log gets the detail.
func TestInternalErrorHidesTheDetail(t *testing.T) {
	srv, logs := newTestServer(t)
	srv.Handle(httpapi.Endpoint{Method: "GET", Path: "/api/boom", Roles: []httpapi.Role{httpapi.RoleManager}, Summary: "fails",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			httpapi.InternalError(w, r, "reading the report", errors.New("code: 62, SELECT secret FROM /var/lib/hotline/x"))
		})})
	resp := do(t, srv, "GET", "/api/boom", managerToken, "")
	body := readBody(t, resp)
	if resp.StatusCode != 500 || strings.Contains(body, "SELECT") || strings.Contains(body, "/var/lib") || !strings.Contains(body, "reading the report") {
		t.Errorf("500 body %q", body)
	}
	if !strings.Contains(logs.String(), "SELECT secret FROM /var/lib/hotline/x") {
		t.Errorf("the log lacks the detail:\n%s", logs.String())
	}
}

// TestEncodableLeavesOutBadObjects: one NaN in a list leaves that object out, not the list.
func TestEncodableLeavesOutBadObjects(t *testing.T) {
	srv, logs := newTestServer(t)
	type item struct{ X float64 }
	srv.Handle(httpapi.Endpoint{Method: "GET", Path: "/api/items", Roles: []httpapi.Role{httpapi.RoleManager}, Summary: "a list",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			httpapi.WriteJSON(w, 200, httpapi.Encodable(r, []item{{1}, {math.NaN()}, {3}}))
		})})
	resp := do(t, srv, "GET", "/api/items", managerToken, "")
	if body := readBody(t, resp); resp.StatusCode != 200 || strings.TrimSpace(body) != `[{"X":1},{"X":3}]` {
		t.Errorf("list: %d %s", resp.StatusCode, body)
	}
	if !strings.Contains(logs.String(), "unencodable") {
		t.Error("the log does not name the object left out")
	}
}

func TestMaskNumbersAndClip(t *testing.T) {
	for in, want := range map[string]string{
		"/api/dnc/+8613800000001":           "/api/dnc/+861******0001",
		"/api/dnc/13800000001/x/12345":      "/api/dnc/138****0001/x/12345",
		"/api/customers/110101199003077777": "/api/customers/110***********7777",
		"/api/campaigns/renewal-30d":        "/api/campaigns/renewal-30d",
	} {
		if got := httpapi.MaskNumbers(in); got != want {
			t.Errorf("MaskNumbers(%s) = %s, want %s", in, got, want)
		}
	}
	if got := httpapi.Clip(strings.Repeat("é", 100)); len(got) > 100 || !strings.HasSuffix(got, "(200 bytes)") {
		t.Errorf("Clip = %q", got)
	}
}

// TestErrorMessagesBounded: a message quoting a request's value whole is cut at 1000 bytes.
func TestErrorMessagesBounded(t *testing.T) {
	rec := httptest.NewRecorder()
	httpapi.Error(rec, 404, "no campaign "+strings.Repeat("x", 100_000))
	if n := rec.Body.Len(); n > 1100 || !strings.Contains(rec.Body.String(), `xxx..."`) {
		t.Errorf("%d-byte error body", n)
	}
}
