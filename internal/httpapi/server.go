package httpapi

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/seed-1c4692e8/hotline/internal/clock"
)

// Server is the HTTP server all parts mount their endpoints on. Create it with New, register
// endpoints with Handle (before or while it runs), then Run or Serve it.
type Server struct {
	addr            string
	log             *slog.Logger
	tokens          *Tokens
	auth            Authenticator
	auditor         Auditor
	tenant          string
	clock           clock.Clock
	tlsCert         string
	tlsKey          string
	csrf            *http.CrossOriginProtection
	shutdownTimeout time.Duration
	registry        *prometheus.Registry
	metrics         *metrics
	mux             *http.ServeMux
	handler         http.Handler
	exportRoles     []Role
	maxConns        int
	idleTimeout     time.Duration
	limiter         *limiter // nil: no rate limit

	mu         sync.Mutex
	endpoints  []Endpoint
	checks     []healthCheck
	onShutdown []func()
}

// Option configures a Server.
type Option func(*Server)

// WithAddr sets the listen address Run uses (default "127.0.0.1:8080").
func WithAddr(addr string) Option { return func(s *Server) { s.addr = addr } }

// WithLogger sets the logger for request logs and panics (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// WithTokens sets the tokens that authenticate requests (default: an empty set; add to it
// later through Server.Tokens).
func WithTokens(t *Tokens) Option { return func(s *Server) { s.tokens = t } }

// WithAuthenticator sets what resolves session cookies and the API tokens the server's token
// set does not hold (default: none, bearer tokens of the token set only).
func WithAuthenticator(a Authenticator) Option { return func(s *Server) { s.auth = a } }

// WithAuditor sets where audit entries go (default: SlogAuditor on the server's logger).
func WithAuditor(a Auditor) Option { return func(s *Server) { s.auditor = a } }

// WithTenant sets the centre whose data the server's own endpoints serve: only its users and
// head office may call an endpoint that is not TenantFiltered (default: none, no such check).
func WithTenant(code string) Option { return func(s *Server) { s.tenant = code } }

// WithClock sets the clock audit entries are stamped with (default: the wall clock).
func WithClock(c clock.Clock) Option { return func(s *Server) { s.clock = c } }

// WithTLS makes Run and Serve speak HTTPS with the PEM certificate (chain) and key files.
func WithTLS(certFile, keyFile string) Option {
	return func(s *Server) { s.tlsCert, s.tlsKey = certFile, keyFile }
}

// WithShutdownTimeout sets how long Run waits for in-flight requests after its context ends
// (default 10 s).
func WithShutdownTimeout(d time.Duration) Option { return func(s *Server) { s.shutdownTimeout = d } }

// New returns a server with /healthz, /metrics and /api/endpoints already registered.
func New(opts ...Option) *Server {
	s := &Server{
		addr:            "127.0.0.1:8080",
		log:             slog.Default(),
		shutdownTimeout: 10 * time.Second,
		maxConns:        defaultMaxConns,
		idleTimeout:     defaultIdleTimeout,
		registry:        prometheus.NewRegistry(),
		mux:             http.NewServeMux(),
		clock:           clock.Real{},
		csrf:            http.NewCrossOriginProtection(),
	}
	for _, o := range opts {
		o(s)
	}
	if s.auditor == nil {
		s.auditor = SlogAuditor{Log: s.log}
	}
	if s.tokens == nil {
		s.tokens = NewTokens()
	}
	s.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	s.metrics = newMetrics(s.registry)
	s.handler = s.observe(s.mux)

	s.Handle(Endpoint{Method: http.MethodGet, Path: "/healthz", Public: true,
		Summary: "liveness and readiness: 200 when every health check passes, 503 naming those that fail",
		Handler: http.HandlerFunc(s.serveHealth)})
	s.Handle(Endpoint{Method: http.MethodGet, Path: "/metrics", Public: true,
		Summary: "Prometheus metrics of this process",
		Handler: s.metricsHandler()})
	s.Handle(Endpoint{Method: http.MethodGet, Path: "/api/endpoints", Roles: Roles(),
		Summary: "the endpoints the caller's role may call",
		Handler: http.HandlerFunc(s.serveIndex)})
	return s
}

// Handle registers an endpoint. Like http.ServeMux.Handle it panics on a programming error: an
// invalid endpoint or a pattern that conflicts with one already registered.
func (s *Server) Handle(e Endpoint) {
	if err := e.validate(); err != nil {
		panic(fmt.Sprintf("httpapi: registering %s: %v", e.Pattern(), err))
	}
	e.Roles = slices.Clone(e.Roles)
	h := e.Handler
	if !e.Public {
		h = s.authorize(e, h)
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				panic(fmt.Sprintf("httpapi: registering %s: %v", e.Pattern(), r))
			}
		}()
		s.mux.Handle(e.Pattern(), h)
	}()
	s.mu.Lock()
	s.endpoints = append(s.endpoints, e)
	s.mu.Unlock()
}

// Endpoints returns every registered endpoint, sorted by path then method.
func (s *Server) Endpoints() []Endpoint {
	s.mu.Lock()
	eps := slices.Clone(s.endpoints)
	s.mu.Unlock()
	slices.SortFunc(eps, func(a, b Endpoint) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	})
	return eps
}

// Handler returns the complete handler: logging, metrics, panic recovery, routing and auth.
// Tests serve it with httptest; Run and Serve use it too.
func (s *Server) Handler() http.Handler { return s.handler }

// Registry is the server's own Prometheus registry, served at /metrics. Parts register their
// collectors here; nothing uses the global default registry.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// Tokens is the token set requests are authenticated against; adding to it takes effect at once.
func (s *Server) Tokens() *Tokens { return s.tokens }

// Tenant is the centre the server's own endpoints serve ("" when not set).
func (s *Server) Tenant() string { return s.tenant }

// Addr is the address Run listens on.
func (s *Server) Addr() string { return s.addr }

// AddHealthCheck adds a named check to /healthz, e.g. "clickhouse" pinging the database. The
// check gets the request's context with a deadline; a non-nil error makes /healthz answer 503.
func (s *Server) AddHealthCheck(name string, check func(ctx context.Context) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks = append(s.checks, healthCheck{name: name, check: check})
}
