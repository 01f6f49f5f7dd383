package httpapi

import "net/http"

// endpointInfo is one entry of GET /api/endpoints.
type endpointInfo struct {
	Method  string `json:"method"`
	Path    string `json:"path"`
	Summary string `json:"summary"`
	Public  bool   `json:"public,omitempty"`
	Roles   []Role `json:"roles,omitempty"`
}

// IndexBody is the response of GET /api/endpoints.
type IndexBody struct {
	Principal Principal      `json:"principal"`
	Endpoints []endpointInfo `json:"endpoints"`
}

// serveIndex lists the endpoints the caller may call, so that a client (or a person with curl)
// can discover the API without reading the source.
func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	body := IndexBody{Principal: p, Endpoints: []endpointInfo{}}
	for _, e := range s.Endpoints() {
		if !e.Allows(p.Role) {
			continue
		}
		body.Endpoints = append(body.Endpoints, endpointInfo{
			Method: e.Method, Path: e.Path, Summary: e.Summary, Public: e.Public, Roles: e.Roles,
		})
	}
	WriteJSON(w, http.StatusOK, body)
}
