package httpapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"

	"golang.org/x/net/netutil"
)

// Run listens on the server's address and serves until ctx ends, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.addr)
	if err != nil {
		return fmt.Errorf("http: listening on %s: %w", s.addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends. Then it stops accepting connections and waits up to the
// shutdown timeout for in-flight requests before closing the rest. It returns nil after a
// shutdown caused by ctx, and the error otherwise. Serve closes ln.
//
// Hijacked connections (WebSockets) are not waited for: their handlers must watch their own
// context and return; use OnShutdown to be told when shutdown starts.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	// A client that never finishes its request, or keeps a connection idle, would hold it
	// forever otherwise; and no more than maxConns are open at once.
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       s.idleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
	if s.maxConns > 0 {
		ln = netutil.LimitListener(ln, s.maxConns)
	}
	s.mu.Lock()
	for _, f := range s.onShutdown {
		hs.RegisterOnShutdown(f)
	}
	s.mu.Unlock()

	done := make(chan error, 1)
	if s.tlsCert != "" {
		// Load the pair now, so a bad file stops start-up naming it rather than failing every
		// handshake.
		cert, err := tls.LoadX509KeyPair(s.tlsCert, s.tlsKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("http: loading TLS certificate %s and key %s: %w", s.tlsCert, s.tlsKey, err)
		}
		hs.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		go func() { done <- hs.ServeTLS(ln, "", "") }()
	} else {
		go func() { done <- hs.Serve(ln) }()
	}
	s.log.InfoContext(ctx, "http server listening", "addr", ln.Addr().String(), "tls", s.tlsCert != "")

	select {
	case err := <-done:
		return fmt.Errorf("http: serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}

	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err != nil {
		// In-flight requests outlived the grace period: cut them off rather than hang.
		s.log.WarnContext(ctx, "http shutdown timed out; closing open connections", "timeout", s.shutdownTimeout)
		_ = hs.Close()
	}
	if serr := <-done; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("http: serving on %s: %w", ln.Addr(), serr)
	}
	if err != nil {
		return fmt.Errorf("http: shutting down: %w", err)
	}
	return nil
}

// OnShutdown registers f to be called when graceful shutdown begins, in its own goroutine, e.g.
// to close WebSocket connections. Register before Serve or Run.
func (s *Server) OnShutdown(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onShutdown = append(s.onShutdown, f)
}
