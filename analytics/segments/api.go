package segments

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// Register mounts the segment endpoints:
//
//	GET  /api/segments               quadrant sizes and movements over ?from=&to= (dates)
//	GET  /api/segments/{quadrant}    the customers of a quadrant, phones masked; export=1&reason=... gives full numbers to a
//	     role the configuration allows to export (privacy.export_roles), each export audited with user, client and reason
//	POST /api/segments/{quadrant}/campaign  {"campaign_id","campaign_type"[,"script","priority"]}: the segment becomes a dialer campaign
//	     (400 for a campaign that does not validate, 403 for a service type, 409 for an id in use, 502 for a failure upstream)
//
// Query parameters: as_of (YYYY-MM-DD, default today), tenant, limit, include_blacklisted, exclude_flagged.
func Register(srv *httpapi.Server, e *analytics.Engine, l Launcher, now func() time.Time) {
	roles := []httpapi.Role{httpapi.RoleMarketer, httpapi.RoleManager}
	srv.Handle(httpapi.Endpoint{Method: http.MethodGet, Path: "/api/segments", Roles: roles, TenantFiltered: true,
		Summary: "customers per satisfaction x loyalty quadrant, and movements between quadrants",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			to, err := date("to", r.URL.Query().Get("to"), now())
			if err != nil {
				httpapi.Error(w, http.StatusBadRequest, err.Error())
				return
			}
			from, err := date("from", r.URL.Query().Get("from"), to.AddDate(0, -1, 0))
			if err != nil {
				httpapi.Error(w, http.StatusBadRequest, err.Error())
				return
			}
			if !to.After(from) {
				httpapi.Error(w, http.StatusBadRequest, fmt.Sprintf("to: %s is not after from %s", to.Format(time.DateOnly), from.Format(time.DateOnly)))
				return
			}
			tenant, ok := httpapi.TenantFilter(w, r)
			if !ok {
				return
			}
			sizes, err := e.QuadrantSizes(r.Context(), to, tenant)
			if err != nil {
				httpapi.InternalError(w, r, "counting the quadrants", err)
				return
			}
			moves, err := e.Movements(r.Context(), from, to, tenant)
			if err != nil {
				httpapi.InternalError(w, r, "reading movements between quadrants", err)
				return
			}
			if moves == nil {
				moves = []analytics.Movement{}
			}
			httpapi.WriteJSON(w, http.StatusOK, map[string]any{"as_of": to.Format(time.DateOnly), "from": from.Format(time.DateOnly), "sizes": sizes, "movements": moves})
		})})
	srv.Handle(httpapi.Endpoint{Method: http.MethodGet, Path: "/api/segments/{quadrant}", Roles: roles, TenantFiltered: true, PersonalData: true,
		Summary: "customers of one quadrant with scores and flags; phone numbers masked (export=1&reason=...: full numbers for a role allowed to export, audited)",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			export, reason, ok := exportRequest(w, r, srv)
			if !ok {
				return
			}
			segs, ok := list(w, r, e, now)
			if !ok {
				return
			}
			if export {
				// The trace first: a disclosure that cannot be audited does not happen.
				detail := fmt.Sprintf("%d customers; reason: %s", len(segs), reason)
				if err := httpapi.Audit(r, "export_phones", "segment "+r.PathValue("quadrant"), detail); err != nil {
					httpapi.InternalError(w, r, "auditing a segment export", err)
					return
				}
			} else {
				segs = Mask(segs)
			}
			if segs == nil {
				segs = []analytics.CustomerSegment{}
			}
			httpapi.WriteJSON(w, http.StatusOK, map[string]any{"quadrant": r.PathValue("quadrant"), "customers": segs})
		})})
	srv.Handle(httpapi.Endpoint{Method: http.MethodPost, Path: "/api/segments/{quadrant}/campaign", Roles: []httpapi.Role{httpapi.RoleMarketer},
		Summary: "turn a quadrant's customers into a dialer campaign (blacklisted excluded)",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var req LaunchRequest
			if err := httpapi.DecodeJSON(w, r, &req); err != nil {
				return
			}
			segs, ok := list(w, r, e, now)
			if !ok {
				return
			}
			contacts, err := Contacts(segs, req.CampaignID, req.CampaignType, now())
			if err != nil {
				httpapi.Error(w, http.StatusBadRequest, err.Error())
				return
			}
			if err := l.Launch(r.Context(), req, contacts); err != nil {
				if status := launchStatus(err); status < 500 {
					httpapi.Error(w, status, "launching campaign: "+err.Error())
				} else { // writing the list, the dialer: the detail names server paths
					httpapi.Fail(w, r, status, "launching the campaign", err)
				}
				return
			}
			httpapi.WriteJSON(w, http.StatusCreated, map[string]any{"campaign_id": req.CampaignID, "contacts": len(contacts)})
		})})
}

