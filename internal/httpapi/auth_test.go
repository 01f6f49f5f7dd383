package httpapi_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// sessions is an Authenticator over a fixed map, standing in for the accounts store.
type sessions map[string]httpapi.Principal

func (s sessions) Session(_ context.Context, id string) (httpapi.Principal, bool, error) {
	p, ok := s[id]
	return p, ok, nil
}

func (s sessions) Token(_ context.Context, token string) (httpapi.Principal, bool, error) {
	p, ok := s["token:"+token]
	return p, ok, nil
}

// auditLog keeps the entries it is given.
type auditLog struct {
	mu      sync.Mutex
	entries []httpapi.AuditEntry
}

func (a *auditLog) Record(_ context.Context, e httpapi.AuditEntry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, e)
	return nil
}

func newSessionServer(t *testing.T, opts ...httpapi.Option) (*httpapi.Server, *auditLog) {
	t.Helper()
	audit := &auditLog{}
	auth := sessions{
		"sess-marketer-gd":             {User: "mia", Role: httpapi.RoleMarketer, Tenant: "GD"},
		"sess-marketer-sh":             {User: "max", Role: httpapi.RoleMarketer, Tenant: "SH"},
		"sess-manager-hq":              {User: "hq", Role: httpapi.RoleManager, Tenant: httpapi.AllTenants},
		"token:machine-token-01234567": {User: "etl", Role: httpapi.RoleManager, Tenant: "SH"},
	}
	srv := httpapi.New(append([]httpapi.Option{httpapi.WithAuthenticator(auth), httpapi.WithAuditor(audit), httpapi.WithTenant("GD")}, opts...)...)
	mountSample(srv)
	srv.Handle(httpapi.Endpoint{Method: "GET", Path: "/api/report", Roles: []httpapi.Role{httpapi.RoleManager, httpapi.RoleMarketer},
		TenantFiltered: true, Summary: "a report over every centre",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tenant, ok := httpapi.TenantFilter(w, r)
			if !ok {
				return
			}
			httpapi.WriteJSON(w, http.StatusOK, map[string]string{"tenant": tenant})
		})})
	srv.Handle(httpapi.Endpoint{Method: "GET", Path: "/api/customers/{id}", Roles: []httpapi.Role{httpapi.RoleMarketer}, PersonalData: true,
		Summary: "a customer", Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			httpapi.WriteJSON(w, http.StatusOK, map[string]string{"phone": "+8613800001234"})
		})})
	return srv, audit
}

func serve(srv *httpapi.Server, method, path string, header map[string]string) *http.Response {
	req := httptest.NewRequest(method, path, strings.NewReader(`{"Name":"x"}`))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec.Result()
}

