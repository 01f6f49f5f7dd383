package segments

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics"
	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// Register mounts the segment endpoints:
//
//	GET  /api/segments               quadrant sizes and movements over ?from=&to= (dates)
//	GET  /api/segments/{quadrant}    the customers of a quadrant; phones masked unless ?campaign= names the campaign that will dial them
//	POST /api/segments/{quadrant}/campaign  {"campaign_id","campaign_type"[,"script","priority"]}: the segment becomes a dialer campaign
//	     (400 for a campaign that does not validate, 403 for a service type, 409 for an id in use, 502 for a failure upstream)
//
// Query parameters: as_of (YYYY-MM-DD, default today), tenant, limit, include_blacklisted, exclude_flagged.
func Register(srv *httpapi.Server, e *analytics.Engine, l Launcher, now func() time.Time) {
	roles := []httpapi.Role{httpapi.RoleMarketer, httpapi.RoleManager}
	srv.Handle(httpapi.Endpoint{Method: http.MethodGet, Path: "/api/segments", Roles: roles, TenantFiltered: true,
		Summary: "customers per satisfaction x loyalty quadrant, and movements between quadrants",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			to, err := date(r.URL.Query().Get("to"), now())
			if err != nil {
				httpapi.Error(w, http.StatusBadRequest, err.Error())
				return
			}
			from, err := date(r.URL.Query().Get("from"), to.AddDate(0, -1, 0))
			if err != nil {
				httpapi.Error(w, http.StatusBadRequest, err.Error())
				return
			}
			tenant, ok := httpapi.TenantFilter(w, r)
			if !ok {
				return
			}
			sizes, err := e.QuadrantSizes(r.Context(), to, tenant)
			if err != nil {
				httpapi.Error(w, http.StatusInternalServerError, err.Error())
				return
			}
			moves, err := e.Movements(r.Context(), from, to, tenant)
			if err != nil {
				httpapi.Error(w, http.StatusInternalServerError, err.Error())
				return
			}
			if moves == nil {
				moves = []analytics.Movement{}
			}
			httpapi.WriteJSON(w, http.StatusOK, map[string]any{"as_of": to.Format(time.DateOnly), "from": from.Format(time.DateOnly), "sizes": sizes, "movements": moves})
		})})
	srv.Handle(httpapi.Endpoint{Method: http.MethodGet, Path: "/api/segments/{quadrant}", Roles: roles, TenantFiltered: true, PersonalData: true,
		Summary: "customers of one quadrant with scores and flags; phone numbers masked unless ?campaign= is given",
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			segs, ok := list(w, r, e, now)
			if !ok {
				return
			}
			if r.URL.Query().Get("campaign") == "" {
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
				httpapi.Error(w, launchStatus(err), "launching campaign: "+err.Error())
				return
			}
			httpapi.WriteJSON(w, http.StatusCreated, map[string]any{"campaign_id": req.CampaignID, "contacts": len(contacts)})
		})})
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

func list(w http.ResponseWriter, r *http.Request, e *analytics.Engine, now func() time.Time) ([]analytics.CustomerSegment, bool) {
	tenant, ok := httpapi.TenantFilter(w, r)
	if !ok {
		return nil, false
	}
	q := r.URL.Query()
	asOf, err := date(q.Get("as_of"), now())
	if err != nil {
		httpapi.Error(w, http.StatusBadRequest, err.Error())
		return nil, false
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	f := analytics.SegmentFilter{Quadrant: r.PathValue("quadrant"), IncludeBlacklist: q.Get("include_blacklisted") == "1",
		ExcludeFlagged: q.Get("exclude_flagged") == "1", Limit: limit}
	if !contains(analytics.Quadrants, f.Quadrant) {
		httpapi.Error(w, http.StatusNotFound, "no quadrant "+f.Quadrant+"; quadrants are loyal, mercenary, hostage, at_risk")
		return nil, false
	}
	segs, err := e.Segment(r.Context(), asOf, tenant, f)
	if err != nil {
		httpapi.Error(w, http.StatusInternalServerError, err.Error())
		return nil, false
	}
	return segs, true
}

func date(s string, def time.Time) (time.Time, error) {
	if s == "" {
		return def, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, err
	}
	return t, nil
}