// Reasons an export gives are between these lengths: enough to say why, not a document.
const minReason, maxReason = 10, 500

// exportRequest reads export=1&reason=... and refuses a role that may not export (403) or an
// export without a reason (400); ok is false when it has answered.
func exportRequest(w http.ResponseWriter, r *http.Request, srv *httpapi.Server) (export bool, reason string, ok bool) {
	q := r.URL.Query()
	switch q.Get("export") {
	case "", "0":
		return false, "", true
	case "1":
	default:
		httpapi.Error(w, http.StatusBadRequest, fmt.Sprintf("export: %q is not 0 or 1", httpapi.Clip(q.Get("export"))))
		return false, "", false
	}
	p, _ := httpapi.PrincipalFrom(r.Context())
	if !srv.MayExport(p.Role) {
		httpapi.Error(w, http.StatusForbidden, fmt.Sprintf("role %s may not export full phone numbers; an administrator lists the roles that may in privacy.export_roles", p.Role))
		return false, "", false
	}
	reason = strings.TrimSpace(q.Get("reason"))
	if n := utf8.RuneCountInString(reason); n < minReason || n > maxReason {
		httpapi.Error(w, http.StatusBadRequest, fmt.Sprintf("reason: an export says why in %d to %d characters (it is audited); got %d", minReason, maxReason, n))
		return false, "", false
	}
	return true, reason, true
}

// launchStatus is the API's status for a Launcher's error: the caller's mistakes are 4xx with
// the message; only a failure behind the launcher (writing the list, the dialer) is a 502.
func launchStatus(err error) int {
	var re *RequestError
	switch {
	case errors.As(err, &re):
		return re.Status
	case errors.Is(err, dialer.ErrCampaignExists):
		return http.StatusConflict
	}
	return http.StatusBadGateway
}

// maxLimit bounds ?limit=: more customers than any centre has.
const maxLimit = 10_000_000

func list(w http.ResponseWriter, r *http.Request, e *analytics.Engine, now func() time.Time) ([]analytics.CustomerSegment, bool) {
	tenant, ok := httpapi.TenantFilter(w, r)
	if !ok {
		return nil, false
	}
	q := r.URL.Query()
	asOf, err := date("as_of", q.Get("as_of"), now())
	if err != nil {
		httpapi.Error(w, http.StatusBadRequest, err.Error())
		return nil, false
	}
	limit := 0
	if s := q.Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 0 || limit > maxLimit {
			httpapi.Error(w, http.StatusBadRequest, fmt.Sprintf("limit: %q is not a whole number in 0..%d", httpapi.Clip(s), maxLimit))
			return nil, false
		}
	}
	f := analytics.SegmentFilter{Quadrant: r.PathValue("quadrant"), IncludeBlacklist: q.Get("include_blacklisted") == "1",
		ExcludeFlagged: q.Get("exclude_flagged") == "1", Limit: limit}
	if !contains(analytics.Quadrants, f.Quadrant) {
		httpapi.Error(w, http.StatusNotFound, "no quadrant "+httpapi.Clip(f.Quadrant)+"; quadrants are loyal, mercenary, hostage, at_risk")
		return nil, false
	}
	segs, err := e.Segment(r.Context(), asOf, tenant, f)
	if err != nil {
		httpapi.InternalError(w, r, "reading the segment", err)
		return nil, false
	}
	return segs, true
}

// date is the query parameter field as a day in the allowed range, or def when absent.
func date(field, s string, def time.Time) (time.Time, error) {
	if s == "" {
		return def, nil
	}
	return analytics.ParseDay(field, s)
}
