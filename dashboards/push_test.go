package dashboards

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/seed-1c4692e8/hotline/analytics"
)

// grafanaStandIn implements the Grafana HTTP API endpoints Push calls, with token checks.
type grafanaStandIn struct {
	mu          sync.Mutex
	token       string
	datasources map[string]map[string]any
	dashboards  map[string]map[string]any
	posts       int
}

func (g *grafanaStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+g.token {
		w.WriteHeader(http.StatusUnauthorized)
		json.NewEncoder(w).Encode(map[string]string{"message": "invalid API key"})
		return
	}
	switch {
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, "/api/datasources/name/"):
		ds, ok := g.datasources[strings.TrimPrefix(r.URL.Path, "/api/datasources/name/")]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]string{"message": "Data source not found"})
			return
		}
		json.NewEncoder(w).Encode(ds)
	case (r.Method == "POST" && r.URL.Path == "/api/datasources") || (r.Method == "PUT" && strings.HasPrefix(r.URL.Path, "/api/datasources/")):
		var ds map[string]any
		json.NewDecoder(r.Body).Decode(&ds)
		if ds["id"] == nil || ds["id"] == float64(0) {
			ds["id"] = float64(len(g.datasources) + 1)
		}
		g.datasources[ds["name"].(string)] = ds
		json.NewEncoder(w).Encode(map[string]any{"message": "Datasource added", "id": ds["id"]})
	case r.Method == "POST" && r.URL.Path == "/api/dashboards/db":
		var req struct {
			Dashboard map[string]any `json:"dashboard"`
			Overwrite bool           `json:"overwrite"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			json.NewEncoder(w).Encode(map[string]string{"message": err.Error()})
			return
		}
		uid, _ := req.Dashboard["uid"].(string)
		if _, exists := g.dashboards[uid]; exists && !req.Overwrite {
			w.WriteHeader(http.StatusPreconditionFailed)
			json.NewEncoder(w).Encode(map[string]string{"message": "version-mismatch", "status": "version-mismatch"})
			return
		}
		g.posts++
		g.dashboards[uid] = req.Dashboard
		json.NewEncoder(w).Encode(map[string]any{"status": "success", "uid": uid, "id": len(g.dashboards), "version": 1})
	default:
		w.WriteHeader(http.StatusNotFound)
		json.NewEncoder(w).Encode(map[string]string{"message": "not found: " + r.Method + " " + r.URL.Path})
	}
}

func TestPushCreatesThenUpdates(t *testing.T) {
	g := &grafanaStandIn{token: "sa-token", datasources: map[string]map[string]any{}, dashboards: map[string]map[string]any{}}
	srv := httptest.NewServer(g)
	defer srv.Close()
	ctx := context.Background()
	s := analytics.DefaultSettings()
	if err := Push(ctx, srv.URL, "wrong", s, analytics.LangEn, "ch", 9000, "hotline"); err == nil {
		t.Fatal("push with a wrong token succeeded")
	}
	for round := 1; round <= 2; round++ {
		if err := Push(ctx, srv.URL, "sa-token", s, analytics.LangEn, "ch", 9000, "hotline"); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	if len(g.datasources) != 1 {
		t.Fatalf("%d data sources, want 1 (created, then updated)", len(g.datasources))
	}
	ds := g.datasources["hotline ClickHouse"]
	if ds["type"] != PluginID || ds["uid"] != DatasourceUID {
		t.Errorf("data source %v", ds)
	}
	if len(g.dashboards) != len(Specs()) || g.posts != 2*len(Specs()) {
		t.Fatalf("%d dashboards after %d posts, want %d after %d", len(g.dashboards), g.posts, len(Specs()), 2*len(Specs()))
	}
	for _, sp := range Specs() {
		d := g.dashboards[sp.UID]
		if d == nil || d["title"] != sp.Title || len(d["panels"].([]any)) != len(sp.Panels) {
			t.Errorf("dashboard %s stored as %v", sp.UID, d["title"])
		}
	}
}
