package main

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/seed-1c4692e8/hotline/analytics/segments"
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
				if tc.id != "xs-merc" {
					for _, ext := range []string{".csv", ".yaml"} {
						if _, statErr := os.Stat(filepath.Join(dir, tc.id+ext)); statErr == nil {
							t.Errorf("a refused launch wrote its %s file", ext)
						}
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			st, ok := svc.Status(tc.id)
			if !ok || st.Campaign.Script != tc.wantScript || st.Campaign.Priority != tc.wantPriority || st.Campaign.Owner != "mia" || st.Campaign.List.File != filepath.Join(dir, tc.id+".csv") {
				t.Fatalf("launched campaign %+v", st.Campaign)
			}
		})
	}
	// After a restart, the launched campaigns are back as they were launched.
	cs, err := campaignFiles(dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("reading the launched campaigns as start-up does: %v", err)
	}
	for _, tc := range tests[:2] {
		i := slices.IndexFunc(cs, func(c dialer.Campaign) bool { return c.ID == tc.id })
		if i < 0 {
			t.Errorf("campaign %s is gone after a restart", tc.id)
			continue
		}
		want, _ := svc.Status(tc.id)
		got := cs[i]
		got.Owner = want.Campaign.Owner // not kept in campaign files
		if !reflect.DeepEqual(got, want.Campaign) {
			t.Errorf("campaign %s after a restart:\n%+v\nwant as launched:\n%+v", tc.id, got, want.Campaign)
		}
	}
}

// A launch the dialer refuses leaves neither a list nor a campaign file behind, and the id stays
// free; a launch it accepts runs on the list it wrote.
func TestSegmentLaunchRefusedByTheDialer(t *testing.T) {
	clk := clock.NewSim(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	svc, err := dialer.NewService(dialer.ServiceConfig{Seed: 1}, dialer.Deps{Clock: clk, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	l := &segmentLauncher{dialer: svc, dir: dir}
	marketer := httpapi.WithPrincipal(context.Background(), httpapi.Principal{User: "mia", Role: httpapi.RoleMarketer})
	tests := []struct {
		name     string
		contacts []dialer.Contact
		wantErr  string
	}{
		{"a list the dialer cannot read", []dialer.Contact{{CustomerID: "C1", Phone: "+8613900000001"}, {CustomerID: "C2", Phone: "not-a-number"}}, "not a phone number"},
		{"a list it can", []dialer.Contact{{CustomerID: "C1", Phone: "+8613900000001"}, {CustomerID: "C2", Phone: "+8613900000002"}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := l.Launch(marketer, segments.LaunchRequest{CampaignID: "xs-q2", CampaignType: "telemarketing"}, tc.contacts)
			files, _ := filepath.Glob(filepath.Join(dir, "xs-q2.*"))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				if len(files) != 0 {
					t.Errorf("the refused launch left %v", files)
				}
				if _, ok := svc.Status("xs-q2"); ok {
					t.Error("the refused campaign is listed")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 2 {
				t.Errorf("files %v, want the list and the campaign file", files)
			}
			clk.Advance(10 * time.Second)
			if st, _ := svc.Status("xs-q2"); st.State != dialer.StateRunning || st.List.Contacts != 2 {
				t.Errorf("launched campaign %s with %d contacts, want running with 2", st.State, st.List.Contacts)
			}
		})
	}
}

// The audit's two attacks on the campaigns directory: a launch whose id names an administrator's
// campaign file (holding another id) and one whose list path is a link to another file. Both are
// refused as an id in use, and neither file changes.
func TestSegmentLaunchNeverReplacesNorFollows(t *testing.T) {
	svc, err := dialer.NewService(dialer.ServiceConfig{Seed: 1}, dialer.Deps{Clock: clock.NewSim(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	l := &segmentLauncher{dialer: svc, dir: dir}
	marketer := httpapi.WithPrincipal(context.Background(), httpapi.Principal{User: "mia", Role: httpapi.RoleMarketer})
	adminFile := filepath.Join(dir, "renewal.yaml")
	const adminYAML = "id: renewal-q4\ntype: renewal\nscript: RENEWAL-V2\n"
	target := filepath.Join(t.TempDir(), "victim.txt")
	const victim = "not for customers' numbers\n"
	for path, data := range map[string]string{adminFile: adminYAML, target: victim} {
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(target, filepath.Join(dir, "linked.csv")); err != nil {
		t.Fatal(err)
	}
	contacts := []dialer.Contact{{CustomerID: "C1", Phone: "+8613900000001"}}
	for _, id := range []string{"renewal", "linked"} {
		err := l.Launch(marketer, segments.LaunchRequest{CampaignID: id, CampaignType: "telemarketing"}, contacts)
		if !errors.Is(err, dialer.ErrCampaignExists) {
			t.Errorf("launch %s: %v, want an id in use", id, err)
		}
		if _, ok := svc.Status(id); ok {
			t.Errorf("launch %s created a campaign", id)
		}
	}
	for path, want := range map[string]string{adminFile: adminYAML, target: victim} {
		if got, err := os.ReadFile(path); err != nil || string(got) != want {
			t.Errorf("%s now holds %q (%v), want it unchanged", path, got, err)
		}
	}
	// writeList itself neither follows a link nor replaces a file, whoever checks before it.
	for _, path := range []string{filepath.Join(dir, "linked.csv"), adminFile} {
		if err := writeList(path, contacts); !errors.Is(err, fs.ErrExist) {
			t.Errorf("writeList(%s) = %v, want fs.ErrExist", path, err)
		}
	}
	if got, _ := os.ReadFile(target); string(got) != victim {
		t.Errorf("the link's target now holds %q", got)
	}
}
