package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics/segments"
	"github.com/seed-1c4692e8/hotline/dialer"
	"github.com/seed-1c4692e8/hotline/internal/clock"
	"github.com/seed-1c4692e8/hotline/internal/httpapi"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// startDialer starts a dialer on a state file at path, with campaigns (nil: the defaults).
func startDialer(t *testing.T, path string, clk *clock.Sim, campaigns []dialer.Campaign) (*dialer.Service, error) {
	t.Helper()
	db, err := statedb.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := dialer.NewService(dialer.ServiceConfig{Seed: 1, Campaigns: campaigns}, dialer.Deps{Clock: clk, State: db, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return svc, svc.Start()
}

// A marketer's segment becomes a campaign they may run: a telemarketing or research campaign,
// not a service one, and never over an existing id. It is in the state file, not in the
// admin's campaign files, and a restart has it as launched.
func TestSegmentLauncher(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state", "hotline.db")
	clk := clock.NewSim(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	svc, err := startDialer(t, state, clk, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := &segmentLauncher{dialer: svc}
	contacts := []dialer.Contact{{CustomerID: "C1", Phone: "+8613900000001"}, {CustomerID: "C2", Phone: "+8613900000002"}}
	marketer := httpapi.WithPrincipal(context.Background(), httpapi.Principal{User: "mia", Role: httpapi.RoleMarketer, Tenant: httpapi.AllTenants})
	tests := []struct {
		name, id, typ string
		script        string
		priority      int
		wantErr       string
		wantStatus    int // of the *segments.RequestError; 0: none
		wantExists    bool
		wantScript    string
		wantPriority  int
	}{
		{"telemarketing", "xs-merc", "telemarketing", "", 0, "", 0, false, "SEG-XS-MERC", 0},
		{"a script and priority of its own", "xs-loyal", "telemarketing", "XSELL-HOME-1", 4, "", 0, false, "XSELL-HOME-1", 4},
		{"a service campaign is the manager's", "cb-hostage", "claim_callback", "", 0, "only a manager", http.StatusForbidden, false, "", 0},
		{"an id in use", "xs-merc", "market_research", "", 0, "already exists", 0, true, "", 0},
		{"the id of a default campaign", "renewal-30d", "telemarketing", "", 0, "already exists", 0, true, "", 0},
		{"an unknown type", "odd", "lottery", "", 0, "not one of", http.StatusBadRequest, false, "", 0},
		{"an id the dialer cannot use", "odd one", "telemarketing", "", 0, "letters, digits", http.StatusBadRequest, false, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := l.Launch(marketer, segments.LaunchRequest{CampaignID: tc.id, CampaignType: tc.typ, Script: tc.script, Priority: tc.priority}, contacts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				status := 0
				if re := (*segments.RequestError)(nil); errors.As(err, &re) {
					status = re.Status
				}
				if status != tc.wantStatus {
					t.Errorf("refusal status %d, want %d", status, tc.wantStatus)
				}
				if errors.Is(err, dialer.ErrCampaignExists) != tc.wantExists {
					t.Errorf("error %v: is ErrCampaignExists %v, want %v", err, !tc.wantExists, tc.wantExists)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			st, ok := svc.Status(tc.id)
			if !ok || st.Campaign.Script != tc.wantScript || st.Campaign.Priority != tc.wantPriority || st.Campaign.Owner != "mia" || st.Campaign.List.Source != "requests" {
				t.Fatalf("launched campaign %+v", st.Campaign)
			}
		})
	}
	clk.Advance(10 * time.Second)
	// After a restart, the launched campaigns are back as they were launched, with their lists.
	again, err := startDialer(t, state, clock.NewSim(clk.Now()), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests[:2] {
		want, _ := svc.Status(tc.id)
		got, ok := again.Status(tc.id)
		if !ok {
			t.Errorf("campaign %s is gone after a restart", tc.id)
			continue
		}
		if !reflect.DeepEqual(got.Campaign, want.Campaign) || got.State != dialer.StateRunning || got.List.Contacts != 2 {
			t.Errorf("campaign %s after a restart: %s with %d contacts\n%+v\nwant as launched, running with 2:\n%+v", tc.id, got.State, got.List.Contacts, got.Campaign, want.Campaign)
		}
	}
	// An admin's campaign file may not take the id of a campaign created over the API.
	file := dialer.Campaign{ID: "xs-merc", Type: "renewal", Script: "R"}
	file.Normalize()
	if _, err := startDialer(t, state, clock.NewSim(clk.Now()), append(dialer.DefaultCampaigns(), file)); err == nil || !strings.Contains(err.Error(), `campaign "xs-merc": a campaign file`) {
		t.Errorf("starting with a campaign file of an API campaign's id: %v, want the conflict named", err)
	}
}

// A launch the dialer refuses leaves no campaign behind and the id stays free; a launch it
// accepts runs on the contacts given. No file is written.
func TestSegmentLaunchRefusedByTheDialer(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewSim(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	svc, err := startDialer(t, filepath.Join(dir, "hotline.db"), clk, nil)
	if err != nil {
		t.Fatal(err)
	}
	l := &segmentLauncher{dialer: svc}
	marketer := httpapi.WithPrincipal(context.Background(), httpapi.Principal{User: "mia", Role: httpapi.RoleMarketer, Tenant: httpapi.AllTenants})
	tests := []struct {
		name     string
		contacts []dialer.Contact
		wantErr  string
	}{
		{"a list the dialer cannot take", []dialer.Contact{{CustomerID: "C1", Phone: "+8613900000001"}, {CustomerID: "C2", Phone: "not-a-number"}}, `"not-a-number" is not a phone number`},
		{"a list it can", []dialer.Contact{{CustomerID: "C1", Phone: "+8613900000001"}, {CustomerID: "C2", Phone: "13900000002"}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := l.Launch(marketer, segments.LaunchRequest{CampaignID: "xs-q2", CampaignType: "telemarketing"}, tc.contacts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				if _, ok := svc.Status("xs-q2"); ok {
					t.Error("the refused campaign is listed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			clk.Advance(10 * time.Second)
			if st, _ := svc.Status("xs-q2"); st.State != dialer.StateRunning || st.List.Contacts != 2 {
				t.Errorf("launched campaign %s with %d contacts, want running with 2", st.State, st.List.Contacts)
			}
		})
	}
	if files, _ := os.ReadDir(dir); len(files) != 1 && len(files) != 3 { // the state file, with its -wal and -shm while open
		names := []string{}
		for _, f := range files {
			names = append(names, f.Name())
		}
		t.Errorf("files written: %v, want the state file only", names)
	}
}
