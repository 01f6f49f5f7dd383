package dialer

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// RegisterControl mounts the endpoints that pause, resume and stop a campaign:
//
//	POST /api/campaigns/{id}/pause   no new calls; calls in progress finish (manager; marketer
//	                                 for sales and research campaigns)
//	POST /api/campaigns/{id}/resume  dial again
//	POST /api/campaigns/{id}/stop    for good: the open contacts close as expired, records on
//	                                 agents' preview desks too (the desktop hears preview_timeout,
//	                                 action stop)
func (s *Service) RegisterControl(srv *httpapi.Server) {
	roles := []httpapi.Role{httpapi.RoleManager, httpapi.RoleMarketer}
	for _, a := range []struct{ verb, state, summary string }{
		{"pause", StatePaused, "pause a campaign: no new calls, calls in progress finish (manager; marketer: sales and research campaigns)"},
		{"resume", StateRunning, "resume a paused campaign"},
		{"stop", StateStopped, "stop a campaign for good: no new calls, its open contacts close as expired"},
	} {
		srv.Handle(httpapi.Endpoint{Method: http.MethodPost, Path: "/api/campaigns/{id}/" + a.verb, Roles: roles,
			Summary: a.summary, Handler: s.serveSetState(a.state)})
	}
}

func (s *Service) serveSetState(state string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, _ := httpapi.PrincipalFrom(r.Context())
		id := r.PathValue("id")
		st, ok := s.Status(id)
		if !ok {
			httpapi.Error(w, http.StatusNotFound, fmt.Sprintf("no campaign %q", clip(id)))
			return
		}
		if err := MayControl(p.Role, st.Campaign.Type); err != nil {
			httpapi.Error(w, http.StatusForbidden, err.Error())
			return
		}
		st, err := s.setState(id, state, p.User)
		switch {
		case errors.Is(err, ErrNoCampaign):
			httpapi.Error(w, http.StatusNotFound, fmt.Sprintf("no campaign %q", clip(id)))
			return
		case errors.Is(err, ErrNotSaved):
			s.log.Error("campaign state not saved", "campaign", id, "state", state, "err", err)
			httpapi.Error(w, http.StatusInternalServerError, err.Error())
			return
		case err != nil:
			httpapi.Error(w, http.StatusConflict, err.Error())
			return
		}
		s.log.Info("campaign state set", "campaign", id, "state", st.State, "user", p.User)
		httpapi.WriteJSON(w, http.StatusOK, st)
	}
}

// MayControl reports whether role may pause, resume or stop a campaign of the given type: a
// manager any campaign (the centre's calls are theirs to halt), a marketer the marketing ones.
func MayControl(role httpapi.Role, campaignType string) error {
	switch {
	case role == httpapi.RoleManager:
		return nil
	case role == httpapi.RoleMarketer && !ServiceCampaign(campaignType):
		return nil
	}
	return fmt.Errorf("%s campaigns: only a manager may pause, resume or stop them", campaignType)
}
