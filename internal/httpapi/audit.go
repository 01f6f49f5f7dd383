package httpapi

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"
)

// AuditRecord says who read or exported personal data or recordings: when, who, with which
// role, from which client address, what they did to what, and why when they had to say.
type AuditRecord struct {
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	Role   Role      `json:"role"`
	Client string    `json:"client"`           // the client's address (host of the connection)
	Action string    `json:"action"`           // "export_phones", "play_recording", ...
	Object string    `json:"object"`           // what it was done to: "segment at_risk", "recording <call id>"
	Reason string    `json:"reason,omitempty"` // why, as the user gave it (exports)
	Count  int       `json:"count,omitempty"`  // how many records were disclosed
}

// Auditor keeps audit records. An Auditor that cannot keep a record returns an error, and the
// caller then discloses nothing: personal data leaves only with its trace.
type Auditor interface {
	Audit(ctx context.Context, rec AuditRecord) error
}

// SlogAuditor writes each record as one log line carrying audit=true: the first backing, until a
// store that an auditor can read through the API replaces it (WithAuditor).
type SlogAuditor struct{ Log *slog.Logger }

func (a SlogAuditor) Audit(ctx context.Context, rec AuditRecord) error {
	a.Log.InfoContext(ctx, "audit", "audit", true, "user", rec.User, "role", string(rec.Role), "client", rec.Client,
		"action", rec.Action, "object", rec.Object, "reason", rec.Reason, "count", rec.Count, "at", rec.At)
	return nil
}

// WithAuditor sets where audit records go (default: a SlogAuditor on the server's logger).
func WithAuditor(a Auditor) Option { return func(s *Server) { s.auditor = a } }

// WithExportRoles lists the roles that may export full phone and ID numbers, each export with a
// reason and audited (default: none; the dialer gets full numbers inside the server).
func WithExportRoles(roles ...Role) Option {
	return func(s *Server) { s.exportRoles = slices.Clone(roles) }
}

// MayExport reports whether role may export unmasked personal data.
func (s *Server) MayExport(role Role) bool { return slices.Contains(s.exportRoles, role) }

// Audit records that the principal of r did rec.Action to rec.Object; it fills in the time, the
// user, the role and the client address.
func (s *Server) Audit(r *http.Request, rec AuditRecord) error {
	p, _ := PrincipalFrom(r.Context())
	rec.At = time.Now().UTC()
	rec.User, rec.Role, rec.Client = p.User, p.Role, ClientAddr(r)
	return s.auditor.Audit(r.Context(), rec)
}

// ClientAddr is the address of the client that sent r: the host of the connection's remote
// address. Forwarding headers are not trusted: any client can write them.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
