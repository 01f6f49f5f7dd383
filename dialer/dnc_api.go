package dialer

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// Do-not-call lists, as the API names them.
const (
	ListNational = "national"
	ListCompany  = "company"
	ListCampaign = "campaign"
)

// DNCEntry is a number on a do-not-call list.
type DNCEntry struct {
	Phone    string `json:"phone"`
	List     string `json:"list"` // national, company or campaign
	Campaign string `json:"campaign,omitempty"`
	// Until is the day the entry lapses (YYYY-MM-DD, as in the list files); empty: for ever.
	Until  string `json:"until,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// DNCStatus is which lists hold a number now.
type DNCStatus struct {
	Phone   string     `json:"phone"`
	Listed  bool       `json:"listed"`
	Entries []DNCEntry `json:"entries"`
}

// maxDNCReason bounds a do-not-call entry's reason: a sentence, kept and logged with the entry.
const maxDNCReason = 500

type dncRequest struct {
	Phone    string `json:"phone"`
	Until    string `json:"until"`
	Campaign string `json:"campaign"`
	Reason   string `json:"reason"`
}

// dncAPI serves the do-not-call endpoints. mu keeps the state file, the company file and the
// gate's lists in step: an add or a removal writes them before the next one starts.
type dncAPI struct {
	s    *Service
	file *DNCFile // the admin's company file, which a removal edits; nil: none
	mu   sync.Mutex
}

// RegisterDNC mounts the do-not-call endpoints; the gate checks its lists at dial time, so an
// entry stops the next call to the number, on every running campaign.
//
//	POST   /api/dnc          list a number on the company list, or a campaign's (agent, manager)
//	GET    /api/dnc/{phone}  which lists hold a number and until when (agent, manager)
//	DELETE /api/dnc/{phone}  take a number off the company list (manager)
//
// Entries, company and campaign alike, are saved in the state file (Deps.State) before they are
// answered; without one they are kept in memory only. companyFile (<data-dir>/dnc/company.txt)
// is the admin's list, which start-up reads: a removal takes the number out of it too, so the
// file does not list it again at the next start; "" when there is none.
func (s *Service) RegisterDNC(srv *httpapi.Server, companyFile string) {
	a := &dncAPI{s: s}
	if companyFile != "" {
		a.file = NewDNCFile(companyFile, s.cfg.CountryCode)
	}
	// Agents take the inbound "never call me again" request, and may already put a number on the
	// company list with the do_not_call disposition: adding only makes calling stricter. Taking a
	// number off lifts a customer's protection, which is a manager's decision.
	desk := []httpapi.Role{httpapi.RoleManager, httpapi.RoleAgent}
	srv.Handle(httpapi.Endpoint{Method: http.MethodPost, Path: "/api/dnc", Roles: desk,
		Summary: "put a number on the company do-not-call list (or a campaign's): blocks its next call (agent, manager)", Handler: http.HandlerFunc(a.servePost)})
	srv.Handle(httpapi.Endpoint{Method: http.MethodGet, Path: "/api/dnc/{phone}", Roles: desk,
		Summary: "which do-not-call lists hold a number (national, company, campaigns) and until when", Handler: http.HandlerFunc(a.serveGet)})
	srv.Handle(httpapi.Endpoint{Method: http.MethodDelete, Path: "/api/dnc/{phone}", Roles: []httpapi.Role{httpapi.RoleManager},
		Summary: "take a number off the company do-not-call list (manager)", Handler: http.HandlerFunc(a.serveDelete)})
}

// now is the clock's time at the dialer's last tick (HTTP goroutines may not read a simulated clock).
func (a *dncAPI) now() time.Time {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	return a.s.now
}

func (a *dncAPI) hasCampaign(id string) bool {
	a.s.mu.Lock()
	defer a.s.mu.Unlock()
	_, ok := a.s.runs[id]
	return ok
}

func (a *dncAPI) phone(raw string) (string, error) {
	p := events.NormalizePhone(strings.TrimSpace(raw), a.s.cfg.CountryCode)
	if p == "" {
		if strings.TrimSpace(raw) == "" {
			return "", errors.New("phone: missing")
		}
		return "", fmt.Errorf("phone: %q is not a phone number", clip(raw))
	}
	return p, nil
}

func (a *dncAPI) servePost(w http.ResponseWriter, r *http.Request) {
	p, _ := httpapi.PrincipalFrom(r.Context())
	var req dncRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, httpapi.MaxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		status := http.StatusBadRequest
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status = http.StatusRequestEntityTooLarge
		}
		httpapi.Error(w, status, "request body: "+err.Error()+` (want {"phone": "+8613800000000", "until": "2027-06-01", "campaign": "<id>", "reason": "..."}, all but phone optional)`)
		return
	}
	if len(req.Reason) > maxDNCReason {
		httpapi.Error(w, http.StatusBadRequest, fmt.Sprintf("reason: %d bytes, at most %d", len(req.Reason), maxDNCReason))
		return
	}
	phone, err := a.phone(req.Phone)
	if err != nil {
		httpapi.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	now := a.now()
	var until time.Time
	if req.Until != "" {
		// As in the list files: the entry lapses at the start of that day.
		until, err = time.Parse(time.DateOnly, req.Until)
		if err != nil {
			httpapi.Error(w, http.StatusBadRequest, fmt.Sprintf("until: %q is not a date like 2027-06-01", clip(req.Until)))
			return
		}
		if !until.After(now) {
			httpapi.Error(w, http.StatusBadRequest, fmt.Sprintf("until: %s is past; leave it out to list the number for ever", req.Until))
			return
		}
		if until.After(now.AddDate(100, 0, 0)) {
			httpapi.Error(w, http.StatusBadRequest, fmt.Sprintf("until: %s is more than 100 years ahead; leave it out to list the number for ever", req.Until))
			return
		}
	}
	if req.Campaign != "" && !a.hasCampaign(req.Campaign) {
		httpapi.Error(w, http.StatusBadRequest, fmt.Sprintf("campaign: no campaign %q", clip(req.Campaign)))
		return
	}
	entry := DNCEntry{Phone: phone, List: ListCompany, Campaign: req.Campaign, Reason: req.Reason}
	list := a.s.gate.Company()
	if req.Campaign != "" {
		entry.List, list = ListCampaign, a.s.gate.Campaign(req.Campaign)
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	// A request never shortens a listing: a number listed for ever (a customer's do_not_call on a
	// call, an SMS opt-out) stays so. To shorten, a manager removes it first.
	if old, ok := list.Until(phone, now); ok && (old.IsZero() || !until.IsZero() && !old.Before(until)) {
		entry.Until = dateOrEmpty(old)
		httpapi.WriteJSON(w, http.StatusOK, entry)
		return
	}
	if a.s.store != nil {
		row := dncRow{list: entry.List, campaign: req.Campaign, phone: phone, listed: true, until: until, reason: req.Reason, by: p.User, at: now}
		if err := a.s.store.setDNC(r.Context(), row); err != nil {
			a.s.log.Error("do-not-call entry not saved", "phone", events.MaskPhone(phone), "err", err)
			httpapi.InternalError(w, r, "saving the do-not-call entry", fmt.Errorf("adding %s: %w", events.MaskPhone(phone), err))
			return
		}
	}
	list.Add(phone, until)
	entry.Until = dateOrEmpty(until)
	a.s.log.Info("do-not-call entry added", "phone", events.MaskPhone(phone), "list", entry.List, "campaign", entry.Campaign,
		"until", entry.Until, "reason", entry.Reason, "user", p.User, "role", p.Role)
	httpapi.WriteJSON(w, http.StatusCreated, entry)
}

func (a *dncAPI) serveGet(w http.ResponseWriter, r *http.Request) {
	phone, err := a.phone(r.PathValue("phone"))
	if err != nil {
		httpapi.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, a.status(phone, a.now()))
}

func (a *dncAPI) serveDelete(w http.ResponseWriter, r *http.Request) {
	p, _ := httpapi.PrincipalFrom(r.Context())
	phone, err := a.phone(r.PathValue("phone"))
	if err != nil {
		httpapi.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	inSaved := false
	if a.s.store != nil {
		// Recorded even when no saved entry lists it: a number customers asked about on calls
		// is restored from the call records at start, and this removal must stand after it.
		var err error
		if inSaved, err = a.s.store.unlist(r.Context(), phone, p.User, a.now()); err != nil {
			a.s.log.Error("do-not-call entry not removed", "phone", events.MaskPhone(phone), "err", err)
			httpapi.Error(w, http.StatusInternalServerError, "saving the do-not-call removal: "+err.Error())
			return
		}
	}
	inFile := false
	if a.file != nil {
		if inFile, err = a.file.Remove(phone); err != nil {
			httpapi.InternalError(w, r, "saving the company do-not-call list", fmt.Errorf("removing %s: %w", events.MaskPhone(phone), err))
			return
		}
	}
	if inList := a.s.gate.Company().Remove(phone); !inList && !inFile && !inSaved {
		httpapi.Error(w, http.StatusNotFound, fmt.Sprintf("%s is not on the company do-not-call list", phone))
		return
	}
	a.s.log.Info("do-not-call entry removed", "phone", events.MaskPhone(phone), "list", ListCompany, "user", p.User)
	// What still holds the number: the national list, a campaign's, is not this endpoint's to lift.
	httpapi.WriteJSON(w, http.StatusOK, a.status(phone, a.now()))
}

// status is which lists hold phone at now: national, company, then campaigns by id.
func (a *dncAPI) status(phone string, now time.Time) DNCStatus {
	st := DNCStatus{Phone: phone, Entries: []DNCEntry{}}
	g := a.s.gate
	for _, l := range []struct {
		name string
		list *DNCList
	}{{ListNational, g.National()}, {ListCompany, g.Company()}} {
		if until, ok := l.list.Until(phone, now); ok {
			st.Entries = append(st.Entries, DNCEntry{Phone: phone, List: l.name, Until: dateOrEmpty(until)})
		}
	}
	g.mu.Lock()
	ids := make([]string, 0, len(g.campaign))
	for id := range g.campaign {
		ids = append(ids, id)
	}
	lists := make(map[string]*DNCList, len(g.campaign))
	for id, l := range g.campaign {
		lists[id] = l
	}
	g.mu.Unlock()
	slices.Sort(ids)
	for _, id := range ids {
		if until, ok := lists[id].Until(phone, now); ok {
			st.Entries = append(st.Entries, DNCEntry{Phone: phone, List: ListCampaign, Campaign: id, Until: dateOrEmpty(until)})
		}
	}
	st.Listed = len(st.Entries) > 0
	return st
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}
