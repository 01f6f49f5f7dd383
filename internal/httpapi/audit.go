package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"slices"
	"time"
)

// AuditEntry is one line of the audit log: who did what to which object, when and from where.
type AuditEntry struct {
	Time   time.Time `json:"time"`
	User   string    `json:"user"`
	Role   Role      `json:"role"`
	Tenant string    `json:"tenant"`
	// Client is the address the request came from (the TCP peer: hotline does not trust
	// forwarding headers).
	Client string `json:"client"`
	// Action says what was done, e.g. "recording.play", "user.create", "POST /api/campaigns".
	Action string `json:"action"`
	// Object is what it was done to: a recording id, a user name, a request path.
	Object string `json:"object"`
	// Detail is anything else worth knowing: the status, a reason, the fields changed.
	Detail string `json:"detail,omitempty"`
}

// Auditor keeps the audit log. The server's default writes entries to its logger; `hotline
// run` keeps them in the state file, where the auditor role reads them (GET /api/audit).
type Auditor interface {
	Record(ctx context.Context, e AuditEntry) error
}

// SlogAuditor writes each entry as an "audit" log line.
type SlogAuditor struct{ Log *slog.Logger }

func (a SlogAuditor) Record(ctx context.Context, e AuditEntry) error {
	a.Log.InfoContext(ctx, "audit", "user", e.User, "role", e.Role, "tenant", e.Tenant, "client", e.Client,
		"action", e.Action, "object", e.Object, "detail", e.Detail, "at", e.Time)
	return nil
}

// ErrNoAuditor is returned by Audit for a request the server did not see (a handler called
// directly in a test without ContextWithAuditor).
var ErrNoAuditor = errors.New("no audit log for this request")

type auditorKey struct{}

// ContextWithAuditor returns ctx whose requests' Audit calls go to a; the server sets it on every
// request, handler tests may set it themselves.
func ContextWithAuditor(ctx context.Context, a Auditor, now func() time.Time) context.Context {
	return context.WithValue(ctx, auditorKey{}, auditCtx{a, now})
}

type auditCtx struct {
	a   Auditor
	now func() time.Time
}

// Audit records that the request's principal did action to object, with the time and the
// client's address filled in. A handler that serves personal data calls it before serving and
// refuses when it fails: an access that leaves no trace must not happen.
func Audit(r *http.Request, action, object, detail string) error {
	ac, ok := r.Context().Value(auditorKey{}).(auditCtx)
	if !ok {
		return ErrNoAuditor
	}
	p, _ := PrincipalFrom(r.Context())
	e := AuditEntry{Time: ac.now().UTC(), User: p.User, Role: p.Role, Tenant: p.Tenant, Client: ClientAddr(r),
		Action: action, Object: MaskDigits(object), Detail: MaskDigits(detail)}
	if err := ac.a.Record(r.Context(), e); err != nil {
		return fmt.Errorf("writing the audit log: %w", err)
	}
	return nil
}

// ClientAddr is the IP address of the request's TCP peer.
func ClientAddr(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// audited reports whether the server writes an audit entry for the request: everything that
// changes state, and reads of personal data (a HEAD reads nothing).
func audited(e Endpoint, r *http.Request) bool {
	switch r.Method {
	case http.MethodGet:
		return e.PersonalData
	case http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// auditRequest writes the entry of a request the handler has answered, with its status, so
// that refusals are in the log beside what was done. The response is gone: a failure can only
// be logged.
func (s *Server) auditRequest(w http.ResponseWriter, r *http.Request, e Endpoint, p Principal) {
	status := 0
	if sw, ok := w.(*statusWriter); ok {
		status = sw.status()
	}
	detail := fmt.Sprintf("status %d", status)
	if q := r.URL.RawQuery; q != "" {
		detail += "; query " + q
	}
	if err := Audit(r, e.Pattern(), r.URL.Path, detail); err != nil {
		s.log.ErrorContext(r.Context(), "audit entry lost", "error", err, "user", p.User, "action", e.Pattern(), "path", MaskDigits(r.URL.Path))
	}
}

// longDigits are runs of 7 or more digits, perhaps spaced: phone and ID numbers (dates, with
// their dashes, are not).
var longDigits = regexp.MustCompile(`\+?\d[\d ]{5,}\d[\dXx]?`)

// MaskDigits keeps the last four characters of every long run of digits in s, so a phone or
// ID number in a path or message can be told apart but not read.
func MaskDigits(s string) string {
	return longDigits.ReplaceAllStringFunc(s, func(m string) string {
		digits := 0
		for _, c := range m {
			if c >= '0' && c <= '9' {
				digits++
			}
		}
		if digits < 7 {
			return m
		}
		return "****" + m[len(m)-4:]
	})
}

// WithExportRoles lists the roles that may export full phone and ID numbers, each export with a
// reason and audited (default: none; the dialer gets full numbers inside the server).
func WithExportRoles(roles ...Role) Option {
	return func(s *Server) { s.exportRoles = slices.Clone(roles) }
}

// MayExport reports whether role may export unmasked personal data.
func (s *Server) MayExport(role Role) bool { return slices.Contains(s.exportRoles, role) }
