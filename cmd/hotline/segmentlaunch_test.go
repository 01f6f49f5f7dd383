package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
)

// A marketer's segment becomes a campaign they may run: a telemarketing or research campaign,
// not a service one, and never over an existing id.
func TestSegmentLauncher(t *testing.T) {
	svc, err := dialer.NewService(dialer.ServiceConfig{Seed: 1}, dialer.Deps{Clock: clock.NewSim(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	l := &segmentLauncher{dialer: svc, dir: dir}
	contacts := []dialer.Contact{{CustomerID: "C1", Phone: "+8613900000001"}, {CustomerID: "C2", Phone: "+8613900000002"}}
	marketer := httpapi.WithPrincipal(context.Background(), httpapi.Principal{User: "mia", Role: httpapi.RoleMarketer})
	tests := []struct {
		name, id, typ string
		wantErr       string
	}{
		{"telemarketing", "xs-merc", "telemarketing", ""},
		{"a service campaign is the manager's", "cb-hostage", "claim_callback", "only a manager"},
		{"an id in use", "xs-merc", "market_research", "already exists"},
		{"an unknown type", "odd", "lottery", "not one of"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := l.Launch(marketer, tc.id, tc.typ, contacts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				if tc.id != "xs-merc" {
					if _, statErr := os.Stat(filepath.Join(dir, tc.id+".csv")); statErr == nil {
						t.Errorf("a refused launch wrote its list")
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			st, ok := svc.Status(tc.id)
			if !ok || st.Campaign.Script == "" || st.Campaign.Owner != "mia" || st.Campaign.List.File != filepath.Join(dir, tc.id+".csv") {
				t.Fatalf("launched campaign %+v", st.Campaign)
			}
		})
	}
}
