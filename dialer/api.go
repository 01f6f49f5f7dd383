package dialer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// Register mounts the campaign API on srv:
//
//	GET  /api/campaigns       every campaign's live progress (manager, marketer)
//	GET  /api/campaigns/{id}  one campaign: attempts, contacts, abandonment (run, rolling 24 h
//	                          and 30 d), penetration, occupancy, callback coverage
//	POST /api/campaigns       create a campaign from YAML or JSON (the same fields as the
//	                          campaign files; JSON durations are strings such as "30s");
//	                          service campaigns need the manager role, telemarketing and
//	                          market research the marketer role; 409 for an id in use,
//	                          400 for a campaign that does not validate or whose list
//	                          cannot be read
func (s *Service) Register(srv *httpapi.Server) {
	roles := []httpapi.Role{httpapi.RoleManager, httpapi.RoleMarketer}
	srv.Handle(httpapi.Endpoint{Method: http.MethodGet, Path: "/api/campaigns", Roles: roles,
		Summary: "outbound campaigns with their live progress", Handler: http.HandlerFunc(s.serveList)})
	srv.Handle(httpapi.Endpoint{Method: http.MethodGet, Path: "/api/campaigns/{id}", Roles: roles,
		Summary: "one outbound campaign's progress: attempts, contacts, abandonment 24 h / 30 d, penetration, occupancy", Handler: http.HandlerFunc(s.serveGet)})
	srv.Handle(httpapi.Endpoint{Method: http.MethodPost, Path: "/api/campaigns", Roles: roles,
		Summary: "create an outbound campaign from YAML or JSON (service campaigns: manager; sales and research: marketer)", Handler: http.HandlerFunc(s.serveCreate)})
}

func (s *Service) serveList(w http.ResponseWriter, r *http.Request) {
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"campaigns": httpapi.Encodable(r, s.Statuses())})
}

func (s *Service) serveGet(w http.ResponseWriter, r *http.Request) {
	st, ok := s.Status(r.PathValue("id"))
	if !ok {
		httpapi.Error(w, http.StatusNotFound, fmt.Sprintf("no campaign %q", clip(r.PathValue("id"))))
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, st)
}

// MayCreate reports whether role may create a campaign of the given type, and why not.
func MayCreate(role httpapi.Role, campaignType string) error {
	switch {
	case ServiceCampaign(campaignType) && role != httpapi.RoleManager:
		return fmt.Errorf("%s campaigns are service campaigns: only a manager may create them", campaignType)
	case !ServiceCampaign(campaignType) && role != httpapi.RoleMarketer:
		return fmt.Errorf("%s campaigns are marketing: only a marketer may create them", campaignType)
	}
	return nil
}

func (s *Service) serveCreate(w http.ResponseWriter, r *http.Request) {
	p, _ := httpapi.PrincipalFrom(r.Context())
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, httpapi.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			httpapi.Error(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is larger than %d bytes", mbe.Limit))
			return
		}
		httpapi.Error(w, http.StatusBadRequest, "reading request body: "+err.Error())
		return
	}
	if len(body) == 0 {
		httpapi.Error(w, http.StatusBadRequest, "request body: missing (a campaign in YAML or JSON)")
		return
	}
	// JSON is YAML too, but JSON's own decoder names the field of a duration sent as a number.
	parse := ParseCampaign
	if b := bytes.TrimSpace(body); len(b) > 0 && b[0] == '{' && json.Valid(b) {
		parse = ParseCampaignJSON
	}
	c, err := parse("request body", body)
	if err != nil {
		httpapi.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := MayCreate(p.Role, c.Type); err != nil {
		httpapi.Error(w, http.StatusForbidden, err.Error())
		return
	}
	// A file path or raw SQL from a request would let a caller read the server's files or any
	// table: over the API, lists come from the book, segments or requests only.
	if c.List.Source == "file" || c.List.Query != "" {
		httpapi.Error(w, http.StatusBadRequest, "list: file lists and raw queries are for campaign files an admin deploys; over the API use list.source book, requests, or segment with list.segment naming a quadrant (loyal, mercenary, hostage, at_risk)")
		return
	}
	c.Owner = p.User
	// Only an id in use is a conflict; a list that cannot be read (an unknown segment, a
	// failing query) is the request's problem and is answered with why.
	if err := s.Create(c); err != nil {
		code := http.StatusBadRequest
		switch {
		case errors.Is(err, ErrCampaignExists):
			code = http.StatusConflict
		case errors.Is(err, ErrNotSaved):
			code = http.StatusInternalServerError
			s.log.Error("campaign not saved", "campaign", c.ID, "err", err)
		}
		httpapi.Error(w, code, err.Error())
		return
	}
	st, _ := s.Status(c.ID)
	httpapi.WriteJSON(w, http.StatusCreated, st)
}