func TestSessionCookie(t *testing.T) {
	srv, _ := newSessionServer(t)
	cookie := func(id string) string { return httpapi.SessionCookie + "=" + id }
	tests := []struct {
		name   string
		method string
		path   string
		header map[string]string
		want   int
		body   string
	}{
		{"session reads", "GET", "/api/campaigns/7", map[string]string{"Cookie": cookie("sess-marketer-gd")}, 200, `"id":"7"`},
		{"unknown session", "GET", "/api/campaigns/7", map[string]string{"Cookie": cookie("sess-nope")}, 401, "session expired or signed out"},
		{"same-origin post", "POST", "/api/campaigns", map[string]string{"Cookie": cookie("sess-marketer-gd"), "Sec-Fetch-Site": "same-origin"}, 201, `"Name":"x"`},
		{"post with own Origin", "POST", "/api/campaigns", map[string]string{"Cookie": cookie("sess-marketer-gd"), "Origin": "http://example.com"}, 201, `"Name":"x"`},
		{"cross-site post", "POST", "/api/campaigns", map[string]string{"Cookie": cookie("sess-marketer-gd"), "Sec-Fetch-Site": "cross-site"}, 403, "cross-origin request refused"},
		{"post from another Origin", "POST", "/api/campaigns", map[string]string{"Cookie": cookie("sess-marketer-gd"), "Origin": "https://evil.example"}, 403, "cross-origin request refused"},
		{"same post with a token is no CSRF", "POST", "/api/campaigns", map[string]string{"Authorization": "Bearer machine-token-01234567", "Origin": "https://evil.example"}, 403, "role manager may not"},
		{"websocket from own page", "GET", "/api/campaigns/7", map[string]string{"Cookie": cookie("sess-marketer-gd"), "Upgrade": "websocket", "Origin": "http://example.com"}, 200, `"id":"7"`},
		{"websocket from another site", "GET", "/api/campaigns/7", map[string]string{"Cookie": cookie("sess-marketer-gd"), "Upgrade": "websocket", "Origin": "https://evil.example"}, 403, "cross-origin WebSocket refused"},
		{"websocket without Origin", "GET", "/api/campaigns/7", map[string]string{"Cookie": cookie("sess-marketer-gd"), "Upgrade": "websocket"}, 403, "cross-origin WebSocket refused"},
		{"token of the authenticator", "GET", "/api/report", map[string]string{"Authorization": "Bearer machine-token-01234567"}, 200, `"tenant":"SH"`},
		{"a bad bearer never falls back to the cookie", "GET", "/api/campaigns/7", map[string]string{"Authorization": "Bearer junk-junk-junk-junk", "Cookie": cookie("sess-marketer-gd")}, 401, "unknown token"},
		// Tenants: the server's own endpoints serve GD; the report filters itself.
		{"other centre on the server's endpoint", "GET", "/api/campaigns/7", map[string]string{"Cookie": cookie("sess-marketer-sh")}, 403, "user max of centre SH may not see centre GD"},
		{"head office on the server's endpoint", "GET", "/api/campaigns/7", map[string]string{"Cookie": cookie("sess-manager-hq")}, 200, `"id":"7"`},
		{"report defaults to own centre", "GET", "/api/report", map[string]string{"Cookie": cookie("sess-marketer-sh")}, 200, `"tenant":"SH"`},
		{"report narrowed to own centre", "GET", "/api/report?tenant=SH", map[string]string{"Cookie": cookie("sess-marketer-sh")}, 200, `"tenant":"SH"`},
		{"report widened to another centre", "GET", "/api/report?tenant=GD", map[string]string{"Cookie": cookie("sess-marketer-sh")}, 403, "user max of centre SH may not see centre GD"},
		{"head office report of all", "GET", "/api/report", map[string]string{"Cookie": cookie("sess-manager-hq")}, 200, `"tenant":""`},
		{"head office report narrowed", "GET", "/api/report?tenant=GD", map[string]string{"Cookie": cookie("sess-manager-hq")}, 200, `"tenant":"GD"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := serve(srv, tt.method, tt.path, tt.header)
			if body := readBody(t, resp); resp.StatusCode != tt.want || !strings.Contains(body, tt.body) {
				t.Errorf("got %d %s, want %d containing %s", resp.StatusCode, body, tt.want, tt.body)
			}
			if resp.StatusCode == 401 && tt.name == "unknown session" {
				if c := resp.Header.Get("Set-Cookie"); !strings.Contains(c, httpapi.SessionCookie+"=;") || !strings.Contains(c, "Max-Age=0") {
					t.Errorf("an unknown session's cookie is not cleared: Set-Cookie %q", c)
				}
			}
		})
	}
}

func TestSessionCookieAttributes(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		req := httptest.NewRequest("POST", "/api/session", nil)
		if tlsOn {
			req.TLS = &tls.ConnectionState{}
		}
		rec := httptest.NewRecorder()
		httpapi.SetSessionCookie(rec, req, "abc", time.Date(2026, 3, 2, 20, 0, 0, 0, time.UTC))
		c := rec.Result().Cookies()[0]
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure != tlsOn {
			t.Errorf("TLS %v: cookie %+v, want HttpOnly, SameSite=Strict, Path=/, Secure only over TLS", tlsOn, c)
		}
	}
}

// Changes and reads of personal data are audited with the client's address; other reads are not.
func TestRequestsAudited(t *testing.T) {
	srv, audit := newSessionServer(t)
	hdr := map[string]string{"Cookie": httpapi.SessionCookie + "=sess-marketer-gd", "Sec-Fetch-Site": "same-origin"}
	serve(srv, "GET", "/api/campaigns/7", hdr)
	serve(srv, "POST", "/api/campaigns", hdr)
	serve(srv, "GET", "/api/customers/13800001234", hdr)
	serve(srv, "HEAD", "/api/customers/13800001234", hdr)
	if len(audit.entries) != 2 {
		t.Fatalf("audit entries %+v, want the POST and the personal-data GET", audit.entries)
	}
	post, read := audit.entries[0], audit.entries[1]
	if post.User != "mia" || post.Role != httpapi.RoleMarketer || post.Tenant != "GD" || post.Client != "192.0.2.1" ||
		post.Action != "POST /api/campaigns" || post.Detail != "status 201" || post.Time.IsZero() {
		t.Errorf("POST entry %+v", post)
	}
	if read.Action != "GET /api/customers/{id}" || read.Object != "/api/customers/****1234" {
		t.Errorf("personal-data read entry %+v: want the pattern and the number masked", read)
	}
}

func TestMaskDigits(t *testing.T) {
	for in, want := range map[string]string{
		"/api/dnc/+8613800001234":        "/api/dnc/****1234",
		"id 11010519491231002X and more": "id ****002X and more",
		"campaign 42 on 2026-03-02":      "campaign 42 on 2026-03-02",
		"138 0000 1234":                  "****1234",
	} {
		if got := httpapi.MaskDigits(in); got != want {
			t.Errorf("MaskDigits(%q) = %q, want %q", in, got, want)
		}
	}
}

// With a certificate configured the server speaks only HTTPS, and a session cookie it sets is
// Secure.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := writeTestCert(t, dir)
	srv := httpapi.New(httpapi.WithTLS(certFile, keyFile))
	srv.Handle(httpapi.Endpoint{Method: "POST", Path: "/api/session", Public: true, Summary: "sign in",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			httpapi.SetSessionCookie(w, r, "s1", time.Now().Add(time.Hour))
			w.WriteHeader(http.StatusNoContent)
		})})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Post("https://"+ln.Addr().String()+"/api/session", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.TLS == nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("HTTPS sign-in: %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	if c := resp.Cookies(); len(c) != 1 || !c[0].Secure {
		t.Errorf("cookie over TLS: %+v, want Secure", c)
	}
	plain, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err == nil {
		plain.Body.Close()
		if plain.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP to the TLS port answered %d", plain.StatusCode)
		}
	}
}

func TestServeTLSBadFiles(t *testing.T) {
	srv := httpapi.New(httpapi.WithTLS("testdata/missing.crt", "testdata/missing.key"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Serve(context.Background(), ln)
	if err == nil || !strings.Contains(err.Error(), "loading TLS certificate testdata/missing.crt and key testdata/missing.key") {
		t.Errorf("Serve with missing certificate files = %v", err)
	}
}

// writeTestCert writes a self-signed certificate for 127.0.0.1 and its key as PEM files.
func writeTestCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hotline test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// Answers to authenticated callers are never cached (personal data); public ones are the
// handler's to decide.
func TestAuthenticatedAnswersNotCached(t *testing.T) {
	srv, _ := newTestServer(t)
	for _, tc := range []struct {
		token string
		want  string
	}{{managerToken, "no-store"}, {"", "no-store"}} {
		resp := do(t, srv, "GET", "/api/endpoints", tc.token, "")
		if got := resp.Header.Get("Cache-Control"); got != tc.want {
			t.Errorf("GET /api/endpoints with token %q: Cache-Control %q, want %q", tc.token, got, tc.want)
		}
	}
	if got := do(t, srv, "GET", "/healthz", "", "").Header.Get("Cache-Control"); got == "no-store" {
		t.Errorf("public /healthz got Cache-Control %q from the authenticated path", got)
	}
}
