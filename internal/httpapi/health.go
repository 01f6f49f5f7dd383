package httpapi

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"
)

// healthTimeout bounds each health check, so that a hung dependency makes /healthz fail
// rather than hang the prober.
const healthTimeout = 5 * time.Second

type healthCheck struct {
	name  string
	check func(ctx context.Context) error
}

type healthBody struct {
	Status  string            `json:"status"`            // "ok" or "unavailable"
	Failed  []string          `json:"failed,omitempty"`  // names of the failing checks
	Reasons map[string]string `json:"reasons,omitempty"` // why, by check, when the check says so
}

// HealthReason is an error a health check returns to say why it fails in words fit for the
// public /healthz: no addresses, paths or credentials (those stay in the log).
type HealthReason struct{ Reason string }

func (r *HealthReason) Error() string { return r.Reason }

// serveHealth runs every check concurrently. It names failing checks but not their errors,
// because /healthz is public and errors can reveal internal addresses; the errors are logged.
// A check that fails with a *HealthReason has that reason shown.
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	checks := append([]healthCheck(nil), s.checks...)
	s.mu.Unlock()

	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() { errs[i] = c.check(ctx) })
	}
	wg.Wait()

	body := healthBody{Status: "ok"}
	for i, err := range errs {
		if err != nil {
			body.Failed = append(body.Failed, checks[i].name)
			if hr := (*HealthReason)(nil); errors.As(err, &hr) {
				if body.Reasons == nil {
					body.Reasons = map[string]string{}
				}
				body.Reasons[checks[i].name] = hr.Reason
			}
			s.log.WarnContext(r.Context(), "health check failed", "check", checks[i].name, "error", err)
		}
	}
	if len(body.Failed) > 0 {
		body.Status = "unavailable"
		WriteJSON(w, http.StatusServiceUnavailable, body)
		return
	}
	WriteJSON(w, http.StatusOK, body)
}
